/*
** cgen_bits.c — comparisons of two single bits, with the shift off the
** changing value's path.
**
** A bit test such as CoreMark's CRC step reaches us from clang as
** `(b >> k) & 1 == (crc & 0x8000) >> 15`, the select after it choosing
** the next crc. gcc makes that `((crc >> 15) ^ (b >> k)) & 1`: shift,
** xor, and, then the cmov, four dependent steps on crc per bit. Written
** as `((b << (15 - k) ^ crc) & 0x8000) == 0` the shift is b's alone, and
** crc's path is xor, test, cmov: three, as gcc's native code from the C
** source has.
**
** The generator notes, as it emits straight-line code, which slots hold
** `(src >> shift) & mask` of another slot (a fact); an i32 or i64 eq or
** ne (or the branch fused with one) of two slots each holding one bit,
** mask 1, is then emitted from the sources:
**   ((x >> p) & 1) == ((y >> q) & 1)  <=>  ((x << (q-p) ^ y) & 1<<q) == 0
** for p <= q < width: bit q of x << (q-p) is bit p of x. The operand
** with the higher bit keeps it (a shift register's top bit, CRC and LFSR
** steps, is usually the value that changes); the other's path, shift,
** xor, test, is no longer than both had before, and with p == q nothing
** shifts. The slots still get their values; gcc drops them if unread.
**
** A fact holds while neither its slot nor its source is written: any op
** that writes a slot drops the facts naming it, an op that may write
** slots other than its destinations (calls, and everything not listed in
** plain_writes) drops them all, and so does every label, since a branch
** may arrive there from anywhere.
*/
#include "cgen.h"

void wf_cg_bits_clear(struct cgen *g) { g->nbits = 0; }

static const struct wf_cg_bit *fact_of(const struct cgen *g, u32 slot,
                                       bool wide) {
  for (u32 i = 0; i < g->nbits; i++)
    if (g->bits[i].slot == slot && g->bits[i].wide == wide)
      return &g->bits[i];
  return NULL;
}

/* Drop the facts about `slot` or computed from it. */
static void forget(struct cgen *g, u32 slot) {
  u32 n = 0;
  for (u32 i = 0; i < g->nbits; i++)
    if (g->bits[i].slot != slot && g->bits[i].src != slot)
      g->bits[n++] = g->bits[i];
  g->nbits = n;
}

/* Record `f` (its slot's old facts already forgotten); the oldest goes
** when the table is full. A fact whose source is its own slot is not
** one: the write replaced the source. */
static void remember(struct cgen *g, struct wf_cg_bit f) {
  if (f.src == f.slot)
    return;
  if (g->nbits == WF_CG_BITS) {
    memmove(g->bits, g->bits + 1, (WF_CG_BITS - 1) * sizeof *g->bits);
    g->nbits--;
  }
  g->bits[g->nbits++] = f;
}

/* The fact `slot & k` (k a constant) makes, from slot's own fact if any. */
static struct wf_cg_bit and_fact(const struct cgen *g, u32 d, u32 slot, u64 k,
                                 bool wide) {
  const struct wf_cg_bit *f = fact_of(g, slot, wide);
  if (f)
    return (struct wf_cg_bit){d, f->src, f->shift, f->mask & k, wide};
  return (struct wf_cg_bit){d, slot, 0, k, wide};
}

/* The fact `slot >> k` makes; false when the shifts together reach the
** width (the value is then 0 and no shift of the source says so). */
static bool shr_fact(const struct cgen *g, u32 d, u32 slot, u32 k, bool wide,
                     struct wf_cg_bit *out) {
  u32 width = wide ? 64 : 32;
  u64 ones = wide ? ~0ull : 0xffffffffull;
  const struct wf_cg_bit *f = fact_of(g, slot, wide);
  k &= width - 1; /* as Wasm masks the count */
  if (!f) {
    *out = (struct wf_cg_bit){d, slot, (u8)k, ones >> k, wide};
    return true;
  }
  if (f->shift + k >= width)
    return false;
  *out = (struct wf_cg_bit){d, f->src, (u8)(f->shift + k), f->mask >> k, wide};
  return true;
}

static bool is_const(const struct cgen *g, u32 slot) {
  return slot >= g->code->nlocal_slots &&
         slot < g->code->nlocal_slots + g->code->nconsts;
}

/* A constant operand of a numeric op, as u64 (an i32 one zero-extended). */
static bool const_of(const struct cgen *g, u32 slot, bool wide, u64 *v) {
  if (!is_const(g, slot))
    return false;
  weft_slot s = g->code->consts[slot - g->code->nlocal_slots];
  *v = wide ? s.u64 : s.u32;
  return true;
}

