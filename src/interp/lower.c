/*
** lower.c — validates one function body and lowers it to internal code in
** the same pass. The validator's operand stack remembers where each value
** lives (a local, a constant slot or its own stack slot), so local.get and
** constants cost no instruction; results are written straight into
** locals when a local.set follows; compares fuse into branches.
** Reads only the module; owns nothing after returning but the wf_code.
*/
#include "lower.h"

/* ---- errors ----------------------------------------------------------- */

bool wf_lw_fail(struct lower *L, weft_status status, const char *what) {
  /* The code is discarded now and may lack units (a put that could not
  ** grow the array wrote nothing): no fusion may read or rewrite the ops
  ** before, so no position of one is kept from here on (emit_op, put_dst). */
  L->last_op_pos = L->last_dst_pos = L->prev_op_pos = NONE;
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
bool wf_lw_invalid(struct lower *L, const char *what) {
  return wf_lw_fail(L, WEFT_ERR_INVALID, what);
}
bool wf_lw_malformed(struct lower *L, const char *what) {
  return wf_lw_fail(L, WEFT_ERR_MALFORMED, what);
}
bool wf_lw_reader_failed(struct lower *L) {
  const char *why = L->r.fail ? L->r.fail : "unexpected end";
  if (!wf_strcmp(why, "unexpected end"))
    why = "unexpected end of section or function";
  return wf_lw_malformed(L, why);
}

/* A type byte that is not 2.0's: a later proposal's is named (status
** unsupported), anything else is wf_lw_malformed with `why`. */
bool wf_lw_bad_type(struct lower *L, u8 t, const char *why) {
  const char *feature = wf_valtype_feature(t);
  return feature ? wf_lw_fail(L, WEFT_ERR_UNSUPPORTED, feature)
                 : wf_lw_malformed(L, why);
}

bool wf_lw_nomem(struct lower *L) {
  return wf_lw_fail(L, WEFT_ERR_NOMEM, "out of memory while lowering");
}

/* ---- growable arrays -------------------------------------------------- */

/* `arrp` is the address of the array's pointer (any element type): read
** and written with memcpy, so no object is accessed through a void *
** lvalue (strict aliasing). */
bool wf_lw_grow(struct lower *L, void *arrp, u32 *cap, u32 need, size_t elem) {
  if (need <= *cap)
    return true;
  u32 ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > UINT32_MAX / 2)
      return wf_lw_nomem(L);
    ncap *= 2;
  }
  void *arr;
  memcpy(&arr, arrp, sizeof arr);
  void *p =
      wf_alloc_resize(L->a, arr, (size_t)*cap * elem, (size_t)ncap * elem);
  if (!p)
    return wf_lw_nomem(L);
  memcpy(arrp, &p, sizeof p);
  *cap = ncap;
  return true;
}

/* ---- emission --------------------------------------------------------- */

void wf_lw_put(struct lower *L, u32 v) {
  if (!wf_lw_grow(L, &L->code, &L->code_cap, L->ncode + 1, sizeof(u32)))
    return;
  L->code[L->ncode++] = v;
}

static void probe_capture(struct lower *L, u32 height, u32 pc);
static u32 call_len(enum wf_op op);

/* ---- fuel charged by branches ------------------------------------------
** With fuel metering every branch lands on a FUEL op. A branch whose
** every way out (its target, and for a conditional one the next op) is a
** FUEL op becomes its _FUEL form, which pays that block and jumps past
** its FUEL op: a loop's back edge costs one dispatch instead of two. The
** charges are the same, so fuel counts do not change. Indexed by op, so
** that noting each op lowered is a lookup, not a scan (a scan of the
** table per op was 1.3% of speedtest1 --size 2 metered). */
static const struct fuel_form {
  u16 fuel_op; /* 0: no _FUEL form (op 0 is a numeric op, never one) */
  bool always; /* unconditional: its target is its only way out */
} fuel_forms[WF_OP_COUNT] = {
    [WF_OP_BR] = {WF_OP_BR_FUEL, true},
    [WF_OP_BR_IF] = {WF_OP_BR_IF_FUEL, false},
    [WF_OP_BR_UNLESS] = {WF_OP_BR_UNLESS_FUEL, false},
    [WF_OP_BR_IF_I32_EQZ] = {WF_OP_BR_IF_I32_EQZ_FUEL, false},
    [WF_OP_BR_IF_I32_EQ] = {WF_OP_BR_IF_I32_EQ_FUEL, false},
    [WF_OP_BR_IF_I32_NE] = {WF_OP_BR_IF_I32_NE_FUEL, false},
    [WF_OP_BR_IF_I32_LT_S] = {WF_OP_BR_IF_I32_LT_S_FUEL, false},
    [WF_OP_BR_IF_I32_LT_U] = {WF_OP_BR_IF_I32_LT_U_FUEL, false},
    [WF_OP_BR_IF_I32_GT_S] = {WF_OP_BR_IF_I32_GT_S_FUEL, false},
    [WF_OP_BR_IF_I32_GT_U] = {WF_OP_BR_IF_I32_GT_U_FUEL, false},
    [WF_OP_BR_IF_I32_LE_S] = {WF_OP_BR_IF_I32_LE_S_FUEL, false},
    [WF_OP_BR_IF_I32_LE_U] = {WF_OP_BR_IF_I32_LE_U_FUEL, false},
    [WF_OP_BR_IF_I32_GE_S] = {WF_OP_BR_IF_I32_GE_S_FUEL, false},
    [WF_OP_BR_IF_I32_GE_U] = {WF_OP_BR_IF_I32_GE_U_FUEL, false},
    [WF_OP_I32_ADD_BR_IF] = {WF_OP_I32_ADD_BR_IF_FUEL, false},
    [WF_OP_I32_SUB_BR_IF] = {WF_OP_I32_SUB_BR_IF_FUEL, false},
    /* the fused branches of the last block of ops.def */
    [WF_OP_COPY_BR] = {WF_OP_COPY_BR_FUEL, true},
    [WF_OP_I32_ADD_BR] = {WF_OP_I32_ADD_BR_FUEL, true},
    [WF_OP_BR_IF_I32_AND] = {WF_OP_BR_IF_I32_AND_FUEL, false},
    [WF_OP_BR_UNLESS_I32_AND] = {WF_OP_BR_UNLESS_I32_AND_FUEL, false},
    [WF_OP_BR_TABLE] = {WF_OP_BR_TABLE_FUEL, true}, /* every entry: below */
};

