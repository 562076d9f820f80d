/*
** wat_types.c — types in the text format: value and reference types,
** limits, function types and typeuses (with the implicit type definitions
** the spec appends for inline signatures), and index references.
*/
#include <string.h>

#include "wat_mod.h"

/* Value types and the reference shorthands of 3.0 (anyref .. nullexnref
** are GC/exception types the engine refuses, but they read and encode). */
static const struct {
  const char *name;
  uint32_t code;
  bool ref;
} simple_types[] = {{"i32", 0x7f, false},          {"i64", 0x7e, false},
                    {"f32", 0x7d, false},          {"f64", 0x7c, false},
                    {"v128", 0x7b, false},         {"funcref", 0x70, true},
                    {"externref", 0x6f, true},     {"anyref", 0x6e, true},
                    {"eqref", 0x6d, true},         {"i31ref", 0x6c, true},
                    {"structref", 0x6b, true},     {"arrayref", 0x6a, true},
                    {"exnref", 0x69, true},        {"nullref", 0x71, true},
                    {"nullexternref", 0x72, true}, {"nullfuncref", 0x73, true},
                    {"nullexnref", 0x74, true}};

/* Abstract heap types (their one-byte codes). */
static const struct {
  const char *name;
  uint8_t code;
} heap_types[] = {{"func", 0x70},     {"extern", 0x6f}, {"any", 0x6e},
                  {"eq", 0x6d},       {"i31", 0x6c},    {"struct", 0x6b},
                  {"array", 0x6a},    {"exn", 0x69},    {"none", 0x71},
                  {"noextern", 0x72}, {"nofunc", 0x73}, {"noexn", 0x74}};

static uint32_t simple_type(struct wat *w, const struct wat_tok *t,
                            bool refs_only) {
  for (size_t i = 0; i < sizeof simple_types / sizeof simple_types[0]; i++)
    if ((!refs_only || simple_types[i].ref) &&
        wat_is_kw(w, t, simple_types[i].name))
      return simple_types[i].code;
  return 0;
}

uint32_t wat_heap_type(struct wmod *m) {
  struct wat *w = m->w;
  for (size_t i = 0; i < sizeof heap_types / sizeof heap_types[0]; i++)
    if (wat_is_kw(w, wat_peek(w), heap_types[i].name)) {
      w->pos++;
      return heap_types[i].code;
    }
  if (!wat_at_index(m))
    wat_fail(w, w->pos, "unexpected token, expected a heap type");
  uint32_t idx = wat_index(m, SP_TYPE);
  if (idx >= WAT_HEAP_INDEX_MAX)
    wat_fail(w, w->pos - 1, "type index too large in a reference type");
  return WAT_HEAP_INDEX + idx;
}

void wat_put_heap_type(struct wmod *m, struct wbuf *b, uint32_t heap) {
  if (heap >= WAT_HEAP_INDEX)
    wb_s64(m->w, b, heap - WAT_HEAP_INDEX);
  else
    wb_byte(m->w, b, (uint8_t)heap);
}

/* (ref null? heaptype): a nullable abstract type is its one-byte
** shorthand (funcref is (ref null func)); the others are 0x63/0x64 and
** the heap type, kept as prefix | heap << 8. */
static uint32_t ref_type(struct wmod *m) {
  struct wat *w = m->w;
  wat_expect_lparen_kw(w, "ref");
  bool null = wat_is_kw(w, wat_peek(w), "null");
  if (null)
    w->pos++;
  uint32_t heap = wat_heap_type(m);
  wat_expect_rparen(w);
  if (null && heap < WAT_HEAP_INDEX)
    return heap;
  return (null ? 0x63u : 0x64u) | heap << 8;
}

bool wat_at_valtype(struct wmod *m) {
  return simple_type(m->w, wat_peek(m->w), false) || wat_at_field(m->w, "ref");
}

bool wat_at_reftype(struct wmod *m) {
  return simple_type(m->w, wat_peek(m->w), true) || wat_at_field(m->w, "ref");
}

