/*
** validate.c — module-level validation (WebAssembly 2.0): index spaces,
** limits, constant expressions, segments, exports, start. Function bodies
** are validated elsewhere (interp/lower.c). Fills m->func_declared.
*/
#include "module.h"

#include "reader.h"

struct validator {
  struct wf_alloc *a;
  struct wf_module *m;
  weft_error *err;
  u32 nvisible_globals; /* globals a constant expression may read */
};

#define CHECK(x)                                                               \
  do {                                                                         \
    weft_status check_status_ = (x);                                           \
    if (check_status_ != WEFT_OK)                                              \
      return check_status_;                                                    \
  } while (0)

static const char *const kind_names[] = {"function", "table", "memory",
                                         "global", "tag"};

/* Report `what` (the spec's wording, with optional %u argument) at a byte
** offset of the binary. */
static weft_status invalid_at(struct validator *v, u32 offset, const char *what,
                              u32 arg, bool with_arg) {
  if (v->err)
    v->err->offset = offset;
  if (with_arg)
    return wf_error_set(v->err, WEFT_ERR_INVALID, "at offset 0x%x: %s %u",
                        offset, what, arg);
  return wf_error_set(v->err, WEFT_ERR_INVALID, "at offset 0x%x: %s", offset,
                      what);
}

static weft_status invalid(struct validator *v, const char *what) {
  if (v->err)
    v->err->offset = UINT64_MAX;
  return wf_error_set(v->err, WEFT_ERR_INVALID, "%s", what);
}

static weft_status invalid_u(struct validator *v, const char *what, u32 arg) {
  if (v->err)
    v->err->offset = UINT64_MAX;
  return wf_error_set(v->err, WEFT_ERR_INVALID, "%s %u", what, arg);
}

static weft_status unknown(struct validator *v, u8 kind, u32 idx) {
  if (v->err)
    v->err->offset = UINT64_MAX;
  return wf_error_set(v->err, WEFT_ERR_INVALID, "unknown %s %u",
                      kind_names[kind], idx);
}

/* ---- constant expressions -------------------------------------------- */

/* The extended constant expressions' arithmetic (3.0): i32/i64 add, sub
** and mul, each popping two operands of its type. */
static u8 const_binop_type(u8 op) {
  if (op >= 0x6a && op <= 0x6c)
    return WF_I32;
  if (op >= 0x7c && op <= 0x7e)
    return WF_I64;
  return 0;
}

/* Reads one instruction of a constant expression. Returns the type it
** pushes in *type (0 for `end`). Marks ref.func targets as declared. */
static weft_status const_instr(struct validator *v, struct wf_reader *r,
                               u8 *type) {
  struct wf_module *m = v->m;
  u32 at = wf_reader_offset(r);
  u8 op, t;
  i32 s32;
  i64 s64;
  u32 idx;
  const u8 *p;
  bool ok;
  if (!wf_read_u8(r, &op))
    return invalid_at(v, at, "unexpected end", 0, false);
  switch (op) {
  case 0x0b: *type = 0; return WEFT_OK;
  case 0x41: ok = wf_read_s32(r, &s32), *type = WF_I32; break;
  case 0x42: ok = wf_read_s64(r, &s64), *type = WF_I64; break;
  case 0x43: ok = wf_read_bytes(r, 4, &p), *type = WF_F32; break;
  case 0x44: ok = wf_read_bytes(r, 8, &p), *type = WF_F64; break;
  case 0xd0: { /* ref.null ht: (ref null $t) has the kind of funcref */
    const char *why;
    wf_vt full;
    weft_status s = wf_read_ref_heap(r, m->ntypes, 0x63, &t, &full, &why);
    if (s != WEFT_OK)
      return wf_error_set(v->err, s, "at offset 0x%x: %s", at, why);
    *type = t;
    return WEFT_OK;
  }
  case 0xfd: /* v128.const is the only constant SIMD instruction */
    if (!wf_read_u32(r, &idx))
      return invalid_at(v, at, "malformed constant expression", 0, false);
    if (idx != 12)
      return invalid_at(v, at, "constant expression required", 0, false);
    ok = wf_read_bytes(r, 16, &p), *type = WF_V128;
    break;
  case 0xd2:
    if (!wf_read_u32(r, &idx))
      return invalid_at(v, at, "malformed constant expression", 0, false);
    if (idx >= wf_module_func_count(m))
      return invalid_at(v, at, "unknown function", idx, true);
    m->func_declared[idx] = 1;
    *type = WF_FUNCREF;
    return WEFT_OK;
  case 0x23:
    if (!wf_read_u32(r, &idx))
      return invalid_at(v, at, "malformed constant expression", 0, false);
    /* 3.0: every earlier global (imports, then the defined globals before
    ** the one being initialised); 2.0 (m->wasm_2_0): imports only. */
    if (idx >= v->nvisible_globals)
      return invalid_at(v, at, "unknown global", idx, true);
    if (wf_module_global_type(m, idx).mutable_)
      return invalid_at(v, at, "constant expression required", 0, false);
    *type = wf_module_global_type(m, idx).valtype;
    return WEFT_OK;
  default:
    if (const_binop_type(op)) {
      *type = const_binop_type(op);
      return WEFT_OK;
    }
    return invalid_at(v, at, "constant expression required", 0, false);
  }
  if (!ok)
    return invalid_at(v, at, "malformed constant expression", 0, false);
  return WEFT_OK;
}

