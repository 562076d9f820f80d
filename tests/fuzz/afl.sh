#!/usr/bin/env bash
# afl.sh — AFL++ (Debian afl++) on the weft CLI, the second opinion beside
# the libFuzzer target (which has ASan+UBSan): `weft validate FILE` (decode,
# validate and lower, the CLI's error reporting) built with afl-cc, seeded
# from tests/fuzz/corpus/. Crashes and hangs are left in build-afl/out/; the
# script fails when AFL++ saved any crash.
#
# usage: tests/fuzz/afl.sh [SECONDS]     (default 600; needs afl++)
#        AFL_SAN=1 adds ASan+UBSan (afl-cc's clang then takes many minutes
#        on the interpreter's dispatch function)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECONDS_TO_RUN=${1:-600}
BUILD=build-afl
if ! command -v afl-fuzz >/dev/null || ! command -v afl-cc >/dev/null; then
  echo "afl.sh: AFL++ is not installed (apt-get install afl++): skipped"
  exit 0
fi
JOBS=$(nproc 2>/dev/null || echo 2)
export AFL_QUIET=1
if [ -n "${AFL_SAN:-}" ]; then
  export AFL_USE_ASAN=1 AFL_USE_UBSAN=1
fi
make -j"$JOBS" CC=afl-cc BUILD="$BUILD" OPT=-O1 "$BUILD/weft" >"$BUILD.build.log" 2>&1 || {
  tail -n 20 "$BUILD.build.log"
  exit 2
}
mkdir -p "$BUILD/seeds"
# small seeds keep AFL++ fast: the corpus files under 4 KiB
find tests/fuzz/corpus -type f -size -4k -exec cp {} "$BUILD/seeds/" \;
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
afl-fuzz -V "$SECONDS_TO_RUN" -t 2000 -m none -i "$BUILD/seeds" -o "$BUILD/out" \
  -- "$BUILD/weft" validate @@ >"$BUILD/afl.log" 2>&1 || true
stats=$BUILD/out/default/fuzzer_stats
[ -f "$stats" ] || { tail -n 30 "$BUILD/afl.log"; exit 2; }
grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time) ' "$stats"
crashes=$(awk '$1 == "saved_crashes" { print $3 }' "$stats")
[ "${crashes:-0}" = 0 ] || { echo "afl.sh: crashes in $BUILD/out/default/crashes/"; exit 1; }
