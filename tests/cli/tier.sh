#!/usr/bin/env bash
# tier.sh — tiered `weft run --aot` (cli/aot_tier.c): a module with at
# least --aot-tier-bytes of code starts in the interpreter, and the
# functions that ran hot (--aot-hot hits: interpreted calls plus loop
# back-edges) are compiled after the run into an authenticated cache
# PIECE that later runs attach, interpreting the rest. The threshold is
# lowered to 0 so tier.wat tiers; --aot-wait builds each piece before weft
# exits, so nothing here depends on timing. Every run must give the
# interpreter's output, exit status and fuel used: nothing cached, part
# cached, all that runs cached, a tampered piece (refused, never loaded).
# Loads are observed with a compiler wrapper that links a constructor
# into each shared object (load_marker.c appends to $WEFT_TEST_MARKER).
source "$(dirname "$0")/helpers.bash"

M=$(wasm tier) || exit 1
HOST_CC=${WEFT_TEST_CC:-cc}
load_marker_cc
export WEFT_CC=$TMP/cc WEFT_TEST_MARKER=$TMP/marker
CACHE=$TMP/cache
mkdir -m 700 "$CACHE"
pieces() { find "$CACHE" -name '*.p*.cwasm' | wc -l; }
wholes() { find "$CACHE" -name '*.cwasm' ! -name '*.p*.cwasm' | wc -l; }
fuel_used() { sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$TMP/acc.json"; }

# outcome FUEL OPTIONS...: "status stdout fuel-used" of one run of tier.wat
outcome() {
    local fuel=$1
    shift
    rm -f "$TMP/acc.json"
    weft run "$@" --fuel "$fuel" --account "$TMP/acc.json" "$M"
    echo "$status ${stdout:-none} $(fuel_used)"
}
TIER=(--aot --cache-dir "$CACHE" --aot-tier-bytes 0 --aot-wait)
BIG=100000000
WANT=$(outcome $BIG)
# a run that stops for want of fuel inside the hot loop
SHORT=300001
WANT_SHORT=$(outcome $SHORT)
case "$WANT" in "63 H "[0-9]*) ok ;; *) not_ok "interpreter reference: '$WANT'" ;; esac
case "$WANT_SHORT" in "63 H "*) not_ok "the short run stops early: '$WANT_SHORT'" ;; *) ok ;; esac

# ---- 1. nothing cached: interpreted, the hot piece written -----------------
before=$(loads)
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1000)
[ "$got" = "$WANT" ] && ok || not_ok "first tiered run: '$got', interpreter '$WANT'"
[ "$(loads)" = "$before" ] && ok || not_ok "first tiered run loaded no code"
[ "$(pieces)" = 1 ] && [ "$(wholes)" = 0 ] && ok ||
    not_ok "first tiered run left one piece, no whole entry ($(pieces) pieces, $(wholes) whole)"
PIECE1=$(find "$CACHE" -name '*.p*.cwasm')
[ "$(stat -c %a "$PIECE1")" = 600 ] && ok || not_ok "the piece is private (mode $(stat -c %a "$PIECE1"))"

# ---- 2. part cached: $hot, $sq, $cold compiled; the rest interpreted ---------
before=$(loads)
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1000)
[ "$got" = "$WANT" ] && ok || not_ok "run with the hot piece: '$got', interpreter '$WANT'"
[ "$(loads)" = $((before + 1)) ] && ok || not_ok "the hot piece was loaded once ($(loads) loads, was $before)"
[ "$(pieces)" = 1 ] && ok || not_ok "nothing left hot: no new piece ($(pieces))"
got=$(outcome $SHORT "${TIER[@]}" --aot-hot 1000)
[ "$got" = "$WANT_SHORT" ] && ok || not_ok "short run with the hot piece: '$got', interpreter '$WANT_SHORT'"

# ---- 3. all that runs cached: --aot-hot 1 adds $once and _start --------------
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1)
[ "$got" = "$WANT" ] && ok || not_ok "run adding the rest: '$got', interpreter '$WANT'"
[ "$(pieces)" = 2 ] && ok || not_ok "a second piece for what ran once ($(pieces))"
before=$(loads)
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1)
[ "$got" = "$WANT" ] && ok || not_ok "run with both pieces: '$got', interpreter '$WANT'"
[ "$(loads)" = $((before + 2)) ] && ok || not_ok "both pieces loaded ($(loads) loads, was $before)"
[ "$(pieces)" = 2 ] && ok || not_ok "everything that runs is compiled: no third piece ($(pieces))"
for fuel in $SHORT 0 1 5000 760000; do
    want=$(outcome $fuel)
    got=$(outcome $fuel "${TIER[@]}" --aot-hot 1)
    [ "$got" = "$want" ] && ok || not_ok "fuel $fuel with both pieces: '$got', interpreter '$want'"