/* A constant expression must leave exactly one value of type `want`.
** Operands wait on a stack of at most WF_CONST_DEPTH_MAX values (an
** implementation limit, so evaluating one needs no allocation). */
static weft_status check_const(struct validator *v, struct wf_bytes e,
                               u8 want) {
  struct wf_reader r;
  u8 stack[WF_CONST_DEPTH_MAX];
  u32 depth = 0;
  wf_reader_init(&r, v->m->bytes, e.ptr, e.ptr + e.len);
  for (;;) {
    u8 type = 0;
    u8 op = r.p < r.end ? *r.p : 0;
    CHECK(const_instr(v, &r, &type));
    if (type == 0)
      break;
    if (const_binop_type(op)) {
      if (depth < 2 || stack[depth - 1] != type || stack[depth - 2] != type)
        return invalid_at(v, e.offset, "type mismatch", 0, false);
      depth--;
      continue;
    }
    if (depth == WF_CONST_DEPTH_MAX)
      return wf_error_set(v->err, WEFT_ERR_LIMIT,
                          "at offset 0x%x: constant expression deeper than "
                          "%u operands",
                          e.offset, (unsigned)WF_CONST_DEPTH_MAX);
    stack[depth++] = type;
  }
  if (depth != 1 || stack[0] != want)
    return invalid_at(v, e.offset, "type mismatch", 0, false);
  return WEFT_OK;
}

void wf_constexpr_decode(const struct wf_module *m, struct wf_bytes expr,
                         struct wf_constexpr *out) {
  struct wf_reader r;
  u8 op = 0;
  i32 s32;
  i64 s64;
  u32 u;
  u64 bits;
  memset(out, 0, sizeof *out);
  wf_reader_init(&r, m->bytes, expr.ptr, expr.ptr + expr.len);
  wf_read_u8(&r, &op);
  out->kind = WF_CONST_VALUE;
  switch (op) {
  case 0x41:
    wf_read_s32(&r, &s32);
    out->type = WF_I32;
    out->bits = (u32)s32;
    break;
  case 0x42:
    wf_read_s64(&r, &s64);
    out->type = WF_I64;
    out->bits = (u64)s64;
    break;
  case 0x43:
    wf_read_fixed32(&r, &u);
    out->type = WF_F32;
    out->bits = u;
    break;
  case 0x44:
    wf_read_fixed64(&r, &bits);
    out->type = WF_F64;
    out->bits = bits;
    break;
  case 0xfd: /* v128.const */
    wf_read_u32(&r, &u);
    wf_read_fixed64(&r, &out->bits);
    wf_read_fixed64(&r, &out->bits_hi);
    out->type = WF_V128;
    break;
  case 0xd0: {
    const char *why;
    wf_vt full;
    out->kind = WF_CONST_REF_NULL;
    wf_read_ref_heap(&r, m->ntypes, 0x63, &out->type, &full, &why);
    break;
  }
  case 0xd2:
    out->kind = WF_CONST_REF_FUNC;
    out->type = WF_FUNCREF;
    wf_read_u32(&r, &out->index);
    break;
  case 0x23:
    out->kind = WF_CONST_GLOBAL_GET;
    wf_read_u32(&r, &out->index);
    if (out->index < wf_module_global_count(m))
      out->type = wf_module_global_type(m, out->index).valtype;
    break;
  default: break;
  }
  /* More than one instruction: arithmetic, for wf_constexpr_eval_ints. */
  u8 next;
  if (wf_read_u8(&r, &next) && next != 0x0b)
    out->kind = WF_CONST_EXTENDED;
}

