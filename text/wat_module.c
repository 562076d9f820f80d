/*
** wat_module.c — modules and their fields. Pass 1 (scan) assigns every
** definition its index and records the explicit types, so references may
** point forward; pass 2 (encode) writes each field's binary in text order,
** which is also the order the spec gives implicit types and inline
** exports. Then the sections are put together.
*/
#include <string.h>

#include "wat_mod.h"

/* The kinds of imports, exports and importable definitions, in the order
** of their binary codes (func 0 .. tag 4). */
#define NKINDS 5
static const char *const field_kinds[NKINDS] = {"func", "table", "memory",
                                                "global", "tag"};
static const enum wat_space field_spaces[NKINDS] = {SP_FUNC, SP_TABLE, SP_MEM,
                                                    SP_GLOBAL, SP_TAG};

static int kind_of(struct wat *w, const struct wat_tok *t) {
  for (int k = 0; k < NKINDS; k++)
    if (wat_is_kw(w, t, field_kinds[k]))
      return k;
  return -1;
}

static void bind_id(struct wmod *m, enum wat_space sp, uint32_t tok,
                    uint32_t idx) {
  struct wat *w = m->w;
  const struct wat_tok *t = &w->toks[tok];
  if (t->kind != TOK_ID)
    return;
  static const char *const names[SP_COUNT] = {
      "type", "func", "table", "memory", "global", "elem", "data", "tag"};
  struct wat_name n = wat_id(w, tok);
  if (!idmap_put(w, &m->ids[sp], n.s, n.len, idx))
    wat_fail(w, tok, "duplicate %s %.*s", names[sp], (int)t->len,
             w->src + t->off);
}

/* ---- pass 1 ------------------------------------------------------------- */

/* (type $id? deftype); `rec`: the group it is in (0 outside one). */
static void scan_type(struct wmod *m, bool in_rec) {
  struct wat *w = m->w;
  struct ftype ft;
  w->pos += 2; /* its $id is bound by bind_type_ids */
  wat_opt_id(m);
  wat_typedef(m, &ft);
  ft.in_rec = in_rec;
  wat_expect_rparen(w);
  wat_type_append(m, &ft);
  m->count[SP_TYPE]++;
}

/* (rec (type ...)*): a recursion group (3.0 GC). */
static void scan_rec(struct wmod *m) {
  struct wat *w = m->w;
  uint32_t first = m->ntypes;
  w->pos += 2;
  while (wat_at_field(w, "type"))
    scan_type(m, true);
  wat_expect_rparen(w);
  if (m->ntypes > first)
    m->types[first].rec = m->ntypes - first;
  else /* an empty group still counts as an entry of the section */
    m->empty_recs++;
}

/* Whether a func/table/memory/global field at tok (its '(') is an inline
** import: (kind $id? (export ..)* (import ..)). */
static bool is_inline_import(const struct wat *w, uint32_t tok) {
  uint32_t i = tok + 2;
  if (w->toks[i].kind == TOK_ID)
    i++;
  while (w->toks[i].kind == TOK_LPAREN &&
         wat_is_kw(w, &w->toks[i + 1], "export"))
    i = w->toks[i].match + 1;
  return w->toks[i].kind == TOK_LPAREN &&
         wat_is_kw(w, &w->toks[i + 1], "import");
}

struct scan_state {
  int first_def; /* kind of the first definition, -1 before any */
};

static void scan_import(struct wmod *m, struct scan_state *st, uint32_t at,
                        int kind, uint32_t id_tok) {
  if (st->first_def >= 0)
    wat_fail(m->w, at, "import after %s",
             st->first_def == 0 ? "function" : field_kinds[st->first_def]);
  bind_id(m, field_spaces[kind], id_tok, m->count[field_spaces[kind]]++);
}

