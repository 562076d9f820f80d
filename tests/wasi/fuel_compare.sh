#!/usr/bin/env bash
# fuel_compare.sh — every WASI test case (tests/wasi/run.sh) run metering
# fuel in the interpreter and in compiled code (guard pages, explicit
# bounds checks): each case must use the same fuel in every mode. Fuel
# costs are fixed when a function is lowered, so the engines agree unless
# the program itself does something different from run to run; the cases
# that do are listed, with the reason, in tests/wasi/fuel_varying.txt, and
# counted as skipped (their figures are printed).
# Ends with "N passed, N failed" (and "skipped: N").
#
# usage: tests/wasi/fuel_compare.sh [--logs DIR]   (WEFT as for run.sh;
#        WEFT_FUEL_MODES overrides the modes, default "interp aot
#        aot-explicit")
#   --logs DIR  run nothing: compare DIR/MODE.fuel, written by runs of
#               run.sh with WEFT_WASI_FUEL_LOG=DIR/MODE.fuel (scripts/test.sh
#               meters its own runs of every mode instead of running them
#               all twice)
set -u
logs=""
case ${1:-} in
    --logs) logs=$2 ;;
    "") ;;
    *) echo "fuel_compare.sh: unknown argument '$1'" >&2; exit 2 ;;
esac
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2
if [ -n "$logs" ]; then
    OUT=$logs
else
    OUT=${WEFT_WASI_OUT:-build/wasi}/fuel
    rm -rf "$OUT" && mkdir -p "$OUT/cache"
    OUT=$(cd "$OUT" && pwd)
fi
# weft's AoT key and --aot cache defaults live under OUT, never in the
# user's home (XDG_* take precedence over HOME in weft).
export XDG_CONFIG_HOME="$OUT/xdg-config" XDG_CACHE_HOME="$OUT/xdg-cache"
unset WEFT_AOT_KEY
read -r -a modes <<<"${WEFT_FUEL_MODES:-interp aot aot-explicit}"
# " name name ... ": the cases listed in fuel_varying.txt
varying=" $(sed 's/#.*//' tests/wasi/fuel_varying.txt | tr -s ' \n' ' ')"
pass=0
fail=0
skip=0

for mode in "${modes[@]}"; do
    [ -n "$logs" ] && break
    case $mode in
        interp) flags="" ;;
        aot) flags="--aot --compile-timeout 0 --cache-dir $OUT/cache" ;;
        aot-explicit) flags="--aot --compile-timeout 0 --explicit-bounds-checks --cache-dir $OUT/cache" ;;
        *) echo "fuel_compare.sh: unknown mode '$mode'" >&2; exit 2 ;;
    esac
    if WEFT_RUN_FLAGS="$flags" WEFT_WASI_FUEL_LOG="$OUT/$mode.fuel" \
        bash tests/wasi/run.sh >"$OUT/$mode.log" 2>&1; then
        echo "ok: WASI cases pass metering fuel ($mode)"; pass=$((pass + 1))
    else
        echo "FAIL: WASI cases metering fuel ($mode): see $OUT/$mode.log"
        grep -E '^FAIL' "$OUT/$mode.log" | head -5 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
done

ref=${modes[0]}
while read -r name fuel; do
    for mode in "${modes[@]:1}"; do
        other=$(awk -v n="$name" '$1 == n { print $2 }' "$OUT/$mode.fuel" 2>/dev/null)
        if [ -z "$fuel" ] || [ -z "$other" ]; then
            echo "FAIL: $name: no fuel figure ($ref '$fuel', $mode '$other')"; fail=$((fail + 1))
        elif [ "${varying/ $name /}" != "$varying" ]; then
            echo "skip: $name: $ref $fuel, $mode $other (varies from run to run)"; skip=$((skip + 1))
        elif [ "$fuel" = "$other" ]; then
            echo "ok: $name: $fuel fuel in $ref and $mode"; pass=$((pass + 1))
        else
            echo "FAIL: $name: $fuel fuel in $ref, $other in $mode"; fail=$((fail + 1))
        fi
    done
done <"$OUT/$ref.fuel"
[ -s "$OUT/$ref.fuel" ] || { echo "FAIL: no cases ran in $ref"; fail=$((fail + 1)); }

echo "skipped: $skip"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
