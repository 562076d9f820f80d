;; Global 0, which AoT code reads through the context at each access in
;; a function that calls ($B.frame, $B.walk) and through a cell pointer
;; copied on entry in a leaf ($push, $bump): each read sees the last
;; write, whether made by this function, a callee, another instance's
;; function sharing the cell (an imported global) or between stores to
;; linear memory; and global 0 of other types than i32.

(module $A
  (global (export "sp") (mut i32) (i32.const 1000))
  (func (export "set_sp") (param i32) (global.set 0 (local.get 0)))
  (func (export "get_sp") (result i32) (global.get 0)))
(register "A" $A)

;; Global 0 imported: the cell is $A's.
(module $B
  (import "A" "sp" (global $sp (mut i32)))
  (import "A" "set_sp" (func $set_sp (param i32)))
  (memory 1)
  ;; A callee that takes a frame of n bytes, stores n in it and keeps it.
  (func $push (param $n i32)
    (global.set $sp (i32.sub (global.get $sp) (local.get $n)))
    (i32.store (global.get $sp) (local.get $n)))
  ;; Frame of 16, a callee pushes 8, the other instance moves sp to
  ;; `to`; returns what each read of sp saw, mixed into one value.
  (func (export "frame") (param $to i32) (result i32)
    (local $old i32) (local $a i32) (local $b i32)
    (local.set $old (global.get $sp))
    (global.set $sp (i32.sub (local.get $old) (i32.const 16)))
    (i32.store (global.get $sp) (i32.const 7))
    (call $push (i32.const 8))
    (local.set $a (global.get $sp))          ;; old - 24
    (call $set_sp (local.get $to))
    (local.set $b (global.get $sp))          ;; to
    (global.set $sp (local.get $old))
    (i32.add
      (i32.mul (i32.sub (local.get $old) (local.get $a)) (i32.const 1000))
      (i32.add (local.get $b)
        (i32.add (i32.load (i32.sub (local.get $old) (i32.const 16)))
                 (i32.load (i32.sub (local.get $old) (i32.const 24)))))))
  ;; A loop that stores and moves sp each trip: the sum of the sp seen.
  (func (export "walk") (param $n i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $top
        (br_if $done (i32.eqz (local.get $n)))
        (call $push (i32.const 4))
        (i32.store (global.get $sp) (local.get $n))
        (local.set $sum (i32.add (local.get $sum) (global.get $sp)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $top)))
    (local.get $sum)))

(assert_return (invoke $B "frame" (i32.const 500)) (i32.const 24515))
(assert_return (invoke $A "get_sp") (i32.const 1000))
(assert_return (invoke $B "walk" (i32.const 3)) (i32.const 2976))
(assert_return (invoke $A "get_sp") (i32.const 988))
(invoke $A "set_sp" (i32.const 1000))
(assert_return (invoke $B "frame" (i32.const 1)) (i32.const 24016))

;; Global 0 defined here, and of type i64 and f64.
(module
  (global (mut i64) (i64.const 0x100000000))
  (global (mut f64) (f64.const 1.5))
  (func $bump (global.set 0 (i64.add (global.get 0) (i64.const 3))))
  (func (export "i64") (result i64)
    (call $bump)
    (call $bump)
    (global.get 0)))
(assert_return (invoke "i64") (i64.const 0x100000006))
(assert_return (invoke "i64") (i64.const 0x10000000c))

(module
  (global (mut f64) (f64.const 1.5))
  (func $half (global.set 0 (f64.mul (global.get 0) (f64.const 0.5))))
  (func (export "f64") (result f64)
    (call $half)
    (f64.add (global.get 0) (global.get 0))))
(assert_return (invoke "f64") (f64.const 1.5))
(assert_return (invoke "f64") (f64.const 0.75))
