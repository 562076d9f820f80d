/*
** cose.h — COSE_Sign1 (RFC 9052 §4.2) with ES256 only: the envelope of
** evidence, endorsements and signed accounting records. The protected
** header is exactly {1: -7}; the unprotected header carries the key id
** (label 4) and, optionally, an attached blob (private label -70010: the
** endorsement travels with the evidence this way).
*/
#ifndef WEFT_COSE_H
#define WEFT_COSE_H

#include <stddef.h>
#include <stdint.h>

#include "cbor.h"
#include "eckey.h"

#define COSE_TAG_SIGN1 18
#define COSE_LABEL_ALG 1
#define COSE_LABEL_KID 4
#define COSE_LABEL_ATTACHED (-70010)
#define COSE_ALG_ES256 (-7)

/* A parsed COSE_Sign1: every pointer points into the input bytes. */
struct cose_sign1 {
  const uint8_t *protected_hdr; /* the protected header's bytes */
  size_t protected_len;
  const uint8_t *payload;
  size_t payload_len;
  const uint8_t *kid; /* NULL when absent */
  size_t kid_len;
  const uint8_t *attached; /* NULL when absent */
  size_t attached_len;
  const uint8_t *signature; /* ECKEY_SIG_BYTES */
};

/* Signs payload with `key` and appends the tagged COSE_Sign1 to out.
** kid and attached may be NULL. 0, or -1 (signing or encoding failed). */
int cose_sign1_create(struct cbor_buf *out, const struct eckey *key,
                      struct pfs_rng *rng, const uint8_t *kid, size_t kid_len,
                      const uint8_t *attached, size_t attached_len,
                      const uint8_t *payload, size_t payload_len);

/* Parses (does not verify) a tagged COSE_Sign1. 0, or -1 with a reason. */
int cose_sign1_parse(const uint8_t *data, size_t len, struct cose_sign1 *out,
                     const char **why);

/* 0 only when the signature is valid for `pub` over the Sig_structure
** ["Signature1", protected, h'', payload]. */
int cose_sign1_verify(const struct cose_sign1 *msg, const struct eckey *pub);

#endif /* WEFT_COSE_H */
