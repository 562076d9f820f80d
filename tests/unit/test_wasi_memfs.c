/*
** test_wasi_memfs.c — WASI over a file system that is not the host's: a
** small in-memory weft_wasi_fs (one flat directory of files, the shape a
** protected-files service has) under one preopen, next to nothing else.
** The guest's calls reach it unchanged; what it leaves out (mkdir,
** symlinks, ...) answers ENOTSUP; `..` never reaches it (WASI stops it);
** the names it receives are single components.
*/
#include <stdio.h>
#include <stdlib.h>

#include "t.h"
#include "test_wasi_module.h"

#define A_PATH 0x100
#define A_OUT 0x200
#define A_IOV 0x300
#define A_BUF 0x1000
#define R_RW                                                                   \
  ((1ull << 1) | (1ull << 6) | (1ull << 2) | (1ull << 5) | (1ull << 21) |      \
   (1ull << 22))

/* {====================================================================
** The in-memory fs
** ===================================================================== */

#define MEM_FILES 8

struct mem_node {
  char name[32];
  unsigned char data[256];
  size_t size;
  int used;
};

struct weft_wasi_file {
  struct mem_node *node; /* NULL: the directory */
  uint64_t pos;
};

struct memfs {
  struct mem_node nodes[MEM_FILES];
  int open_handles;
  int bad_names;
};

static struct memfs mfs;

static weft_wasi_file *new_handle(struct mem_node *n) {
  weft_wasi_file *f = calloc(1, sizeof *f);
  f->node = n;
  mfs.open_handles++;
  return f;
}

static struct mem_node *find(const char *name) {
  for (int i = 0; i < MEM_FILES; i++)
    if (mfs.nodes[i].used && strcmp(mfs.nodes[i].name, name) == 0)
      return &mfs.nodes[i];
  return NULL;
}

static weft_wasi_errno m_open_root(void *u, const char *path,
                                   weft_wasi_file **out) {
  (void)u;
  (void)path;
  *out = new_handle(NULL);
  return 0;
}

static weft_wasi_errno m_open_at(void *u, weft_wasi_file *dir, const char *name,
                                 uint32_t flags, uint16_t fdflags,
                                 weft_wasi_file **out, uint8_t *type) {
  struct mem_node *n;
  (void)u;
  (void)fdflags;
  if (dir->node != NULL)
    return WEFT_WASI_ENOTDIR;
  if (strchr(name, '/') || strcmp(name, "..") == 0)
    mfs.bad_names++;
  if (strcmp(name, ".") == 0) {
    *out = new_handle(NULL);
    *type = WEFT_WASI_FILETYPE_DIRECTORY;
    return 0;
  }
  n = find(name);
  if (n != NULL && (flags & WEFT_WASI_OPEN_CREAT) &&
      (flags & WEFT_WASI_OPEN_EXCL))
    return WEFT_WASI_EEXIST;
  if (n == NULL && !(flags & WEFT_WASI_OPEN_CREAT))
    return WEFT_WASI_ENOENT;
  if (n != NULL && (flags & WEFT_WASI_OPEN_DIRECTORY))
    return WEFT_WASI_ENOTDIR;
  if (n == NULL) {
    for (int i = 0; i < MEM_FILES && n == NULL; i++)
      if (!mfs.nodes[i].used)
        n = &mfs.nodes[i];
    if (n == NULL || strlen(name) >= sizeof n->name)
      return WEFT_WASI_ENOSPC;
    memset(n, 0, sizeof *n);
    n->used = 1;
    strcpy(n->name, name);
  }
  if (flags & WEFT_WASI_OPEN_TRUNC)
    n->size = 0;
  *out = new_handle(n);
  *type = WEFT_WASI_FILETYPE_REGULAR_FILE;
  return 0;
}

static weft_wasi_errno m_close(void *u, weft_wasi_file *f) {
  (void)u;
  free(f);
  mfs.open_handles--;
  return 0;
}

static weft_wasi_errno m_pread(void *u, weft_wasi_file *f,
                               const weft_wasi_iovec *iov, size_t n,
                               uint64_t off, size_t *out) {
  size_t done = 0;
  (void)u;
  if (f->node == NULL)
    return WEFT_WASI_EISDIR;
  for (size_t i = 0; i < n; i++) {
    size_t k = 0;
    while (k < iov[i].len && off + done < f->node->size) {
      ((unsigned char *)iov[i].buf)[k++] = f->node->data[off + done];
      done++;
    }
  }
  *out = done;
  return 0;
}

static weft_wasi_errno m_pwrite(void *u, weft_wasi_file *f,
                                const weft_wasi_iovec *iov, size_t n,
                                uint64_t off, size_t *out) {
  size_t done = 0;
  (void)u;
  if (f->node == NULL)
    return WEFT_WASI_EISDIR;
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < iov[i].len; k++, done++) {
      if (off + done >= sizeof f->node->data)
        return done ? (*out = done, 0) : WEFT_WASI_ENOSPC;
      f->node->data[off + done] = ((const unsigned char *)iov[i].buf)[k];
    }
  if (off + done > f->node->size)
    f->node->size = off + done;
  *out = done;
  return 0;
}

