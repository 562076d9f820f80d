/*
** aot_build.h — for unit tests that run compiled code: build a module's
** C into a shared object in $TMPDIR with weft_aot_build_so and attach it.
*/
#ifndef WEFT_TEST_AOT_BUILD_H
#define WEFT_TEST_AOT_BUILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weft.h"
#include "weft_aot_build.h"

/* 1 when `mod` got compiled code; keep *handle until the module is freed,
** then weft_aot_unload. The C compiler is $WEFT_CC when set, as for the
** CLI: under qemu-user (test_cross.sh) it must be the target's gcc. */
static int test_aot_compile(weft_module *mod, int explicit_checks,
                            void **handle) {
  static unsigned serial;
  char so[256];
  const char *tmp = getenv("TMPDIR");
  snprintf(so, sizeof so, "%s/weft-unit-%ld-%u.so", tmp && *tmp ? tmp : "/tmp",
           (long)getpid(), serial++);
  weft_aot_build_options o;
  memset(&o, 0, sizeof o);
  const char *cc = getenv("WEFT_CC");
  o.cc = cc && *cc ? cc : NULL;
  o.explicit_bounds_checks = explicit_checks;
  o.jobs = 1;
  o.chunks = 1;
  weft_error err;
  weft_status s = weft_aot_build_so(mod, &o, so, &err);
  if (s == WEFT_OK)
    s = weft_aot_load_so(mod, so, handle, &err);
  unlink(so);
  if (s != WEFT_OK)
    fprintf(stderr, "AoT build: %s\n", err.message);
  return s == WEFT_OK;
}

#endif /* WEFT_TEST_AOT_BUILD_H */
