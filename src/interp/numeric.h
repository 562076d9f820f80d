/*
** numeric.h — WebAssembly numeric semantics in portable C: bit counts,
** rotations, IEEE rounding with NaN propagation, min/max with signed
** zeros, and the trapping / saturating float-to-int rules. Header-only so
** the interpreter (and later generated code) inline them.
*/
#ifndef WF_NUMERIC_H
#define WF_NUMERIC_H

#include "../base/base.h"

static inline u32 wf_clz32(u32 a) { return a ? (u32)__builtin_clz(a) : 32; }
static inline u32 wf_ctz32(u32 a) { return a ? (u32)__builtin_ctz(a) : 32; }
static inline u32 wf_popcnt32(u32 a) { return (u32)__builtin_popcount(a); }
static inline u64 wf_clz64(u64 a) { return a ? (u64)__builtin_clzll(a) : 64; }
static inline u64 wf_ctz64(u64 a) { return a ? (u64)__builtin_ctzll(a) : 64; }
static inline u64 wf_popcnt64(u64 a) { return (u64)__builtin_popcountll(a); }
static inline u32 wf_rotl32(u32 a, u32 b) {
  b &= 31;
  return (a << b) | (a >> ((32 - b) & 31));
}
static inline u32 wf_rotr32(u32 a, u32 b) {
  b &= 31;
  return (a >> b) | (a << ((32 - b) & 31));
}
static inline u64 wf_rotl64(u64 a, u64 b) {
  b &= 63;
  return (a << b) | (a >> ((64 - b) & 63));
}
static inline u64 wf_rotr64(u64 a, u64 b) {
  b &= 63;
  return (a >> b) | (a << ((64 - b) & 63));
}

/* NaN inputs return x + x, which quiets a signalling NaN as the spec's
** arithmetic-NaN rule requires (libm may return it unchanged). */
static inline f32 wf_ceil32(f32 x) {
  return x != x ? x + x : __builtin_ceilf(x);
}
static inline f32 wf_floor32(f32 x) {
  return x != x ? x + x : __builtin_floorf(x);
}
static inline f32 wf_trunc32(f32 x) {
  return x != x ? x + x : __builtin_truncf(x);
}
static inline f32 wf_sqrt32(f32 x) { return __builtin_sqrtf(x); }
static inline f64 wf_ceil64(f64 x) {
  return x != x ? x + x : __builtin_ceil(x);
}
static inline f64 wf_floor64(f64 x) {
  return x != x ? x + x : __builtin_floor(x);
}
static inline f64 wf_trunc64(f64 x) {
  return x != x ? x + x : __builtin_trunc(x);
}
static inline f64 wf_sqrt64(f64 x) { return __builtin_sqrt(x); }

/* Round half to even without libm: adding and subtracting 2^23 (2^52)
** rounds in the current (nearest-even) mode; larger values are integral. */
static inline f32 wf_nearest32(f32 x) {
  if (x != x)
    return x + x;
  f32 ax = __builtin_fabsf(x);
  if (ax >= 8388608.0f)
    return x;
  f32 r = (ax + 8388608.0f) - 8388608.0f;
  return __builtin_copysignf(r, x);
}
static inline f64 wf_nearest64(f64 x) {
  if (x != x)
    return x + x;
  f64 ax = __builtin_fabs(x);
  if (ax >= 4503599627370496.0)
    return x;
  f64 r = (ax + 4503599627370496.0) - 4503599627370496.0;
  return __builtin_copysign(r, x);
}

/* Conversions between float widths. A NaN goes through an addition first,
** which quiets it: otherwise a compiler may fold demote(promote(x)) to x and
** keep a signalling NaN. */
static inline f64 wf_promote32(f32 a) { return a != a ? (f64)(a + a) : (f64)a; }
static inline f32 wf_demote64(f64 a) { return a != a ? (f32)(a + a) : (f32)a; }

