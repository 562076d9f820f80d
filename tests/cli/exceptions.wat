;; exceptions.wat — tests/cli/exceptions.sh: exceptions thrown and caught
;; across frames in every engine, under fuel, and in snapshots.
(module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func $mid (param i32) (call $thrower (local.get 0)))
  ;; n throws, each across two frames, caught here: the payloads' sum
  (func (export "catches") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (block $h (result i32)
          (try_table (catch $e $h) (call $mid (local.get 0)))
          (i32.const 0))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  ;; a long loop inside one try_table body, then a throw it catches
  (func (export "inside") (param i32) (result i32) (local i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (loop $l
          (local.set 1 (i32.add (local.get 1) (local.get 0)))
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
        (call $thrower (local.get 1)))
      (i32.const -1)))
  ;; legacy: a long loop in a catch arm that rethrows its exception after
  (func (export "legacy") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (call $thrower (i32.const 5)) (i32.const -1))
          (catch $e
            (drop)
            (loop $l
              (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            (rethrow 0))))
      (catch $e)))
  (func (export "uncaught") (param i32) (call $thrower (local.get 0)))
)
