/*
** interp_num.h — run()'s handlers of the numeric operators: every
** numeric.def entry, then those that trap (division, truncation).
** Included once, inside run(), which defines CASE, S, NEXT, TRAP and acc.
** An i32 result is kept in acc as well (acc.def, lower_acc.c).
*/
/* An i32 result is kept in acc too (acc.def): ACC_KEEP_<result member>. */
#define ACC_KEEP_u32(x) (acc = (x))
#define ACC_KEEP_i32(x) (acc = (u32)(x))
#define ACC_KEEP_u64(x) (x)
#define ACC_KEEP_i64(x) (x)
#define ACC_KEEP_f32(x) (x)
#define ACC_KEEP_f64(x) (x)
#define ACC_KEEP_b32(x) (x)
#define ACC_KEEP_b64(x) (x)
#define UN(name, opc, ta, tr, e)                                               \
  CASE(name) {                                                                 \
    __typeof__(S(2).ta) a = S(2).ta;                                           \
    ACC_KEEP_##tr(S(1).tr = (e));                                              \
    ip += 3;                                                                   \
    NEXT();                                                                    \
  }
#define BIN(name, opc, ta, tr, e)                                              \
  CASE(name) {                                                                 \
    __typeof__(S(2).ta) a = S(2).ta;                                           \
    __typeof__(S(3).ta) b = S(3).ta;                                           \
    ACC_KEEP_##tr(S(1).tr = (e));                                              \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#define b32 u32 /* float ops on bit patterns */
#define b64 u64
#include "numeric.def"
#undef b32
#undef b64
#undef UN
#undef BIN
#undef ACC_KEEP_u32
#undef ACC_KEEP_i32
#undef ACC_KEEP_u64
#undef ACC_KEEP_i64
#undef ACC_KEEP_f32
#undef ACC_KEEP_f64
#undef ACC_KEEP_b32
#undef ACC_KEEP_b64

/* ---- operators that trap ---- */
#define DIVIDE(name, T, member, checks, expr)                                  \
  CASE(name) {                                                                 \
    T a = S(2).member, b = S(3).member;                                        \
    if (b == 0)                                                                \
      TRAP(WEFT_TRAP_DIV_ZERO);                                                \
    checks;                                                                    \
    S(1).member = (expr);                                                      \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#define OVERFLOW_IF(cond)                                                      \
  if (cond)                                                                    \
  TRAP(WEFT_TRAP_INT_OVERFLOW)
/* Signed remainder by -1 is 0 (INT_MIN % -1 would be undefined in C). */
DIVIDE(I32_DIV_S, i32, i32, OVERFLOW_IF(a == INT32_MIN && b == -1), a / b)
DIVIDE(I32_DIV_U, u32, u32, (void)0, a / b)
DIVIDE(I32_REM_S, i32, i32, (void)0, b == -1 ? 0 : a % b)
DIVIDE(I32_REM_U, u32, u32, (void)0, a % b)
DIVIDE(I64_DIV_S, i64, i64, OVERFLOW_IF(a == INT64_MIN && b == -1), a / b)
DIVIDE(I64_DIV_U, u64, u64, (void)0, a / b)
DIVIDE(I64_REM_S, i64, i64, (void)0, b == -1 ? 0 : a % b)
DIVIDE(I64_REM_U, u64, u64, (void)0, a % b)
#undef OVERFLOW_IF
#undef DIVIDE
#define TRUNC(name, from, to, T, check)                                        \
  CASE(name) {                                                                 \
    int c = check(S(2).from);                                                  \
    if (c)                                                                     \
      TRAP(c == 1 ? WEFT_TRAP_INVALID_CONVERSION : WEFT_TRAP_INT_OVERFLOW);    \
    S(1).to = (T)S(2).from;                                                    \
    ip += 3;                                                                   \
    NEXT();                                                                    \
  }
TRUNC(I32_TRUNC_F32_S, f32, i32, i32, wf_trunc_check_i32_f32)
TRUNC(I32_TRUNC_F32_U, f32, u32, u32, wf_trunc_check_u32_f32)
TRUNC(I32_TRUNC_F64_S, f64, i32, i32, wf_trunc_check_i32_f64)
TRUNC(I32_TRUNC_F64_U, f64, u32, u32, wf_trunc_check_u32_f64)
TRUNC(I64_TRUNC_F32_S, f32, i64, i64, wf_trunc_check_i64_f32)
TRUNC(I64_TRUNC_F32_U, f32, u64, u64, wf_trunc_check_u64_f32)
TRUNC(I64_TRUNC_F64_S, f64, i64, i64, wf_trunc_check_i64_f64)
TRUNC(I64_TRUNC_F64_U, f64, u64, u64, wf_trunc_check_u64_f64)
#undef TRUNC
