/*
** weft_wasi_fs.h — what WASI preview 1 sits on: a file-operations table
** (weft_wasi_fs) and a host-services table (weft_wasi_sys: clocks,
** randomness, polling, yielding). Both are versioned vtables supplied by
** the embedder or a port; ports/posix provides weft_wasi_fs_host() and
** weft_wasi_sys_host(). A services layer (e.g. protected files) implements
** weft_wasi_fs under one preopen and WASI does not change.
**
** Every operation returns a WASI preview 1 errno (WEFT_WASI_E*; 0 is
** success), so an implementation speaks WASI's error vocabulary directly.
*/
#ifndef WEFT_WASI_FS_H
#define WEFT_WASI_FS_H

#include <stddef.h>
#include <stdint.h>

#include "weft_wasi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- WASI preview 1 vocabulary -------------------------------------- */

typedef uint16_t weft_wasi_errno;

/* errno, numbered exactly as wasi_snapshot_preview1 */
#define WEFT_WASI_ESUCCESS 0
#define WEFT_WASI_E2BIG 1
#define WEFT_WASI_EACCES 2
#define WEFT_WASI_EADDRINUSE 3
#define WEFT_WASI_EADDRNOTAVAIL 4
#define WEFT_WASI_EAFNOSUPPORT 5
#define WEFT_WASI_EAGAIN 6
#define WEFT_WASI_EALREADY 7
#define WEFT_WASI_EBADF 8
#define WEFT_WASI_EBADMSG 9
#define WEFT_WASI_EBUSY 10
#define WEFT_WASI_ECANCELED 11
#define WEFT_WASI_ECHILD 12
#define WEFT_WASI_ECONNABORTED 13
#define WEFT_WASI_ECONNREFUSED 14
#define WEFT_WASI_ECONNRESET 15
#define WEFT_WASI_EDEADLK 16
#define WEFT_WASI_EDESTADDRREQ 17
#define WEFT_WASI_EDOM 18
#define WEFT_WASI_EDQUOT 19
#define WEFT_WASI_EEXIST 20
#define WEFT_WASI_EFAULT 21
#define WEFT_WASI_EFBIG 22
#define WEFT_WASI_EHOSTUNREACH 23
#define WEFT_WASI_EIDRM 24
#define WEFT_WASI_EILSEQ 25
#define WEFT_WASI_EINPROGRESS 26
#define WEFT_WASI_EINTR 27
#define WEFT_WASI_EINVAL 28
#define WEFT_WASI_EIO 29
#define WEFT_WASI_EISCONN 30
#define WEFT_WASI_EISDIR 31
#define WEFT_WASI_ELOOP 32
#define WEFT_WASI_EMFILE 33
#define WEFT_WASI_EMLINK 34
#define WEFT_WASI_EMSGSIZE 35
#define WEFT_WASI_EMULTIHOP 36
#define WEFT_WASI_ENAMETOOLONG 37
#define WEFT_WASI_ENETDOWN 38
#define WEFT_WASI_ENETRESET 39
#define WEFT_WASI_ENETUNREACH 40
#define WEFT_WASI_ENFILE 41
#define WEFT_WASI_ENOBUFS 42
#define WEFT_WASI_ENODEV 43
#define WEFT_WASI_ENOENT 44
#define WEFT_WASI_ENOEXEC 45
#define WEFT_WASI_ENOLCK 46
#define WEFT_WASI_ENOLINK 47
#define WEFT_WASI_ENOMEM 48
#define WEFT_WASI_ENOMSG 49
#define WEFT_WASI_ENOPROTOOPT 50
#define WEFT_WASI_ENOSPC 51
#define WEFT_WASI_ENOSYS 52
#define WEFT_WASI_ENOTCONN 53
#define WEFT_WASI_ENOTDIR 54
#define WEFT_WASI_ENOTEMPTY 55
#define WEFT_WASI_ENOTRECOVERABLE 56
#define WEFT_WASI_ENOTSOCK 57
#define WEFT_WASI_ENOTSUP 58
#define WEFT_WASI_ENOTTY 59
#define WEFT_WASI_ENXIO 60
#define WEFT_WASI_EOVERFLOW 61
#define WEFT_WASI_EOWNERDEAD 62
#define WEFT_WASI_EPERM 63
#define WEFT_WASI_EPIPE 64
#define WEFT_WASI_EPROTO 65
#define WEFT_WASI_EPROTONOSUPPORT 66
#define WEFT_WASI_EPROTOTYPE 67
#define WEFT_WASI_ERANGE 68
#define WEFT_WASI_EROFS 69
#define WEFT_WASI_ESPIPE 70
#define WEFT_WASI_ESRCH 71
#define WEFT_WASI_ESTALE 72
#define WEFT_WASI_ETIMEDOUT 73
#define WEFT_WASI_ETXTBSY 74
#define WEFT_WASI_EXDEV 75
#define WEFT_WASI_ENOTCAPABLE 76

