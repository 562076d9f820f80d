;; legacy_rethrow_call.wast — a legacy catch arm keeps its exception for
;; rethrow across calls. The callee's frame starts at its arguments on the
;; caller's operand stack, so the slot holding the caught exception must
;; lie below it (clang's C++ cleanup pads: catch_all, call a destructor,
;; rethrow 0). Before the fix the callee's locals overwrote it.

(module
  (tag $e (param i32))
  (tag $f (param i64))
  ;; many locals, all written: a frame that covers the caller's slots
  (func $scribble (param $x i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (i64.const 0x0d90)) (local.set 2 (i64.const 0x0d90))
    (local.set 3 (i64.const 0x0d90)) (local.set 4 (i64.const 0x0d90))
    (local.set 5 (i64.const 0x0d90)) (local.set 6 (i64.const 0x0d90))
    (local.set 7 (i64.const 0x0d90)) (local.set 8 (i64.const 0x0d90))
    (local.set 9 (i64.const 0x0d90)) (local.set 10 (i64.const 0x0d90))
    (local.set 11 (i64.const 0x0d90)) (local.set 12 (i64.const 0x0d90))
    (i32.add (local.get $x) (i32.wrap_i64 (local.get 12))))
  ;; catch_all, a call, rethrow: the cleanup pad of a C++ destructor
  (func $cleanup (param i32)
    (try
      (do (throw $e (local.get 0)))
      (catch_all
        (drop (call $scribble (i32.const 1)))
        (rethrow 0))))
  ;; catch with the payload on the stack under the call's arguments
  (func $typed (param i64) (result i64)
    (try (result i64)
      (do (throw $f (local.get 0)))
      (catch $f
        (drop (call $scribble (i32.const 2)))
        (drop (call $scribble (i32.const 3)))
        (rethrow 0))))
  ;; nested arms: the outer exception held while the inner one is handled
  (func $nested (param i32)
    (try
      (do (throw $e (local.get 0)))
      (catch $e
        (drop)
        (try
          (do (throw $f (i64.const 5)))
          (catch_all
            (drop (call $scribble (i32.const 4)))))
        (drop (call $scribble (i32.const 5)))
        (rethrow 0))))
  (func (export "cleanup") (param i32) (result i32)
    (try (result i32)
      (do (call $cleanup (local.get 0)) (i32.const -1))
      (catch $e)))
  (func (export "typed") (param i64) (result i64)
    (try (result i64)
      (do (drop (call $typed (local.get 0))) (i64.const -1))
      (catch $f)))
  (func (export "nested") (param i32) (result i32)
    (try (result i32)
      (do (call $nested (local.get 0)) (i32.const -1))
      (catch $e)))
)
(assert_return (invoke "cleanup" (i32.const 42)) (i32.const 42))
(assert_return (invoke "typed" (i64.const 0x123456789)) (i64.const 0x123456789))
(assert_return (invoke "nested" (i32.const 7)) (i32.const 7))