uint32_t wat_valtype(struct wmod *m) {
  struct wat *w = m->w;
  uint32_t code = simple_type(w, wat_peek(w), false);
  if (code) {
    w->pos++;
    return code;
  }
  if (wat_at_field(w, "ref"))
    return ref_type(m);
  wat_fail(w, w->pos, "unexpected token, expected a value type");
}

uint32_t wat_reftype(struct wmod *m) {
  struct wat *w = m->w;
  uint32_t code = simple_type(w, wat_peek(w), true);
  if (code) {
    w->pos++;
    return code;
  }
  if (wat_at_field(w, "ref"))
    return ref_type(m);
  wat_fail(w, w->pos, "unexpected token, expected a reference type");
}

void wat_put_valtype(struct wmod *m, struct wbuf *b, uint32_t t) {
  wb_byte(m->w, b, (uint8_t)t);
  if (t > 0xff)
    wat_put_heap_type(m, b, t >> 8);
}

uint32_t wat_opt_id(struct wmod *m) {
  if (wat_peek(m->w)->kind != TOK_ID)
    return UINT32_MAX;
  return m->w->pos++;
}

/* ---- function types --------------------------------------------------- */

static void push_type(struct wat *w, uint32_t **v, uint32_t *n, uint32_t t) {
  if ((*n & (*n - 1)) == 0 || *n == 0) /* grow at powers of two */
    *v = wat_realloc(w, *v, (size_t)(*n ? *n * 2 : 1) * sizeof **v);
  (*v)[(*n)++] = t;
}

void wat_params_results(struct wmod *m, struct ftype *ft, struct idmap *names) {
  struct wat *w = m->w;
  memset(ft, 0, sizeof *ft);
  while (wat_at_field(w, "param")) {
    w->pos += 2;
    if (wat_peek(w)->kind == TOK_ID) {
      const struct wat_tok *id = wat_peek(w);
      if (!names)
        wat_fail(w, w->pos, "unexpected identifier in a parameter");
      struct wat_name n = wat_id(w, w->pos);
      if (!idmap_put(w, names, n.s, n.len, ft->np))
        wat_fail(w, w->pos, "duplicate local %.*s", (int)id->len,
                 w->src + id->off);
      w->pos++;
      push_type(w, &ft->params, &ft->np, wat_valtype(m));
    } else {
      while (wat_peek(w)->kind != TOK_RPAREN)
        push_type(w, &ft->params, &ft->np, wat_valtype(m));
    }
    wat_expect_rparen(w);
  }
  while (wat_at_field(w, "result")) {
    w->pos += 2;
    while (wat_peek(w)->kind != TOK_RPAREN)
      push_type(w, &ft->results, &ft->nr, wat_valtype(m));
    wat_expect_rparen(w);
  }
  if (wat_at_field(w, "param"))
    wat_fail(w, w->pos, "unexpected token: param after result");
}

static bool ftype_eq(const struct ftype *a, const struct ftype *b) {
  return a->np == b->np && a->nr == b->nr &&
         (!a->np ||
          memcmp(a->params, b->params, a->np * sizeof *a->params) == 0) &&
         (!a->nr ||
          memcmp(a->results, b->results, a->nr * sizeof *a->results) == 0);
}

/* The bytes a signature is looked up by: counts, then the type codes. */
static const char *sig_key(struct wmod *m, const struct ftype *ft,
                           uint32_t *len) {
  size_t n = (2 + (size_t)ft->np + ft->nr) * sizeof(uint32_t);
  uint32_t *k = wat_alloc(m->w, n);
  k[0] = ft->np;
  k[1] = ft->nr;
  if (ft->np)
    memcpy(k + 2, ft->params, ft->np * sizeof *k);
  if (ft->nr)
    memcpy(k + 2 + ft->np, ft->results, ft->nr * sizeof *k);
  if (n > UINT32_MAX)
    wat_fail(m->w, m->w->pos, "function type too large");
  *len = (uint32_t)n;
  return (const char *)k;
}

