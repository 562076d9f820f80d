/*
** interp.c — runs lowered code. One handler per internal op, reached by
** direct threading (computed goto on GCC/Clang) or a switch. Wasm calls
** push a wf_frame instead of recursing on the C stack, so call depth and
** value-stack use are bounded by the engine's limits. Never prints.
*/
#include "runtime.h"
#include "ir.h"
#include "numeric.h"
#include "simd.h"
#include "le.h"

#ifndef WEFT_COMPUTED_GOTO
#if defined(__GNUC__) || defined(__clang__)
#define WEFT_COMPUTED_GOTO 1
#else
#define WEFT_COMPUTED_GOTO 0
#endif
#endif

/* Fused handlers: slots are read again after it (see MUL_ARITH), a
** compiler barrier. */
#if defined(__GNUC__) || defined(__clang__)
#define SLOTS_AGAIN() __asm__ volatile("" : : : "memory")
#else
#define SLOTS_AGAIN() ((void)0)
#endif

static weft_status run(struct wf_exec *ex, weft_func *f, weft_slot *fp,
                       u32 *table_out);

u32 wf_interp_op_count(void) { return WF_OP_COUNT; }

bool wf_interp_dispatch_init(u32 *out) {
#if WEFT_COMPUTED_GOTO
  run(NULL, NULL, NULL, out);
  return true;
#else
  WF_UNUSED(out);
  return false;
#endif
}

/* Host functions that call back into Wasm nest run() on the native stack:
** stop above the floor the outermost entry set (runtime/call.c). The frame
** address is taken here, not in run(), which keeps its frame pointer
** register free (and, unlike a local's address, it is never a sanitizer's
** heap-allocated fake frame). */
weft_status wf_interp_call(struct wf_exec *ex, weft_func *f, weft_slot *fp) {
  if ((uintptr_t)__builtin_frame_address(0) < (uintptr_t)ex->stack_floor)
    return wf_error_trap(ex->err, WEFT_TRAP_STACK_EXHAUSTED);
  return run(ex, f, fp, NULL);
}

weft_status wf_interp_resume(struct wf_exec *ex, const struct wf_frame *at) {
  if ((uintptr_t)__builtin_frame_address(0) < (uintptr_t)ex->stack_floor)
    return wf_error_trap(ex->err, WEFT_TRAP_STACK_EXHAUSTED);
  ex->resume = at;
  return run(ex, NULL, NULL, NULL);
}

/* Zero the declared locals and the hidden slots (no caught exception
** held) and load the constants of a new frame: one copy of the code's
** frame image (a loop of slot copies in place of memset/memcpy was tried:
** more instructions per call at the bench kernels' frame sizes). */
static void frame_init_each(weft_slot *fp, const struct wf_code *c) {
  if (c->nlocal_slots > c->nparams)
    memset(fp + c->nparams, 0,
           (size_t)(c->nlocal_slots - c->nparams) * sizeof(weft_slot));
  if (c->nconsts)
    memcpy(fp + c->nlocal_slots, c->consts,
           (size_t)c->nconsts * sizeof(weft_slot));
  if (c->nhidden)
    memset(fp + c->nlocal_slots + c->nconsts, 0,
           (size_t)c->nhidden * sizeof(weft_slot));
}

/* run()'s call path is one function whatever GCC's size estimates say. */
#if defined(__GNUC__) || defined(__clang__)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define HOT_INLINE inline
#endif

/* Copy slots [0, 2), [0, 4), [0, 8) of `src` to `dst`, one 16-byte move
** each, written out (-O2 does not unroll the loop). */
#define COPY_SLOTS2(d, s) ((d)[0] = (s)[0], (d)[1] = (s)[1])
#define COPY_SLOTS4(d, s) (COPY_SLOTS2(d, s), COPY_SLOTS2((d) + 2, (s) + 2))
#define COPY_SLOTS8(d, s) (COPY_SLOTS4(d, s), COPY_SLOTS4((d) + 4, (s) + 4))

/* A new frame's image (lower.c's frame_image_slots): most calls have
** none and pay one test. An image of up to 16 slots (speedtest1's
** average is 8) is copied in place as two runs of a power of two slots,
** the first and the last (they overlap when n is not a power of two:
** both write the same values): a few branches and two moves a slot, where
** a loop pays its counter for each slot and a call to memcpy its call
** and run()'s registers saved around it. The offsets come in bytes from
** the code (lower.c's entry_layout), and a frame set up slot kind by
** slot kind comes with init_copy above 16, so the common sizes pay no
** arithmetic and no test of the image pointer. */
static void frame_init_big(weft_slot *fp, const struct wf_code *c) {
  if (c->init)
    memcpy(fp + c->init_at, c->init, (size_t)c->ninit * sizeof(weft_slot));
  else
    frame_init_each(fp, c);
}

static HOT_INLINE void frame_init(weft_slot *fp, const struct wf_code *c) {
  u32 n = c->init_copy;
  if (n == 0)
    return;
  const weft_slot *src = c->init;
  weft_slot *dst = (weft_slot *)(void *)((char *)fp + c->init_at_bytes);
  const weft_slot *src_t =
      (const weft_slot *)(const void *)((const char *)src + c->init_tail);
  weft_slot *dst_t = (weft_slot *)(void *)((char *)dst + c->init_tail);
  if (n <= 2) {
    dst[0] = src[0];
    dst_t[0] = src_t[0];
  } else if (n <= 4) {
    COPY_SLOTS2(dst, src);
    COPY_SLOTS2(dst_t, src_t);
  } else if (n <= 8) {
    COPY_SLOTS4(dst, src);
    COPY_SLOTS4(dst_t, src_t);
  } else if (n <= 16) {
    COPY_SLOTS8(dst, src);
    COPY_SLOTS8(dst_t, src_t);
  } else {
    frame_init_big(fp, c);
  }
}

/* frame_init where a call is not the common case (entry from the host,
** calls across instances): one copy of it in run() fewer. */
static void frame_init_out(weft_slot *fp, const struct wf_code *c) {
  frame_init(fp, c);
}

/* Room for one more frame whose slots end at `end`: the frame array grows
** on demand (engine.c), so the common case is one compare, as before. */
static HOT_INLINE bool frame_room(struct wf_exec *ex, const weft_slot *end) {
  if (WF_UNLIKELY(ex->depth >= ex->frames_cap) && !wf_exec_grow_frames(ex))
    return false;
  return end <= ex->stack_end;
}

/* The end of a frame of `code` at `fp`: frame_bytes spares the entry a
** shift. */
static HOT_INLINE const weft_slot *frame_end(const weft_slot *fp,
                                             const struct wf_code *code) {
  return (const weft_slot *)(const void *)((const char *)fp +
                                           code->frame_bytes);
}

static void add_frame(weft_error *err, const struct wf_code *code,
                      const weft_instance *inst, const u32 *ip) {
  if (err->trace_len == WEFT_TRACE_MAX) {
    err->trace_more++;
    return;
  }
  weft_frame_info *fi = &err->trace[err->trace_len++];
  fi->func_index = code->funcidx;
  fi->offset = wf_code_wasm_offset(code, (u32)(ip - code->ops));
  fi->func_name = weft_module_func_name(inst->module, code->funcidx);
  fi->instance = inst;
}

/* The trapping frame, then each caller down to this activation's entry. */
static void record_trace(struct wf_exec *ex, u32 base_depth,
                         const struct wf_code *code, const weft_instance *inst,
                         const u32 *ip) {
  weft_error *err = ex->err;
  err->trace_len = 0;
  err->trace_more = 0;
  add_frame(err, code, inst, ip);
  err->func_index = code->funcidx;
  err->offset = err->trace[0].offset;
  /* frames[d] holds the caller's state for the frame above it; the entry
  ** frame (ip == NULL) ends this activation. */
  for (u32 d = ex->depth; d-- > base_depth + 1;) {
    const struct wf_frame *fr = &ex->frames[d];
    add_frame(err, fr->code, fr->inst, fr->ip - 1);
  }
}

#if WEFT_COMPUTED_GOTO
#define CASE(name) L_##name:
#define NEXT() goto *(const void *)(dispatch_base + (i32)*ip)
#else
#define CASE(name) case WF_OP_##name:
#define NEXT() goto dispatch
#endif

