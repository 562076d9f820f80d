/*
** wast_aot.h — `weft wast --aot`: a script's modules compiled together,
** before its first command runs (cli/wast_aot.c).
*/
#ifndef WEFT_WAST_AOT_H
#define WEFT_WAST_AOT_H

#include "wast_run.h"

struct wr_batch;

/* Loads every module the script's commands load (those that load: the
** others fail again, the same way, when their command runs), compiles
** them into one shared object in a private temporary directory and
** attaches the code. Identical modules are compiled once. NULL when the
** script has no loadable module or the compile failed (its message in
** *why when verbose output wants it): the runner then compiles each
** module on its own, as before, so every verdict stays the same. */
struct wr_batch *wr_batch_compile(weft_engine *engine,
                                  const weft_wast_script *script,
                                  const struct wr_options *opt, char *why,
                                  size_t why_size);

/* Whether the command loads its module (the commands the batch holds a
** module for). */
int wr_batch_loads(const weft_wast_command *c);

/* The module of command `index` with its code attached, now owned by the
** caller; NULL when the batch has none for it. */
weft_module *wr_batch_take(struct wr_batch *b, uint32_t index);

/* Frees the modules nobody took; the code stays loaded until
** wr_batch_unload (after the engine, whose instances run it). */
void wr_batch_free_modules(struct wr_batch *b);
void wr_batch_unload(struct wr_batch *b);

#endif
