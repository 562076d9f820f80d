/*
** test_hostile.c — deliberately hostile modules, built byte by byte with
** the LEB128 and section helpers below. Each must be rejected (or trap)
** with the right status and a non-empty message, and use bounded memory:
** a counting allocator given through weft_config.alloc records the peak
** live bytes of each case, which is printed ("peak ... bytes") and bounded.
** Public API only (weft.h).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "weft.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

/* ---- counting allocator ---------------------------------------------------
** Blocks carry their size in a header, so live bytes are exact whatever
** weft passes as old_size (a mismatch is counted and reported). */

struct counter {
  size_t live, peak, cap;
  unsigned bad_sizes;
};

#define HDR 16

static void *count_realloc(void *user, void *ptr, size_t old_size,
                           size_t new_size) {
  struct counter *c = user;
  unsigned char *blk = ptr ? (unsigned char *)ptr - HDR : NULL;
  if (blk) {
    size_t have;
    memcpy(&have, blk, sizeof have);
    if (have != old_size)
      c->bad_sizes++;
    old_size = have;
  }
  if (new_size == 0) {
    if (blk) {
      c->live -= old_size;
      free(blk);
    }
    return NULL;
  }
  if (new_size > c->cap || c->live - old_size > c->cap - new_size)
    return NULL;
  unsigned char *nb = realloc(blk, HDR + new_size);
  if (!nb)
    return NULL;
  memcpy(nb, &new_size, sizeof new_size);
  c->live = c->live - old_size + new_size;
  if (c->live > c->peak)
    c->peak = c->live;
  return nb + HDR;
}

/* An engine whose allocations are counted in *c (capped at 1 GiB). */
static weft_engine *counted_engine(weft_config *cfg, struct counter *c) {
  memset(c, 0, sizeof *c);
  c->cap = (size_t)1 << 30;
  cfg->alloc = count_realloc;
  cfg->alloc_user = c;
  weft_engine *e = NULL;
  weft_error err;
  weft_status s = weft_engine_new(cfg, &e, &err);
  CHECK_EQ_INT(s, WEFT_OK);
  return e;
}

/* Frees the engine and checks that nothing leaked. */
static void end_engine(weft_engine *e, struct counter *c) {
  weft_engine_free(e);
  CHECK_EQ_INT(c->live, 0);
  CHECK_EQ_INT(c->bad_sizes, 0);
}

static void report(const char *name, const struct counter *c,
                   const weft_error *err) {
  printf("  %-44s peak %10zu bytes  (%s)\n", name, c->peak,
         err && err->message[0] ? err->message : "ok");
}

/* ---- byte builders ------------------------------------------------------ */

struct buf {
  uint8_t *p;
  size_t len, cap;
};

static void put(struct buf *b, const void *src, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n)
      cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
      fprintf(stderr, "test_hostile: out of memory building a module\n");
      exit(2);
    }
    b->p = p;
    b->cap = cap;
  }
  if (n)
    memcpy(b->p + b->len, src, n);
  b->len += n;
}

static void byte(struct buf *b, uint8_t v) { put(b, &v, 1); }

static void bytes(struct buf *b, const char *s, size_t n) { put(b, s, n); }

static void uleb(struct buf *b, uint64_t v) {
  do {
    uint8_t x = v & 0x7f;
    v >>= 7;
    byte(b, x | (v ? 0x80 : 0));
  } while (v);
}

static void sleb(struct buf *b, int64_t v) {
  for (;;) {
    uint8_t x = v & 0x7f;
    v >>= 7; /* arithmetic on the compilers we support */
    int done = (v == 0 && !(x & 0x40)) || (v == -1 && (x & 0x40));
    byte(b, x | (done ? 0 : 0x80));
    if (done)
      return;
  }
}

static void name(struct buf *b, const char *s) {
  uleb(b, strlen(s));
  bytes(b, s, strlen(s));
}

static void mod_begin(struct buf *b) {
  memset(b, 0, sizeof *b);
  bytes(b, "\0asm\1\0\0\0", 8);
}

