/*
** cgen_loop.c — counted loops charged on entry. An innermost loop whose
** number of iterations is bounded on entry (below) is emitted twice: a
** metered copy, exactly as any other code, and an unmetered copy whose
** blocks subtract their costs but never test them. On entry the bound
** times the most one iteration can cost is compared with the fuel; when
** the fuel covers it, the unmetered copy runs, otherwise the metered one
** (for the whole loop: it branches back into itself). Without fuel a
** loop is copied only when its accesses can be proved in bounds on
** entry (cgen_span.c): the entry test then checks the trips and the
** spans only, and picks the copy without pins or checks.
**
** Why the counts stay exact: the unmetered copy still subtracts each
** block's cost when the block starts, and stores the counter where the
** metered copy would, so the fuel is exact at every point anything can
** see it (a trap, a fault, the loop's exit); where the entry test also
** proved every access in bounds (cgen_span.c) nothing can fault, and the
** copy stores nothing but on its trap paths. Only the test is gone, and
** it could never fail: the loop runs at most `trips` iterations, each
** paying at most the sum of its blocks' costs (its blocks form no cycle
** but the loop itself, so each runs at most once an iteration), and the
** fuel covered that product on entry. Nothing in the loop can change the
** fuel otherwise (no calls, no bulk operations, no growth: see
** loop_op_allowed), and the interpreter asks the hook only when a block
** is short, which never happens in such a loop: it asks at the same
** points in both copies, namely none.
**
** The bound: the loop's one back edge is its last op; the branch goes
** back while an i32 induction variable `iv` differs from a bound `b` that
** nothing in the loop writes. `iv` is written in the loop once, by
** iv += s (s a constant ±2^p) in the block that ends with the back edge,
** before it; no label lies between that block's start and the branch, so
** every iteration that branches back added s exactly once since the last
** test. Then the loop runs at most the least k >= 1 with iv0 + k*s == b
** (mod 2^32) iterations: at that k the branch falls through, if the loop
** has not left earlier. When no such k exists the loop is left to the
** metered copy. The entry test computes k from the values on entry; a
** wrong guess could only make the unmetered copy run short of fuel
** untested, and every condition above is checked on the code, not
** assumed from the module.
*/
#include "cgen.h"

/* Ops an unmetered loop may hold: none can call, reach the runtime's
** fuel, or leave except by a trap, a branch or a return. Any access to
** memory admitted here must be one cgen_span.c's access_of knows. */
static bool loop_op_allowed(u32 op) {
  if (op < WF_OP_UNREACHABLE) /* numeric.def */
    return true;
  if (op >= WF_OP_I32_LOAD && op <= WF_OP_I64_STORE32)
    return true;
  if (op >= WF_OP_I32_DIV_S && op <= WF_OP_I64_TRUNC_F64_U)
    return true;
  if (op >= WF_OP_BR_IF_I32_EQZ && op <= WF_OP_F64_MUL_F64_STORE)
    return true;
  if (op >= WF_OP_FUEL && op <= WF_OP_GLOBAL_SET)
    return op != WF_OP_CALL && op != WF_OP_CALL_INTERNAL &&
           op != WF_OP_CALL_INDIRECT;
  return op == WF_OP_MEMORY_SIZE;
}

/* Whether the op at `pc` writes `slot`. */
static bool writes_slot(const u32 *ops, u32 pc, u32 slot) {
  const char *lay = op_layout[ops[pc]];
  if (ops[pc] == WF_OP_BR_TABLE)
    return false;
  for (u32 k = 0; lay[k]; k++)
    if (lay[k] == 'd' && ops[pc + 1 + k] == slot)
      return true;
  return false;
}

/* Each branch target of the op at `pc`, through `fn`. */
static void each_target(struct cgen *g, u32 pc,
                        void (*fn)(struct cgen *, u32 from, u32 to)) {
  const u32 *ops = g->code->ops;
  const char *lay = op_layout[ops[pc]];
  u32 n = ops[pc] == WF_OP_BR_TABLE ? ops[pc + 2] + 1 : 0;
  for (u32 k = 0; k < n || (!n && lay[k]); k++) {
    u32 f = n ? pc + 3 + k : pc + 1 + k;
    if (n || lay[k] == 'o')
      fn(g, pc, (u32)((i32)f + (i32)ops[f]));
  }
}

