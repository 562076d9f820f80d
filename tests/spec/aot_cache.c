/*
** aot_cache.c — the spec runner's store of compiled modules (aot_cache.h).
** An entry is the shared object weft_aot_build_so made for one module file
** of wast2json's output in one mode, named after that file. run_spec.sh
** makes the directory (0700) for one run and removes it afterwards, so an
** entry is never older than the module file and runner it was made from,
** and nothing in it comes from outside this run.
*/
#include "aot_cache.h"

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
