/*
** wat_instr.c — instructions: plain and folded forms, block structure and
** labels, and every immediate (indices, memargs, constants, v128 shapes,
** lanes, block types). Plain blocks are tracked on a label stack, folded
** forms recurse (bounded by WEFT_TEXT_MAX_DEPTH).
*/
#include <string.h>

#include "wat_mod.h"

void wat_func_init(struct wmod *m, struct wfunc *f, struct wbuf *code) {
  (void)m;
  memset(f, 0, sizeof *f);
  f->code = code;
}

/* ---- labels ----------------------------------------------------------- */

static void push_label(struct wmod *m, struct wfunc *f, uint32_t id,
                       uint8_t kind) {
  if (f->nlabels >= 65536)
    wat_fail(m->w, m->w->pos, "blocks nested deeper than 65536");
  if (f->nlabels == f->labels_cap) {
    f->labels_cap = f->labels_cap ? f->labels_cap * 2 : 16;
    f->labels = wat_realloc(m->w, f->labels, f->labels_cap * sizeof *f->labels);
  }
  struct wat_label *l = &f->labels[f->nlabels];
  l->id = id;
  l->kind = kind;
  l->shadowed = IDMAP_NONE;
  if (id != UINT32_MAX) {
    struct wat_name n = wat_id(m->w, id);
    l->shadowed = idmap_get(&f->label_ids, n.s, n.len);
    idmap_set(m->w, &f->label_ids, n.s, n.len, f->nlabels);
  }
  f->nlabels++;
}

/* Closes the innermost label; a name it hid is visible again. */
static void pop_label(struct wmod *m, struct wfunc *f) {
  const struct wat_label *l = &f->labels[--f->nlabels];
  if (l->id != UINT32_MAX) {
    struct wat_name n = wat_id(m->w, l->id);
    idmap_set(m->w, &f->label_ids, n.s, n.len, l->shadowed);
  }
}

static bool same_id(const struct wat *w, uint32_t a, uint32_t b) {
  struct wat_name x = wat_id(w, a), y = wat_id(w, b);
  return x.len == y.len && memcmp(x.s, y.s, x.len) == 0;
}

/* `end $l` / `else $l`: the label, when written, must be the block's. */
static void check_end_label(struct wmod *m, struct wfunc *f) {
  struct wat *w = m->w;
  if (wat_peek(w)->kind != TOK_ID)
    return;
  uint32_t id = f->labels[f->nlabels - 1].id;
  if (id == UINT32_MAX || !same_id(w, id, w->pos))
    wat_fail(w, w->pos, "mismatching label");
  w->pos++;
}

static uint32_t label_index(struct wmod *m, struct wfunc *f) {
  struct wat *w = m->w;
  const struct wat_tok *t = wat_peek(w);
  if (t->kind == TOK_NUM)
    return wat_u32(w, w->pos++);
  if (t->kind != TOK_ID)
    wat_expect(w, TOK_ID, "a label");
  struct wat_name n = wat_id(w, w->pos);
  uint32_t i = idmap_get(&f->label_ids, n.s, n.len);
  if (i == IDMAP_NONE)
    wat_fail(w, w->pos, "unknown label %.*s", (int)t->len, w->src + t->off);
  w->pos++;
  return f->nlabels - 1 - i;
}

static uint32_t local_index(struct wmod *m, struct wfunc *f) {
  struct wat *w = m->w;
  const struct wat_tok *t = wat_peek(w);
  if (t->kind == TOK_NUM)
    return wat_u32(w, w->pos++);
  if (t->kind != TOK_ID)
    wat_expect(w, TOK_ID, "a local");
  struct wat_name n = wat_id(w, w->pos);
  uint32_t i = idmap_get(&f->locals, n.s, n.len);
  if (i == IDMAP_NONE)
    wat_fail(w, w->pos, "unknown local %.*s", (int)t->len, w->src + t->off);
  w->pos++;
  return i;
}

