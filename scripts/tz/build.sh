#!/usr/bin/env bash
# build.sh — build everything the TrustZone tier boots (make test-tz, issue
# P13), under build/tz/:
#   1. OP-TEE's TA dev kit (optee_os 4.10.0, vexpress-qemu_armv8a, arm64);
#   2. the weft TA (ports/optee/ta: the freestanding core + wtz_session.c);
#   3. the OP-TEE core with the weft TA embedded as an early TA (so no
#      tee-supplicant is needed to load it);
#   4. TF-A v2.14.0 (PLAT=qemu SPD=opteed) with OP-TEE as BL32 and Debian's
#      arm64 kernel Image as BL33: qemu_fw.bios, the -bios image (BL1 + FIP);
#   5. weft-tz, the static aarch64 client, with libteec compiled in from
#      optee_client's sources.
# The firmware (1-4) is cached in build/tz-cache/fw-<hash>/, keyed by a hash
# of its inputs: the source tarballs, the kernel package, ports/optee, the
# weft core sources (sources.mk's freestanding list and headers) and this
# script; a rerun with the same inputs reuses it. weft-tz is rebuilt each
# time (seconds). The initramfs is made by tests/tz/run.sh.
#
# Inputs: the tarballs in $TZ_SHARED (default ../shared/optee), the arm64
# packages of scripts/tz/fetch.sh (build/tz-debs/), host packages from
# scripts/setup.sh. Prints the firmware directory on its last line.
# usage: bash scripts/tz/build.sh [--key]   (--key: print the cache key only)

set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SHARED=${TZ_SHARED:-$ROOT/../shared/optee}
TZ=$ROOT/build/tz
CACHE=$ROOT/build/tz-cache
JOBS=${TZ_JOBS:-2}
PY=/usr/bin/python3 # OP-TEE's scripts need pyelftools (Debian's python3)
X=aarch64-linux-gnu-
mkdir -p "$TZ" "$CACHE"

OPTEE_TGZ=$SHARED/optee_os-4.10.0.tar.gz
TFA_TGZ=$SHARED/tf-a-v2.14.0.tar.gz
CLIENT_TGZ=$SHARED/optee_client-4.10.0.tar.gz
for f in "$OPTEE_TGZ" "$TFA_TGZ" "$CLIENT_TGZ"; do
    [ -f "$f" ] || { echo "tz-build: missing $f" >&2; exit 1; }
done
KDEB=$(compgen -G "$ROOT/build/tz-debs/linux-image-*-arm64_*_arm64.deb" | head -1) || true
[ -n "$KDEB" ] || { echo "tz-build: no arm64 kernel; run scripts/tz/fetch.sh" >&2; exit 1; }

# ---- the kernel (BL33) and its TEE modules --------------------------------
if [ ! -f "$TZ/kernel/Image" ] || [ "$KDEB" -nt "$TZ/kernel/Image" ]; then
    rm -rf "$TZ/kx" "$TZ/kernel"
    mkdir -p "$TZ/kx" "$TZ/kernel"
    dpkg-deb -x "$KDEB" "$TZ/kx"
    cp "$TZ"/kx/boot/vmlinuz-* "$TZ/kernel/Image"
    cp "$(find "$TZ/kx" -name tee.ko)" "$(find "$TZ/kx" -name optee.ko)" "$TZ/kernel/"
    rm -rf "$TZ/kx"
fi

