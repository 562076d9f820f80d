/*
** pfs_vstore.c — the version store file (pfs_vstore.h). It lives outside
** the protected tree, so it uses POSIX files directly (not a weft_wasi_fs):
** a TEE build replaces this file by an RPMB or counter-backed store.
**
** File layout (little-endian):
**   0   8  magic "WEFTVST1"
**   8   4  format version = 1
**   12  4  flags = 0
**   16  8  generation (number of writes so far)
**   24  8  record count
**   32  .. records: ns_len u16, path_len u16, reserved u32 = 0,
**          file id (16), version u64, ns bytes, path bytes
**   end-32  HMAC-SHA256(K_store, every byte before it)
** The whole file is read at open and rewritten at every change.
**
** The directory that holds FILE may be writable by someone else (a guest
** with a --dir on it): every file of the store (FILE, FILE.tmp,
** FILE.lock) is opened by its last name inside a descriptor of that
** directory, with O_NOFOLLOW, so a symlink planted at one of those names
** is refused and never written through; the temporary file is removed
** and created anew with O_EXCL before each write, then renamed over FILE.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pfs_crypto.h"
#include "pfs_internal.h"
#include "pfs_vstore.h"

#define VS_HDR 32u
#define VS_REC 32u /* fixed part of a record */
#define VS_MAC 32u
#define VS_MAX_FILE ((size_t)64 << 20)
#define VS_MAX_NAME 4096u

static const uint8_t vs_magic[8] = {'W', 'E', 'F', 'T', 'V', 'S', 'T', '1'};

struct vs_rec {
  char *ns, *path;
  uint8_t id[16];
  uint64_t version;
};

struct vs_view {
  struct weft_pfs_vstore *s;
  struct vs_view *next;
  char ns[]; /* NUL-terminated */
};

struct weft_pfs_vstore {
  char *base, *tmp; /* last names of FILE and FILE.tmp in dir_fd */
  int dir_fd, lock_fd;
  uint8_t mac_key[32];
  uint64_t generation;
  struct vs_rec *rec;
  size_t n, cap;
  struct vs_view *views;
};

static int fail(char *err, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (len > 0)
    vsnprintf(err, len, fmt, ap);
  va_end(ap);
  return -1;
}

static char *dup_n(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d != NULL) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

/* {====================================================================
** Records in memory
** ===================================================================== */

static struct vs_rec *find(struct weft_pfs_vstore *s, const char *ns,
                           const char *path) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->rec[i].path, path) == 0 && strcmp(s->rec[i].ns, ns) == 0)
      return &s->rec[i];
  return NULL;
}

static struct vs_rec *add(struct weft_pfs_vstore *s, const char *ns,
                          size_t ns_len, const char *path, size_t path_len) {
  struct vs_rec *r;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    struct vs_rec *p = realloc(s->rec, cap * sizeof *p);
    if (p == NULL)
      return NULL;
    s->rec = p;
    s->cap = cap;
  }
  r = &s->rec[s->n];
  r->ns = dup_n(ns, ns_len);
  r->path = dup_n(path, path_len);
  if (r->ns == NULL || r->path == NULL) {
    free(r->ns);
    free(r->path);
    return NULL;
  }
  s->n++;
  return r;
}

static void drop(struct weft_pfs_vstore *s, struct vs_rec *r) {
  free(r->ns);
  free(r->path);
  *r = s->rec[--s->n];
}

/* }==================================================================== */

/* {====================================================================
** The file
** ===================================================================== */

