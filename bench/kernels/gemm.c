/* gemm.c — dense double-precision matrix multiply, C = alpha*A*B + beta*C.
 * n = matrix dimension (clamped to GEMM_MAX).  Work ~ 2*n^3 flops.
 * Loop order i-k-j so the innermost loop streams rows of B and C. */
#include "common.h"

#define GEMM_MAX 1024

static double A[GEMM_MAX][GEMM_MAX];
static double B[GEMM_MAX][GEMM_MAX];
static double C[GEMM_MAX][GEMM_MAX];

uint32_t run(uint32_t n)
{
    if (n > GEMM_MAX) n = GEMM_MAX;
    if (n == 0) return 0;
    const double alpha = 1.5, beta = 1.25, inv = 1.0 / (double)n;

    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            A[i][j] = (double)((i * j + 1u) % n) * inv;
            B[i][j] = (double)((i * (j + 2u) + 3u) % n) * inv;
            C[i][j] = (double)((i + 3u * j) % 11u) * 0.125;
        }

    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < n; j++)
            C[i][j] *= beta;
        for (uint32_t k = 0; k < n; k++) {
            double t = alpha * A[i][k];
            for (uint32_t j = 0; j < n; j++)
                C[i][j] += t * B[k][j];
        }
    }

    uint32_t h = BENCH_HASH_INIT;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++)
            h = mixf64(h, C[i][j]);
    return h;
}
