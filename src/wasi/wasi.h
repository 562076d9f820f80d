/*
** wasi.h — internals of WASI preview 1: the weft_wasi state (args, env,
** fd table), guest-memory access helpers that check every range before
** touching memory, rights bits and the functions each wasi_*.c exports to
** the import table in wasi.c. Freestanding: no OS headers; the outside
** world is reached through weft_wasi_fs and weft_wasi_sys only.
*/
#ifndef WF_WASI_H
#define WF_WASI_H

#include "base.h"
#include "weft_wasi.h"
#include "weft_wasi_fs.h"

/* rights, numbered as wasi_snapshot_preview1 */
#define WF_R_FD_DATASYNC (1ull << 0)
#define WF_R_FD_READ (1ull << 1)
#define WF_R_FD_SEEK (1ull << 2)
#define WF_R_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define WF_R_FD_SYNC (1ull << 4)
#define WF_R_FD_TELL (1ull << 5)
#define WF_R_FD_WRITE (1ull << 6)
#define WF_R_FD_ADVISE (1ull << 7)
#define WF_R_FD_ALLOCATE (1ull << 8)
#define WF_R_PATH_CREATE_DIRECTORY (1ull << 9)
#define WF_R_PATH_CREATE_FILE (1ull << 10)
#define WF_R_PATH_LINK_SOURCE (1ull << 11)
#define WF_R_PATH_LINK_TARGET (1ull << 12)
#define WF_R_PATH_OPEN (1ull << 13)
#define WF_R_FD_READDIR (1ull << 14)
#define WF_R_PATH_READLINK (1ull << 15)
#define WF_R_PATH_RENAME_SOURCE (1ull << 16)
#define WF_R_PATH_RENAME_TARGET (1ull << 17)
#define WF_R_PATH_FILESTAT_GET (1ull << 18)
#define WF_R_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define WF_R_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define WF_R_FD_FILESTAT_GET (1ull << 21)
#define WF_R_FD_FILESTAT_SET_SIZE (1ull << 22)
#define WF_R_FD_FILESTAT_SET_TIMES (1ull << 23)
#define WF_R_PATH_SYMLINK (1ull << 24)
#define WF_R_PATH_REMOVE_DIRECTORY (1ull << 25)
#define WF_R_PATH_UNLINK_FILE (1ull << 26)
#define WF_R_POLL_FD_READWRITE (1ull << 27)
#define WF_R_SOCK_SHUTDOWN (1ull << 28)
#define WF_R_SOCK_ACCEPT (1ull << 29)
#define WF_R_ALL ((1ull << 30) - 1)

/* What a regular file can do. */
#define WF_RIGHTS_FILE                                                         \
  (WF_R_FD_DATASYNC | WF_R_FD_READ | WF_R_FD_SEEK | WF_R_FD_FDSTAT_SET_FLAGS | \
   WF_R_FD_SYNC | WF_R_FD_TELL | WF_R_FD_WRITE | WF_R_FD_ADVISE |              \
   WF_R_FD_ALLOCATE | WF_R_FD_FILESTAT_GET | WF_R_FD_FILESTAT_SET_SIZE |       \
   WF_R_FD_FILESTAT_SET_TIMES | WF_R_POLL_FD_READWRITE)
/* Path operations that change the tree below a directory. */
#define WF_RIGHTS_DIR_MUTATE                                                   \
  (WF_R_PATH_CREATE_DIRECTORY | WF_R_PATH_CREATE_FILE |                        \
   WF_R_PATH_LINK_SOURCE | WF_R_PATH_LINK_TARGET | WF_R_PATH_RENAME_SOURCE |   \
   WF_R_PATH_RENAME_TARGET | WF_R_PATH_FILESTAT_SET_SIZE |                     \
   WF_R_PATH_FILESTAT_SET_TIMES | WF_R_PATH_SYMLINK |                          \
   WF_R_PATH_REMOVE_DIRECTORY | WF_R_PATH_UNLINK_FILE |                        \
   WF_R_FD_FILESTAT_SET_TIMES)
/* What a directory can do. */
#define WF_RIGHTS_DIR                                                          \
  (WF_RIGHTS_DIR_MUTATE | WF_R_PATH_OPEN | WF_R_FD_READDIR |                   \
   WF_R_PATH_READLINK | WF_R_PATH_FILESTAT_GET | WF_R_FD_FILESTAT_GET |        \
   WF_R_FD_FDSTAT_SET_FLAGS | WF_R_FD_SYNC | WF_R_FD_DATASYNC |                \
   WF_R_FD_ADVISE | WF_R_POLL_FD_READWRITE)
