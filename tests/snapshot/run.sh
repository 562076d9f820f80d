#!/usr/bin/env bash
# run.sh — snapshots and restores of real programs (docs/snapshot.md):
# a program stopped anywhere and restored must end as if never stopped.
#
# Programs: every bench kernel (bench/kernels/*.c, built by bench/run.sh
# --build-only; small n), one case of every WASI test program
# (tests/wasi/*.c, escape/*.c: its "//! case" line's arguments, setup and
# preopen directories), SQLite speedtest1 (its database in a preopen;
# linked with tests/snapshot/fixed_clock.c, see there) and Lua 5.4 running
# tests/programs/lua/$SNAP_LUA from a preopen. For each program:
#   - a reference run, uninterrupted but with --snapshot-dir (the same
#     metering) and --account: stdout, stderr, exit status, fuel_used and
#     the preopen directories' final contents (names, types, sizes, file
#     digests). It runs twice: a program whose two runs differ fails, with
#     the difference (weft's runs are reproducible, fuel included: the
#     kernel's EAGAIN to openat2 once made `dirs` vary), never compared;
#     a program listed in FUEL_VARIES (clocks_misc: random bytes steer it)
#     has everything but its fuel compared, and one skip for the fuel;
#   - POINTS fuel points in (0, fuel_used), pseudo-random from a seed made
#     of the program's name (and SNAP_SEED; printed): for each, `weft run
#     --snapshot-dir D --snapshot-at-fuel N`, then `weft restore --account
#     A D/snapshot.weft` against the same directories, its output appended:
#     stdout, stderr (less the "stopped; snapshot saved" line), exit status,
#     fuel_used and the directories must equal the reference's (one test);
#   - one chain: snapshot at N1, restore snapshotting at N2 > N1, restore
#     snapshotting at N3 > N2, restore to the end; the same (one test).
# Every run starts from fresh directories (the case's setup run again).
# Stdin is an empty pipe, stdout and stderr are pipes (as in
# tests/wasi/run.sh). Closing line "N passed, N failed", after "skipped: N".
# Without an input (clang-19 for the kernels and WASI programs, the fetched
# sources for speedtest1 and Lua) those programs are skipped, counted; under
# CI=true each is a failure.
#
# usage: tests/snapshot/run.sh [--asan] [--keep] [PROGRAM...]
#   PROGRAM      a name as printed (gemm, files, speedtest1, lua, ...)
#   --asan       use build-asan/weft (default for WEFT)
#   --keep       keep the work directory ($OUT/run)
#   WEFT=...     the weft binary (default build/weft)
#   SNAP_OUT=... build and work directory (default build/snapshot)
#   SNAP_POINTS=N  points per program (default 20)
#   SNAP_SEED=S  mixed into every program's seed (default 0)
#   SNAP_LUA=F   the Lua script (default coroutines.lua)
#   SNAP_CHAIN=0 no chains
#   SNAP_JOBS=N  programs run at once (default the CPUs, at most 2)
#   WEFT_SAVE=CMD, WEFT_RESTORE=CMD  the weft that takes the snapshots and
#                the one that restores them (default WEFT; scripts/
#                test_cross.sh gives a cross-built weft under qemu-user);
#                the reference runs are WEFT's

set -u
export LC_ALL=C.UTF-8

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2

asan=0
keep=0
only=()
for arg in "$@"; do
    case $arg in
        --asan) asan=1 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,47p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run.sh: unknown option '$arg'" >&2; exit 2 ;;
        *) only+=("$arg") ;;
    esac
done

if [ "$asan" = 1 ]; then
    WEFT=${WEFT:-build-asan/weft}
    OUT=${SNAP_OUT:-build-asan/snapshot}
    export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_stack_use_after_return=0:detect_leaks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
    WEFT=${WEFT:-build/weft}
    OUT=${SNAP_OUT:-build/snapshot}
