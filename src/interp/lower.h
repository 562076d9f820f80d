/*
** lower.h — the lowering pass's shared state, for the files that make it
** up (lower.c and lower_*.c; nothing else includes this). Lowering
** validates one function body and writes its internal code in the same
** pass (see lower.c). Functions shared between the files carry the prefix
** wf_lw_ ("lowering"); the small accessors are inline here.
*/
#ifndef WEFT_INTERP_LOWER_H
#define WEFT_INTERP_LOWER_H

#include "reader.h"
#include "ir.h"

/* Operand locations before relocation: locals are plain indices; stack
** and constant slots are tagged until the frame layout is known. */
#define LOC_STACK 0x40000000u
#define LOC_CONST 0x80000000u
#define LOC_MASK 0x3fffffffu
/* Both tags: a hidden slot between the constants and the operand stack
** (legacy exception handling keeps a caught exception there for rethrow). */
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
  u32 target; /* index in ctrls of the wf_lw_label it branches to */
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
  u32 assign_height; /* the same for lower.assigns (definite assignment) */
};

/* An op emitted into interpreter code: its code index, the op (or the one
** it became when the next instruction was fused into it), whether it
** follows the op before with no label between them, and the index in
** relocs of its first slot operand (the others follow, in order). */
struct wf_lw_op {
  u32 pos, reloc;
  u16 op;
  bool joins;
};

/* lower_assign.c: the locals assigned on every edge into a block's end
** seen so far (`edged`: there was one). */
struct wf_da_exit {
  u32 *list;
  u32 n, cap;
  bool edged;
};

struct lower {
  struct wf_alloc *a;
  const struct wf_module *m;
  weft_error *err;
  struct wf_reader r;
  u32 funcidx;
  const u32 *dispatch;
  /* Code for the interpreter's dispatch table (or a snapshot's probe of
  ** such code, which must see the same positions): it may use the fused
  ** ops generated C does not know (ops.def). A build without computed
  ** goto has no table and lowers as for generated C. */
  bool interp_ops;
  const struct wf_functype *type;

  u32 nlocals;
  u8 *local_types;
  wf_vt *local_full; /* typed function references: each local in full */
  u8 *local_unset; /* a non-null local not yet set: reading it is wf_lw_invalid
                    */
  u32 *inits;      /* locals set since their block began, innermost last */
  u32 ninits, inits_cap;
  /* Definite assignment, for the frame image (finish): a declared local
  ** is unassigned until a local.set or local.tee, which lasts to the end
  ** of the innermost block, as local_unset does, and a legacy catch arm
  ** starts from the try's state too (it may be entered from anywhere in
  ** the body). A local read while unassigned is zeroed by the frame
  ** image; the others are always set before they are read, and a new
  ** frame may leave them as the value stack had them. */
  u8 *local_unassigned;
  u8 *read_unassigned; /* per local: some read saw it unassigned */
  u32 *assigns;        /* locals assigned since their block began */
  u32 nassigns, assigns_cap;
  /* lower_assign.c: what lasts past a block's end, per open block */
  struct wf_da_exit *da_exits; /* indexed like ctrls */
  u32 da_exits_cap;
  bool da_coarse; /* the block rule only, from here on */
  u64 da_work, da_budget;

  u32 *code;
  u32 ncode, code_cap;
  u32 *relocs;
  u32 nrelocs, relocs_cap;
  /* With fuel metering, for the interpreter: pairs (code index, op) of
  ** the branches that may become their _FUEL form (lower.c). */
  u32 *branches;
  u32 nbranches, branches_cap;
  /* Interpreter code: every op emitted, in code order (struct
  ** wf_lw_op), for the passes that rewrite ops once the body is lowered:
  ** constants as immediates (lower_imm.c), the accumulator forms
  ** (lower_acc.c) and joins (lower_join.c). */
  struct wf_lw_op *emitted;
  u32 nemitted, emitted_cap;
  u32 cut_pos;    /* the first op dropped by the last truncation, */
  bool cut_valid; /* if any, and whether it joined the one before */
  bool cut_joins;
  weft_slot *consts; /* each zero-padded to the whole slot */
  u32 nconsts, consts_cap;
  /* Open addressing over consts (index + 1, 0 empty), so that a value
  ** gets one slot however often the body uses it: each frame copies its
  ** constants on entry, and big bodies repeat many. */
  u32 *const_index;
  u32 const_index_cap; /* a power of two, above twice nconsts */
  u32 *pcmap;          /* (code index, module offset) pairs */
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

  u32 last_op_pos; /* start of the last instruction, NONE after a wf_lw_label */
  u32 last_op;     /* its enum wf_op */
  u32 last_dst_pos;       /* its single destination operand, or NONE */
  u32 prev_op_pos;        /* the instruction before it (same rules), */
  u32 prev_op;            /* for pairs joined once a third follows */
  u32 op_offset;          /* module offset of the opcode being lowered */
  bool fuel;              /* meter fuel: a FUEL op at every block start */
  u32 fuel_field;         /* code index of the open block's cost, or NONE */
  u32 fuel_cost;          /* Wasm instructions lowered since that block began */
  struct wf_probe *probe; /* wf_lower_probe: what to look for, or NULL */
  bool probe_pending;     /* the FUEL op sought was just emitted */
  weft_status status;
};