static u32 encoded(const struct lower *L, u32 op) {
  return L->dispatch ? L->dispatch[op] : op;
}

/* Remember a branch at code index `pos` that has a _FUEL form. */
static void note_branch(struct lower *L, u32 pos, u32 op) {
  if (!L->fuel || !L->interp_ops || !fuel_forms[op].fuel_op)
    return;
  if (!wf_lw_grow(L, &L->branches, &L->branches_cap, L->nbranches + 2,
                  sizeof(u32)))
    return;
  L->branches[L->nbranches++] = pos;
  L->branches[L->nbranches++] = op;
}

static bool fuel_op_at(const struct lower *L, i64 at) {
  return at >= 0 && at < (i64)L->ncode - 1 &&
         L->code[at] == encoded(L, WF_OP_FUEL);
}

/* Does every entry of the br_table at `pos` (idx n off[n+1]) land on a
** FUEL op? (An entry to the function's end, or to moves first, does not.) */
static bool table_all_fuel(const struct lower *L, u32 pos) {
  u32 first = pos + 3, n = L->code[pos + 2];
  for (u32 e = first; e <= first + n; e++)
    if (!fuel_op_at(L, (i64)e + (i32)L->code[e]))
      return false;
  return true;
}

/* Once the code is complete (offsets patched): switch each noted branch
** still in place whose ways out are all FUEL ops to its _FUEL form. */
static void fuel_branches_apply(struct lower *L) {
  for (u32 i = 0; i < L->nbranches; i += 2) {
    u32 pos = L->branches[i], op = L->branches[i + 1];
    if (L->code[pos] != encoded(L, op))
      continue; /* fused into something else since */
    if (op == WF_OP_BR_TABLE) {
      if (table_all_fuel(L, pos))
        L->code[pos] = encoded(L, WF_OP_BR_TABLE_FUEL);
      continue;
    }
    const char *lay = wf_op_layout[op];
    u32 n = 0, o = 0; /* operand units, and the offset's place among them */
    for (; lay[n]; n++)
      if (lay[n] == 'o')
        o = n;
    u32 off = pos + 1 + o;
    i64 target = (i64)off + (i32)L->code[off];
    const struct fuel_form *f = &fuel_forms[op];
    if (!fuel_op_at(L, target) ||
        (!f->always && !fuel_op_at(L, (i64)pos + 1 + n)))
      continue;
    L->code[pos] = encoded(L, f->fuel_op);
  }
}

/* {====================================================================
** The ops emitted into interpreter code (L->emitted)
** ===================================================================== */

/* Note the op about to be emitted at L->ncode. An op emitted where a
** truncation dropped one, to emit it again fused (a compare joined to
** the branch after it), joins the one before only if the dropped one
** did: a label may lie just before it (a loop's head). */
static void note_emitted(struct lower *L, enum wf_op op, bool joins) {
  if (L->cut_valid && L->cut_pos == L->ncode && !L->cut_joins)
    joins = false;
  L->cut_valid = false;
  if (!L->interp_ops || L->status != WEFT_OK ||
      !wf_lw_grow(L, &L->emitted, &L->emitted_cap, L->nemitted + 1,
                  sizeof *L->emitted))
    return;
  L->emitted[L->nemitted++] =
      (struct wf_lw_op){L->ncode, L->nrelocs, (u16)op, joins};
}

/* The op at `pos` is now `op`: the next instruction was fused into it
** (its slot operands still start with the first op's). */
static void emitted_fused(struct lower *L, u32 pos, enum wf_op op) {
  for (u32 i = L->nemitted; i-- > 0 && L->emitted[i].pos >= pos;)
    if (L->emitted[i].pos == pos) {
      L->emitted[i].op = (u16)op;
      return;
    }
}

static void drop_emitted_from(struct lower *L, u32 cut) {
  while (L->nemitted && L->emitted[L->nemitted - 1].pos >= cut) {
    const struct wf_lw_op *e = &L->emitted[--L->nemitted];
    if (e->pos == cut) {
      L->cut_valid = true;
      L->cut_pos = cut;
      L->cut_joins = e->joins;
    }
  }
}

/* }==================================================================== */

/* The interpreter only: two i32.adds in a row, both complete, become one
** I32_ADD_I32_ADD once the next instruction is not joining the second
** (as a load, a branch or another op may: they are tried first). The
** second's op unit stays, unused, so no position moves. */
static void pair_adds(struct lower *L) {
  u32 p = L->prev_op_pos, q = L->last_op_pos;
  if (!L->interp_ops || p == NONE || q == NONE || L->status != WEFT_OK ||
      L->prev_op != WF_OP_I32_ADD || L->last_op != WF_OP_I32_ADD ||
      q != p + 4 || L->ncode != q + 4)
    return;
  L->code[p] = encoded(L, WF_OP_I32_ADD_I32_ADD);
  drop_emitted_from(L, q); /* its op unit is no op any more */
  emitted_fused(L, p, WF_OP_I32_ADD_I32_ADD);
  L->last_op = WF_OP_I32_ADD_I32_ADD;
  L->last_op_pos = p;
  L->last_dst_pos = NONE;
  L->prev_op_pos = NONE;
}