u64 wf_constexpr_eval_ints(const struct wf_module *m, struct wf_bytes expr,
                           u64 (*global)(void *user, u32 idx), void *user) {
  struct wf_reader r;
  u64 stack[WF_CONST_DEPTH_MAX];
  u32 depth = 0;
  wf_reader_init(&r, m->bytes, expr.ptr, expr.ptr + expr.len);
  for (;;) {
    u8 op = 0x0b;
    i32 s32;
    i64 s64;
    u32 idx;
    wf_read_u8(&r, &op);
    if (op == 0x0b || depth == WF_CONST_DEPTH_MAX)
      break;
    if (op == 0x41 && wf_read_s32(&r, &s32)) {
      stack[depth++] = (u32)s32;
    } else if (op == 0x42 && wf_read_s64(&r, &s64)) {
      stack[depth++] = (u64)s64;
    } else if (op == 0x23 && wf_read_u32(&r, &idx)) {
      stack[depth++] = global(user, idx);
    } else if (const_binop_type(op) && depth >= 2) {
      u64 b = stack[--depth], a = stack[depth - 1], x;
      switch (op) {
      case 0x6a:
      case 0x7c: x = a + b; break;
      case 0x6b:
      case 0x7d: x = a - b; break;
      default: x = a * b; break;
      }
      /* i32 arithmetic wraps at 32 bits */
      stack[depth - 1] = const_binop_type(op) == WF_I32 ? (u32)x : x;
    } else {
      break; /* not reached for a validated expression */
    }
  }
  return depth ? stack[depth - 1] : 0;
}

/* {====== typed function references: subtyping ============================
** Function types i and j are equivalent when they have the same shape and
** their reference types agree, type indices by equivalence again; a pair
** met again while it is being compared ((i0, j0), a type that refers to
** itself) counts as equivalent, and depth bounds the walk. */
static bool vt_equiv(const struct wf_module *m, wf_vt a, wf_vt b, u32 i0,
                     u32 j0, u32 depth);
static bool type_equiv(const struct wf_module *m, u32 i, u32 j, u32 depth) {
  if (i == j)
    return true;
  const struct wf_functype *x = &m->types[i], *y = &m->types[j];
  if (!depth || x->nparams != y->nparams || x->nresults != y->nresults)
    return false;
  for (u32 k = 0; k < x->nparams + x->nresults; k++) {
    wf_vt a = x->full ? x->full[k] : x->types[k];
    wf_vt b = y->full ? y->full[k] : y->types[k];
    if (!vt_equiv(m, a, b, i, j, depth - 1))
      return false;
  }
  return true;
}
static bool vt_equiv(const struct wf_module *m, wf_vt a, wf_vt b, u32 i0,
                     u32 j0, u32 depth) {
  if (a == b)
    return true;
  if ((a & 0x1ffu) != (b & 0x1ffu) || !WF_VT_HEAP(a) || !WF_VT_HEAP(b))
    return false;
  u32 i = WF_VT_HEAP(a) - 1, j = WF_VT_HEAP(b) - 1;
  if (i == i0 && j == j0)
    return true;
  return i < m->ntypes && j < m->ntypes && type_equiv(m, i, j, depth);
}

