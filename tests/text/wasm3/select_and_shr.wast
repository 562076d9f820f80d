;; The interpreter's I32_AND_SHR_U_SELECT_EQ and its _KK form (ops.def's
;; last block, lower_num.c's select_fused): (a & b) >> c compared equal
;; with another value, the comparison read only by a select, is one op;
;; with the two constant pairs before it (a CRC's bit step, bench cmark),
;; I32_CRC_BIT_KK (lower_imm.c's join_crc_bits), unless a label is between. Each shape below lowers to it (both
;; constants immediate or not, the pair's result either side of the eq,
;; a local.tee inside the pair, the select retargeted to a local) or, with
;; a label in between, must not; results are checked against values
;; computed apart.
(module
  ;; cmark's unrolled CRC-16 bit: b's bit 6 against crc's bit 15
  (func (export "bit") (param $b i32) (param $crc i32) (result i32) (local $t i32)
    (select (local.tee $t (i32.shl (local.get $crc) (i32.const 1)))
            (i32.xor (local.get $t) (i32.const 4129))
            (i32.eq (i32.and (i32.shr_u (local.get $b) (i32.const 6)) (i32.const 1))
                    (i32.shr_u (i32.and (local.get $crc) (i32.const 32768)) (i32.const 15)))))
  ;; the same with a label (a block's end) after the first or the second
  ;; of the three ops: not joined
  (func (export "bit_label1") (param $b i32) (param $crc i32) (result i32) (local $t i32)
    (select (local.tee $t (i32.shl (local.get $crc) (i32.const 1)))
            (block (result i32) (i32.xor (local.get $t) (i32.const 4129)))
            (i32.eq (i32.and (i32.shr_u (local.get $b) (i32.const 6)) (i32.const 1))
                    (i32.shr_u (i32.and (local.get $crc) (i32.const 32768)) (i32.const 15)))))
  (func (export "bit_label2") (param $b i32) (param $crc i32) (result i32) (local $t i32)
    (select (local.tee $t (i32.shl (local.get $crc) (i32.const 1)))
            (i32.xor (local.get $t) (i32.const 4129))
            (i32.eq (block (result i32) (i32.and (i32.shr_u (local.get $b) (i32.const 6)) (i32.const 1)))
                    (i32.shr_u (i32.and (local.get $crc) (i32.const 32768)) (i32.const 15)))))
  ;; the three ops reading each other's results: the shift count of the
  ;; second the first's xor, the third's and operand the second's result
  (func (export "bit_chain") (param $b i32) (param $crc i32) (result i32) (local $t i32) (local $u i32)
    (select (local.tee $t (i32.shl (local.get $crc) (i32.const 3)))
            (local.tee $u (i32.xor (local.get $t) (i32.const 4129)))
            (i32.eq (local.tee $b (i32.and (i32.shr_u (local.get $u) (i32.const 37)) (i32.const 0xff)))
                    (i32.shr_u (i32.and (local.get $b) (i32.const 0xf0)) (i32.const 4)))))
  ;; a whole byte, as cmark's compiled crc16_byte: each step's select
  ;; written to the crc local (local.tee), read by the next step
  (func $step (param $b i32) (param $crc i32) (param $k i32) (result i32) (local $t i32)
    (select (local.tee $t (i32.shl (local.get $crc) (i32.const 1)))
            (i32.xor (local.get $t) (i32.const 4129))
            (i32.eq (i32.and (i32.shr_u (local.get $b) (local.get $k)) (i32.const 1))
                    (i32.shr_u (i32.and (local.get $crc) (i32.const 32768)) (i32.const 15)))))
  (func (export "crc16_byte") (param $b i32) (param $crc i32) (result i32) (local $t i32)
    (local.set $crc (call $step (local.get $b) (local.get $crc) (i32.const 7)))
    (local.set $crc
      (select (local.tee $t (i32.shl (local.get $crc) (i32.const 1)))
              (i32.xor (local.get $t) (i32.const 4129))
              (i32.eq (i32.and (i32.shr_u (local.get $b) (i32.const 6)) (i32.const 1))
                      (i32.shr_u (i32.and (local.get $crc) (i32.const 32768)) (i32.const 15)))))
    (local.set $crc
      (select (local.tee $t (i32.shl (local.get $crc) (i32.const 1)))
              (i32.xor (local.get $t) (i32.const 4129))
              (i32.eq (i32.and (i32.shr_u (local.get $b) (i32.const 5)) (i32.const 1))
                      (i32.shr_u (i32.and (local.get $crc) (i32.const 32768)) (i32.const 15)))))
    (local.set $crc (call $step (local.get $b) (local.get $crc) (i32.const 4)))
    (local.set $crc (call $step (local.get $b) (local.get $crc) (i32.const 3)))
    (local.set $crc (call $step (local.get $b) (local.get $crc) (i32.const 2)))
    (local.set $crc (call $step (local.get $b) (local.get $crc) (i32.const 1)))
    (i32.and (call $step (local.get $b) (local.get $crc) (i32.const 0)) (i32.const 0xffff)))
  ;; no constant operand: the plain form
  (func (export "gen") (param $x i32) (param $m i32) (param $s i32) (param $y i32)
                       (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b)
            (i32.eq (local.get $y) (i32.shr_u (i32.and (local.get $x) (local.get $m)) (local.get $s)))))
  ;; the pair's result on the left of the eq
  (func (export "gen_left") (param $x i32) (param $m i32) (param $s i32) (param $y i32)
                            (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b)
            (i32.eq (i32.shr_u (i32.and (local.get $x) (local.get $m)) (local.get $s)) (local.get $y))))
  ;; the and's result teed to $x, which the shift count and the select's
  ;; operands read too (these copied before $x changes)
  (func (export "gen_tee") (param $x i32) (param $m i32) (param $y i32) (result i32)
    (select (local.get $x) (i32.const -1)
            (i32.eq (local.get $y)
                    (i32.shr_u (local.tee $x (i32.and (local.get $x) (local.get $m))) (local.get $x)))))
  (func (export "gen_tee_x") (param $x i32) (param $m i32) (param $y i32) (result i32)
    (drop (select (local.get $x) (i32.const -1)
            (i32.eq (local.get $y)
                    (i32.shr_u (local.tee $x (i32.and (local.get $x) (local.get $m))) (local.get $x)))))
    (local.get $x))
  ;; shift counts past 31 wrap; a constant on the eq's other side; the
  ;; select's result teed into a local that is read after
  (func (export "kk_wide") (param $x i32) (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b)
            (i32.eq (i32.const 3) (i32.shr_u (i32.and (local.get $x) (i32.const 0xffff8000)) (i32.const 47)))))
  (func (export "kk_tee") (param $x i32) (param $y i32) (result i32) (local $r i32)
    (i32.add
      (local.tee $r (select (i32.const 100) (i32.const 200)
                      (i32.eq (local.get $y) (i32.shr_u (i32.and (local.get $x) (i32.const 0xf0)) (i32.const 4)))))
      (local.get $r)))
  ;; both eq operands the same pair result (a local.tee): always equal
  (func (export "kk_self") (param $x i32) (result i32) (local $v i32)
    (select (i32.const 7) (i32.const 9)
            (i32.eq (local.tee $v (i32.shr_u (i32.and (local.get $x) (i32.const 0xff)) (i32.const 2)))
                    (local.get $v))))
  ;; a label between the pair and the eq: nothing fused across it
  (func (export "label") (param $x i32) (param $y i32) (result i32)
    (select (i32.const 1) (i32.const 2)
            (i32.eq (local.get $y)
                    (block (result i32) (i32.shr_u (i32.and (local.get $x) (i32.const 0xf0)) (i32.const 4))))))
  ;; an i64 select keeps the compare apart
  (func (export "sel64") (param $x i32) (param $y i32) (result i64)
    (select (i64.const -1) (i64.const 2)
            (i32.eq (local.get $y) (i32.shr_u (i32.and (local.get $x) (i32.const 0xf0)) (i32.const 4)))))
)
(assert_return (invoke "bit" (i32.const 0x40) (i32.const 0x8000)) (i32.const 0x10000))
(assert_return (invoke "bit" (i32.const 0x40) (i32.const 0)) (i32.const 0x1021))
(assert_return (invoke "bit" (i32.const 0) (i32.const 0x8000)) (i32.const 0x11021))
(assert_return (invoke "bit" (i32.const -1) (i32.const -1)) (i32.const 0xfffffffe))
(assert_return (invoke "crc16_byte" (i32.const 0) (i32.const 0)) (i32.const 0))
(assert_return (invoke "crc16_byte" (i32.const 0xff) (i32.const 0xffff)) (i32.const 0xff00))
(assert_return (invoke "crc16_byte" (i32.const 0x5a) (i32.const 0x1234)) (i32.const 0xfdcc))
(assert_return (invoke "crc16_byte" (i32.const 0x80) (i32.const 0x8000)) (i32.const 0))
(assert_return (invoke "crc16_byte" (i32.const 0x01) (i32.const 0x7fff)) (i32.const 0x6059))
(assert_return (invoke "gen" (i32.const 0xabcd) (i32.const 0xff0) (i32.const 4) (i32.const 0xbc)
                             (i32.const 11) (i32.const 22)) (i32.const 11))
