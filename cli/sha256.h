/*
** sha256.h — SHA-256 and HMAC-SHA256 for the CLI (artifact MACs, cache
** and module hashes), our own code on the CPU's SHA instructions when it
** has them (cli/sha256.c); libweft's core never links it.
*/
#ifndef WEFT_CLI_SHA256_H
#define WEFT_CLI_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define CLI_SHA256_SIZE 32

struct cli_sha256; /* an incremental hash in progress */

/* Returns NULL when out of memory. */
struct cli_sha256 *cli_sha256_new(void);
void cli_sha256_update(struct cli_sha256 *h, const void *data, size_t size);
/* Writes the digest and frees `h`. */
void cli_sha256_final(struct cli_sha256 *h, uint8_t out[CLI_SHA256_SIZE]);

/* The digest of one buffer; returns 0 (-1 is kept for out of memory,
** which this implementation never meets). */
int cli_sha256_of(const void *data, size_t size, uint8_t out[CLI_SHA256_SIZE]);

/* HMAC-SHA256 under a 32-byte key of the concatenation a || b (either may
** be empty, and then NULL); returns 0 (-1 is kept for out of memory). */
int cli_hmac_sha256(const uint8_t key[32], const void *a, size_t a_size,
                    const void *b, size_t b_size, uint8_t out[CLI_SHA256_SIZE]);

/* 1 when the n bytes at x and y are equal. The time taken does not depend
** on where they differ, so comparing a MAC reveals nothing of the right
** one. */
int cli_equal_ct(const uint8_t *x, const uint8_t *y, size_t n);

/* Lower-case hex of a digest: 64 characters and a NUL. */
void cli_sha256_hex(const uint8_t digest[CLI_SHA256_SIZE], char out[65]);

#endif /* WEFT_CLI_SHA256_H */
