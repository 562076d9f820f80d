/*
** cmd_compile.c — `weft compile`: load and validate a module, translate it
** to C, compile that with the C compiler (in parallel chunks) and write an
** artifact (.cwasm) that `weft run` loads after checking its header.
*/
#include <stdlib.h>
#include <string.h>

#include "aot.h"
#include "artifact.h"
#include "cli.h"

void cli_usage_compile(FILE *out) {
  fputs(
      "usage: weft compile [OPTIONS] FILE.wasm [-o FILE.cwasm]\n"
      "\n"
      "Compiles FILE.wasm ahead of time through C into an artifact that\n"
      "`weft run --allow-precompiled FILE.cwasm` runs: the module, the\n"
      "shared object built from it, and a header recording the AoT ABI,\n"
      "target triple, the module's SHA-256, compiler and flags, with a MAC\n"
      "under your AoT key (docs/aot-artifact.md).\n"
      "\n"
      "options:\n"
      "  -o FILE                 output (default: FILE.wasm -> FILE.cwasm)\n"
      "  --target TRIPLE         compile for TRIPLE with TRIPLE-gcc, e.g.\n"
      "                          aarch64-linux-gnu, riscv64-linux-gnu\n"
      "  --cc CMD                C compiler command (default: $WEFT_CC, cc)\n"
      "  --explicit-bounds-checks  check memory accesses in the code\n"
      "  --guard-pages           rely on guard pages (default on 64-bit\n"
      "                          targets; explicit checks elsewhere)\n"
      "  --fuel                  code that meters fuel (for weft run --fuel)\n"
      "  -j N                    parallel compiler jobs (default: CPUs)\n"
      "  -O1, -O2                the C compiler's optimisation (default\n"
      "                          -O2; -O1 compiles faster, runs slower)\n"
      "  --aot-key FILE          the key that authenticates the artifact\n"
      "                          (default: $WEFT_AOT_KEY, else\n"
      "                          $XDG_CONFIG_HOME/weft/aot.key or\n"
      "                          ~/.config/weft/aot.key, made on first use)\n"
      "  --compile-timeout SECONDS  stop the C compiler after this long,\n"
      "                          wall clock (default 600, plus 120 per MiB\n"
      "                          of code; 0: no limit); each compiler\n"
      "                          process also gets this much CPU time\n"
      "                          (default 600)\n"
      "  --compile-memory BYTES  address-space limit of each compiler\n"
      "                          process (default 4G; 0: no limit)\n",
      out);
}

/* FILE.wasm -> FILE.cwasm; otherwise FILE -> FILE.cwasm. */
static char *default_output(const char *in) {
  size_t n = strlen(in);
  char *out = malloc(n + 8);

  if (out == NULL)
    return NULL;
  if (n > 5 && strcmp(in + n - 5, ".wasm") == 0)
    n -= 5;
  else if (n > 4 && strcmp(in + n - 4, ".wat") == 0)
    n -= 4;
  memcpy(out, in, n);
  strcpy(out + n, ".cwasm");
  return out;
}

struct compile_args {
  const char *in, *out;
  struct cli_aot_options aot;
};

