/*
** wtz_attest.c — wtz_attest.h: the attester's side of the SIGMA handshake
** of services/attest.h, in the weft TA, on the GlobalPlatform TEE Internal
** Core API's cryptography (the TA has no mbed TLS 2.28, which eckey.c and
** pfs_crypto.c are written for) and weft's own CBOR (services/cbor.c).
**
** What stays in the secure world: the attestation key (P-256, generated
** here on first use, kept as a persistent object "k:attest-key" in
** TEE_STORAGE_PRIVATE: outside WASI's "f:" namespace, encrypted and bound
** to this TA by OP-TEE), the ephemeral ECDH key, every derived key and the
** released secret. The normal world carries frames (msg0, msg2 out; msg1,
** msg3 in): msg2's evidence is signed and MACed, msg3's secret is
** AES-256-GCM under a key only the TA and the verifier know.
**
** One handshake at a time per TA instance (the state below is static; the
** TA is single-instance): BEGIN starts one for its session and drops any
** other. A released secret stays here, owned by that session, until the
** session ends or begins another handshake; WTZ_CMD_WASI of the same
** session hands it to the attested module only (wtz_attest_secret_env).
*/
#include <stdio.h>
#include <string.h>
#include <tee_internal_api.h>

#include "cbor.h"
#include "weft_tz.h"
#include "wtz_attest.h"

#define KEY_ID "k:attest-key"
#define ENDORSEMENT_ID "k:endorsement"
#define VERIFIER_ID "k:verifier-key"
#define ROT_KIND "optee-ta"
#define PROFILE "tag:weft.invalid,2025:eat-software/v1"
#define RUNTIME_VERSION "weft 0.1.0 TA (OP-TEE)"
#define ENDORSEMENT_MAX 4096
#define FRAME_MAX WTZ_ATT_ANSWER_MAX
#define SECRET_MAX WTZ_ATT_SECRET_MAX

/* cbor.c's one dependency outside itself (pfs_crypto.h's on the host). */
void pfs_wipe(void *p, size_t n);
void pfs_wipe(void *p, size_t n) {
  volatile uint8_t *q = p;
  while (n--)
    *q++ = 0;
}

static struct {
  const void *owner; /* the session of the handshake */
  int stage;         /* 0 idle, 1 msg0 sent, 2 msg2 sent, 3 released */
  uint8_t secret[SECRET_MAX];
  size_t secret_len;
  TEE_ObjectHandle eph;
  uint8_t ga[65], gv[65], vpub[65], sig_v[64];
  uint8_t th[32], th2[32], smk[32], sk[32];
  uint8_t module[32];
} st;

static void reset(void) {
  if (st.eph != TEE_HANDLE_NULL)
    TEE_FreeTransientObject(st.eph);
  pfs_wipe(&st, sizeof st);
  st.eph = TEE_HANDLE_NULL;
}

/* ---- hashes and MACs on the TEE's SHA-256 ------------------------------ */

struct chunk {
  const void *p;
  size_t n;
};

/* SHA-256 of the chunks, in order. 0, or -1. */
static int sha256v(const struct chunk *c, int nc, uint8_t out[32]) {
  TEE_OperationHandle op;
  size_t len = 32;
  int i;
  if (TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) !=
      TEE_SUCCESS)
    return -1;
  for (i = 0; i < nc; i++)
    if (c[i].n)
      TEE_DigestUpdate(op, c[i].p, c[i].n);
  TEE_Result r = TEE_DigestDoFinal(op, NULL, 0, out, &len);
  TEE_FreeOperation(op);
  return r == TEE_SUCCESS && len == 32 ? 0 : -1;
}

static int sha256(const void *p, size_t n, uint8_t out[32]) {
  struct chunk c = {p, n};
  return sha256v(&c, 1, out);
}

