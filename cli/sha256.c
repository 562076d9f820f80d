/*
** sha256.c — cli/sha256.h: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC
** 2104), our own code. The compression function is chosen per hash from
** the CPU's features (sha256_block.h): the x86 SHA extensions or AArch64's
** SHA2 instructions when present, plain C otherwise. Authenticating a
** multi-megabyte AoT artifact at every `weft run` is what makes the speed
** matter.
*/
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "sha256_block.h"

/* FIPS 180-4, 5.3.3: the first 32 bits of the fractional parts of the
** square roots of the first eight primes. */
static const uint32_t initial_state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                          0xa54ff53a, 0x510e527f, 0x9b05688c,
                                          0x1f83d9ab, 0x5be0cd19};

cli_sha256_blocks_fn *cli_sha256_best(void) {
  if (cli_sha256_x86_usable())
    return cli_sha256_blocks_x86;
  if (cli_sha256_arm_usable())
    return cli_sha256_blocks_arm;
  return cli_sha256_blocks_portable;
}

void cli_sha256_init(struct cli_sha256 *h, cli_sha256_blocks_fn *blocks) {
  memcpy(h->state, initial_state, sizeof h->state);
  h->total = 0;
  h->fill = 0;
  h->blocks = blocks;
}

void cli_sha256_update(struct cli_sha256 *h, const void *data, size_t size) {
  const uint8_t *p = data;

  if (size == 0) /* `data` may then be NULL */
    return;
  h->total += size;
  if (h->fill > 0) { /* complete the waiting block first */
    size_t take = CLI_SHA256_BLOCK - h->fill;
    if (take > size)
      take = size;
    memcpy(h->buf + h->fill, p, take);
    h->fill += take;
    p += take;
    size -= take;
    if (h->fill < CLI_SHA256_BLOCK)
      return;
    h->blocks(h->state, h->buf, 1);
    h->fill = 0;
  }
  if (size >= CLI_SHA256_BLOCK) { /* whole blocks straight from `data` */
    size_t count = size / CLI_SHA256_BLOCK;
    h->blocks(h->state, p, count);
    p += count * CLI_SHA256_BLOCK;
    size -= count * CLI_SHA256_BLOCK;
  }
  memcpy(h->buf, p, size);
  h->fill = size;
}

static void put_be32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* FIPS 180-4, 5.1.1: a 1 bit, zeros to 56 bytes modulo 64, then the
** message length in bits as a big-endian 64-bit integer. */
void cli_sha256_finish(struct cli_sha256 *h, uint8_t out[CLI_SHA256_SIZE]) {
  uint64_t bits = h->total * 8;
  size_t fill = h->fill;

  h->buf[fill++] = 0x80;
  if (fill > CLI_SHA256_BLOCK - 8) {
    memset(h->buf + fill, 0, CLI_SHA256_BLOCK - fill);
    h->blocks(h->state, h->buf, 1);
    fill = 0;
  }
  memset(h->buf + fill, 0, CLI_SHA256_BLOCK - 8 - fill);
  put_be32(h->buf + 56, (uint32_t)(bits >> 32));
  put_be32(h->buf + 60, (uint32_t)bits);
  h->blocks(h->state, h->buf, 1);
  for (int i = 0; i < 8; i++)
    put_be32(out + 4 * i, h->state[i]);
}

struct cli_sha256 *cli_sha256_new(void) {
  struct cli_sha256 *h = malloc(sizeof *h);
  if (h != NULL)
    cli_sha256_init(h, cli_sha256_best());
  return h;
}

void cli_sha256_final(struct cli_sha256 *h, uint8_t out[CLI_SHA256_SIZE]) {
  cli_sha256_finish(h, out);
  free(h);
}

int cli_sha256_of(const void *data, size_t size, uint8_t out[CLI_SHA256_SIZE]) {
  struct cli_sha256 h;
  cli_sha256_init(&h, cli_sha256_best());
  cli_sha256_update(&h, data, size);
  cli_sha256_finish(&h, out);
  return 0;
}

void cli_sha256_hex(const uint8_t digest[CLI_SHA256_SIZE], char out[65]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < CLI_SHA256_SIZE; i++) {
    out[2 * i] = digits[digest[i] >> 4];
    out[2 * i + 1] = digits[digest[i] & 15];
  }
  out[64] = '\0';
}

/* RFC 2104: H((K ^ opad) || H((K ^ ipad) || text)), K the key padded with
** zeros to the block size, or first hashed when longer than a block. */
void cli_hmac_sha256_with(cli_sha256_blocks_fn *blocks, const uint8_t *key,
                          size_t key_size, const void *a, size_t a_size,
                          const void *b, size_t b_size,
                          uint8_t out[CLI_SHA256_SIZE]) {
  uint8_t k[CLI_SHA256_BLOCK] = {0}, pad[CLI_SHA256_BLOCK],
          inner[CLI_SHA256_SIZE];
  struct cli_sha256 h;

  if (key_size > CLI_SHA256_BLOCK) {
    cli_sha256_init(&h, blocks);
    cli_sha256_update(&h, key, key_size);
    cli_sha256_finish(&h, k);
  } else if (key_size > 0) {
    memcpy(k, key, key_size);
  }
  for (int i = 0; i < CLI_SHA256_BLOCK; i++)
    pad[i] = k[i] ^ 0x36;
  cli_sha256_init(&h, blocks);
  cli_sha256_update(&h, pad, sizeof pad);
  cli_sha256_update(&h, a, a_size);
  cli_sha256_update(&h, b, b_size);
  cli_sha256_finish(&h, inner);
  for (int i = 0; i < CLI_SHA256_BLOCK; i++)
    pad[i] = k[i] ^ 0x5c;
  cli_sha256_init(&h, blocks);
  cli_sha256_update(&h, pad, sizeof pad);
  cli_sha256_update(&h, inner, sizeof inner);
  cli_sha256_finish(&h, out);
  /* The padded key and the hash state after it are as secret as the key. */
  explicit_bzero(k, sizeof k);
  explicit_bzero(pad, sizeof pad);
  explicit_bzero(&h, sizeof h);
}

int cli_hmac_sha256(const uint8_t key[32], const void *a, size_t a_size,
                    const void *b, size_t b_size,
                    uint8_t out[CLI_SHA256_SIZE]) {
  cli_hmac_sha256_with(cli_sha256_best(), key, 32, a, a_size, b, b_size, out);
  return 0;
}

int cli_equal_ct(const uint8_t *x, const uint8_t *y, size_t n) {
  volatile uint8_t diff = 0;
  for (size_t i = 0; i < n; i++)
    diff |= (uint8_t)(x[i] ^ y[i]);
  return diff == 0;
}
