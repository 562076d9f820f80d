/*
** lower_acc.c — the accumulator forms in interpreter code (acc.def,
** ops.def's P12h block).
**
** run() keeps the i32 result of each op of the producer table below in a
** register, `acc`, besides its destination slot. Once a body is lowered,
** an op of the consumer table that reads that slot and comes right after
** its producer, with no label between them (so no branch, handler or
** resumed frame lands between the two), is rewritten in place to its
** _ACC form, which reads the operand from acc: the same length, the slot
** operand left in place, unread. The producer still writes the slot, so
** any later reader, a snapshot's probe and a trap see what they did.
**
** Interpreter code only (L->interp_ops); generated C never sees the forms.
*/
#include "lower.h"

/* A consumer: `op` reads the last result at unit `at` in form `acc`, or,
** at unit at + 1, in form `mirror` with the two operand units exchanged
** (UNREACHABLE: no such form). */
struct accform {
  u16 op, acc, mirror;
  u8 at;
};
static const struct accform accforms[] = {
#define ACC_FORM(name, layout, at, mirror)                                     \
  {WF_OP_##name, WF_OP_##name##_ACC, WF_OP_##mirror, at},
#include "acc_each.h"
#undef ACC_FORM
};

/* accforms' index of each entry, by its op's name */
#define ACC_FORM(name, layout, at, mirror) AI_##name,
enum {
#include "acc_each.h"
  AI_COUNT
};
#undef ACC_FORM

/* The consumer entry of `op`, or NULL (a switch: this runs for every op
** lowered). */
static const struct accform *accform_of(u32 op) {
  switch (op) {
#define ACC_CASE(name)                                                         \
  case WF_OP_##name:                                                           \
    return &accforms[AI_##name];
#define ACC_FORM(name, layout, at, mirror) ACC_CASE(name)
#include "acc_each.h"
#undef ACC_FORM
#undef ACC_CASE
  default: return NULL;
  }
}

/* The unit of the slot whose value `op` leaves in acc, or 0: unit 1 for
** the pure numeric ops with an i32 result (interp.c's ACC_KEEP), the _K
** forms of i32 arithmetic, the i32 loads, the scalar copies (COPY_I32's
** handler is every copy's) and the _ACC forms computing an i32; the loaded
** value, unit 4, for i32.add joined to an i32 load (its sum at unit 1 may
** share the slot, and the load is what it holds after). */
static u32 acc_producer(u32 op) {
  switch (op) {
/* clang-format off */
#define RET(op, n)                                                             \
  case WF_OP_##op:                                                             \
    return n;
#define RET2(op1, op2, n)                                                      \
  case WF_OP_##op1:                                                            \
  case WF_OP_##op2:                                                            \
    return n;
/* clang-format on */
#define UN(name, opc, ta, tr, e) RET(name, ACC_I32_##tr)
#define BIN(name, opc, ta, tr, e) RET(name, ACC_I32_##tr)
#define ACC_I32_u32 1
#define ACC_I32_i32 1
#define ACC_I32_u64 0
#define ACC_I32_i64 0
#define ACC_I32_f32 0
#define ACC_I32_f64 0
#define ACC_I32_b32 0
#define ACC_I32_b64 0
#include "numeric.def"
#undef UN
#undef BIN
#define ACC_BIN(name, T, e, mirror) RET(name##_ACC, 1)
#define ACC_K(name, T, e) RET2(name, name##_ACC, 1)
#define ACC_UN(name, e) RET(name##_ACC, 1)
#define ACC_LOAD(name, width, e) RET2(name, name##_ACC, 1)
#define ACC_BR(name, T, cmp, mirror)
#define ACC_BR_K(name, T, cmp)
#define ACC_BR1(name, cond)
#define ACC_STORE(name, width, e)
#include "acc.def"
#include "acc_undef.h"
#undef RET
#undef RET2
  /* the _K compares (interp.c's BIN_K) */
  case WF_OP_I32_EQ_K:
  case WF_OP_I32_NE_K:
  case WF_OP_I32_LT_S_K:
  case WF_OP_I32_LT_U_K:
  case WF_OP_I32_GT_S_K:
  case WF_OP_I32_GT_U_K:
  case WF_OP_I32_LE_S_K:
  case WF_OP_I32_LE_U_K:
  case WF_OP_I32_GE_S_K:
  case WF_OP_I32_GE_U_K:
  case WF_OP_COPY_I32: return 1;
  case WF_OP_I32_ADD_I32_LOAD:
  case WF_OP_I32_ADD_I32_LOAD8_S:
  case WF_OP_I32_ADD_I32_LOAD8_U:
  case WF_OP_I32_ADD_I32_LOAD16_S:
  case WF_OP_I32_ADD_I32_LOAD16_U:
  case WF_OP_I32_ADD_K_I32_LOAD:
  case WF_OP_I32_ADD_K_I32_LOAD8_U: return 4;
  default: return 0;
  }
}

static void put_op(struct lower *L, u32 pos, u32 op) {
  L->code[pos] = L->dispatch ? L->dispatch[op] : op;
}

/* Rewrite the consumer at `q` whose unit `u` reads the slot the producer
** just before wrote, if it has a form for that; the op it is now. */
static u32 rewrite(struct lower *L, u32 q, const struct accform *f, u32 u) {
  if (u == f->at) {
    put_op(L, q, f->acc);
    return f->acc;
  }
  if (u == f->at + 1u && f->mirror != WF_OP_UNREACHABLE) {
    u32 t = L->code[q + f->at];
    L->code[q + f->at] = L->code[q + u];
    L->code[q + u] = t; /* both slot operands: their relocs stay */
    put_op(L, q, f->mirror);
    return f->mirror;
  }
  return f->op;
}

/* The unit of consumer `f`, at `q`, that reads slot `loc`: f->at or the
** one after it (for a mirrored form), or 0. */
static u32 reader_unit(const struct lower *L, u32 q, const struct accform *f,
                       u32 loc) {
  const char *lay = wf_op_layout[f->op];
  for (u32 u = f->at; u <= f->at + 1u && lay[u - 1]; u++)
    if (lay[u - 1] == 's' && L->code[q + u] == loc)
      return u;
  return 0;
}

void wf_lw_acc_forms(struct lower *L) {
  if (!L->interp_ops || L->status != WEFT_OK)
    return;
  u32 prev_pos = NONE, prev_op = WF_OP_UNREACHABLE;
  for (u32 i = 0; i < L->nemitted; i++) {
    u32 q = L->emitted[i].pos;
    u32 op = wf_lw_op_at(L, q, (enum wf_op)L->emitted[i].op);
    const struct accform *f = accform_of(op);
    u32 held = prev_pos != NONE ? acc_producer(prev_op) : 0;
    if (f && L->emitted[i].joins && held &&
        prev_pos + 1 + wf_strlen(wf_op_layout[prev_op]) == q) {
      u32 u = reader_unit(L, q, f, L->code[prev_pos + held]);
      if (u)
        op = rewrite(L, q, f, u);
    }
    prev_pos = op == WF_OP_COUNT ? NONE : q;
    prev_op = op;
  }
}
