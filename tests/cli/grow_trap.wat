;; grow_trap.wat — grows its memory 16 pages at a time until refused, then
;; traps (tests/cli/misc.sh: the --max-memory note).
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $l
      (br_if $l (i32.ge_s (memory.grow (i32.const 16)) (i32.const 0))))
    unreachable))
