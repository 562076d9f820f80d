/*
** capi_extern.c — functions (host callbacks with and without an
** environment, calls), globals, tables and memories, and the extern view
** of all four. Each is a store object over the weft object of the same
** name. wasm.h gives these calls no error path beyond NULL/false, so a
** refused argument (a value of the wrong type, another store's object)
** makes them return NULL/false, or do nothing where they return void.
*/
#include "capi.h"

#define OBJ(p) ((const capi_obj *)(p))

/* ---- functions ---------------------------------------------------------- */

/* Up to this many values of a call live on the C stack, more in the heap. */
#define CAPI_SMALL_CALL 16

static wasm_valkind_t kind_of(weft_valtype t) {
  wasm_valtype_t *vt = capi_valtype(t);
  return vt ? wasm_valtype_kind(vt) : WASM_EXTERNREF;
}

/* Report the callback's trap (its message, NUL added) as a host trap. */
static weft_status host_trap(weft_host_ctx *ctx, wasm_trap_t *trap) {
  char msg[256];
  wasm_message_t m;
  wasm_trap_message(trap, &m);
  size_t n = m.size < sizeof msg ? m.size : sizeof msg - 1;
  if (n)
    memcpy(msg, m.data, n);
  msg[n] = '\0';
  wasm_byte_vec_delete(&m);
  wasm_trap_delete(trap);
  return weft_host_trap(ctx, msg);
}

/* Results back into weft's slots, each checked against the type. */
static weft_status host_results(weft_host_ctx *ctx, wasm_store_t *store,
                                const wasm_val_t *res, const weft_valtype *r,
                                uint32_t nr, weft_slot *slots) {
  for (uint32_t i = 0; i < nr; i++) {
    weft_val v;
    if (res[i].kind != kind_of(r[i]) || !capi_val_to_weft(store, &res[i], &v))
      return weft_host_trap(ctx, "host function result of the wrong type");
    slots[i] = v.of;
  }
  return WEFT_OK;
}

/* The weft host function behind every wasm_func_new: arguments from the
** slots into wasm_val_t, the callback, its results or trap back. */
static weft_status host_call(weft_host_ctx *ctx, void *user, weft_slot *slots) {
  capi_obj *o = user;
  const weft_valtype *p, *r;
  uint32_t np, nr;
  weft_func_type(o->of.func, &p, &np, &r, &nr);
  wasm_val_t small[CAPI_SMALL_CALL], *vals = small;
  if (np + nr > CAPI_SMALL_CALL &&
      !(vals = calloc((size_t)np + nr, sizeof *vals)))
    return weft_host_trap(ctx, "out of memory");
  weft_status s = WEFT_OK;
  for (uint32_t i = 0; i < np && s == WEFT_OK; i++) {
    weft_val v = {p[i], slots[i]};
    if (!capi_val_from_weft(o->store, &v, &vals[i]))
      s = weft_host_trap(ctx, "argument has no wasm.h type");
  }
  for (uint32_t i = 0; i < nr; i++) {
    memset(&vals[np + i], 0, sizeof vals[np + i]);
    vals[np + i].kind = kind_of(r[i]);
  }
  wasm_val_vec_t args = {np, vals}, results = {nr, vals + np};
  wasm_trap_t *trap = NULL;
  if (s == WEFT_OK)
    trap = o->u.host.plain ? o->u.host.plain(&args, &results)
                           : o->u.host.with_env(o->u.host.env, &args, &results);
  if (trap)
    s = host_trap(ctx, trap);
  else if (s == WEFT_OK)
    s = host_results(ctx, o->store, vals + np, r, nr, slots);
  for (uint32_t i = 0; i < nr; i++)
    wasm_val_delete(&vals[np + i]); /* the callback's own results */
  if (vals != small)
    free(vals);
  return s;
}

