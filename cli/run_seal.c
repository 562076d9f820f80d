/*
** run_seal.c — `weft run`'s part of sealing (docs/sealing.md): refuses a
** module whose weft.sig does not verify, and gives a module that imports
** weft:seal its identity and the device's root seal key. Modules that do
** not import weft:seal need no device directory.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"
#include "modsig.h"
#include "pfs_crypto.h"
#include "seal_host.h"

_Static_assert(SEAL_PRODUCT_MAX >= MODSIG_PRODUCT_MAX, "product ids fit");

static void report_seal(void *user, const char *what) {
  const char *path = user;
  fflush(stdout);
  fprintf(stderr, "weft: %s: weft:seal: %s\n", path, what);
}

/* The device's root seal key from --device-dir or the default. */
static int read_root_key(const char *device_dir, uint8_t root[32]) {
  char dir[4096], err[4600];

  if (device_dir == NULL) {
    if (measure_device_dir(dir, sizeof dir) != 0) {
      cli_errorf("no device secret: no device directory known (use "
                 "--device-dir DIR or set WEFT_DEVICE_DIR); run `weft "
                 "provision`");
      return -1;
    }
    device_dir = dir;
  }
  if (measure_read_secret(device_dir, "seal.key", root, 32, err, sizeof err) !=
      0) {
    if (strstr(err, "weft provision") != NULL)
      cli_errorf("no device secret: %s", err);
    else
      cli_errorf("no device secret: %s; run `weft provision`", err);
    return -1;
  }
  return 0;
}

/* Module and runtime measurements, and the signer when verified. */
static int build_identity(const uint8_t *bytes, size_t size,
                          const struct modsig *sig, int is_signed,
                          struct seal_identity *id) {
  memset(id, 0, sizeof *id);
  measure_bytes(bytes, size, id->module_sha256);
  if (measure_runtime(id->runtime_sha256) != 0) {
    cli_errorf("weft:seal: cannot measure the runtime (/proc/self/exe)");
    return -1;
  }
  if (is_signed) {
    id->is_signed = 1;
    memcpy(id->signer_id, sig->signer_id, 32);
    memcpy(id->product, sig->product, sig->product_len);
    id->product_len = sig->product_len;
    id->svn = sig->svn;
  }
  return 0;
}

int cli_seal_setup(weft_engine *engine, weft_linker *linker,
                   const weft_module *module, const char *path,
                   const char *device_dir, struct seal_host **out) {
  struct seal_identity id;
  struct modsig sig;
  uint8_t root[32];
  size_t size;
  const uint8_t *bytes = weft_module_bytes(module, &size);
  char err[256];
  int is_signed;
  weft_error werr;

  *out = NULL;
  if (modsig_verify(bytes, size, &sig, &is_signed, err, sizeof err) != 0) {
    cli_errorf("%s: %s; refusing to run it", path, err);
    return CLI_EXIT_LOAD;
  }
  if (!seal_host_imported(module))
    return CLI_EXIT_OK;
  if (build_identity(bytes, size, &sig, is_signed, &id) != 0)
    return CLI_EXIT_LOAD;
  if (read_root_key(device_dir, root) != 0)
    return CLI_EXIT_USAGE;
  *out = seal_host_new(root, &id);
  pfs_wipe(root, sizeof root);
  if (*out == NULL) {
    cli_errorf("weft:seal: cannot set up (out of memory, or no random "
               "numbers)");
    return CLI_EXIT_LOAD;
  }
  (*out)->report = report_seal;
  (*out)->report_user = (void *)(uintptr_t)path;
  memset(&werr, 0, sizeof werr);
  if (seal_host_define(*out, engine, linker, &werr) != WEFT_OK) {
    cli_errorf("weft:seal: %s", werr.message);
    return CLI_EXIT_LOAD;
  }
  return CLI_EXIT_OK;
}

void cli_seal_free(struct seal_host *host) { seal_host_free(host); }
