#!/usr/bin/env bash
# firmware.sh — the firmware entry of the TrustZone tier's build cache
# (scripts/tz/cache.sh; make test-tz, issue P13): fw-KEY holds
#   qemu_fw.bios      TF-A v2.14.0 (PLAT=qemu SPD=opteed: BL1 + FIP) with
#                     OP-TEE 4.10.0 (vexpress-qemu_armv8a, arm64) as BL32
#                     and Debian's arm64 kernel Image as BL33, the -bios
#                     image of QEMU's virt machine;
#   export-ta_arm64/  OP-TEE's TA dev kit (the weft TA is built with it);
#   kmod/             the kernel modules the initramfs loads (OP-TEE's
#                     driver, virtio-mmio, 9p), from the same kernel.
# KEY is the SHA-256 of the optee_os and TF-A tarballs, the kernel package
# and this script: nothing of weft is in the firmware (the weft TA is loaded
# by tee-supplicant from the initramfs), so a change to weft does not
# rebuild it. Cold: about 5 minutes of 2 CPUs.
# Prints the entry's directory on its last line.
# usage: bash scripts/tz/firmware.sh KERNEL.deb

set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/cache.sh"
SHARED=${TZ_SHARED:-$HERE/../../../shared/optee}
JOBS=${TZ_JOBS:-2}
PY=/usr/bin/python3 # OP-TEE's scripts need pyelftools (Debian's python3)
X=aarch64-linux-gnu-
KDEB=$1
OPTEE_TGZ=$SHARED/optee_os-4.10.0.tar.gz
TFA_TGZ=$SHARED/tf-a-v2.14.0.tar.gz

unpack() { # TGZ DIR
    mkdir -p "$2" && tar xzf "$1" -C "$2" --strip-components=1
}

# Secure RAM (docs/trustzone.md, Memory). QEMU virt's own secure RAM is
# 16 MiB, too small for the bench kernels' linear memories (gemm needs 24
# MiB), so OP-TEE's TZDRAM is the top 64 MiB of the first GiB of normal
# DRAM (0x70000000; QEMU does not enforce the split, and OP-TEE reserves
# the range in the DTB Linux gets). TF-A's BL32 region must move with it.
# With TZDRAM in the second GiB of physical space, OP-TEE needs a free
# 1 GiB slot of its 32-bit LPAE space for TA mappings: ASLR of the core is
# off so the core stays at its physical address (with it on, boot panicked
# with `user_va_idx != -1`; our reading, not traced: the random offset took
# the last free slot). Each TA gets its own
# translation tables (CFG_CORE_PREALLOC_EL0_TBLS) instead of a cache of 8,
# which capped a TA's address space at 16 MiB.
TZDRAM_START=0x70000000
TZDRAM_SIZE=0x04000000

# OP-TEE's configuration, shared by the core and the dev kit. Secure
# storage is the REE FS (tee-supplicant, /data/tee), OP-TEE's default.
OPTEE_FLAGS=(PLATFORM=vexpress-qemu_armv8a CFG_ARM64_core=y CFG_USER_TA_TARGETS=ta_arm64
    CROSS_COMPILE=$X CROSS_COMPILE_core=$X CROSS_COMPILE_ta_arm64=$X PYTHON3=$PY
    CFG_REE_FS=y CFG_RPMB_FS=n
    CFG_TZDRAM_START=$TZDRAM_START CFG_TZDRAM_SIZE=$TZDRAM_SIZE
    CFG_CORE_ASLR=n CFG_CORE_PREALLOC_EL0_TBLS=y)

# Modules the initramfs loads, in load order (each after its dependencies).
KMODS="tee optee virtio_mmio netfs fscache 9pnet 9pnet_virtio 9p"

build_fw() { # DIR
    local out=$1 w=$1/work
    mkdir -p "$w"
    unpack "$OPTEE_TGZ" "$w/optee_os"
    unpack "$TFA_TGZ" "$w/tf-a"
    # TF-A refuses a BL32 load address outside its secure DRAM region.
    sed -i -e "s/^#define SEC_DRAM_BASE[[:space:]].*/#define SEC_DRAM_BASE $TZDRAM_START/" \
        -e "s/^#define SEC_DRAM_SIZE[[:space:]].*/#define SEC_DRAM_SIZE $TZDRAM_SIZE/" \
        "$w/tf-a/plat/qemu/qemu/include/platform_def.h"
    grep -q "SEC_DRAM_BASE $TZDRAM_START" "$w/tf-a/plat/qemu/qemu/include/platform_def.h" || return 1
    dpkg-deb -x "$KDEB" "$w/kx"
    mkdir -p "$out/kmod"
    cp "$w"/kx/boot/vmlinuz-* "$w/Image"
    for m in $KMODS; do
        cp "$(find "$w/kx/lib/modules" -name "$m.ko" | head -1)" "$out/kmod/" || return 1
    done
    echo "tz-build: OP-TEE core and TA dev kit"
    make -C "$w/optee_os" -j"$JOBS" "${OPTEE_FLAGS[@]}" O="$w/optee" all ta_dev_kit \
        >"$w/optee.log" 2>&1 || { tail -30 "$w/optee.log"; return 1; }
    echo "tz-build: TF-A"
    make -C "$w/tf-a" -j"$JOBS" PLAT=qemu SPD=opteed CROSS_COMPILE=$X \
        BL32="$w/optee/core/tee-header_v2.bin" \
        BL32_EXTRA1="$w/optee/core/tee-pager_v2.bin" \
        BL32_EXTRA2="$w/optee/core/tee-pageable_v2.bin" \
        BL33="$w/Image" ARM_LINUX_KERNEL_AS_BL33=1 \
        BL32_RAM_LOCATION=tdram all fip qemu_fw.bios >"$w/tfa.log" 2>&1 ||
        { tail -30 "$w/tfa.log"; return 1; }
    cp "$w/tf-a/build/qemu/release/qemu_fw.bios" "$out/"
    cp -a "$w/optee/export-ta_arm64" "$out/"
    rm -rf "$w"
}
tz_cached fw "$(tz_key "$OPTEE_TGZ" "$TFA_TGZ" "$KDEB" "$HERE/firmware.sh")" build_fw