static void scan_field(struct wmod *m, struct scan_state *st) {
  struct wat *w = m->w;
  uint32_t at = w->pos;
  const struct wat_tok *kw = wat_peek_at(w, 1);
  int kind = kind_of(w, kw);
  if (kw->kind != TOK_KEYWORD)
    wat_fail(w, at + 1, "unexpected token, expected a module field");
  if (wat_is_kw(w, kw, "type")) {
    scan_type(m, false);
    return;
  }
  if (wat_is_kw(w, kw, "rec")) {
    scan_rec(m);
    return;
  }
  if (kind >= 0) {
    if (is_inline_import(w, at)) {
      scan_import(m, st, at, kind, at + 2);
    } else {
      if (st->first_def < 0)
        st->first_def = kind;
      bind_id(m, field_spaces[kind], at + 2, m->count[field_spaces[kind]]++);
      /* inline (elem ...) / (data ...) define a segment */
      for (uint32_t i = at + 2; i < w->toks[at].match; i++)
        if (w->toks[i].kind == TOK_LPAREN) {
          if ((kind == 1 && wat_is_kw(w, &w->toks[i + 1], "elem")) ||
              (kind == 2 && wat_is_kw(w, &w->toks[i + 1], "data")))
            m->count[kind == 1 ? SP_ELEM : SP_DATA]++;
          i = w->toks[i].match;
        }
    }
  } else if (wat_is_kw(w, kw, "import")) {
    uint32_t d = at + 4;
    if (d < w->toks[at].match && w->toks[d].kind == TOK_LPAREN &&
        (kind = kind_of(w, &w->toks[d + 1])) >= 0)
      scan_import(m, st, at, kind, d + 2);
  } else if (wat_is_kw(w, kw, "elem")) {
    bind_id(m, SP_ELEM, at + 2, m->count[SP_ELEM]++);
  } else if (wat_is_kw(w, kw, "data")) {
    bind_id(m, SP_DATA, at + 2, m->count[SP_DATA]++);
  } else if (!wat_is_kw(w, kw, "export") && !wat_is_kw(w, kw, "start")) {
    wat_fail(w, at + 1, "unknown module field %.*s", (int)kw->len,
             w->src + kw->off);
  }
  w->pos = w->toks[at].match + 1;
}

/* ---- pass 2: imports and exports ---------------------------------------- */

static void export_entry(struct wmod *m, struct wbuf *name, int kind,
                         uint32_t idx) {
  struct wbuf *b = &m->sec[SEC_EXPORT];
  wb_vec(m->w, b, name);
  wb_byte(m->w, b, (uint8_t)kind);
  wb_u32(m->w, b, idx);
  m->nitems[SEC_EXPORT]++;
}

static void inline_exports(struct wmod *m, int kind, uint32_t idx) {
  struct wat *w = m->w;
  while (wat_at_field(w, "export")) {
    struct wbuf name = {0};
    w->pos += 2;
    wat_name(w, &name);
    wat_expect_rparen(w);
    export_entry(m, &name, kind, idx);
    wb_free(w, &name);
  }
}

/* "module" "name" of an import, into the import section. */
static void import_names(struct wmod *m) {
  struct wat *w = m->w;
  struct wbuf name = {0};
  wat_name(w, &name);
  wb_vec(w, &m->sec[SEC_IMPORT], &name);
  name.len = 0;
  wat_name(w, &name);
  wb_vec(w, &m->sec[SEC_IMPORT], &name);
  wb_free(w, &name);
  m->nitems[SEC_IMPORT]++;
}

static void global_type(struct wmod *m, struct wbuf *b) {
  struct wat *w = m->w;
  if (wat_at_field(w, "mut")) {
    w->pos += 2;
    wat_put_valtype(m, b, wat_valtype(m));
    wb_byte(w, b, 1);
    wat_expect_rparen(w);
  } else {
    wat_put_valtype(m, b, wat_valtype(m));
    wb_byte(w, b, 0);
  }
}

static void table_type(struct wmod *m, struct wbuf *b) {
  struct wbuf lim = {0};
  wat_limits(m, &lim, true);
  wat_put_valtype(m, b, wat_reftype(m));
  wb_bytes(m->w, b, lim.p, lim.len);
  wb_free(m->w, &lim);
}

/* A tag's type: attribute 0 (exception) and its function type. */
static void tag_type(struct wmod *m, struct wbuf *b) {
  struct idmap ignored = {0};
  uint32_t np;
  wb_byte(m->w, b, 0x00);
  wb_u32(m->w, b, wat_typeuse(m, &ignored, &np));
}

