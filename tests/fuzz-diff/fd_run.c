/*
** fd_run.c — the weft side of the differential tester (tests/fuzz-diff/).
** Loads one module, gives it binaryen's "fuzzing-support" logging imports,
** and calls every exported function the way `wasm-opt --fuzz-exec` does:
** in export-section order, each with zero arguments, each preceded by a
** call to the export "hangLimitInitializer" when the module has one.
** Prints one canonical line per event (see tests/fuzz-diff/README.md), the
** same format fd_node.mjs prints and fd_compare.py makes of binaryen's.
**
**   fd_run [--aot] [--cc CMD] FILE.wasm
**   fd_run --emit-c FILE.wasm  (the generated C, for reducing AoT cases)
**   fd_run --sigs FILE.wasm    (one line per exported function: name,
**                               then parameter and result type letters)
**   fd_run --aot-batch FILE OUT [FILE OUT]...  (AoT for many modules: one
**                               compile, each module run in its own child)
**
** --aot compiles the module to C, builds a shared object and attaches it
** before instantiating (as `weft run --aot` does). Uses include/ only.
** Exit status: 0 ran (traps are results), 2 the module did not load or
** link, 3 the AoT build failed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "weft.h"
#include "weft_aot_build.h"

/* ---- printing values in the canonical format ------------------------- */

/* Integers in signed decimal, floats and vectors as raw bits in hex, so
** the comparer sees exactly what the engine produced (NaN rules are
** applied there, not here). */
static void print_slot(weft_valtype type, const weft_slot *v) {
  switch (type) {
  case WEFT_I32: printf(" i32:%d", (int)v->i32); break;
  case WEFT_I64: printf(" i64:%lld", (long long)v->i64); break;
  case WEFT_F32: printf(" f32:0x%08x", (unsigned)v->u32); break;
  case WEFT_F64: printf(" f64:0x%016llx", (unsigned long long)v->u64); break;
  case WEFT_V128: {
    uint32_t lane[4];
    memcpy(lane, v->v128, sizeof lane); /* little-endian host */
    printf(" v128:0x%08x:0x%08x:0x%08x:0x%08x", (unsigned)lane[0],
           (unsigned)lane[1], (unsigned)lane[2], (unsigned)lane[3]);
    break;
  }
  case WEFT_FUNCREF:
  case WEFT_EXTERNREF:
    printf(" %s:%s", type == WEFT_FUNCREF ? "funcref" : "externref",
           v->ref ? "nonnull" : "null");
    break;
  case WEFT_EXNREF: printf(" exnref:%s", v->ref ? "nonnull" : "null"); break;
  }
}

/* ---- the fuzzing-support imports -------------------------------------- */

struct log_import {
  const char *name;
  weft_valtype type;
};

static const struct log_import log_imports[] = {
    {"log-i32", WEFT_I32}, {"log-i64", WEFT_I64},   {"log-f32", WEFT_F32},
    {"log-f64", WEFT_F64}, {"log-v128", WEFT_V128},
};

/* `user` points at the import's entry in log_imports. */
static weft_status log_value(weft_host_ctx *ctx, void *user, weft_slot *slots) {
  (void)ctx;
  const struct log_import *imp = user;
  printf("log");
  print_slot(imp->type, &slots[0]);
  printf("\n");
  return WEFT_OK;
}

static weft_status define_imports(weft_engine *engine, weft_linker *linker,
                                  weft_error *err) {
  for (size_t i = 0; i < sizeof log_imports / sizeof log_imports[0]; i++) {
    weft_func *f;
    weft_status s =
        weft_func_new_host(engine, &log_imports[i].type, 1, NULL, 0, log_value,
                           (void *)&log_imports[i], &f, err);
    if (s != WEFT_OK)
      return s;
    weft_extern ext = {.kind = WEFT_EXTERN_FUNC, .of.func = f};
    s = weft_linker_define(linker, "fuzzing-support", log_imports[i].name, ext,
                           err);
    if (s != WEFT_OK)
      return s;
  }
  return WEFT_OK;
}

/* ---- calling the exports ---------------------------------------------- */

#define MAX_VALS 1000 /* binaryen's generator stays far below this */

/* Zero of each parameter type: what binaryen's fuzz-exec passes. */
static void zero_args(const weft_valtype *params, uint32_t n, weft_val *args) {
  for (uint32_t i = 0; i < n; i++) {
    memset(&args[i], 0, sizeof args[i]);
    args[i].type = params[i];
  }
}

