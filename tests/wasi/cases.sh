# cases.sh — the helpers named by tests/wasi/*.c's "//! case" lines
# (stdin=, setup=, bg=, check=), sourced by tests/wasi/run.sh and by
# tests/snapshot/run.sh. They run with $TMP (outside dir), $PRE, $RO,
# $CASE_DIR (harness files), $CASE_OUT and $CASE_ERR set; bg_* need
# $SWAPPER, fuel_of_path needs $WEFT, $OUT and WEFT_RUN_FLAGS.
# shellcheck shell=bash


gen_stdin() {
    perl -e 'print map { chr($_ % 251) } 0..199999'
}

empty_stdin() {
    :
}

check_stdio() {
    local lines
    head -c 10 "$CASE_OUT" | grep -q '^gather:ok$' || { echo "stdout does not start with 'gather:ok'"; return 1; }
    lines=$(grep -c '^line [0-9]*$' "$CASE_OUT")
    [ "$lines" = 10000 ] || { echo "stdout has $lines 'line N' lines, expected 10000"; return 1; }
    grep -q '^line 9999$' "$CASE_OUT" || { echo "last line missing"; return 1; }
    grep -q '^unicode: ü日本🙂$' "$CASE_OUT" || { echo "unicode line missing or mangled"; return 1; }
    grep -q '^to stderr$' "$CASE_ERR" || { echo "stderr line missing"; return 1; }
}

check_healthy_out() {
    [ "$(head -n 1 "$CASE_OUT")" = healthy ] || { echo "stdout starts '$(head -c 80 "$CASE_OUT")', expected 'healthy' (a faulting write to stdout wrote something?)"; return 1; }
}

check_unknown_import() {
    grep -q fd_no_such_function "$CASE_ERR" || { echo "stderr does not name fd_no_such_function: $(head -c 200 "$CASE_ERR")"; return 1; }
    [ ! -s "$CASE_OUT" ] || { echo "the program ran: $(head -c 80 "$CASE_OUT")"; return 1; }
}

check_bye() {
    [ "$(cat "$CASE_OUT")" = "bye" ] || { echo "stdout '$(head -c 80 "$CASE_OUT")', expected 'bye' (flushed at exit)"; return 1; }
}

check_raw() {
    [ "$(cat "$CASE_OUT")" = "bye" ] || { echo "stdout '$(head -c 80 "$CASE_OUT")', expected 'bye' (and nothing after proc_exit)"; return 1; }
}

# Escape layout: things only the host can make, inside and outside the preopen.
setup_escape() {
    mkdir -p "$PRE/a/b" "$TMP/outdir"
    echo "outside file" >"$TMP/outdir/secret"
    echo "hard linked" >"$TMP/hltarget"
    ln "$TMP/hltarget" "$PRE/hardlink"
    ln -s .. "$PRE/up"
    ln -s ../canary "$PRE/canary_rel"
    ln -s "$TMP/canary" "$PRE/canary_abs"
    ln -s / "$PRE/root"
    ln -s /etc/passwd "$PRE/passwd_abs"
    ln -s a/../../canary "$PRE/sneaky"
    ln -s ../newfile "$PRE/dangling_out"
    ln -s "$TMP/newfile2" "$PRE/dangling_abs"
    ln -s loop2 "$PRE/loop1"
    ln -s loop1 "$PRE/loop2"
    ln -s self "$PRE/self"
    # chain0 -> chain1 -> ... -> chain39 -> ../canary (40 links)
    local i
    for i in $(seq 0 38); do ln -s "chain$((i + 1))" "$PRE/chain$i"; done
    ln -s ../canary "$PRE/chain39"
    # inside chain of 10 ending at a real file: must work
    echo "inside" >"$PRE/target.txt"
    for i in $(seq 0 8); do ln -s "ichain$((i + 1))" "$PRE/ichain$i"; done
    ln -s target.txt "$PRE/ichain9"
    # a directory whose symlink leads out
    ln -s ../outdir "$PRE/outdir_link"
    ln -s "$TMP/outdir" "$PRE/outdir_abs"
    # a read-only preopen with content
    mkdir -p "$RO/sub"
    echo "read only" >"$RO/file.txt"
    ln -s file.txt "$RO/link"
}

