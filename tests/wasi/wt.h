/*
** wt.h — tiny self-checking harness for the WASI test programs in tests/wasi.
** Each program counts its checks, prints one stderr line per failed check and
** ends with "N passed, N failed" on stdout; the exit status is 0 only when
** nothing failed. Raw wasi_snapshot_preview1 imports (wr_*) take every
** pointer and length as a plain u32, so a test can pass any address at all
** (wasi-libc's __wasi_* wrappers compute string lengths themselves).
*/
#ifndef WT_H
#define WT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* ---- counting ------------------------------------------------------------ */

#define WT_FN static __attribute__((unused))

static int wt_pass, wt_fail;
static const char *wt_section = "";

#define WT_SECTION(name) (wt_section = (name))

static void wt_failf(int line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
WT_FN void wt_failf(int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "FAIL [%s] line %d: ", wt_section, line);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  wt_fail++;
}

/* CHECK(cond, fmt, ...): one check; the message says what was expected. */
#define CHECK(cond, ...)                                                       \
  ((cond) ? (wt_pass++, 1) : (wt_failf(__LINE__, __VA_ARGS__), 0))

WT_FN const char *wt_errno_name(unsigned e) {
  static const char *names[] = {
      "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT",
      "AGAIN", "ALREADY", "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD",
      "CONNABORTED", "CONNREFUSED", "CONNRESET", "DEADLK", "DESTADDRREQ",
      "DOM", "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM",
      "ILSEQ", "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP",
      "MFILE", "MLINK", "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN",
      "NETRESET", "NETUNREACH", "NFILE", "NOBUFS", "NODEV", "NOENT",
      "NOEXEC", "NOLCK", "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC",
      "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK",
      "NOTSUP", "NOTTY", "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE",
      "PROTO", "PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE",
      "SRCH", "STALE", "TIMEDOUT", "TXTBSY", "XDEV", "NOTCAPABLE"};
  if (e < sizeof names / sizeof names[0])
    return names[e];
  return "?";
}

/* CHECK_OK(call): the raw call must return 0 (ESUCCESS). */
#define CHECK_OK(call)                                                         \
  do {                                                                         \
    unsigned wt_e_ = (unsigned)(call);                                         \
    CHECK(wt_e_ == 0, "%s: expected success, got %u (%s)", #call, wt_e_,       \
          wt_errno_name(wt_e_));                                               \
  } while (0)

/* CHECK_ERR(call, errno): the raw call must return exactly that errno. */
#define CHECK_ERR(call, want)                                                  \
  do {                                                                         \
    unsigned wt_e_ = (unsigned)(call);                                         \
    unsigned wt_w_ = (unsigned)(want);                                         \
    CHECK(wt_e_ == wt_w_, "%s: expected %u (%s), got %u (%s)", #call, wt_w_,   \
          wt_errno_name(wt_w_), wt_e_, wt_errno_name(wt_e_));                  \
  } while (0)

/* CHECK_ERR2(call, a, b): either errno is accepted (the two behaviours are
** documented where used, e.g. two wasmtime versions disagree). */
#define CHECK_ERR2(call, a, b)                                                 \
  do {                                                                         \
    unsigned wt_e_ = (unsigned)(call);                                         \
    CHECK(wt_e_ == (unsigned)(a) || wt_e_ == (unsigned)(b),                    \
          "%s: expected %s or %s, got %u (%s)", #call, wt_errno_name(a),       \
          wt_errno_name(b), wt_e_, wt_errno_name(wt_e_));                      \
  } while (0)

/* A path that would leave the sandbox is refused with EPERM (wasmtime today,
** cap-std's escape error) or ENOTCAPABLE (wasmtime's older wasi-common,
** uvwasi, WAMR). Both mean "not within your capabilities". */
#define CHECK_DENIED(call)                                                     \
  CHECK_ERR2(call, __WASI_ERRNO_PERM, __WASI_ERRNO_NOTCAPABLE)

WT_FN int wt_finish(void) {
  printf("%d passed, %d failed\n", wt_pass, wt_fail);
  fflush(stdout);
  return wt_fail ? 1 : 0;
}

/* ---- raw imports ----------------------------------------------------------- */

#define WR(name)                                                               \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

typedef uint32_t u32;
typedef uint64_t u64;
typedef uint16_t u16;
typedef uint8_t u8;

