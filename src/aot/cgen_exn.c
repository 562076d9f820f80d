/*
** cgen_exn.c — C for exception handling: pending-exception checks after
** calls, throw, and the handlers of try_table and legacy try.
*/
#include "cgen.h"

/* {======================================================================
** Exceptions (3.0). A module that throws or catches checks the engine's
** pending exception (*c->exn) after every call; throw makes one pending.
** Either way the code goes to the unwinding of that position (wf_xN): the
** handlers covering it, found at generation time exactly as the
** interpreter finds them at run time (interp/unwind.c), are tried in order
** by tag (c->api->exn_is); a match takes the payload into the handler's
** slots (wf_cN) and jumps to its landing pad, the interpreter's own, so
** fuel is the same; no match returns from the function, the exception
** still pending, for the caller to check. No setjmp: a try_table costs
** nothing on entry, a call one load and a not-taken branch. Modules with
** no exception code skip the checks; an exception crossing them leaves
** their frames as a wf_cg_trap does (runtime/aot.c).
** ======================================================================= */

/* The unwinding of the current position, emitted once. */
static void goto_unwind(struct cgen *g) {
  wf_cg_putf(&g->body, "goto wf_x%u;", g->pc);
  if (g->nsites && g->sites[g->nsites - 1] == g->pc)
    return;
  if (g->nsites == g->sites_cap) {
    u32 ncap = g->sites_cap ? g->sites_cap * 2 : 16;
    u32 *p = wf_alloc_resize(g->a, g->sites, (size_t)g->sites_cap * sizeof(u32),
                             (size_t)ncap * sizeof(u32));
    if (!p) {
      g->body.failed = true;
      return;
    }
    g->sites = p;
    g->sites_cap = ncap;
  }
  g->sites[g->nsites++] = g->pc;
}

void wf_cg_exn_check(struct cgen *g) {
  if (!g->eh)
    return;
  wf_cg_put(&g->body, "  if (WF_UNLIKELY(*c->exn != 0)) ");
  if (g->tail)
    wf_cg_put(&g->body, "goto wf_exn_out;");
  else
    goto_unwind(g);
  wf_cg_put(&g->body, "\n");
}

bool wf_cg_emit_exception(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  if (op == WF_OP_THROW) {
    const struct wf_functype *ft =
        &g->m->types[wf_module_tag_typeidx(g->m, ip[1])];
    wf_cg_putf(t, "  { weft_aot_value s[%u];\n", ft->nparams ? ft->nparams : 1);
    wf_cg_pack_args(g, ft, ip[2]);
    wf_cg_putf(t, "    c->api->exn_throw(c, %uu, s); }\n  ", ip[1]);
    goto_unwind(g);
    wf_cg_put(t, "\n");
    return true;
  }
  if (op == WF_OP_THROW_REF) {
    wf_cg_put(t, "  c->api->exn_throw_ref(c, ");
    wf_cg_var(g, ip[1], 'r');
    wf_cg_put(t, ");\n  ");
    goto_unwind(g);
    wf_cg_put(t, "\n");
    return true;
  }
  return false;
}

/* The function's way out with an exception pending: no results. */
static void emit_exn_out(struct cgen *g) {
  struct text *t = &g->body;
  const struct wf_functype *ft = g->type;
  wf_cg_put(t, "wf_exn_out: __attribute__((unused));\n");
  if (g->counting)
    wf_cg_put(t, "  c->depth_left++;\n");
  if (g->in_tail_body)
    wf_cg_put(t, "  return 0;\n");
  else if (ft->nresults)
    wf_cg_putf(t,
               "  { %s r0; __builtin_memset(&r0, 0, sizeof r0); return r0; }\n",
               wf_cg_ctype_of(wf_cg_letter_of(ft->types[ft->nparams])));
  else
    wf_cg_put(t, "  return;\n");
}

/* A catch: payload (and exnref) into the handler's slots, to its pad. */
static void emit_catch(struct cgen *g, u32 i) {
  struct text *t = &g->body;
  const struct wf_handler *h = &g->code->handlers[i];
  const struct wf_functype *ft =
      h->tag == WF_CATCH_ALL
          ? NULL
          : &g->m->types[wf_module_tag_typeidx(g->m, h->tag)];
  u32 n = ft ? ft->nparams : 0;
  char lv[16];
  wf_cg_putf(t, "wf_c%u:; { weft_aot_value s[%u];\n", i, n ? n : 1);
  /* A catch_all takes no payload: s has no room for the exception's. */
  wf_cg_put(t, h->tag == WF_CATCH_ALL
                   ? "    void *x = c->api->exn_take(c, NULL, "
                   : "    void *x = c->api->exn_take(c, s, ");
  wf_cg_put(t, h->exn != UINT32_MAX ? "1);\n" : "0);\n    (void)x;\n");
  for (u32 k = 0; k < n; k++) {
    char l = wf_cg_letter_of(ft->types[k]);
    wf_format(lv, sizeof lv, "s[%u]", k);
    wf_cg_put(t, "    ");
    wf_cg_var(g, h->dst + k, l);
    wf_cg_put(t, " = ");
    wf_cg_slot_read(t, l, lv);
    wf_cg_put(t, ";\n");
  }
  if (h->exn != UINT32_MAX) {
    wf_cg_put(t, "    ");
    wf_cg_var(g, h->exn, 'r');
    wf_cg_put(t, " = x;\n");
  }
  wf_cg_putf(t, "  }\n  goto L%u;\n", h->pad);
}

void wf_cg_emit_unwinding(struct cgen *g) {
  struct text *t = &g->body;
  const struct wf_code *code = g->code;
  for (u32 k = 0; k < g->nsites; k++) {
    u32 pc = g->sites[k], max_level = UINT32_MAX;
    bool all = false;
    wf_cg_putf(t, "wf_x%u:;\n", pc);
    for (u32 i = 0; i < code->nhandlers && !all; i++) {
      const struct wf_handler *h = &code->handlers[i];
      if (h->level > max_level || pc < h->start || pc >= h->end)
        continue;
      if (h->tag == WF_DELEGATE) {
        pc = h->pad;
        max_level = h->target;
        continue;
      }
      g->caught[i] = 1;
      if (h->tag == WF_CATCH_ALL) {
        wf_cg_putf(t, "  goto wf_c%u;\n", i);
        all = true;
      } else {
        wf_cg_putf(t, "  if (c->api->exn_is(c, %uu)) goto wf_c%u;\n", h->tag,
                   i);
      }
    }
    if (!all)
      wf_cg_put(t, "  goto wf_exn_out;\n");
  }
  for (u32 i = 0; i < code->nhandlers; i++)
    if (g->caught[i])
      emit_catch(g, i);
  emit_exn_out(g);
}

/* }====================================================================== */
