/*
** attest_policy.c — the verifier's appraisal policy (a text file, one
** directive per line; docs/attestation.md) and the appraisal of evidence
** against it, in the order of the security brief §2.3.
*/
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "cose.h"
#include "measure.h"
#include "pfs_crypto.h"

#define POLICY_MAX_ENTRIES 256
#define POLICY_DEFAULT_SKEW 300

struct policy_module {
  uint8_t hash[32];
  uint8_t *secret;
  size_t secret_len;
};

struct attest_policy {
  struct eckey *endorsers[POLICY_MAX_ENTRIES];
  uint8_t endorser_kids[POLICY_MAX_ENTRIES][32]; /* SHA-256 of each key */
  size_t nendorsers;
  uint8_t deny[POLICY_MAX_ENTRIES][ATTEST_UEID_BYTES];
  size_t ndeny;
  int runtime_any, runtime_set;
  uint8_t runtimes[POLICY_MAX_ENTRIES][32];
  size_t nruntimes;
  int config_any, config_set;
  uint8_t configs[POLICY_MAX_ENTRIES][32];
  size_t nconfigs;
  struct policy_module modules[POLICY_MAX_ENTRIES];
  size_t nmodules;
  int allow_software_rot; /* default 0: software roots refused */
  /* `allow-rot-kind KIND` (TEE roots, e.g. optee-ta): when any is given,
  ** an endorsed non-software kind must be one of them. */
  char rot_kinds[8][16];
  size_t nrot_kinds;
  int64_t iat_skew; /* seconds */
};

void attest_policy_free(struct attest_policy *p) {
  size_t i;
  if (p == NULL)
    return;
  for (i = 0; i < p->nendorsers; i++)
    eckey_free(p->endorsers[i]);
  for (i = 0; i < p->nmodules; i++) {
    pfs_wipe(p->modules[i].secret, p->modules[i].secret_len);
    free(p->modules[i].secret);
  }
  pfs_wipe(p, sizeof *p);
  free(p);
}

/* PATH relative to the policy file's directory unless absolute. */
static void resolve_path(const char *policy, const char *path, char *out,
                         size_t size) {
  const char *slash = strrchr(policy, '/');
  if (path[0] == '/' || slash == NULL)
    snprintf(out, size, "%s", path);
  else
    snprintf(out, size, "%.*s/%s", (int)(slash - policy), policy, path);
}

static int read_secret_file(const char *path, struct policy_module *m,
                            char *err, size_t errlen) {
  uint8_t buf[ATTEST_MAX_SECRET + 1];
  size_t n;
  FILE *f = measure_fopen_regular(path);
  if (f == NULL) {
    snprintf(err, errlen, "%s: %s", path, measure_open_error(errno));
    return -1;
  }
  n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  if (n == 0 || n > ATTEST_MAX_SECRET) {
    snprintf(err, errlen, "%s: a secret must hold 1 to %d bytes", path,
             ATTEST_MAX_SECRET);
    pfs_wipe(buf, sizeof buf);
    return -1;
  }
  m->secret = malloc(n);
  if (m->secret == NULL) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  memcpy(m->secret, buf, n);
  m->secret_len = n;
  pfs_wipe(buf, sizeof buf);
  return 0;
}

static int parse_secret_hex(const char *hex, struct policy_module *m, char *err,
                            size_t errlen) {
  size_t n = strlen(hex) / 2;
  if (n == 0 || n > ATTEST_MAX_SECRET || strlen(hex) % 2 != 0 ||
      (m->secret = malloc(n)) == NULL ||
      measure_unhex(hex, strlen(hex), m->secret, n)) {
    snprintf(err, errlen, "secret: want 2 to %d hex digits",
             2 * ATTEST_MAX_SECRET);
    return -1;
  }
  m->secret_len = n;
  return 0;
}

/* "any" or a SHA-256 in hex, into a list. */
static int add_hash(const char *word, int *any, int *set, uint8_t (*list)[32],
                    size_t *n, char *err, size_t errlen) {
  *set = 1;
  if (strcmp(word, "any") == 0) {
    *any = 1;
    return 0;
  }
  if (*n >= POLICY_MAX_ENTRIES ||
      measure_unhex(word, strlen(word), list[*n], 32) != 0) {
    snprintf(err, errlen, "want 'any' or a SHA-256 (64 hex digits), got '%s'",
             word);
    return -1;
  }
  (*n)++;
  return 0;
}

