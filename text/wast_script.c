/*
** wast_script.c — .wast scripts: commands, actions and the constants of
** arguments and expected results. Every module is encoded while parsing;
** a module whose text is malformed is kept with its message (what
** assert_malformed wants), and the script goes on after it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wat.h"

struct weft_wast_script {
  struct wat w; /* owns every block of the script */
  weft_wast_command *cmds;
  uint32_t n, cap;
  size_t line_off; /* line counting cursor */
  uint32_t line;
};

static uint32_t line_of(weft_wast_script *s, uint32_t tok) {
  size_t off = s->w.toks[tok].off;
  for (; s->line_off < off; s->line_off++)
    if (s->w.src[s->line_off] == '\n')
      s->line++;
  return s->line;
}

static weft_wast_command *new_command(weft_wast_script *s, weft_wast_kind kind,
                                      uint32_t tok) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->cmds = wat_realloc(&s->w, s->cmds, s->cap * sizeof *s->cmds);
  }
  weft_wast_command *c = &s->cmds[s->n++];
  memset(c, 0, sizeof *c);
  c->kind = kind;
  c->line = line_of(s, tok);
  return c;
}

static const char *id_text(struct wat *w) {
  if (wat_peek(w)->kind != TOK_ID)
    return NULL;
  struct wat_name n = wat_id(w, w->pos++);
  return wat_strndup(w, n.s, n.len);
}

/* A string token as bytes (NUL-terminated copy, length in *n). */
static const char *string_arg(struct wat *w, size_t *n) {
  struct wbuf b = {0};
  if (wat_peek(w)->kind != TOK_STRING)
    wat_expect(w, TOK_STRING, "a string");
  wat_string(w, w->pos++, &b);
  wb_byte(w, &b, 0);
  if (n)
    *n = b.len - 1;
  return (const char *)b.p;
}

/* ---- modules ---------------------------------------------------------------
 */

/* (module $id? ...) at w->pos: encoded into c, or its error kept. A
** failure other than a malformed text (out of memory) ends the script. */
static void module_cmd(weft_wast_script *s, weft_wast_command *c) {
  struct wat *w = &s->w;
  uint32_t open = w->pos, end = w->toks[open].match;
  jmp_buf *outer = w->jb, jb;
  struct wbuf bin = {0};
  w->pos += 2;
  if (wat_is_kw(w, wat_peek(w), "definition")) {
    c->is_definition = 1;
    w->pos++;
  }
  c->name = id_text(w);
  c->is_text = 1;
  w->jb = &jb;
  if (setjmp(jb) == 0) {
    bool is_text;
    wat_module_body(w, end, &bin, &is_text);
    wat_expect_rparen(w);
    c->is_text = is_text;
    c->wasm = bin.p ? bin.p : wat_alloc(w, 1);
    c->wasm_len = bin.len;
  } else {
    w->jb = outer;
    if (w->status != WEFT_ERR_MALFORMED)
      longjmp(*outer, 1);
    c->error = wat_strndup(w, w->msg, strlen(w->msg));
  }
  w->jb = outer;
  w->pos = end + 1;
}

/* ---- values ----------------------------------------------------------------
 */

static void put_bits(weft_wast_value *v, uint64_t bits, unsigned bytes,
                     unsigned at) {
  for (unsigned k = 0; k < bytes; k++)
    v->bytes[at + k] = (uint8_t)(bits >> (8 * k));
}

/* nan:canonical / nan:arithmetic in an expected result: the match kind,
** or 0 for a literal. */
static uint8_t nan_pattern(struct wat *w, bool allowed) {
  const struct wat_tok *t = wat_peek(w);
  uint8_t m = 0;
  if (wat_is_kw(w, t, "nan:canonical"))
    m = WEFT_WAST_NAN_CANONICAL;
  else if (wat_is_kw(w, t, "nan:arithmetic"))
    m = WEFT_WAST_NAN_ARITHMETIC;
  if (m && !allowed)
    wat_fail(w, w->pos, "NaN pattern in an argument");
  if (m)
    w->pos++;
  return m;
}

static void float_lane(struct wat *w, weft_wast_value *v, unsigned bits,
                       unsigned lane, bool result) {
  uint8_t m = nan_pattern(w, result);
  v->match[lane] = m;
  if (m)
    return;
  uint64_t b = bits == 32 ? wat_f32(w, w->pos) : wat_f64(w, w->pos);
  w->pos++;
  put_bits(v, b, bits / 8, lane * bits / 8);
}