/* Rights that need a file opened for writing. */
#define WF_RIGHTS_WRITE                                                        \
  (WF_R_FD_WRITE | WF_R_FD_ALLOCATE | WF_R_FD_FILESTAT_SET_SIZE)
#define WF_RIGHTS_SOCKET                                                       \
  (WF_R_FD_READ | WF_R_FD_WRITE | WF_R_FD_FDSTAT_SET_FLAGS |                   \
   WF_R_FD_FILESTAT_GET | WF_R_POLL_FD_READWRITE | WF_R_SOCK_SHUTDOWN)

#define WF_WASI_MAX_FDS 16384  /* EMFILE beyond */
#define WF_WASI_PATH_MAX 4096  /* guest paths, ENAMETOOLONG beyond */
#define WF_WASI_SYMLINK_MAX 40 /* symlinks followed per path, as Linux */
#define WF_WASI_IOV_MAX 1024   /* iovecs per call, as POSIX IOV_MAX */
/* One path resolution makes at most this many file-system lookups (an
** open, readlink or stat of one component; `..` re-opens the components
** above it): ELOOP beyond. A path of WF_WASI_PATH_MAX bytes has at most
** half as many components, so only paths that climb deep trees again and
** again, or expand many long symlinks, reach it; without it one call could
** make millions of system calls. */
#define WF_WASI_WALK_LOOKUPS (2 * WF_WASI_PATH_MAX)
/* Fuel charged per lookup when the engine meters fuel (a lookup is a
** system call or two: about what this many Wasm instructions cost). */
#define WF_WASI_LOOKUP_FUEL 1000

/* Directories below the start of one walk: each component takes at least
** two bytes of names ("x\0"), which hold at most 2 * WF_WASI_PATH_MAX + 2. */
#define WF_WASI_DEPTH_MAX (WF_WASI_PATH_MAX + 1)
/* One directory on the walk's way down: its handle (NULL while not held)
** and where its name starts in weft_wasi.names. */
struct wf_wasi_level {
  weft_wasi_file *dir;
  u32 name;
};

/* Where a descriptor came from: what a snapshot must do to bring it back. */
enum wf_wasi_origin {
  WF_FD_STDIO = 1, /* adopted from the embedder (fds 0-2 at first) */
  WF_FD_PREOPEN,   /* a preopen; its handle and name are the root's */
  WF_FD_OPENED,    /* by path_open: reopened by its path below its root */
  WF_FD_SOCKET     /* a listening or accepted socket: never reopened */
};

/* One slot of the fd table. */
struct wf_wasi_fd {
  const weft_wasi_fs *fs; /* NULL: slot free */
  void *fs_user;
  weft_wasi_file *file; /* owned, except a preopen's (the root's) */
  u64 base;             /* rights of this descriptor */
  u64 inheriting;       /* rights of descriptors opened through it */
  u16 fdflags;
  u8 filetype;
  u8 origin;           /* enum wf_wasi_origin */
  bool read_only;      /* below a read-only preopen */
  const char *preopen; /* guest path of a preopen (the root's), or NULL */
  u32 preopen_len;
  u32 io_slot; /* 1 + index into weft_wasi.io (stdio, then preopens); 0: none */
  /* WF_FD_PREOPEN and WF_FD_OPENED: how to open it again (wasi_snap.c) */
  u32 root;   /* index into weft_wasi.roots */
  char *path; /* OPENED: guest path below the root, NUL-terminated, owned;
                 NULL when no longer known (a rename we could not follow) */
  u32 path_len;
  u16 access;     /* OPENED: WEFT_WASI_OPEN_READ / _WRITE it was opened with */
  bool dir_oflag; /* OPENED: opened with OFLAGS_DIRECTORY */
  bool follow;    /* OPENED: a final symlink was followed (lookupflags) */
};

/* A preopen as configured: owns the directory handle, which outlives the
** guest closing or renumbering its fd, so files opened below it can always
** be named from it (snapshots). */
struct wf_wasi_root {
  const weft_wasi_fs *fs;
  void *fs_user;
  weft_wasi_file *dir; /* NULL when open_root failed */
  char *guest;         /* NUL-terminated */
  u32 guest_len;
  bool read_only;
};

/* Bytes moved by fd_read/fd_pread (read) and fd_write/fd_pwrite (written)
** through descriptors of one stdio stream or opened below one preopen. */
struct wf_wasi_io {
  u64 read, written;
};

