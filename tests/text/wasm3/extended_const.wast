;; extended_const.wast — weft's own tests of extended constant expressions
;; (Wasm 3.0): i32/i64 add, sub and mul with constants and imported
;; immutable globals, in global initializers and segment offsets.

(module
  (global (import "spectest" "global_i32") i32)
  (global (import "spectest" "global_i64") i64)
  (global $a i32 (i32.add (global.get 0) (i32.const 1)))
  (global $b i32 (i32.sub (i32.const 0) (i32.const 1)))
  (global $c i32 (i32.mul (i32.const 0x10000) (i32.const 0x10001)))
  (global $d i64 (i64.mul (global.get 1) (i64.const 0x100000000)))
  (global $e i64
    (i64.sub (i64.add (i64.const 1) (i64.const 2))
             (i64.mul (i64.const 3) (i64.const 4))))
  (global $f i32
    (i32.add (i32.const 1)
      (i32.add (i32.const 2)
        (i32.add (i32.const 3) (i32.mul (global.get 0) (i32.const 2))))))
  (memory 1)
  (data (i32.add (i32.const 8) (i32.const 2)) "x")
  (table 4 funcref)
  (elem (i32.sub (i32.const 3) (i32.const 1)) $seven)
  (func $seven (result i32) (i32.const 7))
  (func (export "a") (result i32) (global.get $a))
  (func (export "b") (result i32) (global.get $b))
  (func (export "c") (result i32) (global.get $c))
  (func (export "d") (result i64) (global.get $d))
  (func (export "e") (result i64) (global.get $e))
  (func (export "f") (result i32) (global.get $f))
  (func (export "byte10") (result i32) (i32.load8_u (i32.const 10)))
  (func (export "elem2") (result i32) (call_indirect (result i32) (i32.const 2)))
)
(assert_return (invoke "a") (i32.const 667))
(assert_return (invoke "b") (i32.const -1))
(assert_return (invoke "c") (i32.const 0x10000))
(assert_return (invoke "d") (i64.const 0x29a00000000))
(assert_return (invoke "e") (i64.const -9))
(assert_return (invoke "f") (i32.const 1338))
(assert_return (invoke "byte10") (i32.const 120))
(assert_return (invoke "elem2") (i32.const 7))

;; an offset computed past the end still traps at instantiation
(assert_trap
  (module (memory 1) (data (i32.add (i32.const 65535) (i32.const 1)) "ab"))
  "out of bounds memory access")

(assert_invalid
  (module (global i32 (i32.add (i32.const 1) (i64.const 2))))
  "type mismatch")
(assert_invalid
  (module (global i32 (i32.add (i32.const 1))))
  "type mismatch")
(assert_invalid
  (module (global i64 (i64.add (i64.const 1) (i64.const 2)) (i64.const 3)))
  "type mismatch")
(assert_invalid
  (module (global i32 (i32.div_s (i32.const 1) (i32.const 1))))
  "constant expression required")
(assert_invalid
  (module (global f32 (f32.add (f32.const 1) (f32.const 1))))
  "constant expression required")
(assert_invalid
  (module
    (global (import "spectest" "global_mut_i32") (mut i32))
    (global i32 (i32.add (global.get 0) (i32.const 1))))
  "constant expression required")
(assert_invalid
  (module (table 1 funcref) (elem (i32.const 0) funcref
    (item (i32.add (i32.const 0) (i32.const 1)))))
  "type mismatch")
