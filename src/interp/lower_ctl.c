/*
** lower_ctl.c — lowering of control: blocks, if/else, branches (with their
** moves into label slots and compare fusion), calls and tail calls,
** typed function references (call_ref, br_on_null), locals and globals.
*/
#include "lower.h"

/* ---- blocks and branches ---------------------------------------------- */

bool wf_lw_block(struct lower *L, u8 kind) {
  u32 np = 0, nr = 0, nclauses = 0;
  const u8 *p = NULL, *r = NULL;
  const struct wf_functype *bft = NULL;
  wf_vt bsingle = 0;
  if (!wf_lw_read_blocktype(L, &np, &p, &nr, &r, &bft, &bsingle))
    return false;
  if (kind == CTRL_TRY_TABLE && !wf_lw_read_clauses(L, &nclauses))
    return false;
  struct entry cond = {WF_I32, 0, 0};
  if (kind == CTRL_IF && !wf_lw_pop_type(L, WF_I32, &cond))
    return false;
  if (!wf_lw_check_top(L, np, p, bft ? bft->full : NULL))
    return false;
  /* Params must be real stack entries of this block (not polymorphic). */
  struct ctrl *outer = &L->ctrls[L->nctrls - 1];
  while (L->height - outer->height < np) {
    /* Unreachable: conjure the missing (deepest) params. */
    if (!wf_lw_grow(L, &L->stack, &L->stack_cap, L->height + np,
                    sizeof(struct entry)))
      return false;
    memmove(&L->stack[outer->height + 1], &L->stack[outer->height],
            (L->height - outer->height) * sizeof(struct entry));
    L->stack[outer->height].type = T_UNKNOWN;
    L->height++;
    if (L->height > L->max_height)
      L->max_height = L->height;
  }
  for (u32 i = 0; i < np; i++) {
    L->stack[L->height - np + i].type = p[i];
    L->stack[L->height - np + i].full = bft && bft->full ? bft->full[i] : 0;
  }
  wf_lw_materialize_locals(L);
  /* A loop's back-edge and an if's else arm expect the params in their
  ** own slots. */
  if (kind != CTRL_BLOCK)
    for (u32 i = 0; i < np; i++)
      wf_lw_materialize(L, L->height - np + i);
  bool fused = false;
  u32 cmp_a = 0, cmp_b = 0, cmp_op = 0;
  if (kind == CTRL_IF && live(L) && L->last_op_pos != NONE &&
      L->last_dst_pos == L->last_op_pos + 1 &&
      cond.loc == stack_loc(L->height) &&
      L->code[L->last_dst_pos] == cond.loc) {
    /* Fuse "compare; if" into a branch on the negated compare. */
    static const struct {
      u16 from, to;
      bool unary;
    } neg[] = {
        {WF_OP_I32_AND, WF_OP_BR_UNLESS_I32_AND, false}, /* interpreter only */
        {WF_OP_I32_EQZ, WF_OP_BR_IF, true},
        {WF_OP_I32_EQ, WF_OP_BR_IF_I32_NE, false},
        {WF_OP_I32_NE, WF_OP_BR_IF_I32_EQ, false},
        {WF_OP_I32_LT_S, WF_OP_BR_IF_I32_GE_S, false},
        {WF_OP_I32_LT_U, WF_OP_BR_IF_I32_GE_U, false},
        {WF_OP_I32_GT_S, WF_OP_BR_IF_I32_LE_S, false},
        {WF_OP_I32_GT_U, WF_OP_BR_IF_I32_LE_U, false},
        {WF_OP_I32_LE_S, WF_OP_BR_IF_I32_GT_S, false},
        {WF_OP_I32_LE_U, WF_OP_BR_IF_I32_GT_U, false},
        {WF_OP_I32_GE_S, WF_OP_BR_IF_I32_LT_S, false},
        {WF_OP_I32_GE_U, WF_OP_BR_IF_I32_LT_U, false},
        {WF_OP_I64_EQZ, WF_OP_BR_IF_I64_NEZ, true},
        {WF_OP_I64_EQ, WF_OP_BR_IF_I64_NE, false},
        {WF_OP_I64_NE, WF_OP_BR_IF_I64_EQ, false},
        {WF_OP_I64_LT_S, WF_OP_BR_IF_I64_GE_S, false},
        {WF_OP_I64_LT_U, WF_OP_BR_IF_I64_GE_U, false},
        {WF_OP_I64_GT_S, WF_OP_BR_IF_I64_LE_S, false},
        {WF_OP_I64_GT_U, WF_OP_BR_IF_I64_LE_U, false},
        {WF_OP_I64_LE_S, WF_OP_BR_IF_I64_GT_S, false},
        {WF_OP_I64_LE_U, WF_OP_BR_IF_I64_GT_U, false},
        {WF_OP_I64_GE_S, WF_OP_BR_IF_I64_LT_S, false},
        {WF_OP_I64_GE_U, WF_OP_BR_IF_I64_LT_U, false},
    };
    for (u32 i = 0; i < WF_ARRAY_LEN(neg); i++) {
      if (neg[i].from != L->last_op ||
          (neg[i].from == WF_OP_I32_AND && !L->interp_ops))
        continue;
      cmp_a = L->code[L->last_op_pos + 2];
      cmp_b = neg[i].unary ? NONE : L->code[L->last_op_pos + 3];
      cmp_op = neg[i].to;
      fused = true;
      break;
    }
  }
  if (fused) {
    /* Drop the compare (and its relocations), re-emit as a branch. */
    wf_lw_truncate_code(L, L->last_op_pos);
  }
  u32 first_clause = L->nclauses - nclauses;
  if (!wf_lw_push_ctrl(L, kind, np, p, nr, r))
    return false;
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  c->clause_first = first_clause;
  c->nclauses = nclauses;
  c->ft = bft;
  c->single = bsingle != (wf_vt)(nr ? r[0] : 0) ? bsingle : 0;
  if (kind == CTRL_LOOP) {
    c->loop_pc = L->ncode;
    wf_lw_mark_label(L);
  } else if (kind == CTRL_IF && !c->dead_start) {
    if (fused) {
      wf_lw_emit_op(L, (enum wf_op)cmp_op);
      wf_lw_put_slot(L, cmp_a);
      if (cmp_b != NONE)
        wf_lw_put_slot(L, cmp_b);
    } else {
      wf_lw_emit_op(L, WF_OP_BR_UNLESS);
      wf_lw_put_slot(L, cond.loc);
    }
    c->else_field = L->ncode;
    wf_lw_put(L, NONE);
    wf_lw_mark_label(L);
  }
  return true;
}

