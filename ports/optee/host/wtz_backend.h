/*
** wtz_backend.h — where weft-tz runs Wasm: in the weft TA through libteec
** (wtz_backend_tee.c), or in this normal-world process with the same weft
** core and the same session code (wtz_backend_local.c). A handle is one
** session: its own engine and instance.
*/
#ifndef WTZ_BACKEND_H
#define WTZ_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "weft_tz.h"

typedef struct wtz_handle wtz_handle;

/* Open a session; NULL (and a message on stderr) on failure. */
wtz_handle *wtz_open(int local);
void wtz_close(wtz_handle *h);
/* Run a command; 0 when it ran (its own status is in the struct), -1 when
** the transport failed (message on stderr). */
int wtz_load_module(wtz_handle *h, wtz_load *req, const uint8_t *bytes,
                    size_t size);
int wtz_invoke(wtz_handle *h, wtz_call *req);
/* WTZ_CMD_WASI (TA only: -1 with a message for a local handle): `strs`
** holds req->argc + req->envc NUL-terminated strings, `out` receives
** stdout then stderr (req->stdout_len, req->stderr_len). */
int wtz_wasi_call(wtz_handle *h, wtz_wasi *req, const uint8_t *bytes,
                  size_t size, const char *strs, size_t strs_size, char *out,
                  size_t out_cap);

/* WTZ_CMD_ATTEST (TA only): one step of wtz_attest.h; in2 may be NULL.
** *out_len: out's room in, the answer's length out. */
int wtz_attest_call(wtz_handle *h, uint32_t step, const uint8_t *in,
                    size_t in_len, const uint8_t *in2, size_t in2_len,
                    uint8_t *out, size_t *out_len);
/* The whole file at PATH (any size, regular file or not) in a malloc'd
** buffer, its length in *size; NULL when it cannot be read (weft_tz.c). */
uint8_t *wtz_read_file(const char *path, size_t *size);
/* weft-tz attest-key / attest-provision / attest (wtz_attest_cmd.c). */
int wtz_attest_main(int argc, char **argv);
/* The spec script driver (wtz_spec.c): returns the number of failures, or
** -1 when the script cannot be read. */
int wtz_spec_run(const char *script, int local);

#endif /* WTZ_BACKEND_H */
