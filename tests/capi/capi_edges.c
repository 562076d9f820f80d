/*
** capi_edges.c — the wasm.h layer's refusals and identities, beyond what
** the upstream examples touch: bad binaries, calls with the wrong
** arguments or result vectors, host results of the wrong type, immutable
** globals, table bounds and element types, another store's objects, v128,
** one handle per object, modules used in a second store, finalizers at
** store deletion. Prints one line per check; exits 0 only if all hold.
** tests/capi/run.sh builds it and runs it beside capi_edges.wasm.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"

static int failures;

static void check(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  failures += !ok;
}

/* The trap's message contains `text`; the trap is deleted. */
static int says(wasm_trap_t *trap, const char *text) {
  if (!trap)
    return 0;
  wasm_message_t m;
  wasm_trap_message(trap, &m);
  int ok = m.size > 0 && m.data[m.size - 1] == '\0' && strstr(m.data, text);
  wasm_byte_vec_delete(&m);
  wasm_trap_delete(trap);
  return ok;
}

static wasm_trap_t *cb_wrong_kind(const wasm_val_vec_t *args,
                                  wasm_val_vec_t *results) {
  (void)args;
  results->data[0].kind = WASM_I64; /* the type says i32 */
  results->data[0].of.i64 = 1;
  return NULL;
}

static int finalized;
static void finalize(void *p) { finalized += p == &finalized; }

static wasm_module_t *load(wasm_store_t *store) {
  FILE *f = fopen("capi_edges.wasm", "rb");
  if (!f)
    return NULL;
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  wasm_byte_vec_t bin;
  wasm_byte_vec_new(&bin, n, buf);
  wasm_module_t *m = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  return m;
}

static void bad_binaries(wasm_store_t *store) {
  wasm_byte_vec_t junk;
  wasm_byte_vec_new(&junk, 8, "\0asm\2\0\0\0");
  check(!wasm_module_validate(store, &junk), "a bad version does not validate");
  check(wasm_module_new(store, &junk) == NULL, "nor compiles");
  check(wasm_module_deserialize(store, &junk) == NULL, "nor deserializes");
  wasm_byte_vec_delete(&junk);
}

