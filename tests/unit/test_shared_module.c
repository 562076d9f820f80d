/*
** test_shared_module.c — one module loaded once, instantiated 1,000 times
** across 8 threads (P11): the module is loaded in an engine that is then
** freed (a module belongs to no engine), each thread has its own engine
** and instantiates the same weft_module 125 times, calling each instance
** (its own memory and global) and checking the answers. Also: an engine
** with another fuel setting is refused with an error, imports from
** another engine are refused, and a WASI function called after
** weft_wasi_free fails instead of crashing. The same 1,000 instances of
** the module loaded precompiled (no compiled code attached): the threads
** meet at a barrier and then race to lower its function on their first
** calls (wf_module_lower), and one body is kept. Run in tier 1 (and under ASan
** there) and under TSan by make test-tsan; prints the peak RSS.
*/
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "t.h"
#include "weft.h"
#include "weft_wasi.h"

#define THREADS 8
#define INSTANCES 125

/* (module
**   (memory 1)
**   (global $n (mut i32) (i32.const 0))
**   (func (export "bump") (param i32) (result i32)
**     ;; mem[0] += x; $n += 1; returns mem[0] * 1000 + $n
**     (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get
*0)))
**     (global.set $n (i32.add (global.get $n) (i32.const 1)))
**     (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 1000))
**              (global.get $n)))) */
static const unsigned char module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00,
    0x01, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x08, 0x01,
    0x04, 0x62, 0x75, 0x6d, 0x70, 0x00, 0x00, 0x0a, 0x24, 0x01, 0x22, 0x00,
    0x41, 0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x20, 0x00, 0x6a, 0x36, 0x02,
    0x00, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x41, 0x00, 0x28, 0x02,
    0x00, 0x41, 0xe8, 0x07, 0x6c, 0x23, 0x00, 0x6a, 0x0b};

static weft_module *shared;
static pthread_barrier_t start; /* the first calls at once */

/* The worker engines' configuration. WEFT_TEST_GUARD_PAGES=0 (set by
** scripts/test_cross.sh) turns guard pages off: qemu-user 7.2 keeps a
** page descriptor for every page of reserved address space, so 1,000
** memories of 8 GiB each would cost it ~24 GB of RAM; the sharing under
** test does not depend on the bounds mode. */
static weft_config worker_config;

static void init_worker_config(void) {
  const char *g = getenv("WEFT_TEST_GUARD_PAGES");
  weft_config_default(&worker_config);
  if (g && *g == '0')
    worker_config.guard_pages = 0;
}

static int bump(weft_engine *e, weft_func *f, int32_t x, int32_t *out) {
  weft_val a = {WEFT_I32, {.i32 = x}}, r;
  weft_error err;
  if (weft_func_call(e, f, &a, 1, &r, 1, &err) != WEFT_OK)
    return 0;
  *out = r.of.i32;
  return 1;
}

/* One thread: its own engine, INSTANCES instances of the shared module;
** returns the number of failures. */
static void *worker(void *arg) {
  uintptr_t failures = 0;
  int id = (int)(uintptr_t)arg;
  weft_engine *e = NULL;
  weft_linker *l = NULL;
  weft_error err;
  weft_module *m = weft_module_ref(shared); /* this thread's reference */
  if (weft_engine_new(&worker_config, &e, &err) != WEFT_OK ||
      weft_linker_new(e, &l, &err) != WEFT_OK)
    failures = INSTANCES;
  pthread_barrier_wait(&start);
  for (int i = 0; !failures && i < INSTANCES; i++) {
    weft_instance *inst;
    weft_extern f;
    int32_t v1, v2;
    if (weft_instantiate(l, m, &inst, &err) != WEFT_OK ||
        weft_instance_export(inst, "bump", &f) != WEFT_OK ||
        !bump(e, f.of.func, id + i, &v1) || !bump(e, f.of.func, 1, &v2) ||
        v1 != (id + i) * 1000 + 1 || v2 != (id + i + 1) * 1000 + 2)
      failures++;
  }
  weft_linker_free(l);
  weft_engine_free(e); /* its instances drop their references */
  weft_module_free(m);
  return (void *)failures;
}

/* The module's lowered bytes: eagerly lowered, or precompiled and then
** lowered on first call by 8 threads at once, the same. */
static uint64_t run_threads(int precompiled) {
  weft_engine *loader;
  weft_module_stats st;
  weft_error err;
  CHECK(weft_engine_new(NULL, &loader, &err) == WEFT_OK);
  CHECK((precompiled ? weft_module_load_precompiled : weft_module_load)(
            loader, module_bytes, sizeof module_bytes, &shared, &err) ==
        WEFT_OK);
  weft_engine_free(loader); /* the module outlives the engine that loaded it */
  CHECK(pthread_barrier_init(&start, NULL, THREADS) == 0);
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++)
    CHECK(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i) == 0);
  uintptr_t failures = 0;
  for (int i = 0; i < THREADS; i++) {
    void *r = NULL;
    CHECK(pthread_join(th[i], &r) == 0);
    failures += (uintptr_t)r;
  }
  pthread_barrier_destroy(&start);
  CHECK_EQ_INT(failures, 0);
  weft_module_stats_get(shared, &st);
  weft_module_free(shared);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("%d instances of one module%s on %d threads (guard pages %s), %lu "
         "failed, peak RSS %ld KiB\n",
         THREADS * INSTANCES, precompiled ? " (lowered on first call)" : "",
         THREADS, worker_config.guard_pages ? "on" : "off",
         (unsigned long)failures, ru.ru_maxrss);
  return st.lowered_bytes;
}