WR(args_get) u32 wr_args_get(u32 argv, u32 buf);
WR(args_sizes_get) u32 wr_args_sizes_get(u32 argc, u32 bufsize);
WR(environ_get) u32 wr_environ_get(u32 env, u32 buf);
WR(environ_sizes_get) u32 wr_environ_sizes_get(u32 count, u32 bufsize);
WR(clock_res_get) u32 wr_clock_res_get(u32 id, u32 out);
WR(clock_time_get) u32 wr_clock_time_get(u32 id, u64 precision, u32 out);
WR(fd_advise) u32 wr_fd_advise(u32 fd, u64 off, u64 len, u32 advice);
WR(fd_allocate) u32 wr_fd_allocate(u32 fd, u64 off, u64 len);
WR(fd_close) u32 wr_fd_close(u32 fd);
WR(fd_datasync) u32 wr_fd_datasync(u32 fd);
WR(fd_fdstat_get) u32 wr_fd_fdstat_get(u32 fd, u32 out);
WR(fd_fdstat_set_flags) u32 wr_fd_fdstat_set_flags(u32 fd, u32 flags);
WR(fd_fdstat_set_rights)
u32 wr_fd_fdstat_set_rights(u32 fd, u64 base, u64 inheriting);
WR(fd_filestat_get) u32 wr_fd_filestat_get(u32 fd, u32 out);
WR(fd_filestat_set_size) u32 wr_fd_filestat_set_size(u32 fd, u64 size);
WR(fd_filestat_set_times)
u32 wr_fd_filestat_set_times(u32 fd, u64 atim, u64 mtim, u32 fst);
WR(fd_pread) u32 wr_fd_pread(u32 fd, u32 iovs, u32 n, u64 off, u32 nread);
WR(fd_prestat_get) u32 wr_fd_prestat_get(u32 fd, u32 out);
WR(fd_prestat_dir_name) u32 wr_fd_prestat_dir_name(u32 fd, u32 buf, u32 len);
WR(fd_pwrite) u32 wr_fd_pwrite(u32 fd, u32 iovs, u32 n, u64 off, u32 nwritten);
WR(fd_read) u32 wr_fd_read(u32 fd, u32 iovs, u32 n, u32 nread);
WR(fd_readdir)
u32 wr_fd_readdir(u32 fd, u32 buf, u32 len, u64 cookie, u32 used);
WR(fd_renumber) u32 wr_fd_renumber(u32 from, u32 to);
WR(fd_seek) u32 wr_fd_seek(u32 fd, int64_t delta, u32 whence, u32 newoff);
WR(fd_sync) u32 wr_fd_sync(u32 fd);
WR(fd_tell) u32 wr_fd_tell(u32 fd, u32 out);
WR(fd_write) u32 wr_fd_write(u32 fd, u32 iovs, u32 n, u32 nwritten);
WR(path_create_directory)
u32 wr_path_create_directory(u32 fd, u32 path, u32 len);
WR(path_filestat_get)
u32 wr_path_filestat_get(u32 fd, u32 flags, u32 path, u32 len, u32 out);
WR(path_filestat_set_times)
u32 wr_path_filestat_set_times(u32 fd, u32 flags, u32 path, u32 len, u64 atim,
                               u64 mtim, u32 fst);
WR(path_link)
u32 wr_path_link(u32 oldfd, u32 oldflags, u32 oldpath, u32 oldlen, u32 newfd,
                 u32 newpath, u32 newlen);
WR(path_open)
u32 wr_path_open(u32 fd, u32 dirflags, u32 path, u32 len, u32 oflags,
                 u64 rights_base, u64 rights_inh, u32 fdflags, u32 outfd);
WR(path_readlink)
u32 wr_path_readlink(u32 fd, u32 path, u32 len, u32 buf, u32 buflen,
                     u32 used);
WR(path_remove_directory)
u32 wr_path_remove_directory(u32 fd, u32 path, u32 len);
WR(path_rename)
u32 wr_path_rename(u32 fd, u32 old, u32 oldlen, u32 newfd, u32 new_,
                   u32 newlen);
WR(path_symlink)
u32 wr_path_symlink(u32 old, u32 oldlen, u32 fd, u32 new_, u32 newlen);
WR(path_unlink_file) u32 wr_path_unlink_file(u32 fd, u32 path, u32 len);
WR(poll_oneoff) u32 wr_poll_oneoff(u32 in, u32 out, u32 nsubs, u32 nevents);
WR(proc_exit) __attribute__((noreturn)) void wr_proc_exit(u32 code);
WR(proc_raise) u32 wr_proc_raise(u32 sig);
WR(sched_yield) u32 wr_sched_yield(void);
WR(random_get) u32 wr_random_get(u32 buf, u32 len);
WR(sock_accept) u32 wr_sock_accept(u32 fd, u32 flags, u32 outfd);
WR(sock_recv)
u32 wr_sock_recv(u32 fd, u32 iovs, u32 n, u32 riflags, u32 nread,
                 u32 roflags);
WR(sock_send)
u32 wr_sock_send(u32 fd, u32 iovs, u32 n, u32 siflags, u32 nwritten);
WR(sock_shutdown) u32 wr_sock_shutdown(u32 fd, u32 how);

/* P(x): a guest pointer as the u32 the ABI passes. S("str"): pointer, length. */
#define P(x) ((u32)(uintptr_t)(x))
#define S(s) P(s), (u32)strlen(s)

