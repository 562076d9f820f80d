/*
** cgen_depth.c — which functions count call depth.
**
** max_call_depth is there to stop recursion: a call chain can only grow
** without bound around a cycle of calls, so it is enough that every cycle
** passes through a function that counts (takes one from c->depth_left on
** entry, gives it back on return). A calling function counts when
**   - it is on a cycle of direct calls among the functions compiled here
**     (a strongly connected component of that call graph with more than
**     one function, or a function that calls itself), or
**   - it calls anything else: an import, through a table or a reference,
**     or a function this piece leaves to the interpreter. Where such a
**     call leads, and so whether it comes back, is not known here.
** Every other cycle leaves the compiled code's direct calls somewhere, and
** the caller at that point counts; a cycle through the interpreter also
** counts the interpreter's frames. So every recursion is still stopped
** after max_call_depth frames of its cycle, and a function that counts,
** recursing on itself, is stopped exactly at the limit; what is no longer
** counted are the frames of functions that cannot recur (a chain at most
** as long as the call graph has functions), which the native stack check
** bounds as before. Modules with tail calls count everywhere (trampoline
** bodies give the count back when they pass control on).
**
** Why: the count is three instructions a call (subl, jb on entry, addl on
** return) and the addl after the last call stops GCC from making it a
** tail jump. speedtest1 enters 5.9 M calling functions at --size 5, 3.1 M
** of them in functions that cannot recur (bench/README.md, P12j).
*/
#include "cgen.h"

/* A call op's callee when it is a direct call to a function compiled in
** this piece, else `none`; *other set when it calls anything else. */
static u32 direct_callee(const struct cgen *g, const u32 *ip, u32 none,
                         bool *other) {
  switch (ip[0]) {
  case WF_OP_CALL_INTERNAL:
  case WF_OP_RETURN_CALL_INTERNAL:
    if (wf_cg_in_piece(g, ip[1]))
      return ip[1];
    *other = true;
    return none;
  case WF_OP_CALL:
  case WF_OP_RETURN_CALL:
  case WF_OP_CALL_INDIRECT:
  case WF_OP_RETURN_CALL_INDIRECT:
  case WF_OP_CALL_REF:
  case WF_OP_RETURN_CALL_REF: *other = true; return none;
  default: return none;
  }
}

/* The direct call graph: function def's callees are
** callee[first[def] .. first[def + 1]). */
struct graph {
  u32 *first, *callee;
  u32 ncallees, cap;
};

static bool add_callee(struct cgen *g, struct graph *cg, u32 to) {
  if (cg->ncallees == cg->cap) {
    u32 cap = cg->cap ? cg->cap * 2 : 256;
    u32 *p = wf_alloc_resize(g->a, cg->callee, (size_t)cg->cap * sizeof(u32),
                             (size_t)cap * sizeof(u32));
    if (!p || cap < cg->cap)
      return false;
    cg->callee = p;
    cg->cap = cap;
  }
  cg->callee[cg->ncallees++] = to;
  return true;
}

/* Lower each function once more (generation only: the C compiler's time
** dwarfs it) and record its direct callees; functions that call anything
** else, or themselves, count. */
static weft_status build_graph(struct cgen *g, struct graph *cg) {
  const struct wf_module *m = g->m;
  for (u32 def = 0; def < m->nfuncs; def++) {
    cg->first[def] = cg->ncallees;
    if (!wf_cg_in_piece(g, def))
      continue;
    struct wf_code *code;
    weft_status s = wf_lower_func(g->a, m, def, NULL,
                                  g->mod->fuel_metering != 0, &code, g->err);
    if (s != WEFT_OK)
      return s;
    bool other = false, ok = true;
    for (u32 pc = 0; pc < code->nops && ok;
         pc += wf_cg_op_length(code->ops, pc)) {
      u32 to = direct_callee(g, code->ops + pc, m->nfuncs, &other);
      if (to == def)
        other = true;
      else if (to < m->nfuncs)
        ok = add_callee(g, cg, to);
    }
    wf_code_free(g->a, code);
    if (!ok)
      return wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
    g->counts_depth[def] = other;
  }
  cg->first[m->nfuncs] = cg->ncallees;
  return WEFT_OK;
}