/* Fallthrough into the end of `c`: results into their slots. */
bool wf_lw_close_arm(struct lower *L, struct ctrl *c) {
  if (!wf_lw_check_top(L, c->nresults, c->results, results_full(c)))
    return false;
  if (L->height - c->height != c->nresults &&
      !(c->unreachable && L->height - c->height < c->nresults))
    return wf_lw_invalid(L, "type mismatch");
  if (live(L))
    for (u32 i = 0; i < c->nresults; i++) {
      u32 src = L->stack[L->height - c->nresults + i].loc;
      u32 dst = stack_loc(c->height + i);
      if (src != dst)
        wf_lw_emit_copy(L, dst, src, c->results[i]);
    }
  return true;
}

bool wf_lw_else(struct lower *L) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  if (c->kind != CTRL_IF)
    return wf_lw_invalid(L, "else without if");
  if (!wf_lw_close_arm(L, c))
    return false;
  if (live(L)) {
    wf_lw_emit_br(L, c);
  }
  if (c->else_field != NONE) {
    L->code[c->else_field] = (u32)((i32)L->ncode - (i32)c->else_field);
    c->else_field = NONE;
  }
  c->kind = CTRL_ELSE;
  c->unreachable = false;
  wf_lw_mark_label(L);
  L->height = c->height;
  for (u32 i = 0; i < c->nparams; i++)
    wf_lw_push_vt(L, vt_at(c->params, params_full(c), i),
                  stack_loc(c->height + i));
  wf_lw_reset_inits(L, c->init_height);
  wf_lw_reset_assigns(L, c->assign_height);
  return true;
}

