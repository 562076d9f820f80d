/*
** capi_val.c — values between wasm.h and weft. Numbers map one to one.
** An externref in Wasm is the wasm_ref_t pointer itself (a store object,
** alive as long as the store, so Wasm can hold it); a funcref is the
** weft_func, whose handle the store's map gives back.
*/
#include "capi.h"

void wasm_val_delete(wasm_val_t *v) {
  if (wasm_valkind_is_ref(v->kind) && v->of.ref)
    wasm_ref_delete(v->of.ref);
  v->of.ref = NULL;
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v) {
  *out = *v;
  if (wasm_valkind_is_ref(v->kind) && v->of.ref)
    out->of.ref = wasm_ref_copy(v->of.ref);
}

/* The weft form of a reference of `kind`: false for one that Wasm cannot
** hold (another store's object, a module or trap, which the caller may
** delete while Wasm still refers to it, or a non-function as funcref). */
bool capi_ref_to_weft(wasm_store_t *store, wasm_valkind_t kind,
                      const wasm_ref_t *ref, void **out) {
  *out = NULL;
  if (!ref)
    return true;
  const capi_obj *o = ref;
  if (o->store != store || o->kind == CAPI_MODULE || o->kind == CAPI_TRAP)
    return false;
  if (kind == WASM_FUNCREF) {
    if (o->kind != CAPI_FUNC)
      return false;
    *out = o->of.func;
    return true;
  }
  *out = (void *)o;
  return kind == WASM_EXTERNREF;
}

wasm_ref_t *capi_ref_from_weft(wasm_store_t *store, weft_valtype type,
                               void *ref) {
  if (!ref)
    return NULL;
  if (type == WEFT_FUNCREF)
    return capi_obj_of_func(store, ref);
  return ref;
}

bool capi_val_to_weft(wasm_store_t *store, const wasm_val_t *in,
                      weft_val *out) {
  memset(out, 0, sizeof *out);
  out->type = capi_weft_type(in->kind);
  switch (in->kind) {
  case WASM_I32: out->of.i32 = in->of.i32; return true;
  case WASM_I64: out->of.i64 = in->of.i64; return true;
  case WASM_F32: out->of.f32 = in->of.f32; return true;
  case WASM_F64: out->of.f64 = in->of.f64; return true;
  case WASM_EXTERNREF:
  case WASM_FUNCREF:
    return capi_ref_to_weft(store, in->kind, in->of.ref, &out->of.ref);
  default: return false;
  }
}

/* False for a type wasm.h cannot say (v128), or a funcref whose handle
** could not be made (out of memory). */
bool capi_val_from_weft(wasm_store_t *store, const weft_val *in,
                        wasm_val_t *out) {
  memset(out, 0, sizeof *out);
  switch (in->type) {
  case WEFT_I32:
    out->kind = WASM_I32;
    out->of.i32 = in->of.i32;
    return true;
  case WEFT_I64:
    out->kind = WASM_I64;
    out->of.i64 = in->of.i64;
    return true;
  case WEFT_F32:
    out->kind = WASM_F32;
    out->of.f32 = in->of.f32;
    return true;
  case WEFT_F64:
    out->kind = WASM_F64;
    out->of.f64 = in->of.f64;
    return true;
  case WEFT_EXTERNREF:
  case WEFT_FUNCREF:
    out->kind = in->type == WEFT_FUNCREF ? WASM_FUNCREF : WASM_EXTERNREF;
    out->of.ref = capi_ref_from_weft(store, in->type, in->of.ref);
    return out->of.ref || !in->of.ref;
  default: return false;
  }
}
