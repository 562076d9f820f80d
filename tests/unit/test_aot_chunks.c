/*
** test_aot_chunks.c — a module compiled in the most translation units
** weft_aot_build_so makes (64): the link then names 64 objects, more
** words than a fixed argument vector once held, which failed every
** build of a module of more than about 13 MB of code (and every tier
** piece of more than about 3,300 functions) at the final link, after
** all the compiling. The functions call each other in a chain that
** crosses every chunk, so each chunk's code must be there and linked.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weft.h"
#include "weft_aot_build.h"
#include "t.h"
#include "weft_text.h"

enum { FUNCS = 130, CHUNKS = 64 };

/* $f0 returns 1; $fI returns $f(I-1) + I + 1, so "top" is the sum of
** 1..FUNCS. */
static char *chain_wat(void) {
  size_t cap = 128 + FUNCS * 96, at = 0;
  char *w = malloc(cap);
  if (!w)
    return NULL;
  at += (size_t)snprintf(w + at, cap - at,
                         "(module (func $f0 (result i32) (i32.const 1))");
  for (int i = 1; i < FUNCS; i++)
    at += (size_t)snprintf(w + at, cap - at,
                           " (func $f%d (result i32)"
                           " (i32.add (call $f%d) (i32.const %d)))",
                           i, i - 1, i + 1);
  snprintf(w + at, cap - at, " (export \"top\" (func $f%d)))", FUNCS - 1);
  return w;
}

static void sixty_four_chunks_link(void) {
  weft_config c;
  weft_engine *e = NULL;
  weft_module *m = NULL;
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_error err;
  uint8_t *bin = NULL;
  size_t len = 0;
  char *wat = chain_wat();
  memset(&err, 0, sizeof err);
  weft_config_default(&c);
  CHECK(wat != NULL);
  CHECK_EQ_INT(weft_engine_new(&c, &e, &err), WEFT_OK);
  CHECK_EQ_INT(weft_wat_to_wasm(wat, strlen(wat), &bin, &len, &err), WEFT_OK);
  free(wat);
  if (!e || !bin)
    return;
  CHECK_EQ_INT(weft_module_load(e, bin, len, &m, &err), WEFT_OK);
  weft_text_free(bin);
  if (!m)
    return;
  char so[256];
  const char *tmp = getenv("TMPDIR"), *cc = getenv("WEFT_CC");
  snprintf(so, sizeof so, "%s/weft-chunks-%ld.so", tmp && *tmp ? tmp : "/tmp",
           (long)getpid());
  weft_aot_build_options o;
  memset(&o, 0, sizeof o);
  o.cc = cc && *cc ? cc : NULL;
  o.jobs = 2;
  o.chunks = CHUNKS;
  void *h = NULL;
  weft_status s = weft_aot_build_so(m, &o, so, &err);
  if (s != WEFT_OK)
    fprintf(stderr, "build: %s\n", err.message);
  CHECK_EQ_INT(s, WEFT_OK);
  if (s == WEFT_OK) {
    CHECK_EQ_INT(weft_aot_load_so(m, so, &h, &err), WEFT_OK);
    unlink(so);
  }
  weft_extern x;
  weft_val out;
  if (h && weft_linker_new(e, &l, &err) == WEFT_OK &&
      weft_instantiate(l, m, &inst, &err) == WEFT_OK &&
      weft_instance_export(inst, "top", &x) == WEFT_OK) {
    CHECK_EQ_INT(weft_func_call(e, x.of.func, NULL, 0, &out, 1, &err), WEFT_OK);
    CHECK_EQ_INT(out.of.u32, FUNCS * (FUNCS + 1) / 2);
  } else {
    CHECK(!"instantiate");
  }
  weft_linker_free(l);
  weft_module_free(m);
  weft_engine_free(e);
  weft_aot_unload(h);
}

int main(void) {
  T_RUN(sixty_four_chunks_link);
  return T_DONE();
}
