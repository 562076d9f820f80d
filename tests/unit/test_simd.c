/*
** test_simd.c — the v128 semantics of src/ir/simd.h against values
** worked out from the spec by hand (saturation, narrowing, shifts modulo
** the lane width, shuffles, bitmasks, q15mulr, dot, float min/max, NaNs,
** rounding, trunc_sat), and simd.def expanded into a typed table, so a
** missing or mistyped wf_simd_* function fails to build.
*/
#include "t.h"

#include "../../src/ir/simd.h"

#pragma GCC diagnostic error "-Wincompatible-pointer-types"

/* ---- helpers --------------------------------------------------------- */

#define V8(...) ((wf_v128)(wf_i8x16){__VA_ARGS__})
#define VU8(...) ((wf_v128)(wf_u8x16){__VA_ARGS__})
#define V16(...) ((wf_v128)(wf_i16x8){__VA_ARGS__})
#define VU16(...) ((wf_v128)(wf_u16x8){__VA_ARGS__})
#define V32(...) ((wf_v128)(wf_i32x4){__VA_ARGS__})
#define VU32(...) ((wf_v128)(wf_u32x4){__VA_ARGS__})
#define V64(...) ((wf_v128)(wf_i64x2){__VA_ARGS__})
#define VF32(...) ((wf_v128)(wf_f32x4){__VA_ARGS__})
#define VF64(...) ((wf_v128)(wf_f64x2){__VA_ARGS__})

/* Both halves of a v128, printed in hex on failure. */
#define CHECK_V(got, want)                                                     \
  do {                                                                         \
    wf_v128 g_ = (got), w_ = (want);                                           \
    CHECK_EQ_U64(g_[0], w_[0]);                                                \
    CHECK_EQ_U64(g_[1], w_[1]);                                                \
  } while (0)

static u32 lane32(wf_v128 v, int i) { return ((wf_u32x4)v)[i]; }
static u64 lane64(wf_v128 v, int i) { return v[i]; }
static wf_v128 vbits32(u32 a, u32 b, u32 c, u32 d) { return VU32(a, b, c, d); }

/* NaN classes of the spec tests: canonical (quiet, zero payload) and
** arithmetic (quiet bit set), either sign. */
static int is_canon32(u32 b) { return (b & 0x7fffffffu) == 0x7fc00000u; }
static int is_arith32(u32 b) { return (b & 0x7fc00000u) == 0x7fc00000u; }
static int is_arith64(u64 b) {
  return (b & 0x7ff8000000000000u) == 0x7ff8000000000000u;
}

static const u32 SNAN32 = 0x7f800001u, QNAN32 = 0x7fc00000u;
static const u64 SNAN64 = 0x7ff0000000000001u;
static const u32 NEG0_32 = 0x80000000u;
static const u64 NEG0_64 = 0x8000000000000000u;

/* ---- simd.def as a typed table --------------------------------------- */

enum form {
  F_LOAD,
  F_STORE,
  F_LOAD_LANE,
  F_STORE_LANE,
  F_CONST,
  F_SHUFFLE,
  F_SPLAT,
  F_EXTRACT,
  F_REPLACE,
  F_UN,
  F_BIN,
  F_TERN,
  F_TEST,
  F_SHIFT,
  F_COUNT
};

struct entry {
  u32 opc;
  enum form form;
  const char *name;
  u32 bytes, lanes;
  wf_v128 (*load)(const u8 *);
  void (*store)(u8 *, wf_v128);
  wf_v128 (*load_lane)(wf_v128, u32, const u8 *);
  void (*store_lane)(u8 *, wf_v128, u32);
  wf_v128 (*shuffle)(wf_v128, wf_v128, const u8 *);
  wf_v128 (*splat_u32)(u32);
  wf_v128 (*splat_u64)(u64);
  u32 (*extract_u32)(wf_v128, u32);
  u64 (*extract_u64)(wf_v128, u32);
  wf_v128 (*replace_u32)(wf_v128, u32, u32);
  wf_v128 (*replace_u64)(wf_v128, u32, u64);
  wf_v128 (*un)(wf_v128);
  wf_v128 (*bin)(wf_v128, wf_v128);
  wf_v128 (*tern)(wf_v128, wf_v128, wf_v128);
  u32 (*test)(wf_v128);
  wf_v128 (*shift)(wf_v128, u32);
};

#define E_(N, o, f) .opc = (o), .form = (f), .name = #N
#define SIMD_LOAD(N, o, by, fn) {E_(N, o, F_LOAD), .bytes = by, .load = fn},
#define SIMD_STORE(N, o, by, fn) {E_(N, o, F_STORE), .bytes = by, .store = fn},
#define SIMD_LOAD_LANE(N, o, by, n, fn)                                        \
  {E_(N, o, F_LOAD_LANE), .bytes = by, .lanes = n, .load_lane = fn},
#define SIMD_STORE_LANE(N, o, by, n, fn)                                       \
  {E_(N, o, F_STORE_LANE), .bytes = by, .lanes = n, .store_lane = fn},