static wasm_instance_t *instantiate(wasm_store_t *store, wasm_module_t *m,
                                    wasm_func_t *cb, wasm_global_t *g) {
  wasm_extern_t *one[] = {wasm_func_as_extern(cb)};
  wasm_extern_vec_t few = WASM_ARRAY_VEC(one);
  wasm_trap_t *trap = NULL;
  check(wasm_instance_new(store, m, &few, &trap) == NULL &&
            says(trap, "wrong number of imports"),
        "one import short: a trap, no instance");
  wasm_extern_t *both[] = {wasm_func_as_extern(cb), wasm_global_as_extern(g)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(both);
  wasm_instance_t *inst = wasm_instance_new(store, m, &imports, &trap);
  check(inst && !trap, "instantiates with both imports");
  return inst;
}

static void calls(const wasm_extern_vec_t *ex) {
  const wasm_func_t *two = wasm_extern_as_func(ex->data[3]);
  const wasm_func_t *call_cb = wasm_extern_as_func(ex->data[4]);
  const wasm_func_t *simd = wasm_extern_as_func(ex->data[5]);
  wasm_val_t a[2] = {WASM_I32_VAL(1), WASM_I64_VAL(2)}, r[2];
  wasm_val_vec_t args1 = {1, a}, args2 = WASM_ARRAY_VEC(a);
  wasm_val_vec_t res1 = {1, r}, res2 = {2, r}, none = WASM_EMPTY_VEC;
  check(says(wasm_func_call(two, &args1, &res1), "wrong number of arguments"),
        "one argument short: a trap");
  check(says(wasm_func_call(two, &args2, &res1), "argument of the wrong type"),
        "an i64 for an i32: a trap");
  a[1] = (wasm_val_t)WASM_I32_VAL(2);
  check(says(wasm_func_call(two, &args2, &res2), "wrong number of results"),
        "two result slots for one: a trap");
  check(wasm_func_call(two, &args2, &res1) == NULL && r[0].of.i32 == 3,
        "two(1, 2) == 3");
  check(says(wasm_func_call(call_cb, &none, &res1), "wrong type"),
        "a host result of the wrong kind: a trap");
  check(says(wasm_func_call(simd, &args1, &res1), "wrong type"),
        "a v128 parameter cannot be called");
  check(wasm_func_param_arity(simd) == 1, "but its arity is known");
}

static void globals_and_tables(wasm_store_t *store, const wasm_extern_vec_t *ex,
                               wasm_store_t *other) {
  wasm_global_t *imm = wasm_extern_as_global(ex->data[0]);
  wasm_val_t v = WASM_I64_VAL(99), got;
  wasm_global_set(imm, &v);
  wasm_global_get(imm, &got);
  check(got.kind == WASM_I64 && got.of.i64 == 7, "an immutable global stays");
  wasm_table_t *t = wasm_extern_as_table(ex->data[1]);
  const wasm_func_t *two = wasm_extern_as_func(ex->data[3]);
  wasm_ref_t *e0 = wasm_table_get(t, 0);
  check(e0 && wasm_ref_same(e0, wasm_func_as_ref_const(two)),
        "the element is the export's handle");
  wasm_ref_delete(e0);
  wasm_ref_t *foreign = wasm_foreign_as_ref(wasm_foreign_new(store));
  check(!wasm_table_set(t, 1, foreign), "a foreign object in a funcref table");
  check(!wasm_table_set(t, 2, NULL), "a store past the end");
  check(wasm_table_get(t, 2) == NULL, "a load past the end is null");
  check(!wasm_table_grow(t, 2, NULL), "a grow past the maximum");
  check(wasm_table_grow(t, 1, NULL) && wasm_table_size(t) == 3, "a grow to it");
  wasm_ref_set_host_info_with_finalizer(foreign, &finalized, finalize);
  const wasm_func_t *id = wasm_extern_as_func(ex->data[2]);
  wasm_val_t a[1] = {WASM_REF_VAL(foreign)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
  check(wasm_func_call(id, &args, &res) == NULL && r[0].of.ref == foreign,
        "an externref comes back the same");
  wasm_ref_t *alien = wasm_foreign_as_ref(wasm_foreign_new(other));
  a[0].of.ref = alien;
  check(says(wasm_func_call(id, &args, &res), "wrong type"),
        "another store's object is refused");
}

static wasm_trap_t *cb_ok(const wasm_val_vec_t *args, wasm_val_vec_t *res) {
  (void)args;
  res->data[0].kind = WASM_I32;
  res->data[0].of.i32 = 5;
  return NULL;
}

/* The module compiled in `store` instantiated in `other`. */
static void second_store(wasm_store_t *other, wasm_module_t *m) {
  wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *cb = wasm_func_new(other, ft, cb_ok);
  wasm_functype_delete(ft);
  wasm_globaltype_t *gt =
      wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_val_t v = WASM_I32_VAL(1);
  wasm_global_t *g = wasm_global_new(other, gt, &v);
  wasm_globaltype_delete(gt);
  wasm_extern_t *both[] = {wasm_func_as_extern(cb), wasm_global_as_extern(g)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(both);
  wasm_instance_t *inst = wasm_instance_new(other, m, &imports, NULL);
  check(inst != NULL, "a module of one store instantiates in another");
  if (!inst)
    return;
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  wasm_val_t r[1];
  wasm_val_vec_t none = WASM_EMPTY_VEC, res = {1, r};
  check(ex.size == 6 &&
            !wasm_func_call(wasm_extern_as_func(ex.data[4]), &none, &res) &&
            r[0].of.i32 == 5,
        "and calls its own host function");
  wasm_extern_vec_delete(&ex);
}

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine), *other = wasm_store_new(engine);
  bad_binaries(store);
  wasm_module_t *m = load(store);
  check(m != NULL, "capi_edges.wasm compiles");
  if (!m)
    return 1;
  wasm_exporttype_vec_t types;
  wasm_module_exports(m, &types);
  check(types.size == 6 && types.data[5] == NULL && types.data[3] != NULL,
        "export types: v128 has none, the others do");
  wasm_exporttype_vec_delete(&types);
  wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *cb = wasm_func_new(store, ft, cb_wrong_kind);
  wasm_functype_delete(ft);
  wasm_globaltype_t *gt =
      wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_val_t v = WASM_I32_VAL(1);
  wasm_global_t *g = wasm_global_new(store, gt, &v);
  wasm_val_t wrong = WASM_I64_VAL(1);
  check(wasm_global_new(store, gt, &wrong) == NULL,
        "a global of the wrong kind");
  wasm_globaltype_delete(gt);
  wasm_instance_t *inst = instantiate(store, m, cb, g);
  if (inst) {
    wasm_extern_vec_t ex, again;
    wasm_instance_exports(inst, &ex);
    wasm_instance_exports(inst, &again);
    check(ex.size == 6 && again.size == 6 && ex.data[3] == again.data[3],
          "one handle per export");
    if (ex.size == 6) {
      calls(&ex);
      globals_and_tables(store, &ex, other);
    }
    wasm_extern_vec_delete(&ex);
    wasm_extern_vec_delete(&again);
  }
  second_store(other, m);
  wasm_module_delete(m);
  wasm_byte_vec_t raw;
  wasm_byte_vec_new(&raw, 3, "abc");
  check(says(wasm_trap_new(store, &raw), "abc"), "a message gets its NUL");
  wasm_byte_vec_delete(&raw);
  check(finalized == 0, "no finalizer before the store goes");
  wasm_store_delete(store);
  check(finalized == 1, "the foreign object's finalizer ran with the store");
  wasm_store_delete(other);
  wasm_engine_delete(engine);
  printf("%s\n", failures ? "FAILED" : "Done.");
  return failures != 0;
}
