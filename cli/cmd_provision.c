/*
** cmd_provision.c — `weft provision` (a device directory: device key,
** seal key, endorsement) and `weft keygen` (endorser and verifier keys).
** The root of trust these make is software: keys are files.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest.h"
#include "cli.h"
#include "cose.h"
#include "measure.h"
#include "pfs_crypto.h"

void cli_usage_provision(FILE *out) {
  fputs("usage: weft provision [--device-dir DIR] --endorser-key E.pem\n"
        "                      [--model NAME] [--force]\n"
        "       weft provision --endorser-key E.pem --endorse-pub HEX\n"
        "                      --rot-kind KIND --out FILE [--model NAME]\n"
        "\n"
        "Creates a device directory (mode 0700; default $WEFT_DEVICE_DIR,\n"
        "else $XDG_STATE_HOME/weft/device or ~/.local/state/weft/device):\n"
        "  device.key        ECDSA P-256 private key (0600): signs evidence\n"
        "                    and accounting records\n"
        "  device.pub        its public key\n"
        "  seal.key          32 random bytes (0600): the root of sealing keys\n"
        "  endorsement.cose  COSE_Sign1 by the endorser over {device key,\n"
        "                    ueid, rot-kind \"software\", model}\n"
        "An existing device is kept unless --force. Root of trust: SOFTWARE\n"
        "(these keys are files; no TEE on this machine).\n"
        "The second form endorses a key held in a TEE (its 65-byte public\n"
        "point in hex, e.g. from `weft-tz attest-key`) with root kind KIND\n"
        "(e.g. optee-ta), writing the COSE endorsement to FILE.\n",
        out);
}

void cli_usage_keygen(FILE *out) {
  fputs("usage: weft keygen OUT.pem [--public OUT.pub] [--force]\n"
        "\n"
        "Writes a new ECDSA P-256 private key (PEM, mode 0600) for an\n"
        "endorser or a verifier, and its public key when asked (also what\n"
        "`openssl ecparam -name prime256v1 -genkey -noout` and `openssl ec\n"
        "-pubout` make; weft reads both).\n",
        out);
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

/* Writes 32 fresh random bytes to path, mode 0600 (through a temporary
** and a rename: a symlink at path is replaced, not followed). */
static int write_seal_key(const char *path, struct pfs_rng *rng) {
  uint8_t key[32];
  int rc;
  if (pfs_random(rng, key, sizeof key) != 0)
    return -1;
  rc = cli_write_output(path, key, sizeof key, 0600);
  pfs_wipe(key, sizeof key);
  return rc;
}

static int write_bytes(const char *path, const uint8_t *data, size_t len) {
  return cli_write_output(path, data, len, 0600);
}

/* The endorsement of the device key `device_pub` (its 65-byte point) with
** root kind `rot_kind`, signed by `endorser`. */
static int endorse(const struct eckey *endorser,
                   const uint8_t device_pub[ECKEY_PUBLIC_BYTES],
                   const char *rot_kind, struct pfs_rng *rng, const char *model,
                   struct cbor_buf *out) {
  struct attest_endorsement e;
  struct cbor_buf payload;
  uint8_t endorser_pub[ECKEY_PUBLIC_BYTES], kid[32];
  int rc = -1;
  memset(&e, 0, sizeof e);
  memcpy(e.device_pub, device_pub, ECKEY_PUBLIC_BYTES);
  if (eckey_public_raw(endorser, endorser_pub) != 0)
    return -1;
  attest_ueid_of(e.device_pub, e.ueid);
  snprintf(e.rot_kind, sizeof e.rot_kind, "%s", rot_kind);
  snprintf(e.model, sizeof e.model, "%s", model);
  measure_bytes(endorser_pub, sizeof endorser_pub, kid);
  cbor_buf_init(&payload, 4096);
  if (attest_endorsement_encode(&e, &payload) == 0)
    rc = cose_sign1_create(out, endorser, rng, kid, sizeof kid, NULL, 0,
                           payload.data, payload.len);
  cbor_buf_free(&payload);
  return rc;
}

