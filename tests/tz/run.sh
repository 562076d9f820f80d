#!/usr/bin/env bash
# run.sh — the TrustZone tier (make test-tz, issue P13): weft as an OP-TEE
# Trusted Application under QEMU's emulated TrustZone.
#   1. builds or reuses the firmware, the weft TA and the aarch64 clients
#      (scripts/tz/build.sh: entries of the build cache outside the clone,
#      keyed by source hash, verified on reuse) and reports the time it
#      took, wall and CPU: cold when an entry was built, cached otherwise;
#   2. compiles the bench kernels (bench/kernels, the flags of bench/run.sh)
#      to wasm32, and records for each the x86-64 native checksum (gcc) and
#      the fuel weft uses for it on this host (build/weft --fuel --account);
#   3. converts spec-suite scripts to weft-tz's line format
#      (scripts/tz/spec2tz.py over wast2json's output; the commands of
#      tests/tz/excluded.txt become skips with their reason);
#   4. compiles the WASI programs of tests/tz/wasi (wasm32-wasi);
#   5. packs an initramfs (busybox, OP-TEE's driver and the 9p modules,
#      tee-supplicant, the weft TA in /lib/optee_armtz, weft-tz, the
#      kernels, the scripts, tests/tz/init.sh as /init) and boots QEMU virt
#      with secure=on (TF-A, OP-TEE, Debian's arm64 kernel) twice,
#      non-interactively under a timeout, with the same secure-storage
#      backing: /data/tee in the guest is a host directory shared over
#      virtio-9p, where tee-supplicant keeps OP-TEE's REE FS. Boot 1 runs
#      every test; between the boots the host checks that the backing files
#      hold none of the WASI program's plaintext; boot 2 reads the files
#      back after the reboot, flips a byte of their backing and expects the
#      TA to refuse them;
#      attestation (docs/trustzone.md): boot 1 makes the TA's key; between
#      the boots the host endorses it and starts two `weft verifier`s and
#      the relay (tests/tz/relay.py, over a second 9p share); boot 2 runs
#      the released, changed-module, changed-TA and replay sessions, and
#      the host checks the verifiers' results and that the relay never
#      carried the secret in the clear;
#   6. counts the TZ-PASS / TZ-FAIL / TZ-SKIP lines of the consoles, prints
#      the speed table (TA vs the same core in a Linux process, interleaved
#      rounds) and ends with "N passed, N failed, N skipped".
# Fails on any failure, on a timeout, or when a boot did not finish.
# Logs: build/tz/run/console-B.log (normal world), optee-B.log (secure
# world), B the boot number.
#
# usage: bash tests/tz/run.sh
# environment: TZ_TIMEOUT (seconds a boot may take, default 900), TZ_ROUNDS
#   (speed rounds per kernel, default 2), TZ_KERNELS (names, default all),
#   TZ_SPEC (spec file names, default "i32 i64 f32 f64 conversions memory
#   call_indirect br_table address align": address and align hold the
#   unaligned loads and stores), WEFT_SPEC_DIR (default
#   ../shared/spec-testsuite/core), WEFT_TZ_CACHE (the build cache).

set -uo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
OUT=$ROOT/build/tz/run
TIMEOUT=${TZ_TIMEOUT:-900}
ROUNDS=${TZ_ROUNDS:-2}
SPEC_DIR=${WEFT_SPEC_DIR:-$ROOT/../shared/spec-testsuite/core}
SPEC=${TZ_SPEC:-i32 i64 f32 f64 conversions memory call_indirect br_table address align}
CLANG=clang-19
command -v "$CLANG" >/dev/null 2>&1 || CLANG=/usr/lib/llvm-19/bin/clang
t_start=$SECONDS

die() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }
. scripts/tz/cache.sh

[ -x build/weft ] || make -s -j2 >/dev/null || die "make"
rm -rf "$OUT" && mkdir -p "$OUT/root"/{bin,lib/optee_armtz,lib/kmod,k,tests/spec,tests/wasi,proc,sys,dev,tmp,data/tee}
R=$OUT/root
: >"$OUT/results-host"

