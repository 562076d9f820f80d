/*
** lower_imm.c — constants as immediates in interpreter code (ops.def's
** P12e block).
**
** Every constant a body reads has a slot in the frame, and each call
** copies them all into the new frame (interp.c's frame_init): most of a
** call's cost in SQLite's small functions. Once a body is lowered, an op
** of the table below that reads a constant is rewritten in place to its
** _K form, which holds the constant's 32 bits as an immediate: the same
** length, so no position, branch offset or pc map entry moves, and every
** peephole of lowering has run already (a fused op is never rewritten).
** A constant no slot operand reads any more then leaves the frame, and
** the remaining ones are numbered again without gaps.
**
** Interpreter code only (L->interp_ops, which a snapshot's probe shares
** with the engine, so both see the same frame layout); generated C turns
** constant slots into literals itself.
*/
#include "lower.h"

/* An op that may take constants as immediates: `right` when the operand
** at unit `at` (after the op) is a constant; `second` when the one at
** `at2` is instead, `both` when both are (UNREACHABLE: no such form). With
** K_SWAP the second is the left operand (at - 1) and `second` takes the
** operands swapped, the slot moving to the left: the same op for a
** commutative one, the mirrored or reversed op otherwise. */
enum {
  K_NEG = 1,  /* `right`'s immediate is the constant negated (i32.sub) */
  K_WIDE = 2, /* the whole slot must be a zero-extended u32 */
  K_SWAP = 4,
};
struct kform {
  u16 op, right, second, both;
  u8 at, at2, flags;
};