/* ---- immediates -------------------------------------------------------- */

static void block_type(struct wmod *m, struct wbuf *b) {
  struct wat *w = m->w;
  uint32_t save = w->pos;
  if (!wat_at_field(w, "type")) {
    struct ftype ft;
    wat_params_results(m, &ft, NULL);
    if (ft.np == 0 && ft.nr <= 1) {
      if (ft.nr)
        wat_put_valtype(m, b, ft.results[0]);
      else
        wb_byte(w, b, 0x40);
      return;
    }
    w->pos = save;
  }
  uint32_t np;
  wb_s64(w, b, wat_typeuse(m, NULL, &np));
}

static bool has_prefix(const struct wat *w, const struct wat_tok *t,
                       const char *prefix) {
  size_t n = strlen(prefix);
  return t->kind == TOK_KEYWORD && t->len > n &&
         memcmp(w->src + t->off, prefix, n) == 0;
}

static void memarg(struct wmod *m, struct wbuf *b, unsigned natural,
                   bool lane) {
  struct wat *w = m->w;
  uint32_t mem = 0;
  uint64_t offset = 0, align = 1ull << natural;
  const struct wat_tok *t = wat_peek(w), *next = wat_peek_at(w, 1);
  /* a memory index, unless the number is the lane of a lane access */
  if (t->kind == TOK_ID ||
      (t->kind == TOK_NUM &&
       (!lane || next->kind == TOK_NUM || has_prefix(w, next, "offset=") ||
        has_prefix(w, next, "align=")))) {
    mem = wat_index(m, SP_MEM);
    t = wat_peek(w);
  }
  if (has_prefix(w, t, "offset=")) {
    offset = wat_u64_after(w, w->pos++, 7);
    if (offset > UINT32_MAX && w->version < WEFT_TEXT_3_0)
      wat_fail(w, w->pos - 1, "offset out of range");
    t = wat_peek(w);
  }
  if (has_prefix(w, t, "align=")) {
    align = wat_u64_after(w, w->pos, 6);
    if (align == 0 || (align & (align - 1)))
      wat_fail(w, w->pos, "alignment must be a power of two");
    w->pos++;
  }
  uint32_t log2 = 0;
  while ((1ull << log2) < align)
    log2++;
  if (mem) {
    wb_u32(w, b, log2 | 0x40);
    wb_u32(w, b, mem);
  } else {
    wb_u32(w, b, log2);
  }
  wb_u64(w, b, offset);
}

static uint8_t lane_index(struct wmod *m) {
  struct wat *w = m->w;
  uint32_t v = wat_u32(w, w->pos);
  if (v > 255)
    wat_fail(w, w->pos, "lane index out of range");
  w->pos++;
  return (uint8_t)v;
}

static const struct {
  const char *name;
  unsigned bits, count;
  bool is_float;
} shapes[] = {{"i8x16", 8, 16, false}, {"i16x8", 16, 8, false},
              {"i32x4", 32, 4, false}, {"i64x2", 64, 2, false},
              {"f32x4", 32, 4, true},  {"f64x2", 64, 2, true}};

static void v128_const(struct wmod *m, struct wbuf *b) {
  struct wat *w = m->w;
  size_t s = 0;
  while (s < sizeof shapes / sizeof shapes[0] &&
         !wat_is_kw(w, wat_peek(w), shapes[s].name))
    s++;
  if (s == sizeof shapes / sizeof shapes[0])
    wat_fail(w, w->pos, "unexpected token, expected a v128 shape");
  w->pos++;
  for (unsigned i = 0; i < shapes[s].count; i++) {
    uint64_t v;
    if (shapes[s].is_float)
      v = shapes[s].bits == 32 ? wat_f32(w, w->pos) : wat_f64(w, w->pos);
    else
      v = wat_int(w, w->pos, shapes[s].bits);
    w->pos++;
    for (unsigned k = 0; k < shapes[s].bits / 8; k++)
      wb_byte(w, b, (uint8_t)(v >> (8 * k)));
  }
}

