;; P12j: an unconditional branch and the op at its target as one dispatch
;; (src/ir/jumps.def, lower_join.c's wf_lw_join_jumps). Each function
;; below has the branch of its comment land on the op (or join) named:
;; loop steps into the loop's head (a VDBE-like `pc++; goto head` into
;; i64.add + load8_u + br_table, a counted loop's test), a then arm's
;; branch over the else arm into the code after the if, a `goto next`
;; into a branch that is itself joined to its target. Every entry of
;; jumps.def runs here (checked with a per-op count when written); the
;; loops end on an exact bound (a >= tested with > gives another value)
;; and the values tell operands apart. Expected values are the
;; interpreter's before the change, and compiled code's.
(module
  (memory 1)
  (data (i32.const 0) "\81\42\23\14\05\96\77\08\19\2a\3b\4c\5d\6e\7f\f0")
  ;; 200..: the "program" of vdbe (op bytes; 3 ends it)
  (data (i32.const 200) "\00\01\02\00\01\03")
  (global $sp (mut i32) (i32.const 4096))
  ;; I32_ADD_K_BR into I64_ADD, I32_LOAD8_U, BR_TABLE (a VDBE-like loop:
  ;; `pc++; goto head`); BR into I32_ADD_K_BR (a case's `goto next`);
  ;; SET32_BR into I32_ADD_K_BR
  (func (export "vdbe") (param $p i32) (result i64) (local $acc i64) (local $q i32)
    (block $done
      (loop $head
        (local.set $acc (i64.add (local.get $acc) (i64.const 3)))
        (block $next
          (block $c2 (block $c1 (block $c0
            (br_table $c0 $c1 $c2 $done (i32.load8_u offset=200 (local.get $p))))
            ;; 0: p += 1, head
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $head))
          ;; 1: acc *= 2, next
          (local.set $acc (i64.mul (local.get $acc) (i64.const 2)))
          (br $next))
        ;; 2: q = 7, next
        (local.set $q (i32.const 7))
        (br $next))
        ;; next: p += 1, head
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $head)))
    (i64.add (local.get $acc) (i64.extend_i32_u (i32.add (local.get $p) (local.get $q)))))
  ;; COPY_BR into BR_IF_I32_GE_S_K, into COPY_I32, into BR_IF_I32_EQZ
  (func (export "copy_br_ge") (param $i i32) (result i32) (local $j i32) (local $n i32)
    (block $out
      (loop $l
        (br_if $out (i32.ge_s (local.get $i) (i32.const 10)))
        (local.set $n (i32.add (local.get $n) (local.get $i)))
        (local.set $j (i32.add (local.get $i) (local.get $i)))
        (local.set $i (local.get $j))
        (br $l)))
    (i32.add (i32.mul (local.get $n) (i32.const 100)) (local.get $i)))
  (func (export "copy_br_copy") (param i32 i32 i32) (result i32) (local i32)
    (if (local.get 0)
      (then (local.set 3 (local.get 1)))
      (else (local.set 3 (i32.mul (local.get 1) (local.get 2)))))
    (local.set 2 (local.get 0))
    (i32.sub (local.get 3) (local.get 2)))
  (func (export "copy_br_eqz") (param $i i32) (result i32) (local $j i32) (local $n i32)
    (block $out
      (loop $l
        (br_if $out (i32.eqz (local.get $i)))
        (local.set $n (i32.add (local.get $n) (local.get $i)))
        (local.set $j (i32.shr_u (local.get $i) (i32.const 1)))
        (local.set $i (local.get $j))
        (br $l)))
    (local.get $n))
  ;; I32_ADD_BR into I32_LOAD, I32_LOAD16_U
  (func (export "add_br_ld_ld16") (param $p i32) (param $step i32) (result i32) (local $s i32) (local $a i32) (local $b i32)
    (block $out
      (loop $l
        (local.set $a (i32.load (local.get $p)))
        (local.set $b (i32.load16_u offset=4 (local.get $p)))
        (local.set $s (i32.xor (i32.add (local.get $s) (local.get $a)) (local.get $b)))
        (br_if $out (i32.ge_u (local.get $p) (i32.const 8)))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (br $l)))
    (local.get $s))
  ;; BR (out of an if's then arm) into I64_LOAD; I64_ADD, I64_STORE32,
  ;; I32_ADD_K; I32_LOAD, I32_MUL_K_ADD; COPY_I32; I32_AND_K
  (func (export "br_ld64") (param i32 i32 i32) (result i64) (local i32)
    (if (local.get 0)
      (then (local.set 3 (i32.mul (local.get 1) (local.get 2))))
      (else (local.set 3 (i32.sub (local.get 1) (local.get 2)))))
    (i64.add (i64.load (local.get 1)) (i64.extend_i32_s (local.get 3))))
  (func (export "br_add64_st32") (param i32 i32 i32 i64 i64) (result i32) (local i32)
    (if (local.get 0)
      (then (local.set 5 (i32.mul (local.get 1) (local.get 2))))
      (else (local.set 5 (i32.sub (local.get 1) (local.get 2)))))
    (i64.store32 offset=160 (local.get 1) (i64.add (local.get 3) (local.get 4)))
    (local.set 2 (i32.add (local.get 2) (i32.const 77)))
    (i32.add (i32.load offset=160 (local.get 1)) (i32.mul (local.get 2) (local.get 5))))
  (func (export "br_ld_mul_k_add") (param i32 i32 i32) (result i32) (local i32)
    (if (local.get 0)
      (then (local.set 3 (i32.mul (local.get 1) (local.get 2))))
      (else (local.set 3 (i32.sub (local.get 1) (local.get 2)))))
    (i32.sub (i32.add (i32.load offset=2 (local.get 1)) (i32.mul (local.get 3) (i32.const 12))) (local.get 3)))
  (func (export "br_copy") (param i32 i32 i32) (result i32) (local i32 i32)
    (if (local.get 0)
      (then (local.set 3 (i32.mul (local.get 1) (local.get 2))))
      (else (local.set 3 (i32.sub (local.get 1) (local.get 2)))))
    (local.set 4 (local.get 1))
    (i32.sub (local.get 3) (i32.mul (local.get 4) (local.get 4))))
  (func (export "br_and_k") (param i32 i32 i32) (result i32) (local i32 i32)
    (if (local.get 0)
      (then (local.set 3 (i32.mul (local.get 1) (local.get 2))))
      (else (local.set 3 (i32.sub (local.get 1) (local.get 2)))))
    (local.set 4 (i32.and (local.get 1) (i32.const 0x0ff0)))
    (i32.sub (local.get 3) (local.get 4)))
  ;; I32_ADD_K_BR into BR_IF_I32_LT_S (a counted loop's step and test);
  ;; into COPY_I32 (out of an if's then arm)
  (func (export "add_k_br_lt_s") (param $i i32) (param $n i32) (result i32) (local $s i32)
    (block $out
      (loop $l
        (br_if $out (i32.lt_s (local.get $n) (local.get $i)))
        (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  (func (export "add_k_br_copy") (param i32 i32 i32) (result i32) (local i32)
    (if (local.get 0)
      (then (local.set 3 (i32.add (local.get 1) (i32.const 1000))))
      (else (local.set 3 (i32.mul (local.get 1) (local.get 2)))))
    (local.set 2 (local.get 0))
    (i32.sub (local.get 3) (local.get 2)))
  ;; SET32_BR into I32_ADD_K, GLOBAL_SET, COPY_RETURN (a C epilogue)
  (func (export "set_br_epilogue") (param i32 i32) (result i32) (local i32 i32)
    (local.set 2 (i32.sub (global.get $sp) (i32.const 16)))
    (global.set $sp (local.get 2))
    (if (local.get 0)
      (then (local.set 3 (i32.const 7)))
      (else (local.set 3 (i32.mul (local.get 1) (local.get 1)))))
    (global.set $sp (i32.add (local.get 2) (i32.const 16)))
    (return (local.get 3)))
  (func (export "sp") (result i32) (global.get $sp))

)
(assert_return (invoke "vdbe" (i32.const 0)) (i64.const 57))
(assert_return (invoke "vdbe" (i32.const 2)) (i64.const 33))
(assert_return (invoke "vdbe" (i32.const 5)) (i64.const 8))
(assert_return (invoke "copy_br_ge" (i32.const 1)) (i32.const 1516))
(assert_return (invoke "copy_br_ge" (i32.const 3)) (i32.const 912))
(assert_return (invoke "copy_br_ge" (i32.const 5)) (i32.const 510))
(assert_return (invoke "copy_br_ge" (i32.const 12)) (i32.const 12))
(assert_return (invoke "copy_br_copy" (i32.const 1) (i32.const 5) (i32.const 6)) (i32.const 4))
(assert_return (invoke "copy_br_copy" (i32.const 0) (i32.const 5) (i32.const 6)) (i32.const 30))
(assert_return (invoke "copy_br_eqz" (i32.const 100)) (i32.const 197))
(assert_return (invoke "copy_br_eqz" (i32.const 0)) (i32.const 0))
(assert_return (invoke "add_br_ld_ld16" (i32.const 0) (i32.const 4)) (i32.const 1758856436))
(assert_return (invoke "add_br_ld_ld16" (i32.const 0) (i32.const 3)) (i32.const 320782088))
(assert_return (invoke "br_ld64" (i32.const 1) (i32.const 3) (i32.const 4)) (i64.const 4263247521416348960))
(assert_return (invoke "br_ld64" (i32.const 0) (i32.const 3) (i32.const 4)) (i64.const 4263247521416348947))
(assert_return (invoke "br_add64_st32" (i32.const 1) (i32.const 3) (i32.const 4) (i64.const 0x100000005) (i64.const 7)) (i32.const 984))
(assert_return (invoke "br_add64_st32" (i32.const 0) (i32.const 3) (i32.const 4) (i64.const 5) (i64.const 7)) (i32.const -69))
(assert_return (invoke "br_ld_mul_k_add" (i32.const 1) (i32.const 3) (i32.const 4)) (i32.const 419985434))
(assert_return (invoke "br_ld_mul_k_add" (i32.const 0) (i32.const 3) (i32.const 4)) (i32.const 419985291))
(assert_return (invoke "br_copy" (i32.const 1) (i32.const 3) (i32.const 4)) (i32.const 3))
(assert_return (invoke "br_copy" (i32.const 0) (i32.const 3) (i32.const 4)) (i32.const -10))
(assert_return (invoke "br_and_k" (i32.const 1) (i32.const 0x1234) (i32.const 4)) (i32.const 18080))
(assert_return (invoke "br_and_k" (i32.const 0) (i32.const 0x1234) (i32.const 4)) (i32.const 4096))
(assert_return (invoke "add_k_br_lt_s" (i32.const 0) (i32.const 10)) (i32.const 385))
(assert_return (invoke "add_k_br_lt_s" (i32.const 5) (i32.const 4)) (i32.const 0))
(assert_return (invoke "add_k_br_copy" (i32.const 1) (i32.const 5) (i32.const 6)) (i32.const 1004))
(assert_return (invoke "add_k_br_copy" (i32.const 0) (i32.const 5) (i32.const 6)) (i32.const 30))
(assert_return (invoke "set_br_epilogue" (i32.const 1) (i32.const 5)) (i32.const 7))
(assert_return (invoke "set_br_epilogue" (i32.const 0) (i32.const 5)) (i32.const 25))
(assert_return (invoke "sp" ) (i32.const 4096))