/* filetype */
#define WEFT_WASI_FILETYPE_UNKNOWN 0
#define WEFT_WASI_FILETYPE_BLOCK_DEVICE 1
#define WEFT_WASI_FILETYPE_CHARACTER_DEVICE 2
#define WEFT_WASI_FILETYPE_DIRECTORY 3
#define WEFT_WASI_FILETYPE_REGULAR_FILE 4
#define WEFT_WASI_FILETYPE_SOCKET_DGRAM 5
#define WEFT_WASI_FILETYPE_SOCKET_STREAM 6
#define WEFT_WASI_FILETYPE_SYMBOLIC_LINK 7

/* fdflags */
#define WEFT_WASI_FDFLAG_APPEND 0x1
#define WEFT_WASI_FDFLAG_DSYNC 0x2
#define WEFT_WASI_FDFLAG_NONBLOCK 0x4
#define WEFT_WASI_FDFLAG_RSYNC 0x8
#define WEFT_WASI_FDFLAG_SYNC 0x10

/* fstflags (which timestamps set_times changes) */
#define WEFT_WASI_FSTFLAG_ATIM 0x1
#define WEFT_WASI_FSTFLAG_ATIM_NOW 0x2
#define WEFT_WASI_FSTFLAG_MTIM 0x4
#define WEFT_WASI_FSTFLAG_MTIM_NOW 0x8

/* whence */
#define WEFT_WASI_WHENCE_SET 0
#define WEFT_WASI_WHENCE_CUR 1
#define WEFT_WASI_WHENCE_END 2

/* clockid */
#define WEFT_WASI_CLOCK_REALTIME 0
#define WEFT_WASI_CLOCK_MONOTONIC 1
#define WEFT_WASI_CLOCK_PROCESS_CPUTIME 2
#define WEFT_WASI_CLOCK_THREAD_CPUTIME 3

/* riflags / roflags / sdflags for sockets */
#define WEFT_WASI_RIFLAG_RECV_PEEK 0x1
#define WEFT_WASI_RIFLAG_RECV_WAITALL 0x2
#define WEFT_WASI_ROFLAG_RECV_DATA_TRUNCATED 0x1
#define WEFT_WASI_SDFLAG_RD 0x1
#define WEFT_WASI_SDFLAG_WR 0x2

/* ---- file operations ------------------------------------------------ */

/* 2 added `lock`; WASI accepts 1 and up (a version 1 table ends at
** `adopt`). */
#define WEFT_WASI_FS_VERSION 2

/* An open file, directory or socket of one fs; opaque to WASI. */
typedef struct weft_wasi_file weft_wasi_file;

/* Attributes, in host form (WASI lays them out for the guest). */
typedef struct weft_wasi_filestat {
  uint64_t dev;
  uint64_t ino;
  uint8_t filetype; /* WEFT_WASI_FILETYPE_* */
  uint64_t nlink;
  uint64_t size;
  uint64_t atim; /* nanoseconds since the epoch */
  uint64_t mtim;
  uint64_t ctim;
} weft_wasi_filestat;

/* A host buffer; WASI has already checked it lies inside guest memory. */
typedef struct weft_wasi_iovec {
  void *buf;
  size_t len;
} weft_wasi_iovec;

