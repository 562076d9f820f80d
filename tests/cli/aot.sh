#!/usr/bin/env bash
# aot.sh — `weft compile`, `weft run --allow-precompiled FILE.cwasm` and
# `weft run --aot`: compiled code prints what the interpreter prints; every
# damaged or mismatched artifact (truncated, flipped header or payload
# byte, other target, other ABI) is refused with exit status 2 before its
# shared object is loaded (a header whose module hash the object's table
# does not carry, after); the --aot cache is reused
# without running the compiler and a corrupt entry is rebuilt. (Who may
# make an artifact weft loads: tests/cli/aot_trust.sh.)
#
# "Never loaded" is observed directly: artifacts are built with a compiler
# wrapper that links a constructor into the shared object; the constructor
# appends to $WEFT_TEST_MARKER whenever the object is loaded.
source "$(dirname "$0")/helpers.bash"

M=$(wasm aot) || exit 1
WASI=$(wasm aot_wasi) || exit 1
A=$(wasm arith) || exit 1

# ---- tools: a compiler wrapper that logs calls and marks loads -------------
HOST_CC=${WEFT_TEST_CC:-cc}
cat >"$TMP/cc" <<EOF
#!/bin/sh
# logs each call; the link step (-shared) also links the load marker
echo "\$*" >>"$TMP/cc.log"
case " \$* " in
*" -shared "*) exec $HOST_CC "\$@" "$ROOT/tests/cli/load_marker.c" ;;
esac
exec $HOST_CC "\$@"
EOF
chmod +x "$TMP/cc"
export WEFT_TEST_MARKER=$TMP/marker
CC_CALLS=0
cc_calls() { if [ -f "$TMP/cc.log" ]; then wc -l <"$TMP/cc.log"; else echo 0; fi; }
loads() { if [ -f "$WEFT_TEST_MARKER" ]; then wc -l <"$WEFT_TEST_MARKER"; else echo 0; fi; }

