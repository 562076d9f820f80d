/*
** attest.h — remote attestation and secret release (docs/attestation.md),
** in the roles of RFC 9334: the attester (weft run --attest) proves what
** it runs to a verifier (weft verifier), which releases a secret only
** when the evidence satisfies its policy.
**
** Root of trust: SOFTWARE on this machine. The device key is a file, the
** runtime measurement is self-reported; evidence says rot-kind "software"
** and the verifier's default policy refuses it. A TEE backend replaces
** struct attest_backend (measure the runtime, sign evidence, kind).
**
** Protocol (a SIGMA handshake as in WaTZ; frames: 4-byte big-endian
** length, then one CBOR array):
**   msg0 A->V [0, Ga]
**   msg1 V->A [1, Gv, Vpub, sig_V(SHA-256(Gv||Ga)), HMAC(SMK, "msg1"||th)]
**   msg2 A->V [2, evidence, HMAC(SMK, "msg2"||th||evidence)]
**   msg3 V->A [3, nonce, AES-256-GCM_SK(secret), tag], AAD "msg3"||th2
**   refusal V->A [4, reason] instead of msg1 or msg3 (not authenticated)
** th = SHA-256(Ga||Gv||Vpub||sig_V), th2 = SHA-256(th||msg2 bytes),
** KDK = HKDF-Extract("weft-ra-v1", x(ECDH)), SMK/SK = HKDF-Expand(KDK,
** "smk"||th / "sk"||th, 32). The attester checks Vpub against the key it
** pinned before it sends any evidence.
*/
#ifndef WEFT_ATTEST_H
#define WEFT_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "cbor.h"
#include "eckey.h"

#define ATTEST_PROFILE "tag:weft.invalid,2025:eat-software/v1"
#define ATTEST_MAX_FRAME 16384  /* bytes of one message, hard cap */
#define ATTEST_MAX_SECRET 4096  /* bytes a verifier may release */
#define ATTEST_TIMEOUT_MS 10000 /* a whole handshake, either side */
#define ATTEST_UEID_BYTES 33    /* 0x01 (RAND) || SHA-256(device key) */

/* EAT claim keys (RFC 9711 / IANA CWT registry) and private claims. */
#define EAT_IAT 6
#define EAT_NONCE 10
#define EAT_UEID 256
#define EAT_HWMODEL 259
#define EAT_DBGSTAT 263
#define EAT_PROFILE 265
#define EAT_ROT_KIND (-70000)
#define EAT_MEASUREMENTS (-70001) /* {1: runtime, 2: module, 3: config} */
#define EAT_RUNTIME_VERSION (-70002)
#define EAT_DEVICE_KEY (-70003) /* endorsement: the endorsed public key */

struct attest_claims {
  uint8_t nonce[32]; /* anchor = SHA-256(Ga || Gv) */
  uint8_t ueid[ATTEST_UEID_BYTES];
  int64_t iat;     /* seconds since the epoch */
  int64_t dbgstat; /* 0: "enabled" (honest for a software root) */
  char profile[64];
  char rot_kind[16];
  uint8_t runtime[32], module[32], config[32];
  char runtime_version[64];
};

/* Evidence payload <-> claims. decode: 0, or -1 with a reason. */
int attest_claims_encode(const struct attest_claims *c, struct cbor_buf *out);
int attest_claims_decode(const uint8_t *data, size_t len,
                         struct attest_claims *c, const char **why);

/* An endorsement: the endorser's COSE_Sign1 over these. */
struct attest_endorsement {
  uint8_t device_pub[ECKEY_PUBLIC_BYTES];
  uint8_t ueid[ATTEST_UEID_BYTES];
  char rot_kind[16];
  char model[64];
};
int attest_endorsement_encode(const struct attest_endorsement *e,
                              struct cbor_buf *out);
int attest_endorsement_decode(const uint8_t *data, size_t len,
                              struct attest_endorsement *e, const char **why);
/* ueid = 0x01 || SHA-256(pub); kid = SHA-256(pub). */
void attest_ueid_of(const uint8_t pub[ECKEY_PUBLIC_BYTES],
                    uint8_t ueid[ATTEST_UEID_BYTES]);

/* A signed accounting record's payload: {1: SHA-256 of the record, 2:
** ATTEST_ACCOUNT_FORMAT, -70000: rot-kind}. */
#define ATTEST_ACCOUNT_FORMAT "weft-account/v1"
int attest_account_encode(const uint8_t digest[32], const char *rot_kind,
                          struct cbor_buf *out);
int attest_account_decode(const uint8_t *data, size_t len, uint8_t digest[32],
                          char *rot_kind, size_t size, const char **why);

