;; seal_prog.wat — a program that uses weft:seal (tests/seal/run.sh).
;;   --invoke seal POLICY AADLEN   seals stdin, writes the blob to stdout
;;   --invoke unseal AADLEN        unseals stdin, writes the plaintext
;;   --invoke hostile CASE         abuses the pointers; returns the errno,
;;                                 1000+errno when a byte of 0x8000..64K
;;                                 other than out_len (at 0xC000) changed,
;;                                 2000 when out_len is not the size needed
;; seal/unseal end with proc_exit(errno) on failure. AAD comes from a data
;; segment (AADLEN of its bytes). The MARKER segment is changed by the test
;; to make a module that differs in one data byte.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "weft:seal" "seal"
    (func $seal (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "weft:seal" "unseal"
    (func $unseal (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0..15 iovec and counters, 16 out_len, 0x100 AAD, 0x200 marker,
  ;; 0x1000 input (16 KiB), 0x5000 a blob for the hostile cases,
  ;; 0x8000..0x10000 output area (checked byte by byte in hostile cases)
  (data (i32.const 0x100) "aad:context-0123456789")
  (data (i32.const 0x200) "MARKER-A")

  (func $read_stdin (result i32)
    (local $n i32)
    (loop $more
      (i32.store (i32.const 0) (i32.add (i32.const 0x1000) (local.get $n)))
      (i32.store (i32.const 4) (i32.sub (i32.const 0x4000) (local.get $n)))
      (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
        (then (call $proc_exit (i32.const 100))))
      (local.set $n (i32.add (local.get $n) (i32.load (i32.const 8))))
      (br_if $more (i32.and (i32.ne (i32.load (i32.const 8)) (i32.const 0))
                            (i32.lt_u (local.get $n) (i32.const 0x4000)))))
    (local.get $n))

  (func $write_stdout (param $p i32) (param $len i32)
    (loop $more
      (if (i32.eqz (local.get $len)) (then (return)))
      (i32.store (i32.const 0) (local.get $p))
      (i32.store (i32.const 4) (local.get $len))
      (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
        (then (call $proc_exit (i32.const 101))))
      (local.set $p (i32.add (local.get $p) (i32.load (i32.const 8))))
      (local.set $len (i32.sub (local.get $len) (i32.load (i32.const 8))))
      (br $more)))

  (func (export "seal") (param $policy i32) (param $aad_len i32)
    (local $e i32)
    (local.set $e (call $seal (local.get $policy) (i32.const 0x100)
      (local.get $aad_len) (i32.const 0x1000) (call $read_stdin)
      (i32.const 0x8000) (i32.const 0x8000) (i32.const 16)))
    (if (local.get $e) (then (call $proc_exit (local.get $e))))
    (call $write_stdout (i32.const 0x8000) (i32.load (i32.const 16))))

  (func (export "unseal") (param $aad_len i32)
    (local $e i32)
    (local.set $e (call $unseal (i32.const 0x100) (local.get $aad_len)
      (i32.const 0x1000) (call $read_stdin)
      (i32.const 0x8000) (i32.const 0x8000) (i32.const 16)))
    (if (local.get $e) (then (call $proc_exit (local.get $e))))
    (call $write_stdout (i32.const 0x8000) (i32.load (i32.const 16))))

  ;; 1 when 0x8000..0x10000 still holds 0xAA everywhere.
  (func $untouched (result i32)
    (local $p i32)
    (local.set $p (i32.const 0x8000))
    (loop $more
      (if (i64.ne (i64.load (local.get $p)) (i64.const 0xAAAAAAAAAAAAAAAA))
        (then (return (i32.const 0))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br_if $more (i32.lt_u (local.get $p) (i32.const 0x10000))))
    (i32.const 1))

  ;; seal 10 input bytes into the blob area (0x5000, 80 bytes); errno
  (func $blob10 (result i32)
    (call $seal (i32.const 1) (i32.const 0x100) (i32.const 4)
      (i32.const 0x1000) (i32.const 10) (i32.const 0x5000) (i32.const 80)
      (i32.const 0x5100)))

  (func (export "hostile") (param $c i32) (result i32)
    (local $e i32) (local $need i32)
    (memory.fill (i32.const 0x1000) (i32.const 0x5a) (i32.const 10))
    (if (call $blob10) (then (return (i32.const 3000))))
    (memory.fill (i32.const 0x8000) (i32.const 0xAA) (i32.const 0x8000))
    (local.set $need (i32.const -1))
    ;; 1: output beyond the end of memory
    (if (i32.eq (local.get $c) (i32.const 1)) (then (local.set $e
      (call $seal (i32.const 1) (i32.const 0x100) (i32.const 4)
        (i32.const 0x1000) (i32.const 10) (i32.const 0xFFF6) (i32.const 100)
        (i32.const 0xC000)))))
    ;; 2: plaintext range wraps around 2^32
    (if (i32.eq (local.get $c) (i32.const 2)) (then (local.set $e
      (call $seal (i32.const 1) (i32.const 0x100) (i32.const 4)
        (i32.const 0xFFFFFFF0) (i32.const 0x20) (i32.const 0x8000)
        (i32.const 0x100) (i32.const 0xC000)))))
    ;; 3: AAD length 2^32-1
    (if (i32.eq (local.get $c) (i32.const 3)) (then (local.set $e
      (call $seal (i32.const 1) (i32.const 0) (i32.const -1)
        (i32.const 0x1000) (i32.const 10) (i32.const 0x8000)
        (i32.const 0x100) (i32.const 0xC000)))))
    ;; 4: out_len_ptr straddles the end of memory
    (if (i32.eq (local.get $c) (i32.const 4)) (then (local.set $e
      (call $seal (i32.const 1) (i32.const 0x100) (i32.const 4)
        (i32.const 0x1000) (i32.const 10) (i32.const 0x8000)
        (i32.const 0x100) (i32.const 0xFFFE)))))
    ;; 5: out_cap one byte short: ENOBUFS, out_len = 80
    (if (i32.eq (local.get $c) (i32.const 5)) (then
      (local.set $need (i32.const 80))
      (local.set $e
      (call $seal (i32.const 1) (i32.const 0x100) (i32.const 4)
        (i32.const 0x1000) (i32.const 10) (i32.const 0x8000)
        (i32.const 79) (i32.const 0xC000)))))
    ;; 6: a blob shorter than header + tag
    (if (i32.eq (local.get $c) (i32.const 6)) (then (local.set $e
      (call $unseal (i32.const 0x100) (i32.const 4) (i32.const 0x5000)
        (i32.const 69) (i32.const 0x8000) (i32.const 0x100) (i32.const 0xC000)))))
    ;; 7: unseal with out_cap one short: ENOBUFS, out_len = 10
    (if (i32.eq (local.get $c) (i32.const 7)) (then
      (local.set $need (i32.const 10))
      (local.set $e
      (call $unseal (i32.const 0x100) (i32.const 4) (i32.const 0x5000)
        (i32.const 80) (i32.const 0x8000) (i32.const 9) (i32.const 0xC000)))))
    ;; 8: unknown policy
    (if (i32.eq (local.get $c) (i32.const 8)) (then (local.set $e
      (call $seal (i32.const 3) (i32.const 0x100) (i32.const 4)
        (i32.const 0x1000) (i32.const 10) (i32.const 0x8000)
        (i32.const 0x100) (i32.const 0xC000)))))
    ;; 9: blob range wraps around 2^32
    (if (i32.eq (local.get $c) (i32.const 9)) (then (local.set $e
      (call $unseal (i32.const 0x100) (i32.const 4) (i32.const 0xFFFFFF00)
        (i32.const 0x200) (i32.const 0x8000) (i32.const 0x100)
        (i32.const 0xC000)))))
    ;; 10: output at 2^32-1
    (if (i32.eq (local.get $c) (i32.const 10)) (then (local.set $e
      (call $seal (i32.const 1) (i32.const 0x100) (i32.const 4)
        (i32.const 0x1000) (i32.const 10) (i32.const -1) (i32.const 1)
        (i32.const 0xC000)))))
    ;; 11: unseal's out_len_ptr wraps
    (if (i32.eq (local.get $c) (i32.const 11)) (then (local.set $e
      (call $unseal (i32.const 0x100) (i32.const 4) (i32.const 0x5000)
        (i32.const 80) (i32.const 0x8000) (i32.const 0x100)
        (i32.const 0xFFFFFFFE)))))
    ;; 12: unseal output beyond memory (cap reaches past the end)
    (if (i32.eq (local.get $c) (i32.const 12)) (then (local.set $e
      (call $unseal (i32.const 0x100) (i32.const 4) (i32.const 0x5000)
        (i32.const 80) (i32.const 0xFFFC) (i32.const 10) (i32.const 0xC000)))))
    ;; 13: the blob opened with a different AAD length: EBADMSG
    (if (i32.eq (local.get $c) (i32.const 13)) (then (local.set $e
      (call $unseal (i32.const 0x100) (i32.const 5) (i32.const 0x5000)
        (i32.const 80) (i32.const 0x8000) (i32.const 0x100) (i32.const 0xC000)))))
    (if (i32.ge_s (local.get $need) (i32.const 0)) (then
      (if (i32.ne (i32.load (i32.const 0xC000)) (local.get $need))
        (then (return (i32.const 2000))))
      (i32.store (i32.const 0xC000) (i32.const 0xAAAAAAAA))))
    (if (i32.eqz (call $untouched))
      (then (return (i32.add (i32.const 1000) (local.get $e)))))
    (local.get $e))

  ;; Exact fits at the very end of memory work, and what unseal returns is
  ;; what was sealed: 0, or 4000 + a step that failed.
  (func (export "edges") (result i32)
    (local $e i32)
    (memory.fill (i32.const 0x1000) (i32.const 0x5a) (i32.const 10))
    ;; a blob of 80 bytes ending exactly at 64 KiB
    (local.set $e (call $seal (i32.const 1) (i32.const 0x100) (i32.const 4)
      (i32.const 0x1000) (i32.const 10) (i32.const 0xFFB0) (i32.const 80)
      (i32.const 16)))
    (if (local.get $e) (then (return (i32.add (i32.const 4100) (local.get $e)))))
    (if (i32.ne (i32.load (i32.const 16)) (i32.const 80))
      (then (return (i32.const 4001))))
    ;; unsealed in place (the blob area is the output area), out_len in
    ;; the last 4 bytes of memory
    (local.set $e (call $unseal (i32.const 0x100) (i32.const 4) (i32.const 0xFFB0)
      (i32.const 80) (i32.const 0xFFB0) (i32.const 80) (i32.const 0xFFFC)))
    (if (local.get $e) (then (return (i32.add (i32.const 4200) (local.get $e)))))
    (if (i32.ne (i32.load (i32.const 0xFFFC)) (i32.const 10))
      (then (return (i32.const 4002))))
    (if (i64.ne (i64.load (i32.const 0xFFB0)) (i64.const 0x5a5a5a5a5a5a5a5a))
      (then (return (i32.const 4003))))
    (if (i32.ne (i32.load16_u (i32.const 0xFFB8)) (i32.const 0x5a5a))
      (then (return (i32.const 4004))))
    ;; an empty plaintext seals into exactly 70 bytes and opens to 0 bytes
    (local.set $e (call $seal (i32.const 1) (i32.const 0x100) (i32.const 0)
      (i32.const 0x1000) (i32.const 0) (i32.const 0x5000) (i32.const 70)
      (i32.const 16)))
    (if (local.get $e) (then (return (i32.add (i32.const 4300) (local.get $e)))))
    (local.set $e (call $unseal (i32.const 0x100) (i32.const 0) (i32.const 0x5000)
      (i32.load (i32.const 16)) (i32.const 0x8000) (i32.const 0) (i32.const 20)))
    (if (local.get $e) (then (return (i32.add (i32.const 4400) (local.get $e)))))
    (if (i32.ne (i32.load (i32.const 20)) (i32.const 0))
      (then (return (i32.const 4005))))
    (i32.const 0))
)
