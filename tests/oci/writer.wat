;; writer.wat — creates "out.txt" in the preopen at fd 4 (the first mount
;; after the rootfs) and writes "hi" to it; exits with the WASI errno of
;; path_open (0 on success; EROFS on a read-only preopen).
(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "out.txt")
  (data (i32.const 120) "hi")
  (func (export "_start") (local $err i32)
    ;; oflags 1 = creat; rights: fd_write (1 << 6)
    (local.set $err (call $open (i32.const 4) (i32.const 0) (i32.const 100) (i32.const 7)
                       (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 8)))
    (if (i32.eqz (local.get $err))
      (then
        (i32.store (i32.const 0) (i32.const 120))
        (i32.store (i32.const 4) (i32.const 2))
        (drop (call $fd_write (i32.load (i32.const 8)) (i32.const 0) (i32.const 1) (i32.const 16)))))
    (call $exit (local.get $err))))