check_escape() {
    local f
    for f in newfile newfile2 stolen moved moved_dir; do
        [ ! -e "$TMP/$f" ] && [ ! -L "$TMP/$f" ] || { echo "escape created $TMP/$f"; return 1; }
    done
    [ "$(cat "$TMP/outdir/secret")" = "outside file" ] || { echo "outdir/secret changed"; return 1; }
    [ "$(cat "$TMP/hltarget")" = "hard linked" ] || { echo "hltarget changed"; return 1; }
    [ "$(cat "$RO/file.txt")" = "read only" ] || { echo "read-only preopen file changed"; return 1; }
    [ -d "$RO/sub" ] && [ -L "$RO/link" ] || { echo "read-only preopen layout changed"; return 1; }
    [ "$(find "$RO" | wc -l)" = 4 ] || { echo "read-only preopen gained entries: $(find "$RO" | tr '\n' ' ')"; return 1; }
    [ -d "$TMP/outdir" ] || { echo "outdir was moved"; return 1; }
}

setup_race() {
    mkdir -p "$PRE/d/etc" "$PRE/e"
    echo "inside passwd" >"$PRE/d/etc/passwd"
    echo "inside canary" >"$PRE/e/canary"
    ln -s / "$PRE/d_alt"
    ln -s "$TMP" "$PRE/e_alt"
}

bg_race() {
    exec "$SWAPPER" "$PRE/d" "$PRE/d_alt" "$PRE/e" "$PRE/e_alt" "$CASE_DIR/swaps"
}

check_race() {
    local swaps
    swaps=$(cat "$CASE_DIR/swaps" 2>/dev/null || echo 0)
    [ "$swaps" -gt 100 ] || { echo "the swapper made only $swaps swaps: the race did not run"; return 1; }
    # the program must have seen both states, or the race was not exercised
    local line denied inside
    line=$(grep '^race: ' "$CASE_OUT")
    inside=$(echo "$line" | sed -n 's/.*inside=\([0-9]*\).*/\1/p')
    denied=$(echo "$line" | sed -n 's/.*denied=\([0-9]*\).*/\1/p')
    [ "${inside:-0}" -gt 0 ] && [ "${denied:-0}" -gt 0 ] || { echo "race not exercised: $line ($swaps swaps)"; return 1; }
    [ ! -e "$TMP/created" ] || { echo "e/created appeared outside"; return 1; }
    [ -d "$PRE/d" ] && [ -d "$PRE/e" ] && [ "$(cat "$PRE/e/canary")" = "inside canary" ] || { echo "layout not restored"; return 1; }
}

# Trailing slashes (escape/slash.c): links out of the preopen and inside.
setup_slash() {
    mkdir -p "$TMP/outdir/sub" "$PRE/d" "$PRE/e"
    echo "outside file" >"$TMP/outdir/secret"
    touch -d '2002-03-04 05:06:07' "$TMP/outdir"
    ln -s ../outdir "$PRE/lout"
    ln -s "$TMP/outdir" "$PRE/labs"
    ln -s .. "$PRE/lup"
    ln -s d "$PRE/ld"
    echo "file" >"$PRE/f"
    ln -s f "$PRE/lf"
    ln -s e "$PRE/le"
    ln -s nothere "$PRE/ldang"
}

# The outside directory kept its timestamps (read before listing it,
# which may set its atime) and its entries, the links out are still links.
check_slash() {
    local want
    want=$(date -d '2002-03-04 05:06:07' +%s)
    [ "$(stat -c %Y "$TMP/outdir")" = "$want" ] || { echo "outdir's mtime changed: $(stat -c %Y "$TMP/outdir"), expected $want"; return 1; }
    [ "$(stat -c %X "$TMP/outdir")" = "$want" ] || { echo "outdir's atime changed: $(stat -c %X "$TMP/outdir"), expected $want"; return 1; }
    [ "$(ls -A "$TMP/outdir" | tr '\n' ' ')" = "secret sub " ] || { echo "outdir's entries changed: $(ls -A "$TMP/outdir" | tr '\n' ' ')"; return 1; }
    [ -L "$PRE/lout" ] && [ -L "$PRE/labs" ] && [ -L "$PRE/lup" ] || { echo "a link out was replaced"; return 1; }
}

# The trailing-slash race (escape/slash_race.c): s/ and u/ are swapped
# with links to the outside directory; their inodes go in a file inside.
setup_slash_race() {
    mkdir -p "$TMP/outdir" "$PRE/s" "$PRE/u"
    touch -d '2002-03-04 05:06:07' "$TMP/outdir"
    ln -s "$TMP/outdir" "$PRE/s_alt"
    ln -s ../outdir "$PRE/u_alt"
    echo "$(stat -c %i "$PRE/s") $(stat -c %i "$PRE/u")" >"$PRE/inos"
}

