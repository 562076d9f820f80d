/*
** wtz_wasi.c — WTZ_CMD_WASI in the weft TA: runs a WASI preview 1
** program's _start in a fresh engine of the session, with the arguments
** and environment the normal world sent, /data preopened on OP-TEE secure
** storage and stdio captured (wasi_fs_optee.c). The engine is dropped
** when the program ends: a WASI run leaves no instance behind. TA-only.
*/
#include <string.h>

#include "port_optee.h"
#include "weft_wasi.h"
#include "weft_wasi_fs.h"
#include "wtz_wasi.h"

/* Arguments plus environment strings a run may have. */
#define WTZ_WASI_MAX_STRS 64

static void set_message(char *dst, const char *src) {
  size_t n = strlen(src);
  if (n >= WTZ_MSG_MAX)
    n = WTZ_MSG_MAX - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

/* Points v[0..n) at the first n NUL-terminated strings of strs; -1 when it
** holds fewer. */
static int split(const char *strs, size_t size, uint32_t n, const char **v) {
  size_t at = 0;
  for (uint32_t i = 0; i < n; i++) {
    const char *end = at < size ? memchr(strs + at, 0, size - at) : NULL;
    if (!end)
      return -1;
    v[i] = strs + at;
    at = (size_t)(end - strs) + 1;
  }
  return 0;
}

static weft_status run(wtz_session *s, wtz_wasi *req, const uint8_t *bytes,
                       size_t size, const char *strs, size_t strs_size,
                       weft_wasi **wasi, weft_error *err) {
  const char *v[WTZ_WASI_MAX_STRS];
  if (req->argc == 0 || req->argc > WTZ_WASI_MAX_STRS ||
      req->envc > WTZ_WASI_MAX_STRS - req->argc ||
      split(strs, strs_size, req->argc + req->envc, v) != 0) {
    set_message(err->message, "malformed arguments or environment");
    return WEFT_ERR_ARG;
  }
  weft_config c;
  weft_config_default(&c);
  c.max_memory_bytes =
      req->max_memory_bytes ? req->max_memory_bytes : WTZ_MAX_MEMORY;
  c.stack_bytes = WTZ_VALUE_STACK;
  c.guard_pages = 0;
  c.fuel_metering = req->fuel != 0;
  c.native_stack_bytes = WTZ_NATIVE_STACK;
  c.alloc = s->alloc;
  weft_status st = weft_engine_new(&c, &s->engine, err);
  if (st == WEFT_OK)
    st = weft_linker_new(s->engine, &s->linker, err);
  weft_wasi_preopen pre = {.host_path = "secure storage",
                           .guest_path = "/data",
                           .fs = weft_wasi_fs_host()};
  weft_wasi_config wc;
  weft_wasi_config_default(&wc);
  wc.argv = v;
  wc.argc = req->argc;
  wc.env = v + req->argc;
  wc.envc = req->envc;
  wc.preopens = &pre;
  wc.npreopens = 1;
  wc.stdin_fd = 0, wc.stdout_fd = 1, wc.stderr_fd = 2;
  wc.sys = weft_wasi_sys_host();
  if (st == WEFT_OK)
    st = weft_wasi_new(s->engine, &wc, wasi, err);
  if (st == WEFT_OK)
    st = weft_wasi_define(*wasi, s->linker, err);
  if (st == WEFT_OK)
    st = weft_module_load(s->engine, bytes, size, &s->module, err);
  if (st == WEFT_OK)
    st = weft_instantiate(s->linker, s->module, &s->instance, err);
  weft_extern start;
  if (st == WEFT_OK &&
      (weft_instance_export(s->instance, "_start", &start) != WEFT_OK ||
       start.kind != WEFT_EXTERN_FUNC)) {
    set_message(err->message, "no exported function _start");
    st = WEFT_ERR_ARG;
  }
  if (st != WEFT_OK)
    return st;
  weft_engine_set_fuel(s->engine, req->fuel);
  uint64_t t0 = wtz_port_time_us();
  st = weft_func_call(s->engine, start.of.func, NULL, 0, NULL, 0, err);
  req->ta_us = wtz_port_time_us() - t0;
  if (req->fuel)
    req->fuel_used = req->fuel - weft_engine_fuel(s->engine);
  return st;
}

void wtz_wasi_run(wtz_session *s, wtz_wasi *req, const uint8_t *bytes,
                  size_t size, const char *strs, size_t strs_size) {
  wtz_session_clear(s);
  wtz_wasi_capture_reset();
  weft_error err;
  memset(&err, 0, sizeof err);
  weft_wasi *wasi = NULL;
  req->ta_us = req->fuel_used = 0;
  weft_status st = run(s, req, bytes, size, strs, strs_size, &wasi, &err);
  weft_wasi_free(wasi);
  wtz_session_clear(s);
  req->status = (uint32_t)st;
  req->exit_code = st == WEFT_ERR_EXIT ? err.exit_code : 0;
  req->trap = st == WEFT_ERR_TRAP ? (uint32_t)err.trap : 0;
  set_message(req->message,
              st == WEFT_OK || st == WEFT_ERR_EXIT ? "" : err.message);
  size_t n;
  int dropped;
  wtz_wasi_captured(0, &n, &dropped);
  req->stdout_len = n;
  wtz_wasi_captured(1, &n, &dropped);
  req->stderr_len = n;
  req->dropped = (uint32_t)dropped;
}
