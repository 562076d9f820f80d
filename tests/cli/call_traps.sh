#!/usr/bin/env bash
# call_traps.sh — the interpreter's calls and returns (interp.c's enter and
# RETURN_TO_CALLER, P12k) keep the call depth limit, the trap and its
# backtrace: recursion stops at exactly --max-call-depth frames, by a
# direct call, with a frame image, and through a table; the exhausted
# frame's offset is its call's (the same as each caller's), and a trap
# three calls down names the callee's instruction, then each call.
source "$(dirname "$0")/helpers.bash"

W=$(wasm call_traps) || exit 1

# frame N: the offset in backtrace line "    N: 0x... func[..]" of stderr
frame() { sed -n "s/^ *$1: \(0x[0-9a-f]*\) .*/\1/p" <<<"$stderr"; }

for f in rec img viatable; do
    weft run --max-call-depth 1000 --invoke $f "$W" 999
    expect_stdout 999 "$f: 999 calls under a depth limit of 1000"
    weft run --max-call-depth 1000 --invoke $f "$W" 1000
    expect_status 3 "$f: 1000 calls under a limit of 1000 trap"
    expect_stderr_has "trap: call stack exhausted" "$f: the trap"
    expect_stderr_has "... 984 more frames" "$f: 16 frames shown + 984 = 1000"
    if [ -n "$(frame 0)" ] && [ "$(frame 0)" = "$(frame 1)" ] &&
        [ "$(frame 1)" = "$(frame 2)" ]; then ok; else
        not_ok "$f: the exhausted frame is at its call (frames 0, 1, 2 alike)"
    fi
done
# the offsets themselves, as wat2wasm encodes call_traps.wat
weft run --max-call-depth 1000 --invoke rec "$W" 1000
expect_stderr_has "    0: 0x00000062 func[0]" "rec: frame 0 at the call"
weft run --max-call-depth 1000 --invoke viatable "$W" 1000
expect_stderr_has "    0: 0x0000009a func[2]" "viatable: frame 0 at the call_indirect"

weft run --max-call-depth 1000 --invoke deep_trap "$W" 5
expect_stdout 23 "deep_trap: returns through three frames"
weft run --max-call-depth 1000 --invoke deep_trap "$W" 0
expect_status 3 "deep_trap: divides by zero"
expect_stderr_has "trap: integer divide by zero" "deep_trap: the trap"
expect_stderr_has "    0: 0x000000bb func[5]" "deep_trap: the division"
expect_stderr_has "    1: 0x000000b0 func[4]" "deep_trap: its caller's call"
expect_stderr_has "    2: 0x000000a6 func[3]" "deep_trap: the outer call"

done_testing
