;; tmplog.wat — a WASI program for the checkpoint tests of
;; tests/oci/bundle.sh: counter.wat's lines ("count I hash H", I = 0..29,
;; a busy computation between), each written to stdout and to the file
;; "log" it keeps open in its second preopen (a tmpfs mount at /tmp in the
;; test), then "file:" and the file's content read back through the same
;; descriptor. A checkpoint must carry the file with the program: restored
;; without it, weft refuses (the open file vanished); with it, the output
;; is an uninterrupted run's.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (global $hash (mut i32) (i32.const 5381))
  (global $file (mut i32) (i32.const -1))
  (data (i32.const 16) "count ")
  (data (i32.const 24) " hash ")
  (data (i32.const 32) "file:\n")
  (data (i32.const 40) "log")
  (data (i32.const 12) "\n")
  (func $out (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; to stdout and to the log
  (func $write (param $ptr i32) (param $len i32)
    (call $out (i32.const 1) (local.get $ptr) (local.get $len))
    (call $out (global.get $file) (local.get $ptr) (local.get $len)))
  (func $num (param $v i32) (local $p i32)
    (local.set $p (i32.const 112))
    (loop $next
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $next (local.get $v)))
    (call $write (local.get $p) (i32.sub (i32.const 112) (local.get $p))))
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
  (func (export "_start") (local $i i32) (local $err i32)
    ;; "log" in fd 4 (the second preopen): create, truncate; read, seek,
    ;; tell, write
    (local.set $err (call $path_open (i32.const 4) (i32.const 0) (i32.const 40) (i32.const 3)
      (i32.const 9) (i64.const 102) (i64.const 0) (i32.const 0) (i32.const 200)))
    (if (local.get $err) (then (call $exit (i32.const 9))))
    (global.set $file (i32.load (i32.const 200)))
    (loop $next
      (call $work (i32.const 6000000))
      (call $write (i32.const 16) (i32.const 6))
      (call $num (local.get $i))
      (call $write (i32.const 24) (i32.const 6))
      (call $num (global.get $hash))
      (call $write (i32.const 12) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 30))))
    (call $out (i32.const 1) (i32.const 32) (i32.const 6))
    (drop (call $fd_seek (global.get $file) (i64.const 0) (i32.const 0) (i32.const 208)))
    (i32.store (i32.const 0) (i32.const 4096))
    (i32.store (i32.const 4) (i32.const 8192))
    (drop (call $fd_read (global.get $file) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $out (i32.const 1) (i32.const 4096) (i32.load (i32.const 8)))))
