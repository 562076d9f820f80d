/*
** test_aot_batch.c — several modules in one shared object
** (weft_aot_build_so_batch, weft_aot_build.h; what `weft wast --aot` and
** the spec runner use): two modules whose generated names would clash
** (both have functions 0 and 1, and tail calls that make a table of
** trampoline bodies) share one translation unit, or get one each, and
** each runs its own code; a NULL entry has no code; an entry refuses a
** module it was not built from; a batch of nothing is refused. Guard
** pages and explicit bounds checks.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "weft.h"
#include "weft_aot_build.h"
#include "weft_text.h"

static const char *const wat_a =
    "(module (memory 1)"
    "  (func $h (param i32) (result i32)"
    "    (i32.add (local.get 0) (i32.const 11)))"
    "  (func (export \"f\") (param i32) (result i32)"
    "    (return_call $h (local.get 0)))"
    "  (func (export \"mem\") (result i32)"
    "    (i32.store (i32.const 8) (i32.const 5)) (i32.load (i32.const 8))))";

static const char *const wat_b =
    "(module (type $t (func (param i32) (result i32)))"
    "  (table 1 funcref) (elem (i32.const 0) $h)"
    "  (func $h (param i32) (result i32)"
    "    (i32.mul (local.get 0) (i32.const 3)))"
    "  (func (export \"f\") (param i32) (result i32)"
    "    (return_call_indirect (type $t) (local.get 0) (i32.const 0))))";

static weft_module *load(weft_engine *e, const char *wat) {
  uint8_t *bin = NULL;
  size_t len = 0;
  weft_module *m = NULL;
  weft_error err;
  memset(&err, 0, sizeof err);
  if (weft_wat_to_wasm(wat, strlen(wat), &bin, &len, &err) != WEFT_OK) {
    fprintf(stderr, "wat: %s\n", err.message);
    return NULL;
  }
  if (weft_module_load(e, bin, len, &m, &err) != WEFT_OK)
    fprintf(stderr, "load: %s\n", err.message);
  weft_text_free(bin);
  return m;
}

/* Export `name` of a fresh instance of m called with `arg`; -1 on error. */
static int64_t call(weft_engine *e, weft_module *m, const char *name,
                    int32_t arg, int nargs) {
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_extern x;
  weft_val in, out;
  weft_error err;
  int64_t r = -1;
  memset(&err, 0, sizeof err);
  memset(&in, 0, sizeof in);
  in.type = WEFT_I32;
  in.of.u32 = (uint32_t)arg;
  if (weft_linker_new(e, &l, &err) == WEFT_OK &&
      weft_instantiate(l, m, &inst, &err) == WEFT_OK &&
      weft_instance_export(inst, name, &x) == WEFT_OK &&
      weft_func_call(e, x.of.func, &in, (uint32_t)nargs, &out, 1, &err) ==
          WEFT_OK)
    r = out.of.u32;
  else
    fprintf(stderr, "call %s: %s\n", name, err.message);
  weft_linker_free(l);
  return r;
}

static weft_status build(const weft_module *const *mods, uint32_t n,
                         int explicit_checks, uint32_t units, char *so,
                         size_t size) {
  static unsigned serial;
  const char *tmp = getenv("TMPDIR"), *cc = getenv("WEFT_CC");
  weft_aot_build_options o;
  weft_error err;
  memset(&o, 0, sizeof o);
  memset(&err, 0, sizeof err);
  o.cc = cc && *cc ? cc : NULL;
  o.explicit_bounds_checks = explicit_checks;
  o.jobs = 2;
  o.chunks = units;
  snprintf(so, size, "%s/weft-batch-%ld-%u.so", tmp && *tmp ? tmp : "/tmp",
           (long)getpid(), serial++);
  weft_status s = weft_aot_build_so_batch(mods, n, &o, so, &err);
  if (s != WEFT_OK && n && (mods[0] || mods[n - 1]))
    fprintf(stderr, "batch: %s\n", err.message);
  return s;
}

/* Entries 0 (a) and 2 (b) of one object, in `units` translation units. */
static void batch_runs(int explicit_checks, uint32_t units) {
  weft_config c;
  weft_engine *e = NULL;
  weft_error err;
  char so[256];
  void *h = NULL;
  memset(&err, 0, sizeof err);
  weft_config_default(&c);
  c.guard_pages = !explicit_checks;
  CHECK(weft_engine_new(&c, &e, &err) == WEFT_OK);
  if (!e)
    return;
  weft_module *a = load(e, wat_a), *b = load(e, wat_b);
  weft_module *a2 = load(e, wat_a);
  CHECK(a && b && a2);
  const weft_module *mods[3] = {a, NULL, b};
  weft_status s = build(mods, 3, explicit_checks, units, so, sizeof so);
  CHECK_EQ_INT(s, WEFT_OK);
  if (s == WEFT_OK) {
    CHECK_EQ_INT(weft_aot_open_so(so, &h, &err), WEFT_OK);
    unlink(so);
  }
  if (h) {
    CHECK_EQ_INT(weft_aot_attach_batch(h, 0, a, &err), WEFT_OK);
    CHECK_EQ_INT(weft_aot_attach_batch(h, 2, b, &err), WEFT_OK);
    /* the same module's code for another load of the same bytes */
    CHECK_EQ_INT(weft_aot_attach_batch(h, 0, a2, &err), WEFT_OK);
    /* no entry 1 (NULL), none past the end, and b's code is not a's */
    CHECK_EQ_INT(weft_aot_attach_batch(h, 1, b, &err), WEFT_ERR_ARG);
    CHECK_EQ_INT(weft_aot_attach_batch(h, 3, b, &err), WEFT_ERR_ARG);
    CHECK_EQ_INT(weft_aot_attach_batch(h, 2, a2, &err), WEFT_ERR_ARG);
    CHECK_EQ_INT(call(e, a, "f", 1, 1), 12);
    CHECK_EQ_INT(call(e, a, "mem", 0, 0), 5);
    CHECK_EQ_INT(call(e, b, "f", 7, 1), 21);
    CHECK_EQ_INT(call(e, a2, "f", 30, 1), 41);
  }
  weft_module_free(a);
  weft_module_free(a2);
  weft_module_free(b);
  weft_engine_free(e);
  weft_aot_unload(h);
}

static void guard_one_unit(void) { batch_runs(0, 1); }
static void guard_unit_each(void) { batch_runs(0, 2); }
static void explicit_one_unit(void) { batch_runs(1, 1); }
static void explicit_automatic(void) { batch_runs(1, 0); }

static void empty_batch_refused(void) {
  char so[256];
  const weft_module *none[2] = {NULL, NULL};
  CHECK_EQ_INT(build(none, 2, 0, 0, so, sizeof so), WEFT_ERR_ARG);
  CHECK_EQ_INT(build(none, 0, 0, 0, so, sizeof so), WEFT_ERR_ARG);
  CHECK(access(so, F_OK) != 0);
}

int main(void) {
  T_RUN(guard_one_unit);
  T_RUN(guard_unit_each);
  T_RUN(explicit_one_unit);
  T_RUN(explicit_automatic);
  T_RUN(empty_batch_refused);
  return T_DONE();
}