/* A trap prints its kind; a stack overflow is marked so the comparer can
** tell it from other traps (engines' depth limits differ). */
static void print_failure(const weft_error *err) {
  if (err->status == WEFT_ERR_TRAP && err->trap == WEFT_TRAP_STACK_EXHAUSTED)
    printf("trap exhaustion\n");
  else if (err->status == WEFT_ERR_TRAP)
    printf("trap %s\n", weft_trap_message(err->trap));
  else if (err->status == WEFT_ERR_EXCEPTION)
    printf("exception\n"); /* uncaught: payloads are not compared */
  else
    printf("error %d %s\n", (int)err->status, err->message);
}

static void call_func(weft_engine *engine, weft_func *f, weft_val *vals) {
  const weft_valtype *params, *results;
  uint32_t np, nr;
  weft_error err;
  weft_func_type(f, &params, &np, &results, &nr);
  if (np > MAX_VALS || nr > MAX_VALS) {
    printf("error too many values\n");
    return;
  }
  zero_args(params, np, vals);
  weft_status s = weft_func_call(engine, f, vals, np, vals, nr, &err);
  if (s != WEFT_OK) {
    print_failure(&err);
    return;
  }
  printf("result");
  for (uint32_t i = 0; i < nr; i++)
    print_slot(results[i], &vals[i].of);
  printf("\n");
}

static void run_exports(weft_engine *engine, weft_instance *inst,
                        const weft_module *mod) {
  static weft_val vals[MAX_VALS];
  weft_extern hang;
  int has_hang =
      weft_instance_export(inst, "hangLimitInitializer", &hang) == WEFT_OK &&
      hang.kind == WEFT_EXTERN_FUNC;
  uint32_t n = weft_module_export_count(mod);
  for (uint32_t i = 0; i < n; i++) {
    weft_export_info info;
    weft_extern ext;
    weft_module_export(mod, i, &info);
    if (info.kind != WEFT_EXTERN_FUNC)
      continue;
    if (weft_instance_export(inst, info.name, &ext) != WEFT_OK)
      continue;
    printf("call %s\n", info.name);
    fflush(stdout);
    if (has_hang) {
      weft_error err;
      if (weft_func_call(engine, hang.of.func, NULL, 0, NULL, 0, &err)) {
        print_failure(&err);
        continue;
      }
    }
    call_func(engine, ext.of.func, vals);
    fflush(stdout);
  }
}

/* ---- signatures, for fd_node.mjs (the JS API does not reflect types) ---- */

static char type_letter(weft_valtype t) {
  switch (t) {
  case WEFT_I32: return 'i';
  case WEFT_I64: return 'I';
  case WEFT_F32: return 'f';
  case WEFT_F64: return 'F';
  case WEFT_V128: return 'v';
  case WEFT_FUNCREF: return 'r';
  case WEFT_EXTERNREF: return 'e';
  case WEFT_EXNREF: return 'x';
  }
  return '?';
}

/* "NAME PARAMS RESULTS", '-' for an empty list. */
static void print_sigs(weft_instance *inst, const weft_module *mod) {
  uint32_t n = weft_module_export_count(mod);
  for (uint32_t i = 0; i < n; i++) {
    weft_export_info info;
    weft_extern ext;
    const weft_valtype *params, *results;
    uint32_t np, nr;
    weft_module_export(mod, i, &info);
    if (info.kind != WEFT_EXTERN_FUNC ||
        weft_instance_export(inst, info.name, &ext) != WEFT_OK)
      continue;
    weft_func_type(ext.of.func, &params, &np, &results, &nr);
    printf("%s ", info.name);
    for (uint32_t k = 0; k < np; k++)
      putchar(type_letter(params[k]));
    printf("%s ", np ? "" : "-");
    for (uint32_t k = 0; k < nr; k++)
      putchar(type_letter(results[k]));
    printf("%s\n", nr ? "" : "-");
  }
}

/* ---- main --------------------------------------------------------------- */

static uint8_t *read_all(const char *path, size_t *out_len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      uint8_t *p = realloc(buf, cap *= 2);
      if (!p)
        free(buf);
      buf = p;
    }
  }
  fclose(f);
  *out_len = len;
  return buf;
}

static void write_stdout(void *user, const char *data, size_t size) {
  (void)user;
  fwrite(data, 1, size, stdout);
}

/* FD_AOT_EXPLICIT=1: AoT code with explicit bounds checks instead of guard
** pages (`weft run --aot` on hosts without guard pages), for telling a
** guard-page limitation (README.md, store order) from other divergences. */
static int explicit_checks(void) {
  const char *e = getenv("FD_AOT_EXPLICIT");
  return e && *e && strcmp(e, "0") != 0;
}

