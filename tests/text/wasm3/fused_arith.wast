;; The interpreter's fused arithmetic ops (ops.def: I32_ADD_F64_LOAD_*,
;; F64_MUL_ADD/SUB and their stores, I32_ADD_F64_LOAD_MUL_ADD/SUB and
;; their stores, I32_ADD_I32_ADD): the shapes below lower to them. Each
;; result is checked against a value, and bit for bit (a single NaN's
;; payload too) against the same arithmetic kept apart by a block, which no
;; op fuses across; two NaNs give an arithmetic NaN; wrapping address sums
;; and out-of-bounds traps as unfused.
(module
  (memory 1)
  (data (i32.const 0) "\00\00\00\00\00\00\f8\3f")   ;; 1.5 at 0
  (data (i32.const 8) "\00\00\00\00\00\00\10\40")   ;; 4.0 at 8
  (data (i32.const 16) "\01\00\00\00\00\00\f8\7f")  ;; a NaN at 16
  (data (i32.const 24) "\02\00\00\00\00\00\f8\ff")  ;; another at 24

  ;; x op load64[p + q]: both operand orders
  (func (export "load_add") (param $x f64) (param $p i32) (param $q i32) (result f64)
    (f64.add (local.get $x) (f64.load (i32.add (local.get $p) (local.get $q)))))
  (func (export "load_sub") (param $x f64) (param $p i32) (param $q i32) (result f64)
    (f64.sub (local.get $x) (f64.load (i32.add (local.get $p) (local.get $q)))))
  (func (export "load_mul") (param $x f64) (param $p i32) (param $q i32) (result f64)
    (f64.mul (local.get $x) (f64.load offset=8 (i32.add (local.get $p) (local.get $q)))))
  (func (export "load_sub_l") (param $x f64) (param $p i32) (param $q i32) (result f64)
    (f64.sub (f64.load (i32.add (local.get $p) (local.get $q))) (local.get $x)))
  ;; the address sum kept in a local (local.tee) is still written
  (func (export "load_add_tee") (param $x f64) (param $p i32) (param $q i32) (result i32)
    (local $a i32)
    (drop (f64.add (local.get $x)
                   (f64.load (local.tee $a (i32.add (local.get $p) (local.get $q))))))
    (local.get $a))
  ;; bits of the fused x - load against the unfused one
  (func (export "load_sub_bits") (param $p i32) (param $q i32) (result i32)
    (local $m f64) (local $x f64)
    (local.set $x (f64.load (i32.const 24)))
    (local.set $m (f64.load (i32.add (local.get $p) (local.get $q))))
    (block)
    (i64.eq
      (i64.reinterpret_f64
        (f64.sub (local.get $x) (f64.load (i32.add (local.get $p) (local.get $q)))))
      (i64.reinterpret_f64 (f64.sub (local.get $x) (local.get $m)))))

  ;; a + x * y and its store, both orders, and the product in a local read twice
  (func (export "mul_add") (param $a f64) (param $x f64) (param $y f64) (result f64)
    (f64.add (local.get $a) (f64.mul (local.get $x) (local.get $y))))
  (func (export "mul_sub_l") (param $a f64) (param $x f64) (param $y f64) (result f64)
    (f64.sub (f64.mul (local.get $x) (local.get $y)) (local.get $a)))
  (func (export "mul_twice") (param $x f64) (param $y f64) (result f64)
    (local $t f64)
    (local.set $t (f64.mul (local.get $x) (local.get $y)))
    (f64.add (local.get $t) (local.get $t)))
  (func (export "mul_sub_store") (param $r i32) (param $a f64) (param $x f64) (param $y f64) (result f64)
    (f64.store offset=32 (local.get $r)
      (f64.sub (local.get $a) (f64.mul (local.get $x) (local.get $y))))
    (f64.load offset=32 (local.get $r)))
  (func (export "mul_add_bits") (param $a f64) (param $x f64) (result i32)
    (local $t f64)
    (local.set $t (f64.mul (local.get $x) (f64.load (i32.const 16))))
    (block)
    (i64.eq
      (i64.reinterpret_f64
        (f64.add (local.get $a) (f64.mul (local.get $x) (f64.load (i32.const 16)))))
      (i64.reinterpret_f64 (f64.add (local.get $a) (local.get $t)))))

  ;; y + x * load64[p + q], then its store (an axpy step)
  (func (export "axpy") (param $r i32) (param $p i32) (param $q i32) (param $x f64) (param $y f64) (result f64)
    (f64.store offset=40 (local.get $r)
      (f64.add (local.get $y)
               (f64.mul (local.get $x) (f64.load (i32.add (local.get $p) (local.get $q))))))
    (f64.load offset=40 (local.get $r)))
  (func (export "axmy") (param $p i32) (param $q i32) (param $x f64) (param $y f64) (result f64)
    (f64.sub (local.get $y)
             (f64.mul (local.get $x) (f64.load (i32.add (local.get $p) (local.get $q))))))
  ;; the store traps after the load succeeded: memory is unchanged
  (func (export "axpy_at") (param $r i32) (param $x f64) (param $y f64)
    (f64.store (local.get $r)
      (f64.add (local.get $y)
               (f64.mul (local.get $x) (f64.load (i32.add (i32.const 4) (i32.const 4)))))))
  (func (export "peek") (param $p i32) (result f64) (f64.load (local.get $p)))

  ;; two i32.adds in a row, the second reading the first's result
  (func (export "adds") (param $i i32) (param $j i32) (result i32)
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (local.set $j (i32.add (local.get $j) (local.get $i)))
    (i32.mul (local.get $i) (local.get $j)))
  ;; NaN against NaN in each commutative shape. Which payload a hardware
  ;; add or multiply keeps follows the operand order the C compiler chose
  ;; for the handler, fused or not (it may swap a commutative op's
  ;; operands, and does differently under the sanitizers); the spec allows
  ;; any arithmetic NaN, and that is what these check.
  (func (export "nan_load_add_l") (param $p i32) (param $x f64) (result f64)
    (f64.add (f64.load (i32.add (local.get $p) (i32.const 0))) (local.get $x)))
  (func (export "nan_load_mul_l") (param $p i32) (param $x f64) (result f64)
    (f64.mul (f64.load (i32.add (local.get $p) (i32.const 0))) (local.get $x)))
  (func (export "nan_mul_add_l") (param $a f64) (param $x f64) (param $y f64) (result f64)
    (f64.add (f64.mul (local.get $x) (local.get $y)) (local.get $a)))
)

