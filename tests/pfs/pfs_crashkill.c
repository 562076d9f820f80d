/*
** pfs_crashkill.c — SIGKILL crash test of the protected files with the
** version store (strict), through weft_pfs_fs() as `weft run` uses it.
**
** A child process rewrites one protected file over and over: version v
** has a size and bytes derived from v (5 KB .. 700 KB, so up to two MHT
** nodes, most nodes overwritten: the journal carries them), written in
** unaligned chunks, then fsync, close, and "v" sent to the parent through
** a pipe. The parent kills it with SIGKILL at a random point (after a
** random number of acknowledged versions plus a random delay of up to
** one version's time), then reopens the file in a fresh pfs with the
** store in strict mode and checks that it opens (the journal rolls an
** interrupted commit back; the store may lag the file, never lead it) and
** holds exactly version `acked` or `acked + 1`, byte for byte. Each kill
** is one counted check. A kill leaves the page cache intact, so this
** checks the order of the writes, not what a power cut would keep.
**
** usage: pfs_crashkill DIR STORE [KILLS]   (prints "N passed, N failed")
*/
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "pfs_test.h"
#include "pfs_vstore.h"

static const char *store_file;
static uint8_t key[32];
static int recovered;

static void on_report(void *user, const char *path, const char *what) {
  (void)user;
  (void)path;
  if (strstr(what, "recovered") != NULL)
    recovered++;
}

static uint64_t mix(uint64_t x) { /* splitmix64 */
  x += 0x9e3779b97f4a7c15u;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
  return x ^ (x >> 31);
}

#define MAX_SIZE 700000u
static size_t version_size(uint64_t v) { return 5000 + mix(v) % MAX_SIZE; }

/* Version v's bytes: the version number, then a stream seeded by v. */
static void version_bytes(uint64_t v, uint8_t *b, size_t n) {
  uint64_t s = mix(v ^ 0x5eed);
  size_t i;
  for (i = 0; i < n; i++) {
    if (i % 8 == 0)
      s = mix(s);
    b[i] = (uint8_t)(s >> (8 * (i % 8)));
  }
  for (i = 0; i < 8; i++)
    b[i] = (uint8_t)(v >> (8 * i));
}

struct env {
  weft_pfs_vstore *store;
  weft_pfs *p;
};

static int env_open(struct env *e, int strict) {
  weft_pfs_freshness fr;
  char err[256];

  if (weft_pfs_vstore_open(store_file, key, !strict, &e->store, err,
                           sizeof err) != 0) {
    fprintf(stderr, "store: %s\n", err);
    return -1;
  }
  if (weft_pfs_vstore_bind(e->store, "/p", &fr) != 0)
    exit(2);
  e->p = new_pfs(key, on_report, 0, &fr, strict);
  return 0;
}

static void env_close(struct env *e) {
  weft_pfs_free(e->p);
  weft_pfs_vstore_free(e->store);
}

/* Writes version v of "k" in unaligned chunks, then fsync and close. */
static int write_version(weft_pfs *p, uint64_t v, uint8_t *buf) {
  size_t n = version_size(v), off = 0;
  uint64_t s = mix(v * 7 + 1);
  weft_wasi_file *root, *f;
  weft_wasi_errno e;

  version_bytes(v, buf, n);
  e = pf_open(p, &root, "k",
              WEFT_WASI_OPEN_CREAT | WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE,
              &f);
  if (e != 0)
    return e;
  while (off < n && e == 0) {
    size_t len = 1 + (size_t)((s = mix(s)) % 150000);
    if (len > n - off)
      len = n - off;
    e = pf_pwrite(p, f, buf + off, len, off);
    off += len;
  }
  if (e == 0)
    e = fs->set_size(p, f, n);
  if (e == 0)
    e = fs->sync(p, f, 0);
  return pf_close(p, root, f, e);
}

/* The version held by "k" when its bytes are exactly one version's;
** -1 when unreadable, -2 when the bytes match no version. */
static int64_t read_version(weft_pfs *p, uint8_t *got, uint8_t *want) {
  size_t n;
  uint64_t v = 0;
  if (pf_read_all(p, "k", got, MAX_SIZE + 5001, &n) != 0)
    return -1;
  if (n < 8)
    return -2;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | got[i];
  if (v > (uint64_t)1 << 40 || n != version_size(v))
    return -2;
  version_bytes(v, want, n);
  return memcmp(got, want, n) == 0 ? (int64_t)v : -2;
}

