/*
** seal_test.c — host-side tests of services/seal.c and services/modsig.c
** (tests/seal/run.sh builds and runs it): known-answer vectors for the KDF
** and the blob format, tampering, svn rules, and hostile weft.sig
** sections (every byte flipped, every truncation, bad lengths, swapped
** keys, random garbage) that must never verify. Ends "N passed, N failed".
**
** The known answers were computed once, independently of this code, with
** Python's hmac/hashlib (HKDF-SHA256 as in RFC 5869) and the
** `cryptography` package's AESGCM, from the inputs written below; the
** script is in docs/sealing.md ("Known-answer vectors").
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eckey.h"
#include "modsig.h"
#include "pfs_crypto.h"
#include "seal.h"

static int passed, failed;

static void check(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (ok)
    passed++;
  else
    failed++;
}

static void fill(uint8_t *p, size_t n, uint8_t first) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(first + i);
}

static void from_hex(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
}

/* root = 00..1f, key_id = 20..3f, module = 40..5f, runtime = 60..7f,
** signer = 80..9f, product "acme-db", svn 7 (SIGNER) / 0 (MEASUREMENT). */
static void kat_identity(struct seal_identity *id, uint8_t root[32],
                         uint8_t key_id[32]) {
  memset(id, 0, sizeof *id);
  fill(root, 32, 0x00);
  fill(key_id, 32, 0x20);
  fill(id->module_sha256, 32, 0x40);
  fill(id->runtime_sha256, 32, 0x60);
  fill(id->signer_id, 32, 0x80);
  memcpy(id->product, "acme-db", 7);
  id->product_len = 7;
  id->svn = 7;
  id->is_signed = 1;
}

static void test_kdf_kat(void) {
  static const char want_m[] =
      "2baf57568038f50048faf8e6ad9999eed42299f45fcb4b8175b2dec5fa8cbc7b";
  static const char want_s[] =
      "acfc41d79a82c09ec846bcf34ef4bb9c9c14c7052fc44c27b2092ad034377b2e";
  struct seal_identity id;
  uint8_t root[32], key_id[32], key[32], want[32];

  kat_identity(&id, root, key_id);
  from_hex(want_m, want, 32);
  check(seal_derive_key(root, key_id, SEAL_POLICY_MEASUREMENT, &id, 0, key) ==
                SEAL_OK &&
            memcmp(key, want, 32) == 0,
        "S7 KDF known answer, MEASUREMENT");
  from_hex(want_s, want, 32);
  check(seal_derive_key(root, key_id, SEAL_POLICY_SIGNER, &id, 7, key) ==
                SEAL_OK &&
            memcmp(key, want, 32) == 0,
        "S7 KDF known answer, SIGNER (svn 7)");
  check(seal_derive_key(root, key_id, 3, &id, 0, key) == SEAL_BAD_POLICY,
        "KDF refuses policy 3");
}

/* A blob made by the Python script: header with nonce a0..ab, AAD
** "app-aad", plaintext "known answer", MEASUREMENT identity above. */
static const char kat_blob_hex[] =
    "57534c310101202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f00000000a0a1a2a3a4a5a6a7a8a9aaab43e841368e4826c79c8d54592960bb2e84b4"
    "94df7359a4e72f93e594";

static void test_blob_kat(void) {
  struct seal_identity id;
  uint8_t root[32], key_id[32], blob[82], out[12];
  int all = 1;

  kat_identity(&id, root, key_id);
  from_hex(kat_blob_hex, blob, sizeof blob);
  check(unseal_blob(root, &id, (const uint8_t *)"app-aad", 7, blob, 82, out) ==
                SEAL_OK &&
            memcmp(out, "known answer", 12) == 0,
        "S7 blob known answer opens to \"known answer\"");
  check(unseal_blob(root, &id, (const uint8_t *)"app-aae", 7, blob, 82, out) ==
            SEAL_NOT_OPENED,
        "S6 known-answer blob with another AAD: not opened");
  for (size_t bit = 0; bit < sizeof blob * 8; bit++) {
    blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    if (unseal_blob(root, &id, (const uint8_t *)"app-aad", 7, blob, 82, out) ==
        SEAL_OK)
      all = 0;
    blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  }
  check(all, "S2 each of the 656 single-bit flips of the blob is refused");
  all = 1;
  for (size_t n = 0; n < sizeof blob; n++) {
    enum seal_status st =
        unseal_blob(root, &id, (const uint8_t *)"app-aad", 7, blob, n, out);
    if (st == SEAL_OK || (n < SEAL_OVERHEAD && st != SEAL_MALFORMED))
      all = 0;
  }
  check(all, "every truncation of the blob is refused");
  root[0] ^= 1;
  check(unseal_blob(root, &id, (const uint8_t *)"app-aad", 7, blob, 82, out) ==
            SEAL_NOT_OPENED,
        "S5 another root key: not opened");
}

