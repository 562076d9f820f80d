#!/usr/bin/env bash
# fetch.sh — the Debian (bookworm) arm64 packages the TrustZone tier boots
# (make test-tz, issue P13): the kernel (linux-image-*-arm64: its vmlinuz is
# an uncompressed arm64 Image with CONFIG_TEE=m and CONFIG_OPTEE=m, and
# tee.ko/optee.ko, the 9p modules) and busybox-static (the initramfs's shell
# and tools). They are downloaded with `apt-get download` into the build
# cache (scripts/tz/cache.sh: entry debs-KEY, KEY the hash of this script),
# never into the clone. apt needs the arm64 architecture for that: it is
# added for the download and removed again afterwards, so the machine keeps
# no foreign architecture (its package lists are refreshed both times).
#
# Idempotent: reuses a verified cache entry. Prints the entry's directory on
# its last line; exit status 0 when both packages are there.
# usage: bash scripts/tz/fetch.sh

set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/cache.sh"

fetch_debs() { # DIR
    local out=$1 added=0 kpkg
    local SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
            echo "tz-fetch: need root to add the arm64 architecture" >&2
            return 1
        fi
    fi
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        "${SUDO[@]}" dpkg --add-architecture arm64
        added=1
    fi
    local rc=0
    (
        set -e
        "${SUDO[@]}" apt-get update -qq
        # The kernel's versioned package, named by the linux-image-arm64
        # metapackage (e.g. linux-image-6.1.0-41-arm64).
        kpkg=$(apt-cache depends linux-image-arm64:arm64 |
            awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
        [ -n "$kpkg" ] || { echo "tz-fetch: cannot resolve the arm64 kernel package" >&2; exit 1; }
        cd "$out"
        apt-get download "$kpkg:arm64" busybox-static:arm64
    ) || rc=1
    if [ "$added" = 1 ]; then
        "${SUDO[@]}" dpkg --remove-architecture arm64 || true
        "${SUDO[@]}" apt-get update -qq || true
    fi
    [ "$rc" = 0 ] && compgen -G "$out/linux-image-*-arm64_*_arm64.deb" >/dev/null &&
        compgen -G "$out/busybox-static_*_arm64.deb" >/dev/null
}

tz_cached debs "$(tz_key "$HERE/fetch.sh")" fetch_debs
