;; A join (lower_join.c) whose last op produces the value the next op
;; reads from acc (lower_acc.c): the join's handler must leave that value
;; in acc, as the op alone does (P12h kept such pairs apart; since P12j
;; they are joined). Two loads in a row (JOIN(I32_LOAD, I32_LOAD)), the
;; second's result read by i32.sub, i32.add and i32.xor right after, on
;; either side; acc holds another i32 result (local 2 + 12345) before
;; the loads.
(module
  (memory 1)
  (data (i32.const 16) "\11\00\00\00\00\01\00\00")
  (func (export "sub_r") (param i32 i32 i32) (result i32)
    (drop (i32.add (local.get 2) (i32.const 12345)))
    (i32.sub (i32.load (local.get 0)) (i32.load (local.get 1))))
  (func (export "sub_l") (param i32 i32 i32) (result i32)
    (local i32)
    (local.set 3 (i32.load (local.get 0)))
    (drop (i32.add (local.get 2) (i32.const 12345)))
    (i32.sub (i32.load (local.get 1)) (local.get 3)))
  (func (export "add8") (param i32 i32 i32) (result i32)
    (drop (i32.add (local.get 2) (i32.const 12345)))
    (i32.add (i32.load8_u (local.get 0)) (i32.load8_u (local.get 1))))
  (func (export "xor") (param i32 i32 i32) (result i32)
    (drop (i32.add (local.get 2) (i32.const 12345)))
    (i32.xor (i32.load (local.get 0)) (i32.load (local.get 1)))))
(assert_return (invoke "sub_r" (i32.const 16) (i32.const 20) (i32.const 7)) (i32.const -239))
(assert_return (invoke "sub_l" (i32.const 16) (i32.const 20) (i32.const 7)) (i32.const 239))
(assert_return (invoke "add8" (i32.const 16) (i32.const 21) (i32.const 7)) (i32.const 18))
(assert_return (invoke "xor" (i32.const 16) (i32.const 20) (i32.const 7)) (i32.const 273))
