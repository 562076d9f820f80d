/*
** lower.c — validates one function body and lowers it to internal code in
** the same pass. The validator's operand stack remembers where each value
** lives (a local, a constant slot or its own stack slot), so local.get and
** constants cost no instruction; results are written straight into
** locals when a local.set follows; compares fuse into branches.
** Reads only the module; owns nothing after returning but the wf_code.
*/
#include "../base/reader.h"
#include "ir.h"

/* Operand locations before relocation: locals are plain indices; stack
** and constant slots are tagged until the frame layout is known. */
#define LOC_STACK 0x40000000u
#define LOC_CONST 0x80000000u
#define LOC_MASK 0x3fffffffu
/* Both tags: a hidden slot above the operand stack (legacy exception
** handling keeps a caught exception there for rethrow). */
#define LOC_HIDDEN (LOC_STACK | LOC_CONST)
#define NONE UINT32_MAX
#define T_UNKNOWN 0 /* bottom type of an unreachable stack */

enum ctrl_kind {
  CTRL_FUNC,
  CTRL_BLOCK,
  CTRL_LOOP,
  CTRL_IF,
  CTRL_ELSE,
  CTRL_TRY_TABLE, /* exception handling: a block with catch clauses */
  CTRL_TRY,       /* legacy exception handling: try's body */
  CTRL_CATCH      /* legacy: a catch or catch_all arm of a try */
};

/* Exception handling: a try_table's catch clause while its body lowers. */
struct clause {
  u8 kind;    /* 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref */
  u32 tag;    /* catch, catch_ref */
  u32 target; /* index in ctrls of the label it branches to */
};

struct entry {
  u8 type;
  u32 loc;
  wf_vt full; /* the type in full (typed function references); 0: `type` */
};

struct ctrl {
  u8 kind;
  bool unreachable; /* rest of this block is dead (stack polymorphic) */
  bool dead_start;  /* the whole construct is dead code: emit nothing */
  u32 height;       /* operand height below the params */
  u32 nparams, nresults;
  const u8 *params, *results;
  u32 loop_pc;      /* loop: code index of the start */
  u32 patches;      /* linked list of offset fields to patch at end */
  u32 else_field;   /* if: branch to patch to the else arm */
  u32 try_start;    /* try_table: code index where its body begins */
  u32 clause_first; /* try_table: its clauses in lower.clauses */
  u32 nclauses;
  u32 body_end;      /* legacy try: end of its body (first catch), or NONE */
  u32 exn_slot;      /* legacy try: hidden slot of the caught exnref */
  u32 first_handler; /* legacy try: its first entry in lower.handlers */
  bool rethrown;     /* legacy try: a rethrow names one of its arms */
  /* typed function references: the block type in full, from a function
  ** type (ft) or a single result (single, 0 when plain); and the height of
  ** the list of locals initialized since the block began */
  const struct wf_functype *ft;
  wf_vt single;
  u32 init_height;
};

struct lower {
  struct wf_alloc *a;
  const struct wf_module *m;
  weft_error *err;
  struct wf_reader r;
  u32 funcidx;
  const u32 *dispatch;
  const struct wf_functype *type;

  u32 nlocals;
  u8 *local_types;
  wf_vt *local_full; /* typed function references: each local in full */
  u8 *local_unset;   /* a non-null local not yet set: reading it is invalid */
  u32 *inits;        /* locals set since their block began, innermost last */
  u32 ninits, inits_cap;

  u32 *code;
  u32 ncode, code_cap;
  u32 *relocs;
  u32 nrelocs, relocs_cap;
  weft_slot *consts; /* each zero-padded to the whole slot */
  u32 nconsts, consts_cap;
  u32 *pcmap; /* (code index, module offset) pairs */
  u32 npcmap, pcmap_cap;

  struct entry *stack;
  u32 height, stack_cap, max_height;
  struct ctrl *ctrls;
  u32 nctrls, ctrls_cap;
  struct clause *clauses; /* exception handling: open try_tables' */
  u32 nclauses, clauses_cap;
  struct wf_handler *handlers; /* closed try_tables' (wf_code.handlers) */
  u32 nhandlers, handlers_cap;
  u32 nhidden; /* LOC_HIDDEN slots (legacy exception handling) */

  u32 last_op_pos;  /* start of the last instruction, NONE after a label */
  u32 last_op;      /* its enum wf_op */
  u32 last_dst_pos; /* its single destination operand, or NONE */
  u32 op_offset;    /* module offset of the opcode being lowered */
  bool fuel;        /* meter fuel: a FUEL op at every block start */
  u32 fuel_field;   /* code index of the open block's cost, or NONE */
  u32 fuel_cost;    /* Wasm instructions lowered since that block began */
  struct wf_probe *probe; /* wf_lower_probe: what to look for, or NULL */
  bool probe_pending;     /* the FUEL op sought was just emitted */
  weft_status status;
};

static const u8 single_types[] = {WF_I32,  WF_I64,     WF_F32,       WF_F64,
                                  WF_V128, WF_FUNCREF, WF_EXTERNREF, WF_EXNREF};

/* ---- errors ----------------------------------------------------------- */

static bool fail(struct lower *L, weft_status status, const char *what) {
  if (L->status == WEFT_OK) {
    L->status = status;
    wf_error_set(L->err, status, "%s in func %u at offset 0x%x", what,
                 L->funcidx, L->op_offset);
    if (L->err) {
      L->err->func_index = L->funcidx;
      L->err->offset = L->op_offset;
    }
  }
  return false;
}
static bool invalid(struct lower *L, const char *what) {
  return fail(L, WEFT_ERR_INVALID, what);
}
static bool malformed(struct lower *L, const char *what) {
  return fail(L, WEFT_ERR_MALFORMED, what);
}
static bool reader_failed(struct lower *L) {
  const char *why = L->r.fail ? L->r.fail : "unexpected end";
  if (!wf_strcmp(why, "unexpected end"))
    why = "unexpected end of section or function";
  return malformed(L, why);
}

/* A type byte that is not 2.0's: a later proposal's is named (status
** unsupported), anything else is malformed with `why`. */
static bool bad_type(struct lower *L, u8 t, const char *why) {
  const char *feature = wf_valtype_feature(t);
  return feature ? fail(L, WEFT_ERR_UNSUPPORTED, feature) : malformed(L, why);
}

static bool nomem(struct lower *L) {
  return fail(L, WEFT_ERR_NOMEM, "out of memory while lowering");
}

/* ---- growable arrays -------------------------------------------------- */

/* `arrp` is the address of the array's pointer (any element type): read
** and written with memcpy, so no object is accessed through a void *
** lvalue (strict aliasing). */
static bool grow(struct lower *L, void *arrp, u32 *cap, u32 need, size_t elem) {
  if (need <= *cap)
    return true;
  u32 ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > UINT32_MAX / 2)
      return nomem(L);
    ncap *= 2;
  }
  void *arr;
  memcpy(&arr, arrp, sizeof arr);
  void *p =
      wf_alloc_resize(L->a, arr, (size_t)*cap * elem, (size_t)ncap * elem);
  if (!p)
    return nomem(L);
  memcpy(arrp, &p, sizeof p);
  *cap = ncap;
  return true;
}

/* ---- emission --------------------------------------------------------- */

static bool live(const struct lower *L) {
  const struct ctrl *c = &L->ctrls[L->nctrls - 1];
  return !c->unreachable && !c->dead_start;
}

static void put(struct lower *L, u32 v) {
  if (!grow(L, &L->code, &L->code_cap, L->ncode + 1, sizeof(u32)))
    return;
  L->code[L->ncode++] = v;
}

static void probe_capture(struct lower *L, u32 height, u32 pc);
static u32 call_len(enum wf_op op);

static void emit_op(struct lower *L, enum wf_op op) {
  if (L->probe && !L->probe->found) {
    /* A FUEL op's live values are the stack as its label leaves it: known
    ** once the instruction that opened the label is lowered. A call's are
    ** what lies below its arguments, now. */
    u32 len = call_len(op);
    u32 want = L->probe->pc;
    if (op == WF_OP_FUEL && L->ncode == want && !L->probe->is_return) {
      L->probe_pending = true;
      L->probe->op = op;
      L->probe->len = 2;
    } else if (len &&
               (L->probe->is_return ? L->ncode + len : L->ncode) == want) {
      L->probe->op = op;
      L->probe->len = len;
      probe_capture(L, L->height, L->ncode);
    }
  }
  if (L->npcmap == 0 || L->pcmap[L->npcmap - 1] != L->op_offset) {
    if (!grow(L, &L->pcmap, &L->pcmap_cap, L->npcmap + 2, sizeof(u32)))
      return;
    L->pcmap[L->npcmap++] = L->ncode;
    L->pcmap[L->npcmap++] = L->op_offset;
  }
  L->last_op_pos = L->ncode;
  L->last_op = op;
  L->last_dst_pos = NONE;
  put(L, L->dispatch ? L->dispatch[op] : (u32)op);
}

/* A slot operand; tagged ones are fixed up once the layout is known. */
static void put_slot(struct lower *L, u32 loc) {
  if (loc & (LOC_STACK | LOC_CONST)) {
    if (!grow(L, &L->relocs, &L->relocs_cap, L->nrelocs + 1, sizeof(u32)))
      return;
    L->relocs[L->nrelocs++] = L->ncode;
  }
  put(L, loc);
}

static void put_dst(struct lower *L, u32 loc) {
  L->last_dst_pos = L->ncode;
  put_slot(L, loc);
}

/* Can the next instruction absorb the last one? It must be `op`, with no
** label in between, and its result (wherever a local.set moved it) must be
** the operand at `loc`. The fused handler still writes that result. */
static bool fusable(const struct lower *L, enum wf_op op, u32 loc) {
  return live(L) && L->last_op_pos != NONE && L->last_op == (u32)op &&
         L->code[L->last_op_pos + 1] == loc && L->status == WEFT_OK;
}

static void fuse_last(struct lower *L, enum wf_op fused) {
  L->code[L->last_op_pos] = L->dispatch ? L->dispatch[fused] : (u32)fused;
  L->last_op = fused;
  L->last_dst_pos = NONE;
}

/* Drop the instructions from code index `cut` on (to re-emit them fused). */
static void truncate_code(struct lower *L, u32 cut) {
  while (L->nrelocs && L->relocs[L->nrelocs - 1] >= cut)
    L->nrelocs--;
  while (L->npcmap && L->pcmap[L->npcmap - 2] >= cut)
    L->npcmap -= 2;
  L->ncode = cut;
}

/* Close the open fuel block: its cost is the Wasm instructions since. */
static void fuel_close(struct lower *L) {
  if (L->fuel_field != NONE && L->status == WEFT_OK)
    L->code[L->fuel_field] = L->fuel_cost;
  L->fuel_field = NONE;
  L->fuel_cost = 0;
}

/* A code position that can be reached by a branch: no peephole across it.
** With fuel metering a new block starts here, charged on entry; every
** branch lands on such a position, so each block is paid each time. */
static void mark_label(struct lower *L) {
  if (L->fuel) {
    fuel_close(L);
    if (live(L)) {
      emit_op(L, WF_OP_FUEL);
      L->fuel_field = L->ncode;
      put(L, 0);
    }
  }
  L->last_op_pos = NONE;
  L->last_dst_pos = NONE;
}

static u32 const_slot(struct lower *L, const weft_slot *v) {
  u32 start = L->nconsts > 64 ? L->nconsts - 64 : 0;
  for (u32 i = start; i < L->nconsts; i++)
    if (!memcmp(&L->consts[i], v, sizeof *v))
      return LOC_CONST | i;
  if (L->nconsts >= LOC_MASK)
    return nomem(L), LOC_CONST;
  if (!grow(L, &L->consts, &L->consts_cap, L->nconsts + 1, sizeof(weft_slot)))
    return LOC_CONST;
  L->consts[L->nconsts] = *v;
  return LOC_CONST | L->nconsts++;
}

/* A typed copy (the interpreter copies slots; generated C needs types). */
static void emit_copy(struct lower *L, u32 dst, u32 src, u8 type) {
  enum wf_op op;
  switch (type) {
  case WF_I32: op = WF_OP_COPY_I32; break;
  case WF_I64: op = WF_OP_COPY_I64; break;
  case WF_F32: op = WF_OP_COPY_F32; break;
  case WF_F64: op = WF_OP_COPY_F64; break;
  case WF_V128: op = WF_OP_COPY_V128; break;
  default: op = WF_OP_COPY_REF; break;
  }
  emit_op(L, op);
  put_slot(L, dst);
  put_slot(L, src);
}

/* ---- operand stack ---------------------------------------------------- */

static u32 stack_loc(u32 height) { return LOC_STACK | height; }

static bool push(struct lower *L, u8 type, u32 loc) {
  if (!grow(L, &L->stack, &L->stack_cap, L->height + 1, sizeof(struct entry)))
    return false;
  L->stack[L->height].type = type;
  L->stack[L->height].loc = loc;
  L->stack[L->height].full = 0;
  L->height++;
  if (L->height > L->max_height)
    L->max_height = L->height;
  if (L->max_height >= LOC_MASK)
    return nomem(L);
  return true;
}

/* Push a result computed into its own stack slot; returns that slot. */
static u32 push_result(struct lower *L, u8 type) {
  u32 loc = stack_loc(L->height);
  push(L, type, loc);
  return loc;
}

