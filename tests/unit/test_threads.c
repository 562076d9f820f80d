/*
** test_threads.c — the library keeps no global state: two engines, each
** with its own allocator, run Wasm at the same time in two threads, get
** the same answers as one engine alone, and free every byte they took.
*/
#include <pthread.h>
#include <stdlib.h>

#include "t.h"
#include "weft.h"

/* (module (memory 1)
**   (func $fib (export "fib") (param i32) (result i32)  ;; recursive
**     local.get 0 i32.const 2 i32.lt_u
**     if (result i32) local.get 0
**     else local.get 0 i32.const 1 i32.sub call $fib
**          local.get 0 i32.const 2 i32.sub call $fib i32.add end)
**   (func (export "fill") (param i32) (result i32) (local i32 i32)
**     ;; mem[i] = i * x for each word of the page; returns the sum
**     loop
**       local.get 1 local.get 1 local.get 0 i32.mul i32.store
**       local.get 2 local.get 1 i32.load i32.add local.set 2
**       local.get 1 i32.const 4 i32.add local.tee 1
**       i32.const 65536 i32.lt_u br_if 0
**     end
**     local.get 2)) */
static const unsigned char module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x03, 0x03, 0x02, 0x00, 0x00, 0x05, 0x03, 0x01,
    0x00, 0x01, 0x07, 0x0e, 0x02, 0x03, 0x66, 0x69, 0x62, 0x00, 0x00, 0x04,
    0x66, 0x69, 0x6c, 0x6c, 0x00, 0x01, 0x0a, 0x4a, 0x02, 0x1c, 0x00, 0x20,
    0x00, 0x41, 0x02, 0x49, 0x04, 0x7f, 0x20, 0x00, 0x05, 0x20, 0x00, 0x41,
    0x01, 0x6b, 0x10, 0x00, 0x20, 0x00, 0x41, 0x02, 0x6b, 0x10, 0x00, 0x6a,
    0x0b, 0x0b, 0x2b, 0x01, 0x02, 0x7f, 0x03, 0x40, 0x20, 0x01, 0x20, 0x01,
    0x20, 0x00, 0x6c, 0x36, 0x02, 0x00, 0x20, 0x02, 0x20, 0x01, 0x28, 0x02,
    0x00, 0x6a, 0x21, 0x02, 0x20, 0x01, 0x41, 0x04, 0x6a, 0x22, 0x01, 0x41,
    0x80, 0x80, 0x04, 0x49, 0x0d, 0x00, 0x0b, 0x20, 0x02, 0x0b};

/* Expected values, computed independently (Node's WebAssembly). */
#define FIB20 6765u
#define FILL3 1610514432u
#define FILL7 3757867008u

struct counting_alloc {
  long long live; /* bytes currently allocated */
  long long calls;
};

static void *counting_realloc(void *user, void *ptr, size_t old_size,
                              size_t new_size) {
  struct counting_alloc *c = user;
  c->calls++;
  if (new_size == 0) {
    free(ptr);
    c->live -= (long long)old_size;
    return NULL;
  }
  void *p = realloc(ptr, new_size);
  if (p)
    c->live += (long long)new_size - (long long)old_size;
  return p;
}

struct job {
  struct counting_alloc alloc;
  int rounds;
  int ok_calls;  /* calls that returned the expected value */
  int bad_calls; /* anything else */
  int setup_ok;
};

static int call_i32(weft_engine *e, weft_func *f, int32_t arg, uint32_t *out) {
  weft_val a = {WEFT_I32, {.i32 = arg}}, r;
  weft_error err;
  if (weft_func_call(e, f, &a, 1, &r, 1, &err) != WEFT_OK)
    return 0;
  *out = r.of.u32;
  return 1;
}

static void *worker(void *arg) {
  struct job *j = arg;
  weft_config cfg;
  weft_config_default(&cfg);
  cfg.alloc = counting_realloc;
  cfg.alloc_user = &j->alloc;
  weft_engine *e = NULL;
  weft_module *m = NULL;
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_error err;
  weft_extern fib, fill;
  if (weft_engine_new(&cfg, &e, &err) == WEFT_OK &&
      weft_module_load(e, module_bytes, sizeof module_bytes, &m, &err) ==
          WEFT_OK &&
      weft_linker_new(e, &l, &err) == WEFT_OK &&
      weft_instantiate(l, m, &inst, &err) == WEFT_OK &&
      weft_instance_export(inst, "fib", &fib) == WEFT_OK &&
      weft_instance_export(inst, "fill", &fill) == WEFT_OK) {
    j->setup_ok = 1;
    for (int i = 0; i < j->rounds; i++) {
      uint32_t v;
      int ok = call_i32(e, fib.of.func, 20, &v) && v == FIB20;
      ok = ok && call_i32(e, fill.of.func, 3, &v) && v == FILL3;
      ok = ok && call_i32(e, fill.of.func, 7, &v) && v == FILL7;
      if (ok)
        j->ok_calls++;
      else
        j->bad_calls++;
    }
  }
  weft_linker_free(l);
  weft_module_free(m);
  weft_engine_free(e);
  return NULL;
}

static void test_two_engines_two_threads(void) {
  struct job jobs[2];
  pthread_t th[2];
  for (int i = 0; i < 2; i++) {
    memset(&jobs[i], 0, sizeof jobs[i]);
    jobs[i].rounds = 40;
  }
  for (int i = 0; i < 2; i++)
    CHECK(pthread_create(&th[i], NULL, worker, &jobs[i]) == 0);
  for (int i = 0; i < 2; i++)
    CHECK(pthread_join(th[i], NULL) == 0);
  for (int i = 0; i < 2; i++) {
    CHECK(jobs[i].setup_ok);
    CHECK_EQ_INT(jobs[i].ok_calls, 40);
    CHECK_EQ_INT(jobs[i].bad_calls, 0);
    CHECK(jobs[i].alloc.calls > 0);      /* the engine used our allocator */
    CHECK_EQ_INT(jobs[i].alloc.live, 0); /* and gave every byte back */
  }
}

int main(void) {
  T_RUN(test_two_engines_two_threads);
  return T_DONE();
}
