;; aot_depth.wat — recursion in its shapes, for aot_depth.sh: compiled
;; code counts call depth only in functions that can recur
;; (src/aot/cgen_depth.c), and every one of these must still stop at
;; --max-call-depth.
(module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $viatable)
  ;; a cycle of two direct calls
  (func $ping (export "ping") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $pong (i32.sub (local.get 0) (i32.const 1)))))))
  (func $pong (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $ping (i32.sub (local.get 0) (i32.const 1)))))))
  ;; a cycle of three, entered from outside it
  (func (export "cycle3") (param i32) (result i32) (call $c1 (local.get 0)))
  (func $c1 (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $c2 (i32.sub (local.get 0) (i32.const 1)))))))
  (func $c2 (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $c3 (i32.sub (local.get 0) (i32.const 1)))))))
  (func $c3 (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $c1 (i32.sub (local.get 0) (i32.const 1)))))))
  ;; recursion through the table: no direct call closes the cycle
  (func $viatable (export "viatable") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $through (i32.sub (local.get 0) (i32.const 1)))))))
  (func $through (param i32) (result i32)
    (call_indirect (type $t) (local.get 0) (i32.const 0)))
  ;; functions that cannot recur, in front of a recursion
  (func (export "chain") (param i32) (result i32) (call $link (local.get 0)))
  (func $link (param i32) (result i32)
    (i32.add (i32.const 0) (call $ping (local.get 0))))
)
