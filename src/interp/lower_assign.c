/*
** lower_assign.c — definite assignment across branches, for the frame
** image (lower.h, local_unassigned). A local assigned on every way into
** the end of a block stays assigned after it: clang's code sets locals
** in nested blocks and reads them after their ends, and each local left
** unassigned is a slot every call zeroes (lower.c's frame_image_slots).
**
** Each open block keeps the list of locals assigned on every edge into
** its end seen so far (its exit list), a subset of the locals unassigned
** when it began: the first edge (a branch, or the fallthrough at `end`)
** takes the locals assigned since the block began (lower.assigns above
** its assign_height), each later edge keeps those still assigned. At
** `end` the locals assigned in the block are unassigned again (the block
** rule of wf_lw_reset_assigns), then the exit list's are assigned. A
** loop's end keeps the fallthrough state (a branch to a loop goes back
** to its start, where nothing assigned in the body counts); an if without
** else keeps nothing (its false edge assigned nothing).
**
** The block rule alone (the exit list left empty) is what a function
** falls back to: one with exception handling (a catch may be entered from
** anywhere in its try, and try_table's pads are lowered at its end), or
** one whose lists cost more work than its size allows (a hostile body of
** many branches out of deep nests with many locals assigned).
*/
#include "lower.h"

/* Work allowed per byte of body (list entries scanned), and in any body. */
#define DA_WORK_PER_BYTE 16
#define DA_WORK_MIN 65536

void wf_lw_da_init(struct lower *L, u32 body_bytes) {
  L->da_budget = (u64)body_bytes * DA_WORK_PER_BYTE + DA_WORK_MIN;
}

static void da_fall_back(struct lower *L) { L->da_coarse = true; }

/* The exit list of ctrls[level] (the caller grows the array). */
static struct wf_da_exit *exit_of(struct lower *L, const struct ctrl *c) {
  return &L->da_exits[c - L->ctrls];
}

bool wf_lw_da_open(struct lower *L, u8 kind) {
  if (kind == CTRL_TRY || kind == CTRL_TRY_TABLE)
    da_fall_back(L);
  u32 old = L->da_exits_cap;
  if (!wf_lw_grow(L, (void **)&L->da_exits, &L->da_exits_cap, L->nctrls,
                  sizeof(struct wf_da_exit)))
    return false;
  if (L->da_exits_cap > old)
    memset(L->da_exits + old, 0,
           (size_t)(L->da_exits_cap - old) * sizeof(struct wf_da_exit));
  struct wf_da_exit *x = &L->da_exits[L->nctrls - 1];
  x->n = 0;
  x->edged = false;
  return true;
}

/* Charge `n` entries of work; false (and the block rule from now on)
** past the budget. */
static bool da_charge(struct lower *L, u32 n) {
  L->da_work += n;
  if (L->da_work > L->da_budget)
    da_fall_back(L);
  return !L->da_coarse;
}

/* The code here reaches the end of `c` (a branch to it, or its
** fallthrough). Dead code's edges are never taken. */
void wf_lw_da_edge(struct lower *L, struct ctrl *c) {
  if (L->da_coarse || !live(L) || c->kind == CTRL_LOOP || c->kind == CTRL_FUNC)
    return;
  struct wf_da_exit *x = exit_of(L, c);
  if (x->edged) { /* keep those still assigned here */
    if (!da_charge(L, x->n))
      return;
    u32 k = 0;
    for (u32 i = 0; i < x->n; i++)
      if (!L->local_unassigned[x->list[i]])
        x->list[k++] = x->list[i];
    x->n = k;
    return;
  }
  u32 n = L->nassigns - c->assign_height;
  if (!da_charge(L, n))
    return;
  if (!wf_lw_grow(L, (void **)&x->list, &x->cap, n, sizeof(u32))) {
    da_fall_back(L);
    return;
  }
  if (n) /* with none, list and assigns may both be NULL */
    memcpy(x->list, L->assigns + c->assign_height, (size_t)n * sizeof(u32));
  x->n = n;
  x->edged = true;
}

/* The end of `c` (not the function's): the state after it. */
bool wf_lw_da_end(struct lower *L, struct ctrl *c) {
  if (!L->da_coarse && c->kind == CTRL_LOOP)
    return true; /* the fallthrough's state goes on */
  if (c->kind != CTRL_IF)
    wf_lw_da_edge(L, c); /* the fallthrough, when live */
  wf_lw_reset_assigns(L, c->assign_height);
  struct wf_da_exit *x = exit_of(L, c);
  if (L->da_coarse || c->kind == CTRL_IF || !x->edged)
    return true;
  for (u32 i = 0; i < x->n; i++)
    if (!wf_lw_assign_local(L, x->list[i]))
      return false;
  return true;
}

void wf_lw_da_free(struct lower *L) {
  for (u32 i = 0; i < L->da_exits_cap; i++)
    if (L->da_exits[i].list)
      wf_alloc_free(L->a, L->da_exits[i].list,
                    (size_t)L->da_exits[i].cap * sizeof(u32));
  if (L->da_exits)
    wf_alloc_free(L->a, L->da_exits,
                  (size_t)L->da_exits_cap * sizeof(struct wf_da_exit));
}
