/*
** pfs_fs.c — weft_pfs_fs(): the weft_wasi_fs of a protected preopen. It
** wraps the inner fs handle by handle, remembers each handle's path
** relative to the preopen (WASI resolves paths one component at a time,
** so open_beneath is left out), and routes regular files through
** pfs_file.c. Directories and names stay plaintext; symlinks are refused
** (pfs_readlink_at says why).
*/
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "pfs_internal.h"

struct weft_wasi_file {
  weft_wasi_file *inner; /* directories and others; NULL for pfs files */
  struct pfs_file *pf;   /* a protected regular file */
  uint8_t type;
  bool can_read, can_write;
  uint16_t fdflags;
  uint64_t pos;
  char *path; /* relative to the preopen; "" is the preopen itself */
};

#define PFS(user) ((struct weft_pfs *)(user))
#define INNER(p) (p)->inner, (p)->inner_user

/* {====================================================================
** Handles and paths
** ===================================================================== */

/* dir's path joined with one component (a trailing '/' dropped). */
static char *join_path(const char *dir, const char *name) {
  size_t dl = strlen(dir), nl = strlen(name);
  char *p;

  while (nl > 0 && name[nl - 1] == '/')
    nl--;
  if (nl == 1 && name[0] == '.')
    nl = 0;
  p = malloc(dl + nl + 2);
  if (p == NULL)
    return NULL;
  memcpy(p, dir, dl);
  if (nl > 0) {
    if (dl > 0)
      p[dl++] = '/';
    memcpy(p + dl, name, nl);
  }
  p[dl + nl] = '\0';
  return p;
}

static weft_wasi_file *handle_new(const char *dir, const char *name) {
  weft_wasi_file *f = calloc(1, sizeof *f);
  if (f == NULL)
    return NULL;
  f->path = join_path(dir, name);
  if (f->path == NULL) {
    free(f);
    return NULL;
  }
  return f;
}

static void handle_free(weft_wasi_file *f) {
  free(f->path);
  free(f);
}

static weft_wasi_errno pfs_open_root(void *user, const char *path,
                                     weft_wasi_file **out) {
  struct weft_pfs *p = PFS(user);
  weft_wasi_file *f = handle_new("", ".");
  weft_wasi_errno e;

  if (f == NULL)
    return WEFT_WASI_ENOMEM;
  e = p->inner->open_root(p->inner_user, path, &f->inner);
  if (e != WEFT_WASI_ESUCCESS) {
    handle_free(f);
    return e;
  }
  f->type = WEFT_WASI_FILETYPE_DIRECTORY;
  *out = f;
  return WEFT_WASI_ESUCCESS;
}

