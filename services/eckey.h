/*
** eckey.h — ECDSA/ECDH on NIST P-256 for the services (attestation
** evidence, module signatures, signed accounting records), as a thin port
** layer over mbed TLS 2.28 like pfs_crypto.h. Keys are stored as PEM
** (SEC1/PKCS#8 private, SubjectPublicKeyInfo public: openssl reads both);
** on the wire a public key is its 65-byte uncompressed point and a
** signature is r || s (64 bytes, as COSE ES256 wants).
*/
#ifndef WEFT_ECKEY_H
#define WEFT_ECKEY_H

#include <stddef.h>
#include <stdint.h>

#define ECKEY_PUBLIC_BYTES 65 /* 0x04 || x || y */
#define ECKEY_SIG_BYTES 64    /* r || s */
#define ECKEY_SHARED_BYTES 32 /* x coordinate of the ECDH point */

struct eckey;   /* a P-256 key pair, or a public key alone */
struct pfs_rng; /* pfs_crypto.h */

/* Each returns 0 on success, -1 on failure; the loaders write a reason
** ("not a P-256 key", "cannot read ...") into err[errlen]. */
int eckey_generate(struct pfs_rng *rng, struct eckey **out);
int eckey_load_private(const char *path, struct eckey **out, char *err,
                       size_t errlen);
/* Accepts a public-key PEM or a private-key PEM (keeps only the public). */
int eckey_load_public(const char *path, struct eckey **out, char *err,
                      size_t errlen);
/* Writes atomically (temporary file, rename); private keys get mode 0600. */
int eckey_save_private(const struct eckey *key, const char *path);
int eckey_save_public(const struct eckey *key, const char *path);
void eckey_free(struct eckey *key);

int eckey_has_private(const struct eckey *key);
int eckey_public_raw(const struct eckey *key, uint8_t out[ECKEY_PUBLIC_BYTES]);
/* Rejects points not on the curve. */
int eckey_from_public_raw(const uint8_t raw[ECKEY_PUBLIC_BYTES],
                          struct eckey **out);

/* ECDSA over a SHA-256 digest. eckey_verify returns 0 only for a valid
** signature by `key`. */
int eckey_sign(const struct eckey *key, struct pfs_rng *rng,
               const uint8_t digest[32], uint8_t sig[ECKEY_SIG_BYTES]);
int eckey_verify(const struct eckey *key, const uint8_t digest[32],
                 const uint8_t sig[ECKEY_SIG_BYTES]);

/* ECDH: x(d_mine * Q_peer). Rejects a peer point not on the curve. */
int eckey_ecdh(const struct eckey *mine, const uint8_t peer[ECKEY_PUBLIC_BYTES],
               struct pfs_rng *rng, uint8_t shared[ECKEY_SHARED_BYTES]);

#endif /* WEFT_ECKEY_H */
