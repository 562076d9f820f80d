/*
** decode.c — WebAssembly 2.0 binary → struct wf_module. Checks the binary
** format only (no typing); function bodies are split into locals and code
** but their instructions are not decoded. Every byte goes through the
** bounded reader; every allocation through the engine's allocator.
*/
#include "module.h"

#include "reader.h"

#define NO_SECTION 0xffu

/* Message texts from the spec test suite. */
#define E_EOS "unexpected end of section or function"
#define E_LEN "length out of bounds"
#define E_SIZE "section size mismatch"
#define E_UTF8 "malformed UTF-8 encoding"

struct decoder {
  struct wf_alloc *a;
  const weft_config *config;
  struct wf_module *m;
  weft_error *err;
  struct wf_reader r; /* over the whole binary; sections are not bounded */
  wf_vt full;         /* the last value type read, in full (typed refs) */
  u32 types_seen;     /* type section: types read before this one */
  u8 sec_id;          /* current section, or NO_SECTION */
  u32 sec_start;      /* offset of the current section's contents */
  const u8 *sec_end;
  bool has_funcsec;
  u32 nfunc_types; /* count from the function section */
  bool has_code;
  const u8 *names_ptr; /* "name" custom section contents, parsed last */
  u32 names_len;
};

#define CHECK(x)                                                               \
  do {                                                                         \
    weft_status check_status_ = (x);                                           \
    if (check_status_ != WEFT_OK)                                              \
      return check_status_;                                                    \
  } while (0)

static const char *const section_names[] = {
    "custom", "type",  "import",  "function", "table", "memory",    "global",
    "export", "start", "element", "code",     "data",  "datacount", "tag"};

/* ---- errors ---------------------------------------------------------- */

static weft_status fail_at(struct decoder *d, weft_status status, u32 offset,
                           const char *why) {
  if (d->err)
    d->err->offset = offset;
  if (d->sec_id == NO_SECTION)
    return wf_error_set(d->err, status, "at offset 0x%x: %s", offset, why);
  return wf_error_set(d->err, status, "section %u (%s) at offset 0x%x: %s",
                      (unsigned)d->sec_id, section_names[d->sec_id], offset,
                      why);
}

static weft_status fail(struct decoder *d, const char *why) {
  return fail_at(d, WEFT_ERR_MALFORMED, wf_reader_offset(&d->r), why);
}

static weft_status nomem(struct decoder *d) {
  return wf_error_set(d->err, WEFT_ERR_NOMEM, "out of memory decoding module");
}

/* Turn the reader's sticky failure into an error record. */
static weft_status read_failed(struct decoder *d) {
  const char *why = d->r.fail ? d->r.fail : "unexpected end";
  if (d->sec_id != NO_SECTION && wf_strcmp(why, "unexpected end") == 0)
    why = E_EOS;
  u32 at = (u32)((d->r.fail_at ? d->r.fail_at : d->r.p) - d->r.base);
  return fail_at(d, WEFT_ERR_MALFORMED, at, why);
}

/* ---- primitive reads --------------------------------------------------- */

static weft_status rd_u8(struct decoder *d, u8 *out) {
  return wf_read_u8(&d->r, out) ? WEFT_OK : read_failed(d);
}

static weft_status rd_u32(struct decoder *d, u32 *out) {
  return wf_read_u32(&d->r, out) ? WEFT_OK : read_failed(d);
}

/* A vector length: each element takes at least `min_bytes` bytes, so a
** count larger than what is left cannot be honest (and must not make us
** allocate). */
static weft_status rd_count(struct decoder *d, u32 min_bytes, u32 *out) {
  CHECK(rd_u32(d, out));
  if ((u64)*out * min_bytes > wf_reader_left(&d->r))
    return fail(d, E_EOS);
  return WEFT_OK;
}

