/*
** arena_bare.c — the bare port's allocator: first fit over the embedder's
** buffer. weft always says how big a block is when it frees or resizes
** it, so blocks carry no header; free blocks hold their size and the next
** free block (in address order, so neighbours coalesce). Freestanding.
*/
#include <stdbool.h>

#include "weft_bare.h"

struct weft_arena_block {
  size_t size; /* bytes, a multiple of WEFT_ARENA_ALIGN */
  struct weft_arena_block *next;
};

static size_t round_up(size_t n) {
  return (n + WEFT_ARENA_ALIGN - 1) & ~(size_t)(WEFT_ARENA_ALIGN - 1);
}

void weft_arena_init(weft_arena *a, void *buffer, size_t size) {
  unsigned char *p = buffer;
  size_t skip = (size_t)(-(uintptr_t)p & (WEFT_ARENA_ALIGN - 1));
  a->base = p + skip;
  a->size = size > skip ? (size - skip) & ~(size_t)(WEFT_ARENA_ALIGN - 1) : 0;
  a->free_list = NULL;
  a->used = a->peak_used = a->peak_end = a->failed = 0;
  if (a->size) {
    a->free_list = (struct weft_arena_block *)(void *)a->base;
    a->free_list->size = a->size;
    a->free_list->next = NULL;
  }
}

static void note_alloc(weft_arena *a, unsigned char *p, size_t n) {
  size_t end = (size_t)(p - a->base) + n;
  a->used += n;
  if (a->used > a->peak_used)
    a->peak_used = a->used;
  if (end > a->peak_end)
    a->peak_end = end;
}

static void *take(weft_arena *a, size_t n) {
  struct weft_arena_block **link = &a->free_list;
  for (struct weft_arena_block *b = *link; b; link = &b->next, b = b->next) {
    if (b->size < n)
      continue;
    if (b->size == n) {
      *link = b->next;
    } else { /* keep the tail free */
      struct weft_arena_block *rest =
          (struct weft_arena_block *)(void *)((unsigned char *)b + n);
      rest->size = b->size - n;
      rest->next = b->next;
      *link = rest;
    }
    note_alloc(a, (unsigned char *)b, n);
    return b;
  }
  a->failed++;
  return NULL;
}

/* Return [p, p + n) to the free list, merging with free neighbours. */
static void give_back(weft_arena *a, unsigned char *p, size_t n) {
  struct weft_arena_block *prev = NULL, *next = a->free_list;
  while (next && (unsigned char *)next < p) {
    prev = next;
    next = next->next;
  }
  struct weft_arena_block *b = (struct weft_arena_block *)(void *)p;
  b->size = n;
  b->next = next;
  if (next && p + n == (unsigned char *)next) {
    b->size += next->size;
    b->next = next->next;
  }
  if (prev && (unsigned char *)prev + prev->size == p) {
    prev->size += b->size;
    prev->next = b->next;
  } else if (prev) {
    prev->next = b;
  } else {
    a->free_list = b;
  }
  a->used -= n;
}

/* Grow [p, p + old) to new bytes in place if the next block is free. */
static bool grow_in_place(weft_arena *a, unsigned char *p, size_t old,
                          size_t n) {
  struct weft_arena_block **link = &a->free_list;
  while (*link && (unsigned char *)*link < p + old)
    link = &(*link)->next;
  struct weft_arena_block *b = *link;
  if (!b || (unsigned char *)b != p + old || old + b->size < n)
    return false;
  size_t extra = n - old;
  if (b->size == extra) {
    *link = b->next;
  } else {
    struct weft_arena_block *rest =
        (struct weft_arena_block *)(void *)((unsigned char *)b + extra);
    rest->size = b->size - extra;
    rest->next = b->next;
    *link = rest;
  }
  a->used -= old;
  note_alloc(a, p, n);
  return true;
}

void *weft_arena_realloc(void *user, void *ptr, size_t old_size,
                         size_t new_size) {
  weft_arena *a = user;
  size_t old = round_up(old_size), n = round_up(new_size);
  if (new_size > a->size) {
    a->failed++;
    return NULL;
  }
  if (!ptr)
    return new_size ? take(a, n) : NULL;
  unsigned char *p = ptr;
  if (new_size == 0) {
    give_back(a, p, old);
    return NULL;
  }
  if (n <= old) { /* shrink: free the tail */
    if (n < old)
      give_back(a, p + n, old - n);
    return p;
  }
  if (grow_in_place(a, p, old, n))
    return p;
  unsigned char *q = take(a, n);
  if (!q)
    return NULL; /* the old block stays valid */
  __builtin_memcpy(q, p, old_size);
  give_back(a, p, old);
  return q;
}
