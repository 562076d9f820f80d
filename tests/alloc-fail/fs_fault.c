/*
** fs_fault.c — file-operation faults under WASI. A weft_wasi_fs that
** delegates to weft_wasi_fs_host() but, on its Nth call, injects a fault,
** sits under both preopens of a WASI program; the program is run once per
** N = 1..C, C being the calls a clean run makes. Modes:
**   err    the Nth call fails (EIO, ENOSPC, EINTR, EAGAIN, ENOMEM, EACCES in
**          turn); a failing close still closes; opens open nothing
**   short  the Nth read/write/pread/pwrite/sock_recv/sock_send moves fewer
**          bytes than asked (half of the first buffer, at least one byte;
**          N counts those calls only)
** The program may fail, as it should when its files do: weft must not crash
** or leak (live bytes 0 after weft_engine_free, through a counting
** allocator), every handle the fs gave out must be closed exactly once,
** and a failing weft call must carry a message. Public API only (weft.h,
** weft_wasi.h, weft_wasi_fs.h). stdio is not under the wrapper: WASI
** adopts fds 0-2 through weft_wasi_fs_host() itself.
**
** usage: fs_fault [-v] [--mode err|short] [--count] [--stride S]
**                 [--args "A B"] [--dir2 NAME] PROGRAM.wasm...
**   --count     only count the calls of a clean run
**   --stride S  fault N = 1, 1+S, 1+2S, ... instead of every N
**   --from N    start at N (debugging one fault point: --from N --stride C)
** Prints a line per program and mode and a closing "N passed, N failed"
** (one test per program and mode).
*/
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sweep_alloc.h"
#include "weft.h"
#include "weft_wasi.h"
#include "weft_wasi_fs.h"

/* ---- the faulty fs ----------------------------------------------------------
 */

enum mode { MODE_ERR, MODE_SHORT };

#define MAX_HANDLES 4096

struct faulty {
  const weft_wasi_fs *real;
  enum mode mode;
  unsigned long calls;               /* counted calls so far */
  unsigned long fail_at;             /* 1-based call to fault; 0: never */
  unsigned long injected;            /* faults injected */
  weft_wasi_file *open[MAX_HANDLES]; /* handles given out, not yet closed */
  size_t nopen;
  unsigned long bad_close; /* close of a handle not open (double close) */
  unsigned long overflow;  /* more live handles than MAX_HANDLES */
};

static const weft_wasi_errno fault_errnos[] = {
    WEFT_WASI_EIO,    WEFT_WASI_ENOSPC, WEFT_WASI_EINTR,
    WEFT_WASI_EAGAIN, WEFT_WASI_ENOMEM, WEFT_WASI_EACCES};

/* In err mode, every call counts; returns the errno to inject, or 0. */
static weft_wasi_errno fault(struct faulty *f) {
  if (f->mode != MODE_ERR)
    return 0;
  if (++f->calls != f->fail_at)
    return 0;
  f->injected++;
  return fault_errnos[f->calls % (sizeof fault_errnos / sizeof *fault_errnos)];
}

/* In short mode, only transfers count; 1 when this one is cut short. */
static int cut_short(struct faulty *f) {
  if (f->mode != MODE_SHORT)
    return 0;
  if (++f->calls != f->fail_at)
    return 0;
  f->injected++;
  return 1;
}

static void track_open(struct faulty *f, weft_wasi_errno e,
                       weft_wasi_file **out) {
  if (e != WEFT_WASI_ESUCCESS || !out || !*out)
    return;
  if (f->nopen < MAX_HANDLES)
    f->open[f->nopen++] = *out;
  else
    f->overflow++;
}

static void track_close(struct faulty *f, weft_wasi_file *file) {
  for (size_t i = f->nopen; i-- > 0;)
    if (f->open[i] == file) {
      f->open[i] = f->open[--f->nopen];
      return;
    }
  f->bad_close++;
}

