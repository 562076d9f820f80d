/*
** interp_imm.h — run()'s handlers of the ops with a constant operand as
** an immediate k (ops.def's P12e block, lower_imm.c): each is the op of
** the same name without _K, reading ip[] where that op reads the
** constant's slot. Included once, inside run(), after the branch
** handlers: BR_ON comes from there and is undefined here.
*/
CASE(SET32) {
  S(1).u64 = ip[2];
  ip += 3;
  NEXT();
}
#define BIN_K(name, T, expr)                                                   \
  CASE(name) {                                                                 \
    T a = (T)S(2).u32, b = (T)ip[3];                                           \
    S(1).u32 = acc = (u32)(expr);                                              \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
BIN_K(I32_ADD_K, u32, a + b)
BIN_K(I32_AND_K, u32, a &b)
BIN_K(I32_OR_K, u32, a | b)
BIN_K(I32_XOR_K, u32, a ^ b)
BIN_K(I32_MUL_K, u32, a *b)
BIN_K(I32_SHL_K, u32, a << (b & 31))
BIN_K(I32_SHR_S_K, i32, a >> (b & 31))
BIN_K(I32_SHR_U_K, u32, a >> (b & 31))
BIN_K(I32_EQ_K, u32, a == b)
BIN_K(I32_NE_K, u32, a != b)
BIN_K(I32_LT_S_K, i32, a < b)
BIN_K(I32_LT_U_K, u32, a < b)
BIN_K(I32_GT_S_K, i32, a > b)
BIN_K(I32_GT_U_K, u32, a > b)
BIN_K(I32_LE_S_K, i32, a <= b)
BIN_K(I32_LE_U_K, u32, a <= b)
BIN_K(I32_GE_S_K, i32, a >= b)
BIN_K(I32_GE_U_K, u32, a >= b)
#undef BIN_K
CASE(I64_AND_K) {
  S(1).u64 = S(2).u64 & (u64)ip[3];
  ip += 4;
  NEXT();
}
CASE(I64_SHL_K) {
  S(1).u64 = S(2).u64 << (ip[3] & 63);
  ip += 4;
  NEXT();
}
CASE(I64_SHR_U_K) {
  S(1).u64 = S(2).u64 >> (ip[3] & 63);
  ip += 4;
  NEXT();
}
CASE(I32_ADD_K_BR) {
  S(1).u32 = S(2).u32 + ip[3];
  BACK_EDGE(ip[4]);
  JUMP(4);
  NEXT();
}
#define STORE_K(name, width, expr)                                             \
  CASE(name) {                                                                 \
    EA(1, 3, width)                                                            \
    expr;                                                                      \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
STORE_K(I32_STORE_K, 4, wf_st32(mem + ea, ip[2]))
STORE_K(I32_STORE8_K, 1, mem[ea] = (u8)ip[2])
STORE_K(I32_STORE16_K, 2, wf_st16(mem + ea, (u16)ip[2]))
STORE_K(I64_STORE_K, 8, wf_st64(mem + ea, (u64)ip[2]))
#undef STORE_K
#define BR_CMP_K(name, T, expr) BR_ON(name, (T)S(1).u32 expr(T) ip[2])
BR_CMP_K(BR_IF_I32_EQ_K, u32, ==)
BR_CMP_K(BR_IF_I32_NE_K, u32, !=)
BR_CMP_K(BR_IF_I32_LT_S_K, i32, <)
BR_CMP_K(BR_IF_I32_LT_U_K, u32, <)
BR_CMP_K(BR_IF_I32_GT_S_K, i32, >)
BR_CMP_K(BR_IF_I32_GT_U_K, u32, >)
BR_CMP_K(BR_IF_I32_LE_S_K, i32, <=)
BR_CMP_K(BR_IF_I32_LE_U_K, u32, <=)
BR_CMP_K(BR_IF_I32_GE_S_K, i32, >=)
BR_CMP_K(BR_IF_I32_GE_U_K, u32, >=)
#undef BR_CMP_K
BR_ON(BR_IF_I32_AND_K, S(1).u32 &ip[2])
BR_ON(BR_UNLESS_I32_AND_K, !(S(1).u32 & ip[2]))
#undef BR_ON
CASE(SET32_BR) {
  S(1).u64 = ip[2];
  BACK_EDGE(ip[3]);
  JUMP(3);
  NEXT();
}
/* In order: the second copy may read what the first wrote. */
CASE(COPY2_SK) {
  S(1).u64 = S(2).u64;
  S(3).u64 = ip[4];
  ip += 5;
  NEXT();
}
CASE(COPY2_KS) {
  S(1).u64 = ip[2];
  S(3).u64 = S(4).u64;
  ip += 5;
  NEXT();
}
CASE(COPY2_KK) {
  S(1).u64 = ip[2];
  S(3).u64 = ip[4];
  ip += 5;
  NEXT();
}
CASE(I32_RSUB_K) {
  S(1).u32 = ip[3] - S(2).u32;
  ip += 4;
  NEXT();
}
CASE(I32_SHL_KL) {
  S(1).u32 = ip[3] << (S(2).u32 & 31);
  ip += 4;
  NEXT();
}
/* The address is the constant k (ip[2]), the offset ip[3]. */
#define EA_K(width) EA_AT(ea, ip[2], 3, width)
#define ACCESS_A(name, width, expr)                                            \
  CASE(name) {                                                                 \
    EA_K(width)                                                                \
    expr;                                                                      \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
ACCESS_A(I32_LOAD_A, 4, S(1).u32 = wf_ld32(mem + ea))
ACCESS_A(I64_LOAD_A, 8, S(1).u64 = wf_ld64(mem + ea))
#undef ACCESS_A
#undef EA_K
/* The address is the constant k (ip[1]), the offset ip[3]. */
#define STORE_A(name, width, expr)                                             \
  CASE(name) {                                                                 \
    EA_AT(ea, ip[1], 3, width)                                                 \
    expr;                                                                      \
    ip += 4;                                                                   \
    NEXT();                                                                    \
  }
STORE_A(I32_STORE_A, 4, wf_st32(mem + ea, S(2).u32))
STORE_A(I32_STORE_AK, 4, wf_st32(mem + ea, ip[2]))
STORE_A(I64_STORE_A, 8, wf_st64(mem + ea, S(2).u64))
STORE_A(I64_STORE_AK, 8, wf_st64(mem + ea, (u64)ip[2]))
#undef STORE_A
/* Fused ops of the hot pairs with the first op's right operand k. */
#define ADD_K_EA(width)                                                        \
  u32 sum = S(2).u32 + ip[3];                                                  \
  S(1).u32 = sum;                                                              \
  EA_AT(ea, sum, 5, width)
CASE(I32_ADD_K_I32_LOAD) {
  ADD_K_EA(4)
  S(4).u32 = acc = wf_ld32(mem + ea);
  ip += 6;
  NEXT();
}
CASE(I32_ADD_K_I64_LOAD) {
  ADD_K_EA(8)
  S(4).u64 = wf_ld64(mem + ea);
  ip += 6;
  NEXT();
}
CASE(I32_ADD_K_I32_LOAD8_U) {
  ADD_K_EA(1)
  S(4).u32 = acc = mem[ea];
  ip += 6;
  NEXT();
}
#undef ADD_K_EA
CASE(I32_LOAD_ADD_K) {
  EA(2, 3, 4)
  u32 r = wf_ld32(mem + ea);
  S(1).u32 = r;
  S(4).u32 = r + ip[5];
  ip += 6;
  NEXT();
}
CASE(I32_ADD_K_I32_STORE) {
  u32 r = S(2).u32 + ip[3];
  S(1).u32 = r;
  EA(4, 5, 4)
  wf_st32(mem + ea, r);
  ip += 6;
  NEXT();
}
#define PAIR_K(name, first, second)                                            \
  CASE(name) {                                                                 \
    u32 a = S(2).u32, b = ip[3];                                               \
    u32 r = (first);                                                           \
    S(1).u32 = r;                                                              \
    a = r;                                                                     \
    b = S(5).u32;                                                              \
    S(4).u32 = (second);                                                       \
    ip += 6;                                                                   \
    NEXT();                                                                    \
  }
PAIR_K(I32_SHL_K_ADD, a << (b & 31), a + b)
PAIR_K(I32_MUL_K_ADD, a *b, a + b)
PAIR_K(I32_SHL_K_OR, a << (b & 31), a | b)
PAIR_K(I32_ADD_K_ADD, a + b, a + b)
PAIR_K(I32_AND_K_ADD, a &b, a + b)
#undef PAIR_K
/* Both operands constant: the bit twiddling of a CRC (bench cmark). */
#define PAIR_KK(name, first, second)                                           \
  CASE(name) {                                                                 \
    u32 a = S(2).u32, b = ip[3];                                               \
    u32 r = (first);                                                           \
    S(1).u32 = r;                                                              \
    a = r;                                                                     \
    b = ip[5];                                                                 \
    S(4).u32 = (second);                                                       \
    ip += 6;                                                                   \
    NEXT();                                                                    \
  }
PAIR_KK(I32_SHR_U_AND_KK, a >> (b & 31), a &b)
PAIR_KK(I32_AND_SHR_U_KK, a &b, a >> (b & 31))
PAIR_KK(I32_SHL_XOR_KK, a << (b & 31), a ^ b)
#undef PAIR_KK
/* The pair, then the select of its second result's equality with z: in
** sequence, each operand read after the writes before it (z or x may
** be d or d2). */
#define AND_SHR_U_SELECT_EQ(name, b, c)                                        \
  CASE(name) {                                                                 \
    u32 r = S(2).u32 & (b);                                                    \
    S(1).u32 = r;                                                              \
    r >>= ((c)&31);                                                            \
    S(4).u32 = r;                                                              \
    S(6).u64 = S(9).u32 == r ? S(7).u64 : S(8).u64;                            \
    ip += 10;                                                                  \
    NEXT();                                                                    \
  }
AND_SHR_U_SELECT_EQ(I32_AND_SHR_U_SELECT_EQ, S(3).u32, S(5).u32)
AND_SHR_U_SELECT_EQ(I32_AND_SHR_U_KK_SELECT_EQ, ip[3], ip[5])
#undef AND_SHR_U_SELECT_EQ
/* I32_SHL_XOR_KK, I32_SHR_U_AND_KK, I32_AND_SHR_U_KK_SELECT_EQ at units
** 1, 7 and 13, in sequence as those handlers run them. */
CASE(I32_CRC_BIT_KK) {
  u32 r = S(2).u32 << (ip[3] & 31);
  S(1).u32 = r;
  S(4).u32 = r ^ ip[5];
  r = S(8).u32 >> (ip[9] & 31);
  S(7).u32 = r;
  S(10).u32 = r & ip[11];
  r = S(14).u32 & ip[15];
  S(13).u32 = r;
  r >>= ip[17] & 31;
  S(16).u32 = r;
  S(18).u64 = S(21).u32 == r ? S(19).u64 : S(20).u64;
  ip += 22;
  NEXT();
}
CASE(I32_ADD_K_I32_ADD) {
  S(1).u32 = S(2).u32 + ip[3];
  S(5).u32 = S(6).u32 + S(7).u32;
  ip += 8;
  NEXT();
}
CASE(I32_ADD_I32_ADD_K) {
  S(1).u32 = S(2).u32 + S(3).u32;
  S(5).u32 = S(6).u32 + ip[7];
  ip += 8;
  NEXT();
}
CASE(I32_ADD_K_I32_ADD_K) {
  S(1).u32 = S(2).u32 + ip[3];
  S(5).u32 = S(6).u32 + ip[7];
  ip += 8;
  NEXT();
}
CASE(SELECT_KS) {
  S(1).u64 = S(4).u32 ? (u64)ip[2] : S(3).u64;
  ip += 5;
  NEXT();
}
CASE(SELECT_SK) {
  S(1).u64 = S(4).u32 ? S(2).u64 : (u64)ip[3];
  ip += 5;
  NEXT();
}
CASE(SELECT_KK) {
  S(1).u64 = S(4).u32 ? (u64)ip[2] : (u64)ip[3];
  ip += 5;
  NEXT();
}
CASE(SELECT_I32_EQ_K) {
  S(1).u64 = S(4).u32 == ip[5] ? S(2).u64 : S(3).u64;
  ip += 6;
  NEXT();
}
CASE(SELECT_I32_NE_K) {
  S(1).u64 = S(4).u32 != ip[5] ? S(2).u64 : S(3).u64;
  ip += 6;
  NEXT();
}
