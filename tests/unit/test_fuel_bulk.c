/*
** test_fuel_bulk.c — bulk operations pay for their length (issue P7,
** finding 12; rates in weft_aot.h): memory.fill one fuel per 64 bytes,
** table.fill one per 8 elements, memory.grow 1024 per page added, rounded
** up and on top of the instructions' own cost; a grow that must fail costs
** nothing extra. The charge comes before the work: an operation that cannot
** be paid, or that the fuel hook interrupts, traps with memory unchanged;
** the hook is asked as often as a long operation needs, and between the
** 16 MiB pieces of a longer one, where it may stop it. The same in the
** interpreter and in compiled code (guard pages, explicit bounds checks).
*/
#include "aot_build.h"
#include "t.h"

/* (module (memory 4) (table $t 100 funcref) (func $f) (elem declare func $f)
**   (func (export "fill") (param i32)
**     (memory.fill (i32.const 0) (i32.const 0xab) (local.get 0)))
**   (func (export "byte0") (result i32) (i32.load8_u (i32.const 0)))
**   (func (export "table_fill") (param i32)
**     (table.fill $t (i32.const 0) (ref.func $f) (local.get 0)))
**   (func (export "grow") (param i32) (result i32)
**     (memory.grow (local.get 0)))) */
static const unsigned char module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x11, 0x04, 0x60,
    0x00, 0x00, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01,
    0x7f, 0x01, 0x7f, 0x03, 0x06, 0x05, 0x00, 0x01, 0x02, 0x01, 0x03, 0x04,
    0x04, 0x01, 0x70, 0x00, 0x64, 0x05, 0x03, 0x01, 0x00, 0x04, 0x07, 0x24,
    0x04, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x01, 0x05, 0x62, 0x79, 0x74,
    0x65, 0x30, 0x00, 0x02, 0x0a, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x5f, 0x66,
    0x69, 0x6c, 0x6c, 0x00, 0x03, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x04,
    0x09, 0x05, 0x01, 0x03, 0x00, 0x01, 0x00, 0x0a, 0x2c, 0x05, 0x02, 0x00,
    0x0b, 0x0c, 0x00, 0x41, 0x00, 0x41, 0xab, 0x01, 0x20, 0x00, 0xfc, 0x0b,
    0x00, 0x0b, 0x07, 0x00, 0x41, 0x00, 0x2d, 0x00, 0x00, 0x0b, 0x0b, 0x00,
    0x41, 0x00, 0xd2, 0x00, 0x20, 0x00, 0xfc, 0x11, 0x00, 0x0b, 0x06, 0x00,
    0x20, 0x00, 0x40, 0x00, 0x0b};

#define MEMORY_BYTES (4u << 16)
#define PLENTY ((uint64_t)1 << 40)

enum mode { INTERP, AOT_GUARD, AOT_EXPLICIT };
static const char *const mode_names[] = {"interpreter", "AoT guard pages",
                                         "AoT explicit checks"};

struct run {
  weft_engine *e;
  weft_instance *inst;
  void *so;
  weft_error err;
};

static int start(struct run *r, enum mode mode) {
  weft_config c;
  weft_module *m = NULL;
  weft_linker *l = NULL;
  memset(r, 0, sizeof *r);
  weft_config_default(&c);
  c.fuel_metering = 1;
  c.guard_pages = mode != AOT_EXPLICIT;
  int ok =
      weft_engine_new(&c, &r->e, &r->err) == WEFT_OK &&
      weft_module_load(r->e, module_bytes, sizeof module_bytes, &m, &r->err) ==
          WEFT_OK &&
      (mode == INTERP || test_aot_compile(m, mode == AOT_EXPLICIT, &r->so)) &&
      weft_linker_new(r->e, &l, &r->err) == WEFT_OK &&
      weft_instantiate(l, m, &r->inst, &r->err) == WEFT_OK;
  weft_linker_free(l);
  weft_module_free(m);
  return ok;
}