/* The shortened copy of an iovec array: the first non-empty buffer, halved. */
static size_t shorten(const weft_wasi_iovec *iov, size_t iovcnt,
                      weft_wasi_iovec *one) {
  for (size_t i = 0; i < iovcnt; i++)
    if (iov[i].len) {
      one->buf = iov[i].buf;
      one->len = iov[i].len > 1 ? iov[i].len / 2 : 1;
      return 1;
    }
  return 0;
}

#define F ((struct faulty *)user)
#define INJECT                                                                 \
  do {                                                                         \
    weft_wasi_errno e_ = fault(F);                                             \
    if (e_)                                                                    \
      return e_;                                                               \
  } while (0)

static weft_wasi_errno ff_open_root(void *user, const char *path,
                                    weft_wasi_file **out_file) {
  INJECT;
  weft_wasi_errno e = F->real->open_root(NULL, path, out_file);
  track_open(F, e, out_file);
  return e;
}

static weft_wasi_errno ff_open_at(void *user, weft_wasi_file *dir,
                                  const char *name, uint32_t flags,
                                  uint16_t fdflags, weft_wasi_file **out_file,
                                  uint8_t *out_filetype) {
  INJECT;
  weft_wasi_errno e =
      F->real->open_at(NULL, dir, name, flags, fdflags, out_file, out_filetype);
  track_open(F, e, out_file);
  return e;
}

static weft_wasi_errno ff_open_beneath(void *user, weft_wasi_file *dir,
                                       const char *path, uint32_t flags,
                                       uint16_t fdflags,
                                       weft_wasi_file **out_file,
                                       uint8_t *out_filetype) {
  INJECT;
  if (!F->real->open_beneath)
    return WEFT_WASI_ENOSYS;
  weft_wasi_errno e = F->real->open_beneath(NULL, dir, path, flags, fdflags,
                                            out_file, out_filetype);
  track_open(F, e, out_file);
  return e;
}

static weft_wasi_errno ff_close(void *user, weft_wasi_file *file) {
  weft_wasi_errno inj = fault(F);
  track_close(F, file);
  weft_wasi_errno e = F->real->close(NULL, file);
  return inj ? inj : e; /* closed either way, as POSIX close */
}

typedef weft_wasi_errno (*io_fn)(void *, weft_wasi_file *,
                                 const weft_wasi_iovec *, size_t, size_t *);

static weft_wasi_errno io(void *user, io_fn fn, weft_wasi_file *file,
                          const weft_wasi_iovec *iov, size_t iovcnt,
                          size_t *out_n) {
  INJECT;
  weft_wasi_iovec one;
  if (cut_short(F) && shorten(iov, iovcnt, &one))
    return fn(NULL, file, &one, 1, out_n);
  return fn(NULL, file, iov, iovcnt, out_n);
}

static weft_wasi_errno ff_read(void *user, weft_wasi_file *file,
                               const weft_wasi_iovec *iov, size_t iovcnt,
                               size_t *out_n) {
  return io(user, F->real->read, file, iov, iovcnt, out_n);
}

static weft_wasi_errno ff_write(void *user, weft_wasi_file *file,
                                const weft_wasi_iovec *iov, size_t iovcnt,
                                size_t *out_n) {
  return io(user, F->real->write, file, iov, iovcnt, out_n);
}

static weft_wasi_errno ff_pread(void *user, weft_wasi_file *file,
                                const weft_wasi_iovec *iov, size_t iovcnt,
                                uint64_t offset, size_t *out_n) {
  INJECT;
  weft_wasi_iovec one;
  if (cut_short(F) && shorten(iov, iovcnt, &one))
    return F->real->pread(NULL, file, &one, 1, offset, out_n);
  return F->real->pread(NULL, file, iov, iovcnt, offset, out_n);
}

static weft_wasi_errno ff_pwrite(void *user, weft_wasi_file *file,
                                 const weft_wasi_iovec *iov, size_t iovcnt,
                                 uint64_t offset, size_t *out_n) {
  INJECT;
  weft_wasi_iovec one;
  if (cut_short(F) && shorten(iov, iovcnt, &one))
    return F->real->pwrite(NULL, file, &one, 1, offset, out_n);
  return F->real->pwrite(NULL, file, iov, iovcnt, offset, out_n);
}

