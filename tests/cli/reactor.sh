#!/usr/bin/env bash
# reactor.sh — `weft run --invoke NAME` on a WASI reactor (a module that
# exports `_initialize`) calls `_initialize` first, as wasmtime does, so C
# constructors run; commands (no _initialize) are unchanged.
source "$(dirname "$0")/helpers.bash"

cat >"$TMP/reactor.wat" <<'WAT'
(module
  (global $g (mut i32) (i32.const 1))
  (func (export "_initialize")
    (global.set $g (i32.mul (global.get $g) (i32.const 42))))
  (func (export "get") (result i32) (global.get $g)))
WAT
weft run --invoke get "$TMP/reactor.wat"
expect_status 0 "reactor: runs"
expect_stdout 42 "reactor: _initialize ran once before get"
# invoking _initialize itself runs it once, not twice
weft run --invoke _initialize "$TMP/reactor.wat"
expect_status 0 "reactor: --invoke _initialize"
expect_stdout "" "reactor: _initialize has no results"

cat >"$TMP/trapinit.wat" <<'WAT'
(module
  (func (export "_initialize") unreachable)
  (func (export "get") (result i32) (i32.const 5)))
WAT
weft run --invoke get "$TMP/trapinit.wat"
expect_status 3 "reactor: a trap in _initialize ends the run"
expect_stdout "" "reactor: get not called after a failed _initialize"
expect_stderr_has "unreachable" "reactor: the trap is reported"

cat >"$TMP/badinit.wat" <<'WAT'
(module
  (func (export "_initialize") (param i32))
  (func (export "get") (result i32) (i32.const 5)))
WAT
weft run --invoke get "$TMP/badinit.wat"
expect_status 1 "reactor: _initialize of the wrong type"
expect_stderr_has "'_initialize' must take and return nothing" \
    "reactor: wrong type named"

# A C reactor from clang's -mexec-model=reactor: its constructor runs.
CLANG=${CLANG:-clang-19}
command -v "$CLANG" >/dev/null 2>&1 || CLANG=/usr/lib/llvm-19/bin/clang
SYSROOT=/usr
if [ -x "$(command -v "$CLANG")" ] &&
    [ -f "$SYSROOT/include/wasm32-wasi/stdio.h" ]; then
    cat >"$TMP/reactor.c" <<'C'
#include <stdio.h>
static int ready = 7;
__attribute__((constructor)) static void init(void) { ready = 42; }
__attribute__((export_name("get"))) int get(void) {
  printf("constructed %d\n", ready);
  return ready + 1;
}
C
    if "$CLANG" --target=wasm32-wasi --sysroot="$SYSROOT" \
        -mexec-model=reactor -O1 -o "$TMP/reactor_c.wasm" "$TMP/reactor.c"; then
        weft run --invoke get "$TMP/reactor_c.wasm"
        expect_status 0 "C reactor: runs"
        expect_stdout "constructed 42
43" "C reactor: the constructor ran before get"
    else
        last_cmd="$CLANG -mexec-model=reactor" status=1 stdout="" stderr=""
        not_ok "C reactor: clang failed"
    fi
else
    echo "no clang-19 with wasi-libc: the C reactor is not built"
    echo "skipped: 1"
fi

done_testing
