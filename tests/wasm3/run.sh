#!/usr/bin/env bash
# run.sh — real programs using WebAssembly 3.0 features, under `weft run`
# in the interpreter and in compiled code (guard pages, and explicit
# bounds checks), with the same expected results in every mode:
#   memory64_big.wat   a memory64 grown to 6 GiB and then to the default
#                      16 GiB limit, used sparsely: accesses above 4 GiB and
#                      at the end, bulk operations across 4 GiB, grows that
#                      must fail, and six accesses past the end that must
#                      trap; its checksum was computed apart (a Python
#                      model of the same stores), and its peak RSS must stay
#                      under 1 GiB (the pages it never touches cost nothing)
#   tailcall.c         clang -mtail-call, musttail: mutual recursion 10^7
#                      deep and a threaded interpreter, also under
#                      --max-call-depth 64 (tail calls use no new frames)
#   cxx/exceptions.cpp clang++ -fwasm-exceptions with cxx/cxa_runtime.cpp:
#                      throws across frames, catch by type and base class,
#                      rethrow, destructors; and an uncaught throw, a trap
#   exceptions_exnref.wat  the same shape in the standard encoding (clang
#                      19 emits only the legacy one): cleanup pads of
#                      try_table catch_all_ref + throw_ref, catch by tag,
#                      rethrow of a held exnref, call_indirect/return_call
# Expected outputs: tailcall.expected and cxx/exceptions.expected (the same
# sources built natively print them), exceptions_exnref.expected (worked
# out by hand from the module's comments). Each case in each mode is one test;
# the closing line is "N passed, N failed". Without clang-19/clang++-19
# and wasi-libc the C and C++ cases are skipped ("skipped: N"; under CI
# a failure).
#
# usage: tests/wasm3/run.sh [CASE...]
#   WEFT=...               the weft binary (default build/weft)
#   WEFT_WASM3_OUT=...     build and scratch directory (default build/wasm3)
#   WEFT_WASM3_MODES=...   default "interp aot aot-explicit"
#   CLANG=... CLANGXX=...  default clang-19, clang++-19; WASI_SYSROOT=/usr
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2

WEFT=${WEFT:-build/weft}
OUT=${WEFT_WASM3_OUT:-build/wasm3}
MODES=${WEFT_WASM3_MODES:-interp aot aot-explicit}
CLANG=${CLANG:-clang-19}
CLANGXX=${CLANGXX:-clang++-19}
SYSROOT=${WASI_SYSROOT:-/usr}
only=("$@")

mkdir -p "$OUT/log" && OUT=$(cd "$OUT" && pwd)
# weft's AoT key and --aot cache live under OUT unless the caller set them
export XDG_CONFIG_HOME=${XDG_CONFIG_HOME:-$OUT/xdg-config}
export XDG_CACHE_HOME=${XDG_CACHE_HOME:-$OUT/xdg-cache}

pass=0
fail=0
skip=0

wanted() {
    [ ${#only[@]} -eq 0 ] && return 0
    local w
    for w in "${only[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}

mode_flags() {
    case $1 in
    interp) echo "" ;;
    aot) echo "--aot --compile-timeout 0" ;;
    aot-explicit) echo "--aot --compile-timeout 0 --explicit-bounds-checks" ;;
    *) return 1 ;;
    esac
}

# check NAME EXPECT-STATUS EXPECT-STDOUT-FILE|- STDERR-PATTERN|- CMD...:
# one test. It passes when CMD exits with EXPECT-STATUS, its stdout equals
# the file (when given), its stderr matches the pattern (when given), and
# compiled code did not fall back to the interpreter.
check() {
    local name=$1 want=$2 outf=$3 errpat=$4 rc why=""
    shift 4
    "$@" >"$OUT/log/$name.out" 2>"$OUT/log/$name.err" </dev/null
    rc=$?
    [ "$rc" -eq "$want" ] || why="exit status $rc, expected $want"
    if [ -z "$why" ] && [ "$outf" != - ] && ! cmp -s "$outf" "$OUT/log/$name.out"; then
        why="output differs from $outf"
    fi
    if [ -z "$why" ] && [ "$errpat" != - ] && ! grep -q -- "$errpat" "$OUT/log/$name.err"; then
        why="stderr lacks '$errpat'"
    fi
    if [ -z "$why" ] && grep -q "running it in the interpreter" "$OUT/log/$name.err"; then
        why="compiled code fell back to the interpreter"
    fi
    if [ -z "$why" ]; then
        echo "ok   $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name: $why"
        sed 's/^/    | /' "$OUT/log/$name.out" "$OUT/log/$name.err" | head -n 20
        fail=$((fail + 1))
    fi
}

# peak_rss_kb CMD...: runs CMD (output discarded) and prints the peak
# resident set of its process tree in KiB; its status is CMD's.
peak_rss_kb() {
    python3 -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r.returncode)' "$@"
}

# ---- building the C and C++ programs ----
have_c=1
if ! command -v "$CLANG" >/dev/null 2>&1 || ! command -v "$CLANGXX" >/dev/null 2>&1 ||
   [ ! -f "$SYSROOT/lib/wasm32-wasi/libc.a" ]; then
    have_c=0
    echo "clang-19, clang++-19 or wasi-libc ($SYSROOT/lib/wasm32-wasi) not found: C and C++ cases skipped"
