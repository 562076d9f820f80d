/* nussinov.c — RNA secondary-structure style dynamic programme (maximum
 * number of nested complementary base pairs) over a pseudo-random sequence
 * of A/C/G/U.  n = sequence length (clamped to NUSS_MAX).  Work ~ n^3/6. */
#include "common.h"

#define NUSS_MAX 1024

static uint8_t seq[NUSS_MAX];
static int32_t T[NUSS_MAX][NUSS_MAX];

/* 0=A 1=C 2=G 3=U; Watson–Crick pairs A-U, C-G plus G-U wobble. */
static int32_t pairs(uint8_t a, uint8_t b)
{
    uint32_t s = (uint32_t)a * 4u + b;
    /* bit s of the mask is set for A-U(3), U-A(12), C-G(6), G-C(9), G-U(11), U-G(14) */
    return (int32_t)((0x5a48u >> s) & 1u);
}

uint32_t run(uint32_t n)
{
    if (n > NUSS_MAX) n = NUSS_MAX;
    if (n == 0) return 0;

    uint32_t seed = 0xc0ffee11u;
    for (uint32_t i = 0; i < n; i++) {
        seq[i] = (uint8_t)(xorshift32(&seed) >> 30);
        for (uint32_t j = 0; j < n; j++)
            T[i][j] = 0;
    }

    /* T[i][j] = best score on the closed interval seq[i..j]. */
    for (int32_t i = (int32_t)n - 2; i >= 0; i--) {
        for (int32_t j = i + 1; j < (int32_t)n; j++) {
            int32_t best = T[i + 1][j];                 /* i unpaired */
            best = BENCH_MAX(best, T[i][j - 1]);        /* j unpaired */
            int32_t inner = (i + 1 <= j - 1) ? T[i + 1][j - 1] : 0;
            if (j - i > 3)                              /* minimum hairpin loop */
                best = BENCH_MAX(best, inner + pairs(seq[i], seq[j]));
            for (int32_t k = i + 1; k < j; k++) {       /* bifurcation */
                int32_t s = T[i][k] + T[k + 1][j];
                best = BENCH_MAX(best, s);
            }
            T[i][j] = best;
        }
    }

    uint32_t h = BENCH_HASH_INIT;
    for (uint32_t i = 0; i < n; i += 7)
        for (uint32_t j = i; j < n; j += 5)
            h = mix32(h, (uint32_t)T[i][j]);
    return mix32(h, (uint32_t)T[0][n - 1]);
}
