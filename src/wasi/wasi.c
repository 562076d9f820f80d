/*
** wasi.c — WASI preview 1 for one program: weft_wasi_new/free, the
** wasi_snapshot_preview1 import table and the trampoline that hands each
** host call its checked view of guest memory. Never prints or exits:
** proc_exit becomes WEFT_ERR_EXIT through weft_host_exit.
*/
#include "wasi.h"

/* The user pointer of one defined host function. */
struct wf_wasi_binding {
  struct weft_wasi *wasi;
  wf_wasi_fn fn;
};

/* One import: its name, its Wasm type as a string of 'i' (i32) and 'I'
** (i64) for params, and whether it returns an errno. */
struct wf_wasi_import {
  const char *name;
  const char *params;
  wf_wasi_fn fn; /* NULL: proc_exit */
};

#define IMPORT(name, params)                                                   \
  { #name, params, wf_wasi_##name }

static const struct wf_wasi_import imports[] = {
    IMPORT(args_get, "ii"),
    IMPORT(args_sizes_get, "ii"),
    IMPORT(environ_get, "ii"),
    IMPORT(environ_sizes_get, "ii"),
    IMPORT(clock_res_get, "ii"),
    IMPORT(clock_time_get, "iIi"),
    IMPORT(fd_advise, "iIIi"),
    IMPORT(fd_allocate, "iII"),
    IMPORT(fd_close, "i"),
    IMPORT(fd_datasync, "i"),
    IMPORT(fd_fdstat_get, "ii"),
    IMPORT(fd_fdstat_set_flags, "ii"),
    IMPORT(fd_fdstat_set_rights, "iII"),
    IMPORT(fd_filestat_get, "ii"),
    IMPORT(fd_filestat_set_size, "iI"),
    IMPORT(fd_filestat_set_times, "iIIi"),
    IMPORT(fd_pread, "iiiIi"),
    IMPORT(fd_prestat_get, "ii"),
    IMPORT(fd_prestat_dir_name, "iii"),
    IMPORT(fd_pwrite, "iiiIi"),
    IMPORT(fd_read, "iiii"),
    IMPORT(fd_readdir, "iiiIi"),
    IMPORT(fd_renumber, "ii"),
    IMPORT(fd_seek, "iIii"),
    IMPORT(fd_sync, "i"),
    IMPORT(fd_tell, "ii"),
    IMPORT(fd_write, "iiii"),
    IMPORT(path_create_directory, "iii"),
    IMPORT(path_filestat_get, "iiiii"),
    IMPORT(path_filestat_set_times, "iiiiIIi"),
    IMPORT(path_link, "iiiiiii"),
    IMPORT(path_open, "iiiiiIIii"),
    IMPORT(path_readlink, "iiiiii"),
    IMPORT(path_remove_directory, "iii"),
    IMPORT(path_rename, "iiiiii"),
    IMPORT(path_symlink, "iiiii"),
    IMPORT(path_unlink_file, "iii"),
    IMPORT(poll_oneoff, "iiii"),
    {"proc_exit", "i", NULL},
    {"proc_raise", "i", NULL},
    IMPORT(sched_yield, ""),
    IMPORT(random_get, "ii"),
    IMPORT(sock_accept, "iii"),
    IMPORT(sock_recv, "iiiiii"),
    IMPORT(sock_send, "iiiii"),
    IMPORT(sock_shutdown, "ii"),
};

#define NIMPORTS WF_ARRAY_LEN(imports)

u16 wf_wasi_store_u32(const struct wf_mem *m, u32 ptr, u32 v) {
  if (!wf_mem_ok(m, ptr, 4))
    return WEFT_WASI_EFAULT;
  wf_put_u32(m->base + ptr, v);
  return WEFT_WASI_ESUCCESS;
}

u16 wf_wasi_store_u64(const struct wf_mem *m, u32 ptr, u64 v) {
  if (!wf_mem_ok(m, ptr, 8))
    return WEFT_WASI_EFAULT;
  wf_put_u64(m->base + ptr, v);
  return WEFT_WASI_ESUCCESS;
}

/* Guest memory as it is now: it may have grown since the last call. */
static struct wf_mem current_memory(weft_host_ctx *ctx) {
  struct wf_mem m = {NULL, 0};
  weft_memory *mem = weft_host_memory(ctx);
  if (mem != NULL) {
    m.base = weft_memory_data(mem);
    m.size = weft_memory_size(mem);
    if (m.base == NULL)
      m.size = 0;
  }
  return m;
}

/* Runs one function; the file-system lookups its path resolutions made
** are charged as fuel afterwards (their number is known only then, and is
** bounded per resolution by WF_WASI_WALK_LOOKUPS). */
static weft_status call_errno_fn(weft_host_ctx *ctx, void *user,
                                 weft_slot *slots) {
  const struct wf_wasi_binding *b = user;
  struct wf_mem m = current_memory(ctx);
  u16 e;

  if (b->wasi == NULL)
    return wf_error_set(wf_host_error(ctx), WEFT_ERR_ARG,
                        "wasi: a WASI function called after weft_wasi_free "
                        "(free the weft_wasi after its instances' last call)");
  b->wasi->lookups = 0;
  e = b->fn(b->wasi, &m, slots);
  if (e == WF_WASI_STOPPED) /* the block hook ends the program here */
    return wf_error_set(wf_host_error(ctx), b->wasi->stop_status,
                        "wasi: a blocked call was interrupted and the block "
                        "hook stopped the program");
  slots[0].u64 = 0;
  slots[0].u32 = e;
  if (b->wasi->lookups == 0)
    return WEFT_OK;
  return weft_host_charge_fuel(ctx,
                               (u64)b->wasi->lookups * WF_WASI_LOOKUP_FUEL);
}

bool wf_wasi_retry_blocked(struct weft_wasi *w) {
  weft_status s;
  if (w->block_hook == NULL)
    return true; /* as POSIX's SA_RESTART: the program never sees EINTR */
  s = w->block_hook(w->block_user);
  if (s == WEFT_OK)
    return true;
  w->stop_status = s;
  return false;
}

void weft_wasi_set_block_hook(weft_wasi *w, weft_status (*hook)(void *user),
                              void *user) {
  if (w == NULL)
    return;
  w->block_hook = hook;
  w->block_user = user;
}

static weft_status call_proc_exit(weft_host_ctx *ctx, void *user,
                                  weft_slot *slots) {
  WF_UNUSED(user);
  return weft_host_exit(ctx, slots[0].i32);
}

/* proc_raise: no signal ever leaves the sandbox. As wasmtime, raising a
** valid signal is ENOTSUP and the program goes on; numbers above 30 (the
** last WASI signal) are EINVAL. */
static weft_status call_proc_raise(weft_host_ctx *ctx, void *user,
                                   weft_slot *slots) {
  u32 sig = slots[0].u32;
  WF_UNUSED(ctx);
  WF_UNUSED(user);
  slots[0].u64 = 0;
  slots[0].u32 = sig > 30 ? WEFT_WASI_EINVAL : WEFT_WASI_ENOTSUP;
  return WEFT_OK;
}

/* Host services for a port that has none: no clocks, no randomness
** (ENOSYS), and a poll that returns at once. */
static weft_wasi_errno no_clock(void *user, uint32_t id, uint64_t *out) {
  WF_UNUSED(user);
  WF_UNUSED(id);
  *out = 0;
  return WEFT_WASI_ENOSYS;
}
static weft_wasi_errno no_random(void *user, void *buf, size_t len) {
  WF_UNUSED(user);
  WF_UNUSED(buf);
  WF_UNUSED(len);
  return WEFT_WASI_ENOSYS;
}
static weft_wasi_errno no_poll(void *user, weft_wasi_pollfd *fds, size_t n,
                               int64_t timeout_ns) {
  WF_UNUSED(user);
  WF_UNUSED(fds);
  WF_UNUSED(n);
  WF_UNUSED(timeout_ns);
  return WEFT_WASI_ENOSYS;
}
static const weft_wasi_sys no_sys = {
    WEFT_WASI_SYS_VERSION, no_clock, no_clock, no_random, no_poll, NULL};

void weft_wasi_config_default(weft_wasi_config *out_config) {
  memset(out_config, 0, sizeof *out_config);
  out_config->size = sizeof *out_config;
  out_config->stdin_fd = 0;
  out_config->stdout_fd = 1;
  out_config->stderr_fd = 2;
}

/* Copies `n` strings back to back, NUL-terminated, into *out (size in
** *out_size). EINVAL-free: the total must fit in u32. */
static weft_status copy_strings(struct wf_alloc *a, const char *const *strs,
                                u32 n, char **out, u32 *out_size,
                                weft_error *err) {
  u64 total = 0;
  u32 i;
  char *p;

  for (i = 0; i < n; i++) {
    if (strs[i] == NULL)
      return wf_error_set(err, WEFT_ERR_ARG, "wasi: string %u is NULL", i);
    total += strlen(strs[i]) + 1;
  }
  if (total > UINT32_MAX)
    return wf_error_set(err, WEFT_ERR_ARG, "wasi: arguments too large");
  p = wf_alloc_raw(a, total ? (size_t)total : 1);
  if (p == NULL)
    return wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory");
  *out = p;
  *out_size = (u32)total;
  for (i = 0; i < n; i++) {
    size_t len = strlen(strs[i]) + 1;
    memcpy(p, strs[i], len);
    p += len;
  }
  return WEFT_OK;
}

static const char *const errno_names[] = {"success",
                                          "argument list too long",
                                          "permission denied",
                                          "address in use",
                                          "address not available",
                                          "address family not supported",
                                          "resource unavailable",
                                          "connection already in progress",
                                          "bad file descriptor",
                                          "bad message",
                                          "device or resource busy",
                                          "operation canceled",
                                          "no child processes",
                                          "connection aborted",
                                          "connection refused",
                                          "connection reset",
                                          "resource deadlock would occur",
                                          "destination address required",
                                          "mathematics argument out of domain",
                                          "disk quota exceeded",
                                          "file exists",
                                          "bad address",
                                          "file too large",
                                          "host is unreachable",
                                          "identifier removed",
                                          "illegal byte sequence",
                                          "operation in progress",
                                          "interrupted function",
                                          "invalid argument",
                                          "I/O error",
                                          "socket is connected",
                                          "is a directory",
                                          "too many levels of symbolic links",
                                          "too many open files",
                                          "too many links",
                                          "message too large",
                                          "multihop attempted",
                                          "filename too long",
                                          "network is down",
                                          "connection aborted by network",
                                          "network unreachable",
                                          "too many files open in system",
                                          "no buffer space available",
                                          "no such device",
                                          "no such file or directory",
                                          "executable file format error",
                                          "no locks available",
                                          "link has been severed",
                                          "not enough space",
                                          "no message of the desired type",
                                          "protocol not available",
                                          "no space left on device",
                                          "function not supported",
                                          "the socket is not connected",
                                          "not a directory",
                                          "directory not empty",
                                          "state not recoverable",
                                          "not a socket",
                                          "not supported",
                                          "inappropriate I/O control operation",
                                          "no such device or address",
                                          "value too large",
                                          "previous owner died",
                                          "operation not permitted",
                                          "broken pipe",
                                          "protocol error",
                                          "protocol not supported",
                                          "protocol wrong type for socket",
                                          "result too large",
                                          "read-only file system",
                                          "invalid seek",
                                          "no such process",
                                          "stale file handle",
                                          "connection timed out",
                                          "text file busy",
                                          "cross-device link",
                                          "capabilities insufficient"};

const char *wf_wasi_errno_name(u16 e) {
  return e < WF_ARRAY_LEN(errno_names) ? errno_names[e] : "unknown error";
}

/* Adopts a host descriptor into fd slot `fd` (stdio). A closed host
** descriptor (-1) leaves the slot closed. */
static weft_status adopt_stdio(struct weft_wasi *w, u32 fd, int host_fd,
                               weft_error *err) {
  const weft_wasi_fs *fs = weft_wasi_fs_host();
  struct wf_wasi_fd *e = &w->fds[fd];
  weft_wasi_file *file = NULL;
  u8 type = WEFT_WASI_FILETYPE_UNKNOWN;
  u16 flags = 0, r;
  u64 base;

  if (host_fd < 0 || fs == NULL || fs->adopt == NULL)
    return WEFT_OK;
  r = fs->adopt(NULL, host_fd, &file, &type, &flags);
  if (r == WEFT_WASI_EBADF)
    return WEFT_OK; /* not open in the host process: closed here too */
  if (r != WEFT_WASI_ESUCCESS)
    return wf_error_set(err, WEFT_ERR_ARG, "wasi: cannot use host fd %d: %s",
                        host_fd, wf_wasi_errno_name(r));
  base =
      WF_R_FD_FDSTAT_SET_FLAGS | WF_R_FD_FILESTAT_GET | WF_R_POLL_FD_READWRITE;
  base |=
      fd == 0 ? WF_R_FD_READ : WF_R_FD_WRITE | WF_R_FD_DATASYNC | WF_R_FD_SYNC;
  if (type == WEFT_WASI_FILETYPE_REGULAR_FILE)
    base |= WF_R_FD_SEEK | WF_R_FD_TELL | WF_R_FD_ADVISE;
  e->fs = fs;
  e->fs_user = NULL;
  e->file = file;
  e->filetype = type;
  e->fdflags = flags;
  e->base = base;
  e->inheriting = 0;
  e->io_slot = fd + 1;
  e->origin = WF_FD_STDIO;
  return WEFT_OK;
}

/* Preopen `fd - 3` becomes root w->roots[fd - 3], which owns the directory
** handle and the guest name; the fd entry borrows both. */
static weft_status open_preopen(struct weft_wasi *w, u32 fd,
                                const weft_wasi_preopen *p, weft_error *err) {
  struct wf_wasi_fd *e = &w->fds[fd];
  struct wf_wasi_root *root = &w->roots[fd - 3];
  const weft_wasi_fs *fs = p->fs != NULL ? p->fs : weft_wasi_fs_host();
  const char *guest = p->guest_path != NULL ? p->guest_path : p->host_path;
  size_t glen;
  u16 r;

  if (p->host_path == NULL || guest == NULL)
    return wf_error_set(err, WEFT_ERR_ARG, "wasi: preopen %u has no path",
                        fd - 3);
  if (fs == NULL || fs->version < 1 || fs->open_root == NULL ||
      fs->open_at == NULL || fs->close == NULL)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "wasi: preopen '%s' has no usable file system", guest);
  glen = strlen(guest);
  if (glen > WF_WASI_PATH_MAX)
    return wf_error_set(err, WEFT_ERR_ARG, "wasi: guest path too long");
  root->guest = wf_alloc_raw(w->alloc, glen + 1);
  if (root->guest == NULL)
    return wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory");
  memcpy(root->guest, guest, glen + 1);
  root->guest_len = (u32)glen;
  w->nroots++;
  r = fs->open_root(p->fs_user, p->host_path, &root->dir);
  if (r != WEFT_WASI_ESUCCESS) {
    root->dir = NULL;
    return wf_error_set(err, WEFT_ERR_ARG,
                        "wasi: cannot open directory '%s': %s", p->host_path,
                        wf_wasi_errno_name(r));
  }
  root->fs = fs;
  root->fs_user = p->fs_user;
  root->read_only = p->read_only != 0;
  e->preopen = root->guest;
  e->preopen_len = root->guest_len;
  e->fs = fs;
  e->fs_user = p->fs_user;
  e->file = root->dir;
  e->origin = WF_FD_PREOPEN;
  e->root = fd - 3;
  e->filetype = WEFT_WASI_FILETYPE_DIRECTORY;
  e->io_slot = fd + 1; /* preopen i is fd 3 + i: slot 3 + i */
  e->base = WF_RIGHTS_DIR;
  e->inheriting = WF_RIGHTS_DIR | WF_RIGHTS_FILE;
  e->read_only = p->read_only != 0;
  if (e->read_only) {
    /* The write rights stay inheritable so that an open for writing
    ** reaches path_open and fails there with EROFS. */
    e->base &= ~WF_RIGHTS_DIR_MUTATE;
    e->inheriting &= ~WF_RIGHTS_DIR_MUTATE;
  }
  return WEFT_OK;
}

