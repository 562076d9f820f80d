/*
** cmd_verifier.c — `weft verifier` (the verifier and relying party of
** docs/attestation.md: appraises evidence, releases secrets) and
** `weft verify-account` (checks a signed --account record).
*/
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attest.h"
#include "cli.h"
#include "cose.h"
#include "measure.h"

#define MAX_SESSIONS 32    /* concurrent sessions (one process each) */
#define MAX_PER_PEER 4     /* default --max-per-peer */
#define SLOT_GRACE_MS 1000 /* a child past its deadline by this is killed */
#define REAP_POLL_MS 100   /* how often ended sessions' slots are freed */

void cli_usage_verifier(FILE *out) {
  fputs("usage: weft verifier --listen HOST:PORT --key VERIFIER.pem\n"
        "                     --policy FILE [--once] [--timeout-ms N]\n"
        "                     [--max-per-peer N]\n"
        "\n"
        "Serves attestation sessions (docs/attestation.md) until killed:\n"
        "appraises each attester's evidence against the policy and releases\n"
        "the module's secret only when it passes. Prints one Attestation\n"
        "Result line per session on stdout. PORT 0 picks a free port (the\n"
        "first line says which). --once serves one session and exits 0 when\n"
        "it released the secret, 1 otherwise.\n"
        "\n"
        "At most 32 sessions run at once. --timeout-ms N (default 10000) is\n"
        "each connection's handshake deadline, counted from accept: a peer\n"
        "still not done then is dropped and its slot freed. --max-per-peer N\n"
        "(default 4) caps the sessions one source address holds at once;\n"
        "a connection beyond it is closed at once (REJECT \"too many\n"
        "sessions from this address\").\n",
        out);
}

void cli_usage_verify_account(FILE *out) {
  fputs("usage: weft verify-account FILE (--device-pub P.pub |\n"
        "                               --endorser E.pub)\n"
        "\n"
        "Checks FILE.sig, the COSE_Sign1 `weft run --account FILE` writes\n"
        "when a device is configured: signed by the device key P, or by a\n"
        "device that the endorser E endorsed, over FILE's SHA-256.\n",
        out);
}

static void warn_policy(void *user, const char *text) {
  (void)user;
  cli_errorf("verifier: warning: %s", text);
}

static void print_result(const struct attest_result *r, const char *peer) {
  printf("attestation result: %s reason=\"%s\" peer=%s ueid=%s rot-kind=%s "
         "module=%s runtime=%s config=%s\n",
         r->accepted ? "ACCEPT" : "REJECT", r->reason, peer,
         r->ueid[0] ? r->ueid : "-", r->rot_kind[0] ? r->rot_kind : "-",
         r->module[0] ? r->module : "-", r->runtime[0] ? r->runtime : "-",
         r->config[0] ? r->config : "-");
  fflush(stdout);
}

/* "host:port" of a socket address. */
static void address_name(const struct sockaddr_storage *ss, char *out,
                         size_t size) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  snprintf(out, size, "%s:%d", host, port);
}

static void peer_name(int fd, char *out, size_t size) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
    ss.ss_family = AF_UNSPEC;
  address_name(&ss, out, size);
}

static int serve_one(int fd, const struct eckey *key,
                     const struct attest_policy *policy, int timeout) {
  struct attest_result res;
  char peer[80];
  peer_name(fd, peer, sizeof peer);
  attest_verifier_session(fd, key, policy, timeout, NULL, &res);
  print_result(&res, peer);
  return res.accepted ? 0 : 1;
}

static void print_listening(int lfd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  char name[80];
  memset(&ss, 0, sizeof ss);
  if (getsockname(lfd, (struct sockaddr *)&ss, &len) != 0)
    ss.ss_family = AF_UNSPEC;
  address_name(&ss, name, sizeof name);
  printf("weft verifier: listening on %s\n", name);
  fflush(stdout);
}

/* {====================================================================
** The session slots. A slot is a child process serving one connection;
** no peer can hold one past its handshake deadline (the child gives up
** then, and the parent kills it a grace period later), one source address
** holds at most max_per_peer of them, a full server makes room for an
** address with fewer sessions (evict_for), and the accept loop only ever
** waits in poll(), so no peer can stall it.
** ===================================================================== */

struct slot {
  pid_t pid; /* 0: free */
  struct sockaddr_storage addr;
  int64_t deadline; /* attest_now_ms() after which the child is killed */
};

