#!/usr/bin/env bash
# wast_aot.sh — `weft wast --aot` compiles a script's modules together
# (cli/wast_aot.c): the verdicts are the interpreter's, in both bounds
# modes and with one or two translation units; identical modules, named
# modules importing each other, rejected modules and a trapping start are
# in one script. When the batch does not compile (a compiler that refuses
# batched C), every module is compiled alone and the verdicts do not
# change. Nothing is left in TMPDIR.
source "$(dirname "$0")/helpers.bash"

cat >"$TMP/batch.wast" <<'WAST'
(module $a (memory 1)
  (func $h (param i32) (result i32) (i32.add (local.get 0) (i32.const 11)))
  (func (export "f") (param i32) (result i32) (return_call $h (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
(assert_return (invoke "f" (i32.const 1)) (i32.const 12))
(assert_trap (invoke "load" (i32.const 65534)) "out of bounds memory access")
(register "a" $a)
(module $b (import "a" "f" (func $af (param i32) (result i32)))
  (func $h (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "f") (param i32) (result i32)
    (call $af (call $h (local.get 0)))))
(assert_return (invoke "f" (i32.const 2)) (i32.const 17))
(module (func (export "f") (param i32) (result i32) (local.get 0)))
(assert_return (invoke "f" (i32.const 5)) (i32.const 5))
(module (func (export "f") (param i32) (result i32) (local.get 0)))
(assert_return (invoke "f" (i32.const 6)) (i32.const 6))
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_unlinkable (module (import "a" "nope" (func))) "unknown import")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_return (invoke $b "f" (i32.const 0)) (i32.const 11))
WAST

weft wast "$TMP/batch.wast"
expect_status 0 "the script in the interpreter"
want=$(grep '^batch.wast:' <<<"$stdout")
[ -n "$want" ] && ok || not_ok "the interpreter's per-file line"

mkdir -p "$TMP/tmpdir"
for mode in --aot --aot-explicit; do
    for j in 1 2; do
        TMPDIR=$TMP/tmpdir weft wast $mode -v -j $j "$TMP/batch.wast"
        expect_status 0 "weft wast $mode -j $j"
        expect_stdout_has "$want" "weft wast $mode -j $j: the interpreter's counts"
        if grep -q "together failed" <<<"$stdout"; then
            not_ok "weft wast $mode -j $j: the modules compiled together"
        else
            ok
        fi
    done
done
[ -z "$(ls -A "$TMP/tmpdir")" ] && ok || not_ok "nothing left in TMPDIR"

# a compiler that refuses batched C: the modules are compiled one by one
cat >"$TMP/cc-nobatch" <<'SH'
#!/bin/sh
for a in "$@"; do
  case $a in *.c) grep -q 'batch entry' "$a" && exit 1 ;; esac
done
exec cc "$@"
SH
chmod +x "$TMP/cc-nobatch"
TMPDIR=$TMP/tmpdir weft wast --aot -v --cc "$TMP/cc-nobatch" "$TMP/batch.wast"
expect_status 0 "a batch that does not compile"
expect_stdout_has "compiling the modules together failed" "it says so (-v)"
expect_stdout_has "$want" "the same counts, compiled one by one"
[ -z "$(ls -A "$TMP/tmpdir")" ] && ok || not_ok "nothing left in TMPDIR after the failed batch"

weft wast --aot -j 0 "$TMP/batch.wast"
expect_status 1 "-j 0 is a usage error"
expect_stderr_has "-j wants 1 to 256" "which says what -j takes"
done_testing