void wf_lw_emit_op(struct lower *L, enum wf_op op) {
  if (L->probe && !L->probe->found) {
    /* A FUEL op's live values are the stack as its wf_lw_label leaves it: known
    ** once the instruction that opened the wf_lw_label is lowered. A call's are
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
    if (!wf_lw_grow(L, &L->pcmap, &L->pcmap_cap, L->npcmap + 2, sizeof(u32)))
      return;
    L->pcmap[L->npcmap++] = L->ncode;
    L->pcmap[L->npcmap++] = L->op_offset;
  }
  pair_adds(L);
  note_emitted(L, op, L->last_op_pos != NONE);
  L->prev_op_pos = L->last_op_pos;
  L->prev_op = L->last_op;
  L->last_op_pos = L->status == WEFT_OK ? L->ncode : NONE;
  L->last_op = op;
  L->last_dst_pos = NONE;
  note_branch(L, L->ncode, op);
  wf_lw_put(L, L->dispatch ? L->dispatch[op] : (u32)op);
}

/* A slot operand: fixed up once the layout is known (tagged ones placed,
** and every one scaled to a byte offset in interpreter code). */
void wf_lw_put_slot(struct lower *L, u32 loc) {
  if (!wf_lw_grow(L, &L->relocs, &L->relocs_cap, L->nrelocs + 1, sizeof(u32)))
    return;
  L->relocs[L->nrelocs++] = L->ncode;
  wf_lw_put(L, loc);
}

void wf_lw_put_dst(struct lower *L, u32 loc) {
  L->last_dst_pos = L->status == WEFT_OK ? L->ncode : NONE;
  wf_lw_put_slot(L, loc);
}

/* Can the next instruction absorb the last one? It must be `op`, with no
** wf_lw_label in between, and its result (wherever a local.set moved it) must
*be
** the operand at `loc`. The fused handler still writes that result. */
bool wf_lw_fusable(const struct lower *L, enum wf_op op, u32 loc) {
  return live(L) && L->last_op_pos != NONE && L->last_op == (u32)op &&
         L->code[L->last_op_pos + 1] == loc && L->status == WEFT_OK;
}

void wf_lw_fuse_last(struct lower *L, enum wf_op fused) {
  note_branch(L, L->last_op_pos, fused);
  emitted_fused(L, L->last_op_pos, fused);
  L->code[L->last_op_pos] = L->dispatch ? L->dispatch[fused] : (u32)fused;
  L->last_op = fused;
  L->last_dst_pos = NONE;
}

/* Drop the instructions from code index `cut` on (to re-emit them fused). */
void wf_lw_truncate_code(struct lower *L, u32 cut) {
  while (L->nrelocs && L->relocs[L->nrelocs - 1] >= cut)
    L->nrelocs--;
  while (L->npcmap && L->pcmap[L->npcmap - 2] >= cut)
    L->npcmap -= 2;
  while (L->nbranches && L->branches[L->nbranches - 2] >= cut)
    L->nbranches -= 2;
  drop_emitted_from(L, cut);
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
void wf_lw_mark_label(struct lower *L) {
  pair_adds(L);
  if (L->fuel) {
    fuel_close(L);
    if (live(L)) {
      wf_lw_emit_op(L, WF_OP_FUEL);
      L->fuel_field = L->ncode;
      wf_lw_put(L, 0);
    }
  }
  L->last_op_pos = NONE;
  L->last_dst_pos = NONE;
  L->prev_op_pos = NONE;
}

static u32 const_hash(const weft_slot *v) {
  u64 h = 0;
  for (size_t i = 0; i < sizeof *v; i += sizeof(u64)) {
    u64 w;
    memcpy(&w, (const u8 *)v + i, sizeof w);
    h = (h ^ w) * 0x9e3779b97f4a7c15u;
  }
  return (u32)(h >> 32);
}

/* Probes before const_find gives up. The hash is fixed and public, so a
** module can choose constants that all land in one run of the table;
** unbounded probing would make lowering such a body quadratic in its
** constants (a load-time cost no fuel limit covers). */
#define CONST_PROBES 32

/* The const_index position of `v`: its entry, or the empty one to fill;
** NONE after CONST_PROBES taken positions (then `v` is neither found
** nor indexed: it may get a slot of its own beside an equal one). */
static u32 const_find(const struct lower *L, const weft_slot *v) {
  u32 mask = L->const_index_cap - 1;
  u32 i = const_hash(v) & mask;
  for (int probe = 0; probe < CONST_PROBES; probe++, i = (i + 1) & mask)
    if (!L->const_index[i] ||
        !memcmp(&L->consts[L->const_index[i] - 1], v, sizeof *v))
      return i;
  return NONE;
}

/* Enters constant k in const_index unless its run of probes is full. */
static void const_enter(struct lower *L, u32 k) {
  u32 at = const_find(L, &L->consts[k]);
  if (at != NONE && !L->const_index[at])
    L->const_index[at] = k + 1;
}

/* Room in const_index for one more constant (rebuilt at twice the size). */
static bool const_index_room(struct lower *L) {
  if ((u64)(L->nconsts + 1) * 2 < L->const_index_cap)
    return true;
  u32 ncap = L->const_index_cap ? L->const_index_cap * 2 : 64;
  u32 *p = wf_alloc_array(L->a, ncap, sizeof(u32));
  if (!p)
    return wf_lw_nomem(L);
  memset(p, 0, (size_t)ncap * sizeof(u32));
  if (L->const_index)
    wf_alloc_free(L->a, L->const_index,
                  (size_t)L->const_index_cap * sizeof(u32));
  L->const_index = p;
  L->const_index_cap = ncap;
  for (u32 k = 0; k < L->nconsts; k++)
    const_enter(L, k);
  return true;
}

u32 wf_lw_const_slot(struct lower *L, const weft_slot *v) {
  if (L->const_index_cap) {
    u32 at = const_find(L, v);
    if (at != NONE && L->const_index[at])
      return LOC_CONST | (L->const_index[at] - 1);
  }
  if (L->nconsts >= LOC_MASK / 4) /* const_index_cap stays in a u32 */
    return wf_lw_nomem(L), LOC_CONST;
  if (!const_index_room(L) || !wf_lw_grow(L, &L->consts, &L->consts_cap,
                                          L->nconsts + 1, sizeof(weft_slot)))
    return LOC_CONST;
  L->consts[L->nconsts] = *v;
  const_enter(L, L->nconsts);
  return LOC_CONST | L->nconsts++;
}

/* A typed copy (the interpreter copies slots; generated C needs types). */
/* Interpreter code: is the last instruction a copy of 8 bytes (every
** type but v128), with no label since, that the next op may join? */
bool wf_lw_copy_joinable(const struct lower *L) {
  return L->interp_ops && live(L) && L->last_op_pos != NONE &&
         (L->last_op == WF_OP_COPY_I32 || L->last_op == WF_OP_COPY_I64 ||
          L->last_op == WF_OP_COPY_F32 || L->last_op == WF_OP_COPY_F64 ||
          L->last_op == WF_OP_COPY_REF);
}

void wf_lw_emit_copy(struct lower *L, u32 dst, u32 src, u8 type) {
  enum wf_op op;
  switch (type) {
  case WF_I32: op = WF_OP_COPY_I32; break;
  case WF_I64: op = WF_OP_COPY_I64; break;
  case WF_F32: op = WF_OP_COPY_F32; break;
  case WF_F64: op = WF_OP_COPY_F64; break;
  case WF_V128: op = WF_OP_COPY_V128; break;
  default: op = WF_OP_COPY_REF; break;
  }
  if (op != WF_OP_COPY_V128 && wf_lw_copy_joinable(L))
    wf_lw_fuse_last(L, WF_OP_COPY2);
  else
    wf_lw_emit_op(L, op);
  wf_lw_put_slot(L, dst);
  wf_lw_put_slot(L, src);
}

/* ---- operand stack ---------------------------------------------------- */

bool wf_lw_push(struct lower *L, u8 type, u32 loc) {
  if (!wf_lw_grow(L, &L->stack, &L->stack_cap, L->height + 1,
                  sizeof(struct entry)))
    return false;
  L->stack[L->height].type = type;
  L->stack[L->height].loc = loc;
  L->stack[L->height].full = 0;
  L->height++;
  if (L->height > L->max_height)
    L->max_height = L->height;
  if (L->max_height >= LOC_MASK)
    return wf_lw_nomem(L);
  return true;
}

/* Push a result computed into its own stack slot; returns that slot. */
u32 wf_lw_push_result(struct lower *L, u8 type) {
  u32 loc = stack_loc(L->height);
  wf_lw_push(L, type, loc);
  return loc;
}

/* {====== typed function references: types in full ======================
** Stack entries, locals and block types carry the wf_vt word beside the
** kind byte (module.h); these compare words: a 2.0 type's word is its byte,
** so 2.0 code compares exactly as before. */

bool wf_lw_push_vt(struct lower *L, wf_vt t, u32 loc) {
  if (!wf_lw_push(L, WF_VT_KIND(t), loc))
    return false;
  L->stack[L->height - 1].full = t != WF_VT_KIND(t) ? t : 0;
  return true;
}

/* }====== */

bool wf_lw_pop_any(struct lower *L, struct entry *out) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  if (L->height == c->height) {
    if (c->unreachable) {
      out->type = T_UNKNOWN;
      out->loc = stack_loc(L->height);
      out->full = 0;
      return true;
    }
    return wf_lw_invalid(L, "type mismatch: operand stack underflow");
  }
  *out = L->stack[--L->height];
  return true;
}

bool wf_lw_pop_type(struct lower *L, u8 want, struct entry *out) {
  if (!wf_lw_pop_any(L, out))
    return false;
  if (out->type != want && out->type != T_UNKNOWN && want != T_UNKNOWN)
    return wf_lw_invalid(L, "type mismatch");
  return true;
}

bool wf_lw_pop_vt(struct lower *L, wf_vt want, struct entry *out) {
  if (!wf_lw_pop_any(L, out))
    return false;
  return vt_sub(L, entry_vt(out), want) || wf_lw_invalid(L, "type mismatch");
}

/* Both per-local flags below are cleared by a local.set or local.tee and
** set again when the innermost block around it ends: clear_mark clears
** flag[x] and, the first time, notes x on the block's undo list (list, n,
** cap); undo_marks sets again every flag noted above `height`. */
static bool clear_mark(struct lower *L, u8 *flag, u32 **list, u32 *n, u32 *cap,
                       u32 x) {
  if (!flag[x])
    return true;
  if (!wf_lw_grow(L, (void **)list, cap, *n + 1, sizeof(u32)))
    return false;
  flag[x] = 0;
  (*list)[(*n)++] = x;
  return true;
}

static void undo_marks(u8 *flag, const u32 *list, u32 *n, u32 height) {
  while (*n > height)
    flag[list[--*n]] = 1;
}

/* Local initialization (3.0): a non-null local is unset until a local.set
** or local.tee, which lasts to the end of the innermost block. */
void wf_lw_reset_inits(struct lower *L, u32 height) {
  undo_marks(L->local_unset, L->inits, &L->ninits, height);
}

/* Definite assignment (lower.h): the same scheme for every declared local,
** kept apart because a legacy catch arm resets it and not local_unset. */
void wf_lw_reset_assigns(struct lower *L, u32 height) {
  undo_marks(L->local_unassigned, L->assigns, &L->nassigns, height);
}

/* Local x assigned from here to the end of the innermost block. */
bool wf_lw_assign_local(struct lower *L, u32 x) {
  return clear_mark(L, L->local_unassigned, &L->assigns, &L->nassigns,
                    &L->assigns_cap, x);
}

bool wf_lw_set_local_init(struct lower *L, u32 x) {
  return clear_mark(L, L->local_unassigned, &L->assigns, &L->nassigns,
                    &L->assigns_cap, x) &&
         clear_mark(L, L->local_unset, &L->inits, &L->ninits, &L->inits_cap, x);
}

/* Copy a pending local into the value's own stack slot. */
void wf_lw_materialize(struct lower *L, u32 i) {
  struct entry *e = &L->stack[i];
  u32 own = stack_loc(i);
  if (e->loc == own)
    return;
  if (live(L))
    wf_lw_emit_copy(L, own, e->loc, e->type);
  e->loc = own;
}

static bool is_local(u32 loc) { return !(loc & (LOC_STACK | LOC_CONST)); }

/* Before a block: locals may change inside, so nothing below may still
** point at one. */
void wf_lw_materialize_locals(struct lower *L) {
  for (u32 i = 0; i < L->height; i++)
    if (is_local(L->stack[i].loc))
      wf_lw_materialize(L, i);
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
  p->nunassigned = L->nlocals ? L->nlocals : 1;
  p->unassigned = wf_alloc_zero(L->a, p->nunassigned);
  if (!p->heights || !p->types || !p->unassigned) {
    wf_lw_nomem(L);
    return;
  }
  for (u32 i = 0; i < height; i++) {
    const struct entry *e = &L->stack[i];
    if (e->loc & LOC_STACK) {
      p->heights[p->nlive] = e->loc & LOC_MASK;
      p->types[p->nlive++] = e->type;
    }
  }
  memcpy(p->unassigned, L->local_unassigned, L->nlocals);
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
  if (p->unassigned)
    wf_alloc_free(a, p->unassigned, p->nunassigned);
  p->heights = NULL;
  p->types = NULL;
  p->unassigned = NULL;
}

/* ---- control ---------------------------------------------------------- */

bool wf_lw_push_ctrl(struct lower *L, u8 kind, u32 nparams, const u8 *params,
                     u32 nresults, const u8 *results) {
  if (!wf_lw_grow(L, &L->ctrls, &L->ctrls_cap, L->nctrls + 1,
                  sizeof(struct ctrl)))
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
  c->assign_height = L->nassigns;
  return wf_lw_da_open(L, kind);
}

void wf_lw_set_unreachable(struct lower *L) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  L->height = c->height;
  c->unreachable = true;
  wf_lw_mark_label(L); /* closes the fuel block; dead code opens none */
}

/* Emit a branch offset field to wf_lw_label `c`. */
void wf_lw_put_target(struct lower *L, struct ctrl *c) {
  if (c->kind == CTRL_LOOP) {
    wf_lw_put(L, (u32)((i32)c->loop_pc - (i32)L->ncode));
  } else {
    wf_lw_da_edge(L, c);
    u32 at = L->ncode;
    wf_lw_put(L, c->patches);
    c->patches = at;
  }
}

void wf_lw_patch_list(struct lower *L, u32 head, u32 target) {
  while (head != NONE && head < L->ncode) {
    u32 next = L->code[head];
    L->code[head] = (u32)((i32)target - (i32)head);
    head = next;
  }
}

/* Check the top `n` operands against `types` without popping. */
bool wf_lw_check_top(struct lower *L, u32 n, const u8 *types,
                     const wf_vt *full) {
  struct ctrl *c = &L->ctrls[L->nctrls - 1];
  for (u32 i = 0; i < n; i++) {
    u32 depth = n - 1 - i; /* from the top */
    if (L->height - c->height <= depth) {
      if (c->unreachable)
        continue;
      return wf_lw_invalid(L, "type mismatch");
    }
    const struct entry *e = &L->stack[L->height - 1 - depth];
    if (!vt_sub(L, entry_vt(e), vt_at(types, full, i)))
      return wf_lw_invalid(L, "type mismatch");
  }
  return true;
}

/* Would branching to `c` need to move values? */
bool wf_lw_branch_needs_moves(struct lower *L, struct ctrl *c) {
  u32 n = label_arity(c);
  for (u32 i = 0; i < n; i++)
    if (L->stack[L->height - n + i].loc != stack_loc(c->height + i))
      return true;
  return false;
}

/* Move the top `n` values into the wf_lw_label's slots (ascending is safe:
** every source is at or above its target, or a local/constant). */
void wf_lw_emit_branch_moves(struct lower *L, struct ctrl *c) {
  u32 n = label_arity(c);
  for (u32 i = 0; i < n; i++) {
    u32 src = L->stack[L->height - n + i].loc;
    u32 dst = stack_loc(c->height + i);
    if (src != dst)
      wf_lw_emit_copy(L, dst, src, label_types(c)[i]);
  }
}

struct ctrl *wf_lw_label(struct lower *L, u32 depth) {
  if (depth >= L->nctrls)
    return wf_lw_invalid(L, "unknown wf_lw_label"), NULL;
  return &L->ctrls[L->nctrls - 1 - depth];
}

/* Results to fp[0..n): first lift any source that a copy could clobber. */
void wf_lw_emit_return(struct lower *L) {
  u32 n = L->type->nresults;
  if (!live(L))
    return;
  /* Interpreter code: a single result the last instruction just computed
  ** into its own stack slot is computed into slot 0 instead (as local.set
  ** retargets it), saving the copy; nothing else reads that slot, as the
  ** return follows with no label between. */
  u32 top = L->height - 1;
  if (L->interp_ops && n == 1 && L->height > 0 && L->last_dst_pos != NONE &&
      L->stack[top].loc == stack_loc(top) &&
      L->code[L->last_dst_pos] == L->stack[top].loc) {
    L->code[L->last_dst_pos] = 0;
    L->stack[top].loc = 0;
    L->last_dst_pos = NONE;
  }
  for (u32 i = 0; i < n; i++) {
    u32 src = L->stack[L->height - n + i].loc;
    if (is_local(src) && src < n && src != i) {
      for (u32 j = 0; j < n; j++)
        wf_lw_materialize(L, L->height - n + j);
      break;
    }
  }
  for (u32 i = 0; i < n; i++) {
    u32 src = L->stack[L->height - n + i].loc;
    if (src != i)
      wf_lw_emit_copy(L, i, src, L->type->types[L->type->nparams + i]);
  }
  if (wf_lw_copy_joinable(L))
    wf_lw_fuse_last(L, WF_OP_COPY_RETURN);
  else
    wf_lw_emit_op(L, WF_OP_RETURN);
}

/* An unconditional branch to `c`, joined in interpreter code to a copy
** or an i32.add just before. */
void wf_lw_emit_br(struct lower *L, struct ctrl *c) {
  if (wf_lw_copy_joinable(L))
    wf_lw_fuse_last(L, WF_OP_COPY_BR);
  else if (L->interp_ops && live(L) && L->last_op_pos != NONE &&
           L->last_op == WF_OP_I32_ADD)
    wf_lw_fuse_last(L, WF_OP_I32_ADD_BR);
  else
    wf_lw_emit_op(L, WF_OP_BR);
  wf_lw_put_target(L, c);
}

/* ---- immediates ------------------------------------------------------- */

bool wf_lw_read_u32(struct lower *L, u32 *v) {
  return wf_read_u32(&L->r, v) || wf_lw_reader_failed(L);
}
bool wf_lw_read_u8(struct lower *L, u8 *v) {
  return wf_read_u8(&L->r, v) || wf_lw_reader_failed(L);
}

/* The heap type of (ref null? ht) (typed function references): the
** reference type's runtime kind, WF_FUNCREF or WF_EXTERNREF. */
bool wf_lw_read_ref_heap(struct lower *L, u8 prefix, u8 *kind, wf_vt *full) {
  const char *why;
  weft_status s =
      wf_read_ref_heap(&L->r, L->m->ntypes, prefix, kind, full, &why);
  return s == WEFT_OK || wf_lw_fail(L, s, why);
}

bool wf_lw_read_blocktype(struct lower *L, u32 *np, const u8 **p, u32 *nr,
                          const u8 **r, const struct wf_functype **ft,
                          wf_vt *single) {
  i64 bt;
  if (!wf_read_s33(&L->r, &bt))
    return wf_lw_reader_failed(L);
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
    if ((t == 0x63 || t == 0x64) && !wf_lw_read_ref_heap(L, t, &t, single))
      return false;
    for (u32 i = 0; i < WF_ARRAY_LEN(single_types); i++)
      if (single_types[i] == t) {
        *nr = 1;
        *r = &single_types[i];
        return true;
      }
    return wf_lw_bad_type(L, (u8)(bt & 0x7f), "wf_lw_malformed value type");
  }
  if ((u64)bt >= L->m->ntypes)
    return wf_lw_invalid(L, "unknown type");
  const struct wf_functype *t = &L->m->types[bt];
  *ft = t;
  *np = t->nparams;
  *p = t->types;
  *nr = t->nresults;
  *r = t->types + t->nparams;
  return true;
}

