/*
** seal.c — seal.h: the blob format and key derivation. Crypto comes from
** mbed TLS (HKDF here because its info is binary; AES-256-GCM and the rng
** through pfs_crypto.h). Never prints; every secret is wiped.
*/
#include <stdlib.h>
#include <string.h>

#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include "pfs_crypto.h"
#include "seal.h"

#define SEAL_MAGIC "WSL1"
#define SEAL_VERSION 1
#define SEAL_INFO "weft/seal/v1"
#define INFO_MAX (sizeof SEAL_INFO - 1 + 1 + 32 + 1 + SEAL_PRODUCT_MAX + 4)

/* Header field offsets. */
enum {
  OFF_MAGIC = 0,
  OFF_VERSION = 4,
  OFF_POLICY = 5,
  OFF_KEY_ID = 6,
  OFF_SVN = 38,
  OFF_NONCE = 42,
  OFF_END = 54
};
_Static_assert(OFF_END == SEAL_HEADER_BYTES, "header layout");
_Static_assert(SEAL_OVERHEAD == SEAL_HEADER_BYTES + PFS_TAG_BYTES, "tag");

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

enum seal_status seal_derive_key(const uint8_t root[32],
                                 const uint8_t key_id[32], uint8_t policy,
                                 const struct seal_identity *id, uint32_t svn,
                                 uint8_t out[32]) {
  uint8_t info[INFO_MAX];
  size_t n = sizeof SEAL_INFO - 1;
  int rc;

  memcpy(info, SEAL_INFO, n);
  info[n++] = policy;
  if (policy == SEAL_POLICY_MEASUREMENT) {
    memcpy(info + n, id->module_sha256, 32);
    memcpy(info + n + 32, id->runtime_sha256, 32);
    n += 64;
  } else if (policy == SEAL_POLICY_SIGNER) {
    if (!id->is_signed)
      return SEAL_NOT_SIGNED;
    if (id->product_len == 0 || id->product_len > SEAL_PRODUCT_MAX)
      return SEAL_BAD_POLICY;
    memcpy(info + n, id->signer_id, 32);
    n += 32;
    info[n++] = id->product_len;
    memcpy(info + n, id->product, id->product_len);
    n += id->product_len;
  } else {
    return SEAL_BAD_POLICY;
  }
  put_u32(info + n, svn);
  n += 4;
  rc = mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key_id, 32,
                    root, 32, info, n, out, 32);
  pfs_wipe(info, sizeof info);
  return rc == 0 ? SEAL_OK : SEAL_CRYPTO_ERROR;
}

/* header | app AAD, malloc'd, as GCM's additional data. */
static uint8_t *join_aad(const uint8_t *header, const uint8_t *aad,
                         size_t aad_len) {
  uint8_t *all;
  if (aad_len > SIZE_MAX - SEAL_HEADER_BYTES)
    return NULL;
  all = malloc(SEAL_HEADER_BYTES + aad_len);
  if (all == NULL)
    return NULL;
  memcpy(all, header, SEAL_HEADER_BYTES);
  if (aad_len != 0)
    memcpy(all + SEAL_HEADER_BYTES, aad, aad_len);
  return all;
}

