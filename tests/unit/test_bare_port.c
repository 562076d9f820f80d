/*
** test_bare_port.c — the bare-metal port (ports/bare), hosted. Linked
** against BUILD/libweft_bare.a: the freestanding core (WEFT_FREESTANDING_SRC,
** compiled with -ffreestanding, so its no-libc paths run: soft rounding,
** builtin mem*, own string loops) and ports/bare instead of ports/posix.
** Runs a small module entirely from a fixed arena: results, traps (divide
** by zero, call stack exhausted), AoT reported unsupported, every byte
** returned at weft_engine_free. Checks the arena allocator itself, the
** soft ceil/floor/trunc/sqrt against libm, and finds the smallest arena
** that runs the module (printed: the RAM figure of README.md).
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ports/bare/weft_bare.h"
#include "ir/numeric.h"
#include "t.h"

#include "../embed/small_module.h"

/* The configuration of an MCU: small value stack and call depth, no guard
** pages (the port has no virtual memory), everything from the arena. */
static void bare_config(weft_config *c, weft_arena *arena) {
  weft_config_default(c);
  c->stack_bytes = 1536;
  c->max_call_depth = 24;
  c->max_memory_bytes = 64u << 10;
  c->max_table_elems = 1024;
  c->max_module_bytes = 64u << 10;
  c->guard_pages = 0;
  c->alloc = weft_arena_realloc;
  c->alloc_user = arena;
}

/* ---- the arena allocator ---------------------------------------------- */

static void test_arena(void) {
  static unsigned char buf[4096 + 3];
  weft_arena a;
  weft_arena_init(&a, buf + 3, 4096); /* misaligned on purpose */
  CHECK((uintptr_t)a.base % WEFT_ARENA_ALIGN == 0);
  CHECK(a.size <= 4096 && a.size + WEFT_ARENA_ALIGN >= 4096);

  unsigned char *p = weft_arena_realloc(&a, NULL, 0, 100);
  unsigned char *q = weft_arena_realloc(&a, NULL, 0, 200);
  unsigned char *r = weft_arena_realloc(&a, NULL, 0, 1);
  CHECK(p && q && r && p < q && q < r);
  CHECK((uintptr_t)q % WEFT_ARENA_ALIGN == 0);
  memset(p, 0xaa, 100);
  memset(q, 0xbb, 200);
  size_t used3 = a.used;
  CHECK(used3 >= 301 && used3 < 301 + 3 * WEFT_ARENA_ALIGN);

  /* Freeing q leaves a hole: p grows into it in place, and a smaller
  ** request takes the rest (first fit, before the free tail). */
  CHECK(weft_arena_realloc(&a, q, 200, 0) == NULL);
  unsigned char *p2 = weft_arena_realloc(&a, p, 100, 160);
  CHECK(p2 == p && p2[99] == 0xaa);
  unsigned char *s = weft_arena_realloc(&a, NULL, 0, 64);
  CHECK(s && s >= p2 + 160 && s < r);
  /* p cannot grow past s: this one moves, keeping the contents. */
  unsigned char *p3 = weft_arena_realloc(&a, p2, 160, 1000);
  CHECK(p3 && p3 != p2 && p3[0] == 0xaa && p3[99] == 0xaa);
  /* Too big: NULL, and the old block stays valid. */
  CHECK(weft_arena_realloc(&a, p3, 1000, 8192) == NULL);
  CHECK(p3[0] == 0xaa && a.failed == 1);
  /* Shrinking stays in place. */
  CHECK(weft_arena_realloc(&a, p3, 1000, 10) == p3);

  weft_arena_realloc(&a, p3, 10, 0);
  weft_arena_realloc(&a, s, 64, 0);
  weft_arena_realloc(&a, r, 1, 0);
  CHECK_EQ_INT(a.used, 0);
  /* Everything coalesced: the whole arena is one block again. */
  unsigned char *all = weft_arena_realloc(&a, NULL, 0, a.size);
  CHECK(all == a.base);
  weft_arena_realloc(&a, all, a.size, 0);
  CHECK(a.peak_used >= used3 && a.peak_end == a.size);

  /* An empty arena refuses everything. */
  weft_arena none;
  weft_arena_init(&none, buf, 3);
  CHECK(weft_arena_realloc(&none, NULL, 0, 1) == NULL);
}

/* ---- soft rounding and square root (numeric.h, freestanding path) ------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static uint64_t bits(double d) {
  uint64_t b;
  memcpy(&b, &d, 8);
  return b;
}
static double from_bits(uint64_t b) {
  double d;
  memcpy(&d, &b, 8);
  return d;
}

static void check_soft_one(double x, unsigned *bad) {
  if (x != x)
    return; /* NaNs are handled before these functions */
  double want[4] = {sqrt(x), floor(x), ceil(x), trunc(x)};
  double got[4] = {wf_soft_sqrt64(x), wf_soft_floor64(x), wf_soft_ceil64(x),
                   wf_soft_trunc64(x)};
  for (int i = 0; i < 4; i++) {
    int same = bits(want[i]) == bits(got[i]) ||
               (want[i] != want[i] && got[i] != got[i]);
    if (!same && (*bad)++ < 5)
      fprintf(stderr, "soft %s(%a) = %a, libm %a\n",
              (const char *[]){"sqrt", "floor", "ceil", "trunc"}[i], x, got[i],
              want[i]);
  }
}

