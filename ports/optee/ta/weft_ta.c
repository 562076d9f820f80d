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

#include "wtz_attest.h"
#include "wtz_session.h"
#include "wtz_wasi.h"

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
/* WASI: the module and the strings are read from shared memory by the
** core once each (weft_module_load and weft_wasi_new copy them); the
** output is copied out last. */
static TEE_Result cmd_wasi(wtz_session *s, uint32_t types,
                           TEE_Param p[TEE_NUM_PARAMS]) {
  if (types != TEE_PARAM_TYPES(
                   TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_MEMREF_INPUT,
                   TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT) ||
      p[0].memref.size != sizeof(wtz_wasi))
    return TEE_ERROR_BAD_PARAMETERS;
  wtz_wasi req;
  memcpy(&req, p[0].memref.buffer, sizeof req);
  /* The strings are copied into the TA first: the normal world could
  ** change shared memory between split() and weft_wasi_new. */
  size_t ns = p[2].memref.size, mn = p[1].memref.size;
  /* Room for one more environment string: the attested secret. */
  size_t room = 32 + 2 * WTZ_ATT_SECRET_MAX;
  char *strs = TEE_Malloc(ns + room, 0);
  uint8_t *mod = TEE_Malloc(mn ? mn : 1, 0);
  if (!strs || !mod) {
    TEE_Free(strs);
    TEE_Free(mod);
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  memcpy(strs, p[2].memref.buffer, ns);
  /* The module is copied in, so what is compared with the attested
  ** measurement is what runs. The program of a session that was released
  ** a secret for exactly this module finds it in WEFT_ATTEST_SECRET. */
  memcpy(mod, p[1].memref.buffer, mn);
  size_t extra = wtz_attest_secret_env(s, mod, mn, strs + ns, room);
  if (extra) {
    ns += extra;
    req.envc++;
  }
  wtz_wasi_run(s, &req, mod, mn, strs, ns);
  memset(strs, 0, ns);
  TEE_Free(strs);
  TEE_Free(mod);
  size_t n0, n1, cap = p[3].memref.size;
  int dropped;
  const char *o = wtz_wasi_captured(0, &n0, &dropped);
  const char *e = wtz_wasi_captured(1, &n1, &dropped);
  char *dst = p[3].memref.buffer;
  size_t k0 = n0 < cap ? n0 : cap, k1 = n1 < cap - k0 ? n1 : cap - k0;
  if (k0)
    memcpy(dst, o, k0);
  if (k1)
    memcpy(dst + k0, e, k1);
  req.stdout_len = k0;
  req.stderr_len = k1;
  req.dropped |= k0 < n0 || k1 < n1;
  p[3].memref.size = k0 + k1;
  wtz_wasi_capture_reset();
  memcpy(p[0].memref.buffer, &req, sizeof req);
  return TEE_SUCCESS;
}

/* Attestation: the inputs are copied into the TA before use, the answer
** out at the end. */
static TEE_Result cmd_attest(void *ctx, uint32_t types,
                             TEE_Param p[TEE_NUM_PARAMS]) {
  uint32_t t2 = TEE_PARAM_TYPE_GET(types, 2);
  if (TEE_PARAM_TYPE_GET(types, 0) != TEE_PARAM_TYPE_VALUE_INPUT ||
      TEE_PARAM_TYPE_GET(types, 1) != TEE_PARAM_TYPE_MEMREF_INPUT ||
      (t2 != TEE_PARAM_TYPE_MEMREF_INPUT && t2 != TEE_PARAM_TYPE_NONE) ||
      TEE_PARAM_TYPE_GET(types, 3) != TEE_PARAM_TYPE_MEMREF_OUTPUT ||
      p[3].memref.size < WTZ_ATT_ANSWER_MAX)
    return TEE_ERROR_BAD_PARAMETERS;
  size_t n1 = p[1].memref.size,
         n2 = t2 == TEE_PARAM_TYPE_NONE ? 0 : p[2].memref.size;
  uint8_t *in = TEE_Malloc(n1 + n2 + 1, 0);
  uint8_t *out = TEE_Malloc(WTZ_ATT_ANSWER_MAX, 0);
  if (!in || !out) {
    TEE_Free(in);
    TEE_Free(out);
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  if (n1)
    memcpy(in, p[1].memref.buffer, n1);
  if (n2)
    memcpy(in + n1, p[2].memref.buffer, n2);
  size_t len = 0;
  wtz_attest_step(ctx, p[0].value.a, in, n1, in + n1, n2, out, &len);
  memcpy(p[3].memref.buffer, out, len);
  p[3].memref.size = len;
  TEE_Free(in);
  TEE_Free(out);
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
  wtz_attest_forget(ctx);
  wtz_session_clear(ctx);
  TEE_Free(ctx);
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types,
                                      TEE_Param p[TEE_NUM_PARAMS]) {
  switch (cmd) {
  case WTZ_CMD_LOAD: return cmd_load(ctx, types, p);
  case WTZ_CMD_INVOKE: return cmd_invoke(ctx, types, p);
  case WTZ_CMD_WASI: return cmd_wasi(ctx, types, p);
  case WTZ_CMD_ATTEST: return cmd_attest(ctx, types, p);
  default: return TEE_ERROR_NOT_SUPPORTED;
  }
}
