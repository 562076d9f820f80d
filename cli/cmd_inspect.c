/*
** cmd_inspect.c — `weft inspect`: print a module's sections (id, name,
** offset, size), its imports and exports, and counts and sizes from
** weft_module_stats_get; of an AoT artifact, its header and whether it
** authenticates with this user's AoT key (nothing of its code is loaded).
*/
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "aot_key.h"
#include "artifact.h"
#include "cli.h"
#include "measure.h"
#include "sha256.h"

void cli_usage_inspect(FILE *out) {
  fputs("usage: weft inspect [--aot-key KEY] FILE\n"
        "\n"
        "Loads FILE.wasm and prints its sections (id, name, offset, size),\n"
        "imports, exports, and counts and sizes of its contents. For a weft\n"
        "AoT artifact (precompiled native code) prints its header and\n"
        "whether it authenticates with your AoT key (or KEY); its code is\n"
        "never loaded.\n",
        out);
}

static void print_sections(const weft_module *module) {
  uint32_t i, n = weft_module_section_count(module);

  printf("sections (%" PRIu32 "):\n", n);
  printf("  %3s  %-16s %10s %10s\n", "id", "name", "offset", "size");
  for (i = 0; i < n; i++) {
    weft_section_info s;
    weft_module_section(module, i, &s);
    printf("  %3u  %-16s 0x%08" PRIx64 " %10" PRIu64 "\n", (unsigned)s.id,
           s.name != NULL ? s.name : "?", s.offset, s.size);
  }
}

static void print_imports(const weft_module *module) {
  uint32_t i, n = weft_module_import_count(module);

  printf("imports (%" PRIu32 "):\n", n);
  for (i = 0; i < n; i++) {
    weft_import_info imp;
    weft_module_import(module, i, &imp);
    printf("  %-6s %s.%s\n", cli_extern_kind_name(imp.kind), imp.module,
           imp.name);
  }
}

static void print_exports(const weft_module *module) {
  uint32_t i, n = weft_module_export_count(module);

  printf("exports (%" PRIu32 "):\n", n);
  for (i = 0; i < n; i++) {
    weft_export_info exp;
    weft_module_export(module, i, &exp);
    printf("  %-6s %-24s index %" PRIu32 "\n", cli_extern_kind_name(exp.kind),
           exp.name, exp.index);
  }
}

/* "N" or "N (M imported)": the stats count whole index spaces. */
static void print_count(const char *label, uint32_t total, uint32_t imported) {
  printf("  %-15s %" PRIu32, label, total);
  if (imported != 0)
    printf(" (%" PRIu32 " imported)", imported);
  putchar('\n');
}

static void print_stats(const weft_module *module, size_t file_size) {
  weft_module_stats st;
  uint32_t imported[4] = {0, 0, 0, 0};
  uint32_t i, n = weft_module_import_count(module);

  for (i = 0; i < n; i++) {
    weft_import_info imp;
    weft_module_import(module, i, &imp);
    if ((unsigned)imp.kind < 4)
      imported[imp.kind]++;
  }
  memset(&st, 0, sizeof st);
  weft_module_stats_get(module, &st);
  printf("stats:\n");
  printf("  file bytes:     %zu\n", file_size);
  print_count("types:", st.types, 0);
  print_count("imports:", st.imports, 0);
  print_count("functions:", st.funcs, imported[WEFT_EXTERN_FUNC]);
  print_count("tables:", st.tables, imported[WEFT_EXTERN_TABLE]);
  print_count("memories:", st.memories, imported[WEFT_EXTERN_MEMORY]);
  print_count("globals:", st.globals, imported[WEFT_EXTERN_GLOBAL]);
  print_count("exports:", st.exports, 0);
  print_count("elem segments:", st.elems, 0);
  print_count("data segments:", st.datas, 0);
  if (st.has_start)
    printf("  start function: %" PRIu32 "\n", st.start);
  else
    printf("  start function: none\n");
  printf("  code bytes:     %" PRIu64 "\n", st.code_bytes);
  printf("  data bytes:     %" PRIu64 "\n", st.data_bytes);
  printf("  lowered bytes:  %" PRIu64 "\n", st.lowered_bytes);
}

/* Whether the artifact authenticates with this user's key (never made
** here) and passes the checks `weft run --allow-precompiled` makes. */
static void print_authenticity(const uint8_t *bytes, size_t size,
                               const char *key_file) {
  uint8_t key[CLI_AOT_KEY_SIZE];
  char key_path[4200], why[512];
  struct cli_artifact a;
  int rc = cli_aot_key_get(key_file, 0, key, key_path, sizeof key_path);

  if (rc != 0) {
    printf("  authentic:      unknown (no usable AoT key%s%s)\n",
           rc > 0 ? ": " : "", rc > 0 ? key_path : "");
    return;
  }
  rc = cli_artifact_decode(bytes, size, key, &a, why, sizeof why);
  memset(key, 0, sizeof key);
  if (rc == CLI_ARTIFACT_UNAUTHENTIC)
    printf("  authentic:      no: %s\n", why);
  else if (rc != CLI_ARTIFACT_OK)
    printf("  authentic:      yes (your key %s), but refused: %s\n", key_path,
           why);
  else
    printf("  authentic:      yes (your key %s)\n", key_path);
}

