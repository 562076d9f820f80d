/*
** verify.c — the layout of every internal op (one table, from ops.def,
** numeric.def and simd.def: the interpreter's verifier and the C
** generator read it) and, in WEFT_DEBUG builds, a verifier of lowered
** code run after each body is lowered: every op is known and its operands
** lie inside the stream, slot operands lie inside the frame (and never
** name a constant slot as a destination), branch targets and handler
** landing pads fall on op boundaries, and the pc map is ordered. A
** failure is a bug in lower.c, reported through the assert hook.
*/
#include "ir.h"

/* Operand letters (ops.def): d destination slot, s source slot, b base
** slot of call arguments, i immediate, o branch offset, T br_table, j a
** joined op's unit. */
const char *const wf_op_layout[] = {
#define OP(name, layout) [WF_OP_##name] = layout,
#define UN(name, opc, ta, tr, e) [WF_OP_##name] = "ds",
#define BIN(name, opc, ta, tr, e) [WF_OP_##name] = "dss",
#include "ops.def"
#include "numeric.def"
#undef OP
#undef UN
#undef BIN
#define SIMD_OP(name, layout) [WF_OP_##name] = layout,
#include "simd_each.h"
#undef SIMD_OP
};

/* Every op has a layout; the table is indexed by enum wf_op. */
_Static_assert(sizeof wf_op_layout / sizeof *wf_op_layout == WF_OP_COUNT,
               "wf_op_layout covers every op");
/* Ops are stored in u32 units beside dispatch offsets; a frame slot is
** 16 bytes (weft_aot.h's ABI, v128 in one slot). */
_Static_assert(WF_OP_COUNT < 65536, "op numbers fit a unit with room");
_Static_assert(sizeof(weft_slot) == 16, "a slot holds a v128");

#if WEFT_DEBUG

const char wf_verify_nomem[] = "out of memory";

/* Dispatch value -> op, for code lowered with dispatch offsets: pairs
** sorted by value. Ops sharing a handler share a value; the first in enum
** order is kept (they share a layout, checked when the table is built). */
struct pair {
  u32 value, op;
};

static u32 layout_len(u32 op) { return (u32)wf_strlen(wf_op_layout[op]); }

/* An op whose layout ends in T (br_table, or a join ending in one):
** the table's units follow its last unit. */
static bool has_table(u32 op) {
  u32 n = layout_len(op);
  return n && wf_op_layout[op][n - 1] == 'T';
}

static const char *build_map(const u32 *dispatch, struct pair *map, u32 *n) {
  u32 k = 0;
  for (u32 op = 0; op < WF_OP_COUNT; op++)
    map[k++] = (struct pair){dispatch[op], op};
  /* Shell sort, stable enough: equal values keep the smaller op first. */
  for (u32 gap = k / 2; gap > 0; gap /= 2)
    for (u32 i = gap; i < k; i++) {
      struct pair t = map[i];
      u32 j = i;
      while (j >= gap &&
             (map[j - gap].value > t.value ||
              (map[j - gap].value == t.value && map[j - gap].op > t.op))) {
        map[j] = map[j - gap];
        j -= gap;
      }
      map[j] = t;
    }
  u32 out = 0;
  for (u32 i = 0; i < k; i++) {
    if (out && map[out - 1].value == map[i].value) {
      /* A disabled SIMD op shares UNREACHABLE's handler and is never
      ** emitted; any other sharing must keep the length. */
      if (map[i].op < WF_OP_COUNT &&
          layout_len(map[i].op) != layout_len(map[out - 1].op) &&
          wf_op_layout[map[out - 1].op][0] != '\0')
        return "ops sharing a handler have different layouts";
      continue;
    }
    map[out++] = map[i];
  }
  *n = out;
  return NULL;
}

static bool find_op(const struct pair *map, u32 n, u32 value, u32 *op) {
  u32 lo = 0, hi = n;
  while (lo < hi) {
    u32 mid = lo + (hi - lo) / 2;
    if (map[mid].value < value)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == n || map[lo].value != value)
    return false;
  *op = map[lo].op;
  return true;
}

struct verify {
  const struct wf_code *code;
  u8 *start;       /* per unit: 1 where an op starts */
  u32 at;          /* the op being checked */
  bool dispatched; /* lowered with dispatch offsets */
};

/* A slot operand: inside the frame; a destination is not a constant.
** Code lowered with dispatch offsets names a slot by its byte offset. */
static const char *check_slot(const struct verify *V, char kind, u32 slot) {
  const struct wf_code *c = V->code;
  if (V->dispatched) {
    if (slot % sizeof(weft_slot))
      return "slot operand not on a slot boundary";
    slot /= (u32)sizeof(weft_slot);
  }
  if (slot >= c->frame_slots && !(kind == 'b' && slot == c->frame_slots))
    return "slot operand outside the frame";
  if (kind == 'd' && slot >= c->nlocal_slots &&
      slot < c->nlocal_slots + c->nconsts)
    return "destination is a constant slot";
  return NULL;
}

