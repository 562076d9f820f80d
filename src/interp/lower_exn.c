/*
** lower_exn.c — lowering of exception handling: throw, throw_ref,
** try_table, and the legacy try/catch/delegate/rethrow form.
*/
#include "lower.h"

/* {======================================================================
** Exception handling (3.0): throw, throw_ref, try_table
**
** A try_table lowers as a block whose catch clauses become handler table
** entries (struct wf_handler) over the code of its body, and landing pads
** emitted after the body (the body's fallthrough jumps over them). The
** unwinder (interp.c) writes the payload, then the exnref, into the slots
** from the try_table's operand height on (nothing in the body is live
** then) and goes to the pad, which moves the values into the wf_lw_label's
*slots
** and branches there like br: fuel is that of the code it lands in, the
** pads themselves are not Wasm instructions.
** ======================================================================= */

static const struct wf_functype *tag_type(struct lower *L, u32 tag) {
  return &L->m->types[wf_module_tag_typeidx(L->m, tag)];
}

/* catch x l / catch_ref x l / catch_all l / catch_all_ref l: the values a
** clause passes must be what wf_lw_label l takes. Labels count from outside the
** try_table (it is not yet on the control stack). */
static bool read_clause(struct lower *L, struct clause *cl) {
  u32 depth;
  if (!wf_lw_read_u8(L, &cl->kind))
    return false;
  if (cl->kind > 3)
    return wf_lw_malformed(L, "wf_lw_malformed catch clause");
  cl->tag = WF_CATCH_ALL;
  if (cl->kind < 2) {
    if (!wf_lw_read_u32(L, &cl->tag))
      return false;
    if (cl->tag >= wf_module_tag_count(L->m))
      return wf_lw_invalid(L, "unknown tag");
  }
  if (!wf_lw_read_u32(L, &depth))
    return false;
  struct ctrl *target = wf_lw_label(L, depth);
  if (!target)
    return false;
  cl->target = (u32)(target - L->ctrls);
  const struct wf_functype *t = cl->kind < 2 ? tag_type(L, cl->tag) : NULL;
  u32 n = t ? t->nparams : 0;
  bool ref = cl->kind == 1 || cl->kind == 3;
  if (label_arity(target) != n + ref)
    return wf_lw_invalid(L,
                         "type mismatch: catch clause and wf_lw_label differ");
  /* each payload value must fit the wf_lw_label's type (subtyping of typed
  ** references: a (ref null $t) payload does not fit a (ref $t) wf_lw_label) */
  for (u32 i = 0; i < n; i++)
    if (label_types(target)[i] != t->types[i] ||
        !vt_sub(L, vt_at(t->types, t->full, i),
                vt_at(label_types(target), label_full(target), i)))
      return wf_lw_invalid(
          L, "type mismatch: catch clause and wf_lw_label differ");
  if (ref && label_types(target)[n] != WF_EXNREF)
    return wf_lw_invalid(L,
                         "type mismatch: catch clause and wf_lw_label differ");
  return true;
}

bool wf_lw_read_clauses(struct lower *L, u32 *count) {
  u32 n;
  if (!wf_lw_read_u32(L, &n))
    return false;
  if (n > wf_reader_left(&L->r))
    return wf_lw_reader_failed(L);
  if (!wf_lw_grow(L, (void **)&L->clauses, &L->clauses_cap, L->nclauses + n,
                  sizeof(struct clause)))
    return false;
  for (u32 i = 0; i < n; i++)
    if (!read_clause(L, &L->clauses[L->nclauses + i]))
      return false;
  L->nclauses += n;
  *count = n;
  return true;
}

/* The landing pad of clause `cl` of try_table `c`: the caught values from
** the try_table's height into the wf_lw_label's slots, then the branch. */
static void emit_pad(struct lower *L, const struct ctrl *c,
                     const struct clause *cl) {
  struct ctrl *target = &L->ctrls[cl->target];
  u32 n = label_arity(target);
  const u8 *types = label_types(target);
  if (c->height + n > L->max_height)
    L->max_height = c->height + n;
  if (target->kind == CTRL_FUNC) {
    for (u32 i = 0; i < n; i++)
      wf_lw_emit_copy(L, i, stack_loc(c->height + i), types[i]);
    wf_lw_emit_op(L, WF_OP_RETURN);
    return;
  }
  for (u32 i = 0; i < n; i++)
    if (c->height != target->height)
      wf_lw_emit_copy(L, stack_loc(target->height + i),
                      stack_loc(c->height + i), types[i]);
  wf_lw_emit_op(L, WF_OP_BR);
  wf_lw_put_target(L, target);
}

/* At the try_table's end (its results in place): the pads and handlers;
** its clauses leave the open list. */
bool wf_lw_close_try_table(struct lower *L, struct ctrl *c) {
  if (!c->dead_start && c->nclauses) {
    u32 end = L->ncode;
    if (live(L)) {
      wf_lw_emit_op(L, WF_OP_BR); /* the body's fallthrough skips the pads */
      wf_lw_put_target(L, c);
    }
    for (u32 i = 0; i < c->nclauses && L->status == WEFT_OK; i++) {
      const struct clause *cl = &L->clauses[c->clause_first + i];
      if (!wf_lw_grow(L, (void **)&L->handlers, &L->handlers_cap,
                      L->nhandlers + 1, sizeof(struct wf_handler)))
        return false;
      struct wf_handler *h = &L->handlers[L->nhandlers++];
      h->start = c->try_start;
      h->end = end;
      h->pad = L->ncode;
      L->last_op_pos = NONE; /* a landing pad: nothing joins across it */
      h->tag = cl->tag;
      h->dst = stack_loc(c->height);
      h->exn = NONE;
      if (cl->kind == 1 || cl->kind == 3) /* the exnref after the payload */
        h->exn = stack_loc(c->height + label_arity(&L->ctrls[cl->target]) - 1);
      h->level = (u32)(c - L->ctrls);
      h->target = 0;
      emit_pad(L, c, cl);
    }
  }
  L->nclauses = c->clause_first;
  return L->status == WEFT_OK;
}

