/*
** snapshot.c — an instance and its interpreted call stack as portable
** bytes, and back (weft_snapshot.h; the layout is in docs/snapshot.md).
**
** A frame is saved as its function index, the code index of the op it
** stands on (a FUEL op or a call) and the typed values of its locals and
** of the operands live there. Which operands are live, and of which type,
** is not stored in the frame: wf_lower_probe finds it by lowering the body
** again, both when saving and when restoring, so a snapshot cannot claim
** that a slot holds a reference the code never put there. Everything else
** in a frame (constants, dead slots) is rebuilt or zeroed on restore.
** Lowered positions are the same on every ISA: lowering depends on the
** module bytes only (with dispatch encoding aside, which probes leave out).
*/
#include "runtime.h"
#include "le.h"
#include "ir.h"
#include "weft_snapshot.h"

#define SNAP_MAGIC 0x4e454657u /* "WFEN" */
#define SNAP_VERSION 1u

/* ---- bytes out -------------------------------------------------------- */

struct out {
  struct wf_alloc *a;
  u8 *p;
  size_t n, cap;
  bool fail;
};

static void out_bytes(struct out *o, const void *src, size_t n) {
  if (o->fail)
    return;
  if (n > o->cap - o->n) {
    size_t cap = o->cap ? o->cap : 4096;
    while (cap - o->n < n) {
      if (cap > SIZE_MAX / 2) {
        o->fail = true;
        return;
      }
      cap *= 2;
    }
    u8 *p = wf_alloc_resize(o->a, o->p, o->cap, cap);
    if (!p) {
      o->fail = true;
      return;
    }
    o->p = p;
    o->cap = cap;
  }
  if (n)
    memcpy(o->p + o->n, src, n);
  o->n += n;
}

static void out_u8(struct out *o, u8 v) { out_bytes(o, &v, 1); }

static void out_u32(struct out *o, u32 v) {
  u8 b[4];
  for (int i = 0; i < 4; i++)
    b[i] = (u8)(v >> (8 * i));
  out_bytes(o, b, 4);
}

static void out_u64(struct out *o, u64 v) {
  out_u32(o, (u32)v);
  out_u32(o, (u32)(v >> 32));
}

/* ---- bytes in --------------------------------------------------------- */

struct in {
  const u8 *p;
  size_t n, at;
  bool fail;
};

static const u8 *in_take(struct in *r, size_t n) {
  if (r->fail || n > r->n - r->at) {
    r->fail = true;
    return NULL;
  }
  const u8 *p = r->p + r->at;
  r->at += n;
  return p;
}

static u8 in_u8(struct in *r) {
  const u8 *p = in_take(r, 1);
  return p ? *p : 0;
}

static u32 in_u32(struct in *r) {
  const u8 *p = in_take(r, 4);
  return p ? wf_ld32(p) : 0;
}

static u64 in_u64(struct in *r) {
  const u8 *p = in_take(r, 8);
  return p ? wf_ld64(p) : 0;
}

/* ---- values ----------------------------------------------------------- */

/* A function reference as 0 (null) or 1 + its index in `inst`'s function
** index space; false for a function the instance cannot name. */
static bool func_ref_index(const weft_instance *inst, const weft_func *f,
                           u32 *out) {
  const struct wf_module *m = &inst->module->m;
  u32 n = wf_module_func_count(m);
  if (!f) {
    *out = 0;
    return true;
  }
  if (f->inst == inst && f->funcidx < n && inst->funcs[f->funcidx] == f) {
    *out = f->funcidx + 1;
    return true;
  }
  for (u32 i = 0; i < m->nfunc_imports; i++)
    if (inst->funcs[i] == f) {
      *out = i + 1;
      return true;
    }
  return false;
}

struct save {
  struct out o;
  weft_engine *e;
  weft_instance *inst;
  weft_error *err;
  weft_status status;
};

static bool save_fail(struct save *S, weft_status st, const char *what) {
  if (S->status == WEFT_OK)
    S->status = wf_error_set(S->err, st, "cannot snapshot: %s", what);
  return false;
}