struct weft_wasi {
  weft_engine *engine;
  struct wf_alloc *alloc;
  /* argv and environ: NUL-terminated strings back to back */
  char *args;
  u32 args_size, argc;
  char *env;
  u32 env_size, envc;
  struct wf_wasi_fd *fds;
  u32 nfds;              /* slots in use or free, below cap */
  struct wf_wasi_io *io; /* 3 stdio streams, then each preopen */
  u32 nio;
  u32 fds_cap;
  const weft_wasi_sys *sys;
  void *sys_user;
  struct wf_wasi_root *roots; /* one per preopen, in config order */
  u32 nroots;
  u64 mono_offset;   /* added to monotonic clock readings (restore) */
  u64 cpu_offset[2]; /* added to the process and thread CPU-time clocks */
  bool fresh;        /* no descriptor opened, closed or moved yet */
  weft_status (*block_hook)(void *user); /* weft_wasi_set_block_hook */
  void *block_user;
  weft_status stop_status; /* the hook's, when it stopped the program */
  bool no_beneath;         /* fs->open_beneath said ENOSYS: walk instead */
  u32 lookups; /* made by the current call's path resolutions (fuel) */
  struct wf_wasi_binding *bindings; /* one per import, user of host funcs */
  /* scratch space for one call (never used across calls) */
  char *path_a, *path_b;        /* guest paths, WF_WASI_PATH_MAX + 1 */
  char *walk, *walk_tmp;        /* pending path during a walk, 2x + 2 */
  char *names;                  /* components resolved so far */
  struct wf_wasi_level *levels; /* a walk's directories, DEPTH_MAX + 1 */
  weft_wasi_iovec *iov;         /* WF_WASI_IOV_MAX */
};

/* Guest memory for the duration of one call. */
struct wf_mem {
  u8 *base;
  u64 size;
};

/* The range [ptr, ptr+len) lies inside memory (no wrap: both are 32-bit
** quantities added in 64 bits). */
static inline bool wf_mem_ok(const struct wf_mem *m, u32 ptr, u64 len) {
  return (u64)ptr + len <= m->size;
}

static inline u32 wf_get_u32(const u8 *p) {
  return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}
static inline u64 wf_get_u64(const u8 *p) {
  return (u64)wf_get_u32(p) | (u64)wf_get_u32(p + 4) << 32;
}
static inline u16 wf_get_u16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static inline void wf_put_u16(u8 *p, u16 v) {
  p[0] = (u8)v;
  p[1] = (u8)(v >> 8);
}
static inline void wf_put_u32(u8 *p, u32 v) {
  p[0] = (u8)v;
  p[1] = (u8)(v >> 8);
  p[2] = (u8)(v >> 16);
  p[3] = (u8)(v >> 24);
}
static inline void wf_put_u64(u8 *p, u64 v) {
  wf_put_u32(p, (u32)v);
  wf_put_u32(p + 4, (u32)(v >> 32));
}

/* Writes a u32 / u64 result to guest memory after checking its range. */
WF_INTERNAL u16 wf_wasi_store_u32(const struct wf_mem *m, u32 ptr, u32 v);
WF_INTERNAL u16 wf_wasi_store_u64(const struct wf_mem *m, u32 ptr, u64 v);

/* Every WASI function but proc_exit: arguments in slots, returns errno. */
typedef u16 (*wf_wasi_fn)(struct weft_wasi *w, const struct wf_mem *m,
                          const weft_slot *a);

/* ---- fd table (wasi_fd.c) --------------------------------------------- */

/* The open descriptor `fd` whose rights include `need`: EBADF when not
** open, ENOTCAPABLE when a right is missing. */
WF_INTERNAL u16 wf_wasi_fd_get(struct weft_wasi *w, u32 fd, u64 need,
                               struct wf_wasi_fd **out);
/* Lowest free descriptor number, growing the table; EMFILE / ENOMEM. */
WF_INTERNAL u16 wf_wasi_fd_alloc(struct weft_wasi *w, u32 *out_fd);
/* Closes the handle and frees the slot. */
WF_INTERNAL void wf_wasi_fd_release(struct weft_wasi *w, u32 fd);
/* Validates a guest iovec array and fills w->iov; sets *out_n and the sum
** of lengths (EINVAL when it exceeds UINT32_MAX, EFAULT out of bounds). */
WF_INTERNAL u16 wf_wasi_iovecs(struct weft_wasi *w, const struct wf_mem *m,
                               u32 iovs, u32 iovs_len, size_t *out_n);

/* An errno-like result no WASI call returns to the guest: the block hook
** stopped the program, and the host function returns w->stop_status. */
#define WF_WASI_STOPPED 0xffff

/* A call that may block came back EINTR having done nothing: asks the
** block hook (wasi.c). true: issue the call again (no hook, or the hook
** said WEFT_OK); false: return WF_WASI_STOPPED. */
WF_INTERNAL bool wf_wasi_retry_blocked(struct weft_wasi *w);

/* "no such file or directory" for ENOENT, ... (wasi.c). */
WF_INTERNAL const char *wf_wasi_errno_name(u16 e);

