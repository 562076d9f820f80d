/*
** test_wasi_snapshot.c — weft_wasi_snapshot_save / _restore through the
** guest's own calls: files opened read and write below a preopen keep
** their fd numbers and offsets in a new weft_wasi whose preopen names a
** copy (cp -p) of the directory elsewhere; args, environment, the
** monotonic clock and renames carry over. Refused: changed or vanished
** files, a missing or now read-only preopen, sockets, unlinked or renamed-
** behind-our-back files, a wasi that is not fresh, and hostile or
** malformed bytes (`..`, absolute paths, a planted symlink, bad fd
** numbers, duplicates, huge counts, every truncation). Also the block hook:
** a read on an empty pipe interrupted by a signal asks it, then retries or
** unwinds with its status.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"
#include "test_wasi_module.h"

#define A_PATH 0x100
#define A_OUT 0x200
#define A_IOV 0x300
#define A_BUF 0x2000

#define R_READ (1ull << 1)
#define R_SEEK (1ull << 2)
#define R_TELL (1ull << 5)
#define R_WRITE (1ull << 6)
#define R_FILESTAT (1ull << 21)
#define R_PATH_OPEN (1ull << 13)
#define R_READDIR (1ull << 14)
#define R_ALL ((1ull << 30) - 1)
#define R_RO (R_READ | R_SEEK | R_TELL | R_FILESTAT)
#define R_RW (R_RO | R_WRITE)
#define R_DIR (R_PATH_OPEN | R_READDIR | R_FILESTAT)
#define O_DIR_ 2

static char base[256]; /* everything lives below */
static char dir_a[300], dir_ro[300], dir_copy[300], log_path[300];
static int null_fd = -1, log_fd = -1;

static void sh(const char *fmt, const char *arg) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, fmt, arg, arg, arg, arg, arg);
  if (system(cmd) != 0)
    fprintf(stderr, "setup command failed: %s\n", cmd);
}

/* Fresh fixture: a/ (data.txt, sub/inner.txt, other.txt), ro/, outside. */
static void make_fixture(void) {
  sh("rm -rf '%s' && mkdir -p '%s/a/sub' '%s/ro' && cd '%s' && "
     "printf 0123456789abcdef > a/data.txt && "
     "printf inner-contents > a/sub/inner.txt && printf o > a/other.txt && "
     "echo ro > ro/ro.txt && echo secret > outside.txt",
     base);
}

/* A copy of a/ with its times (cp -p), as a migrated directory. */
static void copy_a(void) {
  sh("rm -rf '%s/copy' && cp -rp '%s/a' '%s/copy'", base);
}

static weft_wasi_preopen pre[2];

/* A config: /data on `data` (read-only with data_ro), /ro on ro/. */
static void config(weft_wasi_config *c, const char *data, int data_ro,
                   const char *const *argv, uint32_t argc,
                   const char *const *env, uint32_t envc) {
  weft_wasi_config_default(c);
  memset(pre, 0, sizeof pre);
  pre[0].host_path = data;
  pre[0].guest_path = "/data";
  pre[0].read_only = data_ro;
  pre[1].host_path = dir_ro;
  pre[1].guest_path = "/ro";
  pre[1].read_only = 1;
  c->preopens = pre;
  c->npreopens = 2;
  c->argv = argv;
  c->argc = argc;
  c->env = env;
  c->envc = envc;
  c->stdin_fd = null_fd;
  c->stdout_fd = log_fd;
  c->stderr_fd = log_fd;
}

/* path_open: the new fd, or -errno. */
static long long open_at(struct wm *w, uint32_t dir, const char *path,
                         uint32_t oflags, uint64_t rights, uint32_t lookup) {
  uint32_t len = wm_str(w, A_PATH, path);
  long long e = WCALL(w, "path_open", dir, lookup, A_PATH, len, oflags, rights,
                      R_ALL, 0, A_OUT);
  return e == 0 ? (long long)wm_get32(w, A_OUT) : -e;
}

/* fd_read of up to n bytes into buf (NUL-terminated); bytes or -errno. */
static long long read_n(struct wm *w, uint32_t fd, uint32_t n, char *buf) {
  long long e;
  uint32_t got;
  wm_put32(w, A_IOV, A_BUF);
  wm_put32(w, A_IOV + 4, n);
  e = WCALL(w, "fd_read", fd, A_IOV, 1, A_OUT);
  if (e != 0)
    return -e;
  got = wm_get32(w, A_OUT);
  memcpy(buf, wm_mem(w) + A_BUF, got);
  buf[got] = '\0';
  return got;
}

static long long write_s(struct wm *w, uint32_t fd, const char *s) {
  long long e;
  wm_put32(w, A_IOV, A_BUF);
  wm_put32(w, A_IOV + 4, wm_str(w, A_BUF, s));
  e = WCALL(w, "fd_write", fd, A_IOV, 1, A_OUT);
  return e == 0 ? (long long)wm_get32(w, A_OUT) : -e;
}

