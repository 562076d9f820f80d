/*
** weft_aot_build.h — hosted helpers around weft_module_emit_c: compile a
** module's generated C into a shared object with a C compiler (in parallel
** chunks), and load such an object back into a module. POSIX only.
** weft_aot_build_so (the compiler driver: fork/exec, temporary files) is
** not in libweft but in libweft-aotbuild.a (aotbuild/), which a program
** that compiles links before libweft; weft_aot_load_so and
** weft_aot_unload are libweft's (the POSIX port).
*/
#ifndef WEFT_AOT_BUILD_H
#define WEFT_AOT_BUILD_H

#include <signal.h> /* sig_atomic_t */

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bounding the compiler. Each compiler process runs in a process group of
** its own, with the resource limits below (inherited by the processes it
** starts: cc1, as, ld). While it waits, the build polls `cancel` and its
** deadline; when either fires it kills every compiler process group,
** reaps the processes, removes its temporary directory and returns
** WEFT_ERR_LIMIT. A compiler killed by its CPU limit also gives
** WEFT_ERR_LIMIT. The library installs no signal handler and never waits
** for a process it did not start: an embedder that wants ^C (which the
** compiler's own process group does not receive) to stop a build sets
** *cancel from its handler. All zero: no limits, as before. */
typedef struct weft_aot_build_options {
  const char *cc;             /* compiler command; NULL: "cc" */
  const char *extra_flags;    /* appended, split on spaces; may be NULL */
  int explicit_bounds_checks; /* else guard pages */
  uint32_t jobs;              /* parallel compiler processes; 0: 1 */
  uint32_t chunks;            /* translation units; 0: automatic */
  /* Called after each compiled chunk (done of total), on the calling
  ** thread; NULL: none. The library prints nothing itself. */
  void (*progress)(void *user, uint32_t done, uint32_t total);
  void *progress_user;
  const char *tmp_dir;       /* where the private build directory is made;
                                NULL: $TMPDIR, else /tmp */
  uint8_t module_sha256[32]; /* recorded in the object */
  uint32_t timeout_ms;       /* wall clock for the whole build; 0: none */
  uint32_t cpu_seconds;      /* RLIMIT_CPU per compiler process; 0: none */
  uint64_t memory_bytes;     /* RLIMIT_AS per compiler process; 0: none */
  const volatile sig_atomic_t *cancel; /* nonzero: stop now; may be NULL */
  /* A piece of the module: the defined functions whose bits are set
  ** (weft_aot_options.only); NULL: all of them. */
  const uint8_t *only;
  /* Appended after WEFT_AOT_CFLAGS and extra_flags, so "-O1" there
  ** overrides the -O2 (cheaper code for code that runs little); NULL:
  ** nothing. */
  const char *opt_flags;
} weft_aot_build_options;

/* The optimisation and semantics flags every compilation uses. Two -O2
** passes are left out: RTL GCSE and the scheduling after register
** allocation. On generated C (large functions, long blocks, every Wasm
** local a C variable) they took 10-15% of the C compiler's time, 30% on
** the largest functions, and the code ran no slower without them
** (bench/README.md, "Compile time"): GIMPLE PRE already did GCSE's
** work, and out-of-order cores schedule for themselves. */
#define WEFT_AOT_CFLAGS                                                        \
  "-O2 -fPIC -fno-math-errno -fsignaling-nans -ffp-contract=off "              \
  "-fno-strict-aliasing -fno-gcse -fno-schedule-insns2 -w"

/* weft_aot_build_so is defined in libweft-aotbuild.a (static only), not
** exported by libweft.so, hence its own marker. */
#ifndef WEFT_AOTBUILD_API
#define WEFT_AOTBUILD_API extern
#endif

/* Generate C for `module` and compile it into the shared object `so_path`.
** On failure nothing of the build is left but possibly `so_path` itself
** (the caller's file): WEFT_ERR_LIMIT when stopped (timeout, cancel, CPU
** limit), WEFT_ERR_UNSUPPORTED when the compiler failed. */
WEFT_AOTBUILD_API weft_status weft_aot_build_so(
    const weft_module *module, const weft_aot_build_options *options,
    const char *so_path, weft_error *out_error);

/* dlopen `so_path`, find its module table and attach it to `module`.
** Keep *out_handle until the module is freed, then weft_aot_unload. */
WEFT_API weft_status weft_aot_load_so(weft_module *module, const char *so_path,
                                      void **out_handle, weft_error *out_error);
WEFT_API void weft_aot_unload(void *handle);

/* ---- several modules in one shared object (a .wast script's) ------------
** One compile and one link for many modules instead of one each: the C of
** modules[i] is entry i of the batch (NULL entries: none), its names and
** its table (exported as WEFT_AOT_SYMBOL "_i") kept apart from the
** others', the entries dealt to translation units (options->chunks of
** them; 0: one per job when each gets 32 KiB of Wasm code or more, one
** per 256 KiB when that is more) compiled options->jobs at a time.
** options->module_sha256 is not recorded (the tables hold zeros).
** Errors as weft_aot_build_so's; WEFT_ERR_ARG when every entry is NULL.
** A compiler failure fails the whole batch: a caller that wants to know
** which module it was builds them one by one. In libweft-aotbuild.a, like
** weft_aot_build_so; the two below are libweft's. */
WEFT_AOTBUILD_API weft_status
weft_aot_build_so_batch(const weft_module *const *modules, uint32_t n,
                        const weft_aot_build_options *options,
                        const char *so_path, weft_error *out_error);

/* dlopen a shared object weft_aot_build_so_batch made (and attach none
** of it); release it with weft_aot_unload once every module attached
** from it is freed. */
WEFT_API weft_status weft_aot_open_so(const char *so_path, void **out_handle,
                                      weft_error *out_error);

/* Attach entry `index` of the open batch object to `module`, which must
** be the module that entry was built from (else WEFT_ERR_ARG when the
** function counts differ; code of another module must never run). */
WEFT_API weft_status weft_aot_attach_batch(void *handle, uint32_t index,
                                           weft_module *module,
                                           weft_error *out_error);

#ifdef __cplusplus
}
#endif
#endif /* WEFT_AOT_BUILD_H */
