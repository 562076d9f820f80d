;; extended_const_globals.wast — weft's own tests of 3.0's constant
;; expressions over module-defined globals: global.get of any earlier
;; immutable global (imported or defined) in a global's initializer, any
;; immutable global in segment offsets; a later or mutable one is invalid.
;; (The 2.0 suite asserts 2.0's rule; weft wast --wasm-2.0 keeps it.)

(module
  (global (import "spectest" "global_i32") i32)
  (global $a i32 (i32.const 10))
  (global $b i32 (i32.add (global.get $a) (global.get 0)))
  (global $c i64 (i64.const 7))
  (global $d i64 (i64.mul (global.get $c) (global.get $c)))
  (global $e i32 (global.get $b))
  (global $r funcref (ref.func $f))
  (global $s funcref (global.get $r))
  (memory 1)
  (data (global.get $a) "z")
  (table 20 funcref)
  (elem (i32.sub (global.get $a) (i32.const 1)) $f)
  (func $f (result i32) (i32.const 5))
  (func (export "b") (result i32) (global.get $b))
  (func (export "d") (result i64) (global.get $d))
  (func (export "e") (result i32) (global.get $e))
  (func (export "s") (result i32) (call_indirect (result i32) (i32.const 9)))
  (func (export "s_is_f") (result i32)
    (ref.is_null (global.get $s)))
  (func (export "byte10") (result i32) (i32.load8_u (i32.const 10)))
)
(assert_return (invoke "b") (i32.const 676))
(assert_return (invoke "d") (i64.const 49))
(assert_return (invoke "e") (i32.const 676))
(assert_return (invoke "s") (i32.const 5))
(assert_return (invoke "s_is_f") (i32.const 0))
(assert_return (invoke "byte10") (i32.const 0x7a))

;; a global initializer sees only earlier globals
(assert_invalid
  (module (global i32 (global.get 1)) (global i32 (i32.const 0)))
  "unknown global")
(assert_invalid
  (module (global i32 (global.get 0)))
  "unknown global")
;; and only immutable ones
(assert_invalid
  (module (global (mut i32) (i32.const 0)) (global i32 (global.get 0)))
  "constant expression required")
(assert_invalid
  (module (global (mut i32) (i32.const 0)) (memory 1)
          (data (global.get 0) ""))
  "constant expression required")
;; type still checked
(assert_invalid
  (module (global i64 (i64.const 0)) (global i32 (global.get 0)))
  "type mismatch")
