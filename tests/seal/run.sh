#!/usr/bin/env bash
# run.sh — sealing, module signatures and per-stream byte accounting
# (services/seal*.c, services/modsig.c, cli/cmd_sign.c, docs/sealing.md):
#   1. seal_test (host side): KDF and blob known-answer vectors (S7), bit
#      flips and truncations of a blob, svn rules, hostile weft.sig sections
#   2. seal_prog.wat under `weft run` (weft:seal): round trips in both
#      policies (S1), tampered blobs (S2), another module or runtime (S3),
#      SIGNER svn/signer/product rules (S4), another device (S5), AAD
#      mismatch (S6), hostile guest pointers (S8), CLI errors
#   3. weft sign / weft run refusing bad or forged weft.sig sections
#   4. --account "io" counts equal what io_prog.c reads and writes
#      (needs clang-19 + wasi-libc; skipped, and counted so, without)
# Ends with "N passed, N failed" (and "skipped: N").
#
# usage: tests/seal/run.sh [--asan]
#   WEFT=... (default build/weft, build-asan/weft with --asan),
#   WEFT_SEAL_OUT=... (default BUILD/seal), CC, SAN_CFLAGS, SAN_LDFLAGS
set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2
if [ "${1:-}" = --asan ]; then
    WEFT=${WEFT:-build-asan/weft}
    SAN_CFLAGS=${SAN_CFLAGS:--fsanitize=address,undefined -fno-omit-frame-pointer}
    SAN_LDFLAGS=${SAN_LDFLAGS:--fsanitize=address,undefined}