/* Serialises every record and the MAC; NULL when out of memory. */
static uint8_t *encode(struct weft_pfs_vstore *s, uint64_t generation,
                       size_t *out_len) {
  size_t len = VS_HDR + VS_MAC, i;
  uint8_t *b, *p;

  for (i = 0; i < s->n; i++)
    len += VS_REC + strlen(s->rec[i].ns) + strlen(s->rec[i].path);
  b = malloc(len);
  if (b == NULL)
    return NULL;
  memcpy(b, vs_magic, 8);
  memset(b + 8, 0, 8);
  b[8] = 1; /* format version */
  put64(b + 16, generation);
  put64(b + 24, s->n);
  p = b + VS_HDR;
  for (i = 0; i < s->n; i++) {
    size_t nl = strlen(s->rec[i].ns), pl = strlen(s->rec[i].path);
    put16(p, (uint16_t)nl);
    put16(p + 2, (uint16_t)pl);
    memset(p + 4, 0, 4);
    memcpy(p + 8, s->rec[i].id, 16);
    put64(p + 24, s->rec[i].version);
    memcpy(p + VS_REC, s->rec[i].ns, nl);
    memcpy(p + VS_REC + nl, s->rec[i].path, pl);
    p += VS_REC + nl + pl;
  }
  if (pfs_hmac(s->mac_key, b, len - VS_MAC, NULL, 0, b + len - VS_MAC) != 0) {
    free(b);
    return NULL;
  }
  *out_len = len;
  return b;
}

