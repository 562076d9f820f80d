/*
** test_units.c — unit tests of the attestation services: CBOR known
** answers (RFC 8949 Appendix A) and strict-decoder rejections, eckey
** (sign, verify, tamper, ECDH, PEM round trips), COSE_Sign1, and the
** appraisal of mutated evidence (no crash, never accepted).
** usage: test_units SCRATCH_DIR    Ends with "N passed, N failed".
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest.h"
#include "cbor.h"
#include "cose.h"
#include "eckey.h"
#include "measure.h"
#include "pfs_crypto.h"

static int passed, failed;

static void check(int ok, const char *what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    printf("FAIL: %s\n", what);
  }
}

static size_t unhex(const char *hex, uint8_t *out) {
  size_t n = strlen(hex) / 2;
  for (size_t i = 0; i < n; i++)
    sscanf(hex + 2 * i, "%2hhx", &out[i]);
  return n;
}

static int same_hex(const struct cbor_buf *b, const char *hex) {
  char got[256];
  if (b->failed || b->len * 2 + 1 > sizeof got)
    return 0;
  measure_hex(b->data, b->len, got);
  if (strcmp(got, hex) != 0)
    printf("  got %s want %s\n", got, hex);
  return strcmp(got, hex) == 0;
}

/* ---- CBOR encoder known answers ------------------------------------------ */
static void test_encoder(void) {
  static const struct {
    int64_t v;
    const char *hex;
  } ints[] = {{0, "00"},
              {1, "01"},
              {10, "0a"},
              {23, "17"},
              {24, "1818"},
              {25, "1819"},
              {100, "1864"},
              {1000, "1903e8"},
              {1000000, "1a000f4240"},
              {1000000000000, "1b000000e8d4a51000"},
              {-1, "20"},
              {-10, "29"},
              {-100, "3863"},
              {-1000, "3903e7"},
              {-70000, "3a0001116f"},
              {INT64_MIN, "3b7fffffffffffffff"}};
  struct cbor_buf b;
  char name[64];
  size_t i;

  for (i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    cbor_buf_init(&b, 64);
    cbor_put_int(&b, ints[i].v);
    snprintf(name, sizeof name, "encode int %lld", (long long)ints[i].v);
    check(same_hex(&b, ints[i].hex), name);
    cbor_buf_free(&b);
  }
  cbor_buf_init(&b, 64);
  cbor_put_uint(&b, UINT64_MAX);
  check(same_hex(&b, "1bffffffffffffffff"), "encode 2^64-1");
  cbor_buf_free(&b);
  cbor_buf_init(&b, 64);
  cbor_put_tstr(&b, "");
  cbor_put_tstr(&b, "IETF");
  cbor_put_bstr(&b, NULL, 0);
  cbor_put_bstr(&b, "\x01\x02\x03\x04", 4);
  check(same_hex(&b, "6064494554464044"
                     "01020304"),
        "encode strings");
  cbor_buf_free(&b);
  cbor_buf_init(&b, 64);
  cbor_put_array(&b, 3);
  cbor_put_int(&b, 1);
  cbor_put_int(&b, 2);
  cbor_put_int(&b, 3);
  cbor_put_map(&b, 2);
  cbor_put_int(&b, 1);
  cbor_put_int(&b, 2);
  cbor_put_int(&b, 3);
  cbor_put_int(&b, 4);
  cbor_put_bool(&b, 1);
  cbor_put_bool(&b, 0);
  cbor_put_tag(&b, 18);
  check(same_hex(&b, "83010203a201020304f5f4d2"), "encode array, map, bools");
  cbor_buf_free(&b);
  cbor_buf_init(&b, 4);
  cbor_put_bstr(&b, "12345", 5);
  check(b.failed, "encoder refuses to pass its size cap");
  cbor_put_int(&b, 1);
  check(b.failed && b.len == 1, "encoder stays failed");
  cbor_buf_free(&b);
}

/* ---- strict decoder ------------------------------------------------------ */
static int decodes(const char *hex, const char **why) {
  uint8_t in[256];
  struct cbor_item items[32];
  uint32_t n;
  size_t len = unhex(hex, in);
  return cbor_decode(in, len, items, 32, &n, why) == 0;
}