/* ---- the attester's root of trust ---------------------------------------
** What a TEE port replaces: SGX (quote + DCAP collateral as the
** endorsement), OP-TEE (HUK-derived key in a PTA), configfs-tsm. */
struct attest_backend {
  const char *kind; /* the rot-kind claim: "software", "sgx", "optee" */
  int (*measure_runtime)(void *ctx, uint8_t out[32]);
  /* The attestation public key (65-byte point). */
  int (*public_key)(void *ctx, uint8_t out[ECKEY_PUBLIC_BYTES]);
  /* Appends COSE_Sign1(payload) by the attestation key, with kid and the
  ** endorsement attached, to out. */
  int (*sign)(void *ctx, const uint8_t *payload, size_t len,
              struct cbor_buf *out);
  void *ctx;
};

/* The software backend over a device directory (measure.h). */
int attest_software_open(const char *device_dir, struct attest_backend *out,
                         char *err, size_t errlen);
void attest_software_close(struct attest_backend *b);

/* ---- the handshake ------------------------------------------------------ */

/* Test seam: called with each outgoing message (stage = message number,
** ATTEST_STAGE_CLAIMS with the evidence payload before it is signed,
** ATTEST_STAGE_EVIDENCE with the signed evidence before it is MACed) so
** tests can mutate what a peer sends. *len may shrink or grow up to cap.
** NULL in production. */
enum { ATTEST_STAGE_CLAIMS = 10, ATTEST_STAGE_EVIDENCE = 11 };
struct attest_hooks {
  void (*mutate)(void *user, int stage, uint8_t *buf, size_t *len, size_t cap);
  void (*edit_claims)(void *user, struct attest_claims *c);
  void *user;
};

struct attest_client_config {
  const struct attest_backend *backend;
  const struct eckey *pinned; /* the verifier's public key */
  uint8_t module[32], config[32];
  const char *runtime_version;
  int timeout_ms;
  const struct attest_hooks *hooks; /* NULL */
};

/* Runs the attester's side on a connected socket. On success returns 0
** and a malloc'd secret (the caller wipes and frees it); otherwise -1 and
** a reason ("attestation refused by verifier: ...", "verifier key is not
** the pinned one", ...). */
int attest_client_run(int fd, const struct attest_client_config *cfg,
                      uint8_t **secret, size_t *secret_len, char *err,
                      size_t errlen);

struct attest_policy; /* attest_policy.c */

/* An Attestation Result: the verdict and what it was about. */
struct attest_result {
  int accepted;
  char reason[160];
  char ueid[2 * ATTEST_UEID_BYTES + 1]; /* hex, "" when unknown */
  char module[65], runtime[65], config[65];
  char rot_kind[16];
};

/* Serves one session on an accepted socket; fills *res (reason "ok" on
** success). Returns 0 when a secret was released. */
int attest_verifier_session(int fd, const struct eckey *verifier_key,
                            const struct attest_policy *policy, int timeout_ms,
                            const struct attest_hooks *hooks,
                            struct attest_result *res);

/* Policy file (docs/attestation.md). Warnings (e.g. "runtime any") go to
** warn(user, text). 0, or -1 with a reason. */
int attest_policy_load(const char *path, struct attest_policy **out,
                       void (*warn)(void *user, const char *text), void *user,
                       char *err, size_t errlen);
void attest_policy_free(struct attest_policy *p);

/* Appraises evidence for the session whose anchor is `anchor`, steps in
** the order of the brief (anchor, signature and endorsement, profile,
** measurements, iat, rot-kind). On success returns 0 and points *secret
** at the policy's secret for the module. */
int attest_appraise(const struct attest_policy *p, const uint8_t *evidence,
                    size_t len, const uint8_t anchor[32], int64_t now,
                    struct attest_result *res, const uint8_t **secret,
                    size_t *secret_len);

/* ---- framing (attest_wire.c) ------------------------------------------- */

/* Connects to "HOST:PORT"; the socket, or -1 with a reason. */
int attest_connect(const char *spec, int timeout_ms, char *err, size_t errlen);
/* Milliseconds on a monotonic clock. */
int64_t attest_now_ms(void);
/* Sends / receives one frame before `deadline` (attest_now_ms). recv
** refuses frames over ATTEST_MAX_FRAME. 0, or -1 with a reason. */
int attest_send_frame(int fd, const uint8_t *data, size_t len, int64_t deadline,
                      char *err, size_t errlen);
int attest_recv_frame(int fd, uint8_t *buf, size_t cap, size_t *len,
                      int64_t deadline, char *err, size_t errlen);

#endif /* WEFT_ATTEST_H */
