/*
** capi_vec.c — wasm.h's vectors: bytes and values by value, every other
** kind a vector of owned pointers (copying one copies its elements,
** deleting it deletes them). An allocation that fails, or a size that
** overflows, leaves an empty vector: wasm.h has no error path here.
*/
#include "capi.h"

bool capi_vec_alloc(void **data, size_t *out_size, size_t n, size_t size) {
  *data = NULL;
  *out_size = 0;
  if (n == 0)
    return true;
  if (n > SIZE_MAX / size)
    return false;
  *data = calloc(n, size);
  if (!*data)
    return false;
  *out_size = n;
  return true;
}

/* Empty, uninitialised (zeroed) and from-array constructors, the same for
** every element type. */
#define CAPI_VEC_BASE(name, elem)                                              \
  void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out) {                 \
    out->size = 0;                                                             \
    out->data = NULL;                                                          \
  }                                                                            \
  void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out,           \
                                           size_t n) {                         \
    void *d;                                                                   \
    capi_vec_alloc(&d, &out->size, n, sizeof(elem));                           \
    out->data = d;                                                             \
  }                                                                            \
  void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t n,               \
                             elem const src[]) {                               \
    wasm_##name##_vec_new_uninitialized(out, n);                               \
    if (out->size)                                                             \
      memcpy(out->data, src, n * sizeof(elem));                                \
  }

/* Vectors of owned pointers: elements are copied and deleted with them. */
#define CAPI_VEC_OWN(name)                                                     \
  CAPI_VEC_BASE(name, wasm_##name##_t *)                                       \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t *out,                        \
                              const wasm_##name##_vec_t *src) {                \
    wasm_##name##_vec_new_uninitialized(out, src->size);                       \
    for (size_t i = 0; i < out->size; i++)                                     \
      out->data[i] = src->data[i] ? wasm_##name##_copy(src->data[i]) : NULL;   \
  }                                                                            \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                      \
    for (size_t i = 0; i < v->size; i++)                                       \
      if (v->data[i])                                                          \
        wasm_##name##_delete(v->data[i]);                                      \
    free(v->data);                                                             \
    v->data = NULL;                                                            \
    v->size = 0;                                                               \
  }

CAPI_VEC_BASE(byte, wasm_byte_t)

void wasm_byte_vec_copy(wasm_byte_vec_t *out, const wasm_byte_vec_t *src) {
  wasm_byte_vec_new(out, src->size, src->data);
}

void wasm_byte_vec_delete(wasm_byte_vec_t *v) {
  free(v->data);
  v->data = NULL;
  v->size = 0;
}

CAPI_VEC_BASE(val, wasm_val_t)

void wasm_val_vec_copy(wasm_val_vec_t *out, const wasm_val_vec_t *src) {
  wasm_val_vec_new_uninitialized(out, src->size);
  for (size_t i = 0; i < out->size; i++)
    wasm_val_copy(&out->data[i], &src->data[i]);
}

void wasm_val_vec_delete(wasm_val_vec_t *v) {
  for (size_t i = 0; i < v->size; i++)
    wasm_val_delete(&v->data[i]);
  free(v->data);
  v->data = NULL;
  v->size = 0;
}

CAPI_VEC_OWN(valtype)
CAPI_VEC_OWN(functype)
CAPI_VEC_OWN(globaltype)
CAPI_VEC_OWN(tabletype)
CAPI_VEC_OWN(memorytype)
CAPI_VEC_OWN(externtype)
CAPI_VEC_OWN(importtype)
CAPI_VEC_OWN(exporttype)
CAPI_VEC_OWN(frame)
CAPI_VEC_OWN(extern)
