#!/usr/bin/env bash
# features.sh — modules using proposals weft does not run are refused with
# the feature's name (status WEFT_ERR_UNSUPPORTED, exit 2), never as
# "malformed" or "illegal opcode"; components and legacy WASI likewise.
# Each module is a few hand-written bytes: the smallest use of the feature.
source "$(dirname "$0")/helpers.bash"

H='\0asm\1\0\0\0'
T='\1\4\1\x60\0\0\3\2\1\0' # type [] -> [], one function of it

# refused NAME BYTES TEXT: `weft validate` of BYTES fails naming TEXT
refused() {
    printf "$2" >"$TMP/$1.wasm"
    weft validate "$TMP/$1.wasm"
    expect_status 2 "$1: refused"
    expect_stderr_has "$3" "$1: names the feature"
    if grep -qiE 'malformed|illegal opcode|integer too large' <<<"$stderr"; then
        not_ok "$1: reported as a corrupt file"
    else
        ok
    fi
}

refused component '\0asm\x0d\0\1\0' \
    'a WebAssembly component, not a core module: weft runs core modules'
refused shared-memory "$H\5\4\1\3\1\1" 'unsupported feature: threads'
# i32.const 0; i32.atomic.load; drop
refused atomics "$H$T\5\3\1\0\1\x0a\x0b\1\x09\0\x41\0\xfe\x10\2\0\x1a\x0b" \
    'unsupported feature: threads'
refused gc-struct-type "$H\1\3\1\x5f\0" 'unsupported feature: gc'
refused gc-rec-type "$H\1\5\1\x4e\1\x5f\0" 'unsupported feature: gc'
refused gc-anyref-param "$H\1\5\1\x60\1\x6e\0" 'unsupported feature: gc'
refused gc-ref-eq-heap "$H\1\6\1\x60\1\x64\x6d\0" 'unsupported feature: gc'
refused gc-prefix "$H$T\x0a\7\1\5\0\xfb\x1c\x1a\x0b" 'unsupported feature: gc'
refused eh-nullexnref "$H\1\5\1\x60\1\x74\0" 'unsupported feature: gc'
# typed function references run (3.0): a (ref func) parameter is valid; a
# call_ref without its operand is invalid, not refused
printf "$H\1\6\1\x60\1\x64\x70\0" >"$TMP/ref-func-type.wasm"
weft validate "$TMP/ref-func-type.wasm"
expect_status 0 "ref-func-type: valid"
printf "$H$T\x0a\6\1\4\0\x14\0\x0b" >"$TMP/call-ref.wasm"
weft validate "$TMP/call-ref.wasm"
expect_status 2 "call-ref without operand: rejected"
expect_stderr_has "invalid module" "call-ref without operand: invalid"

# exception handling (3.0) runs: its smallest modules validate
accepted() {
    printf "$2" >"$TMP/$1.wasm"
    weft validate "$TMP/$1.wasm"
    expect_status 0 "$1: accepted"
}
accepted eh-tag-section "$H\1\4\1\x60\0\0\x0d\3\1\0\0"
accepted eh-try-table "$H$T\x0a\x08\1\6\0\x1f\x40\0\x0b\x0b"
accepted eh-exnref "$H\1\5\1\x60\1\x69\0"
# throw of a tag the module does not have
printf "$H$T\x0a\6\1\4\0\x08\0\x0b" >"$TMP/eh-throw.wasm"
weft validate "$TMP/eh-throw.wasm"
expect_status 2 "eh-throw: refused"
expect_stderr_has "unknown tag" "eh-throw: unknown tag"

# memory64, table64 and multiple memories run (3.0): the same bytes
# validate (tests/text/wasm3/memory64_multi.wast runs them)
accepted memory64 "$H\5\3\1\4\1"
accepted table64 "$H\4\4\1\x70\4\1"
accepted multi-memory "$H\5\5\2\0\1\0\1"
# i32.const 0; i32.load with a memory index (bit 6 of the alignment); drop
accepted multi-memory-memarg \
    "$H$T\5\3\1\0\1\x0a\x0b\1\x09\0\x41\0\x28\x42\0\0\x1a\x0b"

# garbage is still malformed
printf "$H\1\3\1\x5a\0" >"$TMP/bad-type.wasm"
weft validate "$TMP/bad-type.wasm"
expect_status 2 "unknown type form"
expect_stderr_has "malformed module" "unknown type form is malformed"

# legacy WASI: refused by name when linked, before anything runs
cat >"$TMP/unstable.wat" <<'WAT'
(module
  (import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
WAT
weft run "$TMP/unstable.wat"
expect_status 2 "wasi_unstable: refused"
expect_stderr_has 'unsupported feature: wasi_unstable (legacy WASI; rebuild for wasi_snapshot_preview1)' \
    "wasi_unstable: named"
expect_stdout "" "wasi_unstable: nothing ran"

done_testing
