;; capi_threads.wat — for capi_threads.c: per-instance state (a memory and
;; a mutable global) and a call back into the host.
(module
  (import "env" "add_one" (func $add_one (param i32) (result i32)))
  (memory 1)
  (global $calls (mut i32) (i32.const 0))
  ;; work(n): sum of add_one(i) for i < n, stored at address 0 and returned;
  ;; counts its calls in $calls.
  (func (export "work") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (call $add_one (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (i32.const 0) (local.get $sum))
    (local.get $sum))
  (func (export "calls") (result i32) (global.get $calls)))