static void stop(struct run *r) {
  weft_engine_free(r->e);
  if (r->so)
    weft_aot_unload(r->so);
}

/* Call export `name` with one i32 (or none when arg < 0); the status. */
static weft_status call(struct run *r, const char *name, int64_t arg,
                        int32_t *out) {
  weft_extern x;
  weft_val a = {WEFT_I32, {.i32 = (int32_t)arg}}, res[1];
  memset(res, 0, sizeof res);
  if (weft_instance_export(r->inst, name, &x) != WEFT_OK)
    return WEFT_ERR_ARG;
  const weft_valtype *p, *q;
  uint32_t np, nr;
  weft_func_type(x.of.func, &p, &np, &q, &nr);
  weft_status s =
      weft_func_call(r->e, x.of.func, &a, arg < 0 ? 0 : 1, res, nr, &r->err);
  if (out)
    *out = res[0].of.i32;
  return s;
}

/* Fuel a successful call uses, given plenty. */
static uint64_t cost(struct run *r, const char *name, int64_t arg) {
  weft_engine_set_fuel(r->e, PLENTY);
  int32_t v;
  if (call(r, name, arg, &v) != WEFT_OK)
    return UINT64_MAX;
  return PLENTY - weft_engine_fuel(r->e);
}

static int32_t byte0(struct run *r) {
  int32_t v = -1;
  weft_engine_set_fuel(r->e, PLENTY);
  call(r, "byte0", -1, &v);
  return v;
}

struct slices {
  uint64_t slice;   /* fuel per call */
  unsigned calls;   /* hook calls so far */
  unsigned stop_at; /* interrupt on this call (0: never) */
};

static weft_trap hand_out(void *user, weft_engine *e) {
  struct slices *s = user;
  if (++s->calls == s->stop_at)
    return WEFT_TRAP_INTERRUPTED;
  weft_engine_set_fuel(e, weft_engine_fuel(e) + s->slice);
  return WEFT_TRAP_NONE;
}

