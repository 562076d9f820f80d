/*
** wat_api.c — weft_wat_to_wasm: one module, written as `(module ...)`
** (also `binary` and `quote` forms) or as its fields alone. Sets up the
** failure landing pad and copies the result out of tracked memory.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wat.h"

struct to_wasm_args {
  weft_realloc_fn alloc; /* for every block and the result */
  void *user;
  weft_text_version version;
  unsigned depth; /* how many (module quote ...) enclose this text */
};

static weft_status to_wasm(const char *text, size_t len, uint8_t **out,
                           size_t *out_len, weft_error *out_error,
                           const struct to_wasm_args *a);

void wat_module_body(struct wat *w, uint32_t end, struct wbuf *out,
                     bool *out_is_text) {
  *out_is_text = true;
  if (wat_is_kw(w, wat_peek(w), "binary") ||
      wat_is_kw(w, wat_peek(w), "quote")) {
    bool binary = wat_is_kw(w, wat_peek(w), "binary");
    struct wbuf text = {0};
    w->pos++;
    while (wat_peek(w)->kind == TOK_STRING)
      wat_string(w, w->pos++, binary ? out : &text);
    if (binary) {
      *out_is_text = false;
      return;
    }
    uint8_t *bytes = NULL;
    size_t n = 0;
    weft_error err;
    memset(&err, 0, sizeof err);
    if (w->quote_depth >= WAT_MAX_QUOTE_DEPTH)
      wat_fail(w, w->pos - 1, "module quote nested deeper than %d",
               WAT_MAX_QUOTE_DEPTH);
    struct to_wasm_args inner = {w->alloc, w->alloc_user, w->version,
                                 w->quote_depth + 1};
    weft_status s = to_wasm(text.p ? (const char *)text.p : "", text.len,
                            &bytes, &n, &err, &inner);
    wb_free(w, &text);
    if (s != WEFT_OK)
      wat_fail_msg(w, s, err.message);
    bool kept = wb_try_bytes(w, out, bytes, n); /* never jumps past free */
    if (bytes)
      w->alloc(w->alloc_user, bytes, n, 0);
    if (!kept)
      wat_nomem(w);
    return;
  }
  wat_fields(w, end, out);
}

weft_status weft_wat_to_wasm(const char *text, size_t len, uint8_t **out,
                             size_t *out_len, weft_error *out_error) {
  struct to_wasm_args a = {wat_sys_realloc, NULL, WEFT_TEXT_2_0, 0};
  weft_status s = to_wasm(text, len, out, out_len, out_error, &a);
  if (s == WEFT_OK && !*out) { /* (module binary) with no bytes */
    *out = malloc(1);
    if (!*out)
      s = WEFT_ERR_NOMEM;
  }
  return s;
}

weft_status weft_wat_to_wasm_opts(const char *text, size_t len,
                                  const weft_text_options *opts, uint8_t **out,
                                  size_t *out_len, weft_error *out_error) {
  struct to_wasm_args a = {wat_sys_realloc, NULL, WEFT_TEXT_2_0, 0};
  if (opts && opts->alloc) {
    a.alloc = opts->alloc;
    a.user = opts->alloc_user;
  }
  if (opts)
    a.version = opts->version;
  return to_wasm(text, len, out, out_len, out_error, &a);
}

static weft_status to_wasm(const char *text, size_t len, uint8_t **out,
                           size_t *out_len, weft_error *out_error,
                           const struct to_wasm_args *a) {
  struct wat w;
  jmp_buf jb;
  struct wbuf bin = {0};
  memset(&w, 0, sizeof w);
  w.src = text;
  w.len = len;
  w.jb = &jb;
  w.quote_depth = a->depth;
  w.alloc = a->alloc;
  w.alloc_user = a->user;
  w.version = a->version;
  *out = NULL;
  *out_len = 0;
  if (setjmp(jb)) {
    if (out_error) {
      memset(out_error, 0, sizeof *out_error);
      out_error->status = w.status;
      out_error->func_index = UINT32_MAX;
      out_error->offset = UINT64_MAX;
      snprintf(out_error->message, sizeof out_error->message, "%s", w.msg);
    }
    wat_free_all(&w);
    return w.status;
  }
  if (!text && len)
    wat_fail(&w, 0, "no text");
  wat_lex(&w);
  if (wat_at_field(&w, "module")) {
    bool is_text;
    w.pos += 2;
    if (wat_peek(&w)->kind == TOK_ID)
      w.pos++;
    wat_module_body(&w, w.toks[0].match, &bin, &is_text);
    wat_expect_rparen(&w);
    wat_expect(&w, TOK_EOF, "the end after the module");
  } else {
    wat_fields(&w, w.ntoks - 1, &bin);
  }
  uint8_t *p = NULL; /* the result, outside the tracked blocks */
  if (bin.len && !(p = w.alloc(w.alloc_user, NULL, 0, bin.len)))
    wat_nomem(&w);
  if (bin.len)
    memcpy(p, bin.p, bin.len);
  *out = p;
  *out_len = bin.len;
  wat_free_all(&w);
  return WEFT_OK;
}

void weft_text_free(void *p) { free(p); }