static void test_soft_numeric(void) {
  static const double special[] = {0.0,
                                   -0.0,
                                   1.0,
                                   -1.0,
                                   0.5,
                                   -0.5,
                                   1.5,
                                   -1.5,
                                   2.0,
                                   4.0,
                                   0x1p-1074,
                                   0x1p-1073,
                                   0x1.fffffffffffffp-1023,
                                   0x1p-1022,
                                   0x1.fffffffffffffp1023,
                                   0x1p52,
                                   0x1.fffffffffffffp51,
                                   -0x1.fffffffffffffp51,
                                   0x1p53,
                                   4503599627370495.5,
                                   -4503599627370495.5,
                                   0.9999999999999999,
                                   -0.9999999999999999,
                                   HUGE_VAL,
                                   -HUGE_VAL};
  unsigned bad = 0;
  for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
    check_soft_one(special[i], &bad);
  /* Random bit patterns (every exponent), then values near integers and
  ** perfect squares, where rounding is decided by the last bits. */
  for (int i = 0; i < 300000; i++)
    check_soft_one(from_bits(rng()), &bad);
  for (int i = 0; i < 100000; i++) {
    double k = (double)(rng() % 100000000);
    check_soft_one(k * k, &bad);
    check_soft_one(from_bits(bits(k * k) + 1), &bad);
    check_soft_one(from_bits(bits(k * k) - 1), &bad);
    check_soft_one(-k - (double)(rng() % 4) / 4, &bad);
  }
  CHECK_EQ_INT(bad, 0);
  CHECK_EQ_U64(bits(wf_soft_sqrt64(-1.0)), 0x7ff8000000000000ull);
  CHECK_EQ_U64(bits(wf_soft_ceil64(-0.5)), bits(-0.0));
}

/* ---- the interpreter over the arena ------------------------------------ */

static weft_val i32v(int32_t v) {
  weft_val x = {.type = WEFT_I32};
  x.of.i32 = v;
  return x;
}
static weft_val i64v(int64_t v) {
  weft_val x = {.type = WEFT_I64};
  x.of.i64 = v;
  return x;
}
static weft_val f64v(double v) {
  weft_val x = {.type = WEFT_F64};
  x.of.f64 = v;
  return x;
}
static weft_val f32v(float v) {
  weft_val x = {.type = WEFT_F32};
  x.of.f32 = v;
  return x;
}

static weft_func *export_func(weft_instance *inst, const char *name) {
  weft_extern ext;
  if (weft_instance_export(inst, name, &ext) != WEFT_OK ||
      ext.kind != WEFT_EXTERN_FUNC)
    return NULL;
  return ext.of.func;
}

static weft_status call1(weft_engine *e, weft_instance *inst, const char *name,
                         const weft_val *args, uint32_t nargs, weft_val *out,
                         weft_error *err) {
  weft_func *f = export_func(inst, name);
  if (!f)
    return WEFT_ERR_ARG;
  return weft_func_call(e, f, args, nargs, out, 1, err);
}

/* Create, load, instantiate and call fac(20) in `size` arena bytes. */
static int runs_in(unsigned char *buf, size_t size, weft_arena *arena) {
  weft_arena_init(arena, buf, size);
  weft_config c;
  bare_config(&c, arena);
  weft_engine *e = NULL;
  weft_module *m = NULL;
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_val r;
  int ok =
      weft_engine_new(&c, &e, NULL) == WEFT_OK &&
      weft_module_load(e, small_wasm, sizeof small_wasm, &m, NULL) == WEFT_OK &&
      weft_linker_new(e, &l, NULL) == WEFT_OK &&
      weft_instantiate(l, m, &inst, NULL) == WEFT_OK &&
      call1(e, inst, "fac", (weft_val[]){i64v(20)}, 1, &r, NULL) == WEFT_OK &&
      r.of.i64 == 2432902008176640000ll;
  weft_linker_free(l);
  weft_module_free(m);
  weft_engine_free(e);
  return ok && arena->used == 0;
}

