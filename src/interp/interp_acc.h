/*
** interp_acc.h — run()'s handlers of the accumulator forms (acc.def),
** included once, inside run(): each is the op of the same name without
** _ACC with its operand `a` taken from `acc`, the i32 result of the op
** just before (lower_acc.c proves that). The forms that compute an i32
** keep it in acc too, and still write their destination slot.
*/
#define ACC_BIN(name, T, expr, mirror)                                         \
  CASE(name##_ACC) {                                                           \
    T a = (T)acc, b = (T)S(3).u32;                                             \
    S(1).u32 = acc = (u32)(expr);                                              \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#define ACC_K(name, T, expr)                                                   \
  CASE(name##_ACC) {                                                           \
    T a = (T)acc, k = (T)ip[3];                                                \
    S(1).u32 = acc = (u32)(expr);                                              \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#define ACC_UN(name, expr)                                                     \
  CASE(name##_ACC) {                                                           \
    u32 a = acc;                                                               \
    S(1).u32 = acc = (u32)(expr);                                              \
    ip += 3;                                                                   \
    NEXT();                                                                    \
  }
#define ACC_LOAD(name, width, expr)                                            \
  CASE(name##_ACC) {                                                           \
    EA_AT(ea, acc, 3, width)                                                   \
    S(1).u32 = acc = (u32)(expr);                                              \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#define ACC_TAKEN(cond, at)                                                    \
  do {                                                                         \
    if (cond) {                                                                \
      BACK_EDGE(ip[at]);                                                       \
      JUMP(at);                                                                \
    } else                                                                     \
      ip += (at) + 1;                                                          \
    NEXT();                                                                    \
  } while (0)
#define ACC_BR(name, T, cmp, mirror)                                           \
  CASE(name##_ACC) { ACC_TAKEN((T)acc cmp(T) S(2).u32, 3); }
#define ACC_BR_K(name, T, cmp)                                                 \
  CASE(name##_ACC) { ACC_TAKEN((T)acc cmp(T) ip[2], 3); }
#define ACC_BR1(name, cond)                                                    \
  CASE(name##_ACC) {                                                           \
    u32 a = acc;                                                               \
    ACC_TAKEN(cond, 2);                                                        \
  }
#define ACC_STORE(name, width, expr)                                           \
  CASE(name##_ACC) {                                                           \
    u32 a = acc;                                                               \
    EA(1, 3, width)                                                            \
    expr;                                                                      \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
#include "acc.def"
#include "acc_undef.h"
#undef ACC_TAKEN