fi
POINTS=${SNAP_POINTS:-20}
CHAIN=${SNAP_CHAIN:-1}
SEED=${SNAP_SEED:-0}
LUA_SCRIPT=${SNAP_LUA:-coroutines.lua}
TIMEOUT=${SNAP_TIMEOUT:-300}
CLANG=${CLANG:-clang-19}
SYSROOT=${WASI_SYSROOT:-/usr}

pass=0
fail=0
skip=0

[ -x "$WEFT" ] || { echo "FAIL: $WEFT not built (make)"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$OUT/log"
OUT=$(cd "$OUT" && pwd)
WEFT=$(cd "$(dirname "$WEFT")" && pwd)/$(basename "$WEFT")
read -r -a SAVE <<<"${WEFT_SAVE:-$WEFT}"
read -r -a RESTORE <<<"${WEFT_RESTORE:-$WEFT}"
[ "${WEFT_SAVE:-$WEFT}" = "$WEFT" ] || echo "snapshots taken by: ${SAVE[*]}"
[ "${WEFT_RESTORE:-$WEFT}" = "$WEFT" ] || echo "snapshots restored by: ${RESTORE[*]}"
RUN=$OUT/run
rm -rf "$RUN"
mkdir -p "$RUN"
cleanup() { [ "$keep" = 1 ] || rm -rf "$RUN"; }
trap cleanup EXIT

# missing NAME WHY: an input is missing (skipped; a failure under CI).
missing() {
    if [ -n "${CI:-}" ]; then
        echo "FAIL $1: $2 (CI must have every input)"
        fail=$((fail + 1))
    else
        echo "SKIP $1: $2"
        skip=$((skip + 1))
    fi
}

selected() {
    local o
    [ ${#only[@]} -eq 0 ] && return 0
    for o in "${only[@]}"; do [ "$o" = "$1" ] && return 0; done
    return 1
}

# ---- pseudo-random points -------------------------------------------------------
# A 64-bit LCG (Knuth's MMIX constants) in bash arithmetic, which wraps.
rng_state=0
rng_seed() { # NAME: seed from the name's CRC and SNAP_SEED
    local c
    c=$(printf '%s' "$1" | cksum | cut -d' ' -f1)
    rng_state=$(( (c << 20) ^ SEED ^ 0x5eed ))
    RNG_SEED=$c
}
rng_next() { # sets R to a 62-bit non-negative number
    local hi lo
    rng_state=$(( rng_state * 6364136223846793005 + 1442695040888963407 ))
    hi=$(( (rng_state >> 33) & 0x7fffffff ))
    rng_state=$(( rng_state * 6364136223846793005 + 1442695040888963407 ))
    lo=$(( (rng_state >> 33) & 0x7fffffff ))
    R=$(( (hi << 31) | lo ))
}
# points TOTAL COUNT: COUNT distinct sorted numbers in (0, TOTAL): three
# quarters uniform, a quarter log-uniform (the program's first steps).
points() {
    local total=$1 count=$2 i bits
    local -A seen=()
    local n=0 guard=0
    PTS=()
    while [ "$n" -lt "$count" ] && [ "$guard" -lt $((count * 20)) ]; do
        guard=$((guard + 1))
        rng_next
        if [ $((guard % 4)) = 0 ]; then
            bits=$(( R % ${#total} * 10 / 3 + 1 ))   # ~log2 of the scale
            rng_next
            i=$(( R % (1 << bits) + 1 ))
            [ "$i" -lt "$total" ] || i=$(( total / 2 ))
        else
            i=$(( R % (total - 1) + 1 ))
        fi
        [ -n "${seen[$i]:-}" ] && continue
        seen[$i]=1
        PTS+=("$i")
        n=$((n + 1))
    done
    mapfile -t PTS < <(printf '%s\n' "${PTS[@]}" | sort -n)
}

# ---- programs -------------------------------------------------------------------
# A program: NAME, its setup function ("" for none), whether its runs walk
# paths without openat2, whether its stdio are pipes, and the arguments of `weft run` (with @PRE@, @RO@,
# @TMP@, @HOST@ as in tests/wasi/run.sh, @DATA@ = @PRE@). Kept in arrays.
P_NAME=()
P_SETUP=()
P_WALK=()
P_ARGS=()   # one string, eval'd after substitution
P_PIPES=()  # 1: stdin, stdout and stderr are pipes, as in tests/wasi/run.sh
add_program() { # NAME SETUP WALK ARGSTRING PIPES
    P_NAME+=("$1"); P_SETUP+=("$2"); P_WALK+=("$3"); P_ARGS+=("$4"); P_PIPES+=("$5")
}

# Bench kernels: `--invoke run KERNEL N`, n smaller than bench/run.sh's
# quick n (the interpreter runs each in about 0.1 s).
declare -A KERNEL_N=(
    [gemm]=80 [lu]=100 [floyd]=70 [nussinov]=100 [jacobi2d]=8 [crc32]=4
    [sha256]=40 [mandelbrot]=50 [nbody]=60 [heapsort]=6000 [primes]=10000
    [simd_matmul]=1 [simd_bytes]=5 [cmark]=150
)
BW=$OUT/bench
have_kernels=1
if ! command -v "$CLANG" >/dev/null 2>&1; then
    have_kernels=0
elif ! BENCH_OUT=$BW BENCH_CLANG=$CLANG bash bench/run.sh --build-only \
        $(basename -s .c bench/kernels/*.c) >"$OUT/log/bench-build.log" 2>&1; then
    echo "FAIL: bench kernels do not build (see $OUT/log/bench-build.log)"
    tail -n 5 "$OUT/log/bench-build.log" | sed 's/^/    /'
    fail=$((fail + 1))
    have_kernels=2
fi
for src in bench/kernels/*.c; do
    k=$(basename "$src" .c)
    selected "$k" || continue
    n=${KERNEL_N[$k]:-}
    if [ -z "$n" ]; then
        echo "FAIL $k: no n for this kernel in tests/snapshot/run.sh's KERNEL_N"
        fail=$((fail + 1)); continue
    fi
    case $have_kernels in
        0) missing "$k" "$CLANG not found (scripts/setup.sh)"; continue ;;
        2) continue ;;
    esac
    add_program "$k" "" 0 "--invoke run $BW/wasm/$k.wasm $n" 0
done

# WASI programs: the case below for each program (its "//! case" line);
# the cases not run, and why.
WASI_OUT=$OUT/wasi
WASM_CFLAGS=(--target=wasm32-wasi --sysroot="$SYSROOT" -O2 -g0 -Wall -Wextra -Itests/wasi)
declare -A WASI_CASE=(
    [args_env]=args_env [badinput]=badinput [clocks_misc]=clocks_misc
    [dirs]=dirs [exit_codes]=exit_libc_42 [files]=files [links]=links
    [pathwork]=pathwork_walk [poll]=poll [preopens]=preopens [rights]=rights
    [stdio]=stdio_empty_stdin [times]=times [escape]=escape [slash]=slash
)
# Programs whose fuel depends on something outside the run: their fuel is
# not compared (one skip, printed with the reason); output, exit status and
# files still are.
declare -A FUEL_VARIES=(
    [clocks_misc]="random_get's bytes decide how far memcmp runs (it compares two random buffers)"
)
declare -A WASI_EXCLUDED=(
    [race]="races a background process swapping directories: its work differs from run to run by design"
    [slash_race]="races a background process swapping directories: its work differs from run to run by design"
    [unknown_import]="never starts (an import is missing): nothing to snapshot"
)
have_wasi=1
if ! command -v "$CLANG" >/dev/null 2>&1; then
    have_wasi=0; wasi_why="$CLANG not found"
elif [ ! -f "$SYSROOT/lib/wasm32-wasi/libc.a" ]; then
    have_wasi=0; wasi_why="wasi-libc not found under $SYSROOT"
fi
mkdir -p "$WASI_OUT"
for src in tests/wasi/*.c tests/wasi/escape/*.c; do
    case $src in *.host.c) continue ;; esac
    prog=$(basename "$src" .c)
    selected "$prog" || continue
    if [ -n "${WASI_EXCLUDED[$prog]:-}" ]; then
        echo "SKIP $prog: excluded: ${WASI_EXCLUDED[$prog]}"
        skip=$((skip + 1)); continue
    fi
    case_name=${WASI_CASE[$prog]:-}
    if [ -z "$case_name" ]; then
        echo "FAIL $prog: no case chosen for it in tests/snapshot/run.sh (WASI_CASE or WASI_EXCLUDED)"
        fail=$((fail + 1)); continue
    fi
    if [ "$have_wasi" = 0 ]; then
        missing "$prog" "$wasi_why"; continue
    fi
    line=$(grep -E "^//! case $case_name " "$src" | head -n 1)
    if [ -z "$line" ]; then
        echo "FAIL $prog: no case '$case_name' in $src"; fail=$((fail + 1)); continue
    fi
    if [ ! -f "$WASI_OUT/$prog.wasm" ] || [ "$src" -nt "$WASI_OUT/$prog.wasm" ] ||
        [ tests/wasi/wt.h -nt "$WASI_OUT/$prog.wasm" ]; then
        if ! "$CLANG" "${WASM_CFLAGS[@]}" -o "$WASI_OUT/$prog.wasm" "$src" >"$OUT/log/$prog.build" 2>&1; then
            echo "FAIL $prog: does not build (see $OUT/log/$prog.build)"
            rm -f "$WASI_OUT/$prog.wasm"; fail=$((fail + 1)); continue
        fi
    fi
    setup="" walk=0
    opts=${line#//! case $case_name }
    opts=${opts%% -- *}
    for tok in $opts; do
        case $tok in
            setup=*) setup=${tok#setup=} ;;
            walk) walk=1 ;;
            stdin=empty_stdin|check=*) ;;
            stdin=*|bg=*) echo "FAIL $prog: case $case_name needs $tok, which this tier does not give"
                          fail=$((fail + 1)); continue 2 ;;
        esac
    done
    argstr=${line#* -- }
    add_program "$prog" "$setup" "$walk" "${argstr//@WASM@/$WASI_OUT/$prog.wasm}" 1
done

# speedtest1 and Lua, from tests/programs/build.sh's build.
PROG_OUT=build/programs
SQ=$PROG_OUT/sqlite
SQLITE_SRC=$(ls -d build/src/sqlite3-*/ 2>/dev/null | head -n 1)
ST_WASM=$OUT/speedtest1-fixed-clock.wasm
if selected speedtest1; then
    if [ ! -f "$SQ/sqlite3.wasm.o" ] || [ -z "$SQLITE_SRC" ]; then
        missing speedtest1 "$SQ/sqlite3.wasm.o or SQLite's sources missing (tests/programs/fetch.sh, build.sh)"
    else
        SH=tests/programs/shims
        if [ ! -f "$ST_WASM" ] || [ "$SQ/sqlite3.wasm.o" -nt "$ST_WASM" ] || [ "$HERE/fixed_clock.c" -nt "$ST_WASM" ] ||
            [ "$SH/wasi_posix.c" -nt "$ST_WASM" ]; then
            # speedtest1 as tests/programs/build.sh links it, with the clock
            # of fixed_clock.c
            if ! "$CLANG" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -I"$SQ" -DSQLITE_THREADSAFE=0 \
                -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_MAX_MMAP_SIZE=0 -mbulk-memory \
                -include "$SH/wasi_posix.h" -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID \
                -o "$ST_WASM" "$SQLITE_SRC/test/speedtest1.c" "$SQ/sqlite3.wasm.o" \
                "$SH/wasi_posix.c" "$SH/wasi_string.c" "$HERE/fixed_clock.c" \
                -lwasi-emulated-mman -lwasi-emulated-getpid \
                -Wl,--wrap=gettimeofday -Wl,--wrap=time >"$OUT/log/speedtest1.build" 2>&1; then
                echo "FAIL speedtest1: does not link (see $OUT/log/speedtest1.build)"
                rm -f "$ST_WASM"; fail=$((fail + 1))
            fi
        fi
        [ -f "$ST_WASM" ] && add_program speedtest1 "" 0 \
            "--dir @PRE@::/data --env TMPDIR=/data $ST_WASM --size 1 --verify /data/speedtest1.db" 0
    fi
fi
setup_lua() { cp "tests/programs/lua/$LUA_SCRIPT" "$PRE/"; }
if selected lua; then
    if [ ! -f "$PROG_OUT/lua.wasm" ]; then
        missing lua "$PROG_OUT/lua.wasm not built (tests/programs/build.sh)"
    elif [ ! -f "tests/programs/lua/$LUA_SCRIPT" ]; then
        echo "FAIL lua: no tests/programs/lua/$LUA_SCRIPT"; fail=$((fail + 1))
    else
        add_program lua setup_lua 0 "--dir @PRE@::/data $ROOT/$PROG_OUT/lua.wasm /data/$LUA_SCRIPT /data" 0
    fi
fi

# The case helpers (setup_escape, ...) of tests/wasi/run.sh.
# shellcheck source=tests/wasi/cases.sh
. "$ROOT/tests/wasi/cases.sh"

# ---- running ---------------------------------------------------------------------
# fresh PROGRAM-INDEX: the program's directories (@TMP@ holding @PRE@ and
# @RO@) as its setup left them, at the same paths for every run: the setup
# runs once, its result is kept in a tar file and unpacked for each run.
fresh() {
    local i=$1
    rm -rf "$TMP" "$W/sd" "$W/sd1" "$W/sd2" "$W/sd3" "$W/got.json"
    : >"$W/got.out"
    : >"$W/got.err"
    if [ -f "$W/fresh.tar" ]; then
        tar -C "$W" -xf "$W/fresh.tar" && return 0
        echo "cannot unpack $W/fresh.tar"
        return 1
    fi
    mkdir -p "$PRE" "$RO"
    if [ -n "${P_SETUP[$i]}" ] && ! "${P_SETUP[$i]}" >"$W/setup.log" 2>&1; then
        echo "setup ${P_SETUP[$i]} failed: $(head -c 300 "$W/setup.log")"
        return 1
    fi
    tar -C "$W" -cf "$W/fresh.tar" tmp || { echo "cannot pack $TMP"; return 1; }
    # every run, the first too, starts from the unpacked copy (inode
    # numbers and directory order may show in the program's work)
    fresh "$i"
}

# state DIR...: the directories' contents (names, types, sizes, link
# targets, file digests; not times), one line each.
state() {
    { find "$@" -mindepth 1 \( -type f -printf '%H %P f %s\n' \) -o \( -type l -printf '%H %P l %l\n' \) \
          -o \( -type d -printf '%H %P d\n' \) -o -printf '%H %P %y\n'
      find "$@" -type f -exec md5sum {} +; } | sort
}

# wrun OUT ERR RC CMD...: CMD with stdout and stderr appended to OUT and
# ERR, stdin an empty pipe (stdin /dev/null and files for the output when
# PIPES is 0: fewer processes); its status in RC.
wrun() {
    local out=$1 err=$2 rcf=$3
    shift 3
    if [ "$PIPES" = 1 ]; then
        { { : | "${WALK_ENV[@]}" timeout "$TIMEOUT" "$@"; echo "${PIPESTATUS[1]}" >"$rcf"; } \
            2>&1 1>&3 3>&- | cat >>"$err"; } 3>&1 | cat >>"$out"
    else
        "${WALK_ENV[@]}" timeout "$TIMEOUT" "$@" </dev/null >>"$out" 2>>"$err"
        echo $? >"$rcf"
    fi
}

fuel_of() { # ACCOUNT.json: its fuel_used
    local line
    [ -f "$1" ] || return 0
    while IFS= read -r line; do
        [[ $line =~ \"fuel_used\":\ ([0-9]+) ]] && { echo "${BASH_REMATCH[1]}"; return 0; }
    done <"$1"
}

# reference I TAG: an uninterrupted run into $W/TAG.{out,err,rc,fuel,state}
reference() {
    local i=$1 tag=$2
    fresh "$i" || return 1
    rm -rf "$W/sd" "$W/$tag.out" "$W/$tag.err" "$W/ref.json"
    wrun "$W/$tag.out" "$W/$tag.err" "$W/$tag.rc" "$WEFT" run --snapshot-dir "$W/sd" \
        --account "$W/ref.json" "${ARGS[@]}"
    fuel_of "$W/ref.json" >"$W/$tag.fuel"
    state "$PRE" "$RO" >"$W/$tag.state"
    [ ! -e "$W/sd/snapshot.weft" ] || { echo "a snapshot was saved though none was asked for"; return 1; }
}

# compare WHAT: the run in $W/got.* against $W/ref.*; prints the problems.
compare() {
    local problems=() f sums
    state "$PRE" "$RO" >"$W/got.state"
    # one process for the three comparisons; diff only when they differ
    sums=$(cd "$W" && md5sum ref.out got.out ref.err got.err ref.state got.state | cut -c1-32 | tr '\n' ' ')
    read -r -a sums <<<"$sums"
    [ "${sums[0]}" = "${sums[1]}" ] || problems+=("stdout differs: $(diff "$W/ref.out" "$W/got.out" | head -n 4 | tr '\n' '|')")
    [ "${sums[2]}" = "${sums[3]}" ] || problems+=("stderr differs: $(diff "$W/ref.err" "$W/got.err" | head -n 4 | tr '\n' '|')")
    [ "${sums[4]}" = "${sums[5]}" ] ||
        problems+=("directories differ: $(diff "$W/ref.state" "$W/got.state" | head -n 4 | tr '\n' '|')")
    [ "$(<"$W/got.rc")" = "$REF_RC" ] || problems+=("exit status $(<"$W/got.rc"), reference $REF_RC")
    f=$(fuel_of "$W/got.json")
    [ -n "$f" ] || problems+=("no fuel_used in the restore's --account")
    [ -n "$FUEL_NOTE" ] || [ "$f" = "$REF_FUEL" ] || problems+=("fuel_used '$f', reference $REF_FUEL")
    if [ "$asan" = 1 ] && grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$W/got.err"; then
        problems+=("sanitizer report")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        echo "PASS $1${FUEL_NOTE:+ (fuel not compared)}"
        pass=$((pass + 1))
    else
        echo "FAIL $1"
        printf '    %s\n' "${problems[@]}"
        fail=$((fail + 1))
        if [ "$keep" = 1 ]; then
            cp -a "$W" "$W.fail.$fail" 2>/dev/null
            echo "    (kept in $W.fail.$fail)"
        fi
    fi
}

# stop_at FUEL D CMD...: runs CMD (weft run/restore ... --snapshot-dir D
# --snapshot-at-fuel FUEL ${TAIL[@]}), appending to got.*; fails, saying
# why, unless it stopped with status 0, a snapshot and the line saying so
# (dropped from got.err: the uninterrupted run has no such line).
stop_at() {
    local n=$1 d=$2 rc
    shift 2
    : >"$W/step.err"
    wrun "$W/got.out" "$W/step.err" "$W/step.rc" "$@" --snapshot-dir "$d" --snapshot-at-fuel "$n" "${TAIL[@]}"
    rc=$(<"$W/step.rc")
    if ! awk -v want="stopped; snapshot saved to $d/snapshot.weft" '
        !done && index($0, "weft: ") == 1 && substr($0, length($0) - length(want) + 1) == want { done = 1; next }
        { print }
        END { exit done ? 0 : 1 }' "$W/step.err" >>"$W/got.err"; then
        echo "no snapshot at fuel $n: exit status $rc, no 'stopped; snapshot saved to $d/snapshot.weft' line (stderr: $(tail -n 2 "$W/step.err" | tr '\n' '|'))"
        return 1
    fi
    [ -f "$d/snapshot.weft" ] || { echo "snapshot at fuel $n: no $d/snapshot.weft"; return 1; }
    [ "$rc" = 0 ] || { echo "snapshot at fuel $n: exit status $rc"; return 1; }
}

restore_end() { # D: restore to the end, appending to got.*
    wrun "$W/got.out" "$W/got.err" "$W/got.rc" "${RESTORE[@]}" restore --account "$W/got.json" "$1/snapshot.weft"
}

# program I: every test of program I; its output and a "PASS FAIL SKIP"
# line go to $RUN/I.log and $RUN/I.counts (programs run JOBS at a time).
program() {
    local i=$1
    pass=0 fail=0 skip=0
    name=${P_NAME[$i]}
    W=$RUN/$name
    mkdir -p "$W"
    TMP=$W/tmp PRE=$W/tmp/pre RO=$W/tmp/ro CASE_DIR=$W CASE_OUT=$W/ref.out CASE_ERR=$W/ref.err
    PIPES=${P_PIPES[$i]}
    WALK_ENV=()
    [ "${P_WALK[$i]}" = 1 ] && WALK_ENV=(env WEFT_WASI_NO_OPENAT2=1)
    argstr=${P_ARGS[$i]}
    argstr=${argstr//@PRE@/$(printf '%q' "$PRE")}
    argstr=${argstr//@RO@/$(printf '%q' "$RO")}
    argstr=${argstr//@TMP@/$(printf '%q' "$TMP")}
    argstr=${argstr//@HOST@/$(printf '%q' "$ROOT/tests/wasi")}
    eval "ARGS=($argstr)"
    # weft run's options (all before the module) and the module with its
    # arguments, so that --snapshot-* can be inserted before the module
    HEAD=() TAIL=()
    for ((a = 0; a < ${#ARGS[@]}; a++)); do
        case ${ARGS[$a]} in
            --invoke|--dir|--dir-ro|--env) HEAD+=("${ARGS[$a]}" "${ARGS[$((a + 1))]}"); a=$((a + 1)) ;;
            -*) HEAD+=("${ARGS[$a]}") ;;
            *) TAIL=("${ARGS[@]:$a}"); break ;;
        esac
    done

    t0=$SECONDS
    if ! msg=$(reference "$i" ref) || ! msg2=$(reference "$i" ref2); then
        echo "FAIL $name: reference run: ${msg:-}${msg2:-}"; fail=$((fail + 1)); return
    fi
    total=$(cat "$W/ref.fuel")
    if [ -z "$total" ] || [ "$total" -lt 2 ]; then
        echo "FAIL $name: reference run used '$total' fuel (exit status $(cat "$W/ref.rc"); stderr: $(head -c 200 "$W/ref.err"))"
        fail=$((fail + 1)); return
    fi
    # two uninterrupted runs must agree, or nothing can be compared
    FUEL_NOTE=${FUEL_VARIES[$name]:-}
    fields="out err rc fuel state"
    if [ -n "$FUEL_NOTE" ]; then
        echo "SKIP $name: fuel not compared: $FUEL_NOTE"
        skip=$((skip + 1))
        fields="out err rc state"
    fi
    diffs=()
    for f in $fields; do
        cmp -s "$W/ref.$f" "$W/ref2.$f" || diffs+=("$f")
    done
    if [ ${#diffs[@]} -gt 0 ]; then
        # weft promises the same run twice (fuel included) unless the
        # program is listed above; a difference is weft's, so it fails
        echo "FAIL $name: two uninterrupted runs differ (${diffs[*]})"
        for f in "${diffs[@]}"; do diff "$W/ref.$f" "$W/ref2.$f" | head -n 4 | sed 's/^/    /'; done
        fail=$((fail + 1)); return
    fi
    REF_RC=$(<"$W/ref.rc")
    REF_FUEL=$total
    rng_seed "$name"
    points "$total" "$POINTS"
    echo "-- $name: fuel $total, exit status $(cat "$W/ref.rc"), seed $RNG_SEED${SEED:+/$SEED}, ${#PTS[@]} points"
    for n in "${PTS[@]}"; do
        fresh "$i" || { echo "FAIL $name @$n: setup"; fail=$((fail + 1)); continue; }
        if ! msg=$(stop_at "$n" "$W/sd" "${SAVE[@]}" run "${HEAD[@]}"); then
            echo "FAIL $name @$n: $msg"; fail=$((fail + 1)); continue
        fi
        restore_end "$W/sd"
        compare "$name @$n"
    done
    # the chain: three snapshots at increasing fuel
    if [ "$CHAIN" = 0 ]; then
        echo "   ($name: $((SECONDS - t0)) s)"
        [ "$keep" = 1 ] || rm -rf "$W"
        return
    fi
    q=$(( total / 4 > 1 ? total / 4 : 1 ))
    rng_next; c1=$(( R % q + 1 ))
    rng_next; c2=$(( c1 + R % q + 1 ))
    rng_next; c3=$(( c2 + R % q + 1 ))
    fresh "$i" || { echo "FAIL $name chain: setup"; fail=$((fail + 1)); return; }
    TAIL_SAVED=("${TAIL[@]}")
    if ! msg=$(stop_at "$c1" "$W/sd1" "${SAVE[@]}" run "${HEAD[@]}"); then
        echo "FAIL $name chain $c1/$c2/$c3: $msg"; fail=$((fail + 1)); return
    fi
    TAIL=("$W/sd1/snapshot.weft")
    if ! msg=$(stop_at "$c2" "$W/sd2" "${RESTORE[@]}" restore) ||
        { TAIL=("$W/sd2/snapshot.weft"); ! msg=$(stop_at "$c3" "$W/sd3" "${SAVE[@]}" restore); }; then
        echo "FAIL $name chain $c1/$c2/$c3: $msg"; fail=$((fail + 1)); TAIL=("${TAIL_SAVED[@]}"); return
    fi
    TAIL=("${TAIL_SAVED[@]}")
    restore_end "$W/sd3"
    compare "$name chain $c1/$c2/$c3"
    echo "   ($name: $((SECONDS - t0)) s)"
    [ "$keep" = 1 ] || rm -rf "$W"
}

# Programs run JOBS at a time (each is sequential), their reports printed
# in order as they end.
JOBS=${SNAP_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$JOBS" -gt 2 ] && JOBS=2
next=0
print_done() { # the reports of the programs ended, in order
    local p f s
    while [ "$next" -lt "${#P_NAME[@]}" ] && [ -f "$RUN/$next.counts" ]; do
        cat "$RUN/$next.log"
        read -r p f s <"$RUN/$next.counts" || { echo "FAIL ${P_NAME[$next]}: no result"; p=0 f=1 s=0; }
        pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
        next=$((next + 1))
    done
}
for i in "${!P_NAME[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; print_done; done
    { program "$i" >"$RUN/$i.log" 2>&1; echo "$pass $fail $skip" >"$RUN/$i.counts.tmp"
      mv "$RUN/$i.counts.tmp" "$RUN/$i.counts"; } &
done
wait
print_done
if [ "$next" -lt "${#P_NAME[@]}" ]; then
    echo "FAIL: $(( ${#P_NAME[@]} - next )) programs gave no result"
    fail=$((fail + ${#P_NAME[@]} - next))
fi

echo "skipped: $skip"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
