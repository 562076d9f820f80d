;; aot_wasi.wat — a WASI command writing to stdout and exiting with a
;; status, run interpreted and ahead of time (tests/cli/aot.sh).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "hello from weft\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 8))   ;; iov.buf
    (i32.store (i32.const 4) (i32.const 16))  ;; iov.len
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1)
                          (i32.const 32)))
    (call $proc_exit (i32.const 7)))
)
