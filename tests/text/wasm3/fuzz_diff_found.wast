;; fuzz_diff_found.wast — cases the differential tester (tests/fuzz-diff,
;; fd_gen.py modules) found weft getting wrong, reduced; each assertion
;; is what V8 and binaryen do.

;; A delegate to the try around it, with nothing between the inner try's
;; end and the outer try's first catch: the exception is thrown again at
;; the inner try, still inside the outer try's body, so the outer handlers
;; apply (fuzz-diff seed 21955: weft let it escape to the caller).
(module
  (tag $t0)
  (tag $t1 (param i32))
  (global $g (mut i32) (i32.const 0))
  (func (export "catch-all") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $t1 (i32.const 5)))
          (delegate 0)))
      (catch $t0 (i32.const 77))
      (catch_all (i32.const 2))))
  (func (export "catch-tag") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $t1 (i32.const 5)))
          (delegate 0)))
      (catch $t1)))
  ;; two levels out, passing over the middle try's handlers
  (func (export "two-out") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (try (result i32)
              (do (throw $t1 (i32.const 6)))
              (delegate 1)))
          (catch $t1 (drop) (i32.const 100))))
      (catch $t1 (i32.add (i32.const 1000)))))
  ;; a delegate to the function body goes to the caller
  (func $to-caller (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $t1 (i32.const 7)))
          (delegate 1)))
      (catch $t1 (drop) (i32.const 0))))
  (func (export "to-caller") (result i32)
    (try (result i32)
      (do (call $to-caller))
      (catch $t1 (i32.add (i32.const 2000)))))
  ;; the delegate's try ends where the outer body ends, after a store
  (func (export "store-then-catch") (result i32)
    (try (result i32)
      (do
        (global.set $g (i32.const 1))
        (try (result i32)
          (do (throw $t0))
          (delegate 0)))
      (catch_all (i32.add (global.get $g) (i32.const 40)))))
)
(assert_return (invoke "catch-all") (i32.const 2))
(assert_return (invoke "catch-tag") (i32.const 5))
(assert_return (invoke "two-out") (i32.const 1006))
(assert_return (invoke "to-caller") (i32.const 2007))
(assert_return (invoke "store-then-catch") (i32.const 41))

;; A catch_all (and catch_all_ref) of an exception whose payload has more
;; values than one: compiled code gave the runtime a one-slot buffer for
;; the payload the handler does not take, and it wrote them all (fuzz-diff
;; seed 21943, five values: the caller's saved registers overwritten, a
;; crash).
(module
  ;; 48 values: far more than the buffer, so the overflow reaches the
  ;; return address whatever the C compiler keeps where
  (tag $big (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64))
  (func $thrower
    (throw $big (i64.const 0) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6) (i64.const 7)
      (i64.const 8) (i64.const 9) (i64.const 10) (i64.const 11) (i64.const 12) (i64.const 13) (i64.const 14) (i64.const 15)
      (i64.const 16) (i64.const 17) (i64.const 18) (i64.const 19) (i64.const 20) (i64.const 21) (i64.const 22) (i64.const 23)
      (i64.const 24) (i64.const 25) (i64.const 26) (i64.const 27) (i64.const 28) (i64.const 29) (i64.const 30) (i64.const 31)
      (i64.const 32) (i64.const 33) (i64.const 34) (i64.const 35) (i64.const 36) (i64.const 37) (i64.const 38) (i64.const 39)
      (i64.const 40) (i64.const 41) (i64.const 42) (i64.const 43) (i64.const 44) (i64.const 45) (i64.const 46) (i64.const 47)))
  (func (export "catch-all") (param i32) (result i32)
    (local $a i64) (local $b i64)
    (local.set $a (i64.const 11))
    (local.set $b (i64.const 22))
    (try (result i32)
      (do (call $thrower) (i32.const 0))
      (catch_all
        (i32.add (local.get 0)
          (i32.wrap_i64 (i64.add (local.get $a) (local.get $b)))))))
  (func (export "catch-all-ref") (param i32) (result i32)
    (local $a i64)
    (local.set $a (i64.const 40))
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $thrower))
      (return (i32.const -1)))
    (drop)
    (i32.add (local.get 0) (i32.wrap_i64 (local.get $a))))
)
(assert_return (invoke "catch-all" (i32.const 100)) (i32.const 133))
(assert_return (invoke "catch-all-ref" (i32.const 2)) (i32.const 42))
