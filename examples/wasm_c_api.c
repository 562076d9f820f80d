/*
** wasm_c_api.c — embedding weft through the standard WebAssembly C API
** (wasm.h, libweft-wasm) instead of weft.h: compile a module, give it a
** host function with an environment, call an export, read its memory and
** catch a trap. Exits 0 only if every check holds; the wasm.h tier of
** `make test` builds and runs it (docs/c-api.md).
**
**   cc -I../shared/wasm-c-api/include examples/wasm_c_api.c \
**      -Lbuild -lweft-wasm -lweft -lm -o build/wasm_c_api
*/
#include <stdio.h>
#include <string.h>

#include "wasm.h"

/* The module, as the text format would say it:
**
**   (module
**     (import "env" "log" (func $log (param i32)))
**     (memory (export "memory") 1)
**     (func (export "add") (param i32 i32) (result i32)
**       (local.get 0) (local.get 1) (i32.add)
**       (call $log (local.tee 0))
**       (i32.store (i32.const 16) (local.get 0))
**       (local.get 0))
**     (func (export "boom") (result i32)
**       (i32.div_s (i32.const 1) (i32.const 0))))
*/
/* clang-format off */
static const char module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x03, 0x60,
    0x01, 0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01,
    0x7f, 0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6c, 0x6f, 0x67,
    0x00, 0x00, 0x03, 0x03, 0x02, 0x01, 0x02, 0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, 0x17, 0x03, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
    0x03, 0x61, 0x64, 0x64, 0x00, 0x01, 0x04, 0x62, 0x6f, 0x6f, 0x6d, 0x00,
    0x02, 0x0a, 0x1e, 0x02, 0x14, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x22,
    0x00, 0x10, 0x00, 0x41, 0x10, 0x20, 0x00, 0x36, 0x02, 0x00, 0x20, 0x00,
    0x0b, 0x07, 0x00, 0x41, 0x01, 0x41, 0x00, 0x6d, 0x0b};
/* clang-format on */

static int failures;

static void check(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  failures += !ok;
}

/* env.log: counts its calls in the environment and prints the value. */
static wasm_trap_t *log_i32(void *env, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results) {
  (void)results;
  ++*(int *)env;
  printf("log: %d\n", args->data[0].of.i32);
  return NULL;
}

/* Calls add(2, 40) and boom() and looks at memory; the exports are
** memory, add, boom in the module's order. */
static void use(const wasm_extern_vec_t *exports, int calls_before,
                const int *calls) {
  wasm_memory_t *memory = wasm_extern_as_memory(exports->data[0]);
  const wasm_func_t *add = wasm_extern_as_func(exports->data[1]);
  const wasm_func_t *boom = wasm_extern_as_func(exports->data[2]);
  wasm_val_t as[2] = {WASM_I32_VAL(2), WASM_I32_VAL(40)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as), results = WASM_ARRAY_VEC(rs);
  check(wasm_func_call(add, &args, &results) == NULL, "add(2, 40) returns");
  check(rs[0].kind == WASM_I32 && rs[0].of.i32 == 42, "add(2, 40) == 42");
  check(*calls == calls_before + 1, "the host function ran once");
  int32_t stored;
  memcpy(&stored, wasm_memory_data(memory) + 16, sizeof stored);
  check(stored == 42, "memory[16] holds the sum (little-endian host)");

  wasm_val_vec_t none = WASM_EMPTY_VEC, one = WASM_ARRAY_VEC(rs);
  wasm_trap_t *trap = wasm_func_call(boom, &none, &one);
  check(trap != NULL, "boom() traps");
  if (trap) {
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    printf("trap: %s\n", msg.data);
    check(strstr(msg.data, "divide by zero") != NULL, "the trap says why");
    wasm_frame_t *origin = wasm_trap_origin(trap);
    check(origin && wasm_frame_func_index(origin) == 2, "origin: func 2");
    if (origin)
      wasm_frame_delete(origin);
    wasm_byte_vec_delete(&msg);
    wasm_trap_delete(trap);
  }
}

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  wasm_byte_vec_new(&binary, sizeof module_bytes, module_bytes);
  wasm_module_t *module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  check(module != NULL, "module compiles");
  if (!module)
    return 1;

  int calls = 0;
  wasm_functype_t *log_type = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_func_t *log_func =
      wasm_func_new_with_env(store, log_type, log_i32, &calls, NULL);
  wasm_functype_delete(log_type);
  wasm_extern_t *imports_data[] = {wasm_func_as_extern(log_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
  wasm_trap_t *trap = NULL;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
  check(instance != NULL && trap == NULL, "module instantiates");
  if (instance) {
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    check(exports.size == 3, "three exports");
    if (exports.size == 3)
      use(&exports, calls, &calls);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
  }
  wasm_func_delete(log_func);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("%s\n", failures ? "FAILED" : "Done.");
  return failures != 0;
}
