#!/usr/bin/env bash
# run.sh — builds the WASI test programs (tests/wasi/*.c, tests/wasi/escape/*.c)
# for wasm32-wasi and runs each case under `weft run`.
#
# A program lists its cases in comment lines:
#   //! case NAME EXIT [walk] [stdin=FILE|FUNC] [setup=FUNC] [bg=FUNC] [check=FUNC] -- WEFT-RUN-ARGS
# WEFT-RUN-ARGS is what follows `weft run`, with @WASM@ (the program),
# @PRE@ (a fresh preopen directory), @RO@ (a second fresh directory, for
# --dir-ro), @TMP@ (the directory holding both, outside every preopen) and
# @HOST@ (the directory of this script) substituted. Every case runs in its
# own fresh @TMP@, which also holds a canary file that no case may read,
# write, create, remove or replace: it is checked after every case.
# FUNCs are bash functions below; bg=FUNC runs beside the program and is
# stopped afterwards (the race test's swapper). `walk` runs the case with
# WEFT_WASI_NO_OPENAT2=1: WASI resolves every path with its own walk, the
# resolver used where openat2 is missing (the escape tests run both ways).
#
# Each case is one test: it passes when weft exits with EXIT, its check
# passes, the canary is intact and (under --asan) no sanitizer report
# appears. A program that does not build fails each of its cases. The
# closing line is "N passed, N failed". Without clang-19 and wasi-libc
# everything is skipped (printed, counted as skipped, not as passed).
#
# usage: tests/wasi/run.sh [--asan] [--keep] [CASE-OR-PROGRAM...]
#   --asan   use build-asan/weft (default for WEFT)
#   --keep   keep each case's directory under $OUT/run/
#   WEFT_RUN_FLAGS=...  extra options for every `weft run`, e.g. "--aot"
#                or "--aot --explicit-bounds-checks" to run compiled code
#   WEFT=...     the weft binary (default build/weft); may be a command, e.g.
#                WEFT="node tests/wasi/node_ref.mjs" runs the reference runner
#   WEFT_WASI_OUT=...  build directory (default build/wasi, build-asan/wasi)
#   WEFT_WASI_FUEL_LOG=FILE  run every case metering fuel (--fuel, --account)
#                and append "CASE FUEL-USED" lines to FILE (fuel_compare.sh)
#   WEFT_WASI_AOT_HOME=DIR  where weft's AoT key and default cache live
#                (default $WEFT_WASI_OUT); scripts/test.sh shares one between
#                its plain and ASan builds
#   CLANG=...    default clang-19;  WASI_SYSROOT=... default /usr

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
        -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run.sh: unknown option '$arg'" >&2; exit 2 ;;
        *) only+=("$arg") ;;
    esac
done

if [ "$asan" = 1 ]; then
    WEFT=${WEFT:-build-asan/weft}
    OUT=${WEFT_WASI_OUT:-build-asan/wasi}
    export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_stack_use_after_return=0:detect_leaks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
    WEFT=${WEFT:-build/weft}
    OUT=${WEFT_WASI_OUT:-build/wasi}
fi
CLANG=${CLANG:-clang-19}
SYSROOT=${WASI_SYSROOT:-/usr}
WASM_CFLAGS=(--target=wasm32-wasi --sysroot="$SYSROOT" -O2 -g0 -Wall -Wextra -I"$HERE")
TIMEOUT=${WEFT_WASI_TIMEOUT:-300}

pass=0
fail=0
skip=0

mkdir -p "$OUT/run" "$OUT/log"
OUT=$(cd "$OUT" && pwd)
# weft's AoT key and --aot cache defaults live under OUT, or under
# WEFT_WASI_AOT_HOME when set (kept from run to run, with the cache entries
# made under that key), never in the user's home (XDG_* take precedence over
# HOME in weft).
AOT_HOME=${WEFT_WASI_AOT_HOME:-$OUT}
mkdir -p "$AOT_HOME"
export XDG_CONFIG_HOME="$AOT_HOME/xdg-config" XDG_CACHE_HOME="$AOT_HOME/xdg-cache"
unset WEFT_AOT_KEY

