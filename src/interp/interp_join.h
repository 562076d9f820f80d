/*
** interp_join.h — run()'s handlers of the joined ops (joins.def,
** lower_join.c), included once, inside run(), where RETURN_TO_CALLER is
** defined: A_J_B runs A's body, then B's with ip at B's unit, in one
** dispatch. Kept apart from interp.c, which holds every other handler,
** so that file stays readable; nothing else includes it.
*/
/* ---- joined pairs (joins.def, lower_join.c): A's body, then B's with
** ip at B's unit, one dispatch. Each JB_ body is its op's handler
** without the dispatch: it moves ip past the op, or (a taken branch,
** a call, a return) leaves the handler itself. ---- */
#define JB_LOAD(width, expr)                                                   \
  {                                                                            \
    EA(2, 3, width)                                                            \
    expr;                                                                      \
    ip += 4;                                                                   \
  }
#define JB_I32_LOAD JB_LOAD(4, S(1).u32 = acc = wf_ld32(mem + ea))
#define JB_I32_LOAD8_U JB_LOAD(1, S(1).u32 = acc = mem[ea])
#define JB_I32_LOAD8_S JB_LOAD(1, S(1).u32 = acc = (u32)(i32)(i8)mem[ea])
#define JB_I32_LOAD16_U JB_LOAD(2, S(1).u32 = acc = wf_ld16(mem + ea))
#define JB_I32_STORE                                                           \
  {                                                                            \
    EA(1, 3, 4)                                                                \
    wf_st32(mem + ea, S(2).u32);                                               \
    ip += 4;                                                                   \
  }
#define JB_K(expr)                                                             \
  {                                                                            \
    u32 a = S(2).u32, b = ip[3];                                               \
    S(1).u32 = acc = (expr);                                                   \
    ip += 4;                                                                   \
  }
#define JB_I32_ADD_K JB_K(a + b)
#define JB_I32_AND_K JB_K(a &b)
#define JB_I32_SHL_K JB_K(a << (b & 31))
#define JB_I32_SHR_S_K JB_K((u32)((i32)a >> (b & 31)))
#define JB_I32_OR                                                              \
  {                                                                            \
    S(1).u32 = acc = S(2).u32 | S(3).u32;                                      \
    ip += 4;                                                                   \
  }
#define JB_I64_ADD                                                             \
  {                                                                            \
    S(1).u64 = S(2).u64 + S(3).u64;                                            \
    ip += 4;                                                                   \
  }
/* PAIR_K's and PAIR's: the second reads its other operand after the
** first result is written. */
#define JB_PAIR(b0, first, b1, second)                                         \
  {                                                                            \
    u32 a = S(2).u32, b = (b0);                                                \
    u32 r = (first);                                                           \
    S(1).u32 = r;                                                              \
    a = r;                                                                     \
    b = (b1);                                                                  \
    S(4).u32 = (second);                                                       \
    ip += 6;                                                                   \
  }
#define JB_I32_MUL_K_ADD JB_PAIR(ip[3], a *b, S(5).u32, a + b)
#define JB_I32_SHL_K_ADD JB_PAIR(ip[3], a << (b & 31), S(5).u32, a + b)
#define JB_I32_AND_K_ADD JB_PAIR(ip[3], a &b, S(5).u32, a + b)
#define JB_I32_SHR_U_AND_KK JB_PAIR(ip[3], a >> (b & 31), ip[5], a & b)
#define JB_I32_SHR_U_AND JB_PAIR(S(3).u32, a >> (b & 31), S(5).u32, a & b)
#define JB_I32_ADD_I32_LOAD                                                    \
  {                                                                            \
    u32 sum = S(2).u32 + S(3).u32;                                             \
    S(1).u32 = sum;                                                            \
    EA_AT(ea, sum, 5, 4)                                                       \
    S(4).u32 = acc = wf_ld32(mem + ea);                                        \
    ip += 6;                                                                   \
  }