static weft_status alloc_scratch(struct weft_wasi *w, weft_error *err) {
  w->path_a = wf_alloc_raw(w->alloc, WF_WASI_PATH_MAX + 1);
  w->path_b = wf_alloc_raw(w->alloc, WF_WASI_PATH_MAX + 1);
  w->walk = wf_alloc_raw(w->alloc, 2 * WF_WASI_PATH_MAX + 2);
  w->walk_tmp = wf_alloc_raw(w->alloc, 2 * WF_WASI_PATH_MAX + 2);
  w->names = wf_alloc_raw(w->alloc, 2 * WF_WASI_PATH_MAX + 2);
  w->levels =
      wf_alloc_array(w->alloc, WF_WASI_DEPTH_MAX + 1, sizeof *w->levels);
  w->iov = wf_alloc_array(w->alloc, WF_WASI_IOV_MAX, sizeof *w->iov);
  /* The bindings are the user pointers of the host functions defined in
  ** linkers; those functions live as long as the engine, so the bindings
  ** do too (weft_wasi_free only marks them dead). */
  w->bindings = wf_engine_keep(w->engine, NIMPORTS * sizeof *w->bindings);
  if (!w->path_a || !w->path_b || !w->walk || !w->walk_tmp || !w->names ||
      !w->levels || !w->iov || !w->bindings)
    return wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory");
  return WEFT_OK;
}

