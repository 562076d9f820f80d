/*
** lower_mem.c — lowering of memory and table access: loads and stores
** (memory 0 fast path, MEMX ops for other memories and memory64), the
** 0xFC prefix (saturating truncation, bulk memory and tables), references,
** memory.size/grow.
*/
#include "lower.h"

/* ==== multi-memory, memory64, table64 (lowering helpers) ==============
** The fast path is a 32-bit memory 0: its ops are those of 2.0. Any other
** memory goes through MEMX_* ops (ops.def); i64 table indices are
** saturated to u32 into the operand's own stack slot (no table is that
** large, wf_table_create), so the table ops themselves stay 32-bit. */

static bool read_u64(struct lower *L, u64 *v) {
  return wf_read_u64(&L->r, v) || wf_lw_reader_failed(L);
}

static bool mem_is64(const struct lower *L, u32 mem) {
  return wf_module_memory_limits(L->m, mem).is64;
}

/* The address type of memory `mem`: i64 for a memory64. */
u8 wf_lw_mem_addr_type(const struct lower *L, u32 mem) {
  return mem_is64(L, mem) ? WF_I64 : WF_I32;
}

/* The 2.0 fast path: memory 0, 32-bit. */
bool wf_lw_mem_fast(const struct lower *L, u32 mem) {
  return mem == 0 && !mem_is64(L, 0);
}

static bool check_memory_index(struct lower *L, u32 mem) {
  return mem < wf_module_memory_count(L->m) ||
         wf_lw_invalid(L, "unknown memory");
}

/* A memory index immediate (memory.size, wf_lw_grow, fill, copy, init). */
static bool read_memidx(struct lower *L, u32 *mem) {
  if (L->m->wasm_2_0) { /* 2.0: a reserved zero byte */
    u8 b;
    *mem = 0;
    if (!wf_lw_read_u8(L, &b))
      return false;
    if (b != 0)
      return wf_lw_malformed(L, "zero byte expected");
    return check_memory_index(L, 0);
  }
  return wf_lw_read_u32(L, mem) && check_memory_index(L, *mem);
}

/* memarg: bit 6 of the alignment announces a memory index; the offset is
** a u64 since memory64 and must fit the memory's address type. Values of
** 0x80 and up keep bit 6 and wf_lw_fail the alignment check. */
bool wf_lw_read_memarg_x(struct lower *L, struct memarg *a) {
  if (!wf_lw_read_u32(L, &a->align))
    return false;
  a->mem = 0;
  if (L->m->wasm_2_0) { /* 2.0: no memory index, a u32 offset */
    u32 off;
    if (!wf_lw_read_u32(L, &off))
      return false;
    a->offset = off;
    return check_memory_index(L, 0);
  }
  if ((a->align & 0x40) && a->align < 0x80) {
    a->align &= ~0x40u;
    if (!wf_lw_read_u32(L, &a->mem))
      return false;
  }
  if (!read_u64(L, &a->offset) || !check_memory_index(L, a->mem))
    return false;
  return mem_is64(L, a->mem) || a->offset <= UINT32_MAX ||
         wf_lw_invalid(L, "offset out of range");
}

/* Open the window of an access to another memory (MEMX_AT); returns the
** slot (a constant 0) the access then reads as its address. */
u32 wf_lw_memx_open(struct lower *L, const struct memarg *a, u32 addr_loc,
                    u32 width) {
  static const weft_slot zero;
  wf_lw_emit_op(L, WF_OP_MEMX_AT);
  wf_lw_put(L, a->mem);
  wf_lw_put_slot(L, addr_loc);
  wf_lw_put(L, (u32)a->offset);
  wf_lw_put(L, (u32)(a->offset >> 32));
  wf_lw_put(L, width);
  return wf_lw_const_slot(L, &zero);
}

void wf_lw_memx_close(struct lower *L) { wf_lw_emit_op(L, WF_OP_MEMX_END); }

static bool table_is64(const struct lower *L, u32 t) {
  return wf_module_table_type(L->m, t).limits.is64;
}

/* Narrow a popped i64 table index at stack height `h` into its own slot
** (free: the operand is consumed) and return that slot. */
static u32 narrow_index(struct lower *L, u32 h, u32 loc) {
  if (!live(L))
    return loc;
  wf_lw_emit_op(L, WF_OP_I64_SAT_U32);
  wf_lw_put_slot(L, stack_loc(h));
  wf_lw_put_slot(L, loc);
  return stack_loc(h);
}

