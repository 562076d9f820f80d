/*
** aot_cache.c — the spec runner's store of compiled modules (aot_cache.h).
** An entry is the shared object weft_aot_build_so made for one module file
** of wast2json's output in one mode, named after that file. run_spec.sh
** makes the directory (0700) for one run and removes it afterwards, so an
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

int aot_cache_prebuild(const struct aot_cache_opts *o, char **paths, int n) {
  weft_config config;
  weft_engine *engine = NULL;
  weft_error err;
  unsigned long built = 0, cached = 0, invalid = 0, failed = 0;

  weft_config_default(&config);
  config.fuel_metering = o->fuel;
  memset(&err, 0, sizeof err);
  if (weft_engine_new(&config, &engine, &err) != WEFT_OK) {
    printf("prebuild: weft_engine_new failed: %s\n", err.message);
    return 1;
  }
  for (int i = 0; i < n; i++) {
    size_t len = 0;
    char *bytes = spec_read_file(paths[i], &len), so[1024];
    weft_module *mod = NULL;
    int temp;
    memset(&err, 0, sizeof err);
    if (bytes == NULL || weft_module_load(engine, (const uint8_t *)bytes, len,
                                          &mod, &err) != WEFT_OK) {
      invalid++;
    } else if (aot_cache_entry(o->dir, paths[i], mode_of(o), so, sizeof so) ==
                   0 &&
               aot_cache_has(so)) {
      cached++;
    } else if (aot_cache_object(o, mod, paths[i], so, sizeof so, &temp, &err) ==
               WEFT_OK) {
      built++;
    } else {
      printf("prebuild: %s: %s\n", paths[i], err.message);
      failed++;
    }
    weft_module_free(mod);
    free(bytes);
  }
  weft_engine_free(engine);
  printf("prebuild: %lu compiled, %lu cached, %lu not loadable, %lu failed\n",
         built, cached, invalid, failed);
  return failed != 0;
}
