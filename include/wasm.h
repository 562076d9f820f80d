/*
** wasm.h — weft's declaration of the standard WebAssembly C API
** (WebAssembly/wasm-c-api, the revision wasmtime, Wasmer and WAMR track),
** implemented by libweft-wasm over weft's own API (capi/, docs/c-api.md).
** Written for weft from the API's definition: every name, type layout and
** constant below is part of that interface, so programs written for the
** standard header build against this one unchanged.
**
** Ownership, in one place rather than on every line: a function named
** *_new, *_copy, *_type, *_share, *_obtain, *_get (tables), *_origin, or
** one that fills an `out` vector, gives its result to the caller, who
** releases it with the matching *_delete. Pointer arguments named in a
** *_new call that take a vector (functype, importtype, exporttype) take
** that vector's contents over. Everything else is borrowed.
*/
#ifndef WASM_H
#define WASM_H

#include <assert.h> /* the interface has always brought it in */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported from libweft-wasm.so; hidden inside weft's own build otherwise
** (capi/ defines it as default visibility before including this file). */
#ifndef WASM_API_EXTERN
#define WASM_API_EXTERN
#endif

/* Scalar names the interface uses. */
typedef char byte_t;
typedef float float32_t;
typedef double float64_t;

/* ---- declaration helpers (weft's own; not part of the interface) ------- */

/* An owned object type: the opaque struct and its destructor. */
#define WEFT_WASM_OWN(n)                                                       \
  typedef struct wasm_##n##_t wasm_##n##_t;                                    \
  WASM_API_EXTERN void wasm_##n##_delete(wasm_##n##_t *);

/* A vector of `E` elements (E is `wasm_n_t` or `wasm_n_t *`): size and
** data, and its constructors. */
#define WEFT_WASM_VEC(n, E)                                                    \
  typedef struct wasm_##n##_vec_t {                                            \
    size_t size;                                                               \
    E *data;                                                                   \
  } wasm_##n##_vec_t;                                                          \
  WASM_API_EXTERN void wasm_##n##_vec_new_empty(wasm_##n##_vec_t *out);        \
  WASM_API_EXTERN void wasm_##n##_vec_new_uninitialized(wasm_##n##_vec_t *out, \
                                                        size_t size);          \
  WASM_API_EXTERN void wasm_##n##_vec_new(wasm_##n##_vec_t *out, size_t size,  \
                                          E const data[]);                     \
  WASM_API_EXTERN void wasm_##n##_vec_copy(wasm_##n##_vec_t *out,              \
                                           const wasm_##n##_vec_t *src);       \
  WASM_API_EXTERN void wasm_##n##_vec_delete(wasm_##n##_vec_t *);

/* A type object: owned, copyable, with a vector of pointers to it. */
#define WEFT_WASM_TYPE(n)                                                      \
  WEFT_WASM_OWN(n)                                                             \
  WEFT_WASM_VEC(n, wasm_##n##_t *)                                             \
  WASM_API_EXTERN wasm_##n##_t *wasm_##n##_copy(const wasm_##n##_t *);

/* A reference-like object: copy, identity and host information. */
#define WEFT_WASM_REF_BASE(n)                                                  \
  WEFT_WASM_OWN(n)                                                             \
  WASM_API_EXTERN wasm_##n##_t *wasm_##n##_copy(const wasm_##n##_t *);         \
  WASM_API_EXTERN bool wasm_##n##_same(const wasm_##n##_t *,                   \
                                       const wasm_##n##_t *);                  \
  WASM_API_EXTERN void *wasm_##n##_get_host_info(const wasm_##n##_t *);        \
  WASM_API_EXTERN void wasm_##n##_set_host_info(wasm_##n##_t *, void *);       \
  WASM_API_EXTERN void wasm_##n##_set_host_info_with_finalizer(                \
      wasm_##n##_t *, void *, void (*finalizer)(void *));

/* ...that also converts to and from wasm_ref_t. */
#define WEFT_WASM_REF(n)                                                       \
  WEFT_WASM_REF_BASE(n)                                                        \
  WASM_API_EXTERN wasm_ref_t *wasm_##n##_as_ref(wasm_##n##_t *);               \
  WASM_API_EXTERN wasm_##n##_t *wasm_ref_as_##n(wasm_ref_t *);                 \
  WASM_API_EXTERN const wasm_ref_t *wasm_##n##_as_ref_const(                   \
      const wasm_##n##_t *);                                                   \
  WASM_API_EXTERN const wasm_##n##_t *wasm_ref_as_##n##_const(                 \
      const wasm_ref_t *);