# byte I/O on files with od/dd/printf only
put_byte() { # FILE OFFSET VALUE(0-255)
    # shellcheck disable=SC2059
    printf "\\$(printf '%03o' "$3")" |
        dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
get_byte() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
flip_byte() { put_byte "$1" "$2" $(($(get_byte "$1" "$2") ^ 0xff)); }
put_hex() { # FILE OFFSET HEX
    local i hex=$3
    for ((i = 0; i < ${#hex}; i += 2)); do
        put_byte "$1" $(($2 + i / 2)) $((16#${hex:i:2}))
    done
}
put_u32() { # FILE OFFSET VALUE (little-endian)
    local i
    for i in 0 1 2 3; do put_byte "$1" $(($2 + i)) $((($3 >> (8 * i)) & 255)); done
}
put_str() { # FILE OFFSET FIELD-SIZE TEXT (NUL-padded)
    dd if=/dev/zero of="$1" bs=1 seek="$2" count="$3" conv=notrunc status=none
    printf '%s' "$4" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# Recomputes the MAC (HMAC-SHA256 under the test's own AoT key of header
# bytes 0..991, then everything after the header), as only a holder of the
# key can, so the checks behind it are reached.
KEYFILE=$XDG_CONFIG_HOME/weft/aot.key # made by the first weft compile
fix_mac() {
    local h key
    key=$(od -An -tx1 -v "$KEYFILE" | tr -d ' \n')
    h=$({ head -c 992 "$1"; tail -c +1025 "$1"; } |
        openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" | sed 's/.*= //')
    put_hex "$1" 992 "$h"
}

# ---- compile, then run the same calls interpreted and compiled -------------
C=$TMP/aot.cwasm
weft compile --explicit-bounds-checks --cc "$TMP/cc" -j 2 "$M" -o "$C"
expect_status 0 "weft compile"
if [ -s "$C" ] && [ "$(head -c 8 "$C")" = weft-aot ]; then ok; else not_ok "artifact starts with the magic"; fi

# same_as_interp FILE FUNC ARGS...: compiled and interpreted runs print the
# same stdout, the same trap message and exit with the same status
same_as_interp() {
    local file=$1 i_out i_err i_status
    shift
    weft run --invoke "$1" "$M" "${@:2}"
    i_out=$stdout i_err=$(head -1 <<<"$stderr") i_status=$status
    weft run --allow-precompiled --invoke "$1" "$file" "${@:2}"
    if [ "$status" = "$i_status" ] && [ "$stdout" = "$i_out" ] &&
        [ "$(head -1 <<<"$stderr")" = "$i_err" ]; then
        ok
    else
        not_ok "$* on $(basename "$file"): interpreter printed '$i_out' '$i_err' (status $i_status)"
    fi
}
calls=("fib 20" "squares 1000" "datasum" "apply 0 6 7" "apply 2 6 7" "apply 3 1 1"
    "bump 5" "grow_and_store 1" "grow_and_store 4" "hypot 3 4" "trunc 1e10" "trunc -7.9"
    "load 65532" "load 65533" "rotl 1 65" "divu 10 3" "divu 1 0" "deep 100000")
before=$(loads)
for c in "${calls[@]}"; do
    # shellcheck disable=SC2086
    same_as_interp "$C" $c
done
if [ "$(loads)" -gt "$before" ]; then ok; else not_ok "running the artifact loads its code (marker)"; fi

# a WASI command: output and proc_exit status as interpreted
weft compile --explicit-bounds-checks "$WASI" -o "$TMP/wasi.cwasm"
weft run --allow-precompiled "$TMP/wasi.cwasm"
expect_status 7 "WASI proc_exit status from compiled code"
expect_stdout "hello from weft" "WASI fd_write from compiled code"
# `weft --allow-precompiled FILE.cwasm` is `weft run --allow-precompiled ...`
weft --allow-precompiled "$TMP/wasi.cwasm"
expect_stdout "hello from weft" "weft --allow-precompiled FILE.cwasm"

# the default mode (guard pages on 64-bit hosts) computes the same results
weft compile "$M" -o "$TMP/guard.cwasm"
expect_status 0 "weft compile (default bounds-check mode)"
for c in "fib 20" "squares 1000" "datasum" "apply 2 6 7" "grow_and_store 2" "hypot 3 4"; do
    # shellcheck disable=SC2086
    same_as_interp "$TMP/guard.cwasm" $c
done

# default output name, and the header records what the docs say
cp "$A" "$TMP/arith.wasm"
weft compile --explicit-bounds-checks "$TMP/arith.wasm"
if [ -f "$TMP/arith.cwasm" ]; then ok; else not_ok "FILE.wasm compiles to FILE.cwasm by default"; fi
hdr_str() { dd if="$1" bs=1 skip="$2" count="$3" status=none | tr -d '\0'; }
host=$(hdr_str "$C" 72 64)
case $host in *-*) ok ;; *) not_ok "target triple in the header: '$host'" ;; esac
if [ "$(hdr_str "$C" 200 256)" = "$TMP/cc" ]; then ok; else not_ok "compiler command in the header"; fi
case $(hdr_str "$C" 456 256) in ?*) ok ;; *) not_ok "compiler version in the header" ;; esac
case $(hdr_str "$C" 712 256) in *-O2*) ok ;; *) not_ok "compiler flags in the header" ;; esac
want=$(sha256sum "$M" | cut -c1-64)
have=$(od -An -tx1 -j 40 -N 32 "$C" | tr -d ' \n')
if [ "$have" = "$want" ]; then ok; else not_ok "module SHA-256 in the header ($have != $want)"; fi
if [ "$(get_byte "$C" 20)" = 1 ]; then ok; else not_ok "explicit-checks flag set"; fi
if [ "$(get_byte "$TMP/guard.cwasm" 20)" = 0 ]; then ok; else not_ok "guard-page flag clear"; fi
# deterministic: the same module and options give the same artifact
weft compile --explicit-bounds-checks --cc "$TMP/cc" "$M" -o "$TMP/again.cwasm"
if cmp -s "$C" "$TMP/again.cwasm"; then ok; else not_ok "compiling twice gives the same bytes"; fi

# ---- refusals: status 2, a clear message, the code never loaded ------------
# refused FILE WHAT MESSAGE: run FILE and expect a refusal without loading
refused() {
    local file=$1 what=$2 msg=$3 before
    before=$(loads)
    weft run --allow-precompiled --invoke fib "$file" 10
    expect_status 2 "$what: exit status"
    expect_stderr_has "refused" "$what: says it is refused"
    expect_stderr_has "$msg" "$what: says why"
    if [ -z "$stdout" ] && [ "$(loads)" = "$before" ]; then ok; else
        not_ok "$what: the shared object must not be loaded"; fi
}
variant() { cp "$C" "$TMP/$1.cwasm" && echo "$TMP/$1.cwasm"; }
size=$(stat -c %s "$C")

for cut in 8 100 1023 1024 $((size / 2)) $((size - 1)); do
    v=$(variant trunc)
    truncate -s "$cut" "$v"
    refused "$v" "truncated to $cut bytes" "truncated"
done
v=$(variant long) && printf 'x' >>"$v"
refused "$v" "one byte appended" "corrupt"

# a flipped byte anywhere in the header or the payload: the MAC covers
# every byte but its own (and a flipped MAC byte no longer matches)
wbytes=$(stat -c %s "$M")
for off in 12 20 24 50 75 210 500 970 980 1000 1030 $((1024 + wbytes - 1)) \
    $((1024 + wbytes)) $((size / 2)) $((size - 1)); do
    v=$(variant flip) && flip_byte "$v" "$off"
    case $off in
    12) why="format" ;;          # header size field: the format check sees it
    24) why="the header says" ;; # the Wasm size field: sizes disagree first
    970 | 980) why="not made with your AoT key" ;; # the key id
    *) why="the MAC does not verify under your AoT key" ;;
    esac
    refused "$v" "byte $off flipped" "$why"