/* The descriptor of an import, after its names; kind as in field_kinds. */
static void import_desc(struct wmod *m, int kind) {
  struct wat *w = m->w;
  struct wbuf *b = &m->sec[SEC_IMPORT];
  uint32_t np;
  struct idmap ignored = {0};
  wb_byte(w, b, (uint8_t)kind);
  switch (kind) {
  case 0: wb_u32(w, b, wat_typeuse(m, &ignored, &np)); break;
  case 1: table_type(m, b); break;
  case 2: wat_limits(m, b, true); break;
  case 3: global_type(m, b); break;
  default: tag_type(m, b); break;
  }
}

static void field_import(struct wmod *m) {
  struct wat *w = m->w;
  import_names(m);
  wat_expect(w, TOK_LPAREN, "an import descriptor");
  int kind = kind_of(w, wat_peek(w));
  if (kind < 0)
    wat_fail(w, w->pos, "unexpected token, expected an import kind");
  w->pos++;
  wat_opt_id(m);
  m->cur[field_spaces[kind]]++;
  import_desc(m, kind);
  wat_expect_rparen(w);
}

/* (kind $id? (export ..)* (import "m" "n") desc): true when it was one. */
static bool inline_import(struct wmod *m, int kind) {
  struct wat *w = m->w;
  if (!wat_at_field(w, "import"))
    return false;
  w->pos += 2;
  import_names(m);
  wat_expect_rparen(w);
  import_desc(m, kind);
  return true;
}

static void field_export(struct wmod *m) {
  struct wat *w = m->w;
  struct wbuf name = {0};
  wat_name(w, &name);
  wat_expect(w, TOK_LPAREN, "an export descriptor");
  int kind = kind_of(w, wat_peek(w));
  if (kind < 0)
    wat_fail(w, w->pos, "unexpected token, expected an export kind");
  w->pos++;
  export_entry(m, &name, kind, wat_index(m, field_spaces[kind]));
  wat_expect_rparen(w);
  wb_free(w, &name);
}

/* ---- pass 2: definitions ------------------------------------------------- */

static void locals(struct wmod *m, struct wfunc *f, struct wbuf *decl) {
  struct wat *w = m->w;
  struct wbuf runs = {0};
  uint32_t nruns = 0, run_type = 0, run_len = 0;
  while (wat_at_field(w, "local")) {
    w->pos += 2;
    bool named = wat_peek(w)->kind == TOK_ID;
    uint32_t id = named ? w->pos++ : 0;
    while (wat_peek(w)->kind != TOK_RPAREN) {
      uint32_t t = wat_valtype(m);
      struct wat_name n = wat_id(w, id);
      if (named && !idmap_put(w, &f->locals, n.s, n.len, f->nlocals))
        wat_fail(w, id, "duplicate local");
      if (f->nlocals == UINT32_MAX)
        wat_fail(w, w->pos, "too many locals");
      f->nlocals++;
      if (run_len && t == run_type) {
        run_len++;
        continue;
      }
      if (run_len) {
        wb_u32(w, &runs, run_len);
        wat_put_valtype(m, &runs, run_type);
        nruns++;
      }
      run_type = t;
      run_len = 1;
      if (named)
        break;
    }
    wat_expect_rparen(w);
  }
  if (run_len) {
    wb_u32(w, &runs, run_len);
    wat_put_valtype(m, &runs, run_type);
    nruns++;
  }
  wb_u32(w, decl, nruns);
  wb_bytes(w, decl, runs.p, runs.len);
  wb_free(w, &runs);
}

static void field_func(struct wmod *m) {
  struct wat *w = m->w;
  struct wfunc f;
  struct wbuf body = {0};
  wat_opt_id(m);
  uint32_t idx = m->cur[SP_FUNC]++;
  inline_exports(m, 0, idx);
  if (inline_import(m, 0))
    return;
  wat_func_init(m, &f, &body);
  uint32_t np;
  uint32_t type = wat_typeuse(m, &f.locals, &np);
  f.nlocals = np;
  wb_u32(w, &m->sec[SEC_FUNC], type);
  m->nitems[SEC_FUNC]++;
  locals(m, &f, &body);
  wat_instrs(m, &f);
  if (f.nlabels)
    wat_fail(w, w->pos, "unexpected ), a block is not closed by end");
  wb_byte(w, &body, 0x0b);
  wb_vec(w, &m->sec[SEC_CODE], &body);
  m->nitems[SEC_CODE]++;
  wb_free(w, &body);
  wat_free(w, f.labels);
  wat_free(w, f.locals.slots);
  wat_free(w, f.label_ids.slots);
}

