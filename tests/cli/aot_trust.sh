#!/usr/bin/env bash
# aot_trust.sh — who may make the native code weft runs. An artifact is
# precompiled native code: `weft run` loads one only with
# --allow-precompiled (never because of its name or suffix) and only when
# its HMAC-SHA256 verifies under this user's AoT key, before any byte of
# its shared object is staged or loaded. The --aot cache is a directory
# this user owns and only this user can write; each entry is opened
# without following links, must be this user's private regular file and
# must authenticate, or it is rebuilt and replaced. validate and inspect
# say what an artifact is. A second user (uid 65534, through setpriv)
# plays the attacker.
#
# "Never loaded" is observed directly: code is built with a compiler
# wrapper that links a constructor into the shared object; it appends to
# $WEFT_TEST_MARKER whenever the object is loaded. The attacker's objects
# carry a constructor that writes $PWNED.
source "$(dirname "$0")/helpers.bash"

M=$(wasm aot) || exit 1
HOST_CC=${WEFT_TEST_CC:-cc}
OTHER=65534
as_other() { setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$@"; }
WEFT_ABS=$(cd "$(dirname "$WEFT")" && pwd)/$(basename "$WEFT")

# ---- tools -------------------------------------------------------------------
cat >"$TMP/evil.c" <<'EOF2'
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void evil(void) {
  const char *path = getenv("PWNED");
  FILE *f = path ? fopen(path, "a") : NULL;
  if (f) {
    fputs("pwned\n", f);
    fclose(f);
  }
}
EOF2
load_marker_cc
"$HOST_CC" -shared -fPIC -o "$TMP/evil.so" "$TMP/evil.c" || exit 1
export WEFT_TEST_MARKER=$TMP/marker PWNED=$TMP/pwned
pwned() { [ -e "$PWNED" ]; }

put_byte() { # FILE OFFSET VALUE(0-255)
    # shellcheck disable=SC2059
    printf "\\$(printf '%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
put_hex() { # FILE OFFSET HEX
    local i hex=$3
    for ((i = 0; i < ${#hex}; i += 2)); do put_byte "$1" $(($2 + i / 2)) $((16#${hex:i:2})); done
}
put_u64() { # FILE OFFSET VALUE (little-endian)
    local i
    for i in 0 1 2 3 4 5 6 7; do put_byte "$1" $(($2 + i)) $((($3 >> (8 * i)) & 255)); done
}
# forge ARTIFACT OUT: ARTIFACT's header and module around the attacker's
# shared object, sizes fixed, and the format-2 "integrity" field (SHA-256
# of header bytes 0..991 and the object) recomputed: all it took before.
forge() {
    local w h
    w=$(od -An -tu8 -j24 -N8 "$1" | tr -d ' ')
    { head -c $((1024 + w)) "$1"; cat "$TMP/evil.so"; } >"$2"
    put_u64 "$2" 32 "$(stat -c %s "$TMP/evil.so")"
    h=$({ head -c 992 "$2"; tail -c +$((1025 + w)) "$2"; } | sha256sum | cut -c1-64)
    put_hex "$2" 992 "$h"
}
# mac_with KEYFILE ARTIFACT: a MAC computed with another key (the attacker's)
mac_with() {
    local h key
    key=$(od -An -tx1 -v "$1" | tr -d ' \n')
    h=$({ head -c 992 "$2"; tail -c +1025 "$2"; } |
        openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" | sed 's/.*= //')
    put_hex "$2" 992 "$h"
}
# not_loaded WHAT BEFORE: the marker count did not move and nothing pwned
not_loaded() {
    if [ "$(loads)" = "$2" ] && ! pwned; then ok; else not_ok "$1: code from the file was loaded"; fi
}

# ---- 1. an artifact runs only on explicit opt-in -----------------------------
C=$TMP/app.cwasm
weft compile --cc "$TMP/cc" "$M" -o "$C"
expect_status 0 "weft compile"
KEY=$XDG_CONFIG_HOME/weft/aot.key
if [ "$(stat -c '%s %a %u' "$KEY" 2>/dev/null)" = "32 600 $(id -u)" ]; then ok; else
    not_ok "first compile made a 32-byte key, mode 0600, owned by the user ($(stat -c '%s %a %u' "$KEY" 2>&1))"; fi
if [ "$(stat -c %a "$XDG_CONFIG_HOME/weft")" = 700 ]; then ok; else not_ok "the key directory is mode 0700"; fi
cp "$C" "$TMP/app.wasm"
cp "$C" "$TMP/noext"
for f in "$C" "$TMP/app.wasm" "$TMP/noext"; do
    before=$(loads)
    weft run --invoke fib "$f" 10
    expect_status 2 "run $(basename "$f") without --allow-precompiled: exit status"
    expect_stderr_has "precompiled native code" "run $(basename "$f"): says what it is"
    expect_stderr_has "--allow-precompiled" "run $(basename "$f"): says how to opt in"
    not_loaded "run $(basename "$f") without --allow-precompiled" "$before"
done
before=$(loads)
weft "$TMP/app.wasm"
expect_status 2 "weft app.wasm (an artifact) without the flag"
not_loaded "weft app.wasm (shorthand)" "$before"
before=$(loads)
weft run --allow-precompiled --invoke fib "$C" 10
expect_stdout 55 "run --allow-precompiled"
if [ "$(loads)" -gt "$before" ]; then ok; else not_ok "run --allow-precompiled runs the compiled code"; fi
weft run --allow-precompiled --invoke fib "$TMP/app.wasm" 10
expect_stdout 55 "run --allow-precompiled on an artifact named .wasm"
# --allow-precompiled does not stop a module from being a module
weft run --allow-precompiled --invoke fib "$M" 10
expect_stdout 55 "run --allow-precompiled on a Wasm module"

# validate and inspect say what it is
weft validate "$C"
expect_status 2 "validate on an artifact: exit status"
expect_stderr_has "precompiled native code" "validate: says it is native code"
if ! grep -q valid <<<"$stdout"; then ok; else not_ok "validate must not call an artifact valid"; fi
weft inspect "$C"
expect_status 0 "inspect on an artifact"
expect_stdout_has "weft AoT artifact (precompiled native code)" "inspect: what it is"
expect_stdout_re "^  target: +$(cc -dumpmachine | sed 's/-pc-/-/; s/-unknown-/-/')\$" "inspect: the header's target"
expect_stdout_re "^  authentic: +yes" "inspect: authenticates with this user's key"

# ---- 2. forged and foreign artifacts are refused before loading --------------
# the old attack: the object swapped, the SHA-256 "integrity" recomputed
forge "$C" "$TMP/forged.cwasm"
before=$(loads)
weft run --allow-precompiled --invoke fib "$TMP/forged.cwasm" 10
expect_status 2 "forged object, SHA-256 recomputed: exit status"
expect_stderr_has "not authentic" "forged object: says it is not authentic"
not_loaded "forged object with a recomputed SHA-256" "$before"
weft inspect "$TMP/forged.cwasm"
expect_stdout_re "^  authentic: +no" "inspect: the forged artifact does not authenticate"
# the attacker's own key
head -c 32 /dev/urandom >"$TMP/attacker.key"
forge "$C" "$TMP/forged2.cwasm" && mac_with "$TMP/attacker.key" "$TMP/forged2.cwasm"
before=$(loads)
weft run --allow-precompiled --invoke fib "$TMP/forged2.cwasm" 10
expect_status 2 "MAC under another key: exit status"
expect_stderr_has "not authentic" "MAC under another key: refused"
not_loaded "MAC under another key" "$before"

# made by another user with their own key (weft compile as uid $OTHER)
chmod 711 "$TMP"
mkdir -p "$TMP/other/home"
cp "$M" "$TMP/other/m.wasm"
cat >"$TMP/other/cc" <<EOF2
#!/bin/sh
case " \$* " in
*" -shared "*) exec $HOST_CC "\$@" "$TMP/evil.c" ;;
esac
exec $HOST_CC "\$@"
EOF2
chmod 755 "$TMP/other/cc"
cp "$TMP/evil.c" "$TMP/other/evil.c" && chmod 644 "$TMP/evil.c"
chown -R $OTHER:$OTHER "$TMP/other"
as_other env HOME="$TMP/other/home" XDG_CONFIG_HOME= XDG_CACHE_HOME= TMPDIR="$TMP/other" \
    "$WEFT_ABS" compile --cc "$TMP/other/cc" "$TMP/other/m.wasm" -o "$TMP/other/m.cwasm" \
    >"$TMP/other.log" 2>&1
if [ -s "$TMP/other/m.cwasm" ]; then ok; else not_ok "uid $OTHER compiles an artifact ($(head -3 "$TMP/other.log"))"; fi
before=$(loads)
weft run --allow-precompiled --invoke fib "$TMP/other/m.cwasm" 10
expect_status 2 "another user's artifact: exit status"
expect_stderr_has "not made with your AoT key" "another user's artifact: says whose key is missing"
not_loaded "another user's artifact" "$before"
weft inspect "$TMP/other/m.cwasm"
expect_stdout_re "^  authentic: +no: not authentic: not made with your AoT key" "inspect: another user's artifact"

# ---- 3. a shared key: --aot-key and WEFT_AOT_KEY -----------------------------
SK=$TMP/shared.key
head -c 32 /dev/urandom >"$SK" && chmod 600 "$SK"
weft compile --aot-key "$SK" --cc "$TMP/cc" "$M" -o "$TMP/shared.cwasm"
expect_status 0 "compile --aot-key"
weft run --allow-precompiled --invoke fib "$TMP/shared.cwasm" 10
expect_status 2 "an artifact made with the shared key, run with the user's key"
weft run --allow-precompiled --aot-key "$SK" --invoke fib "$TMP/shared.cwasm" 10
expect_stdout 55 "run --aot-key with the same key"
WEFT_AOT_KEY=$SK weft run --allow-precompiled --invoke fib "$TMP/shared.cwasm" 10
expect_stdout 55 "WEFT_AOT_KEY names the key"
weft inspect --aot-key "$SK" "$TMP/shared.cwasm"
expect_stdout_re "^  authentic: +yes" "inspect --aot-key"

# key files weft refuses: group/other access, a symlink, another owner, a size
bad_key() { # WHAT FILE MESSAGE
    weft run --allow-precompiled --aot-key "$2" --invoke fib "$TMP/shared.cwasm" 10
    expect_status 1 "key $1: exit status"
    expect_stderr_has "$3" "key $1: says why"
    weft compile --aot-key "$2" --cc "$TMP/cc" "$M" -o "$TMP/k.cwasm"
    expect_status 1 "compile with key $1: exit status"
}
cp "$SK" "$TMP/k644" && chmod 644 "$TMP/k644"
bad_key "mode 0644" "$TMP/k644" "readable by group or others"
cp "$SK" "$TMP/k660" && chmod 660 "$TMP/k660"
bad_key "mode 0660" "$TMP/k660" "writable by group or others"
ln -s "$SK" "$TMP/klink"
bad_key "symlink" "$TMP/klink" "a symbolic link"
cp "$SK" "$TMP/kother" && chmod 600 "$TMP/kother" && chown $OTHER "$TMP/kother"
bad_key "owned by uid $OTHER" "$TMP/kother" "owned by uid $OTHER"
head -c 31 /dev/urandom >"$TMP/kshort" && chmod 600 "$TMP/kshort"
bad_key "of 31 bytes" "$TMP/kshort" "31 bytes"
# the default key too
chmod 644 "$KEY"
weft run --allow-precompiled --invoke fib "$C" 10
expect_status 1 "default key readable by others: refused"
expect_stderr_has "readable by group or others" "default key readable by others: says why"
chmod 600 "$KEY"
# no key at all: nothing authenticates, and running does not make one
XDG_CONFIG_HOME=$PWD/$TMP/nokey weft run --allow-precompiled --invoke fib "$C" 10
expect_status 2 "no key: refused"
expect_stderr_has "no AoT key" "no key: says so"
if [ ! -e "$TMP/nokey/weft/aot.key" ]; then ok; else not_ok "running an artifact must not make a key"; fi

# ---- 4. the --aot cache --------------------------------------------------------
export WEFT_CC=$TMP/cc
CACHE=$TMP/cache
aot() { weft run --aot --cache-dir "$1" --invoke fib "$M" 20; }
aot "$CACHE"
expect_stdout 6765 "--aot first run"
entries=("$CACHE"/*.cwasm)
E=${entries[0]}
if [ ${#entries[@]} = 1 ] && [ -f "$E" ]; then ok; else not_ok "one cache entry"; fi
if [ "$(stat -c '%a %u' "$CACHE")" = "700 $(id -u)" ]; then ok; else not_ok "cache made mode 0700"; fi
case $(stat -c %a "$E") in 600 | 644) ok ;; *) not_ok "entry not writable by others ($(stat -c %a "$E"))" ;; esac
aot "$CACHE"
expect_stderr_empty "--aot hit"

# cache directories weft refuses
refused_cache() { # WHAT DIR MESSAGE
    local before
    before=$(loads)
    aot "$2"
    expect_status 1 "cache $1: exit status"
    expect_stderr_has "$3" "cache $1: says why"
    if [ -z "$(find "$2" -name '*.cwasm' 2>/dev/null)" ]; then ok; else not_ok "cache $1: nothing written into it"; fi
    not_loaded "cache $1" "$before"
}
mkdir "$TMP/sticky" && chmod 1777 "$TMP/sticky"
refused_cache "world-writable and sticky (like /tmp)" "$TMP/sticky" "writable by group or others"
mkdir "$TMP/grp" && chmod 770 "$TMP/grp"
refused_cache "group-writable" "$TMP/grp" "writable by group or others"
mkdir "$TMP/theirs" && chmod 700 "$TMP/theirs" && chown $OTHER "$TMP/theirs"
refused_cache "owned by uid $OTHER" "$TMP/theirs" "owned by uid $OTHER"
ln -s "$CACHE" "$TMP/cachelink"
refused_cache "a symlink" "$TMP/cachelink" "symbolic link"
# the other user, pointed at this user's cache
mkdir "$TMP/rootcache" && chmod 755 "$TMP/rootcache"
as_other env HOME="$TMP/other/home" XDG_CONFIG_HOME= XDG_CACHE_HOME= WEFT_CC="$HOST_CC" \
    "$WEFT_ABS" run --aot --cache-dir "$TMP/rootcache" --invoke fib "$TMP/other/m.wasm" 10 \
    >"$TMP/stdout" 2>"$TMP/stderr"
status=$?
stderr=$(cat "$TMP/stderr")
last_cmd="(uid $OTHER) weft run --aot --cache-dir ROOTS-CACHE"
expect_status 1 "uid $OTHER refuses a cache owned by uid 0"
expect_stderr_has "owned by uid 0" "uid $OTHER: says whose it is"

# planted entries: each is refused, rebuilt and atomically replaced
planted() { # WHAT MESSAGE
    local before
    before=$(loads)
    aot "$CACHE"
    expect_stdout 6765 "$1: still runs"
    expect_stderr_has "cache entry refused" "$1: refused"
    expect_stderr_has "$2" "$1: says why"
    if ! pwned; then ok; else not_ok "$1: the planted code ran"; fi
    if [ "$(loads)" -gt "$before" ]; then ok; else not_ok "$1: rebuilt code runs"; fi
    if [ -f "$E" ] && [ ! -L "$E" ] && [ "$(stat -c %u "$E")" = "$(id -u)" ]; then ok; else
        not_ok "$1: entry replaced by a regular file of this user"; fi
    aot "$CACHE"
    expect_stderr_empty "$1: the rebuilt entry is used"
}
cp "$E" "$TMP/good-entry"
forge "$TMP/good-entry" "$E"
planted "entry with the object swapped and SHA-256 recomputed" "not authentic"
cp "$TMP/other/m.cwasm" "$E"
planted "another user's artifact planted as the entry" "not made with your AoT key"
cp "$TMP/good-entry" "$TMP/target" && forge "$TMP/good-entry" "$TMP/target"
cp "$TMP/target" "$TMP/target.orig"
rm -f "$E" && ln -s "$TMP/target" "$E"
planted "a symlink planted as the entry" "a symbolic link"
if cmp -s "$TMP/target" "$TMP/target.orig"; then ok; else not_ok "the symlink's target is left alone"; fi
chown $OTHER "$E"
planted "entry owned by uid $OTHER" "owned by uid $OTHER"
chmod 666 "$E"
planted "entry writable by others" "writable by group or others"
rm -f "$E" && mkfifo "$E"
planted "a FIFO planted as the entry" "FIFO"
for f in "$CACHE"/*; do
    case $f in *.cwasm) ;; *) not_ok "leftover in the cache: $f" ;; esac
done
ok

# ---- 5. planted tier pieces ----------------------------------------------------
# A piece (aot_tier.c) carries no module: only the module hash in its MAC'd
# header ties it to the module. The attacker's object wrapped as a piece
# of this module, under this module's piece name, is refused and never
# loaded; the run goes on in the interpreter.
TC=$TMP/tcache
mkdir -m 700 "$TC"
tiered() { weft run --aot --cache-dir "$TC" --aot-tier-bytes 0 --aot-hot "$1" --aot-wait --invoke fib "$M" 20; }
tiered 1
expect_stdout 6765 "tiered first run"
P=$(find "$TC" -name '*.p*.cwasm' | head -n 1)
[ -n "$P" ] && [ "$(od -An -tu8 -j24 -N8 "$P" | tr -d ' ')" = 0 ] && ok ||
    not_ok "the tiered run left a piece without the module"
cp "$P" "$TMP/good-piece"
before=$(loads)
tiered 1000000000
expect_stdout 6765 "run with the piece"
[ "$(loads)" = $((before + 1)) ] && ok || not_ok "the piece loads"
planted_piece() { # WHAT MESSAGE
    local before
    before=$(loads)
    tiered 1000000000
    expect_stdout 6765 "$1: still runs"
    expect_stderr_has "cache piece refused" "$1: refused"
    expect_stderr_has "$2" "$1: says why"
    not_loaded "$1" "$before"
    rm -f "$P" && cp "$TMP/good-piece" "$P"
}
forge "$TMP/good-piece" "$P"
planted_piece "piece with the object swapped, SHA-256 recomputed" "not authentic"
forge "$TMP/good-piece" "$P" && mac_with "$TMP/attacker.key" "$P"
planted_piece "piece with the object swapped, MAC of another key" "not authentic"
cp "$TMP/good-piece" "$TMP/ptarget" && rm -f "$P" && ln -s "$(cd "$TMP" && pwd)/ptarget" "$P"
planted_piece "a symlink planted as the piece" "a symbolic link"
chown $OTHER "$P"
planted_piece "piece owned by uid $OTHER" "owned by uid $OTHER"

done_testing