# ---- build (or reuse) the firmware, the TA and the clients -------------------
t_build=$SECONDS
tz_cpu_now
c_build=$TZ_CPU
bash scripts/tz/build.sh >"$OUT/build.out" 2>"$OUT/build.log"
brc=$?
cat "$OUT/build.log" >&2
[ "$brc" -eq 0 ] || die "build (scripts/tz/build.sh, see above)"
read -r DEBS FW TA CLIENT < <(tail -1 "$OUT/build.out")
[ -f "$FW/qemu_fw.bios" ] && [ -x "$CLIENT/weft-tz" ] && compgen -G "$TA/*.ta" >/dev/null ||
    die "build: incomplete cache entries"
tz_cpu_now
nb=$(grep -c ' built in ' "$OUT/build.log")
if [ "$nb" -gt 0 ]; then how="cold: $nb of 4 cache entries built"; else how="cached: every entry reused"; fi
build_line="tz: build $((SECONDS - t_build)) s wall, $((TZ_CPU - c_build)) s CPU ($how)"
echo "$build_line"

# ---- bench kernels: wasm, and the x86-64 reference ---------------------------
WFLAGS="--target=wasm32 -std=gnu11 -O2 -ffreestanding -fno-math-errno -ffp-contract=off -nostdlib -fuse-ld=lld -Wl,--no-entry -Wl,--export=run -Wl,--gc-sections"
NFLAGS="-std=gnu11 -O2 -fno-math-errno -ffp-contract=off"
# name and the quick n of bench/run.sh's table (default: every kernel).
sed -n '/^KERNELS="/,/^"/p' bench/run.sh | awk 'NF >= 3 { print $1, $3, $4 }' >"$OUT/table"
: >"$R/tests/kernels.txt"
notrun=
while read -r k n group; do
    if [ -n "${TZ_KERNELS:-}" ] && ! [[ " $TZ_KERNELS " == *" $k "* ]]; then continue; fi
    [ "$group" = prog ] && continue # a whole WASI program (speedtest1), not a kernel
    extra=
    [ "$group" = simd ] && extra=-msimd128
    $CLANG $WFLAGS $extra -o "$R/k/$k.wasm" "bench/kernels/$k.c" bench/wasm_rt.c ||
        die "compile $k to wasm32"
    gcc $NFLAGS -o "$OUT/$k.native" bench/native_main.c "bench/kernels/$k.c" -lm ||
        die "compile $k natively"
    # The TA's linear memory limit (wtz_session.h: 32 MiB, 512 pages, in a
    # 40 MiB TA heap inside the firmware's 64 MiB of secure RAM): a kernel
    # whose static data needs more cannot run there; it is listed as a
    # skip with the reason, not counted as passed. Today none does.
    pages=$(wasm-objdump -x "$R/k/$k.wasm" | sed -n 's/.*pages: initial=\([0-9]*\).*/\1/p' | head -1)
    if [ "${pages:-0}" -gt "${TZ_MAX_PAGES:-512}" ]; then
        echo "TZ-SKIP kernel $k: needs $pages pages of linear memory, the TA allows ${TZ_MAX_PAGES:-512} (docs/trustzone.md, Memory)" |
            tee -a "$OUT/results-host"
        notrun="$notrun $k"
        rm -f "$R/k/$k.wasm"
        continue
    fi
    sum=$("$OUT/$k.native" "$n")
    build/weft run --fuel 1000000000000 --account "$OUT/$k.acct" --invoke run \
        "$R/k/$k.wasm" "$n" >/dev/null || die "build/weft on $k"
    fuel=$(sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$OUT/$k.acct")
    echo "$k $n $fuel $sum" >>"$R/tests/kernels.txt"
done <"$OUT/table"
echo "$ROUNDS" >"$R/tests/rounds"

# ---- spec scripts ------------------------------------------------------------
nspec=0
for s in $SPEC; do
    if [ ! -f "$SPEC_DIR/$s.wast" ]; then
        [ "${CI:-}" = true ] && die "spec suite missing: $SPEC_DIR/$s.wast"
        echo "tz: spec $s not found in $SPEC_DIR, not run (not counted)"
        continue
    fi
    d=$OUT/spec/$s && mkdir -p "$d"
    wast2json --enable-all "$SPEC_DIR/$s.wast" -o "$d/$s.json" >/dev/null 2>&1 ||
        wast2json "$SPEC_DIR/$s.wast" -o "$d/$s.json" >/dev/null 2>&1 || die "wast2json $s"
    mkdir -p "$R/tests/spec/$s"
    cp "$d"/*.wasm "$R/tests/spec/$s/" 2>/dev/null
    /usr/bin/python3 scripts/tz/spec2tz.py "$d/$s.json" "/tests/spec/$s" tests/tz/excluded.txt \
        >"$R/tests/spec/$s.tz" || die "spec2tz $s"
    grep '^skip line [0-9]*: excluded' "$R/tests/spec/$s.tz" | sed "s/^/tz: $s: /"
    nspec=$((nspec + 1))
done

# ---- WASI programs -------------------------------------------------------------
SYSROOT=${WASI_SYSROOT:-/usr}
for src in tests/tz/wasi/*.c; do
    $CLANG --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Wextra \
        -o "$R/tests/wasi/$(basename "$src" .c).wasm" "$src" || die "compile $src to wasm32-wasi"
done

# ---- initramfs -----------------------------------------------------------------
dpkg-deb --fsys-tarfile "$DEBS"/busybox-static_*_arm64.deb |
    tar xf - -C "$OUT" ./bin/busybox || die "busybox"
mv "$OUT/bin/busybox" "$R/bin/busybox"
cp "$FW"/kmod/*.ko "$R/lib/kmod/"
cp "$TA"/*.ta "$R/lib/optee_armtz/"
cp "$CLIENT/weft-tz" "$CLIENT/tee-supplicant" "$R/bin/"
cp tests/tz/wasi/*.out "$R/tests/wasi/"
aarch64-linux-gnu-gcc -std=gnu11 -O2 -static -Wall -o "$R/bin/tz-flip" tests/tz/flip.c || die "tz-flip"
cp tests/tz/init.sh "$R/init" && chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc --quiet) >"$OUT/initrd.cpio" || die "cpio"
size=$(stat -c %s "$OUT/initrd.cpio")

# ---- boot ------------------------------------------------------------------------
# With -bios, QEMU accepts -append only with -kernel, and does not load
# -initrd: a dummy -kernel carries the command line into the DTB, and the
# initramfs is loaded at 0x48000000 and named by initrdmem=. /data/tee (the
# REE FS of OP-TEE's secure storage) is $OUT/teestore, shared over
# virtio-9p (mount tag teestore): it outlives the guest, as a disk would.
: >"$OUT/dummy"
STORE=$OUT/teestore
RELAY=$OUT/relay # the attestation relay's mailbox (tests/tz/relay.py)
mkdir -p "$STORE" "$RELAY"
t_run=0
boot() { # N: boot number (the guest's tzboot=)
    local t=$SECONDS rc
    echo "tz: boot $1 (timeout ${TIMEOUT} s)"
    timeout "$TIMEOUT" qemu-system-aarch64 -machine virt,secure=on,gic-version=2 \
        -cpu cortex-a57 -m 1024 -smp 1 -bios "$FW/qemu_fw.bios" -kernel "$OUT/dummy" \
        -append "console=ttyAMA0 rdinit=/init initrdmem=0x48000000,$size panic=-1 quiet tzboot=$1 tzdate=$(date +%s)" \
        -no-reboot -device loader,file="$OUT/initrd.cpio",addr=0x48000000 \
        -fsdev local,id=store,path="$STORE",security_model=none \
        -device virtio-9p-device,fsdev=store,mount_tag=teestore \
        -fsdev local,id=relay,path="$RELAY",security_model=none \
        -device virtio-9p-device,fsdev=relay,mount_tag=relay \
        -nic none -display none -monitor none \
        -serial file:"$OUT/console-$1.log" -serial file:"$OUT/optee-$1.log" </dev/null
    rc=$?
    t_run=$((t_run + SECONDS - t))
    tr -d '\r' <"$OUT/console-$1.log" | grep -E '^TZ-' >"$OUT/results-$1"
    if [ "$rc" -ne 0 ]; then
        echo "TZ-FAIL boot $1: QEMU exited with $rc$([ $rc = 124 ] && echo ' (timeout)')" >>"$OUT/results-$1"
    fi
    grep -q '^TZ-DONE' "$OUT/results-$1" ||
        echo "TZ-FAIL boot $1: the tests in the guest did not finish (see $OUT/console-$1.log)" >>"$OUT/results-$1"
}

boot 1
# Between the boots, as the normal world's owner: the files that back the
# WASI program's secure-storage files must hold none of its plaintext (the
# program writes lines containing this marker).
marker=weft-tz-secret-line
nstore=$(find "$STORE" -type f | wc -l)
if [ "$nstore" -lt 2 ]; then
    echo "TZ-FAIL storage: $nstore files in the secure-storage backing after boot 1" >>"$OUT/results-1"
elif grep -rqa "$marker" "$STORE"; then
    echo "TZ-FAIL storage: plaintext '$marker' found in $(grep -rla "$marker" "$STORE" | head -1)" >>"$OUT/results-1"
else
    echo "TZ-PASS storage: $nstore backing files, no plaintext ('$marker' absent)" >>"$OUT/results-1"
fi
# ---- attestation (docs/trustzone.md, Attestation) ------------------------------
# Between the boots, the manufacturer's part: endorse the key the TA made
# in boot 1 (rot-kind optee-ta). Then the verifier's: two `weft verifier`s
# on this host, A with the TA's measurement and B expecting another TA
# (the "changed TA" case), and the bridge that carries the guest's frames
# to them. Boot 2 provisions the TA and runs four attestations; the
# verifiers' results are checked here after it.
ATT=$OUT/att
mkdir -p "$ATT"
: >"$OUT/results-att"
VPIDS=()
att_fail() { echo "TZ-FAIL attest (host): $*" >>"$OUT/results-att"; }
start_verifier() { # NAME POLICY: sets PORT
    build/weft verifier --listen 127.0.0.1:0 --key "$ATT/verifier.pem" --policy "$2" \
        --timeout-ms 600000 >"$ATT/verifier-$1.log" 2>"$ATT/verifier-$1.err" &
    VPIDS+=($!)
    PORT=
    for _ in $(seq 100); do
        PORT=$(sed -n 's/^weft verifier: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$ATT/verifier-$1.log")
        [ -n "$PORT" ] && return 0
        sleep 0.1
    done
    att_fail "verifier $1 did not start: $(head -2 "$ATT/verifier-$1.err")"
    return 1
}
att_setup() {
    local key meas good cfg
    key=$(sed -n 's/^ta-key \([0-9a-f]*\)$/\1/p' "$RELAY/ta-key" 2>/dev/null)
    meas=$(sed -n 's/^ta-measurement \([0-9a-f]*\)$/\1/p' "$RELAY/ta-key" 2>/dev/null)
    [ ${#key} = 130 ] && [ ${#meas} = 64 ] || { att_fail "no TA key from boot 1"; return 1; }
    build/weft keygen "$ATT/endorser.pem" --public "$ATT/endorser.pub" --force >/dev/null &&
        build/weft keygen "$ATT/verifier.pem" --public "$ATT/verifier.pub" --force >/dev/null &&
        build/weft provision --endorser-key "$ATT/endorser.pem" --endorse-pub "$key" \
            --rot-kind optee-ta --out "$RELAY/endorsement.cose" >"$ATT/provision.out" ||
        { att_fail "keys or endorsement"; return 1; }
    # The verifier's public point (the last 65 bytes of its SubjectPublicKeyInfo).
    openssl pkey -pubin -in "$ATT/verifier.pub" -outform DER | tail -c 65 >"$RELAY/verifier.raw"
    head -c 32 /dev/urandom >"$ATT/secret"
    sha256sum "$ATT/secret" | cut -c1-64 >"$RELAY/secret.sha256"
    /usr/bin/python3 -c 'import sys
h = 14695981039346656037
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 1099511628211) % 2**64
print("%016x" % h)' "$ATT/secret" >"$RELAY/secret.fnv"
    good=$(sha256sum "$R/tests/wasi/secret.wasm" | cut -c1-64)
    # The TA's configuration measurement: a fixed string (wtz_attest.c).
    cfg=$(printf '%s' "weft-tz/config/v1: WTZ_CMD_ATTEST, no options" | sha256sum | cut -c1-64)
    printf '%s\n' "endorser endorser.pub" "runtime $meas" "config $cfg" \
        "module $good secret-file secret" "allow-rot-kind optee-ta" "iat-skew 3600" >"$ATT/policy-A"
    sed "s/^runtime .*/runtime $(printf '%s' other-ta | sha256sum | cut -c1-64)/" \
        "$ATT/policy-A" >"$ATT/policy-B"
    start_verifier A "$ATT/policy-A" && pa=$PORT || return 1
    start_verifier B "$ATT/policy-B" && pb=$PORT || return 1
    /usr/bin/python3 tests/tz/relay.py "$RELAY" A="$pa" B="$pb" >"$ATT/relay.log" 2>&1 &
    VPIDS+=($!)
}
# verifier_says NAME SESSION PATTERN: verifier NAME's log holds PATTERN.
verifier_says() {
    if grep -q "$3" "$ATT/verifier-$1.log"; then
        echo "TZ-PASS attest $2 (verifier $1): $(grep -m1 "$3" "$ATT/verifier-$1.log" | cut -c1-100)" >>"$OUT/results-att"
    else
        att_fail "$2: verifier $1 logged no '$3': $(grep '^attestation result' "$ATT/verifier-$1.log" | tr '\n' ' ' | cut -c1-300)"
    fi
}
att_setup
boot 2
touch "$RELAY/stop"
sleep 1
for p in "${VPIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
verifier_says A good 'ACCEPT reason="ok".*rot-kind=optee-ta'
verifier_says A module 'REJECT reason="module measurement mismatch"'
verifier_says B ta 'REJECT reason="runtime measurement mismatch"'
verifier_says A replay 'REJECT reason="msg2 MAC mismatch'
# The normal world relayed the secret's session: no file it could read
# holds the secret in the clear.
if [ -s "$ATT/secret" ] && /usr/bin/python3 - "$ATT/secret" "$RELAY" <<'PY'; then
import os, sys
secret = open(sys.argv[1], "rb").read()
for d, _, files in os.walk(sys.argv[2]):
    for f in files:
        if secret in open(os.path.join(d, f), "rb").read():
            sys.exit(1)
