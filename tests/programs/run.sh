#!/usr/bin/env bash
# run.sh — real programs, unmodified, under `weft run` against their native
# builds (issue 3, "Must show" 3). Fetches the sources (fetch.sh) and builds
# (build.sh) first, then:
#
#   speedtest1/*   SQLite's speedtest1 (--verify: a hash of every query
#                  result) with its database file in a preopened directory
#                  (--dir HOST::/data, TMPDIR=/data for SQLite's temporary
#                  files), one run per test set; the output must match the
#                  native build's with the timing column removed, and the
#                  database file must be on the host afterwards.
#   lua/NAME       each tests/programs/lua/NAME.lua, fed on stdin to
#                  `lua - /data` (file I/O goes to the preopened /data) with
#                  two environment variables (weft: --env): stdout, stderr
#                  and exit status must match the native lua's exactly
#                  (and Debian's lua5.4 must agree with the native build,
#                  when it is installed).
#
# Prints PASS/FAIL lines (a diff on failure) and closes with
# "N passed, N failed". Exit status: 0 all passed, 1 something failed,
# 3 skipped: the sources cannot be fetched (no network / not root) or a
# build tool is missing (the closing line then says 0 passed, 0 failed).
#
# usage: bash tests/programs/run.sh [--time] [--node] [--size N] [--only RE]
#   --time     also print wall-clock and CPU times, native vs wasm (a
#              benchmark, never asserted)
#   --node     run the wasm builds under Node's WASI instead of weft (a
#              reference runtime, to tell build problems from weft's)
#   --aot      weft run --aot (compiled code; cache in build/programs/aot-cache,
#              filled before the timed runs)
#   --size N   speedtest1 --size (default 10)
#   --only RE  run only the tests whose name matches the regex RE
#   WEFT=path  the weft binary (default build/weft)
#   WEFT_PROGRAMS_TIMEOUT=S  limit per wasm run in seconds (default 600)

set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
HERE=tests/programs
OUT=build/programs
# weft's AoT key and --aot cache defaults live under OUT, never in the
# user's home (XDG_* take precedence over HOME in weft); the key is kept
# with the build so the aot-cache entries stay valid from run to run.
export XDG_CONFIG_HOME="$ROOT/$OUT/xdg-config" XDG_CACHE_HOME="$ROOT/$OUT/xdg-cache"
unset WEFT_AOT_KEY

timing=0
runtime=weft
size=10
only=""
aot=0
while [ $# -gt 0 ]; do
    case $1 in
        --time) timing=1 ;;
        --node) runtime=node ;;
        --aot) aot=1 ;;
        --size) size=$2; shift ;;
        --only) only=$2; shift ;;
        -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
WEFT=${WEFT:-build/weft}
TIMEOUT=${WEFT_PROGRAMS_TIMEOUT:-600}

skip() {
    echo "SKIP: real programs: $*"
    echo "0 passed, 0 failed"
    exit 3
}

# ---- sources and builds ---------------------------------------------------
# Several runs may share the tree (make test, make test-asan, make
# programs): fetching and building are serialised, each run has its own
# output directory.
mkdir -p "$OUT"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$OUT/.lock"
    flock 9
fi
bash "$HERE/fetch.sh"
rc=$?
[ $rc -eq 3 ] && skip "Debian sources cannot be fetched (needs root and the network)"
[ $rc -ne 0 ] && { echo "FAIL: fetch.sh (status $rc)"; echo "0 passed, 1 failed"; exit 1; }
bash "$HERE/build.sh"
rc=$?
[ $rc -eq 3 ] && skip "build tools missing (run scripts/setup.sh)"
[ $rc -ne 0 ] && { echo "FAIL: build.sh (status $rc)"; echo "0 passed, 1 failed"; exit 1; }
exec 9>&-

if [ $runtime = weft ]; then
    [ -x "$WEFT" ] || { echo "FAIL: $WEFT not built (make)"; echo "0 passed, 1 failed"; exit 1; }
    wasm_run() { # DIR ENV... -- FILE ARGS...: run a WASI module
        local dir=$1 envs=() ; shift
        while [ "$1" != -- ]; do envs+=(--env "$1"); shift; done
        shift
        local file=$1; shift
        timeout "$TIMEOUT" "$WEFT" run "${WEFT_RUN_FLAGS[@]}" --dir "$dir::/data" \
            "${envs[@]}" "$file" -- "$@"
    }
    WEFT_RUN_FLAGS=()
    if [ $aot = 1 ]; then
        WEFT_RUN_FLAGS=(--aot --compile-timeout 0 --cache-dir "$OUT/aot-cache")
        runtime=weft-aot
        # Compile both programs now, outside the timed runs.
        for w in speedtest1 lua; do
            t0=$(date +%s%3N)
            "$WEFT" run "${WEFT_RUN_FLAGS[@]}" "$OUT/$w.wasm" -- --help >/dev/null 2>&1 </dev/null
            echo "aot: $w.wasm compiled or found in the cache in $(($(date +%s%3N) - t0)) ms"
        done
    fi