/* A slot operand names its slot by byte offset in the frame when code is
** lowered for the dispatch table (lower.c's finish), by index otherwise. */
#if WEFT_COMPUTED_GOTO
#define SLOT_PTR(off) ((weft_slot *)(void *)((char *)fp + (off)))
#else
#define SLOT_PTR(off) (fp + (off))
#endif
#define S(i) (*SLOT_PTR(ip[i]))
/* The tiering profile (weft_instance_count_hits): an interpreted function
** entered (by a call or a tail call), and a taken branch with offset `d`
** that goes backwards, closing a loop, count towards the function's hits.
** An instance that did not ask for it pays one load and a branch that is
** never taken, and none on CALL_INTERNAL's direct entry: a counting
** instance calls by weft_func (calls_by_func), where entries count. */
#define COUNT_ENTRY(c)                                                         \
  do {                                                                         \
    if (WF_UNLIKELY(inst->hits != NULL))                                       \
      inst->hits[(c)->funcidx]++;                                              \
  } while (0)
/* BACK_EDGE reads the counters again through a pointer GCC cannot see is
** inst (an empty asm): the test is then one compare with memory, not a
** load kept in a register for the rare count (three instructions in
** every taken branch, now two). */
#define BACK_EDGE(d)                                                           \
  do {                                                                         \
    if (WF_UNLIKELY(inst->hits != NULL) && (i32)(d) < 0) {                     \
      weft_instance *counted_ = inst;                                          \
      LAUNDER(counted_);                                                       \
      counted_->hits[code->funcidx]++;                                         \
    }                                                                          \
  } while (0)
#if defined(__GNUC__) || defined(__clang__)
#define LAUNDER(p) __asm__("" : "+r"(p))
#else
#define LAUNDER(p) ((void)0)
#endif
/* A taken branch whose offset is unit `at`, counted from that unit: ip
** moves to the unit, then by the offset read there, which GCC folds into
** the load's and one lea's addressing (`ip += at + (i32)ip[at]` made it
** add and sign-extend apart: two instructions more a taken branch). */
#define JUMP(at) (ip += (at), ip += (i32)*ip)
/* BACK_EDGE of the _FUEL branches: the count out of line, so that the
** hot path tests hits alone (inline, GCC tested the offset's sign first
** there once `code` was volatile: two tests on every backward branch). */
#if defined(__GNUC__) || defined(__clang__)
#define COLD_NOINLINE __attribute__((cold, noinline))
#else
#define COLD_NOINLINE
#endif
static COLD_NOINLINE void count_back_edge(weft_instance *inst, u32 funcidx,
                                          i32 d) {
  if (d < 0)
    inst->hits[funcidx]++;
}
#define BACK_EDGE_FUEL(d)                                                      \
  do {                                                                         \
    if (WF_UNLIKELY(inst->hits != NULL))                                       \
      count_back_edge(inst, code->funcidx, (d));                               \
  } while (0)
#define TRAP(kind)                                                             \
  do {                                                                         \
    trap = (kind);                                                             \
    goto trapped;                                                              \
  } while (0)

/* run() keeps the fuel counter in a local, `fuel`, not in ex->fuel: a
** subtract in memory on every block made a chain of stores and reloads
** that the loads of the frame's slots waited behind (floyd: 0.52 s
** metered against 0.44 s, now 0.44). ex->fuel is the counter wherever
** anything else can see it: FUEL_SAVE before each call that reads or
** charges it (a host or compiled function, a bulk operation, the fuel
** hook) and on every way out of run(), FUEL_LOAD after each such call
** returns. Between those, only run() touches it. */
#define FUEL_SAVE() (ex->fuel = fuel)
#define FUEL_LOAD() (fuel = ex->fuel)

/* A bulk operation of runtime/bulk.c: its trap, if any, is raised here.
** Bulk operations charge fuel by the byte, and the fuel hook they may call
** may grow the memory: it is reloaded (RETURN_TO_CALLER counts on mem
** being current at every dispatch). */
#define BULK(call)                                                             \
  do {                                                                         \
    FUEL_SAVE();                                                               \
    weft_trap bulk_trap = (call);                                              \
    FUEL_LOAD();                                                               \
    if (WF_UNLIKELY(bulk_trap != WEFT_TRAP_NONE))                              \
      TRAP(bulk_trap);                                                         \
    MEMORY_RELOAD();                                                           \
  } while (0)

/* The callee of call_indirect and return_call_indirect (operands: type,
** table, argument base, element index): found in the table and checked. */
#define INDIRECT_CALLEE()                                                      \
  do {                                                                         \
    weft_table *t = inst->tables[ip[2]];                                       \
    u32 i = S(4).u32;                                                          \
    if (WF_UNLIKELY(i >= t->size))                                             \
      TRAP(WEFT_TRAP_UNDEFINED_ELEMENT);                                       \
    callee = t->elems[i];                                                      \
    if (WF_UNLIKELY(!callee))                                                  \
      TRAP(WEFT_TRAP_UNINIT_ELEMENT);                                          \
    if (WF_UNLIKELY(callee->sig != inst->type_sigs[ip[1]]))                    \
      TRAP(WEFT_TRAP_INDIRECT_MISMATCH);                                       \
  } while (0)

/* The callee of call_ref and return_call_ref (operands: type, argument
** base, reference): not null, and of the type's signature. */
#define REF_CALLEE()                                                           \
  do {                                                                         \
    callee = S(3).ref;                                                         \
    if (WF_UNLIKELY(!callee))                                                  \
      TRAP(WEFT_TRAP_NULL_FUNC_REF);                                           \
    if (WF_UNLIKELY(callee->sig != inst->type_sigs[ip[1]]))                    \
      TRAP(WEFT_TRAP_INDIRECT_MISMATCH);                                       \
  } while (0)

/* A callee whose body is not lowered yet (a precompiled module's, on its
** first call) goes to `slow`, which lowers it and runs the call op at ip
** again (a call op has no effect before it reaches here), now finding the
** body. The call path pays one test of a pointer it loads anyway, and no
** register is kept live for the slow path. */
#define LOWER_ON_FIRST_CALL(slow)                                              \
  do {                                                                         \
    if (WF_UNLIKELY(!ncode))                                                   \
      goto slow;                                                               \
  } while (0)

/* Reload the cached linear memory after anything that may move it. */
#define MEMORY_RELOAD() MEMORY_AT(inst->mem0_view->data, inst->mem0_view->size)
#define MEMORY_AT(data, size)                                                  \
  do {                                                                         \
    mem = (data);                                                              \
    mem_lim = (i64)(size);                                                     \
    mem_lim -= EA_SLACK;                                                       \
  } while (0)

/* Effective address check: offset + address + width within the memory.
** EA_AT declares `name` as the address `addr` plus the offset ip[off_imm]
** and traps when a `width`-byte access there would pass the memory's end:
** every memory-0 access of run()'s handlers (interp_*.h too) checks
** through it. EA takes the address from slot operand `addr_slot`.
** run() keeps mem_lim, the memory's size less EA_SLACK (the widest
** access, v128), not the size: an address below it is in bounds for any
** width, so the check is one compare of the address itself, no add of the
** width before it (a lea in every access: 160 M of speedtest1 --size 5's
** 5.6 G instructions). Only an access within the last EA_SLACK bytes
** (or any access to a memory smaller than that: mem_lim is then below 0,
** hence the signed compares; an address is below 2^33) takes the exact
** test, out of line. */
#define EA_SLACK 16
#define EA_AT(name, addr, off_imm, width)                                      \
  u64 name = (u64)(addr) + ip[off_imm];                                        \
  if (WF_UNLIKELY((i64)name >= mem_lim) &&                                     \
      (i64)name + (width)-EA_SLACK > mem_lim)                                  \
    TRAP(WEFT_TRAP_MEMORY_OOB);
#define EA(addr_slot, off_imm, width)                                          \
  EA_AT(ea, S(addr_slot).u32, off_imm, width)

/* The status of a failed wf_module_lower: the error record has it, when
** there is one. */
static weft_status lowering_status(const weft_error *err) {
  return err && err->status != WEFT_OK ? err->status : WEFT_ERR_NOMEM;
}