static bool put_value(struct save *S, u8 type, const weft_slot *v) {
  u32 idx;
  out_u8(&S->o, type);
  switch (type) {
  case WF_I32:
  case WF_F32: out_u32(&S->o, v->u32); return true;
  case WF_I64:
  case WF_F64: out_u64(&S->o, v->u64); return true;
  case WF_V128: out_bytes(&S->o, v->v128, 16); return true;
  case WF_FUNCREF:
    if (!func_ref_index(S->inst, v->ref, &idx))
      return save_fail(S, WEFT_ERR_UNSUPPORTED,
                       "a reference to a function of another instance");
    out_u32(&S->o, idx);
    return true;
  case WF_EXTERNREF:
    if (v->ref)
      return save_fail(S, WEFT_ERR_UNSUPPORTED,
                       "a non-null externref (a host value)");
    out_u32(&S->o, 0);
    return true;
  case WF_EXNREF: /* exception handling: exceptions are not saved */
    if (v->ref)
      return save_fail(S, WEFT_ERR_UNSUPPORTED,
                       "a non-null exnref (a caught exception)");
    out_u32(&S->o, 0);
    return true;
  default: return save_fail(S, WEFT_ERR_UNSUPPORTED, "a value of unknown type");
  }
}

struct restore {
  struct in r;
  weft_engine *e;
  weft_instance *inst;
  weft_error *err;
  weft_status status;
};

static bool bad(struct restore *R, const char *what) {
  if (R->status == WEFT_OK)
    R->status = wf_error_set(R->err, WEFT_ERR_MALFORMED,
                             "malformed snapshot: %s", what);
  return false;
}

static bool too_big(struct restore *R, const char *what) {
  if (R->status == WEFT_OK)
    R->status = wf_error_set(R->err, WEFT_ERR_LIMIT,
                             "cannot restore snapshot: %s", what);
  return false;
}

static bool get_value(struct restore *R, u8 want, weft_slot *v) {
  u8 type = in_u8(&R->r);
  memset(v, 0, sizeof *v);
  if (R->r.fail)
    return bad(R, "truncated");
  if (type != want)
    return bad(R, "a value of the wrong type");
  switch (type) {
  case WF_I32:
  case WF_F32: v->u32 = in_u32(&R->r); break;
  case WF_I64:
  case WF_F64: v->u64 = in_u64(&R->r); break;
  case WF_V128: {
    const u8 *p = in_take(&R->r, 16);
    if (p)
      memcpy(v->v128, p, 16);
    break;
  }
  case WF_FUNCREF: {
    u32 idx = in_u32(&R->r);
    if (idx > wf_module_func_count(&R->inst->module->m))
      return bad(R, "a reference to an unknown function");
    v->ref = idx ? R->inst->funcs[idx - 1] : NULL;
    break;
  }
  case WF_EXTERNREF:
    if (in_u32(&R->r) != 0)
      return bad(R, "a non-null externref");
    break;
  case WF_EXNREF:
    if (in_u32(&R->r) != 0)
      return bad(R, "a non-null exnref");
    break;
  default: return bad(R, "a value of unknown type");
  }
  return !R->r.fail || bad(R, "truncated");
}

/* ---- memories --------------------------------------------------------- */

static bool page_is_zero(const u8 *p) {
  const u64 *w = (const u64 *)(const void *)p;
  for (u32 i = 0; i < WF_PAGE_SIZE / 8; i++)
    if (w[i])
      return false;
  return true;
}

/* Pages, then runs of pages that are not all zero: (first, count, bytes). */
static void save_memory(struct save *S, const weft_memory *mem) {
  out_u32(&S->o, mem->pages);
  size_t count_at = S->o.n;
  u32 nruns = 0;
  out_u32(&S->o, 0);
  for (u32 pg = 0; pg < mem->pages && !S->o.fail;) {
    if (page_is_zero(mem->data + (size_t)pg * WF_PAGE_SIZE)) {
      pg++;
      continue;
    }
    u32 first = pg;
    while (pg < mem->pages &&
           !page_is_zero(mem->data + (size_t)pg * WF_PAGE_SIZE))
      pg++;
    out_u32(&S->o, first);
    out_u32(&S->o, pg - first);
    out_bytes(&S->o, mem->data + (size_t)first * WF_PAGE_SIZE,
              (size_t)(pg - first) * WF_PAGE_SIZE);
    nruns++;
  }
  if (!S->o.fail)
    for (int i = 0; i < 4; i++)
      S->o.p[count_at + i] = (u8)(nruns >> (8 * i));
}

