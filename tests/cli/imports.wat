;; imports.wat — needs env.log, which the empty linker does not provide;
;; also gives `weft inspect` imports, a table, a global and data to show.
(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "mem" (memory 1))
  (table 2 funcref)
  (global $g (mut i32) (i32.const 0))
  (elem (i32.const 0) $f)
  (data (i32.const 16) "hello")
  (func $f (export "f") (call $log (i32.const 1)))
  (export "table" (table 0))
  (export "counter" (global $g)))
