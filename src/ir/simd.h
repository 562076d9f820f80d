/*
** simd.h — WebAssembly 2.0 fixed-width SIMD semantics in portable C: the
** 16-byte wf_v128 and one static inline wf_simd_* function per line of
** simd.def. Written with GCC/Clang generic vectors so gcc emits SSE / NEON
** where the target has them and scalar code elsewhere; no libm calls, no
** host intrinsics. AoT output pastes this text after le.h and numeric.h,
** so it must include nothing else and define no external symbols.
*/
#ifndef WF_SIMD_H
#define WF_SIMD_H

#include "base.h"
#include "numeric.h"
#include "le.h" /* little-endian lane loads and stores */

#if !defined(__clang__) && (!defined(__GNUC__) || __GNUC__ < 9)
#error "simd.h needs GCC >= 9 or Clang (generic vector extensions)"
#endif
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "simd.h assumes a little-endian host"
#endif
#endif

/* Byte i of a wf_v128 is byte i of the Wasm value in (little-endian)
** memory; the lane views below reinterpret it with a vector cast. */
typedef u64 wf_v128 __attribute__((vector_size(16)));
typedef u8 wf_u8x16 __attribute__((vector_size(16)));
typedef i8 wf_i8x16 __attribute__((vector_size(16)));
typedef u16 wf_u16x8 __attribute__((vector_size(16)));
typedef i16 wf_i16x8 __attribute__((vector_size(16)));
typedef u32 wf_u32x4 __attribute__((vector_size(16)));
typedef i32 wf_i32x4 __attribute__((vector_size(16)));
typedef u64 wf_u64x2 __attribute__((vector_size(16)));
typedef i64 wf_i64x2 __attribute__((vector_size(16)));
typedef f32 wf_f32x4 __attribute__((vector_size(16)));
typedef f64 wf_f64x2 __attribute__((vector_size(16)));

/* Constant two-input shuffle of integer vectors (indices into a ‖ b). */
#if defined(__clang__) || __GNUC__ >= 12
#define WF_SIMD_SHUF_(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define WF_SIMD_SHUF_(a, b, ...)                                               \
  __builtin_shuffle(a, b, (__typeof__(a)){__VA_ARGS__})
#endif

/* Lane-wise select: mask lanes are all ones (take x) or all zeros (take y). */
#define WF_SIMD_SEL_(T, m, x, y) (((x) & (T)(m)) | ((y) & ~(T)(m)))

/* Moving a v128 to and from memory; p may be unaligned. */
static inline wf_v128 wf_v128_load(const void *p) {
  wf_v128 v;
  __builtin_memcpy(&v, p, 16);
  return v;
}
static inline void wf_v128_store(void *p, wf_v128 v) {
  __builtin_memcpy(p, &v, 16);
}

/* One function per operator, the body an expression over the lane views
** a and b (of type T) of the operands. */
#define WF_SIMD_UN_(NAME, T, EXPR)                                             \
  static inline wf_v128 NAME(wf_v128 a_) {                                     \
    T a = (T)a_;                                                               \
    return (wf_v128)(EXPR);                                                    \
  }
#define WF_SIMD_BIN_(NAME, T, EXPR)                                            \
  static inline wf_v128 NAME(wf_v128 a_, wf_v128 b_) {                         \
    T a = (T)a_, b = (T)b_;                                                    \
    return (wf_v128)(EXPR);                                                    \
  }
/* Shift counts are taken modulo the lane width. */
#define WF_SIMD_SHIFT_(NAME, T, OP, BITS)                                      \
  static inline wf_v128 NAME(wf_v128 a, u32 count) {                           \
    return (wf_v128)((T)a OP(int)(count & ((BITS)-1)));                        \
  }

/* {====== splat, lanes, shuffles ======================================== */

static inline wf_v128 wf_simd_i8x16_splat(u32 x) {
  return (wf_v128)((wf_u8x16){0} + (u8)x);
}
static inline wf_v128 wf_simd_i16x8_splat(u32 x) {
  return (wf_v128)((wf_u16x8){0} + (u16)x);
}
static inline wf_v128 wf_simd_i32x4_splat(u32 x) {
  return (wf_v128)((wf_u32x4){0} + x);
}
static inline wf_v128 wf_simd_i64x2_splat(u64 x) {
  return (wf_v128)((wf_u64x2){0} + x);
}
static inline wf_v128 wf_simd_f32x4_splat(u32 x) {
  return wf_simd_i32x4_splat(x);
}
static inline wf_v128 wf_simd_f64x2_splat(u64 x) {
  return wf_simd_i64x2_splat(x);
}

static inline u32 wf_simd_i8x16_extract_lane_s(wf_v128 v, u32 lane) {
  wf_i8x16 x = (wf_i8x16)v;
  return (u32)(i32)x[lane & 15];
}
static inline u32 wf_simd_i8x16_extract_lane_u(wf_v128 v, u32 lane) {
  wf_u8x16 x = (wf_u8x16)v;
  return x[lane & 15];
}
static inline u32 wf_simd_i16x8_extract_lane_s(wf_v128 v, u32 lane) {
  wf_i16x8 x = (wf_i16x8)v;
  return (u32)(i32)x[lane & 7];
}
static inline u32 wf_simd_i16x8_extract_lane_u(wf_v128 v, u32 lane) {
  wf_u16x8 x = (wf_u16x8)v;
  return x[lane & 7];
}
static inline u32 wf_simd_i32x4_extract_lane(wf_v128 v, u32 lane) {
  wf_u32x4 x = (wf_u32x4)v;
  return x[lane & 3];
}
static inline u64 wf_simd_i64x2_extract_lane(wf_v128 v, u32 lane) {
  return v[lane & 1];
}
static inline u32 wf_simd_f32x4_extract_lane(wf_v128 v, u32 lane) {
  return wf_simd_i32x4_extract_lane(v, lane);
}
static inline u64 wf_simd_f64x2_extract_lane(wf_v128 v, u32 lane) {
  return v[lane & 1];
}

static inline wf_v128 wf_simd_i8x16_replace_lane(wf_v128 v, u32 lane, u32 x) {
  wf_u8x16 r = (wf_u8x16)v;
  r[lane & 15] = (u8)x;
  return (wf_v128)r;
}
static inline wf_v128 wf_simd_i16x8_replace_lane(wf_v128 v, u32 lane, u32 x) {
  wf_u16x8 r = (wf_u16x8)v;
  r[lane & 7] = (u16)x;
  return (wf_v128)r;
}
static inline wf_v128 wf_simd_i32x4_replace_lane(wf_v128 v, u32 lane, u32 x) {
  wf_u32x4 r = (wf_u32x4)v;
  r[lane & 3] = x;
  return (wf_v128)r;
}
static inline wf_v128 wf_simd_i64x2_replace_lane(wf_v128 v, u32 lane, u64 x) {
  v[lane & 1] = x;
  return v;
}
static inline wf_v128 wf_simd_f32x4_replace_lane(wf_v128 v, u32 lane, u32 x) {
  return wf_simd_i32x4_replace_lane(v, lane, x);
}
static inline wf_v128 wf_simd_f64x2_replace_lane(wf_v128 v, u32 lane, u64 x) {
  return wf_simd_i64x2_replace_lane(v, lane, x);
}

