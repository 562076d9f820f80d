;; tailcall.wat — tail calls (tests/cli/tailcall.sh): self, mutual, indirect,
;; multi-value and host callees.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (type $i64->i32 (func (param i64) (result i32)))
  (table funcref (elem $even $odd))

  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 44))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 99))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))

  ;; the same through the table: elements 0 and 1
  (func $ieven (export "ieven") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 44))
      (else (return_call_indirect (type $i64->i32)
              (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))

  ;; itself, with a local that must start at zero on every entry
  (func $count (export "count") (param i64) (result i64) (local i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else
        (local.set 1 (i64.const 7))
        (return_call $count (i64.sub (local.get 0) (i64.const 1))))))

  ;; two parameters, two results, mutual
  (func $ping (export "ping") (param i32 i32) (result i32 i32)
    (if (result i32 i32) (i32.eqz (local.get 0))
      (then (local.get 1) (i32.const 1))
      (else (return_call $pong (i32.sub (local.get 0) (i32.const 1))
                               (i32.add (local.get 1) (i32.const 3))))))
  (func $pong (param i32 i32) (result i32 i32)
    (if (result i32 i32) (i32.eqz (local.get 0))
      (then (local.get 1) (i32.const 2))
      (else (return_call $ping (i32.sub (local.get 0) (i32.const 1))
                               (i32.add (local.get 1) (i32.const 5))))))

  ;; a host function in tail position
  (func (export "host") (result i32)
    (return_call $args_sizes_get (i32.const 0) (i32.const 4)))

  ;; not a tail call: the call depth limit still stops it
  (func $deep (export "deep") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (i64.const 1)
              (call $deep (i64.sub (local.get 0) (i64.const 1))))))))
