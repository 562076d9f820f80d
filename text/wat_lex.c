/*
** wat_lex.c — the text format's tokens: lexing (comments, strings, parens
** matched and their depth bounded), string decoding with escapes, UTF-8
** checks, and the failure path shared by the whole layer (tracked blocks,
** "LINE:COL: message", longjmp to the entry point).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wat.h"

/* ---- tracked allocation ------------------------------------------------
** Every block is on a list in the parser state, so a failure anywhere can
** longjmp out and the entry point frees them all. */

struct wat_block {
  struct wat_block *prev, *next;
  size_t size;         /* of the whole block, for the allocator */
  max_align_t align[]; /* the caller's bytes */
};

void *wat_sys_realloc(void *user, void *p, size_t old_size, size_t new_size) {
  (void)user;
  (void)old_size;
  if (new_size == 0) {
    free(p);
    return NULL;
  }
  return realloc(p, new_size);
}

void *wat_alloc(struct wat *w, size_t size) {
  void *p = wat_try_realloc(w, NULL, size);
  if (!p)
    wat_nomem(w);
  return p;
}

/* Puts b at the head of the tracked list. */
static void link_block(struct wat *w, struct wat_block *b) {
  b->prev = NULL;
  b->next = w->blocks;
  if (w->blocks)
    w->blocks->prev = b;
  w->blocks = b;
}

static struct wat_block *block_of(void *p) {
  return (struct wat_block *)((char *)p - offsetof(struct wat_block, align));
}

static void unlink_block(struct wat *w, struct wat_block *b) {
  if (b->prev)
    b->prev->next = b->next;
  else
    w->blocks = b->next;
  if (b->next)
    b->next->prev = b->prev;
}

void *wat_realloc(struct wat *w, void *p, size_t size) {
  void *np = wat_try_realloc(w, p, size);
  if (!np)
    wat_nomem(w);
  return np;
}

void *wat_try_realloc(struct wat *w, void *p, size_t size) {
  if (size > SIZE_MAX - sizeof(struct wat_block) - 16)
    return NULL;
  struct wat_block *b = p ? block_of(p) : NULL;
  if (b)
    unlink_block(w, b);
  size_t total = sizeof *b + size;
  struct wat_block *nb = w->alloc(w->alloc_user, b, b ? b->size : 0, total);
  if (!nb) {
    if (b)
      link_block(w, b); /* still valid: tracked again, caller unchanged */
    return NULL;
  }
  nb->size = total;
  link_block(w, nb);
  return nb->align;
}

void wat_free(struct wat *w, void *p) {
  if (!p)
    return;
  struct wat_block *b = block_of(p);
  unlink_block(w, b);
  w->alloc(w->alloc_user, b, b->size, 0);
}

void wat_free_all(struct wat *w) {
  while (w->blocks) {
    struct wat_block *b = w->blocks;
    w->blocks = b->next;
    w->alloc(w->alloc_user, b, b->size, 0);
  }
}