/* Opens a regular file behind `h` as protected. */
static weft_wasi_errno open_protected(struct weft_pfs *p, weft_wasi_file *f,
                                      weft_wasi_file *h, uint32_t flags,
                                      bool rw) {
  weft_wasi_errno e;

  e = pfs_file_acquire(p, h, rw, f->can_write, f->path,
                       (flags & WEFT_WASI_OPEN_CREAT) != 0, &f->pf);
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  if ((flags & WEFT_WASI_OPEN_TRUNC) && f->can_write) {
    e = pfs_file_set_size(f->pf, 0);
    if (e != WEFT_WASI_ESUCCESS) {
      pfs_file_release(f->pf);
      return e;
    }
  }
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno pfs_open_at(void *user, weft_wasi_file *dir,
                                   const char *name, uint32_t flags,
                                   uint16_t fdflags, weft_wasi_file **out,
                                   uint8_t *out_type) {
  struct weft_pfs *p = PFS(user);
  weft_wasi_file *f, *h = NULL;
  uint32_t inner_flags;
  uint8_t type = 0;
  bool rw;
  weft_wasi_errno e;

  f = handle_new(dir->path, name);
  if (f == NULL)
    return WEFT_WASI_ENOMEM;
  f->can_read = (flags & WEFT_WASI_OPEN_READ) != 0;
  f->can_write = (flags & WEFT_WASI_OPEN_WRITE) != 0;
  f->fdflags = fdflags & WEFT_WASI_FDFLAG_APPEND;
  /* The ciphertext is read and rewritten whatever the program asked for,
  ** and O_APPEND/O_TRUNC/sync flags mean other things on it: the pfs
  ** layer does those itself. */
  inner_flags =
      (flags & ~(uint32_t)WEFT_WASI_OPEN_TRUNC) | WEFT_WASI_OPEN_NOFOLLOW;
  if (!(flags & WEFT_WASI_OPEN_DIRECTORY))
    inner_flags |= WEFT_WASI_OPEN_READ;
  rw = !(flags & WEFT_WASI_OPEN_DIRECTORY);
  e = WEFT_WASI_EISDIR;
  if (rw) /* read-write first: recovery and flushes need it */
    e = p->inner->open_at(p->inner_user, dir->inner, name,
                          inner_flags | WEFT_WASI_OPEN_WRITE, 0, &h, &type);
  if (e == WEFT_WASI_EISDIR || e == WEFT_WASI_EACCES || e == WEFT_WASI_EROFS ||
      e == WEFT_WASI_EPERM || e == WEFT_WASI_ETXTBSY) {
    if (f->can_write && e != WEFT_WASI_EISDIR) {
      handle_free(f);
      return e;
    }
    rw = false;
    e = p->inner->open_at(p->inner_user, dir->inner, name, inner_flags, 0, &h,
                          &type);
  }
  if (e != WEFT_WASI_ESUCCESS) {
    handle_free(f);
    return e;
  }
  f->type = type;
  if (type == WEFT_WASI_FILETYPE_REGULAR_FILE)
    e = open_protected(p, f, h, flags, rw);
  else if (f->can_write && type != WEFT_WASI_FILETYPE_DIRECTORY) {
    p->inner->close(p->inner_user, h); /* devices, sockets: not here */
    e = WEFT_WASI_EACCES;
  } else
    f->inner = h;
  if (e != WEFT_WASI_ESUCCESS) {
    handle_free(f);
    return e;
  }
  *out = f;
  *out_type = type;
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno pfs_close(void *user, weft_wasi_file *f) {
  struct weft_pfs *p = PFS(user);
  weft_wasi_errno e = WEFT_WASI_ESUCCESS;

  if (f->pf != NULL)
    e = pfs_file_release(f->pf);
  else if (f->inner != NULL)
    e = p->inner->close(p->inner_user, f->inner);
  handle_free(f);
  return e;
}

/* }==================================================================== */

/* {====================================================================
** Bytes
** ===================================================================== */

static weft_wasi_errno do_read(weft_wasi_file *f, const weft_wasi_iovec *iov,
                               size_t cnt, uint64_t off, size_t *out_n) {
  size_t total = 0, i;

  if (f->pf == NULL)
    return f->type == WEFT_WASI_FILETYPE_DIRECTORY ? WEFT_WASI_EISDIR
                                                   : WEFT_WASI_EBADF;
  if (!f->can_read)
    return WEFT_WASI_EBADF;
  for (i = 0; i < cnt; i++) {
    size_t n = 0;
    weft_wasi_errno e =
        pfs_file_read(f->pf, off + total, iov[i].buf, iov[i].len, &n);
    total += n;
    if (e != WEFT_WASI_ESUCCESS) {
      *out_n = total;
      return total > 0 ? WEFT_WASI_ESUCCESS : e;
    }
    if (n < iov[i].len)
      break;
  }
  *out_n = total;
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno do_write(weft_wasi_file *f, const weft_wasi_iovec *iov,
                                size_t cnt, uint64_t off, size_t *out_n) {
  size_t total = 0, i;

  if (f->pf == NULL)
    return f->type == WEFT_WASI_FILETYPE_DIRECTORY ? WEFT_WASI_EISDIR
                                                   : WEFT_WASI_EBADF;
  if (!f->can_write)
    return WEFT_WASI_EBADF;
  for (i = 0; i < cnt; i++) {
    weft_wasi_errno e =
        pfs_file_write(f->pf, off + total, iov[i].buf, iov[i].len);
    if (e != WEFT_WASI_ESUCCESS) {
      *out_n = total;
      return total > 0 ? WEFT_WASI_ESUCCESS : e;
    }
    total += iov[i].len;
  }
  *out_n = total;
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno pfs_read(void *user, weft_wasi_file *f,
                                const weft_wasi_iovec *iov, size_t cnt,
                                size_t *out_n) {
  weft_wasi_errno e = do_read(f, iov, cnt, f->pos, out_n);
  (void)user;
  if (e == WEFT_WASI_ESUCCESS)
    f->pos += *out_n;
  return e;
}

static weft_wasi_errno pfs_write(void *user, weft_wasi_file *f,
                                 const weft_wasi_iovec *iov, size_t cnt,
                                 size_t *out_n) {
  weft_wasi_errno e;
  (void)user;
  if (f->pf != NULL && (f->fdflags & WEFT_WASI_FDFLAG_APPEND))
    f->pos = f->pf->size;
  e = do_write(f, iov, cnt, f->pos, out_n);
  if (e == WEFT_WASI_ESUCCESS)
    f->pos += *out_n;
  return e;
}

static weft_wasi_errno pfs_pread(void *user, weft_wasi_file *f,
                                 const weft_wasi_iovec *iov, size_t cnt,
                                 uint64_t off, size_t *out_n) {
  (void)user;
  return do_read(f, iov, cnt, off, out_n);
}

static weft_wasi_errno pfs_pwrite(void *user, weft_wasi_file *f,
                                  const weft_wasi_iovec *iov, size_t cnt,
                                  uint64_t off, size_t *out_n) {
  (void)user;
  return do_write(f, iov, cnt, off, out_n);
}

static weft_wasi_errno pfs_seek(void *user, weft_wasi_file *f, int64_t off,
                                uint8_t whence, uint64_t *out) {
  int64_t base;
  (void)user;
  if (f->pf == NULL)
    return f->type == WEFT_WASI_FILETYPE_DIRECTORY ? WEFT_WASI_EISDIR
                                                   : WEFT_WASI_ESPIPE;
  base = whence == WEFT_WASI_WHENCE_SET   ? 0
         : whence == WEFT_WASI_WHENCE_CUR ? (int64_t)f->pos
                                          : (int64_t)f->pf->size;
  if ((off < 0 && base + off < 0) || (off > 0 && base > INT64_MAX - off))
    return WEFT_WASI_EINVAL;
  f->pos = (uint64_t)(base + off);
  *out = f->pos;
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */

/* {====================================================================
** Attributes
** ===================================================================== */

static weft_wasi_errno pfs_fstat(void *user, weft_wasi_file *f,
                                 weft_wasi_filestat *out) {
  struct weft_pfs *p = PFS(user);
  weft_wasi_errno e;

  if (f->pf == NULL)
    return p->inner->fstat(p->inner_user, f->inner, out);
  e = p->inner->fstat(p->inner_user, f->pf->h, out);
  if (e == WEFT_WASI_ESUCCESS)
    out->size = f->pf->size; /* the logical size, not the ciphertext's */
  return e;
}

static weft_wasi_errno pfs_stat_at(void *user, weft_wasi_file *dir,
                                   const char *name, weft_wasi_filestat *out) {
  struct weft_pfs *p = PFS(user);
  weft_wasi_file *f;
  uint8_t type;
  weft_wasi_errno e;

  e = p->inner->stat_at(p->inner_user, dir->inner, name, out);
  if (e != WEFT_WASI_ESUCCESS ||
      out->filetype != WEFT_WASI_FILETYPE_REGULAR_FILE)
    return e;
  /* A protected file's size is in its metadata node. */
  e = pfs_open_at(user, dir, name, WEFT_WASI_OPEN_READ, 0, &f, &type);
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  if (f->pf != NULL)
    out->size = f->pf->size;
  pfs_close(user, f);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno pfs_set_size(void *user, weft_wasi_file *f,
                                    uint64_t size) {
  (void)user;
  if (f->pf == NULL)
    return WEFT_WASI_EINVAL;
  if (!f->can_write)
    return WEFT_WASI_EBADF;
  return pfs_file_set_size(f->pf, size);
}

static weft_wasi_errno pfs_set_times(void *user, weft_wasi_file *f,
                                     uint64_t atim, uint64_t mtim,
                                     uint16_t fst) {
  struct weft_pfs *p = PFS(user);
  return p->inner->set_times(p->inner_user, f->pf ? f->pf->h : f->inner, atim,
                             mtim, fst);
}

static weft_wasi_errno pfs_set_times_at(void *user, weft_wasi_file *dir,
                                        const char *name, uint64_t atim,
                                        uint64_t mtim, uint16_t fst) {
  struct weft_pfs *p = PFS(user);
  return p->inner->set_times_at(p->inner_user, dir->inner, name, atim, mtim,
                                fst);
}

/* }==================================================================== */

/* {====================================================================
** Directories: plaintext names, passed through
** ===================================================================== */

static weft_wasi_errno pfs_readdir(void *user, weft_wasi_file *dir,
                                   uint64_t cookie, weft_wasi_dirent_fn fn,
                                   void *ctx) {
  struct weft_pfs *p = PFS(user);
  if (dir->inner == NULL)
    return WEFT_WASI_ENOTDIR;
  return p->inner->readdir(p->inner_user, dir->inner, cookie, fn, ctx);
}

static weft_wasi_errno pfs_mkdir_at(void *user, weft_wasi_file *dir,
                                    const char *name) {
  struct weft_pfs *p = PFS(user);
  return p->inner->mkdir_at(p->inner_user, dir->inner, name);
}

static weft_wasi_errno pfs_unlink_at(void *user, weft_wasi_file *dir,
                                     const char *name) {
  struct weft_pfs *p = PFS(user);
  char *path;
  weft_wasi_errno e = p->inner->unlink_at(p->inner_user, dir->inner, name);

  /* The host first, then the store: a crash in between leaves a record
  ** of a file that is gone, which a new file of that name replaces. */
  if (e != WEFT_WASI_ESUCCESS || !p->has_fresh)
    return e;
  path = join_path(dir->path, name);
  if (path == NULL)
    return WEFT_WASI_ENOMEM;
  e = pfs_fresh_unlinked(p, path);
  free(path);
  return e;
}

static weft_wasi_errno pfs_rmdir_at(void *user, weft_wasi_file *dir,
                                    const char *name) {
  struct weft_pfs *p = PFS(user);
  return p->inner->rmdir_at(p->inner_user, dir->inner, name);
}

/* Renaming a protected file rebinds it: the metadata first names both
** paths, then the host rename, then only the new path. A directory that
** holds anything cannot be renamed (its files are bound to their paths). */
static weft_wasi_errno pfs_rename_at(void *user, weft_wasi_file *dir,
                                     const char *name, weft_wasi_file *new_dir,
                                     const char *new_name) {
  struct weft_pfs *p = PFS(user);
  weft_wasi_filestat st;
  weft_wasi_file *f;
  char *new_path;
  uint8_t type;
  weft_wasi_errno e, e2;

  e = p->inner->stat_at(p->inner_user, dir->inner, name, &st);
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  if (st.filetype == WEFT_WASI_FILETYPE_DIRECTORY) {
    e = p->inner->rename_at(p->inner_user, dir->inner, name, new_dir->inner,
                            new_name);
    /* Only an empty directory may move: otherwise put it back. */
    if (e == WEFT_WASI_ESUCCESS) {
      e2 = p->inner->rmdir_at(p->inner_user, new_dir->inner, new_name);
      if (e2 == WEFT_WASI_ESUCCESS)
        return p->inner->mkdir_at(p->inner_user, new_dir->inner, new_name);
      p->inner->rename_at(p->inner_user, new_dir->inner, new_name, dir->inner,
                          name);
      return WEFT_WASI_ENOTSUP;
    }
    return e;
  }
  if (st.filetype != WEFT_WASI_FILETYPE_REGULAR_FILE)
    return p->inner->rename_at(p->inner_user, dir->inner, name, new_dir->inner,
                               new_name);
  e = pfs_open_at(user, dir, name, WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE,
                  0, &f, &type);
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  new_path = join_path(new_dir->path, new_name);
  if (new_path == NULL) {
    pfs_close(user, f);
    return WEFT_WASI_ENOMEM;
  }
  e = pfs_file_rebind(f->pf, new_path);
  if (e == WEFT_WASI_ESUCCESS) {
    e = p->inner->rename_at(p->inner_user, dir->inner, name, new_dir->inner,
                            new_name);
    /* The store follows the host; until it does, an open finds the
    ** record under the old name (both names are bound). */
    bool moved = e == WEFT_WASI_ESUCCESS;
    e2 = moved ? pfs_fresh_renamed(p, f->path, new_path) : WEFT_WASI_ESUCCESS;
    if (e == WEFT_WASI_ESUCCESS)
      e = e2;
    e2 = pfs_file_rebind_done(f->pf, moved, f->path);
    if (e == WEFT_WASI_ESUCCESS)
      e = e2;
  }
  free(new_path);
  pfs_close(user, f);
  return e;
}

static weft_wasi_errno pfs_link_at(void *user, weft_wasi_file *dir,
                                   const char *name, weft_wasi_file *new_dir,
                                   const char *new_name) {
  (void)user;
  (void)dir;
  (void)name;
  (void)new_dir;
  (void)new_name;
  return WEFT_WASI_ENOTSUP; /* a second name would break the path binding */
}

/* Symlinks are refused in a protected directory. A file is bound to its
** path, but WASI follows a symlink by splicing its target into the path,
** so a symlink planted on the host (names are plaintext, and nothing
** authenticates a link) would make one protected file or directory stand
** in for another under the other's name: reads would return the other
** file's data and writes would land in it. So none is created, and one
** met on the way (WASI asks readlink_at before following) fails the
** lookup with ELOOP and a report. */
static weft_wasi_errno pfs_symlink_at(void *user, const char *target,
                                      weft_wasi_file *dir, const char *name) {
  (void)user;
  (void)target;
  (void)dir;
  (void)name;
  return WEFT_WASI_ENOTSUP;
}

static weft_wasi_errno pfs_readlink_at(void *user, weft_wasi_file *dir,
                                       const char *name, char *buf, size_t cap,
                                       size_t *out_len) {
  struct weft_pfs *p = PFS(user);
  char *path;
  weft_wasi_errno e =
      p->inner->readlink_at(p->inner_user, dir->inner, name, buf, cap, out_len);

  if (e != WEFT_WASI_ESUCCESS)
    return e; /* EINVAL: not a symlink */
  path = join_path(dir->path, name);
  pfs_report(p, path != NULL ? path : name,
             "is a symlink on the host: refused (a symlink in a protected "
             "directory could make another file stand in for this one)");
  free(path);
  return WEFT_WASI_ELOOP;
}

/* }==================================================================== */

/* {====================================================================
** Everything else
** ===================================================================== */

static weft_wasi_errno pfs_sync(void *user, weft_wasi_file *f, int data_only) {
  struct weft_pfs *p = PFS(user);
  if (f->pf == NULL)
    return p->inner->sync(p->inner_user, f->inner, data_only);
  if (!f->pf->writable)
    return WEFT_WASI_ESUCCESS;
  return pfs_file_flush(f->pf, true);
}

static weft_wasi_errno pfs_advise(void *user, weft_wasi_file *f, uint64_t off,
                                  uint64_t len, uint8_t advice) {
  (void)user;
  (void)f;
  (void)off;
  (void)len;
  return advice > 5 ? WEFT_WASI_EINVAL : WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno pfs_allocate(void *user, weft_wasi_file *f, uint64_t off,
                                    uint64_t len) {
  (void)user;
  if (f->pf == NULL)
    return WEFT_WASI_EBADF;
  if (len == 0)
    return WEFT_WASI_EINVAL;
  if (!f->can_write)
    return WEFT_WASI_EBADF;
  if (off + len < off)
    return WEFT_WASI_EFBIG;
  if (off + len > f->pf->size)
    return pfs_file_set_size(f->pf, off + len);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno pfs_set_flags(void *user, weft_wasi_file *f,
                                     uint16_t fdflags) {
  (void)user;
  f->fdflags = fdflags & WEFT_WASI_FDFLAG_APPEND;
  return WEFT_WASI_ESUCCESS;
}

static int pfs_poll_handle(void *user, weft_wasi_file *f) {
  (void)user;
  (void)f;
  return -1; /* files and directories are always ready */
}

/* }==================================================================== */

static const weft_wasi_fs pfs_fs = {
    .version = WEFT_WASI_FS_VERSION,
    .open_root = pfs_open_root,
    .open_at = pfs_open_at,
    .open_beneath = NULL, /* WASI walks: every component passes here */
    .close = pfs_close,
    .read = pfs_read,
    .write = pfs_write,
    .pread = pfs_pread,
    .pwrite = pfs_pwrite,
    .seek = pfs_seek,
    .fstat = pfs_fstat,
    .stat_at = pfs_stat_at,
    .set_size = pfs_set_size,
    .set_times = pfs_set_times,
    .set_times_at = pfs_set_times_at,
    .readdir = pfs_readdir,
    .mkdir_at = pfs_mkdir_at,
    .unlink_at = pfs_unlink_at,
    .rmdir_at = pfs_rmdir_at,
    .rename_at = pfs_rename_at,
    .link_at = pfs_link_at,
    .symlink_at = pfs_symlink_at,
    .readlink_at = pfs_readlink_at,
    .sync = pfs_sync,
    .advise = pfs_advise,
    .allocate = pfs_allocate,
    .set_flags = pfs_set_flags,
    .poll_handle = pfs_poll_handle,
};

const weft_wasi_fs *weft_pfs_fs(void) { return &pfs_fs; }

/* K_preopen = HKDF(master key, info = "weft-pfs v2 preopen key " || mount):
** the keys of every file below derive from it, which binds each file to
** its preopen as its path binds it to its place there. */
static int derive_preopen_key(struct weft_pfs *p, const uint8_t *master,
                              const char *mount) {
  static const char label[] = "weft-pfs v2 preopen key ";
  size_t ml = strlen(mount);
  char *info = malloc(sizeof label + ml);
  int rc;

  if (info == NULL)
    return -1;
  memcpy(info, label, sizeof label - 1);
  memcpy(info + sizeof label - 1, mount, ml + 1);
  rc = pfs_hkdf(NULL, 0, master, info, p->key);
  free(info);
  return rc;
}

int weft_pfs_new(const weft_pfs_config *config, weft_pfs **out_pfs) {
  struct weft_pfs *p = calloc(1, sizeof *p);

  *out_pfs = NULL;
  if (p == NULL)
    return -1;
  if (derive_preopen_key(p, config->key,
                         config->mount != NULL ? config->mount : "") != 0) {
    free(p);
    return -1;
  }
  p->inner = config->inner != NULL ? config->inner : weft_wasi_fs_host();
  p->inner_user = config->inner_user;
  p->report = config->report;
  p->report_user = config->report_user;
  if (config->freshness != NULL) {
    p->fresh = *config->freshness;
    p->has_fresh = true;
    p->fresh_strict = config->freshness_strict != 0;
  }
  p->rng = pfs_rng_new();
  if (p->rng == NULL) {
    weft_pfs_free(p);
    return -1;
  }
  *out_pfs = p;
  return 0;
}

void weft_pfs_free(weft_pfs *p) {
  if (p == NULL)
    return;
  while (p->files != NULL) { /* handles WASI did not close */
    p->files->refs = 1;
    pfs_file_release(p->files);
  }
  pfs_rng_free(p->rng);
  pfs_wipe(p->key, sizeof p->key);
  free(p);
}

int weft_pfs_parse_key(const uint8_t *b, size_t len,
                       uint8_t out[WEFT_PFS_KEY_BYTES]) {
  if (len == WEFT_PFS_KEY_BYTES) {
    memcpy(out, b, WEFT_PFS_KEY_BYTES);
    return 0;
  }
  while (len > 0 &&
         (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r')) {
    b++;
    len--;
  }
  while (len > 0 && (b[len - 1] == ' ' || b[len - 1] == '\t' ||
                     b[len - 1] == '\n' || b[len - 1] == '\r'))
    len--;
  return measure_unhex((const char *)b, len, out, WEFT_PFS_KEY_BYTES);
}
