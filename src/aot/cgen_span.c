/*
** cgen_span.c — a counted loop's memory accesses proved in bounds on
** entry, so that its other copy (cgen_loop.c) need not store the fuel,
** pin its loads or check its accesses, and addresses memory through
** span pointers (below).
**
** Without fuel the same proof is the only reason to copy a loop: in the
** in-bounds copy no access can fault, so no load needs its pin (with
** guard pages a load whose value is unused must still happen: WF_PIN),
** and with explicit checks none needs its check; the C compiler may then
** move, merge or drop accesses as it would in native code.
**
** With guard pages a memory access is its own bounds check: an access
** out of bounds faults, and the fault reports the fuel stored last, so a
** metered block stores its counter before its first access (cgen_fuel.c).
** In a hot loop that store is most of metering's cost: one store a trip
** to an address gcc must assume linear memory may alias. When every
** access of the loop is known on entry to stay in bounds on every trip,
** no access can fault, and the unmetered copy keeps the counter in a
** register: the loop calls nothing, divisions and truncations store it on
** their own trap paths, and a return from inside the loop still stores
** it first (its caller reads it), as does the code after the loop that
** needs it (cgen_fuel.c, region_observes and wf_cg_span_covers).
**
** What is proved. An induction variable is a slot the loop writes once,
** by x = x + d (d a constant), after its last label: every trip that goes
** round passes that op once, so on trip k (k = 0 for the first) x holds
** x0 + k*d at the trip's start, x0 its value on entry. The loop's own
** variable is one (cgen_loop.c checked the same of it), and strength-
** reduced pointers are others. An address read off the code as a sum of
** constants times such values and times slots the loop never writes is
** then, on trip k, start + k*slope (mod 2^32), start its value on entry.
** On trips 0 to trips-1 (trips, the most the loop can run, is what the
** entry test computes) it is a line: if both ends lie in [0, 2^32) the
** 32-bit arithmetic never wrapped, every trip's address lies between
** them, and the larger end plus the access's offset and width within the
** memory's size bounds them all. The entry test checks that (wf_span) for
** each distinct address, and sends the loop to its metered copy, which
** stores as always, when any check fails. The memory cannot shrink, and
** nothing in the loop grows or moves it (loop_op_allowed: no call, no
** memory.grow).
**
** Reading the code: at the head, and at any label inside the loop (the
** paths meeting there may hold different values), every slot the loop
** writes is unknown but the induction variables, whose one write is after
** the last label. An i32 add, sub, copy, or shift or multiply by a
** constant of known values gives a known value. A value that is not
** known may still be bounded, in [lo, hi] on every trip whatever it is:
** a narrow unsigned load, a mask, an unsigned shift right, or a sum, a
** shift left or a product by a constant of bounded values that cannot
** pass 2^32 - 1 (a table indexed by a byte: the span from the table's
** start, not moving, reaching past its last entry). Any other write gives
** an unknown value; an access whose address is neither leaves the loop as
** it was (every access checked by its fault, the fuel stored).
*/
#include "cgen.h"

enum { SPAN_SLOTS = 48, NO_SLOT = ~0u, NEAR = 1 << 16 };
#define COEF_MAX 256
#define SLOPE_MAX ((i64)1 << 30) /* slope * (trips - 1) fits an i64 */

/* A value: known (affine, v), or else bounded (in [lo, hi] on every
** trip), or neither. */
struct sym {
  bool known;
  struct wf_cg_affine v;
  bool bounded;
  u32 lo, hi;
};

struct span_scan {
  const struct cgen *g;
  struct wf_cg_loop *l;
  u32 nwritten;
  u32 written[SPAN_SLOTS]; /* the slots the loop writes */
  u32 writes[SPAN_SLOTS];  /* how many ops write each */
  u32 writer[SPAN_SLOTS];  /* the code index of the last */
  bool is_iv[SPAN_SLOTS];
  i64 step[SPAN_SLOTS]; /* an induction variable's d, signed */
  struct sym val[SPAN_SLOTS];
};