static void select_types(struct wmod *m, struct wbuf *b) {
  struct wat *w = m->w;
  struct wbuf types = {0};
  uint32_t n = 0;
  bool any = false;
  while (wat_at_field(w, "result")) {
    any = true;
    w->pos += 2;
    while (wat_peek(w)->kind != TOK_RPAREN) {
      wat_put_valtype(m, &types, wat_valtype(m));
      n++;
    }
    wat_expect_rparen(w);
  }
  if (!any) {
    wb_byte(w, b, 0x1b);
    return;
  }
  wb_byte(w, b, 0x1c);
  wb_u32(w, b, n);
  wb_bytes(w, b, types.p, types.len);
  wb_free(w, &types);
}

static void br_table(struct wmod *m, struct wfunc *f, struct wbuf *b) {
  struct wat *w = m->w;
  struct wbuf targets = {0};
  uint32_t n = 0, last = 0;
  if (!wat_at_index(m))
    wat_fail(w, w->pos, "unexpected token, expected a label");
  while (wat_at_index(m)) {
    if (n)
      wb_u32(w, &targets, last);
    last = label_index(m, f);
    n++;
  }
  wb_u32(w, b, n - 1);
  wb_bytes(w, b, targets.p, targets.len);
  wb_u32(w, b, last);
  wb_free(w, &targets);
}

static uint32_t opt_index(struct wmod *m, enum wat_space sp) {
  return wat_at_index(m) ? wat_index(m, sp) : 0;
}

static void heap_type(struct wmod *m, struct wbuf *b) {
  wat_put_heap_type(m, b, wat_heap_type(m));
}

static bool index_tok(const struct wat_tok *t) {
  return t->kind == TOK_ID || t->kind == TOK_NUM;
}

/* table.init: `elem` alone or `table elem`. */
static void table_init(struct wmod *m, struct wbuf *b) {
  uint32_t table = 0;
  if (index_tok(wat_peek_at(m->w, 1)))
    table = wat_index(m, SP_TABLE);
  wb_u32(m->w, b, wat_index(m, SP_ELEM));
  wb_u32(m->w, b, table);
}

static void two_indices(struct wmod *m, struct wbuf *b, enum wat_space sp) {
  uint32_t a = 0, c = 0;
  if (wat_at_index(m)) {
    a = wat_index(m, sp);
    c = wat_index(m, sp);
  }
  wb_u32(m->w, b, a);
  wb_u32(m->w, b, c);
}

