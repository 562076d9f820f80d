/*
** wasi_fs_posix.c — weft_wasi_fs_host(): WASI's file operations on a
** POSIX host (Linux first). Every *_at call acts on one name inside a
** directory descriptor and never follows a symlink unless asked; multi-
** component paths go through open_beneath, which is openat2 with
** RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (ENOSYS where the kernel or the
** headers lack it: WASI then walks the path itself). Errors are returned
** as WASI errno values.
*/
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/openat2.h>
#endif

#include "weft_wasi_fs.h"
#include "wasi_posix.h"

struct weft_wasi_file {
  int fd;
  bool borrowed;    /* adopted host descriptor: close() leaves it open */
  int host_fl;      /* borrowed: its F_GETFL flags, restored by close() */
  uint8_t type;     /* WEFT_WASI_FILETYPE_* */
  DIR *dir;         /* readdir stream over a dup of fd, made on first use */
  uint64_t dir_pos; /* cookie of the entry readdir() returns next */
  /* An entry read from `dir` that did not fit the program's buffer; it is
  ** handed out first when the program asks again from its cookie. */
  bool pending;
  uint64_t p_cookie, p_ino;
  uint8_t p_type;
  size_t p_len;
  char p_name[256];
};

/* {====================================================================
** errno
** ===================================================================== */

weft_wasi_errno wf_posix_errno(int e) {
  switch (e) {
  case 0: return WEFT_WASI_ESUCCESS;
  case E2BIG: return WEFT_WASI_E2BIG;
  case EACCES: return WEFT_WASI_EACCES;
  case EADDRINUSE: return WEFT_WASI_EADDRINUSE;
  case EADDRNOTAVAIL: return WEFT_WASI_EADDRNOTAVAIL;
  case EAFNOSUPPORT: return WEFT_WASI_EAFNOSUPPORT;
  case EAGAIN: return WEFT_WASI_EAGAIN;
  case EALREADY: return WEFT_WASI_EALREADY;
  case EBADF: return WEFT_WASI_EBADF;
  case EBADMSG: return WEFT_WASI_EBADMSG;
  case EBUSY: return WEFT_WASI_EBUSY;
  case ECANCELED: return WEFT_WASI_ECANCELED;
  case ECHILD: return WEFT_WASI_ECHILD;
  case ECONNABORTED: return WEFT_WASI_ECONNABORTED;
  case ECONNREFUSED: return WEFT_WASI_ECONNREFUSED;
  case ECONNRESET: return WEFT_WASI_ECONNRESET;
  case EDEADLK: return WEFT_WASI_EDEADLK;
  case EDESTADDRREQ: return WEFT_WASI_EDESTADDRREQ;
  case EDOM: return WEFT_WASI_EDOM;
  case EDQUOT: return WEFT_WASI_EDQUOT;
  case EEXIST: return WEFT_WASI_EEXIST;
  case EFAULT: return WEFT_WASI_EFAULT;
  case EFBIG: return WEFT_WASI_EFBIG;
  case EHOSTUNREACH: return WEFT_WASI_EHOSTUNREACH;
  case EIDRM: return WEFT_WASI_EIDRM;
  case EILSEQ: return WEFT_WASI_EILSEQ;
  case EINPROGRESS: return WEFT_WASI_EINPROGRESS;
  case EINTR: return WEFT_WASI_EINTR;
  case EINVAL: return WEFT_WASI_EINVAL;
  case EIO: return WEFT_WASI_EIO;
  case EISCONN: return WEFT_WASI_EISCONN;
  case EISDIR: return WEFT_WASI_EISDIR;
  case ELOOP: return WEFT_WASI_ELOOP;
  case EMFILE: return WEFT_WASI_EMFILE;
  case EMLINK: return WEFT_WASI_EMLINK;
  case EMSGSIZE: return WEFT_WASI_EMSGSIZE;
  case EMULTIHOP: return WEFT_WASI_EMULTIHOP;
  case ENAMETOOLONG: return WEFT_WASI_ENAMETOOLONG;
  case ENETDOWN: return WEFT_WASI_ENETDOWN;
  case ENETRESET: return WEFT_WASI_ENETRESET;
  case ENETUNREACH: return WEFT_WASI_ENETUNREACH;
  case ENFILE: return WEFT_WASI_ENFILE;
  case ENOBUFS: return WEFT_WASI_ENOBUFS;
  case ENODEV: return WEFT_WASI_ENODEV;
  case ENOENT: return WEFT_WASI_ENOENT;
  case ENOEXEC: return WEFT_WASI_ENOEXEC;
  case ENOLCK: return WEFT_WASI_ENOLCK;
  case ENOLINK: return WEFT_WASI_ENOLINK;
  case ENOMEM: return WEFT_WASI_ENOMEM;
  case ENOMSG: return WEFT_WASI_ENOMSG;
  case ENOPROTOOPT: return WEFT_WASI_ENOPROTOOPT;
  case ENOSPC: return WEFT_WASI_ENOSPC;
  case ENOSYS: return WEFT_WASI_ENOSYS;
  case ENOTCONN: return WEFT_WASI_ENOTCONN;
  case ENOTDIR: return WEFT_WASI_ENOTDIR;
  case ENOTEMPTY: return WEFT_WASI_ENOTEMPTY;
  case ENOTRECOVERABLE: return WEFT_WASI_ENOTRECOVERABLE;
  case ENOTSOCK: return WEFT_WASI_ENOTSOCK;
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
  case EOPNOTSUPP: return WEFT_WASI_ENOTSUP;
#endif
  case ENOTSUP: return WEFT_WASI_ENOTSUP;
  case ENOTTY: return WEFT_WASI_ENOTTY;
  case ENXIO: return WEFT_WASI_ENXIO;
  case EOVERFLOW: return WEFT_WASI_EOVERFLOW;
  case EOWNERDEAD: return WEFT_WASI_EOWNERDEAD;
  case EPERM: return WEFT_WASI_EPERM;
  case EPIPE: return WEFT_WASI_EPIPE;
  case EPROTO: return WEFT_WASI_EPROTO;
  case EPROTONOSUPPORT: return WEFT_WASI_EPROTONOSUPPORT;
  case EPROTOTYPE: return WEFT_WASI_EPROTOTYPE;
  case ERANGE: return WEFT_WASI_ERANGE;
  case EROFS: return WEFT_WASI_EROFS;
  case ESPIPE: return WEFT_WASI_ESPIPE;
  case ESRCH: return WEFT_WASI_ESRCH;
  case ESTALE: return WEFT_WASI_ESTALE;
  case ETIMEDOUT: return WEFT_WASI_ETIMEDOUT;
  case ETXTBSY: return WEFT_WASI_ETXTBSY;
  case EXDEV: return WEFT_WASI_EXDEV;
  default: return WEFT_WASI_EIO;
  }
}