static const struct sym unknown = {
    false, {{NO_SLOT, NO_SLOT}, {0, 0}, 0, 0}, false, 0, 0};

static int written_index(const struct span_scan *s, u32 slot) {
  for (u32 i = 0; i < s->nwritten; i++)
    if (s->written[i] == slot)
      return (int)i;
  return -1;
}

/* Every slot the loop writes, how often and where last; false when there
** are too many to follow. */
static bool collect_writes(struct span_scan *s) {
  const u32 *ops = s->g->code->ops;
  for (u32 pc = s->l->head; pc <= s->l->last; pc += wf_cg_op_length(ops, pc)) {
    const char *lay = op_layout[ops[pc]];
    for (u32 k = 0; ops[pc] != WF_OP_BR_TABLE && lay[k]; k++) {
      if (lay[k] != 'd')
        continue;
      int i = written_index(s, ops[pc + 1 + k]);
      if (i < 0) {
        if (s->nwritten == SPAN_SLOTS)
          return false;
        i = (int)s->nwritten++;
        s->written[i] = ops[pc + 1 + k];
      }
      s->writes[i]++;
      s->writer[i] = pc;
    }
  }
  return true;
}

/* Which written slots are induction variables, and their steps. */
static void find_ivs(struct span_scan *s) {
  const struct cgen *g = s->g;
  const struct wf_cg_loop *l = s->l;
  const u32 *ops = g->code->ops;
  u32 latch = l->head, d;
  /* up to the back edge itself: a fused one may be a label, which a
  ** branch reaches past any step before it */
  for (u32 pc = l->head; pc <= l->last; pc += wf_cg_op_length(ops, pc))
    if (g->is_target[pc])
      latch = pc;
  for (u32 i = 0; i < s->nwritten; i++) {
    u32 x = s->written[i];
    if (s->writes[i] != 1 || s->writer[i] < latch)
      continue;
    if (x == l->iv) { /* its step checked by cgen_loop.c */
      s->step[i] = l->down ? -((i64)1 << l->shift) : (i64)1 << l->shift;
      s->is_iv[i] = l->shift <= 30;
    } else if (s->writer[i] < l->last &&
               wf_cg_step_of(g, s->writer[i], x, &d)) {
      s->step[i] = (i32)d;
      s->is_iv[i] = s->step[i] >= -SLOPE_MAX && s->step[i] <= SLOPE_MAX;
    }
  }
}

/* The state at the head or at a label inside the loop. */
static void forget(struct span_scan *s) {
  for (u32 i = 0; i < s->nwritten; i++) {
    s->val[i] = unknown;
    if (s->is_iv[i])
      s->val[i] = (struct sym){
          true, {{s->written[i], NO_SLOT}, {1, 0}, 0, s->step[i]}, false, 0, 0};
  }
}

static struct sym read_slot(const struct span_scan *s, u32 slot) {
  u32 k;
  int i = written_index(s, slot);
  if (i >= 0)
    return s->val[i];
  if (wf_cg_const_u32(s->g, slot, &k))
    return (struct sym){true, {{NO_SLOT, NO_SLOT}, {0, 0}, k, 0}, false, 0, 0};
  /* a slot the loop never writes: its value on entry throughout */
  return (struct sym){true, {{slot, NO_SLOT}, {1, 0}, 0, 0}, false, 0, 0};
}

/* Add `coef` times `slot` to x's terms; false when a third slot or too
** large a coefficient would be needed. */
static bool add_term(struct wf_cg_affine *x, u32 slot, i64 coef) {
  int free_at = -1;
  for (int j = 0; j < 2; j++) {
    if (x->slot[j] == slot) {
      i64 sum = x->coef[j] + coef;
      if (sum < -COEF_MAX || sum > COEF_MAX)
        return false;
      x->coef[j] = (i32)sum;
      if (sum == 0)
        x->slot[j] = NO_SLOT;
      return true;
    }
    if (x->slot[j] == NO_SLOT && free_at < 0)
      free_at = j;
  }
  if (free_at < 0 || coef < -COEF_MAX || coef > COEF_MAX)
    return false;
  x->slot[free_at] = slot;
  x->coef[free_at] = (i32)coef;
  return true;
}