static void v128_value(struct wat *w, weft_wast_value *v, bool result) {
  static const struct {
    const char *name;
    unsigned bits;
    bool is_float;
  } shapes[] = {{"i8x16", 8, false},  {"i16x8", 16, false},
                {"i32x4", 32, false}, {"i64x2", 64, false},
                {"f32x4", 32, true},  {"f64x2", 64, true}};
  size_t s = 0;
  while (s < 6 && !wat_is_kw(w, wat_peek(w), shapes[s].name))
    s++;
  if (s == 6)
    wat_fail(w, w->pos, "unexpected token, expected a v128 shape");
  w->pos++;
  v->lane_bits = (uint8_t)shapes[s].bits;
  v->float_lanes = shapes[s].is_float;
  for (unsigned i = 0; i < 128 / shapes[s].bits; i++) {
    if (shapes[s].is_float) {
      float_lane(w, v, shapes[s].bits, i, result);
    } else {
      put_bits(v, wat_int(w, w->pos, shapes[s].bits), shapes[s].bits / 8,
               i * shapes[s].bits / 8);
      w->pos++;
    }
  }
}

/* ---- GC references (typed function references / GC block) --------------
** GC's heap types and result patterns (ref.i31, ref.eq, ref.struct,
** ref.array, ref.any) are read so that a command using them parses; their
** type, WEFT_WAST_GC_TYPE, is no weft value type, so such a command can
** never pass: weft wast skips it with its GC module. */
static bool gc_heap_type(struct wat *w) {
  static const char *const names[] = {"any", "none",   "eq",
                                      "i31", "struct", "array"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (wat_is_kw(w, wat_peek(w), names[i]))
      return true;
  return false;
}

static bool gc_value(struct wat *w, weft_wast_value *v, const char *what) {
  static const char *const names[] = {"ref.i31", "ref.eq", "ref.struct",
                                      "ref.array", "ref.any"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(what, names[i]) == 0) {
      v->type = WEFT_WAST_GC_TYPE;
      v->match[0] = WEFT_WAST_ANY_REF;
      while (wat_peek(w)->kind == TOK_NUM)
        w->pos++;
      return true;
    }
  return false;
}

static void ref_value(struct wat *w, weft_wast_value *v, bool result,
                      const char *what) {
  if (strcmp(what, "ref.null") == 0) {
    v->is_null = 1;
    if (result && wat_peek(w)->kind == TOK_RPAREN) {
      v->match[0] = WEFT_WAST_ANY_NULL; /* (ref.null): any null (3.0) */
      v->type = WEFT_FUNCREF;
      return;
    }
    if (wat_is_kw(w, wat_peek(w), "func") ||
        wat_is_kw(w, wat_peek(w), "nofunc"))
      v->type = WEFT_FUNCREF;
    else if (wat_is_kw(w, wat_peek(w), "extern") ||
             wat_is_kw(w, wat_peek(w), "noextern"))
      v->type = WEFT_EXTERNREF;
    else if (wat_is_kw(w, wat_peek(w), "exn") ||
             wat_is_kw(w, wat_peek(w), "noexn"))
      v->type = WEFT_EXNREF;
    else if (wat_peek(w)->kind == TOK_ID)
      v->type = WEFT_FUNCREF; /* (ref.null $t): typed function references */
    else if (gc_heap_type(w))
      v->type = WEFT_WAST_GC_TYPE;
    else
      wat_fail(w, w->pos, "unexpected token, expected a heap type");
    w->pos++;
    return;
  }
  v->type = strcmp(what, "ref.func") == 0 ? WEFT_FUNCREF : WEFT_EXTERNREF;
  v->is_extern = v->type == WEFT_EXTERNREF;
  if (wat_peek(w)->kind == TOK_NUM) {
    put_bits(v, wat_u64(w, w->pos), 8, 0);
    w->pos++;
    if (v->type == WEFT_FUNCREF)
      v->match[0] = WEFT_WAST_ANY_REF; /* the runner cannot name it */
  } else if (result) {
    v->match[0] = WEFT_WAST_ANY_REF;
  } else {
    wat_fail(w, w->pos, "expected a reference number");
  }
}

static weft_wast_value *values(struct wat *w, uint32_t *n, bool result);

/* (type.const ...) / (ref.null t) / (ref.extern n) / (ref.func), or in a
** result (either v ...) */
static void value(struct wat *w, weft_wast_value *v, bool result) {
  memset(v, 0, sizeof *v);
  if (result && wat_at_field(w, "either")) {
    w->pos += 2;
    v->either = values(w, &v->either_count, true);
    if (!v->either_count)
      wat_fail(w, w->pos, "either without values");
    v->type = v->either[0].type;
    wat_expect_rparen(w);
    return;
  }
  wat_expect(w, TOK_LPAREN, "a constant");
  const struct wat_tok *t = wat_peek(w);
  char what[16];
  if (t->kind != TOK_KEYWORD || t->len >= sizeof what)
    wat_fail(w, w->pos, "unexpected token, expected a constant");
  memcpy(what, w->src + t->off, t->len);
  what[t->len] = '\0';
  w->pos++;
  if (strcmp(what, "i32.const") == 0) {
    v->type = WEFT_I32;
    put_bits(v, wat_int(w, w->pos++, 32), 4, 0);
  } else if (strcmp(what, "i64.const") == 0) {
    v->type = WEFT_I64;
    put_bits(v, wat_int(w, w->pos++, 64), 8, 0);
  } else if (strcmp(what, "f32.const") == 0) {
    v->type = WEFT_F32;
    float_lane(w, v, 32, 0, result);
  } else if (strcmp(what, "f64.const") == 0) {
    v->type = WEFT_F64;
    float_lane(w, v, 64, 0, result);
  } else if (strcmp(what, "v128.const") == 0) {
    v->type = WEFT_V128;
    v128_value(w, v, result);
  } else if (strcmp(what, "ref.null") == 0 || strcmp(what, "ref.extern") == 0 ||
             strcmp(what, "ref.func") == 0 || strcmp(what, "ref.host") == 0) {
    ref_value(w, v, result, what);
  } else if (result && gc_value(w, v, what)) {
    /* a GC reference pattern: read, never matched */
  } else {
    wat_fail(w, w->pos - 1, "unknown constant %s", what);
  }
  wat_expect_rparen(w);
}

static weft_wast_value *values(struct wat *w, uint32_t *n, bool result) {
  uint32_t cap = 0;
  weft_wast_value *v = NULL;
  *n = 0;
  while (wat_peek(w)->kind == TOK_LPAREN) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 4;
      v = wat_realloc(w, v, cap * sizeof *v);
    }
    value(w, &v[*n], result);
    ++*n;
  }
  return v;
}

