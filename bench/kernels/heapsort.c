/* heapsort.c — in-place heapsort of n pseudo-random 32-bit keys (clamped to
 * SORT_MAX).  Branchy, data-dependent memory access.  Work ~ 2 n log2 n
 * comparisons.  The checksum verifies sortedness and hashes the result. */
#include "common.h"

#define SORT_MAX (1u << 21)

static uint32_t a[SORT_MAX];

static void sift_down(uint32_t *v, uint32_t root, uint32_t len)
{
    uint32_t x = v[root];
    for (;;) {
        uint32_t child = 2u * root + 1u;
        if (child >= len) break;
        if (child + 1u < len && v[child + 1u] > v[child]) child++;
        if (v[child] <= x) break;
        v[root] = v[child];
        root = child;
    }
    v[root] = x;
}

uint32_t run(uint32_t n)
{
    if (n > SORT_MAX) n = SORT_MAX;
    if (n < 2) return n;
    uint32_t seed = 0xdeadbeefu;
    for (uint32_t i = 0; i < n; i++)
        a[i] = xorshift32(&seed);

    for (uint32_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (uint32_t end = n - 1; end > 0; end--) {
        uint32_t t = a[0]; a[0] = a[end]; a[end] = t;
        sift_down(a, 0, end);
    }

    uint32_t h = BENCH_HASH_INIT, unsorted = 0, wsum = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i]) unsorted++;
        wsum += a[i] * (i + 1u);
        if ((i & 1023u) == 0) h = mix32(h, a[i]);
    }
    h = mix32(h, wsum);
    return mix32(h, unsorted);
}
