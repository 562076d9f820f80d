/*
** modsig.c — modsig.h: finding, checking and writing the weft.sig custom
** section. Reads only within the bytes given (every length checked against
** what is left); never prints.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "eckey.h"
#include "modsig.h"
#include "pfs_crypto.h"

#define SIG_MAGIC "WSIG"
#define SIG_VERSION 1
#define SIG_CONTEXT "weft/sig/v1"
#define NAME_LEN (sizeof MODSIG_SECTION - 1)
/* magic, version, key, product_len | product | svn, signature */
#define FIXED_HEAD (4 + 1 + ECKEY_PUBLIC_BYTES + 1)
#define PAYLOAD_BYTES(n) (FIXED_HEAD + (n) + 4 + ECKEY_SIG_BYTES)

/* Where the weft.sig sections are: [start, end) spans a whole section. */
struct sig_span {
  size_t start, end;
  size_t payload, payload_len;
};

/* Reads an unsigned LEB128 that fits 32 bits from w[*pos..n). */
static int read_u32(const uint8_t *w, size_t n, size_t *pos, uint32_t *out) {
  uint32_t v = 0;
  unsigned shift;
  for (shift = 0; shift < 35; shift += 7) {
    uint8_t b;
    if (*pos >= n)
      return -1;
    b = w[(*pos)++];
    if (shift == 28 && (b & 0x70) != 0)
      return -1; /* more than 32 bits */
    v |= (uint32_t)(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      return 0;
    }
  }
  return -1;
}

/* Walks the sections; fills spans[0..max) and *count with every weft.sig
** section. -1 when the module's framing is broken. */
static int find_sig_sections(const uint8_t *w, size_t n, struct sig_span *spans,
                             size_t max, size_t *count) {
  static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  size_t pos = 8;

  *count = 0;
  if (n < 8 || memcmp(w, header, 8) != 0)
    return -1;
  while (pos < n) {
    size_t start = pos, body;
    uint32_t size, name_len;
    uint8_t id = w[pos++];
    if (read_u32(w, n, &pos, &size) != 0 || size > n - pos)
      return -1;
    body = pos;
    pos += size;
    if (id != 0)
      continue;
    if (read_u32(w, pos, &body, &name_len) != 0 || name_len > pos - body)
      return -1;
    if (name_len != NAME_LEN || memcmp(w + body, MODSIG_SECTION, NAME_LEN) != 0)
      continue;
    if (*count < max) {
      spans[*count].start = start;
      spans[*count].end = pos;
      spans[*count].payload = body + name_len;
      spans[*count].payload_len = pos - (body + name_len);
    }
    (*count)++;
  }
  return 0;
}

/* SHA-256 of the module with the sections in spans[0..k) cut out (spans
** in file order). */
static void hash_without(const uint8_t *w, size_t n,
                         const struct sig_span *spans, size_t k,
                         uint8_t out[32]) {
  mbedtls_sha256_context ctx;
  size_t at = 0, i;
  mbedtls_sha256_init(&ctx);
  mbedtls_sha256_starts_ret(&ctx, 0);
  for (i = 0; i < k; i++) {
    mbedtls_sha256_update_ret(&ctx, w + at, spans[i].start - at);
    at = spans[i].end;
  }
  mbedtls_sha256_update_ret(&ctx, w + at, n - at);
  mbedtls_sha256_finish_ret(&ctx, out);
  mbedtls_sha256_free(&ctx);
}

/* The digest the signature covers. */
static void signed_digest(const uint8_t module_sha[32], const uint8_t *payload,
                          size_t signed_len, uint8_t out[32]) {
  mbedtls_sha256_context ctx;
  mbedtls_sha256_init(&ctx);
  mbedtls_sha256_starts_ret(&ctx, 0);
  mbedtls_sha256_update_ret(&ctx, (const uint8_t *)SIG_CONTEXT,
                            sizeof SIG_CONTEXT - 1);
  mbedtls_sha256_update_ret(&ctx, module_sha, 32);
  mbedtls_sha256_update_ret(&ctx, payload, signed_len);
  mbedtls_sha256_finish_ret(&ctx, out);
  mbedtls_sha256_free(&ctx);
}

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* Splits a payload into *out (not yet verified); -1 when malformed. */
static int parse_payload(const uint8_t *p, size_t len, struct modsig *out,
                         char *err, size_t errlen) {
  size_t plen;
  if (len < FIXED_HEAD || memcmp(p, SIG_MAGIC, 4) != 0) {
    snprintf(err, errlen, "malformed weft.sig section (bad magic or size)");
    return -1;
  }
  if (p[4] != SIG_VERSION) {
    snprintf(err, errlen, "weft.sig version %u is not supported", p[4]);
    return -1;
  }
  plen = p[FIXED_HEAD - 1];
  if (plen == 0 || plen > MODSIG_PRODUCT_MAX || len != PAYLOAD_BYTES(plen)) {
    snprintf(err, errlen,
             "malformed weft.sig section (product length %zu, %zu bytes)", plen,
             len);
    return -1;
  }
  memcpy(out->signer_pub, p + 5, ECKEY_PUBLIC_BYTES);
  out->product_len = (uint8_t)plen;
  memcpy(out->product, p + FIXED_HEAD, plen);
  out->svn = get_u32(p + FIXED_HEAD + plen);
  return 0;
}

