/* simd_bytes.c — byte image filter for vectorisers (wasm simd128 i8x16 /
 * i16x8, SSE/AVX): each pass computes the Sobel edge magnitude
 * |gx| + |gy| of a 512x512 u8 image, saturates it to 255 and averages it
 * with the pixel (rounding up), ping-ponging between two buffers.
 * n = number of passes.  Work ~ n * 512^2 pixels, ~25 integer ops each.
 *
 * Integer only, so any vector width gives the same bytes.  Natively the
 * plain row loop is auto-vectorised: its trip count, 512, is a compile-time
 * multiple of every vector width and the rows are restrict-qualified, so
 * gcc -O2's cheap vectoriser model takes it without run-time checks.  For
 * wasm with simd128 the row uses wasm_simd128.h in u16 lanes (clang's own
 * vectorisation of the plain loop widens to i32x4 and shuffles a lot);
 * both paths give the same bytes, which the checksum compares. */
#include "common.h"

#define SB_W 512u               /* interior width and height */
#define SB_STRIDE (SB_W + 16u)  /* one border column each side, padded */

static uint8_t img[2][SB_W + 2u][SB_STRIDE];

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

/* Eight pixels in u16 lanes; the same arithmetic as the plain loop below.
 * avgr_u is (a + b + 1) >> 1, min_u is the saturation to 255. */
static v128_t filter8(const uint8_t *up, const uint8_t *mid, const uint8_t *dn)
{
    v128_t u0 = wasm_u16x8_load8x8(up), u1 = wasm_u16x8_load8x8(up + 1), u2 = wasm_u16x8_load8x8(up + 2);
    v128_t m0 = wasm_u16x8_load8x8(mid), m1 = wasm_u16x8_load8x8(mid + 1), m2 = wasm_u16x8_load8x8(mid + 2);
    v128_t d0 = wasm_u16x8_load8x8(dn), d1 = wasm_u16x8_load8x8(dn + 1), d2 = wasm_u16x8_load8x8(dn + 2);
    v128_t gx = wasm_i16x8_sub(wasm_i16x8_add(wasm_i16x8_add(u2, wasm_i16x8_shl(m2, 1)), d2),
                               wasm_i16x8_add(wasm_i16x8_add(u0, wasm_i16x8_shl(m0, 1)), d0));
    v128_t gy = wasm_i16x8_sub(wasm_i16x8_add(wasm_i16x8_add(d0, wasm_i16x8_shl(d1, 1)), d2),
                               wasm_i16x8_add(wasm_i16x8_add(u0, wasm_i16x8_shl(u1, 1)), u2));
    v128_t mag = wasm_u16x8_min(wasm_i16x8_add(wasm_i16x8_abs(gx), wasm_i16x8_abs(gy)),
                                wasm_i16x8_splat(255));
    return wasm_u16x8_avgr(m1, mag);
}

/* One output row: dst[1..SB_W] from the three source rows around it. */
static void filter_row(uint8_t *restrict dst, const uint8_t *restrict up,
                       const uint8_t *restrict mid, const uint8_t *restrict dn)
{
    for (uint32_t x = 0; x < SB_W; x += 16) {
        v128_t lo = filter8(up + x, mid + x, dn + x);
        v128_t hi = filter8(up + x + 8, mid + x + 8, dn + x + 8);
        wasm_v128_store(dst + x + 1, wasm_u8x16_narrow_i16x8(lo, hi));
    }
}
#else
/* One output row: dst[1..SB_W] from the three source rows around it. */
static void filter_row(uint8_t *restrict dst, const uint8_t *restrict up,
                       const uint8_t *restrict mid, const uint8_t *restrict dn)
{
    for (uint32_t x = 0; x < SB_W; x++) {
        int gx = (up[x + 2] + 2 * mid[x + 2] + dn[x + 2]) - (up[x] + 2 * mid[x] + dn[x]);
        int gy = (dn[x] + 2 * dn[x + 1] + dn[x + 2]) - (up[x] + 2 * up[x + 1] + up[x + 2]);
        int ax = gx < 0 ? -gx : gx;
        int ay = gy < 0 ? -gy : gy;
        int mag = BENCH_MIN(ax + ay, 255);
        dst[x + 1] = (uint8_t)((mid[x + 1] + mag + 1) >> 1);
    }
}
#endif

static void filter(uint8_t (*restrict dst)[SB_STRIDE], const uint8_t (*restrict src)[SB_STRIDE])
{
    for (uint32_t y = 1; y <= SB_W; y++)
        filter_row(dst[y], src[y - 1], src[y], src[y + 1]);
}

uint32_t run(uint32_t n)
{
    uint32_t seed = 0xb17e5eedu;
    for (uint32_t y = 0; y < SB_W + 2u; y++)
        for (uint32_t x = 0; x < SB_STRIDE; x += 4) {
            uint32_t r = xorshift32(&seed);
            for (uint32_t b = 0; b < 4; b++)
                img[0][y][x + b] = img[1][y][x + b] = (uint8_t)(r >> (8 * b));
        }

    uint32_t h = BENCH_HASH_INIT;
    for (uint32_t pass = 0; pass < n; pass++) {
        uint32_t s = pass & 1u;
        filter(img[s ^ 1u], (const uint8_t (*)[SB_STRIDE])img[s]);
        /* Re-seed one pixel per pass so the image cannot settle. */
        uint8_t *p = &img[s ^ 1u][1u + pass % SB_W][1u + (pass * 131u) % SB_W];
        h = mix32(h, *p);
        *p ^= (uint8_t)xorshift32(&seed);
    }
    uint32_t sum = 0;
    for (uint32_t y = 0; y < SB_W + 2u; y++) {
        uint32_t row = 0;
        for (uint32_t x = 0; x < SB_W + 2u; x++)
            row = row * 31u + img[n & 1u][y][x];
        h = mix32(h, row);
        for (uint32_t x = 0; x < SB_W + 2u; x++)
            sum += img[n & 1u][y][x];
    }
    return mix32(h, sum);
}
