/*
** cmd_sign.c — `weft sign`: append a weft.sig section (signer key,
** product id, svn, ECDSA P-256 signature) to a module, for the SIGNER
** sealing policy; `weft sign --verify` shows what a module's section says.
** Format and semantics: services/modsig.h, docs/sealing.md.
*/
#include <stdlib.h>
#include <string.h>

#include "aot.h" /* cli_write_file_atomic */
#include "cli.h"
#include "eckey.h"
#include "modsig.h"
#include "pfs_crypto.h"

void cli_usage_sign(FILE *out) {
  fputs("usage: weft sign --key SIGNER.pem --product ID --svn N IN.wasm\n"
        "                 -o OUT.wasm\n"
        "       weft sign --verify FILE.wasm\n"
        "\n"
        "Writes OUT.wasm: IN.wasm (a valid module; any weft.sig section it\n"
        "had is dropped) followed by a custom section `weft.sig` holding the\n"
        "signer's public key, the product id, the security version number\n"
        "and an ECDSA P-256 signature over all of it and the module's\n"
        "SHA-256. `weft run` refuses a module whose section does not verify;\n"
        "weft:seal's SIGNER policy binds sealed data to (signer, product)\n"
        "and lets svn N unseal what svn <= N sealed (docs/sealing.md).\n"
        "--verify checks FILE's section and prints signer id, product, svn\n"
        "(exit status 0 verified, 1 no section, 2 refused).\n"
        "\n"
        "options:\n"
        "  --key FILE      the signer's EC P-256 private key (PEM), e.g. from\n"
        "                  openssl genpkey -algorithm EC \\\n"
        "                    -pkeyopt ec_paramgen_curve:P-256\n"
        "  --product ID    product id, 1 to 64 bytes\n"
        "  --svn N         security version number, 0 to 4294967295\n"
        "  -o FILE         output module\n",
        out);
}

struct sign_args {
  const char *key, *product, *in, *out;
  uint32_t svn;
  int have_svn, verify;
};

/* Returns -1 for --help, else an exit status. */
static int parse_args(int argc, char **argv, struct sign_args *a) {
  memset(a, 0, sizeof *a);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
    int takes = strcmp(arg, "--key") == 0 || strcmp(arg, "--product") == 0 ||
                strcmp(arg, "--svn") == 0 || strcmp(arg, "-o") == 0;
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      cli_usage_sign(stdout);
      return -1;
    }
    if (takes && next == NULL) {
      cli_errorf("option %s needs a value", arg);
      return CLI_EXIT_USAGE;
    }
    if (strcmp(arg, "--key") == 0)
      a->key = next;
    else if (strcmp(arg, "--product") == 0)
      a->product = next;
    else if (strcmp(arg, "-o") == 0)
      a->out = next;
    else if (strcmp(arg, "--svn") == 0) {
      if (cli_parse_u32(next, &a->svn) != 0) {
        cli_errorf("invalid value '%s' for --svn", next);
        return CLI_EXIT_USAGE;
      }
      a->have_svn = 1;
    } else if (strcmp(arg, "--verify") == 0)
      a->verify = 1;
    else if (arg[0] == '-' && arg[1] != '\0') {
      cli_errorf("unknown option '%s' (try 'weft help sign')", arg);
      return CLI_EXIT_USAGE;
    } else if (a->in == NULL)
      a->in = arg;
    else {
      cli_errorf("sign: one module at a time ('%s' and '%s')", a->in, arg);
      return CLI_EXIT_USAGE;
    }
    i += takes;
  }
  if (a->in == NULL) {
    cli_errorf("sign: missing IN.wasm (try 'weft help sign')");
    return CLI_EXIT_USAGE;
  }
  if (!a->verify && (a->key == NULL || a->product == NULL || !a->have_svn ||
                     a->out == NULL)) {
    cli_errorf("sign: needs --key, --product, --svn and -o (try 'weft help "
               "sign')");
    return CLI_EXIT_USAGE;
  }
  if (!a->verify &&
      (a->product[0] == '\0' || strlen(a->product) > MODSIG_PRODUCT_MAX)) {
    cli_errorf("--product: want 1 to %d bytes", MODSIG_PRODUCT_MAX);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

static int verify_file(const struct sign_args *a) {
  struct modsig sig;
  uint8_t *bytes = NULL;
  size_t size = 0;
  char err[256];
  int found, rc;

  if (cli_read_file(a->in, (uint64_t)1 << 32, &bytes, &size) != CLI_EXIT_OK)
    return CLI_EXIT_USAGE;
  rc = modsig_verify(bytes, size, &sig, &found, err, sizeof err);
  free(bytes);
  if (rc != 0) {
    cli_errorf("%s: %s", a->in, err);
    return CLI_EXIT_LOAD;
  }
  if (!found) {
    cli_errorf("%s: no weft.sig section (not signed)", a->in);
    return CLI_EXIT_USAGE;
  }
  printf("signer ");
  for (int i = 0; i < 32; i++)
    printf("%02x", sig.signer_id[i]);
  printf("\nproduct %.*s\nsvn %u\n", (int)sig.product_len,
         (const char *)sig.product, (unsigned)sig.svn);
  return CLI_EXIT_OK;
}

/* Signs the module in `wasm` (already validated) and writes a->out. */
static int sign_bytes(const struct sign_args *a, const uint8_t *wasm,
                      size_t size) {
  struct eckey *key = NULL;
  struct pfs_rng *rng = NULL;
  uint8_t *out = NULL;
  size_t out_size = 0;
  char err[4200];
  int rc = CLI_EXIT_USAGE;

  if (eckey_load_private(a->key, &key, err, sizeof err) != 0) {
    cli_errorf("--key %s", err);
    return CLI_EXIT_USAGE;
  }
  rng = pfs_rng_new();
  if (rng == NULL)
    cli_errorf("sign: no random numbers");
  else if (modsig_sign(wasm, size, key, rng, (const uint8_t *)a->product,
                       strlen(a->product), a->svn, &out, &out_size, err,
                       sizeof err) != 0)
    cli_errorf("sign: %s: %s", a->in, err);
  else
    rc = cli_write_file_atomic(a->out, out, out_size);
  free(out);
  pfs_rng_free(rng);
  eckey_free(key);
  return rc;
}

int cmd_sign(int argc, char **argv) {
  struct sign_args a;
  weft_engine *engine = NULL;
  weft_module *module = NULL;
  const uint8_t *wasm;
  size_t size;
  int rc = parse_args(argc, argv, &a);

  if (rc < 0)
    return CLI_EXIT_OK;
  if (rc != CLI_EXIT_OK)
    return rc;
  if (a.verify)
    return verify_file(&a);
  /* Only valid modules get signed. */
  rc = cli_load_module(NULL, a.in, &engine, &module, NULL);
  if (rc != CLI_EXIT_OK)
    return rc;
  wasm = weft_module_bytes(module, &size);
  rc = sign_bytes(&a, wasm, size);
  weft_module_free(module);
  weft_engine_free(engine);
  return rc;
}