/* ...that can also cross to another store (another thread). */
#define WEFT_WASM_SHARABLE(n)                                                  \
  WEFT_WASM_REF(n)                                                             \
  WEFT_WASM_OWN(shared_##n)                                                    \
  WASM_API_EXTERN wasm_shared_##n##_t *wasm_##n##_share(const wasm_##n##_t *); \
  WASM_API_EXTERN wasm_##n##_t *wasm_##n##_obtain(                             \
      wasm_store_t *, const wasm_shared_##n##_t *);

/* ---- bytes and names --------------------------------------------------- */

typedef byte_t wasm_byte_t;
WEFT_WASM_VEC(byte, wasm_byte_t)

/* A name is a byte vector, not NUL-terminated unless made with _nt. */
typedef wasm_byte_vec_t wasm_name_t;
#define wasm_name wasm_byte_vec
#define wasm_name_new wasm_byte_vec_new
#define wasm_name_new_empty wasm_byte_vec_new_empty
#define wasm_name_new_new_uninitialized wasm_byte_vec_new_uninitialized
#define wasm_name_copy wasm_byte_vec_copy
#define wasm_name_delete wasm_byte_vec_delete

static inline void wasm_name_new_from_string(wasm_name_t *out, const char *s) {
  wasm_byte_vec_new(out, strlen(s), s);
}

/* The same with the terminating NUL counted in the size. */
static inline void wasm_name_new_from_string_nt(wasm_name_t *out,
                                                const char *s) {
  wasm_byte_vec_new(out, strlen(s) + 1, s);
}

/* ---- configuration, engine, store -------------------------------------- */

WEFT_WASM_OWN(config)
WASM_API_EXTERN wasm_config_t *wasm_config_new(void);

/* One engine may serve stores on any number of threads. */
WEFT_WASM_OWN(engine)
WASM_API_EXTERN wasm_engine_t *wasm_engine_new(void);
/* Takes the config over. */
WASM_API_EXTERN wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *);

/* A store and everything made in it belong to one thread at a time. */
WEFT_WASM_OWN(store)
WASM_API_EXTERN wasm_store_t *wasm_store_new(wasm_engine_t *);

/* ---- types ------------------------------------------------------------- */

typedef uint8_t wasm_mutability_t;
enum wasm_mutability_enum { WASM_CONST, WASM_VAR };

typedef struct wasm_limits_t {
  uint32_t min;
  uint32_t max; /* wasm_limits_max_default: no maximum */
} wasm_limits_t;
static const uint32_t wasm_limits_max_default = 0xffffffffu;

WEFT_WASM_TYPE(valtype)

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
  WASM_I32 = 0,
  WASM_I64 = 1,
  WASM_F32 = 2,
  WASM_F64 = 3,
  WASM_EXTERNREF = 128, /* kinds from here on are references */
  WASM_FUNCREF = 129
};

WASM_API_EXTERN wasm_valtype_t *wasm_valtype_new(wasm_valkind_t);
WASM_API_EXTERN wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *);

static inline bool wasm_valkind_is_num(wasm_valkind_t kind) {
  return kind < WASM_EXTERNREF;
}
static inline bool wasm_valkind_is_ref(wasm_valkind_t kind) {
  return !wasm_valkind_is_num(kind);
}
static inline bool wasm_valtype_is_num(const wasm_valtype_t *type) {
  return wasm_valkind_is_num(wasm_valtype_kind(type));
}
static inline bool wasm_valtype_is_ref(const wasm_valtype_t *type) {
  return wasm_valkind_is_ref(wasm_valtype_kind(type));
}

