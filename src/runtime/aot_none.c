/*
** aot_none.c — the runtime without ahead-of-time code: the freestanding
** core (WEFT_FREESTANDING_SRC) has neither the C generator (src/aot/) nor
** the loader (runtime/aot.c, which needs setjmp and a dynamic loader), so
** the public AoT calls report WEFT_ERR_UNSUPPORTED and the runtime's AoT
** entry points are never reached. Here rather than in a port so that no
** port defines public API functions.
*/
#include "runtime.h"

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
