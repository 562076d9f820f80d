/*
** weft_tz.h — the command interface between the weft Trusted Application
** (ports/optee/ta, in OP-TEE's secure world) and its normal-world client
** (ports/optee/host/weft_tz.c). Both sides include this file; it is the
** whole protocol. Every command takes its request and returns its answer
** in one shared buffer (a GlobalPlatform memref, param 0, INOUT); LOAD also
** takes the module's bytes in param 1 (memref INPUT). Fixed-size structs of
** fixed-width fields, so the 64-bit TA and client agree on the layout.
*/
#ifndef WEFT_TZ_H
#define WEFT_TZ_H

#include <stdint.h>

/* The TA's UUID: 4d00f19d-ecf7-4407-868d-cf3206c9ebc7 */
#define WTZ_UUID                                                               \
  {                                                                            \
    0x4d00f19d, 0xecf7, 0x4407, {                                              \
      0x86, 0x8d, 0xcf, 0x32, 0x06, 0xc9, 0xeb, 0xc7                           \
    }                                                                          \
  }

enum wtz_cmd {
  WTZ_CMD_LOAD = 1,   /* decode, validate, instantiate (drops any previous) */
  WTZ_CMD_INVOKE = 2, /* call an export of the instance */
  WTZ_CMD_WASI = 3,   /* run a WASI program (wtz_wasi) */
  /* Attestation (wtz_attest.h): param 0 value INPUT (a: the step), param 1
  ** memref INPUT (the step's bytes), param 2 memref INPUT or NONE (the
  ** verifier's key when provisioning), param 3 memref OUTPUT (the answer,
  ** WTZ_ATT_ANSWER_MAX bytes of room). */
  WTZ_CMD_ATTEST = 4
};

#define WTZ_MAX_VALS 16
#define WTZ_NAME_MAX 256
#define WTZ_MSG_MAX 256

/* One Wasm value: `type` is a weft_valtype (0x7f i32 ... 0x7c f64); floats
** travel as bit patterns (f32 in the low 32 bits), so NaN payloads survive. */
typedef struct wtz_val {
  uint32_t type;
  uint32_t pad;
  uint64_t bits;
} wtz_val;

/* LOAD: param 0. In: limits; out: status and message. */
typedef struct wtz_load {
  uint64_t max_memory_bytes; /* in: per linear memory; 0: the TA's default */
  uint32_t fuel_metering;    /* in: 1 = meter fuel (INVOKE gives a budget) */
  uint32_t spectest;         /* in: 1 = link the spec suite's "spectest" */
  uint32_t status;           /* out: weft_status */
  uint32_t wasm_2_0;         /* in: 1 = validate by WebAssembly 2.0's rules
                                (weft_config.wasm_2_0: the 2.0 spec suite) */
  uint64_t ta_us;            /* out: microseconds spent in the TA on the load */
  char message[WTZ_MSG_MAX]; /* out: the error, NUL-terminated */
} wtz_load;

/* INVOKE: param 0. In: the export's name, arguments, fuel budget; out:
** results (or the trap), fuel used, time spent running Wasm in the TA. */
typedef struct wtz_call {
  uint32_t status;    /* out: weft_status */
  uint32_t trap;      /* out: weft_trap when status is WEFT_ERR_TRAP */
  uint32_t nargs;     /* in */
  uint32_t nresults;  /* out */
  uint64_t fuel;      /* in: budget (with fuel metering) */
  uint64_t fuel_used; /* out: what the call consumed */
  uint64_t ta_us;     /* out: microseconds in weft_func_call, TA clock */
  wtz_val vals[WTZ_MAX_VALS]; /* in: arguments; out: results */
  char name[WTZ_NAME_MAX];    /* in: the export (not NUL-terminated when
                                 exactly WTZ_NAME_MAX long: name_len says) */
  uint32_t name_len;          /* in */
  uint32_t pad;
  char message[WTZ_MSG_MAX]; /* out: the error, NUL-terminated */
} wtz_call;

/* WASI: runs a WASI preview 1 program's _start in a fresh engine of the
** session, its files in OP-TEE secure storage (preopened as /data). Param
** 0: this struct (INOUT); param 1: the module's bytes (INPUT); param 2:
** argc then envc strings, each NUL-terminated, back to back (INPUT; argv[0]
** first); param 3: the program's stdout then its stderr (OUTPUT, as much
** as fits: stdout_len and stderr_len say how much each wrote). */
typedef struct wtz_wasi {
  uint32_t argc, envc;       /* in */
  uint64_t fuel;             /* in: budget; 0: no metering */
  uint64_t max_memory_bytes; /* in: 0: the TA's default */
  uint32_t status;           /* out: weft_status (WEFT_ERR_EXIT: exit_code) */
  int32_t exit_code;         /* out: the program's, when it exited */
  uint32_t trap;             /* out: weft_trap when status is a trap */
  uint32_t dropped;          /* out: 1 when output beyond the TA's cap was
                                dropped */
  uint64_t stdout_len, stderr_len; /* out: bytes written (kept in param 3) */
  uint64_t fuel_used, ta_us;       /* out */
  char message[WTZ_MSG_MAX];       /* out: the error, NUL-terminated */
} wtz_wasi;

#endif /* WEFT_TZ_H */