/* Appends section `id` with contents c, and empties c for reuse. */
static void section(struct buf *m, uint8_t id, struct buf *c) {
  byte(m, id);
  uleb(m, c->len);
  put(m, c->p, c->len);
  c->len = 0;
}

static void buf_free(struct buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

/* Type section with one type: () -> () or () -> (i32). */
static void type_sec(struct buf *m, int result_i32) {
  struct buf c = {0};
  uleb(&c, 1);
  byte(&c, 0x60);
  uleb(&c, 0);
  uleb(&c, result_i32 ? 1 : 0);
  if (result_i32)
    byte(&c, 0x7f);
  section(m, 1, &c);
  buf_free(&c);
}

/* Function section: n functions of type `type`. */
static void func_sec(struct buf *m, uint32_t n, uint32_t type) {
  struct buf c = {0};
  uleb(&c, n);
  for (uint32_t i = 0; i < n; i++)
    uleb(&c, type);
  section(m, 3, &c);
  buf_free(&c);
}

/* Export section: function `idx` as `nm`. */
static void export_func(struct buf *m, const char *nm, uint32_t idx) {
  struct buf c = {0};
  uleb(&c, 1);
  name(&c, nm);
  byte(&c, 0);
  uleb(&c, idx);
  section(m, 7, &c);
  buf_free(&c);
}

/* Code section with the given bodies (each: locals + code, no size). */
static void code_sec(struct buf *m, struct buf *bodies, uint32_t n) {
  struct buf c = {0};
  uleb(&c, n);
  for (uint32_t i = 0; i < n; i++) {
    uleb(&c, bodies[i].len);
    put(&c, bodies[i].p, bodies[i].len);
  }
  section(m, 10, &c);
  buf_free(&c);
}

/* Loads m under cfg; returns the status, with err and peak filled. */
static weft_status load_counted(weft_config *cfg, const struct buf *m,
                                struct counter *c, weft_error *err) {
  weft_engine *e = counted_engine(cfg, c);
  if (!e)
    return WEFT_ERR_NOMEM;
  weft_module *mod = NULL;
  weft_status s = weft_module_load(e, m->p, m->len, &mod, err);
  if (s == WEFT_OK)
    weft_module_free(mod);
  end_engine(e, c);
  return s;
}

static void check_message(weft_status s, const weft_error *err) {
  CHECK_EQ_INT(err->status, s);
  CHECK(err->message[0] != 0);
  CHECK(memchr(err->message, 0, sizeof err->message) != NULL);
}

/* ---- (a) sections declaring 2^32-1 entries ------------------------------ */

static void test_huge_counts(void) {
  static const struct {
    uint8_t id;
    const char *what;
  } secs[] = {{1, "type"},   {2, "import"}, {3, "function"}, {4, "table"},
              {5, "memory"}, {6, "global"}, {7, "export"},   {9, "element"},
              {10, "code"},  {11, "data"}};
  for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
    struct buf m, c = {0};
    mod_begin(&m);
    uleb(&c, UINT32_MAX);
    bytes(&c, "\x60\0\0", 3); /* a few honest-looking bytes */
    section(&m, secs[i].id, &c);
    buf_free(&c);
    weft_config cfg;
    weft_config_default(&cfg);
    struct counter cnt;
    weft_error err;
    weft_status s = load_counted(&cfg, &m, &cnt, &err);
    CHECK_EQ_INT(s, WEFT_ERR_MALFORMED);
    check_message(s, &err);
    CHECK(cnt.peak < 64 * KIB);
    char label[64];
    snprintf(label, sizeof label, "(a) %s count 2^32-1", secs[i].what);
    report(label, &cnt, &err);
    buf_free(&m);
  }

  /* Counts nested inside an entry: params of a type, names, br_table
  ** targets, local groups. */
  static const char *nested[] = {"type params", "export name", "br_table",
                                 "local groups"};
  for (int k = 0; k < 4; k++) {
    struct buf m, c = {0}, body = {0};
    mod_begin(&m);
    switch (k) {
    case 0:
      uleb(&c, 1);
      byte(&c, 0x60);
      uleb(&c, UINT32_MAX);
      byte(&c, 0x7f);
      section(&m, 1, &c);
      break;
    case 1:
      uleb(&c, 1);
      uleb(&c, UINT32_MAX);
      bytes(&c, "abc", 3);
      section(&m, 7, &c);
      break;
    case 2:
      type_sec(&m, 0);
      func_sec(&m, 1, 0);
      uleb(&body, 0);
      byte(&body, 0x41); /* i32.const 0 */
      sleb(&body, 0);
      byte(&body, 0x0e); /* br_table */
      uleb(&body, UINT32_MAX);
      bytes(&body, "\0\0\x0b", 3);
      code_sec(&m, &body, 1);
      break;
    default:
      type_sec(&m, 0);
      func_sec(&m, 1, 0);
      uleb(&body, UINT32_MAX);
      bytes(&body, "\1\x7f\x0b", 3);
      code_sec(&m, &body, 1);
      break;
    }
    weft_config cfg;
    weft_config_default(&cfg);
    struct counter cnt;
    weft_error err;
    weft_status s = load_counted(&cfg, &m, &cnt, &err);
    CHECK_EQ_INT(s, WEFT_ERR_MALFORMED);
    check_message(s, &err);
    CHECK(cnt.peak < 64 * KIB);
    char label[64];
    snprintf(label, sizeof label, "(a) %s count 2^32-1", nested[k]);
    report(label, &cnt, &err);
    buf_free(&m);
    buf_free(&c);
    buf_free(&body);
  }
}

