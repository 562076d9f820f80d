/*
** weft_text.h — the WebAssembly text format (hosted only: it allocates with
** malloc and uses the C library's number conversions). A .wat module is
** turned into the binary format, which weft_module_load then decodes and
** validates as usual; a .wast script is parsed into a list of commands that
** an embedder (the CLI's `weft wast`) executes. Errors are values with a
** "line:column: message" text; nothing here prints, exits or keeps global
** state.
*/
#ifndef WEFT_TEXT_H
#define WEFT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Nesting of parentheses and of blocks beyond this is refused (no input can
** exhaust the native stack). */
#define WEFT_TEXT_MAX_DEPTH 1000

/* Encodes the module in text[0..len) (one `(module ...)`, or its fields
** alone) as a binary module in *out (malloc'd; free with weft_text_free).
** A malformed text gives WEFT_ERR_MALFORMED and out_error->message
** "LINE:COL: what"; WEFT_ERR_NOMEM when memory runs out. The output is not
** validated: an ill-typed but well-formed module encodes, and loading it
** reports WEFT_ERR_INVALID. */
WEFT_API weft_status weft_wat_to_wasm(const char *text, size_t len,
                                      uint8_t **out, size_t *out_len,
                                      weft_error *out_error);
WEFT_API void weft_text_free(void *p);

/* Which text format: 2.0 (the default) reads memory and table limits and
** memarg offsets as u32, as the 2.0 spec says (a larger one is malformed);
** 3.0 reads them as u64 (memory64, table64) and leaves the range to
** validation, as the 3.0 spec does. */
typedef enum weft_text_version {
  WEFT_TEXT_2_0 = 0,
  WEFT_TEXT_3_0 = 1
} weft_text_version;

typedef struct weft_text_options {
  weft_text_version version;
  weft_realloc_fn alloc; /* NULL: the C library's; weft_config.alloc's
                            contract */
  void *alloc_user;
} weft_text_options;

/* weft_wat_to_wasm with options (NULL: the defaults). Every block, and
** *out, come from opts->alloc; on success free *out with
** alloc(user, *out, *out_len, 0) (*out is NULL when *out_len is 0). Every
** failure of alloc is WEFT_ERR_NOMEM, with nothing left allocated. */
WEFT_API weft_status weft_wat_to_wasm_opts(const char *text, size_t len,
                                           const weft_text_options *opts,
                                           uint8_t **out, size_t *out_len,
                                           weft_error *out_error);

/* ---- .wast scripts ----------------------------------------------------- */

typedef enum weft_wast_kind {
  WEFT_WAST_MODULE,         /* define (and instantiate) a module */
  WEFT_WAST_REGISTER,       /* register an instance under a name */
  WEFT_WAST_ACTION,         /* invoke or get, result ignored */
  WEFT_WAST_RETURN,         /* assert_return */
  WEFT_WAST_TRAP,           /* assert_trap on an action */
  WEFT_WAST_EXHAUSTION,     /* assert_exhaustion */
  WEFT_WAST_INVALID,        /* assert_invalid */
  WEFT_WAST_MALFORMED,      /* assert_malformed */
  WEFT_WAST_UNLINKABLE,     /* assert_unlinkable */
  WEFT_WAST_UNINSTANTIABLE, /* assert_trap on a module */
  WEFT_WAST_INSTANCE,       /* module instance $i $m (3.0): instantiate a
                               `module definition` */
  WEFT_WAST_EXCEPTION,      /* assert_exception (3.0): the action must
                               end with an uncaught exception */
  WEFT_WAST_UNSUPPORTED,    /* a command this runner does not know */
  WEFT_WAST_ERROR           /* a command whose text could not be read
                               (message in `error`): a failure */
} weft_wast_kind;

/* How an expected value matches: exactly, any canonical / arithmetic NaN,
** any non-null reference (ref.func without index, ref.extern without one). */
typedef enum weft_wast_match {
  WEFT_WAST_EXACT = 0,
  WEFT_WAST_NAN_CANONICAL,
  WEFT_WAST_NAN_ARITHMETIC,
  WEFT_WAST_ANY_REF,
  WEFT_WAST_ANY_NULL /* (ref.null) without a heap type: any null (3.0) */
} weft_wast_match;

/* The type of a GC result pattern ((ref.i31), (ref.null any), ...): anyref's
** code, no weft value type, so such a result never matches (weft wast skips
** commands on GC modules, which the library refuses). */
#define WEFT_WAST_GC_TYPE ((weft_valtype)0x6e)

/* A constant argument or expected result. */
typedef struct weft_wast_value {
  weft_valtype type;
  uint8_t bytes[16];   /* little-endian bits (v128: memory order) */
  int is_null;         /* references: ref.null */
  int is_extern;       /* externref: ref.extern N (N in `bytes`) */
  uint8_t lane_bits;   /* v128: lane width as written (8..64), else 0 */
  uint8_t float_lanes; /* v128: f32x4 / f64x2 as written */
  uint8_t match[16];   /* weft_wast_match; scalars use match[0], v128 one
                          per lane */
  struct weft_wast_value *either; /* (either v...) (3.0): any of these */
  uint32_t either_count;          /* alternatives; 0 for a plain value */
} weft_wast_value;

typedef struct weft_wast_action {
  int is_get;         /* get (a global) rather than invoke */
  const char *module; /* "$name" or NULL for the latest module */
  const char *field;  /* export name, field_len bytes (may hold NUL) */
  size_t field_len;
  weft_wast_value *args;
  uint32_t arg_count;
} weft_wast_action;

typedef struct weft_wast_command {
  weft_wast_kind kind;
  uint32_t line;          /* line of the command in the script */
  const char *name;       /* MODULE, INSTANCE: "$name" or NULL; REGISTER: the
                             instance ("$name" or NULL) */
  const char *definition; /* INSTANCE: the `module definition` named */
  const char *as;         /* REGISTER: the name to register under */
  int is_text;            /* the module was written as text (incl. quote) */
  int is_definition;      /* `module definition` (3.0): not instantiated */
  uint8_t *wasm;          /* the module's binary, or NULL when its text did
                             not parse (message in `error`) */
  size_t wasm_len;
  const char *error; /* why the module text did not parse */
  weft_wast_action action;
  weft_wast_value *results; /* RETURN: expected results */
  uint32_t result_count;
  const char *text; /* the expected failure message */
} weft_wast_command;

typedef struct weft_wast_script weft_wast_script;

/* Parses a whole .wast script. Modules inside are encoded now; a module
** whose text is malformed is kept with its error (assert_malformed expects
** that). WEFT_ERR_MALFORMED when the script itself cannot be read. */
WEFT_API weft_status weft_wast_parse(const char *text, size_t len,
                                     weft_wast_script **out_script,
                                     weft_error *out_error);
/* The same for a text format version (the script's modules, quoted ones
** included, are read as that version; memory is the C library's). */
WEFT_API weft_status weft_wast_parse_version(const char *text, size_t len,
                                             weft_text_version version,
                                             weft_wast_script **out_script,
                                             weft_error *out_error);
WEFT_API uint32_t weft_wast_command_count(const weft_wast_script *script);
WEFT_API const weft_wast_command *
weft_wast_command_at(const weft_wast_script *script, uint32_t i);
WEFT_API void weft_wast_free(weft_wast_script *script);

#ifdef __cplusplus
}
#endif

#endif
