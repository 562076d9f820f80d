;; sleeper.wat — prints "started" and then sleeps forever, 100 ms at a
;; time, with poll_oneoff on a clock (tests/oci/bundle.sh: a container that
;; runs until it is killed).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "started\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; subscription at 64: userdata 0, tag 0 (clock), clock id 1 (monotonic),
    ;; timeout 100 ms relative, precision 0, flags 0
    (i32.store8 (i32.const 72) (i32.const 0))
    (i32.store (i32.const 80) (i32.const 1))
    (i64.store (i32.const 88) (i64.const 100000000))
    (loop $forever
      (drop (call $poll (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 16)))
      (br $forever))))
