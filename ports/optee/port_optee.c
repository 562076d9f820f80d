/*
** port_optee.c — the platform hooks of weft's core (base.h, runtime.h)
** inside an OP-TEE Trusted Application. Memory comes from the TA heap
** (libutils' malloc, sized by TA_DATA_SIZE); there is no virtual memory to
** reserve (memories fall back to the allocator with the interpreter's
** explicit bounds checks) and no ahead-of-time code: generated code would
** have to be built into a signed TA, which the TA cannot do at run time;
** the freestanding core's src/runtime/aot_none.c refuses it.
** Also the TA's clock and randomness, from the GlobalPlatform API (libutee),
** for the TA's own timing and for WASI. Built with the TA dev kit.
*/
#include <stdlib.h>
#include <tee_internal_api.h>

#include "runtime.h"
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
