/*
** port_bare.c — the platform hooks of the core (base.h, runtime.h) for a
** target without an OS: no default heap (the embedder's arena comes in
** through weft_config.alloc), no virtual memory (memories fall back to
** the allocator with the interpreter's explicit bounds checks) and no
** ahead-of-time code (runtime/aot.c needs setjmp and a loader; its entry
** points here report WEFT_ERR_UNSUPPORTED). The core needs no clock and
** no randomness. Freestanding: no C library header.
*/
#include "../../src/runtime/runtime.h"
#include "weft_bare.h"

/* No default heap: with weft_config.alloc unset, engine creation fails
** with WEFT_ERR_NOMEM. Freeing (new_size 0) has nothing to do. */
void *wf_port_realloc(void *user, void *ptr, size_t old_size, size_t new_size) {
  WF_UNUSED(user);
  WF_UNUSED(ptr);
  WF_UNUSED(old_size);
  WF_UNUSED(new_size);
  return NULL;
}

void *wf_port_reserve(size_t size) {
  WF_UNUSED(size);
  return NULL;
}

bool wf_port_commit(void *base, size_t size) {
  WF_UNUSED(base);
  WF_UNUSED(size);
  return false;
}

void wf_port_release(void *base, size_t size) {
  WF_UNUSED(base);
  WF_UNUSED(size);
}

/* Stack bounds are the embedder's to know (weft_config.native_stack_bytes);
** without them Wasm may use 4 MiB below the outermost call. */
void *wf_port_stack_bottom(const void *here) {
  WF_UNUSED(here);
  return NULL;
}

/* ---- ahead-of-time code: not on this port ------------------------------ */

weft_status weft_module_emit_c(const weft_module *module,
                               const weft_aot_options *options,
                               weft_c_sink write, void *user, weft_error *err) {
  WF_UNUSED(module);
  WF_UNUSED(options);
  WF_UNUSED(write);
  WF_UNUSED(user);
  return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                      "ahead-of-time compilation is not in this build");
}

weft_status weft_module_attach_aot(weft_module *module, const void *code,
                                   weft_error *err) {
  WF_UNUSED(module);
  WF_UNUSED(code);
  return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                      "ahead-of-time code is not supported on this port");
}

/* Unreachable: no module gets code attached. */
weft_status wf_aot_instance_init(weft_engine *e, weft_instance *inst,
                                 weft_error *err) {
  WF_UNUSED(e);
  WF_UNUSED(inst);
  return wf_error_set(err, WEFT_ERR_UNSUPPORTED, "no ahead-of-time code");
}

void wf_aot_instance_release(weft_engine *e, weft_instance *inst) {
  WF_UNUSED(e);
  WF_UNUSED(inst);
}

weft_status wf_aot_call(weft_engine *e, weft_func *f, weft_slot *slots,
                        weft_error *err) {
  WF_UNUSED(e);
  WF_UNUSED(f);
  WF_UNUSED(slots);
  return wf_error_set(err, WEFT_ERR_UNSUPPORTED, "no ahead-of-time code");
}
