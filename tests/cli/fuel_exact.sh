#!/usr/bin/env bash
# fuel_exact.sh — compiled code charges fuel in a cheaper shape than the
# interpreter (src/aot/cgen_fuel.c: merged charges, the counter stored
# only where something can see it), but with every amount of fuel from
# none to more than enough it must end exactly as the interpreter does:
# the same exit status, result and fuel used, whether the run completes,
# runs out of fuel, faults on a guard page, traps on a division by zero,
# with guard pages or with explicit bounds checks.
source "$(dirname "$0")/helpers.bash"

F=$(wasm fuel_exact) || exit 1
CACHE=$TMP/cache
AOT_MODES=("--aot --cache-dir $CACHE" "--aot --explicit-bounds-checks --cache-dir $CACHE")

fuel_used() { sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$1"; }

# outcome MODE FUEL ARGS...: "status result fuel-used" of one run of
# $FUNC (default mix)
outcome() {
    local mode=$1 fuel=$2
    shift 2
    # shellcheck disable=SC2086
    weft run $mode --fuel "$fuel" --account "$TMP/acc.json" --invoke "${FUNC:-mix}" "$F" "$@"
    echo "$status ${stdout:-none} $(fuel_used "$TMP/acc.json")"
}

# Iteration 5 faults on a guard page / divides by zero at iteration 3 /
# completes 6 iterations.
for args in "6 5" "6 1003" "6 1000"; do
    # shellcheck disable=SC2086
    full=$(outcome "" 100000 $args)
    total=${full##* }
    [ -n "$total" ] && [ "$total" -gt 20 ] && ok || not_ok "mix $args uses fuel (interpreter: $full)"
    for ((fuel = 0; fuel <= total + 1; fuel++)); do
        # shellcheck disable=SC2086
        want=$(outcome "" "$fuel" $args)
        for mode in "${AOT_MODES[@]}"; do
            # shellcheck disable=SC2086
            got=$(outcome "$mode" "$fuel" $args)
            [ "$got" = "$want" ] && ok ||
                not_ok "mix $args with $fuel fuel ($mode): '$got', interpreter '$want'"
        done
    done
done

# Pure blocks, whose charges compiled code tests late and together: out
# of fuel at every block of 9 iterations.
FUNC=pure
full=$(outcome "" 100000 9)
total=${full##* }
[ -n "$total" ] && [ "$total" -gt 20 ] && ok || not_ok "pure uses fuel (interpreter: $full)"
for ((fuel = 0; fuel <= total + 1; fuel++)); do
    want=$(outcome "" "$fuel" 9)
    for mode in "${AOT_MODES[@]}"; do
        # shellcheck disable=SC2086
        got=$(outcome "$mode" "$fuel" 9)
        [ "$got" = "$want" ] && ok ||
            not_ok "pure 9 with $fuel fuel ($mode): '$got', interpreter '$want'"
    done
done

done_testing
