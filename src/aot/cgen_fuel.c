/*
** cgen_fuel.c — C for FUEL ops: the cheap fast path of fuel metering.
**
** A metered function keeps the fuel in a local (wf_fuel) and the context's
** counter (*wf_fuel_at) is what everything outside the function sees: the
** engine's fuel hook, host functions, callees, and a trap taken by signal
** (a guard-page fault mid-block), which reports the fuel stored last. The
** rules that keep every such observer exact while paying little per block:
**
** - A charge subtracts first and tests the sign (one subtract and one
**   branch); the rare path, a block that cannot be paid in full, goes out
**   of line (wf_fuel_pay in the prelude) and replays the original charge:
**   refuel with the exact need, then pay. That path is never run but is
**   loaded (read and MACed) with the artifact, one per test: it is one
**   call whose costs are packed in one constant, a byte each.
** - Adjacent FUEL ops (no label between) are one subtraction of their sum;
**   when short, the rare path pays them one by one, so the hook is asked
**   for the same amounts at the same fuel levels as without merging.
** - The local goes back to the context only at the start of a region (the
**   code from a FUEL op or label to the next one) that holds an op able to
**   observe it: a call, a return, a memory access (a fault traps with the
**   stored fuel), anything that can reach the runtime. An op that can
**   only trap (a division, a truncation, unreachable) stores the local on
**   its trap's cold path instead (TRAP_FUEL). A region of
**   pure ops (numeric, copies, selects, globals, branches) cannot observe
**   it, and every path out of it enters another region, which stores the
**   local if it needs to. Since the local only ever holds the exact count
**   when it is stored, a store at any later point stores the exact count.
** - A block whose code up to the next block (its region) has no effect
**   anything could see — numeric ops that cannot trap (divisions by a
**   constant included), copies, selects, forward branches; no memory,
**   globals, calls or traps — is charged late: its cost joins the pending
**   charges, subtracted and tested together (one subtract and one branch
**   for the lot) at the next charge that is not late, on every branch
**   leaving the region (a taken edge pays before its goto), and before a
**   label the region falls into. So a chain of such blocks, e.g. the
**   tests of an if/else-if ladder, pays once per path. When short, the
**   test replays the pending charges one by one, so the hook is asked
**   for the same amounts at the same fuel levels, and a block that cannot
**   be paid traps with the same fuel used. The blocks already run by then
**   only changed C locals, which nothing sees after a trap, and a hook
**   sees nothing of them either (they read no global or memory it could
**   change, and change none it could read). A loop's back edge is not
**   charged late: it is the hot path, where late costs as much as early.
** - A branch forward that tests late charges, to a label whose block is
**   charged and tested on arrival (not late), tests the label's charge
**   with its own and goes past the label's test (to L<pc>_paid): one
**   subtract and test on that edge instead of two. Nothing between the
**   branch and the label's charge can see the fuel, and when short the
**   replay pays the branch's charges, then the label's, as the
**   interpreter does.
*/
#include "cgen.h"

