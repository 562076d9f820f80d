#!/usr/bin/env bash
# oci-image.sh — build OCI images of Wasm programs for weft-oci with
# Debian's podman (buildah inside), into podman's local storage:
#
#   localhost/weft-hello        examples/oci/hello.c for wasm32-wasi
#   localhost/weft-speedtest1   SQLite's speedtest1 for wasm32-wasi
#                               (tests/programs/build.sh makes it; its
#                               sources come from tests/programs/fetch.sh)
#   localhost/weft-hello-native the same hello.c as a static x86-64 binary:
#                               the reference for runc (tests, benchmark)
#
# A Wasm image is `FROM scratch`, the module at /NAME.wasm, an ENTRYPOINT
# naming it, an empty /tmp (TMPDIR=/tmp: SQLite's temporary files), and
# module.wasm.image/variant=compat both as a manifest annotation (podman
# passes image annotations into the container's config.json, where
# weft-oci, crun and runwasi look for it) and as a label (what
# `podman inspect` and older tools show). It is built with
# `--platform wasi/wasm`: podman 4.3 accepts it and records os "wasi",
# architecture "wasm" in the image config; running such an image on
# linux/amd64 only prints a warning ("image platform ... does not match").
# podman 4.3 also warns that the build args TARGETARCH, TARGETOS and
# TARGETPLATFORM were not consumed; that is harmless.
#
# usage: scripts/oci-image.sh [hello] [speedtest1] [native]   (default: all)
#   PODMAN="podman --root R --runroot RR ..."  the podman command, with any
#                  global options (word-split); default "podman"
#   CLANG=...      default clang-19;  WASI_SYSROOT=... default /usr
#   WEFT_OCI_OUT=DIR  build directory (default build/oci)
# Exit status: 0 all requested images built; 1 a build failed; 3 a
# requested image could not be built for a missing input (no clang-19 or
# wasi-libc, no speedtest1 sources); the others are still built.

set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
read -r -a PODMAN_CMD <<<"${PODMAN:-podman}"
CLANG=${CLANG:-clang-19}
SYSROOT=${WASI_SYSROOT:-/usr}
OUT=${WEFT_OCI_OUT:-build/oci}
ANNOT=module.wasm.image/variant=compat

want=()
for arg in "$@"; do
    case $arg in
        hello|speedtest1|native) want+=("$arg") ;;
        -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "oci-image.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
[ ${#want[@]} -gt 0 ] || want=(hello speedtest1 native)

mkdir -p "$OUT"
status=0
missing() { echo "oci-image.sh: $*" >&2; [ "$status" -eq 1 ] || status=3; }
failed() { echo "oci-image.sh: $*" >&2; status=1; }

# image NAME FILE ENTRY PLATFORM: a build context holding FILE at /ENTRY and
# an empty /tmp, then `podman build` tagged localhost/NAME. PLATFORM is
# "wasm" (wasi/wasm, the annotation and label) or "native".
image() {
    local name=$1 file=$2 entry=$3 kind=$4 ctx flags=()
    ctx=$OUT/ctx-$name
    rm -rf "$ctx" && mkdir -p "$ctx/tmp" || return 1
    cp "$file" "$ctx/$entry" || return 1
    {
        echo "FROM scratch"
        echo "COPY $entry /$entry"
        echo "COPY tmp /tmp"
        echo "ENV TMPDIR=/tmp"
        [ "$kind" = wasm ] && echo "LABEL $ANNOT"
        echo "ENTRYPOINT [\"/$entry\"]"
    } >"$ctx/Containerfile"
    [ "$kind" = wasm ] && flags=(--platform wasi/wasm --annotation "$ANNOT")
    "${PODMAN_CMD[@]}" build -q "${flags[@]}" -t "localhost/$name" \
        -f "$ctx/Containerfile" "$ctx" >"$OUT/$name.build.log" 2>&1 || {
        cat "$OUT/$name.build.log" >&2
        return 1
    }
    echo "built localhost/$name"
}

# The toolchain tests/wasi/run.sh needs: clang, wasi-libc, wasm32 builtins.
have_wasi_toolchain() {
    command -v "$CLANG" >/dev/null 2>&1 || return 1
    [ -d "$SYSROOT/include/wasm32-wasi" ] || return 1
    ls "$("$CLANG" -print-resource-dir)"/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1
}

for w in "${want[@]}"; do
    case $w in
    hello)
        if ! have_wasi_toolchain; then
            missing "weft-hello needs $CLANG and wasi-libc (scripts/setup.sh)"
            continue
        fi
        "$CLANG" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -g0 -Wall -Wextra \
            -Wl,--strip-all -o "$OUT/hello.wasm" examples/oci/hello.c ||
            { failed "cannot compile examples/oci/hello.c for wasm32-wasi"; continue; }
        image weft-hello "$OUT/hello.wasm" hello.wasm wasm ||
            failed "podman build of weft-hello failed"
        ;;
    native)
        ${CC:-cc} -static -O2 -Wall -Wextra -o "$OUT/hello.native" examples/oci/hello.c ||
            { failed "cannot compile examples/oci/hello.c statically"; continue; }
        image weft-hello-native "$OUT/hello.native" hello native ||
            failed "podman build of weft-hello-native failed"
        ;;
    speedtest1)
        st=build/programs/speedtest1.wasm
        if [ ! -f "$st" ]; then
            bash tests/programs/fetch.sh --quiet && bash tests/programs/build.sh
            rc=$?
            if [ ! -f "$st" ]; then
                if [ "$rc" -eq 3 ]; then
                    missing "weft-speedtest1: no sources or tools (tests/programs/fetch.sh, build.sh)"
                else
                    failed "weft-speedtest1: tests/programs/build.sh failed ($rc)"
                fi
                continue
            fi
        fi
        image weft-speedtest1 "$st" speedtest1.wasm wasm ||
            failed "podman build of weft-speedtest1 failed"
        ;;
    esac
done
exit "$status"