/* wf_lw_simple() with i64 operands for the bits of `narrow` (saturated to u32
** first) and, when `widen` is not 0, an i32 result extended to i64 by it. */
static bool simple_x(struct lower *L, enum wf_op op, u32 nin, const u8 *in,
                     u8 out, const u32 *imms, u32 nimm, u32 narrow,
                     enum wf_op widen) {
  struct entry e[5];
  for (u32 i = nin; i-- > 0;)
    if (!wf_lw_pop_type(L, (narrow >> i & 1) ? WF_I64 : in[i], &e[i]))
      return false;
  u32 base = L->height;
  for (u32 i = 0; i < nin; i++)
    if (narrow >> i & 1)
      e[i].loc = narrow_index(L, base + i, e[i].loc);
  u32 dst = out ? wf_lw_push_result(L, widen ? WF_I64 : out) : 0;
  if (!live(L))
    return true;
  wf_lw_emit_op(L, op);
  if (out)
    wf_lw_put_dst(L, dst);
  for (u32 i = 0; i < nimm; i++)
    wf_lw_put(L, imms[i]);
  for (u32 i = 0; i < nin; i++)
    wf_lw_put_slot(L, e[i].loc);
  if (widen) {
    wf_lw_emit_op(L, widen);
    wf_lw_put_dst(L, dst);
    wf_lw_put_slot(L, dst);
  }
  return true;
}
/* The index operand of call_indirect: an i64 on a table64, narrowed. */
bool wf_lw_pop_table_index(struct lower *L, u32 table, struct entry *idx) {
  if (!table_is64(L, table))
    return wf_lw_pop_type(L, WF_I32, idx);
  if (!wf_lw_pop_type(L, WF_I64, idx))
    return false;
  idx->loc = narrow_index(L, L->height, idx->loc);
  return true;
}
/* ==== end multi-memory, memory64, table64 helpers ===================== */

/* The interpreter's fused "i32.add then narrow i32 load" for `op`, or 0
** (generated C has no such ops: lowering for it never asks). */
static u32 narrow_add_load(u8 op) {
  switch (op) {
  case WF_OP_I32_LOAD8_S: return WF_OP_I32_ADD_I32_LOAD8_S;
  case WF_OP_I32_LOAD8_U: return WF_OP_I32_ADD_I32_LOAD8_U;
  case WF_OP_I32_LOAD16_S: return WF_OP_I32_ADD_I32_LOAD16_S;
  case WF_OP_I32_LOAD16_U: return WF_OP_I32_ADD_I32_LOAD16_U;
  default: return 0;
  }
}

/* The interpreter only: an f64.store of the result the fused
** multiply-and-add op just before computed (lower_num.c) joins it. */
static bool chain_store_fused(struct lower *L, u32 v, u32 addr, u32 offset) {
  static const struct {
    u16 first, fused;
  } pairs[] = {
      {WF_OP_F64_MUL_ADD, WF_OP_F64_MUL_ADD_F64_STORE},
      {WF_OP_F64_MUL_SUB, WF_OP_F64_MUL_SUB_F64_STORE},
      {WF_OP_F64_MUL_ADD_L, WF_OP_F64_MUL_ADD_L_F64_STORE},
      {WF_OP_F64_MUL_SUB_L, WF_OP_F64_MUL_SUB_L_F64_STORE},
      {WF_OP_I32_ADD_F64_LOAD_MUL_ADD,
       WF_OP_I32_ADD_F64_LOAD_MUL_ADD_F64_STORE},
      {WF_OP_I32_ADD_F64_LOAD_MUL_SUB,
       WF_OP_I32_ADD_F64_LOAD_MUL_SUB_F64_STORE},
  };
  if (!L->interp_ops || !live(L) || L->last_op_pos == NONE ||
      L->last_dst_pos == NONE || L->last_dst_pos + 2 != L->ncode ||
      L->code[L->last_dst_pos] != v || L->status != WEFT_OK)
    return false;
  for (u32 i = 0; i < WF_ARRAY_LEN(pairs); i++) {
    if (pairs[i].first != L->last_op)
      continue;
    wf_lw_fuse_last(L, (enum wf_op)pairs[i].fused);
    wf_lw_put_slot(L, addr);
    wf_lw_put(L, offset);
    return true;
  }
  return false;
}

