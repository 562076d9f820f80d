#!/usr/bin/env bash
# snapshot-bench.sh — what snapshots cost (docs/snapshot.md), in the
# interpreter, for SQLite speedtest1 (tests/snapshot/run.sh's fixed-clock
# build, database in a preopen) and bench/snapshot/fill1g.wat (a 1 GiB
# linear memory, every page written with non-zero data, then a loop):
#
#   overhead   a whole run without options, with --fuel (metering alone)
#              and with --snapshot-dir never triggered (which meters fuel
#              too): wall and CPU time (user + system), rounds interleaved,
#              medians
#   snapshot   SIGUSR1 in mid-run (fill1g: once its memory is written) to
#              the process's exit: wall time, CPU time (the process's CPU
#              at exit less its CPU when signalled), the file's size
#   restore    `weft restore` of a snapshot taken 1000 fuel before the end
#              (--snapshot-at-fuel), which then runs to the end: wall and
#              CPU time, peak RSS
#
# Prints a table. Measures only: nothing is asserted about times; the exit
# status is non-zero only when a run fails or a restored run ends other than
# the uninterrupted one (output, exit status, fuel).
#
# usage: scripts/snapshot-bench.sh [--rounds R] [--size S] [PROGRAM...]
#   PROGRAM       speedtest1 or fill1g (default both)
#   --rounds R    rounds of the overhead runs (default 5); medians
#   --snap-rounds R  rounds of the snapshot and restore measurements
#                 (default 3; each writes or reads the whole memory)
#   --size S      speedtest1 --size (default 2)
#   WEFT=...      the weft binary (default build/weft)
#   SNAPBENCH_OUT=...  work directory (default build/snapshot-bench; the
#                 1 GiB snapshot goes there)

set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

ROUNDS=5
SNAP_ROUNDS=3
SIZE=2
PROGS=()
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift ;;
        --snap-rounds) SNAP_ROUNDS=$2; shift ;;
        --size) SIZE=$2; shift ;;
        -h|--help) sed -n '2,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "snapshot-bench.sh: unknown option '$1'" >&2; exit 2 ;;
        *) PROGS+=("$1") ;;
    esac
    shift
done
[ ${#PROGS[@]} -gt 0 ] || PROGS=(speedtest1 fill1g)
case $ROUNDS in ''|*[!0-9]*|0) echo "snapshot-bench.sh: --rounds must be a positive integer" >&2; exit 2 ;; esac

WEFT=${WEFT:-build/weft}
[ -x "$WEFT" ] || { echo "snapshot-bench.sh: $WEFT not built (make)" >&2; exit 2; }
WEFT=$(cd "$(dirname "$WEFT")" && pwd)/$(basename "$WEFT")
OUT=${SNAPBENCH_OUT:-build/snapshot-bench}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
W=$OUT/work
rm -rf "$W"
mkdir -p "$W"
trap 'rm -rf "$W"' EXIT
status=0
BIG_FUEL=1000000000000000

# ---- the programs ---------------------------------------------------------------
ST_WASM=build/snapshot/speedtest1-fixed-clock.wasm
need_st=0
for p in "${PROGS[@]}"; do [ "$p" = speedtest1 ] && need_st=1; done
if [ $need_st = 1 ] && [ ! -f "$ST_WASM" ]; then
    # tests/snapshot/run.sh links it (from tests/programs/build.sh's objects)
    SNAP_POINTS=1 SNAP_CHAIN=0 bash tests/snapshot/run.sh speedtest1 >"$OUT/build.log" 2>&1
    [ -f "$ST_WASM" ] || { echo "snapshot-bench.sh: no $ST_WASM (see $OUT/build.log)" >&2; exit 2; }
fi
if ! wat2wasm bench/snapshot/fill1g.wat -o "$OUT/fill1g.wasm" 2>"$OUT/wat2wasm.log"; then
    echo "snapshot-bench.sh: wat2wasm failed (see $OUT/wat2wasm.log)" >&2
    exit 2
fi

# prog_setup NAME: sets DIRARGS (options) and MOD (the module and its
# arguments), and makes a fresh $W/data.
prog_setup() {
    rm -rf "$W/data"
    mkdir -p "$W/data"
    case $1 in
        speedtest1)
            DIRARGS=(--dir "$W/data::/data" --env TMPDIR=/data)
            MOD=("$ROOT/$ST_WASM" --size "$SIZE" --verify /data/speedtest1.db) ;;
        fill1g)
            DIRARGS=()
            MOD=("$OUT/fill1g.wasm") ;;
    esac
}