/* One pass over the ops: lengths, slots; marks op starts. */
static const char *walk(struct verify *V, const struct pair *map, u32 nmap,
                        bool dispatched) {
  const struct wf_code *c = V->code;
  const u32 *ops = c->ops;
  for (u32 pc = 0; pc < c->nops;) {
    u32 op = ops[pc];
    V->at = pc;
    if (dispatched ? !find_op(map, nmap, op, &op) : op >= WF_OP_COUNT)
      return "unknown op";
    V->start[pc] = 1;
    const char *lay = wf_op_layout[op];
    u32 len = 1 + layout_len(op);
    if (len > c->nops - pc)
      return "operands run past the end";
    for (u32 k = 0; lay[k]; k++)
      if (lay[k] == 'd' || lay[k] == 's' || lay[k] == 'b') {
        const char *why = check_slot(V, lay[k], ops[pc + 1 + k]);
        if (why)
          return why;
      } else if (lay[k] == 'j') { /* a joined op: runs alone when branched to */
        u32 inner = ops[pc + 1 + k];
        if (dispatched ? !find_op(map, nmap, inner, &inner)
                       : inner >= WF_OP_COUNT)
          return "unknown op";
        V->start[pc + 1 + k] = 1;
      }
    if (has_table(op)) { /* at its last unit: index, n, n + 1 offsets */
      u32 t = pc + len - 1;
      if (c->nops - t < 3 || ops[t + 1] > c->nops - t - 3 - 1)
        return "br_table runs past the end";
      const char *why = check_slot(V, 's', ops[t]);
      if (why)
        return why;
      len += 1 + ops[t + 1] + 1;
    }
    pc += len;
  }
  return NULL;
}

/* A branch offset at unit `f` (relative to it) lands on an op. */
static bool lands(const struct verify *V, u32 f) {
  i64 t = (i64)f + (i32)V->code->ops[f];
  return t >= 0 && t < (i64)V->code->nops && V->start[t];
}

/* Second pass: branch targets, now that every op start is known. */
static const char *targets(struct verify *V, const struct pair *map, u32 nmap,
                           bool dispatched) {
  const struct wf_code *c = V->code;
  const u32 *ops = c->ops;
  for (u32 pc = 0; pc < c->nops;) {
    u32 op = ops[pc];
    V->at = pc;
    if (dispatched)
      find_op(map, nmap, op, &op);
    const char *lay = wf_op_layout[op];
    for (u32 k = 0; lay[k]; k++)
      if (lay[k] == 'o' && !lands(V, pc + 1 + k))
        return "branch target not on an op";
    u32 len = 1 + layout_len(op);
    if (has_table(op)) {
      u32 t = pc + len - 1;
      for (u32 i = 0; i <= ops[t + 1]; i++)
        if (!lands(V, t + 2 + i))
          return "br_table target not on an op";
      len += 1 + ops[t + 1] + 1;
    }
    pc += len;
  }
  return NULL;
}

/* Exception handlers and the pc map. */
static const char *tables(struct verify *V) {
  const struct wf_code *c = V->code;
  for (u32 i = 0; i < c->nhandlers; i++) {
    const struct wf_handler *h = &c->handlers[i];
    V->at = h->start;
    if (h->start > h->end || h->end > c->nops)
      return "handler range outside the code";
    if (h->tag != WF_DELEGATE && (h->pad >= c->nops || !V->start[h->pad]))
      return "handler landing pad not on an op";
    if (h->tag != WF_DELEGATE && h->dst > c->frame_slots)
      return "handler payload outside the frame";
  }
  for (u32 i = 0; i < c->npcmap; i++) {
    V->at = c->pcmap[2 * i];
    if (c->pcmap[2 * i] > c->nops ||
        (i && c->pcmap[2 * i] < c->pcmap[2 * i - 2]))
      return "pc map out of order";
  }
  return NULL;
}

const char *wf_code_verify(struct wf_alloc *a, const struct wf_code *code,
                           const u32 *dispatch, u32 *at) {
  struct pair map[WF_OP_COUNT];
  u32 nmap = 0;
  const char *why = NULL;
  *at = 0;
  if (dispatch && (why = build_map(dispatch, map, &nmap)) != NULL)
    return why;
  if (code->nlocal_slots + code->nconsts > code->frame_slots)
    return "locals and constants exceed the frame";
  struct verify V = {code, wf_alloc_zero(a, (size_t)code->nops + 1), 0,
                     dispatch != NULL};
  if (!V.start)
    return wf_verify_nomem;
  why = walk(&V, map, nmap, dispatch != NULL);
  if (!why)
    why = targets(&V, map, nmap, dispatch != NULL);
  if (!why)
    why = tables(&V);
  *at = V.at;
  wf_alloc_free(a, V.start, (size_t)code->nops + 1);
  return why;
}

#endif /* WEFT_DEBUG */
