/*
** wtz_session.c — the work behind the commands of weft_tz.h, shared by
** the Trusted Application (ta/weft_ta.c, in the secure world) and by
** weft-tz's --local mode (the same weft core in a normal-world process), so
** the two run the same code and the speed comparison compares the worlds,
** not two drivers. A session owns one engine holding at most one
** instance: LOAD (re)creates the engine with the client's limits, decodes,
** validates and instantiates the module; INVOKE calls one of its exports,
** with a fuel budget when the engine meters fuel. Requests and answers
** are private copies (the callers copy them out of shared memory).
*/
#include <string.h>

#include "port_optee.h"
#include "wtz_session.h"

void wtz_session_clear(wtz_session *s) {
  weft_linker_free(s->linker);
  weft_module_free(s->module);
  weft_engine_free(s->engine); /* frees the instance too */
  weft_realloc_fn alloc = s->alloc;
  memset(s, 0, sizeof *s);
  s->alloc = alloc;
}

static void copy_message(char *dst, const char *src) {
  size_t n = strlen(src);
  if (n >= WTZ_MSG_MAX)
    n = WTZ_MSG_MAX - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

/* ---- the spectest host module (spec suite modules import it) ----------- */

static weft_status spectest_print(weft_host_ctx *ctx, void *user,
                                  weft_slot *slots) {
  (void)ctx;
  (void)user;
  (void)slots;
  return WEFT_OK;
}

static const struct {
  const char *name;
  weft_valtype params[2];
  uint32_t nparams;
} spectest_funcs[] = {
    {"print", {WEFT_I32, WEFT_I32}, 0},
    {"print_i32", {WEFT_I32, WEFT_I32}, 1},
    {"print_i64", {WEFT_I64, WEFT_I32}, 1},
    {"print_f32", {WEFT_F32, WEFT_I32}, 1},
    {"print_f64", {WEFT_F64, WEFT_I32}, 1},
    {"print_i32_f32", {WEFT_I32, WEFT_F32}, 2},
    {"print_f64_f64", {WEFT_F64, WEFT_F64}, 2},
};

static weft_status define(wtz_session *s, const char *name, weft_extern ext,
                          weft_error *err) {
  return weft_linker_define(s->linker, "spectest", name, ext, err);
}

static weft_status define_global(wtz_session *s, const char *name, weft_val v,
                                 weft_error *err) {
  weft_extern ext = {.kind = WEFT_EXTERN_GLOBAL};
  weft_status st = weft_global_new(s->engine, v, 0, &ext.of.global, err);
  return st != WEFT_OK ? st : define(s, name, ext, err);
}

/* The imports the spec suite's scripts expect ("spectest": print functions
** that do nothing, globals of 666, a table of 10..20 funcrefs, a memory of
** 1..2 pages), as the reference interpreter defines them. */
static weft_status define_spectest(wtz_session *s, weft_error *err) {
  weft_status st = WEFT_OK;
  for (size_t i = 0;
       st == WEFT_OK && i < sizeof spectest_funcs / sizeof spectest_funcs[0];
       i++) {
    weft_extern ext = {.kind = WEFT_EXTERN_FUNC};
    st = weft_func_new_host(s->engine, spectest_funcs[i].params,
                            spectest_funcs[i].nparams, NULL, 0, spectest_print,
                            NULL, &ext.of.func, err);
    if (st == WEFT_OK)
      st = define(s, spectest_funcs[i].name, ext, err);
  }
  weft_val v = {.type = WEFT_I32, .of.i32 = 666};
  if (st == WEFT_OK)
    st = define_global(s, "global_i32", v, err);
  v.type = WEFT_I64, v.of.i64 = 666;
  if (st == WEFT_OK)
    st = define_global(s, "global_i64", v, err);
  v.type = WEFT_F32, v.of.u64 = 0, v.of.f32 = 666.6f;
  if (st == WEFT_OK)
    st = define_global(s, "global_f32", v, err);
  v.type = WEFT_F64, v.of.f64 = 666.6;
  if (st == WEFT_OK)
    st = define_global(s, "global_f64", v, err);
  weft_extern ext = {.kind = WEFT_EXTERN_TABLE};
  if (st == WEFT_OK)
    st = weft_table_new(s->engine, WEFT_FUNCREF, 10, 20, NULL, &ext.of.table,
                        err);
  if (st == WEFT_OK)
    st = define(s, "table", ext, err);
  ext.kind = WEFT_EXTERN_MEMORY;
  if (st == WEFT_OK)
    st = weft_memory_new(s->engine, 1, 2, &ext.of.memory, err);
  if (st == WEFT_OK)
    st = define(s, "memory", ext, err);
  return st;
}

static weft_status load(wtz_session *s, const wtz_load *req,
                        const uint8_t *bytes, size_t size, weft_error *err) {
  weft_config c;
  weft_config_default(&c);
  c.max_memory_bytes =
      req->max_memory_bytes ? req->max_memory_bytes : WTZ_MAX_MEMORY;
  c.stack_bytes = WTZ_VALUE_STACK;
  c.guard_pages = 0;
  c.fuel_metering = req->fuel_metering != 0;
  c.native_stack_bytes = WTZ_NATIVE_STACK;
  c.wasm_2_0 = req->wasm_2_0 != 0;
  c.alloc = s->alloc;
  weft_status st = weft_engine_new(&c, &s->engine, err);
  if (st == WEFT_OK)
    st = weft_linker_new(s->engine, &s->linker, err);
  if (st == WEFT_OK && req->spectest)
    st = define_spectest(s, err);
  if (st == WEFT_OK)
    st = weft_module_load(s->engine, bytes, size, &s->module, err);
  if (st == WEFT_OK)
    st = weft_instantiate(s->linker, s->module, &s->instance, err);
  return st;
}

void wtz_session_load(wtz_session *s, wtz_load *req, const uint8_t *bytes,
                      size_t size) {
  wtz_session_clear(s);
  uint64_t t0 = wtz_port_time_us();
  weft_error err;
  memset(&err, 0, sizeof err);
  weft_status st = load(s, req, bytes, size, &err);
  if (st != WEFT_OK)
    wtz_session_clear(s);
  req->ta_us = wtz_port_time_us() - t0;
  req->status = (uint32_t)st;
  copy_message(req->message, st == WEFT_OK ? "" : err.message);
}

/* Check the client's arguments against the export's type and call it. */
static weft_status invoke(wtz_session *s, wtz_call *req, weft_error *err) {
  weft_extern ext;
  if (!s->instance) {
    copy_message(err->message, "no module loaded");
    return WEFT_ERR_ARG;
  }
  size_t name_len = req->name_len < WTZ_NAME_MAX ? req->name_len : WTZ_NAME_MAX;
  if (weft_instance_export_n(s->instance, req->name, name_len, &ext) !=
          WEFT_OK ||
      ext.kind != WEFT_EXTERN_FUNC) {
    copy_message(err->message, "no exported function of that name");
    return WEFT_ERR_ARG;
  }
  const weft_valtype *pt, *rt;
  uint32_t np, nr;
  weft_func_type(ext.of.func, &pt, &np, &rt, &nr);
  if (np != req->nargs || np > WTZ_MAX_VALS || nr > WTZ_MAX_VALS) {
    copy_message(err->message, "wrong number of arguments or results");
    return WEFT_ERR_ARG;
  }
  weft_val args[WTZ_MAX_VALS], res[WTZ_MAX_VALS];
  memset(args, 0, sizeof args);
  for (uint32_t i = 0; i < np; i++) {
    args[i].type = (weft_valtype)req->vals[i].type;
    if (args[i].type == WEFT_I32 || args[i].type == WEFT_F32)
      args[i].of.u32 = (uint32_t)req->vals[i].bits;
    else
      args[i].of.u64 = req->vals[i].bits;
  }
  weft_engine *e = s->engine;
  uint64_t budget = req->fuel;
  weft_engine_set_fuel(e, budget);
  uint64_t t0 = wtz_port_time_us();
  weft_status st = weft_func_call(e, ext.of.func, args, np, res, nr, err);
  req->ta_us = wtz_port_time_us() - t0;
  req->fuel_used = budget - weft_engine_fuel(e);
  memset(req->vals, 0, sizeof req->vals);
  req->nresults = st == WEFT_OK ? nr : 0;
  for (uint32_t i = 0; i < req->nresults; i++) {
    req->vals[i].type = (uint32_t)rt[i];
    req->vals[i].bits = (rt[i] == WEFT_I32 || rt[i] == WEFT_F32)
                            ? (uint64_t)res[i].of.u32
                            : res[i].of.u64;
  }
  return st;
}

void wtz_session_invoke(wtz_session *s, wtz_call *req) {
  weft_error err;
  memset(&err, 0, sizeof err);
  weft_status st = invoke(s, req, &err);
  req->status = (uint32_t)st;
  req->trap = st == WEFT_ERR_TRAP ? (uint32_t)err.trap : 0;
  copy_message(req->message, st == WEFT_OK ? "" : err.message);
}
