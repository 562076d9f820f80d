#!/usr/bin/env bash
# run.sh — the text-format tier: `weft wast` over every file of the 2.0 spec
# suite (interpreter), each file's counts checked, and compared per file and
# per category with the wabt path (wast2json + spec_runner, as printed by
# tests/spec/run_spec.sh); the text-form assert_malformed commands, which
# that path skips, must all pass here. `--wasm-2.0`: the 2.0 suite expects
# 2.0's binary rules where multiple memories and memory64 changed them.
#
# usage: tests/text/run.sh [--weft PATH] [--wabt-log FILE | --compare] [NAME...]
#   --weft PATH     the weft binary (default $BUILD/weft)
#   --wabt-log FILE compare with this output of tests/spec/run_spec.sh
#                   (interpreter mode; scripts/test.sh's spec tier log)
#   --compare       run tests/spec/run_spec.sh now and compare (needs
#                   wast2json; about 45 s on 2 CPUs)
#   --aot, --aot-explicit   passed to weft wast (no comparison then)
#   NAME            only these files (i32 or i32.wast)
# environment: BUILD, WEFT_SPEC_DIR as for run_spec.sh; CI: a missing suite
# is a failure, not a skip.
# Prints one line per file and a closing "N passed, N failed" (the wast
# commands, plus one failure per file whose counts differ from wabt's;
# files missing from a partial wabt log are named as not compared).
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
build_dir="${BUILD:-build}"
case "$build_dir" in /*) ;; *) build_dir="$repo/$build_dir" ;; esac
weft="$build_dir/weft"
wabt_log=""
compare=0
wast_flags=()
names=()
while [ $# -gt 0 ]; do
  case "$1" in
  --weft) weft=$2; shift 2 ;;
  --wabt-log) wabt_log=$2; shift 2 ;;
  --compare) compare=1; shift ;;
  --aot|--aot-explicit) wast_flags+=("$1"); shift ;;
  -h|--help) sed -n '2,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  *) names+=("${1%.wast}"); shift ;;
  esac
done

spec_dir="${WEFT_SPEC_DIR:-$repo/../shared/spec-testsuite/core}"
if [ ! -d "$spec_dir" ]; then
  if [ -n "${CI:-}" ]; then
    echo "FAIL: spec suite not found at $spec_dir (CI needs it, or WEFT_SPEC_DIR)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "text tier skipped: $spec_dir not found; set WEFT_SPEC_DIR"
  echo "skipped: 1"
  echo "0 passed, 0 failed"
  exit 0
fi
if [ ! -x "$weft" ]; then
  echo "FAIL: $weft not built"
  echo "0 passed, 1 failed"
  exit 1
fi

files=()
if [ ${#names[@]} -eq 0 ]; then
  files=("$spec_dir"/*.wast)
else
  for n in "${names[@]}"; do files+=("$spec_dir/$n.wast"); done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s%N)
# --wasm-2.0: the 2.0 suite asserts 2.0's rules where 3.0 relaxed them
# (global.wast: constant expressions read imported globals only)
"$weft" wast --wasm-2.0 "${wast_flags[@]}" "${files[@]}" >"$tmp/weft.out" 2>&1
status=$?
end=$(date +%s%N)
grep -v '^total \|^[0-9]* passed, [0-9]* failed$' "$tmp/weft.out"
closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/weft.out" | tail -1)
if [ -z "$closing" ]; then
  echo "FAIL: weft wast ended without a closing line (status $status)"
  echo "0 passed, 1 failed"
  exit 1
fi
pass=${closing%% passed*}
fail=${closing#* passed, }
fail=${fail%% failed*}
echo "weft wast: ${#files[@]} files in $(((end - start) / 1000000)) ms"

# text-form malformed: every one must pass
tm=$(grep -o 'text-malformed [0-9]*/[0-9]*' "$tmp/weft.out" | tail -1)
echo "text-form assert_malformed (total): ${tm#text-malformed }"

if [ "$compare" = 1 ] && [ -z "$wabt_log" ]; then
  if command -v wast2json >/dev/null 2>&1; then
    wabt_log="$tmp/wabt.out"
    bash "$repo/tests/spec/run_spec.sh" "${names[@]}" >"$wabt_log" 2>&1
  else
    echo "FAIL: --compare needs wast2json"
    fail=$((fail + 1))
  fi
fi
if [ -n "$wabt_log" ] && [ ${#wast_flags[@]} -eq 0 ]; then
  # NAME.wast: P passed, F failed (categories): compare the categories
  # without the text-malformed count (wabt skips those commands).
  sed -n 's/^\([^ ]*\.wast\): [0-9]* passed, [0-9]* failed (\(.*\))$/\1 \2/p' \
    "$wabt_log" | sort >"$tmp/wabt.cats"
  sed -n 's/^\([^ ]*\.wast\): [0-9]* passed, [0-9]* failed (\(.*\))$/\1 \2/p' \
    "$tmp/weft.out" | sed 's/, text-malformed [0-9]*\/[0-9]*//' | sort \
    >"$tmp/weft.cats"
  if [ ! -s "$tmp/wabt.cats" ]; then
    echo "FAIL: no per-file counts in $wabt_log"
    fail=$((fail + 1))
  else
    # one FAIL line per difference, then "same N"
    awk 'NR == FNR { want[$1] = substr($0, length($1) + 2); next }
         !($1 in want) { missing++; next }
         { got = substr($0, length($1) + 2) }
         got != want[$1] { print "FAIL: " $1 " differs from the wabt path";
                           print "  weft wast: " got; print "  wabt:      " want[$1];
                           next }
         { same++ }
         END { print "same " same + 0; print "missing " missing + 0 }' \
      "$tmp/wabt.cats" "$tmp/weft.cats" >"$tmp/diff"
    grep -v '^same \|^missing ' "$tmp/diff"
    same=$(sed -n 's/^same //p' "$tmp/diff")
    missing=$(sed -n 's/^missing //p' "$tmp/diff")
    [ "$missing" = 0 ] ||
      echo "note: $missing files are not in the wabt log (a partial run): not compared"
    fail=$((fail + $(grep -c '^FAIL' "$tmp/diff")))
    echo "compared with the wabt path: $same of $(wc -l <"$tmp/wabt.cats") files have the same counts"
  fi
fi
if [ -z "$wabt_log" ] && [ ${#wast_flags[@]} -eq 0 ]; then
  echo "note: not compared with the wabt path (give --wabt-log FILE or --compare)"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
