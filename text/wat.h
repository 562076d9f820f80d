/*
** wat.h — internals of the text-format layer: tokens, the parser state,
** tracked allocation, byte buffers, identifier maps and the instruction
** table. Every failure longjmps to the entry point (wat_fail), which frees
** every tracked block, so no function below checks for errors by hand.
*/
#ifndef WEFT_WAT_H
#define WEFT_WAT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft_text.h"

#if defined(__GNUC__) || defined(__clang__)
#define WAT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define WAT_NORETURN __attribute__((noreturn))
#else
#define WAT_PRINTF(f, a)
#define WAT_NORETURN
/* ---- modules (wat_module.c, wat_api.c) ---- */
/* Encodes module fields from w->pos up to token `end` into out. */
void wat_fields(struct wat *w, uint32_t end, struct wbuf *out);
/* After `(module $id?`: binary/quote/fields up to token `end`, the
** module's ')' (not consumed). */
void wat_module_body(struct wat *w, uint32_t end, struct wbuf *out,
                     bool *out_is_text);
/* Fails with a message made elsewhere (a quoted module's). */
WAT_NORETURN void wat_fail_msg(struct wat *w, weft_status s, const char *msg);

#endif

enum wat_tok_kind {
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_KEYWORD, /* starts with a-z: keywords, offset=N, nan, inf */
  TOK_NUM,     /* starts with a digit, + or - */
  TOK_ID,      /* $name */
  TOK_STRING,  /* "..." with the quotes */
  TOK_RESERVED,
  TOK_EOF
};

struct wat_tok {
  uint32_t off, len; /* bytes of the source */
  uint32_t match;    /* TOK_LPAREN: index of its ')'; a quoted TOK_ID:
                        index of its name in wat.qnames */
  uint8_t kind;
  uint8_t quoted; /* TOK_ID written $"..." (3.0) */
};

/* The key an identifier is known by: "$" and its name, so that $abc and
** $"abc" (3.0) are the same identifier. */
struct wat_name {
  const char *s;
  uint32_t len;
};

/* A growable byte buffer (tracked allocation). */
struct wbuf {
  uint8_t *p;
  size_t len, cap;
};

/* Identifier -> index, open addressing over the token text. */
struct idmap {
  struct idmap_slot {
    const char *s;
    uint32_t len, idx;
  } * slots;
  uint32_t cap, used;
};

struct wat {
  const char *src;
  size_t len;
  struct wat_tok *toks;
  uint32_t ntoks, pos;
  jmp_buf *jb;
  weft_status status; /* of the failure that longjmp'd */
  char msg[256];
  struct wat_block *blocks; /* tracked allocations, freed at the end */
  struct opmap *ops;        /* instruction names, built on first use */
  struct wat_name *qnames;  /* decoded names of $"..." identifiers */
  uint32_t nqnames;
  size_t lc_off;                 /* line/column of lc_off, so positions of */
  unsigned long lc_line, lc_col; /* errors later in a script cost O(gap) */
  unsigned quote_depth;          /* (module quote ...) nesting */
  weft_realloc_fn alloc;         /* every block comes from it (never NULL) */
  weft_text_version version;     /* 3.0: u64 limits and offsets */
  void *alloc_user;
};
/* The C library's realloc in weft_realloc_fn's shape (the default). */
void *wat_sys_realloc(void *user, void *p, size_t old_size, size_t new_size);
#define WAT_MAX_QUOTE_DEPTH 8

/* ---- memory and errors (wat_lex.c) ---- */
void *wat_alloc(struct wat *w, size_t size);
void *wat_realloc(struct wat *w, void *p, size_t size);
/* The same, returning NULL (p untouched) instead of failing. */
void *wat_try_realloc(struct wat *w, void *p, size_t size);
void wat_free(struct wat *w, void *p);
void wat_free_all(struct wat *w);
char *wat_strndup(struct wat *w, const char *s, size_t n);
WAT_NORETURN void wat_fail(struct wat *w, uint32_t tok, const char *fmt, ...)
    WAT_PRINTF(3, 4);
WAT_NORETURN void wat_nomem(struct wat *w);
/* Lexes w->src into w->toks (ending with TOK_EOF) and matches parens. */
void wat_lex(struct wat *w);

/* ---- tokens ---- */
static inline const struct wat_tok *wat_peek(const struct wat *w) {
  return &w->toks[w->pos];
}
static inline const struct wat_tok *wat_peek_at(const struct wat *w,
                                                uint32_t n) {
  uint32_t i = w->pos + n;
  return &w->toks[i < w->ntoks ? i : w->ntoks - 1];
}
bool wat_is_kw(const struct wat *w, const struct wat_tok *t, const char *kw);
struct wat_name wat_id(const struct wat *w, uint32_t tok);
/* Whether the next tokens are '(' kw. */
bool wat_at_field(const struct wat *w, const char *kw);
void wat_expect(struct wat *w, enum wat_tok_kind kind, const char *what);
void wat_expect_kw(struct wat *w, const char *kw);
void wat_expect_lparen_kw(struct wat *w, const char *kw);
void wat_expect_rparen(struct wat *w);
/* Decodes a string token into *out (appended); returns its length. */
size_t wat_string(struct wat *w, uint32_t tok, struct wbuf *out);
/* A string that must be valid UTF-8 (a name). */
void wat_name(struct wat *w, struct wbuf *out);

