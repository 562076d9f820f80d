/* jacobi2d.c — 5-point Jacobi relaxation on a fixed 256x256 double grid with
 * fixed boundary values.  n = number of time steps (each step sweeps A->B and
 * B->A).  Work ~ n * 2 * 254^2 * 5 flops. */
#include "common.h"

#define JG 256

static double A[JG][JG];
static double B[JG][JG];

static void sweep(double (*dst)[JG], double (*src)[JG])
{
    for (uint32_t i = 1; i < JG - 1; i++)
        for (uint32_t j = 1; j < JG - 1; j++)
            dst[i][j] = 0.2 * ((((src[i][j] + src[i][j - 1]) + src[i][j + 1])
                                + src[i - 1][j]) + src[i + 1][j]);
}

uint32_t run(uint32_t n)
{
    for (uint32_t i = 0; i < JG; i++)
        for (uint32_t j = 0; j < JG; j++) {
            double v = (double)((i * 31u + j * 17u) % 97u) * (1.0 / 97.0);
            if (i == 0 || j == 0) v = 1.0;          /* hot edges */
            if (i == JG - 1 || j == JG - 1) v = 0.0; /* cold edges */
            A[i][j] = v;
            B[i][j] = v;
        }

    for (uint32_t t = 0; t < n; t++) {
        sweep(B, A);
        sweep(A, B);
    }

    uint32_t h = BENCH_HASH_INIT;
    for (uint32_t i = 0; i < JG; i += 3)
        for (uint32_t j = 0; j < JG; j++)
            h = mixf64(h, A[i][j]);
    return h;
}
