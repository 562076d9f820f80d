;; probe.wat — a WASI program for tests/oci/bundle.sh: prints each
;; argument as "arg=A" and each environment variable as "env=K=V", one per
;; line, then exits with the status named by its last argument when that is
;; a single digit (else 0).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "arg=")
  (data (i32.const 24) "env=")
  (data (i32.const 12) "\n")
  ;; writes len bytes at ptr to stdout
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $n))
  ;; prints "PREFIX" then each of count strings whose pointers start at vec
  (func $print_all (param $prefix i32) (param $vec i32) (param $count i32) (local $i i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $s (i32.load (i32.add (local.get $vec) (i32.shl (local.get $i) (i32.const 2)))))
      (call $write (local.get $prefix) (i32.const 4))
      (call $write (local.get $s) (call $strlen (local.get $s)))
      (call $write (i32.const 12) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func (export "_start") (local $argc i32) (local $envc i32) (local $last i32) (local $code i32)
    (drop (call $args_sizes (i32.const 32) (i32.const 36)))
    (drop (call $args_get (i32.const 1024) (i32.const 8192)))
    (drop (call $env_sizes (i32.const 40) (i32.const 44)))
    (drop (call $env_get (i32.const 4096) (i32.const 32768)))
    (local.set $argc (i32.load (i32.const 32)))
    (local.set $envc (i32.load (i32.const 40)))
    (call $print_all (i32.const 16) (i32.const 1024) (local.get $argc))
    (call $print_all (i32.const 24) (i32.const 4096) (local.get $envc))
    ;; exit status: a one-digit last argument
    (local.set $last (i32.load (i32.add (i32.const 1024)
                        (i32.shl (i32.sub (local.get $argc) (i32.const 1)) (i32.const 2)))))
    (if (i32.and (i32.gt_u (local.get $argc) (i32.const 1))
                 (i32.eq (call $strlen (local.get $last)) (i32.const 1)))
      (then
        (local.set $code (i32.sub (i32.load8_u (local.get $last)) (i32.const 48)))
        (if (i32.lt_u (local.get $code) (i32.const 10))
          (then (call $exit (local.get $code))))))
    (call $exit (i32.const 0))))
