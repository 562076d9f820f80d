#!/usr/bin/env bash
# run_spec.sh — converts the official spec suite (.wast) with wast2json and
# runs $BUILD/spec_runner over every file, one process per file.
# Prints one line per file and a closing line "N passed, N failed".
#
# usage: tests/spec/run_spec.sh [options] [NAME...]
#   NAME            run only these files (i32, i32.wast or a glob like 'f32*')
#   --runner PATH   spec runner binary (default $BUILD/spec_runner, which is
#                   first brought up to date with 'make $BUILD/spec_runner')
#   --no-build      do not run make for the default runner
#   --quick         run a small, fast subset (see QUICK_FILES below)
#   --count-only    count commands per category without executing anything
#   -j N            files run in parallel (default: number of CPUs)
#   -v              runner prints notes (passing status/message mismatches)
#   --aot           compile every module to C (guard pages) and run that
#   --aot-explicit  the same with explicit bounds checks
#   --fuel          with fuel metering (code charging fuel, never running out)
#   --max-fail N    failure lines printed per file (default 20)
#   --cc CMD        C compiler for --aot/--aot-explicit (runner's --cc)
#   --wrap CMD      run the runner under CMD, split on spaces (e.g.
#                   'qemu-aarch64 -L /usr/aarch64-linux-gnu', see
#                   scripts/test_cross.sh)
# environment:
#   BUILD              build directory, as for make (default build); the
#                      default runner and the converted JSON live there
#   WEFT_SPEC_DIR      suite directory (default <repo>/../shared/spec-testsuite/core)
#   WEFT_SPEC_FILES    space-separated NAMEs, like the positional arguments
#   WEFT_SPEC_TIMEOUT  seconds per file before it counts as failed (default
#                      300, ten times that under --wrap); with --aot and
#                      --aot-explicit it covers running the assertions only:
#                      every module is compiled first, in parallel and
#                      untimed (spec_runner --prebuild), so a loaded machine
#                      slows the tier down without changing its verdict
#   WEFT_SPEC_BUILD_TIMEOUT  seconds before one file's compile counts as hung
#                      (default 3600)
#   WEFT_SPEC_AOT_CACHE  keep compiled modules in this directory between
#                      runs (default: a private one per run). Entries live
#                      under a stamp of everything that shapes them (weft's
#                      sources and Makefile, the C compiler's identity) and
#                      of the file's module bytes, so a changed generator,
#                      compiler or module never finds an old entry; other
#                      stamps are removed. scripts/test.sh shares one between
#                      the plain and the ASan build: their code generator is
#                      the same source.
#   CI                 when set, a missing suite is a failure, not a skip
# Exit status: 0 when nothing failed, 1 when something failed, 2 on usage
# or setup errors.
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd)
build_dir="${BUILD:-build}"
case "$build_dir" in
/*) ;;
*) build_dir="$repo/$build_dir" ;;
esac
default_runner="$build_dir/spec_runner"
runner="$default_runner"
jobs=$(nproc 2>/dev/null || echo 4)
count_only=0
build=1
runner_flags=()
wrap=()
mode="interpreter"
filters=()
QUICK_FILES="address block br br_table call call_indirect conversions
  f32_bitwise fac forward func global i32 i64 if imports int_exprs labels
  left-to-right linking load local_get loop memory memory_grow nop
  ref_func ref_is_null ref_null return select stack store switch
  table_get table_grow traps unreachable unwind"

while [ $# -gt 0 ]; do
  case "$1" in
  --runner) runner="$2"; shift 2 ;;
  --runner=*) runner="${1#--runner=}"; shift ;;
  --quick) for f in $QUICK_FILES; do filters+=("$f"); done; shift ;;
  --count-only) count_only=1; shift ;;
  --no-build) build=0; shift ;;
  -j) jobs="$2"; shift 2 ;;
  -j*) jobs="${1#-j}"; shift ;;
  -v) runner_flags+=(-v); shift ;;
  --max-fail) runner_flags+=(--max-fail "$2"); shift 2 ;;
  --cc) runner_flags+=(--cc "$2"); shift 2 ;;
  --wrap) read -r -a wrap <<<"$2"; shift 2 ;;
  --aot) runner_flags+=(--aot); mode="AoT (guard pages)"; shift ;;
  --aot-explicit) runner_flags+=(--aot-explicit); mode="AoT (explicit bounds checks)"; shift ;;
  --fuel) runner_flags+=(--fuel); mode="$mode, fuel metering"; shift ;;
  -h|--help) sed -n '2,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) echo "run_spec.sh: unknown option $1" >&2; exit 2 ;;
  *) filters+=("$1"); shift ;;
  esac
done
for f in ${WEFT_SPEC_FILES:-}; do filters+=("$f"); done

spec_dir="${WEFT_SPEC_DIR:-$repo/../shared/spec-testsuite/core}"
if [ ! -d "$spec_dir" ]; then
  # Outside CI a clone without the suite beside it may still run the other
  # tiers: the spec tier is reported as skipped, never as passed.
  if [ -n "${CI:-}" ]; then
    echo "FAIL: spec suite not found at $spec_dir (CI needs ../shared/spec-testsuite/core, or WEFT_SPEC_DIR)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "spec suite skipped: $spec_dir not found; set WEFT_SPEC_DIR=/path/to/spec-testsuite/core"
  echo "skipped: 1"
  echo "0 passed, 0 failed"
  exit 0
fi
spec_dir=$(cd "$spec_dir" && pwd)

# selected NAME: no filters, or it matches one of them (glob, .wast optional)
selected() {
  local name="$1" pat
  [ ${#filters[@]} -eq 0 ] && return 0
  for pat in "${filters[@]}"; do
    pat="${pat%.wast}"
    pat="${pat##*/}"
    # shellcheck disable=SC2053
    [[ "$name" == $pat ]] && return 0
  done
  return 1
}