char *wat_strndup(struct wat *w, const char *s, size_t n) {
  char *p = wat_alloc(w, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

/* ---- failures ----------------------------------------------------------- */

static void line_col(struct wat *w, size_t off, unsigned long *line,
                     unsigned long *col) {
  if (!w->lc_line || off < w->lc_off) {
    w->lc_off = 0;
    w->lc_line = 1;
    w->lc_col = 1;
  }
  for (size_t i = w->lc_off; i < off && i < w->len; i++) {
    if (w->src[i] == '\n') {
      w->lc_line++;
      w->lc_col = 1;
    } else if (((unsigned char)w->src[i] & 0xc0) != 0x80) {
      w->lc_col++; /* count characters, not UTF-8 continuation bytes */
    }
  }
  w->lc_off = off < w->len ? off : w->len;
  *line = w->lc_line;
  *col = w->lc_col;
}

static WAT_NORETURN void fail_at(struct wat *w, size_t off, const char *fmt,
                                 va_list ap) {
  unsigned long line, col;
  line_col(w, off, &line, &col);
  int n = snprintf(w->msg, sizeof w->msg, "%lu:%lu: ", line, col);
  if (n < 0)
    n = 0;
  vsnprintf(w->msg + n, sizeof w->msg - (size_t)n, fmt, ap);
  w->status = WEFT_ERR_MALFORMED;
  longjmp(*w->jb, 1);
}

void wat_fail(struct wat *w, uint32_t tok, const char *fmt, ...) {
  va_list ap;
  size_t off = w->toks && tok < w->ntoks ? w->toks[tok].off : w->len;
  va_start(ap, fmt);
  fail_at(w, off, fmt, ap);
}

static WAT_NORETURN WAT_PRINTF(3, 4) void lex_fail(struct wat *w, size_t off,
                                                   const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fail_at(w, off, fmt, ap);
}

void wat_nomem(struct wat *w) {
  snprintf(w->msg, sizeof w->msg, "out of memory");
  w->status = WEFT_ERR_NOMEM;
  longjmp(*w->jb, 1);
}

/* ---- UTF-8 ---------------------------------------------------------------
** Returns the length of the valid UTF-8 sequence at s[0..n), 0 if none
** (overlong forms, surrogates and values past U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *out) {
  uint32_t c;
  size_t len;
  if (s[0] < 0x80) {
    *out = s[0];
    return 1;
  }
  if (s[0] >= 0xc2 && s[0] <= 0xdf) {
    c = s[0] & 0x1fu;
    len = 2;
  } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
    c = s[0] & 0x0fu;
    len = 3;
  } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
    c = s[0] & 0x07u;
    len = 4;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    c = c << 6 | (s[i] & 0x3fu);
  }
  if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
      (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *out = c;
  return len;
}

static bool valid_utf8(const uint8_t *s, size_t n) {
  uint32_t c;
  for (size_t i = 0; i < n;) {
    size_t k = utf8_len(s + i, n - i, &c);
    if (!k)
      return false;
    i += k;
  }
  return true;
}

/* ---- lexing ---------------------------------------------------------------
 */

static bool is_idchar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') ||
         (c != 0 && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL);
}

static void push_tok(struct wat *w, uint32_t *cap, enum wat_tok_kind kind,
                     size_t off, size_t len) {
  if (w->ntoks == *cap) {
    uint32_t ncap = *cap ? *cap * 2 : 256;
    if (ncap < *cap || ncap > UINT32_MAX / 2)
      lex_fail(w, off, "too many tokens");
    w->toks = wat_realloc(w, w->toks, (size_t)ncap * sizeof *w->toks);
    *cap = ncap;
  }
  struct wat_tok *t = &w->toks[w->ntoks++];
  t->off = (uint32_t)off;
  t->len = (uint32_t)len;
  t->kind = (uint8_t)kind;
  t->quoted = 0;
  t->match = 0;
}

/* Skips a block comment starting at i ("(;"); returns the index after it. */
static size_t skip_block_comment(struct wat *w, size_t i) {
  size_t start = i, depth = 0;
  while (i < w->len) {
    const unsigned char *s = (const unsigned char *)w->src;
    if (s[i] == '(' && i + 1 < w->len && s[i + 1] == ';') {
      depth++;
      i += 2;
    } else if (s[i] == ';' && i + 1 < w->len && s[i + 1] == ')') {
      i += 2;
      if (--depth == 0)
        return i;
    } else {
      uint32_t c;
      size_t k = utf8_len(s + i, w->len - i, &c);
      if (!k)
        lex_fail(w, i, "malformed UTF-8 encoding in a comment");
      i += k;
    }
  }
  lex_fail(w, start, "unclosed comment");
}

/* A line comment ends at a newline: LF, CR or CR LF (as 3.0 says; 2.0
** named LF only, and no 2.0 text depends on a CR inside a comment). */
static size_t skip_line_comment(struct wat *w, size_t i) {
  const unsigned char *s = (const unsigned char *)w->src;
  while (i < w->len && s[i] != '\n' && s[i] != '\r') {
    uint32_t c;
    size_t k = utf8_len(s + i, w->len - i, &c);
    if (!k)
      lex_fail(w, i, "malformed UTF-8 encoding in a comment");
    i += k;
  }
  return i;
}

/* Scans a string token from i (the opening quote); returns its end. The
** escapes are checked later, when the string is decoded. */
static size_t scan_string(struct wat *w, size_t i) {
  const unsigned char *s = (const unsigned char *)w->src;
  size_t start = i++;
  while (i < w->len && s[i] != '"') {
    uint32_t c;
    if (s[i] == '\\' && i + 1 < w->len) {
      i += 2;
      continue;
    }
    if (s[i] < 0x20 || s[i] == 0x7f)
      lex_fail(w, i, "control character in a string");
    size_t k = utf8_len(s + i, w->len - i, &c);
    if (!k)
      lex_fail(w, i, "malformed UTF-8 encoding in a string");
    i += k;
  }
  if (i >= w->len)
    lex_fail(w, start, "unclosed string");
  return i + 1;
}

static enum wat_tok_kind classify(const char *s, size_t n) {
  unsigned char c = (unsigned char)s[0];
  if (c == '$' && n > 1)
    return TOK_ID;
  if (c >= 'a' && c <= 'z')
    return TOK_KEYWORD;
  if ((c >= '0' && c <= '9') || c == '+' || c == '-')
    return TOK_NUM;
  return TOK_RESERVED;
}

/* Tokens must be separated: a string right after an atom, or anything but
** a paren or space right after a string, is one malformed token. */
static void check_separated(struct wat *w, size_t end) {
  if (end < w->len &&
      (w->src[end] == '"' || is_idchar((unsigned char)w->src[end])))
    lex_fail(w, end, "unknown operator: tokens must be separated");
}

/* $"...": an identifier named by a string (3.0). Its name is decoded now
** and kept in w->qnames; it must be non-empty UTF-8. Returns its end. */
static size_t lex_quoted_id(struct wat *w, uint32_t *cap, size_t i) {
  size_t end = scan_string(w, i + 1);
  struct wbuf name = {0};
  check_separated(w, end);
  push_tok(w, cap, TOK_STRING, i + 1, end - i - 1);
  wb_byte(w, &name, '$');
  wat_string(w, w->ntoks - 1, &name);
  if (name.len == 1)
    lex_fail(w, i, "empty identifier");
  if (!valid_utf8(name.p + 1, name.len - 1))
    lex_fail(w, i, "malformed UTF-8 encoding in an identifier");
  if ((w->nqnames & (w->nqnames - 1)) == 0)
    w->qnames = wat_realloc(
        w, w->qnames, (w->nqnames ? w->nqnames * 2 : 1) * sizeof *w->qnames);
  w->qnames[w->nqnames].s = (const char *)name.p;
  w->qnames[w->nqnames].len = (uint32_t)name.len;
  struct wat_tok *t = &w->toks[w->ntoks - 1];
  t->kind = TOK_ID;
  t->off = (uint32_t)i;
  t->len = (uint32_t)(end - i);
  t->quoted = 1;
  t->match = w->nqnames++;
  return end;
}

struct wat_name wat_id(const struct wat *w, uint32_t tok) {
  const struct wat_tok *t = &w->toks[tok];
  if (t->quoted)
    return w->qnames[t->match];
  struct wat_name n = {w->src + t->off, t->len};
  return n;
}

/* An annotation (@id ...) (3.0) is read like whitespace: its id (idchars
** or a non-empty UTF-8 string), then balanced parens, strings, comments
** and printable ASCII up to its ')'. Returns the index after it. */
static size_t skip_annotation(struct wat *w, uint32_t *cap, size_t i) {
  const unsigned char *s = (const unsigned char *)w->src;
  size_t start = i, depth = 1;
  i += 2;
  if (i < w->len && s[i] == '"') {
    size_t end = scan_string(w, i);
    struct wbuf id = {0};
    push_tok(w, cap, TOK_STRING, i, end - i); /* to decode it, then gone */
    wat_string(w, w->ntoks - 1, &id);
    w->ntoks--;
    if (!id.len || !valid_utf8(id.p, id.len))
      lex_fail(w, start,
               id.len ? "malformed UTF-8 encoding in an annotation id"
                      : "empty annotation id");
    wb_free(w, &id);
    i = end;
  } else {
    size_t end = i;
    while (end < w->len && is_idchar(s[end]))
      end++;
    if (end == i)
      lex_fail(w, start, "empty annotation id");
    i = end;
  }
  while (depth) {
    if (i >= w->len)
      lex_fail(w, start, "unclosed annotation");
    unsigned char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      i++;
    } else if (c == ';' && i + 1 < w->len && s[i + 1] == ';') {
      i = skip_line_comment(w, i);
    } else if (c == '(' && i + 1 < w->len && s[i + 1] == ';') {
      i = skip_block_comment(w, i);
    } else if (c == '(' || c == ')') {
      depth += c == '(' ? 1 : (size_t)-1;
      if (depth > WEFT_TEXT_MAX_DEPTH)
        lex_fail(w, i, "nesting deeper than %d", WEFT_TEXT_MAX_DEPTH);
      i++;
    } else if (c == '"') {
      i = scan_string(w, i);
    } else if (c > 0x20 && c < 0x7f) {
      i++;
    } else {
      uint32_t u;
      lex_fail(w, i,
               utf8_len(s + i, w->len - i, &u) ? "illegal character"
                                               : "malformed UTF-8 encoding");
    }
  }
  return i;
}