/* Loads 0x28..0x35 and stores 0x36..0x3e. */
bool wf_lw_memory_access(struct lower *L, u8 opcode) {
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
  if (!wf_lw_read_memarg_x(L, &ma))
    return false;
  u32 align = ma.align, offset = (u32)ma.offset;
  const typeof(acc[0]) *d = &acc[opcode - 0x28];
  if (align > d->align)
    return wf_lw_invalid(L, "alignment must not be larger than natural");
  if (!wf_lw_mem_fast(L, ma.mem)) { /* multi-memory, memory64 */
    struct entry v, addr;
    if (d->store && !wf_lw_pop_type(L, d->type, &v))
      return false;
    if (!wf_lw_pop_type(L, wf_lw_mem_addr_type(L, ma.mem), &addr))
      return false;
    u32 dst = d->store ? 0 : wf_lw_push_result(L, d->type);
    if (!live(L))
      return true;
    u32 zero = wf_lw_memx_open(L, &ma, addr.loc, 1u << d->align);
    wf_lw_emit_op(L, (enum wf_op)d->op);
    if (d->store) {
      wf_lw_put_slot(L, zero);
      wf_lw_put_slot(L, v.loc);
    } else {
      wf_lw_put_dst(L, dst);
      wf_lw_put_slot(L, zero);
    }
    wf_lw_put(L, 0);
    wf_lw_memx_close(L);
    return true;
  }
  if (d->store) {
    struct entry v, addr;
    if (!wf_lw_pop_type(L, d->type, &v) || !wf_lw_pop_type(L, WF_I32, &addr))
      return false;
    static const struct {
      u8 first, fused;
    } store_pairs[] = {{WF_OP_F64_ADD, WF_OP_F64_ADD_F64_STORE},
                       {WF_OP_F64_SUB, WF_OP_F64_SUB_F64_STORE},
                       {WF_OP_F64_MUL, WF_OP_F64_MUL_F64_STORE}};
    if (d->op == WF_OP_F64_STORE &&
        chain_store_fused(L, v.loc, addr.loc, offset))
      return true;
    for (u32 i = 0; d->op == WF_OP_F64_STORE && i < WF_ARRAY_LEN(store_pairs);
         i++)
      if (wf_lw_fusable(L, store_pairs[i].first, v.loc)) {
        wf_lw_fuse_last(L, store_pairs[i].fused);
        wf_lw_put_slot(L, addr.loc);
        wf_lw_put(L, offset);
        L->last_dst_pos = NONE;
        return true;
      }
    /* Interpreter only: an i32 sum stored. */
    if (d->op == WF_OP_I32_STORE && L->interp_ops &&
        wf_lw_fusable(L, WF_OP_I32_ADD, v.loc)) {
      wf_lw_fuse_last(L, WF_OP_I32_ADD_I32_STORE);
      wf_lw_put_slot(L, addr.loc);
      wf_lw_put(L, offset);
      L->last_dst_pos = NONE;
      return true;
    }
    if (live(L)) {
      wf_lw_emit_op(L, (enum wf_op)d->op);
      wf_lw_put_slot(L, addr.loc);
      wf_lw_put_slot(L, v.loc);
      wf_lw_put(L, offset);
    }
    return true;
  }
  struct entry addr;
  if (!wf_lw_pop_type(L, WF_I32, &addr))
    return false;
  u32 dst = wf_lw_push_result(L, d->type);
  u32 fused = d->op == WF_OP_I32_LOAD   ? WF_OP_I32_ADD_I32_LOAD
              : d->op == WF_OP_I64_LOAD ? WF_OP_I32_ADD_I64_LOAD
              : d->op == WF_OP_F32_LOAD ? WF_OP_I32_ADD_F32_LOAD
              : d->op == WF_OP_F64_LOAD ? WF_OP_I32_ADD_F64_LOAD
              : L->interp_ops           ? narrow_add_load(d->op)
                                        : 0;
  if (fused && wf_lw_fusable(L, WF_OP_I32_ADD, addr.loc)) {
    wf_lw_fuse_last(L, (enum wf_op)fused);
    wf_lw_put_dst(L, dst);
    wf_lw_put(L, offset);
    return true;
  }
  /* Interpreter only: a load of the address the last i32 load read. */
  if (d->op == WF_OP_I32_LOAD && L->interp_ops &&
      wf_lw_fusable(L, WF_OP_I32_LOAD, addr.loc)) {
    wf_lw_fuse_last(L, WF_OP_I32_LOAD_I32_LOAD);
    wf_lw_put_dst(L, dst);
    wf_lw_put(L, offset);
    return true;
  }
  if (live(L)) {
    wf_lw_emit_op(L, (enum wf_op)d->op);
    wf_lw_put_dst(L, dst);
    wf_lw_put_slot(L, addr.loc);
    wf_lw_put(L, offset);
  }
  return true;
}

