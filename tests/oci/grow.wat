;; grow.wat — grows its memory 16 pages at a time until refused, then traps
;; (tests/oci/bundle.sh: linux.resources.memory.limit).
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $l
      (br_if $l (i32.ge_s (memory.grow (i32.const 16)) (i32.const 0))))
    unreachable))
