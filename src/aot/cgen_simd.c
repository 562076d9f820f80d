/*
** cgen_simd.c — C for the SIMD instructions (simd.def).
*/
#include "cgen.h"

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
    wf_cg_put(t, l == 'f' ? "wf_f32_bits(" : "wf_f64_bits(");
    wf_cg_var(g, slot, l);
    wf_cg_put(t, ")");
  } else {
    wf_cg_var(g, slot, l);
  }
}

/* `  dst = ` for a v128 result. */
static void vdst(struct cgen *g, u32 slot) {
  wf_cg_put(&g->body, "  ");
  wf_cg_var(g, slot, 'v');
  wf_cg_put(&g->body, " = ");
}

/* `  dst = fn(a, b, ...);` for a v128 result in ip[1], the operands in
** ip[2], ip[3]... read as `letters` ('v' v128, 'i' i32). */
static void vcall(struct cgen *g, const u32 *ip, const char *fn,
                  const char *letters) {
  vdst(g, ip[1]);
  wf_cg_putf(&g->body, "%s(", fn);
  for (u32 k = 0; letters[k]; k++) {
    if (k)
      wf_cg_put(&g->body, ", ");
    wf_cg_var(g, ip[2 + k], letters[k]);
  }
  wf_cg_put(&g->body, ");\n");
}

/* v128 loads "dsi", load_lane "dssii" (lane_vec/lane used when has_lane). */
static void emit_simd_load(struct cgen *g, const u32 *ip, u32 bytes,
                           const char *fn, bool has_lane) {
  struct text *t = &g->body;
  wf_cg_put(t, "  {\n");
  wf_cg_address(g, ip[2], has_lane ? ip[4] : ip[3], bytes);
  wf_cg_put(t, "    const u8 *p = mem + ea;\n  ");
  vdst(g, ip[1]);
  wf_cg_putf(t, "%s(", fn);
  if (has_lane) {
    wf_cg_var(g, ip[3], 'v');
    wf_cg_putf(t, ", %uu, ", ip[5]);
  }
  wf_cg_put(t, "p);\n");
  /* As for scalar loads: with guard pages the access is the check. */
  if (!g->opts->explicit_bounds_checks) {
    wf_cg_put(t, "    WF_PIN_V(");
    wf_cg_var(g, ip[1], 'v');
    wf_cg_putf(t, ", p + %u);\n", bytes - 1);
  }
  wf_cg_put(t, "  }\n");
}

/* v128.store "ssi" and store_lane "ssii". */
static void emit_simd_store(struct cgen *g, const u32 *ip, u32 bytes,
                            const char *fn, bool has_lane) {
  struct text *t = &g->body;
  wf_cg_put(t, "  {\n");
  wf_cg_address(g, ip[1], ip[3], bytes);
  wf_cg_put(t, "    u8 *p = mem + ea;\n");
  /* A store that straddles the end must not write its in-bounds part
  ** first: probe its last byte where one store may become several. */
  if (!g->opts->explicit_bounds_checks)
    wf_cg_putf(t, "    WF_PROBE_V(p + %u);\n", bytes - 1);
  wf_cg_putf(t, "    %s(p, ", fn);
  wf_cg_var(g, ip[2], 'v');
  if (has_lane)
    wf_cg_putf(t, ", %uu", ip[4]);
  wf_cg_put(t, ");\n");
  if (!g->opts->explicit_bounds_checks)
    wf_cg_put(t, "    WF_STORED(mem);\n");
  wf_cg_put(t, "  }\n");
}

