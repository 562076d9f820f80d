/* mandelbrot.c — escape-time Mandelbrot set on an n x n grid over
 * [-2.0, 0.5] x [-1.25, 1.25], at most 256 iterations per point.
 * n = image side (no array needed).  Work ~ n^2 * mean iteration count. */
#include "common.h"

#define MAX_ITER 256u

uint32_t run(uint32_t n)
{
    if (n == 0) return 0;
    const double dx = 2.5 / (double)n, dy = 2.5 / (double)n;
    uint32_t h = BENCH_HASH_INIT, total = 0;

    for (uint32_t y = 0; y < n; y++) {
        double ci = -1.25 + (double)y * dy;
        uint32_t row = 0;
        for (uint32_t x = 0; x < n; x++) {
            double cr = -2.0 + (double)x * dx;
            double zr = 0.0, zi = 0.0, zr2 = 0.0, zi2 = 0.0;
            uint32_t it = 0;
            while (it < MAX_ITER && zr2 + zi2 <= 4.0) {
                zi = 2.0 * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                zr2 = zr * zr;
                zi2 = zi * zi;
                it++;
            }
            row = row * 33u + it;
            total += it;
        }
        h = mix32(h, row);
    }
    return mix32(h, total);
}
