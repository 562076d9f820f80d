;; Indirect calls made with the caller's own context when the callee is
;; of the same instance (src/aot/cgen_instr.c, keyed_typed_call), with
;; the callee's otherwise: each function reads its own instance's memory
;; and global, so a call given the wrong context answers with the
;; caller's. call_indirect through table 0 (its pointer a local loaded on
;; entry; in $B, A's table, imported) and through another table, and
;; call_ref; in a loop, as a sort's comparisons are.
(module $A
  (type $t (func (param i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "\0b\00\00\00")
  (global $g (mut i32) (i32.const 100))
  (table (export "tab") 4 funcref)
  (func $read (export "read") (type $t)
    (i32.add (i32.load (i32.const 16)) (i32.add (global.get $g) (local.get 0))))
  (elem (i32.const 0) $read)
  (elem declare func $read)
  (func (export "own") (param i32) (result i32)
    (call_indirect (type $t) (local.get 0) (i32.const 0)))
  (func (export "own_ref") (param i32) (result i32)
    (call_ref $t (local.get 0) (ref.func $read)))
)
(register "A" $A)
(module $B
  (type $t (func (param i32) (result i32)))
  (import "A" "tab" (table $at 4 funcref))
  (import "A" "read" (func $aread (type $t)))
  (memory 1)
  (data (i32.const 16) "\16\00\00\00")
  (global $g (mut i32) (i32.const 200))
  (table $own 4 funcref)
  (func $read (type $t)
    (i32.add (i32.load (i32.const 16)) (i32.add (global.get $g) (local.get 0))))
  (elem (table $own) (i32.const 0) func $read $aread)
  (elem (table $at) (i32.const 1) func $read)
  (elem declare func $aread)
  ;; through B's table: its own function, then A's
  (func (export "own_table") (param i32) (result i32)
    (call_indirect $own (type $t) (local.get 0) (i32.const 0)))
  (func (export "a_via_own_table") (param i32) (result i32)
    (call_indirect $own (type $t) (local.get 0) (i32.const 1)))
  ;; through A's table: A's function, then B's own
  (func (export "a_via_a_table") (param i32) (result i32)
    (call_indirect $at (type $t) (local.get 0) (i32.const 0)))
  (func (export "own_via_a_table") (param i32) (result i32)
    (call_indirect $at (type $t) (local.get 0) (i32.const 1)))
  (func (export "a_ref") (param i32) (result i32)
    (call_ref $t (local.get 0) (ref.func $aread)))
  ;; alternating callees in a loop: sum over i < n of call(i & 1)(i)
  (func (export "loop") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s)
          (call_indirect $own (type $t) (local.get $i) (i32.and (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
)
(assert_return (invoke $A "own" (i32.const 1)) (i32.const 112))
(assert_return (invoke $A "own_ref" (i32.const 2)) (i32.const 113))
(assert_return (invoke $B "own_table" (i32.const 1)) (i32.const 223))
(assert_return (invoke $B "a_via_own_table" (i32.const 1)) (i32.const 112))
(assert_return (invoke $B "a_via_a_table" (i32.const 3)) (i32.const 114))
(assert_return (invoke $B "own_via_a_table" (i32.const 3)) (i32.const 225))
(assert_return (invoke $B "a_ref" (i32.const 4)) (i32.const 115))
;; i = 0..5: B's 222+0, A's 111+1, B's 222+2, A's 111+3, B's 222+4, A's 111+5
(assert_return (invoke $B "loop" (i32.const 6)) (i32.const 1014))