static void field_global(struct wmod *m) {
  wat_opt_id(m);
  uint32_t idx = m->cur[SP_GLOBAL]++;
  inline_exports(m, 3, idx);
  if (inline_import(m, 3))
    return;
  global_type(m, &m->sec[SEC_GLOBAL]);
  wat_const_expr(m, &m->sec[SEC_GLOBAL]);
  m->nitems[SEC_GLOBAL]++;
}

/* elemexpr*: (item instr*) or one folded instruction each; returns n. */
static uint32_t elem_exprs(struct wmod *m, struct wbuf *b) {
  struct wat *w = m->w;
  uint32_t n = 0;
  while (wat_peek(w)->kind == TOK_LPAREN) {
    if (wat_at_field(w, "item")) {
      w->pos += 2;
      wat_const_expr(m, b);
      wat_expect_rparen(w);
    } else {
      wat_offset(m, b); /* one folded instruction, then end */
    }
    n++;
  }
  return n;
}

static uint32_t func_indices(struct wmod *m, struct wbuf *b) {
  uint32_t n = 0;
  while (wat_at_index(m)) {
    wb_u32(m->w, b, wat_index(m, SP_FUNC));
    n++;
  }
  return n;
}

enum elem_mode { ELEM_ACTIVE, ELEM_PASSIVE, ELEM_DECLARE };

/* Writes one element segment: flags from the mode, table, and the list's
** form (function indices or expressions). */
static void elem_segment(struct wmod *m, enum elem_mode mode, uint32_t table,
                         const struct wbuf *offset, uint32_t reftype,
                         bool exprs, const struct wbuf *items, uint32_t n) {
  struct wat *w = m->w;
  struct wbuf *b = &m->sec[SEC_ELEM];
  uint32_t flags = mode == ELEM_PASSIVE ? 1 : mode == ELEM_DECLARE ? 3 : 0;
  bool explicit_table =
      mode == ELEM_ACTIVE && (table != 0 || (exprs && reftype != 0x70));
  if (explicit_table)
    flags = 2;
  if (exprs)
    flags |= 4;
  wb_u32(w, b, flags);
  if (explicit_table)
    wb_u32(w, b, table);
  if (mode == ELEM_ACTIVE)
    wb_bytes(w, b, offset->p, offset->len);
  if (mode != ELEM_ACTIVE || explicit_table) {
    if (exprs)
      wat_put_valtype(m, b, reftype);
    else
      wb_byte(w, b, 0x00);
  }
  wb_u32(w, b, n);
  wb_bytes(w, b, items->p, items->len);
  m->nitems[SEC_ELEM]++;
}

static void field_elem(struct wmod *m) {
  struct wat *w = m->w;
  struct wbuf offset = {0}, items = {0};
  enum elem_mode mode = ELEM_PASSIVE;
  uint32_t table = 0, reftype = 0x70, n;
  bool exprs;
  wat_opt_id(m);
  m->cur[SP_ELEM]++;
  if (wat_is_kw(w, wat_peek(w), "declare")) {
    mode = ELEM_DECLARE;
    w->pos++;
  } else if (wat_at_field(w, "table")) {
    w->pos += 2;
    table = wat_index(m, SP_TABLE);
    wat_expect_rparen(w);
    mode = ELEM_ACTIVE;
    wat_offset(m, &offset);
  } else if (wat_peek(w)->kind == TOK_NUM ||
             (wat_peek(w)->kind == TOK_LPAREN && !wat_at_field(w, "ref"))) {
    /* an offset, unless the paren is a (ref ...) element type */
    if (wat_peek(w)->kind == TOK_NUM)
      table = wat_index(m, SP_TABLE);
    mode = ELEM_ACTIVE;
    wat_offset(m, &offset);
  }
  if (wat_is_kw(w, wat_peek(w), "func")) {
    w->pos++;
    exprs = false;
    n = func_indices(m, &items);
  } else if (wat_at_reftype(m)) {
    reftype = wat_reftype(m);
    exprs = true;
    n = elem_exprs(m, &items);
  } else if (mode == ELEM_ACTIVE) {
    exprs = false; /* the 1.0 form: (elem (offset) funcidx*) */
    n = func_indices(m, &items);
  } else {
    wat_fail(w, w->pos, "unexpected token, expected an element list");
  }
  elem_segment(m, mode, table, &offset, reftype, exprs, &items, n);
  wb_free(w, &offset);
  wb_free(w, &items);
}

