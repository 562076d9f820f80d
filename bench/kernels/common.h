/* common.h — tiny freestanding helpers shared by the benchmark kernels.
 *
 * Kernels are compiled twice: natively with gcc -O2 (linked with
 * bench/native_main.c) and to wasm32 with clang -O2 -nostdlib.  Nothing here
 * may depend on libc.  Checksums are built from exact integer bit patterns so
 * that native and wasm results must agree bit for bit.
 */
#ifndef WEFT_BENCH_COMMON_H
#define WEFT_BENCH_COMMON_H

#include <stdint.h>

#if defined(__wasm__)
#define BENCH_EXPORT __attribute__((export_name("run"), visibility("default")))
#else
#define BENCH_EXPORT
#endif

/* The exported entry point of every kernel. */
BENCH_EXPORT uint32_t run(uint32_t n);

/* FNV-1a style 32-bit mixing of one word into a running hash. */
static inline uint32_t mix32(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;
    h ^= h >> 15;
    return h;
}

static inline uint32_t mix64(uint32_t h, uint64_t v)
{
    h = mix32(h, (uint32_t)v);
    return mix32(h, (uint32_t)(v >> 32));
}

/* Fold the exact IEEE-754 bit pattern of a double into the hash. */
static inline uint32_t mixf64(uint32_t h, double d)
{
    union { double d; uint64_t u; } b;
    b.d = d;
    return mix64(h, b.u);
}

/* Marsaglia xorshift32: deterministic pseudo-random input data. */
static inline uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

#define BENCH_HASH_INIT 0x811c9dc5u
#define BENCH_MIN(a, b) ((a) < (b) ? (a) : (b))
#define BENCH_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
