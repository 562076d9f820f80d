/*
** aot_cache.c — the spec runner's store of compiled modules (aot_cache.h).
** An entry is the shared object weft_aot_build_so_batch made for the
** module files of one .wast (wast2json's output) in one mode, or the one
** weft_aot_build_so made for one module file, named after that file.
** run_spec.sh makes the directory (0700) for one run and removes it afterwards, so an
** entry is never older than the module file and runner it was made from,
** and nothing in it comes from outside this run.
*/
#include "aot_cache.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int aot_cache_entry(const char *dir, const char *module_path, const char *mode,
                    char *out, size_t out_size) {
  const char *base = strrchr(module_path, '/');
  base = base ? base + 1 : module_path;
  int n = snprintf(out, out_size, "%s/%s.%s.so", dir, base, mode);
  return n > 0 && (size_t)n < out_size ? 0 : -1;
}

int aot_cache_has(const char *entry) { return access(entry, R_OK) == 0; }

weft_status aot_cache_build(const weft_module *module,
                            const weft_aot_build_options *options,
                            const char *entry, weft_error *err) {
  /* Built beside the entry under a name of this process, then renamed:
  ** a reader never sees half an object. */
  size_t n = strlen(entry) + 32;
  char *tmp = malloc(n);
  if (tmp == NULL)
    return WEFT_ERR_NOMEM;
  snprintf(tmp, n, "%s.%ld.tmp.so", entry, (long)getpid());
  weft_status s = weft_aot_build_so(module, options, tmp, err);
  if (s == WEFT_OK && rename(tmp, entry) != 0) {
    snprintf(err->message, sizeof err->message, "cannot rename %s", tmp);
    s = WEFT_ERR_ARG;
  }
  if (s != WEFT_OK)
    unlink(tmp);
  free(tmp);
  return s;
}

static void build_options(const struct aot_cache_opts *o,
                          weft_aot_build_options *b) {
  memset(b, 0, sizeof *b);
  b->cc = o->cc;
  b->explicit_bounds_checks = o->explicit_checks;
  b->chunks = 1;
  b->jobs = 1;
}

/* The entry's mode: bounds-check mode and fuel metering both change the
** code. */
static const char *mode_of(const struct aot_cache_opts *o) {
  static const char *const modes[2][2] = {{"guard", "guard-fuel"},
                                          {"explicit", "explicit-fuel"}};
  return modes[o->explicit_checks != 0][o->fuel != 0];
}

weft_status aot_cache_object(const struct aot_cache_opts *o, weft_module *mod,
                             const char *module_path, char *so, size_t so_size,
                             int *out_temp, weft_error *err) {
  static unsigned long serial;
  weft_aot_build_options b;
  build_options(o, &b);
  *out_temp = o->dir == NULL;
  if (o->dir == NULL) {
    const char *tmp = getenv("TMPDIR");
    snprintf(so, so_size, "%s/weft-spec-%ld-%lu.so", tmp && *tmp ? tmp : "/tmp",
             (long)getpid(), serial++);
    return weft_aot_build_so(mod, &b, so, err);
  }
  if (aot_cache_entry(o->dir, module_path, mode_of(o), so, so_size) != 0) {
    snprintf(err->message, sizeof err->message, "cache path too long");
    return WEFT_ERR_ARG;
  }
  if (aot_cache_has(so))
    return WEFT_OK;
  return aot_cache_build(mod, &b, so, err);
}

/* ---- one object per .wast file ------------------------------------------ */

int aot_cache_batch_entry(const struct aot_cache_opts *o,
                          const char *module_path, char *out, size_t out_size,
                          uint32_t *out_index) {
  const char *base = strrchr(module_path, '/');
  base = base ? base + 1 : module_path;
  size_t len = strlen(base);
  if (len < 6 || strcmp(base + len - 5, ".wasm") != 0)
    return -1;
  const char *end = base + len - 5, *dot = end;
  while (dot > base && dot[-1] >= '0' && dot[-1] <= '9')
    dot--;
  if (dot == end || dot == base || dot[-1] != '.' || end - dot > 9)
    return -1;
  *out_index = (uint32_t)strtoul(dot, NULL, 10);
  int n = snprintf(out, out_size, "%s/%.*s.%s.batch.so", o->dir,
                   (int)(dot - 1 - base), base, mode_of(o));
  return n > 0 && (size_t)n < out_size ? 0 : -1;
}

weft_status aot_cache_attach_batch(const struct aot_cache_opts *o,
                                   void **handle, int *tried, weft_module *mod,
                                   const char *module_path, weft_error *err) {
  char entry[1024];
  uint32_t index;
  if (o->dir == NULL ||
      aot_cache_batch_entry(o, module_path, entry, sizeof entry, &index) != 0)
    return WEFT_ERR_ARG;
  if (!*tried) {
    *tried = 1;
    if (aot_cache_has(entry) && weft_aot_open_so(entry, handle, err) != WEFT_OK)
      *handle = NULL;
  }
  if (*handle == NULL)
    return WEFT_ERR_ARG;
  return weft_aot_attach_batch(*handle, index, mod, err);
}

