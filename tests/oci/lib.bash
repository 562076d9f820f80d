# lib.bash — sourced by tests/oci/podman.sh and tests/oci/containerd.sh (not
# a test itself): counting, running a command with its output captured,
# bounded polling, and a temporary directory that is unmounted and removed
# on exit. The closing line is "N passed, N failed" (plus "skipped: N" when
# something was skipped), which scripts/test.sh adds up.

set -u
export LC_ALL=C

OCI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$OCI_ROOT" || exit 2

t_pass=0
t_fail=0
t_skip=0
status=0
stdout=""
stderr=""
last_cmd=""
P=()

# The weft-oci binary under test (absolute: podman and containerd run it
# from elsewhere). WEFT_OCI overrides; the default is the build's.
WEFT_OCI=${WEFT_OCI:-build/weft-oci}
case $WEFT_OCI in /*) ;; *) WEFT_OCI=$OCI_ROOT/$WEFT_OCI ;; esac

ok() {
    t_pass=$((t_pass + 1))
    echo "ok: $1"
}

not_ok() {
    t_fail=$((t_fail + 1))
    echo "FAIL: $1"
    [ -n "$last_cmd" ] && echo "  command: $last_cmd"
    echo "  status:  $status"
    [ -n "$stdout" ] && printf '%s\n' "$stdout" | head -15 | sed 's/^/  stdout: /'
    [ -n "$stderr" ] && printf '%s\n' "$stderr" | head -15 | sed 's/^/  stderr: /'
    return 0
}

# check WHAT CONDITION...: ok when the command CONDITION succeeds.
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# oci_args "$@": the scripts take no arguments but -h/--help, which prints
# the script's header comment.
oci_args() {
    case ${1:-} in
        "") return 0 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "$(basename "$0"): unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
}

# skip_all REASON: nothing can run here; one skipped test, closing lines.
skip_all() {
    echo "SKIP: $1"
    echo "skipped: 1"
    echo "0 passed, 0 failed"
    exit 0
}

done_testing() {
    section "done"
    [ "$t_skip" -gt 0 ] && echo "skipped: $t_skip"
    echo "$t_pass passed, $t_fail failed"
    [ "$t_fail" -eq 0 ]
}

# run TIMEOUT CMD...: runs CMD with stdin from /dev/null under a watchdog
# of TIMEOUT seconds (only against a hang: timeout(1) then kills it and the
# status is 124 or 137); sets $status, $stdout, $stderr (with carriage
# returns removed, for terminal output).
run() {
    local secs=$1
    shift
    last_cmd="$*"
    timeout -k 5 "$secs" "$@" >"$OCI_TMP/out" 2>"$OCI_TMP/err" </dev/null
    status=$?
    stdout=$(tr -d '\r' <"$OCI_TMP/out")
    stderr=$(tr -d '\r' <"$OCI_TMP/err")
}

# run_in TIMEOUT INPUT CMD...: run with INPUT (a string) on stdin.
run_in() {
    local secs=$1 input=$2
    shift 2
    last_cmd="$*"
    printf '%s' "$input" | timeout -k 5 "$secs" "$@" >"$OCI_TMP/out" 2>"$OCI_TMP/err"
    status=${PIPESTATUS[1]}
    stdout=$(tr -d '\r' <"$OCI_TMP/out")
    stderr=$(tr -d '\r' <"$OCI_TMP/err")
}

# poll SECONDS CMD...: runs CMD (quietly) every 0.1 s until it succeeds or
# SECONDS have passed; the status of the last try. A bound on waiting, not
# a timing assertion: it only turns a hang into a failure.
poll() {
    local end=$((SECONDS + $1))
    shift
    while :; do
        "$@" >/dev/null 2>&1 && return 0
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.1
    done
}

# section TITLE: a heading in the output, with the seconds so far (read,
# never asserted: it shows what the run spends its time on).
section() { echo "-- $* [${SECONDS}s]"; }

has_line() { grep -qxF -- "$1" <<<"$2"; }
has_text() { grep -qF -- "$1" <<<"$2"; }

# procs_under DIR: the processes (pid: command line) whose command line
# names DIR, other than this script and its children that are reading it.
procs_under() {
    local p cmd
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] && continue
        cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
        case $cmd in *"$1"*) echo "$p: $cmd" ;; esac
    done
}

# oci_tmp_setup PREFIX: OCI_TMP, a fresh directory under /tmp (short paths:
# conmon's and containerd's unix sockets have a 108-byte limit).
oci_tmp_setup() {
    OCI_TMP=$(mktemp -d "/tmp/$1.XXXXXX") || exit 2
    chmod 0755 "$OCI_TMP"
}

# oci_tmp_remove: unmounts what is still mounted below OCI_TMP (deepest
# first, lazily) and removes it without crossing into other filesystems.
oci_tmp_remove() {
    [ -n "${OCI_TMP:-}" ] && [ -d "$OCI_TMP" ] || return 0
    local m
    cd / || return 0
    for m in $(awk -v d="$OCI_TMP/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null
    done
    if awk -v d="$OCI_TMP/" 'index($5, d) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
        echo "warning: mounts remain below $OCI_TMP; not removed" >&2
        return 0
    fi
    rm -rf --one-file-system "$OCI_TMP"
}

# podman_private DIR RUNTIME: a podman of the test's own, all of its state
# under DIR: storage, run root, libpod's tmp dir, volumes, network
# configuration, events log; a containers.conf of its own (CONTAINERS_CONF)
# whose default runtime "weft" is the command RUNTIME. Containers get no
# network (netns "none"), so nothing is added to the host's networking,
# and ulimits of 1024 files and processes: podman's defaults exceed this
# VM's hard limits (nofile 20000) and every runtime would fail setrlimit.
# Sets P, the podman command with its global options.
podman_private() {
    local d=$1 runtime=$2
    mkdir -p "$d/libpod-tmp" "$d/networks" || return 1
    cat >"$d/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events.log"
tmp_dir = "$d/libpod-tmp"
volume_path = "$d/volumes"
runtime = "weft"

[engine.runtimes]
weft = ["$runtime"]

[network]
network_config_dir = "$d/networks"
EOF
    export CONTAINERS_CONF=$d/containers.conf
    P=(podman --root "$d/storage" --runroot "$d/runroot" --storage-driver overlay
        --cgroup-manager=cgroupfs --events-backend=file)
}

# podman_private_clean: removes every container and image of that podman.
podman_private_clean() {
    [ -n "${CONTAINERS_CONF:-}" ] && [ ${#P[@]} -gt 0 ] || return 0
    "${P[@]}" rm -a -f -t 0 >/dev/null 2>&1
    "${P[@]}" rmi -a -f >/dev/null 2>&1
}
