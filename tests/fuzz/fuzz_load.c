/*
** fuzz_load.c — libFuzzer target over the whole public pipeline: decode,
** validate, lower (weft_module_load), then instantiate against a
** spectest-style linker (or an empty one) and call every exported function
** with zero arguments under tight engine limits. Uses weft.h only; every
** allocation goes through a counting allocator that caps live bytes
** (FUZZ_MEM_CAP) and checks the sizes weft passes back.
**
** weft has no fuel yet, so what runs is a rewritten copy of the input with
** fuel checks at function entries and loop headers (see "fuel by
** rewriting"): generated infinite loops trap as `unreachable` instead of
** hanging the fuzzer.
**
** With FUZZ_ALLOC_FAIL=1 in the environment, some inputs also get one
** failed allocation (see LLVMFuzzerTestOneInput).
**
** tests/unit/test_fuzz_corpus.c includes this file and calls fuzz_one()
** on the committed corpus with the normal build (define FUZZ_NO_ENTRY).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft.h"

#define FUZZ_MEM_CAP ((size_t)256 << 20) /* live bytes through weft */
#define FUZZ_FUEL 100000                 /* bytes of code run per instance */

/* ---- counting allocator ---------------------------------------------------
** Each block carries its size in a 16-byte header so a wrong old_size from
** weft is caught at once rather than skewing the counters. */

struct fuzz_alloc {
  size_t live;           /* bytes currently allocated */
  size_t peak;           /* high-water mark of live */
  size_t cap;            /* allocations beyond this fail */
  unsigned bad;          /* old_size mismatches seen */
  unsigned long n;       /* allocations so far */
  unsigned long fail_at; /* fail this one (1-based); 0: never */
};

#define FUZZ_HDR 16

static void *fuzz_realloc(void *user, void *ptr, size_t old_size,
                          size_t new_size) {
  struct fuzz_alloc *a = user;
  unsigned char *blk = ptr ? (unsigned char *)ptr - FUZZ_HDR : NULL;
  if (blk) {
    size_t have;
    memcpy(&have, blk, sizeof have);
    if (have != old_size) {
      fprintf(stderr,
              "fuzz_load: weft passed old_size %zu for a block of %zu\n",
              old_size, have);
      a->bad++;
      old_size = have;
    }
  }
  if (new_size == 0) {
    if (blk) {
      a->live -= old_size;
      free(blk);
    }
    return NULL;
  }
  if (new_size > a->cap || a->live - old_size > a->cap - new_size)
    return NULL;
  if (++a->n == a->fail_at)
    return NULL;
  unsigned char *nb = realloc(blk, FUZZ_HDR + new_size);
  if (!nb)
    return NULL;
  memcpy(nb, &new_size, sizeof new_size);
  a->live = a->live - old_size + new_size;
  if (a->live > a->peak)
    a->peak = a->live;
  return nb + FUZZ_HDR;
}

/* ---- a small reader over the raw module -------------------------------- */

struct rd {
  const uint8_t *p, *end;
  int bad; /* set on any overrun or malformed LEB */
};

static uint8_t rd_byte(struct rd *r) {
  if (r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  return *r->p++;
}

/* Any LEB128 up to 10 bytes; the value is kept modulo 2^64. */
static uint64_t rd_leb(struct rd *r) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 70; shift += 7) {
    uint8_t b = rd_byte(r);
    if (r->bad)
      return 0;
    if (shift < 64)
      v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return v;
  }
  r->bad = 1;
  return 0;
}

static uint32_t rd_u32(struct rd *r) {
  uint64_t v = rd_leb(r);
  if (v > UINT32_MAX)
    r->bad = 1;
  return (uint32_t)v;
}

static void rd_skip(struct rd *r, uint64_t n) {
  if (n > (uint64_t)(r->end - r->p)) {
    r->bad = 1;
    r->p = r->end;
    return;
  }
  r->p += n;
}

static void rd_limits(struct rd *r) {
  uint8_t flags = rd_byte(r);
  rd_u32(r);
  if (flags & 1)
    rd_u32(r);
}

