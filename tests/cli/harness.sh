#!/usr/bin/env bash
# harness.sh — the test harness itself cannot pass by skipping: a missing
# spec suite is a skip outside CI and a failure under CI=true, and the AoT
# spec modes compile before they time anything (tests/spec/run_spec.sh).
. "$(dirname "$0")/helpers.bash"

# sh_run CMD ARGS...: runs a harness script as weft() runs weft; sets the
# same variables.
sh_run() {
    "$@" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    status=$?
    stdout=$(cat "$TMP/stdout")
    stderr=$(cat "$TMP/stderr")
    last_cmd="$*"
}

missing=$TMP/no-such-suite
sh_run env CI=true WEFT_SPEC_DIR="$missing" bash tests/spec/run_spec.sh --no-build
expect_status 1 "CI=true, no spec suite"
expect_stdout_has "0 passed, 1 failed" "CI=true, no spec suite counts a failure"
expect_stdout_has "spec suite not found" "CI=true, no spec suite says why"

sh_run env -u CI WEFT_SPEC_DIR="$missing" bash tests/spec/run_spec.sh --no-build
expect_status 0 "no spec suite outside CI"
expect_stdout_has "skipped: 1" "no spec suite outside CI is a skip"

# The AoT mode compiles first (the "compiled in" line), untimed, then runs.
spec=${WEFT_SPEC_DIR:-$ROOT/../shared/spec-testsuite/core}
if [ -f "$spec/nop.wast" ]; then
    sh_run bash tests/spec/run_spec.sh --aot nop
    expect_status 0 "spec nop.wast in AoT mode"
    expect_stdout_re "^compiled in [0-9]+ s$" "AoT spec mode compiles before the timed run"
    expect_stdout_re "^nop.wast: [1-9][0-9]* passed, 0 failed" "AoT spec nop.wast passes"
elif [ -n "${CI:-}" ]; then
    status=1 stdout="" stderr="" last_cmd="ls $spec/nop.wast"
    not_ok "spec suite missing under CI"
fi
done_testing