/* Build the module's C into a private .so, load it, delete the file. */
static weft_status attach_aot(weft_module *mod, const char *cc,
                              void **out_handle, weft_error *err) {
  char so[256];
  const char *tmp = getenv("TMPDIR");
  snprintf(so, sizeof so, "%s/weft-fd-%ld.so", tmp && *tmp ? tmp : "/tmp",
           (long)getpid());
  weft_aot_build_options o;
  memset(&o, 0, sizeof o);
  o.cc = cc;
  o.extra_flags = getenv("FD_AOT_FLAGS");
  o.explicit_bounds_checks = explicit_checks();
  o.jobs = 1;
  o.chunks = 1;
  weft_status s = weft_aot_build_so(mod, &o, so, err);
  if (s == WEFT_OK)
    s = weft_aot_load_so(mod, so, out_handle, err);
  unlink(so);
  return s;
}

/* ---- running one loaded module ----------------------------------------- */

/* Links the logging imports, instantiates `mod` and calls its exports (or
** prints their signatures). 0 when it ran (a trap is a result), 2 when it
** did not link; the reason is in *err. */
static int run_module(weft_engine *engine, weft_module *mod, int sigs,
                      weft_error *err) {
  weft_linker *linker = NULL;
  weft_instance *inst = NULL;
  int rc = 2;
  if (weft_linker_new(engine, &linker, err) != WEFT_OK ||
      define_imports(engine, linker, err) != WEFT_OK)
    goto out;
  weft_status s = weft_instantiate(linker, mod, &inst, err);
  if (s == WEFT_ERR_TRAP) {
    printf("instantiate ");
    print_failure(err);
  } else if (s != WEFT_OK) {
    goto out;
  } else if (sigs) {
    print_sigs(inst, mod);
  } else {
    run_exports(engine, inst, mod);
  }
  rc = 0;
out:
  fflush(stdout);
  if (linker)
    weft_linker_free(linker);
  return rc;
}

/* ---- --aot-batch: one compile for many modules --------------------------- */

/* Each module gets its own engine, exactly as a `fd_run --aot FILE` process
** would; what differs is only that their C shares one translation unit
** and one shared object (weft_aot_build_so_batch), which saves the
** compiler start and the prelude's parse per module (most of the cost of
** a small module). Every module then runs in a child process with its
** output going to its OUT file, so a crash or a hang stays that module's:
** the child is killed by SIGALRM after FD_TIMEOUT seconds (default 30).
** Prints "INDEX STATUS" per module, STATUS as a `fd_run --aot` process
** would end: its exit code, or minus the signal that ended it.
** Exit status 3 when the batch did not build (the driver then runs the
** modules one by one, to learn which one it was). */
struct batch_entry {
  const char *wasm, *out;
  weft_engine *engine;
  weft_module *mod;
};

static int load_entry(struct batch_entry *e) {
  weft_config cfg;
  weft_error err;
  size_t len;
  uint8_t *bytes = read_all(e->wasm, &len);
  weft_config_default(&cfg);
  if (!bytes || weft_engine_new(&cfg, &e->engine, &err) != WEFT_OK) {
    free(bytes);
    return 0;
  }
  if (weft_module_load(e->engine, bytes, len, &e->mod, &err) != WEFT_OK)
    e->mod = NULL;
  free(bytes);
  return e->mod != NULL;
}

/* The child's side of one module: stdout to its file, then as main. */
static int batch_child(void *handle, uint32_t i, struct batch_entry *e,
                       unsigned timeout) {
  weft_error err;
  if (!freopen(e->out, "w", stdout))
    return 2;
  alarm(timeout);
  if (weft_aot_attach_batch(handle, i, e->mod, &err) != WEFT_OK) {
    fprintf(stderr, "fd_run: %s: %s\n", e->wasm, err.message);
    return 3;
  }
  int rc = run_module(e->engine, e->mod, 0, &err);
  if (rc)
    fprintf(stderr, "fd_run: %s: %s\n", e->wasm, err.message);
  return rc;
}

