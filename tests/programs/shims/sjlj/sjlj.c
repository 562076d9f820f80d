/* sjlj.c — setjmp/longjmp over Binaryen's Asyncify; see setjmp.h.
 *
 * The module must be post-processed with
 *   wasm-opt --asyncify --pass-arg=asyncify-ignore-imports
 * which instruments every function that may reach weft_setjmp or
 * weft_longjmp (directly or through an indirect call) so that it can save
 * its locals and return ("unwind"), and later be re-entered and restore
 * them ("rewind"). The asyncify.* imports below are replaced by the pass.
 * A function that calls start_unwind/stop_rewind is a "bottom" (not itself
 * instrumented: on a rewind it is simply called again from its top), one
 * that calls stop_unwind/start_rewind is the "top" (main below).
 *
 * setjmp(env): unwind the whole stack into a scratch area, keep a copy as
 * env's snapshot (with the shadow stack pointer), rewind it at once; the
 * re-entered weft_setjmp returns 0.
 * longjmp(env, v): unwind the stack (the data is thrown away), restore the
 * shadow stack pointer saved with env's snapshot and rewind that snapshot;
 * the re-entered weft_setjmp returns v (1 if v is 0).
 *
 * Snapshots are kept per jmp_buf address (setjmp on the same address reuses
 * the buffer), so a program whose jmp_bufs live on the stack, like Lua's,
 * holds at most one per stack position. Wasm memory is never restored, only
 * locals: exactly what C promises for longjmp. */
#include "setjmp.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name)                                                           \
  __attribute__((import_module("asyncify"), import_name(#name)))
void asyncify_start_unwind(void *data) IMPORT(start_unwind);
void asyncify_stop_unwind(void) IMPORT(stop_unwind);
void asyncify_start_rewind(void *data) IMPORT(start_rewind);
void asyncify_stop_rewind(void) IMPORT(stop_rewind);

uint32_t weft_sjlj_get_sp(void);
void weft_sjlj_set_sp(uint32_t sp);
int weft_sjlj_main(int argc, char **argv);

/* The layout Asyncify expects: the current position and the end of the
 * data; unwinding pushes frames, rewinding pops them. */
struct asyncify_data {
  uint8_t *pos;
  uint8_t *end;
};

struct snapshot {
  struct snapshot *next; /* hash chain */
  const void *env;       /* the jmp_buf it belongs to */
  uint32_t sp;           /* shadow stack pointer at setjmp */
  size_t used, cap;
  struct asyncify_data data;
  uint8_t *bytes;
};

#ifndef WEFT_SJLJ_SCRATCH
#define WEFT_SJLJ_SCRATCH (1u << 20)
#endif
static uint8_t scratch[WEFT_SJLJ_SCRATCH];
static struct asyncify_data scratch_data;

#define NBUCKETS 256
static struct snapshot *buckets[NBUCKETS];

enum op { OP_NONE, OP_CAPTURE, OP_LONGJMP };
static enum op op;                   /* what the current unwind is for */
static int rewinding;                /* a rewind is in progress */
static struct weft_sjlj_buf *target; /* the jmp_buf of the unwind/rewind */
static int value;                    /* what setjmp returns after a rewind */
static uint32_t saved_sp;

static void fail(const char *msg) {
  fprintf(stderr, "sjlj: %s\n", msg);
  abort();
}

static struct snapshot *snapshot_for(const void *env) {
  size_t h = ((uintptr_t)env >> 3) % NBUCKETS;
  for (struct snapshot *s = buckets[h]; s; s = s->next)
    if (s->env == env)
      return s;
  struct snapshot *s = calloc(1, sizeof *s);
  if (!s)
    fail("out of memory");
  s->env = env;
  s->next = buckets[h];
  buckets[h] = s;
  return s;
}

static void start_unwind(void) {
  scratch_data.pos = scratch;
  scratch_data.end = scratch + sizeof scratch;
  asyncify_start_unwind(&scratch_data);
}

int weft_setjmp(struct weft_sjlj_buf *env) {
  if (rewinding) { /* the bottom of a rewind: setjmp returns (again) */
    asyncify_stop_rewind();
    rewinding = 0;
    if (env != target)
      fail("rewind reached the wrong setjmp");
    int v = op == OP_LONGJMP ? value : 0;
    op = OP_NONE;
    return v;
  }
  op = OP_CAPTURE;
  target = env;
  saved_sp = weft_sjlj_get_sp();
  start_unwind();
  return 0; /* not seen: the caller is unwinding */
}

void weft_longjmp(struct weft_sjlj_buf *env, int val) {
  struct snapshot *s = env->snapshot;
  if (!s || s->env != env)
    fail("longjmp to a jmp_buf that setjmp did not fill");
  op = OP_LONGJMP;
  target = env;
  value = val ? val : 1;
  start_unwind();
}

int main(int argc, char **argv) {
  for (;;) {
    int rc = weft_sjlj_main(argc, argv);
    if (op == OP_NONE)
      return rc; /* returned for real */
    asyncify_stop_unwind();
    struct snapshot *s;
    if (op == OP_CAPTURE) {
      size_t used = (size_t)(scratch_data.pos - scratch);
      s = snapshot_for(target);
      if (used > s->cap) {
        uint8_t *b = realloc(s->bytes, used);
        if (!b)
          fail("out of memory");
        s->bytes = b;
        s->cap = used;
      }
      memcpy(s->bytes, scratch, used);
      s->used = used;
      s->sp = saved_sp;
      target->snapshot = s;
    } else {
      s = target->snapshot;
    }
    weft_sjlj_set_sp(s->sp);
    s->data.pos = s->bytes + s->used;
    s->data.end = s->bytes + s->used;
    rewinding = 1;
    asyncify_start_rewind(&s->data);
  }
}
