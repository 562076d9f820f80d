#!/usr/bin/env bash
# podman.sh — weft-oci under Debian's podman (issue 13, "Must show" 1):
# run with output and exit code, -d + logs + stop (SIGTERM, then SIGKILL
# after --time) + kill + rm + start again, -t, -i, exec (-e, -i, -t), -e,
# -w, volumes (:ro enforced inside the program, no way out of them or of
# the rootfs), --read-only, --tmpfs, --user, --memory (a trap and weft's
# message when the program grows past it; the memory cgroup),
# pause/unpause, the process's hardening (/proc: no_new_privs, no
# capabilities, seccomp), weft.* annotations (fuel, deadline, account,
# unknown keys refused), speedtest1 with its database in a volume, a
# native image refused and then run through --fallback-runtime runc, and
# 20 containers started concurrently with no state and no process left
# after rm.
#
# Rootful, with a private podman (podman_private in lib.bash: storage, run
# root, tmp dir, volumes, network configuration, events log and a
# containers.conf under a temporary directory), so the machine's own
# podman state is never read or changed; no network for containers;
# ulimits that this VM's hard limits allow.
# weft-oci runs through a two-line wrapper that adds `--root DIR` (a
# private state directory): podman's --runtime-flag is not passed to the
# `delete` that podman's cleanup process runs, so it cannot be used for
# that. One test runs the binary itself (`--runtime PATH`, default root).
#
# Images come from scripts/oci-image.sh, built into the private store.
# Without podman, or not as root, everything is skipped (one skip; under
# CI scripts/test.sh counts it as a failure).
#
# usage: tests/oci/podman.sh
#   WEFT_OCI=PATH   the runtime under test (default build/weft-oci)
#   OCI_REFERENCE=runc  check the harness instead: the same tests with
#                   runc and the static native hello image (Wasm-only
#                   checks — memory trap, weft.* annotations, hardening —
#                   are expected to fail there)

# shellcheck disable=SC2034 # last_cmd, and variables read inside eval
. "$(dirname "$0")/lib.bash"
oci_args "$@"

command -v podman >/dev/null 2>&1 || skip_all "podman not installed (scripts/setup.sh installs it)"
[ "$(id -u)" -eq 0 ] || skip_all "podman tests need root (rootful podman)"

reference=${OCI_REFERENCE:-}
if [ -n "$reference" ]; then
    RUNTIME_BIN=$(command -v "$reference") || skip_all "$reference not installed"
    IMG=localhost/weft-hello-native
    PROG=/hello
else
    [ -x "$WEFT_OCI" ] || { echo "FAIL: $WEFT_OCI not built (make)"; echo "0 passed, 1 failed"; exit 1; }
    RUNTIME_BIN=$WEFT_OCI
    IMG=localhost/weft-hello
    PROG=/hello.wasm
fi
IMG_ST=localhost/weft-speedtest1

oci_tmp_setup weft-podman
T=$OCI_TMP
STATE=$T/state
mkdir -p "$STATE" "$T/bin" "$T/vol" "$T/db" "$T/outside"

# conmon gives the runtime an environment of its own: the sanitizers'
# settings of an ASan build (scripts/test.sh --asan) go in the wrapper.
san_env=""
for v in ASAN_OPTIONS UBSAN_OPTIONS; do
    [ -n "${!v:-}" ] && san_env+="export $v='${!v}'"$'\n'
done
cat >"$T/bin/runtime" <<EOF
#!/bin/sh
$san_env
exec "$RUNTIME_BIN" --root "$STATE" "\$@"
EOF
chmod 0755 "$T/bin/runtime"

podman_private "$T/podman" "$T/bin/runtime" || exit 2