/* ---- (b) a function with 10^6 locals --------------------------------------
 */

/* One exported function "f" () -> () whose locals are the given groups. */
static void many_locals_module(struct buf *m, const uint32_t *groups,
                               int ngroups) {
  struct buf body = {0};
  mod_begin(m);
  type_sec(m, 0);
  func_sec(m, 1, 0);
  export_func(m, "f", 0);
  uleb(&body, (uint64_t)ngroups);
  for (int i = 0; i < ngroups; i++) {
    uleb(&body, groups[i]);
    byte(&body, 0x7e); /* i64 */
  }
  byte(&body, 0x0b);
  code_sec(m, &body, 1);
  buf_free(&body);
}

static void test_many_locals(void) {
  struct buf m;
  uint32_t million = 1000000;
  many_locals_module(&m, &million, 1);

  weft_config cfg;
  weft_config_default(&cfg);
  struct counter cnt;
  weft_error err;
  weft_status s = load_counted(&cfg, &m, &cnt, &err);
  CHECK_EQ_INT(s, WEFT_ERR_LIMIT); /* default max_locals is 50,000 */
  check_message(s, &err);
  CHECK_CONTAINS(err.message, "locals");
  CHECK(cnt.peak < 64 * KIB);
  report("(b) 10^6 locals, default max_locals", &cnt, &err);

  /* Raised limit: it may load; a call then runs or exhausts the stack. */
  weft_config_default(&cfg);
  cfg.max_locals = 2000000;
  weft_engine *e = counted_engine(&cfg, &cnt);
  weft_module *mod = NULL;
  s = weft_module_load(e, m.p, m.len, &mod, &err);
  CHECK(s == WEFT_OK || s == WEFT_ERR_LIMIT);
  if (s != WEFT_OK) {
    check_message(s, &err);
  } else {
    weft_linker *l = NULL;
    weft_instance *inst = NULL;
    weft_extern f;
    CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
    CHECK_EQ_INT(weft_instantiate(l, mod, &inst, &err), WEFT_OK);
    if (inst && weft_instance_export(inst, "f", &f) == WEFT_OK) {
      s = weft_func_call(e, f.of.func, NULL, 0, NULL, 0, &err);
      /* 10^6 slots need 8 MB: more than the default 8 MiB stack holds
      ** with frame overhead is a clean trap, less is a normal return. */
      CHECK(s == WEFT_OK ||
            (s == WEFT_ERR_TRAP && err.trap == WEFT_TRAP_STACK_EXHAUSTED));
      if (s != WEFT_OK)
        check_message(s, &err);
      printf("  (b) 10^6 locals with max_locals 2,000,000: loads; call %s\n",
             s == WEFT_OK ? "returns" : err.message);
    }
    weft_linker_free(l);
    weft_module_free(mod);
  }
  end_engine(e, &cnt);
  CHECK(cnt.peak < 64 * MIB);
  report("(b) 10^6 locals, max_locals 2,000,000 + call", &cnt,
         s == WEFT_OK ? NULL : &err);
  buf_free(&m);

  /* Groups that add up past 2^32 under an unlimited config. */
  uint32_t halves[3] = {0x80000000u, 0x80000000u, 1};
  many_locals_module(&m, halves, 3);
  weft_config_default(&cfg);
  cfg.max_locals = UINT32_MAX;
  s = load_counted(&cfg, &m, &cnt, &err);
  CHECK(s == WEFT_ERR_MALFORMED || s == WEFT_ERR_LIMIT);
  check_message(s, &err);
  CHECK(cnt.peak < 64 * KIB);
  report("(b) local groups summing past 2^32", &cnt, &err);
  buf_free(&m);

  /* 2^32-1 locals in one group with max_locals = UINT32_MAX: must not try
  ** to allocate per-local state for four billion locals. */
  uint32_t all = UINT32_MAX;
  many_locals_module(&m, &all, 1);
  s = load_counted(&cfg, &m, &cnt, &err);
  CHECK(s == WEFT_ERR_LIMIT || s == WEFT_ERR_NOMEM);
  check_message(s, &err);
  CHECK(cnt.peak < 64 * MIB);
  report("(b) 2^32-1 locals, max_locals UINT32_MAX", &cnt, &err);
  buf_free(&m);
}

