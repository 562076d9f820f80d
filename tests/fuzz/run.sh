#!/usr/bin/env bash
# run.sh — fuzzes weft for SECONDS (default 600) with build-fuzz/fuzz_load.
#
#   1. builds the target (tests/fuzz/build.sh);
#   2. seeds: every build/spec/json/*/*.wasm and build/bench/wasm/*.wasm
#      (read-only, copied to build-fuzz/seeds/ under their SHA-1 names);
#   3. fuzzes with the committed corpus tests/fuzz/corpus/ plus what earlier
#      runs found (build-fuzz/work/); crashes go to build-fuzz/artifacts/;
#   4. minimises with -merge=1 (edges only, -use_counters=0, which keeps it
#      to a few hundred files) against the seeds and rewrites
#      tests/fuzz/corpus/ with the inputs that add coverage beyond them.
#      No seed is ever copied there: spec modules are Apache-2.0 files
#      kept outside this tree, so only fuzzer-made inputs are committed.
#
# usage: tests/fuzz/run.sh [SECONDS]    (FUZZ_JOBS=N for parallel workers;
#        SECONDS=0 only re-minimises build-fuzz/work/ into the corpus)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECONDS_TO_RUN=${1:-600}
OUT=build-fuzz
BIN=$OUT/fuzz_load
CORPUS=tests/fuzz/corpus

bash tests/fuzz/build.sh >"$OUT.build.log" 2>&1 || {
  cat "$OUT.build.log"
  exit 2
}
mkdir -p "$OUT/seeds" "$OUT/work" "$OUT/artifacts" "$CORPUS"

# ---- seeds, named by content so duplicates collapse ------------------------
for f in build/spec/json/*/*.wasm build/bench/wasm/*.wasm; do
  [ -f "$f" ] || continue
  h=$(sha1sum "$f" | cut -d' ' -f1)
  [ -f "$OUT/seeds/$h" ] || cp "$f" "$OUT/seeds/$h"
done
echo "seeds: $(ls "$OUT/seeds" | wc -l) files" \
  "(run 'make' and tests/spec/run_spec.sh first to produce them)"
cp -n "$CORPUS"/* "$OUT/work/" 2>/dev/null || true

# ---- fuzz -------------------------------------------------------------------
# New inputs land in the first directory (work/); the others are read.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
jobs=${FUZZ_JOBS:-1}
set +e
if [ "$SECONDS_TO_RUN" -eq 0 ]; then
  echo "SECONDS=0: not fuzzing"
elif [ "$jobs" -gt 1 ]; then
  "$BIN" -max_total_time="$SECONDS_TO_RUN" -timeout=20 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$OUT/artifacts/" -print_final_stats=1 \
    -jobs="$jobs" -workers="$jobs" "$OUT/work" "$OUT/seeds" 2>&1 |
    tee "$OUT/fuzz.log"
else
  "$BIN" -max_total_time="$SECONDS_TO_RUN" -timeout=20 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$OUT/artifacts/" -print_final_stats=1 \
    "$OUT/work" "$OUT/seeds" 2>&1 | tee "$OUT/fuzz.log"
fi
rc=${PIPESTATUS[0]}
[ "$SECONDS_TO_RUN" -eq 0 ] && rc=0
set -e
echo "fuzzer exit status: $rc; artifacts: $(ls "$OUT/artifacts" | wc -l)"

# ---- minimise ---------------------------------------------------------------
# merge/ starts as the seeds, so only inputs adding features beyond them
# (and beyond each other) are added; those become the committed corpus.
rm -rf "$OUT/merge"
cp -r "$OUT/seeds" "$OUT/merge"
"$BIN" -merge=1 -use_counters=0 -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
  "$OUT/merge" "$OUT/work" >"$OUT/merge.log" 2>&1 || {
  tail -n 20 "$OUT/merge.log"
  exit 2
}
rm -f "$CORPUS"/*
for f in "$OUT/merge"/*; do
  h=$(sha1sum "$f" | cut -d' ' -f1) # content, whatever the file's name
  [ -f "$OUT/seeds/$h" ] || cp "$f" "$CORPUS/$h"
done
echo "corpus: $(ls "$CORPUS" | wc -l) files, $(du -sh "$CORPUS" | cut -f1)" \
  "in $CORPUS"
exit "$rc"
