/*
** ir.h — the interpreter's internal code. A function body is lowered once
** into a stream of u32 units: an operation (a dispatch offset) followed by
** decoded operands. Frames are arrays of slots: locals, then constants,
** then the operand stack, all addressed directly by index.
*/
#ifndef WF_IR_H
#define WF_IR_H

#include "runtime.h"

enum wf_op {
#define OP(name, layout) WF_OP_##name,
#define UN(name, opc, a, r, e) WF_OP_##name,
#define BIN(name, opc, a, r, e) WF_OP_##name,
#include "numeric.def"
#include "ops.def"
#undef OP
#undef UN
#undef BIN
#define SIMD_OP(name, layout) WF_OP_##name,
#include "simd_each.h"
#undef SIMD_OP
  WF_OP_COUNT
};

/* Exception handling: one catch clause of a try_table (or legacy try),
** covering the code in [start, end). A function's handlers are listed
** innermost try first, each try's clauses in order, so the first match
** for a position is the one the spec picks. */
#define WF_CATCH_ALL UINT32_MAX
#define WF_DELEGATE (UINT32_MAX - 1) /* legacy try ... delegate */
struct wf_handler {
  u32 start, end; /* code range of the try body */
  u32 pad;        /* code index where the caught exception continues;
                     WF_DELEGATE: the position it is thrown again at */
  u32 tag;        /* tag index in the module, WF_CATCH_ALL, WF_DELEGATE */
  u32 dst;        /* slot of the first payload value */
  u32 exn;        /* slot for the exnref, or UINT32_MAX (none kept) */
  u32 level;      /* nesting depth of its try (the function is 0) */
  u32 target;     /* WF_DELEGATE: only handlers of level <= target apply */
};

struct wf_code {
  u32 *ops; /* instruction stream */
  u32 nops;
  u32 funcidx;
  u32 nparams;
  u32 nresults;
  u32 nlocals;       /* params + declared locals */
  u32 nlocal_slots;  /* max(nlocals, nresults): results return in place */
  u32 nconsts;       /* constant slots, after the local slots */
  weft_slot *consts; /* their values (in init when there is one) */
  /* What a new frame holds from slot init_at on, copied in one go: zero
  ** locals (from the first one a read may find unassigned), the constants,
  ** zero hidden slots. NULL with ninit 0 when there is nothing to set up,
  ** with ninit > 0 when the frame is set up slot kind by slot kind
  ** (lower.c's frame_image_slots says which). */
  weft_slot *init;
  u32 ninit;
  u32 init_at;
  u32 frame_slots; /* locals + constants + hidden + operand stack */
  /* The same, as the interpreter's entry reads them without arithmetic
  ** (interp.c's frame_init): frame_slots and init_at in bytes; init_copy
  ** is ninit with a kept image, 0 with nothing to set up, UINT32_MAX when
  ** the frame is set up slot kind by slot kind; init_tail is the byte
  ** offset in the image of its last run of a power of two slots (the run
  ** that frame_init copies second, overlapping the first). */
  u32 frame_bytes;
  u32 init_copy;
  u32 init_at_bytes;
  u32 init_tail;
  u32 *pcmap; /* pairs (code index, module byte offset), ascending */
  u32 npcmap; /* number of pairs */
  struct wf_handler *handlers; /* exception handling: catch clauses */
  u32 nhandlers;
  u32 nhidden; /* the slots after the constants: caught exceptions kept
                  for a legacy rethrow (NULL when none is held); below the
                  operand stack, where a callee's frame never reaches */
};

/* The handler of `code` at code index `pc` that catches `x` (tags are
** compared as the instance's tag objects), or NULL. */
WF_INTERNAL const struct wf_handler *wf_code_handler(const struct wf_code *code,
                                                     const weft_instance *inst,
                                                     u32 pc, const weft_exn *x);

/* Module byte offset of the Wasm instruction lowered at code index `pc`. */
WF_INTERNAL u32 wf_code_wasm_offset(const struct wf_code *code, u32 pc);

/* verify.c: each op's operand letters (ops.def), indexed by enum wf_op. */
WF_INTERNAL extern const char *const wf_op_layout[];

#if WEFT_DEBUG
/* verify.c: check a lowered body (lengths, slots, branch targets, handler
** pads, pc map; `dispatch` as given to wf_lower_func). NULL when sound,
** else what is wrong, with the op's code index in *at; wf_verify_nomem
** when it could not allocate its map (an allocation failure like any
** other, reported as such). */
WF_INTERNAL extern const char wf_verify_nomem[];
WF_INTERNAL const char *wf_code_verify(struct wf_alloc *a,
                                       const struct wf_code *code,
                                       const u32 *dispatch, u32 *at);
#endif

/* wf_lower_func, wf_code_free and wf_interp_dispatch_init are declared in
** runtime.h: they are the execution backend's entry points. */

#endif /* WF_IR_H */
