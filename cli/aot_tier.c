/*
** aot_tier.c — tiered execution of large modules under `weft run --aot`.
** Compiling a module of tens of MB whole through C takes minutes to
** hours, so such a module (how->tier_bytes of code or more) starts in the
** interpreter at once. The interpreter counts each function's calls and
** loop back-edges (weft_instance_func_hits); when the run ends, the
** functions that ran hot and have no code yet are compiled into a cache
** PIECE: an artifact like any other (HMAC under the user's AoT key, same
** header checks) whose shared object holds those functions only and calls
** the others through the runtime. A piece is detached: it does not carry
** the module (tens of MB to read and MAC on every start) but names it by
** its SHA-256 in the authenticated header, compared with the hash of the
** module being run. The build runs in a detached, niced background
** process, so weft exits with the program's status at once; --aot-wait
** runs it in the foreground (tests, benchmarks). The next run
** attaches every authenticated piece of the module it finds and
** interprets the rest; code is swapped in only at the start of a run,
** never mid-run.
**
** A piece's name is <cache key>.p<16 hex digits of the SHA-256 of its
** function set>.cwasm; it is written atomically (temporary file and
** rename), so two runs building the same piece at once only duplicate
** work; a piece refused at the start (tampered, another module's, an
** older format) is replaced when the run's hot set names it again. A
** module the code generator cannot split (tail calls, exceptions) is
** compiled whole into the ordinary cache entry instead, detached too.
*/
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aot_internal.h"
#include "cli.h"
#include "sha256.h"
#include "weft_aot.h"

#define MAX_PIECES 64

/* A piece read and authenticated before the module is loaded. */
struct found {
  uint8_t *bytes;        /* the file's bytes, whose MAC verified */
  struct cli_artifact a; /* points into bytes */
  char label[4200];
};

/* What a tiered run needs from before its load to its end (how->tier). */
struct cli_tier {
  struct cache_run r; /* key, toolchain, names; dirfd our own; no wasm */
  struct found *found[MAX_PIECES]; /* until attached */
  unsigned nfound;
  void *code[MAX_PIECES]; /* the pieces' shared objects */
  int hold[MAX_PIECES];   /* descriptors kept open: see attach_found */
  unsigned ncode;
  char refused[MAX_PIECES][96]; /* pieces refused at the start */
  unsigned nrefused;
  struct cli_aot_options o; /* compiler bounds */
};

/* Whether `name` is a piece of the module whose whole entry is `whole`
** ("<key>.cwasm"): "<key>.p<16 hex>.cwasm". */
static int is_piece_of(const char *name, const char *whole) {
  size_t key = strlen(whole) - strlen(".cwasm");
  if (strncmp(name, whole, key) != 0 || strncmp(name + key, ".p", 2) != 0)
    return 0;
  name += key + 2;
  for (int i = 0; i < 16; i++)
    if (!((name[i] >= '0' && name[i] <= '9') ||
          (name[i] >= 'a' && name[i] <= 'f')))
      return 0;
  return strcmp(name + 16, ".cwasm") == 0;
}

/* Reads piece `name` and keeps it when it authenticates and is for this
** module and mode; says why when it is refused (the run goes on without
** it). The bytes kept are the ones whose MAC verified: a file changed
** afterwards changes nothing. */
static void read_piece(struct cli_tier *tr, const char *name) {
  struct cache_run *r = &tr->r;
  struct found *f = calloc(1, sizeof *f);
  size_t size = 0;
  char why[512];
  int rc = -1;

  snprintf(why, sizeof why, "out of memory");
  if (f != NULL) {
    snprintf(f->label, sizeof f->label, "%.4000s/%.150s", r->dir, name);
    rc = cli_cache_read_entry(r->dirfd, name, f->label, (uint64_t)8 << 30,
                              &f->bytes, &size, why, sizeof why);
  }
  if (rc == 0 && !cli_cache_entry_ok(f->bytes, size, r->key, r->module_sha256,
                                     &r->t, 1, &f->a, why, sizeof why))
    rc = -1;
  if (rc == 0) {
    tr->found[tr->nfound++] = f;
    return;
  }
  if (rc < 0 && tr->nrefused < MAX_PIECES)
    snprintf(tr->refused[tr->nrefused++], sizeof tr->refused[0], "%.95s", name);
  if (rc < 0)
    cli_errorf("warning: %s/%s: cache piece refused (%s); its functions run "
               "in the interpreter",
               r->dir, name, why);
  if (f != NULL)
    free(f->bytes);
  free(f);
}

