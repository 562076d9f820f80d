/*
** port_posix.c — the hosted port: the C library's allocator. The only
** place (with the CLI) where OS and libc headers appear.
*/
#include <stdlib.h>

#include "../../src/base/base.h"

void *wf_port_realloc(void *user, void *ptr, size_t old_size, size_t new_size) {
  WF_UNUSED(user);
  WF_UNUSED(old_size);
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
}
