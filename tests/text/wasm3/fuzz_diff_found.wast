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

;; Compiled code with guard pages: a store, then a load that faults. The
;; C compiler moved the store below the load (different constant
;; addresses, so no alias in C), and the trap lost it (fuzz-diff seed
;; 23310). Stores to one page, loads past the end of it, in several forms.
(module
  (memory 1)
  (func (export "store-then-load") (param i32)
    (i64.store16 (i32.const 135) (i64.const 7))
    (drop (i32.load16_s (i32.const 65535))))
  (func (export "stores-then-load")
    (i32.store (i32.const 200) (i32.const 0x01020304))
    (i64.store (i32.const 208) (i64.const -2))
    (drop (i64.load (i32.const 65530))))
  (func (export "store-then-store")
    (i32.store8 (i32.const 300) (i32.const 9))
    (i32.store (i32.const 65534) (i32.const 1)))
  (func (export "peek16") (param i32) (result i32)
    (i32.load16_u (local.get 0)))
  (func (export "peek64") (param i32) (result i64)
    (i64.load (local.get 0)))
)
(assert_trap (invoke "store-then-load" (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "peek16" (i32.const 135)) (i32.const 7))
(assert_trap (invoke "stores-then-load") "out of bounds memory access")
(assert_return (invoke "peek64" (i32.const 200)) (i64.const 0x01020304))
(assert_return (invoke "peek64" (i32.const 208)) (i64.const -2))
(assert_trap (invoke "store-then-store") "out of bounds memory access")
(assert_return (invoke "peek16" (i32.const 300)) (i32.const 9))

;; The seed's own shape, which did lose the store with gcc -O2 (the forms
;; above happened not to): a grown-by-0 value stored, a faulting load,
;; an in-bounds load feeding an indirect call.
(module
  (memory 1 3)
  (type $t (func (param i64 i32 i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 1) $callee)
  (func $callee (type $t) (local.get 1))
  (func (export "grow-store-then-load") (result i32)
    (local i32)
    (i64.store16 (i32.const 135)
      (i64.or (i64.extend_i32_u (memory.grow (i32.const 0))) (i64.const 7)))
    (local.set 0 (i32.load16_s (i32.const 65535)))
    (call_indirect (type $t) (i64.load (i32.const 65527)) (local.get 0)
      (i32.const 5) (i32.const 1)))
  (func (export "peek16") (param i32) (result i32)
    (i32.load16_u (local.get 0)))
)
(assert_trap (invoke "grow-store-then-load") "out of bounds memory access")
(assert_return (invoke "peek16" (i32.const 135)) (i32.const 7))

;; The same for an inline memory.fill (memset in the C), then a faulting
;; load (fuzz-diff seed 24002; reduced from the seed, whose shape gcc -O2
;; did reorder).
(module
  (memory 1 3)
  (global $fuel (mut i32) (i32.const 5))
  (type $r (func (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $filler)
  (func $next (result i32) (i32.const 0))
  (func $filler (result i32)
    (if (i32.eqz (global.get $fuel)) (then (return (i32.const 0))))
    (global.set $fuel (i32.sub (global.get $fuel) (i32.const 1)))
    (memory.fill (i32.const 473) (memory.grow (i32.const 0)) (i32.const 18))
    (drop (i32.load8_s offset=65530 (i32.const 439)))
    (i64.store32 (i32.and (memory.size) (i32.const 1023))
      (i64.rotr (i64.load (i32.const 0)) (i64.extend_i32_u (memory.size))))
    (return_call $next))
  (func (export "fill-then-load") (result i64)
    (memory.fill (i32.const 336) (call_indirect (type $r) (i32.const 0))
      (i32.const 0))
    (i64.const 0))
  (func (export "peek8") (param i32) (result i32)
    (i32.load8_u (local.get 0)))
)
(assert_trap (invoke "fill-then-load") "out of bounds memory access")
(assert_return (invoke "peek8" (i32.const 473)) (i32.const 1))
(assert_return (invoke "peek8" (i32.const 490)) (i32.const 1))