/* i8x16.shuffle: lanes[i] < 32 indexes a ‖ b. With gcc a constant lane
** array (AoT) folds into one native shuffle. */
static inline wf_v128 wf_simd_i8x16_shuffle(wf_v128 a, wf_v128 b,
                                            const u8 lanes[16]) {
  wf_u8x16 x = (wf_u8x16)a, y = (wf_u8x16)b, m;
  __builtin_memcpy(&m, lanes, 16);
#if defined(__clang__)
  wf_u8x16 r;
  for (int i = 0; i < 16; i++)
    r[i] = m[i] < 16 ? x[m[i] & 15] : y[m[i] & 15];
  return (wf_v128)r;
#else
  return (wf_v128)__builtin_shuffle(x, y, m & 31);
#endif
}

/* i8x16.swizzle: index lanes >= 16 select 0. */
static inline wf_v128 wf_simd_i8x16_swizzle(wf_v128 a, wf_v128 b) {
  wf_u8x16 x = (wf_u8x16)a, m = (wf_u8x16)b;
#if defined(__clang__)
  wf_u8x16 r;
  for (int i = 0; i < 16; i++)
    r[i] = m[i] < 16 ? x[m[i] & 15] : 0;
  return (wf_v128)r;
#else
  wf_u8x16 r = __builtin_shuffle(x, m & 15);
  return (wf_v128)(r & (wf_u8x16)(m < 16));
#endif
}

/* }====================================================================== */

/* {====== bitwise and boolean reductions ================================= */

WF_SIMD_UN_(wf_simd_v128_not, wf_v128, ~a)
WF_SIMD_BIN_(wf_simd_v128_and, wf_v128, (a & b))
WF_SIMD_BIN_(wf_simd_v128_andnot, wf_v128, a & ~b)
WF_SIMD_BIN_(wf_simd_v128_or, wf_v128, a | b)
WF_SIMD_BIN_(wf_simd_v128_xor, wf_v128, a ^ b)
static inline wf_v128 wf_simd_v128_bitselect(wf_v128 a, wf_v128 b, wf_v128 c) {
  return (a & c) | (b & ~c);
}

static inline u32 wf_simd_v128_any_true(wf_v128 a) {
  return (a[0] | a[1]) != 0;
}
/* all_true: no lane is zero. */
static inline u32 wf_simd_i8x16_all_true(wf_v128 a) {
  wf_v128 z = (wf_v128)((wf_u8x16)a == 0);
  return (z[0] | z[1]) == 0;
}
static inline u32 wf_simd_i16x8_all_true(wf_v128 a) {
  wf_v128 z = (wf_v128)((wf_u16x8)a == 0);
  return (z[0] | z[1]) == 0;
}
static inline u32 wf_simd_i32x4_all_true(wf_v128 a) {
  wf_v128 z = (wf_v128)((wf_u32x4)a == 0);
  return (z[0] | z[1]) == 0;
}
static inline u32 wf_simd_i64x2_all_true(wf_v128 a) {
  return a[0] != 0 && a[1] != 0;
}

/* bitmask: bit i is the sign of lane i. For 8- and 16-bit lanes each lane
** becomes its own bit, and a multiply sums the lanes of each 64-bit half
** into its top byte (the bits are distinct, so no carries). */
static inline u32 wf_simd_i8x16_bitmask(wf_v128 a) {
  const wf_u8x16 bit = {1, 2, 4, 8, 16, 32, 64, 128,
                        1, 2, 4, 8, 16, 32, 64, 128};
  wf_v128 m = (wf_v128)((wf_u8x16)((wf_i8x16)a < 0) & bit);
  const u64 sum = 0x0101010101010101u;
  return (u32)((m[0] * sum) >> 56) | (u32)((m[1] * sum) >> 56) << 8;
}
static inline u32 wf_simd_i16x8_bitmask(wf_v128 a) {
  const wf_u16x8 bit = {1, 2, 4, 8, 16, 32, 64, 128};
  wf_v128 m = (wf_v128)((wf_u16x8)((wf_i16x8)a < 0) & bit);
  const u64 sum = 0x0001000100010001u;
  return (u32)((m[0] * sum) >> 48) | (u32)((m[1] * sum) >> 48);
}
static inline u32 wf_simd_i32x4_bitmask(wf_v128 a) {
  wf_u32x4 x = (wf_u32x4)a >> 31;
  return x[0] | x[1] << 1 | x[2] << 2 | x[3] << 3;
}
static inline u32 wf_simd_i64x2_bitmask(wf_v128 a) {
  return (u32)(a[0] >> 63) | (u32)(a[1] >> 63) << 1;
}

/* }====================================================================== */

/* {====== integer comparisons (lanes of all ones or all zeros) ========== */

WF_SIMD_BIN_(wf_simd_i8x16_eq, wf_u8x16, a == b)
WF_SIMD_BIN_(wf_simd_i8x16_ne, wf_u8x16, a != b)
WF_SIMD_BIN_(wf_simd_i8x16_lt_s, wf_i8x16, a < b)
WF_SIMD_BIN_(wf_simd_i8x16_lt_u, wf_u8x16, a < b)
WF_SIMD_BIN_(wf_simd_i8x16_gt_s, wf_i8x16, a > b)
WF_SIMD_BIN_(wf_simd_i8x16_gt_u, wf_u8x16, a > b)
WF_SIMD_BIN_(wf_simd_i8x16_le_s, wf_i8x16, a <= b)
WF_SIMD_BIN_(wf_simd_i8x16_le_u, wf_u8x16, a <= b)
WF_SIMD_BIN_(wf_simd_i8x16_ge_s, wf_i8x16, a >= b)
WF_SIMD_BIN_(wf_simd_i8x16_ge_u, wf_u8x16, a >= b)
WF_SIMD_BIN_(wf_simd_i16x8_eq, wf_u16x8, a == b)
WF_SIMD_BIN_(wf_simd_i16x8_ne, wf_u16x8, a != b)
WF_SIMD_BIN_(wf_simd_i16x8_lt_s, wf_i16x8, a < b)
WF_SIMD_BIN_(wf_simd_i16x8_lt_u, wf_u16x8, a < b)
WF_SIMD_BIN_(wf_simd_i16x8_gt_s, wf_i16x8, a > b)
WF_SIMD_BIN_(wf_simd_i16x8_gt_u, wf_u16x8, a > b)
WF_SIMD_BIN_(wf_simd_i16x8_le_s, wf_i16x8, a <= b)
WF_SIMD_BIN_(wf_simd_i16x8_le_u, wf_u16x8, a <= b)
WF_SIMD_BIN_(wf_simd_i16x8_ge_s, wf_i16x8, a >= b)
WF_SIMD_BIN_(wf_simd_i16x8_ge_u, wf_u16x8, a >= b)
WF_SIMD_BIN_(wf_simd_i32x4_eq, wf_u32x4, a == b)
WF_SIMD_BIN_(wf_simd_i32x4_ne, wf_u32x4, a != b)
WF_SIMD_BIN_(wf_simd_i32x4_lt_s, wf_i32x4, a < b)
WF_SIMD_BIN_(wf_simd_i32x4_lt_u, wf_u32x4, a < b)
WF_SIMD_BIN_(wf_simd_i32x4_gt_s, wf_i32x4, a > b)
WF_SIMD_BIN_(wf_simd_i32x4_gt_u, wf_u32x4, a > b)
WF_SIMD_BIN_(wf_simd_i32x4_le_s, wf_i32x4, a <= b)
WF_SIMD_BIN_(wf_simd_i32x4_le_u, wf_u32x4, a <= b)
WF_SIMD_BIN_(wf_simd_i32x4_ge_s, wf_i32x4, a >= b)
WF_SIMD_BIN_(wf_simd_i32x4_ge_u, wf_u32x4, a >= b)
WF_SIMD_BIN_(wf_simd_i64x2_eq, wf_u64x2, a == b)
WF_SIMD_BIN_(wf_simd_i64x2_ne, wf_u64x2, a != b)
WF_SIMD_BIN_(wf_simd_i64x2_lt_s, wf_i64x2, a < b)
WF_SIMD_BIN_(wf_simd_i64x2_gt_s, wf_i64x2, a > b)
WF_SIMD_BIN_(wf_simd_i64x2_le_s, wf_i64x2, a <= b)
WF_SIMD_BIN_(wf_simd_i64x2_ge_s, wf_i64x2, a >= b)

