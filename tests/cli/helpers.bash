# helpers.bash — sourced by tests/cli/*.sh (not a test itself).
# Runs the weft binary, checks status/stdout/stderr, counts results and
# prints the closing "N passed, N failed" line that scripts/test.sh adds up.
#
# Environment: WEFT (default build/weft), WEFT_TEST_OUT (default
# build/tests/cli) for compiled .wasm files and captured output.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
WEFT=${WEFT:-build/weft}
OUT=${WEFT_TEST_OUT:-build/tests/cli}
mkdir -p "$OUT"
TMP=$(mktemp -d "$OUT/run.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# Never the real user's AoT key or --aot cache: a home of the test's own
# (the key, $XDG_CONFIG_HOME/weft/aot.key, is made by the first compile).
mkdir -p "$TMP/home"
HOME=$(cd "$TMP/home" && pwd)
export HOME XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache
unset WEFT_AOT_KEY WEFT_CC
t_pass=0
t_fail=0

# wasm NAME [wat2wasm flags...]: compiles tests/cli/NAME.wat once, prints
# the path of the .wasm.
wasm() {
    local name=$1 src out
    shift
    src=tests/cli/$name.wat
    out=$OUT/$name.wasm
    if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
        wat2wasm "$@" "$src" -o "$out" || { echo "wat2wasm failed on $src" >&2; return 1; }
    fi
    echo "$out"
}

# weft ARGS...: runs weft; sets $status, $stdout, $stderr.
weft() {
    "$WEFT" "$@" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    status=$?
    stdout=$(cat "$TMP/stdout")
    stderr=$(cat "$TMP/stderr")
    last_cmd="weft $*"
}

# watch PID SECONDS: kills PID after SECONDS, only to turn a hang into a
# failure; sets $dog for unwatch. The watchdog writes nowhere, and unwatch
# ends its sleep too, so nothing it leaves holds the test's output open.
watch() {
    (sleep "$2" && kill -KILL "$1") >/dev/null 2>&1 </dev/null &
    dog=$!
}
unwatch() {
    pkill -P "$dog" 2>/dev/null
    kill "$dog" 2>/dev/null
    wait "$dog" 2>/dev/null
}

# weft_guarded SECONDS ARGS...: weft() under a watchdog of SECONDS (only
# against a hang: a killed weft shows as status 137).
weft_guarded() {
    local secs=$1 pid dog
    shift
    "$WEFT" "$@" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null &
    pid=$!
    watch "$pid" "$secs"
    wait "$pid"
    status=$?
    unwatch
    stdout=$(cat "$TMP/stdout")
    stderr=$(cat "$TMP/stderr")
    last_cmd="weft $*"
}

ok() {
    t_pass=$((t_pass + 1))
}

not_ok() {
    t_fail=$((t_fail + 1))
    echo "FAIL: $1"
    echo "  command: $last_cmd"
    echo "  status:  $status"
    [ -n "$stdout" ] && printf '  stdout:  %s\n' "$stdout" | head -20
    [ -n "$stderr" ] && printf '  stderr:  %s\n' "$stderr" | head -20
    return 0
}

# expect_status N WHAT
expect_status() {
    if [ "$status" -eq "$1" ]; then ok; else not_ok "$2: expected status $1"; fi
}

# expect_stdout TEXT WHAT: stdout is exactly TEXT
expect_stdout() {
    if [ "$stdout" = "$1" ]; then ok; else not_ok "$2: expected stdout '$1'"; fi
}

# expect_stdout_has TEXT WHAT / expect_stderr_has TEXT WHAT: fixed substring
expect_stdout_has() {
    if grep -qF -- "$1" <<<"$stdout"; then ok; else not_ok "$2: stdout lacks '$1'"; fi
}
expect_stderr_has() {
    if grep -qF -- "$1" <<<"$stderr"; then ok; else not_ok "$2: stderr lacks '$1'"; fi
}
# expect_stdout_re REGEX WHAT: extended regex on some line of stdout
expect_stdout_re() {
    if grep -qE -- "$1" <<<"$stdout"; then ok; else not_ok "$2: stdout does not match /$1/"; fi
}
expect_stderr_empty() {
    if [ -z "$stderr" ]; then ok; else not_ok "$1: stderr not empty"; fi
}

# run_ok WHAT ARGS...: status 0 with expected stdout given as $EXPECT
# invoke FILE FUNC ARGS... -> shorthand for weft run --invoke FUNC FILE ARGS
invoke() {
    local file=$1 func=$2
    shift 2
    weft run --invoke "$func" "$file" "$@"
}

# check_invoke EXPECTED FILE FUNC ARGS...: status 0 and stdout == EXPECTED
check_invoke() {
    local expected=$1
    shift
    invoke "$@"
    if [ "$status" -eq 0 ] && [ "$stdout" = "$expected" ]; then
        ok
    else
        not_ok "$2($*) should print '$expected'"
    fi
}

# wast_every_mode FILE N: `weft wast` FILE in the interpreter and in
# compiled code (guard pages, explicit checks): status 0, all N passed.
wast_every_mode() {
    local mode
    for mode in "" --aot --aot-explicit; do
        # shellcheck disable=SC2086
        weft wast $mode "$1"
        expect_status 0 "weft wast $mode $(basename "$1")"
        expect_stdout_has "$2 passed, 0 failed" "weft wast $mode: every assertion"
    done
}

done_testing() {
    echo "$t_pass passed, $t_fail failed"
    [ "$t_fail" -eq 0 ]
}

# load_marker_cc: writes $TMP/cc, a wrapper of $HOST_CC whose link step
# (-shared) also links tests/cli/load_marker.c, so every shared object it
# builds appends a line to $WEFT_TEST_MARKER when it is loaded; loads
# prints how many loads there were.
load_marker_cc() {
    cat >"$TMP/cc" <<EOF2
#!/bin/sh
case " \$* " in
*" -shared "*) exec $HOST_CC "\$@" "$ROOT/tests/cli/load_marker.c" ;;
esac
exec $HOST_CC "\$@"
EOF2
    chmod 755 "$TMP/cc"
}
loads() { if [ -f "$WEFT_TEST_MARKER" ]; then wc -l <"$WEFT_TEST_MARKER"; else echo 0; fi; }