static void test_decoder(void) {
  static const char *good[] = {"00",
                               "1bffffffffffffffff",
                               "3b7fffffffffffffff",
                               "6449455446",
                               "83010203",
                               "a201020304",
                               "a20102"
                               "2003", /* 1 sorts before -1 */
                               "d28401020304",
                               "f4",
                               "f5",
                               "f6",
                               "f7",
                               "a2"
                               "0a00"
                               "19010000", /* 10 < 256 */
                               "62c3a9"};  /* "é" */
  static const struct {
    const char *hex, *why;
  } bad[] = {{"1800", "non-shortest"},
             {"190001", "non-shortest"},
             {"1a0000ffff", "non-shortest"},
             {"1b00000000ffffffff", "non-shortest"},
             {"5800", "non-shortest"},
             {"9800", "non-shortest"},
             {"5f4100ff", "indefinite"},
             {"9fff", "indefinite"},
             {"bfff", "indefinite"},
             {"a2010201"
              "03",
              "duplicate"},
             {"a2030401"
              "02",
              "order"},
             {"a2200001"
              "00",
              "order"},
             {"f93c00", "floating"},
             {"fa3f800000", "floating"},
             {"fb3ff0000000000000", "floating"},
             {"f820", "simple"},
             {"f0", "simple"},
             {"ff", "break"},
             {"1c", "reserved"},
             {"1d", "reserved"},
             {"1e", "reserved"},
             {"1901", "truncated"},
             {"6261", "truncated"},
             {"8201", "truncated"},
             {"a101", "truncated"},
             {"0101", "trailing"},
             {"62c328", "UTF-8"},
             {"62c080", "UTF-8"},
             {"63eda080", "UTF-8"},
             {"64f4908080", "UTF-8"},
             {"9affffffff00", "truncated"},
             {"5affffffff00", "truncated"},
             {"bbffffffffffffffff00", "truncated"},
             {"", "empty"}};
  const char *why;
  char name[96], deep[64];
  size_t i;

  for (i = 0; i < sizeof good / sizeof good[0]; i++) {
    snprintf(name, sizeof name, "decoder accepts %s", good[i]);
    check(decodes(good[i], &why), name);
  }
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int ok = decodes(bad[i].hex, &why);
    snprintf(name, sizeof name, "decoder rejects %s (%s)", bad[i].hex,
             bad[i].why);
    check(!ok && why != NULL && strstr(why, bad[i].why) != NULL, name);
    if (!ok && why != NULL && strstr(why, bad[i].why) == NULL)
      printf("  reason was: %s\n", why);
  }
  /* nesting: 16 arrays deep is fine, 17 is not */
  memset(deep, 0, sizeof deep);
  for (i = 0; i < 16; i++)
    memcpy(deep + 2 * i, "81", 2);
  memcpy(deep + 32, "01", 2);
  check(decodes(deep, &why), "16 levels of nesting accepted");
  memmove(deep + 2, deep, 34);
  memcpy(deep, "81", 2);
  check(!decodes(deep, &why) && strstr(why, "deeply"), "17 levels refused");
  {
    uint8_t in[] = {0x88, 1, 2, 3, 4, 5, 6, 7, 8};
    struct cbor_item items[8];
    uint32_t n;
    check(cbor_decode(in, sizeof in, items, 8, &n, &why) != 0 &&
              strstr(why, "too many"),
          "item cap enforced");
  }
  {
    uint8_t in[64];
    struct cbor_item items[16];
    uint32_t n;
    int64_t v;
    size_t len = unhex("a3"
                       "01"
                       "6161"
                       "18"
                       "20"
                       "820a0b"
                       "3a0001116f"
                       "40",
                       in);
    int ok = cbor_decode(in, len, items, 16, &n, &why) == 0;
    int a = ok ? cbor_map_find(items, 0, 32) : -1;
    check(ok && cbor_is_tstr(items, cbor_map_find(items, 0, 1), "a") && a > 0 &&
              cbor_get_int(&items[cbor_array_at(items, a, 1)], &v) == 0 &&
              v == 11 &&
              cbor_is_bstr_of(items, cbor_map_find(items, 0, -70000), 0) &&
              cbor_map_find(items, 0, 2) < 0 && cbor_array_at(items, a, 2) < 0,
          "map and array lookups");
  }
}

/* ---- eckey -----------------------------------------------------------------
 */
