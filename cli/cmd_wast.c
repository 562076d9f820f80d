/*
** cmd_wast.c — `weft wast FILE.wast...`: runs WebAssembly spec scripts
** (parsed by the text layer, include/weft_text.h) with one fresh engine
** per file and the spectest host module, counting every command per
** category like tests/spec/run_spec.sh does for wast2json's output, plus
** the text-form assert_malformed commands that path cannot run.
*/
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "wast_run.h"
#include "weft_text.h"

static const char *const cat_names[WR_CAT_COUNT] = {
    "module",  "return",    "trap",           "exhaustion",
    "invalid", "malformed", "unlinkable",     "uninstantiable",
    "action",  "register",  "text-malformed", "exception"};

static unsigned long passed(const struct wr_stats *s) {
  unsigned long n = 0;
  for (int c = 0; c < WR_CAT_COUNT; c++)
    n += s->pass[c];
  return n;
}

static unsigned long failed(const struct wr_stats *s) {
  unsigned long n = s->broken;
  for (int c = 0; c < WR_CAT_COUNT; c++)
    n += s->total[c] - s->pass[c];
  return n;
}

static void print_counts(const struct wr_stats *s) {
  printf("(");
  for (int c = 0; c < WR_CAT_COUNT; c++)
    if (c != WR_EXCEPTION || s->total[c]) /* only in files that have them */
      printf("%s%s %lu/%lu", c ? ", " : "", cat_names[c], s->pass[c],
             s->total[c]);
  if (s->broken)
    printf(", not understood %lu", s->broken);
  if (s->skipped > s->skipped_gc)
    printf(", skipped: unsupported command %lu", s->skipped - s->skipped_gc);
  if (s->skipped_gc)
    printf(", skipped: gc %lu", s->skipped_gc);
  printf(")");
}

static void add_stats(struct wr_stats *to, const struct wr_stats *from) {
  for (int c = 0; c < WR_CAT_COUNT; c++) {
    to->pass[c] += from->pass[c];
    to->total[c] += from->total[c];
  }
  to->skipped += from->skipped;
  to->skipped_gc += from->skipped_gc;
  to->broken += from->broken;
}

static const char *base_name(const char *path) {
  const char *b = strrchr(path, '/');
  return b ? b + 1 : path;
}

/* Runs one script; adds its counts to *total. */
static void run_file(const char *path, const struct wr_options *opt,
                     struct wr_stats *total) {
  uint8_t *text;
  size_t size;
  struct wr_stats st;
  memset(&st, 0, sizeof st);
  if (cli_read_file(path, (uint64_t)1 << 32, &text, &size) != CLI_EXIT_OK) {
    printf("%s: 0 passed, 1 failed (cannot read the file)\n", base_name(path));
    total->broken++;
    return;
  }
  weft_wast_script *script;
  weft_error err;
  memset(&err, 0, sizeof err);
  if (weft_wast_parse_version((const char *)text, size, opt->version, &script,
                              &err) != WEFT_OK) {
    printf("%s: 0 passed, 1 failed (%s:%s)\n", base_name(path), path,
           err.message);
    free(text);
    total->broken++;
    return;
  }
  wr_run_script(script, base_name(path), opt, &st);
  weft_wast_free(script);
  free(text);
  printf("%s: %lu passed, %lu failed ", base_name(path), passed(&st),
         failed(&st));
  print_counts(&st);
  printf("\n");
  fflush(stdout);
  add_stats(total, &st);
}