/* Rights shorthands. */
/* Every right except the socket ones (bits 28, 29): the most a preopen
** passes on to files and directories opened under it. */
#define R_ALL ((u64)0x0FFFFFFFull)
#define R_RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)
/* The base rights wasmtime gives a preopened directory, plus
** PATH_FILESTAT_SET_SIZE (O_TRUNC needs it where rights are enforced). */
#define R_DIR                                                                  \
  ((u64)(__WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE | \
         __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET |     \
         __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR |                  \
         __WASI_RIGHTS_PATH_READLINK | __WASI_RIGHTS_PATH_RENAME_SOURCE |      \
         __WASI_RIGHTS_PATH_RENAME_TARGET | __WASI_RIGHTS_PATH_SYMLINK |       \
         __WASI_RIGHTS_PATH_REMOVE_DIRECTORY | __WASI_RIGHTS_PATH_UNLINK_FILE | \
         __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES | \
         __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES |  \
         __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE))

/* ---- helpers ----------------------------------------------------------- */

/* The preopen whose guest name is `name`; -1 if none. */
WT_FN int wt_preopen(const char *name) {
  for (u32 fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    if (wr_fd_prestat_get(fd, P(&ps)) != 0)
      continue;
    char buf[256];
    u32 n = ps.u.dir.pr_name_len;
    if (ps.tag != __WASI_PREOPENTYPE_DIR || n >= sizeof buf)
      continue;
    if (wr_fd_prestat_dir_name(fd, P(buf), n) != 0)
      continue;
    buf[n] = 0;
    if (strcmp(buf, name) == 0)
      return (int)fd;
  }
  return -1;
}

/* The preopen named `name`, or exit(2) with a message: without it the
** program cannot test anything. */
WT_FN u32 wt_need_preopen(const char *name) {
  int fd = wt_preopen(name);
  if (fd < 0) {
    fprintf(stderr, "FAIL: no preopened directory named '%s'\n", name);
    printf("0 passed, 1 failed\n");
    exit(2);
  }
  return (u32)fd;
}

/* Open `path` under dirfd; returns the fd or -errno. */
WT_FN int64_t wt_open(u32 dirfd, u32 lookup, const char *path, u32 oflags,
                       u64 rights, u32 fdflags) {
  u32 fd = 0xDEADBEEF;
  u32 e = wr_path_open(dirfd, lookup, S(path), oflags, rights, rights, fdflags,
                       P(&fd));
  return e ? -(int64_t)e : (int64_t)fd;
}

/* Open directory `path` under dirfd with a directory's rights (inheriting
** everything); returns the fd or -errno. */
WT_FN int64_t wt_opendir(u32 dirfd, const char *path) {
  u32 fd = 0xDEADBEEF;
  u32 e = wr_path_open(dirfd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S(path),
                       __WASI_OFLAGS_DIRECTORY, R_DIR, R_ALL, 0, P(&fd));
  return e ? -(int64_t)e : (int64_t)fd;
}

/* Write all of buf to fd with fd_write; returns errno. */
WT_FN u32 wt_write(u32 fd, const void *buf, u32 len) {
  __wasi_ciovec_t iov = {buf, len};
  u32 n = 0;
  u32 e = wr_fd_write(fd, P(&iov), 1, P(&n));
  if (!e && n != len)
    return __WASI_ERRNO_IO;
  return e;
}

/* Read up to len bytes with fd_read; returns the count or -errno. */
WT_FN int64_t wt_read(u32 fd, void *buf, u32 len) {
  __wasi_iovec_t iov = {buf, len};
  u32 n = 0xDEADBEEF;
  u32 e = wr_fd_read(fd, P(&iov), 1, P(&n));
  return e ? -(int64_t)e : (int64_t)n;
}

/* Create (or truncate) `path` with the given content; returns errno. */
WT_FN u32 wt_put(u32 dirfd, const char *path, const char *content) {
  int64_t fd = wt_open(dirfd, 0, path,
                       __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_ALL, 0);
  if (fd < 0)
    return (u32)-fd;
  u32 e = wt_write((u32)fd, content, (u32)strlen(content));
  wr_fd_close((u32)fd);
  return e;
}

/* Read the whole of `path` into buf (NUL-terminated); returns length or
** -errno. */
WT_FN int64_t wt_get(u32 dirfd, u32 lookup, const char *path, char *buf,
                      u32 cap) {
  int64_t fd = wt_open(dirfd, lookup, path, 0, __WASI_RIGHTS_FD_READ, 0);
  if (fd < 0)
    return fd;
  u32 total = 0;
  for (;;) {
    int64_t n = wt_read((u32)fd, buf + total, cap - 1 - total);
    if (n < 0) {
      wr_fd_close((u32)fd);
      return n;
    }
    if (n == 0 || total + n >= cap - 1) {
      total += (u32)n;
      break;
    }
    total += (u32)n;
  }
  buf[total] = 0;
  wr_fd_close((u32)fd);
  return total;
}

/* Does `path` exist (without following a final symlink)? */
WT_FN int wt_exists(u32 dirfd, const char *path) {
  __wasi_filestat_t st;
  return wr_path_filestat_get(dirfd, 0, S(path), P(&st)) == 0;
}

WT_FN u64 wt_now(u32 clock) {
  u64 t = 0;
  wr_clock_time_get(clock, 1, P(&t));
  return t;
}

#endif /* WT_H */