static long long tell(struct wm *w, uint32_t fd) {
  long long e = WCALL(w, "fd_tell", fd, A_OUT);
  return e == 0 ? (long long)wm_get64(w, A_OUT) : -e;
}

static uint64_t monotonic(struct wm *w) {
  if (WCALL(w, "clock_time_get", 1, 0, A_OUT) != 0)
    return 0;
  return wm_get64(w, A_OUT);
}

static uint64_t process_cputime(struct wm *w) {
  if (WCALL(w, "clock_time_get", 2, 0, A_OUT) != 0)
    return 0;
  return wm_get64(w, A_OUT);
}

/* Host file contents (up to 255 bytes). */
static const char *host_file(const char *dir, const char *name) {
  static char buf[256];
  char path[600];
  FILE *f;
  size_t n;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  buf[0] = '\0';
  f = fopen(path, "rb");
  if (f == NULL)
    return "(missing)";
  n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* {====================================================================
** The round trip
** ===================================================================== */

/* A clock that starts near zero: without the restored offset the program
** would see time go backwards. */
static weft_wasi_errno low_clock(void *u, uint32_t id, uint64_t *out) {
  (void)u;
  *out = id == 1 ? 1000 : 1;
  return 0;
}
static weft_wasi_errno low_random(void *u, void *b, size_t n) {
  (void)u;
  memset(b, 4, n);
  return 0;
}
static weft_wasi_errno low_poll(void *u, weft_wasi_pollfd *f, size_t n,
                                int64_t t) {
  (void)u, (void)f, (void)n, (void)t;
  return 0;
}
static const weft_wasi_sys low_sys = {
    WEFT_WASI_SYS_VERSION, low_clock, low_clock, low_random, low_poll, NULL};

/* Program state in `a`: fd 5 data.txt read 4 bytes, fd 6 sub/inner.txt
** read-write after writing "XY", fd 7 the directory sub, fd 9 inner.txt
** opened through fd 7 at offset 3 (renumbered there from 8). */
static int build_state(struct wm *a) {
  char buf[64];
  long long fd;
  int ok = 1;
  fd = open_at(a, 3, "data.txt", 0, R_RO, 0);
  ok &= fd == 5;
  ok &= read_n(a, 5, 4, buf) == 4 && strcmp(buf, "0123") == 0;
  ok &= open_at(a, 3, "./sub//inner.txt", 0, R_RW, 0) == 6;
  ok &= write_s(a, 6, "XY") == 2;
  ok &= open_at(a, 3, "sub", O_DIR_, R_DIR, 0) == 7;
  ok &= open_at(a, 7, "inner.txt", 0, R_RO, 0) == 8;
  ok &= open_at(a, 3, "other.txt", 0, R_RO, 0) == 9;
  ok &= WCALL(a, "fd_renumber", 8, 9) == 0;
  ok &= WCALL(a, "fd_seek", 9, 3, 0, A_OUT) == 0;
  return ok;
}

static void test_round_trip(void) {
  static const char *argv[] = {"prog", "--flag"}, *env[] = {"K=V", "L=W"};
  static const char *argv2[] = {"other"};
  weft_wasi_config c;
  struct wm a, b;
  uint8_t *bytes = NULL;
  size_t size = 0;
  weft_error err;
  uint64_t t0, c0;
  char buf[64];

  make_fixture();
  config(&c, dir_a, 0, argv, 2, env, 2);
  if (wm_open(&a, &c) != 0) {
    CHECK(0);
    return;
  }
  CHECK(build_state(&a));
  t0 = monotonic(&a);
  c0 = process_cputime(&a);
  CHECK_EQ_INT(weft_wasi_snapshot_save(a.wasi, &bytes, &size, &err), WEFT_OK);
  CHECK(size > 0);
  copy_a();
  config(&c, dir_copy, 0, argv2, 1, NULL, 0);
  c.sys = &low_sys;
  if (wm_open(&b, &c) != 0) {
    CHECK(0);
    wm_close(&a);
    return;
  }
  CHECK_EQ_INT(weft_wasi_snapshot_restore(b.wasi, bytes, size, &err), WEFT_OK);
  if (err.message[0])
    fprintf(stderr, "restore: %s\n", err.message);
  /* io counters continue: /data (index 3) read 4 and wrote 2 bytes */
  {
    uint64_t rd = 0, wr = 0;
    CHECK_EQ_INT(weft_wasi_io_stats(b.wasi, 3, &rd, &wr), WEFT_OK);
    CHECK_EQ_U64(rd, 4);
    CHECK_EQ_U64(wr, 2);
  }
  /* args and environment are the snapshot's */
  CHECK_EQ_INT(WCALL(&b, "args_sizes_get", A_OUT, A_OUT + 4), 0);
  CHECK_EQ_INT(wm_get32(&b, A_OUT), 2);
  CHECK_EQ_INT(wm_get32(&b, A_OUT + 4), strlen("prog") + strlen("--flag") + 2);
  CHECK_EQ_INT(WCALL(&b, "environ_sizes_get", A_OUT, A_OUT + 4), 0);
  CHECK_EQ_INT(wm_get32(&b, A_OUT), 2);
  CHECK_EQ_INT(WCALL(&b, "args_get", A_OUT, A_BUF), 0);
  CHECK_STR_EQ((const char *)wm_mem(&b) + A_BUF + 5, "--flag");
  /* the same fds, at the same offsets, in the copy */
  CHECK_EQ_INT(read_n(&b, 5, 4, buf), 4);
  CHECK_STR_EQ(buf, "4567");
  CHECK_EQ_INT(tell(&b, 6), 2);
  CHECK_EQ_INT(write_s(&b, 6, "Z"), 1);
  CHECK_STR_EQ(host_file(dir_copy, "sub/inner.txt"), "XYZer-contents");
  CHECK_STR_EQ(host_file(dir_a, "sub/inner.txt"), "XYner-contents");
  CHECK_EQ_INT(read_n(&b, 9, 5, buf), 5);
  CHECK_STR_EQ(buf, "er-co");
  CHECK_EQ_INT(read_n(&b, 8, 1, buf), -8); /* EBADF: renumbered away */
  CHECK_EQ_INT(WCALL(&b, "fd_fdstat_get", 7, A_OUT), 0);
  CHECK_EQ_INT(wm_mem(&b)[A_OUT], WEFT_WASI_FILETYPE_DIRECTORY);
  /* the directory fd works as one: a path below it */
  CHECK_EQ_INT(open_at(&b, 7, "inner.txt", 0, R_RO, 0), 8);
  /* fd 5 kept its (read-only) rights */
  CHECK_EQ_INT(write_s(&b, 5, "no"), -WEFT_WASI_ENOTCAPABLE);
  CHECK_EQ_INT(WCALL(&b, "fd_prestat_dir_name", 3, A_BUF, 5), 0);
  CHECK(memcmp(wm_mem(&b) + A_BUF, "/data", 5) == 0);
  /* time continues from the snapshot (the new clock starts at 1000 ns) */
  CHECK(monotonic(&b) >= t0);
  /* and so does CPU time: it never goes backwards in the new process */
  CHECK(c0 > 0);
  CHECK(process_cputime(&b) >= c0);
  /* a second restore into the same wasi is refused */
  CHECK_EQ_INT(weft_wasi_snapshot_restore(b.wasi, bytes, size, &err),
               WEFT_ERR_ARG);
  weft_wasi_snapshot_free(a.wasi, bytes, size);
  wm_close(&b);
  wm_close(&a);
}

/* }==================================================================== */

/* {====================================================================
** Refusals on restore: the world is not what the snapshot saw
** ===================================================================== */

/* Saves build_state's snapshot of a/ into *bytes (copy made after). */
static int saved_state(uint8_t **bytes, size_t *size, struct wm *a) {
  weft_wasi_config c;
  weft_error err;
  make_fixture();
  config(&c, dir_a, 0, NULL, 0, NULL, 0);
  if (wm_open(a, &c) != 0 || !build_state(a) ||
      weft_wasi_snapshot_save(a->wasi, bytes, size, &err) != WEFT_OK)
    return 0;
  copy_a();
  return 1;
}

/* Restores into a fresh wasi on `data` (read-only with ro, no /data at
** all with no_data); the status, and the message in msg. */
static weft_status restore_into(const char *data, int ro, int no_data,
                                const uint8_t *bytes, size_t size, char *msg) {
  weft_wasi_config c;
  struct wm b;
  weft_error err;
  weft_status s;
  config(&c, data, ro, NULL, 0, NULL, 0);
  if (no_data) {
    c.preopens = &pre[1];
    c.npreopens = 1;
  }
  if (wm_open(&b, &c) != 0)
    return WEFT_ERR_LINK; /* not a status restore returns */
  s = weft_wasi_snapshot_restore(b.wasi, bytes, size, &err);
  snprintf(msg, 256, "%s", err.message);
  /* whatever happened, the wasi is usable: failures leave it as it was */
  if (s != WEFT_OK && WCALL(&b, "fd_prestat_dir_name", 3, A_BUF, 5) != 0)
    s = WEFT_ERR_LINK;
  wm_close(&b);
  return s;
}

static void test_refusals(void) {
  struct wm a;
  uint8_t *bytes = NULL;
  size_t size = 0;
  char msg[256], path[600];
  struct timespec ts[2];

  if (!saved_state(&bytes, &size, &a)) {
    CHECK(0);
    wm_close(&a);
    return;
  }
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, bytes, size, msg), WEFT_OK);
  /* size changed */
  sh("printf more >> '%s/copy/data.txt'", base);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, bytes, size, msg), WEFT_ERR_ARG);
  CHECK_CONTAINS(msg, "data.txt");
  CHECK_CONTAINS(msg, "changed");
  /* same size, other mtime */
  copy_a();
  snprintf(path, sizeof path, "%s/data.txt", dir_copy);
  ts[0].tv_sec = ts[1].tv_sec = 1000000;
  ts[0].tv_nsec = ts[1].tv_nsec = 0;
  CHECK_EQ_INT(utimensat(AT_FDCWD, path, ts, 0), 0);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, bytes, size, msg), WEFT_ERR_ARG);
  CHECK_CONTAINS(msg, "data.txt");
  /* vanished */
  copy_a();
  sh("rm '%s/copy/sub/inner.txt'", base);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, bytes, size, msg), WEFT_ERR_ARG);
  CHECK_CONTAINS(msg, "sub/inner.txt");
  /* no /data preopen */
  copy_a();
  CHECK_EQ_INT(restore_into(dir_copy, 0, 1, bytes, size, msg), WEFT_ERR_ARG);
  CHECK_CONTAINS(msg, "/data");
  /* /data read-only where it was writable */
  CHECK_EQ_INT(restore_into(dir_copy, 1, 0, bytes, size, msg), WEFT_ERR_ARG);
  CHECK_CONTAINS(msg, "read-only");
  /* after all that, the copy still restores */
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, bytes, size, msg), WEFT_OK);
  weft_wasi_snapshot_free(a.wasi, bytes, size);
  wm_close(&a);
}