bool wf_lw_end(struct lower *L) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  if (c->kind == CTRL_IF && c->nparams != c->nresults)
    return wf_lw_invalid(L, "type mismatch: if without else");
  if (c->kind == CTRL_IF)
    for (u32 i = 0; i < c->nparams; i++)
      if (c->params[i] != c->results[i])
        return wf_lw_invalid(L, "type mismatch: if without else");
  if (c->kind == CTRL_FUNC) {
    if (!wf_lw_check_top(L, c->nresults, c->results, results_full(c)))
      return false;
    if (L->height - c->height != c->nresults &&
        !(c->unreachable && L->height - c->height < c->nresults))
      return wf_lw_invalid(L, "type mismatch");
    if (live(L))
      wf_lw_emit_return(L);
    wf_lw_patch_list(L, c->patches, L->ncode);
    if (c->patches != NONE) {
      /* Branches to the function wf_lw_label land on a return of the results
      ** already placed in the wf_lw_label slots (height 0). */
      wf_lw_mark_label(L);
      L->height = c->nresults;
      for (u32 i = 0; i < c->nresults; i++)
        L->stack[i].loc = stack_loc(i), L->stack[i].type = c->results[i],
        L->stack[i].full = vt_at(c->results, results_full(c), i);
      c->unreachable = false;
      c->dead_start = false;
      wf_lw_emit_return(L);
    }
    L->nctrls--;
    return true;
  }
  if (!wf_lw_close_arm(L, c))
    return false;
  if (c->kind == CTRL_TRY_TABLE && !wf_lw_close_try_table(L, c))
    return false;
  if (c->kind == CTRL_CATCH && !c->rethrown)
    for (u32 i = c->first_handler; i < L->nhandlers; i++)
      if (L->handlers[i].level == (u32)(c - L->ctrls) &&
          L->handlers[i].start == c->try_start &&
          L->handlers[i].end == c->body_end)
        L->handlers[i].exn = NONE; /* no rethrow: the exception can go */
  if (c->else_field != NONE)
    L->code[c->else_field] = (u32)((i32)L->ncode - (i32)c->else_field);
  if (c->kind != CTRL_LOOP)
    wf_lw_patch_list(L, c->patches, L->ncode);
  u32 base = c->height, nr = c->nresults;
  const u8 *res = c->results;
  wf_vt single = c->single;
  const wf_vt *resf = results_full(c) == &c->single ? &single : results_full(c);
  wf_lw_reset_inits(L, c->init_height);
  if (!wf_lw_da_end(L, c))
    return false;
  L->nctrls--;
  wf_lw_mark_label(L); /* after the pop: the code after `end` is the outer's */
  L->height = base;
  for (u32 i = 0; i < nr; i++)
    wf_lw_push_vt(L, vt_at(res, resf, i), stack_loc(base + i));
  return true;
}

bool wf_lw_br(struct lower *L) {
  u32 depth;
  if (!wf_lw_read_u32(L, &depth))
    return false;
  struct ctrl *c = wf_lw_label(L, depth);
  if (!c || !wf_lw_check_top(L, label_arity(c), label_types(c), label_full(c)))
    return false;
  if (live(L)) {
    if (L->nctrls - 1 - depth == 0 && c->kind == CTRL_FUNC) {
      wf_lw_emit_return(L);
    } else {
      wf_lw_emit_branch_moves(L, c);
      wf_lw_emit_br(L, c);
    }
  }
  wf_lw_set_unreachable(L);
  return true;
}