static bool utf8_valid(const u8 *s, u32 n) {
  u32 i = 0;
  while (i < n) {
    u8 c = s[i];
    u32 len, cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len)
      return false;
    for (u32 k = 1; k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

/* NUL-terminated copy of n bytes (stops at an embedded NUL, so the
** allocation is always strlen(copy) + 1 bytes). */
static char *copy_cstr(struct wf_alloc *a, const u8 *p, u32 n) {
  const u8 *nul = wf_memchr(p, 0, n);
  if (nul)
    n = (u32)(nul - p);
  char *s = wf_alloc_raw(a, (size_t)n + 1);
  if (s) {
    memcpy(s, p, n);
    s[n] = '\0';
  }
  return s;
}

/* name ::= vec(byte), valid UTF-8. Points *out into the module bytes. */
static weft_status rd_name_bytes(struct decoder *d, const u8 **out, u32 *len) {
  CHECK(rd_u32(d, len));
  if (*len > wf_reader_left(&d->r))
    return fail(d, E_LEN);
  u32 at = wf_reader_offset(&d->r);
  wf_read_bytes(&d->r, *len, out);
  if (!utf8_valid(*out, *len))
    return fail_at(d, WEFT_ERR_MALFORMED, at, E_UTF8);
  return WEFT_OK;
}

/* A name copied into an allocation of exactly len + 1 bytes. */
static weft_status rd_name(struct decoder *d, char **out, u32 *out_len) {
  const u8 *p;
  u32 len;
  CHECK(rd_name_bytes(d, &p, &len));
  char *s = wf_alloc_raw(d->a, (size_t)len + 1);
  if (!s)
    return nomem(d);
  memcpy(s, p, len);
  s[len] = '\0';
  *out = s;
  *out_len = len;
  return WEFT_OK;
}

/* ---- features weft does not run: named, not "malformed" ------------- */

const char *wf_valtype_feature(u8 t) {
  if ((t >= 0x6a && t <= 0x6e) || (t >= 0x71 && t <= 0x74))
    return WF_NO_GC; /* any eq i31 struct array none noextern nofunc noexn:
                        bottom types come with GC's subtyping */
  return NULL;
}

const char *wf_opcode_feature(u8 op) {
  switch (op) {
  case 0xd3: /* ref.eq */
  case 0xfb: return WF_NO_GC;
  case 0xfe: return WF_NO_THREADS; /* atomics */
  default: return NULL;
  }
}

/* {====== typed function references: (ref null? ht) ======================
** A reference type (ref null? ht) is kept as its runtime kind, the byte of
** the 2.0 type with the same representation: WF_FUNCREF for func and a
** function type index, WF_EXTERNREF for extern, WF_EXNREF for exn
** (docs/ARCHITECTURE.md, "Typed function references"). GC's heap types are
** refused by name; a type index must name a type (ntypes so far). */
weft_status wf_read_ref_heap(struct wf_reader *r, u32 ntypes, u8 prefix,
                             u8 *kind, wf_vt *full, const char **why) {
  i64 ht;
  if (!wf_read_s33(r, &ht)) {
    *why = r->fail ? r->fail : "unexpected end";
    return WEFT_ERR_MALFORMED;
  }
  if (ht >= 0) {
    *kind = WF_FUNCREF;
    *full = WF_VT_MAKE(WF_FUNCREF, prefix == 0x64, (u64)ht + 1);
    if ((u64)ht >= ntypes) {
      *why = "unknown type";
      return WEFT_ERR_INVALID;
    }
    return WEFT_OK;
  }
  u8 b = (u8)(ht & 0x7f);
  if (ht < -64 || (b != WF_FUNCREF && b != WF_EXTERNREF && b != WF_EXNREF)) {
    *why = ht >= -64 && wf_valtype_feature(b) ? wf_valtype_feature(b)
                                              : "malformed heap type";
    return ht >= -64 && wf_valtype_feature(b) ? WEFT_ERR_UNSUPPORTED
                                              : WEFT_ERR_MALFORMED;
  }
  *kind = b;
  *full = WF_VT_MAKE(b, prefix == 0x64, 0);
  return WEFT_OK;
}

/* The type's word goes to d->full (as rd_valtype's and rd_reftype's). */
static weft_status rd_ref_heap(struct decoder *d, u8 prefix, u8 *kind) {
  const char *why;
  u32 at = wf_reader_offset(&d->r);
  /* in the type section, a type sees itself and the types before it */
  u32 ntypes = d->sec_id == WF_SEC_TYPE ? d->types_seen + 1 : d->m->ntypes;
  weft_status s = wf_read_ref_heap(&d->r, ntypes, prefix, kind, &d->full, &why);
  return s == WEFT_OK ? s : fail_at(d, s, at, why);
}
/* }====== typed function references ====================================== */

/* A value type byte that is not 2.0's: a later proposal's, named, or
** garbage. */
static weft_status bad_valtype(struct decoder *d, u8 t, u32 at,
                               const char *malformed_why) {
  const char *why = wf_valtype_feature(t);
  if (!why)
    return fail_at(d, WEFT_ERR_MALFORMED, at, malformed_why);
  return fail_at(d, WEFT_ERR_UNSUPPORTED, at, why);
}

static weft_status check_valtype(struct decoder *d, u8 t, u32 at) {
  switch (t) {
  case WF_I32:
  case WF_I64:
  case WF_F32:
  case WF_F64:
  case WF_FUNCREF:
  case WF_V128:
  case WF_EXNREF:
  case WF_EXTERNREF: return WEFT_OK;
  default: return bad_valtype(d, t, at, "malformed value type");
  }
}

/* A value type; (ref null? ht) gives its runtime kind. Its word is left in
** d->full for the callers that keep it. */
static weft_status rd_valtype(struct decoder *d, u8 *out) {
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u8(d, out));
  d->full = *out;
  if (*out == 0x63 || *out == 0x64)
    return rd_ref_heap(d, *out, out);
  return check_valtype(d, *out, at);
}

static weft_status rd_reftype(struct decoder *d, u8 *out) {
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u8(d, out));
  d->full = *out;
  if (*out == 0x63 || *out == 0x64)
    return rd_ref_heap(d, *out, out);
  if (*out != WF_FUNCREF && *out != WF_EXTERNREF && *out != WF_EXNREF)
    return bad_valtype(d, *out, at, "malformed reference type");
  return WEFT_OK;
}

/* Limits flags: bit 0 has a maximum; bit 1 shared (threads, memories
** only); bit 2 64-bit indices (memory64 and table64). */
static weft_status rd_limits(struct decoder *d, struct wf_limits *out,
                             bool memory) {
  u8 flag;
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u8(d, &flag));
  if (flag & 0x80)
    return fail_at(d, WEFT_ERR_MALFORMED, at,
                   "integer representation too long");
  if (flag <= 7 && (flag & 2) && memory)
    return fail_at(d, WEFT_ERR_UNSUPPORTED, at, WF_NO_THREADS);
  if (flag & (d->m->wasm_2_0 ? ~1u : ~5u))
    return fail_at(d, WEFT_ERR_MALFORMED, at, "integer too large");
  /* memory64 / table64: sizes are u64 (validation bounds them). */
  out->is64 = (flag & 4) != 0;
  out->has_max = (flag & 1) != 0;
  out->max = 0;
  if (out->is64) {
    if (!wf_read_u64(&d->r, &out->min) ||
        (out->has_max && !wf_read_u64(&d->r, &out->max)))
      return read_failed(d);
    return WEFT_OK;
  }
  u32 v;
  CHECK(rd_u32(d, &v));
  out->min = v;
  if (out->has_max) {
    CHECK(rd_u32(d, &v));
    out->max = v;
  }
  return WEFT_OK;
}

static weft_status rd_expr(struct decoder *d, struct wf_bytes *out);

static weft_status rd_zero_byte(struct decoder *d) {
  u8 b;
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u8(d, &b));
  if (b != 0)
    return fail_at(d, WEFT_ERR_MALFORMED, at, "zero byte expected");
  return WEFT_OK;
}

static weft_status rd_tabletype(struct decoder *d, struct wf_tabletype *out) {
  CHECK(rd_reftype(d, &out->elemtype));
  out->full = d->full != out->elemtype ? d->full : 0;
  return rd_limits(d, &out->limits, false);
}

/* A defined table: 0x40 0x00 tabletype expr gives it an initializer
** expression (3.0, typed function references), else elements are null. */
static weft_status rd_table(struct decoder *d, struct wf_tabletype *out) {
  if (d->r.p < d->r.end && d->r.p[0] == 0x40) {
    d->r.p++;
    CHECK(rd_zero_byte(d));
    CHECK(rd_tabletype(d, out));
    out->has_init = true;
    return rd_expr(d, &out->init);
  }
  return rd_tabletype(d, out);
}

