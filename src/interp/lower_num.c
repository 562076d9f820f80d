/*
** lower_num.c — lowering of numeric instructions (numeric.def),
** constants and select.
*/
#include "lower.h"

/* Interpreter only (ops.def's hot pairs): an i32 operator whose first
** operand (either, when it commutes) the last instruction (a binary
** operator or an i32 load: its result the unit after the op) just
** computed, with no label between, joins that instruction. */
static bool pair_fused(struct lower *L, enum wf_op op, const struct entry *e,
                       u32 dst) {
  static const struct {
    u16 first, second, fused;
    bool commutes;
  } pairs[] = {
      {WF_OP_I32_SHR_U, WF_OP_I32_AND, WF_OP_I32_SHR_U_AND, true},
      {WF_OP_I32_AND, WF_OP_I32_SHR_U, WF_OP_I32_AND_SHR_U, false},
      {WF_OP_I32_SHL, WF_OP_I32_XOR, WF_OP_I32_SHL_XOR, true},
      {WF_OP_I32_SHL, WF_OP_I32_ADD, WF_OP_I32_SHL_ADD, true},
      {WF_OP_I32_SHL, WF_OP_I32_OR, WF_OP_I32_SHL_OR, true},
      {WF_OP_I32_ADD, WF_OP_I32_ADD, WF_OP_I32_ADD_ADD, true},
      {WF_OP_I32_AND, WF_OP_I32_ADD, WF_OP_I32_AND_ADD, true},
      {WF_OP_I32_MUL, WF_OP_I32_ADD, WF_OP_I32_MUL_ADD, true},
      {WF_OP_I32_LOAD, WF_OP_I32_ADD, WF_OP_I32_LOAD_ADD, true},
  };
  if (!L->interp_ops || !live(L) || L->last_op_pos == NONE)
    return false;
  for (u32 i = 0; i < WF_ARRAY_LEN(pairs); i++) {
    if (pairs[i].second != op || pairs[i].first != L->last_op)
      continue;
    u32 d = L->code[L->last_op_pos + 1], c;
    if (e[0].loc == d)
      c = e[1].loc;
    else if (pairs[i].commutes && e[1].loc == d)
      c = e[0].loc;
    else
      return false;
    wf_lw_fuse_last(L, (enum wf_op)pairs[i].fused);
    wf_lw_put_dst(L, dst);
    wf_lw_put_slot(L, c);
    return true;
  }
  return false;
}

/* The interpreter only: an f64 add, sub or mul one of whose operands is
** the value an i32.add-fed f64.load (I32_ADD_F64_LOAD) just put in its
** own stack slot, which this pops and so is its only reader: the load
** op grows into one that computes the arithmetic too (ops.def). Its
** operands stay in place, the unused load slot among them, so the code
** before it, its relocations and its pc map entry are unchanged. */
static bool load_arith_fused(struct lower *L, enum wf_op op, u32 dst, u32 a,
                             u32 b) {
  static const struct {
    u16 op, right, left;
  } fuse[] = {
      {WF_OP_F64_ADD, WF_OP_I32_ADD_F64_LOAD_ADD, WF_OP_I32_ADD_F64_LOAD_ADD_L},
      {WF_OP_F64_SUB, WF_OP_I32_ADD_F64_LOAD_SUB, WF_OP_I32_ADD_F64_LOAD_SUB_L},
      {WF_OP_F64_MUL, WF_OP_I32_ADD_F64_LOAD_MUL, WF_OP_I32_ADD_F64_LOAD_MUL_L},
  };
  if (!L->interp_ops || !live(L) || L->last_op_pos == NONE ||
      L->last_op != WF_OP_I32_ADD_F64_LOAD || L->status != WEFT_OK || a == b)
    return false;
  u32 loaded = L->code[L->last_op_pos + 4];
  if (!(loaded & LOC_STACK) || (loaded & LOC_CONST) ||
      (loaded != a && loaded != b))
    return false;
  for (u32 i = 0; i < WF_ARRAY_LEN(fuse); i++) {
    if (fuse[i].op != op)
      continue;
    wf_lw_fuse_last(L,
                    (enum wf_op)(loaded == b ? fuse[i].right : fuse[i].left));
    wf_lw_put_dst(L, dst);
    wf_lw_put_slot(L, loaded == b ? a : b);
    return true;
  }
  return false;
}