bool wf_lw_br_if(struct lower *L) {
  u32 depth;
  struct entry cond;
  if (!wf_lw_read_u32(L, &depth) || !wf_lw_pop_type(L, WF_I32, &cond))
    return false;
  struct ctrl *c = wf_lw_label(L, depth);
  if (!c || !wf_lw_check_top(L, label_arity(c), label_types(c), label_full(c)))
    return false;
  u32 n = label_arity(c);
  if (L->height - L->ctrls[L->nctrls - 1].height < n) {
    /* Polymorphic stack: br_if's result types come from the wf_lw_label. */
    u32 have = L->height - L->ctrls[L->nctrls - 1].height;
    const u8 *t = label_types(c);
    L->height -= have;
    for (u32 i = 0; i < n; i++)
      wf_lw_push_vt(L, vt_at(t, label_full(c), i), stack_loc(L->height));
  } else {
    /* br_if's results have the wf_lw_label's types (for typed references a
    ** supertype of the operands'; for 2.0 types the same) */
    const u8 *t = label_types(c);
    for (u32 i = 0; i < n; i++) {
      L->stack[L->height - n + i].type = t[i];
      L->stack[L->height - n + i].full = vt_at(t, label_full(c), i);
    }
  }
  if (!live(L))
    return true;
  if (c->kind == CTRL_FUNC || wf_lw_branch_needs_moves(L, c)) {
    wf_lw_emit_op(L, WF_OP_BR_UNLESS);
    wf_lw_put_slot(L, cond.loc);
    u32 skip = L->ncode;
    wf_lw_put(L, NONE);
    if (c->kind == CTRL_FUNC) {
      wf_lw_emit_return(L);
    } else {
      wf_lw_emit_branch_moves(L, c);
      wf_lw_emit_br(L, c);
    }
    if (L->status == WEFT_OK) /* wf_lw_put() may have failed */
      L->code[skip] = (u32)((i32)L->ncode - (i32)skip);
    wf_lw_mark_label(L);
    return true;
  }
  /* Fuse with a preceding compare whose result is the condition. */
  static const struct {
    u16 from, to;
    bool unary;
  } fuse[] = {
      {WF_OP_I32_AND, WF_OP_BR_IF_I32_AND, false}, /* interpreter only */
      {WF_OP_I32_EQZ, WF_OP_BR_IF_I32_EQZ, true},
      {WF_OP_I32_EQ, WF_OP_BR_IF_I32_EQ, false},
      {WF_OP_I32_NE, WF_OP_BR_IF_I32_NE, false},
      {WF_OP_I32_LT_S, WF_OP_BR_IF_I32_LT_S, false},
      {WF_OP_I32_LT_U, WF_OP_BR_IF_I32_LT_U, false},
      {WF_OP_I32_GT_S, WF_OP_BR_IF_I32_GT_S, false},
      {WF_OP_I32_GT_U, WF_OP_BR_IF_I32_GT_U, false},
      {WF_OP_I32_LE_S, WF_OP_BR_IF_I32_LE_S, false},
      {WF_OP_I32_LE_U, WF_OP_BR_IF_I32_LE_U, false},
      {WF_OP_I32_GE_S, WF_OP_BR_IF_I32_GE_S, false},
      {WF_OP_I32_GE_U, WF_OP_BR_IF_I32_GE_U, false},
      {WF_OP_I64_EQZ, WF_OP_BR_IF_I64_EQZ, true},
      {WF_OP_I64_EQ, WF_OP_BR_IF_I64_EQ, false},
      {WF_OP_I64_NE, WF_OP_BR_IF_I64_NE, false},
      {WF_OP_I64_LT_S, WF_OP_BR_IF_I64_LT_S, false},
      {WF_OP_I64_LT_U, WF_OP_BR_IF_I64_LT_U, false},
      {WF_OP_I64_GT_S, WF_OP_BR_IF_I64_GT_S, false},
      {WF_OP_I64_GT_U, WF_OP_BR_IF_I64_GT_U, false},
      {WF_OP_I64_LE_S, WF_OP_BR_IF_I64_LE_S, false},
      {WF_OP_I64_LE_U, WF_OP_BR_IF_I64_LE_U, false},
      {WF_OP_I64_GE_S, WF_OP_BR_IF_I64_GE_S, false},
      {WF_OP_I64_GE_U, WF_OP_BR_IF_I64_GE_U, false},
  };
  if (L->last_op_pos != NONE && L->last_dst_pos == L->last_op_pos + 1 &&
      L->code[L->last_dst_pos] == cond.loc &&
      cond.loc == stack_loc(L->height)) {
    for (u32 i = 0; i < WF_ARRAY_LEN(fuse); i++) {
      if (fuse[i].from != L->last_op ||
          (fuse[i].from == WF_OP_I32_AND && !L->interp_ops))
        continue;
      u32 a = L->code[L->last_op_pos + 2];
      u32 b = fuse[i].unary ? NONE : L->code[L->last_op_pos + 3];
      wf_lw_truncate_code(L, L->last_op_pos);
      wf_lw_emit_op(L, (enum wf_op)fuse[i].to);
      wf_lw_put_slot(L, a);
      if (b != NONE)
        wf_lw_put_slot(L, b);
      wf_lw_put_target(L, c);
      wf_lw_mark_label(L);
      return true;
    }
  }
  /* "x = a +/- b; br_if x", a loop counter: one instruction. */
  static const struct {
    u8 from, to;
  } counters[] = {{WF_OP_I32_ADD, WF_OP_I32_ADD_BR_IF},
                  {WF_OP_I32_SUB, WF_OP_I32_SUB_BR_IF}};
  for (u32 i = 0; i < WF_ARRAY_LEN(counters); i++)
    if (wf_lw_fusable(L, counters[i].from, cond.loc)) {
      wf_lw_fuse_last(L, (enum wf_op)counters[i].to);
      wf_lw_put_target(L, c);
      wf_lw_mark_label(L);
      return true;
    }
  wf_lw_emit_op(L, WF_OP_BR_IF);
  wf_lw_put_slot(L, cond.loc);
  wf_lw_put_target(L, c);
  wf_lw_mark_label(L);
  return true;
}

