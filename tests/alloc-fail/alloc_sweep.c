/*
** alloc_sweep.c — the fail-Nth-allocation sweep over real modules. For
** each module it runs the whole chain once with a counting allocator
** (engine, linker, host imports, load, instantiate; for WASI programs
** weft_wasi_new + weft_wasi_define and optionally _start), which gives K
** allocations, then reruns the chain K times with allocation N failing,
** N = 1..K. Every run must end either with the failing call returning an
** error (WEFT_ERR_NOMEM, or a trap/exit where code ran) with a message, or
** as the clean run ended (the failure was absorbed, e.g. memory.grow
** returned -1); after weft_engine_free no byte may be live and every
** old_size must have matched. Public API only (weft.h, weft_wasi.h).
**
** Inputs: wast2json .json files (every binary module they name, with the
** modules registered before it instantiated and linked under their names,
** plus the spectest host module) and .wasm files (WASI programs when they
** import wasi_snapshot_preview1, else linked against spectest).
** Modules are swept in worker processes, so a crash is counted and named
** (module, N) instead of ending the sweep.
**
** usage: alloc_sweep [-j N] [--every M] [--sticky] [--guard-pages] [-v]
**                    [--run] [--no-run] [--args "A B"] [--env "K=V ..."]
**                    [--dir2 NAME] INPUT...
**   --every M   only every Mth module of the .json inputs (index % M == 0,
**               counted over all of them in order); .wasm inputs always
**   --sticky    fail every allocation from the Nth on, not just the Nth
**   --guard-pages  linear memories reserved with guard pages (by the port,
**               outside the allocator); default: allocated through it
**   --run       WASI programs after this also run _start (fresh preopens
**               /sandbox and read-only /ro for every run); --no-run undoes
**   --args S    space-separated arguments for the next .wasm input
**   --env S     space-separated KEY=VALUE for the next .wasm input (none)
**   --dir2 NAME the next .wasm input's second preopen is NAME, writable
**               (default: /ro, read-only; the first is always /sandbox)
** Prints one line per input and a closing "N passed, N failed" (one test
** per module). Exit status 1 when anything failed.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "sweep_alloc.h"
#include "weft.h"
#include "weft_wasi.h"

/* ---- the work list ------------------------------------------------------ */

struct dep {
  char *as;   /* registered under this module name */
  char *file; /* its .wasm */
};

struct item {
  int input;        /* index into inputs[] */
  char *file;       /* the module */
  long line;        /* .wast line, or 0 */
  const char *kind; /* json command type, or "wasm" */
  struct dep *deps; /* registrations before it (shared per .json) */
  size_t ndeps;
  int run;     /* WASI: call _start too */
  char **args; /* WASI: arguments after argv[0] */
  int nargs;
  char **env; /* WASI: KEY=VALUE strings */
  int nenv;
  const char *dir2; /* WASI: second preopen's name (writable), or NULL */
};

struct input {
  const char *path;
  size_t first, count; /* its items */
};

static struct item *items;
static size_t nitems, items_cap;
static struct input *inputs;
static size_t ninputs;

/* ---- results, in memory shared with the workers -------------------------- */

enum step {
  S_ENGINE,
  S_LINKER,
  S_SPECTEST,
  S_DEP_LOAD,
  S_DEP_INST,
  S_DEP_REG,
  S_LOAD,
  S_WASI_NEW,
  S_WASI_DEFINE,
  S_INST,
  S_CALL,
  S_COUNT
};
static const char *const step_names[S_COUNT] = {
    "engine",          "linker",       "spectest", "dep-load",
    "dep-instantiate", "dep-register", "load",     "wasi-new",
    "wasi-define",     "instantiate",  "call"};

enum { ST_PENDING, ST_RUNNING, ST_DONE, ST_CRASHED };

struct result {
  int state;
  int worker;
  unsigned long cur_n;    /* N being run (crash reports) */
  unsigned long k;        /* allocations in the clean run */
  unsigned long reported; /* injected failure returned as an error */
  unsigned long nomem;    /* ... as WEFT_ERR_NOMEM */
  unsigned long absorbed; /* run ended as the clean run did */
  unsigned long bad;      /* wrong status, empty message, divergence */
  unsigned long leaks;    /* runs with bytes live after weft_engine_free */
  unsigned long bad_old;  /* runs with a wrong old_size */
  unsigned long by_step[S_COUNT];  /* reported, by failing step */
  unsigned long abs_step[S_COUNT]; /* absorbed, by step */
  int clean_step;                  /* step where the clean run stopped */
  weft_status clean_status;
  int wasi;
  char first_bad[200];
};

