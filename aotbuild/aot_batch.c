/*
** aot_batch.c — several modules' code in one shared object
** (weft_aot_build_so_batch, weft_aot_build.h): a .wast script defines
** dozens of small modules, and compiling each alone costs a compiler
** start, a parse of the prelude and a link apiece, most of the time spent
** on them. Here the modules share translation units (each entry's names
** carry its index, weft_aot_options.batched) and one link; the build
** itself is aot_build.c's, in a private temporary directory. Loading the
** object is the POSIX port's (aot_posix.c: weft_aot_open_so,
** weft_aot_attach_batch).
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot_units.h"
#include "weft_aot.h"

/* Units of at most this much Wasm code (as aot_posix.c's chunks), and at
** most this many of them; one per job only for at least MIN_UNIT_BYTES
** each, as every unit parses the prelude again (most of a small
** script's compile). */
#define UNIT_CODE_BYTES (256u << 10)
#define MIN_UNIT_BYTES (32u << 10)
#define MAX_UNITS 64u
/* What an entry costs besides its code, in code bytes: its declarations,
** table and wrappers, so that many tiny modules still spread out. */
#define ENTRY_COST 512u

struct batch {
  const weft_module *const *modules;
  uint32_t n;
  const weft_aot_build_options *o;
  unsigned *unit_of; /* per entry: its translation unit */
};

static weft_status batch_fail(weft_error *err, weft_status s, const char *msg) {
  if (err) {
    err->status = s;
    snprintf(err->message, sizeof err->message, "%s", msg);
  }
  return s;
}

static uint64_t entry_cost(const weft_module *m) {
  weft_module_stats st;
  weft_module_stats_get(m, &st);
  return st.code_bytes + ENTRY_COST;
}

/* Deals the entries, in order, to contiguous runs of about equal cost and
** returns how many units got one (every unit numbered below it has one). */
static unsigned deal(struct batch *b) {
  uint64_t total = 0, at = 0;
  unsigned live = 0, units, last = 0, used = 0;
  for (uint32_t i = 0; i < b->n; i++)
    if (b->modules[i]) {
      total += entry_cost(b->modules[i]);
      live++;
    }
  units = b->o->chunks;
  if (units == 0) {
    units = b->o->jobs ? b->o->jobs : 1;
    if (total / MIN_UNIT_BYTES + 1 < units)
      units = (unsigned)(total / MIN_UNIT_BYTES + 1);
    if (total / UNIT_CODE_BYTES + 1 > units)
      units = (unsigned)(total / UNIT_CODE_BYTES + 1);
  }
  if (units > MAX_UNITS)
    units = MAX_UNITS;
  if (units > live)
    units = live;
  for (uint32_t i = 0; i < b->n; i++) {
    if (!b->modules[i])
      continue;
    /* the unit whose share of the total this entry starts in; a unit
    ** left empty by a big entry is skipped in the numbering */
    unsigned u = (unsigned)(at * units / total);
    if (used == 0 || u != last) {
      last = u;
      used++;
    }
    b->unit_of[i] = used - 1;
    at += entry_cost(b->modules[i]);
  }
  return used;
}

static weft_status write_unit(void *user, unsigned unit, weft_c_sink sink,
                              void *sink_user, weft_error *err) {
  const struct batch *b = user;
  int prelude_done = 0;
  for (uint32_t i = 0; i < b->n; i++) {
    if (!b->modules[i] || b->unit_of[i] != unit)
      continue;
    weft_aot_options ao;
    memset(&ao, 0, sizeof ao);
    ao.explicit_bounds_checks = b->o->explicit_bounds_checks;
    ao.batched = 1;
    ao.batch_index = i;
    ao.prelude_done = prelude_done;
    weft_status s =
        weft_module_emit_c(b->modules[i], &ao, sink, sink_user, err);
    if (s != WEFT_OK)
      return s;
    prelude_done = 1;
  }
  return WEFT_OK;
}

weft_status weft_aot_build_so_batch(const weft_module *const *modules,
                                    uint32_t n, const weft_aot_build_options *o,
                                    const char *so_path, weft_error *err) {
  struct batch b = {modules, n, o, NULL};
  uint32_t live = 0;
  for (uint32_t i = 0; i < n; i++)
    live += modules[i] != NULL;
  if (live == 0)
    return batch_fail(err, WEFT_ERR_ARG, "a batch without modules");
  b.unit_of = calloc(n, sizeof *b.unit_of);
  if (!b.unit_of)
    return batch_fail(err, WEFT_ERR_NOMEM, "out of memory");
  struct wf_aot_units u = {deal(&b), write_unit, &b};
  weft_status s = wf_aot_build_units(&u, o, so_path, err);
  free(b.unit_of);
  return s;
}
