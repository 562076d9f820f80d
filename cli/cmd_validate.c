/*
** cmd_validate.c — `weft validate`: decode, validate and lower a module
** and say whether it is valid. Exit 0 when valid, 2 when rejected.
*/
#include <string.h>

#include "cli.h"

void cli_usage_validate(FILE *out) {
  fputs("usage: weft validate FILE.wasm...\n"
        "\n"
        "Decodes, validates and lowers each module; prints 'FILE: valid'\n"
        "or the reason it is rejected. A weft AoT artifact is not a module:\n"
        "it is rejected as precompiled native code. Exit status 0 when all\n"
        "are valid, 2 when one is rejected, 1 when a file cannot be read.\n",
        out);
}

int cmd_validate(int argc, char **argv) {
  int i, files = 0, worst = CLI_EXIT_OK;

  for (i = 1; i < argc; i++) {
    const char *path = argv[i];
    weft_engine *engine;
    weft_module *module;
    int rc;

    if (strcmp(path, "-h") == 0 || strcmp(path, "--help") == 0) {
      cli_usage_validate(stdout);
      return CLI_EXIT_OK;
    }
    if (strcmp(path, "--") == 0 && files == 0)
      continue;
    files++;
    rc = cli_load_module(NULL, path, &engine, &module, NULL);
    if (rc == CLI_EXIT_OK) {
      printf("%s: valid\n", path);
      weft_module_free(module);
      weft_engine_free(engine);
    } else if (worst != CLI_EXIT_LOAD) {
      worst = rc; /* a rejected module outranks an unreadable file */
    }
  }
  if (files == 0) {
    cli_errorf("validate: missing FILE.wasm (try 'weft help validate')");
    return CLI_EXIT_USAGE;
  }
  return worst;
}