static void test_eckey(const char *dir, struct pfs_rng *rng) {
  struct eckey *a = NULL, *b = NULL, *loaded = NULL, *pub = NULL;
  uint8_t digest[32], sig[64], ra[65], rb[65], sa[32], sb[32], tmp[65];
  char path[4200], path2[4200], err[256];
  FILE *f;

  check(eckey_generate(rng, &a) == 0 && eckey_generate(rng, &b) == 0,
        "generate two keys");
  measure_bytes("message", 7, digest);
  check(eckey_sign(a, rng, digest, sig) == 0 &&
            eckey_verify(a, digest, sig) == 0,
        "sign and verify");
  check(eckey_verify(b, digest, sig) != 0, "other key does not verify");
  sig[10] ^= 1;
  check(eckey_verify(a, digest, sig) != 0, "tampered signature refused");
  sig[10] ^= 1;
  digest[0] ^= 0x80;
  check(eckey_verify(a, digest, sig) != 0, "tampered digest refused");
  check(eckey_public_raw(a, ra) == 0 && eckey_public_raw(b, rb) == 0 &&
            eckey_ecdh(a, rb, rng, sa) == 0 &&
            eckey_ecdh(b, ra, rng, sb) == 0 && memcmp(sa, sb, 32) == 0,
        "ECDH agrees");
  memcpy(tmp, rb, 65);
  tmp[40] ^= 1;
  check(eckey_ecdh(a, tmp, rng, sa) != 0, "ECDH refuses a point off the curve");
  check(eckey_from_public_raw(tmp, &pub) != 0,
        "raw point off the curve refused");
  check(eckey_from_public_raw(ra, &pub) == 0 && pub != NULL &&
            !eckey_has_private(pub) && eckey_sign(pub, rng, digest, sig) != 0,
        "public-only key cannot sign");
  eckey_free(pub);
  pub = NULL;
  snprintf(path, sizeof path, "%s/k.pem", dir);
  snprintf(path2, sizeof path2, "%s/k.pub", dir);
  check(eckey_save_private(a, path) == 0 && eckey_save_public(a, path2) == 0,
        "PEM save");
  check(eckey_load_private(path, &loaded, err, sizeof err) == 0 &&
            eckey_public_raw(loaded, tmp) == 0 && memcmp(tmp, ra, 65) == 0,
        "PEM private round trip");
  measure_bytes("again", 5, digest);
  check(loaded != NULL && eckey_sign(loaded, rng, digest, sig) == 0 &&
            eckey_verify(a, digest, sig) == 0,
        "loaded key signs for the original");
  check(eckey_load_public(path2, &pub, err, sizeof err) == 0 &&
            eckey_public_raw(pub, tmp) == 0 && memcmp(tmp, ra, 65) == 0,
        "PEM public round trip");
  eckey_free(pub);
  pub = NULL;
  check(eckey_load_public(path, &pub, err, sizeof err) == 0 &&
            !eckey_has_private(pub),
        "public key from a private PEM");
  eckey_free(pub);
  pub = NULL;
  f = fopen(path, "w");
  fputs("-----BEGIN EC PRIVATE KEY-----\ngarbage\n", f);
  fclose(f);
  check(eckey_load_private(path, &pub, err, sizeof err) != 0 && pub == NULL &&
            strstr(err, "k.pem") != NULL,
        "garbage PEM refused with a reason");
  eckey_free(a);
  eckey_free(b);
  eckey_free(loaded);
}

/* ---- COSE_Sign1
 * -------------------------------------------------------------- */
static void test_cose(struct pfs_rng *rng) {
  struct eckey *k = NULL, *other = NULL;
  struct cbor_buf b;
  struct cose_sign1 m;
  const char *why;
  uint8_t copy[512];
  size_t i, bad = 0;

  eckey_generate(rng, &k);
  eckey_generate(rng, &other);
  cbor_buf_init(&b, 4096);
  check(cose_sign1_create(&b, k, rng, (const uint8_t *)"kid", 3,
                          (const uint8_t *)"att", 3, (const uint8_t *)"payload",
                          7) == 0,
        "COSE_Sign1 create");
  check(b.len > 4 && b.data[0] == 0xd2 && b.data[1] == 0x84 &&
            b.data[2] == 0x43 && b.data[3] == 0xa1,
        "COSE_Sign1 tag 18, array of 4, protected {1:-7}");
  check(cose_sign1_parse(b.data, b.len, &m, &why) == 0 && m.kid_len == 3 &&
            m.attached_len == 3 && m.payload_len == 7 &&
            cose_sign1_verify(&m, k) == 0,
        "COSE_Sign1 parse and verify");
  check(cose_sign1_verify(&m, other) != 0, "COSE_Sign1 other key refused");
  /* A bit flip in every byte is refused (parse or verify). */
  for (i = 0; i < b.len && b.len <= sizeof copy; i++) {
    memcpy(copy, b.data, b.len);
    copy[i] ^= (uint8_t)(1u << (i % 8));
    if (cose_sign1_parse(copy, b.len, &m, &why) == 0 &&
        cose_sign1_verify(&m, k) == 0 &&
        /* flips in the unprotected kid/attached are not signed */
        memcmp(m.payload, "payload", 7) != 0)
      bad++;
    if (cose_sign1_parse(copy, b.len, &m, &why) == 0 &&
        cose_sign1_verify(&m, k) == 0 && m.kid != NULL && m.attached != NULL &&
        memcmp(m.kid, "kid", 3) == 0 && memcmp(m.attached, "att", 3) == 0)
      bad++;
  }
  check(bad == 0, "a bit flip in any byte of a COSE_Sign1 refused");
  memcpy(copy, b.data, b.len);
  copy[5] = 0x27; /* alg -8 */
  check(cose_sign1_parse(copy, b.len, &m, &why) != 0,
        "other algorithm refused");
  check(cose_sign1_parse(b.data + 1, b.len - 1, &m, &why) != 0,
        "untagged COSE_Sign1 refused");
  cbor_buf_free(&b);
  eckey_free(k);
  eckey_free(other);
}