static int by_name(const void *a, const void *b) {
  return strcmp((const char *)a, (const char *)b);
}

/* Reads the cache's pieces of the module, in name order (the order does
** not matter: each function takes the first code found for it). */
static void read_pieces(struct cli_tier *tr) {
  int fd = dup(tr->r.dirfd);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  char names[MAX_PIECES][96];
  unsigned n = 0;

  if (d == NULL) {
    if (fd >= 0)
      close(fd);
    return;
  }
  for (struct dirent *e; (e = readdir(d)) != NULL && n < MAX_PIECES;)
    if (is_piece_of(e->d_name, tr->r.name) &&
        strlen(e->d_name) < sizeof names[0])
      strcpy(names[n++], e->d_name);
  closedir(d);
  qsort(names, n, sizeof names[0], by_name);
  for (unsigned i = 0; i < n; i++)
    read_piece(tr, names[i]);
}

struct cli_tier *cli_aot_tier_open(const struct cache_run *r,
                                   const struct cli_run_load *how) {
  struct cli_tier *tr = calloc(1, sizeof *tr);

  if (tr == NULL) {
    cli_errorf("out of memory");
    return NULL;
  }
  tr->r = *r;
  /* Entries built here are detached (module_sha256 names the module), so
  ** FILE's bytes, freed once the load is over, are not kept. */
  tr->r.wasm = NULL;
  tr->r.wasm_size = 0;
  tr->r.dirfd = fcntl(r->dirfd, F_DUPFD_CLOEXEC, 0);
  tr->o = how->compile;
  if (tr->r.dirfd >= 0)
    read_pieces(tr);
  return tr;
}

int cli_aot_tier_vouches(const struct cli_tier *tr) {
  for (unsigned i = 0; i < tr->nfound; i++)
    if (cli_aot_same_build(&tr->found[i]->a))
      return 1;
  return 0;
}

/* Attaches found piece f and frees it. */
static void attach_found(struct cli_tier *tr, weft_module *module,
                         struct found *f) {
  void *code = NULL;
  if (cli_aot_attach(module, &f->a, f->label, &code, NULL) == 0) {
    /* The object was staged as /proc/self/fd/N and that descriptor is
    ** closed again; dlopen knows an object by its name, so the next
    ** piece staged under the same N would be taken for this one. Holding
    ** N open until the run ends gives every piece a name of its own. */
    tr->hold[tr->ncode] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    tr->code[tr->ncode++] = code;
  }
  free(f->bytes);
  free(f);
}

void cli_aot_tier_start(struct cli_tier *tr, struct cli_run_load *how,
                        weft_module *module) {
  for (unsigned i = 0; i < tr->nfound; i++)
    attach_found(tr, module, tr->found[i]);
  tr->nfound = 0;
  how->tier = tr;
}

/* {====================================================================
** After the run: the hot functions into a new piece
** ===================================================================== */

/* The functions without code that ran at least how->tier_hot times, as
** a bitmap (malloc'd); NULL when there are none. */
static uint8_t *hot_set(const struct cli_run_load *how,
                        const weft_module *module,
                        const weft_instance *instance, uint32_t *out_n,
                        size_t *out_bytes) {
  weft_module_stats st;
  uint32_t hot = 0;
  uint8_t *bits;

  weft_module_stats_get(module, &st);
  *out_bytes = st.funcs / 8 + 1;
  bits = calloc(1, *out_bytes);
  if (bits == NULL)
    return NULL;
  for (uint32_t def = 0; def < st.funcs; def++) {
    if (weft_instance_func_hits(instance, def) >= how->tier_hot) {
      bits[def / 8] |= (uint8_t)(1u << (def % 8));
      hot++;
    }
  }
  *out_n = hot;
  if (hot == 0) {
    free(bits);
    return NULL;
  }
  return bits;
}

/* Compiles `only` (NULL: the whole module) and writes it as cache entry
** `name`; the exit status. */
static int build_entry(struct cli_tier *tr, const weft_module *module,
                       const uint8_t *only, const char *name) {
  struct cache_run *r = &tr->r;
  struct cli_aot_options o = tr->o;
  uint8_t *bytes = NULL;
  size_t size = 0;
  char label[4200];
  int rc;

  snprintf(label, sizeof label, "%.4000s/%.150s", r->dir, name);
  o.only = only;
  rc = cli_aot_probe(&r->t, &o);
  if (rc == CLI_EXIT_OK)
    rc = cli_aot_build(module, NULL, 0, r->module_sha256, &r->t, &o, r->key,
                       r->path, &bytes, &size, NULL, 0);
  if (rc == CLI_EXIT_OK)
    rc = cli_write_at(r->dirfd, label, name, bytes, size, 0600, NULL);
  free(bytes);
  return rc;
}