static void child(int wfd, uint64_t from) {
  static uint8_t buf[MAX_SIZE + 5001];
  struct env e;
  uint64_t v;

  if (env_open(&e, 1) != 0)
    _exit(3);
  for (v = from + 1;; v++) {
    if (write_version(e.p, v, buf) != 0)
      _exit(4);
    if (write(wfd, &v, sizeof v) != sizeof v)
      _exit(5);
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  static uint8_t got[MAX_SIZE + 5001], want[MAX_SIZE + 5001];
  int kills = 200, k, at_acked = 0, at_next = 0;
  uint64_t acked = 0, rnd = (uint64_t)time(NULL);
  double per_version = 0.005; /* seconds, learnt as it runs */
  struct env e;

  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: pfs_crashkill DIR STORE [KILLS]\n");
    return 2;
  }
  test_init(argv[1]);
  store_file = argv[2];
  if (argc == 4)
    kills = atoi(argv[3]);
  for (int i = 0; i < 32; i++)
    key[i] = (uint8_t)(i * 13 + 7);
  if (getenv("PFS_CRASHKILL_SEED") != NULL)
    rnd = strtoull(getenv("PFS_CRASHKILL_SEED"), NULL, 0);
  printf("seed %llu (PFS_CRASHKILL_SEED)\n", (unsigned long long)rnd);
  fflush(stdout);

  /* version 0, and a store (strict from here on) that knows it */
  if (env_open(&e, 0) != 0)
    return 2;
  CHECK(write_version(e.p, 0, want) == 0, "write version 0");
  env_close(&e);

  for (k = 0; k < kills; k++) {
    int pfd[2], status;
    uint64_t v, waits;
    double t0, delay;
    pid_t pid;
    int64_t held;

    if (pipe(pfd) != 0)
      return 2;
    pid = fork();
    if (pid < 0)
      return 2;
    if (pid == 0) {
      close(pfd[0]);
      child(pfd[1], acked);
    }
    close(pfd[1]);
    /* a random number of acknowledged versions, then a random delay */
    rnd = mix(rnd);
    waits = rnd % 3;
    delay = per_version * (double)(mix(rnd) % 1000) / 1000.0;
    t0 = now();
    for (uint64_t w = 0; w < waits; w++) {
      if (read(pfd[0], &v, sizeof v) != sizeof v)
        break;
      acked = v;
    }
    if (waits > 0) /* learn how long a version takes */
      per_version = 0.7 * per_version + 0.3 * (now() - t0) / (double)waits;
    if (delay > 0)
      nanosleep(&(struct timespec){0, (long)(delay * 1e9)}, NULL);
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
    while (read(pfd[0], &v, sizeof v) == sizeof v) /* acks before the kill */
      acked = v;
    close(pfd[0]);
    if (!WIFSIGNALED(status)) {
      CHECK(0, "kill %d: the writer stopped by itself (status %d)", k, status);
      break;
    }
    if (env_open(&e, 1) != 0) {
      CHECK(0, "kill %d: the store does not open", k);
      break;
    }
    held = read_version(e.p, got, want);
    env_close(&e);
    CHECK(held >= 0 && ((uint64_t)held == acked || (uint64_t)held == acked + 1),
          "kill %d: after version %llu was acknowledged the file holds %s "
          "%lld",
          k, (unsigned long long)acked,
          held == -1   ? "an unreadable state (EIO)"
          : held == -2 ? "bytes of no version"
                       : "version",
          (long long)held);
    if (held >= 0) {
      at_acked += (uint64_t)held == acked;
      at_next += (uint64_t)held == acked + 1;
      acked = (uint64_t)held;
    }
  }
  printf("%d kills: %d at the acknowledged version, %d at the next one, "
         "%d interrupted commits rolled back by the journal; last version "
         "%llu\n",
         k, at_acked, at_next, recovered, (unsigned long long)acked);
  printf("%d passed, %d failed\n", pass, fail);
  return fail ? 1 : 0;
}