#define JB_I32_ADD_K_I32_LOAD8_U                                               \
  {                                                                            \
    u32 sum = S(2).u32 + ip[3];                                                \
    S(1).u32 = sum;                                                            \
    EA_AT(ea, sum, 5, 1)                                                       \
    S(4).u32 = acc = mem[ea];                                                  \
    ip += 6;                                                                   \
  }
#define JB_GLOBAL_GET                                                          \
  {                                                                            \
    S(1) = inst->globals[ip[2]]->val;                                          \
    ip += 3;                                                                   \
  }
#define JB_GLOBAL_SET                                                          \
  {                                                                            \
    inst->globals[ip[1]]->val = S(2);                                          \
    ip += 3;                                                                   \
  }
#define JB_COPY_I32                                                            \
  {                                                                            \
    u64 v = S(2).u64;                                                          \
    S(1).u64 = v;                                                              \
    acc = (u32)v;                                                              \
    ip += 3;                                                                   \
  }
#define JB_COPY2                                                               \
  {                                                                            \
    S(1).u64 = S(2).u64;                                                       \
    S(3).u64 = S(4).u64;                                                       \
    ip += 5;                                                                   \
  }
/* Branches: taken, the handler dispatches at the target. */
#define JB_BR_ON(cond, at)                                                     \
  {                                                                            \
    if (cond) {                                                                \
      BACK_EDGE(ip[at]);                                                       \
      JUMP(at);                                                                \
      NEXT();                                                                  \
    }                                                                          \
    ip += (at) + 1;                                                            \
  }
#define JB_BR_IF JB_BR_ON(S(1).u32, 2)
#define JB_BR_UNLESS JB_BR_ON(!S(1).u32, 2)
#define JB_BR_IF_I32_EQZ JB_BR_ON(S(1).u32 == 0, 2)
#define JB_BR_IF_I32_EQ JB_BR_ON(S(1).u32 == S(2).u32, 3)
#define JB_BR_UNLESS_I32_AND_K JB_BR_ON(!(S(1).u32 & ip[2]), 3)
#define JB_COPY_RETURN                                                         \
  {                                                                            \
    S(1).u64 = S(2).u64;                                                       \
    RETURN_TO_CALLER();                                                        \
  }
#define JB_CALL_INTERNAL                                                       \
  {                                                                            \
    ncode = wf_inst_code(inst, ip[1]);                                         \
    nfp = SLOT_PTR(ip[2]);                                                     \
    if (WF_UNLIKELY(inst->calls_by_func)) {                                    \
      ret_ip = ip + 3;                                                         \
      goto internal_call;                                                      \
    }                                                                          \
    ip += 3; /* enter takes ip at the return address */                        \
    goto enter;                                                                \
  }
#define JB_CALL_INDIRECT                                                       \
  {                                                                            \
    INDIRECT_CALLEE();                                                         \
    nfp = SLOT_PTR(ip[3]);                                                     \
    ret_ip = ip + 5;                                                           \
    goto call_func;                                                            \
  }
#define JB_I64_LOAD JB_LOAD(8, S(1).u64 = wf_ld64(mem + ea))
#define JB_I32_LOAD_I32_LOAD                                                   \
  {                                                                            \
    EA(2, 3, 4)                                                                \
    u32 p = wf_ld32(mem + ea);                                                 \
    S(1).u32 = p;                                                              \
    EA_AT(ea2, p, 5, 4)                                                        \
    S(4).u32 = wf_ld32(mem + ea2);                                             \
    ip += 6;                                                                   \
  }
#define JB_I32_LOAD_ADD_K                                                      \
  {                                                                            \
    EA(2, 3, 4)                                                                \
    u32 r = wf_ld32(mem + ea);                                                 \
    S(1).u32 = r;                                                              \
    S(4).u32 = r + ip[5];                                                      \
    ip += 6;                                                                   \
  }