(assert_return (invoke "gen" (i32.const 0xabcd) (i32.const 0xff0) (i32.const 36) (i32.const 0xbc)
                             (i32.const 11) (i32.const 22)) (i32.const 11))
(assert_return (invoke "gen" (i32.const 0xabcd) (i32.const 0xff0) (i32.const 3) (i32.const 0xbc)
                             (i32.const 11) (i32.const 22)) (i32.const 22))
(assert_return (invoke "gen" (i32.const -1) (i32.const -1) (i32.const 31) (i32.const 1)
                             (i32.const 11) (i32.const 22)) (i32.const 11))
(assert_return (invoke "gen_left" (i32.const 0xabcd) (i32.const 0xff0) (i32.const 4) (i32.const 0xbc)
                                  (i32.const 11) (i32.const 22)) (i32.const 11))
(assert_return (invoke "gen_left" (i32.const 0xabcd) (i32.const 0xff0) (i32.const 4) (i32.const 0xbd)
                                  (i32.const 11) (i32.const 22)) (i32.const 22))
;; x = 0x1234 & 0x3f = 0x34 (52), 52 >> (52 & 31 = 20) = 0
(assert_return (invoke "gen_tee" (i32.const 0x1234) (i32.const 0x3f) (i32.const 0)) (i32.const 0x1234))
(assert_return (invoke "gen_tee" (i32.const 0x1234) (i32.const 0x3f) (i32.const 1)) (i32.const -1))
;; x = 0x1234 & 0x3 = 0, 0 >> 0 = 0
(assert_return (invoke "gen_tee" (i32.const 0x1234) (i32.const 3) (i32.const 0)) (i32.const 0x1234))
(assert_return (invoke "gen_tee_x" (i32.const 0x1234) (i32.const 0x3f) (i32.const 0)) (i32.const 0x34))
;; (x & 0xffff8000) >> 15 == 3
(assert_return (invoke "kk_wide" (i32.const 0x18000) (i32.const 5) (i32.const 6)) (i32.const 5))
(assert_return (invoke "kk_wide" (i32.const 0x1ffff) (i32.const 5) (i32.const 6)) (i32.const 5))
(assert_return (invoke "kk_wide" (i32.const 0x10000) (i32.const 5) (i32.const 6)) (i32.const 6))
(assert_return (invoke "kk_wide" (i32.const 0x80018000) (i32.const 5) (i32.const 6)) (i32.const 6))
(assert_return (invoke "kk_tee" (i32.const 0x5a) (i32.const 5)) (i32.const 200))
(assert_return (invoke "kk_tee" (i32.const 0x5a) (i32.const 4)) (i32.const 400))
(assert_return (invoke "kk_self" (i32.const 0x1234)) (i32.const 7))
(assert_return (invoke "label" (i32.const 0x5a) (i32.const 5)) (i32.const 1))
(assert_return (invoke "label" (i32.const 0x5a) (i32.const 6)) (i32.const 2))
(assert_return (invoke "sel64" (i32.const 0x5a) (i32.const 5)) (i64.const -1))
(assert_return (invoke "sel64" (i32.const 0x5a) (i32.const 6)) (i64.const 2))
(assert_return (invoke "bit_label1" (i32.const 0x40) (i32.const 0x8000)) (i32.const 0x10000))
(assert_return (invoke "bit_label1" (i32.const 0x40) (i32.const 0)) (i32.const 0x1021))
(assert_return (invoke "bit_label2" (i32.const 0) (i32.const 0x8000)) (i32.const 0x11021))
(assert_return (invoke "bit_label2" (i32.const -1) (i32.const -1)) (i32.const 0xfffffffe))
(assert_return (invoke "bit_chain" (i32.const 0) (i32.const 0x604)) (i32.const 0x3020))
(assert_return (invoke "bit_chain" (i32.const 0) (i32.const 0x1234)) (i32.const 0x8181))