bool wf_vt_sub(const struct wf_module *m, wf_vt a, wf_vt b) {
  if (a == b)
    return true;
  if (WF_VT_KIND(a) != WF_VT_KIND(b))
    return false;
  if ((b & WF_VT_NONNULL) && !(a & WF_VT_NONNULL))
    return false;
  if (!WF_VT_HEAP(b))
    return true;
  return WF_VT_HEAP(a) && WF_VT_HEAP(a) - 1 < m->ntypes &&
         WF_VT_HEAP(b) - 1 < m->ntypes &&
         type_equiv(m, WF_VT_HEAP(a) - 1, WF_VT_HEAP(b) - 1, 16);
}

/* The type in full of a constant expression that is one reference
** instruction (ref.null, ref.func, global.get); else its kind `kind`. */
static wf_vt const_vt(const struct wf_module *m, struct wf_bytes e, u8 kind) {
  struct wf_reader r;
  u8 op, t;
  u32 idx;
  wf_vt full = kind;
  const char *why;
  wf_reader_init(&r, m->bytes, e.ptr, e.ptr + e.len);
  if (!wf_read_u8(&r, &op))
    return kind;
  if (op == 0xd0 &&
      wf_read_ref_heap(&r, m->ntypes, 0x63, &t, &full, &why) == WEFT_OK)
    return full;
  if (op == 0xd2 && wf_read_u32(&r, &idx) && idx < wf_module_func_count(m))
    return WF_VT_MAKE(WF_FUNCREF, true, wf_module_func_typeidx(m, idx) + 1);
  if (op == 0x23 && wf_read_u32(&r, &idx) && idx < wf_module_global_count(m))
    return WF_VT(wf_module_global_type(m, idx).valtype,
                 wf_module_global_type(m, idx).full);
  return kind;
}

/* A constant expression of kind `kind` whose type must be <: `want`. */
static weft_status check_const_vt(struct validator *v, struct wf_bytes e,
                                  u8 kind, wf_vt want) {
  CHECK(check_const(v, e, kind));
  if (!wf_vt_sub(v->m, const_vt(v->m, e, kind), want))
    return invalid_at(v, e.offset, "type mismatch", 0, false);
  return WEFT_OK;
}
/* }====== */

/* ---- types, imports, limits ------------------------------------------- */

static weft_status check_limits(struct validator *v, struct wf_limits l,
                                u64 range, const char *range_msg) {
  if (l.min > range || (l.has_max && l.max > range))
    return invalid(v, range_msg);
  if (l.has_max && l.min > l.max)
    return invalid(v, "size minimum must not be greater than maximum");
  return WEFT_OK;
}

static weft_status check_memory(struct validator *v, struct wf_limits l) {
  if (l.is64) /* memory64: 2^48 pages of 64 KiB span the 2^64 addresses */
    return check_limits(v, l, (u64)1 << 48,
                        "memory size must be at most 2^48 pages");
  return check_limits(v, l, WF_MAX_PAGES,
                      "memory size must be at most 65536 pages (4GiB)");
}

static weft_status check_table(struct validator *v, struct wf_tabletype t) {
  if (t.limits.is64) /* table64 */
    return check_limits(v, t.limits, UINT64_MAX,
                        "table size must be at most 2^64-1");
  return check_limits(v, t.limits, UINT32_MAX,
                      "table size must be at most 2^32-1");
}

/* ---- exception handling: a tag's type -------------------------------- */

/* A tag names a function type whose results are empty (its parameters are
** the exception's payload). */
static weft_status check_tagtype(struct validator *v, u32 typeidx) {
  if (typeidx >= v->m->ntypes)
    return invalid_u(v, "unknown type", typeidx);
  if (v->m->types[typeidx].nresults != 0)
    return invalid(v, "non-empty tag result type");
  return WEFT_OK;
}