/* Returns -1 for --help, else an exit status. */
static int parse_args(int argc, char **argv, struct compile_args *a) {
  memset(a, 0, sizeof *a);
  a->aot.explicit_checks = -1;
  cli_aot_options_default(&a->aot);
  for (int i = 1; i < argc; i++) {
    int shared = cli_aot_parse_option(argc, argv, &i, &a->aot);
    if (shared < 0)
      return CLI_EXIT_USAGE;
    if (shared > 0)
      continue;
    const char *arg = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    int takes = strcmp(arg, "-o") == 0 || strcmp(arg, "--target") == 0 ||
                strcmp(arg, "--cc") == 0 || strcmp(arg, "-j") == 0;

    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      cli_usage_compile(stdout);
      return -1;
    }
    if (takes && next == NULL) {
      cli_errorf("option %s needs a value", arg);
      return CLI_EXIT_USAGE;
    }
    if (strcmp(arg, "-o") == 0)
      a->out = next;
    else if (strcmp(arg, "--target") == 0)
      a->aot.target = next;
    else if (strcmp(arg, "--cc") == 0)
      a->aot.cc = next;
    else if (strcmp(arg, "-j") == 0) {
      if (cli_parse_u32(next, &a->aot.jobs) != 0 || a->aot.jobs == 0 ||
          a->aot.jobs > 256) {
        cli_errorf("invalid value '%s' for -j", next);
        return CLI_EXIT_USAGE;
      }
    } else if (strcmp(arg, "--explicit-bounds-checks") == 0)
      a->aot.explicit_checks = 1;
    else if (strcmp(arg, "--guard-pages") == 0)
      a->aot.explicit_checks = 0;
    else if (strcmp(arg, "--fuel") == 0)
      a->aot.fuel = 1;
    else if (strcmp(arg, "-O1") == 0 || strcmp(arg, "-O2") == 0)
      a->aot.opt_flags = arg[2] == '1' ? "-O1" : NULL;
    else if (arg[0] == '-' && arg[1] != '\0') {
      cli_errorf("unknown option '%s' (try 'weft help compile')", arg);
      return CLI_EXIT_USAGE;
    } else if (a->in == NULL)
      a->in = arg;
    else {
      cli_errorf("compile: one FILE.wasm at a time ('%s' and '%s')", a->in,
                 arg);
      return CLI_EXIT_USAGE;
    }
    i += takes;
  }
  if (a->in == NULL) {
    cli_errorf("compile: missing FILE.wasm (try 'weft help compile')");
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

int cmd_compile(int argc, char **argv) {
  struct compile_args a;
  weft_config config;
  weft_engine *engine = NULL;
  weft_module *module = NULL;
  weft_error err;
  uint8_t *wasm = NULL, *artifact = NULL;
  size_t wasm_size = 0, artifact_size = 0;
  char *out = NULL;
  int rc;

  rc = parse_args(argc, argv, &a);
  if (rc < 0)
    return CLI_EXIT_OK;
  if (rc != CLI_EXIT_OK)
    return rc;
  weft_config_default(&config);
  config.fuel_metering = a.aot.fuel;
  rc = cli_read_file(a.in, config.max_module_bytes, &wasm, &wasm_size);
  if (rc != CLI_EXIT_OK)
    return rc;
  if (cli_artifact_is(wasm, wasm_size)) {
    cli_errorf("%s: already a compiled artifact; weft compile takes a "
               "FILE.wasm",
               a.in);
    free(wasm);
    return CLI_EXIT_USAGE;
  }
  rc = cli_text_to_binary(a.in, &wasm, &wasm_size); /* a .wat compiles too */
  if (rc != CLI_EXIT_OK) {
    free(wasm);
    return rc;
  }
  out = a.out != NULL ? NULL : default_output(a.in);
  if (a.out == NULL && out == NULL) {
    cli_errorf("out of memory");
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  memset(&err, 0, sizeof err);
  if (weft_engine_new(&config, &engine, &err) != WEFT_OK) {
    rc = cli_report(NULL, &err);
    goto done;
  }
  memset(&err, 0, sizeof err);
  if (weft_module_load(engine, wasm, wasm_size, &module, &err) != WEFT_OK) {
    rc = cli_report(a.in, &err);
    goto done;
  }
  rc = cli_aot_compile(module, wasm, wasm_size, &a.aot, a.in, &artifact,
                       &artifact_size);
  if (rc == CLI_EXIT_OK)
    rc = cli_write_file_atomic(a.out != NULL ? a.out : out, artifact,
                               artifact_size);
done:
  weft_module_free(module);
  weft_engine_free(engine);
  free(artifact);
  free(wasm);
  free(out);
  return rc;
}
