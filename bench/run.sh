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
#   BENCH_OLD=path     a second weft binary: every mode M also runs as M@old
#                      with it, interleaved in the same rounds, and a closing
#                      table gives new/old per mode (regression checks)
#
# Every run is timed twice: wall time, and CPU time (user + system of the
# process, bash's `time`), which a shared machine disturbs less.  Ratios of
# both are printed; build/bench/chart.svg plots the CPU ratios.
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
# Kernels: name, default n, quick n, and "simd" for the SIMD kernels or
# "prog" for whole WASI programs from tests/programs (n: speedtest1 --size).
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
cmark       8000      80
speedtest1  25        2         prog
simd_matmul 200       2         simd
simd_bytes  2200      22        simd
"

# ---------------------------------------------------------------------------
# Execution modes.  To add a mode, add a case to mode_label and mode_run
# (and to mode_prepare if it needs work outside the timing) and list it in
# BENCH_MODES.  A mode M@old is M run with the BENCH_OLD binary.
mode_label() {
    local suffix=""
    case $1 in *@old) suffix=@old ;; esac
    case ${1%@old} in
        interp)       echo "weft-interp$suffix" ;;
        aot)          echo "weft-aot$suffix" ;;
        aot-explicit) echo "aot-explicit$suffix" ;;
        interp-fuel)  echo "interp-fuel$suffix" ;;
        aot-fuel)     echo "aot-fuel$suffix" ;;
        *)            echo "weft-$1" ;;
    esac
}

# mode_weft MODE — the weft binary a mode runs.
mode_weft() { case $1 in *@old) echo "$BENCH_OLD" ;; *) echo "$WEFT" ;; esac; }

# The artifact `weft compile` makes for an AoT mode.
artifact() { echo "$OUT/aot/$2.$1.cwasm"; }

# wasm_of KERNEL GROUP / native_of KERNEL GROUP — where its builds are.
wasm_of() { if [ "$2" = prog ]; then echo "build/programs/$1.wasm"; else echo "$OUT/wasm/$1.wasm"; fi; }
native_of() { if [ "$2" = prog ]; then echo "build/programs/$1.native"; else echo "$OUT/native/$1"; fi; }

# mode_prepare MODE KERNEL WASM — untimed work before the rounds: AoT modes
# compile the kernel once and record compile time and artifact size.
mode_prepare() {
    local flags=() art t0 t1 rc
    case ${1%@old} in
        aot) ;;
        aot-explicit) flags=(--explicit-bounds-checks) ;;
        aot-fuel) flags=(--fuel) ;;
        *) return 0 ;;
    esac
    art=$(artifact "$1" "$2")
    mkdir -p "$OUT/aot"
    t0=$(now)
    "$(mode_weft "$1")" compile --compile-timeout 0 "${flags[@]}" "$3" -o "$art" 2>>"$ERRLOG"
    rc=$?
    t1=$(now)
    [ $rc -eq 0 ] || { echo "[$2/$1] weft compile failed (exit $rc)" >> "$ERRLOG"; return 1; }
    printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$1" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" \
        "$(stat -c %s "$art")" "$(stat -c %s "$3")" >> "$COMPILES"
}

# prog_args GROUP N — sets ARGS: what follows the module (or native
# binary): the kernel's n, or a program's command line.  speedtest1 keeps
# its database in memory, so the file system is not measured.
prog_args() {
    if [ "$1" = prog ]; then ARGS=(--memdb --size "$2"); else ARGS=("$2"); fi
}

