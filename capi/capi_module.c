/*
** capi_module.c — modules (validate, compile, reflect, serialize, share)
** and instances (imports by position, exports as store objects). A module
** is a weft_module, which belongs to no engine: a shared module is a
** reference to the same weft_module, obtained in any store (of an engine
** with the same fuel setting) without loading it again, and a module of
** one store instantiates in another the same way. "Serialized" modules are
** the module's own bytes, decoded and validated again when brought back,
** so a hostile serialization is refused like a hostile binary.
*/
#include "capi.h"

struct wasm_shared_module_t {
  weft_module *module; /* one reference, dropped by the delete */
};

/* ---- modules ----------------------------------------------------------- */

bool wasm_module_validate(wasm_store_t *store, const wasm_byte_vec_t *binary) {
  weft_module *m;
  if (weft_module_load(store->engine, (const uint8_t *)binary->data,
                       binary->size, &m, NULL) != WEFT_OK)
    return false;
  weft_module_free(m);
  return true;
}

wasm_module_t *wasm_module_new(wasm_store_t *store,
                               const wasm_byte_vec_t *binary) {
  capi_obj *o = calloc(1, sizeof *o);
  if (!o)
    return NULL;
  if (weft_module_load(store->engine, (const uint8_t *)binary->data,
                       binary->size, &o->of.module, NULL) != WEFT_OK) {
    free(o);
    return NULL;
  }
  o->kind = CAPI_MODULE;
  o->refs = 1;
  o->store = store;
  return (wasm_module_t *)o;
}

static const weft_module *module_of(const wasm_module_t *m) {
  return ((const capi_obj *)m)->of.module;
}

static void name_of(wasm_name_t *out, const char *s) {
  wasm_byte_vec_new(out, strlen(s), s);
}

/* Import names are NUL-terminated copies: a name with a NUL byte inside
** is cut there (wasm.h names carry lengths, weft's import list does not). */
static wasm_importtype_t *import_type(const weft_module *m, uint32_t i) {
  weft_import_info info;
  weft_extern_type t;
  weft_module_import(m, i, &info);
  weft_module_import_type(m, i, &t);
  wasm_externtype_t *type = capi_externtype_of(m, &t);
  wasm_name_t mod, name;
  name_of(&mod, info.module);
  name_of(&name, info.name);
  wasm_importtype_t *it = type ? wasm_importtype_new(&mod, &name, type) : NULL;
  if (!it) {
    wasm_byte_vec_delete(&mod);
    wasm_byte_vec_delete(&name);
    wasm_externtype_delete(type);
  }
  return it;
}

static wasm_exporttype_t *export_type(const weft_module *m, uint32_t i) {
  weft_export_info info;
  weft_extern_type t;
  weft_module_export(m, i, &info);
  weft_module_export_type(m, i, &t);
  wasm_externtype_t *type = capi_externtype_of(m, &t);
  wasm_name_t name;
  name_of(&name, info.name);
  wasm_exporttype_t *et = type ? wasm_exporttype_new(&name, type) : NULL;
  if (!et) {
    wasm_byte_vec_delete(&name);
    wasm_externtype_delete(type);
  }
  return et;
}

/* Entries that cannot be made (no memory, a v128 in a type) are NULL. */
void wasm_module_imports(const wasm_module_t *module,
                         wasm_importtype_vec_t *out) {
  const weft_module *m = module_of(module);
  wasm_importtype_vec_new_uninitialized(out, weft_module_import_count(m));
  for (uint32_t i = 0; i < out->size; i++)
    out->data[i] = import_type(m, i);
}

void wasm_module_exports(const wasm_module_t *module,
                         wasm_exporttype_vec_t *out) {
  const weft_module *m = module_of(module);
  wasm_exporttype_vec_new_uninitialized(out, weft_module_export_count(m));
  for (uint32_t i = 0; i < out->size; i++)
    out->data[i] = export_type(m, i);
}

/* The serialized form is the module's binary itself. */
void wasm_module_serialize(const wasm_module_t *module, wasm_byte_vec_t *out) {
  size_t size;
  const uint8_t *bytes = weft_module_bytes(module_of(module), &size);
  wasm_byte_vec_new(out, size, (const char *)bytes);
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *store,
                                       const wasm_byte_vec_t *bytes) {
  return wasm_module_new(store, bytes);
}

