;; typed_refs.wast — weft's own tests of typed function references (3.0):
;; call_ref and return_call_ref of null trap, ref.as_non_null of null traps,
;; br_on_null / br_on_non_null both ways, a table of non-null references
;; with an initializer, and the validation rules weft checks (a non-null
;; local read before it is set, nullable where non-null is needed, the
;; wrong function type for call_ref).

(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $inc $dbl)
  (table $t 3 (ref $ii) (ref.func $inc))
  (global $g (mut (ref null $ii)) (ref.null $ii))

  (func (export "call") (param i32) (result i32)
    (call_ref $ii (local.get 0) (ref.func $dbl)))
  (func (export "call-null") (result i32)
    (call_ref $ii (i32.const 1) (global.get $g)))
  (func (export "tail-null") (result i32)
    (return_call_ref $ii (i32.const 1) (ref.null $ii)))
  (func (export "tail") (param i32) (result i32)
    (return_call_ref $ii (local.get 0) (table.get $t (i32.const 2))))
  (func (export "as-non-null-null")
    (drop (ref.as_non_null (ref.null func))))
  (func (export "set-g") (global.set $g (ref.func $inc)))
  (func (export "call-g") (param i32) (result i32)
    (call_ref $ii (local.get 0) (global.get $g)))
  ;; 1 when the reference was null (br_on_null taken), else 0
  (func (export "on-null") (param funcref) (result i32)
    (block $null
      (br_on_null $null (local.get 0))
      (drop)
      (return (i32.const 0)))
    (i32.const 1))
  ;; 1 when non-null (br_on_non_null taken with it), else 0
  (func (export "on-non-null") (param funcref) (result i32)
    (block $nn (result (ref func))
      (br_on_non_null $nn (local.get 0))
      (return (i32.const 0)))
    (drop)
    (i32.const 1))
  (func (export "f") (result funcref) (ref.func $inc))
  ;; a non-null local, set before it is read
  (func (export "local") (param i32) (result i32)
    (local $r (ref $ii))
    (local.set $r (table.get $t (i32.const 0)))
    (call_ref $ii (local.get 0) (local.get $r)))
)

(assert_return (invoke "call" (i32.const 21)) (i32.const 42))
(assert_trap (invoke "call-null") "null function reference")
(assert_trap (invoke "tail-null") "null function reference")
(assert_return (invoke "tail" (i32.const 9)) (i32.const 10))
(assert_trap (invoke "as-non-null-null") "null reference")
(invoke "set-g")
(assert_return (invoke "call-g" (i32.const 4)) (i32.const 5))
(assert_return (invoke "on-null" (ref.null func)) (i32.const 1))
(assert_return (invoke "on-non-null" (ref.null func)) (i32.const 0))
(assert_return (invoke "local" (i32.const 6)) (i32.const 7))

;; a non-null local read before it is set
(assert_invalid
  (module (type $v (func))
    (func (local $r (ref $v)) (drop (local.get $r))))
  "uninitialized local")
;; set in a block does not last past its end
(assert_invalid
  (module (type $v (func))
    (func (param $p (ref $v)) (local $r (ref $v))
      (block (local.set $r (local.get $p)))
      (drop (local.get $r))))
  "uninitialized local")
;; nullable where non-null is needed
(assert_invalid
  (module (type $v (func))
    (func $g (param (ref $v)))
    (func (call $g (ref.null $v))))
  "type mismatch")
;; call_ref of a reference of another function type
(assert_invalid
  (module (type $v (func)) (type $ii (func (param i32) (result i32)))
    (func (param (ref $v)) (call_ref $ii (i32.const 0) (local.get 0))))
  "type mismatch")
;; funcref is not a typed reference
(assert_invalid
  (module (type $v (func))
    (func (param funcref) (call_ref $v (local.get 0))))
  "type mismatch")
;; a non-null table without an initializer
(assert_invalid
  (module (type $v (func)) (table 1 (ref $v)))
  "type mismatch")
