;; start_section_trap.wat — the start function traps during instantiation.
(module
  (func $init (i32.div_u (i32.const 1) (i32.const 0)) (drop))
  (start $init)
  (func (export "f") (result i32) (i32.const 1)))