static bool restore_memory(struct restore *R, weft_memory *mem) {
  u32 pages = in_u32(&R->r);
  u32 nruns = in_u32(&R->r);
  if (R->r.fail)
    return bad(R, "truncated");
  if (pages < mem->pages)
    return bad(R, "a memory smaller than the module's minimum");
  if (pages > mem->max_pages)
    return too_big(R, "a memory beyond its maximum or this engine's limit");
  /* Data segments wrote the instance's initial pages: start from zero. */
  if (mem->pages)
    memset(mem->data, 0, (size_t)mem->pages * WF_PAGE_SIZE);
  if (pages > mem->pages && wf_memory_grow(mem, pages - mem->pages) < 0)
    return too_big(R, "memory could not grow to its saved size");
  u64 next = 0; /* runs ascend and do not overlap */
  for (u32 i = 0; i < nruns; i++) {
    u32 first = in_u32(&R->r), count = in_u32(&R->r);
    if (R->r.fail)
      return bad(R, "truncated");
    if (first < next || count == 0 || (u64)first + count > pages)
      return bad(R, "memory pages out of order or out of bounds");
    const u8 *p = in_take(&R->r, (size_t)count * WF_PAGE_SIZE);
    if (!p)
      return bad(R, "truncated");
    memcpy(mem->data + (size_t)first * WF_PAGE_SIZE, p,
           (size_t)count * WF_PAGE_SIZE);
    next = (u64)first + count;
  }
  return true;
}

/* ---- globals, tables, segments ---------------------------------------- */

static void save_globals(struct save *S, u32 n) {
  for (u32 i = 0; i < n && S->status == WEFT_OK; i++) {
    const weft_global *g = S->inst->globals[i];
    out_u8(&S->o, g->mutable_);
    if (g->mutable_)
      put_value(S, g->type, &g->val);
  }
}

static bool restore_globals(struct restore *R, u32 n) {
  for (u32 i = 0; i < n; i++) {
    weft_global *g = R->inst->globals[i];
    if (in_u8(&R->r) != (u8)g->mutable_)
      return bad(R, "a global's mutability differs from the module's");
    weft_slot v;
    if (g->mutable_) {
      if (!get_value(R, g->type, &v))
        return false;
      g->val = v;
    }
  }
  return !R->r.fail || bad(R, "truncated");
}

static void save_table(struct save *S, const weft_table *t) {
  out_u8(&S->o, t->elemtype);
  out_u32(&S->o, t->size);
  for (u32 i = 0; i < t->size && S->status == WEFT_OK; i++) {
    u32 idx = 0;
    if (t->elemtype == WF_EXTERNREF && t->elems[i])
      save_fail(S, WEFT_ERR_UNSUPPORTED, "a non-null externref in a table");
    else if (t->elemtype == WF_EXNREF && t->elems[i])
      save_fail(S, WEFT_ERR_UNSUPPORTED, "a non-null exnref in a table");
    else if (!func_ref_index(S->inst, t->elems[i], &idx))
      save_fail(S, WEFT_ERR_UNSUPPORTED,
                "a table holds a function of another instance");
    out_u32(&S->o, idx);
  }
}

static bool restore_table(struct restore *R, weft_table *t) {
  u8 type = in_u8(&R->r);
  u32 size = in_u32(&R->r);
  if (R->r.fail)
    return bad(R, "truncated");
  if (type != t->elemtype)
    return bad(R, "a table's element type differs from the module's");
  if (size < t->size)
    return bad(R, "a table smaller than the module's minimum");
  if (size > t->max)
    return too_big(R, "a table beyond its maximum or this engine's limit");
  /* Each entry takes 4 bytes: a count beyond what is left is a lie. */
  if ((size_t)size > (R->r.n - R->r.at) / 4)
    return bad(R, "truncated");
  if (size > t->size && wf_table_grow(R->e, t, size - t->size, NULL) < 0)
    return too_big(R, "a table could not grow to its saved size");
  u32 nfuncs = wf_module_func_count(&R->inst->module->m);
  for (u32 i = 0; i < size; i++) {
    u32 idx = in_u32(&R->r);
    if (idx > nfuncs || (idx && t->elemtype != WF_FUNCREF))
      return bad(R, "a table entry names an unknown function");
    t->elems[i] = idx ? (void *)R->inst->funcs[idx - 1] : NULL;
  }
  return true;
}

/* Segments: only whether each was dropped (or, active, used up). */
static void save_segments(struct save *S) {
  const struct wf_module *m = &S->inst->module->m;
  out_u32(&S->o, m->nelems);
  for (u32 i = 0; i < m->nelems; i++)
    out_u8(&S->o, S->inst->elems[i].len != 0);
  out_u32(&S->o, m->ndatas);
  for (u32 i = 0; i < m->ndatas; i++)
    out_u8(&S->o, S->inst->data_len[i] != 0);
}