static weft_status check_imports(struct validator *v) {
  struct wf_module *m = v->m;
  for (u32 i = 0; i < m->nimports; i++) {
    const struct wf_import *im = &m->imports[i];
    switch (im->kind) {
    case WF_EXTERN_FUNC:
      if (im->of.typeidx >= m->ntypes)
        return invalid_u(v, "unknown type", im->of.typeidx);
      break;
    case WF_EXTERN_TABLE: CHECK(check_table(v, im->of.table)); break;
    case WF_EXTERN_MEMORY: CHECK(check_memory(v, im->of.memory)); break;
    case WF_EXTERN_TAG: CHECK(check_tagtype(v, im->of.typeidx)); break;
    default: break;
    }
  }
  return WEFT_OK;
}

static weft_status check_definitions(struct validator *v) {
  struct wf_module *m = v->m;
  for (u32 i = 0; i < m->nfuncs; i++)
    if (m->funcs[i].typeidx >= m->ntypes)
      return invalid_u(v, "unknown type", m->funcs[i].typeidx);
  for (u32 i = 0; i < m->ntables; i++) {
    CHECK(check_table(v, m->tables[i]));
    const struct wf_tabletype *t = &m->tables[i];
    if (t->has_init) /* typed function references */
      CHECK(
          check_const_vt(v, t->init, t->elemtype, WF_VT(t->elemtype, t->full)));
    else if (t->full & WF_VT_NONNULL) /* elements would start null */
      return invalid(v, "type mismatch: a non-null table needs an "
                        "initializer");
  }
  for (u32 i = 0; i < m->nmemories; i++)
    CHECK(check_memory(v, m->memories[i]));
  if (m->wasm_2_0 && wf_module_memory_count(m) > 1)
    return invalid(v, "multiple memories");
  /* multi-memory: an implementation limit, so a hostile module cannot
  ** make instantiation create (and reserve address space for) 100,000
  ** memories. */
  if (wf_module_memory_count(m) > WF_MAX_MEMORIES)
    return wf_error_set(v->err, WEFT_ERR_LIMIT,
                        "module has %u memories, more than the limit of %u",
                        wf_module_memory_count(m), WF_MAX_MEMORIES);
  for (u32 i = 0; i < m->nglobals; i++) {
    v->nvisible_globals = m->nglobal_imports + (m->wasm_2_0 ? 0 : i);
    CHECK(check_const_vt(
        v, m->globals[i].init, m->globals[i].type.valtype,
        WF_VT(m->globals[i].type.valtype, m->globals[i].type.full)));
  }
  v->nvisible_globals =
      m->wasm_2_0 ? m->nglobal_imports : wf_module_global_count(m);
  for (u32 i = 0; i < m->ntags; i++)
    CHECK(check_tagtype(v, m->tag_types[i]));
  return WEFT_OK;
}

/* ---- segments ---------------------------------------------------------- */

static weft_status check_elem(struct validator *v, const struct wf_elem *e) {
  struct wf_module *m = v->m;
  if (e->mode == WF_SEG_ACTIVE) {
    if (e->table >= wf_module_table_count(m))
      return unknown(v, WF_EXTERN_TABLE, e->table);
    CHECK(check_const(v, e->offset,
                      wf_module_table_type(m, e->table).limits.is64 ? WF_I64
                                                                    : WF_I32));
    struct wf_tabletype tt = wf_module_table_type(m, e->table);
    /* function indices (elemkind 0x00) are (ref func) */
    wf_vt et = e->funcs && !e->full ? WF_VT_MAKE(WF_FUNCREF, true, 0)
                                    : WF_VT(e->reftype, e->full);
    if (tt.elemtype != e->reftype ||
        !wf_vt_sub(m, et, WF_VT(tt.elemtype, tt.full)))
      return invalid_at(v, e->offset.offset, "type mismatch", 0, false);
  }
  if (e->funcs) {
    for (u32 i = 0; i < e->count; i++) {
      if (e->funcs[i] >= wf_module_func_count(m))
        return unknown(v, WF_EXTERN_FUNC, e->funcs[i]);
      m->func_declared[e->funcs[i]] = 1;
    }
  }
  if (e->exprs) {
    for (u32 i = 0; i < e->count; i++)
      CHECK(check_const_vt(v, e->exprs[i], e->reftype,
                           WF_VT(e->reftype, e->full)));
  }
  return WEFT_OK;
}

