/*
** aot_cache.c — the compile cache of `weft run --aot`. The cache is a
** directory this user owns and only this user can write (refused
** otherwise); it is opened once, and entries are opened relative to it
** without following links, checked on the open descriptor (a regular
** file, this user's, not writable by others) and authenticated with the
** AoT key like any artifact. A missing, refused or stale entry is
** compiled again and replaced atomically (a fresh temporary file and a
** rename in the same directory).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aot_internal.h"
#include "aot_key.h"
#include "cli.h"
#include "sha256.h"
#include "weft_aot.h"

static int cache_dir_of(const char *given, char *out, size_t out_size) {
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

  if (given != NULL)
    snprintf(out, out_size, "%s", given);
  else if (xdg != NULL && xdg[0] == '/')
    snprintf(out, out_size, "%s/weft", xdg);
  else if (home != NULL && home[0] != '\0')
    snprintf(out, out_size, "%s/.cache/weft", home);
  else
    return -1;
  return 0;
}

/* The key covers everything that makes compiled code what it is: the
** module, the ABI, target, compiler command, flags, bounds-check mode and
** the weft build that generated the C. */
static int cache_key(const uint8_t module_sha256[32], const struct toolchain *t,
                     char out_hex[65]) {
  char text[2048], module_hex[65];
  uint8_t digest[32];

  cli_sha256_hex(module_sha256, module_hex);
  snprintf(text, sizeof text,
           "weft-aot-cache 1\nmodule %s\nabi %d\ntarget %s\ncc %s\n"
           "cflags %s\nexplicit %d\nfuel %d\nweft %s %s\n",
           module_hex, WEFT_AOT_ABI, t->target, t->cc, WEFT_AOT_CFLAGS,
           t->explicit_checks, t->fuel, WEFT_VERSION, WEFT_BUILD_ID);
  if (cli_sha256_of(text, strlen(text), digest) != 0)
    return -1;
  cli_sha256_hex(digest, out_hex);
  return 0;
}

int cli_cache_entry_ok(const uint8_t *bytes, size_t size, const uint8_t *key,
                       const uint8_t module_sha256[32],
                       const struct toolchain *t, int piece,
                       struct cli_artifact *a, char *why, size_t why_size) {
  /* The embedded Wasm is not used here: the module run is the one the
  ** caller hashed, compared with the header's module hash below. */
  if (cli_artifact_decode(bytes, size, key, a, why, why_size) !=
      CLI_ARTIFACT_OK)
    return 0;
  if (memcmp(a->module_sha256, module_sha256, 32) != 0 ||
      !(a->flags & CLI_ARTIFACT_EXPLICIT_CHECKS) != !t->explicit_checks ||
      !(a->flags & CLI_ARTIFACT_FUEL) != !t->fuel ||
      strcmp(a->cc, t->cc) != 0) {
    snprintf(why, why_size, "made for another module or mode");
    return 0;
  }
  if (!(a->flags & CLI_ARTIFACT_PIECE) != !piece) {
    snprintf(why, why_size, "%s",
             piece ? "not a piece of this weft's format (format 3 pieces "
                     "carried the whole module)"
                   : "a piece, not a whole entry");
    return 0;
  }
  return 1;
}