#define JB_I32_SHL_K_OR JB_PAIR(ip[3], a << (b & 31), S(5).u32, a | b)
#define JB_I64_EXTEND_I32_S                                                    \
  {                                                                            \
    S(1).i64 = S(2).i32;                                                       \
    ip += 3;                                                                   \
  }
#define JB_BR_IF_I64_NE JB_BR_ON(S(1).u64 != S(2).u64, 3)
#define JB_BR                                                                  \
  {                                                                            \
    BACK_EDGE(ip[1]);                                                          \
    JUMP(1);                                                                   \
    NEXT();                                                                    \
  }
#define JB_BR_TABLE                                                            \
  {                                                                            \
    u32 i = S(1).u32, n = ip[2];                                               \
    const u32 *entry = ip + 3 + (i < n ? i : n);                               \
    ip = entry + (i32)*entry;                                                  \
    NEXT();                                                                    \
  }
/* A block's charge as the FUEL handler makes it, at the FUEL op's unit
** (B's, or the join's own when FUEL is A; ip past it, as fuel_short
** wants): a shortfall takes that handler's rare path there, so the hook,
** a trap and a snapshot see the position and amount they see without
** the join. */
#define JB_FUEL                                                                \
  {                                                                            \
    ip += 2;                                                                   \
    if (WF_UNLIKELY((fuel -= ip[-1]) < 0))                                     \
      goto fuel_short;                                                         \
  }
#define JB_SET32                                                               \
  {                                                                            \
    S(1).u64 = ip[2];                                                          \
    ip += 3;                                                                   \
  }
#define JB_I32_WRAP_I64                                                        \
  {                                                                            \
    S(1).u32 = acc = (u32)S(2).u64;                                            \
    ip += 3;                                                                   \
  }
#define JB_SELECT_I32_GT_U                                                     \
  {                                                                            \
    S(1).u64 = S(4).u32 > S(5).u32 ? S(2).u64 : S(3).u64;                      \
    ip += 6;                                                                   \
  }
#define JB_BR_IF_I64_LE_S JB_BR_ON(S(1).i64 <= S(2).i64, 3)
#define JB_BR_IF_I64_GT_U JB_BR_ON(S(1).u64 > S(2).u64, 3)
#define JB_BR_IF_I64_GE_S JB_BR_ON(S(1).i64 >= S(2).i64, 3)
#define JB_I32_AND_ADD JB_PAIR(S(3).u32, a &b, S(5).u32, a + b)
#define JB_I32_SUB_BR_IF                                                       \
  {                                                                            \
    u32 r = S(2).u32 - S(3).u32;                                               \
    S(1).u32 = r;                                                              \
    JB_BR_ON(r, 4)                                                             \
  }
#define JB_I32_ADD_K_I32_ADD_K                                                 \
  {                                                                            \
    S(1).u32 = S(2).u32 + ip[3];                                               \
    S(5).u32 = S(6).u32 + ip[7];                                               \
    ip += 8;                                                                   \
  }
/* The _ACC forms (acc.def, interp_acc.h): operand `a` is acc, which the
** body of the op before them in the join set (every JB_ body of an op
** lower_acc.c counts as a producer sets acc, as its handler does). */
#define JB_ACC_K(expr)                                                         \
  {                                                                            \
    u32 a = acc, k = ip[3];                                                    \
    S(1).u32 = acc = (expr);                                                   \
    ip += 4;                                                                   \
  }
#define JB_I32_ADD_K_ACC JB_ACC_K(a + k)
#define JB_I32_AND_K_ACC JB_ACC_K(a &k)
#define JB_I32_SHL_K_ACC JB_ACC_K(a << (k & 31))
#define JB_I32_OR_ACC                                                          \
  {                                                                            \
    S(1).u32 = acc = acc | S(3).u32;                                           \
    ip += 4;                                                                   \
  }
#define JB_ACC_LOAD(width, expr)                                               \
  {                                                                            \
    EA_AT(ea, acc, 3, width)                                                   \
    S(1).u32 = acc = (expr);                                                   \
    ip += 4;                                                                   \
  }