/* Writes op's immediates (the opcode is already in b). */
static void immediates(struct wmod *m, struct wfunc *f, const struct wat_op *op,
                       struct wbuf *b) {
  struct wat *w = m->w;
  uint32_t np, mem, v;
  switch ((enum wat_imm)op->imm) {
  case IMM_NONE: return;
  case IMM_BLOCK: block_type(m, b); return;
  case IMM_ELSE:
  case IMM_END: return;
  case IMM_LABEL: wb_u32(w, b, label_index(m, f)); return;
  case IMM_BR_TABLE: br_table(m, f, b); return;
  case IMM_FUNC: wb_u32(w, b, wat_index(m, SP_FUNC)); return;
  case IMM_CALL_INDIRECT:
    v = opt_index(m, SP_TABLE);
    wb_u32(w, b, wat_typeuse(m, NULL, &np));
    wb_u32(w, b, v);
    return;
  case IMM_SELECT: return; /* written with the opcode */
  case IMM_LOCAL: wb_u32(w, b, local_index(m, f)); return;
  case IMM_GLOBAL: wb_u32(w, b, wat_index(m, SP_GLOBAL)); return;
  case IMM_TABLE: wb_u32(w, b, opt_index(m, SP_TABLE)); return;
  case IMM_TABLE2: two_indices(m, b, SP_TABLE); return;
  case IMM_TABLE_INIT: table_init(m, b); return;
  case IMM_ELEM: wb_u32(w, b, wat_index(m, SP_ELEM)); return;
  case IMM_MEM: wb_u32(w, b, opt_index(m, SP_MEM)); return;
  case IMM_MEM2: two_indices(m, b, SP_MEM); return;
  case IMM_MEM_INIT:
    m->uses_data_count = true;
    mem = index_tok(wat_peek_at(w, 1)) ? wat_index(m, SP_MEM) : 0;
    wb_u32(w, b, wat_index(m, SP_DATA));
    wb_u32(w, b, mem);
    return;
  case IMM_DATA:
    m->uses_data_count = true;
    wb_u32(w, b, wat_index(m, SP_DATA));
    return;
  case IMM_MEMARG: memarg(m, b, op->arg, false); return;
  case IMM_MEMARG_LANE:
    memarg(m, b, op->arg, true);
    wb_byte(w, b, lane_index(m));
    return;
  case IMM_LANE: wb_byte(w, b, lane_index(m)); return;
  case IMM_I32:
    wb_s32(w, b, (int32_t)(uint32_t)wat_int(w, w->pos++, 32));
    return;
  case IMM_I64: wb_s64(w, b, (int64_t)wat_int(w, w->pos++, 64)); return;
  case IMM_F32: {
    uint32_t bits = wat_f32(w, w->pos++);
    uint8_t le[4] = {(uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16),
                     (uint8_t)(bits >> 24)};
    wb_bytes(w, b, le, 4);
    return;
  }
  case IMM_F64: {
    uint64_t bits = wat_f64(w, w->pos++);
    for (int k = 0; k < 8; k++)
      wb_byte(w, b, (uint8_t)(bits >> (8 * k)));
    return;
  }
  case IMM_V128: v128_const(m, b); return;
  case IMM_SHUFFLE:
    for (int k = 0; k < 16; k++)
      wb_byte(w, b, lane_index(m));
    return;
  case IMM_HEAPTYPE: heap_type(m, b); return;
  case IMM_TAG: wb_u32(w, b, wat_index(m, SP_TAG)); return;
  case IMM_CATCH:
  case IMM_DELEGATE: return; /* block structure: plain() and folded_try() */
  case IMM_TYPE_FIELD:
    v = wat_index(m, SP_TYPE);
    wb_u32(w, b, v);
    wb_u32(w, b, wat_field_index(m, v));
    return;
  case IMM_TYPE_TYPE:
    wb_u32(w, b, wat_index(m, SP_TYPE));
    wb_u32(w, b, wat_index(m, SP_TYPE));
    return;
  case IMM_TYPE_N:
    wb_u32(w, b, wat_index(m, SP_TYPE));
    wb_u32(w, b, wat_u32(w, w->pos++));
    return;
  case IMM_TYPE_DATA:
    wb_u32(w, b, wat_index(m, SP_TYPE));
    wb_u32(w, b, wat_index(m, SP_DATA));
    m->uses_data_count = true;
    return;
  case IMM_TYPE_ELEM:
    wb_u32(w, b, wat_index(m, SP_TYPE));
    wb_u32(w, b, wat_index(m, SP_ELEM));
    return;
  case IMM_REFTYPE:
  case IMM_BR_CAST: return; /* written with the opcode: cast_op() */
  case IMM_TYPE: wb_u32(w, b, wat_index(m, SP_TYPE)); return;
  }
}

/* A reference type as (nullable, heap type). */
static uint32_t cast_type(struct wmod *m, bool *nullable) {
  uint32_t t = wat_reftype(m);
  if (t <= 0xff) { /* a shorthand: nullable, its code is the heap type */
    *nullable = true;
    return t;
  }
  *nullable = (t & 0xff) == 0x63;
  return t >> 8;
}

