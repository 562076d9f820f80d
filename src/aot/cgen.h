/*
** cgen.h — the C generator's shared state, for the files that make it up
** (cgen.c and cgen_*.c; nothing else includes this). Functions shared
** between the files carry the prefix wf_cg_.
*/
#ifndef WEFT_AOT_CGEN_H
#define WEFT_AOT_CGEN_H

#include <stdarg.h>

#include "ir.h"
#include "runtime.h"

extern const char wf_aot_prelude[]; /* generated from prelude.h etc. */

/* Operand layouts: the one table of interp/verify.c (ops.def). */
#define op_layout wf_op_layout

struct text {
  struct wf_alloc *a;
  char *buf;
  size_t len, cap;
  bool failed;
};

enum { T_I = 1, T_L = 2, T_F = 4, T_D = 8, T_R = 16, T_V = 32 };

/* Fuel: charges tested at once, at most; labels with charges carried to
** them, at most (cgen_fuel.c). */
enum { WF_CG_FUEL_PENDING = 64, WF_CG_FUEL_CARRIED = 8 };

/* No code index: struct cgen's prev_pc at a label. */
#define WF_CG_NO_PC 0xffffffffu

/* Slot `slot` holds (src >> shift) & mask, of i64 slots when wide
** (cgen_bits.c); the table's size. */
struct wf_cg_bit {
  u32 slot, src;
  u8 shift;
  u64 mask;
  bool wide;
};
enum { WF_CG_BITS = 8 };

struct cgen {
  struct wf_alloc *a;
  const weft_module *mod;
  const struct wf_module *m;
  const weft_aot_options *opts;
  weft_error *err;
  struct text body;
  const struct wf_code *code;
  const struct wf_functype *type;
  u8 *used;      /* per slot: T_* bits of the C variables it needs */
  u8 *is_target; /* per code index: a branch lands here (nonzero; with
                    fuel, cgen_fuel.c counts the branches: see there) */
  bool has_memory;
  bool leaf; /* calls nothing and has a small frame: no depth accounting */
  /* per defined function: it counts call depth when it calls (cgen_depth.c) */
  u8 *counts_depth;
  bool counting; /* the function being emitted counts (not a leaf) */
  /* Globals the function uses: each gets a local copy of its cell pointer
  ** (wf_gN), loaded once on entry, since c->globals[N] would otherwise be
  ** reloaded after every store (generated code has no strict aliasing). */
  u8 *global_used; /* per global index: listed in global_list */
  u32 *global_list;
  u32 nglobal_list, nglobals_all;
  /* The body calls through table 0: its pointer in a local (wf_tb0),
  ** loaded once on entry like the global cells (cgen_instr.c). */
  bool table0_used;
  u32 chunk_lo, chunk_hi; /* the defined functions this chunk emits */
  /* Tail calls (see "tail calls" below). */
  u8 *tail_body;     /* per defined function: emitted as a trampoline body */
  u32 tail_slots;    /* slots of the trampoline's argument/result array */
  u32 def;           /* the function being emitted */
  bool in_tail_body; /* it is emitted as wf_tN (returns the next body) */
  bool self_tail;    /* it tail-calls itself: a wf_restart block */
  /* Exception handling (see "exceptions" below). */
  bool eh;     /* the module throws or catches: calls check c->exn */
  u32 pc;      /* code index of the op being emitted */
  u32 prev_pc; /* of the op before it when no label is between (a select
                  reads what that op computed: cgen_instr.c), else
                  WF_CG_NO_PC */
  /* In metered code, the slots the last integer loads wrote since the
  ** last label, oldest first (select_as_branch, cgen_instr.c). */
  u32 loaded[4];
  u32 nloaded;
  bool compared_loads; /* the last op compared two of them (i32) */
  u32 *sites;          /* code indices whose unwinding is emitted (wf_xN) */
  u32 nsites, sites_cap;
  u8 *caught;   /* per handler: its catch block (wf_cN) is referenced */
  bool tail;    /* emitting a tail call made as a call: the frame is gone
                   for its exceptions, which leave the function */
  char pfx[16]; /* of every file-level name: "wf_", or "wmN_" for entry N
                   of a batch (several modules in one translation unit) */
  /* Fuel (cgen_fuel.c): the block costs subtracted from wf_fuel since it
  ** was last tested, in order. */
  u32 fuel_pending[WF_CG_FUEL_PENDING];
  u32 nfuel_pending;
  /* ... and those carried by branches to labels ahead that they are the
  ** only way into, to be paid there (n == 0: a free entry). */
  struct {
    u32 to, n;
    u32 cost[WF_CG_FUEL_PENDING];
  } fuel_carried[WF_CG_FUEL_CARRIED];
  /* Counted loops (cgen_loop.c): per label, the lowest and highest code
  ** index of the branches to it; and the loop being copied, if any
  ** (loop_copy 'u': its unmetered copy, 'm': its metered one, 0: none). */
  u32 *from_lo, *from_hi;
  u32 loop_head, loop_last;
  char loop_copy;
  bool loop_in_bounds; /* its accesses proved in bounds (cgen_span.c) */
  /* The loop whose in-bounds copy is being emitted: its accesses address
  ** memory through its span pointers (cgen_span.c); NULL elsewhere. */
  const struct wf_cg_loop *span_loop;
  /* What the straight-line code since the last label computed of single
  ** bits (cgen_bits.c), oldest first. */
  struct wf_cg_bit bits[WF_CG_BITS];
  u32 nbits;
};