/* {====== typed function references: types in full ======================
** Stack entries, locals and block types carry the wf_vt word beside the
** kind byte (module.h); these compare words: a 2.0 type's word is its byte,
** so 2.0 code compares exactly as before. */

static wf_vt entry_vt(const struct entry *e) {
  return e->full ? e->full : e->type;
}

static bool push_vt(struct lower *L, wf_vt t, u32 loc) {
  if (!push(L, WF_VT_KIND(t), loc))
    return false;
  L->stack[L->height - 1].full = t != WF_VT_KIND(t) ? t : 0;
  return true;
}

static wf_vt vt_at(const u8 *types, const wf_vt *full, u32 i) {
  return full ? full[i] : types[i];
}

/* a <: b, the unknown type of dead code matching anything */
static bool vt_sub(const struct lower *L, wf_vt a, wf_vt b) {
  return WF_VT_KIND(a) == T_UNKNOWN || WF_VT_KIND(b) == T_UNKNOWN ||
         wf_vt_sub(L->m, a, b);
}

static bool pop_vt(struct lower *L, wf_vt want, struct entry *out);

static const wf_vt *params_full(const struct ctrl *c) {
  return c->ft ? c->ft->full : NULL;
}
static const wf_vt *results_full(const struct ctrl *c) {
  if (c->ft)
    return c->ft->full ? c->ft->full + c->ft->nparams : NULL;
  return c->single ? &c->single : NULL;
}
/* }====== */

/* Numeric or vector: what an untyped select accepts. */
static bool is_num(u8 t) {
  return t == WF_I32 || t == WF_I64 || t == WF_F32 || t == WF_F64 ||
         t == WF_V128 || t == T_UNKNOWN;
}
static bool is_ref(u8 t) {
  return t == WF_FUNCREF || t == WF_EXTERNREF || t == WF_EXNREF ||
         t == T_UNKNOWN;
}

static bool pop_any(struct lower *L, struct entry *out) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  if (L->height == c->height) {
    if (c->unreachable) {
      out->type = T_UNKNOWN;
      out->loc = stack_loc(L->height);
      out->full = 0;
      return true;
    }
    return invalid(L, "type mismatch: operand stack underflow");
  }
  *out = L->stack[--L->height];
  return true;
}

static bool pop_type(struct lower *L, u8 want, struct entry *out) {
  if (!pop_any(L, out))
    return false;
  if (out->type != want && out->type != T_UNKNOWN && want != T_UNKNOWN)
    return invalid(L, "type mismatch");
  return true;
}

static bool pop_vt(struct lower *L, wf_vt want, struct entry *out) {
  if (!pop_any(L, out))
    return false;
  return vt_sub(L, entry_vt(out), want) || invalid(L, "type mismatch");
}

/* Local initialization (3.0): a non-null local is unset until a local.set
** or local.tee, which lasts to the end of the innermost block. */
static void reset_inits(struct lower *L, u32 height) {
  while (L->ninits > height)
    L->local_unset[L->inits[--L->ninits]] = 1;
}

static bool set_local_init(struct lower *L, u32 x) {
  if (!L->local_unset[x])
    return true;
  if (!grow(L, (void **)&L->inits, &L->inits_cap, L->ninits + 1, sizeof(u32)))
    return false;
  L->local_unset[x] = 0;
  L->inits[L->ninits++] = x;
  return true;
}

/* Copy a pending local into the value's own stack slot. */
static void materialize(struct lower *L, u32 i) {
  struct entry *e = &L->stack[i];
  u32 own = stack_loc(i);
  if (e->loc == own)
    return;
  if (live(L))
    emit_copy(L, own, e->loc, e->type);
  e->loc = own;
}

static bool is_local(u32 loc) { return !(loc & (LOC_STACK | LOC_CONST)); }

/* Before a block: locals may change inside, so nothing below may still
** point at one. */
static void materialize_locals(struct lower *L) {
  for (u32 i = 0; i < L->height; i++)
    if (is_local(L->stack[i].loc))
      materialize(L, i);
}

/* ---- probes (snapshots) --------------------------------------------- */

/* Code units of a call instruction (tail calls too: one to a host
** function is a call, and a safe point), or 0 for any other op. */
static u32 call_len(enum wf_op op) {
  switch (op) {
  case WF_OP_CALL:
  case WF_OP_CALL_INTERNAL:
  case WF_OP_RETURN_CALL:
  case WF_OP_RETURN_CALL_INTERNAL: return 3;
  case WF_OP_CALL_INDIRECT:
  case WF_OP_RETURN_CALL_INDIRECT: return 5;
  default: return 0;
  }
}

/* Record the operands below `height` that live in their own stack slots
** (locals and constants are the frame's, not the stack's). */
static void probe_capture(struct lower *L, u32 height, u32 pc) {
  struct wf_probe *p = L->probe;
  p->found = true;
  p->pc = pc;
  p->base = height;
  p->nlive = 0;
  p->heights = wf_alloc_array(L->a, (size_t)height + 1, sizeof(u32));
  p->types = wf_alloc_array(L->a, (size_t)height + 1, 1);
  if (!p->heights || !p->types) {
    nomem(L);
    return;
  }
  for (u32 i = 0; i < height; i++) {
    const struct entry *e = &L->stack[i];
    if (e->loc & LOC_STACK) {
      p->heights[p->nlive] = e->loc & LOC_MASK;
      p->types[p->nlive++] = e->type;
    }
  }
}

static void probe_after_instr(struct lower *L) {
  if (L->probe_pending) {
    L->probe_pending = false;
    probe_capture(L, L->height, L->probe->pc);
  }
}

void wf_probe_free(struct wf_alloc *a, struct wf_probe *p) {
  if (p->heights)
    wf_alloc_free(a, p->heights, ((size_t)p->base + 1) * sizeof(u32));
  if (p->types)
    wf_alloc_free(a, p->types, (size_t)p->base + 1);
  p->heights = NULL;
  p->types = NULL;
}

/* ---- control ---------------------------------------------------------- */

static bool push_ctrl(struct lower *L, u8 kind, u32 nparams, const u8 *params,
                      u32 nresults, const u8 *results) {
  if (!grow(L, &L->ctrls, &L->ctrls_cap, L->nctrls + 1, sizeof(struct ctrl)))
    return false;
  bool dead = L->nctrls ? !live(L) : false;
  struct ctrl *c = &L->ctrls[L->nctrls++];
  c->kind = kind;
  c->unreachable = false;
  c->dead_start = dead;
  c->height = L->height - nparams;
  c->nparams = nparams;
  c->params = params;
  c->nresults = nresults;
  c->results = results;
  c->loop_pc = L->ncode;
  c->patches = NONE;
  c->else_field = NONE;
  c->try_start = L->ncode;
  c->clause_first = L->nclauses;
  c->nclauses = 0;
  c->body_end = NONE;
  c->exn_slot = NONE;
  c->first_handler = L->nhandlers;
  c->rethrown = false;
  c->ft = NULL;
  c->single = 0;
  c->init_height = L->ninits;
  return true;
}

static void set_unreachable(struct lower *L) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  L->height = c->height;
  c->unreachable = true;
  mark_label(L); /* closes the fuel block; dead code opens none */
}

/* Label types: a loop's branch carries its params, others their results. */
static u32 label_arity(const struct ctrl *c) {
  return c->kind == CTRL_LOOP ? c->nparams : c->nresults;
}
static const u8 *label_types(const struct ctrl *c) {
  return c->kind == CTRL_LOOP ? c->params : c->results;
}
static const wf_vt *label_full(const struct ctrl *c) {
  return c->kind == CTRL_LOOP ? params_full(c) : results_full(c);
}

/* Emit a branch offset field to label `c`. */
static void put_target(struct lower *L, struct ctrl *c) {
  if (c->kind == CTRL_LOOP) {
    put(L, (u32)((i32)c->loop_pc - (i32)L->ncode));
  } else {
    u32 at = L->ncode;
    put(L, c->patches);
    c->patches = at;
  }
}

static void patch_list(struct lower *L, u32 head, u32 target) {
  while (head != NONE && head < L->ncode) {
    u32 next = L->code[head];
    L->code[head] = (u32)((i32)target - (i32)head);
    head = next;
  }
}

/* Check the top `n` operands against `types` without popping. */
static bool check_top(struct lower *L, u32 n, const u8 *types,
                      const wf_vt *full) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  for (u32 i = 0; i < n; i++) {
    u32 depth = n - 1 - i; /* from the top */
    if (L->height - c->height <= depth) {
      if (c->unreachable)
        continue;
      return invalid(L, "type mismatch");
    }
    const struct entry *e = &L->stack[L->height - 1 - depth];
    if (!vt_sub(L, entry_vt(e), vt_at(types, full, i)))
      return invalid(L, "type mismatch");
  }
  return true;
}

/* Would branching to `c` need to move values? */
static bool branch_needs_moves(struct lower *L, struct ctrl *c) {
  u32 n = label_arity(c);
  for (u32 i = 0; i < n; i++)
    if (L->stack[L->height - n + i].loc != stack_loc(c->height + i))
      return true;
  return false;
}

/* Move the top `n` values into the label's slots (ascending is safe:
** every source is at or above its target, or a local/constant). */
static void emit_branch_moves(struct lower *L, struct ctrl *c) {
  u32 n = label_arity(c);
  for (u32 i = 0; i < n; i++) {
    u32 src = L->stack[L->height - n + i].loc;
    u32 dst = stack_loc(c->height + i);
    if (src != dst)
      emit_copy(L, dst, src, label_types(c)[i]);
  }
}

static struct ctrl *label(struct lower *L, u32 depth) {
  if (depth >= L->nctrls)
    return invalid(L, "unknown label"), NULL;
  return &L->ctrls[L->nctrls - 1 - depth];
}

/* Results to fp[0..n): first lift any source that a copy could clobber. */
static void emit_return(struct lower *L) {
  u32 n = L->type->nresults;
  if (!live(L))
    return;
  for (u32 i = 0; i < n; i++) {
    u32 src = L->stack[L->height - n + i].loc;
    if (is_local(src) && src < n && src != i) {
      for (u32 j = 0; j < n; j++)
        materialize(L, L->height - n + j);
      break;
    }
  }
  for (u32 i = 0; i < n; i++) {
    u32 src = L->stack[L->height - n + i].loc;
    if (src != i)
      emit_copy(L, i, src, L->type->types[L->type->nparams + i]);
  }
  emit_op(L, WF_OP_RETURN);
}

/* ---- immediates ------------------------------------------------------- */

static bool read_u32(struct lower *L, u32 *v) {
  return wf_read_u32(&L->r, v) || reader_failed(L);
}
static bool read_u8(struct lower *L, u8 *v) {
  return wf_read_u8(&L->r, v) || reader_failed(L);
}

/* The heap type of (ref null? ht) (typed function references): the
** reference type's runtime kind, WF_FUNCREF or WF_EXTERNREF. */
static bool read_ref_heap(struct lower *L, u8 prefix, u8 *kind, wf_vt *full) {
  const char *why;
  weft_status s =
      wf_read_ref_heap(&L->r, L->m->ntypes, prefix, kind, full, &why);
  return s == WEFT_OK || fail(L, s, why);
}

static bool read_blocktype(struct lower *L, u32 *np, const u8 **p, u32 *nr,
                           const u8 **r, const struct wf_functype **ft,
                           wf_vt *single) {
  i64 bt;
  if (!wf_read_s33(&L->r, &bt))
    return reader_failed(L);
  *np = 0;
  *p = NULL;
  *ft = NULL;
  *single = 0;
  if (bt == -64) {
    *nr = 0;
    *r = NULL;
    return true;
  }
  if (bt < 0) {
    u8 t = (u8)(bt & 0x7f);
    if ((t == 0x63 || t == 0x64) && !read_ref_heap(L, t, &t, single))
      return false;
    for (u32 i = 0; i < WF_ARRAY_LEN(single_types); i++)
      if (single_types[i] == t) {
        *nr = 1;
        *r = &single_types[i];
        return true;
      }
    return bad_type(L, (u8)(bt & 0x7f), "malformed value type");
  }
  if ((u64)bt >= L->m->ntypes)
    return invalid(L, "unknown type");
  const struct wf_functype *t = &L->m->types[bt];
  *ft = t;
  *np = t->nparams;
  *p = t->types;
  *nr = t->nresults;
  *r = t->types + t->nparams;
  return true;
}

/* ---- instruction groups ----------------------------------------------- */

static bool read_clauses(struct lower *L, u32 *count);

