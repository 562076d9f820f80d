/*
** cmd_inspect.c — `weft inspect`: print a module's sections (id, name,
** offset, size), its imports and exports, and counts and sizes from
** weft_module_stats_get.
*/
#include <inttypes.h>
#include <string.h>

#include "cli.h"

void cli_usage_inspect(FILE *out) {
  fputs("usage: weft inspect FILE.wasm\n"
        "\n"
        "Loads FILE.wasm and prints its sections (id, name, offset, size),\n"
        "imports, exports, and counts and sizes of its contents.\n",
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

int cmd_inspect(int argc, char **argv) {
  const char *path = NULL;
  weft_engine *engine;
  weft_module *module;
  size_t file_size = 0;
  int i, rc;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      cli_usage_inspect(stdout);
      return CLI_EXIT_OK;
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
  rc = cli_load_module(NULL, path, &engine, &module, &file_size);
  if (rc != CLI_EXIT_OK)
    return rc;
  printf("%s: %zu bytes\n", path, file_size);
  print_sections(module);
  print_imports(module);
  print_exports(module);
  print_stats(module, file_size);
  weft_module_free(module);
  weft_engine_free(engine);
  return CLI_EXIT_OK;
}