/* min/max: NaN if either is NaN; -0 < +0. */
static inline f32 wf_min32(f32 a, f32 b) {
  if (a != a || b != b)
    return a + b;
  if (a == b)
    return __builtin_signbit(a) ? a : b;
  return a < b ? a : b;
}
static inline f32 wf_max32(f32 a, f32 b) {
  if (a != a || b != b)
    return a + b;
  if (a == b)
    return __builtin_signbit(a) ? b : a;
  return a > b ? a : b;
}
static inline f64 wf_min64(f64 a, f64 b) {
  if (a != a || b != b)
    return a + b;
  if (a == b)
    return __builtin_signbit(a) ? a : b;
  return a < b ? a : b;
}
static inline f64 wf_max64(f64 a, f64 b) {
  if (a != a || b != b)
    return a + b;
  if (a == b)
    return __builtin_signbit(a) ? b : a;
  return a > b ? a : b;
}

/* Range checks for trapping truncation: 0 ok, 1 NaN, 2 out of range. */
static inline int wf_trunc_check_i32_f32(f32 x) {
  if (x != x)
    return 1;
  return (x >= -2147483648.0f && x < 2147483648.0f) ? 0 : 2;
}
static inline int wf_trunc_check_u32_f32(f32 x) {
  if (x != x)
    return 1;
  return (x > -1.0f && x < 4294967296.0f) ? 0 : 2;
}
static inline int wf_trunc_check_i32_f64(f64 x) {
  if (x != x)
    return 1;
  return (x > -2147483649.0 && x < 2147483648.0) ? 0 : 2;
}
static inline int wf_trunc_check_u32_f64(f64 x) {
  if (x != x)
    return 1;
  return (x > -1.0 && x < 4294967296.0) ? 0 : 2;
}
static inline int wf_trunc_check_i64_f32(f32 x) {
  if (x != x)
    return 1;
  return (x >= -9223372036854775808.0f && x < 9223372036854775808.0f) ? 0 : 2;
}
static inline int wf_trunc_check_u64_f32(f32 x) {
  if (x != x)
    return 1;
  return (x > -1.0f && x < 18446744073709551616.0f) ? 0 : 2;
}
static inline int wf_trunc_check_i64_f64(f64 x) {
  if (x != x)
    return 1;
  return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? 0 : 2;
}
static inline int wf_trunc_check_u64_f64(f64 x) {
  if (x != x)
    return 1;
  return (x > -1.0 && x < 18446744073709551616.0) ? 0 : 2;
}

/* Saturating truncation: NaN -> 0, out of range -> the nearest bound. */
#define WF_SAT(NAME, FT, IT, CHECK, MINV, MAXV)                                \
  static inline IT NAME(FT x) {                                                \
    int c = CHECK(x);                                                          \
    if (c == 1)                                                                \
      return 0;                                                                \
    if (c == 2)                                                                \
      return x < 0 ? (MINV) : (MAXV);                                          \
    return (IT)x;                                                              \
  }
WF_SAT(wf_sat_i32_f32, f32, i32, wf_trunc_check_i32_f32, INT32_MIN, INT32_MAX)
WF_SAT(wf_sat_u32_f32, f32, u32, wf_trunc_check_u32_f32, 0, UINT32_MAX)
WF_SAT(wf_sat_i32_f64, f64, i32, wf_trunc_check_i32_f64, INT32_MIN, INT32_MAX)
WF_SAT(wf_sat_u32_f64, f64, u32, wf_trunc_check_u32_f64, 0, UINT32_MAX)
WF_SAT(wf_sat_i64_f32, f32, i64, wf_trunc_check_i64_f32, INT64_MIN, INT64_MAX)
WF_SAT(wf_sat_u64_f32, f32, u64, wf_trunc_check_u64_f32, 0, UINT64_MAX)
WF_SAT(wf_sat_i64_f64, f64, i64, wf_trunc_check_i64_f64, INT64_MIN, INT64_MAX)
WF_SAT(wf_sat_u64_f64, f64, u64, wf_trunc_check_u64_f64, 0, UINT64_MAX)
#undef WF_SAT

#endif /* WF_NUMERIC_H */
