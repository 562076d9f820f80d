/*
** cgen_mem.c — C for accesses to memories other than a 32-bit memory 0
** (MEMX_AT/MEMX_END) and for 64-bit tables; and the loop over a body's
** ops that hands each to the file emitting it.
*/
#include "cgen.h"

/* ==== multi-memory, memory64, table64 ==================================
** MEMX_AT opens a C block with its own `mem` (the checked wf_cg_address in
** memory k) and `msz` (the access width), so the ordinary access op that
** follows, reading wf_cg_address 0, needs no change; MEMX_END closes it. These
** checks are explicit in both bounds modes: guard pages cover only the
** 32-bit memory 0 of the fast path. */

static char addr_letter(const struct cgen *g, u32 mem) {
  return wf_module_memory_limits(g->m, mem).is64 ? 'l' : 'i';
}

static void put_u64_operand(struct cgen *g, u32 slot, char letter) {
  wf_cg_put(&g->body, letter == 'l' ? "" : "(u64)");
  wf_cg_var(g, slot, letter);
}

static void emit_memx_at(struct cgen *g, const u32 *ip) {
  struct text *t = &g->body;
  u64 off = (u64)ip[4] << 32 | ip[3];
  wf_cg_putf(t, "  { weft_aot_memory *xm = c->memories[%uu]; u64 xa = ", ip[1]);
  put_u64_operand(g, ip[2], addr_letter(g, ip[1]));
  wf_cg_putf(
      t,
      "; u64 xea = xa + 0x%llxull;\n"
      "  if (WF_UNLIKELY(xea < xa || xea > xm->size || "
      "xm->size - xea < %uu)) TRAP(%u);\n"
      "  u8 *mem = xm->data + xea; u64 msz = %uu; (void)msz; (void)mem;\n",
      (unsigned long long)off, ip[5], (unsigned)WEFT_TRAP_MEMORY_OOB, ip[5]);
}

static bool emit_memx(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  char l = 0;
  switch (op) {
  case WF_OP_MEMX_AT: emit_memx_at(g, ip); return true;
  case WF_OP_MEMX_END: wf_cg_put(t, "  }\n"); return true;
  case WF_OP_MEMX_SIZE:
    l = addr_letter(g, ip[2]);
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], l);
    wf_cg_putf(t, " = (%s)(c->memories[%uu]->size >> 16);\n",
               l == 'l' ? "u64" : "u32", ip[2]);
    return true;
  case WF_OP_MEMX_GROW:
    l = addr_letter(g, ip[2]);
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], l);
    wf_cg_putf(t, " = (%s)c->api->memx_grow(c, %uu, ", l == 'l' ? "u64" : "u32",
               ip[2]);
    put_u64_operand(g, ip[3], l);
    wf_cg_put(t, ");\n");
    wf_cg_after_call(g);
    return true;
  case WF_OP_MEMX_FILL:
    l = addr_letter(g, ip[1]);
    wf_cg_putf(t, "  c->api->memx_fill(c, %uu, ", ip[1]);
    put_u64_operand(g, ip[2], l);
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[3], 'i');
    wf_cg_put(t, ", ");
    put_u64_operand(g, ip[4], l);
    wf_cg_put(t, ");\n");
    wf_cg_reload_fuel(g);
    return true;
  case WF_OP_MEMX_COPY: {
    char dl = addr_letter(g, ip[1]), sl = addr_letter(g, ip[2]);
    wf_cg_putf(t, "  c->api->memx_copy(c, %uu, %uu, ", ip[1], ip[2]);
    put_u64_operand(g, ip[3], dl);
    wf_cg_put(t, ", ");
    put_u64_operand(g, ip[4], sl);
    wf_cg_put(t, ", ");
    put_u64_operand(g, ip[5], dl == 'l' && sl == 'l' ? 'l' : 'i');
    wf_cg_put(t, ");\n");
    wf_cg_reload_fuel(g);
    return true;
  }
  case WF_OP_MEMX_INIT:
    wf_cg_putf(t, "  c->api->memx_init(c, %uu, %uu, ", ip[2], ip[1]);
    put_u64_operand(g, ip[3], addr_letter(g, ip[2]));
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[4], 'i');
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[5], 'i');
    wf_cg_put(t, ");\n");
    wf_cg_reload_fuel(g);
    return true;
  case WF_OP_I64_SAT_U32:
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_put(t, " = ");
    wf_cg_var(g, ip[2], 'l');
    wf_cg_put(t, " > 0xffffffffull ? 0xffffffffu : (u32)");
    wf_cg_var(g, ip[2], 'l');
    wf_cg_put(t, ";\n");
    return true;
  default: return false;
  }
}
/* ==== end multi-memory, memory64, table64 ============================== */

/* The label at `pc`, or, when a counted loop starts there, the loop in
** its two copies (cgen_loop.c): the code index to go on from. */
static u32 emit_label(struct cgen *g, u32 pc) {
  struct wf_cg_loop loop;
  if (wf_cg_counted_loop(g, pc, &loop)) {
    wf_cg_emit_loop(g, &loop);
    return loop.end;
  }
  wf_cg_fuel_before_label(g);
  wf_cg_putf(&g->body, "L%u%s:;\n", pc, wf_cg_label_suffix(g, pc));
  wf_cg_fuel_at_label(g, pc);
  return pc;
}

void wf_cg_emit_range(struct cgen *g, u32 lo, u32 hi) {
  const u32 *ops = g->code->ops;
  u32 pc = lo, prev = WF_CG_NO_PC;
  while (pc < hi) {
    if (g->is_target[pc]) {
      prev = WF_CG_NO_PC;
      u32 next = emit_label(g, pc);
      /* branches arrive here with other values: no fact holds */
      wf_cg_bits_clear(g);
      g->nloaded = 0;
      if (next != pc) { /* a counted loop, emitted whole */
        pc = next;
        continue;
      }
    }
    u32 op = ops[pc];
    const u32 *ip = ops + pc;
    g->pc = pc;
    g->prev_pc = prev;
    prev = pc;
    if (g->span_loop && pc == g->loop_last) /* the back edge */
      wf_cg_step_span_pointers(g);
    if (op == WF_OP_FUEL) { /* adjacent ones as one (cgen_fuel.c) */
      pc += wf_cg_emit_fuel(g, pc);
      continue;
    }
    if (!(wf_cg_emit_bit_compare(g, ops, pc) || wf_cg_emit_numeric(g, ip, op) ||
          wf_cg_emit_branch(g, ops, pc, op) || wf_cg_emit_call(g, ip, op) ||
          wf_cg_emit_memory_access(g, ip, op) || wf_cg_emit_fused(g, ip, op) ||
          wf_cg_emit_trapping(g, ip, op) || wf_cg_emit_simd(g, ip, op) ||
          wf_cg_emit_tail_call(g, ip, op) || wf_cg_emit_exception(g, ip, op) ||
          emit_memx(g, ip, op) || wf_cg_emit_other(g, ip, op)))
      wf_cg_putf(&g->body, "#error unknown internal op %u\n", op);
    wf_cg_bits_note(g, ip);
    wf_cg_note_loaded(g, ip);
    pc += wf_cg_op_length(ops, pc);
  }
}

void wf_cg_emit_body(struct cgen *g) {
  wf_cg_fuel_begin(g);
  wf_cg_bits_clear(g);
  g->nloaded = 0;
  wf_cg_emit_range(g, 0, g->code->nops);
}