static bool check_table(struct lower *L, u32 t) {
  return t < wf_module_table_count(L->m) || wf_lw_invalid(L, "unknown table");
}
static bool check_elem(struct lower *L, u32 e) {
  return e < L->m->nelems || wf_lw_invalid(L, "unknown elem segment");
}
static bool check_data(struct lower *L, u32 d) {
  if (!L->m->has_datacount)
    return wf_lw_malformed(L, "data count section required");
  return d < L->m->datacount || wf_lw_invalid(L, "unknown data segment");
}

bool wf_lw_prefixed(struct lower *L) {
  u32 sub;
  if (!wf_lw_read_u32(L, &sub))
    return false;
  bool handled;
  if (sub <= 7) {
    bool ok = wf_lw_numeric(L, 0xfc00 | sub, &handled);
    return ok;
  }
  static const u8 i32x3[3] = {WF_I32, WF_I32, WF_I32};
  u32 imm[2];
  switch (sub) {
  case 8: /* memory.init */
    if (!wf_lw_read_u32(L, &imm[0]) || !read_memidx(L, &imm[1]) ||
        !check_data(L, imm[0]))
      return false;
    if (!wf_lw_mem_fast(L, imm[1])) {
      u8 in[3] = {wf_lw_mem_addr_type(L, imm[1]), WF_I32, WF_I32};
      return wf_lw_simple(L, WF_OP_MEMX_INIT, 3, in, 0, imm, 2);
    }
    return wf_lw_simple(L, WF_OP_MEMORY_INIT, 3, i32x3, 0, imm, 1);
  case 9: /* data.drop */
    if (!wf_lw_read_u32(L, &imm[0]) || !check_data(L, imm[0]))
      return false;
    return wf_lw_simple(L, WF_OP_DATA_DROP, 0, NULL, 0, imm, 1);
  case 10: /* memory.copy dst src */
    if (!read_memidx(L, &imm[0]) || !read_memidx(L, &imm[1]))
      return false;
    if (!wf_lw_mem_fast(L, imm[0]) || !wf_lw_mem_fast(L, imm[1])) {
      u8 dt = wf_lw_mem_addr_type(L, imm[0]),
         st = wf_lw_mem_addr_type(L, imm[1]);
      u8 in[3] = {dt, st, dt == WF_I64 && st == WF_I64 ? WF_I64 : WF_I32};
      return wf_lw_simple(L, WF_OP_MEMX_COPY, 3, in, 0, imm, 2);
    }
    return wf_lw_simple(L, WF_OP_MEMORY_COPY, 3, i32x3, 0, NULL, 0);
  case 11: /* memory.fill */
    if (!read_memidx(L, &imm[0]))
      return false;
    if (!wf_lw_mem_fast(L, imm[0])) {
      u8 at = wf_lw_mem_addr_type(L, imm[0]);
      u8 in[3] = {at, WF_I32, at};
      return wf_lw_simple(L, WF_OP_MEMX_FILL, 3, in, 0, imm, 1);
    }
    return wf_lw_simple(L, WF_OP_MEMORY_FILL, 3, i32x3, 0, NULL, 0);
  case 12: { /* table.init elem table */
    if (!wf_lw_read_u32(L, &imm[1]) || !wf_lw_read_u32(L, &imm[0]) ||
        !check_table(L, imm[0]) || !check_elem(L, imm[1]))
      return false;
    if (wf_module_table_type(L->m, imm[0]).elemtype !=
        L->m->elems[imm[1]].reftype)
      return wf_lw_invalid(L, "type mismatch");
    return simple_x(L, WF_OP_TABLE_INIT, 3, i32x3, 0, imm, 2,
                    table_is64(L, imm[0]), 0);
  }
  case 13: /* elem.drop */
    if (!wf_lw_read_u32(L, &imm[0]) || !check_elem(L, imm[0]))
      return false;
    return wf_lw_simple(L, WF_OP_ELEM_DROP, 0, NULL, 0, imm, 1);
  case 14: { /* table.copy dst src */
    if (!wf_lw_read_u32(L, &imm[0]) || !wf_lw_read_u32(L, &imm[1]) ||
        !check_table(L, imm[0]) || !check_table(L, imm[1]))
      return false;
    if (wf_module_table_type(L->m, imm[0]).elemtype !=
        wf_module_table_type(L->m, imm[1]).elemtype)
      return wf_lw_invalid(L, "type mismatch");
    bool d64 = table_is64(L, imm[0]), s64 = table_is64(L, imm[1]);
    return simple_x(L, WF_OP_TABLE_COPY, 3, i32x3, 0, imm, 2,
                    (u32)d64 | (u32)s64 << 1 | (u32)(d64 && s64) << 2, 0);
  }
  case 15: { /* table.grow: init n -> old */
    if (!wf_lw_read_u32(L, &imm[0]) || !check_table(L, imm[0]))
      return false;
    u8 in[2] = {wf_module_table_type(L->m, imm[0]).elemtype, WF_I32};
    bool t64 = table_is64(L, imm[0]);
    return simple_x(L, WF_OP_TABLE_GROW, 2, in, WF_I32, imm, 1, t64 ? 2 : 0,
                    t64 ? WF_OP_I64_EXTEND_I32_S : (enum wf_op)0);
  }
  case 16: /* table.size */
    if (!wf_lw_read_u32(L, &imm[0]) || !check_table(L, imm[0]))
      return false;
    return simple_x(L, WF_OP_TABLE_SIZE, 0, NULL, WF_I32, imm, 1, 0,
                    table_is64(L, imm[0]) ? WF_OP_I64_EXTEND_I32_U
                                          : (enum wf_op)0);
  case 17: { /* table.fill: i v n */
    if (!wf_lw_read_u32(L, &imm[0]) || !check_table(L, imm[0]))
      return false;
    u8 in[3] = {WF_I32, wf_module_table_type(L->m, imm[0]).elemtype, WF_I32};
    return simple_x(L, WF_OP_TABLE_FILL, 3, in, 0, imm, 1,
                    table_is64(L, imm[0]) ? 5 : 0, 0);
  }
  default: return wf_lw_malformed(L, "illegal opcode");
  }
}