bool wf_lw_throw(struct lower *L) {
  u32 tag, base;
  if (!wf_lw_read_u32(L, &tag))
    return false;
  if (tag >= wf_module_tag_count(L->m))
    return wf_lw_invalid(L, "unknown tag");
  if (!wf_lw_call_args(L, tag_type(L, tag), &base))
    return false;
  if (live(L)) {
    wf_lw_emit_op(L, WF_OP_THROW);
    wf_lw_put(L, tag);
    wf_lw_put_slot(L, base);
  }
  wf_lw_set_unreachable(L);
  return true;
}

bool wf_lw_throw_ref(struct lower *L) {
  struct entry e;
  if (!wf_lw_pop_type(L, WF_EXNREF, &e))
    return false;
  if (live(L)) {
    wf_lw_emit_op(L, WF_OP_THROW_REF);
    wf_lw_put_slot(L, e.loc);
  }
  wf_lw_set_unreachable(L);
  return true;
}

/* ---- legacy exception handling: try, catch, catch_all, delegate, rethrow
**
** try's body is a block whose handlers cover it; each catch arm is a
** landing pad itself: it starts with the payload in the try's result
** slots (its operand height) and keeps the exception in a hidden slot for
** rethrow, when some rethrow names the arm. A delegate is a handler that
** throws again at the position of its wf_lw_label, passing over the handlers of
** the tries in between (struct wf_handler, WF_DELEGATE). */

static bool add_handler(struct lower *L, const struct ctrl *c, u32 tag,
                        u32 pad) {
  if (!wf_lw_grow(L, (void **)&L->handlers, &L->handlers_cap, L->nhandlers + 1,
                  sizeof(struct wf_handler)))
    return false;
  struct wf_handler *h = &L->handlers[L->nhandlers++];
  h->start = c->try_start;
  h->end = c->body_end;
  h->pad = pad;
  h->tag = tag;
  h->dst = stack_loc(c->height);
  h->exn = c->exn_slot;
  h->level = (u32)(c - L->ctrls);
  h->target = 0;
  return true;
}

bool wf_lw_catch(struct lower *L, bool all) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  u32 tag = WF_CATCH_ALL;
  if (!all) {
    if (!wf_lw_read_u32(L, &tag))
      return false;
    if (tag >= wf_module_tag_count(L->m))
      return wf_lw_invalid(L, "unknown tag");
  }
  if (c->kind != CTRL_TRY && c->kind != CTRL_CATCH)
    return wf_lw_invalid(L,
                         all ? "catch_all without try" : "catch without try");
  if (!wf_lw_close_arm(L, c))
    return false;
  if (c->kind == CTRL_TRY) {
    c->body_end = L->ncode;
    c->first_handler = L->nhandlers;
    if (L->nhidden >= LOC_MASK)
      return wf_lw_nomem(L);
    c->exn_slot = LOC_HIDDEN | L->nhidden++;
  }
  if (live(L)) {
    wf_lw_emit_op(L, WF_OP_BR);
    wf_lw_put_target(L, c);
  }
  c->kind = CTRL_CATCH;
  c->unreachable = false;
  wf_lw_reset_assigns(L, c->assign_height);
  L->height = c->height;
  if (!c->dead_start && !add_handler(L, c, tag, L->ncode))
    return false;
  wf_lw_mark_label(L);
  const struct wf_functype *t = all ? NULL : tag_type(L, tag);
  for (u32 i = 0; t && i < t->nparams; i++)
    wf_lw_push(L, t->types[i], stack_loc(c->height + i));
  return L->status == WEFT_OK;
}

bool wf_lw_delegate(struct lower *L) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  u32 depth;
  if (!wf_lw_read_u32(L, &depth))
    return false;
  if (c->kind != CTRL_TRY)
    return wf_lw_invalid(L, "delegate without try");
  /* The wf_lw_label counts from outside the try. */
  if (depth + 1 < depth || !wf_lw_label(L, depth + 1))
    return false;
  if (!c->dead_start) {
    c->body_end = L->ncode;
    /* Thrown again from the try's first position, not its end: the end
    ** may be where the enclosing try's body ends too (nothing between
    ** the two ends), outside that try's range, and its handlers would be
    ** missed. The start lies in every enclosing try's body. */
    if (!add_handler(L, c, WF_DELEGATE, c->try_start))
      return false;
    L->handlers[L->nhandlers - 1].target = L->nctrls - 2 - depth;
  }
  return wf_lw_end(L);
}

bool wf_lw_rethrow(struct lower *L) {
  u32 depth;
  if (!wf_lw_read_u32(L, &depth))
    return false;
  struct ctrl *c = wf_lw_label(L, depth);
  if (!c)
    return false;
  if (c->kind != CTRL_CATCH)
    return wf_lw_invalid(L, "wf_lw_invalid rethrow wf_lw_label");
  c->rethrown = true;
  if (live(L)) {
    wf_lw_emit_op(L, WF_OP_THROW_REF);
    wf_lw_put_slot(L, c->exn_slot);
  }
  wf_lw_set_unreachable(L);
  return true;
}

/* }====================================================================== */