int cli_cache_read_entry(int dirfd, const char *name, const char *label,
                         uint64_t max, uint8_t **bytes, size_t *size, char *why,
                         size_t why_size) {
  struct stat st;
  int fd = openat(dirfd, name,
                  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  int rc = -1;

  if (fd < 0) {
    if (errno == ENOENT)
      return 1;
    snprintf(why, why_size, "%s",
             errno == ELOOP ? "a symbolic link" : strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0)
    snprintf(why, why_size, "%s", strerror(errno));
  else if (cli_check_private(&st, 0, why, why_size) == 0) {
    if (cli_read_fd(fd, label, max, bytes, size) == CLI_EXIT_OK)
      rc = 0;
    else
      snprintf(why, why_size, "unreadable");
  }
  close(fd);
  return rc;
}

/* Compiles FILE into a new entry and loads it. A compiler stopped by its
** limits leaves the module to the interpreter, with a warning. */
static int compile_entry(struct cache_run *r, struct cli_run_load *how,
                         weft_module *module, void **out_code) {
  struct cli_artifact a;
  uint8_t *bytes = NULL;
  size_t size = 0;
  char why[512], limited[256] = "";
  int rc;

  rc = cli_aot_probe(&r->t, &how->compile);
  if (rc == CLI_EXIT_OK)
    rc = cli_aot_build(module, r->wasm, r->wasm_size, r->module_sha256, &r->t,
                       &how->compile, r->key, r->path, &bytes, &size, limited,
                       sizeof limited);
  if (rc != CLI_EXIT_OK && limited[0] != '\0') {
    cli_errorf("warning: %s: %s; running it in the interpreter (see "
               "--compile-timeout)",
               r->path, limited);
    return CLI_EXIT_OK;
  }
  if (rc == CLI_EXIT_OK)
    rc = cli_write_at(r->dirfd, r->label, r->name, bytes, size, 0600, NULL);
  if (rc == CLI_EXIT_OK) {
    if (cli_cache_entry_ok(bytes, size, r->key, r->module_sha256, &r->t, 0, &a,
                           why, sizeof why))
      rc = cli_aot_attach(module, &a, r->label, out_code, how);
    else {
      cli_errorf("%s: the artifact just built was refused: %s", r->label, why);
      rc = CLI_EXIT_LOAD;
    }
  }
  free(bytes);
  return rc;
}

/* Loads a cache hit; -1 when there is none to use (after saying why a
** refused entry was refused). */
static int use_entry(struct cache_run *r, struct cli_run_load *how,
                     const weft_config *config, weft_engine *engine,
                     weft_module **out_module, void **out_code) {
  struct cli_artifact a;
  uint8_t *bytes = NULL;
  size_t size = 0;
  char why[512];
  weft_error err;
  int rc;

  rc = cli_cache_read_entry(r->dirfd, r->name, r->label,
                            config->max_module_bytes + ((uint64_t)4 << 30),
                            &bytes, &size, why, sizeof why);
  if (rc == 0 && !cli_cache_entry_ok(bytes, size, r->key, r->module_sha256,
                                     &r->t, 0, &a, why, sizeof why))
    rc = -1;
  if (rc != 0) {
    if (rc < 0)
      cli_errorf("%s: cache entry refused (%s); compiling again", r->label,
                 why);
    free(bytes);
    return -1;
  }
  /* The entry's module hash is FILE's, checked above: run FILE's bytes. */
  a.wasm = r->wasm;
  a.wasm_size = r->wasm_size;
  memset(&err, 0, sizeof err);
  if (cli_aot_module(engine, &a, out_module, &err) != WEFT_OK)
    rc = cli_report(r->path, &err);
  else
    rc = cli_aot_attach(*out_module, &a, r->label, out_code, how);
  free(bytes);
  return rc;
}

/* Everything before the cache is looked at: toolchain, key, directory. */
static int open_cache(struct cache_run *r, struct cli_run_load *how, int fuel) {
  struct cli_aot_options o = how->compile;
  char dir[4096], key_path[4200], hex[65];
  int rc;

  o.cc = NULL;
  o.target = NULL;
  o.explicit_checks = how->explicit_checks ? 1 : -1;
  o.fuel = fuel;
  rc = cli_aot_resolve(&o, &r->t);
  if (rc != CLI_EXIT_OK)
    return rc;
  if (cli_aot_key_get(how->compile.key_file, 1, r->key, key_path,
                      sizeof key_path) != 0)
    return CLI_EXIT_USAGE;
  if (cache_dir_of(how->cache_dir, dir, sizeof dir) != 0) {
    cli_errorf("no cache directory: use --cache-dir, or set XDG_CACHE_HOME "
               "or HOME");
    return CLI_EXIT_USAGE;
  }
  r->dirfd = cli_open_private_dir(dir, "the --aot cache");
  if (r->dirfd < 0)
    return CLI_EXIT_USAGE;
  if (cli_sha256_of(r->wasm, r->wasm_size, r->module_sha256) != 0 ||
      cache_key(r->module_sha256, &r->t, hex) != 0) {
    cli_errorf("out of memory");
    return CLI_EXIT_LOAD;
  }
  snprintf(r->dir, sizeof r->dir, "%s", dir);
  snprintf(r->name, sizeof r->name, "%s.cwasm", hex);
  snprintf(r->label, sizeof r->label, "%s/%s", dir, r->name);
  return CLI_EXIT_OK;
}

/* A module large enough that compiling it whole first would keep the user
** waiting runs at once and is compiled piece by piece (aot_tier.c);
** attestation names one code identity, so it compiles whole. */
static int tiers(const struct cli_run_load *how, const weft_module *module) {
  weft_module_stats st;
  weft_module_stats_get(module, &st);
  return !how->want_code_hash && st.code_bytes >= how->tier_bytes;
}

/* No whole entry: loads the module, then tiers it (attaching the pieces
** the cache holds) or compiles it whole. The pieces are authenticated
** first: one made by this build vouches for the module's validity (it
** loaded the module to compile it), so its bodies are lowered only when
** first called, as for a full artifact of this build (cli_aot_module);
** a large module's third run must not pay for lowering 30,000 functions
** to run 4,000. */
static int load_new(struct cache_run *r, struct cli_run_load *how,
                    weft_engine *engine, weft_module **out_module,
                    void **out_code) {
  struct cli_tier *tr = cli_aot_tier_open(r, how);
  weft_error err;
  weft_status s;

  if (tr == NULL)
    return CLI_EXIT_LOAD;
  memset(&err, 0, sizeof err);
  s = cli_aot_tier_vouches(tr)
          ? weft_module_load_precompiled(engine, r->wasm, r->wasm_size,
                                         out_module, &err)
          : weft_module_load(engine, r->wasm, r->wasm_size, out_module, &err);
  if (s != WEFT_OK) {
    cli_aot_tier_close(tr);
    return cli_report(r->path, &err);
  }
  if (tiers(how, *out_module)) {
    cli_aot_tier_start(tr, how, *out_module);
    return CLI_EXIT_OK;
  }
  cli_aot_tier_close(tr);
  return compile_entry(r, how, *out_module, out_code);
}

int cli_aot_load_cached(const weft_config *config, const char *path,
                        struct cli_run_load *how, const uint8_t *wasm,
                        size_t wasm_size, weft_engine **out_engine,
                        weft_module **out_module, void **out_code) {
  struct cache_run r;
  weft_error err;
  int rc;

  memset(&r, 0, sizeof r);
  r.path = path;
  r.wasm = wasm;
  r.wasm_size = wasm_size;
  r.dirfd = -1;
  rc = open_cache(&r, how, config->fuel_metering);
  memset(&err, 0, sizeof err);
  if (rc == CLI_EXIT_OK && weft_engine_new(config, out_engine, &err) != WEFT_OK)
    rc = cli_report(NULL, &err);
  if (rc == CLI_EXIT_OK)
    rc = use_entry(&r, how, config, *out_engine, out_module, out_code);
  if (rc == -1)
    rc = load_new(&r, how, *out_engine, out_module, out_code);
  if (r.dirfd >= 0)
    close(r.dirfd);
  memset(r.key, 0, sizeof r.key);
  return rc;
}