/* A wasi that ran anything is not fresh. */
static void test_not_fresh(void) {
  weft_wasi_config c;
  struct wm a, b;
  uint8_t *bytes = NULL;
  size_t size = 0;
  weft_error err;

  make_fixture();
  config(&c, dir_a, 0, NULL, 0, NULL, 0);
  if (wm_open(&a, &c) != 0 || wm_open(&b, &c) != 0) {
    CHECK(0);
    return;
  }
  CHECK_EQ_INT(weft_wasi_snapshot_save(a.wasi, &bytes, &size, &err), WEFT_OK);
  CHECK_EQ_INT(open_at(&b, 3, "data.txt", 0, R_RO, 0), 5);
  CHECK_EQ_INT(WCALL(&b, "fd_close", 5), 0);
  CHECK_EQ_INT(weft_wasi_snapshot_restore(b.wasi, bytes, size, &err),
               WEFT_ERR_ARG);
  CHECK_CONTAINS(err.message, "fresh");
  weft_wasi_snapshot_free(a.wasi, bytes, size);
  wm_close(&a);
  wm_close(&b);
}

/* A file opened with rights but no inheriting rights (what wasi-libc
** never asks for, but a program may) keeps its rights across restore:
** they are bounded by what the preopen hands down, as path_open's are. */
static void test_rights_without_inheriting(void) {
  weft_wasi_config c;
  struct wm a, b;
  uint8_t *bytes = NULL;
  size_t size = 0;
  weft_error err;
  uint32_t len;

  make_fixture();
  config(&c, dir_a, 0, NULL, 0, NULL, 0);
  if (wm_open(&a, &c) != 0) {
    CHECK(0);
    return;
  }
  len = wm_str(&a, A_PATH, "sub/inner.txt");
  CHECK_EQ_INT(WCALL(&a, "path_open", 3, 0, A_PATH, len, 0, R_RW, 0, 0, A_OUT),
               0);
  CHECK_EQ_INT(wm_get32(&a, A_OUT), 5);
  CHECK_EQ_INT(write_s(&a, 5, "AB"), 2);
  CHECK_EQ_INT(weft_wasi_snapshot_save(a.wasi, &bytes, &size, &err), WEFT_OK);
  copy_a();
  config(&c, dir_copy, 0, NULL, 0, NULL, 0);
  if (wm_open(&b, &c) != 0) {
    CHECK(0);
    wm_close(&a);
    return;
  }
  CHECK_EQ_INT(weft_wasi_snapshot_restore(b.wasi, bytes, size, &err), WEFT_OK);
  CHECK_EQ_INT(write_s(&b, 5, "C"), 1);
  CHECK_STR_EQ(host_file(dir_copy, "sub/inner.txt"), "ABCer-contents");
  weft_wasi_snapshot_free(a.wasi, bytes, size);
  wm_close(&a);
  wm_close(&b);
}