/* }====================================================================== */

/* {====== integer arithmetic ============================================= */

/* Wrapping add/sub/mul/neg in unsigned lanes (no signed overflow). */
WF_SIMD_BIN_(wf_simd_i8x16_add, wf_u8x16, a + b)
WF_SIMD_BIN_(wf_simd_i8x16_sub, wf_u8x16, a - b)
WF_SIMD_UN_(wf_simd_i8x16_neg, wf_u8x16, 0 - a)
WF_SIMD_BIN_(wf_simd_i16x8_add, wf_u16x8, a + b)
WF_SIMD_BIN_(wf_simd_i16x8_sub, wf_u16x8, a - b)
WF_SIMD_BIN_(wf_simd_i16x8_mul, wf_u16x8, (a * b))
WF_SIMD_UN_(wf_simd_i16x8_neg, wf_u16x8, 0 - a)
WF_SIMD_BIN_(wf_simd_i32x4_add, wf_u32x4, a + b)
WF_SIMD_BIN_(wf_simd_i32x4_sub, wf_u32x4, a - b)
WF_SIMD_BIN_(wf_simd_i32x4_mul, wf_u32x4, (a * b))
WF_SIMD_UN_(wf_simd_i32x4_neg, wf_u32x4, 0 - a)
WF_SIMD_BIN_(wf_simd_i64x2_add, wf_u64x2, a + b)
WF_SIMD_BIN_(wf_simd_i64x2_sub, wf_u64x2, a - b)
WF_SIMD_BIN_(wf_simd_i64x2_mul, wf_u64x2, (a * b))
WF_SIMD_UN_(wf_simd_i64x2_neg, wf_u64x2, 0 - a)

/* abs: (a ^ m) - m with m = a < 0; the minimum stays the minimum. */
WF_SIMD_UN_(wf_simd_i8x16_abs, wf_u8x16,
            (a ^ (wf_u8x16)((wf_i8x16)a < 0)) - (wf_u8x16)((wf_i8x16)a < 0))
WF_SIMD_UN_(wf_simd_i16x8_abs, wf_u16x8,
            (a ^ (wf_u16x8)((wf_i16x8)a < 0)) - (wf_u16x8)((wf_i16x8)a < 0))
WF_SIMD_UN_(wf_simd_i32x4_abs, wf_u32x4,
            (a ^ (wf_u32x4)((wf_i32x4)a < 0)) - (wf_u32x4)((wf_i32x4)a < 0))
WF_SIMD_UN_(wf_simd_i64x2_abs, wf_u64x2,
            (a ^ (wf_u64x2)((wf_i64x2)a < 0)) - (wf_u64x2)((wf_i64x2)a < 0))

/* min/max as lane-wise selects. */
WF_SIMD_BIN_(wf_simd_i8x16_min_s, wf_i8x16, WF_SIMD_SEL_(wf_i8x16, a < b, a, b))
WF_SIMD_BIN_(wf_simd_i8x16_min_u, wf_u8x16, WF_SIMD_SEL_(wf_u8x16, a < b, a, b))
WF_SIMD_BIN_(wf_simd_i8x16_max_s, wf_i8x16, WF_SIMD_SEL_(wf_i8x16, a > b, a, b))
WF_SIMD_BIN_(wf_simd_i8x16_max_u, wf_u8x16, WF_SIMD_SEL_(wf_u8x16, a > b, a, b))
WF_SIMD_BIN_(wf_simd_i16x8_min_s, wf_i16x8, WF_SIMD_SEL_(wf_i16x8, a < b, a, b))
WF_SIMD_BIN_(wf_simd_i16x8_min_u, wf_u16x8, WF_SIMD_SEL_(wf_u16x8, a < b, a, b))
WF_SIMD_BIN_(wf_simd_i16x8_max_s, wf_i16x8, WF_SIMD_SEL_(wf_i16x8, a > b, a, b))
WF_SIMD_BIN_(wf_simd_i16x8_max_u, wf_u16x8, WF_SIMD_SEL_(wf_u16x8, a > b, a, b))
WF_SIMD_BIN_(wf_simd_i32x4_min_s, wf_i32x4, WF_SIMD_SEL_(wf_i32x4, a < b, a, b))
WF_SIMD_BIN_(wf_simd_i32x4_min_u, wf_u32x4, WF_SIMD_SEL_(wf_u32x4, a < b, a, b))
WF_SIMD_BIN_(wf_simd_i32x4_max_s, wf_i32x4, WF_SIMD_SEL_(wf_i32x4, a > b, a, b))
WF_SIMD_BIN_(wf_simd_i32x4_max_u, wf_u32x4, WF_SIMD_SEL_(wf_u32x4, a > b, a, b))

/* avgr_u: (a + b + 1) >> 1 without widening. */
WF_SIMD_BIN_(wf_simd_i8x16_avgr_u, wf_u8x16, (a | b) - ((a ^ b) >> 1))
WF_SIMD_BIN_(wf_simd_i16x8_avgr_u, wf_u16x8, (a | b) - ((a ^ b) >> 1))