static struct result *results;
static unsigned long *next_item; /* shared work counter */

/* ---- options --------------------------------------------------------------
 */

static int opt_jobs = 1;
static int opt_sticky;
static int opt_guard_pages; /* linear memories reserved by the port */
static int opt_verbose;
static unsigned long opt_every = 1;

/* ---- helpers ---------------------------------------------------------- */

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "alloc_sweep: out of memory\n");
    exit(2);
  }
  return p;
}

/* The work list's strings live until exit, reachable from here (so that
** LeakSanitizer, which checks every worker, reports only weft's leaks). */
static char **keep;
static size_t nkeep, keep_cap;

static char *kept(char *p) {
  if (nkeep == keep_cap) {
    keep_cap = keep_cap ? keep_cap * 2 : 1024;
    keep = realloc(keep, keep_cap * sizeof *keep);
    if (!keep) {
      fprintf(stderr, "alloc_sweep: out of memory\n");
      exit(2);
    }
  }
  keep[nkeep++] = p;
  return p;
}

static char *xstrdup(const char *s) {
  char *p = xmalloc(strlen(s) + 1);
  strcpy(p, s);
  return kept(p);
}

static char *read_file(const char *path, size_t *out_len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, len = 0;
  char *buf = xmalloc(cap);
  size_t got;
  while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      cap *= 2;
      char *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
    }
  }
  fclose(f);
  *out_len = len;
  return buf;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *path_join(const char *dir, const char *name) {
  char *p = xmalloc(strlen(dir) + strlen(name) + 2);
  sprintf(p, "%s/%s", dir, name);
  return kept(p);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct item *add_item(void) {
  if (nitems == items_cap) {
    items_cap = items_cap ? items_cap * 2 : 256;
    items = realloc(items, items_cap * sizeof *items);
    if (!items) {
      fprintf(stderr, "alloc_sweep: out of memory\n");
      exit(2);
    }
  }
  struct item *it = &items[nitems++];
  memset(it, 0, sizeof *it);
  it->input = (int)ninputs - 1;
  return it;
}

/* ---- reading a .json: modules and the registrations before each --------- */

static unsigned long json_module_index; /* for --every */

static int add_json(const char *path) {
  size_t len;
  char *text = read_file(path, &len);
  if (!text) {
    fprintf(stderr, "alloc_sweep: cannot read %s\n", path);
    return -1;
  }
  struct json_value root;
  char err[200];
  if (json_parse(text, len, &root, err, sizeof err) != 0) {
    fprintf(stderr, "alloc_sweep: %s: %s\n", path, err);
    free(text);
    return -1;
  }
  free(text);
  char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  else
    strcpy(dir, ".");

  const struct json_value *cmds = json_get(&root, "commands");
  struct dep *regs = NULL;
  size_t nregs = 0;
  char *last_file = NULL;
  struct {
    char *name, *file;
  } named[256];
  size_t nnamed = 0;
  size_t first = nitems;
  for (size_t i = 0; cmds && i < cmds->count; i++) {
    const struct json_value *cmd = &cmds->items[i];
    const char *type = json_get_str(cmd, "type");
    const char *fname = json_get_str(cmd, "filename");
    if (!type)
      continue;
    if (strcmp(type, "register") == 0) {
      const char *as = json_get_str(cmd, "as");
      const char *name = json_get_str(cmd, "name");
      char *file = last_file;
      for (size_t j = 0; name && j < nnamed; j++)
        if (strcmp(named[j].name, name) == 0)
          file = named[j].file;
      if (as && file) {
        regs = realloc(regs, (nregs + 1) * sizeof *regs);
        if (!regs) {
          fprintf(stderr, "alloc_sweep: out of memory\n");
          exit(2);
        }
        regs[nregs].as = xstrdup(as);
        regs[nregs].file = file;
        nregs++;
      }
      continue;
    }
    if (!fname || !ends_with(fname, ".wasm"))
      continue;
    char *file = path_join(dir, fname);
    if (strcmp(type, "module") == 0) {
      last_file = file;
      const char *name = json_get_str(cmd, "name");
      if (name && nnamed < 256) {
        named[nnamed].name = xstrdup(name);
        named[nnamed].file = file;
        nnamed++;
      }
    }
    if (json_module_index++ % opt_every != 0)
      continue;
    struct item *it = add_item();
    it->file = file;
    it->line = json_get_int(cmd, "line", 0);
    it->kind = xstrdup(type);
    it->ndeps = nregs; /* deps pointer fixed below: regs may move */
  }
  for (size_t i = first; i < nitems; i++)
    items[i].deps = regs;
  if (regs)
    kept((char *)regs);
  json_free(&root);
  return 0;
}

/* ---- the spectest host module ---------------------------------------------
 */

static weft_status host_nop(weft_host_ctx *ctx, void *user, weft_slot *slots) {
  (void)ctx;
  (void)user;
  (void)slots;
  return WEFT_OK;
}

static weft_status spectest_func(weft_engine *e, weft_linker *l,
                                 const char *name, const weft_valtype *params,
                                 uint32_t n, weft_error *err) {
  weft_extern ext = {.kind = WEFT_EXTERN_FUNC};
  weft_status s = weft_func_new_host(e, params, n, NULL, 0, host_nop, NULL,
                                     &ext.of.func, err);
  return s ? s : weft_linker_define(l, "spectest", name, ext, err);
}

static weft_status spectest_global(weft_engine *e, weft_linker *l,
                                   const char *name, weft_valtype type,
                                   weft_error *err) {
  weft_val v;
  memset(&v, 0, sizeof v);
  v.type = type;
  switch (type) {
  case WEFT_I32: v.of.i32 = 666; break;
  case WEFT_I64: v.of.i64 = 666; break;
  case WEFT_F32: v.of.f32 = 666.6f; break;
  default: v.of.f64 = 666.6; break;
  }
  weft_extern ext = {.kind = WEFT_EXTERN_GLOBAL};
  weft_status s = weft_global_new(e, v, 0, &ext.of.global, err);
  return s ? s : weft_linker_define(l, "spectest", name, ext, err);
}

/* What the spec interpreter's spectest module exports (as spec_runner.c). */
static weft_status define_spectest(weft_engine *e, weft_linker *l,
                                   weft_error *err) {
  static const weft_valtype i32[] = {WEFT_I32}, i64[] = {WEFT_I64},
                            f32[] = {WEFT_F32}, f64[] = {WEFT_F64},
                            i32_f32[] = {WEFT_I32, WEFT_F32},
                            f64_f64[] = {WEFT_F64, WEFT_F64};
  weft_status s;
  if ((s = spectest_func(e, l, "print", NULL, 0, err)) ||
      (s = spectest_func(e, l, "print_i32", i32, 1, err)) ||
      (s = spectest_func(e, l, "print_i64", i64, 1, err)) ||
      (s = spectest_func(e, l, "print_f32", f32, 1, err)) ||
      (s = spectest_func(e, l, "print_f64", f64, 1, err)) ||
      (s = spectest_func(e, l, "print_i32_f32", i32_f32, 2, err)) ||
      (s = spectest_func(e, l, "print_f64_f64", f64_f64, 2, err)) ||
      (s = spectest_global(e, l, "global_i32", WEFT_I32, err)) ||
      (s = spectest_global(e, l, "global_i64", WEFT_I64, err)) ||
      (s = spectest_global(e, l, "global_f32", WEFT_F32, err)) ||
      (s = spectest_global(e, l, "global_f64", WEFT_F64, err)))
    return s;
  weft_extern ext = {.kind = WEFT_EXTERN_TABLE};
  if ((s = weft_table_new(e, WEFT_FUNCREF, 10, 20, NULL, &ext.of.table, err)) ||
      (s = weft_linker_define(l, "spectest", "table", ext, err)))
    return s;
  ext.kind = WEFT_EXTERN_MEMORY;
  if ((s = weft_memory_new(e, 1, 2, &ext.of.memory, err)))
    return s;
  return weft_linker_define(l, "spectest", "memory", ext, err);
}

/* ---- one run of the chain --------------------------------------------------
 */

#define MAX_OPS 64

/* The ops of the clean run, which a failing run is compared against. */
struct trace {
  int n;
  int step[MAX_OPS];
  weft_status status[MAX_OPS];
  int32_t exit_code[MAX_OPS];
};

struct chain {
  struct sweep_alloc a;
  int sweeping; /* 0: the clean run, recording */
  const struct trace *clean;
  struct trace rec; /* this run */
  int stopped_step; /* step the run stopped at, or -1 */
  weft_status stopped_status;
  int outcome;       /* 0 clean-like, 1 reported, 2 problem */
  int absorbed_step; /* step where a failure was absorbed, or -1 */
  char why[200];     /* problem */
};

/* Records one call's status and decides whether the chain goes on (1). In
** the clean run a failure stops it; in a failing run, the first op whose
** status differs from the clean run stops it, and must be an injected
** failure reported properly. */
static int op(struct chain *c, int step, weft_status s, const weft_error *err,
              unsigned long inj_before) {
  int i = c->rec.n;
  int injected = c->a.injected > inj_before;
  int32_t code = s == WEFT_ERR_EXIT ? err->exit_code : 0;
  if (i < MAX_OPS) {
    c->rec.step[i] = step;
    c->rec.status[i] = s;
    c->rec.exit_code[i] = code;
    c->rec.n++;
  }
  if (!c->sweeping) {
    if (s != WEFT_OK) {
      c->stopped_step = step;
      c->stopped_status = s;
    }
    return s == WEFT_OK;
  }
  if (i >= c->clean->n || c->clean->step[i] != step) {
    snprintf(c->why, sizeof c->why, "op %d (%s) not in the clean run", i,
             step_names[step]);
    c->outcome = 2;
    return 0;
  }
  int same = s == c->clean->status[i] && code == c->clean->exit_code[i];
  if (same) {
    if (injected && c->absorbed_step < 0)
      c->absorbed_step = step;
    if (s != WEFT_OK) {
      c->stopped_step = step;
      c->stopped_status = s;
    }
    return s == WEFT_OK;
  }
  c->stopped_step = step;
  c->stopped_status = s;
  if (!injected && c->a.injected == 0) {
    snprintf(c->why, sizeof c->why,
             "%s: status %d (%.100s) without injection, clean run gave %d",
             step_names[step], s, err->message, c->clean->status[i]);
    c->outcome = 2;
    return 0;
  }
  if (s == WEFT_OK) {
    snprintf(c->why, sizeof c->why,
             "%s succeeded after a failed allocation, clean run gave %d",
             step_names[step], c->clean->status[i]);
    c->outcome = 2;
    return 0;
  }
  if (err->message[0] == '\0' || err->status != s) {
    snprintf(c->why, sizeof c->why,
             "%s: status %d with %s message (error.status %d)",
             step_names[step], s, err->message[0] ? "a" : "an empty",
             err->status);
    c->outcome = 2;
    return 0;
  }
  /* Where Wasm code runs (start functions, _start), a failed allocation may
  ** surface as a trap (a failed grow the code checks) or as the program's
  ** own exit; everywhere else it must be WEFT_ERR_NOMEM. A failure injected
  ** in an earlier op and absorbed there may also change what follows. */
  int code_runs = step == S_INST || step == S_DEP_INST || step == S_CALL;
  if (s != WEFT_ERR_NOMEM &&
      !(code_runs && (s == WEFT_ERR_TRAP || s == WEFT_ERR_EXIT)) &&
      !(opt_sticky && c->absorbed_step >= 0)) {
    snprintf(c->why, sizeof c->why,
             "%s: failed allocation reported as status %d (%.100s)",
             step_names[step], s, err->message);
    c->outcome = 2;
    return 0;
  }
  c->outcome = 1;
  return 0;
}

/* WASI run state (per worker). */
static char wasi_tmp[256];
static int devnull_fd = -1;

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

static void fresh_dirs(char *pre, char *ro, size_t size) {
  snprintf(pre, size, "%s/pre", wasi_tmp);
  snprintf(ro, size, "%s/ro", wasi_tmp);
  nftw(pre, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  nftw(ro, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  mkdir(pre, 0700);
  mkdir(ro, 0700);
}

static int imports_wasi(const weft_module *m) {
  for (uint32_t i = 0; i < weft_module_import_count(m); i++) {
    weft_import_info info;
    weft_module_import(m, i, &info);
    if (strcmp(info.module, "wasi_snapshot_preview1") == 0)
      return 1;
  }
  return 0;
}

struct bytes {
  char *p;
  size_t len;
};

/* Module bytes of the item: [0] the module, [1..] its dependencies. */
struct loaded {
  struct bytes main;
  struct bytes *deps;
};

static void run_chain(const struct item *it, const struct loaded *ld, int wasi,
                      struct chain *c) {
  weft_config cfg;
  weft_engine *e = NULL;
  weft_linker *l = NULL;
  weft_module *mod = NULL, **dep_mods = NULL;
  weft_instance *inst = NULL;
  weft_wasi *w = NULL;
  weft_error err;
  unsigned long inj;
  char pre[300], ro[300];

  c->rec.n = 0;
  c->stopped_step = -1;
  c->outcome = 0;
  c->absorbed_step = -1;
  c->why[0] = '\0';
  weft_config_default(&cfg);
  cfg.alloc = sweep_realloc;
  cfg.alloc_user = &c->a;
  cfg.guard_pages = opt_guard_pages; /* 0: memories through the allocator */
  cfg.stack_bytes = 256u << 10;      /* keeps each run cheap */
  cfg.max_memory_bytes = 256u << 20;

#define OP(step, call)                                                         \
  (memset(&err, 0, sizeof err), inj = c->a.injected,                           \
   op(c, (step), (call), &err, inj))

  if (!OP(S_ENGINE, weft_engine_new(&cfg, &e, &err)))
    goto out;
  if (wasi) {
    if (!OP(S_LOAD, weft_module_load(e, (const uint8_t *)ld->main.p,
                                     ld->main.len, &mod, &err)) ||
        !OP(S_LINKER, weft_linker_new(e, &l, &err)))
      goto out;
    const char *argv[34];
    const char *base = strrchr(it->file, '/');
    int argc = 0;
    argv[argc++] = base ? base + 1 : it->file;
    for (int i = 0; i < it->nargs && argc < 34; i++)
      argv[argc++] = it->args[i];
    weft_wasi_preopen po[2];
    memset(po, 0, sizeof po);
    fresh_dirs(pre, ro, sizeof pre);
    po[0].host_path = pre;
    po[0].guest_path = "/sandbox";
    po[1].host_path = ro;
    po[1].guest_path = it->dir2 ? it->dir2 : "/ro";
    po[1].read_only = it->dir2 == NULL;
    weft_wasi_config wc;
    weft_wasi_config_default(&wc);
    wc.argv = argv;
    wc.argc = (uint32_t)argc;
    wc.env = (const char *const *)it->env;
    wc.envc = (uint32_t)it->nenv;
    wc.preopens = po;
    wc.npreopens = 2;
    wc.stdin_fd = devnull_fd;
    wc.stdout_fd = devnull_fd;
    wc.stderr_fd = devnull_fd;
    if (!OP(S_WASI_NEW, weft_wasi_new(e, &wc, &w, &err)) ||
        !OP(S_WASI_DEFINE, weft_wasi_define(w, l, &err)) ||
        !OP(S_INST, weft_instantiate(l, mod, &inst, &err)))
      goto out;
    if (it->run) {
      weft_extern ext;
      if (weft_instance_export(inst, "_start", &ext) == WEFT_OK &&
          ext.kind == WEFT_EXTERN_FUNC)
        OP(S_CALL, weft_func_call(e, ext.of.func, NULL, 0, NULL, 0, &err));
    }
    goto out;
  }
  if (!OP(S_LINKER, weft_linker_new(e, &l, &err)) ||
      !OP(S_SPECTEST, define_spectest(e, l, &err)))
    goto out;
  dep_mods = calloc(it->ndeps ? it->ndeps : 1, sizeof *dep_mods);
  for (size_t i = 0; i < it->ndeps; i++) {
    weft_instance *di = NULL;
    /* A dependency that fails in the clean run is left out there too. */
    if (!OP(S_DEP_LOAD,
            weft_module_load(e, (const uint8_t *)ld->deps[i].p, ld->deps[i].len,
                             &dep_mods[i], &err))) {
      if (c->outcome != 0)
        goto out;
      c->stopped_step = -1;
      continue;
    }
    if (!OP(S_DEP_INST, weft_instantiate(l, dep_mods[i], &di, &err))) {
      if (c->outcome != 0)
        goto out;
      c->stopped_step = -1;
      continue;
    }
    if (!OP(S_DEP_REG,
            weft_linker_define_instance(l, it->deps[i].as, di, &err)))
      goto out;
  }
  if (!OP(S_LOAD, weft_module_load(e, (const uint8_t *)ld->main.p, ld->main.len,
                                   &mod, &err)))
    goto out;
  OP(S_INST, weft_instantiate(l, mod, &inst, &err));
#undef OP
out:
  weft_linker_free(l);
  weft_wasi_free(w);
  weft_module_free(mod);
  for (size_t i = 0; dep_mods && i < it->ndeps; i++)
    weft_module_free(dep_mods[i]);
  free(dep_mods);
  weft_engine_free(e);
}

/* ---- one module's sweep -----------------------------------------------------
 */

static int load_bytes(const char *path, struct bytes *b) {
  b->p = read_file(path, &b->len);
  return b->p ? 0 : -1;
}

/* Peeks whether the module imports WASI (a plain engine, not counted). */
static int peek_wasi(const struct bytes *b) {
  weft_engine *e;
  weft_module *m;
  int wasi = 0;
  if (weft_engine_new(NULL, &e, NULL) != WEFT_OK)
    return 0;
  if (weft_module_load(e, (const uint8_t *)b->p, b->len, &m, NULL) == WEFT_OK) {
    wasi = imports_wasi(m);
    weft_module_free(m);
  }
  weft_engine_free(e);
  return wasi;
}

static void note_bad(struct result *r, unsigned long n, const char *what) {
  r->bad++;
  if (!r->first_bad[0])
    snprintf(r->first_bad, sizeof r->first_bad, "N=%lu: %.180s", n, what);
}

static void sweep_item(size_t idx) {
  const struct item *it = &items[idx];
  struct result *r = &results[idx];
  struct loaded ld;
  struct chain *c = calloc(1, sizeof *c);
  struct trace *clean = calloc(1, sizeof *clean);

  memset(&ld, 0, sizeof ld);
  ld.deps = calloc(it->ndeps ? it->ndeps : 1, sizeof *ld.deps);
  if (!c || !clean || !ld.deps || load_bytes(it->file, &ld.main) != 0) {
    note_bad(r, 0, "cannot read the module");
    goto done;
  }
  for (size_t i = 0; i < it->ndeps; i++)
    if (load_bytes(it->deps[i].file, &ld.deps[i]) != 0) {
      note_bad(r, 0, "cannot read a dependency");
      goto done;
    }
  int wasi = it->kind[0] == 'w' && peek_wasi(&ld.main);
  r->wasi = wasi;

  /* the clean run */
  sweep_alloc_init(&c->a, 0, 0);
  c->sweeping = 0;
  r->cur_n = 0;
  run_chain(it, &ld, wasi, c);
  *clean = c->rec;
  r->k = c->a.n;
  r->clean_step = c->stopped_step;
  r->clean_status = c->stopped_status;
  if (c->a.live != 0 || c->a.blocks != 0) {
    r->leaks++;
    note_bad(r, 0, "clean run leaks");
  }
  if (c->a.bad_old) {
    r->bad_old++;
    note_bad(r, 0, "clean run passes a wrong old_size");
  }

  for (unsigned long n = 1; n <= r->k; n++) {
    r->cur_n = n;
    sweep_alloc_init(&c->a, n, opt_sticky);
    c->sweeping = 1;
    c->clean = clean;
    run_chain(it, &ld, wasi, c);
    char what[300];
    if (c->a.injected == 0) {
      note_bad(r, n, "allocation N never happened (not deterministic?)");
    } else if (c->outcome == 2) {
      note_bad(r, n, c->why);
    } else if (c->outcome == 1) {
      r->reported++;
      r->nomem += c->stopped_status == WEFT_ERR_NOMEM;
      if (c->stopped_step >= 0)
        r->by_step[c->stopped_step]++;
    } else {
      r->absorbed++;
      if (c->absorbed_step >= 0)
        r->abs_step[c->absorbed_step]++;
      if (opt_verbose > 1)
        fprintf(stderr, "  %s: N=%lu absorbed in %s\n", it->file, n,
                c->absorbed_step >= 0 ? step_names[c->absorbed_step] : "?");
    }
    if (c->a.live != 0 || c->a.blocks != 0) {
      r->leaks++;
      snprintf(what, sizeof what,
               "%zu bytes in %lu blocks live after weft_engine_free "
               "(stopped at %s)",
               c->a.live, c->a.blocks,
               c->stopped_step >= 0 ? step_names[c->stopped_step] : "end");
      note_bad(r, n, what);
    }
    if (c->a.bad_old) {
      r->bad_old++;
      note_bad(r, n, "wrong old_size passed to the allocator");
    }
  }
done:
  free(ld.main.p);
  for (size_t i = 0; ld.deps && i < it->ndeps; i++)
    free(ld.deps[i].p);
  free(ld.deps);
  free(c);
  free(clean);
}

/* ---- workers ----------------------------------------------------------------
 */

static void worker(int id) {
  snprintf(wasi_tmp, sizeof wasi_tmp, "%s/weft-sweep.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(wasi_tmp)) {
    perror("alloc_sweep: mkdtemp");
    _exit(2);
  }
  devnull_fd = open("/dev/null", O_RDWR);
  for (;;) {
    unsigned long i = __atomic_fetch_add(next_item, 1, __ATOMIC_SEQ_CST);
    if (i >= nitems)
      break;
    results[i].worker = id;
    __atomic_store_n(&results[i].state, ST_RUNNING, __ATOMIC_SEQ_CST);
    sweep_item(i);
    __atomic_store_n(&results[i].state, ST_DONE, __ATOMIC_SEQ_CST);
  }
  nftw(wasi_tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  close(devnull_fd);
  exit(0); /* exit, not _exit: LeakSanitizer checks the worker */
}

static pid_t spawn(int id) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    perror("alloc_sweep: fork");
    exit(2);
  }
  if (pid == 0)
    worker(id);
  return pid;
}

/* Runs every item in opt_jobs workers; a worker that dies has its running
** item marked crashed and is replaced. Returns the number of workers that
** exited with a non-zero status (sanitizer reports at exit). */
static int run_workers(void) {
  pid_t *pids = calloc((size_t)opt_jobs, sizeof *pids);
  int live = 0, bad_exits = 0;
  for (int j = 0; j < opt_jobs; j++, live++)
    pids[j] = spawn(j);
  while (live > 0) {
    int st;
    pid_t pid = wait(&st);
    if (pid < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    int id = -1;
    for (int j = 0; j < opt_jobs; j++)
      if (pids[j] == pid)
        id = j;
    if (id < 0)
      continue;
    live--;
    int died = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    size_t crashed = nitems;
    for (size_t i = 0; i < nitems; i++)
      if (results[i].state == ST_RUNNING && results[i].worker == id)
        crashed = i;
    if (crashed < nitems) {
      results[crashed].state = ST_CRASHED;
      fprintf(stderr, "CRASH %s (%s, line %ld) at N=%lu: %s %d\n",
              items[crashed].file, items[crashed].kind, items[crashed].line,
              results[crashed].cur_n,
              WIFSIGNALED(st) ? "signal" : "exit status",
              WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    } else if (died) {
      fprintf(stderr,
              "worker %d exited with status %d after its last module "
              "(sanitizer report?)\n",
              id, WEXITSTATUS(st));
      bad_exits++;
    }
    if (crashed < nitems && *next_item < nitems) {
      pids[id] = spawn(id);
      live++;
    }
  }
  free(pids);
  return bad_exits;
}

/* ---- main -------------------------------------------------------------------
 */

static int split_words(const char *s, char ***out) {
  char *copy = xstrdup(s), *save = NULL;
  int n = 0;
  *out = (char **)kept(xmalloc(32 * sizeof **out));
  for (char *t = strtok_r(copy, " ", &save); t && n < 32;
       t = strtok_r(NULL, " ", &save))
    (*out)[n++] = t;
  return n;
}

int main(int argc, char **argv) {
  int run = 0;
  const char *next_args = NULL, *next_env = NULL, *next_dir2 = NULL;
  inputs = xmalloc((size_t)argc * sizeof *inputs);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-j") == 0 && i + 1 < argc) {
      opt_jobs = atoi(argv[++i]);
      if (opt_jobs < 1)
        opt_jobs = 1;
    } else if (strcmp(a, "--every") == 0 && i + 1 < argc) {
      opt_every = strtoul(argv[++i], NULL, 10);
      if (opt_every < 1)
        opt_every = 1;
    } else if (strcmp(a, "--guard-pages") == 0) {
      opt_guard_pages = 1;
    } else if (strcmp(a, "--sticky") == 0) {
      opt_sticky = 1;
    } else if (strcmp(a, "-v") == 0) {
      opt_verbose++;
    } else if (strcmp(a, "--run") == 0) {
      run = 1;
    } else if (strcmp(a, "--no-run") == 0) {
      run = 0;
    } else if (strcmp(a, "--args") == 0 && i + 1 < argc) {
      next_args = argv[++i];
    } else if (strcmp(a, "--env") == 0 && i + 1 < argc) {
      next_env = argv[++i];
    } else if (strcmp(a, "--dir2") == 0 && i + 1 < argc) {
      next_dir2 = argv[++i];
    } else if (a[0] == '-') {
      fprintf(stderr, "alloc_sweep: unknown option %s (see the file header)\n",
              a);
      return 2;
    } else {
      inputs[ninputs].path = a;
      inputs[ninputs].first = nitems;
      ninputs++;
      if (ends_with(a, ".json")) {
        if (add_json(a) != 0)
          return 2;
      } else {
        struct item *it = add_item();
        it->file = xstrdup(a);
        it->kind = "wasm";
        it->run = run;
        if (next_args)
          it->nargs = split_words(next_args, &it->args);
        if (next_env)
          it->nenv = split_words(next_env, &it->env);
        it->dir2 = next_dir2;
        next_args = next_env = next_dir2 = NULL;
      }
      inputs[ninputs - 1].count = nitems - inputs[ninputs - 1].first;
    }
  }
  if (ninputs == 0) {
    fprintf(stderr, "usage: alloc_sweep [-j N] [--every M] [--sticky] [-v] "
                    "[--run] [--args \"A B\"] INPUT.json|INPUT.wasm...\n");
    return 2;
  }

  size_t shared = nitems * sizeof *results + 64;
  void *mem = mmap(NULL, shared, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    perror("alloc_sweep: mmap");
    return 2;
  }
  next_item = mem;
  results = (struct result *)((char *)mem + 64);

  double t0 = now_s();
  int bad_exits = run_workers();
  double secs = now_s() - t0;

  unsigned long passed = 0, failed = 0, points = 0, reported = 0, nomem = 0,
                absorbed = 0, bad = 0, leaks = 0, bad_old = 0, crashes = 0;
  unsigned long by_step[S_COUNT] = {0}, abs_step[S_COUNT] = {0};
  for (size_t in = 0; in < ninputs; in++) {
    unsigned long in_points = 0, in_bad = 0;
    for (size_t i = inputs[in].first; i < inputs[in].first + inputs[in].count;
         i++) {
      struct result *r = &results[i];
      int ok = r->state == ST_DONE && r->bad == 0;
      if (r->state == ST_CRASHED)
        crashes++;
      else if (r->state != ST_DONE) {
        fprintf(stderr, "NOT RUN %s\n", items[i].file);
      }
      passed += ok;
      failed += !ok;
      in_points += r->k;
      in_bad += !ok;
      points += r->k;
      reported += r->reported;
      nomem += r->nomem;
      absorbed += r->absorbed;
      bad += r->bad;
      leaks += r->leaks;
      bad_old += r->bad_old;
      for (int s = 0; s < S_COUNT; s++) {
        by_step[s] += r->by_step[s];
        abs_step[s] += r->abs_step[s];
      }
      if (r->bad)
        printf("  FAIL %s (%s, line %ld): %lu problem run(s); first: %s\n",
               items[i].file, items[i].kind, items[i].line, r->bad,
               r->first_bad);
      if (opt_verbose && r->state == ST_DONE)
        printf("  %s%s: K=%lu, reported %lu (nomem %lu), absorbed %lu, "
               "clean run stops at %s (status %d)\n",
               items[i].file, r->wasi ? " (WASI)" : "", r->k, r->reported,
               r->nomem, r->absorbed,
               r->clean_step >= 0 ? step_names[r->clean_step] : "end",
               r->clean_status);
    }
    printf("%s: %zu module%s, %lu allocation points, %s\n", inputs[in].path,
           inputs[in].count, inputs[in].count == 1 ? "" : "s", in_points,
           in_bad ? "FAILED" : "ok");
  }
  printf("\nalloc sweep%s: %zu modules, %lu allocation-failure points in "
         "%.1f s\n",
         opt_sticky ? " (sticky)" : "", nitems, points, secs);
  printf("  reported as errors %lu (WEFT_ERR_NOMEM %lu), absorbed %lu, "
         "problems %lu, leaking runs %lu, wrong old_size runs %lu, "
         "crashes %lu\n",
         reported, nomem, absorbed, bad, leaks, bad_old, crashes);
  printf("  reported by step:");
  for (int s = 0; s < S_COUNT; s++)
    if (by_step[s])
      printf(" %s %lu", step_names[s], by_step[s]);
  printf("\n  absorbed by step:");
  for (int s = 0; s < S_COUNT; s++)
    if (abs_step[s])
      printf(" %s %lu", step_names[s], abs_step[s]);
  printf("\n");
  if (bad_exits) {
    printf("  %d worker(s) exited with a sanitizer report\n", bad_exits);
    failed += (unsigned long)bad_exits;
  }
  printf("%lu passed, %lu failed\n", passed, failed);
  return failed ? 1 : 0;
}