/* ---- appraisal of mutated evidence ------------------------------------- */
static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

/* A device directory made by hand as weft provision does. */
static int make_device(const char *dir, struct pfs_rng *rng,
                       struct eckey *endorser) {
  struct eckey *dev = NULL;
  struct attest_endorsement e;
  struct cbor_buf p, out;
  char path[4200];
  FILE *f;
  int rc = -1;
  memset(&e, 0, sizeof e);
  if (eckey_generate(rng, &dev) != 0)
    return -1;
  eckey_public_raw(dev, e.device_pub);
  attest_ueid_of(e.device_pub, e.ueid);
  strcpy(e.rot_kind, "software");
  strcpy(e.model, "unit");
  cbor_buf_init(&p, 4096);
  cbor_buf_init(&out, 4096);
  snprintf(path, sizeof path, "%s/device.key", dir);
  if (attest_endorsement_encode(&e, &p) == 0 &&
      cose_sign1_create(&out, endorser, rng, NULL, 0, NULL, 0, p.data, p.len) ==
          0 &&
      eckey_save_private(dev, path) == 0) {
    snprintf(path, sizeof path, "%s/endorsement.cose", dir);
    f = fopen(path, "wb");
    rc = f != NULL && fwrite(out.data, 1, out.len, f) == out.len ? 0 : -1;
    if (f != NULL)
      fclose(f);
  }
  cbor_buf_free(&p);
  cbor_buf_free(&out);
  eckey_free(dev);
  return rc;
}