#define SIMD_CONST(N, o) {E_(N, o, F_CONST)},
#define SIMD_SHUFFLE(N, o, fn) {E_(N, o, F_SHUFFLE), .shuffle = fn},
#define SIMD_SPLAT(N, o, m, fn) {E_(N, o, F_SPLAT), .splat_##m = fn},
#define SIMD_EXTRACT(N, o, m, n, fn)                                           \
  {E_(N, o, F_EXTRACT), .lanes = n, .extract_##m = fn},
#define SIMD_REPLACE(N, o, m, n, fn)                                           \
  {E_(N, o, F_REPLACE), .lanes = n, .replace_##m = fn},
#define SIMD_UN(N, o, fn) {E_(N, o, F_UN), .un = fn},
#define SIMD_BIN(N, o, fn) {E_(N, o, F_BIN), .bin = fn},
#define SIMD_TERN(N, o, fn) {E_(N, o, F_TERN), .tern = fn},
#define SIMD_TEST(N, o, fn) {E_(N, o, F_TEST), .test = fn},
#define SIMD_SHIFT(N, o, fn) {E_(N, o, F_SHIFT), .shift = fn},
static const struct entry entries[] = {
#include "../../src/ir/simd.def"
};

/* Names are unique: a duplicate is a redefinition of an enumerator. */
#include "../../src/ir/simd_undef.h"
#define SIMD_LOAD(N, o, ...) OP_##N = o,
#define SIMD_STORE(N, o, ...) OP_##N = o,
#define SIMD_LOAD_LANE(N, o, ...) OP_##N = o,
#define SIMD_STORE_LANE(N, o, ...) OP_##N = o,
#define SIMD_CONST(N, o) OP_##N = o,
#define SIMD_SHUFFLE(N, o, ...) OP_##N = o,
#define SIMD_SPLAT(N, o, ...) OP_##N = o,
#define SIMD_EXTRACT(N, o, ...) OP_##N = o,
#define SIMD_REPLACE(N, o, ...) OP_##N = o,
#define SIMD_UN(N, o, ...) OP_##N = o,
#define SIMD_BIN(N, o, ...) OP_##N = o,
#define SIMD_TERN(N, o, ...) OP_##N = o,
#define SIMD_TEST(N, o, ...) OP_##N = o,
#define SIMD_SHIFT(N, o, ...) OP_##N = o,
enum simd_opcode {
#include "../../src/ir/simd.def"
};

static void test_table(void) {
  unsigned count[F_COUNT] = {0};
  size_t n = WF_ARRAY_LEN(entries);
  CHECK_EQ_INT(n, 256); /* 236 of 2.0, 20 relaxed (3.0) */
  for (size_t i = 0; i < n; i++) {
    count[entries[i].form]++;
    if (i > 0 && entries[i].opc <= entries[i - 1].opc) {
      CHECK(!"simd.def sorted by opcode");
      fprintf(stderr, "     at %s\n", entries[i].name);
    }
  }
  CHECK_EQ_INT(entries[0].opc, 0);
  CHECK_EQ_INT(entries[n - 1].opc, 0x113);
  CHECK_EQ_INT(count[F_LOAD], 13);
  CHECK_EQ_INT(count[F_STORE], 1);
  CHECK_EQ_INT(count[F_LOAD_LANE], 4);
  CHECK_EQ_INT(count[F_STORE_LANE], 4);
  CHECK_EQ_INT(count[F_CONST], 1);
  CHECK_EQ_INT(count[F_SHUFFLE], 1);
  CHECK_EQ_INT(count[F_SPLAT], 6);
  CHECK_EQ_INT(count[F_EXTRACT], 8);
  CHECK_EQ_INT(count[F_REPLACE], 6);
  CHECK_EQ_INT(count[F_UN], 54);
  CHECK_EQ_INT(count[F_BIN], 127);
  CHECK_EQ_INT(count[F_TERN], 10);
  CHECK_EQ_INT(count[F_TEST], 9);
  CHECK_EQ_INT(count[F_SHIFT], 12);
  /* A few fixed points of the opcode table. */
  CHECK_EQ_INT(OP_I8X16_SHUFFLE, 0x0d);
  CHECK_EQ_INT(OP_V128_ANY_TRUE, 0x53);
  CHECK_EQ_INT(OP_V128_LOAD32_ZERO, 0x5c);
  CHECK_EQ_INT(OP_I16X8_Q15MULR_SAT_S, 0x82);
  CHECK_EQ_INT(OP_I32X4_ADD, 0xae);
  CHECK_EQ_INT(OP_I32X4_DOT_I16X8_S, 0xba);
  CHECK_EQ_INT(OP_I64X2_EQ, 0xd6);
  CHECK_EQ_INT(OP_F64X2_CONVERT_LOW_I32X4_U, 0xff);
}

/* Every function on awkward inputs (NaNs, extremes, big shift counts), so
** the sanitizers see them all; results are checked elsewhere. */
static void test_every_entry_runs(void) {
  static const u64 inputs[][2] = {
      {0, 0},
      {~0ull, ~0ull},
      {0x8000000080000000u, 0x8000000000000000u},
      {0x7fffffff7fffffffu, 0x7fffffffffffffffu},
      {0x7f8000017fc00000u, 0xfff0000000000001u},
      {0x80807f7f01ff8000u, 0x4f8000004f000000u},
      {0xcf000000cf000001u, 0x41e0000000000000u},
      {0x0706050403020100u, 0x1f1e1d1c1b1a1918u},
  };
  static const u8 lanes[16] = {0, 31, 16, 15, 1, 30, 2, 29,
                               3, 28, 4,  27, 5, 26, 6, 25};
  u8 mem[32] = {0};
  u64 sink = 0;
  for (size_t k = 0; k < WF_ARRAY_LEN(inputs); k++) {
    wf_v128 a = {inputs[k][0], inputs[k][1]};
    wf_v128 b = {inputs[(k + 3) % 8][0], inputs[(k + 3) % 8][1]};
    for (size_t i = 0; i < WF_ARRAY_LEN(entries); i++) {
      const struct entry *e = &entries[i];
      wf_v128 r = {0, 0};
      wf_v128_store(mem + 1, a);
      switch (e->form) {
      case F_LOAD: r = e->load(mem + 1); break;
      case F_STORE:
        e->store(mem + 3, a);
        r = wf_v128_load(mem + 3);
        break;
      case F_LOAD_LANE: r = e->load_lane(b, e->lanes - 1, mem + 1); break;
      case F_STORE_LANE:
        e->store_lane(mem + 5, a, e->lanes - 1);
        r = wf_v128_load(mem);
        break;
      case F_CONST: break;
      case F_SHUFFLE: r = e->shuffle(a, b, lanes); break;
      case F_SPLAT:
        r = e->splat_u32 ? e->splat_u32((u32)a[0]) : e->splat_u64(a[1]);
        break;
      case F_EXTRACT:
        r[0] = e->extract_u32 ? e->extract_u32(a, e->lanes - 1)
                              : e->extract_u64(a, e->lanes - 1);
        break;
      case F_REPLACE:
        r = e->replace_u32 ? e->replace_u32(a, e->lanes - 1, (u32)b[1])
                           : e->replace_u64(a, e->lanes - 1, b[1]);
        break;
      case F_UN: r = e->un(a); break;
      case F_BIN: r = e->bin(a, b); break;
      case F_TERN: r = e->tern(a, b, wf_simd_v128_not(a)); break;
      case F_TEST: r[0] = e->test(a); break;
      case F_SHIFT: r = e->shift(a, (u32)(k * 37 + 5)); break;
      case F_COUNT: break;
      }
      sink += r[0] ^ r[1];
    }
  }
  CHECK(sink != 1); /* keeps the calls */
}

/* ---- memory ---------------------------------------------------------- */

static void test_memory(void) {
  u8 mem[40];
  for (int i = 0; i < 40; i++)
    mem[i] = (u8)i;
  wf_v128 v = wf_simd_v128_load(mem + 1); /* unaligned */
  CHECK_EQ_U64(lane32(v, 0), 0x04030201u);
  CHECK_EQ_U64(lane32(v, 3), 0x100f0e0du);

  static const u8 ext[8] = {0x80, 0x7f, 0xff, 0x01, 0x00, 0x80, 0xff, 0x7f};
  CHECK_V(wf_simd_v128_load8x8_s(ext), V16(-128, 127, -1, 1, 0, -128, -1, 127));
  CHECK_V(wf_simd_v128_load8x8_u(ext), V16(128, 127, 255, 1, 0, 128, 255, 127));
  CHECK_V(wf_simd_v128_load16x4_s(ext), V32(0x7f80, 0x01ff, -32768, 0x7fff));
  CHECK_V(wf_simd_v128_load16x4_u(ext), V32(0x7f80, 0x01ff, 0x8000, 0x7fff));
  CHECK_V(wf_simd_v128_load32x2_s(ext), V64(0x01ff7f80, 0x7fff8000));
  static const u8 neg[8] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x80};
  CHECK_V(wf_simd_v128_load32x2_s(neg), V64(-1, INT32_MIN));
  CHECK_V(wf_simd_v128_load32x2_u(neg), V64(0xffffffff, 0x80000000));

  CHECK_V(wf_simd_v128_load8_splat(ext),
          VU8(128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
              128, 128, 128));
  CHECK_V(wf_simd_v128_load16_splat(ext + 1),
          VU16(0xff7f, 0xff7f, 0xff7f, 0xff7f, 0xff7f, 0xff7f, 0xff7f, 0xff7f));
  CHECK_V(wf_simd_v128_load32_splat(mem + 4),
          VU32(0x07060504, 0x07060504, 0x07060504, 0x07060504));
  CHECK_V(wf_simd_v128_load64_splat(neg),
          V64(INT64_C(0x80000000ffffffff), INT64_C(0x80000000ffffffff)));
  CHECK_V(wf_simd_v128_load32_zero(mem + 4), VU32(0x07060504, 0, 0, 0));
  CHECK_V(wf_simd_v128_load64_zero(mem + 8),
          V64(INT64_C(0x0f0e0d0c0b0a0908), 0));

  wf_v128 z = {0, 0};
  CHECK_V(wf_simd_v128_load8_lane(z, 15, mem + 9),
          VU8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9));
  CHECK_V(wf_simd_v128_load16_lane(z, 7, mem + 2),
          VU16(0, 0, 0, 0, 0, 0, 0, 0x0302));
  CHECK_V(wf_simd_v128_load32_lane(v, 2, neg),
          VU32(0x04030201, 0x08070605, 0xffffffff, 0x100f0e0d));
  CHECK_V(wf_simd_v128_load64_lane(z, 1, neg),
          V64(0, INT64_C(0x80000000ffffffff)));

  u8 out[24];
  memset(out, 0xaa, sizeof out);
  wf_simd_v128_store(out + 3, v);
  CHECK_EQ_INT(out[2], 0xaa);
  CHECK_EQ_INT(out[3], 1);
  CHECK_EQ_INT(out[18], 16);
  CHECK_EQ_INT(out[19], 0xaa);
  memset(out, 0xaa, sizeof out);
  wf_simd_v128_store8_lane(out + 1, v, 5);
  wf_simd_v128_store16_lane(out + 3, v, 7);
  wf_simd_v128_store32_lane(out + 7, v, 1);
  wf_simd_v128_store64_lane(out + 13, v, 1);
  static const u8 want[24] = {0xaa, 6,  0xaa, 15,   16,   0xaa, 0xaa, 5,
                              6,    7,  8,    0xaa, 0xaa, 9,    10,   11,
                              12,   13, 14,   15,   16,   0xaa, 0xaa, 0xaa};
  CHECK(memcmp(out, want, sizeof want) == 0);
}

