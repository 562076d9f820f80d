/*
** aot_internal.h — what aot.c (compiling), aot_load.c (loading artifacts)
** and aot_cache.c (the --aot cache) share. Not used elsewhere.
*/
#ifndef WEFT_CLI_AOT_INTERNAL_H
#define WEFT_CLI_AOT_INTERNAL_H

#include "aot.h"
#include "artifact.h"

/* The compiler, target and mode one compilation uses. */
struct toolchain {
  char cc[256];    /* command, may hold flags ("gcc -m64") */
  char target[64]; /* normalised triple the artifact is for */
  int explicit_checks;
  int fuel;          /* code meters fuel */
  char version[256]; /* first line of `cc --version` (probe only) */
};

/* Fills in the compiler command, target and mode; runs nothing. */
int cli_aot_resolve(const struct cli_aot_options *o, struct toolchain *t);
/* Asks the compiler its version and target (bounded by o->timeout_s); the
** target must be t->target. Reports problems; returns the exit status. */
int cli_aot_probe(struct toolchain *t, const struct cli_aot_options *o);
/* Compiles with a toolchain resolved and probed into artifact bytes
** authenticated with `key`. When the compiler is stopped by its time or
** CPU limit and `limited` is not NULL, the reason goes there instead of
** being reported (the caller decides what it means); limited[0] is NUL
** otherwise. */
int cli_aot_build(const weft_module *module, const uint8_t *wasm,
                  size_t wasm_size, const struct toolchain *t,
                  const struct cli_aot_options *o, const uint8_t *key,
                  const char *path, uint8_t **out_bytes, size_t *out_size,
                  char *limited, size_t limited_size);

/* The module of an authenticated artifact (see aot_load.c). */
weft_status cli_aot_module(weft_engine *engine, const struct cli_artifact *a,
                           weft_module **out, weft_error *err);
/* Loads an authenticated artifact's code into `module`; `label` names it
** in messages. With `how`, records the SHA-256 of the shared object
** loaded there (has_code, code_sha256). */
int cli_aot_attach(weft_module *module, const struct cli_artifact *a,
                   const char *label, void **out_code,
                   struct cli_run_load *how);

/* weft run --aot: `wasm` is FILE's bytes, read once by the caller. */
int cli_aot_load_cached(const weft_config *config, const char *path,
                        struct cli_run_load *how, const uint8_t *wasm,
                        size_t wasm_size, weft_engine **out_engine,
                        weft_module **out_module, void **out_code);

#endif /* WEFT_CLI_AOT_INTERNAL_H */
