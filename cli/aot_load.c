/*
** aot_load.c — `weft run` deciding what FILE is, and loading compiled
** code. FILE is read once; a Wasm module is loaded as such (or through
** the --aot cache), and a file with the artifact magic only with
** --allow-precompiled, whatever its name. An artifact's shared object
** reaches a memfd and dlopen only after its MAC verified under the user's
** AoT key and every header check passed (artifact.h).
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aot_internal.h"
#include "aot_key.h"
#include "cli.h"
#include "sha256.h"
#include "weft_aot.h"
#include "weft_aot_build.h"

/* Puts the shared object where dlopen can map it without anyone else
** seeing or replacing it: an anonymous memfd, or failing that a private
** temporary file that is unlinked once loaded. */
static int stage_so(const uint8_t *so, size_t size, char *path,
                    size_t path_size, int *out_fd, int *out_unlink) {
  int fd = -1;

  *out_unlink = 0;
  if (access("/proc/self/fd", X_OK) == 0) {
    fd = memfd_create("weft-aot", MFD_CLOEXEC);
    if (fd >= 0)
      snprintf(path, path_size, "/proc/self/fd/%d", fd);
  }
  if (fd < 0) {
    const char *tmpdir = getenv("TMPDIR");
    snprintf(path, path_size, "%s/weft-aot-XXXXXX.so",
             tmpdir != NULL && *tmpdir ? tmpdir : "/tmp");
    fd = mkstemps(path, 3);
    if (fd < 0)
      return -1;
    *out_unlink = 1;
  }
  if (cli_write_all(fd, so, size) != 0) {
    if (*out_unlink)
      unlink(path);
    close(fd);
    return -1;
  }
  *out_fd = fd;
  return 0;
}

/* True when the object loaded from `so_path` carries, in its own module
** table, the module hash and bounds-check mode the header states. */
static int table_matches(const char *so_path, const struct cli_artifact *a) {
  void *h = dlopen(so_path, RTLD_NOW | RTLD_NOLOAD);
  const weft_aot_module *table = h ? dlsym(h, WEFT_AOT_SYMBOL) : NULL;
  int ok =
      table != NULL &&
      memcmp(table->module_sha256, a->module_sha256, 32) == 0 &&
      !table->explicit_checks == !(a->flags & CLI_ARTIFACT_EXPLICIT_CHECKS) &&
      !table->fuel_metering == !(a->flags & CLI_ARTIFACT_FUEL);
  if (h != NULL)
    dlclose(h); /* drops only the reference taken here */
  return ok;
}

int cli_aot_attach(weft_module *module, const struct cli_artifact *a,
                   const char *label, void **out_code,
                   struct cli_run_load *how) {
  char so_path[4096];
  int fd, unlink_after, rc = CLI_EXIT_OK;
  void *code = NULL;
  weft_error err;

  *out_code = NULL;
  if (stage_so(a->so, a->so_size, so_path, sizeof so_path, &fd,
               &unlink_after) != 0) {
    cli_errorf("%s: cannot stage the compiled code: %s", label,
               strerror(errno));
    return CLI_EXIT_LOAD;
  }
  memset(&err, 0, sizeof err);
  if (weft_aot_load_so(module, so_path, &code, &err) != WEFT_OK)
    rc = cli_report(label, &err);
  else if (!table_matches(so_path, a)) {
    cli_errorf("%s: refused: the compiled code does not match the "
               "artifact's header (module hash or bounds-check mode)",
               label);
    rc = CLI_EXIT_LOAD;
  }
  if (unlink_after)
    unlink(so_path);
  close(fd);
  if (rc != CLI_EXIT_OK) {
    weft_aot_unload(code);
    return rc;
  }
  *out_code = code;
  if (how != NULL)
    how->has_code = 1;
  /* The bytes just staged and loaded; hashed only for attestation (a few
  ** MB for a large program). */
  if (how != NULL && how->want_code_hash &&
      cli_sha256_of(a->so, a->so_size, how->code_sha256) != 0) {
    cli_errorf("out of memory");
    return CLI_EXIT_LOAD;
  }
  return CLI_EXIT_OK;
}

/* When this very weft build made the code, it validated these bytes then
** (compiling loads them first), so the bodies need not be validated and
** lowered again; from another build, they are. Only authenticated
** artifacts get here: the MAC says which build made them. */
int cli_aot_same_build(const struct cli_artifact *a) {
  return strcmp(a->weft_build, WEFT_BUILD_ID) == 0 &&
         strcmp(a->weft_version, WEFT_VERSION) == 0;
}

weft_status cli_aot_module(weft_engine *engine, const struct cli_artifact *a,
                           weft_module **out, weft_error *err) {
  if (cli_aot_same_build(a))
    return weft_module_load_precompiled(engine, a->wasm, a->wasm_size, out,
                                        err);
  return weft_module_load(engine, a->wasm, a->wasm_size, out, err);
}