static wasm_func_t *func_new(wasm_store_t *store, const wasm_functype_t *type,
                             wasm_func_callback_t plain,
                             wasm_func_callback_with_env_t with_env, void *env,
                             void (*fin)(void *)) {
  const wasm_valtype_vec_t *pv = wasm_functype_params(type);
  const wasm_valtype_vec_t *rv = wasm_functype_results(type);
  weft_valtype small[CAPI_SMALL_CALL], *t = small;
  size_t n = pv->size + rv->size;
  if (n > CAPI_SMALL_CALL && (n > 2000 || !(t = calloc(n, sizeof *t))))
    return NULL;
  for (size_t i = 0; i < n; i++)
    t[i] = capi_weft_type(
        wasm_valtype_kind(i < pv->size ? pv->data[i] : rv->data[i - pv->size]));
  capi_obj *o = capi_obj_new(store, CAPI_FUNC, NULL);
  weft_func *f = NULL;
  if (o &&
      weft_func_new_host(store->engine, t, (uint32_t)pv->size, t + pv->size,
                         (uint32_t)rv->size, host_call, o, &f,
                         NULL) == WEFT_OK &&
      capi_obj_bind(store, o, f)) {
    o->of.func = f;
    o->u.host.plain = plain;
    o->u.host.with_env = with_env;
    o->u.host.env = env;
    o->u.host.env_finalizer = fin;
  } else {
    o = NULL; /* a handle already made stays in the store, unused */
  }
  if (t != small)
    free(t);
  return (wasm_func_t *)o;
}

wasm_func_t *wasm_func_new(wasm_store_t *store, const wasm_functype_t *type,
                           wasm_func_callback_t cb) {
  return cb ? func_new(store, type, cb, NULL, NULL, NULL) : NULL;
}

/* The finalizer runs on env when the store is deleted. */
wasm_func_t *wasm_func_new_with_env(wasm_store_t *store,
                                    const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t cb, void *env,
                                    void (*fin)(void *)) {
  return cb ? func_new(store, type, NULL, cb, env, fin) : NULL;
}

wasm_functype_t *wasm_func_type(const wasm_func_t *func) {
  const weft_valtype *p, *r;
  uint32_t np, nr;
  weft_func_type(OBJ(func)->of.func, &p, &np, &r, &nr);
  return capi_functype_of(p, np, r, nr);
}

size_t wasm_func_param_arity(const wasm_func_t *func) {
  const weft_valtype *p, *r;
  uint32_t np, nr;
  weft_func_type(OBJ(func)->of.func, &p, &np, &r, &nr);
  return np;
}

size_t wasm_func_result_arity(const wasm_func_t *func) {
  const weft_valtype *p, *r;
  uint32_t np, nr;
  weft_func_type(OBJ(func)->of.func, &p, &np, &r, &nr);
  return nr;
}

/* Arguments into weft values; a message when one does not fit. */
static const char *call_args(const capi_obj *o, const wasm_val_vec_t *args,
                             const weft_valtype *p, uint32_t np,
                             weft_val *out) {
  if (!args || args->size != np)
    return "wrong number of arguments";
  for (uint32_t i = 0; i < np; i++)
    if (capi_weft_type(args->data[i].kind) != p[i] ||
        !capi_val_to_weft(o->store, &args->data[i], &out[i]))
      return "argument of the wrong type";
  return NULL;
}

/* Results out of weft; results->size must be the arity. The call has
** already happened, so a wrong size is reported after its effects. */
static wasm_trap_t *call_results(const capi_obj *o, const weft_val *res,
                                 uint32_t nr, wasm_val_vec_t *results) {
  if (!results || results->size != nr)
    return capi_trap_message("wrong number of results");
  for (uint32_t i = 0; i < nr; i++)
    if (!capi_val_from_weft(o->store, &res[i], &results->data[i]))
      return capi_trap_message("result has no wasm.h type");
  return NULL;
}

/* A trap (the caller's) when the call fails, NULL when it returns. */
wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results) {
  const capi_obj *o = OBJ(func);
  const weft_valtype *p, *r;
  uint32_t np, nr;
  weft_func_type(o->of.func, &p, &np, &r, &nr);
  weft_val small[CAPI_SMALL_CALL], *vals = small;
  if (np + nr > CAPI_SMALL_CALL &&
      !(vals = calloc((size_t)np + nr, sizeof *vals)))
    return capi_trap_message("out of memory");
  wasm_trap_t *trap = NULL;
  const char *why = call_args(o, args, p, np, vals);
  weft_error err;
  if (why)
    trap = capi_trap_message(why);
  else if (weft_func_call(o->store->engine, o->of.func, vals, np, vals + np, nr,
                          &err) != WEFT_OK)
    trap = capi_trap_error(o->store, &err);
  else
    trap = call_results(o, vals + np, nr, results);
  if (vals != small)
    free(vals);
  return trap;
}