/* The prebuild's modules: every path loaded (NULL: it did not load). */
struct loaded {
  weft_module **mods;
  uint32_t *index; /* per path: its N, for the batch */
  int n;
  unsigned long invalid;
};

/* Compiles the loaded modules into their file's batch entry (a temporary
** name, then rename). Returns 1 when the entry is there afterwards (built
** now: *built set), 0 when the paths are not one file's modules or the
** batch did not compile. */
static int prebuild_batch(const struct aot_cache_opts *o, char **paths,
                          const struct loaded *l, int *built) {
  char entry[1024], other[1024];
  uint32_t top = 0, idx;
  *built = 0;
  for (int i = 0; i < l->n; i++) {
    if (aot_cache_batch_entry(o, paths[i], i ? other : entry, sizeof entry,
                              &idx) != 0 ||
        (i && strcmp(other, entry) != 0))
      return 0;
    l->index[i] = idx;
    if (idx >= top)
      top = idx + 1;
  }
  if (l->n == 0 || l->invalid == (unsigned long)l->n)
    return 0;
  if (aot_cache_has(entry))
    return 1;
  const weft_module **by_index = calloc(top, sizeof *by_index);
  if (!by_index)
    return 0;
  for (int i = 0; i < l->n; i++) {
    if (l->mods[i] && by_index[l->index[i]]) { /* two paths, one N */
      free(by_index);
      return 0;
    }
    if (l->mods[i])
      by_index[l->index[i]] = l->mods[i];
  }
  weft_aot_build_options b;
  weft_error err;
  build_options(o, &b);
  b.chunks = 0; /* one unit per job: jobs is 1 here, files run in parallel */
  memset(&err, 0, sizeof err);
  size_t n = strlen(entry) + 32;
  char *tmp = malloc(n);
  weft_status s = WEFT_ERR_NOMEM;
  if (tmp) {
    snprintf(tmp, n, "%s.%ld.tmp.so", entry, (long)getpid());
    s = weft_aot_build_so_batch(by_index, top, &b, tmp, &err);
    if (s == WEFT_OK && rename(tmp, entry) != 0)
      s = WEFT_ERR_ARG;
    if (s != WEFT_OK) {
      unlink(tmp);
      printf("prebuild: the file's modules together: %s; one by one\n",
             err.message);
    }
    free(tmp);
  }
  free(by_index);
  *built = s == WEFT_OK;
  return s == WEFT_OK;
}

int aot_cache_prebuild(const struct aot_cache_opts *o, char **paths, int n) {
  weft_config config;
  weft_engine *engine = NULL;
  weft_error err;
  unsigned long built = 0, cached = 0, failed = 0;
  struct loaded l = {calloc(n ? n : 1, sizeof *l.mods),
                     calloc(n ? n : 1, sizeof *l.index), n, 0};
  int batch_built = 0, batched;

  weft_config_default(&config);
  config.fuel_metering = o->fuel;
  config.wasm_2_0 = 1; /* as the runner's engine (spec_runner.c) */
  memset(&err, 0, sizeof err);
  if (!l.mods || !l.index || weft_engine_new(&config, &engine, &err) != WEFT_OK) {
    printf("prebuild: weft_engine_new failed: %s\n", err.message);
    free(l.mods);
    free(l.index);
    return 1;
  }
  for (int i = 0; i < n; i++) {
    size_t len = 0;
    char *bytes = spec_read_file(paths[i], &len);
    memset(&err, 0, sizeof err);
    if (bytes == NULL || weft_module_load(engine, (const uint8_t *)bytes, len,
                                          &l.mods[i], &err) != WEFT_OK) {
      l.mods[i] = NULL;
      l.invalid++;
    }
    free(bytes);
  }
  batched = prebuild_batch(o, paths, &l, &batch_built);
  for (int i = 0; i < n; i++) {
    char so[1024];
    int temp;
    if (!l.mods[i])
      continue;
    if (batched) {
      *(batch_built ? &built : &cached) += 1;
    } else if (aot_cache_entry(o->dir, paths[i], mode_of(o), so, sizeof so) ==
                   0 &&
               aot_cache_has(so)) {
      cached++;
    } else if (aot_cache_object(o, l.mods[i], paths[i], so, sizeof so, &temp,
                                &err) == WEFT_OK) {
      built++;
    } else {
      printf("prebuild: %s: %s\n", paths[i], err.message);
      failed++;
    }
    weft_module_free(l.mods[i]);
  }
  weft_engine_free(engine);
  free(l.mods);
  free(l.index);
  printf("prebuild: %lu compiled%s, %lu cached, %lu not loadable, %lu "
         "failed\n",
         built, batched ? " together" : "", cached, l.invalid, failed);
  return failed != 0;
}
