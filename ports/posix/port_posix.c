/*
** port_posix.c — the hosted port: the C library's allocator and virtual
** memory for guard-page reservations. With aot_posix.c and the WASI host,
** the only code (besides the CLI) where OS and libc headers appear.
*/
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "base.h"

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
  void *p = mmap(NULL, size, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

bool wf_port_commit(void *base, size_t size) {
  return size == 0 || mprotect(base, size, PROT_READ | PROT_WRITE) == 0;
}

void wf_port_release(void *base, size_t size) { munmap(base, size); }

#if WEFT_DEBUG
/* Debug builds only (base.h): an invariant of the library failed. The one
** place the library prints or aborts, and only in builds made to find
** such bugs (make test-asan, make test-tsan). */
void wf_port_assert_failed(const char *file, int line, const char *cond) {
  fprintf(stderr, "weft: invariant failed at %s:%d: %s\n", file, line, cond);
  abort();
}
#endif
