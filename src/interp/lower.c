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
#define NONE UINT32_MAX
#define T_UNKNOWN 0 /* bottom type of an unreachable stack */

enum ctrl_kind { CTRL_FUNC, CTRL_BLOCK, CTRL_LOOP, CTRL_IF, CTRL_ELSE };

struct entry {
  u8 type;
  u32 loc;
};

struct ctrl {
  u8 kind;
  bool unreachable; /* rest of this block is dead (stack polymorphic) */
  bool dead_start;  /* the whole construct is dead code: emit nothing */
  u32 height;       /* operand height below the params */
  u32 nparams, nresults;
  const u8 *params, *results;
  u32 loop_pc;    /* loop: code index of the start */
  u32 patches;    /* linked list of offset fields to patch at end */
  u32 else_field; /* if: branch to patch to the else arm */
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

static const u8 single_types[] = {WF_I32,  WF_I64,     WF_F32,      WF_F64,
                                  WF_V128, WF_FUNCREF, WF_EXTERNREF};

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

/* Numeric or vector: what an untyped select accepts. */
static bool is_num(u8 t) {
  return t == WF_I32 || t == WF_I64 || t == WF_F32 || t == WF_F64 ||
         t == WF_V128 || t == T_UNKNOWN;
}
static bool is_ref(u8 t) {
  return t == WF_FUNCREF || t == WF_EXTERNREF || t == T_UNKNOWN;
}

static bool pop_any(struct lower *L, struct entry *out) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  if (L->height == c->height) {
    if (c->unreachable) {
      out->type = T_UNKNOWN;
      out->loc = stack_loc(L->height);
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
static bool check_top(struct lower *L, u32 n, const u8 *types) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  for (u32 i = 0; i < n; i++) {
    u32 depth = n - 1 - i; /* from the top */
    if (L->height - c->height <= depth) {
      if (c->unreachable)
        continue;
      return invalid(L, "type mismatch");
    }
    u8 t = L->stack[L->height - 1 - depth].type;
    if (t != types[i] && t != T_UNKNOWN)
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
static bool read_zero(struct lower *L) {
  u8 b;
  if (!read_u8(L, &b))
    return false;
  return b == 0 || malformed(L, "zero byte expected");
}

static bool read_blocktype(struct lower *L, u32 *np, const u8 **p, u32 *nr,
                           const u8 **r) {
  i64 bt;
  if (!wf_read_s33(&L->r, &bt))
    return reader_failed(L);
  *np = 0;
  *p = NULL;
  if (bt == -64) {
    *nr = 0;
    *r = NULL;
    return true;
  }
  if (bt < 0) {
    u8 t = (u8)(bt & 0x7f);
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
  *np = t->nparams;
  *p = t->types;
  *nr = t->nresults;
  *r = t->types + t->nparams;
  return true;
}

/* ---- instruction groups ----------------------------------------------- */

static bool lower_block(struct lower *L, u8 kind) {
  u32 np = 0, nr = 0;
  const u8 *p = NULL, *r = NULL;
  if (!read_blocktype(L, &np, &p, &nr, &r))
    return false;
  struct entry cond = {WF_I32, 0};
  if (kind == CTRL_IF && !pop_type(L, WF_I32, &cond))
    return false;
  if (!check_top(L, np, p))
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
  for (u32 i = 0; i < np; i++)
    L->stack[L->height - np + i].type = p[i];
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
  if (!push_ctrl(L, kind, np, p, nr, r))
    return false;
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
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
  if (!check_top(L, c->nresults, c->results))
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
    push(L, c->params[i], stack_loc(c->height + i));
  return true;
}

static bool lower_end(struct lower *L) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  if (c->kind == CTRL_IF && c->nparams != c->nresults)
    return invalid(L, "type mismatch: if without else");
  if (c->kind == CTRL_IF)
    for (u32 i = 0; i < c->nparams; i++)
      if (c->params[i] != c->results[i])
        return invalid(L, "type mismatch: if without else");
  if (c->kind == CTRL_FUNC) {
    if (!check_top(L, c->nresults, c->results))
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
        L->stack[i].loc = stack_loc(i), L->stack[i].type = c->results[i];
      c->unreachable = false;
      c->dead_start = false;
      emit_return(L);
    }
    L->nctrls--;
    return true;
  }
  if (!close_arm(L, c))
    return false;
  if (c->else_field != NONE)
    L->code[c->else_field] = (u32)((i32)L->ncode - (i32)c->else_field);
  if (c->kind != CTRL_LOOP)
    patch_list(L, c->patches, L->ncode);
  u32 base = c->height, nr = c->nresults;
  const u8 *res = c->results;
  L->nctrls--;
  mark_label(L); /* after the pop: the code after `end` is the outer's */
  L->height = base;
  for (u32 i = 0; i < nr; i++)
    push(L, res[i], stack_loc(base + i));
  return true;
}

static bool lower_br(struct lower *L) {
  u32 depth;
  if (!read_u32(L, &depth))
    return false;
  struct ctrl *c = label(L, depth);
  if (!c || !check_top(L, label_arity(c), label_types(c)))
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
  if (!c || !check_top(L, label_arity(c), label_types(c)))
    return false;
  u32 n = label_arity(c);
  if (L->height - L->ctrls[L->nctrls - 1].height < n) {
    /* Polymorphic stack: br_if's result types come from the label. */
    u32 have = L->height - L->ctrls[L->nctrls - 1].height;
    const u8 *t = label_types(c);
    L->height -= have;
    for (u32 i = 0; i < n; i++)
      push(L, t[i], stack_loc(L->height));
  } else {
    const u8 *t = label_types(c);
    for (u32 i = 0; i < n; i++)
      if (L->stack[L->height - n + i].type == T_UNKNOWN)
        L->stack[L->height - n + i].type = t[i];
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
    ok = ok && check_top(L, label_arity(c), label_types(c));
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
  if (!check_top(L, t->nparams, t->types))
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
    if (!push(L, t->types[t->nparams + i], stack_loc(L->height)))
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
  if (!pop_type(L, WF_I32, &idx) || !call_args(L, t, &base))
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
  if (t->nresults != self->nresults ||
      memcmp(t->types + t->nparams, self->types + self->nparams, t->nresults) !=
          0)
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
  if (!tail_results_match(L, t) || !pop_type(L, WF_I32, &idx) ||
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

static bool lower_local(struct lower *L, u8 opcode) {
  u32 x;
  if (!read_u32(L, &x))
    return false;
  if (x >= L->nlocals)
    return invalid(L, "unknown local");
  u8 t = L->local_types[x];
  if (opcode == 0x20)
    return push(L, t, x);
  struct entry v;
  if (!pop_type(L, t, &v))
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
    return push(L, t, x);
  return true;
}

static bool lower_global(struct lower *L, u8 opcode) {
  u32 x;
  if (!read_u32(L, &x))
    return false;
  if (x >= wf_module_global_count(L->m))
    return invalid(L, "unknown global");
  struct wf_globaltype gt = wf_module_global_type(L->m, x);
  if (opcode == 0x23) {
    u32 dst = push_result(L, gt.valtype);
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
  if (!pop_type(L, gt.valtype, &v))
    return false;
  if (live(L)) {
    emit_op(L, WF_OP_GLOBAL_SET);
    put(L, x);
    put_slot(L, v.loc);
  }
  return true;
}

/* Bit 6 of a memarg's alignment announces a memory index (3.0). */
static bool memarg_single_memory(struct lower *L, u32 align) {
  return (align & 0x40) == 0 || align >= 0x80 ||
         fail(L, WEFT_ERR_UNSUPPORTED, WF_NO_MULTI_MEMORY);
}

static bool need_memory(struct lower *L) {
  return wf_module_memory_count(L->m) > 0 || invalid(L, "unknown memory 0");
}

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
  u32 align, offset;
  if (!read_u32(L, &align) || !read_u32(L, &offset))
    return false;
  if (!memarg_single_memory(L, align) || !need_memory(L))
    return false;
  const typeof(acc[0]) *d = &acc[opcode - 0x28];
  if (align > d->align)
    return invalid(L, "alignment must not be larger than natural");
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
  if (opcode == 0x1c) {
    u32 n;
    u8 t;
    if (!read_u32(L, &n))
      return false;
    if (n != 1)
      return invalid(L, "invalid result arity");
    if (!read_u8(L, &t))
      return false;
    bool ok = false;
    for (u32 i = 0; i < WF_ARRAY_LEN(single_types); i++)
      ok |= single_types[i] == t;
    if (!ok)
      return bad_type(L, t, "malformed value type");
    want = t;
  }
  struct entry c, b, a;
  if (!pop_type(L, WF_I32, &c) || !pop_type(L, want, &b) ||
      !pop_type(L, want, &a))
    return false;
  u8 t = a.type != T_UNKNOWN ? a.type : b.type;
  if (a.type != T_UNKNOWN && b.type != T_UNKNOWN && a.type != b.type)
    return invalid(L, "type mismatch");
  if (opcode == 0x1b && !is_num(t))
    return invalid(L, "type mismatch: select needs a type for references");
  u8 rt = opcode == 0x1c ? want : t;
  u32 dst = push_result(L, rt);
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
    if (!read_u32(L, &imm[0]) || !read_zero(L) || !need_memory(L) ||
        !check_data(L, imm[0]))
      return false;
    return simple(L, WF_OP_MEMORY_INIT, 3, i32x3, 0, imm, 1);
  case 9: /* data.drop */
    if (!read_u32(L, &imm[0]) || !check_data(L, imm[0]))
      return false;
    return simple(L, WF_OP_DATA_DROP, 0, NULL, 0, imm, 1);
  case 10: /* memory.copy */
    if (!read_zero(L) || !read_zero(L) || !need_memory(L))
      return false;
    return simple(L, WF_OP_MEMORY_COPY, 3, i32x3, 0, NULL, 0);
  case 11: /* memory.fill */
    if (!read_zero(L) || !need_memory(L))
      return false;
    return simple(L, WF_OP_MEMORY_FILL, 3, i32x3, 0, NULL, 0);
  case 12: { /* table.init elem table */
    if (!read_u32(L, &imm[1]) || !read_u32(L, &imm[0]) ||
        !check_table(L, imm[0]) || !check_elem(L, imm[1]))
      return false;
    if (wf_module_table_type(L->m, imm[0]).elemtype !=
        L->m->elems[imm[1]].reftype)
      return invalid(L, "type mismatch");
    return simple(L, WF_OP_TABLE_INIT, 3, i32x3, 0, imm, 2);
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
    return simple(L, WF_OP_TABLE_COPY, 3, i32x3, 0, imm, 2);
  }
  case 15: { /* table.grow: init n -> old */
    if (!read_u32(L, &imm[0]) || !check_table(L, imm[0]))
      return false;
    u8 in[2] = {wf_module_table_type(L->m, imm[0]).elemtype, WF_I32};
    return simple(L, WF_OP_TABLE_GROW, 2, in, WF_I32, imm, 1);
  }
  case 16: /* table.size */
    if (!read_u32(L, &imm[0]) || !check_table(L, imm[0]))
      return false;
    return simple(L, WF_OP_TABLE_SIZE, 0, NULL, WF_I32, imm, 1);
  case 17: { /* table.fill: i v n */
    if (!read_u32(L, &imm[0]) || !check_table(L, imm[0]))
      return false;
    u8 in[3] = {WF_I32, wf_module_table_type(L->m, imm[0]).elemtype, WF_I32};
    return simple(L, WF_OP_TABLE_FILL, 3, in, 0, imm, 1);
  }
  default: return malformed(L, "illegal opcode");
  }
}

static bool lower_ref(struct lower *L, u8 opcode) {
  if (opcode == 0xd0) { /* ref.null t */
    u8 t;
    if (!read_u8(L, &t))
      return false;
    if (t < 0x40 || t >= 0x80) /* ref.null $type: a type index */
      return fail(L, WEFT_ERR_UNSUPPORTED, WF_NO_FUNCREFS);
    if (t != WF_FUNCREF && t != WF_EXTERNREF)
      return bad_type(L, t, "malformed reference type");
    static const weft_slot null_ref; /* all zero: ref == NULL */
    u32 loc = live(L) ? const_slot(L, &null_ref) : stack_loc(L->height);
    return push(L, t, loc);
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
  u32 dst = push_result(L, WF_FUNCREF);
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
  u8 et = wf_module_table_type(L->m, t).elemtype;
  if (opcode == 0x25) { /* table.get */
    u8 in = WF_I32;
    return simple(L, WF_OP_TABLE_GET, 1, &in, et, &t, 1);
  }
  u8 in[2] = {WF_I32, et};
  return simple(L, WF_OP_TABLE_SET, 2, in, 0, &t, 1);
}

static bool lower_memory_size_grow(struct lower *L, u8 opcode) {
  if (!read_zero(L) || !need_memory(L))
    return false;
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

static bool read_memarg(struct lower *L, u32 bytes, u32 *offset) {
  u32 align;
  if (!read_u32(L, &align) || !read_u32(L, offset) ||
      !memarg_single_memory(L, align) || !need_memory(L))
    return false;
  return align <= log2_bytes(bytes) ||
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
  u32 offset;
  struct entry v, addr;
  if (!read_memarg(L, bytes, &offset))
    return false;
  if (store && !pop_type(L, WF_V128, &v))
    return false;
  if (!pop_type(L, WF_I32, &addr))
    return false;
  u32 dst = store ? 0 : push_result(L, WF_V128);
  if (!live(L))
    return true;
  emit_op(L, op);
  if (store) {
    put_slot(L, addr.loc);
    put_slot(L, v.loc);
  } else {
    put_dst(L, dst);
    put_slot(L, addr.loc);
  }
  put(L, offset);
  return true;
}

/* load_lane "dssii" (dst addr vec offset lane); store_lane "ssii". */
static bool lower_simd_lane_mem(struct lower *L, enum wf_op op, u32 bytes,
                                u32 lanes, bool store) {
  u32 offset, lane;
  struct entry v, addr;
  if (!read_memarg(L, bytes, &offset) || !read_lane(L, lanes, &lane) ||
      !pop_type(L, WF_V128, &v) || !pop_type(L, WF_I32, &addr))
    return false;
  u32 dst = store ? 0 : push_result(L, WF_V128);
  if (!live(L))
    return true;
  emit_op(L, op);
  if (!store)
    put_dst(L, dst);
  put_slot(L, addr.loc);
  put_slot(L, v.loc);
  put(L, offset);
  put(L, lane);
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
    if (!check_top(L, f->nresults, f->results))
      return false;
    emit_return(L);
    set_unreachable(L);
    return true;
  }
  case 0x10: return lower_call(L);
  case 0x11: return lower_call_indirect(L);
  case 0x12: return lower_return_call(L);
  case 0x13: return lower_return_call_indirect(L);
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
  return true;
}

static void release(struct lower *L) {
  wf_alloc_free(L->a, L->local_types, L->nlocals ? L->nlocals : 1);
  wf_alloc_free(L->a, L->code, (size_t)L->code_cap * sizeof(u32));
  wf_alloc_free(L->a, L->relocs, (size_t)L->relocs_cap * sizeof(u32));
  wf_alloc_free(L->a, L->consts, (size_t)L->consts_cap * sizeof(weft_slot));
  wf_alloc_free(L->a, L->pcmap, (size_t)L->pcmap_cap * sizeof(u32));
  wf_alloc_free(L->a, L->stack, (size_t)L->stack_cap * sizeof(struct entry));
  wf_alloc_free(L->a, L->ctrls, (size_t)L->ctrls_cap * sizeof(struct ctrl));
}

/* Fix slot operands now that the frame layout is known. */
static bool finish(struct lower *L, struct wf_code **out) {
  struct wf_code *c = wf_alloc_zero(L->a, sizeof *c);
  if (!c)
    return nomem(L);
  u32 nlocal_slots =
      L->nlocals > L->type->nresults ? L->nlocals : L->type->nresults;
  u32 stack_base = nlocal_slots + L->nconsts;
  for (u32 i = 0; i < L->nrelocs; i++) {
    u32 *p = &L->code[L->relocs[i]];
    if (*p & LOC_STACK)
      *p = stack_base + (*p & LOC_MASK);
    else
      *p = nlocal_slots + (*p & LOC_MASK);
  }
  /* Sizes first: wf_code_free needs them to free a partial result. */
  c->nops = L->ncode;
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
  c->frame_slots = stack_base + L->max_height + 1;
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
    mark_label(&L); /* the entry block */
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
