#!/usr/bin/env bash
# run.sh — fault injection over real modules (tests/alloc-fail/README.md):
#   1. alloc_sweep: fail the Nth allocation, for every N, while loading and
#      instantiating every binary module of the spec suite (the wast2json
#      output in $BUILD/spec/json) and while setting up and running the WASI
#      test programs ($BUILD/wasi/*.wasm; dirs.wasm only set up, not run:
#      see wasi_args below)
#   2. fs_fault: the Nth file operation under the preopens fails, or moves
#      fewer bytes, while WASI test programs run
# The tools are built against $BUILD/libweft.a. Missing inputs are made
# first (wast2json through tests/spec/run_spec.sh --count-only; the WASI
# programs with clang-19), or skipped with a note when the tools are absent.
# Closing line: "N passed, N failed" (one test per module, program and mode).
#
# usage: tests/alloc-fail/run.sh [--asan] [--full] [-j N]
#   --asan   build-asan/ and -fsanitize=address,undefined (BUILD=DIR, other
#            than build, picks another directory)
#   --full   also the spec modules with guard-page memories,
#            fs_fault at every N for files/links/times/rights and dirs.wasm
#            (84,000 calls) at every 997th N
#   -j N     alloc_sweep workers (default: the CPUs)
set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2

asan=0
full=0
jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
    case $1 in
        --asan) asan=1; shift ;;
        --full) full=1; shift ;;
        -j) jobs=$2; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

CC=${CC:-cc}
if [ "$asan" = 1 ]; then
    # BUILD=build is make's default, never an ASan build
    [ "${BUILD:-build}" = build ] && BUILD=build-asan
    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_stack_use_after_return=0:detect_leaks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
    BUILD=${BUILD:-build}
    SAN=""
fi
OUT=$BUILD/alloc-fail
mkdir -p "$OUT"

pass=0
fail=0
skip=0
count() { # count LOGFILE STATUS: add the tool's closing line
    local line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL: $(basename "$1" .out) printed no count line (status $2)"
        fail=$((fail + 1))
        return
    fi
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed*}
    pass=$((pass + p))
    fail=$((fail + f))
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL: $(basename "$1" .out) exited with status $2"
        fail=$((fail + 1))
    fi
}

# ---- build the tools ---------------------------------------------------------
if ! make -s BUILD="$BUILD" CC="$CC" ${SAN:+EXTRA_CFLAGS="$SAN" EXTRA_LDFLAGS="-fsanitize=address,undefined"} \
        "$BUILD/libweft.a" >"$OUT/build.log" 2>&1; then
    cat "$OUT/build.log"
    echo "FAIL: $BUILD/libweft.a does not build"
    echo "0 passed, 1 failed"
    exit 1
fi
cflags="-std=gnu11 -O2 -g -Wall -Wextra -Wshadow -Iinclude -Itests/spec $SAN"
# shellcheck disable=SC2086
if ! $CC $cflags -o "$OUT/alloc_sweep" tests/alloc-fail/alloc_sweep.c \
        tests/spec/json.c "$BUILD/libweft.a" -lm >>"$OUT/build.log" 2>&1 ||
   ! $CC $cflags -o "$OUT/fs_fault" tests/alloc-fail/fs_fault.c \
        "$BUILD/libweft.a" -lm >>"$OUT/build.log" 2>&1; then
    cat "$OUT/build.log"
    echo "FAIL: the fault-injection tools do not build"
    echo "0 passed, 1 failed"
    exit 1
fi

# ---- inputs -------------------------------------------------------------------
if ! compgen -G "$BUILD/spec/json/*/*.json" >/dev/null; then
    BUILD=$BUILD bash tests/spec/run_spec.sh --count-only --no-build >/dev/null 2>&1