bool wf_cg_emit_simd(struct cgen *g, const u32 *ip, u32 op) {
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
    wf_cg_put(t, "  { static const u8 lanes[16] = {");                         \
    for (u32 i = 0; i < 16; i++)                                               \
      wf_cg_putf(t, "%s%u", i ? ", " : "",                                     \
                 (ip[4 + i / 4] >> (8 * (i % 4))) & 0xff);                     \
    wf_cg_put(t, "};\n  ");                                                    \
    vdst(g, ip[1]);                                                            \
    wf_cg_put(t, #fn "(");                                                     \
    wf_cg_var(g, ip[2], 'v');                                                  \
    wf_cg_put(t, ", ");                                                        \
    wf_cg_var(g, ip[3], 'v');                                                  \
    wf_cg_put(t, ", lanes); }\n");                                             \
    return true;
#define SIMD_SPLAT(name, opc, member, fn)                                      \
  case WF_OP_##name:                                                           \
    vdst(g, ip[1]);                                                            \
    wf_cg_put(t, #fn "(");                                                     \
    scalar_bits(g, ip[2], simd_scalar_letter(#name));                          \
    wf_cg_put(t, ");\n");                                                      \
    return true;
#define SIMD_EXTRACT(name, opc, member, lanes, fn)                             \
  case WF_OP_##name: {                                                         \
    char l = simd_scalar_letter(#name);                                        \
    wf_cg_put(t, "  ");                                                        \
    wf_cg_var(g, ip[1], l);                                                    \
    wf_cg_put(t, l == 'f'   ? " = wf_bits_f32("                                \
                 : l == 'd' ? " = wf_bits_f64("                                \
                            : " = (");                                         \
    wf_cg_put(t, #fn "(");                                                     \
    wf_cg_var(g, ip[2], 'v');                                                  \
    wf_cg_putf(t, ", %uu));\n", ip[3]);                                        \
    return true;                                                               \
  }
#define SIMD_REPLACE(name, opc, member, lanes, fn)                             \
  case WF_OP_##name:                                                           \
    vdst(g, ip[1]);                                                            \
    wf_cg_put(t, #fn "(");                                                     \
    wf_cg_var(g, ip[2], 'v');                                                  \
    wf_cg_putf(t, ", %uu, ", ip[4]);                                           \
    scalar_bits(g, ip[3], simd_scalar_letter(#name));                          \
    wf_cg_put(t, ");\n");                                                      \
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
    wf_cg_put(t, "  ");                                                        \
    wf_cg_var(g, ip[1], 'i');                                                  \
    wf_cg_put(t, " = " #fn "(");                                               \
    wf_cg_var(g, ip[2], 'v');                                                  \
    wf_cg_put(t, ");\n");                                                      \
    return true;
#define SIMD_SHIFT(name, opc, fn)                                              \
  case WF_OP_##name:                                                           \
    vcall(g, ip, #fn, "vi");                                                   \
    return true;
#include "simd.def"
#include "simd_undef.h"
  default: return false;
  }
}

/* Number of units of the instruction at `pc`. */
u32 wf_cg_op_length(const u32 *ops, u32 pc) {
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
bool wf_cg_is_leaf(const struct wf_code *code) {
  const u32 *ops = code->ops;
  if (code->frame_slots > LEAF_MAX_SLOTS)
    return false;
  for (u32 pc = 0; pc < code->nops; pc += wf_cg_op_length(ops, pc))
    if (ops[pc] == WF_OP_CALL || ops[pc] == WF_OP_CALL_INTERNAL ||
        ops[pc] == WF_OP_CALL_INDIRECT || ops[pc] == WF_OP_RETURN_CALL ||
        ops[pc] == WF_OP_RETURN_CALL_INTERNAL ||
        ops[pc] == WF_OP_RETURN_CALL_INDIRECT || ops[pc] == WF_OP_CALL_REF ||
        ops[pc] == WF_OP_RETURN_CALL_REF)
      return false;
  return true;
}

/* Mark every branch target of the function. */
void wf_cg_find_targets(struct cgen *g) {
  const u32 *ops = g->code->ops;
  for (u32 i = 0; i < g->code->nhandlers; i++) /* catch blocks go there */
    if (g->code->handlers[i].tag != WF_DELEGATE)
      g->is_target[g->code->handlers[i].pad] = 1;
  for (u32 pc = 0; pc < g->code->nops; pc += wf_cg_op_length(ops, pc)) {
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