# mode_run MODE WASM N KERNEL GROUP — run one invocation; stdout must
# contain the result.
mode_run() {
    local w fuel=() file=$2 how=(--invoke run)
    w=$(mode_weft "$1")
    prog_args "$5" "$3"
    [ "$5" = prog ] && how=()
    case ${1%@old} in
        interp|interp-fuel) ;;
        aot|aot-explicit|aot-fuel) file=$(artifact "$1" "$4"); how=(--allow-precompiled "${how[@]}") ;;
        *)      echo "bench: unknown mode '$1'" >&2; return 127 ;;
    esac
    # fuel metering with more fuel than any kernel uses: its overhead
    case $1 in *-fuel*) fuel=(--fuel 1000000000000000) ;; esac
    if [ "$5" = prog ]; then
        "$w" run "${fuel[@]}" "${how[@]}" "$file" -- "${ARGS[@]}"
    else
        "$w" run "${fuel[@]}" "${how[@]}" "$file" "${ARGS[@]}"
    fi
}
# ---------------------------------------------------------------------------
usage() { sed -n '2,41p' "$0" | sed 's/^# \{0,1\}//'; }

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
# the second native build with NATIVE_MARCH_FLAGS; "prog": tests/programs
# builds both (from Debian's sources, fetched once).
build_kernel() {
    local k=$1 src=bench/kernels/$1.c hdr=bench/kernels/common.h
    local nbin=$OUT/native/$k wasm=$OUT/wasm/$k.wasm wflags=$WASM_FLAGS wstamp=$OUT/flags.wasm
    if [ "$2" = prog ]; then
        [ -f "$(wasm_of "$k" prog)" ] && [ -x "$(native_of "$k" prog)" ] && return 0
        echo "bench: building $k (tests/programs/fetch.sh, build.sh)" >&2
        bash tests/programs/fetch.sh --quiet && bash tests/programs/build.sh >/dev/null || return 1
        [ -f "$(wasm_of "$k" prog)" ] && [ -x "$(native_of "$k" prog)" ]
        return
    fi
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

SEL=()        # kernel:n:group, the kernels of the main table and geomean
SIMD_SEL=()   # kernel:n:simd, the SIMD kernels
while read -r k ndef nquick group; do
    [ -n "$k" ] || continue
    selected "$k" || continue
    [ "$group" = prog ] || [ -f "bench/kernels/$k.c" ] ||
        { echo "bench: missing bench/kernels/$k.c" >&2; exit 2; }
    if [ "$SIZE" = quick ]; then n=$nquick; else n=$ndef; fi
    eval "ov=\${BENCH_N_$k:-}"
    [ -n "$ov" ] && n=$ov
    if [ "$group" = simd ]; then SIMD_SEL+=("$k:$n:simd"); else SEL+=("$k:$n:$group"); fi
done <<EOF
$KERNELS
EOF
[ $(( ${#SEL[@]} + ${#SIMD_SEL[@]} )) -gt 0 ] || { echo "bench: no kernel matches: ${FILTERS[*]}" >&2; exit 2; }

for kn in "${SEL[@]+"${SEL[@]}"}" "${SIMD_SEL[@]+"${SIMD_SEL[@]}"}"; do
    build_kernel "${kn%%:*}" "${kn##*:}" || { echo "bench: build of ${kn%%:*} failed" >&2; exit 2; }
done
[ $BUILD_ONLY = 1 ] && { echo "bench: built $(( ${#SEL[@]} + ${#SIMD_SEL[@]} )) kernels in $OUT"; exit 0; }

if [ -n "$MODES" ] && [ ! -x "$WEFT" ]; then
    echo "bench: weft binary '$WEFT' not found (run make, set WEFT=..., or BENCH_MODES= for native only)" >&2
    exit 2
fi
if [ -n "${BENCH_OLD:-}" ] && [ ! -x "$BENCH_OLD" ]; then
    echo "bench: BENCH_OLD '$BENCH_OLD' is not an executable" >&2
    exit 2
fi

# ---------------------------------------------------------------------------
# Header.
read -r -a MODE_LIST <<<"$MODES"
if [ -n "${BENCH_OLD:-}" ]; then
    # each mode beside its old twin, so both see the same machine load
    both=()
    for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do both+=("$m" "$m@old"); done
    MODE_LIST=("${both[@]+"${both[@]}"}")
fi
hdr=$(printf '%-12s %9s %10s' kernel n "native s")
sep=$(printf '%-12s %9s %10s' ------------ --------- ----------)
for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
    l=$(mode_label "$m")
    hdr+=$(printf ' %16s %8s %7s' "$l s" ratio cpu)
    sep+=$(printf ' %16s %8s %7s' ---------------- -------- -------)
done
if [ ${#MODE_LIST[@]} -gt 0 ]; then wdesc="weft=$WEFT"; else wdesc="native only"; fi
[ -n "${BENCH_OLD:-}" ] && wdesc+=", old=$BENCH_OLD"
echo "weft bench: $ROUNDS rounds, median wall time (ratio) and CPU time (cpu ratio), size=$SIZE, $wdesc"

RESULTS=$OUT/results.tsv
printf 'kernel\tn\tmode\tmedian_s\tratio\tstatus\tchecksum\tmedian_cpu_s\tcpu_ratio\n' > "$RESULTS"
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

TIMEFORMAT='%3R %3U %3S'   # bash's `time`: wall, user, system seconds

# timed OUTFILE CMD... — run CMD with stdout to OUTFILE and stderr to the
# error log; sets RC, DT (wall seconds) and DC (CPU: user + system).
timed() {
    local f=$1 t; shift
    { time "$@" >"$f" 2>>"$ERRLOG"; } 2>"$OUT/time.1"
    RC=$?
    t=$(tail -n 1 "$OUT/time.1")
    DT=${t%% *}
    DC=$(awk '{ printf "%.3f", $2 + $3 }' <<<"$t")
}

# checksum GROUP < OUTPUT — a kernel's result (last integer, unsigned), or
# for a program the CRC of its output with timings taken out.
checksum() {
    if [ "$1" = prog ]; then
        sed -E 's/ +[0-9]+\.[0-9]{3}s$//' | cksum | awk '{ print $1 }'
    else
        norm_u32
    fi
}

# time_native BIN N GROUP — run BIN once; sets C (checksum), RC, DT and DC.
time_native() {
    prog_args "$3" "$2"
    timed "$OUT/run.out" "$1" "${ARGS[@]}"
    C=$(checksum "$3" <"$OUT/run.out")
}

ratio_of() { awk -v w="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? w / b : 0) }'; }

# bench_kernel KERNEL N GROUP — time and check one kernel, print its row.
# GROUP simd also times KERNEL.march and prints a second row with its time
# and the weft ratios against it.
bench_kernel() {
    local k=$1 n=$2 group=$3 nbin wasm
    local ntimes="" ncpu="" mtimes="" mcpu="" ref="" nstat=ok mstat=ok r m c
    local nmed ncmed mmed="" mcmed="" ncol line mline="" wmed cmed ratio cratio key
    local -A T=() TC=() ST=()
    nbin=$(native_of "$k" "$group"); wasm=$(wasm_of "$k" "$group")
    for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
        T[$m]=""; TC[$m]=""; ST[$m]=ok
        mode_prepare "$m" "$k" "$wasm" || ST[$m]=FAIL
    done

    for ((r = 1; r <= ROUNDS; r++)); do
        time_native "$nbin" "$n" "$group"
        if [ $RC -ne 0 ] || [ -z "$C" ]; then nstat=FAIL
        elif [ -z "$ref" ]; then ref=$C
        elif [ "$C" != "$ref" ]; then nstat=UNSTABLE
        fi
        ntimes+=" $DT"; ncpu+=" $DC"
        if [ "$group" = simd ]; then
            time_native "$nbin.march" "$n" "$group"
            if [ $RC -ne 0 ] || [ -z "$C" ]; then mstat=FAIL
            elif [ -n "$ref" ] && [ "$C" != "$ref" ]; then
                mstat=MISMATCH
                echo "[$k/native-march] checksum $C != native $ref" >> "$ERRLOG"
            fi
            mtimes+=" $DT"; mcpu+=" $DC"
        fi

        for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
            [ "${ST[$m]}" = ok ] || continue        # stop re-running a failing mode
            timed "$OUT/run.out" mode_run "$m" "$wasm" "$n" "$k" "$group"
            c=$(checksum "$group" <"$OUT/run.out")
            if [ $RC -ne 0 ] || [ -z "$c" ]; then
                ST[$m]=FAIL
                echo "[$k/$m] exit $RC, output: $(head -c 300 "$OUT/run.out")" >> "$ERRLOG"
                continue
            fi
            if [ -n "$ref" ] && [ "$c" != "$ref" ]; then
                ST[$m]=MISMATCH
                echo "[$k/$m] checksum $c != native $ref" >> "$ERRLOG"
                continue
            fi
            T[$m]+=" $DT"; TC[$m]+=" $DC"
        done
    done

    nmed=$(echo "$ntimes" | median); ncmed=$(echo "$ncpu" | median)
    if [ "$nstat" = ok ]; then ncol=$(printf '%10.3f' "$nmed"); else ncol=$(printf '%10s' "$nstat"); STATUS=1; fi
    line=$(printf '%-12s %9s %s' "$k" "$n" "$ncol")
    printf '%s\t%s\tnative\t%s\t1\t%s\t%s\t%s\t1\n' "$k" "$n" "$nmed" "$nstat" "$ref" "$ncmed" >> "$RESULTS"
    if [ "$group" = simd ]; then
        mmed=$(echo "$mtimes" | median); mcmed=$(echo "$mcpu" | median)
        [ "$nstat" = ok ] || mstat=$nstat
        if [ "$mstat" = ok ]; then
            mline=$(printf '%-22.22s %10.3f' "  $NATIVE_MARCH_FLAGS" "$mmed")
            ratio=$(ratio_of "$mmed" "$nmed"); cratio=$(ratio_of "$mcmed" "$ncmed")
        else
            mline=$(printf '%-22.22s %10s' "  $NATIVE_MARCH_FLAGS" "$mstat"); ratio=""; cratio=""; STATUS=1
        fi
        printf '%s\t%s\tnative-march\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$n" "$mmed" "$ratio" "$mstat" "$ref" \
            "$mcmed" "$cratio" >> "$RESULTS"
    fi
    key=main; [ "$group" = simd ] && key=simd
    for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
        if [ "${ST[$m]}" = ok ] && [ "$nstat" = ok ]; then
            wmed=$(echo "${T[$m]}" | median); cmed=$(echo "${TC[$m]}" | median)
            ratio=$(ratio_of "$wmed" "$nmed"); cratio=$(ratio_of "$cmed" "$ncmed")
            line+=$(printf ' %16.3f %8s %7s' "$wmed" "${ratio}x" "${cratio}x")
            add_ratio "$key:$m" "$wmed" "$nmed"; add_ratio "cpu$key:$m" "$cmed" "$ncmed"
            printf '%s\t%s\t%s\t%s\t%s\tok\t%s\t%s\t%s\n' "$k" "$n" "$m" "$wmed" "$ratio" "$ref" \
                "$cmed" "$cratio" >> "$RESULTS"
            if [ "$group" = simd ] && [ "$mstat" = ok ]; then
                mline+=$(printf ' %16s %8s %7s' "" "$(ratio_of "$wmed" "$mmed")x" "$(ratio_of "$cmed" "$mcmed")x")
                add_ratio "march:$m" "$wmed" "$mmed"; add_ratio "cpumarch:$m" "$cmed" "$mcmed"
            else
                mline+=$(printf ' %16s %8s %7s' "" - -)
            fi
        else
            STATUS=1
            line+=$(printf ' %16s %8s %7s' "${ST[$m]}" - -)
            mline+=$(printf ' %16s %8s %7s' "" - -)
            printf '%s\t%s\t%s\t\t\t%s\t\t\t\n' "$k" "$n" "$m" "${ST[$m]}" >> "$RESULTS"
        fi
    done
    echo "$line"
    [ "$group" = simd ] && echo "$mline"
    return 0
}

# geo KEY — the geomean of KEY's ratios, or empty.
geo() {
    [ "${CNT[$1]:-0}" -gt 0 ] || return 0
    awk -v s="${LOGSUM[$1]}" -v c="${CNT[$1]}" 'BEGIN { printf "%.2f", exp(s / c) }'
}

# print_geomean LABEL GROUP — one geomean line over GROUP's ratios per mode,
# wall and CPU.
print_geomean() {
    local line m g gc
    line=$(printf '%-22s %10s' "$1" "")
    for m in "${MODE_LIST[@]}"; do
        g=$(geo "$2:$m"); gc=$(geo "cpu$2:$m")
        line+=$(printf ' %16s %8s %7s' "" "${g:+${g}x}" "${gc:+${gc}x}")
    done
    echo "$line"
}

if [ ${#SEL[@]} -gt 0 ]; then
    echo "$hdr"
    echo "$sep"
    for kn in "${SEL[@]}"; do IFS=: read -r k n g <<<"$kn"; bench_kernel "$k" "$n" "$g"; done
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
    for kn in "${SIMD_SEL[@]}"; do IFS=: read -r k n g <<<"$kn"; bench_kernel "$k" "$n" "$g"; done
    if [ ${#MODE_LIST[@]} -gt 0 ]; then
        echo "$sep"
        print_geomean "simd geomean" simd
        print_geomean "  vs $NATIVE_MARCH_FLAGS" march
    fi
fi

# pct A_KEY B_KEY — geomean of A over geomean of B, as a signed percentage.
pct() {
    awk -v a="${LOGSUM[$1]}" -v b="${LOGSUM[$2]}" -v c="${CNT[$1]}" \
        'BEGIN { printf "%+.1f%%", (exp((a - b) / c) - 1) * 100 }'
}

# Fuel metering's cost: each metered mode's geomean against its unmetered
# twin, over the main kernels (AccTEE's figure for its metering is 10%).
fuel_line=""
for m in "${MODE_LIST[@]+"${MODE_LIST[@]}"}"; do
    base=${m/-fuel/}
    [ "$base" != "$m" ] && [ "${CNT[main:$m]:-0}" -gt 0 ] &&
        [ "${CNT[main:$m]:-0}" = "${CNT[main:$base]:-0}" ] || continue
    fuel_line+=" $base $(pct "main:$m" "main:$base") wall, $(pct "cpumain:$m" "cpumain:$base") cpu;"
done
[ -n "$fuel_line" ] && { echo; echo "fuel metering overhead (geomean of metered/unmetered):${fuel_line%;}"; }

# New against old (BENCH_OLD): per mode, over the main and the SIMD kernels.
if [ -n "${BENCH_OLD:-}" ]; then
    echo
    echo "new/old (geomean of time ratios, same rounds; below 0% the new binary is faster)"
    for m in "${MODE_LIST[@]}"; do
        case $m in *@old) continue ;; esac
        for grp in main simd; do
            [ "${CNT[$grp:$m]:-0}" -gt 0 ] && [ "${CNT[$grp:$m]:-0}" = "${CNT[$grp:$m@old]:-0}" ] || continue
            printf '  %-14s %-5s wall %7s  cpu %7s\n' "$(mode_label "$m")" "$grp" \
                "$(pct "$grp:$m" "$grp:$m@old")" "$(pct "cpu$grp:$m" "cpu$grp:$m@old")"
        done
    done
fi
if [ "$(wc -l < "$COMPILES")" -gt 1 ]; then
    echo
    echo "AoT compile (weft compile, -j$(nproc 2>/dev/null || echo 1); not in the times above)"
    printf '%-12s %-13s %10s %12s %10s\n' kernel mode "compile s" "artifact KiB" "wasm KiB"
    awk -F'\t' 'NR > 1 { printf "%-12s %-13s %10.3f %12.1f %10.1f\n", $1, $2, $3, $4 / 1024, $5 / 1024 }' "$COMPILES"
fi
if [ ${#MODE_LIST[@]} -gt 0 ] && awk -f bench/chart.awk "$RESULTS" > "$OUT/chart.svg"; then
    echo "chart (CPU-time ratios to native, log scale): $OUT/chart.svg"
fi
echo "results: $RESULTS"
[ "$(wc -l < "$COMPILES")" -gt 1 ] && echo "compile times and sizes: $COMPILES"
if [ $STATUS -ne 0 ]; then
    echo "bench: FAILED (failures/mismatches above; details in $ERRLOG)" >&2
fi
exit $STATUS
