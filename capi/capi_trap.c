/*
** capi_trap.c — traps and frames. A trap is a counted object holding its
** message (always NUL-terminated, as wasm.h's wasm_message_t is) and the
** Wasm backtrace weft recorded, innermost frame first (its origin).
*/
#include "capi.h"

/* A trap with a copy of `len` bytes of `text`, NUL added when missing. */
static wasm_trap_t *trap_new(const char *text, size_t len) {
  capi_obj *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->kind = CAPI_TRAP;
  t->refs = 1;
  bool nul = len > 0 && text[len - 1] == '\0';
  wasm_byte_vec_new_uninitialized(&t->u.trap.message, len + !nul);
  if (t->u.trap.message.size == len + !nul && len)
    memcpy(t->u.trap.message.data, text, len);
  return (wasm_trap_t *)t;
}

wasm_trap_t *capi_trap_message(const char *message) {
  return trap_new(message, strlen(message) + 1);
}

void capi_trap_free(capi_obj *t) {
  wasm_byte_vec_delete(&t->u.trap.message);
  wasm_frame_vec_delete(&t->u.trap.trace);
}

wasm_trap_t *wasm_trap_new(wasm_store_t *store, const wasm_message_t *msg) {
  (void)store; /* traps belong to whoever holds them, not to a store */
  return msg ? trap_new(msg->data, msg->size) : capi_trap_message("");
}

void wasm_trap_message(const wasm_trap_t *t, wasm_message_t *out) {
  wasm_byte_vec_copy(out, &((const capi_obj *)t)->u.trap.message);
}

/* ---- frames ------------------------------------------------------------- */

/* Where frame `fi` is: its module offset, and its offset in its function
** when the function's body can be found. */
static wasm_frame_t *frame_of(wasm_store_t *store, const weft_frame_info *fi) {
  wasm_frame_t *f = calloc(1, sizeof *f);
  if (!f)
    return NULL;
  f->func_index = fi->func_index;
  f->module_offset = (size_t)fi->offset;
  if (!fi->instance)
    return f;
  capi_obj *inst = capi_obj_find(store, fi->instance);
  if (inst && inst->kind == CAPI_INSTANCE)
    f->instance = (wasm_instance_t *)inst;
  uint64_t start = weft_module_func_offset(weft_instance_module(fi->instance),
                                           fi->func_index);
  if (start != UINT64_MAX && fi->offset >= start)
    f->func_offset = (size_t)(fi->offset - start);
  return f;
}

/* A trap for a failed weft call: its message and backtrace (frames that
** cannot be allocated are left out). */
wasm_trap_t *capi_trap_error(wasm_store_t *store, const weft_error *err) {
  wasm_trap_t *t =
      capi_trap_message(err->message[0] ? err->message : "call failed");
  if (t && err->status == WEFT_ERR_EXIT) {
    CAPI_OBJ(t)->u.trap.exited = true;
    CAPI_OBJ(t)->u.trap.exit_code = err->exit_code;
  }
  if (!t || !err->trace_len)
    return t;
  wasm_frame_vec_t *v = &CAPI_OBJ(t)->u.trap.trace;
  wasm_frame_vec_new_uninitialized(v, err->trace_len);
  size_t n = 0;
  for (size_t i = 0; i < v->size; i++) {
    wasm_frame_t *f = frame_of(store, &err->trace[i]);
    if (f)
      v->data[n++] = f;
  }
  v->size = n;
  return t;
}

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *t) {
  const wasm_frame_vec_t *v = &((const capi_obj *)t)->u.trap.trace;
  return v->size ? wasm_frame_copy(v->data[0]) : NULL;
}

void wasm_trap_trace(const wasm_trap_t *t, wasm_frame_vec_t *out) {
  wasm_frame_vec_copy(out, &((const capi_obj *)t)->u.trap.trace);
}

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f) {
  wasm_frame_t *c = malloc(sizeof *c);
  if (c)
    *c = *f;
  return c;
}

void wasm_frame_delete(wasm_frame_t *f) { free(f); }

wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f) {
  return f->instance;
}
uint32_t wasm_frame_func_index(const wasm_frame_t *f) { return f->func_index; }
size_t wasm_frame_func_offset(const wasm_frame_t *f) { return f->func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t *f) {
  return f->module_offset;
}
