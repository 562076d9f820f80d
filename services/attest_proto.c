/*
** attest_proto.c — both sides of the handshake (attest.h has the message
** flow): key schedule, message encoding and checks. Appraisal of the
** evidence itself is attest_policy.c's.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include "attest.h"
#include "measure.h"
#include "pfs_crypto.h"

enum { MSG0 = 0, MSG1 = 1, MSG2 = 2, MSG3 = 3, REFUSAL = 4 };

/* One side's view of a session. */
struct session {
  int fd;
  int64_t deadline;
  const struct attest_hooks *hooks;
  struct pfs_rng *rng;
  struct eckey *ephemeral;
  uint8_t ga[ECKEY_PUBLIC_BYTES], gv[ECKEY_PUBLIC_BYTES];
  uint8_t vpub[ECKEY_PUBLIC_BYTES], sig_v[ECKEY_SIG_BYTES];
  uint8_t th[32], smk[32], sk[32];
  uint8_t frame[ATTEST_MAX_FRAME];
  size_t frame_len;
};

static void session_end(struct session *s) {
  eckey_free(s->ephemeral);
  pfs_rng_free(s->rng);
  pfs_wipe(s->smk, sizeof s->smk);
  pfs_wipe(s->sk, sizeof s->sk);
  pfs_wipe(s->frame, sizeof s->frame);
}

static int session_begin(struct session *s, int fd, int timeout_ms,
                         const struct attest_hooks *hooks) {
  memset(s, 0, sizeof *s);
  s->fd = fd;
  s->deadline =
      attest_now_ms() + (timeout_ms > 0 ? timeout_ms : ATTEST_TIMEOUT_MS);
  s->hooks = hooks;
  s->rng = pfs_rng_new();
  return s->rng != NULL && eckey_generate(s->rng, &s->ephemeral) == 0 ? 0 : -1;
}

/* th = SHA-256(Ga || Gv || Vpub || sig_V); then SMK and SK from the ECDH
** secret with HKDF-SHA256. */
static int derive_keys(struct session *s, const uint8_t peer[65]) {
  const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  static const char salt[] = "weft-ra-v1";
  uint8_t shared[ECKEY_SHARED_BYTES], kdk[32], info[3 + 32], t[4 * 65];
  int rc = -1;

  memcpy(t, s->ga, 65);
  memcpy(t + 65, s->gv, 65);
  memcpy(t + 130, s->vpub, 65);
  memcpy(t + 195, s->sig_v, 64);
  measure_bytes(t, 259, s->th);
  if (eckey_ecdh(s->ephemeral, peer, s->rng, shared) != 0)
    return -1;
  if (mbedtls_hkdf_extract(md, (const unsigned char *)salt, sizeof salt - 1,
                           shared, sizeof shared, kdk) != 0)
    goto done;
  memcpy(info, "smk", 3);
  memcpy(info + 3, s->th, 32);
  if (mbedtls_hkdf_expand(md, kdk, 32, info, 35, s->smk, 32) != 0)
    goto done;
  memcpy(info, "sk", 2);
  memcpy(info + 2, s->th, 32);
  if (mbedtls_hkdf_expand(md, kdk, 32, info, 34, s->sk, 32) != 0)
    goto done;
  rc = 0;
done:
  pfs_wipe(shared, sizeof shared);
  pfs_wipe(kdk, sizeof kdk);
  return rc;
}

/* HMAC(SMK, label || th || extra). */
static int message_mac(const struct session *s, const char *label,
                       const uint8_t *extra, size_t extra_len,
                       uint8_t mac[32]) {
  uint8_t head[8 + 32];
  size_t n = strlen(label);
  memcpy(head, label, n);
  memcpy(head + n, s->th, 32);
  return pfs_hmac(s->smk, head, n + 32, extra, extra_len, mac);
}

