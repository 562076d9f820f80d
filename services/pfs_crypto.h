/*
** pfs_crypto.h — the crypto the protected files use, as a thin port layer
** (mbed TLS 2.28 here; a TEE build swaps pfs_crypto.c only). No cipher is
** written by hand: AES-256-GCM, ChaCha20-Poly1305, HKDF-SHA256,
** HMAC-SHA256 and CTR_DRBG all come from the library.
*/
#ifndef WEFT_PFS_CRYPTO_H
#define WEFT_PFS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define PFS_NONCE_BYTES 12
#define PFS_TAG_BYTES 16

struct pfs_rng;  /* a seeded CTR_DRBG */
struct pfs_aead; /* an AES-256-GCM key schedule */

struct pfs_rng *pfs_rng_new(void);
void pfs_rng_free(struct pfs_rng *rng);
int pfs_random(struct pfs_rng *rng, void *buf, size_t len);

/* HKDF-SHA256 (RFC 5869): 32 bytes of output. */
int pfs_hkdf(const uint8_t *salt, size_t salt_len, const uint8_t ikm[32],
             const char *info, uint8_t out[32]);
/* HMAC-SHA256 over p1 then p2 (p2 may be NULL). */
int pfs_hmac(const uint8_t key[32], const void *p1, size_t n1, const void *p2,
             size_t n2, uint8_t out[32]);

/* A fast one-time MAC of p[0..n): the Poly1305 tag of ChaCha20-Poly1305
** with no plaintext and p as associated data. `nonce` must never repeat
** under one key. About five times faster than HMAC-SHA256 here. */
int pfs_mac_once(const uint8_t key[32], const uint8_t nonce[PFS_NONCE_BYTES],
                 const void *p, size_t n, uint8_t tag[PFS_TAG_BYTES]);

struct pfs_aead *pfs_aead_new(const uint8_t key[32]);
void pfs_aead_free(struct pfs_aead *a);
/* Encrypts len bytes in -> out and writes the tag. 0 on success. */
int pfs_aead_seal(struct pfs_aead *a, const uint8_t nonce[PFS_NONCE_BYTES],
                  const uint8_t *aad, size_t aad_len, const uint8_t *in,
                  uint8_t *out, size_t len, uint8_t tag[PFS_TAG_BYTES]);
/* Checks the tag (in constant time) and decrypts; non-zero when the tag
** does not match, and then `out` holds nothing the caller may use. */
int pfs_aead_open(struct pfs_aead *a, const uint8_t nonce[PFS_NONCE_BYTES],
                  const uint8_t *aad, size_t aad_len, const uint8_t *in,
                  uint8_t *out, size_t len, const uint8_t tag[PFS_TAG_BYTES]);

/* Constant-time equality (0: equal) and a wipe the compiler keeps. */
int pfs_ct_differ(const void *a, const void *b, size_t n);
void pfs_wipe(void *p, size_t n);

#endif /* WEFT_PFS_CRYPTO_H */
