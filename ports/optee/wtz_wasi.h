/*
** wtz_wasi.h — WASI programs in the weft TA (WTZ_CMD_WASI of weft_tz.h):
** the command (wtz_wasi.c) and the output capture of its file system
** (wasi_fs_optee.c). TA-only.
*/
#ifndef WTZ_WASI_H
#define WTZ_WASI_H

#include <stddef.h>
#include <stdint.h>

#include "weft_tz.h"
#include "wtz_session.h"

/* Bytes of stdout, and of stderr, the TA keeps for the normal world. */
#define WTZ_WASI_OUT_MAX (64u * 1024u)

/* Runs the program in `bytes` (its own engine, in place of the session's
** module): args and environment from `strs` (req->argc + req->envc
** NUL-terminated strings in `size` bytes). Fills req's outputs; the
** captured output stays readable with wtz_wasi_captured until the next
** run. */
void wtz_wasi_run(wtz_session *s, wtz_wasi *req, const uint8_t *bytes,
                  size_t size, const char *strs, size_t strs_size);

/* wasi_fs_optee.c: drop what was captured; what stdout (0) or stderr (1)
** captured so far, and whether any output was dropped. */
void wtz_wasi_capture_reset(void);
const char *wtz_wasi_captured(int stream, size_t *len, int *dropped);

#endif /* WTZ_WASI_H */