fi
WASM_FLAGS=(--target=wasm32-wasi --sysroot="$SYSROOT" -O2 -g0 -Wall -Wextra)
build_ok() { # build_ok NAME CMD...: builds, logging; false on failure
    local name=$1
    shift
    if "$@" >"$OUT/log/build-$name.log" 2>&1; then return 0; fi
    echo "FAIL $name does not build:"
    sed 's/^/    | /' "$OUT/log/build-$name.log" | head -n 20
    return 1
}
tail_ok=0 exc_ok=0
if [ "$have_c" = 1 ]; then
    build_ok tailcall "$CLANG" "${WASM_FLAGS[@]}" -mtail-call \
        -o "$OUT/tailcall.wasm" "$HERE/tailcall.c" && tail_ok=1
    # no libc++ for wasm32-wasi: the program brings its own small runtime
    build_ok exceptions "$CLANGXX" "${WASM_FLAGS[@]}" -nostdinc++ -nostdlib++ \
        -fwasm-exceptions -o "$OUT/exceptions.wasm" \
        "$HERE/cxx/exceptions.cpp" "$HERE/cxx/cxa_runtime.cpp" && exc_ok=1
fi

MEM64=$HERE/memory64_big.wat
OOB="out of bounds memory access"
for mode in $MODES; do
    if ! flags=$(mode_flags "$mode"); then
        echo "FAIL unknown mode $mode"
        fail=$((fail + 1))
        continue
    fi
    echo "-- mode $mode"
    # shellcheck disable=SC2086
    set -- $flags
    if wanted memory64; then
        printf 'memory64 pages=0000000000040000 sum=84ff57f14f3f45eb\n' >"$OUT/memory64.expected"
        check "memory64.$mode" 0 "$OUT/memory64.expected" - "$WEFT" run "$@" "$MEM64"
        for f in oob_load oob_offset oob_store oob_wrap oob_fill oob_copy; do
            check "memory64.$f.$mode" 3 - "$OOB" "$WEFT" run "$@" --invoke "$f" "$MEM64"
        done
        printf '0\n' >"$OUT/memory64.last.expected"
        check "memory64.last_ok.$mode" 0 "$OUT/memory64.last.expected" - \
            "$WEFT" run "$@" --invoke last_ok "$MEM64"
        # --max-memory 8G: 8 GiB is the most a grow reaches
        printf '1\n' >"$OUT/memory64.grow1.expected"
        printf -- '-1\n' >"$OUT/memory64.grow2.expected"
        check "memory64.limit8g_ok.$mode" 0 "$OUT/memory64.grow1.expected" - \
            "$WEFT" run "$@" --max-memory 8G --invoke grow_by "$MEM64" 131071
        check "memory64.limit8g_refused.$mode" 0 "$OUT/memory64.grow2.expected" - \
            "$WEFT" run "$@" --max-memory 8G --invoke grow_by "$MEM64" 131072
        # 16 GiB of memory, a few MiB touched: the peak RSS stays small
        # (compiling with --aot happens in a child, in the count too)
        if command -v python3 >/dev/null 2>&1; then
            kb=$(peak_rss_kb "$WEFT" run "$@" "$MEM64")
            rc=$?
            if [ "$rc" -eq 0 ] && [ "$kb" -lt 1048576 ]; then
                echo "ok   memory64.sparse.$mode (peak RSS $((kb / 1024)) MiB for 16 GiB)"
                pass=$((pass + 1))
            else
                echo "FAIL memory64.sparse.$mode: status $rc, peak RSS ${kb:-?} KiB"
                fail=$((fail + 1))
            fi
        else
            echo "skip memory64.sparse.$mode: no python3 to measure the RSS"
            skip=$((skip + 1))
        fi
    fi
    if wanted exnref; then
        check "exnref.$mode" 0 "$HERE/exceptions_exnref.expected" - \
            "$WEFT" run "$@" "$HERE/exceptions_exnref.wat"
        check "exnref.uncaught.$mode" 3 - "uncaught exception" \
            "$WEFT" run "$@" --invoke uncaught "$HERE/exceptions_exnref.wat"
    fi
    if wanted tailcall; then
        if [ "$have_c" = 0 ]; then
            skip=$((skip + 2))
        elif [ "$tail_ok" = 0 ]; then
            fail=$((fail + 2))
        else
            check "tailcall.$mode" 0 "$HERE/tailcall.expected" - \
                "$WEFT" run "$@" "$OUT/tailcall.wasm"
            check "tailcall.depth64.$mode" 0 "$HERE/tailcall.expected" - \
                "$WEFT" run "$@" --max-call-depth 64 "$OUT/tailcall.wasm"
        fi
    fi
    if wanted exceptions; then
        if [ "$have_c" = 0 ]; then
            skip=$((skip + 2))
        elif [ "$exc_ok" = 0 ]; then
            fail=$((fail + 2))
        else
            check "exceptions.$mode" 0 "$HERE/cxx/exceptions.expected" - \
                "$WEFT" run "$@" "$OUT/exceptions.wasm"
            printf 'throwing with no handler\n' >"$OUT/exceptions.uncaught.expected"
            check "exceptions.uncaught.$mode" 3 "$OUT/exceptions.uncaught.expected" \
                "uncaught exception" "$WEFT" run "$@" "$OUT/exceptions.wasm" uncaught
        fi
    fi
done

if [ "$skip" -gt 0 ]; then
    echo "skipped: $skip"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
