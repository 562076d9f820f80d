/*
** cgen.c — ahead-of-time code generation: a validated module to C. Each
** function is lowered again to internal code (the interpreter's own IR, op
** numbers rather than dispatch offsets) and every internal instruction
** becomes a C statement: frame slots become typed C locals, branches become
** gotos, constants become literals. The C compiler sees plain code: memory
** base kept in a local, direct calls between functions, no barriers.
** Pure: writes text through a callback, touches no files.
*/
#include <stdarg.h>

#include "../interp/ir.h"
#include "../runtime/runtime.h"

extern const char wf_aot_prelude[]; /* generated from prelude.h etc. */

/* Operand layouts (see ops.def); numeric.def ops are "ds" or "dss". */
static const char *const op_layout[WF_OP_COUNT] = {
#define OP(name, layout) [WF_OP_##name] = layout,
#define UN(name, opc, ta, tr, e) [WF_OP_##name] = "ds",
#define BIN(name, opc, ta, tr, e) [WF_OP_##name] = "dss",
#include "../interp/ops.def"
#include "../interp/numeric.def"
#undef OP
#undef UN
#undef BIN
#define SIMD_OP(name, layout) [WF_OP_##name] = layout,
#include "../interp/simd_each.h"
#undef SIMD_OP
};

/* ---- output ----------------------------------------------------------- */

struct text {
  struct wf_alloc *a;
  char *buf;
  size_t len, cap;
  bool failed;
};

static void put_n(struct text *t, const char *s, size_t n) {
  if (t->failed)
    return;
  if (t->len + n > t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 4096;
    while (ncap < t->len + n)
      ncap *= 2;
    char *p = wf_alloc_resize(t->a, t->buf, t->cap, ncap);
    if (!p) {
      t->failed = true;
      return;
    }
    t->buf = p;
    t->cap = ncap;
  }
  memcpy(t->buf + t->len, s, n);
  t->len += n;
}

static void put(struct text *t, const char *s) { put_n(t, s, strlen(s)); }