WEFT_WASM_TYPE(functype)
/* Takes both vectors' contents over. */
WASM_API_EXTERN wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params,
                                                   wasm_valtype_vec_t *results);
WASM_API_EXTERN const wasm_valtype_vec_t *
wasm_functype_params(const wasm_functype_t *);
WASM_API_EXTERN const wasm_valtype_vec_t *
wasm_functype_results(const wasm_functype_t *);

WEFT_WASM_TYPE(globaltype)
/* Takes the value type over. */
WASM_API_EXTERN wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *,
                                                       wasm_mutability_t);
WASM_API_EXTERN const wasm_valtype_t *
wasm_globaltype_content(const wasm_globaltype_t *);
WASM_API_EXTERN wasm_mutability_t
wasm_globaltype_mutability(const wasm_globaltype_t *);

WEFT_WASM_TYPE(tabletype)
/* Takes the element type over. */
WASM_API_EXTERN wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *,
                                                     const wasm_limits_t *);
WASM_API_EXTERN const wasm_valtype_t *
wasm_tabletype_element(const wasm_tabletype_t *);
WASM_API_EXTERN const wasm_limits_t *
wasm_tabletype_limits(const wasm_tabletype_t *);

WEFT_WASM_TYPE(memorytype)
WASM_API_EXTERN wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *);
WASM_API_EXTERN const wasm_limits_t *
wasm_memorytype_limits(const wasm_memorytype_t *);

/* An extern type is one of the four above, seen through a common handle;
** the conversions return the same object, never a copy. */
WEFT_WASM_TYPE(externtype)

typedef uint8_t wasm_externkind_t;
enum wasm_externkind_enum {
  WASM_EXTERN_FUNC = 0,
  WASM_EXTERN_GLOBAL = 1,
  WASM_EXTERN_TABLE = 2,
  WASM_EXTERN_MEMORY = 3
};

WASM_API_EXTERN wasm_externkind_t
wasm_externtype_kind(const wasm_externtype_t *);

/* wasm_T_as_externtype, wasm_externtype_as_T and their _const forms. */
#define WEFT_WASM_EXTERNTYPE_CAST(T)                                           \
  WASM_API_EXTERN wasm_externtype_t *wasm_##T##_as_externtype(wasm_##T##_t *); \
  WASM_API_EXTERN wasm_##T##_t *wasm_externtype_as_##T(wasm_externtype_t *);   \
  WASM_API_EXTERN const wasm_externtype_t *wasm_##T##_as_externtype_const(     \
      const wasm_##T##_t *);                                                   \
  WASM_API_EXTERN const wasm_##T##_t *wasm_externtype_as_##T##_const(          \
      const wasm_externtype_t *);
WEFT_WASM_EXTERNTYPE_CAST(functype)
WEFT_WASM_EXTERNTYPE_CAST(globaltype)
WEFT_WASM_EXTERNTYPE_CAST(tabletype)
WEFT_WASM_EXTERNTYPE_CAST(memorytype)

WEFT_WASM_TYPE(importtype)
/* Takes the names and the type over. */
WASM_API_EXTERN wasm_importtype_t *wasm_importtype_new(wasm_name_t *module,
                                                       wasm_name_t *name,
                                                       wasm_externtype_t *);
WASM_API_EXTERN const wasm_name_t *
wasm_importtype_module(const wasm_importtype_t *);
WASM_API_EXTERN const wasm_name_t *
wasm_importtype_name(const wasm_importtype_t *);
WASM_API_EXTERN const wasm_externtype_t *
wasm_importtype_type(const wasm_importtype_t *);

WEFT_WASM_TYPE(exporttype)
/* Takes the name and the type over. */
WASM_API_EXTERN wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *,
                                                       wasm_externtype_t *);