/* Sends b's bytes as a frame, after the test hook saw them. */
static int send_message(struct session *s, int stage, struct cbor_buf *b,
                        char *err, size_t errlen) {
  if (b->failed) {
    snprintf(err, errlen, "cannot encode message %d", stage);
    return -1;
  }
  if (s->hooks != NULL && s->hooks->mutate != NULL) {
    size_t len = b->len;
    uint8_t *copy = calloc(1, ATTEST_MAX_FRAME + 64);
    int rc;
    if (copy == NULL)
      return -1;
    memcpy(copy, b->data, len);
    s->hooks->mutate(s->hooks->user, stage, copy, &len, ATTEST_MAX_FRAME + 64);
    /* (an oversized frame is written raw, to test the peer's cap) */
    if (len > ATTEST_MAX_FRAME) {
      uint8_t head[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16),
                         (uint8_t)(len >> 8), (uint8_t)len};
      rc = send(s->fd, head, 4, MSG_NOSIGNAL) == 4 &&
                   send(s->fd, copy, len, MSG_NOSIGNAL) == (ssize_t)len
               ? 0
               : -1;
    } else {
      rc = attest_send_frame(s->fd, copy, len, s->deadline, err, errlen);
    }
    free(copy);
    return rc;
  }
  return attest_send_frame(s->fd, b->data, b->len, s->deadline, err, errlen);
}

/* Receives a frame and decodes it as [type, ...] with `fields` elements
** after the type; a refusal [4, reason] fills *refused. Returns the
** message type, or -1 with a reason. */
static int recv_message(struct session *s, struct cbor_item *items,
                        uint32_t max, char *err, size_t errlen) {
  uint32_t n;
  const char *why;
  int64_t type;
  if (attest_recv_frame(s->fd, s->frame, sizeof s->frame, &s->frame_len,
                        s->deadline, err, errlen) != 0)
    return -1;
  if (cbor_decode(s->frame, s->frame_len, items, max, &n, &why) != 0) {
    snprintf(err, errlen, "malformed message: %s", why);
    return -1;
  }
  if (items[0].type != CBOR_ARRAY || items[0].count < 2 ||
      cbor_get_int(&items[1], &type) != 0 || type < MSG0 || type > REFUSAL) {
    snprintf(err, errlen, "malformed message: not [type, ...]");
    return -1;
  }
  return (int)type;
}