/* True for an op that can neither trap, nor call, nor leave the function,
** nor touch linear memory: nothing it does can observe the context's
** fuel, so a region of such ops needs the local stored nowhere. */
static bool fuel_blind(u32 op) {
  if (op < WF_OP_UNREACHABLE) /* numeric.def: pure, no traps */
    return true;
  switch (op) {
  case WF_OP_FUEL:
  case WF_OP_BR:
  case WF_OP_BR_IF:
  case WF_OP_BR_UNLESS:
  case WF_OP_BR_TABLE:
  case WF_OP_COPY_I32:
  case WF_OP_COPY_I64:
  case WF_OP_COPY_F32:
  case WF_OP_COPY_F64:
  case WF_OP_COPY_REF:
  case WF_OP_COPY_V128:
  case WF_OP_SELECT_I32:
  case WF_OP_SELECT_I64:
  case WF_OP_SELECT_F32:
  case WF_OP_SELECT_F64:
  case WF_OP_SELECT_REF:
  case WF_OP_SELECT_V128:
  case WF_OP_GLOBAL_GET:
  case WF_OP_GLOBAL_SET:
  case WF_OP_BR_IF_I32_EQZ:
  case WF_OP_BR_IF_I32_EQ:
  case WF_OP_BR_IF_I32_NE:
  case WF_OP_BR_IF_I32_LT_S:
  case WF_OP_BR_IF_I32_LT_U:
  case WF_OP_BR_IF_I32_GT_S:
  case WF_OP_BR_IF_I32_GT_U:
  case WF_OP_BR_IF_I32_LE_S:
  case WF_OP_BR_IF_I32_LE_U:
  case WF_OP_BR_IF_I32_GE_S:
  case WF_OP_BR_IF_I32_GE_U:
  case WF_OP_BR_IF_I64_EQZ:
  case WF_OP_BR_IF_I64_NEZ:
  case WF_OP_BR_IF_I64_EQ:
  case WF_OP_BR_IF_I64_NE:
  case WF_OP_BR_IF_I64_LT_S:
  case WF_OP_BR_IF_I64_LT_U:
  case WF_OP_BR_IF_I64_GT_S:
  case WF_OP_BR_IF_I64_GT_U:
  case WF_OP_BR_IF_I64_LE_S:
  case WF_OP_BR_IF_I64_LE_U:
  case WF_OP_BR_IF_I64_GE_S:
  case WF_OP_BR_IF_I64_GE_U:
  case WF_OP_I32_ADD_BR_IF:
  case WF_OP_I32_SUB_BR_IF: return true;
  default: return false;
  }
}

/* A constant slot's value, or false for a slot that is not a constant. */
static bool const_value(const struct cgen *g, u32 slot, u64 *v) {
  const struct wf_code *code = g->code;
  if (slot < code->nlocal_slots || slot >= code->nlocal_slots + code->nconsts)
    return false;
  *v = code->consts[slot - code->nlocal_slots].u64;
  return true;
}

/* A division or remainder by a constant that can never trap (not zero,
** and for a signed quotient not -1): pure arithmetic. */
static bool divides_safely(const struct cgen *g, const u32 *ip) {
  u32 op = ip[0];
  bool wide = op == WF_OP_I64_DIV_S || op == WF_OP_I64_DIV_U ||
              op == WF_OP_I64_REM_S || op == WF_OP_I64_REM_U;
  bool quotient_s = op == WF_OP_I32_DIV_S || op == WF_OP_I64_DIV_S;
  u64 b;
  if (!const_value(g, ip[3], &b))
    return false;
  if (!wide)
    b = (u32)b;
  u64 minus_one = wide ? ~(u64)0 : 0xffffffffu;
  return b != 0 && !(quotient_s && b == minus_one);
}

static bool is_division(u32 op) {
  return op == WF_OP_I32_DIV_S || op == WF_OP_I32_DIV_U ||
         op == WF_OP_I32_REM_S || op == WF_OP_I32_REM_U ||
         op == WF_OP_I64_DIV_S || op == WF_OP_I64_DIV_U ||
         op == WF_OP_I64_REM_S || op == WF_OP_I64_REM_U;
}

/* fuel_blind for the op at `pc`, knowing its operands. */
static bool op_blind(const struct cgen *g, u32 pc) {
  const u32 *ip = g->code->ops + pc;
  return fuel_blind(ip[0]) || (is_division(ip[0]) && divides_safely(g, ip));
}

/* Whether the op at `pc` can branch back (a loop's back edge). */
static bool branches_back(const struct cgen *g, u32 pc) {
  const u32 *ops = g->code->ops;
  const char *lay = op_layout[ops[pc]];
  for (u32 k = 0; lay[k]; k++) {
    u32 f = pc + 1 + k;
    if (lay[k] == 'o' && (u32)((i32)f + (i32)ops[f]) <= pc)
      return true;
  }
  return false;
}

/* Whether an op may run before the charges ahead of it are tested: it has
** no effect outside the function's C locals, reads nothing a fuel hook
** could change (globals), and leaves only by branches, whose edges test.
** A br_table would copy the test onto every one of its edges; a loop's
** back edge is its hot path, where a test costs what it saves (and a
** test in the edge's own block costs gcc a jump). */
static bool op_deferrable(const struct cgen *g, u32 pc) {
  u32 op = g->code->ops[pc];
  return op_blind(g, pc) && op != WF_OP_GLOBAL_GET && op != WF_OP_GLOBAL_SET &&
         op != WF_OP_BR_TABLE && !branches_back(g, pc);
}