/* (table ... reftype (elem ...)): a table exactly as large as its list. */
/* The offset 0 of an abbreviated segment, in the index type's width. */
static void zero_offset(struct wmod *m, struct wbuf *b, bool is64) {
  wb_byte(m->w, b, is64 ? 0x42 : 0x41);
  wb_byte(m->w, b, 0x00);
  wb_byte(m->w, b, 0x0b);
}

/* `i64` before an abbreviated table or memory (table64, memory64). */
static bool index_type_64(struct wmod *m) {
  struct wat *w = m->w;
  if (wat_is_kw(w, wat_peek(w), "i64")) {
    w->pos++;
    return true;
  }
  if (wat_is_kw(w, wat_peek(w), "i32"))
    w->pos++;
  return false;
}

/* Function indices as ref.func expressions: the element list of a table
** whose type is not plain funcref (typed function references), where
** indices would have type (ref func). */
static uint32_t func_index_exprs(struct wmod *m, struct wbuf *b) {
  uint32_t n = 0;
  while (wat_at_index(m)) {
    wb_byte(m->w, b, 0xd2);
    wb_u32(m->w, b, wat_index(m, SP_FUNC));
    wb_byte(m->w, b, 0x0b);
    n++;
  }
  return n;
}

static void table_inline_elem(struct wmod *m, uint32_t idx, bool is64) {
  struct wat *w = m->w;
  struct wbuf offset = {0}, items = {0};
  uint32_t reftype = wat_reftype(m), n;
  wat_expect_lparen_kw(w, "elem");
  bool exprs = wat_peek(w)->kind == TOK_LPAREN || reftype != 0x70;
  if (wat_peek(w)->kind == TOK_LPAREN)
    n = elem_exprs(m, &items);
  else if (exprs)
    n = func_index_exprs(m, &items);
  else
    n = func_indices(m, &items);
  wat_expect_rparen(w);
  struct wbuf *b = &m->sec[SEC_TABLE];
  wat_put_valtype(m, b, reftype);
  wb_byte(w, b, is64 ? 5 : 1);
  wb_u32(w, b, n);
  wb_u32(w, b, n);
  zero_offset(m, &offset, is64);
  m->cur[SP_ELEM]++;
  elem_segment(m, ELEM_ACTIVE, idx, &offset, reftype, exprs, &items, n);
  wb_free(w, &offset);
  wb_free(w, &items);
}

static void field_table(struct wmod *m) {
  wat_opt_id(m);
  uint32_t idx = m->cur[SP_TABLE]++;
  inline_exports(m, 1, idx);
  if (inline_import(m, 1))
    return;
  m->nitems[SEC_TABLE]++;
  uint32_t save = m->w->pos;
  bool is64 = index_type_64(m);
  if (wat_at_reftype(m)) {
    table_inline_elem(m, idx, is64);
    return;
  }
  m->w->pos = save; /* the limits read the index type themselves */
  struct wbuf type = {0};
  table_type(m, &type);
  if (wat_peek(m->w)->kind == TOK_LPAREN) {
    /* 3.0: an initial value for every element */
    wb_byte(m->w, &m->sec[SEC_TABLE], 0x40);
    wb_byte(m->w, &m->sec[SEC_TABLE], 0x00);
    wb_bytes(m->w, &m->sec[SEC_TABLE], type.p, type.len);
    wat_const_expr(m, &m->sec[SEC_TABLE]);
  } else {
    wb_bytes(m->w, &m->sec[SEC_TABLE], type.p, type.len);
  }
  wb_free(m->w, &type);
}

static void data_segment(struct wmod *m, bool active, uint32_t mem,
                         const struct wbuf *offset, const struct wbuf *bytes) {
  struct wat *w = m->w;
  struct wbuf *b = &m->sec[SEC_DATA];
  if (!active) {
    wb_byte(w, b, 1);
  } else if (mem == 0) {
    wb_byte(w, b, 0);
  } else {
    wb_byte(w, b, 2);
    wb_u32(w, b, mem);
  }
  if (active)
    wb_bytes(w, b, offset->p, offset->len);
  wb_vec(w, b, bytes);
  m->nitems[SEC_DATA]++;
}

