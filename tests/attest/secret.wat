;; secret.wat — reads the secret the verifier released through weft:attest.
;;   size        -> secret_size()
;;   hash        -> FNV-1a (32-bit) of the secret, -1 when secret_read fails
;;   who_hash    -> two results: which module runs (65 'A' for secret.wasm,
;;                  66 'B' for secret2.wasm) and `hash`
;;   read P L    -> secret_read(P, L): the errno (21 EFAULT, 28 EINVAL,
;;                  44 ENOENT when no secret was released)
;; The data segment is there so a test can change one byte of the module.
(module
  (import "weft:attest" "secret_size" (func $size (result i32)))
  (import "weft:attest" "secret_read" (func $read (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8192) "weft-A")
  (func (export "size") (result i32) (call $size))
  (func (export "who_hash") (result i32 i32)
    (i32.load8_u (i32.const 8197)) (call $hash))
  (func $hash (export "hash") (result i32)
    (local $i i32) (local $h i32) (local $n i32)
    (local.set $n (call $size))
    (if (i32.ne (call $read (i32.const 0) (i32.const 4096)) (i32.const 0))
      (then (return (i32.const -1))))
    (local.set $h (i32.const 0x811c9dc5))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $h
          (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $i)))
                   (i32.const 0x01000193)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $h))
  (func (export "read") (param i32 i32) (result i32)
    (call $read (local.get 0) (local.get 1))))