/* An i32 value on trip k of a counted loop: coef[0]*slot[0] + coef[1]*slot[1]
** + c + k*slope (mod 2^32), the slots' values on entry to the loop (~0u:
** no term), cgen_span.c. */
struct wf_cg_affine {
  u32 slot[2];
  i32 coef[2];
  u32 c;
  i64 slope;
};

/* A counted loop: code indices of its head, back edge and the op after
** it; its induction variable, bound (~0u: zero), step (+-2^shift, down
** when negative) and the sum of its blocks' costs; with guard pages, the
** distinct addresses of its accesses and the bytes each reaches (offset
** plus width), when every access's address is known (in_bounds). */
enum { WF_CG_SPANS = 8, WF_CG_SPAN_ACCESSES = 48 };
struct wf_cg_span_access {
  u32 pc, span, c;
};
struct wf_cg_loop {
  u32 head, last, end;
  u32 iv, bound, step, shift;
  bool down;
  u64 cost;
  bool in_bounds;
  u32 nspans;
  struct {
    struct wf_cg_affine at;
    u64 reach;
  } spans[WF_CG_SPANS];
  /* The accesses whose address is its span's start on the trip plus a
  ** constant (the access's c less the span's): code index, span, c.
  ** Those past the table's end address memory as anywhere else. */
  u32 naccesses;
  struct wf_cg_span_access accesses[WF_CG_SPAN_ACCESSES];
};

/* cgen.c: output, per-function state, functions and the module */
void wf_cg_put(struct text *t, const char *s);
void wf_cg_putf(struct text *t, const char *fmt, ...);
char wf_cg_letter_of(u8 valtype);
const char *wf_cg_ctype_of(char letter);
void wf_cg_slot_read(struct text *t, char letter, const char *lv);
void wf_cg_slot_write_begin(struct text *t, char letter, const char *lv);
void wf_cg_slot_write_end(struct text *t, char letter);
void wf_cg_var(struct cgen *g, u32 slot, char letter);
void wf_cg_global_cell(struct cgen *g, u32 idx, char *lv, size_t size);
const char *wf_cg_member_ctype(const char *member);
void wf_cg_read_member(struct cgen *g, u32 slot, const char *member);
void wf_cg_write_member_begin(struct cgen *g, u32 slot, const char *member);
void wf_cg_write_member_end(struct cgen *g, const char *member);
void wf_cg_label_ref(struct cgen *g, u32 field, const u32 *ops);
void wf_cg_trap(struct cgen *g, weft_trap kind);
const char *wf_cg_trap_macro(const struct cgen *g);
bool wf_cg_metered(const struct cgen *g);
void wf_cg_note_loaded(struct cgen *g, const u32 *ip);
void wf_cg_reload_fuel(struct cgen *g);
void wf_cg_after_call(struct cgen *g);
void wf_cg_charge_bulk(struct cgen *g);
void wf_cg_signature(struct text *t, const struct wf_functype *ft,
                     const char *name);

/* cgen_instr.c: instructions */
bool wf_cg_emit_numeric(struct cgen *g, const u32 *ip, u32 op);
void wf_cg_address(struct cgen *g, u32 addr_slot, u32 offset, u32 width);
bool wf_cg_emit_memory_access(struct cgen *g, const u32 *ip, u32 op);
u32 wf_cg_access_width(u32 op);
bool wf_cg_emit_fused(struct cgen *g, const u32 *ip, u32 op);
bool wf_cg_emit_trapping(struct cgen *g, const u32 *ip, u32 op);
bool wf_cg_emit_branch(struct cgen *g, const u32 *ops, u32 pc, u32 op);
bool wf_cg_emit_call(struct cgen *g, const u32 *ip, u32 op);
/* Whether defined function `def` is compiled into this object (all are,
** unless the options name a piece: weft_aot_options.only). */
bool wf_cg_in_piece(const struct cgen *g, u32 def);
void wf_cg_pack_args(struct cgen *g, const struct wf_functype *ft, u32 base);
bool wf_cg_emit_tail_call(struct cgen *g, const u32 *ip, u32 op);
bool wf_cg_emit_other(struct cgen *g, const u32 *ip, u32 op);

