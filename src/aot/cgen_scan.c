/*
** cgen_scan.c — what the generator must know of the module before it emits
** a line of C, found in one pass over the lowered bodies:
**   - which functions are trampoline bodies (a tail call to another
**     function of the module, or through a table or a reference);
**   - whether the module throws or catches anywhere (then calls check for
**     a pending exception);
**   - the direct call graph of the functions compiled here, and which of
**     them call anything else, for cgen_depth.c.
** Each body is lowered at most once for all three (generation only: the C
** compiler's time dwarfs it), and not at all when none of them needs it: a
** body outside the piece, once an exception has been seen, is read only
** when its bytes could hold a tail call.
*/
#include "cgen.h"

/* What one body's ops tell: see the file's head. */
struct body_facts {
  bool tail;  /* a trampoline body */
  bool eh;    /* throws */
  bool other; /* calls outside the piece's direct calls, or itself */
};

static bool add_callee(struct cgen *g, struct wf_cg_graph *cg, u32 to) {
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

/* A direct call from def to callee: on the graph when both are in the
** piece; a call to itself or out of the piece is "other". */
static bool note_direct(struct cgen *g, struct wf_cg_graph *cg, u32 def,
                        u32 callee, struct body_facts *f) {
  if (!wf_cg_in_piece(g, def))
    return true;
  if (callee == def || !wf_cg_in_piece(g, callee)) {
    f->other = true;
    return true;
  }
  return add_callee(g, cg, callee);
}

/* Note the op at ip of function def in *f, and a direct callee in the
** graph when def is in the piece; false when out of memory. */
static bool note_op(struct cgen *g, struct wf_cg_graph *cg, u32 def,
                    const u32 *ip, struct body_facts *f) {
  switch (ip[0]) {
  case WF_OP_THROW:
  case WF_OP_THROW_REF: f->eh = true; return true;
  case WF_OP_CALL_INTERNAL: return note_direct(g, cg, def, ip[1], f);
  case WF_OP_RETURN_CALL_INTERNAL:
    f->tail |= ip[1] != def;
    return note_direct(g, cg, def, ip[1], f);
  case WF_OP_RETURN_CALL_INDIRECT:
  case WF_OP_RETURN_CALL_REF:
    f->tail = true;
    f->other = true;
    return true;
  case WF_OP_CALL:
  case WF_OP_RETURN_CALL:
  case WF_OP_CALL_INDIRECT:
  case WF_OP_CALL_REF: f->other = true; return true;
  default: return true;
  }
}

/* Mark def a trampoline body, and size the trampoline's argument/result
** array for it. */
static weft_status mark_tail_body(struct cgen *g, u32 def) {
  const struct wf_module *m = g->m;
  if (!g->tail_body) {
    g->tail_slots = 1; /* no zero-length array for [] -> [] bodies */
    g->tail_body = wf_alloc_zero(g->a, m->nfuncs);
    if (!g->tail_body)
      return wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
  }
  g->tail_body[def] = 1;
  const struct wf_functype *ft = &m->types[m->funcs[def].typeidx];
  u32 n = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
  if (n > g->tail_slots)
    g->tail_slots = n;
  return WEFT_OK;
}

/* Could the body hold a tail call? Only then is it lowered for that alone,
** so a module without tail calls costs one scan of its bytes. */
static bool may_tail_call(const struct wf_bytes *b) {
  return wf_memchr(b->ptr, 0x12, b->len) || wf_memchr(b->ptr, 0x13, b->len) ||
         wf_memchr(b->ptr, 0x15, b->len);
}

/* Lower function def and note its facts; its callees go on the graph. */
static weft_status scan_body(struct cgen *g, struct wf_cg_graph *cg, u32 def) {
  struct wf_code *code;
  weft_status s = wf_lower_func(g->a, g->m, def, NULL,
                                g->mod->fuel_metering != 0, &code, g->err);
  if (s != WEFT_OK)
    return s;
  struct body_facts f = {.eh = code->nhandlers > 0};
  bool ok = true;
  for (u32 pc = 0; pc < code->nops && ok; pc += wf_cg_op_length(code->ops, pc))
    ok = note_op(g, cg, def, code->ops + pc, &f);
  wf_code_free(g->a, code);
  if (!ok)
    return wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
  g->eh |= f.eh;
  if (wf_cg_in_piece(g, def))
    g->counts_depth[def] = f.other;
  return f.tail ? mark_tail_body(g, def) : WEFT_OK;
}

weft_status wf_cg_scan(struct cgen *g) {
  const struct wf_module *m = g->m;
  struct wf_cg_graph cg = {0};
  size_t words = ((size_t)m->nfuncs + 1) * sizeof(u32);
  g->counts_depth = wf_alloc_zero(g->a, (size_t)m->nfuncs + 1);
  cg.first = wf_alloc_zero(g->a, words);
  weft_status s = WEFT_OK;
  if (!g->counts_depth || !cg.first)
    s = wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
  for (u32 def = 0; s == WEFT_OK && def < m->nfuncs; def++) {
    cg.first[def] = cg.ncallees;
    if (!g->eh || wf_cg_in_piece(g, def) || may_tail_call(&m->funcs[def].code))
      s = scan_body(g, &cg, def);
  }
  if (s == WEFT_OK) {
    cg.first[m->nfuncs] = cg.ncallees;
    s = wf_cg_find_depth_counters(g, &cg);
  }
  wf_alloc_free(g->a, cg.first, words);
  wf_alloc_free(g->a, cg.callee, (size_t)cg.cap * sizeof(u32));
  return s;
}