/* One directive: words w[0..nw). */
static int directive(struct attest_policy *p, const char *policy, char **w,
                     int nw, char *err, size_t errlen) {
  char path[4096];
  const char *d = w[0];
  if (strcmp(d, "endorser") == 0 && nw == 2) {
    if (p->nendorsers >= POLICY_MAX_ENTRIES)
      return snprintf(err, errlen, "too many endorsers"), -1;
    uint8_t raw[ECKEY_PUBLIC_BYTES];
    resolve_path(policy, w[1], path, sizeof path);
    if (eckey_load_public(path, &p->endorsers[p->nendorsers], err, errlen) != 0)
      return -1;
    eckey_public_raw(p->endorsers[p->nendorsers], raw);
    measure_bytes(raw, sizeof raw, p->endorser_kids[p->nendorsers]);
    p->nendorsers++;
    return 0;
  }
  if (strcmp(d, "deny-ueid") == 0 && nw == 2) {
    if (p->ndeny >= POLICY_MAX_ENTRIES ||
        measure_unhex(w[1], strlen(w[1]), p->deny[p->ndeny],
                      ATTEST_UEID_BYTES) != 0)
      return snprintf(err, errlen, "deny-ueid wants 66 hex digits"), -1;
    p->ndeny++;
    return 0;
  }
  if (strcmp(d, "runtime") == 0 && nw == 2)
    return add_hash(w[1], &p->runtime_any, &p->runtime_set, p->runtimes,
                    &p->nruntimes, err, errlen);
  if (strcmp(d, "config") == 0 && nw == 2)
    return add_hash(w[1], &p->config_any, &p->config_set, p->configs,
                    &p->nconfigs, err, errlen);
  if (strcmp(d, "module") == 0 && nw == 4) {
    struct policy_module *m = &p->modules[p->nmodules];
    if (p->nmodules >= POLICY_MAX_ENTRIES ||
        measure_unhex(w[1], strlen(w[1]), m->hash, 32))
      return snprintf(err, errlen, "module wants a SHA-256 (64 hex digits)"),
             -1;
    if (strcmp(w[2], "secret") == 0) {
      if (parse_secret_hex(w[3], m, err, errlen) != 0)
        return -1;
    } else if (strcmp(w[2], "secret-file") == 0) {
      resolve_path(policy, w[3], path, sizeof path);
      if (read_secret_file(path, m, err, errlen) != 0)
        return -1;
    } else {
      return snprintf(err, errlen, "module HASH secret HEX | secret-file F"),
             -1;
    }
    p->nmodules++;
    return 0;
  }
  if (strcmp(d, "allow-software-rot") == 0 && nw == 2 &&
      (strcmp(w[1], "yes") == 0 || strcmp(w[1], "no") == 0)) {
    p->allow_software_rot = strcmp(w[1], "yes") == 0;
    return 0;
  }
  if (strcmp(d, "allow-rot-kind") == 0 && nw == 2) {
    if (strlen(w[1]) >= sizeof p->rot_kinds[0] ||
        strcmp(w[1], "software") == 0 ||
        p->nrot_kinds == sizeof p->rot_kinds / sizeof p->rot_kinds[0])
      return snprintf(err, errlen,
                      "allow-rot-kind KIND: at most 8 kinds of 15 characters "
                      "(software: allow-software-rot)"),
             -1;
    snprintf(p->rot_kinds[p->nrot_kinds++], sizeof p->rot_kinds[0], "%s", w[1]);
    return 0;
  }
  if (strcmp(d, "iat-skew") == 0 && nw == 2) {
    char *end;
    long v = strtol(w[1], &end, 10);
    if (*end != '\0' || v < 0 || v > 86400)
      return snprintf(err, errlen, "iat-skew wants 0..86400 seconds"), -1;
    p->iat_skew = v;
    return 0;
  }
  snprintf(err, errlen, "unknown or malformed directive '%s'", d);
  return -1;
}

