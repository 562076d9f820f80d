/*
** wast_aot.c — `weft wast --aot` compiles a script's modules together:
** one compiler run (or one per job) and one link for the whole script
** instead of one of each per module, which is where most of the time of
** compiling a spec script's many small modules went. The object is built
** and loaded inside a directory this process made (mkdtemp: private to
** its user) and removed from it once loaded, so no code another user
** could have written is ever loaded.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "wast_aot.h"
#include "weft_aot_build.h"

struct wr_batch {
  uint32_t n;            /* commands of the script */
  weft_module **modules; /* per command: its module, code attached */
  void *handle;          /* the loaded object */
};

static uint32_t online_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (uint32_t)n : 1;
}

int wr_batch_loads(const weft_wast_command *c) {
  if (!c->wasm)
    return 0;
  switch (c->kind) {
  case WEFT_WAST_MODULE:
  case WEFT_WAST_INVALID:
  case WEFT_WAST_UNLINKABLE:
  case WEFT_WAST_UNINSTANTIABLE: return 1;
  case WEFT_WAST_MALFORMED: return !c->is_text; /* text: never loaded */
  default: return 0;
  }
}

/* The first command before `i` whose module has the same bytes, or i. */
static uint32_t same_as(const weft_wast_script *script, weft_module **modules,
                        uint32_t i) {
  const weft_wast_command *c = weft_wast_command_at(script, i);
  for (uint32_t j = 0; j < i; j++) {
    const weft_wast_command *d = weft_wast_command_at(script, j);
    if (modules[j] && d->wasm_len == c->wasm_len &&
        memcmp(d->wasm, c->wasm, c->wasm_len) == 0)
      return j;
  }
  return i;
}

/* Builds the object of the distinct modules into a private directory and
** loads it; the directory and the file are gone when this returns. */
static weft_status build_and_open(struct wr_batch *b,
                                  const weft_module *const *distinct,
                                  const struct wr_options *opt,
                                  weft_error *err) {
  const char *tmp = getenv("TMPDIR");
  char dir[4096], so[4200];
  weft_aot_build_options o;
  snprintf(dir, sizeof dir, "%s/weft-wast-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    snprintf(err->message, sizeof err->message,
             "cannot make a temporary directory");
    return WEFT_ERR_ARG;
  }
  snprintf(so, sizeof so, "%s/script.so", dir);
  memset(&o, 0, sizeof o);
  o.cc = opt->cc;
  o.explicit_bounds_checks = opt->aot == 2;
  o.jobs = opt->jobs ? opt->jobs : online_cpus();
  weft_status s = weft_aot_build_so_batch(distinct, b->n, &o, so, err);
  if (s == WEFT_OK)
    s = weft_aot_open_so(so, &b->handle, err);
  unlink(so);
  rmdir(dir);
  return s;
}

struct wr_batch *wr_batch_compile(weft_engine *engine,
                                  const weft_wast_script *script,
                                  const struct wr_options *opt, char *why,
                                  size_t why_size) {
  uint32_t n = weft_wast_command_count(script), live = 0;
  struct wr_batch *b = calloc(1, sizeof *b);
  const weft_module **distinct = calloc(n ? n : 1, sizeof *distinct);
  uint32_t *entry = calloc(n ? n : 1, sizeof *entry);
  weft_error err;
  memset(&err, 0, sizeof err);
  why[0] = 0;
  if (!b || !distinct || !entry ||
      !(b->modules = calloc(n ? n : 1, sizeof *b->modules))) {
    snprintf(why, why_size, "out of memory");
    goto fail;
  }
  b->n = n;
  for (uint32_t i = 0; i < n; i++) {
    const weft_wast_command *c = weft_wast_command_at(script, i);
    if (!wr_batch_loads(c) ||
        weft_module_load(engine, c->wasm, c->wasm_len, &b->modules[i], &err))
      continue; /* its command loads it again and fails the same way */
    entry[i] = same_as(script, b->modules, i);
    if (entry[i] == i) {
      distinct[i] = b->modules[i];
      live++;
    }
  }
  if (live == 0)
    goto fail;
  if (build_and_open(b, distinct, opt, &err) != WEFT_OK) {
    snprintf(why, why_size, "%s", err.message);
    goto fail;
  }
  for (uint32_t i = 0; i < n; i++)
    if (b->modules[i] &&
        weft_aot_attach_batch(b->handle, entry[i], b->modules[i], &err)) {
      snprintf(why, why_size, "%s", err.message);
      goto fail;
    }
  free(distinct);
  free(entry);
  return b;
fail:
  wr_batch_unload(b);
  free(distinct);
  free(entry);
  return NULL;
}

weft_module *wr_batch_take(struct wr_batch *b, uint32_t index) {
  if (!b || index >= b->n)
    return NULL;
  weft_module *m = b->modules[index];
  b->modules[index] = NULL;
  return m;
}

void wr_batch_free_modules(struct wr_batch *b) {
  if (!b || !b->modules)
    return;
  for (uint32_t i = 0; i < b->n; i++)
    weft_module_free(b->modules[i]);
  free(b->modules);
  b->modules = NULL;
}

void wr_batch_unload(struct wr_batch *b) {
  if (!b)
    return;
  wr_batch_free_modules(b);
  weft_aot_unload(b->handle);
  free(b);
}
