;; relaxed_simd.wast — weft's own tests of relaxed SIMD (Wasm 3.0): each
;; relaxed instruction has one result in weft (docs/ARCHITECTURE.md,
;; "Relaxed SIMD"), the same in the interpreter and in AoT code; these
;; inputs are the ones where the allowed results differ, and each assertion
;; names the one weft chose (the suite's own files accept any of them).

(module
  (func (export "swizzle") (param v128 v128) (result v128)
    (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func (export "trunc_f32_s") (param v128) (result v128)
    (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
  (func (export "trunc_f32_u") (param v128) (result v128)
    (i32x4.relaxed_trunc_f32x4_u (local.get 0)))
  (func (export "trunc_f64_s") (param v128) (result v128)
    (i32x4.relaxed_trunc_f64x2_s_zero (local.get 0)))
  (func (export "trunc_f64_u") (param v128) (result v128)
    (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
  (func (export "madd32") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "nmadd32") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "madd64") (param v128 v128 v128) (result v128)
    (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "nmadd64") (param v128 v128 v128) (result v128)
    (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "laneselect8") (param v128 v128 v128) (result v128)
    (i8x16.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "laneselect16") (param v128 v128 v128) (result v128)
    (i16x8.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "laneselect32") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "laneselect64") (param v128 v128 v128) (result v128)
    (i64x2.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "min32") (param v128 v128) (result v128)
    (f32x4.relaxed_min (local.get 0) (local.get 1)))
  (func (export "max32") (param v128 v128) (result v128)
    (f32x4.relaxed_max (local.get 0) (local.get 1)))
  (func (export "min64") (param v128 v128) (result v128)
    (f64x2.relaxed_min (local.get 0) (local.get 1)))
  (func (export "max64") (param v128 v128) (result v128)
    (f64x2.relaxed_max (local.get 0) (local.get 1)))
  (func (export "q15mulr") (param v128 v128) (result v128)
    (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  (func (export "dot") (param v128 v128) (result v128)
    (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
  (func (export "dot_add") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1)
                                         (local.get 2)))
)

;; swizzle: indices >= 16 select 0 (not index mod 16)
(assert_return (invoke "swizzle"
  (v128.const i8x16 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25)
  (v128.const i8x16 0 15 16 17 31 32 127 128 255 -1 -16 1 2 3 4 5))
  (v128.const i8x16 10 25 0 0 0 0 0 0 0 0 0 11 12 13 14 15))

;; trunc: NaN gives 0, out of range saturates
(assert_return (invoke "trunc_f32_s"
  (v128.const f32x4 nan 3e9 -3e9 -1.9))
  (v128.const i32x4 0 2147483647 -2147483648 -1))
(assert_return (invoke "trunc_f32_u"
  (v128.const f32x4 nan 5e9 -1.5 3.9))
  (v128.const i32x4 0 0xffffffff 0 3))
(assert_return (invoke "trunc_f64_s" (v128.const f64x2 nan -1e20))
  (v128.const i32x4 0 -2147483648 0 0))
(assert_return (invoke "trunc_f64_u" (v128.const f64x2 1e20 -nan))
  (v128.const i32x4 0xffffffff 0 0 0))

;; madd: two roundings. (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 rounds to
;; 1 + 2^-11 in f32, so adding -(1 + 2^-11) gives 0 (fused: 2^-24).
(assert_return (invoke "madd32"
  (v128.const i32x4 0x3f800800 0x3f800800 0x3f800000 0x40000000)
  (v128.const i32x4 0x3f800800 0x3f800800 0x3f800000 0x40400000)
  (v128.const i32x4 0xbf801000 0xbf801000 0x3f800000 0x3f800000))
  (v128.const f32x4 0 0 2 7))
(assert_return (invoke "nmadd32"
  (v128.const i32x4 0x3f800800 0x3f800800 0x3f800000 0x40000000)
  (v128.const i32x4 0x3f800800 0x3f800800 0x3f800000 0x40400000)
  (v128.const i32x4 0x3f801000 0x3f801000 0x3f800000 0x3f800000))
  (v128.const f32x4 0 0 0 -5))
;; f64: (1 + 2^-27)^2 = 1 + 2^-26 + 2^-54 rounds to 1 + 2^-26
(assert_return (invoke "madd64"
  (v128.const i64x2 0x3ff0000002000000 0x4000000000000000)
  (v128.const i64x2 0x3ff0000002000000 0x4008000000000000)
  (v128.const i64x2 0xbff0000004000000 0x3ff0000000000000))
  (v128.const f64x2 0 7))
(assert_return (invoke "nmadd64"
  (v128.const i64x2 0x3ff0000002000000 0x4000000000000000)
  (v128.const i64x2 0x3ff0000002000000 0x4008000000000000)
  (v128.const i64x2 0x3ff0000004000000 0x3ff0000000000000))
  (v128.const f64x2 0 -5))

;; laneselect: bit by bit, whatever the lane width, also for masks whose
;; lanes are not all ones or all zeros
(assert_return (invoke "laneselect8"
  (v128.const i64x2 0xaaaaaaaaaaaaaaaa 0xaaaaaaaaaaaaaaaa)
  (v128.const i64x2 0x5555555555555555 0x5555555555555555)
  (v128.const i64x2 0x00ff0f0f80017fff 0xffffffff00000000))
  (v128.const i64x2 0x55aa5a5ad5542aaa 0xaaaaaaaa55555555))
(assert_return (invoke "laneselect16"
  (v128.const i16x8 0xaaaa 0xaaaa 0xaaaa 0xaaaa 0 0 0 0)
  (v128.const i16x8 0x5555 0x5555 0x5555 0x5555 -1 -1 -1 -1)
  (v128.const i16x8 0x00ff 0xff00 0x8000 0x7fff 0 -1 0x1234 0))
  (v128.const i16x8 0x55aa 0xaa55 0xd555 0x2aaa -1 0 0xedcb -1))
(assert_return (invoke "laneselect32"
  (v128.const i32x4 0xaaaaaaaa 0xaaaaaaaa 1 2)
  (v128.const i32x4 0x55555555 0x55555555 3 4)
  (v128.const i32x4 0x0000ffff 0x80000000 -1 0))
  (v128.const i32x4 0x5555aaaa 0xd5555555 1 4))
(assert_return (invoke "laneselect64"
  (v128.const i64x2 0xaaaaaaaaaaaaaaaa 7)
  (v128.const i64x2 0x5555555555555555 9)
  (v128.const i64x2 0x00000000ffffffff 0))
  (v128.const i64x2 0x55555555aaaaaaaa 9))

;; min/max: NaN propagates, -0 < +0
(assert_return (invoke "min32"
  (v128.const f32x4 nan 1 -0 0) (v128.const f32x4 1 nan 0 -0))
  (v128.const f32x4 nan:arithmetic nan:arithmetic -0 -0))
(assert_return (invoke "max32"
  (v128.const f32x4 nan 1 -0 0) (v128.const f32x4 1 nan 0 -0))
  (v128.const f32x4 nan:arithmetic nan:arithmetic 0 0))
(assert_return (invoke "min64" (v128.const f64x2 -0 nan) (v128.const f64x2 0 2))
  (v128.const f64x2 -0 nan:arithmetic))
(assert_return (invoke "max64" (v128.const f64x2 -0 3) (v128.const f64x2 0 nan))
  (v128.const f64x2 0 nan:arithmetic))

;; q15mulr: -32768 * -32768 saturates to 32767
(assert_return (invoke "q15mulr"
  (v128.const i16x8 -32768 -32768 16384 -16384 1 0 32767 -1)
  (v128.const i16x8 -32768 32767 16384 16384 1 5 32767 -1))
  (v128.const i16x8 32767 -32767 8192 -8192 0 0 32766 0))

;; dot: b's lanes signed; -128 * -128 twice saturates to 32767;
;; -128 * -127 twice is 32512 (not -32768 or 33024)
(assert_return (invoke "dot"
  (v128.const i8x16 -128 -128 -128 -128 127 127 -128 127 1 2 3 4 5 6 7 8)
  (v128.const i8x16 -128 -128 -127 -127 127 127 127 -128 1 1 1 1 -1 -1 2 2))
  (v128.const i16x8 32767 32512 32258 -32512 3 7 -11 30))
(assert_return (invoke "dot_add"
  (v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 1 2 3 4 0 0 0 0)
  (v128.const i8x16 -128 -128 -128 -128 -128 -128 -127 -127 1 1 1 1 0 0 0 0)
  (v128.const i32x4 1 -1 5 0x7fffffff))
  (v128.const i32x4 65535 65278 15 0x7fffffff))