/* }==================================================================== */

/* {====================================================================
** Refusals on save
** ===================================================================== */

static void test_save_refusals(void) {
  weft_wasi_config c;
  struct wm a, b;
  uint8_t *bytes = NULL;
  size_t size = 0;
  weft_error err;
  char buf[64], msg[256];
  int sv[2];

  /* renamed through WASI: followed, and the new name restores */
  make_fixture();
  config(&c, dir_a, 0, NULL, 0, NULL, 0);
  if (wm_open(&a, &c) != 0) {
    CHECK(0);
    return;
  }
  CHECK_EQ_INT(open_at(&a, 3, "sub/inner.txt", 0, R_RO, 0), 5);
  CHECK_EQ_INT(read_n(&a, 5, 2, buf), 2);
  {
    uint32_t l1 = wm_str(&a, A_PATH, "sub");
    uint32_t l2 = wm_str(&a, A_PATH + 64, "moved");
    CHECK_EQ_INT(WCALL(&a, "path_rename", 3, A_PATH, l1, 3, A_PATH + 64, l2),
                 0);
  }
  CHECK_EQ_INT(weft_wasi_snapshot_save(a.wasi, &bytes, &size, &err), WEFT_OK);
  copy_a();
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, bytes, size, msg), WEFT_OK);
  weft_wasi_snapshot_free(a.wasi, bytes, size);
  /* renamed behind WASI's back: the path names nothing now */
  sh("mv '%s/a/moved' '%s/a/gone'", base);
  CHECK_EQ_INT(weft_wasi_snapshot_save(a.wasi, &bytes, &size, &err),
               WEFT_ERR_UNSUPPORTED);
  CHECK_CONTAINS(err.message, "fd 5");
  CHECK_CONTAINS(err.message, "moved/inner.txt");
  sh("mv '%s/a/gone' '%s/a/moved'", base);
  /* replaced by another file of the same name */
  sh("cd '%s/a/moved' && mv inner.txt old && printf new > inner.txt", base);
  CHECK_EQ_INT(weft_wasi_snapshot_save(a.wasi, &bytes, &size, &err),
               WEFT_ERR_UNSUPPORTED);
  CHECK_CONTAINS(err.message, "no longer names");
  /* unlinked while open */
  {
    uint32_t l = wm_str(&a, A_PATH, "moved/inner.txt");
    CHECK_EQ_INT(WCALL(&a, "path_unlink_file", 3, A_PATH, l), 0);
    l = wm_str(&a, A_PATH, "moved/old");
    CHECK_EQ_INT(WCALL(&a, "path_unlink_file", 3, A_PATH, l), 0);
  }
  CHECK_EQ_INT(weft_wasi_snapshot_save(a.wasi, &bytes, &size, &err),
               WEFT_ERR_UNSUPPORTED);
  CHECK_CONTAINS(err.message, "unlinked");
  /* closing it makes the snapshot possible again */
  CHECK_EQ_INT(WCALL(&a, "fd_close", 5), 0);
  CHECK_EQ_INT(weft_wasi_snapshot_save(a.wasi, &bytes, &size, &err), WEFT_OK);
  weft_wasi_snapshot_free(a.wasi, bytes, size);
  wm_close(&a);

  /* a socket cannot be reopened */
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
    CHECK(0);
    return;
  }
  config(&c, dir_a, 0, NULL, 0, NULL, 0);
  c.sockets = sv;
  c.nsockets = 1;
  if (wm_open(&b, &c) != 0) {
    CHECK(0);
  } else {
    CHECK_EQ_INT(weft_wasi_snapshot_save(b.wasi, &bytes, &size, &err),
                 WEFT_ERR_UNSUPPORTED);
    CHECK_CONTAINS(err.message, "fd 5");
    CHECK_CONTAINS(err.message, "socket");
    wm_close(&b);
  }
  close(sv[0]);
  close(sv[1]);
}