static int provision(const char *dir, const char *endorser_path,
                     const char *model, int force) {
  struct eckey *endorser = NULL, *device = NULL;
  struct pfs_rng *rng = NULL;
  struct cbor_buf endorsement;
  char path[4200], err[512], hex[2 * ATTEST_UEID_BYTES + 1];
  uint8_t pub[ECKEY_PUBLIC_BYTES], ueid[ATTEST_UEID_BYTES];
  int rc = CLI_EXIT_USAGE;

  cbor_buf_init(&endorsement, 4096);
  snprintf(path, sizeof path, "%s/device.key", dir);
  if (exists(path) && !force) {
    cli_errorf("%s already holds a device (device.key); --force replaces it "
               "(its endorsement and sealed data are then lost)",
               dir);
    goto done;
  }
  if (eckey_load_private(endorser_path, &endorser, err, sizeof err) != 0) {
    cli_errorf("--endorser-key %s", err);
    goto done;
  }
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    cli_errorf("%s: %s", dir, strerror(errno));
    goto done;
  }
  if (chmod(dir, 0700) != 0) {
    cli_errorf("%s: %s", dir, strerror(errno));
    goto done;
  }
  rng = pfs_rng_new();
  if (rng == NULL || eckey_generate(rng, &device) != 0 ||
      eckey_public_raw(device, pub) != 0 ||
      endorse(endorser, pub, MEASURE_ROT_KIND, rng, model, &endorsement) != 0) {
    cli_errorf("cannot make the device key or its endorsement");
    goto done;
  }
  if (eckey_save_private(device, path) != 0) {
    cli_errorf("%s: cannot write", path);
    goto done;
  }
  snprintf(path, sizeof path, "%s/device.pub", dir);
  if (eckey_save_public(device, path) != 0) {
    cli_errorf("%s: cannot write", path);
    goto done;
  }
  snprintf(path, sizeof path, "%s/seal.key", dir);
  if (write_seal_key(path, rng) != 0) {
    cli_errorf("%s: cannot write", path);
    goto done;
  }
  snprintf(path, sizeof path, "%s/endorsement.cose", dir);
  if (write_bytes(path, endorsement.data, endorsement.len) != 0) {
    cli_errorf("%s: cannot write", path);
    goto done;
  }
  eckey_public_raw(device, pub);
  attest_ueid_of(pub, ueid);
  measure_hex(ueid, sizeof ueid, hex);
  printf("provisioned device in %s\nueid: %s\n"
         "root of trust: software (the device key is a file; no TEE on this "
         "machine)\n",
         dir, hex);
  rc = CLI_EXIT_OK;
done:
  cbor_buf_free(&endorsement);
  eckey_free(endorser);
  eckey_free(device);
  pfs_rng_free(rng);
  return rc;
}

/* ---- a key held elsewhere (a TEE) -----------------------------------------
** `weft provision --endorse-pub HEX --rot-kind KIND --out FILE
** --endorser-key E.pem`: the manufacturer's step for a device whose key
** never leaves its TEE (the weft TA under OP-TEE: docs/trustzone.md). The
** endorsement says KIND, which the device's evidence must repeat. */

static int unhex(const char *text, uint8_t *out, size_t n) {
  size_t i;
  unsigned v;
  if (strlen(text) != 2 * n)
    return -1;
  for (i = 0; i < n; i++) {
    if (sscanf(text + 2 * i, "%2x", &v) != 1)
      return -1;
    out[i] = (uint8_t)v;
  }
  return 0;
}

static int endorse_external(const char *endorser_path, const char *pub_hex,
                            const char *rot_kind, const char *model,
                            const char *out_path) {
  struct eckey *endorser = NULL, *device = NULL;
  struct pfs_rng *rng = NULL;
  struct cbor_buf endorsement;
  uint8_t pub[ECKEY_PUBLIC_BYTES], ueid[ATTEST_UEID_BYTES];
  char err[512], hex[2 * ATTEST_UEID_BYTES + 1];
  int rc = CLI_EXIT_USAGE;
  size_t k, kn = strlen(rot_kind);

  for (k = 0; k < kn; k++)
    if (!((rot_kind[k] >= 'a' && rot_kind[k] <= 'z') ||
          (rot_kind[k] >= '0' && rot_kind[k] <= '9') || rot_kind[k] == '-'))
      break;
  if (kn == 0 || kn > 15 || k < kn || strcmp(rot_kind, "software") == 0) {
    cli_errorf("--rot-kind: 1 to 15 of a-z, 0-9, '-', not \"software\" "
               "(software devices: plain `weft provision`)");
    return CLI_EXIT_USAGE;
  }
  if (unhex(pub_hex, pub, sizeof pub) != 0 ||
      eckey_from_public_raw(pub, &device) != 0) {
    cli_errorf("--endorse-pub: not a P-256 point in hex (130 digits, 04...)");
    return CLI_EXIT_USAGE;
  }
  cbor_buf_init(&endorsement, 4096);
  if (eckey_load_private(endorser_path, &endorser, err, sizeof err) != 0) {
    cli_errorf("--endorser-key %s", err);
    goto done;
  }
  rng = pfs_rng_new();
  if (rng == NULL ||
      endorse(endorser, pub, rot_kind, rng, model, &endorsement) != 0) {
    cli_errorf("cannot make the endorsement");
    goto done;
  }
  if (cli_write_output(out_path, endorsement.data, endorsement.len, 0644) !=
      0) {
    cli_errorf("%s: cannot write", out_path);
    goto done;
  }
  attest_ueid_of(pub, ueid);
  measure_hex(ueid, sizeof ueid, hex);
  printf("endorsed key in %s\nueid: %s\nrot-kind: %s\n", out_path, hex,
         rot_kind);
  rc = CLI_EXIT_OK;
done:
  cbor_buf_free(&endorsement);
  eckey_free(endorser);
  eckey_free(device);
  pfs_rng_free(rng);
  return rc;
}

