;; (ref.null exn) and (ref.null noexn) as values and result patterns, and
;; (ref.null) matching a null exnref (3.0).
(module (func (export "n") (result exnref) (ref.null exn)))
(assert_return (invoke "n") (ref.null exn))
(assert_return (invoke "n") (ref.null))
(assert_return (invoke "n") (ref.null noexn))
(module
  (func (export "is") (param exnref) (result i32) (ref.is_null (local.get 0))))
(assert_return (invoke "is" (ref.null exn)) (i32.const 1))