static void data_strings(struct wmod *m, struct wbuf *bytes) {
  struct wat *w = m->w;
  while (wat_peek(w)->kind == TOK_STRING)
    wat_string(w, w->pos++, bytes);
}

static void field_memory(struct wmod *m) {
  struct wat *w = m->w;
  wat_opt_id(m);
  uint32_t idx = m->cur[SP_MEM]++;
  inline_exports(m, 2, idx);
  if (inline_import(m, 2))
    return;
  m->nitems[SEC_MEM]++;
  uint32_t save = w->pos;
  bool is64 = index_type_64(m);
  if (!wat_at_field(w, "data")) {
    w->pos = save; /* the limits read the index type themselves */
    wat_limits(m, &m->sec[SEC_MEM], true);
    return;
  }
  struct wbuf bytes = {0}, offset = {0};
  w->pos += 2;
  data_strings(m, &bytes);
  wat_expect_rparen(w);
  uint64_t pages = (bytes.len + 65535) / 65536;
  struct wbuf *b = &m->sec[SEC_MEM];
  wb_byte(w, b, is64 ? 5 : 1);
  wb_u64(w, b, pages);
  wb_u64(w, b, pages);
  zero_offset(m, &offset, is64);
  m->cur[SP_DATA]++;
  data_segment(m, true, idx, &offset, &bytes);
  wb_free(w, &bytes);
  wb_free(w, &offset);
}

static void field_data(struct wmod *m) {
  struct wat *w = m->w;
  struct wbuf bytes = {0}, offset = {0};
  uint32_t mem = 0;
  bool active = false;
  wat_opt_id(m);
  m->cur[SP_DATA]++;
  if (wat_at_field(w, "memory")) {
    w->pos += 2;
    mem = wat_index(m, SP_MEM);
    wat_expect_rparen(w);
    active = true;
  } else if (wat_at_index(m)) {
    mem = wat_index(m, SP_MEM);
    active = true;
  }
  if (active || wat_peek(w)->kind == TOK_LPAREN) {
    active = true;
    wat_offset(m, &offset);
  }
  data_strings(m, &bytes);
  data_segment(m, active, mem, &offset, &bytes);
  wb_free(w, &bytes);
  wb_free(w, &offset);
}

static void field_tag(struct wmod *m) {
  wat_opt_id(m);
  uint32_t idx = m->cur[SP_TAG]++;
  inline_exports(m, 4, idx);
  if (inline_import(m, 4))
    return;
  tag_type(m, &m->sec[SEC_TAG]);
  m->nitems[SEC_TAG]++;
}

static void field_start(struct wmod *m) {
  if (m->nitems[SEC_START])
    wat_fail(m->w, m->w->pos, "multiple start sections");
  wb_u32(m->w, &m->sec[SEC_START], wat_index(m, SP_FUNC));
  m->nitems[SEC_START] = 1;
}

static void encode_field(struct wmod *m) {
  struct wat *w = m->w;
  uint32_t at = w->pos, end = w->toks[at].match;
  static const struct {
    const char *kw;
    void (*fn)(struct wmod *);
  } fields[] = {{"func", field_func},     {"import", field_import},
                {"export", field_export}, {"table", field_table},
                {"memory", field_memory}, {"global", field_global},
                {"elem", field_elem},     {"data", field_data},
                {"start", field_start},   {"tag", field_tag}};
  if (wat_is_kw(w, wat_peek_at(w, 1), "type") ||
      wat_is_kw(w, wat_peek_at(w, 1), "rec")) {
    w->pos = end + 1; /* read in pass 1 */
    return;
  }
  w->pos += 2;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (wat_is_kw(w, &w->toks[at + 1], fields[i].kw)) {
      fields[i].fn(m);
      break;
    }
  wat_expect_rparen(w);
}

/* ---- assembly
 * ---------------------------------------------------------------- */

