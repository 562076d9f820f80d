/*
** test_native_stack.c — deep recursion on a small native stack traps
** "call stack exhausted" instead of faulting (issue P7, finding 13): the
** floor is the calling thread's real stack (ports/posix/stack_posix.c),
** asked at each call's entry, not a guess made for the main thread. Each
** case runs in a pthread with a 256 KiB stack and a call-depth limit far
** beyond what that stack holds, so only the native-stack check can stop
** it: AoT code (guard pages and explicit bounds checks) recursing, and the
** interpreter re-entered from a host function at every level.
*/
#include <pthread.h>

#include "aot_build.h"
#include "t.h"

/* (module
**   (import "env" "back" (func $back (param i32) (result i32)))
**   (func $rec (export "rec") (param i32) (result i32)
**     (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
**       (else (i32.add (i32.const 1)
**                      (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
**   (func $down (export "down") (param i32) (result i32)
**     (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
**       (else (i32.add (i32.const 1)
**                      (call $back (i32.sub (local.get 0) (i32.const 1))))))))
** env.back(n) calls down(n) again through weft_func_call. */
static const unsigned char module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01,
    0x60, 0x01, 0x7f, 0x01, 0x7f, 0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e,
    0x76, 0x04, 0x62, 0x61, 0x63, 0x6b, 0x00, 0x00, 0x03, 0x03, 0x02,
    0x00, 0x00, 0x07, 0x0e, 0x02, 0x03, 0x72, 0x65, 0x63, 0x00, 0x01,
    0x04, 0x64, 0x6f, 0x77, 0x6e, 0x00, 0x02, 0x0a, 0x2d, 0x02, 0x15,
    0x00, 0x20, 0x00, 0x45, 0x04, 0x7f, 0x41, 0x00, 0x05, 0x41, 0x01,
    0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x01, 0x6a, 0x0b, 0x0b, 0x15,
    0x00, 0x20, 0x00, 0x45, 0x04, 0x7f, 0x41, 0x00, 0x05, 0x41, 0x01,
    0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x00, 0x6a, 0x0b, 0x0b};

#define SMALL_STACK (256u << 10)
#define DEEP 100000000 /* far more levels than 256 KiB can hold */

enum mode { INTERP, AOT_GUARD, AOT_EXPLICIT };

struct job {
  enum mode mode;
  const char *export_name;
  int32_t arg;
  weft_status status; /* of the outer call */
  weft_trap trap;
  char message[256];
  int32_t result;
  int setup_ok;
};

struct world {
  weft_engine *engine;
  weft_func *down; /* for env.back */
};

/* env.back(n): down(n) again, so every level nests the engine natively. */
static weft_status back(weft_host_ctx *ctx, void *user, weft_slot *slots) {
  struct world *w = user;
  weft_val a = {WEFT_I32, {.i32 = slots[0].i32}}, r;
  weft_error err;
  if (weft_func_call(w->engine, w->down, &a, 1, &r, 1, &err) != WEFT_OK)
    return weft_host_trap(ctx, err.message);
  slots[0].i32 = r.of.i32;
  return WEFT_OK;
}