static weft_wasi_errno m_read(void *u, weft_wasi_file *f,
                              const weft_wasi_iovec *iov, size_t n,
                              size_t *out) {
  weft_wasi_errno e = m_pread(u, f, iov, n, f->pos, out);
  if (e == 0)
    f->pos += *out;
  return e;
}

static weft_wasi_errno m_write(void *u, weft_wasi_file *f,
                               const weft_wasi_iovec *iov, size_t n,
                               size_t *out) {
  weft_wasi_errno e = m_pwrite(u, f, iov, n, f->pos, out);
  if (e == 0)
    f->pos += *out;
  return e;
}

static weft_wasi_errno m_seek(void *u, weft_wasi_file *f, int64_t off,
                              uint8_t whence, uint64_t *out) {
  int64_t base = whence == 0   ? 0
                 : whence == 1 ? (int64_t)f->pos
                               : (int64_t)f->node->size;
  (void)u;
  if (base + off < 0)
    return WEFT_WASI_EINVAL;
  f->pos = (uint64_t)(base + off);
  *out = f->pos;
  return 0;
}

static void stat_of(const struct mem_node *n, weft_wasi_filestat *st) {
  memset(st, 0, sizeof *st);
  st->ino = n ? (uint64_t)(n - mfs.nodes) + 2 : 1;
  st->nlink = 1;
  st->filetype =
      n ? WEFT_WASI_FILETYPE_REGULAR_FILE : WEFT_WASI_FILETYPE_DIRECTORY;
  st->size = n ? n->size : 0;
}

static weft_wasi_errno m_fstat(void *u, weft_wasi_file *f,
                               weft_wasi_filestat *st) {
  (void)u;
  stat_of(f->node, st);
  return 0;
}

static weft_wasi_errno m_stat_at(void *u, weft_wasi_file *d, const char *name,
                                 weft_wasi_filestat *st) {
  struct mem_node *n = strcmp(name, ".") == 0 ? NULL : find(name);
  (void)u;
  (void)d;
  if (strcmp(name, ".") != 0 && n == NULL)
    return WEFT_WASI_ENOENT;
  stat_of(n, st);
  return 0;
}

static weft_wasi_errno m_readdir(void *u, weft_wasi_file *d, uint64_t cookie,
                                 weft_wasi_dirent_fn fn, void *ctx) {
  uint64_t idx = 0;
  (void)u;
  (void)d;
  for (int i = 0; i < MEM_FILES; i++) {
    if (!mfs.nodes[i].used)
      continue;
    if (idx++ < cookie)
      continue;
    if (fn(ctx, idx, (uint64_t)i + 2, WEFT_WASI_FILETYPE_REGULAR_FILE,
           mfs.nodes[i].name, strlen(mfs.nodes[i].name)))
      break;
  }
  return 0;
}

static weft_wasi_errno m_unlink_at(void *u, weft_wasi_file *d,
                                   const char *name) {
  struct mem_node *n = find(name);
  (void)u;
  (void)d;
  if (n == NULL)
    return WEFT_WASI_ENOENT;
  n->used = 0;
  return 0;
}

static weft_wasi_errno m_readlink_at(void *u, weft_wasi_file *d,
                                     const char *name, char *buf, size_t cap,
                                     size_t *len) {
  (void)u;
  (void)d;
  (void)buf;
  (void)cap;
  (void)len;
  return find(name) || strcmp(name, ".") == 0 ? WEFT_WASI_EINVAL
                                              : WEFT_WASI_ENOENT;
}

static weft_wasi_errno m_set_size(void *u, weft_wasi_file *f, uint64_t size) {
  (void)u;
  if (size > sizeof f->node->data)
    return WEFT_WASI_EFBIG;
  if (size > f->node->size)
    memset(f->node->data + f->node->size, 0, size - f->node->size);
  f->node->size = size;
  return 0;
}

static const weft_wasi_fs mem_fs = {
    .version = WEFT_WASI_FS_VERSION,
    .open_root = m_open_root,
    .open_at = m_open_at,
    .close = m_close,
    .read = m_read,
    .write = m_write,
    .pread = m_pread,
    .pwrite = m_pwrite,
    .seek = m_seek,
    .fstat = m_fstat,
    .stat_at = m_stat_at,
    .set_size = m_set_size,
    .readdir = m_readdir,
    .unlink_at = m_unlink_at,
    .readlink_at = m_readlink_at,
};

/* }==================================================================== */

static int open_wm(struct wm *w) {
  weft_wasi_preopen pre[2];
  weft_wasi_config cfg;
  memset(pre, 0, sizeof pre);
  pre[0].host_path = "memory";
  pre[0].guest_path = "/secret";
  pre[0].fs = &mem_fs;
  pre[1].host_path = "/tmp";
  pre[1].guest_path = "/tmp";
  weft_wasi_config_default(&cfg);
  cfg.preopens = pre;
  cfg.npreopens = 2;
  return wm_open(w, &cfg);
}

