;; invalid.wat — well formed but invalid (returns i64 where i32 is
;; declared); assembled with `wat2wasm --no-check`.
(module
  (func (export "bad") (result i32) (i64.const 0)))