static void test_one_module_many_threads(void) {
  uint64_t eager = run_threads(0), lazy = run_threads(1);
  CHECK(eager > 0);
  CHECK(lazy == eager);
}

/* An engine that meters fuel cannot run code lowered without FUEL ops. */
static void test_other_fuel_setting_refused(void) {
  weft_engine *a, *b;
  weft_module *m;
  weft_linker *l;
  weft_instance *inst = NULL;
  weft_error err;
  weft_config c;
  weft_config_default(&c);
  c.fuel_metering = 1;
  CHECK(weft_engine_new(NULL, &a, &err) == WEFT_OK);
  CHECK(weft_engine_new(&c, &b, &err) == WEFT_OK);
  CHECK(weft_module_load(a, module_bytes, sizeof module_bytes, &m, &err) ==
        WEFT_OK);
  CHECK(weft_module_check_engine(m, a, &err) == WEFT_OK);
  CHECK(weft_module_check_engine(m, b, &err) == WEFT_ERR_ARG);
  CHECK(weft_linker_new(b, &l, &err) == WEFT_OK);
  CHECK(weft_instantiate(l, m, &inst, &err) == WEFT_ERR_ARG);
  CHECK(inst == NULL);
  CHECK(strstr(err.message, "fuel") != NULL);
  weft_linker_free(l);
  weft_module_free(m);
  weft_engine_free(b);
  weft_engine_free(a);
}

/* (module
**   (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
**   (func (export "y") (result i32) (call $y))) */
static const unsigned char wasi_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01,
    0x60, 0x00, 0x01, 0x7f, 0x02, 0x26, 0x01, 0x16, 0x77, 0x61, 0x73,
    0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f,
    0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0b, 0x73, 0x63,
    0x68, 0x65, 0x64, 0x5f, 0x79, 0x69, 0x65, 0x6c, 0x64, 0x00, 0x00,
    0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x79, 0x00, 0x01,
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x10, 0x00, 0x0b};

/* WASI's functions belong to the weft_wasi's engine; one called after
** weft_wasi_free is an error, not a crash. */
static void test_wasi_lifetime(void) {
  weft_engine *e, *other;
  weft_module *m;
  weft_linker *l, *lo;
  weft_wasi *w;
  weft_instance *inst = NULL, *inst2 = NULL;
  weft_extern y;
  weft_val r;
  weft_error err;
  CHECK(weft_engine_new(NULL, &e, &err) == WEFT_OK);
  CHECK(weft_engine_new(NULL, &other, &err) == WEFT_OK);
  CHECK(weft_module_load(e, wasi_bytes, sizeof wasi_bytes, &m, &err) ==
        WEFT_OK);
  CHECK(weft_wasi_new(e, NULL, &w, &err) == WEFT_OK);
  CHECK(weft_linker_new(e, &l, &err) == WEFT_OK);
  CHECK(weft_wasi_define(w, l, &err) == WEFT_OK);
  CHECK(weft_instantiate(l, m, &inst, &err) == WEFT_OK);
  CHECK(weft_instance_export(inst, "y", &y) == WEFT_OK);
  CHECK(weft_func_call(e, y.of.func, NULL, 0, &r, 1, &err) == WEFT_OK);
  CHECK_EQ_INT(r.of.i32, 0);
  /* A linker of another engine may not take this weft_wasi's functions
  ** into an instance: refused at instantiation. */
  CHECK(weft_linker_new(other, &lo, &err) == WEFT_OK);
  CHECK(weft_wasi_define(w, lo, &err) == WEFT_OK);
  CHECK(weft_instantiate(lo, m, &inst2, &err) == WEFT_ERR_LINK);
  CHECK(inst2 == NULL);
  CHECK(strstr(err.message, "another engine") != NULL);
  weft_wasi_free(w);
  CHECK(weft_func_call(e, y.of.func, NULL, 0, &r, 1, &err) == WEFT_ERR_ARG);
  CHECK(strstr(err.message, "weft_wasi_free") != NULL);
  weft_linker_free(lo);
  weft_linker_free(l);
  weft_module_free(m);
  weft_engine_free(other);
  weft_engine_free(e);
}

int main(void) {
  init_worker_config();
  T_RUN(test_other_fuel_setting_refused);
  T_RUN(test_wasi_lifetime);
  T_RUN(test_one_module_many_threads);
  return T_DONE();
}