else
    command -v node >/dev/null 2>&1 || { echo "FAIL: node not found"; echo "0 passed, 1 failed"; exit 1; }
    wasm_run() {
        local dir=$1 envs=() ; shift
        while [ "$1" != -- ]; do envs+=(--env "$1"); shift; done
        shift
        local file=$1; shift
        timeout "$TIMEOUT" node --no-warnings "$HERE/node_wasi.mjs" --dir "$dir::/data" \
            "${envs[@]}" "$file" -- "$@"
    }
fi

pass=0
fail=0
RUN=$(mktemp -d "$OUT/run.XXXXXX")
TIMES=$RUN/times
: >"$TIMES"

# `time` prints "real user sys" in seconds; record NAME NATIVE_FILE WASM_FILE
TIMEFORMAT='%3R %3U %3S'
record() { printf '%s %s %s\n' "$1" "$(tail -n 1 "$2")" "$(tail -n 1 "$3")" >>"$TIMES"; }

selected() { [ -z "$only" ] || [[ $1 =~ $only ]]; }

# compare NAME EXPECTED ACTUAL: PASS/FAIL line, diff on failure
compare() {
    local name=$1 exp=$2 act=$3
    if cmp -s "$exp" "$act"; then
        echo "PASS $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name: output differs (< native, > $runtime)"
        diff "$exp" "$act" | head -n 30
        fail=$((fail + 1))
    fi
}

# ---- SQLite speedtest1 ------------------------------------------------------
# Drop the timing column ("....    0.123s") and keep everything else.
strip_times() { sed -E 's/ +[0-9]+\.[0-9]{3}s$//' "$1"; }