static weft_status rd_globaltype(struct decoder *d, struct wf_globaltype *out) {
  u8 mut;
  CHECK(rd_valtype(d, &out->valtype));
  out->full = d->full != out->valtype ? d->full : 0;
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u8(d, &mut));
  if (mut > 1)
    return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed mutability");
  out->mutable_ = mut == 1;
  return WEFT_OK;
}

/* ---- instruction skipping (constant expressions) ---------------------- */

static weft_status skip_u32s(struct decoder *d, unsigned n) {
  u32 v;
  for (unsigned i = 0; i < n; i++)
    CHECK(rd_u32(d, &v));
  return WEFT_OK;
}

/* memarg: alignment (bit 6: a memory index follows, multi-memory), then
** the offset, a u64 since memory64. */
static weft_status skip_memarg(struct decoder *d) {
  u32 align;
  u64 off;
  if (d->m->wasm_2_0) /* 2.0: two u32s */
    return skip_u32s(d, 2);
  CHECK(rd_u32(d, &align));
  if (align & 0x40)
    CHECK(skip_u32s(d, 1));
  return wf_read_u64(&d->r, &off) ? WEFT_OK : read_failed(d);
}

/* n memory indices (3.0), or the zero bytes 2.0 reserved there. */
static weft_status skip_memidx(struct decoder *d, unsigned n) {
  if (!d->m->wasm_2_0)
    return skip_u32s(d, n);
  for (unsigned i = 0; i < n; i++) {
    u8 b;
    u32 at = wf_reader_offset(&d->r);
    CHECK(rd_u8(d, &b));
    if (b != 0)
      return fail_at(d, WEFT_ERR_MALFORMED, at, "zero byte expected");
  }
  return WEFT_OK;
}

static weft_status skip_prefixed_fc(struct decoder *d, u32 at) {
  u32 sub;
  CHECK(rd_u32(d, &sub));
  if (sub <= 7)
    return WEFT_OK;
  switch (sub) {
  case 8: /* memory.init: data, memory index */
    CHECK(skip_u32s(d, 1));
    return skip_memidx(d, 1);
  case 9:
  case 13:
  case 15:
  case 16:
  case 17: return skip_u32s(d, 1);
  case 10: return skip_memidx(d, 2); /* memory.copy: two memory indices */
  case 11: return skip_memidx(d, 1); /* memory.fill: memory index */
  case 12:
  case 14: return skip_u32s(d, 2);
  default: return fail_at(d, WEFT_ERR_MALFORMED, at, "illegal opcode");
  }
}

/* 0xFD (SIMD) immediates, from the one list of SIMD instructions; whether
** the instruction is allowed where it appears is the validator's business. */
static weft_status skip_prefixed_fd(struct decoder *d, u32 at) {
  u32 sub;
  const u8 *p;
  if (!wf_read_u32(&d->r, &sub))
    return read_failed(d);
  switch (sub) {
    /* clang-format off */
#define MEMARG(opc)                                                            \
  case opc: return skip_memarg(d);
#define MEMARG_LANE(opc)                                                       \
  case opc:                                                                    \
    CHECK(skip_memarg(d));                                                     \
    return wf_read_bytes(&d->r, 1, &p) ? WEFT_OK : read_failed(d);
#define BYTES(opc, n)                                                          \
  case opc: return wf_read_bytes(&d->r, n, &p) ? WEFT_OK : read_failed(d);
#define SIMD_LOAD(name, opc, bytes, fn) MEMARG(opc)
#define SIMD_STORE(name, opc, bytes, fn) MEMARG(opc)
#define SIMD_LOAD_LANE(name, opc, bytes, lanes, fn) MEMARG_LANE(opc)
#define SIMD_STORE_LANE(name, opc, bytes, lanes, fn) MEMARG_LANE(opc)
#define SIMD_CONST(name, opc) BYTES(opc, 16)
#define SIMD_SHUFFLE(name, opc, fn) BYTES(opc, 16)
#define SIMD_SPLAT(name, opc, member, fn) case opc:
#define SIMD_EXTRACT(name, opc, member, lanes, fn) BYTES(opc, 1)
#define SIMD_REPLACE(name, opc, member, lanes, fn) BYTES(opc, 1)
#define SIMD_UN(name, opc, fn) case opc:
#define SIMD_BIN(name, opc, fn) case opc:
#define SIMD_TERN(name, opc, fn) case opc:
#define SIMD_TEST(name, opc, fn) case opc:
#define SIMD_SHIFT(name, opc, fn) case opc:
#include "simd.def"
#include "simd_undef.h"
#undef MEMARG
#undef MEMARG_LANE
#undef BYTES
    /* clang-format on */
    return WEFT_OK; /* no immediates */
  default: return fail_at(d, WEFT_ERR_MALFORMED, at, "illegal opcode");
  }
}