/* Saturating add/sub. Unsigned: a wrap shows as s < a (add) or b > a (sub).
** Signed: overflow when the operands' signs make it possible and the
** result's sign differs; the bound is then 0x7f.. or 0x80.. by a's sign. */
#define WF_SIMD_SAT_(W, N, SMAX)                                               \
  static inline wf_v128 wf_simd_i##W##x##N##_add_sat_u(wf_v128 a_,             \
                                                       wf_v128 b_) {           \
    wf_u##W##x##N a = (wf_u##W##x##N)a_, s = a + (wf_u##W##x##N)b_;            \
    return (wf_v128)(s | (wf_u##W##x##N)(s < a));                              \
  }                                                                            \
  static inline wf_v128 wf_simd_i##W##x##N##_sub_sat_u(wf_v128 a_,             \
                                                       wf_v128 b_) {           \
    wf_u##W##x##N a = (wf_u##W##x##N)a_, b = (wf_u##W##x##N)b_;                \
    return (wf_v128)((a - b) & (wf_u##W##x##N)(a >= b));                       \
  }                                                                            \
  static inline wf_v128 wf_simd_i##W##x##N##_add_sat_s(wf_v128 a_,             \
                                                       wf_v128 b_) {           \
    wf_u##W##x##N a = (wf_u##W##x##N)a_, b = (wf_u##W##x##N)b_, s = a + b;     \
    wf_u##W##x##N sat = (wf_u##W##x##N)((wf_i##W##x##N)a < 0) ^ (SMAX);        \
    wf_i##W##x##N ovf = (wf_i##W##x##N)((a ^ s) & (b ^ s)) < 0;                \
    return (wf_v128)WF_SIMD_SEL_(wf_u##W##x##N, ovf, sat, s);                  \
  }                                                                            \
  static inline wf_v128 wf_simd_i##W##x##N##_sub_sat_s(wf_v128 a_,             \
                                                       wf_v128 b_) {           \
    wf_u##W##x##N a = (wf_u##W##x##N)a_, b = (wf_u##W##x##N)b_, s = a - b;     \
    wf_u##W##x##N sat = (wf_u##W##x##N)((wf_i##W##x##N)a < 0) ^ (SMAX);        \
    wf_i##W##x##N ovf = (wf_i##W##x##N)((a ^ b) & (a ^ s)) < 0;                \
    return (wf_v128)WF_SIMD_SEL_(wf_u##W##x##N, ovf, sat, s);                  \
  }
WF_SIMD_SAT_(8, 16, 0x7f)
WF_SIMD_SAT_(16, 8, 0x7fff)
#undef WF_SIMD_SAT_

/* popcnt per byte: pairs, nibbles, then bytes. */
static inline wf_v128 wf_simd_i8x16_popcnt(wf_v128 a) {
  wf_u8x16 x = (wf_u8x16)a;
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (wf_v128)((x + (x >> 4)) & 0x0f);
}

WF_SIMD_SHIFT_(wf_simd_i8x16_shl, wf_u8x16, <<, 8)
WF_SIMD_SHIFT_(wf_simd_i8x16_shr_s, wf_i8x16, >>, 8)
WF_SIMD_SHIFT_(wf_simd_i8x16_shr_u, wf_u8x16, >>, 8)
WF_SIMD_SHIFT_(wf_simd_i16x8_shl, wf_u16x8, <<, 16)
WF_SIMD_SHIFT_(wf_simd_i16x8_shr_s, wf_i16x8, >>, 16)
WF_SIMD_SHIFT_(wf_simd_i16x8_shr_u, wf_u16x8, >>, 16)
WF_SIMD_SHIFT_(wf_simd_i32x4_shl, wf_u32x4, <<, 32)
WF_SIMD_SHIFT_(wf_simd_i32x4_shr_s, wf_i32x4, >>, 32)
WF_SIMD_SHIFT_(wf_simd_i32x4_shr_u, wf_u32x4, >>, 32)
WF_SIMD_SHIFT_(wf_simd_i64x2_shl, wf_u64x2, <<, 64)
WF_SIMD_SHIFT_(wf_simd_i64x2_shr_s, wf_i64x2, >>, 64)
WF_SIMD_SHIFT_(wf_simd_i64x2_shr_u, wf_u64x2, >>, 64)

/* }====================================================================== */

/* {====== widening and narrowing ========================================= */

/* extend: a shuffle doubles each source lane into a wide lane (signed) or
** pairs it with zero (unsigned); an arithmetic shift then sign-extends. */
static inline wf_v128 wf_simd_i16x8_extend_low_i8x16_s(wf_v128 a) {
  wf_i8x16 x = (wf_i8x16)a;
  x = WF_SIMD_SHUF_(x, x, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  return (wf_v128)((wf_i16x8)x >> 8);
}
static inline wf_v128 wf_simd_i16x8_extend_high_i8x16_s(wf_v128 a) {
  wf_i8x16 x = (wf_i8x16)a;
  x = WF_SIMD_SHUF_(x, x, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14,
                    15, 15);
  return (wf_v128)((wf_i16x8)x >> 8);
}
/* Zero-extension interleaves with distinct lanes of a zero vector: GCC
** turns that into one unpack instruction, a repeated zero lane it does not. */
static inline wf_v128 wf_simd_i16x8_extend_low_i8x16_u(wf_v128 a) {
  wf_u8x16 x = (wf_u8x16)a, z = {0};
  return (wf_v128)WF_SIMD_SHUF_(x, z, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21,
                                6, 22, 7, 23);
}
static inline wf_v128 wf_simd_i16x8_extend_high_i8x16_u(wf_v128 a) {
  wf_u8x16 x = (wf_u8x16)a, z = {0};
  return (wf_v128)WF_SIMD_SHUF_(x, z, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13,
                                29, 14, 30, 15, 31);
}
static inline wf_v128 wf_simd_i32x4_extend_low_i16x8_s(wf_v128 a) {
  wf_i16x8 x = (wf_i16x8)a;
  x = WF_SIMD_SHUF_(x, x, 0, 0, 1, 1, 2, 2, 3, 3);
  return (wf_v128)((wf_i32x4)x >> 16);
}
static inline wf_v128 wf_simd_i32x4_extend_high_i16x8_s(wf_v128 a) {
  wf_i16x8 x = (wf_i16x8)a;
  x = WF_SIMD_SHUF_(x, x, 4, 4, 5, 5, 6, 6, 7, 7);
  return (wf_v128)((wf_i32x4)x >> 16);
}
static inline wf_v128 wf_simd_i32x4_extend_low_i16x8_u(wf_v128 a) {
  wf_u16x8 x = (wf_u16x8)a, z = {0};
  return (wf_v128)WF_SIMD_SHUF_(x, z, 0, 8, 1, 9, 2, 10, 3, 11);
}
static inline wf_v128 wf_simd_i32x4_extend_high_i16x8_u(wf_v128 a) {
  wf_u16x8 x = (wf_u16x8)a, z = {0};
  return (wf_v128)WF_SIMD_SHUF_(x, z, 4, 12, 5, 13, 6, 14, 7, 15);
}
static inline wf_v128 wf_simd_i64x2_extend_low_i32x4_s(wf_v128 a) {
  wf_i32x4 x = (wf_i32x4)a;
  x = WF_SIMD_SHUF_(x, x, 0, 0, 1, 1);
  return (wf_v128)((wf_i64x2)x >> 32);
}
static inline wf_v128 wf_simd_i64x2_extend_high_i32x4_s(wf_v128 a) {
  wf_i32x4 x = (wf_i32x4)a;
  x = WF_SIMD_SHUF_(x, x, 2, 2, 3, 3);
  return (wf_v128)((wf_i64x2)x >> 32);
}
static inline wf_v128 wf_simd_i64x2_extend_low_i32x4_u(wf_v128 a) {
  wf_u32x4 x = (wf_u32x4)a, z = {0};
  return (wf_v128)WF_SIMD_SHUF_(x, z, 0, 4, 1, 5);
}
static inline wf_v128 wf_simd_i64x2_extend_high_i32x4_u(wf_v128 a) {
  wf_u32x4 x = (wf_u32x4)a, z = {0};
  return (wf_v128)WF_SIMD_SHUF_(x, z, 2, 6, 3, 7);
}

/* extmul: the product of two extended lanes fits the wide lane, so an
** unsigned (wrapping) multiply gives its exact bits. */
#define WF_SIMD_EXTMUL_(NAME, EXTEND, U)                                       \
  static inline wf_v128 NAME(wf_v128 a, wf_v128 b) {                           \
    return (wf_v128)((U)EXTEND(a) * (U)EXTEND(b));                             \
  }
WF_SIMD_EXTMUL_(wf_simd_i16x8_extmul_low_i8x16_s,
                wf_simd_i16x8_extend_low_i8x16_s, wf_u16x8)
WF_SIMD_EXTMUL_(wf_simd_i16x8_extmul_high_i8x16_s,
                wf_simd_i16x8_extend_high_i8x16_s, wf_u16x8)
WF_SIMD_EXTMUL_(wf_simd_i16x8_extmul_low_i8x16_u,
                wf_simd_i16x8_extend_low_i8x16_u, wf_u16x8)
WF_SIMD_EXTMUL_(wf_simd_i16x8_extmul_high_i8x16_u,
                wf_simd_i16x8_extend_high_i8x16_u, wf_u16x8)
WF_SIMD_EXTMUL_(wf_simd_i32x4_extmul_low_i16x8_s,
                wf_simd_i32x4_extend_low_i16x8_s, wf_u32x4)
WF_SIMD_EXTMUL_(wf_simd_i32x4_extmul_high_i16x8_s,
                wf_simd_i32x4_extend_high_i16x8_s, wf_u32x4)
WF_SIMD_EXTMUL_(wf_simd_i32x4_extmul_low_i16x8_u,
                wf_simd_i32x4_extend_low_i16x8_u, wf_u32x4)
WF_SIMD_EXTMUL_(wf_simd_i32x4_extmul_high_i16x8_u,
                wf_simd_i32x4_extend_high_i16x8_u, wf_u32x4)
WF_SIMD_EXTMUL_(wf_simd_i64x2_extmul_low_i32x4_s,
                wf_simd_i64x2_extend_low_i32x4_s, wf_u64x2)
WF_SIMD_EXTMUL_(wf_simd_i64x2_extmul_high_i32x4_s,
                wf_simd_i64x2_extend_high_i32x4_s, wf_u64x2)
WF_SIMD_EXTMUL_(wf_simd_i64x2_extmul_low_i32x4_u,
                wf_simd_i64x2_extend_low_i32x4_u, wf_u64x2)
WF_SIMD_EXTMUL_(wf_simd_i64x2_extmul_high_i32x4_u,
                wf_simd_i64x2_extend_high_i32x4_u, wf_u64x2)
#undef WF_SIMD_EXTMUL_

/* extadd_pairwise: even lane (low half of the wide lane) + odd lane. */
static inline wf_v128 wf_simd_i16x8_extadd_pairwise_i8x16_s(wf_v128 a) {
  wf_i16x8 even = (wf_i16x8)((wf_u16x8)a << 8) >> 8, odd = (wf_i16x8)a >> 8;
  return (wf_v128)((wf_u16x8)even + (wf_u16x8)odd);
}
static inline wf_v128 wf_simd_i16x8_extadd_pairwise_i8x16_u(wf_v128 a) {
  wf_u16x8 x = (wf_u16x8)a;
  return (wf_v128)((x & 0xff) + (x >> 8));
}
static inline wf_v128 wf_simd_i32x4_extadd_pairwise_i16x8_s(wf_v128 a) {
  wf_i32x4 even = (wf_i32x4)((wf_u32x4)a << 16) >> 16, odd = (wf_i32x4)a >> 16;
  return (wf_v128)((wf_u32x4)even + (wf_u32x4)odd);
}
static inline wf_v128 wf_simd_i32x4_extadd_pairwise_i16x8_u(wf_v128 a) {
  wf_u32x4 x = (wf_u32x4)a;
  return (wf_v128)((x & 0xffff) + (x >> 16));
}

/* dot: products of the even and odd i16 lanes, summed with wrap-around
** (only -32768 * -32768 twice wraps, to INT32_MIN). */
static inline wf_v128 wf_simd_i32x4_dot_i16x8_s(wf_v128 a, wf_v128 b) {
  wf_i32x4 ae = (wf_i32x4)((wf_u32x4)a << 16) >> 16, ao = (wf_i32x4)a >> 16;
  wf_i32x4 be = (wf_i32x4)((wf_u32x4)b << 16) >> 16, bo = (wf_i32x4)b >> 16;
  return (wf_v128)((wf_u32x4)ae * (wf_u32x4)be + (wf_u32x4)ao * (wf_u32x4)bo);
}

/* q15mulr_sat_s: (a * b + 0x4000) >> 15 in i32 lanes (no overflow), back
** to i16. The only result that does not fit, 0x8000 (from -32768 squared),
** wraps to -32768, which no other pair produces: map it to 0x7fff. */
static inline wf_v128 wf_simd_i16x8_q15mulr_sat_s(wf_v128 a, wf_v128 b) {
  wf_i32x4 lo = (wf_i32x4)wf_simd_i32x4_extend_low_i16x8_s(a) *
                    (wf_i32x4)wf_simd_i32x4_extend_low_i16x8_s(b) +
                0x4000;
  wf_i32x4 hi = (wf_i32x4)wf_simd_i32x4_extend_high_i16x8_s(a) *
                    (wf_i32x4)wf_simd_i32x4_extend_high_i16x8_s(b) +
                0x4000;
  wf_i16x8 r = WF_SIMD_SHUF_((wf_i16x8)(lo >> 15), (wf_i16x8)(hi >> 15), 0, 2,
                             4, 6, 8, 10, 12, 14);
  return (wf_v128)(r ^ (r == INT16_MIN));
}

/* narrow: clamp the signed wide lanes, then keep their low halves. */
static inline wf_v128 wf_simd_i8x16_narrow_i16x8_s(wf_v128 a, wf_v128 b) {
  wf_i16x8 x = (wf_i16x8)a, y = (wf_i16x8)b;
  x = WF_SIMD_SEL_(wf_i16x8, x > 127, 127,
                   WF_SIMD_SEL_(wf_i16x8, x < -128, -128, x));
  y = WF_SIMD_SEL_(wf_i16x8, y > 127, 127,
                   WF_SIMD_SEL_(wf_i16x8, y < -128, -128, y));
  return (wf_v128)WF_SIMD_SHUF_((wf_u8x16)x, (wf_u8x16)y, 0, 2, 4, 6, 8, 10, 12,
                                14, 16, 18, 20, 22, 24, 26, 28, 30);
}
static inline wf_v128 wf_simd_i8x16_narrow_i16x8_u(wf_v128 a, wf_v128 b) {
  wf_i16x8 x = (wf_i16x8)a, y = (wf_i16x8)b;
  x = WF_SIMD_SEL_(wf_i16x8, x > 255, 255, x & ~(x < 0));
  y = WF_SIMD_SEL_(wf_i16x8, y > 255, 255, y & ~(y < 0));
  return (wf_v128)WF_SIMD_SHUF_((wf_u8x16)x, (wf_u8x16)y, 0, 2, 4, 6, 8, 10, 12,
                                14, 16, 18, 20, 22, 24, 26, 28, 30);
}
static inline wf_v128 wf_simd_i16x8_narrow_i32x4_s(wf_v128 a, wf_v128 b) {
  wf_i32x4 x = (wf_i32x4)a, y = (wf_i32x4)b;
  x = WF_SIMD_SEL_(wf_i32x4, x > 32767, 32767,
                   WF_SIMD_SEL_(wf_i32x4, x < -32768, -32768, x));
  y = WF_SIMD_SEL_(wf_i32x4, y > 32767, 32767,
                   WF_SIMD_SEL_(wf_i32x4, y < -32768, -32768, y));
  return (wf_v128)WF_SIMD_SHUF_((wf_u16x8)x, (wf_u16x8)y, 0, 2, 4, 6, 8, 10, 12,
                                14);
}
static inline wf_v128 wf_simd_i16x8_narrow_i32x4_u(wf_v128 a, wf_v128 b) {
  wf_i32x4 x = (wf_i32x4)a, y = (wf_i32x4)b;
  x = WF_SIMD_SEL_(wf_i32x4, x > 65535, 65535, x & ~(x < 0));
  y = WF_SIMD_SEL_(wf_i32x4, y > 65535, 65535, y & ~(y < 0));
  return (wf_v128)WF_SIMD_SHUF_((wf_u16x8)x, (wf_u16x8)y, 0, 2, 4, 6, 8, 10, 12,
                                14);
}

/* }====================================================================== */

/* {====== float arithmetic =============================================== */

/* abs/neg are sign-bit operations: NaN payloads pass unchanged. */
WF_SIMD_UN_(wf_simd_f32x4_abs, wf_u32x4, a & 0x7fffffffu)
WF_SIMD_UN_(wf_simd_f32x4_neg, wf_u32x4, a ^ 0x80000000u)
WF_SIMD_UN_(wf_simd_f64x2_abs, wf_u64x2, a & 0x7fffffffffffffffu)
WF_SIMD_UN_(wf_simd_f64x2_neg, wf_u64x2, a ^ 0x8000000000000000u)

WF_SIMD_BIN_(wf_simd_f32x4_add, wf_f32x4, a + b)
WF_SIMD_BIN_(wf_simd_f32x4_sub, wf_f32x4, a - b)
WF_SIMD_BIN_(wf_simd_f32x4_mul, wf_f32x4, (a * b))
WF_SIMD_BIN_(wf_simd_f32x4_div, wf_f32x4, a / b)
WF_SIMD_BIN_(wf_simd_f64x2_add, wf_f64x2, a + b)
WF_SIMD_BIN_(wf_simd_f64x2_sub, wf_f64x2, a - b)
WF_SIMD_BIN_(wf_simd_f64x2_mul, wf_f64x2, (a * b))
WF_SIMD_BIN_(wf_simd_f64x2_div, wf_f64x2, a / b)

static inline wf_v128 wf_simd_f32x4_sqrt(wf_v128 a) {
  wf_f32x4 x = (wf_f32x4)a;
  for (int i = 0; i < 4; i++)
    x[i] = wf_sqrt32(x[i]);
  return (wf_v128)x;
}
static inline wf_v128 wf_simd_f64x2_sqrt(wf_v128 a) {
  wf_f64x2 x = (wf_f64x2)a;
  x[0] = wf_sqrt64(x[0]);
  x[1] = wf_sqrt64(x[1]);
  return (wf_v128)x;
}

/* min/max: a NaN operand gives a + b (a quiet NaN); equal operands (±0)
** combine bitwise, so min(-0, +0) = -0 and max(-0, +0) = +0. */
#define WF_SIMD_MINMAX_(NAME, F, EQ)                                           \
  static inline wf_v128 NAME(wf_v128 a, wf_v128 b) {                           \
    F x = (F)a, y = (F)b;                                                      \
    wf_v128 lt = (wf_v128)(x < y), gt = (wf_v128)(y < x);                      \
    wf_v128 nan = (wf_v128)((x != x) | (y != y));                              \
    wf_v128 eq = ~(lt | gt | nan);                                             \
    return (a & lt) | (b & gt) | ((a EQ b)&eq) | ((wf_v128)(x + y) & nan);     \
  }
WF_SIMD_MINMAX_(wf_simd_f32x4_min, wf_f32x4, |)
WF_SIMD_MINMAX_(wf_simd_f64x2_min, wf_f64x2, |)
#undef WF_SIMD_MINMAX_
#define WF_SIMD_MINMAX_(NAME, F, EQ)                                           \
  static inline wf_v128 NAME(wf_v128 a, wf_v128 b) {                           \
    F x = (F)a, y = (F)b;                                                      \
    wf_v128 lt = (wf_v128)(y < x), gt = (wf_v128)(x < y);                      \
    wf_v128 nan = (wf_v128)((x != x) | (y != y));                              \
    wf_v128 eq = ~(lt | gt | nan);                                             \
    return (a & lt) | (b & gt) | ((a EQ b)&eq) | ((wf_v128)(x + y) & nan);     \
  }
WF_SIMD_MINMAX_(wf_simd_f32x4_max, wf_f32x4, &)
WF_SIMD_MINMAX_(wf_simd_f64x2_max, wf_f64x2, &)
#undef WF_SIMD_MINMAX_

/* pmin: b < a ? b : a; pmax: a < b ? b : a (operands pass through). */
static inline wf_v128 wf_simd_f32x4_pmin(wf_v128 a, wf_v128 b) {
  return WF_SIMD_SEL_(wf_v128, (wf_f32x4)b < (wf_f32x4)a, b, a);
}
static inline wf_v128 wf_simd_f32x4_pmax(wf_v128 a, wf_v128 b) {
  return WF_SIMD_SEL_(wf_v128, (wf_f32x4)a < (wf_f32x4)b, b, a);
}
static inline wf_v128 wf_simd_f64x2_pmin(wf_v128 a, wf_v128 b) {
  return WF_SIMD_SEL_(wf_v128, (wf_f64x2)b < (wf_f64x2)a, b, a);
}
static inline wf_v128 wf_simd_f64x2_pmax(wf_v128 a, wf_v128 b) {
  return WF_SIMD_SEL_(wf_v128, (wf_f64x2)a < (wf_f64x2)b, b, a);
}

/* Rounding without libm (cf. wf_nearest32). On |x| < 2^23 (2^52), adding
** and subtracting that power rounds half to even; stepping by one where
** this overshoots gives the floor and ceiling of |x|, and the sign goes
** back on last (so ceil(-0.5) = -0). Larger values, infinities and NaNs
** are integral already: x + 0 returns them, quieting a signalling NaN. */
enum { WF_SIMD_NEAREST_, WF_SIMD_TRUNC_, WF_SIMD_FLOOR_, WF_SIMD_CEIL_ };
#define WF_SIMD_ROUND_(NAME, F, U, SIGN, BIG, ONE)                             \
  static inline wf_v128 NAME(wf_v128 a, int mode) {                            \
    U sign = (U)a & (SIGN), neg = (U)(sign != 0);                              \
    F x = (F)a, ax = (F)((U)a & ~(SIGN));                                      \
    F rn = (ax + (BIG)) - (BIG);                                               \
    U fl = (U)(rn - (F)((U)(rn > ax) & (ONE)));                                \
    U cl = (U)(rn + (F)((U)(rn < ax) & (ONE)));                                \
    U mag = mode == WF_SIMD_NEAREST_ ? (U)rn                                   \
            : mode == WF_SIMD_TRUNC_ ? fl                                      \
            : mode == WF_SIMD_FLOOR_ ? WF_SIMD_SEL_(U, neg, cl, fl)            \
                                     : WF_SIMD_SEL_(U, neg, fl, cl);           \
    return (wf_v128)WF_SIMD_SEL_(U, ax < (BIG), mag | sign, (U)(x + 0));       \
  }
WF_SIMD_ROUND_(wf_simd_f32x4_round_, wf_f32x4, wf_u32x4, 0x80000000u,
               8388608.0f, 0x3f800000u)
WF_SIMD_ROUND_(wf_simd_f64x2_round_, wf_f64x2, wf_u64x2, 0x8000000000000000u,
               4503599627370496.0, 0x3ff0000000000000u)
#undef WF_SIMD_ROUND_

static inline wf_v128 wf_simd_f32x4_ceil(wf_v128 a) {
  return wf_simd_f32x4_round_(a, WF_SIMD_CEIL_);
}
static inline wf_v128 wf_simd_f32x4_floor(wf_v128 a) {
  return wf_simd_f32x4_round_(a, WF_SIMD_FLOOR_);
}
static inline wf_v128 wf_simd_f32x4_trunc(wf_v128 a) {
  return wf_simd_f32x4_round_(a, WF_SIMD_TRUNC_);
}
static inline wf_v128 wf_simd_f32x4_nearest(wf_v128 a) {
  return wf_simd_f32x4_round_(a, WF_SIMD_NEAREST_);
}
static inline wf_v128 wf_simd_f64x2_ceil(wf_v128 a) {
  return wf_simd_f64x2_round_(a, WF_SIMD_CEIL_);
}
static inline wf_v128 wf_simd_f64x2_floor(wf_v128 a) {
  return wf_simd_f64x2_round_(a, WF_SIMD_FLOOR_);
}
static inline wf_v128 wf_simd_f64x2_trunc(wf_v128 a) {
  return wf_simd_f64x2_round_(a, WF_SIMD_TRUNC_);
}
static inline wf_v128 wf_simd_f64x2_nearest(wf_v128 a) {
  return wf_simd_f64x2_round_(a, WF_SIMD_NEAREST_);
}

/* Float comparisons: ordered, so a NaN lane is false except for ne. */
WF_SIMD_BIN_(wf_simd_f32x4_eq, wf_f32x4, a == b)
WF_SIMD_BIN_(wf_simd_f32x4_ne, wf_f32x4, a != b)
WF_SIMD_BIN_(wf_simd_f32x4_lt, wf_f32x4, a < b)
WF_SIMD_BIN_(wf_simd_f32x4_gt, wf_f32x4, a > b)
WF_SIMD_BIN_(wf_simd_f32x4_le, wf_f32x4, a <= b)
WF_SIMD_BIN_(wf_simd_f32x4_ge, wf_f32x4, a >= b)
WF_SIMD_BIN_(wf_simd_f64x2_eq, wf_f64x2, a == b)
WF_SIMD_BIN_(wf_simd_f64x2_ne, wf_f64x2, a != b)
WF_SIMD_BIN_(wf_simd_f64x2_lt, wf_f64x2, a < b)
WF_SIMD_BIN_(wf_simd_f64x2_gt, wf_f64x2, a > b)
WF_SIMD_BIN_(wf_simd_f64x2_le, wf_f64x2, a <= b)
WF_SIMD_BIN_(wf_simd_f64x2_ge, wf_f64x2, a >= b)

/* }====================================================================== */

/* {====== conversions ==================================================== */

static inline wf_v128 wf_simd_f32x4_convert_i32x4_s(wf_v128 a) {
  return (wf_v128) __builtin_convertvector((wf_i32x4)a, wf_f32x4);
}
static inline wf_v128 wf_simd_f32x4_convert_i32x4_u(wf_v128 a) {
  return (wf_v128) __builtin_convertvector((wf_u32x4)a, wf_f32x4);
}
static inline wf_v128 wf_simd_f64x2_convert_low_i32x4_s(wf_v128 a) {
  wf_i32x4 x = (wf_i32x4)a;
  return (wf_v128)(wf_f64x2){(f64)x[0], (f64)x[1]};
}
static inline wf_v128 wf_simd_f64x2_convert_low_i32x4_u(wf_v128 a) {
  wf_u32x4 x = (wf_u32x4)a;
  return (wf_v128)(wf_f64x2){(f64)x[0], (f64)x[1]};
}

/* trunc_sat: lanes outside the range (and NaNs) are replaced by 0 before
** the conversion, so no out-of-range float-to-int conversion happens; the
** bound lanes are patched in afterwards. NaN compares false everywhere. */
static inline wf_v128 wf_simd_i32x4_trunc_sat_f32x4_s(wf_v128 a) {
  wf_f32x4 x = (wf_f32x4)a;
  wf_i32x4 in = (x >= -2147483648.0f) & (x < 2147483648.0f);
  wf_i32x4 r = __builtin_convertvector((wf_f32x4)(in & (wf_i32x4)a), wf_i32x4);
  r = WF_SIMD_SEL_(wf_i32x4, x >= 2147483648.0f, INT32_MAX, r);
  return (wf_v128)WF_SIMD_SEL_(wf_i32x4, x < -2147483648.0f, INT32_MIN, r);
}
static inline wf_v128 wf_simd_i32x4_trunc_sat_f32x4_u(wf_v128 a) {
  wf_f32x4 x = (wf_f32x4)a;
  wf_i32x4 in = (x > -1.0f) & (x < 4294967296.0f);
  wf_u32x4 r = __builtin_convertvector((wf_f32x4)(in & (wf_i32x4)a), wf_u32x4);
  return (wf_v128)(r | (wf_u32x4)(x >= 4294967296.0f));
}
static inline wf_v128 wf_simd_i32x4_trunc_sat_f64x2_s_zero(wf_v128 a) {
  wf_f64x2 x = (wf_f64x2)a;
  return (wf_v128)(wf_i32x4){wf_sat_i32_f64(x[0]), wf_sat_i32_f64(x[1]), 0, 0};
}
static inline wf_v128 wf_simd_i32x4_trunc_sat_f64x2_u_zero(wf_v128 a) {
  wf_f64x2 x = (wf_f64x2)a;
  return (wf_v128)(wf_u32x4){wf_sat_u32_f64(x[0]), wf_sat_u32_f64(x[1]), 0, 0};
}

/* demote/promote quieten NaNs (numeric.h). */
static inline wf_v128 wf_simd_f32x4_demote_f64x2_zero(wf_v128 a) {
  wf_f64x2 x = (wf_f64x2)a;
  return (wf_v128)(wf_f32x4){wf_demote64(x[0]), wf_demote64(x[1]), 0, 0};
}
static inline wf_v128 wf_simd_f64x2_promote_low_f32x4(wf_v128 a) {
  wf_f32x4 x = (wf_f32x4)a;
  return (wf_v128)(wf_f64x2){wf_promote32(x[0]), wf_promote32(x[1])};
}

/* }====================================================================== */

/* {====== memory ========================================================= */

static inline wf_v128 wf_simd_v128_load(const u8 *p) { return wf_v128_load(p); }
static inline void wf_simd_v128_store(u8 *p, wf_v128 v) { wf_v128_store(p, v); }

/* The low 8 bytes, then extended. */
static inline wf_v128 wf_v128_load_low_(const u8 *p) {
  wf_v128 v = {0, 0};
  __builtin_memcpy(&v, p, 8);
  return v;
}
static inline wf_v128 wf_simd_v128_load8x8_s(const u8 *p) {
  return wf_simd_i16x8_extend_low_i8x16_s(wf_v128_load_low_(p));
}
static inline wf_v128 wf_simd_v128_load8x8_u(const u8 *p) {
  return wf_simd_i16x8_extend_low_i8x16_u(wf_v128_load_low_(p));
}
static inline wf_v128 wf_simd_v128_load16x4_s(const u8 *p) {
  return wf_simd_i32x4_extend_low_i16x8_s(wf_v128_load_low_(p));
}
static inline wf_v128 wf_simd_v128_load16x4_u(const u8 *p) {
  return wf_simd_i32x4_extend_low_i16x8_u(wf_v128_load_low_(p));
}
static inline wf_v128 wf_simd_v128_load32x2_s(const u8 *p) {
  return wf_simd_i64x2_extend_low_i32x4_s(wf_v128_load_low_(p));
}
static inline wf_v128 wf_simd_v128_load32x2_u(const u8 *p) {
  return wf_simd_i64x2_extend_low_i32x4_u(wf_v128_load_low_(p));
}

static inline wf_v128 wf_simd_v128_load8_splat(const u8 *p) {
  return wf_simd_i8x16_splat(*p);
}
static inline wf_v128 wf_simd_v128_load16_splat(const u8 *p) {
  return wf_simd_i16x8_splat(wf_ld16(p));
}
static inline wf_v128 wf_simd_v128_load32_splat(const u8 *p) {
  return wf_simd_i32x4_splat(wf_ld32(p));
}
static inline wf_v128 wf_simd_v128_load64_splat(const u8 *p) {
  return wf_simd_i64x2_splat(wf_ld64(p));
}

static inline wf_v128 wf_simd_v128_load32_zero(const u8 *p) {
  return (wf_v128)(wf_u32x4){wf_ld32(p), 0, 0, 0};
}
static inline wf_v128 wf_simd_v128_load64_zero(const u8 *p) {
  return wf_v128_load_low_(p);
}

static inline wf_v128 wf_simd_v128_load8_lane(wf_v128 v, u32 lane,
                                              const u8 *p) {
  return wf_simd_i8x16_replace_lane(v, lane, *p);
}
static inline wf_v128 wf_simd_v128_load16_lane(wf_v128 v, u32 lane,
                                               const u8 *p) {
  return wf_simd_i16x8_replace_lane(v, lane, wf_ld16(p));
}
static inline wf_v128 wf_simd_v128_load32_lane(wf_v128 v, u32 lane,
                                               const u8 *p) {
  return wf_simd_i32x4_replace_lane(v, lane, wf_ld32(p));
}
static inline wf_v128 wf_simd_v128_load64_lane(wf_v128 v, u32 lane,
                                               const u8 *p) {
  return wf_simd_i64x2_replace_lane(v, lane, wf_ld64(p));
}

static inline void wf_simd_v128_store8_lane(u8 *p, wf_v128 v, u32 lane) {
  *p = (u8)wf_simd_i8x16_extract_lane_u(v, lane);
}
static inline void wf_simd_v128_store16_lane(u8 *p, wf_v128 v, u32 lane) {
  wf_st16(p, (u16)wf_simd_i16x8_extract_lane_u(v, lane));
}
static inline void wf_simd_v128_store32_lane(u8 *p, wf_v128 v, u32 lane) {
  wf_st32(p, wf_simd_i32x4_extract_lane(v, lane));
}
static inline void wf_simd_v128_store64_lane(u8 *p, wf_v128 v, u32 lane) {
  wf_st64(p, wf_simd_i64x2_extract_lane(v, lane));
}

/* }====================================================================== */

#undef WF_SIMD_UN_
#undef WF_SIMD_BIN_
#undef WF_SIMD_SHIFT_

/* {====== relaxed SIMD (3.0) =================================================
** Each relaxed instruction allows a set of results; weft picks one, the same
** in the interpreter and in AoT code (which both call these functions,
** compiled with -ffp-contract=off) on every ISA. The choices, documented in
** docs/ARCHITECTURE.md ("Relaxed SIMD"), are each the matching 2.0
** instruction where there is one: */

/* relaxed_swizzle = i8x16.swizzle (an index >= 16 selects 0) */
static inline wf_v128 wf_simd_i8x16_relaxed_swizzle(wf_v128 a, wf_v128 b) {
  return wf_simd_i8x16_swizzle(a, b);
}

/* relaxed_trunc = trunc_sat (NaN gives 0, out-of-range lanes saturate) */
static inline wf_v128 wf_simd_i32x4_relaxed_trunc_f32x4_s(wf_v128 a) {
  return wf_simd_i32x4_trunc_sat_f32x4_s(a);
}
static inline wf_v128 wf_simd_i32x4_relaxed_trunc_f32x4_u(wf_v128 a) {
  return wf_simd_i32x4_trunc_sat_f32x4_u(a);
}
static inline wf_v128 wf_simd_i32x4_relaxed_trunc_f64x2_s_zero(wf_v128 a) {
  return wf_simd_i32x4_trunc_sat_f64x2_s_zero(a);
}
static inline wf_v128 wf_simd_i32x4_relaxed_trunc_f64x2_u_zero(wf_v128 a) {
  return wf_simd_i32x4_trunc_sat_f64x2_u_zero(a);
}

/* relaxed_madd = a * b + c with two roundings (mul, then add): no fused
** multiply-add, which x86-64 without FMA and the freestanding core cannot
** give without libm; nmadd = -(a * b) + c, also two roundings. The product
** is a separate statement so no compiler contracts it. */
static inline wf_v128 wf_simd_f32x4_relaxed_madd(wf_v128 a, wf_v128 b,
                                                 wf_v128 c) {
  wf_f32x4 p = (wf_f32x4)a * (wf_f32x4)b;
  return (wf_v128)(p + (wf_f32x4)c);
}
static inline wf_v128 wf_simd_f32x4_relaxed_nmadd(wf_v128 a, wf_v128 b,
                                                  wf_v128 c) {
  wf_f32x4 p = (wf_f32x4)a * (wf_f32x4)b;
  return (wf_v128)(-p + (wf_f32x4)c);
}
static inline wf_v128 wf_simd_f64x2_relaxed_madd(wf_v128 a, wf_v128 b,
                                                 wf_v128 c) {
  wf_f64x2 p = (wf_f64x2)a * (wf_f64x2)b;
  return (wf_v128)(p + (wf_f64x2)c);
}
static inline wf_v128 wf_simd_f64x2_relaxed_nmadd(wf_v128 a, wf_v128 b,
                                                  wf_v128 c) {
  wf_f64x2 p = (wf_f64x2)a * (wf_f64x2)b;
  return (wf_v128)(-p + (wf_f64x2)c);
}

/* relaxed_laneselect = v128.bitselect, bit by bit, whatever the lane size
** (a mask lane that is not all ones or all zeros mixes a and b bitwise) */
static inline wf_v128 wf_simd_relaxed_laneselect(wf_v128 a, wf_v128 b,
                                                 wf_v128 m) {
  return wf_simd_v128_bitselect(a, b, m);
}

/* relaxed_min / relaxed_max = min / max (NaN propagates, -0 < +0) */
static inline wf_v128 wf_simd_f32x4_relaxed_min(wf_v128 a, wf_v128 b) {
  return wf_simd_f32x4_min(a, b);
}
static inline wf_v128 wf_simd_f32x4_relaxed_max(wf_v128 a, wf_v128 b) {
  return wf_simd_f32x4_max(a, b);
}
static inline wf_v128 wf_simd_f64x2_relaxed_min(wf_v128 a, wf_v128 b) {
  return wf_simd_f64x2_min(a, b);
}
static inline wf_v128 wf_simd_f64x2_relaxed_max(wf_v128 a, wf_v128 b) {
  return wf_simd_f64x2_max(a, b);
}

/* relaxed_q15mulr_s = q15mulr_sat_s (-32768 * -32768 gives 32767) */
static inline wf_v128 wf_simd_i16x8_relaxed_q15mulr_s(wf_v128 a, wf_v128 b) {
  return wf_simd_i16x8_q15mulr_sat_s(a, b);
}

/* relaxed_dot_i8x16_i7x16_s: both operands' lanes signed (b's top bit is
** the sign, as when b is in i7 range), each pair of products added with
** signed saturation to i16 (only -128 * -128 twice, 32768, saturates). */
static inline wf_v128 wf_simd_i16x8_relaxed_dot_i8x16_i7x16_s(wf_v128 a,
                                                              wf_v128 b) {
  wf_i8x16 x = (wf_i8x16)a, y = (wf_i8x16)b;
  wf_i16x8 r = {0};
  for (int i = 0; i < 8; i++) {
    i32 sum = (i32)x[2 * i] * y[2 * i] + (i32)x[2 * i + 1] * y[2 * i + 1];
    r[i] = (i16)(sum > INT16_MAX ? INT16_MAX : sum);
  }
  return (wf_v128)r;
}

/* relaxed_dot_i8x16_i7x16_add_s: the i16 lanes above, pairwise added to i32
** (i32x4.extadd_pairwise_i16x8_s), plus c (wrapping). */
static inline wf_v128
wf_simd_i32x4_relaxed_dot_i8x16_i7x16_add_s(wf_v128 a, wf_v128 b, wf_v128 c) {
  wf_i16x8 d = (wf_i16x8)wf_simd_i16x8_relaxed_dot_i8x16_i7x16_s(a, b);
  wf_u32x4 r = {0};
  for (int i = 0; i < 4; i++)
    r[i] = (u32)((i32)d[2 * i] + (i32)d[2 * i + 1]) + ((wf_u32x4)c)[i];
  return (wf_v128)r;
}
/* }====== relaxed SIMD ======================================================
 */

#endif /* WF_SIMD_H */