/* weft run --allow-precompiled FILE, FILE an artifact. */
static int load_artifact(const weft_config *config, const char *path,
                         struct cli_run_load *how, const uint8_t *bytes,
                         size_t size, weft_engine **out_engine,
                         weft_module **out_module, void **out_code) {
  uint8_t key[CLI_AOT_KEY_SIZE];
  char key_path[4200], why[512];
  struct cli_artifact a;
  weft_error err;
  int rc;

  rc =
      cli_aot_key_get(how->compile.key_file, 0, key, key_path, sizeof key_path);
  if (rc != 0) {
    if (rc > 0)
      cli_errorf("%s: refused: no AoT key (%s does not exist), so no "
                 "artifact can be authenticated; compile it with this weft "
                 "or name the key with --aot-key FILE",
                 path, key_path);
    return rc > 0 ? CLI_EXIT_LOAD : CLI_EXIT_USAGE;
  }
  rc = cli_artifact_decode(bytes, size, key, &a, why, sizeof why);
  memset(key, 0, sizeof key);
  if (rc != CLI_ARTIFACT_OK) {
    cli_errorf("%s: refused: %s", path, why);
    return CLI_EXIT_LOAD;
  }
  if (a.wasm_size == 0 || (a.flags & CLI_ARTIFACT_PIECE)) {
    cli_errorf("%s: refused: a cache entry of `weft run --aot` (%s), not a "
               "whole artifact; it cannot run alone (use `weft compile`)",
               path,
               a.flags & CLI_ARTIFACT_PIECE
                   ? "a piece: code for some functions only"
                   : "without its module, which it names by its SHA-256");
    return CLI_EXIT_LOAD;
  }
  if (a.wasm_size > config->max_module_bytes) {
    cli_errorf("%s: module too large (%zu bytes; the limit is %llu bytes)",
               path, a.wasm_size, (unsigned long long)config->max_module_bytes);
    return CLI_EXIT_USAGE;
  }
  memset(&err, 0, sizeof err);
  if (weft_engine_new(config, out_engine, &err) != WEFT_OK)
    return cli_report(NULL, &err);
  memset(&err, 0, sizeof err);
  if (cli_aot_module(*out_engine, &a, out_module, &err) != WEFT_OK)
    return cli_report(path, &err);
  return cli_aot_attach(*out_module, &a, path, out_code, how);
}

static int refuse_precompiled(const char *path) {
  cli_errorf("%s: refused: this is a weft AoT artifact (precompiled native "
             "code), not a WebAssembly module; running it runs its native "
             "code. Pass --allow-precompiled to run an artifact you compiled "
             "(it must also authenticate with your AoT key)",
             path);
  return CLI_EXIT_LOAD;
}

static int load_bytes(const weft_config *config, const char *path,
                      struct cli_run_load *how, const uint8_t *bytes,
                      size_t size, weft_engine **out_engine,
                      weft_module **out_module, void **out_code) {
  if (cli_artifact_is(bytes, size))
    return how == NULL || !how->allow_precompiled
               ? refuse_precompiled(path)
               : load_artifact(config, path, how, bytes, size, out_engine,
                               out_module, out_code);
  if (size > config->max_module_bytes) {
    cli_errorf("%s: file too large (%zu bytes; the limit is %llu bytes)", path,
               size, (unsigned long long)config->max_module_bytes);
    return CLI_EXIT_USAGE;
  }
  if (how != NULL && how->aot)
    return cli_aot_load_cached(config, path, how, bytes, size, out_engine,
                               out_module, out_code);
  return cli_load_module_bytes(config, path, bytes, size, out_engine,
                               out_module);
}

int cli_load_for_run(const weft_config *config, const char *path,
                     struct cli_run_load *how, weft_engine **out_engine,
                     weft_module **out_module, void **out_code) {
  weft_config defaults;
  uint8_t *bytes;
  size_t size;
  uint64_t max;
  int rc;

  *out_engine = NULL;
  *out_module = NULL;
  *out_code = NULL;
  if (how != NULL)
    how->has_code = 0;
  if (config == NULL) {
    weft_config_default(&defaults);
    config = &defaults;
  }
  max = config->max_module_bytes;
  if (how != NULL && how->allow_precompiled)
    max += (uint64_t)4 << 30; /* the shared object comes on top */
  rc = cli_read_file(path, max, &bytes, &size);
  if (rc != CLI_EXIT_OK)
    return rc;
  rc = cli_text_to_binary(path, &bytes, &size);
  if (rc != CLI_EXIT_OK) {
    free(bytes);
    return rc;
  }
  rc = load_bytes(config, path, how, bytes, size, out_engine, out_module,
                  out_code);
  free(bytes);
  if (rc != CLI_EXIT_OK) {
    weft_module_free(*out_module);
    weft_engine_free(*out_engine);
    weft_aot_unload(*out_code);
    *out_engine = NULL;
    *out_module = NULL;
    *out_code = NULL;
  }
  return rc;
}
