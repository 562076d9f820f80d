#!/usr/bin/env bash
# bench/pfs.sh — protected files against plain files: SQLite's speedtest1
# (the wasm32-wasi build of tests/programs) with its database in a plain
# preopen (--dir) and in a protected one (--protected-dir), both compiled
# ahead of time (weft run --aot), interleaved round by round (the order
# alternates), median wall time of each mode and the ratio to plain.
# A third mode adds the anti-rollback version store (--version-store).
# Every run's output, timing column removed, must equal the plain run's.
#
# Benchmarks measure; they never assert timings. Exit status non-zero only
# when speedtest1 cannot be built, a run fails or outputs differ.
#
# usage: bench/pfs.sh        (or: make bench-pfs)
#   WEFT=build/weft  BENCH_ROUNDS=5  BENCH_PFS_SIZE=50 (speedtest1 --size)
#   BENCH_PFS_MODES="plain pfs pfs-store"  BENCH_OUT=build/bench-pfs
set -u
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
WEFT=${WEFT:-build/weft}
OUT=${BENCH_OUT:-build/bench-pfs}
ROUNDS=${BENCH_ROUNDS:-5}
SIZE=${BENCH_PFS_SIZE:-50}
MODES=${BENCH_PFS_MODES:-plain pfs pfs-store}
ST=build/programs/speedtest1.wasm

[ -x "$WEFT" ] || { echo "bench-pfs: $WEFT not built (make)"; exit 2; }
if [ ! -f "$ST" ]; then
    echo "bench-pfs: building speedtest1.wasm (tests/programs/fetch.sh, build.sh)"
    bash tests/programs/fetch.sh --quiet && bash tests/programs/build.sh >/dev/null ||
        { echo "bench-pfs: cannot build $ST"; exit 2; }
fi
mkdir -p "$OUT"
KEY=$OUT/key.hex
printf '%s\n' 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f >"$KEY"
CACHE=$OUT/aot-cache

run_mode() { # MODE: one speedtest1 run in a fresh directory, output in OUT/MODE.out
    local d=$OUT/$1 dirs
    rm -rf "$d" "$OUT/$1.vst" "$OUT/$1.vst".* && mkdir -p "$d"
    case $1 in
        plain) dirs=(--dir "$d::/data") ;;
        pfs) dirs=(--protected-dir "$d::/data" --key-file "$KEY") ;;
        pfs-store) dirs=(--protected-dir "$d::/data" --key-file "$KEY"
                         --version-store "$OUT/$1.vst") ;;
        *) echo "bench-pfs: unknown mode $1" >&2; return 2 ;;
    esac
    "$WEFT" run --aot --compile-timeout 0 --cache-dir "$CACHE" "${dirs[@]}" --env TMPDIR=/data \
        "$ST" -- --size "$SIZE" --verify /data/speedtest1.db >"$OUT/$1.out" 2>&1
}
TIMEFORMAT='%3R %3U %3S' # bash's `time`: wall, user, system seconds

echo "bench-pfs: compiling speedtest1.wasm once (AoT cache $CACHE)"
"$WEFT" run --aot --compile-timeout 0 --cache-dir "$CACHE" "$ST" -- --help >/dev/null 2>&1 </dev/null
status=0
: >"$OUT/times"
for ((r = 0; r < ROUNDS; r++)); do
    order=$MODES
    [ $((r % 2)) -eq 1 ] && order=$(tr ' ' '\n' <<<"$MODES" | tac | tr '\n' ' ')
    for m in $order; do
        { time run_mode "$m"; } 2>"$OUT/time.1"
        rc=$?
        if [ $rc -ne 0 ] || ! grep -q TOTAL "$OUT/$m.out"; then
            echo "bench-pfs: $m failed (exit $rc):"; tail -5 "$OUT/$m.out"; status=1
        fi
        # MODE WALL CPU(user+sys)
        awk -v m="$m" '{ printf "%s %s %.3f\n", m, $1, $2 + $3 }' "$OUT/time.1" >>"$OUT/times"
        sed -E 's/ +[0-9]+\.[0-9]{3}s$//' "$OUT/$m.out" >"$OUT/$m.cmp"
    done
    for m in $MODES; do
        [ "$m" = plain ] && continue
        cmp -s "$OUT/plain.cmp" "$OUT/$m.cmp" ||
            { echo "bench-pfs: $m output differs from plain"; status=1; }
    done
done

median() { # MODE COLUMN (2: wall, 3: CPU)
    awk -v m="$1" -v c="$2" '$1 == m { print $c }' "$OUT/times" | sort -n |
        awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2];
                                  else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
wall0=$(median plain 2) cpu0=$(median plain 3)
echo
echo "speedtest1 --size $SIZE, weft run --aot, $ROUNDS interleaved rounds (medians)"
printf '%-10s %8s %7s %8s %7s  %s\n' mode wall-s ratio cpu-s ratio "wall times"
for m in $MODES; do
    w=$(median "$m" 2) c=$(median "$m" 3)
    printf '%-10s %8s %7s %8s %7s  %s\n' "$m" "$w" "$(ratio "$w" "$wall0")" \
        "$c" "$(ratio "$c" "$cpu0")" \
        "$(awk -v m="$m" '$1 == m { printf "%s ", $2 }' "$OUT/times")"
done
echo "(cpu = user + system time of the weft process: less disturbed by other"
echo " load on the machine than wall time, but it leaves out waiting for fsync)"
echo "(pfs: AES-256-GCM nodes, Merkle tree, journalled commits; software root of trust)"
exit $status
