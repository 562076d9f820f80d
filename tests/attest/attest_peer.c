/*
** attest_peer.c — hostile peers for tests/attest/run.sh, on the services'
** own handshake code with its test hooks (struct attest_hooks):
**   attest ADDR DEVDIR VPUB MODULE MODE
**       one attester session doing MODE: plain, sig-flip, payload-flip,
**       stale-iat, wrong-profile, replay-evidence, replay-msg2, oversize,
**       truncate-msg2, garbage-msg0; prints "accepted: N bytes" (exit 0)
**       or "refused: REASON" (exit 1)
**   fuzz-verifier ADDR DEVDIR VPUB MODULE N SEED
**       N sessions, each with one randomly mutated msg0/evidence/msg2,
**       then a plain one that must succeed
**   fuzz-attester DEVDIR VKEY VPUB POLICY MODULE N SEED
**       a forked verifier mutating msg1/msg3 of N sessions; all must fail
**   rogue-verifier VKEY POLICY N SEED [silent]
**       prints "listening on PORT", serves N sessions mutating msg1/msg3
**       (or, silent, answering nothing), for `weft run --attest`
**   silent ADDR MS   connects and sends nothing for MS milliseconds
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attest.h"
#include "cose.h"
#include "measure.h"
#include "pfs_crypto.h"

struct peer {
  const char *mode;
  int stage;     /* the stage to mutate, -1 none */
  unsigned seed; /* for random mutations */
  uint8_t saved[ATTEST_MAX_FRAME];
  size_t saved_len;
  int capture, replay; /* the replay modes' two sessions */
};

static unsigned next_rand(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return *s >> 8;
}

/* One random mutation that always changes the bytes: a bit flip,
** truncation, extension, an oversized frame (frame stages only), a byte
** changed, or all bytes random. */
static void mutate_random(unsigned *seed, int frame, uint8_t *buf, size_t *len,
                          size_t cap) {
  size_t k, n = *len;
  switch (next_rand(seed) % 6) {
  case 0: /* (one flip: two could cancel out) */
    buf[next_rand(seed) % n] ^= (uint8_t)(1u << next_rand(seed) % 8);
    break;
  case 1: *len = next_rand(seed) % n; break;
  case 2:
    for (k = 0; k < 1 + next_rand(seed) % 8 && *len < cap; k++)
      buf[(*len)++] = (uint8_t)next_rand(seed);
    break;
  case 3:
    if (frame && cap > ATTEST_MAX_FRAME) {
      *len = ATTEST_MAX_FRAME + 1 + next_rand(seed) % (cap - ATTEST_MAX_FRAME);
      for (k = n; k < *len; k++)
        buf[k] = (uint8_t)next_rand(seed);
      break;
    }
    /* fall through */
  case 4: /* a byte changed, never to itself */
    buf[next_rand(seed) % n] ^= (uint8_t)(1 + next_rand(seed) % 255);
    break;
  default:
    for (k = 0; k < n; k++)
      buf[k] = (uint8_t)next_rand(seed);
  }
}

/* The attester modes as a hook. */
static void attester_mutate(void *user, int stage, uint8_t *buf, size_t *len,
                            size_t cap) {
  struct peer *p = user;
  const char *m = p->mode;
  struct cose_sign1 cs;
  const char *why;

  if (strcmp(m, "fuzz") == 0) {
    if (stage == p->stage)
      mutate_random(&p->seed, stage < ATTEST_STAGE_CLAIMS, buf, len, cap);
    return;
  }
  if (stage == ATTEST_STAGE_EVIDENCE && strcmp(m, "sig-flip") == 0)
    buf[*len - 7] ^= 0x10; /* inside the 64-byte signature at the end */
  if (stage == ATTEST_STAGE_EVIDENCE && strcmp(m, "payload-flip") == 0 &&
      cose_sign1_parse(buf, *len, &cs, &why) == 0)
    buf[(size_t)(cs.payload - buf) + cs.payload_len - 2] ^= 0x01;
  if ((stage == ATTEST_STAGE_EVIDENCE && strcmp(m, "replay-evidence") == 0) ||
      (stage == 2 && strcmp(m, "replay-msg2") == 0)) {
    if (p->capture) {
      memcpy(p->saved, buf, *len);
      p->saved_len = *len;
    } else if (p->replay && p->saved_len <= cap) {
      memcpy(buf, p->saved, p->saved_len);
      *len = p->saved_len;
    }
  }
  if (stage == 0 && strcmp(m, "oversize") == 0) {
    memset(buf + *len, 0xa5, cap - *len);
    *len = cap;
  }
  if (stage == 2 && strcmp(m, "truncate-msg2") == 0)
    *len /= 2;
  if (stage == 0 && strcmp(m, "garbage-msg0") == 0)
    memset(buf, 0x5f, *len);
}

