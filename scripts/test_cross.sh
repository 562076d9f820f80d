#!/usr/bin/env bash
# test_cross.sh — the continuum, tested (`make test-cross`; issue 4, "Must
# show" 2): weft cross-built for AArch64 and RISC-V with Debian's cross gcc,
# run under qemu-user, on the same .wasm files as x86-64, with the same
# results. For each architecture (aarch64-linux-gnu, riscv64-linux-gnu):
#
#   build     `make BUILD=build-cross/ARCH CC=TRIPLE-gcc HOSTCC=cc`: weft,
#             libweft.a, the spec runner and the unit tests
#   unit      tests/unit/test_*.c under qemu-ARCH -L /usr/TRIPLE
#   spec      the whole spec suite (every file; --spec subset:
#             the numeric, memory, control-flow and trap files) under qemu,
#             in the interpreter and compiled to C by TRIPLE-gcc: --aot
#             (guard pages) and --aot-explicit (explicit bounds checks)
#   wasm3     `weft wast --wasm-3.0` under qemu: the whole 3.0 suite (root,
#             legacy/) and weft's own 3.0 tests in the interpreter; the
#             files tests/text/run3.sh --full compiles and weft's own in
#             compiled code, --aot and --aot-explicit (TRIPLE-gcc); counts
#             per file group; GC commands skipped, not counted (not at
#             --quick; WEFT_CROSS_W3_MODES picks modes)
#   bench     bench/kernels/*.c built once to wasm32 on this machine
#             (bench/run.sh --build-only); each kernel's checksum and fuel
#             used (--fuel, --account) under qemu must equal x86-64's
#             (`weft run` here): interpreter, `weft run
#             --aot` (compiled under qemu, WEFT_CC=TRIPLE-gcc) and an
#             artifact from `weft compile --target TRIPLE
#             --explicit-bounds-checks` made on x86-64 and run under qemu
#   programs  SQLite speedtest1 and the Lua scripts of tests/programs/ from
#             the same build/programs/*.wasm: output (timings stripped) and
#             exit status must equal x86-64's weft run; interpreter and
#             `weft run --aot` (--full: also explicit bounds checks)
#   wasi      tests/wasi/run.sh's cases under qemu, interpreter and --aot,
#             metering fuel: each passes, and uses the fuel it uses on x86-64
#   snapshot  tests/snapshot/run.sh across ISAs: snapshots of the bench
#             kernels, speedtest1 and Lua taken by x86-64's weft and
#             restored under qemu (each ARCH), and taken under
#             qemu-aarch64 and restored on x86-64, at SNAP_XPOINTS pseudo-
#             random fuel points each: output, exit status, fuel and files
#             equal x86-64's uninterrupted run
#
# Also checks that the C flags keep -ffp-contract=off (FMA contraction on
# AArch64/RISC-V would break Wasm float semantics; float_exprs tests it).
# Prints a table of counts per architecture and mode, the time taken, and
# closes with "N passed, N failed". Exit status 0 when nothing failed.
# Weft bugs found this way and not fixed yet are listed in KNOWN (spec
# tier): printed as known failures with their reason, not counted.
#
# usage: scripts/test_cross.sh [--quick | --full] [--arch A]... [--only T]...
#   --arch A      aarch64 or riscv64 (repeatable; default both)
#   --only T      run only tier T: unit, spec, wasm3, bench, programs,
#                 wasi, snapshot (repeatable)
#   --quick       CI size (.ci/run): aarch64 runs the interpreter and AoT
#                 with guard pages, riscv64 the interpreter and (spec only)
#                 AoT with explicit bounds checks (WASI cases: interpreter
#                 only); the AoT spec runs leave
#                 out the constant and decoder-only files (QUICK_AOT_SKIP);
#                 speedtest1's main set
#                 at --size 1 and five Lua scripts; bench unchanged; unit
#                 without its four slowest tests on riscv64 (tier 1)
#   --full        programs also with explicit bounds checks, more test sets
#   --spec SET    all (default), subset, or a quoted list of file names
#   -j N          parallel jobs (default: number of CPUs)
# environment:
#   WEFT_CROSS_OUT  output directory (default build-cross)
#   WEFT_CROSS_BENCH_SIZE  quick (default) or default: bench/run.sh's n
#   WEFT_CROSS_ST_SIZE     speedtest1 --size (default 2; --quick 1)
#   WEFT_CROSS_TIMEOUT     seconds per program run (default 1800)
#   SNAP_XPOINTS           fuel points per program and direction in the
#                          snapshot tier (default 2)
#   WEFT_CROSS_MBEDTLS_SRC=1  build the CLI's mbed TLS from Debian's source
#                          even when the cross toolchain finds a library
#   WEFT_SPEC_DIR          the spec suite (see tests/spec/run_spec.sh)
#   WEFT_SPEC3_DIR         the 3.0 suite (see tests/text/run3.sh)
#   WEFT_CROSS_W3_MODES    the wasm3 tier's modes (default "interp aot
#                          aot-explicit")

set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

OUT=${WEFT_CROSS_OUT:-build-cross}
# One AoT key for the host weft that cross-compiles artifacts and the target
# wefts (under qemu-user, same user) that run them with --allow-precompiled:
# kept under OUT with the artifacts, never the user's own key or cache.
mkdir -p "$OUT"
export XDG_CONFIG_HOME="$ROOT/$OUT/xdg-config" XDG_CACHE_HOME="$ROOT/$OUT/xdg-cache"
unset WEFT_AOT_KEY
JOBS=$(nproc 2>/dev/null || echo 2)
ARCHS=()
ONLY=()
LEVEL=default
SPEC_SET=all
while [ $# -gt 0 ]; do
    case $1 in
        --arch) ARCHS+=("$2"); shift ;;
        --only) ONLY+=("$2"); shift ;;
        --quick) LEVEL=quick ;;
        --full) LEVEL=full ;;
        --spec) SPEC_SET=$2; shift ;;
        -j) JOBS=$2; shift ;;
        -j*) JOBS=${1#-j} ;;
        -h|--help) sed -n '2,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "test_cross.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
[ ${#ARCHS[@]} -gt 0 ] || ARCHS=(aarch64 riscv64)
for a in "${ARCHS[@]}"; do
    case $a in aarch64|riscv64) ;; *) echo "test_cross.sh: unknown arch '$a'" >&2; exit 2 ;; esac