static weft_wasi_errno ff_seek(void *user, weft_wasi_file *file, int64_t offset,
                               uint8_t whence, uint64_t *out_offset) {
  INJECT;
  return F->real->seek(NULL, file, offset, whence, out_offset);
}

static weft_wasi_errno ff_fstat(void *user, weft_wasi_file *file,
                                weft_wasi_filestat *out_stat) {
  INJECT;
  return F->real->fstat(NULL, file, out_stat);
}

static weft_wasi_errno ff_stat_at(void *user, weft_wasi_file *dir,
                                  const char *name,
                                  weft_wasi_filestat *out_stat) {
  INJECT;
  return F->real->stat_at(NULL, dir, name, out_stat);
}

static weft_wasi_errno ff_set_size(void *user, weft_wasi_file *file,
                                   uint64_t size) {
  INJECT;
  return F->real->set_size(NULL, file, size);
}

static weft_wasi_errno ff_set_times(void *user, weft_wasi_file *file,
                                    uint64_t atim, uint64_t mtim,
                                    uint16_t fstflags) {
  INJECT;
  return F->real->set_times(NULL, file, atim, mtim, fstflags);
}

static weft_wasi_errno ff_set_times_at(void *user, weft_wasi_file *dir,
                                       const char *name, uint64_t atim,
                                       uint64_t mtim, uint16_t fstflags) {
  INJECT;
  return F->real->set_times_at(NULL, dir, name, atim, mtim, fstflags);
}

static weft_wasi_errno ff_readdir(void *user, weft_wasi_file *dir,
                                  uint64_t cookie, weft_wasi_dirent_fn fn,
                                  void *ctx) {
  INJECT;
  return F->real->readdir(NULL, dir, cookie, fn, ctx);
}

static weft_wasi_errno ff_mkdir_at(void *user, weft_wasi_file *dir,
                                   const char *name) {
  INJECT;
  return F->real->mkdir_at(NULL, dir, name);
}

static weft_wasi_errno ff_unlink_at(void *user, weft_wasi_file *dir,
                                    const char *name) {
  INJECT;
  return F->real->unlink_at(NULL, dir, name);
}

static weft_wasi_errno ff_rmdir_at(void *user, weft_wasi_file *dir,
                                   const char *name) {
  INJECT;
  return F->real->rmdir_at(NULL, dir, name);
}

static weft_wasi_errno ff_rename_at(void *user, weft_wasi_file *dir,
                                    const char *name, weft_wasi_file *new_dir,
                                    const char *new_name) {
  INJECT;
  return F->real->rename_at(NULL, dir, name, new_dir, new_name);
}

static weft_wasi_errno ff_link_at(void *user, weft_wasi_file *dir,
                                  const char *name, weft_wasi_file *new_dir,
                                  const char *new_name) {
  INJECT;
  return F->real->link_at(NULL, dir, name, new_dir, new_name);
}

static weft_wasi_errno ff_symlink_at(void *user, const char *target,
                                     weft_wasi_file *dir, const char *name) {
  INJECT;
  return F->real->symlink_at(NULL, target, dir, name);
}

static weft_wasi_errno ff_readlink_at(void *user, weft_wasi_file *dir,
                                      const char *name, char *buf, size_t cap,
                                      size_t *out_len) {
  INJECT;
  return F->real->readlink_at(NULL, dir, name, buf, cap, out_len);
}

static weft_wasi_errno ff_sync(void *user, weft_wasi_file *file,
                               int data_only) {
  INJECT;
  return F->real->sync(NULL, file, data_only);
}

static weft_wasi_errno ff_advise(void *user, weft_wasi_file *file,
                                 uint64_t offset, uint64_t len,
                                 uint8_t advice) {
  INJECT;
  return F->real->advise(NULL, file, offset, len, advice);
}

static weft_wasi_errno ff_allocate(void *user, weft_wasi_file *file,
                                   uint64_t offset, uint64_t len) {
  INJECT;
  return F->real->allocate(NULL, file, offset, len);
}

static weft_wasi_errno ff_set_flags(void *user, weft_wasi_file *file,
                                    uint16_t fdflags) {
  INJECT;
  return F->real->set_flags(NULL, file, fdflags);
}