WASM_API_EXTERN const wasm_name_t *
wasm_exporttype_name(const wasm_exporttype_t *);
WASM_API_EXTERN const wasm_externtype_t *
wasm_exporttype_type(const wasm_exporttype_t *);

/* ---- values ------------------------------------------------------------ */

struct wasm_ref_t;

typedef struct wasm_val_t {
  wasm_valkind_t kind;
  union {
    int32_t i32;
    int64_t i64;
    float32_t f32;
    float64_t f64;
    struct wasm_ref_t *ref; /* externref and funcref; NULL is null */
  } of;
} wasm_val_t;

WASM_API_EXTERN void wasm_val_delete(wasm_val_t *);
WASM_API_EXTERN void wasm_val_copy(wasm_val_t *out, const wasm_val_t *);

WEFT_WASM_VEC(val, wasm_val_t)

/* ---- references, frames, traps, foreign objects ------------------------ */

WEFT_WASM_REF_BASE(ref)

WEFT_WASM_OWN(frame)
WEFT_WASM_VEC(frame, wasm_frame_t *)
WASM_API_EXTERN wasm_frame_t *wasm_frame_copy(const wasm_frame_t *);
WASM_API_EXTERN struct wasm_instance_t *
wasm_frame_instance(const wasm_frame_t *);
WASM_API_EXTERN uint32_t wasm_frame_func_index(const wasm_frame_t *);
/* Offsets in bytes: from the function body's start and from the module's. */
WASM_API_EXTERN size_t wasm_frame_func_offset(const wasm_frame_t *);
WASM_API_EXTERN size_t wasm_frame_module_offset(const wasm_frame_t *);

/* A trap message is NUL-terminated, its size counting the NUL. */
typedef wasm_name_t wasm_message_t;

WEFT_WASM_REF(trap)
WASM_API_EXTERN wasm_trap_t *wasm_trap_new(wasm_store_t *store,
                                           const wasm_message_t *);
WASM_API_EXTERN void wasm_trap_message(const wasm_trap_t *,
                                       wasm_message_t *out);
/* NULL when the trap has no frame. */
WASM_API_EXTERN wasm_frame_t *wasm_trap_origin(const wasm_trap_t *);
WASM_API_EXTERN void wasm_trap_trace(const wasm_trap_t *,
                                     wasm_frame_vec_t *out);

WEFT_WASM_REF(foreign)
WASM_API_EXTERN wasm_foreign_t *wasm_foreign_new(wasm_store_t *);

/* ---- modules ----------------------------------------------------------- */

WEFT_WASM_SHARABLE(module)
/* NULL when the binary is malformed or invalid. */
WASM_API_EXTERN wasm_module_t *wasm_module_new(wasm_store_t *,
                                               const wasm_byte_vec_t *binary);
WASM_API_EXTERN bool wasm_module_validate(wasm_store_t *,
                                          const wasm_byte_vec_t *binary);
WASM_API_EXTERN void wasm_module_imports(const wasm_module_t *,
                                         wasm_importtype_vec_t *out);
WASM_API_EXTERN void wasm_module_exports(const wasm_module_t *,
                                         wasm_exporttype_vec_t *out);
WASM_API_EXTERN void wasm_module_serialize(const wasm_module_t *,
                                           wasm_byte_vec_t *out);
WASM_API_EXTERN wasm_module_t *wasm_module_deserialize(wasm_store_t *,
                                                       const wasm_byte_vec_t *);

/* ---- functions --------------------------------------------------------- */

WEFT_WASM_REF(func)

/* A host function: reads args, fills results (already sized to the
** function type), returns NULL or a trap the caller then owns. */
typedef wasm_trap_t *(*wasm_func_callback_t)(const wasm_val_vec_t *args,
                                             wasm_val_vec_t *results);
typedef wasm_trap_t *(*wasm_func_callback_with_env_t)(
    void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results);

