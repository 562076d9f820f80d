#!/usr/bin/env bash
# fuel_bulk.sh — bulk operations pay fuel for their length (README, "Fuel";
# rates in include/weft_aot.h): memory.fill/copy/init one per 64 bytes,
# table.fill/copy/init/grow one per 8 elements, memory.grow 1024 per page,
# rounded up, the same in the interpreter and in compiled code with guard
# pages and with explicit bounds checks. 17.5 GB of memory.fill no longer
# runs on a budget of a million, and --deadline stops a program that
# spends its time in bulk operations through the normal trap path: trap
# "interrupted", exit status 3, the --account record written (issue P7,
# finding 12).
source "$(dirname "$0")/helpers.bash"

F=$(wasm bulk) || exit 1
CACHE=$TMP/cache
MODES=("" "--aot --cache-dir $CACHE" "--aot --explicit-bounds-checks --cache-dir $CACHE")

fuel_used() { sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$1"; }

# cost MODE FUNC ARG: fuel used by one call (empty when it failed)
cost() {
    # shellcheck disable=SC2086
    weft run $1 --fuel 1000000000 --account "$TMP/cost.json" --invoke "$2" "$F" "$3"
    [ "$status" = 0 ] && fuel_used "$TMP/cost.json"
}

# FUNC LENGTH EXTRA: the call with LENGTH costs EXTRA more than with 0
CASES=("fill 6400 100" "fill 6401 101" "copy 65 2" "init 80 2"
       "table_fill 100 13" "table_copy 8 1" "table_init 20 3"
       "table_grow 9 2" "grow 3 3072")
for mode in "${MODES[@]}"; do
    for c in "${CASES[@]}"; do
        read -r fn len extra <<<"$c"
        base=$(cost "$mode" "$fn" 0)
        with=$(cost "$mode" "$fn" "$len")
        if [ -n "$base" ] && [ -n "$with" ] && [ $((with - base)) = "$extra" ]; then ok
        else not_ok "$fn $len costs $extra more than $fn 0 ($mode): $base vs $with"; fi
    done
    # a grow beyond the maximum fails (-1) for its instructions alone
    base=$(cost "$mode" grow 0) big=$(cost "$mode" grow 100000)
    [ -n "$base" ] && [ "$base" = "$big" ] && ok || not_ok "a failing grow costs no pages ($mode): $base vs $big"

    # exactly enough fuel for a fill, and one short: out of fuel
    need=$(cost "$mode" fill 65536)
    # shellcheck disable=SC2086
    weft run $mode --fuel "$need" --invoke fill "$F" 65536
    expect_status 0 "fill 65536 with exactly $need fuel ($mode)"
    # shellcheck disable=SC2086
    weft run $mode --fuel "$((need - 1))" --invoke fill "$F" 65536
    expect_status 3 "fill 65536 with $((need - 1)) fuel traps ($mode)"
    expect_stderr_has "out of fuel" "fill one short: out of fuel ($mode)"

    # 280 fills of 64 MiB (17.5 GB) cost 280 * 2^20 fuel and more: a
    # million stops the first one
    # shellcheck disable=SC2086
    weft run $mode --fuel 1000000 --account "$TMP/big.json" --invoke fill_loop "$F" 280
    expect_status 3 "17.5 GB of memory.fill on 1e6 fuel ($mode)"
    expect_stderr_has "out of fuel" "17.5 GB: out of fuel ($mode)"
    used=$(fuel_used "$TMP/big.json")
    [ -n "$used" ] && [ "$used" -lt 100 ] && ok || not_ok "17.5 GB: the first fill does not run ($mode), used '$used'"

    # --deadline ends an endless loop of 64 MiB fills through the fuel
    # hook: trap "interrupted", status 3, the account written and valid
    rm -f "$TMP/d.json"
    # shellcheck disable=SC2086
    weft run $mode --deadline 0.3 --account "$TMP/d.json" --invoke fill_loop "$F" 0
    expect_status 3 "deadline stops a loop of bulk fills ($mode)"
    expect_stderr_has "trap: interrupted" "deadline: trap interrupted ($mode)"
    if grep -qF "blocked in a host call" <<<"$stderr"; then
        not_ok "deadline: ended by the last-resort alarm ($mode)"
    else ok; fi
    if [ -f "$TMP/d.json" ] && python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert a["exit_status"] == 3 and a["fuel_limit"] is None
assert a["fuel_used"] >= 1 << 20, a["fuel_used"]  # at least one fill paid
' "$TMP/d.json"; then ok; else not_ok "deadline: account written and well-formed ($mode)"; fi
done

done_testing