#define JB_I32_LOAD8_U_ACC JB_ACC_LOAD(1, mem[ea])
#define JB_I32_LOAD16_U_ACC JB_ACC_LOAD(2, wf_ld16(mem + ea))
#define JB_ACC_STORE(width, expr)                                              \
  {                                                                            \
    u32 a = acc;                                                               \
    EA(1, 3, width)                                                            \
    expr;                                                                      \
    ip += 4;                                                                   \
  }
#define JB_I32_STORE_ACC JB_ACC_STORE(4, wf_st32(mem + ea, a))
#define JB_I32_STORE16_ACC JB_ACC_STORE(2, wf_st16(mem + ea, (u16)a))
#define JB_BR_IF_ACC JB_BR_ON(acc != 0, 2)
#define JB_BR_UNLESS_ACC JB_BR_ON(acc == 0, 2)
#define JB_BR_IF_I32_EQZ_ACC JB_BR_ON(acc == 0, 2)
#define JB_BR_IF_I32_EQ_ACC JB_BR_ON(acc == S(2).u32, 3)
#define JB_BR_IF_I32_LT_U_ACC JB_BR_ON(acc < S(2).u32, 3)
#define JB_I32_STORE8_ACC JB_ACC_STORE(1, mem[ea] = (u8)a)
#define JB_I32_ADD_ACC                                                         \
  {                                                                            \
    S(1).u32 = acc = acc + S(3).u32;                                           \
    ip += 4;                                                                   \
  }
#define JB_I32_ADD                                                             \
  {                                                                            \
    S(1).u32 = acc = S(2).u32 + S(3).u32;                                      \
    ip += 4;                                                                   \
  }
#define JB_I32_SUB                                                             \
  {                                                                            \
    S(1).u32 = acc = S(2).u32 - S(3).u32;                                      \
    ip += 4;                                                                   \
  }
#define JB_I32_ADD_ADD JB_PAIR(S(3).u32, a + b, S(5).u32, a + b)
#define JB_I64_EXTEND_I32_U                                                    \
  {                                                                            \
    S(1).u64 = S(2).u32;                                                       \
    ip += 3;                                                                   \
  }
#define JB_I64_AND_K                                                           \
  {                                                                            \
    S(1).u64 = S(2).u64 & (u64)ip[3];                                          \
    ip += 4;                                                                   \
  }
#define JB_I64_LOAD8_U JB_LOAD(1, S(1).u64 = mem[ea])
#define JB_I32_STORE16                                                         \
  {                                                                            \
    EA(1, 3, 2)                                                                \
    wf_st16(mem + ea, (u16)S(2).u32);                                          \
    ip += 4;                                                                   \
  }
#define JB_I64_STORE32                                                         \
  {                                                                            \
    EA(1, 3, 4)                                                                \
    wf_st32(mem + ea, (u32)S(2).u64);                                          \
    ip += 4;                                                                   \
  }
#define JB_BR_IF_I32_LT_S_K JB_BR_ON((i32)S(1).u32 < (i32)ip[2], 3)
/* P12k's (joins.def). */
#define JB_BR_IF_I32_LT_S JB_BR_ON((i32)S(1).u32 < (i32)S(2).u32, 3)
#define JB_I32_ADD_BR                                                          \
  {                                                                            \
    S(1).u32 = S(2).u32 + S(3).u32;                                            \
    BACK_EDGE(ip[4]);                                                          \
    JUMP(4);                                                                   \
    NEXT();                                                                    \
  }
#define JB_BR_IF_I32_GE_S_K JB_BR_ON((i32)S(1).u32 >= (i32)ip[2], 3)
#define JB_I32_AND_ACC                                                         \
  {                                                                            \
    S(1).u32 = acc = acc & S(3).u32;                                           \
    ip += 4;                                                                   \
  }