/* ---- (c) 10^5 nested blocks -----------------------------------------------
 */

static void nested_module(struct buf *m, uint32_t depth, uint8_t opcode) {
  struct buf body = {0};
  mod_begin(m);
  type_sec(m, 1);
  func_sec(m, 1, 0);
  export_func(m, "f", 0);
  uleb(&body, 0);
  for (uint32_t i = 0; i < depth; i++) {
    if (opcode == 0x04) { /* if needs a condition */
      byte(&body, 0x41);
      sleb(&body, 1);
    }
    byte(&body, opcode);
    byte(&body, 0x40);
  }
  /* innermost: branch out of every block or if (a loop label would loop) */
  if (opcode != 0x03) {
    byte(&body, 0x0c);
    uleb(&body, depth - 1);
  }
  for (uint32_t i = 0; i < depth; i++)
    byte(&body, 0x0b);
  byte(&body, 0x41);
  sleb(&body, 42);
  byte(&body, 0x0b);
  code_sec(m, &body, 1);
  buf_free(&body);
}

static void test_deep_nesting(void) {
  static const struct {
    uint8_t op;
    const char *label;
  } kinds[] = {{0x02, "(c) 10^5 nested blocks"},
               {0x03, "(c) 10^5 nested loops"},
               {0x04, "(c) 10^5 nested ifs"}};
  for (int k = 0; k < 3; k++) {
    struct buf m;
    nested_module(&m, 100000, kinds[k].op);
    weft_config cfg;
    weft_config_default(&cfg);
    struct counter cnt;
    weft_error err;
    weft_engine *e = counted_engine(&cfg, &cnt);
    weft_module *mod = NULL;
    weft_status s = weft_module_load(e, m.p, m.len, &mod, &err);
    size_t load_peak = cnt.peak;
    /* Either is acceptable; record which. */
    CHECK(s == WEFT_OK || s == WEFT_ERR_LIMIT);
    if (s != WEFT_OK) {
      check_message(s, &err);
    } else {
      weft_linker *l = NULL;
      weft_instance *inst = NULL;
      weft_extern f;
      weft_val r;
      CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
      CHECK_EQ_INT(weft_instantiate(l, mod, &inst, &err), WEFT_OK);
      if (inst && weft_instance_export(inst, "f", &f) == WEFT_OK) {
        CHECK_EQ_INT(weft_func_call(e, f.of.func, NULL, 0, &r, 1, &err),
                     WEFT_OK);
        CHECK_EQ_INT(r.of.i32, 42);
      }
      weft_linker_free(l);
      weft_module_free(mod);
    }
    end_engine(e, &cnt);
    CHECK(cnt.peak < 64 * MIB);
    printf("  %s: %s (module %zu bytes, peak after load %zu)\n", kinds[k].label,
           s == WEFT_OK ? "loads and runs" : "rejected", m.len, load_peak);
    report(kinds[k].label, &cnt, s == WEFT_OK ? NULL : &err);
    buf_free(&m);
  }
}

