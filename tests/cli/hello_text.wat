;; hello_text.wat — a WASI command in the text format, run as .wat by
;; tests/cli/text.sh (weft converts it; no wat2wasm involved).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from text\n")
  (func $main (export "_start")
    (i32.store (i32.const 0) (i32.const 16))   ;; iov.base
    (i32.store (i32.const 4) (i32.const 16))   ;; iov.len
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1)
                          (i32.const 8))))
  (func (export "mul") (param $a i64) (param $b i64) (result i64)
    local.get $a
    local.get $b
    i64.mul))