static void attester_claims(void *user, struct attest_claims *c) {
  struct peer *p = user;
  if (strcmp(p->mode, "stale-iat") == 0)
    c->iat -= 3600;
  if (strcmp(p->mode, "wrong-profile") == 0)
    snprintf(c->profile, sizeof c->profile, "tag:example.org,2025:other");
}

struct attester {
  struct attest_backend be;
  struct eckey *pinned;
  struct attest_client_config cfg;
  struct attest_hooks hooks;
  struct peer peer;
};

static int attester_open(struct attester *a, const char *dev, const char *vpub,
                         const char *module) {
  char err[512];
  memset(a, 0, sizeof *a);
  if (attest_software_open(dev, &a->be, err, sizeof err) != 0 ||
      eckey_load_public(vpub, &a->pinned, err, sizeof err) != 0 ||
      measure_file(module, a->cfg.module) != 0) {
    fprintf(stderr, "attest_peer: %s\n", err);
    return -1;
  }
  a->cfg.backend = &a->be;
  a->cfg.pinned = a->pinned;
  a->cfg.runtime_version = "attest_peer";
  a->cfg.timeout_ms = 5000;
  a->hooks.mutate = attester_mutate;
  a->hooks.edit_claims = attester_claims;
  a->hooks.user = &a->peer;
  a->cfg.hooks = &a->hooks;
  a->peer.stage = -1;
  return 0;
}

static void attester_close(struct attester *a) {
  attest_software_close(&a->be);
  eckey_free(a->pinned);
}

/* One session; 0 when a secret came back. */
static int session(struct attester *a, const char *addr, char *err,
                   size_t errlen) {
  uint8_t *secret = NULL;
  size_t len = 0;
  int fd = attest_connect(addr, 5000, err, errlen), rc;
  if (fd < 0)
    return -1;
  rc = attest_client_run(fd, &a->cfg, &secret, &len, err, errlen);
  close(fd);
  if (rc == 0) {
    snprintf(err, errlen, "%zu bytes", len);
    pfs_wipe(secret, len);
    free(secret);
  }
  return rc;
}

static int cmd_attest(char **argv) {
  struct attester a;
  char err[512];
  int rc;
  if (attester_open(&a, argv[1], argv[2], argv[3]) != 0)
    return 2;
  a.peer.mode = argv[4];
  if (strncmp(argv[4], "replay-", 7) == 0) { /* a first, recorded session */
    a.peer.capture = 1;
    rc = session(&a, argv[0], err, sizeof err);
    printf("first session: %s: %s\n", rc == 0 ? "accepted" : "refused", err);
    a.peer.capture = 0;
    a.peer.replay = 1;
  }
  rc = session(&a, argv[0], err, sizeof err);
  printf("%s: %s\n", rc == 0 ? "accepted" : "refused", err);
  attester_close(&a);
  return rc == 0 ? 0 : 1;
}

static int cmd_fuzz_verifier(char **argv) {
  struct attester a;
  char err[512];
  long i, n = atol(argv[4]);
  long refused = 0, accepted = 0, empty = 0;
  int final;
  if (attester_open(&a, argv[1], argv[2], argv[3]) != 0)
    return 2;
  a.peer.mode = "fuzz";
  a.peer.seed = (unsigned)atol(argv[5]);
  for (i = 0; i < n; i++) {
    static const int stages[] = {0, 2, ATTEST_STAGE_EVIDENCE};
    a.peer.stage = stages[next_rand(&a.peer.seed) % 3];
    err[0] = '\0';
    if (session(&a, argv[0], err, sizeof err) == 0) {
      accepted++;
      printf("ACCEPTED mutated session %ld (stage %d)\n", i, a.peer.stage);
    } else {
      refused++;
      empty += err[0] == '\0';
    }
  }
  a.peer.mode = "plain";
  a.peer.stage = -1;
  final = session(&a, argv[0], err, sizeof err);
  printf("fuzz-verifier: %ld refused, %ld accepted, %ld without a reason; "
         "final plain session: %s (%s)\n",
         refused, accepted, empty, final == 0 ? "accepted" : "refused", err);
  attester_close(&a);
  return accepted == 0 && empty == 0 && final == 0 ? 0 : 1;
}

