;; Calls and frames (P12i): a new frame zeroes only the locals some read
;; may find unassigned (lower_assign.c: definite assignment across
;; branches), and copies its image as two overlapping runs (interp.c's
;; frame_init). Each $t* below is called right after $dirty, at the same
;; operand height, so its frame lies where $dirty left 0xdead in every
;; slot: a local wrongly taken as assigned reads 0xdead instead of 0.

(module
  (func $dirty
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (local.set 0 (i32.const 0xdead)) (local.set 1 (i32.const 0xdead))
    (local.set 2 (i32.const 0xdead)) (local.set 3 (i32.const 0xdead))
    (local.set 4 (i32.const 0xdead)) (local.set 5 (i32.const 0xdead))
    (local.set 6 (i32.const 0xdead)) (local.set 7 (i32.const 0xdead))
    (local.set 8 (i32.const 0xdead)) (local.set 9 (i32.const 0xdead))
    (local.set 10 (i32.const 0xdead)) (local.set 11 (i32.const 0xdead))
    (drop (i32.add (i32.add (local.get 0) (local.get 11))
                   (i32.add (local.get 5) (local.get 6)))))

  ;; br_if out of the block before the assignment
  (func $t_br_if (param $c i32) (result i32) (local $x i32)
    (block $b
      (br_if $b (local.get $c))
      (local.set $x (i32.const 7)))
    (local.get $x))
  (func (export "br_if") (param i32) (result i32)
    (call $dirty) (call $t_br_if (local.get 0)))

  ;; if without else: the false edge assigns nothing
  (func $t_if (param $c i32) (result i32) (local $x i32)
    (if (local.get $c) (then (local.set $x (i32.const 7))))
    (local.get $x))
  (func (export "if") (param i32) (result i32)
    (call $dirty) (call $t_if (local.get 0)))

  ;; if/else: assigned in one arm only, then in both
  (func $t_else (param $c i32) (result i32) (local $x i32) (local $y i32)
    (if (local.get $c)
      (then (local.set $x (i32.const 7)) (local.set $y (i32.const 1)))
      (else (local.set $y (i32.const 2))))
    (i32.add (i32.mul (local.get $x) (i32.const 10)) (local.get $y)))
  (func (export "else") (param i32) (result i32)
    (call $dirty) (call $t_else (local.get 0)))

  ;; a branch out of the then arm to the if's end, before the assignment
  (func $t_then_br (param $c i32) (param $d i32) (result i32) (local $x i32)
    (if (local.get $c)
      (then (br_if 0 (local.get $d)) (local.set $x (i32.const 7)))
      (else (local.set $x (i32.const 8))))
    (local.get $x))
  (func (export "then_br") (param i32 i32) (result i32)
    (call $dirty) (call $t_then_br (local.get 0) (local.get 1)))

  ;; br_table: one target reached before the assignment
  (func $t_table (param $i i32) (result i32) (local $x i32)
    (block $out
      (block $a
        (block $b
          (br_table $a $b $out (local.get $i)))
        (local.set $x (i32.const 3))
        (br $out))
      (local.set $x (i32.const 4)))
    (local.get $x))
  (func (export "table") (param i32) (result i32)
    (call $dirty) (call $t_table (local.get 0)))

  ;; a branch out of an inner block to the outer one, past the assignment
  (func $t_nested (param $c i32) (result i32) (local $x i32)
    (block $outer
      (block $inner
        (br_if $outer (local.get $c))
        (local.set $x (i32.const 9)))
      (drop (local.get $x)))
    (local.get $x))
  (func (export "nested") (param i32) (result i32)
    (call $dirty) (call $t_nested (local.get 0)))

  ;; a loop: assigned in its body after a possible exit from the block
  ;; around it; the loop's fallthrough keeps what its body assigned
  (func $t_loop (param $n i32) (result i32) (local $x i32) (local $y i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.add (local.get $x) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (loop $m
      (local.set $y (i32.const 100)))
    (i32.add (local.get $x) (local.get $y)))
  (func (export "loop") (param i32) (result i32)
    (call $dirty) (call $t_loop (local.get 0)))

  ;; assigned on every edge into the end: the value set is read
  (func $t_all (param $c i32) (result i32) (local $x i32)
    (block $b
      (local.set $x (i32.const 5))
      (br_if $b (local.get $c))
      (local.set $x (i32.const 6)))
    (local.get $x))
  (func (export "all") (param i32) (result i32)
    (call $dirty) (call $t_all (local.get 0)))

  ;; an unreachable fallthrough: only the branch's state counts
  (func $t_dead_fall (param $c i32) (result i32) (local $x i32)
    (block $b
      (br_if $b (local.get $c))
      (local.set $x (i32.const 7))
      (return (local.get $x)))
    (local.get $x))
  (func (export "dead_fall") (param i32) (result i32)
    (call $dirty) (call $t_dead_fall (local.get 0)))

  ;; i64 and f64 locals, and a frame image of 9 to 16 slots (constants
  ;; that stay slots: f64 operands)
  (func $t_wide (param $c i32) (result f64)
    (local $a i64) (local $b f64) (local $d f64)
    (if (local.get $c) (then (local.set $a (i64.const 3))
                             (local.set $b (f64.const 1.5))))
    (local.set $d (f64.add (f64.convert_i64_s (local.get $a)) (local.get $b)))
    (f64.add (f64.mul (local.get $d) (f64.const 2.25))
             (f64.add (f64.const 0.125) (f64.const 0.0625))))
  (func (export "wide") (param i32) (result f64)
    (call $dirty) (call $t_wide (local.get 0)))
)

(assert_return (invoke "br_if" (i32.const 1)) (i32.const 0))
(assert_return (invoke "br_if" (i32.const 0)) (i32.const 7))
(assert_return (invoke "if" (i32.const 0)) (i32.const 0))
(assert_return (invoke "if" (i32.const 1)) (i32.const 7))
(assert_return (invoke "else" (i32.const 0)) (i32.const 2))
(assert_return (invoke "else" (i32.const 1)) (i32.const 71))
(assert_return (invoke "then_br" (i32.const 1) (i32.const 1)) (i32.const 0))
(assert_return (invoke "then_br" (i32.const 1) (i32.const 0)) (i32.const 7))
(assert_return (invoke "then_br" (i32.const 0) (i32.const 1)) (i32.const 8))
(assert_return (invoke "table" (i32.const 0)) (i32.const 4))
(assert_return (invoke "table" (i32.const 1)) (i32.const 3))
(assert_return (invoke "table" (i32.const 2)) (i32.const 0))
(assert_return (invoke "table" (i32.const 7)) (i32.const 0))
(assert_return (invoke "nested" (i32.const 1)) (i32.const 0))
(assert_return (invoke "nested" (i32.const 0)) (i32.const 9))
(assert_return (invoke "loop" (i32.const 0)) (i32.const 100))
(assert_return (invoke "loop" (i32.const 4)) (i32.const 110))
(assert_return (invoke "all" (i32.const 1)) (i32.const 5))
(assert_return (invoke "all" (i32.const 0)) (i32.const 6))
(assert_return (invoke "dead_fall" (i32.const 1)) (i32.const 0))
(assert_return (invoke "dead_fall" (i32.const 0)) (i32.const 7))
(assert_return (invoke "wide" (i32.const 0)) (f64.const 0.1875))
(assert_return (invoke "wide" (i32.const 1)) (f64.const 10.3125))

;; Exception handling: a catch may land from anywhere in its try, so a
;; function with a try_table keeps the block rule (lower_assign.c).
(module
  (tag $e)
  (func $dirty (local i32 i32 i32 i32)
    (local.set 0 (i32.const 0xdead)) (local.set 1 (i32.const 0xdead))
    (local.set 2 (i32.const 0xdead)) (local.set 3 (i32.const 0xdead))
    (drop (i32.add (local.get 1) (local.get 3))))
  (func $maybe_throw (param i32) (if (local.get 0) (then (throw $e))))
  (func $t (param $c i32) (result i32) (local $x i32)
    (block $h
      (try_table (catch_all $h)
        (call $maybe_throw (local.get $c))
        (local.set $x (i32.const 7))))
    (local.get $x))
  (func (export "try") (param i32) (result i32)
    (call $dirty) (call $t (local.get 0)))
)
(assert_return (invoke "try" (i32.const 1)) (i32.const 0))
(assert_return (invoke "try" (i32.const 0)) (i32.const 7))

;; Typed references: br_on_null and br_on_non_null are edges too.
(module
  (type $f (func (result i32)))
  (func $dirty (local i32 i32 i32 i32)
    (local.set 0 (i32.const 0xdead)) (local.set 1 (i32.const 0xdead))
    (local.set 2 (i32.const 0xdead)) (local.set 3 (i32.const 0xdead))
    (drop (i32.add (local.get 1) (local.get 3))))
  (func $one (type $f) (i32.const 1))
  (elem declare func $one)
  (func $t (param $c i32) (result i32) (local $x i32) (local $r (ref null $f))
    (if (local.get $c) (then (local.set $r (ref.func $one))))
    (block $null
      (drop (br_on_null $null (local.get $r)))
      (local.set $x (i32.const 7)))
    (local.get $x))
  (func (export "on_null") (param i32) (result i32)
    (call $dirty) (call $t (local.get 0)))
)
(assert_return (invoke "on_null" (i32.const 0)) (i32.const 0))
(assert_return (invoke "on_null" (i32.const 1)) (i32.const 7))

;; Calls: many parameters and results through frames of every image size
;; class, deep recursion to exhaustion (it traps the same with or without
;; an image), and a caller's frame intact after each return.
(module
  (func $many (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
              (result i32 i32 i32 i32 i32 i32 i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.get 11) (local.get 10) (local.get 9) (local.get 8) (local.get 7)
    (i32.wrap_i64 (local.get 12))
    (i32.add (local.get 0) (i32.wrap_i64 (local.get 27))))
  (func (export "many") (result i32)
    (local $s i32) (local $k i32)
    (call $many (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
                (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8)
                (i32.const 9) (i32.const 10) (i32.const 11) (i32.const 12))
    ;; s = r + s * 31^i, for each result r from the last but one down
    (local.set $s)
    (local.set $k (i32.const 31))
    (local.set $s (i32.add (local.get $s) (i32.mul (local.get $k))))
    (local.set $k (i32.mul (local.get $k) (i32.const 31)))
    (local.set $s (i32.add (local.get $s) (i32.mul (local.get $k))))
    (local.set $k (i32.mul (local.get $k) (i32.const 31)))
    (local.set $s (i32.add (local.get $s) (i32.mul (local.get $k))))
    (local.set $k (i32.mul (local.get $k) (i32.const 31)))
    (local.set $s (i32.add (local.get $s) (i32.mul (local.get $k))))
    (local.set $k (i32.mul (local.get $k) (i32.const 31)))
    (local.set $s (i32.add (local.get $s) (i32.mul (local.get $k))))
    (local.set $k (i32.mul (local.get $k) (i32.const 31)))
    (i32.add (local.get $s) (i32.mul (local.get $k))))
  (func $deep (param $n i64) (result i64) (local $z i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $z))
      (else (i64.add (local.get $z)
                     (call $deep (i64.sub (local.get $n) (i64.const 1)))))))
  (func (export "deep") (param i64) (result i64) (call $deep (local.get 0)))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0)))
  (func $inf (param i32) (result i32)
    (i32.add (call $inf (local.get 0)) (i32.const 1)))
  (func (export "inf") (result i32) (call $inf (i32.const 0)))
)
(assert_return (invoke "many") (i32.const 1959696139))
(assert_return (invoke "deep" (i64.const 10000)) (i64.const 0))
(assert_return (invoke "fib" (i32.const 20)) (i32.const 6765))
(assert_exhaustion (invoke "inf") "call stack exhausted")
(assert_exhaustion (invoke "deep" (i64.const 100000000)) "call stack exhausted")
(assert_return (invoke "fib" (i32.const 10)) (i32.const 55))
