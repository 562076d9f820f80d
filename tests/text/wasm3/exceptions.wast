;; exceptions.wast — weft's own exception handling tests beyond the
;; suite's: exceptions crossing many frames, instances, tables and tail
;; calls, rethrown references, tag identity, payloads of every type and of
;; many values, the legacy form, and the validation errors.

(module $A
  (tag $e (export "e") (param i32))
  (tag $f (export "f") (param i32))
  (func (export "throw-e") (param i32) (throw $e (local.get 0)))
  (func (export "throw-f") (param i32) (throw $f (local.get 0)))
  ;; a throw at the bottom of a deep recursion in this instance
  (func $deep (export "deep") (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 99))))
    (call $deep (i32.sub (local.get 0) (i32.const 1))))
  (table (export "tab") 1 funcref)
  (elem (i32.const 0) $deep)
)
(register "A" $A)

(module $B
  (tag $e (import "A" "e") (param i32))
  (tag $f (import "A" "f") (param i32))
  (import "A" "throw-e" (func $throw-e (param i32)))
  (import "A" "throw-f" (func $throw-f (param i32)))
  (import "A" "deep" (func $deep (param i32)))
  (import "A" "tab" (table 1 funcref))
  (tag $own (param i32))
  (type $i (func (param i32)))

  ;; an imported function of another instance throws an imported tag
  (func (export "catch-other") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $throw-e (local.get 0)))
      (i32.const -1)))
  ;; tags are told apart by identity: $f's exception passes $e's clause
  (func (export "other-tag") (param i32) (result i32)
    (block $hf (result i32)
      (block $he (result i32)
        (try_table (catch $e $he) (catch $f $hf) (call $throw-f (local.get 0)))
        (i32.const -1))
      (i32.add (i32.const 1000))))
  ;; 2000 frames of the other instance unwound at once
  (func (export "many-frames") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $deep (i32.const 2000)))
      (i32.const -1)))
  ;; through call_indirect into the other instance's table
  (func (export "indirect") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call_indirect (type $i) (i32.const 5) (i32.const 0)))
      (i32.const -1)))
  ;; a return_call'd callee throws: the caller's frame is gone, so the
  ;; handler of the caller's caller takes it
  (func $tail (param i32) (return_call $throw-e (local.get 0)))
  (func $tail-own (param i32) (return_call $thrower (local.get 0)))
  (func $thrower (param i32) (throw $own (local.get 0)))
  (func (export "through-tail") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $tail (local.get 0)))
      (i32.const -1)))
  (func (export "through-tail-own") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $own $h) (call $tail-own (local.get 0)))
      (i32.const -1)))
  ;; a tail call leaves the try_table with the frame: not caught there
  ;; (an import: the interpreter calls it, generated C too)
  (func (export "tail-in-try") (param i32)
    (drop (block $h (result i32)
      (try_table (catch $e $h) (return_call $throw-e (local.get 0)))
      (i32.const 0))))
  (func (export "tail-in-try-own") (param i32)
    (drop (block $h (result i32)
      (try_table (catch $own $h) (return_call $thrower (local.get 0)))
      (i32.const 0))))
  ;; catch_ref, then throw_ref from an outer handler: same exception
  (func (export "rethrow-ref2") (param i32) (result i32) (local exnref)
    (block $outer (result i32)
      (try_table (catch $e $outer)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (call $throw-e (local.get 0)))
          (unreachable))
        (local.set 1)
        (throw_ref (local.get 1)))
      (i32.const -1)))
  ;; the same exnref thrown twice is caught twice with the same payload
  (func (export "twice") (param i32) (result i32) (local exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $throw-e (local.get 0)))
      (unreachable))
    (local.set 1)
    (i32.add
      (block $a (result i32)
        (try_table (catch $e $a) (throw_ref (local.get 1))) (i32.const 0))
      (block $b (result i32)
        (try_table (catch $e $b) (throw_ref (local.get 1))) (i32.const 0))))
  ;; a loop that throws and catches many times (caught exceptions are freed)
  (func (export "loop") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (block $h (result i32)
          (try_table (catch $own $h) (throw $own (local.get 0)))
          (i32.const 0))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  ;; a catch to the function's own label returns
  (func (export "to-func") (param i32) (result i32)
    (try_table (catch $e 0) (call $throw-e (local.get 0)))
    (i32.const -1))
  ;; the values below the try_table survive the catch
  (func (export "below") (param i32) (result i32)
    (i32.const 100)
    (block $h (result i32)
      (try_table (catch $e $h) (i32.const 5) (call $throw-e (local.get 0)) (drop))
      (i32.const -1))
    (i32.add))
  ;; an uncaught exception ends the call
  (func (export "uncaught") (call $throw-e (i32.const 1)))
  (func (export "null-ref") (throw_ref (ref.null exn)))
)

