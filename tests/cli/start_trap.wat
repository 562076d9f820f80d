;; start_trap.wat — _start traps: weft run exits with status 3.
(module
  (func (export "_start") (unreachable)))