bool wf_lw_br_table(struct lower *L) {
  u32 count;
  struct entry idx;
  if (!wf_lw_read_u32(L, &count))
    return false;
  if (count > wf_reader_left(&L->r))
    return wf_lw_reader_failed(L);
  u32 *depths = wf_alloc_array(L->a, (size_t)count + 1, sizeof(u32));
  if (!depths)
    return wf_lw_nomem(L);
  bool ok = true;
  for (u32 i = 0; ok && i <= count; i++)
    ok = wf_lw_read_u32(L, &depths[i]);
  ok = ok && wf_lw_pop_type(L, WF_I32, &idx);
  u32 arity = 0;
  for (u32 i = 0; ok && i <= count; i++) {
    struct ctrl *c = wf_lw_label(L, depths[i]);
    ok = c != NULL;
    if (ok && i == 0)
      arity = label_arity(c);
    if (ok && label_arity(c) != arity)
      ok = wf_lw_invalid(L, "type mismatch: br_table arity");
    ok =
        ok && wf_lw_check_top(L, label_arity(c), label_types(c), label_full(c));
  }
  if (ok && live(L)) {
    wf_lw_emit_op(L, WF_OP_BR_TABLE);
    wf_lw_put_slot(L, idx.loc);
    wf_lw_put(L, count);
    u32 table = L->ncode;
    for (u32 i = 0; i <= count; i++)
      wf_lw_put(L, NONE);
    for (u32 i = 0; i <= count && L->status == WEFT_OK; i++) {
      struct ctrl *c = wf_lw_label(L, depths[i]);
      bool is_func = c->kind == CTRL_FUNC;
      if (!is_func && !wf_lw_branch_needs_moves(L, c)) {
        /* Link the table entry itself into the wf_lw_label's patch list. */
        if (c->kind == CTRL_LOOP) {
          L->code[table + i] = (u32)((i32)c->loop_pc - (i32)(table + i));
        } else {
          wf_lw_da_edge(L, c);
          L->code[table + i] = c->patches;
          c->patches = table + i;
        }
        continue;
      }
      L->code[table + i] = (u32)((i32)L->ncode - (i32)(table + i));
      if (is_func) {
        wf_lw_emit_return(L);
      } else {
        wf_lw_emit_branch_moves(L, c);
        wf_lw_emit_br(L, c);
      }
    }
  }
  wf_alloc_free(L->a, depths, ((size_t)count + 1) * sizeof(u32));
  if (ok)
    wf_lw_set_unreachable(L);
  return ok && L->status == WEFT_OK;
}

static const struct wf_functype *func_type(struct lower *L, u32 funcidx) {
  return &L->m->types[wf_module_func_typeidx(L->m, funcidx)];
}

/* Pop and check call arguments; leave them in consecutive stack slots. */
bool wf_lw_call_args(struct lower *L, const struct wf_functype *t,
                     u32 *out_base) {
  if (!wf_lw_check_top(L, t->nparams, t->types, t->full))
    return false;
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  u32 avail = L->height - c->height;
  u32 n = t->nparams < avail ? t->nparams : avail;
  for (u32 i = 0; i < n; i++)
    wf_lw_materialize(L, L->height - n + i);
  L->height -= n; /* polymorphic case: fewer were really there */
  *out_base = stack_loc(L->height);
  return true;
}

static bool call_results(struct lower *L, const struct wf_functype *t) {
  for (u32 i = 0; i < t->nresults; i++)
    if (!wf_lw_push_vt(L, vt_at(t->types, t->full, t->nparams + i),
                       stack_loc(L->height)))
      return false;
  /* Host functions write results over the arguments' slots, so make room
  ** for max(params, results) above the base. */
  if (L->height - t->nresults + t->nparams > L->max_height)
    L->max_height = L->height - t->nresults + t->nparams;
  return true;
}

