;; call_traps.wat — for call_traps.sh: the interpreter's call and return
;; paths (interp.c's enter, RETURN_TO_CALLER) at the call depth limit and
;; with traps in callees; each trap's backtrace names the same offsets as
;; before those paths changed (P12k).
(module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $viatable)
  ;; direct self recursion, one parameter, no other locals
  (func $rec (export "rec") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
  ;; recursion with a frame image (a local read before it is assigned)
  (func $img (export "img") (param i32) (result i32) (local i64 i32 f64)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.wrap_i64 (local.get 1)))
      (else (i32.add (i32.add (i32.const 1) (local.get 2))
                     (call $img (i32.sub (local.get 0) (i32.const 1)))))))
  ;; recursion through the table (the call_func path into the entry)
  (func $viatable (export "viatable") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1))
                                    (i32.const 0))))))
  ;; a trap three calls down: the callee's own offset, then each call's
  (func (export "deep_trap") (param i32) (result i32)
    (i32.add (i32.const 1) (call $d1 (local.get 0))))
  (func $d1 (param i32) (result i32)
    (i32.add (i32.const 2) (call $d2 (local.get 0))))
  (func $d2 (param i32) (result i32)
    (i32.div_u (i32.const 100) (local.get 0)))
)