/* ---- (d) every prefix of a valid module -----------------------------------
 */

/* wat2wasm output of (plus a custom section "note" appended below):
(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g0 i32))
  (type $bin (func (param i32 i32) (result i32)))
  (table $t 4 funcref)
  (memory $m 1 2)
  (global $cnt (mut i32) (i32.const 0))
  (global $k i64 (i64.const -7))
  (elem (i32.const 0) $add $sub)
  (elem $passive func $add)
  (data (i32.const 16) "hello, weft")
  (data $pdata "passive")
  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
  (func $start
    (global.set $cnt (i32.add (global.get $cnt) (global.get $g0))))
  (func (export "run") (param $n i32) (result i32)
    (local $acc i32) (local $f f64)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc
          (call_indirect (type $bin) (local.get $acc) (local.get $n)
            (i32.and (local.get $n) (i32.const 1))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (call $print (local.get $acc))
    (i32.store offset=4 (i32.const 0) (local.get $acc))
    (memory.init $pdata (i32.const 32) (i32.const 0) (i32.const 7))
    (local.set $f (f64.convert_i32_s (i32.load8_u (i32.const 16))))
    (i32.add (local.get $acc) (i32.trunc_f64_s (local.get $f))))
  (export "mem" (memory $m))
  (export "cnt" (global $cnt))
  (export "tab" (table $t))
  (start $start))
*/
static const uint8_t small_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x13, 0x04, 0x60,
    0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x00,
    0x60, 0x01, 0x7f, 0x01, 0x7f, 0x02, 0x2d, 0x02, 0x08, 0x73, 0x70, 0x65,
    0x63, 0x74, 0x65, 0x73, 0x74, 0x09, 0x70, 0x72, 0x69, 0x6e, 0x74, 0x5f,
    0x69, 0x33, 0x32, 0x00, 0x01, 0x08, 0x73, 0x70, 0x65, 0x63, 0x74, 0x65,
    0x73, 0x74, 0x0a, 0x67, 0x6c, 0x6f, 0x62, 0x61, 0x6c, 0x5f, 0x69, 0x33,
    0x32, 0x03, 0x7f, 0x00, 0x03, 0x05, 0x04, 0x00, 0x00, 0x02, 0x03, 0x04,
    0x04, 0x01, 0x70, 0x00, 0x04, 0x05, 0x04, 0x01, 0x01, 0x01, 0x02, 0x06,
    0x0b, 0x02, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x7e, 0x00, 0x42, 0x79, 0x0b,
    0x07, 0x19, 0x04, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x04, 0x03, 0x6d, 0x65,
    0x6d, 0x02, 0x00, 0x03, 0x63, 0x6e, 0x74, 0x03, 0x01, 0x03, 0x74, 0x61,
    0x62, 0x01, 0x00, 0x08, 0x01, 0x03, 0x09, 0x0c, 0x02, 0x00, 0x41, 0x00,
    0x0b, 0x02, 0x01, 0x02, 0x01, 0x00, 0x01, 0x01, 0x0c, 0x01, 0x02, 0x0a,
    0x67, 0x04, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00,
    0x20, 0x00, 0x20, 0x01, 0x6b, 0x0b, 0x09, 0x00, 0x23, 0x01, 0x23, 0x00,
    0x6a, 0x24, 0x01, 0x0b, 0x4b, 0x02, 0x01, 0x7f, 0x01, 0x7c, 0x02, 0x40,
    0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01, 0x20, 0x01, 0x20, 0x00, 0x20,
    0x00, 0x41, 0x01, 0x71, 0x11, 0x00, 0x00, 0x21, 0x01, 0x20, 0x00, 0x41,
    0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x10, 0x00,
    0x41, 0x00, 0x20, 0x01, 0x36, 0x02, 0x04, 0x41, 0x20, 0x41, 0x00, 0x41,
    0x07, 0xfc, 0x08, 0x01, 0x00, 0x41, 0x10, 0x2d, 0x00, 0x00, 0xb7, 0x21,
    0x02, 0x20, 0x01, 0x20, 0x02, 0xaa, 0x6a, 0x0b, 0x0b, 0x1a, 0x02, 0x00,
    0x41, 0x10, 0x0b, 0x0b, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x77,
    0x65, 0x66, 0x74, 0x01, 0x07, 0x70, 0x61, 0x73, 0x73, 0x69, 0x76, 0x65};