/* }==================================================================== */

/* {====================================================================
** Hostile and malformed bytes
** ===================================================================== */

struct sb {
  uint8_t p[8192];
  size_t n;
};
static void sb_u8(struct sb *b, uint8_t v) { b->p[b->n++] = v; }
static void sb_u16(struct sb *b, uint16_t v) {
  sb_u8(b, (uint8_t)v);
  sb_u8(b, (uint8_t)(v >> 8));
}
static void sb_u32(struct sb *b, uint32_t v) {
  sb_u16(b, (uint16_t)v);
  sb_u16(b, (uint16_t)(v >> 16));
}
static void sb_u64(struct sb *b, uint64_t v) {
  sb_u32(b, (uint32_t)v);
  sb_u32(b, (uint32_t)(v >> 32));
}
static void sb_str(struct sb *b, const char *s) {
  sb_u32(b, (uint32_t)strlen(s));
  memcpy(b->p + b->n, s, strlen(s));
  b->n += strlen(s);
}

/* A snapshot by hand: /data writable, then `nfds` descriptors follow
** (the caller appends them). */
static void sb_head(struct sb *b, uint32_t nfds) {
  int i;
  b->n = 0;
  sb_u32(b, 2); /* version */
  sb_u32(b, 1); /* argc */
  sb_str(b, "p");
  sb_u32(b, 0); /* envc */
  sb_u64(b, 5); /* monotonic */
  sb_u64(b, 6); /* process CPU time */
  sb_u64(b, 7); /* thread CPU time */
  for (i = 0; i < 6; i++)
    sb_u64(b, 0); /* stdio io */
  sb_u32(b, 1);   /* preopens */
  sb_str(b, "/data");
  sb_u8(b, 0);
  sb_u64(b, 0);
  sb_u64(b, 0);
  sb_u32(b, nfds);
}

