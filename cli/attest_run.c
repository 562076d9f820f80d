/*
** attest_run.c — attest_run.h: `weft run`'s attester. The handshake runs
** after the module is read and before anything is instantiated, so a
** refused program never runs.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest.h"
#include "attest_run.h"
#include "cli.h"
#include "cose.h"
#include "measure.h"
#include "pfs.h"
#include "pfs_crypto.h"
#include "weft_aot.h"

#define RUNTIME_VERSION                                                        \
  "weft " WEFT_VERSION " (AoT ABI " CLI_STRINGIFY(WEFT_AOT_ABI) ")"
#define CLI_STRINGIFY(x) CLI_STRINGIFY2(x)
#define CLI_STRINGIFY2(x) #x

/* WASI errno values weft:attest returns. */
#define ERRNO_FAULT 21
#define ERRNO_INVAL 28
#define ERRNO_NOENT 44

/* The handshake's deadline: WEFT_ATTEST_TIMEOUT_MS, else the default. */
static int timeout_ms(void) {
  const char *env = getenv("WEFT_ATTEST_TIMEOUT_MS");
  long v = env != NULL ? strtol(env, NULL, 10) : 0;
  return v > 0 && v <= 600000 ? (int)v : ATTEST_TIMEOUT_MS;
}

static int device_dir_of(const struct cli_attest *a, char *buf, size_t size) {
  if (a->device_dir != NULL) {
    snprintf(buf, size, "%s", a->device_dir);
    return 0;
  }
  if (measure_device_dir(buf, size) != 0) {
    cli_errorf("no device directory: give --device-dir DIR (or set "
               "WEFT_DEVICE_DIR)");
    return -1;
  }
  return 0;
}

/* The module measurement: the bytes the engine loaded, so what is
** measured is what runs even if the file changes after it was read. */
static void measure_module(const weft_module *module, uint8_t out[32]) {
  size_t size = 0;
  const uint8_t *bytes = weft_module_bytes(module, &size);
  measure_bytes(bytes, size, out);
}