/* x + sign*y (sign 1 or -1). */
static struct sym add(struct sym x, struct sym y, int sign) {
  if (!x.known || !y.known)
    return unknown;
  for (int j = 0; j < 2; j++)
    if (y.v.slot[j] != NO_SLOT &&
        !add_term(&x.v, y.v.slot[j], sign * (i64)y.v.coef[j]))
      return unknown;
  x.v.c = sign > 0 ? x.v.c + y.v.c : x.v.c - y.v.c;
  x.v.slope += sign * y.v.slope;
  if (x.v.slope < -SLOPE_MAX || x.v.slope > SLOPE_MAX)
    return unknown;
  return x;
}

/* x times the constant k (mod 2^32; the signed k for the slope, which is
** the same modulo 2^32). */
static struct sym scale(struct sym x, u32 k) {
  i64 sk = (i32)k;
  if (!x.known)
    return unknown;
  for (int j = 0; j < 2; j++) {
    if (x.v.slot[j] == NO_SLOT)
      continue;
    i64 coef = x.v.coef[j] * sk;
    if (coef < -COEF_MAX || coef > COEF_MAX)
      return unknown;
    x.v.coef[j] = (i32)coef;
    if (coef == 0)
      x.v.slot[j] = NO_SLOT;
  }
  if (x.v.slope != 0 && (sk < -SLOPE_MAX || sk > SLOPE_MAX))
    return unknown;
  x.v.slope *= sk;
  x.v.c *= k;
  if (x.v.slope < -SLOPE_MAX || x.v.slope > SLOPE_MAX)
    return unknown;
  return x;
}

/* The affine value an op gives its first destination, ip[1]. */
static struct sym affine_value(const struct span_scan *s, const u32 *ip) {
  u32 k;
  switch (ip[0]) {
  case WF_OP_COPY_I32: return read_slot(s, ip[2]);
  case WF_OP_I32_ADD:
  case WF_OP_I32_ADD_I32_LOAD:
  case WF_OP_I32_ADD_I64_LOAD:
  case WF_OP_I32_ADD_F32_LOAD:
  case WF_OP_I32_ADD_F64_LOAD:
  case WF_OP_I32_ADD_BR_IF:
    return add(read_slot(s, ip[2]), read_slot(s, ip[3]), 1);
  case WF_OP_I32_SUB:
  case WF_OP_I32_SUB_BR_IF:
    return add(read_slot(s, ip[2]), read_slot(s, ip[3]), -1);
  case WF_OP_I32_SHL:
    if (!wf_cg_const_u32(s->g, ip[3], &k))
      return unknown;
    return scale(read_slot(s, ip[2]), 1u << (k & 31));
  case WF_OP_I32_MUL:
    if (wf_cg_const_u32(s->g, ip[3], &k))
      return scale(read_slot(s, ip[2]), k);
    if (wf_cg_const_u32(s->g, ip[2], &k))
      return scale(read_slot(s, ip[3]), k);
    return unknown;
  default: return unknown;
  }
}

/* The bounds of x, a constant's or a bounded value's; false for any
** other. */
static bool bounds_of(struct sym x, u32 *lo, u32 *hi) {
  if (x.known && x.v.slot[0] == NO_SLOT && x.v.slot[1] == NO_SLOT &&
      x.v.slope == 0) {
    *lo = *hi = x.v.c;
    return true;
  }
  *lo = x.lo, *hi = x.hi;
  return x.bounded;
}