static void test_appraisal(const char *dir, struct pfs_rng *rng) {
  struct eckey *endorser = NULL;
  struct attest_backend be;
  struct attest_policy *strict = NULL, *lax = NULL;
  struct attest_claims c;
  struct attest_result res;
  struct cbor_buf payload, ev;
  const uint8_t *secret;
  size_t secret_len, i, accepted = 0;
  uint8_t anchor[32], copy[4096], pub[65];
  char path[4200], text[4600], err[512], hex[65];
  int64_t now = (int64_t)time(NULL);

  eckey_generate(rng, &endorser);
  snprintf(path, sizeof path, "%s/endorser.pub", dir);
  eckey_save_public(endorser, path);
  check(make_device(dir, rng, endorser) == 0 &&
            attest_software_open(dir, &be, err, sizeof err) == 0,
        "software device opens");
  memset(&c, 0, sizeof c);
  measure_bytes("anchor", 6, anchor);
  memcpy(c.nonce, anchor, 32);
  be.public_key(be.ctx, pub);
  attest_ueid_of(pub, c.ueid);
  c.iat = now;
  strcpy(c.profile, ATTEST_PROFILE);
  strcpy(c.rot_kind, "software");
  strcpy(c.runtime_version, "unit");
  measure_bytes("module", 6, c.module);
  measure_hex(c.module, 32, hex);
  cbor_buf_init(&payload, 4096);
  cbor_buf_init(&ev, 4096);
  attest_claims_encode(&c, &payload);
  check(be.sign(be.ctx, payload.data, payload.len, &ev) == 0 && ev.len < 4096,
        "evidence signed");
  snprintf(path, sizeof path, "%s/strict.policy", dir);
  snprintf(text, sizeof text,
           "endorser endorser.pub\nruntime any\nconfig any\n"
           "module %s secret 00112233\n",
           hex);
  write_text(path, text);
  check(attest_policy_load(path, &strict, NULL, NULL, err, sizeof err) == 0,
        "default policy loads");
  snprintf(path, sizeof path, "%s/lax.policy", dir);
  snprintf(text + strlen(text), sizeof text - strlen(text),
           "allow-software-rot yes\n");
  write_text(path, text);
  check(attest_policy_load(path, &lax, NULL, NULL, err, sizeof err) == 0,
        "lax policy loads");
  check(strict &&
            attest_appraise(strict, ev.data, ev.len, anchor, now, &res, &secret,
                            &secret_len) != 0 &&
            strcmp(res.reason, "rot-kind software not permitted by policy") ==
                0,
        "default policy refuses a software root");
  check(lax &&
            attest_appraise(lax, ev.data, ev.len, anchor, now, &res, &secret,
                            &secret_len) == 0 &&
            secret_len == 4 && memcmp(secret, "\x00\x11\x22\x33", 4) == 0,
        "lax policy accepts and releases the secret");
  anchor[0] ^= 1;
  check(lax &&
            attest_appraise(lax, ev.data, ev.len, anchor, now, &res, &secret,
                            &secret_len) != 0 &&
            strstr(res.reason, "anchor"),
        "other session's anchor refused");
  anchor[0] ^= 1;
  check(lax &&
            attest_appraise(lax, ev.data, ev.len, anchor, now + 3600, &res,
                            &secret, &secret_len) != 0 &&
            strstr(res.reason, "iat"),
        "stale evidence refused");
  /* 3000 random mutations: none accepted, none crash (ASan watches). */
  srand(1234);
  for (i = 0; i < 3000 && lax != NULL; i++) {
    size_t len = ev.len, k, flips = 1 + (size_t)rand() % 4;
    memcpy(copy, ev.data, len);
    switch (rand() % 4) {
    case 0:
      len = (size_t)rand() % len; /* truncation */
      break;
    case 1: /* insertion */
      if (len < sizeof copy - 1) {
        k = (size_t)rand() % len;
        memmove(copy + k + 1, copy + k, len - k);
        copy[k] = (uint8_t)rand();
        len++;
      }
      break;
    default:
      for (k = 0; k < flips; k++)
        copy[(size_t)rand() % len] ^= (uint8_t)(1u << (rand() % 8));
    }
    if (attest_appraise(lax, copy, len, anchor, now, &res, &secret,
                        &secret_len) == 0 &&
        (len != ev.len || memcmp(copy, ev.data, len) != 0)) {
      /* Only unsigned bytes may change: kid or the attached endorsement
      ** can't without failing; anything accepted must be the original. */
      accepted++;
    }
  }
  check(accepted == 0, "3000 mutated evidences: none accepted");
  cbor_buf_free(&payload);
  cbor_buf_free(&ev);
  attest_policy_free(strict);
  attest_policy_free(lax);
  attest_software_close(&be);
  eckey_free(endorser);
}

static void test_policy_errors(const char *dir) {
  static const struct {
    const char *text, *why;
  } bad[] = {
      {"runtime any\nconfig any\n", "needs at least one"},
      {"endorser nope.pub\n", "nope.pub"},
      {"frobnicate yes\n", "unknown"},
      {"module abcd secret 00\n", "SHA-256"},
      {"runtime 1234\n", "SHA-256"},
      {"allow-software-rot maybe\n", "unknown or malformed"},
      {"iat-skew -5\n", "iat-skew"},
      {"deny-ueid 00\n", "66 hex"},
  };
  struct attest_policy *p = NULL;
  char path[4200], err[4608], name[96];
  size_t i;
  snprintf(path, sizeof path, "%s/bad.policy", dir);
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_text(path, bad[i].text);
    snprintf(name, sizeof name, "policy error: %s", bad[i].why);
    check(attest_policy_load(path, &p, NULL, NULL, err, sizeof err) != 0 &&
              p == NULL && strstr(err, bad[i].why) != NULL,
          name);
  }
}

int main(int argc, char **argv) {
  struct pfs_rng *rng = pfs_rng_new();
  if (argc != 2 || rng == NULL) {
    fprintf(stderr, "usage: test_units SCRATCH_DIR\n");
    return 2;
  }
  test_encoder();
  test_decoder();
  test_eckey(argv[1], rng);
  test_cose(rng);
  test_appraisal(argv[1], rng);
  test_policy_errors(argv[1]);
  pfs_rng_free(rng);
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
