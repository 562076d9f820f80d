/*
** weft_ta.c — weft as an OP-TEE Trusted Application: the GlobalPlatform
** entry points and the marshalling of the commands of weft_tz.h; the work
** is in wtz_session.c (shared with weft-tz --local). A session owns one
** engine. The TA fails a command itself only for malformed parameters
** (TEE_ERROR_BAD_PARAMETERS); weft's errors and traps come back in the
** shared buffer.
**
** The shared buffer lives in normal-world memory that the client can change
** at any time, so each command copies the request in first, works on the
** copy and copies the answer out last (no double fetch).
*/
#include <string.h>
#include <tee_internal_api.h>

#include "wtz_session.h"

static TEE_Result cmd_load(wtz_session *s, uint32_t types,
                           TEE_Param p[TEE_NUM_PARAMS]) {
  if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INOUT,
                               TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE,
                               TEE_PARAM_TYPE_NONE) ||
      p[0].memref.size != sizeof(wtz_load))
    return TEE_ERROR_BAD_PARAMETERS;
  wtz_load req;
  memcpy(&req, p[0].memref.buffer, sizeof req);
  /* weft_module_load copies the bytes: they are read from shared memory
  ** once. */
  wtz_session_load(s, &req, p[1].memref.buffer, p[1].memref.size);
  memcpy(p[0].memref.buffer, &req, sizeof req);
  return TEE_SUCCESS;
}

static TEE_Result cmd_invoke(wtz_session *s, uint32_t types,
                             TEE_Param p[TEE_NUM_PARAMS]) {
  if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_NONE,
                               TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE) ||
      p[0].memref.size != sizeof(wtz_call))
    return TEE_ERROR_BAD_PARAMETERS;
  static wtz_call req; /* 4.6 KiB: off the TA's stack */
  memcpy(&req, p[0].memref.buffer, sizeof req);
  wtz_session_invoke(s, &req);
  memcpy(p[0].memref.buffer, &req, sizeof req);
  return TEE_SUCCESS;
}
/* ---- GlobalPlatform entry points --------------------------------------- */

TEE_Result TA_CreateEntryPoint(void) { return TEE_SUCCESS; }

void TA_DestroyEntryPoint(void) {}

TEE_Result TA_OpenSessionEntryPoint(uint32_t types, TEE_Param p[TEE_NUM_PARAMS],
                                    void **ctx) {
  (void)types;
  (void)p;
  wtz_session *s = TEE_Malloc(sizeof *s, TEE_MALLOC_FILL_ZERO);
  if (!s)
    return TEE_ERROR_OUT_OF_MEMORY;
  *ctx = s;
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx) {
  wtz_session_clear(ctx);
  TEE_Free(ctx);
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types,
                                      TEE_Param p[TEE_NUM_PARAMS]) {
  switch (cmd) {
  case WTZ_CMD_LOAD: return cmd_load(ctx, types, p);
  case WTZ_CMD_INVOKE: return cmd_invoke(ctx, types, p);
  default: return TEE_ERROR_NOT_SUPPORTED;
  }
}
