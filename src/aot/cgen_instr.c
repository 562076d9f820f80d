/*
** cgen_instr.c — C for the internal instructions: numeric (numeric.def),
** memory access, control, calls and tail calls, call_ref, and the rest of
** ops.def; one C statement per instruction.
*/
#include "cgen.h"

/* ---- instructions ----------------------------------------------------- */

/* An operand of a numeric expression: a variable, a literal or a call
** as it is; a signed view (a cast) in parentheses, as it may meet a
** postfix or unary operator. Operands have no side effects, so one read
** twice by an expression is still one value. */
static void numeric_operand(struct cgen *g, u32 slot, const char *member) {
  bool cast = !strcmp(member, "i32") || !strcmp(member, "i64");
  if (cast)
    wf_cg_put(&g->body, "(");
  wf_cg_read_member(g, slot, member);
  if (cast)
    wf_cg_put(&g->body, ")");
}

static bool ident_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || ch == '_';
}

/* numeric.def's expression `e` over a and b, with the operands put in
** place of the identifiers a and b: one C statement per instruction and
** no temporaries, which is less for the C compiler to read and to throw
** away again (compile time is what this is about). */
static void numeric_expr(struct cgen *g, const u32 *ip, const char *ta,
                         const char *e) {
  struct text *t = &g->body;
  while (*e) {
    size_t n = 1;
    if (ident_char(*e))
      while (ident_char(e[n]))
        n++;
    if (n == 1 && (*e == 'a' || *e == 'b')) {
      numeric_operand(g, ip[*e == 'a' ? 2 : 3], ta);
    } else {
      char tok[64];
      wf_format(tok, sizeof tok, "%s", e); /* tokens are short */
      tok[n < sizeof tok ? n : sizeof tok - 1] = 0;
      wf_cg_put(t, tok);
    }
    e += n;
  }
}

static void numeric(struct cgen *g, const u32 *ip, const char *ta,
                    const char *tr, const char *e) {
  wf_cg_write_member_begin(g, ip[1], tr);
  numeric_expr(g, ip, ta, e);
  wf_cg_write_member_end(g, tr);
}

/* An ordered integer comparison (numeric.def), as its operand member and
** expression, e.g. "i32" and "a > b". */
static bool ordered_compare(u32 op, const char **ta, const char **e) {
  switch (op) {
#define UN(name, opc, ta_, tr, e_)
#define BIN(name, opc, ta_, tr, e_)                                            \
  case WF_OP_##name:                                                           \
    *ta = #ta_;                                                                \
    *e = #e_;                                                                  \
    break;
#include "numeric.def"
#undef UN
#undef BIN
  default: return false;
  }
  bool integer = (*ta)[0] == 'i' || (*ta)[0] == 'u';
  return integer && (!strcmp(*e, "a < b") || !strcmp(*e, "a > b") ||
                     !strcmp(*e, "a <= b") || !strcmp(*e, "a >= b"));
}

/* A select of the two values the op just before compared, the result of
** which is its condition: max, min and the like (clang's wasm for C's
** `a > b ? a : b`). Written as one expression in the compared type, e.g.
** `d = (i32)(((i32)x) > ((i32)y) ? ((i32)x) : ((i32)y))`, since GCC finds
** a max or min (a cmov) only where the values selected have the type
** compared: through u32 slots it made a data-dependent branch of some,
** which mispredicts in a dynamic programme's inner loop (nussinov). */
static bool emit_select_of_compare(struct cgen *g, const u32 *ip, char l) {
  if (g->prev_pc == WF_CG_NO_PC)
    return false;
  const u32 *cmp = g->code->ops + g->prev_pc;
  const char *ta, *e;
  if (!ordered_compare(cmp[0], &ta, &e))
    return false;
  bool wide = ta[1] == '6';
  u32 x = cmp[2], y = cmp[3];
  if ((l == 'l') != wide || cmp[1] != ip[4] || cmp[1] == x || cmp[1] == y ||
      !((ip[2] == x && ip[3] == y) || (ip[2] == y && ip[3] == x)))
    return false;
  wf_cg_write_member_begin(g, ip[1], ta);
  numeric_expr(g, cmp, ta, e);
  wf_cg_put(&g->body, " ? ");
  numeric_operand(g, ip[2], ta);
  wf_cg_put(&g->body, " : ");
  numeric_operand(g, ip[3], ta);
  wf_cg_write_member_end(g, ta);
  return true;
}