cleanup() {
    podman_private_clean
    oci_tmp_remove
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A host variable that must not reach any container.
export WEFT_OCI_TEST_HOST_ONLY=leaked

section "images (scripts/oci-image.sh into the private store)"
images=(hello speedtest1 native)
[ -n "$reference" ] && images=(native)
PODMAN="${P[*]}" WEFT_OCI_OUT=$T/images bash scripts/oci-image.sh "${images[@]}" >"$T/images.log" 2>&1
img_rc=$?
cat "$T/images.log"
if ! "${P[@]}" image exists "$IMG"; then
    echo "FAIL: the image $IMG was not built (scripts/oci-image.sh status $img_rc)"
    echo "0 passed, 1 failed"
    exit 1
fi
have_st=0
"${P[@]}" image exists "$IMG_ST" && have_st=1
# podman's conmon writes files such as "oom" into its working directory:
# work in the temporary directory from here on.
cd "$T" || exit 2

# state_of ID: what weft-oci keeps for the container ID (empty: nothing)
state_of() {
    local f
    for f in "$STATE"/* "$STATE"/.[!.]*; do
        [ -e "$f" ] || continue
        case ${f##*/} in *"${1:-none}"*) echo "$f" ;; esac
    done
}
# log_of NAME: the container's output so far
log_of() { "${P[@]}" logs "$1" 2>&1 | tr -d '\r'; }
logs_have() { log_of "$1" | grep -qxF -- "$2"; }
inspect() { "${P[@]}" inspect -f "$2" "$1" 2>/dev/null; }

section "run: output and exit code"
run 60 "${P[@]}" run --rm "$IMG" hello a 'b c'
check "podman run prints the program's output" test "$stdout" = "hello from weft-hello
argc=4
argv[0]=$PROG
argv[1]=hello
argv[2]=a
argv[3]=b c"
check "podman run exits 0" test "$status" -eq 0
run 60 "${P[@]}" run --rm "$IMG" exit 42
check "podman run returns the program's exit code (42)" test "$status" -eq 42
check "... after its output" has_line "exiting with 42" "$stdout"
run 60 "${P[@]}" run --rm "$IMG" no-such-command
check "a usage error inside the program is its exit code 2" test "$status" -eq 2

section "-e, -w, -i, -t"
run 60 "${P[@]}" run --rm -e GREETING='hi there' -e EMPTY= "$IMG" env
check "-e sets the program's environment" has_line "GREETING=hi there" "$stdout"
check "-e with an empty value" has_line "EMPTY=" "$stdout"
check "the host's environment does not leak in" eval '! has_text WEFT_OCI_TEST_HOST_ONLY "$stdout"'
# WASI has no working directory (wasi-libc starts in "/"); weft-oci passes
# process.cwd as $PWD (docs/oci.md). runc's native program sees it as both.
run 60 "${P[@]}" run --rm -w /tmp "$IMG" getenv PWD
check "-w reaches the program as \$PWD" test "$status" -eq 0 -a "$stdout" = PWD=/tmp
run_in 60 $'line one\nline two\n' "${P[@]}" run --rm -i "$IMG" cat
check "-i: stdin reaches the program" test "$status" -eq 0 -a "$stdout" = $'line one\nline two'
run 60 "${P[@]}" run --rm -t "$IMG" tty
check "-t: stdout is a terminal" has_line "stdout: tty" "$stdout"
check "-t: exit 0" test "$status" -eq 0
run 60 "${P[@]}" run --rm "$IMG" tty
check "without -t: stdout is not a terminal" has_line "stdout: not a tty" "$stdout"

section "volumes"
echo "from the host" >"$T/vol/in.txt"
echo "not for containers" >"$T/outside/secret.txt"
run 60 "${P[@]}" run --rm -v "$T/vol:/data" "$IMG" read /data/in.txt
check "-v host:guest: the program reads a host file" test "$status" -eq 0 -a "$stdout" = "from the host"
run 60 "${P[@]}" run --rm -v "$T/vol:/data" "$IMG" write /data/out.txt "from the container"
check "-v host:guest: the program writes a host file" test "$status" -eq 0 -a "$(cat "$T/vol/out.txt" 2>/dev/null)" = "from the container"
run 60 "${P[@]}" run --rm -v "$T/vol:/data:ro" "$IMG" read /data/in.txt
check "-v :ro: reading works" test "$status" -eq 0 -a "$stdout" = "from the host"
run 60 "${P[@]}" run --rm -v "$T/vol:/data:ro" "$IMG" write /data/ro.txt "must not appear"
check "-v :ro: a write fails inside the program (exit 1)" test "$status" -eq 1
check "-v :ro: ... with the program's error message" has_text "hello: cannot write /data/ro.txt" "$stderr"
check "-v :ro: ... and nothing is written on the host" test ! -e "$T/vol/ro.txt"
run 60 "${P[@]}" run --rm -v "$T/vol:/data:ro" "$IMG" write /data/in.txt "overwritten"
check "-v :ro: an existing file is not changed" test "$status" -eq 1 -a "$(cat "$T/vol/in.txt")" = "from the host"
rel=$(printf '../%.0s' 1 2 3 4 5 6 7 8)
run 60 "${P[@]}" run --rm -v "$T/vol:/data" "$IMG" read "/data/$rel${T#/}/outside/secret.txt"
check "a path out of the volume fails" test "$status" -ne 0
check "... and reads nothing" eval '! has_text "not for containers" "$stdout"'
run 60 "${P[@]}" run --rm "$IMG" read "/$rel${T#/}/outside/secret.txt"
check "a path out of the rootfs fails and reads nothing" eval '[ "$status" -ne 0 ] && ! has_text "not for containers" "$stdout"'
run 60 "${P[@]}" run --rm "$IMG" ls /
check "the rootfs is the program's /" has_line "${PROG#/}" "$stdout"

