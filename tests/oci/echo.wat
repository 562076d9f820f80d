;; echo.wat — a WASI program for the checkpoint tests of
;; tests/oci/bundle.sh: reads stdin in chunks, printing "got " and each
;; chunk, until end of file, then "total N" (the bytes read, a count kept
;; in a local across the reads). Checkpointed while blocked in fd_read, it
;; must continue reading the restored container's stdin.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "got ")
  (data (i32.const 24) "total ")
  (data (i32.const 12) "\n")
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $num (param $v i32) (local $p i32)
    (local.set $p (i32.const 112))
    (loop $next
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $next (local.get $v)))
    (call $write (local.get $p) (i32.sub (i32.const 112) (local.get $p))))
  (func (export "_start") (local $n i32) (local $total i32)
    (block $eof (loop $next
      (i32.store (i32.const 0) (i32.const 1024))
      (i32.store (i32.const 4) (i32.const 256))
      (br_if $eof (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $n (i32.load (i32.const 8)))
      (br_if $eof (i32.eqz (local.get $n)))
      (local.set $total (i32.add (local.get $total) (local.get $n)))
      (call $write (i32.const 16) (i32.const 4))
      (call $write (i32.const 1024) (local.get $n))
      (br $next)))
    (call $write (i32.const 24) (i32.const 6))
    (call $num (local.get $total))
    (call $write (i32.const 12) (i32.const 1))))