bool wf_lw_call(struct lower *L) {
  u32 f, base;
  if (!wf_lw_read_u32(L, &f))
    return false;
  if (f >= wf_module_func_count(L->m))
    return wf_lw_invalid(L, "unknown function");
  const struct wf_functype *t = func_type(L, f);
  if (!wf_lw_call_args(L, t, &base))
    return false;
  if (live(L)) {
    if (f >= L->m->nfunc_imports) {
      wf_lw_emit_op(L, WF_OP_CALL_INTERNAL);
      wf_lw_put(L, f - L->m->nfunc_imports);
    } else {
      wf_lw_emit_op(L, WF_OP_CALL);
      wf_lw_put(L, f);
    }
    wf_lw_put_slot(L, base);
  }
  return call_results(L, t);
}

bool wf_lw_call_indirect(struct lower *L) {
  u32 typeidx, table, base;
  struct entry idx;
  if (!wf_lw_read_u32(L, &typeidx) || !wf_lw_read_u32(L, &table))
    return false;
  if (table >= wf_module_table_count(L->m))
    return wf_lw_invalid(L, "unknown table");
  if (wf_module_table_type(L->m, table).elemtype != WF_FUNCREF)
    return wf_lw_invalid(L,
                         "type mismatch: call_indirect on a non-funcref table");
  if (typeidx >= L->m->ntypes)
    return wf_lw_invalid(L, "unknown type");
  const struct wf_functype *t = &L->m->types[typeidx];
  if (!wf_lw_pop_table_index(L, table, &idx) || !wf_lw_call_args(L, t, &base))
    return false;
  if (live(L)) {
    wf_lw_emit_op(L, WF_OP_CALL_INDIRECT);
    wf_lw_put(L, typeidx);
    wf_lw_put(L, table);
    wf_lw_put_slot(L, base);
    wf_lw_put_slot(L, idx.loc);
  }
  return call_results(L, t);
}

/* ---- tail calls (return_call, return_call_indirect) -------------------- */

/* A tail call returns the callee's results as this function's own. */
static bool tail_results_match(struct lower *L, const struct wf_functype *t) {
  const struct wf_functype *self = L->type;
  bool ok = t->nresults == self->nresults;
  for (u32 i = 0; ok && i < t->nresults; i++)
    ok = vt_sub(L, vt_at(t->types, t->full, t->nparams + i),
                vt_at(self->types, self->full, self->nparams + i));
  if (!ok)
    return wf_lw_invalid(L, "type mismatch: tail call results differ from the "
                            "function's");
  return true;
}

/* After the tail call: its results returned, for callees that cannot
** take over the frame (host and compiled functions run as a call and come
** back here; generated C calls anything it does not trampoline). Never
** reached otherwise; not Wasm instructions, so no fuel. */
static bool tail_fallback(struct lower *L, const struct wf_functype *t) {
  if (!call_results(L, t))
    return false;
  wf_lw_emit_return(L);
  wf_lw_set_unreachable(L);
  return true;
}

bool wf_lw_return_call(struct lower *L) {
  u32 f, base;
  if (!wf_lw_read_u32(L, &f))
    return false;
  if (f >= wf_module_func_count(L->m))
    return wf_lw_invalid(L, "unknown function");
  const struct wf_functype *t = func_type(L, f);
  if (!tail_results_match(L, t) || !wf_lw_call_args(L, t, &base))
    return false;
  if (live(L)) {
    if (f >= L->m->nfunc_imports) {
      wf_lw_emit_op(L, WF_OP_RETURN_CALL_INTERNAL);
      wf_lw_put(L, f - L->m->nfunc_imports);
    } else {
      wf_lw_emit_op(L, WF_OP_RETURN_CALL);
      wf_lw_put(L, f);
    }
    wf_lw_put_slot(L, base);
  }
  return tail_fallback(L, t);
}

bool wf_lw_return_call_indirect(struct lower *L) {
  u32 typeidx, table, base;
  struct entry idx;
  if (!wf_lw_read_u32(L, &typeidx) || !wf_lw_read_u32(L, &table))
    return false;
  if (table >= wf_module_table_count(L->m))
    return wf_lw_invalid(L, "unknown table");
  if (wf_module_table_type(L->m, table).elemtype != WF_FUNCREF)
    return wf_lw_invalid(L,
                         "type mismatch: call_indirect on a non-funcref table");
  if (typeidx >= L->m->ntypes)
    return wf_lw_invalid(L, "unknown type");
  const struct wf_functype *t = &L->m->types[typeidx];
  if (!tail_results_match(L, t) || !wf_lw_pop_table_index(L, table, &idx) ||
      !wf_lw_call_args(L, t, &base))
    return false;
  if (live(L)) {
    wf_lw_emit_op(L, WF_OP_RETURN_CALL_INDIRECT);
    wf_lw_put(L, typeidx);
    wf_lw_put(L, table);
    wf_lw_put_slot(L, base);
    wf_lw_put_slot(L, idx.loc);
  }
  return tail_fallback(L, t);
}