/* True for an op whose only way to observe the fuel is a trap of its
** own (a division, a float-to-integer truncation, unreachable, and with
** explicit bounds checks a scalar load or store of memory 0): its trap
** path stores the local itself (TRAP_FUEL, cgen.c), which is exact there
** since the op is not blind, so its region's charges were tested. */
static bool observes_by_trap_only(const struct cgen *g, u32 op) {
  if (op >= WF_OP_I32_LOAD && op <= WF_OP_I64_STORE32)
    return g->opts->explicit_bounds_checks; /* else a fault: no trap path */
  return (op >= WF_OP_I32_DIV_S && op <= WF_OP_I64_TRUNC_F64_U) ||
         op == WF_OP_UNREACHABLE;
}

/* Whether the region starting at code index `pc` (up to the next FUEL op
** or branch target, exclusive) holds an op that can observe the fuel
** other than by a trap that stores it. In the unmetered copy of a loop
** whose accesses were proved in bounds on entry (cgen_span.c) an access
** cannot fault, so only the other ops count (a return still does: the
** caller reads the counter). */
static bool region_observes(const struct cgen *g, u32 pc) {
  const u32 *ops = g->code->ops;
  for (; pc < g->code->nops; pc += wf_cg_op_length(ops, pc)) {
    if (ops[pc] == WF_OP_FUEL || g->is_target[pc])
      return false;
    if (!op_blind(g, pc) && !observes_by_trap_only(g, ops[pc]) &&
        !(g->loop_in_bounds && wf_cg_span_covers(ops[pc])))
      return true;
  }
  return false;
}

/* Whether the region starting at `pc` may run with its charge untested:
** every op deferrable, and it ends at another block or label. */
static bool region_defers(const struct cgen *g, u32 pc) {
  const u32 *ops = g->code->ops;
  for (; pc < g->code->nops; pc += wf_cg_op_length(ops, pc)) {
    if (ops[pc] == WF_OP_FUEL || g->is_target[pc])
      return true;
    if (!op_deferrable(g, pc))
      return false;
  }
  return false;
}

static void store_if_observed(struct cgen *g, u32 pc) {
  if (region_observes(g, pc))
    wf_cg_put(&g->body, "  *wf_fuel_at = wf_fuel;\n");
}

static u64 pending_sum(const struct cgen *g) {
  u64 sum = 0;
  for (u32 i = 0; i < g->nfuel_pending; i++)
    sum += g->fuel_pending[i];
  return sum;
}

/* The pending charges packed for wf_fuel_pay (cgen.c): their nonzero
** costs a byte each, the first lowest, when there are at most 8 and
** each is below 256 (nearly every list: one cost, a constant of one
** register move); else 0, and they are paid by wf_fuel_pay_each. A cost
** of zero is no charge to replay: outside a test the fuel is never below
** zero, so paying zero never asks the hook. */
static u64 pending_packed(const struct cgen *g) {
  u64 packed = 0;
  u32 shift = 0;
  for (u32 i = 0; i < g->nfuel_pending; i++) {
    u32 cost = g->fuel_pending[i];
    if (cost == 0)
      continue;
    if (cost > 0xff || shift == 64)
      return 0;
    packed |= (u64)cost << shift;
    shift += 8;
  }
  return packed;
}

