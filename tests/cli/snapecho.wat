;; snapecho.wat — for tests/cli/snapshot.sh: prints "ready", then blocks
;; reading stdin (fd_read of up to 16 bytes) and echoes what it read.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "ready\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))
    ;; one iovec at 8: buffer 64, length 16; count read at 32
    (i32.store (i32.const 8) (i32.const 64))
    (i32.store (i32.const 12) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 8) (i32.const 1) (i32.const 32)))
    (i32.store (i32.const 12) (i32.load (i32.const 32)))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 40)))))
