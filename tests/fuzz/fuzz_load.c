/*
** fuzz_load.c — libFuzzer target over the whole public pipeline: decode,
** validate, lower (weft_module_load), instantiate against a spectest-style
** linker, and call the exports of modules that provably terminate fast.
** Uses weft.h only; every allocation goes through a counting allocator
** that caps live bytes (FUZZ_MEM_CAP) and checks the sizes weft passes back.
**
** There is no fuel yet, so code runs (start function, exports) only when a
** cheap static bound holds: no `loop`, no call_indirect, an acyclic call
** graph and a total instruction bound below FUZZ_STEP_BUDGET (see
** bound_cost). Other modules are loaded, and instantiated only if they have
** no start function.
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
#define FUZZ_STEP_BUDGET 1000000u        /* static bound on executed ops */
#define FUZZ_BULK_COST 2000u             /* memory.fill and friends */
#define FUZZ_MAX_FUNCS 4096u             /* bigger modules are not run */

/* ---- counting allocator ---------------------------------------------------
** Each block carries its size in a 16-byte header so a wrong old_size from
** weft is caught at once rather than skewing the counters. */

struct fuzz_alloc {
  size_t live;  /* bytes currently allocated */
  size_t peak;  /* high-water mark of live */
  size_t cap;   /* allocations beyond this fail */
  unsigned bad; /* old_size mismatches seen */
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

/* ---- static termination bound ------------------------------------------ */

struct shape {
  uint32_t nimported_funcs;
  uint32_t nfuncs; /* defined */
  int has_start;
  uint32_t start;
  const uint8_t **body; /* [nfuncs] start of each body */
  const uint8_t **body_end;
  uint8_t *state; /* DFS: 0 new, 1 on stack, 2 done */
  uint32_t *cost; /* valid when state == 2 */
};

static void scan_imports(struct rd *r, struct shape *s) {
  uint32_t n = rd_u32(r);
  for (uint32_t i = 0; i < n && !r->bad; i++) {
    rd_skip(r, rd_u32(r));
    rd_skip(r, rd_u32(r));
    switch (rd_byte(r)) {
    case 0:
      rd_u32(r);
      s->nimported_funcs++;
      break;
    case 1:
      rd_byte(r);
      rd_limits(r);
      break;
    case 2: rd_limits(r); break;
    case 3:
      rd_byte(r);
      rd_byte(r);
      break;
    default: r->bad = 1;
    }
  }
}

static void scan_code(struct rd *r, struct shape *s) {
  uint32_t n = rd_u32(r);
  if (n != s->nfuncs || n > FUZZ_MAX_FUNCS) {
    r->bad = 1;
    return;
  }
  for (uint32_t i = 0; i < n && !r->bad; i++) {
    uint32_t len = rd_u32(r);
    s->body[i] = r->p;
    rd_skip(r, len);
    s->body_end[i] = r->p;
  }
}

/* Walks sections; returns 0 when the shape is not understood. */
static int scan_module(const uint8_t *data, size_t size, struct shape *s) {
  struct rd r = {data + 8, data + size, size < 8};
  int have_code = 0;
  while (!r.bad && r.p < r.end) {
    uint8_t id = rd_byte(&r);
    uint32_t len = rd_u32(&r);
    if (r.bad || len > (size_t)(r.end - r.p))
      return 0;
    struct rd sec = {r.p, r.p + len, 0};
    r.p += len;
    switch (id) {
    case 2: scan_imports(&sec, s); break;
    case 3:
      s->nfuncs = rd_u32(&sec);
      if (s->nfuncs > FUZZ_MAX_FUNCS)
        return 0;
      break;
    case 8:
      s->has_start = 1;
      s->start = rd_u32(&sec);
      break;
    case 10:
      s->body = calloc(s->nfuncs + 1, sizeof *s->body);
      s->body_end = calloc(s->nfuncs + 1, sizeof *s->body_end);
      if (!s->body || !s->body_end)
        return 0;
      scan_code(&sec, s);
      have_code = 1;
      break;
    default: break;
    }
    if (sec.bad)
      return 0;
  }
  return !r.bad && (have_code || s->nfuncs == 0);
}

static uint32_t add_sat(uint32_t a, uint32_t b) {
  uint64_t c = (uint64_t)a + b;
  return c > FUZZ_STEP_BUDGET ? FUZZ_STEP_BUDGET + 1 : (uint32_t)c;
}

static uint32_t func_cost(struct shape *s, uint32_t funcidx, unsigned depth);

/* Cost of one instruction at r (callees included); advances r. */
static uint32_t instr_cost(struct shape *s, struct rd *r, unsigned depth) {
  const uint32_t inf = FUZZ_STEP_BUDGET + 1;
  uint8_t op = rd_byte(r);
  uint32_t n;
  switch (op) {
  case 0x03: return inf; /* loop: a backward edge */
  case 0x11: return inf; /* call_indirect: unknown callee */
  case 0xFD: return inf; /* SIMD: not decoded here */
  case 0x02:
  case 0x04: rd_leb(r); return 1;
  case 0x0C:
  case 0x0D: rd_u32(r); return 1;
  case 0x0E:
    n = rd_u32(r);
    for (uint32_t i = 0; i <= n && !r->bad; i++)
      rd_u32(r);
    return 1;
  case 0x10: return add_sat(1, func_cost(s, rd_u32(r), depth + 1));
  case 0x1C: rd_skip(r, rd_u32(r)); return 1;
  case 0x20:
  case 0x21:
  case 0x22:
  case 0x23:
  case 0x24:
  case 0x25:
  case 0x26:
  case 0xD2: rd_u32(r); return 1;
  case 0x3F: rd_u32(r); return 1;
  case 0x40: rd_u32(r); return FUZZ_BULK_COST;
  case 0x41:
  case 0x42: rd_leb(r); return 1;
  case 0x43: rd_skip(r, 4); return 1;
  case 0x44: rd_skip(r, 8); return 1;
  case 0xD0: rd_byte(r); return 1;
  case 0xFC:
    switch (rd_u32(r)) {
    case 8:
      rd_u32(r);
      rd_byte(r);
      return FUZZ_BULK_COST;
    case 9:
    case 13: rd_u32(r); return 1;
    case 10:
      rd_byte(r);
      rd_byte(r);
      return FUZZ_BULK_COST;
    case 11: rd_byte(r); return FUZZ_BULK_COST;
    case 12:
    case 14:
      rd_u32(r);
      rd_u32(r);
      return FUZZ_BULK_COST;
    case 15:
    case 17: rd_u32(r); return FUZZ_BULK_COST;
    case 16: rd_u32(r); return 1;
    default: return 1; /* saturating truncations */
    }
  default:
    if (op >= 0x28 && op <= 0x3E) { /* loads and stores: memarg */
      rd_u32(r);
      rd_u32(r);
    }
    return 1;
  }
}

/* Upper bound on the instructions one call of funcidx executes; anything
** above FUZZ_STEP_BUDGET (recursion, loops, unknown code) means "unsafe". */
static uint32_t func_cost(struct shape *s, uint32_t funcidx, unsigned depth) {
  const uint32_t inf = FUZZ_STEP_BUDGET + 1;
  if (funcidx < s->nimported_funcs)
    return 1; /* host functions of the spectest linker return at once */
  uint32_t i = funcidx - s->nimported_funcs;
  if (i >= s->nfuncs || depth > 64 || s->state[i] == 1)
    return inf;
  if (s->state[i] == 2)
    return s->cost[i];
  s->state[i] = 1;
  struct rd r = {s->body[i], s->body_end[i], 0};
  uint32_t groups = rd_u32(&r);
  for (uint32_t g = 0; g < groups && !r.bad; g++) {
    rd_u32(&r);
    rd_byte(&r);
  }
  uint32_t c = 0;
  while (!r.bad && r.p < r.end && c <= FUZZ_STEP_BUDGET)
    c = add_sat(c, instr_cost(s, &r, depth));
  if (r.bad)
    c = inf;
  s->state[i] = 2;
  s->cost[i] = c;
  return c;
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
  weft_status load, inst;
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
  for (uint32_t i = 0; i < n && i < 64; i++) {
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

static void fuzz_one(const uint8_t *data, size_t size,
                     struct fuzz_result *res) {
  struct fuzz_alloc fa = {0, 0, FUZZ_MEM_CAP, 0};
  weft_config cfg;
  weft_config_default(&cfg);
  cfg.max_memory_bytes = 2u << 20;
  cfg.max_table_elems = 4096;
  cfg.max_call_depth = 100;
  cfg.stack_bytes = 64u << 10;
  cfg.alloc = fuzz_realloc;
  cfg.alloc_user = &fa;
  memset(res, 0, sizeof *res);
  res->load = res->inst = WEFT_ERR_ARG;

  weft_engine *e = NULL;
  weft_error err;
  if (weft_engine_new(&cfg, &e, &err) != WEFT_OK)
    goto done;
  weft_module *mod = NULL;
  res->load = weft_module_load(e, data, size, &mod, &err);
  check_error(res, res->load, &err);
  if (res->load == WEFT_OK) {
    struct shape sh;
    memset(&sh, 0, sizeof sh);
    int safe = 0;
    if (scan_module(data, size, &sh)) {
      sh.state = calloc(sh.nfuncs + 1, 1);
      sh.cost = calloc(sh.nfuncs + 1, sizeof *sh.cost);
      if (sh.state && sh.cost) {
        safe = 1;
        for (uint32_t f = 0; f < sh.nimported_funcs + sh.nfuncs && safe; f++)
          safe = func_cost(&sh, f, 0) <= FUZZ_STEP_BUDGET;
      }
    }
    /* Use the empty linker now and then (every import then fails). */
    int empty = size > 8 && (data[size - 1] & 0x0f) == 0x0f;
    weft_linker *l = NULL;
    if ((safe || !sh.has_start) && weft_linker_new(e, &l, &err) == WEFT_OK &&
        (empty || define_spectest(e, l) == WEFT_OK)) {
      weft_instance *inst = NULL;
      res->inst = weft_instantiate(l, mod, &inst, &err);
      check_error(res, res->inst, &err);
      if (res->inst == WEFT_OK && safe)
        call_exports(e, mod, inst, res);
    }
    weft_linker_free(l);
    free(sh.body);
    free(sh.body_end);
    free(sh.state);
    free(sh.cost);
    weft_module_free(mod);
  }
done:
  weft_engine_free(e);
  res->peak = fa.peak;
  res->leaked = fa.live;
  res->bad_sizes = fa.bad;
}

#ifndef FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fuzz_result res;
  fuzz_one(data, size, &res);
  if (res.leaked || res.bad_sizes || res.no_message) {
    fprintf(stderr,
            "fuzz_load: leaked %zu bytes, %u bad old_size, %u failures "
            "without a message (load %d, instantiate %d)\n",
            res.leaked, res.bad_sizes, res.no_message, res.load, res.inst);
    abort();
  }
  return 0;
}
#endif