/* The table, one X(op, right, second, both, at, at2, flags) per op;
** F32/F64 loads, stores and copies move bits, as the i32/i64 ones do. */
#define BIN_K(X, op, k, kl) X(op, k, kl, UNREACHABLE, 3, 2, K_SWAP)
#define BR_K(X, op, k, kl) X(op, k, kl, UNREACHABLE, 2, 1, K_SWAP)
#define KFORMS(X)                                                              \
  X(COPY_I32, SET32, UNREACHABLE, UNREACHABLE, 2, 0, K_WIDE)                   \
  X(COPY_I64, SET32, UNREACHABLE, UNREACHABLE, 2, 0, K_WIDE)                   \
  X(COPY_F32, SET32, UNREACHABLE, UNREACHABLE, 2, 0, K_WIDE)                   \
  X(COPY_F64, SET32, UNREACHABLE, UNREACHABLE, 2, 0, K_WIDE)                   \
  X(COPY_REF, SET32, UNREACHABLE, UNREACHABLE, 2, 0, K_WIDE)                   \
  X(COPY2, COPY2_SK, COPY2_KS, COPY2_KK, 4, 2, K_WIDE)                         \
  X(COPY_BR, SET32_BR, UNREACHABLE, UNREACHABLE, 2, 0, K_WIDE)                 \
  BIN_K(X, I32_ADD, I32_ADD_K, I32_ADD_K)                                      \
  X(I32_SUB, I32_ADD_K, I32_RSUB_K, UNREACHABLE, 3, 2, K_SWAP | K_NEG)         \
  BIN_K(X, I32_AND, I32_AND_K, I32_AND_K)                                      \
  BIN_K(X, I32_OR, I32_OR_K, I32_OR_K)                                         \
  BIN_K(X, I32_XOR, I32_XOR_K, I32_XOR_K)                                      \
  BIN_K(X, I32_MUL, I32_MUL_K, I32_MUL_K)                                      \
  BIN_K(X, I32_SHL, I32_SHL_K, I32_SHL_KL)                                     \
  X(I32_SHR_S, I32_SHR_S_K, UNREACHABLE, UNREACHABLE, 3, 0, 0)                 \
  X(I32_SHR_U, I32_SHR_U_K, UNREACHABLE, UNREACHABLE, 3, 0, 0)                 \
  BIN_K(X, I32_EQ, I32_EQ_K, I32_EQ_K)                                         \
  BIN_K(X, I32_NE, I32_NE_K, I32_NE_K)                                         \
  BIN_K(X, I32_LT_S, I32_LT_S_K, I32_GT_S_K)                                   \
  BIN_K(X, I32_LT_U, I32_LT_U_K, I32_GT_U_K)                                   \
  BIN_K(X, I32_GT_S, I32_GT_S_K, I32_LT_S_K)                                   \
  BIN_K(X, I32_GT_U, I32_GT_U_K, I32_LT_U_K)                                   \
  BIN_K(X, I32_LE_S, I32_LE_S_K, I32_GE_S_K)                                   \
  BIN_K(X, I32_LE_U, I32_LE_U_K, I32_GE_U_K)                                   \
  BIN_K(X, I32_GE_S, I32_GE_S_K, I32_LE_S_K)                                   \
  BIN_K(X, I32_GE_U, I32_GE_U_K, I32_LE_U_K)                                   \
  X(I32_LOAD, I32_LOAD_A, UNREACHABLE, UNREACHABLE, 2, 0, 0)                   \
  X(F32_LOAD, I32_LOAD_A, UNREACHABLE, UNREACHABLE, 2, 0, 0)                   \
  X(I64_LOAD, I64_LOAD_A, UNREACHABLE, UNREACHABLE, 2, 0, 0)                   \
  X(F64_LOAD, I64_LOAD_A, UNREACHABLE, UNREACHABLE, 2, 0, 0)                   \
  X(I32_STORE, I32_STORE_K, I32_STORE_A, I32_STORE_AK, 2, 1, 0)                \
  X(F32_STORE, I32_STORE_K, I32_STORE_A, I32_STORE_AK, 2, 1, 0)                \
  X(I32_STORE8, I32_STORE8_K, UNREACHABLE, UNREACHABLE, 2, 0, 0)               \
  X(I32_STORE16, I32_STORE16_K, UNREACHABLE, UNREACHABLE, 2, 0, 0)             \
  X(I64_STORE, I64_STORE_K, I64_STORE_A, I64_STORE_AK, 2, 1, K_WIDE)           \
  X(F64_STORE, I64_STORE_K, I64_STORE_A, I64_STORE_AK, 2, 1, K_WIDE)           \
  BR_K(X, BR_IF_I32_EQ, BR_IF_I32_EQ_K, BR_IF_I32_EQ_K)                        \
  BR_K(X, BR_IF_I32_NE, BR_IF_I32_NE_K, BR_IF_I32_NE_K)                        \
  BR_K(X, BR_IF_I32_LT_S, BR_IF_I32_LT_S_K, BR_IF_I32_GT_S_K)                  \
  BR_K(X, BR_IF_I32_LT_U, BR_IF_I32_LT_U_K, BR_IF_I32_GT_U_K)                  \
  BR_K(X, BR_IF_I32_GT_S, BR_IF_I32_GT_S_K, BR_IF_I32_LT_S_K)                  \
  BR_K(X, BR_IF_I32_GT_U, BR_IF_I32_GT_U_K, BR_IF_I32_LT_U_K)                  \
  BR_K(X, BR_IF_I32_LE_S, BR_IF_I32_LE_S_K, BR_IF_I32_GE_S_K)                  \
  BR_K(X, BR_IF_I32_LE_U, BR_IF_I32_LE_U_K, BR_IF_I32_GE_U_K)                  \
  BR_K(X, BR_IF_I32_GE_S, BR_IF_I32_GE_S_K, BR_IF_I32_LE_S_K)                  \
  BR_K(X, BR_IF_I32_GE_U, BR_IF_I32_GE_U_K, BR_IF_I32_LE_U_K)                  \
  BIN_K(X, I32_ADD_I32_LOAD, I32_ADD_K_I32_LOAD, I32_ADD_K_I32_LOAD)           \
  BIN_K(X, I32_ADD_F32_LOAD, I32_ADD_K_I32_LOAD, I32_ADD_K_I32_LOAD)           \
  BIN_K(X, I32_ADD_I32_LOAD8_U, I32_ADD_K_I32_LOAD8_U, I32_ADD_K_I32_LOAD8_U)  \
  X(I32_LOAD_ADD, I32_LOAD_ADD_K, UNREACHABLE, UNREACHABLE, 5, 0, 0)           \
  BIN_K(X, I32_ADD_I32_STORE, I32_ADD_K_I32_STORE, I32_ADD_K_I32_STORE)        \
  X(I32_SHL_ADD, I32_SHL_K_ADD, UNREACHABLE, UNREACHABLE, 3, 0, 0)             \
  BIN_K(X, I32_MUL_ADD, I32_MUL_K_ADD, I32_MUL_K_ADD)                          \
  X(I32_SHR_U_AND, UNREACHABLE, UNREACHABLE, I32_SHR_U_AND_KK, 3, 5, 0)        \
  X(I32_AND_SHR_U, UNREACHABLE, UNREACHABLE, I32_AND_SHR_U_KK, 3, 5, 0)        \
  X(I32_AND_SHR_U_SELECT_EQ, UNREACHABLE, UNREACHABLE,                         \
    I32_AND_SHR_U_KK_SELECT_EQ, 3, 5, 0)                                       \
  X(I32_SHL_XOR, UNREACHABLE, UNREACHABLE, I32_SHL_XOR_KK, 3, 5, 0)            \
  X(SELECT_I32_EQ, SELECT_I32_EQ_K, SELECT_I32_EQ_K, UNREACHABLE, 5, 4,        \
    K_SWAP)                                                                    \
  X(SELECT_I32_NE, SELECT_I32_NE_K, SELECT_I32_NE_K, UNREACHABLE, 5, 4,        \
    K_SWAP)                                                                    \
  X(I64_AND, I64_AND_K, I64_AND_K, UNREACHABLE, 3, 2, K_SWAP | K_WIDE)         \
  X(I64_SHL, I64_SHL_K, UNREACHABLE, UNREACHABLE, 3, 0, 0)                     \
  X(I64_SHR_U, I64_SHR_U_K, UNREACHABLE, UNREACHABLE, 3, 0, 0)                 \
  BR_K(X, BR_IF_I32_AND, BR_IF_I32_AND_K, BR_IF_I32_AND_K)                     \
  BR_K(X, BR_UNLESS_I32_AND, BR_UNLESS_I32_AND_K, BR_UNLESS_I32_AND_K)         \
  X(COPY_RETURN, SET32_RETURN, UNREACHABLE, UNREACHABLE, 2, 0, K_WIDE)         \
  X(I32_ADD_BR, I32_ADD_K_BR, I32_ADD_K_BR, UNREACHABLE, 3, 2, K_SWAP)         \
  X(I32_SHL_OR, I32_SHL_K_OR, UNREACHABLE, UNREACHABLE, 3, 0, 0)               \
  BIN_K(X, I32_ADD_ADD, I32_ADD_K_ADD, I32_ADD_K_ADD)                          \
  BIN_K(X, I32_AND_ADD, I32_AND_K_ADD, I32_AND_K_ADD)                          \
  BIN_K(X, I32_ADD_I64_LOAD, I32_ADD_K_I64_LOAD, I32_ADD_K_I64_LOAD)           \
  BIN_K(X, I32_ADD_F64_LOAD, I32_ADD_K_I64_LOAD, I32_ADD_K_I64_LOAD)           \
  X(I32_ADD_I32_ADD, I32_ADD_K_I32_ADD, I32_ADD_I32_ADD_K,                     \
    I32_ADD_K_I32_ADD_K, 3, 7, 0)                                              \
  X(SELECT_I32, SELECT_KS, SELECT_SK, SELECT_KK, 2, 3, K_WIDE)                 \
  X(SELECT_I64, SELECT_KS, SELECT_SK, SELECT_KK, 2, 3, K_WIDE)                 \
  X(SELECT_F32, SELECT_KS, SELECT_SK, SELECT_KK, 2, 3, K_WIDE)                 \
  X(SELECT_F64, SELECT_KS, SELECT_SK, SELECT_KK, 2, 3, K_WIDE)                 \
  X(SELECT_REF, SELECT_KS, SELECT_SK, SELECT_KK, 2, 3, K_WIDE)

