;; memory64_multi.wast — weft's own tests of memory64, table64 and multiple
;; memories (Wasm 3.0): accesses just past 2^32 on a 64-bit memory, grows
;; the engine's 4 GiB limit refuses, copies between memories and within
;; one (overlapping), memory indices out of range, i64 table indices past
;; 2^32, and a 32-bit memory 0 next to others (the fast path).

(module
  (memory $m0 1)
  (memory $m64 i64 1 70000)
  (memory $m2 2)
  (data (memory $m64) (i64.const 0) "abcdefgh")
  (data (memory $m2) (i32.const 0x10000) "ijkl")
  (func (export "load64") (param i64) (result i32)
    (i32.load8_u $m64 (local.get 0)))
  (func (export "load64_off") (param i64) (result i32)
    (i32.load8_u $m64 offset=0xffffffff (local.get 0)))
  (func (export "load64_wide") (param i64) (result i64)
    (i64.load $m64 (local.get 0)))
  (func (export "store64") (param i64 i32)
    (i32.store8 $m64 (local.get 0) (local.get 1)))
  (func (export "load0") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load2") (param i32) (result i32)
    (i32.load8_u $m2 (local.get 0)))
  (func (export "size64") (result i64) (memory.size $m64))
  (func (export "size2") (result i32) (memory.size $m2))
  (func (export "grow64") (param i64) (result i64)
    (memory.grow $m64 (local.get 0)))
  (func (export "copy_64_to_0") (param i32 i64 i32)
    (memory.copy $m0 $m64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_2_to_2") (param i32 i32 i32)
    (memory.copy $m2 $m2 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_64_to_64") (param i64 i64 i64)
    (memory.copy $m64 $m64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill64") (param i64 i32 i64)
    (memory.fill $m64 (local.get 0) (local.get 1) (local.get 2)))
)

;; 2^32 + k is out of bounds however small k is; so is any offset past it.
(assert_return (invoke "load64" (i64.const 1)) (i32.const 0x62))
(assert_trap (invoke "load64" (i64.const 0x100000000)) "out of bounds memory access")
(assert_trap (invoke "load64" (i64.const 0x100000001)) "out of bounds memory access")
(assert_trap (invoke "load64" (i64.const -1)) "out of bounds memory access")
(assert_trap (invoke "load64_off" (i64.const 1)) "out of bounds memory access")
(assert_trap (invoke "load64_off" (i64.const 0xffffffff00000001)) "out of bounds memory access")
(assert_trap (invoke "load64_off" (i64.const 0xffffffff00000000)) "out of bounds memory access")
(assert_return (invoke "load64_wide" (i64.const 0)) (i64.const 0x6867666564636261))
(assert_return (invoke "load64_wide" (i64.const 0xfff8)) (i64.const 0))
(assert_trap (invoke "load64_wide" (i64.const 0xfff9)) "out of bounds memory access")
(assert_trap (invoke "store64" (i64.const 0x10000) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "store64" (i64.const 0x100000000) (i32.const 1)) "out of bounds memory access")

;; memory 0 and memory 2 are their own memories.
(assert_return (invoke "load0" (i32.const 0)) (i32.const 0))
(assert_return (invoke "load2" (i32.const 0x10000)) (i32.const 0x69))
(assert_trap (invoke "load2" (i32.const 0x20000)) "out of bounds memory access")
(assert_return (invoke "size2") (i32.const 2))

;; Past the module's own maximum (70000 pages, under the engine's 16 GiB
;; limit for a memory64) the grow returns -1; a delta past 2^32 pages too;
;; the memory keeps its size.
(assert_return (invoke "grow64" (i64.const 70000)) (i64.const -1))
(assert_return (invoke "grow64" (i64.const 0x100000001)) (i64.const -1))
(assert_return (invoke "grow64" (i64.const -1)) (i64.const -1))
(assert_return (invoke "size64") (i64.const 1))
(assert_return (invoke "grow64" (i64.const 1)) (i64.const 1))
(assert_return (invoke "size64") (i64.const 2))
(assert_return (invoke "load64" (i64.const 0x1ffff)) (i32.const 0))

;; Between memories: from the 64-bit one into memory 0.
(invoke "copy_64_to_0" (i32.const 100) (i64.const 2) (i32.const 4))
(assert_return (invoke "load0" (i32.const 100)) (i32.const 0x63))
(assert_return (invoke "load0" (i32.const 103)) (i32.const 0x66))
(assert_trap (invoke "copy_64_to_0" (i32.const 0) (i64.const 0x100000000) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy_64_to_0" (i32.const 0xffff) (i64.const 0) (i32.const 2)) "out of bounds memory access")

;; Overlapping copies within one memory, both directions.
(invoke "copy_2_to_2" (i32.const 0x10001) (i32.const 0x10000) (i32.const 4))
(assert_return (invoke "load2" (i32.const 0x10001)) (i32.const 0x69))
(assert_return (invoke "load2" (i32.const 0x10004)) (i32.const 0x6c))
(invoke "copy_64_to_64" (i64.const 0) (i64.const 1) (i64.const 7))
(assert_return (invoke "load64" (i64.const 0)) (i32.const 0x62))
(assert_return (invoke "load64" (i64.const 6)) (i32.const 0x68))
(assert_return (invoke "load64" (i64.const 7)) (i32.const 0x68))
(assert_trap (invoke "copy_64_to_64" (i64.const 0) (i64.const 0x20000) (i64.const 1)) "out of bounds memory access")
(assert_trap (invoke "copy_64_to_64" (i64.const 0) (i64.const 0) (i64.const 0x100000000)) "out of bounds memory access")

(invoke "fill64" (i64.const 0x1fff0) (i32.const 7) (i64.const 16))
(assert_return (invoke "load64" (i64.const 0x1ffff)) (i32.const 7))
(assert_trap (invoke "fill64" (i64.const 0x1fff0) (i32.const 7) (i64.const 17)) "out of bounds memory access")
(assert_trap (invoke "fill64" (i64.const 0xffffffffffffffff) (i32.const 7) (i64.const 2)) "out of bounds memory access")

;; A memory64 grows past 4 GiB (its limit is max_memory64_bytes, not the
;; 4 GiB of 32-bit memories): 65,538 pages, accessible to the last byte,
;; and then to its declared maximum and no further.
(assert_return (invoke "grow64" (i64.const 65536)) (i64.const 2))
(assert_return (invoke "size64") (i64.const 65538))
(invoke "fill64" (i64.const 0x10001fff0) (i32.const 9) (i64.const 16))
(assert_return (invoke "load64" (i64.const 0x10001ffff)) (i32.const 9))
(assert_return (invoke "load64" (i64.const 0x1ffff)) (i32.const 7))
(assert_trap (invoke "load64" (i64.const 0x100020000)) "out of bounds memory access")
(assert_trap (invoke "fill64" (i64.const 0x10001fff0) (i32.const 7) (i64.const 17)) "out of bounds memory access")
(assert_return (invoke "grow64" (i64.const 4463)) (i64.const -1))
(assert_return (invoke "grow64" (i64.const 4462)) (i64.const 65538))
(assert_return (invoke "size64") (i64.const 70000))

;; A memory index out of range, in a memarg and in the bulk operations.
(assert_invalid
  (module (memory 1) (memory 1)
    (func (drop (i32.load8_u 2 (i32.const 0)))))
  "unknown memory")
(assert_invalid
  (module (memory 1) (func (drop (memory.size 1))))
  "unknown memory")
(assert_invalid
  (module (memory 1) (func (memory.fill 3 (i32.const 0) (i32.const 0) (i32.const 0))))
  "unknown memory")
;; An i32 address on a 64-bit memory is a type error.
(assert_invalid
  (module (memory i64 1) (func (drop (i32.load (i32.const 0)))))
  "type mismatch")
;; memory64 limits: at most 2^48 pages (in the binary: 2^48 + 1).
(assert_invalid
  (module binary "\00asm" "\01\00\00\00" "\05\0a\01\04\81\80\80\80\80\80\c0\00")
  "memory size")
;; A module minimum beyond the engine's limit is refused at instantiation:
;; 4 GiB for a 32-bit memory, 16 GiB (the default max_memory64_bytes) for
;; a memory64, which may start past 4 GiB.
(assert_unlinkable (module (memory i64 0x4_0001)) "exceeds the limit")
(module (memory i64 0x1_0001))

;; table64: indices at and past 2^32 are out of bounds, never wrapped.
(module
  (table $t i64 2 funcref)
  (type $r (func (result i32)))
  (func $seven (result i32) (i32.const 7))
  (elem (table $t) (i64.const 1) func $seven)
  (func (export "call") (param i64) (result i32)
    (call_indirect $t (type $r) (local.get 0)))
  (func (export "size") (result i64) (table.size $t))
  (func (export "grow") (param i64) (result i64)
    (table.grow $t (ref.null func) (local.get 0)))
  (func (export "isnull") (param i64) (result i32)
    (ref.is_null (table.get $t (local.get 0))))
)
(assert_return (invoke "call" (i64.const 1)) (i32.const 7))
(assert_trap (invoke "call" (i64.const 0)) "uninitialized element")
(assert_trap (invoke "call" (i64.const 0x100000001)) "undefined element")
(assert_trap (invoke "isnull" (i64.const 0x100000000)) "out of bounds table access")
(assert_return (invoke "size") (i64.const 2))
(assert_return (invoke "grow" (i64.const 0x100000000)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 3)) (i64.const 2))
(assert_return (invoke "size") (i64.const 5))
