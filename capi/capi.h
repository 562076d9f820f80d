/*
** capi.h — the objects behind wasm.h's handles, shared by the capi/ files. The
** layer sees weft only through include/weft.h (never src/), and wasm.h
** comes from the build's -I (WEFT_WASM_C_API_DIR), not from this tree.
*/
#ifndef WEFT_CAPI_H
#define WEFT_CAPI_H

#include <stdlib.h>
#include <string.h>

#include "wasm.h"
#include "weft.h"
#include "weft_wasi.h"

/* Every extern type is one struct, whatever its kind, so the
** wasm_*type_as_externtype conversions are pointer casts. */
struct wasm_externtype_t {
  wasm_externkind_t kind;
  wasm_valtype_vec_t params;  /* FUNC */
  wasm_valtype_vec_t results; /* FUNC */
  wasm_valtype_t *content;    /* GLOBAL: value type; TABLE: element type */
  wasm_mutability_t mutability;
  wasm_limits_t limits; /* TABLE, MEMORY */
};

struct wasm_valtype_t {
  wasm_valkind_t kind;
};

struct wasm_importtype_t {
  wasm_name_t module;
  wasm_name_t name;
  wasm_externtype_t *type;
};

struct wasm_exporttype_t {
  wasm_name_t name;
  wasm_externtype_t *type;
};

struct wasm_frame_t {
  wasm_instance_t *instance; /* NULL when the layer has no handle for it */
  uint32_t func_index;
  size_t func_offset;
  size_t module_offset;
};

/* What a reference is. Store objects live until their store is deleted
** (weft's store semantics): deleting a handle to one does nothing, a copy
** is the same pointer. Modules and traps are the caller's, counted. */
enum capi_kind {
  CAPI_FOREIGN,
  CAPI_FUNC,
  CAPI_GLOBAL,
  CAPI_TABLE,
  CAPI_MEMORY,
  CAPI_INSTANCE,
  CAPI_MODULE, /* counted */
  CAPI_TRAP    /* counted */
};

/* One struct behind every reference type (wasm_ref_t, wasm_func_t,
** wasm_extern_t, ...), so the as_ref/as_extern conversions are casts. */
struct wasm_ref_t {
  enum capi_kind kind;
  uint32_t refs;           /* counted kinds only */
  wasm_store_t *store;     /* the owner (store objects), or NULL */
  struct wasm_ref_t *next; /* the store's list of its objects */
  void *host_info;
  void (*host_finalizer)(void *);
  union {
    weft_func *func;
    weft_global *global;
    weft_table *table;
    weft_memory *memory;
    weft_instance *instance;
    weft_module *module;
  } of;
  union {
    struct { /* CAPI_FUNC made by wasm_func_new[_with_env] */
      wasm_func_callback_t plain;
      wasm_func_callback_with_env_t with_env;
      void *env;
      void (*env_finalizer)(void *);
    } host;
    wasm_extern_vec_t exports; /* CAPI_INSTANCE: made on first request */
    struct {                   /* CAPI_TRAP */
      wasm_message_t message;  /* NUL-terminated */
      wasm_frame_vec_t trace;
      bool exited;       /* a program's proc_exit (weft_wasm_wasi.h) */
      int32_t exit_code; /* ...with this code */
    } trap;
  } u;
};

/* weft's engine is the store: a wasm_store_t owns one weft_engine and the
** objects made in it. `map` finds the object of a weft pointer, so one
** weft object always has one handle (identity, host info). */
struct wasm_store_t {
  weft_engine *engine;
  weft_wasi *wasi; /* weft_wasm_wasi_new; freed by wasm_store_delete */
  struct wasm_ref_t *objects;
  struct capi_map_entry *map;
  size_t map_cap, map_len;
};

struct capi_map_entry {
  const void *key;
  struct wasm_ref_t *obj;
};

struct wasm_engine_t {
  weft_config config;
};

struct wasm_config_t {
  weft_config config;
};

/* The handle type of every reference kind, for casts. */
typedef struct wasm_ref_t capi_obj;
#define CAPI_OBJ(p) ((capi_obj *)(p))

/* capi_store.c */
capi_obj *capi_obj_new(wasm_store_t *store, enum capi_kind kind,
                       const void *weft_ptr);
bool capi_obj_bind(wasm_store_t *store, capi_obj *obj, const void *weft_ptr);
capi_obj *capi_obj_find(const wasm_store_t *store, const void *weft_ptr);
capi_obj *capi_obj_of_func(wasm_store_t *store, weft_func *func);

/* capi_types.c */
wasm_valtype_t *capi_valtype(weft_valtype type);
weft_valtype capi_weft_type(wasm_valkind_t kind);
wasm_functype_t *capi_functype_of(const weft_valtype *params, uint32_t np,
                                  const weft_valtype *results, uint32_t nr);
wasm_externtype_t *capi_externtype_of(const weft_module *module,
                                      const weft_extern_type *type);

/* capi_val.c */
bool capi_val_to_weft(wasm_store_t *store, const wasm_val_t *in, weft_val *out);
bool capi_val_from_weft(wasm_store_t *store, const weft_val *in,
                        wasm_val_t *out);
bool capi_ref_to_weft(wasm_store_t *store, wasm_valkind_t kind,
                      const wasm_ref_t *ref, void **out);
wasm_ref_t *capi_ref_from_weft(wasm_store_t *store, weft_valtype type,
                               void *ref);

/* capi_module.c */
weft_extern capi_extern_to_weft(const capi_obj *obj);
capi_obj *capi_extern_from_weft(wasm_store_t *store, weft_extern ext);
wasm_instance_t *capi_instance_new(wasm_store_t *store,
                                   const wasm_module_t *module, weft_wasi *wasi,
                                   const wasm_extern_vec_t *imports,
                                   wasm_trap_t **trap);

/* capi_trap.c */
wasm_trap_t *capi_trap_message(const char *message);
wasm_trap_t *capi_trap_error(wasm_store_t *store, const weft_error *err);
void capi_trap_free(capi_obj *trap);

/* capi_vec.c: a vector of n elements of `size` bytes, zeroed; false (and
** an empty vector) when the size overflows or memory runs out. */
bool capi_vec_alloc(void **data, size_t *out_size, size_t n, size_t size);

#endif /* WEFT_CAPI_H */
