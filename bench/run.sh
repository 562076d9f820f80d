#!/usr/bin/env bash
# bench/run.sh — weft benchmark suite.
#
# Builds every kernel in bench/kernels/ natively (gcc) and to wasm32
# (clang-19 + wasm-ld), then times native vs. each weft execution mode,
# interleaved round by round, checks that every weft checksum equals the
# native one, and prints a table of median wall times and ratios.  The SIMD
# kernels (marked simd in KERNELS) are built for wasm with -msimd128 and
# natively a second time with -march=native; they get their own table and
# geomeans.
#
# Usage: bench/run.sh [KERNEL-PATTERN ...]      (shell globs, e.g. gemm 'n*')
#        bench/run.sh --list | --build-only | --help
#
# Environment:
#   WEFT=path          weft binary                   (default build/weft)
#   BENCH_ROUNDS=R     timed rounds per kernel/mode  (default 3; median taken)
#   BENCH_MODES="..."  weft modes to run, in order   (default "interp
#                      interp-fuel aot aot-fuel";
#                      "" = native only).  interp: the interpreter; aot:
#                      `weft compile` (guard pages on 64-bit hosts), then
#                      `weft run --allow-precompiled X.cwasm`; aot-explicit: the same with
#                      --explicit-bounds-checks; interp-fuel, aot-fuel: the
#                      interpreter and AoT code metering fuel (--fuel), to
#                      measure its overhead.  See mode_label/mode_run.
#   BENCH_SIZE=S       "default" (~0.25 s native per kernel) or "quick"
#                      (~100x less work; smoke test)
#   BENCH_N_<kernel>=N override n for one kernel, e.g. BENCH_N_gemm=300
#   BENCH_OUT=dir      build/output directory        (default build/bench)
#   BENCH_CC, BENCH_CLANG, BENCH_NATIVE_FLAGS, BENCH_WASM_FLAGS
#   BENCH_WASM_SIMD_FLAGS   added for SIMD kernels' wasm  (default -msimd128)
#   BENCH_NATIVE_MARCH_FLAGS  added for their second native build
#                           (default -march=native)
#
# Benchmarks measure; they never assert timings.  The exit status is
# non-zero only for build failures, weft failures and checksum mismatches.

set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

OUT=${BENCH_OUT:-build/bench}
WEFT=${WEFT:-build/weft}
ROUNDS=${BENCH_ROUNDS:-3}
MODES=${BENCH_MODES-interp interp-fuel aot aot-fuel}
SIZE=${BENCH_SIZE:-default}
CC_NATIVE=${BENCH_CC:-gcc}
if [ -n "${BENCH_CLANG:-}" ]; then
    CLANG=$BENCH_CLANG
elif command -v clang-19 >/dev/null 2>&1; then
    CLANG=clang-19
else
    CLANG=/usr/lib/llvm-19/bin/clang
fi

# Same IEEE semantics on both sides: no FMA contraction, no errno-setting
# sqrt calls; SSE2 doubles on x86-64 and f64 ops on wasm are bit-exact.
NATIVE_FLAGS=${BENCH_NATIVE_FLAGS:-"-std=gnu11 -O2 -fno-math-errno -ffp-contract=off -Wall -Wextra"}
WASM_FLAGS=${BENCH_WASM_FLAGS:-"--target=wasm32 -std=gnu11 -O2 -ffreestanding -fno-math-errno -ffp-contract=off -Wall -Wextra -nostdlib -fuse-ld=lld -Wl,--no-entry -Wl,--export=run -Wl,--gc-sections"}
# SIMD kernels only: appended to WASM_FLAGS, and to NATIVE_FLAGS for the
# second native build (build/bench/native/KERNEL.march).
WASM_SIMD_FLAGS=${BENCH_WASM_SIMD_FLAGS:-"-msimd128"}
NATIVE_MARCH_FLAGS=${BENCH_NATIVE_MARCH_FLAGS:-"-march=native"}