static size_t lex_paren(struct wat *w, size_t i, uint32_t *cap, uint32_t *stack,
                        uint32_t *depth) {
  if (w->src[i] == '(') {
    if (*depth >= WEFT_TEXT_MAX_DEPTH)
      lex_fail(w, i, "nesting deeper than %d", WEFT_TEXT_MAX_DEPTH);
    stack[(*depth)++] = w->ntoks;
    push_tok(w, cap, TOK_LPAREN, i, 1);
  } else {
    if (*depth == 0)
      lex_fail(w, i, "unexpected )");
    w->toks[stack[--*depth]].match = w->ntoks;
    push_tok(w, cap, TOK_RPAREN, i, 1);
  }
  return i + 1;
}

void wat_lex(struct wat *w) {
  uint32_t cap = 0, depth = 0;
  uint32_t *stack = wat_alloc(w, WEFT_TEXT_MAX_DEPTH * sizeof *stack);
  const unsigned char *s = (const unsigned char *)w->src;
  if (w->len >= UINT32_MAX)
    lex_fail(w, 0, "text larger than 4 GiB");
  size_t i = 0;
  while (i < w->len) {
    unsigned char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      i++;
    } else if (c == ';' && i + 1 < w->len && s[i + 1] == ';') {
      i = skip_line_comment(w, i);
    } else if (c == '(' && i + 1 < w->len && s[i + 1] == ';') {
      i = skip_block_comment(w, i);
    } else if (c == '(' && i + 1 < w->len && s[i + 1] == '@') {
      i = skip_annotation(w, &cap, i);
    } else if (c == '(' || c == ')') {
      i = lex_paren(w, i, &cap, stack, &depth);
    } else if (c == '$' && i + 1 < w->len && s[i + 1] == '"') {
      i = lex_quoted_id(w, &cap, i);
    } else if (c == '"') {
      size_t end = scan_string(w, i);
      check_separated(w, end);
      push_tok(w, &cap, TOK_STRING, i, end - i);
      i = end;
    } else if (is_idchar(c)) {
      size_t end = i;
      while (end < w->len && is_idchar(s[end]))
        end++;
      check_separated(w, end);
      push_tok(w, &cap, classify(w->src + i, end - i), i, end - i);
      i = end;
    } else {
      lex_fail(w, i, "unexpected character");
    }
  }
  if (depth)
    lex_fail(w, w->toks[stack[depth - 1]].off, "unclosed (");
  push_tok(w, &cap, TOK_EOF, w->len, 0);
  wat_free(w, stack);
}

