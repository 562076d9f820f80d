;; tail_call_more.wast — weft's own tail-call tests beyond the suite's:
;; callees in other instances and host functions, frames that grow and
;; shrink, arguments that overlap the frame base, traps after tail calls.

(module $A
  (func (export "sum") (param i64 i64 i64 i64) (result i64)
    (i64.add (i64.add (local.get 0) (local.get 1))
             (i64.add (local.get 2) (local.get 3))))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1234))
      (else (return_call $down (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "boom") (param i32) (result i32) unreachable)
  (table (export "tab") 2 funcref)
  (elem (i32.const 0) $down)
)
(register "A" $A)

(module
  (import "A" "sum" (func $sum (param i64 i64 i64 i64) (result i64)))
  (import "A" "down" (func $down (param i32) (result i32)))
  (import "A" "boom" (func $boom (param i32) (result i32)))
  (import "A" "tab" (table 2 funcref))
  (import "spectest" "print_i32" (func $print (param i32)))
  (type $i->i (func (param i32) (result i32)))
  (elem (i32.const 1) $grow)

  ;; one parameter here, four in the callee of another instance
  (func (export "to-other") (param i64) (result i64)
    (return_call $sum (local.get 0) (i64.const 2) (i64.const 3) (i64.const 4)))
  ;; a chain that leaves this instance and recurses there
  (func (export "to-other-rec") (param i32) (result i32)
    (return_call $down (local.get 0)))
  ;; through the table, to the other instance's function
  (func (export "to-other-indirect") (param i32) (result i32)
    (return_call_indirect (type $i->i) (local.get 0) (i32.const 0)))
  ;; a trap in the tail callee
  (func (export "to-boom") (param i32) (result i32)
    (return_call $boom (local.get 0)))
  ;; a host function
  (func (export "to-host") (param i32)
    (return_call $print (local.get 0)))

  ;; frames that grow: each callee has more locals than its caller
  (func $grow (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 77))
      (else (return_call $shrink (local.get 0) (i32.const 1) (i32.const 2)))))
  (func $shrink (param i32 i32 i32) (result i32)
    (return_call_indirect (type $i->i)
      (i32.sub (local.get 0) (i32.add (local.get 1) (i32.sub (local.get 2) (i32.const 2))))
      (i32.const 1)))
  (func (export "grow") (param i32) (result i32) (return_call $grow (local.get 0)))

  ;; results of several types through a self tail call with locals
  (func $acc (export "acc") (param i32 f64) (result f64 i32) (local f64)
    (local.set 2 (f64.add (local.get 1) (f64.const 0.5)))
    (if (result f64 i32) (i32.eqz (local.get 0))
      (then (local.get 1) (i32.const -1))
      (else (return_call $acc (i32.sub (local.get 0) (i32.const 1)) (local.get 2)))))
)
(assert_return (invoke "to-other" (i64.const 1)) (i64.const 10))
(assert_return (invoke "to-other-rec" (i32.const 100000)) (i32.const 1234))
(assert_return (invoke "to-other-indirect" (i32.const 100000)) (i32.const 1234))
(assert_trap (invoke "to-boom" (i32.const 1)) "unreachable")
(assert_return (invoke "to-host" (i32.const 42)))
(assert_return (invoke "grow" (i32.const 100000)) (i32.const 77))
(assert_return (invoke "acc" (i32.const 4) (f64.const 1)) (f64.const 3) (i32.const -1))

;; the callee's results must be the caller's
(assert_invalid
  (module (func $f (result i64) (i64.const 0))
          (func (result i32) (return_call $f)))
  "type mismatch")
(assert_invalid
  (module (type $t (func (result i64)))
          (table 1 funcref)
          (func (result i32) (return_call_indirect (type $t) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (func $f (param i32)) (func (return_call $f (i64.const 0))))
  "type mismatch")
(assert_invalid
  (module (func (return_call 5)))
  "unknown function")