(assert_return (invoke "catch-other" (i32.const 42)) (i32.const 42))
;; $e's clause would add 1000
(assert_return (invoke "other-tag" (i32.const 7)) (i32.const 7))
(assert_return (invoke "many-frames") (i32.const 99))
(assert_return (invoke "indirect") (i32.const 99))
(assert_return (invoke "through-tail" (i32.const 3)) (i32.const 3))
(assert_return (invoke "through-tail-own" (i32.const 4)) (i32.const 4))
(assert_return (invoke "rethrow-ref2" (i32.const 6)) (i32.const 6))
(assert_return (invoke "twice" (i32.const 8)) (i32.const 16))
(assert_return (invoke "loop" (i32.const 10000)) (i32.const 50005000))
(assert_return (invoke "to-func" (i32.const 9)) (i32.const 9))
(assert_return (invoke "below" (i32.const 1)) (i32.const 101))
(assert_exception (invoke "uncaught"))
(assert_exception (invoke "tail-in-try" (i32.const 1)))
(assert_exception (invoke "tail-in-try-own" (i32.const 1)))
(assert_exception (invoke $A "deep" (i32.const 10)))
(assert_trap (invoke "null-ref") "null exception reference")

;; payloads of every value type, and of many values
(module
  (tag $all (param i32 i64 f32 f64 v128 funcref externref exnref))
  (tag $big (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64))
  (func $f)
  (elem declare func $f)
  (func (export "all") (result i32 i64 f32 f64 v128 i32 i32 i32)
    (local funcref externref exnref)
    (block $h (result i32 i64 f32 f64 v128 funcref externref exnref)
      (try_table (catch $all $h)
        (throw $all (i32.const 1) (i64.const 2) (f32.const 3.5) (f64.const -4.25)
          (v128.const i32x4 5 6 7 8) (ref.func $f) (ref.null extern)
          (ref.null exn)))
      (unreachable))
    (local.set 2) (local.set 1) (local.set 0)
    (ref.is_null (local.get 0))
    (ref.is_null (local.get 1))
    (ref.is_null (local.get 2)))
  (func (export "big") (result i64)
    (block $h (result i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
      (try_table (catch $big $h) (throw $big (i64.const 0) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6) (i64.const 7) (i64.const 8) (i64.const 9) (i64.const 10) (i64.const 11) (i64.const 12) (i64.const 13) (i64.const 14) (i64.const 15) (i64.const 16) (i64.const 17) (i64.const 18) (i64.const 19) (i64.const 20) (i64.const 21) (i64.const 22) (i64.const 23) (i64.const 24) (i64.const 25) (i64.const 26) (i64.const 27) (i64.const 28) (i64.const 29) (i64.const 30) (i64.const 31) (i64.const 32) (i64.const 33) (i64.const 34) (i64.const 35) (i64.const 36) (i64.const 37) (i64.const 38) (i64.const 39) (i64.const 40) (i64.const 41) (i64.const 42) (i64.const 43) (i64.const 44) (i64.const 45) (i64.const 46) (i64.const 47) (i64.const 48) (i64.const 49) (i64.const 50) (i64.const 51) (i64.const 52) (i64.const 53) (i64.const 54) (i64.const 55) (i64.const 56) (i64.const 57) (i64.const 58) (i64.const 59) (i64.const 60) (i64.const 61) (i64.const 62) (i64.const 63) (i64.const 64) (i64.const 65) (i64.const 66) (i64.const 67) (i64.const 68) (i64.const 69) (i64.const 70) (i64.const 71) (i64.const 72) (i64.const 73) (i64.const 74) (i64.const 75) (i64.const 76) (i64.const 77) (i64.const 78) (i64.const 79) (i64.const 80) (i64.const 81) (i64.const 82) (i64.const 83) (i64.const 84) (i64.const 85) (i64.const 86) (i64.const 87) (i64.const 88) (i64.const 89) (i64.const 90) (i64.const 91) (i64.const 92) (i64.const 93) (i64.const 94) (i64.const 95) (i64.const 96) (i64.const 97) (i64.const 98) (i64.const 99) (i64.const 100) (i64.const 101) (i64.const 102) (i64.const 103) (i64.const 104) (i64.const 105) (i64.const 106) (i64.const 107) (i64.const 108) (i64.const 109) (i64.const 110) (i64.const 111) (i64.const 112) (i64.const 113) (i64.const 114) (i64.const 115) (i64.const 116) (i64.const 117) (i64.const 118) (i64.const 119) (i64.const 120) (i64.const 121) (i64.const 122) (i64.const 123) (i64.const 124) (i64.const 125) (i64.const 126) (i64.const 127) (i64.const 128) (i64.const 129) (i64.const 130) (i64.const 131) (i64.const 132) (i64.const 133) (i64.const 134) (i64.const 135) (i64.const 136) (i64.const 137) (i64.const 138) (i64.const 139) (i64.const 140) (i64.const 141) (i64.const 142) (i64.const 143) (i64.const 144) (i64.const 145) (i64.const 146) (i64.const 147) (i64.const 148) (i64.const 149) (i64.const 150) (i64.const 151) (i64.const 152) (i64.const 153) (i64.const 154) (i64.const 155) (i64.const 156) (i64.const 157) (i64.const 158) (i64.const 159) (i64.const 160) (i64.const 161) (i64.const 162) (i64.const 163) (i64.const 164) (i64.const 165) (i64.const 166) (i64.const 167) (i64.const 168) (i64.const 169) (i64.const 170) (i64.const 171) (i64.const 172) (i64.const 173) (i64.const 174) (i64.const 175) (i64.const 176) (i64.const 177) (i64.const 178) (i64.const 179) (i64.const 180) (i64.const 181) (i64.const 182) (i64.const 183) (i64.const 184) (i64.const 185) (i64.const 186) (i64.const 187) (i64.const 188) (i64.const 189) (i64.const 190) (i64.const 191) (i64.const 192) (i64.const 193) (i64.const 194) (i64.const 195) (i64.const 196) (i64.const 197) (i64.const 198) (i64.const 199) (i64.const 200) (i64.const 201) (i64.const 202) (i64.const 203) (i64.const 204) (i64.const 205) (i64.const 206) (i64.const 207) (i64.const 208) (i64.const 209) (i64.const 210) (i64.const 211) (i64.const 212) (i64.const 213) (i64.const 214) (i64.const 215) (i64.const 216) (i64.const 217) (i64.const 218) (i64.const 219) (i64.const 220) (i64.const 221) (i64.const 222) (i64.const 223) (i64.const 224) (i64.const 225) (i64.const 226) (i64.const 227) (i64.const 228) (i64.const 229) (i64.const 230) (i64.const 231) (i64.const 232) (i64.const 233) (i64.const 234) (i64.const 235) (i64.const 236) (i64.const 237) (i64.const 238) (i64.const 239) (i64.const 240) (i64.const 241) (i64.const 242) (i64.const 243) (i64.const 244) (i64.const 245) (i64.const 246) (i64.const 247) (i64.const 248) (i64.const 249) (i64.const 250) (i64.const 251) (i64.const 252) (i64.const 253) (i64.const 254) (i64.const 255) (i64.const 256) (i64.const 257) (i64.const 258) (i64.const 259) (i64.const 260) (i64.const 261) (i64.const 262) (i64.const 263) (i64.const 264) (i64.const 265) (i64.const 266) (i64.const 267) (i64.const 268) (i64.const 269) (i64.const 270) (i64.const 271) (i64.const 272) (i64.const 273) (i64.const 274) (i64.const 275) (i64.const 276) (i64.const 277) (i64.const 278) (i64.const 279) (i64.const 280) (i64.const 281) (i64.const 282) (i64.const 283) (i64.const 284) (i64.const 285) (i64.const 286) (i64.const 287) (i64.const 288) (i64.const 289) (i64.const 290) (i64.const 291) (i64.const 292) (i64.const 293) (i64.const 294) (i64.const 295) (i64.const 296) (i64.const 297) (i64.const 298) (i64.const 299)))
      (unreachable))
    i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add i64.add)
)
(assert_return (invoke "all")
  (i32.const 1) (i64.const 2) (f32.const 3.5) (f64.const -4.25)
  (v128.const i32x4 5 6 7 8) (i32.const 0) (i32.const 1) (i32.const 1))
