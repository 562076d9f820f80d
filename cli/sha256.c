/*
** sha256.c — cli/sha256.h on mbed TLS (libmbedcrypto, Debian's
** libmbedtls-dev). Handles the 2.x (`*_ret`) and 3.x spellings.
*/
#include <stdlib.h>

#include <mbedtls/md.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "measure.h"
#include "sha256.h"

#if MBEDTLS_VERSION_MAJOR < 3
#define sha256_starts mbedtls_sha256_starts_ret
#define sha256_update mbedtls_sha256_update_ret
#define sha256_finish mbedtls_sha256_finish_ret
#else
#define sha256_starts mbedtls_sha256_starts
#define sha256_update mbedtls_sha256_update
#define sha256_finish mbedtls_sha256_finish
#endif

struct cli_sha256 {
  mbedtls_sha256_context ctx;
};

struct cli_sha256 *cli_sha256_new(void) {
  struct cli_sha256 *h = malloc(sizeof *h);
  if (h == NULL)
    return NULL;
  mbedtls_sha256_init(&h->ctx);
  sha256_starts(&h->ctx, 0); /* 0: SHA-256, not SHA-224 */
  return h;
}

/* mbed TLS's software SHA-256 cannot fail on valid arguments, so the
** update and finish results carry no information. */
void cli_sha256_update(struct cli_sha256 *h, const void *data, size_t size) {
  if (size > 0)
    (void)sha256_update(&h->ctx, data, size);
}

void cli_sha256_final(struct cli_sha256 *h, uint8_t out[CLI_SHA256_SIZE]) {
  (void)sha256_finish(&h->ctx, out);
  mbedtls_sha256_free(&h->ctx);
  free(h);
}

int cli_sha256_of(const void *data, size_t size, uint8_t out[CLI_SHA256_SIZE]) {
  struct cli_sha256 *h = cli_sha256_new();
  if (h == NULL)
    return -1;
  cli_sha256_update(h, data, size);
  cli_sha256_final(h, out);
  return 0;
}

void cli_sha256_hex(const uint8_t digest[CLI_SHA256_SIZE], char out[65]) {
  measure_hex(digest, CLI_SHA256_SIZE, out);
}

int cli_hmac_sha256(const uint8_t key[32], const void *a, size_t a_size,
                    const void *b, size_t b_size,
                    uint8_t out[CLI_SHA256_SIZE]) {
  const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  mbedtls_md_context_t ctx;
  int rc;

  mbedtls_md_init(&ctx);
  rc = info == NULL || mbedtls_md_setup(&ctx, info, 1) != 0 ||
       mbedtls_md_hmac_starts(&ctx, key, 32) != 0 ||
       (a_size > 0 && mbedtls_md_hmac_update(&ctx, a, a_size) != 0) ||
       (b_size > 0 && mbedtls_md_hmac_update(&ctx, b, b_size) != 0) ||
       mbedtls_md_hmac_finish(&ctx, out) != 0;
  mbedtls_md_free(&ctx);
  return rc ? -1 : 0;
}

int cli_equal_ct(const uint8_t *x, const uint8_t *y, size_t n) {
  volatile uint8_t diff = 0;
  for (size_t i = 0; i < n; i++)
    diff |= (uint8_t)(x[i] ^ y[i]);
  return diff == 0;
}