/* Skip the immediates of instruction `op` (already read, at offset `at`). */
static weft_status skip_immediates(struct decoder *d, u8 op, u32 at) {
  i64 s;
  i32 s32;
  u32 n;
  const u8 *p;
  u8 t;
  if ((op >= 0x45 && op <= 0xc4) || op <= 0x01 || op == 0x05 || op == 0x0b ||
      op == 0x0f || op == 0x1a || op == 0x1b || op == 0xd1)
    return WEFT_OK;
  if ((op >= 0x20 && op <= 0x26) || op == 0x0c || op == 0x0d || op == 0x10 ||
      op == 0xd2)
    return skip_u32s(d, 1);
  if (op >= 0x28 && op <= 0x3e)
    return skip_memarg(d);
  switch (op) {
  case 0x02:
  case 0x03:
  case 0x04: return wf_read_s33(&d->r, &s) ? WEFT_OK : read_failed(d);
  case 0x0e: CHECK(rd_count(d, 1, &n)); return skip_u32s(d, n + 1u);
  case 0x11: return skip_u32s(d, 2);
  case 0x1c:
    CHECK(rd_count(d, 1, &n));
    for (u32 i = 0; i < n; i++)
      CHECK(rd_valtype(d, &t));
    return WEFT_OK;
  case 0x3f:
  case 0x40: return skip_memidx(d, 1); /* memory index (multi-memory) */
  case 0x41: return wf_read_s32(&d->r, &s32) ? WEFT_OK : read_failed(d);
  case 0x42: return wf_read_s64(&d->r, &s) ? WEFT_OK : read_failed(d);
  case 0x43: return wf_read_bytes(&d->r, 4, &p) ? WEFT_OK : read_failed(d);
  case 0x44: return wf_read_bytes(&d->r, 8, &p) ? WEFT_OK : read_failed(d);
  case 0xd0: /* ref.null ht */ return rd_ref_heap(d, 0x63, &t);
  case 0x14: /* call_ref */
  case 0x15: /* return_call_ref */
  case 0xd5: /* br_on_null */
  case 0xd6: /* br_on_non_null */ return skip_u32s(d, 1);
  case 0xd4: return WEFT_OK; /* ref.as_non_null */
  case 0xfc: return skip_prefixed_fc(d, at);
  case 0xfd: return skip_prefixed_fd(d, at);
  case 0x12: return skip_u32s(d, 1); /* return_call */
  case 0x13:
    return skip_u32s(d, 2); /* return_call_indirect */
  /* exception handling: not constant, but read through so that the
  ** validator names the problem (constant expression required) */
  case 0x0a:                 /* throw_ref */
  case 0x19: return WEFT_OK; /* catch_all */
  case 0x06: return wf_read_s33(&d->r, &s) ? WEFT_OK : read_failed(d);
  case 0x07:                         /* catch */
  case 0x08:                         /* throw */
  case 0x09:                         /* rethrow */
  case 0x18: return skip_u32s(d, 1); /* delegate */
  case 0x1f: {                       /* try_table */
    if (!wf_read_s33(&d->r, &s))
      return read_failed(d);
    CHECK(rd_count(d, 1, &n));
    for (u32 i = 0; i < n; i++) {
      CHECK(rd_u8(d, &t));
      if (t > 3)
        return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed catch clause");
      CHECK(skip_u32s(d, t < 2 ? 2 : 1));
    }
    return WEFT_OK;
  }
  default:
    if (wf_opcode_feature(op))
      return fail_at(d, WEFT_ERR_UNSUPPORTED, at, wf_opcode_feature(op));
    return fail_at(d, WEFT_ERR_MALFORMED, at, "illegal opcode");
  }
}

/* expr ::= instr* end. Records the bytes including the final end; the
** validator decides which instructions are constant. */
static weft_status rd_expr(struct decoder *d, struct wf_bytes *out) {
  const u8 *start = d->r.p;
  u32 depth = 0;
  for (;;) {
    u8 op;
    u32 at = wf_reader_offset(&d->r);
    CHECK(rd_u8(d, &op));
    CHECK(skip_immediates(d, op, at));
    if (op == 0x02 || op == 0x03 || op == 0x04 || op == 0x06 || op == 0x1f) {
      depth++;
    } else if (op == 0x0b || op == 0x18) { /* end, delegate (ends a try) */
      if (depth == 0)
        break;
      depth--;
    }
  }
  out->ptr = start;
  out->len = (u32)(d->r.p - start);
  out->offset = (u32)(start - d->r.base);
  return WEFT_OK;
}

/* ---- sections ---------------------------------------------------------- */

static weft_status rd_functype(struct decoder *d, struct wf_functype *ft) {
  u8 tag;
  u32 np, nr;
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u8(d, &tag));
  if (tag & 0x80)
    return fail_at(d, WEFT_ERR_MALFORMED, at,
                   "integer representation too long");
  /* array struct rec sub sub-final: GC's composite and recursive types */
  if (tag == 0x5e || tag == 0x5f || tag == 0x4e || tag == 0x50 || tag == 0x4f)
    return fail_at(d, WEFT_ERR_UNSUPPORTED, at, WF_NO_GC);
  if (tag != 0x60)
    return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed function type");
  /* each type is one byte or more ((ref null? ht)): read twice, counting
  ** then storing each one's kind */
  CHECK(rd_count(d, 1, &np));
  const u8 *params = d->r.p;
  u8 t;
  for (u32 i = 0; i < np; i++)
    CHECK(rd_valtype(d, &t));
  CHECK(rd_count(d, 1, &nr));
  const u8 *results_end;
  for (u32 i = 0; i < nr; i++)
    CHECK(rd_valtype(d, &t));
  results_end = d->r.p;
  u8 *types = wf_alloc_raw(d->a, (size_t)np + nr);
  if (!types)
    return nomem(d);
  ft->types = types; /* owned by the module from here (freed with it) */
  ft->nparams = np;
  ft->nresults = nr;
  d->r.p = params;
  wf_vt *full = NULL; /* typed function references: words when needed */
  for (u32 i = 0; i < np + nr; i++) {
    if (i == np) /* past the params: the results' count again */
      CHECK(rd_count(d, 1, &nr));
    CHECK(rd_valtype(d, &types[i]));
    if (d->full != types[i] && !full) {
      full = wf_alloc_array(d->a, (size_t)np + nr, sizeof *full);
      if (!full)
        return nomem(d);
      ft->full = full;
      for (u32 k = 0; k < i; k++)
        full[k] = types[k];
    }
    if (full)
      full[i] = d->full;
  }
  if (np + nr == np) /* no results: step over their count */
    CHECK(rd_count(d, 1, &nr));
  if (d->r.p != results_end) /* not reached: the same bytes read twice */
    return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed function type");
  ft->types = types;
  ft->nparams = np;
  ft->nresults = nr;
  return WEFT_OK;
}

static weft_status sec_type(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  m->types = wf_alloc_array(d->a, n, sizeof *m->types);
  if (!m->types)
    return nomem(d);
  m->ntypes = n;
  for (u32 i = 0; i < n; i++) {
    d->types_seen = i;
    CHECK(rd_functype(d, &m->types[i]));
  }
  return WEFT_OK;
}

/* ---- exception handling: tags ------------------------------------------ */

/* tagtype ::= 0x00 typeidx (attribute 0: an exception). The type's
** existence and empty results are the validator's to check. */
static weft_status rd_tagtype(struct decoder *d, u32 *typeidx) {
  u8 attr;
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u8(d, &attr));
  if (attr != 0)
    return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed tag attribute");
  return rd_u32(d, typeidx);
}