/* ---- commands
 * ---------------------------------------------------------------- */

/* (invoke $m? "name" const*) | (get $m? "name") */
static void action(struct wat *w, weft_wast_action *a) {
  wat_expect(w, TOK_LPAREN, "an action");
  if (wat_is_kw(w, wat_peek(w), "get"))
    a->is_get = 1;
  else if (!wat_is_kw(w, wat_peek(w), "invoke"))
    wat_fail(w, w->pos, "unexpected token, expected invoke or get");
  w->pos++;
  a->module = id_text(w);
  a->field = string_arg(w, &a->field_len);
  if (!a->is_get)
    a->args = values(w, &a->arg_count, false);
  wat_expect_rparen(w);
}

static const struct {
  const char *name;
  weft_wast_kind kind;
} assertions[] = {{"assert_return", WEFT_WAST_RETURN},
                  {"assert_trap", WEFT_WAST_TRAP},
                  {"assert_exhaustion", WEFT_WAST_EXHAUSTION},
                  {"assert_invalid", WEFT_WAST_INVALID},
                  {"assert_malformed", WEFT_WAST_MALFORMED},
                  {"assert_unlinkable", WEFT_WAST_UNLINKABLE},
                  {"assert_uninstantiable", WEFT_WAST_UNINSTANTIABLE},
                  {"assert_exception", WEFT_WAST_EXCEPTION}};

static void assertion(weft_wast_script *s, weft_wast_kind kind, uint32_t at) {
  struct wat *w = &s->w;
  weft_wast_command *c = new_command(s, kind, at);
  w->pos += 2;
  if (wat_at_field(w, "module")) {
    if (kind == WEFT_WAST_TRAP)
      c->kind = WEFT_WAST_UNINSTANTIABLE;
    module_cmd(s, c);
    c = &s->cmds[s->n - 1]; /* module_cmd may not move it, but be safe */
  } else {
    action(w, &c->action);
    c = &s->cmds[s->n - 1];
  }
  if (kind == WEFT_WAST_RETURN)
    c->results = values(w, &c->result_count, true);
  else if (wat_peek(w)->kind == TOK_STRING)
    c->text = string_arg(w, NULL);
  wat_expect_rparen(w);
}