wasm_shared_module_t *wasm_module_share(const wasm_module_t *module) {
  if (!module)
    return NULL;
  wasm_shared_module_t *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->module = weft_module_ref(((const capi_obj *)module)->of.module);
  return s;
}

/* The same weft_module in `store` when its engine may run it; else (an
** engine with another fuel setting) loaded again from its bytes. */
static weft_module *module_in(wasm_store_t *store, weft_module *m) {
  weft_module *own = NULL;
  if (weft_module_check_engine(m, store->engine, NULL) == WEFT_OK)
    return weft_module_ref(m);
  size_t size;
  const uint8_t *bytes = weft_module_bytes(m, &size);
  if (weft_module_load(store->engine, bytes, size, &own, NULL) != WEFT_OK)
    return NULL;
  return own;
}

wasm_module_t *wasm_module_obtain(wasm_store_t *store,
                                  const wasm_shared_module_t *shared) {
  if (!store || !shared)
    return NULL;
  capi_obj *o = calloc(1, sizeof *o);
  if (!o)
    return NULL;
  o->of.module = module_in(store, shared->module);
  if (!o->of.module) {
    free(o);
    return NULL;
  }
  o->kind = CAPI_MODULE;
  o->refs = 1;
  o->store = store;
  return (wasm_module_t *)o;
}

void wasm_shared_module_delete(wasm_shared_module_t *s) {
  if (!s)
    return;
  weft_module_free(s->module);
  free(s);
}

/* ---- externs between the layers ---------------------------------------- */

weft_extern capi_extern_to_weft(const capi_obj *o) {
  weft_extern e;
  memset(&e, 0, sizeof e);
  switch (o->kind) {
  case CAPI_FUNC:
    e.kind = WEFT_EXTERN_FUNC;
    e.of.func = o->of.func;
    break;
  case CAPI_GLOBAL:
    e.kind = WEFT_EXTERN_GLOBAL;
    e.of.global = o->of.global;
    break;
  case CAPI_TABLE:
    e.kind = WEFT_EXTERN_TABLE;
    e.of.table = o->of.table;
    break;
  default:
    e.kind = WEFT_EXTERN_MEMORY;
    e.of.memory = o->of.memory;
    break;
  }
  return e;
}

/* The handle of a weft extern of this store, made on first sight. */
capi_obj *capi_extern_from_weft(wasm_store_t *store, weft_extern ext) {
  static const enum capi_kind kinds[] = {CAPI_FUNC, CAPI_TABLE, CAPI_MEMORY,
                                         CAPI_GLOBAL};
  if (ext.kind > WEFT_EXTERN_GLOBAL)
    return NULL; /* a tag (exception handling): wasm.h has no such kind */
  const void *p = ext.kind == WEFT_EXTERN_FUNC     ? (void *)ext.of.func
                  : ext.kind == WEFT_EXTERN_TABLE  ? (void *)ext.of.table
                  : ext.kind == WEFT_EXTERN_MEMORY ? (void *)ext.of.memory
                                                   : (void *)ext.of.global;
  capi_obj *o = capi_obj_find(store, p);
  if (o)
    return o;
  o = capi_obj_new(store, kinds[ext.kind], p);
  if (o)
    o->of.func = (weft_func *)p; /* the union's members share the slot */
  return o;
}

/* ---- instances --------------------------------------------------------- */

static void set_trap(wasm_trap_t **trap, wasm_trap_t *t) {
  if (trap)
    *trap = t;
  else if (t)
    wasm_trap_delete(t);
}

/* Define import i of `m` as imports->data[i]; a message when it cannot. */
static const char *define_import(wasm_store_t *store, weft_linker *linker,
                                 const weft_module *m, uint32_t i,
                                 const wasm_extern_t *ext) {
  const capi_obj *o = (const capi_obj *)ext;
  if (!o || o->store != store || o->kind < CAPI_FUNC || o->kind > CAPI_MEMORY)
    return "an import is not an extern of this store";
  weft_import_info info;
  weft_module_import(m, i, &info);
  if (weft_linker_define(linker, info.module, info.name, capi_extern_to_weft(o),
                         NULL) != WEFT_OK)
    return "out of memory defining an import";
  return NULL;
}

