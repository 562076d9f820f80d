/*
** embed.c — embedding weft through include/weft.h only.
**
** Builds a tiny module from hand-assembled bytes, gives it a host function
** `env.log_i32`, instantiates it through a linker and calls its exports.
** Shows that a trap comes back as a value (WEFT_ERR_TRAP plus a message)
** and that the engine stays usable afterwards. Exits 0 only if every
** check holds; `make test` runs it.
**
**   cc -Iinclude examples/embed.c build/libweft.a -lm -o build/embed
*/
#include <stdio.h>
#include <string.h>

#include "weft.h"

/* The module, as the text format would say it:
**
**   (module
**     (type (func (param i32)))                     ;; type 0
**     (type (func (param i32 i32) (result i32)))    ;; type 1
**     (type (func (result i32)))                    ;; type 2
**     (import "env" "log_i32" (func $log (type 0))) ;; func 0
**     (func $add (type 1) (local i32)               ;; func 1
**       local.get 0  local.get 1  i32.add
**       local.tee 2  call $log  local.get 2)
**     (func $boom (type 2)                          ;; func 2
**       i32.const 1  i32.const 0  i32.div_s)        ;; traps
**     (export "add" (func $add))
**     (export "boom" (func $boom)))
*/
/* clang-format off */
static const uint8_t module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, /* magic "\0asm" */
    0x01, 0x00, 0x00, 0x00, /* version 1 */

    /* type section: id 1, 15 bytes, 3 types */
    0x01, 0x0f, 0x03,
    0x60, 0x01, 0x7f, 0x00,             /* (i32) -> () */
    0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, /* (i32, i32) -> (i32) */
    0x60, 0x00, 0x01, 0x7f,             /* () -> (i32) */

    /* import section: id 2, 15 bytes, 1 import */
    0x02, 0x0f, 0x01,
    0x03, 'e', 'n', 'v',                     /* module "env" */
    0x07, 'l', 'o', 'g', '_', 'i', '3', '2', /* name "log_i32" */
    0x00, 0x00,                              /* func of type 0 */

    /* function section: id 3, 3 bytes, 2 functions of types 1 and 2 */
    0x03, 0x03, 0x02, 0x01, 0x02,

    /* export section: id 7, 14 bytes, 2 exports */
    0x07, 0x0e, 0x02,
    0x03, 'a', 'd', 'd', 0x00, 0x01,      /* "add" = func 1 */
    0x04, 'b', 'o', 'o', 'm', 0x00, 0x02, /* "boom" = func 2 */

    /* code section: id 10, 25 bytes, 2 bodies */
    0x0a, 0x19, 0x02,
    /* add: 15 bytes */
    0x0f,
    0x01, 0x01, 0x7f, /* 1 group of locals: 1 x i32 (local 2) */
    0x20, 0x00,       /* local.get 0 */
    0x20, 0x01,       /* local.get 1 */
    0x6a,             /* i32.add */
    0x22, 0x02,       /* local.tee 2 */
    0x10, 0x00,       /* call 0 ($log) */
    0x20, 0x02,       /* local.get 2 */
    0x0b,             /* end */
    /* boom: 7 bytes */
    0x07,
    0x00,       /* no locals */
    0x41, 0x01, /* i32.const 1 */
    0x41, 0x00, /* i32.const 0 */
    0x6d,       /* i32.div_s: integer divide by zero */
    0x0b,       /* end */
};
/* clang-format on */

static int checks_passed, checks_failed;

static void check(int ok, const char *what) {
  if (ok)
    checks_passed++;
  else
    checks_failed++;
  printf("  [%s] %s\n", ok ? "ok" : "FAILED", what);
}

/* What the host function saw. */
struct log_state {
  int calls;
  int32_t last;
};

/* env.log_i32: (i32) -> (); arguments arrive in slots[0..params). */
static weft_status log_i32(weft_host_ctx *ctx, void *user, weft_slot *slots) {
  struct log_state *state = user;

  (void)ctx;
  state->calls++;
  state->last = slots[0].i32;
  printf("  host: log_i32(%d)\n", (int)slots[0].i32);
  return WEFT_OK;
}

static weft_status call_add(weft_engine *engine, weft_func *add, int32_t a,
                            int32_t b, int32_t *out_sum, weft_error *err) {
  weft_val args[2], result;
  weft_status st;

  args[0].type = WEFT_I32;
  args[0].of.i32 = a;
  args[1].type = WEFT_I32;
  args[1].of.i32 = b;
  memset(&result, 0, sizeof result);
  st = weft_func_call(engine, add, args, 2, &result, 1, err);
  *out_sum = result.of.i32;
  return st;
}

