/*
** modsig.h — module signatures: a custom section `weft.sig` that names the
** module's signer, product and security version (svn), for the SIGNER
** sealing policy (docs/sealing.md). The section is hostile input: it is
** parsed with every length checked and verified before anything trusts it.
**
** Section payload v1 (integers little-endian), nothing after it:
**   "WSIG" | version u8 = 1 | signer public key[65] (P-256, uncompressed) |
**   product_len u8 (1..64) | product[product_len] | svn u32 |
**   signature[64] (ECDSA P-256, r | s)
** The signature is over SHA-256("weft/sig/v1" | module_sha256 | payload
** without the signature), module_sha256 being the SHA-256 of the module
** bytes with the whole weft.sig section (id, size, name, payload) cut out.
** signer_id = SHA-256(signer public key).
*/
#ifndef WEFT_MODSIG_H
#define WEFT_MODSIG_H

#include <stddef.h>
#include <stdint.h>

#define MODSIG_SECTION "weft.sig"
#define MODSIG_PRODUCT_MAX 64

struct eckey;
struct pfs_rng;

/* A verified signature. */
struct modsig {
  uint8_t signer_pub[65];
  uint8_t signer_id[32];
  uint8_t product[MODSIG_PRODUCT_MAX];
  uint8_t product_len;
  uint32_t svn;
};

/* Looks for weft.sig in a module. Returns 0 with *found = 0 when there is
** none; 0 with *found = 1 and *out filled when it verifies; -1 with a
** reason in err ("bad signature", "malformed ...") otherwise. */
int modsig_verify(const uint8_t *wasm, size_t size, struct modsig *out,
                  int *found, char *err, size_t errlen);

/* Signs a module: the result (malloc'd) is the module without any
** weft.sig section, followed by a new one. product is 1..64 bytes.
** 0, or -1 with a reason in err. */
int modsig_sign(const uint8_t *wasm, size_t size, const struct eckey *key,
                struct pfs_rng *rng, const uint8_t *product, size_t product_len,
                uint32_t svn, uint8_t **out, size_t *out_size, char *err,
                size_t errlen);

#endif /* WEFT_MODSIG_H */
