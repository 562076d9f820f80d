;; bulk.wat — bulk memory and table operations for tests/cli/fuel_bulk.sh:
;; each export does one operation of the length it is given, so the fuel
;; used grows with that length; fill_loop repeats a 64 MiB memory.fill.
(module
  (memory 1024 1100)
  (table $t 1000 funcref)
  (data $d "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
  (elem $e func $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f)
  (func $f)
  (func (export "fill") (param i32)
    (memory.fill (i32.const 0) (i32.const 0xab) (local.get 0)))
  (func (export "copy") (param i32)
    (memory.copy (i32.const 1) (i32.const 0) (local.get 0)))
  (func (export "init") (param i32)
    (memory.init $d (i32.const 0) (i32.const 0) (local.get 0)))
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  (func (export "table_fill") (param i32)
    (table.fill $t (i32.const 0) (ref.func $f) (local.get 0)))
  (func (export "table_copy") (param i32)
    (table.copy $t $t (i32.const 1) (i32.const 0) (local.get 0)))
  (func (export "table_init") (param i32)
    (table.init $t $e (i32.const 0) (i32.const 0) (local.get 0)))
  (func (export "table_grow") (param i32) (result i32)
    (table.grow $t (ref.null func) (local.get 0)))
  ;; the first byte, to see that a fill that could not be paid wrote nothing
  (func (export "byte0") (result i32) (i32.load8_u (i32.const 0)))
  ;; n fills of 64 MiB (n = 0: endless); returns n
  (func (export "fill_loop") (param $n i32) (result i32) (local $i i32)
    (loop $again
      (memory.fill (i32.const 0) (local.get $i) (i32.const 0x4000000))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.ne (local.get $i) (local.get $n))))
    (local.get $i))
)
