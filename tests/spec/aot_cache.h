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
