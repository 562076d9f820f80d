#!/usr/bin/env bash
# fetch.sh — the Debian (bookworm) arm64 packages the TrustZone tier boots
# (make test-tz, issue P13): the kernel (linux-image-*-arm64: its vmlinuz is
# an uncompressed arm64 Image with CONFIG_TEE=m and CONFIG_OPTEE=m, and
# tee.ko/optee.ko) and busybox-static (the initramfs's shell and tools).
# They are downloaded with `apt-get download` into build/tz-debs/ (never
# committed). apt needs the arm64 architecture for that: it is added for
# the download and removed again afterwards, so the machine keeps no foreign
# architecture (its package lists are refreshed both times).
#
# Idempotent: does nothing when both .deb files are present.
# Exit status: 0 when both are present afterwards, non-zero otherwise.
# usage: bash scripts/tz/fetch.sh

set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEBS=$ROOT/build/tz-debs
mkdir -p "$DEBS"

have() { compgen -G "$DEBS/$1_*_arm64.deb" >/dev/null; }
if have 'linux-image-*-arm64' && have busybox-static; then
    echo "tz-fetch: arm64 packages present in build/tz-debs/"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
        echo "tz-fetch: need root to add the arm64 architecture" >&2
        exit 1
    fi
fi

added=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${SUDO[@]}" dpkg --add-architecture arm64
    added=1
fi
cleanup() {
    if [ "$added" = 1 ]; then
        "${SUDO[@]}" dpkg --remove-architecture arm64 || true
        "${SUDO[@]}" apt-get update -qq || true
    fi
}
trap cleanup EXIT

"${SUDO[@]}" apt-get update -qq
# The kernel's versioned package, named by the linux-image-arm64
# metapackage (e.g. linux-image-6.1.0-41-arm64).
kpkg=$(apt-cache depends linux-image-arm64:arm64 |
    awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
[ -n "$kpkg" ] || { echo "tz-fetch: cannot resolve the arm64 kernel package" >&2; exit 1; }
cd "$DEBS"
apt-get download "$kpkg:arm64" busybox-static:arm64
ls -l "$DEBS"