static weft_wasi_errno last_errno(void) { return wf_posix_errno(errno); }

/* A name ending in '/' makes the kernel follow a final symlink despite
** AT_SYMLINK_NOFOLLOW and O_NOFOLLOW: the check-then-use race of issue P7.
** WASI never passes one (the contract in weft_wasi_fs.h: one component, no
** '/'); refuse it if anyone does. Host-side callers of this fs that pass
** several components (the protected-files tests do) are trusted. */
static bool bad_name(const char *name) {
  size_t n = strlen(name);
  return n > 0 && name[n - 1] == '/';
}

/* }==================================================================== */

/* {====================================================================
** Types and attributes
** ===================================================================== */

static uint8_t socket_type(int fd) {
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
      type == SOCK_DGRAM)
    return WEFT_WASI_FILETYPE_SOCKET_DGRAM;
  return WEFT_WASI_FILETYPE_SOCKET_STREAM;
}

/* fd is only consulted for sockets (may be -1). */
static uint8_t filetype_of(mode_t mode, int fd) {
  if (S_ISREG(mode))
    return WEFT_WASI_FILETYPE_REGULAR_FILE;
  if (S_ISDIR(mode))
    return WEFT_WASI_FILETYPE_DIRECTORY;
  if (S_ISLNK(mode))
    return WEFT_WASI_FILETYPE_SYMBOLIC_LINK;
  if (S_ISCHR(mode))
    return WEFT_WASI_FILETYPE_CHARACTER_DEVICE;
  if (S_ISBLK(mode))
    return WEFT_WASI_FILETYPE_BLOCK_DEVICE;
  if (S_ISSOCK(mode))
    return fd >= 0 ? socket_type(fd) : WEFT_WASI_FILETYPE_SOCKET_STREAM;
  return WEFT_WASI_FILETYPE_UNKNOWN; /* FIFOs too, as wasmtime */
}

