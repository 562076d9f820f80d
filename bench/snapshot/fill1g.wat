;; fill1g.wat — scripts/snapshot-bench.sh's large program: a 1 GiB linear
;; memory (16384 pages), every page written with non-zero data (memory.fill
;; with 0xa5, then each page's first 8 bytes set to its number plus one),
;; then a loop of $n iterations (the exported global, so the benchmark can
;; snapshot it while it loops), then return.
(module
  (memory (export "memory") 16384 16384)
  (global $n (export "n") (mut i32) (i32.const 100000000))
  (func (export "_start")
    (local $p i32) (local $i i32) (local $acc i32)
    (memory.fill (i32.const 0) (i32.const 0xa5) (i32.const 0x40000000))
    (block $done
      (loop $pages
        (i64.store (i32.shl (local.get $p) (i32.const 16))
                   (i64.extend_i32_u (i32.add (local.get $p) (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $pages (i32.lt_u (local.get $p) (i32.const 16384)))))
    (block $out
      (loop $spin
        (br_if $out (i32.ge_u (local.get $i) (global.get $n)))
        (local.set $acc (i32.xor (local.get $acc)
                                 (i32.load (i32.shl (i32.and (local.get $i) (i32.const 16383)) (i32.const 16)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $spin)))
    (i32.store (i32.const 8) (local.get $acc))))