/* ---- globals ------------------------------------------------------------ */

wasm_global_t *wasm_global_new(wasm_store_t *store,
                               const wasm_globaltype_t *type,
                               const wasm_val_t *val) {
  weft_val v;
  weft_global *g;
  if (!type || !val ||
      val->kind != wasm_valtype_kind(wasm_globaltype_content(type)) ||
      !capi_val_to_weft(store, val, &v) ||
      weft_global_new(store->engine, v,
                      wasm_globaltype_mutability(type) == WASM_VAR, &g,
                      NULL) != WEFT_OK)
    return NULL;
  capi_obj *o = capi_obj_new(store, CAPI_GLOBAL, g);
  if (o)
    o->of.global = g;
  return (wasm_global_t *)o;
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *global) {
  weft_global *g = OBJ(global)->of.global;
  return wasm_globaltype_new(capi_valtype(weft_global_get(g).type),
                             weft_global_mutable(g) ? WASM_VAR : WASM_CONST);
}

/* A v128 global, which wasm.h cannot say, reads as a null externref. */
void wasm_global_get(const wasm_global_t *global, wasm_val_t *out) {
  weft_val v = weft_global_get(OBJ(global)->of.global);
  if (!capi_val_from_weft(OBJ(global)->store, &v, out)) {
    memset(out, 0, sizeof *out);
    out->kind = WASM_EXTERNREF;
  }
}

/* Does nothing for an immutable global or a value of the wrong type. */
void wasm_global_set(wasm_global_t *global, const wasm_val_t *val) {
  weft_val v;
  if (capi_val_to_weft(OBJ(global)->store, val, &v))
    weft_global_set(OBJ(global)->of.global, v, NULL);
}

/* ---- tables ------------------------------------------------------------- */

static uint32_t max_of(const wasm_limits_t *l) {
  return l->max == wasm_limits_max_default ? UINT32_MAX : l->max;
}

wasm_table_t *wasm_table_new(wasm_store_t *store, const wasm_tabletype_t *type,
                             wasm_ref_t *init) {
  if (!type)
    return NULL;
  wasm_valkind_t kind = wasm_valtype_kind(wasm_tabletype_element(type));
  const wasm_limits_t *l = wasm_tabletype_limits(type);
  void *ref;
  weft_table *t;
  if (!wasm_valkind_is_ref(kind) ||
      !capi_ref_to_weft(store, kind, init, &ref) ||
      weft_table_new(store->engine, capi_weft_type(kind), l->min, max_of(l),
                     ref, &t, NULL) != WEFT_OK)
    return NULL;
  capi_obj *o = capi_obj_new(store, CAPI_TABLE, t);
  if (o)
    o->of.table = t;
  return (wasm_table_t *)o;
}

/* The current type: its minimum is the current size. */
wasm_tabletype_t *wasm_table_type(const wasm_table_t *table) {
  weft_table *t = OBJ(table)->of.table;
  wasm_limits_t l = {weft_table_size(t), weft_table_max(t)};
  return wasm_tabletype_new(capi_valtype(weft_table_elem_type(t)), &l);
}

/* NULL for a null element and for an index out of bounds alike. */
wasm_ref_t *wasm_table_get(const wasm_table_t *table, wasm_table_size_t i) {
  weft_table *t = OBJ(table)->of.table;
  void *ref;
  if (weft_table_get(t, i, &ref, NULL) != WEFT_OK)
    return NULL;
  return capi_ref_from_weft(OBJ(table)->store, weft_table_elem_type(t), ref);
}

static wasm_valkind_t elem_kind(const weft_table *t) {
  return weft_table_elem_type(t) == WEFT_FUNCREF ? WASM_FUNCREF
                                                 : WASM_EXTERNREF;
}

bool wasm_table_set(wasm_table_t *table, wasm_table_size_t i, wasm_ref_t *r) {
  weft_table *t = OBJ(table)->of.table;
  void *ref;
  return capi_ref_to_weft(OBJ(table)->store, elem_kind(t), r, &ref) &&
         weft_table_set(t, i, ref, NULL) == WEFT_OK;
}

