/*
** port_optee.c — the platform hooks of weft's core (base.h, runtime.h)
** inside an OP-TEE Trusted Application. Memory comes from the TA heap
** (libutils' malloc, sized by TA_DATA_SIZE); there is no virtual memory to
** reserve (memories fall back to the allocator with the interpreter's
** explicit bounds checks) and no ahead-of-time code: generated code would
** have to be built into a signed TA, which the TA cannot do at run time.
** Also the TA's clock and randomness, from the GlobalPlatform API (libutee),
** for the TA's own timing and for WASI. Built with the TA dev kit.
*/
#include <stdlib.h>
#include <tee_internal_api.h>

#include "../../src/runtime/runtime.h"
#include "port_optee.h"

/* realloc semantics over the TA heap; size 0 frees. */
void *wf_port_realloc(void *user, void *ptr, size_t old_size, size_t new_size) {
  WF_UNUSED(user);
  WF_UNUSED(old_size);
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
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

/* The TA knows its stack size (TA_STACK_SIZE) but not where it starts:
** weft_ta.c sets weft_config.native_stack_bytes below it instead. */
void *wf_port_stack_bottom(const void *here) {
  WF_UNUSED(here);
  return NULL;
}

uint64_t wtz_port_time_us(void) {
  TEE_Time t;
  TEE_GetSystemTime(&t);
  return (uint64_t)t.seconds * 1000000u + (uint64_t)t.millis * 1000u;
}

void wtz_port_random(void *buf, size_t size) { TEE_GenerateRandom(buf, size); }

/* ---- ahead-of-time code: not in a TA ----------------------------------- */

weft_status weft_module_emit_c(const weft_module *module,
                               const weft_aot_options *options,
                               weft_c_sink write, void *user, weft_error *err) {
  WF_UNUSED(module);
  WF_UNUSED(options);
  WF_UNUSED(write);
  WF_UNUSED(user);
  return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                      "ahead-of-time compilation is not in the TA");
}

weft_status weft_module_attach_aot(weft_module *module, const void *code,
                                   weft_error *err) {
  WF_UNUSED(module);
  WF_UNUSED(code);
  return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                      "ahead-of-time code is not supported in the TA");
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