/* {====== typed function references (3.0) ===================================
** call_ref, return_call_ref, ref.as_non_null, br_on_null, br_on_non_null.
** Function references of every type have the kind WF_FUNCREF here (see
** docs/ARCHITECTURE.md): the operand is checked to be a function reference,
** and the callee's signature is checked at run time against the type
** immediate (a trap like call_indirect's), so a module this coarser check
** accepts cannot call a function at the wrong type. */

bool wf_lw_call_ref(struct lower *L, bool tail) {
  u32 typeidx, base;
  struct entry ref;
  if (!wf_lw_read_u32(L, &typeidx))
    return false;
  if (typeidx >= L->m->ntypes)
    return wf_lw_invalid(L, "unknown type");
  const struct wf_functype *t = &L->m->types[typeidx];
  if ((tail && !tail_results_match(L, t)) ||
      !wf_lw_pop_vt(L, WF_VT_MAKE(WF_FUNCREF, false, typeidx + 1), &ref) ||
      !wf_lw_call_args(L, t, &base))
    return false;
  if (live(L)) {
    wf_lw_emit_op(L, tail ? WF_OP_RETURN_CALL_REF : WF_OP_CALL_REF);
    wf_lw_put(L, typeidx);
    wf_lw_put_slot(L, base);
    wf_lw_put_slot(L, ref.loc);
  }
  return tail ? tail_fallback(L, t) : call_results(L, t);
}

static bool pop_ref(struct lower *L, struct entry *out) {
  if (!wf_lw_pop_any(L, out))
    return false;
  return is_ref(out->type) || wf_lw_invalid(L, "type mismatch");
}

bool wf_lw_ref_as_non_null(struct lower *L) {
  struct entry v;
  if (!pop_ref(L, &v))
    return false;
  if (live(L)) {
    wf_lw_emit_op(L, WF_OP_REF_AS_NON_NULL);
    wf_lw_put_slot(L, v.loc);
  }
  return wf_lw_push_vt(
      L, v.type == T_UNKNOWN ? T_UNKNOWN : entry_vt(&v) | WF_VT_NONNULL, v.loc);
}

/* br_on_null l: a null reference is dropped and branches; any other stays.
** br_on_non_null l: a non-null reference branches with it (the wf_lw_label's
** last value); a null one is dropped. Both test with ref.is_null into a
** slot above the stack, then branch as br_if does. */
bool wf_lw_br_on_null(struct lower *L, bool on_non_null) {
  u32 depth;
  struct entry ref;
  if (!wf_lw_read_u32(L, &depth) || !pop_ref(L, &ref))
    return false;
  struct ctrl *c = wf_lw_label(L, depth);
  if (!c)
    return false;
  u32 n = label_arity(c);
  wf_vt nonnull =
      ref.type == T_UNKNOWN ? T_UNKNOWN : entry_vt(&ref) | WF_VT_NONNULL;
  if (on_non_null) {
    if (n == 0 || !is_ref(label_types(c)[n - 1]))
      return wf_lw_invalid(L, "type mismatch");
    if (!wf_lw_push_vt(L, nonnull, ref.loc))
      return false;
  }
  if (!wf_lw_check_top(L, n, label_types(c), label_full(c)))
    return false;
  /* the values carried take the wf_lw_label's types (br_on_null's typing) */
  for (u32 i = 0; i < n && i < L->height - L->ctrls[L->nctrls - 1].height;
       i++) {
    struct entry *e = &L->stack[L->height - 1 - i];
    if (on_non_null && i == 0)
      continue; /* the reference itself, non-null */
    e->type = label_types(c)[n - 1 - i];
    e->full = vt_at(label_types(c), label_full(c), n - 1 - i);
  }
  if (L->height - L->ctrls[L->nctrls - 1].height < n) {
    /* polymorphic stack: the values come from the wf_lw_label */
    u32 have = L->height - L->ctrls[L->nctrls - 1].height;
    const u8 *t = label_types(c);
    L->height -= have;
    for (u32 i = 0; i < n; i++)
      wf_lw_push_vt(L, vt_at(t, label_full(c), i), stack_loc(L->height));
    if (on_non_null)
      ref.loc = L->stack[L->height - 1].loc;
  }
  if (live(L)) {
    /* the test's slot is above every live value and, for br_on_null,
    ** above the reference's own slot (it stays when not taken) */
    u32 above = on_non_null ? 0 : 1;
    u32 test = stack_loc(L->height + above);
    for (u32 i = 0; i <= above; i++)
      if (!wf_lw_push(L, WF_I32, stack_loc(L->height)))
        return false;
    L->height -= above + 1;
    wf_lw_emit_op(L, WF_OP_REF_IS_NULL);
    wf_lw_put_dst(L, test);
    wf_lw_put_slot(L, ref.loc);
    /* skip the branch when it is not taken */
    wf_lw_emit_op(L, on_non_null ? WF_OP_BR_IF : WF_OP_BR_UNLESS);
    wf_lw_put_slot(L, test);
    u32 skip = L->ncode;
    wf_lw_put(L, NONE);
    if (c->kind == CTRL_FUNC) {
      wf_lw_emit_return(L);
    } else {
      wf_lw_emit_branch_moves(L, c);
      wf_lw_emit_br(L, c);
    }
    if (L->status == WEFT_OK)
      L->code[skip] = (u32)((i32)L->ncode - (i32)skip);
    wf_lw_mark_label(L);
  }
  if (on_non_null) {
    L->height--; /* not taken: the null is dropped */
    return true;
  }
  return wf_lw_push_vt(L, nonnull, ref.loc); /* not taken: it stays, non-null */
}
/* }====== typed function references ======================================== */