/* Section boundaries of m (offsets where a section starts, and the end). */
static int is_boundary(const struct buf *m, size_t at) {
  size_t p = 8;
  if (at == 8)
    return 1;
  while (p < m->len) {
    uint8_t id = m->p[p++];
    (void)id;
    uint64_t size = 0;
    for (unsigned shift = 0; p < m->len; shift += 7) {
      uint8_t b = m->p[p++];
      size |= (uint64_t)(b & 0x7f) << shift;
      if (!(b & 0x80))
        break;
    }
    p += size;
    if (p == at)
      return 1;
  }
  return 0;
}

static void test_truncated(void) {
  struct buf m, c = {0};
  mod_begin(&m);
  m.len = 0;
  put(&m, small_wasm, sizeof small_wasm);
  name(&c, "note");
  bytes(&c, "fuzz me", 7);
  section(&m, 0, &c);
  buf_free(&c);

  size_t peak = 0;
  unsigned failed_cleanly = 0, boundary_ok = 0, wrong = 0;
  for (size_t n = 0; n <= m.len; n++) {
    weft_config cfg;
    weft_config_default(&cfg);
    struct counter cnt;
    weft_engine *e = counted_engine(&cfg, &cnt);
    weft_module *mod = NULL;
    weft_error err;
    weft_status s = weft_module_load(e, m.p, n, &mod, &err);
    if (s == WEFT_OK)
      weft_module_free(mod);
    end_engine(e, &cnt); /* checks that nothing leaked */
    if (cnt.peak > peak)
      peak = cnt.peak;
    if (n == m.len) {
      CHECK_EQ_INT(s, WEFT_OK);
    } else if (s == WEFT_OK) {
      /* only a prefix ending at a section boundary can be a module */
      if (is_boundary(&m, n))
        boundary_ok++;
      else
        wrong++;
    } else {
      failed_cleanly += (s == WEFT_ERR_MALFORMED || s == WEFT_ERR_INVALID) &&
                        err.message[0] && err.status == s;
      if (!is_boundary(&m, n) && s != WEFT_ERR_MALFORMED) {
        wrong++;
        fprintf(stderr, "     prefix %zu: status %d (%s)\n", n, s, err.message);
      }
    }
  }
  CHECK_EQ_INT(wrong, 0);
  CHECK_EQ_INT(failed_cleanly + boundary_ok, m.len);
  CHECK(peak < 64 * KIB);
  printf("  (d) %zu prefixes: %u rejected, %u valid at section boundaries; "
         "peak %zu bytes (max over all)\n",
         m.len, failed_cleanly, boundary_ok, peak);
  buf_free(&m);
}

/* ---- (e) a 100 MiB data segment into a 1-page memory -----------------------
 */