/* ---- fuel by rewriting ------------------------------------------------------
** weft has no fuel yet, so the harness adds it to the module: one extra
** mutable i32 global (appended, so no index moves) holds FUZZ_FUEL, and
** every function entry and every loop header gets
**
**   global.get F; i32.const C; i32.lt_u; if unreachable end;
**   global.get F; i32.const C; i32.sub; global.set F
**
** where C is the byte length of the function or loop body, an upper bound
** on the straight-line work until the next check. Running the rewritten
** module therefore ends within about FUZZ_FUEL bytes of code (plus call
** depth and bulk operations, both capped by the engine limits). */

struct obuf {
  uint8_t *p;
  size_t len, cap;
  int bad; /* out of memory */
};

static void out_bytes(struct obuf *o, const void *src, size_t n) {
  if (o->bad)
    return;
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + n)
      cap *= 2;
    uint8_t *p = realloc(o->p, cap);
    if (!p) {
      o->bad = 1;
      return;
    }
    o->p = p;
    o->cap = cap;
  }
  memcpy(o->p + o->len, src, n);
  o->len += n;
}

static void out_byte(struct obuf *o, uint8_t b) { out_bytes(o, &b, 1); }

static void out_uleb(struct obuf *o, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out_byte(o, b | (v ? 0x80 : 0));
  } while (v);
}

static void out_sleb(struct obuf *o, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    int done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out_byte(o, b | (done ? 0 : 0x80));
    if (done)
      return;
  }
}

/* Skips one instruction; returns its opcode, or -1 for one not handled. */
static int skip_instr(struct rd *r) {
  uint8_t op = rd_byte(r);
  uint32_t n;
  switch (op) {
  case 0x02:
  case 0x03:
  case 0x04: rd_leb(r); break; /* blocktype: s33 */
  case 0x0C:
  case 0x0D: rd_u32(r); break;
  case 0x0E:
    n = rd_u32(r);
    for (uint32_t i = 0; i <= n && !r->bad; i++)
      rd_u32(r);
    break;
  case 0x10: rd_u32(r); break;
  case 0x11:
    rd_u32(r);
    rd_u32(r);
    break;
  case 0x1C: rd_skip(r, rd_u32(r)); break;
  case 0x20:
  case 0x21:
  case 0x22:
  case 0x23:
  case 0x24:
  case 0x25:
  case 0x26:
  case 0x3F:
  case 0x40:
  case 0xD2: rd_u32(r); break;
  case 0x41:
  case 0x42: rd_leb(r); break;
  case 0x43: rd_skip(r, 4); break;
  case 0x44: rd_skip(r, 8); break;
  case 0xD0: rd_byte(r); break;
  case 0xFC:
    switch (rd_u32(r)) {
    case 8:
      rd_u32(r);
      rd_byte(r);
      break;
    case 9:
    case 13:
    case 15:
    case 16:
    case 17: rd_u32(r); break;
    case 10:
      rd_byte(r);
      rd_byte(r);
      break;
    case 11: rd_byte(r); break;
    case 12:
    case 14:
      rd_u32(r);
      rd_u32(r);
      break;
    default: break; /* saturating truncations */
    }
    break;
  case 0xFD: return -1; /* SIMD: not decoded here */
  default:
    if (op >= 0x28 && op <= 0x3E) { /* loads and stores: memarg */
      rd_u32(r);
      rd_u32(r);
    }
    break;
  }
  return r->bad ? -1 : op;
}

static void out_fuel_check(struct obuf *o, uint32_t global, uint32_t cost) {
  int32_t c = cost ? (int32_t)cost : 1;
  out_byte(o, 0x23), out_uleb(o, global);
  out_byte(o, 0x41), out_sleb(o, c);
  out_byte(o, 0x49);                   /* i32.lt_u */
  out_bytes(o, "\x04\x40\x00\x0b", 4); /* if unreachable end */
  out_byte(o, 0x23), out_uleb(o, global);
  out_byte(o, 0x41), out_sleb(o, c);
  out_byte(o, 0x6b); /* i32.sub */
  out_byte(o, 0x24), out_uleb(o, global);
}