/* ref.test/ref.cast rt (the opcode + 1 when rt is nullable) and
** br_on_cast(_fail) l rt1 rt2 (flags: bit 0 rt1 nullable, bit 1 rt2). */
static void cast_op(struct wmod *m, struct wfunc *f, const struct wat_op *op,
                    struct wbuf *b) {
  bool null1, null2;
  if (op->imm == IMM_REFTYPE) {
    uint32_t heap = cast_type(m, &null1);
    wat_emit_opcode(m->w, b, op->opcode + null1);
    wat_put_heap_type(m, b, heap);
    return;
  }
  uint32_t label = label_index(m, f);
  uint32_t h1 = cast_type(m, &null1), h2 = cast_type(m, &null2);
  wat_emit_opcode(m->w, b, op->opcode);
  wb_byte(m->w, b, (uint8_t)(null1 | null2 << 1));
  wb_u32(m->w, b, label);
  wat_put_heap_type(m, b, h1);
  wat_put_heap_type(m, b, h2);
}

/* The opcode and immediates of a plain (non-block) instruction. */
static void plain_op(struct wmod *m, struct wfunc *f, const struct wat_op *op,
                     struct wbuf *b) {
  if (op->imm == IMM_SELECT) {
    select_types(m, b);
    return;
  }
  if (op->imm == IMM_REFTYPE || op->imm == IMM_BR_CAST) {
    cast_op(m, f, op, b);
    return;
  }
  wat_emit_opcode(m->w, b, op->opcode);
  immediates(m, f, op, b);
}

static const struct wat_op *instr_name(struct wmod *m) {
  struct wat *w = m->w;
  const struct wat_op *op = wat_op_find(w, w->pos);
  if (!op) {
    const struct wat_tok *t = wat_peek(w);
    if (t->kind == TOK_EOF)
      wat_fail(w, w->pos, "unexpected end, expected an instruction");
    wat_fail(w, w->pos, "unknown operator %.*s",
             (int)(t->len > 40 ? 40 : t->len), w->src + t->off);
  }
  w->pos++;
  return op;
}

/* try_table's handlers: (catch tag label) (catch_ref tag label)
** (catch_all label) (catch_all_ref label); their labels are those around
** the try_table, so they are read before its own label is pushed. */
static void catches(struct wmod *m, struct wfunc *f, struct wbuf *b) {
  static const char *const kinds[] = {"catch", "catch_ref", "catch_all",
                                      "catch_all_ref"};
  struct wat *w = m->w;
  struct wbuf v = {0};
  uint32_t n = 0;
  for (;;) {
    int k = 0;
    while (k < 4 && !wat_at_field(w, kinds[k]))
      k++;
    if (k == 4)
      break;
    w->pos += 2;
    wb_byte(w, &v, (uint8_t)k);
    if (k < 2)
      wb_u32(w, &v, wat_index(m, SP_TAG));
    wb_u32(w, &v, label_index(m, f));
    wat_expect_rparen(w);
    n++;
  }
  wb_u32(w, b, n);
  wb_bytes(w, b, v.p, v.len);
  wb_free(w, &v);
}

/* block, loop, if (the plain form) and try_table: opcode, block type and
** handlers; the caller pushes the label. */
static void block_start(struct wmod *m, struct wfunc *f,
                        const struct wat_op *op) {
  wat_emit_opcode(m->w, f->code, op->opcode);
  block_type(m, f->code);
  if (op->opcode == 0x1f)
    catches(m, f, f->code);
}

/* ---- legacy exception handling ------------------------------------------
** try bt instr* (catch $tag instr*)* (catch_all instr*)? end, or
** try bt instr* delegate $label; catch clauses continue the try's block
** (like else), delegate ends it and names a label outside it. */

static void block_body(struct wmod *m, struct wfunc *f, uint32_t id,
                       uint8_t kind);