/* One opened regular file record of `path` at fd; size and mtime are
** those of the host file below the copy (so only the path decides). */
static void sb_file(struct sb *b, uint32_t fd, const char *path, int follow,
                    const char *stat_of) {
  struct stat st;
  memset(&st, 0, sizeof st);
  if (stat_of != NULL)
    stat(stat_of, &st);
  sb_u32(b, fd);
  sb_u8(b, 3);
  sb_u32(b, 0);
  sb_u8(b, WEFT_WASI_FILETYPE_REGULAR_FILE);
  sb_u16(b, 0);
  sb_u64(b, R_RO);
  sb_u64(b, 0);
  sb_u16(b, 0x100); /* READ */
  sb_u8(b, follow ? 2 : 0);
  sb_str(b, path);
  sb_u64(b, 0);
  sb_u64(b, (uint64_t)st.st_size);
  sb_u64(b, (uint64_t)st.st_mtim.tv_sec * 1000000000u +
                (uint64_t)st.st_mtim.tv_nsec);
}

static void sb_preopen_fd(struct sb *b, uint32_t fd) {
  sb_u32(b, fd);
  sb_u8(b, 2);
  sb_u32(b, 0);
  sb_u8(b, WEFT_WASI_FILETYPE_DIRECTORY);
  sb_u16(b, 0);
  sb_u64(b, R_ALL);
  sb_u64(b, R_ALL);
}

static void test_hostile(void) {
  struct sb b;
  char msg[256], outside[600], data[600];

  make_fixture();
  copy_a();
  snprintf(outside, sizeof outside, "%s/outside.txt", base);
  snprintf(data, sizeof data, "%s/data.txt", dir_copy);
  /* a well-formed hand-made one restores (so the refusals below are for
  ** what they change) */
  sb_head(&b, 2);
  sb_preopen_fd(&b, 3);
  sb_file(&b, 7, "data.txt", 0, data);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_OK);
  /* `..` out of the preopen, with the outside file's identity */
  sb_head(&b, 1);
  sb_file(&b, 7, "../outside.txt", 0, outside);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_ARG);
  CHECK_CONTAINS(msg, "outside.txt");
  sb_head(&b, 1);
  sb_file(&b, 7, "sub/../../outside.txt", 1, outside);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_ARG);
  /* absolute */
  sb_head(&b, 1);
  sb_file(&b, 7, outside, 1, outside);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_ARG);
  /* a symlink planted where the file was, to the outside */
  sh("cd '%s/copy' && rm data.txt && ln -s ../outside.txt data.txt", base);
  sb_head(&b, 1);
  sb_file(&b, 7, "data.txt", 1, outside);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_ARG);
  sb_head(&b, 1);
  sb_file(&b, 7, "data.txt", 0, outside);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_ARG);
  copy_a();
  /* fd numbers out of range, duplicates */
  sb_head(&b, 1);
  sb_file(&b, 16384, "data.txt", 0, data);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
  sb_head(&b, 1);
  sb_file(&b, 0xffffffffu, "data.txt", 0, data);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
  sb_head(&b, 2);
  sb_file(&b, 7, "data.txt", 0, data);
  sb_file(&b, 7, "data.txt", 0, data);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
  sb_head(&b, 2);
  sb_preopen_fd(&b, 3);
  sb_preopen_fd(&b, 4); /* the one preopen twice */
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
  /* huge counts */
  sb_head(&b, 0xffffffffu);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
  sb_head(&b, 0);
  memcpy(b.p + 4, "\xff\xff\xff\x7f", 4); /* argc */
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
  /* other version, trailing byte, stdio stream 3, unknown kind */
  sb_head(&b, 0);
  b.p[0] = 1;
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
  sb_head(&b, 0);
  sb_u8(&b, 0);
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
  sb_head(&b, 1);
  sb_preopen_fd(&b, 0);
  b.p[b.n - 8 - 8 - 2 - 1 - 4 - 1] = 1; /* kind stdio */
  b.p[b.n - 8 - 8 - 2 - 1 - 4] = 3;     /* stream 3 */
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
  b.p[b.n - 8 - 8 - 2 - 1 - 4 - 1] = 9;
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, b.p, b.n, msg), WEFT_ERR_MALFORMED);
}