/* Rewrites one function body (locals + code) into o; 0 if not understood. */
static int instrument_body(const uint8_t *p, const uint8_t *end,
                           uint32_t global, struct obuf *o) {
  struct rd r = {p, end, 0};
  uint32_t groups = rd_u32(&r);
  for (uint32_t g = 0; g < groups && !r.bad; g++) {
    rd_u32(&r);
    rd_byte(&r);
  }
  if (r.bad)
    return 0;
  const uint8_t *code = r.p;
  size_t n = (size_t)(end - code);
  /* pass 1: the byte span of every loop, in order of appearance */
  uint32_t *span = calloc(n + 1, sizeof *span);
  uint32_t *open = calloc(n + 2, sizeof *open); /* stack of loop slots */
  const uint8_t **from = calloc(n + 1, sizeof *from);
  uint32_t nloops = 0, depth = 0;
  int ok = span && open && from;
  while (ok && r.p < end) {
    int op = skip_instr(&r);
    if (op < 0) {
      ok = 0;
    } else if (op == 0x02 || op == 0x03 || op == 0x04) {
      open[depth++] = op == 0x03 ? nloops + 1 : 0;
      if (op == 0x03)
        from[nloops++] = r.p;
    } else if (op == 0x0B && depth > 0) {
      uint32_t slot = open[--depth];
      if (slot)
        span[slot - 1] = (uint32_t)(r.p - from[slot - 1]);
    }
  }
  /* pass 2: copy, with a check at entry and after each loop header */
  if (ok) {
    out_bytes(o, p, (size_t)(code - p));
    out_fuel_check(o, global, (uint32_t)n);
    r.p = code;
    for (uint32_t k = 0; r.p < end;) {
      const uint8_t *at = r.p;
      int op = skip_instr(&r);
      out_bytes(o, at, (size_t)(r.p - at));
      if (op == 0x03) {
        out_fuel_check(o, global, span[k]);
        k++;
      }
    }
  }
  free(span);
  free(open);
  free(from);
  return ok;
}

static int instrument_code(struct rd *sec, uint32_t global, struct obuf *o) {
  uint32_t n = rd_u32(sec);
  out_uleb(o, n);
  struct obuf body = {0};
  for (uint32_t i = 0; i < n && !sec->bad; i++) {
    uint32_t len = rd_u32(sec);
    const uint8_t *p = sec->p;
    rd_skip(sec, len);
    body.len = 0;
    if (sec->bad || !instrument_body(p, sec->p, global, &body) || body.bad) {
      free(body.p);
      return 0;
    }
    out_uleb(o, body.len);
    out_bytes(o, body.p, body.len);
  }
  free(body.p);
  return !sec->bad;
}

/* Counts imported globals. */
static uint32_t imported_globals(struct rd *r) {
  uint32_t n = rd_u32(r), globals = 0;
  for (uint32_t i = 0; i < n && !r->bad; i++) {
    rd_skip(r, rd_u32(r));
    rd_skip(r, rd_u32(r));
    switch (rd_byte(r)) {
    case 0: rd_u32(r); break;
    case 1:
      rd_byte(r);
      rd_limits(r);
      break;
    case 2: rd_limits(r); break;
    case 3:
      rd_byte(r);
      rd_byte(r);
      globals++;
      break;
    default: r->bad = 1;
    }
  }
  return globals;
}

/* Position of a section id in the required order (custom sections: 0). */
static int section_rank(uint8_t id) {
  static const int rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  return id < 13 ? rank[id] : 99;
}

static void out_section(struct obuf *o, uint8_t id, const struct obuf *c) {
  out_byte(o, id);
  out_uleb(o, c->len);
  out_bytes(o, c->p, c->len);
}

/* The fuel global: (global (mut i32) (i32.const FUZZ_FUEL)). */
static void out_fuel_global(struct obuf *o) {
  out_bytes(o, "\x7f\x01\x41", 3);
  out_sleb(o, FUZZ_FUEL);
  out_byte(o, 0x0b);
}