speedtest() { # NAME speedtest1-options...
    local name=speedtest1/$1 d st
    shift
    selected "$name" || return 0
    d=$RUN/${name//\//_}
    mkdir -p "$d/native" "$d/wasm"
    { time env TMPDIR="$d/native" "$OUT/speedtest1.native" --size "$size" --verify "$@" \
        "$d/native/speedtest1.db" >"$d/native.out" 2>&1; } 2>"$d/native.time"
    echo "exit status $?" >>"$d/native.out"
    { time wasm_run "$d/wasm" TMPDIR=/data -- "$OUT/speedtest1.wasm" --size "$size" \
        --verify "$@" /data/speedtest1.db >"$d/wasm.out" 2>&1; } 2>"$d/wasm.time"
    st=$?
    echo "exit status $st" >>"$d/wasm.out"
    record "$name" "$d/native.time" "$d/wasm.time"
    strip_times "$d/native.out" >"$d/native.cmp"
    strip_times "$d/wasm.out" >"$d/wasm.cmp"
    # The database must be a real file in the preopened directory, as large
    # as the native one (often byte-identical, but floating-point text
    # conversion may differ in the last bit: SQLite uses long double, which
    # is 80-bit on x86-64 and 128-bit on wasm32).
    local nsz wsz
    nsz=$(stat -c %s "$d/native/speedtest1.db" 2>/dev/null || echo none)
    wsz=$(stat -c %s "$d/wasm/speedtest1.db" 2>/dev/null || echo none)
    if [ $st -eq 0 ] && [ "$wsz" != "$nsz" ]; then
        echo "FAIL $name: database file in the preopened directory: $wsz bytes, native $nsz"
        fail=$((fail + 1))
        return
    fi
    compare "$name" "$d/native.cmp" "$d/wasm.cmp"
}

speedtest main
speedtest wal --journal wal --exclusive
speedtest cte --testset cte
speedtest orm --testset orm
speedtest fp --testset fp

# ---- Lua ------------------------------------------------------------------------
# Environment for the scripts (os.lua prints it): non-ASCII, '=' in a value,
# an empty value.
LUA_ENV=("WEFT_LUA_TEST=h\u00e9llo w\u00f6rld=1 \u20ac" "WEFT_LUA_EMPTY=")
LUA_ENV[0]=$(printf '%b' "${LUA_ENV[0]}")
DEBIAN_LUA=$(command -v lua5.4 || true)
for script in "$HERE"/lua/*.lua; do
    base=$(basename "$script" .lua)
    name=lua/$base
    selected "$name" || continue
    d=$RUN/lua_$base
    mkdir -p "$d/native" "$d/wasm"
    { time env TZ=UTC "${LUA_ENV[@]}" "$OUT/lua.native" - "$d/native" <"$script" \
        >"$d/native.out" 2>"$d/native.err"; } 2>"$d/native.time"
    echo "exit status $?" >>"$d/native.out"
    { time wasm_run "$d/wasm" "${LUA_ENV[@]}" -- "$OUT/lua.wasm" - /data <"$script" \
        >"$d/wasm.out" 2>"$d/wasm.err"; } 2>"$d/wasm.time"
    echo "exit status $?" >>"$d/wasm.out"
    record "$name" "$d/native.time" "$d/wasm.time"
    { cat "$d/native.out"; sed 's/^/stderr: /' "$d/native.err"; } >"$d/native.cmp"
    { cat "$d/wasm.out"; sed 's/^/stderr: /' "$d/wasm.err"; } >"$d/wasm.cmp"
    # Debian's own lua5.4, when installed, must agree with the native build.
    if [ -n "$DEBIAN_LUA" ]; then
        mkdir -p "$d/debian"
        env TZ=UTC "${LUA_ENV[@]}" "$DEBIAN_LUA" - "$d/debian" <"$script" \
            >"$d/debian.out" 2>"$d/debian.err"
        echo "exit status $?" >>"$d/debian.out"
        { cat "$d/debian.out"; sed 's/^/stderr: /' "$d/debian.err"; } >"$d/debian.cmp"
        if ! cmp -s "$d/debian.cmp" "$d/native.cmp"; then
            echo "FAIL $name: the native build differs from Debian's lua5.4 (< lua5.4)"
            diff "$d/debian.cmp" "$d/native.cmp" | head -n 30
            fail=$((fail + 1))
            continue
        fi
    fi
    compare "$name" "$d/native.cmp" "$d/wasm.cmp"
done

# lua/stdin: a chunk given with -e (args_get) reads 100000 lines piped on
# stdin (fd_read on a pipe) and writes a summary.
STDIN_CHUNK='local n, sum, bytes = 0, 0, 0
for l in io.lines() do n = n + 1; sum = sum + tonumber(l); bytes = bytes + #l + 1 end
print(n, sum, bytes, io.read("a") == "", io.read("l"))
io.stderr:write("to stderr ", n, "\n")'
if selected lua/stdin; then
    d=$RUN/lua_stdin
    mkdir -p "$d/native" "$d/wasm"
    { time seq 1 100000 | "$OUT/lua.native" -e "$STDIN_CHUNK" >"$d/native.out" \
        2>"$d/native.err"; } 2>"$d/native.time"
    echo "exit status $?" >>"$d/native.out"
    { time seq 1 100000 | wasm_run "$d/wasm" -- "$OUT/lua.wasm" -e "$STDIN_CHUNK" \
        >"$d/wasm.out" 2>"$d/wasm.err"; } 2>"$d/wasm.time"
    echo "exit status $?" >>"$d/wasm.out"
    record lua/stdin "$d/native.time" "$d/wasm.time"
    { cat "$d/native.out"; sed 's/^/stderr: /' "$d/native.err"; } >"$d/native.cmp"
    { cat "$d/wasm.out"; sed 's/^/stderr: /' "$d/wasm.err"; } >"$d/wasm.cmp"
    compare lua/stdin "$d/native.cmp" "$d/wasm.cmp"
fi

if [ $timing = 1 ]; then
    echo
    echo "times in seconds (a benchmark, not a test): wall-clock, and CPU = user+sys"
    awk -v rt="$runtime" 'function ratio(a, b) { return a > 0 ? sprintf("%.1fx", b / a) : "-" }
         BEGIN { printf "  %-18s %17s %17s %15s\n", "", "native", rt, rt "/native";
                 printf "  %-18s %8s %8s %8s %8s %7s %7s\n", "test", "wall", "cpu", "wall", "cpu", "wall", "cpu" }
         { nc = $3 + $4; wc = $6 + $7;
           printf "  %-18s %8.3f %8.3f %8.3f %8.3f %7s %7s\n", $1, $2, nc, $5, wc,
                  ratio($2, $5), ratio(nc, wc)
           nw += $2; ncs += nc; ww += $5; wcs += wc }
         END { printf "  %-18s %8.3f %8.3f %8.3f %8.3f %7s %7s\n", "total", nw, ncs, ww, wcs,
                      ratio(nw, ww), ratio(ncs, wcs) }' "$TIMES"
fi

if [ $fail -eq 0 ]; then
    rm -rf "$RUN"
else
    echo "outputs kept in $RUN"
fi
echo
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