/* A snapshot cannot grant rights: /data read-only in it stays read-only
** here although writable, and a file there open for writing is refused. */
static void test_rights_shrink(void) {
  weft_wasi_config c;
  struct wm b;
  struct sb sn;
  weft_error err;
  char data[600], host_new[600];

  make_fixture();
  copy_a();
  snprintf(data, sizeof data, "%s/data.txt", dir_copy);
  snprintf(host_new, sizeof host_new, "%s/new.txt", dir_copy);
  sb_head(&sn, 1);
  sn.p[sn.n - 4 - 16 - 1] = 1; /* /data read-only */
  sb_preopen_fd(&sn, 3);
  config(&c, dir_copy, 0, NULL, 0, NULL, 0);
  if (wm_open(&b, &c) != 0) {
    CHECK(0);
    return;
  }
  CHECK_EQ_INT(weft_wasi_snapshot_restore(b.wasi, sn.p, sn.n, &err), WEFT_OK);
  CHECK_EQ_INT(WCALL(&b, "fd_fdstat_get", 3, A_OUT), 0);
  CHECK_EQ_U64(wm_get64(&b, A_OUT + 8) & (1ull << 10), 0); /* create file */
  CHECK_EQ_INT(open_at(&b, 3, "new.txt", 1, R_RW, 0), -WEFT_WASI_EROFS);
  CHECK(access(host_new, F_OK) != 0);
  CHECK_EQ_INT(open_at(&b, 3, "data.txt", 0, R_RO, 0), 0); /* fd 0: free */
  wm_close(&b);
  /* a file open for writing below it */
  sb_head(&sn, 1);
  sn.p[sn.n - 4 - 16 - 1] = 1;
  sb_file(&sn, 7, "data.txt", 0, data);
  sn.p[sn.n - 8 - 8 - 8 - 4 - 8 - 1 - 2 + 1] = 0x02; /* access: write */
  CHECK_EQ_INT(restore_into(dir_copy, 0, 0, sn.p, sn.n, data), WEFT_ERR_ARG);
  CHECK_CONTAINS(data, "read-only");
}

/* Every prefix of a real snapshot, and garbage, is refused cleanly. */
static void test_truncated(void) {
  struct wm a, b;
  weft_wasi_config c;
  uint8_t *bytes = NULL, junk[512];
  size_t size = 0, n, bad = 0;
  weft_error err;

  if (!saved_state(&bytes, &size, &a)) {
    CHECK(0);
    wm_close(&a);
    return;
  }
  config(&c, dir_copy, 0, NULL, 0, NULL, 0);
  if (wm_open(&b, &c) != 0) {
    CHECK(0);
    return;
  }
  for (n = 0; n < size; n++)
    bad += weft_wasi_snapshot_restore(b.wasi, bytes, n, &err) !=
           WEFT_ERR_MALFORMED;
  CHECK_EQ_INT(bad, 0);
  for (n = 0; n < sizeof junk; n++)
    junk[n] = (uint8_t)(n * 131 + 7);
  junk[0] = 2, junk[1] = junk[2] = junk[3] = 0; /* past the version */
  CHECK_EQ_INT(weft_wasi_snapshot_restore(b.wasi, junk, sizeof junk, &err),
               WEFT_ERR_MALFORMED);
  CHECK_EQ_INT(weft_wasi_snapshot_restore(b.wasi, NULL, 0, &err),
               WEFT_ERR_MALFORMED);
  /* and the real one still restores into the same wasi */
  CHECK_EQ_INT(weft_wasi_snapshot_restore(b.wasi, bytes, size, &err), WEFT_OK);
  weft_wasi_snapshot_free(a.wasi, bytes, size);
  wm_close(&b);
  wm_close(&a);
}