bool wf_lw_ref(struct lower *L, u8 opcode) {
  if (opcode == 0xd0) { /* ref.null t */
    u8 t;
    wf_vt full;
    if (!wf_lw_read_ref_heap(L, 0x63, &t, &full))
      return false;
    static const weft_slot null_ref; /* all zero: ref == NULL */
    u32 loc = live(L) ? wf_lw_const_slot(L, &null_ref) : stack_loc(L->height);
    return wf_lw_push_vt(L, full, loc);
  }
  if (opcode == 0xd1) { /* ref.is_null */
    struct entry v;
    if (!wf_lw_pop_any(L, &v))
      return false;
    if (!is_ref(v.type))
      return wf_lw_invalid(L, "type mismatch");
    u32 dst = wf_lw_push_result(L, WF_I32);
    if (live(L)) {
      wf_lw_emit_op(L, WF_OP_REF_IS_NULL);
      wf_lw_put_dst(L, dst);
      wf_lw_put_slot(L, v.loc);
    }
    return true;
  }
  u32 f; /* ref.func */
  if (!wf_lw_read_u32(L, &f))
    return false;
  if (f >= wf_module_func_count(L->m))
    return wf_lw_invalid(L, "unknown function");
  if (!L->m->func_declared || !L->m->func_declared[f])
    return wf_lw_invalid(L, "undeclared function reference");
  u32 dst = stack_loc(L->height);
  if (!wf_lw_push_vt(
          L, WF_VT_MAKE(WF_FUNCREF, true, wf_module_func_typeidx(L->m, f) + 1),
          dst))
    return false;
  if (live(L)) {
    wf_lw_emit_op(L, WF_OP_REF_FUNC);
    wf_lw_put_dst(L, dst);
    wf_lw_put(L, f);
  }
  return true;
}

bool wf_lw_table_access(struct lower *L, u8 opcode) {
  u32 t;
  if (!wf_lw_read_u32(L, &t) || !check_table(L, t))
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
    return wf_lw_invalid(L, "type mismatch");
  u8 in[2] = {WF_I32, et};
  return simple_x(L, WF_OP_TABLE_SET, 2, in, 0, &t, 1, narrow, 0);
}

bool wf_lw_memory_size_grow(struct lower *L, u8 opcode) {
  u32 mem;
  if (!read_memidx(L, &mem))
    return false;
  if (!wf_lw_mem_fast(L, mem)) { /* multi-memory, memory64 */
    u8 at = wf_lw_mem_addr_type(L, mem);
    if (opcode == 0x3f)
      return wf_lw_simple(L, WF_OP_MEMX_SIZE, 0, NULL, at, &mem, 1);
    return wf_lw_simple(L, WF_OP_MEMX_GROW, 1, &at, at, &mem, 1);
  }
  if (opcode == 0x3f)
    return wf_lw_simple(L, WF_OP_MEMORY_SIZE, 0, NULL, WF_I32, NULL, 0);
  u8 in = WF_I32;
  return wf_lw_simple(L, WF_OP_MEMORY_GROW, 1, &in, WF_I32, NULL, 0);
}
