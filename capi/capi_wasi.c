/*
** capi_wasi.c — weft_wasm_wasi.h: WASI preview 1 for wasm.h programs. The
** WASI state is a weft_wasi in the store's engine, owned by the store and
** freed by wasm_store_delete after its objects, so no instance outlives it.
*/
#include "capi.h"
#include "weft_wasm_wasi.h"

/* A weft_wasm_wasi_t * is its store's address (the type stays incomplete):
** a store has at most one WASI state, kept in store->wasi. */

static void set_message(wasm_message_t *out, const char *text) {
  if (out)
    wasm_name_new_from_string_nt(out, text);
}

weft_wasm_wasi_t *weft_wasm_wasi_new(wasm_store_t *store,
                                     const weft_wasi_config *config,
                                     wasm_message_t *out_message) {
  weft_error err;
  if (out_message)
    wasm_byte_vec_new_empty(out_message);
  if (!store) {
    set_message(out_message, "wasi: NULL store");
    return NULL;
  }
  if (store->wasi) {
    set_message(out_message, "wasi: this store already has WASI");
    return NULL;
  }
  if (weft_wasi_new(store->engine, config, &store->wasi, &err) != WEFT_OK) {
    store->wasi = NULL;
    set_message(out_message, err.message);
    return NULL;
  }
  return (weft_wasm_wasi_t *)store;
}

wasm_instance_t *weft_wasm_instance_new_wasi(wasm_store_t *store,
                                             const wasm_module_t *module,
                                             weft_wasm_wasi_t *wasi,
                                             const wasm_extern_vec_t *imports,
                                             wasm_trap_t **trap) {
  if (!wasi || (wasm_store_t *)wasi != store || !store->wasi) {
    if (trap)
      *trap = capi_trap_message("wasi: not this store's WASI state");
    return NULL;
  }
  return capi_instance_new(store, module, store->wasi, imports, trap);
}

bool weft_wasm_trap_exit_code(const wasm_trap_t *trap, int32_t *out_code) {
  const capi_obj *t = (const capi_obj *)trap;
  if (!t || t->kind != CAPI_TRAP || !t->u.trap.exited)
    return false;
  if (out_code)
    *out_code = t->u.trap.exit_code;
  return true;
}
