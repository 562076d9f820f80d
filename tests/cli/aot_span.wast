;; aot_span.wast — counted loops whose accesses compiled code proves in
;; bounds on entry (src/aot/cgen_span.c), run by tests/cli/aot_span.sh:
;; each trap must come at the trip and after the stores the interpreter
;; makes, the memory read back afterwards.
(module
  (memory 1)
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "peek8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  ;; fill p n: mem32[p + 4i] = i + 1 for i from 0 to n - 1
  (func (export "fill") (param $p i32) (param $n i32)
    (local $i i32)
    (loop $l
      (i32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
                 (i32.add (local.get $i) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n)))))
  ;; down p n: mem8[p + 8i] = i for i from n down to 1
  (func (export "down") (param $p i32) (param $n i32)
    (local $i i32)
    (local.set $i (local.get $n))
    (loop $l
      (i32.store8 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3)))
                  (local.get $i))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $l (local.get $i))))
  ;; smear p n: mem32[p + 4i + 4] = mem32[p + 4i] + 1: each trip reads
  ;; what the one before wrote
  (func (export "smear") (param $p i32) (param $n i32)
    (local $i i32) (local $q i32)
    (local.set $q (local.get $p))
    (loop $l
      (i32.store offset=4 (local.get $q)
        (i32.add (i32.load (local.get $q)) (i32.const 1)))
      (local.set $q (i32.add (local.get $q) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n)))))
  ;; axpy a b n: mem32[a + 4i] += 3 * mem32[b + 4i], and the f64 at
  ;; b + 8i, read and unused (its load alone must fault)
  (func (export "axpy") (param $a i32) (param $b i32) (param $n i32)
    (local $i i32) (local $o i32)
    (loop $l
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (i32.store (i32.add (local.get $a) (local.get $o))
        (i32.add (i32.load (i32.add (local.get $a) (local.get $o)))
                 (i32.mul (i32.load (i32.add (local.get $b) (local.get $o)))
                          (i32.const 3))))
      (drop (f64.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n)))))
  (func (export "poke8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  ;; xlat p n: mem8[p + i] = table[mem8[p + i]] + 1, the table's bytes
  ;; from 65280 (the last 256: a bounded address proved in bounds) or,
  ;; xlat1, from 65281 (its last byte past the memory: not proved, so a
  ;; 255 must fault, after the trips before it stored)
  (func (export "xlat") (param $p i32) (param $n i32)
    (local $i i32) (local $a i32)
    (loop $l
      (local.set $a (i32.add (local.get $p) (local.get $i)))
      (i32.store8 (local.get $a)
        (i32.add (i32.load8_u offset=65280 (i32.load8_u (local.get $a)))
                 (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n)))))
  (func (export "xlat1") (param $p i32) (param $n i32)
    (local $i i32) (local $a i32)
    (loop $l
      (local.set $a (i32.add (local.get $p) (local.get $i)))
      (i32.store8 (local.get $a)
        (i32.add (i32.load8_u offset=65281 (i32.load8_u (local.get $a)))
                 (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n)))))
  ;; sum4 p n: the sum of table[mem8[p + i] >> 4 & 3], 4-byte entries
  ;; from 65520 (bounded: 65520 to 65535)
  (func (export "sum4") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (i32.load offset=65520
          (i32.shl (i32.and (i32.shr_u (i32.load8_u (i32.add (local.get $p) (local.get $i)))
                                       (i32.const 4))
                            (i32.const 3))
                   (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n))))
    (local.get $acc)))

;; up to the last byte; then from 100 the trip at i = 16359 stores past it
(assert_return (invoke "fill" (i32.const 0) (i32.const 16384)))
(assert_return (invoke "peek" (i32.const 65532)) (i32.const 16384))
(assert_trap (invoke "fill" (i32.const 100) (i32.const 16384)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 65528)) (i32.const 16358))
(assert_return (invoke "peek" (i32.const 65532)) (i32.const 16359))
;; n = 0 runs 2^32 trips: faults at the end of memory
(assert_trap (invoke "fill" (i32.const 8) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 65532)) (i32.const 16382))
;; walking down from a base that wraps: p = -8 reaches 0, p = -16 wraps on
;; the last trip after storing the others
(assert_return (invoke "down" (i32.const -8) (i32.const 9)))
(assert_return (invoke "peek8" (i32.const 0)) (i32.const 1))
(assert_return (invoke "peek8" (i32.const 64)) (i32.const 9))
(assert_trap (invoke "down" (i32.const -16) (i32.const 9)) "out of bounds memory access")
(assert_return (invoke "peek8" (i32.const 0)) (i32.const 2))
(assert_return (invoke "peek8" (i32.const 56)) (i32.const 9))
(assert_trap (invoke "down" (i32.const 65464) (i32.const 9)) "out of bounds memory access")
(assert_return (invoke "peek8" (i32.const 65464)) (i32.const 237))
(assert_return (invoke "down" (i32.const 65463) (i32.const 9)))
(assert_return (invoke "peek8" (i32.const 65535)) (i32.const 9))
;; each trip reads the last one's store
(assert_return (invoke "fill" (i32.const 0) (i32.const 1)))
(assert_return (invoke "smear" (i32.const 0) (i32.const 100)))
(assert_return (invoke "peek" (i32.const 400)) (i32.const 101))
(assert_trap (invoke "smear" (i32.const 65000) (i32.const 200)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 65532)) (i32.const 16382))
;; two arrays: b's f64 leaves the memory first, on trip 4, after that
;; trip's store to a
(assert_return (invoke "fill" (i32.const 0) (i32.const 8)))
(assert_return (invoke "fill" (i32.const 65504) (i32.const 8)))
(assert_trap (invoke "axpy" (i32.const 0) (i32.const 65504) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 0)) (i32.const 4))
(assert_return (invoke "peek" (i32.const 12)) (i32.const 16))
(assert_return (invoke "peek" (i32.const 16)) (i32.const 20))
(assert_return (invoke "peek" (i32.const 20)) (i32.const 6))
(assert_return (invoke "axpy" (i32.const 0) (i32.const 65504) (i32.const 2)))
(assert_return (invoke "peek" (i32.const 4)) (i32.const 14))
;; table lookups through bounded addresses
(assert_return (invoke "fill" (i32.const 65280) (i32.const 64)))
(assert_return (invoke "fill" (i32.const 1000) (i32.const 4)))
(assert_return (invoke "xlat" (i32.const 1000) (i32.const 16)))
(assert_return (invoke "peek" (i32.const 1000)) (i32.const 0x02020201))
(assert_return (invoke "peek" (i32.const 1004)) (i32.const 0x02020201))
(assert_return (invoke "poke8" (i32.const 1005) (i32.const 255)))
(assert_trap (invoke "xlat1" (i32.const 1000) (i32.const 16)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 1000)) (i32.const 0x01010101))
(assert_return (invoke "peek" (i32.const 1004)) (i32.const 0x0202ff01))
(assert_return (invoke "poke8" (i32.const 1005) (i32.const 0x3f)))
(assert_return (invoke "sum4" (i32.const 1000) (i32.const 16)) (i32.const 0x3d3))