static int inspect_artifact(const char *path, const uint8_t *bytes, size_t size,
                            const char *key_file) {
  struct cli_artifact a;
  char why[512], hash[65], id[33];

  if (cli_artifact_read_header(bytes, size, &a, why, sizeof why) !=
      CLI_ARTIFACT_OK) {
    cli_errorf("%s: a weft AoT artifact, unreadable: %s", path, why);
    return CLI_EXIT_LOAD;
  }
  cli_sha256_hex(a.module_sha256, hash);
  measure_hex(a.key_id, sizeof a.key_id, id);
  printf("%s: weft AoT artifact (precompiled native code), %zu bytes\n", path,
         size);
  printf("  format:         %" PRIu32 "\n", a.format);
  printf("  kind:           %s\n",
         a.flags & CLI_ARTIFACT_PIECE
             ? "cache piece (code for some functions; no module inside)"
         : a.wasm_size == 0 ? "cache entry (no module inside)"
                            : "whole (carries its module)");
  printf("  AoT ABI:        %" PRIu32 "\n", a.abi);
  printf("  target:         %s\n", a.target);
  printf("  bounds checks:  %s\n",
         a.flags & CLI_ARTIFACT_EXPLICIT_CHECKS ? "explicit" : "guard pages");
  printf("  fuel metering:  %s\n", a.flags & CLI_ARTIFACT_FUEL ? "yes" : "no");
  if (a.wasm_size == 0)
    printf("  module:         not inside, sha256 %s\n", hash);
  else
    printf("  module:         %zu bytes, sha256 %s\n", a.wasm_size, hash);
  printf("  shared object:  %zu bytes\n", a.so_size);
  printf("  weft:           %s (build %s)\n", a.weft_version, a.weft_build);
  printf("  compiler:       %s (%s)\n", a.cc, a.cc_version);
  printf("  cflags:         %s\n", a.cflags);
  printf("  key id:         %s\n", id);
  print_authenticity(bytes, size, key_file);
  return CLI_EXIT_OK;
}

static int inspect_module(const char *path, const uint8_t *bytes, size_t size) {
  weft_config config;
  weft_engine *engine;
  weft_module *module;
  int rc;

  weft_config_default(&config);
  rc = cli_load_module_bytes(&config, path, bytes, size, &engine, &module);
  if (rc != CLI_EXIT_OK)
    return rc;
  printf("%s: %zu bytes\n", path, size);
  print_sections(module);
  print_imports(module);
  print_exports(module);
  print_stats(module, size);
  weft_module_free(module);
  weft_engine_free(engine);
  return CLI_EXIT_OK;
}

int cmd_inspect(int argc, char **argv) {
  const char *path = NULL, *key_file = NULL;
  weft_config config;
  uint8_t *bytes;
  size_t size;
  int i, rc;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      cli_usage_inspect(stdout);
      return CLI_EXIT_OK;
    }
    if (strcmp(argv[i], "--aot-key") == 0 && path == NULL && i + 1 < argc) {
      key_file = argv[++i];
      continue;
    }
    if (strcmp(argv[i], "--") == 0 && path == NULL && i + 1 < argc) {
      path = argv[++i];
      continue;
    }
    if (path != NULL || (argv[i][0] == '-' && argv[i][1] != '\0')) {
      cli_errorf("inspect: unexpected argument '%s' (try 'weft help "
                 "inspect')",
                 argv[i]);
      return CLI_EXIT_USAGE;
    }
    path = argv[i];
  }
  if (path == NULL) {
    cli_errorf("inspect: missing FILE.wasm (try 'weft help inspect')");
    return CLI_EXIT_USAGE;
  }
  weft_config_default(&config);
  rc = cli_read_file(path, config.max_module_bytes + ((uint64_t)4 << 30),
                     &bytes, &size);
  if (rc != CLI_EXIT_OK)
    return rc;
  if (cli_artifact_is(bytes, size))
    rc = inspect_artifact(path, bytes, size, key_file);
  else if (size > config.max_module_bytes) {
    cli_errorf("%s: file too large (%zu bytes; the limit is %llu bytes)", path,
               size, (unsigned long long)config.max_module_bytes);
    rc = CLI_EXIT_USAGE;
  } else if ((rc = cli_text_to_binary(path, &bytes, &size)) == CLI_EXIT_OK) {
    rc = inspect_module(path, bytes, size); /* a .wat: its encoding */
  }
  free(bytes);
  return rc;
}
