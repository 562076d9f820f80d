#!/usr/bin/env bash
# fuel.sh — `weft run --fuel N` and `--account FILE`: a block costs its Wasm
# instruction count, charged on entry; running out traps "out of fuel"
# with the trap exit status; the fuel used is the same in the interpreter,
# in compiled code with guard pages and with explicit bounds checks, for
# every bench kernel; compiled code without metering is refused when the
# engine meters (and the reverse); --deadline stops an endless loop by the
# wall clock and, handing fuel out in slices, leaves the fuel used exact.
source "$(dirname "$0")/helpers.bash"

F=$(wasm fuel) || exit 1
CACHE=$TMP/cache
MODES=("" "--aot --cache-dir $CACHE" "--aot --explicit-bounds-checks --cache-dir $CACHE")

# fuel_used FILE: the fuel_used field of an --account record
fuel_used() { sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$1"; }

for mode in "${MODES[@]}"; do
    # shellcheck disable=SC2086
    weft run $mode --fuel 1000 --account "$TMP/a.json" --invoke three "$F"
    expect_status 0 "three ($mode)"
    used=$(fuel_used "$TMP/a.json")
    [ "$used" = 3 ] && ok || not_ok "three costs 3 ($mode), used '$used'"

    # exactly enough fuel for the entry block, then 10 loop iterations
    # shellcheck disable=SC2086
    weft run $mode --fuel 1000000 --account "$TMP/b.json" --invoke spin "$F" 10
    expect_stdout 10 "spin 10 ($mode)"
    b=$(fuel_used "$TMP/b.json")
    # shellcheck disable=SC2086
    weft run $mode --fuel "$b" --invoke spin "$F" 10
    expect_stdout 10 "spin 10 with exactly $b fuel ($mode)"
    # shellcheck disable=SC2086
    weft run $mode --fuel "$((b - 1))" --invoke spin "$F" 10
    expect_status 3 "spin 10 with $((b - 1)) fuel traps ($mode)"
    expect_stderr_has "out of fuel" "out-of-fuel message ($mode)"

    # an endless loop ends
    # shellcheck disable=SC2086
    weft run $mode --fuel 100000 --account "$TMP/c.json" --invoke spin "$F" 0
    expect_status 3 "endless loop stopped ($mode)"
    grep -q '"exit_status": 3' "$TMP/c.json" && ok || not_ok "account records the trap status ($mode)"
    grep -q '"root_of_trust": "software' "$TMP/c.json" && ok || not_ok "account states the software root ($mode)"

    # --deadline: the endless loop is interrupted by the wall clock, not
    # by fuel (none is given); no timing is asserted
    # shellcheck disable=SC2086
    weft run $mode --deadline 0.2 --account "$TMP/d.json" --invoke spin "$F" 0
    expect_status 3 "deadline stops an endless loop ($mode)"
    expect_stderr_has "trap: interrupted" "deadline trap message ($mode)"
    expect_stderr_has "the --deadline of 0.2 s passed" "deadline named ($mode)"
    grep -q '"fuel_limit": null' "$TMP/d.json" && ok || not_ok "no fuel limit with --deadline alone ($mode)"
    # handing fuel out in slices changes nothing: the same fuel used, and
    # the out-of-fuel trap at the same block
    # shellcheck disable=SC2086
    weft run $mode --deadline 100 --fuel 100000000 --account "$TMP/e.json" --invoke spin "$F" 5000000
    expect_stdout 5000000 "spin 5000000 under a deadline ($mode)"
    # shellcheck disable=SC2086
    weft run $mode --fuel 100000000 --account "$TMP/f.json" --invoke spin "$F" 5000000
    e=$(fuel_used "$TMP/e.json") f=$(fuel_used "$TMP/f.json")
    [ -n "$e" ] && [ "$e" = "$f" ] && ok || not_ok "same fuel with and without a deadline ($mode): '$e' vs '$f'"
    # shellcheck disable=SC2086
    weft run $mode --deadline 100 --fuel "$((f - 1))" --invoke spin "$F" 5000000
    expect_status 3 "one fuel short under a deadline traps ($mode)"
    expect_stderr_has "out of fuel" "out of fuel, not interrupted ($mode)"
done

# a program blocked in a host call past its deadline is ended by the
# alarm one second later (stdin: a pipe that stays silent for 3 s)
B=$(wasm blocked) || exit 1
sleep 3 | "$WEFT" run --deadline 0.2 "$B" >"$TMP/stdout" 2>"$TMP/stderr"
status=${PIPESTATUS[1]}
stderr=$(cat "$TMP/stderr")
expect_status 3 "blocked past the deadline: stopped"
expect_stderr_has "blocked in a host call" "blocked past the deadline: message"

# a bad --deadline is refused
for bad in 0 -1 abc 1e10 ""; do
    weft run --deadline "$bad" --invoke three "$F"
    expect_status 1 "--deadline '$bad' refused"
done

# compiled code must agree with the engine about metering
weft compile "$F" -o "$TMP/plain.cwasm"
expect_status 0 "compile without fuel"
weft run --allow-precompiled --fuel 100 --invoke three "$TMP/plain.cwasm"
expect_status 2 "unmetered code refused when metering"
expect_stderr_has "fuel" "refusal names fuel"
weft compile --fuel "$F" -o "$TMP/fuel.cwasm"
expect_status 0 "compile --fuel"
weft run --allow-precompiled --fuel 100 --invoke three "$TMP/fuel.cwasm"
expect_status 0 "metered code runs when metering"
weft run --allow-precompiled --invoke three "$TMP/fuel.cwasm"
expect_status 2 "metered code refused without --fuel"

# every bench kernel uses the same fuel in every mode
# (the kernels of bench/kernels/; the program rows, speedtest1, are not
# run(n) kernels)
if BENCH_OUT="$TMP/bench" bash bench/run.sh --build-only \
    $(basename -s .c bench/kernels/*.c) >"$TMP/bench.log" 2>&1; then
    while read -r name _ quick; do
        [ -f "bench/kernels/$name.c" ] || continue
        n=${quick#(quick }
        n=${n%)}
        ref=""
        for mode in "${MODES[@]}"; do
            # shellcheck disable=SC2086
            weft run $mode --fuel 1000000000000 --account "$TMP/k.json" \
                --invoke run "$TMP/bench/wasm/$name.wasm" "$n"
            expect_status 0 "$name ($mode)"
            used=$(fuel_used "$TMP/k.json")
            if [ -z "$ref" ]; then
                ref=$used
                [ -n "$used" ] && [ "$used" -gt 0 ] && ok || not_ok "$name: fuel used recorded"
            else
                [ "$used" = "$ref" ] && ok || not_ok "$name: fuel $used ($mode) != $ref (interpreter)"
            fi
        done
    done < <(bash bench/run.sh --list)
else
    echo "FAIL: bench kernels did not build (see $TMP/bench.log)"
    cat "$TMP/bench.log" | tail -5
    t_fail=$((t_fail + 1))
fi

done_testing