static bool lower_block(struct lower *L, u8 kind) {
  u32 np = 0, nr = 0, nclauses = 0;
  const u8 *p = NULL, *r = NULL;
  const struct wf_functype *bft = NULL;
  wf_vt bsingle = 0;
  if (!read_blocktype(L, &np, &p, &nr, &r, &bft, &bsingle))
    return false;
  if (kind == CTRL_TRY_TABLE && !read_clauses(L, &nclauses))
    return false;
  struct entry cond = {WF_I32, 0, 0};
  if (kind == CTRL_IF && !pop_type(L, WF_I32, &cond))
    return false;
  if (!check_top(L, np, p, bft ? bft->full : NULL))
    return false;
  /* Params must be real stack entries of this block (not polymorphic). */
  struct ctrl *outer = &L->ctrls[L->nctrls - 1];
  while (L->height - outer->height < np) {
    /* Unreachable: conjure the missing (deepest) params. */
    if (!grow(L, &L->stack, &L->stack_cap, L->height + np,
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
  materialize_locals(L);
  /* A loop's back-edge and an if's else arm expect the params in their
  ** own slots. */
  if (kind != CTRL_BLOCK)
    for (u32 i = 0; i < np; i++)
      materialize(L, L->height - np + i);
  bool fused = false;
  u32 cmp_a = 0, cmp_b = 0, cmp_op = 0;
  if (kind == CTRL_IF && live(L) && L->last_op_pos != NONE &&
      L->last_dst_pos == L->last_op_pos + 1 &&
      cond.loc == stack_loc(L->height) &&
      L->code[L->last_dst_pos] == cond.loc) {
    /* Fuse "compare; if" into a branch on the negated compare. */
    static const struct {
      u8 from, to;
      bool unary;
    } neg[] = {
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
      if (neg[i].from != L->last_op)
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
    truncate_code(L, L->last_op_pos);
  }
  u32 first_clause = L->nclauses - nclauses;
  if (!push_ctrl(L, kind, np, p, nr, r))
    return false;
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  c->clause_first = first_clause;
  c->nclauses = nclauses;
  c->ft = bft;
  c->single = bsingle != (wf_vt)(nr ? r[0] : 0) ? bsingle : 0;
  if (kind == CTRL_LOOP) {
    c->loop_pc = L->ncode;
    mark_label(L);
  } else if (kind == CTRL_IF && !c->dead_start) {
    if (fused) {
      emit_op(L, (enum wf_op)cmp_op);
      put_slot(L, cmp_a);
      if (cmp_b != NONE)
        put_slot(L, cmp_b);
    } else {
      emit_op(L, WF_OP_BR_UNLESS);
      put_slot(L, cond.loc);
    }
    c->else_field = L->ncode;
    put(L, NONE);
    mark_label(L);
  }
  return true;
}

/* Fallthrough into the end of `c`: results into their slots. */
static bool close_arm(struct lower *L, struct ctrl *c) {
  if (!check_top(L, c->nresults, c->results, results_full(c)))
    return false;
  if (L->height - c->height != c->nresults &&
      !(c->unreachable && L->height - c->height < c->nresults))
    return invalid(L, "type mismatch");
  if (live(L))
    for (u32 i = 0; i < c->nresults; i++) {
      u32 src = L->stack[L->height - c->nresults + i].loc;
      u32 dst = stack_loc(c->height + i);
      if (src != dst)
        emit_copy(L, dst, src, c->results[i]);
    }
  return true;
}

static bool lower_else(struct lower *L) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  if (c->kind != CTRL_IF)
    return invalid(L, "else without if");
  if (!close_arm(L, c))
    return false;
  if (live(L)) {
    emit_op(L, WF_OP_BR);
    put_target(L, c);
  }
  if (c->else_field != NONE) {
    L->code[c->else_field] = (u32)((i32)L->ncode - (i32)c->else_field);
    c->else_field = NONE;
  }
  c->kind = CTRL_ELSE;
  c->unreachable = false;
  mark_label(L);
  L->height = c->height;
  for (u32 i = 0; i < c->nparams; i++)
    push_vt(L, vt_at(c->params, params_full(c), i), stack_loc(c->height + i));
  reset_inits(L, c->init_height);
  return true;
}

static bool close_try_table(struct lower *L, struct ctrl *c);

static bool lower_end(struct lower *L) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  if (c->kind == CTRL_IF && c->nparams != c->nresults)
    return invalid(L, "type mismatch: if without else");
  if (c->kind == CTRL_IF)
    for (u32 i = 0; i < c->nparams; i++)
      if (c->params[i] != c->results[i])
        return invalid(L, "type mismatch: if without else");
  if (c->kind == CTRL_FUNC) {
    if (!check_top(L, c->nresults, c->results, results_full(c)))
      return false;
    if (L->height - c->height != c->nresults &&
        !(c->unreachable && L->height - c->height < c->nresults))
      return invalid(L, "type mismatch");
    if (live(L))
      emit_return(L);
    patch_list(L, c->patches, L->ncode);
    if (c->patches != NONE) {
      /* Branches to the function label land on a return of the results
      ** already placed in the label slots (height 0). */
      mark_label(L);
      L->height = c->nresults;
      for (u32 i = 0; i < c->nresults; i++)
        L->stack[i].loc = stack_loc(i), L->stack[i].type = c->results[i],
        L->stack[i].full = vt_at(c->results, results_full(c), i);
      c->unreachable = false;
      c->dead_start = false;
      emit_return(L);
    }
    L->nctrls--;
    return true;
  }
  if (!close_arm(L, c))
    return false;
  if (c->kind == CTRL_TRY_TABLE && !close_try_table(L, c))
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
    patch_list(L, c->patches, L->ncode);
  u32 base = c->height, nr = c->nresults;
  const u8 *res = c->results;
  wf_vt single = c->single;
  const wf_vt *resf = results_full(c) == &c->single ? &single : results_full(c);
  reset_inits(L, c->init_height);
  L->nctrls--;
  mark_label(L); /* after the pop: the code after `end` is the outer's */
  L->height = base;
  for (u32 i = 0; i < nr; i++)
    push_vt(L, vt_at(res, resf, i), stack_loc(base + i));
  return true;
}

static bool lower_br(struct lower *L) {
  u32 depth;
  if (!read_u32(L, &depth))
    return false;
  struct ctrl *c = label(L, depth);
  if (!c || !check_top(L, label_arity(c), label_types(c), label_full(c)))
    return false;
  if (live(L)) {
    if (L->nctrls - 1 - depth == 0 && c->kind == CTRL_FUNC) {
      emit_return(L);
    } else {
      emit_branch_moves(L, c);
      emit_op(L, WF_OP_BR);
      put_target(L, c);
    }
  }
  set_unreachable(L);
  return true;
}

static bool lower_br_if(struct lower *L) {
  u32 depth;
  struct entry cond;
  if (!read_u32(L, &depth) || !pop_type(L, WF_I32, &cond))
    return false;
  struct ctrl *c = label(L, depth);
  if (!c || !check_top(L, label_arity(c), label_types(c), label_full(c)))
    return false;
  u32 n = label_arity(c);
  if (L->height - L->ctrls[L->nctrls - 1].height < n) {
    /* Polymorphic stack: br_if's result types come from the label. */
    u32 have = L->height - L->ctrls[L->nctrls - 1].height;
    const u8 *t = label_types(c);
    L->height -= have;
    for (u32 i = 0; i < n; i++)
      push_vt(L, vt_at(t, label_full(c), i), stack_loc(L->height));
  } else {
    /* br_if's results have the label's types (for typed references a
    ** supertype of the operands'; for 2.0 types the same) */
    const u8 *t = label_types(c);
    for (u32 i = 0; i < n; i++) {
      L->stack[L->height - n + i].type = t[i];
      L->stack[L->height - n + i].full = vt_at(t, label_full(c), i);
    }
  }
  if (!live(L))
    return true;
  if (c->kind == CTRL_FUNC || branch_needs_moves(L, c)) {
    emit_op(L, WF_OP_BR_UNLESS);
    put_slot(L, cond.loc);
    u32 skip = L->ncode;
    put(L, NONE);
    if (c->kind == CTRL_FUNC) {
      emit_return(L);
    } else {
      emit_branch_moves(L, c);
      emit_op(L, WF_OP_BR);
      put_target(L, c);
    }
    if (L->status == WEFT_OK) /* put() may have failed */
      L->code[skip] = (u32)((i32)L->ncode - (i32)skip);
    mark_label(L);
    return true;
  }
  /* Fuse with a preceding compare whose result is the condition. */
  static const struct {
    u8 from, to;
    bool unary;
  } fuse[] = {
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
      if (fuse[i].from != L->last_op)
        continue;
      u32 a = L->code[L->last_op_pos + 2];
      u32 b = fuse[i].unary ? NONE : L->code[L->last_op_pos + 3];
      truncate_code(L, L->last_op_pos);
      emit_op(L, (enum wf_op)fuse[i].to);
      put_slot(L, a);
      if (b != NONE)
        put_slot(L, b);
      put_target(L, c);
      mark_label(L);
      return true;
    }
  }
  /* "x = a +/- b; br_if x", a loop counter: one instruction. */
  static const struct {
    u8 from, to;
  } counters[] = {{WF_OP_I32_ADD, WF_OP_I32_ADD_BR_IF},
                  {WF_OP_I32_SUB, WF_OP_I32_SUB_BR_IF}};
  for (u32 i = 0; i < WF_ARRAY_LEN(counters); i++)
    if (fusable(L, counters[i].from, cond.loc)) {
      fuse_last(L, (enum wf_op)counters[i].to);
      put_target(L, c);
      mark_label(L);
      return true;
    }
  emit_op(L, WF_OP_BR_IF);
  put_slot(L, cond.loc);
  put_target(L, c);
  mark_label(L);
  return true;
}

static bool lower_br_table(struct lower *L) {
  u32 count;
  struct entry idx;
  if (!read_u32(L, &count))
    return false;
  if (count > wf_reader_left(&L->r))
    return reader_failed(L);
  u32 *depths = wf_alloc_array(L->a, (size_t)count + 1, sizeof(u32));
  if (!depths)
    return nomem(L);
  bool ok = true;
  for (u32 i = 0; ok && i <= count; i++)
    ok = read_u32(L, &depths[i]);
  ok = ok && pop_type(L, WF_I32, &idx);
  u32 arity = 0;
  for (u32 i = 0; ok && i <= count; i++) {
    struct ctrl *c = label(L, depths[i]);
    ok = c != NULL;
    if (ok && i == 0)
      arity = label_arity(c);
    if (ok && label_arity(c) != arity)
      ok = invalid(L, "type mismatch: br_table arity");
    ok = ok && check_top(L, label_arity(c), label_types(c), label_full(c));
  }
  if (ok && live(L)) {
    emit_op(L, WF_OP_BR_TABLE);
    put_slot(L, idx.loc);
    put(L, count);
    u32 table = L->ncode;
    for (u32 i = 0; i <= count; i++)
      put(L, NONE);
    for (u32 i = 0; i <= count && L->status == WEFT_OK; i++) {
      struct ctrl *c = label(L, depths[i]);
      bool is_func = c->kind == CTRL_FUNC;
      if (!is_func && !branch_needs_moves(L, c)) {
        /* Link the table entry itself into the label's patch list. */
        if (c->kind == CTRL_LOOP) {
          L->code[table + i] = (u32)((i32)c->loop_pc - (i32)(table + i));
        } else {
          L->code[table + i] = c->patches;
          c->patches = table + i;
        }
        continue;
      }
      L->code[table + i] = (u32)((i32)L->ncode - (i32)(table + i));
      if (is_func) {
        emit_return(L);
      } else {
        emit_branch_moves(L, c);
        emit_op(L, WF_OP_BR);
        put_target(L, c);
      }
    }
  }
  wf_alloc_free(L->a, depths, ((size_t)count + 1) * sizeof(u32));
  if (ok)
    set_unreachable(L);
  return ok && L->status == WEFT_OK;
}

static const struct wf_functype *func_type(struct lower *L, u32 funcidx) {
  return &L->m->types[wf_module_func_typeidx(L->m, funcidx)];
}

/* Pop and check call arguments; leave them in consecutive stack slots. */
static bool call_args(struct lower *L, const struct wf_functype *t,
                      u32 *out_base) {
  if (!check_top(L, t->nparams, t->types, t->full))
    return false;
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  u32 avail = L->height - c->height;
  u32 n = t->nparams < avail ? t->nparams : avail;
  for (u32 i = 0; i < n; i++)
    materialize(L, L->height - n + i);
  L->height -= n; /* polymorphic case: fewer were really there */
  *out_base = stack_loc(L->height);
  return true;
}

static bool call_results(struct lower *L, const struct wf_functype *t) {
  for (u32 i = 0; i < t->nresults; i++)
    if (!push_vt(L, vt_at(t->types, t->full, t->nparams + i),
                 stack_loc(L->height)))
      return false;
  /* Host functions write results over the arguments' slots, so make room
  ** for max(params, results) above the base. */
  if (L->height - t->nresults + t->nparams > L->max_height)
    L->max_height = L->height - t->nresults + t->nparams;
  return true;
}

static bool lower_call(struct lower *L) {
  u32 f, base;
  if (!read_u32(L, &f))
    return false;
  if (f >= wf_module_func_count(L->m))
    return invalid(L, "unknown function");
  const struct wf_functype *t = func_type(L, f);
  if (!call_args(L, t, &base))
    return false;
  if (live(L)) {
    if (f >= L->m->nfunc_imports) {
      emit_op(L, WF_OP_CALL_INTERNAL);
      put(L, f - L->m->nfunc_imports);
    } else {
      emit_op(L, WF_OP_CALL);
      put(L, f);
    }
    put_slot(L, base);
  }
  return call_results(L, t);
}

static bool pop_table_index(struct lower *L, u32 table, struct entry *idx);

static bool lower_call_indirect(struct lower *L) {
  u32 typeidx, table, base;
  struct entry idx;
  if (!read_u32(L, &typeidx) || !read_u32(L, &table))
    return false;
  if (table >= wf_module_table_count(L->m))
    return invalid(L, "unknown table");
  if (wf_module_table_type(L->m, table).elemtype != WF_FUNCREF)
    return invalid(L, "type mismatch: call_indirect on a non-funcref table");
  if (typeidx >= L->m->ntypes)
    return invalid(L, "unknown type");
  const struct wf_functype *t = &L->m->types[typeidx];
  if (!pop_table_index(L, table, &idx) || !call_args(L, t, &base))
    return false;
  if (live(L)) {
    emit_op(L, WF_OP_CALL_INDIRECT);
    put(L, typeidx);
    put(L, table);
    put_slot(L, base);
    put_slot(L, idx.loc);
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
    return invalid(L, "type mismatch: tail call results differ from the "
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
  emit_return(L);
  set_unreachable(L);
  return true;
}

static bool lower_return_call(struct lower *L) {
  u32 f, base;
  if (!read_u32(L, &f))
    return false;
  if (f >= wf_module_func_count(L->m))
    return invalid(L, "unknown function");
  const struct wf_functype *t = func_type(L, f);
  if (!tail_results_match(L, t) || !call_args(L, t, &base))
    return false;
  if (live(L)) {
    if (f >= L->m->nfunc_imports) {
      emit_op(L, WF_OP_RETURN_CALL_INTERNAL);
      put(L, f - L->m->nfunc_imports);
    } else {
      emit_op(L, WF_OP_RETURN_CALL);
      put(L, f);
    }
    put_slot(L, base);
  }
  return tail_fallback(L, t);
}

static bool lower_return_call_indirect(struct lower *L) {
  u32 typeidx, table, base;
  struct entry idx;
  if (!read_u32(L, &typeidx) || !read_u32(L, &table))
    return false;
  if (table >= wf_module_table_count(L->m))
    return invalid(L, "unknown table");
  if (wf_module_table_type(L->m, table).elemtype != WF_FUNCREF)
    return invalid(L, "type mismatch: call_indirect on a non-funcref table");
  if (typeidx >= L->m->ntypes)
    return invalid(L, "unknown type");
  const struct wf_functype *t = &L->m->types[typeidx];
  if (!tail_results_match(L, t) || !pop_table_index(L, table, &idx) ||
      !call_args(L, t, &base))
    return false;
  if (live(L)) {
    emit_op(L, WF_OP_RETURN_CALL_INDIRECT);
    put(L, typeidx);
    put(L, table);
    put_slot(L, base);
    put_slot(L, idx.loc);
  }
  return tail_fallback(L, t);
}

/* {======================================================================
** Exception handling (3.0): throw, throw_ref, try_table
**
** A try_table lowers as a block whose catch clauses become handler table
** entries (struct wf_handler) over the code of its body, and landing pads
** emitted after the body (the body's fallthrough jumps over them). The
** unwinder (interp.c) writes the payload, then the exnref, into the slots
** from the try_table's operand height on (nothing in the body is live
** then) and goes to the pad, which moves the values into the label's slots
** and branches there like br: fuel is that of the code it lands in, the
** pads themselves are not Wasm instructions.
** ======================================================================= */

static const struct wf_functype *tag_type(struct lower *L, u32 tag) {
  return &L->m->types[wf_module_tag_typeidx(L->m, tag)];
}

/* catch x l / catch_ref x l / catch_all l / catch_all_ref l: the values a
** clause passes must be what label l takes. Labels count from outside the
** try_table (it is not yet on the control stack). */
static bool read_clause(struct lower *L, struct clause *cl) {
  u32 depth;
  if (!read_u8(L, &cl->kind))
    return false;
  if (cl->kind > 3)
    return malformed(L, "malformed catch clause");
  cl->tag = WF_CATCH_ALL;
  if (cl->kind < 2) {
    if (!read_u32(L, &cl->tag))
      return false;
    if (cl->tag >= wf_module_tag_count(L->m))
      return invalid(L, "unknown tag");
  }
  if (!read_u32(L, &depth))
    return false;
  struct ctrl *target = label(L, depth);
  if (!target)
    return false;
  cl->target = (u32)(target - L->ctrls);
  const struct wf_functype *t = cl->kind < 2 ? tag_type(L, cl->tag) : NULL;
  u32 n = t ? t->nparams : 0;
  bool ref = cl->kind == 1 || cl->kind == 3;
  if (label_arity(target) != n + ref)
    return invalid(L, "type mismatch: catch clause and label differ");
  /* each payload value must fit the label's type (subtyping of typed
  ** references: a (ref null $t) payload does not fit a (ref $t) label) */
  for (u32 i = 0; i < n; i++)
    if (label_types(target)[i] != t->types[i] ||
        !vt_sub(L, vt_at(t->types, t->full, i),
                vt_at(label_types(target), label_full(target), i)))
      return invalid(L, "type mismatch: catch clause and label differ");
  if (ref && label_types(target)[n] != WF_EXNREF)
    return invalid(L, "type mismatch: catch clause and label differ");
  return true;
}

static bool read_clauses(struct lower *L, u32 *count) {
  u32 n;
  if (!read_u32(L, &n))
    return false;
  if (n > wf_reader_left(&L->r))
    return reader_failed(L);
  if (!grow(L, (void **)&L->clauses, &L->clauses_cap, L->nclauses + n,
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
** the try_table's height into the label's slots, then the branch. */
static void emit_pad(struct lower *L, const struct ctrl *c,
                     const struct clause *cl) {
  struct ctrl *target = &L->ctrls[cl->target];
  u32 n = label_arity(target);
  const u8 *types = label_types(target);
  if (c->height + n > L->max_height)
    L->max_height = c->height + n;
  if (target->kind == CTRL_FUNC) {
    for (u32 i = 0; i < n; i++)
      emit_copy(L, i, stack_loc(c->height + i), types[i]);
    emit_op(L, WF_OP_RETURN);
    return;
  }
  for (u32 i = 0; i < n; i++)
    if (c->height != target->height)
      emit_copy(L, stack_loc(target->height + i), stack_loc(c->height + i),
                types[i]);
  emit_op(L, WF_OP_BR);
  put_target(L, target);
}

/* At the try_table's end (its results in place): the pads and handlers;
** its clauses leave the open list. */
static bool close_try_table(struct lower *L, struct ctrl *c) {
  if (!c->dead_start && c->nclauses) {
    u32 end = L->ncode;
    if (live(L)) {
      emit_op(L, WF_OP_BR); /* the body's fallthrough skips the pads */
      put_target(L, c);
    }
    for (u32 i = 0; i < c->nclauses && L->status == WEFT_OK; i++) {
      const struct clause *cl = &L->clauses[c->clause_first + i];
      if (!grow(L, (void **)&L->handlers, &L->handlers_cap, L->nhandlers + 1,
                sizeof(struct wf_handler)))
        return false;
      struct wf_handler *h = &L->handlers[L->nhandlers++];
      h->start = c->try_start;
      h->end = end;
      h->pad = L->ncode;
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

static bool lower_throw(struct lower *L) {
  u32 tag, base;
  if (!read_u32(L, &tag))
    return false;
  if (tag >= wf_module_tag_count(L->m))
    return invalid(L, "unknown tag");
  if (!call_args(L, tag_type(L, tag), &base))
    return false;
  if (live(L)) {
    emit_op(L, WF_OP_THROW);
    put(L, tag);
    put_slot(L, base);
  }
  set_unreachable(L);
  return true;
}

static bool lower_throw_ref(struct lower *L) {
  struct entry e;
  if (!pop_type(L, WF_EXNREF, &e))
    return false;
  if (live(L)) {
    emit_op(L, WF_OP_THROW_REF);
    put_slot(L, e.loc);
  }
  set_unreachable(L);
  return true;
}

/* ---- legacy exception handling: try, catch, catch_all, delegate, rethrow
**
** try's body is a block whose handlers cover it; each catch arm is a
** landing pad itself: it starts with the payload in the try's result
** slots (its operand height) and keeps the exception in a hidden slot for
** rethrow, when some rethrow names the arm. A delegate is a handler that
** throws again at the position of its label, passing over the handlers of
** the tries in between (struct wf_handler, WF_DELEGATE). */

static bool add_handler(struct lower *L, const struct ctrl *c, u32 tag,
                        u32 pad) {
  if (!grow(L, (void **)&L->handlers, &L->handlers_cap, L->nhandlers + 1,
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

static bool lower_catch(struct lower *L, bool all) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  u32 tag = WF_CATCH_ALL;
  if (!all) {
    if (!read_u32(L, &tag))
      return false;
    if (tag >= wf_module_tag_count(L->m))
      return invalid(L, "unknown tag");
  }
  if (c->kind != CTRL_TRY && c->kind != CTRL_CATCH)
    return invalid(L, all ? "catch_all without try" : "catch without try");
  if (!close_arm(L, c))
    return false;
  if (c->kind == CTRL_TRY) {
    c->body_end = L->ncode;
    c->first_handler = L->nhandlers;
    if (L->nhidden >= LOC_MASK)
      return nomem(L);
    c->exn_slot = LOC_HIDDEN | L->nhidden++;
  }
  if (live(L)) {
    emit_op(L, WF_OP_BR);
    put_target(L, c);
  }
  c->kind = CTRL_CATCH;
  c->unreachable = false;
  L->height = c->height;
  if (!c->dead_start && !add_handler(L, c, tag, L->ncode))
    return false;
  mark_label(L);
  const struct wf_functype *t = all ? NULL : tag_type(L, tag);
  for (u32 i = 0; t && i < t->nparams; i++)
    push(L, t->types[i], stack_loc(c->height + i));
  return L->status == WEFT_OK;
}

static bool lower_delegate(struct lower *L) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  u32 depth;
  if (!read_u32(L, &depth))
    return false;
  if (c->kind != CTRL_TRY)
    return invalid(L, "delegate without try");
  /* The label counts from outside the try. */
  if (depth + 1 < depth || !label(L, depth + 1))
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
  return lower_end(L);
}

static bool lower_rethrow(struct lower *L) {
  u32 depth;
  if (!read_u32(L, &depth))
    return false;
  struct ctrl *c = label(L, depth);
  if (!c)
    return false;
  if (c->kind != CTRL_CATCH)
    return invalid(L, "invalid rethrow label");
  c->rethrown = true;
  if (live(L)) {
    emit_op(L, WF_OP_THROW_REF);
    put_slot(L, c->exn_slot);
  }
  set_unreachable(L);
  return true;
}

/* }====================================================================== */
/* {====== typed function references (3.0) ===================================
** call_ref, return_call_ref, ref.as_non_null, br_on_null, br_on_non_null.
** Function references of every type have the kind WF_FUNCREF here (see
** docs/ARCHITECTURE.md): the operand is checked to be a function reference,
** and the callee's signature is checked at run time against the type
** immediate (a trap like call_indirect's), so a module this coarser check
** accepts cannot call a function at the wrong type. */

static bool lower_call_ref(struct lower *L, bool tail) {
  u32 typeidx, base;
  struct entry ref;
  if (!read_u32(L, &typeidx))
    return false;
  if (typeidx >= L->m->ntypes)
    return invalid(L, "unknown type");
  const struct wf_functype *t = &L->m->types[typeidx];
  if ((tail && !tail_results_match(L, t)) ||
      !pop_vt(L, WF_VT_MAKE(WF_FUNCREF, false, typeidx + 1), &ref) ||
      !call_args(L, t, &base))
    return false;
  if (live(L)) {
    emit_op(L, tail ? WF_OP_RETURN_CALL_REF : WF_OP_CALL_REF);
    put(L, typeidx);
    put_slot(L, base);
    put_slot(L, ref.loc);
  }
  return tail ? tail_fallback(L, t) : call_results(L, t);
}

static bool pop_ref(struct lower *L, struct entry *out) {
  if (!pop_any(L, out))
    return false;
  return is_ref(out->type) || invalid(L, "type mismatch");
}

static bool lower_ref_as_non_null(struct lower *L) {
  struct entry v;
  if (!pop_ref(L, &v))
    return false;
  if (live(L)) {
    emit_op(L, WF_OP_REF_AS_NON_NULL);
    put_slot(L, v.loc);
  }
  return push_vt(
      L, v.type == T_UNKNOWN ? T_UNKNOWN : entry_vt(&v) | WF_VT_NONNULL, v.loc);
}

/* br_on_null l: a null reference is dropped and branches; any other stays.
** br_on_non_null l: a non-null reference branches with it (the label's
** last value); a null one is dropped. Both test with ref.is_null into a
** slot above the stack, then branch as br_if does. */
static bool lower_br_on_null(struct lower *L, bool on_non_null) {
  u32 depth;
  struct entry ref;
  if (!read_u32(L, &depth) || !pop_ref(L, &ref))
    return false;
  struct ctrl *c = label(L, depth);
  if (!c)
    return false;
  u32 n = label_arity(c);
  wf_vt nonnull =
      ref.type == T_UNKNOWN ? T_UNKNOWN : entry_vt(&ref) | WF_VT_NONNULL;
  if (on_non_null) {
    if (n == 0 || !is_ref(label_types(c)[n - 1]))
      return invalid(L, "type mismatch");
    if (!push_vt(L, nonnull, ref.loc))
      return false;
  }
  if (!check_top(L, n, label_types(c), label_full(c)))
    return false;
  /* the values carried take the label's types (br_on_null's typing) */
  for (u32 i = 0; i < n && i < L->height - L->ctrls[L->nctrls - 1].height;
       i++) {
    struct entry *e = &L->stack[L->height - 1 - i];
    if (on_non_null && i == 0)
      continue; /* the reference itself, non-null */
    e->type = label_types(c)[n - 1 - i];
    e->full = vt_at(label_types(c), label_full(c), n - 1 - i);
  }
  if (L->height - L->ctrls[L->nctrls - 1].height < n) {
    /* polymorphic stack: the values come from the label */
    u32 have = L->height - L->ctrls[L->nctrls - 1].height;
    const u8 *t = label_types(c);
    L->height -= have;
    for (u32 i = 0; i < n; i++)
      push_vt(L, vt_at(t, label_full(c), i), stack_loc(L->height));
    if (on_non_null)
      ref.loc = L->stack[L->height - 1].loc;
  }
  if (live(L)) {
    /* the test's slot is above every live value and, for br_on_null,
    ** above the reference's own slot (it stays when not taken) */
    u32 above = on_non_null ? 0 : 1;
    u32 test = stack_loc(L->height + above);
    for (u32 i = 0; i <= above; i++)
      if (!push(L, WF_I32, stack_loc(L->height)))
        return false;
    L->height -= above + 1;
    emit_op(L, WF_OP_REF_IS_NULL);
    put_dst(L, test);
    put_slot(L, ref.loc);
    /* skip the branch when it is not taken */
    emit_op(L, on_non_null ? WF_OP_BR_IF : WF_OP_BR_UNLESS);
    put_slot(L, test);
    u32 skip = L->ncode;
    put(L, NONE);
    if (c->kind == CTRL_FUNC) {
      emit_return(L);
    } else {
      emit_branch_moves(L, c);
      emit_op(L, WF_OP_BR);
      put_target(L, c);
    }
    if (L->status == WEFT_OK)
      L->code[skip] = (u32)((i32)L->ncode - (i32)skip);
    mark_label(L);
  }
  if (on_non_null) {
    L->height--; /* not taken: the null is dropped */
    return true;
  }
  return push_vt(L, nonnull, ref.loc); /* not taken: it stays, non-null */
}
/* }====== typed function references ======================================== */

static bool lower_local(struct lower *L, u8 opcode) {
  u32 x;
  if (!read_u32(L, &x))
    return false;
  if (x >= L->nlocals)
    return invalid(L, "unknown local");
  u8 t = L->local_types[x];
  wf_vt tf = L->local_full[x];
  if (opcode == 0x20) {
    if (L->local_unset[x])
      return invalid(L, "uninitialized local");
    return push_vt(L, tf, x);
  }
  struct entry v;
  if (!pop_vt(L, tf, &v) || !set_local_init(L, x))
    return false;
  if (live(L)) {
    bool pending = false;
    for (u32 i = 0; i < L->height; i++)
      if (L->stack[i].loc == x)
        pending = true;
    if (pending)
      for (u32 i = 0; i < L->height; i++)
        if (L->stack[i].loc == x)
          materialize(L, i);
    if (!pending && L->last_dst_pos != NONE && v.loc == stack_loc(L->height) &&
        L->code[L->last_dst_pos] == v.loc) {
      /* The previous instruction computed v: let it write the local. */
      for (u32 i = L->nrelocs; i-- > 0;)
        if (L->relocs[i] == L->last_dst_pos) {
          memmove(&L->relocs[i], &L->relocs[i + 1],
                  (L->nrelocs - i - 1) * sizeof(u32));
          L->nrelocs--;
          break;
        }
      L->code[L->last_dst_pos] = x;
      L->last_dst_pos = NONE;
    } else if (v.loc != x) {
      emit_copy(L, x, v.loc, t);
    }
  }
  if (opcode == 0x22)
    return push_vt(L, tf, x);
  return true;
}

static bool lower_global(struct lower *L, u8 opcode) {
  u32 x;
  if (!read_u32(L, &x))
    return false;
  if (x >= wf_module_global_count(L->m))
    return invalid(L, "unknown global");
  struct wf_globaltype gt = wf_module_global_type(L->m, x);
  wf_vt gf = WF_VT(gt.valtype, gt.full);
  if (opcode == 0x23) {
    u32 dst = stack_loc(L->height);
    if (!push_vt(L, gf, dst))
      return false;
    if (live(L)) {
      emit_op(L, WF_OP_GLOBAL_GET);
      put_dst(L, dst);
      put(L, x);
    }
    return true;
  }
  if (!gt.mutable_)
    return invalid(L, "global is immutable");
  struct entry v;
  if (!pop_vt(L, gf, &v))
    return false;
  if (live(L)) {
    emit_op(L, WF_OP_GLOBAL_SET);
    put(L, x);
    put_slot(L, v.loc);
  }
  return true;
}

/* ==== multi-memory, memory64, table64 (lowering helpers) ==============
** The fast path is a 32-bit memory 0: its ops are those of 2.0. Any other
** memory goes through MEMX_* ops (ops.def); i64 table indices are
** saturated to u32 into the operand's own stack slot (no table is that
** large, wf_table_create), so the table ops themselves stay 32-bit. */

static bool read_u64(struct lower *L, u64 *v) {
  return wf_read_u64(&L->r, v) || reader_failed(L);
}

static bool mem_is64(const struct lower *L, u32 mem) {
  return wf_module_memory_limits(L->m, mem).is64;
}

/* The address type of memory `mem`: i64 for a memory64. */
static u8 mem_addr_type(const struct lower *L, u32 mem) {
  return mem_is64(L, mem) ? WF_I64 : WF_I32;
}

/* The 2.0 fast path: memory 0, 32-bit. */
static bool mem_fast(const struct lower *L, u32 mem) {
  return mem == 0 && !mem_is64(L, 0);
}

static bool check_memory_index(struct lower *L, u32 mem) {
  return mem < wf_module_memory_count(L->m) || invalid(L, "unknown memory");
}

/* A memory index immediate (memory.size, grow, fill, copy, init). */
static bool read_memidx(struct lower *L, u32 *mem) {
  if (L->m->wasm_2_0) { /* 2.0: a reserved zero byte */
    u8 b;
    *mem = 0;
    if (!read_u8(L, &b))
      return false;
    if (b != 0)
      return malformed(L, "zero byte expected");
    return check_memory_index(L, 0);
  }
  return read_u32(L, mem) && check_memory_index(L, *mem);
}

struct memarg {
  u32 align; /* log2, bit 6 (memory index) removed */
  u32 mem;
  u64 offset;
};

/* memarg: bit 6 of the alignment announces a memory index; the offset is
** a u64 since memory64 and must fit the memory's address type. Values of
** 0x80 and up keep bit 6 and fail the alignment check. */
static bool read_memarg_x(struct lower *L, struct memarg *a) {
  if (!read_u32(L, &a->align))
    return false;
  a->mem = 0;
  if (L->m->wasm_2_0) { /* 2.0: no memory index, a u32 offset */
    u32 off;
    if (!read_u32(L, &off))
      return false;
    a->offset = off;
    return check_memory_index(L, 0);
  }
  if ((a->align & 0x40) && a->align < 0x80) {
    a->align &= ~0x40u;
    if (!read_u32(L, &a->mem))
      return false;
  }
  if (!read_u64(L, &a->offset) || !check_memory_index(L, a->mem))
    return false;
  return mem_is64(L, a->mem) || a->offset <= UINT32_MAX ||
         invalid(L, "offset out of range");
}

/* Open the window of an access to another memory (MEMX_AT); returns the
** slot (a constant 0) the access then reads as its address. */
static u32 memx_open(struct lower *L, const struct memarg *a, u32 addr_loc,
                     u32 width) {
  static const weft_slot zero;
  emit_op(L, WF_OP_MEMX_AT);
  put(L, a->mem);
  put_slot(L, addr_loc);
  put(L, (u32)a->offset);
  put(L, (u32)(a->offset >> 32));
  put(L, width);
  return const_slot(L, &zero);
}

static void memx_close(struct lower *L) { emit_op(L, WF_OP_MEMX_END); }

static bool table_is64(const struct lower *L, u32 t) {
  return wf_module_table_type(L->m, t).limits.is64;
}

/* Narrow a popped i64 table index at stack height `h` into its own slot
** (free: the operand is consumed) and return that slot. */
static u32 narrow_index(struct lower *L, u32 h, u32 loc) {
  if (!live(L))
    return loc;
  emit_op(L, WF_OP_I64_SAT_U32);
  put_slot(L, stack_loc(h));
  put_slot(L, loc);
  return stack_loc(h);
}

/* simple() with i64 operands for the bits of `narrow` (saturated to u32
** first) and, when `widen` is not 0, an i32 result extended to i64 by it. */
static bool simple_x(struct lower *L, enum wf_op op, u32 nin, const u8 *in,
                     u8 out, const u32 *imms, u32 nimm, u32 narrow,
                     enum wf_op widen) {
  struct entry e[5];
  for (u32 i = nin; i-- > 0;)
    if (!pop_type(L, (narrow >> i & 1) ? WF_I64 : in[i], &e[i]))
      return false;
  u32 base = L->height;
  for (u32 i = 0; i < nin; i++)
    if (narrow >> i & 1)
      e[i].loc = narrow_index(L, base + i, e[i].loc);
  u32 dst = out ? push_result(L, widen ? WF_I64 : out) : 0;
  if (!live(L))
    return true;
  emit_op(L, op);
  if (out)
    put_dst(L, dst);
  for (u32 i = 0; i < nimm; i++)
    put(L, imms[i]);
  for (u32 i = 0; i < nin; i++)
    put_slot(L, e[i].loc);
  if (widen) {
    emit_op(L, widen);
    put_dst(L, dst);
    put_slot(L, dst);
  }
  return true;
}
/* The index operand of call_indirect: an i64 on a table64, narrowed. */
static bool pop_table_index(struct lower *L, u32 table, struct entry *idx) {
  if (!table_is64(L, table))
    return pop_type(L, WF_I32, idx);
  if (!pop_type(L, WF_I64, idx))
    return false;
  idx->loc = narrow_index(L, L->height, idx->loc);
  return true;
}
/* ==== end multi-memory, memory64, table64 helpers ===================== */

/* Loads 0x28..0x35 and stores 0x36..0x3e. */
static bool lower_memory_access(struct lower *L, u8 opcode) {
  static const struct {
    u8 op, type, align;
    bool store;
  } acc[] = {
      {WF_OP_I32_LOAD, WF_I32, 2, 0},     {WF_OP_I64_LOAD, WF_I64, 3, 0},
      {WF_OP_F32_LOAD, WF_F32, 2, 0},     {WF_OP_F64_LOAD, WF_F64, 3, 0},
      {WF_OP_I32_LOAD8_S, WF_I32, 0, 0},  {WF_OP_I32_LOAD8_U, WF_I32, 0, 0},
      {WF_OP_I32_LOAD16_S, WF_I32, 1, 0}, {WF_OP_I32_LOAD16_U, WF_I32, 1, 0},
      {WF_OP_I64_LOAD8_S, WF_I64, 0, 0},  {WF_OP_I64_LOAD8_U, WF_I64, 0, 0},
      {WF_OP_I64_LOAD16_S, WF_I64, 1, 0}, {WF_OP_I64_LOAD16_U, WF_I64, 1, 0},
      {WF_OP_I64_LOAD32_S, WF_I64, 2, 0}, {WF_OP_I64_LOAD32_U, WF_I64, 2, 0},
      {WF_OP_I32_STORE, WF_I32, 2, 1},    {WF_OP_I64_STORE, WF_I64, 3, 1},
      {WF_OP_F32_STORE, WF_F32, 2, 1},    {WF_OP_F64_STORE, WF_F64, 3, 1},
      {WF_OP_I32_STORE8, WF_I32, 0, 1},   {WF_OP_I32_STORE16, WF_I32, 1, 1},
      {WF_OP_I64_STORE8, WF_I64, 0, 1},   {WF_OP_I64_STORE16, WF_I64, 1, 1},
      {WF_OP_I64_STORE32, WF_I64, 2, 1},
  };
  struct memarg ma;
  if (!read_memarg_x(L, &ma))
    return false;
  u32 align = ma.align, offset = (u32)ma.offset;
  const typeof(acc[0]) *d = &acc[opcode - 0x28];
  if (align > d->align)
    return invalid(L, "alignment must not be larger than natural");
  if (!mem_fast(L, ma.mem)) { /* multi-memory, memory64 */
    struct entry v, addr;
    if (d->store && !pop_type(L, d->type, &v))
      return false;
    if (!pop_type(L, mem_addr_type(L, ma.mem), &addr))
      return false;
    u32 dst = d->store ? 0 : push_result(L, d->type);
    if (!live(L))
      return true;
    u32 zero = memx_open(L, &ma, addr.loc, 1u << d->align);
    emit_op(L, (enum wf_op)d->op);
    if (d->store) {
      put_slot(L, zero);
      put_slot(L, v.loc);
    } else {
      put_dst(L, dst);
      put_slot(L, zero);
    }
    put(L, 0);
    memx_close(L);
    return true;
  }
  if (d->store) {
    struct entry v, addr;
    if (!pop_type(L, d->type, &v) || !pop_type(L, WF_I32, &addr))
      return false;
    static const struct {
      u8 first, fused;
    } store_pairs[] = {{WF_OP_F64_ADD, WF_OP_F64_ADD_F64_STORE},
                       {WF_OP_F64_SUB, WF_OP_F64_SUB_F64_STORE},
                       {WF_OP_F64_MUL, WF_OP_F64_MUL_F64_STORE}};
    for (u32 i = 0; d->op == WF_OP_F64_STORE && i < WF_ARRAY_LEN(store_pairs);
         i++)
      if (fusable(L, store_pairs[i].first, v.loc)) {
        fuse_last(L, store_pairs[i].fused);
        put_slot(L, addr.loc);
        put(L, offset);
        L->last_dst_pos = NONE;
        return true;
      }
    if (live(L)) {
      emit_op(L, (enum wf_op)d->op);
      put_slot(L, addr.loc);
      put_slot(L, v.loc);
      put(L, offset);
    }
    return true;
  }
  struct entry addr;
  if (!pop_type(L, WF_I32, &addr))
    return false;
  u32 dst = push_result(L, d->type);
  u8 fused = d->op == WF_OP_I32_LOAD   ? WF_OP_I32_ADD_I32_LOAD
             : d->op == WF_OP_I64_LOAD ? WF_OP_I32_ADD_I64_LOAD
             : d->op == WF_OP_F32_LOAD ? WF_OP_I32_ADD_F32_LOAD
             : d->op == WF_OP_F64_LOAD ? WF_OP_I32_ADD_F64_LOAD
                                       : 0;
  if (fused && fusable(L, WF_OP_I32_ADD, addr.loc)) {
    fuse_last(L, (enum wf_op)fused);
    put_dst(L, dst);
    put(L, offset);
    return true;
  }
  if (live(L)) {
    emit_op(L, (enum wf_op)d->op);
    put_dst(L, dst);
    put_slot(L, addr.loc);
    put(L, offset);
  }
  return true;
}

/* Generic emitter: pop `nin` operands of the given types, push `out`. */
static bool simple(struct lower *L, enum wf_op op, u32 nin, const u8 *in,
                   u8 out, const u32 *imms, u32 nimm) {
  struct entry e[5];
  for (u32 i = nin; i-- > 0;)
    if (!pop_type(L, in[i], &e[i]))
      return false;
  u32 dst = out ? push_result(L, out) : 0;
  if (!live(L))
    return true;
  emit_op(L, op);
  if (out)
    put_dst(L, dst);
  for (u32 i = 0; i < nimm; i++)
    put(L, imms[i]);
  for (u32 i = 0; i < nin; i++)
    put_slot(L, e[i].loc);
  return true;
}

static u8 member_type(char c0, char c1) {
  /* "i32","u32" -> I32; "i64","u64" -> I64; "f32" -> F32; "f64" -> F64 */
  if (c0 == 'f' || c0 == 'b')
    return c1 == '3' ? WF_F32 : WF_F64;
  return c1 == '3' ? WF_I32 : WF_I64;
}

static bool lower_numeric(struct lower *L, u32 opcode, bool *handled) {
  *handled = true;
  switch (opcode) {
#define UN(name, opc, ta, tr, e)                                               \
  case opc: {                                                                  \
    u8 in = member_type(#ta[0], #ta[1]);                                       \
    return simple(L, WF_OP_##name, 1, &in, member_type(#tr[0], #tr[1]), NULL,  \
                  0);                                                          \
  }
#define BIN(name, opc, ta, tr, e)                                              \
  case opc: {                                                                  \
    u8 in[2] = {member_type(#ta[0], #ta[1]), member_type(#ta[0], #ta[1])};     \
    return simple(L, WF_OP_##name, 2, in, member_type(#tr[0], #tr[1]), NULL,   \
                  0);                                                          \
  }
#include "numeric.def"
#undef UN
#undef BIN
  }
  static const struct {
    u16 opc;
    u8 op, in, out;
  } trapping[] = {
      {0x6d, WF_OP_I32_DIV_S, WF_I32, WF_I32},
      {0x6e, WF_OP_I32_DIV_U, WF_I32, WF_I32},
      {0x6f, WF_OP_I32_REM_S, WF_I32, WF_I32},
      {0x70, WF_OP_I32_REM_U, WF_I32, WF_I32},
      {0x7f, WF_OP_I64_DIV_S, WF_I64, WF_I64},
      {0x80, WF_OP_I64_DIV_U, WF_I64, WF_I64},
      {0x81, WF_OP_I64_REM_S, WF_I64, WF_I64},
      {0x82, WF_OP_I64_REM_U, WF_I64, WF_I64},
      {0xa8, WF_OP_I32_TRUNC_F32_S, WF_F32, WF_I32},
      {0xa9, WF_OP_I32_TRUNC_F32_U, WF_F32, WF_I32},
      {0xaa, WF_OP_I32_TRUNC_F64_S, WF_F64, WF_I32},
      {0xab, WF_OP_I32_TRUNC_F64_U, WF_F64, WF_I32},
      {0xae, WF_OP_I64_TRUNC_F32_S, WF_F32, WF_I64},
      {0xaf, WF_OP_I64_TRUNC_F32_U, WF_F32, WF_I64},
      {0xb0, WF_OP_I64_TRUNC_F64_S, WF_F64, WF_I64},
      {0xb1, WF_OP_I64_TRUNC_F64_U, WF_F64, WF_I64},
  };
  for (u32 i = 0; i < WF_ARRAY_LEN(trapping); i++) {
    if (trapping[i].opc != opcode)
      continue;
    u8 in[2] = {trapping[i].in, trapping[i].in};
    bool binary = opcode < 0xa8;
    return simple(L, (enum wf_op)trapping[i].op, binary ? 2 : 1, in,
                  trapping[i].out, NULL, 0);
  }
  *handled = false;
  return true;
}

static bool lower_const(struct lower *L, u8 opcode) {
  u64 bits = 0;
  u8 type;
  switch (opcode) {
  case 0x41: {
    i32 v;
    if (!wf_read_s32(&L->r, &v))
      return reader_failed(L);
    bits = (u32)v;
    type = WF_I32;
    break;
  }
  case 0x42: {
    i64 v;
    if (!wf_read_s64(&L->r, &v))
      return reader_failed(L);
    bits = (u64)v;
    type = WF_I64;
    break;
  }
  case 0x43: {
    u32 v;
    if (!wf_read_fixed32(&L->r, &v))
      return reader_failed(L);
    bits = v;
    type = WF_F32;
    break;
  }
  default: {
    if (!wf_read_fixed64(&L->r, &bits))
      return reader_failed(L);
    type = WF_F64;
    break;
  }
  }
  /* Slots hold i32/f32 through the union's 32-bit member. */
  weft_slot s;
  memset(&s, 0, sizeof s);
  if (type == WF_I32 || type == WF_F32)
    s.u32 = (u32)bits;
  else
    s.u64 = bits;
  u32 loc = live(L) ? const_slot(L, &s) : stack_loc(L->height);
  return push(L, type, loc);
}

static bool lower_select(struct lower *L, u8 opcode) {
  u8 want = T_UNKNOWN;
  wf_vt want_full = 0; /* typed function references: select (result t) */
  if (opcode == 0x1c) {
    u32 n;
    u8 t;
    if (!read_u32(L, &n))
      return false;
    if (n != 1)
      return invalid(L, "invalid result arity");
    if (!read_u8(L, &t))
      return false;
    if ((t == 0x63 || t == 0x64) && !read_ref_heap(L, t, &t, &want_full))
      return false;
    bool ok = false;
    for (u32 i = 0; i < WF_ARRAY_LEN(single_types); i++)
      ok |= single_types[i] == t;
    if (!ok)
      return bad_type(L, t, "malformed value type");
    want = t;
  }
  struct entry c, b, a;
  wf_vt wv = want_full ? want_full : want;
  if (!pop_type(L, WF_I32, &c) || !pop_vt(L, wv, &b) || !pop_vt(L, wv, &a))
    return false;
  u8 t = a.type != T_UNKNOWN ? a.type : b.type;
  if (a.type != T_UNKNOWN && b.type != T_UNKNOWN && a.type != b.type)
    return invalid(L, "type mismatch");
  if (opcode == 0x1b && !is_num(t))
    return invalid(L, "type mismatch: select needs a type for references");
  u8 rt = opcode == 0x1c ? want : t;
  u32 dst = stack_loc(L->height);
  if (!push_vt(L, opcode == 0x1c ? wv : rt, dst))
    return false;
  if (live(L)) {
    emit_op(L, rt == WF_I32    ? WF_OP_SELECT_I32
               : rt == WF_I64  ? WF_OP_SELECT_I64
               : rt == WF_F32  ? WF_OP_SELECT_F32
               : rt == WF_F64  ? WF_OP_SELECT_F64
               : rt == WF_V128 ? WF_OP_SELECT_V128
                               : WF_OP_SELECT_REF);
    put_dst(L, dst);
    put_slot(L, a.loc);
    put_slot(L, b.loc);
    put_slot(L, c.loc);
  }
  return true;
}

static bool check_table(struct lower *L, u32 t) {
  return t < wf_module_table_count(L->m) || invalid(L, "unknown table");
}
static bool check_elem(struct lower *L, u32 e) {
  return e < L->m->nelems || invalid(L, "unknown elem segment");
}
static bool check_data(struct lower *L, u32 d) {
  if (!L->m->has_datacount)
    return malformed(L, "data count section required");
  return d < L->m->datacount || invalid(L, "unknown data segment");
}

static bool lower_prefixed(struct lower *L) {
  u32 sub;
  if (!read_u32(L, &sub))
    return false;
  bool handled;
  if (sub <= 7) {
    bool ok = lower_numeric(L, 0xfc00 | sub, &handled);
    return ok;
  }
  static const u8 i32x3[3] = {WF_I32, WF_I32, WF_I32};
  u32 imm[2];
  switch (sub) {
  case 8: /* memory.init */
    if (!read_u32(L, &imm[0]) || !read_memidx(L, &imm[1]) ||
        !check_data(L, imm[0]))
      return false;
    if (!mem_fast(L, imm[1])) {
      u8 in[3] = {mem_addr_type(L, imm[1]), WF_I32, WF_I32};
      return simple(L, WF_OP_MEMX_INIT, 3, in, 0, imm, 2);
    }
    return simple(L, WF_OP_MEMORY_INIT, 3, i32x3, 0, imm, 1);
  case 9: /* data.drop */
    if (!read_u32(L, &imm[0]) || !check_data(L, imm[0]))
      return false;
    return simple(L, WF_OP_DATA_DROP, 0, NULL, 0, imm, 1);
  case 10: /* memory.copy dst src */
    if (!read_memidx(L, &imm[0]) || !read_memidx(L, &imm[1]))
      return false;
    if (!mem_fast(L, imm[0]) || !mem_fast(L, imm[1])) {
      u8 dt = mem_addr_type(L, imm[0]), st = mem_addr_type(L, imm[1]);
      u8 in[3] = {dt, st, dt == WF_I64 && st == WF_I64 ? WF_I64 : WF_I32};
      return simple(L, WF_OP_MEMX_COPY, 3, in, 0, imm, 2);
    }
    return simple(L, WF_OP_MEMORY_COPY, 3, i32x3, 0, NULL, 0);
  case 11: /* memory.fill */
    if (!read_memidx(L, &imm[0]))
      return false;
    if (!mem_fast(L, imm[0])) {
      u8 at = mem_addr_type(L, imm[0]);
      u8 in[3] = {at, WF_I32, at};
      return simple(L, WF_OP_MEMX_FILL, 3, in, 0, imm, 1);
    }
    return simple(L, WF_OP_MEMORY_FILL, 3, i32x3, 0, NULL, 0);
  case 12: { /* table.init elem table */
    if (!read_u32(L, &imm[1]) || !read_u32(L, &imm[0]) ||
        !check_table(L, imm[0]) || !check_elem(L, imm[1]))
      return false;
    if (wf_module_table_type(L->m, imm[0]).elemtype !=
        L->m->elems[imm[1]].reftype)
      return invalid(L, "type mismatch");
    return simple_x(L, WF_OP_TABLE_INIT, 3, i32x3, 0, imm, 2,
                    table_is64(L, imm[0]), 0);
  }
  case 13: /* elem.drop */
    if (!read_u32(L, &imm[0]) || !check_elem(L, imm[0]))
      return false;
    return simple(L, WF_OP_ELEM_DROP, 0, NULL, 0, imm, 1);
  case 14: { /* table.copy dst src */
    if (!read_u32(L, &imm[0]) || !read_u32(L, &imm[1]) ||
        !check_table(L, imm[0]) || !check_table(L, imm[1]))
      return false;
    if (wf_module_table_type(L->m, imm[0]).elemtype !=
        wf_module_table_type(L->m, imm[1]).elemtype)
      return invalid(L, "type mismatch");
    bool d64 = table_is64(L, imm[0]), s64 = table_is64(L, imm[1]);
    return simple_x(L, WF_OP_TABLE_COPY, 3, i32x3, 0, imm, 2,
                    (u32)d64 | (u32)s64 << 1 | (u32)(d64 && s64) << 2, 0);
  }
  case 15: { /* table.grow: init n -> old */
    if (!read_u32(L, &imm[0]) || !check_table(L, imm[0]))
      return false;
    u8 in[2] = {wf_module_table_type(L->m, imm[0]).elemtype, WF_I32};
    bool t64 = table_is64(L, imm[0]);
    return simple_x(L, WF_OP_TABLE_GROW, 2, in, WF_I32, imm, 1, t64 ? 2 : 0,
                    t64 ? WF_OP_I64_EXTEND_I32_S : (enum wf_op)0);
  }
  case 16: /* table.size */
    if (!read_u32(L, &imm[0]) || !check_table(L, imm[0]))
      return false;
    return simple_x(L, WF_OP_TABLE_SIZE, 0, NULL, WF_I32, imm, 1, 0,
                    table_is64(L, imm[0]) ? WF_OP_I64_EXTEND_I32_U
                                          : (enum wf_op)0);
  case 17: { /* table.fill: i v n */
    if (!read_u32(L, &imm[0]) || !check_table(L, imm[0]))
      return false;
    u8 in[3] = {WF_I32, wf_module_table_type(L->m, imm[0]).elemtype, WF_I32};
    return simple_x(L, WF_OP_TABLE_FILL, 3, in, 0, imm, 1,
                    table_is64(L, imm[0]) ? 5 : 0, 0);
  }
  default: return malformed(L, "illegal opcode");
  }
}

static bool lower_ref(struct lower *L, u8 opcode) {
  if (opcode == 0xd0) { /* ref.null t */
    u8 t;
    wf_vt full;
    if (!read_ref_heap(L, 0x63, &t, &full))
      return false;
    static const weft_slot null_ref; /* all zero: ref == NULL */
    u32 loc = live(L) ? const_slot(L, &null_ref) : stack_loc(L->height);
    return push_vt(L, full, loc);
  }
  if (opcode == 0xd1) { /* ref.is_null */
    struct entry v;
    if (!pop_any(L, &v))
      return false;
    if (!is_ref(v.type))
      return invalid(L, "type mismatch");
    u32 dst = push_result(L, WF_I32);
    if (live(L)) {
      emit_op(L, WF_OP_REF_IS_NULL);
      put_dst(L, dst);
      put_slot(L, v.loc);
    }
    return true;
  }
  u32 f; /* ref.func */
  if (!read_u32(L, &f))
    return false;
  if (f >= wf_module_func_count(L->m))
    return invalid(L, "unknown function");
  if (!L->m->func_declared || !L->m->func_declared[f])
    return invalid(L, "undeclared function reference");
  u32 dst = stack_loc(L->height);
  if (!push_vt(
          L, WF_VT_MAKE(WF_FUNCREF, true, wf_module_func_typeidx(L->m, f) + 1),
          dst))
    return false;
  if (live(L)) {
    emit_op(L, WF_OP_REF_FUNC);
    put_dst(L, dst);
    put(L, f);
  }
  return true;
}

static bool lower_table_access(struct lower *L, u8 opcode) {
  u32 t;
  if (!read_u32(L, &t) || !check_table(L, t))
    return false;
  struct wf_tabletype tt = wf_module_table_type(L->m, t);
  u8 et = tt.elemtype;
  u32 narrow = table_is64(L, t); /* bit 0: a table64 index */
  if (opcode == 0x25) {
    /* table.get: the element type in full */
    u8 in = WF_I32;
    if (!simple_x(L, WF_OP_TABLE_GET, 1, &in, et, &t, 1, narrow, 0))
      return false;
    L->stack[L->height - 1].full = tt.full;
    return true;
  }
  /* table.set: the value must be of the element type in full */
  if (L->height > L->ctrls[L->nctrls - 1].height &&
      !vt_sub(L, entry_vt(&L->stack[L->height - 1]), WF_VT(et, tt.full)))
    return invalid(L, "type mismatch");
  u8 in[2] = {WF_I32, et};
  return simple_x(L, WF_OP_TABLE_SET, 2, in, 0, &t, 1, narrow, 0);
}

static bool lower_memory_size_grow(struct lower *L, u8 opcode) {
  u32 mem;
  if (!read_memidx(L, &mem))
    return false;
  if (!mem_fast(L, mem)) { /* multi-memory, memory64 */
    u8 at = mem_addr_type(L, mem);
    if (opcode == 0x3f)
      return simple(L, WF_OP_MEMX_SIZE, 0, NULL, at, &mem, 1);
    return simple(L, WF_OP_MEMX_GROW, 1, &at, at, &mem, 1);
  }
  if (opcode == 0x3f)
    return simple(L, WF_OP_MEMORY_SIZE, 0, NULL, WF_I32, NULL, 0);
  u8 in = WF_I32;
  return simple(L, WF_OP_MEMORY_GROW, 1, &in, WF_I32, NULL, 0);
}

/* ---- SIMD (0xFD prefix, simd.def) ------------------------------------- */
#if WEFT_ENABLE_SIMD

/* The scalar operand type of a splat/extract/replace, from its name. */
static u8 simd_scalar_type(const char *name) {
  if (name[0] == 'F')
    return name[1] == '3' ? WF_F32 : WF_F64;
  return name[1] == '6' ? WF_I64 : WF_I32;
}

static u32 log2_bytes(u32 bytes) {
  u32 n = 0;
  while ((1u << n) < bytes)
    n++;
  return n;
}

static bool read_memarg(struct lower *L, u32 bytes, struct memarg *ma) {
  if (!read_memarg_x(L, ma))
    return false;
  return ma->align <= log2_bytes(bytes) ||
         invalid(L, "alignment must not be larger than natural");
}

static bool read_lane(struct lower *L, u32 lanes, u32 *lane) {
  u8 b;
  if (!read_u8(L, &b))
    return false;
  *lane = b;
  return b < lanes || invalid(L, "invalid lane index");
}

/* Loads "dsi" (dst addr offset) and v128.store "ssi" (addr value offset). */
static bool lower_simd_mem(struct lower *L, enum wf_op op, u32 bytes,
                           bool store) {
  struct memarg ma;
  struct entry v, addr;
  if (!read_memarg(L, bytes, &ma))
    return false;
  if (store && !pop_type(L, WF_V128, &v))
    return false;
  if (!pop_type(L, mem_addr_type(L, ma.mem), &addr))
    return false;
  u32 dst = store ? 0 : push_result(L, WF_V128);
  if (!live(L))
    return true;
  bool x = !mem_fast(L, ma.mem);
  u32 offset = x ? 0 : (u32)ma.offset;
  if (x) /* multi-memory, memory64 */
    addr.loc = memx_open(L, &ma, addr.loc, bytes);
  emit_op(L, op);
  if (store) {
    put_slot(L, addr.loc);
    put_slot(L, v.loc);
  } else {
    put_dst(L, dst);
    put_slot(L, addr.loc);
  }
  put(L, offset);
  if (x)
    memx_close(L);
  return true;
}

/* load_lane "dssii" (dst addr vec offset lane); store_lane "ssii". */
static bool lower_simd_lane_mem(struct lower *L, enum wf_op op, u32 bytes,
                                u32 lanes, bool store) {
  u32 lane;
  struct memarg ma;
  struct entry v, addr;
  if (!read_memarg(L, bytes, &ma) || !read_lane(L, lanes, &lane) ||
      !pop_type(L, WF_V128, &v) ||
      !pop_type(L, mem_addr_type(L, ma.mem), &addr))
    return false;
  u32 dst = store ? 0 : push_result(L, WF_V128);
  if (!live(L))
    return true;
  bool x = !mem_fast(L, ma.mem);
  u32 offset = x ? 0 : (u32)ma.offset;
  if (x) /* multi-memory, memory64 */
    addr.loc = memx_open(L, &ma, addr.loc, bytes);
  emit_op(L, op);
  if (!store)
    put_dst(L, dst);
  put_slot(L, addr.loc);
  put_slot(L, v.loc);
  put(L, offset);
  put(L, lane);
  if (x)
    memx_close(L);
  return true;
}

/* extract "dsi" (dst vec lane); replace "dssi" (dst vec scalar lane). */
static bool lower_simd_lane(struct lower *L, enum wf_op op, u8 scalar,
                            u32 lanes, bool replace) {
  u32 lane;
  struct entry v, x;
  if (!read_lane(L, lanes, &lane))
    return false;
  if (replace && !pop_type(L, scalar, &x))
    return false;
  if (!pop_type(L, WF_V128, &v))
    return false;
  u32 dst = push_result(L, replace ? WF_V128 : scalar);
  if (!live(L))
    return true;
  emit_op(L, op);
  put_dst(L, dst);
  put_slot(L, v.loc);
  if (replace)
    put_slot(L, x.loc);
  put(L, lane);
  return true;
}

/* i8x16.shuffle "dssiiii": dst a b, then the 16 lane bytes in 4 units. */
static bool lower_shuffle(struct lower *L, enum wf_op op) {
  const u8 *lanes;
  struct entry a, b;
  if (!wf_read_bytes(&L->r, 16, &lanes))
    return reader_failed(L);
  for (u32 i = 0; i < 16; i++)
    if (lanes[i] >= 32)
      return invalid(L, "invalid lane index");
  if (!pop_type(L, WF_V128, &b) || !pop_type(L, WF_V128, &a))
    return false;
  u32 dst = push_result(L, WF_V128);
  if (!live(L))
    return true;
  emit_op(L, op);
  put_dst(L, dst);
  put_slot(L, a.loc);
  put_slot(L, b.loc);
  for (u32 i = 0; i < 16; i += 4)
    put(L, (u32)lanes[i] | (u32)lanes[i + 1] << 8 | (u32)lanes[i + 2] << 16 |
               (u32)lanes[i + 3] << 24);
  return true;
}

/* v128.const: a constant slot, like the scalar constants. */
static bool lower_v128_const(struct lower *L) {
  const u8 *bytes;
  if (!wf_read_bytes(&L->r, 16, &bytes))
    return reader_failed(L);
  weft_slot s;
  memset(&s, 0, sizeof s);
  memcpy(s.v128, bytes, 16);
  u32 loc = live(L) ? const_slot(L, &s) : stack_loc(L->height);
  return push(L, WF_V128, loc);
}

static bool lower_simd(struct lower *L) {
  static const u8 v1[] = {WF_V128}, v2[] = {WF_V128, WF_V128},
                  v3[] = {WF_V128, WF_V128, WF_V128},
                  vshift[] = {WF_V128, WF_I32};
  u32 sub;
  if (!read_u32(L, &sub))
    return false;
  switch (sub) {
    /* clang-format off */
#define SIMD_LOAD(name, opc, bytes, fn)                                        \
  case opc: return lower_simd_mem(L, WF_OP_##name, bytes, false);
#define SIMD_STORE(name, opc, bytes, fn)                                       \
  case opc: return lower_simd_mem(L, WF_OP_##name, bytes, true);
#define SIMD_LOAD_LANE(name, opc, bytes, lanes, fn)                            \
  case opc: return lower_simd_lane_mem(L, WF_OP_##name, bytes, lanes, false);
#define SIMD_STORE_LANE(name, opc, bytes, lanes, fn)                           \
  case opc: return lower_simd_lane_mem(L, WF_OP_##name, bytes, lanes, true);
#define SIMD_CONST(name, opc)                                                  \
  case opc: return lower_v128_const(L);
#define SIMD_SHUFFLE(name, opc, fn)                                            \
  case opc: return lower_shuffle(L, WF_OP_##name);
#define SIMD_SPLAT(name, opc, member, fn)                                      \
  case opc: {                                                                  \
    u8 in = simd_scalar_type(#name);                                           \
    return simple(L, WF_OP_##name, 1, &in, WF_V128, NULL, 0);                  \
  }
#define SIMD_EXTRACT(name, opc, member, lanes, fn)                             \
  case opc:                                                                    \
    return lower_simd_lane(L, WF_OP_##name, simd_scalar_type(#name), lanes,    \
                           false);
#define SIMD_REPLACE(name, opc, member, lanes, fn)                             \
  case opc:                                                                    \
    return lower_simd_lane(L, WF_OP_##name, simd_scalar_type(#name), lanes,    \
                           true);
#define SIMD_UN(name, opc, fn)                                                 \
  case opc: return simple(L, WF_OP_##name, 1, v1, WF_V128, NULL, 0);
#define SIMD_BIN(name, opc, fn)                                                \
  case opc: return simple(L, WF_OP_##name, 2, v2, WF_V128, NULL, 0);
#define SIMD_TERN(name, opc, fn)                                               \
  case opc: return simple(L, WF_OP_##name, 3, v3, WF_V128, NULL, 0);
#define SIMD_TEST(name, opc, fn)                                               \
  case opc: return simple(L, WF_OP_##name, 1, v1, WF_I32, NULL, 0);
#define SIMD_SHIFT(name, opc, fn)                                              \
  case opc: return simple(L, WF_OP_##name, 2, vshift, WF_V128, NULL, 0);
#include "simd.def"
#include "simd_undef.h"
    /* clang-format on */
  default: return malformed(L, "illegal opcode");
  }
}

#else
static bool lower_simd(struct lower *L) {
  return fail(L, WEFT_ERR_UNSUPPORTED,
              "SIMD instructions are not in this build (WEFT_ENABLE_SIMD=0)");
}
#endif /* WEFT_ENABLE_SIMD */

/* ---- the body --------------------------------------------------------- */

static bool lower_instr(struct lower *L, u8 op) {
  switch (op) {
  case 0x00: /* unreachable */
    if (live(L))
      emit_op(L, WF_OP_UNREACHABLE);
    set_unreachable(L);
    return true;
  case 0x01: return true; /* nop */
  case 0x02: return lower_block(L, CTRL_BLOCK);
  case 0x03: return lower_block(L, CTRL_LOOP);
  case 0x04: return lower_block(L, CTRL_IF);
  case 0x05: return lower_else(L);
  case 0x0b: return lower_end(L);
  case 0x0c: return lower_br(L);
  case 0x0d: return lower_br_if(L);
  case 0x0e: return lower_br_table(L);
  case 0x0f: { /* return */
    struct ctrl *f = &L->ctrls[0];
    if (!check_top(L, f->nresults, f->results, results_full(f)))
      return false;
    emit_return(L);
    set_unreachable(L);
    return true;
  }
  case 0x10: return lower_call(L);
  case 0x11: return lower_call_indirect(L);
  case 0x12: return lower_return_call(L);
  case 0x13: return lower_return_call_indirect(L);
  case 0x08: return lower_throw(L);
  case 0x0a: return lower_throw_ref(L);
  case 0x1f: return lower_block(L, CTRL_TRY_TABLE);
  case 0x06: return lower_block(L, CTRL_TRY); /* legacy */
  case 0x07:
  case 0x19: return lower_catch(L, op == 0x19);
  case 0x18: return lower_delegate(L);
  case 0x09: return lower_rethrow(L);
  case 0x14: return lower_call_ref(L, false);
  case 0x15: return lower_call_ref(L, true);
  case 0xd4: return lower_ref_as_non_null(L);
  case 0xd5: return lower_br_on_null(L, false);
  case 0xd6: return lower_br_on_null(L, true);
  case 0x1a: { /* drop */ struct entry v; return pop_any(L, &v);
  }
  case 0x1b:
  case 0x1c: return lower_select(L, op);
  case 0x20:
  case 0x21:
  case 0x22: return lower_local(L, op);
  case 0x23:
  case 0x24: return lower_global(L, op);
  case 0x25:
  case 0x26: return lower_table_access(L, op);
  case 0x3f:
  case 0x40: return lower_memory_size_grow(L, op);
  case 0x41:
  case 0x42:
  case 0x43:
  case 0x44: return lower_const(L, op);
  case 0xd0:
  case 0xd1:
  case 0xd2: return lower_ref(L, op);
  case 0xfc: return lower_prefixed(L);
  case 0xfd: return lower_simd(L);
  default: break;
  }
  if (op >= 0x28 && op <= 0x3e)
    return lower_memory_access(L, op);
  bool handled;
  bool ok = lower_numeric(L, op, &handled);
  if (!handled && wf_opcode_feature(op))
    return fail(L, WEFT_ERR_UNSUPPORTED, wf_opcode_feature(op));
  if (!handled)
    return malformed(L, "illegal opcode");
  return ok;
}

static bool setup_locals(struct lower *L, const struct wf_func_decl *fd) {
  const struct wf_functype *t = L->type;
  u64 total = (u64)t->nparams + fd->nlocals;
  if (total > LOC_MASK / 2)
    return fail(L, WEFT_ERR_LIMIT, "too many locals");
  L->nlocals = (u32)total;
  L->local_types = wf_alloc_raw(L->a, L->nlocals ? L->nlocals : 1);
  if (!L->local_types)
    return nomem(L);
  memcpy(L->local_types, t->types, t->nparams);
  u32 at = t->nparams;
  for (u32 g = 0; g < fd->ngroups; g++) {
    u8 ty = fd->groups[g].type;
    memset(L->local_types + at, ty, fd->groups[g].count);
    at += fd->groups[g].count;
  }
  /* typed function references: each local in full; non-null ones that are
  ** not parameters start unset */
  L->local_full =
      wf_alloc_array(L->a, L->nlocals ? L->nlocals : 1, sizeof(wf_vt));
  L->local_unset = wf_alloc_zero(L->a, L->nlocals ? L->nlocals : 1);
  if (!L->local_full || !L->local_unset)
    return nomem(L);
  for (u32 i = 0; i < t->nparams; i++)
    L->local_full[i] = vt_at(t->types, t->full, i);
  at = t->nparams;
  for (u32 g = 0; g < fd->ngroups; g++)
    for (u32 k = 0; k < fd->groups[g].count; k++, at++) {
      L->local_full[at] = WF_VT(fd->groups[g].type, fd->groups[g].full);
      L->local_unset[at] = (L->local_full[at] & WF_VT_NONNULL) != 0;
    }
  return true;
}

static void release(struct lower *L) {
  wf_alloc_free(L->a, L->local_types, L->nlocals ? L->nlocals : 1);
  if (L->local_full)
    wf_alloc_free(L->a, L->local_full,
                  (size_t)(L->nlocals ? L->nlocals : 1) * sizeof(wf_vt));
  if (L->local_unset)
    wf_alloc_free(L->a, L->local_unset, L->nlocals ? L->nlocals : 1);
  wf_alloc_free(L->a, L->inits, (size_t)L->inits_cap * sizeof(u32));
  wf_alloc_free(L->a, L->code, (size_t)L->code_cap * sizeof(u32));
  wf_alloc_free(L->a, L->relocs, (size_t)L->relocs_cap * sizeof(u32));
  wf_alloc_free(L->a, L->consts, (size_t)L->consts_cap * sizeof(weft_slot));
  wf_alloc_free(L->a, L->pcmap, (size_t)L->pcmap_cap * sizeof(u32));
  wf_alloc_free(L->a, L->stack, (size_t)L->stack_cap * sizeof(struct entry));
  wf_alloc_free(L->a, L->ctrls, (size_t)L->ctrls_cap * sizeof(struct ctrl));
  wf_alloc_free(L->a, L->clauses,
                (size_t)L->clauses_cap * sizeof(struct clause));
  wf_alloc_free(L->a, L->handlers,
                (size_t)L->handlers_cap * sizeof(struct wf_handler));
}

/* Fix slot operands now that the frame layout is known. */
static bool finish(struct lower *L, struct wf_code **out) {
  struct wf_code *c = wf_alloc_zero(L->a, sizeof *c);
  if (!c)
    return nomem(L);
  u32 nlocal_slots =
      L->nlocals > L->type->nresults ? L->nlocals : L->type->nresults;
  u32 stack_base = nlocal_slots + L->nconsts;
  u32 hidden_base = stack_base + L->max_height + 1;
  for (u32 i = 0; i < L->nrelocs; i++) {
    u32 *p = &L->code[L->relocs[i]];
    if ((*p & LOC_HIDDEN) == LOC_HIDDEN)
      *p = hidden_base + (*p & LOC_MASK);
    else if (*p & LOC_STACK)
      *p = stack_base + (*p & LOC_MASK);
    else
      *p = nlocal_slots + (*p & LOC_MASK);
  }
  for (u32 i = 0; i < L->nhandlers; i++) {
    struct wf_handler *h = &L->handlers[i];
    h->dst = stack_base + (h->dst & LOC_MASK);
    if (h->exn != NONE)
      h->exn = (h->exn & LOC_HIDDEN) == LOC_HIDDEN
                   ? hidden_base + (h->exn & LOC_MASK)
                   : stack_base + (h->exn & LOC_MASK);
  }
  /* Sizes first: wf_code_free needs them to free a partial result. */
  c->nops = L->ncode;
  c->nhandlers = L->nhandlers;
  if (L->nhandlers) {
    c->handlers = wf_alloc_array(L->a, L->nhandlers, sizeof(struct wf_handler));
    if (!c->handlers) {
      wf_code_free(L->a, c);
      return nomem(L);
    }
    memcpy(c->handlers, L->handlers,
           (size_t)L->nhandlers * sizeof(struct wf_handler));
  }
  c->nconsts = L->nconsts;
  c->npcmap = L->npcmap / 2;
  c->ops = wf_alloc_array(L->a, L->ncode ? L->ncode : 1, sizeof(u32));
  c->consts =
      wf_alloc_array(L->a, L->nconsts ? L->nconsts : 1, sizeof(weft_slot));
  c->pcmap = wf_alloc_array(L->a, L->npcmap ? L->npcmap : 1, sizeof(u32));
  if (!c->ops || !c->consts || !c->pcmap) {
    wf_code_free(L->a, c);
    return nomem(L);
  }
  if (L->ncode)
    memcpy(c->ops, L->code, (size_t)L->ncode * sizeof(u32));
  if (L->nconsts)
    memcpy(c->consts, L->consts, (size_t)L->nconsts * sizeof(weft_slot));
  if (L->npcmap)
    memcpy(c->pcmap, L->pcmap, (size_t)L->npcmap * sizeof(u32));
  c->funcidx = L->funcidx;
  c->nparams = L->type->nparams;
  c->nresults = L->type->nresults;
  c->nlocals = L->nlocals;
  c->nlocal_slots = nlocal_slots;
  c->frame_slots = hidden_base + L->nhidden;
  c->nhidden = L->nhidden;
  *out = c;
  return true;
}

static weft_status lower_body(struct wf_alloc *a, const struct wf_module *m,
                              u32 defidx, const u32 *dispatch, bool fuel,
                              struct wf_probe *probe, struct wf_code **out,
                              weft_error *err) {
  struct lower L;
  memset(&L, 0, sizeof L);
  L.probe = probe;
  const struct wf_func_decl *fd = &m->funcs[defidx];
  L.a = a;
  L.m = m;
  L.err = err;
  L.dispatch = dispatch;
  L.funcidx = m->nfunc_imports + defidx;
  L.type = &m->types[fd->typeidx];
  L.last_op_pos = L.last_dst_pos = NONE;
  L.fuel = fuel;
  L.fuel_field = NONE;
  L.op_offset = fd->code.offset;
  wf_reader_init(&L.r, m->bytes, fd->code.ptr, fd->code.ptr + fd->code.len);
  *out = NULL;
  if (setup_locals(&L, fd) &&
      push_ctrl(&L, CTRL_FUNC, 0, NULL, L.type->nresults,
                L.type->types + L.type->nparams)) {
    L.ctrls[0].ft = L.type; /* the results in full (typed references) */
    mark_label(&L);         /* the entry block */
    probe_after_instr(&L);
    while (L.nctrls > 0 && L.status == WEFT_OK) {
      u8 op;
      L.op_offset = wf_reader_offset(&L.r);
      if (!read_u8(&L, &op))
        break;
      L.fuel_cost++;
      if (!lower_instr(&L, op))
        break;
      probe_after_instr(&L);
    }
    fuel_close(&L);
    if (L.status == WEFT_OK && L.nctrls > 0)
      reader_failed(&L);
    if (L.status == WEFT_OK && wf_reader_left(&L.r) != 0)
      malformed(&L, "section size mismatch: bytes after the final end");
    if (L.status == WEFT_OK)
      finish(&L, out);
  }
  release(&L);
  return L.status;
}

weft_status wf_lower_func(struct wf_alloc *a, const struct wf_module *m,
                          u32 defidx, const u32 *dispatch, bool fuel,
                          struct wf_code **out, weft_error *err) {
  return lower_body(a, m, defidx, dispatch, fuel, NULL, out, err);
}

/* The body is lowered again in full (so the probe sees what wf_lower_func
** built, with op numbers for dispatch: positions do not depend on it) and
** the result dropped. */
weft_status wf_lower_probe(struct wf_alloc *a, const struct wf_module *m,
                           u32 defidx, struct wf_probe *probe,
                           weft_error *err) {
  struct wf_code *code = NULL;
  probe->found = false;
  probe->heights = NULL;
  probe->types = NULL;
  weft_status s = lower_body(a, m, defidx, NULL, true, probe, &code, err);
  wf_code_free(a, code);
  if (s != WEFT_OK)
    wf_probe_free(a, probe);
  return s;
}

void wf_code_free(struct wf_alloc *a, struct wf_code *code) {
  if (!code)
    return;
  wf_alloc_free(a, code->ops,
                (size_t)(code->nops ? code->nops : 1) * sizeof(u32));
  wf_alloc_free(a, code->consts,
                (size_t)(code->nconsts ? code->nconsts : 1) *
                    sizeof(weft_slot));
  wf_alloc_free(a, code->pcmap,
                (size_t)(code->npcmap ? code->npcmap * 2 : 1) * sizeof(u32));
  if (code->handlers)
    wf_alloc_free(a, code->handlers,
                  (size_t)code->nhandlers * sizeof(struct wf_handler));
  wf_alloc_free(a, code, sizeof *code);
}

u64 wf_code_bytes(const struct wf_code *code) {
  return sizeof *code + (u64)code->nops * sizeof(u32) +
         (u64)code->nconsts * sizeof(weft_slot) +
         (u64)code->npcmap * 2 * sizeof(u32);
}

u32 wf_code_wasm_offset(const struct wf_code *code, u32 pc) {
  u32 lo = 0, hi = code->npcmap; /* last pair with code index <= pc */
  while (hi - lo > 1) {
    u32 mid = lo + (hi - lo) / 2;
    if (code->pcmap[2 * mid] <= pc)
      lo = mid;
    else
      hi = mid;
  }
  return code->npcmap ? code->pcmap[2 * lo + 1] : 0;
}
