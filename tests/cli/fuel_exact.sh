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

# levels TOTAL: the fuel levels to try for a run that uses TOTAL, 0 to
# TOTAL+1. Each level is two or three runs of weft, and under the
# sanitizers (WEFT_TEST_SANITIZED, set by scripts/test.sh --asan) one run
# costs about 0.15 s of CPU, most of it mapping the shadow memory: every
# level there made this script 750 s of CPU, most of the ASan phase's CLI
# tier (and every 7th level, 1,024 checks, still 10 minutes of CI's
# longest lane). What the sanitizers watch (the runtime stopping a run
# out of fuel, at a fault or a trap) is the same at every level, so they
# get every 16th level and both ends; the plain build, which checks the
# counts, gets all.
levels() {
    local total=$1 step=1
    [ -n "${WEFT_TEST_SANITIZED:-}" ] && step=16
    { seq 0 "$step" "$((total + 1))"; seq "$((total - 1))" "$((total + 1))"; } | sort -n -u
}

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
    for fuel in $(levels "$total"); do
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
for fuel in $(levels "$total"); do
    want=$(outcome "" "$fuel" 9)
    for mode in "${AOT_MODES[@]}"; do
        # shellcheck disable=SC2086
        got=$(outcome "$mode" "$fuel" 9)
        [ "$got" = "$want" ] && ok ||
            not_ok "pure 9 with $fuel fuel ($mode): '$got', interpreter '$want'"
    done
done