/* HMAC-SHA256 (RFC 2104) over the chunks, built here on the digest: the
** TEE's HMAC keys must be 24 bytes at least, and HKDF-Extract's key is the
** 10-byte salt "weft-ra-v1". */
static int hmac(const uint8_t *key, size_t klen, const struct chunk *c, int nc,
                uint8_t out[32]) {
  uint8_t k[64], pad[64], inner[32];
  struct chunk in[8];
  int i, rc;
  if (nc > 7)
    return -1;
  memset(k, 0, sizeof k);
  if (klen > 64) {
    if (sha256(key, klen, k) != 0)
      return -1;
  } else {
    memcpy(k, key, klen);
  }
  for (i = 0; i < 64; i++)
    pad[i] = k[i] ^ 0x36;
  in[0] = (struct chunk){pad, 64};
  for (i = 0; i < nc; i++)
    in[i + 1] = c[i];
  rc = sha256v(in, nc + 1, inner);
  for (i = 0; i < 64; i++)
    pad[i] = k[i] ^ 0x5c;
  in[0] = (struct chunk){pad, 64};
  in[1] = (struct chunk){inner, 32};
  if (rc == 0)
    rc = sha256v(in, 2, out);
  pfs_wipe(k, sizeof k);
  pfs_wipe(pad, sizeof pad);
  pfs_wipe(inner, sizeof inner);
  return rc;
}

/* HKDF-Expand (RFC 5869) for one 32-byte block: T(1) = HMAC(PRK, info||1). */
static int hkdf_expand32(const uint8_t prk[32], const uint8_t *info,
                         size_t ilen, uint8_t out[32]) {
  static const uint8_t one = 1;
  struct chunk c[2] = {{info, ilen}, {&one, 1}};
  return hmac(prk, 32, c, 2, out);
}

/* HMAC(SMK, label || th || extra), as attest_proto.c's message_mac. */
static int message_mac(const char *label, const uint8_t *extra, size_t n,
                       uint8_t mac[32]) {
  struct chunk c[3] = {{label, strlen(label)}, {st.th, 32}, {extra, n}};
  return hmac(st.smk, 32, c, 3, mac);
}

static int ct_differ(const uint8_t *a, const uint8_t *b, size_t n) {
  uint8_t d = 0;
  while (n--)
    d |= *a++ ^ *b++;
  return d != 0;
}

/* ---- keys ---------------------------------------------------------------- */

/* The 65-byte point of an ECC key object. */
static int public_point(TEE_ObjectHandle key, uint8_t out[65]) {
  size_t nx = 32, ny = 32;
  out[0] = 0x04;
  if (TEE_GetObjectBufferAttribute(key, TEE_ATTR_ECC_PUBLIC_VALUE_X, out + 1,
                                   &nx) != TEE_SUCCESS ||
      TEE_GetObjectBufferAttribute(key, TEE_ATTR_ECC_PUBLIC_VALUE_Y, out + 33,
                                   &ny) != TEE_SUCCESS)
    return -1;
  /* Leading zero bytes are dropped by some back ends: right-align. */
  if (nx < 32) {
    memmove(out + 1 + 32 - nx, out + 1, nx);
    memset(out + 1, 0, 32 - nx);
  }
  if (ny < 32) {
    memmove(out + 33 + 32 - ny, out + 33, ny);
    memset(out + 33, 0, 32 - ny);
  }
  return 0;
}

/* A fresh P-256 key pair of `type` (ECDSA or ECDH) in *out. */
static int generate(uint32_t type, TEE_ObjectHandle *out) {
  TEE_Attribute curve;
  TEE_InitValueAttribute(&curve, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P256,
                         0);
  if (TEE_AllocateTransientObject(type, 256, out) != TEE_SUCCESS)
    return -1;
  if (TEE_GenerateKey(*out, 256, &curve, 1) != TEE_SUCCESS) {
    TEE_FreeTransientObject(*out);
    *out = TEE_HANDLE_NULL;
    return -1;
  }
  return 0;
}