/* Instantiate `m` (of this store) with the imports in order; on failure
** NULL and *trap set (link errors and out of memory are traps too). With
** `wasi`, its functions are defined first and NULL entries (or NULL
** `imports`) are left to them (weft_wasm_wasi.h). */
static weft_instance *instantiate(wasm_store_t *store, weft_module *m,
                                  weft_wasi *wasi,
                                  const wasm_extern_vec_t *imports,
                                  wasm_trap_t **trap) {
  weft_linker *linker;
  weft_instance *inst = NULL;
  weft_error err;
  const char *why = NULL;
  uint32_t n = weft_module_import_count(m);
  if (imports ? imports->size != n : !wasi)
    why = "wrong number of imports";
  else if (weft_linker_new(store->engine, &linker, NULL) != WEFT_OK)
    why = "out of memory";
  else if (wasi && weft_wasi_define(wasi, linker, NULL) != WEFT_OK) {
    weft_linker_free(linker);
    why = "out of memory defining WASI";
  }
  if (why) {
    set_trap(trap, capi_trap_message(why));
    return NULL;
  }
  for (uint32_t i = 0; imports && i < n && !why; i++)
    if (!wasi || imports->data[i])
      why = define_import(store, linker, m, i, imports->data[i]);
  if (why)
    set_trap(trap, capi_trap_message(why));
  else if (weft_instantiate(linker, m, &inst, &err) != WEFT_OK)
    set_trap(trap, capi_trap_error(store, &err));
  weft_linker_free(linker);
  return inst;
}

/* A module compiled in another store is the same weft_module (loaded
** again only for an engine with another fuel setting). */
wasm_instance_t *capi_instance_new(wasm_store_t *store,
                                   const wasm_module_t *module, weft_wasi *wasi,
                                   const wasm_extern_vec_t *imports,
                                   wasm_trap_t **trap) {
  set_trap(trap, NULL);
  const capi_obj *mo = (const capi_obj *)module;
  weft_module *m = mo->of.module, *own = NULL;
  if (mo->store != store) {
    own = module_in(store, m);
    if (!own) {
      set_trap(trap, capi_trap_message("module does not load in this store"));
      return NULL;
    }
    m = own;
  }
  weft_instance *inst = instantiate(store, m, wasi, imports, trap);
  if (own)
    weft_module_free(own); /* the instance keeps its own reference */
  if (!inst)
    return NULL;
  capi_obj *o = capi_obj_new(store, CAPI_INSTANCE, inst);
  if (!o) {
    set_trap(trap, capi_trap_message("out of memory"));
    return NULL;
  }
  o->of.instance = inst;
  return (wasm_instance_t *)o;
}

wasm_instance_t *wasm_instance_new(wasm_store_t *store,
                                   const wasm_module_t *module,
                                   const wasm_extern_vec_t *imports,
                                   wasm_trap_t **trap) {
  return capi_instance_new(store, module, NULL, imports, trap);
}

/* The exports in the module's order, made once per instance. */
static bool make_exports(capi_obj *o) {
  const weft_module *m = weft_instance_module(o->of.instance);
  wasm_extern_vec_t *v = &o->u.exports;
  uint32_t n = weft_module_export_count(m);
  wasm_extern_vec_new_uninitialized(v, n);
  if (v->size != n)
    return false;
  for (uint32_t i = 0; i < n; i++) {
    weft_export_info info;
    weft_extern ext;
    weft_module_export(m, i, &info);
    capi_obj *e = NULL;
    if (weft_instance_export(o->of.instance, info.name, &ext) == WEFT_OK)
      e = capi_extern_from_weft(o->store, ext);
    if (!e) {
      wasm_extern_vec_delete(v); /* deleting store objects frees nothing */
      return false;
    }
    v->data[i] = (wasm_extern_t *)e;
  }
  return true;
}

/* Empty when memory runs out. */
void wasm_instance_exports(const wasm_instance_t *instance,
                           wasm_extern_vec_t *out) {
  capi_obj *o = CAPI_OBJ(instance);
  if (!o->u.exports.data && !make_exports(o)) {
    wasm_extern_vec_new_empty(out);
    return;
  }
  wasm_extern_vec_copy(out, &o->u.exports);
}
