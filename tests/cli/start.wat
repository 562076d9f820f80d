;; start.wat — a command module: `weft run` calls its _start.
(module
  (memory 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 1)))
  (func (export "answer") (result i32) (i32.const 42)))
