/*
** lower_join.c — two adjacent ops of interpreter code as one dispatch
** (joins.def; P12h).
**
** SQLite's ops are a flat mix: no pair of them above 1.4% of the ops it
** runs, and the fused forms of lowering's peepholes need the first op's
** result to feed the second. A join needs nothing of the kind: once a
** body's code is final, an op A directly followed by an op B of the
** table becomes A_J_B, whose handler runs A's body and then B's. B's op
** unit stays as it was, so a branch to B (a label between the two), a
** trap in B and a call made again from B (a snapshot's resume) all still
** see B alone; only the fall-through from A runs the join. No position
** moves. Fuel is untouched: a FUEL op is never part of a join, and the
** _FUEL branches of metered code are not in the table.
**
** Interpreter code only (L->interp_ops).
*/
#include "lower.h"

static const struct join {
  u16 a, b, ab;
} joins[] = {
#define JOIN(a, b, la, lb) {WF_OP_##a, WF_OP_##b, WF_OP_##a##_J_##b},
#include "joins.def"
#undef JOIN
};

/* Open addressing over the joins by their first op's encoded value
** (index + 1, 0 empty; an op that starts several joins has an entry for
** each): a lookup per op lowered, so no scan of the table. */
#define JOIN_HASH_SIZE 128u
_Static_assert(WF_ARRAY_LEN(joins) < JOIN_HASH_SIZE / 2, "hash half empty");

static u32 join_hash(u32 v) { return (v * 0x9e3779b1u) >> 25; }

static u32 encoded(const struct lower *L, u32 op) {
  return L->dispatch ? L->dispatch[op] : op;
}

void wf_lw_note_op(struct lower *L) {
  if (!L->interp_ops || L->status != WEFT_OK)
    return;
  if (wf_lw_grow(L, &L->op_at, &L->op_at_cap, L->nop_at + 1, sizeof(u32)))
    L->op_at[L->nop_at++] = L->ncode;
}

/* A_J_B's layout is A's, one unit, B's: anything else is a mistake in
** joins.def, and that join is never made. */
static bool layout_joins(const struct join *j) {
  return wf_strlen(wf_op_layout[j->ab]) ==
         wf_strlen(wf_op_layout[j->a]) + 1 + wf_strlen(wf_op_layout[j->b]);
}

/* The op at op_at[i] and the next one noted, when they are adjacent and
** a pair of the table: the first becomes their join. Joins chain
** (A_J_B, then B_J_C at B's unit for a branch landing on B). */
static void join_at(struct lower *L, const u8 *hash, u32 i) {
  u32 p = L->op_at[i], q = L->op_at[i + 1], v = L->code[p];
  for (u32 h = join_hash(v); hash[h]; h = (h + 1) % JOIN_HASH_SIZE) {
    const struct join *j = &joins[hash[h] - 1];
    if (encoded(L, j->a) != v ||
        q != p + 1 + (u32)wf_strlen(wf_op_layout[j->a]) ||
        L->code[q] != encoded(L, j->b))
      continue;
    L->code[p] = encoded(L, j->ab);
    return;
  }
}

void wf_lw_join_pairs(struct lower *L) {
  if (!L->interp_ops || L->status != WEFT_OK || L->nop_at < 2)
    return;
  u8 hash[JOIN_HASH_SIZE] = {0};
  for (u32 k = 0; k < WF_ARRAY_LEN(joins); k++) {
    if (!layout_joins(&joins[k]))
      continue;
    u32 h = join_hash(encoded(L, joins[k].a));
    while (hash[h])
      h = (h + 1) % JOIN_HASH_SIZE;
    hash[h] = (u8)(k + 1);
  }
  for (u32 i = 0; i + 1 < L->nop_at; i++)
    join_at(L, hash, i);
}