done
BENCH_SIZE=${WEFT_CROSS_BENCH_SIZE:-quick}
if [ $LEVEL = quick ]; then ST_SIZE=${WEFT_CROSS_ST_SIZE:-1}; else ST_SIZE=${WEFT_CROSS_ST_SIZE:-2}; fi
TIMEOUT=${WEFT_CROSS_TIMEOUT:-1800}

# The spec files every run covers: numeric, memory, control flow, traps.
SPEC_SUBSET="i32 i64 f32 f64 f32_cmp f64_cmp f32_bitwise f64_bitwise
  conversions float_exprs float_misc float_literals int_exprs int_literals
  memory memory_grow memory_trap memory_size address align load store
  memory_copy memory_fill memory_init bulk data endianness float_memory
  memory_redundancy
  block br br_if br_table loop if return call call_indirect select
  unreachable unwind labels nop fac switch stack traps left-to-right
  local_get local_set local_tee global func forward"
case $SPEC_SET in
    subset) SPEC_FILES=$SPEC_SUBSET ;;
    all) SPEC_FILES="" ;;
    *) SPEC_FILES=$SPEC_SET ;;
esac
if [ $LEVEL = quick ]; then
    # CI's size: each ISA runs the interpreter and one AoT mode, and each
    # AoT mode runs on one ISA (x86-64's make test runs both in full).
    SPEC_MODES="interp aot aot-explicit"
    PROG_MODES="interp aot"
    LUA_SCRIPTS="numbers strings tables closures errors"
    ST_SETS="main"
elif [ $LEVEL = full ]; then
    SPEC_MODES="interp aot aot-explicit"
    PROG_MODES="interp aot aot-explicit"
    LUA_SCRIPTS=""
    ST_SETS="main cte fp"
else
    SPEC_MODES="interp aot aot-explicit"
    PROG_MODES="interp aot"
    LUA_SCRIPTS=""
    ST_SETS="main fp"
fi

triple_of() { echo "$1-linux-gnu"; }

