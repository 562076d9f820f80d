/*
** cose.c — cose.h: COSE_Sign1 ES256 over cbor.h and eckey.h.
*/
#include <string.h>

#include "cose.h"
#include "measure.h"

/* The only protected header accepted: {1: -7}, deterministically. */
static const uint8_t protected_es256[] = {0xa1, 0x01, 0x26};

/* SHA-256 of Sig_structure = ["Signature1", protected, h'', payload]. */
static int sig_structure_digest(const uint8_t *prot, size_t prot_len,
                                const uint8_t *payload, size_t payload_len,
                                uint8_t digest[32]) {
  struct cbor_buf b;
  cbor_buf_init(&b, CBOR_MAX_INPUT + 64);
  cbor_put_array(&b, 4);
  cbor_put_tstr(&b, "Signature1");
  cbor_put_bstr(&b, prot, prot_len);
  cbor_put_bstr(&b, NULL, 0);
  cbor_put_bstr(&b, payload, payload_len);
  if (b.failed) {
    cbor_buf_free(&b);
    return -1;
  }
  measure_bytes(b.data, b.len, digest);
  cbor_buf_free(&b);
  return 0;
}

int cose_sign1_create(struct cbor_buf *out, const struct eckey *key,
                      struct pfs_rng *rng, const uint8_t *kid, size_t kid_len,
                      const uint8_t *attached, size_t attached_len,
                      const uint8_t *payload, size_t payload_len) {
  uint8_t digest[32], sig[ECKEY_SIG_BYTES];
  if (sig_structure_digest(protected_es256, sizeof protected_es256, payload,
                           payload_len, digest) != 0 ||
      eckey_sign(key, rng, digest, sig) != 0)
    return -1;
  cbor_put_tag(out, COSE_TAG_SIGN1);
  cbor_put_array(out, 4);
  cbor_put_bstr(out, protected_es256, sizeof protected_es256);
  cbor_put_map(out, (kid != NULL) + (attached != NULL));
  if (kid != NULL) { /* 4 sorts before -70010 */
    cbor_put_int(out, COSE_LABEL_KID);
    cbor_put_bstr(out, kid, kid_len);
  }
  if (attached != NULL) {
    cbor_put_int(out, COSE_LABEL_ATTACHED);
    cbor_put_bstr(out, attached, attached_len);
  }
  cbor_put_bstr(out, payload, payload_len);
  cbor_put_bstr(out, sig, sizeof sig);
  return out->failed ? -1 : 0;
}

int cose_sign1_parse(const uint8_t *data, size_t len, struct cose_sign1 *out,
                     const char **why) {
  struct cbor_item items[16];
  uint32_t n, k, i;
  int prot, unprot, payload, sig;

  memset(out, 0, sizeof *out);
  if (cbor_decode(data, len, items, 16, &n, why) != 0)
    return -1;
  if (items[0].type != CBOR_TAG || items[0].value != COSE_TAG_SIGN1 ||
      items[1].type != CBOR_ARRAY || items[1].count != 4) {
    *why = "not a COSE_Sign1 (tag 18, array of 4)";
    return -1;
  }
  prot = cbor_array_at(items, 1, 0);
  unprot = cbor_array_at(items, 1, 1);
  payload = cbor_array_at(items, 1, 2);
  sig = cbor_array_at(items, 1, 3);
  if (items[prot].type != CBOR_BSTR ||
      items[prot].len != sizeof protected_es256 ||
      memcmp(items[prot].bytes, protected_es256, sizeof protected_es256) != 0) {
    *why = "COSE protected header is not {alg: ES256}";
    return -1;
  }
  if (items[unprot].type != CBOR_MAP || items[payload].type != CBOR_BSTR ||
      !cbor_is_bstr_of(items, sig, ECKEY_SIG_BYTES)) {
    *why = "malformed COSE_Sign1";
    return -1;
  }
  /* Unprotected header: only kid and the attached blob, as byte strings. */
  for (k = 0, i = (uint32_t)unprot + 1; k < items[unprot].count; k++) {
    int64_t label;
    uint32_t value = items[i].next;
    if (cbor_get_int(&items[i], &label) != 0 ||
        items[value].type != CBOR_BSTR ||
        (label != COSE_LABEL_KID && label != COSE_LABEL_ATTACHED)) {
      *why = "unexpected COSE unprotected header parameter";
      return -1;
    }
    if (label == COSE_LABEL_KID) {
      out->kid = items[value].bytes;
      out->kid_len = items[value].len;
    } else {
      out->attached = items[value].bytes;
      out->attached_len = items[value].len;
    }
    i = items[value].next;
  }
  out->protected_hdr = items[prot].bytes;
  out->protected_len = items[prot].len;
  out->payload = items[payload].bytes;
  out->payload_len = items[payload].len;
  out->signature = items[sig].bytes;
  return 0;
}

int cose_sign1_verify(const struct cose_sign1 *msg, const struct eckey *pub) {
  uint8_t digest[32];
  if (msg->signature == NULL ||
      sig_structure_digest(msg->protected_hdr, msg->protected_len, msg->payload,
                           msg->payload_len, digest) != 0)
    return -1;
  return eckey_verify(pub, digest, msg->signature);
}