/* Subtract and test the pending charges and forget them: when short, put
** them all back and pay them one by one, asking the hook for each as the
** interpreter does at each block's start. Charges of zero cannot make the
** fuel negative and need no test. The subtraction is made here, next to
** its test, rather than where each block starts: the regions in between
** cannot see the fuel, and a test right after the subtract reuses its
** flags. The rare path is one call with the costs packed in a constant:
** it is never run but is loaded (and MACed) with the artifact, one per
** test. */
static void test_pending(struct cgen *g, const char *indent) {
  struct text *t = &g->body;
  u64 sum = pending_sum(g), packed = pending_packed(g);
  if (sum != 0) {
    wf_cg_putf(t, "%swf_fuel -= %llu;\n", indent, (unsigned long long)sum);
    wf_cg_putf(t, "%sif (WF_UNLIKELY(wf_fuel < 0))", indent);
    if (packed)
      wf_cg_putf(t, " wf_fuel = wf_fuel_pay(c, wf_fuel, 0x%llxull);\n",
                 (unsigned long long)packed);
    else {
      wf_cg_put(t, " {\n");
      for (u32 i = 0; i < g->nfuel_pending; i++)
        wf_cg_putf(t, "%s  wf_fuel = wf_fuel_pay_each(c, wf_fuel, %llu, %u);\n",
                   indent, (unsigned long long)(i == 0 ? sum : 0),
                   g->fuel_pending[i]);
      wf_cg_putf(t, "%s}\n", indent);
    }
  }
  g->nfuel_pending = 0;
}

/* Whether control never goes on from `op` to the next one. */
static bool ends_flow(u32 op) {
  return op == WF_OP_BR || op == WF_OP_BR_TABLE || op == WF_OP_RETURN ||
         op == WF_OP_UNREACHABLE;
}

enum { MANY_WAYS_IN = 255 };

/* Count the ways into each label, in is_target: 1 + the branches to it,
** or MANY_WAYS_IN for a label that code falls into, a catch block, or one
** with too many branches to count. Only a label whose value is 2 has a
** single way in, one branch. */
static void count_ways_in(struct cgen *g) {
  const u32 *ops = g->code->ops;
  u32 prev = WF_OP_FUEL; /* the function's entry falls into a label at 0 */
  for (u32 i = 0; i < g->code->nhandlers; i++)
    g->is_target[g->code->handlers[i].pad] = MANY_WAYS_IN;
  for (u32 pc = 0; pc < g->code->nops; pc += wf_cg_op_length(ops, pc)) {
    if (g->is_target[pc] && !ends_flow(prev))
      g->is_target[pc] = MANY_WAYS_IN;
    prev = ops[pc];
    const char *lay = op_layout[ops[pc]];
    u32 n = ops[pc] == WF_OP_BR_TABLE ? ops[pc + 2] + 1 : 0;
    for (u32 k = 0; k < n || (!n && lay[k]); k++) {
      u32 f = n ? pc + 3 + k : pc + 1 + k;
      if (!n && lay[k] != 'o')
        continue;
      u8 *ways = &g->is_target[(u32)((i32)f + (i32)ops[f])];
      if (*ways < MANY_WAYS_IN)
        (*ways)++;
    }
  }
}

void wf_cg_fuel_begin(struct cgen *g) {
  g->nfuel_pending = 0;
  g->loop_copy = 0;
  g->loop_in_bounds = false;
  g->span_loop = NULL;
  for (u32 i = 0; i < WF_CG_FUEL_CARRIED; i++)
    g->fuel_carried[i].n = 0;
  if (wf_cg_metered(g))
    count_ways_in(g);
  /* unmetered, a counted loop is copied only when proved in bounds */
  if (wf_cg_metered(g) || g->has_memory)
    wf_cg_loops_begin(g);
}

void wf_cg_fuel_before_label(struct cgen *g) {
  if (g->nfuel_pending)
    test_pending(g, "  ");
}

/* The code index just past the run of adjacent FUEL ops at `pc` (as
** wf_cg_emit_fuel takes them: bounded so the sum stays small), and the
** run's charges added to *n and *sum. */
static u32 fuel_run(const struct cgen *g, u32 pc, u32 *n, u64 *sum) {
  const u32 *ops = g->code->ops;
  u32 end = pc, k = 0;
  u64 s = 0;
  do {
    s += ops[end + 1];
    end += 2;
    k++;
  } while (end < g->code->nops && ops[end] == WF_OP_FUEL &&
           !g->is_target[end] && k < WF_CG_FUEL_PENDING && s < 0x40000000u);
  *n = k;
  *sum = s;
  return end;
}