static void discard(void *user, const char *data, size_t size) {
  (void)user;
  (void)data;
  (void)size;
}

/* WEFT_OK when the code generator can emit the piece (a dry run). */
static weft_status probe_split(const weft_module *module,
                               const weft_aot_options *ao) {
  weft_error err;
  memset(&err, 0, sizeof err);
  return weft_module_emit_c(module, ao, discard, NULL, &err);
}

static int was_refused(const struct cli_tier *tr, const char *name) {
  for (unsigned i = 0; i < tr->nrefused; i++)
    if (strcmp(tr->refused[i], name) == 0)
      return 1;
  return 0;
}

/* The piece, or the whole module when it cannot be split (its emitter
** refuses pieces of modules with tail calls or exceptions). */
static int build_piece(struct cli_tier *tr, const weft_module *module,
                       const uint8_t *only, size_t only_bytes) {
  char name[128], hex[65];
  uint8_t digest[32];
  weft_aot_options ao;

  memset(&ao, 0, sizeof ao);
  ao.only = only;
  /* A dry run of the emitter tells whether the module splits at all. */
  if (probe_split(module, &ao) != WEFT_OK)
    return build_entry(tr, module, NULL, tr->r.name);
  if (cli_sha256_of(only, only_bytes, digest) != 0)
    return CLI_EXIT_LOAD;
  cli_sha256_hex(digest, hex);
  snprintf(name, sizeof name, "%.*s.p%.16s.cwasm",
           (int)(strlen(tr->r.name) - strlen(".cwasm")), tr->r.name, hex);
  if (faccessat(tr->r.dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
      !was_refused(tr, name))
    return CLI_EXIT_OK; /* built by a run since this one started */
  return build_entry(tr, module, only, name);
}

/* In the background: a grandchild of weft, in a session of its own (no
** terminal signal reaches it), niced, its output discarded, so weft exits
** at once and the program's caller never waits for it. The intermediate
** child is reaped here. */
static void build_detached(struct cli_tier *tr, const weft_module *module,
                           const uint8_t *only, size_t only_bytes) {
  pid_t pid;
  int status;

  fflush(NULL);
  pid = fork();
  if (pid < 0)
    return;
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    if (fork() != 0)
      _exit(0);
    setsid();
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
    }
    setpriority(PRIO_PROCESS, 0, 10);
    /* Niced behind whatever else runs: only CPU time bounds it. */
    tr->o.cpu_limit_only = 1;
    _exit(build_piece(tr, module, only, only_bytes) == CLI_EXIT_OK ? 0 : 1);
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
}

int cli_aot_tier_after_run(struct cli_run_load *how, const weft_module *module,
                           const weft_instance *instance) {
  struct cli_tier *tr = how->tier;
  uint8_t *only;
  size_t only_bytes;
  uint32_t hot = 0;
  int rc = CLI_EXIT_OK;

  if (tr == NULL || instance == NULL || tr->r.dirfd < 0 || how->tier_no_compile)
    return CLI_EXIT_OK;
  only = hot_set(how, module, instance, &hot, &only_bytes);
  if (only == NULL)
    return CLI_EXIT_OK;
  if (how->tier_wait)
    rc = build_piece(tr, module, only, only_bytes);
  else
    build_detached(tr, module, only, only_bytes);
  free(only);
  return rc;
}

void cli_aot_tier_release(struct cli_run_load *how) {
  cli_aot_tier_close(how->tier);
  how->tier = NULL;
}

void cli_aot_tier_close(struct cli_tier *tr) {
  if (tr == NULL)
    return;
  for (unsigned i = 0; i < tr->nfound; i++) {
    free(tr->found[i]->bytes);
    free(tr->found[i]);
  }
  for (unsigned i = 0; i < tr->ncode; i++) {
    weft_aot_unload(tr->code[i]);
    if (tr->hold[i] >= 0)
      close(tr->hold[i]);
  }
  if (tr->r.dirfd >= 0)
    close(tr->r.dirfd);
  memset(tr->r.key, 0, sizeof tr->r.key);
  free(tr);
}
