#!/usr/bin/env bash
# validate.sh — `weft validate` on valid, invalid, malformed, missing and
# oversized inputs.
source "$(dirname "$0")/helpers.bash"

A=$(wasm arith) || exit 1
weft validate "$A"
expect_status 0 "valid module"
expect_stdout "$A: valid" "valid message"

BAD=$(wasm invalid --no-check) || exit 1
weft validate "$BAD"
expect_status 2 "invalid module"
expect_stderr_has "weft: $BAD: invalid module: " "invalid module message"
expect_stdout "" "nothing on stdout for an invalid module"

# truncated: magic, version, then a type section that claims 5 bytes
printf '\0asm\1\0\0\0\1\5\1' >"$OUT/truncated.wasm"
weft validate "$OUT/truncated.wasm"
expect_status 2 "truncated module"
expect_stderr_has "malformed module" "truncated module is malformed"

printf 'not wasm at all' >"$OUT/garbage.wasm"
weft validate "$OUT/garbage.wasm"
expect_status 2 "garbage"
expect_stderr_has "weft: $OUT/garbage.wasm: malformed module: " "garbage message"

: >"$OUT/empty.wasm"
weft validate "$OUT/empty.wasm"
expect_status 2 "empty file"

weft validate tests/cli/no-such-file.wasm
expect_status 1 "missing file"
expect_stderr_has "weft: tests/cli/no-such-file.wasm: cannot open: No such file or directory" "missing file message"

weft validate tests/cli
expect_status 1 "directory"
expect_stderr_has "not a regular file" "directory message"

weft validate "$A" "$(wasm start)"
expect_status 0 "several valid modules"
expect_stdout_has "start.wasm: valid" "second module reported"

weft validate "$A" "$BAD"
expect_status 2 "one of several modules invalid"

weft validate
expect_status 1 "no file"

# a file over the engine's module size limit is refused before loading
weft run --max-module-size 16 --invoke add "$A" 1 2
expect_status 1 "module larger than --max-module-size"
expect_stderr_has "file too large" "too large message"

done_testing