/* Whether the label at `pc`, as it is emitted in the current copy, starts
** with a run of FUEL ops that it tests at once (not late), so that it gets
** a second label, L<pc>_paid, just after that test (wf_cg_emit_fuel). Not
** in a loop's unmetered copy, nor at a counted loop's head outside its
** copies (where the entry test comes first); a branch from a copy to a
** label outside it is left alone, being rare (a loop's exit). */
static bool has_paid_label(const struct cgen *g, u32 pc) {
  struct wf_cg_loop loop;
  u32 n;
  u64 sum;
  if (g->code->ops[pc] != WF_OP_FUEL || g->loop_copy == 'u')
    return false;
  if (g->loop_copy ? !*wf_cg_label_suffix(g, pc)
                   : wf_cg_counted_loop(g, pc, &loop))
    return false;
  return !region_defers(g, fuel_run(g, pc, &n, &sum));
}

/* A branch forward that must test its pending charges, to a label whose
** own charges are tested on arrival: test both at once, the branch's then
** the label's (replayed in that order when short, as the interpreter
** charges them: nothing between can see the fuel), and go to the label's
** L<pc>_paid, past its test. One subtract and test on that path instead
** of two. False, adding nothing, when the sums would not stay small. */
static bool take_target_run(struct cgen *g, u32 target) {
  const u32 *ops = g->code->ops;
  u32 n;
  u64 sum;
  if (target <= g->pc || !has_paid_label(g, target))
    return false;
  fuel_run(g, target, &n, &sum);
  if (g->nfuel_pending + n > WF_CG_FUEL_PENDING ||
      pending_sum(g) + sum >= 0x40000000u)
    return false;
  for (u32 i = 0; i < n; i++)
    g->fuel_pending[g->nfuel_pending++] = ops[target + 1 + 2 * i];
  return true;
}

bool wf_cg_fuel_edge(struct cgen *g, u32 target) {
  if (pending_sum(g) == 0)
    return false;
  /* A copied loop's exits are reached from both copies: not the only way. */
  bool single =
      g->is_target[target] == 2 && !(g->loop_copy && target > g->loop_last);
  for (u32 i = 0; target > g->pc && single && i < WF_CG_FUEL_CARRIED; i++) {
    if (g->fuel_carried[i].n)
      continue;
    /* The target's only way in: its block pays these with its own. */
    memcpy(g->fuel_carried[i].cost, g->fuel_pending,
           g->nfuel_pending * sizeof *g->fuel_pending);
    g->fuel_carried[i].n = g->nfuel_pending;
    g->fuel_carried[i].to = target;
    return false;
  }
  u32 n = g->nfuel_pending;
  bool merged = take_target_run(g, target);
  wf_cg_put(&g->body, "{\n");
  test_pending(g, "    ");
  g->nfuel_pending = n; /* the fall-through path still owes the test */
  wf_cg_putf(&g->body, "    goto L%u%s%s;\n  }", target,
             wf_cg_label_suffix(g, target), merged ? "_paid" : "");
  return true;
}

/* Whether every branch of the op at `pc` goes forward, to at most `last`
** (and its last code index past `pc` in *far). */
static bool branches_ahead(const struct cgen *g, u32 pc, u32 last, u32 *far) {
  const u32 *ops = g->code->ops;
  const char *lay = op_layout[ops[pc]];
  *far = pc;
  if (ops[pc] == WF_OP_BR_TABLE)
    return false;
  for (u32 k = 0; lay[k]; k++) {
    u32 f = pc + 1 + k;
    u32 to = (u32)((i32)f + (i32)ops[f]);
    if (lay[k] != 'o')
      continue;
    if (to <= pc || to > last)
      return false;
    *far = to > *far ? to : *far;
  }
  return true;
}

