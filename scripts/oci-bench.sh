#!/usr/bin/env bash
# oci-bench.sh — start-up cost of weft-oci (issue 13, "Must show" 5; a
# benchmark, never a test): the wall time of `podman run --rm` of the
# weft-hello image under weft-oci against the same program built as a
# static native binary (localhost/weft-hello-native) under runc, the runs
# interleaved, N of each; the median, min and max in milliseconds. crun is
# tried once and reported when it fails (it does on a cgroup v1 hybrid
# host such as this VM). For reference, the same program without podman:
# `weft run hello.wasm`, the native binary itself, `runc run` of a bundle
# of the native image and `weft-oci run` of a bundle of the Wasm image
# (create, start, wait, delete in one command).
#
# podman is private (tests/oci/lib.bash podman_private: its own storage,
# containers.conf, no network) and each runtime gets a private --root.
#
# usage: scripts/oci-bench.sh [N]      (default 15; as root)
#   WEFT_OCI=PATH  weft-oci (default build/weft-oci); WEFT=PATH (build/weft)

. "$(dirname "$0")/../tests/oci/lib.bash"

case ${1:-15} in
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *[!0-9]*|0) echo "oci-bench: N must be a positive number, not '$1'" >&2; exit 2 ;;
esac
N=${1:-15}
WEFT=${WEFT:-build/weft}
case $WEFT in /*) ;; *) WEFT=$OCI_ROOT/$WEFT ;; esac
for tool in podman runc; do
    command -v "$tool" >/dev/null 2>&1 || { echo "oci-bench: $tool not installed" >&2; exit 3; }
done
[ "$(id -u)" -eq 0 ] || { echo "oci-bench: needs root" >&2; exit 3; }
[ -x "$WEFT_OCI" ] && [ -x "$WEFT" ] || { echo "oci-bench: build weft and weft-oci first (make)" >&2; exit 2; }

oci_tmp_setup weft-bench
T=$OCI_TMP
mkdir -p "$T/bin" "$T/state-weft" "$T/state-runc" "$T/state-crun"
for rt in weft runc crun; do
    bin=$WEFT_OCI
    [ "$rt" = weft ] || bin=$(command -v "$rt") || continue
    printf '#!/bin/sh\nexec "%s" --root "%s" "$@"\n' "$bin" "$T/state-$rt" >"$T/bin/$rt"
    chmod 0755 "$T/bin/$rt"
done
podman_private "$T/podman" "$T/bin/weft" || exit 2
cleanup() {
    podman_private_clean
    oci_tmp_remove
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PODMAN="${P[*]}" WEFT_OCI_OUT=$T/images bash scripts/oci-image.sh hello native || exit 1

# The clock is bash's EPOCHREALTIME (microseconds): reading it starts no
# process, so the figures include no clock overhead.
# timed NAME CMD...: runs CMD once (output to $T/NAME.out), appends its
# wall time in ms (to 0.1) to $T/NAME.ms; a failed run is reported and not
# counted.
timed() {
    local name=$1 t0 t1
    shift
    t0=${EPOCHREALTIME/[.,]/}
    if "$@" >"$T/$name.out" 2>&1 </dev/null; then
        t1=${EPOCHREALTIME/[.,]/}
        printf '%d.%d\n' $(((t1 - t0) / 1000)) $((((t1 - t0) % 1000) / 100)) >>"$T/$name.ms"
    else
        echo "oci-bench: $name failed: $(tail -1 "$T/$name.out")" >&2
    fi
}

# A bundle of each image's rootfs, for the runs without podman.
bundle() { # NAME IMAGE ARGS-JSON
    local b=$T/bundle-$1 cid
    mkdir -p "$b/rootfs"
    cid=$("${P[@]}" create "$2") && "${P[@]}" export "$cid" | tar -C "$b/rootfs" -xf - &&
        "${P[@]}" rm "$cid" >/dev/null || return 1
    (cd "$b" && runc spec) || return 1
    jq --argjson a "$3" '.process.terminal = false | .process.args = $a' "$b/config.json" >"$b/c.json" &&
        mv "$b/c.json" "$b/config.json"
}
bundle native localhost/weft-hello-native '["/hello","hello"]' || exit 1
bundle wasm localhost/weft-hello '["/hello.wasm","hello"]' || exit 1

crun_note=""
if ! "${P[@]}" run --rm --runtime "$T/bin/crun" localhost/weft-hello-native hello >"$T/crun.out" 2>&1; then
    crun_note=$(grep -v '^WARNING' "$T/crun.out" | tail -1)
fi

echo "oci-bench: $N runs each, interleaved"
for i in $(seq 1 "$N"); do
    timed podman-weft "${P[@]}" run --rm localhost/weft-hello hello
    timed podman-runc "${P[@]}" run --rm --runtime "$T/bin/runc" localhost/weft-hello-native hello
    [ -z "$crun_note" ] &&
        timed podman-crun "${P[@]}" run --rm --runtime "$T/bin/crun" localhost/weft-hello-native hello
    timed weft-run "$WEFT" run "$T/images/hello.wasm" hello
    timed native "$T/images/hello.native" hello
    timed runc-run "$(command -v runc)" --root "$T/state-runc" run --bundle "$T/bundle-native" "bench-$i"
    timed weft-oci-run "$WEFT_OCI" --root "$T/state-weft" run --bundle "$T/bundle-wasm" "bench-$i"
done

stats() { # NAME: median min max count
    [ -s "$T/$1.ms" ] || { echo "- - - 0"; return; }
    sort -n "$T/$1.ms" | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%s %s %s %d\n", m, v[1], v[NR], NR }'
}
row() { # NAME LABEL
    local s
    s=$(stats "$1")
    # shellcheck disable=SC2086
    printf '%-58s %8s %6s %6s %4s\n' "$2" $s
}
echo
printf '%-58s %8s %6s %6s %4s\n' "wall time, ms" median min max runs
row podman-weft "podman run --rm weft-hello, weft-oci"
row podman-runc "podman run --rm weft-hello-native (static), runc"
if [ -n "$crun_note" ]; then
    printf '%-58s %s\n' "podman run --rm weft-hello-native, crun" "fails here: $crun_note"
else
    row podman-crun "podman run --rm weft-hello-native (static), crun"
fi
row weft-oci-run "weft-oci run, Wasm bundle (no podman)"
row runc-run "runc run, native bundle (no podman)"
row weft-run "weft run hello.wasm (no runtime)"
row native "hello.native (no runtime)"
