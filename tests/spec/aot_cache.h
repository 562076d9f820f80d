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

/* ---- one object per .wast file ------------------------------------------
** The prebuild compiles a file's valid modules together (one compiler run
** and one link for the file, weft_aot_build_so_batch) into
** DIR/<stem>.<mode>.batch.so, where wast2json named the module files
** <stem>.<N>.wasm and module N is the object's entry N. A module the
** batch lacks (or all of them, when the batch did not compile) gets an
** entry of its own as above. */

/* The batch entry of the file module_path belongs to, in `out`, and the
** module's N in *out_index; -1 when the name is not <stem>.<N>.wasm or
** the path does not fit. */
int aot_cache_batch_entry(const struct aot_cache_opts *o,
                          const char *module_path, char *out, size_t out_size,
                          uint32_t *out_index);

/* Attaches module_path's code from its file's batch object, opening that
** into *handle on first use (*tried keeps a missing one from being
** looked for again). WEFT_OK when attached; otherwise the caller builds
** the module's own entry. */
weft_status aot_cache_attach_batch(const struct aot_cache_opts *o,
                                   void **handle, int *tried, weft_module *mod,
                                   const char *module_path, weft_error *err);

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