#define JB_I64_STORE_K                                                         \
  {                                                                            \
    EA(1, 3, 8)                                                                \
    wf_st64(mem + ea, (u64)ip[2]);                                             \
    ip += 4;                                                                   \
  }
#define JB_I32_OR_K_ACC JB_ACC_K(a | k)
#define JB_BR_IF_I32_GT_U_ACC JB_BR_ON(acc > S(2).u32, 3)
/* The _FUEL branches (interp.c's FUEL_IF and its kin, defined there
** until after this file): both ways out leave the handler. */
#define JB_BR_FUEL FUEL_INTO(1);
#define JB_BR_IF_FUEL FUEL_IF(S(1).u32, 2, 3);
#define JB_BR_UNLESS_FUEL FUEL_IF(!S(1).u32, 2, 3);
#define JB_BR_IF_I32_EQZ_FUEL FUEL_IF(S(1).u32 == 0, 2, 3);
#define JB_BR_IF_I32_EQ_FUEL FUEL_IF(S(1).u32 == S(2).u32, 3, 4);
#define JB_BR_IF_I32_LT_U_FUEL FUEL_IF(S(1).u32 < S(2).u32, 3, 4);
#define JB_BR_IF_I32_GT_U_FUEL FUEL_IF(S(1).u32 > S(2).u32, 3, 4);
#define JB_BR_IF_I32_LT_S_FUEL FUEL_IF(S(1).i32 < S(2).i32, 3, 4);
#define JB_BR_IF_I32_GE_S_FUEL FUEL_IF(S(1).i32 >= S(2).i32, 3, 4);
#define JB_BR_UNLESS_I32_AND_FUEL FUEL_IF(!(S(1).u32 & S(2).u32), 3, 4);
#define JB_I32_SUB_BR_IF_FUEL                                                  \
  {                                                                            \
    u32 r = S(2).u32 - S(3).u32;                                               \
    S(1).u32 = r;                                                              \
    FUEL_IF(r, 4, 5);                                                          \
  }
#define JB_BR_TABLE_FUEL FUEL_TABLE();
#define JB_BR_IF_I32_NE_FUEL FUEL_IF(S(1).u32 != S(2).u32, 3, 4);
#define JB_BR_IF_I32_GE_U_FUEL FUEL_IF(S(1).u32 >= S(2).u32, 3, 4);
/* A's bodies of the P12k joins (their handlers: interp_num.h, interp_imm.h). */
#define JB_F64_LE                                                              \
  {                                                                            \
    S(1).u32 = acc = S(2).f64 <= S(3).f64;                                     \
    ip += 4;                                                                   \
  }
#define JB_I32_SHR_U_K JB_K(a >> (b & 31))
#define JB_I32_ADD_K_I32_LOAD                                                  \
  {                                                                            \
    u32 sum = S(2).u32 + ip[3];                                                \
    S(1).u32 = sum;                                                            \
    EA_AT(ea, sum, 5, 4)                                                       \
    S(4).u32 = acc = wf_ld32(mem + ea);                                        \
    ip += 6;                                                                   \
  }
/* After each body, ip is at the next op's unit. */
#define JOIN(a, b, la, lb)                                                     \
  CASE(a##_J_##b) { JB_##a JB_##b NEXT(); }
#define JOIN3(a, b, c, la, lb, lc)                                             \
  CASE(a##_J_##b##_J_##c) { JB_##a JB_##b JB_##c NEXT(); }
#define JOIN4(a, b, c, d, la, lb, lc, ld)                                      \
  CASE(a##_J_##b##_J_##c##_J_##d) { JB_##a JB_##b JB_##c JB_##d NEXT(); }
#include "joins.def"
#undef JOIN
#undef JOIN3
#undef JOIN4
#undef JB_LOAD
#undef JB_K
#undef JB_ACC_K
#undef JB_ACC_LOAD
#undef JB_ACC_STORE
#undef JB_PAIR
#undef JB_BR_ON