/* A value in [lo, hi], unknown when hi passes 2^32 - 1. */
static struct sym range(u64 lo, u64 hi) {
  struct sym r = unknown;
  if (hi <= 0xffffffffu) {
    r.bounded = true;
    r.lo = (u32)lo, r.hi = (u32)hi;
  }
  return r;
}

/* The bounds of values that are not affine: a sum of bounded values, a
** mask, a shift or a product by a constant, a narrow unsigned load. */
static struct sym bounded_value(const struct span_scan *s, const u32 *ip) {
  u32 lo, hi, lo2, hi2, k;
  struct sym x = read_slot(s, ip[2]);
  bool xb = bounds_of(x, &lo, &hi);
  switch (ip[0]) {
  case WF_OP_I32_LOAD8_U: return range(0, 0xff);
  case WF_OP_I32_LOAD16_U: return range(0, 0xffff);
  case WF_OP_I32_ADD:
  case WF_OP_I32_ADD_I32_LOAD:
  case WF_OP_I32_ADD_I64_LOAD:
  case WF_OP_I32_ADD_F32_LOAD:
  case WF_OP_I32_ADD_F64_LOAD:
    if (!xb || !bounds_of(read_slot(s, ip[3]), &lo2, &hi2))
      return unknown;
    return range((u64)lo + lo2, (u64)hi + hi2);
  case WF_OP_I32_AND:
    if (bounds_of(read_slot(s, ip[3]), &lo2, &hi2))
      return range(0, xb && hi < hi2 ? hi : hi2);
    return xb ? range(0, hi) : unknown;
  case WF_OP_I32_SHR_U:
    if (!wf_cg_const_u32(s->g, ip[3], &k))
      return unknown;
    return xb ? range(lo >> (k & 31), hi >> (k & 31))
              : range(0, 0xffffffffu >> (k & 31));
  case WF_OP_I32_SHL:
    if (!xb || !wf_cg_const_u32(s->g, ip[3], &k))
      return unknown;
    return range((u64)lo << (k & 31), (u64)hi << (k & 31));
  case WF_OP_I32_MUL:
    if (!xb || !wf_cg_const_u32(s->g, ip[3], &k))
      return unknown;
    return range((u64)lo * k, (u64)hi * k);
  default: return unknown;
  }
}

/* The value an op gives its first destination, ip[1]. */
static struct sym value_of(const struct span_scan *s, const u32 *ip) {
  struct sym v = affine_value(s, ip); /* a copy keeps a bounded value */
  return v.known || v.bounded ? v : bounded_value(s, ip);
}

/* The destinations of the op at `ip` after it ran: the first gets
** value_of, a second (a fused add-then-load's loaded value) is unknown. */
static void step(struct span_scan *s, const u32 *ip) {
  const char *lay = op_layout[ip[0]];
  struct sym v = value_of(s, ip);
  for (u32 k = 0; ip[0] != WF_OP_BR_TABLE && lay[k]; k++) {
    if (lay[k] != 'd')
      continue;
    int i = written_index(s, ip[1 + k]);
    WF_ASSERT(i >= 0); /* collect_writes saw every destination */
    s->val[i] = v;
    v = unknown;
  }
}

/* Where the op at `ip` reads or writes memory 0: its address slot,
** offset and width; false for an op that does not. */
static bool access_of(const u32 *ip, u32 *addr, u32 *off, u32 *width) {
  u32 op = ip[0];
  if (op >= WF_OP_I32_LOAD && op <= WF_OP_I64_STORE32) {
    *addr = op >= WF_OP_I32_STORE ? ip[1] : ip[2]; /* "ssi" : "dsi" */
    *off = ip[3];
    *width = wf_cg_access_width(op);
    WF_ASSERT(*width != 0);
    return true;
  }
  switch (op) {
  case WF_OP_I32_ADD_I32_LOAD:
  case WF_OP_I32_ADD_F32_LOAD:
    *addr = ip[1], *off = ip[5], *width = 4;
    return true;
  case WF_OP_I32_ADD_I64_LOAD:
  case WF_OP_I32_ADD_F64_LOAD:
    *addr = ip[1], *off = ip[5], *width = 8;
    return true;
  case WF_OP_F64_ADD_F64_STORE:
  case WF_OP_F64_SUB_F64_STORE:
  case WF_OP_F64_MUL_F64_STORE:
    *addr = ip[4], *off = ip[5], *width = 8;
    return true;
  default: return false;
  }
}

