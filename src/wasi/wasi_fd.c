/*
** wasi_fd.c — the fd table (rights that only shrink, preopens) and every
** fd_* function. Guest ranges are checked before any effect, so a call
** that fails with EFAULT has done nothing; structs are built zeroed.
*/
#include "wasi.h"

/* {====================================================================
** The table
** ===================================================================== */

u16 wf_wasi_fd_get(struct weft_wasi *w, u32 fd, u64 need,
                   struct wf_wasi_fd **out) {
  struct wf_wasi_fd *e;
  u64 missing;

  if (fd >= w->nfds || w->fds[fd].fs == NULL)
    return WEFT_WASI_EBADF;
  e = &w->fds[fd];
  missing = need & ~e->base;
  if (missing != 0)
    return WEFT_WASI_ENOTCAPABLE;
  *out = e;
  return WEFT_WASI_ESUCCESS;
}

u16 wf_wasi_fd_alloc(struct weft_wasi *w, u32 *out_fd) {
  u32 fd, cap;
  struct wf_wasi_fd *grown;

  for (fd = 0; fd < w->nfds; fd++)
    if (w->fds[fd].fs == NULL)
      goto found;
  if (w->nfds == w->fds_cap) {
    if (w->fds_cap >= WF_WASI_MAX_FDS)
      return WEFT_WASI_EMFILE;
    cap = w->fds_cap * 2 > WF_WASI_MAX_FDS ? WF_WASI_MAX_FDS : w->fds_cap * 2;
    grown = wf_alloc_resize(w->alloc, w->fds, w->fds_cap * sizeof *w->fds,
                            cap * sizeof *w->fds);
    if (grown == NULL)
      return WEFT_WASI_ENOMEM;
    memset(grown + w->fds_cap, 0, (cap - w->fds_cap) * sizeof *grown);
    w->fds = grown;
    w->fds_cap = cap;
  }
  fd = w->nfds++;
found:
  memset(&w->fds[fd], 0, sizeof w->fds[fd]);
  w->fresh = false;
  *out_fd = fd;
  return WEFT_WASI_ESUCCESS;
}

void wf_wasi_fd_release(struct weft_wasi *w, u32 fd) {
  struct wf_wasi_fd *e = &w->fds[fd];

  /* A preopen's handle is its root's, closed by weft_wasi_free. */
  if (e->fs != NULL && e->file != NULL && e->origin != WF_FD_PREOPEN)
    e->fs->close(e->fs_user, e->file);
  if (e->path != NULL)
    wf_alloc_free(w->alloc, e->path, e->path_len + 1);
  memset(e, 0, sizeof *e);
}

