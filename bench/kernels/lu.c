/* lu.c — in-place LU decomposition (Doolittle, no pivoting) of a diagonally
 * dominant n x n double matrix, followed by a forward/backward solve.
 * n = matrix dimension (clamped to LU_MAX).  Work ~ (2/3)*n^3 flops. */
#include "common.h"

#define LU_MAX 1280

static double M[LU_MAX][LU_MAX];
static double b[LU_MAX], y[LU_MAX];

uint32_t run(uint32_t n)
{
    if (n > LU_MAX) n = LU_MAX;
    if (n == 0) return 0;

    uint32_t seed = 0x2545f491u;
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < n; j++)
            M[i][j] = (double)(xorshift32(&seed) & 0xffffu) * (1.0 / 65536.0) - 0.5;
        M[i][i] += (double)n;               /* make it diagonally dominant */
        b[i] = (double)(i % 13u) - 6.0;
    }

    /* Factor: M = L*U, unit lower L stored below the diagonal. */
    for (uint32_t k = 0; k < n; k++) {
        double pivinv = 1.0 / M[k][k];
        for (uint32_t i = k + 1; i < n; i++) {
            double l = M[i][k] * pivinv;
            M[i][k] = l;
            for (uint32_t j = k + 1; j < n; j++)
                M[i][j] -= l * M[k][j];
        }
    }

    /* Solve L*y = b, then U*x = y (x stored back into y). */
    for (uint32_t i = 0; i < n; i++) {
        double s = b[i];
        for (uint32_t j = 0; j < i; j++)
            s -= M[i][j] * y[j];
        y[i] = s;
    }
    for (uint32_t i = n; i-- > 0;) {
        double s = y[i];
        for (uint32_t j = i + 1; j < n; j++)
            s -= M[i][j] * y[j];
        y[i] = s / M[i][i];
    }

    uint32_t h = BENCH_HASH_INIT;
    for (uint32_t i = 0; i < n; i++) {
        h = mixf64(h, y[i]);
        h = mixf64(h, M[i][i]);
        h = mixf64(h, M[i][(i * 7u) % n]);
    }
    return h;
}