/* open_at flags. The low four bits are WASI's oflags. */
#define WEFT_WASI_OPEN_CREAT 0x1     /* create if absent */
#define WEFT_WASI_OPEN_DIRECTORY 0x2 /* fail with ENOTDIR unless a dir */
#define WEFT_WASI_OPEN_EXCL 0x4      /* with CREAT: fail if it exists */
#define WEFT_WASI_OPEN_TRUNC 0x8     /* truncate to 0 bytes */
#define WEFT_WASI_OPEN_READ 0x100    /* open for reading */
#define WEFT_WASI_OPEN_WRITE 0x200   /* open for writing */
#define WEFT_WASI_OPEN_NOFOLLOW                                                \
  0x400 /* a symlink as final component: ELOOP                                 \
         */

/* Called by readdir once per entry, in cookie order. `next` is the cookie
** of the entry after this one. Return non-zero to stop. */
typedef int (*weft_wasi_dirent_fn)(void *ctx, uint64_t next, uint64_t ino,
                                   uint8_t filetype, const char *name,
                                   size_t name_len);

/*
** THE CONTRACT
**
** Names. Every `name` given to an *_at operation is one path component:
** NUL-terminated, non-empty, never "..", and never with a '/' (not even
** a trailing one: on POSIX it would make the kernel follow a final symlink
** whatever the flags say, so WASI answers trailing slashes itself, and the
** POSIX fs refuses names ending in '/' with EINVAL). "." names the
** directory itself.
** WASI resolves multi-component paths itself, one component at a time,
** with open_at(..., DIRECTORY | NOFOLLOW) and readlink_at, keeping its own
** stack of directory handles, so `..` and symlinks are interpreted by WASI
** and never by the fs. An operation on a name touches only the entry of
** that name inside `dir`; it never follows a symlink in the name unless
** the operation says so (open_at without NOFOLLOW follows a final symlink
** only when the fs can guarantee it stays beneath `dir`; WASI always
** passes NOFOLLOW).
**
** Beneath. open_beneath is optional (NULL or ENOSYS at run time: WASI
** falls back to its own walk). When present it must resolve a relative,
** multi-component `path` strictly beneath `dir`: any `..`, absolute or
** symlink step that would leave `dir` fails with EXDEV (WASI reports EPERM),
** symlink chains longer than 40 fail with ELOOP, and magic links are never
** followed. POSIX implements it with openat2(RESOLVE_BENEATH).
**
** Handles. A handle belongs to the fs that made it and is passed back only
** to that fs; WASI closes every handle it gets exactly once. `user` is the
** preopen's fs_user. Read-only preopens and rights are enforced by WASI
** before the fs is called; the fs still opens files with only the access
** asked for (OPEN_READ / OPEN_WRITE).
**
** Optional operations may be NULL: WASI then answers ENOTSUP (ENOSYS for
** open_beneath, "always ready" for poll_handle).
**
** Interruptions. read and write (on what may block: pipes, terminals,
** sockets), sock_accept, sock_recv, sock_send and weft_wasi_sys.poll
** return EINTR when a signal interrupted them before they did anything.
** The program never sees it: WASI calls its block hook, if any
** (weft_wasi_set_block_hook), and issues the call again.
*/
typedef struct weft_wasi_fs {
  uint32_t version; /* WEFT_WASI_FS_VERSION */

  /* The preopen's directory. `path` is in the fs's own namespace (a host
  ** path for the host fs). */
  weft_wasi_errno (*open_root)(void *user, const char *path,
                               weft_wasi_file **out_file);
  /* Open or create `name` in `dir`. `flags` WEFT_WASI_OPEN_*, `fdflags`
  ** WEFT_WASI_FDFLAG_*. Creates regular files with mode 0666 & ~umask. */
  weft_wasi_errno (*open_at)(void *user, weft_wasi_file *dir, const char *name,
                             uint32_t flags, uint16_t fdflags,
                             weft_wasi_file **out_file, uint8_t *out_filetype);
  /* Optional: open a relative multi-component path strictly beneath dir. */
  weft_wasi_errno (*open_beneath)(void *user, weft_wasi_file *dir,
                                  const char *path, uint32_t flags,
                                  uint16_t fdflags, weft_wasi_file **out_file,
                                  uint8_t *out_filetype);
  weft_wasi_errno (*close)(void *user, weft_wasi_file *file);

  /* Byte I/O at the current position, and at `offset` without moving it.
  ** Short transfers are allowed; 0 bytes read at end of file. */
  weft_wasi_errno (*read)(void *user, weft_wasi_file *file,
                          const weft_wasi_iovec *iov, size_t iovcnt,
                          size_t *out_n);
  weft_wasi_errno (*write)(void *user, weft_wasi_file *file,
                           const weft_wasi_iovec *iov, size_t iovcnt,
                           size_t *out_n);
  weft_wasi_errno (*pread)(void *user, weft_wasi_file *file,
                           const weft_wasi_iovec *iov, size_t iovcnt,
                           uint64_t offset, size_t *out_n);
  weft_wasi_errno (*pwrite)(void *user, weft_wasi_file *file,
                            const weft_wasi_iovec *iov, size_t iovcnt,
                            uint64_t offset, size_t *out_n);
  weft_wasi_errno (*seek)(void *user, weft_wasi_file *file, int64_t offset,
                          uint8_t whence, uint64_t *out_offset);

  weft_wasi_errno (*fstat)(void *user, weft_wasi_file *file,
                           weft_wasi_filestat *out_stat);
  /* Attributes of `name` itself (a symlink is not followed). */
  weft_wasi_errno (*stat_at)(void *user, weft_wasi_file *dir, const char *name,
                             weft_wasi_filestat *out_stat);
  weft_wasi_errno (*set_size)(void *user, weft_wasi_file *file, uint64_t size);
  /* `fstflags` is WEFT_WASI_FSTFLAG_*, already validated (never both a
  ** time and its _NOW). */
  weft_wasi_errno (*set_times)(void *user, weft_wasi_file *file, uint64_t atim,
                               uint64_t mtim, uint16_t fstflags);
  weft_wasi_errno (*set_times_at)(void *user, weft_wasi_file *dir,
                                  const char *name, uint64_t atim,
                                  uint64_t mtim, uint16_t fstflags);

  /* Entries from `cookie` on (0 = the start), "." and ".." included.
  ** Cookies are stable while the directory is not modified. */
  weft_wasi_errno (*readdir)(void *user, weft_wasi_file *dir, uint64_t cookie,
                             weft_wasi_dirent_fn fn, void *ctx);

  weft_wasi_errno (*mkdir_at)(void *user, weft_wasi_file *dir,
                              const char *name);
  /* Removes a non-directory (EISDIR for a directory). */
  weft_wasi_errno (*unlink_at)(void *user, weft_wasi_file *dir,
                               const char *name);
  /* Removes an empty directory. */
  weft_wasi_errno (*rmdir_at)(void *user, weft_wasi_file *dir,
                              const char *name);
  /* Both directories belong to this fs. */
  weft_wasi_errno (*rename_at)(void *user, weft_wasi_file *dir,
                               const char *name, weft_wasi_file *new_dir,
                               const char *new_name);
  /* Hard link; a symlink `name` is linked itself, never followed. */
  weft_wasi_errno (*link_at)(void *user, weft_wasi_file *dir, const char *name,
                             weft_wasi_file *new_dir, const char *new_name);
  /* `target` is stored verbatim (WASI has refused absolute targets). */
  weft_wasi_errno (*symlink_at)(void *user, const char *target,
                                weft_wasi_file *dir, const char *name);
  /* Copies at most `cap` bytes of the link's target (no NUL) into buf and
  ** sets *out_len to the full length of the target; EINVAL when `name` is
  ** not a symlink. */
  weft_wasi_errno (*readlink_at)(void *user, weft_wasi_file *dir,
                                 const char *name, char *buf, size_t cap,
                                 size_t *out_len);

  weft_wasi_errno (*sync)(void *user, weft_wasi_file *file, int data_only);
  weft_wasi_errno (*advise)(void *user, weft_wasi_file *file, uint64_t offset,
                            uint64_t len, uint8_t advice);
  weft_wasi_errno (*allocate)(void *user, weft_wasi_file *file, uint64_t offset,
                              uint64_t len);
  /* Change APPEND / NONBLOCK (the sync flags cannot change: ENOTSUP). */
  weft_wasi_errno (*set_flags)(void *user, weft_wasi_file *file,
                               uint16_t fdflags);

  /* Optional: the host descriptor poll_oneoff should wait on, or -1 when
  ** the file is always ready (regular files, protected files). */
  int (*poll_handle)(void *user, weft_wasi_file *file);

  /* Optional: sockets (handles that adopt() made from host sockets). */
  weft_wasi_errno (*sock_accept)(void *user, weft_wasi_file *listener,
                                 uint16_t fdflags, weft_wasi_file **out_file,
                                 uint8_t *out_filetype);
  weft_wasi_errno (*sock_recv)(void *user, weft_wasi_file *sock,
                               const weft_wasi_iovec *iov, size_t iovcnt,
                               uint16_t riflags, size_t *out_n,
                               uint16_t *out_roflags);
  weft_wasi_errno (*sock_send)(void *user, weft_wasi_file *sock,
                               const weft_wasi_iovec *iov, size_t iovcnt,
                               size_t *out_n);
  weft_wasi_errno (*sock_shutdown)(void *user, weft_wasi_file *sock,
                                   uint8_t how);

  /* Optional: wrap an inherited host descriptor (stdio, a listening
  ** socket). The descriptor stays owned by the caller: close() on the
  ** result does not close it. Sets the type and the current fdflags. */
  weft_wasi_errno (*adopt)(void *user, int host_fd, weft_wasi_file **out_file,
                           uint8_t *out_filetype, uint16_t *out_fdflags);

  /* Optional (version 2): an advisory lock on a whole regular file that
  ** other processes honour, held by this handle until it changes it or is
  ** closed. `mode` 0 drops it, 1 takes it shared, 2 exclusive (converting
  ** a lock the handle holds). Never waits: EAGAIN when another handle
  ** holds a conflicting one. WASI does not call it; services do
  ** (protected files: one writer at a time across processes). */
  weft_wasi_errno (*lock)(void *user, weft_wasi_file *file, int mode);
} weft_wasi_fs;

