/*
** attest_evidence.c — the EAT claims set, the endorsement, and the
** software root of trust (a device directory written by weft provision).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "cose.h"
#include "measure.h"
#include "pfs_crypto.h"

void attest_ueid_of(const uint8_t pub[ECKEY_PUBLIC_BYTES],
                    uint8_t ueid[ATTEST_UEID_BYTES]) {
  ueid[0] = 0x01; /* UEID type RAND */
  measure_bytes(pub, ECKEY_PUBLIC_BYTES, ueid + 1);
}

/* Copies a text string item into a NUL-terminated field; -1 if it does
** not fit or holds a NUL. */
static int copy_tstr(const struct cbor_item *items, int i, char *out,
                     size_t size) {
  if (i < 0 || items[i].type != CBOR_TSTR || items[i].len >= size ||
      memchr(items[i].bytes, 0, items[i].len) != NULL)
    return -1;
  memcpy(out, items[i].bytes, items[i].len);
  out[items[i].len] = '\0';
  return 0;
}

/* ---- claims ---------------------------------------------------------------
** Keys in deterministic order: 6, 10, 256, 263, 265, -70000, -70001,
** -70002 (positive before negative; shorter heads first). */
int attest_claims_encode(const struct attest_claims *c, struct cbor_buf *out) {
  cbor_put_map(out, 8);
  cbor_put_int(out, EAT_IAT);
  cbor_put_int(out, c->iat);
  cbor_put_int(out, EAT_NONCE);
  cbor_put_bstr(out, c->nonce, sizeof c->nonce);
  cbor_put_int(out, EAT_UEID);
  cbor_put_bstr(out, c->ueid, sizeof c->ueid);
  cbor_put_int(out, EAT_DBGSTAT);
  cbor_put_int(out, c->dbgstat);
  cbor_put_int(out, EAT_PROFILE);
  cbor_put_tstr(out, c->profile);
  cbor_put_int(out, EAT_ROT_KIND);
  cbor_put_tstr(out, c->rot_kind);
  cbor_put_int(out, EAT_MEASUREMENTS);
  cbor_put_map(out, 3);
  cbor_put_int(out, 1);
  cbor_put_bstr(out, c->runtime, 32);
  cbor_put_int(out, 2);
  cbor_put_bstr(out, c->module, 32);
  cbor_put_int(out, 3);
  cbor_put_bstr(out, c->config, 32);
  cbor_put_int(out, EAT_RUNTIME_VERSION);
  cbor_put_tstr(out, c->runtime_version);
  return out->failed ? -1 : 0;
}

int attest_claims_decode(const uint8_t *data, size_t len,
                         struct attest_claims *c, const char **why) {
  struct cbor_item items[32];
  uint32_t n;
  int i, m, r, mo, cf;

  memset(c, 0, sizeof *c);
  if (cbor_decode(data, len, items, 32, &n, why) != 0)
    return -1;
  *why = "evidence claims malformed or incomplete";
  if (items[0].type != CBOR_MAP || items[0].count != 8)
    return -1;
  i = cbor_map_find(items, 0, EAT_IAT);
  if (i < 0 || cbor_get_int(&items[i], &c->iat) != 0)
    return -1;
  i = cbor_map_find(items, 0, EAT_NONCE);
  if (!cbor_is_bstr_of(items, i, 32))
    return -1;
  memcpy(c->nonce, items[i].bytes, 32);
  i = cbor_map_find(items, 0, EAT_UEID);
  if (!cbor_is_bstr_of(items, i, ATTEST_UEID_BYTES))
    return -1;
  memcpy(c->ueid, items[i].bytes, ATTEST_UEID_BYTES);
  i = cbor_map_find(items, 0, EAT_DBGSTAT);
  if (i < 0 || cbor_get_int(&items[i], &c->dbgstat) != 0)
    return -1;
  if (copy_tstr(items, cbor_map_find(items, 0, EAT_PROFILE), c->profile,
                sizeof c->profile) != 0 ||
      copy_tstr(items, cbor_map_find(items, 0, EAT_ROT_KIND), c->rot_kind,
                sizeof c->rot_kind) != 0 ||
      copy_tstr(items, cbor_map_find(items, 0, EAT_RUNTIME_VERSION),
                c->runtime_version, sizeof c->runtime_version) != 0)
    return -1;
  m = cbor_map_find(items, 0, EAT_MEASUREMENTS);
  if (m < 0 || items[m].type != CBOR_MAP || items[m].count != 3)
    return -1;
  r = cbor_map_find(items, (uint32_t)m, 1);
  mo = cbor_map_find(items, (uint32_t)m, 2);
  cf = cbor_map_find(items, (uint32_t)m, 3);
  if (!cbor_is_bstr_of(items, r, 32) || !cbor_is_bstr_of(items, mo, 32) ||
      !cbor_is_bstr_of(items, cf, 32))
    return -1;
  memcpy(c->runtime, items[r].bytes, 32);
  memcpy(c->module, items[mo].bytes, 32);
  memcpy(c->config, items[cf].bytes, 32);
  *why = NULL;
  return 0;
}