int modsig_verify(const uint8_t *wasm, size_t size, struct modsig *out,
                  int *found, char *err, size_t errlen) {
  struct sig_span span;
  struct eckey *key = NULL;
  uint8_t module_sha[32], digest[32];
  size_t count, signed_len;
  const uint8_t *p;
  int rc;

  *found = 0;
  memset(out, 0, sizeof *out);
  if (find_sig_sections(wasm, size, &span, 1, &count) != 0) {
    snprintf(err, errlen, "malformed module sections");
    return -1;
  }
  if (count == 0)
    return 0;
  *found = 1;
  if (count > 1) {
    snprintf(err, errlen, "%zu weft.sig sections (at most one allowed)", count);
    return -1;
  }
  p = wasm + span.payload;
  if (parse_payload(p, span.payload_len, out, err, errlen) != 0)
    return -1;
  if (eckey_from_public_raw(out->signer_pub, &key) != 0) {
    snprintf(err, errlen, "weft.sig: signer key is not a P-256 point");
    return -1;
  }
  hash_without(wasm, size, &span, 1, module_sha);
  signed_len = span.payload_len - ECKEY_SIG_BYTES;
  signed_digest(module_sha, p, signed_len, digest);
  rc = eckey_verify(key, digest, p + signed_len);
  eckey_free(key);
  if (rc != 0) {
    snprintf(err, errlen,
             "weft.sig: bad signature (the module or its signature section "
             "was changed after signing)");
    return -1;
  }
  mbedtls_sha256_ret(out->signer_pub, ECKEY_PUBLIC_BYTES, out->signer_id, 0);
  return 0;
}

/* Appends u32 LEB128; returns bytes written (at most 5). */
static size_t put_leb(uint8_t *p, uint32_t v) {
  size_t n = 0;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    p[n++] = (uint8_t)(b | (v ? 0x80 : 0));
  } while (v);
  return n;
}

/* Copies the module without its weft.sig sections into a buffer with
** `extra` bytes of room; *kept is the copied length. */
static uint8_t *strip_sig(const uint8_t *w, size_t n, size_t extra,
                          size_t *kept, char *err, size_t errlen) {
  struct sig_span spans[8];
  size_t count, at = 0, i;
  uint8_t *out;

  if (find_sig_sections(w, n, spans, 8, &count) != 0) {
    snprintf(err, errlen, "not a WebAssembly module (bad header or sections)");
    return NULL;
  }
  if (count > 8) {
    snprintf(err, errlen, "too many weft.sig sections (%zu)", count);
    return NULL;
  }
  out = malloc(n + extra);
  if (out == NULL) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  *kept = 0;
  for (i = 0; i <= count; i++) {
    size_t end = i < count ? spans[i].start : n;
    memcpy(out + *kept, w + at, end - at);
    *kept += end - at;
    if (i < count)
      at = spans[i].end;
  }
  return out;
}

int modsig_sign(const uint8_t *wasm, size_t size, const struct eckey *key,
                struct pfs_rng *rng, const uint8_t *product, size_t product_len,
                uint32_t svn, uint8_t **out, size_t *out_size, char *err,
                size_t errlen) {
  uint8_t payload[PAYLOAD_BYTES(MODSIG_PRODUCT_MAX)], module_sha[32],
      digest[32];
  size_t plen = PAYLOAD_BYTES(product_len), signed_len, kept, at;
  uint8_t *buf;

  *out = NULL;
  if (product_len == 0 || product_len > MODSIG_PRODUCT_MAX) {
    snprintf(err, errlen, "product id must be 1 to %d bytes",
             MODSIG_PRODUCT_MAX);
    return -1;
  }
  /* room for: id, size LEB, name LEB, name, payload */
  buf = strip_sig(wasm, size, 1 + 5 + 1 + NAME_LEN + plen, &kept, err, errlen);
  if (buf == NULL)
    return -1;
  memcpy(payload, SIG_MAGIC, 4);
  payload[4] = SIG_VERSION;
  if (eckey_public_raw(key, payload + 5) != 0) {
    snprintf(err, errlen, "cannot export the public key");
    free(buf);
    return -1;
  }
  payload[FIXED_HEAD - 1] = (uint8_t)product_len;
  memcpy(payload + FIXED_HEAD, product, product_len);
  signed_len = FIXED_HEAD + product_len + 4;
  payload[signed_len - 4] = (uint8_t)svn;
  payload[signed_len - 3] = (uint8_t)(svn >> 8);
  payload[signed_len - 2] = (uint8_t)(svn >> 16);
  payload[signed_len - 1] = (uint8_t)(svn >> 24);
  mbedtls_sha256_ret(buf, kept, module_sha, 0);
  signed_digest(module_sha, payload, signed_len, digest);
  if (eckey_sign(key, rng, digest, payload + signed_len) != 0) {
    snprintf(err, errlen, "signing failed (not a private key?)");
    free(buf);
    return -1;
  }
  at = kept;
  buf[at++] = 0; /* custom section */
  at += put_leb(buf + at, (uint32_t)(1 + NAME_LEN + plen));
  buf[at++] = (uint8_t)NAME_LEN;
  memcpy(buf + at, MODSIG_SECTION, NAME_LEN);
  at += NAME_LEN;
  memcpy(buf + at, payload, plen);
  *out = buf;
  *out_size = at + plen;
  return 0;
}
