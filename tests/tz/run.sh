#!/usr/bin/env bash
# run.sh — the TrustZone tier (make test-tz, issue P13): weft as an OP-TEE
# Trusted Application under QEMU's emulated TrustZone.
#   1. builds the firmware and weft-tz (scripts/tz/build.sh; firmware
#      cached by the hash of its inputs);
#   2. compiles the bench kernels (bench/kernels, the flags of bench/run.sh)
#      to wasm32, and records for each the x86-64 native checksum (gcc) and
#      the fuel weft uses for it on this host (build/weft --fuel --account);
#   3. converts spec-suite scripts to weft-tz's line format
#      (scripts/tz/spec2tz.py over wast2json's output);
#   4. packs an initramfs (busybox, tee.ko/optee.ko, weft-tz, the kernels,
#      the scripts, tests/tz/init.sh as /init) and boots QEMU virt with
#      secure=on (TF-A, OP-TEE with the weft TA, Debian's arm64 kernel)
#      non-interactively under a timeout;
#   5. counts the TZ-PASS / TZ-FAIL lines of the console, prints the speed
#      table (TA vs the same core in a Linux process, interleaved rounds)
#      and ends with "N passed, N failed".
# Fails on any failure, on a timeout, or when the boot did not finish.
# Logs: build/tz/run/console.log (normal world), optee.log (secure world).
#
# usage: bash tests/tz/run.sh
# environment: TZ_TIMEOUT (seconds, default 900), TZ_ROUNDS (speed rounds per
#   kernel, default 2), TZ_KERNELS (names, default all), TZ_SPEC (spec file
#   names, default "i32 i64 f32 f64 conversions memory call_indirect
#   br_table"), WEFT_SPEC_DIR (default ../shared/spec-testsuite/core)

set -uo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
OUT=$ROOT/build/tz/run
TIMEOUT=${TZ_TIMEOUT:-900}
ROUNDS=${TZ_ROUNDS:-2}
SPEC_DIR=${WEFT_SPEC_DIR:-$ROOT/../shared/spec-testsuite/core}
SPEC=${TZ_SPEC:-i32 i64 f32 f64 conversions memory call_indirect br_table}
CLANG=clang-19
command -v "$CLANG" >/dev/null 2>&1 || CLANG=/usr/lib/llvm-19/bin/clang
t_start=$SECONDS

die() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }

compgen -G "build/tz-debs/busybox-static_*_arm64.deb" >/dev/null ||
    bash scripts/tz/fetch.sh || die "arm64 packages missing (scripts/tz/fetch.sh)"
[ -x build/weft ] || make -s -j2 >/dev/null || die "make"
FW=$(bash scripts/tz/build.sh | tee /dev/stderr | tail -1) || die "firmware build"
[ -f "$FW/qemu_fw.bios" ] || die "no firmware"

rm -rf "$OUT" && mkdir -p "$OUT/root"/{bin,lib,k,tests/spec,proc,sys,dev,tmp}
R=$OUT/root

# ---- bench kernels: wasm, and the x86-64 reference ---------------------------
WFLAGS="--target=wasm32 -std=gnu11 -O2 -ffreestanding -fno-math-errno -ffp-contract=off -nostdlib -fuse-ld=lld -Wl,--no-entry -Wl,--export=run -Wl,--gc-sections"
NFLAGS="-std=gnu11 -O2 -fno-math-errno -ffp-contract=off"
# name and the quick n of bench/run.sh's table (default: every kernel).
sed -n '/^KERNELS="/,/^"/p' bench/run.sh | awk 'NF >= 3 { print $1, $3, $4 }' >"$OUT/table"
: >"$R/tests/kernels.txt"
notrun=
while read -r k n group; do
    if [ -n "${TZ_KERNELS:-}" ] && ! [[ " $TZ_KERNELS " == *" $k "* ]]; then continue; fi
    extra=
    [ "$group" = simd ] && extra=-msimd128
    $CLANG $WFLAGS $extra -o "$R/k/$k.wasm" "bench/kernels/$k.c" bench/wasm_rt.c ||
        die "compile $k to wasm32"
    gcc $NFLAGS -o "$OUT/$k.native" bench/native_main.c "bench/kernels/$k.c" -lm ||
        die "compile $k natively"
    # The TA's linear memory limit (wtz_session.c: 6 MiB, 96 pages, in a
    # 9 MiB TA heap inside QEMU's 15 MiB of secure RAM): a kernel whose
    # static data needs more cannot run there; it is listed, not counted.
    pages=$(wasm-objdump -x "$R/k/$k.wasm" | sed -n 's/.*pages: initial=\([0-9]*\).*/\1/p' | head -1)
    if [ "${pages:-0}" -gt "${TZ_MAX_PAGES:-96}" ]; then
        echo "tz: kernel $k not run: needs $pages pages of linear memory, the TA allows ${TZ_MAX_PAGES:-96}"
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
    /usr/bin/python3 scripts/tz/spec2tz.py "$d/$s.json" "/tests/spec/$s" \
        >"$R/tests/spec/$s.tz" || die "spec2tz $s"
    nspec=$((nspec + 1))