(assert_return (invoke "load_add" (f64.const 1) (i32.const 4) (i32.const 4)) (f64.const 5))
(assert_return (invoke "load_add" (f64.const 1) (i32.const -8) (i32.const 16)) (f64.const 5))
(assert_return (invoke "load_sub" (f64.const 1) (i32.const 0) (i32.const 0)) (f64.const -0.5))
(assert_return (invoke "load_mul" (f64.const 3) (i32.const 0) (i32.const 0)) (f64.const 12))
(assert_return (invoke "load_sub_l" (f64.const 1) (i32.const 0) (i32.const 8)) (f64.const 3))
(assert_return (invoke "load_add_tee" (f64.const 1) (i32.const 3) (i32.const 5)) (i32.const 8))
(assert_return (invoke "load_sub_bits" (i32.const 8) (i32.const 8)) (i32.const 1))
(assert_return (invoke "load_sub_bits" (i32.const 0) (i32.const 0)) (i32.const 1))
(assert_trap (invoke "load_add" (f64.const 1) (i32.const 65530) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_mul" (f64.const 1) (i32.const 65528) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_sub_l" (f64.const 1) (i32.const -1) (i32.const 0)) "out of bounds memory access")

(assert_return (invoke "mul_add" (f64.const 1) (f64.const 2) (f64.const 3)) (f64.const 7))
(assert_return (invoke "mul_sub_l" (f64.const 1) (f64.const 2) (f64.const 3)) (f64.const 5))
(assert_return (invoke "mul_twice" (f64.const 2) (f64.const 3)) (f64.const 12))
(assert_return (invoke "mul_sub_store" (i32.const 8) (f64.const 1) (f64.const 2) (f64.const 3)) (f64.const -5))
(assert_trap (invoke "mul_sub_store" (i32.const 65500) (f64.const 1) (f64.const 2) (f64.const 3)) "out of bounds memory access")
(assert_return (invoke "mul_add_bits" (f64.const 1) (f64.const 2)) (i32.const 1))

(assert_return (invoke "axpy" (i32.const 0) (i32.const 0) (i32.const 8) (f64.const 2) (f64.const 1)) (f64.const 9))
(assert_return (invoke "axpy" (i32.const 8) (i32.const -16) (i32.const 16) (f64.const 2) (f64.const 1)) (f64.const 4))
(assert_return (invoke "axmy" (i32.const 0) (i32.const 8) (f64.const 2) (f64.const 1)) (f64.const -7))
(assert_trap (invoke "axpy" (i32.const 0) (i32.const 65535) (i32.const 1) (f64.const 2) (f64.const 1)) "out of bounds memory access")
(assert_trap (invoke "axpy_at" (i32.const 65529) (f64.const 2) (f64.const 1)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 65528)) (f64.const 0))
(assert_return (invoke "axmy" (i32.const 16) (i32.const 0) (f64.const 2) (f64.const 1)) (f64.const nan:arithmetic))

(assert_return (invoke "adds" (i32.const 1) (i32.const 10)) (i32.const 24))
(assert_return (invoke "adds" (i32.const -1) (i32.const 0)) (i32.const 0))

(assert_return (invoke "load_add" (f64.const nan:0x3) (i32.const 16) (i32.const 0)) (f64.const nan:arithmetic))
(assert_return (invoke "load_add" (f64.const -nan:0x5) (i32.const 24) (i32.const 0)) (f64.const nan:arithmetic))
(assert_return (invoke "nan_load_add_l" (i32.const 16) (f64.const -nan:0x3)) (f64.const nan:arithmetic))
(assert_return (invoke "load_mul" (f64.const nan:0x3) (i32.const 16) (i32.const 0)) (f64.const nan:arithmetic))
(assert_return (invoke "nan_load_mul_l" (i32.const 16) (f64.const -nan:0x5)) (f64.const nan:arithmetic))
(assert_return (invoke "mul_add" (f64.const nan:0x3) (f64.const -nan:0x7) (f64.const 2)) (f64.const nan:arithmetic))
(assert_return (invoke "nan_mul_add_l" (f64.const -nan:0x3) (f64.const nan:0x7) (f64.const 2)) (f64.const nan:arithmetic))
(assert_return (invoke "mul_add" (f64.const 1) (f64.const nan:0x7) (f64.const -nan:0x9)) (f64.const nan:arithmetic))
(assert_return (invoke "mul_add" (f64.const nan:0x4) (f64.const 2) (f64.const nan:0x1)) (f64.const nan:arithmetic))
(assert_return (invoke "axpy" (i32.const 0) (i32.const 16) (i32.const 0) (f64.const -nan:0x9) (f64.const nan:0x3)) (f64.const nan:arithmetic))
(assert_return (invoke "axpy" (i32.const 0) (i32.const 24) (i32.const 0) (f64.const 2) (f64.const nan:0x3)) (f64.const nan:arithmetic))