/* The platform's file system (ports/posix: openat2 + POSIX *at calls). */
WEFT_API const weft_wasi_fs *weft_wasi_fs_host(void);

/* ---- host services --------------------------------------------------- */

#define WEFT_WASI_SYS_VERSION 1

/* One descriptor for weft_wasi_sys.poll. */
typedef struct weft_wasi_pollfd {
  int host_fd;     /* from poll_handle() */
  uint8_t want;    /* 1: readable, 2: writable */
  uint8_t ready;   /* out: 0 not ready, 1 ready, 2 hang-up, 3 error */
  uint64_t nbytes; /* out: bytes readable (best effort), 0 if unknown */
} weft_wasi_pollfd;

typedef struct weft_wasi_sys {
  uint32_t version; /* WEFT_WASI_SYS_VERSION */
  /* EINVAL for an unsupported clock. */
  weft_wasi_errno (*clock_res)(void *user, uint32_t clock_id, uint64_t *out_ns);
  weft_wasi_errno (*clock_time)(void *user, uint32_t clock_id,
                                uint64_t *out_ns);
  /* Fill buf with cryptographically secure random bytes. */
  weft_wasi_errno (*random)(void *user, void *buf, size_t len);
  /* Wait until one descriptor is ready or `timeout_ns` passed (-1: no
  ** timeout; 0: just check). Sets ready/nbytes; returns ESUCCESS on
  ** timeout too. */
  weft_wasi_errno (*poll)(void *user, weft_wasi_pollfd *fds, size_t nfds,
                          int64_t timeout_ns);
  weft_wasi_errno (*yield)(void *user);
} weft_wasi_sys;

/* The platform's clocks, getrandom, poll and sched_yield. */
WEFT_API const weft_wasi_sys *weft_wasi_sys_host(void);

#ifdef __cplusplus
}
#endif
#endif /* WEFT_WASI_FS_H */
