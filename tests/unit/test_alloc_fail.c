/*
** test_alloc_fail.c — fault injection: an allocator that fails the Nth
** allocation, swept from N = 1 upward over engine creation, load, linker
** setup (host functions, globals, memory, table), instantiation and one
** call, for four small feature-rich modules. Every failing step must
** return WEFT_ERR_NOMEM with a message (no crash), later steps are not
** reached, and after weft_engine_free no byte may still be live. The
** sweep ends with the first run that hits no injected failure, whose
** results are checked. Each module is swept twice: loaded with
** weft_module_load, and loaded precompiled without compiled code, so its
** bodies are lowered during the call (on first need) and failures are
** injected there too. Public API only (weft.h).
**
** The modules below are wat2wasm output, pasted with their .wat source;
** tests must not depend on build artefacts.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "weft.h"

/* small.wat:
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
  (start $start)
  (@custom "note" "fuzz me"))
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

/* compute.wat:
(module
  (memory 1 4)
  (global $seed (mut i64) (i64.const 12345))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $rand (result i64)
    (global.set $seed
      (i64.add (i64.mul (global.get $seed) (i64.const 6364136223846793005))
               (i64.const 1442695040888963407)))
    (i64.shr_u (global.get $seed) (i64.const 33)))
  (func $classify (param $x i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (i32.and (local.get $x) (i32.const 3))))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (i32.const 30)))
    (i32.const 40))
  (func $pair (param $x i32) (result i32 i32)
    (local.get $x) (i32.mul (local.get $x) (local.get $x)))
  (func (export "main") (result i32)
    (local $i i32) (local $acc i32) (local $f f64) (local $g f32)
    (drop (memory.grow (i32.const 1)))
    (memory.fill (i32.const 0) (i32.const 7) (i32.const 256))
    (memory.copy (i32.const 512) (i32.const 0) (i32.const 128))
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (call $classify (i32.wrap_i64 (call $rand)))))
      (i64.store (i32.mul (local.get $i) (i32.const 8)) (call $rand))
      (local.set $f (f64.add (local.get $f)
        (f64.sqrt (f64.convert_i32_u (local.get $i)))))
      (local.set $g (f32.mul (f32.const 1.5) (f32.demote_f64 (local.get $f))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20))))
    (block (result i32 i32) (call $pair (i32.const 7)))
    (i32.add)
    (local.get $acc)
    (i32.add)
    (call $fib (i32.const 15))
    (i32.add)
    (i32.trunc_sat_f64_s (local.get $f))
    (i32.add)
    (select (i32.const 1) (i32.const 2) (f32.gt (local.get $g) (f32.const 0)))
    (i32.add)
    (i32.add (i32.load8_u (i32.const 600)) (i32.load8_u (i32.const 100)))
    (i32.add)))
*/
static const uint8_t compute_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x19, 0x05, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7e, 0x60, 0x01, 0x7f, 0x02,
    0x7f, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x00, 0x02, 0x7f, 0x7f, 0x03,
    0x06, 0x05, 0x00, 0x01, 0x00, 0x02, 0x03, 0x05, 0x04, 0x01, 0x01, 0x01,
    0x04, 0x06, 0x08, 0x01, 0x7e, 0x01, 0x42, 0xb9, 0xe0, 0x00, 0x0b, 0x07,
    0x08, 0x01, 0x04, 0x6d, 0x61, 0x69, 0x6e, 0x00, 0x04, 0x0a, 0xff, 0x01,
    0x05, 0x1c, 0x00, 0x20, 0x00, 0x41, 0x02, 0x49, 0x04, 0x7f, 0x20, 0x00,
    0x05, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x00, 0x20, 0x00, 0x41, 0x02,
    0x6b, 0x10, 0x00, 0x6a, 0x0b, 0x0b, 0x22, 0x00, 0x23, 0x00, 0x42, 0xad,
    0xfe, 0xd5, 0xe4, 0xd4, 0x85, 0xfd, 0xa8, 0xd8, 0x00, 0x7e, 0x42, 0xcf,
    0x82, 0x9e, 0xbb, 0xef, 0xef, 0xde, 0x82, 0x14, 0x7c, 0x24, 0x00, 0x23,
    0x00, 0x42, 0x21, 0x88, 0x0b, 0x24, 0x00, 0x02, 0x40, 0x02, 0x40, 0x02,
    0x40, 0x02, 0x40, 0x20, 0x00, 0x41, 0x03, 0x71, 0x0e, 0x03, 0x00, 0x01,
    0x02, 0x03, 0x0b, 0x41, 0x0a, 0x0f, 0x0b, 0x41, 0x14, 0x0f, 0x0b, 0x41,
    0x1e, 0x0f, 0x0b, 0x41, 0x28, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x00,
    0x20, 0x00, 0x6c, 0x0b, 0x8d, 0x01, 0x03, 0x02, 0x7f, 0x01, 0x7c, 0x01,
    0x7d, 0x41, 0x01, 0x40, 0x00, 0x1a, 0x41, 0x00, 0x41, 0x07, 0x41, 0x80,
    0x02, 0xfc, 0x0b, 0x00, 0x41, 0x80, 0x04, 0x41, 0x00, 0x41, 0x80, 0x01,
    0xfc, 0x0a, 0x00, 0x00, 0x03, 0x40, 0x20, 0x01, 0x10, 0x01, 0xa7, 0x10,
    0x02, 0x6a, 0x21, 0x01, 0x20, 0x00, 0x41, 0x08, 0x6c, 0x10, 0x01, 0x37,
    0x03, 0x00, 0x20, 0x02, 0x20, 0x00, 0xb8, 0x9f, 0xa0, 0x21, 0x02, 0x43,
    0x00, 0x00, 0xc0, 0x3f, 0x20, 0x02, 0xb6, 0x94, 0x21, 0x03, 0x20, 0x00,
    0x41, 0x01, 0x6a, 0x21, 0x00, 0x20, 0x00, 0x41, 0x14, 0x49, 0x0d, 0x00,
    0x0b, 0x02, 0x04, 0x41, 0x07, 0x10, 0x03, 0x0b, 0x6a, 0x20, 0x01, 0x6a,
    0x41, 0x0f, 0x10, 0x00, 0x6a, 0x20, 0x02, 0xfc, 0x02, 0x6a, 0x41, 0x01,
    0x41, 0x02, 0x20, 0x03, 0x43, 0x00, 0x00, 0x00, 0x00, 0x5e, 0x1b, 0x6a,
    0x41, 0xd8, 0x04, 0x2d, 0x00, 0x00, 0x41, 0xe4, 0x00, 0x2d, 0x00, 0x00,
    0x6a, 0x6a, 0x0b};

