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

# ---- 4b. the piece format: no module inside, bound by the module hash -------
# A piece is format 4 with the piece flag and no Wasm payload (W = 0): the
# module hash in the MAC'd header is all that ties it to the module run.
# Headers are forged with the test's own key (fix_mac) where the check
# behind the MAC is the one under test.
put_byte() { # FILE OFFSET VALUE(0-255)
    # shellcheck disable=SC2059
    printf "\\$(printf '%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
get_u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
put_u32() { # FILE OFFSET VALUE (little-endian)
    local i
    for i in 0 1 2 3; do put_byte "$1" $(($2 + i)) $((($3 >> (8 * i)) & 255)); done
}
put_u64() { put_u32 "$1" "$2" "$3" && put_u32 "$1" $(($2 + 4)) 0; }
fix_mac() { # recomputes the MAC with the test's key, as only its holder can
    local h key i
    key=$(od -An -tx1 -v "$XDG_CONFIG_HOME/weft/aot.key" | tr -d ' \n')
    h=$({ head -c 992 "$1"; tail -c +1025 "$1"; } |
        openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" | sed 's/.*= //')
    for ((i = 0; i < 64; i += 2)); do put_byte "$1" $((992 + i / 2)) $((16#${h:i:2})); done
}
[ "$(get_u32 "$PIECE1" 8)" = 4 ] && [ $(($(get_u32 "$PIECE1" 20) & 4)) = 4 ] &&
    [ "$(get_u32 "$PIECE1" 24)" = 0 ] && ok ||
    not_ok "a piece is format 4, flagged a piece, without the module (format $(get_u32 "$PIECE1" 8), flags $(get_u32 "$PIECE1" 20), W $(get_u32 "$PIECE1" 24))"
weft inspect "$PIECE1"
expect_stdout_has "cache piece" "inspect names a piece"
# refused_piece LABEL WHY: the run with PIECE1 replaced by $TMP/forged
# gives the interpreter's result, loads only PIECE2 and says WHY
refused_piece() {
    cp "$TMP/forged" "$PIECE1"
    before=$(loads)
    got=$(outcome $BIG "${TIER[@]}" --aot-hot 1000000000)
    [ "$got" = "$WANT" ] && ok || not_ok "$1: '$got', interpreter '$WANT'"
    [ "$(loads)" = $((before + 1)) ] && ok || not_ok "$1: not loaded ($(loads) loads, was $before)"
    stderr=$(cat "$TMP/stderr")
    expect_stderr_has "cache piece refused ($2" "$1: refused, says why"
    cp "$TMP/piece1" "$PIECE1"
}
cp "$PIECE1" "$TMP/piece1"
# the module hash in the header flipped: without the key the MAC fails...
cp "$TMP/piece1" "$TMP/forged" && put_byte "$TMP/forged" 45 $(($(od -An -tu1 -j45 -N1 "$TMP/piece1") ^ 1))
refused_piece "module hash flipped" "not authentic"
# ...and with it, the hash names another module
fix_mac "$TMP/forged"
refused_piece "module hash flipped, MAC fixed" "made for another module"
# another mode: the fuel flag cleared, MAC fixed
cp "$TMP/piece1" "$TMP/forged" && put_u32 "$TMP/forged" 20 $(($(get_u32 "$TMP/piece1" 20) & ~2)) && fix_mac "$TMP/forged"
refused_piece "piece of another mode" "made for another module or mode"
# made by another weft build (the header's build field; MAC fixed): it
# cannot vouch that the module was validated, so the module is validated
# and lowered at load as on a first run (a piece of this build lets it
# load precompiled, lowering bodies on first call); its code still runs
cp "$TMP/piece1" "$TMP/forged" && put_byte "$TMP/forged" 168 $(($(od -An -tu1 -j168 -N1 "$TMP/piece1") ^ 1)) && fix_mac "$TMP/forged"
cp "$TMP/forged" "$PIECE1"
before=$(loads)
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1000000000)
[ "$got" = "$WANT" ] && [ "$(loads)" = $((before + 2)) ] && ok ||
    not_ok "piece of another build: '$got', $(loads) loads (was $before)"
got=$(outcome $SHORT "${TIER[@]}" --aot-hot 1000000000)
[ "$got" = "$WANT_SHORT" ] && ok || not_ok "short run, piece of another build: '$got', interpreter '$WANT_SHORT'"
cp "$TMP/piece1" "$PIECE1"
# truncated: by one byte, and to the header alone
head -c $(($(stat -c %s "$TMP/piece1") - 1)) "$TMP/piece1" >"$TMP/forged"
refused_piece "piece truncated by a byte" "truncated"
head -c 1024 "$TMP/piece1" >"$TMP/forged"
refused_piece "piece truncated to its header" "truncated"
# format 3 claimed for a piece without the module: malformed in format 3
cp "$TMP/piece1" "$TMP/forged" && put_u32 "$TMP/forged" 8 3 && fix_mac "$TMP/forged"
refused_piece "format 3 without the module" "corrupt"
# an old-format piece as weft wrote them before: format 3, no piece flag,
# the whole module between header and object; refused, then built again
WASM_SIZE=$(stat -c %s "$M")
{ head -c 1024 "$TMP/piece1"; cat "$M"; tail -c +1025 "$TMP/piece1"; } >"$TMP/forged"
put_u32 "$TMP/forged" 8 3
put_u32 "$TMP/forged" 20 $(($(get_u32 "$TMP/piece1" 20) & ~4))
put_u64 "$TMP/forged" 24 "$WASM_SIZE"
fix_mac "$TMP/forged"
refused_piece "old-format piece (format 3, module inside)" "not a piece of this weft's format"
cp "$TMP/forged" "$PIECE1"
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1000)
[ "$got" = "$WANT" ] && ok || not_ok "run rebuilding the old piece: '$got', interpreter '$WANT'"
[ "$(get_u32 "$PIECE1" 8)" = 4 ] && [ "$(get_u32 "$PIECE1" 24)" = 0 ] && ok ||
    not_ok "the refused old-format piece was built again in format 4 (format $(get_u32 "$PIECE1" 8))"
before=$(loads)
got=$(outcome $BIG "${TIER[@]}" --aot-hot 1000000000)
[ "$got" = "$WANT" ] && [ "$(loads)" = $((before + 2)) ] && ok ||
    not_ok "the rebuilt piece loads: '$got', $(loads) loads (was $before)"
# a piece is no artifact to run on its own, nor a whole cache entry
weft run --allow-precompiled "$PIECE1"
expect_status 2 "--allow-precompiled refuses a piece"
expect_stderr_has "cannot run alone" "--allow-precompiled says why"
WHOLE=${PIECE1%.p*}.cwasm
cp "$PIECE1" "$WHOLE"
got=$(outcome $BIG --aot --cache-dir "$CACHE")
[ "$got" = "$WANT" ] && ok || not_ok "run with a piece posing as the whole entry: '$got'"
stderr=$(cat "$TMP/stderr")
expect_stderr_has "a piece, not a whole entry" "a piece posing as the whole entry is refused"
rm -f "$WHOLE"

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