static void test_signer_rules(struct pfs_rng *rng) {
  struct seal_identity id, other;
  uint8_t root[32], key_id[32], blob[16 + SEAL_OVERHEAD], out[16];

  kat_identity(&id, root, key_id);
  id.svn = 3;
  check(seal_blob(rng, root, &id, SEAL_POLICY_SIGNER, NULL, 0,
                  (const uint8_t *)"sixteen bytes!!!", 16, blob) == SEAL_OK,
        "SIGNER seal at svn 3");
  other = id;
  other.svn = 4;
  check(unseal_blob(root, &other, NULL, 0, blob, sizeof blob, out) == SEAL_OK &&
            memcmp(out, "sixteen bytes!!!", 16) == 0,
        "S4 svn 4 opens an svn-3 blob");
  other.svn = 2;
  check(unseal_blob(root, &other, NULL, 0, blob, sizeof blob, out) ==
            SEAL_SVN_TOO_LOW,
        "S4 svn 2 cannot open an svn-3 blob");
  other = id;
  other.product[0] ^= 1;
  check(unseal_blob(root, &other, NULL, 0, blob, sizeof blob, out) ==
            SEAL_NOT_OPENED,
        "S4 another product id cannot open it");
  other = id;
  other.signer_id[31] ^= 1;
  check(unseal_blob(root, &other, NULL, 0, blob, sizeof blob, out) ==
            SEAL_NOT_OPENED,
        "S4 another signer cannot open it");
  other = id;
  other.is_signed = 0;
  check(unseal_blob(root, &other, NULL, 0, blob, sizeof blob, out) ==
                SEAL_NOT_SIGNED &&
            seal_blob(rng, root, &other, SEAL_POLICY_SIGNER, NULL, 0, out, 0,
                      blob) == SEAL_NOT_SIGNED,
        "an unsigned module can neither seal nor open SIGNER blobs");
  /* Raising the header's svn to 4 (so svn 4 may try) breaks the key. */
  check(seal_blob(rng, root, &id, SEAL_POLICY_SIGNER, NULL, 0,
                  (const uint8_t *)"sixteen bytes!!!", 16, blob) == SEAL_OK,
        "SIGNER seal again");
  blob[38] = 4;
  other = id;
  other.svn = 4;
  check(unseal_blob(root, &other, NULL, 0, blob, sizeof blob, out) ==
            SEAL_NOT_OPENED,
        "S2 a blob whose header svn was raised does not open");
}

/* A small valid module: type section only. */
static const uint8_t tiny_module[] = {0, 'a', 's', 'm', 1,    0, 0,
                                      0, 1,   4,   1,   0x60, 0, 0};

static int verifies(const uint8_t *w, size_t n, int *found) {
  struct modsig sig;
  char err[256];
  return modsig_verify(w, n, &sig, found, err, sizeof err) == 0;
}