/* Everything after the engine exists; returns nonzero on a hard failure. */
static int run(weft_engine *engine) {
  static const weft_valtype log_params[] = {WEFT_I32};
  struct log_state state = {0, 0};
  weft_module *module = NULL;
  weft_linker *linker = NULL;
  weft_instance *instance = NULL;
  weft_func *log_fn = NULL;
  weft_extern ext, add_ext, boom_ext;
  weft_error err;
  weft_val boom_result;
  weft_status st;
  int32_t sum = 0;

  /* A broken module is an error value, not a crash. */
  memset(&err, 0, sizeof err);
  st = weft_module_load(engine, module_bytes, 20, &module, &err);
  printf("load of a truncated module: status %d, \"%s\"\n", (int)st,
         err.message);
  check(st == WEFT_ERR_MALFORMED && module == NULL,
        "truncated module is rejected as malformed");

  st = weft_module_load(engine, module_bytes, sizeof module_bytes, &module,
                        &err);
  check(st == WEFT_OK, "module loads (decode, validate, lower)");
  if (st != WEFT_OK) {
    printf("  error: %s\n", err.message);
    return 1;
  }

  st = weft_func_new_host(engine, log_params, 1, NULL, 0, log_i32, &state,
                          &log_fn, &err);
  check(st == WEFT_OK, "host function env.log_i32 created");
  if (st == WEFT_OK)
    st = weft_linker_new(engine, &linker, &err);
  if (st == WEFT_OK) {
    ext.kind = WEFT_EXTERN_FUNC;
    ext.of.func = log_fn;
    st = weft_linker_define(linker, "env", "log_i32", ext, &err);
  }
  if (st == WEFT_OK)
    st = weft_instantiate(linker, module, &instance, &err);
  check(st == WEFT_OK, "module instantiated through the linker");
  if (st != WEFT_OK) {
    printf("  error: %s\n", err.message);
    goto fail;
  }
  if (weft_instance_export(instance, "add", &add_ext) != WEFT_OK ||
      weft_instance_export(instance, "boom", &boom_ext) != WEFT_OK ||
      add_ext.kind != WEFT_EXTERN_FUNC || boom_ext.kind != WEFT_EXTERN_FUNC) {
    check(0, "exports add and boom found");
    goto fail;
  }
  check(1, "exports add and boom found");

  printf("call add(2, 40)\n");
  st = call_add(engine, add_ext.of.func, 2, 40, &sum, &err);
  printf("  -> status %d, result %d\n", (int)st, (int)sum);
  check(st == WEFT_OK && sum == 42, "add(2, 40) == 42");
  check(state.calls == 1 && state.last == 42, "host saw log_i32(42)");

  printf("call boom()\n");
  memset(&err, 0, sizeof err);
  st = weft_func_call(engine, boom_ext.of.func, NULL, 0, &boom_result, 1, &err);
  printf("  -> status %d, trap %d, \"%s\"\n", (int)st, (int)err.trap,
         err.message);
  check(st == WEFT_ERR_TRAP, "boom() returns WEFT_ERR_TRAP");
  check(err.status == WEFT_ERR_TRAP && err.trap == WEFT_TRAP_DIV_ZERO,
        "error record says integer divide by zero");
  check(strstr(err.message, "integer divide by zero") != NULL,
        "trap message is the spec's \"integer divide by zero\"");

  printf("call add(-5, 3) after the trap\n");
  st = call_add(engine, add_ext.of.func, -5, 3, &sum, &err);
  printf("  -> status %d, result %d\n", (int)st, (int)sum);
  check(st == WEFT_OK && sum == -2, "engine still usable: add(-5, 3) == -2");
  check(state.calls == 2 && state.last == -2, "host saw log_i32(-2)");

  weft_linker_free(linker);
  weft_module_free(module);
  return 0;
fail:
  if (linker != NULL)
    weft_linker_free(linker);
  weft_module_free(module);
  return 1;
}

int main(void) {
  weft_config config;
  weft_engine *engine = NULL;
  weft_error err;

  printf("weft %s embedding example\n", WEFT_VERSION);
  weft_config_default(&config);
  memset(&err, 0, sizeof err);
  if (weft_engine_new(&config, &engine, &err) != WEFT_OK) {
    printf("engine creation failed: %s\n", err.message);
    return 1;
  }
  run(engine);
  weft_engine_free(engine); /* frees the instance and host function too */
  printf("embed: %d checks passed, %d failed\n", checks_passed, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}