/* ---- the body --------------------------------------------------------- */

static bool lower_instr(struct lower *L, u8 op) {
  switch (op) {
  case 0x00: /* unreachable */
    if (live(L))
      wf_lw_emit_op(L, WF_OP_UNREACHABLE);
    wf_lw_set_unreachable(L);
    return true;
  case 0x01: return true; /* nop */
  case 0x02: return wf_lw_block(L, CTRL_BLOCK);
  case 0x03: return wf_lw_block(L, CTRL_LOOP);
  case 0x04: return wf_lw_block(L, CTRL_IF);
  case 0x05: return wf_lw_else(L);
  case 0x0b: return wf_lw_end(L);
  case 0x0c: return wf_lw_br(L);
  case 0x0d: return wf_lw_br_if(L);
  case 0x0e: return wf_lw_br_table(L);
  case 0x0f: { /* return */
    struct ctrl *f = &L->ctrls[0];
    if (!wf_lw_check_top(L, f->nresults, f->results, results_full(f)))
      return false;
    wf_lw_emit_return(L);
    wf_lw_set_unreachable(L);
    return true;
  }
  case 0x10: return wf_lw_call(L);
  case 0x11: return wf_lw_call_indirect(L);
  case 0x12: return wf_lw_return_call(L);
  case 0x13: return wf_lw_return_call_indirect(L);
  case 0x08: return wf_lw_throw(L);
  case 0x0a: return wf_lw_throw_ref(L);
  case 0x1f: return wf_lw_block(L, CTRL_TRY_TABLE);
  case 0x06: return wf_lw_block(L, CTRL_TRY); /* legacy */
  case 0x07:
  case 0x19: return wf_lw_catch(L, op == 0x19);
  case 0x18: return wf_lw_delegate(L);
  case 0x09: return wf_lw_rethrow(L);
  case 0x14: return wf_lw_call_ref(L, false);
  case 0x15: return wf_lw_call_ref(L, true);
  case 0xd4: return wf_lw_ref_as_non_null(L);
  case 0xd5: return wf_lw_br_on_null(L, false);
  case 0xd6: return wf_lw_br_on_null(L, true);
  case 0x1a: { /* drop */ struct entry v; return wf_lw_pop_any(L, &v);
  }
  case 0x1b:
  case 0x1c: return wf_lw_select(L, op);
  case 0x20:
  case 0x21:
  case 0x22: return wf_lw_local(L, op);
  case 0x23:
  case 0x24: return wf_lw_global(L, op);
  case 0x25:
  case 0x26: return wf_lw_table_access(L, op);
  case 0x3f:
  case 0x40: return wf_lw_memory_size_grow(L, op);
  case 0x41:
  case 0x42:
  case 0x43:
  case 0x44: return wf_lw_const(L, op);
  case 0xd0:
  case 0xd1:
  case 0xd2: return wf_lw_ref(L, op);
  case 0xfc: return wf_lw_prefixed(L);
  case 0xfd: return wf_lw_simd(L);
  default: break;
  }
  if (op >= 0x28 && op <= 0x3e)
    return wf_lw_memory_access(L, op);
  bool handled;
  bool ok = wf_lw_numeric(L, op, &handled);
  if (!handled && wf_opcode_feature(op))
    return wf_lw_fail(L, WEFT_ERR_UNSUPPORTED, wf_opcode_feature(op));
  if (!handled)
    return wf_lw_malformed(L, "illegal opcode");
  return ok;
}