# ---------------------------------------------------------------------------
# Kernels: name, default n, quick n, and "simd" for the SIMD kernels.
# Default n gives ~0.2-0.3 s with gcc -O2 on a ~3 GHz x86-64 core.  Meaning
# of n: see bench/README.md.  The geomean covers the kernels without "simd"
# only, so it stays comparable with earlier results.
KERNELS="
gemm        850       180
lu          1180      250
floyd       700       150
nussinov    850       180
jacobi2d    2600      26
crc32       2000      20
sha256      18000     180
mandelbrot  1200      120
nbody       25000     250
heapsort    2000000   20000
primes      3000000   30000
simd_matmul 200       2         simd
simd_bytes  2200      22        simd
"

# ---------------------------------------------------------------------------
# Execution modes.  To add a mode, add a case to mode_label and mode_run
# (and to mode_prepare if it needs work outside the timing) and list it in
# BENCH_MODES.
mode_label() {
    case $1 in
        interp)       echo "weft-interp" ;;
        aot)          echo "weft-aot" ;;
        aot-explicit) echo "aot-explicit" ;;
        interp-fuel)  echo "interp-fuel" ;;
        aot-fuel)     echo "aot-fuel" ;;
        *)            echo "weft-$1" ;;
    esac
}

# The artifact `weft compile` makes for an AoT mode.
artifact() { echo "$OUT/aot/$2.$1.cwasm"; }

# mode_prepare MODE KERNEL WASM — untimed work before the rounds: AoT modes
# compile the kernel once and record compile time and artifact size.
mode_prepare() {
    local flags=() art t0 t1 rc
    case $1 in
        aot) ;;
        aot-explicit) flags=(--explicit-bounds-checks) ;;
        aot-fuel) flags=(--fuel) ;;
        *) return 0 ;;
    esac
    art=$(artifact "$1" "$2")
    mkdir -p "$OUT/aot"
    t0=$(now)
    "$WEFT" compile --compile-timeout 0 "${flags[@]}" "$3" -o "$art" 2>>"$ERRLOG"
    rc=$?
    t1=$(now)
    [ $rc -eq 0 ] || { echo "[$2/$1] weft compile failed (exit $rc)" >> "$ERRLOG"; return 1; }
    printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$1" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" \
        "$(stat -c %s "$art")" "$(stat -c %s "$3")" >> "$COMPILES"
}

# mode_run MODE WASM N KERNEL — run one invocation; stdout must contain the
# result.
mode_run() {
    case $1 in
        interp) "$WEFT" run --invoke run "$2" "$3" ;;
        aot|aot-explicit) "$WEFT" run --allow-precompiled --invoke run "$(artifact "$1" "$4")" "$3" ;;
        # fuel metering with more fuel than any kernel uses: its overhead
        interp-fuel) "$WEFT" run --fuel 1000000000000000 --invoke run "$2" "$3" ;;
        aot-fuel) "$WEFT" run --allow-precompiled --fuel 1000000000000000 --invoke run \
                      "$(artifact "$1" "$4")" "$3" ;;
        *)      echo "bench: unknown mode '$1'" >&2; return 127 ;;
    esac
}

# ---------------------------------------------------------------------------
usage() { sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; }

now() {
    if [ -n "${EPOCHREALTIME:-}" ]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi
}

# Last integer in the output, normalised to unsigned 32-bit decimal.
norm_u32() {
    tr -c '0-9-' ' ' | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9]+$/) v = $i }
        END { if (v == "") exit 1; v += 0; if (v < 0) v += 4294967296; printf "%.0f\n", v }'
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 }
    END { if (NR == 0) exit 1; if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

selected() {
    [ ${#FILTERS[@]} -eq 0 ] && return 0
    local k=$1 p
    for p in "${FILTERS[@]}"; do
        # shellcheck disable=SC2254
        case $k in $p) return 0 ;; esac
    done
    return 1
}

# needs_build OUT SRC... — true if OUT is missing or older than any SRC.
needs_build() {
    local out=$1 s; shift
    [ -f "$out" ] || return 0
    for s in "$@"; do [ "$s" -nt "$out" ] && return 0; done
    return 1
}

# build_kernel KERNEL GROUP — GROUP "simd": wasm with WASM_SIMD_FLAGS, plus
# the second native build with NATIVE_MARCH_FLAGS.
build_kernel() {
    local k=$1 src=bench/kernels/$1.c hdr=bench/kernels/common.h
    local nbin=$OUT/native/$k wasm=$OUT/wasm/$k.wasm wflags=$WASM_FLAGS wstamp=$OUT/flags.wasm
    if needs_build "$nbin" "$src" "$hdr" bench/native_main.c "$OUT/flags.native"; then
        # shellcheck disable=SC2086
        $CC_NATIVE $NATIVE_FLAGS -o "$nbin" bench/native_main.c "$src" || return 1
    fi
    if [ "$2" = simd ]; then
        wflags="$WASM_FLAGS $WASM_SIMD_FLAGS"; wstamp=$OUT/flags.wasm-simd
        if needs_build "$nbin.march" "$src" "$hdr" bench/native_main.c "$OUT/flags.native-march"; then
            # shellcheck disable=SC2086
            $CC_NATIVE $NATIVE_FLAGS $NATIVE_MARCH_FLAGS -o "$nbin.march" bench/native_main.c "$src" || return 1
        fi
    fi
    if needs_build "$wasm" "$src" "$hdr" bench/wasm_rt.c "$wstamp"; then
        # shellcheck disable=SC2086
        $CLANG $wflags -o "$wasm" "$src" bench/wasm_rt.c || return 1
    fi
}

# Record flags; a change forces a rebuild through needs_build's dependency.
stamp() {
    local f=$1 v=$2
    if [ ! -f "$f" ] || [ "$(cat "$f")" != "$v" ]; then printf '%s\n' "$v" > "$f"; fi
}

# ---------------------------------------------------------------------------
BUILD_ONLY=0
FILTERS=()
for a in "$@"; do
    case $a in
        -h|--help) usage; exit 0 ;;
        --list) echo "$KERNELS" | awk 'NF { printf "%-12s n=%s (quick %s)\n", $1, $2, $3 }'; exit 0 ;;
        --build-only) BUILD_ONLY=1 ;;
        -*) echo "bench: unknown option $a" >&2; exit 2 ;;
        *) FILTERS+=("$a") ;;
    esac
done
case $SIZE in default|quick) ;; *) echo "bench: BENCH_SIZE must be default or quick" >&2; exit 2 ;; esac
case $ROUNDS in ''|*[!0-9]*|0) echo "bench: BENCH_ROUNDS must be a positive integer" >&2; exit 2 ;; esac

mkdir -p "$OUT/native" "$OUT/wasm" || exit 2
stamp "$OUT/flags.native" "$CC_NATIVE $NATIVE_FLAGS"
stamp "$OUT/flags.wasm" "$CLANG $WASM_FLAGS"
stamp "$OUT/flags.wasm-simd" "$CLANG $WASM_FLAGS $WASM_SIMD_FLAGS"
stamp "$OUT/flags.native-march" "$CC_NATIVE $NATIVE_FLAGS $NATIVE_MARCH_FLAGS"

SEL=()        # kernel:n, the kernels of the main table and geomean
SIMD_SEL=()   # kernel:n, the SIMD kernels
while read -r k ndef nquick group; do
    [ -n "$k" ] || continue
    selected "$k" || continue
    [ -f "bench/kernels/$k.c" ] || { echo "bench: missing bench/kernels/$k.c" >&2; exit 2; }
    if [ "$SIZE" = quick ]; then n=$nquick; else n=$ndef; fi
    eval "ov=\${BENCH_N_$k:-}"
    [ -n "$ov" ] && n=$ov
    if [ "$group" = simd ]; then SIMD_SEL+=("$k:$n"); else SEL+=("$k:$n"); fi