/* Whether the op, in a loop whose accesses were proved in bounds, cannot
** observe the fuel: a memory 0 access that wf_cg_loop_spans followed
** (it cannot fault), or memory.size. */
bool wf_cg_span_covers(u32 op) {
  return op == WF_OP_MEMORY_SIZE || wf_cg_access_width(op) != 0 ||
         (op >= WF_OP_I32_ADD_I32_LOAD && op <= WF_OP_I32_ADD_F64_LOAD) ||
         op == WF_OP_F64_ADD_F64_STORE || op == WF_OP_F64_SUB_F64_STORE ||
         op == WF_OP_F64_MUL_F64_STORE;
}

/* Whether x and y differ only by a small constant. */
static bool near_address(const struct wf_cg_affine *x,
                         const struct wf_cg_affine *y) {
  i32 d = (i32)(y->c - x->c);
  return x->slot[0] == y->slot[0] && x->slot[1] == y->slot[1] &&
         x->coef[0] == y->coef[0] && x->coef[1] == y->coef[1] &&
         x->slope == y->slope && d >= -NEAR && d <= NEAR;
}

/* Record an access at address `at`. Addresses that differ by a constant
** (a[i], a[i+1]) share a span from the lowest: with every byte up to its
** reach within the memory, below 2^32, no address between wrapped. A
** bounded address is a span from its least value that does not move
** (slope 0), reaching past its greatest; its access is not addressed
** through the span pointer (its distance from it is not a constant). */
static bool note_access(struct span_scan *s, u32 pc, struct sym at, u32 off,
                        u32 width) {
  struct wf_cg_loop *l = s->l;
  u64 reach = (u64)off + width;
  u32 i = 0;
  bool fixed = at.known; /* a constant distance from the span's start */
  if (!at.known && !at.bounded)
    return false;
  if (!at.known) {
    reach += at.hi - at.lo;
    at =
        (struct sym){true, {{NO_SLOT, NO_SLOT}, {0, 0}, at.lo, 0}, false, 0, 0};
  }
  while (i < l->nspans && !near_address(&l->spans[i].at, &at.v))
    i++;
  if (i == l->nspans) {
    if (l->nspans == WF_CG_SPANS)
      return false;
    l->spans[l->nspans].at = at.v;
    l->spans[l->nspans++].reach = reach;
  } else {
    i32 d = (i32)(at.v.c - l->spans[i].at.c);
    if (d < 0) { /* the new one is lower: the span starts there */
      l->spans[i].at.c = at.v.c;
      l->spans[i].reach += (u64) - (i64)d;
      d = 0;
    }
    if ((u64)d + reach > l->spans[i].reach)
      l->spans[i].reach = (u64)d + reach;
  }
  if (l->naccesses < WF_CG_SPAN_ACCESSES && fixed)
    l->accesses[l->naccesses++] = (struct wf_cg_span_access){pc, i, at.v.c};
  return true;
}