static int ff_poll_handle(void *user, weft_wasi_file *file) {
  return F->real->poll_handle ? F->real->poll_handle(NULL, file) : -1;
}

#undef INJECT
#undef F

static weft_wasi_fs faulty_fs;

static void faulty_fs_init(void) {
  const weft_wasi_fs *h = weft_wasi_fs_host();
  memset(&faulty_fs, 0, sizeof faulty_fs);
  faulty_fs.version = WEFT_WASI_FS_VERSION;
  faulty_fs.open_root = ff_open_root;
  faulty_fs.open_at = ff_open_at;
  faulty_fs.open_beneath = h->open_beneath ? ff_open_beneath : NULL;
  faulty_fs.close = ff_close;
  faulty_fs.read = ff_read;
  faulty_fs.write = ff_write;
  faulty_fs.pread = ff_pread;
  faulty_fs.pwrite = ff_pwrite;
  faulty_fs.seek = ff_seek;
  faulty_fs.fstat = ff_fstat;
  faulty_fs.stat_at = ff_stat_at;
  faulty_fs.set_size = ff_set_size;
  faulty_fs.set_times = ff_set_times;
  faulty_fs.set_times_at = ff_set_times_at;
  faulty_fs.readdir = ff_readdir;
  faulty_fs.mkdir_at = ff_mkdir_at;
  faulty_fs.unlink_at = ff_unlink_at;
  faulty_fs.rmdir_at = ff_rmdir_at;
  faulty_fs.rename_at = ff_rename_at;
  faulty_fs.link_at = ff_link_at;
  faulty_fs.symlink_at = ff_symlink_at;
  faulty_fs.readlink_at = ff_readlink_at;
  faulty_fs.sync = ff_sync;
  faulty_fs.advise = ff_advise;
  faulty_fs.allocate = ff_allocate;
  faulty_fs.set_flags = ff_set_flags;
  faulty_fs.poll_handle = ff_poll_handle;
  /* no sockets and no adopt: preopens never hold either */
}

/* ---- one run
 * ----------------------------------------------------------------- */

static char tmp_root[256];
static int devnull_fd = -1;
static int opt_verbose;
static int opt_count;                /* only the clean run: count the calls */
static unsigned long opt_stride = 1; /* N = 1, 1 + S, 1 + 2S, ... */
static unsigned long opt_from = 1;   /* first N */

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

struct program {
  const char *path;
  const char **argv; /* argv[0] is the name */
  int argc;
  const char *dir2;
  unsigned char *bytes;
  size_t len;
};

struct outcome {
  int step; /* 0 engine, 1 load, 2 linker, 3 wasi_new, 4 define, 5 inst,
               6 call, 7 done */
  weft_status status;
  int32_t exit_code;
  char message[256];
};

static const char *const step_names[] = {"engine",   "load",   "linker",
                                         "wasi_new", "define", "instantiate",
                                         "call",     "end"};

