;; Returns and linear memory (P12k): RETURN reloads memory 0 only when
;; the caller's instance differs from the callee's (interp.c's
;; RETURN_TO_CALLER); within one instance every op that may move or grow
;; the memory reloads it where it runs. Each test below fails if a caller
;; goes on with the callee's memory, or with its own memory as it was
;; before a callee grew it.

;; $B has its own memory, with 0xbbbb at 0, and grows it on request.
(module $B
  (memory 1)
  (data (i32.const 0) "\bb\bb\00\00")
  (func (export "load0") (result i32) (i32.load (i32.const 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
)
(register "B" $B)

;; $A: its own memory, 0xaaaa at 0; calls into $B and reads its memory
;; right after each return (also from a deeper frame: the return to a
;; caller of the same instance keeps what it has).
(module $A
  (import "B" "load0" (func $b_load0 (result i32)))
  (import "B" "grow" (func $b_grow (param i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "\aa\aa\00\00")
  (func $own (result i32) (i32.load (i32.const 0)))
  ;; B's value, then ours: 0xbbbb * 0x10000 + 0xaaaa
  (func (export "after_b") (result i32)
    (i32.or (i32.shl (call $b_load0) (i32.const 16)) (i32.load (i32.const 0))))
  ;; B grows its memory: ours keeps its size, and 0x10000 stays out of bounds
  (func (export "b_grew") (result i32)
    (drop (call $b_grow (i32.const 2)))
    (i32.add (i32.mul (memory.size) (i32.const 100)) (call $own)))
  (func (export "oob_after_b_grew") (result i32)
    (drop (call $b_grow (i32.const 1)))
    (i32.load (i32.const 0x10000)))
  ;; a callee of this instance grows our memory; the caller reads the new
  ;; page after the return, and its store lands where the load finds it
  (func $grow_own (result i32) (memory.grow (i32.const 1)))
  (func $grow_deep (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (call $grow_deep (i32.sub (local.get 0) (i32.const 1))))
      (else (call $grow_own))))
  (func (export "own_grew") (param i32) (result i32)
    (drop (call $grow_deep (local.get 0)))
    (i32.store (i32.sub (i32.mul (memory.size) (i32.const 0x10000)) (i32.const 4))
               (i32.const 77))
    (i32.load (i32.sub (i32.mul (memory.size) (i32.const 0x10000)) (i32.const 4))))
)
(assert_return (invoke $A "after_b") (i32.const 0xbbbbaaaa))
(assert_return (invoke $A "b_grew") (i32.const 0xab0e)) ;; 1 page * 100 + 0xaaaa
(assert_return (invoke $B "size") (i32.const 3))
(assert_trap (invoke $A "oob_after_b_grew") "out of bounds memory access")
(assert_return (invoke $A "own_grew" (i32.const 0)) (i32.const 77))
(assert_return (invoke $A "own_grew" (i32.const 5)) (i32.const 77))
(assert_return (invoke $A "after_b") (i32.const 0xbbbbaaaa))

;; One memory in three instances: $M exports it, $N and $P import it.
;; $N grows it and writes the new page; $P, returning from $N, reads it
;; there (the same instance's memory object, another instance's frame).
(module $M (memory (export "mem") 1))
(register "M" $M)
(module $N
  (import "M" "mem" (memory 1))
  (func (export "grow_write") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 0x10000) (i32.const 42))
    (i32.const 0))
  (func (export "read") (param i32) (result i32) (i32.load (local.get 0)))
)
(register "N" $N)
(module $P
  (import "M" "mem" (memory 1))
  (import "N" "grow_write" (func $n_grow_write (result i32)))
  (import "N" "read" (func $n_read (param i32) (result i32)))
  (func (export "grow_then_read") (result i32)
    (drop (call $n_grow_write))
    (i32.add (i32.mul (memory.size) (i32.const 1000))
             (i32.load (i32.const 0x10000))))
  (func (export "write_then_n") (result i32)
    (i32.store (i32.const 0x10004) (i32.const 5))
    (i32.add (call $n_read (i32.const 0x10004)) (i32.load (i32.const 0x10004))))
)
(assert_trap (invoke $P "write_then_n") "out of bounds memory access")
(assert_return (invoke $P "grow_then_read") (i32.const 2042))
(assert_return (invoke $P "write_then_n") (i32.const 10))
