/*
** capi_store.c — configuration, engine and store, and the references every
** runtime object shares: one handle per weft object (found through the
** store's map), host information with finalizers, copy/same/delete, the
** conversions between reference kinds, and foreign objects. Store objects
** live as long as their store, as weft's do; modules and traps are counted.
*/
#include "capi.h"

/* ---- configuration and engine ------------------------------------------ */

wasm_config_t *wasm_config_new(void) {
  wasm_config_t *c = calloc(1, sizeof *c);
  if (c)
    weft_config_default(&c->config);
  return c;
}

void wasm_config_delete(wasm_config_t *c) { free(c); }

/* The engine holds only a weft_config: every store makes its own weft
** engine from it, so one wasm_engine_t serves stores on many threads. */
wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *config) {
  wasm_engine_t *e = calloc(1, sizeof *e);
  if (e && config)
    e->config = config->config;
  else if (e)
    weft_config_default(&e->config);
  wasm_config_delete(config);
  return e;
}

wasm_engine_t *wasm_engine_new(void) {
  return wasm_engine_new_with_config(NULL);
}

void wasm_engine_delete(wasm_engine_t *e) { free(e); }

/* ---- store ------------------------------------------------------------- */

wasm_store_t *wasm_store_new(wasm_engine_t *engine) {
  if (!engine)
    return NULL;
  wasm_store_t *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  if (weft_engine_new(&engine->config, &s->engine, NULL) != WEFT_OK) {
    free(s);
    return NULL;
  }
  return s;
}

/* Finalizers first, while every object is still there (a finalizer may
** look at its env), then the handles, then weft's engine and its objects. */
void wasm_store_delete(wasm_store_t *s) {
  if (!s)
    return;
  for (capi_obj *o = s->objects; o; o = o->next) {
    if (o->host_finalizer)
      o->host_finalizer(o->host_info);
    if (o->kind == CAPI_FUNC && o->u.host.env_finalizer)
      o->u.host.env_finalizer(o->u.host.env);
  }
  while (s->objects) {
    capi_obj *o = s->objects;
    s->objects = o->next;
    if (o->kind == CAPI_INSTANCE)
      free(o->u.exports.data); /* the elements are store objects */
    free(o);
  }
  free(s->map);
  weft_wasi_free(s->wasi); /* after the objects: no instance is left */
  weft_engine_free(s->engine);
  free(s);
}

/* ---- the map from weft objects to their handles ------------------------ */

