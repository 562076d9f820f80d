/* wasi_string.c — memcpy, memmove, memset and memcmp for the wasm32-wasi
 * builds of tests/programs (linked before wasi-libc, so these win).
 *
 * Debian bookworm's wasi-libc is built for the MVP, so its memcpy and
 * memset are C loops over words and its memcmp is a byte loop: in SQLite's
 * speedtest1 they were about a tenth of the run. The programs are built
 * with -mbulk-memory (WebAssembly 2.0), where clang turns __builtin_memcpy
 * and __builtin_memset into the memory.copy and memory.fill instructions,
 * which a runtime executes as one host memmove/memset; upstream wasi-libc
 * does the same when built for bulk memory. memcmp has no instruction:
 * compare 8 bytes at a time, then find the first differing byte. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef __wasm_bulk_memory__
#error "build with -mbulk-memory: memcpy below would call itself"
#endif

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  return __builtin_memcpy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n) {
  return __builtin_memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n) {
  return __builtin_memset(dst, c, n);
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  while (n >= 8) {
    uint64_t x, y;
    __builtin_memcpy(&x, p, 8);
    __builtin_memcpy(&y, q, 8);
    if (x != y)
      break;
    p += 8;
    q += 8;
    n -= 8;
  }
  for (; n; n--, p++, q++)
    if (*p != *q)
      return *p - *q;
  return 0;
}