/* ---- endorsement: keys 256, 259, -70000, -70003 ------------------------- */
int attest_endorsement_encode(const struct attest_endorsement *e,
                              struct cbor_buf *out) {
  cbor_put_map(out, 4);
  cbor_put_int(out, EAT_UEID);
  cbor_put_bstr(out, e->ueid, sizeof e->ueid);
  cbor_put_int(out, EAT_HWMODEL);
  cbor_put_tstr(out, e->model);
  cbor_put_int(out, EAT_ROT_KIND);
  cbor_put_tstr(out, e->rot_kind);
  cbor_put_int(out, EAT_DEVICE_KEY);
  cbor_put_bstr(out, e->device_pub, sizeof e->device_pub);
  return out->failed ? -1 : 0;
}

int attest_endorsement_decode(const uint8_t *data, size_t len,
                              struct attest_endorsement *e, const char **why) {
  struct cbor_item items[16];
  uint32_t n;
  int u, k;

  memset(e, 0, sizeof *e);
  if (cbor_decode(data, len, items, 16, &n, why) != 0)
    return -1;
  *why = "endorsement malformed or incomplete";
  if (items[0].type != CBOR_MAP || items[0].count != 4)
    return -1;
  u = cbor_map_find(items, 0, EAT_UEID);
  k = cbor_map_find(items, 0, EAT_DEVICE_KEY);
  if (!cbor_is_bstr_of(items, u, ATTEST_UEID_BYTES) ||
      !cbor_is_bstr_of(items, k, ECKEY_PUBLIC_BYTES) ||
      copy_tstr(items, cbor_map_find(items, 0, EAT_HWMODEL), e->model,
                sizeof e->model) != 0 ||
      copy_tstr(items, cbor_map_find(items, 0, EAT_ROT_KIND), e->rot_kind,
                sizeof e->rot_kind) != 0)
    return -1;
  memcpy(e->ueid, items[u].bytes, ATTEST_UEID_BYTES);
  memcpy(e->device_pub, items[k].bytes, ECKEY_PUBLIC_BYTES);
  *why = NULL;
  return 0;
}

/* ---- signed accounting records: keys 1, 2, -70000 --------------------- */
int attest_account_encode(const uint8_t digest[32], const char *rot_kind,
                          struct cbor_buf *out) {
  cbor_put_map(out, 3);
  cbor_put_int(out, 1);
  cbor_put_bstr(out, digest, 32);
  cbor_put_int(out, 2);
  cbor_put_tstr(out, ATTEST_ACCOUNT_FORMAT);
  cbor_put_int(out, EAT_ROT_KIND);
  cbor_put_tstr(out, rot_kind);
  return out->failed ? -1 : 0;
}