/* Copies a refusal's reason, keeping printable ASCII only. */
static void refusal_reason(const struct cbor_item *items, char *out,
                           size_t size) {
  int i = cbor_array_at(items, 0, 1);
  size_t k, n = 0;
  if (items[0].count != 2 || i < 0 || items[i].type != CBOR_TSTR) {
    snprintf(out, size, "(malformed refusal)");
    return;
  }
  for (k = 0; k < items[i].len && n + 1 < size && n < 200; k++) {
    uint8_t c = items[i].bytes[k];
    out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  out[n] = '\0';
}

/* ---- attester ---------------------------------------------------------- */

/* The attester's receive: the message must be `want`; a refusal becomes
** "attestation refused by verifier: REASON". 0, or -1 with a reason. */
static int expect_message(struct session *s, int want, const char *name,
                          struct cbor_item *items, uint32_t max, char *err,
                          size_t errlen) {
  char reason[256];
  int type = recv_message(s, items, max, err, errlen);
  if (type == REFUSAL) {
    refusal_reason(items, reason, sizeof reason);
    snprintf(err, errlen, "attestation refused by verifier: %s", reason);
    return -1;
  }
  if (type < 0)
    return -1;
  if (type != want) {
    snprintf(err, errlen, "verifier sent message %d, expected %s", type, name);
    return -1;
  }
  return 0;
}

/* The test hook on a buffer, with 8 bytes of room to grow. */
static void test_mutate(struct session *s, int stage, struct cbor_buf *b) {
  if (s->hooks == NULL || s->hooks->mutate == NULL)
    return;
  cbor_put_raw(b, "\0\0\0\0\0\0\0\0", 8);
  if (b->failed)
    return;
  b->len -= 8;
  s->hooks->mutate(s->hooks->user, stage, b->data, &b->len, b->len + 8);
}

static int build_evidence(struct session *s,
                          const struct attest_client_config *cfg,
                          struct cbor_buf *evidence, char *err, size_t errlen) {
  const struct attest_backend *be = cfg->backend;
  struct attest_claims c;
  struct cbor_buf payload;
  uint8_t pub[ECKEY_PUBLIC_BYTES], t[130];
  int rc = -1;

  memset(&c, 0, sizeof c);
  memcpy(t, s->ga, 65);
  memcpy(t + 65, s->gv, 65);
  measure_bytes(t, sizeof t, c.nonce);
  if (be->public_key(be->ctx, pub) != 0 ||
      be->measure_runtime(be->ctx, c.runtime) != 0) {
    snprintf(err, errlen, "cannot measure the runtime or read the device key");
    return -1;
  }
  attest_ueid_of(pub, c.ueid);
  c.iat = (int64_t)time(NULL);
  c.dbgstat = 0;
  snprintf(c.profile, sizeof c.profile, "%s", ATTEST_PROFILE);
  snprintf(c.rot_kind, sizeof c.rot_kind, "%s", be->kind);
  memcpy(c.module, cfg->module, 32);
  memcpy(c.config, cfg->config, 32);
  snprintf(c.runtime_version, sizeof c.runtime_version, "%s",
           cfg->runtime_version != NULL ? cfg->runtime_version : "");
  if (s->hooks != NULL && s->hooks->edit_claims != NULL)
    s->hooks->edit_claims(s->hooks->user, &c);
  cbor_buf_init(&payload, ATTEST_MAX_FRAME);
  if (attest_claims_encode(&c, &payload) == 0) {
    test_mutate(s, ATTEST_STAGE_CLAIMS, &payload);
    rc = be->sign(be->ctx, payload.data, payload.len, evidence);
  }
  if (rc == 0)
    test_mutate(s, ATTEST_STAGE_EVIDENCE, evidence);
  if (rc != 0)
    snprintf(err, errlen, "cannot sign the evidence");
  cbor_buf_free(&payload);
  return rc;
}

/* msg1: checks the pinned key, the verifier's signature over the key
** shares, then derives the keys and checks the MAC. */
static int check_msg1(struct session *s, const struct attest_client_config *cfg,
                      const struct cbor_item *items, char *err, size_t errlen) {
  uint8_t pinned[ECKEY_PUBLIC_BYTES], digest[32], t[130], mac[32];
  int gv = cbor_array_at(items, 0, 1), vp = cbor_array_at(items, 0, 2),
      sig = cbor_array_at(items, 0, 3), m = cbor_array_at(items, 0, 4);

  if (items[0].count != 5 || !cbor_is_bstr_of(items, gv, 65) ||
      !cbor_is_bstr_of(items, vp, 65) || !cbor_is_bstr_of(items, sig, 64) ||
      !cbor_is_bstr_of(items, m, 32)) {
    snprintf(err, errlen, "malformed msg1 from the verifier");
    return -1;
  }
  memcpy(s->gv, items[gv].bytes, 65);
  memcpy(s->vpub, items[vp].bytes, 65);
  memcpy(s->sig_v, items[sig].bytes, 64);
  if (eckey_public_raw(cfg->pinned, pinned) != 0 ||
      pfs_ct_differ(pinned, s->vpub, sizeof pinned)) {
    snprintf(err, errlen, "verifier key is not the pinned one");
    return -1;
  }
  memcpy(t, s->gv, 65);
  memcpy(t + 65, s->ga, 65);
  measure_bytes(t, sizeof t, digest);
  if (eckey_verify(cfg->pinned, digest, s->sig_v) != 0) {
    snprintf(err, errlen,
             "verifier signature over the key shares does not "
             "verify (man in the middle?)");
    return -1;
  }
  if (derive_keys(s, s->gv) != 0) {
    snprintf(err, errlen, "verifier key share is not a valid P-256 point");
    return -1;
  }
  if (message_mac(s, "msg1", NULL, 0, mac) != 0 ||
      pfs_ct_differ(mac, items[m].bytes, 32)) {
    snprintf(err, errlen, "msg1 MAC mismatch");
    return -1;
  }
  return 0;
}

/* msg3: AES-256-GCM under SK, AAD "msg3" || SHA-256(th || msg2). */
static int open_msg3(struct session *s, const struct cbor_item *items,
                     const uint8_t th2[32], uint8_t **secret,
                     size_t *secret_len, char *err, size_t errlen) {
  struct pfs_aead *aead;
  uint8_t aad[4 + 32], *out;
  int nonce = cbor_array_at(items, 0, 1), ct = cbor_array_at(items, 0, 2),
      tag = cbor_array_at(items, 0, 3);
  int rc;

  if (items[0].count != 4 || !cbor_is_bstr_of(items, nonce, PFS_NONCE_BYTES) ||
      ct < 0 || items[ct].type != CBOR_BSTR || items[ct].len == 0 ||
      items[ct].len > ATTEST_MAX_SECRET ||
      !cbor_is_bstr_of(items, tag, PFS_TAG_BYTES)) {
    snprintf(err, errlen, "malformed msg3 from the verifier");
    return -1;
  }
  memcpy(aad, "msg3", 4);
  memcpy(aad + 4, th2, 32);
  out = malloc(items[ct].len);
  aead = pfs_aead_new(s->sk);
  if (out == NULL || aead == NULL) {
    free(out);
    pfs_aead_free(aead);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  rc = pfs_aead_open(aead, items[nonce].bytes, aad, sizeof aad, items[ct].bytes,
                     out, items[ct].len, items[tag].bytes);
  pfs_aead_free(aead);
  if (rc != 0) {
    pfs_wipe(out, items[ct].len);
    free(out);
    snprintf(err, errlen, "secret does not decrypt (msg3 tampered with?)");
    return -1;
  }
  *secret = out;
  *secret_len = items[ct].len;
  return 0;
}

int attest_client_run(int fd, const struct attest_client_config *cfg,
                      uint8_t **secret, size_t *secret_len, char *err,
                      size_t errlen) {
  struct session s;
  struct cbor_item items[16];
  struct cbor_buf b, evidence;
  uint8_t mac[32], th2[32];
  int rc = -1;

  *secret = NULL;
  *secret_len = 0;
  cbor_buf_init(&b, ATTEST_MAX_FRAME);
  cbor_buf_init(&evidence, ATTEST_MAX_FRAME - 256);
  if (session_begin(&s, fd, cfg->timeout_ms, cfg->hooks) != 0 ||
      eckey_public_raw(s.ephemeral, s.ga) != 0) {
    snprintf(err, errlen, "cannot make a key share (no random numbers?)");
    goto done;
  }
  cbor_put_array(&b, 2);
  cbor_put_int(&b, MSG0);
  cbor_put_bstr(&b, s.ga, sizeof s.ga);
  if (send_message(&s, MSG0, &b, err, errlen) != 0)
    goto done;
  if (expect_message(&s, MSG1, "msg1", items, 16, err, errlen) != 0)
    goto done;
  if (check_msg1(&s, cfg, items, err, errlen) != 0)
    goto done;
  /* Only now, with the verifier authenticated, does evidence leave. */
  if (build_evidence(&s, cfg, &evidence, err, errlen) != 0 ||
      message_mac(&s, "msg2", evidence.data, evidence.len, mac) != 0)
    goto done;
  b.len = 0;
  cbor_put_array(&b, 3);
  cbor_put_int(&b, MSG2);
  cbor_put_bstr(&b, evidence.data, evidence.len);
  cbor_put_bstr(&b, mac, sizeof mac);
  if (b.failed) {
    snprintf(err, errlen, "evidence too large");
    goto done;
  }
  {
    uint8_t t[32 + ATTEST_MAX_FRAME];
    memcpy(t, s.th, 32);
    memcpy(t + 32, b.data, b.len);
    measure_bytes(t, 32 + b.len, th2);
  }
  if (send_message(&s, MSG2, &b, err, errlen) != 0)
    goto done;
  if (expect_message(&s, MSG3, "msg3", items, 16, err, errlen) != 0)
    goto done;
  rc = open_msg3(&s, items, th2, secret, secret_len, err, errlen);
done:
  cbor_buf_free(&b);
  cbor_buf_free(&evidence);
  session_end(&s);
  return rc;
}

/* ---- verifier ---------------------------------------------------------- */

/* Best effort: tells the attester why (the reasons are safe to share). */
static void send_refusal(struct session *s, const char *reason) {
  struct cbor_buf b;
  char err[64];
  cbor_buf_init(&b, 512);
  cbor_put_array(&b, 2);
  cbor_put_int(&b, REFUSAL);
  cbor_put_tstr(&b, reason);
  if (!b.failed)
    attest_send_frame(s->fd, b.data, b.len, s->deadline, err, sizeof err);
  cbor_buf_free(&b);
}

static int refuse(struct session *s, struct attest_result *res,
                  const char *reason) {
  res->accepted = 0;
  if (res->reason[0] == '\0')
    snprintf(res->reason, sizeof res->reason, "%s", reason);
  send_refusal(s, res->reason);
  return -1;
}

/* msg0 in, msg1 out. */
static int answer_msg0(struct session *s, const struct eckey *verifier_key,
                       struct attest_result *res) {
  struct cbor_item items[8];
  struct cbor_buf b;
  uint8_t t[130], digest[32], mac[32];
  char err[120];
  int type = recv_message(s, items, 8, err, sizeof err), ga, rc;

  if (type < 0) {
    snprintf(res->reason, sizeof res->reason, "msg0: %s", err);
    return refuse(s, res, res->reason);
  }
  ga = cbor_array_at(items, 0, 1);
  if (type != MSG0 || items[0].count != 2 || !cbor_is_bstr_of(items, ga, 65))
    return refuse(s, res, "malformed msg0");
  memcpy(s->ga, items[ga].bytes, 65);
  if (eckey_public_raw(s->ephemeral, s->gv) != 0 ||
      eckey_public_raw(verifier_key, s->vpub) != 0)
    return refuse(s, res, "verifier internal error");
  memcpy(t, s->gv, 65);
  memcpy(t + 65, s->ga, 65);
  measure_bytes(t, sizeof t, digest);
  if (eckey_sign(verifier_key, s->rng, digest, s->sig_v) != 0)
    return refuse(s, res, "verifier internal error");
  if (derive_keys(s, s->ga) != 0)
    return refuse(s, res, "attester key share is not a valid P-256 point");
  if (message_mac(s, "msg1", NULL, 0, mac) != 0)
    return refuse(s, res, "verifier internal error");
  cbor_buf_init(&b, ATTEST_MAX_FRAME);
  cbor_put_array(&b, 5);
  cbor_put_int(&b, MSG1);
  cbor_put_bstr(&b, s->gv, 65);
  cbor_put_bstr(&b, s->vpub, 65);
  cbor_put_bstr(&b, s->sig_v, 64);
  cbor_put_bstr(&b, mac, 32);
  rc = send_message(s, MSG1, &b, err, sizeof err);
  cbor_buf_free(&b);
  if (rc != 0) {
    snprintf(res->reason, sizeof res->reason, "msg1: %s", err);
    return -1;
  }
  return 0;
}

static int send_msg3(struct session *s, const uint8_t th2[32],
                     const uint8_t *secret, size_t len,
                     struct attest_result *res) {
  struct pfs_aead *aead = pfs_aead_new(s->sk);
  struct cbor_buf b;
  uint8_t aad[4 + 32], nonce[PFS_NONCE_BYTES], tag[PFS_TAG_BYTES];
  uint8_t *ct = malloc(len);
  char err[120];
  int rc = -1;

  memcpy(aad, "msg3", 4);
  memcpy(aad + 4, th2, 32);
  cbor_buf_init(&b, ATTEST_MAX_FRAME);
  if (aead != NULL && ct != NULL &&
      pfs_random(s->rng, nonce, sizeof nonce) == 0 &&
      pfs_aead_seal(aead, nonce, aad, sizeof aad, secret, ct, len, tag) == 0) {
    cbor_put_array(&b, 4);
    cbor_put_int(&b, MSG3);
    cbor_put_bstr(&b, nonce, sizeof nonce);
    cbor_put_bstr(&b, ct, len);
    cbor_put_bstr(&b, tag, sizeof tag);
    rc = send_message(s, MSG3, &b, err, sizeof err);
    if (rc != 0)
      snprintf(res->reason, sizeof res->reason, "msg3: %s", err);
  } else {
    snprintf(res->reason, sizeof res->reason, "cannot encrypt the secret");
  }
  cbor_buf_free(&b);
  pfs_aead_free(aead);
  free(ct);
  return rc;
}

int attest_verifier_session(int fd, const struct eckey *verifier_key,
                            const struct attest_policy *policy, int timeout_ms,
                            const struct attest_hooks *hooks,
                            struct attest_result *res) {
  struct session s;
  struct cbor_item items[8];
  uint8_t mac[32], anchor[32], th2[32], t[130];
  const uint8_t *secret = NULL;
  size_t secret_len = 0;
  char err[120];
  int type, ev, m, rc = -1;

  memset(res, 0, sizeof *res);
  if (session_begin(&s, fd, timeout_ms, hooks) != 0) {
    snprintf(res->reason, sizeof res->reason, "no random numbers");
    session_end(&s);
    return -1;
  }
  if (answer_msg0(&s, verifier_key, res) != 0)
    goto done;
  type = recv_message(&s, items, 8, err, sizeof err);
  if (type < 0) {
    snprintf(res->reason, sizeof res->reason, "msg2: %s", err);
    refuse(&s, res, res->reason);
    goto done;
  }
  ev = cbor_array_at(items, 0, 1);
  m = cbor_array_at(items, 0, 2);
  if (type != MSG2 || items[0].count != 3 || ev < 0 ||
      items[ev].type != CBOR_BSTR || !cbor_is_bstr_of(items, m, 32)) {
    refuse(&s, res, "malformed msg2");
    goto done;
  }
  /* 1. the MAC: msg2 belongs to this session */
  if (message_mac(&s, "msg2", items[ev].bytes, items[ev].len, mac) != 0 ||
      pfs_ct_differ(mac, items[m].bytes, 32)) {
    refuse(&s, res, "msg2 MAC mismatch (replayed or altered)");
    goto done;
  }
  memcpy(t, s.ga, 65);
  memcpy(t + 65, s.gv, 65);
  measure_bytes(t, sizeof t, anchor);
  if (attest_appraise(policy, items[ev].bytes, items[ev].len, anchor,
                      (int64_t)time(NULL), res, &secret, &secret_len) != 0) {
    refuse(&s, res, res->reason);
    goto done;
  }
  {
    uint8_t *th2in = malloc(32 + s.frame_len);
    if (th2in == NULL) {
      refuse(&s, res, "verifier out of memory");
      goto done;
    }
    memcpy(th2in, s.th, 32);
    memcpy(th2in + 32, s.frame, s.frame_len);
    measure_bytes(th2in, 32 + s.frame_len, th2);
    free(th2in);
  }
  if (send_msg3(&s, th2, secret, secret_len, res) != 0) {
    res->accepted = 0;
    goto done;
  }
  res->accepted = 1;
  snprintf(res->reason, sizeof res->reason, "ok");
  rc = 0;
done:
  session_end(&s);
  return rc;
}