struct server {
  int lfd;
  const struct eckey *key;
  const struct attest_policy *policy;
  int timeout;           /* the handshake deadline, ms from accept */
  uint32_t max_per_peer; /* sessions at once from one source address */
  struct slot slots[MAX_SESSIONS];
  int running;
};

/* Same source host (ports differ between connections). */
static int same_host(const struct sockaddr_storage *a,
                     const struct sockaddr_storage *b) {
  if (a->ss_family != b->ss_family)
    return 0;
  if (a->ss_family == AF_INET)
    return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
           ((const struct sockaddr_in *)b)->sin_addr.s_addr;
  if (a->ss_family == AF_INET6)
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                  &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
  return 1; /* unknown families share one budget */
}

static uint32_t sessions_from(const struct server *s,
                              const struct sockaddr_storage *addr) {
  uint32_t n = 0;
  for (int i = 0; i < MAX_SESSIONS; i++)
    n += s->slots[i].pid != 0 && same_host(&s->slots[i].addr, addr);
  return n;
}

/* Frees the slots of children that have exited. */
static void reap(struct server *s) {
  pid_t pid;
  while (s->running > 0 && (pid = waitpid(-1, NULL, WNOHANG)) > 0)
    for (int i = 0; i < MAX_SESSIONS; i++)
      if (s->slots[i].pid == pid) {
        s->slots[i].pid = 0;
        s->running--;
      }
}

/* Kills children past their deadline (a child stuck anywhere); reap()
** frees their slots. Returns the ms until the next deadline (cap: 1 s). */
static int kill_overdue(struct server *s) {
  int64_t now = attest_now_ms(), next = now + 1000;
  for (int i = 0; i < MAX_SESSIONS; i++) {
    if (s->slots[i].pid == 0)
      continue;
    if (s->slots[i].deadline <= now)
      kill(s->slots[i].pid, SIGKILL);
    else if (s->slots[i].deadline < next)
      next = s->slots[i].deadline;
  }
  return next > now ? (int)(next - now) : 1;
}

/* The Attestation Result of a connection the server itself dropped. */
static void log_dropped(const struct sockaddr_storage *addr, const char *why) {
  struct attest_result res;
  char peer[80];
  memset(&res, 0, sizeof res);
  snprintf(res.reason, sizeof res.reason, "%s", why);
  address_name(addr, peer, sizeof peer);
  print_result(&res, peer);
}

/* With every slot taken, a connection from an address holding fewer
** sessions than the busiest address by two or more takes the oldest slot
** of that address: many connections from a few addresses cannot lock out
** a new one. Returns 0 when a slot was freed, -1 when the slots are
** shared fairly already. */
static int evict_for(struct server *s, const struct sockaddr_storage *addr) {
  uint32_t mine = sessions_from(s, addr), most = 0;
  int victim = -1;
  for (int i = 0; i < MAX_SESSIONS; i++) {
    uint32_t n = s->slots[i].pid != 0 ? sessions_from(s, &s->slots[i].addr) : 0;
    if (n > most || (n == most && victim >= 0 &&
                     s->slots[i].deadline < s->slots[victim].deadline)) {
      most = n;
      victim = i;
    }
  }
  if (victim < 0 || mine + 1 >= most)
    return -1;
  kill(s->slots[victim].pid, SIGKILL);
  waitpid(s->slots[victim].pid, NULL, 0); /* SIGKILL: returns at once */
  s->slots[victim].pid = 0;
  s->running--;
  log_dropped(&s->slots[victim].addr,
              "evicted: its address held the most sessions");
  return 0;
}

/* A connection that gets no session: the reason is logged, then closed. */
static void turn_away(int fd, const struct sockaddr_storage *addr,
                      const char *why) {
  log_dropped(addr, why);
  close(fd);
}

static void start_session(struct server *s, int fd,
                          const struct sockaddr_storage *addr) {
  int i = 0;
  pid_t pid;
  while (s->slots[i].pid != 0) /* a free slot exists: running < max */
    i++;
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    close(s->lfd);
    _exit(serve_one(fd, s->key, s->policy, s->timeout));
  }
  if (pid < 0) {
    turn_away(fd, addr, "verifier cannot start a session (fork failed)");
    return;
  }
  s->slots[i].pid = pid;
  s->slots[i].addr = *addr;
  s->slots[i].deadline = attest_now_ms() + s->timeout + SLOT_GRACE_MS;
  s->running++;
  close(fd);
}