# ---- measuring --------------------------------------------------------------------
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "-"; exit }
    if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
now() { echo "$EPOCHREALTIME"; }
fuel_of() { sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$1"; }
# cpu_of PID: the process's user + system time so far, in seconds
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"; }

# timed FILE CMD...: runs CMD (stdout and stderr to $W/out, $W/err); appends
# "WALL CPU MAXRSS_KB" to FILE; returns CMD's status.
timed() {
    local f=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@" >"$W/out" 2>"$W/err"
    local rc=$?
    awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$W/time" >>"$f"
    return $rc
}

col() { awk -v c="$1" '{ print $c }' "$2" | median; }

declare -A RES
for p in "${PROGS[@]}"; do
    case $p in speedtest1|fill1g) ;; *) echo "snapshot-bench.sh: unknown program '$p'" >&2; exit 2 ;; esac
    echo "== $p"
    # overhead: rounds interleaved
    rm -f "$W/plain" "$W/fuel" "$W/snapdir"
    for ((r = 1; r <= ROUNDS; r++)); do
        prog_setup "$p"
        timed "$W/plain" "$WEFT" run "${DIRARGS[@]}" "${MOD[@]}" || { echo "  FAIL: plain run, status $?"; status=1; }
        prog_setup "$p"
        timed "$W/fuel" "$WEFT" run --fuel $BIG_FUEL "${DIRARGS[@]}" "${MOD[@]}" || { echo "  FAIL: --fuel run"; status=1; }
        prog_setup "$p"
        rm -rf "$W/sd"
        timed "$W/snapdir" "$WEFT" run --snapshot-dir "$W/sd" --account "$W/ref.json" "${DIRARGS[@]}" "${MOD[@]}" ||
            { echo "  FAIL: --snapshot-dir run"; status=1; }
        cp "$W/out" "$W/ref.out"
        echo "  round $r: plain $(tail -n 1 "$W/plain" | cut -d' ' -f1-2), fuel $(tail -n 1 "$W/fuel" | cut -d' ' -f1-2), snapshot-dir $(tail -n 1 "$W/snapdir" | cut -d' ' -f1-2) (wall, cpu s)"
    done
    total=$(fuel_of "$W/ref.json")
    for m in plain fuel snapdir; do
        RES[$p,$m,wall]=$(col 1 "$W/$m")
        RES[$p,$m,cpu]=$(col 2 "$W/$m")
    done

    # snapshot on SIGUSR1, mid-run
    rm -f "$W/snap"
    for ((r = 1; r <= SNAP_ROUNDS; r++)); do
        prog_setup "$p"
        rm -rf "$W/sd"
        /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$WEFT" run --snapshot-dir "$W/sd" \
            "${DIRARGS[@]}" "${MOD[@]}" >"$W/out" 2>"$W/err" &
        tpid=$!
        wpid=""
        for _ in $(seq 200); do
            wpid=$(pgrep -P "$tpid" | head -n 1)
            [ -n "$wpid" ] && break
            sleep 0.05
        done
        [ -n "$wpid" ] || { echo "  FAIL: weft did not start"; status=1; wait "$tpid"; continue; }
        case $p in
            fill1g)  # until its memory is written: resident >= 1 GiB
                while kill -0 "$wpid" 2>/dev/null &&
                    [ "$(awk '/^VmRSS/ { print $2 }' "/proc/$wpid/status" 2>/dev/null || echo 0)" -lt 1048576 ]; do
                    sleep 0.05
                done
                sleep 0.2 ;;
            speedtest1)  # a third of the way through a plain run
                sleep "$(awk -v t="${RES[$p,plain,wall]}" 'BEGIN { print t / 3 }')" ;;
        esac
        c0=$(cpu_of "$wpid" 2>/dev/null || echo 0)
        t0=$(now)
        kill -USR1 "$wpid"
        wait "$tpid"
        rc=$?
        t1=$(now)
        if [ $rc -ne 0 ] || [ ! -f "$W/sd/snapshot.weft" ]; then
            echo "  FAIL: no snapshot on SIGUSR1 (status $rc): $(tail -n 2 "$W/err")"; status=1; continue
        fi
        read -r _ u s rss <"$W/time"
        size=$(stat -c %s "$W/sd/snapshot.weft")
        awk -v a="$t0" -v b="$t1" -v c0="$c0" -v u="$u" -v s="$s" -v z="$size" -v m="$rss" \
            'BEGIN { printf "%.3f %.2f %d %d\n", b - a, u + s - c0, z, m }' >>"$W/snap"
        echo "  round $r: snapshot $(tail -n 1 "$W/snap") (wall s, cpu s, bytes, peak RSS KB)"
    done
    RES[$p,snap,wall]=$(col 1 "$W/snap")
    RES[$p,snap,cpu]=$(col 2 "$W/snap")
    RES[$p,snap,size]=$(col 3 "$W/snap")
    RES[$p,snap,rss]=$(col 4 "$W/snap")

    # restore of a snapshot taken 1000 fuel before the end
    prog_setup "$p"
    rm -rf "$W/sd"
    "$WEFT" run --snapshot-dir "$W/sd" --snapshot-at-fuel $((total - 1000)) "${DIRARGS[@]}" "${MOD[@]}" \
        >"$W/late.out" 2>"$W/late.err"
    rm -f "$W/restore"
    if [ ! -f "$W/sd/snapshot.weft" ]; then
        echo "  FAIL: no snapshot at fuel $((total - 1000)): $(tail -n 2 "$W/late.err")"; status=1
    else
        cp -a "$W/data" "$W/data.saved"   # restore checks files' sizes and times
        for ((r = 1; r <= SNAP_ROUNDS; r++)); do
            rm -rf "$W/data"
            cp -a "$W/data.saved" "$W/data"
            timed "$W/restore" "$WEFT" restore --account "$W/got.json" "$W/sd/snapshot.weft" ||
                { echo "  FAIL: restore, status $?: $(tail -n 2 "$W/err")"; status=1; continue; }
            cat "$W/late.out" "$W/out" >"$W/got.out"
            if ! cmp -s "$W/got.out" "$W/ref.out" || [ "$(fuel_of "$W/got.json")" != "$total" ]; then
                echo "  FAIL: the restored run ends differently (fuel $(fuel_of "$W/got.json"), reference $total)"
                status=1
            fi
            echo "  round $r: restore $(tail -n 1 "$W/restore") (wall s, cpu s, peak RSS KB)"
        done
        rm -rf "$W/data.saved"
    fi
    RES[$p,restore,wall]=$(col 1 "$W/restore")
    RES[$p,restore,cpu]=$(col 2 "$W/restore")
    RES[$p,restore,rss]=$(col 3 "$W/restore")
    RES[$p,fuel]=$total
    rm -rf "$W/sd"