done

# ---- initramfs -----------------------------------------------------------------
dpkg-deb --fsys-tarfile build/tz-debs/busybox-static_*_arm64.deb |
    tar xf - -C "$OUT" ./bin/busybox || die "busybox"
mv "$OUT/bin/busybox" "$R/bin/busybox"
cp build/tz/kernel/tee.ko build/tz/kernel/optee.ko "$R/lib/"
cp build/tz/client/weft-tz "$R/bin/"
cp tests/tz/init.sh "$R/init" && chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc --quiet) >"$OUT/initrd.cpio" || die "cpio"
size=$(stat -c %s "$OUT/initrd.cpio")

# ---- boot ------------------------------------------------------------------------
# With -bios, QEMU accepts -append only with -kernel, and does not load
# -initrd: a dummy -kernel carries the command line into the DTB, and the
# initramfs is loaded at 0x48000000 and named by initrdmem=.
: >"$OUT/dummy"
echo "tz: booting QEMU (timeout ${TIMEOUT} s)"
t_boot=$SECONDS
timeout "$TIMEOUT" qemu-system-aarch64 -machine virt,secure=on,gic-version=2 \
    -cpu cortex-a57 -m 1024 -smp 1 -bios "$FW/qemu_fw.bios" -kernel "$OUT/dummy" \
    -append "console=ttyAMA0 rdinit=/init initrdmem=0x48000000,$size panic=-1 quiet" -no-reboot \
    -device loader,file="$OUT/initrd.cpio",addr=0x48000000 \
    -nic none -display none -monitor none \
    -serial file:"$OUT/console.log" -serial file:"$OUT/optee.log" </dev/null
qrc=$?
t_run=$((SECONDS - t_boot))

# ---- results -----------------------------------------------------------------------
tr -d '\r' <"$OUT/console.log" | grep -E '^TZ-' >"$OUT/results"
grep -E '^TZ-(PASS|FAIL)' "$OUT/results"
echo
echo "speed: wall and in-session time (us) of each kernel, TA vs Linux process"
printf '%-12s %5s %10s %10s %10s %10s %7s\n' kernel round ta_wall ta_time nw_wall nw_time ta/nw
awk '$1 == "TZ-BENCH" && NF == 7 { printf "%-12s %5s %10s %10s %10s %10s %7.3f\n", $2, $3, $4, $5, $6, $7, ($7 > 0 ? $5 / $7 : 0) }' "$OUT/results"
passed=$(grep -c '^TZ-PASS' "$OUT/results")
failed=$(grep -c '^TZ-FAIL' "$OUT/results")
if [ "$qrc" -ne 0 ]; then
    echo "FAIL: QEMU exited with $qrc$([ $qrc = 124 ] && echo ' (timeout)')"
    failed=$((failed + 1))
fi
if ! grep -q '^TZ-DONE' "$OUT/results"; then
    echo "FAIL: the tests in the TA did not finish (see $OUT/console.log)"
    failed=$((failed + 1))
fi
nk=$(wc -l <"$R/tests/kernels.txt")
expect=$((1 + 2 * nk + nspec))
if [ $((passed + failed)) -lt "$expect" ]; then
    echo "FAIL: $((passed + failed)) results, expected $expect"
    failed=$((failed + 1))
fi
[ -n "$notrun" ] && echo "tz: not run (memory beyond the TA's limit):$notrun"
echo "tz: QEMU run ${t_run} s, total $((SECONDS - t_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