/* ---- token helpers ------------------------------------------------------- */

bool wat_is_kw(const struct wat *w, const struct wat_tok *t, const char *kw) {
  size_t n = strlen(kw);
  return t->kind == TOK_KEYWORD && t->len == n &&
         memcmp(w->src + t->off, kw, n) == 0;
}

bool wat_at_field(const struct wat *w, const char *kw) {
  return wat_peek(w)->kind == TOK_LPAREN && wat_is_kw(w, wat_peek_at(w, 1), kw);
}

static const char *kind_name(enum wat_tok_kind k) {
  switch (k) {
  case TOK_LPAREN: return "(";
  case TOK_RPAREN: return ")";
  case TOK_KEYWORD: return "a keyword";
  case TOK_NUM: return "a number";
  case TOK_ID: return "an identifier";
  case TOK_STRING: return "a string";
  case TOK_RESERVED: return "a reserved token";
  case TOK_EOF: return "the end";
  }
  return "?";
}

static WAT_NORETURN void unexpected(struct wat *w, const char *what) {
  const struct wat_tok *t = wat_peek(w);
  if (t->kind == TOK_EOF)
    wat_fail(w, w->pos, "unexpected end, expected %s", what);
  wat_fail(w, w->pos, "unexpected token \"%.*s\", expected %s",
           (int)(t->len > 40 ? 40 : t->len), w->src + t->off, what);
}

void wat_expect(struct wat *w, enum wat_tok_kind kind, const char *what) {
  if (wat_peek(w)->kind != kind)
    unexpected(w, what ? what : kind_name(kind));
  w->pos++;
}

