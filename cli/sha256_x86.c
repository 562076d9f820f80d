/*
** sha256_x86.c — the SHA-256 compression function on the x86 SHA
** extensions (SHA-NI: sha256rnds2, sha256msg1, sha256msg2), used when the
** CPU reports them at run time; the rest of weft is built for the
** baseline ISA, so only these functions are compiled for SHA and SSE4.1.
** Elsewhere than x86 the file compiles to "not usable".
**
** sha256rnds2 does two rounds on the state split in two registers, one
** holding (A, B, E, F) and one (C, D, G, H), highest dword first, with
** W[t] + K[t] of the two rounds in the low half of its third operand.
** After two rounds the old (A, B, E, F) is the new (C, D, G, H), so the
** two registers swap roles every call. sha256msg1 and sha256msg2 compute
** the message schedule four words at a time.
*/
#include "sha256_block.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

int cli_sha256_x86_usable(void) {
  return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
}

/* Four rounds from W[t..t+3] (w, lowest word in the lowest dword). */
SHA_TARGET static void four_rounds(__m128i *abef, __m128i *cdgh, __m128i w,
                                   int t) {
  __m128i wk =
      _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)(cli_sha256_k + t)));
  *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
  *abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(wk, 0x0e));
}

/* W[t..t+3] from the four groups before it: w0 = W[t-16..t-13], w1 the
** next four, and so on to w3 = W[t-4..t-1]. FIPS 180-4's
** W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]: msg1 adds the s0
** terms, the alignr gives W[t-7..t-4], msg2 adds the s1 terms. */
SHA_TARGET static __m128i next_words(__m128i w0, __m128i w1, __m128i w2,
                                     __m128i w3) {
  __m128i sum =
      _mm_add_epi32(_mm_sha256msg1_epu32(w0, w1), _mm_alignr_epi8(w3, w2, 4));
  return _mm_sha256msg2_epu32(sum, w3);
}

/* Sixteen bytes of the block as four big-endian words. */
SHA_TARGET static __m128i load_words(const uint8_t *p) {
  const __m128i swap =
      _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
  return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), swap);
}

SHA_TARGET static void sha_ni_block(__m128i *abef, __m128i *cdgh,
                                    const uint8_t *block) {
  __m128i abef0 = *abef, cdgh0 = *cdgh;
  __m128i w0 = load_words(block), w1 = load_words(block + 16);
  __m128i w2 = load_words(block + 32), w3 = load_words(block + 48);

  four_rounds(abef, cdgh, w0, 0);
  four_rounds(abef, cdgh, w1, 4);
  four_rounds(abef, cdgh, w2, 8);
  four_rounds(abef, cdgh, w3, 12);
  for (int t = 16; t < 64; t += 16) {
    w0 = next_words(w0, w1, w2, w3);
    four_rounds(abef, cdgh, w0, t);
    w1 = next_words(w1, w2, w3, w0);
    four_rounds(abef, cdgh, w1, t + 4);
    w2 = next_words(w2, w3, w0, w1);
    four_rounds(abef, cdgh, w2, t + 8);
    w3 = next_words(w3, w0, w1, w2);
    four_rounds(abef, cdgh, w3, t + 12);
  }
  *abef = _mm_add_epi32(*abef, abef0);
  *cdgh = _mm_add_epi32(*cdgh, cdgh0);
}

/* state[0..7] = A..H to and from the two registers: (A, B, E, F) holds F
** in its lowest dword, (C, D, G, H) holds H there. */
SHA_TARGET void cli_sha256_blocks_x86(uint32_t state[8], const uint8_t *blocks,
                                      size_t count) {
  __m128i abcd = _mm_loadu_si128((const __m128i *)state);
  __m128i efgh = _mm_loadu_si128((const __m128i *)(state + 4));
  __m128i badc = _mm_shuffle_epi32(abcd, 0xb1); /* B A D C, low first */
  __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1b); /* H G F E */
  __m128i abef = _mm_alignr_epi8(badc, hgfe, 8);
  __m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xf0);

  for (size_t i = 0; i < count; i++)
    sha_ni_block(&abef, &cdgh, blocks + i * CLI_SHA256_BLOCK);
  __m128i abfe = _mm_shuffle_epi32(abef, 0x1b); /* A B E F, low first */
  __m128i ghcd = _mm_shuffle_epi32(cdgh, 0xb1); /* G H C D */
  _mm_storeu_si128((__m128i *)state, _mm_blend_epi16(abfe, ghcd, 0xf0));
  _mm_storeu_si128((__m128i *)(state + 4), _mm_alignr_epi8(ghcd, abfe, 8));
}

#else /* not x86: never chosen */

int cli_sha256_x86_usable(void) { return 0; }

void cli_sha256_blocks_x86(uint32_t state[8], const uint8_t *blocks,
                           size_t count) {
  cli_sha256_blocks_portable(state, blocks, count);
}

#endif
