/*
** sha256_arm.c — the SHA-256 compression function on the AArch64 SHA2
** instructions (sha256h, sha256h2, sha256su0, sha256su1), used when the
** kernel reports them (HWCAP_SHA2); only these functions are compiled for
** them. Elsewhere than AArch64 the file compiles to "not usable".
**
** The state stays in two registers, (A, B, C, D) and (E, F, G, H), lowest
** lane first; sha256h and sha256h2 each do four rounds, the first giving
** the new (A..D), the second the new (E..H) from the old (A..D).
*/
#include "sha256_block.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <sys/auxv.h>

/* gcc 12 knows SHA2 only as part of "+crypto" (with AES, unused here). */
#define SHA_TARGET __attribute__((target("+crypto")))
#define HWCAP_SHA2_BIT (1ul << 6) /* AT_HWCAP's SHA2 bit (asm/hwcap.h) */

int cli_sha256_arm_usable(void) {
  return (getauxval(AT_HWCAP) & HWCAP_SHA2_BIT) != 0;
}

SHA_TARGET static void four_rounds(uint32x4_t *abcd, uint32x4_t *efgh,
                                   uint32x4_t w, int t) {
  uint32x4_t wk = vaddq_u32(w, vld1q_u32(cli_sha256_k + t));
  uint32x4_t abcd0 = *abcd;
  *abcd = vsha256hq_u32(*abcd, *efgh, wk);
  *efgh = vsha256h2q_u32(*efgh, abcd0, wk);
}

/* W[t..t+3] from W[t-16..t-1] in four registers, oldest first. */
SHA_TARGET static uint32x4_t next_words(uint32x4_t w0, uint32x4_t w1,
                                        uint32x4_t w2, uint32x4_t w3) {
  return vsha256su1q_u32(vsha256su0q_u32(w0, w1), w2, w3);
}

SHA_TARGET static uint32x4_t load_words(const uint8_t *p) {
  return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p)));
}

SHA_TARGET void cli_sha256_blocks_arm(uint32_t state[8], const uint8_t *blocks,
                                      size_t count) {
  uint32x4_t abcd = vld1q_u32(state), efgh = vld1q_u32(state + 4);

  for (size_t i = 0; i < count; i++) {
    const uint8_t *b = blocks + i * CLI_SHA256_BLOCK;
    uint32x4_t abcd0 = abcd, efgh0 = efgh;
    uint32x4_t w0 = load_words(b), w1 = load_words(b + 16);
    uint32x4_t w2 = load_words(b + 32), w3 = load_words(b + 48);
    four_rounds(&abcd, &efgh, w0, 0);
    four_rounds(&abcd, &efgh, w1, 4);
    four_rounds(&abcd, &efgh, w2, 8);
    four_rounds(&abcd, &efgh, w3, 12);
    for (int t = 16; t < 64; t += 16) {
      w0 = next_words(w0, w1, w2, w3);
      four_rounds(&abcd, &efgh, w0, t);
      w1 = next_words(w1, w2, w3, w0);
      four_rounds(&abcd, &efgh, w1, t + 4);
      w2 = next_words(w2, w3, w0, w1);
      four_rounds(&abcd, &efgh, w2, t + 8);
      w3 = next_words(w3, w0, w1, w2);
      four_rounds(&abcd, &efgh, w3, t + 12);
    }
    abcd = vaddq_u32(abcd, abcd0);
    efgh = vaddq_u32(efgh, efgh0);
  }
  vst1q_u32(state, abcd);
  vst1q_u32(state + 4, efgh);
}

#else /* not AArch64: never chosen */

int cli_sha256_arm_usable(void) { return 0; }

void cli_sha256_blocks_arm(uint32_t state[8], const uint8_t *blocks,
                           size_t count) {
  cli_sha256_blocks_portable(state, blocks, count);
}

#endif