static weft_status sec_tag(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 2, &n));
  m->tag_types = wf_alloc_array(d->a, n ? n : 1, sizeof *m->tag_types);
  if (!m->tag_types)
    return nomem(d);
  m->ntags = n;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_tagtype(d, &m->tag_types[i]));
  return WEFT_OK;
}

/* ---- end of tags ----------------------------------------------------------
 */

static weft_status rd_import(struct decoder *d, struct wf_import *im) {
  CHECK(rd_name(d, &im->module, &im->module_len));
  CHECK(rd_name(d, &im->name, &im->name_len));
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u8(d, &im->kind));
  switch (im->kind) {
  case WF_EXTERN_FUNC: d->m->nfunc_imports++; return rd_u32(d, &im->of.typeidx);
  case WF_EXTERN_TABLE:
    d->m->ntable_imports++;
    return rd_tabletype(d, &im->of.table);
  case WF_EXTERN_MEMORY:
    d->m->nmemory_imports++;
    return rd_limits(d, &im->of.memory, true);
  case WF_EXTERN_GLOBAL:
    d->m->nglobal_imports++;
    return rd_globaltype(d, &im->of.global);
  case WF_EXTERN_TAG:
    d->m->ntag_imports++;
    return rd_tagtype(d, &im->of.typeidx);
  default: return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed import kind");
  }
}

static weft_status sec_import(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  m->imports = wf_alloc_array(d->a, n, sizeof *m->imports);
  if (!m->imports)
    return nomem(d);
  m->nimports = n;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_import(d, &m->imports[i]));
  return WEFT_OK;
}

static weft_status sec_function(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  m->funcs = wf_alloc_array(d->a, n, sizeof *m->funcs);
  if (!m->funcs)
    return nomem(d);
  m->nfuncs = n;
  d->has_funcsec = true;
  d->nfunc_types = n;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_u32(d, &m->funcs[i].typeidx));
  return WEFT_OK;
}

static weft_status sec_table(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  m->tables = wf_alloc_array(d->a, n, sizeof *m->tables);
  if (!m->tables)
    return nomem(d);
  m->ntables = n;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_table(d, &m->tables[i]));
  return WEFT_OK;
}

static weft_status sec_memory(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  m->memories = wf_alloc_array(d->a, n, sizeof *m->memories);
  if (!m->memories)
    return nomem(d);
  m->nmemories = n;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_limits(d, &m->memories[i], true));
  return WEFT_OK;
}

static weft_status sec_global(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  m->globals = wf_alloc_array(d->a, n, sizeof *m->globals);
  if (!m->globals)
    return nomem(d);
  m->nglobals = n;
  for (u32 i = 0; i < n; i++) {
    CHECK(rd_globaltype(d, &m->globals[i].type));
    CHECK(rd_expr(d, &m->globals[i].init));
  }
  return WEFT_OK;
}

static weft_status sec_export(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  m->exports = wf_alloc_array(d->a, n, sizeof *m->exports);
  if (!m->exports)
    return nomem(d);
  m->nexports = n;
  for (u32 i = 0; i < n; i++) {
    struct wf_export *ex = &m->exports[i];
    CHECK(rd_name(d, &ex->name, &ex->name_len));
    u32 at = wf_reader_offset(&d->r);
    CHECK(rd_u8(d, &ex->kind));
    if (ex->kind > WF_EXTERN_TAG)
      return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed export kind");
    CHECK(rd_u32(d, &ex->index));
  }
  return WEFT_OK;
}

static weft_status sec_start(struct decoder *d) {
  CHECK(rd_u32(d, &d->m->start));
  d->m->has_start = true;
  return WEFT_OK;
}

static weft_status rd_elem_funcs(struct decoder *d, struct wf_elem *e) {
  u32 n;
  CHECK(rd_count(d, 1, &n));
  e->funcs = wf_alloc_array(d->a, n, sizeof *e->funcs);
  if (!e->funcs)
    return nomem(d);
  e->count = n;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_u32(d, &e->funcs[i]));
  return WEFT_OK;
}

static weft_status rd_elem_exprs(struct decoder *d, struct wf_elem *e) {
  u32 n;
  CHECK(rd_count(d, 1, &n));
  e->exprs = wf_alloc_array(d->a, n, sizeof *e->exprs);
  if (!e->exprs)
    return nomem(d);
  e->count = n;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_expr(d, &e->exprs[i]));
  return WEFT_OK;
}

/* elem flags: bit 0 passive/declarative, bit 1 explicit table index (when
** active) or declarative (when bit 0), bit 2 expressions instead of
** function indices. */
static weft_status rd_elem(struct decoder *d, struct wf_elem *e) {
  u32 flags;
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u32(d, &flags));
  if (flags > 7)
    return fail_at(d, WEFT_ERR_MALFORMED, at,
                   "malformed elements segment kind");
  e->reftype = WF_FUNCREF;
  if (flags & 1) {
    e->mode = (flags & 2) ? WF_SEG_DECLARATIVE : WF_SEG_PASSIVE;
  } else {
    e->mode = WF_SEG_ACTIVE;
    if (flags & 2)
      CHECK(rd_u32(d, &e->table));
    CHECK(rd_expr(d, &e->offset));
  }
  bool has_type = (flags & 3) != 0;
  if (flags & 4) {
    if (has_type) {
      CHECK(rd_reftype(d, &e->reftype));
      e->full = d->full != e->reftype ? d->full : 0;
    }
    return rd_elem_exprs(d, e);
  }
  if (has_type) {
    u8 kind;
    at = wf_reader_offset(&d->r);
    CHECK(rd_u8(d, &kind));
    if (kind != 0x00)
      return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed element kind");
  }
  return rd_elem_funcs(d, e);
}

static weft_status sec_element(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  m->elems = wf_alloc_array(d->a, n, sizeof *m->elems);
  if (!m->elems)
    return nomem(d);
  m->nelems = n;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_elem(d, &m->elems[i]));
  return WEFT_OK;
}

static weft_status sec_datacount(struct decoder *d) {
  CHECK(rd_u32(d, &d->m->datacount));
  d->m->has_datacount = true;
  return WEFT_OK;
}