static bool restore_segments(struct restore *R) {
  const struct wf_module *m = &R->inst->module->m;
  if (in_u32(&R->r) != m->nelems)
    return bad(R, "element segment count differs from the module's");
  for (u32 i = 0; i < m->nelems; i++) {
    u8 alive = in_u8(&R->r);
    if (alive > 1 || (alive && R->inst->elems[i].len == 0))
      return bad(R, "an element segment alive that the module does not have");
    if (!alive)
      R->inst->elems[i].len = 0;
  }
  if (in_u32(&R->r) != m->ndatas)
    return bad(R, "data segment count differs from the module's");
  for (u32 i = 0; i < m->ndatas; i++) {
    u8 alive = in_u8(&R->r);
    if (alive > 1 || (alive && R->inst->data_len[i] == 0))
      return bad(R, "a data segment alive that the module does not have");
    if (!alive)
      R->inst->data_len[i] = 0;
  }
  return !R->r.fail || bad(R, "truncated");
}

/* ---- frames ----------------------------------------------------------- */

/* Where a frame below the top stands: a call that pushed a frame. */
static bool is_call(u32 op) {
  return op == WF_OP_CALL || op == WF_OP_CALL_INTERNAL ||
         op == WF_OP_CALL_INDIRECT || op == WF_OP_CALL_REF;
}

/* Where the top frame stands inside a host function: a call, or a tail
** call, which calls a host function as a call (and then returns). */
static bool is_host_call(u32 op) {
  return op == WF_OP_CALL || op == WF_OP_CALL_INDIRECT ||
         op == WF_OP_RETURN_CALL || op == WF_OP_RETURN_CALL_INDIRECT ||
         op == WF_OP_CALL_REF || op == WF_OP_RETURN_CALL_REF;
}

/* Which op a frame may stand on. */
static bool position_ok(bool top, u8 safe, u32 op) {
  if (!top)
    return is_call(op);
  return safe == WF_SAFE_FUEL ? op == WF_OP_FUEL : is_host_call(op);
}

/* Type of local `i` of defined function `defidx`. */
static u8 local_type(const struct wf_module *m, u32 defidx, u32 i) {
  const struct wf_func_decl *fd = &m->funcs[defidx];
  const struct wf_functype *t = &m->types[fd->typeidx];
  if (i < t->nparams)
    return t->types[i];
  i -= t->nparams;
  for (u32 g = 0; g < fd->ngroups; g++) {
    if (i < fd->groups[g].count)
      return fd->groups[g].type;
    i -= fd->groups[g].count;
  }
  return 0;
}

/* The function type a call op at ip calls. */
static const struct wf_functype *
call_type(const weft_instance *inst, const struct wf_probe *p, const u32 *ip) {
  const struct wf_module *m = &inst->module->m;
  u32 typeidx;
  if (p->op == WF_OP_CALL_INDIRECT || p->op == WF_OP_RETURN_CALL_INDIRECT ||
      p->op == WF_OP_CALL_REF || p->op == WF_OP_RETURN_CALL_REF)
    typeidx = ip[1];
  else if (p->op == WF_OP_CALL || p->op == WF_OP_RETURN_CALL)
    typeidx = wf_module_func_typeidx(m, ip[1]);
  else
    typeidx = wf_module_func_typeidx(m, m->nfunc_imports + ip[1]);
  return &m->types[typeidx];
}

/* The live operands of a frame: the probe's, and for a frame inside a
** host call, the call's arguments (it is made again). Heights and types
** into the caller's arrays of room `cap`; returns the count. */
static u32 live_operands(const weft_instance *inst, const struct wf_probe *p,
                         const u32 *ip, bool in_call, u32 *heights, u8 *types) {
  u32 n = 0;
  for (u32 i = 0; i < p->nlive; i++, n++) {
    heights[n] = p->heights[i];
    types[n] = p->types[i];
  }
  if (in_call) {
    const struct wf_functype *t = call_type(inst, p, ip);
    for (u32 i = 0; i < t->nparams; i++, n++) {
      heights[n] = p->base + i;
      types[n] = t->types[i];
    }
  }
  return n;
}

/* The frame: locals, constants, hidden slots (lower.c), operand stack. */
static u32 hidden_base(const struct wf_code *c) {
  return c->nlocal_slots + c->nconsts;
}
static u32 stack_base(const struct wf_code *c) {
  return hidden_base(c) + c->nhidden;
}

/* Probe `code` at `pc` (or at the call returning to `pc`). */
static weft_status probe_at(weft_engine *e, const weft_instance *inst,
                            const struct wf_code *code, u32 pc, bool is_return,
                            struct wf_probe *p, weft_error *err) {
  const struct wf_module *m = &inst->module->m;
  memset(p, 0, sizeof *p);
  p->pc = pc;
  p->is_return = is_return;
  p->dispatch = e->dispatch != NULL;
  return wf_lower_probe(&e->alloc, m, code->funcidx - m->nfunc_imports, p, err);
}