/* One entry per type, or per (rec ...) group of them. */
static void type_section(struct wmod *m) {
  struct wbuf *b = &m->sec[SEC_TYPE];
  uint32_t entries = m->empty_recs;
  for (uint32_t k = 0; k < m->empty_recs; k++) {
    wb_byte(m->w, b, 0x4e); /* empty groups first: they define nothing */
    wb_u32(m->w, b, 0);
  }
  for (uint32_t i = 0; i < m->ntypes; entries++) {
    const struct ftype *t = &m->types[i];
    uint32_t n = t->rec ? t->rec : 1;
    if (t->rec) {
      wb_byte(m->w, b, 0x4e);
      wb_u32(m->w, b, n);
    }
    for (uint32_t k = 0; k < n; k++)
      wat_put_typedef(m, b, &m->types[i + k]);
    i += n;
  }
  m->nitems[SEC_TYPE] = entries;
}

static void put_section(struct wmod *m, struct wbuf *out, enum wat_sec id,
                        bool always) {
  struct wat *w = m->w;
  struct wbuf body = {0};
  if (!m->nitems[id] && !always)
    return;
  if (id != SEC_START)
    wb_u32(w, &body, m->nitems[id]);
  wb_bytes(w, &body, m->sec[id].p, m->sec[id].len);
  wb_byte(w, out, id == SEC_DATACOUNT ? 12 : (uint8_t)id);
  wb_vec(w, out, &body);
  wb_free(w, &body);
}

static void assemble(struct wmod *m, struct wbuf *out) {
  static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  static const enum wat_sec order[] = {
      SEC_TYPE,      SEC_IMPORT, SEC_FUNC,   SEC_TABLE, SEC_MEM,
      SEC_TAG,       SEC_GLOBAL, SEC_EXPORT, SEC_START, SEC_ELEM,
      SEC_DATACOUNT, SEC_CODE,   SEC_DATA};
  type_section(m);
  m->nitems[SEC_DATACOUNT] = m->cur[SP_DATA];
  wb_bytes(m->w, out, header, sizeof header);
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    enum wat_sec id = order[i];
    if (id == SEC_DATACOUNT) {
      if (m->uses_data_count) /* needed by memory.init / data.drop only */
        put_section(m, out, id, true);
    } else if (id == SEC_START) {
      if (m->nitems[SEC_START]) {
        wb_byte(m->w, out, SEC_START);
        wb_vec(m->w, out, &m->sec[SEC_START]);
      }
    } else {
      put_section(m, out, id, false);
    }
  }
}

/* The ids of the types in (rec ...) at token `at`, numbered from n;
** returns the next number. Malformed groups are left to pass 1. */
static uint32_t bind_rec_ids(struct wmod *m, uint32_t at, uint32_t n) {
  struct wat *w = m->w;
  for (uint32_t k = at + 2; k < w->toks[at].match; k = w->toks[k].match + 1) {
    if (w->toks[k].kind != TOK_LPAREN)
      break;
    if (wat_is_kw(w, &w->toks[k + 1], "type"))
      bind_id(m, SP_TYPE, k + 2, n++);
  }
  return n;
}

/* Type ids first, so that types may refer to later ones ((ref $t)). */
static void bind_type_ids(struct wmod *m, uint32_t start, uint32_t end) {
  struct wat *w = m->w;
  uint32_t n = 0;
  for (uint32_t i = start; i < end; i++) {
    if (w->toks[i].kind != TOK_LPAREN)
      continue;
    if (wat_is_kw(w, &w->toks[i + 1], "type"))
      bind_id(m, SP_TYPE, i + 2, n++);
    else if (wat_is_kw(w, &w->toks[i + 1], "rec"))
      n = bind_rec_ids(m, i, n);
    i = w->toks[i].match;
  }
}

/* Encodes the fields from w->pos up to token `end` (a ')' or EOF). */
void wat_fields(struct wat *w, uint32_t end, struct wbuf *out) {
  struct wmod m;
  struct scan_state st = {-1};
  memset(&m, 0, sizeof m);
  m.w = w;
  uint32_t start = w->pos;
  bind_type_ids(&m, start, end);
  while (w->pos < end) {
    if (wat_peek(w)->kind != TOK_LPAREN)
      wat_expect(w, TOK_LPAREN, "a module field");
    scan_field(&m, &st);
  }
  w->pos = start;
  while (w->pos < end)
    encode_field(&m);
  assemble(&m, out);
}
