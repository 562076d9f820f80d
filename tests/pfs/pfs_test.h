/*
** pfs_test.h — helpers shared by the host-side protected-file tests
** (pfs_attack.c, pfs_rollback.c, pfs_crashkill.c): counted checks, a
** fault-injecting inner fs, a pfs made from a key, and whole-file reads
** and writes through weft_pfs_fs(). Each test is one .c file, so
** everything here is static.
*/
#ifndef WEFT_PFS_TEST_H
#define WEFT_PFS_TEST_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pfs.h"
#include "weft_wasi_fs.h"

static int pass, fail;
static const char *dir; /* the scratch directory: the preopen */
static const weft_wasi_fs *fs;

#define CHECK(c, ...)                                                          \
  do {                                                                         \
    if (c)                                                                     \
      pass++;                                                                  \
    else {                                                                     \
      fail++;                                                                  \
      fprintf(stderr, "FAIL line %d: ", __LINE__);                             \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

/* ---- a fault-injecting inner fs: after `budget` storage operations
** (pwrite, set_size, sync, rename, unlink) every further one fails, as if
** the machine had stopped there. */
static weft_wasi_fs faulty;
static long budget = -1; /* -1: no faults */

static inline int spend(void) {
  if (budget < 0)
    return 0;
  if (budget == 0)
    return 1;
  budget--;
  return 0;
}
static inline weft_wasi_errno f_pwrite(void *u, weft_wasi_file *f,
                                       const weft_wasi_iovec *iov, size_t n,
                                       uint64_t off, size_t *out) {
  return spend() ? WEFT_WASI_EIO
                 : weft_wasi_fs_host()->pwrite(u, f, iov, n, off, out);
}
static inline weft_wasi_errno f_set_size(void *u, weft_wasi_file *f,
                                         uint64_t s) {
  return spend() ? WEFT_WASI_EIO : weft_wasi_fs_host()->set_size(u, f, s);
}
static inline weft_wasi_errno f_sync(void *u, weft_wasi_file *f, int d) {
  return spend() ? WEFT_WASI_EIO : weft_wasi_fs_host()->sync(u, f, d);
}
static inline weft_wasi_errno f_rename_at(void *u, weft_wasi_file *d,
                                          const char *n, weft_wasi_file *nd,
                                          const char *nn) {
  return spend() ? WEFT_WASI_EIO
                 : weft_wasi_fs_host()->rename_at(u, d, n, nd, nn);
}
static inline weft_wasi_errno f_unlink_at(void *u, weft_wasi_file *d,
                                          const char *n) {
  return spend() ? WEFT_WASI_EIO : weft_wasi_fs_host()->unlink_at(u, d, n);
}

static inline void test_init(const char *scratch) {
  dir = scratch;
  fs = weft_pfs_fs();
  faulty = *weft_wasi_fs_host();
  faulty.pwrite = f_pwrite;
  faulty.set_size = f_set_size;
  faulty.sync = f_sync;
  faulty.rename_at = f_rename_at;
  faulty.unlink_at = f_unlink_at;
}

/* A pfs keyed by `k` that reports to `report`, on the fault-injecting inner
** fs when `faults`, with the freshness store `fresh` (NULL: none) in strict
** mode when `strict`. Exits when it cannot be made. */
static inline weft_pfs *new_pfs(const uint8_t *k, weft_pfs_report_fn report,
                                int faults, const weft_pfs_freshness *fresh,
                                int strict) {
  weft_pfs_config cfg;
  weft_pfs *p;
  memset(&cfg, 0, sizeof cfg);
  memcpy(cfg.key, k, 32);
  cfg.report = report;
  cfg.inner = faults ? &faulty : NULL;
  cfg.freshness = fresh;
  cfg.freshness_strict = strict;
  if (weft_pfs_new(&cfg, &p) != 0) {
    fprintf(stderr, "weft_pfs_new failed\n");
    exit(2);
  }
  return p;
}

/* ---- whole files through the pfs -------------------------------------- */

/* Opens `name` in the scratch dir; returns the errno. */
static inline weft_wasi_errno pf_open(weft_pfs *p, weft_wasi_file **root,
                                      const char *name, uint32_t flags,
                                      weft_wasi_file **out) {
  uint8_t type;
  weft_wasi_errno e = fs->open_root(p, dir, root);
  if (e != 0)
    return e;
  e = fs->open_at(p, *root, name, flags, 0, out, &type);
  if (e != 0)
    fs->close(p, *root);
  return e;
}

static inline weft_wasi_errno pf_pwrite(weft_pfs *p, weft_wasi_file *f,
                                        const void *b, size_t n, uint64_t off) {
  weft_wasi_iovec v = {(void *)(uintptr_t)b, n};
  size_t done;
  return fs->pwrite(p, f, &v, 1, off, &done);
}

/* Reads the whole file (opened read-write, so a journal can be rolled
** back): 0 and *n, or the errno of the first failure (the bytes before it
** are in buf). */
static inline weft_wasi_errno pf_read_all(weft_pfs *p, const char *name,
                                          uint8_t *buf, size_t cap, size_t *n) {
  weft_wasi_file *root, *f;
  weft_wasi_errno e =
      pf_open(p, &root, name, WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE, &f);
  *n = 0;
  if (e != 0)
    return e;
  for (;;) {
    weft_wasi_iovec v = {buf + *n, cap - *n < 65536 ? cap - *n : 65536};
    size_t got = 0;
    e = fs->read(p, f, &v, 1, &got);
    if (e != 0 || got == 0)
      break;
    *n += got;
  }
  fs->close(p, f);
  fs->close(p, root);
  return e;
}

/* Closes f and then the root pf_open() gave with it; returns e, or when e
** is 0 the errno of closing f (the close of a written file flushes it). */
static inline weft_wasi_errno pf_close(weft_pfs *p, weft_wasi_file *root,
                                       weft_wasi_file *f, weft_wasi_errno e) {
  if (e == 0)
    e = fs->close(p, f);
  else
    fs->close(p, f);
  fs->close(p, root);
  return e;
}

/* Creates or replaces `name` with n bytes; 0 or the errno. */
static inline weft_wasi_errno write_file(weft_pfs *p, const char *name,
                                         const uint8_t *b, size_t n) {
  weft_wasi_file *root, *f;
  weft_wasi_errno e = pf_open(p, &root, name,
                              WEFT_WASI_OPEN_CREAT | WEFT_WASI_OPEN_TRUNC |
                                  WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE,
                              &f);
  if (e != 0)
    return e;
  return pf_close(p, root, f, pf_pwrite(p, f, b, n, 0));
}

static inline int reads_exactly(weft_pfs *p, const char *name,
                                const uint8_t *want, size_t want_n) {
  static uint8_t got[1 << 21];
  size_t n;
  weft_wasi_errno e = pf_read_all(p, name, got, sizeof got, &n);
  return e == 0 && n == want_n && memcmp(got, want, n) == 0;
}

/* ---- host files ------------------------------------------------------- */

static inline char *host_path(const char *name) {
  static char b[4][1024];
  static int k;
  char *s = b[k++ & 3];
  snprintf(s, 1024, "%s/%s", dir, name);
  return s;
}

/* A host file's bytes (NULL when it does not exist). */
static inline uint8_t *slurp_at(const char *path, size_t *n) {
  struct stat st;
  uint8_t *b;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return NULL;
  if (fstat(fd, &st) != 0)
    exit(2);
  b = malloc((size_t)st.st_size + 1);
  if (b == NULL || pread(fd, b, (size_t)st.st_size, 0) != st.st_size)
    exit(2);
  close(fd);
  *n = (size_t)st.st_size;
  return b;
}

static inline void spill_at(const char *path, const uint8_t *b, size_t n) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, b, n) != (ssize_t)n)
    exit(2);
  close(fd);
}

/* The same for a file of the scratch directory, which must exist. */
static inline uint8_t *slurp(const char *name, size_t *n) {
  uint8_t *b = slurp_at(host_path(name), n);
  if (b == NULL) {
    fprintf(stderr, "%s: missing\n", host_path(name));
    exit(2);
  }
  return b;
}
static inline void spill(const char *name, const uint8_t *b, size_t n) {
  spill_at(host_path(name), b, n);
}

#endif /* WEFT_PFS_TEST_H */