/* One frame: function, position, locals, live operands. */
static bool save_frame(struct save *S, const struct wf_code *code,
                       const weft_slot *fp, u32 pc, bool is_return, u8 safe) {
  const struct wf_module *m = &S->inst->module->m;
  struct wf_probe p;
  if (probe_at(S->e, S->inst, code, pc, is_return, &p, S->err) != WEFT_OK)
    return save_fail(S, WEFT_ERR_NOMEM, "out of memory");
  bool top = !is_return;
  bool ok = p.found && position_ok(top, safe, p.op);
  /* Exception handling: a try_table's handlers are found by position, so
  ** they come back with the frame; a caught exception a legacy catch arm
  ** keeps for rethrow is not saved, so such a frame is refused (restoring
  ** it without would make the rethrow throw a null reference). */
  for (u32 i = hidden_base(code); ok && i < stack_base(code); i++)
    if (fp[i].ref) {
      wf_probe_free(&S->e->alloc, &p);
      return save_fail(S, WEFT_ERR_UNSUPPORTED,
                       "a frame in a legacy catch arm that holds its "
                       "exception for rethrow");
    }
  if (!ok) {
    wf_probe_free(&S->e->alloc, &p);
    return save_fail(S, WEFT_ERR_UNSUPPORTED,
                     "a frame not at a block entry or a call");
  }
  const u32 *ip = code->ops + p.pc;
  bool in_call = top && safe == WF_SAFE_HOST;
  u32 extra = in_call ? call_type(S->inst, &p, ip)->nparams : 0;
  u32 cap = p.nlive + extra + 1;
  u32 *heights = wf_alloc_array(&S->e->alloc, cap, sizeof(u32));
  u8 *types = wf_alloc_array(&S->e->alloc, cap, 1);
  if (heights && types) {
    u32 n = live_operands(S->inst, &p, ip, in_call, heights, types);
    out_u32(&S->o, code->funcidx);
    out_u32(&S->o, p.pc);
    out_u32(&S->o, code->nlocals);
    u32 defidx = code->funcidx - m->nfunc_imports;
    /* A local the code has not assigned here holds what the value stack
    ** had (the frame image leaves it, lower.c): zero in the snapshot. */
    static const weft_slot zero;
    for (u32 i = 0; i < code->nlocals && S->status == WEFT_OK; i++)
      put_value(S, local_type(m, defidx, i), p.unassigned[i] ? &zero : &fp[i]);
    out_u32(&S->o, n);
    for (u32 i = 0; i < n && S->status == WEFT_OK; i++) {
      out_u32(&S->o, heights[i]);
      put_value(S, types[i], &fp[stack_base(code) + heights[i]]);
    }
  } else {
    save_fail(S, WEFT_ERR_NOMEM, "out of memory");
  }
  wf_alloc_free(&S->e->alloc, heights, (size_t)cap * sizeof(u32));
  wf_alloc_free(&S->e->alloc, types, cap);
  wf_probe_free(&S->e->alloc, &p);
  return S->status == WEFT_OK;
}

static bool save_frames(struct save *S) {
  struct wf_exec *ex = &S->e->exec;
  if (ex->entries != 1 || ex->depth == 0 || ex->frames[0].ip)
    return save_fail(S, WEFT_ERR_UNSUPPORTED,
                     "Wasm entered again from a host function");
  for (u32 d = 1; d < ex->depth; d++)
    if (!ex->frames[d].ip || ex->frames[d].inst != S->inst)
      return save_fail(S, WEFT_ERR_UNSUPPORTED,
                       "frames of another instance or entry");
  if (ex->at.inst != S->inst)
    return save_fail(S, WEFT_ERR_UNSUPPORTED, "frames of another instance");
  out_u8(&S->o, ex->safe);
  out_u32(&S->o, ex->depth);
  out_u64(&S->o, (u64)(ex->frames[0].fp - ex->stack));
  for (u32 d = 1; d < ex->depth; d++) {
    const struct wf_frame *fr = &ex->frames[d];
    if (!save_frame(S, fr->code, fr->fp, (u32)(fr->ip - fr->code->ops), true,
                    ex->safe))
      return false;
  }
  return save_frame(S, ex->at.code, ex->at.fp,
                    (u32)(ex->at.ip - ex->at.code->ops), false, ex->safe);
}

