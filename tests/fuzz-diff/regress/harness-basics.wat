;; harness-basics.wat — pins fd_run's canonical output (README.md) for each
;; kind of event, in the interpreter and in AoT: logs of every type through
;; the fuzzing-support imports, multi-value results with raw float bits,
;; a v128 result, traps by kind, and hangLimitInitializer running before
;; every export (the counter is reset to 3 each time).
(module
  (import "fuzzing-support" "log-i32" (func $log-i32 (param i32)))
  (import "fuzzing-support" "log-i64" (func $log-i64 (param i64)))
  (import "fuzzing-support" "log-f32" (func $log-f32 (param f32)))
  (import "fuzzing-support" "log-f64" (func $log-f64 (param f64)))
  (import "fuzzing-support" "log-v128" (func $log-v128 (param v128)))
  (memory 1)
  (global $hang (mut i32) (i32.const 0))
  (func (export "logs")
    (call $log-i32 (i32.const -5))
    (call $log-i64 (i64.const -4294967296))
    (call $log-f32 (f32.const -0x1p-149))
    (call $log-f64 (f64.const nan:0x8000000000001))
    (call $log-v128 (v128.const i32x4 1 -1 0x7fc00000 0)))
  (func (export "multi") (param i32 f64) (result i32 i64 f32 f64)
    (local.get 0) (i64.const 9) (f32.const 1.5) (local.get 1))
  (func (export "vec") (result v128)
    (i32x4.splat (global.get $hang)))
  (func (export "oob") (result i32) (i32.load (i32.const 65535)))
  (func (export "div") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
  (func (export "conv") (result i32) (i32.trunc_f32_s (f32.const 3e9)))
  (func (export "unreachable") (unreachable))
  (func (export "hangLimitInitializer") (global.set $hang (i32.const 3))))
