/*
** wtz_backend.c — the two backends of wtz_backend.h: the weft TA through
** libteec (GlobalPlatform TEE Client API; OP-TEE's tee.ko and optee.ko must
** be loaded), and the local session in this process (wtz_session.c over
** the freestanding core with the bare port and malloc).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tee_client_api.h>
#include <time.h>

#include "port_optee.h"
#include "wtz_backend.h"
#include "wtz_session.h"

struct wtz_handle {
  int local;
  wtz_session session; /* local */
  TEEC_Context ctx;    /* TA */
  TEEC_Session sess;
};

/* The clock of the local session (the TA's is TEE_GetSystemTime). */
uint64_t wtz_port_time_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void *heap_realloc(void *user, void *ptr, size_t old_size,
                          size_t new_size) {
  (void)user;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
}

wtz_handle *wtz_open(int local) {
  wtz_handle *h = calloc(1, sizeof *h);
  if (!h)
    return NULL;
  h->local = local;
  if (local) {
    h->session.alloc = heap_realloc;
    return h;
  }
  TEEC_UUID uuid = WTZ_UUID;
  uint32_t origin = 0;
  TEEC_Result r = TEEC_InitializeContext(NULL, &h->ctx);
  if (r != TEEC_SUCCESS) {
    fprintf(stderr, "weft-tz: TEEC_InitializeContext: 0x%08x\n", r);
    free(h);
    return NULL;
  }
  r = TEEC_OpenSession(&h->ctx, &h->sess, &uuid, TEEC_LOGIN_PUBLIC, NULL, NULL,
                       &origin);
  if (r != TEEC_SUCCESS) {
    fprintf(stderr, "weft-tz: TEEC_OpenSession: 0x%08x (origin %u)\n", r,
            origin);
    TEEC_FinalizeContext(&h->ctx);
    free(h);
    return NULL;
  }
  return h;
}

void wtz_close(wtz_handle *h) {
  if (!h)
    return;
  if (h->local) {
    wtz_session_clear(&h->session);
  } else {
    TEEC_CloseSession(&h->sess);
    TEEC_FinalizeContext(&h->ctx);
  }
  free(h);
}

static int tee_call(wtz_handle *h, uint32_t cmd, void *req, size_t size,
                    const uint8_t *bytes, size_t nbytes) {
  TEEC_Operation op;
  uint32_t origin = 0;
  memset(&op, 0, sizeof op);
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT,
                                   bytes ? TEEC_MEMREF_TEMP_INPUT : TEEC_NONE,
                                   TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref.buffer = req;
  op.params[0].tmpref.size = size;
  op.params[1].tmpref.buffer = (void *)bytes;
  op.params[1].tmpref.size = nbytes;
  TEEC_Result r = TEEC_InvokeCommand(&h->sess, cmd, &op, &origin);
  if (r != TEEC_SUCCESS) {
    fprintf(stderr, "weft-tz: TEEC_InvokeCommand(%u): 0x%08x (origin %u)\n",
            cmd, r, origin);
    return -1;
  }
  return 0;
}

int wtz_load_module(wtz_handle *h, wtz_load *req, const uint8_t *bytes,
                    size_t size) {
  if (h->local) {
    wtz_session_load(&h->session, req, bytes, size);
    return 0;
  }
  static const uint8_t none[1];
  return tee_call(h, WTZ_CMD_LOAD, req, sizeof *req, size ? bytes : none, size);
}

int wtz_invoke(wtz_handle *h, wtz_call *req) {
  if (h->local) {
    wtz_session_invoke(&h->session, req);
    return 0;
  }
  return tee_call(h, WTZ_CMD_INVOKE, req, sizeof *req, NULL, 0);
}

int wtz_wasi_call(wtz_handle *h, wtz_wasi *req, const uint8_t *bytes,
                  size_t size, const char *strs, size_t strs_size, char *out,
                  size_t out_cap) {
  if (h->local) {
    fprintf(stderr, "weft-tz: wasi runs in the TA only (its files are in "
                    "OP-TEE secure storage)\n");
    return -1;
  }
  TEEC_Operation op;
  uint32_t origin = 0;
  memset(&op, 0, sizeof op);
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT,
                       TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT);
  op.params[0].tmpref.buffer = req;
  op.params[0].tmpref.size = sizeof *req;
  op.params[1].tmpref.buffer = (void *)bytes;
  op.params[1].tmpref.size = size;
  op.params[2].tmpref.buffer = (void *)strs;
  op.params[2].tmpref.size = strs_size;
  op.params[3].tmpref.buffer = out;
  op.params[3].tmpref.size = out_cap;
  TEEC_Result r = TEEC_InvokeCommand(&h->sess, WTZ_CMD_WASI, &op, &origin);
  if (r != TEEC_SUCCESS) {
    fprintf(stderr, "weft-tz: TEEC_InvokeCommand(wasi): 0x%08x (origin %u)\n",
            r, origin);
    return -1;
  }
  return 0;
}

int wtz_attest_call(wtz_handle *h, uint32_t step, const uint8_t *in,
                    size_t in_len, const uint8_t *in2, size_t in2_len,
                    uint8_t *out, size_t *out_len) {
  if (h->local) {
    fprintf(stderr, "weft-tz: attestation runs in the TA only\n");
    return -1;
  }
  TEEC_Operation op;
  uint32_t origin = 0;
  static const uint8_t none[1];
  memset(&op, 0, sizeof op);
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_INPUT,
                                   in2 ? TEEC_MEMREF_TEMP_INPUT : TEEC_NONE,
                                   TEEC_MEMREF_TEMP_OUTPUT);
  op.params[0].value.a = step;
  op.params[1].tmpref.buffer = (void *)(in_len ? in : none);
  op.params[1].tmpref.size = in_len;
  op.params[2].tmpref.buffer = (void *)in2;
  op.params[2].tmpref.size = in2_len;
  op.params[3].tmpref.buffer = out;
  op.params[3].tmpref.size = *out_len;
  TEEC_Result r = TEEC_InvokeCommand(&h->sess, WTZ_CMD_ATTEST, &op, &origin);
  if (r != TEEC_SUCCESS) {
    fprintf(stderr, "weft-tz: TEEC_InvokeCommand(attest): 0x%08x (origin %u)\n",
            r, origin);
    return -1;
  }
  *out_len = op.params[3].tmpref.size;
  return 0;
}