/* Everything from engine creation to the call runs on the small thread. */
static void run_job(struct job *j) {
  weft_config c;
  weft_config_default(&c);
  c.max_call_depth = DEEP;
  if (j->mode == AOT_EXPLICIT)
    c.guard_pages = 0;
  weft_engine *e = NULL;
  weft_module *mod = NULL;
  weft_linker *lk = NULL;
  weft_instance *inst = NULL;
  weft_func *host = NULL;
  void *so = NULL;
  weft_error err;
  struct world w = {0};
  static const weft_valtype i32[] = {WEFT_I32};
  if (weft_engine_new(&c, &e, &err) != WEFT_OK ||
      weft_module_load(e, module_bytes, sizeof module_bytes, &mod, &err) !=
          WEFT_OK ||
      (j->mode != INTERP &&
       !test_aot_compile(mod, j->mode == AOT_EXPLICIT, &so)) ||
      weft_func_new_host(e, i32, 1, i32, 1, back, &w, &host, &err) != WEFT_OK ||
      weft_linker_new(e, &lk, &err) != WEFT_OK ||
      weft_linker_define(lk, "env", "back",
                         (weft_extern){WEFT_EXTERN_FUNC, {.func = host}},
                         &err) != WEFT_OK ||
      weft_instantiate(lk, mod, &inst, &err) != WEFT_OK)
    goto done;
  weft_extern x;
  if (weft_instance_export(inst, "down", &x) != WEFT_OK)
    goto done;
  w.engine = e;
  w.down = x.of.func;
  if (weft_instance_export(inst, j->export_name, &x) != WEFT_OK)
    goto done;
  j->setup_ok = 1;
  weft_val a = {WEFT_I32, {.i32 = j->arg}}, r;
  j->status = weft_func_call(e, x.of.func, &a, 1, &r, 1, &err);
  j->trap = err.trap;
  snprintf(j->message, sizeof j->message, "%s", err.message);
  j->result = r.of.i32;
done:
  if (lk)
    weft_linker_free(lk);
  weft_module_free(mod);
  weft_engine_free(e);
  if (so)
    weft_aot_unload(so);
}

static void *thread_main(void *arg) {
  run_job(arg);
  return NULL;
}

static void run_on_small_stack(struct job *j) {
  pthread_attr_t attr;
  pthread_t t;
  pthread_attr_init(&attr);
  CHECK(pthread_attr_setstacksize(&attr, SMALL_STACK) == 0);
  CHECK(pthread_create(&t, &attr, thread_main, j) == 0);
  pthread_join(t, NULL);
  pthread_attr_destroy(&attr);
}

static void expect_exhausted(enum mode mode, const char *export_name) {
  struct job j = {mode, export_name, DEEP, WEFT_OK, WEFT_TRAP_NONE, "", 0, 0};
  run_on_small_stack(&j);
  CHECK(j.setup_ok);
  CHECK_EQ_INT(j.status, WEFT_ERR_TRAP);
  CHECK(strstr(j.message, "call stack exhausted") != NULL);
  if (!strstr(j.message, "call stack exhausted"))
    fprintf(stderr, "     mode %d %s: \"%s\"\n", (int)mode, export_name,
            j.message);
  /* A shallow call on the same small stack still works (10 levels: a
  ** host re-entry takes kilobytes of native stack under sanitizers). */
  struct job ok = {mode, export_name, 10, WEFT_OK, WEFT_TRAP_NONE, "", 0, 0};
  run_on_small_stack(&ok);
  CHECK_EQ_INT(ok.status, WEFT_OK);
  CHECK_EQ_INT(ok.result, 10);
}

static void test_aot_recursion_guard_pages(void) {
  expect_exhausted(AOT_GUARD, "rec");
}
static void test_aot_recursion_explicit_checks(void) {
  expect_exhausted(AOT_EXPLICIT, "rec");
}
static void test_interp_host_reentry(void) { expect_exhausted(INTERP, "down"); }
static void test_aot_host_reentry(void) { expect_exhausted(AOT_GUARD, "down"); }

/* The interpreter's own recursion needs no native stack: it stops at the
** call-depth limit whatever the thread's stack. */
static void test_interp_recursion(void) {
  struct job j = {INTERP, "rec", 1000000, WEFT_OK, WEFT_TRAP_NONE, "", 0, 0};
  run_on_small_stack(&j);
  CHECK(j.setup_ok);
  CHECK_EQ_INT(j.status, WEFT_ERR_TRAP);
  CHECK_EQ_INT(j.trap, WEFT_TRAP_STACK_EXHAUSTED);
}

int main(void) {
  T_RUN(test_aot_recursion_guard_pages);
  T_RUN(test_aot_recursion_explicit_checks);
  T_RUN(test_interp_host_reentry);
  T_RUN(test_aot_host_reentry);
  T_RUN(test_interp_recursion);
  return T_DONE();
}
