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
**   refuel with the exact need, then pay.
** - Adjacent FUEL ops (no label between) are one subtraction of their sum;
**   when short, the rare path pays them one by one, so the hook is asked
**   for the same amounts at the same fuel levels as without merging.
** - The local goes back to the context only at the start of a region (the
**   code from a FUEL op or label to the next one) that holds an op able to
**   observe it: a call, a return, a memory access (a fault traps with the
**   stored fuel), anything that can trap or reach the runtime. A region of
**   pure ops (numeric, copies, selects, globals, branches) cannot observe
**   it, and every path out of it enters another region, which stores the
**   local if it needs to. Since the local only ever holds the exact count,
**   a store at any later point stores the exact count.
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

/* Whether the region starting at code index `pc` (up to the next FUEL op
** or branch target, exclusive) holds an op that can observe the fuel. */
static bool region_observes(const struct cgen *g, u32 pc) {
  const u32 *ops = g->code->ops;
  for (; pc < g->code->nops; pc += wf_cg_op_length(ops, pc)) {
    if (ops[pc] == WF_OP_FUEL || g->is_target[pc])
      return false;
    if (!fuel_blind(ops[pc]))
      return true;
  }
  return false;
}

static void store_if_observed(struct cgen *g, u32 pc) {
  if (region_observes(g, pc))
    wf_cg_put(&g->body, "  *wf_fuel_at = wf_fuel;\n");
}

u32 wf_cg_emit_fuel(struct cgen *g, u32 pc) {
  const u32 *ops = g->code->ops;
  struct text *t = &g->body;
  u32 end = pc, n = 0;
  u64 sum = 0;
  /* The run of adjacent FUEL ops (bounded so the sum stays small). */
  do {
    sum += ops[end + 1];
    end += 2;
    n++;
  } while (end < g->code->nops && ops[end] == WF_OP_FUEL &&
           !g->is_target[end] && n < 64 && sum < 0x40000000u);
  wf_cg_putf(t, "  wf_fuel -= %llu;\n  if (WF_UNLIKELY(wf_fuel < 0)) {\n",
             (unsigned long long)sum);
  for (u32 at = pc; at < end; at += 2)
    wf_cg_putf(t, "    wf_fuel = wf_fuel_pay(c, wf_fuel, %llu, %u);\n",
               (unsigned long long)(at == pc ? sum : 0), ops[at + 1]);
  wf_cg_put(t, "  }\n");
  store_if_observed(g, end);
  return end - pc;
}

void wf_cg_fuel_at_label(struct cgen *g, u32 pc) {
  if (wf_cg_metered(g) && g->code->ops[pc] != WF_OP_FUEL)
    store_if_observed(g, pc);
}
