/*
** sweep_alloc.h — the counting, failing allocator of the fault-injection
** tools (alloc_sweep.c, fs_fault.c), given to an engine through
** weft_config.alloc. It counts allocations (new_size > 0, growing
** reallocations included), fails the Nth one (or, sticky, every one from
** the Nth on), keeps the live bytes of the engine it serves, and checks
** that every old_size the library passes matches the block's real size.
** Header-only: each tool is a single translation unit plus tests/spec/json.c.
*/
#ifndef WEFT_SWEEP_ALLOC_H
#define WEFT_SWEEP_ALLOC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sweep_alloc {
  size_t live;            /* bytes currently allocated */
  size_t peak;            /* most bytes live at once */
  unsigned long n;        /* allocations (new_size > 0) so far */
  unsigned long fail_at;  /* 1-based allocation to fail; 0: never */
  int sticky;             /* fail every allocation from fail_at on */
  unsigned long injected; /* failures injected */
  unsigned long bad_old;  /* old_size that did not match the block */
  unsigned long blocks;   /* blocks currently allocated */
  size_t cap;             /* refuse (as a real OOM) larger requests; 0: none */
};

/* Every block carries its size in a 16-byte header (keeps alignment). */
#define SWEEP_HDR 16

static void *sweep_realloc(void *user, void *ptr, size_t old_size,
                           size_t new_size) {
  struct sweep_alloc *a = user;
  unsigned char *blk = ptr ? (unsigned char *)ptr - SWEEP_HDR : NULL;
  size_t have = 0;

  if (blk) {
    memcpy(&have, blk, sizeof have);
    if (have != old_size)
      a->bad_old++;
  }
  if (new_size == 0) {
    if (blk) {
      a->live -= have;
      a->blocks--;
      free(blk);
    }
    return NULL;
  }
  a->n++;
  if (a->fail_at != 0 &&
      (a->n == a->fail_at || (a->sticky && a->n > a->fail_at))) {
    a->injected++;
    return NULL;
  }
  if (a->cap != 0 && new_size > a->cap)
    return NULL; /* a real out-of-memory, the same in every run */
  unsigned char *nb = realloc(blk, SWEEP_HDR + new_size);
  if (!nb)
    return NULL;
  memcpy(nb, &new_size, sizeof new_size);
  if (!blk)
    a->blocks++;
  a->live = a->live - have + new_size;
  if (a->live > a->peak)
    a->peak = a->live;
  return nb + SWEEP_HDR;
}

static void sweep_alloc_init(struct sweep_alloc *a, unsigned long fail_at,
                             int sticky) {
  memset(a, 0, sizeof *a);
  a->fail_at = fail_at;
  a->sticky = sticky;
  a->cap = (size_t)1 << 30;
}

#endif /* WEFT_SWEEP_ALLOC_H */