int cli_attest_run(struct cli_attest *a, const struct cli_attest_inputs *in) {
  struct attest_backend backend;
  struct attest_client_config cfg;
  struct eckey *pinned = NULL;
  char dir[4096], err[512];
  int fd, rc;

  if (a->addr == NULL) {
    if (a->verifier_key != NULL || a->key_from_attestation) {
      cli_errorf("--verifier-key and --key-from-attestation need --attest "
                 "HOST:PORT");
      return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
  }
  if (a->verifier_key == NULL) {
    cli_errorf("--attest needs --verifier-key V.pub: the verifier's public "
               "key, pinned");
    return CLI_EXIT_USAGE;
  }
  if (eckey_load_public(a->verifier_key, &pinned, err, sizeof err) != 0) {
    cli_errorf("--verifier-key %s", err);
    return CLI_EXIT_USAGE;
  }
  if (device_dir_of(a, dir, sizeof dir) != 0) {
    eckey_free(pinned);
    return CLI_EXIT_USAGE;
  }
  if (attest_software_open(dir, &backend, err, sizeof err) != 0) {
    cli_errorf("device: %s", err);
    eckey_free(pinned);
    return CLI_EXIT_USAGE;
  }
  memset(&cfg, 0, sizeof cfg);
  cfg.backend = &backend;
  cfg.pinned = pinned;
  cfg.runtime_version = RUNTIME_VERSION;
  cfg.timeout_ms = timeout_ms();
  cli_attest_measure_config(in, cfg.config);
  measure_module(in->module, cfg.module);
  fd = attest_connect(a->addr, cfg.timeout_ms, err, sizeof err);
  if (fd < 0) {
    cli_errorf("attestation failed: %s; the program was not run", err);
    rc = CLI_EXIT_LOAD;
    goto done;
  }
  rc = attest_client_run(fd, &cfg, &a->secret, &a->secret_len, err, sizeof err);
  close(fd);
  if (rc != 0) {
    cli_errorf("%s; the program was not run", err);
    rc = CLI_EXIT_LOAD;
    goto done;
  }
  rc = CLI_EXIT_OK;
  if (a->key_from_attestation && a->secret_len != 32) {
    cli_errorf("--key-from-attestation: the released secret is %zu bytes; a "
               "protected-dir key must be 32",
               a->secret_len);
    rc = CLI_EXIT_USAGE;
  }
done:
  attest_software_close(&backend);
  eckey_free(pinned);
  return rc;
}

/* ---- weft:attest ----------------------------------------------------------
 */

/* secret_size() -> i32: the released secret's size, -1 when none. */
static weft_status host_secret_size(weft_host_ctx *ctx, void *user,
                                    weft_slot *slots) {
  const struct cli_attest *a = user;
  (void)ctx;
  slots[0].u64 = 0;
  slots[0].i32 = a->secret != NULL ? (int32_t)a->secret_len : -1;
  return WEFT_OK;
}

/* secret_read(ptr, len) -> errno: copies the secret to ptr; len must be at
** least secret_size(). The whole [ptr, ptr+len) must lie in memory. */
static weft_status host_secret_read(weft_host_ctx *ctx, void *user,
                                    weft_slot *slots) {
  const struct cli_attest *a = user;
  weft_memory *mem = weft_host_memory(ctx);
  uint64_t ptr = slots[0].u32, len = slots[1].u32;
  uint64_t size = mem != NULL ? weft_memory_size(mem) : 0;
  uint8_t *base = mem != NULL ? weft_memory_data(mem) : NULL;
  uint32_t e = 0;

  if (base == NULL || ptr > size || len > size - ptr) /* no wrap: 64-bit */
    e = ERRNO_FAULT;
  else if (a->secret == NULL)
    e = ERRNO_NOENT;
  else if (len < a->secret_len)
    e = ERRNO_INVAL;
  else
    memcpy(base + ptr, a->secret, a->secret_len);
  slots[0].u64 = 0;
  slots[0].u32 = e;
  return WEFT_OK;
}

static int imports_attest(const weft_module *module) {
  uint32_t i, n = weft_module_import_count(module);
  for (i = 0; i < n; i++) {
    weft_import_info info;
    weft_module_import(module, i, &info);
    if (strcmp(info.module, "weft:attest") == 0)
      return 1;
  }
  return 0;
}

int cli_attest_define(struct cli_attest *a, weft_engine *engine,
                      weft_linker *linker, const weft_module *module) {
  static const weft_valtype i32x2[2] = {WEFT_I32, WEFT_I32};
  static const struct {
    const char *name;
    uint32_t nparams;
    weft_host_fn fn;
  } funcs[] = {{"secret_size", 0, host_secret_size},
               {"secret_read", 2, host_secret_read}};
  weft_error err;
  size_t i;

  if (!imports_attest(module))
    return CLI_EXIT_OK;
  for (i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
    weft_func *func;
    weft_extern ext;
    memset(&err, 0, sizeof err);
    if (weft_func_new_host(engine, i32x2, funcs[i].nparams, i32x2, 1,
                           funcs[i].fn, a, &func, &err) != WEFT_OK)
      return cli_report(NULL, &err);
    ext.kind = WEFT_EXTERN_FUNC;
    ext.of.func = func;
    if (weft_linker_define(linker, "weft:attest", funcs[i].name, ext, &err) !=
        WEFT_OK)
      return cli_report(NULL, &err);
  }
  return CLI_EXIT_OK;
}

/* ---- signed accounting records ----------------------------------------- */

int cli_attest_account_key(const struct cli_attest *a, char *key_id,
                           size_t size) {
  struct attest_backend backend;
  uint8_t pub[ECKEY_PUBLIC_BYTES], kid[32];
  char dir[4096], err[512], hex[65];
  if (a->device_dir == NULL && a->addr == NULL)
    return 0;
  if (device_dir_of(a, dir, sizeof dir) != 0)
    return -1;
  if (attest_software_open(dir, &backend, err, sizeof err) != 0) {
    cli_errorf("--account: cannot sign: %s", err);
    return -1;
  }
  backend.public_key(backend.ctx, pub);
  attest_software_close(&backend);
  measure_bytes(pub, sizeof pub, kid);
  measure_hex(kid, sizeof kid, hex);
  snprintf(key_id, size, "sha256:%s", hex);
  return 1;
}

int cli_attest_sign_account(const struct cli_attest *a, const uint8_t *record,
                            size_t record_len, const struct cli_outfile *out) {
  struct attest_backend backend;
  struct cbor_buf payload, sig;
  uint8_t digest[32];
  char dir[4096], err[512];
  int rc = -1;

  if (device_dir_of(a, dir, sizeof dir) != 0)
    return -1;
  measure_bytes(record, record_len, digest);
  if (attest_software_open(dir, &backend, err, sizeof err) != 0) {
    cli_errorf("--account: cannot sign: %s", err);
    return -1;
  }
  cbor_buf_init(&payload, 4096);
  cbor_buf_init(&sig, ATTEST_MAX_FRAME);
  if (attest_account_encode(digest, backend.kind, &payload) == 0 &&
      backend.sign(backend.ctx, payload.data, payload.len, &sig) == 0)
    rc = cli_outfile_write(out, ".sig", sig.data, sig.len, 0644);
  else
    cli_errorf("--account: cannot sign the record");
  cbor_buf_free(&payload);
  cbor_buf_free(&sig);
  attest_software_close(&backend);
  return rc;
}

void cli_attest_free(struct cli_attest *a) {
  if (a->secret != NULL) {
    pfs_wipe(a->secret, a->secret_len);
    free(a->secret);
  }
  a->secret = NULL;
  a->secret_len = 0;
}