static void note_branch(struct cgen *g, u32 from, u32 to) {
  if (from < g->from_lo[to])
    g->from_lo[to] = from;
  if (from > g->from_hi[to])
    g->from_hi[to] = from;
}

/* The branches into each label, as the lowest and highest code index
** they come from. Without the memory for it no loop is charged on entry. */
void wf_cg_loops_begin(struct cgen *g) {
  const u32 *ops = g->code->ops;
  size_t n = (size_t)g->code->nops + 1;
  g->from_lo = wf_alloc_zero(g->a, n * sizeof(u32));
  g->from_hi = wf_alloc_zero(g->a, n * sizeof(u32));
  if (!g->from_lo || !g->from_hi) {
    wf_cg_loops_end(g);
    return;
  }
  memset(g->from_lo, 0xff, n * sizeof(u32));
  for (u32 pc = 0; pc < g->code->nops; pc += wf_cg_op_length(ops, pc))
    each_target(g, pc, note_branch);
}

void wf_cg_loops_end(struct cgen *g) {
  size_t n = (size_t)g->code->nops + 1;
  if (g->from_lo)
    wf_alloc_free(g->a, g->from_lo, n * sizeof(u32));
  if (g->from_hi)
    wf_alloc_free(g->a, g->from_hi, n * sizeof(u32));
  g->from_lo = g->from_hi = NULL;
}

/* Whether the op at `pc` has a target at or before itself. */
static bool branches_back(const struct cgen *g, u32 pc) {
  const u32 *ops = g->code->ops;
  const char *lay = op_layout[ops[pc]];
  u32 n = ops[pc] == WF_OP_BR_TABLE ? ops[pc + 2] + 1 : 0;
  for (u32 k = 0; k < n || (!n && lay[k]); k++) {
    u32 f = n ? pc + 3 + k : pc + 1 + k;
    if ((n || lay[k] == 'o') && (u32)((i32)f + (i32)ops[f]) <= pc)
      return true;
  }
  return false;
}

/* A constant slot's value as a u32. */
bool wf_cg_const_u32(const struct cgen *g, u32 slot, u32 *v) {
  const struct wf_code *code = g->code;
  if (slot < code->nlocal_slots || slot >= code->nlocal_slots + code->nconsts)
    return false;
  *v = code->consts[slot - code->nlocal_slots].u32;
  return true;
}

/* The step of `iv += s` at `pc`, if the op is one. */
bool wf_cg_step_of(const struct cgen *g, u32 pc, u32 iv, u32 *s) {
  const u32 *ip = g->code->ops + pc;
  if (ip[0] == WF_OP_I32_ADD && ip[1] == iv && ip[2] == iv)
    return wf_cg_const_u32(g, ip[3], s);
  if (ip[0] == WF_OP_I32_ADD && ip[1] == iv && ip[3] == iv)
    return wf_cg_const_u32(g, ip[2], s);
  if (ip[0] == WF_OP_I32_SUB && ip[1] == iv && ip[2] == iv &&
      wf_cg_const_u32(g, ip[3], s)) {
    *s = 0u - *s;
    return true;
  }
  return false;
}

/* A step ±2^p, as p and its sign; false for any other. */
static bool step_shape(u32 s, u32 *p, bool *down) {
  *down = s >> 31 && s != 0x80000000u;
  u32 m = *down ? 0u - s : s;
  if (m == 0 || (m & (m - 1)))
    return false;
  *p = (u32)__builtin_ctz(m);
  return true;
}