/* ---- buffers (wat_buf.c) ---- */
void wb_byte(struct wat *w, struct wbuf *b, uint8_t v);
void wb_bytes(struct wat *w, struct wbuf *b, const void *p, size_t n);
/* Appends without failing: false when memory ran out (b unchanged). */
bool wb_try_bytes(struct wat *w, struct wbuf *b, const void *p, size_t n);
void wb_u32(struct wat *w, struct wbuf *b, uint32_t v);
void wb_u64(struct wat *w, struct wbuf *b, uint64_t v);
void wb_s32(struct wat *w, struct wbuf *b, int32_t v);
void wb_s64(struct wat *w, struct wbuf *b, int64_t v);
/* Appends vec(bytes): u32 length then the bytes. */
void wb_vec(struct wat *w, struct wbuf *b, const struct wbuf *from);
void wb_free(struct wat *w, struct wbuf *b);
uint32_t idmap_get(const struct idmap *m, const char *s, uint32_t len);
/* Adds s -> idx; returns false when s is already there. */
bool idmap_put(struct wat *w, struct idmap *m, const char *s, uint32_t len,
               uint32_t idx);
/* Sets s -> idx, adding or replacing (IDMAP_NONE hides the entry). */
void idmap_set(struct wat *w, struct idmap *m, const char *s, uint32_t len,
               uint32_t idx);
#define IDMAP_NONE UINT32_MAX

/* ---- numbers (wat_num.c) ---- */
/* Each fails with a message at token `tok` when the literal is malformed or
** out of range. */
uint32_t wat_u32(struct wat *w, uint32_t tok);
uint64_t wat_u64(struct wat *w, uint32_t tok);
/* The unsigned literal after the first `skip` characters (offset=N). */
uint64_t wat_u64_after(struct wat *w, uint32_t tok, size_t skip);
/* An iN literal (N = 8, 16, 32, 64): signed or unsigned, as bits. */
uint64_t wat_int(struct wat *w, uint32_t tok, unsigned bits);
uint32_t wat_f32(struct wat *w, uint32_t tok);
uint64_t wat_f64(struct wat *w, uint32_t tok);
bool wat_is_num_tok(const struct wat *w, uint32_t tok);

/* ---- instruction table (wat_ops.c) ---- */
enum wat_imm {
  IMM_NONE,
  IMM_BLOCK,
  IMM_ELSE,
  IMM_END,
  IMM_LABEL,
  IMM_BR_TABLE,
  IMM_FUNC,
  IMM_CALL_INDIRECT,
  IMM_SELECT,
  IMM_LOCAL,
  IMM_GLOBAL,
  IMM_TABLE,
  IMM_TABLE2,
  IMM_TABLE_INIT,
  IMM_ELEM,
  IMM_MEM,
  IMM_MEM2,
  IMM_MEM_INIT,
  IMM_DATA,
  IMM_MEMARG,      /* arg: natural alignment, log2 */
  IMM_MEMARG_LANE, /* arg: natural alignment, log2 */
  IMM_LANE,
  IMM_I32,
  IMM_I64,
  IMM_F32,
  IMM_F64,
  IMM_V128,
  IMM_SHUFFLE,
  IMM_HEAPTYPE,
  IMM_TAG,        /* 3.0: throw */
  IMM_TYPE,       /* 3.0: call_ref, return_call_ref */
  IMM_CATCH,      /* legacy exceptions: catch $tag / catch_all, like else */
  IMM_DELEGATE,   /* legacy exceptions: delegate $label, like end */
  IMM_TYPE_FIELD, /* GC: struct.get $t $field */
  IMM_TYPE_TYPE,  /* GC: array.copy $t1 $t2 */
  IMM_TYPE_N,     /* GC: array.new_fixed $t N */
  IMM_TYPE_DATA,  /* GC: array.new_data $t $d */
  IMM_TYPE_ELEM,  /* GC: array.new_elem $t $e */
  IMM_REFTYPE,    /* GC: ref.test/ref.cast (ref null? ht); opcode + 1 when
                     nullable */
  IMM_BR_CAST     /* GC: br_on_cast(_fail) $l rt1 rt2 */
};

struct wat_op {
  const char *name; /* text name, or the macro name when `macro` */
  uint32_t opcode;  /* < 0x100: one byte; 0xFCxx / 0xFDxxx: prefixed */
  uint8_t imm, arg, macro;
};
#define WAT_SIMD_BASE 0xfd000u
#define WAT_GC_BASE 0xfb000u /* 0xFB-prefixed (GC): 0xfb000 + opcode */
const struct wat_op *wat_op_find(struct wat *w, uint32_t tok);
void wat_emit_opcode(struct wat *w, struct wbuf *b, uint32_t opcode);

/* ---- modules (wat_module.c, wat_api.c) ---- */
/* Encodes module fields from w->pos up to token `end` into out. */
void wat_fields(struct wat *w, uint32_t end, struct wbuf *out);
/* After `(module $id?`: binary/quote/fields up to token `end`, the
** module's ')' (not consumed). */
void wat_module_body(struct wat *w, uint32_t end, struct wbuf *out,
                     bool *out_is_text);
/* Fails with a message made elsewhere (a quoted module's). */
WAT_NORETURN void wat_fail_msg(struct wat *w, weft_status s, const char *msg);

#endif
