/*
** test_api_objects.c — the public accessors wasm.h needs (capi/): global
** set and mutability, table get/set/grow and type, a memory's declared
** maximum, import and export types with their full types, module function
** types and body offsets, and the instance named in a trap's frames.
** Every refusal leaves the object unchanged.
*/
#include "t.h"
#include "weft.h"
#include "weft_text.h"

static const char wat[] =
    "(module\n"
    "  (import \"m\" \"f\" (func (param i32 i64) (result f32)))\n"
    "  (import \"m\" \"g\" (global (mut f64)))\n"
    "  (import \"m\" \"t\" (table 2 7 externref))\n"
    "  (import \"m\" \"mem\" (memory 1))\n"
    "  (global $c (export \"c\") i32 (i32.const 5))\n"
    "  (table (export \"tab\") 3 funcref)\n"
    "  (func $boom (export \"boom\") (result i32)\n"
    "    nop\n"
    "    unreachable))\n";

static weft_engine *engine(void) {
  weft_config cfg;
  weft_engine *e = NULL;
  weft_config_default(&cfg);
  CHECK_EQ_INT(weft_engine_new(&cfg, &e, NULL), WEFT_OK);
  return e;
}

static weft_module *load(weft_engine *e) {
  uint8_t *bin = NULL;
  size_t len = 0;
  weft_module *m = NULL;
  weft_error err;
  CHECK_EQ_INT(weft_wat_to_wasm(wat, sizeof wat - 1, &bin, &len, &err),
               WEFT_OK);
  CHECK_EQ_INT(weft_module_load(e, bin, len, &m, &err), WEFT_OK);
  weft_text_free(bin);
  return m;
}

static weft_status nothing(weft_host_ctx *ctx, void *user, weft_slot *slots) {
  (void)ctx, (void)user, (void)slots;
  return WEFT_OK;
}

static void test_global_set(void) {
  weft_engine *e = engine(), *other = engine();
  weft_global *g, *c;
  weft_func *f;
  weft_error err;
  weft_val v = {WEFT_I64, {.i64 = 1}};
  CHECK_EQ_INT(weft_global_new(e, v, 1, &g, NULL), WEFT_OK);
  CHECK_EQ_INT(weft_global_new(e, v, 0, &c, NULL), WEFT_OK);
  CHECK(weft_global_mutable(g));
  CHECK(!weft_global_mutable(c));
  v.of.i64 = 42;
  CHECK_EQ_INT(weft_global_set(g, v, &err), WEFT_OK);
  CHECK_EQ_INT(weft_global_get(g).of.i64, 42);
  CHECK_EQ_INT(weft_global_set(c, v, &err), WEFT_ERR_ARG);
  CHECK_EQ_INT(weft_global_get(c).of.i64, 1);
  weft_val wrong = {WEFT_I32, {.i32 = 7}};
  CHECK_EQ_INT(weft_global_set(g, wrong, &err), WEFT_ERR_ARG);
  CHECK_EQ_INT(weft_global_get(g).of.i64, 42);
  /* a funcref global refuses another engine's function */
  weft_global *fg;
  weft_val null = {WEFT_FUNCREF, {.ref = NULL}};
  CHECK_EQ_INT(weft_global_new(e, null, 1, &fg, NULL), WEFT_OK);
  weft_valtype none[1] = {WEFT_I32};
  CHECK_EQ_INT(
      weft_func_new_host(other, none, 0, none, 0, nothing, NULL, &f, NULL),
      WEFT_OK);
  weft_val fr = {WEFT_FUNCREF, {.ref = f}};
  CHECK_EQ_INT(weft_global_set(fg, fr, &err), WEFT_ERR_ARG);
  CHECK(weft_global_get(fg).of.ref == NULL);
  weft_engine_free(other);
  weft_engine_free(e);
}

static void test_table(void) {
  weft_engine *e = engine();
  weft_table *t;
  void *ref = &ref;
  weft_error err;
  CHECK_EQ_INT(weft_table_new(e, WEFT_EXTERNREF, 2, 4, NULL, &t, NULL),
               WEFT_OK);
  CHECK_EQ_INT(weft_table_elem_type(t), WEFT_EXTERNREF);
  CHECK_EQ_INT(weft_table_max(t), 4);
  CHECK_EQ_INT(weft_table_set(t, 1, ref, &err), WEFT_OK);
  void *got = NULL;
  CHECK_EQ_INT(weft_table_get(t, 1, &got, &err), WEFT_OK);
  CHECK(got == ref);
  CHECK_EQ_INT(weft_table_get(t, 2, &got, &err), WEFT_ERR_ARG);
  CHECK_EQ_INT(weft_table_set(t, 2, ref, &err), WEFT_ERR_ARG);
  CHECK_EQ_INT(weft_table_grow(t, 1, ref), 2);
  CHECK_EQ_INT(weft_table_get(t, 2, &got, &err), WEFT_OK);
  CHECK(got == ref);
  CHECK_EQ_INT(weft_table_grow(t, 2, NULL), -1); /* past the max of 4 */
  CHECK_EQ_INT(weft_table_size(t), 3);
  weft_table *u;
  CHECK_EQ_INT(weft_table_new(e, WEFT_FUNCREF, 0, UINT32_MAX, NULL, &u, NULL),
               WEFT_OK);
  CHECK_EQ_INT(weft_table_max(u), UINT32_MAX);
  weft_memory *m;
  CHECK_EQ_INT(weft_memory_new(e, 1, 3, &m, NULL), WEFT_OK);
  CHECK_EQ_INT(weft_memory_max_pages(m), 3);
  CHECK_EQ_INT(weft_memory_new(e, 1, UINT32_MAX, &m, NULL), WEFT_OK);
  CHECK_EQ_INT(weft_memory_max_pages(m), UINT32_MAX);
  weft_engine_free(e);
}

