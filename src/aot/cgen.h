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
  u8 *is_target; /* per code index: a branch lands here */
  bool has_memory;
  bool leaf; /* calls nothing and has a small frame: no depth accounting */
  /* Tail calls (see "tail calls" below). */
  u8 *tail_body;     /* per defined function: emitted as a trampoline body */
  u32 tail_slots;    /* slots of the trampoline's argument/result array */
  u32 def;           /* the function being emitted */
  bool in_tail_body; /* it is emitted as wf_tN (returns the next body) */
  bool self_tail;    /* it tail-calls itself: a wf_restart block */
  /* Exception handling (see "exceptions" below). */
  bool eh;    /* the module throws or catches: calls check c->exn */
  u32 pc;     /* code index of the op being emitted */
  u32 *sites; /* code indices whose unwinding is emitted (wf_xN) */
  u32 nsites, sites_cap;
  u8 *caught;   /* per handler: its catch block (wf_cN) is referenced */
  bool tail;    /* emitting a tail call made as a call: the frame is gone
                   for its exceptions, which leave the function */
  char pfx[16]; /* of every file-level name: "wf_", or "wmN_" for entry N
                   of a batch (several modules in one translation unit) */
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
const char *wf_cg_member_ctype(const char *member);
void wf_cg_read_member(struct cgen *g, u32 slot, const char *member);
void wf_cg_write_member_r(struct cgen *g, u32 slot, const char *member);
void wf_cg_label_ref(struct cgen *g, u32 field, const u32 *ops);
void wf_cg_trap(struct cgen *g, weft_trap kind);
bool wf_cg_metered(const struct cgen *g);
void wf_cg_reload_fuel(struct cgen *g);
void wf_cg_after_call(struct cgen *g);
void wf_cg_charge_bulk(struct cgen *g);
void wf_cg_signature(struct text *t, const struct wf_functype *ft,
                     const char *name);

/* cgen_instr.c: instructions */
bool wf_cg_emit_numeric(struct cgen *g, const u32 *ip, u32 op);
void wf_cg_address(struct cgen *g, u32 addr_slot, u32 offset, u32 width);
bool wf_cg_emit_memory_access(struct cgen *g, const u32 *ip, u32 op);
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

/* cgen_simd.c: SIMD */
bool wf_cg_emit_simd(struct cgen *g, const u32 *ip, u32 op);
u32 wf_cg_op_length(const u32 *ops, u32 pc);
bool wf_cg_is_leaf(const struct wf_code *code);
void wf_cg_find_targets(struct cgen *g);

/* cgen_exn.c: exceptions */
void wf_cg_exn_check(struct cgen *g);
bool wf_cg_emit_exception(struct cgen *g, const u32 *ip, u32 op);
void wf_cg_emit_unwinding(struct cgen *g);
weft_status wf_cg_find_exceptions(struct cgen *g);

/* cgen_mem.c: multi-memory, memory64, table64 */
void wf_cg_emit_body(struct cgen *g);

/* cgen_fuel.c: fuel metering. wf_cg_emit_fuel emits the FUEL op at `pc`
** and any adjacent ones merged with it, returning the code units used;
** wf_cg_fuel_at_label is called at every branch target. */
u32 wf_cg_emit_fuel(struct cgen *g, u32 pc);
void wf_cg_fuel_at_label(struct cgen *g, u32 pc);

#endif