static void legacy_catch(struct wmod *m, struct wfunc *f,
                         const struct wat_op *op, uint32_t at) {
  struct wat *w = m->w;
  uint8_t kind =
      f->nlabels > f->floor ? f->labels[f->nlabels - 1].kind : LABEL_BLOCK;
  if (kind != LABEL_TRY && kind != LABEL_CATCH)
    wat_fail(w, at, "%s without a matching try", op->name);
  check_end_label(m, f);
  wat_emit_opcode(w, f->code, op->opcode);
  if (op->opcode == 0x07)
    wb_u32(w, f->code, wat_index(m, SP_TAG));
  f->labels[f->nlabels - 1].kind =
      op->opcode == 0x07 ? LABEL_CATCH : LABEL_CATCH_ALL;
}

static void legacy_delegate(struct wmod *m, struct wfunc *f, uint32_t at) {
  struct wat *w = m->w;
  if (f->nlabels <= f->floor || f->labels[f->nlabels - 1].kind != LABEL_TRY)
    wat_fail(w, at, "delegate without a matching try");
  pop_label(m, f);
  wb_byte(w, f->code, 0x18);
  wb_u32(w, f->code, label_index(m, f));
}

/* (try $l? bt (do instr*) (catch $e instr*)* (catch_all instr*)?) or
** (try $l? bt (do instr*) (delegate $l)) */
static void folded_try(struct wmod *m, struct wfunc *f) {
  struct wat *w = m->w;
  uint32_t id = wat_opt_id(m);
  wb_byte(w, f->code, 0x06);
  block_type(m, f->code);
  wat_expect_lparen_kw(w, "do");
  block_body(m, f, id, LABEL_TRY);
  wat_expect_rparen(w);
  if (wat_at_field(w, "delegate")) {
    w->pos += 2;
    pop_label(m, f);
    wb_byte(w, f->code, 0x18);
    wb_u32(w, f->code, label_index(m, f));
    wat_expect_rparen(w);
    return;
  }
  while (wat_at_field(w, "catch") || wat_at_field(w, "catch_all")) {
    bool all = wat_at_field(w, "catch_all");
    w->pos += 2;
    wb_byte(w, f->code, all ? 0x19 : 0x07);
    if (!all)
      wb_u32(w, f->code, wat_index(m, SP_TAG));
    pop_label(m, f);
    block_body(m, f, id, LABEL_TRY);
    wat_expect_rparen(w);
    if (all)
      break;
  }
  pop_label(m, f);
  wb_byte(w, f->code, 0x0b);
}

/* ---- plain instructions ---------------------------------------------- */

static void plain(struct wmod *m, struct wfunc *f) {
  struct wat *w = m->w;
  uint32_t at = w->pos;
  const struct wat_op *op = instr_name(m);
  switch (op->imm) {
  case IMM_BLOCK: {
    uint32_t id = wat_opt_id(m);
    block_start(m, f, op);
    push_label(m, f, id,
               op->opcode == 0x04   ? LABEL_IF
               : op->opcode == 0x06 ? LABEL_TRY
                                    : LABEL_BLOCK);
    return;
  case IMM_CATCH: legacy_catch(m, f, op, at); return;
  case IMM_DELEGATE: legacy_delegate(m, f, at); return;
  }
  case IMM_ELSE:
    if (f->nlabels <= f->floor || f->labels[f->nlabels - 1].kind != LABEL_IF)
      wat_fail(w, at, "else without a matching if");
    check_end_label(m, f);
    f->labels[f->nlabels - 1].kind = LABEL_ELSE;
    wb_byte(w, f->code, 0x05);
    return;
  case IMM_END:
    if (f->nlabels <= f->floor)
      wat_fail(w, at, "end without a matching block");
    check_end_label(m, f);
    pop_label(m, f);
    wb_byte(w, f->code, 0x0b);
    return;
  default: plain_op(m, f, op, f->code); return;
  }
}

/* ---- folded instructions ------------------------------------------- */

static void folded(struct wmod *m, struct wfunc *f);

/* A block's body: labels inside are closed by its ')'. */
static void block_body(struct wmod *m, struct wfunc *f, uint32_t id,
                       uint8_t kind) {
  uint32_t saved = f->floor;
  push_label(m, f, id, kind);
  f->floor = f->nlabels;
  wat_instrs(m, f);
  if (f->nlabels != f->floor)
    wat_fail(m->w, m->w->pos, "unexpected ), a block is not closed by end");
  f->floor = saved;
}