#define ENTRY(op, right, second, both, at, at2, flags)                         \
  {WF_OP_##op, WF_OP_##right, WF_OP_##second, WF_OP_##both, at, at2, flags},
static const struct kform kforms[] = {KFORMS(ENTRY)};
#undef ENTRY
#define INDEX(op, right, second, both, at, at2, flags) KI_##op,
enum { KFORMS(INDEX) KI_COUNT };
#undef INDEX

/* kforms' entry for `op` + 1, 0 for an op with no _K form (a switch: this
** runs for every op lowered). */
static u32 kform_of(u32 op) {
  switch (op) {
#define CASE(op, right, second, both, at, at2, flags)                          \
  case WF_OP_##op: return KI_##op + 1;
    KFORMS(CASE)
#undef CASE
  default: return 0;
  }
}
#undef BIN_K
#undef BR_K

/* Index in relocs of unit `unit` of the op at `pos` noted with relocs
** from `base`, or NONE if that unit is no slot operand recorded there
** (its layout's slot letters before it count the relocs before it). */
static u32 reloc_of(const struct lower *L, u32 op, u32 pos, u32 base,
                    u32 unit) {
  const char *layout = wf_op_layout[op];
  u32 i = base;
  for (u32 u = 1; u < unit; u++)
    if (layout[u - 1] == 'd' || layout[u - 1] == 's' || layout[u - 1] == 'b')
      i++;
  return i < L->nrelocs && L->relocs[i] == pos + unit ? i : NONE;
}

/* The constant that the slot operand at reloc `i` names, when its 32 bits
** stand for it (`wide`: the whole slot is their zero extension). */
static bool const_operand(const struct lower *L, u32 i, bool wide, u32 *k) {
  if (i == NONE)
    return false;
  u32 loc = L->code[L->relocs[i]];
  if ((loc & LOC_HIDDEN) != LOC_CONST)
    return false;
  const weft_slot *v = &L->consts[loc & LOC_MASK];
  if (wide && v->u64 > UINT32_MAX)
    return false;
  *k = v->u32;
  return true;
}

/* Rewrite the op at `pos` (still the op noted) to its form for the
** constants among its operands, if it has one: each constant's unit
** holds its 32 bits and is no slot operand any more (reloc NONE). */
static void rewrite(struct lower *L, u32 pos, const struct kform *f, u32 base) {
  u32 r = reloc_of(L, f->op, pos, base, f->at);
  u32 s = f->at2 ? reloc_of(L, f->op, pos, base, f->at2) : NONE;
  u32 kr, ks;
  bool is_r = const_operand(L, r, f->flags & K_WIDE, &kr);
  bool is_s = const_operand(L, s, f->flags & K_WIDE, &ks);
  u32 op;
  if (is_r && is_s && f->both != WF_OP_UNREACHABLE) {
    op = f->both;
    L->code[pos + f->at] = kr;
    L->code[pos + f->at2] = ks;
    L->relocs[r] = L->relocs[s] = NONE;
  } else if (is_r && f->right != WF_OP_UNREACHABLE) {
    op = f->right;
    L->code[pos + f->at] = f->flags & K_NEG ? 0u - kr : kr;
    L->relocs[r] = NONE;
  } else if (is_s && f->second != WF_OP_UNREACHABLE && r != NONE &&
             (f->flags & K_SWAP)) {
    op = f->second; /* the slot moves left, its reloc with it */
    L->code[pos + f->at2] = L->code[pos + f->at];
    L->code[pos + f->at] = ks;
    L->relocs[r] = NONE;
  } else if (is_s && f->second != WF_OP_UNREACHABLE && !(f->flags & K_SWAP)) {
    op = f->second;
    L->code[pos + f->at2] = ks;
    L->relocs[s] = NONE;
  } else {
    return;
  }
  L->code[pos] = L->dispatch ? L->dispatch[op] : op;
}

/* Number the constants still read again, without gaps, and drop the
** others; L->const_index (the lookup used while lowering, unused from
** now on, with room for twice as many entries) maps old to new. */
static void compact_consts(struct lower *L) {
  u32 *map = L->const_index;
  if (!L->nconsts || !map)
    return;
  for (u32 i = 0; i < L->nconsts; i++)
    map[i] = NONE;
  for (u32 i = 0; i < L->nrelocs; i++)
    if (L->relocs[i] != NONE &&
        (L->code[L->relocs[i]] & LOC_HIDDEN) == LOC_CONST)
      map[L->code[L->relocs[i]] & LOC_MASK] = 0;
  u32 n = 0;
  for (u32 i = 0; i < L->nconsts; i++)
    if (map[i] != NONE) {
      L->consts[n] = L->consts[i];
      map[i] = n++;
    }
  L->nconsts = n;
  for (u32 i = 0; i < L->nrelocs; i++) {
    if (L->relocs[i] == NONE)
      continue;
    u32 *p = &L->code[L->relocs[i]];
    if ((*p & LOC_HIDDEN) == LOC_CONST)
      *p = LOC_CONST | map[*p & LOC_MASK];
  }
}

static bool op_is(const struct lower *L, u32 pos, enum wf_op op) {
  return L->code[pos] == (L->dispatch ? L->dispatch[op] : (u32)op);
}

/* The three ops of a CRC's bit step (bench cmark), every constant an
** immediate, in a row with no label between, become one dispatch
** (I32_CRC_BIT_KK, which runs them in sequence); the second and third
** op units stay, unused, so no position moves. */
static void join_crc_bits(struct lower *L) {
  for (u32 i = 0; i + 2 < L->nemitted; i++) {
    const struct wf_lw_op *e = &L->emitted[i];
    u32 q = e->pos;
    if (e[1].pos != q + 6 || e[2].pos != q + 12 || !e[1].joins || !e[2].joins ||
        !op_is(L, q, WF_OP_I32_SHL_XOR_KK) ||
        !op_is(L, q + 6, WF_OP_I32_SHR_U_AND_KK) ||
        !op_is(L, q + 12, WF_OP_I32_AND_SHR_U_KK_SELECT_EQ))
      continue;
    L->code[q] =
        L->dispatch ? L->dispatch[WF_OP_I32_CRC_BIT_KK] : WF_OP_I32_CRC_BIT_KK;
  }
}

/* The op at `pos`, noted as `noted` while lowering: that op, or the _K
** form it was rewritten to; WF_OP_COUNT when it became something else
** (a _FUEL branch, a joined CRC step). */
enum wf_op wf_lw_op_at(const struct lower *L, u32 pos, enum wf_op noted) {
  if (op_is(L, pos, noted))
    return noted;
  u32 k = kform_of((u32)noted);
  if (!k)
    return WF_OP_COUNT;
  const struct kform *f = &kforms[k - 1];
  u16 forms[3] = {f->right, f->second, f->both};
  for (u32 i = 0; i < 3; i++)
    if (forms[i] != WF_OP_UNREACHABLE && op_is(L, pos, (enum wf_op)forms[i]))
      return (enum wf_op)forms[i];
  return WF_OP_COUNT;
}

void wf_lw_imm_forms(struct lower *L) {
  if (!L->interp_ops || L->status != WEFT_OK)
    return;
  for (u32 i = 0; i < L->nemitted; i++) {
    const struct wf_lw_op *e = &L->emitted[i];
    u32 k = kform_of(e->op);
    if (k && op_is(L, e->pos, (enum wf_op)kforms[k - 1].op))
      rewrite(L, e->pos, &kforms[k - 1], e->reloc);
  }
  join_crc_bits(L);
  compact_consts(L);
}
