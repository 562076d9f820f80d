/*
** test_mem64.c — multiple memories and memory64 outside the spec scripts:
** a snapshot taken in the middle of a program that writes a 32-bit memory
** 0 and a 64-bit memory 1 restores both (contents and sizes) and the run
** ends as one never stopped; hostile modules (100,000 memories, 2^48-page
** and 2^63-element minimums) are refused with a limit error without
** allocating what they ask; the API's 64-bit memories link only to 64-bit
** imports; weft_host_memory_at hands a host function memory 1.
*/
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "weft.h"
#include "weft_snapshot.h"
#include "weft_text.h"

/* run(n): for i < n, memory 1 (i64) gets acc at 0x10000 + 8i and memory 0
** gets i at 4i; memory 1 grows by a page at i == n/2. Returns acc plus the
** size of memory 1 in pages. */
static const char prog_wat[] =
    "(module"
    "  (memory (export \"m0\") 1)"
    "  (memory $b (export \"m1\") i64 2 8)"
    "  (func (export \"run\") (param $n i32) (result i64)"
    "    (local $i i32) (local $acc i64) (local $at i64)"
    "    (loop $l"
    "      (local.set $at (i64.add (i64.const 0x10000)"
    "        (i64.extend_i32_u (i32.mul (local.get $i) (i32.const 8)))))"
    "      (i64.store $b (local.get $at) (local.get $acc))"
    "      (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $i))"
    "      (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31))"
    "        (i64.add (i64.load $b (local.get $at))"
    "                 (i64.extend_i32_u (local.get $i)))))"
    "      (if (i32.eq (local.get $i) (i32.shr_u (local.get $n) (i32.const 1)))"
    "        (then (drop (memory.grow $b (i64.const 1)))))"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))"
    "    (i64.add (local.get $acc) (memory.size $b))))";

static uint8_t *wasm;
static size_t wasm_len;

struct prog {
  weft_engine *e;
  weft_module *m;
  weft_instance *inst;
};

static int prog_new(struct prog *p) {
  weft_config c;
  weft_error err;
  memset(p, 0, sizeof *p);
  weft_config_default(&c);
  c.fuel_metering = 1;
  c.guard_pages = 0;
  return weft_engine_new(&c, &p->e, &err) == WEFT_OK &&
                 weft_module_load(p->e, wasm, wasm_len, &p->m, &err) == WEFT_OK
             ? 0
             : -1;
}

static void prog_free(struct prog *p) {
  weft_module_free(p->m);
  weft_engine_free(p->e);
}

/* Both memories' sizes and a checksum of their bytes. */
struct mem_state {
  uint64_t size0, size1, sum;
};

static struct mem_state mem_state(weft_instance *inst) {
  struct mem_state s = {0, 0, 0};
  weft_extern x0, x1;
  if (weft_instance_export(inst, "m0", &x0) != WEFT_OK ||
      weft_instance_export(inst, "m1", &x1) != WEFT_OK)
    return s;
  s.size0 = weft_memory_size(x0.of.memory);
  s.size1 = weft_memory_size(x1.of.memory);
  const uint8_t *d0 = weft_memory_data(x0.of.memory);
  const uint8_t *d1 = weft_memory_data(x1.of.memory);
  for (uint64_t i = 0; i < s.size0; i++)
    s.sum = s.sum * 131 + d0[i];
  for (uint64_t i = 0; i < s.size1; i++)
    s.sum = s.sum * 137 + d1[i];
  return s;
}

struct stopper {
  weft_instance *inst;
  uint64_t handed, at;
  uint8_t *snap;
  size_t snap_len;
};

static weft_trap stop_at(void *user, weft_engine *e) {
  struct stopper *s = user;
  weft_error err;
  if (s->handed >= s->at && !s->snap &&
      weft_engine_safe_point(e) == WEFT_SAFE_BLOCK) {
    if (weft_snapshot_save(e, s->inst, &s->snap, &s->snap_len, &err) != WEFT_OK)
      s->snap = NULL;
    return WEFT_TRAP_INTERRUPTED;
  }
  weft_engine_set_fuel(e, weft_engine_fuel(e) + 1);
  s->handed++;
  return WEFT_TRAP_NONE;
}