static void folded_if(struct wmod *m, struct wfunc *f) {
  struct wat *w = m->w;
  uint32_t id = wat_opt_id(m);
  struct wbuf bt = {0};
  block_type(m, &bt);
  while (wat_peek(w)->kind == TOK_LPAREN && !wat_at_field(w, "then"))
    folded(m, f);
  wb_byte(w, f->code, 0x04);
  wb_bytes(w, f->code, bt.p, bt.len);
  wb_free(w, &bt);
  wat_expect_lparen_kw(w, "then");
  block_body(m, f, id, LABEL_IF);
  wat_expect_rparen(w);
  if (wat_at_field(w, "else")) {
    w->pos += 2;
    wb_byte(w, f->code, 0x05);
    pop_label(m, f);
    block_body(m, f, id, LABEL_ELSE);
    wat_expect_rparen(w);
  }
  pop_label(m, f);
  wb_byte(w, f->code, 0x0b);
}

static void folded(struct wmod *m, struct wfunc *f) {
  struct wat *w = m->w;
  uint32_t at = w->pos;
  if (++f->depth > WEFT_TEXT_MAX_DEPTH)
    wat_fail(w, at, "nesting deeper than %d", WEFT_TEXT_MAX_DEPTH);
  wat_expect(w, TOK_LPAREN, "(");
  const struct wat_op *op = instr_name(m);
  if (op->imm == IMM_BLOCK && op->opcode == 0x04) {
    folded_if(m, f);
  } else if (op->imm == IMM_BLOCK && op->opcode == 0x06) {
    folded_try(m, f);
  } else if (op->imm == IMM_BLOCK) {
    uint32_t id = wat_opt_id(m);
    block_start(m, f, op);
    block_body(m, f, id, LABEL_BLOCK);
    pop_label(m, f);
    wb_byte(w, f->code, 0x0b);
  } else if (op->imm == IMM_ELSE || op->imm == IMM_END ||
             op->imm == IMM_CATCH || op->imm == IMM_DELEGATE) {
    wat_fail(w, at + 1, "unexpected %s in a folded instruction", op->name);
  } else {
    struct wbuf tmp = {0};
    plain_op(m, f, op, &tmp);
    while (wat_peek(w)->kind == TOK_LPAREN)
      folded(m, f);
    wb_bytes(w, f->code, tmp.p, tmp.len);
    wb_free(w, &tmp);
  }
  wat_expect_rparen(w);
  f->depth--;
}

void wat_instrs(struct wmod *m, struct wfunc *f) {
  struct wat *w = m->w;
  for (;;) {
    enum wat_tok_kind k = wat_peek(w)->kind;
    if (k == TOK_LPAREN)
      folded(m, f);
    else if (k == TOK_KEYWORD)
      plain(m, f);
    else
      return;
  }
}

void wat_const_expr(struct wmod *m, struct wbuf *b) {
  struct wfunc f;
  wat_func_init(m, &f, b);
  wat_instrs(m, &f);
  if (f.nlabels)
    wat_fail(m->w, m->w->pos, "unexpected ), a block is not closed by end");
  wb_byte(m->w, b, 0x0b);
  wat_free(m->w, f.labels);
}

void wat_offset(struct wmod *m, struct wbuf *b) {
  struct wat *w = m->w;
  if (wat_at_field(w, "offset")) {
    w->pos += 2;
    wat_const_expr(m, b);
    wat_expect_rparen(w);
    return;
  }
  struct wfunc f;
  wat_func_init(m, &f, b);
  if (wat_peek(w)->kind != TOK_LPAREN)
    wat_expect(w, TOK_LPAREN, "an offset expression");
  folded(m, &f);
  wb_byte(w, b, 0x0b);
  wat_free(w, f.labels);
}