/* ---- lanes, shuffles -------------------------------------------------- */

static void test_lanes(void) {
  wf_v128 v = wf_simd_i8x16_splat(0x1ff);
  CHECK_V(v, V64(-1, -1));
  CHECK_EQ_U64(wf_simd_i8x16_extract_lane_s(v, 3), 0xffffffffu);
  CHECK_EQ_U64(wf_simd_i8x16_extract_lane_u(v, 3), 0xffu);
  v = wf_simd_i8x16_replace_lane(v, 15, 0x1234);
  CHECK_EQ_U64(lane64(v, 1), 0x34ffffffffffffffu);
  CHECK_EQ_U64(wf_simd_i8x16_extract_lane_s(v, 15), 0x34u);

  v = wf_simd_i16x8_splat(0x18000);
  CHECK_V(v,
          VU16(0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000));
  CHECK_EQ_U64(wf_simd_i16x8_extract_lane_s(v, 7), 0xffff8000u);
  CHECK_EQ_U64(wf_simd_i16x8_extract_lane_u(v, 7), 0x8000u);
  v = wf_simd_i16x8_replace_lane(v, 1, 0x7fff);
  CHECK_EQ_U64(wf_simd_i16x8_extract_lane_s(v, 1), 0x7fffu);
  CHECK_EQ_U64(lane32(v, 0), 0x7fff8000u);

  v = wf_simd_i32x4_splat(0xdeadbeef);
  v = wf_simd_i32x4_replace_lane(v, 2, 7);
  CHECK_V(v, VU32(0xdeadbeef, 0xdeadbeef, 7, 0xdeadbeef));
  CHECK_EQ_U64(wf_simd_i32x4_extract_lane(v, 2), 7);

  v = wf_simd_i64x2_splat(0x0123456789abcdefu);
  v = wf_simd_i64x2_replace_lane(v, 0, 5);
  CHECK_V(v, V64(5, INT64_C(0x0123456789abcdef)));
  CHECK_EQ_U64(wf_simd_i64x2_extract_lane(v, 1), 0x0123456789abcdefu);

  /* Float lanes are bit patterns: a signalling NaN passes unchanged. */
  v = wf_simd_f32x4_splat(SNAN32);
  CHECK_V(v, vbits32(SNAN32, SNAN32, SNAN32, SNAN32));
  v = wf_simd_f32x4_replace_lane(v, 3, NEG0_32);
  CHECK_EQ_U64(wf_simd_f32x4_extract_lane(v, 3), NEG0_32);
  CHECK_EQ_U64(wf_simd_f32x4_extract_lane(v, 0), SNAN32);
  v = wf_simd_f64x2_splat(SNAN64);
  v = wf_simd_f64x2_replace_lane(v, 1, NEG0_64);
  CHECK_EQ_U64(wf_simd_f64x2_extract_lane(v, 0), SNAN64);
  CHECK_EQ_U64(wf_simd_f64x2_extract_lane(v, 1), NEG0_64);
}

static void test_shuffle_swizzle(void) {
  wf_v128 a = VU8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  wf_v128 b = VU8(0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                  0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f);
  static const u8 lanes[16] = {31, 0,  16, 15, 1,  17, 17, 2,
                               30, 14, 3,  3,  24, 8,  9,  25};
  CHECK_V(wf_simd_i8x16_shuffle(a, b, lanes),
          VU8(0x8f, 0, 0x80, 15, 1, 0x81, 0x81, 2, 0x8e, 14, 3, 3, 0x88, 8, 9,
              0x89));
  u8 id[16];
  for (int i = 0; i < 16; i++)
    id[i] = (u8)(i + 16);
  CHECK_V(wf_simd_i8x16_shuffle(a, b, id), b);

  wf_v128 t = VU8(0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
                  0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf);
  wf_v128 idx =
      VU8(0, 15, 16, 255, 3, 0x80, 0x10, 0x1f, 7, 7, 0x8f, 1, 2, 14, 17, 0x40);
  CHECK_V(wf_simd_i8x16_swizzle(t, idx),
          VU8(0xa0, 0xaf, 0, 0, 0xa3, 0, 0, 0, 0xa7, 0xa7, 0, 0xa1, 0xa2, 0xae,
              0, 0));
}

/* ---- bitwise, reductions, comparisons -------------------------------- */

static void test_bitwise(void) {
  wf_v128 a = V64(INT64_C(0x00ff00ff00ff00ff), -1);
  wf_v128 b = V64(INT64_C(0x0ff00ff00ff00ff0), 0);
  wf_v128 c = V64(INT64_C(0xf0f0f0f0f0f0f0f0), INT64_C(0x00000000ffffffff));
  CHECK_V(wf_simd_v128_not(a), V64(INT64_C(0xff00ff00ff00ff00), 0));
  CHECK_V(wf_simd_v128_and(a, b), V64(INT64_C(0x00f000f000f000f0), 0));
  CHECK_V(wf_simd_v128_andnot(a, b), V64(INT64_C(0x000f000f000f000f), -1));
  CHECK_V(wf_simd_v128_or(a, b), V64(INT64_C(0x0fff0fff0fff0fff), -1));
  CHECK_V(wf_simd_v128_xor(a, b), V64(INT64_C(0x0f0f0f0f0f0f0f0f), -1));
  /* (a & c) | (b & ~c) */
  CHECK_V(wf_simd_v128_bitselect(a, b, c),
          V64(INT64_C(0x00f000f000f000f0) | INT64_C(0x0f000f000f000f00),
              INT64_C(0x00000000ffffffff)));

  CHECK_EQ_INT(wf_simd_v128_any_true(V64(0, 0)), 0);
  CHECK_EQ_INT(wf_simd_v128_any_true(V64(0, INT64_MIN)), 1);
  CHECK_EQ_INT(wf_simd_i8x16_all_true(
                   V8(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1)),
               0);
  CHECK_EQ_INT(wf_simd_i8x16_all_true(V64(-1, INT64_C(0x0101010101010180))), 1);
  CHECK_EQ_INT(wf_simd_i16x8_all_true(V16(0x100, 1, 1, 1, 1, 1, 1, -1)), 1);
  CHECK_EQ_INT(wf_simd_i16x8_all_true(V16(1, 1, 1, 1, 1, 0, 1, 1)), 0);
  CHECK_EQ_INT(wf_simd_i32x4_all_true(V32(0x10000, 1, 1, 1)), 1);
  CHECK_EQ_INT(wf_simd_i32x4_all_true(V32(1, 1, 0, 1)), 0);
  CHECK_EQ_INT(wf_simd_i64x2_all_true(V64(INT64_C(1) << 40, 1)), 1);
  CHECK_EQ_INT(wf_simd_i64x2_all_true(V64(1, 0)), 0);

  CHECK_EQ_U64(wf_simd_i8x16_bitmask(
                   V8(-1, 0, 1, 127, 0, 0, 0, -128, -2, 5, 0, 0, 0, 0, 0, -1)),
               0x8181u);
  CHECK_EQ_U64(wf_simd_i8x16_bitmask(V64(-1, -1)), 0xffffu);
  CHECK_EQ_U64(wf_simd_i8x16_bitmask(V64(0, 0)), 0);
  CHECK_EQ_U64(wf_simd_i16x8_bitmask(V16(-1, 1, 0x7fff, -32768, 0, 0, 0, -5)),
               0x89u);
  CHECK_EQ_U64(wf_simd_i16x8_bitmask(V64(-1, -1)), 0xffu);
  CHECK_EQ_U64(wf_simd_i32x4_bitmask(V32(1, -1, INT32_MIN, 0x7fffffff)), 6u);
  CHECK_EQ_U64(wf_simd_i64x2_bitmask(V64(INT64_MAX, INT64_MIN)), 2u);
}