static void test_huge_data(void) {
  const size_t seg = 100 * MIB;
  struct buf m, c = {0};
  mod_begin(&m);
  uleb(&c, 1); /* memory section: one memory, min 1 page */
  byte(&c, 0);
  uleb(&c, 1);
  section(&m, 5, &c);
  uleb(&c, 1); /* data section: one active segment at 0 */
  byte(&c, 0);
  byte(&c, 0x41);
  sleb(&c, 0);
  byte(&c, 0x0b);
  uleb(&c, seg);
  size_t at = c.len;
  if (c.cap < at + seg) {
    uint8_t *p = realloc(c.p, at + seg);
    if (!p) {
      CHECK(!"out of memory building the data segment");
      return;
    }
    c.p = p;
    c.cap = at + seg;
  }
  memset(c.p + at, 0xab, seg);
  c.len = at + seg;
  section(&m, 11, &c);
  buf_free(&c);

  weft_config cfg;
  weft_config_default(&cfg);
  struct counter cnt;
  weft_error err;
  weft_engine *e = counted_engine(&cfg, &cnt);
  weft_module *mod = NULL;
  weft_status s = weft_module_load(e, m.p, m.len, &mod, &err);
  CHECK_EQ_INT(s, WEFT_OK); /* valid: the offset is checked at run time */
  size_t after_load = cnt.peak;
  if (s == WEFT_OK) {
    weft_linker *l = NULL;
    weft_instance *inst = NULL;
    CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
    s = weft_instantiate(l, mod, &inst, &err);
    CHECK_EQ_INT(s, WEFT_ERR_TRAP);
    CHECK_EQ_INT(err.trap, WEFT_TRAP_MEMORY_OOB);
    CHECK_CONTAINS(err.message, "out of bounds memory access");
    CHECK(inst == NULL);
    weft_linker_free(l);
    weft_module_free(mod);
  }
  end_engine(e, &cnt);
  /* Bound: the module's own copy of the bytes + the 64 KiB page + 1 MiB. */
  CHECK(cnt.peak <= m.len + 64 * KIB + MIB);
  printf("  (e) module %zu bytes; peak after load %zu, overall %zu "
         "(overhead %zu)\n",
         m.len, after_load, cnt.peak, cnt.peak - m.len);
  report("(e) 100 MiB data segment, 1-page memory", &cnt, &err);
  buf_free(&m);
}

/* ---- (f) unbounded recursion -----------------------------------------------
 */

/* Exports "rec" (calls itself forever, with `nlocals` i64 locals) and
** "ok" (returns 42). */
static void recursion_module(struct buf *m, uint32_t nlocals) {
  struct buf bodies[2] = {{0}, {0}};
  mod_begin(m);
  type_sec(m, 1);
  func_sec(m, 2, 0);
  struct buf c = {0};
  uleb(&c, 2);
  name(&c, "rec");
  byte(&c, 0);
  uleb(&c, 0);
  name(&c, "ok");
  byte(&c, 0);
  uleb(&c, 1);
  section(m, 7, &c);
  buf_free(&c);
  if (nlocals) {
    uleb(&bodies[0], 1);
    uleb(&bodies[0], nlocals);
    byte(&bodies[0], 0x7e);
  } else {
    uleb(&bodies[0], 0);
  }
  byte(&bodies[0], 0x10); /* call 0 */
  uleb(&bodies[0], 0);
  byte(&bodies[0], 0x0b);
  uleb(&bodies[1], 0);
  byte(&bodies[1], 0x41);
  sleb(&bodies[1], 42);
  byte(&bodies[1], 0x0b);
  code_sec(m, bodies, 2);
  buf_free(&bodies[0]);
  buf_free(&bodies[1]);
}