/* ---- restoring frames ------------------------------------------------- */

/* What the frame below says the next one must be. */
struct expect {
  u32 op;        /* the call op of the frame below, or 0 for the entry */
  const u32 *ip; /* at that op */
};

static bool callee_ok(struct restore *R, const struct expect *x,
                      const weft_func *f) {
  const struct wf_module *m = &R->inst->module->m;
  if (!x->ip)
    return true;
  if (x->op == WF_OP_CALL_INTERNAL)
    return f->funcidx == m->nfunc_imports + x->ip[1];
  if (x->op == WF_OP_CALL)
    return f->funcidx == x->ip[1];
  return f->sig == R->inst->type_sigs[x->ip[1]];
}

/* Read the values of one frame into fp, checked against the probe. */
static bool restore_values(struct restore *R, const struct wf_code *code,
                           weft_slot *fp, const struct wf_probe *p,
                           bool in_call) {
  const struct wf_module *m = &R->inst->module->m;
  u32 defidx = code->funcidx - m->nfunc_imports;
  if (in_u32(&R->r) != code->nlocals)
    return bad(R, "a frame's local count differs from its function's");
  for (u32 i = 0; i < code->nlocals; i++)
    if (!get_value(R, local_type(m, defidx, i), &fp[i]))
      return false;
  const u32 *ip = code->ops + p->pc;
  u32 extra = in_call ? call_type(R->inst, p, ip)->nparams : 0;
  u32 cap = p->nlive + extra + 1;
  u32 *heights = wf_alloc_array(&R->e->alloc, cap, sizeof(u32));
  u8 *types = wf_alloc_array(&R->e->alloc, cap, 1);
  bool ok = heights && types;
  if (!ok)
    R->status = wf_error_set(R->err, WEFT_ERR_NOMEM, "out of memory");
  u32 n = ok ? live_operands(R->inst, p, ip, in_call, heights, types) : 0;
  if (ok && in_u32(&R->r) != n)
    ok = bad(R, "a frame's live operands differ from its code's");
  for (u32 i = 0; ok && i < n; i++) {
    if (in_u32(&R->r) != heights[i])
      ok = bad(R, "a frame's live operands differ from its code's");
    else
      ok = get_value(R, types[i], &fp[stack_base(code) + heights[i]]);
  }
  wf_alloc_free(&R->e->alloc, heights, (size_t)cap * sizeof(u32));
  wf_alloc_free(&R->e->alloc, types, cap);
  return ok;
}

/* One frame at fp: returns its probe in *p (to be freed) when true. */
static bool restore_frame(struct restore *R, u8 safe, bool top,
                          const struct expect *x, weft_slot *fp,
                          const struct wf_code **out_code, struct wf_probe *p) {
  struct wf_exec *ex = &R->e->exec;
  u32 funcidx = in_u32(&R->r), pc = in_u32(&R->r);
  memset(p, 0, sizeof *p);
  if (R->r.fail)
    return bad(R, "truncated");
  if (funcidx >= wf_module_func_count(&R->inst->module->m))
    return bad(R, "a frame of an unknown function");
  weft_func *f = R->inst->funcs[funcidx];
  if (f->inst != R->inst)
    return bad(R, "a frame of a function without interpreted code");
  if (!callee_ok(R, x, f))
    return bad(R, "a frame that its caller's call does not make");
  /* The frame runs in the function's lowered body: lower it now if no
  ** call has yet (a precompiled module's). */
  const struct wf_code *code = f->code ? f->code : wf_func_lower(f, R->err);
  if (!code) {
    R->status = R->err ? R->err->status : WEFT_ERR_NOMEM;
    return false;
  }
  if (pc >= code->nops)
    return bad(R, "a position outside its function");
  if (code->frame_slots > (size_t)(ex->stack_end - fp))
    return too_big(R, "the value stack of this engine is too small");
  if (probe_at(R->e, R->inst, code, pc, false, p, R->err) != WEFT_OK) {
    R->status = R->err ? R->err->status : WEFT_ERR_NOMEM;
    return false;
  }
  if (!p->found || p->pc != pc || !position_ok(top, safe, p->op))
    return bad(R, "a position that is neither a block entry nor a call");
  /* The frame's own slots: zero but for the constants; the frame below
  ** keeps what lies under this frame's base. */
  memset(fp, 0, (size_t)code->frame_slots * sizeof(weft_slot));
  if (code->nconsts)
    memcpy(fp + code->nlocal_slots, code->consts,
           (size_t)code->nconsts * sizeof(weft_slot));
  *out_code = code;
  return restore_values(R, code, fp, p, top && safe == WF_SAFE_HOST);
}

