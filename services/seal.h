/*
** seal.h — sealed blobs: data encrypted under a key that only the same
** identity on the same device can derive again (docs/sealing.md). Works on
** host buffers; seal_host.c exposes it to Wasm as the `weft:seal` module.
** The device's root key is software here (DIR/seal.key): a host that can
** read that file can unseal everything, which a TEE would prevent.
**
** Blob (all integers little-endian):
**   "WSL1" | version u8 = 1 | policy u8 | key_id[32] | svn u32 |
**   nonce[12] | ciphertext (as long as the plaintext) | tag[16]
** Key = HKDF-SHA256(ikm = root, salt = key_id, info = "weft/seal/v1" |
**   policy u8 | identity | svn u32), identity as in seal_derive_key.
** AES-256-GCM with AAD = the 54-byte header | the application's AAD.
*/
#ifndef WEFT_SEAL_H
#define WEFT_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define SEAL_POLICY_MEASUREMENT 1 /* module SHA-256 | runtime SHA-256 */
#define SEAL_POLICY_SIGNER 2      /* signer id | product id, svn >= */
#define SEAL_HEADER_BYTES 54
#define SEAL_OVERHEAD (SEAL_HEADER_BYTES + 16) /* header + GCM tag */
#define SEAL_PRODUCT_MAX 64                    /* bytes of a product id */

struct pfs_rng;

/* Who is sealing or unsealing: the running module and runtime, and the
** verified weft.sig of the module when it has one (modsig.h). */
struct seal_identity {
  uint8_t module_sha256[32];
  uint8_t runtime_sha256[32];
  int is_signed; /* the fields below are meaningful */
  uint8_t signer_id[32];
  uint8_t product[SEAL_PRODUCT_MAX];
  uint8_t product_len; /* 1..SEAL_PRODUCT_MAX */
  uint32_t svn;
};

/* Outcomes (seal_host.c maps them to WASI errno values). */
enum seal_status {
  SEAL_OK = 0,
  SEAL_BAD_POLICY,  /* not a policy number */
  SEAL_NOT_SIGNED,  /* SIGNER policy, but the module has no weft.sig */
  SEAL_SVN_TOO_LOW, /* the blob was sealed by a newer svn */
  SEAL_MALFORMED,   /* too short, bad magic/version/policy */
  SEAL_NOT_OPENED,  /* authentication failed: other key, identity, AAD,
                       or a modified blob */
  SEAL_NO_MEMORY,
  SEAL_CRYPTO_ERROR /* the rng or the cipher failed */
};

/* The key for one blob. identity = module_sha256 | runtime_sha256 for
** MEASUREMENT, signer_id | product_len u8 | product for SIGNER. Exposed
** for the known-answer test. */
enum seal_status seal_derive_key(const uint8_t root[32],
                                 const uint8_t key_id[32], uint8_t policy,
                                 const struct seal_identity *id, uint32_t svn,
                                 uint8_t out[32]);

/* Seals pt into out[pt_len + SEAL_OVERHEAD] (the caller checked the size
** and that it does not overflow). */
enum seal_status seal_blob(struct pfs_rng *rng, const uint8_t root[32],
                           const struct seal_identity *id, uint32_t policy,
                           const uint8_t *aad, size_t aad_len,
                           const uint8_t *pt, size_t pt_len, uint8_t *out);

/* Opens blob into out[blob_len - SEAL_OVERHEAD] (blob_len >=
** SEAL_OVERHEAD, checked by the caller). On failure out holds nothing
** usable (it is wiped). */
enum seal_status unseal_blob(const uint8_t root[32],
                             const struct seal_identity *id, const uint8_t *aad,
                             size_t aad_len, const uint8_t *blob,
                             size_t blob_len, uint8_t *out);

#endif /* WEFT_SEAL_H */
