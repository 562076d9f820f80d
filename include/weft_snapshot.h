/*
** weft_snapshot.h — the state of a running program as portable bytes, and
** a program continued from them (docs/snapshot.md). A snapshot holds an
** instance's memories (all-zero pages left out), globals, tables (functions
** as indices), dropped segments, and the interpreter's call stack in Wasm
** terms: per frame the function index, a position in its lowered code, and
** the typed values of its locals and live operands. Nothing in it depends
** on the host's ISA or addresses, so a program stopped on x86-64 continues
** on AArch64 or RISC-V. WASI state is saved beside it (weft_wasi.h).
**
** Snapshots are taken at safe points only, where every live value is in a
** frame slot of known type: the fuel hook called from a block's entry (the
** engine meters fuel; the block is paid after a restore), or a host
** function called from interpreted code (the call is made again after a
** restore, so only a host function that has done nothing yet may save).
** Frames of compiled (AoT) code cannot be captured.
*/
#ifndef WEFT_SNAPSHOT_H
#define WEFT_SNAPSHOT_H

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum weft_safe_point {
  WEFT_SAFE_NONE = 0,  /* not at a safe point: no snapshot now */
  WEFT_SAFE_BLOCK = 1, /* in the fuel hook at a block's entry */
  WEFT_SAFE_CALL = 2   /* in a host function called from Wasm */
} weft_safe_point;

/* Where the engine stands, for a fuel hook or host function deciding
** whether it may save. */
WEFT_API weft_safe_point weft_engine_safe_point(const weft_engine *engine);

/* The state of `instance` and of the one activation running it (entered
** once from the host: a host function that called back into Wasm cannot
** be saved) as bytes allocated from the engine's allocator, to be released
** with weft_snapshot_free. WEFT_ERR_ARG when not at a safe point;
** WEFT_ERR_UNSUPPORTED (message naming what) for state a snapshot cannot
** carry: compiled frames, a non-null externref, a reference to a function
** of another instance, frames of another instance. Does not change the
** engine. */
WEFT_API weft_status weft_snapshot_save(weft_engine *engine,
                                        weft_instance *instance,
                                        uint8_t **out_bytes, size_t *out_size,
                                        weft_error *out_error);
WEFT_API void weft_snapshot_free(weft_engine *engine, uint8_t *bytes,
                                 size_t size);

/* Instantiate `module` through `linker` without running its start function,
** put the saved state into the new instance and the saved frames on the
** engine's stack, ready for weft_snapshot_resume. The engine must meter
** fuel (positions are in metered code); its fuel is left as it was (the
** caller sets it). Every value is checked against the module: counts,
** types, memory and table limits, function indices, positions (each frame
** at a block entry or a call, the next frame the function that call
** makes), the engine's stack and depth limits. Any mismatch or malformed
** input is an error (WEFT_ERR_MALFORMED, or WEFT_ERR_LIMIT for a limit of
** this engine), never a crash. */
WEFT_API weft_status weft_snapshot_restore(weft_engine *engine,
                                           weft_linker *linker,
                                           weft_module *module,
                                           const uint8_t *bytes, size_t size,
                                           weft_instance **out_instance,
                                           weft_error *out_error);

/* Run the restored activation to its end, as weft_func_call would have
** finished the call that was saved: the entry function's results are
** stored in out_results (result_count at least their number), its type
** known from weft_snapshot_entry. WEFT_ERR_ARG without a restore. */
WEFT_API weft_status weft_snapshot_resume(weft_engine *engine,
                                          weft_val *out_results,
                                          uint32_t result_count,
                                          weft_error *out_error);

/* The function whose call the restored activation finishes (the bottom
** frame's), or NULL without a restore. */
WEFT_API weft_func *weft_snapshot_entry(const weft_engine *engine);

#ifdef __cplusplus
}
#endif
#endif /* WEFT_SNAPSHOT_H */