/* Tarjan's strongly connected components, without recursion: `order` is
** each function's visit number + 1 (0: not visited), `low` the lowest
** visit number it reaches, `stack` the visited functions not yet in a
** component, `path` the depth-first path with each one's next callee.
** Components of more than one function count. */
struct scc {
  u32 *order, *low, *stack, *path, *next;
  u8 *on_stack;
  u32 nstack, npath, visits;
};

static void visit(struct scc *t, u32 v) {
  t->order[v] = t->low[v] = ++t->visits;
  t->stack[t->nstack++] = v;
  t->on_stack[v] = 1;
  t->path[t->npath++] = v;
}

static void close_component(struct cgen *g, struct scc *t, u32 v) {
  u32 n = 0, w;
  u32 top = t->nstack;
  do {
    w = t->stack[--t->nstack];
    t->on_stack[w] = 0;
    n++;
  } while (w != v);
  if (n > 1)
    for (u32 i = t->nstack; i < top; i++)
      g->counts_depth[t->stack[i]] = 1;
}

static void components(struct cgen *g, const struct graph *cg, struct scc *t,
                       u32 root) {
  visit(t, root);
  t->next[root] = cg->first[root];
  while (t->npath) {
    u32 v = t->path[t->npath - 1];
    if (t->next[v] < cg->first[v + 1]) {
      u32 w = cg->callee[t->next[v]++];
      if (!t->order[w]) {
        visit(t, w);
        t->next[w] = cg->first[w];
      } else if (t->on_stack[w] && t->order[w] < t->low[v]) {
        t->low[v] = t->order[w];
      }
      continue;
    }
    t->npath--;
    if (t->npath) {
      u32 u = t->path[t->npath - 1];
      if (t->low[v] < t->low[u])
        t->low[u] = t->low[v];
    }
    if (t->low[v] == t->order[v])
      close_component(g, t, v);
  }
}

weft_status wf_cg_find_depth_counters(struct cgen *g) {
  const struct wf_module *m = g->m;
  size_t n = m->nfuncs;
  g->counts_depth = wf_alloc_zero(g->a, n + 1);
  if (!g->counts_depth)
    return wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
  if (g->tail_body) {
    for (size_t def = 0; def < n; def++)
      g->counts_depth[def] = 1;
    return WEFT_OK;
  }
  struct graph cg = {0};
  struct scc t = {0};
  size_t words = (n + 1) * sizeof(u32);
  cg.first = wf_alloc_zero(g->a, words);
  t.order = wf_alloc_zero(g->a, words);
  t.low = wf_alloc_zero(g->a, words);
  t.stack = wf_alloc_zero(g->a, words);
  t.path = wf_alloc_zero(g->a, words);
  t.next = wf_alloc_zero(g->a, words);
  t.on_stack = wf_alloc_zero(g->a, n + 1);
  weft_status s = WEFT_OK;
  if (!cg.first || !t.order || !t.low || !t.stack || !t.path || !t.next ||
      !t.on_stack)
    s = wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
  if (s == WEFT_OK)
    s = build_graph(g, &cg);
  for (u32 def = 0; s == WEFT_OK && def < m->nfuncs; def++)
    if (!t.order[def])
      components(g, &cg, &t, def);
  wf_alloc_free(g->a, cg.first, words);
  wf_alloc_free(g->a, cg.callee, (size_t)cg.cap * sizeof(u32));
  wf_alloc_free(g->a, t.order, words);
  wf_alloc_free(g->a, t.low, words);
  wf_alloc_free(g->a, t.stack, words);
  wf_alloc_free(g->a, t.path, words);
  wf_alloc_free(g->a, t.next, words);
  wf_alloc_free(g->a, t.on_stack, n + 1);
  return s;
}