fi
WEFT=${WEFT:-build/weft}
BUILD=$(dirname "$WEFT")
OUT=${WEFT_SEAL_OUT:-$BUILD/seal}
CC=${CC:-cc}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
rm -rf "$OUT" && mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# weft's AoT key and --aot cache defaults live under OUT, never in the
# user's home (XDG_* take precedence over HOME in weft).
export XDG_CONFIG_HOME="$OUT/xdg-config" XDG_CACHE_HOME="$OUT/xdg-cache"
unset WEFT_AOT_KEY
WEFT=$(cd "$(dirname "$WEFT")" && pwd)/$(basename "$WEFT")
pass=0
fail=0
skip=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() {
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$OUT"/*.err 2>/dev/null; then
        grep -hE 'AddressSanitizer|LeakSanitizer|runtime error:' "$OUT"/*.err | head -5
        bad "sanitizer report in a weft run"
    fi
    [ "$skip" -gt 0 ] && echo "skipped: $skip"
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

# ---- 1. host side ------------------------------------------------------------
echo "-- seal_test (host side)"
if $CC -std=gnu11 -O1 -g -Wall -Wextra -Iinclude -Iservices ${SAN_CFLAGS:-} \
    -o "$OUT/seal_test" tests/seal/seal_test.c services/seal.c services/modsig.c \
    services/eckey.c services/pfs_crypto.c ${SAN_LDFLAGS:-} -lmbedcrypto \
    >"$OUT/test.build" 2>&1; then
    "$OUT/seal_test" >"$OUT/seal_test.out" 2>"$OUT/seal_test.err"
    cat "$OUT/seal_test.out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/seal_test.out" | tail -n 1)
    if [ -n "$line" ]; then
        pass=$((pass + ${line%% passed*}))
        f=${line#*, }; fail=$((fail + ${f%% failed*}))
    else
        bad "seal_test printed no count line"
    fi
else
    cat "$OUT/test.build"; bad "seal_test does not build"
fi

# ---- 2. weft:seal under weft run ------------------------------------------------
if ! command -v wat2wasm >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
    echo "SKIP: parts 2-4 need wat2wasm and openssl"
    skip=$((skip + 1)); finish
fi
N=0 # numbers the stderr files
# wr OUTFILE CMD...: runs CMD with stdout to OUTFILE, stderr kept; sets rc.
wr() {
    local o=$1; shift
    N=$((N + 1)); ERR=$OUT/run$N.err
    "$@" >"$o" 2>"$ERR"; rc=$?
}
# want NAME RC [STDERR-PATTERN]: checks the last wr.
want() {
    if [ "$rc" -ne "$2" ]; then
        bad "$1: status $rc, want $2: $(head -c 300 "$ERR")"
    elif [ $# -ge 3 ] && ! grep -q -- "$3" "$ERR"; then
        bad "$1: stderr lacks '$3': $(head -c 300 "$ERR")"
    else
        ok "$1"
    fi
}
A=$OUT/a.wasm B=$OUT/b.wasm
wat2wasm tests/seal/seal_prog.wat -o "$A" || { bad "seal_prog.wat"; finish; }
sed 's/MARKER-A/MARKER-B/' tests/seal/seal_prog.wat >"$OUT/b.wat"
wat2wasm "$OUT/b.wat" -o "$B" || { bad "b.wat"; finish; }
[ "$(cmp -l "$A" "$B" | wc -l)" = 1 ] && ok "b.wasm differs from a.wasm in one data byte" \
    || bad "b.wasm should differ in exactly one byte"
D1=$OUT/dev1 D2=$OUT/dev2
mkdir -p "$D1" "$D2"
head -c 32 /dev/urandom >"$D1/seal.key"; head -c 32 /dev/urandom >"$D2/seal.key"
chmod 600 "$D1/seal.key" "$D2/seal.key"
for k in k1 k2; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/$k.pem" 2>/dev/null
done
# sealr DEV MODULE FUNC ARGS...: `weft run --invoke` with that device
sealr() { local d=$1 m=$2 f=$3; shift 3; "$WEFT" run --device-dir "$d" --invoke "$f" "$m" "$@"; }
PT=$OUT/pt
{ printf 'TOP-SECRET-PLAINTEXT '; head -c 1000 /dev/urandom; } >"$PT"
PTLEN=$(stat -c %s "$PT")

echo "-- S1 round trips"
wr "$OUT/m.blob" sealr "$D1" "$A" seal 1 22 <"$PT"; want "S1 MEASUREMENT seal" 0
[ "$(stat -c %s "$OUT/m.blob")" = $((PTLEN + 70)) ] && [ "$(head -c 4 "$OUT/m.blob")" = WSL1 ] \
    && ! grep -q TOP-SECRET "$OUT/m.blob" && ok "blob = 54-byte header + ciphertext + tag, no plaintext" \
    || bad "blob size/magic/plaintext"
wr "$OUT/m.pt" sealr "$D1" "$A" unseal 22 <"$OUT/m.blob"
cmp -s "$OUT/m.pt" "$PT" && [ $rc = 0 ] && ok "S1 MEASUREMENT unseal gives the plaintext back" \
    || bad "S1 MEASUREMENT unseal (status $rc)"
wr "$OUT/m2.blob" sealr "$D1" "$A" seal 1 22 <"$PT"
cmp -s "$OUT/m.blob" "$OUT/m2.blob" && bad "two seals of one plaintext are equal" \
    || ok "sealing twice gives different blobs (fresh key_id, nonce)"
wr "$OUT/edges.out" sealr "$D1" "$A" edges
[ $rc = 0 ] && [ "$(cat "$OUT/edges.out")" = 0 ] \
    && ok "exact fit at the end of memory, in-place unseal, empty plaintext" \
    || bad "edges: $(cat "$OUT/edges.out") (status $rc)"
"$WEFT" sign --key "$OUT/k1.pem" --product acme-db --svn 1 "$A" -o "$OUT/s1.wasm" \
    && "$WEFT" sign --key "$OUT/k1.pem" --product acme-db --svn 2 "$A" -o "$OUT/s2.wasm" \
    && "$WEFT" sign --key "$OUT/k1.pem" --product acme-db --svn 2 "$B" -o "$OUT/b2.wasm" \
    && "$WEFT" sign --key "$OUT/k2.pem" --product acme-db --svn 2 "$A" -o "$OUT/o2.wasm" \
    && "$WEFT" sign --key "$OUT/k1.pem" --product other --svn 2 "$A" -o "$OUT/p2.wasm" \
    && ok "weft sign writes five signed variants" || bad "weft sign"
wr "$OUT/verify.out" "$WEFT" sign --verify "$OUT/s2.wasm"
[ $rc = 0 ] && grep -q '^product acme-db$' "$OUT/verify.out" && grep -q '^svn 2$' "$OUT/verify.out" \
    && ok "weft sign --verify reads product and svn back" || bad "sign --verify: $(cat "$OUT/verify.out")"
wr "$OUT/s1.blob" sealr "$D1" "$OUT/s1.wasm" seal 2 22 <"$PT"; want "S1 SIGNER seal (svn 1)" 0
wr "$OUT/s1.pt" sealr "$D1" "$OUT/s1.wasm" unseal 22 <"$OUT/s1.blob"
cmp -s "$OUT/s1.pt" "$PT" && [ $rc = 0 ] && ok "S1 SIGNER unseal gives the plaintext back" \
    || bad "S1 SIGNER unseal (status $rc)"

echo "-- S2 tampered blobs"
flip() { # SRC DST OFFSET
    local b
    cp "$1" "$2"
    b=$(od -An -tu1 -j "$3" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$2" bs=1 seek="$3" conv=notrunc status=none
}
L=$(stat -c %s "$OUT/m.blob")
for spec in "0 magic" "4 version" "5 policy" "6 key_id" "37 key_id" "38 svn" "42 nonce" \
    "54 ciphertext" "500 ciphertext" "$((L - 17)) ciphertext" "$((L - 16)) tag" "$((L - 1)) tag"; do
    set -- $spec
    flip "$OUT/m.blob" "$OUT/t.blob" "$1"
    wr /dev/null sealr "$D1" "$A" unseal 22 <"$OUT/t.blob"
    want "S2 MEASUREMENT blob, $2 byte $1 flipped: EBADMSG" 9
done
for spec in "38 svn" "54 ciphertext" "$((L - 1)) tag"; do
    set -- $spec
    flip "$OUT/s1.blob" "$OUT/t.blob" "$1"
    wr /dev/null sealr "$D1" "$OUT/s1.wasm" unseal 22 <"$OUT/t.blob"
    want "S2 SIGNER blob, $2 byte $1 flipped: EBADMSG" 9
done
head -c $((L - 1)) "$OUT/m.blob" >"$OUT/t.blob"
wr /dev/null sealr "$D1" "$A" unseal 22 <"$OUT/t.blob"; want "S2 truncated blob: EBADMSG" 9
cat "$OUT/m.blob" <(printf x) >"$OUT/t.blob"
wr /dev/null sealr "$D1" "$A" unseal 22 <"$OUT/t.blob"; want "S2 blob with a byte appended: EBADMSG" 9

echo "-- S3 another module or runtime"
wr /dev/null sealr "$D1" "$B" unseal 22 <"$OUT/m.blob"
want "S3 a module one data byte apart cannot unseal a MEASUREMENT blob" 9
wr /dev/null sealr "$D1" "$OUT/s1.wasm" unseal 22 <"$OUT/m.blob"
want "S3 the same code signed (other bytes) cannot unseal it either" 9
cp "$WEFT" "$OUT/weft-other" && printf '\0' >>"$OUT/weft-other"
wr /dev/null "$OUT/weft-other" run --device-dir "$D1" --invoke unseal "$A" 22 <"$OUT/m.blob"
want "S3 a runtime one byte apart cannot unseal a MEASUREMENT blob" 9
wr "$OUT/s1o.pt" "$OUT/weft-other" run --device-dir "$D1" --invoke unseal "$OUT/s1.wasm" 22 <"$OUT/s1.blob"
cmp -s "$OUT/s1o.pt" "$PT" && [ $rc = 0 ] && ok "S3 SIGNER blobs do not depend on the runtime" \
    || bad "SIGNER blob under another runtime (status $rc)"
if "$WEFT" compile "$A" -o "$OUT/a.cwasm" >"$OUT/compile.log" 2>&1; then
    wr "$OUT/aot.pt" "$WEFT" run --allow-precompiled --device-dir "$D1" \
        --invoke unseal "$OUT/a.cwasm" 22 <"$OUT/m.blob"
    cmp -s "$OUT/aot.pt" "$PT" && [ $rc = 0 ] \
        && ok "the module compiled ahead of time (same module bytes) unseals it" \
        || bad "AoT unseal (status $rc): $(head -c 300 "$ERR")"
else
    bad "weft compile a.wasm: $(head -c 300 "$OUT/compile.log")"
fi

echo "-- S4 SIGNER rules"
wr "$OUT/s2.pt" sealr "$D1" "$OUT/s2.wasm" unseal 22 <"$OUT/s1.blob"
cmp -s "$OUT/s2.pt" "$PT" && [ $rc = 0 ] && ok "S4 svn 2 unseals an svn-1 blob" \
    || bad "S4 svn 2 unseal (status $rc)"
wr "$OUT/b2.pt" sealr "$D1" "$OUT/b2.wasm" unseal 22 <"$OUT/s1.blob"
cmp -s "$OUT/b2.pt" "$PT" && [ $rc = 0 ] && ok "S4 changed code, same signer, svn 2 unseals it (upgrade)" \
    || bad "S4 upgrade unseal (status $rc)"
wr "$OUT/s2.blob" sealr "$D1" "$OUT/s2.wasm" seal 2 22 <"$PT"; want "S4 SIGNER seal at svn 2" 0
wr /dev/null sealr "$D1" "$OUT/s1.wasm" unseal 22 <"$OUT/s2.blob"
want "S4 svn 1 cannot unseal an svn-2 blob: EPERM" 63
wr /dev/null sealr "$D1" "$OUT/o2.wasm" unseal 22 <"$OUT/s1.blob"
want "S4 a different signer cannot unseal: EBADMSG" 9
wr /dev/null sealr "$D1" "$OUT/p2.wasm" unseal 22 <"$OUT/s1.blob"
want "S4 another product of the same signer cannot unseal: EBADMSG" 9
wr /dev/null sealr "$D1" "$A" seal 2 22 <"$PT"
want "S4 SIGNER on an unsigned module: EPERM and a message" 63 "needs a module signed with .weft sign."
wr /dev/null sealr "$D1" "$A" unseal 22 <"$OUT/s1.blob"
want "S4 an unsigned module cannot unseal a SIGNER blob: EPERM" 63

echo "-- S5 another device"
wr /dev/null sealr "$D2" "$A" unseal 22 <"$OUT/m.blob"; want "S5 MEASUREMENT blob on another device: EBADMSG" 9
wr /dev/null sealr "$D2" "$OUT/s2.wasm" unseal 22 <"$OUT/s1.blob"; want "S5 SIGNER blob on another device: EBADMSG" 9

echo "-- S6 AAD"
wr /dev/null sealr "$D1" "$A" unseal 21 <"$OUT/m.blob"; want "S6 shorter AAD: EBADMSG" 9
wr /dev/null sealr "$D1" "$A" unseal 0 <"$OUT/m.blob"; want "S6 no AAD: EBADMSG" 9

echo "-- S8 hostile guest pointers"
for spec in "1 21 out range past the end of memory" "2 21 plaintext range wraps 2^32" \
    "3 21 AAD length 2^32-1" "4 21 out_len straddles the end" \
    "5 42 seal out_cap one short (out_len = 80)" "6 9 blob shorter than header+tag" \
    "7 42 unseal out_cap one short (out_len = 10)" "8 28 policy 3" \
    "9 21 blob range wraps 2^32" "10 21 output at 2^32-1" "11 21 out_len_ptr wraps" \
    "12 21 unseal output past the end" "13 9 other AAD length in memory"; do
    set -- $spec
    c=$1 e=$2; shift 2
    wr "$OUT/h.out" sealr "$D1" "$A" hostile "$c"
    got=$(cat "$OUT/h.out")
    [ $rc = 0 ] && [ "$got" = "$e" ] && ok "S8 case $c, $*: errno $e, nothing else written" \
        || bad "S8 case $c, $*: got '$got' (status $rc), want $e"
done
cat >"$OUT/nomem.wat" <<'EOF'
(module
  (import "weft:seal" "seal"
    (func $seal (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (func (export "f") (result i32)
    (call $seal (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))
EOF
wat2wasm "$OUT/nomem.wat" -o "$OUT/nomem.wasm"
wr "$OUT/h.out" sealr "$D1" "$OUT/nomem.wasm" f
[ $rc = 0 ] && [ "$(cat "$OUT/h.out")" = 21 ] && ok "S8 a module without memory gets EFAULT" \
    || bad "no-memory module: $(cat "$OUT/h.out") (status $rc)"

echo "-- CLI: device secret"
wr /dev/null sealr "$OUT/nodev" "$A" edges
want "missing seal.key: clear error, status 1" 1 "no device secret.*weft provision"
mkdir -p "$OUT/short" && head -c 31 /dev/urandom >"$OUT/short/seal.key"
wr /dev/null sealr "$OUT/short" "$A" edges
want "a 31-byte seal.key is refused" 1 "no device secret.*32 bytes"
wr /dev/null env WEFT_DEVICE_DIR="$D1" "$WEFT" run --invoke edges "$A"
want "WEFT_DEVICE_DIR is the default device directory" 0
cat >"$OUT/plain.wat" <<'EOF'
(module (func (export "f") (result i32) (i32.const 7)))
EOF
wat2wasm "$OUT/plain.wat" -o "$OUT/plain.wasm"
wr "$OUT/plain.out" env WEFT_DEVICE_DIR="$OUT/nodev" HOME="$OUT/nodev" "$WEFT" run --invoke f "$OUT/plain.wasm"
want "a module without weft:seal needs no device secret" 0

echo "-- 3. weft.sig refusals"
"$WEFT" sign --key "$OUT/k1.pem" --product acme-db --svn 3 "$OUT/plain.wasm" -o "$OUT/plain-s.wasm"
wr "$OUT/plain.out" "$WEFT" run --invoke f "$OUT/plain-s.wasm"
[ $rc = 0 ] && [ "$(cat "$OUT/plain.out")" = 7 ] && ok "a signed module runs" || bad "signed plain (status $rc)"
off=$(grep -obUa MARKER-A "$OUT/s1.wasm" | head -n 1 | cut -d: -f1)
cp "$OUT/s1.wasm" "$OUT/forged.wasm"
printf 'C' | dd of="$OUT/forged.wasm" bs=1 seek=$((off + 7)) conv=notrunc status=none
wr /dev/null sealr "$D1" "$OUT/forged.wasm" edges
want "a data byte changed after signing: refused before running" 2 "bad signature.*refusing to run"
S=$(stat -c %s "$OUT/s1.wasm")
flip "$OUT/s1.wasm" "$OUT/forged.wasm" $((S - 1))
wr /dev/null sealr "$D1" "$OUT/forged.wasm" edges; want "a signature byte flipped: refused" 2 "bad signature"
flip "$OUT/s1.wasm" "$OUT/forged.wasm" $((S - 66))
wr /dev/null sealr "$D1" "$OUT/forged.wasm" edges; want "the svn raised in the section: refused" 2 "bad signature"
A_SIZE=$(stat -c %s "$A")
{ cat "$OUT/s1.wasm"; tail -c $((S - A_SIZE)) "$OUT/s1.wasm"; } >"$OUT/forged.wasm"
wr /dev/null sealr "$D1" "$OUT/forged.wasm" edges; want "two weft.sig sections: refused" 2 "2 weft.sig sections"
# a signed section spliced onto another module (B): the module hash differs
{ cat "$B"; tail -c $((S - A_SIZE)) "$OUT/s1.wasm"; } >"$OUT/forged.wasm"
wr /dev/null sealr "$D1" "$OUT/forged.wasm" edges; want "a section spliced onto another module: refused" 2 "bad signature"
wr /dev/null "$WEFT" sign --verify "$OUT/forged.wasm"; want "weft sign --verify refuses it too" 2 "bad signature"
wr /dev/null "$WEFT" sign --key "$OUT/k1.pem" --product "" --svn 1 "$A" -o "$OUT/x.wasm"
want "weft sign: empty product refused" 1 "product"
wr /dev/null "$WEFT" sign --key "$OUT/nokey.pem" --product p --svn 1 "$A" -o "$OUT/x.wasm"
want "weft sign: missing key refused" 1
printf 'not wasm' >"$OUT/junk.wasm"
wr /dev/null "$WEFT" sign --key "$OUT/k1.pem" --product p --svn 1 "$OUT/junk.wasm" -o "$OUT/x.wasm"
want "weft sign: an invalid module is not signed" 2

echo "-- 4. --account io counts"
CLANG=${CLANG:-clang-19}
if ! command -v "$CLANG" >/dev/null 2>&1 || [ ! -f /usr/lib/wasm32-wasi/libc.a ] \
    || ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: part 4 needs clang-19, wasi-libc and python3"
    skip=$((skip + 1)); finish
fi
if ! "$CLANG" --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -o "$OUT/io.wasm" \
    tests/seal/io_prog.c >"$OUT/io.build" 2>&1; then
    cat "$OUT/io.build"; bad "io_prog.c does not build"; finish
fi
mkdir -p "$OUT/in" "$OUT/outd" "$OUT/p"
head -c 5000 /dev/urandom >"$OUT/in/data.bin"
head -c 32 /dev/urandom >"$OUT/pfs.key"
head -c 123 /dev/urandom >"$OUT/stdin.bin"
wr "$OUT/io.out" "$WEFT" run --account "$OUT/acc.json" --dir "$OUT/in::/in" \
    --dir "$OUT/outd::/out" --protected-dir "$OUT/p::/p" --key-file "$OUT/pfs.key" \
    "$OUT/io.wasm" <"$OUT/stdin.bin"
want "io_prog runs" 0
python3 - "$OUT/acc.json" <<'EOF' && ok "io counts equal the bytes moved (stdin 123, stdout 9, stderr 4, /in 5100, /out 3050, /p 777)" || bad "io counts: $(tr -d '\n' <"$OUT/acc.json")"
import json, sys
rec = json.load(open(sys.argv[1]))
want = [("stdio", "stdin", 123, 0), ("stdio", "stdout", 0, 9), ("stdio", "stderr", 0, 4),
        ("guest", "/in", 5100, 0), ("guest", "/out", 0, 3050), ("guest", "/p", 0, 777)]
got = [(k, e[k], e["read"], e["written"]) for e in rec["io"] for k in ("stdio", "guest") if k in e]
sys.exit(0 if got == want else 1)
EOF
wr "$OUT/plain.out" "$WEFT" run --account "$OUT/acc2.json" --invoke f "$OUT/plain.wasm"
grep -q '"io": \[\],' "$OUT/acc2.json" && ok "a module without WASI has \"io\": []" \
    || bad "io without WASI: $(cat "$OUT/acc2.json")"
finish