static void test_int_compare(void) {
  wf_v128 a = V8(-128, 1, 5, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  wf_v128 b = V8(1, -128, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  /* -128 < 1 signed, 0x80 > 0x01 unsigned; -1 < 0 but 0xff > 0. */
  CHECK_EQ_U64(lane32(wf_simd_i8x16_lt_s(a, b), 0), 0xff0000ff);
  CHECK_EQ_U64(lane32(wf_simd_i8x16_lt_u(a, b), 0), 0x0000ff00);
  CHECK_EQ_U64(lane32(wf_simd_i8x16_gt_s(a, b), 0), 0x0000ff00);
  CHECK_EQ_U64(lane32(wf_simd_i8x16_gt_u(a, b), 0), 0xff0000ff);
  CHECK_EQ_U64(lane32(wf_simd_i8x16_le_s(a, b), 0), 0xffff00ff);
  CHECK_EQ_U64(lane32(wf_simd_i8x16_le_u(a, b), 0), 0x00ffff00);
  CHECK_EQ_U64(lane32(wf_simd_i8x16_ge_s(a, b), 0), 0x00ffff00);
  CHECK_EQ_U64(lane32(wf_simd_i8x16_ge_u(a, b), 0), 0xffff00ff);
  CHECK_V(wf_simd_i8x16_eq(a, b),
          V8(0, 0, -1, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
  CHECK_V(wf_simd_i8x16_ne(a, b),
          V8(-1, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));

  wf_v128 c = V16(-32768, 1, 2, 3, 0, 0, 0, 0);
  wf_v128 d = V16(1, -32768, 2, 4, 0, 0, 0, 0);
  CHECK_V(wf_simd_i16x8_lt_s(c, d), V16(-1, 0, 0, -1, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_lt_u(c, d), V16(0, -1, 0, -1, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_ge_u(c, d), V16(-1, 0, -1, 0, -1, -1, -1, -1));
  CHECK_V(wf_simd_i16x8_gt_s(c, d), V16(0, -1, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_le_u(c, d), V16(0, -1, -1, -1, -1, -1, -1, -1));

  wf_v128 e = V32(INT32_MIN, 7, -1, 0);
  wf_v128 f = V32(0, 7, 1, -1);
  CHECK_V(wf_simd_i32x4_lt_s(e, f), V32(-1, 0, -1, 0));
  CHECK_V(wf_simd_i32x4_lt_u(e, f), V32(0, 0, 0, -1));
  CHECK_V(wf_simd_i32x4_ge_s(e, f), V32(0, -1, 0, -1));
  CHECK_V(wf_simd_i32x4_gt_u(e, f), V32(-1, 0, -1, 0));
  CHECK_V(wf_simd_i32x4_eq(e, f), V32(0, -1, 0, 0));

  wf_v128 g = V64(-1, INT64_MIN), h = V64(0, INT64_MIN);
  CHECK_V(wf_simd_i64x2_eq(g, h), V64(0, -1));
  CHECK_V(wf_simd_i64x2_ne(g, h), V64(-1, 0));
  CHECK_V(wf_simd_i64x2_lt_s(g, h), V64(-1, 0));
  CHECK_V(wf_simd_i64x2_gt_s(g, h), V64(0, 0));
  CHECK_V(wf_simd_i64x2_le_s(g, h), V64(-1, -1));
  CHECK_V(wf_simd_i64x2_ge_s(g, h), V64(0, -1));
  CHECK_V(wf_simd_i64x2_gt_s(V64(INT64_MAX, 0), V64(INT64_MIN, 0)), V64(-1, 0));
}

/* ---- integer arithmetic ---------------------------------------------- */

static void test_int_arith(void) {
  CHECK_V(
      wf_simd_i8x16_add(V8(127, -128, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                        V8(1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
      V8(-128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i8x16_sub(
              V64(0, 0), V8(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128)),
          V8(-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128));
  CHECK_V(wf_simd_i16x8_mul(V16(0x4000, -1, 300, -32768, 3, 0, 0, 0),
                            V16(4, -1, 300, -1, -3, 0, 0, 0)),
          V16(0, 1, (i16)(90000 - 65536), -32768, -9, 0, 0, 0));
  CHECK_V(wf_simd_i32x4_mul(V32(0x10000, -1, INT32_MIN, 3),
                            V32(0x10000, INT32_MIN, -1, -5)),
          V32(0, INT32_MIN, INT32_MIN, -15));
  CHECK_V(wf_simd_i64x2_mul(V64(-1, INT64_C(0x100000001)),
                            V64(2, INT64_C(0x100000001))),
          V64(-2, INT64_C(0x200000001)));
  CHECK_V(wf_simd_i32x4_add(V32(INT32_MAX, 1, 2, 3), V32(1, -1, 2, 3)),
          V32(INT32_MIN, 0, 4, 6));
  CHECK_V(wf_simd_i64x2_sub(V64(INT64_MIN, 0), V64(1, 1)), V64(INT64_MAX, -1));

  /* abs and neg of the minimum stay the minimum. */
  CHECK_V(wf_simd_i8x16_abs(
              V8(-128, -5, 5, 0, -1, 127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
          V8(-128, 5, 5, 0, 1, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_abs(V16(-32768, -300, 300, -1, 0, 0, 0, 0)),
          V16(-32768, 300, 300, 1, 0, 0, 0, 0));
  CHECK_V(wf_simd_i32x4_abs(V32(INT32_MIN, -7, 7, -1)),
          V32(INT32_MIN, 7, 7, 1));
  CHECK_V(wf_simd_i64x2_abs(V64(INT64_MIN, -7)), V64(INT64_MIN, 7));
  CHECK_V(wf_simd_i8x16_neg(
              V8(-128, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 127)),
          V8(-128, -1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -127));
  CHECK_V(wf_simd_i16x8_neg(V16(-32768, 1, 0, 0, 0, 0, 0, 0)),
          V16(-32768, -1, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i32x4_neg(V32(INT32_MIN, 1, 0, -3)),
          V32(INT32_MIN, -1, 0, 3));
  CHECK_V(wf_simd_i64x2_neg(V64(INT64_MIN, 5)), V64(INT64_MIN, -5));

  CHECK_V(wf_simd_i8x16_min_s(
              V8(-128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
              V8(127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
          V8(-128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i8x16_min_u(
              V8(-128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
              V8(127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
          V8(127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(
      wf_simd_i8x16_max_s(V8(-128, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                          V8(127, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
      V8(127, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(
      wf_simd_i8x16_max_u(V8(-128, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                          V8(127, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
      V8(-128, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_min_u(V16(-1, 5, 0, 0, 0, 0, 0, 0),
                              V16(1, -5, 0, 0, 0, 0, 0, 0)),
          V16(1, 5, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_max_s(V16(-1, 5, 0, 0, 0, 0, 0, 0),
                              V16(1, -5, 0, 0, 0, 0, 0, 0)),
          V16(1, 5, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i32x4_min_s(V32(INT32_MIN, -1, 5, 0), V32(0, 1, -5, 0)),
          V32(INT32_MIN, -1, -5, 0));
  CHECK_V(wf_simd_i32x4_max_u(V32(INT32_MIN, -1, 5, 0), V32(0, 1, -5, 0)),
          V32(INT32_MIN, -1, -5, 0));

  CHECK_V(wf_simd_i8x16_avgr_u(
              VU8(255, 0, 254, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
              VU8(255, 1, 255, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
          VU8(255, 1, 255, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_avgr_u(VU16(65535, 0, 65535, 2, 0, 0, 0, 0),
                               VU16(0, 1, 65535, 5, 0, 0, 0, 0)),
          VU16(32768, 1, 65535, 4, 0, 0, 0, 0));

  CHECK_V(wf_simd_i8x16_popcnt(VU8(0xff, 0x80, 0, 0x55, 0xa7, 1, 0xfe, 0x0f, 0,
                                   0, 0, 0, 0, 0, 0, 0x81)),
          VU8(8, 1, 0, 4, 5, 1, 7, 4, 0, 0, 0, 0, 0, 0, 0, 2));
}

static void test_saturating(void) {
  wf_v128 a8 = V8(127, -128, 100, -100, 0x7f, 5, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  wf_v128 b8 = V8(1, -1, -50, -100, -128, 10, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  CHECK_V(wf_simd_i8x16_add_sat_s(a8, b8),
          V8(127, -128, 50, -128, -1, 15, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i8x16_sub_sat_s(a8, b8),
          V8(126, -127, 127, 0, 127, -5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  /* unsigned: 127+1, 128+255, 100+206, 156+156, 127+128, 5+10, 255+255 */
  CHECK_V(wf_simd_i8x16_add_sat_u(a8, b8),
          VU8(128, 255, 255, 255, 255, 15, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i8x16_sub_sat_u(a8, b8),
          VU8(126, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i8x16_sub_sat_u(
              VU8(200, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
              VU8(100, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
          VU8(100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));

  wf_v128 a16 = V16(32767, -32768, -32768, 32767, 1000, -1, 0, 0);
  wf_v128 b16 = V16(1, -1, 1, -1, -2000, -1, 0, 0);
  CHECK_V(wf_simd_i16x8_add_sat_s(a16, b16),
          V16(32767, -32768, -32767, 32766, -1000, -2, 0, 0));
  CHECK_V(wf_simd_i16x8_sub_sat_s(a16, b16),
          V16(32766, -32767, -32768, 32767, 3000, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_add_sat_u(a16, b16),
          VU16(32768, 65535, 32769, 65535, 64536, 65535, 0, 0));
  CHECK_V(wf_simd_i16x8_sub_sat_u(a16, b16),
          VU16(32766, 0, 32767, 0, 0, 0, 0, 0));
}

static void test_shifts(void) {
  wf_v128 a8 =
      VU8(0x81, 0x80, 0x7f, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff);
  CHECK_V(wf_simd_i8x16_shl(a8, 9), /* 9 mod 8 = 1 */
          VU8(0x02, 0x00, 0xfe, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe));
  CHECK_V(wf_simd_i8x16_shr_s(a8, 7),
          VU8(0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
  CHECK_V(wf_simd_i8x16_shr_s(a8, 8), a8);
  CHECK_V(wf_simd_i8x16_shr_u(a8, 15),
          VU8(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
  CHECK_V(wf_simd_i8x16_shr_u(a8, 0xffffffffu), /* 7 */
          VU8(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));

  wf_v128 a16 = VU16(0x8000, 0x7fff, 1, 0xffff, 0, 0, 0, 0x8001);
  CHECK_V(wf_simd_i16x8_shr_s(a16, 17),
          VU16(0xc000, 0x3fff, 0, 0xffff, 0, 0, 0, 0xc000));
  CHECK_V(wf_simd_i16x8_shr_u(a16, 31), VU16(1, 0, 0, 1, 0, 0, 0, 1));
  CHECK_V(wf_simd_i16x8_shl(a16, 16), a16);
  CHECK_V(wf_simd_i16x8_shl(a16, 15),
          VU16(0, 0x8000, 0x8000, 0x8000, 0, 0, 0, 0x8000));

  wf_v128 a32 = V32(INT32_MIN, 1, -1, 0x40000000);
  CHECK_V(wf_simd_i32x4_shl(a32, 32), a32);
  CHECK_V(wf_simd_i32x4_shl(a32, 33), V32(0, 2, -2, INT32_MIN));
  CHECK_V(wf_simd_i32x4_shr_s(a32, 63), V32(-1, 0, -1, 0));
  CHECK_V(wf_simd_i32x4_shr_u(a32, 31), V32(1, 0, 1, 0));

  wf_v128 a64 = V64(INT64_MIN, 3);
  CHECK_V(wf_simd_i64x2_shr_s(a64, 65), V64(INT64_C(-0x4000000000000000), 1));
  CHECK_V(wf_simd_i64x2_shr_u(a64, 63), V64(1, 0));
  CHECK_V(wf_simd_i64x2_shl(a64, 64), a64);
  CHECK_V(wf_simd_i64x2_shl(a64, 127), V64(0, INT64_MIN));
}

static void test_widen_narrow(void) {
  wf_v128 b =
      V8(-128, 127, -1, 1, 0, 2, -2, 100, -127, 126, -3, 3, 50, -50, 0, -1);
  CHECK_V(wf_simd_i16x8_extend_low_i8x16_s(b),
          V16(-128, 127, -1, 1, 0, 2, -2, 100));
  CHECK_V(wf_simd_i16x8_extend_high_i8x16_s(b),
          V16(-127, 126, -3, 3, 50, -50, 0, -1));
  CHECK_V(wf_simd_i16x8_extend_low_i8x16_u(b),
          V16(128, 127, 255, 1, 0, 2, 254, 100));
  CHECK_V(wf_simd_i16x8_extend_high_i8x16_u(b),
          V16(129, 126, 253, 3, 50, 206, 0, 255));
  wf_v128 h = V16(-32768, 32767, -1, 1, 5, -5, 0x1234, -0x1234);
  CHECK_V(wf_simd_i32x4_extend_low_i16x8_s(h), V32(-32768, 32767, -1, 1));
  CHECK_V(wf_simd_i32x4_extend_high_i16x8_s(h), V32(5, -5, 0x1234, -0x1234));
  CHECK_V(wf_simd_i32x4_extend_low_i16x8_u(h), V32(32768, 32767, 65535, 1));
  CHECK_V(wf_simd_i32x4_extend_high_i16x8_u(h),
          V32(5, 65531, 0x1234, 65536 - 0x1234));
  wf_v128 w = V32(INT32_MIN, -1, 7, INT32_MAX);
  CHECK_V(wf_simd_i64x2_extend_low_i32x4_s(w), V64(INT32_MIN, -1));
  CHECK_V(wf_simd_i64x2_extend_high_i32x4_s(w), V64(7, INT32_MAX));
  CHECK_V(wf_simd_i64x2_extend_low_i32x4_u(w), V64(0x80000000, 0xffffffff));
  CHECK_V(wf_simd_i64x2_extend_high_i32x4_u(w), V64(7, INT32_MAX));

  /* narrow: signed inputs, saturated to the signed / unsigned range. */
  CHECK_V(
      wf_simd_i8x16_narrow_i16x8_s(V16(300, -300, 127, -128, 128, -129, 0, -1),
                                   V16(32767, -32768, 1, -1, 100, -100, 2, 3)),
      V8(127, -128, 127, -128, 127, -128, 0, -1, 127, -128, 1, -1, 100, -100, 2,
         3));
  CHECK_V(
      wf_simd_i8x16_narrow_i16x8_u(V16(300, -300, 255, 256, -1, 0, 1, 128),
                                   V16(32767, -32768, 254, 127, 0, 0, 0, 7)),
      VU8(255, 0, 255, 255, 0, 0, 1, 128, 255, 0, 254, 127, 0, 0, 0, 7));
  CHECK_V(wf_simd_i16x8_narrow_i32x4_s(V32(70000, -70000, 32767, -32768),
                                       V32(32768, -32769, 1, -1)),
          V16(32767, -32768, 32767, -32768, 32767, -32768, 1, -1));
  CHECK_V(wf_simd_i16x8_narrow_i32x4_u(V32(70000, -1, 65535, 40000),
                                       V32(INT32_MIN, INT32_MAX, 65536, 0)),
          VU16(65535, 0, 65535, 40000, 0, 65535, 65535, 0));

  /* extmul */
  wf_v128 x8 = V8(-128, 127, -1, 2, 0, 0, 0, 0, -1, -1, 100, 0, 0, 0, 0, 0);
  wf_v128 y8 = V8(-128, -128, -1, 3, 0, 0, 0, 0, -1, 1, 100, 0, 0, 0, 0, 0);
  CHECK_V(wf_simd_i16x8_extmul_low_i8x16_s(x8, y8),
          V16(16384, -16256, 1, 6, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_extmul_high_i8x16_s(x8, y8),
          V16(1, -1, 10000, 0, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_extmul_low_i8x16_u(x8, y8),
          VU16(16384, 127 * 128, 65025, 6, 0, 0, 0, 0));
  CHECK_V(wf_simd_i16x8_extmul_high_i8x16_u(x8, y8),
          VU16(65025, 255, 10000, 0, 0, 0, 0, 0));
  wf_v128 x16 = V16(-32768, -1, 300, 7, -32768, -1, 2, 0);
  wf_v128 y16 = V16(-32768, -1, -300, 7, 32767, 1, 3, 0);
  CHECK_V(wf_simd_i32x4_extmul_low_i16x8_s(x16, y16),
          V32(0x40000000, 1, -90000, 49));
  CHECK_V(wf_simd_i32x4_extmul_high_i16x8_s(x16, y16),
          V32(-32768 * 32767, -1, 6, 0));
  CHECK_V(wf_simd_i32x4_extmul_low_i16x8_u(x16, y16),
          VU32(0x40000000, 0xfffe0001u, 300u * 65236u, 49));
  CHECK_V(wf_simd_i32x4_extmul_high_i16x8_u(x16, y16),
          VU32(32768u * 32767u, 65535, 6, 0));
  wf_v128 x32 = V32(INT32_MIN, -1, -1, 3);
  wf_v128 y32 = V32(INT32_MIN, -1, 5, -3);
  CHECK_V(wf_simd_i64x2_extmul_low_i32x4_s(x32, y32), V64(INT64_C(1) << 62, 1));
  CHECK_V(wf_simd_i64x2_extmul_high_i32x4_s(x32, y32), V64(-5, -9));
  CHECK_V(wf_simd_i64x2_extmul_low_i32x4_u(x32, y32),
          V64(INT64_C(1) << 62, INT64_C(0xfffffffe00000001)));
  CHECK_V(wf_simd_i64x2_extmul_high_i32x4_u(x32, y32),
          V64(INT64_C(0x4fffffffb), INT64_C(3) * 0xfffffffd));

  /* extadd_pairwise */
  CHECK_V(wf_simd_i16x8_extadd_pairwise_i8x16_s(V8(
              -128, -128, 127, 127, -1, 1, 0, -1, 5, 6, 0, 0, 0, 0, 100, -28)),
          V16(-256, 254, 0, -1, 11, 0, 0, 72));
  CHECK_V(wf_simd_i16x8_extadd_pairwise_i8x16_u(V8(
              -128, -128, 127, 127, -1, -1, 0, -1, 5, 6, 0, 0, 0, 0, 100, -28)),
          V16(256, 254, 510, 255, 11, 0, 0, 328));
  CHECK_V(wf_simd_i32x4_extadd_pairwise_i16x8_s(
              V16(-32768, -32768, 32767, 32767, -1, 1, 3, -4)),
          V32(-65536, 65534, 0, -1));
  CHECK_V(wf_simd_i32x4_extadd_pairwise_i16x8_u(
              V16(-32768, -32768, 32767, 32767, -1, -1, 3, -4)),
          V32(65536, 65534, 131070, 65535));
}

static void test_dot_q15(void) {
  /* dot: -32768 * -32768 twice = 2^31 wraps to INT32_MIN. */
  CHECK_V(wf_simd_i32x4_dot_i16x8_s(
              V16(-32768, -32768, 1, 2, -1, 2, 32767, -32768),
              V16(-32768, -32768, 3, 4, 3, -4, 32767, -32768)),
          V32(INT32_MIN, 11, -11, 32767 * 32767 + 1073741824));
  /* q15mulr_sat_s: (a * b + 0x4000) >> 15, saturated. */
  CHECK_V(wf_simd_i16x8_q15mulr_sat_s(
              V16(-32768, 16384, 1, -1, -32768, -32768, 32767, 0),
              V16(-32768, 16384, 16384, 16384, 32767, 1, 32767, 5)),
          V16(32767, 8192, 1, 0, -32767, -1, 32766, 0));
  CHECK_V(wf_simd_i16x8_q15mulr_sat_s(V16(-32768, 0, 0, 0, 0, 0, 0, -32768),
                                      V16(-32768, 0, 0, 0, 0, 0, 0, -32768)),
          V16(32767, 0, 0, 0, 0, 0, 0, 32767));
}

/* ---- floats ----------------------------------------------------------- */

static void test_float_arith(void) {
  CHECK_V(wf_simd_f32x4_add(VF32(1.5f, -2.0f, 1e30f, 0.0f),
                            VF32(2.25f, 2.0f, 1e30f, -0.0f)),
          VF32(3.75f, 0.0f, 2e30f, 0.0f));
  CHECK_V(wf_simd_f32x4_sub(VF32(1.5f, -0.0f, 3.0f, 0.0f),
                            VF32(2.25f, 0.0f, 3.0f, 0.0f)),
          VF32(-0.75f, -0.0f, 0.0f, 0.0f));
  CHECK_V(wf_simd_f32x4_mul(VF32(1.5f, -2.0f, 1e30f, -0.0f),
                            VF32(2.0f, 2.0f, 1e30f, 5.0f)),
          VF32(3.0f, -4.0f, __builtin_inff(), -0.0f));
  wf_v128 q = wf_simd_f32x4_div(VF32(1.0f, -1.0f, 0.0f, 6.0f),
                                VF32(0.0f, 0.0f, 0.0f, 4.0f));
  CHECK_EQ_U64(lane32(q, 0), 0x7f800000u);
  CHECK_EQ_U64(lane32(q, 1), 0xff800000u);
  CHECK(is_canon32(lane32(q, 2))); /* 0/0 */
  CHECK_EQ_U64(lane32(q, 3), 0x3fc00000u);
  CHECK_V(wf_simd_f64x2_add(VF64(0.1, 1e308), VF64(0.2, 1e308)),
          VF64(0.1 + 0.2, __builtin_inf()));
  CHECK_V(wf_simd_f64x2_sub(VF64(0.0, 5.0), VF64(0.0, 7.5)), VF64(0.0, -2.5));
  CHECK_V(wf_simd_f64x2_mul(VF64(-0.0, 3.0), VF64(2.0, 1.0 / 3.0)),
          VF64(-0.0, 3.0 * (1.0 / 3.0)));
  CHECK_V(wf_simd_f64x2_div(VF64(1.0, -9.0), VF64(3.0, 3.0)),
          VF64(1.0 / 3.0, -3.0));

  wf_v128 s = wf_simd_f32x4_sqrt(VF32(4.0f, -0.0f, __builtin_inff(), 2.0f));
  CHECK_V(s, VF32(2.0f, -0.0f, __builtin_inff(), 1.41421356f));
  CHECK(is_canon32(lane32(wf_simd_f32x4_sqrt(VF32(-1.0f, 0, 0, 0)), 0)));
  CHECK_V(wf_simd_f64x2_sqrt(VF64(2.0, -0.0)), VF64(1.4142135623730951, -0.0));
  CHECK(is_arith64(lane64(wf_simd_f64x2_sqrt(VF64(-4.0, 0)), 0)));

  /* abs/neg: bit operations, NaN payloads untouched. */
  CHECK_V(wf_simd_f32x4_abs(vbits32(0xffc00001u, NEG0_32, SNAN32, 0xbf800000u)),
          vbits32(0x7fc00001u, 0, SNAN32, 0x3f800000u));
  CHECK_V(wf_simd_f32x4_neg(vbits32(0xffc00001u, NEG0_32, SNAN32, 0)),
          vbits32(0x7fc00001u, 0, 0xff800001u, NEG0_32));
  CHECK_V(wf_simd_f64x2_abs(V64(-1, (i64)NEG0_64)), V64(INT64_MAX, 0));
  CHECK_V(wf_simd_f64x2_neg(V64((i64)SNAN64, 0)),
          V64((i64)(SNAN64 | NEG0_64), (i64)NEG0_64));
}

static void test_float_minmax(void) {
  wf_v128 a = vbits32(NEG0_32, 0, 0x40000000u /* 2 */, 0xff800000u /* -inf */);
  wf_v128 b = vbits32(0, NEG0_32, 0x40400000u /* 3 */, 0x40a00000u /* 5 */);
  CHECK_V(wf_simd_f32x4_min(a, b),
          vbits32(NEG0_32, NEG0_32, 0x40000000u, 0xff800000u));
  CHECK_V(wf_simd_f32x4_max(a, b), vbits32(0, 0, 0x40400000u, 0x40a00000u));
  /* NaN in either operand: an arithmetic (quiet) NaN, even from an sNaN. */
  wf_v128 n = vbits32(SNAN32, 0x3f800000u, QNAN32, 0xffa00000u);
  wf_v128 m = vbits32(0x3f800000u, SNAN32, 0x3f800000u, 0x3f800000u);
  wf_v128 r = wf_simd_f32x4_min(n, m);
  for (int i = 0; i < 4; i++)
    CHECK(is_arith32(lane32(r, i)));
  r = wf_simd_f32x4_max(n, m);
  for (int i = 0; i < 4; i++)
    CHECK(is_arith32(lane32(r, i)));

  CHECK_V(wf_simd_f64x2_min(VF64(0.0, -0.0), VF64(-0.0, 0.0)),
          VF64(-0.0, -0.0));
  CHECK_V(wf_simd_f64x2_max(VF64(0.0, -0.0), VF64(-0.0, 0.0)), VF64(0.0, 0.0));
  CHECK_V(wf_simd_f64x2_min(VF64(-1.0, 1e300), VF64(1.0, __builtin_inf())),
          VF64(-1.0, 1e300));
  r = wf_simd_f64x2_max(V64((i64)SNAN64, 0), VF64(1.0, __builtin_nan("")));
  CHECK(is_arith64(lane64(r, 0)));
  CHECK(is_arith64(lane64(r, 1)));

  /* pmin = b < a ? b : a, pmax = a < b ? b : a: operands pass unchanged. */
  wf_v128 pa = vbits32(SNAN32, 0x3f800000u, 0, NEG0_32);
  wf_v128 pb = vbits32(0x3f800000u, SNAN32, NEG0_32, 0);
  CHECK_V(wf_simd_f32x4_pmin(pa, pb), pa);
  CHECK_V(wf_simd_f32x4_pmax(pa, pb), pa);
  CHECK_V(wf_simd_f32x4_pmin(VF32(1.0f, 2.0f, -3.0f, 4.0f),
                             VF32(2.0f, 1.0f, -4.0f, 4.0f)),
          VF32(1.0f, 1.0f, -4.0f, 4.0f));
  CHECK_V(wf_simd_f32x4_pmax(VF32(1.0f, 2.0f, -3.0f, 4.0f),
                             VF32(2.0f, 1.0f, -4.0f, 4.0f)),
          VF32(2.0f, 2.0f, -3.0f, 4.0f));
  CHECK_V(wf_simd_f64x2_pmin(V64((i64)SNAN64, 0), VF64(1.0, -0.0)),
          V64((i64)SNAN64, 0));
  CHECK_V(wf_simd_f64x2_pmax(VF64(1.0, -0.0), V64((i64)SNAN64, 0)),
          VF64(1.0, -0.0));
  CHECK_V(wf_simd_f64x2_pmax(VF64(1.0, -5.0), VF64(2.0, -6.0)),
          VF64(2.0, -5.0));
  CHECK_V(wf_simd_f64x2_pmin(VF64(1.0, -5.0), VF64(2.0, -6.0)),
          VF64(1.0, -6.0));
}

static void test_float_compare(void) {
  wf_v128 a = VF32(1.0f, -0.0f, 2.0f, 0.0f);
  wf_v128 b = VF32(1.0f, 0.0f, 1.0f, 0.0f);
  a = wf_simd_f32x4_replace_lane(a, 3, QNAN32);
  CHECK_V(wf_simd_f32x4_eq(a, b), V32(-1, -1, 0, 0));
  CHECK_V(wf_simd_f32x4_ne(a, b), V32(0, 0, -1, -1));
  CHECK_V(wf_simd_f32x4_lt(a, b), V32(0, 0, 0, 0));
  CHECK_V(wf_simd_f32x4_gt(a, b), V32(0, 0, -1, 0));
  CHECK_V(wf_simd_f32x4_le(a, b), V32(-1, -1, 0, 0));
  CHECK_V(wf_simd_f32x4_ge(a, b), V32(-1, -1, -1, 0));
  wf_v128 c = VF64(__builtin_nan(""), -1.0), d = VF64(0.0, 1.0);
  CHECK_V(wf_simd_f64x2_eq(c, d), V64(0, 0));
  CHECK_V(wf_simd_f64x2_ne(c, d), V64(-1, -1));
  CHECK_V(wf_simd_f64x2_lt(c, d), V64(0, -1));
  CHECK_V(wf_simd_f64x2_gt(c, d), V64(0, 0));
  CHECK_V(wf_simd_f64x2_le(c, d), V64(0, -1));
  CHECK_V(wf_simd_f64x2_ge(c, d), V64(0, 0));
  CHECK_V(wf_simd_f64x2_le(VF64(-0.0, 1.0), VF64(0.0, 1.0)), V64(-1, -1));
}

static void test_rounding(void) {
  const f32 inf = __builtin_inff();
  wf_v128 a = VF32(-0.5f, 0.5f, 1.5f, 2.5f);
  wf_v128 b = VF32(-1.5f, -2.5f, 0.49999997f, 8388607.5f);
  wf_v128 c = VF32(8388609.0f, -0.0f, -3.7f, 3.7f);
  wf_v128 d = VF32(-inf, 1e10f, -8388607.5f, 0.0f);
  CHECK_V(wf_simd_f32x4_nearest(a), VF32(-0.0f, 0.0f, 2.0f, 2.0f));
  CHECK_V(wf_simd_f32x4_nearest(b), VF32(-2.0f, -2.0f, 0.0f, 8388608.0f));
  CHECK_V(wf_simd_f32x4_nearest(c), VF32(8388609.0f, -0.0f, -4.0f, 4.0f));
  CHECK_V(wf_simd_f32x4_nearest(d), VF32(-inf, 1e10f, -8388608.0f, 0.0f));
  CHECK_V(wf_simd_f32x4_ceil(a), VF32(-0.0f, 1.0f, 2.0f, 3.0f));
  CHECK_V(wf_simd_f32x4_ceil(b), VF32(-1.0f, -2.0f, 1.0f, 8388608.0f));
  CHECK_V(wf_simd_f32x4_ceil(c), VF32(8388609.0f, -0.0f, -3.0f, 4.0f));
  CHECK_V(wf_simd_f32x4_ceil(d), VF32(-inf, 1e10f, -8388607.0f, 0.0f));
  CHECK_V(wf_simd_f32x4_floor(a), VF32(-1.0f, 0.0f, 1.0f, 2.0f));
  CHECK_V(wf_simd_f32x4_floor(b), VF32(-2.0f, -3.0f, 0.0f, 8388607.0f));
  CHECK_V(wf_simd_f32x4_floor(c), VF32(8388609.0f, -0.0f, -4.0f, 3.0f));
  CHECK_V(wf_simd_f32x4_floor(d), VF32(-inf, 1e10f, -8388608.0f, 0.0f));
  CHECK_V(wf_simd_f32x4_trunc(a), VF32(-0.0f, 0.0f, 1.0f, 2.0f));
  CHECK_V(wf_simd_f32x4_trunc(b), VF32(-1.0f, -2.0f, 0.0f, 8388607.0f));
  CHECK_V(wf_simd_f32x4_trunc(c), VF32(8388609.0f, -0.0f, -3.0f, 3.0f));
  CHECK_V(wf_simd_f32x4_trunc(d), VF32(-inf, 1e10f, -8388607.0f, 0.0f));
  /* NaNs come back quiet. */
  wf_v128 n = vbits32(SNAN32, 0xff800001u, QNAN32, 0xffc00000u);
  wf_v128 (*const f32ops[])(wf_v128) = {wf_simd_f32x4_ceil, wf_simd_f32x4_floor,
                                        wf_simd_f32x4_trunc,
                                        wf_simd_f32x4_nearest};
  for (int k = 0; k < 4; k++) {
    wf_v128 r = f32ops[k](n);
    for (int i = 0; i < 4; i++)
      CHECK(is_arith32(lane32(r, i)));
  }

  const f64 big = 4503599627370495.5; /* 2^52 - 0.5 */
  CHECK_V(wf_simd_f64x2_nearest(VF64(big, -2.5)),
          VF64(4503599627370496.0, -2.0));
  CHECK_V(wf_simd_f64x2_floor(VF64(big, -2.5)), VF64(4503599627370495.0, -3.0));
  CHECK_V(wf_simd_f64x2_ceil(VF64(big, -0.2)), VF64(4503599627370496.0, -0.0));
  CHECK_V(wf_simd_f64x2_trunc(VF64(-big, 0.99999999)),
          VF64(-4503599627370495.0, 0.0));
  CHECK_V(wf_simd_f64x2_nearest(VF64(-0.5, 1e300)), VF64(-0.0, 1e300));
  CHECK_V(wf_simd_f64x2_floor(VF64(-0.0, -__builtin_inf())),
          VF64(-0.0, -__builtin_inf()));
  wf_v128 (*const f64ops[])(wf_v128) = {wf_simd_f64x2_ceil, wf_simd_f64x2_floor,
                                        wf_simd_f64x2_trunc,
                                        wf_simd_f64x2_nearest};
  for (int k = 0; k < 4; k++) {
    wf_v128 r = f64ops[k](V64((i64)SNAN64, (i64)(SNAN64 | NEG0_64)));
    CHECK(is_arith64(lane64(r, 0)));
    CHECK(is_arith64(lane64(r, 1)));
  }
}

static void test_conversions(void) {
  CHECK_V(wf_simd_f32x4_convert_i32x4_s(V32(-1, INT32_MIN, 16777217, 0)),
          VF32(-1.0f, -2147483648.0f, 16777216.0f, 0.0f));
  CHECK_V(wf_simd_f32x4_convert_i32x4_u(
              VU32(0xffffffffu, 0x80000000u, 16777217u, 0xffffff7fu)),
          VF32(4294967296.0f, 2147483648.0f, 16777216.0f, 4294967040.0f));
  CHECK_V(wf_simd_f32x4_convert_i32x4_u(VU32(0x80000081u, 1, 0x7fffffbfu, 0)),
          VF32(2147483904.0f, 1.0f, 2147483520.0f, 0.0f));
  CHECK_V(wf_simd_f64x2_convert_low_i32x4_s(V32(-1, INT32_MIN, 5, 6)),
          VF64(-1.0, -2147483648.0));
  CHECK_V(wf_simd_f64x2_convert_low_i32x4_u(V32(-1, 1, 5, 6)),
          VF64(4294967295.0, 1.0));

  const f32 inf = __builtin_inff();
  wf_v128 r = wf_simd_i32x4_trunc_sat_f32x4_s(
      vbits32(QNAN32, 0xffc00000u, 0x4f000000u /* 2^31 */, 0xcf000001u));
  CHECK_V(r, V32(0, 0, INT32_MAX, INT32_MIN));
  CHECK_V(wf_simd_i32x4_trunc_sat_f32x4_s(
              VF32(-2147483648.0f, 2147483520.0f, 1.9f, -1.9f)),
          V32(INT32_MIN, 2147483520, 1, -1));
  CHECK_V(wf_simd_i32x4_trunc_sat_f32x4_s(VF32(inf, -inf, -0.0f, -0.9f)),
          V32(INT32_MAX, INT32_MIN, 0, 0));
  CHECK_V(wf_simd_i32x4_trunc_sat_f32x4_u(
              VF32(-1.0f, -0.9f, 4294967296.0f, 4294967040.0f)),
          VU32(0, 0, 0xffffffffu, 4294967040u));
  CHECK_V(wf_simd_i32x4_trunc_sat_f32x4_u(VF32(2147483648.0f, inf, -inf, 1.9f)),
          VU32(0x80000000u, 0xffffffffu, 0, 1));
  CHECK_V(wf_simd_i32x4_trunc_sat_f32x4_u(vbits32(SNAN32, 0xffc00000u, 0, 0)),
          V32(0, 0, 0, 0));

  CHECK_V(
      wf_simd_i32x4_trunc_sat_f64x2_s_zero(VF64(2147483647.9, -2147483648.9)),
      V32(INT32_MAX, INT32_MIN, 0, 0));
  CHECK_V(wf_simd_i32x4_trunc_sat_f64x2_s_zero(VF64(__builtin_nan(""), 1e100)),
          V32(0, INT32_MAX, 0, 0));
  CHECK_V(wf_simd_i32x4_trunc_sat_f64x2_s_zero(VF64(-2147483649.0, -7.9)),
          V32(INT32_MIN, -7, 0, 0));
  CHECK_V(wf_simd_i32x4_trunc_sat_f64x2_u_zero(VF64(-0.9, 4294967295.9)),
          VU32(0, 0xffffffffu, 0, 0));
  CHECK_V(wf_simd_i32x4_trunc_sat_f64x2_u_zero(VF64(4294967296.0, -1.0)),
          VU32(0xffffffffu, 0, 0, 0));
  CHECK_V(wf_simd_i32x4_trunc_sat_f64x2_u_zero(V64((i64)SNAN64, 0)),
          VU32(0, 0, 0, 0));

  r = wf_simd_f32x4_demote_f64x2_zero(VF64(1.5, 1e300));
  CHECK_V(r, VF32(1.5f, inf, 0.0f, 0.0f));
  r = wf_simd_f32x4_demote_f64x2_zero(V64((i64)SNAN64, (i64)NEG0_64));
  CHECK(is_arith32(lane32(r, 0)));
  CHECK_EQ_U64(lane32(r, 1), NEG0_32);
  CHECK_EQ_U64(lane32(r, 2), 0);
  CHECK_EQ_U64(lane32(r, 3), 0);
  CHECK_V(wf_simd_f32x4_demote_f64x2_zero(VF64(1.0 / 3.0, -1e-50)),
          VF32(1.0f / 3.0f, -0.0f, 0.0f, 0.0f));
  r = wf_simd_f64x2_promote_low_f32x4(vbits32(SNAN32, 0x3fc00000u, 1, 2));
  CHECK(is_arith64(lane64(r, 0)));
  CHECK_EQ_U64(lane64(r, 1), 0x3ff8000000000000u); /* 1.5 */
}

int main(void) {
  T_RUN(test_table);
  T_RUN(test_every_entry_runs);
  T_RUN(test_memory);
  T_RUN(test_lanes);
  T_RUN(test_shuffle_swizzle);
  T_RUN(test_bitwise);
  T_RUN(test_int_compare);
  T_RUN(test_int_arith);
  T_RUN(test_saturating);
  T_RUN(test_shifts);
  T_RUN(test_widen_narrow);
  T_RUN(test_dot_q15);
  T_RUN(test_float_arith);
  T_RUN(test_float_minmax);
  T_RUN(test_float_compare);
  T_RUN(test_rounding);
  T_RUN(test_conversions);
  return T_DONE();
}