static void check_mode(enum mode mode) {
  struct run r;
  fprintf(stderr, "-- %s\n", mode_names[mode]);
  if (!start(&r, mode)) {
    CHECK(!"instantiate");
    fprintf(stderr, "     %s\n", r.err.message);
    stop(&r);
    return;
  }
  /* The hook interrupts a fill it has not yet given enough for: trap,
  ** memory untouched. */
  struct slices s = {1000, 0, 3};
  weft_engine_set_fuel(r.e, 0);
  weft_engine_set_fuel_hook(r.e, hand_out, &s);
  CHECK_EQ_INT(call(&r, "fill", MEMORY_BYTES, NULL), WEFT_ERR_TRAP);
  CHECK_EQ_INT(r.err.trap, WEFT_TRAP_INTERRUPTED);
  CHECK_EQ_INT(s.calls, 3);
  weft_engine_set_fuel_hook(r.e, NULL, NULL);
  CHECK_EQ_INT(byte0(&r), 0);

  /* Cost in proportion to the length, rounded up. */
  uint64_t base = cost(&r, "fill", 0);
  CHECK(base > 0 && base < 100);
  CHECK_EQ_INT(cost(&r, "fill", 64) - base, 1);
  CHECK_EQ_INT(cost(&r, "fill", 65) - base, 2);
  CHECK_EQ_INT(cost(&r, "fill", 1) - base, 1);
  CHECK_EQ_INT(byte0(&r), 0xab);
  uint64_t whole = cost(&r, "fill", MEMORY_BYTES);
  CHECK_EQ_INT(whole - base, MEMORY_BYTES / 64);

  /* One fuel short: out of fuel, and none of the fill's own charge is
  ** taken (only the blocks' fuel, paid on entry, is gone). */
  weft_engine_set_fuel(r.e, whole - 1);
  CHECK_EQ_INT(call(&r, "fill", MEMORY_BYTES, NULL), WEFT_ERR_TRAP);
  CHECK_EQ_INT(r.err.trap, WEFT_TRAP_OUT_OF_FUEL);
  CHECK(weft_engine_fuel(r.e) >= MEMORY_BYTES / 64 - 1);
  weft_engine_set_fuel(r.e, whole);
  CHECK_EQ_INT(call(&r, "fill", MEMORY_BYTES, NULL), WEFT_OK);
  CHECK_EQ_INT(weft_engine_fuel(r.e), 0);

  /* A long fill asks the hook as often as it takes, and the fuel used is
  ** what it is when given at once. */
  struct slices many = {100, 0, 0};
  weft_engine_set_fuel(r.e, 0);
  weft_engine_set_fuel_hook(r.e, hand_out, &many);
  CHECK_EQ_INT(call(&r, "fill", MEMORY_BYTES, NULL), WEFT_OK);
  CHECK_EQ_INT(many.calls, (whole + 99) / 100);
  CHECK_EQ_U64(many.calls * 100ull - weft_engine_fuel(r.e), whole);
  weft_engine_set_fuel_hook(r.e, NULL, NULL);

  /* Tables: one per 8 elements. memory.grow: 1024 per page it adds; one
  ** that must fail pays only its instructions. */
  uint64_t tbase = cost(&r, "table_fill", 0);
  CHECK_EQ_INT(cost(&r, "table_fill", 100) - tbase, 13);
  uint64_t gbase = cost(&r, "grow", 0);
  CHECK_EQ_INT(cost(&r, "grow", 2) - gbase, 2048);
  CHECK_EQ_INT(cost(&r, "grow", 70000), gbase);

  /* Longer than a piece (16 MiB): paid in full first, then written in
  ** pieces with the hook asked between them, where a deadline stops it. */
  int32_t pages = 0;
  weft_engine_set_fuel(r.e, PLENTY);
  CHECK_EQ_INT(call(&r, "grow", 300, &pages), WEFT_OK);
  uint32_t n = (uint32_t)(pages + 300) << 16;
  struct slices once = {(uint64_t)1 << 30, 0, 2};
  weft_engine_set_fuel(r.e, 0);
  weft_engine_set_fuel_hook(r.e, hand_out, &once);
  CHECK_EQ_INT(call(&r, "fill", n, NULL), WEFT_ERR_TRAP);
  CHECK_EQ_INT(r.err.trap, WEFT_TRAP_INTERRUPTED);
  CHECK_EQ_INT(once.calls, 2);
  CHECK_EQ_U64(weft_engine_fuel(r.e), ((uint64_t)1 << 30) - base - n / 64);
  weft_engine_set_fuel_hook(r.e, NULL, NULL);
  stop(&r);
}

/* A fill that cannot be paid leaves memory as it was. */
static void check_no_partial_fill(enum mode mode) {
  struct run r;
  if (!start(&r, mode)) {
    CHECK(!"instantiate");
    stop(&r);
    return;
  }
  weft_engine_set_fuel(r.e, 1000); /* enough for the blocks, not the bytes */
  CHECK_EQ_INT(call(&r, "fill", MEMORY_BYTES, NULL), WEFT_ERR_TRAP);
  CHECK_EQ_INT(r.err.trap, WEFT_TRAP_OUT_OF_FUEL);
  CHECK_EQ_INT(byte0(&r), 0);
  stop(&r);
}

static void test_interpreter(void) {
  check_mode(INTERP);
  check_no_partial_fill(INTERP);
}
static void test_aot_guard_pages(void) {
  check_mode(AOT_GUARD);
  check_no_partial_fill(AOT_GUARD);
}
static void test_aot_explicit_checks(void) {
  check_mode(AOT_EXPLICIT);
  check_no_partial_fill(AOT_EXPLICIT);
}

int main(void) {
  T_RUN(test_interpreter);
  T_RUN(test_aot_guard_pages);
  T_RUN(test_aot_explicit_checks);
  return T_DONE();
}