/* Takes one pending connection, if any (the listening socket does not
** block). Returns -1 on a fatal accept error. */
static int accept_one(struct server *s) {
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  int fd;
  memset(&addr, 0, sizeof addr);
  fd = accept(s->lfd, (struct sockaddr *)&addr, &len);
  if (fd < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
        errno == ECONNABORTED || errno == EMFILE || errno == ENFILE)
      return 0;
    cli_errorf("verifier: accept: %s", strerror(errno));
    return -1;
  }
  if (sessions_from(s, &addr) >= s->max_per_peer)
    turn_away(fd, &addr, "too many sessions from this address");
  else if (s->running < MAX_SESSIONS || evict_for(s, &addr) == 0)
    start_session(s, fd, &addr);
  else
    turn_away(fd, &addr, "verifier busy (every session slot taken)");
  return 0;
}

/* Until killed. Connections are taken as they come, even with every slot
** busy (evict_for decides then). */
static int serve_forever(struct server *s) {
  int flags = fcntl(s->lfd, F_GETFL);
  if (flags < 0 || fcntl(s->lfd, F_SETFL, flags | O_NONBLOCK) != 0) {
    cli_errorf("verifier: %s", strerror(errno));
    return CLI_EXIT_USAGE;
  }
  for (;;) {
    struct pollfd p = {s->lfd, POLLIN, 0};
    int wait;
    reap(s);
    wait = kill_overdue(s);
    if (poll(&p, 1, wait < REAP_POLL_MS ? wait : REAP_POLL_MS) > 0 &&
        accept_one(s) != 0)
      return CLI_EXIT_USAGE;
  }
}

/* }==================================================================== */