run 60 "${P[@]}" run --rm --read-only "$IMG" write /made.txt "x"
check "--read-only: a write to the rootfs fails inside the program" test "$status" -eq 1
run 60 "${P[@]}" run --rm --read-only "$IMG" write /tmp/made.txt "x"
check "--read-only: podman's tmpfs /tmp stays writable" test "$status" -eq 0
run 60 "${P[@]}" run --rm --tmpfs /scratch "$IMG" write /scratch/f.txt "in a tmpfs"
check "--tmpfs DIR: writable inside" test "$status" -eq 0

if [ "$have_st" = 1 ]; then
    run 300 "${P[@]}" run --rm -v "$T/db:/data" "$IMG_ST" --size 1 /data/speedtest1.db
    check "speedtest1 runs with its database in a volume" test "$status" -eq 0
    check "... to the end (TOTAL line)" eval 'grep -q "TOTAL" <<<"$stdout"'
    check "... and the database is on the host" test -s "$T/db/speedtest1.db"
elif [ -z "$reference" ]; then
    echo "SKIP: localhost/weft-speedtest1 could not be built (see the images above)"
    t_skip=$((t_skip + 1))
fi

section "-d, logs, wait, stop (SIGTERM, then SIGKILL), rm"
run 60 "${P[@]}" run -d --name wt-logs "$IMG" hello logged
check "podman run -d prints the container's ID" eval 'grep -qxE "[0-9a-f]{64}" <<<"$stdout"'
logs_id=$stdout
run 60 "${P[@]}" wait wt-logs
check "podman wait: exit code 0" test "$stdout" = 0
run 30 "${P[@]}" logs wt-logs
check "podman logs shows the output" has_line "argv[2]=logged" "$stdout"
run 30 "${P[@]}" rm wt-logs
check "podman rm of an exited container" test "$status" -eq 0
check "... leaves no weft-oci state" test -z "$(state_of "$logs_id")"

run 60 "${P[@]}" run -d --name wt-term "$IMG" tick
term_id=$stdout
check "a ticking container starts" poll 30 logs_have wt-term "tick 2"
check "weft-oci keeps state for a running container" test -n "$(state_of "$term_id")"
run 60 "${P[@]}" stop -t 30 wt-term
check "podman stop" test "$status" -eq 0
check "SIGTERM stops it (exit code 143), no SIGKILL needed" eval \
    '[ "$(inspect wt-term "{{.State.ExitCode}}")" = 143 ] && ! has_text "resorting to SIGKILL" "$stderr"'
run 60 "${P[@]}" run -d --name wt-kill --stop-signal SIGURG "$IMG" sleep forever
kill_id=$stdout
check "a sleeping container starts" poll 30 logs_have wt-kill sleeping
run 60 "${P[@]}" stop -t 1 wt-kill
check "podman stop with a signal the program survives" test "$status" -eq 0
check "... SIGKILL after --time (exit code 137)" test "$(inspect wt-kill '{{.State.ExitCode}}')" = 137
check "... podman says it resorted to SIGKILL" has_text "resorting to SIGKILL" "$stderr"
run 60 "${P[@]}" run -d --name wt-usr1 "$IMG" sleep forever
check "a third sleeping container starts" poll 30 logs_have wt-usr1 sleeping
run 30 "${P[@]}" kill -s USR1 wt-usr1
check "podman kill -s USR1" test "$status" -eq 0
run 60 "${P[@]}" wait wt-usr1
if [ -n "$reference" ]; then
    check "... the program dies of it (exit code 138)" test "$stdout" = 138
else
    # SIGUSR1 is weft's snapshot request (checkpoint's): the program is
    # saved into the container's state and stops, exit status 0.
    check "... weft saves the program and stops it (exit code 0)" test "$stdout" = 0
    check "... and says so in the logs" poll 10 eval 'log_of wt-usr1 | grep -q "stopped; snapshot saved"'
fi
run 30 "${P[@]}" rm wt-term wt-kill wt-usr1
check "podman rm of stopped containers" test "$status" -eq 0
check "... leaves no weft-oci state" test -z "$(state_of "$term_id")$(state_of "$kill_id")"
run 30 "${P[@]}" ps -a --format '{{.Names}}'
check "... nor containers in podman" eval '! grep -qE "wt-(term|kill)" <<<"$stdout"'

run 60 "${P[@]}" run --name wt-again "$IMG" hello again
run 60 "${P[@]}" start -a wt-again
check "podman start of an exited container runs it again (same ID)" \
    eval '[ "$status" -eq 0 ] && has_line "argv[2]=again" "$stdout"'
"${P[@]}" rm -f wt-again >/dev/null 2>&1

section "exec"
run 60 "${P[@]}" run -d --name wt-exec -v "$T/vol:/data" -e FROM_RUN=1 "$IMG" sleep forever
exec_id=$stdout
check "a container to exec in starts" poll 30 logs_have wt-exec sleeping
run 60 "${P[@]}" exec wt-exec "$PROG" hello from-exec
check "podman exec runs a second program" has_line "argv[2]=from-exec" "$stdout"
check "... exit 0" test "$status" -eq 0
run 60 "${P[@]}" exec wt-exec "$PROG" exit 5
check "podman exec returns its exit code (5)" test "$status" -eq 5
run 60 "${P[@]}" exec -e FROM_EXEC=2 wt-exec "$PROG" env
check "podman exec -e" has_line "FROM_EXEC=2" "$stdout"
check "podman exec has the container's environment" has_line "FROM_RUN=1" "$stdout"
run 60 "${P[@]}" exec wt-exec "$PROG" read /data/in.txt
check "podman exec sees the container's volumes" test "$stdout" = "from the host"
run_in 60 $'to exec\n' "${P[@]}" exec -i wt-exec "$PROG" cat
check "podman exec -i" test "$stdout" = "to exec"
run 60 "${P[@]}" exec -t wt-exec "$PROG" tty
check "podman exec -t: a terminal" has_line "stdout: tty" "$stdout"

section "the container process: no new privileges, no capabilities, seccomp"
pid=$(inspect wt-exec '{{.State.Pid}}')
if [ -n "$pid" ] && [ "$pid" -gt 0 ] 2>/dev/null && [ -r "/proc/$pid/status" ]; then
    st=$(cat "/proc/$pid/status")
    status=0 stdout=$(grep -E '^(NoNewPrivs|Cap|Seccomp)' <<<"$st") stderr=""
    last_cmd="cat /proc/$pid/status ($(readlink "/proc/$pid/exe"))"
    field() { sed -n "s/^$1:[[:space:]]*//p" <<<"$st"; }
    check "no_new_privs is set" test "$(field NoNewPrivs)" = 1
    check "no capabilities (effective, permitted, inheritable, ambient, bounding)" test \
        "$(field CapEff)$(field CapPrm)$(field CapInh)$(field CapAmb)$(field CapBnd)" = \
        "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    check "a seccomp filter (Seccomp: 2)" test "$(field Seccomp)" = 2
    check "the container process is weft" eval '[ "$(basename "$(readlink "/proc/$pid/exe")")" = weft ]'
else
    status=0 stdout=$pid stderr=""
    not_ok "podman inspect gives no live PID for wt-exec"
fi
run 60 "${P[@]}" rm -f -t 1 wt-exec
check "podman rm -f of a running container" test "$status" -eq 0
check "... leaves no weft-oci state" test -z "$(state_of "$exec_id")"

run 60 "${P[@]}" run -d --name wt-user --user 1234:2345 "$IMG" sleep forever
check "--user: the container starts" poll 30 logs_have wt-user sleeping
pid=$(inspect wt-user '{{.State.Pid}}')
stdout=$(grep -E '^(Uid|Gid|Groups):' "/proc/${pid:-none}/status" 2>/dev/null)
last_cmd="grep Uid/Gid /proc/$pid/status"
check "--user 1234:2345: the process's uid and gid" eval \
    'has_text "$(printf "Uid:\t1234\t1234\t1234\t1234")" "$stdout" &&
     has_text "$(printf "Gid:\t2345\t2345\t2345\t2345")" "$stdout"'
"${P[@]}" rm -f -t 0 wt-user >/dev/null 2>&1

section "--memory"
run 120 "${P[@]}" run --name wt-mem --memory 64m "$IMG" grow 200
mem_out=$stdout mem_status=$status
refused=$(sed -n 's/^memory.grow refused after \([0-9]*\) MiB$/\1/p' <<<"$mem_out")
check "--memory 64m: growing past it fails" test "$mem_status" -ne 0
check "--memory 64m: refused between 32 and 64 MiB (at ${refused:-?})" \
    eval '[ -n "$refused" ] && [ "$refused" -ge 32 ] && [ "$refused" -lt 64 ]'
run 30 "${P[@]}" logs wt-mem
check "--memory 64m: a clear trap in podman logs" has_text "trap: out of bounds memory access" "$stdout$stderr"
check "... and weft's word that the limit refused a grow" has_text "memory.grow past --max-memory was refused" "$stdout$stderr"
"${P[@]}" rm -f wt-mem >/dev/null 2>&1

# weft-oci also puts the process in a memory cgroup at linux.cgroupsPath
# (best effort), so weft's own allocations are bounded too; delete removes
# it. Where no memory cgroup is writable (a read-only /sys, no memory
# controller) weft-oci runs without one, and this is a note, not a test.
if [ -w /sys/fs/cgroup/memory/cgroup.procs ] ||
    { [ -f /sys/fs/cgroup/cgroup.controllers ] && [ -w /sys/fs/cgroup/cgroup.procs ]; }; then
    run 60 "${P[@]}" run -d --name wt-memcg --memory 64m "$IMG" sleep forever
    memcg_id=$stdout
    check "a container with --memory starts" poll 30 logs_have wt-memcg sleeping
    cgpath=$(jq -r '.linux.cgroupsPath // empty' \
        "$T/podman/storage/overlay-containers/$memcg_id/userdata/config.json" 2>/dev/null)
    cgdir=/sys/fs/cgroup/memory$cgpath
    [ -f /sys/fs/cgroup/cgroup.controllers ] && cgdir=/sys/fs/cgroup$cgpath
    pid=$(inspect wt-memcg '{{.State.Pid}}')
    stdout="cgroupsPath=$cgpath pid=$pid; $(cat "$cgdir/memory.limit_in_bytes" "$cgdir/memory.max" 2>/dev/null | tr '\n' ' ')"
    last_cmd="cat $cgdir/memory.{limit_in_bytes,max,cgroup.procs}"
    check "--memory 64m: the process is in a memory cgroup of 64 MiB" eval \
        '[ -n "$cgpath" ] && grep -qx "$pid" "$cgdir/cgroup.procs" 2>/dev/null &&
         grep -qx 67108864 "$cgdir/memory.limit_in_bytes" "$cgdir/memory.max" 2>/dev/null'
    run 60 "${P[@]}" rm -f -t 1 wt-memcg
    check "... which rm removes" eval '[ -n "$cgpath" ] && [ ! -e "$cgdir" ]'
else
    echo "note: no writable memory cgroup here; the cgroup checks are not run"
fi
run 120 "${P[@]}" run --rm "$IMG" grow 100
check "without --memory the same program grows to 100 MiB" has_line "grew 100 MiB" "$stdout"

section "pause, unpause"
run 60 "${P[@]}" run -d --name wt-pause "$IMG" tick
pause_id=$stdout
check "a ticking container starts" poll 30 logs_have wt-pause "tick 2"
run 30 "${P[@]}" pause wt-pause
check "podman pause" test "$status" -eq 0
check "... status paused" test "$(inspect wt-pause '{{.State.Status}}')" = paused
sleep 0.5 # output written just before the pause may still be on its way
n1=$(log_of wt-pause | grep -c '^tick ')
sleep 1
n2=$(log_of wt-pause | grep -c '^tick ')
check "no output while paused ($n1 then $n2 lines)" test "$n1" -eq "$n2"
run 30 "${P[@]}" unpause wt-pause
check "podman unpause" test "$status" -eq 0
check "... it ticks again" poll 30 eval '[ "$(log_of wt-pause | grep -c "^tick ")" -gt "$n2" ]'
check "... status running" test "$(inspect wt-pause '{{.State.Status}}')" = running
run 60 "${P[@]}" rm -f -t 1 wt-pause
check "podman rm -f after unpause" test "$status" -eq 0 -a -z "$(state_of "$pause_id")"

section "weft.* annotations"
run 60 "${P[@]}" run --rm --annotation weft.fuel=200000 "$IMG" tick
check "weft.fuel: the program runs out of fuel" test "$status" -ne 0
check "... a trap, said on stderr" has_text "out of fuel" "$stderr"
check "... after doing some work" has_line "tick 0" "$stdout"
run 60 "${P[@]}" run --rm --annotation weft.deadline=1 "$IMG" tick
check "weft.deadline: the program is stopped (exit 3)" test "$status" -eq 3
check "... and stderr says why" eval 'has_text "deadline" "$stderr" || has_text "interrupted" "$stderr"'
run 60 "${P[@]}" run --name wt-account --cidfile "$T/acc1.cid" --annotation weft.account=weft-run.json "$IMG" exit 9
bundle=$T/podman/storage/overlay-containers/$(cat "$T/acc1.cid" 2>/dev/null)/userdata
stdout=$(cat "$bundle/weft-run.json" 2>/dev/null)
check "weft.account: weft's record of the run is in the bundle" \
    eval '[ "$(jq -r .exit_status <<<"$stdout" 2>/dev/null)" = 9 ]'
"${P[@]}" rm -f wt-account >/dev/null 2>&1
# The record must not replace a file of the bundle (an image's annotations
# reach the config too): podman's config.json must survive.
run 60 "${P[@]}" run --name wt-account2 --cidfile "$T/acc2.cid" --annotation weft.account=config.json "$IMG" hello
bundle=$T/podman/storage/overlay-containers/$(cat "$T/acc2.cid" 2>/dev/null)/userdata
stdout=$(head -c 300 "$bundle/config.json" 2>/dev/null)
check "weft.account=config.json leaves the bundle's config.json as it was" \
    eval 'jq -e .ociVersion "$bundle/config.json" >/dev/null 2>&1'
"${P[@]}" rm -f wt-account2 >/dev/null 2>&1
# Nor another file that is already there: conmon's log, ctr.log.
run 60 "${P[@]}" run --name wt-account3 --annotation weft.account=ctr.log "$IMG" hello logged-once
check "weft.account=ctr.log (conmon's log, already there) is refused" \
    eval '[ "$status" -ne 0 ] && has_text "weft.account: ctr.log already exists" "$stderr"'
"${P[@]}" rm -f wt-account3 >/dev/null 2>&1
run 60 "${P[@]}" run --name wt-bad-annot --annotation weft.no-such-thing=1 "$IMG" hello
check "an unknown weft.* annotation is refused" test "$status" -ne 0
check "... naming it" has_text "weft.no-such-thing" "$stderr"
check "... and the program does not run" eval '! has_text "hello from weft-hello" "$stdout"'
bad_id=$(inspect wt-bad-annot '{{.Id}}')
"${P[@]}" rm -f wt-bad-annot >/dev/null 2>&1
check "... no weft-oci state left" test -z "$(state_of "$bad_id")"

if [ -z "$reference" ]; then
    section "a native image under weft-oci"
    run 60 "${P[@]}" run --name wt-native localhost/weft-hello-native hello
    check "refused (podman run fails)" test "$status" -ne 0
    check "... saying it is not a WebAssembly module" has_text "is not one" "$stderr"
    check "... and nothing of it ran" eval '! has_text "hello from weft-hello" "$stdout"'
    native_id=$(inspect wt-native '{{.Id}}')
    "${P[@]}" rm -f wt-native >/dev/null 2>&1
    check "... no weft-oci state left" test -z "$(state_of "$native_id")"

    section "a pod's sandbox container without a fallback (weft-oci's own pause)"
    run 60 "${P[@]}" run -d --name wt-sandbox --annotation io.kubernetes.cri.container-type=sandbox \
        localhost/weft-hello-native
    sandbox_id=$stdout
    check "a native image marked as a pod sandbox starts" \
        poll 30 eval '[ "$(inspect wt-sandbox "{{.State.Status}}")" = running ]'
    pid=$(inspect wt-sandbox '{{.State.Pid}}')
    stdout=$(readlink "/proc/${pid:-none}/exe")
    check "... as weft-oci's built-in pause, not the image's binary" \
        eval '[ "$(basename "${stdout:-none}")" = weft-oci ] && [ -z "$(log_of wt-sandbox)" ]'
    run 60 "${P[@]}" stop -t 30 wt-sandbox
    check "... which SIGTERM ends with exit code 0, as /pause" test "$(inspect wt-sandbox '{{.State.ExitCode}}')" = 0
    "${P[@]}" rm -f wt-sandbox >/dev/null 2>&1
    check "... no state left" test -z "$(state_of "$sandbox_id")"

    section "a fallback runtime for non-Wasm images (--fallback-runtime runc)"
    if runc_bin=$(command -v runc); then
        cat >"$T/bin/runtime-fb" <<EOF
#!/bin/sh
$san_env
exec "$RUNTIME_BIN" --root "$STATE" --fallback-runtime "$runc_bin" "\$@"
EOF
        chmod 0755 "$T/bin/runtime-fb"
        run 60 "${P[@]}" run --rm --runtime "$T/bin/runtime-fb" --cidfile "$T/fb.cid" \
            localhost/weft-hello-native hello native
        check "the native image runs through weft-oci's fallback" eval \
            '[ "$status" -eq 0 ] && has_line "argv[0]=/hello" "$stdout" && has_line "argv[2]=native" "$stdout"'
        check "... and leaves no state" test -z "$(state_of "$(cat "$T/fb.cid" 2>/dev/null)")"
        run 60 "${P[@]}" run --rm --runtime "$T/bin/runtime-fb" "$IMG" hello wasm
        check "the Wasm image still runs under weft with the fallback set" \
            eval '[ "$status" -eq 0 ] && has_line "argv[0]=/hello.wasm" "$stdout"'
        run 60 "${P[@]}" run -d --name wt-fb --runtime "$T/bin/runtime-fb" localhost/weft-hello-native sleep forever
        check "a native container through the fallback: -d" poll 30 logs_have wt-fb sleeping
        run 60 "${P[@]}" stop -t 1 wt-fb
        check "... stop (SIGKILL: it is pid 1 in runc's pid namespace)" test "$(inspect wt-fb '{{.State.ExitCode}}')" = 137
        run 60 "${P[@]}" rm wt-fb
        check "... rm" test "$status" -eq 0
    else
        echo "SKIP: runc not installed: no fallback test"
        t_skip=$((t_skip + 1))
    fi

    section "--runtime PATH (weft-oci itself, its default --root)"
    run 60 "${P[@]}" run --rm --runtime "$WEFT_OCI" --cidfile "$T/direct.cid" "$IMG" hello direct
    check "podman run --runtime $WEFT_OCI" has_line "argv[2]=direct" "$stdout"
    direct_id=$(cat "$T/direct.cid" 2>/dev/null)
    check "... leaves nothing in /run/weft-oci" \
        eval '[ -n "$direct_id" ] && [ ! -e "/run/weft-oci/$direct_id" ]'
fi

if [ -z "$reference" ]; then
    section "checkpoint and restore (weft snapshots; CRIU is not used)"
    # ticks_once NAME: the container's log has "tick 0" .. "tick 39", each
    # once, in order (what an uninterrupted `tick 40` prints).
    ticks_once() { [ "$(log_of "$1" | grep '^tick ' | tr '\n' ' ')" = "$(seq 0 39 | sed 's/^/tick /' | tr '\n' ' ')" ]; }
    run 60 "${P[@]}" run -d --name wt-ckpt "$IMG" tick 40
    ckpt_id=$stdout
    check "a ticking container to checkpoint starts" poll 30 logs_have wt-ckpt "tick 2"
    run 60 "${P[@]}" container checkpoint --leave-running wt-ckpt
    check "podman container checkpoint --leave-running is refused" test "$status" -ne 0
    check "... weft-oci says why" has_text "--leave-running is not supported" "$stderr"
    check "... and the container runs on" test "$(inspect wt-ckpt '{{.State.Status}}')" = running
    run 60 "${P[@]}" container checkpoint wt-ckpt
    check "podman container checkpoint" test "$status" -eq 0
    check "... the container has exited" test "$(inspect wt-ckpt '{{.State.Status}}')" = exited
    check "... before it finished" eval '! logs_have wt-ckpt "tick 39"'
    run 60 "${P[@]}" container restore wt-ckpt
    check "podman container restore" test "$status" -eq 0
    run 60 "${P[@]}" wait wt-ckpt
    check "... the restored program runs to its end (exit code 0)" test "$stdout" = 0
    check "... every tick once, as an uninterrupted run" ticks_once wt-ckpt
    run 30 "${P[@]}" rm wt-ckpt
    check "... rm leaves no weft-oci state" test -z "$(state_of "$ckpt_id")"

    # Migration: checkpoint --export here, restore --import into another
    # podman (its own storage, and weft-oci under another --root).
    run 60 "${P[@]}" run -d --name wt-mig "$IMG" tick 40
    check "a ticking container to migrate starts" poll 30 logs_have wt-mig "tick 2"
    run 120 "${P[@]}" container checkpoint --export "$T/mig.tar" wt-mig
    check "podman container checkpoint --export" test "$status" -eq 0
    run 120 "${P[@]}" save -o "$T/img.tar" "$IMG"
    check "podman save of the image (for the other podman)" test "$status" -eq 0
    # (podman 4.3's import keeps the exported container's conmon pid file,
    # under the exporting podman's run root: the same path on two machines
    # with the default run root; here the exporter's container stays until
    # the import is done, so that directory exists.)
    P1=("${P[@]}")
    CONF1=$CONTAINERS_CONF
    mkdir -p "$T/state2"
    cat >"$T/bin/runtime2" <<EOF
#!/bin/sh
$san_env
echo "\$*" >>"$T/state2.calls"
exec "$RUNTIME_BIN" --root "$T/state2" "\$@"
EOF
    chmod 0755 "$T/bin/runtime2"
    podman_private "$T/podman2" "$T/bin/runtime2" || exit 2
    P2=("${P[@]}")
    run 120 "${P2[@]}" load -i "$T/img.tar"
    check "the other podman loads the image" test "$status" -eq 0
    run 120 "${P2[@]}" container restore --import "$T/mig.tar"
    check "podman container restore --import in the other podman" test "$status" -eq 0
    run 60 "${P2[@]}" wait wt-mig
    check "... the migrated program runs to its end (exit code 0)" test "$stdout" = 0
    P=("${P2[@]}")
    check "... every tick once (the log travels in the export)" ticks_once wt-mig
    check "... weft-oci ran it under the other --root" grep -q "^restore " "$T/state2.calls"
    podman_private_clean
    P=("${P1[@]}")
    export CONTAINERS_CONF=$CONF1
    check "... the other --root is left empty" test -z "$(ls -A "$T/state2")"
    run 30 "${P[@]}" rm -f wt-mig
    check "podman rm of the exported container" test "$status" -eq 0
fi

section "20 containers started concurrently"
pids=()
for i in $(seq 1 20); do
    timeout -k 5 120 "${P[@]}" run -d --name "wt-par-$i" "$IMG" hello "par-$i" \
        >"$T/par-$i.out" 2>"$T/par-$i.err" </dev/null &
    pids+=($!)
done
started=0
for i in $(seq 1 20); do
    wait "${pids[$((i - 1))]}" && started=$((started + 1))
done
status=$started stdout="" stderr=$(cat "$T"/par-*.err)
last_cmd="podman run -d (x20, in parallel)"
check "20 concurrent podman run -d: all started ($started)" test "$started" -eq 20
right=0
for i in $(seq 1 20); do
    code=$(timeout 60 "${P[@]}" wait "wt-par-$i" 2>/dev/null)
    out=$(log_of "wt-par-$i")
    if [ "$code" = 0 ] && has_line "argv[2]=par-$i" "$out" && has_line "hello from weft-hello" "$out" &&
        [ "$(grep -c '^argv' <<<"$out")" -eq 3 ]; then
        right=$((right + 1))
    else
        echo "  wt-par-$i: exit code '$code', output: $(tr '\n' '|' <<<"$out")"
    fi
done
status=$right
check "all 20 exited 0 with their own output ($right)" test "$right" -eq 20
run 120 "${P[@]}" rm -a -f -t 1
check "podman rm of all" test "$status" -eq 0
run 30 "${P[@]}" ps -a -q
check "no containers left in podman" test -z "$stdout"
stdout=$(ls -A "$STATE")
check "no state left under weft-oci's --root" test -z "$stdout"
# conmon and podman's cleanup processes may still be exiting
poll 30 eval '[ -z "$(procs_under "$T")" ]'
stdout=$(procs_under "$T")
check "no processes left (conmon, weft, cleanup)" test -z "$stdout"

done_testing