WASM_API_EXTERN wasm_func_t *
wasm_func_new(wasm_store_t *, const wasm_functype_t *, wasm_func_callback_t);
/* finalizer(env), when not NULL, runs once the function is gone. */
WASM_API_EXTERN wasm_func_t *
wasm_func_new_with_env(wasm_store_t *, const wasm_functype_t *type,
                       wasm_func_callback_with_env_t, void *env,
                       void (*finalizer)(void *));
WASM_API_EXTERN wasm_functype_t *wasm_func_type(const wasm_func_t *);
WASM_API_EXTERN size_t wasm_func_param_arity(const wasm_func_t *);
WASM_API_EXTERN size_t wasm_func_result_arity(const wasm_func_t *);
/* NULL on success, else the trap (the caller's). */
WASM_API_EXTERN wasm_trap_t *wasm_func_call(const wasm_func_t *,
                                            const wasm_val_vec_t *args,
                                            wasm_val_vec_t *results);

/* ---- globals, tables, memories ----------------------------------------- */

WEFT_WASM_REF(global)
WASM_API_EXTERN wasm_global_t *
wasm_global_new(wasm_store_t *, const wasm_globaltype_t *, const wasm_val_t *);
WASM_API_EXTERN wasm_globaltype_t *wasm_global_type(const wasm_global_t *);
WASM_API_EXTERN void wasm_global_get(const wasm_global_t *, wasm_val_t *out);
WASM_API_EXTERN void wasm_global_set(wasm_global_t *, const wasm_val_t *);

WEFT_WASM_REF(table)
typedef uint32_t wasm_table_size_t;
WASM_API_EXTERN wasm_table_t *
wasm_table_new(wasm_store_t *, const wasm_tabletype_t *, wasm_ref_t *init);
WASM_API_EXTERN wasm_tabletype_t *wasm_table_type(const wasm_table_t *);
WASM_API_EXTERN wasm_ref_t *wasm_table_get(const wasm_table_t *,
                                           wasm_table_size_t index);
WASM_API_EXTERN bool wasm_table_set(wasm_table_t *, wasm_table_size_t index,
                                    wasm_ref_t *);
WASM_API_EXTERN wasm_table_size_t wasm_table_size(const wasm_table_t *);
WASM_API_EXTERN bool wasm_table_grow(wasm_table_t *, wasm_table_size_t delta,
                                     wasm_ref_t *init);

WEFT_WASM_REF(memory)
typedef uint32_t wasm_memory_pages_t;
static const size_t MEMORY_PAGE_SIZE = 65536;
WASM_API_EXTERN wasm_memory_t *wasm_memory_new(wasm_store_t *,
                                               const wasm_memorytype_t *);
WASM_API_EXTERN wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *);
WASM_API_EXTERN byte_t *wasm_memory_data(wasm_memory_t *);
WASM_API_EXTERN size_t wasm_memory_data_size(const wasm_memory_t *);
WASM_API_EXTERN wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *);
WASM_API_EXTERN bool wasm_memory_grow(wasm_memory_t *,
                                      wasm_memory_pages_t delta);

/* ---- externals --------------------------------------------------------- */

WEFT_WASM_REF(extern)
WEFT_WASM_VEC(extern, wasm_extern_t *)

WASM_API_EXTERN wasm_externkind_t wasm_extern_kind(const wasm_extern_t *);
WASM_API_EXTERN wasm_externtype_t *wasm_extern_type(const wasm_extern_t *);

/* wasm_T_as_extern, wasm_extern_as_T and their _const forms. */
#define WEFT_WASM_EXTERN_CAST(T)                                               \
  WASM_API_EXTERN wasm_extern_t *wasm_##T##_as_extern(wasm_##T##_t *);         \
  WASM_API_EXTERN wasm_##T##_t *wasm_extern_as_##T(wasm_extern_t *);           \
  WASM_API_EXTERN const wasm_extern_t *wasm_##T##_as_extern_const(             \
      const wasm_##T##_t *);                                                   \
  WASM_API_EXTERN const wasm_##T##_t *wasm_extern_as_##T##_const(              \
      const wasm_extern_t *);