/* The module with fuel added, in *out (malloc'd); 0 if not understood. */
static int instrument(const uint8_t *data, size_t size, struct obuf *out) {
  struct rd r = {data + 8, data + size, size < 8};
  uint32_t nimported = 0, fuel_global = 0;
  int have_globals = 0, ok = 1;
  struct obuf c = {0};
  out_bytes(out, data, size < 8 ? size : 8);
  while (ok && !r.bad && r.p < r.end) {
    uint8_t id = rd_byte(&r);
    uint32_t len = rd_u32(&r);
    if (r.bad || len > (size_t)(r.end - r.p))
      break;
    struct rd sec = {r.p, r.p + len, 0};
    r.p += len;
    if (!have_globals && id != 0 && section_rank(id) > section_rank(6)) {
      c.len = 0; /* no global section: add one before this section */
      out_uleb(&c, 1);
      out_fuel_global(&c);
      out_section(out, 6, &c);
      fuel_global = nimported;
      have_globals = 1;
    }
    c.len = 0;
    if (id == 2) {
      struct rd imp = sec;
      nimported = imported_globals(&imp);
      ok = !imp.bad;
      out_section(out, id, &(struct obuf){(uint8_t *)sec.p, len, len, 0});
    } else if (id == 6) {
      uint32_t n = rd_u32(&sec);
      out_uleb(&c, (uint64_t)n + 1);
      out_bytes(&c, sec.p, (size_t)(sec.end - sec.p));
      out_fuel_global(&c);
      out_section(out, 6, &c);
      fuel_global = nimported + n;
      have_globals = 1;
      ok = !sec.bad;
    } else if (id == 10) {
      ok = instrument_code(&sec, fuel_global, &c);
      out_section(out, 10, &c);
    } else {
      out_section(out, id, &(struct obuf){(uint8_t *)sec.p, len, len, 0});
    }
  }
  free(c.p);
  return ok && !r.bad && !c.bad && !out->bad;
}

/* ---- linker with spectest-style imports --------------------------------- */

static weft_status host_nop(weft_host_ctx *ctx, void *user, weft_slot *slots) {
  (void)ctx;
  (void)user;
  (void)slots;
  return WEFT_OK;
}

static weft_status define_spectest(weft_engine *e, weft_linker *l) {
  static const struct {
    const char *name;
    weft_valtype params[2];
    uint32_t n;
  } funcs[] = {{"print", {WEFT_I32}, 0},
               {"print_i32", {WEFT_I32}, 1},
               {"print_i64", {WEFT_I64}, 1},
               {"print_f32", {WEFT_F32}, 1},
               {"print_f64", {WEFT_F64}, 1},
               {"print_i32_f32", {WEFT_I32, WEFT_F32}, 2},
               {"print_f64_f64", {WEFT_F64, WEFT_F64}, 2}};
  weft_status s;
  weft_extern ext;
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
    ext.kind = WEFT_EXTERN_FUNC;
    if ((s = weft_func_new_host(e, funcs[i].params, funcs[i].n, NULL, 0,
                                host_nop, NULL, &ext.of.func, NULL)) ||
        (s = weft_linker_define(l, "spectest", funcs[i].name, ext, NULL)))
      return s;
  }
  static const char *gnames[] = {"global_i32", "global_i64", "global_f32",
                                 "global_f64"};
  static const weft_valtype gtypes[] = {WEFT_I32, WEFT_I64, WEFT_F32, WEFT_F64};
  for (int i = 0; i < 4; i++) {
    weft_val v;
    memset(&v, 0, sizeof v);
    v.type = gtypes[i];
    v.of.i64 = 666;
    ext.kind = WEFT_EXTERN_GLOBAL;
    if ((s = weft_global_new(e, v, 0, &ext.of.global, NULL)) ||
        (s = weft_linker_define(l, "spectest", gnames[i], ext, NULL)))
      return s;
  }
  ext.kind = WEFT_EXTERN_TABLE;
  if ((s = weft_table_new(e, WEFT_FUNCREF, 10, 20, NULL, &ext.of.table,
                          NULL)) ||
      (s = weft_linker_define(l, "spectest", "table", ext, NULL)))
    return s;
  ext.kind = WEFT_EXTERN_MEMORY;
  if ((s = weft_memory_new(e, 1, 2, &ext.of.memory, NULL)) ||
      (s = weft_linker_define(l, "spectest", "memory", ext, NULL)))
    return s;
  return WEFT_OK;
}

/* ---- the target ---------------------------------------------------------- */

struct fuzz_result {
  weft_status load;    /* the input */
  weft_status fueled;  /* the input with fuel added (if it loaded) */
  weft_status inst;    /* instantiating that */
  unsigned calls;      /* exports called */
  size_t peak;         /* peak live bytes through weft */
  size_t leaked;       /* live bytes after weft_engine_free */
  unsigned bad_sizes;  /* old_size mismatches */
  unsigned no_message; /* failures with an empty or unterminated message */
};

static void check_error(struct fuzz_result *res, weft_status s,
                        const weft_error *err) {
  if (s == WEFT_OK)
    return;
  if (!memchr(err->message, 0, sizeof err->message) || !err->message[0] ||
      err->status != s)
    res->no_message++;
}

