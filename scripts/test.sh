#!/usr/bin/env bash
# test.sh — weft's test command (`make test` runs it).
#
# Builds everything, then runs the tiers (in two lanes at once: see "running
# the tiers" below) and ends with ONE line
# "N passed, N failed" adding up all tiers:
#   1. unit tests       tests/unit/test_*.c, each built into BUILD/tests/
#                       (test_bare_*.c against BUILD/libweft_bare.a)
#   2. embed example    examples/embed.c (counts as one test)
#   3. CLI tests        tests/cli/*.sh (.wat files assembled with wat2wasm)
#   4. spec suite       tests/spec/run_spec.sh in the interpreter and in AoT
#                       mode (guard pages, explicit checks); own count lines
#   4b. text format     tests/text/run.sh: `weft wast` over the 2.0 suite
#                       (about 1 s), compared per file with tier 4's
#                       interpreter counts (wabt path), text-form
#                       assert_malformed included
#   4c. wasm 3.0        tests/text/run3.sh: `weft wast` over every file of
#                       the 3.0 suite (GC modules' commands skipped and
#                       counted as skipped) and weft's own 3.0 tests; a few
#                       files of each new feature also in compiled code
#   5. real programs    tests/programs/run.sh: SQLite speedtest1 and Lua 5.4
#                       (Debian sources) under weft vs native; skipped, and
#                       counted as skipped, when the sources cannot be fetched
#   5b. 3.0 programs    tests/wasm3/run.sh: memory64 past 4 GiB, C with tail
#                       calls, C++ exceptions; interpreter and AoT (P10)
#   6. WASI programs    tests/wasi/run.sh: C programs for wasm32-wasi, sandbox
#                       escapes and the swap race (skipped without clang-19);
#                       tests/wasi/fuel_compare.sh: the same fuel in each mode
#   7. fault injection  tests/alloc-fail/run.sh: the Nth allocation failing
#                       while loading/instantiating tier 4's and tier 6's
#                       modules, for every N; file-operation faults
#   8. protected files  tests/pfs/run.sh: services/pfs_*.c attacked from the
#                       host (bit flips, swaps, splices, truncation, renames,
#                       crash injection) and used from a WASI program
#   9. fuzz-diff        tests/fuzz-diff/regress.sh: cases kept from make
#                       fuzz-diff, interpreter and AoT
#  10. attestation      tests/attest/run.sh: CBOR/COSE/eckey units, weft
#                       provision/verifier/run --attest with every refusal
#                       (MITM, replay, tampering, policy), mutated sessions
#                       against both sides, signed --account records
#  11. sealing          tests/seal/run.sh: weft:seal (both policies, tampering,
#                       other module/runtime/device/AAD, KDF known answers,
#                       hostile pointers), weft sign / weft.sig refusals,
#                       --account io byte counts
#  12. OCI runtime      tests/oci/bundle.sh: build/weft-oci on hand-made
#                       bundles (lifecycle, exec, pause, hardening, mounts,
#                       limits, annotations, console socket, concurrency,
#                       refusals); needs root, skipped (counted) without
#  13. OCI              tests/oci/podman.sh, tests/oci/containerd.sh:
#                       weft-oci under a private podman and a containerd
#                       started by the test (skipped without them; a
#                       failure under CI)
#  14. wasm.h C API     tests/capi/run.sh: weft installed into a staging
#                       tree, the 13 upstream wasm-c-api example programs,
#                       examples/wasm_c_api.c and tests/capi/capi_edges.c
#                       built against the installed wasm.h and
#                       libweft-wasm.so and run, one test each (skipped
#                       without ../shared/wasm-c-api; a failure under CI)
#  15. snapshots        tests/snapshot/run.sh: every bench kernel, WASI test
#                       program, speedtest1 and Lua stopped at 20 fuel
#                       points each (and a chain of three) and restored:
#                       the same output, status, fuel and files (not in
#                       the ASan build)
#  16. packaging        tests/package/run.sh: make install DESTDIR PREFIX=/usr,
#                       layout, SONAME, exported symbols = declared API,
#                       examples/embed.c via pkg-config (shared and static),
#                       weft_version(), the installed binary
# Exits non-zero when anything failed or did not build.
#
# usage: scripts/test.sh [--asan]
#   --asan (or WEFT_ASAN=1): the same on an ASan+UBSan build in build-asan/
#   CC=...: compiler for the library and the tests (default cc)
#   WEFT_SPEC_DIR=...: where the official spec suite is (see README.md)
#   WEFT_TEST_LANES=1: every tier in order (default: two lanes at once)
#   WEFT_TIERS="4c 6": only these tiers

