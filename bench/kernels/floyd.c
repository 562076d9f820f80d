/* floyd.c — Floyd–Warshall all-pairs shortest paths on a sparse random
 * directed graph with integer weights.  n = number of vertices (clamped to
 * FLOYD_MAX).  Work ~ n^3 compare/add steps. */
#include "common.h"

#define FLOYD_MAX 1024
#define FLOYD_INF 0x3fffffffu   /* 2*INF still fits in uint32 */

static uint32_t D[FLOYD_MAX][FLOYD_MAX];

uint32_t run(uint32_t n)
{
    if (n > FLOYD_MAX) n = FLOYD_MAX;
    if (n == 0) return 0;

    uint32_t seed = 0x9e3779b9u;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            uint32_t r = xorshift32(&seed);
            if (i == j)
                D[i][j] = 0;
            else if ((r & 0xffu) < 40u)     /* ~16% edge density */
                D[i][j] = 1u + ((r >> 8) % 1000u);
            else
                D[i][j] = FLOYD_INF;
        }

    for (uint32_t k = 0; k < n; k++)
        for (uint32_t i = 0; i < n; i++) {
            uint32_t dik = D[i][k];
            if (dik == FLOYD_INF) continue;
            for (uint32_t j = 0; j < n; j++) {
                uint32_t via = dik + D[k][j];
                if (via < D[i][j]) D[i][j] = via;
            }
        }

    uint32_t h = BENCH_HASH_INIT, unreachable = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t rowsum = 0;
        for (uint32_t j = 0; j < n; j++) {
            if (D[i][j] >= FLOYD_INF) unreachable++;
            else rowsum += D[i][j];
        }
        h = mix32(h, rowsum);
    }
    return mix32(h, unreachable);
}