WEFT_WASM_EXTERN_CAST(func)
WEFT_WASM_EXTERN_CAST(global)
WEFT_WASM_EXTERN_CAST(table)
WEFT_WASM_EXTERN_CAST(memory)

/* ---- instances --------------------------------------------------------- */

WEFT_WASM_REF(instance)
/* imports in the module's import order. On failure returns NULL and, when
** trap is not NULL, stores the trap there (or NULL for a link error). */
WASM_API_EXTERN wasm_instance_t *
wasm_instance_new(wasm_store_t *, const wasm_module_t *,
                  const wasm_extern_vec_t *imports, wasm_trap_t **trap);
WASM_API_EXTERN void wasm_instance_exports(const wasm_instance_t *,
                                           wasm_extern_vec_t *out);

/* ---- shorthands -------------------------------------------------------- */

/* Initializers for a vector variable: empty, or over an array in scope. */
#define WASM_EMPTY_VEC                                                         \
  { 0, NULL }
#define WASM_ARRAY_VEC(array)                                                  \
  { sizeof(array) / sizeof(*(array)), array }

static inline wasm_valtype_t *wasm_valtype_new_i32(void) {
  return wasm_valtype_new(WASM_I32);
}
static inline wasm_valtype_t *wasm_valtype_new_i64(void) {
  return wasm_valtype_new(WASM_I64);
}
static inline wasm_valtype_t *wasm_valtype_new_f32(void) {
  return wasm_valtype_new(WASM_F32);
}
static inline wasm_valtype_t *wasm_valtype_new_f64(void) {
  return wasm_valtype_new(WASM_F64);
}
static inline wasm_valtype_t *wasm_valtype_new_externref(void) {
  return wasm_valtype_new(WASM_EXTERNREF);
}
static inline wasm_valtype_t *wasm_valtype_new_funcref(void) {
  return wasm_valtype_new(WASM_FUNCREF);
}