run_names=()
for wast in "$spec_dir"/*.wast; do
  [ -e "$wast" ] || continue
  name=$(basename "$wast" .wast)
  selected "$name" || continue
  run_names+=("$name")
done
if [ ${#run_names[@]} -eq 0 ]; then
  echo "run_spec.sh: no .wast files in $spec_dir match: ${filters[*]:-}" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/weft-spec.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tmp_build_log="$tmp/build.log"

# ---- convert: $BUILD/spec/json/<name>/<name>.json, only when out of date
json_root="$build_dir/spec/json"
for name in "${run_names[@]}"; do
  wast="$spec_dir/$name.wast"
  out="$json_root/$name/$name.json"
  if [ ! -f "$out" ] || [ "$wast" -nt "$out" ]; then
    if ! command -v wast2json >/dev/null 2>&1; then
      echo "run_spec.sh: wast2json not found (Debian: apt-get install wabt)" >&2
      exit 2
    fi
    rm -rf "${json_root:?}/${name:?}"
    mkdir -p "$json_root/$name"
    if ! wast2json "$wast" -o "$out" 2>"$json_root/$name/wast2json.err"; then
      echo "run_spec.sh: wast2json failed on $name.wast:" >&2
      cat "$json_root/$name/wast2json.err" >&2
      rm -f "$out"
    fi
  fi
done

# ---- the runner: the default one is (re)built through make so that it
# never runs against a stale libweft.a; --no-build skips that.
if [ "$runner" = "$default_runner" ] && [ "$build" = 1 ]; then
  # make is given paths relative to the repository when they lie in it: an
  # absolute BUILD would write dependency files naming absolute targets,
  # which a later plain `make` does not match, so it would miss header
  # changes and keep stale objects.
  rel_build=${build_dir#"$repo"/}
  if ! make -s -C "$repo" BUILD="$rel_build" "$rel_build/spec_runner" >"$tmp_build_log" 2>&1; then
    if [ -x "$runner" ]; then
      echo "run_spec.sh: warning: 'make $default_runner' failed; using the existing runner" >&2
    else
      cat "$tmp_build_log" >&2
      echo "run_spec.sh: cannot build $runner" >&2
      exit 2
    fi
  fi
fi
if [ ! -x "$runner" ]; then
  echo "run_spec.sh: runner $runner not found (make $default_runner)" >&2
  exit 2
fi

if [ "$count_only" = 1 ]; then
  jsons=()
  for name in "${run_names[@]}"; do jsons+=("$json_root/$name/$name.json"); done
  "${wrap[@]}" "$runner" --count-only "${jsons[@]}"
  exit 0
fi

# in_parallel FUNC NAME...: runs FUNC NAME for every NAME, $jobs at a time.
in_parallel() {
  local fn=$1 name running=0
  shift
  for name in "$@"; do
    "$fn" "$name" 2>/dev/null &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
      wait -n 2>/dev/null || wait
      running=$((running - 1))
    fi
  done
  wait
}

# aot_cache_stamped ROOT: ROOT/STAMP, made private to this user, where STAMP
# hashes what decides compiled code besides the module: the sources of the
# code generator and runtime (src, include) and of the runner (tests/spec:
# its build options), the Makefile (the AoT C flags),
# the compiler named by --cc and its version, and the wrapper. Other stamps
# under ROOT are removed; a ROOT that is not ours, or that others may write,
# is refused (the runner loads what is in it).
aot_cache_stamped() {
  local root="$1" cc=cc stamp i
  for ((i = 0; i < ${#runner_flags[@]}; i++)); do
    [ "${runner_flags[$i]}" = --cc ] && cc=${runner_flags[$((i + 1))]}
  done
  mkdir -p -m 0700 "$root" || return 1
  if [ ! -O "$root" ] || [ -n "$(find "$root" -maxdepth 0 -perm /022)" ] || [ -L "$root" ]; then
    echo "run_spec.sh: $root is not a private directory of this user; not used as a cache" >&2
    return 1
  fi
  stamp=$( { find "$repo/src" "$repo/include" "$repo/tests/spec" -type f ! -name '*.sh' | LC_ALL=C sort | xargs cat
             cat "$repo/Makefile"; echo "cc $cc wrap ${wrap[*]}"; $cc --version 2>&1; } |
           sha256sum | cut -c1-16)
  find "$root" -mindepth 1 -maxdepth 1 ! -name "$stamp" -exec rm -rf {} +
  mkdir -p -m 0700 "$root/$stamp" && echo "$root/$stamp"
}

# ---- AoT: compile every module before anything is timed. One untimed
# runner per file compiles its valid modules, together (one object per
# file, one compiler run and one link: aot_cache.h), into a cache private
# to this run (or kept in WEFT_SPEC_AOT_CACHE); the timed runs below then
# only load them.
aot_cache=""
cache_of() { echo "$tmp/aot"; }
if [ "$mode" != "${mode#AoT}" ]; then
  if [ -n "${WEFT_SPEC_AOT_CACHE:-}" ]; then
    aot_cache=$(aot_cache_stamped "$WEFT_SPEC_AOT_CACHE") || exit 2
    cache_of() {
      echo "$aot_cache/$1-$(cat "$json_root/$1"/*.wasm 2>/dev/null | sha256sum | cut -c1-16)"
    }
  fi
  build_timeout="${WEFT_SPEC_BUILD_TIMEOUT:-3600}"
  prebuild_one() {
    local name="$1" mods dir
    mods=("$json_root/$name"/*.wasm)
    [ -e "${mods[0]}" ] || return 0
    dir=$(cache_of "$name")
    mkdir -p -m 0700 "$dir"
    timeout -k 5 "$build_timeout" "${wrap[@]}" "$runner" "${runner_flags[@]}" \
      --aot-cache "$dir" --prebuild "${mods[@]}" >"$tmp/$name.prebuild" 2>&1
    echo $? >"$tmp/$name.prebuild.rc"
  }
  t0=$SECONDS
  in_parallel prebuild_one "${run_names[@]}"
  # A compile that failed or hung shows here; the timed run then compiles
  # that module again itself and counts whatever fails.
  for name in "${run_names[@]}"; do
    rc=$(cat "$tmp/$name.prebuild.rc" 2>/dev/null || echo 0)
    [ "$rc" -eq 0 ] || { echo "prebuild of $name.wast: exit status $rc"; cat "$tmp/$name.prebuild"; }
  done
  echo "compiled in $((SECONDS - t0)) s"
fi

# ---- run, one process per file, in parallel; print in name order
if [ ${#wrap[@]} -gt 0 ]; then
  timeout_s="${WEFT_SPEC_TIMEOUT:-3000}"
else
  timeout_s="${WEFT_SPEC_TIMEOUT:-300}"
fi

run_one() {
  local name="$1" json="$json_root/$1/$1.json" rc cache_flags=()
  if [ "$mode" != "${mode#AoT}" ]; then
    cache_flags=(--aot-cache "$(cache_of "$name")")
    mkdir -p -m 0700 "${cache_flags[1]}"
  fi
  if [ ! -f "$json" ]; then
    echo "$name.wast: 0 passed, 1 failed (no JSON: wast2json failed)" >"$tmp/$name.out"
    echo 1 >"$tmp/$name.rc"
    return
  fi
  if command -v timeout >/dev/null 2>&1; then
    timeout -k 5 "$timeout_s" "${wrap[@]}" "$runner" "${runner_flags[@]}" "${cache_flags[@]}" "$json" >"$tmp/$name.out" 2>&1
  else
    "${wrap[@]}" "$runner" "${runner_flags[@]}" "${cache_flags[@]}" "$json" >"$tmp/$name.out" 2>&1
  fi
  echo $? >"$tmp/$name.rc"
}

in_parallel run_one "${run_names[@]}"

passed=0
failed=0
files_ok=0
files_bad=0
for name in "${run_names[@]}"; do
  out="$tmp/$name.out"
  rc=$(cat "$tmp/$name.rc" 2>/dev/null || echo 1)
  summary=$(grep -E "^$name\.wast: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1)
  if [ -n "$summary" ] && [ "$rc" -le 1 ]; then
    cat "$out"
    p=$(echo "$summary" | sed -E 's/^[^:]*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
    f=$(echo "$summary" | sed -E 's/^[^:]*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
  else
    # crashed, timed out or printed no summary: everything counts as failed
    cat "$out"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      why="timed out after ${timeout_s}s"
    elif [ "$rc" -gt 128 ]; then
      why="killed by signal $((rc - 128))"
    else
      why="exit status $rc, no summary"
    fi
    json="$json_root/$name/$name.json"
    f=$("${wrap[@]}" "$runner" --count-only "$json" 2>/dev/null |
      sed -nE 's/^[^:]*: [0-9]+ assertions, ([0-9]+) counted.*/\1/p' | head -n 1)
    [ -n "$f" ] && [ "$f" -gt 0 ] || f=1
    p=0
    echo "$name.wast: 0 passed, $f failed (runner $why)"
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$f" -eq 0 ]; then files_ok=$((files_ok + 1)); else files_bad=$((files_bad + 1)); fi
done

echo "mode: $mode"
echo "files: ${#run_names[@]} run ($files_ok clean, $files_bad with failures)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
