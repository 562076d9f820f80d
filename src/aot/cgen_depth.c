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
** bodies give the count back when they pass control on). The call graph
** and the functions that call anything else come from cgen_scan.c.
**
** Why: the count is three instructions a call (subl, jb on entry, addl on
** return) and the addl after the last call stops GCC from making it a
** tail jump. speedtest1 enters 5.9 M calling functions at --size 5, 3.1 M
** of them in functions that cannot recur (bench/README.md, P12j).
*/
#include "cgen.h"

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

static void components(struct cgen *g, const struct wf_cg_graph *cg,
                       struct scc *t, u32 root) {
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

weft_status wf_cg_find_depth_counters(struct cgen *g,
                                      const struct wf_cg_graph *cg) {
  size_t n = g->m->nfuncs;
  if (g->tail_body) {
    for (size_t def = 0; def < n; def++)
      g->counts_depth[def] = 1;
    return WEFT_OK;
  }
  struct scc t = {0};
  size_t words = (n + 1) * sizeof(u32);
  t.order = wf_alloc_zero(g->a, words);
  t.low = wf_alloc_zero(g->a, words);
  t.stack = wf_alloc_zero(g->a, words);
  t.path = wf_alloc_zero(g->a, words);
  t.next = wf_alloc_zero(g->a, words);
  t.on_stack = wf_alloc_zero(g->a, n + 1);
  weft_status s = WEFT_OK;
  if (!t.order || !t.low || !t.stack || !t.path || !t.next || !t.on_stack)
    s = wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
  for (u32 def = 0; s == WEFT_OK && def < n; def++)
    if (!t.order[def])
      components(g, cg, &t, def);
  wf_alloc_free(g->a, t.order, words);
  wf_alloc_free(g->a, t.low, words);
  wf_alloc_free(g->a, t.stack, words);
  wf_alloc_free(g->a, t.path, words);
  wf_alloc_free(g->a, t.next, words);
  wf_alloc_free(g->a, t.on_stack, n + 1);
  return s;
}
