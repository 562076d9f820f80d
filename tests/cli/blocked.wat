;; blocked.wat — reads stdin once (fd_read of 16 bytes): blocks while
;; nothing arrives, for tests/cli/fuel.sh's --deadline backstop.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; one iovec at 0: buffer 64, length 16; count written at 32
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 32)))))