set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

asan=${WEFT_ASAN:-0}
for arg in "$@"; do
    case $arg in
        --asan) asan=1 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "test.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done

CC=${CC:-cc}
JOBS=$(nproc 2>/dev/null || echo 2)
SAN_CFLAGS=""
SAN_LDFLAGS=""
if [ -n "$asan" ] && [ "$asan" != 0 ]; then
    BUILD=build-asan
    SAN_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    SAN_LDFLAGS="-fsanitize=address,undefined"
    MAKE_VARS=(BUILD="$BUILD" EXTRA_CFLAGS="$SAN_CFLAGS" EXTRA_LDFLAGS="$SAN_LDFLAGS")
    export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_stack_use_after_return=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    # Tests that repeat one check many times with small changes may do
    # fewer of them here (tests/cli/fuel_exact.sh: every 7th fuel level).
    export WEFT_TEST_SANITIZED=1
else
    BUILD=build
    MAKE_VARS=(BUILD="$BUILD")
fi
LOG=$BUILD/tests/log
# The spec and WASI tiers' modes. The ASan build leaves out compiled code
# with explicit bounds checks: what the sanitizers watch (the runtime, WASI,
# loading and calling compiled code) is the same as with guard pages; the
# generated code itself is not instrumented, and the plain build runs it.
SPEC_MODES="interp aot aot-explicit"
[ "$BUILD" = build-asan ] && SPEC_MODES="interp aot"
mkdir -p "$LOG"
# No tier may read or make the user's AoT key or --aot cache (weft takes
# XDG_* before HOME); tiers that compile set their own under their OUT.
export XDG_CONFIG_HOME="$PWD/$BUILD/tests/xdg-config" XDG_CACHE_HOME="$PWD/$BUILD/tests/xdg-cache"
unset WEFT_AOT_KEY
# Compiled code that both builds use, made once: the plain and the ASan
# build generate the same C from the same sources (weft's --aot cache keys
# and the spec cache's stamp both cover the sources), so `make test-asan`
# after `make test` (as in CI) loads what `make test` compiled. It has its
# own AoT key (under WEFT_WASI_AOT_HOME), shared by both builds; tier 5's
# cache is build/programs' in both already.
AOT_SHARE=$PWD/build/tests/aot-shared
mkdir -p "$PWD/build/tests" && mkdir -p -m 0700 "$AOT_SHARE"
export WEFT_SPEC_AOT_CACHE=${WEFT_SPEC_AOT_CACHE:-$AOT_SHARE/spec}

total_pass=0
total_fail=0
total_skip=0