static weft_status rd_locals(struct decoder *d, struct wf_func_decl *f,
                             const u8 *body_end) {
  u32 n;
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u32(d, &n));
  size_t left = d->r.p < body_end ? (size_t)(body_end - d->r.p) : 0;
  if ((u64)n * 2 > left)
    return fail_at(d, WEFT_ERR_MALFORMED, at, E_EOS);
  f->groups = wf_alloc_array(d->a, n, sizeof *f->groups);
  if (!f->groups)
    return nomem(d);
  f->ngroups = n;
  u64 total = 0;
  for (u32 i = 0; i < n; i++) {
    CHECK(rd_u32(d, &f->groups[i].count));
    CHECK(rd_valtype(d, &f->groups[i].type));
    f->groups[i].full =
        d->full != f->groups[i].type ? d->full : 0; /* typed refs */
    total += f->groups[i].count;
  }
  if (total > UINT32_MAX)
    return fail_at(d, WEFT_ERR_MALFORMED, at, "too many locals");
  if (d->config && d->config->max_locals && total > d->config->max_locals)
    return fail_at(d, WEFT_ERR_LIMIT, at, "too many locals");
  f->nlocals = (u32)total;
  return WEFT_OK;
}

/* A body must end with `end`; pick the message the spec interpreter gives
** (it reads on past the body and trips over whatever follows). */
static const char *missing_end_message(struct decoder *d, const u8 *body_end) {
  if (body_end != d->sec_end)
    return "END opcode expected";
  if (d->sec_end == d->r.end)
    return E_EOS;
  return E_SIZE;
}

static weft_status rd_body(struct decoder *d, struct wf_func_decl *f) {
  u32 size;
  f->body_offset = wf_reader_offset(&d->r);
  CHECK(rd_u32(d, &size));
  if (size > wf_reader_left(&d->r))
    return fail(d, E_LEN);
  const u8 *body_end = d->r.p + size;
  CHECK(rd_locals(d, f, body_end));
  if (d->r.p > body_end)
    return fail(d, E_SIZE);
  if (d->r.p == body_end || body_end[-1] != 0x0b)
    return fail_at(d, WEFT_ERR_MALFORMED, (u32)(body_end - d->r.base),
                   missing_end_message(d, body_end));
  f->code.ptr = d->r.p;
  f->code.len = (u32)(body_end - d->r.p);
  f->code.offset = wf_reader_offset(&d->r);
  d->r.p = body_end;
  return WEFT_OK;
}

static weft_status sec_code(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  if (n != d->nfunc_types)
    return fail(d, "function and code section have inconsistent lengths");
  d->has_code = true;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_body(d, &m->funcs[i]));
  return WEFT_OK;
}

static weft_status rd_data(struct decoder *d, struct wf_data *s) {
  u32 flags, len;
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u32(d, &flags));
  if (flags > 2)
    return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed data segment kind");
  s->mode = flags == 1 ? WF_SEG_PASSIVE : WF_SEG_ACTIVE;
  if (flags == 2)
    CHECK(rd_u32(d, &s->memory));
  if (flags != 1)
    CHECK(rd_expr(d, &s->offset));
  CHECK(rd_u32(d, &len));
  if (len > wf_reader_left(&d->r))
    return fail(d, E_EOS);
  s->bytes.offset = wf_reader_offset(&d->r);
  s->bytes.len = len;
  wf_read_bytes(&d->r, len, &s->bytes.ptr);
  return WEFT_OK;
}

static weft_status sec_data(struct decoder *d) {
  struct wf_module *m = d->m;
  u32 n;
  CHECK(rd_count(d, 1, &n));
  if (m->has_datacount && n != m->datacount)
    return fail(d, "data count and data section have inconsistent lengths");
  m->datas = wf_alloc_array(d->a, n, sizeof *m->datas);
  if (!m->datas)
    return nomem(d);
  m->ndatas = n;
  for (u32 i = 0; i < n; i++)
    CHECK(rd_data(d, &m->datas[i]));
  return WEFT_OK;
}

/* ---- the section list ------------------------------------------------ */

/* Capacity of the sections array holding n entries: next power of two. */
static size_t sections_cap(u32 n) {
  size_t cap = 1;
  if (n == 0)
    return 0;
  while (cap < n)
    cap *= 2;
  return cap;
}

static weft_status record_section(struct decoder *d, u8 id, u32 offset,
                                  u32 size, struct wf_section **out) {
  struct wf_module *m = d->m;
  size_t cap = sections_cap(m->nsections);
  if (m->nsections == cap) {
    size_t ncap = sections_cap(m->nsections + 1);
    struct wf_section *s =
        wf_alloc_resize(d->a, m->sections, cap * sizeof *s, ncap * sizeof *s);
    if (!s)
      return nomem(d);
    m->sections = s;
  }
  struct wf_section *s = &m->sections[m->nsections++];
  s->id = id;
  s->name = NULL;
  s->offset = offset;
  s->size = size;
  *out = s;
  return WEFT_OK;
}

static weft_status sec_custom(struct decoder *d, struct wf_section *s) {
  struct wf_reader r;
  u32 len;
  const u8 *name;
  wf_reader_init(&r, d->r.base, d->r.p, d->sec_end);
  if (!wf_read_u32(&r, &len) || !wf_read_bytes(&r, len, &name)) {
    d->r = r;
    return read_failed(d);
  }
  if (!utf8_valid(name, len))
    return fail_at(d, WEFT_ERR_MALFORMED, (u32)(name - r.base), E_UTF8);
  s->name = copy_cstr(d->a, name, len);
  if (!s->name)
    return nomem(d);
  if (len == 4 && memcmp(name, "name", 4) == 0) {
    d->names_ptr = r.p;
    d->names_len = (u32)(r.end - r.p);
  }
  d->r.p = d->sec_end;
  return WEFT_OK;
}

