/*
** alloc.c — every allocation of the library goes through the engine's
** allocator, so embedders control memory and tests can inject failures.
*/
#include "base.h"

void *wf_alloc_resize(struct wf_alloc *a, void *ptr, size_t old_size,
                      size_t new_size) {
  void *p = a->fn(a->user, ptr, old_size, new_size);
  if (new_size && !p)
    return NULL;
  a->live_bytes = a->live_bytes - old_size + new_size;
  if (a->live_bytes > a->peak_bytes)
    a->peak_bytes = a->live_bytes;
  return p;
}

void *wf_alloc_raw(struct wf_alloc *a, size_t size) {
  if (size == 0)
    size = 1; /* a unique non-NULL pointer keeps callers simple */
  return wf_alloc_resize(a, NULL, 0, size);
}

void *wf_alloc_zero(struct wf_alloc *a, size_t size) {
  void *p = wf_alloc_raw(a, size);
  if (p)
    memset(p, 0, size ? size : 1);
  return p;
}

void *wf_alloc_array(struct wf_alloc *a, size_t n, size_t elem) {
  if (elem && n > SIZE_MAX / elem)
    return NULL;
  return wf_alloc_zero(a, n * elem);
}

void wf_alloc_free(struct wf_alloc *a, void *ptr, size_t size) {
  if (!ptr)
    return;
  if (size == 0)
    size = 1;
  WF_ASSERT(a->live_bytes >= size); /* sizes given back as allocated */
  a->fn(a->user, ptr, size, 0);
  a->live_bytes -= size;
}
