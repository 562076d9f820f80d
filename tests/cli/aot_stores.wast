;; aot_stores.wast — a store that traps comes before the stores after it,
;; whole, in compiled code with guard pages too (WF_STORED in
;; src/aot/prelude.h), run by tests/cli/aot_stores.sh: the memory is read
;; back after each trap. WF_STORED names the memory's whole reach, not the
;; stored bytes: "over_far" fails if that reach ends below 2^33.
(module
  (memory 1)
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "peek8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  ;; the first store to $a is overwritten by the third: a C compiler may
  ;; delete it as dead, and the second became visible before the trap
  (func (export "over") (param $a i32) (param $b i32)
    (i32.store (local.get $a) (i32.const 1))
    (i32.store (local.get $b) (i32.const 2))
    (i32.store (local.get $a) (i32.const 3)))
  ;; the same at constant addresses, the first past 2^32 (a u32 address
  ;; plus a u32 offset): a C compiler that thinks it outside the bytes
  ;; WF_STORED reads may again delete it as dead
  (func (export "over_far")
    (i32.store offset=0xfffffff0 (i32.const 0x100) (i32.const 1))
    (i32.store (i32.const 32) (i32.const 2))
    (i32.store offset=0xfffffff0 (i32.const 0x100) (i32.const 3)))
  ;; two neighbouring bytes: a C compiler may merge them into one 16-bit
  ;; store, which at the last byte of memory faults without writing it
  (func (export "pair") (param $p i32)
    (i32.store8 (local.get $p) (i32.const 1))
    (i32.store8 offset=1 (local.get $p) (i32.const 2)))
  ;; the same with 32-bit halves of a 64-bit pair
  (func (export "halves") (param $p i32)
    (i32.store (local.get $p) (i32.const 5))
    (i32.store offset=4 (local.get $p) (i32.const 6))))
(assert_trap (invoke "over" (i32.const 70000) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 8)) (i32.const 0))
(assert_trap (invoke "over_far") "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 32)) (i32.const 0))
(assert_trap (invoke "pair" (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "peek8" (i32.const 65535)) (i32.const 1))
(assert_trap (invoke "halves" (i32.const 65532)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 65532)) (i32.const 5))
(invoke "over" (i32.const 16) (i32.const 24))
(assert_return (invoke "peek" (i32.const 16)) (i32.const 3))
(assert_return (invoke "peek" (i32.const 24)) (i32.const 2))