# modes_of KIND ARCH MODES...: the MODES that tier KIND (spec, programs,
# wasi) runs on ARCH. At the quick level aarch64 runs the interpreter and
# guard pages, riscv64 the interpreter and explicit bounds checks (the WASI
# cases only the interpreter, on both); the AoT
# spec runs there leave out the files in QUICK_AOT_SKIP: 922 of the suite's
# 1,595 modules, each one constant (const, simd_const), or there to test
# the decoder and validator (binary, binary-leb128, tokens, custom,
# comments, simd_align's alignment checks, exports), which the interpreter
# on every ISA and x86-64's AoT runs check. Every instruction's code is
# still compiled and run on both ISAs.
QUICK_AOT_SKIP="const simd_const binary binary-leb128 tokens custom comments simd_align exports"
modes_of() {
    local kind=$1 a=$2 m out=""
    shift 2
    for m in "$@"; do
        if [ $LEVEL = quick ]; then
            case $a:$m in aarch64:aot-explicit | riscv64:aot) continue ;; esac
            [ "$kind" != spec ] && [ "$a" = riscv64 ] && [ "$m" != interp ] && continue
            # WASI cases: the interpreter (fuel equal to x86-64's); compiled
            # code's host calls run in the programs tier's AoT runs
            [ "$kind" = wasi ] && [ "$m" != interp ] && continue
        fi
        out="$out $m"
    done
    echo "$out"
}
tier_on() {
    local t
    [ ${#ONLY[@]} -eq 0 ] && return 0
    for t in "${ONLY[@]}"; do [ "$t" = "$1" ] && return 0; done
    return 1
}

LOG=$OUT/log
mkdir -p "$LOG"
START=$SECONDS
total_pass=0
total_fail=0
KNOWN_TOTAL=0
ROWS=() # "arch|what|passed|failed|seconds|note"

header() { echo; echo "==== $* ===="; }
row() { # ARCH WHAT PASS FAIL SECONDS [NOTE]
    ROWS+=("$1|$2|$3|$4|$5|${6:-}")
    total_pass=$((total_pass + $3))
    total_fail=$((total_fail + $4))
}
# count_line FILE: c_pass/c_fail from the last "N passed, N failed" line.
count_line() {
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    [ -n "$line" ] || return 1
    c_pass=${line%% passed*}
    c_fail=${line#*, }
    c_fail=${c_fail%% failed*}
}
finish() {
    local r arch what p f s note
    echo
    echo "==== summary: weft under qemu-user, same .wasm as x86-64 ===="
    printf '%-8s %-26s %8s %7s %6s  %s\n' arch what passed failed secs note
    printf '%-8s %-26s %8s %7s %6s  %s\n' -------- -------------------------- -------- ------- ------ ----
    for r in "${ROWS[@]+"${ROWS[@]}"}"; do
        IFS='|' read -r arch what p f s note <<<"$r"
        printf '%-8s %-26s %8s %7s %6s  %s\n' "$arch" "$what" "$p" "$f" "$s" "$note"
    done
    local el=$((SECONDS - START))
    echo "time: $((el / 60)) min $((el % 60)) s (level $LEVEL, -j$JOBS, archs ${ARCHS[*]})"
    [ "$KNOWN_TOTAL" -eq 0 ] ||
        echo "known failures (weft bugs listed in KNOWN, issue 4): $KNOWN_TOTAL assertions, not counted below"
    echo
    echo "$total_pass passed, $total_fail failed"
    [ "$total_fail" -eq 0 ]
    exit $?
}

# ---- prerequisites -----------------------------------------------------------
header "prerequisites"
missing=()
for a in "${ARCHS[@]}"; do
    t=$(triple_of "$a")
    command -v "$t-gcc" >/dev/null 2>&1 || missing+=("$t-gcc (gcc-$t)")
    command -v "qemu-$a" >/dev/null 2>&1 || missing+=("qemu-$a (qemu-user)")
    [ -f "/usr/$t/include/stdio.h" ] || missing+=("/usr/$t/include (libc6-dev-*-cross)")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "FAIL: missing ${missing[*]}; run scripts/setup.sh"
    row all prerequisites 0 1 0 "missing tools"
    finish
fi
# FMA contraction must stay off: in the library (interpreter) and in the
# flags every AoT compilation uses.
if grep -q -- '-ffp-contract=off' include/weft_aot_build.h &&
   grep -E '^CFLAGS_BASE' -A2 Makefile | grep -q -- '-ffp-contract=off'; then
    echo "ok: -ffp-contract=off in Makefile CFLAGS_BASE and WEFT_AOT_CFLAGS"
    row all "C flags: -ffp-contract=off" 1 0 0
else
    echo "FAIL: -ffp-contract=off missing from Makefile or WEFT_AOT_CFLAGS"
    row all "C flags: -ffp-contract=off" 0 1 0
fi
for a in "${ARCHS[@]}"; do
    echo "$(triple_of "$a")-gcc: $("$(triple_of "$a")-gcc" -dumpversion); $("qemu-$a" --version | head -n 1)"
done

# ---- builds ----------------------------------------------------------------
# The CLI links mbed TLS (services/: protected files, signatures) when the
# Makefile says -lmbedcrypto.
# Debian has libmbedtls-dev for amd64 (and arm64, through multiarch) but no
# riscv64 package in bookworm, so for a target without it libmbedcrypto is
# built from Debian's source package (every file of its crypto library: the
# CLI uses SHA-256, the protected files AES-GCM, HKDF and the CTR-DRBG).
MBEDTLS_SRC=""
mbedtls_flags() { # ARCH: sets MB_CFLAGS/MB_LDFLAGS; 1 when impossible
    local a=$1 t dir lib
    t=$(triple_of "$a")
    MB_CFLAGS=""
    MB_LDFLAGS=""
    grep -q -- '-lmbedcrypto' Makefile || return 0
    if [ -z "${WEFT_CROSS_MBEDTLS_SRC:-}" ] && echo 'int main(void){return 0;}' |
        "$t-gcc" -x c - -lmbedcrypto -o /dev/null >/dev/null 2>&1 &&
        echo '#include <mbedtls/sha256.h>' | "$t-gcc" -x c -E - >/dev/null 2>&1; then
        return 0
    fi
    if [ -z "$MBEDTLS_SRC" ]; then
        dir=$(ls -d "$OUT"/src/mbedtls/*/library/sha256.c 2>/dev/null | head -n 1)
        if [ -z "$dir" ]; then
            # apt-get source needs a deb-src line: tests/programs/fetch.sh
            # adds it (and fetches SQLite and Lua, needed below anyway).
            bash tests/programs/fetch.sh >"$LOG/fetch.log" 2>&1
            mkdir -p "$OUT/src/mbedtls"
            (cd "$OUT/src/mbedtls" && apt-get source -q --download-only mbedtls &&
                tar xzf mbedtls_*.orig.tar.gz) >"$LOG/mbedtls-fetch.log" 2>&1
            dir=$(ls -d "$OUT"/src/mbedtls/*/library/sha256.c 2>/dev/null | head -n 1)
        fi
        [ -n "$dir" ] || return 1
        MBEDTLS_SRC=${dir%/library/sha256.c}
    fi
    lib=$OUT/$a/deps
    mkdir -p "$lib"
    if [ ! -f "$lib/libmbedcrypto.a" ]; then
        local f objs=()
        for f in "$MBEDTLS_SRC"/library/*.c; do
            case $(basename "$f") in
            net_sockets.c | ssl_*.c | x509*.c | debug.c | mps_*.c | pkcs7.c) continue ;;
            esac
            "$t-gcc" -O2 -I"$MBEDTLS_SRC/include" -c "$f" \
                -o "$lib/$(basename "$f" .c).o" || return 1
            objs+=("$lib/$(basename "$f" .c).o")
        done
        "$t-ar" rcs "$lib/libmbedcrypto.a" "${objs[@]}" || return 1
    fi
    MB_CFLAGS="-I$ROOT/$MBEDTLS_SRC/include"
    MB_LDFLAGS="-L$ROOT/$lib"
}

header "build: x86-64 reference ($OUT/host)"
HOST=$OUT/host
HOST_WEFT=$HOST/weft
t0=$SECONDS
if make -j"$JOBS" BUILD="$HOST" "$HOST/weft" "$HOST/libweft.a" >"$LOG/build-host.log" 2>&1; then
    echo "ok: $HOST_WEFT"
    row x86_64 build 1 0 $((SECONDS - t0))
else
    tail -n 20 "$LOG/build-host.log"
    echo "FAIL: host build (log: $LOG/build-host.log)"
    row x86_64 build 0 1 $((SECONDS - t0))
    finish
fi
HAVE_COMPILE=0
HAVE_RUN_AOT=0
"$HOST_WEFT" help compile >/dev/null 2>&1 && HAVE_COMPILE=1
"$HOST_WEFT" help run 2>&1 | grep -q -- '--aot' && HAVE_RUN_AOT=1

declare -A CLI_OK
for a in "${ARCHS[@]}"; do
    t=$(triple_of "$a")
    B=$OUT/$a
    header "build: $a ($B, CC=$t-gcc)"
    t0=$SECONDS
    CLI_OK[$a]=0
    if ! make -j"$JOBS" BUILD="$B" CC="$t-gcc" HOSTCC=cc \
        "$B/libweft.a" "$B/libweft-aotbuild.a" "$B/spec_runner" >"$LOG/build-$a.log" 2>&1; then
        tail -n 20 "$LOG/build-$a.log"
        echo "FAIL: $a build (log: $LOG/build-$a.log)"
        row "$a" build 0 1 $((SECONDS - t0))
        continue
    fi
    if ! mbedtls_flags "$a"; then
        echo "FAIL: $a: no mbed TLS for the CLI (log: $LOG/mbedtls-fetch.log)"
    elif make -j"$JOBS" BUILD="$B" CC="$t-gcc" HOSTCC=cc \
        EXTRA_CFLAGS="$MB_CFLAGS" EXTRA_LDFLAGS="$MB_LDFLAGS" \
        "$B/weft" "$B/libweft_bare.a" >>"$LOG/build-$a.log" 2>&1; then
        CLI_OK[$a]=1
    else
        tail -n 20 "$LOG/build-$a.log"
        echo "FAIL: $a: weft CLI does not build (log: $LOG/build-$a.log)"
    fi
    # unit tests, built as scripts/test.sh builds them
    mkdir -p "$B/tests"
    unit_bad=0
    for src in tests/unit/test_*.c; do
        [ -e "$src" ] || continue
        n=$(basename "$src" .c)
        lib="$B/libweft-aotbuild.a $B/libweft.a"
        case $n in test_bare_*) lib=$B/libweft_bare.a ;; esac
        # shellcheck disable=SC2086
        if ! "$t-gcc" -std=gnu11 -O1 -g -Wall -Wextra -Iinclude -Isrc -Isrc/base -Isrc/wasm -Isrc/runtime -Isrc/interp -Itests/unit \
            -o "$B/tests/$n" "$src" $lib -lm >"$LOG/$a-$n.build" 2>&1; then
            cat "$LOG/$a-$n.build"
            echo "FAIL: $a: $n does not build"
            rm -f "$B/tests/$n"
            unit_bad=$((unit_bad + 1))
        fi
    done
    echo "built: $(cd "$B" && ls weft libweft.a spec_runner 2>/dev/null | tr '\n' ' ')+ $(ls "$B/tests" | wc -l) unit tests"
    row "$a" build $((CLI_OK[$a] + 1)) $((1 - CLI_OK[$a] + unit_bad)) $((SECONDS - t0)) \
        "$(file -b "$B/spec_runner" | cut -d, -f1-2)"
done

# qemu-ARCH with the cross sysroot. LD_LIBRARY_PATH keeps the guest's ld.so
# on the sysroot's libc: with Debian multiarch packages of the same
# architecture installed (libc6:arm64), /etc/ld.so.cache would hand the
# cross ld.so another build's libc.so.6, and the mismatch hangs pthread_create.
qemu_of() {
    local t
    t=$(triple_of "$1")
    echo "qemu-$1 -L /usr/$t -E LD_LIBRARY_PATH=/usr/$t/lib"
}

# ---- 1. unit tests -----------------------------------------------------------
if tier_on unit; then
    for a in "${ARCHS[@]}"; do
        B=$OUT/$a
        [ -x "$B/spec_runner" ] || continue
        header "1. unit tests: $a under qemu"
        read -r -a Q <<<"$(qemu_of "$a")"
        t0=$SECONDS
        up=0
        uf=0
        for src in tests/unit/test_*.c; do
            n=$(basename "$src" .c)
            [ -x "$B/tests/$n" ] || continue
            # --quick (CI): the four slowest under qemu (half the tier's CPU)
            # test C logic that does not depend on the ISA (fault injection,
            # the hostile-input corpus) or is checked across ISAs by tier 6
            # (snapshots), so they run on aarch64 only
            if [ $LEVEL = quick ] && [ "$a" = riscv64 ]; then
                case $n in test_alloc_fail | test_fuzz_corpus | test_snapshot | test_wasi_snapshot)
                    echo "(riscv64: $n runs on aarch64 at --quick)"
                    continue ;;
                esac
            fi
            # qemu-user 7.2 keeps a descriptor per page of reserved address
            # space: 1,000 guard-page memories (8 GiB each) would take ~24 GB.
            WEFT_TEST_GUARD_PAGES=0 \
            WEFT_CC="$(triple_of "$a")-gcc" timeout -k 5 "$TIMEOUT" "${Q[@]}" "$B/tests/$n" \
                >"$LOG/$a-$n.out" 2>&1
            rc=$?
            if count_line "$LOG/$a-$n.out"; then
                if [ "$rc" -ne 0 ] && [ "$c_fail" -eq 0 ]; then c_fail=1; fi
            else
                c_pass=0
                c_fail=1
            fi
            if [ "$c_fail" -eq 0 ]; then
                echo "PASS $n: $c_pass passed"
            else
                echo "FAIL $n: $c_pass passed, $c_fail failed (status $rc; $LOG/$a-$n.out)"
                grep -E '^FAIL' "$LOG/$a-$n.out" | head -n 5 | sed 's/^/    /'
            fi
            up=$((up + c_pass))
            uf=$((uf + c_fail))
        done
        row "$a" "unit tests" "$up" "$uf" $((SECONDS - t0))
    done
fi

# ---- 2. spec suite ---------------------------------------------------------
# Known failures: "ARCH|TIER|FILE|FAILURES|reason". A file that fails exactly
# that many assertions is reported as a known failure and not counted; any
# other count is counted in full, and a file that passes says the entry can
# go. Each entry is a weft bug reported in issue 4, not a test to skip.
# Example: "riscv64|spec aot|memory_trap.wast|5|partially out-of-bounds
# stores write their in-bounds bytes" (fixed in src/base/le.h).
KNOWN=()
KNOWN_TOTAL=0
# known_spec ARCH TIER LOG: sets k_count, the failures of LOG that KNOWN covers.
known_spec() {
    local a=$1 tier=$2 log=$3 e ka kt kf kn why got
    k_count=0
    for e in "${KNOWN[@]+"${KNOWN[@]}"}"; do
        IFS='|' read -r ka kt kf kn why <<<"$e"
        [ "$ka" = "$a" ] && [ "$kt" = "$tier" ] || continue
        got=$(grep -E "^${kf//./\\.}: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1 |
            sed -E 's/^[^:]*: [0-9]+ passed, ([0-9]+) failed.*/\1/')
        [ -n "$got" ] || continue
        if [ "$got" = "$kn" ]; then
            echo "KNOWN FAIL $a $tier $kf: $kn assertions: $why"
            k_count=$((k_count + kn))
        elif [ "$got" = 0 ]; then
            echo "FIXED: $a $tier $kf passes now; remove its entry from KNOWN in $0"
        else
            echo "$a $tier $kf: $got failures, not the $kn known ones: counted"
        fi
    done
    KNOWN_TOTAL=$((KNOWN_TOTAL + k_count))
}

if tier_on spec; then
    # shellcheck disable=SC2206
    spec_names=($SPEC_FILES)
    for a in "${ARCHS[@]}"; do
        B=$OUT/$a
        [ -x "$B/spec_runner" ] || continue
        t=$(triple_of "$a")
        # shellcheck disable=SC2086
        for m in $(modes_of spec "$a" $SPEC_MODES); do
            names=("${spec_names[@]+"${spec_names[@]}"}")
            case $m in
                interp) flags=() ;;
                aot) flags=(--aot --cc "$t-gcc") ;;
                aot-explicit) flags=(--aot-explicit --cc "$t-gcc") ;;
            esac
            if [ $LEVEL = quick ] && [ "$m" != interp ] && [ ${#names[@]} -eq 0 ]; then
                for w in "${WEFT_SPEC_DIR:-$ROOT/../shared/spec-testsuite/core}"/*.wast; do
                    [ -e "$w" ] || continue
                    w=$(basename "$w" .wast)
                    case " $QUICK_AOT_SKIP " in *" $w "*) ;; *) names+=("$w") ;; esac
                done
            fi
            header "2. spec suite: $a, $m (${SPEC_SET%% *}${names[*]:+: ${#names[@]} files})"
            t0=$SECONDS
            bash tests/spec/run_spec.sh --runner "$ROOT/$B/spec_runner" --no-build \
                --wrap "$(qemu_of "$a")" -j "$JOBS" "${flags[@]}" \
                "${names[@]+"${names[@]}"}" >"$LOG/$a-spec-$m.out" 2>&1
            note=""
            if count_line "$LOG/$a-spec-$m.out"; then
                grep -E '^[^ ]+\.wast: [0-9]+ passed, [1-9][0-9]* failed' "$LOG/$a-spec-$m.out"
                grep -E '^  FAIL' "$LOG/$a-spec-$m.out" | head -n 10
                grep -E '^files:' "$LOG/$a-spec-$m.out"
                echo "$c_pass passed, $c_fail failed"
                sp=$c_pass
                sf=$c_fail
                known_spec "$a" "spec $m" "$LOG/$a-spec-$m.out"
                sf=$((sf - k_count))
                [ "$k_count" -gt 0 ] && note="$k_count known failures, not counted"
            else
                tail -n 10 "$LOG/$a-spec-$m.out"
                sp=0
                sf=1
            fi
            row "$a" "spec $m" "$sp" "$sf" $((SECONDS - t0)) "$note"
        done
    done
fi

# ---- 3. bench kernels ------------------------------------------------------
# Kernels run metering fuel: the checksum and the fuel used must both equal
# x86-64's (fuel costs are fixed at lowering, the same on every ISA).
FUEL=1000000000000000
# fuel_of FILE: the fuel_used field of an --account record
fuel_of() { sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$1"; }

# bench_run ARCH MODE WASM N: prints "CHECKSUM fuel=USED" for `run`.
bench_run() {
    local a=$1 m=$2 w=$3 n=$4 t Q B=$OUT/$1 out acct
    t=$(triple_of "$a")
    read -r -a Q <<<"$(qemu_of "$a")"
    acct=$B/account.json
    rm -f "$acct"
    case $m in
        interp) out=$(timeout -k 5 "$TIMEOUT" "${Q[@]}" "$B/weft" run --fuel $FUEL \
                          --account "$acct" --invoke run "$w" "$n") ;;
        aot) out=$(WEFT_CC="$t-gcc" timeout -k 5 "$TIMEOUT" "${Q[@]}" "$B/weft" run \
                       --aot --compile-timeout 0 --fuel $FUEL --account "$acct" --cache-dir "$B/aot-cache" \
                       --invoke run "$w" "$n") ;;
        aot-explicit)
            local art
            art=$B/cwasm/$(basename "$w" .wasm).explicit.cwasm
            mkdir -p "$B/cwasm"
            "$HOST_WEFT" compile --compile-timeout 0 --fuel --target "$t" --explicit-bounds-checks "$w" \
                -o "$art" &&
                out=$(timeout -k 5 "$TIMEOUT" "${Q[@]}" "$B/weft" run --allow-precompiled \
                          --fuel $FUEL --account "$acct" --invoke run "$art" "$n") ;;
    esac
    echo "$out fuel=$(fuel_of "$acct" 2>/dev/null)"
}

# ---- 2b. WebAssembly 3.0: interpreter and compiled code ----------------------
# tests/text/run3.sh under qemu: `weft wast --wasm-3.0` over every file of
# the 3.0 suite (root and legacy/) and weft's own 3.0 tests
# (tests/text/wasm3/, guard/ included) in the interpreter, and the files
# run3.sh --full compiles (run3.sh --list-aot) plus weft's own in compiled
# code, guard pages (--aot) and explicit bounds checks (--aot-explicit;
# guard/store_order.wast only there, as in run3.sh). GC modules' commands
# are skipped by weft wast ("unsupported feature: gc") and reported apart,
# never counted as passed. The target weft generates the C under qemu and
# runs TRIPLE-gcc (a host program: qemu-user executes it natively) on
# each script's modules together (cli/wast_aot.c).
# One weft per file: under qemu-user 7.2 every page of reserved address
# space costs real memory (a guard-page memory reserves 8 GiB), about 1-2
# GB for some files, and one process for the whole suite grew past 24 GB.
# Counts per file group: root (the suite's root), legacy (its legacy/),
# own (tests/text/wasm3). Not at --quick (about 4 s per file per mode).
# cpu_children: sets cpu_now to the CPU seconds (user + system) of this
# shell's finished children and their descendants so far (bash's `times`,
# in this shell: not in a pipeline or $(...), whose subshell has its own)
cpu_children() {
    times >"$LOG/times.$$"
    cpu_now=$(tail -n 1 "$LOG/times.$$" | awk '{ n = 0; for (i = 1; i <= 2; i++) {
        split($i, p, "m"); sub("s", "", p[2]); n += p[1] * 60 + p[2] }
        printf "%d\n", n + 0.5 }')
    rm -f "$LOG/times.$$"
}
w3_group() { # FILE: root, legacy or own
    case $1 in
        "$S3"/legacy/*) echo legacy ;;
        "$S3"/*) echo root ;;
        *) echo own ;;
    esac
}
# w3_files MODE: the files MODE runs, one a line; MISSING:NAME for a file
# run3.sh lists that the suite does not have
w3_files() {
    local n
    if [ "$1" = interp ]; then
        printf '%s\n' "$S3"/*.wast "$S3"/legacy/*.wast
    else
        for n in $(bash tests/text/run3.sh --list-aot); do
            if [ -f "$S3/$n.wast" ]; then echo "$S3/$n.wast"; else echo "MISSING:$n"; fi
        done
    fi
    printf '%s\n' tests/text/wasm3/*.wast
    [ "$1" = aot ] || printf '%s\n' tests/text/wasm3/guard/*.wast
}
if tier_on wasm3 && { [ "$LEVEL" != quick ] || [ ${#ONLY[@]} -gt 0 ]; }; then
    S3=${WEFT_SPEC3_DIR:-$ROOT/../shared/spec-testsuite/wasm-3.0}
    W3_MODES=${WEFT_CROSS_W3_MODES:-interp aot aot-explicit}
    for a in "${ARCHS[@]}"; do
        t=$(triple_of "$a")
        read -r -a Q <<<"$(qemu_of "$a")"
        for m in $W3_MODES; do
            header "2b. WebAssembly 3.0 suite: $a, $m (weft wast --wasm-3.0)"
            if [ "${CLI_OK[$a]}" != 1 ]; then
                row "$a" "wasm3 $m" 0 1 0 "no weft CLI"
                continue
            fi
            if [ ! -d "$S3" ]; then
                echo "FAIL: the 3.0 suite is not at $S3"
                row "$a" "wasm3 $m" 0 1 0 "no 3.0 suite"
                continue
            fi
            case $m in
                interp) flags=() ;;
                aot) flags=(--aot --cc "$t-gcc" -j "$JOBS") ;;
                aot-explicit) flags=(--aot-explicit --cc "$t-gcc" -j "$JOBS") ;;
            esac
            t0=$SECONDS
            cpu_children
            c0=$cpu_now
            lf=$LOG/$a-wasm3-$m.out
            : >"$lf"
            declare -A gp=([root]=0 [legacy]=0 [own]=0) gf=([root]=0 [legacy]=0 [own]=0) gn=([root]=0 [legacy]=0 [own]=0)
            ws=0
            while read -r f; do
                if [ "${f#MISSING:}" != "$f" ]; then
                    echo "FAIL: $a $m: ${f#MISSING:}.wast (tests/text/run3.sh) is not in $S3"
                    gf[root]=$((gf[root] + 1))
                    continue
                fi
                g=$(w3_group "$f")
                gn[$g]=$((gn[$g] + 1))
                timeout -k 5 "$TIMEOUT" "${Q[@]}" "$ROOT/$OUT/$a/weft" wast --wasm-3.0 \
                    "${flags[@]}" "$f" >"$lf.one" 2>&1
                cat "$lf.one" >>"$lf"
                if count_line "$lf.one"; then
                    gp[$g]=$((gp[$g] + c_pass)) gf[$g]=$((gf[$g] + c_fail))
                    [ "$c_fail" -eq 0 ] || grep -E "^$(basename "$f" .wast)\.wast: " "$lf.one"
                    n=$(sed -n 's/^skipped: //p' "$lf.one" | tail -n 1)
                    ws=$((ws + ${n:-0}))
                else
                    echo "FAIL: $a $m: weft wast ${f#"$S3"/} ended without a count line"
                    tail -n 3 "$lf.one" | sed 's/^/    /'
                    gf[$g]=$((gf[$g] + 1))
                fi
            done < <(w3_files "$m")
            rm -f "$lf.one"
            grep -E '^  FAIL' "$lf" | head -n 20
            note=""
            wp=0 wf=0
            for g in root legacy own; do
                echo "$a wasm3 $m $g: ${gn[$g]} files, ${gp[$g]} passed, ${gf[$g]} failed"
                note+="$g ${gp[$g]}/${gf[$g]} "
                wp=$((wp + gp[$g])) wf=$((wf + gf[$g]))
            done
            cpu_children
            cpu=$((cpu_now - c0))
            echo "$a wasm3 $m: $wp passed, $wf failed ($ws GC commands skipped, not counted; CPU $cpu s, wall $((SECONDS - t0)) s; log $lf)"
            row "$a" "wasm3 $m" "$wp" "$wf" $((SECONDS - t0)) "${note}gc-skipped $ws, cpu ${cpu}s"
        done
    done
fi

mode_available() { # MODE: 0 when this weft can run it
    case $1 in
        interp) return 0 ;;
        aot) [ $HAVE_RUN_AOT = 1 ] ;;
        aot-explicit) [ $HAVE_COMPILE = 1 ] ;;
    esac
}

if tier_on bench; then
    header "3. bench kernels (bench/run.sh --build-only, n: $BENCH_SIZE)"
    BW=$OUT/bench
    # the kernels of bench/kernels/ (not the program rows, e.g. speedtest1)
    if ! BENCH_OUT=$BW bash bench/run.sh --build-only \
        $(basename -s .c bench/kernels/*.c) >"$LOG/bench-build.log" 2>&1; then
        tail -n 10 "$LOG/bench-build.log"
        echo "FAIL: bench kernels do not build to wasm32 (clang-19: scripts/setup.sh)"
        row all "bench build" 0 1 0
    else
        kernels=()
        ns=()
        while read -r k nd nq; do
            [ -f "bench/kernels/$k.c" ] || continue
            nd=${nd#n=}
            nq=${nq#(quick }
            nq=${nq%)}
            kernels+=("$k")
            if [ "$BENCH_SIZE" = default ]; then ns+=("$nd"); else ns+=("$nq"); fi
        done < <(bash bench/run.sh --list)
        declare -A REF
        for i in "${!kernels[@]}"; do
            REF[${kernels[$i]}]="$("$HOST_WEFT" run --fuel $FUEL --account "$OUT/account.json" \
                --invoke run "$BW/wasm/${kernels[$i]}.wasm" "${ns[$i]}" 2>&1) fuel=$(fuel_of "$OUT/account.json")"
        done
        for a in "${ARCHS[@]}"; do
            [ "${CLI_OK[$a]}" = 1 ] || { row "$a" bench 0 1 0 "no weft CLI"; continue; }
            for m in interp aot aot-explicit; do
                if ! mode_available $m; then
                    echo "SKIP $a bench $m: this weft has no ${m/aot-explicit/compile}"
                    row "$a" "bench $m" 0 0 0 "skipped: not in this weft"
                    continue
                fi
                t0=$SECONDS
                bp=0
                bf=0
                line="$a $m:"
                for i in "${!kernels[@]}"; do
                    k=${kernels[$i]}
                    got=$(bench_run "$a" $m "$BW/wasm/$k.wasm" "${ns[$i]}" 2>"$LOG/$a-bench-$m-$k.err")
                    if [ -n "$got" ] && [ "$got" = "${REF[$k]}" ]; then
                        bp=$((bp + 1))
                        line+=" $k=ok"
                    else
                        bf=$((bf + 1))
                        echo "FAIL $a bench $m $k(${ns[$i]}): got '$got', x86-64 '${REF[$k]}'"
                        head -n 5 "$LOG/$a-bench-$m-$k.err" | sed 's/^/    /'
                    fi
                done
                echo "$line"
                row "$a" "bench $m" "$bp" "$bf" $((SECONDS - t0))
            done
        done
        echo "x86-64 checksums and fuel used:"
        for i in "${!kernels[@]}"; do
            printf '  %-11s n=%-7s %s\n' "${kernels[$i]}" "${ns[$i]}" "${REF[${kernels[$i]}]}"
        done
    fi
fi

# ---- 4. real programs --------------------------------------------------------
PROG=build/programs
strip_times() { sed -E 's/ +[0-9]+\.[0-9]{3}s$//'; }
LUA_ENV=("WEFT_LUA_TEST=$(printf '%b' 'h\u00e9llo w\u00f6rld=1 \u20ac')" "WEFT_LUA_EMPTY=")

# prog_run WEFT-PREFIX... -- DIR STDIN OUT ARGS...: one WASI run, output
# and exit status in OUT (timings stripped).
prog_run() {
    local pre=()
    while [ "$1" != -- ]; do pre+=("$1"); shift; done
    shift
    local dir=$1 in=$2 out=$3
    shift 3
    rm -rf "$dir"
    mkdir -p "$dir"
    timeout -k 5 "$TIMEOUT" "${pre[@]}" --dir "$dir::/data" "$@" <"$in" >"$out.raw" 2>&1
    echo "exit status $?" >>"$out.raw"
    strip_times <"$out.raw" >"$out"
}

# prog_cases: one line per case, "NAME|STDIN|ARGS..." (ARGS split on '|').
prog_cases() {
    local s sc
    for s in $ST_SETS; do
        case $s in
            main) sc="" ;;
            *) sc="|--testset|$s" ;;
        esac
        echo "speedtest1/$s|/dev/null|--env|TMPDIR=/data|$PROG/speedtest1.wasm|--size|$ST_SIZE|--verify$sc|/data/speedtest1.db"
    done
    for sc in tests/programs/lua/*.lua; do
        s=$(basename "$sc" .lua)
        if [ -n "$LUA_SCRIPTS" ]; then
            case " $LUA_SCRIPTS " in *" $s "*) ;; *) continue ;; esac
        fi
        echo "lua/$s|$sc|--env|${LUA_ENV[0]}|--env|${LUA_ENV[1]}|$PROG/lua.wasm|-|/data"
    done
}

if tier_on programs; then
    header "4. programs: SQLite speedtest1 (--size $ST_SIZE: $ST_SETS), Lua (${LUA_SCRIPTS:-all scripts})"
    if [ ! -f $PROG/speedtest1.wasm ] || [ ! -f $PROG/lua.wasm ]; then
        echo "building tests/programs (fetch.sh, build.sh)"
        mkdir -p $PROG
        (
            command -v flock >/dev/null 2>&1 && { exec 9>"$PROG/.lock"; flock 9; }
            bash tests/programs/fetch.sh && bash tests/programs/build.sh
        ) >"$LOG/programs-build.log" 2>&1
    fi
    if [ ! -f $PROG/speedtest1.wasm ] || [ ! -f $PROG/lua.wasm ]; then
        tail -n 5 "$LOG/programs-build.log"
        echo "SKIP: programs: $PROG/{speedtest1,lua}.wasm cannot be built here (see tests/programs/README.md)"
        row all programs 0 0 0 "skipped: no sources/tools"
    else
        # Private copies: a concurrent tests/programs build may rewrite them.
        mkdir -p "$OUT/programs"
        cp $PROG/speedtest1.wasm $PROG/lua.wasm "$OUT/programs/"
        PROG=$OUT/programs
        RD=$OUT/programs/run
        mkdir -p "$RD"
        mapfile -t CASES < <(prog_cases)
        t0=$SECONDS
        for c in "${CASES[@]}"; do
            IFS='|' read -r -a f <<<"$c"
            key=${f[0]//\//_}
            prog_run "$HOST_WEFT" run -- "$RD/x86-$key.d" "${f[1]}" "$RD/x86-$key.out" "${f[@]:2}"
        done
        echo "x86-64 reference outputs: ${#CASES[@]} runs in $((SECONDS - t0)) s"
        for a in "${ARCHS[@]}"; do
            [ "${CLI_OK[$a]}" = 1 ] || { row "$a" programs 0 1 0 "no weft CLI"; continue; }
            B=$OUT/$a
            t=$(triple_of "$a")
            read -r -a Q <<<"$(qemu_of "$a")"
            # shellcheck disable=SC2086
            for m in $(modes_of programs "$a" $PROG_MODES); do
                if ! mode_available $m; then
                    echo "SKIP $a programs $m: this weft has no ${m/aot-explicit/compile}"
                    row "$a" "programs $m" 0 0 0 "skipped: not in this weft"
                    continue
                fi
                t0=$SECONDS
                pp=0
                pf=0
                for c in "${CASES[@]}"; do
                    IFS='|' read -r -a f <<<"$c"
                    key=${f[0]//\//_}
                    args=("${f[@]:2}")
                    case $m in
                        interp) pre=("${Q[@]}" "$B/weft" run) ;;
                        aot) pre=(env WEFT_CC="$t-gcc" "${Q[@]}" "$B/weft" run --aot --compile-timeout 0 --cache-dir "$B/aot-cache") ;;
                        aot-explicit)
                            # the module argument becomes its artifact
                            for i in "${!args[@]}"; do
                                case ${args[$i]} in
                                    *.wasm)
                                        art=$B/cwasm/$(basename "${args[$i]}" .wasm).explicit.cwasm
                                        mkdir -p "$B/cwasm"
                                        [ -f "$art" ] && [ "$art" -nt "${args[$i]}" ] && [ "$art" -nt "$HOST_WEFT" ] ||
                                            "$HOST_WEFT" compile --compile-timeout 0 --target "$t" --explicit-bounds-checks \
                                                "${args[$i]}" -o "$art" >"$LOG/$a-compile.log" 2>&1
                                        args[$i]=$art ;;
                                esac
                            done
                            pre=("${Q[@]}" "$B/weft" run --allow-precompiled) ;;
                    esac
                    c0=$SECONDS
                    prog_run "${pre[@]}" -- "$RD/$a-$m-$key.d" "${f[1]}" "$RD/$a-$m-$key.out" "${args[@]}"
                    if cmp -s "$RD/x86-$key.out" "$RD/$a-$m-$key.out"; then
                        echo "PASS $a $m ${f[0]} ($((SECONDS - c0)) s)"
                        pp=$((pp + 1))
                    else
                        echo "FAIL $a $m ${f[0]}: output differs from x86-64 (< x86-64, > $a)"
                        diff "$RD/x86-$key.out" "$RD/$a-$m-$key.out" | head -n 20
                        pf=$((pf + 1))
                    fi
                done
                row "$a" "programs $m" "$pp" "$pf" $((SECONDS - t0))
            done
        done
    fi
fi

# ---- 5. WASI test programs, metering fuel -------------------------------------
# tests/wasi/run.sh under qemu (every case must pass, as on x86-64), each
# case metering fuel: the fuel used must equal x86-64's interpreter, except
# for the cases that vary from run to run (tests/wasi/fuel_varying.txt).
# Every run uses the same directories: argv[0] and the preopens' names are
# paths, and a program's work (so its fuel) depends on their lengths. The
# x86-64 reference resolves paths with weft's own walk
# (WEFT_WASI_NO_OPENAT2=1), as weft must under qemu-user, which has no
# openat2: the kernel answers one corner differently (a 40-link chain that
# leaves the sandbox: ELOOP, the walk EPERM; both refuse), and the escape
# test's fuel would follow that answer.
WASI_VARYING=" $(sed 's/#.*//' tests/wasi/fuel_varying.txt | tr -s ' \n' ' ')"
if tier_on wasi; then
    header "5. WASI programs metering fuel (tests/wasi/run.sh)"
    WR=$OUT/wasi
    rm -f "$WR.fuel"
    if ! WEFT="env WEFT_WASI_NO_OPENAT2=1 $HOST_WEFT" WEFT_WASI_OUT="$WR" \
        WEFT_WASI_FUEL_LOG="$WR.fuel" \
        bash tests/wasi/run.sh >"$LOG/wasi-host.log" 2>&1 ||
        [ ! -s "$WR.fuel" ]; then
        rm -f "$WR.fuel"
        tail -n 5 "$LOG/wasi-host.log"
        echo "FAIL: the WASI programs do not run on x86-64 (clang-19, wasi-libc: scripts/setup.sh)"
        row all "wasi build" 0 1 0
    fi
    for a in "${ARCHS[@]}"; do
        [ -s "$WR.fuel" ] || break
        [ "${CLI_OK[$a]}" = 1 ] || { row "$a" wasi 0 1 0 "no weft CLI"; continue; }
        t=$(triple_of "$a")
        # shellcheck disable=SC2086
        for m in $(modes_of wasi "$a" ${PROG_MODES/aot-explicit/}); do
            t0=$SECONDS
            wp=0
            wf=0
            flags=""
            [ "$m" = aot ] && flags="--aot --compile-timeout 0 --cache-dir $OUT/$a/wasi-aot-cache"
            fl=$OUT/$a/wasi-$m.fuel
            rm -f "$fl"
            WEFT="env WEFT_CC=$t-gcc $(qemu_of "$a") $OUT/$a/weft" WEFT_RUN_FLAGS="$flags" \
                WEFT_WASI_OUT="$WR" WEFT_WASI_FUEL_LOG="$fl" \
                bash tests/wasi/run.sh >"$LOG/$a-wasi-$m.log" 2>&1
            line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOG/$a-wasi-$m.log" | tail -n 1)
            if [ -n "$line" ]; then
                wp=$((wp + ${line%% passed*}))
                n=${line#*, }
                wf=$((wf + ${n%% failed*}))
            else
                wf=$((wf + 1))
            fi
            grep -E '^FAIL' -A3 "$LOG/$a-wasi-$m.log" | head -n 20
            while read -r name fuel; do
                got=$(awk -v n="$name" '$1 == n { print $2 }' "$fl" 2>/dev/null)
                if [ "${WASI_VARYING/ $name /}" != "$WASI_VARYING" ]; then
                    continue # varies from run to run: not compared
                elif [ -n "$got" ] && [ "$got" = "$fuel" ]; then
                    wp=$((wp + 1))
                else
                    echo "FAIL $a wasi $m $name: fuel '$got', x86-64 '$fuel'"
                    wf=$((wf + 1))
                fi
            done <"$WR.fuel"
            echo "$a wasi $m: $wp passed, $wf failed (cases, then fuel per case)"
            row "$a" "wasi $m" "$wp" "$wf" $((SECONDS - t0))
        done
    done
fi

# ---- 6. snapshots across ISAs --------------------------------------------------
# A program stopped on one ISA continues on another (docs/snapshot.md):
# tests/snapshot/run.sh with x86-64's weft for the reference runs and a
# cross-built weft under qemu-user on one side of each snapshot. Its
# points are pseudo-random (seeded from each program's name), no chains.
if tier_on snapshot; then
    header "6. snapshots across ISAs (tests/snapshot/run.sh, ${SNAP_XPOINTS:-2} points per program)"
    snap_progs=()
    for k in bench/kernels/*.c; do snap_progs+=("$(basename "$k" .c)"); done
    snap_progs+=(speedtest1 lua)
    # snap_cross ARCH WHAT SAVE-CMD RESTORE-CMD
    snap_cross() {
        local a=$1 what=$2 lf
        lf=$LOG/$a-snapshot-${2// /}.out
        lf=${lf//>/}
        t0=$SECONDS
        env WEFT="$ROOT/$HOST_WEFT" WEFT_SAVE="$3" WEFT_RESTORE="$4" SNAP_OUT="$ROOT/$OUT/snapshot" \
            SNAP_POINTS="${SNAP_XPOINTS:-2}" SNAP_CHAIN=0 SNAP_JOBS="$JOBS" SNAP_TIMEOUT="$TIMEOUT" \
            bash tests/snapshot/run.sh "${snap_progs[@]}" >"$lf" 2>&1
        if count_line "$lf"; then
            grep -E '^(FAIL|SKIP)' -A4 "$lf" | head -n 30
            echo "$a snapshot $what: $c_pass passed, $c_fail failed"
            row "$a" "snapshot $what" "$c_pass" "$c_fail" $((SECONDS - t0))
        else
            tail -n 10 "$lf"
            row "$a" "snapshot $what" 0 1 $((SECONDS - t0)) "no count line ($lf)"
        fi
    }
    for a in "${ARCHS[@]}"; do
        [ "${CLI_OK[$a]}" = 1 ] || { row "$a" snapshot 0 1 0 "no weft CLI"; continue; }
        qw="$(qemu_of "$a") $ROOT/$OUT/$a/weft"
        snap_cross "$a" "x86-64>$a" "$ROOT/$HOST_WEFT" "$qw"
        # the reverse from one ISA (each direction's code is the same)
        [ "$a" = aarch64 ] && snap_cross "$a" "$a>x86-64" "$qw" "$ROOT/$HOST_WEFT"
    done
fi

finish