static void test_snapshot_two_memories(void) {
  weft_error err;
  CHECK_EQ_INT(
      weft_wat_to_wasm_opts(prog_wat, strlen(prog_wat),
                            &(weft_text_options){WEFT_TEXT_3_0, NULL, NULL},
                            &wasm, &wasm_len, &err),
      WEFT_OK);
  if (!wasm)
    return;
  weft_val arg = {WEFT_I32, {.i32 = 200}}, res;
  weft_extern run;

  /* The whole run. */
  struct prog p;
  CHECK_EQ_INT(prog_new(&p), 0);
  CHECK_EQ_INT(weft_instantiate(NULL, p.m, &p.inst, &err), WEFT_OK);
  CHECK_EQ_INT(weft_instance_export(p.inst, "run", &run), WEFT_OK);
  weft_engine_set_fuel(p.e, 1u << 30);
  CHECK_EQ_INT(weft_func_call(p.e, run.of.func, &arg, 1, &res, 1, &err),
               WEFT_OK);
  int64_t want = res.of.i64;
  struct mem_state want_mem = mem_state(p.inst);
  CHECK_EQ_INT(want_mem.size1, 3 * 65536); /* grew once */
  prog_free(&p);

  /* Stopped before and after the grow, then restored and finished. */
  static const uint64_t stops[] = {50, 2000, 4000};
  for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++) {
    struct stopper s = {0};
    CHECK_EQ_INT(prog_new(&p), 0);
    CHECK_EQ_INT(weft_instantiate(NULL, p.m, &p.inst, &err), WEFT_OK);
    CHECK_EQ_INT(weft_instance_export(p.inst, "run", &run), WEFT_OK);
    s.inst = p.inst;
    s.at = stops[k];
    weft_engine_set_fuel(p.e, 0);
    weft_engine_set_fuel_hook(p.e, stop_at, &s);
    CHECK_EQ_INT(weft_func_call(p.e, run.of.func, &arg, 1, &res, 1, &err),
                 WEFT_ERR_TRAP);
    CHECK(s.snap != NULL);
    uint8_t *snap = NULL;
    size_t len = s.snap_len;
    if (s.snap) {
      snap = malloc(len);
      memcpy(snap, s.snap, len);
      weft_snapshot_free(p.e, s.snap, s.snap_len);
    }
    prog_free(&p);
    if (!snap)
      continue;

    struct prog q;
    CHECK_EQ_INT(prog_new(&q), 0);
    CHECK_EQ_INT(
        weft_snapshot_restore(q.e, NULL, q.m, snap, len, &q.inst, &err),
        WEFT_OK);
    weft_engine_set_fuel(q.e, 1u << 30);
    CHECK_EQ_INT(weft_snapshot_resume(q.e, &res, 1, &err), WEFT_OK);
    CHECK_EQ_INT(res.of.i64, want);
    struct mem_state got = mem_state(q.inst);
    CHECK_EQ_INT(got.size0, want_mem.size0);
    CHECK_EQ_INT(got.size1, want_mem.size1);
    CHECK(got.sum == want_mem.sum);
    prog_free(&q);
    free(snap);
  }
  free(wasm);
  wasm = NULL;
}

/* An engine whose allocator counts the bytes it hands out. */
static size_t peak_live, live;
static void *counting_alloc(void *user, void *ptr, size_t old, size_t size) {
  (void)user;
  live = live - old + size;
  if (live > peak_live)
    peak_live = live;
  if (size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, size);
}

static weft_status load_and_instantiate(const uint8_t *bytes, size_t n,
                                        weft_error *err) {
  weft_config c;
  weft_engine *e;
  weft_module *m;
  weft_instance *inst;
  weft_config_default(&c);
  c.alloc = counting_alloc;
  c.guard_pages = 0;
  if (weft_engine_new(&c, &e, err) != WEFT_OK)
    return WEFT_ERR_NOMEM;
  weft_status s = weft_module_load(e, bytes, n, &m, err);
  if (s == WEFT_OK) {
    s = weft_instantiate(NULL, m, &inst, err);
    weft_module_free(m);
  }
  weft_engine_free(e);
  return s;
}

