/*
** module_load.c — reading a file and loading it as a WebAssembly module,
** for the subcommands that take a module (validate, inspect, run). A weft
** AoT artifact is refused here as what it is: native code, not Wasm.
*/
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "cli.h"

int cli_load_module_bytes(const weft_config *config, const char *path,
                          const uint8_t *bytes, size_t size,
                          weft_engine **out_engine, weft_module **out_module) {
  weft_error err;
  weft_engine *engine = NULL;
  int rc;

  *out_engine = NULL;
  *out_module = NULL;
  if (cli_artifact_is(bytes, size)) {
    cli_errorf("%s: a weft AoT artifact (precompiled native code), not a "
               "WebAssembly module (weft inspect shows its header; weft run "
               "loads it only with --allow-precompiled)",
               path);
    return CLI_EXIT_LOAD;
  }
  memset(&err, 0, sizeof err);
  if (weft_engine_new(config, &engine, &err) != WEFT_OK)
    return cli_report(NULL, &err);
  memset(&err, 0, sizeof err);
  if (weft_module_load(engine, bytes, size, out_module, &err) != WEFT_OK) {
    rc = cli_report(path, &err);
    weft_engine_free(engine);
    return rc;
  }
  *out_engine = engine;
  return CLI_EXIT_OK;
}

int cli_load_module(const weft_config *config, const char *path,
                    weft_engine **out_engine, weft_module **out_module,
                    size_t *out_file_size) {
  weft_config defaults;
  uint8_t *bytes;
  size_t size;
  int rc;

  *out_engine = NULL;
  *out_module = NULL;
  if (config == NULL) {
    weft_config_default(&defaults);
    config = &defaults;
  }
  rc = cli_read_file(path, config->max_module_bytes, &bytes, &size);
  if (rc != CLI_EXIT_OK)
    return rc;
  rc = cli_text_to_binary(path, &bytes, &size);
  if (rc != CLI_EXIT_OK) {
    free(bytes);
    return rc;
  }
  if (out_file_size != NULL)
    *out_file_size = size;
  rc = cli_load_module_bytes(config, path, bytes, size, out_engine, out_module);
  free(bytes);
  return rc;
}