/* Whether the unmetered copy of the loop being emitted may charge a whole
** trip's unconditional blocks at its head: its accesses were proved in
** bounds, and no op in it can observe the fuel in any way (no call, no
** trap, no fault), so until the loop is left (by its back edge falling
** through, the only way out: every other branch goes forward within the
** body) nothing sees when each block's charge was taken. */
static bool trip_prepaid(const struct cgen *g) {
  const u32 *ops = g->code->ops;
  u32 far;
  if (!g->loop_in_bounds || ops[g->loop_head] != WF_OP_FUEL)
    return false;
  for (u32 pc = g->loop_head; pc < g->loop_last; pc += wf_cg_op_length(ops, pc))
    if ((!op_blind(g, pc) && !wf_cg_span_covers(ops[pc])) ||
        !branches_ahead(g, pc, g->loop_last, &far))
      return false;
  return op_blind(g, g->loop_last);
}

/* In such a loop, whether the block at `pc` runs on every trip: no branch
** before it in the body jumps past it. */
static bool runs_every_trip(const struct cgen *g, u32 pc) {
  const u32 *ops = g->code->ops;
  u32 far;
  for (u32 p = g->loop_head; p < pc; p += wf_cg_op_length(ops, p))
    if (branches_ahead(g, p, g->loop_last, &far) && far > pc)
      return false;
  return true;
}

/* The charges of the loop's blocks that run on every trip. */
static u64 trip_charge(const struct cgen *g) {
  const u32 *ops = g->code->ops;
  u64 sum = 0;
  for (u32 pc = g->loop_head; pc < g->loop_last; pc += wf_cg_op_length(ops, pc))
    if (ops[pc] == WF_OP_FUEL && runs_every_trip(g, pc))
      sum += ops[pc + 1];
  return sum;
}

/* The unmetered copy of a counted loop (cgen_loop.c): the charges of the
** run of FUEL ops at `pc` subtracted, never tested, and stored where the
** metered copy would store them (nowhere when its accesses were proved
** in bounds: store_if_observed). When nothing in the loop can see the
** fuel (trip_prepaid), the blocks that run on every trip are charged
** together at the head, one subtraction a trip, and only the others
** where they run. */
static u32 emit_prepaid(struct cgen *g, u32 pc) {
  const u32 *ops = g->code->ops;
  u32 end = pc;
  u64 sum = 0;
  do {
    sum += ops[end + 1];
    end += 2;
  } while (end < g->code->nops && ops[end] == WF_OP_FUEL && !g->is_target[end]);
  if (trip_prepaid(g) && runs_every_trip(g, pc))
    sum = pc == g->loop_head ? trip_charge(g) : 0;
  if (sum)
    wf_cg_putf(&g->body, "  wf_fuel -= %llu;\n", (unsigned long long)sum);
  store_if_observed(g, end);
  return end - pc;
}

u32 wf_cg_emit_fuel(struct cgen *g, u32 pc) {
  const u32 *ops = g->code->ops;
  u32 n;
  u64 sum;
  if (g->loop_copy == 'u') /* every charge paid in advance: no test */
    return emit_prepaid(g, pc);
  u32 end = fuel_run(g, pc, &n, &sum);
  if (g->nfuel_pending + n > WF_CG_FUEL_PENDING ||
      pending_sum(g) + sum >= 0x40000000u)
    test_pending(g, "  ");
  for (u32 at = pc; at < end; at += 2)
    g->fuel_pending[g->nfuel_pending++] = ops[at + 1];
  if (!region_defers(g, end)) {
    test_pending(g, "  ");
    if (g->is_target[pc]) /* has_paid_label: branches here may skip it */
      wf_cg_putf(&g->body, "L%u%s_paid:;\n", pc, wf_cg_label_suffix(g, pc));
    store_if_observed(g, end);
  }
  return end - pc;
}

void wf_cg_fuel_at_label(struct cgen *g, u32 pc) {
  for (u32 i = 0; i < WF_CG_FUEL_CARRIED; i++)
    if (g->fuel_carried[i].n && g->fuel_carried[i].to == pc) {
      memcpy(g->fuel_pending, g->fuel_carried[i].cost,
             g->fuel_carried[i].n * sizeof *g->fuel_pending);
      g->nfuel_pending = g->fuel_carried[i].n;
      g->fuel_carried[i].n = 0;
    }
  if (wf_cg_metered(g) && g->code->ops[pc] != WF_OP_FUEL) {
    test_pending(g, "  ");
    store_if_observed(g, pc);
  }
}