static uint64_t ns_of(struct timespec ts) {
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void convert_stat(const struct stat *st, int fd,
                         weft_wasi_filestat *out) {
  memset(out, 0, sizeof *out);
  out->dev = (uint64_t)st->st_dev;
  out->ino = (uint64_t)st->st_ino;
  out->filetype = filetype_of(st->st_mode, fd);
  out->nlink = (uint64_t)st->st_nlink;
  out->size = (uint64_t)st->st_size;
  out->atim = ns_of(st->st_atim);
  out->mtim = ns_of(st->st_mtim);
  out->ctim = ns_of(st->st_ctim);
}

/* }==================================================================== */

/* {====================================================================
** Opening and closing
** ===================================================================== */

static weft_wasi_errno new_file(int fd, bool borrowed,
                                weft_wasi_file **out_file, uint8_t *out_type) {
  struct weft_wasi_file *f;
  struct stat st;

  if (fstat(fd, &st) != 0) {
    weft_wasi_errno e = last_errno();
    if (!borrowed)
      close(fd);
    return e;
  }
  f = calloc(1, sizeof *f);
  if (f == NULL) {
    if (!borrowed)
      close(fd);
    return WEFT_WASI_ENOMEM;
  }
  f->fd = fd;
  f->borrowed = borrowed;
  f->type = filetype_of(st.st_mode, fd);
  *out_file = f;
  if (out_type != NULL)
    *out_type = f->type;
  return WEFT_WASI_ESUCCESS;
}

static int open_flags(uint32_t flags, uint16_t fdflags) {
  int o = O_CLOEXEC | O_NOCTTY;
  bool rd = (flags & WEFT_WASI_OPEN_READ) != 0;
  bool wr = (flags & WEFT_WASI_OPEN_WRITE) != 0;

  if (rd && wr)
    o |= O_RDWR;
  else if (wr)
    o |= O_WRONLY;
  else if (rd)
    o |= O_RDONLY;
  else if (flags & WEFT_WASI_OPEN_DIRECTORY)
    o |= O_PATH; /* a directory only used to reach names below it */
  else
    o |= O_RDONLY;
  if (flags & WEFT_WASI_OPEN_CREAT)
    o |= O_CREAT;
  if (flags & WEFT_WASI_OPEN_EXCL)
    o |= O_EXCL;
  if (flags & WEFT_WASI_OPEN_TRUNC)
    o |= O_TRUNC;
  if (flags & WEFT_WASI_OPEN_DIRECTORY)
    o |= O_DIRECTORY;
  if (flags & WEFT_WASI_OPEN_NOFOLLOW)
    o |= O_NOFOLLOW;
  if (fdflags & WEFT_WASI_FDFLAG_APPEND)
    o |= O_APPEND;
  if (fdflags & WEFT_WASI_FDFLAG_DSYNC)
    o |= O_DSYNC;
  if (fdflags & WEFT_WASI_FDFLAG_SYNC)
    o |= O_SYNC;
  if (fdflags & WEFT_WASI_FDFLAG_RSYNC)
    o |= O_RSYNC;
  if (fdflags & WEFT_WASI_FDFLAG_NONBLOCK)
    o |= O_NONBLOCK;
  return o;
}

static weft_wasi_errno posix_open_root(void *user, const char *path,
                                       weft_wasi_file **out_file) {
  int fd;
  uint8_t type = 0;
  weft_wasi_errno e;

  (void)user;
  fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return last_errno();
  e = new_file(fd, false, out_file, &type);
  if (e == WEFT_WASI_ESUCCESS && type != WEFT_WASI_FILETYPE_DIRECTORY) {
    close(fd);
    free(*out_file);
    return WEFT_WASI_ENOTDIR;
  }
  return e;
}

static weft_wasi_errno
posix_open_at(void *user, weft_wasi_file *dir, const char *name, uint32_t flags,
              uint16_t fdflags, weft_wasi_file **out_file, uint8_t *out_type) {
  int fd;

  (void)user;
  if (bad_name(name))
    return WEFT_WASI_EINVAL;
  do
    fd = openat(dir->fd, name, open_flags(flags, fdflags), 0666);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return last_errno();
  return new_file(fd, false, out_file, out_type);
}

static weft_wasi_errno posix_open_beneath(void *user, weft_wasi_file *dir,
                                          const char *path, uint32_t flags,
                                          uint16_t fdflags,
                                          weft_wasi_file **out_file,
                                          uint8_t *out_type) {
#if defined(__linux__) && defined(SYS_openat2) && defined(RESOLVE_BENEATH)
  struct open_how how;
  long fd;

  (void)user;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)open_flags(flags, fdflags);
  how.mode = (flags & WEFT_WASI_OPEN_CREAT) ? 0666 : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  do
    fd = syscall(SYS_openat2, dir->fd, path, &how, sizeof how);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return errno == E2BIG ? WEFT_WASI_ENOSYS : last_errno();
  return new_file((int)fd, false, out_file, out_type);
#else
  (void)user;
  (void)dir;
  (void)path;
  (void)flags;
  (void)fdflags;
  (void)out_file;
  (void)out_type;
  return WEFT_WASI_ENOSYS;
#endif
}