int attest_policy_load(const char *path, struct attest_policy **out,
                       void (*warn)(void *user, const char *text), void *user,
                       char *err, size_t errlen) {
  struct attest_policy *p = calloc(1, sizeof *p);
  char line[8192 + 256], why[4096 + 512];
  unsigned lineno = 0;
  FILE *f;

  *out = NULL;
  if (p == NULL) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  p->iat_skew = POLICY_DEFAULT_SKEW;
  f = measure_fopen_regular(path);
  if (f == NULL) {
    snprintf(err, errlen, "%s: %s", path, measure_open_error(errno));
    attest_policy_free(p);
    return -1;
  }
  while (fgets(line, sizeof line, f) != NULL) {
    char *w[8], *tok, *save = NULL, *hash = strchr(line, '#');
    int nw = 0;
    lineno++;
    if (strchr(line, '\n') == NULL && !feof(f)) {
      snprintf(err, errlen, "%s:%u: line too long", path, lineno);
      goto fail;
    }
    if (hash != NULL)
      *hash = '\0';
    for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL && nw < 8;
         tok = strtok_r(NULL, " \t\r\n", &save))
      w[nw++] = tok;
    if (nw == 0)
      continue;
    if (directive(p, path, w, nw, why, sizeof why) != 0) {
      snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
      goto fail;
    }
  }
  fclose(f);
  f = NULL;
  if (p->nendorsers == 0 || p->nmodules == 0 || !p->runtime_set ||
      !p->config_set) {
    snprintf(err, errlen,
             "%s: needs at least one 'endorser', one 'module', and 'runtime' "
             "and 'config' lines (hashes or 'any')",
             path);
    goto fail;
  }
  if (warn != NULL && p->runtime_any)
    warn(user, "policy accepts any runtime measurement ('runtime any')");
  if (warn != NULL && p->config_any)
    warn(user, "policy accepts any configuration ('config any')");
  if (warn != NULL && p->allow_software_rot)
    warn(user, "policy accepts a SOFTWARE root of trust "
               "('allow-software-rot yes'): no hardware protects the device "
               "key");
  *out = p;
  return 0;
fail:
  if (f != NULL)
    fclose(f);
  attest_policy_free(p);
  return -1;
}

/* ---- appraisal ------------------------------------------------------------
 */

static int reject(struct attest_result *res, const char *reason) {
  res->accepted = 0;
  snprintf(res->reason, sizeof res->reason, "%s", reason);
  return -1;
}

static int listed(const uint8_t (*list)[32], size_t n, const uint8_t h[32]) {
  size_t i;
  for (i = 0; i < n; i++)
    if (!pfs_ct_differ(list[i], h, 32))
      return 1;
  return 0;
}

/* Step 3: the endorsement by a trusted endorser, the evidence signature by
** the endorsed key, the UEID and the deny-list. */
static int check_device(const struct attest_policy *p,
                        const struct cose_sign1 *ev,
                        const struct attest_claims *c,
                        struct attest_endorsement *e,
                        struct attest_result *res) {
  struct cose_sign1 en;
  struct eckey *device = NULL;
  uint8_t kid[32], ueid[ATTEST_UEID_BYTES];
  const char *why;
  size_t i;
  int endorsed = 0, rc;

  if (ev->attached == NULL ||
      cose_sign1_parse(ev->attached, ev->attached_len, &en, &why) != 0)
    return reject(res, "no valid endorsement attached to the evidence");
  /* The endorsement's kid, when present, must name the endorser: no
  ** unsigned byte goes unchecked. */
  for (i = 0; i < p->nendorsers && !endorsed; i++)
    endorsed =
        (en.kid == NULL || (en.kid_len == 32 &&
                            !pfs_ct_differ(en.kid, p->endorser_kids[i], 32))) &&
        cose_sign1_verify(&en, p->endorsers[i]) == 0;
  if (!endorsed)
    return reject(res, "device not endorsed by a trusted endorser");
  if (attest_endorsement_decode(en.payload, en.payload_len, e, &why) != 0)
    return reject(res, "endorsement payload malformed");
  if (eckey_from_public_raw(e->device_pub, &device) != 0)
    return reject(res, "endorsed device key is not a valid P-256 point");
  measure_bytes(e->device_pub, ECKEY_PUBLIC_BYTES, kid);
  rc = cose_sign1_verify(ev, device);
  eckey_free(device);
  if (ev->kid == NULL || ev->kid_len != 32 || pfs_ct_differ(ev->kid, kid, 32))
    return reject(res, "evidence key id does not name the endorsed device");
  if (rc != 0)
    return reject(res, "evidence signature does not verify");
  attest_ueid_of(e->device_pub, ueid);
  if (pfs_ct_differ(ueid, e->ueid, sizeof ueid) ||
      pfs_ct_differ(ueid, c->ueid, sizeof ueid))
    return reject(res, "ueid does not match the endorsed device");
  for (i = 0; i < p->ndeny; i++)
    if (!pfs_ct_differ(p->deny[i], ueid, sizeof ueid))
      return reject(res, "device ueid is deny-listed");
  return 0;
}