done
# without the magic it is no artifact: loaded as (malformed) Wasm
v=$(variant flip) && flip_byte "$v" 3
weft run --allow-precompiled --invoke fib "$v" 10
expect_status 2 "magic flipped: exit status"
expect_stderr_has "malformed" "magic flipped: read as a Wasm module"

# forged fields with the MAC fixed up (with the key), so each check is reached
v=$(variant target) && put_str "$v" 72 64 "aarch64-linux-gnu" && fix_mac "$v"
[ "$host" = aarch64-linux-gnu ] && put_str "$v" 72 64 "riscv64-linux-gnu" && fix_mac "$v"
refused "$v" "forged target" "built for target"
expect_stderr_has "this host is $host" "target message names this host"
v=$(variant abi) && put_u32 "$v" 16 999 && fix_mac "$v"
refused "$v" "forged ABI" "AoT ABI 999"
v=$(variant format) && put_u32 "$v" 8 5 && fix_mac "$v"
refused "$v" "future format version" "format 5"
# format 3 (before pieces): a whole artifact of it still runs
v=$(variant format3) && put_u32 "$v" 8 3 && fix_mac "$v"
weft run --allow-precompiled --invoke fib "$v" 10
[ "$status $stdout" = "0 55" ] && ok || not_ok "a format-3 whole artifact runs: '$status $stdout'"
# detached (no module inside, as the --aot cache writes them): no
# artifact to run alone
wsize=$(stat -c %s "$M")
v=$TMP/detached.cwasm
{ head -c 1024 "$C"; tail -c +$((1024 + wsize + 1)) "$C"; } >"$v"
put_u32 "$v" 24 0 && fix_mac "$v"
refused "$v" "detached artifact" "cannot run alone"
v=$(variant oldformat) && put_u32 "$v" 8 2
refused "$v" "format 2 (unauthenticated)" "artifact format 2"
# The module hash and the module are both under the MAC, so weft does not
# hash the module again at load: only the key's holder could make them
# disagree, and the key's holder is trusted with native code anyway (a
# changed module byte without the key is refused above, at 1030). A
# forged hash still cannot pair code with a module it was not made for:
# the object's own table carries the hash it was compiled for.
v=$(variant modhash) && flip_byte "$v" 45 && fix_mac "$v"
weft run --allow-precompiled --invoke fib "$v" 10
expect_status 2 "module hash in the header forged: exit status"
expect_stderr_has "does not match the artifact's header" \
    "module hash in the header forged: the object's table gives it away"
v=$(variant field) && put_byte "$v" 263 65 && put_byte "$v" 455 66 && fix_mac "$v"
refused "$v" "unterminated string field" "malformed header field"

# a consistent header around another build's shared object (same module,
# other bounds-check mode): the object's own table gives it away
wsize=$(stat -c %s "$M")
v=$TMP/swapped.cwasm
{ head -c $((1024 + wsize)) "$C"; tail -c +$((1024 + wsize + 1)) "$TMP/guard.cwasm"; } >"$v"
put_u32 "$v" 32 $(($(stat -c %s "$v") - 1024 - wsize)) && fix_mac "$v"
weft run --allow-precompiled --invoke fib "$v" 10
expect_status 2 "shared object of another mode: exit status"
expect_stderr_has "does not match the artifact's header" "shared object of another mode: says why"

# a real artifact for another target, when a cross compiler is installed
cross=aarch64-linux-gnu
[ "$host" = aarch64-linux-gnu ] && cross=riscv64-linux-gnu
if command -v "$cross-gcc" >/dev/null 2>&1; then
    weft compile --explicit-bounds-checks --target "$cross" "$M" -o "$TMP/cross.cwasm"
    expect_status 0 "weft compile --target $cross"
    if [ "$(hdr_str "$TMP/cross.cwasm" 72 64)" = "$cross" ]; then ok; else
        not_ok "cross artifact records target $cross"; fi
    if [ "$(hdr_str "$TMP/cross.cwasm" 200 256)" = "$cross-gcc" ]; then ok; else
        not_ok "cross artifact records $cross-gcc"; fi
    refused "$TMP/cross.cwasm" "artifact for $cross" "built for target $cross"