/* refs.wat:
(module
  (type $v2i (func (result i32)))
  (table $funcs 2 10 funcref)
  (table $ext 4 externref)
  (global $fr (mut funcref) (ref.null func))
  (elem $seg func $one $two $three)
  (elem (table $funcs) (i32.const 0) func $three $one)
  (elem declare func $two)
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func $three (result i32) (i32.const 3))
  (func (export "main") (param $x externref) (result i32)
    (local $r i32)
    (global.set $fr (ref.func $two))
    (drop (table.grow $funcs (global.get $fr) (i32.const 3)))
    (table.init $funcs $seg (i32.const 2) (i32.const 0) (i32.const 3))
    (elem.drop $seg)
    (table.copy $funcs $funcs (i32.const 0) (i32.const 2) (i32.const 2))
    (table.fill $ext (i32.const 0) (local.get $x) (i32.const 4))
    (table.set $ext (i32.const 1) (ref.null extern))
    (local.set $r
      (i32.add (call_indirect $funcs (type $v2i) (i32.const 0))
               (call_indirect $funcs (type $v2i) (i32.const 1))))
    (local.set $r (i32.add (local.get $r)
      (i32.mul (i32.const 10) (ref.is_null (table.get $ext (i32.const 1))))))
    (local.set $r (i32.add (local.get $r)
      (i32.mul (i32.const 100) (table.size $ext))))
    (local.get $r))
  (export "funcs" (table $funcs)))
*/
static const uint8_t refs_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60,
    0x00, 0x01, 0x7f, 0x60, 0x01, 0x6f, 0x01, 0x7f, 0x03, 0x05, 0x04, 0x00,
    0x00, 0x00, 0x01, 0x04, 0x08, 0x02, 0x70, 0x01, 0x02, 0x0a, 0x6f, 0x00,
    0x04, 0x06, 0x06, 0x01, 0x70, 0x01, 0xd0, 0x70, 0x0b, 0x07, 0x10, 0x02,
    0x04, 0x6d, 0x61, 0x69, 0x6e, 0x00, 0x03, 0x05, 0x66, 0x75, 0x6e, 0x63,
    0x73, 0x01, 0x00, 0x09, 0x12, 0x03, 0x01, 0x00, 0x03, 0x00, 0x01, 0x02,
    0x00, 0x41, 0x00, 0x0b, 0x02, 0x02, 0x00, 0x03, 0x00, 0x01, 0x01, 0x0a,
    0x6f, 0x04, 0x04, 0x00, 0x41, 0x01, 0x0b, 0x04, 0x00, 0x41, 0x02, 0x0b,
    0x04, 0x00, 0x41, 0x03, 0x0b, 0x5e, 0x01, 0x01, 0x7f, 0xd2, 0x01, 0x24,
    0x00, 0x23, 0x00, 0x41, 0x03, 0xfc, 0x0f, 0x00, 0x1a, 0x41, 0x02, 0x41,
    0x00, 0x41, 0x03, 0xfc, 0x0c, 0x00, 0x00, 0xfc, 0x0d, 0x00, 0x41, 0x00,
    0x41, 0x02, 0x41, 0x02, 0xfc, 0x0e, 0x00, 0x00, 0x41, 0x00, 0x20, 0x00,
    0x41, 0x04, 0xfc, 0x11, 0x01, 0x41, 0x01, 0xd0, 0x6f, 0x26, 0x01, 0x41,
    0x00, 0x11, 0x00, 0x00, 0x41, 0x01, 0x11, 0x00, 0x00, 0x6a, 0x21, 0x01,
    0x20, 0x01, 0x41, 0x0a, 0x41, 0x01, 0x25, 0x01, 0xd1, 0x6c, 0x6a, 0x21,
    0x01, 0x20, 0x01, 0x41, 0xe4, 0x00, 0xfc, 0x10, 0x01, 0x6c, 0x6a, 0x21,
    0x01, 0x20, 0x01, 0x0b};