static void test_run(void) {
  static unsigned char buf[256u << 10];
  weft_arena arena;
  weft_arena_init(&arena, buf, sizeof buf);
  weft_config c;
  bare_config(&c, &arena);
  weft_error err;

  /* No default heap on this port. */
  weft_engine *none = NULL;
  CHECK_EQ_INT(weft_engine_new(NULL, &none, &err), WEFT_ERR_NOMEM);
  CHECK(none == NULL);

  weft_engine *e = NULL;
  CHECK_EQ_INT(weft_engine_new(&c, &e, &err), WEFT_OK);
  weft_module *m = NULL;
  CHECK_EQ_INT(weft_module_load(e, small_wasm, sizeof small_wasm, &m, &err),
               WEFT_OK);
  weft_linker *l = NULL;
  CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
  weft_instance *inst = NULL;
  CHECK_EQ_INT(weft_instantiate(l, m, &inst, &err), WEFT_OK);
  if (!inst)
    return;

  weft_val r;
  CHECK_EQ_INT(call1(e, inst, "fac", (weft_val[]){i64v(20)}, 1, &r, &err),
               WEFT_OK);
  CHECK_EQ_INT(r.of.i64, 2432902008176640000ll);
  CHECK_EQ_INT(call1(e, inst, "fib", (weft_val[]){i32v(46)}, 1, &r, &err),
               WEFT_OK);
  CHECK_EQ_INT(r.of.i32, 1836311903);
  CHECK_EQ_INT(
      call1(e, inst, "div", (weft_val[]){i32v(-7), i32v(2)}, 2, &r, &err),
      WEFT_OK);
  CHECK_EQ_INT(r.of.i32, -3);

  /* Floats through the freestanding numeric paths. */
  CHECK_EQ_INT(call1(e, inst, "sqrt", (weft_val[]){f64v(2.0)}, 1, &r, &err),
               WEFT_OK);
  CHECK_EQ_U64(bits(r.of.f64), bits(sqrt(2.0)));
  CHECK_EQ_INT(call1(e, inst, "floor", (weft_val[]){f64v(-2.5)}, 1, &r, &err),
               WEFT_OK);
  CHECK(r.of.f64 == -3.0);
  CHECK_EQ_INT(call1(e, inst, "ceil", (weft_val[]){f64v(-0.5)}, 1, &r, &err),
               WEFT_OK);
  CHECK_EQ_U64(bits(r.of.f64), bits(-0.0));
  CHECK_EQ_INT(
      call1(e, inst, "trunc32", (weft_val[]){f32v(-1.75f)}, 1, &r, &err),
      WEFT_OK);
  CHECK(r.of.f32 == -1.0f);

  /* Traps come back as values; the engine stays usable. */
  CHECK_EQ_INT(
      call1(e, inst, "div", (weft_val[]){i32v(1), i32v(0)}, 2, &r, &err),
      WEFT_ERR_TRAP);
  CHECK_EQ_INT(err.trap, WEFT_TRAP_DIV_ZERO);
  CHECK_STR_EQ(err.message, "integer divide by zero");
  CHECK_EQ_INT(call1(e, inst, "fac", (weft_val[]){i64v(1000)}, 1, &r, &err),
               WEFT_ERR_TRAP);
  CHECK_EQ_INT(err.trap, WEFT_TRAP_STACK_EXHAUSTED);
  CHECK_EQ_INT(call1(e, inst, "fac", (weft_val[]){i64v(5)}, 1, &r, &err),
               WEFT_OK);
  CHECK_EQ_INT(r.of.i64, 120);

  /* No ahead-of-time code on this port. */
  CHECK_EQ_INT(weft_module_attach_aot(m, "x", &err), WEFT_ERR_UNSUPPORTED);
  CHECK_EQ_INT(weft_module_emit_c(m, NULL, NULL, NULL, &err),
               WEFT_ERR_UNSUPPORTED);

  weft_linker_free(l);
  weft_module_free(m);
  size_t peak = arena.peak_end;
  weft_engine_free(e);
  CHECK_EQ_INT(arena.used, 0);
  CHECK(peak > 0 && peak < 64u << 10);

  /* The RAM figure: the smallest arena (to 16 bytes) that creates the
  ** engine, loads and instantiates this module and runs fac(20). */
  size_t lo = 0, hi = sizeof buf;
  CHECK(runs_in(buf, hi, &arena));
  while (hi - lo > 16) {
    size_t mid = lo + (hi - lo) / 2;
    if (runs_in(buf, mid, &arena))
      hi = mid;
    else
      lo = mid;
  }
  CHECK(runs_in(buf, hi, &arena));
  CHECK(!runs_in(buf, lo, &arena));
  runs_in(buf, sizeof buf, &arena);
  printf("bare port: %zu-byte module, stack_bytes %u, max_call_depth %u: "
         "smallest arena %zu bytes (peak in use %zu)\n",
         sizeof small_wasm, c.stack_bytes, c.max_call_depth, hi,
         arena.peak_used);
  CHECK(hi <= arena.peak_end + 16);
}

int main(void) {
  T_RUN(test_arena);
  T_RUN(test_soft_numeric);
  T_RUN(test_run);
  return T_DONE();
}
