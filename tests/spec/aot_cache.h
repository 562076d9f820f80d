/*
** aot_cache.h — compiled spec modules kept for one run of run_spec.sh, so
** its AoT modes compile every module first, in parallel and untimed
** (spec_runner --prebuild), and the timed run of the assertions only
** loads them.
*/
#ifndef WEFT_SPEC_AOT_CACHE_H
#define WEFT_SPEC_AOT_CACHE_H

#include <stddef.h>

#include "weft.h"
#include "weft_aot_build.h"

/* How the runner compiles: `dir` NULL means no cache (each object a
** temporary file). */
struct aot_cache_opts {
  const char *dir;
  const char *cc; /* NULL: cc */
  int explicit_checks;
  int fuel;
};

/* Builds the object for `mod` into `so`: from the cache when there is one
** (compiling into it first when the entry is missing), else a temporary
** file the caller unlinks (*out_temp). */
weft_status aot_cache_object(const struct aot_cache_opts *o, weft_module *mod,
                             const char *module_path, char *so, size_t so_size,
                             int *out_temp, weft_error *err);

/* spec_runner --prebuild: compiles every valid module among `paths` into
** the cache (modules that do not load are the suite's invalid ones:
** passed over) and prints one count line. Returns 0 when every valid
** module was compiled or already there. */
int aot_cache_prebuild(const struct aot_cache_opts *o, char **paths, int n);

/* Writes DIR/<basename of module_path>.<mode>.so to `out`; -1 when it does
** not fit. wast2json names every module file after its .wast, so names do
** not collide between files. */
int aot_cache_entry(const char *dir, const char *module_path, const char *mode,
                    char *out, size_t out_size);

/* True when the entry exists. */
int aot_cache_has(const char *entry);

/* Compiles `module` into the entry (a temporary name, then rename). */
weft_status aot_cache_build(const weft_module *module,
                            const weft_aot_build_options *options,
                            const char *entry, weft_error *err);

#endif /* WEFT_SPEC_AOT_CACHE_H */
