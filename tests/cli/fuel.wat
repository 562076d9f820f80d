;; fuel.wat — blocks of known cost for tests/cli/fuel.sh.
(module
  ;; entry block: 3 instructions (i32.const, drop, end) when it returns
  (func (export "three") (i32.const 1) (drop))
  ;; loops n times; never returns when n = 0 (fuel stops it)
  (func (export "spin") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n))))
    (local.get $i)))
