/*
** test_config_stack.c — the native-stack margin and the guard-page
** reservation come from weft_config (P11): a reservation below
** 8 GiB + 64 KiB is refused, a larger one is used; a margin larger than
** the thread's whole stack makes every call trap "call stack exhausted"
** (an error), and the default margin lets the same call run.
*/
#include "t.h"
#include "weft.h"

/* (module (memory 1) (func (export "f") (result i32)
**   (i32.store (i32.const 8) (i32.const 42)) (i32.load (i32.const 8)))) */
static const unsigned char bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05,
    0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x05,
    0x03, 0x01, 0x00, 0x01, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00,
    0x00, 0x0a, 0x10, 0x01, 0x0e, 0x00, 0x41, 0x08, 0x41, 0x2a,
    0x36, 0x02, 0x00, 0x41, 0x08, 0x28, 0x02, 0x00, 0x0b};

/* f's status under `c`; its result in *out. */
static weft_status run_f(const weft_config *c, int32_t *out) {
  weft_engine *e;
  weft_module *m;
  weft_instance *inst;
  weft_extern f;
  weft_val r;
  weft_error err;
  weft_status s = weft_engine_new(c, &e, &err);
  if (s != WEFT_OK)
    return s;
  s = weft_module_load(e, bytes, sizeof bytes, &m, &err);
  if (s == WEFT_OK)
    s = weft_instantiate(NULL, m, &inst, &err);
  if (s == WEFT_OK)
    s = weft_instance_export(inst, "f", &f);
  if (s == WEFT_OK)
    s = weft_func_call(e, f.of.func, NULL, 0, &r, 1, &err);
  if (s == WEFT_OK)
    *out = r.of.i32;
  if (s == WEFT_ERR_TRAP)
    CHECK(err.trap == WEFT_TRAP_STACK_EXHAUSTED);
  weft_module_free(m);
  weft_engine_free(e);
  return s;
}

static void test_guard_reserve(void) {
  weft_config c;
  weft_engine *e = NULL;
  weft_error err;
  int32_t v = 0;
  weft_config_default(&c);
  CHECK(c.guard_reserve_bytes == ((uint64_t)8 << 30) + 65536);
  c.guard_reserve_bytes = (uint64_t)4 << 30;
  CHECK(weft_engine_new(&c, &e, &err) == WEFT_ERR_ARG);
  CHECK(e == NULL);
  CHECK(strstr(err.message, "guard_reserve_bytes") != NULL);
  c.guard_reserve_bytes = (uint64_t)9 << 30;
  CHECK(run_f(&c, &v) == WEFT_OK);
  CHECK_EQ_INT(v, 42);
}

static void test_native_margin(void) {
  weft_config c;
  int32_t v = 0;
  weft_config_default(&c);
  CHECK_EQ_INT(c.native_stack_margin, 64 << 10);
  CHECK_EQ_INT(c.native_stack_default, 4 << 20);
  CHECK(run_f(&c, &v) == WEFT_OK);
  CHECK_EQ_INT(v, 42);
  c.native_stack_margin = UINT32_MAX; /* more than any thread's stack */
  CHECK(run_f(&c, &v) == WEFT_ERR_TRAP);
}

int main(void) {
  T_RUN(test_guard_reserve);
  T_RUN(test_native_margin);
  return T_DONE();
}