static bool restore_frames(struct restore *R) {
  struct wf_exec *ex = &R->e->exec;
  u8 safe = in_u8(&R->r);
  u32 n = in_u32(&R->r);
  u64 entry_off = in_u64(&R->r);
  if (R->r.fail)
    return bad(R, "truncated");
  if (safe != WF_SAFE_FUEL && safe != WF_SAFE_HOST)
    return bad(R, "an unknown kind of safe point");
  if (n == 0 || entry_off >= (u64)(ex->stack_end - ex->stack))
    return bad(R, "no frames, or frames outside the value stack");
  if (n > ex->max_depth)
    return too_big(R, "more frames than this engine's call depth limit");
  while (ex->frames_cap < n)
    if (!wf_exec_grow_frames(ex))
      return too_big(R, "more frames than this engine can hold");
  weft_slot *fp = ex->stack + entry_off;
  struct expect x = {0, NULL};
  for (u32 k = 0; k < n; k++) {
    const struct wf_code *code = NULL;
    struct wf_probe p;
    bool top = k == n - 1;
    bool ok = restore_frame(R, safe, top, &x, fp, &code, &p);
    if (ok && k == 0) {
      ex->frames[0] = (struct wf_frame){NULL, fp, code, R->inst};
      R->e->snap_entry = R->inst->funcs[code->funcidx];
    }
    if (ok && !top) {
      const u32 *ip = code->ops + p.pc;
      u32 base = ip[p.op == WF_OP_CALL_INDIRECT ? 3 : 2];
      if (R->e->dispatch) /* a byte offset in such code (lower.c) */
        base /= (u32)sizeof(weft_slot);
      /* The callee's frame starts at the arguments, above the live
      ** operands (the lowering's invariant, checked). */
      if (base != stack_base(code) + p.base)
        ok = bad(R, "a call whose arguments are not where its code has them");
      ex->frames[k + 1] = (struct wf_frame){ip + p.len, fp, code, R->inst};
      x = (struct expect){p.op, ip};
      fp += base;
    }
    if (ok && top)
      R->e->snap_at = (struct wf_frame){code->ops + p.pc, fp, code, R->inst};
    wf_probe_free(&R->e->alloc, &p);
    if (!ok)
      return false;
  }
  ex->depth = n;
  return true;
}

/* ---- the whole ------------------------------------------------------- */

static void save_counts(struct out *o, const struct wf_module *m) {
  out_u32(o, wf_module_func_count(m));
  out_u32(o, wf_module_table_count(m));
  out_u32(o, wf_module_memory_count(m));
  out_u32(o, wf_module_global_count(m));
}

weft_safe_point weft_engine_safe_point(const weft_engine *e) {
  if (!e || !e->exec_ready)
    return WEFT_SAFE_NONE;
  switch (e->exec.safe) {
  case WF_SAFE_FUEL: return WEFT_SAFE_BLOCK;
  case WF_SAFE_HOST: return WEFT_SAFE_CALL;
  default: return WEFT_SAFE_NONE;
  }
}

weft_status weft_snapshot_save(weft_engine *e, weft_instance *inst,
                               uint8_t **out_bytes, size_t *out_size,
                               weft_error *err) {
  wf_error_clear(err);
  *out_bytes = NULL;
  *out_size = 0;
  if (!inst || inst->engine != e)
    return wf_error_set(err, WEFT_ERR_ARG, "instance of another engine");
  if (weft_engine_safe_point(e) == WEFT_SAFE_NONE)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "cannot snapshot: not at a safe point");
  const struct wf_module *m = &inst->module->m;
  struct save S = {{&e->alloc, NULL, 0, 0, false}, e, inst, err, WEFT_OK};
  out_u32(&S.o, SNAP_MAGIC);
  out_u32(&S.o, SNAP_VERSION);
  out_u32(&S.o, WF_OP_COUNT); /* the lowered code's vocabulary */
  save_counts(&S.o, m);
  for (u32 i = 0; i < wf_module_memory_count(m); i++)
    save_memory(&S, inst->memories[i]);
  save_globals(&S, wf_module_global_count(m));
  for (u32 i = 0; i < wf_module_table_count(m) && S.status == WEFT_OK; i++)
    save_table(&S, inst->tables[i]);
  save_segments(&S);
  if (S.status == WEFT_OK)
    save_frames(&S);
  if (S.status == WEFT_OK && S.o.fail)
    S.status = wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  if (S.status != WEFT_OK) {
    wf_alloc_free(&e->alloc, S.o.p, S.o.cap);
    return S.status;
  }
  /* Hand out exactly n bytes, so weft_snapshot_free's size is the one. */
  u8 *p = wf_alloc_resize(&e->alloc, S.o.p, S.o.cap, S.o.n ? S.o.n : 1);
  if (!p) {
    wf_alloc_free(&e->alloc, S.o.p, S.o.cap);
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  }
  *out_bytes = p;
  *out_size = S.o.n;
  return WEFT_OK;
}

