#!/usr/bin/env bash
# aot_depth.sh — compiled code counts call depth only in functions that can
# recur (src/aot/cgen_depth.c): every recursion still stops at
# --max-call-depth, through a cycle of two or three direct calls or through
# a table, in both bounds modes; frames of functions that cannot recur are
# not counted; and a long chain of them, which only the native stack
# check bounds, ends in the trap on a small stack, never a signal.
source "$(dirname "$0")/helpers.bash"

W=$(wasm aot_depth) || exit 1
CACHE=$TMP/cache
MODES=("--aot --cache-dir $CACHE" "--aot --explicit-bounds-checks --cache-dir $CACHE")

for mode in "${MODES[@]}"; do
    for f in ping cycle3; do
        # shellcheck disable=SC2086
        weft run $mode --max-call-depth 1000 --invoke $f "$W" 998
        expect_stdout 998 "$f 998 within 1000 frames ($mode)"
        # shellcheck disable=SC2086
        weft run $mode --max-call-depth 1000 --invoke $f "$W" 1000
        expect_status 3 "$f 1000 beyond 1000 frames traps ($mode)"
        expect_stderr_has "trap: call stack exhausted" "$f: the trap ($mode)"
    done
    # through the table only $through counts (it calls through the table;
    # $viatable is on no cycle of direct calls): stopped after 1000 of its
    # frames, 2000 of the cycle's (viatable N makes N frames of $through)
    # shellcheck disable=SC2086
    weft run $mode --max-call-depth 1000 --invoke viatable "$W" 1000
    expect_stdout 1000 "viatable: half its frames counted ($mode)"
    # shellcheck disable=SC2086
    weft run $mode --max-call-depth 1000 --invoke viatable "$W" 1001
    expect_status 3 "viatable 1001 traps ($mode)"
    expect_stderr_has "trap: call stack exhausted" "viatable: the trap ($mode)"
    # ping 999 is 1000 frames of the cycle; chain's two frames in front
    # of it cannot recur and are not counted (the interpreter counts them)
    # shellcheck disable=SC2086
    weft run $mode --max-call-depth 1000 --invoke chain "$W" 999
    expect_stdout 999 "frames that cannot recur are not counted ($mode)"
done

# A chain of 3000 functions that cannot recur, each keeping 16 values it
# loaded live across its call (the callee may store there, so they cannot
# be loaded again after it): about 0.4 MB of native stack, more than a
# 256 KiB stack holds. Only the stack check stops it there.
gen_chain() {
    local n=$1 i j
    echo "(module (memory 1)"
    echo "  (func (export \"chain\") (param i64) (result i64) (call \$f0 (local.get 0)))"
    for ((i = 0; i < n; i++)); do
        echo "  (func \$f$i (param i64) (result i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)"
        for ((j = 1; j <= 16; j++)); do
            echo "    (local.set $j (i64.load (i32.const $((8 * j)))))"
        done
        echo "    (i64.store (i32.const $((8 * (i % 16 + 1)))) (local.get 0))"
        if [ "$i" -lt $((n - 1)) ]; then
            echo "    (local.set 0 (call \$f$((i + 1)) (i64.add (local.get 0) (i64.const 1))))"
        fi
        printf '    (local.get 0)'
        for ((j = 1; j <= 16; j++)); do printf ' (local.get %d) (i64.xor)' "$j"; done
        echo ")"
    done
    echo ")"
}
gen_chain 3000 > "$TMP/chain.wat"
wat2wasm "$TMP/chain.wat" -o "$TMP/chain.wasm" || not_ok "chain.wat assembles"
for mode in "${MODES[@]}"; do
    # compile outside the small stack (the C compiler needs its own)
    # shellcheck disable=SC2086
    weft run $mode --invoke chain "$TMP/chain.wasm" 1
    expect_status 0 "the chain runs on the default stack ($mode)"
    # shellcheck disable=SC2086
    (ulimit -s 256 && exec timeout 120 "$WEFT" run $mode --invoke chain "$TMP/chain.wasm" 1) \
        >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    status=$?
    stderr=$(cat "$TMP/stderr")
    last_cmd="(ulimit -s 256) weft run $mode --invoke chain chain.wasm 1"
    expect_status 3 "the chain on a 256 KiB stack traps ($mode)"
    expect_stderr_has "trap: call stack exhausted" "chain on 256 KiB: the trap ($mode)"
done

done_testing