void wat_expect_kw(struct wat *w, const char *kw) {
  if (!wat_is_kw(w, wat_peek(w), kw))
    unexpected(w, kw);
  w->pos++;
}

void wat_expect_lparen_kw(struct wat *w, const char *kw) {
  wat_expect(w, TOK_LPAREN, "(");
  wat_expect_kw(w, kw);
}

void wat_expect_rparen(struct wat *w) { wat_expect(w, TOK_RPAREN, ")"); }

/* ---- strings ------------------------------------------------------------- */

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static void put_utf8(struct wat *w, struct wbuf *out, uint32_t c) {
  uint8_t b[4];
  size_t n;
  if (c < 0x80) {
    b[0] = (uint8_t)c;
    n = 1;
  } else if (c < 0x800) {
    b[0] = (uint8_t)(0xc0 | c >> 6);
    b[1] = (uint8_t)(0x80 | (c & 0x3f));
    n = 2;
  } else if (c < 0x10000) {
    b[0] = (uint8_t)(0xe0 | c >> 12);
    b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
    b[2] = (uint8_t)(0x80 | (c & 0x3f));
    n = 3;
  } else {
    b[0] = (uint8_t)(0xf0 | c >> 18);
    b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
    b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
    b[3] = (uint8_t)(0x80 | (c & 0x3f));
    n = 4;
  }
  wb_bytes(w, out, b, n);
}

/* \u{hex}: returns the index after '}'. */
static size_t unicode_escape(struct wat *w, uint32_t tok, size_t i, size_t end,
                             struct wbuf *out) {
  const char *s = w->src;
  uint32_t c = 0;
  size_t digits = 0;
  if (i >= end || s[i] != '{')
    wat_fail(w, tok, "malformed \\u escape");
  for (i++; i < end && s[i] != '}'; i++) {
    if (s[i] == '_' && digits && i + 1 < end && hexval(s[i + 1]) >= 0)
      continue;
    int h = hexval(s[i]);
    if (h < 0)
      wat_fail(w, tok, "malformed \\u escape");
    if (c > 0x10ffff)
      wat_fail(w, tok, "\\u escape out of range");
    c = c * 16 + (uint32_t)h;
    digits++;
  }
  if (i >= end || !digits || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
    wat_fail(w, tok, "malformed \\u escape");
  put_utf8(w, out, c);
  return i + 1;
}

size_t wat_string(struct wat *w, uint32_t tok, struct wbuf *out) {
  const struct wat_tok *t = &w->toks[tok];
  const char *s = w->src;
  size_t i = t->off + 1, end = t->off + t->len - 1, before = out->len;
  if (t->kind != TOK_STRING)
    wat_fail(w, tok, "expected a string");
  while (i < end) {
    if (s[i] != '\\') {
      size_t j = i;
      while (j < end && s[j] != '\\')
        j++;
      wb_bytes(w, out, s + i, j - i);
      i = j;
      continue;
    }
    char e = s[i + 1];
    i += 2;
    switch (e) {
    case 't': wb_byte(w, out, '\t'); break;
    case 'n': wb_byte(w, out, '\n'); break;
    case 'r': wb_byte(w, out, '\r'); break;
    case '"': wb_byte(w, out, '"'); break;
    case '\'': wb_byte(w, out, '\''); break;
    case '\\': wb_byte(w, out, '\\'); break;
    case 'u': i = unicode_escape(w, tok, i, end, out); break;
    default: {
      int h1 = hexval(e), h2 = i < end ? hexval(s[i]) : -1;
      if (h1 < 0 || h2 < 0)
        wat_fail(w, tok, "unknown escape in a string");
      wb_byte(w, out, (uint8_t)(h1 * 16 + h2));
      i++;
    }
    }
  }
  return out->len - before;
}

void wat_name(struct wat *w, struct wbuf *out) {
  size_t before = out->len;
  if (wat_peek(w)->kind != TOK_STRING)
    wat_expect(w, TOK_STRING, "a name string");
  wat_string(w, w->pos, out);
  if (out->len > before && !valid_utf8(out->p + before, out->len - before))
    wat_fail(w, w->pos, "malformed UTF-8 encoding in a name");
  w->pos++;
}

void wat_fail_msg(struct wat *w, weft_status s, const char *msg) {
  snprintf(w->msg, sizeof w->msg, "%s", msg);
  w->status = s;
  longjmp(*w->jb, 1);
}