static void command(weft_wast_script *s) {
  struct wat *w = &s->w;
  uint32_t at = w->pos;
  const struct wat_tok *kw = wat_peek_at(w, 1);
  wat_expect(w, TOK_LPAREN, "a command");
  w->pos = at;
  if (wat_is_kw(w, kw, "module")) {
    if (wat_is_kw(w, wat_peek_at(w, 2), "instance")) {
      weft_wast_command *c = new_command(s, WEFT_WAST_INSTANCE, at);
      w->pos += 3;
      c->name = id_text(w);
      c->definition = id_text(w);
      if (!c->definition)
        wat_fail(w, w->pos, "module instance needs a definition's name");
      wat_expect_rparen(w);
      return;
    }
    module_cmd(s, new_command(s, WEFT_WAST_MODULE, at));
    return;
  }
  if (wat_is_kw(w, kw, "register")) {
    weft_wast_command *c = new_command(s, WEFT_WAST_REGISTER, at);
    w->pos += 2;
    c->as = string_arg(w, NULL);
    c->name = id_text(w);
    wat_expect_rparen(w);
    return;
  }
  if (wat_is_kw(w, kw, "invoke") || wat_is_kw(w, kw, "get")) {
    weft_wast_command *c = new_command(s, WEFT_WAST_ACTION, at);
    action(w, &c->action);
    return;
  }
  for (size_t i = 0; i < sizeof assertions / sizeof assertions[0]; i++)
    if (wat_is_kw(w, kw, assertions[i].name)) {
      assertion(s, assertions[i].kind, at);
      return;
    }
  new_command(s, WEFT_WAST_UNSUPPORTED, at);
  w->pos = w->toks[at].match + 1;
}

/* One command; when its text cannot be read (say, a constant of a later
** proposal), it becomes a WEFT_WAST_ERROR command and the script goes on
** after its closing paren. Running out of memory ends the script. */
static void guarded_command(weft_wast_script *s) {
  struct wat *w = &s->w;
  uint32_t at = w->pos, n = s->n;
  jmp_buf *outer = w->jb, jb;
  if (wat_peek(w)->kind != TOK_LPAREN)
    wat_expect(w, TOK_LPAREN, "a command");
  w->jb = &jb;
  if (setjmp(jb) == 0) {
    command(s);
  } else {
    w->jb = outer;
    if (w->status != WEFT_ERR_MALFORMED)
      longjmp(*outer, 1);
    s->n = n; /* drop what the command had added */
    weft_wast_command *c = new_command(s, WEFT_WAST_ERROR, at);
    c->error = wat_strndup(w, w->msg, strlen(w->msg));
    w->pos = w->toks[at].match + 1;
  }
  w->jb = outer;
}

/* A script may be the fields of one module alone. */
static bool is_field(const struct wat *w, const struct wat_tok *t) {
  static const char *const fields[] = {"type",   "import", "func",   "table",
                                       "memory", "global", "export", "start",
                                       "elem",   "data"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (wat_is_kw(w, t, fields[i]))
      return true;
  return false;
}

static void bare_module(weft_wast_script *s) {
  struct wat *w = &s->w;
  struct wbuf bin = {0};
  weft_wast_command *c = new_command(s, WEFT_WAST_MODULE, 0);
  c->is_text = 1;
  wat_fields(w, w->ntoks - 1, &bin);
  c->wasm = bin.p ? bin.p : wat_alloc(w, 1);
  c->wasm_len = bin.len;
}

weft_status weft_wast_parse(const char *text, size_t len,
                            weft_wast_script **out_script,
                            weft_error *out_error) {
  return weft_wast_parse_version(text, len, WEFT_TEXT_2_0, out_script,
                                 out_error);
}

weft_status weft_wast_parse_version(const char *text, size_t len,
                                    weft_text_version version,
                                    weft_wast_script **out_script,
                                    weft_error *out_error) {
  jmp_buf jb;
  weft_wast_script *s = calloc(1, sizeof *s);
  *out_script = NULL;
  if (!s) {
    if (out_error) {
      memset(out_error, 0, sizeof *out_error);
      out_error->status = WEFT_ERR_NOMEM;
      snprintf(out_error->message, sizeof out_error->message, "out of memory");
    }
    return WEFT_ERR_NOMEM;
  }
  s->w.src = text;
  s->w.len = len;
  s->w.jb = &jb;
  s->w.alloc = wat_sys_realloc;
  s->w.version = version;
  s->line = 1;
  if (setjmp(jb)) {
    weft_status st = s->w.status;
    if (out_error) {
      memset(out_error, 0, sizeof *out_error);
      out_error->status = st;
      out_error->func_index = UINT32_MAX;
      out_error->offset = UINT64_MAX;
      snprintf(out_error->message, sizeof out_error->message, "%s", s->w.msg);
    }
    weft_wast_free(s);
    return st;
  }
  wat_lex(&s->w);
  if (is_field(&s->w, wat_peek_at(&s->w, 1)))
    bare_module(s);
  while (wat_peek(&s->w)->kind != TOK_EOF)
    guarded_command(s);
  s->w.jb = NULL;
  *out_script = s;
  return WEFT_OK;
}

uint32_t weft_wast_command_count(const weft_wast_script *s) { return s->n; }

const weft_wast_command *weft_wast_command_at(const weft_wast_script *s,
                                              uint32_t i) {
  return i < s->n ? &s->cmds[i] : NULL;
}

void weft_wast_free(weft_wast_script *s) {
  if (!s)
    return;
  wat_free_all(&s->w);
  free(s);
}