static bool setup_locals(struct lower *L, const struct wf_func_decl *fd) {
  const struct wf_functype *t = L->type;
  u64 total = (u64)t->nparams + fd->nlocals;
  if (total > LOC_MASK / 2)
    return wf_lw_fail(L, WEFT_ERR_LIMIT, "too many locals");
  L->nlocals = (u32)total;
  L->local_types = wf_alloc_raw(L->a, L->nlocals ? L->nlocals : 1);
  if (!L->local_types)
    return wf_lw_nomem(L);
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
  L->local_unassigned = wf_alloc_zero(L->a, L->nlocals ? L->nlocals : 1);
  L->read_unassigned = wf_alloc_zero(L->a, L->nlocals ? L->nlocals : 1);
  if (!L->local_full || !L->local_unset || !L->local_unassigned ||
      !L->read_unassigned)
    return wf_lw_nomem(L);
  memset(L->local_unassigned + t->nparams, 1, L->nlocals - t->nparams);
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
  if (L->local_unassigned)
    wf_alloc_free(L->a, L->local_unassigned, L->nlocals ? L->nlocals : 1);
  if (L->read_unassigned)
    wf_alloc_free(L->a, L->read_unassigned, L->nlocals ? L->nlocals : 1);
  wf_alloc_free(L->a, L->assigns, (size_t)L->assigns_cap * sizeof(u32));
  wf_lw_da_free(L);
  wf_alloc_free(L->a, L->inits, (size_t)L->inits_cap * sizeof(u32));
  wf_alloc_free(L->a, L->code, (size_t)L->code_cap * sizeof(u32));
  wf_alloc_free(L->a, L->relocs, (size_t)L->relocs_cap * sizeof(u32));
  wf_alloc_free(L->a, L->emitted,
                (size_t)L->emitted_cap * sizeof(struct wf_lw_op));
  wf_alloc_free(L->a, L->branches, (size_t)L->branches_cap * sizeof(u32));
  wf_alloc_free(L->a, L->consts, (size_t)L->consts_cap * sizeof(weft_slot));
  if (L->const_index)
    wf_alloc_free(L->a, L->const_index,
                  (size_t)L->const_index_cap * sizeof(u32));
  wf_alloc_free(L->a, L->pcmap, (size_t)L->pcmap_cap * sizeof(u32));
  wf_alloc_free(L->a, L->stack, (size_t)L->stack_cap * sizeof(struct entry));
  wf_alloc_free(L->a, L->ctrls, (size_t)L->ctrls_cap * sizeof(struct ctrl));
  wf_alloc_free(L->a, L->clauses,
                (size_t)L->clauses_cap * sizeof(struct clause));
  wf_alloc_free(L->a, L->handlers,
                (size_t)L->handlers_cap * sizeof(struct wf_handler));
}

