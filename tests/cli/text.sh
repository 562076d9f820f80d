#!/usr/bin/env bash
# text.sh — the text format in the CLI: `weft run app.wat` (WASI, --invoke),
# text recognised by content, malformed text reported with line:column and
# exit status 2, `weft wat2wasm`, and `weft wast` on small scripts.
source "$(dirname "$0")/helpers.bash"

H=tests/cli/hello_text.wat
weft run "$H"
expect_status 0 "run a .wat WASI command"
expect_stdout "hello from text" "its output"
weft "$H"
expect_stdout "hello from text" "weft FILE.wat is weft run FILE.wat"
check_invoke -42 "$H" mul 6 -7

# text recognised by its content, whatever the name
cp "$H" "$TMP/hello.module"
weft run "$TMP/hello.module"
expect_stdout "hello from text" "text without the .wat suffix"

# malformed text: file:line:col and exit status 2, as other load errors
printf '(module\n  (func (export "f")\n    i32.const 1 i32.bogus))\n' >"$TMP/bad.wat"
weft run --invoke f "$TMP/bad.wat"
expect_status 2 "malformed .wat exits 2"
expect_stderr_has "bad.wat:3:17: unknown operator i32.bogus" "line:col in the message"
printf '(module (func (result i32)))' >"$TMP/invalid.wat"
weft run --invoke f "$TMP/invalid.wat"
expect_status 2 "an invalid .wat module exits 2"
expect_stderr_has "invalid" "validation message"
weft validate "$TMP/bad.wat"
expect_status 2 "validate a malformed .wat"

# wat2wasm, then the binary runs
weft wat2wasm "$H" -o "$TMP/hello.wasm"
expect_status 0 "wat2wasm"
weft run "$TMP/hello.wasm"
expect_stdout "hello from text" "the binary made by wat2wasm"
weft wat2wasm "$TMP/bad.wat" -o "$TMP/bad.wasm"
expect_status 2 "wat2wasm of malformed text"

# validate, inspect and compile take text too
weft validate "$H"
expect_stdout "$H: valid" "validate a .wat"
weft inspect "$H"
expect_stdout_has "import" "inspect a .wat (its encoding)"
cp "$H" "$TMP/hc.wat"
weft compile "$TMP/hc.wat"
expect_status 0 "compile a .wat"
weft run --allow-precompiled "$TMP/hc.cwasm"
expect_stdout "hello from text" "the artifact of a .wat runs"
weft run --aot "$H"
expect_stdout "hello from text" "run --aot on a .wat"

# weft wast: counts per file, a failing assertion fails the run
cat >"$TMP/ok.wast" <<'WAST'
(module $m (func (export "f") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))
(assert_return (invoke "f" (i32.const 21)) (i32.const 42))
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_malformed (module quote "(func i32.const)") "unexpected token")
(assert_invalid (module (func (result i32))) "type mismatch")
(module $t (tag $e (param i32)) (func (export "t") (throw $e (i32.const 1))))
(assert_exception (invoke "t"))
(module definition $D (global (export "g") (mut i32) (i32.const 5)))
(module instance $I1 $D)
(module instance $I2 $D)
(assert_return (get $I2 "g") (i32.const 5))
(assert_return (invoke $m "f" (i32.const 1)) (either (i32.const 3) (i32.const 2)))
WAST
weft wast "$TMP/ok.wast"
expect_status 0 "weft wast on a passing script"
expect_stdout_has "ok.wast: 12 passed, 0 failed (module 5/5, return 3/3," "per-file line"
expect_stdout_has "exception 1/1)" "assert_exception counted"
expect_stdout_re "^12 passed, 0 failed$" "closing line"
cat >"$TMP/bad.wast" <<'WAST'
(module (func (export "f") (result i32) (i32.const 1)))
(assert_return (invoke "f") (i32.const 2))
(assert_malformed (module quote "(func)") "accepted text")
(assert_return (invoke "f") (either (i32.const 3) (i32.const 2)))
(assert_return (invoke "f") (i32.const 1) (i33.const 1))
WAST
weft wast "$TMP/bad.wast"
expect_status 1 "weft wast on a failing script"
expect_stdout_has "bad.wast: 1 passed, 4 failed" "failures are counted"
expect_stdout_has "not understood 1" "a command that cannot be read fails"
expect_stdout_has "bad.wast:2: result 0: expected i32:0x00000002, got i32:0x00000001" "the failure names the line"
printf '(module "' >"$TMP/broken.wast"
weft wast "$TMP/broken.wast"
expect_status 1 "an unreadable script"
expect_stdout_has "broken.wast:1:9: unclosed string" "its position"

weft help run
expect_stdout_has ".wat" "weft help run documents text modules"
done_testing