/* trap.wat:
(module
  (import "spectest" "memory" (memory 1))
  (import "spectest" "table" (table 10 funcref))
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g i32))
  (global $count (mut i32) (i32.const 0))
  (elem (i32.const 1) $div $boom)
  (data (i32.const 100) "\01\02\03\04")
  (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get
1))) (func $init (i32.store (i32.const 0) (global.get $g)) (global.set $count
(i32.const 1))) (func $boom (export "boom") (result i32) (call $print (i32.load
(i32.const 100))) (call $div (i32.load (i32.const 0)) (i32.sub (global.get
$count) (i32.const 1)))) (start $init))
*/
static const uint8_t trap_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x12, 0x04, 0x60,
    0x01, 0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00,
    0x60, 0x00, 0x01, 0x7f, 0x02, 0x53, 0x04, 0x08, 0x73, 0x70, 0x65, 0x63,
    0x74, 0x65, 0x73, 0x74, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02,
    0x00, 0x01, 0x08, 0x73, 0x70, 0x65, 0x63, 0x74, 0x65, 0x73, 0x74, 0x05,
    0x74, 0x61, 0x62, 0x6c, 0x65, 0x01, 0x70, 0x00, 0x0a, 0x08, 0x73, 0x70,
    0x65, 0x63, 0x74, 0x65, 0x73, 0x74, 0x09, 0x70, 0x72, 0x69, 0x6e, 0x74,
    0x5f, 0x69, 0x33, 0x32, 0x00, 0x00, 0x08, 0x73, 0x70, 0x65, 0x63, 0x74,
    0x65, 0x73, 0x74, 0x0a, 0x67, 0x6c, 0x6f, 0x62, 0x61, 0x6c, 0x5f, 0x69,
    0x33, 0x32, 0x03, 0x7f, 0x00, 0x03, 0x04, 0x03, 0x01, 0x02, 0x03, 0x06,
    0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x08, 0x01, 0x04, 0x62,
    0x6f, 0x6f, 0x6d, 0x00, 0x03, 0x08, 0x01, 0x02, 0x09, 0x08, 0x01, 0x00,
    0x41, 0x01, 0x0b, 0x02, 0x01, 0x03, 0x0a, 0x2e, 0x03, 0x07, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x6d, 0x0b, 0x0d, 0x00, 0x41, 0x00, 0x23, 0x00, 0x36,
    0x02, 0x00, 0x41, 0x01, 0x24, 0x01, 0x0b, 0x16, 0x00, 0x41, 0xe4, 0x00,
    0x28, 0x02, 0x00, 0x10, 0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x23, 0x01,
    0x41, 0x01, 0x6b, 0x10, 0x01, 0x0b, 0x0b, 0x0b, 0x01, 0x00, 0x41, 0xe4,
    0x00, 0x0b, 0x04, 0x01, 0x02, 0x03, 0x04};