/* The attestation key: opened from secure storage, or made and stored
** there on first use. */
static int attestation_key(TEE_ObjectHandle *out) {
  const uint32_t rd = TEE_DATA_FLAG_ACCESS_READ;
  TEE_ObjectHandle fresh = TEE_HANDLE_NULL, stored;
  TEE_Result r = TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, KEY_ID,
                                          sizeof KEY_ID - 1, rd, out);
  if (r == TEE_SUCCESS)
    return 0;
  if (r != TEE_ERROR_ITEM_NOT_FOUND || generate(TEE_TYPE_ECDSA_KEYPAIR, &fresh))
    return -1;
  r = TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, KEY_ID, sizeof KEY_ID - 1,
                                 rd, fresh, NULL, 0, &stored);
  TEE_FreeTransientObject(fresh);
  if (r != TEE_SUCCESS)
    return -1;
  TEE_CloseObject(stored);
  return TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, KEY_ID,
                                  sizeof KEY_ID - 1, rd, out) == TEE_SUCCESS
             ? 0
             : -1;
}

/* Reads a data object of secure storage; its length, or -1. */
static long read_object(const char *id, uint8_t *buf, size_t cap) {
  TEE_ObjectHandle o;
  size_t n = 0;
  if (TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, strlen(id),
                               TEE_DATA_FLAG_ACCESS_READ, &o) != TEE_SUCCESS)
    return -1;
  TEE_Result r = TEE_ReadObjectData(o, buf, cap, &n);
  TEE_CloseObject(o);
  return r == TEE_SUCCESS ? (long)n : -1;
}

static int write_object(const char *id, const uint8_t *data, size_t n) {
  TEE_ObjectHandle o;
  uint32_t fl = TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |
                TEE_DATA_FLAG_OVERWRITE;
  if (TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, id, strlen(id), fl,
                                 TEE_HANDLE_NULL, data, n, &o) != TEE_SUCCESS)
    return -1;
  TEE_CloseObject(o);
  return 0;
}

/* ECDSA P-256 over a SHA-256 digest: r || s. */
static int sign_digest(TEE_ObjectHandle key, const uint8_t digest[32],
                       uint8_t sig[64]) {
  TEE_OperationHandle op;
  size_t n = 64;
  TEE_Result r;
  if (TEE_AllocateOperation(&op, TEE_ALG_ECDSA_SHA256, TEE_MODE_SIGN, 256) !=
      TEE_SUCCESS)
    return -1;
  r = TEE_SetOperationKey(op, key);
  if (r == TEE_SUCCESS)
    r = TEE_AsymmetricSignDigest(op, NULL, 0, digest, 32, sig, &n);
  TEE_FreeOperation(op);
  return r == TEE_SUCCESS && n == 64 ? 0 : -1;
}

/* A public P-256 key object of `type` from a 65-byte point. */
static int point_key(uint32_t type, const uint8_t pt[65],
                     TEE_ObjectHandle *out) {
  TEE_Attribute a[3];
  if (pt[0] != 0x04 ||
      TEE_AllocateTransientObject(type, 256, out) != TEE_SUCCESS)
    return -1;
  TEE_InitRefAttribute(&a[0], TEE_ATTR_ECC_PUBLIC_VALUE_X, pt + 1, 32);
  TEE_InitRefAttribute(&a[1], TEE_ATTR_ECC_PUBLIC_VALUE_Y, pt + 33, 32);
  TEE_InitValueAttribute(&a[2], TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P256, 0);
  if (TEE_PopulateTransientObject(*out, a, 3) != TEE_SUCCESS) {
    TEE_FreeTransientObject(*out);
    return -1;
  }
  return 0;
}