/* The slots of a frame's image (wf_code.init), [*at, *at + n): from the
** first declared local some read may find unassigned (lower.h) to the
** end of the hidden slots, or of the last such local when there are no
** constants or hidden slots; the params and the locals before *at are
** always set before they are read. 0 when there is nothing to set up.
** *each: more zero slots than the body is long (a few bytes of a hostile
** body may declare thousands of locals): the frame is set up slot kind
** by slot kind (frame_init_each), not from a kept image. */
static u32 frame_image_slots(const struct lower *L, u32 nlocal_slots, u32 *at,
                             bool *each) {
  u32 first = nlocal_slots, end = nlocal_slots;
  for (u32 x = L->type->nparams; x < L->nlocals; x++)
    if (L->read_unassigned[x]) {
      if (first == nlocal_slots)
        first = x;
      end = x + 1;
    }
  if (L->nconsts + L->nhidden)
    end = nlocal_slots + L->nconsts + L->nhidden;
  *at = first;
  *each = false;
  if (end <= first)
    return 0;
  u32 zeros = end - first - L->nconsts;
  *each = zeros > 8 + L->ncode;
  return end - first;
}

/* The entry's view of the frame layout (ir.h: frame_bytes, init_copy,
** init_at_bytes, init_tail): interp.c's frame_init copies an image of up
** to 16 slots as two runs of 1, 2, 4 or 8 slots, the first and the last. */
static void entry_layout(struct wf_code *c) {
  c->frame_bytes = c->frame_slots * (u32)sizeof(weft_slot);
  c->init_at_bytes = c->init_at * (u32)sizeof(weft_slot);
  c->init_copy = c->ninit && !c->init ? UINT32_MAX : c->ninit;
  u32 run = 1;
  while (run * 2 < c->ninit && run < 8)
    run *= 2;
  c->init_tail = c->ninit > run ? (c->ninit - run) * (u32)sizeof(weft_slot) : 0;
}