/* A clock's reading as the program sees it: the monotonic clock continues
** from a restored snapshot's reading (wasi_proc.c). */
WF_INTERNAL u16 wf_wasi_clock_time(struct weft_wasi *w, u32 id, u64 *out);

/* ---- paths (wasi_path.c) ---------------------------------------------- */

/* Opens `path` (NUL-terminated, at most WF_WASI_PATH_MAX bytes) below the
** directory `dir` exactly as path_open resolves it (the fs's beneath
** resolution, else the component walk; never above `dir`). `flags` are
** WEFT_WASI_OPEN_*. Uses w->path_a and w->path_b. */
WF_INTERNAL u16 wf_wasi_open_below(struct weft_wasi *w,
                                   const struct wf_wasi_fd *dir,
                                   const char *path, u32 flags, bool follow,
                                   u16 fdflags, weft_wasi_file **out,
                                   u8 *out_type);
/* Attributes of what `path` names below `dir` (a final symlink followed
** with `follow`), resolved as path_filestat_get does. */
WF_INTERNAL u16 wf_wasi_stat_below(struct weft_wasi *w,
                                   const struct wf_wasi_fd *dir,
                                   const char *path, bool follow,
                                   weft_wasi_filestat *out);
/* The rights a descriptor of filetype `type` may hold. */
WF_INTERNAL u64 wf_wasi_opened_rights(u8 type, u64 base);

/* Copies a guest path into buf (WF_WASI_PATH_MAX + 1): EFAULT, EILSEQ
** (not UTF-8), EINVAL (NUL inside), ENAMETOOLONG. */
WF_INTERNAL u16 wf_wasi_path_copy(const struct wf_mem *m, u32 ptr, u32 len,
                                  char *buf);

/* ---- sockets (wasi_sock.c) -------------------------------------------- */

/* Puts a host listening socket into fd slot `fd` (weft_wasi_new). */
WF_INTERNAL weft_status wf_wasi_adopt_socket(struct weft_wasi *w, u32 fd,
                                             int host_fd, weft_error *err);

/* ---- each group of functions ------------------------------------------ */
#define WF_WASI_FN(name)                                                       \
  WF_INTERNAL u16 wf_wasi_##name(struct weft_wasi *w, const struct wf_mem *m,  \
                                 const weft_slot *a)

WF_WASI_FN(args_get);
WF_WASI_FN(args_sizes_get);
WF_WASI_FN(environ_get);
WF_WASI_FN(environ_sizes_get);
WF_WASI_FN(clock_res_get);
WF_WASI_FN(clock_time_get);
WF_WASI_FN(random_get);
WF_WASI_FN(sched_yield);
WF_WASI_FN(poll_oneoff);

WF_WASI_FN(fd_advise);
WF_WASI_FN(fd_allocate);
WF_WASI_FN(fd_close);
WF_WASI_FN(fd_datasync);
WF_WASI_FN(fd_fdstat_get);
WF_WASI_FN(fd_fdstat_set_flags);
WF_WASI_FN(fd_fdstat_set_rights);
WF_WASI_FN(fd_filestat_get);
WF_WASI_FN(fd_filestat_set_size);
WF_WASI_FN(fd_filestat_set_times);
WF_WASI_FN(fd_pread);
WF_WASI_FN(fd_prestat_get);
WF_WASI_FN(fd_prestat_dir_name);
WF_WASI_FN(fd_pwrite);
WF_WASI_FN(fd_read);
WF_WASI_FN(fd_readdir);
WF_WASI_FN(fd_renumber);
WF_WASI_FN(fd_seek);
WF_WASI_FN(fd_sync);
WF_WASI_FN(fd_tell);
WF_WASI_FN(fd_write);

WF_WASI_FN(path_create_directory);
WF_WASI_FN(path_filestat_get);
WF_WASI_FN(path_filestat_set_times);
WF_WASI_FN(path_link);
WF_WASI_FN(path_open);
WF_WASI_FN(path_readlink);
WF_WASI_FN(path_remove_directory);
WF_WASI_FN(path_rename);
WF_WASI_FN(path_symlink);
WF_WASI_FN(path_unlink_file);

WF_WASI_FN(sock_accept);
WF_WASI_FN(sock_recv);
WF_WASI_FN(sock_send);
WF_WASI_FN(sock_shutdown);

/* Writes a filestat into 64 guest bytes, padding zeroed. */
WF_INTERNAL void wf_wasi_put_filestat(u8 *out, const weft_wasi_filestat *st);
/* Validates fstflags: EINVAL for unknown bits or both a time and _NOW. */
WF_INTERNAL u16 wf_wasi_check_fstflags(u32 fstflags);

#endif /* WF_WASI_H */
