/* simd_matmul.c — single-precision matrix multiply-accumulate on fixed
 * 256x256 matrices, C = A*B + 0.5*C, repeated; written for vectorisers
 * (wasm simd128 f32x4, SSE/AVX).  n = number of passes; C carries over, so
 * passes depend on each other.  Work ~ n * 2 * 256^3 flops.
 *
 * Plain C, one source for both builds.  The i-k-j order makes the inner
 * loop an element-wise c[j] += a * b[j] over a row, which vectorises across
 * j without reassociating any sum: every C element is still accumulated in
 * k order, so results match bit for bit at any vector width (no FMA, see
 * -ffp-contract=off).  The loop bounds are compile-time multiples of 16, so
 * gcc -O2's cheap vectoriser model takes the loops too. */
#include "common.h"

#define MM 256u

static float A[MM][MM];
static float B[MM][MM];
static float C[MM][MM];

static uint32_t float_bits(float f)
{
    union { float f; uint32_t u; } b;
    b.f = f;
    return b.u;
}

/* Entries are multiples of 1/256 in [-0.5, 0.5). */
static float small_random(uint32_t *seed)
{
    return (float)((int32_t)(xorshift32(seed) & 0xffu) - 128) * (1.0f / 256.0f);
}

static void multiply_accumulate(void)
{
    for (uint32_t i = 0; i < MM; i++) {
        float *c = C[i];
        for (uint32_t j = 0; j < MM; j++)
            c[j] *= 0.5f;
        for (uint32_t k = 0; k < MM; k++) {
            const float a = A[i][k];
            const float *b = B[k];
            for (uint32_t j = 0; j < MM; j++)
                c[j] += a * b[j];
        }
    }
}

uint32_t run(uint32_t n)
{
    uint32_t seed = 0x5eed1234u;
    for (uint32_t i = 0; i < MM; i++)
        for (uint32_t j = 0; j < MM; j++) {
            A[i][j] = small_random(&seed);
            B[i][j] = small_random(&seed);
            C[i][j] = 0.0f;
        }

    /* |C| stays below 2 * 256 * 0.25, far from overflow. */
    uint32_t h = BENCH_HASH_INIT;
    for (uint32_t pass = 0; pass < n; pass++) {
        multiply_accumulate();
        h = mix32(h, float_bits(C[pass % MM][(pass * 97u) % MM]));
    }
    for (uint32_t i = 0; i < MM; i++)
        for (uint32_t j = 0; j < MM; j++)
            h = mix32(h, float_bits(C[i][j]));
    return h;
}