static int verify_digest(const uint8_t pub[65], const uint8_t digest[32],
                         const uint8_t sig[64]) {
  TEE_ObjectHandle key;
  TEE_OperationHandle op;
  TEE_Result r;
  if (point_key(TEE_TYPE_ECDSA_PUBLIC_KEY, pub, &key) != 0)
    return -1;
  r = TEE_AllocateOperation(&op, TEE_ALG_ECDSA_SHA256, TEE_MODE_VERIFY, 256);
  if (r == TEE_SUCCESS) {
    r = TEE_SetOperationKey(op, key);
    if (r == TEE_SUCCESS)
      r = TEE_AsymmetricVerifyDigest(op, NULL, 0, digest, 32, sig, 64);
    TEE_FreeOperation(op);
  }
  TEE_FreeTransientObject(key);
  return r == TEE_SUCCESS ? 0 : -1;
}

/* x(ECDH(eph, peer)). TEE_DeriveKey panics the TA on a point off the
** curve; the caller reaches here only after the pinned verifier's
** signature over that point verified, so only that verifier could. */
static int ecdh(const uint8_t peer[65], uint8_t shared[32]) {
  TEE_OperationHandle op;
  TEE_ObjectHandle out;
  TEE_Attribute a[2];
  size_t n = 32;
  TEE_Result r;
  if (peer[0] != 0x04 ||
      TEE_AllocateOperation(&op, TEE_ALG_ECDH_DERIVE_SHARED_SECRET,
                            TEE_MODE_DERIVE, 256) != TEE_SUCCESS)
    return -1;
  r = TEE_AllocateTransientObject(TEE_TYPE_GENERIC_SECRET, 256, &out);
  if (r != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    return -1;
  }
  r = TEE_SetOperationKey(op, st.eph);
  TEE_InitRefAttribute(&a[0], TEE_ATTR_ECC_PUBLIC_VALUE_X, peer + 1, 32);
  TEE_InitRefAttribute(&a[1], TEE_ATTR_ECC_PUBLIC_VALUE_Y, peer + 33, 32);
  if (r == TEE_SUCCESS) {
    TEE_DeriveKey(op, a, 2, out);
    r = TEE_GetObjectBufferAttribute(out, TEE_ATTR_SECRET_VALUE, shared, &n);
  }
  TEE_FreeTransientObject(out);
  TEE_FreeOperation(op);
  return r == TEE_SUCCESS && n == 32 ? 0 : -1;
}

/* ---- measurements ------------------------------------------------------- */

extern const uint8_t __text_start[], __text_end[]; /* the dev kit's ta.ld.S */

/* The TA's self-measurement: SHA-256("weft-ta/v1" || UUID || the TA's
** .text as mapped). Self-reported: see docs/trustzone.md. */
static int measure_ta(uint8_t out[32]) {
  static const TEE_UUID uuid = WTZ_UUID;
  struct chunk c[3] = {{"weft-ta/v1", 10},
                       {&uuid, sizeof uuid},
                       {__text_start, (size_t)(__text_end - __text_start)}};
  return sha256v(c, 3, out);
}

/* ---- answers ------------------------------------------------------------ */

/* An 'E' answer. The handshake's state is dropped by wtz_attest_step, and
** only for the session whose handshake it is: a failing step of another
** session (or a key or provisioning step) leaves it alone. */
static void fail(uint8_t *out, size_t *len, const char *why) {
  size_t n = strlen(why);
  if (n > 255)
    n = 255;
  out[0] = 'E';
  memcpy(out + 1, why, n);
  *len = 1 + n;
}

/* An 'F' answer holding the frame built in b (at most FRAME_MAX - 1
** bytes, cbor_buf_init's limit), which it frees. */
static void frame_out(struct cbor_buf *b, uint8_t *out, size_t *len) {
  out[0] = 'F';
  memcpy(out + 1, b->data, b->len);
  *len = 1 + b->len;
  cbor_buf_free(b);
}

static void answer_key(uint8_t *out, size_t *len) {
  TEE_ObjectHandle key;
  if (attestation_key(&key) != 0)
    return fail(out, len, "cannot open or create the attestation key");
  int rc = public_point(key, out + 1);
  TEE_CloseObject(key);
  if (rc != 0 || measure_ta(out + 66) != 0)
    return fail(out, len, "cannot read the attestation key");
  out[0] = 'K';
  *len = 1 + 65 + 32;
}

