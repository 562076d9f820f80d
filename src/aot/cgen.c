/*
** cgen.c — ahead-of-time code generation: a validated module to C. Each
** function is lowered again to internal code (the interpreter's own IR, op
** numbers rather than dispatch offsets) and every internal instruction
** becomes a C statement: frame slots become typed C locals, branches become
** gotos, constants become literals. The C compiler sees plain code: memory
** base kept in a local, direct calls between functions, no barriers.
** Pure: writes text through a callback, touches no files.
*/
#include "cgen.h"

/* ---- output ----------------------------------------------------------- */

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

void wf_cg_put(struct text *t, const char *s) { put_n(t, s, strlen(s)); }

void wf_cg_putf(struct text *t, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  size_t n = wf_format_va(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  put_n(t, tmp, n < sizeof tmp ? n : sizeof tmp - 1);
}

/* ---- per-function state ----------------------------------------------- */

char wf_cg_letter_of(u8 valtype) {
  switch (valtype) {
  case WF_I32: return 'i';
  case WF_I64: return 'l';
  case WF_F32: return 'f';
  case WF_F64: return 'd';
  case WF_V128: return 'v';
  default: return 'r';
  }
}

const char *wf_cg_ctype_of(char letter) {
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
void wf_cg_slot_read(struct text *t, char letter, const char *lv) {
  if (letter == 'v')
    wf_cg_putf(t, "wf_v128_load(%s.v128)", lv);
  else
    wf_cg_putf(t, "%s.%s", lv, member_of(letter));
}

/* `lv = <value>;` around a value the caller emits in between. */
void wf_cg_slot_write_begin(struct text *t, char letter, const char *lv) {
  if (letter == 'v')
    wf_cg_putf(t, "wf_v128_store(%s.v128, ", lv);
  else
    wf_cg_putf(t, "%s.%s = ", lv, member_of(letter));
}
void wf_cg_slot_write_end(struct text *t, char letter) {
  wf_cg_put(t, letter == 'v' ? ");" : ";");
}

static bool is_const_slot(const struct cgen *g, u32 slot) {
  return slot >= g->code->nlocal_slots &&
         slot < g->code->nlocal_slots + g->code->nconsts;
}

/* The C expression for `slot` read (or written) as `letter`. */
void wf_cg_var(struct cgen *g, u32 slot, char letter) {
  struct text *t = &g->body;
  if (is_const_slot(g, slot)) {
    weft_slot s = g->code->consts[slot - g->code->nlocal_slots];
    switch (letter) {
    case 'i': wf_cg_putf(t, "0x%xu", s.u32); return;
    case 'l': wf_cg_putf(t, "0x%llxull", (unsigned long long)s.u64); return;
    case 'f': wf_cg_putf(t, "wf_bits_f32(0x%xu)", s.u32); return;
    case 'd':
      wf_cg_putf(t, "wf_bits_f64(0x%llxull)", (unsigned long long)s.u64);
      return;
    case 'v':
      wf_cg_put(t, "wf_v128_load((const u8[16]){");
      for (u32 i = 0; i < 16; i++)
        wf_cg_putf(t, "%s0x%x", i ? ", " : "", s.v128[i]);
      wf_cg_put(t, "})");
      return;
    default: wf_cg_put(t, "((void *)0)"); return;
    }
  }
  g->used[slot] |= bit_of(letter);
  char name[32];
  wf_format(name, sizeof name, "v%u%c", slot, letter);
  wf_cg_put(t, name);
}

/* The lvalue of global `idx`'s value through the function's local copy
** of its cell pointer (declared on entry, emit_globals). In a function
** that calls, global 0's cell is read from the context at each access
** instead: it is mostly LLVM's stack pointer, read and written on entry
** and written again on return, so a local copy held a callee-saved
** register (or a spill slot) across the whole body for those uses,
** where `c`, live across the body anyway for the calls, serves with one
** load at the return. A leaf keeps the copy: there `c` may die early,
** and reading through it would keep it live instead (sha256's block
** function: +7% CPU time; bench/README.md, P12k). */
void wf_cg_global_cell(struct cgen *g, u32 idx, char *lv, size_t size) {
  if (idx == 0 && !g->leaf) {
    wf_format(lv, size, "c->global0->val");
    return;
  }
  if (idx < g->nglobals_all && !g->global_used[idx]) {
    g->global_used[idx] = 1;
    g->global_list[g->nglobal_list++] = idx;
  }
  wf_format(lv, size, "wf_g%u->val", idx);
}

/* The cell pointers of the globals the body used, and their marks
** cleared for the next function. A cell never moves while its instance
** lives, so one load on entry serves every access; global 0 (LLVM's stack
** pointer) has its pointer in the context itself, and a function that
** calls reads it there at each access (wf_cg_global_cell). */
static void emit_globals(struct cgen *g, struct text *out) {
  for (u32 i = 0; i < g->nglobal_list; i++) {
    u32 idx = g->global_list[i];
    if (idx == 0)
      wf_cg_put(out, "  weft_aot_global *const wf_g0 = c->global0;\n");
    else
      wf_cg_putf(out, "  weft_aot_global *const wf_g%u = c->globals[%u];\n",
                 idx, idx);
    g->global_used[idx] = 0;
  }
  g->nglobal_list = 0;
}

/* Reads and writes through a numeric.def member name. */
static char member_letter(const char *member) {
  if (member[0] == 'f' || member[0] == 'b')
    return member[1] == '3' ? 'f' : 'd';
  return member[1] == '3' ? 'i' : 'l';
}

const char *wf_cg_member_ctype(const char *member) {
  if (!strcmp(member, "b32"))
    return "u32";
  if (!strcmp(member, "b64"))
    return "u64";
  return member; /* i32 u32 i64 u64 f32 f64 are typedefs in the prelude */
}

void wf_cg_read_member(struct cgen *g, u32 slot, const char *member) {
  struct text *t = &g->body;
  char l = member_letter(member);
  if (!strcmp(member, "b32") || !strcmp(member, "b64")) {
    wf_cg_put(t, l == 'f' ? "wf_f32_bits(" : "wf_f64_bits(");
    wf_cg_var(g, slot, l);
    wf_cg_put(t, ")");
  } else if (!strcmp(member, "i32") || !strcmp(member, "i64")) {
    wf_cg_putf(t, "(%s)", member);
    wf_cg_var(g, slot, l);
  } else {
    wf_cg_var(g, slot, l);
  }
}

/* `dst = ` then `;` around an expression of the member's type, with the
** member's conversion to the slot's C type (the bits of b32 and b64). */
void wf_cg_write_member_begin(struct cgen *g, u32 slot, const char *member) {
  struct text *t = &g->body;
  wf_cg_put(t, "  ");
  wf_cg_var(g, slot, member_letter(member));
  if (!strcmp(member, "b32"))
    wf_cg_put(t, " = wf_bits_f32((u32)(");
  else if (!strcmp(member, "b64"))
    wf_cg_put(t, " = wf_bits_f64((u64)(");
  else
    wf_cg_putf(t, " = (%s)(", member);
}
void wf_cg_write_member_end(struct cgen *g, const char *member) {
  wf_cg_put(&g->body, member[0] == 'b' ? "));\n" : ");\n");
}

void wf_cg_label_ref(struct cgen *g, u32 field, const u32 *ops) {
  u32 target = (u32)((i32)field + (i32)ops[field]);
  if (!wf_cg_fuel_edge(g, target)) /* a test of fuel not yet tested */
    wf_cg_putf(&g->body, "goto L%u%s;", target, wf_cg_label_suffix(g, target));
}

void wf_cg_trap(struct cgen *g, weft_trap kind) {
  wf_cg_putf(&g->body, "%s(%u);", wf_cg_trap_macro(g), (unsigned)kind);
}

/* The trap of an op in a function's body. Metered code stores the fuel
** on the trap's own (cold) path: a region whose only way to observe the
** fuel is such a trap needs no store on its hot path (cgen_fuel.c). */
const char *wf_cg_trap_macro(const struct cgen *g) {
  return wf_cg_metered(g) ? "TRAP_FUEL" : "TRAP";
}

/* After a call or memory.grow the memory may have moved or grown. With
** guard pages it cannot move and code never reads its size, so nothing
** needs reloading. */
static void reload_memory(struct cgen *g) {
  if (g->has_memory && g->opts->explicit_bounds_checks)
    wf_cg_put(&g->body, "    mem = c->memory->data; msz = c->memory->size;\n");
}

bool wf_cg_metered(const struct cgen *g) { return g->mod->fuel_metering != 0; }

/* After a runtime entry point that may have charged fuel (bulk.c). */
void wf_cg_reload_fuel(struct cgen *g) {
  if (wf_cg_metered(g))
    wf_cg_put(&g->body, "    wf_fuel = *wf_fuel_at;\n");
}

/* After a call that may run Wasm code: memory as above, and the callee's
** fuel use (a function keeps the fuel in a local so blocks charge it
** without reloading through the context). */

void wf_cg_after_call(struct cgen *g) {
  reload_memory(g);
  wf_cg_reload_fuel(g);
  wf_cg_exn_check(g);
}

/* memory.fill/copy of n bytes, inline: the fuel runtime/bulk.c charges
** for the other bulk operations, at the same point (after the bounds
** check, before the work), through the same refuel path as a block. */
void wf_cg_charge_bulk(struct cgen *g) {
  if (wf_cg_metered(g))
    wf_cg_put(&g->body,
              "    { int64_t need = (int64_t)WEFT_FUEL_BULK(n, "
              "WEFT_FUEL_BULK_BYTES);\n"
              "      if (WF_UNLIKELY(wf_fuel < need)) { *wf_fuel_at = wf_fuel; "
              "c->api->refuel(c, need); wf_fuel = *wf_fuel_at; }\n"
              "      wf_fuel -= need; *wf_fuel_at = wf_fuel; }\n");
}

/* ---- functions -------------------------------------------------------- */

void wf_cg_signature(struct text *t, const struct wf_functype *ft,
                     const char *name) {
  wf_cg_put(t, ft->nresults
                   ? wf_cg_ctype_of(wf_cg_letter_of(ft->types[ft->nparams]))
                   : "void");
  wf_cg_putf(t, " %s(weft_aot_ctx *c", name);
  for (u32 i = 0; i < ft->nparams; i++)
    wf_cg_putf(t, ", %s p%u", wf_cg_ctype_of(wf_cg_letter_of(ft->types[i])), i);
  for (u32 i = 1; i < ft->nresults; i++)
    wf_cg_putf(t, ", %s *r%u",
               wf_cg_ctype_of(wf_cg_letter_of(ft->types[ft->nparams + i])), i);
  wf_cg_put(t, ")");
}

static const char *linkage(const struct cgen *g) {
  return g->opts->nchunks > 1 ? "__attribute__((visibility(\"hidden\"))) "
                              : "static ";
}

bool wf_cg_in_piece(const struct cgen *g, u32 def) {
  const u8 *only = g->opts->only;
  return !only || (only[def / 8] >> (def % 8)) & 1;
}

static bool in_chunk(const struct cgen *g, u32 def) {
  return wf_cg_in_piece(g, def) && def >= g->chunk_lo && def < g->chunk_hi;
}

/* Code bytes def adds to its chunk: none when a piece leaves it out. */
static u64 chunk_bytes(const struct cgen *g, u32 def) {
  return wf_cg_in_piece(g, def) ? g->m->funcs[def].code.len : 0;
}

/* The chunk's functions: a run of neighbours holding about 1/nchunks of
** the code bytes (of the piece's functions, when it is a piece).
** Neighbours, not every nchunks-th function, because a compiler emits a
** caller near its callees (static helpers before their use), and only
** calls within one translation unit can be inlined. */
static void chunk_range(struct cgen *g) {
  const struct wf_module *m = g->m;
  u32 n = g->opts->nchunks;
  g->chunk_lo = 0;
  g->chunk_hi = m->nfuncs;
  if (n <= 1)
    return;
  u64 total = 0, at = 0;
  for (u32 def = 0; def < m->nfuncs; def++)
    total += chunk_bytes(g, def);
  u64 lo = total * g->opts->chunk / n, hi = total * (g->opts->chunk + 1) / n;
  g->chunk_lo = g->chunk_hi = m->nfuncs;
  for (u32 def = 0; def < m->nfuncs; def++) {
    /* a function belongs to the chunk its first byte falls in */
    if (at >= lo && g->chunk_lo == m->nfuncs)
      g->chunk_lo = def;
    if (at >= hi) {
      g->chunk_hi = def;
      break;
    }
    at += chunk_bytes(g, def);
  }
  if (g->chunk_hi < g->chunk_lo)
    g->chunk_hi = g->chunk_lo;
}

/* Frames up to this size fit in the margin the runtime leaves below the
** native stack floor (runtime/call.c); larger ones are checked whole. */
#define SMALL_FRAME_BYTES 4096u

/* Call depth (when the function counts it, cgen_depth.c) and native
** stack on entry (prelude.h, WF_ENTER and WF_STACK). The stack pointer
** (after the prologue: the frame's lowest address) tells the native stack
** depth; a function with many locals also needs its whole frame above the
** floor, at most 16 bytes per C local. A failed check gives the call back
** before trapping, so the count stays exact. */
static void stack_check(struct cgen *g, struct text *out, size_t nslots) {
  u64 bytes = 0;
  for (size_t slot = 0; slot < nslots; slot++)
    for (u8 used = g->used[slot]; used; used &= (u8)(used - 1))
      bytes += 16;
  const char *check = g->counting ? "WF_ENTER" : "WF_STACK";
  if (bytes > SMALL_FRAME_BYTES)
    wf_cg_putf(out, "  %s_FRAME(c, %lluu, wf_exhausted);\n", check,
               (unsigned long long)bytes);
  else
    wf_cg_putf(out, "  %s(c, wf_exhausted);\n", check);
  wf_cg_putf(out, "  if (0) {\n  wf_exhausted:\n%s    TRAP(%u);\n  }\n",
             g->counting ? "    c->depth_left++;\n" : "",
             (unsigned)WEFT_TRAP_STACK_EXHAUSTED);
}

static void emit_restart(struct cgen *g, const struct wf_code *code);
static void emit_trampoline(struct cgen *g, struct text *out, u32 def);

static weft_status emit_function(struct cgen *g, struct text *out, u32 def) {
  const struct wf_module *m = g->m;
  struct wf_code *code;
  weft_status s = wf_lower_func(g->a, m, def, NULL, g->mod->fuel_metering != 0,
                                &code, g->err);
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
    wf_cg_find_targets(g);
    g->leaf = !g->in_tail_body && wf_cg_is_leaf(code);
    g->counting = !g->leaf && g->counts_depth[def];
    g->table0_used = false;
    wf_cg_emit_body(g);
    if (g->self_tail)
      emit_restart(g, code);
    if (g->eh)
      wf_cg_emit_unwinding(g);
    char name[32];
    wf_format(name, sizeof name, "%sf%u", g->pfx, def);
    u32 funcidx = m->nfunc_imports + def;
    const char *fname = funcidx < m->nfunc_names ? m->func_names[funcidx] : 0;
    wf_cg_putf(out, "\n/* func %u", funcidx);
    if (fname && !strstr(fname, "*/"))
      wf_cg_putf(out, " %s", fname);
    wf_cg_put(out, " */\n");
    wf_cg_put(out, linkage(g));
    if (g->in_tail_body)
      wf_cg_putf(out, "void *%st%u(weft_aot_ctx *c, weft_aot_value *s)", g->pfx,
                 def);
    else
      wf_cg_signature(out, g->type, name);
    wf_cg_put(out, " {\n");
    if (g->has_memory)
      wf_cg_put(
          out, g->opts->explicit_bounds_checks
                   ? "  u8 *mem = c->memory->data; u64 msz = c->memory->size;\n"
                   : "  u8 *const mem = c->mem0_data;\n");
    if (!g->leaf)
      stack_check(g, out, nslots);
    emit_globals(g, out);
    if (g->table0_used)
      wf_cg_put(out, "  weft_aot_table *const wf_tb0 = c->table0;\n");
    if (wf_cg_metered(g))
      /* The pointer in a local: without strict aliasing every store to
      ** linear memory would otherwise reload it from the context. */
      wf_cg_put(out, "  int64_t *const wf_fuel_at = c->fuel;\n"
                     "  int64_t wf_fuel = *wf_fuel_at;\n");
    for (u32 slot = 0; slot < nslots; slot++) {
      static const char letters[] = "ildfrv";
      for (u32 k = 0; k < 6; k++) {
        if (!(g->used[slot] & bit_of(letters[k])))
          continue;
        wf_cg_putf(out, "  %s v%u%c = ", wf_cg_ctype_of(letters[k]), slot,
                   letters[k]);
        if (slot < g->type->nparams &&
            letters[k] == wf_cg_letter_of(g->type->types[slot])) {
          char lv[16];
          wf_format(lv, sizeof lv, "s[%u]", slot);
          if (g->in_tail_body)
            wf_cg_slot_read(out, letters[k], lv);
          else
            wf_cg_putf(out, "p%u", slot);
          wf_cg_put(out, ";\n");
        } else {
          wf_cg_put(out, letters[k] == 'v' ? "{0};\n" : "0;\n");
        }
      }
    }
    if (g->self_tail)
      wf_cg_put(out, "wf_start:;\n");
    put_n(out, g->body.buf, g->body.len);
    wf_cg_put(out, "  __builtin_unreachable();\n}\n");
    if (g->in_tail_body)
      emit_trampoline(g, out, def);
    if (g->body.failed)
      s = wf_error_set(g->err, WEFT_ERR_NOMEM, "out of memory generating C");
  }
  wf_cg_loops_end(g);
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
  wf_cg_put(t, "wf_restart:;\n");
  for (u32 slot = code->nparams; slot < code->nlocals; slot++)
    for (u32 k = 0; k < 6; k++)
      if (g->used[slot] & bit_of(letters[k]))
        wf_cg_putf(t, "  __builtin_memset(&v%u%c, 0, sizeof v%u%c);\n", slot,
                   letters[k], slot, letters[k]);
  wf_cg_put(t, "  goto wf_start;\n");
}

/* The typed entry of a trampoline body: arguments into the slot array,
** then run bodies until one returns (tail calls, above). */
static void emit_trampoline(struct cgen *g, struct text *out, u32 def) {
  const struct wf_functype *ft = g->type;
  char name[32], lv[16];
  wf_format(name, sizeof name, "%sf%u", g->pfx, def);
  wf_cg_put(out, linkage(g));
  wf_cg_signature(out, ft, name);
  wf_cg_putf(out, " {\n  weft_aot_value s[%u];\n", g->tail_slots);
  for (u32 i = 0; i < ft->nparams; i++) {
    char l = wf_cg_letter_of(ft->types[i]);
    wf_format(lv, sizeof lv, "s[%u]", i);
    wf_cg_put(out, "  ");
    wf_cg_slot_write_begin(out, l, lv);
    wf_cg_putf(out, "p%u", i);
    wf_cg_slot_write_end(out, l);
    wf_cg_put(out, "\n");
  }
  wf_cg_putf(out,
             "  void *next = (void *)%st%u;\n"
             "  do next = ((wf_tail_fn)next)(c, s); while (next);\n",
             g->pfx, def);
  for (u32 i = 1; i < ft->nresults; i++) {
    wf_format(lv, sizeof lv, "s[%u]", i);
    wf_cg_putf(out, "  *r%u = ", i);
    wf_cg_slot_read(out, wf_cg_letter_of(ft->types[ft->nparams + i]), lv);
    wf_cg_put(out, ";\n");
  }
  if (ft->nresults) {
    wf_cg_put(out, "  return ");
    wf_cg_slot_read(out, wf_cg_letter_of(ft->types[ft->nparams]), "s[0]");
    wf_cg_put(out, ";\n");
  }
  wf_cg_put(out, "}\n");
}

/* Each trampoline body by its typed entry, for return_call_indirect: a
** table element is entered as a body when it is one of these (a linear
** search, so the code stays linear in the module's size). */
static void emit_tail_map(struct cgen *g, struct text *out) {
  wf_cg_putf(out,
             "static const struct { const void *typed; void *body; } "
             "%stail_map[] __attribute__((unused)) = {\n",
             g->pfx);
  for (u32 d = 0; d < g->m->nfuncs; d++)
    if (g->tail_body[d])
      wf_cg_putf(out, "  {(const void *)%sf%u, (void *)%st%u},\n", g->pfx, d,
                 g->pfx, d);
  wf_cg_put(out, "};\n");
}

/* Slot-ABI wrapper: the runtime's way into a typed function. */
static void emit_wrapper(struct cgen *g, struct text *out, u32 def) {
  const struct wf_functype *ft = &g->m->types[g->m->funcs[def].typeidx];
  wf_cg_putf(out, "%svoid %sw%u(weft_aot_ctx *c, weft_aot_value *s) {\n",
             linkage(g), g->pfx, def);
  char lv[16];
  wf_cg_put(out, "  ");
  for (u32 i = 1; i < ft->nresults; i++)
    wf_cg_putf(out, "%s r%u; ",
               wf_cg_ctype_of(wf_cg_letter_of(ft->types[ft->nparams + i])), i);
  char l0 = ft->nresults ? wf_cg_letter_of(ft->types[ft->nparams]) : 0;
  if (ft->nresults)
    wf_cg_slot_write_begin(out, l0, "s[0]");
  wf_cg_putf(out, "%sf%u(c", g->pfx, def);
  for (u32 i = 0; i < ft->nparams; i++) {
    wf_format(lv, sizeof lv, "s[%u]", i);
    wf_cg_put(out, ", ");
    wf_cg_slot_read(out, wf_cg_letter_of(ft->types[i]), lv);
  }
  for (u32 i = 1; i < ft->nresults; i++)
    wf_cg_putf(out, ", &r%u", i);
  wf_cg_put(out, ")");
  if (ft->nresults)
    wf_cg_slot_write_end(out, l0);
  else
    wf_cg_put(out, ";");
  wf_cg_put(out, "\n");
  for (u32 i = 1; i < ft->nresults; i++) {
    char l = wf_cg_letter_of(ft->types[ft->nparams + i]);
    wf_format(lv, sizeof lv, "s[%u]", i);
    wf_cg_put(out, "  ");
    wf_cg_slot_write_begin(out, l, lv);
    wf_cg_putf(out, "r%u", i);
    wf_cg_slot_write_end(out, l);
    wf_cg_put(out, "\n");
  }
  wf_cg_put(out, "}\n");
}

static void emit_module_table(struct cgen *g, struct text *out) {
  u32 n = g->m->nfuncs;
  const char *p = g->pfx;
  wf_cg_putf(out, "\nstatic const weft_aot_slot_fn %sslot_fns[%u] = {", p,
             n ? n : 1);
  /* A function left out of a piece has NULL entries: the runtime runs it. */
  for (u32 i = 0; i < n; i++)
    if (wf_cg_in_piece(g, i))
      wf_cg_putf(out, "%s%sw%u", i ? ", " : "", p, i);
    else
      wf_cg_put(out, i ? ", 0" : "0");
  if (!n)
    wf_cg_put(out, "0");
  wf_cg_putf(out, "};\nstatic void *const %styped_fns[%u] = {", p, n ? n : 1);
  for (u32 i = 0; i < n; i++)
    if (wf_cg_in_piece(g, i))
      wf_cg_putf(out, "%s(void *)%sf%u", i ? ", " : "", p, i);
    else
      wf_cg_put(out, i ? ", 0" : "0");
  if (!n)
    wf_cg_put(out, "0");
  /* a batch entry's table is WEFT_AOT_SYMBOL "_N" (weft_aot_build.h) */
  wf_cg_put(
      out, "};\n__attribute__((visibility(\"default\"))) const weft_aot_module "
           "weft_aot_module_v1");
  if (g->opts->batched)
    wf_cg_putf(out, "_%u", g->opts->batch_index);
  wf_cg_putf(out, " = {\n  %u, %u, %u, %u, %sslot_fns, %styped_fns,\n  {",
             WEFT_AOT_ABI, n, g->opts->explicit_bounds_checks ? 1u : 0u,
             g->mod->fuel_metering ? 1u : 0u, p, p);
  for (u32 i = 0; i < 32; i++)
    wf_cg_putf(out, "%s0x%x", i ? ", " : "", g->opts->module_sha256[i]);
  wf_cg_putf(out, "}, %u};\n", g->eh ? 1u : 0u);
}

weft_status weft_module_emit_c(const weft_module *mod,
                               const weft_aot_options *opts, weft_c_sink write,
                               void *user, weft_error *err) {
  wf_error_clear(err);
  struct cgen g;
  memset(&g, 0, sizeof g);
  /* A copy of the module's allocator: its counters are this call's, so
  ** threads may generate C from one shared module at once. */
  struct wf_alloc a = mod->alloc;
  g.a = &a;
  g.mod = mod;
  g.m = &mod->m;
  g.opts = opts;
  g.err = err;
  g.has_memory = wf_module_memory_count(g.m) > 0;
  g.body.a = g.a;
  if (opts->nchunks > 1 && opts->chunk >= opts->nchunks)
    return wf_error_set(err, WEFT_ERR_ARG, "chunk %u of %u", opts->chunk,
                        opts->nchunks);
  if (opts->batched && opts->nchunks > 1)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "a batch entry is one chunk (asked for %u)",
                        opts->nchunks);
  if (opts->batched)
    wf_format(g.pfx, sizeof g.pfx, "wm%u_", opts->batch_index);
  else
    wf_format(g.pfx, sizeof g.pfx, "wf_");
  struct text out = {g.a, NULL, 0, 0, false};
  weft_status s = WEFT_OK;
  if (!opts->batched || !opts->prelude_done) {
    wf_cg_put(
        &out,
        "/* Generated by weft from a WebAssembly module. Do not edit. */\n");
    wf_cg_put(&out, wf_aot_prelude);
    wf_cg_put(&out, "\n#define TRAP(k) do { c->api->trap(c, (k)); "
                    "__builtin_unreachable(); } while (0)\n");
    /* wf_fuel is exact wherever an op can trap (cgen_fuel.c). */
    wf_cg_put(&out, "#define TRAP_FUEL(k) do { *wf_fuel_at = wf_fuel; "
                    "TRAP(k); } while (0)\n");
    /* A FUEL op's rare path (cgen_fuel.c): put back the charges taken
    ** in advance, then pay each, asking the engine (its hook) for more
    ** first when short, exactly as the interpreter does. Out of line, and
    ** putting back in here, so the charge keeps no copy of the fuel before
    ** it: a subtract and a branch. wf_fuel_pay takes the costs a byte each
    ** (the first lowest, up to the first zero), so its call is small;
    ** wf_fuel_pay_each takes one cost (and what to put back first) for a
    ** list that does not pack. */
    wf_cg_put(&out, "static __attribute__((noinline, cold, unused)) int64_t\n"
                    "wf_fuel_pay_each(weft_aot_ctx *c, int64_t fuel, "
                    "int64_t back, int64_t need) {\n"
                    "  fuel += back;\n"
                    "  if (fuel < need) { *c->fuel = fuel; "
                    "c->api->refuel(c, need); fuel = *c->fuel; }\n"
                    "  return fuel - need;\n}\n");
    wf_cg_put(&out, "static __attribute__((noinline, cold, unused)) int64_t\n"
                    "wf_fuel_pay(weft_aot_ctx *c, int64_t fuel, u64 costs) "
                    "{\n"
                    "  for (u64 k = costs; k; k >>= 8)\n"
                    "    fuel += (int64_t)(k & 0xff);\n"
                    "  for (; costs; costs >>= 8)\n"
                    "    fuel = wf_fuel_pay_each(c, fuel, 0, "
                    "(int64_t)(costs & 0xff));\n"
                    "  return fuel;\n}\n");
    /* A counted loop's entry test of one of its addresses (cgen_span.c):
    ** start + k*step for k < trips stays a u32 (no wrap), and `reach`
    ** bytes from its larger end lie within the memory. */
    wf_cg_put(&out, "static inline __attribute__((unused)) int\n"
                    "wf_span(const weft_aot_ctx *c, u32 start, int64_t step, "
                    "u64 trips, u64 reach) {\n"
                    "  int64_t last = (int64_t)start + step * (int64_t)(trips "
                    "- 1);\n"
                    "  int64_t hi = last > (int64_t)start ? last : "
                    "(int64_t)start;\n"
                    "  return last >= 0 && last <= 0xffffffffll &&\n"
                    "         (u64)hi + reach <= c->memory->size;\n}\n");
  }
  if (opts->batched)
    wf_cg_putf(&out, "\n/* ---- batch entry %u */\n", opts->batch_index);
  chunk_range(&g);
  g.nglobals_all = wf_module_global_count(g.m);
  if (g.nglobals_all) {
    g.global_used = wf_alloc_zero(g.a, g.nglobals_all);
    g.global_list = wf_alloc_zero(g.a, (size_t)g.nglobals_all * sizeof(u32));
    if (!g.global_used || !g.global_list)
      s = wf_error_set(err, WEFT_ERR_NOMEM, "out of memory generating C");
  }
  if (s == WEFT_OK)
    s = wf_cg_scan(&g);
  /* A piece calls what it leaves out through the runtime: a tail call
  ** there would grow the native stack, and an exception would cross
  ** engines; such modules are compiled whole. */
  if (s == WEFT_OK && opts->only && (g.tail_body || g.eh))
    s = wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                     "a module with tail calls or exceptions is compiled "
                     "whole, not in pieces");
  if (g.tail_body) /* repeated by later entries of a batch: C11 allows it */
    wf_cg_put(
        &out,
        "typedef void *(*wf_tail_fn)(weft_aot_ctx *, weft_aot_value *);\n");
  /* Declarations of every function and wrapper (chunks call each other). */
  for (u32 def = 0; def < g.m->nfuncs; def++) {
    const struct wf_functype *ft = &g.m->types[g.m->funcs[def].typeidx];
    char name[32];
    if (!wf_cg_in_piece(&g, def))
      continue;
    wf_format(name, sizeof name, "%sf%u", g.pfx, def);
    wf_cg_put(&out, linkage(&g));
    wf_cg_signature(&out, ft, name);
    wf_cg_putf(&out, ";\n%svoid %sw%u(weft_aot_ctx *c, weft_aot_value *s);\n",
               linkage(&g), g.pfx, def);
    if (g.tail_body && g.tail_body[def])
      wf_cg_putf(&out, "%svoid *%st%u(weft_aot_ctx *c, weft_aot_value *s);\n",
                 linkage(&g), g.pfx, def);
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
  wf_alloc_free(g.a, g.counts_depth, (size_t)g.m->nfuncs + 1);
  if (g.sites)
    wf_alloc_free(g.a, g.sites, (size_t)g.sites_cap * sizeof(u32));
  if (g.global_used)
    wf_alloc_free(g.a, g.global_used, g.nglobals_all);
  if (g.global_list)
    wf_alloc_free(g.a, g.global_list, (size_t)g.nglobals_all * sizeof(u32));
  return s;
}