# ---- the cache key ----------------------------------------------------------
key=$( {
    sha256sum "$OPTEE_TGZ" "$TFA_TGZ" "$KDEB" "$0" | cut -c1-64
    find ports/optee/ta ports/optee/*.[ch] src include -type f \( -name '*.c' -o -name '*.h' -o -name '*.def' \
        -o -name '*.mk' -o -name Makefile \) -print0 | sort -z | xargs -0 sha256sum
    sha256sum sources.mk
} | sha256sum | cut -c1-16)
FW=$CACHE/fw-$key
if [ "${1:-}" = --key ]; then
    echo "$key"
    exit 0
fi

unpack() { # TGZ DIR
    if [ ! -d "$2" ]; then
        mkdir -p "$2.tmp" && tar xzf "$1" -C "$2.tmp" && mv "$2.tmp"/* "$2" && rmdir "$2.tmp"
    fi
}

OPTEE_FLAGS=(PLATFORM=vexpress-qemu_armv8a CFG_ARM64_core=y CFG_USER_TA_TARGETS=ta_arm64
    CROSS_COMPILE=$X CROSS_COMPILE_core=$X CROSS_COMPILE_ta_arm64=$X PYTHON3=$PY)

if [ -f "$FW/qemu_fw.bios" ]; then
    echo "tz-build: firmware cached in $FW"
else
    t0=$SECONDS
    SRC=$TZ/src
    mkdir -p "$SRC"
    unpack "$OPTEE_TGZ" "$SRC/optee_os"
    unpack "$TFA_TGZ" "$SRC/tf-a"
    # 1. the TA dev kit, cached by the optee_os tarball alone.
    dk=$CACHE/devkit-$(sha256sum "$OPTEE_TGZ" | cut -c1-16)
    if [ ! -f "$dk/export-ta_arm64/mk/ta_dev_kit.mk" ]; then
        echo "tz-build: OP-TEE TA dev kit"
        rm -rf "$dk"
        make -C "$SRC/optee_os" -j"$JOBS" "${OPTEE_FLAGS[@]}" O="$dk" ta_dev_kit >"$TZ/devkit.log" 2>&1 ||
            { tail -30 "$TZ/devkit.log"; exit 1; }
    fi
    # 2. the weft TA.
    echo "tz-build: weft TA"
    rm -rf "$TZ/ta-out"
    make -C ports/optee/ta -j"$JOBS" CROSS_COMPILE=$X PYTHON3=$PY \
        TA_DEV_KIT_DIR="$dk/export-ta_arm64" O="$TZ/ta-out" >"$TZ/ta.log" 2>&1 ||
        { tail -30 "$TZ/ta.log"; exit 1; }
    ta=$TZ/ta-out/4d00f19d-ecf7-4407-868d-cf3206c9ebc7.stripped.elf
    # 3. the OP-TEE core with the TA embedded, in the dev kit's output
    #    directory (its TA libraries are up to date there: only the core
    #    and the embedded TA are built).
    echo "tz-build: OP-TEE core"
    make -C "$SRC/optee_os" -j"$JOBS" "${OPTEE_FLAGS[@]}" O="$dk" \
        CFG_EARLY_TA=y EARLY_TA_PATHS="$ta" all >"$TZ/core.log" 2>&1 ||
        { tail -30 "$TZ/core.log"; exit 1; }
    # 4. TF-A: BL1 + FIP(BL2, BL31, OP-TEE as BL32, Linux as BL33).
    echo "tz-build: TF-A"
    rm -rf "$SRC/tf-a/build"
    make -C "$SRC/tf-a" -j"$JOBS" PLAT=qemu SPD=opteed CROSS_COMPILE=$X \
        BL32="$dk/core/tee-header_v2.bin" \
        BL32_EXTRA1="$dk/core/tee-pager_v2.bin" \
        BL32_EXTRA2="$dk/core/tee-pageable_v2.bin" \
        BL33="$TZ/kernel/Image" ARM_LINUX_KERNEL_AS_BL33=1 \
        BL32_RAM_LOCATION=tdram all fip qemu_fw.bios >"$TZ/tfa.log" 2>&1 ||
        { tail -30 "$TZ/tfa.log"; exit 1; }
    mkdir -p "$FW.tmp"
    cp "$SRC/tf-a/build/qemu/release/qemu_fw.bios" "$FW.tmp/"
    rm -rf "$FW" && mv "$FW.tmp" "$FW"
    # Keep only the newest few firmware builds.
    ls -dt "$CACHE"/fw-* | tail -n +4 | xargs -r rm -rf
    echo "tz-build: firmware built in $((SECONDS - t0)) s"
fi

# ---- 5. weft-tz (static aarch64, libteec from optee_client) ------------------
unpack "$CLIENT_TGZ" "$TZ/src/optee_client"
CL=$TZ/src/optee_client/libteec
core_src=$(make -s -f - print <<'MK'
include sources.mk
print: ; @echo $(WEFT_FREESTANDING_SRC) $(WEFT_BARE_PORT_SRC)
MK
)
core_inc=$(make -s -f - print <<'MK'
include sources.mk
print: ; @echo $(WEFT_SRC_INC)
MK
)
mkdir -p "$TZ/client"
${X}gcc -std=gnu11 -O2 -static -ffp-contract=off -fno-math-errno -Wall -Wextra \
    -Iinclude -Iports/optee -Iports/bare $core_inc -I"$CL/include" -I"$CL/src" \
    -I"$TZ/src/optee_client/libteec/include" \
    -DDEBUGLEVEL_1 -DBINARY_PREFIX=\"TEEC\" \
    -o "$TZ/client/weft-tz" ports/optee/host/*.c ports/optee/wtz_session.c \
    $core_src "$CL/src/tee_client_api.c" "$CL/src/teec_trace.c" -lpthread -lm \
    2>"$TZ/client.log" || { cat "$TZ/client.log"; exit 1; }
echo "$FW"