void weft_snapshot_free(weft_engine *e, uint8_t *bytes, size_t size) {
  if (bytes)
    wf_alloc_free(&e->alloc, bytes, size ? size : 1);
}

static bool restore_header(struct restore *R, const struct wf_module *m) {
  u32 magic = in_u32(&R->r), version = in_u32(&R->r);
  u32 ops = in_u32(&R->r);
  if (R->r.fail || magic != SNAP_MAGIC)
    return bad(R, "not a weft engine snapshot");
  if (version != SNAP_VERSION)
    return bad(R, "a format version this weft does not read");
  if (ops != WF_OP_COUNT)
    return bad(R, "taken by a weft with other internal code");
  if (in_u32(&R->r) != wf_module_func_count(m) ||
      in_u32(&R->r) != wf_module_table_count(m) ||
      in_u32(&R->r) != wf_module_memory_count(m) ||
      in_u32(&R->r) != wf_module_global_count(m))
    return bad(R, "taken of another module (counts differ)");
  return true;
}

weft_status weft_snapshot_restore(weft_engine *e, weft_linker *linker,
                                  weft_module *module, const uint8_t *bytes,
                                  size_t size, weft_instance **out_inst,
                                  weft_error *err) {
  wf_error_clear(err);
  *out_inst = NULL;
  if (!module || (linker && linker->engine != e))
    return wf_error_set(err, WEFT_ERR_ARG,
                        "no module, or a linker of another engine");
  if (!e->config.fuel_metering)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "restoring a snapshot needs fuel metering");
  if (e->exec_ready && e->exec.entries)
    return wf_error_set(err, WEFT_ERR_ARG, "the engine is running code");
  const struct wf_module *m = &module->m;
  struct restore R = {{bytes, size, 0, false}, e, NULL, err, WEFT_OK};
  if (!restore_header(&R, m))
    return R.status;
  struct wf_exec *ex;
  weft_status s = wf_engine_exec(e, &ex, err);
  if (s == WEFT_OK)
    s = wf_instantiate(e, linker, module, false, &R.inst, err);
  if (s != WEFT_OK)
    return s;
  bool ok = true;
  for (u32 i = 0; ok && i < wf_module_memory_count(m); i++)
    ok = restore_memory(&R, R.inst->memories[i]);
  ok = ok && restore_globals(&R, wf_module_global_count(m));
  for (u32 i = 0; ok && i < wf_module_table_count(m); i++)
    ok = restore_table(&R, R.inst->tables[i]);
  ok = ok && restore_segments(&R) && restore_frames(&R);
  if (ok && R.r.fail)
    ok = bad(&R, "truncated");
  if (ok && R.r.at != R.r.n)
    ok = bad(&R, "bytes after the end");
  if (!ok) {
    e->snap_entry = NULL;
    ex->depth = 0;
    return R.status;
  }
  *out_inst = R.inst;
  return WEFT_OK;
}

weft_func *weft_snapshot_entry(const weft_engine *e) {
  return e ? e->snap_entry : NULL;
}

weft_status weft_snapshot_resume(weft_engine *e, weft_val *results,
                                 uint32_t nresults, weft_error *err) {
  wf_error_clear(err);
  weft_func *entry = e->snap_entry;
  if (!entry)
    return wf_error_set(err, WEFT_ERR_ARG, "no restored snapshot to resume");
  const struct wf_functype t = e->sigs[entry->sig].type;
  if (nresults < t.nresults)
    return wf_error_set(err, WEFT_ERR_ARG, "room for %u results needed, got %u",
                        t.nresults, nresults);
  struct wf_frame at = e->snap_at;
  weft_slot *fp0 = e->exec.frames[0].fp;
  e->snap_entry = NULL;
  weft_status s = wf_call_resumed(e, &at, err);
  if (s != WEFT_OK)
    return s;
  for (u32 i = 0; i < t.nresults; i++)
    wf_slot_to_val((weft_valtype)t.types[t.nparams + i], &fp0[i], &results[i]);
  return WEFT_OK;
}