static const u8 single_types[] = {WF_I32,  WF_I64,     WF_F32,       WF_F64,
                                  WF_V128, WF_FUNCREF, WF_EXTERNREF, WF_EXNREF};

struct memarg {
  u32 align; /* log2, bit 6 (memory index) removed */
  u32 mem;
  u64 offset;
};

static inline u32 stack_loc(u32 height) { return LOC_STACK | height; }

static inline wf_vt entry_vt(const struct entry *e) {
  return e->full ? e->full : e->type;
}

static inline wf_vt vt_at(const u8 *types, const wf_vt *full, u32 i) {
  return full ? full[i] : types[i];
}

/* a <: b, the unknown type of dead code matching anything */
static inline bool vt_sub(const struct lower *L, wf_vt a, wf_vt b) {
  return WF_VT_KIND(a) == T_UNKNOWN || WF_VT_KIND(b) == T_UNKNOWN ||
         wf_vt_sub(L->m, a, b);
}

static inline const wf_vt *params_full(const struct ctrl *c) {
  return c->ft ? c->ft->full : NULL;
}

static inline const wf_vt *results_full(const struct ctrl *c) {
  if (c->ft)
    return c->ft->full ? c->ft->full + c->ft->nparams : NULL;
  return c->single ? &c->single : NULL;
}

/* Numeric or vector: what an untyped select accepts. */
static inline bool is_num(u8 t) {
  return t == WF_I32 || t == WF_I64 || t == WF_F32 || t == WF_F64 ||
         t == WF_V128 || t == T_UNKNOWN;
}

static inline bool is_ref(u8 t) {
  return t == WF_FUNCREF || t == WF_EXTERNREF || t == WF_EXNREF ||
         t == T_UNKNOWN;
}

/* Label types: a loop's branch carries its params, others their results. */
static inline u32 label_arity(const struct ctrl *c) {
  return c->kind == CTRL_LOOP ? c->nparams : c->nresults;
}

static inline const u8 *label_types(const struct ctrl *c) {
  return c->kind == CTRL_LOOP ? c->params : c->results;
}

static inline const wf_vt *label_full(const struct ctrl *c) {
  return c->kind == CTRL_LOOP ? params_full(c) : results_full(c);
}

static inline bool live(const struct lower *L) {
  const struct ctrl *c = &L->ctrls[L->nctrls - 1];
  return !c->unreachable && !c->dead_start;
}

/* lower.c: errors, growable arrays, emission, the operand and control stacks,
 * immediates, the body */
bool wf_lw_fail(struct lower *L, weft_status status, const char *what);
bool wf_lw_invalid(struct lower *L, const char *what);
bool wf_lw_malformed(struct lower *L, const char *what);
bool wf_lw_reader_failed(struct lower *L);
bool wf_lw_bad_type(struct lower *L, u8 t, const char *why);
bool wf_lw_nomem(struct lower *L);
bool wf_lw_grow(struct lower *L, void *arrp, u32 *cap, u32 need, size_t elem);
void wf_lw_put(struct lower *L, u32 v);
void wf_lw_emit_op(struct lower *L, enum wf_op op);
void wf_lw_put_slot(struct lower *L, u32 loc);
void wf_lw_put_dst(struct lower *L, u32 loc);
bool wf_lw_fusable(const struct lower *L, enum wf_op op, u32 loc);
void wf_lw_fuse_last(struct lower *L, enum wf_op fused);
void wf_lw_truncate_code(struct lower *L, u32 cut);
/* The passes over L->emitted once a body is lowered, in this order.
** lower_imm.c: rewrite the ops that may take a constant as an immediate
** and drop the constants no operand reads from the frame any more. */
void wf_lw_imm_forms(struct lower *L);
enum wf_op wf_lw_op_at(const struct lower *L, u32 pos, enum wf_op noted);
/* lower_acc.c: rewrite the readers of the last i32 result to _ACC forms. */
void wf_lw_acc_forms(struct lower *L);
/* lower_join.c: adjacent ops of joins.def become one dispatch. */
void wf_lw_join_pairs(struct lower *L);
void wf_lw_mark_label(struct lower *L);
u32 wf_lw_const_slot(struct lower *L, const weft_slot *v);
bool wf_lw_copy_joinable(const struct lower *L);
void wf_lw_emit_copy(struct lower *L, u32 dst, u32 src, u8 type);
bool wf_lw_push(struct lower *L, u8 type, u32 loc);
u32 wf_lw_push_result(struct lower *L, u8 type);
bool wf_lw_push_vt(struct lower *L, wf_vt t, u32 loc);
bool wf_lw_pop_any(struct lower *L, struct entry *out);
bool wf_lw_pop_type(struct lower *L, u8 want, struct entry *out);
bool wf_lw_pop_vt(struct lower *L, wf_vt want, struct entry *out);
void wf_lw_reset_inits(struct lower *L, u32 height);
bool wf_lw_set_local_init(struct lower *L, u32 x);
void wf_lw_reset_assigns(struct lower *L, u32 height);
bool wf_lw_assign_local(struct lower *L, u32 x);
void wf_lw_materialize(struct lower *L, u32 i);
void wf_lw_materialize_locals(struct lower *L);
bool wf_lw_push_ctrl(struct lower *L, u8 kind, u32 nparams, const u8 *params,
                     u32 nresults, const u8 *results);