int cmd_verifier(int argc, char **argv) {
  const char *listen_at = NULL, *key_path = NULL, *policy_path = NULL;
  struct attest_policy *policy = NULL;
  struct eckey *key = NULL;
  char err[4608];
  uint32_t per_peer = MAX_PER_PEER;
  int i, once = 0, timeout = ATTEST_TIMEOUT_MS, lfd, rc;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--once") == 0)
      once = 1;
    else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      cli_usage_verifier(stdout);
      return CLI_EXIT_OK;
    } else if (i + 1 < argc && strcmp(argv[i], "--listen") == 0)
      listen_at = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--key") == 0)
      key_path = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--policy") == 0)
      policy_path = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--timeout-ms") == 0) {
      uint32_t v;
      if (cli_parse_u32(argv[++i], &v) != 0 || v == 0 || v > 600000) {
        cli_errorf("invalid value '%s' for --timeout-ms", argv[i]);
        return CLI_EXIT_USAGE;
      }
      timeout = (int)v;
    } else if (i + 1 < argc && strcmp(argv[i], "--max-per-peer") == 0) {
      if (cli_parse_u32(argv[++i], &per_peer) != 0 || per_peer == 0 ||
          per_peer > MAX_SESSIONS) {
        cli_errorf("invalid value '%s' for --max-per-peer (1 to %d)", argv[i],
                   MAX_SESSIONS);
        return CLI_EXIT_USAGE;
      }
    } else {
      cli_errorf("verifier: unexpected '%s' (try 'weft help verifier')",
                 argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  if (listen_at == NULL || key_path == NULL || policy_path == NULL) {
    cli_errorf("verifier needs --listen HOST:PORT, --key VERIFIER.pem and "
               "--policy FILE");
    return CLI_EXIT_USAGE;
  }
  if (eckey_load_private(key_path, &key, err, sizeof err) != 0) {
    cli_errorf("--key %s", err);
    return CLI_EXIT_USAGE;
  }
  if (attest_policy_load(policy_path, &policy, warn_policy, NULL, err,
                         sizeof err) != 0) {
    cli_errorf("--policy %s", err);
    eckey_free(key);
    return CLI_EXIT_USAGE;
  }
  signal(SIGPIPE, SIG_IGN);
  lfd = cli_tcp_listen(listen_at);
  if (lfd < 0) {
    attest_policy_free(policy);
    eckey_free(key);
    return CLI_EXIT_USAGE;
  }
  print_listening(lfd);
  if (once) {
    int fd;
    do
      fd = accept(lfd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    rc = fd < 0 ? CLI_EXIT_USAGE : serve_one(fd, key, policy, timeout);
    if (fd >= 0)
      close(fd);
  } else {
    static struct server server; /* slots: zero */
    server.lfd = lfd;
    server.key = key;
    server.policy = policy;
    server.timeout = timeout;
    server.max_per_peer = per_peer;
    rc = serve_forever(&server);
  }
  close(lfd);
  attest_policy_free(policy);
  eckey_free(key);
  return rc;
}

/* ---- verify-account ------------------------------------------------------ */

/* The device key that signed: given, or taken from an endorsement the
** endorser signed. */
static struct eckey *signer_key(const struct cose_sign1 *sig,
                                const char *device_pub, const char *endorser,
                                char *err, size_t errlen) {
  struct eckey *key = NULL, *e = NULL;
  struct cose_sign1 en;
  struct attest_endorsement end;
  const char *why;
  if (device_pub != NULL) {
    if (eckey_load_public(device_pub, &key, err, errlen) != 0)
      return NULL;
    return key;
  }
  if (eckey_load_public(endorser, &e, err, errlen) != 0)
    return NULL;
  if (sig->attached == NULL ||
      cose_sign1_parse(sig->attached, sig->attached_len, &en, &why) != 0 ||
      cose_sign1_verify(&en, e) != 0 ||
      attest_endorsement_decode(en.payload, en.payload_len, &end, &why) != 0 ||
      eckey_from_public_raw(end.device_pub, &key) != 0) {
    snprintf(err, errlen, "the signing device is not endorsed by %s", endorser);
    key = NULL;
  }
  eckey_free(e);
  return key;
}

int cmd_verify_account(int argc, char **argv) {
  const char *file = NULL, *device_pub = NULL, *endorser = NULL;
  char sig_path[4096], err[4608], rot[16], hex[65];
  uint8_t *sig_bytes = NULL, digest[32], signed_digest[32], kid[32];
  uint8_t pub[ECKEY_PUBLIC_BYTES];
  size_t sig_len = 0;
  struct cose_sign1 sig;
  struct eckey *key = NULL;
  const char *why;
  int i, rc = CLI_EXIT_LOAD;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      cli_usage_verify_account(stdout);
      return CLI_EXIT_OK;
    } else if (i + 1 < argc && strcmp(argv[i], "--device-pub") == 0)
      device_pub = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--endorser") == 0)
      endorser = argv[++i];
    else if (argv[i][0] != '-' && file == NULL)
      file = argv[i];
    else {
      cli_errorf("verify-account: unexpected '%s'", argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  if (file == NULL || (device_pub == NULL) == (endorser == NULL)) {
    cli_errorf("verify-account needs FILE and one of --device-pub P.pub or "
               "--endorser E.pub");
    return CLI_EXIT_USAGE;
  }
  snprintf(sig_path, sizeof sig_path, "%s.sig", file);
  if (measure_file(file, digest) != 0) {
    cli_errorf("%s: %s", file, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  if (cli_read_file(sig_path, ATTEST_MAX_FRAME, &sig_bytes, &sig_len) !=
      CLI_EXIT_OK)
    return CLI_EXIT_USAGE;
  if (cose_sign1_parse(sig_bytes, sig_len, &sig, &why) != 0) {
    cli_errorf("%s: %s", sig_path, why);
    goto done;
  }
  key = signer_key(&sig, device_pub, endorser, err, sizeof err);
  if (key == NULL) {
    cli_errorf("%s", err);
    goto done;
  }
  if (cose_sign1_verify(&sig, key) != 0) {
    cli_errorf("%s: signature does not verify with the device key", sig_path);
    goto done;
  }
  if (attest_account_decode(sig.payload, sig.payload_len, signed_digest, rot,
                            sizeof rot, &why) != 0) {
    cli_errorf("%s: %s", sig_path, why);
    goto done;
  }
  if (memcmp(signed_digest, digest, 32) != 0) {
    cli_errorf("%s: the record was changed after it was signed", file);
    goto done;
  }
  eckey_public_raw(key, pub);
  measure_bytes(pub, sizeof pub, kid);
  measure_hex(kid, sizeof kid, hex);
  printf("%s: signature valid (device key sha256:%s); root of trust: %s%s\n",
         file, hex, rot,
         strcmp(rot, "software") == 0 ? " (the key is a file; no TEE)" : "");
  rc = CLI_EXIT_OK;
done:
  eckey_free(key);
  free(sig_bytes);
  return rc;
}
