/*
** capi_types.c — wasm.h's type descriptions: value types (shared constant
** objects, so copying and deleting them costs nothing and cannot fail),
** function, global, table, memory and extern types (one struct for all,
** see capi.h), import and export types, and their weft equivalents. A
** constructor whose allocation fails returns NULL.
*/
#include "capi.h"

static const struct wasm_valtype_t valtypes[] = {
    {WASM_I32}, {WASM_I64},       {WASM_F32},
    {WASM_F64}, {WASM_EXTERNREF}, {WASM_FUNCREF}};

/* ---- value types ------------------------------------------------------ */

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind) {
  for (size_t i = 0; i < sizeof valtypes / sizeof *valtypes; i++)
    if (valtypes[i].kind == kind)
      return (wasm_valtype_t *)&valtypes[i];
  return NULL;
}

wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t) {
  return t ? wasm_valtype_new(t->kind) : NULL;
}

void wasm_valtype_delete(wasm_valtype_t *t) { (void)t; }

wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t) { return t->kind; }

/* weft's value type for a wasm.h kind; 0 for none (v128 has no kind). */
weft_valtype capi_weft_type(wasm_valkind_t kind) {
  switch (kind) {
  case WASM_I32: return WEFT_I32;
  case WASM_I64: return WEFT_I64;
  case WASM_F32: return WEFT_F32;
  case WASM_F64: return WEFT_F64;
  case WASM_EXTERNREF: return WEFT_EXTERNREF;
  case WASM_FUNCREF: return WEFT_FUNCREF;
  default: return (weft_valtype)0;
  }
}

/* wasm.h's value type for weft's; NULL for v128, which wasm.h cannot say. */
wasm_valtype_t *capi_valtype(weft_valtype type) {
  switch (type) {
  case WEFT_I32: return wasm_valtype_new(WASM_I32);
  case WEFT_I64: return wasm_valtype_new(WASM_I64);
  case WEFT_F32: return wasm_valtype_new(WASM_F32);
  case WEFT_F64: return wasm_valtype_new(WASM_F64);
  case WEFT_EXTERNREF: return wasm_valtype_new(WASM_EXTERNREF);
  case WEFT_FUNCREF: return wasm_valtype_new(WASM_FUNCREF);
  default: return NULL;
  }
}

/* ---- extern types: one struct for every kind --------------------------- */

static wasm_externtype_t *externtype_new(wasm_externkind_t kind) {
  wasm_externtype_t *t = calloc(1, sizeof *t);
  if (t)
    t->kind = kind;
  return t;
}

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t) {
  return t->kind;
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t) {
  wasm_externtype_t *c = externtype_new(t->kind);
  if (!c)
    return NULL;
  *c = *t;
  wasm_valtype_vec_copy(&c->params, &t->params);
  wasm_valtype_vec_copy(&c->results, &t->results);
  if (c->params.size != t->params.size || c->results.size != t->results.size) {
    wasm_externtype_delete(c);
    return NULL;
  }
  return c;
}

void wasm_externtype_delete(wasm_externtype_t *t) {
  if (!t)
    return;
  wasm_valtype_vec_delete(&t->params);
  wasm_valtype_vec_delete(&t->results);
  free(t);
}

/* The kind-specific names of copy and delete, and the conversions to and
** from wasm_externtype_t, which are casts checked by kind. */
#define CAPI_EXTERNTYPE(name, KIND)                                            \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *t) {              \
    return (wasm_##name##_t *)wasm_externtype_copy(                            \
        (const wasm_externtype_t *)t);                                         \
  }                                                                            \
  void wasm_##name##_delete(wasm_##name##_t *t) {                              \
    wasm_externtype_delete((wasm_externtype_t *)t);                            \
  }                                                                            \
  wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t) {         \
    return (wasm_externtype_t *)t;                                             \
  }                                                                            \
  const wasm_externtype_t *wasm_##name##_as_externtype_const(                  \
      const wasm_##name##_t *t) {                                              \
    return (const wasm_externtype_t *)t;                                       \
  }                                                                            \
  wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *t) {           \
    return t && t->kind == KIND ? (wasm_##name##_t *)t : NULL;                 \
  }                                                                            \
  const wasm_##name##_t *wasm_externtype_as_##name##_const(                    \
      const wasm_externtype_t *t) {                                            \
    return t && t->kind == KIND ? (const wasm_##name##_t *)t : NULL;           \
  }

CAPI_EXTERNTYPE(functype, WASM_EXTERN_FUNC)
CAPI_EXTERNTYPE(globaltype, WASM_EXTERN_GLOBAL)
CAPI_EXTERNTYPE(tabletype, WASM_EXTERN_TABLE)
CAPI_EXTERNTYPE(memorytype, WASM_EXTERN_MEMORY)

#define AS_EXT(t) ((const wasm_externtype_t *)(t))

/* ---- function types ---------------------------------------------------- */

/* Takes the vectors' contents (they are left empty), even on failure. */
wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params,
                                   wasm_valtype_vec_t *results) {
  wasm_externtype_t *t = externtype_new(WASM_EXTERN_FUNC);
  if (!t) {
    wasm_valtype_vec_delete(params);
    wasm_valtype_vec_delete(results);
    return NULL;
  }
  t->params = *params;
  t->results = *results;
  wasm_valtype_vec_new_empty(params);
  wasm_valtype_vec_new_empty(results);
  return (wasm_functype_t *)t;
}

const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t) {
  return &AS_EXT(t)->params;
}

const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t) {
  return &AS_EXT(t)->results;
}