/* cgen_bits.c: comparisons of single bits. wf_cg_emit_bit_compare emits
** the op at `pc` when it is one it rewrites; wf_cg_bits_note is told of
** every op emitted, wf_cg_bits_clear of every label and loop emitted. */
bool wf_cg_emit_bit_compare(struct cgen *g, const u32 *ops, u32 pc);
void wf_cg_bits_note(struct cgen *g, const u32 *ip);
void wf_cg_bits_clear(struct cgen *g);

/* cgen_simd.c: SIMD */
bool wf_cg_emit_simd(struct cgen *g, const u32 *ip, u32 op);
u32 wf_cg_op_length(const u32 *ops, u32 pc);
bool wf_cg_is_leaf(const struct wf_code *code);
void wf_cg_find_targets(struct cgen *g);

/* The direct call graph of the functions in the piece: function def's
** callees are callee[first[def] .. first[def + 1]). */
struct wf_cg_graph {
  u32 *first, *callee;
  u32 ncallees, cap;
};

/* cgen_scan.c: fills tail_body, tail_slots, eh and counts_depth (through
** cgen_depth.c, which finishes counts_depth from the call graph). */
weft_status wf_cg_scan(struct cgen *g);
weft_status wf_cg_find_depth_counters(struct cgen *g,
                                      const struct wf_cg_graph *cg);

/* cgen_exn.c: exceptions */
void wf_cg_exn_check(struct cgen *g);
bool wf_cg_emit_exception(struct cgen *g, const u32 *ip, u32 op);
void wf_cg_emit_unwinding(struct cgen *g);

/* cgen_mem.c: multi-memory, memory64, table64; the body's ops, all or
** those from `lo` up to `hi` */
void wf_cg_emit_body(struct cgen *g);
void wf_cg_emit_range(struct cgen *g, u32 lo, u32 hi);

/* cgen_fuel.c: fuel metering. wf_cg_emit_fuel emits the FUEL op at `pc`
** and any adjacent ones merged with it, returning the code units used;
** wf_cg_fuel_begin starts a function body; wf_cg_fuel_before_label and
** wf_cg_fuel_at_label are called before and after every branch target's
** label; wf_cg_fuel_edge emits a branch to `target` as a block that first
** tests the charges not yet tested, if any (false: nothing emitted). */
u32 wf_cg_emit_fuel(struct cgen *g, u32 pc);
void wf_cg_fuel_begin(struct cgen *g);
void wf_cg_fuel_before_label(struct cgen *g);
void wf_cg_fuel_at_label(struct cgen *g, u32 pc);
bool wf_cg_fuel_edge(struct cgen *g, u32 target);

/* cgen_loop.c: counted loops charged on entry. wf_cg_counted_loop says
** whether the label at `head` starts one (filling in `l`), and
** wf_cg_emit_loop emits it, from its label to l->end; wf_cg_label_suffix
** names a label in the copy being emitted. */
void wf_cg_loops_begin(struct cgen *g);
void wf_cg_loops_end(struct cgen *g);
bool wf_cg_counted_loop(const struct cgen *g, u32 head, struct wf_cg_loop *l);
void wf_cg_emit_loop(struct cgen *g, const struct wf_cg_loop *l);
/* A constant slot's value as a u32; the step of `iv += s` at `pc`. */
bool wf_cg_const_u32(const struct cgen *g, u32 slot, u32 *v);
bool wf_cg_step_of(const struct cgen *g, u32 pc, u32 iv, u32 *s);
const char *wf_cg_label_suffix(const struct cgen *g, u32 pc);

/* cgen_span.c: wf_cg_loop_spans finds whether a counted loop's accesses
** can be proved in bounds on entry (l->in_bounds, l->spans), and
** wf_cg_emit_spans emits the entry test's checks of them;
** wf_cg_span_covers says which ops cannot observe the fuel there. */
void wf_cg_loop_spans(const struct cgen *g, struct wf_cg_loop *l);
void wf_cg_emit_spans(struct cgen *g, const struct wf_cg_loop *l);
bool wf_cg_span_covers(u32 op);
/* The in-bounds copy's span pointers (cgen_span.c): declared ahead of
** the entry test, set once it passed, stepped before the back edge; and
** the address of the access at g->pc through them (false: not one). */
void wf_cg_declare_span_pointers(struct cgen *g, const struct wf_cg_loop *l);
void wf_cg_set_span_pointers(struct cgen *g, const struct wf_cg_loop *l);
void wf_cg_step_span_pointers(struct cgen *g);
bool wf_cg_span_address(struct cgen *g, u32 offset);

#endif