weft_status weft_wasi_new(weft_engine *engine, const weft_wasi_config *config,
                          weft_wasi **out_wasi, weft_error *out_error) {
  struct weft_wasi *w;
  weft_wasi_config defaults;
  weft_status s;
  u32 i, n;

  wf_error_clear(out_error);
  if (out_wasi == NULL || engine == NULL)
    return wf_error_set(out_error, WEFT_ERR_ARG, "wasi: NULL argument");
  *out_wasi = NULL;
  /* Fields past the caller's size keep their defaults (weft_config.size).
  ** The first sized version ended after sys_user. */
  weft_wasi_config_default(&defaults);
  if (config != NULL) {
    if (config->size < offsetof(weft_wasi_config, sys_user) + sizeof(void *))
      return wf_error_set(out_error, WEFT_ERR_ARG,
                          "wasi: config size is %u; fill the config with "
                          "weft_wasi_config_default first",
                          (unsigned)config->size);
    memcpy(&defaults, config,
           config->size < sizeof defaults ? config->size : sizeof defaults);
  }
  config = &defaults;
  if ((config->argc && !config->argv) || (config->envc && !config->env) ||
      (config->npreopens && !config->preopens) ||
      config->npreopens > WF_WASI_MAX_FDS - 3)
    return wf_error_set(out_error, WEFT_ERR_ARG, "wasi: bad config");
  w = wf_alloc_zero(wf_engine_alloc(engine), sizeof *w);
  if (w == NULL)
    return wf_error_set(out_error, WEFT_ERR_NOMEM, "wasi: out of memory");
  w->engine = engine;
  w->alloc = wf_engine_alloc(engine);
  w->sys = config->sys != NULL ? config->sys : weft_wasi_sys_host();
  w->sys_user = config->sys_user;
  if (w->sys == NULL || w->sys->version < 1 || w->sys->clock_res == NULL ||
      w->sys->clock_time == NULL || w->sys->random == NULL ||
      w->sys->poll == NULL)
    w->sys = &no_sys;
  n = 3 + config->npreopens + config->nsockets;
  w->fds_cap = n < 16 ? 16 : n;
  w->fds = wf_alloc_array(w->alloc, w->fds_cap, sizeof *w->fds);
  if (w->fds == NULL) {
    weft_wasi_free(w);
    return wf_error_set(out_error, WEFT_ERR_NOMEM, "wasi: out of memory");
  }
  memset(w->fds, 0, w->fds_cap * sizeof *w->fds);
  w->nfds = 3;
  w->nio = 3 + config->npreopens;
  w->io = wf_alloc_array(w->alloc, w->nio, sizeof *w->io);
  if (w->io == NULL) {
    weft_wasi_free(w);
    return wf_error_set(out_error, WEFT_ERR_NOMEM, "wasi: out of memory");
  }
  memset(w->io, 0, w->nio * sizeof *w->io);
  w->roots = wf_alloc_array(w->alloc, config->npreopens ? config->npreopens : 1,
                            sizeof *w->roots);
  if (w->roots == NULL) {
    weft_wasi_free(w);
    return wf_error_set(out_error, WEFT_ERR_NOMEM, "wasi: out of memory");
  }
  memset(w->roots, 0,
         (config->npreopens ? config->npreopens : 1) * sizeof *w->roots);
  s = alloc_scratch(w, out_error);
  if (s == WEFT_OK)
    s = copy_strings(w->alloc, config->argv, config->argc, &w->args,
                     &w->args_size, out_error);
  w->argc = config->argc;
  if (s == WEFT_OK)
    s = copy_strings(w->alloc, config->env, config->envc, &w->env, &w->env_size,
                     out_error);
  w->envc = config->envc;
  if (s == WEFT_OK)
    s = adopt_stdio(w, 0, config->stdin_fd, out_error);
  if (s == WEFT_OK)
    s = adopt_stdio(w, 1, config->stdout_fd, out_error);
  if (s == WEFT_OK)
    s = adopt_stdio(w, 2, config->stderr_fd, out_error);
  for (i = 0; s == WEFT_OK && i < config->npreopens; i++) {
    s = open_preopen(w, w->nfds, &config->preopens[i], out_error);
    w->nfds++;
  }
  for (i = 0; s == WEFT_OK && i < config->nsockets; i++) {
    s = wf_wasi_adopt_socket(w, w->nfds, config->sockets[i], out_error);
    w->nfds++;
  }
  if (s != WEFT_OK) {
    weft_wasi_free(w);
    return s;
  }
  w->fresh = true;
  *out_wasi = w;
  return WEFT_OK;
}