static void test_hostile(void) {
  weft_error err;
  /* 100,000 memories of 0 pages: refused by the limit at load. */
  size_t n = 100000, len = 8 + 1 + 5 + 3 + 2 * n;
  uint8_t *b = calloc(1, len), *p = b;
  memcpy(p, "\0asm\1\0\0\0", 8);
  p += 8;
  *p++ = 5;
  size_t body = 3 + 2 * n;
  for (int i = 0; i < 5; i++, body >>= 7)
    *p++ = (uint8_t)((body & 0x7f) | (i < 4 ? 0x80 : 0));
  *p++ = 0xa0, *p++ = 0x8d, *p++ = 0x06; /* 100000 */
  peak_live = live = 0;
  CHECK_EQ_INT(load_and_instantiate(b, len, &err), WEFT_ERR_LIMIT);
  CHECK(strstr(err.message, "memories") != NULL);
  CHECK(peak_live < 16 * len); /* nothing per memory beyond the decode */
  free(b);

  /* A memory64 of 2^48 pages (valid) and a table64 of 2^63 elements:
  ** refused at instantiation by the engine's limits, nothing allocated
  ** for them. */
  static const uint8_t huge_mem[] = {0,    'a',  's',  'm',  1,   0,    0,
                                     0,    5,    9,    1,    4,   0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80, 0x40};
  peak_live = live = 0;
  CHECK_EQ_INT(load_and_instantiate(huge_mem, sizeof huge_mem, &err),
               WEFT_ERR_LIMIT);
  CHECK(peak_live < (1u << 20));
  static const uint8_t huge_table[] = {
      0, 'a',  's',  'm',  1,    0,    0,    0,    4,    13,   1,   0x70,
      4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  peak_live = live = 0;
  CHECK_EQ_INT(load_and_instantiate(huge_table, sizeof huge_table, &err),
               WEFT_ERR_LIMIT);
  CHECK(peak_live < (1u << 20));
}

/* A host function reading memory 1 of its caller. */
static weft_status read_m1(weft_host_ctx *ctx, void *user, weft_slot *slots) {
  (void)user;
  weft_memory *m = weft_host_memory_at(ctx, 1);
  if (!m || weft_host_memory_at(ctx, 2) != NULL || !weft_memory_is64(m) ||
      weft_host_memory_at(ctx, 0) != weft_host_memory(ctx))
    return weft_host_trap(ctx, "wrong memories");
  slots[0].u32 = weft_memory_data(m)[slots[0].u32];
  return WEFT_OK;
}

static void test_api(void) {
  static const char wat[] =
      "(module (import \"h\" \"read\" (func $r (param i32) (result i32)))"
      "  (import \"h\" \"mem\" (memory i64 1))"
      "  (memory i64 1)"
      "  (data (memory 1) (i64.const 5) \"z\")"
      "  (func (export \"f\") (result i32) (call $r (i32.const 5))))";
  weft_error err;
  uint8_t *bin = NULL;
  size_t bin_len = 0;
  CHECK_EQ_INT(
      weft_wat_to_wasm_opts(wat, strlen(wat),
                            &(weft_text_options){WEFT_TEXT_3_0, NULL, NULL},
                            &bin, &bin_len, &err),
      WEFT_OK);
  weft_config c;
  weft_engine *e;
  weft_module *m;
  weft_linker *l;
  weft_instance *inst;
  weft_config_default(&c);
  CHECK_EQ_INT(weft_engine_new(&c, &e, &err), WEFT_OK);
  CHECK_EQ_INT(weft_module_load(e, bin, bin_len, &m, &err), WEFT_OK);
  CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
  static const weft_valtype i32[] = {WEFT_I32};
  weft_func *hf;
  CHECK_EQ_INT(weft_func_new_host(e, i32, 1, i32, 1, read_m1, NULL, &hf, &err),
               WEFT_OK);
  weft_extern x = {.kind = WEFT_EXTERN_FUNC, .of.func = hf};
  CHECK_EQ_INT(weft_linker_define(l, "h", "read", x, &err), WEFT_OK);
  /* A 32-bit memory does not satisfy a memory64 import. */
  weft_memory *m32, *m64;
  CHECK_EQ_INT(weft_memory_new(e, 1, UINT32_MAX, &m32, &err), WEFT_OK);
  x.kind = WEFT_EXTERN_MEMORY;
  x.of.memory = m32;
  CHECK_EQ_INT(weft_linker_define(l, "h", "mem", x, &err), WEFT_OK);
  CHECK_EQ_INT(weft_instantiate(l, m, &inst, &err), WEFT_ERR_LINK);
  weft_linker_free(l);
  CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
  x.kind = WEFT_EXTERN_FUNC;
  x.of.func = hf;
  CHECK_EQ_INT(weft_linker_define(l, "h", "read", x, &err), WEFT_OK);
  CHECK_EQ_INT(weft_memory_new64(e, 1, UINT32_MAX, &m64, &err), WEFT_OK);
  CHECK(weft_memory_is64(m64) && !weft_memory_is64(m32));
  x.kind = WEFT_EXTERN_MEMORY;
  x.of.memory = m64;
  CHECK_EQ_INT(weft_linker_define(l, "h", "mem", x, &err), WEFT_OK);
  CHECK_EQ_INT(weft_instantiate(l, m, &inst, &err), WEFT_OK);
  weft_extern f;
  weft_val res;
  CHECK_EQ_INT(weft_instance_export(inst, "f", &f), WEFT_OK);
  CHECK_EQ_INT(weft_func_call(e, f.of.func, NULL, 0, &res, 1, &err), WEFT_OK);
  CHECK_EQ_INT(res.of.i32, 'z');
  weft_linker_free(l);
  weft_module_free(m);
  weft_engine_free(e);
  free(bin);
}

/* ---- the memory64 limit (P10) -------------------------------------------
** max_memory64_bytes caps a memory64, max_memory_bytes (at most 4 GiB) a
** 32-bit memory; a memory64 grows past 4 GiB in place (its reservation
** covers its maximum) and its pages read as zero. */
static void test_limit64(void) {
  weft_config c;
  weft_config_default(&c);
  CHECK(c.max_memory64_bytes == (uint64_t)16 << 30);
  c.max_memory_bytes = (uint64_t)64 << 30; /* capped to 4 GiB */
  c.max_memory64_bytes = ((uint64_t)6 << 30) + 65536;
  weft_engine *e;
  weft_error err;
  CHECK_EQ_INT(weft_engine_new(&c, &e, &err), WEFT_OK);
  weft_memory *m32, *m64;
  CHECK_EQ_INT(weft_memory_new(e, 1, UINT32_MAX, &m32, &err), WEFT_OK);
  CHECK_EQ_INT(weft_memory_grow(m32, 65535), 1);
  CHECK_EQ_INT(weft_memory_grow(m32, 1), -1);
  CHECK(weft_memory_limit_refused(m32));
  CHECK_EQ_INT(weft_memory_new64(e, 1, UINT32_MAX, &m64, &err), WEFT_OK);
  CHECK_EQ_INT(weft_memory_grow(m64, 98304), 1); /* 6 GiB + 64 KiB */
  CHECK(weft_memory_size(m64) == ((uint64_t)6 << 30) + 65536);
  uint8_t *d = weft_memory_data(m64);
  CHECK(d[((uint64_t)5 << 30) + 3] == 0);
  d[weft_memory_size(m64) - 1] = 0xa5;
  d[(uint64_t)4 << 30] = 0x5a;
  CHECK(d[weft_memory_size(m64) - 1] == 0xa5 && d[0] == 0);
  CHECK_EQ_INT(weft_memory_grow(m64, 1), -1);
  CHECK(weft_memory_limit_refused(m64));
  /* a minimum past the limit is refused */
  weft_memory *big;
  CHECK_EQ_INT(weft_memory_new64(e, 98306, UINT32_MAX, &big, &err),
               WEFT_ERR_LIMIT);
  weft_engine_free(e);
  /* an embedder's max_memory_bytes below 4 GiB caps memory64s too */
  c.max_memory_bytes = 1u << 20;
  CHECK_EQ_INT(weft_engine_new(&c, &e, &err), WEFT_OK);
  CHECK_EQ_INT(weft_memory_new64(e, 1, UINT32_MAX, &m64, &err), WEFT_OK);
  CHECK_EQ_INT(weft_memory_grow(m64, 15), 1);
  CHECK_EQ_INT(weft_memory_grow(m64, 1), -1);
  CHECK_EQ_INT(weft_memory_new64(e, 17, UINT32_MAX, &big, &err),
               WEFT_ERR_LIMIT);
  weft_engine_free(e);
  c.max_memory_bytes = (uint64_t)4 << 30;
  /* the most a config may ask for is 2^47 bytes */
  c.max_memory64_bytes = UINT64_MAX;
  CHECK_EQ_INT(weft_engine_new(&c, &e, &err), WEFT_OK);
  CHECK_EQ_INT(weft_memory_new64(e, 1, UINT32_MAX, &m64, &err), WEFT_OK);
  CHECK_EQ_INT(weft_memory_grow(m64, 0x80000000u), -1); /* 2^47 + 64 KiB */
  weft_engine_free(e);
}

int main(void) {
  T_RUN(test_snapshot_two_memories);
  T_RUN(test_hostile);
  T_RUN(test_api);
  T_RUN(test_limit64);
  return T_DONE();
}