void wf_lw_set_unreachable(struct lower *L);
void wf_lw_put_target(struct lower *L, struct ctrl *c);
void wf_lw_patch_list(struct lower *L, u32 head, u32 target);
bool wf_lw_check_top(struct lower *L, u32 n, const u8 *types,
                     const wf_vt *full);
bool wf_lw_branch_needs_moves(struct lower *L, struct ctrl *c);
void wf_lw_emit_branch_moves(struct lower *L, struct ctrl *c);
struct ctrl *wf_lw_label(struct lower *L, u32 depth);
void wf_lw_emit_return(struct lower *L);
void wf_lw_emit_br(struct lower *L, struct ctrl *c);
bool wf_lw_read_u32(struct lower *L, u32 *v);
bool wf_lw_read_u8(struct lower *L, u8 *v);
bool wf_lw_read_ref_heap(struct lower *L, u8 prefix, u8 *kind, wf_vt *full);
bool wf_lw_read_blocktype(struct lower *L, u32 *np, const u8 **p, u32 *nr,
                          const u8 **r, const struct wf_functype **ft,
                          wf_vt *single);

/* lower_assign.c: definite assignment across branches. da_init before
** the function's block opens; da_open after each push of a ctrl (false:
** out of memory); da_edge where code branches to `c` (or falls into its
** end); da_end at `c`'s end, before its pop, in place of
** wf_lw_reset_assigns (false: out of memory); da_free with the rest. */
void wf_lw_da_init(struct lower *L, u32 body_bytes);
bool wf_lw_da_open(struct lower *L, u8 kind);
void wf_lw_da_edge(struct lower *L, struct ctrl *c);
bool wf_lw_da_end(struct lower *L, struct ctrl *c);
void wf_lw_da_free(struct lower *L);

/* lower_ctl.c: blocks, branches, calls, tail calls, typed function references,
 * variables */
bool wf_lw_block(struct lower *L, u8 kind);
bool wf_lw_close_arm(struct lower *L, struct ctrl *c);
bool wf_lw_else(struct lower *L);
bool wf_lw_end(struct lower *L);
bool wf_lw_br(struct lower *L);
bool wf_lw_br_if(struct lower *L);
bool wf_lw_br_table(struct lower *L);
bool wf_lw_call_args(struct lower *L, const struct wf_functype *t,
                     u32 *out_base);
bool wf_lw_call(struct lower *L);
bool wf_lw_call_indirect(struct lower *L);
bool wf_lw_return_call(struct lower *L);
bool wf_lw_return_call_indirect(struct lower *L);
bool wf_lw_call_ref(struct lower *L, bool tail);
bool wf_lw_ref_as_non_null(struct lower *L);
bool wf_lw_br_on_null(struct lower *L, bool on_non_null);
bool wf_lw_local(struct lower *L, u8 opcode);
bool wf_lw_global(struct lower *L, u8 opcode);

/* lower_exn.c: exception handling (3.0 and legacy) */
bool wf_lw_read_clauses(struct lower *L, u32 *count);
bool wf_lw_close_try_table(struct lower *L, struct ctrl *c);
bool wf_lw_throw(struct lower *L);
bool wf_lw_throw_ref(struct lower *L);
bool wf_lw_catch(struct lower *L, bool all);
bool wf_lw_delegate(struct lower *L);
bool wf_lw_rethrow(struct lower *L);

/* lower_mem.c: memories, tables, bulk operations, references */
u8 wf_lw_mem_addr_type(const struct lower *L, u32 mem);
bool wf_lw_mem_fast(const struct lower *L, u32 mem);
bool wf_lw_read_memarg_x(struct lower *L, struct memarg *a);
u32 wf_lw_memx_open(struct lower *L, const struct memarg *a, u32 addr_loc,
                    u32 width);
void wf_lw_memx_close(struct lower *L);
bool wf_lw_pop_table_index(struct lower *L, u32 table, struct entry *idx);
bool wf_lw_memory_access(struct lower *L, u8 opcode);
bool wf_lw_prefixed(struct lower *L);
bool wf_lw_ref(struct lower *L, u8 opcode);
bool wf_lw_table_access(struct lower *L, u8 opcode);
bool wf_lw_memory_size_grow(struct lower *L, u8 opcode);

/* lower_num.c: numeric instructions, constants, select */
bool wf_lw_simple(struct lower *L, enum wf_op op, u32 nin, const u8 *in, u8 out,
                  const u32 *imms, u32 nimm);
bool wf_lw_numeric(struct lower *L, u32 opcode, bool *handled);
bool wf_lw_const(struct lower *L, u8 opcode);
bool wf_lw_select(struct lower *L, u8 opcode);

/* lower_simd.c: SIMD */
bool wf_lw_simd(struct lower *L);

#endif
