/*
** port_bare.c — the platform hooks of the core (base.h) for a
** target without an OS: no default heap (the embedder's arena comes in
** through weft_config.alloc), no virtual memory (memories fall back to
** the allocator with the interpreter's explicit bounds checks). Ahead-of-
** time code is absent from the freestanding core itself
** (src/runtime/aot_none.c), not a port's business. The core needs no clock
** and no randomness. Freestanding: no C library header.
*/
#include "base.h"
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

#if WEFT_DEBUG
/* Debug builds only (base.h): an invariant of the library failed; a bare
** target has nowhere to print, so it stops in the debugger's trap. */
void wf_port_assert_failed(const char *file, int line, const char *cond) {
  WF_UNUSED(file);
  WF_UNUSED(line);
  WF_UNUSED(cond);
  __builtin_trap();
}
#endif
