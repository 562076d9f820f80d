#!/usr/bin/env bash
# tailcall.sh — return_call and return_call_indirect in the interpreter and
# in compiled code (guard pages and explicit bounds checks): results,
# constant call depth (deep mutual recursion under --max-call-depth 50),
# fresh locals on a self tail call, multiple values, a host callee, and the
# same fuel in every engine.
source "$(dirname "$0")/helpers.bash"

W=$OUT/tailcall.wasm
"$WEFT" wat2wasm tests/cli/tailcall.wat -o "$W" || { echo "FAIL: wat2wasm"; exit 1; }
CACHE=$TMP/cache
MODES=("" "--aot --cache-dir $CACHE" "--aot --explicit-bounds-checks --cache-dir $CACHE")
fuel_used() { sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$1"; }

# ci EXPECTED OPTIONS... -- FUNC ARGS...: weft run $mode OPTIONS --invoke
ci() {
    local expected=$1 opts=()
    shift
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    local func=$1
    shift
    # shellcheck disable=SC2086
    weft run $mode "${opts[@]}" --invoke "$func" "$W" "$@"
    if [ "$status" -eq 0 ] && [ "$stdout" = "$expected" ]; then
        ok
    else
        not_ok "$func($*) should print '$expected' (${mode%% --cache-dir*})"
    fi
}

fuels=()
for mode in "${MODES[@]}"; do
    m=${mode%% --cache-dir*}
    ci 44 --max-call-depth 50 -- even 100000
    ci 99 --max-call-depth 50 -- odd 100000
    ci 99 --max-call-depth 50 -- even 1000001
    ci 44 --max-call-depth 50 -- ieven 100000
    ci 99 --max-call-depth 50 -- ieven 99999
    ci 0 --max-call-depth 50 -- count 1000000
    ci "$(printf '%s\n' 406 2)" --max-call-depth 50 -- ping 101 3
    ci "$(printf '%s\n' 3 1)" -- ping 0 3
    ci 0 -- host
    # shellcheck disable=SC2086
    weft run $mode --max-call-depth 50 --invoke deep "$W" 1000
    expect_status 3 "deep non-tail recursion traps ($m)"
    expect_stderr_has "call stack exhausted" "non-tail recursion is bounded ($m)"
    # shellcheck disable=SC2086
    weft run $mode --fuel 100000000 --account "$TMP/f.json" --invoke even "$W" 1001
    expect_stdout 99 "even under fuel ($m)"
    fuels+=("$(fuel_used "$TMP/f.json")")
done
last_cmd="fuel used by even 1001: ${fuels[*]}" status=0 stdout="" stderr=""
if [ "${fuels[0]}" -gt 1001 ] && [ "${fuels[0]}" = "${fuels[1]}" ] &&
    [ "${fuels[0]}" = "${fuels[2]}" ]; then
    ok
else
    not_ok "tail calls use the same fuel in every engine"
fi

done_testing
