/*
** numeric.h — WebAssembly numeric semantics in portable C: bit counts,
** rotations, IEEE rounding with NaN propagation, min/max with signed
** zeros, and the trapping / saturating float-to-int rules. Header-only so
** the interpreter (and later generated code) inline them.
*/
#ifndef WF_NUMERIC_H
#define WF_NUMERIC_H

#include "base.h"
#include "le.h"

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

/* Rounding and square root without libm, for freestanding builds whose
** target has no instruction for them (GCC would call ceil, floor, trunc or
** sqrt). Exact: trunc clears the fraction bits; sqrt is the bit-by-bit
** integer method, correctly rounded to nearest (a square root is never
** exactly halfway, so the remainder only decides inexactness). f32 goes
** through f64, which is exact for rounding and, with 53 >= 2 * 24 + 2
** bits, correctly rounded for sqrt. Finite inputs only except sqrt. */
static inline f64 wf_soft_trunc64(f64 x) {
  u64 b = wf_f64_bits(x);
  int e = (int)((b >> 52) & 0x7ff) - 1023;
  if (e >= 52)
    return x; /* integral (or inf/NaN) */
  if (e < 0)
    return wf_bits_f64(b & ((u64)1 << 63)); /* |x| < 1: signed zero */
  return wf_bits_f64(b & ~(((u64)1 << (52 - e)) - 1));
}
static inline f64 wf_soft_floor64(f64 x) {
  f64 t = wf_soft_trunc64(x);
  return t > x ? t - 1.0 : t;
}
static inline f64 wf_soft_ceil64(f64 x) {
  f64 t = wf_soft_trunc64(x);
  return t < x ? t + 1.0 : t;
}
static inline f64 wf_soft_sqrt64(f64 x) {
  u64 b = wf_f64_bits(x);
  if (x != x)
    return x + x;
  if (x == 0 || b == 0x7ff0000000000000ull)
    return x; /* +-0, +inf */
  if (b >> 63)
    return wf_bits_f64(0x7ff8000000000000ull); /* negative: NaN */
  int e = (int)(b >> 52);
  u64 m = b & 0x000fffffffffffffull;
  if (e == 0) { /* subnormal: normalise */
    e = 1;
    while (!(m >> 52)) {
      m <<= 1;
      e--;
    }
  } else {
    m |= (u64)1 << 52;
  }
  e -= 1023; /* x = m * 2^(e - 52), m in [2^52, 2^53) */
  if (e & 1) {
    m <<= 1;
    e--;
  }
  m <<= 1;
  u64 q = 0, s = 0;
  for (u64 r = (u64)1 << 53; r; r >>= 1) { /* 54 bits: 53 + round bit */
    u64 t = s + r;
    if (t <= m) {
      s = t + r;
      m -= t;
      q += r;
    }
    m <<= 1;
  }
  q = (q + (q & 1)) >> 1; /* round to nearest; q in [2^52, 2^53] */
  return wf_bits_f64(((u64)(e / 2 + 1022) << 52) + q);
}

/* Hardware square root where the target has it and errno is not kept;
** otherwise the functions above. Hosted builds call the builtins. */
#if __STDC_HOSTED__
#define WF_LIBM_ROUND 1
#define WF_HW_SQRT32 1
#define WF_HW_SQRT64 1
#else
#define WF_LIBM_ROUND 0
#if defined(__NO_MATH_ERRNO__) &&                                              \
    ((defined(__riscv_flen) && __riscv_flen >= 64) || defined(__SSE2__) ||     \
     defined(__aarch64__) || (defined(__ARM_FP) && (__ARM_FP & 8)))
#define WF_HW_SQRT32 1
#define WF_HW_SQRT64 1
#elif defined(__NO_MATH_ERRNO__) &&                                            \
    ((defined(__riscv_flen) && __riscv_flen >= 32) ||                          \
     (defined(__ARM_FP) && (__ARM_FP & 4)))
#define WF_HW_SQRT32 1
#define WF_HW_SQRT64 0
#else
#define WF_HW_SQRT32 0
#define WF_HW_SQRT64 0
#endif
#endif

/* NaN inputs return x + x, which quiets a signalling NaN as the spec's
** arithmetic-NaN rule requires (libm may return it unchanged). */
#if WF_LIBM_ROUND
static inline f32 wf_ceil32(f32 x) {
  return x != x ? x + x : __builtin_ceilf(x);
}
static inline f32 wf_floor32(f32 x) {
  return x != x ? x + x : __builtin_floorf(x);
}
static inline f32 wf_trunc32(f32 x) {
  return x != x ? x + x : __builtin_truncf(x);
}
static inline f64 wf_ceil64(f64 x) {
  return x != x ? x + x : __builtin_ceil(x);
}
static inline f64 wf_floor64(f64 x) {
  return x != x ? x + x : __builtin_floor(x);
}
static inline f64 wf_trunc64(f64 x) {
  return x != x ? x + x : __builtin_trunc(x);
}
#else
static inline f32 wf_ceil32(f32 x) {
  return x != x ? x + x : (f32)wf_soft_ceil64(x);
}
static inline f32 wf_floor32(f32 x) {
  return x != x ? x + x : (f32)wf_soft_floor64(x);
}
static inline f32 wf_trunc32(f32 x) {
  return x != x ? x + x : (f32)wf_soft_trunc64(x);
}
static inline f64 wf_ceil64(f64 x) {
  return x != x ? x + x : wf_soft_ceil64(x);
}
static inline f64 wf_floor64(f64 x) {
  return x != x ? x + x : wf_soft_floor64(x);
}
static inline f64 wf_trunc64(f64 x) {
  return x != x ? x + x : wf_soft_trunc64(x);
}
#endif
#if WF_HW_SQRT32
static inline f32 wf_sqrt32(f32 x) { return __builtin_sqrtf(x); }
#else
static inline f32 wf_sqrt32(f32 x) { return (f32)wf_soft_sqrt64(x); }
#endif
#if WF_HW_SQRT64
static inline f64 wf_sqrt64(f64 x) { return __builtin_sqrt(x); }
#else
static inline f64 wf_sqrt64(f64 x) { return wf_soft_sqrt64(x); }
#endif

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
