;; argv0.wat — a WASI program that prints its argv[0] and exits with 7
;; (tests/cli/misc.sh: weft run --argv0).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $asg (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $ag (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fw (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $p i32) (local $n i32)
    (drop (call $asg (i32.const 0) (i32.const 4)))
    (drop (call $ag (i32.const 16) (i32.const 1024)))
    ;; print argv[0]: find length

    (local.set $p (i32.load (i32.const 16)))
    (block $d (loop $l
      (br_if $d (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l)))
    (i32.store (i32.const 8) (local.get $p))
    (i32.store (i32.const 12) (local.get $n))
    (drop (call $fw (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 200)))
    (call $exit (i32.const 7))))
