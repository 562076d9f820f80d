#!/usr/bin/env bash
# regress.sh — runs tests/fuzz-diff/regress/*.wat through fd_run, in the
# interpreter and in AoT, and compares the canonical lines with
# regress/NAME.expected (README.md); then all of them, each twice, through
# one `fd_run --aot-batch`. Each file is four tests. Ends with one line
# "N passed, N failed"; exits non-zero when anything failed.
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

# The same modules through `fd_run --aot-batch` (the driver's batched AoT:
# one build for all, each run in a child), twice each so a batch has
# more than one entry even with one file: every output must match its
# .expected and every status line say 0.
set --
for wasm in "$TMP"/*.wasm; do
    [ -f "$wasm" ] || continue
    name=$(basename "$wasm" .wasm)
    set -- "$@" "$wasm" "$TMP/$name.batch1" "$wasm" "$TMP/$name.batch2"
done
if [ $# -gt 0 ]; then
    if "$FD_RUN" --aot-batch "$@" >"$TMP/batch.status" 2>&1 &&
        [ "$(grep -c ' 0$' "$TMP/batch.status")" -eq $(($# / 2)) ]; then
        for wasm in "$TMP"/*.wasm; do
            name=$(basename "$wasm" .wasm)
            for k in 1 2; do
                if cmp -s "$TMP/$name.batch$k" \
                    "tests/fuzz-diff/regress/$name.expected"; then
                    pass=$((pass + 1))
                else
                    echo "FAIL $name (aot-batch, entry $k):"
                    diff "tests/fuzz-diff/regress/$name.expected" \
                        "$TMP/$name.batch$k" | head -10
                    fail=$((fail + 1))
                fi
            done
        done
    else
        echo "FAIL aot-batch: $(head -3 "$TMP/batch.status")"
        fail=$((fail + 1))
    fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
