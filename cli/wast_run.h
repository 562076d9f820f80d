/*
** wast_run.h — executing a parsed .wast script against libweft (the
** command runner behind `weft wast`, cli/cmd_wast.c).
*/
#ifndef WEFT_WAST_RUN_H
#define WEFT_WAST_RUN_H

#include "weft_text.h"

enum wr_cat {
  WR_MODULE,
  WR_RETURN,
  WR_TRAP,
  WR_EXHAUSTION,
  WR_INVALID,
  WR_MALFORMED, /* binary-form assert_malformed */
  WR_UNLINKABLE,
  WR_UNINSTANTIABLE,
  WR_ACTION,
  WR_REGISTER,
  WR_TEXT_MALFORMED, /* assert_malformed on a quoted text module */
  WR_EXCEPTION,      /* assert_exception (exception handling) */
  WR_CAT_COUNT
};

struct wr_stats {
  unsigned long pass[WR_CAT_COUNT], total[WR_CAT_COUNT];
  unsigned long skipped; /* unsupported commands: neither passed nor failed */
  unsigned long skipped_gc; /* of those: GC modules (refused with
                               "unsupported feature: gc") and the
                               commands that use them */
  unsigned long broken;     /* the file could not be read or parsed */
};

struct wr_options {
  int verbose;
  int aot; /* 0 interpreter, 1 AoT with guard pages, 2 explicit checks */
  const char *cc;
  uint32_t jobs; /* --aot: compiler processes at a time (0: CPUs) */
  unsigned long max_fail;
  const char *save_dir;      /* write each module's binary as NAME.LINE.wasm */
  weft_text_version version; /* --wasm-3.0: the 3.0 text format */
  int wasm_2_0; /* --wasm-2.0: validate by 2.0's rules (weft_config) */
};

void wr_run_script(const weft_wast_script *script, const char *name,
                   const struct wr_options *opt, struct wr_stats *st);

#endif
