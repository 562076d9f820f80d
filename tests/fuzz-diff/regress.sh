#!/usr/bin/env bash
# regress.sh — runs tests/fuzz-diff/regress/*.wat through fd_run, in the
# interpreter and in AoT, and compares the canonical lines with
# regress/NAME.expected (README.md). Each file is two tests. Ends with one
# line "N passed, N failed"; exits non-zero when anything failed.
#
# usage: tests/fuzz-diff/regress.sh    (FD_RUN=path to use a built fd_run;
#        BUILD=dir, default build; needs wat2wasm)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
FD_RUN=${FD_RUN:-$BUILD/fuzz-diff/fd_run}
if [ ! -x "$FD_RUN" ]; then
    make -s BUILD="$BUILD" "$FD_RUN" >/dev/null || {
        echo "regress.sh: cannot build $FD_RUN"
        echo "0 passed, 1 failed"
        exit 1
    }
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass=0
fail=0
for wat in tests/fuzz-diff/regress/*.wat; do
    [ -f "$wat" ] || continue
    name=$(basename "$wat" .wat)
    expected=tests/fuzz-diff/regress/$name.expected
    if ! wat2wasm "$wat" -o "$TMP/$name.wasm" 2>"$TMP/$name.err"; then
        echo "FAIL $name: wat2wasm: $(head -1 "$TMP/$name.err")"
        fail=$((fail + 2))
        continue
    fi
    for mode in interp aot; do
        flag=
        [ $mode = aot ] && flag=--aot
        if "$FD_RUN" $flag "$TMP/$name.wasm" >"$TMP/$name.$mode" 2>&1 &&
            cmp -s "$TMP/$name.$mode" "$expected"; then
            pass=$((pass + 1))
        else
            echo "FAIL $name ($mode):"
            diff "$expected" "$TMP/$name.$mode" | head -10
            fail=$((fail + 1))
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
