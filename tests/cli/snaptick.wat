;; snaptick.wat — for tests/cli/snapshot.sh: prints the letters a..z one per
;; line, a busy loop of 20,000 iterations before each (so snapshots land
;; between and inside lines), and leaves its state in memory and a global.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $sum (mut i64) (i64.const 0))
  (func $spin (param $n i32)
    (loop $l
      (global.set $sum (i64.add (global.get $sum) (i64.extend_i32_u (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  (func $line (param $c i32)
    (i32.store8 (i32.const 100) (local.get $c))
    (i32.store8 (i32.const 101) (i32.const 10))
    ;; iovec at 0: buffer 100, length 2; count at 16
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 2))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))
  (func (export "_start")
    (local $c i32)
    (local.set $c (i32.const 97))
    (loop $l
      (call $spin (i32.const 20000))
      (call $line (local.get $c))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $l (i32.le_u (local.get $c) (i32.const 122))))
    ;; the sum shows the globals survived: 26 * 20000 * 20001 / 2
    (if (i64.ne (global.get $sum) (i64.const 5200260000))
      (then unreachable))))