wasm_table_size_t wasm_table_size(const wasm_table_t *table) {
  return weft_table_size(OBJ(table)->of.table);
}

bool wasm_table_grow(wasm_table_t *table, wasm_table_size_t delta,
                     wasm_ref_t *init) {
  weft_table *t = OBJ(table)->of.table;
  void *ref;
  return capi_ref_to_weft(OBJ(table)->store, elem_kind(t), init, &ref) &&
         weft_table_grow(t, delta, ref) >= 0;
}

/* ---- memories ----------------------------------------------------------- */

wasm_memory_t *wasm_memory_new(wasm_store_t *store,
                               const wasm_memorytype_t *type) {
  weft_memory *m;
  if (!type)
    return NULL;
  const wasm_limits_t *l = wasm_memorytype_limits(type);
  if (weft_memory_new(store->engine, l->min, max_of(l), &m, NULL) != WEFT_OK)
    return NULL;
  capi_obj *o = capi_obj_new(store, CAPI_MEMORY, m);
  if (o)
    o->of.memory = m;
  return (wasm_memory_t *)o;
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *memory) {
  weft_memory *m = OBJ(memory)->of.memory;
  wasm_limits_t l = {(uint32_t)(weft_memory_size(m) / MEMORY_PAGE_SIZE),
                     weft_memory_max_pages(m)};
  return wasm_memorytype_new(&l);
}

byte_t *wasm_memory_data(wasm_memory_t *memory) {
  return (byte_t *)weft_memory_data(OBJ(memory)->of.memory);
}

size_t wasm_memory_data_size(const wasm_memory_t *memory) {
  return (size_t)weft_memory_size(OBJ(memory)->of.memory);
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *memory) {
  return (wasm_memory_pages_t)(weft_memory_size(OBJ(memory)->of.memory) /
                               MEMORY_PAGE_SIZE);
}

bool wasm_memory_grow(wasm_memory_t *memory, wasm_memory_pages_t delta) {
  return weft_memory_grow(OBJ(memory)->of.memory, delta) >= 0;
}

/* ---- externs ------------------------------------------------------------ */

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e) {
  switch (OBJ(e)->kind) {
  case CAPI_FUNC: return WASM_EXTERN_FUNC;
  case CAPI_GLOBAL: return WASM_EXTERN_GLOBAL;
  case CAPI_TABLE: return WASM_EXTERN_TABLE;
  default: return WASM_EXTERN_MEMORY;
  }
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e) {
  switch (OBJ(e)->kind) {
  case CAPI_FUNC:
    return (wasm_externtype_t *)wasm_func_type((const wasm_func_t *)e);
  case CAPI_GLOBAL:
    return (wasm_externtype_t *)wasm_global_type((const wasm_global_t *)e);
  case CAPI_TABLE:
    return (wasm_externtype_t *)wasm_table_type((const wasm_table_t *)e);
  default:
    return (wasm_externtype_t *)wasm_memory_type((const wasm_memory_t *)e);
  }
}

/* Conversions between the four kinds and wasm_extern_t: casts, checked by
** kind on the way back. */
#define CAPI_AS_EXTERN(name, KIND)                                             \
  wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x) {                 \
    return (wasm_extern_t *)x;                                                 \
  }                                                                            \
  const wasm_extern_t *wasm_##name##_as_extern_const(                          \
      const wasm_##name##_t *x) {                                              \
    return (const wasm_extern_t *)x;                                           \
  }                                                                            \
  wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e) {                   \
    return e && OBJ(e)->kind == KIND ? (wasm_##name##_t *)e : NULL;            \
  }                                                                            \
  const wasm_##name##_t *wasm_extern_as_##name##_const(                        \
      const wasm_extern_t *e) {                                                \
    return e && OBJ(e)->kind == KIND ? (const wasm_##name##_t *)e : NULL;      \
  }

CAPI_AS_EXTERN(func, CAPI_FUNC)
CAPI_AS_EXTERN(global, CAPI_GLOBAL)
CAPI_AS_EXTERN(table, CAPI_TABLE)
CAPI_AS_EXTERN(memory, CAPI_MEMORY)
