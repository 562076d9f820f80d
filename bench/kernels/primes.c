/* primes.c — deterministic Miller–Rabin primality test (bases 2, 7, 61,
 * exact for all 32-bit inputs) on n consecutive odd numbers starting at
 * 2^31 + 1.  Exercises 64-bit multiply and unsigned 64-bit remainder.
 * Work ~ n * (up to 3 modular exponentiations of ~31 squarings). */
#include "common.h"

static uint32_t mulmod(uint32_t a, uint32_t b, uint32_t m)
{
    return (uint32_t)(((uint64_t)a * b) % m);
}

static uint32_t powmod(uint32_t b, uint32_t e, uint32_t m)
{
    uint32_t r = 1u % m;
    b %= m;
    while (e) {
        if (e & 1u) r = mulmod(r, b, m);
        b = mulmod(b, b, m);
        e >>= 1;
    }
    return r;
}

static int witness_passes(uint32_t a, uint32_t d, uint32_t s, uint32_t nn)
{
    uint32_t x = powmod(a, d, nn);
    if (x == 1u || x == nn - 1u) return 1;
    for (uint32_t r = 1; r < s; r++) {
        x = mulmod(x, x, nn);
        if (x == nn - 1u) return 1;
    }
    return 0;
}

static int is_prime(uint32_t v)
{
    if (v < 2u) return 0;
    static const uint32_t small[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 61};
    for (unsigned i = 0; i < sizeof small / sizeof small[0]; i++) {
        if (v == small[i]) return 1;
        if (v % small[i] == 0) return 0;
    }
    uint32_t d = v - 1u, s = 0;
    while ((d & 1u) == 0) { d >>= 1; s++; }
    return witness_passes(2, d, s, v) && witness_passes(7, d, s, v) &&
           witness_passes(61, d, s, v);
}

uint32_t run(uint32_t n)
{
    uint32_t h = BENCH_HASH_INIT, count = 0, last = 0;
    uint32_t v = 0x80000001u;
    for (uint32_t i = 0; i < n; i++, v += 2u) {
        if (is_prime(v)) {
            count++;
            last = v;
            h = mix32(h, v);
        }
    }
    /* 2^31 - 1 is a Mersenne prime; 2^32 - 5 is the largest 32-bit prime. */
    uint32_t selfcheck = (uint32_t)is_prime(0x7fffffffu) + (uint32_t)is_prime(0xfffffffbu) +
                         (uint32_t)!is_prime(0xfffffffdu);
    h = mix32(h, last);
    return mix32(mix32(h, count), selfcheck);
}
