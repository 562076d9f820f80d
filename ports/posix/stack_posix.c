/*
** stack_posix.c — the calling thread's native stack bounds, for the floor
** below which Wasm calls trap (runtime/call.c). pthread_getattr_np gives
** the real size: a thread's own, or for the main thread the stack rlimit
** (`ulimit -s`). Cached per thread: the main thread's answer reads
** /proc/self/maps, too slow for every call into Wasm.
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>

#include "base.h"

static __thread uintptr_t cached_bottom, cached_top; /* 0: not asked yet */

static void ask_bounds(void) {
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;
  cached_top = 1; /* asked; stays unknown if any step fails */
  if (pthread_getattr_np(pthread_self(), &attr) != 0)
    return;
  if (pthread_attr_getstack(&attr, &addr, &size) == 0 && addr && size) {
    cached_bottom = (uintptr_t)addr;
    cached_top = (uintptr_t)addr + size;
  }
  pthread_attr_destroy(&attr);
}

void *wf_port_stack_bottom(const void *here) {
  if (!cached_top)
    ask_bounds();
  uintptr_t at = (uintptr_t)here;
  if (!cached_bottom || at < cached_bottom || at >= cached_top)
    return NULL;
  return (void *)cached_bottom;
}