static void putf(struct text *t, const char *fmt, ...) WF_PRINTF(2, 3);
static void putf(struct text *t, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  size_t n = wf_format_va(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  put_n(t, tmp, n < sizeof tmp ? n : sizeof tmp - 1);
}

/* ---- per-function state ----------------------------------------------- */

enum { T_I = 1, T_L = 2, T_F = 4, T_D = 8, T_R = 16, T_V = 32 };

struct cgen {
  struct wf_alloc *a;
  const weft_module *mod;
  const struct wf_module *m;
  const weft_aot_options *opts;
  weft_error *err;
  struct text body;
  const struct wf_code *code;
  const struct wf_functype *type;
  u8 *used;      /* per slot: T_* bits of the C variables it needs */
  u8 *is_target; /* per code index: a branch lands here */
  bool has_memory;
  bool leaf; /* calls nothing and has a small frame: no depth accounting */
  /* Tail calls (see "tail calls" below). */
  u8 *tail_body;     /* per defined function: emitted as a trampoline body */
  u32 tail_slots;    /* slots of the trampoline's argument/result array */
  u32 def;           /* the function being emitted */
  bool in_tail_body; /* it is emitted as wf_tN (returns the next body) */
  bool self_tail;    /* it tail-calls itself: a wf_restart block */
  /* Exception handling (see "exceptions" below). */
  bool eh;    /* the module throws or catches: calls check c->exn */
  u32 pc;     /* code index of the op being emitted */
  u32 *sites; /* code indices whose unwinding is emitted (wf_xN) */
  u32 nsites, sites_cap;
  u8 *caught; /* per handler: its catch block (wf_cN) is referenced */
  bool tail;  /* emitting a tail call made as a call: the frame is gone
                 for its exceptions, which leave the function */
};

static char letter_of(u8 valtype) {
  switch (valtype) {
  case WF_I32: return 'i';
  case WF_I64: return 'l';
  case WF_F32: return 'f';
  case WF_F64: return 'd';
  case WF_V128: return 'v';
  default: return 'r';
  }
}

static const char *ctype_of(char letter) {
  switch (letter) {
  case 'i': return "u32";
  case 'l': return "u64";
  case 'f': return "f32";
  case 'd': return "f64";
  case 'v': return "wf_v128";
  default: return "void *";
  }
}

static const char *member_of(char letter) {
  switch (letter) {
  case 'i': return "u32";
  case 'l': return "u64";
  case 'f': return "f32";
  case 'd': return "f64";
  case 'v': return "v128";
  default: return "ref";
  }
}

static u8 bit_of(char letter) {
  switch (letter) {
  case 'i': return T_I;
  case 'l': return T_L;
  case 'f': return T_F;
  case 'd': return T_D;
  case 'v': return T_V;
  default: return T_R;
  }
}

/* A weft_aot_value lvalue `lv` read as `letter` (v128 lives as bytes). */
static void slot_read(struct text *t, char letter, const char *lv) {
  if (letter == 'v')
    putf(t, "wf_v128_load(%s.v128)", lv);
  else
    putf(t, "%s.%s", lv, member_of(letter));
}

/* `lv = <value>;` around a value the caller emits in between. */
static void slot_write_begin(struct text *t, char letter, const char *lv) {
  if (letter == 'v')
    putf(t, "wf_v128_store(%s.v128, ", lv);
  else
    putf(t, "%s.%s = ", lv, member_of(letter));
}
static void slot_write_end(struct text *t, char letter) {
  put(t, letter == 'v' ? ");" : ";");
}

static bool is_const_slot(const struct cgen *g, u32 slot) {
  return slot >= g->code->nlocal_slots &&
         slot < g->code->nlocal_slots + g->code->nconsts;
}

/* The C expression for `slot` read (or written) as `letter`. */
static void var(struct cgen *g, u32 slot, char letter) {
  struct text *t = &g->body;
  if (is_const_slot(g, slot)) {
    weft_slot s = g->code->consts[slot - g->code->nlocal_slots];
    switch (letter) {
    case 'i': putf(t, "0x%xu", s.u32); return;
    case 'l': putf(t, "0x%llxull", (unsigned long long)s.u64); return;
    case 'f': putf(t, "wf_bits_f32(0x%xu)", s.u32); return;
    case 'd':
      putf(t, "wf_bits_f64(0x%llxull)", (unsigned long long)s.u64);
      return;
    case 'v':
      put(t, "wf_v128_load((const u8[16]){");
      for (u32 i = 0; i < 16; i++)
        putf(t, "%s0x%x", i ? ", " : "", s.v128[i]);
      put(t, "})");
      return;
    default: put(t, "((void *)0)"); return;
    }
  }
  g->used[slot] |= bit_of(letter);
  char name[32];
  wf_format(name, sizeof name, "v%u%c", slot, letter);
  put(t, name);
}

/* Reads and writes through a numeric.def member name. */
static char member_letter(const char *member) {
  if (member[0] == 'f' || member[0] == 'b')
    return member[1] == '3' ? 'f' : 'd';
  return member[1] == '3' ? 'i' : 'l';
}

static const char *member_ctype(const char *member) {
  if (!strcmp(member, "b32"))
    return "u32";
  if (!strcmp(member, "b64"))
    return "u64";
  return member; /* i32 u32 i64 u64 f32 f64 are typedefs in the prelude */
}

static void read_member(struct cgen *g, u32 slot, const char *member) {
  struct text *t = &g->body;
  char l = member_letter(member);
  if (!strcmp(member, "b32") || !strcmp(member, "b64")) {
    put(t, l == 'f' ? "wf_f32_bits(" : "wf_f64_bits(");
    var(g, slot, l);
    put(t, ")");
  } else if (!strcmp(member, "i32") || !strcmp(member, "i64")) {
    putf(t, "(%s)", member);
    var(g, slot, l);
  } else {
    var(g, slot, l);
  }
}

/* `dst = <expr already in text as "r">` with the member's conversion. */
static void write_member_r(struct cgen *g, u32 slot, const char *member) {
  struct text *t = &g->body;
  char l = member_letter(member);
  put(t, "    ");
  var(g, slot, l);
  if (!strcmp(member, "b32"))
    put(t, " = wf_bits_f32((u32)r);\n");
  else if (!strcmp(member, "b64"))
    put(t, " = wf_bits_f64((u64)r);\n");
  else
    putf(t, " = (%s)r;\n", ctype_of(l));
}

static void label_ref(struct cgen *g, u32 field, const u32 *ops) {
  u32 target = (u32)((i32)field + (i32)ops[field]);
  putf(&g->body, "goto L%u;", target);
}

static void trap(struct cgen *g, weft_trap kind) {
  putf(&g->body, "TRAP(%u);", (unsigned)kind);
}

/* After a call or memory.grow the memory may have moved or grown. With
** guard pages it cannot move and code never reads its size, so nothing
** needs reloading. */
static void reload_memory(struct cgen *g) {
  if (g->has_memory && g->opts->explicit_bounds_checks)
    put(&g->body, "    mem = c->memory->data; msz = c->memory->size;\n");
}

static bool metered(const struct cgen *g) {
  return g->mod->engine->config.fuel_metering != 0;
}

/* After a runtime entry point that may have charged fuel (bulk.c). */
static void reload_fuel(struct cgen *g) {
  if (metered(g))
    put(&g->body, "    wf_fuel = *wf_fuel_at;\n");
}

/* After a call that may run Wasm code: memory as above, and the callee's
** fuel use (a function keeps the fuel in a local so blocks charge it
** without reloading through the context). */
static void exn_check(struct cgen *g);

static void after_call(struct cgen *g) {
  reload_memory(g);
  reload_fuel(g);
  exn_check(g);
}

/* memory.fill/copy of n bytes, inline: the fuel runtime/bulk.c charges
** for the other bulk operations, at the same point (after the bounds
** check, before the work), through the same refuel path as a block. */
static void charge_bulk(struct cgen *g) {
  if (metered(g))
    put(&g->body,
        "    { int64_t need = (int64_t)WEFT_FUEL_BULK(n, "
        "WEFT_FUEL_BULK_BYTES);\n"
        "      if (WF_UNLIKELY(wf_fuel < need)) { *wf_fuel_at = wf_fuel; "
        "c->api->refuel(c, need); wf_fuel = *wf_fuel_at; }\n"
        "      wf_fuel -= need; *wf_fuel_at = wf_fuel; }\n");
}

/* ---- instructions ----------------------------------------------------- */

static bool emit_numeric(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  switch (op) {
#define UN(name, opc, ta, tr, e)                                               \
  case WF_OP_##name:                                                           \
    putf(t, "  { %s a = ", member_ctype(#ta));                                 \
    read_member(g, ip[2], #ta);                                                \
    putf(t, "; %s r = (%s)(" #e ");\n", member_ctype(#tr), member_ctype(#tr)); \
    write_member_r(g, ip[1], #tr);                                             \
    put(t, "  }\n");                                                           \
    return true;
#define BIN(name, opc, ta, tr, e)                                              \
  case WF_OP_##name:                                                           \
    putf(t, "  { %s a = ", member_ctype(#ta));                                 \
    read_member(g, ip[2], #ta);                                                \
    putf(t, "; %s b = ", member_ctype(#ta));                                   \
    read_member(g, ip[3], #ta);                                                \
    putf(t, "; %s r = (%s)(" #e ");\n", member_ctype(#tr), member_ctype(#tr)); \
    write_member_r(g, ip[1], #tr);                                             \
    put(t, "  }\n");                                                           \
    return true;
#include "../interp/numeric.def"
#undef UN
#undef BIN
  default: return false;
  }
}

/* Effective address of (slot + offset) as `ea`, checked when asked. */
static void address(struct cgen *g, u32 addr_slot, u32 offset, u32 width) {
  struct text *t = &g->body;
  put(t, "    u64 ea = (u64)");
  var(g, addr_slot, 'i');
  putf(t, " + %uu;\n", offset);
  if (g->opts->explicit_bounds_checks)
    putf(t, "    if (WF_UNLIKELY(ea + %u > msz)) TRAP(%u);\n", width,
         (unsigned)WEFT_TRAP_MEMORY_OOB);
}

struct mem_access {
  u8 op;
  u8 width;
  char letter;      /* C variable of the value */
  const char *load; /* load: conversion of `raw`; store: statement over p, v */
};

/* Loads read `raw` (an unsigned integer of the access width), then convert. */
static const struct mem_access loads[] = {
    {WF_OP_I32_LOAD, 4, 'i', "raw"},
    {WF_OP_I64_LOAD, 8, 'l', "raw"},
    {WF_OP_F32_LOAD, 4, 'f', "wf_ldf32(p)"},
    {WF_OP_F64_LOAD, 8, 'd', "wf_ldf64(p)"},
    {WF_OP_I32_LOAD8_S, 1, 'i', "(u32)(i32)(i8)raw"},
    {WF_OP_I32_LOAD8_U, 1, 'i', "(u32)raw"},
    {WF_OP_I32_LOAD16_S, 2, 'i', "(u32)(i32)(i16)raw"},
    {WF_OP_I32_LOAD16_U, 2, 'i', "(u32)raw"},
    {WF_OP_I64_LOAD8_S, 1, 'l', "(u64)(i64)(i8)raw"},
    {WF_OP_I64_LOAD8_U, 1, 'l', "(u64)raw"},
    {WF_OP_I64_LOAD16_S, 2, 'l', "(u64)(i64)(i16)raw"},
    {WF_OP_I64_LOAD16_U, 2, 'l', "(u64)raw"},
    {WF_OP_I64_LOAD32_S, 4, 'l', "(u64)(i64)(i32)raw"},
    {WF_OP_I64_LOAD32_U, 4, 'l', "(u64)raw"},
};

static const char *raw_load(u32 width) {
  switch (width) {
  case 1: return "u8 raw = *p;";
  case 2: return "u16 raw = wf_ld16(p);";
  case 4: return "u32 raw = wf_ld32(p);";
  default: return "u64 raw = wf_ld64(p);";
  }
}

static const struct mem_access stores[] = {
    {WF_OP_I32_STORE, 4, 'i', "wf_st32(p, v)"},
    {WF_OP_I64_STORE, 8, 'l', "wf_st64(p, v)"},
    {WF_OP_F32_STORE, 4, 'f', "wf_stf32(p, v)"},
    {WF_OP_F64_STORE, 8, 'd', "wf_stf64(p, v)"},
    {WF_OP_I32_STORE8, 1, 'i', "*p = (u8)v"},
    {WF_OP_I32_STORE16, 2, 'i', "wf_st16(p, (u16)v)"},
    {WF_OP_I64_STORE8, 1, 'l', "*p = (u8)v"},
    {WF_OP_I64_STORE16, 2, 'l', "wf_st16(p, (u16)v)"},
    {WF_OP_I64_STORE32, 4, 'l', "wf_st32(p, (u32)v)"},
};

/* Ends an inline memory.fill/copy's block: with guard pages a fence (see
** WF_STORE_FENCE), so a later faulting access cannot overtake it. */
static const char *fence(const struct cgen *g) {
  return g->opts->explicit_bounds_checks ? " }\n" : " WF_STORE_FENCE(); }\n";
}

static bool emit_memory_access(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  for (u32 i = 0; i < WF_ARRAY_LEN(loads); i++) {
    if (loads[i].op != op)
      continue;
    put(t, "  {\n");
    address(g, ip[2], ip[3], loads[i].width);
    bool fp = loads[i].letter == 'f' || loads[i].letter == 'd';
    putf(t, "    const u8 *p = mem + ea;%s%s\n    ", fp ? "" : " ",
         fp ? "" : raw_load(loads[i].width));
    var(g, ip[1], loads[i].letter);
    putf(t, " = %s;\n", loads[i].load);
    /* With guard pages the access itself is the bounds check, so it must
    ** happen even when the value is unused: pin it (a compiler may delete
    ** a load whose result it can prove irrelevant). */
    if (!g->opts->explicit_bounds_checks) {
      put(t, fp ? "    WF_PIN_F(" : "    WF_PIN(");
      var(g, ip[1], loads[i].letter);
      put(t, ");\n");
    }
    put(t, "  }\n");
    return true;
  }
  for (u32 i = 0; i < WF_ARRAY_LEN(stores); i++) {
    if (stores[i].op != op)
      continue;
    put(t, "  {\n");
    address(g, ip[1], ip[3], stores[i].width);
    putf(t, "    u8 *p = mem + ea; %s v = ", ctype_of(stores[i].letter));
    var(g, ip[2], stores[i].letter);
    putf(t, ";\n    %s;\n", stores[i].load);
    /* With guard pages a later access may fault: keep it after this. */
    if (!g->opts->explicit_bounds_checks)
      put(t, "    WF_STORE_FENCE();\n");
    put(t, "  }\n");
    return true;
  }
  return false;
}

/* Fused "i32.add then load": d = a + b, d2 = load[d + off]. */
static bool emit_fused(struct cgen *g, const u32 *ip, u32 op) {
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
    put(t, "  ");
    var(g, ip[1], 'i');
    put(t, " = ");
    var(g, ip[2], 'i');
    put(t, " + ");
    var(g, ip[3], 'i');
    put(t, ";\n");
    u32 sub[4] = {0, ip[4], ip[1], ip[5]}; /* as a plain load */
    return emit_memory_access(g, sub, add_loads[i].load);
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
    put(t, "  ");
    var(g, ip[1], 'd');
    put(t, " = ");
    var(g, ip[2], 'd');
    putf(t, " %s ", arith_stores[i].c_op);
    var(g, ip[3], 'd');
    put(t, ";\n");
    u32 sub[4] = {0, ip[4], ip[1], ip[5]}; /* as a plain f64 store */
    return emit_memory_access(g, sub, WF_OP_F64_STORE);
  }
  return false;
}

static bool emit_trapping(struct cgen *g, const u32 *ip, u32 op) {
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
    putf(t, "  { %s a = (%s)", divs[i].ct, divs[i].ct);
    var(g, ip[2], l);
    putf(t, "; %s b = (%s)", divs[i].ct, divs[i].ct);
    var(g, ip[3], l);
    putf(t, ";\n    if (WF_UNLIKELY(b == 0)) TRAP(%u);\n",
         (unsigned)WEFT_TRAP_DIV_ZERO);
    const char *min = l == 'i' ? "INT32_MIN" : "INT64_MIN";
    put(t, "    ");
    var(g, ip[1], l);
    if (divs[i].is_signed && !divs[i].rem) {
      putf(t, " = 0;\n    if (WF_UNLIKELY(a == %s && b == -1)) TRAP(%u);\n    ",
           min, (unsigned)WEFT_TRAP_INT_OVERFLOW);
      var(g, ip[1], l);
      putf(t, " = (%s)(a / b);\n  }\n", ctype_of(l));
    } else if (divs[i].is_signed) {
      putf(t, " = (%s)(b == -1 ? 0 : a %% b);\n  }\n", ctype_of(l));
    } else {
      putf(t, " = a %s b;\n  }\n", divs[i].c_op);
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
    putf(t, "  { %s a = ", ctype_of(truncs[i].from));
    var(g, ip[2], truncs[i].from);
    putf(t, "; int k = %s(a);\n", truncs[i].check);
    putf(t, "    if (WF_UNLIKELY(k)) TRAP(k == 1 ? %u : %u);\n    ",
         (unsigned)WEFT_TRAP_INVALID_CONVERSION,
         (unsigned)WEFT_TRAP_INT_OVERFLOW);
    var(g, ip[1], truncs[i].to);
    putf(t, " = (%s)(%s)a;\n  }\n", ctype_of(truncs[i].to), truncs[i].ct);
    return true;
  }
  return false;
}

static bool emit_branch(struct cgen *g, const u32 *ops, u32 pc, u32 op) {
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
    putf(t, "  if (%s", cmps[i].cast);
    var(g, ip[1], cmps[i].l);
    putf(t, " %s %s", cmps[i].c_op, cmps[i].cast);
    var(g, ip[2], cmps[i].l);
    put(t, ") ");
    label_ref(g, pc + 3, ops);
    put(t, "\n");
    return true;
  }
  switch (op) {
  case WF_OP_I32_ADD_BR_IF:
  case WF_OP_I32_SUB_BR_IF:
    put(t, "  ");
    var(g, ip[1], 'i');
    put(t, " = ");
    var(g, ip[2], 'i');
    put(t, op == WF_OP_I32_ADD_BR_IF ? " + " : " - ");
    var(g, ip[3], 'i');
    put(t, ";\n  if (");
    var(g, ip[1], 'i');
    put(t, ") ");
    label_ref(g, pc + 4, ops);
    put(t, "\n");
    return true;
  case WF_OP_BR:
    put(t, "  ");
    label_ref(g, pc + 1, ops);
    put(t, "\n");
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
    put(t, negate ? "  if (!" : "  if (");
    var(g, ip[1], l);
    put(t, ") ");
    label_ref(g, pc + 2, ops);
    put(t, "\n");
    return true;
  }
  case WF_OP_BR_TABLE: {
    u32 n = ip[2];
    put(t, "  switch (");
    var(g, ip[1], 'i');
    put(t, ") {\n");
    for (u32 i = 0; i < n; i++) {
      putf(t, "  case %uu: ", i);
      label_ref(g, pc + 3 + i, ops);
      put(t, "\n");
    }
    put(t, "  default: ");
    label_ref(g, pc + 3 + n, ops);
    put(t, "\n  }\n");
    return true;
  }
  default: return false;
  }
}

/* Argument list "v5i, v6d" of a call whose arguments start at `base`. */
static void call_args(struct cgen *g, const struct wf_functype *ft, u32 base) {
  for (u32 i = 0; i < ft->nparams; i++) {
    put(&g->body, ", ");
    var(g, base + i, letter_of(ft->types[i]));
  }
}

/* Pack arguments into slots `t`, call `how`, unpack results. */
static void slot_call(struct cgen *g, const struct wf_functype *ft, u32 base,
                      const char *how) {
  struct text *t = &g->body;
  u32 n = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
  putf(t, "  { weft_aot_value t[%u];\n", n ? n : 1);
  char lv[16];
  for (u32 i = 0; i < ft->nparams; i++) {
    char l = letter_of(ft->types[i]);
    wf_format(lv, sizeof lv, "t[%u]", i);
    put(t, "    ");
    slot_write_begin(t, l, lv);
    var(g, base + i, l);
    slot_write_end(t, l);
    put(t, "\n");
  }
  putf(t, "    %s;\n", how);
  for (u32 i = 0; i < ft->nresults; i++) {
    char l = letter_of(ft->types[ft->nparams + i]);
    wf_format(lv, sizeof lv, "t[%u]", i);
    put(t, "    ");
    var(g, base + i, l);
    put(t, " = ");
    slot_read(t, l, lv);
    put(t, ";\n");
  }
  put(t, "  }\n");
}

/* A direct call `fn(ctx, args..., &r1...)`, results into base.. */
static void typed_call(struct cgen *g, const struct wf_functype *ft, u32 base,
                       const char *fn, const char *ctx) {
  struct text *t = &g->body;
  put(t, "  {");
  for (u32 i = 1; i < ft->nresults; i++)
    putf(t, " %s r%u;", ctype_of(letter_of(ft->types[ft->nparams + i])), i);
  put(t, "\n    ");
  if (ft->nresults) {
    var(g, base, letter_of(ft->types[ft->nparams]));
    put(t, " = ");
  }
  putf(t, "%s(%s", fn, ctx);
  call_args(g, ft, base);
  for (u32 i = 1; i < ft->nresults; i++)
    putf(t, ", &r%u", i);
  put(t, ");\n");
  for (u32 i = 1; i < ft->nresults; i++) {
    put(t, "    ");
    var(g, base + i, letter_of(ft->types[ft->nparams + i]));
    putf(t, " = r%u;\n", i);
  }
  put(t, "  }\n");
}

/* {====== typed function references: call_ref ==============================
** An AoT callee of the type's signature is called directly through its
** typed entry; anything else (null, another signature, host or interpreted
** functions) goes through the runtime's call_ref, which traps or calls. */
static void emit_call_ref(struct cgen *g, const u32 *ip) {
  struct text *t = &g->body;
  const struct wf_functype *ft = &g->m->types[ip[1]];
  char how[160];
  put(t, "  { weft_aot_func *fn = (weft_aot_func *)");
  var(g, ip[3], 'r');
  putf(t,
       ";\n  if (WF_LIKELY(fn != 0 && fn->sig == c->type_sigs[%u] && "
       "fn->typed_fn)) {\n",
       ip[1]);
  put(t, "    typedef ");
  put(t, ft->nresults ? ctype_of(letter_of(ft->types[ft->nparams])) : "void");
  put(t, " (*fty)(weft_aot_ctx *");
  for (u32 i = 0; i < ft->nparams; i++)
    putf(t, ", %s", ctype_of(letter_of(ft->types[i])));
  for (u32 i = 1; i < ft->nresults; i++)
    putf(t, ", %s *", ctype_of(letter_of(ft->types[ft->nparams + i])));
  put(t, ");\n");
  typed_call(g, ft, ip[2], "((fty)fn->typed_fn)", "fn->ctx");
  put(t, "  } else\n");
  wf_format(how, sizeof how, "c->api->call_ref(c, %uu, fn, t)", ip[1]);
  slot_call(g, ft, ip[2], how);
  put(t, "  }\n");
  after_call(g);
}
/* }====== typed function references ======================================= */

static bool emit_call(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  const struct wf_module *m = g->m;
  char how[160];
  switch (op) {
  case WF_OP_CALL_INTERNAL: {
    const struct wf_functype *ft = &m->types[m->funcs[ip[1]].typeidx];
    char fn[32];
    wf_format(fn, sizeof fn, "wf_f%u", ip[1]);
    typed_call(g, ft, ip[2], fn, "c");
    after_call(g);
    return true;
  }
  case WF_OP_CALL: {
    const struct wf_functype *ft = &m->types[wf_module_func_typeidx(m, ip[1])];
    wf_format(how, sizeof how, "c->api->call(c, %uu, t)", ip[1]);
    slot_call(g, ft, ip[2], how);
    after_call(g);
    return true;
  }
  case WF_OP_CALL_REF: emit_call_ref(g, ip); return true;
  case WF_OP_CALL_INDIRECT: {
    const struct wf_functype *ft = &m->types[ip[1]];
    put(t, "  { u32 e = ");
    var(g, ip[4], 'i');
    putf(t, "; weft_aot_table *tb = c->tables[%u]; weft_aot_func *fn;\n",
         ip[2]);
    putf(t,
         "  if (WF_LIKELY(e < tb->size && (fn = tb->elems[e]) != 0 && "
         "fn->sig == c->type_sigs[%u] && fn->typed_fn)) {\n",
         ip[1]);
    /* A typedef keeps the cast readable: RET (*fty)(ctx, ...). */
    put(t, "    typedef ");
    put(t, ft->nresults ? ctype_of(letter_of(ft->types[ft->nparams])) : "void");
    put(t, " (*fty)(weft_aot_ctx *");
    for (u32 i = 0; i < ft->nparams; i++)
      putf(t, ", %s", ctype_of(letter_of(ft->types[i])));
    for (u32 i = 1; i < ft->nresults; i++)
      putf(t, ", %s *", ctype_of(letter_of(ft->types[ft->nparams + i])));
    put(t, ");\n");
    typed_call(g, ft, ip[3], "((fty)fn->typed_fn)", "fn->ctx");
    put(t, "  } else\n");
    wf_format(how, sizeof how, "c->api->call_indirect(c, %uu, %uu, e, t)",
              ip[2], ip[1]);
    slot_call(g, ft, ip[3], how);
    put(t, "  }\n");
    after_call(g);
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
  if (!g->leaf)
    put(t, "  c->depth--;\n");
  if (g->in_tail_body) {
    char lv[16];
    for (u32 i = 0; i < ft->nresults; i++) {
      char l = letter_of(ft->types[ft->nparams + i]);
      wf_format(lv, sizeof lv, "s[%u]", i);
      put(t, "  ");
      slot_write_begin(t, l, lv);
      var(g, i, l);
      slot_write_end(t, l);
      put(t, "\n");
    }
    put(t, "  return 0;\n");
    return;
  }
  for (u32 i = 1; i < ft->nresults; i++) {
    putf(t, "  *r%u = ", i);
    var(g, i, letter_of(ft->types[ft->nparams + i]));
    put(t, ";\n");
  }
  if (ft->nresults) {
    put(t, "  return ");
    var(g, 0, letter_of(ft->types[ft->nparams]));
    put(t, ";\n");
  } else {
    put(t, "  return;\n");
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
static void pack_args(struct cgen *g, const struct wf_functype *ft, u32 base) {
  struct text *t = &g->body;
  char lv[16];
  for (u32 i = 0; i < ft->nparams; i++) {
    char l = letter_of(ft->types[i]);
    wf_format(lv, sizeof lv, "s[%u]", i);
    put(t, "    ");
    slot_write_begin(t, l, lv);
    var(g, base + i, l);
    slot_write_end(t, l);
    put(t, "\n");
  }
}

/* Leave this body for trampoline body `def` (arguments at base). */
static void tail_to_body(struct cgen *g, const struct wf_functype *ft, u32 base,
                         u32 def) {
  pack_args(g, ft, base);
  putf(&g->body, "    c->depth--;\n    return (void *)wf_t%u;\n", def);
}

/* Each tail call op is followed by code returning the results of a call
** at its argument base (lower.c), so whatever is not entered as a loop or
** a trampoline body is emitted as the plain call. */
static bool emit_tail_call(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  const struct wf_module *m = g->m;
  switch (op) {
  case WF_OP_RETURN_CALL: { /* an import */
    u32 sub[3] = {WF_OP_CALL, ip[1], ip[2]};
    g->tail = true;
    bool ok = emit_call(g, sub, WF_OP_CALL);
    g->tail = false;
    return ok;
  }
  case WF_OP_RETURN_CALL_INTERNAL: {
    const struct wf_functype *ft = &m->types[m->funcs[ip[1]].typeidx];
    if (ip[1] == g->def) { /* itself: a jump back to the entry */
      for (u32 i = 0; i < ft->nparams; i++) {
        char l = letter_of(ft->types[i]);
        put(t, "  ");
        var(g, i, l);
        put(t, " = ");
        var(g, ip[2] + i, l);
        put(t, ";\n");
      }
      put(t, "  goto wf_restart;\n");
      g->self_tail = true;
      return true;
    }
    if (g->in_tail_body && g->tail_body[ip[1]]) {
      put(t, "  {\n");
      tail_to_body(g, ft, ip[2], ip[1]);
      put(t, "  }\n");
      return true;
    }
    u32 sub[3] = {WF_OP_CALL_INTERNAL, ip[1], ip[2]};
    g->tail = true;
    bool ok = emit_call(g, sub, WF_OP_CALL_INTERNAL);
    g->tail = false;
    return ok;
  }
  case WF_OP_RETURN_CALL_INDIRECT: {
    /* A trampoline body of this instance with the call's type is entered
    ** through the trampoline; anything else is called. */
    const struct wf_functype *ft = &m->types[ip[1]];
    if (g->in_tail_body) {
      put(t, "  { u32 e = ");
      var(g, ip[4], 'i');
      putf(t,
           "; weft_aot_table *tb = c->tables[%u]; weft_aot_func *fn;\n"
           "  if (e < tb->size && (fn = tb->elems[e]) != 0 && "
           "fn->sig == c->type_sigs[%u] && fn->ctx == c) {\n",
           ip[2], ip[1]);
      /* fn's signature is the call's, so any body found has its type */
      put(t, "    for (u32 k = 0; k < sizeof wf_tail_map / sizeof "
             "*wf_tail_map; k++)\n"
             "      if (wf_tail_map[k].typed == fn->typed_fn) {\n");
      pack_args(g, ft, ip[3]);
      put(t, "        c->depth--;\n        return wf_tail_map[k].body;\n"
             "      }\n  } }\n");
    }
    u32 sub[5] = {WF_OP_CALL_INDIRECT, ip[1], ip[2], ip[3], ip[4]};
    g->tail = true;
    bool ok = emit_call(g, sub, WF_OP_CALL_INDIRECT);
    g->tail = false;
    return ok;
  }
  case WF_OP_RETURN_CALL_REF: {
    /* as return_call_indirect, the callee being the reference */
    const struct wf_functype *ft = &m->types[ip[1]];
    if (g->in_tail_body) {
      put(t, "  { weft_aot_func *fn = (weft_aot_func *)");
      var(g, ip[3], 'r');
      putf(t,
           ";\n  if (fn != 0 && fn->sig == c->type_sigs[%u] && "
           "fn->ctx == c) {\n",
           ip[1]);
      put(t, "    for (u32 k = 0; k < sizeof wf_tail_map / sizeof "
             "*wf_tail_map; k++)\n"
             "      if (wf_tail_map[k].typed == fn->typed_fn) {\n");
      pack_args(g, ft, ip[2]);
      put(t, "        c->depth--;\n        return wf_tail_map[k].body;\n"
             "      }\n  } }\n");
    }
    u32 sub[4] = {WF_OP_CALL_REF, ip[1], ip[2], ip[3]};
    return emit_call(g, sub, WF_OP_CALL_REF);
  }
  default: return false;
  }
}

static char global_letter(struct cgen *g, u32 idx) {
  return letter_of(wf_module_global_type(g->m, idx).valtype);
}

static bool emit_other(struct cgen *g, const u32 *ip, u32 op) {
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
      put(t, "  ");
      var(g, ip[1], copies[i].l);
      put(t, " = ");
      var(g, ip[2], copies[i].l);
      put(t, ";\n");
      return true;
    }
    if (selects[i].op == op) {
      put(t, "  ");
      var(g, ip[1], selects[i].l);
      put(t, " = ");
      var(g, ip[4], 'i');
      put(t, " ? ");
      var(g, ip[2], selects[i].l);
      put(t, " : ");
      var(g, ip[3], selects[i].l);
      put(t, ";\n");
      return true;
    }
  }
  switch (op) {
  case WF_OP_UNREACHABLE:
    put(t, "  ");
    trap(g, WEFT_TRAP_UNREACHABLE);
    put(t, "\n");
    return true;
  case WF_OP_RETURN: emit_return(g); return true;
  case WF_OP_FUEL:
    /* The store keeps the context exact for traps taken by signal; the
    ** slow path asks the engine's fuel hook for more, or traps. */
    putf(t,
         "  if (WF_UNLIKELY(wf_fuel < %u)) { *wf_fuel_at = wf_fuel; "
         "c->api->refuel(c, %u); wf_fuel = *wf_fuel_at; }\n"
         "  wf_fuel -= %u; *wf_fuel_at = wf_fuel;\n",
         ip[1], ip[1], ip[1]);
    return true;
  case WF_OP_GLOBAL_GET: {
    char l = global_letter(g, ip[2]), lv[32];
    wf_format(lv, sizeof lv, "c->globals[%u]->val", ip[2]);
    put(t, "  ");
    var(g, ip[1], l);
    put(t, " = ");
    slot_read(t, l, lv);
    put(t, ";\n");
    return true;
  }
  case WF_OP_GLOBAL_SET: {
    char l = global_letter(g, ip[1]), lv[32];
    wf_format(lv, sizeof lv, "c->globals[%u]->val", ip[1]);
    put(t, "  ");
    slot_write_begin(t, l, lv);
    var(g, ip[2], l);
    slot_write_end(t, l);
    put(t, "\n");
    return true;
  }
  case WF_OP_MEMORY_SIZE:
    put(t, "  ");
    var(g, ip[1], 'i');
    put(t, " = (u32)(c->memory->size >> 16);\n");
    return true;
  case WF_OP_MEMORY_GROW:
    put(t, "  ");
    var(g, ip[1], 'i');
    put(t, " = (u32)c->api->memory_grow(c, ");
    var(g, ip[2], 'i');
    put(t, ");\n");
    after_call(g);
    return true;
  case WF_OP_MEMORY_FILL:
  case WF_OP_MEMORY_COPY:
    put(t, "  { u64 d = ");
    var(g, ip[1], 'i');
    put(t, ", s = ");
    var(g, ip[2], 'i');
    put(t, ", n = ");
    var(g, ip[3], 'i');
    put(t, ";\n");
    if (metered(g))
      /* Long ones go in pieces the fuel hook may stop (runtime/bulk.c). */
      putf(t,
           "    if (WF_UNLIKELY(n > WEFT_BULK_PIECE)) { "
           "*wf_fuel_at = wf_fuel; c->api->%s(c, (u32)d, (u32)s, (u32)n); "
           "wf_fuel = *wf_fuel_at; } else {\n",
           op == WF_OP_MEMORY_FILL ? "memory_fill" : "memory_copy");
    if (op == WF_OP_MEMORY_FILL) {
      putf(t, "    if (d + n > c->memory->size) TRAP(%u);\n",
           (unsigned)WEFT_TRAP_MEMORY_OOB);
      charge_bulk(g);
      put(t, "    __builtin_memset(mem + d, (int)(u8)s, (size_t)n);");
      put(t, fence(g));
      if (metered(g))
        put(t, "  }\n");
    } else {
      putf(t,
           "    if (d + n > c->memory->size || s + n > c->memory->size) "
           "TRAP(%u);\n",
           (unsigned)WEFT_TRAP_MEMORY_OOB);
      charge_bulk(g);
      put(t, "    __builtin_memmove(mem + d, mem + s, (size_t)n);");
      put(t, fence(g));
      if (metered(g))
        put(t, "  }\n");
    }
    return true;
  case WF_OP_MEMORY_INIT:
    putf(t, "  c->api->memory_init(c, %uu, ", ip[1]);
    var(g, ip[2], 'i');
    put(t, ", ");
    var(g, ip[3], 'i');
    put(t, ", ");
    var(g, ip[4], 'i');
    put(t, ");\n");
    reload_fuel(g);
    return true;
  case WF_OP_DATA_DROP:
    putf(t, "  c->api->data_drop(c, %uu);\n", ip[1]);
    return true;
  case WF_OP_ELEM_DROP:
    putf(t, "  c->api->elem_drop(c, %uu);\n", ip[1]);
    return true;
  case WF_OP_TABLE_GET:
    put(t, "  ");
    var(g, ip[1], 'r');
    putf(t, " = c->api->table_get(c, %uu, ", ip[2]);
    var(g, ip[3], 'i');
    put(t, ");\n");
    return true;
  case WF_OP_TABLE_SET:
    putf(t, "  c->api->table_set(c, %uu, ", ip[1]);
    var(g, ip[2], 'i');
    put(t, ", ");
    var(g, ip[3], 'r');
    put(t, ");\n");
    return true;
  case WF_OP_TABLE_SIZE:
    put(t, "  ");
    var(g, ip[1], 'i');
    putf(t, " = c->tables[%u]->size;\n", ip[2]);
    return true;
  case WF_OP_TABLE_GROW:
    put(t, "  ");
    var(g, ip[1], 'i');
    putf(t, " = (u32)c->api->table_grow(c, %uu, ", ip[2]);
    var(g, ip[3], 'r');
    put(t, ", ");
    var(g, ip[4], 'i');
    put(t, ");\n");
    reload_fuel(g);
    return true;
  case WF_OP_TABLE_FILL:
    putf(t, "  c->api->table_fill(c, %uu, ", ip[1]);
    var(g, ip[2], 'i');
    put(t, ", ");
    var(g, ip[3], 'r');
    put(t, ", ");
    var(g, ip[4], 'i');
    put(t, ");\n");
    reload_fuel(g);
    return true;
  case WF_OP_TABLE_COPY:
  case WF_OP_TABLE_INIT:
    putf(t, "  c->api->%s(c, %uu, %uu, ",
         op == WF_OP_TABLE_COPY ? "table_copy" : "table_init", ip[1], ip[2]);
    var(g, ip[3], 'i');
    put(t, ", ");
    var(g, ip[4], 'i');
    put(t, ", ");
    var(g, ip[5], 'i');
    put(t, ");\n");
    reload_fuel(g);
    return true;
  case WF_OP_REF_AS_NON_NULL: /* typed function references */
    put(t, "  if (WF_UNLIKELY(");
    var(g, ip[1], 'r');
    putf(t, " == 0)) TRAP(%u);\n", (unsigned)WEFT_TRAP_NULL_REF);
    return true;
  case WF_OP_REF_IS_NULL:
    put(t, "  ");
    var(g, ip[1], 'i');
    put(t, " = ");
    var(g, ip[2], 'r');
    put(t, " == 0;\n");
    return true;
  case WF_OP_REF_FUNC:
    put(t, "  ");
    var(g, ip[1], 'r');
    putf(t, " = (void *)c->funcs[%u];\n", ip[2]);
    return true;
  default: return false;
  }
}

/* ---- SIMD ------------------------------------------------------------- */

/* Letter of a splat/extract/replace scalar, from the instruction's name
** (simd.def passes f32/f64 lanes as their bits). */
static char simd_scalar_letter(const char *name) {
  if (name[0] == 'F')
    return name[1] == '3' ? 'f' : 'd';
  return name[1] == '6' ? 'l' : 'i';
}

static void scalar_bits(struct cgen *g, u32 slot, char l) {
  struct text *t = &g->body;
  if (l == 'f' || l == 'd') {
    put(t, l == 'f' ? "wf_f32_bits(" : "wf_f64_bits(");
    var(g, slot, l);
    put(t, ")");
  } else {
    var(g, slot, l);
  }
}

/* `  dst = ` for a v128 result. */
static void vdst(struct cgen *g, u32 slot) {
  put(&g->body, "  ");
  var(g, slot, 'v');
  put(&g->body, " = ");
}

/* `  dst = fn(a, b, ...);` for a v128 result in ip[1], the operands in
** ip[2], ip[3]... read as `letters` ('v' v128, 'i' i32). */
static void vcall(struct cgen *g, const u32 *ip, const char *fn,
                  const char *letters) {
  vdst(g, ip[1]);
  putf(&g->body, "%s(", fn);
  for (u32 k = 0; letters[k]; k++) {
    if (k)
      put(&g->body, ", ");
    var(g, ip[2 + k], letters[k]);
  }
  put(&g->body, ");\n");
}

/* v128 loads "dsi", load_lane "dssii" (lane_vec/lane used when has_lane). */
static void emit_simd_load(struct cgen *g, const u32 *ip, u32 bytes,
                           const char *fn, bool has_lane) {
  struct text *t = &g->body;
  put(t, "  {\n");
  address(g, ip[2], has_lane ? ip[4] : ip[3], bytes);
  put(t, "    const u8 *p = mem + ea;\n  ");
  vdst(g, ip[1]);
  putf(t, "%s(", fn);
  if (has_lane) {
    var(g, ip[3], 'v');
    putf(t, ", %uu, ", ip[5]);
  }
  put(t, "p);\n");
  /* As for scalar loads: with guard pages the access is the check. */
  if (!g->opts->explicit_bounds_checks) {
    put(t, "    WF_PIN_V(");
    var(g, ip[1], 'v');
    putf(t, ", p + %u);\n", bytes - 1);
  }
  put(t, "  }\n");
}

/* v128.store "ssi" and store_lane "ssii". */
static void emit_simd_store(struct cgen *g, const u32 *ip, u32 bytes,
                            const char *fn, bool has_lane) {
  struct text *t = &g->body;
  put(t, "  {\n");
  address(g, ip[1], ip[3], bytes);
  put(t, "    u8 *p = mem + ea;\n");
  /* A store that straddles the end must not write its in-bounds part
  ** first: probe its last byte where one store may become several. */
  if (!g->opts->explicit_bounds_checks)
    putf(t, "    WF_PROBE_V(p + %u);\n", bytes - 1);
  putf(t, "    %s(p, ", fn);
  var(g, ip[2], 'v');
  if (has_lane)
    putf(t, ", %uu", ip[4]);
  put(t, ");\n");
  if (!g->opts->explicit_bounds_checks)
    put(t, "    WF_STORE_FENCE();\n");
  put(t, "  }\n");
}

static bool emit_simd(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  switch (op) {
#define SIMD_LOAD(name, opc, bytes, fn)                                        \
  case WF_OP_##name:                                                           \
    emit_simd_load(g, ip, bytes, #fn, false);                                  \
    return true;
#define SIMD_STORE(name, opc, bytes, fn)                                       \
  case WF_OP_##name:                                                           \
    emit_simd_store(g, ip, bytes, #fn, false);                                 \
    return true;
#define SIMD_LOAD_LANE(name, opc, bytes, lanes, fn)                            \
  case WF_OP_##name:                                                           \
    emit_simd_load(g, ip, bytes, #fn, true);                                   \
    return true;
#define SIMD_STORE_LANE(name, opc, bytes, lanes, fn)                           \
  case WF_OP_##name:                                                           \
    emit_simd_store(g, ip, bytes, #fn, true);                                  \
    return true;
#define SIMD_CONST(name, opc)
#define SIMD_SHUFFLE(name, opc, fn)                                            \
  case WF_OP_##name:                                                           \
    put(t, "  { static const u8 lanes[16] = {");                               \
    for (u32 i = 0; i < 16; i++)                                               \
      putf(t, "%s%u", i ? ", " : "", (ip[4 + i / 4] >> (8 * (i % 4))) & 0xff); \
    put(t, "};\n  ");                                                          \
    vdst(g, ip[1]);                                                            \
    put(t, #fn "(");                                                           \
    var(g, ip[2], 'v');                                                        \
    put(t, ", ");                                                              \
    var(g, ip[3], 'v');                                                        \
    put(t, ", lanes); }\n");                                                   \
    return true;
#define SIMD_SPLAT(name, opc, member, fn)                                      \
  case WF_OP_##name:                                                           \
    vdst(g, ip[1]);                                                            \
    put(t, #fn "(");                                                           \
    scalar_bits(g, ip[2], simd_scalar_letter(#name));                          \
    put(t, ");\n");                                                            \
    return true;
#define SIMD_EXTRACT(name, opc, member, lanes, fn)                             \
  case WF_OP_##name: {                                                         \
    char l = simd_scalar_letter(#name);                                        \
    put(t, "  ");                                                              \
    var(g, ip[1], l);                                                          \
    put(t, l == 'f'   ? " = wf_bits_f32("                                      \
           : l == 'd' ? " = wf_bits_f64("                                      \
                      : " = (");                                               \
    put(t, #fn "(");                                                           \
    var(g, ip[2], 'v');                                                        \
    putf(t, ", %uu));\n", ip[3]);                                              \
    return true;                                                               \
  }
#define SIMD_REPLACE(name, opc, member, lanes, fn)                             \
  case WF_OP_##name:                                                           \
    vdst(g, ip[1]);                                                            \
    put(t, #fn "(");                                                           \
    var(g, ip[2], 'v');                                                        \
    putf(t, ", %uu, ", ip[4]);                                                 \
    scalar_bits(g, ip[3], simd_scalar_letter(#name));                          \
    put(t, ");\n");                                                            \
    return true;
#define SIMD_UN(name, opc, fn)                                                 \
  case WF_OP_##name:                                                           \
    vcall(g, ip, #fn, "v");                                                    \
    return true;
#define SIMD_BIN(name, opc, fn)                                                \
  case WF_OP_##name:                                                           \
    vcall(g, ip, #fn, "vv");                                                   \
    return true;
#define SIMD_TERN(name, opc, fn)                                               \
  case WF_OP_##name:                                                           \
    vcall(g, ip, #fn, "vvv");                                                  \
    return true;
#define SIMD_TEST(name, opc, fn)                                               \
  case WF_OP_##name:                                                           \
    put(t, "  ");                                                              \
    var(g, ip[1], 'i');                                                        \
    put(t, " = " #fn "(");                                                     \
    var(g, ip[2], 'v');                                                        \
    put(t, ");\n");                                                            \
    return true;
#define SIMD_SHIFT(name, opc, fn)                                              \
  case WF_OP_##name:                                                           \
    vcall(g, ip, #fn, "vi");                                                   \
    return true;
#include "../interp/simd.def"
#include "../interp/simd_undef.h"
  default: return false;
  }
}

/* Number of units of the instruction at `pc`. */
static u32 op_length(const u32 *ops, u32 pc) {
  u32 op = ops[pc];
  if (op == WF_OP_BR_TABLE)
    return 3 + ops[pc + 2] + 1;
  return 1 + (u32)strlen(op_layout[op]);
}

/* Largest frame, in slots, of a function that skips the stack checks: it
** fits in the margin its caller's check leaves below the native stack
** floor (runtime/call.c). */
#define LEAF_MAX_SLOTS 256

/* A function that calls nothing cannot nest deeper, so it skips the call
** depth and native stack checks (a third of a small function's cost):
** recursion is still stopped, at the caller. */
static bool is_leaf(const struct wf_code *code) {
  const u32 *ops = code->ops;
  if (code->frame_slots > LEAF_MAX_SLOTS)
    return false;
  for (u32 pc = 0; pc < code->nops; pc += op_length(ops, pc))
    if (ops[pc] == WF_OP_CALL || ops[pc] == WF_OP_CALL_INTERNAL ||
        ops[pc] == WF_OP_CALL_INDIRECT || ops[pc] == WF_OP_RETURN_CALL ||
        ops[pc] == WF_OP_RETURN_CALL_INTERNAL ||
        ops[pc] == WF_OP_RETURN_CALL_INDIRECT || ops[pc] == WF_OP_CALL_REF ||
        ops[pc] == WF_OP_RETURN_CALL_REF)
      return false;
  return true;
}

/* Mark every branch target of the function. */
static void find_targets(struct cgen *g) {
  const u32 *ops = g->code->ops;
  for (u32 i = 0; i < g->code->nhandlers; i++) /* catch blocks go there */
    if (g->code->handlers[i].tag != WF_DELEGATE)
      g->is_target[g->code->handlers[i].pad] = 1;
  for (u32 pc = 0; pc < g->code->nops; pc += op_length(ops, pc)) {
    u32 op = ops[pc];
    if (op == WF_OP_BR_TABLE) {
      for (u32 i = 0; i <= ops[pc + 2]; i++) {
        u32 f = pc + 3 + i;
        g->is_target[(u32)((i32)f + (i32)ops[f])] = 1;
      }
      continue;
    }
    const char *lay = op_layout[op];
    for (u32 k = 0; lay[k]; k++)
      if (lay[k] == 'o') {
        u32 f = pc + 1 + k;
        g->is_target[(u32)((i32)f + (i32)ops[f])] = 1;
      }
  }
}

/* {======================================================================
** Exceptions (3.0). A module that throws or catches checks the engine's
** pending exception (*c->exn) after every call; throw makes one pending.
** Either way the code goes to the unwinding of that position (wf_xN): the
** handlers covering it, found at generation time exactly as the
** interpreter finds them at run time (interp/unwind.c), are tried in order
** by tag (c->api->exn_is); a match takes the payload into the handler's
** slots (wf_cN) and jumps to its landing pad, the interpreter's own, so
** fuel is the same; no match returns from the function, the exception
** still pending, for the caller to check. No setjmp: a try_table costs
** nothing on entry, a call one load and a not-taken branch. Modules with
** no exception code skip the checks; an exception crossing them leaves
** their frames as a trap does (runtime/aot.c).
** ======================================================================= */

/* The unwinding of the current position, emitted once. */
static void goto_unwind(struct cgen *g) {
  putf(&g->body, "goto wf_x%u;", g->pc);
  if (g->nsites && g->sites[g->nsites - 1] == g->pc)
    return;
  if (g->nsites == g->sites_cap) {
    u32 ncap = g->sites_cap ? g->sites_cap * 2 : 16;
    u32 *p = wf_alloc_resize(g->a, g->sites, (size_t)g->sites_cap * sizeof(u32),
                             (size_t)ncap * sizeof(u32));
    if (!p) {
      g->body.failed = true;
      return;
    }
    g->sites = p;
    g->sites_cap = ncap;
  }
  g->sites[g->nsites++] = g->pc;
}

static void exn_check(struct cgen *g) {
  if (!g->eh)
    return;
  put(&g->body, "  if (WF_UNLIKELY(*c->exn != 0)) ");
  if (g->tail)
    put(&g->body, "goto wf_exn_out;");
  else
    goto_unwind(g);
  put(&g->body, "\n");
}

static bool emit_exception(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  if (op == WF_OP_THROW) {
    const struct wf_functype *ft =
        &g->m->types[wf_module_tag_typeidx(g->m, ip[1])];
    putf(t, "  { weft_aot_value s[%u];\n", ft->nparams ? ft->nparams : 1);
    pack_args(g, ft, ip[2]);
    putf(t, "    c->api->exn_throw(c, %uu, s); }\n  ", ip[1]);
    goto_unwind(g);
    put(t, "\n");
    return true;
  }
  if (op == WF_OP_THROW_REF) {
    put(t, "  c->api->exn_throw_ref(c, ");
    var(g, ip[1], 'r');
    put(t, ");\n  ");
    goto_unwind(g);
    put(t, "\n");
    return true;
  }
  return false;
}

/* The function's way out with an exception pending: no results. */
static void emit_exn_out(struct cgen *g) {
  struct text *t = &g->body;
  const struct wf_functype *ft = g->type;
  put(t, "wf_exn_out: __attribute__((unused));\n");
  if (!g->leaf)
    put(t, "  c->depth--;\n");
  if (g->in_tail_body)
    put(t, "  return 0;\n");
  else if (ft->nresults)
    putf(t, "  { %s r0; __builtin_memset(&r0, 0, sizeof r0); return r0; }\n",
         ctype_of(letter_of(ft->types[ft->nparams])));
  else
    put(t, "  return;\n");
}

/* A catch: payload (and exnref) into the handler's slots, to its pad. */
static void emit_catch(struct cgen *g, u32 i) {
  struct text *t = &g->body;
  const struct wf_handler *h = &g->code->handlers[i];
  const struct wf_functype *ft =
      h->tag == WF_CATCH_ALL
          ? NULL
          : &g->m->types[wf_module_tag_typeidx(g->m, h->tag)];
  u32 n = ft ? ft->nparams : 0;
  char lv[16];
  putf(t, "wf_c%u:; { weft_aot_value s[%u];\n", i, n ? n : 1);
  /* A catch_all takes no payload: s has no room for the exception's. */
  put(t, h->tag == WF_CATCH_ALL ? "    void *x = c->api->exn_take(c, NULL, "
                                : "    void *x = c->api->exn_take(c, s, ");
  put(t, h->exn != UINT32_MAX ? "1);\n" : "0);\n    (void)x;\n");
  for (u32 k = 0; k < n; k++) {
    char l = letter_of(ft->types[k]);
    wf_format(lv, sizeof lv, "s[%u]", k);
    put(t, "    ");
    var(g, h->dst + k, l);
    put(t, " = ");
    slot_read(t, l, lv);
    put(t, ";\n");
  }
  if (h->exn != UINT32_MAX) {
    put(t, "    ");
    var(g, h->exn, 'r');
    put(t, " = x;\n");
  }
  putf(t, "  }\n  goto L%u;\n", h->pad);
}

static void emit_unwinding(struct cgen *g) {
  struct text *t = &g->body;
  const struct wf_code *code = g->code;
  for (u32 k = 0; k < g->nsites; k++) {
    u32 pc = g->sites[k], max_level = UINT32_MAX;
    bool all = false;
    putf(t, "wf_x%u:;\n", pc);
    for (u32 i = 0; i < code->nhandlers && !all; i++) {
      const struct wf_handler *h = &code->handlers[i];
      if (h->level > max_level || pc < h->start || pc >= h->end)
        continue;
      if (h->tag == WF_DELEGATE) {
        pc = h->pad;
        max_level = h->target;
        continue;
      }
      g->caught[i] = 1;
      if (h->tag == WF_CATCH_ALL) {
        putf(t, "  goto wf_c%u;\n", i);
        all = true;
      } else {
        putf(t, "  if (c->api->exn_is(c, %uu)) goto wf_c%u;\n", h->tag, i);
      }
    }
    if (!all)
      put(t, "  goto wf_exn_out;\n");
  }
  for (u32 i = 0; i < code->nhandlers; i++)
    if (g->caught[i])
      emit_catch(g, i);
  emit_exn_out(g);
}

/* Does the module throw or catch anywhere? Each body is lowered once more
** to see (generation only: the C compiler's time dwarfs it). */
static weft_status find_exceptions(struct cgen *g) {
  for (u32 def = 0; def < g->m->nfuncs && !g->eh; def++) {
    struct wf_code *code;
    weft_status s =
        wf_lower_func(g->a, g->m, def, NULL,
                      g->mod->engine->config.fuel_metering != 0, &code, g->err);
    if (s != WEFT_OK)
      return s;
    g->eh = code->nhandlers > 0;
    for (u32 pc = 0; pc < code->nops && !g->eh; pc += op_length(code->ops, pc))
      g->eh = code->ops[pc] == WF_OP_THROW || code->ops[pc] == WF_OP_THROW_REF;
    wf_code_free(g->a, code);
  }
  return WEFT_OK;
}

/* }====================================================================== */
/* ==== multi-memory, memory64, table64 ==================================
** MEMX_AT opens a C block with its own `mem` (the checked address in
** memory k) and `msz` (the access width), so the ordinary access op that
** follows, reading address 0, needs no change; MEMX_END closes it. These
** checks are explicit in both bounds modes: guard pages cover only the
** 32-bit memory 0 of the fast path. */

static char addr_letter(const struct cgen *g, u32 mem) {
  return wf_module_memory_limits(g->m, mem).is64 ? 'l' : 'i';
}

static void put_u64_operand(struct cgen *g, u32 slot, char letter) {
  put(&g->body, letter == 'l' ? "" : "(u64)");
  var(g, slot, letter);
}

static void emit_memx_at(struct cgen *g, const u32 *ip) {
  struct text *t = &g->body;
  u64 off = (u64)ip[4] << 32 | ip[3];
  putf(t, "  { weft_aot_memory *xm = c->memories[%uu]; u64 xa = ", ip[1]);
  put_u64_operand(g, ip[2], addr_letter(g, ip[1]));
  putf(t,
       "; u64 xea = xa + 0x%llxull;\n"
       "  if (WF_UNLIKELY(xea < xa || xea > xm->size || "
       "xm->size - xea < %uu)) TRAP(%u);\n"
       "  u8 *mem = xm->data + xea; u64 msz = %uu; (void)msz; (void)mem;\n",
       (unsigned long long)off, ip[5], (unsigned)WEFT_TRAP_MEMORY_OOB, ip[5]);
}

static bool emit_memx(struct cgen *g, const u32 *ip, u32 op) {
  struct text *t = &g->body;
  char l = 0;
  switch (op) {
  case WF_OP_MEMX_AT: emit_memx_at(g, ip); return true;
  case WF_OP_MEMX_END: put(t, "  }\n"); return true;
  case WF_OP_MEMX_SIZE:
    l = addr_letter(g, ip[2]);
    put(t, "  ");
    var(g, ip[1], l);
    putf(t, " = (%s)(c->memories[%uu]->size >> 16);\n",
         l == 'l' ? "u64" : "u32", ip[2]);
    return true;
  case WF_OP_MEMX_GROW:
    l = addr_letter(g, ip[2]);
    put(t, "  ");
    var(g, ip[1], l);
    putf(t, " = (%s)c->api->memx_grow(c, %uu, ", l == 'l' ? "u64" : "u32",
         ip[2]);
    put_u64_operand(g, ip[3], l);
    put(t, ");\n");
    after_call(g);
    return true;
  case WF_OP_MEMX_FILL:
    l = addr_letter(g, ip[1]);
    putf(t, "  c->api->memx_fill(c, %uu, ", ip[1]);
    put_u64_operand(g, ip[2], l);
    put(t, ", ");
    var(g, ip[3], 'i');
    put(t, ", ");
    put_u64_operand(g, ip[4], l);
    put(t, ");\n");
    reload_fuel(g);
    return true;
  case WF_OP_MEMX_COPY: {
    char dl = addr_letter(g, ip[1]), sl = addr_letter(g, ip[2]);
    putf(t, "  c->api->memx_copy(c, %uu, %uu, ", ip[1], ip[2]);
    put_u64_operand(g, ip[3], dl);
    put(t, ", ");
    put_u64_operand(g, ip[4], sl);
    put(t, ", ");
    put_u64_operand(g, ip[5], dl == 'l' && sl == 'l' ? 'l' : 'i');
    put(t, ");\n");
    reload_fuel(g);
    return true;
  }
  case WF_OP_MEMX_INIT:
    putf(t, "  c->api->memx_init(c, %uu, %uu, ", ip[2], ip[1]);
    put_u64_operand(g, ip[3], addr_letter(g, ip[2]));
    put(t, ", ");
    var(g, ip[4], 'i');
    put(t, ", ");
    var(g, ip[5], 'i');
    put(t, ");\n");
    reload_fuel(g);
    return true;
  case WF_OP_I64_SAT_U32:
    put(t, "  ");
    var(g, ip[1], 'i');
    put(t, " = ");
    var(g, ip[2], 'l');
    put(t, " > 0xffffffffull ? 0xffffffffu : (u32)");
    var(g, ip[2], 'l');
    put(t, ";\n");
    return true;
  default: return false;
  }
}
/* ==== end multi-memory, memory64, table64 ============================== */

static void emit_body(struct cgen *g) {
  const u32 *ops = g->code->ops;
  for (u32 pc = 0; pc < g->code->nops; pc += op_length(ops, pc)) {
    u32 op = ops[pc];
    if (g->is_target[pc])
      putf(&g->body, "L%u:;\n", pc);
    const u32 *ip = ops + pc;
    g->pc = pc;
    if (emit_numeric(g, ip, op) || emit_branch(g, ops, pc, op) ||
        emit_call(g, ip, op) || emit_memory_access(g, ip, op) ||
        emit_fused(g, ip, op) || emit_trapping(g, ip, op) ||
        emit_simd(g, ip, op) || emit_tail_call(g, ip, op) ||
        emit_exception(g, ip, op) || emit_memx(g, ip, op) ||
        emit_other(g, ip, op))
      continue;
    putf(&g->body, "#error unknown internal op %u\n", op);
  }
}

/* ---- functions -------------------------------------------------------- */

static void signature(struct text *t, const struct wf_functype *ft,
                      const char *name) {
  put(t, ft->nresults ? ctype_of(letter_of(ft->types[ft->nparams])) : "void");
  putf(t, " %s(weft_aot_ctx *c", name);
  for (u32 i = 0; i < ft->nparams; i++)
    putf(t, ", %s p%u", ctype_of(letter_of(ft->types[i])), i);
  for (u32 i = 1; i < ft->nresults; i++)
    putf(t, ", %s *r%u", ctype_of(letter_of(ft->types[ft->nparams + i])), i);
  put(t, ")");
}

static const char *linkage(const struct cgen *g) {
  return g->opts->nchunks > 1 ? "__attribute__((visibility(\"hidden\"))) "
                              : "static ";
}

static bool in_chunk(const struct cgen *g, u32 def) {
  return g->opts->nchunks <= 1 || def % g->opts->nchunks == g->opts->chunk;
}

/* Frames up to this size fit in the margin the runtime leaves below the
** native stack floor (runtime/call.c); larger ones are checked whole. */
#define SMALL_FRAME_BYTES 4096u

/* Call depth and native stack on entry. The address of a local tells the
** native stack depth without forcing a frame pointer (as
** __builtin_frame_address would); a function with many locals also needs
** its whole frame above the floor, at most 16 bytes per C local. */
static void stack_check(struct cgen *g, struct text *out, size_t nslots) {
  u64 bytes = 0;
  for (size_t slot = 0; slot < nslots; slot++)
    for (u8 used = g->used[slot]; used; used &= (u8)(used - 1))
      bytes += 16;
  put(out, "  char wf_probe;\n"
           "  if (WF_UNLIKELY(++c->depth > c->max_depth || "
           "(uintptr_t)&wf_probe");
  if (bytes > SMALL_FRAME_BYTES)
    putf(out, " - %lluu", (unsigned long long)bytes);
  putf(out, " < (uintptr_t)c->stack_limit)) TRAP(%u);\n",
       (unsigned)WEFT_TRAP_STACK_EXHAUSTED);
}

static void emit_restart(struct cgen *g, const struct wf_code *code);
static void emit_unwinding(struct cgen *g);
static void emit_trampoline(struct cgen *g, struct text *out, u32 def);

static weft_status emit_function(struct cgen *g, struct text *out, u32 def) {
  const struct wf_module *m = g->m;
  struct wf_code *code;
  weft_status s =
      wf_lower_func(g->a, m, def, NULL,
                    g->mod->engine->config.fuel_metering != 0, &code, g->err);
  if (s != WEFT_OK)
    return s;
  g->code = code;
  g->type = &m->types[m->funcs[def].typeidx];
  size_t nslots = code->frame_slots ? code->frame_slots : 1;
  g->used = wf_alloc_zero(g->a, nslots);
  g->is_target = wf_alloc_zero(g->a, (size_t)code->nops + 1);
  g->caught = wf_alloc_zero(g->a, (size_t)code->nhandlers + 1);
  g->nsites = 0;
  g->body.len = 0;
  if (!g->used || !g->is_target || !g->caught) {
    s = wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
  } else {
    g->def = def;
    g->in_tail_body = g->tail_body && g->tail_body[def];
    g->self_tail = false;
    find_targets(g);
    g->leaf = !g->in_tail_body && is_leaf(code);
    emit_body(g);
    if (g->self_tail)
      emit_restart(g, code);
    if (g->eh)
      emit_unwinding(g);
    char name[32];
    wf_format(name, sizeof name, "wf_f%u", def);
    u32 funcidx = m->nfunc_imports + def;
    const char *fname = funcidx < m->nfunc_names ? m->func_names[funcidx] : 0;
    putf(out, "\n/* func %u", funcidx);
    if (fname && !strstr(fname, "*/"))
      putf(out, " %s", fname);
    put(out, " */\n");
    put(out, linkage(g));
    if (g->in_tail_body)
      putf(out, "void *wf_t%u(weft_aot_ctx *c, weft_aot_value *s)", def);
    else
      signature(out, g->type, name);
    put(out, " {\n");
    if (g->has_memory)
      put(out, g->opts->explicit_bounds_checks
                   ? "  u8 *mem = c->memory->data; u64 msz = c->memory->size;\n"
                   : "  u8 *const mem = c->memory->data;\n");
    if (!g->leaf)
      stack_check(g, out, nslots);
    if (metered(g))
      /* The pointer in a local: without strict aliasing every store to
      ** linear memory would otherwise reload it from the context. */
      put(out, "  int64_t *const wf_fuel_at = c->fuel;\n"
               "  int64_t wf_fuel = *wf_fuel_at;\n");
    for (u32 slot = 0; slot < nslots; slot++) {
      static const char letters[] = "ildfrv";
      for (u32 k = 0; k < 6; k++) {
        if (!(g->used[slot] & bit_of(letters[k])))
          continue;
        putf(out, "  %s v%u%c = ", ctype_of(letters[k]), slot, letters[k]);
        if (slot < g->type->nparams &&
            letters[k] == letter_of(g->type->types[slot])) {
          char lv[16];
          wf_format(lv, sizeof lv, "s[%u]", slot);
          if (g->in_tail_body)
            slot_read(out, letters[k], lv);
          else
            putf(out, "p%u", slot);
          put(out, ";\n");
        } else {
          put(out, letters[k] == 'v' ? "{0};\n" : "0;\n");
        }
      }
    }
    if (g->self_tail)
      put(out, "wf_start:;\n");
    put_n(out, g->body.buf, g->body.len);
    put(out, "  __builtin_unreachable();\n}\n");
    if (g->in_tail_body)
      emit_trampoline(g, out, def);
    if (g->body.failed)
      s = wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
  }
  wf_alloc_free(g->a, g->used, nslots);
  wf_alloc_free(g->a, g->is_target, (size_t)code->nops + 1);
  wf_alloc_free(g->a, g->caught, (size_t)code->nhandlers + 1);
  wf_code_free(g->a, code);
  return s;
}

/* A self tail call's way back to the entry block: the arguments are in
** the parameters already; declared locals start at zero again. */
static void emit_restart(struct cgen *g, const struct wf_code *code) {
  static const char letters[] = "ildfrv";
  struct text *t = &g->body;
  put(t, "wf_restart:;\n");
  for (u32 slot = code->nparams; slot < code->nlocals; slot++)
    for (u32 k = 0; k < 6; k++)
      if (g->used[slot] & bit_of(letters[k]))
        putf(t, "  __builtin_memset(&v%u%c, 0, sizeof v%u%c);\n", slot,
             letters[k], slot, letters[k]);
  put(t, "  goto wf_start;\n");
}

/* The typed entry of a trampoline body: arguments into the slot array,
** then run bodies until one returns (tail calls, above). */
static void emit_trampoline(struct cgen *g, struct text *out, u32 def) {
  const struct wf_functype *ft = g->type;
  char name[32], lv[16];
  wf_format(name, sizeof name, "wf_f%u", def);
  put(out, linkage(g));
  signature(out, ft, name);
  putf(out, " {\n  weft_aot_value s[%u];\n", g->tail_slots);
  for (u32 i = 0; i < ft->nparams; i++) {
    char l = letter_of(ft->types[i]);
    wf_format(lv, sizeof lv, "s[%u]", i);
    put(out, "  ");
    slot_write_begin(out, l, lv);
    putf(out, "p%u", i);
    slot_write_end(out, l);
    put(out, "\n");
  }
  putf(out,
       "  void *next = (void *)wf_t%u;\n"
       "  do next = ((wf_tail_fn)next)(c, s); while (next);\n",
       def);
  for (u32 i = 1; i < ft->nresults; i++) {
    wf_format(lv, sizeof lv, "s[%u]", i);
    putf(out, "  *r%u = ", i);
    slot_read(out, letter_of(ft->types[ft->nparams + i]), lv);
    put(out, ";\n");
  }
  if (ft->nresults) {
    put(out, "  return ");
    slot_read(out, letter_of(ft->types[ft->nparams]), "s[0]");
    put(out, ";\n");
  }
  put(out, "}\n");
}

/* Each trampoline body by its typed entry, for return_call_indirect: a
** table element is entered as a body when it is one of these (a linear
** search, so the code stays linear in the module's size). */
static void emit_tail_map(struct cgen *g, struct text *out) {
  put(out, "static const struct { const void *typed; void *body; } "
           "wf_tail_map[] __attribute__((unused)) = {\n");
  for (u32 d = 0; d < g->m->nfuncs; d++)
    if (g->tail_body[d])
      putf(out, "  {(const void *)wf_f%u, (void *)wf_t%u},\n", d, d);
  put(out, "};\n");
}

/* Which functions are trampoline bodies: those with a tail call to another
** function of this module or an indirect one. Only bodies holding a 0x12
** or 0x13 byte are lowered to find out, so a module without tail calls
** costs one scan of its code. */
static weft_status find_tail_bodies(struct cgen *g) {
  const struct wf_module *m = g->m;
  for (u32 def = 0; def < m->nfuncs; def++) {
    const struct wf_bytes *b = &m->funcs[def].code;
    if (!wf_memchr(b->ptr, 0x12, b->len) && !wf_memchr(b->ptr, 0x13, b->len) &&
        !wf_memchr(b->ptr, 0x15, b->len))
      continue;
    struct wf_code *code;
    weft_status s =
        wf_lower_func(g->a, m, def, NULL,
                      g->mod->engine->config.fuel_metering != 0, &code, g->err);
    if (s != WEFT_OK)
      return s;
    bool body = false;
    for (u32 pc = 0; pc < code->nops; pc += op_length(code->ops, pc))
      if (code->ops[pc] == WF_OP_RETURN_CALL_INDIRECT ||
          code->ops[pc] == WF_OP_RETURN_CALL_REF ||
          (code->ops[pc] == WF_OP_RETURN_CALL_INTERNAL &&
           code->ops[pc + 1] != def))
        body = true;
    wf_code_free(g->a, code);
    if (!body)
      continue;
    if (!g->tail_body) {
      g->tail_slots = 1; /* no zero-length array for [] -> [] bodies */
      g->tail_body = wf_alloc_zero(g->a, m->nfuncs);
      if (!g->tail_body)
        return wf_error_set(g->err, WEFT_ERR_NOMEM,
                            "out of memory generating C");
    }
    g->tail_body[def] = 1;
    const struct wf_functype *ft = &m->types[m->funcs[def].typeidx];
    u32 n = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
    if (n > g->tail_slots)
      g->tail_slots = n;
  }
  return WEFT_OK;
}

/* Slot-ABI wrapper: the runtime's way into a typed function. */
static void emit_wrapper(struct cgen *g, struct text *out, u32 def) {
  const struct wf_functype *ft = &g->m->types[g->m->funcs[def].typeidx];
  putf(out, "%svoid wf_w%u(weft_aot_ctx *c, weft_aot_value *s) {\n", linkage(g),
       def);
  char lv[16];
  put(out, "  ");
  for (u32 i = 1; i < ft->nresults; i++)
    putf(out, "%s r%u; ", ctype_of(letter_of(ft->types[ft->nparams + i])), i);
  char l0 = ft->nresults ? letter_of(ft->types[ft->nparams]) : 0;
  if (ft->nresults)
    slot_write_begin(out, l0, "s[0]");
  putf(out, "wf_f%u(c", def);
  for (u32 i = 0; i < ft->nparams; i++) {
    wf_format(lv, sizeof lv, "s[%u]", i);
    put(out, ", ");
    slot_read(out, letter_of(ft->types[i]), lv);
  }
  for (u32 i = 1; i < ft->nresults; i++)
    putf(out, ", &r%u", i);
  put(out, ")");
  if (ft->nresults)
    slot_write_end(out, l0);
  else
    put(out, ";");
  put(out, "\n");
  for (u32 i = 1; i < ft->nresults; i++) {
    char l = letter_of(ft->types[ft->nparams + i]);
    wf_format(lv, sizeof lv, "s[%u]", i);
    put(out, "  ");
    slot_write_begin(out, l, lv);
    putf(out, "r%u", i);
    slot_write_end(out, l);
    put(out, "\n");
  }
  put(out, "}\n");
}

static void emit_module_table(struct cgen *g, struct text *out) {
  u32 n = g->m->nfuncs;
  putf(out, "\nstatic const weft_aot_slot_fn wf_slot_fns[%u] = {", n ? n : 1);
  for (u32 i = 0; i < n; i++)
    putf(out, "%swf_w%u", i ? ", " : "", i);
  if (!n)
    put(out, "0");
  putf(out, "};\nstatic void *const wf_typed_fns[%u] = {", n ? n : 1);
  for (u32 i = 0; i < n; i++)
    putf(out, "%s(void *)wf_f%u", i ? ", " : "", i);
  if (!n)
    put(out, "0");
  put(out, "};\n__attribute__((visibility(\"default\"))) const weft_aot_module "
           "weft_aot_module_v1 = {\n");
  putf(out, "  %u, %u, %u, %u, wf_slot_fns, wf_typed_fns,\n  {", WEFT_AOT_ABI,
       n, g->opts->explicit_bounds_checks ? 1u : 0u,
       g->mod->engine->config.fuel_metering ? 1u : 0u);
  for (u32 i = 0; i < 32; i++)
    putf(out, "%s0x%x", i ? ", " : "", g->opts->module_sha256[i]);
  putf(out, "}, %u};\n", g->eh ? 1u : 0u);
}

weft_status weft_module_emit_c(const weft_module *mod,
                               const weft_aot_options *opts, weft_c_sink write,
                               void *user, weft_error *err) {
  wf_error_clear(err);
  struct cgen g;
  memset(&g, 0, sizeof g);
  g.a = &mod->engine->alloc;
  g.mod = mod;
  g.m = &mod->m;
  g.opts = opts;
  g.err = err;
  g.has_memory = wf_module_memory_count(g.m) > 0;
  g.body.a = g.a;
  if (opts->nchunks > 1 && opts->chunk >= opts->nchunks)
    return wf_error_set(err, WEFT_ERR_ARG, "chunk %u of %u", opts->chunk,
                        opts->nchunks);
  struct text out = {g.a, NULL, 0, 0, false};
  weft_status s = WEFT_OK;
  put(&out,
      "/* Generated by weft from a WebAssembly module. Do not edit. */\n");
  put(&out, wf_aot_prelude);
  putf(&out, "\n#define TRAP(k) do { c->api->trap(c, (k)); "
             "__builtin_unreachable(); } while (0)\n");
  s = find_tail_bodies(&g);
  if (s == WEFT_OK)
    s = find_exceptions(&g);
  if (g.tail_body)
    put(&out,
        "typedef void *(*wf_tail_fn)(weft_aot_ctx *, weft_aot_value *);\n");
  /* Declarations of every function and wrapper (chunks call each other). */
  for (u32 def = 0; def < g.m->nfuncs; def++) {
    const struct wf_functype *ft = &g.m->types[g.m->funcs[def].typeidx];
    char name[32];
    wf_format(name, sizeof name, "wf_f%u", def);
    put(&out, linkage(&g));
    signature(&out, ft, name);
    putf(&out, ";\n%svoid wf_w%u(weft_aot_ctx *c, weft_aot_value *s);\n",
         linkage(&g), def);
    if (g.tail_body && g.tail_body[def])
      putf(&out, "%svoid *wf_t%u(weft_aot_ctx *c, weft_aot_value *s);\n",
           linkage(&g), def);
  }
  if (g.tail_body)
    emit_tail_map(&g, &out);
  for (u32 def = 0; def < g.m->nfuncs && s == WEFT_OK; def++) {
    if (!in_chunk(&g, def))
      continue;
    s = emit_function(&g, &out, def);
    if (s == WEFT_OK)
      emit_wrapper(&g, &out, def);
    /* Flush what we have so memory stays bounded by one function. */
    if (out.len > (1u << 20) && !out.failed) {
      write(user, out.buf, out.len);
      out.len = 0;
    }
  }
  if (s == WEFT_OK && (opts->nchunks <= 1 || opts->chunk == 0))
    emit_module_table(&g, &out);
  if (s == WEFT_OK && out.failed)
    s = wf_error_set(err, WEFT_ERR_NOMEM, "out of memory generating C");
  if (s == WEFT_OK && out.len)
    write(user, out.buf, out.len);
  wf_alloc_free(g.a, out.buf, out.cap);
  wf_alloc_free(g.a, g.body.buf, g.body.cap);
  if (g.tail_body)
    wf_alloc_free(g.a, g.tail_body, g.m->nfuncs);
  if (g.sites)
    wf_alloc_free(g.a, g.sites, (size_t)g.sites_cap * sizeof(u32));
  return s;
}
