#!/usr/bin/env bash
# exceptions.sh — exception handling from the command line: throws caught
# across frames give the same results and the same fuel in the interpreter
# and in compiled code (guard pages, explicit bounds checks); an uncaught
# exception ends the run with exit status 3 and says so; a snapshot taken
# inside a try_table body restores and finishes with the same result and
# fuel, and one that would lose a legacy catch arm's exception is refused
# by name while the program goes on.
source "$(dirname "$0")/helpers.bash"

W=$OUT/exceptions.wasm
"$WEFT" wat2wasm tests/cli/exceptions.wat -o "$W" || { echo "FAIL: wat2wasm"; exit 1; }
CACHE=$TMP/cache
MODES=("" "--aot --cache-dir $CACHE" "--aot --explicit-bounds-checks --cache-dir $CACHE")
fuel_used() { sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$1"; }

fuels=()
for mode in "${MODES[@]}"; do
    m=${mode%% --cache-dir*}
    # shellcheck disable=SC2086
    weft run $mode --invoke catches "$W" 1000
    expect_stdout 500500 "1000 throws caught across frames (${m:-interp})"
    # shellcheck disable=SC2086
    weft run $mode --invoke legacy "$W" 10
    expect_stdout 5 "legacy rethrow (${m:-interp})"
    # shellcheck disable=SC2086
    weft run $mode --invoke uncaught "$W" 7
    expect_status 3 "uncaught exception: exit status (${m:-interp})"
    expect_stderr_has "uncaught exception" "uncaught exception: named (${m:-interp})"
    # shellcheck disable=SC2086
    weft run $mode --fuel 100000000 --account "$TMP/f.json" --invoke catches "$W" 1000
    expect_stdout 500500 "catches under fuel (${m:-interp})"
    fuels+=("$(fuel_used "$TMP/f.json")")
done
last_cmd="fuel used by catches 1000: ${fuels[*]}" status=0 stdout="" stderr=""
if [ "${fuels[0]}" -gt 1000 ] && [ "${fuels[0]}" = "${fuels[1]}" ] &&
    [ "${fuels[0]}" = "${fuels[2]}" ]; then
    ok
else
    not_ok "exceptions use the same fuel in every engine"
fi

# a snapshot inside a try_table body: the handler comes back with the frame
weft run --snapshot-dir "$TMP/ref" --account "$TMP/ref.json" --invoke inside "$W" 100000
expect_stdout 705082704 "inside: uninterrupted"
TOTAL=$(fuel_used "$TMP/ref.json")
D=$TMP/snap
weft run --snapshot-dir "$D" --snapshot-at-fuel 50000 --invoke inside "$W" 100000
expect_status 0 "inside: stopped in the try_table body"
expect_stdout "" "inside: no result before the restore"
weft restore --account "$TMP/r.json" "$D/snapshot.weft"
expect_status 0 "inside: restored"
expect_stdout 705082704 "inside: the catch after the restore"
R=$(fuel_used "$TMP/r.json")
last_cmd="fuel: whole run $TOTAL, restored run $R" status=0 stdout="" stderr=""
[ -n "$R" ] && [ "$R" = "$TOTAL" ] && ok || not_ok "inside: same total fuel"

# a legacy catch arm holding its exception for rethrow cannot be saved
rm -rf "$D"
weft run --snapshot-dir "$D" --snapshot-at-fuel 5000 --invoke legacy "$W" 100000
expect_status 1 "legacy: the lost snapshot is the exit status"
expect_stdout 5 "legacy: the program went on"
expect_stderr_has "legacy catch arm" "legacy: refusal named"
[ ! -e "$D/snapshot.weft" ] && ok || not_ok "legacy: no snapshot file"

done_testing
