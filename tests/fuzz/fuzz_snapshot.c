/*
** fuzz_snapshot.c — libFuzzer target for weft_snapshot_restore and
** weft_snapshot_resume: the input is an engine snapshot (the bytes of
** weft_snapshot_save) of the module below, which has recursion, an
** indirect call through a table, references in locals, a table and a
** global, and memory. Whatever the input, restoring it either fails with
** a message or gives a program that runs (with a fuel budget, so every
** input ends) to a result or a trap: never a crash, a sanitizer report,
** a leak or a free of the wrong size. tests/unit/test_snapshot.c replays
** the seeds in tests/fuzz/corpus-snapshot/ and mutations of real
** snapshots on every build (FUZZ_NO_ENTRY).
**
** build: tests/fuzz/build.sh; run e.g.
**   build-fuzz/fuzz_snapshot -max_total_time=60 tests/fuzz/corpus-snapshot
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft.h"
#include "weft_snapshot.h"
#include "weft_text.h"

/* Recursion with operands live across calls, a call_indirect through a
** table, a funcref in a local and on the stack, memory and a global. */
static const char fuzz_snapshot_wat[] =
    "(module\n"
    "  (type $u (func (param i64) (result i64)))\n"
    "  (memory 1 4)\n"
    "  (global $g (mut i64) (i64.const 7))\n"
    "  (table 4 funcref)\n"
    "  (elem (i32.const 1) $fac $twice)\n"
    "  (func $twice (type $u) (i64.mul (local.get 0) (i64.const 2)))\n"
    "  (func $fac (type $u)\n"
    "    (if (result i64) (i64.eqz (local.get 0))\n"
    "      (then (i64.const 1))\n"
    "      (else (i64.mul (local.get 0)\n"
    "        (call $fac (i64.sub (local.get 0) (i64.const 1)))))))\n"
    "  (func (export \"run\") (param $n i32) (result i64)\n"
    "    (local $i i32) (local $acc i64) (local $f funcref)\n"
    "    (local.set $f (ref.func $twice))\n"
    "    (memory.grow (i32.const 1)) (drop)\n"
    "    (loop $l\n"
    "      (i64.store (i32.mul (local.get $i) (i32.const 8))\n"
    "        (local.get $acc))\n"
    "      (i64.store offset=70000 (i32.const 0) (local.get $acc))\n"
    "      (global.set $g (i64.add (global.get $g)\n"
    "        (call_indirect (type $u) (i64.extend_i32_u (local.get $i))\n"
    "          (select (i32.const 1) (i32.const 2)\n"
    "            (i32.and (local.get $i) (i32.const 1))))))\n"
    "      (local.set $acc (i64.add (local.get $acc)\n"
    "        (i64.add (call $fac (i64.const 12))\n"
    "          (i64.extend_i32_u (ref.is_null (local.get $f))))))\n"
    "      (table.set (i32.const 3) (local.get $f))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (i64.add (local.get $acc) (global.get $g))\n"
    "    (i64.add (i64.load (i32.const 80)))\n"
    "    (i64.add (call_indirect (type $u) (i64.const 5) (i32.const 3)))))\n";

/* An allocator that counts what is live and checks every old size. */
struct fuzz_snap_alloc {
  size_t live;
  unsigned bad;
};

static void *fuzz_snap_realloc(void *user, void *ptr, size_t old_size,
                               size_t new_size) {
  struct fuzz_snap_alloc *a = user;
  size_t *blk = ptr ? (size_t *)ptr - 2 : NULL;
  if (blk && blk[0] != old_size)
    a->bad++;
  if (new_size == 0) {
    if (blk)
      a->live -= blk[0];
    free(blk);
    return NULL;
  }
  size_t *nb = realloc(blk, new_size + 2 * sizeof(size_t));
  if (!nb)
    return NULL;
  a->live += new_size - (blk ? old_size : 0);
  nb[0] = new_size;
  return nb + 2;
}

static uint8_t *fuzz_snap_wasm;
static size_t fuzz_snap_wasm_len;

/* The module's bytes, made once. */
static int fuzz_snap_module(void) {
  weft_error err;
  if (fuzz_snap_wasm)
    return 0;
  return weft_wat_to_wasm(fuzz_snapshot_wat, sizeof fuzz_snapshot_wat - 1,
                          &fuzz_snap_wasm, &fuzz_snap_wasm_len,
                          &err) == WEFT_OK
             ? 0
             : -1;
}

/* Restore and run one input. Returns 0 when nothing went wrong (whatever
** the status), -1 on a broken invariant (a failure without a message,
** a leak, a bad free). *restored says whether the input restored. */
static int fuzz_snapshot_one(const uint8_t *data, size_t size,
                             int *restored) {
  struct fuzz_snap_alloc a = {0, 0};
  weft_config c;
  weft_engine *e = NULL;
  weft_module *m = NULL;
  weft_instance *inst = NULL;
  weft_error err;
  weft_val res;
  int bad = 0;

  *restored = 0;
  if (fuzz_snap_module() != 0)
    return -1;
  weft_config_default(&c);
  c.fuel_metering = 1;
  c.alloc = fuzz_snap_realloc;
  c.alloc_user = &a;
  c.max_memory_bytes = 4 << 16;
  c.guard_pages = 0; /* no 8 GiB reservation per input */
  if (weft_engine_new(&c, &e, &err) != WEFT_OK)
    return -1;
  if (weft_module_load(e, fuzz_snap_wasm, fuzz_snap_wasm_len, &m, &err) ==
      WEFT_OK) {
    memset(&err, 0, sizeof err);
    weft_status s = weft_snapshot_restore(e, NULL, m, data, size, &inst, &err);
    if (s != WEFT_OK && err.message[0] == '\0')
      bad = 1;
    if (s == WEFT_OK) {
      *restored = 1;
      weft_engine_set_fuel(e, 100000);
      memset(&err, 0, sizeof err);
      s = weft_snapshot_resume(e, &res, 1, &err);
      if (s != WEFT_OK && err.message[0] == '\0')
        bad = 1;
    }
    weft_module_free(m);
  }
  weft_engine_free(e);
  if (a.live != 0 || a.bad != 0)
    bad = 1;
  return bad ? -1 : 0;
}

#ifndef FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int restored;
  if (fuzz_snapshot_one(data, size, &restored) != 0)
    abort(); /* an invariant broke: make libFuzzer keep the input */
  return 0;
}
#endif