done

# ---- 4. a tampered piece is refused, never loaded; the run is unchanged ------
PIECE2=$(find "$CACHE" -name '*.p*.cwasm' ! -path "$PIECE1")
size=$(stat -c %s "$PIECE2")
cp "$PIECE2" "$TMP/saved"
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$PIECE2" | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 1)))" | dd of="$PIECE2" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$PIECE2" "$TMP/saved" && not_ok "the byte flip changed the piece" || ok
before=$(loads)
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1000000000)
[ "$got" = "$WANT" ] && ok || not_ok "run with a tampered piece: '$got', interpreter '$WANT'"
[ "$(loads)" = $((before + 1)) ] && ok || not_ok "only the intact piece was loaded ($(loads) loads, was $before)"
stderr=$(cat "$TMP/stderr")
expect_stderr_has "cache piece refused" "the tampered piece is reported"
# a piece of another module, renamed to this module's piece name
cp "$TMP/saved" "$PIECE2"
OTHER=$TMP/other.wat
sed 's/(i32.const 20000)/(i32.const 20001)/' tests/cli/tier.wat >"$OTHER"
OCACHE=$TMP/ocache
mkdir -m 700 "$OCACHE"
weft run --aot --cache-dir "$OCACHE" --aot-tier-bytes 0 --aot-wait --aot-hot 1000 "$OTHER"
FOREIGN=$(find "$OCACHE" -name '*.p*.cwasm')
[ -n "$FOREIGN" ] && ok || not_ok "the other module left a piece"
cp "$FOREIGN" "${PIECE1%.p*}.p0123456789abcdef.cwasm"
before=$(loads)
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1000000000)
[ "$got" = "$WANT" ] && ok || not_ok "run with a foreign piece: '$got', interpreter '$WANT'"
[ "$(loads)" = $((before + 2)) ] && ok || not_ok "the foreign piece was not loaded ($(loads) loads, was $before)"
stderr=$(cat "$TMP/stderr")
expect_stderr_has "cache piece refused" "the foreign piece is reported"
rm -f "${PIECE1%.p*}.p0123456789abcdef.cwasm"

# ---- 5. two runs at once on an empty cache: both right, the piece sound -------
rm -f "$CACHE"/*
( "$WEFT" run "${TIER[@]}" --aot-hot 1000 --fuel $BIG "$M" >"$TMP/a.out" 2>&1; echo $? >"$TMP/a.rc" ) &
( "$WEFT" run "${TIER[@]}" --aot-hot 1000 --fuel $BIG "$M" >"$TMP/b.out" 2>&1; echo $? >"$TMP/b.rc" ) &
wait
[ "$(cat "$TMP/a.rc") $(cat "$TMP/a.out")" = "63 H" ] && [ "$(cat "$TMP/b.rc") $(cat "$TMP/b.out")" = "63 H" ] &&
    ok || not_ok "concurrent tiered runs: '$(cat "$TMP/a.rc") $(cat "$TMP/a.out")' '$(cat "$TMP/b.rc") $(cat "$TMP/b.out")'"
[ "$(pieces)" = 1 ] && ok || not_ok "concurrent runs left one piece ($(pieces))"
before=$(loads)
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1000)
[ "$got" = "$WANT" ] && [ "$(loads)" = $((before + 1)) ] && ok ||
    not_ok "the piece the concurrent runs wrote loads and runs right: '$got', $(loads) loads (was $before)"
[ -z "$(find "$CACHE" -name '.*')" ] && ok || not_ok "no temporary file left in the cache"

# ---- 6. in the background (no --aot-wait): weft does not wait for the build --
BG=$TMP/bgcache
mkdir -m 700 "$BG"
weft_guarded 60 run --aot --cache-dir "$BG" --aot-tier-bytes 0 --aot-hot 1000 "$M"
[ "$status $stdout" = "63 H" ] && ok || not_ok "background-tiered run: '$status $stdout'"

# ---- 7. below the threshold: compiled whole first, as before -----------------
rm -f "$CACHE"/*
before=$(loads)
got=$(outcome $BIG --aot --cache-dir "$CACHE")
[ "$got" = "$WANT" ] && ok || not_ok "small module, whole compile: '$got'"
[ "$(wholes)" = 1 ] && [ "$(pieces)" = 0 ] && [ "$(loads)" = $((before + 1)) ] && ok ||
    not_ok "small module: one whole entry, loaded ($(wholes) whole, $(pieces) pieces)"

# ---- 8. options --------------------------------------------------------------
weft run --aot-hot 0 "$M"
expect_status 1 "--aot-hot 0 is refused"
weft run --aot-tier-bytes x "$M"
expect_status 1 "--aot-tier-bytes x is refused"

done_testing