static int write_all(int fd, const uint8_t *b, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, b, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    b += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Writes every record to a new temporary file and renames it over the
** store: a crash leaves the old store or the new one. Whatever was at the
** temporary name (a leftover, or a symlink someone planted) is removed
** first; O_EXCL | O_NOFOLLOW then refuses anything planted in between. */
static int save(struct weft_pfs_vstore *s) {
  size_t len = 0;
  uint8_t *b = encode(s, s->generation + 1, &len);
  int fd, rc = -1;

  if (b == NULL)
    return -1;
  if (unlinkat(s->dir_fd, s->tmp, 0) != 0 && errno != ENOENT) {
    free(b);
    return -1;
  }
  fd = openat(s->dir_fd, s->tmp,
              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0) {
    rc = write_all(fd, b, len) == 0 && fsync(fd) == 0 ? 0 : -1;
    if (close(fd) != 0)
      rc = -1;
  }
  if (rc == 0)
    rc = renameat(s->dir_fd, s->tmp, s->dir_fd, s->base);
  if (rc == 0)
    rc = fsync(s->dir_fd);
  if (rc == 0)
    s->generation++;
  free(b);
  return rc;
}

static int load(struct weft_pfs_vstore *s, const uint8_t *b, size_t len,
                char *err, size_t err_len) {
  uint8_t mac[32];
  const uint8_t *p, *end;
  uint64_t count, i;

  if (len < VS_HDR + VS_MAC || memcmp(b, vs_magic, 8) != 0)
    return fail(err, err_len, "not a weft version store");
  if (pfs_hmac(s->mac_key, b, len - VS_MAC, NULL, 0, mac) != 0)
    return fail(err, err_len, "cannot compute its MAC");
  if (pfs_ct_differ(mac, b + len - VS_MAC, VS_MAC))
    return fail(err, err_len,
                "failed authentication (modified, or written under "
                "another key)");
  if (get64(b + 8) != 1) /* format version 1, flags 0 */
    return fail(err, err_len, "unsupported format version or flags");
  s->generation = get64(b + 16);
  count = get64(b + 24);
  p = b + VS_HDR;
  end = b + len - VS_MAC;
  for (i = 0; i < count; i++) {
    size_t nl, pl;
    struct vs_rec *r;
    if ((size_t)(end - p) < VS_REC)
      return fail(err, err_len, "malformed (record %llu)",
                  (unsigned long long)i);
    nl = get16(p);
    pl = get16(p + 2);
    if ((size_t)(end - p) - VS_REC < nl + pl || pl == 0 ||
        memchr(p + VS_REC, 0, nl + pl) != NULL)
      return fail(err, err_len, "malformed (record %llu)",
                  (unsigned long long)i);
    r = add(s, (const char *)p + VS_REC, nl, (const char *)p + VS_REC + nl, pl);
    if (r == NULL)
      return fail(err, err_len, "out of memory");
    memcpy(r->id, p + 8, 16);
    r->version = get64(p + 24);
    p += VS_REC + nl + pl;
  }
  if (p != end)
    return fail(err, err_len, "malformed (trailing bytes)");
  return 0;
}

static int read_file(struct weft_pfs_vstore *s, uint8_t **out, size_t *out_len,
                     char *err, size_t err_len) {
  struct stat st;
  uint8_t *b;
  size_t done = 0;
  int fd = openat(s->dir_fd, s->base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return errno == ENOENT ? 1
           : errno == ELOOP
               ? fail(err, err_len,
                      "is a symlink (refused: the store is "
                      "never read or written through one)")
               : fail(err, err_len, "cannot open: %s", strerror(errno));
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (uint64_t)st.st_size > VS_MAX_FILE) {
    close(fd);
    return fail(err, err_len, "not a regular file of at most 64 MiB");
  }
  b = malloc((size_t)st.st_size + 1);
  if (b == NULL) {
    close(fd);
    return fail(err, err_len, "out of memory");
  }
  while (done < (size_t)st.st_size) {
    ssize_t n = read(fd, b + done, (size_t)st.st_size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += (size_t)n;
  }
  close(fd);
  if (done != (size_t)st.st_size) {
    free(b);
    return fail(err, err_len, "cannot read it");
  }
  *out = b;
  *out_len = done;
  return 0;
}

/* Splits `file` into its directory, opened as s->dir_fd, and its last
** name; fills s->base and s->tmp. 0, or -1 with errno set. */
static int open_dir(struct weft_pfs_vstore *s, const char *file) {
  const char *slash = strrchr(file, '/');
  const char *base = slash == NULL ? file : slash + 1;
  size_t bl = strlen(base);
  char *dir = slash == NULL   ? dup_n(".", 1)
              : slash == file ? dup_n("/", 1)
                              : dup_n(file, (size_t)(slash - file));

  s->base = dup_n(base, bl);
  s->tmp = malloc(bl + 5);
  if (dir == NULL || s->base == NULL || s->tmp == NULL) {
    free(dir);
    errno = ENOMEM;
    return -1;
  }
  memcpy(s->tmp, base, bl);
  memcpy(s->tmp + bl, ".tmp", 5);
  s->dir_fd = bl == 0 ? -1 : open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (bl == 0)
    errno = EISDIR;
  free(dir);
  return s->dir_fd < 0 ? -1 : 0;
}

/* Takes FILE.lock (created when missing, never through a symlink). */
static int take_lock(struct weft_pfs_vstore *s, const char *file, char *err,
                     size_t err_len) {
  size_t bl = strlen(s->base);
  char *lock = malloc(bl + 6);
  struct stat st;

  if (lock == NULL)
    return fail(err, err_len, "out of memory");
  memcpy(lock, s->base, bl);
  memcpy(lock + bl, ".lock", 6);
  s->lock_fd =
      openat(s->dir_fd, lock,
             O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  free(lock);
  if (s->lock_fd < 0)
    return fail(err, err_len,
                errno == ELOOP ? "its lock file %s.lock is a symlink (refused)"
                               : "cannot create its lock file %s.lock: %s",
                file, strerror(errno));
  if (fstat(s->lock_fd, &st) != 0 || !S_ISREG(st.st_mode))
    return fail(err, err_len, "its lock file %s.lock is not a regular file",
                file);
  if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0)
    return fail(err, err_len, "in use by another process (%s.lock)", file);
  return 0;
}

int weft_pfs_vstore_open(const char *file,
                         const uint8_t key[WEFT_PFS_KEY_BYTES], int may_create,
                         weft_pfs_vstore **out, char *err, size_t err_len) {
  struct weft_pfs_vstore *s = calloc(1, sizeof *s);
  size_t len = 0;
  uint8_t *b = NULL;
  int rc;

  *out = NULL;
  if (s == NULL)
    return fail(err, err_len, "out of memory");
  s->lock_fd = s->dir_fd = -1;
  if (open_dir(s, file) != 0) {
    rc = fail(err, err_len, "cannot open its directory: %s", strerror(errno));
    weft_pfs_vstore_free(s);
    return rc;
  }
  if (take_lock(s, file, err, err_len) != 0) {
    weft_pfs_vstore_free(s);
    return -1;
  }
  if (pfs_hkdf(NULL, 0, key, "weft-pfs v1 version store key", s->mac_key) !=
      0) {
    weft_pfs_vstore_free(s);
    return fail(err, err_len, "cannot derive its key");
  }
  rc = read_file(s, &b, &len, err, err_len);
  if (rc == 1 && !may_create)
    rc = fail(err, err_len, "does not exist (strict mode needs a store)");
  else if (rc == 1) /* a new, empty store, on disk at once */
    rc = save(s) == 0 ? 0
                      : fail(err, err_len, "cannot write: %s", strerror(errno));
  else if (rc == 0)
    rc = load(s, b, len, err, err_len);
  free(b);
  if (rc != 0) {
    weft_pfs_vstore_free(s);
    return -1;
  }
  *out = s;
  return 0;
}

size_t weft_pfs_vstore_count(const weft_pfs_vstore *s) { return s->n; }

void weft_pfs_vstore_free(weft_pfs_vstore *s) {
  if (s == NULL)
    return;
  while (s->n > 0)
    drop(s, &s->rec[s->n - 1]);
  free(s->rec);
  while (s->views != NULL) {
    struct vs_view *v = s->views;
    s->views = v->next;
    free(v);
  }
  if (s->lock_fd >= 0)
    close(s->lock_fd); /* releases the lock */
  if (s->dir_fd >= 0)
    close(s->dir_fd);
  pfs_wipe(s->mac_key, sizeof s->mac_key);
  free(s->base);
  free(s->tmp);
  free(s);
}

/* }==================================================================== */

/* {====================================================================
** The weft_pfs_freshness callbacks
** ===================================================================== */

static int vs_get(void *user, const char *path, uint8_t id[16],
                  uint64_t *version) {
  struct vs_view *v = user;
  struct vs_rec *r = find(v->s, v->ns, path);
  if (r == NULL)
    return 1;
  memcpy(id, r->id, 16);
  *version = r->version;
  return 0;
}

static int vs_set(void *user, const char *path, const uint8_t id[16],
                  uint64_t version) {
  struct vs_view *v = user;
  struct vs_rec *r = find(v->s, v->ns, path);
  size_t pl = strlen(path);

  if (r == NULL) {
    if (pl == 0 || pl > VS_MAX_NAME)
      return -1;
    r = add(v->s, v->ns, strlen(v->ns), path, pl);
    if (r == NULL)
      return -1;
  } else if (r->version == version && memcmp(r->id, id, 16) == 0) {
    return 0; /* already recorded */
  }
  memcpy(r->id, id, 16);
  r->version = version;
  return save(v->s);
}

static int vs_remove(void *user, const char *path) {
  struct vs_view *v = user;
  struct vs_rec *r = find(v->s, v->ns, path);
  if (r == NULL)
    return 0;
  drop(v->s, r);
  return save(v->s);
}

static int vs_rename(void *user, const char *from, const char *to) {
  struct vs_view *v = user;
  struct vs_rec *r = find(v->s, v->ns, from), *t;
  char *p;

  if (r == NULL || strcmp(from, to) == 0)
    return 0;
  if (strlen(to) == 0 || strlen(to) > VS_MAX_NAME || (p = strdup(to)) == NULL)
    return -1;
  t = find(v->s, v->ns, to);
  if (t != NULL) {
    drop(v->s, t); /* moves the last record into t's place */
    r = find(v->s, v->ns, from);
  }
  free(r->path);
  r->path = p;
  return save(v->s);
}

int weft_pfs_vstore_bind(weft_pfs_vstore *s, const char *ns,
                         weft_pfs_freshness *out) {
  size_t nl = strlen(ns);
  struct vs_view *v;

  if (nl > VS_MAX_NAME)
    return -1;
  v = malloc(sizeof *v + nl + 1);
  if (v == NULL)
    return -1;
  v->s = s;
  memcpy(v->ns, ns, nl + 1);
  v->next = s->views;
  s->views = v;
  memset(out, 0, sizeof *out);
  out->get = vs_get;
  out->set = vs_set;
  out->remove = vs_remove;
  out->rename = vs_rename;
  out->user = v;
  return 0;
}

/* }==================================================================== */
