/*
** user_ta_header_defines.h — the weft TA's properties for OP-TEE's TA
** header (UUID, flags, stack and heap). One instance; each session has its
** own engine (OP-TEE runs one command of an instance at a time).
**
** Memory: the TrustZone tier's firmware gives OP-TEE 64 MiB of secure RAM
** (TZDRAM, scripts/tz/firmware.sh), which holds the OP-TEE core, every
** loaded TA's code, stack, heap and translation tables. The heap
** (TA_DATA_SIZE) holds weft's engine, the module and its lowered code, the
** value stack and every linear memory, so it bounds the Wasm memory a
** module can have: 40 MiB for a linear memory of up to 32 MiB
** (WTZ_MAX_MEMORY) plus the rest (docs/trustzone.md).
*/
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include "weft_tz.h"

#define TA_UUID WTZ_UUID
#define TA_FLAGS                                                               \
  (TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION |                           \
   TA_FLAG_INSTANCE_KEEP_ALIVE)
/* Wasm-to-Wasm calls use the native stack of the TA's thread:
** weft_config.native_stack_bytes (weft_ta.c) stays below this. */
#define TA_STACK_SIZE (256 * 1024)
#define TA_DATA_SIZE (40 * 1024 * 1024)
#define TA_VERSION "0.1"
#define TA_DESCRIPTION "weft WebAssembly runtime"

#endif /* USER_TA_HEADER_DEFINES_H */