/* GCM over the blob's body with the key derived for its header: seals
** when seal_tag is given (the tag goes there), else opens with open_tag. */
static enum seal_status run_gcm(const uint8_t root[32],
                                const struct seal_identity *id,
                                const uint8_t *header, const uint8_t *aad,
                                size_t aad_len, const uint8_t *in, uint8_t *out,
                                size_t len, uint8_t *seal_tag,
                                const uint8_t *open_tag) {
  uint8_t key[32];
  struct pfs_aead *gcm;
  uint8_t *all;
  enum seal_status st;
  int rc;

  st = seal_derive_key(root, header + OFF_KEY_ID, header[OFF_POLICY], id,
                       get_u32(header + OFF_SVN), key);
  if (st != SEAL_OK) {
    pfs_wipe(key, sizeof key);
    return st;
  }
  gcm = pfs_aead_new(key);
  pfs_wipe(key, sizeof key);
  all = join_aad(header, aad, aad_len);
  if (gcm == NULL || all == NULL) {
    pfs_aead_free(gcm);
    free(all);
    return SEAL_NO_MEMORY;
  }
  if (seal_tag != NULL)
    rc = pfs_aead_seal(gcm, header + OFF_NONCE, all,
                       SEAL_HEADER_BYTES + aad_len, in, out, len, seal_tag);
  else
    rc = pfs_aead_open(gcm, header + OFF_NONCE, all,
                       SEAL_HEADER_BYTES + aad_len, in, out, len, open_tag);
  pfs_aead_free(gcm);
  free(all);
  if (rc != 0)
    return seal_tag != NULL ? SEAL_CRYPTO_ERROR : SEAL_NOT_OPENED;
  return SEAL_OK;
}

enum seal_status seal_blob(struct pfs_rng *rng, const uint8_t root[32],
                           const struct seal_identity *id, uint32_t policy,
                           const uint8_t *aad, size_t aad_len,
                           const uint8_t *pt, size_t pt_len, uint8_t *out) {
  uint32_t svn = 0;
  enum seal_status st;

  if (policy == SEAL_POLICY_SIGNER) {
    if (!id->is_signed)
      return SEAL_NOT_SIGNED;
    svn = id->svn;
  } else if (policy != SEAL_POLICY_MEASUREMENT) {
    return SEAL_BAD_POLICY;
  }
  memcpy(out + OFF_MAGIC, SEAL_MAGIC, 4);
  out[OFF_VERSION] = SEAL_VERSION;
  out[OFF_POLICY] = (uint8_t)policy;
  put_u32(out + OFF_SVN, svn);
  /* A fresh key_id gives a fresh key per blob; the nonce is random too. */
  if (pfs_random(rng, out + OFF_KEY_ID, 32) != 0 ||
      pfs_random(rng, out + OFF_NONCE, PFS_NONCE_BYTES) != 0)
    return SEAL_CRYPTO_ERROR;
  st = run_gcm(root, id, out, aad, aad_len, pt, out + SEAL_HEADER_BYTES, pt_len,
               out + SEAL_HEADER_BYTES + pt_len, NULL);
  if (st != SEAL_OK)
    pfs_wipe(out, pt_len + SEAL_OVERHEAD);
  return st;
}

enum seal_status unseal_blob(const uint8_t root[32],
                             const struct seal_identity *id, const uint8_t *aad,
                             size_t aad_len, const uint8_t *blob,
                             size_t blob_len, uint8_t *out) {
  size_t len;
  uint8_t policy;
  enum seal_status st;

  if (blob_len < SEAL_OVERHEAD || memcmp(blob, SEAL_MAGIC, 4) != 0 ||
      blob[OFF_VERSION] != SEAL_VERSION)
    return SEAL_MALFORMED;
  policy = blob[OFF_POLICY];
  if (policy == SEAL_POLICY_SIGNER) {
    if (!id->is_signed)
      return SEAL_NOT_SIGNED;
    /* As EGETKEY: keys of newer versions stay out of reach of older ones.
    ** With a software root this is the runtime's refusal, not math. */
    if (get_u32(blob + OFF_SVN) > id->svn)
      return SEAL_SVN_TOO_LOW;
  } else if (policy != SEAL_POLICY_MEASUREMENT ||
             get_u32(blob + OFF_SVN) != 0) {
    return SEAL_MALFORMED;
  }
  len = blob_len - SEAL_OVERHEAD;
  st = run_gcm(root, id, blob, aad, aad_len, blob + SEAL_HEADER_BYTES, out, len,
               NULL, blob + SEAL_HEADER_BYTES + len);
  if (st != SEAL_OK)
    pfs_wipe(out, len);
  return st;
}