static void test_import_export_types(void) {
  weft_engine *e = engine();
  weft_module *m = load(e);
  if (!m) {
    weft_engine_free(e);
    return;
  }
  weft_extern_type t;
  const weft_valtype *p, *r;
  uint32_t np, nr;
  CHECK_EQ_INT(weft_module_import_count(m), 4);
  weft_module_import_type(m, 0, &t);
  CHECK_EQ_INT(t.kind, WEFT_EXTERN_FUNC);
  CHECK_EQ_INT(weft_module_func_type(m, t.func_type, &p, &np, &r, &nr),
               WEFT_OK);
  CHECK_EQ_INT(np, 2);
  CHECK_EQ_INT(nr, 1);
  CHECK(np == 2 && p[0] == WEFT_I32 && p[1] == WEFT_I64);
  CHECK(nr == 1 && r[0] == WEFT_F32);
  CHECK_EQ_INT(weft_module_func_type(m, 99, &p, &np, &r, &nr), WEFT_ERR_ARG);
  weft_module_import_type(m, 1, &t);
  CHECK(t.kind == WEFT_EXTERN_GLOBAL && t.value == WEFT_F64 && t.mutable_);
  weft_module_import_type(m, 2, &t);
  CHECK(t.kind == WEFT_EXTERN_TABLE && t.value == WEFT_EXTERNREF);
  CHECK(t.min == 2 && t.max == 7);
  weft_module_import_type(m, 3, &t);
  CHECK(t.kind == WEFT_EXTERN_MEMORY && t.min == 1 && t.max == UINT64_MAX);
  CHECK_EQ_INT(weft_module_export_count(m), 3);
  weft_module_export_type(m, 0, &t);
  CHECK(t.kind == WEFT_EXTERN_GLOBAL && t.value == WEFT_I32 && !t.mutable_);
  weft_module_export_type(m, 1, &t);
  CHECK(t.kind == WEFT_EXTERN_TABLE && t.value == WEFT_FUNCREF);
  CHECK(t.min == 3 && t.max == UINT64_MAX);
  weft_module_export_type(m, 2, &t);
  CHECK_EQ_INT(t.kind, WEFT_EXTERN_FUNC);
  CHECK_EQ_INT(weft_module_func_type(m, t.func_type, &p, &np, &r, &nr),
               WEFT_OK);
  CHECK(np == 0 && nr == 1 && r[0] == WEFT_I32);
  CHECK_EQ_U64(weft_module_func_offset(m, 0), UINT64_MAX); /* imported */
  CHECK_EQ_U64(weft_module_func_offset(m, 2), UINT64_MAX); /* none */
  weft_module_free(m);
  weft_engine_free(e);
}

/* (Wasm 2.0 allows one memory: the import is the module's memory.) */

/* Body offset: the trap's offset lies after it, the frame names the
** instance. "boom" is func 1: locals byte, nop, unreachable. */
static void test_trap_frame(void) {
  static const char w[] = "(module (func (export \"boom\") nop unreachable))";
  weft_engine *e = engine();
  uint8_t *bin = NULL;
  size_t len = 0;
  weft_module *m = NULL;
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_extern ext;
  weft_error err;
  CHECK_EQ_INT(weft_wat_to_wasm(w, sizeof w - 1, &bin, &len, &err), WEFT_OK);
  CHECK_EQ_INT(weft_module_load(e, bin, len, &m, &err), WEFT_OK);
  weft_text_free(bin);
  CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
  CHECK_EQ_INT(weft_instantiate(l, m, &inst, &err), WEFT_OK);
  if (!inst) {
    weft_engine_free(e);
    return;
  }
  CHECK_EQ_INT(weft_instance_export(inst, "boom", &ext), WEFT_OK);
  CHECK_EQ_INT(weft_func_call(e, ext.of.func, NULL, 0, NULL, 0, &err),
               WEFT_ERR_TRAP);
  CHECK_EQ_INT(err.trace_len, 1);
  CHECK(err.trace[0].instance == inst);
  uint64_t start = weft_module_func_offset(m, 0);
  CHECK(start != UINT64_MAX);
  CHECK_EQ_U64(err.trace[0].offset - start, 2); /* locals count, nop */
  weft_linker_free(l);
  weft_module_free(m);
  weft_engine_free(e);
}

int main(void) {
  T_RUN(test_global_set);
  T_RUN(test_table);
  T_RUN(test_import_export_types);
  T_RUN(test_trap_frame);
  return T_DONE();
}
