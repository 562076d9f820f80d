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
#   call_indirect br_table"), WEFT_SPEC_DIR (default
#   ../shared/spec-testsuite/core), WEFT_TZ_CACHE (the build cache).

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
    # The TA's linear memory limit (wtz_session.c: 6 MiB, 96 pages, in a
    # 9 MiB TA heap inside QEMU's 15 MiB of secure RAM): a kernel whose
    # static data needs more cannot run there; it is listed, not counted.
    pages=$(wasm-objdump -x "$R/k/$k.wasm" | sed -n 's/.*pages: initial=\([0-9]*\).*/\1/p' | head -1)
    if [ "${pages:-0}" -gt "${TZ_MAX_PAGES:-96}" ]; then
        echo "TZ-SKIP kernel $k: needs $pages pages of linear memory, the TA allows ${TZ_MAX_PAGES:-96} (docs/trustzone.md, Memory)" |
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
mkdir -p "$STORE"
t_run=0
boot() { # N: boot number (the guest's tzboot=)
    local t=$SECONDS rc
    echo "tz: boot $1 (timeout ${TIMEOUT} s)"
    timeout "$TIMEOUT" qemu-system-aarch64 -machine virt,secure=on,gic-version=2 \
        -cpu cortex-a57 -m 1024 -smp 1 -bios "$FW/qemu_fw.bios" -kernel "$OUT/dummy" \
        -append "console=ttyAMA0 rdinit=/init initrdmem=0x48000000,$size panic=-1 quiet tzboot=$1" \
        -no-reboot -device loader,file="$OUT/initrd.cpio",addr=0x48000000 \
        -fsdev local,id=store,path="$STORE",security_model=none \
        -device virtio-9p-device,fsdev=store,mount_tag=teestore \
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
boot 2
cat "$OUT/results-host" "$OUT/results-1" "$OUT/results-2" >"$OUT/results" 2>/dev/null

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
expect=$((3 + 2 * nk + nspec + 2 + 1 + 6))
if [ $((passed + failed)) -lt "$expect" ]; then
    echo "FAIL: $((passed + failed)) results, expected $expect"
    failed=$((failed + 1))
fi
echo "$build_line"
tz_cpu_now
echo "tz: QEMU boots ${t_run} s wall; the whole tier $((SECONDS - t_start)) s wall, $TZ_CPU s CPU"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