u16 wf_wasi_iovecs(struct weft_wasi *w, const struct wf_mem *m, u32 iovs,
                   u32 iovs_len, size_t *out_n) {
  u64 total = 0;
  u32 i;
  size_t n = 0;

  if (!wf_mem_ok(m, iovs, (u64)iovs_len * 8))
    return WEFT_WASI_EFAULT;
  for (i = 0; i < iovs_len; i++) {
    const u8 *p = m->base + iovs + 8 * (u64)i;
    u32 buf = wf_get_u32(p), len = wf_get_u32(p + 4);
    if (!wf_mem_ok(m, buf, len))
      return WEFT_WASI_EFAULT;
    total += len;
    if (len == 0)
      continue;
    if (n == WF_WASI_IOV_MAX)
      return WEFT_WASI_EINVAL;
    w->iov[n].buf = m->base + buf;
    w->iov[n].len = len;
    n++;
  }
  if (total > UINT32_MAX)
    return WEFT_WASI_EINVAL; /* the byte count would not fit the result */
  *out_n = n;
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */

/* {====================================================================
** Descriptor state
** ===================================================================== */

WF_WASI_FN(fd_close) {
  struct wf_wasi_fd *e;
  u16 r = wf_wasi_fd_get(w, a[0].u32, 0, &e);

  WF_UNUSED(m);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  /* Preopens may be closed too, as wasmtime and the wasi-testsuite do. */
  wf_wasi_fd_release(w, a[0].u32);
  w->fresh = false;
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(fd_renumber) {
  u32 from = a[0].u32, to = a[1].u32;
  struct wf_wasi_fd *e;
  u16 r;

  WF_UNUSED(m);
  if ((r = wf_wasi_fd_get(w, from, 0, &e)) != WEFT_WASI_ESUCCESS ||
      (r = wf_wasi_fd_get(w, to, 0, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  if (from == to)
    return WEFT_WASI_ESUCCESS;
  w->fresh = false;
  wf_wasi_fd_release(w, to);
  w->fds[to] = w->fds[from];
  memset(&w->fds[from], 0, sizeof w->fds[from]);
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(fd_fdstat_get) {
  struct wf_wasi_fd *e;
  u32 ptr = a[1].u32;
  u8 st[24];
  u16 r;

  if (!wf_mem_ok(m, ptr, sizeof st))
    return WEFT_WASI_EFAULT;
  if ((r = wf_wasi_fd_get(w, a[0].u32, 0, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  memset(st, 0, sizeof st);
  st[0] = e->filetype;
  wf_put_u16(st + 2, e->fdflags);
  wf_put_u64(st + 8, e->base);
  wf_put_u64(st + 16, e->inheriting);
  memcpy(m->base + ptr, st, sizeof st);
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(fd_fdstat_set_flags) {
  struct wf_wasi_fd *e;
  u32 flags = a[1].u32;
  const u32 sync =
      WEFT_WASI_FDFLAG_DSYNC | WEFT_WASI_FDFLAG_RSYNC | WEFT_WASI_FDFLAG_SYNC;
  u16 r;

  WF_UNUSED(m);
  if ((r = wf_wasi_fd_get(w, a[0].u32, WF_R_FD_FDSTAT_SET_FLAGS, &e)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  if (flags > 0x1f)
    return WEFT_WASI_EINVAL;
  if ((flags ^ e->fdflags) & sync)
    return WEFT_WASI_ENOTSUP; /* POSIX cannot change the sync flags */
  if (e->fs->set_flags == NULL)
    return WEFT_WASI_ENOTSUP;
  r = e->fs->set_flags(e->fs_user, e->file, (u16)flags);
  if (r == WEFT_WASI_ESUCCESS)
    e->fdflags = (u16)flags;
  return r;
}

WF_WASI_FN(fd_fdstat_set_rights) {
  struct wf_wasi_fd *e;
  u64 base = a[1].u64, inheriting = a[2].u64;
  u16 r;

  WF_UNUSED(m);
  if ((r = wf_wasi_fd_get(w, a[0].u32, 0, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  if ((base & ~e->base) != 0 || (inheriting & ~e->inheriting) != 0)
    return WEFT_WASI_ENOTCAPABLE; /* rights only ever shrink */
  e->base = base;
  e->inheriting = inheriting;
  return WEFT_WASI_ESUCCESS;
}

void wf_wasi_put_filestat(u8 *out, const weft_wasi_filestat *st) {
  u8 b[64];
  memset(b, 0, sizeof b);
  wf_put_u64(b + 0, st->dev);
  wf_put_u64(b + 8, st->ino);
  b[16] = st->filetype;
  wf_put_u64(b + 24, st->nlink);
  wf_put_u64(b + 32, st->size);
  wf_put_u64(b + 40, st->atim);
  wf_put_u64(b + 48, st->mtim);
  wf_put_u64(b + 56, st->ctim);
  memcpy(out, b, sizeof b);
}

u16 wf_wasi_check_fstflags(u32 fst) {
  if (fst > 0xf)
    return WEFT_WASI_EINVAL;
  if ((fst & WEFT_WASI_FSTFLAG_ATIM) && (fst & WEFT_WASI_FSTFLAG_ATIM_NOW))
    return WEFT_WASI_EINVAL;
  if ((fst & WEFT_WASI_FSTFLAG_MTIM) && (fst & WEFT_WASI_FSTFLAG_MTIM_NOW))
    return WEFT_WASI_EINVAL;
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(fd_filestat_get) {
  struct wf_wasi_fd *e;
  weft_wasi_filestat st;
  u32 ptr = a[1].u32;
  u16 r;

  if (!wf_mem_ok(m, ptr, 64))
    return WEFT_WASI_EFAULT;
  if ((r = wf_wasi_fd_get(w, a[0].u32, WF_R_FD_FILESTAT_GET, &e)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  memset(&st, 0, sizeof st);
  r = e->fs->fstat ? e->fs->fstat(e->fs_user, e->file, &st) : WEFT_WASI_ENOTSUP;
  if (r == WEFT_WASI_ESUCCESS)
    wf_wasi_put_filestat(m->base + ptr, &st);
  return r;
}

WF_WASI_FN(fd_filestat_set_size) {
  struct wf_wasi_fd *e;
  u16 r;

  WF_UNUSED(m);
  if ((r = wf_wasi_fd_get(w, a[0].u32, WF_R_FD_FILESTAT_SET_SIZE, &e)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  if (a[1].u64 > INT64_MAX)
    return WEFT_WASI_EINVAL;
  return e->fs->set_size ? e->fs->set_size(e->fs_user, e->file, a[1].u64)
                         : WEFT_WASI_ENOTSUP;
}

WF_WASI_FN(fd_filestat_set_times) {
  struct wf_wasi_fd *e;
  u16 r;

  WF_UNUSED(m);
  if ((r = wf_wasi_fd_get(w, a[0].u32, WF_R_FD_FILESTAT_SET_TIMES, &e)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  if ((r = wf_wasi_check_fstflags(a[3].u32)) != WEFT_WASI_ESUCCESS)
    return r;
  return e->fs->set_times ? e->fs->set_times(e->fs_user, e->file, a[1].u64,
                                             a[2].u64, (u16)a[3].u32)
                          : WEFT_WASI_ENOTSUP;
}

WF_WASI_FN(fd_prestat_get) {
  struct wf_wasi_fd *e;
  u32 ptr = a[1].u32;
  u8 st[8];
  u16 r;

  if (!wf_mem_ok(m, ptr, sizeof st))
    return WEFT_WASI_EFAULT;
  if ((r = wf_wasi_fd_get(w, a[0].u32, 0, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  if (e->preopen == NULL)
    return WEFT_WASI_EBADF;
  memset(st, 0, sizeof st);
  st[0] = 0; /* preopentype dir */
  wf_put_u32(st + 4, e->preopen_len);
  memcpy(m->base + ptr, st, sizeof st);
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(fd_prestat_dir_name) {
  struct wf_wasi_fd *e;
  u32 ptr = a[1].u32, len = a[2].u32;
  u16 r;

  if (!wf_mem_ok(m, ptr, len))
    return WEFT_WASI_EFAULT;
  if ((r = wf_wasi_fd_get(w, a[0].u32, 0, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  if (e->preopen == NULL)
    return WEFT_WASI_EBADF;
  if (len < e->preopen_len)
    return WEFT_WASI_ENAMETOOLONG;
  memcpy(m->base + ptr, e->preopen, e->preopen_len);
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */

/* {====================================================================
** Bytes
** ===================================================================== */

/* Shared by read/write/pread/pwrite: checks the result pointer and the
** iovecs, then calls the fs. `positioned` adds an offset. */
static u16 transfer(struct weft_wasi *w, const struct wf_mem *m,
                    const weft_slot *a, bool is_write, bool positioned) {
  u32 fd = a[0].u32, iovs = a[1].u32, iovs_len = a[2].u32;
  u32 result_ptr = positioned ? a[4].u32 : a[3].u32;
  u64 offset = positioned ? a[3].u64 : 0;
  u64 need = is_write ? WF_R_FD_WRITE : WF_R_FD_READ;
  struct wf_wasi_fd *e;
  size_t n = 0, done = 0;
  u16 r;

  if (!wf_mem_ok(m, result_ptr, 4))
    return WEFT_WASI_EFAULT;
  if ((r = wf_wasi_fd_get(w, fd, need, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  if ((r = wf_wasi_iovecs(w, m, iovs, iovs_len, &n)) != WEFT_WASI_ESUCCESS)
    return r;
  if (positioned) {
    if (!(e->base & WF_R_FD_SEEK))
      return e->filetype == WEFT_WASI_FILETYPE_DIRECTORY ? WEFT_WASI_EISDIR
                                                         : WEFT_WASI_ESPIPE;
    if (offset > INT64_MAX)
      return WEFT_WASI_EINVAL;
  }
  while (n != 0) {
    const weft_wasi_fs *fs = e->fs;
    if (positioned && is_write)
      r = fs->pwrite ? fs->pwrite(e->fs_user, e->file, w->iov, n, offset, &done)
                     : WEFT_WASI_ENOTSUP;
    else if (positioned)
      r = fs->pread ? fs->pread(e->fs_user, e->file, w->iov, n, offset, &done)
                    : WEFT_WASI_ENOTSUP;
    else if (is_write)
      r = fs->write ? fs->write(e->fs_user, e->file, w->iov, n, &done)
                    : WEFT_WASI_ENOTSUP;
    else
      r = fs->read ? fs->read(e->fs_user, e->file, w->iov, n, &done)
                   : WEFT_WASI_ENOTSUP;
    if (r == WEFT_WASI_EINTR && !positioned) {
      if (!wf_wasi_retry_blocked(w))
        return WF_WASI_STOPPED;
      continue; /* a pipe or terminal, interrupted before any byte */
    }
    if (r != WEFT_WASI_ESUCCESS)
      return r;
    break;
  }
  if (e->io_slot != 0) { /* per-stream accounting: one add */
    struct wf_wasi_io *io = &w->io[e->io_slot - 1];
    if (is_write)
      io->written += done;
    else
      io->read += done;
  }
  wf_put_u32(m->base + result_ptr, (u32)done);
  return WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(fd_read) { return transfer(w, m, a, false, false); }
WF_WASI_FN(fd_write) { return transfer(w, m, a, true, false); }
WF_WASI_FN(fd_pread) { return transfer(w, m, a, false, true); }
WF_WASI_FN(fd_pwrite) { return transfer(w, m, a, true, true); }

/* Pipes, terminals and sockets cannot seek: ESPIPE, whatever the rights
** (their fdstat shows no FD_SEEK / FD_TELL, which is how wasi-libc's
** isatty() recognises a terminal). */
static u16 seekable_fd_get(struct weft_wasi *w, u32 fd, u64 need,
                           struct wf_wasi_fd **out) {
  u16 r = wf_wasi_fd_get(w, fd, 0, out);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if ((*out)->filetype != WEFT_WASI_FILETYPE_REGULAR_FILE &&
      (*out)->filetype != WEFT_WASI_FILETYPE_DIRECTORY &&
      (*out)->filetype != WEFT_WASI_FILETYPE_BLOCK_DEVICE &&
      !((*out)->base & need))
    return WEFT_WASI_ESPIPE;
  return wf_wasi_fd_get(w, fd, need, out);
}

WF_WASI_FN(fd_seek) {
  struct wf_wasi_fd *e;
  i64 offset = a[1].i64;
  u32 whence = a[2].u32, ptr = a[3].u32;
  u64 need = WF_R_FD_SEEK, pos = 0;
  u16 r;

  if (!wf_mem_ok(m, ptr, 8))
    return WEFT_WASI_EFAULT;
  if (offset == 0 && whence == WEFT_WASI_WHENCE_CUR)
    need = WF_R_FD_TELL; /* only asks where we are */
  if ((r = seekable_fd_get(w, a[0].u32, need, &e)) != WEFT_WASI_ESUCCESS)
    return r;
  if (whence > WEFT_WASI_WHENCE_END)
    return WEFT_WASI_EINVAL;
  if (e->fs->seek == NULL)
    return WEFT_WASI_ESPIPE;
  r = e->fs->seek(e->fs_user, e->file, offset, (u8)whence, &pos);
  if (r == WEFT_WASI_ESUCCESS)
    wf_put_u64(m->base + ptr, pos);
  return r;
}

WF_WASI_FN(fd_tell) {
  struct wf_wasi_fd *e;
  u32 ptr = a[1].u32;
  u64 pos = 0;
  u16 r;

  if (!wf_mem_ok(m, ptr, 8))
    return WEFT_WASI_EFAULT;
  if ((r = seekable_fd_get(w, a[0].u32, WF_R_FD_TELL, &e)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  if (e->fs->seek == NULL)
    return WEFT_WASI_ESPIPE;
  r = e->fs->seek(e->fs_user, e->file, 0, WEFT_WASI_WHENCE_CUR, &pos);
  if (r == WEFT_WASI_ESUCCESS)
    wf_put_u64(m->base + ptr, pos);
  return r;
}

static u16 sync_fd(struct weft_wasi *w, u32 fd, u64 need, int data_only) {
  struct wf_wasi_fd *e;
  u16 r = wf_wasi_fd_get(w, fd, need, &e);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  return e->fs->sync ? e->fs->sync(e->fs_user, e->file, data_only)
                     : WEFT_WASI_ESUCCESS;
}

WF_WASI_FN(fd_sync) {
  WF_UNUSED(m);
  return sync_fd(w, a[0].u32, WF_R_FD_SYNC, 0);
}

WF_WASI_FN(fd_datasync) {
  WF_UNUSED(m);
  return sync_fd(w, a[0].u32, WF_R_FD_DATASYNC, 1);
}

WF_WASI_FN(fd_advise) {
  struct wf_wasi_fd *e;
  u32 advice = a[3].u32;
  u16 r;

  WF_UNUSED(m);
  if ((r = wf_wasi_fd_get(w, a[0].u32, WF_R_FD_ADVISE, &e)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  if (advice > 5)
    return WEFT_WASI_EINVAL;
  if (e->filetype == WEFT_WASI_FILETYPE_DIRECTORY)
    return WEFT_WASI_EBADF;
  return e->fs->advise ? e->fs->advise(e->fs_user, e->file, a[1].u64, a[2].u64,
                                       (u8)advice)
                       : WEFT_WASI_ESUCCESS; /* advice may be ignored */
}

WF_WASI_FN(fd_allocate) {
  struct wf_wasi_fd *e;
  u64 offset = a[1].u64, len = a[2].u64;
  u16 r;

  WF_UNUSED(m);
  if ((r = wf_wasi_fd_get(w, a[0].u32, WF_R_FD_ALLOCATE, &e)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  if (offset > INT64_MAX || len > INT64_MAX || len > INT64_MAX - offset)
    return WEFT_WASI_EINVAL;
  return e->fs->allocate ? e->fs->allocate(e->fs_user, e->file, offset, len)
                         : WEFT_WASI_ENOTSUP;
}

/* }==================================================================== */

/* {====================================================================
** fd_readdir
** ===================================================================== */

struct dirent_out {
  u8 *buf;
  u32 cap;
  u32 used;
};

/* Appends one dirent (24-byte header + name). When it does not fit, the
** part that does is written and the buffer is reported full, as WASI
** specifies (the program then asks again from this entry's cookie). */
static int put_dirent(void *ctx, uint64_t next, uint64_t ino, uint8_t type,
                      const char *name, size_t name_len) {
  struct dirent_out *o = ctx;
  u8 hdr[24];
  u32 room = o->cap - o->used;
  size_t n;

  memset(hdr, 0, sizeof hdr);
  wf_put_u64(hdr, next);
  wf_put_u64(hdr + 8, ino);
  wf_put_u32(hdr + 16, (u32)name_len);
  hdr[20] = type;
  n = room < sizeof hdr ? room : sizeof hdr;
  memcpy(o->buf + o->used, hdr, n);
  o->used += (u32)n;
  room -= (u32)n;
  if (room == 0)
    return 1;
  n = room < name_len ? room : name_len;
  memcpy(o->buf + o->used, name, n);
  o->used += (u32)n;
  return o->used == o->cap;
}

WF_WASI_FN(fd_readdir) {
  struct wf_wasi_fd *e;
  u32 buf = a[1].u32, len = a[2].u32, used_ptr = a[4].u32;
  u64 cookie = a[3].u64;
  struct dirent_out out;
  u16 r;

  if (!wf_mem_ok(m, buf, len) || !wf_mem_ok(m, used_ptr, 4))
    return WEFT_WASI_EFAULT;
  if ((r = wf_wasi_fd_get(w, a[0].u32, WF_R_FD_READDIR, &e)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  if (e->filetype != WEFT_WASI_FILETYPE_DIRECTORY)
    return WEFT_WASI_ENOTDIR;
  if (e->fs->readdir == NULL)
    return WEFT_WASI_ENOTSUP;
  out.buf = m->base + buf;
  out.cap = len;
  out.used = 0;
  if (len != 0) {
    r = e->fs->readdir(e->fs_user, e->file, cookie, put_dirent, &out);
    if (r != WEFT_WASI_ESUCCESS)
      return r;
  }
  wf_put_u32(m->base + used_ptr, out.used);
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */
