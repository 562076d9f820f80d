#!/usr/bin/env bash
# containerd.sh — weft-oci under Debian's containerd 1.6 and its runc shim
# (issue 13, "Must show" 2). The test starts its own containerd on a
# private socket, root and state directory (no CRI, nothing of the
# machine's containerd is used), imports the weft-hello image (built by
# scripts/oci-image.sh in a private podman store, saved with
# `podman save --format oci-archive`) and drives it with ctr:
#
#   ctr run --runc-binary weft-oci   (what a runtime's BinaryName does):
#                                    output, exit code, the image's
#                                    entrypoint, --env, --cwd, bind mounts
#                                    (ro enforced), --memory-limit,
#                                    speedtest1 with its database mounted
#   the native image through weft-oci's fallback (WEFT_OCI_FALLBACK=runc
#   in containerd's environment, as a Kubernetes node would set it for the
#   pause container)
#   ctr run -d, ctr task ls/ps/exec/pause/resume/kill (the task is weft,
#   hardened), ctr task kill of a foreground ctr run (exit code 143), 8
#   ctr run at once, then nothing left: no containers, no tasks, no state under the runc root,
#   no shim or weft processes.
#
# The shim is given --runc-root (a private state directory for weft-oci)
# and ctr a private --fifo-dir. Without containerd, ctr or podman (needed
# to build the image), or not as root, everything is skipped (one skip;
# under CI scripts/test.sh counts it as a failure).
#
# usage: tests/oci/containerd.sh
#   WEFT_OCI=PATH   the runtime under test (default build/weft-oci)
#   OCI_REFERENCE=runc  check the harness with runc and the static native
#                   hello image instead (Wasm-only checks are expected to
#                   fail there)

# shellcheck disable=SC2034 # last_cmd is read by lib.bash's not_ok
. "$(dirname "$0")/lib.bash"
oci_args "$@"

for tool in containerd ctr containerd-shim-runc-v2 podman; do
    command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not installed (scripts/setup.sh installs it)"
done
[ "$(id -u)" -eq 0 ] || skip_all "containerd tests need root"

reference=${OCI_REFERENCE:-}
if [ -n "$reference" ]; then
    RUNTIME_BIN=$(command -v "$reference") || skip_all "$reference not installed"
    IMG=localhost/weft-hello-native:latest
    PLATFORM=linux/amd64
    PROG=/hello
else
    [ -x "$WEFT_OCI" ] || { echo "FAIL: $WEFT_OCI not built (make)"; echo "0 passed, 1 failed"; exit 1; }
    RUNTIME_BIN=$WEFT_OCI
    IMG=localhost/weft-hello:latest
    PLATFORM=wasi/wasm
    PROG=/hello.wasm
fi
IMG_ST=localhost/weft-speedtest1:latest

oci_tmp_setup weft-ctrd
T=$OCI_TMP
SOCK=$T/containerd.sock
RUNC_ROOT=$T/runc-root
NS=weft
mkdir -p "$T/vol" "$T/db" "$T/fifo" "$T/logs" "$RUNC_ROOT"
CTRD_PID=""

# The machine's podman is not touched: images are built in a private store.
podman_private "$T/podman" "$RUNTIME_BIN" || exit 2

C=(ctr -a "$SOCK" -n "$NS")
# RUN: ctr run with the runtime under test, its private root and fifos
RUN=("${C[@]}" run --runc-binary "$RUNTIME_BIN" --runc-root "$RUNC_ROOT"
    --fifo-dir "$T/fifo" --platform "$PLATFORM")

cleanup() {
    local id p
    if [ -n "$CTRD_PID" ]; then
        for id in $("${C[@]}" task ls -q 2>/dev/null); do
            timeout 10 "${C[@]}" task kill -s SIGKILL "$id" >/dev/null 2>&1
            timeout 10 "${C[@]}" task rm -f "$id" >/dev/null 2>&1
        done
        for id in $("${C[@]}" containers ls -q 2>/dev/null); do
            timeout 10 "${C[@]}" containers rm "$id" >/dev/null 2>&1
        done
        kill -TERM "$CTRD_PID" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$CTRD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$CTRD_PID" 2>/dev/null
        wait "$CTRD_PID" 2>/dev/null
    fi
    # shims (and whatever they run) that outlived containerd: ours, by PID
    for p in $(procs_under "$T" | cut -d: -f1); do
        kill -KILL "$p" 2>/dev/null
    done
    podman_private_clean
    oci_tmp_remove
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section "images (scripts/oci-image.sh in a private podman store, saved as oci-archive)"
images=(hello speedtest1 native)
[ -n "$reference" ] && images=(native)
PODMAN="${P[*]}" WEFT_OCI_OUT=$T/images bash scripts/oci-image.sh "${images[@]}" >"$T/images.log" 2>&1
cat "$T/images.log"
have_native=0
if [ -z "$reference" ] && "${P[@]}" save -q --format oci-archive -o "$T/native.tar" \
    localhost/weft-hello-native >/dev/null 2>&1; then
    have_native=1
fi
"${P[@]}" save -q --format oci-archive -o "$T/hello.tar" "${IMG%:latest}" >/dev/null 2>&1 ||
    { echo "FAIL: cannot build and save ${IMG%:latest} (see above)"; echo "0 passed, 1 failed"; exit 1; }
have_st=0
if [ -z "$reference" ] && "${P[@]}" save -q --format oci-archive -o "$T/st.tar" "${IMG_ST%:latest}" >/dev/null 2>&1; then
    have_st=1
fi

# podman's conmon writes files such as "oom" into its working directory:
# work in the temporary directory from here on.
cd "$T" || exit 2
section "containerd on $SOCK"
cat >"$T/config.toml" <<EOF
version = 2
root = "$T/root"
state = "$T/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$SOCK"

[ttrpc]
  address = "$SOCK.ttrpc"

[debug]
  address = "$T/debug.sock"

[plugins."io.containerd.internal.v1.opt"]
  path = "$T/opt"
EOF
# The shim runs weft-oci with containerd's environment: WEFT_OCI_FALLBACK
# hands non-Wasm images (a pod's pause container, say) to runc.
fallback=""
[ -z "$reference" ] && fallback=$(command -v runc)
WEFT_OCI_FALLBACK=$fallback containerd --config "$T/config.toml" >"$T/containerd.log" 2>&1 </dev/null &
CTRD_PID=$!
if ! poll 30 "${C[@]}" version; then
    echo "FAIL: containerd did not answer on $SOCK"
    tail -20 "$T/containerd.log"
    echo "0 passed, 1 failed"
    exit 1
fi

run 60 "${C[@]}" images import "$T/hello.tar"
check "ctr images import of podman's oci-archive" test "$status" -eq 0
run 30 "${C[@]}" images ls -q
check "... the image is there as $IMG" has_line "$IMG" "$stdout"
if [ "$have_st" = 1 ]; then
    run 60 "${C[@]}" images import "$T/st.tar"
    check "ctr images import of weft-speedtest1" test "$status" -eq 0
fi

if [ "$have_native" = 1 ]; then
    run 60 "${C[@]}" images import "$T/native.tar"
    check "ctr images import of weft-hello-native" test "$status" -eq 0
fi

section "ctr run --runc-binary $(basename "$RUNTIME_BIN")"
run 60 "${RUN[@]}" --rm "$IMG" ct-hello "$PROG" hello a 'b c'
check "ctr run prints the program's output" test "$stdout" = "hello from weft-hello
argc=4
argv[0]=$PROG
argv[1]=hello
argv[2]=a
argv[3]=b c"
check "ctr run exits 0" test "$status" -eq 0
run 60 "${RUN[@]}" --rm "$IMG" ct-exit "$PROG" exit 7
check "ctr run returns the program's exit code (7)" test "$status" -eq 7
run 60 "${RUN[@]}" --rm "$IMG" ct-entry
check "ctr run without arguments runs the image's entrypoint" test "$status" -eq 0 -a "$stdout" = "hello from weft-hello
argc=1
argv[0]=$PROG"
run 60 "${RUN[@]}" --rm --env GREETING=from-ctr "$IMG" ct-env "$PROG" getenv GREETING
check "ctr run --env" test "$status" -eq 0 -a "$stdout" = "GREETING=from-ctr"
# process.cwd reaches a WASI program as $PWD (docs/oci.md)
run 60 "${RUN[@]}" --rm --cwd /tmp "$IMG" ct-cwd "$PROG" getenv PWD
check "ctr run --cwd (as \$PWD)" test "$status" -eq 0 -a "$stdout" = PWD=/tmp

echo "from the host" >"$T/vol/in.txt"
run 60 "${RUN[@]}" --rm --mount "type=bind,src=$T/vol,dst=/data,options=rbind:rw" "$IMG" ct-rw \
    "$PROG" write /data/out.txt "from containerd"
check "a bind mount: the program writes a host file" \
    test "$status" -eq 0 -a "$(cat "$T/vol/out.txt" 2>/dev/null)" = "from containerd"
run 60 "${RUN[@]}" --rm --mount "type=bind,src=$T/vol,dst=/data,options=rbind:ro" "$IMG" ct-ro-read \
    "$PROG" read /data/in.txt
check "a read-only bind mount: reading works" test "$status" -eq 0 -a "$stdout" = "from the host"
run 60 "${RUN[@]}" --rm --mount "type=bind,src=$T/vol,dst=/data,options=rbind:ro" "$IMG" ct-ro-write \
    "$PROG" write /data/ro.txt "must not appear"
check "a read-only bind mount: a write fails inside the program" test "$status" -eq 1 -a ! -e "$T/vol/ro.txt"
run 120 "${RUN[@]}" --rm --memory-limit 67108864 "$IMG" ct-mem "$PROG" grow 200
refused=$(sed -n 's/^memory.grow refused after \([0-9]*\) MiB$/\1/p' <<<"$stdout")
check "--memory-limit 64 MiB: growing past it fails" test "$status" -ne 0
check "... refused between 32 and 64 MiB (at ${refused:-?})" \
    eval '[ -n "$refused" ] && [ "$refused" -ge 32 ] && [ "$refused" -lt 64 ]'
check "... with a trap on stderr" has_text "trap: out of bounds memory access" "$stderr"
check "... and weft's word that the limit refused a grow" has_text "memory.grow past --max-memory was refused" "$stderr"
if [ "$have_st" = 1 ]; then
    run 300 "${RUN[@]}" --rm --mount "type=bind,src=$T/db,dst=/data,options=rbind:rw" "$IMG_ST" ct-st \
        /speedtest1.wasm --size 1 /data/speedtest1.db
    check "speedtest1 with its database in a bind mount" \
        eval '[ "$status" -eq 0 ] && grep -q TOTAL <<<"$stdout" && [ -s "$T/db/speedtest1.db" ]'
elif [ -z "$reference" ]; then
    echo "SKIP: localhost/weft-speedtest1 could not be built (see the images above)"
    t_skip=$((t_skip + 1))
fi

if [ "$have_native" = 1 ] && [ -n "$fallback" ]; then
    run 60 "${C[@]}" run --runc-binary "$RUNTIME_BIN" --runc-root "$RUNC_ROOT" --fifo-dir "$T/fifo" \
        --rm localhost/weft-hello-native:latest ct-native /hello hello native
    check "a native image through weft-oci's fallback (WEFT_OCI_FALLBACK=runc)" eval \
        '[ "$status" -eq 0 ] && has_line "argv[0]=/hello" "$stdout" && has_line "argv[2]=native" "$stdout"'
    run 60 "${C[@]}" run --runc-binary "$RUNTIME_BIN" --runc-root "$RUNC_ROOT" --fifo-dir "$T/fifo" \
        --rm localhost/weft-hello-native:latest ct-native2 /hello exit 4
    check "... its exit code (4)" test "$status" -eq 4
elif [ -z "$reference" ]; then
    echo "SKIP: no native image or no runc: no fallback test"
    t_skip=$((t_skip + 1))
fi

section "ctr task kill of a running ctr run"
timeout -k 5 120 "${RUN[@]}" --rm "$IMG" ct-term "$PROG" sleep forever \
    >"$T/logs/ct-term.out" 2>"$T/logs/ct-term.err" </dev/null &
term_pid=$!
check "a sleeping task starts" poll 30 grep -qx sleeping "$T/logs/ct-term.out"
run 30 "${C[@]}" task kill ct-term
check "ctr task kill (SIGTERM)" test "$status" -eq 0
wait "$term_pid"
status=$? stdout=$(cat "$T/logs/ct-term.out") stderr=$(cat "$T/logs/ct-term.err")
last_cmd="ctr run --rm ... ct-term $PROG sleep forever"
check "... ctr run returns 143 (SIGTERM)" test "$status" -eq 143
# When SIGTERM did not end it (a failure above), end it here, so that the
# checks below are about the rest.
if "${C[@]}" containers ls -q | grep -qx ct-term; then
    timeout 30 "${C[@]}" task kill -s SIGKILL ct-term >/dev/null 2>&1
    poll 30 eval '! "${C[@]}" task ls | grep -qE "^ct-term[[:space:]]+[0-9]+[[:space:]]+RUNNING$"'
    timeout 30 "${C[@]}" task rm -f ct-term >/dev/null 2>&1
    timeout 30 "${C[@]}" containers rm ct-term >/dev/null 2>&1
fi

section "ctr run -d, task ls / ps / exec / pause / resume / kill"
run 60 "${RUN[@]}" -d --log-uri "file://$T/logs/ct-bg.log" "$IMG" ct-bg "$PROG" sleep forever
check "ctr run -d" test "$status" -eq 0
check "... the program runs" poll 30 grep -qx sleeping "$T/logs/ct-bg.log"
run 30 "${C[@]}" task ls
check "ctr task ls: RUNNING" eval 'grep -qE "^ct-bg[[:space:]]+[0-9]+[[:space:]]+RUNNING$" <<<"$stdout"'
task_pid=$(awk '$1 == "ct-bg" { print $2 }' <<<"$stdout")
run 30 "${C[@]}" task ps ct-bg
check "ctr task ps lists the task's process ($task_pid)" \
    eval '[ "$status" -eq 0 ] && awk "NR > 1 { print \$1 }" <<<"$stdout" | grep -qx "$task_pid"'
check "... a live process" test -n "$task_pid" -a -d "/proc/${task_pid:-none}"
if [ -z "$reference" ]; then
    stdout=$(readlink "/proc/${task_pid:-none}/exe")
    check "... which is weft" test "$(basename "${stdout:-none}")" = weft
    stdout=$(grep -E '^(NoNewPrivs|CapEff|Seccomp):' "/proc/${task_pid:-none}/status" 2>/dev/null)
    check "... with no_new_privs, no capabilities and a seccomp filter" eval \
        'grep -qx "NoNewPrivs:[[:space:]]*1" <<<"$stdout" && grep -qx "CapEff:[[:space:]]*0*" <<<"$stdout" &&
         grep -qx "Seccomp:[[:space:]]*2" <<<"$stdout"'
fi
run 60 "${C[@]}" task exec --fifo-dir "$T/fifo" --exec-id e1 ct-bg "$PROG" hello from-exec
check "ctr task exec runs a second program" has_line "argv[2]=from-exec" "$stdout"
check "... exit 0" test "$status" -eq 0
run 60 "${C[@]}" task exec --fifo-dir "$T/fifo" --exec-id e2 ct-bg "$PROG" exit 6
check "ctr task exec returns its exit code (6)" test "$status" -eq 6
run 60 "${C[@]}" task exec --fifo-dir "$T/fifo" --exec-id e3 ct-bg "$PROG" ls /
check "ctr task exec sees the container's rootfs" has_line "${PROG#/}" "$stdout"
run 30 "${C[@]}" task pause ct-bg
check "ctr task pause" test "$status" -eq 0
run 30 "${C[@]}" task ls
check "... PAUSED" eval 'grep -qE "^ct-bg[[:space:]]+[0-9]+[[:space:]]+PAUSED$" <<<"$stdout"'
run 30 "${C[@]}" task resume ct-bg
check "ctr task resume" eval '[ "$status" -eq 0 ] && "${C[@]}" task ls | grep -qE "^ct-bg[[:space:]]+[0-9]+[[:space:]]+RUNNING$"'
run 30 "${C[@]}" task kill -s SIGKILL ct-bg
check "ctr task kill -s SIGKILL" test "$status" -eq 0
check "... the task stops" poll 30 eval '"${C[@]}" task ls | grep -qE "^ct-bg[[:space:]]+[0-9]+[[:space:]]+STOPPED$"'
check "... its process is gone" poll 30 test ! -d "/proc/${task_pid:-none}"
run 30 "${C[@]}" task rm ct-bg
check "ctr task rm" test "$status" -eq 0
run 30 "${C[@]}" containers rm ct-bg
check "ctr containers rm" test "$status" -eq 0

section "8 ctr run at once"
pids=()
for i in $(seq 1 8); do
    timeout -k 5 120 "${RUN[@]}" --rm "$IMG" "ct-par-$i" "$PROG" hello "par-$i" \
        >"$T/logs/par-$i.out" 2>"$T/logs/par-$i.err" </dev/null &
    pids+=($!)
done
right=0
for i in $(seq 1 8); do
    if wait "${pids[$((i - 1))]}" && grep -qx "argv\[2\]=par-$i" "$T/logs/par-$i.out"; then
        right=$((right + 1))
    else
        echo "  ct-par-$i: $(tr '\n' '|' <"$T/logs/par-$i.out") $(tr '\n' '|' <"$T/logs/par-$i.err")"
    fi
done
status=$right stdout="" stderr="" last_cmd="ctr run --rm (x8, in parallel)"
check "8 concurrent ctr run: all exit 0 with their own output ($right)" test "$right" -eq 8

section "nothing left"
run 30 "${C[@]}" task ls -q
check "no tasks" test "$status" -eq 0 -a -z "$stdout"
run 30 "${C[@]}" containers ls -q
check "no containers" test "$status" -eq 0 -a -z "$stdout"
stdout=$(find "$RUNC_ROOT" -mindepth 2 2>/dev/null)
check "no state under the runtime's root" test -z "$stdout"
# the shims exit once their container is deleted
poll 30 eval '[ -z "$(procs_under "$T" | grep -v "^$CTRD_PID:")" ]'
stdout=$(procs_under "$T" | grep -v "^$CTRD_PID:")
check "no processes left but containerd (shims, weft)" test -z "$stdout"

done_testing
