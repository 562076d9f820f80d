/*
** pfs_crypto.c — pfs_crypto.h on mbed TLS (libmbedcrypto, Debian's
** libmbedtls-dev 2.28; the 3.x spellings are the same for these calls).
*/
#include <stdlib.h>
#include <string.h>

#include <mbedtls/chachapoly.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include "pfs_crypto.h"

struct pfs_rng {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
};

struct pfs_aead {
  mbedtls_gcm_context gcm;
};

struct pfs_rng *pfs_rng_new(void) {
  static const char pers[] = "weft-pfs rng";
  struct pfs_rng *r = calloc(1, sizeof *r);

  if (r == NULL)
    return NULL;
  mbedtls_entropy_init(&r->entropy);
  mbedtls_ctr_drbg_init(&r->drbg);
  if (mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
                            (const unsigned char *)pers,
                            sizeof pers - 1) != 0) {
    pfs_rng_free(r);
    return NULL;
  }
  return r;
}

void pfs_rng_free(struct pfs_rng *r) {
  if (r == NULL)
    return;
  mbedtls_ctr_drbg_free(&r->drbg);
  mbedtls_entropy_free(&r->entropy);
  free(r);
}

int pfs_random(struct pfs_rng *r, void *buf, size_t len) {
  /* CTR_DRBG hands out at most MBEDTLS_CTR_DRBG_MAX_REQUEST per call. */
  uint8_t *p = buf;
  while (len > 0) {
    size_t n =
        len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;
    if (mbedtls_ctr_drbg_random(&r->drbg, p, n) != 0)
      return -1;
    p += n;
    len -= n;
  }
  return 0;
}

int pfs_hkdf(const uint8_t *salt, size_t salt_len, const uint8_t ikm[32],
             const char *info, uint8_t out[32]) {
  const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  return mbedtls_hkdf(md, salt, salt_len, ikm, 32, (const unsigned char *)info,
                      strlen(info), out, 32) == 0
             ? 0
             : -1;
}

int pfs_hmac(const uint8_t key[32], const void *p1, size_t n1, const void *p2,
             size_t n2, uint8_t out[32]) {
  const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  mbedtls_md_context_t ctx;
  int rc;

  mbedtls_md_init(&ctx);
  rc = mbedtls_md_setup(&ctx, md, 1);
  if (rc == 0)
    rc = mbedtls_md_hmac_starts(&ctx, key, 32);
  if (rc == 0 && n1 > 0)
    rc = mbedtls_md_hmac_update(&ctx, p1, n1);
  if (rc == 0 && p2 != NULL && n2 > 0)
    rc = mbedtls_md_hmac_update(&ctx, p2, n2);
  if (rc == 0)
    rc = mbedtls_md_hmac_finish(&ctx, out);
  mbedtls_md_free(&ctx);
  return rc == 0 ? 0 : -1;
}

int pfs_mac_once(const uint8_t key[32], const uint8_t nonce[PFS_NONCE_BYTES],
                 const void *p, size_t n, uint8_t tag[PFS_TAG_BYTES]) {
  mbedtls_chachapoly_context c;
  int rc;

  mbedtls_chachapoly_init(&c);
  rc = mbedtls_chachapoly_setkey(&c, key);
  if (rc == 0)
    rc =
        mbedtls_chachapoly_encrypt_and_tag(&c, 0, nonce, p, n, NULL, NULL, tag);
  mbedtls_chachapoly_free(&c); /* zeroizes the key */
  return rc == 0 ? 0 : -1;
}

struct pfs_aead *pfs_aead_new(const uint8_t key[32]) {
  struct pfs_aead *a = malloc(sizeof *a);
  if (a == NULL)
    return NULL;
  mbedtls_gcm_init(&a->gcm);
  if (mbedtls_gcm_setkey(&a->gcm, MBEDTLS_CIPHER_ID_AES, key, 256) != 0) {
    pfs_aead_free(a);
    return NULL;
  }
  return a;
}

void pfs_aead_free(struct pfs_aead *a) {
  if (a == NULL)
    return;
  mbedtls_gcm_free(&a->gcm); /* zeroizes the key schedule */
  free(a);
}

int pfs_aead_seal(struct pfs_aead *a, const uint8_t nonce[PFS_NONCE_BYTES],
                  const uint8_t *aad, size_t aad_len, const uint8_t *in,
                  uint8_t *out, size_t len, uint8_t tag[PFS_TAG_BYTES]) {
  return mbedtls_gcm_crypt_and_tag(&a->gcm, MBEDTLS_GCM_ENCRYPT, len, nonce,
                                   PFS_NONCE_BYTES, aad, aad_len, in, out,
                                   PFS_TAG_BYTES, tag) == 0
             ? 0
             : -1;
}

int pfs_aead_open(struct pfs_aead *a, const uint8_t nonce[PFS_NONCE_BYTES],
                  const uint8_t *aad, size_t aad_len, const uint8_t *in,
                  uint8_t *out, size_t len, const uint8_t tag[PFS_TAG_BYTES]) {
  /* mbedtls_gcm_auth_decrypt compares the tag in constant time and wipes
  ** `out` when it does not match. */
  return mbedtls_gcm_auth_decrypt(&a->gcm, len, nonce, PFS_NONCE_BYTES, aad,
                                  aad_len, tag, PFS_TAG_BYTES, in, out) == 0
             ? 0
             : -1;
}

int pfs_ct_differ(const void *a, const void *b, size_t n) {
  const volatile uint8_t *x = a, *y = b;
  uint8_t d = 0;
  size_t i;
  for (i = 0; i < n; i++)
    d |= (uint8_t)(x[i] ^ y[i]);
  return d != 0;
}

void pfs_wipe(void *p, size_t n) { mbedtls_platform_zeroize(p, n); }