int attest_appraise(const struct attest_policy *p, const uint8_t *evidence,
                    size_t len, const uint8_t anchor[32], int64_t now,
                    struct attest_result *res, const uint8_t **secret,
                    size_t *secret_len) {
  struct cose_sign1 ev;
  struct attest_claims c;
  struct attest_endorsement e;
  const struct policy_module *module = NULL;
  const char *why;
  char reason[160];
  size_t i;

  *secret = NULL;
  *secret_len = 0;
  if (cose_sign1_parse(evidence, len, &ev, &why) != 0) {
    snprintf(reason, sizeof reason, "evidence is not a valid COSE_Sign1: %s",
             why);
    return reject(res, reason);
  }
  if (attest_claims_decode(ev.payload, ev.payload_len, &c, &why) != 0) {
    snprintf(reason, sizeof reason, "evidence claims: %s", why);
    return reject(res, reason);
  }
  measure_hex(c.ueid, sizeof c.ueid, res->ueid);
  measure_hex(c.module, 32, res->module);
  measure_hex(c.runtime, 32, res->runtime);
  measure_hex(c.config, 32, res->config);
  snprintf(res->rot_kind, sizeof res->rot_kind, "%s", c.rot_kind);
  /* 2. freshness: bound to this session's key exchange */
  if (pfs_ct_differ(c.nonce, anchor, 32))
    return reject(res, "evidence anchor does not match this session "
                       "(replayed evidence?)");
  /* 3. who signed it */
  if (check_device(p, &ev, &c, &e, res) != 0)
    return -1;
  /* 4. the profile */
  if (strcmp(c.profile, ATTEST_PROFILE) != 0)
    return reject(res, "unknown eat_profile");
  /* 5. measurements against the reference values */
  if (!p->runtime_any && !listed(p->runtimes, p->nruntimes, c.runtime))
    return reject(res, "runtime measurement mismatch");
  for (i = 0; i < p->nmodules && module == NULL; i++)
    if (!pfs_ct_differ(p->modules[i].hash, c.module, 32))
      module = &p->modules[i];
  if (module == NULL)
    return reject(res, "module measurement mismatch");
  if (!p->config_any && !listed(p->configs, p->nconfigs, c.config))
    return reject(res, "config measurement mismatch");
  /* 6. time */
  if (c.iat < now - p->iat_skew || c.iat > now + p->iat_skew)
    return reject(res, "iat outside the allowed skew (stale or future "
                       "evidence)");
  /* 7. the kind of root of trust */
  if (strcmp(c.rot_kind, e.rot_kind) != 0)
    return reject(res, "rot-kind differs from the endorsement");
  if (strcmp(c.rot_kind, "software") == 0 && !p->allow_software_rot)
    return reject(res, "rot-kind software not permitted by policy");
  if (strcmp(c.rot_kind, "software") != 0 && p->nrot_kinds > 0) {
    size_t k;
    for (k = 0; k < p->nrot_kinds; k++)
      if (strcmp(c.rot_kind, p->rot_kinds[k]) == 0)
        break;
    if (k == p->nrot_kinds)
      return reject(res, "rot-kind not among the policy's allow-rot-kind");
  }
  *secret = module->secret;
  *secret_len = module->secret_len;
  res->accepted = 1;
  return 0;
}