static weft_wasi_errno posix_close(void *user, weft_wasi_file *f) {
  int rc = 0;

  (void)user;
  if (f->dir != NULL)
    closedir(f->dir);
  if (f->borrowed)
    fcntl(f->fd, F_SETFL, f->host_fl); /* e.g. no O_NONBLOCK left behind */
  else
    rc = close(f->fd);
  free(f);
  return rc == 0 || errno == EINTR ? WEFT_WASI_ESUCCESS : last_errno();
}

static weft_wasi_errno posix_adopt(void *user, int host_fd,
                                   weft_wasi_file **out_file, uint8_t *out_type,
                                   uint16_t *out_fdflags) {
  int fl;
  uint16_t flags = 0;
  weft_wasi_errno e;

  (void)user;
  fl = fcntl(host_fd, F_GETFL);
  if (fl < 0)
    return last_errno();
  if (fl & O_APPEND)
    flags |= WEFT_WASI_FDFLAG_APPEND;
  if (fl & O_NONBLOCK)
    flags |= WEFT_WASI_FDFLAG_NONBLOCK;
  if ((fl & O_SYNC) == O_SYNC)
    flags |= WEFT_WASI_FDFLAG_SYNC;
  else if (fl & O_DSYNC)
    flags |= WEFT_WASI_FDFLAG_DSYNC;
  e = new_file(host_fd, true, out_file, out_type);
  if (e == WEFT_WASI_ESUCCESS) {
    (*out_file)->host_fl = fl;
    *out_fdflags = flags;
  }
  return e;
}

/* }==================================================================== */

/* {====================================================================
** Bytes
** ===================================================================== */

/* weft_wasi_iovec and struct iovec have the same members; copy anyway
** rather than rely on the layout. */
#define IOV_MAX_LOCAL 1024

static size_t to_iovec(const weft_wasi_iovec *iov, size_t n,
                       struct iovec *out) {
  size_t i;
  if (n > IOV_MAX_LOCAL)
    n = IOV_MAX_LOCAL;
  for (i = 0; i < n; i++) {
    out[i].iov_base = iov[i].buf;
    out[i].iov_len = iov[i].len;
  }
  return n;
}

static weft_wasi_errno io_result(ssize_t n, size_t *out_n) {
  if (n < 0)
    return last_errno();
  *out_n = (size_t)n;
  return WEFT_WASI_ESUCCESS;
}

/* A read or write that a signal interrupted before it moved a byte: files
** and directories (which do not block) are retried here; on pipes,
** terminals and sockets the EINTR goes back to WASI, which asks its block
** hook (a snapshot may be taken there) and issues the call again. */
static bool retry_eintr(const weft_wasi_file *f) {
  return errno == EINTR && (f->type == WEFT_WASI_FILETYPE_REGULAR_FILE ||
                            f->type == WEFT_WASI_FILETYPE_DIRECTORY);
}

static weft_wasi_errno posix_read(void *user, weft_wasi_file *f,
                                  const weft_wasi_iovec *iov, size_t n,
                                  size_t *out_n) {
  struct iovec v[IOV_MAX_LOCAL];
  ssize_t r;
  (void)user;
  n = to_iovec(iov, n, v);
  do
    r = readv(f->fd, v, (int)n);
  while (r < 0 && retry_eintr(f));
  return io_result(r, out_n);
}

static weft_wasi_errno posix_write(void *user, weft_wasi_file *f,
                                   const weft_wasi_iovec *iov, size_t n,
                                   size_t *out_n) {
  struct iovec v[IOV_MAX_LOCAL];
  ssize_t r;
  (void)user;
  n = to_iovec(iov, n, v);
  do
    r = writev(f->fd, v, (int)n);
  while (r < 0 && retry_eintr(f));
  return io_result(r, out_n);
}

static weft_wasi_errno posix_pread(void *user, weft_wasi_file *f,
                                   const weft_wasi_iovec *iov, size_t n,
                                   uint64_t offset, size_t *out_n) {
  struct iovec v[IOV_MAX_LOCAL];
  ssize_t r;
  (void)user;
  n = to_iovec(iov, n, v);
  do
    r = preadv(f->fd, v, (int)n, (off_t)offset);
  while (r < 0 && errno == EINTR);
  return io_result(r, out_n);
}