int attest_account_decode(const uint8_t *data, size_t len, uint8_t digest[32],
                          char *rot_kind, size_t size, const char **why) {
  struct cbor_item items[8];
  uint32_t n;
  int d;
  if (cbor_decode(data, len, items, 8, &n, why) != 0)
    return -1;
  *why = "not a weft accounting signature";
  d = cbor_map_find(items, 0, 1);
  if (items[0].type != CBOR_MAP || items[0].count != 3 ||
      !cbor_is_bstr_of(items, d, 32) ||
      !cbor_is_tstr(items, cbor_map_find(items, 0, 2), ATTEST_ACCOUNT_FORMAT) ||
      copy_tstr(items, cbor_map_find(items, 0, EAT_ROT_KIND), rot_kind, size) !=
          0)
    return -1;
  memcpy(digest, items[d].bytes, 32);
  *why = NULL;
  return 0;
}

/* ---- the software root of trust --------------------------------------- */

struct software_rot {
  struct eckey *device_key;
  struct pfs_rng *rng;
  uint8_t *endorsement;
  size_t endorsement_len;
  uint8_t pub[ECKEY_PUBLIC_BYTES];
};

static int sw_measure_runtime(void *ctx, uint8_t out[32]) {
  (void)ctx;
  return measure_runtime(out);
}

static int sw_public_key(void *ctx, uint8_t out[ECKEY_PUBLIC_BYTES]) {
  struct software_rot *s = ctx;
  memcpy(out, s->pub, ECKEY_PUBLIC_BYTES);
  return 0;
}

static int sw_sign(void *ctx, const uint8_t *payload, size_t len,
                   struct cbor_buf *out) {
  struct software_rot *s = ctx;
  uint8_t kid[32];
  measure_bytes(s->pub, sizeof s->pub, kid);
  return cose_sign1_create(out, s->device_key, s->rng, kid, sizeof kid,
                           s->endorsement, s->endorsement_len, payload, len);
}

/* Reads DIR/endorsement.cose (at most a few KiB). */
static int read_endorsement(const char *dir, struct software_rot *s, char *err,
                            size_t errlen) {
  char path[4096];
  FILE *f;
  uint8_t buf[4096];
  size_t n;
  if ((size_t)snprintf(path, sizeof path, "%s/endorsement.cose", dir) >=
      sizeof path) {
    snprintf(err, errlen, "%s: path too long", dir);
    return -1;
  }
  f = measure_fopen_regular(path);
  if (f == NULL) {
    snprintf(err, errlen, "%s: cannot open: %s (run `weft provision`)", path,
             measure_open_error(errno));
    return -1;
  }
  n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  if (n == 0 || n == sizeof buf) {
    snprintf(err, errlen, "%s: empty or too large", path);
    return -1;
  }
  s->endorsement = malloc(n);
  if (s->endorsement == NULL) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  memcpy(s->endorsement, buf, n);
  s->endorsement_len = n;
  return 0;
}

int attest_software_open(const char *device_dir, struct attest_backend *out,
                         char *err, size_t errlen) {
  struct software_rot *s = calloc(1, sizeof *s);
  char path[4096];
  memset(out, 0, sizeof *out);
  if (s == NULL) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  out->ctx = s;
  if ((size_t)snprintf(path, sizeof path, "%s/device.key", device_dir) >=
      sizeof path) {
    snprintf(err, errlen, "%s: path too long", device_dir);
    goto fail;
  }
  if (eckey_load_private(path, &s->device_key, err, errlen) != 0)
    goto fail;
  if (eckey_public_raw(s->device_key, s->pub) != 0 ||
      read_endorsement(device_dir, s, err, errlen) != 0)
    goto fail;
  s->rng = pfs_rng_new();
  if (s->rng == NULL) {
    snprintf(err, errlen, "no random numbers");
    goto fail;
  }
  out->kind = MEASURE_ROT_KIND;
  out->measure_runtime = sw_measure_runtime;
  out->public_key = sw_public_key;
  out->sign = sw_sign;
  return 0;
fail:
  attest_software_close(out);
  return -1;
}

void attest_software_close(struct attest_backend *b) {
  struct software_rot *s = b->ctx;
  if (s != NULL) {
    eckey_free(s->device_key);
    pfs_rng_free(s->rng);
    free(s->endorsement);
    free(s);
  }
  memset(b, 0, sizeof *b);
}
