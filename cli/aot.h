/*
** aot.h — the CLI's ahead-of-time plumbing: compiling a module into an
** artifact (.cwasm) with the C compiler, loading a checked artifact's
** code, and the compile cache behind `weft run --aot`.
*/
#ifndef WEFT_CLI_AOT_H
#define WEFT_CLI_AOT_H

#include <stddef.h>
#include <stdint.h>

#include "weft.h"
#include "weft_aot_build.h" /* weft_aot_unload */

/* How to compile (weft compile, weft run --aot). */
struct cli_aot_options {
  const char *cc;      /* NULL: $WEFT_CC, TARGET-gcc with a target, or cc */
  const char *target;  /* NULL: this host */
  int explicit_checks; /* 1 explicit, 0 guard pages, -1 the target's default */
  uint32_t jobs;       /* parallel compiler processes; 0: online CPUs */
  int fuel;            /* code meters fuel (the engine's fuel_metering) */
};

/* Compiles `module`, loaded from `wasm`, into artifact bytes (malloc'd).
** Reports problems about `path` and returns the exit status. */
int cli_aot_compile(const weft_module *module, const uint8_t *wasm,
                    size_t wasm_size, const struct cli_aot_options *o,
                    const char *path, uint8_t **out_bytes, size_t *out_size);

/* Writes `bytes` to `path` through a temporary file in the same directory
** and a rename, so readers never see half a file. Reports problems. */
int cli_write_file_atomic(const char *path, const uint8_t *bytes, size_t size);

/* What `weft run` was asked. */
struct cli_run_load {
  int aot;               /* --aot: compile through the cache */
  const char *cache_dir; /* NULL: $XDG_CACHE_HOME/weft or ~/.cache/weft */
  int explicit_checks;   /* compile with explicit bounds checks */
  /* Set by cli_load_for_run: the compiled code it loaded, hashed from the
  ** very bytes it loaded (the attestation's code identity). */
  int has_code;
  uint8_t code_sha256[32];
};

/* Loads `path` for running: a .wasm module (interpreted, or with --aot
** compiled code from the cache), or a .cwasm artifact, checked before any
** of its code is loaded. *out_code is the loaded code to release with
** weft_aot_unload after the module and engine are freed (NULL if none);
** how->has_code and how->code_sha256 say which. Refusals and errors are
** reported; returns the exit status. */
int cli_load_for_run(const weft_config *config, const char *path,
                     struct cli_run_load *how, weft_engine **out_engine,
                     weft_module **out_module, void **out_code);

#endif /* WEFT_CLI_AOT_H */