/* The interpreter only: an f64 add or sub reading the product the op just
** before wrote (F64_MUL; I32_ADD_F64_LOAD_MUL, its product as the right
** operand) joins it (ops.def). The product is still written, so nothing
** else about the slots needs to hold. */
static bool mul_arith_fused(struct lower *L, enum wf_op op, u32 dst, u32 a,
                            u32 b) {
  if (!L->interp_ops || !live(L) || L->last_op_pos == NONE ||
      L->status != WEFT_OK || (op != WF_OP_F64_ADD && op != WF_OP_F64_SUB))
    return false;
  bool add = op == WF_OP_F64_ADD;
  u32 fused, other;
  if (L->last_op == WF_OP_F64_MUL && L->ncode == L->last_op_pos + 4) {
    u32 p = L->code[L->last_op_pos + 1];
    if (p == b)
      fused = add ? WF_OP_F64_MUL_ADD : WF_OP_F64_MUL_SUB, other = a;
    else if (p == a)
      fused = add ? WF_OP_F64_MUL_ADD_L : WF_OP_F64_MUL_SUB_L, other = b;
    else
      return false;
  } else if (L->last_op == WF_OP_I32_ADD_F64_LOAD_MUL &&
             L->ncode == L->last_op_pos + 8 &&
             L->code[L->last_op_pos + 6] == b) {
    fused =
        add ? WF_OP_I32_ADD_F64_LOAD_MUL_ADD : WF_OP_I32_ADD_F64_LOAD_MUL_SUB;
    other = a;
  } else {
    return false;
  }
  wf_lw_fuse_last(L, (enum wf_op)fused);
  wf_lw_put_dst(L, dst);
  wf_lw_put_slot(L, other);
  return true;
}

/* Generic emitter: pop `nin` operands of the given types, wf_lw_push `out`. */
bool wf_lw_simple(struct lower *L, enum wf_op op, u32 nin, const u8 *in, u8 out,
                  const u32 *imms, u32 nimm) {
  struct entry e[5];
  for (u32 i = nin; i-- > 0;)
    if (!wf_lw_pop_type(L, in[i], &e[i]))
      return false;
  u32 dst = out ? wf_lw_push_result(L, out) : 0;
  if (!live(L) || (nin == 2 && out && pair_fused(L, op, e, dst)))
    return true;
  if (nin == 2 && (load_arith_fused(L, op, dst, e[0].loc, e[1].loc) ||
                   mul_arith_fused(L, op, dst, e[0].loc, e[1].loc)))
    return true;
  wf_lw_emit_op(L, op);
  if (out)
    wf_lw_put_dst(L, dst);
  for (u32 i = 0; i < nimm; i++)
    wf_lw_put(L, imms[i]);
  for (u32 i = 0; i < nin; i++)
    wf_lw_put_slot(L, e[i].loc);
  return true;
}

static u8 member_type(char c0, char c1) {
  /* "i32","u32" -> I32; "i64","u64" -> I64; "f32" -> F32; "f64" -> F64 */
  if (c0 == 'f' || c0 == 'b')
    return c1 == '3' ? WF_F32 : WF_F64;
  return c1 == '3' ? WF_I32 : WF_I64;
}