/* The back edge at `last`: which slot is the variable, what the bound is
** (a slot; ~0u: zero), and, for iv = iv +- c fused with the test, the
** step. */
static bool back_edge(const struct cgen *g, u32 last, struct wf_cg_loop *l,
                      bool *fused) {
  const u32 *ip = g->code->ops + last;
  *fused = false;
  l->bound = ~0u;
  switch (ip[0]) {
  case WF_OP_BR_IF_I32_NE:
    l->iv = ip[1];
    l->bound = ip[2];
    return true;
  case WF_OP_BR_IF: l->iv = ip[1]; return true;
  case WF_OP_I32_ADD_BR_IF:
  case WF_OP_I32_SUB_BR_IF:
    if (ip[1] != ip[2] || !wf_cg_const_u32(g, ip[3], &l->step))
      return false;
    l->iv = ip[1];
    if (ip[0] == WF_OP_I32_SUB_BR_IF)
      l->step = 0u - l->step;
    *fused = true;
    return true;
  default: return false;
  }
}

/* For BR_IF_I32_NE either operand may be the variable: the one written
** in the loop. */
static void pick_variable(const struct cgen *g, struct wf_cg_loop *l) {
  const u32 *ops = g->code->ops;
  if (l->bound == ~0u)
    return;
  for (u32 pc = l->head; pc < l->last; pc += wf_cg_op_length(ops, pc))
    if (writes_slot(ops, pc, l->bound)) {
      u32 t = l->iv;
      l->iv = l->bound;
      l->bound = t;
      return;
    }
}

/* The variable is written once, by its step, in the block that ends
** with the back edge (no label between the step and the branch); the
** bound is written nowhere in the loop. */
static bool variable_ok(const struct cgen *g, struct wf_cg_loop *l,
                        bool fused) {
  const u32 *ops = g->code->ops;
  u32 steps = 0, step_pc = l->last, latch = l->head;
  if (l->iv == l->bound || wf_cg_const_u32(g, l->iv, &(u32){0}))
    return false;
  for (u32 pc = l->head; pc < l->last; pc += wf_cg_op_length(ops, pc)) {
    if (g->is_target[pc])
      latch = pc;
    if (l->bound != ~0u && writes_slot(ops, pc, l->bound))
      return false;
    if (!writes_slot(ops, pc, l->iv))
      continue;
    if (fused || !wf_cg_step_of(g, pc, l->iv, &l->step))
      return false;
    step_pc = pc;
    steps++;
  }
  if (g->is_target[l->last] && !fused)
    return false;
  return latch <= step_pc && (fused ? steps == 0 : steps == 1) &&
         step_shape(l->step, &l->shift, &l->down);
}

/* The loop's ops all allowed, and with fuel its blocks' costs, summed:
** at least what any one iteration pays, since none runs twice in it. */
static bool loop_cost(const struct cgen *g, struct wf_cg_loop *l) {
  const u32 *ops = g->code->ops;
  u64 sum = 0;
  for (u32 pc = l->head; pc <= l->last; pc += wf_cg_op_length(ops, pc)) {
    if (!loop_op_allowed(ops[pc]))
      return false;
    if (ops[pc] == WF_OP_FUEL)
      sum += ops[pc + 1];
  }
  l->cost = sum;
  return !wf_cg_metered(g) || (sum != 0 && sum < (1u << 24));
}

enum { LOOP_MAX_UNITS = 4096 }; /* copied twice: bound the code growth */

/* The loop's shape: its last op is its one back edge (to `head`; the last
** branch there), every other branch in it goes forward, and no branch
** from outside lands inside it but on its head. */
static bool loop_shape(const struct cgen *g, u32 head, struct wf_cg_loop *l) {
  const u32 *ops = g->code->ops;
  u32 last = g->from_hi[head];
  if (g->from_lo[head] == ~0u || last < head || last - head > LOOP_MAX_UNITS)
    return false;
  l->head = head;
  l->last = last;
  u32 pc = head;
  for (; pc < last; pc += wf_cg_op_length(ops, pc)) {
    if (pc > head && g->is_target[pc] &&
        (g->from_lo[pc] < head || g->from_hi[pc] > last))
      return false;
    if (branches_back(g, pc))
      return false;
  }
  l->end = last + wf_cg_op_length(ops, last);
  return pc == last && ops[last] != WF_OP_BR_TABLE;
}