static weft_status check_segments(struct validator *v) {
  struct wf_module *m = v->m;
  for (u32 i = 0; i < m->nelems; i++)
    CHECK(check_elem(v, &m->elems[i]));
  for (u32 i = 0; i < m->ndatas; i++) {
    const struct wf_data *d = &m->datas[i];
    if (d->mode != WF_SEG_ACTIVE)
      continue;
    if (d->memory >= wf_module_memory_count(m))
      return unknown(v, WF_EXTERN_MEMORY, d->memory);
    CHECK(check_const(v, d->offset,
                      wf_module_memory_limits(m, d->memory).is64 ? WF_I64
                                                                 : WF_I32));
  }
  return WEFT_OK;
}

/* ---- start and exports ------------------------------------------------ */

static weft_status check_start(struct validator *v) {
  struct wf_module *m = v->m;
  if (!m->has_start)
    return WEFT_OK;
  if (m->start >= wf_module_func_count(m))
    return unknown(v, WF_EXTERN_FUNC, m->start);
  const struct wf_functype *ft = &m->types[wf_module_func_typeidx(m, m->start)];
  if (ft->nparams != 0 || ft->nresults != 0)
    return invalid(v, "start function must have type [] -> []");
  return WEFT_OK;
}

static u32 kind_count(const struct wf_module *m, u8 kind) {
  switch (kind) {
  case WF_EXTERN_FUNC: return wf_module_func_count(m);
  case WF_EXTERN_TABLE: return wf_module_table_count(m);
  case WF_EXTERN_MEMORY: return wf_module_memory_count(m);
  case WF_EXTERN_TAG: return wf_module_tag_count(m);
  default: return wf_module_global_count(m);
  }
}

static u32 hash_name(const char *s, u32 len) {
  u32 h = 2166136261u;
  for (u32 i = 0; i < len; i++)
    h = (h ^ (u8)s[i]) * 16777619u;
  return h;
}

/* Open-addressing set of export indices keyed by name. */
static weft_status check_export_names(struct validator *v) {
  struct wf_module *m = v->m;
  size_t cap = 16;
  while (cap < (size_t)m->nexports * 2)
    cap *= 2;
  u32 *slots = wf_alloc_array(v->a, cap, sizeof *slots); /* 0 = empty */
  if (!slots)
    return wf_error_set(v->err, WEFT_ERR_NOMEM, "out of memory validating");
  weft_status st = WEFT_OK;
  for (u32 i = 0; i < m->nexports && st == WEFT_OK; i++) {
    const struct wf_export *ex = &m->exports[i];
    size_t j = hash_name(ex->name, ex->name_len) & (cap - 1);
    for (; slots[j]; j = (j + 1) & (cap - 1)) {
      const struct wf_export *o = &m->exports[slots[j] - 1];
      if (o->name_len == ex->name_len &&
          memcmp(o->name, ex->name, ex->name_len) == 0) {
        st = invalid(v, "duplicate export name");
        break;
      }
    }
    slots[j] = i + 1;
  }
  wf_alloc_free(v->a, slots, cap * sizeof *slots);
  return st;
}

static weft_status check_exports(struct validator *v) {
  struct wf_module *m = v->m;
  for (u32 i = 0; i < m->nexports; i++) {
    const struct wf_export *ex = &m->exports[i];
    if (ex->index >= kind_count(m, ex->kind))
      return unknown(v, ex->kind, ex->index);
    if (ex->kind == WF_EXTERN_FUNC)
      m->func_declared[ex->index] = 1;
  }
  return check_export_names(v);
}

/* ---- entry point -------------------------------------------------------- */

weft_status wf_validate_module(struct wf_alloc *a, struct wf_module *m,
                               weft_error *err) {
  struct validator v = {a, m, err, m->nglobal_imports};
  if (!m->func_declared) {
    m->func_declared = wf_alloc_zero(a, wf_module_func_count(m));
    if (!m->func_declared)
      return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory validating");
  }
  CHECK(check_imports(&v));
  CHECK(check_definitions(&v));
  CHECK(check_segments(&v));
  CHECK(check_start(&v));
  CHECK(check_exports(&v));
  return WEFT_OK;
}
