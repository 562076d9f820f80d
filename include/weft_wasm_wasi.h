/*
** weft_wasm_wasi.h — WASI preview 1 for programs written against wasm.h:
** weft's extension to the standard C API (libweft-wasm). The standard API
** has no notion of WASI; these three calls give a store one WASI instance,
** instantiate a module with its wasi_snapshot_preview1 imports taken from
** it, and read the code a program passed to proc_exit.
**
** Lifetime: the WASI state belongs to its store. It is freed by
** wasm_store_delete, after every instance that could call it, so an
** instance can never reach freed WASI state; there is no separate delete.
** One WASI state per store.
*/
#ifndef WEFT_WASM_WASI_H
#define WEFT_WASM_WASI_H

#include "wasm.h"
#include "weft_wasi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_wasm_wasi_t weft_wasm_wasi_t;

/* WASI state in `store` from `config` (NULL: weft_wasi_config_default;
** everything in it is copied). NULL on failure (a missing preopened
** directory, a store that already has WASI, no memory); `out_message`, when
** not NULL, then receives the reason, NUL-terminated, the caller's. */
WASM_API_EXTERN weft_wasm_wasi_t *
weft_wasm_wasi_new(wasm_store_t *store, const weft_wasi_config *config,
                   wasm_message_t *out_message);

/* wasm_instance_new with the module's wasi_snapshot_preview1 imports
** defined by `wasi`: `imports` has one entry per import of the module, in
** order, as for wasm_instance_new; entries of WASI imports are NULL (an
** entry given for one replaces the WASI function). NULL `imports` is
** allowed when the module imports only WASI. */
WASM_API_EXTERN wasm_instance_t *weft_wasm_instance_new_wasi(
    wasm_store_t *store, const wasm_module_t *module, weft_wasm_wasi_t *wasi,
    const wasm_extern_vec_t *imports, wasm_trap_t **trap);

/* True when the trap is a program's proc_exit, its code in *out_code. */
WASM_API_EXTERN bool weft_wasm_trap_exit_code(const wasm_trap_t *trap,
                                              int32_t *out_code);

#ifdef __cplusplus
}
#endif
#endif /* WEFT_WASM_WASI_H */
