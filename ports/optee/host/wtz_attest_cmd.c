/*
** wtz_attest_cmd.c — weft-tz's attestation commands (docs/trustzone.md,
** Attestation). The normal world is only a relay here: it hands the TA's
** frames to `weft verifier` and the verifier's to the TA, and learns
** nothing it could use (the evidence is signed and MACed in the TA, the
** secret is AES-GCM under a key only the TA and the verifier hold).
**
**   weft-tz attest-key
**       prints "ta-key HEX" (the TA's attestation public key, 65 bytes,
**       made in the TA on first use) and "ta-measurement HEX".
**   weft-tz attest-provision ENDORSEMENT.cose VERIFIER.raw
**       stores the endorsement of that key and the verifier's public key
**       (its 65-byte point: the key the TA pins) in the TA's secure storage.
**   weft-tz attest --relay DIR FILE.wasm
**       attests FILE to the verifier behind DIR, a mailbox directory: each
**       frame for the verifier is written as DIR/a2v.N (a temporary file
**       renamed), each answer read from DIR/v2a.N, which the host's bridge
**       (tests/tz/relay.py) exchanges with `weft verifier` over TCP. On
**       release prints "attestation: secret released into the TA, sha256
**       HEX", then runs FILE as a WASI program in the same session: the
**       TA gives it the secret in WEFT_ATTEST_SECRET (hex; the TA checks
**       the bytes it runs are the ones it measured) and the exit status is
**       the program's. Refused: prints the TA's reason and exits 1, running
**       nothing.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "weft.h"
#include "wtz_attest.h"
#include "wtz_backend.h"

#define RELAY_TIMEOUT_S 600 /* TCG emulation is slow: a whole handshake */

static void hex(const uint8_t *p, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = '\0';
}

static uint8_t *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = malloc(WTZ_ATT_ANSWER_MAX);
  if (!f || !buf) {
    if (f)
      fclose(f);
    free(buf);
    return NULL;
  }
  *n = fread(buf, 1, WTZ_ATT_ANSWER_MAX, f);
  fclose(f);
  return buf;
}

/* Prints the answer of a key step. */
static int print_key(const uint8_t *a, size_t n) {
  char h[2 * 65 + 1];
  if (n != 98 || a[0] != 'K')
    return -1;
  hex(a + 1, 65, h);
  printf("ta-key %s\n", h);
  hex(a + 66, 32, h);
  printf("ta-measurement %s\n", h);
  return 0;
}

static int failed(const uint8_t *a, size_t n) {
  if (n > 0 && a[0] == 'E')
    fprintf(stderr, "weft-tz: %.*s; the module was not run\n", (int)(n - 1),
            (const char *)a + 1);
  else
    fprintf(stderr, "weft-tz: unexpected answer from the TA\n");
  return 1;
}