/* Recursion until a trap. `cap` (0: 1 GiB) limits the allocator, and with
** it the frame array, which grows as the recursion deepens. */
static void run_recursion_capped(const char *label, uint32_t nlocals,
                                 uint32_t max_depth, size_t cap) {
  struct buf m;
  recursion_module(&m, nlocals);
  weft_config cfg;
  weft_config_default(&cfg);
  if (max_depth)
    cfg.max_call_depth = max_depth;
  if (cap)
    cfg.stack_bytes = 64u << 20; /* the frames run out first */
  struct counter cnt;
  weft_error err;
  weft_engine *e = counted_engine(&cfg, &cnt);
  if (cap)
    cnt.cap = cap;
  weft_module *mod = NULL;
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_extern rec, ok;
  weft_val r;
  CHECK_EQ_INT(weft_module_load(e, m.p, m.len, &mod, &err), WEFT_OK);
  CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
  if (mod && l)
    CHECK_EQ_INT(weft_instantiate(l, mod, &inst, &err), WEFT_OK);
  if (inst) {
    CHECK_EQ_INT(weft_instance_export(inst, "rec", &rec), WEFT_OK);
    CHECK_EQ_INT(weft_instance_export(inst, "ok", &ok), WEFT_OK);
    for (int round = 0; round < 2; round++) {
      weft_status s = weft_func_call(e, rec.of.func, NULL, 0, &r, 1, &err);
      CHECK_EQ_INT(s, WEFT_ERR_TRAP);
      CHECK_EQ_INT(err.trap, WEFT_TRAP_STACK_EXHAUSTED);
      CHECK_CONTAINS(err.message, "call stack exhausted");
      /* the engine still works afterwards */
      weft_error err2;
      r.of.i32 = 0;
      CHECK_EQ_INT(weft_func_call(e, ok.of.func, NULL, 0, &r, 1, &err2),
                   WEFT_OK);
      CHECK_EQ_INT(r.of.i32, 42);
    }
  }
  weft_linker_free(l);
  weft_module_free(mod);
  end_engine(e, &cnt);
  CHECK(cnt.peak < (cap ? cap : 64 * MIB));
  report(label, &cnt, &err);
  buf_free(&m);
}

static void run_recursion(const char *label, uint32_t nlocals,
                          uint32_t max_depth) {
  run_recursion_capped(label, nlocals, max_depth, 0);
}

static void test_recursion(void) {
  /* a limit of 1e8 frames costs nothing up front; growing the frames past
  ** what the allocator gives is the same trap */
  run_recursion_capped("(f) recursion, max_call_depth 1e8, 70 MiB allocator", 0,
                       100000000, 70 * MIB);
  run_recursion("(f) recursion, default max_call_depth", 0, 0);
  run_recursion("(f) recursion, max_call_depth 100", 0, 100);
  /* frames of 5,000 slots: the 8 MiB value stack runs out first */
  run_recursion("(f) recursion with 5,000 locals per frame", 5000, 0);
}

/* ---- (g) 65536 pages against a 16 MiB memory limit ------------------------
 */

static void test_memory_limit(void) {
  for (int has_max = 0; has_max < 2; has_max++) {
    struct buf m, c = {0};
    mod_begin(&m);
    uleb(&c, 1);
    byte(&c, (uint8_t)has_max);
    uleb(&c, 65536);
    if (has_max)
      uleb(&c, 65536);
    section(&m, 5, &c);
    buf_free(&c);
    weft_config cfg;
    weft_config_default(&cfg);
    cfg.max_memory_bytes = 16 * MIB;
    struct counter cnt;
    weft_error err;
    weft_engine *e = counted_engine(&cfg, &cnt);
    weft_module *mod = NULL;
    weft_linker *l = NULL;
    weft_instance *inst = NULL;
    CHECK_EQ_INT(weft_module_load(e, m.p, m.len, &mod, &err), WEFT_OK);
    CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
    weft_status s =
        mod && l ? weft_instantiate(l, mod, &inst, &err) : WEFT_ERR_ARG;
    CHECK_EQ_INT(s, WEFT_ERR_LIMIT);
    check_message(s, &err);
    CHECK(inst == NULL);
    weft_linker_free(l);
    weft_module_free(mod);
    end_engine(e, &cnt);
    CHECK(cnt.peak < 1 * MIB);
    report(has_max ? "(g) memory 65536..65536 pages, 16 MiB limit"
                   : "(g) memory 65536 pages, 16 MiB limit",
           &cnt, &err);
    buf_free(&m);
  }
}

int main(void) {
  T_RUN(test_huge_counts);
  T_RUN(test_many_locals);
  T_RUN(test_deep_nesting);
  T_RUN(test_truncated);
  T_RUN(test_huge_data);
  T_RUN(test_recursion);
  T_RUN(test_memory_limit);
  return T_DONE();
}