bool wf_lw_local(struct lower *L, u8 opcode) {
  u32 x;
  if (!wf_lw_read_u32(L, &x))
    return false;
  if (x >= L->nlocals)
    return wf_lw_invalid(L, "unknown local");
  u8 t = L->local_types[x];
  wf_vt tf = L->local_full[x];
  if (opcode == 0x20) {
    if (L->local_unset[x])
      return wf_lw_invalid(L, "uninitialized local");
    if (L->local_unassigned[x])
      L->read_unassigned[x] = 1;
    return wf_lw_push_vt(L, tf, x);
  }
  struct entry v;
  if (!wf_lw_pop_vt(L, tf, &v) || !wf_lw_set_local_init(L, x))
    return false;
  if (live(L)) {
    bool pending = false;
    for (u32 i = 0; i < L->height; i++)
      if (L->stack[i].loc == x)
        pending = true;
    if (pending)
      for (u32 i = 0; i < L->height; i++)
        if (L->stack[i].loc == x)
          wf_lw_materialize(L, i);
    if (!pending && L->last_dst_pos != NONE && v.loc == stack_loc(L->height) &&
        L->code[L->last_dst_pos] == v.loc) {
      /* The previous instruction computed v: let it write the local. */
      L->code[L->last_dst_pos] = x;
      L->last_dst_pos = NONE;
    } else if (v.loc != x) {
      wf_lw_emit_copy(L, x, v.loc, t);
    }
  }
  if (opcode == 0x22)
    return wf_lw_push_vt(L, tf, x);
  return true;
}

bool wf_lw_global(struct lower *L, u8 opcode) {
  u32 x;
  if (!wf_lw_read_u32(L, &x))
    return false;
  if (x >= wf_module_global_count(L->m))
    return wf_lw_invalid(L, "unknown global");
  struct wf_globaltype gt = wf_module_global_type(L->m, x);
  wf_vt gf = WF_VT(gt.valtype, gt.full);
  if (opcode == 0x23) {
    u32 dst = stack_loc(L->height);
    if (!wf_lw_push_vt(L, gf, dst))
      return false;
    if (live(L)) {
      wf_lw_emit_op(L, WF_OP_GLOBAL_GET);
      wf_lw_put_dst(L, dst);
      wf_lw_put(L, x);
    }
    return true;
  }
  if (!gt.mutable_)
    return wf_lw_invalid(L, "global is immutable");
  struct entry v;
  if (!wf_lw_pop_vt(L, gf, &v))
    return false;
  if (live(L)) {
    wf_lw_emit_op(L, WF_OP_GLOBAL_SET);
    wf_lw_put(L, x);
    wf_lw_put_slot(L, v.loc);
  }
  return true;
}