static size_t slot_of(const void *key, size_t cap) {
  uintptr_t h = (uintptr_t)key;
  h ^= h >> 17;
  h *= (uintptr_t)0x9e3779b97f4a7c15ull;
  return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static void map_put(struct capi_map_entry *map, size_t cap, const void *key,
                    capi_obj *obj) {
  size_t i = slot_of(key, cap);
  while (map[i].key)
    i = (i + 1) & (cap - 1);
  map[i].key = key;
  map[i].obj = obj;
}

/* Room for one more entry at a load under one half. */
static bool map_reserve(wasm_store_t *s) {
  if ((s->map_len + 1) * 2 <= s->map_cap)
    return true;
  size_t cap = s->map_cap ? s->map_cap * 2 : 64;
  struct capi_map_entry *m = calloc(cap, sizeof *m);
  if (!m)
    return false;
  for (size_t i = 0; i < s->map_cap; i++)
    if (s->map[i].key)
      map_put(m, cap, s->map[i].key, s->map[i].obj);
  free(s->map);
  s->map = m;
  s->map_cap = cap;
  return true;
}

capi_obj *capi_obj_find(const wasm_store_t *s, const void *key) {
  if (!s->map_cap || !key)
    return NULL;
  for (size_t i = slot_of(key, s->map_cap); s->map[i].key;
       i = (i + 1) & (s->map_cap - 1))
    if (s->map[i].key == key)
      return s->map[i].obj;
  return NULL;
}

/* Register `o` as the handle of `weft_ptr`; false when memory runs out. */
bool capi_obj_bind(wasm_store_t *s, capi_obj *o, const void *weft_ptr) {
  if (!map_reserve(s))
    return false;
  map_put(s->map, s->map_cap, weft_ptr, o);
  s->map_len++;
  return true;
}

/* A new store object of `kind`, registered as the handle of `weft_ptr`
** (unless NULL: it is bound later, or never for foreign objects); NULL
** when memory runs out. */
capi_obj *capi_obj_new(wasm_store_t *s, enum capi_kind kind,
                       const void *weft_ptr) {
  if (weft_ptr && !map_reserve(s))
    return NULL;
  capi_obj *o = calloc(1, sizeof *o);
  if (!o)
    return NULL;
  o->kind = kind;
  o->store = s;
  o->next = s->objects;
  s->objects = o;
  if (weft_ptr)
    capi_obj_bind(s, o, weft_ptr); /* cannot fail: room was reserved */
  return o;
}

/* The handle of a weft function of this store, made on first sight (a
** function reached only through a table, say). */
capi_obj *capi_obj_of_func(wasm_store_t *s, weft_func *f) {
  capi_obj *o = capi_obj_find(s, f);
  if (o)
    return o;
  o = capi_obj_new(s, CAPI_FUNC, f);
  if (o)
    o->of.func = f;
  return o;
}

/* ---- references: copy, same, delete, host information ----------------- */

static bool counted(const capi_obj *o) {
  return o->kind == CAPI_MODULE || o->kind == CAPI_TRAP;
}

static capi_obj *ref_copy(const capi_obj *o) {
  if (!o)
    return NULL;
  capi_obj *c = (capi_obj *)o;
  if (counted(c))
    c->refs++;
  return c;
}

static void ref_delete(capi_obj *o) {
  if (!o || !counted(o) || --o->refs > 0)
    return;
  if (o->host_finalizer)
    o->host_finalizer(o->host_info);
  if (o->kind == CAPI_MODULE)
    weft_module_free(o->of.module);
  else
    capi_trap_free(o);
  free(o);
}

/* Conversions from wasm_ref_t check the kind; kind -1 (wasm_extern_t)
** accepts any of the four extern kinds. */
static bool kind_is(const capi_obj *o, int kind) {
  if (kind == -1)
    return o->kind >= CAPI_FUNC && o->kind <= CAPI_MEMORY;
  return (int)o->kind == kind;
}

#define CAPI_REF_BASE(name)                                                    \
  void wasm_##name##_delete(wasm_##name##_t *r) { ref_delete(CAPI_OBJ(r)); }   \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *r) {              \
    return (wasm_##name##_t *)ref_copy((const capi_obj *)r);                   \
  }                                                                            \
  bool wasm_##name##_same(const wasm_##name##_t *a,                            \
                          const wasm_##name##_t *b) {                          \
    return a == b;                                                             \
  }                                                                            \
  void *wasm_##name##_get_host_info(const wasm_##name##_t *r) {                \
    return ((const capi_obj *)r)->host_info;                                   \
  }                                                                            \
  void wasm_##name##_set_host_info(wasm_##name##_t *r, void *info) {           \
    CAPI_OBJ(r)->host_info = info;                                             \
    CAPI_OBJ(r)->host_finalizer = NULL;                                        \
  }                                                                            \
  void wasm_##name##_set_host_info_with_finalizer(                             \
      wasm_##name##_t *r, void *info, void (*fin)(void *)) {                   \
    CAPI_OBJ(r)->host_info = info;                                             \
    CAPI_OBJ(r)->host_finalizer = fin;                                         \
  }

#define CAPI_REF(name, KIND)                                                   \
  CAPI_REF_BASE(name)                                                          \
  wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *r) {                       \
    return (wasm_ref_t *)r;                                                    \
  }                                                                            \
  const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *r) {     \
    return (const wasm_ref_t *)r;                                              \
  }                                                                            \
  wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r) {                         \
    return r && kind_is(r, KIND) ? (wasm_##name##_t *)r : NULL;                \
  }                                                                            \
  const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r) {     \
    return r && kind_is(r, KIND) ? (const wasm_##name##_t *)r : NULL;          \
  }

CAPI_REF_BASE(ref)
CAPI_REF(foreign, CAPI_FOREIGN)
CAPI_REF(func, CAPI_FUNC)
CAPI_REF(global, CAPI_GLOBAL)
CAPI_REF(table, CAPI_TABLE)
CAPI_REF(memory, CAPI_MEMORY)
CAPI_REF(extern, -1)
CAPI_REF(instance, CAPI_INSTANCE)
CAPI_REF(module, CAPI_MODULE)
CAPI_REF(trap, CAPI_TRAP)

/* ---- foreign objects ---------------------------------------------------- */

wasm_foreign_t *wasm_foreign_new(wasm_store_t *s) {
  return (wasm_foreign_t *)capi_obj_new(s, CAPI_FOREIGN, NULL);
}