bool wf_cg_counted_loop(const struct cgen *g, u32 head, struct wf_cg_loop *l) {
  bool fused;
  if (g->loop_copy || g->code->nhandlers || !g->from_lo)
    return false;
  for (u32 i = 0; i < WF_CG_FUEL_CARRIED; i++)
    if (g->fuel_carried[i].n && g->fuel_carried[i].to == head)
      return false; /* charges owed at the head: not exact on entry */
  if (!loop_shape(g, head, l) || !loop_cost(g, l) ||
      !back_edge(g, l->last, l, &fused))
    return false;
  pick_variable(g, l);
  if (!variable_ok(g, l, fused))
    return false;
  wf_cg_loop_spans(g, l);
  /* Unmetered, only accesses proved in bounds gain from a copy: a loop
  ** with none would pay its entry test for nothing. */
  return wf_cg_metered(g) || (l->in_bounds && l->nspans);
}

/* A label's name in the copy being emitted: L<pc>u in the unmetered
** copy, L<pc>m in the metered one, L<pc> outside both. */
const char *wf_cg_label_suffix(const struct cgen *g, u32 pc) {
  if (!g->loop_copy || pc < g->loop_head || pc > g->loop_last)
    return "";
  return g->loop_copy == 'u' ? "u" : "m";
}

/* The entry test: the loop's most iterations from the values on entry,
** times the most one costs, against the fuel (exact here: the charges
** before the label were tested). When it falls short, or the variable
** never meets the bound, the metered copy runs. */
static void emit_entry_test(struct cgen *g, const struct wf_cg_loop *l) {
  struct text *t = &g->body;
  if (l->in_bounds)
    wf_cg_declare_span_pointers(g, l);
  wf_cg_put(t, "  { u32 wf_dist = ");
  if (l->bound == ~0u)
    wf_cg_put(t, "0u");
  else
    wf_cg_var(g, l->bound, 'i');
  wf_cg_put(t, " - ");
  wf_cg_var(g, l->iv, 'i');
  if (l->down)
    wf_cg_put(t, "; wf_dist = 0u - wf_dist");
  wf_cg_putf(t,
             ";\n    u64 wf_trips = wf_dist >> %u;\n"
             "    if (!wf_trips) wf_trips = 0x%llxull;\n",
             l->shift, 1ull << (32 - l->shift));
  wf_cg_putf(t, "    if (WF_UNLIKELY((wf_dist & 0x%xu)", (1u << l->shift) - 1);
  if (wf_cg_metered(g))
    wf_cg_putf(t, " || (int64_t)(wf_trips * %lluull) > wf_fuel",
               (unsigned long long)l->cost);
  if (l->in_bounds)
    wf_cg_emit_spans(g, l);
  wf_cg_putf(t, ")) goto L%um;\n", l->head);
  if (l->in_bounds)
    wf_cg_set_span_pointers(g, l);
  wf_cg_put(t, "  }\n");
}

void wf_cg_emit_loop(struct cgen *g, const struct wf_cg_loop *l) {
  struct text *t = &g->body;
  wf_cg_fuel_before_label(g);
  wf_cg_putf(t, "L%u:;\n", l->head);
  emit_entry_test(g, l);
  g->loop_head = l->head;
  g->loop_last = l->last;
  g->loop_copy = 'u';
  g->loop_in_bounds = l->in_bounds;
  g->span_loop = l->in_bounds ? l : NULL;
  wf_cg_emit_range(g, l->head, l->end);
  g->loop_in_bounds = false;
  g->span_loop = NULL;
  wf_cg_putf(t, "  goto L%ux;\n", l->head);
  g->loop_copy = 'm';
  wf_cg_emit_range(g, l->head, l->end);
  wf_cg_fuel_before_label(g);
  g->loop_copy = 0;
  wf_cg_putf(t, "L%ux:;\n", l->head);
}