/* The libFuzzer target's corpus (tests/fuzz/fuzz_wasi_snapshot.c), here
** with /data and /ro on this test's fixture: every input restores or fails
** with a message (run from the repository root, as scripts/test.sh does). */
static void test_fuzz_corpus(void) {
  static uint8_t buf[1 << 16];
  const char *dir = "tests/fuzz/corpus-wasi-snapshot";
  DIR *d = opendir(dir);
  struct dirent *de;
  unsigned files = 0, bad = 0;
  char path[600], msg[256];

  CHECK(d != NULL);
  if (d == NULL)
    return;
  make_fixture();
  copy_a();
  while ((de = readdir(d)) != NULL) {
    FILE *f;
    size_t n;
    weft_status s;
    if (de->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    f = fopen(path, "rb");
    if (f == NULL)
      continue;
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    files++;
    s = restore_into(dir_copy, 0, 0, buf, n, msg);
    bad += s == WEFT_ERR_LINK || (s != WEFT_OK && msg[0] == '\0');
  }
  closedir(d);
  CHECK(files >= 5);
  CHECK_EQ_INT(bad, 0);
}

/* }==================================================================== */

/* {====================================================================
** The block hook
** ===================================================================== */

static volatile sig_atomic_t hook_calls;
static int pipe_w = -1;
static weft_status hook_status;
static pthread_t main_thread;
static volatile int stop_kicking;

static void on_usr1(int sig) { (void)sig; }

/* Signals the main thread until the hook ran: one of them lands while it
** waits in the host call (no timing is asserted, only that it happens). */
static void *kicker(void *arg) {
  (void)arg;
  while (!stop_kicking) {
    pthread_kill(main_thread, SIGUSR1);
    usleep(2000);
  }
  return NULL;
}

static weft_status hook(void *user) {
  (void)user;
  hook_calls++;
  stop_kicking = 1;
  if (hook_status == WEFT_OK && write(pipe_w, "hi", 2) != 2)
    return WEFT_ERR_ARG;
  return hook_status;
}

static long long read_with_kicks(struct wm *w, char *buf) {
  pthread_t t;
  long long r;
  stop_kicking = 0;
  hook_calls = 0;
  pthread_create(&t, NULL, kicker, NULL);
  r = read_n(w, 0, 16, buf);
  stop_kicking = 1;
  pthread_join(t, NULL);
  return r;
}

static void test_block_hook(void) {
  struct sigaction sa;
  weft_wasi_config c;
  struct wm w;
  int fds[2];
  char buf[64];

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1; /* no SA_RESTART: the read returns EINTR */
  sigaction(SIGUSR1, &sa, NULL);
  main_thread = pthread_self();
  if (pipe(fds) != 0) {
    CHECK(0);
    return;
  }
  pipe_w = fds[1];
  make_fixture();
  config(&c, dir_a, 0, NULL, 0, NULL, 0);
  c.stdin_fd = fds[0];
  if (wm_open(&w, &c) != 0) {
    CHECK(0);
    return;
  }
  weft_wasi_set_block_hook(w.wasi, hook, NULL);
  /* WEFT_OK: the read is issued again and gets what the hook wrote */
  hook_status = WEFT_OK;
  CHECK_EQ_INT(read_with_kicks(&w, buf), 2);
  CHECK_STR_EQ(buf, "hi");
  CHECK(hook_calls >= 1);
  /* another status: the call unwinds with it */
  hook_status = WEFT_ERR_LIMIT;
  CHECK_EQ_INT(read_with_kicks(&w, buf), 1); /* read_n's -(-1): unwound */
  CHECK_EQ_INT(w.err.status, WEFT_ERR_LIMIT);
  CHECK_EQ_INT(hook_calls, 1);
  /* poll_oneoff waiting for stdin: the same */
  {
    pthread_t t;
    long long r;
    memset(wm_mem(&w) + A_BUF, 0, 48);
    wm_mem(&w)[A_BUF + 8] = 1; /* fd_read */
    wm_put32(&w, A_BUF + 16, 0);
    stop_kicking = 0;
    hook_calls = 0;
    pthread_create(&t, NULL, kicker, NULL);
    r = WCALL(&w, "poll_oneoff", A_BUF, A_BUF + 64, 1, A_OUT);
    stop_kicking = 1;
    pthread_join(t, NULL);
    CHECK_EQ_INT(r, -1);
    CHECK_EQ_INT(w.err.status, WEFT_ERR_LIMIT);
    CHECK_CONTAINS(w.err.message, "block hook");
    CHECK_EQ_INT(hook_calls, 1);
  }
  wm_close(&w);
  close(fds[0]);
  close(fds[1]);
  signal(SIGUSR1, SIG_DFL);
}

/* }==================================================================== */

int main(void) {
  snprintf(base, sizeof base, "/tmp/weft_wasi_snapXXXXXX");
  if (mkdtemp(base) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  snprintf(dir_a, sizeof dir_a, "%s/a", base);
  snprintf(dir_ro, sizeof dir_ro, "%s/ro", base);
  snprintf(dir_copy, sizeof dir_copy, "%s/copy", base);
  snprintf(log_path, sizeof log_path, "%s.log", base);
  null_fd = open("/dev/null", O_RDONLY);
  log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  T_RUN(test_round_trip);
  T_RUN(test_refusals);
  T_RUN(test_not_fresh);
  T_RUN(test_rights_without_inheriting);
  T_RUN(test_save_refusals);
  T_RUN(test_hostile);
  T_RUN(test_rights_shrink);
  T_RUN(test_truncated);
  T_RUN(test_fuzz_corpus);
  T_RUN(test_block_hook);
  sh("rm -rf '%s' '%s.log'", base);
  close(null_fd);
  close(log_fd);
  return T_DONE();
}
