;; aot.wat — a module exercising calls, memory, tables, globals, floats and
;; traps, run both interpreted and compiled ahead of time (tests/cli/aot.sh);
;; the two must print the same results and fail the same way.
(module
  (type $binop (func (param i32 i32) (result i32)))
  (memory 1 4)
  (global $counter (mut i32) (i32.const 0))
  (table 3 funcref)
  (elem (i32.const 0) $add $sub $mul)
  (data (i32.const 16) "weft ahead of time")

  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))

  ;; call_indirect through the table; index 3 traps (undefined element)
  (func (export "apply") (param i32 i32 i32) (result i32)
    (call_indirect (type $binop) (local.get 1) (local.get 2) (local.get 0)))

  (func $fib (export "fib") (param i32) (result i64)
    (if (result i64) (i32.lt_u (local.get 0) (i32.const 2))
      (then (i64.extend_i32_u (local.get 0)))
      (else (i64.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))

  ;; fills n words with i*i, then sums them (wrapping)
  (func (export "squares") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $fill
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.shl (local.get $i) (i32.const 2))
                   (i32.mul (local.get $i) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (local.set $i (i32.const 0))
    (block $done2
      (loop $add
        (br_if $done2 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum)
          (i32.load (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $add)))
    (local.get $sum))

  ;; byte sum of the data segment
  (func (export "datasum") (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 18)))
        (local.set $sum (i32.add (local.get $sum)
          (i32.load8_u offset=16 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  (func (export "bump") (param i32) (result i32)
    (global.set $counter (i32.add (global.get $counter) (local.get 0)))
    (global.get $counter))

  (func (export "grow_and_store") (param i32) (result i32)
    (local $old i32)
    (local.set $old (memory.grow (local.get 0)))
    (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4))
               (i32.const 1234))
    (i32.add (local.get $old)
             (i32.load (i32.sub (i32.mul (memory.size) (i32.const 65536))
                                (i32.const 4)))))

  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "hypot") (param f64 f64) (result f64)
    (f64.sqrt (f64.add (f64.mul (local.get 0) (local.get 0))
                       (f64.mul (local.get 1) (local.get 1)))))
  (func (export "trunc") (param f32) (result i32)
    (i32.trunc_f32_s (local.get 0)))
  (func (export "rotl") (param i64 i64) (result i64)
    (i64.rotl (local.get 0) (local.get 1)))
  (func (export "divu") (param i64 i64) (result i64)
    (i64.div_u (local.get 0) (local.get 1)))
  (func $deep (export "deep") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
)