static int run_batch(int n, char **pairs, const char *cc) {
  uint32_t count = (uint32_t)n / 2;
  struct batch_entry *e = calloc(count ? count : 1, sizeof *e);
  const weft_module **mods = calloc(count ? count : 1, sizeof *mods);
  const char *t = getenv("FD_TIMEOUT");
  unsigned timeout = t && atoi(t) > 0 ? (unsigned)atoi(t) : 30;
  void *handle = NULL;
  int rc = 3;
  if (!e || !mods)
    goto out;
  for (uint32_t i = 0; i < count; i++) {
    e[i].wasm = pairs[2 * i];
    e[i].out = pairs[2 * i + 1];
    if (load_entry(&e[i]))
      mods[i] = e[i].mod;
  }
  char so[256];
  const char *tmp = getenv("TMPDIR");
  snprintf(so, sizeof so, "%s/weft-fdb-%ld.so", tmp && *tmp ? tmp : "/tmp",
           (long)getpid());
  weft_aot_build_options o;
  weft_error err;
  memset(&o, 0, sizeof o);
  o.cc = cc;
  o.extra_flags = getenv("FD_AOT_FLAGS");
  o.explicit_bounds_checks = explicit_checks();
  o.jobs = 1;
  o.chunks = 1;
  weft_status s = weft_aot_build_so_batch(mods, count, &o, so, &err);
  if (s == WEFT_OK)
    s = weft_aot_open_so(so, &handle, &err);
  unlink(so);
  if (s != WEFT_OK) {
    fprintf(stderr, "fd_run: batch: %s\n", err.message);
    goto out;
  }
  for (uint32_t i = 0; i < count; i++) {
    int status = 2; /* did not load: as `fd_run --aot` would end */
    if (e[i].mod) {
      fflush(stdout);
      pid_t pid = fork();
      if (pid == 0)
        _exit(batch_child(handle, i, &e[i], timeout));
      int ws;
      if (pid < 0 || waitpid(pid, &ws, 0) != pid)
        status = -1000;
      else if (WIFSIGNALED(ws))
        status = -WTERMSIG(ws);
      else
        status = WEXITSTATUS(ws);
    }
    printf("%u %d\n", i, status);
  }
  rc = 0;
out:
  fflush(stdout);
  for (uint32_t i = 0; e && i < count; i++) {
    if (e[i].mod)
      weft_module_free(e[i].mod);
    if (e[i].engine)
      weft_engine_free(e[i].engine);
  }
  if (handle)
    weft_aot_unload(handle);
  free(mods);
  free(e);
  return rc;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv) {
  int aot = 0, sigs = 0, emit_c = 0;
  const char *cc = NULL, *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--aot-batch") == 0)
      return run_batch(argc - i - 1, argv + i + 1, cc);
    if (strcmp(argv[i], "--aot") == 0)
      aot = 1;
    else if (strcmp(argv[i], "--emit-c") == 0)
      emit_c = 1;
    else if (strcmp(argv[i], "--sigs") == 0)
      sigs = 1;
    else if (strcmp(argv[i], "--cc") == 0 && i + 1 < argc)
      cc = argv[++i];
    else
      path = argv[i];
  }
  if (!path) {
    fprintf(stderr, "usage: fd_run [--aot] [--cc CMD] FILE.wasm\n");
    return 2;
  }
  size_t len;
  uint8_t *bytes = read_all(path, &len);
  if (!bytes) {
    fprintf(stderr, "fd_run: cannot read %s\n", path);
    return 2;
  }
  weft_config cfg;
  weft_config_default(&cfg);
  weft_engine *engine;
  weft_module *mod = NULL;
  void *aot_handle = NULL;
  weft_error err;
  int rc = 2;
  if (weft_engine_new(&cfg, &engine, &err) != WEFT_OK) {
    fprintf(stderr, "fd_run: %s\n", err.message);
    free(bytes);
    return 2;
  }
  if (weft_module_load(engine, bytes, len, &mod, &err) != WEFT_OK)
    goto fail;
  if (emit_c) {
    weft_aot_options o;
    memset(&o, 0, sizeof o);
    rc = weft_module_emit_c(mod, &o, write_stdout, NULL, &err) ? 2 : 0;
    if (rc)
      goto fail;
    goto done;
  }
  if (aot && attach_aot(mod, cc, &aot_handle, &err) != WEFT_OK) {
    rc = 3;
    goto fail;
  }
  rc = run_module(engine, mod, sigs, &err);
  if (rc == 0)
    goto done;
fail:
  fprintf(stderr, "fd_run: %s: %s\n", path, err.message);
done:
  fflush(stdout);
  if (mod)
    weft_module_free(mod);
  weft_engine_free(engine);
  if (aot_handle)
    weft_aot_unload(aot_handle);
  free(bytes);
  return rc;
}