void weft_wasi_free(weft_wasi *w) {
  u32 i;
  struct wf_alloc *a;

  if (w == NULL)
    return;
  a = w->alloc;
  for (i = 0; w->fds != NULL && i < w->nfds; i++)
    wf_wasi_fd_release(w, i);
  wf_alloc_free(a, w->fds, w->fds_cap * sizeof *w->fds);
  for (i = 0; w->roots != NULL && i < w->nroots; i++) {
    struct wf_wasi_root *r = &w->roots[i];
    if (r->dir != NULL)
      r->fs->close(r->fs_user, r->dir);
    wf_alloc_free(a, r->guest, r->guest_len + 1);
  }
  if (w->roots != NULL)
    wf_alloc_free(a, w->roots,
                  (w->nio - 3 ? w->nio - 3 : 1) * sizeof *w->roots);
  if (w->io != NULL)
    wf_alloc_free(a, w->io, w->nio * sizeof *w->io);
  wf_alloc_free(a, w->args, w->args_size ? w->args_size : 1);
  wf_alloc_free(a, w->env, w->env_size ? w->env_size : 1);
  wf_alloc_free(a, w->path_a, WF_WASI_PATH_MAX + 1);
  wf_alloc_free(a, w->path_b, WF_WASI_PATH_MAX + 1);
  wf_alloc_free(a, w->walk, 2 * WF_WASI_PATH_MAX + 2);
  wf_alloc_free(a, w->walk_tmp, 2 * WF_WASI_PATH_MAX + 2);
  wf_alloc_free(a, w->names, 2 * WF_WASI_PATH_MAX + 2);
  wf_alloc_free(a, w->levels, (WF_WASI_DEPTH_MAX + 1) * sizeof *w->levels);
  wf_alloc_free(a, w->iov, WF_WASI_IOV_MAX * sizeof *w->iov);
  for (i = 0; w->bindings != NULL && i < NIMPORTS; i++)
    w->bindings[i].wasi = NULL; /* a later call fails instead of crashing */
  wf_alloc_free(a, w, sizeof *w);
}

