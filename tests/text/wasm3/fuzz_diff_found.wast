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
