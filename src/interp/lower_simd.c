/*
** lower_simd.c — lowering of the 0xFD prefix (simd.def): vector loads,
** stores, lanes, shuffles and the table-driven rest.
*/
#include "lower.h"

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
  if (!wf_lw_read_memarg_x(L, ma))
    return false;
  return ma->align <= log2_bytes(bytes) ||
         wf_lw_invalid(L, "alignment must not be larger than natural");
}

static bool read_lane(struct lower *L, u32 lanes, u32 *lane) {
  u8 b;
  if (!wf_lw_read_u8(L, &b))
    return false;
  *lane = b;
  return b < lanes || wf_lw_invalid(L, "wf_lw_invalid lane index");
}

/* Loads "dsi" (dst addr offset) and v128.store "ssi" (addr value offset). */
static bool lower_simd_mem(struct lower *L, enum wf_op op, u32 bytes,
                           bool store) {
  struct memarg ma;
  struct entry v, addr;
  if (!read_memarg(L, bytes, &ma))
    return false;
  if (store && !wf_lw_pop_type(L, WF_V128, &v))
    return false;
  if (!wf_lw_pop_type(L, wf_lw_mem_addr_type(L, ma.mem), &addr))
    return false;
  u32 dst = store ? 0 : wf_lw_push_result(L, WF_V128);
  if (!live(L))
    return true;
  bool x = !wf_lw_mem_fast(L, ma.mem);
  u32 offset = x ? 0 : (u32)ma.offset;
  if (x) /* multi-memory, memory64 */
    addr.loc = wf_lw_memx_open(L, &ma, addr.loc, bytes);
  wf_lw_emit_op(L, op);
  if (store) {
    wf_lw_put_slot(L, addr.loc);
    wf_lw_put_slot(L, v.loc);
  } else {
    wf_lw_put_dst(L, dst);
    wf_lw_put_slot(L, addr.loc);
  }
  wf_lw_put(L, offset);
  if (x)
    wf_lw_memx_close(L);
  return true;
}

/* load_lane "dssii" (dst addr vec offset lane); store_lane "ssii". */
static bool lower_simd_lane_mem(struct lower *L, enum wf_op op, u32 bytes,
                                u32 lanes, bool store) {
  u32 lane;
  struct memarg ma;
  struct entry v, addr;
  if (!read_memarg(L, bytes, &ma) || !read_lane(L, lanes, &lane) ||
      !wf_lw_pop_type(L, WF_V128, &v) ||
      !wf_lw_pop_type(L, wf_lw_mem_addr_type(L, ma.mem), &addr))
    return false;
  u32 dst = store ? 0 : wf_lw_push_result(L, WF_V128);
  if (!live(L))
    return true;
  bool x = !wf_lw_mem_fast(L, ma.mem);
  u32 offset = x ? 0 : (u32)ma.offset;
  if (x) /* multi-memory, memory64 */
    addr.loc = wf_lw_memx_open(L, &ma, addr.loc, bytes);
  wf_lw_emit_op(L, op);
  if (!store)
    wf_lw_put_dst(L, dst);
  wf_lw_put_slot(L, addr.loc);
  wf_lw_put_slot(L, v.loc);
  wf_lw_put(L, offset);
  wf_lw_put(L, lane);
  if (x)
    wf_lw_memx_close(L);
  return true;
}

/* extract "dsi" (dst vec lane); replace "dssi" (dst vec scalar lane). */
static bool lower_simd_lane(struct lower *L, enum wf_op op, u8 scalar,
                            u32 lanes, bool replace) {
  u32 lane;
  struct entry v, x;
  if (!read_lane(L, lanes, &lane))
    return false;
  if (replace && !wf_lw_pop_type(L, scalar, &x))
    return false;
  if (!wf_lw_pop_type(L, WF_V128, &v))
    return false;
  u32 dst = wf_lw_push_result(L, replace ? WF_V128 : scalar);
  if (!live(L))
    return true;
  wf_lw_emit_op(L, op);
  wf_lw_put_dst(L, dst);
  wf_lw_put_slot(L, v.loc);
  if (replace)
    wf_lw_put_slot(L, x.loc);
  wf_lw_put(L, lane);
  return true;
}

/* i8x16.shuffle "dssiiii": dst a b, then the 16 lane bytes in 4 units. */
static bool lower_shuffle(struct lower *L, enum wf_op op) {
  const u8 *lanes;
  struct entry a, b;
  if (!wf_read_bytes(&L->r, 16, &lanes))
    return wf_lw_reader_failed(L);
  for (u32 i = 0; i < 16; i++)
    if (lanes[i] >= 32)
      return wf_lw_invalid(L, "wf_lw_invalid lane index");
  if (!wf_lw_pop_type(L, WF_V128, &b) || !wf_lw_pop_type(L, WF_V128, &a))
    return false;
  u32 dst = wf_lw_push_result(L, WF_V128);
  if (!live(L))
    return true;
  wf_lw_emit_op(L, op);
  wf_lw_put_dst(L, dst);
  wf_lw_put_slot(L, a.loc);
  wf_lw_put_slot(L, b.loc);
  for (u32 i = 0; i < 16; i += 4)
    wf_lw_put(L, (u32)lanes[i] | (u32)lanes[i + 1] << 8 |
                     (u32)lanes[i + 2] << 16 | (u32)lanes[i + 3] << 24);
  return true;
}

/* v128.const: a constant slot, like the scalar constants. */
static bool lower_v128_const(struct lower *L) {
  const u8 *bytes;
  if (!wf_read_bytes(&L->r, 16, &bytes))
    return wf_lw_reader_failed(L);
  weft_slot s;
  memset(&s, 0, sizeof s);
  memcpy(s.v128, bytes, 16);
  u32 loc = live(L) ? wf_lw_const_slot(L, &s) : stack_loc(L->height);
  return wf_lw_push(L, WF_V128, loc);
}

bool wf_lw_simd(struct lower *L) {
  static const u8 v1[] = {WF_V128}, v2[] = {WF_V128, WF_V128},
                  v3[] = {WF_V128, WF_V128, WF_V128},
                  vshift[] = {WF_V128, WF_I32};
  u32 sub;
  if (!wf_lw_read_u32(L, &sub))
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
    return wf_lw_simple(L, WF_OP_##name, 1, &in, WF_V128, NULL, 0);                  \
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
  case opc: return wf_lw_simple(L, WF_OP_##name, 1, v1, WF_V128, NULL, 0);
#define SIMD_BIN(name, opc, fn)                                                \
  case opc: return wf_lw_simple(L, WF_OP_##name, 2, v2, WF_V128, NULL, 0);
#define SIMD_TERN(name, opc, fn)                                               \
  case opc: return wf_lw_simple(L, WF_OP_##name, 3, v3, WF_V128, NULL, 0);
#define SIMD_TEST(name, opc, fn)                                               \
  case opc: return wf_lw_simple(L, WF_OP_##name, 1, v1, WF_I32, NULL, 0);
#define SIMD_SHIFT(name, opc, fn)                                              \
  case opc: return wf_lw_simple(L, WF_OP_##name, 2, vshift, WF_V128, NULL, 0);
#include "simd.def"
#include "simd_undef.h"
    /* clang-format on */
  default: return wf_lw_malformed(L, "illegal opcode");
  }
}

#else
bool wf_lw_simd(struct lower *L) {
  return wf_lw_fail(
      L, WEFT_ERR_UNSUPPORTED,
      "SIMD instructions are not in this build (WEFT_ENABLE_SIMD=0)");
}
#endif /* WEFT_ENABLE_SIMD */
