/*
** wtz_session.h — one weft session behind the commands of weft_tz.h
** (wtz_session.c): used by the TA and by weft-tz --local.
*/
#ifndef WTZ_SESSION_H
#define WTZ_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "weft.h"
#include "weft_tz.h"

/* Native stack Wasm calls may use: below TA_STACK_SIZE (256 KiB,
** ta/user_ta_header_defines.h), leaving room for the TA's own frames. */
#define WTZ_NATIVE_STACK (192u * 1024u)
/* Defaults that fit the TA heap (TA_DATA_SIZE, 40 MiB): a linear memory of
** up to 32 MiB (512 pages: every bench kernel's static data, gemm's 386
** pages the largest), a value stack of 256 KiB. */
#define WTZ_MAX_MEMORY (32u * 1024u * 1024u)
#define WTZ_VALUE_STACK (256u * 1024u)

typedef struct wtz_session {
  weft_engine *engine;
  weft_linker *linker;
  weft_module *module;
  weft_instance *instance;
  weft_realloc_fn alloc; /* weft_config.alloc (NULL: the port's); kept by
                            wtz_session_clear */
} wtz_session;

/* Free the engine and everything in it; the session can load again. */
void wtz_session_clear(wtz_session *s);
/* WTZ_CMD_LOAD: fills req->status, message and ta_us. */
void wtz_session_load(wtz_session *s, wtz_load *req, const uint8_t *bytes,
                      size_t size);
/* WTZ_CMD_INVOKE: fills the results (or status, trap and message), fuel
** used and ta_us. */
void wtz_session_invoke(wtz_session *s, wtz_call *req);

#endif /* WTZ_SESSION_H */