else
    echo "note: $cross-gcc not installed; cross artifact covered by the forged one"
fi

# ---- compile errors --------------------------------------------------------
weft compile "$TMP/none.wasm"
expect_status 1 "compile: missing file"
weft compile "$(wasm invalid --no-check)" -o "$TMP/invalid.cwasm"
expect_status 2 "compile: invalid module"
weft compile --cc "$TMP/no-such-cc" "$M" -o "$TMP/x.cwasm"
expect_status 1 "compile: compiler missing"
expect_stderr_has "cannot run the C compiler" "compiler missing message"
weft compile --target mips-unknown-none --cc "$HOST_CC" "$M" -o "$TMP/x.cwasm"
expect_status 1 "compile: --target disagrees with the compiler"
expect_stderr_has "not mips-unknown-none" "target mismatch message"
weft compile --cc false "$M" -o "$TMP/x.cwasm"
expect_status 1 "compile: compiler that fails"
if [ ! -e "$TMP/x.cwasm" ]; then ok; else not_ok "no artifact after a failed compile"; fi
weft compile "$C"
expect_status 1 "compile: an artifact is not a module"
expect_stderr_has "already" "compiling an artifact says so"

# ---- weft run --aot: the cache ---------------------------------------------
CACHE=$TMP/cache
export WEFT_CC=$TMP/cc
rm -f "$TMP/cc.log"
weft run --aot --cache-dir "$CACHE" --explicit-bounds-checks --invoke fib "$M" 25
expect_stdout 75025 "--aot first run (compiles)"
first=$(cc_calls)
if [ "$first" -gt 0 ]; then ok; else not_ok "--aot first run runs the compiler"; fi
entries=("$CACHE"/*.cwasm)
if [ ${#entries[@]} = 1 ] && [ -f "${entries[0]}" ]; then ok; else not_ok "one cache entry (${entries[*]})"; fi
entry=${entries[0]}
before=$(loads)
weft run --aot --cache-dir "$CACHE" --explicit-bounds-checks --invoke fib "$M" 25
expect_stdout 75025 "--aot second run"
expect_stderr_empty "--aot second run"
if [ "$(cc_calls)" = "$first" ]; then ok; else not_ok "--aot second run reuses the cache (no compiler run)"; fi
if [ "$(loads)" -gt "$before" ]; then ok; else not_ok "--aot second run runs compiled code"; fi
# traps as interpreted
weft run --aot --cache-dir "$CACHE" --explicit-bounds-checks --invoke load "$M" 65533
expect_status 3 "--aot out-of-bounds trap"
expect_stderr_has "out of bounds memory access" "--aot trap message"

# a corrupt entry is detected and rebuilt, then reused again
for damage in flip truncate; do
    n=$(cc_calls)
    if [ $damage = flip ]; then flip_byte "$entry" $(($(stat -c %s "$entry") - 100)); else truncate -s 2000 "$entry"; fi
    weft run --aot --cache-dir "$CACHE" --explicit-bounds-checks --invoke fib "$M" 25
    expect_stdout 75025 "--aot with a corrupt entry ($damage)"
    expect_stderr_has "cache entry refused" "corrupt entry ($damage) is reported"
    if [ "$(cc_calls)" -gt "$n" ]; then ok; else not_ok "corrupt entry ($damage) is rebuilt"; fi
    n=$(cc_calls)
    weft run --aot --cache-dir "$CACHE" --explicit-bounds-checks --invoke fib "$M" 25
    expect_stderr_empty "rebuilt entry ($damage) accepted"
    if [ "$(cc_calls)" = "$n" ]; then ok; else not_ok "rebuilt entry ($damage) is reused"; fi
done
# a different mode is a different entry
weft run --aot --cache-dir "$CACHE" --invoke fib "$M" 20
expect_stdout 6765 "--aot in the default mode"
entries=("$CACHE"/*.cwasm)
if [ ${#entries[@]} = 2 ]; then ok; else not_ok "bounds-check mode is part of the cache key"; fi
# default cache location: $XDG_CACHE_HOME/weft
XDG_CACHE_HOME=$(cd "$TMP" && pwd)/xdg weft run --aot --invoke datasum "$M"
expect_stdout 1677 "--aot with XDG_CACHE_HOME"
if compgen -G "$TMP/xdg/weft/*.cwasm" >/dev/null; then ok; else not_ok "cache in \$XDG_CACHE_HOME/weft"; fi
# WASI through --aot
weft run --aot --cache-dir "$CACHE" "$WASI"
expect_status 7 "--aot WASI exit status"
expect_stdout "hello from weft" "--aot WASI output"

done_testing
