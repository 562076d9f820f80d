/*
** attest_run.h — what `weft run` does for attestation (docs/attestation.md):
** the handshake before instantiation (--attest HOST:PORT --verifier-key
** V.pub [--device-dir DIR]), the released secret (as the protected-dir key
** with --key-from-attestation, and through the host module weft:attest),
** and the signature of the --account record by the device key.
** The root of trust is software: the device key is a file.
*/
#ifndef WEFT_CLI_ATTEST_RUN_H
#define WEFT_CLI_ATTEST_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "weft.h"
#include "weft_wasi.h"

struct cli_attest {
  const char *addr;         /* --attest HOST:PORT, or NULL */
  const char *verifier_key; /* --verifier-key: the pinned public key */
  const char *device_dir;   /* --device-dir, or NULL for the default */
  int key_from_attestation; /* --key-from-attestation */
  uint8_t *secret;          /* released by the verifier (wiped on free) */
  size_t secret_len;
};

/* What the attester measures (docs/attestation.md). The module is
** measured from the bytes the engine loaded it from, never from its path
** again; the rest is the configuration measurement. */
struct cli_attest_inputs {
  const weft_module *module;  /* weft_module_bytes: the module measurement */
  const uint8_t *code_sha256; /* compiled code that will run; NULL: interp */
  int explicit_checks;        /* --explicit-bounds-checks */
  const weft_config *config;  /* limits, fuel metering */
  const char *invoke;
  int argc;
  char **argv;
  const char **env;
  uint32_t nenv;
  const weft_wasi_preopen *dirs;
  uint32_t ndirs;
  const char *const *listen; /* --tcplisten ADDR:PORT, as given */
  uint32_t nlisten;
  uint64_t fuel;     /* --fuel N; UINT64_MAX: no budget */
  double deadline;   /* --deadline SECONDS, 0: none */
  int version_store; /* 0 none, 1 --version-store, 2 ... -strict */
};

/* The configuration measurement: SHA-256 of the canonical CBOR map of
** `in` (weft-config/v2, attest_config.c). */
void cli_attest_measure_config(const struct cli_attest_inputs *in,
                               uint8_t out[32]);
/* Runs the handshake when --attest was given (checks the option set
** either way). Returns a CLI exit status, after printing the reason. */
int cli_attest_run(struct cli_attest *a, const struct cli_attest_inputs *in);
/* Defines weft:attest (secret_size, secret_read) when `module` imports it. */
int cli_attest_define(struct cli_attest *a, weft_engine *engine,
                      weft_linker *linker, const weft_module *module);
/* The account record's signer: 0 when none is configured (no --device-dir,
** no --attest), 1 with the key id ("sha256:HEX") written, -1 on an error
** already reported. */
int cli_attest_account_key(const struct cli_attest *a, char *key_id,
                           size_t size);
/* Writes the record's FILE.sig through `out`: COSE_Sign1 by the device key
** over SHA-256 of `record`, the bytes just written to FILE (never FILE
** read back, which someone may have replaced since). */
struct cli_outfile;
int cli_attest_sign_account(const struct cli_attest *a, const uint8_t *record,
                            size_t record_len, const struct cli_outfile *out);
void cli_attest_free(struct cli_attest *a);

#endif /* WEFT_CLI_ATTEST_RUN_H */