/* Order of the known sections (datacount sits between element and code). */
static unsigned section_rank(u8 id) {
  /* the tag section (13) sits between memory and global */
  static const u8 rank[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
  return rank[id];
}

static weft_status section_body(struct decoder *d, struct wf_section *s) {
  switch (d->sec_id) {
  case WF_SEC_CUSTOM: return sec_custom(d, s);
  case WF_SEC_TYPE: return sec_type(d);
  case WF_SEC_IMPORT: return sec_import(d);
  case WF_SEC_FUNCTION: return sec_function(d);
  case WF_SEC_TABLE: return sec_table(d);
  case WF_SEC_MEMORY: return sec_memory(d);
  case WF_SEC_GLOBAL: return sec_global(d);
  case WF_SEC_EXPORT: return sec_export(d);
  case WF_SEC_START: return sec_start(d);
  case WF_SEC_ELEMENT: return sec_element(d);
  case WF_SEC_CODE: return sec_code(d);
  case WF_SEC_DATA: return sec_data(d);
  case WF_SEC_TAG: return sec_tag(d);
  default: return sec_datacount(d);
  }
}

static weft_status rd_section(struct decoder *d, unsigned *last_rank) {
  u8 id;
  u32 size;
  u32 at = wf_reader_offset(&d->r);
  CHECK(rd_u8(d, &id));
  if (id > WF_SEC_TAG)
    return fail_at(d, WEFT_ERR_MALFORMED, at, "malformed section id");
  CHECK(rd_u32(d, &size));
  if (size > wf_reader_left(&d->r))
    return fail(d, E_LEN);
  if (id != WF_SEC_CUSTOM) {
    if (section_rank(id) <= *last_rank)
      return fail_at(d, WEFT_ERR_MALFORMED, at,
                     "unexpected content after last section");
    *last_rank = section_rank(id);
  }
  struct wf_section *s = NULL;
  CHECK(record_section(d, id, wf_reader_offset(&d->r), size, &s));
  d->sec_id = id;
  d->sec_start = wf_reader_offset(&d->r);
  d->sec_end = d->r.p + size;
  CHECK(section_body(d, s));
  if (d->r.p != d->sec_end)
    return fail_at(d, WEFT_ERR_MALFORMED, d->sec_start, E_SIZE);
  d->sec_id = NO_SECTION;
  return WEFT_OK;
}

static weft_status check_header(struct decoder *d) {
  static const u8 magic[4] = {0x00, 0x61, 0x73, 0x6d};
  const u8 *p;
  u32 version;
  if (!wf_read_bytes(&d->r, 4, &p))
    return read_failed(d);
  if (memcmp(p, magic, 4) != 0)
    return fail_at(d, WEFT_ERR_MALFORMED, 0, "magic header not detected");
  if (!wf_read_fixed32(&d->r, &version))
    return read_failed(d);
  /* version 0x0d (pre-release components), layer 1: a component */
  if (version >> 16 == 1)
    return wf_error_set(d->err, WEFT_ERR_UNSUPPORTED,
                        "a WebAssembly component, not a core module: weft "
                        "runs core modules");
  if (version != 1)
    return fail_at(d, WEFT_ERR_MALFORMED, 4, "unknown binary version");
  return WEFT_OK;
}

static weft_status check_counts(struct decoder *d) {
  struct wf_module *m = d->m;
  if (d->nfunc_types != 0 && !d->has_code)
    return fail(d, "function and code section have inconsistent lengths");
  if (m->has_datacount && m->datacount != m->ndatas)
    return fail(d, "data count and data section have inconsistent lengths");
  return WEFT_OK;
}

/* ---- the "name" custom section (best effort) --------------------------- */

static void free_func_names(struct wf_alloc *a, struct wf_module *m) {
  if (!m->func_names)
    return;
  for (u32 i = 0; i < m->nfunc_names; i++)
    if (m->func_names[i])
      wf_alloc_free(a, m->func_names[i], wf_strlen(m->func_names[i]) + 1);
  wf_alloc_free(a, m->func_names, (size_t)m->nfunc_names * sizeof(char *));
  m->func_names = NULL;
  m->nfunc_names = 0;
}

/* namemap ::= vec(idx name). Returns false if malformed; *nomem on OOM. */
static bool parse_name_map(struct decoder *d, struct wf_reader *r, bool *oom) {
  struct wf_module *m = d->m;
  u32 n;
  if (!wf_read_u32(r, &n))
    return false;
  for (u32 i = 0; i < n; i++) {
    u32 idx, len;
    const u8 *s;
    if (!wf_read_u32(r, &idx) || !wf_read_u32(r, &len) ||
        !wf_read_bytes(r, len, &s) || !utf8_valid(s, len))
      return false;
    if (idx >= m->nfunc_names || m->func_names[idx])
      continue;
    m->func_names[idx] = copy_cstr(d->a, s, len);
    if (!m->func_names[idx]) {
      *oom = true;
      return false;
    }
  }
  return r->p == r->end;
}

static weft_status parse_names(struct decoder *d) {
  struct wf_module *m = d->m;
  struct wf_reader r;
  bool oom = false, ok = true;
  wf_reader_init(&r, d->r.base, d->names_ptr, d->names_ptr + d->names_len);
  while (ok && wf_reader_left(&r) > 0) {
    u8 id;
    u32 size;
    const u8 *sub;
    if (!wf_read_u8(&r, &id) || !wf_read_u32(&r, &size) ||
        !wf_read_bytes(&r, size, &sub)) {
      ok = false;
      break;
    }
    if (id != 1 || m->func_names)
      continue;
    u32 nfuncs = wf_module_func_count(m);
    m->func_names = wf_alloc_array(d->a, nfuncs, sizeof(char *));
    if (!m->func_names)
      return nomem(d);
    m->nfunc_names = nfuncs;
    struct wf_reader sr;
    wf_reader_init(&sr, r.base, sub, sub + size);
    ok = parse_name_map(d, &sr, &oom);
  }
  if (oom)
    return nomem(d);
  if (!ok)
    free_func_names(d->a, m);
  return WEFT_OK;
}

/* ---- entry points -------------------------------------------------------- */

weft_status wf_decode_module(struct wf_alloc *a, const weft_config *config,
                             struct wf_module *m, weft_error *err) {
  struct decoder d;
  memset(&d, 0, sizeof d);
  d.a = a;
  d.config = config;
  m->wasm_2_0 = config && config->wasm_2_0;
  d.m = m;
  d.err = err;
  d.sec_id = NO_SECTION;
  if (config && config->max_module_bytes && m->size > config->max_module_bytes)
    return wf_error_set(err, WEFT_ERR_LIMIT,
                        "module of %zu bytes exceeds the limit of %llu bytes",
                        m->size, (unsigned long long)config->max_module_bytes);
  if (m->size > UINT32_MAX)
    return wf_error_set(err, WEFT_ERR_LIMIT,
                        "module of %zu bytes is larger than 4 GiB", m->size);
  wf_reader_init(&d.r, m->bytes, m->bytes, m->bytes + m->size);
  CHECK(check_header(&d));
  unsigned last_rank = 0;
  while (wf_reader_left(&d.r) > 0)
    CHECK(rd_section(&d, &last_rank));
  CHECK(check_counts(&d));
  if (d.names_ptr)
    CHECK(parse_names(&d));
  return WEFT_OK;
}

static void free_elems(struct wf_alloc *a, struct wf_module *m) {
  for (u32 i = 0; i < m->nelems; i++) {
    struct wf_elem *e = &m->elems[i];
    if (e->funcs)
      wf_alloc_free(a, e->funcs, (size_t)e->count * sizeof *e->funcs);
    if (e->exprs)
      wf_alloc_free(a, e->exprs, (size_t)e->count * sizeof *e->exprs);
  }
  if (m->elems)
    wf_alloc_free(a, m->elems, (size_t)m->nelems * sizeof *m->elems);
}

static void free_imports_exports(struct wf_alloc *a, struct wf_module *m) {
  for (u32 i = 0; i < m->nimports; i++) {
    struct wf_import *im = &m->imports[i];
    if (im->module)
      wf_alloc_free(a, im->module, (size_t)im->module_len + 1);
    if (im->name)
      wf_alloc_free(a, im->name, (size_t)im->name_len + 1);
  }
  if (m->imports)
    wf_alloc_free(a, m->imports, (size_t)m->nimports * sizeof *m->imports);
  for (u32 i = 0; i < m->nexports; i++)
    if (m->exports[i].name)
      wf_alloc_free(a, m->exports[i].name, (size_t)m->exports[i].name_len + 1);
  if (m->exports)
    wf_alloc_free(a, m->exports, (size_t)m->nexports * sizeof *m->exports);
}

static void free_types_funcs(struct wf_alloc *a, struct wf_module *m) {
  for (u32 i = 0; i < m->ntypes; i++) {
    if (m->types[i].types)
      wf_alloc_free(a, m->types[i].types,
                    (size_t)m->types[i].nparams + m->types[i].nresults);
    if (m->types[i].full)
      wf_alloc_free(a, m->types[i].full,
                    ((size_t)m->types[i].nparams + m->types[i].nresults) *
                        sizeof(wf_vt));
  }
  if (m->types)
    wf_alloc_free(a, m->types, (size_t)m->ntypes * sizeof *m->types);
  for (u32 i = 0; i < m->nfuncs; i++)
    if (m->funcs[i].groups)
      wf_alloc_free(a, m->funcs[i].groups,
                    (size_t)m->funcs[i].ngroups * sizeof *m->funcs[i].groups);
  if (m->funcs)
    wf_alloc_free(a, m->funcs, (size_t)m->nfuncs * sizeof *m->funcs);
}

void wf_module_release(struct wf_alloc *a, struct wf_module *m) {
  free_types_funcs(a, m);
  free_imports_exports(a, m);
  free_elems(a, m);
  if (m->tables)
    wf_alloc_free(a, m->tables, (size_t)m->ntables * sizeof *m->tables);
  if (m->memories)
    wf_alloc_free(a, m->memories, (size_t)m->nmemories * sizeof *m->memories);
  if (m->globals)
    wf_alloc_free(a, m->globals, (size_t)m->nglobals * sizeof *m->globals);
  if (m->tag_types)
    wf_alloc_free(a, m->tag_types,
                  (size_t)(m->ntags ? m->ntags : 1) * sizeof *m->tag_types);
  if (m->datas)
    wf_alloc_free(a, m->datas, (size_t)m->ndatas * sizeof *m->datas);
  for (u32 i = 0; i < m->nsections; i++)
    if (m->sections[i].name)
      wf_alloc_free(a, m->sections[i].name, wf_strlen(m->sections[i].name) + 1);
  if (m->sections)
    wf_alloc_free(a, m->sections,
                  sections_cap(m->nsections) * sizeof *m->sections);
  if (m->func_declared)
    wf_alloc_free(a, m->func_declared, wf_module_func_count(m));
  free_func_names(a, m);
  u8 *bytes = m->bytes;
  size_t size = m->size;
  memset(m, 0, sizeof *m);
  m->bytes = bytes;
  m->size = size;
}

/* ---- index spaces -------------------------------------------------------- */

/* The import of `kind` number `idx` (idx < count of that kind). */
static const struct wf_import *nth_import(const struct wf_module *m, u8 kind,
                                          u32 idx) {
  for (u32 i = 0; i < m->nimports; i++) {
    if (m->imports[i].kind != kind)
      continue;
    if (idx == 0)
      return &m->imports[i];
    idx--;
  }
  return NULL;
}

u32 wf_module_func_typeidx(const struct wf_module *m, u32 funcidx) {
  if (funcidx >= m->nfunc_imports)
    return m->funcs[funcidx - m->nfunc_imports].typeidx;
  return nth_import(m, WF_EXTERN_FUNC, funcidx)->of.typeidx;
}

u32 wf_module_tag_typeidx(const struct wf_module *m, u32 tagidx) {
  if (tagidx >= m->ntag_imports)
    return m->tag_types[tagidx - m->ntag_imports];
  return nth_import(m, WF_EXTERN_TAG, tagidx)->of.typeidx;
}

struct wf_tabletype wf_module_table_type(const struct wf_module *m,
                                         u32 tableidx) {
  if (tableidx >= m->ntable_imports)
    return m->tables[tableidx - m->ntable_imports];
  return nth_import(m, WF_EXTERN_TABLE, tableidx)->of.table;
}

struct wf_limits wf_module_memory_limits(const struct wf_module *m,
                                         u32 memidx) {
  if (memidx >= m->nmemory_imports)
    return m->memories[memidx - m->nmemory_imports];
  return nth_import(m, WF_EXTERN_MEMORY, memidx)->of.memory;
}

struct wf_globaltype wf_module_global_type(const struct wf_module *m,
                                           u32 globalidx) {
  if (globalidx >= m->nglobal_imports)
    return m->globals[globalidx - m->nglobal_imports].type;
  return nth_import(m, WF_EXTERN_GLOBAL, globalidx)->of.global;
}