/* wasm_functype_new_P_R: a function type from P parameter and R result
** types, taken over. All go through one helper over two small arrays. */
static inline wasm_functype_t *weft_wasm_functype_of(size_t np,
                                                     wasm_valtype_t *const *p,
                                                     size_t nr,
                                                     wasm_valtype_t *const *r) {
  wasm_valtype_vec_t params, results;
  wasm_valtype_vec_new(&params, np, p);
  wasm_valtype_vec_new(&results, nr, r);
  return wasm_functype_new(&params, &results);
}
static inline wasm_functype_t *wasm_functype_new_0_0(void) {
  return weft_wasm_functype_of(0, NULL, 0, NULL);
}
static inline wasm_functype_t *wasm_functype_new_1_0(wasm_valtype_t *p) {
  wasm_valtype_t *ps[] = {p};
  return weft_wasm_functype_of(1, ps, 0, NULL);
}
static inline wasm_functype_t *wasm_functype_new_2_0(wasm_valtype_t *p1,
                                                     wasm_valtype_t *p2) {
  wasm_valtype_t *ps[] = {p1, p2};
  return weft_wasm_functype_of(2, ps, 0, NULL);
}
static inline wasm_functype_t *wasm_functype_new_3_0(wasm_valtype_t *p1,
                                                     wasm_valtype_t *p2,
                                                     wasm_valtype_t *p3) {
  wasm_valtype_t *ps[] = {p1, p2, p3};
  return weft_wasm_functype_of(3, ps, 0, NULL);
}
static inline wasm_functype_t *wasm_functype_new_0_1(wasm_valtype_t *r) {
  wasm_valtype_t *rs[] = {r};
  return weft_wasm_functype_of(0, NULL, 1, rs);
}
static inline wasm_functype_t *wasm_functype_new_1_1(wasm_valtype_t *p,
                                                     wasm_valtype_t *r) {
  wasm_valtype_t *ps[] = {p}, *rs[] = {r};
  return weft_wasm_functype_of(1, ps, 1, rs);
}
static inline wasm_functype_t *wasm_functype_new_2_1(wasm_valtype_t *p1,
                                                     wasm_valtype_t *p2,
                                                     wasm_valtype_t *r) {
  wasm_valtype_t *ps[] = {p1, p2}, *rs[] = {r};
  return weft_wasm_functype_of(2, ps, 1, rs);
}
static inline wasm_functype_t *wasm_functype_new_3_1(wasm_valtype_t *p1,
                                                     wasm_valtype_t *p2,
                                                     wasm_valtype_t *p3,
                                                     wasm_valtype_t *r) {
  wasm_valtype_t *ps[] = {p1, p2, p3}, *rs[] = {r};
  return weft_wasm_functype_of(3, ps, 1, rs);
}
static inline wasm_functype_t *wasm_functype_new_0_2(wasm_valtype_t *r1,
                                                     wasm_valtype_t *r2) {
  wasm_valtype_t *rs[] = {r1, r2};
  return weft_wasm_functype_of(0, NULL, 2, rs);
}
static inline wasm_functype_t *wasm_functype_new_1_2(wasm_valtype_t *p,
                                                     wasm_valtype_t *r1,
                                                     wasm_valtype_t *r2) {
  wasm_valtype_t *ps[] = {p}, *rs[] = {r1, r2};
  return weft_wasm_functype_of(1, ps, 2, rs);
}
static inline wasm_functype_t *wasm_functype_new_2_2(wasm_valtype_t *p1,
                                                     wasm_valtype_t *p2,
                                                     wasm_valtype_t *r1,
                                                     wasm_valtype_t *r2) {
  wasm_valtype_t *ps[] = {p1, p2}, *rs[] = {r1, r2};
  return weft_wasm_functype_of(2, ps, 2, rs);
}
static inline wasm_functype_t *wasm_functype_new_3_2(wasm_valtype_t *p1,
                                                     wasm_valtype_t *p2,
                                                     wasm_valtype_t *p3,
                                                     wasm_valtype_t *r1,
                                                     wasm_valtype_t *r2) {
  wasm_valtype_t *ps[] = {p1, p2, p3}, *rs[] = {r1, r2};
  return weft_wasm_functype_of(3, ps, 2, rs);
}

/* A host pointer carried in an integer value of the pointer's width. */
static inline void wasm_val_init_ptr(wasm_val_t *out, void *p) {
  if (sizeof(void *) == sizeof(int32_t)) {
    out->kind = WASM_I32;
    out->of.i32 = (int32_t)(intptr_t)p;
  } else {
    out->kind = WASM_I64;
    out->of.i64 = (int64_t)(intptr_t)p;
  }
}
static inline void *wasm_val_ptr(const wasm_val_t *val) {
  if (sizeof(void *) == sizeof(int32_t))
    return (void *)(intptr_t)val->of.i32;
  return (void *)(intptr_t)val->of.i64;
}

/* Initializers for wasm_val_t variables. */
#define WASM_I32_VAL(x)                                                        \
  {                                                                            \
    .kind = WASM_I32, .of = {.i32 = (x) }                                      \
  }
#define WASM_I64_VAL(x)                                                        \
  {                                                                            \
    .kind = WASM_I64, .of = {.i64 = (x) }                                      \
  }
#define WASM_F32_VAL(x)                                                        \
  {                                                                            \
    .kind = WASM_F32, .of = {.f32 = (x) }                                      \
  }
#define WASM_F64_VAL(x)                                                        \
  {                                                                            \
    .kind = WASM_F64, .of = {.f64 = (x) }                                      \
  }
#define WASM_REF_VAL(x)                                                        \
  {                                                                            \
    .kind = WASM_EXTERNREF, .of = {.ref = (x) }                                \
  }
#define WASM_INIT_VAL                                                          \
  {                                                                            \
    .kind = WASM_EXTERNREF, .of = {.ref = NULL }                               \
  }

#ifdef __cplusplus
}
#endif
#endif /* WASM_H */
