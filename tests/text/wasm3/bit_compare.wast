;; Comparisons of two single bits (src/aot/cgen_bits.c): an i32 or i64 eq
;; or ne, or the br_if fused with one, of two values each one bit of another
;; value, (x >> p) & 1 or (x & 1<<p) >> p, is compiled as
;; ((x << (q-p) ^ y) & 1<<q) == 0. Every bit position of both sides, both
;; extraction forms, shift counts past the width (which Wasm masks), masks
;; that are not one bit, the sources rewritten between the extraction and
;; the compare, copies, labels, and the bits used elsewhere. Expected values
;; are computed apart (a script, bit by bit); weft runs this file in the
;; interpreter and compiled, both bounds modes (tests/text/run3.sh).
(module
  ;; bit i of the result: bit i of x (shift, and) equals bit 31-i of y
  ;; (and, shift), for every i
  (func (export "rev32") (param $x i32) (param $y i32) (result i32) (local $r i32)
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 0)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x80000000)) (i32.const 31))) (i32.const 0))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 1)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x40000000)) (i32.const 30))) (i32.const 1))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 2)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x20000000)) (i32.const 29))) (i32.const 2))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 3)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x10000000)) (i32.const 28))) (i32.const 3))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 4)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x8000000)) (i32.const 27))) (i32.const 4))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 5)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x4000000)) (i32.const 26))) (i32.const 5))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 6)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x2000000)) (i32.const 25))) (i32.const 6))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 7)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x1000000)) (i32.const 24))) (i32.const 7))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x800000)) (i32.const 23))) (i32.const 8))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 9)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x400000)) (i32.const 22))) (i32.const 9))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 10)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x200000)) (i32.const 21))) (i32.const 10))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 11)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x100000)) (i32.const 20))) (i32.const 11))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 12)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x80000)) (i32.const 19))) (i32.const 12))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 13)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x40000)) (i32.const 18))) (i32.const 13))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 14)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x20000)) (i32.const 17))) (i32.const 14))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 15)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x10000)) (i32.const 16))) (i32.const 15))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x8000)) (i32.const 15))) (i32.const 16))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 17)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x4000)) (i32.const 14))) (i32.const 17))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 18)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x2000)) (i32.const 13))) (i32.const 18))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 19)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x1000)) (i32.const 12))) (i32.const 19))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 20)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x800)) (i32.const 11))) (i32.const 20))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 21)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x400)) (i32.const 10))) (i32.const 21))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 22)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x200)) (i32.const 9))) (i32.const 22))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 23)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x100)) (i32.const 8))) (i32.const 23))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 24)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x80)) (i32.const 7))) (i32.const 24))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 25)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x40)) (i32.const 6))) (i32.const 25))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 26)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x20)) (i32.const 5))) (i32.const 26))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 27)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x10)) (i32.const 4))) (i32.const 27))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 28)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x8)) (i32.const 3))) (i32.const 28))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 29)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x4)) (i32.const 2))) (i32.const 29))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 30)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x2)) (i32.const 1))) (i32.const 30))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.eq
      (i32.and (i32.shr_u (local.get $x) (i32.const 31)) (i32.const 1))
      (i32.shr_u (i32.and (local.get $y) (i32.const 0x1)) (i32.const 0))) (i32.const 31))))
    (local.get $r))
  ;; ne of the same position in both (no shift): x ^ y
  (func (export "same32_ne") (param $x i32) (param $y i32) (result i32) (local $r i32)
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 0)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 0)) (i32.const 1))) (i32.const 0))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 1)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 1)) (i32.const 1))) (i32.const 1))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 2)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 2)) (i32.const 1))) (i32.const 2))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 3)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 3)) (i32.const 1))) (i32.const 3))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 4)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 4)) (i32.const 1))) (i32.const 4))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 5)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 5)) (i32.const 1))) (i32.const 5))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 6)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 6)) (i32.const 1))) (i32.const 6))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 7)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 7)) (i32.const 1))) (i32.const 7))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 8)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 1))) (i32.const 8))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 9)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 9)) (i32.const 1))) (i32.const 9))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 10)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 10)) (i32.const 1))) (i32.const 10))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 11)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 11)) (i32.const 1))) (i32.const 11))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 12)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 12)) (i32.const 1))) (i32.const 12))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 13)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 13)) (i32.const 1))) (i32.const 13))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 14)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 14)) (i32.const 1))) (i32.const 14))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 15)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 15)) (i32.const 1))) (i32.const 15))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 16)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 1))) (i32.const 16))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 17)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 17)) (i32.const 1))) (i32.const 17))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 18)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 18)) (i32.const 1))) (i32.const 18))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 19)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 19)) (i32.const 1))) (i32.const 19))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 20)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 20)) (i32.const 1))) (i32.const 20))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 21)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 21)) (i32.const 1))) (i32.const 21))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 22)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 22)) (i32.const 1))) (i32.const 22))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 23)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 23)) (i32.const 1))) (i32.const 23))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 24)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 24)) (i32.const 1))) (i32.const 24))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 25)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 25)) (i32.const 1))) (i32.const 25))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 26)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 26)) (i32.const 1))) (i32.const 26))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 27)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 27)) (i32.const 1))) (i32.const 27))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 28)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 28)) (i32.const 1))) (i32.const 28))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 29)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 29)) (i32.const 1))) (i32.const 29))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 30)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 30)) (i32.const 1))) (i32.const 30))))
    (local.set $r (i32.or (local.get $r) (i32.shl (i32.ne
      (i32.and (i32.shr_u (local.get $y) (i32.const 31)) (i32.const 1))
      (i32.and (i32.shr_u (local.get $x) (i32.const 31)) (i32.const 1))) (i32.const 31))))
    (local.get $r))
  ;; i64: bit i of x equals bit 63-i of y, for every i; and 1 << i as
  ;; the and's constant first
  (func (export "rev64") (param $x i64) (param $y i64) (result i64) (local $r i64)
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 0)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x8000000000000000) (local.get $y)) (i64.const 63)))) (i64.const 0))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 1)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x4000000000000000) (local.get $y)) (i64.const 62)))) (i64.const 1))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 2)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x2000000000000000) (local.get $y)) (i64.const 61)))) (i64.const 2))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 3)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x1000000000000000) (local.get $y)) (i64.const 60)))) (i64.const 3))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 4)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x800000000000000) (local.get $y)) (i64.const 59)))) (i64.const 4))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 5)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x400000000000000) (local.get $y)) (i64.const 58)))) (i64.const 5))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 6)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x200000000000000) (local.get $y)) (i64.const 57)))) (i64.const 6))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 7)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x100000000000000) (local.get $y)) (i64.const 56)))) (i64.const 7))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 8)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x80000000000000) (local.get $y)) (i64.const 55)))) (i64.const 8))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 9)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x40000000000000) (local.get $y)) (i64.const 54)))) (i64.const 9))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 10)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x20000000000000) (local.get $y)) (i64.const 53)))) (i64.const 10))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 11)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x10000000000000) (local.get $y)) (i64.const 52)))) (i64.const 11))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 12)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x8000000000000) (local.get $y)) (i64.const 51)))) (i64.const 12))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 13)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x4000000000000) (local.get $y)) (i64.const 50)))) (i64.const 13))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 14)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x2000000000000) (local.get $y)) (i64.const 49)))) (i64.const 14))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 15)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x1000000000000) (local.get $y)) (i64.const 48)))) (i64.const 15))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 16)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x800000000000) (local.get $y)) (i64.const 47)))) (i64.const 16))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 17)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x400000000000) (local.get $y)) (i64.const 46)))) (i64.const 17))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 18)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x200000000000) (local.get $y)) (i64.const 45)))) (i64.const 18))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 19)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x100000000000) (local.get $y)) (i64.const 44)))) (i64.const 19))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 20)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x80000000000) (local.get $y)) (i64.const 43)))) (i64.const 20))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 21)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x40000000000) (local.get $y)) (i64.const 42)))) (i64.const 21))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 22)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x20000000000) (local.get $y)) (i64.const 41)))) (i64.const 22))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 23)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x10000000000) (local.get $y)) (i64.const 40)))) (i64.const 23))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 24)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x8000000000) (local.get $y)) (i64.const 39)))) (i64.const 24))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 25)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x4000000000) (local.get $y)) (i64.const 38)))) (i64.const 25))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 26)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x2000000000) (local.get $y)) (i64.const 37)))) (i64.const 26))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 27)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x1000000000) (local.get $y)) (i64.const 36)))) (i64.const 27))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 28)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x800000000) (local.get $y)) (i64.const 35)))) (i64.const 28))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 29)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x400000000) (local.get $y)) (i64.const 34)))) (i64.const 29))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 30)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x200000000) (local.get $y)) (i64.const 33)))) (i64.const 30))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 31)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x100000000) (local.get $y)) (i64.const 32)))) (i64.const 31))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 32)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x80000000) (local.get $y)) (i64.const 31)))) (i64.const 32))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 33)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x40000000) (local.get $y)) (i64.const 30)))) (i64.const 33))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 34)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x20000000) (local.get $y)) (i64.const 29)))) (i64.const 34))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 35)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x10000000) (local.get $y)) (i64.const 28)))) (i64.const 35))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 36)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x8000000) (local.get $y)) (i64.const 27)))) (i64.const 36))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 37)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x4000000) (local.get $y)) (i64.const 26)))) (i64.const 37))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 38)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x2000000) (local.get $y)) (i64.const 25)))) (i64.const 38))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 39)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x1000000) (local.get $y)) (i64.const 24)))) (i64.const 39))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 40)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x800000) (local.get $y)) (i64.const 23)))) (i64.const 40))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 41)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x400000) (local.get $y)) (i64.const 22)))) (i64.const 41))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 42)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x200000) (local.get $y)) (i64.const 21)))) (i64.const 42))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 43)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x100000) (local.get $y)) (i64.const 20)))) (i64.const 43))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 44)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x80000) (local.get $y)) (i64.const 19)))) (i64.const 44))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 45)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x40000) (local.get $y)) (i64.const 18)))) (i64.const 45))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 46)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x20000) (local.get $y)) (i64.const 17)))) (i64.const 46))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 47)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x10000) (local.get $y)) (i64.const 16)))) (i64.const 47))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 48)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x8000) (local.get $y)) (i64.const 15)))) (i64.const 48))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 49)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x4000) (local.get $y)) (i64.const 14)))) (i64.const 49))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 50)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x2000) (local.get $y)) (i64.const 13)))) (i64.const 50))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 51)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x1000) (local.get $y)) (i64.const 12)))) (i64.const 51))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 52)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x800) (local.get $y)) (i64.const 11)))) (i64.const 52))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 53)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x400) (local.get $y)) (i64.const 10)))) (i64.const 53))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 54)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x200) (local.get $y)) (i64.const 9)))) (i64.const 54))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 55)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x100) (local.get $y)) (i64.const 8)))) (i64.const 55))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 56)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x80) (local.get $y)) (i64.const 7)))) (i64.const 56))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 57)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x40) (local.get $y)) (i64.const 6)))) (i64.const 57))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 58)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x20) (local.get $y)) (i64.const 5)))) (i64.const 58))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 59)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x10) (local.get $y)) (i64.const 4)))) (i64.const 59))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 60)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x8) (local.get $y)) (i64.const 3)))) (i64.const 60))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 61)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x4) (local.get $y)) (i64.const 2)))) (i64.const 61))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 62)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x2) (local.get $y)) (i64.const 1)))) (i64.const 62))))
    (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i64.eq
      (i64.and (i64.shr_u (local.get $x) (i64.const 63)) (i64.const 1))
      (i64.shr_u (i64.and (i64.const 0x1) (local.get $y)) (i64.const 0)))) (i64.const 63))))
    (local.get $r))
)
(assert_return (invoke "rev32" (i32.const 0x0) (i32.const 0x0)) (i32.const 0xffffffff))
(assert_return (invoke "rev32" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "rev32" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "rev32" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0xffffffff))
(assert_return (invoke "rev32" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0xe2b094de))
(assert_return (invoke "rev32" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "rev32" (i32.const 0x80000000) (i32.const 0x1)) (i32.const 0xffffffff))
(assert_return (invoke "rev32" (i32.const 0x1) (i32.const 0x80000000)) (i32.const 0xffffffff))
(assert_return (invoke "rev32" (i32.const 0xdeadbeef) (i32.const 0xf77db57b)) (i32.const 0xffffffff))
(assert_return (invoke "same32_ne" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "same32_ne" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0xffffffff))
(assert_return (invoke "same32_ne" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0xffffffff))
(assert_return (invoke "same32_ne" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "same32_ne" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x88888888))
(assert_return (invoke "same32_ne" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0xffffffff))
(assert_return (invoke "same32_ne" (i32.const 0x80000000) (i32.const 0x1)) (i32.const 0x80000001))
(assert_return (invoke "same32_ne" (i32.const 0x1) (i32.const 0x80000000)) (i32.const 0x80000001))
(assert_return (invoke "same32_ne" (i32.const 0xdeadbeef) (i32.const 0xf77db57b)) (i32.const 0x29d00b94))
(assert_return (invoke "rev64" (i64.const 0x0) (i64.const 0x0)) (i64.const 0xffffffffffffffff))
(assert_return (invoke "rev64" (i64.const 0xffffffffffffffff) (i64.const 0x0)) (i64.const 0x0))
(assert_return (invoke "rev64" (i64.const 0x0) (i64.const 0xffffffffffffffff)) (i64.const 0x0))
(assert_return (invoke "rev64" (i64.const 0x8000000000000001) (i64.const 0x7ffffffffffffffe)) (i64.const 0x0))
(assert_return (invoke "rev64" (i64.const 0x123456789abcdef) (i64.const 0xfedcba9876543210)) (i64.const 0xf69090f66f09096f))
(assert_return (invoke "rev64" (i64.const 0x8000000000000000) (i64.const 0x1)) (i64.const 0xffffffffffffffff))
(assert_return (invoke "rev64" (i64.const 0xdeadbeefcafef00d) (i64.const 0x5555aaaa3333cccc)) (i64.const 0x12618ddc6054a558))
(module
  ;; the lowest and highest bits taken without a shift or without an and
  (func (export "ends") (param $x i32) (param $y i32) (result i32)
    (i32.eq (i32.and (local.get $x) (i32.const 1)) (i32.shr_u (local.get $y) (i32.const 31))))
  (func (export "ends_ne") (param $x i32) (param $y i32) (result i32)
    (i32.ne (i32.shr_u (local.get $y) (i32.const 31)) (i32.and (local.get $x) (i32.const 1))))
  ;; shift counts past 31, masked: bit 7 of x (39), bit 8 of y (40), bit 31 (63)
  (func (export "counts") (param $x i32) (param $y i32) (result i32)
    (i32.eq (i32.and (i32.shr_u (local.get $x) (i32.const 39)) (i32.const 1))
            (i32.shr_u (i32.and (local.get $y) (i32.const 0x100)) (i32.const 40))))
  (func (export "count63") (param $x i32) (param $y i32) (result i32)
    (i32.eq (i32.and (i32.shr_u (local.get $x) (i32.const 63)) (i32.const 1))
            (i32.and (local.get $y) (i32.const 1))))
  ;; two shifts: 20 + 11 is bit 31; 20 + 12 shifts every bit out (0)
  (func (export "shifts31") (param $x i32) (param $y i32) (result i32)
    (i32.eq (i32.and (i32.shr_u (i32.shr_u (local.get $x) (i32.const 20)) (i32.const 11)) (i32.const 1))
            (i32.and (local.get $y) (i32.const 1))))
  (func (export "shifts_out") (param $x i32) (param $y i32) (result i32)
    (i32.eq (i32.and (i32.shr_u (i32.shr_u (local.get $x) (i32.const 20)) (i32.const 12)) (i32.const 1))
            (i32.and (local.get $y) (i32.const 1))))
  ;; a wider mask shifted down to one bit (bit 7), against bit 3
  (func (export "wide_mask") (param $x i32) (param $y i32) (result i32)
    (i32.eq (i32.shr_u (i32.and (local.get $x) (i32.const 0xff)) (i32.const 7))
            (i32.and (i32.shr_u (local.get $y) (i32.const 3)) (i32.const 1))))
  ;; not one bit on one side: two bits; a bit left in place (x & 2)
  (func (export "two_bits") (param $x i32) (param $y i32) (result i32)
    (i32.eq (i32.and (i32.shr_u (local.get $x) (i32.const 3)) (i32.const 3))
            (i32.and (i32.shr_u (local.get $y) (i32.const 5)) (i32.const 1))))
  (func (export "mask2") (param $x i32) (param $y i32) (result i32)
    (i32.eq (i32.and (local.get $x) (i32.const 2))
            (i32.and (i32.shr_u (local.get $y) (i32.const 1)) (i32.const 1))))
  ;; x rewritten between the first bit and the compare: bit 3 of the old x
  ;; against bit 3 of x ^ y (equal when bit 3 of y is clear)
  (func (export "rewritten") (param $x i32) (param $y i32) (result i32)
    (i32.eq (i32.and (i32.shr_u (local.get $x) (i32.const 3)) (i32.const 1))
            (i32.shr_u (i32.and (local.tee $x (i32.xor (local.get $x) (local.get $y))) (i32.const 8))
                       (i32.const 3))))
  ;; x replaced by its own bit 4, then compared with bit 4 of y
  (func (export "self_src") (param $x i32) (param $y i32) (result i32)
    (local.set $x (i32.and (i32.shr_u (local.get $x) (i32.const 4)) (i32.const 1)))
    (i32.eq (local.get $x) (i32.and (i32.shr_u (local.get $y) (i32.const 4)) (i32.const 1))))
  ;; a bit copied to another local; then x replaced before the compare
  (func (export "copy") (param $x i32) (param $y i32) (result i32) (local $c i32) (local $d i32)
    (local.set $c (i32.and (i32.shr_u (local.get $x) (i32.const 9)) (i32.const 1)))
    (local.set $d (local.get $c))
    (i32.eq (local.get $d) (i32.shr_u (i32.and (local.get $y) (i32.const 0x40000)) (i32.const 18))))
  (func (export "copy_stale") (param $x i32) (param $y i32) (result i32) (local $c i32) (local $d i32)
    (local.set $c (i32.and (i32.shr_u (local.get $x) (i32.const 9)) (i32.const 1)))
    (local.set $d (local.get $c))
    (local.set $x (local.get $y))
    (i32.eq (local.get $d) (i32.shr_u (i32.and (local.get $x) (i32.const 0x200)) (i32.const 9))))
  ;; c is bit 2 of x on one way into the block's end, x & 6 on the other
  (func (export "label") (param $x i32) (param $y i32) (param $z i32) (result i32) (local $c i32)
    (local.set $c (i32.and (local.get $x) (i32.const 6)))
    (block $l
      (br_if $l (local.get $z))
      (local.set $c (i32.and (i32.shr_u (local.get $x) (i32.const 2)) (i32.const 1))))
    (i32.eq (local.get $c) (i32.and (i32.shr_u (local.get $y) (i32.const 2)) (i32.const 1))))
  ;; the compare in a branch
  (func (export "br_eq") (param $x i32) (param $y i32) (result i32)
    (block $l
      (br_if $l (i32.eq (i32.and (i32.shr_u (local.get $x) (i32.const 30)) (i32.const 1))
                        (i32.shr_u (i32.and (local.get $y) (i32.const 2)) (i32.const 1))))
      (return (i32.const 0)))
    (i32.const 1))
  (func (export "br_ne64") (param $x i64) (param $y i64) (result i32)
    (block $l
      (br_if $l (i64.ne (i64.shr_u (local.get $x) (i64.const 63))
                        (i64.and (local.get $y) (i64.const 1))))
      (return (i32.const 0)))
    (i32.const 1))
  ;; i64 shift counts past 63: bit 6 of x (70), bit 63 of y (127)
  (func (export "counts64") (param $x i64) (param $y i64) (result i32)
    (i64.eq (i64.and (i64.shr_u (local.get $x) (i64.const 70)) (i64.const 1))
            (i64.shr_u (local.get $y) (i64.const 127))))
  ;; both bits used apart from the compare: a + 2b + 4(a == b)
  (func (export "used") (param $x i32) (param $y i32) (result i32) (local $a i32) (local $b i32)
    (local.set $a (i32.and (i32.shr_u (local.get $x) (i32.const 5)) (i32.const 1)))
    (local.set $b (i32.shr_u (i32.and (local.get $y) (i32.const 0x800)) (i32.const 11)))
    (i32.add (i32.add (local.get $a) (i32.shl (local.get $b) (i32.const 1)))
             (i32.shl (i32.eq (local.get $a) (local.get $b)) (i32.const 2))))
  ;; CoreMark's crcu16 bit step as clang compiles a loop of it: the bits'
  ;; compare choosing the next crc (a select)
  (func (export "crc16_loop") (param $b i32) (param $crc i32) (result i32) (local $i i32) (local $t i32)
    (local.set $i (i32.const 8))
    (loop $l
      (local.set $crc
        (select (local.tee $t (i32.shl (local.get $crc) (i32.const 1)))
                (i32.xor (local.get $t) (i32.const 4129))
                (i32.eq (i32.shr_u (i32.and (local.get $crc) (i32.const 32768)) (i32.const 15))
                        (i32.shr_u (i32.and (local.get $b) (i32.const 128)) (i32.const 7)))))
      (local.set $b (i32.shl (local.get $b) (i32.const 1)))
      (br_if $l (local.tee $i (i32.add (local.get $i) (i32.const -1)))))
    (i32.and (local.get $crc) (i32.const 0xffff)))
)
(assert_return (invoke "ends" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "ends" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "ends" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "ends" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "ends" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x0))
(assert_return (invoke "ends" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "ends" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "ends" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "ends_ne" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "ends_ne" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "ends_ne" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "ends_ne" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "ends_ne" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "ends_ne" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x1))
(assert_return (invoke "ends_ne" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x1))
(assert_return (invoke "ends_ne" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x0))
(assert_return (invoke "counts" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "counts" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "counts" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "counts" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "counts" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "counts" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "counts" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "counts" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "count63" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "count63" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "count63" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "count63" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "count63" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "count63" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "count63" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "count63" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "shifts31" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "shifts31" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "shifts31" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "shifts31" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "shifts31" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "shifts31" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "shifts31" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "shifts31" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "shifts_out" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "shifts_out" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "shifts_out" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "shifts_out" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "shifts_out" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "shifts_out" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x1))
(assert_return (invoke "shifts_out" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x1))
(assert_return (invoke "shifts_out" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "wide_mask" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "wide_mask" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "wide_mask" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "wide_mask" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "wide_mask" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "wide_mask" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "wide_mask" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "wide_mask" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "two_bits" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "two_bits" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "two_bits" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "two_bits" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "two_bits" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x0))
(assert_return (invoke "two_bits" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "two_bits" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "two_bits" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "mask2" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "mask2" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "mask2" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "mask2" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "mask2" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "mask2" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "mask2" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "mask2" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "rewritten" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "rewritten" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "rewritten" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "rewritten" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "rewritten" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "rewritten" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "rewritten" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x1))
(assert_return (invoke "rewritten" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "self_src" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "self_src" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "self_src" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "self_src" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "self_src" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "self_src" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "self_src" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x1))
(assert_return (invoke "self_src" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "copy" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "copy" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "copy" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "copy" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "copy" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "copy" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "copy" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "copy" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "copy_stale" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "copy_stale" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "copy_stale" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "copy_stale" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "copy_stale" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "copy_stale" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "copy_stale" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "copy_stale" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x1))
(assert_return (invoke "label" (i32.const 0x0) (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "label" (i32.const 0xffffffff) (i32.const 0x0) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "label" (i32.const 0x0) (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "label" (i32.const 0xffffffff) (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "label" (i32.const 0x12345678) (i32.const 0x9abcdef0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "label" (i32.const 0x80000001) (i32.const 0x7ffffffe) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "label" (i32.const 0xdeadbeef) (i32.const 0x880) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "label" (i32.const 0x40000204) (i32.const 0x40a04) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "label" (i32.const 0x0) (i32.const 0x0) (i32.const 0x1)) (i32.const 0x1))
(assert_return (invoke "label" (i32.const 0xffffffff) (i32.const 0x0) (i32.const 0x1)) (i32.const 0x0))
(assert_return (invoke "label" (i32.const 0x0) (i32.const 0xffffffff) (i32.const 0x1)) (i32.const 0x0))
(assert_return (invoke "label" (i32.const 0xffffffff) (i32.const 0xffffffff) (i32.const 0x1)) (i32.const 0x0))
(assert_return (invoke "label" (i32.const 0x12345678) (i32.const 0x9abcdef0) (i32.const 0x1)) (i32.const 0x1))
(assert_return (invoke "label" (i32.const 0x80000001) (i32.const 0x7ffffffe) (i32.const 0x1)) (i32.const 0x0))
(assert_return (invoke "label" (i32.const 0xdeadbeef) (i32.const 0x880) (i32.const 0x1)) (i32.const 0x0))
(assert_return (invoke "label" (i32.const 0x40000204) (i32.const 0x40a04) (i32.const 0x1)) (i32.const 0x0))
(assert_return (invoke "br_eq" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "br_eq" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "br_eq" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x0))
(assert_return (invoke "br_eq" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x1))
(assert_return (invoke "br_eq" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x1))
(assert_return (invoke "br_eq" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x0))
(assert_return (invoke "br_eq" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x0))
(assert_return (invoke "br_eq" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x0))
(assert_return (invoke "used" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x4))
(assert_return (invoke "used" (i32.const 0xffffffff) (i32.const 0x0)) (i32.const 0x1))
(assert_return (invoke "used" (i32.const 0x0) (i32.const 0xffffffff)) (i32.const 0x2))
(assert_return (invoke "used" (i32.const 0xffffffff) (i32.const 0xffffffff)) (i32.const 0x7))
(assert_return (invoke "used" (i32.const 0x12345678) (i32.const 0x9abcdef0)) (i32.const 0x7))
(assert_return (invoke "used" (i32.const 0x80000001) (i32.const 0x7ffffffe)) (i32.const 0x2))
(assert_return (invoke "used" (i32.const 0xdeadbeef) (i32.const 0x880)) (i32.const 0x7))
(assert_return (invoke "used" (i32.const 0x40000204) (i32.const 0x40a04)) (i32.const 0x2))
(assert_return (invoke "br_ne64" (i64.const 0x0) (i64.const 0x0)) (i32.const 0x0))
(assert_return (invoke "br_ne64" (i64.const 0xffffffffffffffff) (i64.const 0x0)) (i32.const 0x1))
(assert_return (invoke "br_ne64" (i64.const 0x0) (i64.const 0xffffffffffffffff)) (i32.const 0x1))
(assert_return (invoke "br_ne64" (i64.const 0x8000000000000001) (i64.const 0x7ffffffffffffffe)) (i32.const 0x1))
(assert_return (invoke "br_ne64" (i64.const 0x123456789abcdef) (i64.const 0xfedcba9876543210)) (i32.const 0x0))
(assert_return (invoke "br_ne64" (i64.const 0x8000000000000000) (i64.const 0x1)) (i32.const 0x0))
(assert_return (invoke "br_ne64" (i64.const 0xdeadbeefcafef00d) (i64.const 0x5555aaaa3333cccc)) (i32.const 0x1))
(assert_return (invoke "counts64" (i64.const 0x0) (i64.const 0x0)) (i32.const 0x1))
(assert_return (invoke "counts64" (i64.const 0xffffffffffffffff) (i64.const 0x0)) (i32.const 0x0))
(assert_return (invoke "counts64" (i64.const 0x0) (i64.const 0xffffffffffffffff)) (i32.const 0x0))
(assert_return (invoke "counts64" (i64.const 0x8000000000000001) (i64.const 0x7ffffffffffffffe)) (i32.const 0x1))
(assert_return (invoke "counts64" (i64.const 0x123456789abcdef) (i64.const 0xfedcba9876543210)) (i32.const 0x1))
(assert_return (invoke "counts64" (i64.const 0x8000000000000000) (i64.const 0x1)) (i32.const 0x1))
(assert_return (invoke "counts64" (i64.const 0xdeadbeefcafef00d) (i64.const 0x5555aaaa3333cccc)) (i32.const 0x1))
(assert_return (invoke "crc16_loop" (i32.const 0x0) (i32.const 0x0)) (i32.const 0x0))
(assert_return (invoke "crc16_loop" (i32.const 0xff) (i32.const 0xffff)) (i32.const 0xff00))
(assert_return (invoke "crc16_loop" (i32.const 0x5a) (i32.const 0x1234)) (i32.const 0xfdcc))
(assert_return (invoke "crc16_loop" (i32.const 0x80) (i32.const 0x8000)) (i32.const 0x0))
(assert_return (invoke "crc16_loop" (i32.const 0x1) (i32.const 0x7fff)) (i32.const 0x6059))
(assert_return (invoke "crc16_loop" (i32.const 0xa5) (i32.const 0xbeef)) (i32.const 0x4c5a))
