/*
** sha256_block.h — inside cli/sha256.c: the SHA-256 compression function
** (FIPS 180-4, section 6.2.2) in its implementations, and the streaming
** state built on it. Each implementation applies the compression to
** `count` consecutive 64-byte blocks; they differ only in speed. The
** portable one runs everywhere; the others use the CPU's SHA instructions
** and are picked at run time, when the CPU has them.
*/
#ifndef WEFT_CLI_SHA256_BLOCK_H
#define WEFT_CLI_SHA256_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

#define CLI_SHA256_BLOCK 64 /* bytes per compression */

typedef void cli_sha256_blocks_fn(uint32_t state[8], const uint8_t *blocks,
                                  size_t count);

/* The round constants K (FIPS 180-4, 4.2.2), shared by every
** implementation. */
extern const uint32_t cli_sha256_k[64];

/* Plain C, any CPU. */
void cli_sha256_blocks_portable(uint32_t state[8], const uint8_t *blocks,
                                size_t count);

/* The x86 SHA extensions (SHA-NI); call only when cli_sha256_x86_usable()
** says the CPU has them. On other architectures usable is 0. */
int cli_sha256_x86_usable(void);
void cli_sha256_blocks_x86(uint32_t state[8], const uint8_t *blocks,
                           size_t count);

/* The AArch64 SHA2 instructions; the same contract. */
int cli_sha256_arm_usable(void);
void cli_sha256_blocks_arm(uint32_t state[8], const uint8_t *blocks,
                           size_t count);

/* The fastest implementation this CPU runs. */
cli_sha256_blocks_fn *cli_sha256_best(void);

/* A hash in progress. */
struct cli_sha256 {
  uint32_t state[8];
  uint64_t total; /* bytes given so far */
  uint8_t buf[CLI_SHA256_BLOCK];
  size_t fill; /* bytes waiting in buf, < CLI_SHA256_BLOCK */
  cli_sha256_blocks_fn *blocks;
};

/* Starts a hash that compresses with `blocks`. */
void cli_sha256_init(struct cli_sha256 *h, cli_sha256_blocks_fn *blocks);
/* Writes the digest; `h` may be started again after. */
void cli_sha256_finish(struct cli_sha256 *h, uint8_t out[CLI_SHA256_SIZE]);

/* HMAC-SHA256 (RFC 2104) under a key of any length, of a || b, with the
** compression `blocks`. cli_hmac_sha256 is this with cli_sha256_best(). */
void cli_hmac_sha256_with(cli_sha256_blocks_fn *blocks, const uint8_t *key,
                          size_t key_size, const void *a, size_t a_size,
                          const void *b, size_t b_size,
                          uint8_t out[CLI_SHA256_SIZE]);

#endif /* WEFT_CLI_SHA256_BLOCK_H */