static void call_exports(weft_engine *e, weft_module *mod, weft_instance *inst,
                         struct fuzz_result *res) {
  uint32_t n = weft_module_export_count(mod);
  for (uint32_t i = 0; i < n && i < 1024; i++) {
    weft_export_info info;
    weft_extern ext;
    weft_module_export(mod, i, &info);
    if (info.kind != WEFT_EXTERN_FUNC ||
        weft_instance_export(inst, info.name, &ext) != WEFT_OK)
      continue;
    const weft_valtype *pt, *rt;
    uint32_t np, nr;
    weft_func_type(ext.of.func, &pt, &np, &rt, &nr);
    weft_val args[16], results[16];
    if (np > 16 || nr > 16)
      continue;
    memset(args, 0, sizeof args);
    for (uint32_t k = 0; k < np; k++)
      args[k].type = pt[k];
    weft_error err;
    weft_status s = weft_func_call(e, ext.of.func, args, np, results, nr, &err);
    check_error(res, s, &err);
    res->calls++;
  }
}

/* fail_at: make that allocation fail (fault injection); 0 for none. */
static void fuzz_one(const uint8_t *data, size_t size, unsigned long fail_at,
                     struct fuzz_result *res) {
  struct fuzz_alloc fa = {0, 0, FUZZ_MEM_CAP, 0, 0, fail_at};
  weft_config cfg;
  weft_config_default(&cfg);
  cfg.max_memory_bytes = 1u << 20;
  cfg.max_table_elems = 4096;
  cfg.max_call_depth = 100;
  cfg.stack_bytes = 64u << 10;
  cfg.alloc = fuzz_realloc;
  cfg.alloc_user = &fa;
  memset(res, 0, sizeof *res);
  res->load = res->fueled = res->inst = WEFT_ERR_ARG;

  weft_engine *e = NULL;
  weft_error err;
  if (weft_engine_new(&cfg, &e, &err) != WEFT_OK)
    goto done;
  weft_module *mod = NULL, *fueled = NULL;
  res->load = weft_module_load(e, data, size, &mod, &err);
  check_error(res, res->load, &err);
  if (res->load != WEFT_OK)
    goto done;
  /* Only the copy with fuel is instantiated and run. */
  struct obuf fb = {0};
  if (instrument(data, size, &fb)) {
    res->fueled = weft_module_load(e, fb.p, fb.len, &fueled, &err);
    check_error(res, res->fueled, &err);
  }
  free(fb.p);
  weft_module_free(mod);
  if (!fueled)
    goto done;
  /* Use the empty linker now and then (every import then fails). */
  int empty = size > 8 && (data[size - 1] & 0x0f) == 0x0f;
  weft_linker *l = NULL;
  if (weft_linker_new(e, &l, &err) == WEFT_OK &&
      (empty || define_spectest(e, l) == WEFT_OK)) {
    weft_instance *inst = NULL;
    res->inst = weft_instantiate(l, fueled, &inst, &err);
    check_error(res, res->inst, &err);
    if (res->inst == WEFT_OK)
      call_exports(e, fueled, inst, res);
  }
  weft_linker_free(l);
  weft_module_free(fueled);
done:
  weft_engine_free(e);
  res->peak = fa.peak;
  res->leaked = fa.live;
  res->bad_sizes = fa.bad;
}

#ifndef FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* FUZZ_ALLOC_FAIL=1: a quarter of the inputs, picked by a hash of their
  ** bytes (so crashes reproduce), also fail one of their first 512
  ** allocations. */
  static int inject = -1;
  if (inject < 0)
    inject = getenv("FUZZ_ALLOC_FAIL") && *getenv("FUZZ_ALLOC_FAIL") == '1';
  unsigned long fail_at = 0;
  if (inject) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
      h = (h ^ data[i]) * 16777619u;
    if (h % 4 == 0)
      fail_at = 1 + (h >> 2) % 512;
  }
  struct fuzz_result res;
  fuzz_one(data, size, fail_at, &res);
  if (res.leaked || res.bad_sizes || res.no_message) {
    fprintf(stderr,
            "fuzz_load: leaked %zu bytes, %u bad old_size, %u failures "
            "without a message (load %d, instantiate %d, failed allocation "
            "%lu)\n",
            res.leaked, res.bad_sizes, res.no_message, res.load, res.inst,
            fail_at);
    abort();
  }
  return 0;
}
#endif