weft_status weft_wasi_io_stats(const weft_wasi *w, uint32_t index,
                               uint64_t *out_read, uint64_t *out_written) {
  if (w == NULL || index >= w->nio || out_read == NULL || out_written == NULL)
    return WEFT_ERR_ARG;
  *out_read = w->io[index].read;
  *out_written = w->io[index].written;
  return WEFT_OK;
}

static weft_valtype valtype_of(char c) {
  return c == 'I' ? WEFT_I64 : WEFT_I32;
}

weft_status weft_wasi_define(weft_wasi *w, weft_linker *linker,
                             weft_error *out_error) {
  static const weft_valtype result_i32[1] = {WEFT_I32};
  u32 i, j;

  wf_error_clear(out_error);
  if (w == NULL || linker == NULL)
    return wf_error_set(out_error, WEFT_ERR_ARG, "wasi: NULL argument");
  for (i = 0; i < NIMPORTS; i++) {
    const struct wf_wasi_import *imp = &imports[i];
    weft_valtype params[9];
    u32 np = (u32)strlen(imp->params);
    weft_host_fn fn = call_errno_fn;
    u32 nresults = 1;
    weft_func *func;
    weft_extern ext;
    weft_status s;

    for (j = 0; j < np; j++)
      params[j] = valtype_of(imp->params[j]);
    w->bindings[i].wasi = w;
    w->bindings[i].fn = imp->fn;
    if (imp->fn == NULL) {
      if (strcmp(imp->name, "proc_exit") == 0) {
        fn = call_proc_exit;
        nresults = 0;
      } else {
        fn = call_proc_raise;
      }
    }
    s = weft_func_new_host(w->engine, params, np, result_i32, nresults, fn,
                           &w->bindings[i], &func, out_error);
    if (s != WEFT_OK)
      return s;
    ext.kind = WEFT_EXTERN_FUNC;
    ext.of.func = func;
    s = weft_linker_define(linker, "wasi_snapshot_preview1", imp->name, ext,
                           out_error);
    if (s != WEFT_OK)
      return s;
  }
  return WEFT_OK;
}