void cli_usage_wast(FILE *out) {
  fputs(
      "weft wast [OPTIONS] FILE.wast...\n"
      "    run WebAssembly spec scripts: module, register, invoke, get and\n"
      "    every assert_* command (text and binary modules, quote forms);\n"
      "    prints per file `NAME.wast: N passed, N failed (counts per\n"
      "    category)` and a closing `N passed, N failed`. Commands of\n"
      "    later proposals weft does not read yet are counted as\n"
      "    \"skipped: unsupported command\", never as passed;\n"
      "    so are GC modules (refused: unsupported feature: gc) and the\n"
      "    commands that use them (\"skipped: gc\"). A closing\n"
      "    `skipped: N` line then precedes the closing line.\n"
      "    assert_exception passes on an exception no handler caught.\n"
      "    --wasm-3.0         read the scripts as 3.0 text (u64 limits and\n"
      "                       offsets, left to validation; default 2.0)\n"
      "    --wasm-2.0         the 2.0 suite: 2.0 text, and 2.0's rules where\n"
      "                       3.0 changed them (constant expressions read\n"
      "                       imported globals only; one memory, zero\n"
      "                       bytes for memory immediates, u32 offsets);\n"
      "                       default 3.0\n"
      "    -v                 print notes (passes with another message)\n"
      "    --max-fail N       failure lines printed per file (default 20)\n"
      "    --aot              run compiled code (guard pages)\n"
      "    --aot-explicit     run compiled code with explicit bounds checks\n"
      "    --cc CMD           C compiler for --aot (default: $WEFT_CC, cc)\n"
      "    -j N               --aot: compiler processes at a time (default:\n"
      "                       CPUs); a script's modules are compiled\n"
      "                       together, in up to N translation units\n"
      "    --save-modules DIR write every module's binary to\n"
      "                       DIR/NAME.LINE.wasm (to compare encoders)\n"
      "    exit status: 0 when nothing failed, 1 otherwise\n",
      out);
}

int cmd_wast(int argc, char **argv) {
  struct wr_options opt;
  struct wr_stats total;
  int nfiles = 0;
  memset(&opt, 0, sizeof opt);
  memset(&total, 0, sizeof total);
  opt.max_fail = 20;
  opt.cc = getenv("WEFT_CC");
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0) {
      opt.verbose = 1;
    } else if (strcmp(argv[i], "--wasm-3.0") == 0) {
      opt.version = WEFT_TEXT_3_0;
    } else if (strcmp(argv[i], "--wasm-2.0") == 0) {
      opt.wasm_2_0 = 1;
      opt.version = WEFT_TEXT_2_0;
    } else if (strcmp(argv[i], "--aot") == 0) {
      opt.aot = 1;
    } else if (strcmp(argv[i], "--aot-explicit") == 0) {
      opt.aot = 2;
    } else if (strcmp(argv[i], "--cc") == 0 && i + 1 < argc) {
      opt.cc = argv[++i];
    } else if (strcmp(argv[i], "-j") == 0 && i + 1 < argc) {
      if (cli_parse_u32(argv[++i], &opt.jobs) != 0 || opt.jobs == 0 ||
          opt.jobs > 256) {
        cli_errorf("wast: -j wants 1 to 256, not '%s'", argv[i]);
        return CLI_EXIT_USAGE;
      }
    } else if (strcmp(argv[i], "--max-fail") == 0 && i + 1 < argc) {
      opt.max_fail = strtoul(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--save-modules") == 0 && i + 1 < argc) {
      opt.save_dir = argv[++i];
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      cli_usage_wast(stdout);
      return CLI_EXIT_OK;
    } else if (argv[i][0] == '-') {
      cli_errorf("wast: unknown option '%s'", argv[i]);
      return CLI_EXIT_USAGE;
    } else {
      nfiles++;
    }
  }
  if (!nfiles) {
    cli_usage_wast(stderr);
    return CLI_EXIT_USAGE;
  }
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--cc") == 0 || strcmp(argv[i], "--max-fail") == 0 ||
        strcmp(argv[i], "--save-modules") == 0 || strcmp(argv[i], "-j") == 0)
      i++;
    else if (argv[i][0] != '-')
      run_file(argv[i], &opt, &total);
  }
  if (nfiles > 1) {
    printf("total ");
    print_counts(&total);
    printf("\n");
  }
  /* skipped commands (GC modules, later proposals' commands) are neither
  ** passed nor failed; scripts/test.sh's add_skipped reads this line */
  if (total.skipped)
    printf("skipped: %lu\n", total.skipped);
  printf("%lu passed, %lu failed\n", passed(&total), failed(&total));
  return failed(&total) ? 1 : 0;
}
