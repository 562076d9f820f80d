;; fuel_exact.wat — code shaped for compiled code's cheap fuel charges
;; (src/aot/cgen_fuel.c): blocks of pure arithmetic (their charge is not
;; stored), runs of adjacent block ends (their charges merged), then a
;; memory store that faults by guard page, a division that traps
;; explicitly, or a call, each of which must see the exact fuel; and
;; `pure`, blocks with no visible effect whose charges are tested late,
;; together (at the next tested charge, on each branch out, before a
;; label), so running out of fuel anywhere in them must still stop at
;; the interpreter's block with its fuel; and counted loops
;; (src/aot/cgen_loop.c), charged once on entry when the fuel covers their
;; trip count, whose exits (early, by fault, by trap, never) must still
;; leave the interpreter's fuel.
(module
  (memory 1)
  (func $twice (param i32) (result i32)
    (i32.add (local.get 0) (local.get 0)))
  ;; mix n fault: n iterations; at iteration `fault` the store goes out of
  ;; bounds (fault 1000: never); at iteration `fault` - 1000 the division
  ;; is by zero.
  (func (export "mix") (param $n i32) (param $fault i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31))
                               (local.get $i)))
      (block (block (block
        (br_if 0 (i32.and (local.get $i) (i32.const 1)))
        (local.set $acc (i32.xor (local.get $acc) (i32.const 5))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.const 3))))
        (br_if 0 (i32.and (local.get $i) (i32.const 2)))
        (local.set $acc (call $twice (local.get $acc))))
      ;; three block ends in a row: adjacent charges
      (block (block (block
        (br_if 2 (i32.and (local.get $i) (i32.const 4))))))
      ;; a block whose only observer is the store that may fault
      (i32.store
        (select (i32.const 70000) (i32.const 16)
                (i32.eq (local.get $i) (local.get $fault)))
        (local.get $acc))
      (if (i32.eq (local.get $i) (i32.const 99))
        (then (local.set $acc (i32.const 0))))
      (local.set $acc
        (i32.add (local.get $acc)
          (i32.div_u (i32.const 7)
            (i32.ne (local.get $i) (i32.sub (local.get $fault)
                                            (i32.const 1000))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; pure n: n iterations of pure blocks (if/else arms, a branch out of
  ;; a chain, divisions by constants that cannot trap), a br_table, and a
  ;; global read and write (tested at once).
  (global $g (mut i32) (i32.const 0))
  (func (export "pure") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i64)
    (loop $l
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $a (i32.add (local.get $a)
                                     (i32.div_u (local.get $i) (i32.const 3)))))
        (else (local.set $a (i32.xor (local.get $a)
                                     (i32.rem_s (local.get $i) (i32.const -1))))))
      (block $out
        (br_if $out (i32.eqz (i32.rem_u (local.get $i) (i32.const 3))))
        (local.set $b (i64.div_s (i64.extend_i32_u (local.get $a))
                                 (i64.const 7)))
        (local.set $a (i32.add (local.get $a) (i32.wrap_i64 (local.get $b))))
        (block $two (block $one
          (br_table $one $two $out (i32.and (local.get $i) (i32.const 3))))
          (local.set $a (i32.mul (local.get $a) (i32.const 3))))
        (local.set $a (i32.sub (local.get $a) (global.get $g))))
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $a))
  ;; up end stop fault: i from 0 by 4 while i != end (end not a multiple
  ;; of 4: never, until the fuel runs out; 0: 2^30 iterations); leaves at
  ;; iteration `stop`; at iteration `fault` the store faults, at `fault` -
  ;; 1000 the division traps.
  (func (export "up") (param $end i32) (param $stop i32) (param $fault i32)
        (result i32)
    (local $i i32) (local $k i32) (local $acc i32)
    (block $done
      (loop $l
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31))
                                 (local.get $i)))
        (if (i32.and (local.get $i) (i32.const 4))
          (then (local.set $acc (i32.xor (local.get $acc) (i32.const 5))))
          (else (local.set $acc (i32.rotl (local.get $acc) (i32.const 3)))))
        (br_if $done (i32.eq (local.get $k) (local.get $stop)))
        (i32.store
          (select (i32.const 70000) (i32.const 16)
                  (i32.eq (local.get $k) (local.get $fault)))
          (local.get $acc))
        (local.set $acc
          (i32.add (local.get $acc)
            (i32.div_u (i32.const 7)
              (i32.ne (local.get $k) (i32.sub (local.get $fault)
                                              (i32.const 1000))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $l (i32.ne (local.get $i) (local.get $end)))))
    (i32.add (local.get $acc) (local.get $k)))
  ;; down n: n iterations counting down to zero, pure, inside an outer
  ;; loop of 3 (the inner loop entered three times), then a load.
  (func (export "down") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $acc i32)
    (loop $outer
      (local.set $i (local.get $n))
      (loop $inner
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 7))
                                 (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br_if $inner (local.get $i)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $outer (i32.ne (local.get $j) (i32.const 3))))
    (i32.add (local.get $acc) (i32.load (i32.const 16))))