/* The fact a numeric op or copy at `ip` makes, if any: an and with a
** constant (either side) or a shift by one, of a slot that is not one. */
static bool fact_made(const struct cgen *g, const u32 *ip,
                      struct wf_cg_bit *f) {
  u64 k;
  bool wide = ip[0] == WF_OP_I64_AND || ip[0] == WF_OP_I64_SHR_U ||
              ip[0] == WF_OP_COPY_I64;
  switch (ip[0]) {
  case WF_OP_I32_AND:
  case WF_OP_I64_AND: {
    bool swap = is_const(g, ip[2]);
    u32 x = ip[swap ? 3 : 2], kslot = ip[swap ? 2 : 3];
    if (is_const(g, x) || !const_of(g, kslot, wide, &k))
      return false;
    *f = and_fact(g, ip[1], x, k, wide);
    return true;
  }
  case WF_OP_I32_SHR_U:
  case WF_OP_I64_SHR_U:
    return !is_const(g, ip[2]) && const_of(g, ip[3], wide, &k) &&
           shr_fact(g, ip[1], ip[2], (u32)k, wide, f);
  case WF_OP_COPY_I32:
  case WF_OP_COPY_I64: {
    const struct wf_cg_bit *s = fact_of(g, ip[2], wide);
    if (!s)
      return false;
    *f = *s;
    f->slot = ip[1];
    return true;
  }
  default: return false;
  }
}

/* Ops that write their 'd' operands and no other slot. */
static bool plain_writes(u32 op) {
  return op < WF_OP_UNREACHABLE || /* numeric.def */
         (op >= WF_OP_COPY_I32 && op <= WF_OP_GLOBAL_SET) ||
         (op >= WF_OP_BR_IF_I32_EQZ && op <= WF_OP_F64_MUL_F64_STORE) ||
         (op >= WF_OP_I32_LOAD && op <= WF_OP_I64_STORE32) || op == WF_OP_BR ||
         op == WF_OP_BR_IF || op == WF_OP_BR_UNLESS;
}

void wf_cg_bits_note(struct cgen *g, const u32 *ip) {
  u32 op = ip[0];
  if (!plain_writes(op)) {
    wf_cg_bits_clear(g);
    return;
  }
  struct wf_cg_bit f;
  bool made = fact_made(g, ip, &f);
  const char *lay = op_layout[op];
  for (u32 k = 0; lay[k]; k++)
    if (lay[k] == 'd')
      forget(g, ip[1 + k]);
  if (made)
    remember(g, f);
}

/* The comparisons rewritten: op, operand types, == or !=, and for a
** branch the field of its offset (0: a numeric op with a result). */
static const struct {
  u8 op;
  bool wide, ne;
  u8 off;
} compares[] = {
    {WF_OP_I32_EQ, false, false, 0},       {WF_OP_I32_NE, false, true, 0},
    {WF_OP_I64_EQ, true, false, 0},        {WF_OP_I64_NE, true, true, 0},
    {WF_OP_BR_IF_I32_EQ, false, false, 3}, {WF_OP_BR_IF_I32_NE, false, true, 3},
    {WF_OP_BR_IF_I64_EQ, true, false, 3},  {WF_OP_BR_IF_I64_NE, true, true, 3},
};

/* `((x << (q-p) ^ y) & 1<<q) ==/!= 0` for bits a (x, p) and b (y, q),
** p <= q. */
static void put_bit_compare(struct cgen *g, const struct wf_cg_bit *a,
                            const struct wf_cg_bit *b, bool ne) {
  char l = a->wide ? 'l' : 'i';
  wf_cg_put(&g->body, "(((");
  wf_cg_var(g, a->src, l);
  if (b->shift > a->shift)
    wf_cg_putf(&g->body, " << %u", (unsigned)(b->shift - a->shift));
  wf_cg_put(&g->body, ") ^ ");
  wf_cg_var(g, b->src, l);
  wf_cg_putf(&g->body, a->wide ? ") & 0x%llxull) %s 0" : ") & 0x%llxu) %s 0",
             1ull << b->shift, ne ? "!=" : "==");
}

bool wf_cg_emit_bit_compare(struct cgen *g, const u32 *ops, u32 pc) {
  const u32 *ip = ops + pc;
  for (u32 i = 0; i < WF_ARRAY_LEN(compares); i++) {
    if (compares[i].op != ip[0])
      continue;
    u32 sa = ip[compares[i].off ? 1 : 2], sb = ip[compares[i].off ? 2 : 3];
    const struct wf_cg_bit *a = fact_of(g, sa, compares[i].wide),
                           *b = fact_of(g, sb, compares[i].wide);
    if (!a || !b || a->mask != 1 || b->mask != 1)
      return false;
    if (a->shift > b->shift) { /* the higher bit stays where it is */
      const struct wf_cg_bit *t = a;
      a = b;
      b = t;
    }
    if (compares[i].off) {
      wf_cg_put(&g->body, "  if (");
      put_bit_compare(g, a, b, compares[i].ne);
      wf_cg_put(&g->body, ") ");
      wf_cg_label_ref(g, pc + compares[i].off, ops);
      wf_cg_put(&g->body, "\n");
    } else {
      wf_cg_put(&g->body, "  ");
      wf_cg_var(g, ip[1], 'i');
      wf_cg_put(&g->body, " = (u32)(");
      put_bit_compare(g, a, b, compares[i].ne);
      wf_cg_put(&g->body, ");\n");
    }
    return true;
  }
  return false;
}