uint32_t wat_type_append(struct wmod *m, const struct ftype *ft) {
  uint32_t len;
  /* only a plain function type is what an inline signature stands for */
  bool plain = ft->kind == FT_FUNC && !ft->sub && !ft->in_rec;
  const char *key = plain ? sig_key(m, ft, &len) : NULL;
  if (plain && !idmap_put(m->w, &m->sigs, key, len, m->ntypes))
    wat_free(m->w, (void *)(uintptr_t)key); /* an earlier type has it */
  if (m->ntypes == m->types_cap) {
    m->types_cap = m->types_cap ? m->types_cap * 2 : 16;
    m->types = wat_realloc(m->w, m->types, m->types_cap * sizeof *m->types);
  }
  m->types[m->ntypes] = *ft;
  return m->ntypes++;
}

uint32_t wat_typeuse(struct wmod *m, struct idmap *names, uint32_t *out_np) {
  struct wat *w = m->w;
  struct ftype ft;
  uint32_t idx = 0, tok = w->pos;
  bool has_idx = wat_at_field(w, "type"); /* any u32, 0xffffffff too */
  if (has_idx) {
    w->pos += 2;
    idx = wat_index(m, SP_TYPE);
    wat_expect_rparen(w);
  }
  uint32_t inline_tok = w->pos;
  wat_params_results(m, &ft, names);
  bool has_inline = w->pos != inline_tok;
  if (has_idx) {
    /* an unknown index is for validation to reject, unless an inline
    ** signature must be compared with it */
    if (idx >= m->ntypes && has_inline)
      wat_fail(w, tok, "unknown type %u", idx);
    if (has_inline && idx < m->ntypes && !ftype_eq(&ft, &m->types[idx]))
      wat_fail(w, tok, "inline function type does not match the type");
    *out_np = has_inline ? ft.np : idx < m->ntypes ? m->types[idx].np : 0;
    return idx;
  }
  *out_np = ft.np;
  uint32_t len;
  const char *key = sig_key(m, &ft, &len);
  uint32_t i = idmap_get(&m->sigs, key, len);
  wat_free(w, (void *)(uintptr_t)key);
  if (i != IDMAP_NONE)
    return i; /* the first type with this signature */
  return wat_type_append(m, &ft);
}

/* ---- indices and limits ---------------------------------------------- */

static const char *const space_names[SP_COUNT] = {
    "type",   "function",     "table",        "memory",
    "global", "elem segment", "data segment", "tag"};

bool wat_at_index(struct wmod *m) {
  enum wat_tok_kind k = wat_peek(m->w)->kind;
  return k == TOK_ID || k == TOK_NUM;
}

uint32_t wat_index(struct wmod *m, enum wat_space sp) {
  struct wat *w = m->w;
  const struct wat_tok *t = wat_peek(w);
  if (t->kind == TOK_NUM)
    return wat_u32(w, w->pos++);
  if (t->kind != TOK_ID)
    wat_expect(w, TOK_ID, "an index");
  struct wat_name n = wat_id(w, w->pos);
  uint32_t i = idmap_get(&m->ids[sp], n.s, n.len);
  if (i == IDMAP_NONE)
    wat_fail(w, w->pos, "unknown %s %.*s", space_names[sp], (int)t->len,
             w->src + t->off);
  w->pos++;
  return i;
}

void wat_limits(struct wmod *m, struct wbuf *b, bool allow_i64) {
  struct wat *w = m->w;
  bool is64 = allow_i64 && wat_is_kw(w, wat_peek(w), "i64");
  if (allow_i64 && (is64 || wat_is_kw(w, wat_peek(w), "i32")))
    w->pos++;
  bool wide = is64 || w->version >= WEFT_TEXT_3_0; /* u64 limits */
  uint64_t min = wide ? wat_u64(w, w->pos) : wat_u32(w, w->pos);
  w->pos++;
  bool has_max = wat_peek(w)->kind == TOK_NUM;
  uint64_t max = 0;
  if (has_max) {
    max = wide ? wat_u64(w, w->pos) : wat_u32(w, w->pos);
    w->pos++;
  }
  wb_byte(w, b, (uint8_t)((has_max ? 1 : 0) | (is64 ? 4 : 0)));
  wb_u64(w, b, min);
  if (has_max)
    wb_u64(w, b, max);
}
