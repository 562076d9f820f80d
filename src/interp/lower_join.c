/*
** lower_join.c — two adjacent ops of interpreter code as one dispatch
** (joins.def; P12h).
**
** SQLite's ops are a flat mix: no pair of them above 1.4% of the ops it
** runs, and the fused forms of lowering's peepholes need the first op's
** result to feed the second. A join needs nothing of the kind: once a
** body's code is final, an op A directly followed by an op B of the
** table becomes A_J_B, whose handler runs A's body and then B's (or a
** longer chain, JOIN3 and JOIN4). B's op
** unit stays as it was, so a branch to B (a label between the two), a
** trap in B and a call made again from B (a snapshot's resume) all still
** see B alone; only the fall-through from A runs the join. No position
** moves. Fuel is untouched: a join with a FUEL op charges it as that op
** does, at its unit (joins.def), and a join whose last op is a _FUEL
** branch (P12k) charges its target's or its fall-through's FUEL op as
** that branch does alone, at that op's unit.
**
** Runs after lower_acc.c's rewrite, and keeps acc as the ops alone
** would: each op's body in a join sets acc where its handler does
** (interp_join.h), so an _ACC form may be B of a join (reading A's
** result from acc: a load and the branch on it, in registers) or the op
** right after one.
**
** Interpreter code only (L->interp_ops).
*/
#include "lower.h"

/* An entry joins op `a` (of `alen` operand units) to the op `b` after
** it: `b` as lowered (JOIN), or, `whole` set, `b` the join this pass
** made of the ops after a (JOIN3, JOIN4). tests/unit/test_verify.c
** checks joins.def's layouts against the ops'. */
static const struct join {
  u16 a, b, ab;
  u8 alen;
  bool whole;
} joins[] = {
#define JOIN(a, b, la, lb)                                                     \
  {WF_OP_##a, WF_OP_##b, WF_OP_##a##_J_##b, sizeof la - 1, false},
#define JOIN3(a, b, c, la, lb, lc)                                             \
  {WF_OP_##a, WF_OP_##b##_J_##c, WF_OP_##a##_J_##b##_J_##c, sizeof la - 1,     \
   true},
#define JOIN4(a, b, c, d, la, lb, lc, ld)                                      \
  {WF_OP_##a, WF_OP_##b##_J_##c##_J_##d, WF_OP_##a##_J_##b##_J_##c##_J_##d,    \
   sizeof la - 1, true},
#include "joins.def"
#undef JOIN
#undef JOIN3
#undef JOIN4
};

/* Open addressing over pairs of ops (encoded values: A and the op after
** it) and a flag (whole): index + 1 of the entry, 0 empty. One lookup
** per op lowered; the key names the pair, so an op that starts many
** entries (I32_LOAD8_U) costs no scan of them. */
#define PAIR_HASH_SIZE 1024u
struct pair_hash {
  u8 slot[PAIR_HASH_SIZE];
};

static u32 pair_key(u32 a, u32 b, bool flag) {
  return ((a * 0x9e3779b1u) ^ (b * 0x85ebca6bu) ^ (u32)flag) >> 22;
}

static void pair_put(struct pair_hash *ph, u32 key, u32 index) {
  while (ph->slot[key])
    key = (key + 1) % PAIR_HASH_SIZE;
  ph->slot[key] = (u8)(index + 1);
}

static u32 encoded(const struct lower *L, u32 op) {
  return L->dispatch ? L->dispatch[op] : op;
}

_Static_assert(WF_ARRAY_LEN(joins) < PAIR_HASH_SIZE / 4, "hash sparse");
_Static_assert(WF_ARRAY_LEN(joins) < 255, "u8 index");

/* The entry joining `v` to `b` (whole: b is a join this pass made). */
static const struct join *join_find(const struct lower *L,
                                    const struct pair_hash *ph, u32 v, u32 b,
                                    bool whole) {
  for (u32 h = pair_key(v, b, whole); ph->slot[h];
       h = (h + 1) % PAIR_HASH_SIZE) {
    const struct join *j = &joins[ph->slot[h] - 1];
    if (j->whole == whole && encoded(L, j->a) == v && encoded(L, j->b) == b)
      return j;
  }
  return NULL;
}

/* The op at emitted[i] (as lowered) and the next one noted, `next` as
** lowered and `now` as this pass left it, when they are adjacent and
** an entry of the table: the first becomes their join, a whole entry
** first (the longest). */
static void join_at(struct lower *L, const struct pair_hash *ph, u32 i,
                    u32 next, u32 now) {
  u32 p = L->emitted[i].pos, q = L->emitted[i + 1].pos, v = L->code[p];
  const struct join *best = join_find(L, ph, v, now, true);
  if (!best)
    best = join_find(L, ph, v, next, false);
  if (best && q == p + 1 + best->alen)
    L->code[p] = encoded(L, best->ab);
}

/* From the end back, so that the ops after an op are joined before it. */
void wf_lw_join_pairs(struct lower *L) {
  if (!L->interp_ops || L->status != WEFT_OK || L->nemitted < 2)
    return;
  struct pair_hash ph = {{0}};
  for (u32 k = 0; k < WF_ARRAY_LEN(joins); k++)
    pair_put(&ph,
             pair_key(encoded(L, joins[k].a), encoded(L, joins[k].b),
                      joins[k].whole),
             k);
  u32 next = L->code[L->emitted[L->nemitted - 1].pos];
  for (u32 i = L->nemitted - 1; i-- > 0;) {
    u32 v = L->code[L->emitted[i].pos];
    join_at(L, &ph, i, next, L->code[L->emitted[i + 1].pos]);
    next = v;
  }
}
