;; memory64_big.wat — a 64-bit memory past 4 GiB, used sparsely.
;;
;; Memory 0 is a small 32-bit memory for WASI's buffers; memory 1 ($big)
;; is a memory64 that starts at one page and grows to 6 GiB, then to the
;; engine's default memory64 limit of 16 GiB, touching only a few MiB.
;; _start writes and reads above 4 GiB (a strided walk, the last bytes,
;; an address that would alias a low one if addresses were cut to 32
;; bits), runs memory.fill/copy across the 4 GiB line and up to the end,
;; checks memory.size and the grows that must fail, and prints one line
;; with a checksum; any wrong value exits with a status naming the check.
;; The oob_* exports each grow to 6 GiB and then access past the end: each
;; must trap "out of bounds memory access". tests/wasm3/run.sh runs them.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory $io 1)
  (memory $big i64 1)
  (export "memory" (memory $io))

  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $proc_exit (local.get $code)))))

  ;; Grow $big from its first page to 6 GiB (98304 pages).
  (func $grow6 (result i64)
    (memory.grow $big (i64.const 98303)))

  ;; $io[off..off+16) = the hex digits of v
  (func $hex (param $off i32) (param $v i64)
    (local $i i32) (local $d i32)
    (loop $l
      (local.set $d (i32.wrap_i64 (i64.and
        (i64.shr_u (local.get $v) (i64.extend_i32_u
          (i32.shl (i32.sub (i32.const 15) (local.get $i)) (i32.const 2))))
        (i64.const 15))))
      (i32.store8 $io (i32.add (local.get $off) (local.get $i))
        (i32.add (local.get $d)
          (select (i32.const 87) (i32.const 48) (i32.gt_u (local.get $d) (i32.const 9)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 16)))))

  ;; "memory64 pages=XXXXXXXXXXXXXXXX sum=XXXXXXXXXXXXXXXX\n" at $io 100
  (data $io (i32.const 100) "memory64 pages=0000000000000000 sum=0000000000000000\n")

  (func $print (param $pages i64) (param $sum i64)
    (call $hex (i32.const 115) (local.get $pages))
    (call $hex (i32.const 136) (local.get $sum))
    (i32.store $io (i32.const 0) (i32.const 100))
    (i32.store $io (i32.const 4) (i32.const 53))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (local $i i64) (local $a i64) (local $sum i64)
    (call $check (i64.eq (call $grow6) (i64.const 1)) (i32.const 10))
    (call $check (i64.eq (memory.size $big) (i64.const 98304)) (i32.const 11))
    ;; low and high twins: 0x10 and 4 GiB + 0x10 must be different bytes
    (i64.store $big (i64.const 0x10) (i64.const 0x1111111111111111))
    (i64.store $big (i64.const 0x100000010) (i64.const 0x2222222222222222))
    (call $check (i64.eq (i64.load $big (i64.const 0x10))
                         (i64.const 0x1111111111111111)) (i32.const 12))
    ;; a static offset above 4 GiB on a small address
    (call $check (i64.eq (i64.load $big offset=0x100000000 (i64.const 0x10))
                         (i64.const 0x2222222222222222)) (i32.const 13))
    ;; the last 8 bytes of 6 GiB
    (i64.store $big (i64.const 0x17ffffff8) (i64.const 0x0123456789abcdef))
    ;; a strided walk over 1 GiB above 4 GiB: 4096 stores 262,147 bytes apart
    (local.set $i (i64.const 0))
    (loop $w
      (local.set $a (i64.add (i64.const 0x100000100)
                             (i64.mul (local.get $i) (i64.const 262147))))
      (i64.store $big (local.get $a)
        (i64.mul (i64.add (local.get $i) (i64.const 1)) (i64.const 0x9e3779b97f4a7c15)))
      (i32.store16 $big offset=8 (local.get $a) (i32.wrap_i64 (local.get $i)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $w (i64.lt_u (local.get $i) (i64.const 4096))))
    ;; read it back into the checksum
    (local.set $i (i64.const 0))
    (loop $r
      (local.set $a (i64.add (i64.const 0x100000100)
                             (i64.mul (local.get $i) (i64.const 262147))))
      (local.set $sum (i64.add (i64.rotl (local.get $sum) (i64.const 7))
        (i64.xor (i64.load $big (local.get $a))
                 (i64.load16_u $big offset=8 (local.get $a)))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $r (i64.lt_u (local.get $i) (i64.const 4096))))
    (local.set $sum (i64.xor (local.get $sum) (i64.load $big (i64.const 0x17ffffff8))))
    ;; fill 64 KiB at 5 GiB, copy it to the last 64 KiB, check the last byte
    (memory.fill $big (i64.const 0x140000000) (i32.const 0x5a) (i64.const 0x10000))
    (memory.copy $big $big (i64.const 0x17fff0000) (i64.const 0x140000000) (i64.const 0x10000))
    (call $check (i32.eq (i32.load8_u $big (i64.const 0x17fffffff)) (i32.const 0x5a)) (i32.const 14))
    ;; a copy across the 4 GiB line: 32 bytes from 4 GiB - 16
    (i64.store $big (i64.const 0xfffffff0) (i64.const 0x0a0b0c0d0e0f1011))
    (i64.store $big (i64.const 0x100000000) (i64.const 0x3333333333333333))
    (memory.copy $big $big (i64.const 0x120000000) (i64.const 0xfffffff0) (i64.const 32))
    (call $check (i64.eq (i64.load $big (i64.const 0x120000000)) (i64.const 0x0a0b0c0d0e0f1011)) (i32.const 15))
    (call $check (i64.eq (i64.load $big (i64.const 0x120000010)) (i64.const 0x3333333333333333)) (i32.const 16))
    (local.set $sum (i64.add (local.get $sum) (i64.load $big (i64.const 0x120000008))))
    ;; growing past the 16 GiB limit fails and changes nothing
    (call $check (i64.eq (memory.grow $big (i64.const 163841)) (i64.const -1)) (i32.const 17))
    (call $check (i64.eq (memory.size $big) (i64.const 98304)) (i32.const 18))
    ;; a delta past 2^32 pages fails too
    (call $check (i64.eq (memory.grow $big (i64.const 0x100000001)) (i64.const -1)) (i32.const 19))
    ;; to exactly 16 GiB, then the last byte of it
    (call $check (i64.eq (memory.grow $big (i64.const 163840)) (i64.const 98304)) (i32.const 20))
    (call $check (i64.eq (memory.size $big) (i64.const 262144)) (i32.const 21))
    (i64.store $big (i64.const 0x3fffffff8) (i64.const 0x7766554433221100))
    (call $check (i64.eq (i64.load $big (i64.const 0x3fffffff8)) (i64.const 0x7766554433221100)) (i32.const 22))
    (call $check (i32.eqz (i32.load8_u $big (i64.const 0x200000000))) (i32.const 23))
    (call $check (i64.eq (memory.grow $big (i64.const 1)) (i64.const -1)) (i32.const 24))
    (call $print (memory.size $big) (local.get $sum)))

  ;; Each traps: an access or bulk operation past the end of 6 GiB.
  (func (export "oob_load") (result i64)
    (drop (call $grow6))
    (i64.load $big (i64.const 0x17ffffff9)))
  (func (export "oob_offset") (result i32)
    (drop (call $grow6))
    (i32.load8_u $big offset=0x180000000 (i64.const 0)))
  (func (export "oob_store")
    (drop (call $grow6))
    (i32.store16 $big (i64.const 0x17fffffff) (i32.const 1)))
  (func (export "oob_wrap") (result i64)
    ;; address + offset wraps past 2^64: out of bounds, not address 7
    (drop (call $grow6))
    (i64.load $big offset=8 (i64.const -1)))
  (func (export "oob_fill")
    (drop (call $grow6))
    (memory.fill $big (i64.const 0x17ffffff0) (i32.const 0) (i64.const 17)))
  (func (export "oob_copy")
    (drop (call $grow6))
    (memory.copy $big $big (i64.const 0) (i64.const 0x17ffffff0) (i64.const 17)))
  ;; memory.grow by `delta` pages from one page (--max-memory cases).
  (func (export "grow_by") (param $delta i64) (result i64)
    (memory.grow $big (local.get $delta)))
  ;; In bounds: the last 8 bytes, 0 in a fresh memory.
  (func (export "last_ok") (result i64)
    (drop (call $grow6))
    (i64.load $big (i64.const 0x17ffffff8)))
)
