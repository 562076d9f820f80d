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
#if __STDC_HOSTED__
#include <string.h>
#endif

#include "weft.h"

/* Build knobs: always 0 or 1, tested with #if (-Wundef catches typos).
** WEFT_ENABLE_SIMD: the 0xFD-prefixed SIMD instructions in the interpreter
** (about half its code on a Cortex-M4). With 0, a function using one is
** rejected as WEFT_ERR_UNSUPPORTED; v128 values, locals and globals
** remain. */
#ifndef WEFT_ENABLE_SIMD
#define WEFT_ENABLE_SIMD 1
#endif

/* WEFT_DEBUG: invariants checked (WF_ASSERT, WF_ALWAYS, WF_NEVER) and
** lowered code verified after lowering (interp/verify.c). On by default
** in sanitizer builds (make test-asan, make test-tsan), off otherwise;
** -DWEFT_DEBUG=1 or 0 overrides. */
#ifndef WEFT_DEBUG
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WEFT_DEBUG 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WEFT_DEBUG 1
#endif
#endif
#endif
#ifndef WEFT_DEBUG
#define WEFT_DEBUG 0
#endif

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
#if __STDC_HOSTED__
#define WF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else /* arm-none-eabi's uint32_t is unsigned long: checked when hosted */
#define WF_PRINTF(f, a)
#endif
#else
#define WF_LIKELY(x) (x)
#define WF_UNLIKELY(x) (x)
#define WF_INTERNAL
#define WF_PRINTF(f, a)
#endif

/* Strings and bytes. Hosted builds use the C library. A freestanding
** build (-ffreestanding: ports/bare, make embed) has no <string.h>: the
** mem* functions are the compiler's builtins, which inline small constant
** sizes and otherwise call memcpy/memset/memmove/memcmp, the only C
** library symbols the core needs; the rest are small loops here. */
#if __STDC_HOSTED__
#define wf_strlen(s) strlen(s)
#define wf_strcmp(a, b) strcmp(a, b)
#define wf_memchr(p, c, n) memchr(p, c, n)
#else
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memmove(d, s, n) __builtin_memmove(d, s, n)
#define memset(d, c, n) __builtin_memset(d, c, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
static inline size_t wf_strlen(const char *s) {
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}
static inline int wf_strcmp(const char *a, const char *b) {
  while (*a && *a == *b)
    a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}
static inline const void *wf_memchr(const void *p, int c, size_t n) {
  const unsigned char *s = p;
  for (size_t i = 0; i < n; i++)
    if (s[i] == (unsigned char)c)
      return s + i;
  return NULL;
}
#endif

#define WF_UNUSED(x) ((void)(x))
#define WF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* All allocation goes through the engine's allocator (realloc semantics). */
struct wf_alloc {
  weft_realloc_fn fn;
  void *user;
  /* size_t, not u64: wf_module_lower adds to live_bytes atomically, and
  ** 32-bit cores without 8-byte atomics (Cortex-M4) have no such add. */
  size_t live_bytes; /* currently allocated through this allocator */
  size_t peak_bytes;
};

/* The engine's allocator, for layers that see the engine only as the
** opaque public type (WASI); defined by the runtime (engine.c). */
WF_INTERNAL struct wf_alloc *wf_engine_alloc(weft_engine *e);
/* The error record a host function fills when it fails with a status of
** its own choosing (WASI's block hook); runtime (engine.c). */
WF_INTERNAL weft_error *wf_host_error(weft_host_ctx *ctx);
/* `size` zeroed bytes that live as long as the engine (freed by
** weft_engine_free), or NULL; for user pointers of host functions, which
** the engine owns (WASI's bindings); runtime (engine.c). */
WF_INTERNAL void *wf_engine_keep(weft_engine *e, size_t size);
WF_INTERNAL void *wf_alloc_raw(struct wf_alloc *a, size_t size);
WF_INTERNAL void *wf_alloc_zero(struct wf_alloc *a, size_t size);
/* Returns NULL on failure and leaves `ptr` valid. */
WF_INTERNAL void *wf_alloc_resize(struct wf_alloc *a, void *ptr,
                                  size_t old_size, size_t new_size);
WF_INTERNAL void wf_alloc_free(struct wf_alloc *a, void *ptr, size_t size);
/* Array helpers that check n * elem for overflow. */
WF_INTERNAL void *wf_alloc_array(struct wf_alloc *a, size_t n, size_t elem);

/* {====== debug invariants ==============================================
** WF_ASSERT(c): c holds here; WF_ALWAYS(c) / WF_NEVER(c): c is expected
** true / false but the code handles the other case too (so the test stays
** in release builds, as an expression with c's truth). With WEFT_DEBUG a
** failed expectation calls the port's hook wf_port_assert_failed (the
** POSIX port prints it and aborts; the library itself never does);
** without, WF_ASSERT compiles to nothing and the others to !!(c). */
#if WEFT_DEBUG
WF_INTERNAL void wf_port_assert_failed(const char *file, int line,
                                       const char *cond);
#define WF_ASSERT(c)                                                           \
  ((c) ? (void)0 : wf_port_assert_failed(__FILE__, __LINE__, #c))
#define WF_ALWAYS(c)                                                           \
  ((c) ? 1 : (wf_port_assert_failed(__FILE__, __LINE__, #c), 0))
#define WF_NEVER(c)                                                            \
  ((c) ? (wf_port_assert_failed(__FILE__, __LINE__, "!(" #c ")"), 1) : 0)
#else
#define WF_ASSERT(c) ((void)0)
#define WF_ALWAYS(c) (!!(c))
#define WF_NEVER(c) (!!(c))
#endif
/* }====== */

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

/* The lowest address of the calling thread's native stack (ports/), if
** `here` lies in it; NULL when the port cannot tell (or `here` is on some
** other stack, a coroutine's say). Asked at every outermost call into Wasm
** (runtime/call.c) so that deep recursion traps rather than faults; a port
** may cache the thread's bounds. */
WF_INTERNAL void *wf_port_stack_bottom(const void *here);

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