void wf_cg_loop_spans(const struct cgen *g, struct wf_cg_loop *l) {
  struct span_scan s;
  const u32 *ops = g->code->ops;
  memset(&s, 0, sizeof s);
  s.g = g;
  s.l = l;
  l->nspans = l->naccesses = 0;
  l->in_bounds = false;
  if (!g->has_memory || !collect_writes(&s))
    return;
  find_ivs(&s);
  forget(&s);
  for (u32 pc = l->head; pc < l->last; pc += wf_cg_op_length(ops, pc)) {
    u32 addr, off, width;
    if (pc > l->head && g->is_target[pc])
      forget(&s);
    if (access_of(ops + pc, &addr, &off, &width)) {
      /* a fused add-then-load's address is the sum it writes first */
      bool fused = ops[pc] >= WF_OP_I32_ADD_I32_LOAD &&
                   ops[pc] <= WF_OP_I32_ADD_F64_LOAD;
      if (!note_access(&s, pc,
                       fused ? value_of(&s, ops + pc) : read_slot(&s, addr),
                       off, width))
        return;
    }
    step(&s, ops + pc);
  }
  l->in_bounds = true;
}

/* A span's address on entry, (u32)(coef*slot + ... + c). */
static void put_start(struct cgen *g, const struct wf_cg_affine *v) {
  struct text *t = &g->body;
  wf_cg_put(t, "(u32)(");
  for (int j = 0; j < 2; j++)
    if (v->slot[j] != NO_SLOT) {
      wf_cg_putf(t, "0x%xu * ", (u32)v->coef[j]);
      wf_cg_var(g, v->slot[j], 'i');
      wf_cg_put(t, " + ");
    }
  wf_cg_putf(t, "0x%xu)", v->c);
}

/* The entry test's checks, each "|| !wf_span(...)" (wf_span is in the
** generated prelude, cgen.c): the address on entry, its slope, the trips
** and the bytes reached from it. */
void wf_cg_emit_spans(struct cgen *g, const struct wf_cg_loop *l) {
  struct text *t = &g->body;
  for (u32 i = 0; i < l->nspans; i++) {
    const struct wf_cg_affine *v = &l->spans[i].at;
    wf_cg_put(t, " ||\n        !wf_span(c, ");
    put_start(g, v);
    wf_cg_putf(t, ", %lldll, wf_trips, %lluull)", (long long)v->slope,
               (unsigned long long)l->spans[i].reach);
  }
}

/* Span pointers. On trip k a span's address is exactly its start plus
** k*slope (the entry test proved that no sum wrapped), and an access of
** it lies a constant past that: the span pointer, mem plus the start on
** entry, stepped by the slope where a trip goes round (the back edge, the
** loop's one way round), addresses it without the 32-bit arithmetic,
** which the C compiler could not have seen does not wrap. Named by the
** loop's head and the span's index. */
void wf_cg_declare_span_pointers(struct cgen *g, const struct wf_cg_loop *l) {
  for (u32 i = 0; i < l->nspans; i++)
    wf_cg_putf(&g->body, "  u8 *wf_p%u_%u;\n", l->head, i);
}

void wf_cg_set_span_pointers(struct cgen *g, const struct wf_cg_loop *l) {
  for (u32 i = 0; i < l->nspans; i++) {
    wf_cg_putf(&g->body, "    wf_p%u_%u = mem + ", l->head, i);
    put_start(g, &l->spans[i].at);
    wf_cg_put(&g->body, ";\n");
  }
}

void wf_cg_step_span_pointers(struct cgen *g) {
  const struct wf_cg_loop *l = g->span_loop;
  for (u32 i = 0; i < l->nspans; i++)
    if (l->spans[i].at.slope)
      wf_cg_putf(&g->body, "  wf_p%u_%u += %lld;\n", l->head, i,
                 (long long)l->spans[i].at.slope);
}

bool wf_cg_span_address(struct cgen *g, u32 offset) {
  const struct wf_cg_loop *l = g->span_loop;
  for (u32 i = 0; l && i < l->naccesses; i++) {
    if (l->accesses[i].pc != g->pc)
      continue;
    u32 s = l->accesses[i].span;
    u32 d = l->accesses[i].c - l->spans[s].at.c; /* 0 to the span's reach */
    wf_cg_putf(&g->body, "wf_p%u_%u + %lluu", l->head, s,
               (unsigned long long)d + offset);
    return true;
  }
  return false;
}