done <<EOF
$KERNELS
EOF
[ $(( ${#SEL[@]} + ${#SIMD_SEL[@]} )) -gt 0 ] || { echo "bench: no kernel matches: ${FILTERS[*]}" >&2; exit 2; }

for kn in "${SEL[@]+"${SEL[@]}"}"; do
    build_kernel "${kn%%:*}" "" || { echo "bench: build of ${kn%%:*} failed" >&2; exit 2; }
done
for kn in "${SIMD_SEL[@]+"${SIMD_SEL[@]}"}"; do
    build_kernel "${kn%%:*}" simd || { echo "bench: build of ${kn%%:*} failed" >&2; exit 2; }
done
[ $BUILD_ONLY = 1 ] && { echo "bench: built $(( ${#SEL[@]} + ${#SIMD_SEL[@]} )) kernels in $OUT"; exit 0; }

if [ -n "$MODES" ] && [ ! -x "$WEFT" ]; then
    echo "bench: weft binary '$WEFT' not found (run make, set WEFT=..., or BENCH_MODES= for native only)" >&2
    exit 2
fi

# ---------------------------------------------------------------------------
# Header.
read -r -a MODE_LIST <<<"$MODES"
hdr=$(printf '%-12s %9s %10s' kernel n "native s")
sep=$(printf '%-12s %9s %10s' ------------ --------- ----------)
for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
    l=$(mode_label "$m")
    hdr+=$(printf ' %14s %8s' "$l s" ratio)
    sep+=$(printf ' %14s %8s' -------------- --------)
done
if [ ${#MODE_LIST[@]} -gt 0 ]; then wdesc="weft=$WEFT"; else wdesc="native only"; fi
echo "weft bench: $ROUNDS rounds, median wall time, size=$SIZE, $wdesc"

RESULTS=$OUT/results.tsv
printf 'kernel\tn\tmode\tmedian_s\tratio\tstatus\tchecksum\n' > "$RESULTS"
STATUS=0
# Sums of log(ratio) and counts, keyed GROUP:MODE.  GROUP is main (the
# geomean line), simd (SIMD kernels against plain native) or march (SIMD
# kernels against the NATIVE_MARCH_FLAGS build).
declare -A LOGSUM CNT
ERRLOG=$OUT/last_error.txt
: > "$ERRLOG"
COMPILES=$OUT/compile.tsv
printf 'kernel\tmode\tcompile_s\tartifact_bytes\twasm_bytes\n' > "$COMPILES"

# add_ratio KEY WEFT_S NATIVE_S — one ratio into the geomean KEY.
add_ratio() {
    LOGSUM[$1]=$(awk -v s="${LOGSUM[$1]:-0}" -v w="$2" -v b="$3" 'BEGIN { printf "%.9f", s + (w > 0 && b > 0 ? log(w / b) : 0) }')
    CNT[$1]=$(( ${CNT[$1]:-0} + 1 ))
}

# time_native BIN N — run BIN N once; sets C (checksum), RC and DT.
time_native() {
    local t0 t1 out
    t0=$(now); out=$("$1" "$2" 2>>"$ERRLOG"); RC=$?; t1=$(now)
    C=$(printf '%s\n' "$out" | norm_u32)
    DT=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
}

# bench_kernel KERNEL N GROUP — time and check one kernel, print its row.
# GROUP simd also times KERNEL.march and prints a second row with its time
# and the weft ratios against it.
bench_kernel() {
    local k=$1 n=$2 group=$3
    local nbin=$OUT/native/$k wasm=$OUT/wasm/$k.wasm
    local ntimes="" mtimes="" ref="" nstat=ok mstat=ok r m out rc c t0 t1
    local nmed mmed="" ncol line mline="" wmed ratio
    local -A T=() ST=()
    for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
        T[$m]=""; ST[$m]=ok
        mode_prepare "$m" "$k" "$wasm" || ST[$m]=FAIL
    done

    for ((r = 1; r <= ROUNDS; r++)); do
        time_native "$nbin" "$n"
        if [ $RC -ne 0 ] || [ -z "$C" ]; then nstat=FAIL
        elif [ -z "$ref" ]; then ref=$C
        elif [ "$C" != "$ref" ]; then nstat=UNSTABLE
        fi
        ntimes+=" $DT"
        if [ "$group" = simd ]; then
            time_native "$nbin.march" "$n"
            if [ $RC -ne 0 ] || [ -z "$C" ]; then mstat=FAIL
            elif [ -n "$ref" ] && [ "$C" != "$ref" ]; then
                mstat=MISMATCH
                echo "[$k/native-march] checksum $C != native $ref" >> "$ERRLOG"
            fi
            mtimes+=" $DT"
        fi

        for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
            [ "${ST[$m]}" = ok ] || continue        # stop re-running a failing mode
            t0=$(now); out=$(mode_run "$m" "$wasm" "$n" "$k" 2>>"$ERRLOG"); rc=$?; t1=$(now)
            c=$(printf '%s\n' "$out" | norm_u32)
            if [ $rc -ne 0 ] || [ -z "$c" ]; then
                ST[$m]=FAIL
                echo "[$k/$m] exit $rc, output: $(printf '%s' "$out" | head -c 300)" >> "$ERRLOG"
                continue
            fi
            if [ -n "$ref" ] && [ "$c" != "$ref" ]; then
                ST[$m]=MISMATCH
                echo "[$k/$m] checksum $c != native $ref" >> "$ERRLOG"
                continue
            fi
            T[$m]+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
        done
    done

    nmed=$(echo "$ntimes" | median)
    if [ "$nstat" = ok ]; then ncol=$(printf '%10.3f' "$nmed"); else ncol=$(printf '%10s' "$nstat"); STATUS=1; fi
    line=$(printf '%-12s %9s %s' "$k" "$n" "$ncol")
    printf '%s\t%s\tnative\t%s\t1\t%s\t%s\n' "$k" "$n" "$nmed" "$nstat" "$ref" >> "$RESULTS"
    if [ "$group" = simd ]; then
        mmed=$(echo "$mtimes" | median)
        [ "$nstat" = ok ] || mstat=$nstat
        if [ "$mstat" = ok ]; then
            mline=$(printf '%-22.22s %10.3f' "  $NATIVE_MARCH_FLAGS" "$mmed")
            ratio=$(awk -v w="$mmed" -v b="$nmed" 'BEGIN { printf "%.2f", (b > 0 ? w / b : 0) }')
        else
            mline=$(printf '%-22.22s %10s' "  $NATIVE_MARCH_FLAGS" "$mstat"); ratio=""; STATUS=1
        fi
        printf '%s\t%s\tnative-march\t%s\t%s\t%s\t%s\n' "$k" "$n" "$mmed" "$ratio" "$mstat" "$ref" >> "$RESULTS"
    fi
    for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
        if [ "${ST[$m]}" = ok ] && [ "$nstat" = ok ]; then
            wmed=$(echo "${T[$m]}" | median)
            ratio=$(awk -v w="$wmed" -v b="$nmed" 'BEGIN { printf "%.2f", (b > 0 ? w / b : 0) }')
            line+=$(printf ' %14.3f %8s' "$wmed" "${ratio}x")
            if [ "$group" = simd ]; then add_ratio "simd:$m" "$wmed" "$nmed"; else add_ratio "main:$m" "$wmed" "$nmed"; fi
            printf '%s\t%s\t%s\t%s\t%s\tok\t%s\n' "$k" "$n" "$m" "$wmed" "$ratio" "$ref" >> "$RESULTS"
            if [ "$group" = simd ] && [ "$mstat" = ok ]; then
                mline+=$(printf ' %14s %8s' "" "$(awk -v w="$wmed" -v b="$mmed" 'BEGIN { printf "%.2f", (b > 0 ? w / b : 0) }')x")
                add_ratio "march:$m" "$wmed" "$mmed"
            else
                mline+=$(printf ' %14s %8s' "" -)
            fi
        else
            STATUS=1
            line+=$(printf ' %14s %8s' "${ST[$m]}" -)
            mline+=$(printf ' %14s %8s' "" -)
            printf '%s\t%s\t%s\t\t\t%s\t\n' "$k" "$n" "$m" "${ST[$m]}" >> "$RESULTS"
        fi
    done
    echo "$line"
    [ "$group" = simd ] && echo "$mline"
    return 0
}

# print_geomean LABEL GROUP — one geomean line over GROUP's ratios per mode.
print_geomean() {
    local line m g
    line=$(printf '%-22s %10s' "$1" "")
    for m in "${MODE_LIST[@]}"; do
        if [ "${CNT[$2:$m]:-0}" -gt 0 ]; then
            g=$(awk -v s="${LOGSUM[$2:$m]}" -v c="${CNT[$2:$m]}" 'BEGIN { printf "%.2f", exp(s / c) }')
            line+=$(printf ' %14s %8s' "" "${g}x")
        else
            line+=$(printf ' %14s %8s' "" -)
        fi
    done
    echo "$line"
}

if [ ${#SEL[@]} -gt 0 ]; then
    echo "$hdr"
    echo "$sep"
    for kn in "${SEL[@]}"; do bench_kernel "${kn%%:*}" "${kn#*:}" main; done
    if [ ${#MODE_LIST[@]} -gt 0 ]; then
        echo "$sep"
        print_geomean geomean main
    fi
fi
if [ ${#SIMD_SEL[@]} -gt 0 ]; then
    [ ${#SEL[@]} -gt 0 ] && echo
    echo "SIMD kernels (wasm $WASM_SIMD_FLAGS); second row: native built with $NATIVE_MARCH_FLAGS, weft ratios against it"
    echo "$hdr"
    echo "$sep"
    for kn in "${SIMD_SEL[@]}"; do bench_kernel "${kn%%:*}" "${kn#*:}" simd; done
    if [ ${#MODE_LIST[@]} -gt 0 ]; then
        echo "$sep"
        print_geomean "simd geomean" simd
        print_geomean "  vs $NATIVE_MARCH_FLAGS" march
    fi
fi
# Fuel metering's cost: each metered mode's geomean against its unmetered
# twin, over the main kernels (AccTEE's figure for its metering is 10%).
fuel_line=""
for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
    base=${m%-fuel}
    [ "$base" != "$m" ] && [ "${CNT[main:$m]:-0}" -gt 0 ] && [ "${CNT[main:$base]:-0}" -gt 0 ] || continue
    pct=$(awk -v a="${LOGSUM[main:$m]}" -v b="${LOGSUM[main:$base]}" -v c="${CNT[main:$m]}" \
        'BEGIN { printf "%+.1f%%", (exp((a - b) / c) - 1) * 100 }')
    fuel_line+=" $base $pct;"
done
[ -n "$fuel_line" ] && { echo; echo "fuel metering overhead (geomean of metered/unmetered):${fuel_line%;}"; }
if [ "$(wc -l < "$COMPILES")" -gt 1 ]; then
    echo
    echo "AoT compile (weft compile, -j$(nproc 2>/dev/null || echo 1); not in the times above)"
    printf '%-12s %-13s %10s %12s %10s\n' kernel mode "compile s" "artifact KiB" "wasm KiB"
    awk -F'\t' 'NR > 1 { printf "%-12s %-13s %10.3f %12.1f %10.1f\n", $1, $2, $3, $4 / 1024, $5 / 1024 }' "$COMPILES"
fi
echo "results: $RESULTS"
[ "$(wc -l < "$COMPILES")" -gt 1 ] && echo "compile times and sizes: $COMPILES"
if [ $STATUS -ne 0 ]; then
    echo "bench: FAILED (failures/mismatches above; details in $ERRLOG)" >&2
fi
exit $STATUS