bg_slash_race() {
    exec "$SWAPPER" "$PRE/s" "$PRE/s_alt" "$PRE/u" "$PRE/u_alt" "$CASE_DIR/swaps"
}

check_slash_race() {
    local want swaps line inside denied
    want=$(date -d '2002-03-04 05:06:07' +%s)
    [ "$(stat -c %Y "$TMP/outdir")" = "$want" ] && [ "$(stat -c %X "$TMP/outdir")" = "$want" ] ||
        { echo "ESCAPE: the outside directory's times changed: $(stat -c '%X %Y' "$TMP/outdir"), expected $want"; return 1; }
    [ -z "$(ls -A "$TMP/outdir")" ] || { echo "the outside directory gained entries"; return 1; }
    swaps=$(cat "$CASE_DIR/swaps" 2>/dev/null || echo 0)
    [ "$swaps" -gt 100 ] || { echo "the swapper made only $swaps swaps: the race did not run"; return 1; }
    line=$(grep '^race: ' "$CASE_OUT")
    inside=$(echo "$line" | sed -n 's/.*inside=\([0-9]*\).*/\1/p')
    denied=$(echo "$line" | sed -n 's/.*denied=\([0-9]*\).*/\1/p')
    [ "${inside:-0}" -gt 0 ] && [ "${denied:-0}" -gt 0 ] || { echo "race not exercised: $line ($swaps swaps)"; return 1; }
    [ -d "$PRE/s" ] && [ ! -L "$PRE/s" ] && [ -d "$PRE/u" ] && [ ! -L "$PRE/u" ] || { echo "layout not restored"; return 1; }
}

# Path work (pathwork.c): 600 nested directories, a file, and a symlink
# 600 levels down and up again.
setup_pathwork() {
    local down up
    down=$(printf 'q/%.0s' $(seq 600))
    up=$(printf '../%.0s' $(seq 600))
    mkdir -p "$PRE/$down"
    echo "f" >"$PRE/f"
    ln -s "$down${up%/}" "$PRE/s"
}

# fuel_of_path PATH: the fuel one path_filestat_get of PATH costs the
# program (pathwork.c's "fuel" mode, which does nothing else).
fuel_of_path() {
    local acct=$CASE_DIR/fuel.json
    rm -f "$acct"
    # shellcheck disable=SC2086
    timeout 60 $WEFT run ${WEFT_RUN_FLAGS:-} --fuel 1000000000000 --account "$acct" \
        --dir "$PRE::/sandbox" "$OUT/pathwork.wasm" fuel "$1" >/dev/null 2>&1 ||
        { echo "weft run ... fuel '${1:0:40}...' failed" >&2; return 1; }
    sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$acct"
}

# Fuel grows with the lookups: paths 300 and 600 levels down and up cost
# at least one lookup's fuel (1000) per level, and 600 about twice 300.
check_pathwork_fuel() {
    local f0 f300 f600 d300 d600 p300 p600
    p300=$(printf 'q/%.0s' $(seq 300); printf '../%.0s' $(seq 300))f
    p600=$(printf 'q/%.0s' $(seq 600); printf '../%.0s' $(seq 600))f
    f0=$(fuel_of_path f) && f300=$(fuel_of_path "$p300") && f600=$(fuel_of_path "$p600") || return 1
    [ -n "$f0" ] && [ -n "$f300" ] && [ -n "$f600" ] || { echo "no fuel figure: '$f0' '$f300' '$f600'"; return 1; }
    d300=$((f300 - f0))
    d600=$((f600 - f0))
    [ "$d300" -ge 300000 ] || { echo "300 levels down and up cost $d300 fuel more than 'f' ($f0), expected >= 300000"; return 1; }
    [ "$d600" -ge 600000 ] || { echo "600 levels down and up cost $d600 fuel more than 'f' ($f0), expected >= 600000"; return 1; }
    [ $((2 * d600)) -ge $((3 * d300)) ] && [ $((2 * d600)) -le $((5 * d300)) ] ||
        { echo "fuel not proportional to the work: +$d300 for 300 levels, +$d600 for 600"; return 1; }
}

setup_readdir() {
    : # the program makes its own entries
}