static void run_program(const struct program *p, struct faulty *f,
                        struct sweep_alloc *a, struct outcome *o) {
  weft_config cfg;
  weft_engine *e = NULL;
  weft_module *mod = NULL;
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_wasi *w = NULL;
  weft_error err;
  weft_status s;
  char pre[300], second[300];

  snprintf(pre, sizeof pre, "%s/pre", tmp_root);
  snprintf(second, sizeof second, "%s/second", tmp_root);
  nftw(pre, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  nftw(second, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  mkdir(pre, 0700);
  mkdir(second, 0700);

  memset(o, 0, sizeof *o);
  weft_config_default(&cfg);
  cfg.alloc = sweep_realloc;
  cfg.alloc_user = a;
  memset(&err, 0, sizeof err);
  o->step = 0;
  if ((s = weft_engine_new(&cfg, &e, &err)) != WEFT_OK)
    goto out;
  o->step = 1;
  if ((s = weft_module_load(e, p->bytes, p->len, &mod, &err)) != WEFT_OK)
    goto out;
  o->step = 2;
  if ((s = weft_linker_new(e, &l, &err)) != WEFT_OK)
    goto out;
  weft_wasi_preopen po[2];
  memset(po, 0, sizeof po);
  po[0].host_path = pre;
  po[0].guest_path = "/sandbox";
  po[0].fs = &faulty_fs;
  po[0].fs_user = f;
  po[1].host_path = second;
  po[1].guest_path = p->dir2 ? p->dir2 : "/ro";
  po[1].read_only = p->dir2 == NULL;
  po[1].fs = &faulty_fs;
  po[1].fs_user = f;
  weft_wasi_config wc;
  weft_wasi_config_default(&wc);
  wc.argv = p->argv;
  wc.argc = (uint32_t)p->argc;
  wc.preopens = po;
  wc.npreopens = 2;
  wc.stdin_fd = devnull_fd;
  wc.stdout_fd = opt_verbose > 1 ? 1 : devnull_fd;
  wc.stderr_fd = opt_verbose > 1 ? 2 : devnull_fd;
  o->step = 3;
  if ((s = weft_wasi_new(e, &wc, &w, &err)) != WEFT_OK)
    goto out;
  o->step = 4;
  if ((s = weft_wasi_define(w, l, &err)) != WEFT_OK)
    goto out;
  o->step = 5;
  if ((s = weft_instantiate(l, mod, &inst, &err)) != WEFT_OK)
    goto out;
  o->step = 6;
  weft_extern ext;
  if ((s = weft_instance_export(inst, "_start", &ext)) != WEFT_OK) {
    snprintf(err.message, sizeof err.message, "no _start");
    goto out;
  }
  if ((s = weft_func_call(e, ext.of.func, NULL, 0, NULL, 0, &err)) != WEFT_OK)
    goto out;
  o->step = 7;
out:
  o->status = s;
  o->exit_code = s == WEFT_ERR_EXIT ? err.exit_code : 0;
  memcpy(o->message, err.message, sizeof o->message);
  weft_linker_free(l);
  weft_wasi_free(w);
  weft_module_free(mod);
  weft_engine_free(e);
}

/* ---- the sweep
 * ----------------------------------------------------------------- */

static unsigned passed, failed;

static void sweep(const struct program *p, enum mode mode) {
  struct faulty *f = calloc(1, sizeof *f);
  struct sweep_alloc a;
  struct outcome clean, o;
  unsigned long changed = 0, same = 0, problems = 0, leaks = 0,
                handle_leaks = 0, by_step[8] = {0};
  clock_t t0 = clock();

  f->real = weft_wasi_fs_host();
  f->mode = mode;
  sweep_alloc_init(&a, 0, 0);
  run_program(p, f, &a, &clean);
  unsigned long calls = f->calls;
  if (opt_count) {
    printf("%s (%s): %lu calls in the clean run (step %s, status %d, "
           "exit %d), %.3f s CPU\n",
           p->path, mode == MODE_ERR ? "all" : "transfers", calls,
           step_names[clean.step], clean.status, clean.exit_code,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    free(f);
    passed++;
    return;
  }
  if (a.live || f->nopen) {
    printf("  FAIL %s: clean run leaks %zu bytes, %zu handles\n", p->path,
           a.live, f->nopen);
    problems++;
  }
  for (unsigned long n = opt_from; n <= calls; n += opt_stride) {
    memset(f, 0, sizeof *f);
    f->real = weft_wasi_fs_host();
    f->mode = mode;
    f->fail_at = n;
    sweep_alloc_init(&a, 0, 0);
    if (opt_verbose > 1)
      fprintf(stderr, "-- %s N=%lu\n", p->path, n);
    run_program(p, f, &a, &o);
    int bad = 0;
    if (f->injected == 0) {
      printf("  FAIL %s (%s) N=%lu: call N never happened\n", p->path,
             mode == MODE_ERR ? "err" : "short", n);
      bad = 1;
    }
    if (o.status != WEFT_OK && o.status != WEFT_ERR_EXIT && !o.message[0]) {
      printf("  FAIL %s N=%lu: %s returned status %d with no message\n",
             p->path, n, step_names[o.step], o.status);
      bad = 1;
    }
    if (o.step < 3 || o.status == WEFT_ERR_NOMEM) {
      printf("  FAIL %s N=%lu: %s returned status %d (%s)\n", p->path, n,
             step_names[o.step], o.status, o.message);
      bad = 1;
    }
    if (a.live || a.blocks || a.bad_old) {
      printf("  FAIL %s N=%lu: %zu bytes in %lu blocks live after "
             "weft_engine_free, %lu wrong old_size\n",
             p->path, n, a.live, a.blocks, a.bad_old);
      leaks++;
      bad = 1;
    }
    if (f->nopen || f->bad_close || f->overflow) {
      printf("  FAIL %s N=%lu: %zu handle(s) never closed, %lu closed "
             "twice or unknown\n",
             p->path, n, f->nopen, f->bad_close);
      handle_leaks++;
      bad = 1;
    }
    problems += bad;
    by_step[o.step]++;
    if (o.step == clean.step && o.status == clean.status &&
        o.exit_code == clean.exit_code)
      same++;
    else
      changed++;
  }
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  printf("%s (%s): %lu fault points of %lu; outcome as clean %lu, changed %lu "
         "(stopped in wasi_new %lu, call %lu, ran to the end %lu); "
         "problems %lu (leaking runs %lu, handle leaks %lu); %.1f s CPU\n",
         p->path, mode == MODE_ERR ? "errors" : "short transfers",
         same + changed, calls, same, changed, by_step[3], by_step[6],
         by_step[7], problems, leaks, handle_leaks, secs);
  if (opt_verbose)
    printf("  clean run: step %s, status %d, exit code %d\n",
           step_names[clean.step], clean.status, clean.exit_code);
  if (problems)
    failed++;
  else
    passed++;
  free(f);
}

static unsigned char *read_all(const char *path, size_t *out_len) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
  if (b && fread(b, 1, (size_t)n, fp) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(fp);
  *out_len = (size_t)n;
  return b;
}

int main(int argc, char **argv) {
  int modes[2] = {1, 1};
  const char *args = NULL, *dir2 = NULL;

  faulty_fs_init();
  devnull_fd = open("/dev/null", O_RDWR);
  snprintf(tmp_root, sizeof tmp_root, "%s/weft-fsfault.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmp_root)) {
    perror("fs_fault: mkdtemp");
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0) {
      opt_verbose++;
    } else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
      i++;
      modes[0] = strcmp(argv[i], "err") == 0;
      modes[1] = strcmp(argv[i], "short") == 0;
    } else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
      opt_from = strtoul(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--count") == 0) {
      opt_count = 1;
    } else if (strcmp(argv[i], "--stride") == 0 && i + 1 < argc) {
      opt_stride = strtoul(argv[++i], NULL, 10);
      if (opt_stride < 1)
        opt_stride = 1;
    } else if (strcmp(argv[i], "--args") == 0 && i + 1 < argc) {
      args = argv[++i];
    } else if (strcmp(argv[i], "--dir2") == 0 && i + 1 < argc) {
      dir2 = argv[++i];
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "fs_fault: unknown option %s\n", argv[i]);
      return 2;
    } else {
      struct program p;
      const char *words[34];
      char *copy = args ? strdup(args) : NULL, *save = NULL;
      memset(&p, 0, sizeof p);
      p.path = argv[i];
      p.dir2 = dir2;
      const char *base = strrchr(argv[i], '/');
      words[p.argc++] = base ? base + 1 : argv[i];
      for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; t && p.argc < 34;
           t = strtok_r(NULL, " ", &save))
        words[p.argc++] = t;
      p.argv = words;
      p.bytes = read_all(argv[i], &p.len);
      if (!p.bytes) {
        printf("  FAIL cannot read %s\n", argv[i]);
        failed++;
      } else {
        for (int m = 0; m < 2; m++)
          if (modes[m])
            sweep(&p, m == 0 ? MODE_ERR : MODE_SHORT);
      }
      free(p.bytes);
      free(copy);
      args = dir2 = NULL;
    }
  }
  nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  close(devnull_fd);
  printf("%u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