static void test_modsig(struct pfs_rng *rng) {
  struct eckey *a = NULL, *b = NULL;
  struct modsig sig;
  uint8_t *w = NULL, *w2 = NULL, *buf;
  size_t n = 0, n2 = 0, sec, pay;
  char err[256];
  int found, all;

  if (eckey_generate(rng, &a) != 0 || eckey_generate(rng, &b) != 0 ||
      modsig_sign(tiny_module, sizeof tiny_module, a, rng,
                  (const uint8_t *)"acme", 4, 9, &w, &n, err,
                  sizeof err) != 0) {
    check(0, "modsig setup");
    return;
  }
  check(modsig_verify(w, n, &sig, &found, err, sizeof err) == 0 && found &&
            sig.svn == 9 && sig.product_len == 4 &&
            memcmp(sig.product, "acme", 4) == 0 &&
            memcmp(w + n - 143, "WSIG", 4) == 0,
        "a signed module verifies (product, svn read back)");
  check(verifies(tiny_module, sizeof tiny_module, &found) && !found,
        "an unsigned module has no section");
  sec = n - sizeof tiny_module;
  pay = n - 143; /* payload: 71 + product 4 + svn 4 + signature 64 */
  all = 1;
  for (size_t i = 0; i < n; i++) {
    for (int bit = 0; bit < 8; bit++) {
      w[i] ^= (uint8_t)(1u << bit);
      if (verifies(w, n, &found) && found)
        all = 0;
      w[i] ^= (uint8_t)(1u << bit);
    }
  }
  check(all, "no single-bit flip anywhere in a signed module verifies");
  all = 1;
  for (size_t k = 0; k < n; k++)
    if (verifies(w, k, &found) && found)
      all = 0;
  check(all, "no truncation of a signed module verifies");
  /* Re-signing replaces the section; a second copy is refused. */
  check(modsig_sign(w, n, b, rng, (const uint8_t *)"acme", 4, 10, &w2, &n2, err,
                    sizeof err) == 0 &&
            n2 == n && verifies(w2, n2, &found) && found,
        "re-signing replaces the section");
  buf = malloc(n + sec);
  memcpy(buf, w, n);
  memcpy(buf + n, w + sizeof tiny_module, sec);
  check(!verifies(buf, n + sec, &found) && found,
        "two weft.sig sections are refused");
  /* Key swap: B's public key over A's signature. */
  memcpy(buf, w, n);
  memcpy(buf + pay + 5, w2 + pay + 5, 65);
  check(!verifies(buf, n, &found) && found,
        "another signer's key over the signature is refused");
  /* product_len lies: 0, 65, 255 */
  all = 1;
  for (int k = 0; k < 3; k++) {
    static const uint8_t lens[3] = {0, 65, 255};
    memcpy(buf, w, n);
    buf[pay + 70] = lens[k];
    if (verifies(buf, n, &found) || !found)
      all = 0;
  }
  check(all, "product lengths 0, 65, 255 are refused as malformed");
  /* A public key that is not on the curve. */
  memcpy(buf, w, n);
  memset(buf + pay + 6, 0x11, 64);
  check(!verifies(buf, n, &found) && found, "an off-curve signer key fails");
  free(buf);
  /* Random payloads of every length up to 300 behind a valid name. */
  all = 1;
  for (size_t len = 0; len < 300; len++) {
    uint8_t m[sizeof tiny_module + 16 + 300];
    size_t at = sizeof tiny_module;
    memcpy(m, tiny_module, at);
    m[at++] = 0;
    m[at++] = (uint8_t)(0x80 | ((9 + len) & 0x7f));
    m[at++] = (uint8_t)((9 + len) >> 7);
    m[at++] = 8;
    memcpy(m + at, "weft.sig", 8);
    at += 8;
    pfs_random(rng, m + at, len);
    if (len >= 4)
      memcpy(m + at, "WSIG", 4);
    if (len >= 5)
      m[at + 4] = 1;
    if (verifies(m, at + len, &found) || !found)
      all = 0;
  }
  check(all, "300 random weft.sig payloads are all refused");
  free(w);
  free(w2);
  eckey_free(a);
  eckey_free(b);
}

int main(void) {
  struct pfs_rng *rng = pfs_rng_new();
  if (rng == NULL) {
    printf("FAIL: no rng\n0 passed, 1 failed\n");
    return 1;
  }
  test_kdf_kat();
  test_blob_kat();
  test_signer_rules(rng);
  test_modsig(rng);
  pfs_rng_free(rng);
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
