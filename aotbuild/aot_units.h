/*
** aot_units.h — the AoT build (libweft-aotbuild), shared by its two users: one
** module in chunks (aot_build.c, weft_aot_build_so) and several modules
** in one shared object (aot_batch.c, weft_aot_build_so_batch). The caller
** says what each translation unit holds; the build writes the units to a
** private temporary directory, compiles them in parallel under the
** options' limits, links them into so_path and removes the directory.
*/
#ifndef WEFT_AOT_UNITS_H
#define WEFT_AOT_UNITS_H

#include "weft_aot_build.h"

struct wf_aot_units {
  unsigned count; /* translation units, at least 1 */
  /* Writes unit i's C through sink (weft_module_emit_c's sink). */
  weft_status (*write)(void *user, unsigned i, weft_c_sink sink,
                       void *sink_user, weft_error *err);
  void *user;
};

/* Builds so_path from the units; the errors are weft_aot_build_so's. */
weft_status wf_aot_build_units(const struct wf_aot_units *u,
                               const weft_aot_build_options *o,
                               const char *so_path, weft_error *err);

#endif /* WEFT_AOT_UNITS_H */