/* ---- hostile verifiers ------------------------------------------------------
 */

struct rogue {
  unsigned seed;
  int stage;
};

static void verifier_mutate(void *user, int stage, uint8_t *buf, size_t *len,
                            size_t cap) {
  struct rogue *r = user;
  if (stage == r->stage)
    mutate_random(&r->seed, 1, buf, len, cap);
}

static int listen_any(int *port) {
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
      listen(fd, 64) != 0 || getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
    return -1;
  *port = ntohs(sa.sin_port);
  return fd;
}

/* Serves n sessions on lfd, each mutating msg1 or msg3. */
static int serve_rogue(int lfd, const char *vkey, const char *policy_path,
                       long n, unsigned seed, int silent) {
  struct eckey *key = NULL;
  struct attest_policy *policy = NULL;
  struct rogue r = {seed, -1};
  struct attest_hooks hooks = {verifier_mutate, NULL, &r};
  char err[4608];
  long i;
  if (eckey_load_private(vkey, &key, err, sizeof err) != 0 ||
      attest_policy_load(policy_path, &policy, NULL, NULL, err, sizeof err)) {
    fprintf(stderr, "attest_peer: %s\n", err);
    return 2;
  }
  for (i = 0; i < n; i++) {
    struct attest_result res;
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
      continue;
    if (silent) { /* read until the attester gives up */
      char buf[256];
      while (read(fd, buf, sizeof buf) > 0)
        ;
    } else {
      r.stage = next_rand(&r.seed) % 2 ? 1 : 3;
      attest_verifier_session(fd, key, policy, 5000, &hooks, &res);
    }
    close(fd);
  }
  attest_policy_free(policy);
  eckey_free(key);
  return 0;
}

static int cmd_rogue_verifier(char **argv, int argc) {
  int port, lfd = listen_any(&port);
  if (lfd < 0)
    return 2;
  printf("listening on %d\n", port);
  fflush(stdout);
  return serve_rogue(lfd, argv[0], argv[1], atol(argv[2]),
                     (unsigned)atol(argv[3]),
                     argc > 4 && strcmp(argv[4], "silent") == 0);
}

static int cmd_fuzz_attester(char **argv) {
  struct attester a;
  char addr[64], err[512];
  long i, n = atol(argv[5]), refused = 0, accepted = 0, empty = 0;
  int port, lfd = listen_any(&port), status = 0;
  pid_t pid;
  if (lfd < 0)
    return 2;
  pid = fork();
  if (pid == 0)
    _exit(serve_rogue(lfd, argv[1], argv[3], n, (unsigned)atol(argv[6]), 0));
  close(lfd);
  if (attester_open(&a, argv[0], argv[2], argv[4]) != 0)
    return 2;
  a.peer.mode = "plain";
  snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
  for (i = 0; i < n; i++) {
    err[0] = '\0';
    if (session(&a, addr, err, sizeof err) == 0) {
      accepted++;
      printf("ACCEPTED a mutated msg1/msg3 (session %ld)\n", i);
    } else {
      refused++;
      empty += err[0] == '\0';
    }
  }
  waitpid(pid, &status, 0);
  printf("fuzz-attester: %ld refused, %ld accepted, %ld without a reason; "
         "rogue verifier exit %d\n",
         refused, accepted, empty,
         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  attester_close(&a);
  return accepted == 0 && empty == 0 && WIFEXITED(status) &&
                 WEXITSTATUS(status) == 0
             ? 0
             : 1;
}

int main(int argc, char **argv) {
  if (argc == 7 && strcmp(argv[1], "attest") == 0)
    return cmd_attest(argv + 2);
  if (argc == 8 && strcmp(argv[1], "fuzz-verifier") == 0)
    return cmd_fuzz_verifier(argv + 2);
  if (argc == 9 && strcmp(argv[1], "fuzz-attester") == 0)
    return cmd_fuzz_attester(argv + 2);
  if ((argc == 6 || argc == 7) && strcmp(argv[1], "rogue-verifier") == 0)
    return cmd_rogue_verifier(argv + 2, argc - 2);
  if (argc == 4 && strcmp(argv[1], "silent") == 0) {
    char err[256];
    int fd = attest_connect(argv[2], 5000, err, sizeof err);
    if (fd < 0)
      return 2;
    usleep((useconds_t)atol(argv[3]) * 1000);
    close(fd);
    return 0;
  }
  fprintf(stderr, "usage: see the head of tests/attest/attest_peer.c\n");
  return 2;
}
