/*
** aot.h — the CLI's ahead-of-time plumbing: compiling a module into an
** artifact (.cwasm) with the C compiler, loading an authenticated
** artifact's code, and the compile cache behind `weft run --aot`.
** Trust model (docs/aot-artifact.md): an artifact is native code, loaded
** only on explicit request (--allow-precompiled, or the user's own cache)
** and only when its MAC verifies under the user's AoT key.
*/
#ifndef WEFT_CLI_AOT_H
#define WEFT_CLI_AOT_H

#include <stddef.h>
#include <stdint.h>

#include "weft.h"
#include "weft_aot_build.h" /* weft_aot_unload */

/* Default bounds on the C compiler (README.md, docs/aot-artifact.md). */
#define CLI_AOT_TIMEOUT_DEFAULT 600u /* seconds, wall clock, whole build */
/* Without --compile-timeout, the whole build's wall-clock bound grows by
** this much per MiB of code (each compiler process keeps the default as
** its CPU limit): a compile bomb is bounded by its size, and Yosys's
** 27.8 MB (about 26 minutes on 2 CPUs) is not stopped after 10. */
#define CLI_AOT_TIMEOUT_PER_MIB 120u
#define CLI_AOT_MEMORY_DEFAULT ((uint64_t)4 << 30) /* per compiler process */

/* How to compile (weft compile, weft run --aot). */
struct cli_aot_options {
  const char *cc;       /* NULL: $WEFT_CC, TARGET-gcc with a target, or cc */
  const char *target;   /* NULL: this host */
  int explicit_checks;  /* 1 explicit, 0 guard pages, -1 the target's default */
  uint32_t jobs;        /* parallel compiler processes; 0: online CPUs */
  int fuel;             /* code meters fuel (the engine's fuel_metering) */
  const char *key_file; /* --aot-key; NULL: $WEFT_AOT_KEY or the default */
  uint32_t timeout_s;   /* --compile-timeout; also each process's CPU limit;
                           0: none */
  int timeout_given;    /* --compile-timeout was given (else it scales) */
  uint64_t memory_bytes; /* --compile-memory: RLIMIT_AS per process; 0: none */
  const uint8_t *only;   /* a piece: bitmap of defined functions; NULL: all */
  const char *opt_flags; /* after the standard flags ("-O1"); NULL: none */
  int cpu_limit_only;    /* timeout_s bounds CPU time, not the wall clock
                            (a niced background build) */
};

/* Sets the compiler bounds to their defaults. */
void cli_aot_options_default(struct cli_aot_options *o);

/* Parses the options weft compile and weft run share: --aot-key FILE,
** --compile-timeout SECONDS, --compile-memory BYTES. Returns 1 when
** argv[*i] was one of them (and *i advanced past its value), 0 when not,
** -1 after reporting a bad or missing value. */
int cli_aot_parse_option(int argc, char **argv, int *i,
                         struct cli_aot_options *o);

/* Compiles `module`, loaded from `wasm`, into artifact bytes (malloc'd),
** authenticated with the AoT key (made on first use). Reports problems
** about `path` and returns the exit status. A SIGINT or SIGTERM during
** the compilation stops the compiler, removes its files and ends weft
** with that signal. */
int cli_aot_compile(const weft_module *module, const uint8_t *wasm,
                    size_t wasm_size, const struct cli_aot_options *o,
                    const char *path, uint8_t **out_bytes, size_t *out_size);

/* What `weft run` was asked. */
struct cli_run_load {
  int aot;               /* --aot: compile through the cache */
  const char *cache_dir; /* NULL: $XDG_CACHE_HOME/weft or ~/.cache/weft */
  int explicit_checks;   /* compile with explicit bounds checks */
  int allow_precompiled; /* --allow-precompiled: FILE may be an artifact */
  struct cli_aot_options compile; /* key and compiler bounds (cc, target,
                                     jobs and mode are not used here) */
  int want_code_hash;             /* --attest: hash the compiled code loaded */
  /* Tiering (aot_tier.c): a module with at least tier_bytes of code is
  ** run at once, with the pieces the cache holds, and its hot functions
  ** are compiled after the run, in a detached background process
  ** (tier_wait: in the foreground, before weft exits). */
  uint64_t tier_bytes;
  uint64_t tier_hot;     /* hits that make a function hot */
  int tier_wait;         /* --aot-wait */
  int tier_no_compile;   /* seccomp: no compiler may be started */
  struct cli_tier *tier; /* set by the load when the module tiers */
  /* Set by cli_load_for_run: compiled code was loaded, and with
  ** want_code_hash its SHA-256, from the very bytes loaded (the
  ** attestation's code identity). */
  int has_code;
  uint8_t code_sha256[32];
};

/* Loads `path` for running: a Wasm module (interpreted, or with --aot
** compiled code from the cache), or, only with how->allow_precompiled, an
** artifact authenticated and checked before any of its code is loaded. A
** file with the artifact magic is refused otherwise, whatever its name.
** *out_code is the loaded code to release with weft_aot_unload after the
** module and engine are freed (NULL if none); how->has_code and
** how->code_sha256 say which. Refusals and errors are
** reported; returns the exit status. */
int cli_load_for_run(const weft_config *config, const char *path,
                     struct cli_run_load *how, weft_engine **out_engine,
                     weft_module **out_module, void **out_code);

/* Defaults of the tiering bounds (README.md, docs/weft.1). */
#define CLI_AOT_TIER_BYTES_DEFAULT ((uint64_t)4 << 20)
#define CLI_AOT_TIER_HOT_DEFAULT 10000u

/* After a tiered run (how->tier set): picks the functions that ran hot in
** the interpreter in `instance` and compiles them into a cache piece, in a
** detached, niced background process or (tier_wait) here; then releases
** the tiering state and the pieces' code (call it after the module and
** engine are freed with instance NULL to only release). Problems of the
** background build are not reported; those of a foreground one are.
** Returns the exit status of a foreground build, else 0. */
int cli_aot_tier_after_run(struct cli_run_load *how, const weft_module *module,
                           const weft_instance *instance);
void cli_aot_tier_release(struct cli_run_load *how);

#endif /* WEFT_CLI_AOT_H */
