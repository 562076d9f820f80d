/*
** capi_wasi.c — weft_wasm_wasi.h, WASI for wasm.h programs: a module
** importing only WASI is instantiated with NULL imports, writes a line to
** stdout and calls proc_exit(3), which comes back as a trap whose exit code
** weft_wasm_trap_exit_code reads. Also: a second WASI state in one store
** and another store's WASI state are refused; the WASI state is freed with
** its store (ASan checks that nothing leaks). Prints "Done." when every
** check held; exits 1 at the first that fails.
*/
#include <stdio.h>
#include <stdlib.h>

#include "wasm.h"
#include "weft_wasm_wasi.h"

#define CHECK(c)                                                               \
  do {                                                                         \
    if (!(c)) {                                                                \
      printf("FAIL line %d: %s\n", __LINE__, #c);                              \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static void load(const char *path, wasm_byte_vec_t *out) {
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)n);
  CHECK(fread(out->data, 1, (size_t)n, f) == (size_t)n);
  fclose(f);
}

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_store_t *other = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  load("capi_wasi.wasm", &binary);
  wasm_module_t *module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  CHECK(module != NULL);

  weft_wasi_config config;
  weft_wasi_config_default(&config);
  const char *argv[] = {"capi_wasi"};
  config.argv = argv;
  config.argc = 1;
  wasm_message_t why;
  weft_wasm_wasi_t *wasi = weft_wasm_wasi_new(store, &config, &why);
  CHECK(wasi != NULL && why.size == 0);
  wasm_byte_vec_delete(&why);
  /* One WASI state per store. */
  CHECK(weft_wasm_wasi_new(store, NULL, &why) == NULL && why.size > 0);
  wasm_byte_vec_delete(&why);
  /* A config without its size is refused with a reason. */
  weft_wasi_config bad = config;
  bad.size = 0;
  CHECK(weft_wasm_wasi_new(other, &bad, &why) == NULL && why.size > 0);
  wasm_byte_vec_delete(&why);

  /* Another store's WASI state is refused. */
  wasm_trap_t *trap = NULL;
  CHECK(weft_wasm_instance_new_wasi(other, module, wasi, NULL, &trap) == NULL);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);

  wasm_instance_t *instance =
      weft_wasm_instance_new_wasi(store, module, wasi, NULL, &trap);
  CHECK(instance != NULL && trap == NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  CHECK(exports.size == 2);
  wasm_func_t *start = wasm_extern_as_func(exports.data[1]);
  CHECK(start != NULL);
  fflush(stdout);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  trap = wasm_func_call(start, &none, &results);
  int32_t code = -1;
  CHECK(trap != NULL && weft_wasm_trap_exit_code(trap, &code) && code == 3);
  printf("exit code %d\n", (int)code);
  wasm_trap_delete(trap);
  /* An ordinary trap is not an exit. */
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "not an exit");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  CHECK(!weft_wasm_trap_exit_code(trap, &code));
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_module_delete(module);
  wasm_store_delete(other);
  wasm_store_delete(store); /* frees the WASI state */
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