# Counted loops (src/aot/cgen_loop.c): out of fuel at every block of a
# loop that ends, and of one entered three times; then loops that leave
# early, fault, trap, never meet their bound (end 14: not a multiple of
# the step) or wrap around (end 0), each just short of the fuel it uses
# and with fuel to spare (their unmetered copy runs: the exit must still
# leave the exact fuel).
# sweep all|edges ARGS...: compare with the interpreter at every fuel
# level up to the fuel the run uses, or only around it; and with 2x, 4x
# and plenty of fuel.
sweep() {
    local how=$1 full total fuel want got mode tries
    shift
    full=$(outcome "" 100000 "$@")
    total=${full##* }
    [ -n "$total" ] && [ "$total" -gt 20 ] && ok || not_ok "$FUNC $* uses fuel (interpreter: $full)"
    tries=$(seq "$((total - 1))" "$((total + 1))")
    [ "$how" = all ] && tries=$(levels "$total")
    for fuel in $tries $((total * 2)) $((total * 4)) 100000; do
        want=$(outcome "" "$fuel" "$@")
        for mode in "${AOT_MODES[@]}"; do
            # shellcheck disable=SC2086
            got=$(outcome "$mode" "$fuel" "$@")
            [ "$got" = "$want" ] && ok ||
                not_ok "$FUNC $* with $fuel fuel ($mode): '$got', interpreter '$want'"
        done
    done
}
FUNC=up
sweep all 12 99 99
for args in "12 1 99" "12 99 2" "12 99 1001" "14 5 99" "0 5 99"; do
    # shellcheck disable=SC2086
    sweep edges $args
done
FUNC=down
sweep all 4

# Counted loops whose accesses the entry test proves in bounds, so their
# unmetered copy stores no fuel (src/aot/cgen_span.c) and, span's holding
# nothing else that could see it, charges the blocks every trip runs once
# at its head (the `if` inside still charged where it runs; the exit
# must leave the exact fuel, at 2x, 4x and plenty): in bounds from the
# start of memory and up to its last byte; one byte past it on the last
# trip (the i64 store) and on the 4th (the sweep at every fuel level:
# the entry test must send these to the metered copy, or a fault reports
# stale fuel). Walking down: from
# the top byte and one byte above it; from a base that wraps (p = -8: the
# addresses are 64 down to 0, in bounds) and one trip further (p = -16:
# the last trip's address wraps to 2^32 - 8, a fault).
FUNC=span
sweep edges 0 9
sweep edges 65456 9
sweep all 65457 9
sweep edges 65504 9
# ... and a return from inside such a loop (trip 4 of 9), whose caller
# reads the counter back: the return must still store it.
FUNC=span_ret
sweep all 0 9 4
sweep edges 0 9 100
FUNC=span_down
sweep edges 16 2
sweep edges 65460 9
sweep edges 65461 9
sweep edges 4294967288 9
sweep all 4294967280 9

# Traps whose own path stores the fuel (a truncation, unreachable, a
# signed division overflow) at iteration 4 of 9, and no trap at all: the
# truncation at every fuel level, the others around the fuel they use
# and with more (each full sweep is ~650 checks; a trap path that forgets
# the store fails at every level past the trap).
FUNC=traps
sweep all 9 4 0
sweep edges 9 4 1
sweep edges 9 4 2
sweep edges 9 100 0

# Calls: a fault in the caller just after a call, in the callee, and none,
# at every fuel level (running out in a callee, or in its caller after it
# returned); compiled code hands the counter across each call.
FUNC=calls
sweep all 6 4
sweep all 6 1003
sweep edges 6 2000

# Late charges merged into a tested block's charge on a branch forward
# (the target's test skipped: L<pc>_paid), lists of more than 8 charges
# and a charge over 255 (paid one call each, not packed), a division
# tested right after late charges: out of fuel at every block of 9
# iterations, the store faulting at iteration 3 (just after a rung's
# branch and its merged test); around the fuel used when the store
# faults after the whole ladder (4) or after the last branch (6), when the
# division traps (4) and when the run completes.
FUNC=ladder
sweep all 9 3 0
sweep edges 9 4 0
sweep edges 9 6 0
sweep edges 9 4 1
sweep edges 9 100 0

# A heap's descent, the select picking the greater child compiled as a
# branch (src/aot/cgen_instr.c, select_as_branch; checked in the C kept
# by a compiler wrapper): out of fuel at every block of 3 descents, with
# the load of a child faulting at step 7 (the third level of the third
# descent); around the fuel used without a fault.
FUNC=descend
sweep all 3 7
sweep edges 3 1000
printf '#!/bin/sh\nfor a in "$@"; do case $a in *.c) cp "$a" "%s/kept.c";; esac; done\nexec cc "$@"\n' \
    "$TMP" >"$TMP/keep-cc.sh"
chmod +x "$TMP/keep-cc.sh"
weft compile --fuel --cc "$TMP/keep-cc.sh" "$F" -o "$TMP/descend.cwasm"
[ "$status" = 0 ] && grep -q '__asm__("");' "$TMP/kept.c" && ok ||
    not_ok "metered C has no select written as a branch (status $status)"

# pinned_sweep FUNC "N STOP FUEL"...: FUNC swept out of fuel at every
# block of 12 trips and around a stop at trip 7, then its fuel used for
# each N STOP pinned to FUEL, in the interpreter and the first AoT mode.
pinned_sweep() {
    FUNC=$1
    shift
    sweep all 12 100
    sweep edges 12 7
    local args n stop want mode got
    for args in "$@"; do
        read -r n stop want <<<"$args"
        for mode in "" "${AOT_MODES[0]}"; do
            # shellcheck disable=SC2086
            got=$(outcome "$mode" 100000 "$n" "$stop")
            [ "${got##* }" = "$want" ] && ok ||
                not_ok "$FUNC $n $stop uses $want fuel (${mode:-interpreter}): '$got'"
        done
    done
}

# The interpreter's joins of an op with the FUEL op of the label it falls
# into, and of two labels' FUEL ops (P12j, src/ir/joins.def): out of fuel
# at every block of 12 trips, each join's charge included; around the
# fuel used when the division traps at trip 7. The fuel used is pinned
# too, as the interpreter counted it before the joins (a rule that moves
# a charge must not change it, in either engine).
pinned_sweep joins "12 100 1314" "12 7 867"

# The interpreter's joins of an op with the _FUEL branch after it, and
# br_table's _FUEL form (P12k, joins.def, lower.c): out of fuel at every
# block of 12 trips, each join's branch charging its target or its
# fall-through; around the fuel used when the first load faults at trip
# 7 (A of its join, before the branch charges). The fuel used is pinned
# as the interpreter counted it before these joins.
pinned_sweep branch_joins "12 100 2345" "12 7 1409"

# The same for the loop branches joined to the op before them (P12k):
# out of fuel at every block of 12 trips; around the fault at trip 7.
pinned_sweep loop_joins "12 100 1603" "12 7 1068"

done_testing
