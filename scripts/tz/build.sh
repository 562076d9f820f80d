#!/usr/bin/env bash
# build.sh — build everything the TrustZone tier boots (make test-tz, issue
# P13). Each piece is an entry of the build cache outside the clone
# (scripts/tz/cache.sh: $WEFT_TZ_CACHE, default ~/.cache/weft/tz), keyed by
# the SHA-256 of what it is made from, built in a temporary directory and
# renamed into place, its files' hashes checked on every reuse:
#   debs-KEY    Debian's arm64 kernel and busybox-static (scripts/tz/fetch.sh);
#   fw-KEY      TF-A v2.14.0 (PLAT=qemu SPD=opteed) with OP-TEE 4.10.0
#               (vexpress-qemu_armv8a, arm64) as BL32 and Debian's kernel
#               Image as BL33: qemu_fw.bios, the -bios image (BL1 + FIP);
#               OP-TEE's TA dev kit (export-ta_arm64); the kernel modules
#               the initramfs loads (OP-TEE driver, virtio-mmio, 9p).
#               KEY: the optee_os and TF-A tarballs, the kernel package,
#               this script and cache.sh. The weft TA is not in it (it is
#               loaded by tee-supplicant from the initramfs), so a change to
#               weft's sources does not rebuild the firmware.
#   ta-KEY      the weft TA (ports/optee/ta with the freestanding core),
#               signed with the dev kit's development key. KEY: fw's key,
#               ports/optee, src, include, sources.mk.
#   client-KEY  weft-tz (static aarch64, libteec compiled in) and
#               tee-supplicant (static aarch64), from optee_client 4.10.0.
#               KEY: the optee_client tarball and the same weft sources.
# Inputs: the tarballs in $TZ_SHARED (default ../shared/optee), host packages
# from scripts/setup.sh. Prints, on its last line, the four entry
# directories: "DEBS FW TA CLIENT".
# usage: bash scripts/tz/build.sh

set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HERE=$ROOT/scripts/tz
. "$HERE/cache.sh"
SHARED=${TZ_SHARED:-$ROOT/../shared/optee}
JOBS=${TZ_JOBS:-2}
PY=/usr/bin/python3 # OP-TEE's scripts need pyelftools (Debian's python3)
X=aarch64-linux-gnu-
TA_UUID=4d00f19d-ecf7-4407-868d-cf3206c9ebc7

OPTEE_TGZ=$SHARED/optee_os-4.10.0.tar.gz
TFA_TGZ=$SHARED/tf-a-v2.14.0.tar.gz
CLIENT_TGZ=$SHARED/optee_client-4.10.0.tar.gz
for f in "$OPTEE_TGZ" "$TFA_TGZ" "$CLIENT_TGZ"; do
    [ -f "$f" ] || { echo "tz-build: missing $f" >&2; exit 1; }
done

DEBS=$(bash "$HERE/fetch.sh" | tail -1)
KDEB=$(compgen -G "$DEBS/linux-image-*-arm64_*_arm64.deb" | head -1) || true
[ -n "$KDEB" ] || { echo "tz-build: no arm64 kernel package in $DEBS" >&2; exit 1; }

unpack() { # TGZ DIR
    mkdir -p "$2" && tar xzf "$1" -C "$2" --strip-components=1
}

FW=$(bash "$HERE/firmware.sh" "$KDEB" | tail -1)
[ -f "$FW/qemu_fw.bios" ] || { echo "tz-build: no firmware" >&2; exit 1; }

# The weft sources the TA and the client are compiled from.
weft_src_key() {
    find ports/optee src include services/cbor.c services/cbor.h -type f \( -name '*.c' -o -name '*.h' -o -name '*.def' \
        -o -name '*.mk' -o -name Makefile \) -print0 | sort -z | xargs -0 sha256sum
    sha256sum sources.mk
}
SRCKEY=$(weft_src_key | sha256sum | cut -c1-24)

build_ta() { # DIR
    local out=$1
    # The TA makefile writes beside its sources unless O= is given.
    make -C ports/optee/ta -j"$JOBS" CROSS_COMPILE=$X PYTHON3=$PY \
        TA_DEV_KIT_DIR="$FW/export-ta_arm64" O="$out/work" >"$out/ta.log" 2>&1 ||
        { tail -30 "$out/ta.log"; return 1; }
    cp "$out/work/$TA_UUID.ta" "$out/"
    rm -rf "$out/work" "$out/ta.log"
}
TA=$(tz_cached ta "$(basename "$FW" | cut -c4-)-$SRCKEY" build_ta)

build_client() { # DIR
    local out=$1 w=$1/work core_src core_inc
    unpack "$CLIENT_TGZ" "$w"
    local CL=$w/libteec S=$w/tee-supplicant/src
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
    ${X}gcc -std=gnu11 -O2 -static -ffp-contract=off -fno-math-errno -Wall -Wextra \
        -Iinclude -Iports/optee -Iports/bare $core_inc -I"$CL/include" -I"$CL/src" \
        -DDEBUGLEVEL_1 -DBINARY_PREFIX=\"TEEC\" \
        -o "$out/weft-tz" ports/optee/host/*.c ports/optee/wtz_session.c \
        $core_src "$CL/src/tee_client_api.c" "$CL/src/teec_trace.c" -lpthread -lm ||
        return 1
    # tee-supplicant: loads TAs from /lib/optee_armtz and keeps OP-TEE's
    # REE FS (secure storage) under /data/tee. No plugins, no sockets, no
    # profiling (each needs more of the normal world than the test has).
    ${X}gcc -std=gnu11 -O2 -static -I"$CL/include" -I"$CL/src" -I"$S" \
        -DDEBUGLEVEL_1 -DBINARY_PREFIX=\"TEES\" -DTEE_FS_PARENT_PATH=\"/data/tee\" \
        -DTEEC_LOAD_PATH=\"/lib\" -DRPMB_EMU=1 \
        -o "$out/tee-supplicant" "$S"/tee_supplicant.c "$S"/teec_ta_load.c "$S"/tee_supp_fs.c \
        "$S"/rpmb.c "$S"/handle.c "$S"/sd_notify.c "$S"/sha2.c "$S"/hmac_sha2.c \
        "$CL/src/teec_trace.c" -lpthread -lrt || return 1
    rm -rf "$w"
}
CLIENT=$(tz_cached client "$(tz_key "$CLIENT_TGZ" "$HERE/build.sh")-$SRCKEY" build_client)

echo "$DEBS $FW $TA $CLIENT"
