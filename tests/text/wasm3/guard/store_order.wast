;; store_order.wast — a store, then an access that faults: the trap must
;; find the store done (fuzz-diff seeds 23310 and 24002). The interpreter
;; and compiled code with explicit bounds checks do. Compiled code with
;; guard pages does not always: gcc may move a store below a later load
;; to a different address (no alias in C), and the fault then comes first.
;; A compiler barrier after every store fixes it but costs up to 1.7x
;; (jacobi2d, bench/run.sh with BENCH_OLD), so tests/text/run3.sh runs this
;; file in the interpreter and with --aot-explicit only, and counts its
;; commands as skipped (a known limitation, docs/ARCHITECTURE.md) for --aot.
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