/* ---- the failing allocator ----------------------------------------------- */

struct failing {
  size_t live;            /* bytes currently allocated */
  unsigned long n;        /* allocations (new_size > 0) so far */
  unsigned long fail_at;  /* 1-based allocation to fail; 0: never */
  unsigned long injected; /* failures injected */
  unsigned bad_sizes;     /* old_size that did not match the block */
};

#define HDR 16

static void *failing_realloc(void *user, void *ptr, size_t old_size,
                             size_t new_size) {
  struct failing *f = user;
  unsigned char *blk = ptr ? (unsigned char *)ptr - HDR : NULL;
  if (blk) {
    size_t have;
    memcpy(&have, blk, sizeof have);
    if (have != old_size)
      f->bad_sizes++;
    old_size = have;
  }
  if (new_size == 0) {
    if (blk) {
      f->live -= old_size;
      free(blk);
    }
    return NULL;
  }
  if (++f->n == f->fail_at) {
    f->injected++;
    return NULL;
  }
  unsigned char *nb = realloc(blk, HDR + new_size);
  if (!nb)
    return NULL;
  memcpy(nb, &new_size, sizeof new_size);
  f->live = f->live - old_size + new_size;
  return nb + HDR;
}

/* ---- one run ------------------------------------------------------------ */

struct modcase {
  const char *name;
  const uint8_t *bytes;
  size_t size;
  const char *export_name;
  weft_val arg; /* used when nargs == 1 */
  uint32_t nargs;
  weft_status want;    /* status of the call in a clean run */
  int32_t want_i32;    /* its result when want == WEFT_OK */
  weft_trap want_trap; /* its trap when want == WEFT_ERR_TRAP */
  int precompiled;     /* loaded precompiled: bodies lowered in the call */
};

static weft_status host_nop(weft_host_ctx *ctx, void *user, weft_slot *slots) {
  (void)ctx;
  (void)user;
  (void)slots;
  return WEFT_OK;
}

/* The spectest imports the modules use, created and defined one by one. */
static weft_status define_spectest(weft_engine *e, weft_linker *l,
                                   weft_error *err) {
  static const weft_valtype i32[] = {WEFT_I32};
  weft_extern ext;
  weft_status s;
  ext.kind = WEFT_EXTERN_FUNC;
  if ((s = weft_func_new_host(e, i32, 1, NULL, 0, host_nop, NULL, &ext.of.func,
                              err)) ||
      (s = weft_linker_define(l, "spectest", "print_i32", ext, err)))
    return s;
  weft_val v;
  memset(&v, 0, sizeof v);
  v.type = WEFT_I32;
  v.of.i32 = 666;
  ext.kind = WEFT_EXTERN_GLOBAL;
  if ((s = weft_global_new(e, v, 0, &ext.of.global, err)) ||
      (s = weft_linker_define(l, "spectest", "global_i32", ext, err)))
    return s;
  ext.kind = WEFT_EXTERN_MEMORY;
  if ((s = weft_memory_new(e, 1, 2, &ext.of.memory, err)) ||
      (s = weft_linker_define(l, "spectest", "memory", ext, err)))
    return s;
  ext.kind = WEFT_EXTERN_TABLE;
  if ((s = weft_table_new(e, WEFT_FUNCREF, 10, 20, NULL, &ext.of.table, err)) ||
      (s = weft_linker_define(l, "spectest", "table", ext, err)))
    return s;
  return WEFT_OK;
}