/* Hands frame k to the bridge, waits for the answer. 0, or -1. */
static int relay(const char *dir, int k, const uint8_t *frame, size_t n,
                 uint8_t *answer, size_t *an) {
  char tmp[4200], path[4200];
  snprintf(tmp, sizeof tmp, "%s/.a2v.%d", dir, k);
  snprintf(path, sizeof path, "%s/a2v.%d", dir, k);
  FILE *f = fopen(tmp, "wb");
  if (!f || fwrite(frame, 1, n, f) != n || fclose(f) != 0 ||
      rename(tmp, path) != 0) {
    fprintf(stderr, "weft-tz: relay: cannot write %s\n", path);
    return -1;
  }
  snprintf(path, sizeof path, "%s/v2a.%d", dir, k);
  for (int waited = 0; waited < RELAY_TIMEOUT_S * 20; waited++) {
    if (access(path, F_OK) == 0) {
      uint8_t *b = slurp(path, an);
      if (!b || *an == 0) {
        free(b);
        fprintf(stderr, "weft-tz: relay: the verifier closed the connection\n");
        return -1;
      }
      memcpy(answer, b, *an);
      free(b);
      return 0;
    }
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fprintf(stderr, "weft-tz: relay: no answer in %s after %d s\n", dir,
          RELAY_TIMEOUT_S);
  return -1;
}

/* Runs the attested module as a WASI program in the session; its exit
** status (1 on a trap or error). */
static int run_module(wtz_handle *h, const char *file, const uint8_t *module,
                      size_t n) {
  static char out[128 * 1024];
  const char *base = strrchr(file, '/');
  base = base ? base + 1 : file;
  wtz_wasi req;
  memset(&req, 0, sizeof req);
  req.argc = 1;
  if (wtz_wasi_call(h, &req, module, n, base, strlen(base) + 1, out,
                    sizeof out) != 0)
    return 1;
  fwrite(out, 1, req.stdout_len, stdout);
  fflush(stdout);
  fwrite(out + req.stdout_len, 1, req.stderr_len, stderr);
  if (req.status == WEFT_OK)
    return 0;
  if (req.status == WEFT_ERR_EXIT)
    return req.exit_code & 0xff;
  fprintf(stderr, "weft-tz: %s\n", req.message);
  return 1;
}

static int attest(wtz_handle *h, const char *dir, const char *file) {
  size_t mn = 0, an = WTZ_ATT_ANSWER_MAX, vn;
  uint8_t *module = wtz_read_file(file, &mn);
  uint8_t *a = malloc(WTZ_ATT_ANSWER_MAX), *v = malloc(WTZ_ATT_ANSWER_MAX);
  int rc = 1;
  if (!module || !a || !v) {
    fprintf(stderr, "weft-tz: cannot read %s\n", file);
    goto done;
  }
  mkdir(dir, 0700);
  if (wtz_attest_call(h, WTZ_ATT_BEGIN, module, mn, NULL, 0, a, &an) != 0)
    goto done;
  for (int k = 0; an > 0 && a[0] == 'F'; k++) {
    vn = WTZ_ATT_ANSWER_MAX;
    if (relay(dir, k, a + 1, an - 1, v, &vn) != 0)
      goto done;
    an = WTZ_ATT_ANSWER_MAX;
    if (wtz_attest_call(h, WTZ_ATT_STEP, v, vn, NULL, 0, a, &an) != 0)
      goto done;
  }
  if (an == 33 && a[0] == 'S') {
    char hx[65];
    hex(a + 1, 32, hx);
    printf("attestation: secret released into the TA, sha256 %s\n", hx);
    fflush(stdout);
    rc = run_module(h, file, module, mn);
  } else {
    rc = failed(a, an);
  }
done:
  free(module);
  free(a);
  free(v);
  return rc;
}

int wtz_attest_main(int argc, char **argv) {
  uint8_t *a = malloc(WTZ_ATT_ANSWER_MAX), *e = NULL, *v = NULL;
  size_t an = WTZ_ATT_ANSWER_MAX, en = 0, vn = 0;
  wtz_handle *h = NULL;
  int rc = 2;
  if (!a)
    return 1;
  if (!strcmp(argv[0], "attest-key") && argc == 1) {
    rc = 1;
    if ((h = wtz_open(0)) != NULL &&
        wtz_attest_call(h, WTZ_ATT_KEY, NULL, 0, NULL, 0, a, &an) == 0)
      rc = print_key(a, an) == 0 ? 0 : failed(a, an);
  } else if (!strcmp(argv[0], "attest-provision") && argc == 3) {
    rc = 1;
    e = slurp(argv[1], &en);
    v = slurp(argv[2], &vn);
    if (!e || !v || en == 0 || vn != 65)
      fprintf(stderr, "weft-tz: cannot read %s or %s (65 bytes)\n", argv[1],
              argv[2]);
    else if ((h = wtz_open(0)) != NULL &&
             wtz_attest_call(h, WTZ_ATT_ENDORSE, e, en, v, vn, a, &an) == 0)
      rc = print_key(a, an) == 0 ? 0 : failed(a, an);
  } else if (!strcmp(argv[0], "attest") && argc == 4 &&
             !strcmp(argv[1], "--relay")) {
    rc = 1;
    if ((h = wtz_open(0)) != NULL)
      rc = attest(h, argv[2], argv[3]);
  }
  if (h)
    wtz_close(h);
  free(a);
  free(e);
  free(v);
  return rc;
}