;; span p n: n trips of a counted loop walking a pointer q from p up by
  ;; 8 (a second induction variable), reading q[0] and q[4] and writing 8
  ;; bytes at q+8, with a branch inside. Its accesses are proved in
  ;; bounds on entry when they are (src/aot/cgen_span.c): then its
  ;; unmetered copy stores no fuel, so a run that reaches past the
  ;; memory's end, even by one byte on its last trip, or wraps past 2^32,
  ;; must be sent to the metered copy, whose fault sees the exact fuel.
  (func (export "span") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $q i32) (local $acc i32)
    (local.set $q (local.get $p))
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (i32.load (local.get $q))))
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $acc (i32.xor (local.get $acc) (i32.const 3)))))
      (local.set $acc
        (i32.add (local.get $acc) (i32.load offset=4 (local.get $q))))
      (i64.store offset=8 (local.get $q)
        (i64.extend_i32_u (i32.add (local.get $acc) (local.get $i))))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; span_ret p n k: the loop of span_inner returns from inside at trip k
  ;; (k >= n: never), then the caller goes on metering: the counter the
  ;; caller reads back after the call must be exact.
  ;; (p is not the first parameter: the return's value goes there, and
  ;; the address must read a slot the loop does not write.)
  (func $span_inner (param $k i32) (param $n i32) (param $p i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc
        (i32.add (local.get $acc)
          (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))
      (if (i32.eq (local.get $i) (local.get $k))
        (then (return (local.get $acc))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "span_ret") (param $p i32) (param $n i32) (param $k i32)
        (result i32)
    (local $acc i32) (local $j i32)
    (local.set $acc (call $span_inner (local.get $k) (local.get $n) (local.get $p)))
    (loop $more
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 3))
                               (local.get $j)))
      (i32.store (i32.const 0) (local.get $acc))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $j) (i32.const 5))))
    (local.get $acc))
  ;; span_down p n: the same walking down from p by 8, the loop's own
  ;; variable counting down to zero, and the address a sum (p + 4*i*2).
  (func (export "span_down") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $i (local.get $n))
    (loop $l
      (local.set $acc
        (i32.add (i32.mul (local.get $acc) (i32.const 7))
          (i32.load16_u offset=2
            (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3))))))
      (i32.store8
        (i32.sub (local.get $p) (i32.mul (local.get $i) (i32.const -8)))
        (local.get $acc))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $l (local.get $i)))
    (local.get $acc))
  ;; calls n fault: n iterations of calls between functions (compiled
  ;; code hands the fuel counter across each one): a call and then, in
  ;; the same block, a store that faults at iteration `fault` (it must see
  ;; the fuel the call left); calls returning two results and an f64; a
  ;; call whose callee's store faults at iteration `fault` - 1000.
  (func $pair (param i32) (result i32 i32)
    (i32.add (local.get 0) (i32.const 1)) (i32.mul (local.get 0) (i32.const 3)))
  (func $scale (param f64) (result f64) (f64.mul (local.get 0) (f64.const 1.5)))
  (func $store_at (param $a i32) (param $v i32)
    (i32.store (local.get $a) (local.get $v)))
  (func (export "calls") (param $n i32) (param $fault i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (call $twice (i32.add (local.get $acc) (local.get $i))))
      (i32.store
        (select (i32.const 70000) (i32.const 32)
                (i32.eq (local.get $i) (local.get $fault)))
        (local.get $acc))
      (call $pair (local.get $acc))
      (local.set $acc (i32.xor))
      (local.set $acc
        (i32.add (local.get $acc)
          (i32.trunc_f64_u (call $scale (f64.convert_i32_u
            (i32.and (local.get $acc) (i32.const 255)))))))
      (call $store_at
        (select (i32.const 70000) (i32.const 48)
                (i32.eq (local.get $i) (i32.sub (local.get $fault)
                                                (i32.const 1000))))
        (local.get $acc))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; traps n at how: n iterations with no memory access; at iteration
  ;; `at` a truncation traps (how 0), unreachable runs (how 1) or a
  ;; signed division overflows (how 2). Each of them stores the fuel on
  ;; its own trap path (TRAP_FUEL), not where its block starts.
  (func (export "traps") (param $n i32) (param $at i32) (param $how i32)
        (result i32)
    (local $i i32) (local $acc i32) (local $hit i32)
    (loop $l
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31))
                               (local.get $i)))
      (local.set $hit (i32.eq (local.get $i) (local.get $at)))
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $acc (i32.xor (local.get $acc) (i32.const 9)))))
      (local.set $acc
        (i32.add (local.get $acc)
          (i32.trunc_f32_s
            (select (f32.const 3e9) (f32.const 2.5)
                    (i32.and (local.get $hit) (i32.eqz (local.get $how)))))))
      (if (i32.and (local.get $hit) (i32.eq (local.get $how) (i32.const 1)))
        (then unreachable))
      (local.set $acc
        (i32.div_s
          (select (i32.const 0x80000000) (local.get $acc)
                  (i32.and (local.get $hit) (i32.eq (local.get $how) (i32.const 2))))
          (select (i32.const -1) (i32.const 3) (local.get $hit))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; ladder n at how: n iterations of a ladder of ten pure blocks, whose
  ;; charges are tested late and together (more than 8 by its last rung),
  ;; rung k branching forward at iteration 2k+1 to the block that stores
  ;; to memory, whose own charge that branch tests with the rungs'
  ;; (cgen_fuel.c: take_target_run, L<pc>_paid); then a pure
  ;; block of 260 instructions (a cost that does not pack in a byte), and
  ;; a division tested right after those late charges (skipped at
  ;; iterations 6 and 8, and by the odd ones). At iteration `at` the store
  ;; faults (how 0) or the division traps (how 1).
  (func (export "ladder") (param $n i32) (param $at i32) (param $how i32)
        (result i32)
    (local $i i32) (local $a i32) (local $p i32) (local $d i32)
    (loop $l
      (local.set $p (select (i32.const 70000) (i32.const 32)
                            (i32.and (i32.eq (local.get $i) (local.get $at))
                                     (i32.eqz (local.get $how)))))
      (local.set $d (select (i32.const 0) (i32.const 3)
                            (i32.and (i32.eq (local.get $i) (local.get $at))
                                     (local.get $how))))
      (block $store
        (br_if $store (i32.eq (local.get $i) (i32.const 1)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br_if $store (i32.eq (local.get $i) (i32.const 3)))
        (local.set $a (i32.add (local.get $a) (i32.const 2)))
        (br_if $store (i32.eq (local.get $i) (i32.const 5)))
        (local.set $a (i32.add (local.get $a) (i32.const 3)))
        (br_if $store (i32.eq (local.get $i) (i32.const 7)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (br_if $store (i32.eq (local.get $i) (i32.const 9)))
        (local.set $a (i32.add (local.get $a) (i32.const 5)))
        (br_if $store (i32.eq (local.get $i) (i32.const 11)))
        (local.set $a (i32.add (local.get $a) (i32.const 6)))
        (br_if $store (i32.eq (local.get $i) (i32.const 13)))
        (local.set $a (i32.add (local.get $a) (i32.const 7)))
        (br_if $store (i32.eq (local.get $i) (i32.const 15)))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (br_if $store (i32.eq (local.get $i) (i32.const 17)))
        (local.set $a (i32.add (local.get $a) (i32.const 9)))
        (br_if $store (i32.eq (local.get $i) (i32.const 19)))
        (local.set $a (i32.add (local.get $a) (i32.const 10)))
        (br_if $store (i32.eq (local.get $i) (i32.const 6)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1000)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1001)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1002)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1003)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1004)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1005)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1006)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1007)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1008)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1009)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1010)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1011)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1012)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1013)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1014)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1015)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1016)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1017)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1018)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1019)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1020)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1021)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1022)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1023)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1024)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1025)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1026)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1027)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1028)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1029)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1030)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1031)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1032)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1033)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1034)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1035)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1036)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1037)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1038)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1039)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1040)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1041)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1042)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1043)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1044)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1045)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1046)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1047)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1048)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1049)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1050)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1051)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1052)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1053)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1054)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1055)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1056)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1057)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1058)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1059)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1060)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1061)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1062)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1063)))
        (local.set $a (i32.xor (local.get $a) (i32.const 1064)))
        (br_if $store (i32.eq (local.get $i) (i32.const 8)))
        (local.set $a (i32.add (local.get $a)
                               (i32.div_u (local.get $i) (local.get $d)))))
      (i32.store (local.get $p) (local.get $a))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $a))
  ;; descend n fault: n descents of a heap of 63 words (written first),
  ;; each from the root to a leaf, following the greater child: a select
  ;; on a comparison of the two children just loaded, whose pick is the
  ;; next load's address (compiled as a branch in metered code:
  ;; select_as_branch, src/aot/cgen_instr.c); at step `fault` (counting
  ;; every level of every descent) the left child's index is out of
  ;; bounds, and its load faults.
  (func (export "descend") (param $n i32) (param $fault i32) (result i32)
    (local $i i32) (local $c i32) (local $l i32) (local $r i32)
    (local $step i32) (local $sum i32)
    (loop $fill
      (i32.store (i32.shl (local.get $i) (i32.const 2))
                 (i32.mul (i32.add (local.get $i) (i32.const 7))
                          (i32.const 0x9e3779b1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 63))))
    (local.set $i (i32.const 0))
    (loop $each
      (local.set $c (i32.const 0))
      (block $leaf
        (loop $down
          (local.set $l (i32.or (i32.shl (local.get $c) (i32.const 1))
                                (i32.const 1)))
          (br_if $leaf (i32.ge_u (local.get $l) (i32.const 62)))
          (local.set $r (i32.add (local.get $l) (i32.const 1)))
          (local.set $l (select (i32.const 0x4000000) (local.get $l)
                                (i32.eq (local.get $step) (local.get $fault))))
          (local.set $c (select (local.get $r) (local.get $l)
                          (i32.gt_u
                            (i32.load (i32.shl (local.get $r) (i32.const 2)))
                            (i32.load (i32.shl (local.get $l) (i32.const 2))))))
          (local.set $sum (i32.add (local.get $sum)
                            (i32.load (i32.shl (local.get $c) (i32.const 2)))))
          (local.set $step (i32.add (local.get $step) (i32.const 1)))
          (br $down)))
      (i32.store (i32.const 0) (local.get $sum))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum))

  ;; joins n stop: the shapes the interpreter runs as one dispatch with
  ;; the FUEL op of the label they fall into (P12j, joins.def): an add of
  ;; a constant, a copy, a constant, a wrap, a select on gt_u, i64
  ;; compare-and-branches (le_s, gt_u, ge_s, ne) whose fall-through is a
  ;; label, and two labels in a row; n trips, each way through every
  ;; shape taken by some trip. At trip `stop` the division by
  ;; (trip - stop) traps, just after a join's charge.
  (func (export "joins") (param $n i32) (param $stop i32) (result i32)
    (local $i i32) (local $acc i32) (local $t i32) (local $w i64)
    (local $v i64)
    (loop $trip
      (local.set $w (i64.extend_i32_u (i32.mul (local.get $i)
                                               (i32.const 0x9e3779b1))))
      (local.set $v (i64.shl (i64.extend_i32_u (local.get $i)) (i64.const 29)))
      (block $b2
        (block $b1
          (br_if $b1 (i32.and (local.get $i) (i32.const 1)))
          (local.set $acc (i32.add (local.get $acc) (i32.const 3))))
        (br_if $b2 (i32.and (local.get $i) (i32.const 2)))
        (local.set $t (local.get $acc)))
      (block $b4
        (block $b3
          (br_if $b3 (i32.and (local.get $i) (i32.const 4)))
          (local.set $t (i32.const 77)))
        (br_if $b4 (i32.and (local.get $i) (i32.const 1)))
        (local.set $t (i32.wrap_i64 (local.get $w))))
      (block $b5
        (br_if $b5 (i32.eqz (local.get $t)))
        (local.set $acc (select (local.get $acc) (local.get $t)
                                (i32.gt_u (local.get $acc) (local.get $t)))))
      (block $c1
        (br_if $c1 (i64.le_s (local.get $w) (local.get $v))))
      (local.set $acc (i32.xor (local.get $acc) (i32.const 0x55)))
      (block $c2
        (br_if $c2 (i64.gt_u (local.get $w) (local.get $v))))
      (local.set $acc (i32.rotl (local.get $acc) (i32.const 3)))
      (block $c3
        (br_if $c3 (i64.ge_s (local.get $w) (local.get $v))))
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (block $c4
        (br_if $c4 (i64.ne (local.get $w) (local.get $v))))
      (block $d2
        (block $d1
          (br_if $d1 (i32.and (local.get $i) (i32.const 1)))
          (br_if $d2 (i32.and (local.get $i) (i32.const 2)))
          (local.set $acc (i32.mul (local.get $acc) (local.get $t)))))
      (local.set $acc (i32.add (local.get $acc)
                        (i32.div_u (i32.const 1)
                                   (i32.sub (local.get $i) (local.get $stop)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $trip (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; branch_joins n stop: the interpreter's joins of an op with the _FUEL
  ;; branch after it (P12k, joins.def): loads, an add of a constant,
  ;; and-masks, a copy, shift-and pairs and an add pair feeding
  ;; br_if/if/compare-and-branches and a br_table whose every target is
  ;; a label, each way taken by some trip (the bytes compared are
  ;; rewritten each trip). At trip `stop` the address is 65536: the
  ;; first load, A of its join, faults before the branch charges.
  (func (export "branch_joins") (param $n i32) (param $stop i32)
                                (result i32)
    (local $i i32) (local $acc i32) (local $p i32) (local $q i32)
    (local $x i32) (local $w i64) (local $odd i32) (local $r i32)
    (loop $trip
      (local.set $odd (i32.and (local.get $i) (i32.const 1)))
      (local.set $r (i32.const 4200))
      (i32.store8 (local.get $r) (i32.rem_u (local.get $i) (i32.const 5)))
      (i32.store (i32.add (i32.const 4096)
                          (i32.shl (i32.and (local.get $i) (i32.const 7))
                                   (i32.const 2)))
                 (i32.mul (i32.add (local.get $i) (i32.const 1))
                          (i32.const 0x9e3779b1)))
      (local.set $p (select (i32.const 65536)
                            (i32.add (i32.const 4096)
                                     (i32.and (local.get $i) (i32.const 15)))
                            (i32.eq (local.get $i) (local.get $stop))))
      (block $b1 ;; i32.load8_u, br_if
        (br_if $b1 (i32.load8_u (local.get $p)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 3))))
      (block $b2 ;; i32.load, br_if eqz
        (br_if $b2 (i32.eqz (i32.load (local.get $p))))
        (local.set $acc (i32.xor (local.get $acc) (i32.const 0x55))))
      (if (i32.load (local.get $p)) ;; br_unless
        (then (local.set $acc (i32.rotl (local.get $acc) (i32.const 3)))))
      (block $b3 ;; add_k + load8_u, br_if
        (br_if $b3 (i32.load8_u (local.tee $q (i32.add (local.get $p)
                                                        (i32.const 2)))))
        (local.set $acc (i32.add (local.get $acc) (local.get $q))))
      (block $b4 ;; two load8_u, br_if eq
        (br_if $b4 (i32.eq (i32.load8_u (local.get $p))
                           (i32.load8_u (local.get $q))))
        (local.set $acc (i32.sub (local.get $acc) (i32.const 7))))
      (if (i32.and (i32.load8_u (local.get $q)) (i32.const 4)) ;; and, unless
        (then (local.set $acc (i32.add (local.get $acc) (i32.const 11)))))
      (block $b5 ;; shr_u + and, br_if
        (br_if $b5 (i32.and (i32.shr_u (local.get $acc) (local.get $i))
                            (local.get $q)))
        (local.set $acc (i32.mul (local.get $acc) (i32.const 3))))
      (block $b6 ;; two add_k, sub br_if
        (local.set $x (i32.add (local.get $i) (i32.const 1)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br_if $b6 (local.tee $x (i32.sub (local.get $x) (i32.const 3))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 13))))
      (block $b7 ;; load, br
        (block $b8
          (br_if $b8 (i32.and (local.get $i) (i32.const 1)))
          (local.set $x (i32.load (local.get $p)))
          (br $b7))
        (local.set $acc (i32.add (local.get $acc) (local.get $x))))
      (block $b9 ;; load, br_if; copy, br_if
        (local.set $x (i32.load (local.get $p)))
        (br_if $b9 (local.get $odd))
        (local.set $x (local.get $acc))
        (br_if $b9 (local.get $x))
        (local.set $acc (i32.add (local.get $acc) (local.get $x))))
      (block $b10 ;; and_k, br_if eqz / lt_u
        (br_if $b10 (i32.eqz (i32.and (local.get $acc) (i32.const 8))))
        (br_if $b10 (i32.lt_u (i32.and (local.get $acc) (i32.const 7))
                              (local.get $i)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 17))))
      (block $b11 ;; load8_u, br_if gt_u; load, br_if eq
        (br_if $b11 (i32.eq (i32.load (local.get $p)) (local.get $acc)))
        (br_if $b11 (i32.gt_u (i32.load8_u (local.get $p)) (local.get $i)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 19))))
      (block $b12 ;; add pair, br_if lt_s; load16_u, br_if lt_u
        (br_if $b12 (i32.lt_s (i32.add (i32.add (local.get $acc) (local.get $i))
                                       (local.get $q))
                              (local.get $x)))
        (br_if $b12 (i32.lt_u (i32.load16_u (local.get $p)) (local.get $acc)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 23))))
      (block $b13 ;; add_k, br_if ge_s
        (br_if $b13 (i32.ge_s (local.tee $x (i32.add (local.get $acc)
                                                     (i32.const 5)))
                              (local.get $q)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 29))))
      (block $t3 ;; i64.add, load8_u, br_table
        (block $t2
          (block $t1
            (block $t0
              (local.set $w (i64.add (local.get $w) (i64.const 1)))
              (br_table $t0 $t1 $t2 $t3 (i32.load8_u (local.get $r))))
            (local.set $acc (i32.add (local.get $acc) (i32.const 31))))
          (local.set $acc (i32.xor (local.get $acc) (i32.const 37))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $trip (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $acc) (i32.wrap_i64 (local.get $w))))
  ;; loop_joins n stop: the loop branches the interpreter joins to the op
  ;; before them when metered (P12k, joins.def): a counter stepped by a
  ;; constant and compared (ne, gt_u), an f64 compare, a mask, a shift, a
  ;; widening before a br, a copy before an if, a step before a
  ;; subtract-and-branch, loads compared (ge_u, lt_u); n trips of an
  ;; inner loop of 3, each way taken by some trip. At trip `stop` the
  ;; address is 65536: a load joined to its branch faults.
  (func (export "loop_joins") (param $n i32) (param $stop i32) (result i32)
    (local $i i32) (local $k i32) (local $acc i32) (local $x i32)
    (local $p i32) (local $f f64) (local $w i64) (local $m i32)
    (loop $trip
      (local.set $m (i32.and (local.get $i) (i32.const 1)))
      (i32.store (i32.const 4160) (i32.mul (local.get $i) (i32.const 77)))
      (local.set $p (select (i32.const 65536) (i32.const 4160)
                            (i32.eq (local.get $i) (local.get $stop))))
      (local.set $k (i32.const 0))
      (loop $inner ;; add_k, br_if ne
        (local.set $acc (i32.xor (local.get $acc) (local.get $k)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $inner (i32.ne (local.get $k) (i32.const 3))))
      (block $b1 ;; add_k, br_if gt_u
        (br_if $b1 (i32.gt_u (local.tee $x (i32.add (local.get $i)
                                                    (i32.const 3)))
                             (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 5))))
      (local.set $f (f64.convert_i32_u (local.get $acc)))
      (block $b2 ;; f64.le, br_if
        (br_if $b2 (f64.le (local.get $f) (f64.const 40)))
        (local.set $acc (i32.sub (local.get $acc) (i32.const 7))))
      (block $b3 ;; and_k, br_if; shr_u_k, br_if
        (br_if $b3 (local.tee $x (i32.and (local.get $i) (i32.const 1))))
        (br_if $b3 (local.tee $x (i32.shr_u (local.get $acc) (i32.const 6))))
        (local.set $acc (i32.add (local.get $acc) (local.get $x))))
      (block $b4 ;; i64.extend_i32_u, br
        (block $b5
          (br_if $b5 (i32.and (local.get $i) (i32.const 2)))
          (local.set $w (i64.extend_i32_u (local.get $acc)))
          (br $b4))
        (local.set $w (i64.add (local.get $w) (i64.const 9))))
      (local.set $x (local.get $m)) ;; copy, br_unless
      (if (local.get $x)
        (then (local.set $acc (i32.xor (local.get $acc) (i32.const 3)))))
      (block $b6 ;; add_k, sub br_if
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $b6 (local.tee $x (i32.sub (local.get $i) (local.get $k))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 11))))
      (block $b7 ;; load, br_if ge_u / lt_u; add_k + load, br_if ge_u
        (br_if $b7 (i32.ge_u (i32.load (local.get $p)) (local.get $acc)))
        (br_if $b7 (i32.lt_u (i32.load (local.get $p)) (local.get $i)))
        (br_if $b7 (i32.ge_u (i32.load (local.tee $x (i32.add (local.get $p)
                                                              (i32.const 4))))
                             (local.get $acc)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 13))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $trip (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $acc) (i32.wrap_i64 (local.get $w)))))
