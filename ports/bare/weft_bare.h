/*
** weft_bare.h — the bare-metal port (ports/bare): what an embedder without
** an OS needs besides weft.h. weft takes all its memory from a fixed arena
** the embedder gives (a static buffer); there is no default heap, so pass
** weft_arena_realloc and the arena in weft_config.alloc / alloc_user.
** No virtual memory (guard pages are off: the interpreter checks every
** access), no ahead-of-time code (weft_module_emit_c and
** weft_module_attach_aot return WEFT_ERR_UNSUPPORTED), no WASI.
** Freestanding: includes only <stddef.h>, through weft.h.
*/
#ifndef WEFT_BARE_H
#define WEFT_BARE_H

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

struct weft_arena_block; /* a free block, kept inside the arena */

/* A first-fit allocator over one buffer, with address-ordered free list,
** coalescing and in-place growth. Not thread-safe: one engine at a time
** (give each engine its own arena). The fields are for reading. */
typedef struct weft_arena {
  unsigned char *base; /* the buffer, aligned up to WEFT_ARENA_ALIGN */
  size_t size;         /* usable bytes from base */
  struct weft_arena_block *free_list;
  size_t used;      /* bytes allocated now (rounded up to WEFT_ARENA_ALIGN) */
  size_t peak_used; /* the most ever allocated at once */
  size_t peak_end;  /* highest end offset of an allocation: an arena of
                       this size would have served the same requests */
  size_t failed;    /* requests refused for lack of space */
} weft_arena;

/* Two pointers: the smallest free block (8 bytes on 32-bit targets). */
#define WEFT_ARENA_ALIGN (2 * sizeof(void *))

/* Use `size` bytes at `buffer` (any alignment; a few bytes may be lost
** aligning it). The buffer must outlive every engine using the arena. */
void weft_arena_init(weft_arena *arena, void *buffer, size_t size);

/* A weft_realloc_fn: `user` is the weft_arena. */
void *weft_arena_realloc(void *user, void *ptr, size_t old_size,
                         size_t new_size);

#ifdef __cplusplus
}
#endif
#endif /* WEFT_BARE_H */
