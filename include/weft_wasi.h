/*
** weft_wasi.h — WASI preview 1 (wasi_snapshot_preview1) for libweft.
** A weft_wasi is one program's view of the world: its arguments, its
** environment, its stdio and the directories preopened for it. Nothing
** else is reachable. Files are reached through a file-operations table
** (weft_wasi_fs) so a services layer can put protected files under a
** preopen; weft_wasi_fs_host() is the host file system of the platform.
*/
#ifndef WEFT_WASI_H
#define WEFT_WASI_H

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_wasi weft_wasi;
typedef struct weft_wasi_fs weft_wasi_fs;   /* defined in weft_wasi_fs.h */
typedef struct weft_wasi_sys weft_wasi_sys; /* defined in weft_wasi_fs.h */

typedef struct weft_wasi_preopen {
  const char *host_path;  /* directory on the host */
  const char *guest_path; /* name the program sees, e.g. "/data" or "." */
  int read_only;          /* no write, create, remove or rename below it */
  const weft_wasi_fs *fs; /* NULL: weft_wasi_fs_host() */
  void *fs_user;          /* passed to fs callbacks */
} weft_wasi_preopen;

typedef struct weft_wasi_config {
  uint32_t size;           /* sizeof(weft_wasi_config) (see weft_config); set by
                              weft_wasi_config_default */
  const char *const *argv; /* argv[0] is the program name */
  uint32_t argc;
  const char *const *env; /* "KEY=VALUE" strings */
  uint32_t envc;
  const weft_wasi_preopen *preopens;
  uint32_t npreopens;
  int stdin_fd; /* host descriptors for fds 0, 1, 2; -1: closed */
  int stdout_fd;
  int stderr_fd;
  /* Host descriptors of listening stream sockets, given to the program as
  ** the fds after the preopens (sock_accept on them). Stay the caller's. */
  const int *sockets;
  uint32_t nsockets;
  const weft_wasi_sys *sys; /* clocks, random, poll; NULL: the host's */
  void *sys_user;
} weft_wasi_config;

WEFT_API void weft_wasi_config_default(weft_wasi_config *out_config);

/* Copies everything it needs from the config (strings included). Opens the
** preopened directories now, so a missing directory is reported here.
**
** Lifetime. A weft_wasi belongs to `engine`: its functions (defined in a
** linker by weft_wasi_define) are host functions of that engine, and only
** instances of that engine can import them (weft_instantiate refuses a
** definition of another engine). Free it with weft_wasi_free after the
** last call into any instance that imports it, and before
** weft_engine_free. An instance may outlive it: a WASI function called
** after weft_wasi_free fails with WEFT_ERR_ARG ("called after
** weft_wasi_free"), which ends the Wasm call as a host error, never
** touching the freed state. One weft_wasi serves one program at a time:
** its instances run on the engine's thread. */
WEFT_API weft_status weft_wasi_new(weft_engine *engine,
                                   const weft_wasi_config *config,
                                   weft_wasi **out_wasi, weft_error *out_error);
WEFT_API void weft_wasi_free(weft_wasi *wasi);

/* Define every wasi_snapshot_preview1 function in the linker. */
WEFT_API weft_status weft_wasi_define(weft_wasi *wasi, weft_linker *linker,
                                      weft_error *out_error);

/* Bytes the program read (fd_read, fd_pread) and wrote (fd_write,
** fd_pwrite) so far through stdin, stdout, stderr (index 0, 1, 2) or
** through any descriptor opened below preopen i (index 3 + i, in config
** order). Sockets are not counted. WEFT_ERR_ARG for an index beyond. */
WEFT_API weft_status weft_wasi_io_stats(const weft_wasi *wasi, uint32_t index,
                                        uint64_t *out_read,
                                        uint64_t *out_written);

/* A call that may block (fd_read / fd_write on a pipe, terminal or socket,
** poll_oneoff, sock_accept, sock_recv, sock_send) interrupted by a signal
** before it did anything (the host layer returns EINTR) calls `hook`:
** WEFT_OK issues the call again; any other status is returned by the host
** function (weft_error says the block hook stopped the program), so the
** program unwinds with it, as from a trap (an embedder
** takes a snapshot inside the hook, and the call is issued again after
** weft_wasi_snapshot_restore). Without a hook (NULL, the default) the call
** is issued again: the program never sees EINTR. */
WEFT_API void weft_wasi_set_block_hook(weft_wasi *wasi,
                                       weft_status (*hook)(void *user),
                                       void *user);

/* The state of `wasi` as portable bytes (docs/snapshot.md, "WASI state"):
** args, environment, preopens by guest name and mode, every open
** descriptor (its preopen and guest path below it, open flags, fdflags,
** rights, filetype, current offset, and the file's identity: size and
** mtime), the monotonic clock reading, and the io counters. Files open for
** writing are synced through their weft_wasi_fs first (protected files
** must be consistent with the snapshot). Refused (WEFT_ERR_UNSUPPORTED,
** the message naming the fd) for what cannot be reopened: sockets, a
** descriptor whose path no longer names its file (renamed, replaced),
** an unlinked open file. Charges no fuel. *out_bytes is allocated with
** the engine's allocator: give it back with weft_wasi_snapshot_free. */
WEFT_API weft_status weft_wasi_snapshot_save(weft_wasi *wasi,
                                             uint8_t **out_bytes,
                                             size_t *out_size,
                                             weft_error *out_error);
WEFT_API void weft_wasi_snapshot_free(weft_wasi *wasi, uint8_t *bytes,
                                      size_t size);

/* Into a fresh weft_wasi (no descriptor opened, closed or renumbered yet:
** WEFT_ERR_ARG otherwise): args and environment replaced by the
** snapshot's; each preopen of the snapshot matched by guest name to one of
** this wasi's preopens (which may name other host directories; a missing
** one, or one now read-only where the snapshot's was writable, is an
** error; preopens the snapshot does not name are closed); stdio fds taken
** from this wasi's config; every other descriptor reopened at the same fd
** number by its guest path beneath its preopen (the same resolution and
** checks as path_open, never creating or truncating), its offset restored,
** its rights never more than a path_open here would give. A file whose
** size or mtime differs, or that vanished, is an error naming the guest
** path. The monotonic clock continues from the snapshot's reading (an
** offset added to later reads). Malformed input is WEFT_ERR_MALFORMED,
** never a crash. On any error `wasi` is left as it was. Charges no fuel. */
WEFT_API weft_status weft_wasi_snapshot_restore(weft_wasi *wasi,
                                                const uint8_t *bytes,
                                                size_t size,
                                                weft_error *out_error);

/* After a call returned WEFT_ERR_EXIT: the code given to proc_exit is in
** weft_error.exit_code. */

#ifdef __cplusplus
}
#endif
#endif /* WEFT_WASI_H */
