#!/usr/bin/env bash
# stack_limits.sh — deep recursion ends in the trap "call stack exhausted"
# (exit status 3), never a signal, whatever the native stack (`ulimit -s`
# 256, 1024, 4096 KiB; compiled code takes the thread's real stack bounds,
# issue P7 finding 13); and a huge --max-call-depth costs nothing up
# front: hello world runs under a 1 GB address-space limit, and recursion
# still stops at the configured depth (finding 15).
source "$(dirname "$0")/helpers.bash"

A=$(wasm arith) || exit 1
H=$(wasm aot_wasi) || exit 1
CACHE=$TMP/cache

# limited "ULIMIT ARGS" WEFT-ARGS...: weft under ulimit; sets status etc.
limited() {
    local lim=$1
    shift
    # shellcheck disable=SC2086
    (ulimit $lim && exec timeout 120 "$WEFT" "$@") >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    status=$?
    stdout=$(cat "$TMP/stdout")
    stderr=$(cat "$TMP/stderr")
    last_cmd="(ulimit $lim) weft $*"
}

# compile once, outside the small stacks (the C compiler needs its own)
weft run --aot --cache-dir "$CACHE" --invoke recurse "$A" 1
weft run --aot --explicit-bounds-checks --cache-dir "$CACHE" --invoke recurse "$A" 1

MODES=("" "--aot --cache-dir $CACHE" "--aot --explicit-bounds-checks --cache-dir $CACHE")
for kib in 256 1024 4096; do
    for mode in "${MODES[@]}"; do
        # shellcheck disable=SC2086
        limited "-s $kib" run $mode --max-call-depth 100000000 --invoke recurse "$A" 100000000
        expect_status 3 "recursion on a $kib KiB stack traps ($mode)"
        expect_stderr_has "trap: call stack exhausted" "$kib KiB stack: the trap ($mode)"
        # shellcheck disable=SC2086
        limited "-s $kib" run $mode --invoke recurse "$A" 1000
        expect_stdout 1000 "recursion of 1000 on a $kib KiB stack ($mode)"
    done
done

# --max-call-depth 100000000 allocates nothing for the limit (guard pages
# reserve 8 GiB of address space, so only the modes without them). A
# sanitizer build cannot start under an address-space limit at all: then
# these cases are reported as skipped, not passed.
VMODES=("" "--aot --explicit-bounds-checks --cache-dir $CACHE")
limited "-v 1000000" --version
if [ "$status" != 0 ]; then
    echo "this weft does not start under ulimit -v (sanitizers?): the cases under it are skipped"
    echo "skipped: $((${#VMODES[@]} * 6))"
    VMODES=()
fi
for mode in "${VMODES[@]}"; do
    # shellcheck disable=SC2086
    limited "-v 1000000" run $mode --max-call-depth 100000000 "$H"
    expect_status 7 "hello with --max-call-depth 1e8 under 1 GB ($mode)"
    expect_stdout "hello from weft" "hello's output ($mode)"
    # shellcheck disable=SC2086
    limited "-v 1000000" run $mode --max-call-depth 100000 --invoke recurse "$A" 99999
    expect_stdout 99999 "recursion to the depth limit ($mode)"
    # shellcheck disable=SC2086
    limited "-v 1000000" run $mode --max-call-depth 100000 --invoke recurse "$A" 100000
    expect_status 3 "one frame beyond the depth limit traps ($mode)"
    expect_stderr_has "trap: call stack exhausted" "depth limit: the trap ($mode)"
done

done_testing