bool wf_cg_emit_numeric(struct cgen *g, const u32 *ip, u32 op) {
  switch (op) {
#define UN(name, opc, ta, tr, e)                                               \
  case WF_OP_##name:                                                           \
    numeric(g, ip, #ta, #tr, #e);                                              \
    return true;
#define BIN(name, opc, ta, tr, e)                                              \
  case WF_OP_##name:                                                           \
    numeric(g, ip, #ta, #tr, #e);                                              \
    return true;
#include "numeric.def"
#undef UN
#undef BIN
  default: return false;
  }
}

/* Effective wf_cg_address of (slot + offset) as `ea`, checked when asked. */
void wf_cg_address(struct cgen *g, u32 addr_slot, u32 offset, u32 width) {
  struct text *t = &g->body;
  wf_cg_put(t, "    u64 ea = (u64)");
  wf_cg_var(g, addr_slot, 'i');
  wf_cg_putf(t, " + %uu;\n", offset);
  if (g->opts->explicit_bounds_checks)
    wf_cg_putf(t, "    if (WF_UNLIKELY(ea + %u > msz)) TRAP(%u);\n", width,
               (unsigned)WEFT_TRAP_MEMORY_OOB);
}

/* A memory 0 access's bounds check, when the checks are explicit: a
** statement ahead of the access, not a block around it (short C). None
** in a loop's copy whose accesses its entry proved in bounds. */
static void access_check(struct cgen *g, u32 slot, u32 offset, u32 width) {
  struct text *t = &g->body;
  if (!g->opts->explicit_bounds_checks || g->loop_in_bounds)
    return;
  wf_cg_put(t, "  if (WF_UNLIKELY((u64)");
  wf_cg_var(g, slot, 'i');
  wf_cg_putf(t, " + %lluu > msz)) %s(%u);\n",
             (unsigned long long)offset + width, wf_cg_trap_macro(g),
             (unsigned)WEFT_TRAP_MEMORY_OOB);
}

/* The address of (slot + offset) in memory 0: pointer arithmetic, so
** no 32-bit wrap; in a loop's in-bounds copy, through its span pointers
** (cgen_span.c). */
static void put_address(struct cgen *g, u32 slot, u32 offset) {
  if (g->span_loop && wf_cg_span_address(g, offset))
    return;
  wf_cg_put(&g->body, "mem + ");
  wf_cg_var(g, slot, 'i');
  if (offset)
    wf_cg_putf(&g->body, " + %uu", offset);
}

struct mem_access {
  u8 op;
  u8 width;
  char letter;      /* C variable of the value */
  const char *conv; /* load: conversion of the raw value; store: of v */
};

/* Loads read the raw unsigned integer of the access width (a float as a
** float), then convert. */
static const struct mem_access loads[] = {
    {WF_OP_I32_LOAD, 4, 'i', ""},
    {WF_OP_I64_LOAD, 8, 'l', ""},
    {WF_OP_F32_LOAD, 4, 'f', ""},
    {WF_OP_F64_LOAD, 8, 'd', ""},
    {WF_OP_I32_LOAD8_S, 1, 'i', "(i32)(i8)"},
    {WF_OP_I32_LOAD8_U, 1, 'i', ""},
    {WF_OP_I32_LOAD16_S, 2, 'i', "(i32)(i16)"},
    {WF_OP_I32_LOAD16_U, 2, 'i', ""},
    {WF_OP_I64_LOAD8_S, 1, 'l', "(i64)(i8)"},
    {WF_OP_I64_LOAD8_U, 1, 'l', ""},
    {WF_OP_I64_LOAD16_S, 2, 'l', "(i64)(i16)"},
    {WF_OP_I64_LOAD16_U, 2, 'l', ""},
    {WF_OP_I64_LOAD32_S, 4, 'l', "(i64)(i32)"},
    {WF_OP_I64_LOAD32_U, 4, 'l', ""},
};

/* The access of `width` bytes as `letter` through le.h (a byte directly). */
static const char *accessor(char letter, u32 width, bool store) {
  if (letter == 'f')
    return store ? "wf_stf32(" : "wf_ldf32(";
  if (letter == 'd')
    return store ? "wf_stf64(" : "wf_ldf64(";
  switch (width) {
  case 1: return "*(";
  case 2: return store ? "wf_st16(" : "wf_ld16(";
  case 4: return store ? "wf_st32(" : "wf_ld32(";
  default: return store ? "wf_st64(" : "wf_ld64(";
  }
}

static const struct mem_access stores[] = {
    {WF_OP_I32_STORE, 4, 'i', ""},        {WF_OP_I64_STORE, 8, 'l', ""},
    {WF_OP_F32_STORE, 4, 'f', ""},        {WF_OP_F64_STORE, 8, 'd', ""},
    {WF_OP_I32_STORE8, 1, 'i', "(u8)"},   {WF_OP_I32_STORE16, 2, 'i', "(u16)"},
    {WF_OP_I64_STORE8, 1, 'l', "(u8)"},   {WF_OP_I64_STORE16, 2, 'l', "(u16)"},
    {WF_OP_I64_STORE32, 4, 'l', "(u32)"},
};

static void emit_load(struct cgen *g, const u32 *ip,
                      const struct mem_access *l) {
  struct text *t = &g->body;
  access_check(g, ip[2], ip[3], l->width);
  wf_cg_put(t, "  ");
  wf_cg_var(g, ip[1], l->letter);
  wf_cg_putf(t, " = %s%s", l->conv, accessor(l->letter, l->width, false));
  put_address(g, ip[2], ip[3]);
  wf_cg_put(t, ");\n");
  /* With guard pages the access itself is the bounds check, so it must
  ** happen even when the value is unused: pin it (a compiler may delete
  ** a load whose result it can prove irrelevant). Not where the loop's
  ** entry proved every access in bounds (cgen_span.c). */
  if (!g->opts->explicit_bounds_checks && !g->loop_in_bounds) {
    bool fp = l->letter == 'f' || l->letter == 'd';
    wf_cg_put(t, fp ? "  WF_PIN_F(" : "  WF_PIN(");
    wf_cg_var(g, ip[1], l->letter);
    wf_cg_put(t, ");\n");
  }
}

static void emit_store(struct cgen *g, const u32 *ip,
                       const struct mem_access *s) {
  struct text *t = &g->body;
  access_check(g, ip[1], ip[3], s->width);
  wf_cg_putf(t, "  %s", accessor(s->letter, s->width, true));
  put_address(g, ip[1], ip[3]);
  wf_cg_putf(t, s->width == 1 ? ") = %s" : ", %s", s->conv);
  wf_cg_var(g, ip[2], s->letter);
  wf_cg_put(t, s->width == 1 ? ";\n" : ");\n");
  /* With guard pages the store is the check: keep it, whole and in order
  ** (WF_STORED). Not where the loop's entry proved it in bounds. */
  if (!g->opts->explicit_bounds_checks && !g->loop_in_bounds) {
    wf_cg_put(t, "  WF_STORED(mem);\n");
  }
}

/* The bytes a plain load or store of memory 0 reads or writes; 0 for
** any other op. */
u32 wf_cg_access_width(u32 op) {
  for (u32 i = 0; i < WF_ARRAY_LEN(loads); i++)
    if (loads[i].op == op)
      return loads[i].width;
  for (u32 i = 0; i < WF_ARRAY_LEN(stores); i++)
    if (stores[i].op == op)
      return stores[i].width;
  return 0;
}

bool wf_cg_emit_memory_access(struct cgen *g, const u32 *ip, u32 op) {
  for (u32 i = 0; i < WF_ARRAY_LEN(loads); i++)
    if (loads[i].op == op) {
      emit_load(g, ip, &loads[i]);
      return true;
    }
  for (u32 i = 0; i < WF_ARRAY_LEN(stores); i++)
    if (stores[i].op == op) {
      emit_store(g, ip, &stores[i]);
      return true;
    }
  return false;
}

/* Fused "i32.add then load": d = a + b, d2 = load[d + off]. */
bool wf_cg_emit_fused(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  static const struct {
    u8 op, load;
  } add_loads[] = {{WF_OP_I32_ADD_I32_LOAD, WF_OP_I32_LOAD},
                   {WF_OP_I32_ADD_I64_LOAD, WF_OP_I64_LOAD},
                   {WF_OP_I32_ADD_F32_LOAD, WF_OP_F32_LOAD},
                   {WF_OP_I32_ADD_F64_LOAD, WF_OP_F64_LOAD}};
  for (u32 i = 0; i < WF_ARRAY_LEN(add_loads); i++) {
    if (add_loads[i].op != op)
      continue;
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_put(t, " = ");
    wf_cg_var(g, ip[2], 'i');
    wf_cg_put(t, " + ");
    wf_cg_var(g, ip[3], 'i');
    wf_cg_put(t, ";\n");
    u32 sub[4] = {0, ip[4], ip[1], ip[5]}; /* as a plain load */
    return wf_cg_emit_memory_access(g, sub, add_loads[i].load);
  }
  static const struct {
    u8 op;
    const char *c_op;
  } arith_stores[] = {{WF_OP_F64_ADD_F64_STORE, "+"},
                      {WF_OP_F64_SUB_F64_STORE, "-"},
                      {WF_OP_F64_MUL_F64_STORE, "*"}};
  for (u32 i = 0; i < WF_ARRAY_LEN(arith_stores); i++) {
    if (arith_stores[i].op != op)
      continue;
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'd');
    wf_cg_put(t, " = ");
    wf_cg_var(g, ip[2], 'd');
    wf_cg_putf(t, " %s ", arith_stores[i].c_op);
    wf_cg_var(g, ip[3], 'd');
    wf_cg_put(t, ";\n");
    u32 sub[4] = {0, ip[4], ip[1], ip[5]}; /* as a plain f64 store */
    return wf_cg_emit_memory_access(g, sub, WF_OP_F64_STORE);
  }
  return false;
}

bool wf_cg_emit_trapping(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  static const struct {
    u8 op;
    char l;
    const char *ct, *c_op;
    bool rem, is_signed;
  } divs[] = {
      {WF_OP_I32_DIV_S, 'i', "i32", "/", false, true},
      {WF_OP_I32_DIV_U, 'i', "u32", "/", false, false},
      {WF_OP_I32_REM_S, 'i', "i32", "%", true, true},
      {WF_OP_I32_REM_U, 'i', "u32", "%", true, false},
      {WF_OP_I64_DIV_S, 'l', "i64", "/", false, true},
      {WF_OP_I64_DIV_U, 'l', "u64", "/", false, false},
      {WF_OP_I64_REM_S, 'l', "i64", "%", true, true},
      {WF_OP_I64_REM_U, 'l', "u64", "%", true, false},
  };
  for (u32 i = 0; i < WF_ARRAY_LEN(divs); i++) {
    if (divs[i].op != op)
      continue;
    char l = divs[i].l;
    wf_cg_putf(t, "  { %s a = (%s)", divs[i].ct, divs[i].ct);
    wf_cg_var(g, ip[2], l);
    wf_cg_putf(t, "; %s b = (%s)", divs[i].ct, divs[i].ct);
    wf_cg_var(g, ip[3], l);
    wf_cg_putf(t, ";\n    if (WF_UNLIKELY(b == 0)) %s(%u);\n",
               wf_cg_trap_macro(g), (unsigned)WEFT_TRAP_DIV_ZERO);
    const char *min = l == 'i' ? "INT32_MIN" : "INT64_MIN";
    wf_cg_put(t, "    ");
    wf_cg_var(g, ip[1], l);
    if (divs[i].is_signed && !divs[i].rem) {
      wf_cg_putf(
          t, " = 0;\n    if (WF_UNLIKELY(a == %s && b == -1)) %s(%u);\n    ",
          min, wf_cg_trap_macro(g), (unsigned)WEFT_TRAP_INT_OVERFLOW);
      wf_cg_var(g, ip[1], l);
      wf_cg_putf(t, " = (%s)(a / b);\n  }\n", wf_cg_ctype_of(l));
    } else if (divs[i].is_signed) {
      wf_cg_putf(t, " = (%s)(b == -1 ? 0 : a %% b);\n  }\n", wf_cg_ctype_of(l));
    } else {
      wf_cg_putf(t, " = a %s b;\n  }\n", divs[i].c_op);
    }
    return true;
  }
  static const struct {
    u8 op;
    char from, to;
    const char *ct, *check;
  } truncs[] = {
      {WF_OP_I32_TRUNC_F32_S, 'f', 'i', "i32", "wf_trunc_check_i32_f32"},
      {WF_OP_I32_TRUNC_F32_U, 'f', 'i', "u32", "wf_trunc_check_u32_f32"},
      {WF_OP_I32_TRUNC_F64_S, 'd', 'i', "i32", "wf_trunc_check_i32_f64"},
      {WF_OP_I32_TRUNC_F64_U, 'd', 'i', "u32", "wf_trunc_check_u32_f64"},
      {WF_OP_I64_TRUNC_F32_S, 'f', 'l', "i64", "wf_trunc_check_i64_f32"},
      {WF_OP_I64_TRUNC_F32_U, 'f', 'l', "u64", "wf_trunc_check_u64_f32"},
      {WF_OP_I64_TRUNC_F64_S, 'd', 'l', "i64", "wf_trunc_check_i64_f64"},
      {WF_OP_I64_TRUNC_F64_U, 'd', 'l', "u64", "wf_trunc_check_u64_f64"},
  };
  for (u32 i = 0; i < WF_ARRAY_LEN(truncs); i++) {
    if (truncs[i].op != op)
      continue;
    wf_cg_putf(t, "  { %s a = ", wf_cg_ctype_of(truncs[i].from));
    wf_cg_var(g, ip[2], truncs[i].from);
    wf_cg_putf(t, "; int k = %s(a);\n", truncs[i].check);
    wf_cg_putf(t, "    if (WF_UNLIKELY(k)) %s(k == 1 ? %u : %u);\n    ",
               wf_cg_trap_macro(g), (unsigned)WEFT_TRAP_INVALID_CONVERSION,
               (unsigned)WEFT_TRAP_INT_OVERFLOW);
    wf_cg_var(g, ip[1], truncs[i].to);
    wf_cg_putf(t, " = (%s)(%s)a;\n  }\n", wf_cg_ctype_of(truncs[i].to),
               truncs[i].ct);
    return true;
  }
  return false;
}

bool wf_cg_emit_branch(struct cgen *g, const u32 *ops, u32 pc, u32 op) {
  struct text *t = &g->body;
  const u32 *ip = ops + pc;
  static const struct {
    u8 op;
    const char *cast, *c_op;
    char l;
  } cmps[] = {
      {WF_OP_BR_IF_I32_EQ, "", "==", 'i'},
      {WF_OP_BR_IF_I32_NE, "", "!=", 'i'},
      {WF_OP_BR_IF_I32_LT_S, "(i32)", "<", 'i'},
      {WF_OP_BR_IF_I32_LT_U, "", "<", 'i'},
      {WF_OP_BR_IF_I32_GT_S, "(i32)", ">", 'i'},
      {WF_OP_BR_IF_I32_GT_U, "", ">", 'i'},
      {WF_OP_BR_IF_I32_LE_S, "(i32)", "<=", 'i'},
      {WF_OP_BR_IF_I32_LE_U, "", "<=", 'i'},
      {WF_OP_BR_IF_I32_GE_S, "(i32)", ">=", 'i'},
      {WF_OP_BR_IF_I32_GE_U, "", ">=", 'i'},
      {WF_OP_BR_IF_I64_EQ, "", "==", 'l'},
      {WF_OP_BR_IF_I64_NE, "", "!=", 'l'},
      {WF_OP_BR_IF_I64_LT_S, "(i64)", "<", 'l'},
      {WF_OP_BR_IF_I64_LT_U, "", "<", 'l'},
      {WF_OP_BR_IF_I64_GT_S, "(i64)", ">", 'l'},
      {WF_OP_BR_IF_I64_GT_U, "", ">", 'l'},
      {WF_OP_BR_IF_I64_LE_S, "(i64)", "<=", 'l'},
      {WF_OP_BR_IF_I64_LE_U, "", "<=", 'l'},
      {WF_OP_BR_IF_I64_GE_S, "(i64)", ">=", 'l'},
      {WF_OP_BR_IF_I64_GE_U, "", ">=", 'l'},
  };
  for (u32 i = 0; i < WF_ARRAY_LEN(cmps); i++) {
    if (cmps[i].op != op)
      continue;
    wf_cg_putf(t, "  if (%s", cmps[i].cast);
    wf_cg_var(g, ip[1], cmps[i].l);
    wf_cg_putf(t, " %s %s", cmps[i].c_op, cmps[i].cast);
    wf_cg_var(g, ip[2], cmps[i].l);
    wf_cg_put(t, ") ");
    wf_cg_label_ref(g, pc + 3, ops);
    wf_cg_put(t, "\n");
    return true;
  }
  switch (op) {
  case WF_OP_I32_ADD_BR_IF:
  case WF_OP_I32_SUB_BR_IF:
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_put(t, " = ");
    wf_cg_var(g, ip[2], 'i');
    wf_cg_put(t, op == WF_OP_I32_ADD_BR_IF ? " + " : " - ");
    wf_cg_var(g, ip[3], 'i');
    wf_cg_put(t, ";\n  if (");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_put(t, ") ");
    wf_cg_label_ref(g, pc + 4, ops);
    wf_cg_put(t, "\n");
    return true;
  case WF_OP_BR:
    wf_cg_put(t, "  ");
    wf_cg_label_ref(g, pc + 1, ops);
    wf_cg_put(t, "\n");
    return true;
  case WF_OP_BR_IF:
  case WF_OP_BR_UNLESS:
  case WF_OP_BR_IF_I32_EQZ:
  case WF_OP_BR_IF_I64_EQZ:
  case WF_OP_BR_IF_I64_NEZ: {
    char l =
        (op == WF_OP_BR_IF_I64_EQZ || op == WF_OP_BR_IF_I64_NEZ) ? 'l' : 'i';
    bool negate = op == WF_OP_BR_UNLESS || op == WF_OP_BR_IF_I32_EQZ ||
                  op == WF_OP_BR_IF_I64_EQZ;
    wf_cg_put(t, negate ? "  if (!" : "  if (");
    wf_cg_var(g, ip[1], l);
    wf_cg_put(t, ") ");
    wf_cg_label_ref(g, pc + 2, ops);
    wf_cg_put(t, "\n");
    return true;
  }
  case WF_OP_BR_TABLE: {
    u32 n = ip[2];
    wf_cg_put(t, "  switch (");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_put(t, ") {\n");
    for (u32 i = 0; i < n; i++) {
      wf_cg_putf(t, "  case %uu: ", i);
      wf_cg_label_ref(g, pc + 3 + i, ops);
      wf_cg_put(t, "\n");
    }
    wf_cg_put(t, "  default: ");
    wf_cg_label_ref(g, pc + 3 + n, ops);
    wf_cg_put(t, "\n  }\n");
    return true;
  }
  default: return false;
  }
}

/* Argument list "v5i, v6d" of a call whose arguments start at `base`. */
static void call_args(struct cgen *g, const struct wf_functype *ft, u32 base) {
  for (u32 i = 0; i < ft->nparams; i++) {
    wf_cg_put(&g->body, ", ");
    wf_cg_var(g, base + i, wf_cg_letter_of(ft->types[i]));
  }
}

/* Pack arguments into slots `t`, call `how`, unpack results. */
static void slot_call(struct cgen *g, const struct wf_functype *ft, u32 base,
                      const char *how) {
  struct text *t = &g->body;
  u32 n = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
  wf_cg_putf(t, "  { weft_aot_value t[%u];\n", n ? n : 1);
  char lv[16];
  for (u32 i = 0; i < ft->nparams; i++) {
    char l = wf_cg_letter_of(ft->types[i]);
    wf_format(lv, sizeof lv, "t[%u]", i);
    wf_cg_put(t, "    ");
    wf_cg_slot_write_begin(t, l, lv);
    wf_cg_var(g, base + i, l);
    wf_cg_slot_write_end(t, l);
    wf_cg_put(t, "\n");
  }
  wf_cg_putf(t, "    %s;\n", how);
  for (u32 i = 0; i < ft->nresults; i++) {
    char l = wf_cg_letter_of(ft->types[ft->nparams + i]);
    wf_format(lv, sizeof lv, "t[%u]", i);
    wf_cg_put(t, "    ");
    wf_cg_var(g, base + i, l);
    wf_cg_put(t, " = ");
    wf_cg_slot_read(t, l, lv);
    wf_cg_put(t, ";\n");
  }
  wf_cg_put(t, "  }\n");
}

/* A direct call `fn(ctx, args..., &r1...)`, results into base.. */
static void typed_call(struct cgen *g, const struct wf_functype *ft, u32 base,
                       const char *fn, const char *ctx) {
  struct text *t = &g->body;
  wf_cg_put(t, "  {");
  for (u32 i = 1; i < ft->nresults; i++)
    wf_cg_putf(t, " %s r%u;",
               wf_cg_ctype_of(wf_cg_letter_of(ft->types[ft->nparams + i])), i);
  wf_cg_put(t, "\n    ");
  if (ft->nresults) {
    wf_cg_var(g, base, wf_cg_letter_of(ft->types[ft->nparams]));
    wf_cg_put(t, " = ");
  }
  wf_cg_putf(t, "%s(%s", fn, ctx);
  call_args(g, ft, base);
  for (u32 i = 1; i < ft->nresults; i++)
    wf_cg_putf(t, ", &r%u", i);
  wf_cg_put(t, ");\n");
  for (u32 i = 1; i < ft->nresults; i++) {
    wf_cg_put(t, "    ");
    wf_cg_var(g, base + i, wf_cg_letter_of(ft->types[ft->nparams + i]));
    wf_cg_putf(t, " = r%u;\n", i);
  }
  wf_cg_put(t, "  }\n");
}

/* The typed entry's pointer type, as a typedef that keeps the cast
** readable: typedef RET (*fty)(ctx, params..., extra results' pointers). */
static void fty_typedef(struct text *t, const struct wf_functype *ft) {
  wf_cg_put(t, "    typedef ");
  wf_cg_put(t, ft->nresults
                   ? wf_cg_ctype_of(wf_cg_letter_of(ft->types[ft->nparams]))
                   : "void");
  wf_cg_put(t, " (*fty)(weft_aot_ctx *");
  for (u32 i = 0; i < ft->nparams; i++)
    wf_cg_putf(t, ", %s", wf_cg_ctype_of(wf_cg_letter_of(ft->types[i])));
  for (u32 i = 1; i < ft->nresults; i++)
    wf_cg_putf(t, ", %s *",
               wf_cg_ctype_of(wf_cg_letter_of(ft->types[ft->nparams + i])));
  wf_cg_put(t, ");\n");
}

/* The typed call of `fn` (NULL when a table index was out of bounds),
** found through a table or reference, and the test before it; the caller
** adds the runtime's call, for anything else, after the "else". A key
** equal to `key` (the caller's call_key_of[type], weft_aot.h) is AoT code
** of the type and of this instance: called with `c` itself, not
** fn->ctx, so no test of the context, and the callee's loads through its
** context (its memory's base) need not wait for a load at the end of the
** chain table, element, function. An equal low half is AoT code of the
** type in another instance, called with its own context; that test reads
** the key again (a volatile load), or GCC loads it into a register for
** both tests instead of comparing from memory on the fast path (one
** instruction a call; speedtest1: bench/README.md, P12j). */
static void keyed_typed_call(struct cgen *g, const struct wf_functype *ft,
                             u32 base) {
  struct text *t = &g->body;
  fty_typedef(t, ft);
  wf_cg_put(t, "  if (WF_LIKELY(fn != 0 && fn->call_key == key)) {\n");
  typed_call(g, ft, base, "((fty)fn->typed_fn)", "c");
  wf_cg_put(
      t, "  } else if (fn != 0 && (u32) * (volatile const u64 *)&fn->call_key "
         "== (u32)key) {\n");
  typed_call(g, ft, base, "((fty)fn->typed_fn)", "fn->ctx");
  wf_cg_put(t, "  } else\n");
}

/* {====== typed function references: call_ref ==============================
** An AoT callee of the type's signature is called directly through its
** typed entry; anything else (null, another signature, host or
** interpreted functions) goes through the runtime's call_ref, which traps
** or calls. */
static void emit_call_ref(struct cgen *g, const u32 *ip) {
  struct text *t = &g->body;
  const struct wf_functype *ft = &g->m->types[ip[1]];
  char how[160];
  wf_cg_put(t, "  { weft_aot_func *fn = (weft_aot_func *)");
  wf_cg_var(g, ip[3], 'r');
  wf_cg_putf(t, "; u64 key = c->call_key_of[%u];\n", ip[1]);
  keyed_typed_call(g, ft, ip[2]);
  wf_format(how, sizeof how, "c->api->call_ref(c, %uu, fn, t)", ip[1]);
  slot_call(g, ft, ip[2], how);
  wf_cg_put(t, "  }\n");
  wf_cg_after_call(g);
}
/* }====== typed function references ======================================= */

/* A call from a piece to a function it left out (weft_aot_options.only):
** directly through the callee's typed entry when another piece attached
** it, through the runtime (which interprets it) otherwise. */
static void emit_call_elsewhere(struct cgen *g, const struct wf_functype *ft,
                                const u32 *ip) {
  struct text *t = &g->body;
  u32 funcidx = g->m->nfunc_imports + ip[1];
  char how[160];
  wf_cg_putf(t,
             "  { weft_aot_func *fn = c->funcs[%u];\n"
             "  if (WF_LIKELY(fn->typed_fn != 0)) {\n",
             funcidx);
  fty_typedef(t, ft);
  typed_call(g, ft, ip[2], "((fty)fn->typed_fn)", "c");
  wf_cg_put(t, "  } else\n");
  wf_format(how, sizeof how, "c->api->call(c, %uu, t)", funcidx);
  slot_call(g, ft, ip[2], how);
  wf_cg_put(t, "  }\n");
  wf_cg_after_call(g);
}

/* Table `idx` for a call_indirect. Table 0's pointer, which never
** changes, is a local loaded on entry (wf_tb0): read from the context at
** each call, gcc reloads it after every store (no strict aliasing), and
** in a loop of calls (cmark's list sort) that load heads the chain to the
** function, its signature and its context, on every call's path. */
static void put_table(struct cgen *g, u32 idx) {
  if (idx == 0) {
    wf_cg_put(&g->body, "wf_tb0");
    g->table0_used = true;
  } else {
    wf_cg_putf(&g->body, "c->tables[%u]", idx);
  }
}

bool wf_cg_emit_call(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  const struct wf_module *m = g->m;
  char how[160];
  switch (op) {
  case WF_OP_CALL_INTERNAL: {
    const struct wf_functype *ft = &m->types[m->funcs[ip[1]].typeidx];
    char fn[32];
    if (!wf_cg_in_piece(g, ip[1])) {
      emit_call_elsewhere(g, ft, ip);
      return true;
    }
    wf_format(fn, sizeof fn, "%sf%u", g->pfx, ip[1]);
    typed_call(g, ft, ip[2], fn, "c");
    wf_cg_after_call(g);
    return true;
  }
  case WF_OP_CALL: {
    const struct wf_functype *ft = &m->types[wf_module_func_typeidx(m, ip[1])];
    wf_format(how, sizeof how, "c->api->call(c, %uu, t)", ip[1]);
    slot_call(g, ft, ip[2], how);
    wf_cg_after_call(g);
    return true;
  }
  case WF_OP_CALL_REF: emit_call_ref(g, ip); return true;
  case WF_OP_CALL_INDIRECT: {
    const struct wf_functype *ft = &m->types[ip[1]];
    wf_cg_put(t, "  { u32 e = ");
    wf_cg_var(g, ip[4], 'i');
    wf_cg_put(t, "; weft_aot_table *tb = ");
    put_table(g, ip[2]);
    wf_cg_putf(t,
               "; weft_aot_func *fn = 0;\n"
               "  u64 key = c->call_key_of[%u];\n"
               "  if (WF_LIKELY(e < tb->size)) fn = tb->elems[e];\n",
               ip[1]);
    keyed_typed_call(g, ft, ip[3]);
    wf_format(how, sizeof how, "c->api->call_indirect(c, %uu, %uu, e, t)",
              ip[2], ip[1]);
    slot_call(g, ft, ip[3], how);
    wf_cg_put(t, "  }\n");
    wf_cg_after_call(g);
    return true;
  }
  default: return false;
  }
}

/* Return the results held in slots 0..: as C results, or (in a
** trampoline body) in the slot array, with no next body to run. */
static void emit_return(struct cgen *g) {
  struct text *t = &g->body;
  const struct wf_functype *ft = g->type;
  if (g->counting)
    wf_cg_put(t, "  c->depth_left++;\n");
  if (g->in_tail_body) {
    char lv[16];
    for (u32 i = 0; i < ft->nresults; i++) {
      char l = wf_cg_letter_of(ft->types[ft->nparams + i]);
      wf_format(lv, sizeof lv, "s[%u]", i);
      wf_cg_put(t, "  ");
      wf_cg_slot_write_begin(t, l, lv);
      wf_cg_var(g, i, l);
      wf_cg_slot_write_end(t, l);
      wf_cg_put(t, "\n");
    }
    wf_cg_put(t, "  return 0;\n");
    return;
  }
  for (u32 i = 1; i < ft->nresults; i++) {
    wf_cg_putf(t, "  *r%u = ", i);
    wf_cg_var(g, i, wf_cg_letter_of(ft->types[ft->nparams + i]));
    wf_cg_put(t, ";\n");
  }
  if (ft->nresults) {
    wf_cg_put(t, "  return ");
    wf_cg_var(g, 0, wf_cg_letter_of(ft->types[ft->nparams]));
    wf_cg_put(t, ";\n");
  } else {
    wf_cg_put(t, "  return;\n");
  }
}

/* ---- tail calls --------------------------------------------------------
** gcc 12 has no musttail, and sibling-call optimisation is not
** guaranteed, so generated C never relies on it:
** - a function's tail call to itself assigns the arguments to its
**   parameters, zeroes its locals and jumps back to its entry block
**   (`wf_restart`, `wf_start`): a loop, no cost;
** - a function with any other tail call to a function of this module (or
**   an indirect one) is a trampoline body `void *wf_tN(c, s)`: arguments
**   and results in a slot array; a tail call to another trampoline body
**   stores the arguments there and returns that body, which the driver in
**   the typed entry `wf_fN` then runs (`wf_fN` stays the C function
**   everything else calls). Cost: arguments and results go through
**   memory, one indirect call per tail call, one extra frame per entry;
** - a tail call to any other function (imports, other instances, and
**   functions that make no such tail call, so cannot chain) is a call
**   followed by a return: the stack grows by that one call only.
** So mutual tail recursion inside a module runs in constant native stack
** and call depth; modules without tail calls are unchanged. */

/* `s[i] = argument i` for a tail call whose arguments start at `base`. */
void wf_cg_pack_args(struct cgen *g, const struct wf_functype *ft, u32 base) {
  struct text *t = &g->body;
  char lv[16];
  for (u32 i = 0; i < ft->nparams; i++) {
    char l = wf_cg_letter_of(ft->types[i]);
    wf_format(lv, sizeof lv, "s[%u]", i);
    wf_cg_put(t, "    ");
    wf_cg_slot_write_begin(t, l, lv);
    wf_cg_var(g, base + i, l);
    wf_cg_slot_write_end(t, l);
    wf_cg_put(t, "\n");
  }
}

/* Leave this body for trampoline body `def` (arguments at base). */
static void tail_to_body(struct cgen *g, const struct wf_functype *ft, u32 base,
                         u32 def) {
  wf_cg_pack_args(g, ft, base);
  wf_cg_putf(&g->body, "    c->depth_left++;\n    return (void *)%st%u;\n",
             g->pfx, def);
}

/* Each tail call op is followed by code returning the results of a call
** at its argument base (lower.c), so whatever is not entered as a loop or
** a trampoline body is emitted as the plain call. */
bool wf_cg_emit_tail_call(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  const struct wf_module *m = g->m;
  switch (op) {
  case WF_OP_RETURN_CALL: { /* an import */
    u32 sub[3] = {WF_OP_CALL, ip[1], ip[2]};
    g->tail = true;
    bool ok = wf_cg_emit_call(g, sub, WF_OP_CALL);
    g->tail = false;
    return ok;
  }
  case WF_OP_RETURN_CALL_INTERNAL: {
    const struct wf_functype *ft = &m->types[m->funcs[ip[1]].typeidx];
    if (ip[1] == g->def) { /* itself: a jump back to the entry */
      for (u32 i = 0; i < ft->nparams; i++) {
        char l = wf_cg_letter_of(ft->types[i]);
        wf_cg_put(t, "  ");
        wf_cg_var(g, i, l);
        wf_cg_put(t, " = ");
        wf_cg_var(g, ip[2] + i, l);
        wf_cg_put(t, ";\n");
      }
      wf_cg_put(t, "  goto wf_restart;\n");
      g->self_tail = true;
      return true;
    }
    if (g->in_tail_body && g->tail_body[ip[1]]) {
      wf_cg_put(t, "  {\n");
      tail_to_body(g, ft, ip[2], ip[1]);
      wf_cg_put(t, "  }\n");
      return true;
    }
    u32 sub[3] = {WF_OP_CALL_INTERNAL, ip[1], ip[2]};
    g->tail = true;
    bool ok = wf_cg_emit_call(g, sub, WF_OP_CALL_INTERNAL);
    g->tail = false;
    return ok;
  }
  case WF_OP_RETURN_CALL_INDIRECT: {
    /* A trampoline body of this instance with the call's type is entered
    ** through the trampoline; anything else is called. */
    const struct wf_functype *ft = &m->types[ip[1]];
    if (g->in_tail_body) {
      wf_cg_put(t, "  { u32 e = ");
      wf_cg_var(g, ip[4], 'i');
      wf_cg_put(t, "; weft_aot_table *tb = ");
      put_table(g, ip[2]);
      wf_cg_putf(t,
                 "; weft_aot_func *fn;\n"
                 "  if (e < tb->size && (fn = tb->elems[e]) != 0 && "
                 "fn->call_key == c->call_key_of[%u]) {\n",
                 ip[1]);
      /* fn's wf_cg_signature is the call's, so any body found has its type */
      wf_cg_putf(t,
                 "    for (u32 k = 0; k < sizeof %stail_map / sizeof "
                 "*%stail_map; k++)\n"
                 "      if (%stail_map[k].typed == fn->typed_fn) {\n",
                 g->pfx, g->pfx, g->pfx);
      wf_cg_pack_args(g, ft, ip[3]);
      wf_cg_putf(
          t,
          "        c->depth_left++;\n        return %stail_map[k].body;\n"
          "      }\n  } }\n",
          g->pfx);
    }
    u32 sub[5] = {WF_OP_CALL_INDIRECT, ip[1], ip[2], ip[3], ip[4]};
    g->tail = true;
    bool ok = wf_cg_emit_call(g, sub, WF_OP_CALL_INDIRECT);
    g->tail = false;
    return ok;
  }
  case WF_OP_RETURN_CALL_REF: {
    /* as return_call_indirect, the callee being the reference */
    const struct wf_functype *ft = &m->types[ip[1]];
    if (g->in_tail_body) {
      wf_cg_put(t, "  { weft_aot_func *fn = (weft_aot_func *)");
      wf_cg_var(g, ip[3], 'r');
      wf_cg_putf(t,
                 ";\n  if (fn != 0 && fn->call_key == c->call_key_of[%u]) {\n",
                 ip[1]);
      wf_cg_putf(t,
                 "    for (u32 k = 0; k < sizeof %stail_map / sizeof "
                 "*%stail_map; k++)\n"
                 "      if (%stail_map[k].typed == fn->typed_fn) {\n",
                 g->pfx, g->pfx, g->pfx);
      wf_cg_pack_args(g, ft, ip[2]);
      wf_cg_putf(
          t,
          "        c->depth_left++;\n        return %stail_map[k].body;\n"
          "      }\n  } }\n",
          g->pfx);
    }
    u32 sub[4] = {WF_OP_CALL_REF, ip[1], ip[2], ip[3]};
    return wf_cg_emit_call(g, sub, WF_OP_CALL_REF);
  }
  default: return false;
  }
}

/* ==== selects that pick which loaded element to follow (metered) ===== */

/* An integer load from memory 0: a plain one ("dsi": destination,
** address, offset) or one whose address is a sum it computes first
** ("dssdi": sum, its terms, destination, offset). */
static bool is_int_load(u32 op) {
  return (op >= WF_OP_I32_LOAD && op <= WF_OP_I64_LOAD32_U &&
          op != WF_OP_F32_LOAD && op != WF_OP_F64_LOAD) ||
         op == WF_OP_I32_ADD_I32_LOAD || op == WF_OP_I32_ADD_I64_LOAD;
}

static bool adds_first(u32 op) {
  return op == WF_OP_I32_ADD_I32_LOAD || op == WF_OP_I32_ADD_I64_LOAD;
}

static bool slot_in(const u32 *set, u32 n, u32 slot) {
  for (u32 i = 0; i < n; i++)
    if (set[i] == slot)
      return true;
  return false;
}

static u32 slot_drop(u32 *set, u32 n, u32 slot) {
  u32 k = 0;
  for (u32 i = 0; i < n; i++)
    if (set[i] != slot)
      set[k++] = set[i];
  return k;
}

/* Keeps g->loaded: in metered code, the slots that the last integer
** loads since the last label wrote and no op wrote since. */
void wf_cg_note_loaded(struct cgen *g, const u32 *ip) {
  if (!wf_cg_metered(g))
    return;
  g->compared_loads = ip[0] >= WF_OP_I32_EQ && ip[0] <= WF_OP_I32_GE_U &&
                      slot_in(g->loaded, g->nloaded, ip[2]) &&
                      slot_in(g->loaded, g->nloaded, ip[3]);
  const char *lay = op_layout[ip[0]];
  for (u32 k = 0; lay[k]; k++)
    if (lay[k] == 'd')
      g->nloaded = slot_drop(g->loaded, g->nloaded, ip[1 + k]);
  if (!is_int_load(ip[0]))
    return;
  if (g->nloaded == WF_ARRAY_LEN(g->loaded))
    g->nloaded = slot_drop(g->loaded, g->nloaded, g->loaded[0]);
  g->loaded[g->nloaded++] = adds_first(ip[0]) ? ip[4] : ip[1];
}

/* Whether the value `d` that the op at `pc` selects becomes, through
** copies, shifts and adds, the address of a load among the next few ops
** (FUEL ops and labels it falls into are passed over). */
static bool selects_address(const struct cgen *g, u32 pc, u32 d) {
  const u32 *ops = g->code->ops;
  u32 set[4] = {d}, n = 1;
  pc += wf_cg_op_length(ops, pc);
  for (u32 steps = 0; pc < g->code->nops && steps < 8 && n; steps++) {
    const u32 *ip = ops + pc;
    bool sum =
        ip[0] == WF_OP_I32_ADD || ip[0] == WF_OP_I32_SHL || adds_first(ip[0]);
    if (ip[0] != WF_OP_COPY_I32 && !sum && !is_int_load(ip[0])) {
      if (ip[0] != WF_OP_FUEL)
        return false;
      pc += wf_cg_op_length(ops, pc);
      continue;
    }
    bool derived = slot_in(set, n, ip[2]) || (sum && slot_in(set, n, ip[3]));
    if (is_int_load(ip[0]) && derived)
      return true;
    if (is_int_load(ip[0])) {
      n = slot_drop(set, n, ip[1]);
      n = adds_first(ip[0]) ? slot_drop(set, n, ip[4]) : n;
    } else if (derived) {
      if (!slot_in(set, n, ip[1]) && n < WF_ARRAY_LEN(set))
        set[n++] = ip[1];
    } else {
      n = slot_drop(set, n, ip[1]);
    }
    pc += wf_cg_op_length(ops, pc);
  }
  return false;
}

/* Whether the select at g->pc (an i32 "dsss": d a b cond) picks, by a
** comparison of two values just loaded, which of two elements to go on
** with, and the next load's address comes from what it picked: a heap's
** or a tree's descent. Such a select is written as a branch in metered
** code. Unmetered, GCC sees that the load after it reads one of the two
** values already loaded, and branches (it would need two cmovs); metered,
** the fuel test and store between them hide that, so it made a cmov,
** which makes each step's load wait for the compare: a chain of cache
** misses the core cannot run ahead on: heapsort metered took 1.0-2.4x
** its unmetered time, by how busy the host's caches were, and as a
** branch takes what unmetered code takes (bench/README.md, P12i). */
static bool select_as_branch(const struct cgen *g, const u32 *ip) {
  const u32 *ops = g->code->ops;
  if (!wf_cg_metered(g) || ip[0] != WF_OP_SELECT_I32 ||
      g->prev_pc == WF_CG_NO_PC)
    return false;
  return g->compared_loads && ops[g->prev_pc + 1] == ip[4] &&
         selects_address(g, g->pc, ip[1]);
}

/* The select as a branch: the empty asm in one arm keeps GCC from
** making it a cmov again (it does not if-convert across an asm). */
static void emit_select_branch(struct cgen *g, const u32 *ip) {
  struct text *t = &g->body;
  wf_cg_put(t, "  if (");
  wf_cg_var(g, ip[4], 'i');
  wf_cg_put(t, ") ");
  wf_cg_var(g, ip[1], 'i');
  wf_cg_put(t, " = ");
  wf_cg_var(g, ip[2], 'i');
  wf_cg_put(t, ";\n  else {\n    ");
  wf_cg_var(g, ip[1], 'i');
  wf_cg_put(t, " = ");
  wf_cg_var(g, ip[3], 'i');
  wf_cg_put(t, ";\n    __asm__(\"\");\n  }\n");
}

static char global_letter(struct cgen *g, u32 idx) {
  return wf_cg_letter_of(wf_module_global_type(g->m, idx).valtype);
}

bool wf_cg_emit_other(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  static const struct {
    u8 op;
    char l;
  } copies[] = {{WF_OP_COPY_I32, 'i'}, {WF_OP_COPY_I64, 'l'},
                {WF_OP_COPY_F32, 'f'}, {WF_OP_COPY_F64, 'd'},
                {WF_OP_COPY_REF, 'r'}, {WF_OP_COPY_V128, 'v'}},
    selects[] = {{WF_OP_SELECT_I32, 'i'}, {WF_OP_SELECT_I64, 'l'},
                 {WF_OP_SELECT_F32, 'f'}, {WF_OP_SELECT_F64, 'd'},
                 {WF_OP_SELECT_REF, 'r'}, {WF_OP_SELECT_V128, 'v'}};
  for (u32 i = 0; i < WF_ARRAY_LEN(copies); i++) {
    if (copies[i].op == op) {
      wf_cg_put(t, "  ");
      wf_cg_var(g, ip[1], copies[i].l);
      wf_cg_put(t, " = ");
      wf_cg_var(g, ip[2], copies[i].l);
      wf_cg_put(t, ";\n");
      return true;
    }
    if (selects[i].op == op) {
      if ((op == WF_OP_SELECT_I32 || op == WF_OP_SELECT_I64) &&
          emit_select_of_compare(g, ip, selects[i].l))
        return true;
      if (select_as_branch(g, ip)) {
        emit_select_branch(g, ip);
        return true;
      }
      wf_cg_put(t, "  ");
      wf_cg_var(g, ip[1], selects[i].l);
      wf_cg_put(t, " = ");
      wf_cg_var(g, ip[4], 'i');
      wf_cg_put(t, " ? ");
      wf_cg_var(g, ip[2], selects[i].l);
      wf_cg_put(t, " : ");
      wf_cg_var(g, ip[3], selects[i].l);
      wf_cg_put(t, ";\n");
      return true;
    }
  }
  switch (op) {
  case WF_OP_UNREACHABLE:
    wf_cg_put(t, "  ");
    wf_cg_trap(g, WEFT_TRAP_UNREACHABLE);
    wf_cg_put(t, "\n");
    return true;
  case WF_OP_RETURN: emit_return(g); return true;
  case WF_OP_GLOBAL_GET: {
    char l = global_letter(g, ip[2]), lv[32];
    wf_cg_global_cell(g, ip[2], lv, sizeof lv);
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], l);
    wf_cg_put(t, " = ");
    wf_cg_slot_read(t, l, lv);
    wf_cg_put(t, ";\n");
    return true;
  }
  case WF_OP_GLOBAL_SET: {
    char l = global_letter(g, ip[1]), lv[32];
    wf_cg_global_cell(g, ip[1], lv, sizeof lv);
    wf_cg_put(t, "  ");
    wf_cg_slot_write_begin(t, l, lv);
    wf_cg_var(g, ip[2], l);
    wf_cg_slot_write_end(t, l);
    wf_cg_put(t, "\n");
    return true;
  }
  case WF_OP_MEMORY_SIZE:
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_put(t, " = (u32)(c->memory->size >> 16);\n");
    return true;
  case WF_OP_MEMORY_GROW:
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_put(t, " = (u32)c->api->memory_grow(c, ");
    wf_cg_var(g, ip[2], 'i');
    wf_cg_put(t, ");\n");
    wf_cg_after_call(g);
    return true;
  case WF_OP_MEMORY_FILL:
  case WF_OP_MEMORY_COPY:
    wf_cg_put(t, "  { u64 d = ");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_put(t, ", s = ");
    wf_cg_var(g, ip[2], 'i');
    wf_cg_put(t, ", n = ");
    wf_cg_var(g, ip[3], 'i');
    wf_cg_put(t, ";\n");
    if (wf_cg_metered(g))
      /* Long ones go in pieces the fuel hook may stop (runtime/bulk.c). */
      wf_cg_putf(
          t,
          "    if (WF_UNLIKELY(n > WEFT_BULK_PIECE)) { "
          "*wf_fuel_at = wf_fuel; c->api->%s(c, (u32)d, (u32)s, (u32)n); "
          "wf_fuel = *wf_fuel_at; } else {\n",
          op == WF_OP_MEMORY_FILL ? "memory_fill" : "memory_copy");
    if (op == WF_OP_MEMORY_FILL) {
      wf_cg_putf(t, "    if (d + n > c->memory->size) TRAP(%u);\n",
                 (unsigned)WEFT_TRAP_MEMORY_OOB);
      wf_cg_charge_bulk(g);
      wf_cg_put(t, "    __builtin_memset(mem + d, (int)(u8)s, (size_t)n); }\n");
      if (wf_cg_metered(g))
        wf_cg_put(t, "  }\n");
    } else {
      wf_cg_putf(t,
                 "    if (d + n > c->memory->size || s + n > c->memory->size) "
                 "TRAP(%u);\n",
                 (unsigned)WEFT_TRAP_MEMORY_OOB);
      wf_cg_charge_bulk(g);
      wf_cg_put(t, "    __builtin_memmove(mem + d, mem + s, (size_t)n); }\n");
      if (wf_cg_metered(g))
        wf_cg_put(t, "  }\n");
    }
    return true;
  case WF_OP_MEMORY_INIT:
    wf_cg_putf(t, "  c->api->memory_init(c, %uu, ", ip[1]);
    wf_cg_var(g, ip[2], 'i');
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[3], 'i');
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[4], 'i');
    wf_cg_put(t, ");\n");
    wf_cg_reload_fuel(g);
    return true;
  case WF_OP_DATA_DROP:
    wf_cg_putf(t, "  c->api->data_drop(c, %uu);\n", ip[1]);
    return true;
  case WF_OP_ELEM_DROP:
    wf_cg_putf(t, "  c->api->elem_drop(c, %uu);\n", ip[1]);
    return true;
  case WF_OP_TABLE_GET:
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'r');
    wf_cg_putf(t, " = c->api->table_get(c, %uu, ", ip[2]);
    wf_cg_var(g, ip[3], 'i');
    wf_cg_put(t, ");\n");
    return true;
  case WF_OP_TABLE_SET:
    wf_cg_putf(t, "  c->api->table_set(c, %uu, ", ip[1]);
    wf_cg_var(g, ip[2], 'i');
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[3], 'r');
    wf_cg_put(t, ");\n");
    return true;
  case WF_OP_TABLE_SIZE:
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_putf(t, " = c->tables[%u]->size;\n", ip[2]);
    return true;
  case WF_OP_TABLE_GROW:
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_putf(t, " = (u32)c->api->table_grow(c, %uu, ", ip[2]);
    wf_cg_var(g, ip[3], 'r');
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[4], 'i');
    wf_cg_put(t, ");\n");
    wf_cg_reload_fuel(g);
    return true;
  case WF_OP_TABLE_FILL:
    wf_cg_putf(t, "  c->api->table_fill(c, %uu, ", ip[1]);
    wf_cg_var(g, ip[2], 'i');
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[3], 'r');
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[4], 'i');
    wf_cg_put(t, ");\n");
    wf_cg_reload_fuel(g);
    return true;
  case WF_OP_TABLE_COPY:
  case WF_OP_TABLE_INIT:
    wf_cg_putf(t, "  c->api->%s(c, %uu, %uu, ",
               op == WF_OP_TABLE_COPY ? "table_copy" : "table_init", ip[1],
               ip[2]);
    wf_cg_var(g, ip[3], 'i');
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[4], 'i');
    wf_cg_put(t, ", ");
    wf_cg_var(g, ip[5], 'i');
    wf_cg_put(t, ");\n");
    wf_cg_reload_fuel(g);
    return true;
  case WF_OP_REF_AS_NON_NULL: /* typed function references */
    wf_cg_put(t, "  if (WF_UNLIKELY(");
    wf_cg_var(g, ip[1], 'r');
    wf_cg_putf(t, " == 0)) TRAP(%u);\n", (unsigned)WEFT_TRAP_NULL_REF);
    return true;
  case WF_OP_REF_IS_NULL:
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'i');
    wf_cg_put(t, " = ");
    wf_cg_var(g, ip[2], 'r');
    wf_cg_put(t, " == 0;\n");
    return true;
  case WF_OP_REF_FUNC:
    wf_cg_put(t, "  ");
    wf_cg_var(g, ip[1], 'r');
    wf_cg_putf(t, " = (void *)c->funcs[%u];\n", ip[2]);
    return true;
  default: return false;
  }
}