enum {
  STEP_ENGINE,
  STEP_LOAD,
  STEP_LINKER,
  STEP_DEFINE,
  STEP_INST,
  STEP_CALL,
  STEP_DONE
};
static const char *const step_names[] = {"engine", "load",        "linker",
                                         "define", "instantiate", "call"};

struct outcome {
  int failed_step;    /* step that failed by injection, or STEP_DONE */
  weft_status status; /* of the failed step, or of the call */
  weft_error err;
  weft_val result;
};

/* Checks a step's status and returns 1 when the run goes on. With a failure
** injected during the step, the status must be WEFT_ERR_NOMEM; only the call
** may absorb one (memory.grow and table.grow report it as -1, and the code
** may then trap); without, it must be what a clean run gives. */
static int step_ok(struct outcome *o, int step, weft_status s,
                   const weft_error *err, unsigned long injected_before,
                   const struct failing *f, const struct modcase *mc) {
  int injected_now = f->injected > injected_before;
  weft_status want = step == STEP_CALL ? mc->want : WEFT_OK;
  if (s != WEFT_OK) {
    CHECK(err->message[0] != 0);
    CHECK_EQ_INT(err->status, s);
  }
  if (!injected_now) {
    CHECK_EQ_INT(s, want);
    if (s != want)
      fprintf(stderr, "     %s: step %s: status %d (%s) without injection\n",
              mc->name, step_names[step], s, err->message);
  } else if (s == want) {
    if (step != STEP_CALL) {
      fprintf(stderr, "     %s: step %s swallowed failed allocation %lu\n",
              mc->name, step_names[step], f->fail_at);
      CHECK(!"allocation failure swallowed");
    }
  } else {
    o->failed_step = step;
    /* a failed table.grow can make the code trap later, as in refs.wat */
    if (s != WEFT_ERR_NOMEM && !(step == STEP_CALL && s == WEFT_ERR_TRAP)) {
      fprintf(stderr,
              "     %s: allocation %lu failed in step %s -> status %d (%s)\n",
              mc->name, f->fail_at, step_names[step], s, err->message);
      CHECK(!"allocation failure not reported as WEFT_ERR_NOMEM");
    }
  }
  o->status = s;
  if (s != WEFT_OK)
    o->err = *err;
  return s == WEFT_OK;
}

static void run_once(const struct modcase *mc, struct failing *f,
                     struct outcome *o) {
  weft_config cfg;
  weft_config_default(&cfg);
  cfg.alloc = failing_realloc;
  cfg.alloc_user = f;
  cfg.stack_bytes = 64u << 10; /* keep the sweep short */
  /* WEFT_TEST_GUARD_PAGES=0 (scripts/test_cross.sh): qemu-user 7.2 keeps
  ** a page descriptor per reserved page and never frees them, so ~1,150
  ** runs reserving 8 GiB each would take tens of GB; the allocations
  ** swept here go through cfg.alloc in either bounds mode. */
  const char *g = getenv("WEFT_TEST_GUARD_PAGES");
  if (g && *g == '0')
    cfg.guard_pages = 0;
  memset(o, 0, sizeof *o);
  o->failed_step = STEP_DONE;

  weft_engine *e = NULL;
  weft_module *mod = NULL;
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_extern fn;
  weft_error err;
  unsigned long inj;

#define STEP(id, call)                                                         \
  inj = f->injected;                                                           \
  if (!step_ok(o, id, (call), &err, inj, f, mc))                               \
    goto out;
  STEP(STEP_ENGINE, weft_engine_new(&cfg, &e, &err))
  STEP(STEP_LOAD,
       (mc->precompiled ? weft_module_load_precompiled
                        : weft_module_load)(e, mc->bytes, mc->size, &mod, &err))
  STEP(STEP_LINKER, weft_linker_new(e, &l, &err))
  STEP(STEP_DEFINE, define_spectest(e, l, &err))
  STEP(STEP_INST, weft_instantiate(l, mod, &inst, &err))
  CHECK_EQ_INT(weft_instance_export(inst, mc->export_name, &fn), WEFT_OK);
  STEP(STEP_CALL,
       weft_func_call(e, fn.of.func, &mc->arg, mc->nargs, &o->result, 1, &err))
#undef STEP
out:
  weft_linker_free(l);
  weft_module_free(mod);
  weft_engine_free(e);
}