int cmd_provision(int argc, char **argv) {
  const char *dir = NULL, *endorser = NULL, *model = "weft-software-device";
  const char *ext_pub = NULL, *rot_kind = NULL, *out = NULL;
  char def[4096];
  int i, force = 0;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--force") == 0)
      force = 1;
    else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      cli_usage_provision(stdout);
      return CLI_EXIT_OK;
    } else if (i + 1 < argc && strcmp(argv[i], "--device-dir") == 0)
      dir = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--endorser-key") == 0)
      endorser = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--model") == 0)
      model = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--endorse-pub") == 0)
      ext_pub = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--rot-kind") == 0)
      rot_kind = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--out") == 0)
      out = argv[++i];
    else {
      cli_errorf("provision: unexpected '%s' (try 'weft help provision')",
                 argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  if (endorser == NULL) {
    cli_errorf("provision needs --endorser-key E.pem (make one with `weft "
               "keygen E.pem --public E.pub`)");
    return CLI_EXIT_USAGE;
  }
  if (ext_pub != NULL || rot_kind != NULL || out != NULL) {
    if (ext_pub == NULL || rot_kind == NULL || out == NULL || dir != NULL) {
      cli_errorf("provision: --endorse-pub HEX, --rot-kind KIND and --out "
                 "FILE go together (and without --device-dir)");
      return CLI_EXIT_USAGE;
    }
    return endorse_external(
        endorser, ext_pub, rot_kind,
        strcmp(model, "weft-software-device") == 0 ? "weft-tee-device" : model,
        out);
  }
  if (dir == NULL) {
    if (measure_device_dir(def, sizeof def) != 0) {
      cli_errorf("provision: give --device-dir DIR (no home directory)");
      return CLI_EXIT_USAGE;
    }
    dir = def;
  }
  return provision(dir, endorser, model, force);
}

int cmd_keygen(int argc, char **argv) {
  const char *out = NULL, *pub_out = NULL;
  struct pfs_rng *rng;
  struct eckey *key = NULL;
  int i, force = 0, rc = CLI_EXIT_OK;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--force") == 0)
      force = 1;
    else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      cli_usage_keygen(stdout);
      return CLI_EXIT_OK;
    } else if (i + 1 < argc && strcmp(argv[i], "--public") == 0)
      pub_out = argv[++i];
    else if (argv[i][0] != '-' && out == NULL)
      out = argv[i];
    else {
      cli_errorf("keygen: unexpected '%s' (try 'weft help keygen')", argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  if (out == NULL) {
    cli_errorf("keygen: missing OUT.pem");
    return CLI_EXIT_USAGE;
  }
  if (!force && (exists(out) || (pub_out != NULL && exists(pub_out)))) {
    cli_errorf("keygen: %s exists; --force overwrites it",
               exists(out) ? out : pub_out);
    return CLI_EXIT_USAGE;
  }
  rng = pfs_rng_new();
  if (rng == NULL || eckey_generate(rng, &key) != 0) {
    cli_errorf("keygen: cannot generate a key");
    rc = CLI_EXIT_USAGE;
  } else if (eckey_save_private(key, out) != 0 ||
             (pub_out != NULL && eckey_save_public(key, pub_out) != 0)) {
    cli_errorf("keygen: cannot write %s", out);
    rc = CLI_EXIT_USAGE;
  }
  eckey_free(key);
  pfs_rng_free(rng);
  return rc;
}