static weft_wasi_errno posix_pwrite(void *user, weft_wasi_file *f,
                                    const weft_wasi_iovec *iov, size_t n,
                                    uint64_t offset, size_t *out_n) {
  struct iovec v[IOV_MAX_LOCAL];
  ssize_t r;
  (void)user;
  n = to_iovec(iov, n, v);
  do
    r = pwritev(f->fd, v, (int)n, (off_t)offset);
  while (r < 0 && errno == EINTR);
  return io_result(r, out_n);
}

static weft_wasi_errno posix_seek(void *user, weft_wasi_file *f, int64_t offset,
                                  uint8_t whence, uint64_t *out_offset) {
  int how = whence == WEFT_WASI_WHENCE_SET   ? SEEK_SET
            : whence == WEFT_WASI_WHENCE_CUR ? SEEK_CUR
                                             : SEEK_END;
  off_t r;
  (void)user;
  r = lseek(f->fd, (off_t)offset, how);
  if (r < 0)
    return last_errno();
  *out_offset = (uint64_t)r;
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */

/* {====================================================================
** Attributes
** ===================================================================== */

static weft_wasi_errno posix_fstat(void *user, weft_wasi_file *f,
                                   weft_wasi_filestat *out) {
  struct stat st;
  (void)user;
  if (fstat(f->fd, &st) != 0)
    return last_errno();
  convert_stat(&st, f->fd, out);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno posix_stat_at(void *user, weft_wasi_file *dir,
                                     const char *name,
                                     weft_wasi_filestat *out) {
  struct stat st;
  (void)user;
  if (bad_name(name))
    return WEFT_WASI_EINVAL;
  if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return last_errno();
  convert_stat(&st, -1, out);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno posix_set_size(void *user, weft_wasi_file *f,
                                      uint64_t size) {
  int r;
  (void)user;
  do
    r = ftruncate(f->fd, (off_t)size);
  while (r != 0 && errno == EINTR);
  return r == 0 ? WEFT_WASI_ESUCCESS : last_errno();
}

static void make_times(uint64_t atim, uint64_t mtim, uint16_t fst,
                       struct timespec ts[2]) {
  ts[0].tv_sec = (time_t)(atim / 1000000000u);
  ts[0].tv_nsec = (long)(atim % 1000000000u);
  ts[1].tv_sec = (time_t)(mtim / 1000000000u);
  ts[1].tv_nsec = (long)(mtim % 1000000000u);
  if (fst & WEFT_WASI_FSTFLAG_ATIM_NOW)
    ts[0].tv_nsec = UTIME_NOW;
  else if (!(fst & WEFT_WASI_FSTFLAG_ATIM))
    ts[0].tv_nsec = UTIME_OMIT;
  if (fst & WEFT_WASI_FSTFLAG_MTIM_NOW)
    ts[1].tv_nsec = UTIME_NOW;
  else if (!(fst & WEFT_WASI_FSTFLAG_MTIM))
    ts[1].tv_nsec = UTIME_OMIT;
}

static weft_wasi_errno posix_set_times(void *user, weft_wasi_file *f,
                                       uint64_t atim, uint64_t mtim,
                                       uint16_t fst) {
  struct timespec ts[2];
  (void)user;
  make_times(atim, mtim, fst, ts);
  return futimens(f->fd, ts) == 0 ? WEFT_WASI_ESUCCESS : last_errno();
}

static weft_wasi_errno posix_set_times_at(void *user, weft_wasi_file *dir,
                                          const char *name, uint64_t atim,
                                          uint64_t mtim, uint16_t fst) {
  struct timespec ts[2];
  (void)user;
  if (bad_name(name))
    return WEFT_WASI_EINVAL;
  make_times(atim, mtim, fst, ts);
  return utimensat(dir->fd, name, ts, AT_SYMLINK_NOFOLLOW) == 0
             ? WEFT_WASI_ESUCCESS
             : last_errno();
}

/* }==================================================================== */

/* {====================================================================
** Directories
** ===================================================================== */

static uint8_t dirent_type(int dirfd, const struct dirent *de) {
  struct stat st;
  switch (de->d_type) {
  case DT_REG: return WEFT_WASI_FILETYPE_REGULAR_FILE;
  case DT_DIR: return WEFT_WASI_FILETYPE_DIRECTORY;
  case DT_LNK: return WEFT_WASI_FILETYPE_SYMBOLIC_LINK;
  case DT_CHR: return WEFT_WASI_FILETYPE_CHARACTER_DEVICE;
  case DT_BLK: return WEFT_WASI_FILETYPE_BLOCK_DEVICE;
  case DT_SOCK: return WEFT_WASI_FILETYPE_SOCKET_STREAM;
  case DT_UNKNOWN:
    if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
      return filetype_of(st.st_mode, -1);
    return WEFT_WASI_FILETYPE_UNKNOWN;
  default: return WEFT_WASI_FILETYPE_UNKNOWN;
  }
}

/* Positions the stream so that readdir() returns the entry of `cookie`
** next (cookie = index of the entry). */
static weft_wasi_errno dir_seek(weft_wasi_file *f, uint64_t cookie) {
  if (f->dir == NULL) {
    int fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
      return last_errno();
    f->dir = fdopendir(fd);
    if (f->dir == NULL) {
      weft_wasi_errno e = last_errno();
      close(fd);
      return e;
    }
    f->dir_pos = 0;
    f->pending = false;
  }
  /* Cookie 0 always starts a fresh listing, as rewinddir() does. */
  if (cookie != 0 && f->pending && cookie == f->p_cookie)
    return WEFT_WASI_ESUCCESS;
  f->pending = false;
  if (cookie != 0 && cookie == f->dir_pos)
    return WEFT_WASI_ESUCCESS;
  rewinddir(f->dir);
  f->dir_pos = 0;
  while (f->dir_pos < cookie) {
    errno = 0;
    if (readdir(f->dir) == NULL)
      return errno != 0 ? last_errno() : WEFT_WASI_ESUCCESS;
    f->dir_pos++;
  }
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno posix_readdir(void *user, weft_wasi_file *f,
                                     uint64_t cookie, weft_wasi_dirent_fn fn,
                                     void *ctx) {
  weft_wasi_errno e;

  (void)user;
  if ((e = dir_seek(f, cookie)) != WEFT_WASI_ESUCCESS)
    return e;
  if (f->pending) {
    if (fn(ctx, f->p_cookie + 1, f->p_ino, f->p_type, f->p_name, f->p_len))
      return WEFT_WASI_ESUCCESS;
    f->pending = false;
  } else if (f->dir_pos != cookie) {
    return WEFT_WASI_ESUCCESS; /* cookie past the end */
  }
  for (;;) {
    struct dirent *de;
    uint8_t type;
    size_t len;
    errno = 0;
    de = readdir(f->dir);
    if (de == NULL)
      return errno != 0 ? last_errno() : WEFT_WASI_ESUCCESS;
    f->dir_pos++;
    type = dirent_type(f->fd, de);
    len = strlen(de->d_name);
    if (fn(ctx, f->dir_pos, (uint64_t)de->d_ino, type, de->d_name, len)) {
      if (len < sizeof f->p_name) {
        f->pending = true;
        f->p_cookie = f->dir_pos - 1;
        f->p_ino = (uint64_t)de->d_ino;
        f->p_type = type;
        f->p_len = len;
        memcpy(f->p_name, de->d_name, len + 1);
      }
      return WEFT_WASI_ESUCCESS;
    }
  }
}

static weft_wasi_errno posix_mkdir_at(void *user, weft_wasi_file *dir,
                                      const char *name) {
  (void)user;
  if (bad_name(name))
    return WEFT_WASI_EINVAL;
  return mkdirat(dir->fd, name, 0777) == 0 ? WEFT_WASI_ESUCCESS : last_errno();
}

static weft_wasi_errno posix_unlink_at(void *user, weft_wasi_file *dir,
                                       const char *name) {
  (void)user;
  if (bad_name(name))
    return WEFT_WASI_EINVAL;
  return unlinkat(dir->fd, name, 0) == 0 ? WEFT_WASI_ESUCCESS : last_errno();
}

static weft_wasi_errno posix_rmdir_at(void *user, weft_wasi_file *dir,
                                      const char *name) {
  (void)user;
  if (bad_name(name))
    return WEFT_WASI_EINVAL;
  return unlinkat(dir->fd, name, AT_REMOVEDIR) == 0 ? WEFT_WASI_ESUCCESS
                                                    : last_errno();
}

static weft_wasi_errno posix_rename_at(void *user, weft_wasi_file *dir,
                                       const char *name,
                                       weft_wasi_file *new_dir,
                                       const char *new_name) {
  (void)user;
  if (bad_name(name) || bad_name(new_name))
    return WEFT_WASI_EINVAL;
  return renameat(dir->fd, name, new_dir->fd, new_name) == 0
             ? WEFT_WASI_ESUCCESS
             : last_errno();
}

static weft_wasi_errno posix_link_at(void *user, weft_wasi_file *dir,
                                     const char *name, weft_wasi_file *new_dir,
                                     const char *new_name) {
  (void)user;
  if (bad_name(name) || bad_name(new_name))
    return WEFT_WASI_EINVAL;
  return linkat(dir->fd, name, new_dir->fd, new_name, 0) == 0
             ? WEFT_WASI_ESUCCESS
             : last_errno();
}

static weft_wasi_errno posix_symlink_at(void *user, const char *target,
                                        weft_wasi_file *dir, const char *name) {
  (void)user;
  if (bad_name(name))
    return WEFT_WASI_EINVAL;
  return symlinkat(target, dir->fd, name) == 0 ? WEFT_WASI_ESUCCESS
                                               : last_errno();
}

static weft_wasi_errno posix_readlink_at(void *user, weft_wasi_file *dir,
                                         const char *name, char *buf,
                                         size_t cap, size_t *out_len) {
  char tmp[4097];
  ssize_t n;

  (void)user;
  if (bad_name(name))
    return WEFT_WASI_EINVAL;
  n = readlinkat(dir->fd, name, tmp, sizeof tmp);
  if (n < 0)
    return last_errno();
  if ((size_t)n == sizeof tmp)
    return WEFT_WASI_ENAMETOOLONG;
  memcpy(buf, tmp, (size_t)n < cap ? (size_t)n : cap);
  *out_len = (size_t)n;
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */

/* {====================================================================
** Everything else
** ===================================================================== */

static weft_wasi_errno posix_sync(void *user, weft_wasi_file *f,
                                  int data_only) {
  int r;
  (void)user;
  r = data_only ? fdatasync(f->fd) : fsync(f->fd);
  if (r != 0 && errno == EINVAL) /* pipes, terminals: nothing to sync */
    return WEFT_WASI_ESUCCESS;
  return r == 0 ? WEFT_WASI_ESUCCESS : last_errno();
}

static weft_wasi_errno posix_advise(void *user, weft_wasi_file *f,
                                    uint64_t offset, uint64_t len,
                                    uint8_t advice) {
  static const int map[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                            POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                            POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  int r;
  (void)user;
  if (advice >= sizeof map / sizeof map[0])
    return WEFT_WASI_EINVAL;
  r = posix_fadvise(f->fd, (off_t)offset, (off_t)len, map[advice]);
  if (r == ESPIPE)
    return WEFT_WASI_ESPIPE;
  return r == 0 ? WEFT_WASI_ESUCCESS : wf_posix_errno(r);
}

static weft_wasi_errno posix_allocate(void *user, weft_wasi_file *f,
                                      uint64_t offset, uint64_t len) {
  int r;
  (void)user;
  if (len == 0)
    return WEFT_WASI_EINVAL;
  r = posix_fallocate(f->fd, (off_t)offset, (off_t)len);
  return r == 0 ? WEFT_WASI_ESUCCESS : wf_posix_errno(r);
}

static weft_wasi_errno posix_set_flags(void *user, weft_wasi_file *f,
                                       uint16_t fdflags) {
  int fl;
  (void)user;
  fl = fcntl(f->fd, F_GETFL);
  if (fl < 0)
    return last_errno();
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (fdflags & WEFT_WASI_FDFLAG_APPEND)
    fl |= O_APPEND;
  if (fdflags & WEFT_WASI_FDFLAG_NONBLOCK)
    fl |= O_NONBLOCK;
  return fcntl(f->fd, F_SETFL, fl) == 0 ? WEFT_WASI_ESUCCESS : last_errno();
}

/* Open file description locks (F_OFD_SETLK): owned by this handle, not
** by the process, so two handles conflict even within one process, and
** closing another descriptor of the file does not drop them. */
static weft_wasi_errno posix_lock(void *user, weft_wasi_file *f, int mode) {
  struct flock fl;
  (void)user;
  memset(&fl, 0, sizeof fl);
  fl.l_type = mode == 0 ? F_UNLCK : mode == 1 ? F_RDLCK : F_WRLCK;
  fl.l_whence = SEEK_SET; /* l_start = l_len = 0: the whole file */
  if (fcntl(f->fd, F_OFD_SETLK, &fl) == 0)
    return WEFT_WASI_ESUCCESS;
  return errno == EACCES ? WEFT_WASI_EAGAIN : last_errno();
}

static int posix_poll_handle(void *user, weft_wasi_file *f) {
  (void)user;
  if (f->type == WEFT_WASI_FILETYPE_REGULAR_FILE ||
      f->type == WEFT_WASI_FILETYPE_DIRECTORY)
    return -1; /* always ready */
  return f->fd;
}

static weft_wasi_errno posix_sock_accept(void *user, weft_wasi_file *f,
                                         uint16_t fdflags,
                                         weft_wasi_file **out_file,
                                         uint8_t *out_type) {
  int flags = SOCK_CLOEXEC, fd;
  (void)user;
  if (fdflags & WEFT_WASI_FDFLAG_NONBLOCK)
    flags |= SOCK_NONBLOCK;
  fd = accept4(f->fd, NULL, NULL, flags); /* EINTR: to WASI */
  if (fd < 0)
    return last_errno();
  return new_file(fd, false, out_file, out_type);
}

static weft_wasi_errno posix_sock_recv(void *user, weft_wasi_file *f,
                                       const weft_wasi_iovec *iov, size_t n,
                                       uint16_t riflags, size_t *out_n,
                                       uint16_t *out_roflags) {
  struct iovec v[IOV_MAX_LOCAL];
  struct msghdr msg;
  int flags = 0;
  ssize_t r;

  (void)user;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = v;
  msg.msg_iovlen = to_iovec(iov, n, v);
  if (riflags & WEFT_WASI_RIFLAG_RECV_PEEK)
    flags |= MSG_PEEK;
  if (riflags & WEFT_WASI_RIFLAG_RECV_WAITALL)
    flags |= MSG_WAITALL;
  r = recvmsg(f->fd, &msg, flags); /* EINTR: to WASI */
  if (r < 0)
    return last_errno();
  *out_n = (size_t)r;
  *out_roflags =
      (msg.msg_flags & MSG_TRUNC) ? WEFT_WASI_ROFLAG_RECV_DATA_TRUNCATED : 0;
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno posix_sock_send(void *user, weft_wasi_file *f,
                                       const weft_wasi_iovec *iov, size_t n,
                                       size_t *out_n) {
  struct iovec v[IOV_MAX_LOCAL];
  struct msghdr msg;
  ssize_t r;

  (void)user;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = v;
  msg.msg_iovlen = to_iovec(iov, n, v);
  r = sendmsg(f->fd, &msg, MSG_NOSIGNAL); /* EINTR: to WASI */
  return io_result(r, out_n);
}

static weft_wasi_errno posix_sock_shutdown(void *user, weft_wasi_file *f,
                                           uint8_t how) {
  int h = how == WEFT_WASI_SDFLAG_RD   ? SHUT_RD
          : how == WEFT_WASI_SDFLAG_WR ? SHUT_WR
                                       : SHUT_RDWR;
  (void)user;
  return shutdown(f->fd, h) == 0 ? WEFT_WASI_ESUCCESS : last_errno();
}

/* }==================================================================== */

static const weft_wasi_fs host_fs = {
    .version = WEFT_WASI_FS_VERSION,
    .open_root = posix_open_root,
    .open_at = posix_open_at,
    .open_beneath = posix_open_beneath,
    .close = posix_close,
    .read = posix_read,
    .write = posix_write,
    .pread = posix_pread,
    .pwrite = posix_pwrite,
    .seek = posix_seek,
    .fstat = posix_fstat,
    .stat_at = posix_stat_at,
    .set_size = posix_set_size,
    .set_times = posix_set_times,
    .set_times_at = posix_set_times_at,
    .readdir = posix_readdir,
    .mkdir_at = posix_mkdir_at,
    .unlink_at = posix_unlink_at,
    .rmdir_at = posix_rmdir_at,
    .rename_at = posix_rename_at,
    .link_at = posix_link_at,
    .symlink_at = posix_symlink_at,
    .readlink_at = posix_readlink_at,
    .sync = posix_sync,
    .advise = posix_advise,
    .allocate = posix_allocate,
    .set_flags = posix_set_flags,
    .poll_handle = posix_poll_handle,
    .sock_accept = posix_sock_accept,
    .sock_recv = posix_sock_recv,
    .sock_send = posix_sock_send,
    .sock_shutdown = posix_sock_shutdown,
    .adopt = posix_adopt,
    .lock = posix_lock,
};

const weft_wasi_fs *weft_wasi_fs_host(void) { return &host_fs; }
