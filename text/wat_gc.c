/*
** wat_gc.c — type definitions beyond function types (3.0 GC): struct and
** array types with packed and mutable fields, (sub final? ...) subtyping
** declarations, field names. The engine refuses GC modules; the text layer
** reads and encodes them so that refusal names the feature.
*/
#include <string.h>

#include "wat_mod.h"

static void push_field(struct wat *w, struct ftype *ft, uint32_t t, bool mut) {
  if ((ft->np & (ft->np - 1)) == 0) {
    size_t cap = ft->np ? (size_t)ft->np * 2 : 1;
    ft->params = wat_realloc(w, ft->params, cap * sizeof *ft->params);
    ft->muts = wat_realloc(w, ft->muts, cap);
  }
  ft->params[ft->np] = t;
  ft->muts[ft->np++] = mut;
}

/* storagetype: i8 (0x78), i16 (0x77) or a value type. */
static uint32_t storage_type(struct wmod *m) {
  struct wat *w = m->w;
  if (wat_is_kw(w, wat_peek(w), "i8") || wat_is_kw(w, wat_peek(w), "i16"))
    return wat_is_kw(w, &w->toks[w->pos++], "i8") ? 0x78 : 0x77;
  return wat_valtype(m);
}

/* fieldtype: (mut storagetype) or storagetype. */
static void field_type(struct wmod *m, struct ftype *ft) {
  struct wat *w = m->w;
  if (wat_at_field(w, "mut")) {
    w->pos += 2;
    push_field(w, ft, storage_type(m), true);
    wat_expect_rparen(w);
  } else {
    push_field(w, ft, storage_type(m), false);
  }
}

/* (field $x t) or (field t*), repeated. */
static void struct_fields(struct wmod *m, struct ftype *ft) {
  struct wat *w = m->w;
  while (wat_at_field(w, "field")) {
    w->pos += 2;
    if (wat_peek(w)->kind == TOK_ID) {
      struct wat_name n = wat_id(w, w->pos);
      if (!idmap_put(w, &ft->fields, n.s, n.len, ft->np))
        wat_fail(w, w->pos, "duplicate field");
      w->pos++;
      field_type(m, ft);
    } else {
      while (wat_peek(w)->kind != TOK_RPAREN)
        field_type(m, ft);
    }
    wat_expect_rparen(w);
  }
}

static void comp_type(struct wmod *m, struct ftype *ft) {
  struct wat *w = m->w;
  struct idmap ignored = {0};
  wat_expect(w, TOK_LPAREN, "a type definition");
  if (wat_is_kw(w, wat_peek(w), "func")) {
    w->pos++;
    wat_params_results(m, ft, &ignored);
  } else if (wat_is_kw(w, wat_peek(w), "struct")) {
    w->pos++;
    ft->kind = FT_STRUCT;
    struct_fields(m, ft);
  } else if (wat_is_kw(w, wat_peek(w), "array")) {
    w->pos++;
    ft->kind = FT_ARRAY;
    field_type(m, ft);
  } else {
    wat_fail(w, w->pos, "unexpected token, expected func, struct or array");
  }
  wat_expect_rparen(w);
}

void wat_typedef(struct wmod *m, struct ftype *ft) {
  struct wat *w = m->w;
  memset(ft, 0, sizeof *ft);
  if (!wat_at_field(w, "sub")) {
    comp_type(m, ft);
    return;
  }
  w->pos += 2;
  bool final = wat_is_kw(w, wat_peek(w), "final");
  uint32_t *supers = NULL, n = 0;
  if (final)
    w->pos++;
  while (wat_at_index(m)) {
    if ((n & (n - 1)) == 0)
      supers = wat_realloc(w, supers, (n ? n * 2 : 1) * sizeof *supers);
    supers[n++] = wat_index(m, SP_TYPE);
  }
  comp_type(m, ft); /* a func type's params start from a cleared ft */
  ft->sub = final ? SUB_FINAL : SUB_OPEN;
  ft->supers = supers;
  ft->nsupers = n;
  wat_expect_rparen(w);
}

uint32_t wat_field_index(struct wmod *m, uint32_t type) {
  struct wat *w = m->w;
  const struct wat_tok *t = wat_peek(w);
  if (t->kind == TOK_NUM)
    return wat_u32(w, w->pos++);
  if (t->kind != TOK_ID)
    wat_expect(w, TOK_ID, "a field");
  struct wat_name n = wat_id(w, w->pos);
  uint32_t i = type < m->ntypes ? idmap_get(&m->types[type].fields, n.s, n.len)
                                : IDMAP_NONE;
  if (i == IDMAP_NONE)
    wat_fail(w, w->pos, "unknown field %.*s", (int)t->len, w->src + t->off);
  w->pos++;
  return i;
}

static void put_field(struct wmod *m, struct wbuf *b, const struct ftype *t,
                      uint32_t k) {
  wat_put_valtype(m, b, t->params[k]);
  wb_byte(m->w, b, t->muts[k]);
}

void wat_put_typedef(struct wmod *m, struct wbuf *b, const struct ftype *t) {
  struct wat *w = m->w;
  if (t->sub) {
    wb_byte(w, b, t->sub == SUB_FINAL ? 0x4f : 0x50);
    wb_u32(w, b, t->nsupers);
    for (uint32_t k = 0; k < t->nsupers; k++)
      wb_u32(w, b, t->supers[k]);
  }
  if (t->kind == FT_STRUCT) {
    wb_byte(w, b, 0x5f);
    wb_u32(w, b, t->np);
    for (uint32_t k = 0; k < t->np; k++)
      put_field(m, b, t, k);
    return;
  }
  if (t->kind == FT_ARRAY) {
    wb_byte(w, b, 0x5e);
    put_field(m, b, t, 0);
    return;
  }
  wb_byte(w, b, 0x60);
  wb_u32(w, b, t->np);
  for (uint32_t k = 0; k < t->np; k++)
    wat_put_valtype(m, b, t->params[k]);
  wb_u32(w, b, t->nr);
  for (uint32_t k = 0; k < t->nr; k++)
    wat_put_valtype(m, b, t->results[k]);
}