/* ---- the sweep -------------------------------------------------------- */

static void sweep_one(const struct modcase *mc) {
  unsigned long per_step[STEP_DONE + 1] = {0}, absorbed = 0;
  for (unsigned long n = 1;; n++) {
    struct failing f = {0, 0, n, 0, 0};
    struct outcome o;
    run_once(mc, &f, &o);
    per_step[o.failed_step]++;
    absorbed += f.injected && o.failed_step == STEP_DONE;
    if (f.live != 0 || f.bad_sizes != 0) {
      fprintf(stderr,
              "     %s: fail at %lu (step %s): %zu bytes leaked, "
              "%u bad old_size\n",
              mc->name, n,
              o.failed_step < STEP_DONE ? step_names[o.failed_step] : "none",
              f.live, f.bad_sizes);
    }
    CHECK_EQ_INT(f.live, 0);
    CHECK_EQ_INT(f.bad_sizes, 0);
    if (f.injected == 0) {
      /* the clean run: the call gave the answer */
      CHECK_EQ_INT(o.status, mc->want);
      if (mc->want == WEFT_OK)
        CHECK_EQ_INT(o.result.of.i32, mc->want_i32);
      else
        CHECK_EQ_INT(o.err.trap, mc->want_trap);
      /* lowering on first need allocates inside the call */
      if (mc->precompiled)
        CHECK(per_step[STEP_CALL] > 0);
      printf("  %-8s%s %lu allocations; failures by step: engine %lu, "
             "load %lu, linker %lu, define %lu, instantiate %lu, call %lu, "
             "absorbed %lu\n",
             mc->name, mc->precompiled ? " (precompiled)" : "", n - 1,
             per_step[STEP_ENGINE], per_step[STEP_LOAD], per_step[STEP_LINKER],
             per_step[STEP_DEFINE], per_step[STEP_INST], per_step[STEP_CALL],
             absorbed);
      return;
    }
    if (n > 100000) {
      CHECK(!"sweep did not end");
      return;
    }
  }
}

/* The module loaded both ways. */
static void sweep(const struct modcase *mc) {
  struct modcase lazy = *mc;
  sweep_one(mc);
  lazy.precompiled = 1;
  sweep_one(&lazy);
}

static void test_small(void) {
  struct modcase mc = {
      "small", small_wasm, sizeof small_wasm, "run", {WEFT_I32, {.i32 = 5}}, 1,
      WEFT_OK, 101,        WEFT_TRAP_NONE,    0};
  sweep(&mc);
}

static void test_compute(void) {
  struct modcase mc = {"compute",
                       compute_wasm,
                       sizeof compute_wasm,
                       "main",
                       {WEFT_I32, {.i32 = 0}},
                       0,
                       WEFT_OK,
                       1241,
                       WEFT_TRAP_NONE,
                       0};
  sweep(&mc);
}

static void test_refs(void) {
  struct modcase mc = {"refs",
                       refs_wasm,
                       sizeof refs_wasm,
                       "main",
                       {WEFT_EXTERNREF, {.ref = NULL}},
                       1,
                       WEFT_OK,
                       413,
                       WEFT_TRAP_NONE,
                       0};
  sweep(&mc);
}

static void test_trap(void) {
  struct modcase mc = {"trap",
                       trap_wasm,
                       sizeof trap_wasm,
                       "boom",
                       {WEFT_I32, {.i32 = 0}},
                       0,
                       WEFT_ERR_TRAP,
                       0,
                       WEFT_TRAP_DIV_ZERO,
                       0};
  sweep(&mc);
}

int main(void) {
  T_RUN(test_small);
  T_RUN(test_compute);
  T_RUN(test_refs);
  T_RUN(test_trap);
  return T_DONE();
}
