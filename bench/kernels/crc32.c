/* crc32.c — table-driven CRC-32 (IEEE 802.3, reflected polynomial
 * 0xEDB88320) over a 64 KiB pseudo-random buffer.  n = number of passes over
 * the buffer; each pass perturbs one byte so passes cannot be folded.
 * Work ~ n * 64 KiB table look-ups. */
#include "common.h"

#define CRC_BUF 65536u

static uint32_t table[256];
static uint8_t buf[CRC_BUF];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (0xedb88320u ^ (c >> 1)) : (c >> 1);
        table[i] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, uint32_t len)
{
    crc = ~crc;
    for (uint32_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

uint32_t run(uint32_t n)
{
    make_table();
    uint32_t seed = 0x1234567u;
    for (uint32_t i = 0; i < CRC_BUF; i += 4) {
        uint32_t r = xorshift32(&seed);
        buf[i] = (uint8_t)r;
        buf[i + 1] = (uint8_t)(r >> 8);
        buf[i + 2] = (uint8_t)(r >> 16);
        buf[i + 3] = (uint8_t)(r >> 24);
    }

    uint32_t h = BENCH_HASH_INIT, crc = 0;
    for (uint32_t pass = 0; pass < n; pass++) {
        crc = crc_update(crc, buf, CRC_BUF);
        buf[(pass * 2654435761u) % CRC_BUF] ^= (uint8_t)crc;
        h = mix32(h, crc);
    }
    /* Self-check against the standard check value CRC32("123456789"). */
    static const uint8_t check[9] = {'1','2','3','4','5','6','7','8','9'};
    return mix32(h, crc_update(0, check, 9) ^ 0xcbf43926u);
}