/* Probes (snapshots): a local the code has not assigned at the probed
** position and never reads unassigned holds whatever the value stack had
** there, not a value of this frame; the snapshot saves zero for it. */
static void probe_finish_unassigned(struct lower *L) {
  struct wf_probe *p = L->probe;
  if (!p || !p->unassigned)
    return;
  for (u32 x = 0; x < L->nlocals; x++)
    if (L->read_unassigned[x])
      p->unassigned[x] = 0;
}

/* Fix slot operands now that the frame layout is known. */
static bool finish(struct lower *L, struct wf_code **out) {
  fuel_branches_apply(L);
  wf_lw_imm_forms(L);  /* may drop relocs (NONE) and constants */
  wf_lw_acc_forms(L);  /* reads the ops as imm_forms left them */
  wf_lw_join_pairs(L); /* last: after every rewrite of an op */
  u32 nlocal_slots =
      L->nlocals > L->type->nresults ? L->nlocals : L->type->nresults;
  /* Code run with the interpreter's dispatch table names each slot by its
  ** byte offset in the frame (interp.c's S()): no scaling per access. */
  u32 scale = L->dispatch ? (u32)sizeof(weft_slot) : 1;
  if ((u64)nlocal_slots + L->nconsts + L->nhidden + L->max_height + 1 >
      UINT32_MAX / scale)
    return wf_lw_fail(L, WEFT_ERR_LIMIT, "function frame too large");
  struct wf_code *c = wf_alloc_zero(L->a, sizeof *c);
  if (!c)
    return wf_lw_nomem(L);
  /* Hidden slots (legacy rethrow) below the operand stack: a call's
  ** callee frame starts at its arguments, on the operand stack, and
  ** would overwrite anything above it. */
  u32 hidden_base = nlocal_slots + L->nconsts;
  u32 stack_base = hidden_base + L->nhidden;
  for (u32 i = 0; i < L->nrelocs; i++) {
    if (L->relocs[i] == NONE)
      continue;
    u32 *p = &L->code[L->relocs[i]];
    if ((*p & LOC_HIDDEN) == LOC_HIDDEN)
      *p = hidden_base + (*p & LOC_MASK);
    else if (*p & LOC_STACK)
      *p = stack_base + (*p & LOC_MASK);
    else if (*p & LOC_CONST)
      *p = nlocal_slots + (*p & LOC_MASK);
    *p *= scale;
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
      return wf_lw_nomem(L);
    }
    memcpy(c->handlers, L->handlers,
           (size_t)L->nhandlers * sizeof(struct wf_handler));
  }
  c->nconsts = L->nconsts;
  c->npcmap = L->npcmap / 2;
  bool each;
  c->ninit = frame_image_slots(L, nlocal_slots, &c->init_at, &each);
  c->ops = wf_alloc_array(L->a, L->ncode ? L->ncode : 1, sizeof(u32));
  if (c->ninit && !each)
    c->init = wf_alloc_array(L->a, c->ninit, sizeof(weft_slot));
  else
    c->consts =
        wf_alloc_array(L->a, L->nconsts ? L->nconsts : 1, sizeof(weft_slot));
  c->pcmap = wf_alloc_array(L->a, L->npcmap ? L->npcmap : 1, sizeof(u32));
  if (!c->ops || !(c->init || c->consts) || !c->pcmap) {
    wf_code_free(L->a, c);
    return wf_lw_nomem(L);
  }
  if (c->init) { /* zero locals, the constants, zero hidden slots */
    memset(c->init, 0, (size_t)c->ninit * sizeof(weft_slot));
    /* (a body without constants has nothing there to point at) */
    c->consts = L->nconsts ? c->init + (nlocal_slots - c->init_at) : c->init;
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
  entry_layout(c);
  c->nhidden = L->nhidden;
  probe_finish_unassigned(L);
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
  L.interp_ops = dispatch != NULL || (probe && probe->dispatch);
  L.funcidx = m->nfunc_imports + defidx;
  L.type = &m->types[fd->typeidx];
  L.last_op_pos = L.last_dst_pos = L.prev_op_pos = NONE;
  L.fuel = fuel;
  L.fuel_field = NONE;
  L.op_offset = fd->code.offset;
  wf_reader_init(&L.r, m->bytes, fd->code.ptr, fd->code.ptr + fd->code.len);
  wf_lw_da_init(&L, fd->code.len);
  *out = NULL;
  if (setup_locals(&L, fd) &&
      wf_lw_push_ctrl(&L, CTRL_FUNC, 0, NULL, L.type->nresults,
                      L.type->types + L.type->nparams)) {
    L.ctrls[0].ft = L.type; /* the results in full (typed references) */
    wf_lw_mark_label(&L);   /* the entry block */
    probe_after_instr(&L);
    while (L.nctrls > 0 && L.status == WEFT_OK) {
      u8 op;
      L.op_offset = wf_reader_offset(&L.r);
      if (!wf_lw_read_u8(&L, &op))
        break;
      L.fuel_cost++;
      if (!lower_instr(&L, op))
        break;
      probe_after_instr(&L);
    }
    fuel_close(&L);
    if (L.status == WEFT_OK && L.nctrls > 0)
      wf_lw_reader_failed(&L);
    if (L.status == WEFT_OK && wf_reader_left(&L.r) != 0)
      wf_lw_malformed(&L, "section size mismatch: bytes after the final end");
    if (L.status == WEFT_OK)
      finish(&L, out);
  }
  release(&L);
  return L.status;
}

weft_status wf_lower_func(struct wf_alloc *a, const struct wf_module *m,
                          u32 defidx, const u32 *dispatch, bool fuel,
                          struct wf_code **out, weft_error *err) {
  weft_status s = lower_body(a, m, defidx, dispatch, fuel, NULL, out, err);
#if WEFT_DEBUG /* verify.c: a failure is a bug here, reported by the hook */
  u32 at;
  const char *why = s == WEFT_OK ? wf_code_verify(a, *out, dispatch, &at) : 0;
  if (why) {
    wf_code_free(a, *out);
    *out = NULL;
  }
  if (why == wf_verify_nomem)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory lowering");
  if (WF_NEVER(why != NULL))
    return wf_error_set(err, WEFT_ERR_INVALID,
                        "internal error: lowered func %u fails verification "
                        "at %u: %s",
                        m->nfunc_imports + defidx, at, why);
#endif
  return s;
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
  probe->unassigned = NULL;
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
  if (code->init)
    wf_alloc_free(a, code->init, (size_t)code->ninit * sizeof(weft_slot));
  else
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
         (u64)(code->init ? code->ninit : code->nconsts) * sizeof(weft_slot) +
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