(assert_return (invoke "big") (i64.const 44850))

;; legacy exception handling: rethrow from a nested catch, delegate out
(module
  (tag $e (param i32))
  (func $throw (param i32) (throw $e (local.get 0)))
  (func (export "nested-rethrow") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (call $throw (local.get 0)) (i32.const -1))
          (catch $e
            (drop)
            (try (result i32)
              (do (call $throw (i32.const 7)) (i32.const -2))
              (catch_all (rethrow 1))))))
      (catch $e (i32.add (i32.const 100)))))
  (func (export "delegate-out") (param i32) (result i32)
    (try (result i32)
      (do
        (try (do (call $throw (local.get 0))) (delegate 1))
        (i32.const -1))
      (catch $e)))
  (func (export "catch-all-loop") (param i32) (result i32) (local i32)
    (loop $l
      (try (do (call $throw (local.get 0)))
        (catch_all (local.set 1 (i32.add (local.get 1) (i32.const 1)))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
)
(assert_return (invoke "nested-rethrow" (i32.const 3)) (i32.const 103))
(assert_exception (invoke "delegate-out" (i32.const 3)))
(assert_return (invoke "catch-all-loop" (i32.const 1000)) (i32.const 1000))

;; validation
(assert_invalid
  (module (tag $e (param i64))
    (func (result i32) (block $h (result i32) (try_table (catch $e $h)) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (tag $e (param i32))
    (func (result i32) (block $h (result i32) (try_table (catch_ref $e $h)) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (func (block $h (result exnref) (try_table (catch_all $h)) (unreachable))))
  "type mismatch")
(assert_invalid
  (module (func (block $h (try_table (catch 0 $h)))))
  "unknown tag")
(assert_invalid
  (module (func (try_table (catch_all 3))))
  "unknown label")
(assert_invalid
  (module (func (throw_ref (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (tag (param i32)) (func (throw 0 (i64.const 0))))
  "type mismatch")
(assert_invalid
  (module (type (func (result i32))) (tag (type 0)))
  "non-empty tag result type")
(assert_invalid
  (module (func (try (do) (catch_all (rethrow 1)))))
  "invalid rethrow label")
;; binary: a catch clause of kind 4, a tag attribute of 1
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"          ;; type () -> ()
    "\03\02\01\00"                  ;; one function
    "\0a\09\01\07\00"              ;; code: one body, no locals
    "\1f\40\01\04\00\0b\0b")     ;; try_table (catch kind 4 to 0) end end
  "malformed catch clause")
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\0d\03\01\01\00")              ;; tag with attribute 1
  "malformed tag attribute")
;; an imported tag must have the exporter's type exactly
(assert_unlinkable
  (module (tag (import "A" "e") (param i64)))
  "incompatible import type")
(assert_unlinkable
  (module (tag (import "A" "throw-e") (param i32)))
  "incompatible import type")
;; exception instructions are not constant; a null exnref is
(assert_invalid (module (tag) (global i32 (throw 0) (i32.const 0)))
  "constant expression required")
(assert_invalid (module (global exnref (ref.null exn) (try_table) (drop)))
  "constant expression required")
(module (global exnref (ref.null exn))
  (func (export "g") (result i32) (ref.is_null (global.get 0))))
(assert_return (invoke "g") (i32.const 1))