fi
specs=()
if compgen -G "$BUILD/spec/json/*/*.json" >/dev/null; then
    specs=("$BUILD"/spec/json/*/*.json)
elif [ -n "${CI:-}" ]; then
    echo "FAIL: no spec suite JSON in $BUILD/spec/json (wast2json or the suite missing; CI needs both)"
    fail=$((fail + 1))
else
    echo "SKIP: no spec suite JSON in $BUILD/spec/json (wast2json or the suite missing)"
    skip=$((skip + 1))
fi

WASI_SRC=(tests/wasi/*.c tests/wasi/escape/escape.c tests/wasi/escape/race.c)
mkdir -p "$BUILD/wasi"
if command -v clang-19 >/dev/null 2>&1; then
    for src in "${WASI_SRC[@]}"; do
        wasm=$BUILD/wasi/$(basename "$src" .c).wasm
        if [ ! -f "$wasm" ] || [ "$src" -nt "$wasm" ]; then
            clang-19 --target=wasm32-wasi --sysroot=/usr -O2 -g0 -Itests/wasi \
                -o "$wasm" "$src" >/dev/null 2>&1 || rm -f "$wasm"
        fi
    done
fi
wasi=()
for src in "${WASI_SRC[@]}"; do
    wasm=$BUILD/wasi/$(basename "$src" .c).wasm
    [ -f "$wasm" ] && wasi+=("$wasm")
done
[ ${#wasi[@]} -gt 0 ] || { echo "SKIP: no WASI test programs (clang-19 + wasi-libc missing)"; skip=$((skip + 1)); }

# WASI programs with what they need to exit 0 (as their //! case lines
# ask; escape and preopens check a layout this sweep does not build).
wasi_args=()
for w in "${wasi[@]}"; do
    case $(basename "$w" .wasm) in
        badinput) wasi_args+=(--dir2 /other) ;;
        rights) wasi_args+=(--dir2 second) ;;
        exit_codes) wasi_args+=(--args "exit 42") ;;
        preopens) wasi_args+=(--args "/sandbox /ro") ;;
        stdio) wasi_args+=(--args empty) ;;
        # dirs: loaded, instantiated and given WASI at every allocation
        # point, not run: it has ~1,900 points after the snapshot paths, and
        # rerunning its ~70 ms of directory work at each took 2 x 2 minutes
        # (far more under ASan). Its file operations are faulted below
        # (fs_fault_dirs), and files/links/... run under this sweep.
        dirs) wasi_args+=(--no-run "$w" --run); continue ;;
    esac
    wasi_args+=("$w")
done

# ---- 1. the allocation sweep ----------------------------------------------------
sweep() { # sweep NAME ARGS...
    local name=$1 rc start
    shift
    echo "-- $name"
    start=$(date +%s)
    "$OUT/alloc_sweep" -j "$jobs" "$@" >"$OUT/$name.out" 2>&1
    rc=$?
    grep -vE ': [0-9]+ modules?, [0-9]+ allocation points, ok$|^$' "$OUT/$name.out" |
        head -n 40
    echo "   ($(($(date +%s) - start)) s wall)"
    count "$OUT/$name.out" "$rc"
}
if [ ${#specs[@]} -gt 0 ] || [ ${#wasi[@]} -gt 0 ]; then
    sweep alloc_sweep "${specs[@]}" --run "${wasi_args[@]}"
    # every allocation from the Nth on failing (a real out-of-memory): found
    # lower.c's br_if writing past a code buffer that could not grow
    sweep alloc_sweep_sticky --sticky "${specs[@]}" --run "${wasi_args[@]}"
    if [ "$full" = 1 ]; then
        [ ${#specs[@]} -gt 0 ] && sweep alloc_sweep_guard --guard-pages "${specs[@]}"
    fi
fi

# ---- 2. file-operation faults ---------------------------------------------------
fsf() { # fsf NAME ARGS...
    local name=$1 rc start
    shift
    echo "-- $name"
    start=$(date +%s)
    "$OUT/fs_fault" "$@" >"$OUT/$name.out" 2>&1
    rc=$?
    grep -vE '^[0-9]+ passed' "$OUT/$name.out" | head -n 30
    echo "   ($(($(date +%s) - start)) s wall)"
    count "$OUT/$name.out" "$rc"
}
W=$BUILD/wasi
if [ -f "$W/files.wasm" ] && [ -f "$W/links.wasm" ] && [ -f "$W/times.wasm" ]; then
    if [ "$full" = 1 ]; then
        fsf fs_fault "$W/links.wasm" "$W/times.wasm" --dir2 second "$W/rights.wasm" \
            "$W/files.wasm"
        fsf fs_fault_dirs --stride 997 "$W/dirs.wasm"
    else
        # every N for links and times, every 7th for files (1,265 calls)
        fsf fs_fault "$W/links.wasm" "$W/times.wasm" --mode short "$W/files.wasm"
        fsf fs_fault_files --mode err --stride 7 "$W/files.wasm"
    fi
fi

echo
[ "$skip" -gt 0 ] && echo "skipped: $skip"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