done

echo
echo "snapshot costs, interpreter (medians of $ROUNDS rounds, snapshot and restore $SNAP_ROUNDS; wall and CPU seconds)"
printf '%-11s %12s  %-15s %-15s %-15s  %-15s %12s %9s  %-15s %9s\n' program fuel "plain" "--fuel" "--snapshot-dir" \
    "snapshot" "bytes" "RSS MB" "restore" "RSS MB"
printf '%-11s %12s  %-15s %-15s %-15s  %-15s %12s %9s  %-15s %9s\n' "" "" "wall / cpu" "wall / cpu" "wall / cpu" \
    "wall / cpu" "" "" "wall / cpu" ""
for p in "${PROGS[@]}"; do
    printf '%-11s %12s  %-15s %-15s %-15s  %-15s %12s %9s  %-15s %9s\n' "$p" "${RES[$p,fuel]:-}" \
        "${RES[$p,plain,wall]} / ${RES[$p,plain,cpu]}" "${RES[$p,fuel,wall]} / ${RES[$p,fuel,cpu]}" \
        "${RES[$p,snapdir,wall]} / ${RES[$p,snapdir,cpu]}" "${RES[$p,snap,wall]} / ${RES[$p,snap,cpu]}" \
        "${RES[$p,snap,size]}" "$(awk -v k="${RES[$p,snap,rss]}" 'BEGIN { printf "%d", k / 1024 }')" \
        "${RES[$p,restore,wall]} / ${RES[$p,restore,cpu]}" \
        "$(awk -v k="${RES[$p,restore,rss]}" 'BEGIN { printf "%d", k / 1024 }')"
done
echo "(snapshot: SIGUSR1 to exit; restore: of a snapshot 1000 fuel before the end, to exit;"
echo " RSS: the process's peak; machine load: $(cut -d' ' -f1-3 /proc/loadavg))"
exit $status