bool wf_lw_numeric(struct lower *L, u32 opcode, bool *handled) {
  *handled = true;
  switch (opcode) {
#define UN(name, opc, ta, tr, e)                                               \
  case opc: {                                                                  \
    u8 in = member_type(#ta[0], #ta[1]);                                       \
    return wf_lw_simple(L, WF_OP_##name, 1, &in, member_type(#tr[0], #tr[1]),  \
                        NULL, 0);                                              \
  }
#define BIN(name, opc, ta, tr, e)                                              \
  case opc: {                                                                  \
    u8 in[2] = {member_type(#ta[0], #ta[1]), member_type(#ta[0], #ta[1])};     \
    return wf_lw_simple(L, WF_OP_##name, 2, in, member_type(#tr[0], #tr[1]),   \
                        NULL, 0);                                              \
  }
#include "numeric.def"
#undef UN
#undef BIN
  }
  static const struct {
    u16 opc;
    u8 op, in, out;
  } trapping[] = {
      {0x6d, WF_OP_I32_DIV_S, WF_I32, WF_I32},
      {0x6e, WF_OP_I32_DIV_U, WF_I32, WF_I32},
      {0x6f, WF_OP_I32_REM_S, WF_I32, WF_I32},
      {0x70, WF_OP_I32_REM_U, WF_I32, WF_I32},
      {0x7f, WF_OP_I64_DIV_S, WF_I64, WF_I64},
      {0x80, WF_OP_I64_DIV_U, WF_I64, WF_I64},
      {0x81, WF_OP_I64_REM_S, WF_I64, WF_I64},
      {0x82, WF_OP_I64_REM_U, WF_I64, WF_I64},
      {0xa8, WF_OP_I32_TRUNC_F32_S, WF_F32, WF_I32},
      {0xa9, WF_OP_I32_TRUNC_F32_U, WF_F32, WF_I32},
      {0xaa, WF_OP_I32_TRUNC_F64_S, WF_F64, WF_I32},
      {0xab, WF_OP_I32_TRUNC_F64_U, WF_F64, WF_I32},
      {0xae, WF_OP_I64_TRUNC_F32_S, WF_F32, WF_I64},
      {0xaf, WF_OP_I64_TRUNC_F32_U, WF_F32, WF_I64},
      {0xb0, WF_OP_I64_TRUNC_F64_S, WF_F64, WF_I64},
      {0xb1, WF_OP_I64_TRUNC_F64_U, WF_F64, WF_I64},
  };
  for (u32 i = 0; i < WF_ARRAY_LEN(trapping); i++) {
    if (trapping[i].opc != opcode)
      continue;
    u8 in[2] = {trapping[i].in, trapping[i].in};
    bool binary = opcode < 0xa8;
    return wf_lw_simple(L, (enum wf_op)trapping[i].op, binary ? 2 : 1, in,
                        trapping[i].out, NULL, 0);
  }
  *handled = false;
  return true;
}

bool wf_lw_const(struct lower *L, u8 opcode) {
  u64 bits = 0;
  u8 type;
  switch (opcode) {
  case 0x41: {
    i32 v;
    if (!wf_read_s32(&L->r, &v))
      return wf_lw_reader_failed(L);
    bits = (u32)v;
    type = WF_I32;
    break;
  }
  case 0x42: {
    i64 v;
    if (!wf_read_s64(&L->r, &v))
      return wf_lw_reader_failed(L);
    bits = (u64)v;
    type = WF_I64;
    break;
  }
  case 0x43: {
    u32 v;
    if (!wf_read_fixed32(&L->r, &v))
      return wf_lw_reader_failed(L);
    bits = v;
    type = WF_F32;
    break;
  }
  default: {
    if (!wf_read_fixed64(&L->r, &bits))
      return wf_lw_reader_failed(L);
    type = WF_F64;
    break;
  }
  }
  /* Slots hold i32/f32 through the union's 32-bit member. */
  weft_slot s;
  memset(&s, 0, sizeof s);
  if (type == WF_I32 || type == WF_F32)
    s.u32 = (u32)bits;
  else
    s.u64 = bits;
  u32 loc = live(L) ? wf_lw_const_slot(L, &s) : stack_loc(L->height);
  return wf_lw_push(L, type, loc);
}

/* The i32.eq being fused into a select (select_fused) compares the
** second result of an I32_AND_SHR_U pair right before it, with no label
** between (prev_op_pos is reset at labels): the pair takes the eq and
** the select too (a CRC's bit step, bench cmark), comparing that result
** with the eq's other operand. */
static bool and_shr_select_fused(struct lower *L, u32 dst, u32 a, u32 b, u32 x,
                                 u32 y) {
  u32 p = L->prev_op_pos;
  if (p == NONE || L->prev_op != WF_OP_I32_AND_SHR_U ||
      p + 6 != L->last_op_pos || L->status != WEFT_OK)
    return false;
  u32 d2 = L->code[p + 4];
  if (x != d2 && y != d2)
    return false;
  wf_lw_truncate_code(L, L->last_op_pos);
  L->last_op_pos = p;
  L->last_op = WF_OP_I32_AND_SHR_U;
  L->prev_op_pos = NONE;
  wf_lw_fuse_last(L, WF_OP_I32_AND_SHR_U_SELECT_EQ);
  wf_lw_put_dst(L, dst);
  wf_lw_put_slot(L, a);
  wf_lw_put_slot(L, b);
  wf_lw_put_slot(L, y == d2 ? x : y);
  return true;
}

/* The interpreter only (generated C keeps compare and select apart): an
** i32 compare right before, whose result is the condition in its own
** stack slot and read by nothing else, becomes part of the select. */
static bool select_fused(struct lower *L, u32 dst, u32 a, u32 b, u32 c) {
  static const struct {
    u16 from, to;
  } fuse[] = {{WF_OP_I32_EQ, WF_OP_SELECT_I32_EQ},
              {WF_OP_I32_NE, WF_OP_SELECT_I32_NE},
              {WF_OP_I32_LT_S, WF_OP_SELECT_I32_LT_S},
              {WF_OP_I32_LT_U, WF_OP_SELECT_I32_LT_U},
              {WF_OP_I32_GT_S, WF_OP_SELECT_I32_GT_S},
              {WF_OP_I32_GT_U, WF_OP_SELECT_I32_GT_U}};
  if (!L->interp_ops || !live(L) || L->last_op_pos == NONE ||
      L->last_dst_pos != L->last_op_pos + 1 || L->code[L->last_dst_pos] != c ||
      c != stack_loc(L->height + 1))
    return false;
  for (u32 i = 0; i < WF_ARRAY_LEN(fuse); i++) {
    if (fuse[i].from != L->last_op)
      continue;
    u32 x = L->code[L->last_op_pos + 2], y = L->code[L->last_op_pos + 3];
    if (fuse[i].from == WF_OP_I32_EQ &&
        and_shr_select_fused(L, dst, a, b, x, y))
      return true;
    wf_lw_truncate_code(L, L->last_op_pos);
    wf_lw_emit_op(L, (enum wf_op)fuse[i].to);
    wf_lw_put_dst(L, dst);
    wf_lw_put_slot(L, a);
    wf_lw_put_slot(L, b);
    wf_lw_put_slot(L, x);
    wf_lw_put_slot(L, y);
    return true;
  }
  return false;
}

bool wf_lw_select(struct lower *L, u8 opcode) {
  u8 want = T_UNKNOWN;
  wf_vt want_full = 0; /* typed function references: select (result t) */
  if (opcode == 0x1c) {
    u32 n;
    u8 t;
    if (!wf_lw_read_u32(L, &n))
      return false;
    if (n != 1)
      return wf_lw_invalid(L, "wf_lw_invalid result arity");
    if (!wf_lw_read_u8(L, &t))
      return false;
    if ((t == 0x63 || t == 0x64) && !wf_lw_read_ref_heap(L, t, &t, &want_full))
      return false;
    bool ok = false;
    for (u32 i = 0; i < WF_ARRAY_LEN(single_types); i++)
      ok |= single_types[i] == t;
    if (!ok)
      return wf_lw_bad_type(L, t, "wf_lw_malformed value type");
    want = t;
  }
  struct entry c, b, a;
  wf_vt wv = want_full ? want_full : want;
  if (!wf_lw_pop_type(L, WF_I32, &c) || !wf_lw_pop_vt(L, wv, &b) ||
      !wf_lw_pop_vt(L, wv, &a))
    return false;
  u8 t = a.type != T_UNKNOWN ? a.type : b.type;
  if (a.type != T_UNKNOWN && b.type != T_UNKNOWN && a.type != b.type)
    return wf_lw_invalid(L, "type mismatch");
  if (opcode == 0x1b && !is_num(t))
    return wf_lw_invalid(L,
                         "type mismatch: select needs a type for references");
  u8 rt = opcode == 0x1c ? want : t;
  u32 dst = stack_loc(L->height);
  if (!wf_lw_push_vt(L, opcode == 0x1c ? wv : rt, dst))
    return false;
  if (rt == WF_I32 && select_fused(L, dst, a.loc, b.loc, c.loc))
    return true;
  if (live(L)) {
    wf_lw_emit_op(L, rt == WF_I32    ? WF_OP_SELECT_I32
                     : rt == WF_I64  ? WF_OP_SELECT_I64
                     : rt == WF_F32  ? WF_OP_SELECT_F32
                     : rt == WF_F64  ? WF_OP_SELECT_F64
                     : rt == WF_V128 ? WF_OP_SELECT_V128
                                     : WF_OP_SELECT_REF);
    wf_lw_put_dst(L, dst);
    wf_lw_put_slot(L, a.loc);
    wf_lw_put_slot(L, b.loc);
    wf_lw_put_slot(L, c.loc);
  }
  return true;
}