static weft_status run(struct wf_exec *ex, weft_func *f, weft_slot *fp,
                       u32 *table_out) {
#if WEFT_COMPUTED_GOTO
  static const void *const labels[WF_OP_COUNT] = {
#define OP(name, layout) [WF_OP_##name] = &&L_##name,
#define UN(name, opc, a, r, e) [WF_OP_##name] = &&L_##name,
#define BIN(name, opc, a, r, e) [WF_OP_##name] = &&L_##name,
#include "numeric.def"
#include "ops.def"
#undef OP
#undef UN
#undef BIN
#if WEFT_ENABLE_SIMD
#define SIMD_OP(name, layout) [WF_OP_##name] = &&L_##name,
#else /* never emitted */
#define SIMD_OP(name, layout) [WF_OP_##name] = &&L_UNREACHABLE,
#endif
#include "simd_each.h"
#undef SIMD_OP
  };
  const char *dispatch_base = (const char *)&&L_UNREACHABLE;
  if (table_out) {
    for (u32 i = 0; i < WF_OP_COUNT; i++)
      table_out[i] = (u32)(i32)((const char *)labels[i] - dispatch_base);
    return WEFT_OK;
  }
#else
  WF_UNUSED(table_out);
#endif
  weft_trap trap = WEFT_TRAP_NONE;
  weft_status status = WEFT_OK;
  /* A restored activation (snapshot.c) has its frames in place already,
  ** from the entry's sentinel at 0 up. */
  const struct wf_frame *resume = ex->resume;
  const u32 base_depth = resume ? 0 : ex->depth;
  weft_instance *inst = resume ? resume->inst : f->inst;
  /* The running function's code: volatile, so that GCC keeps it on the
  ** stack (the call path writes it and the hot ops never read it) and
  ** the register goes to fuel; without it GCC kept code in a register and
  ** the metered ops subtracted fuel in memory (P12k). */
  const struct wf_code *volatile code = resume ? resume->code : f->code;
  const u32 *ip;
  u8 *mem;
  i64 mem_lim; /* memory 0's size less EA_SLACK (EA_AT) */
  if (!resume && WF_UNLIKELY(!code) && !(code = wf_func_lower(f, ex->err)))
    return lowering_status(ex->err);

  /* Variables of the shared call path. */
  weft_func *callee;
  const struct wf_code *ncode;
  weft_slot *nfp;
  const u32 *ret_ip;
  weft_exn *exn;          /* the exception being thrown */
  i64 fuel = ex->fuel;    /* the counter while run() runs: FUEL_SAVE */
  bool tail_host = false; /* call_func runs a tail call: no handler of this
                             frame applies to what the callee throws */
  u32 acc = 0; /* the last i32 result, for the _ACC forms (interp_acc.h) */

  if (resume) {
    ex->resume = NULL;
    fp = resume->fp;
    ip = resume->ip;
    MEMORY_RELOAD();
    NEXT();
  }
  if (!frame_room(ex, fp + code->frame_slots))
    return wf_error_trap(ex->err, WEFT_TRAP_STACK_EXHAUSTED);
  /* A sentinel frame marks where this activation returns to the host. */
  ex->frames[ex->depth].ip = NULL;
  ex->frames[ex->depth].fp = fp;
  ex->frames[ex->depth].code = code;
  ex->frames[ex->depth].inst = inst;
  ex->depth++;
  frame_init_out(fp, code);
  ip = code->ops;
  MEMORY_RELOAD();

#if WEFT_COMPUTED_GOTO
  NEXT();
#else
dispatch:
  switch ((enum wf_op) * ip) {
#endif

  CASE(UNREACHABLE) { TRAP(WEFT_TRAP_UNREACHABLE); }
  CASE(FUEL) {
    /* A block that cannot be paid in full does not start. The charge
    ** comes first and is tested by its sign (fuel is never negative, the
    ** cost below 2^32): the common case is one subtract and one branch;
    ** a shortfall puts it back and takes the rare path before paying.
    ** ip is past the op by then, on every way to the rare path (the
    ** _FUEL branches' too): ip at the op there would cost those branches
    ** a register move on their hot path. */
    ip += 2;
    if (WF_UNLIKELY((fuel -= ip[-1]) < 0)) {
    fuel_short: /* from a _FUEL branch too, having charged this op */
      ip -= 2;
      fuel += ip[1];
      /* A safe point: the fuel hook may take a snapshot here. */
      ex->at = (struct wf_frame){ip, fp, code, inst};
      ex->safe = WF_SAFE_FUEL;
      FUEL_SAVE();
      weft_trap t = wf_engine_refuel(inst->engine, (i64)ip[1]);
      FUEL_LOAD();
      ex->safe = WF_SAFE_NONE;
      if (t != WEFT_TRAP_NONE)
        TRAP(t);
      MEMORY_RELOAD(); /* the hook may have grown it */
      fuel -= ip[1];
      ip += 2;
    }
    NEXT();
  }
  CASE(BR) {
    BACK_EDGE(ip[1]);
    JUMP(1);
    NEXT();
  }
  CASE(BR_IF) {
    if (S(1).u32) {
      BACK_EDGE(ip[2]);
      JUMP(2);
    } else
      ip += 3;
    NEXT();
  }
  CASE(BR_UNLESS) {
    if (!S(1).u32) {
      BACK_EDGE(ip[2]);
      JUMP(2);
    } else
      ip += 3;
    NEXT();
  }
  CASE(BR_TABLE) {
    u32 i = S(1).u32, n = ip[2];
    const u32 *entry = ip + 3 + (i < n ? i : n);
    ip = entry + (i32)*entry;
    NEXT();
  }
/* A compare-and-branch: taken when `cond` holds (operands S(1) and S(2),
** or the immediate ip[2] for the _K forms below), offset at ip[3]. */
#define BR_ON(name, cond)                                                      \
  CASE(name) {                                                                 \
    if (cond) {                                                                \
      BACK_EDGE(ip[3]);                                                        \
      JUMP(3);                                                                 \
    } else                                                                     \
      ip += 4;                                                                 \
    NEXT();                                                                    \
  }
#define BR_CMP(name, member, expr) BR_ON(name, S(1).member expr S(2).member)
  BR_CMP(BR_IF_I32_EQ, u32, ==)
  BR_CMP(BR_IF_I32_NE, u32, !=)
  BR_CMP(BR_IF_I32_LT_S, i32, <)
  BR_CMP(BR_IF_I32_LT_U, u32, <)
  BR_CMP(BR_IF_I32_GT_S, i32, >)
  BR_CMP(BR_IF_I32_GT_U, u32, >)
  BR_CMP(BR_IF_I32_LE_S, i32, <=)
  BR_CMP(BR_IF_I32_LE_U, u32, <=)
  BR_CMP(BR_IF_I32_GE_S, i32, >=)
  BR_CMP(BR_IF_I32_GE_U, u32, >=)
  BR_CMP(BR_IF_I64_EQ, u64, ==)
  BR_CMP(BR_IF_I64_NE, u64, !=)
  BR_CMP(BR_IF_I64_LT_S, i64, <)
  BR_CMP(BR_IF_I64_LT_U, u64, <)
  BR_CMP(BR_IF_I64_GT_S, i64, >)
  BR_CMP(BR_IF_I64_GT_U, u64, >)
  BR_CMP(BR_IF_I64_LE_S, i64, <=)
  BR_CMP(BR_IF_I64_LE_U, u64, <=)
  BR_CMP(BR_IF_I64_GE_S, i64, >=)
  BR_CMP(BR_IF_I64_GE_U, u64, >=)
#undef BR_CMP
  CASE(BR_IF_I32_EQZ) {
    if (S(1).u32 == 0) {
      BACK_EDGE(ip[2]);
      JUMP(2);
    } else
      ip += 3;
    NEXT();
  }
  CASE(BR_IF_I64_EQZ) {
    if (S(1).u64 == 0) {
      BACK_EDGE(ip[2]);
      JUMP(2);
    } else
      ip += 3;
    NEXT();
  }
  CASE(BR_IF_I64_NEZ) {
    if (S(1).u64 != 0) {
      BACK_EDGE(ip[2]);
      JUMP(2);
    } else
      ip += 3;
    NEXT();
  }
  /* Branches in their _FUEL form (lower.c): pay the FUEL op they land on
  ** and go past it; a shortfall takes that op's rare path (fuel_short, ip
  ** past the op, the charge already made: charging in place, not into a
  ** copy kept for the shortfall, is one subtract instead of two moves and
  ** a subtract). FUEL_PAY(n) pays the FUEL op n units on; FUEL_INTO(at)
  ** that of the branch whose offset is the unit at `at`; FUEL_IF(c, at,
  ** n) the latter when c holds, else the next op's (n units on, never a
  ** back edge). ip moves once, by a distance from ip (not through a
  ** target pointer: GCC then keeps both, a lea more per branch). */
#define FUEL_PAY(n)                                                            \
  do {                                                                         \
    ip += (n) + 2;                                                             \
    if (WF_UNLIKELY((fuel -= ip[-1]) < 0))                                     \
      goto fuel_short;                                                         \
    NEXT();                                                                    \
  } while (0)
#define FUEL_INTO(at)                                                          \
  do {                                                                         \
    i32 d_ = (i32)ip[at];                                                      \
    BACK_EDGE_FUEL(d_);                                                        \
    FUEL_PAY((at) + d_);                                                       \
  } while (0)
#define FUEL_IF(c, at, n)                                                      \
  do {                                                                         \
    if (c)                                                                     \
      FUEL_INTO(at);                                                           \
    FUEL_PAY(n);                                                               \
  } while (0)
  CASE(BR_FUEL) { FUEL_INTO(1); }
  CASE(BR_IF_FUEL) { FUEL_IF(S(1).u32, 2, 3); }
  CASE(BR_UNLESS_FUEL) { FUEL_IF(!S(1).u32, 2, 3); }
  CASE(BR_IF_I32_EQZ_FUEL) { FUEL_IF(S(1).u32 == 0, 2, 3); }
#define BR_CMP_FUEL(name, member, expr)                                        \
  CASE(name) { FUEL_IF(S(1).member expr S(2).member, 3, 4); }
  BR_CMP_FUEL(BR_IF_I32_EQ_FUEL, u32, ==)
  BR_CMP_FUEL(BR_IF_I32_NE_FUEL, u32, !=)
  BR_CMP_FUEL(BR_IF_I32_LT_S_FUEL, i32, <)
  BR_CMP_FUEL(BR_IF_I32_LT_U_FUEL, u32, <)
  BR_CMP_FUEL(BR_IF_I32_GT_S_FUEL, i32, >)
  BR_CMP_FUEL(BR_IF_I32_GT_U_FUEL, u32, >)
  BR_CMP_FUEL(BR_IF_I32_LE_S_FUEL, i32, <=)
  BR_CMP_FUEL(BR_IF_I32_LE_U_FUEL, u32, <=)
  BR_CMP_FUEL(BR_IF_I32_GE_S_FUEL, i32, >=)
  BR_CMP_FUEL(BR_IF_I32_GE_U_FUEL, u32, >=)
#undef BR_CMP_FUEL
  CASE(I32_ADD_BR_IF_FUEL) {
    u32 r = S(2).u32 + S(3).u32;
    S(1).u32 = r;
    FUEL_IF(r, 4, 5);
  }
  CASE(I32_SUB_BR_IF_FUEL) {
    u32 r = S(2).u32 - S(3).u32;
    S(1).u32 = r;
    FUEL_IF(r, 4, 5);
  }
  /* The _FUEL forms of the later fused branches (the last block of
  ** ops.def). */
  CASE(BR_IF_I32_AND_FUEL) { FUEL_IF(S(1).u32 & S(2).u32, 3, 4); }
  CASE(BR_UNLESS_I32_AND_FUEL) { FUEL_IF(!(S(1).u32 & S(2).u32), 3, 4); }
  CASE(COPY_BR_FUEL) {
    S(1).u64 = S(2).u64;
    FUEL_INTO(3);
  }
  CASE(I32_ADD_BR_FUEL) {
    S(1).u32 = S(2).u32 + S(3).u32;
    FUEL_INTO(4);
  }
  /* Its entry's target, then past that FUEL op (ip moves by a distance
  ** from the entry, as FUEL_PAY's from ip). */
#define FUEL_TABLE()                                                           \
  do {                                                                         \
    u32 i_ = S(1).u32, n_ = ip[2];                                             \
    ip += 3 + (i_ < n_ ? i_ : n_);                                             \
    FUEL_PAY((i32)*ip);                                                        \
  } while (0)
  CASE(BR_TABLE_FUEL) { FUEL_TABLE(); }
  /* Back to the caller's frame, or out of run() when the frame popped is
  ** this activation's sentinel (ip NULL, popped when the depth is back at
  ** base_depth: the ip loaded anyway is tested, not base_depth). mem and
  ** mem_lim hold inst's memory 0 at every dispatch (each op that may move
  ** it reloads them), so a caller of the same instance finds them current;
  ** another instance's goes to return_other, which has its own dispatch
  ** (a reload under a test in place made GCC merge every dispatch into
  ** one shared jump: 60% more instructions on cmark). */
#define RETURN_TO_CALLER()                                                     \
  do {                                                                         \
    struct wf_frame *fr = &ex->frames[--ex->depth];                            \
    ip = fr->ip;                                                               \
    if (WF_UNLIKELY(ip == NULL)) {                                             \
      FUEL_SAVE();                                                             \
      return WEFT_OK;                                                          \
    }                                                                          \
    fp = fr->fp;                                                               \
    code = fr->code;                                                           \
    if (WF_UNLIKELY(fr->inst != inst))                                         \
      goto return_other;                                                       \
    NEXT();                                                                    \
  } while (0)
  CASE(RETURN) { RETURN_TO_CALLER(); }
  CASE(CALL_INTERNAL) {
    ncode = wf_inst_code(inst, ip[1]);
    nfp = SLOT_PTR(ip[2]);
    if (WF_UNLIKELY(inst->calls_by_func)) { /* compiled or not lowered yet */
      ret_ip = ip + 3;
      goto internal_call;
    }
    ip += 3;
    goto enter;
  }
  CASE(CALL) {
    callee = inst->funcs[ip[1]];
    nfp = SLOT_PTR(ip[2]);
    ret_ip = ip + 3;
    goto call_func;
  }
  CASE(CALL_INDIRECT) {
    INDIRECT_CALLEE();
    nfp = SLOT_PTR(ip[3]);
    ret_ip = ip + 5;
    goto call_func;
  }
  /* Tail calls: the callee takes over this frame (tail_call below). */
  CASE(RETURN_CALL_INTERNAL) {
    ncode = wf_inst_code(inst, ip[1]);
    LOWER_ON_FIRST_CALL(lower_internal);
    nfp = SLOT_PTR(ip[2]);
    /* Tiered modules are split only when this is a self call (cgen.c):
    ** the callee is this interpreted function. */
    goto tail_enter;
  }
  /* A host or compiled callee cannot take over an interpreter frame: it
  ** is called, and the code after the op (lower.c) returns its results. */
  CASE(RETURN_CALL) {
    callee = inst->funcs[ip[1]];
    nfp = SLOT_PTR(ip[2]);
    ret_ip = ip + 3;
    goto tail_call;
  }
  CASE(RETURN_CALL_INDIRECT) {
    INDIRECT_CALLEE();
    nfp = SLOT_PTR(ip[3]);
    ret_ip = ip + 5;
    goto tail_call;
  }
  /* Exception handling: make or take the exception, then unwind. */
  CASE(THROW) {
    exn = wf_exn_new(inst->engine, inst->tags[ip[1]], SLOT_PTR(ip[2]));
    if (WF_UNLIKELY(!exn)) {
      status = wf_error_set(ex->err, WEFT_ERR_NOMEM,
                            "out of memory throwing an exception");
      goto failed;
    }
    goto throw_exn;
  }
  CASE(THROW_REF) {
    exn = S(1).ref;
    if (WF_UNLIKELY(!exn))
      TRAP(WEFT_TRAP_NULL_EXNREF);
    goto throw_exn;
  }
  /* typed function references (3.0): the callee is the reference operand,
  ** null traps and its signature is checked against the type immediate */
  CASE(CALL_REF) {
    REF_CALLEE();
    nfp = SLOT_PTR(ip[2]);
    ret_ip = ip + 4;
    goto call_func;
  }
  CASE(RETURN_CALL_REF) {
    REF_CALLEE();
    nfp = SLOT_PTR(ip[2]);
    ret_ip = ip + 4;
    goto tail_call;
  }
  CASE(REF_AS_NON_NULL) {
    if (WF_UNLIKELY(!S(1).ref))
      TRAP(WEFT_TRAP_NULL_REF);
    ip += 2;
    NEXT();
  }
  /* Scalars and references copy 8 bytes; only v128 needs the whole slot. */
  CASE(COPY_I32)
  CASE(COPY_I64)
  CASE(COPY_F32)
  CASE(COPY_F64)
  CASE(COPY_REF) {
    u64 v = S(2).u64;
    S(1).u64 = v;
    acc = (u32)v; /* an i32 copied: the _ACC forms' (acc.def) */
    ip += 3;
    NEXT();
  }
  CASE(COPY_V128) {
    S(1) = S(2);
    ip += 3;
    NEXT();
  }
  CASE(SELECT_I32)
  CASE(SELECT_I64)
  CASE(SELECT_F32)
  CASE(SELECT_F64)
  CASE(SELECT_REF) {
    S(1).u64 = S(4).u32 ? S(2).u64 : S(3).u64;
    ip += 5;
    NEXT();
  }
  CASE(SELECT_V128) {
    S(1) = S(4).u32 ? S(2) : S(3);
    ip += 5;
    NEXT();
  }
#define SELECT_CMP(name, member, expr)                                         \
  CASE(name) {                                                                 \
    S(1).u64 = S(4).member expr S(5).member ? S(2).u64 : S(3).u64;             \
    ip += 6;                                                                   \
    NEXT();                                                                    \
  }
  SELECT_CMP(SELECT_I32_EQ, u32, ==)
  SELECT_CMP(SELECT_I32_NE, u32, !=)
  SELECT_CMP(SELECT_I32_LT_S, i32, <)
  SELECT_CMP(SELECT_I32_LT_U, u32, <)
  SELECT_CMP(SELECT_I32_GT_S, i32, >)
  SELECT_CMP(SELECT_I32_GT_U, u32, >)
#undef SELECT_CMP
  CASE(GLOBAL_GET) {
    S(1) = inst->globals[ip[2]]->val;
    ip += 3;
    NEXT();
  }
  CASE(GLOBAL_SET) {
    inst->globals[ip[1]]->val = S(2);
    ip += 3;
    NEXT();
  }
  CASE(I32_ADD_BR_IF) {
    u32 r = S(2).u32 + S(3).u32;
    S(1).u32 = r;
    if (r) {
      BACK_EDGE(ip[4]);
      JUMP(4);
    } else
      ip += 5;
    NEXT();
  }
  CASE(I32_SUB_BR_IF) {
    u32 r = S(2).u32 - S(3).u32;
    S(1).u32 = r;
    if (r) {
      BACK_EDGE(ip[4]);
      JUMP(4);
    } else
      ip += 5;
    NEXT();
  }
  /* i32.add then an access at the sum (operands d a b, the offset ip[5]):
  ** the sum written to S(1), then its effective address checked as EA's. */
#define ADD_EA(width)                                                          \
  u32 sum = S(2).u32 + S(3).u32;                                               \
  S(1).u32 = sum;                                                              \
  EA_AT(ea, sum, 5, width)
  CASE(I32_ADD_I32_LOAD)
  CASE(I32_ADD_F32_LOAD) {
    ADD_EA(4)
    S(4).u32 = acc = wf_ld32(mem + ea);
    ip += 6;
    NEXT();
  }
#define ADD_LOAD(name, width, expr)                                            \
  CASE(name) {                                                                 \
    ADD_EA(width)                                                              \
    S(4).u32 = acc = (expr);                                                   \
    ip += 6;                                                                   \
    NEXT();                                                                    \
  }
  ADD_LOAD(I32_ADD_I32_LOAD8_S, 1, (u32)(i32)(i8)mem[ea])
  ADD_LOAD(I32_ADD_I32_LOAD8_U, 1, mem[ea])
  ADD_LOAD(I32_ADD_I32_LOAD16_S, 2, (u32)(i32)(i16)wf_ld16(mem + ea))
  ADD_LOAD(I32_ADD_I32_LOAD16_U, 2, wf_ld16(mem + ea))
#undef ADD_LOAD
  CASE(I32_ADD_I64_LOAD)
  CASE(I32_ADD_F64_LOAD) {
    ADD_EA(8)
    S(4).u64 = wf_ld64(mem + ea);
    ip += 6;
    NEXT();
  }
#define ARITH_STORE(name, expr)                                                \
  CASE(name) {                                                                 \
    f64 a = S(2).f64, b = S(3).f64;                                            \
    S(1).f64 = (expr);                                                         \
    EA(4, 5, 8)                                                                \
    wf_st64(mem + ea, S(1).u64);                                               \
    ip += 6;                                                                   \
    NEXT();                                                                    \
  }
  ARITH_STORE(F64_ADD_F64_STORE, a + b)
  ARITH_STORE(F64_SUB_F64_STORE, a - b)
  ARITH_STORE(F64_MUL_F64_STORE, a * b)
#undef ARITH_STORE
  /* i32.add, f64.load from the sum, arithmetic on the loaded value m and
  ** x = S(7): x + m reads both from memory, as F64_ADD's handler does,
  ** x first. For m + x the loaded value goes to its slot (ip[4], unused
  ** otherwise) and both are read from their slots after SLOTS_AGAIN, m
  ** first (see MUL_ARITH below: NaN payloads follow the order). */
#define ADD_LOAD_ARITH(name, keep, expr)                                       \
  CASE(name) {                                                                 \
    ADD_EA(8)                                                                  \
    union {                                                                    \
      u64 u;                                                                   \
      f64 f;                                                                   \
    } m = {.u = wf_ld64(mem + ea)};                                            \
    keep;                                                                      \
    S(6).f64 = (expr);                                                         \
    ip += 8;                                                                   \
    NEXT();                                                                    \
  }
#define KEEP_M                                                                 \
  S(4).u64 = m.u;                                                              \
  SLOTS_AGAIN()
  ADD_LOAD_ARITH(I32_ADD_F64_LOAD_ADD, (void)0, S(7).f64 + m.f)
  ADD_LOAD_ARITH(I32_ADD_F64_LOAD_SUB, (void)0, S(7).f64 - m.f)
  ADD_LOAD_ARITH(I32_ADD_F64_LOAD_MUL, (void)0, S(7).f64 * m.f)
  ADD_LOAD_ARITH(I32_ADD_F64_LOAD_ADD_L, KEEP_M, S(4).f64 + S(7).f64)
  ADD_LOAD_ARITH(I32_ADD_F64_LOAD_SUB_L, KEEP_M, S(4).f64 - S(7).f64)
  ADD_LOAD_ARITH(I32_ADD_F64_LOAD_MUL_L, KEEP_M, S(4).f64 * S(7).f64)
#undef KEEP_M
#undef ADD_LOAD_ARITH
  CASE(I32_ADD_I32_ADD) {
    S(1).u32 = S(2).u32 + S(3).u32;
    S(5).u32 = S(6).u32 + S(7).u32;
    ip += 8;
    NEXT();
  }
  /* f64.mul then add or sub reading the product (and maybe the store of
  ** that result): each result is written before the next op reads, and
  ** the second op reads both its operands from their slots after
  ** SLOTS_AGAIN, as its own handler would: with one operand left in a
  ** register the compiler may swap those of a commutative op, and when
  ** both are NaNs the result keeps the payload of the one it puts first. */
#define MUL_ARITH(name, expr, len, store)                                      \
  CASE(name) {                                                                 \
    S(1).f64 = S(2).f64 * S(3).f64;                                            \
    SLOTS_AGAIN();                                                             \
    union {                                                                    \
      f64 f;                                                                   \
      u64 u;                                                                   \
    } r = {.f = (expr)};                                                       \
    S(4).f64 = r.f;                                                            \
    store;                                                                     \
    ip += (len);                                                               \
    NEXT();                                                                    \
  }
#define STORE_R(a, o)                                                          \
  EA(a, o, 8)                                                                  \
  wf_st64(mem + ea, r.u)
  MUL_ARITH(F64_MUL_ADD, S(5).f64 + S(1).f64, 6, (void)0)
  MUL_ARITH(F64_MUL_SUB, S(5).f64 - S(1).f64, 6, (void)0)
  MUL_ARITH(F64_MUL_ADD_L, S(1).f64 + S(5).f64, 6, (void)0)
  MUL_ARITH(F64_MUL_SUB_L, S(1).f64 - S(5).f64, 6, (void)0)
  MUL_ARITH(F64_MUL_ADD_F64_STORE, S(5).f64 + S(1).f64, 8, STORE_R(6, 7))
  MUL_ARITH(F64_MUL_SUB_F64_STORE, S(5).f64 - S(1).f64, 8, STORE_R(6, 7))
  MUL_ARITH(F64_MUL_ADD_L_F64_STORE, S(1).f64 + S(5).f64, 8, STORE_R(6, 7))
  MUL_ARITH(F64_MUL_SUB_L_F64_STORE, S(1).f64 - S(5).f64, 8, STORE_R(6, 7))
#undef MUL_ARITH
  /* I32_ADD_F64_LOAD_MUL (product in S(6)), then y + p or y - p (S(9) is
  ** y), then maybe the store of that result (address S(10), offset
  ** ip[11]); operands reread as in MUL_ARITH. */
#define LOAD_MUL_ARITH(name, expr, len, store)                                 \
  CASE(name) {                                                                 \
    u32 sum = S(2).u32 + S(3).u32;                                             \
    S(1).u32 = sum;                                                            \
    EA_AT(ea0, sum, 5, 8) /* STORE_R has its own ea */                         \
    union {                                                                    \
      u64 u;                                                                   \
      f64 f;                                                                   \
    } m = {.u = wf_ld64(mem + ea0)}, r;                                        \
    S(6).f64 = S(7).f64 * m.f;                                                 \
    SLOTS_AGAIN();                                                             \
    r.f = (expr);                                                              \
    S(8).f64 = r.f;                                                            \
    store;                                                                     \
    ip += (len);                                                               \
    NEXT();                                                                    \
  }
  LOAD_MUL_ARITH(I32_ADD_F64_LOAD_MUL_ADD, S(9).f64 + S(6).f64, 10, (void)0)
  LOAD_MUL_ARITH(I32_ADD_F64_LOAD_MUL_SUB, S(9).f64 - S(6).f64, 10, (void)0)
  LOAD_MUL_ARITH(I32_ADD_F64_LOAD_MUL_ADD_F64_STORE, S(9).f64 + S(6).f64, 12,
                 STORE_R(10, 11))
  LOAD_MUL_ARITH(I32_ADD_F64_LOAD_MUL_SUB_F64_STORE, S(9).f64 - S(6).f64, 12,
                 STORE_R(10, 11))
#undef STORE_R
#undef LOAD_MUL_ARITH
#undef ADD_EA

  /* ---- hot pairs of branchy, call-heavy code (ops.def's last block) ---- */
  /* The second operator reads its other operand after the first result is
  ** written: they may be the same slot (a local.tee), as in sequence. */
#define PAIR(name, first, second)                                              \
  CASE(name) {                                                                 \
    u32 a = S(2).u32, b = S(3).u32;                                            \
    u32 r = (first);                                                           \
    S(1).u32 = r;                                                              \
    a = r;                                                                     \
    b = S(5).u32;                                                              \
    S(4).u32 = (second);                                                       \
    ip += 6;                                                                   \
    NEXT();                                                                    \
  }
  PAIR(I32_SHR_U_AND, a >> (b & 31), a & b)
  PAIR(I32_AND_SHR_U, a & b, a >> (b & 31))
  PAIR(I32_SHL_XOR, a << (b & 31), a ^ b)
  PAIR(I32_SHL_ADD, a << (b & 31), a + b)
  PAIR(I32_SHL_OR, a << (b & 31), a | b)
  PAIR(I32_ADD_ADD, a + b, a + b)
  PAIR(I32_AND_ADD, a & b, a + b)
  PAIR(I32_MUL_ADD, a * b, a + b)
#undef PAIR
  CASE(BR_IF_I32_AND) {
    if (S(1).u32 & S(2).u32) {
      BACK_EDGE(ip[3]);
      JUMP(3);
    } else
      ip += 4;
    NEXT();
  }
  CASE(BR_UNLESS_I32_AND) {
    if (!(S(1).u32 & S(2).u32)) {
      BACK_EDGE(ip[3]);
      JUMP(3);
    } else
      ip += 4;
    NEXT();
  }
  CASE(I32_LOAD_I32_LOAD) {
    EA(2, 3, 4)
    u32 p = wf_ld32(mem + ea);
    S(1).u32 = p;
    EA_AT(ea2, p, 5, 4)
    S(4).u32 = wf_ld32(mem + ea2);
    ip += 6;
    NEXT();
  }
  CASE(I32_LOAD_ADD) {
    EA(2, 3, 4)
    u32 r = wf_ld32(mem + ea);
    S(1).u32 = r;
    S(4).u32 = r + S(5).u32;
    ip += 6;
    NEXT();
  }
  CASE(I32_ADD_I32_STORE) {
    u32 r = S(2).u32 + S(3).u32;
    S(1).u32 = r;
    EA(4, 5, 4)
    wf_st32(mem + ea, r);
    ip += 6;
    NEXT();
  }
  CASE(I32_ADD_BR) {
    S(1).u32 = S(2).u32 + S(3).u32;
    BACK_EDGE(ip[4]);
    JUMP(4);
    NEXT();
  }
  /* Scalar copies joined to the op after them (lower.c). */
  CASE(COPY2) {
    S(1).u64 = S(2).u64;
    S(3).u64 = S(4).u64;
    ip += 5;
    NEXT();
  }
  CASE(COPY_BR) {
    S(1).u64 = S(2).u64;
    BACK_EDGE(ip[3]);
    JUMP(3);
    NEXT();
  }
  CASE(COPY_RETURN) {
    S(1).u64 = S(2).u64;
    RETURN_TO_CALLER();
  }
  CASE(SET32_RETURN) {
    S(1).u64 = ip[2];
    RETURN_TO_CALLER();
  }
#include "interp_join.h" /* the joined ops (joins.def) */
#undef FUEL_TABLE
#undef FUEL_IF
#undef FUEL_INTO
#undef FUEL_PAY
#undef RETURN_TO_CALLER

  /* ---- memory ---- */
#define LOAD(name, width, expr)                                                \
  CASE(name) {                                                                 \
    EA(2, 3, width)                                                            \
    expr;                                                                      \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
  CASE(F32_LOAD)
  LOAD(I32_LOAD, 4, S(1).u32 = acc = wf_ld32(mem + ea))
  CASE(F64_LOAD)
  LOAD(I64_LOAD, 8, S(1).u64 = wf_ld64(mem + ea))
  LOAD(I32_LOAD8_S, 1, S(1).u32 = acc = (u32)(i32)(i8)mem[ea])
  LOAD(I32_LOAD8_U, 1, S(1).u32 = acc = mem[ea])
  LOAD(I32_LOAD16_S, 2, S(1).u32 = acc = (u32)(i32)(i16)wf_ld16(mem + ea))
  LOAD(I32_LOAD16_U, 2, S(1).u32 = acc = wf_ld16(mem + ea))
  LOAD(I64_LOAD8_S, 1, S(1).i64 = (i8)mem[ea])
  LOAD(I64_LOAD8_U, 1, S(1).u64 = mem[ea])
  LOAD(I64_LOAD16_S, 2, S(1).i64 = (i16)wf_ld16(mem + ea))
  LOAD(I64_LOAD16_U, 2, S(1).u64 = wf_ld16(mem + ea))
  LOAD(I64_LOAD32_S, 4, S(1).i64 = (i32)wf_ld32(mem + ea))
  LOAD(I64_LOAD32_U, 4, S(1).u64 = wf_ld32(mem + ea))
#undef LOAD
#define STORE(name, width, expr)                                               \
  CASE(name) {                                                                 \
    EA(1, 3, width)                                                            \
    expr;                                                                      \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
  CASE(F32_STORE)
  STORE(I32_STORE, 4, wf_st32(mem + ea, S(2).u32))
  CASE(F64_STORE)
  STORE(I64_STORE, 8, wf_st64(mem + ea, S(2).u64))
  STORE(I32_STORE8, 1, mem[ea] = (u8)S(2).u32)
  STORE(I32_STORE16, 2, wf_st16(mem + ea, (u16)S(2).u32))
  STORE(I64_STORE8, 1, mem[ea] = (u8)S(2).u64)
  STORE(I64_STORE16, 2, wf_st16(mem + ea, (u16)S(2).u64))
  STORE(I64_STORE32, 4, wf_st32(mem + ea, (u32)S(2).u64))
#undef STORE
  CASE(MEMORY_SIZE) {
    S(1).u32 = inst->mem0->pages;
    ip += 2;
    NEXT();
  }
  CASE(MEMORY_GROW) {
    i32 old;
    BULK(wf_bulk_memory_grow(inst, S(2).u32, &old));
    S(1).i32 = old;
    ip += 3;
    NEXT();
  }
  CASE(MEMORY_FILL) {
    BULK(wf_bulk_memory_fill(inst, S(1).u32, (u8)S(2).u32, S(3).u32));
    ip += 4;
    NEXT();
  }
  CASE(MEMORY_COPY) {
    BULK(wf_bulk_memory_copy(inst, S(1).u32, S(2).u32, S(3).u32));
    ip += 4;
    NEXT();
  }
  CASE(MEMORY_INIT) {
    BULK(wf_bulk_memory_init(inst, ip[1], S(2).u32, S(3).u32, S(4).u32));
    ip += 5;
    NEXT();
  }
  /* ---- multi-memory, memory64, table64 (ops.def) ---- */
  CASE(MEMX_AT) {
    /* Open a window of `width` bytes at the checked address of memory
    ** ip[1]; the access that follows reads address 0 in it. */
    weft_memory *xm = inst->memories[ip[1]];
    u64 a = xm->is64 ? S(2).u64 : S(2).u32;
    u64 ea = a + ((u64)ip[4] << 32 | ip[3]);
    if (WF_UNLIKELY(ea < a || ea > xm->size || xm->size - ea < ip[5]))
      TRAP(WEFT_TRAP_MEMORY_OOB);
    MEMORY_AT(xm->data + ea, ip[5]);
    ip += 6;
    NEXT();
  }
  CASE(MEMX_END) {
    MEMORY_RELOAD();
    ip += 1;
    NEXT();
  }
  CASE(MEMX_SIZE) {
    weft_memory *xm = inst->memories[ip[2]];
    if (xm->is64)
      S(1).u64 = xm->pages;
    else
      S(1).u32 = xm->pages;
    ip += 3;
    NEXT();
  }
  CASE(MEMX_GROW) {
    weft_memory *xm = inst->memories[ip[2]];
    i64 old;
    BULK(wf_bulk_memx_grow(inst, ip[2], xm->is64 ? S(3).u64 : S(3).u32, &old));
    if (xm->is64)
      S(1).i64 = old;
    else
      S(1).i32 = (i32)old;
    ip += 4;
    NEXT();
  }
  CASE(MEMX_FILL) {
    bool x64 = inst->memories[ip[1]]->is64;
    BULK(wf_bulk_memx_fill(inst, ip[1], x64 ? S(2).u64 : S(2).u32, (u8)S(3).u32,
                           x64 ? S(4).u64 : S(4).u32));
    ip += 5;
    NEXT();
  }
  CASE(MEMX_COPY) {
    bool d64 = inst->memories[ip[1]]->is64, s64 = inst->memories[ip[2]]->is64;
    BULK(wf_bulk_memx_copy(inst, ip[1], ip[2], d64 ? S(3).u64 : S(3).u32,
                           s64 ? S(4).u64 : S(4).u32,
                           d64 && s64 ? S(5).u64 : S(5).u32));
    ip += 6;
    NEXT();
  }
  CASE(MEMX_INIT) {
    bool x64 = inst->memories[ip[2]]->is64;
    BULK(wf_bulk_memx_init(inst, ip[2], ip[1], x64 ? S(3).u64 : S(3).u32,
                           S(4).u32, S(5).u32));
    ip += 6;
    NEXT();
  }
  CASE(I64_SAT_U32) {
    u64 a = S(2).u64;
    S(1).u32 = a > UINT32_MAX ? UINT32_MAX : (u32)a;
    ip += 3;
    NEXT();
  }
  CASE(DATA_DROP) {
    inst->data_len[ip[1]] = 0;
    ip += 2;
    NEXT();
  }

  /* ---- tables and references ---- */
  CASE(TABLE_GET) {
    weft_table *t = inst->tables[ip[2]];
    u32 i = S(3).u32;
    if (i >= t->size)
      TRAP(WEFT_TRAP_TABLE_OOB);
    S(1).ref = t->elems[i];
    ip += 4;
    NEXT();
  }
  CASE(TABLE_SET) {
    weft_table *t = inst->tables[ip[1]];
    u32 i = S(2).u32;
    if (i >= t->size)
      TRAP(WEFT_TRAP_TABLE_OOB);
    t->elems[i] = S(3).ref;
    ip += 4;
    NEXT();
  }
  CASE(TABLE_SIZE) {
    S(1).u32 = inst->tables[ip[2]]->size;
    ip += 3;
    NEXT();
  }
  CASE(TABLE_GROW) {
    i32 old;
    BULK(wf_bulk_table_grow(inst, ip[2], S(3).ref, S(4).u32, &old));
    S(1).i32 = old;
    ip += 5;
    NEXT();
  }
  CASE(TABLE_FILL) {
    BULK(wf_bulk_table_fill(inst, ip[1], S(2).u32, S(3).ref, S(4).u32));
    ip += 5;
    NEXT();
  }
  CASE(TABLE_COPY) {
    BULK(wf_bulk_table_copy(inst, ip[1], ip[2], S(3).u32, S(4).u32, S(5).u32));
    ip += 6;
    NEXT();
  }
  CASE(TABLE_INIT) {
    BULK(wf_bulk_table_init(inst, ip[1], ip[2], S(3).u32, S(4).u32, S(5).u32));
    ip += 6;
    NEXT();
  }
  CASE(ELEM_DROP) {
    inst->elems[ip[1]].len = 0;
    ip += 2;
    NEXT();
  }
  CASE(REF_IS_NULL) {
    S(1).u32 = S(2).ref == NULL;
    ip += 3;
    NEXT();
  }
  CASE(REF_FUNC) {
    S(1).ref = inst->funcs[ip[2]];
    ip += 3;
    NEXT();
  }

#include "interp_num.h" /* numeric.def, and the operators that trap */
#include "interp_acc.h" /* the _ACC forms (acc.def) */

#include "interp_imm.h" /* a constant operand as an immediate (_K) */

#if WEFT_ENABLE_SIMD
  /* SIMD: every simd.def entry calls its simd.h function on slot bytes. */
#define V(i) wf_v128_load(S(i).v128)
#define SET_V(i, v) wf_v128_store(S(i).v128, (v))
#define SIMD_LOAD(name, opc, bytes, fn)                                        \
  CASE(name) {                                                                 \
    EA(2, 3, bytes);                                                           \
    SET_V(1, fn(mem + ea));                                                    \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_STORE(name, opc, bytes, fn)                                       \
  CASE(name) {                                                                 \
    EA(1, 3, bytes);                                                           \
    fn(mem + ea, V(2));                                                        \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_LOAD_LANE(name, opc, bytes, lanes, fn)                            \
  CASE(name) {                                                                 \
    EA(2, 4, bytes);                                                           \
    SET_V(1, fn(V(3), ip[5], mem + ea));                                       \
    ip += 6;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_STORE_LANE(name, opc, bytes, lanes, fn)                           \
  CASE(name) {                                                                 \
    EA(1, 3, bytes);                                                           \
    fn(mem + ea, V(2), ip[4]);                                                 \
    ip += 5;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_CONST(name, opc)
#define SIMD_SHUFFLE(name, opc, fn)                                            \
  CASE(name) {                                                                 \
    u8 lanes[16];                                                              \
    for (u32 i = 0; i < 16; i++)                                               \
      lanes[i] = (u8)(ip[4 + i / 4] >> (8 * (i % 4)));                         \
    SET_V(1, fn(V(2), V(3), lanes));                                           \
    ip += 8;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_SPLAT(name, opc, member, fn)                                      \
  CASE(name) {                                                                 \
    SET_V(1, fn(S(2).member));                                                 \
    ip += 3;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_EXTRACT(name, opc, member, lanes, fn)                             \
  CASE(name) {                                                                 \
    S(1).member = fn(V(2), ip[3]);                                             \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_REPLACE(name, opc, member, lanes, fn)                             \
  CASE(name) {                                                                 \
    SET_V(1, fn(V(2), ip[4], S(3).member));                                    \
    ip += 5;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_UN(name, opc, fn)                                                 \
  CASE(name) {                                                                 \
    SET_V(1, fn(V(2)));                                                        \
    ip += 3;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_BIN(name, opc, fn)                                                \
  CASE(name) {                                                                 \
    SET_V(1, fn(V(2), V(3)));                                                  \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_TERN(name, opc, fn)                                               \
  CASE(name) {                                                                 \
    SET_V(1, fn(V(2), V(3), V(4)));                                            \
    ip += 5;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_TEST(name, opc, fn)                                               \
  CASE(name) {                                                                 \
    S(1).u32 = fn(V(2));                                                       \
    ip += 3;                                                                   \
    NEXT();                                                                    \
  }
#define SIMD_SHIFT(name, opc, fn)                                              \
  CASE(name) {                                                                 \
    SET_V(1, fn(V(2), S(3).u32));                                              \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#include "simd.def"
#include "simd_undef.h"
#undef V
#undef SET_V
#endif /* WEFT_ENABLE_SIMD */

#if !WEFT_COMPUTED_GOTO
default: TRAP(WEFT_TRAP_UNREACHABLE);
}
#endif

/* A call within a module some of whose functions are compiled (tiered,
** src/runtime/aot.c) or not lowered yet: the callee may be one of them. */
internal_call : callee = inst->funcs[inst->module->m.nfunc_imports + ip[1]];
call_func :
    /* `callee` with its frame at nfp; return to ret_ip. */
    if (callee->host || callee->aot_slot_fn) {
  weft_slot *saved_top = ex->top;
  ex->top = fp + code->frame_slots;
  /* A safe point: a host function blocked in a call may take a snapshot
  ** from which this call is made again. */
  ex->at = (struct wf_frame){ip, fp, code, inst};
  ex->safe = WF_SAFE_HOST;
  FUEL_SAVE();
  status = wf_call_external(inst->engine, inst, callee, nfp, ex->err);
  FUEL_LOAD();
  ex->safe = WF_SAFE_NONE;
  ex->top = saved_top;
  if (WF_UNLIKELY(status == WEFT_ERR_EXCEPTION && ex->exn)) {
    /* Thrown in a nested activation or by the host: unwind here too. */
    exn = ex->exn;
    ex->exn = NULL;
    status = WEFT_OK;
    if (tail_host) {
      tail_host = false;
      goto throw_pop; /* this frame is gone: its caller's handlers */
    }
    goto throw_exn;
  }
  tail_host = false;
  if (status != WEFT_OK)
    goto failed;
  ip = ret_ip;
  MEMORY_RELOAD();
  NEXT();
}
ncode = callee->code;
LOWER_ON_FIRST_CALL(lower_callee);
if (callee->inst != inst) {
  /* Cross-instance call: the frame remembers our instance. */
  if (WF_UNLIKELY(!frame_room(ex, nfp + ncode->frame_slots)))
    TRAP(WEFT_TRAP_STACK_EXHAUSTED);
  struct wf_frame *fr = &ex->frames[ex->depth++];
  fr->ip = ret_ip;
  fr->fp = fp;
  fr->code = code;
  fr->inst = inst;
  inst = callee->inst;
  fp = nfp;
  code = ncode;
  COUNT_ENTRY(code);
  frame_init_out(fp, code);
  ip = code->ops;
  MEMORY_RELOAD();
  NEXT();
}
/* Entered from call_func: counted (COUNT_ENTRY) when the frame fits, as
** on every other entry; CALL_INTERNAL comes in at `enter`. */
if (WF_UNLIKELY(inst->hits != NULL) && frame_room(ex, nfp + ncode->frame_slots))
  inst->hits[ncode->funcidx]++;
ip = ret_ip;
/* A call of an interpreted function of this instance: its frame at nfp,
** ip at the return address (the call op has no ret_ip of its own to
** keep). A trap here is the call's: ip - 1, inside the call op, maps to
** its wasm offset (wf_code_wasm_offset takes the last op at or before,
** as record_trace does for the callers' return addresses). The value
** stack's end is tested before the frame array's capacity (frame_room's
** order): GCC then keeps no frame end across the call that grows the
** array, where it stored and reloaded one on every entry. */
enter : {
  if (WF_UNLIKELY(frame_end(nfp, ncode) > ex->stack_end))
    goto enter_trap;
  if (WF_UNLIKELY(ex->depth >= ex->frames_cap) && !wf_exec_grow_frames(ex))
    goto enter_trap;
  struct wf_frame *fr = &ex->frames[ex->depth++];
  fr->ip = ip;
  fr->fp = fp;
  fr->code = code;
  fr->inst = inst;
  fp = nfp;
  code = ncode;
  frame_init(fp, ncode); /* ncode, not code: volatile, read again */
  ip = ncode->ops;
  NEXT();
}

enter_trap : {
  ip--;
  TRAP(WEFT_TRAP_STACK_EXHAUSTED);
}

tail_call : {
  /* `callee` replaces the current frame; its arguments are at nfp. */
  if (callee->host || callee->aot_slot_fn) {
    tail_host = true;
    goto call_func;
  }
  ncode = callee->code;
  LOWER_ON_FIRST_CALL(lower_callee);
  if (callee->inst != inst) {
    /* The caller's frame restores its own instance on return. */
    inst = callee->inst;
    MEMORY_RELOAD();
  }
}
tail_enter : {
  /* Arguments down to the frame base (ascending: each source is at or
  ** above its destination), then the callee's frame over this one: no
  ** wf_frame is pushed, so the depth stays the same. */
  if (WF_UNLIKELY(fp + ncode->frame_slots > ex->stack_end))
    TRAP(WEFT_TRAP_STACK_EXHAUSTED);
  memmove(fp, nfp, (size_t)ncode->nparams * sizeof(weft_slot));
  code = ncode;
  COUNT_ENTRY(code);
  frame_init(fp, code);
  ip = code->ops;
  NEXT();
}

/* RETURN_TO_CALLER into another instance's frame, the one just popped. */
return_other : {
  inst = ex->frames[ex->depth].inst;
  MEMORY_RELOAD();
  NEXT();
}

/* LOWER_ON_FIRST_CALL's slow paths: ip[1] of CALL_INTERNAL and
** RETURN_CALL_INTERNAL is the callee's index among the defined functions. */
lower_internal : {
  if (!wf_module_lower(inst->module, inst->engine, ip[1], ex->err))
    goto lowering_failed;
  NEXT();
}
lower_callee : {
  if (!wf_func_lower(callee, ex->err))
    goto lowering_failed;
  NEXT();
}
lowering_failed : {
  status = lowering_status(ex->err);
  goto failed;
}

/* Unwind to the innermost handler that catches `exn`: this frame at ip,
** then each caller at its call. None in this activation: the exception
** goes to its caller (WEFT_ERR_EXCEPTION; a host call rethrows it). */
throw_exn : for (;;) {
  const struct wf_handler *h =
      wf_code_handler(code, inst, (u32)(ip - code->ops), exn);
  if (h) {
    u32 n = h->tag == WF_CATCH_ALL ? 0 : exn->n;
    if (n)
      memcpy(fp + h->dst, exn->vals, (size_t)n * sizeof(weft_slot));
    if (h->exn != UINT32_MAX) {
      exn->escaped = true;
      fp[h->exn].ref = exn;
    } else {
      wf_exn_drop(inst->engine, exn);
    }
    if (ex->err && ex->err->status == WEFT_ERR_EXCEPTION)
      wf_error_clear(ex->err);
    ip = code->ops + h->pad;
    MEMORY_RELOAD();
    NEXT();
  }
throw_pop:
  if (ex->depth - 1 == base_depth)
    break;
  const struct wf_frame *fr = &ex->frames[--ex->depth];
  ip = fr->ip - 1; /* inside the call */
  fp = fr->fp;
  code = fr->code;
  inst = fr->inst;
}
ex->depth = base_depth;
ex->exn = exn;
FUEL_SAVE();
return wf_exn_uncaught(ex->err, exn);

trapped : wf_error_trap(ex->err, trap);
if (ex->err)
  record_trace(ex, base_depth, code, inst, ip);
status = WEFT_ERR_TRAP;
failed : ex->depth = base_depth;
FUEL_SAVE();
return status;
}
