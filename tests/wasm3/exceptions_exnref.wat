;; exceptions_exnref.wat — the shape of C++ exceptions in the standard
;; (3.0) encoding, which clang 19 cannot emit yet (it emits the legacy
;; try/catch/rethrow that cxx/exceptions.cpp exercises): every frame
;; has a cleanup pad (try_table catch_all_ref, a "destructor" call, then
;; throw_ref), handlers catch by tag with a payload, a handler rethrows the
;; caught exnref after calls, a new exception is thrown while one is held,
;; and one throw goes through call_indirect and return_call. Prints a
;; trail per scenario; tests/wasm3/run.sh compares it with
;; exceptions_exnref.expected. The export "uncaught" throws with no
;; handler: weft traps "uncaught exception".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (tag $error (param i32))    ;; a payload: the error code
  (tag $io (param i32 i32))   ;; two values: code and errno
  (global $len (mut i32) (i32.const 0)) ;; trail length, text at 64
  (table 2 funcref)
  (elem (i32.const 0) $dive $thrower)
  (type $dive_t (func (param i32 i32)))

  (func $putc (param $c i32)
    (i32.store8 (i32.add (i32.const 64) (global.get $len)) (local.get $c))
    (global.set $len (i32.add (global.get $len) (i32.const 1))))
  (func $puts (param $p i32) (param $n i32)
    (loop $l
      (if (local.get $n) (then
        (call $putc (i32.load8_u (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))))
  ;; a decimal number, up to 10 digits
  (func $putn (param $v i32)
    (if (i32.ge_u (local.get $v) (i32.const 10))
      (then (call $putn (i32.div_u (local.get $v) (i32.const 10)))))
    (call $putc (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10)))))
  ;; "name:trail\n" to stdout (four iovecs at 0), trail reset
  (func $flush (param $name i32) (param $n i32)
    (i32.store (i32.const 0) (local.get $name))
    (i32.store (i32.const 4) (local.get $n))
    (i32.store (i32.const 8) (i32.const 2000))  ;; ':'
    (i32.store (i32.const 12) (i32.const 1))
    (i32.store (i32.const 16) (i32.const 64))    ;; the trail
    (i32.store (i32.const 20) (global.get $len))
    (i32.store (i32.const 24) (i32.const 2001))  ;; '\n'
    (i32.store (i32.const 28) (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 4) (i32.const 32)))
    (global.set $len (i32.const 0)))
  (data (i32.const 2000) ":\n")
  ;; " ~N": a guard's destructor
  (func $dtor (param $d i32)
    (call $putc (i32.const 32)) (call $putc (i32.const 126)) (call $putn (local.get $d)))
  ;; a frame with many locals: cleanup code calls things before rethrowing
  (func $scribble (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 0 (i64.const -1)) (local.set 1 (i64.const -1))
    (local.set 2 (i64.const -1)) (local.set 3 (i64.const -1))
    (local.set 4 (i64.const -1)) (local.set 5 (i64.const -1))
    (local.set 6 (i64.const -1)) (local.set 7 (i64.const -1))
    (i32.wrap_i64 (local.get 7)))

  ;; Depth frames, each with a cleanup pad; the last throws $error (kind
  ;; 0) or $io (kind 1).
  (func $dive (param $d i32) (param $kind i32)
    (local $x exnref)
    (local.set $x
      (block $cleanup (result exnref)
        (try_table (catch_all_ref $cleanup)
          (if (i32.eqz (local.get $d)) (then
            (if (local.get $kind)
              (then (throw $io (i32.const 28) (i32.const 5)))
              (else (throw $error (i32.const 7))))))
          (call $dive (i32.sub (local.get $d) (i32.const 1)) (local.get $kind)))
        (call $dtor (local.get $d))
        (return)))
    (call $dtor (local.get $d))
    (drop (call $scribble))
    (throw_ref (local.get $x)))

  ;; " E<code>" or " IO<code>/<errno>"
  (func $caught_error (param $code i32)
    (call $putc (i32.const 32)) (call $putc (i32.const 69)) (call $putn (local.get $code)))
  (func $caught_io (param $code i32) (param $errno i32)
    (call $putc (i32.const 32)) (call $putc (i32.const 73)) (call $putc (i32.const 79))
    (call $putn (local.get $code)) (call $putc (i32.const 47)) (call $putn (local.get $errno)))

  ;; catch by tag: the first clause whose tag matches
  (func $by_tag (param $kind i32)
    (block $done
      (block $io_h (result i32 i32)
        (block $err_h (result i32)
          (try_table (catch $error $err_h) (catch $io $io_h)
            (call $dive (i32.const 4) (local.get $kind)))
          (br $done))
        (call $caught_error)
        (br $done))
      (call $caught_io)))

  ;; a handler that takes the exnref, calls, and rethrows it
  (func $middle
    (local $x exnref) (local $code i32)
    (block $h (result i32 exnref)
      (try_table (catch_ref $error $h)
        (call $dive (i32.const 2) (i32.const 0)))
      (return))
    (local.set $x)
    (local.set $code)
    (call $putc (i32.const 32)) (call $putc (i32.const 109)) (call $putn (local.get $code))
    (drop (call $scribble))
    (call $dtor (i32.const 99))
    (throw_ref (local.get $x)))
  (func $rethrow
    (block $h (result i32)
      (try_table (catch $error $h) (call $middle))
      (return))
    (call $putc (i32.const 32)) (call $putc (i32.const 111))
    (call $putn))

  ;; a new exception thrown from a handler while the first is held
  (func $nested
    (local $first exnref)
    (block $outer (result i32 i32)
      (try_table (catch $io $outer)
        (block $h (result i32 exnref)
          (try_table (catch_ref $error $h)
            (call $dive (i32.const 1) (i32.const 0)))
          (return))
        (local.set $first)
        (call $putc (i32.const 32)) (call $putc (i32.const 102)) (call $putn)
        (throw $io (i32.const 70) (i32.const 9)))
      (return))
    (call $caught_io))

  ;; through call_indirect and a tail call
  (func $thrower (param $d i32) (param $kind i32)
    (return_call_indirect (type $dive_t) (local.get $d) (local.get $kind) (i32.const 0)))
  (func $indirect
    (block $h (result i32 i32)
      (try_table (catch $io $h)
        (call_indirect (type $dive_t) (i32.const 3) (i32.const 1) (i32.const 1)))
      (return))
    (call $caught_io))

  ;; 30,000 throws, alternating tags: sum of 2i (even i, $error) and of
  ;; i - 1 (odd i, $io: code i, errno 1) = 674,955,000
  (func $many (result i32)
    (local $i i32) (local $sum i32) (local $a i32) (local $b i32)
    (loop $l
      (block $next
        (block $io_h (result i32 i32)
          (block $err_h (result i32)
            (try_table (catch $error $err_h) (catch $io $io_h)
              (if (i32.rem_u (local.get $i) (i32.const 2))
                (then (throw $io (local.get $i) (i32.const 1)))
                (else (throw $error (local.get $i)))))
            (br $next))
          (local.set $a)
          (local.set $sum (i32.add (local.get $sum) (i32.mul (local.get $a) (i32.const 2))))
          (br $next))
        (local.set $b)  ;; errno
        (local.set $a)  ;; code
        (local.set $sum (i32.add (local.get $sum) (i32.sub (local.get $a) (local.get $b)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 30000))))
    (local.get $sum))

  (data (i32.const 2100) "by tag")
  (data (i32.const 2110) "rethrow")
  (data (i32.const 2120) "nested")
  (data (i32.const 2130) "indirect")
  (data (i32.const 2140) "many")
  (func (export "_start")
    (call $by_tag (i32.const 0))
    (call $by_tag (i32.const 1))
    (call $flush (i32.const 2100) (i32.const 6))
    (call $rethrow)
    (call $flush (i32.const 2110) (i32.const 7))
    (call $nested)
    (call $flush (i32.const 2120) (i32.const 6))
    (call $indirect)
    (call $flush (i32.const 2130) (i32.const 8))
    (call $putc (i32.const 32))
    (call $putn (call $many))
    (call $flush (i32.const 2140) (i32.const 4)))
  (func (export "uncaught")
    (call $dive (i32.const 2) (i32.const 1)))
)