# Each tier's wall time, printed when it ends and again in a table at the
# end (timings are reported, never asserted).
tier_name=""
tier_t0=0
tier_cpu0=0
tier_times=()
# cpu_now: sets CPU_DS to the CPU time (user + system, tenths of a second)
# used so far by this shell's finished children, from bash's `times`
# (its second line; not in a $(...) subshell, whose children differ).
# The file is this shell's own: lane B's subshell runs it at the same time.
cpu_now() {
    local f=$LOG/.times.$BASHPID line u s # ($BASHPID differs inside $(...))
    times >"$f"
    line=$(tail -n 1 "$f")
    u=${line%% *} s=${line#* }
    CPU_DS=$(( $(to_ds "$u") + $(to_ds "$s") ))
}
# to_ds 1m2.345s -> 623 (0 for anything else: a bad reading must not
# stop the run, as an arithmetic error would)
to_ds() {
    [[ $1 =~ ^[0-9]+m[0-9]+\.[0-9]+s$ ]] || { echo 0; return; }
    local m=${1%%m*} rest=${1#*m}
    local sec=${rest%%.*} frac=${rest#*.}
    echo $(( (10#$m * 60 + 10#$sec) * 10 + 10#${frac:0:1} ))
}
end_tier() {
    [ -n "$tier_name" ] || return 0
    local s=$((SECONDS - tier_t0)) c
    cpu_now
    c=$((CPU_DS - tier_cpu0))
    echo "-- $tier_name: $s s wall, $((c / 10)).$((c % 10)) s CPU"
    tier_times+=("$(printf '%6d s %8s s CPU  %s' "$s" "$((c / 10)).$((c % 10))" "$tier_name")")
    tier_name=""
}

header() {
    end_tier
    tier_name="$*"
    tier_t0=$SECONDS
    cpu_now
    tier_cpu0=$CPU_DS
    echo
    echo "==== $* ===="
}

# count_line FILE: sets c_pass/c_fail from the last "N passed, N failed"
# line of FILE; returns 1 when there is none.
count_line() {
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    [ -n "$line" ] || return 1
    c_pass=${line%% passed*}
    c_fail=${line#*, }
    c_fail=${c_fail%% failed*}
}

add() {
    total_pass=$((total_pass + $1))
    total_fail=$((total_fail + $2))
}

# run_counted NAME LOGFILE CMD...: runs CMD, showing and logging its output,
# then adds its closing count line. A missing count line, or a non-zero exit
# with no failure counted, counts as one failure.
run_counted() {
    local name=$1 logfile=$2 rc
    shift 2
    "$@" 2>&1 | tee "$logfile"
    rc=${PIPESTATUS[0]}
    if count_line "$logfile"; then
        add "$c_pass" "$c_fail"
        if [ "$rc" -ne 0 ] && [ "$c_fail" -eq 0 ]; then
            echo "FAIL: $name exited with status $rc"
            add 0 1
        fi
    else
        echo "FAIL: $name printed no 'N passed, N failed' line (status $rc)"
        add 0 1
    fi
}

# add_skipped LOGFILE: adds the last "skipped: N" line of a tier's log to
# the skipped total (never to the passed one).
add_skipped() {
    local n
    n=$(sed -n 's/^skipped: \([0-9]*\)$/\1/p' "$1" | tail -n 1)
    [ -n "$n" ] && total_skip=$((total_skip + n))
    return 0
}

# add_missing NAME LOGFILE: like add_skipped, for tiers that skip only when
# an input (a tool, the spec suite, a fetched source) is missing: under CI
# (CI set) every such skip is a failure.
add_missing() {
    local n
    n=$(sed -n 's/^skipped: \([0-9]*\)$/\1/p' "$2" | tail -n 1)
    [ -n "$n" ] && [ "$n" -gt 0 ] || return 0
    if [ -n "${CI:-}" ]; then
        echo "FAIL: $1: $n skipped for a missing input (CI must have every input; see its log)"
        add 0 "$n"
    else
        total_skip=$((total_skip + n))
    fi
}

finish() {
    end_tier
    echo
    echo "time per tier (wall clock, and CPU time of its processes):"
    printf '%s\n' "${tier_times[@]}"
    printf '%6d s  in all\n' "$SECONDS"
    echo
    # Skipped tests are counted apart, never as passed; the closing line
    # keeps the plain "N passed, N failed" form.
    [ "$total_skip" -gt 0 ] && echo "$total_skip skipped (not counted above)"
    # A run that stopped early (a shell error skips the rest of the tier
    # loop) or ran nothing must not pass.
    if [ "${tiers_done:-0}" != 1 ] || [ "$total_pass" -eq 0 ]; then
        echo "FAIL: the tiers did not all run (see above)"
        total_fail=$((total_fail + 1))
    fi
    echo "$total_pass passed, $total_fail failed"
    [ "$total_fail" -eq 0 ]
    exit $?
}

# ---- build ----------------------------------------------------------------
header "build ($BUILD${SAN_CFLAGS:+, ASan+UBSan})"
targets=("$BUILD/weft" "$BUILD/libweft.a" "$BUILD/libweft-aotbuild.a"
         "$BUILD/libweft_bare.a" "$BUILD/embed"
         "$BUILD/weft-oci")
if compgen -G "tests/spec/*.c" >/dev/null; then
    targets+=("$BUILD/spec_runner")
fi
if ! make -j"$JOBS" CC="$CC" "${MAKE_VARS[@]}" "${targets[@]}"; then
    echo "FAIL: build"
    add 0 1
    finish
fi

# ---- 1. unit tests --------------------------------------------------------
tier_1() {
    header "1. unit tests (tests/unit/test_*.c)"
    mkdir -p "$BUILD/tests"
    unit_cflags="-std=gnu11 -O1 -g -Wall -Wextra -Iinclude -Isrc -Isrc/base -Isrc/wasm -Isrc/runtime -Isrc/interp -Itests/unit $SAN_CFLAGS"
    for src in tests/unit/test_*.c; do
        [ -e "$src" ] || { echo "(no unit tests)"; break; }
        name=$(basename "$src" .c)
        bin=$BUILD/tests/$name
        echo "-- $name"
        # test_bare_*: the freestanding core with ports/bare instead of ports/posix
        # libweft-aotbuild.a first: the tests that compile AoT code need
        # the compiler driver, which libweft does not hold.
        lib="$BUILD/libweft-aotbuild.a $BUILD/libweft.a"
        case $name in test_bare_*) lib=$BUILD/libweft_bare.a ;; esac
        # shellcheck disable=SC2086
        if ! $CC $unit_cflags -o "$bin" "$src" $lib $SAN_LDFLAGS -lm \
            >"$LOG/$name.build" 2>&1; then
            cat "$LOG/$name.build"
            echo "FAIL: $name does not build"
            add 0 1
            continue
        fi
        run_counted "$name" "$LOG/$name.out" "$bin"
    done
}

# ---- 2. embedding example -------------------------------------------------
tier_2() {
    header "2. embedding example (examples/embed.c)"
    if "$BUILD/embed" >"$LOG/embed.out" 2>&1; then
        cat "$LOG/embed.out"
        echo "1 passed, 0 failed"
        add 1 0
    else
        cat "$LOG/embed.out"
        echo "FAIL: embed"
        add 0 1
    fi
}

# ---- 3. CLI tests ---------------------------------------------------------
tier_3() {
    header "3. CLI tests (tests/cli/*.sh)"
    if ! command -v wat2wasm >/dev/null 2>&1; then
        echo "FAIL: wat2wasm (wabt) not found; run scripts/setup.sh"
        add 0 1
    else
        rm -rf "$BUILD/tests/cli"
        for script in tests/cli/*.sh; do
            [ -e "$script" ] || break
            name=$(basename "$script" .sh)
            echo "-- cli/$name"
            run_counted "cli/$name" "$LOG/cli_$name.out" \
                env WEFT="$BUILD/weft" WEFT_TEST_OUT="$BUILD/tests/cli" bash "$script"
            # stack_limits.sh's ulimit -v cases cannot start under ASan
            add_skipped "$LOG/cli_$name.out"
        done
    fi
}

# ---- 4. spec suite --------------------------------------------------------
# Every mode runs the whole suite: the interpreter, then generated C with
# guard pages, then with explicit bounds checks (WEFT_SPEC_MODES picks).
tier_4() {
    header "4. spec suite (tests/spec/run_spec.sh)"
    if [ -f tests/spec/run_spec.sh ]; then
        for mode in ${WEFT_SPEC_MODES:-$SPEC_MODES}; do
            case $mode in
            interp) flag=() ;;
            aot) flag=(--aot) ;;
            aot-explicit) flag=(--aot-explicit) ;;
            *) echo "unknown spec mode $mode"; add 0 1; continue ;;
            esac
            echo "-- spec suite, mode $mode"
            run_counted "spec suite ($mode)" "$LOG/spec_$mode.out" \
                bash tests/spec/run_spec.sh --runner "$ROOT/$BUILD/spec_runner" "${flag[@]}"
            # Without ../shared the suite is skipped (and fails under CI=true).
            add_missing "spec suite ($mode)" "$LOG/spec_$mode.out"
        done
    else
        echo "tests/spec/run_spec.sh not present: skipped"
    fi
}

# ---- 4b. text format --------------------------------------------------------
# weft's own text front end on the same suite: the counts must equal the
# wabt path's of tier 4 (its interpreter log), plus the text-form
# assert_malformed commands wast2json skips.
tier_4b() {
    header "4b. text format (tests/text/run.sh)"
    if [ -f tests/text/run.sh ]; then
        wabt_log=()
        [ -s "$LOG/spec_interp.out" ] && wabt_log=(--wabt-log "$LOG/spec_interp.out")
        run_counted "text format" "$LOG/text.out" \
            env BUILD="$BUILD" bash tests/text/run.sh "${wabt_log[@]}"
        add_missing "text format" "$LOG/text.out"
    fi
}

# ---- 4c. WebAssembly 3.0 ---------------------------------------------------
# `weft wast --wasm-3.0` over every file of the 3.0 suite and weft's own
# 3.0 tests in the interpreter (GC modules' commands are skipped, counted
# as skipped), and a few files of each new feature in compiled code (about
# a minute).
tier_4c() {
    header "4c. WebAssembly 3.0 (tests/text/run3.sh)"
    if [ -f tests/text/run3.sh ]; then
        run_counted "wasm 3.0" "$LOG/text3.out" \
            env BUILD="$BUILD" bash tests/text/run3.sh
        add_missing "wasm 3.0" "$LOG/text3.out"
        # GC modules' commands: refused by name, skipped, never passed
        n=$(sed -n 's/^skipped (unsupported GC commands, not counted): \([0-9]*\)$/\1/p' "$LOG/text3.out")
        total_skip=$((total_skip + ${n:-0}))
        # a known limitation of guard-page AoT code (its file says which)
        n=$(sed -n 's/^skipped (known limitation: .*, not counted): \([0-9]*\)$/\1/p' "$LOG/text3.out")
        total_skip=$((total_skip + ${n:-0}))
    fi
}

# ---- 5. real programs -----------------------------------------------------
# SQLite speedtest1 and Lua 5.4 from Debian's source packages, built for
# wasm32-wasi, under `weft run` against native builds. Exit status 3 means
# the sources or tools could not be had: one test counted as skipped.
tier_5() {
    header "5. real programs (tests/programs/run.sh)"
    if [ -f tests/programs/run.sh ]; then
        # speedtest1 at --size 5 (--size 2 under ASan, whose checks do not
        # grow with the size): every test set and query runs at any size.
        st_size=5
        [ "$BUILD" = build-asan ] && st_size=2
        WEFT="$BUILD/weft" bash tests/programs/run.sh --size "$st_size" 2>&1 | tee "$LOG/programs.out"
        rc=${PIPESTATUS[0]}
        if [ "$rc" -eq 3 ] && [ -n "${CI:-}" ] && [ "$(id -u)" -eq 0 ]; then
            echo "FAIL: real programs skipped in CI as root (setup must fetch the sources)"
            add 0 1
        elif [ "$rc" -eq 3 ]; then
            total_skip=$((total_skip + 1))
        elif count_line "$LOG/programs.out"; then
            add "$c_pass" "$c_fail"
            if [ "$rc" -ne 0 ] && [ "$c_fail" -eq 0 ]; then
                echo "FAIL: real programs exited with status $rc"
                add 0 1
            fi
        else
            echo "FAIL: real programs printed no 'N passed, N failed' line (status $rc)"
            add 0 1
        fi
    fi
}

# ---- 6. WASI programs -----------------------------------------------------
# tests/wasi/*.c and tests/wasi/escape/*.c built with clang-19 for
# wasm32-wasi and run under `weft run` (one test per case). Without the
# toolchain the runner skips and says so; in CI that counts as a failure.
tier_6() {
    header "6. WASI programs (tests/wasi/run.sh)"
    if [ -f tests/wasi/run.sh ]; then
        wasi_flags=()
        [ "$BUILD" = build-asan ] && wasi_flags+=(--asan)
        # The interpreter, then compiled code with guard pages and with explicit
        # bounds checks (WEFT_WASI_MODES picks); compiled code is cached. The
        # plain build meters fuel in every run and then compares the figures
        # (fuel_compare.sh --logs): the same fuel in each mode. The ASan build
        # runs the same cases unmetered, so CI covers both paths once each.
        fuel_dir=$BUILD/wasi/fuel-logs
        rm -rf "$fuel_dir" && mkdir -p "$fuel_dir"
        wasi_modes=${WEFT_WASI_MODES:-$SPEC_MODES}
        for mode in $wasi_modes; do
            case $mode in
            interp) run_flags="" ;;
            aot) run_flags="--aot --compile-timeout 0 --cache-dir $AOT_SHARE/wasi-aot-cache" ;;
            aot-explicit) run_flags="--aot --compile-timeout 0 --explicit-bounds-checks --cache-dir $AOT_SHARE/wasi-aot-cache" ;;
            *) echo "unknown WASI mode $mode"; add 0 1; continue ;;
            esac
            fuel_log=""
            [ "$BUILD" != build-asan ] && fuel_log="$PWD/$fuel_dir/$mode.fuel"
            echo "-- WASI programs, mode $mode${fuel_log:+, metering fuel}"
            run_counted "WASI programs ($mode)" "$LOG/wasi.out" \
                env WEFT="$BUILD/weft" WEFT_WASI_OUT="$BUILD/wasi" WEFT_WASI_FUEL_LOG="$fuel_log" \
                WEFT_WASI_AOT_HOME="$AOT_SHARE/wasi" \
                WEFT_RUN_FLAGS="$run_flags" bash tests/wasi/run.sh "${wasi_flags[@]}"
        done
        if [ "$BUILD" != build-asan ]; then
            echo "-- WASI programs: fuel used in every mode"
            run_counted "WASI fuel" "$LOG/wasi_fuel.out" \
                env WEFT_FUEL_MODES="$wasi_modes" bash tests/wasi/fuel_compare.sh --logs "$PWD/$fuel_dir"
            add_skipped "$LOG/wasi_fuel.out"
        fi
        wasi_skipped=$(sed -n 's/^skipped: \([0-9]*\)$/\1/p' "$LOG/wasi.out" | tail -n 1)
        if [ -n "$wasi_skipped" ] && [ "$wasi_skipped" -gt 0 ]; then
            if [ -n "${CI:-}" ]; then
                echo "FAIL: WASI programs skipped in CI (setup must install clang-19 and wasi-libc)"
                add 0 1
            else
                total_skip=$(( ${total_skip:-0} + wasi_skipped ))
            fi
        fi
    fi
}

# ---- 7. fault injection ---------------------------------------------------
# Every allocation of loading and instantiating the spec modules (tier 4's
# JSON) and of setting up and running the WASI programs (tier 6's .wasm)
# fails in turn; then file-operation errors and short transfers under WASI
# (tests/alloc-fail/README.md). `make test-alloc-sweep` runs more of it.
tier_7() {
    header "7. fault injection (tests/alloc-fail/run.sh)"
    if [ -f tests/alloc-fail/run.sh ]; then
        af_flags=()
        [ "$BUILD" = build-asan ] && af_flags+=(--asan)
        run_counted "fault injection" "$LOG/alloc_fail.out" \
            env BUILD="$BUILD" CC="$CC" bash tests/alloc-fail/run.sh "${af_flags[@]}"
        add_missing "fault injection" "$LOG/alloc_fail.out"
    fi
}

# ---- 8. protected files ----------------------------------------------------
# services/pfs_*.c under `weft run --protected-dir` (docs/protected-files.md):
# host-side attacks and crash injection, a WASI program, attacks via the CLI.
tier_8() {
    header "8. protected files (tests/pfs/run.sh)"
    if [ -f tests/pfs/run.sh ]; then
        run_counted "protected files" "$LOG/pfs.out" \
            env WEFT="$BUILD/weft" WEFT_PFS_OUT="$BUILD/pfs" CC="$CC" \
            SAN_CFLAGS="$SAN_CFLAGS" SAN_LDFLAGS="$SAN_LDFLAGS" bash tests/pfs/run.sh
        add_missing "protected files" "$LOG/pfs.out"
    fi
}

# ---- 9. differential-fuzzing regressions ------------------------------------
# Cases kept from `make fuzz-diff` (tests/fuzz-diff/regress/*.wat with their
# expected output), run in the interpreter and compiled to C.
tier_9() {
    header "9. fuzz-diff regressions (tests/fuzz-diff/regress.sh)"
    if [ -f tests/fuzz-diff/regress.sh ]; then
        run_counted "fuzz-diff regressions" "$LOG/fuzz_diff.out" \
            env BUILD="$BUILD" CC="$CC" EXTRA_CFLAGS="$SAN_CFLAGS" \
            EXTRA_LDFLAGS="$SAN_LDFLAGS" bash tests/fuzz-diff/regress.sh
    fi
}

# ---- 10. attestation ----------------------------------------------------------
# services/attest_*.c, cbor.c, cose.c through weft provision / verifier /
# run --attest on loopback (docs/attestation.md): refusals on both sides,
# mutated sessions, the signed accounting record.
tier_10() {
    header "10. attestation (tests/attest/run.sh)"
    if [ -f tests/attest/run.sh ]; then
        run_counted "attestation" "$LOG/attest.out" \
            env WEFT="$BUILD/weft" WEFT_ATTEST_OUT="$BUILD/attest" CC="$CC" \
            SAN_CFLAGS="$SAN_CFLAGS" SAN_LDFLAGS="$SAN_LDFLAGS" bash tests/attest/run.sh
        add_missing "attestation" "$LOG/attest.out"
    fi
}

# ---- 11. sealing -------------------------------------------------------------
# weft:seal, weft sign and the --account io counts (docs/sealing.md).
tier_11() {
    header "11. sealing (tests/seal/run.sh)"
    if [ -f tests/seal/run.sh ]; then
        run_counted "sealing" "$LOG/seal.out" \
            env WEFT="$BUILD/weft" WEFT_SEAL_OUT="$BUILD/seal" CC="$CC" \
            SAN_CFLAGS="$SAN_CFLAGS" SAN_LDFLAGS="$SAN_LDFLAGS" bash tests/seal/run.sh
        add_missing "sealing" "$LOG/seal.out"
    fi
}

# ---- 12. OCI runtime -----------------------------------------------------------
# build/weft-oci driven directly on bundles made by the test (no podman):
# the runc command line, state, hardening, mounts, refusals. Runs the WASI
# programs of tier 6 inside containers, under the seccomp filter.
tier_12() {
    header "12. OCI runtime (tests/oci/bundle.sh)"
    if [ -f tests/oci/bundle.sh ]; then
        # Leak checks need threads, which weft's seccomp filter refuses.
        run_counted "OCI runtime" "$LOG/oci_bundle.out" \
            env ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
            WEFT_OCI="$BUILD/weft-oci" WEFT_OCI_TEST_OUT="$BUILD/tests/oci" \
            WEFT_WASI_OUT="$BUILD/wasi" bash tests/oci/bundle.sh
        add_missing "OCI runtime" "$LOG/oci_bundle.out"
    fi
}

# ---- 13. OCI with podman and containerd ------------------------------------
# weft-oci (docs/oci.md) under a private rootful podman (its own storage,
# containers.conf and weft-oci --root) and under a containerd the test
# starts itself on a private socket, with the images scripts/oci-image.sh
# builds. Each script skips when its tools are missing or not as root;
# under CI that skip is a failure.
tier_13() {
    header "13. OCI with podman and containerd (tests/oci/podman.sh, tests/oci/containerd.sh)"
    if [ "$BUILD" = build-asan ]; then
        # Integration with other programs' processes, not memory checks: tier
        # 12 runs weft-oci and weft under the sanitizers; CI time goes elsewhere.
        echo "not run in the ASan build (tier 12 runs weft-oci under ASan)"
    elif [ -f tests/oci/podman.sh ]; then
        if ! make -j"$JOBS" CC="$CC" "${MAKE_VARS[@]}" "$BUILD/weft-oci" >"$LOG/weft-oci.build" 2>&1; then
            cat "$LOG/weft-oci.build"
            echo "FAIL: $BUILD/weft-oci does not build"
            add 0 1
        else
            for script in podman containerd; do
                echo "-- oci/$script"
                # as tier 12: no leak checks (threads are off the allow-list)
                run_counted "oci/$script" "$LOG/oci_$script.out" \
                    env ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
                    WEFT_OCI="$BUILD/weft-oci" bash "tests/oci/$script.sh"
                add_missing "oci/$script" "$LOG/oci_$script.out"
            done
        fi
    fi
}

# ---- 14. wasm.h C API --------------------------------------------------------
# weft installed into a staging tree; ../shared/wasm-c-api's example
# programs (unchanged), examples/wasm_c_api.c and tests/capi/*.c built
# against the installed wasm.h and libweft-wasm.so, each run from a
# directory holding its module, exit status and output checked
# (docs/c-api.md).
tier_14() {
    header "14. wasm.h C API (tests/capi/run.sh)"
    if [ -f tests/capi/run.sh ]; then
        run_counted "wasm.h C API" "$LOG/capi.out" \
            env BUILD="$BUILD" CC="$CC" SAN_CFLAGS="$SAN_CFLAGS" \
            SAN_LDFLAGS="$SAN_LDFLAGS" bash tests/capi/run.sh
        add_missing "wasm.h C API" "$LOG/capi.out"
    fi
}

# ---- 15. snapshots -----------------------------------------------------------
# weft run --snapshot-at-fuel at pseudo-random points and weft restore, for
# real programs (docs/snapshot.md): restored runs end as uninterrupted ones.
# Not in the ASan build: about 700 runs of weft, and CI's time goes to the
# plain build's points (tier 1's test_snapshot and test_wasi_snapshot run
# the saving and restoring code under the sanitizers).
tier_15() {
    header "15. snapshots (tests/snapshot/run.sh)"
    if [ "$BUILD" = build-asan ]; then
        echo "not run in the ASan build (tier 1 runs the snapshot unit tests under ASan)"
    elif [ -f tests/snapshot/run.sh ]; then
        run_counted "snapshots" "$LOG/snapshot.out" \
            env WEFT="$BUILD/weft" SNAP_OUT="$BUILD/snapshot" bash tests/snapshot/run.sh
        # it counts a missing input as a failure under CI itself; its skips are
        # programs not reproducible run to run (each printed with the reason)
        add_skipped "$LOG/snapshot.out"
    fi
}

# ---- 16. packaging (P11) ----------------------------------------------------
# make install into a staging tree; what an embedder builds against
# (README "Install"): layout, SONAME, exported symbols = declared API,
# examples/embed.c through pkg-config, shared and static.
tier_16() {
    header "16. packaging (tests/package/run.sh)"
    run_counted "packaging" "$LOG/package.out" \
        env BUILD="$BUILD" CC="$CC" SAN_CFLAGS="$SAN_CFLAGS" \
        SAN_LDFLAGS="$SAN_LDFLAGS" bash tests/package/run.sh
}

# ---- running the tiers ------------------------------------------------------
# Most tiers run one process at a time, so on CI's 2 CPUs the tiers run in
# two lanes at once: lane B (real programs and everything built on them:
# WASI, protected files, OCI, snapshots) in the background, writing its own
# log, which is shown when both are done; lane A (the rest) here, shown as
# it runs. Every tier has its own output directory; the only cross-lane
# input is tier 6's WASI modules, which tier 7 waits for. WEFT_TEST_LANES=1
# runs every tier in order in this shell instead.
LANE_A=(1 2 3 4 4b 4c 9 10 11 14 16 7)
LANE_B=(5 6 8 12 13 15)
# ---- 5b. WebAssembly 3.0 programs (P10) ------------------------------------
# tests/wasm3/run.sh: a memory64 grown past 4 GiB (sparse), C built with
# -mtail-call and musttail, C++ built with -fwasm-exceptions, each in the
# interpreter and compiled code (both bounds modes), with the same
# expected output. Without clang-19 its C/C++ cases are skipped (a failure
# under CI). In lane B: it builds with clang like tier 6.
tier_5b() {
    header "5b. WebAssembly 3.0 programs (tests/wasm3/run.sh)"
    if [ -f tests/wasm3/run.sh ]; then
        run_counted "3.0 programs" "$LOG/wasm3_programs.out" \
            env WEFT="$BUILD/weft" WEFT_WASM3_OUT="$BUILD/wasm3" \
            WEFT_WASM3_MODES="$SPEC_MODES" bash tests/wasm3/run.sh
        add_missing "3.0 programs" "$LOG/wasm3_programs.out"
    fi
}
LANE_B+=(5b)
# WEFT_TIERS="1 4c ..." runs only those tiers (a developer's shortcut; the
# tiers that read another's output then find what an earlier run left).
if [ -n "${WEFT_TIERS:-}" ]; then
    pick() { local t w; for t; do for w in $WEFT_TIERS; do [ "$t" = "$w" ] && echo "$t"; done; done; }
    mapfile -t LANE_A < <(pick "${LANE_A[@]}")
    mapfile -t LANE_B < <(pick "${LANE_B[@]}")
fi
WASI_READY=$LOG/.wasi-ready

# lane_b: runs lane B's tiers and leaves its counts and times in files
# (this is a subshell: its totals are its own). WASI_READY is made when
# tier 6 is done, or when the lane ends in any way.
lane_b() {
    trap 'touch "$WASI_READY"' EXIT
    total_pass=0 total_fail=0 total_skip=0 tier_times=() tier_name=""
    local t
    for t in "${LANE_B[@]}"; do
        "tier_$t"
        [ "$t" = 6 ] && touch "$WASI_READY"
    done
    end_tier
    echo "$total_pass $total_fail $total_skip" >"$LOG/lane-b.counts"
    printf '%s\n' "${tier_times[@]}" >"$LOG/lane-b.times"
}

# wait_wasi: waits until lane B's tier 6 is done (or lane B has ended).
wait_wasi() {
    local waited=0
    while [ ! -e "$WASI_READY" ]; do
        [ "$waited" = 0 ] && echo "(waiting for tier 6, in lane B, whose WASI modules tier 7 uses)"
        waited=1
        sleep 2
    done
}

if [ "${WEFT_TEST_LANES:-2}" = 1 ]; then
    # in order, but tier 7 after tier 6
    for t in "${LANE_A[@]}" "${LANE_B[@]}"; do [ "$t" = 7 ] || "tier_$t"; done
    for t in "${LANE_A[@]}"; do [ "$t" = 7 ] && tier_7; done
    tiers_done=1
else
    rm -f "$WASI_READY" "$LOG/lane-b.counts" "$LOG/lane-b.times"
    echo "(tiers ${LANE_B[*]} run at the same time in lane B; their output follows lane A's)"
    lane_b >"$LOG/lane-b.out" 2>&1 &
    lane_b_pid=$!
    for t in "${LANE_A[@]}"; do
        [ "$t" = 7 ] && wait_wasi
        "tier_$t"
    done
    end_tier
    wait "$lane_b_pid"
    echo
    echo "==== lane B (tiers ${LANE_B[*]}), run beside lane A ===="
    cat "$LOG/lane-b.out"
    if [ -s "$LOG/lane-b.counts" ]; then
        read -r b_pass b_fail b_skip <"$LOG/lane-b.counts"
        add "$b_pass" "$b_fail"
        total_skip=$((total_skip + b_skip))
        mapfile -t b_times <"$LOG/lane-b.times"
        tier_times+=("${b_times[@]}")
    else
        echo "FAIL: lane B ended without its counts (see $LOG/lane-b.out)"
        add 0 1
    fi
    tiers_done=1 # inside the block: an error that ends it skips this
fi

finish
