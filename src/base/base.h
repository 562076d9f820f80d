/*
** base.h — fixed-width types, branch hints, visibility and the allocator
** and error helpers every layer uses. Includes only freestanding headers.
*/
#ifndef WF_BASE_H
#define WF_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "weft.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t i8;
typedef int16_t i16;
typedef int32_t i32;
typedef int64_t i64;
typedef float f32;
typedef double f64;

#if defined(__GNUC__) || defined(__clang__)
#define WF_LIKELY(x) __builtin_expect(!!(x), 1)
#define WF_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define WF_INTERNAL __attribute__((visibility("hidden")))
#define WF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WF_LIKELY(x) (x)
#define WF_UNLIKELY(x) (x)
#define WF_INTERNAL
#define WF_PRINTF(f, a)
#endif

#define WF_UNUSED(x) ((void)(x))
#define WF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* All allocation goes through the engine's allocator (realloc semantics). */
struct wf_alloc {
  weft_realloc_fn fn;
  void *user;
  u64 live_bytes; /* currently allocated through this allocator */
  u64 peak_bytes;
};

WF_INTERNAL void *wf_alloc_raw(struct wf_alloc *a, size_t size);
WF_INTERNAL void *wf_alloc_zero(struct wf_alloc *a, size_t size);
/* Returns NULL on failure and leaves `ptr` valid. */
WF_INTERNAL void *wf_alloc_resize(struct wf_alloc *a, void *ptr,
                                  size_t old_size, size_t new_size);
WF_INTERNAL void wf_alloc_free(struct wf_alloc *a, void *ptr, size_t size);
/* Array helpers that check n * elem for overflow. */
WF_INTERNAL void *wf_alloc_array(struct wf_alloc *a, size_t n, size_t elem);

/* The platform's allocator (ports/): used when the embedder gives none. */
WF_INTERNAL void *wf_port_realloc(void *user, void *ptr, size_t old_size,
                                  size_t new_size);

/* Optional virtual memory (ports/): reserve an inaccessible range, make
** [0, size) of it readable and writable (zero-filled), release it. A port
** without virtual memory returns NULL / false and memories fall back to the
** allocator with explicit bounds checks only. */
WF_INTERNAL void *wf_port_reserve(size_t size);
WF_INTERNAL bool wf_port_commit(void *base, size_t size);
WF_INTERNAL void wf_port_release(void *base, size_t size);

/* Guard-page faults (ports/): while AoT code runs on this thread, the
** port's fault handler passes a faulting address to wf_aot_fault(ctx, addr)
** (runtime/aot.c), which turns a fault inside a memory reservation into a
** Wasm trap and does not return. Faults elsewhere go to the host's own
** handlers. enter returns the previous context for leave. */
WF_INTERNAL void *wf_port_fault_enter(void *ctx);
WF_INTERNAL void wf_port_fault_leave(void *previous);
WF_INTERNAL void wf_aot_fault(void *ctx, void *addr);

/* Fill an error record (which may be NULL) and return `status`.
** Formats %s %d %u %x %lld %llu %llx %zu %c only. */
WF_INTERNAL weft_status wf_error_set(weft_error *err, weft_status status,
                                     const char *fmt, ...) WF_PRINTF(3, 4);
WF_INTERNAL weft_status wf_error_trap(weft_error *err, weft_trap trap);
/* Reset an error record to "no error". */
WF_INTERNAL void wf_error_clear(weft_error *err);
WF_INTERNAL size_t wf_format_va(char *buf, size_t cap, const char *fmt,
                                va_list ap);
/* Small snprintf used by wf_error_set: same format subset. */
WF_INTERNAL size_t wf_format(char *buf, size_t cap, const char *fmt, ...)
    WF_PRINTF(3, 4);

#endif /* WF_BASE_H */