static void begin(const uint8_t *module, size_t n, uint8_t *out, size_t *len) {
  struct cbor_buf b;
  if (sha256(module, n, st.module) != 0 ||
      generate(TEE_TYPE_ECDH_KEYPAIR, &st.eph) != 0 ||
      public_point(st.eph, st.ga) != 0)
    return fail(out, len, "cannot make a key share");
  cbor_buf_init(&b, FRAME_MAX - 1);
  cbor_put_array(&b, 2);
  cbor_put_int(&b, 0);
  cbor_put_bstr(&b, st.ga, 65);
  if (b.failed) {
    cbor_buf_free(&b);
    return fail(out, len, "out of memory");
  }
  frame_out(&b, out, len);
  st.stage = 1;
}

/* A refusal [4, reason]: the reason, printable ASCII only. */
static void refused(const struct cbor_item *it, uint8_t *out, size_t *len) {
  char why[240];
  size_t k, n = (size_t)snprintf(why, sizeof why,
                                 "attestation refused by verifier: ");
  int i = cbor_array_at(it, 0, 1);
  if (i < 0 || it[i].type != CBOR_TSTR)
    return fail(out, len, "malformed refusal from the verifier");
  for (k = 0; k < it[i].len && n + 1 < sizeof why; k++) {
    uint8_t c = it[i].bytes[k];
    why[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  why[n] = '\0';
  fail(out, len, why);
}

/* The evidence payload: attest_claims_encode's map (services/
** attest_evidence.c), field for field; the verifier decodes it with
** attest_claims_decode. */
static int claims(const uint8_t pub[65], struct cbor_buf *b) {
  uint8_t ueid[33], nonce[32], runtime[32], config[32];
  struct chunk cn[2] = {{st.ga, 65}, {st.gv, 65}};
  static const char cfg[] = "weft-tz/config/v1: WTZ_CMD_ATTEST, no options";
  TEE_Time t;
  ueid[0] = 0x01;
  if (sha256(pub, 65, ueid + 1) != 0 || sha256v(cn, 2, nonce) != 0 ||
      measure_ta(runtime) != 0 || sha256(cfg, sizeof cfg - 1, config) != 0)
    return -1;
  TEE_GetREETime(&t); /* the normal world's clock: see docs/trustzone.md */
  cbor_put_map(b, 8);
  cbor_put_int(b, 6); /* iat */
  cbor_put_int(b, (int64_t)t.seconds);
  cbor_put_int(b, 10); /* eat_nonce */
  cbor_put_bstr(b, nonce, 32);
  cbor_put_int(b, 256); /* ueid */
  cbor_put_bstr(b, ueid, 33);
  cbor_put_int(b, 263); /* dbgstat 0: "enabled" (QEMU's gdb sees all) */
  cbor_put_int(b, 0);
  cbor_put_int(b, 265);
  cbor_put_tstr(b, PROFILE);
  cbor_put_int(b, -70000);
  cbor_put_tstr(b, ROT_KIND);
  cbor_put_int(b, -70001);
  cbor_put_map(b, 3);
  cbor_put_int(b, 1);
  cbor_put_bstr(b, runtime, 32);
  cbor_put_int(b, 2);
  cbor_put_bstr(b, st.module, 32);
  cbor_put_int(b, 3);
  cbor_put_bstr(b, config, 32);
  cbor_put_int(b, -70002);
  cbor_put_tstr(b, RUNTIME_VERSION);
  return b->failed ? -1 : 0;
}

/* COSE_Sign1 over the claims by the attestation key, with the key id and
** the endorsement attached (as cose_sign1_create). */
static int evidence(struct cbor_buf *ev) {
  static const uint8_t prot[] = {0xa1, 0x01, 0x26}; /* {1: -7} */
  static uint8_t endorsement[ENDORSEMENT_MAX];
  uint8_t pub[65], kid[32], digest[32], sig[64];
  struct cbor_buf payload, tbs;
  TEE_ObjectHandle key;
  long en = read_object(ENDORSEMENT_ID, endorsement, sizeof endorsement);
  int rc = -1;
  if (en <= 0 || attestation_key(&key) != 0)
    return -1;
  cbor_buf_init(&payload, FRAME_MAX);
  cbor_buf_init(&tbs, FRAME_MAX);
  if (public_point(key, pub) == 0 && sha256(pub, 65, kid) == 0 &&
      claims(pub, &payload) == 0) {
    cbor_put_array(&tbs, 4);
    cbor_put_tstr(&tbs, "Signature1");
    cbor_put_bstr(&tbs, prot, sizeof prot);
    cbor_put_bstr(&tbs, NULL, 0);
    cbor_put_bstr(&tbs, payload.data, payload.len);
    if (!tbs.failed && sha256(tbs.data, tbs.len, digest) == 0 &&
        sign_digest(key, digest, sig) == 0) {
      cbor_put_tag(ev, 18);
      cbor_put_array(ev, 4);
      cbor_put_bstr(ev, prot, sizeof prot);
      cbor_put_map(ev, 2);
      cbor_put_int(ev, 4);
      cbor_put_bstr(ev, kid, 32);
      cbor_put_int(ev, -70010);
      cbor_put_bstr(ev, endorsement, (size_t)en);
      cbor_put_bstr(ev, payload.data, payload.len);
      cbor_put_bstr(ev, sig, 64);
      rc = ev->failed ? -1 : 0;
    }
  }
  TEE_CloseObject(key);
  cbor_buf_free(&payload);
  cbor_buf_free(&tbs);
  return rc;
}

/* msg1 [1, Gv, Vpub, sig_V, mac] in; msg2 [2, evidence, mac] out. */
static void answer_msg1(const struct cbor_item *it, uint8_t *out, size_t *len) {
  static const char salt[] = "weft-ra-v1";
  uint8_t pinned[65], t[130], digest[32], shared[32], kdk[32], info[35],
      mac[32];
  struct chunk c[1];
  struct cbor_buf ev, b;
  int gv = cbor_array_at(it, 0, 1), vp = cbor_array_at(it, 0, 2),
      sg = cbor_array_at(it, 0, 3), m = cbor_array_at(it, 0, 4);
  if (it[0].count != 5 || !cbor_is_bstr_of(it, gv, 65) ||
      !cbor_is_bstr_of(it, vp, 65) || !cbor_is_bstr_of(it, sg, 64) ||
      !cbor_is_bstr_of(it, m, 32))
    return fail(out, len, "malformed msg1 from the verifier");
  memcpy(st.gv, it[gv].bytes, 65);
  memcpy(st.vpub, it[vp].bytes, 65);
  memcpy(st.sig_v, it[sg].bytes, 64);
  if (read_object(VERIFIER_ID, pinned, sizeof pinned) != 65 ||
      ct_differ(pinned, st.vpub, 65))
    return fail(out, len, "verifier key is not the pinned one");
  memcpy(t, st.gv, 65);
  memcpy(t + 65, st.ga, 65);
  if (sha256(t, 130, digest) != 0 || verify_digest(st.vpub, digest, st.sig_v))
    return fail(out, len,
                "verifier signature over the key shares does not verify "
                "(man in the middle?)");
  {
    struct chunk thc[4] = {
        {st.ga, 65}, {st.gv, 65}, {st.vpub, 65}, {st.sig_v, 64}};
    if (sha256v(thc, 4, st.th) != 0 || ecdh(st.gv, shared) != 0)
      return fail(out, len, "verifier key share is not a valid P-256 point");
  }
  c[0] = (struct chunk){shared, 32};
  memcpy(info, "smk", 3);
  memcpy(info + 3, st.th, 32);
  if (hmac((const uint8_t *)salt, sizeof salt - 1, c, 1, kdk) != 0 ||
      hkdf_expand32(kdk, info, 35, st.smk) != 0)
    return fail(out, len, "key derivation failed");
  memcpy(info, "sk", 2);
  memcpy(info + 2, st.th, 32);
  if (hkdf_expand32(kdk, info, 34, st.sk) != 0)
    return fail(out, len, "key derivation failed");
  pfs_wipe(shared, sizeof shared);
  pfs_wipe(kdk, sizeof kdk);
  if (message_mac("msg1", NULL, 0, mac) != 0 || ct_differ(mac, it[m].bytes, 32))
    return fail(out, len, "msg1 MAC mismatch");
  /* Only now, with the verifier authenticated, does evidence leave. */
  cbor_buf_init(&ev, FRAME_MAX - 256);
  cbor_buf_init(&b, FRAME_MAX - 1);
  if (evidence(&ev) != 0 || message_mac("msg2", ev.data, ev.len, mac) != 0) {
    cbor_buf_free(&ev);
    cbor_buf_free(&b);
    return fail(out, len,
                "cannot sign the evidence (no endorsement in secure "
                "storage? run weft-tz attest-provision)");
  }
  cbor_put_array(&b, 3);
  cbor_put_int(&b, 2);
  cbor_put_bstr(&b, ev.data, ev.len);
  cbor_put_bstr(&b, mac, 32);
  cbor_buf_free(&ev);
  {
    struct chunk t2[2] = {{st.th, 32}, {b.data, b.len}};
    if (b.failed || sha256v(t2, 2, st.th2) != 0) {
      cbor_buf_free(&b);
      return fail(out, len, "evidence too large");
    }
  }
  frame_out(&b, out, len);
  st.stage = 2;
}

/* msg3 [3, nonce, ciphertext, tag]: AES-256-GCM under SK, AAD "msg3" ||
** th2. The secret stays here; the answer is its SHA-256. */
static void answer_msg3(const struct cbor_item *it, uint8_t *out, size_t *len) {
  uint8_t *secret = st.secret;
  uint8_t aad[36], tag[16];
  int no = cbor_array_at(it, 0, 1), ct = cbor_array_at(it, 0, 2),
      tg = cbor_array_at(it, 0, 3);
  TEE_OperationHandle op;
  TEE_ObjectHandle key;
  TEE_Attribute a;
  size_t n;
  TEE_Result r;
  if (it[0].count != 4 || !cbor_is_bstr_of(it, no, 12) || ct < 0 ||
      it[ct].type != CBOR_BSTR || it[ct].len == 0 || it[ct].len > SECRET_MAX ||
      !cbor_is_bstr_of(it, tg, 16))
    return fail(out, len, "malformed msg3 from the verifier");
  memcpy(aad, "msg3", 4);
  memcpy(aad + 4, st.th2, 32);
  memcpy(tag, it[tg].bytes, 16);
  n = it[ct].len;
  if (TEE_AllocateOperation(&op, TEE_ALG_AES_GCM, TEE_MODE_DECRYPT, 256) !=
      TEE_SUCCESS)
    return fail(out, len, "out of memory");
  if (TEE_AllocateTransientObject(TEE_TYPE_AES, 256, &key) != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    return fail(out, len, "out of memory");
  }
  TEE_InitRefAttribute(&a, TEE_ATTR_SECRET_VALUE, st.sk, 32);
  r = TEE_PopulateTransientObject(key, &a, 1);
  if (r == TEE_SUCCESS)
    r = TEE_SetOperationKey(op, key);
  if (r == TEE_SUCCESS)
    r = TEE_AEInit(op, it[no].bytes, 12, 128, sizeof aad, n);
  if (r == TEE_SUCCESS) {
    TEE_AEUpdateAAD(op, aad, sizeof aad);
    r = TEE_AEDecryptFinal(op, it[ct].bytes, n, secret, &n, tag, 16);
  }
  TEE_FreeTransientObject(key);
  TEE_FreeOperation(op);
  if (r != TEE_SUCCESS || n != it[ct].len)
    return fail(out, len, "secret does not decrypt (msg3 tampered with?)");
  out[0] = 'S';
  if (sha256(secret, n, out + 1) != 0)
    return fail(out, len, "cannot hash the secret");
  *len = 33;
  st.secret_len = n;
  st.stage = 3;
  /* The handshake's keys are done with; the secret and the module's
  ** measurement stay for the session's WASI run. */
  TEE_FreeTransientObject(st.eph);
  st.eph = TEE_HANDLE_NULL;
  pfs_wipe(st.smk, sizeof st.smk);
  pfs_wipe(st.sk, sizeof st.sk);
}

static void step(const void *owner, const uint8_t *in, size_t n, uint8_t *out,
                 size_t *len) {
  static struct cbor_item it[16];
  uint32_t k;
  int64_t type;
  const char *why;
  if (st.owner != owner || st.stage == 0 || st.stage == 3)
    return fail(out, len, "no handshake in progress in this session");
  if (cbor_decode(in, n, it, 16, &k, &why) != 0 || it[0].type != CBOR_ARRAY ||
      it[0].count < 2 || cbor_get_int(&it[1], &type) != 0)
    return fail(out, len, "malformed message from the verifier");
  if (type == 4)
    return refused(it, out, len);
  if (st.stage == 1 && type == 1)
    return answer_msg1(it, out, len);
  if (st.stage == 2 && type == 3)
    return answer_msg3(it, out, len);
  fail(out, len, "verifier sent a message out of turn");
}

size_t wtz_attest_secret_env(const void *owner, const uint8_t *module, size_t n,
                             char *out, size_t cap) {
  static const char name[] = "WEFT_ATTEST_SECRET=";
  static const char digits[] = "0123456789abcdef";
  uint8_t h[32];
  size_t i, k = sizeof name - 1;
  if (st.owner != owner || st.stage != 3 || sha256(module, n, h) != 0 ||
      ct_differ(h, st.module, 32) || cap < k + 2 * st.secret_len + 1)
    return 0;
  memcpy(out, name, k);
  for (i = 0; i < st.secret_len; i++) {
    out[k++] = digits[st.secret[i] >> 4];
    out[k++] = digits[st.secret[i] & 15];
  }
  out[k++] = '\0';
  return k;
}

void wtz_attest_forget(const void *owner) {
  if (st.owner == owner)
    reset();
}

void wtz_attest_step(const void *owner, uint32_t op, const uint8_t *in,
                     size_t in_len, const uint8_t *in2, size_t in2_len,
                     uint8_t *out, size_t *out_len) {
  switch (op) {
  case WTZ_ATT_KEY: return answer_key(out, out_len);
  case WTZ_ATT_ENDORSE:
    if (in_len == 0 || in_len > ENDORSEMENT_MAX || in2_len != 65 ||
        in2[0] != 0x04)
      return fail(out, out_len,
                  "provisioning needs an endorsement and the "
                  "verifier's 65-byte key");
    if (write_object(ENDORSEMENT_ID, in, in_len) != 0 ||
        write_object(VERIFIER_ID, in2, 65) != 0)
      return fail(out, out_len, "cannot write secure storage");
    return answer_key(out, out_len);
  case WTZ_ATT_BEGIN:
    reset();
    st.owner = owner;
    begin(in, in_len, out, out_len);
    break;
  case WTZ_ATT_STEP: step(owner, in, in_len, out, out_len); break;
  default: return fail(out, out_len, "unknown attestation step");
  }
  /* A failed handshake step ends this session's handshake. */
  if (*out_len > 0 && out[0] == 'E' && st.owner == owner)
    reset();
}