# ---- toolchain --------------------------------------------------------------
sources=("$HERE"/*.c "$HERE"/escape/*.c)
have_toolchain=1
why=""
if ! command -v "$CLANG" >/dev/null 2>&1; then
    have_toolchain=0; why="$CLANG not found"
elif [ ! -f "$SYSROOT/include/wasm32-wasi/wasi/api.h" ] || [ ! -f "$SYSROOT/lib/wasm32-wasi/libc.a" ]; then
    have_toolchain=0; why="wasi-libc not found under $SYSROOT"
elif ! ls "$("$CLANG" -print-resource-dir)"/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; then
    have_toolchain=0; why="libclang-rt-19-dev-wasm32 (builtins for wasm32) not found"
fi

# case_lines: "SRC<TAB>NAME<TAB>EXIT<TAB>REST" for every //! case line.
case_lines() {
    local src line
    for src in "${sources[@]}"; do
        [ -f "$src" ] || continue
        while IFS= read -r line; do
            line=${line#//! case }
            # shellcheck disable=SC2086
            set -- $line
            printf '%s\t%s\t%s\t%s\n' "$src" "$1" "$2" "$line"
        done < <(grep -E '^//! case ' "$src")
    done
}

if [ "$have_toolchain" = 0 ]; then
    n=$(case_lines | wc -l)
    echo "SKIP: WASI tests need clang-19 + wasi-libc + libclang-rt-19-dev-wasm32: $why"
    echo "skipped: $n"
    echo "0 passed, 0 failed"
    exit 0
fi

# ---- build ------------------------------------------------------------------
declare -A built
build() {
    local src=$1 name out
    name=$(basename "$src" .c)
    out=$OUT/$name.wasm
    if [ -n "${built[$name]:-}" ]; then
        [ "${built[$name]}" = ok ]
        return
    fi
    if [ ! -f "$out" ] || [ "$src" -nt "$out" ] || [ "$HERE/wt.h" -nt "$out" ]; then
        if ! "$CLANG" "${WASM_CFLAGS[@]}" -o "$out" "$src" >"$OUT/log/$name.build" 2>&1; then
            rm -f "$out"
            built[$name]=fail
            return 1
        fi
    fi
    built[$name]=ok
}

# Native helpers (the race test's swapper).
SWAPPER=$OUT/race_swap
if [ ! -x "$SWAPPER" ] || [ "$HERE/escape/race_swap.host.c" -nt "$SWAPPER" ]; then
    cc -O2 -Wall -o "$SWAPPER" "$HERE/escape/race_swap.host.c" >"$OUT/log/race_swap.build" 2>&1 \
        || rm -f "$SWAPPER"
fi

# ---- case helpers (stdin=, setup=, bg=, check=) -------------------------------
# In cases.sh (tests/snapshot/run.sh runs the same cases).
# shellcheck source=tests/wasi/cases.sh
. "$HERE/cases.sh"

# ---- canary -------------------------------------------------------------------
canary_state() {
    stat -c '%i %s %Y %h %F' "$TMP/canary" 2>/dev/null
    cat "$TMP/canary" 2>/dev/null
    ls -A "$TMP" 2>/dev/null | sort | tr '\n' ' '
}

# ---- run ----------------------------------------------------------------------
# invoke STDIN RCFILE ARGS...: runs weft with stdin from a file (STDIN starts
# with /) or from the function STDIN; writes weft's exit status to RCFILE.
invoke() {
    local in=$1 rcfile=$2 flags=${WEFT_RUN_FLAGS:-}
    shift 2
    [ "$CASE_WALK" = 1 ] && export WEFT_WASI_NO_OPENAT2=1
    [ -n "${WEFT_WASI_FUEL_LOG:-}" ] &&
        flags="$flags --fuel 1000000000000000 --account $CASE_DIR/account.json"
    if [ "${in#/}" != "$in" ]; then
        # shellcheck disable=SC2086
        timeout "$TIMEOUT" $WEFT run $flags "$@" <"$in"
        echo $? >"$rcfile"
    else
        # shellcheck disable=SC2086
        $in | timeout "$TIMEOUT" $WEFT run $flags "$@"
        echo "${PIPESTATUS[1]}" >"$rcfile"
    fi
}

run_case() {
    local src=$1 name=$2 want=$3 rest=$4
    local prog stdin_spec="" setup="" bg="" check="" tok argstr
    CASE_WALK=0
    prog=$(basename "$src" .c)
    # options before "--"
    # shellcheck disable=SC2086
    set -- $rest
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        case $1 in
            stdin=*) stdin_spec=${1#stdin=} ;;
            setup=*) setup=${1#setup=} ;;
            bg=*) bg=${1#bg=} ;;
            check=*) check=${1#check=} ;;
            walk) CASE_WALK=1 ;;
            *) echo "FAIL $name: bad case option '$1' in $src"; fail=$((fail + 1)); return ;;
        esac
        shift
    done
    argstr=${rest#* -- }

    if ! build "$src"; then
        echo "FAIL $name: $prog.c does not build (see $OUT/log/$prog.build)"
        sed 's/^/    /' "$OUT/log/$prog.build" | head -20
        fail=$((fail + 1))
        return
    fi

    local dir=$OUT/run/$name
    rm -rf "$dir"
    mkdir -p "$dir/tmp/pre" "$dir/tmp/ro"
    TMP=$(cd "$dir/tmp" && pwd)
    PRE=$TMP/pre
    RO=$TMP/ro
    CASE_DIR=$dir
    CASE_OUT=$dir/stdout
    CASE_ERR=$dir/stderr
    printf 'CANARY %s %s\n' "$name" "$RANDOM$RANDOM" >"$TMP/canary"
    touch -d '2001-02-03 04:05:06' "$TMP/canary"
    if [ -n "$setup" ] && ! $setup >"$dir/setup.log" 2>&1; then
        echo "FAIL $name: setup $setup failed"; sed 's/^/    /' "$dir/setup.log"
        fail=$((fail + 1)); return
    fi
    local before
    before=$(canary_state)

    local q_wasm q_pre q_ro q_tmp q_host
    q_wasm=$(printf '%q' "$OUT/$prog.wasm")
    q_pre=$(printf '%q' "$PRE"); q_ro=$(printf '%q' "$RO")
    q_tmp=$(printf '%q' "$TMP"); q_host=$(printf '%q' "$HERE")
    argstr=${argstr//@WASM@/$q_wasm}
    argstr=${argstr//@PRE@/$q_pre}
    argstr=${argstr//@RO@/$q_ro}
    argstr=${argstr//@TMP@/$q_tmp}
    argstr=${argstr//@HOST@/$q_host}
    local args
    eval "args=($argstr)"

    local bgpid=""
    if [ -n "$bg" ]; then
        $bg >"$dir/bg.log" 2>&1 &
        bgpid=$!
        sleep 0.2
    fi

    # stdout and stderr are pipes (as under a shell pipeline), so stdio is
    # never seekable; stdin is /dev/null, a file, or a pipe from a function.
    local rc
    [ -n "$stdin_spec" ] || stdin_spec=/dev/null
    rm -f "$dir/rc"
    { invoke "$stdin_spec" "$dir/rc" "${args[@]}" 2>&1 1>&3 3>&- | cat >"$CASE_ERR"; } 3>&1 | cat >"$CASE_OUT"
    rc=$(cat "$dir/rc" 2>/dev/null || echo "no status")

    if [ -n "$bgpid" ]; then
        kill -TERM "$bgpid" 2>/dev/null
        wait "$bgpid" 2>/dev/null
    fi

    local problems=()
    [ "$rc" = 124 ] && problems+=("timed out after ${TIMEOUT}s")
    [ "$rc" = "$want" ] || problems+=("exit status $rc, expected $want")
    if [ -n "$check" ]; then
        local msg
        if ! msg=$($check 2>&1); then
            problems+=("check $check: $msg")
        fi
    fi
    local after
    after=$(canary_state)
    [ "$before" = "$after" ] || problems+=("CANARY or outside directory changed: before [$before] after [$after]")
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$CASE_ERR"; then
        problems+=("sanitizer report in stderr")
    fi

    if [ -n "${WEFT_WASI_FUEL_LOG:-}" ]; then
        echo "$name $(sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$dir/account.json" 2>/dev/null)" \
            >>"$WEFT_WASI_FUEL_LOG"
    fi

    local counts
    counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$CASE_OUT" | tail -n 1)
    if [ ${#problems[@]} -eq 0 ]; then
        echo "PASS $name${counts:+ ($counts)}"
        pass=$((pass + 1))
        [ "$keep" = 1 ] || rm -rf "$dir"
    else
        echo "FAIL $name${counts:+ ($counts)}"
        local p
        for p in "${problems[@]}"; do echo "    $p"; done
        grep -E '^FAIL|weft:|trap|Sanitizer|runtime error' "$CASE_ERR" | head -40 | sed 's/^/    | /'
        echo "    (output kept in $dir)"
        fail=$((fail + 1))
    fi
}

selected() {
    local name=$1 prog=$2 o
    [ ${#only[@]} -eq 0 ] && return 0
    for o in "${only[@]}"; do
        [ "$o" = "$name" ] || [ "$o" = "$prog" ] && return 0
    done
    return 1
}

while IFS=$'\t' read -r src name want rest; do
    selected "$name" "$(basename "$src" .c)" || continue
    run_case "$src" "$name" "$want" "$rest"
done < <(case_lines)

# Programs with no case line would silently never run: count them as failed.
for src in "${sources[@]}"; do
    [ -f "$src" ] || continue
    case $src in *.host.c) continue ;; esac
    if ! grep -qE '^//! case ' "$src"; then
        echo "FAIL $(basename "$src"): no '//! case' line"
        fail=$((fail + 1))
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