static long long open_path(struct wm *w, uint32_t dir, const char *path,
                           uint32_t oflags) {
  uint32_t len = wm_str(w, A_PATH, path);
  long long e =
      WCALL(w, "path_open", dir, 1, A_PATH, len, oflags, R_RW, R_RW, 0, A_OUT);
  return e == 0 ? (long long)wm_get32(w, A_OUT) : -e;
}

static long long put(struct wm *w, uint32_t fd, const char *text) {
  uint32_t n = wm_str(w, A_BUF, text);
  wm_put32(w, A_IOV, A_BUF);
  wm_put32(w, A_IOV + 4, n);
  return WCALL(w, "fd_write", fd, A_IOV, 1, A_OUT);
}

static void test_memfs(void) {
  struct wm w;
  long long fd, fd2;
  uint32_t len, used, off, count = 0;

  memset(&mfs, 0, sizeof mfs);
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  /* the preopen is listed like any other */
  CHECK_EQ_INT(WCALL(&w, "fd_prestat_dir_name", 3, A_BUF, 7), 0);
  CHECK(memcmp(wm_mem(&w) + A_BUF, "/secret", 7) == 0);
  /* create, write, read back through another descriptor */
  fd = open_path(&w, 3, "db", 1 /* CREAT */);
  CHECK(fd > 4);
  CHECK_EQ_INT(put(&w, fd, "sealed data"), 0);
  CHECK_EQ_INT(wm_get32(&w, A_OUT), 11);
  fd2 = open_path(&w, 3, "./db", 0);
  CHECK(fd2 > 4);
  wm_put32(&w, A_IOV + 4, 64);
  memset(wm_mem(&w) + A_BUF, 0, 64);
  CHECK_EQ_INT(WCALL(&w, "fd_pread", fd2, A_IOV, 1, 7, A_OUT), 0);
  CHECK_EQ_INT(wm_get32(&w, A_OUT), 4);
  CHECK(memcmp(wm_mem(&w) + A_BUF, "data", 4) == 0);
  CHECK_EQ_INT(WCALL(&w, "fd_seek", fd2, -4, 2, A_OUT), 0);
  CHECK_EQ_INT(wm_get64(&w, A_OUT), 7);
  CHECK_EQ_INT(WCALL(&w, "fd_filestat_set_size", fd2, 6), 0);
  CHECK_EQ_INT(WCALL(&w, "fd_filestat_get", fd, A_BUF), 0);
  CHECK_EQ_INT(wm_get64(&w, A_BUF + 32), 6);
  /* path_filestat_get and readdir */
  len = wm_str(&w, A_PATH, "db");
  CHECK_EQ_INT(WCALL(&w, "path_filestat_get", 3, 1, A_PATH, len, A_BUF), 0);
  CHECK_EQ_INT(wm_mem(&w)[A_BUF + 16], WEFT_WASI_FILETYPE_REGULAR_FILE);
  CHECK_EQ_INT(open_path(&w, 3, "other", 1), fd2 + 1);
  CHECK_EQ_INT(WCALL(&w, "fd_readdir", 3, A_BUF, 512, 0, A_OUT), 0);
  used = wm_get32(&w, A_OUT);
  for (off = 0; off + 24 <= used; count++)
    off += 24 + wm_get32(&w, A_BUF + off + 16);
  CHECK_EQ_INT(count, 2);
  /* what it does not do, and what WASI keeps from it */
  CHECK_EQ_INT(WCALL(&w, "path_create_directory", 3, A_PATH, len),
               WEFT_WASI_ENOTSUP);
  len = wm_str(&w, A_PATH, "../etc/passwd");
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, A_PATH, len, 0, 0, 0, 0, A_OUT),
               WEFT_WASI_EPERM);
  len = wm_str(&w, A_PATH, "db/x");
  CHECK_EQ_INT(WCALL(&w, "path_unlink_file", 3, A_PATH, len),
               WEFT_WASI_ENOTDIR);
  /* two file systems: no rename or link between them */
  {
    uint32_t l2;
    len = wm_str(&w, A_PATH, "db");
    l2 = wm_str(&w, A_PATH + 64, "stolen_db");
    CHECK_EQ_INT(WCALL(&w, "path_rename", 3, A_PATH, len, 4, A_PATH + 64, l2),
                 WEFT_WASI_EXDEV);
    CHECK_EQ_INT(WCALL(&w, "path_link", 3, 0, A_PATH, len, 4, A_PATH + 64, l2),
                 WEFT_WASI_EXDEV);
  }
  len = wm_str(&w, A_PATH, "db");
  CHECK_EQ_INT(WCALL(&w, "path_unlink_file", 3, A_PATH, len), 0);
  CHECK(find("db") == NULL);
  CHECK_EQ_INT(mfs.bad_names, 0);
  wm_close(&w);
  CHECK_EQ_INT(mfs.open_handles, 0); /* every handle closed exactly once */
}

int main(void) {
  T_RUN(test_memfs);
  return T_DONE();
}
