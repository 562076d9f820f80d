/*
** wat_ops.c — the instruction-name table: wat_instr.def plus the pure
** numeric operators of src/ir/numeric.def and the SIMD instructions of
** src/ir/simd.def, whose macro names (I32_ADD, I8X16_SHUFFLE) become
** text names by lowering the case and turning the first '_' into '.'. The
** map is built per parse in tracked memory (no global mutable state).
*/
#include <string.h>

#include "wat.h"

#define ALIGN_LOG2(b)                                                          \
  ((b) >= 16 ? 4 : (b) >= 8 ? 3 : (b) >= 4 ? 2 : (b) >= 2 ? 1 : 0)

static const struct wat_op ops[] = {
#define INSTR(name, opc, imm, arg) {name, opc, imm, arg, 0},
#include "wat_instr.def"
#undef INSTR
#define UN(NAME, OPC, ...) {#NAME, OPC, IMM_NONE, 0, 1},
#define BIN(NAME, OPC, ...) {#NAME, OPC, IMM_NONE, 0, 1},
#include "numeric.def"
#undef UN
#undef BIN
#define SIMD_OP(NAME, OPC, IMM, ARG)                                           \
  {#NAME, WAT_SIMD_BASE + (OPC), IMM, ARG, 1},
#define SIMD_LOAD(NAME, OPC, BYTES, ...)                                       \
  SIMD_OP(NAME, OPC, IMM_MEMARG, ALIGN_LOG2(BYTES))
#define SIMD_STORE(NAME, OPC, BYTES, ...)                                      \
  SIMD_OP(NAME, OPC, IMM_MEMARG, ALIGN_LOG2(BYTES))
#define SIMD_LOAD_LANE(NAME, OPC, BYTES, ...)                                  \
  SIMD_OP(NAME, OPC, IMM_MEMARG_LANE, ALIGN_LOG2(BYTES))
#define SIMD_STORE_LANE(NAME, OPC, BYTES, ...)                                 \
  SIMD_OP(NAME, OPC, IMM_MEMARG_LANE, ALIGN_LOG2(BYTES))
#define SIMD_CONST(NAME, OPC) SIMD_OP(NAME, OPC, IMM_V128, 0)
#define SIMD_SHUFFLE(NAME, OPC, ...) SIMD_OP(NAME, OPC, IMM_SHUFFLE, 0)
#define SIMD_SPLAT(NAME, OPC, ...) SIMD_OP(NAME, OPC, IMM_NONE, 0)
#define SIMD_EXTRACT(NAME, OPC, ...) SIMD_OP(NAME, OPC, IMM_LANE, 0)
#define SIMD_REPLACE(NAME, OPC, ...) SIMD_OP(NAME, OPC, IMM_LANE, 0)
#define SIMD_UN(NAME, OPC, ...) SIMD_OP(NAME, OPC, IMM_NONE, 0)
#define SIMD_BIN(NAME, OPC, ...) SIMD_OP(NAME, OPC, IMM_NONE, 0)
#define SIMD_TERN(NAME, OPC, ...) SIMD_OP(NAME, OPC, IMM_NONE, 0)
#define SIMD_TEST(NAME, OPC, ...) SIMD_OP(NAME, OPC, IMM_NONE, 0)
#define SIMD_SHIFT(NAME, OPC, ...) SIMD_OP(NAME, OPC, IMM_NONE, 0)
#include "simd.def"
#include "simd_undef.h"
#undef SIMD_OP
};

#define NOPS (sizeof ops / sizeof ops[0])
#define MAP_CAP 2048u /* a power of two, over twice NOPS */

struct opmap {
  struct {
    const char *name;
    uint32_t len;
    const struct wat_op *op;
  } slot[MAP_CAP];
};

static uint32_t name_hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

/* "I32_TRUNC_SAT_F32_S" -> "i32.trunc_sat_f32_s" */
static const char *text_name(struct wat *w, const struct wat_op *op) {
  size_t n = strlen(op->name);
  char *s = wat_strndup(w, op->name, n);
  bool dotted = false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] >= 'A' && s[i] <= 'Z')
      s[i] = (char)(s[i] - 'A' + 'a');
    else if (s[i] == '_' && !dotted) {
      s[i] = '.';
      dotted = true;
    }
  }
  return s;
}

static void build(struct wat *w) {
  w->ops = wat_alloc(w, sizeof *w->ops);
  memset(w->ops, 0, sizeof *w->ops);
  for (size_t k = 0; k < NOPS; k++) {
    const char *name = ops[k].macro ? text_name(w, &ops[k]) : ops[k].name;
    uint32_t len = (uint32_t)strlen(name);
    uint32_t i = name_hash(name, len) & (MAP_CAP - 1);
    while (w->ops->slot[i].name)
      i = (i + 1) & (MAP_CAP - 1);
    w->ops->slot[i].name = name;
    w->ops->slot[i].len = len;
    w->ops->slot[i].op = &ops[k];
  }
}

const struct wat_op *wat_op_find(struct wat *w, uint32_t tok) {
  const struct wat_tok *t = &w->toks[tok];
  const char *s = w->src + t->off;
  if (t->kind != TOK_KEYWORD)
    return NULL;
  if (!w->ops)
    build(w);
  for (uint32_t i = name_hash(s, t->len) & (MAP_CAP - 1);;
       i = (i + 1) & (MAP_CAP - 1)) {
    if (!w->ops->slot[i].name)
      return NULL;
    if (w->ops->slot[i].len == t->len &&
        memcmp(w->ops->slot[i].name, s, t->len) == 0)
      return w->ops->slot[i].op;
  }
}

void wat_emit_opcode(struct wat *w, struct wbuf *b, uint32_t opcode) {
  if (opcode >= WAT_SIMD_BASE) {
    wb_byte(w, b, 0xfd);
    wb_u32(w, b, opcode - WAT_SIMD_BASE);
  } else if (opcode >= WAT_GC_BASE) {
    wb_byte(w, b, 0xfb);
    wb_u32(w, b, opcode - WAT_GC_BASE);
  } else if (opcode >= 0xfc00) {
    wb_byte(w, b, 0xfc);
    wb_u32(w, b, opcode - 0xfc00);
  } else {
    wb_byte(w, b, (uint8_t)opcode);
  }
}
