;; counter.wat — a WASI program for the checkpoint tests of
;; tests/oci/bundle.sh: prints "count I hash H" for I = 0..29, with a busy
;; computation between lines (H, a running hash of it, lives in a global
;; and in linear memory, so a restore that lost either would print other
;; numbers), then "done H". An uninterrupted run and a checkpointed one
;; continued elsewhere must print the same lines.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $hash (mut i32) (i32.const 5381))
  (data (i32.const 16) "count ")
  (data (i32.const 24) " hash ")
  (data (i32.const 32) "done ")
  (data (i32.const 12) "\n")
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; prints v in decimal (digits built backwards at 100..111)
  (func $num (param $v i32) (local $p i32)
    (local.set $p (i32.const 112))
    (loop $next
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $next (local.get $v)))
    (call $write (local.get $p) (i32.sub (i32.const 112) (local.get $p))))
  ;; the busy part: rounds of an xorshift, folded into memory[256] and $hash
  (func $work (param $rounds i32) (local $x i32)
    (local.set $x (i32.add (global.get $hash) (i32.load (i32.const 256))))
    (loop $next
      (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
      (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
      (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
      (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
      (br_if $next (local.get $rounds)))
    (i32.store (i32.const 256) (i32.add (i32.load (i32.const 256)) (local.get $x)))
    (global.set $hash (i32.xor (i32.mul (global.get $hash) (i32.const 33)) (local.get $x))))
  (func (export "_start") (local $i i32)
    (loop $next
      (call $work (i32.const 12000000))
      (call $write (i32.const 16) (i32.const 6))
      (call $num (local.get $i))
      (call $write (i32.const 24) (i32.const 6))
      (call $num (global.get $hash))
      (call $write (i32.const 12) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 30))))
    (call $write (i32.const 32) (i32.const 5))
    (call $num (i32.load (i32.const 256)))
    (call $write (i32.const 12) (i32.const 1))))
