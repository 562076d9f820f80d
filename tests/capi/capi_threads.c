/*
** capi_threads.c — one wasm.h engine shared by THREADS threads: the module
** is compiled once in the main store and shared (wasm_module_share); each
** thread obtains it in its own store, makes INSTANCES instances, calls each
** twice (its own memory and global, a host callback), then deletes its
** store while the other threads still run. Checks every result; prints
** the instance count and the peak RSS, then "Done.". Run under TSan and
** ASan by tests/capi/run.sh (make test-tsan, make test-asan).
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "wasm.h"

#define THREADS 8
#define INSTANCES 125
#define N 100 /* work(N) = sum of i + 1 for i < N */

static wasm_engine_t *engine;
static wasm_shared_module_t *shared;

static wasm_trap_t *add_one(const wasm_val_vec_t *args,
                            wasm_val_vec_t *results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + 1;
  return NULL;
}

static int32_t call_i32(const wasm_func_t *f, wasm_val_t *arg) {
  wasm_val_t r = WASM_INIT_VAL;
  wasm_val_vec_t args = {arg ? 1 : 0, arg};
  wasm_val_vec_t results = {1, &r};
  wasm_trap_t *trap = wasm_func_call(f, &args, &results);
  if (trap) {
    wasm_trap_delete(trap);
    return -1;
  }
  return r.kind == WASM_I32 ? r.of.i32 : -1;
}

/* One thread: its store, INSTANCES instances; the number of failures. */
static void *run(void *arg) {
  (void)arg;
  uintptr_t failures = 0;
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = store ? wasm_module_obtain(store, shared) : NULL;
  wasm_functype_t *type =
      wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *host = store ? wasm_func_new(store, type, add_one) : NULL;
  wasm_functype_delete(type);
  if (!module || !host)
    return (void *)(uintptr_t)INSTANCES;
  wasm_extern_t *imports_data[] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
  for (int i = 0; i < INSTANCES; i++) {
    wasm_trap_t *trap = NULL;
    wasm_instance_t *inst = wasm_instance_new(store, module, &imports, &trap);
    if (!inst) {
      if (trap)
        wasm_trap_delete(trap);
      failures++;
      continue;
    }
    wasm_extern_vec_t exports;
    wasm_instance_exports(inst, &exports);
    const wasm_func_t *work =
        exports.size == 2 ? wasm_extern_as_func(exports.data[0]) : NULL;
    const wasm_func_t *calls =
        exports.size == 2 ? wasm_extern_as_func(exports.data[1]) : NULL;
    wasm_val_t n = WASM_I32_VAL(N);
    if (!work || !calls || call_i32(work, &n) != N * (N + 1) / 2 ||
        call_i32(work, &n) != N * (N + 1) / 2 || call_i32(calls, NULL) != 2)
      failures++;
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(inst);
  }
  wasm_module_delete(module);
  wasm_store_delete(store);
  return (void *)failures;
}

int main(void) {
  FILE *f = fopen("capi_threads.wasm", "rb");
  if (!f) {
    printf("FAIL: capi_threads.wasm\n");
    return 1;
  }
  wasm_byte_vec_t binary;
  fseek(f, 0, SEEK_END);
  wasm_byte_vec_new_uninitialized(&binary, (size_t)ftell(f));
  fseek(f, 0, SEEK_SET);
  size_t got = fread(binary.data, 1, binary.size, f);
  fclose(f);
  engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module =
      got == binary.size ? wasm_module_new(store, &binary) : NULL;
  wasm_byte_vec_delete(&binary);
  if (!module) {
    printf("FAIL: module\n");
    return 1;
  }
  shared = wasm_module_share(module);
  wasm_module_delete(module);
  wasm_store_delete(store); /* the shared module outlives its store */

  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++)
    if (pthread_create(&t[i], NULL, run, NULL) != 0) {
      printf("FAIL: pthread_create\n");
      return 1;
    }
  uintptr_t failures = 0;
  for (int i = 0; i < THREADS; i++) {
    void *r;
    pthread_join(t[i], &r);
    failures += (uintptr_t)r;
  }
  wasm_shared_module_delete(shared);
  wasm_engine_delete(engine);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("%d instances on %d threads, %lu failed, peak RSS %ld KiB\n",
         THREADS * INSTANCES, THREADS, (unsigned long)failures, ru.ru_maxrss);
  if (failures)
    return 1;
  printf("Done.\n");
  return 0;
}