PY
    echo "TZ-PASS attest (host): the secret appears in no relayed frame" >>"$OUT/results-att"
else
    att_fail "the secret is missing, or in the clear in $RELAY"
fi
cat "$OUT/results-host" "$OUT/results-1" "$OUT/results-2" "$OUT/results-att" >"$OUT/results" 2>/dev/null

# ---- results -----------------------------------------------------------------------
grep -E '^TZ-(PASS|FAIL|SKIP)' "$OUT/results"
echo
echo "speed: wall and in-session time (us) of each kernel, TA vs Linux process"
printf '%-12s %5s %10s %10s %10s %10s %7s\n' kernel round ta_wall ta_time nw_wall nw_time ta/nw
awk '$1 == "TZ-BENCH" && NF == 7 { printf "%-12s %5s %10s %10s %10s %10s %7.3f\n", $2, $3, $4, $5, $6, $7, ($7 > 0 ? $5 / $7 : 0) }' "$OUT/results"
passed=$(grep -c '^TZ-PASS' "$OUT/results")
failed=$(grep -c '^TZ-FAIL' "$OUT/results")
skipped=$(grep -c '^TZ-SKIP' "$OUT/results")
nk=$(wc -l <"$R/tests/kernels.txt")
# Boot 1: driver, 9p mount, tee-supplicant, two per kernel, one per spec
# script, two WASI runs; the host's storage check; boot 2: driver, mount,
# tee-supplicant, the read-back, the flip, the refusal.
# Attestation: the key (boot 1), provisioning, five sessions and the
# unattested run (boot 2),
# four verifier results and the no-plaintext check (host).
expect=$((3 + 2 * nk + nspec + 2 + 1 + 6 + 1 + 7 + 5))
if [ $((passed + failed)) -lt "$expect" ]; then
    echo "FAIL: $((passed + failed)) results, expected $expect"
    failed=$((failed + 1))
fi
echo "$build_line"
tz_cpu_now
echo "tz: QEMU boots ${t_run} s wall; the whole tier $((SECONDS - t_start)) s wall, $TZ_CPU s CPU"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