/* A wasm.h function type from weft's lists; NULL when a type has no
** wasm.h kind (v128) or memory runs out. */
wasm_functype_t *capi_functype_of(const weft_valtype *params, uint32_t np,
                                  const weft_valtype *results, uint32_t nr) {
  wasm_valtype_vec_t p, r;
  wasm_valtype_vec_new_uninitialized(&p, np);
  wasm_valtype_vec_new_uninitialized(&r, nr);
  bool ok = p.size == np && r.size == nr;
  for (uint32_t i = 0; ok && i < np; i++)
    ok = (p.data[i] = capi_valtype(params[i])) != NULL;
  for (uint32_t i = 0; ok && i < nr; i++)
    ok = (r.data[i] = capi_valtype(results[i])) != NULL;
  if (!ok) {
    wasm_valtype_vec_delete(&p);
    wasm_valtype_vec_delete(&r);
    return NULL;
  }
  return wasm_functype_new(&p, &r);
}

/* ---- global, table and memory types ------------------------------------ */

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content,
                                       wasm_mutability_t mutability) {
  wasm_externtype_t *t = externtype_new(WASM_EXTERN_GLOBAL);
  if (!t || !content) {
    free(t);
    return NULL;
  }
  t->content = content;
  t->mutability = mutability;
  return (wasm_globaltype_t *)t;
}

const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t) {
  return AS_EXT(t)->content;
}

wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t) {
  return AS_EXT(t)->mutability;
}

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *element,
                                     const wasm_limits_t *limits) {
  wasm_externtype_t *t = externtype_new(WASM_EXTERN_TABLE);
  if (!t || !element || !limits) {
    free(t);
    return NULL;
  }
  t->content = element;
  t->limits = *limits;
  return (wasm_tabletype_t *)t;
}

const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t) {
  return AS_EXT(t)->content;
}

const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t) {
  return &AS_EXT(t)->limits;
}

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits) {
  wasm_externtype_t *t = externtype_new(WASM_EXTERN_MEMORY);
  if (!t || !limits) {
    free(t);
    return NULL;
  }
  t->limits = *limits;
  return (wasm_memorytype_t *)t;
}

const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t) {
  return &AS_EXT(t)->limits;
}

static wasm_limits_t limits_of(uint64_t min, uint64_t max) {
  wasm_limits_t l;
  l.min = min > UINT32_MAX ? UINT32_MAX : (uint32_t)min;
  l.max = max > UINT32_MAX ? wasm_limits_max_default : (uint32_t)max;
  return l;
}

/* wasm.h's type for an import's or export's weft type; NULL when it has no
** wasm.h form (a v128 global or parameter) or memory runs out. */
wasm_externtype_t *capi_externtype_of(const weft_module *module,
                                      const weft_extern_type *type) {
  wasm_limits_t l = limits_of(type->min, type->max);
  const weft_valtype *p, *r;
  uint32_t np, nr;
  switch (type->kind) {
  case WEFT_EXTERN_FUNC:
    if (weft_module_func_type(module, type->func_type, &p, &np, &r, &nr))
      return NULL;
    return (wasm_externtype_t *)capi_functype_of(p, np, r, nr);
  case WEFT_EXTERN_GLOBAL:
    return (wasm_externtype_t *)wasm_globaltype_new(
        capi_valtype(type->value), type->mutable_ ? WASM_VAR : WASM_CONST);
  case WEFT_EXTERN_TABLE:
    return (wasm_externtype_t *)wasm_tabletype_new(capi_valtype(type->value),
                                                   &l);
  case WEFT_EXTERN_TAG: return NULL; /* exception handling: not in wasm.h */
  default: return (wasm_externtype_t *)wasm_memorytype_new(&l);
  }
}

/* ---- import and export types ------------------------------------------- */

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type) {
  wasm_importtype_t *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->module = *module;
  t->name = *name;
  t->type = type;
  wasm_byte_vec_new_empty(module);
  wasm_byte_vec_new_empty(name);
  return t;
}

const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t) {
  return &t->module;
}
const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t) {
  return &t->name;
}
const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t) {
  return t->type;
}

wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t) {
  wasm_name_t m, n;
  wasm_byte_vec_copy(&m, &t->module);
  wasm_byte_vec_copy(&n, &t->name);
  wasm_externtype_t *type = wasm_externtype_copy(t->type);
  wasm_importtype_t *c = type ? wasm_importtype_new(&m, &n, type) : NULL;
  if (!c) {
    wasm_byte_vec_delete(&m);
    wasm_byte_vec_delete(&n);
    wasm_externtype_delete(type);
  }
  return c;
}

void wasm_importtype_delete(wasm_importtype_t *t) {
  if (!t)
    return;
  wasm_byte_vec_delete(&t->module);
  wasm_byte_vec_delete(&t->name);
  wasm_externtype_delete(t->type);
  free(t);
}

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name,
                                       wasm_externtype_t *type) {
  wasm_exporttype_t *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->name = *name;
  t->type = type;
  wasm_byte_vec_new_empty(name);
  return t;
}

const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t) {
  return &t->name;
}
const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t) {
  return t->type;
}

wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t) {
  wasm_name_t n;
  wasm_byte_vec_copy(&n, &t->name);
  wasm_externtype_t *type = wasm_externtype_copy(t->type);
  wasm_exporttype_t *c = type ? wasm_exporttype_new(&n, type) : NULL;
  if (!c) {
    wasm_byte_vec_delete(&n);
    wasm_externtype_delete(type);
  }
  return c;
}

void wasm_exporttype_delete(wasm_exporttype_t *t) {
  if (!t)
    return;
  wasm_byte_vec_delete(&t->name);
  wasm_externtype_delete(t->type);
  free(t);
}
