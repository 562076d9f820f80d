#!/usr/bin/env bash
# aot_limits.sh — the C compiler behind `weft compile` and `weft run --aot`
# is bounded: --compile-timeout (wall clock; default 600 s, also each
# compiler process's CPU limit) and --compile-memory (RLIMIT_AS of each
# compiler process; default 4G). Past the timeout `weft compile` fails
# (status 2) and `weft run --aot` runs the module in the interpreter with
# a one-line warning. SIGINT/SIGTERM during compilation kill the compiler
# (its whole process group) and remove its temporary files. Fake
# compilers that hang or grow stand in for a compile bomb; no verdict
# depends on how fast the machine is (a watchdog only turns a hang into a
# failure).
source "$(dirname "$0")/helpers.bash"

M=$(wasm aot) || exit 1
TRIPLE=$(cc -dumpmachine)
export TMPDIR=$PWD/$TMP/tmpdir # weft's temporary files, watched here
mkdir -p "$TMPDIR"
PIDS=$TMP/pids

# A fake compiler: answers the probes like a compiler, records its limits,
# then, compiling, records its pid and a child's and hangs (HANG=1) or
# grows memory until its limit stops it (GROW=1).
cat >"$TMP/fakecc" <<EOF2
#!/bin/bash
case "\$1" in
-dumpmachine) echo $TRIPLE; exit 0 ;;
--version) echo "fakecc 1"; exit 0 ;;
esac
echo "\$(ulimit -v) \$(ulimit -t)" >"$TMP/limits"
if [ -n "\$HANG" ]; then
    sleep 1000 &
    echo "\$! \$\$" >>"$PIDS"
    wait
fi
if [ -n "\$GROW" ]; then
    echo "\$\$" >>"$PIDS"
    x=\$(head -c 2000000000 /dev/zero | tr '\\0' a) # about 2 GB in one string
    exit 0
fi
exit 1
EOF2
chmod +x "$TMP/fakecc"

# gone: none of the fake compiler's processes is alive (a zombie awaiting
# init counts as gone: it runs nothing)
gone() {
    local p
    [ -f "$PIDS" ] || return 0
    for p in $(cat "$PIDS"); do
        if [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ]; then
            return 1
        fi
    done
    return 0
}
clean_tmp() { [ -z "$(ls -A "$TMPDIR")" ]; }
# after WHAT: compiler processes gone, no temporary files left
after() {
    if gone; then ok; else not_ok "$1: the compiler is still running"; fi
    if clean_tmp; then ok; else not_ok "$1: temporary files left: $(ls "$TMPDIR")"; fi
    [ -f "$PIDS" ] && kill -KILL $(cat "$PIDS") 2>/dev/null
    rm -f "$PIDS" "$TMP/limits"
    rm -rf "${TMPDIR:?}"/*
}
# guarded ARGS...: weft under a watchdog (only against a hang)
guarded() { weft_guarded 120 "$@"; }

# ---- the limits reach the compiler ---------------------------------------------
weft compile --cc "$TMP/fakecc" "$M" -o "$TMP/x.cwasm"
expect_status 2 "a compiler that fails: compile fails"
if [ "$(cat "$TMP/limits" 2>/dev/null)" = "4194304 600" ]; then ok; else
    not_ok "default limits: 4 GiB address space, 600 s CPU (got '$(cat "$TMP/limits" 2>/dev/null)')"; fi
after "a failing compiler"
weft compile --cc "$TMP/fakecc" --compile-memory 256M --compile-timeout 77 "$M" -o "$TMP/x.cwasm"
if [ "$(cat "$TMP/limits" 2>/dev/null)" = "262144 77" ]; then ok; else
    not_ok "--compile-memory 256M --compile-timeout 77 reach the compiler (got '$(cat "$TMP/limits" 2>/dev/null)')"; fi
after "limits"
weft compile --cc "$TMP/fakecc" --compile-memory 0 --compile-timeout 0 "$M" -o "$TMP/x.cwasm"
if [ "$(cat "$TMP/limits" 2>/dev/null)" = "unlimited unlimited" ]; then ok; else
    not_ok "0 means no limit (got '$(cat "$TMP/limits" 2>/dev/null)')"; fi
after "no limits"
for bad in --compile-timeout=x --compile-timeout=-1 --compile-memory=1K --compile-memory=z; do
    weft compile "$bad" "$M" -o "$TMP/x.cwasm"
    expect_status 1 "compile $bad is refused"
done

# ---- a compiler that grows: stopped by its memory limit ----------------------
GROW=1 guarded compile --cc "$TMP/fakecc" --compile-memory 64M "$M" -o "$TMP/x.cwasm"
expect_status 2 "growing compiler: compile fails"
expect_stderr_has "memory limit" "growing compiler: the message names the memory limit"
if [ ! -e "$TMP/x.cwasm" ]; then ok; else not_ok "growing compiler: no artifact"; fi
after "growing compiler"

# ---- a compiler that hangs: the timeout ------------------------------------------
HANG=1 guarded compile --cc "$TMP/fakecc" --compile-timeout 1 "$M" -o "$TMP/x.cwasm"
expect_status 2 "hanging compiler: compile fails"
expect_stderr_has "took longer than 1.000 s" "hanging compiler: says it timed out"
if [ ! -e "$TMP/x.cwasm" ]; then ok; else not_ok "hanging compiler: no artifact"; fi
after "hanging compiler (compile)"
HANG=1 WEFT_CC=$TMP/fakecc guarded run --aot --cache-dir "$TMP/cache" --compile-timeout 1 --invoke fib "$M" 20
expect_status 0 "hanging compiler: run --aot falls back to the interpreter"
expect_stdout 6765 "hanging compiler: run --aot still computes"
expect_stderr_has "running it in the interpreter" "hanging compiler: a warning says so"
if [ "$(wc -l <<<"$stderr")" = 1 ]; then ok; else not_ok "the warning is one line"; fi
if [ -z "$(ls "$TMP/cache")" ]; then ok; else not_ok "no cache entry after a timeout"; fi
after "hanging compiler (run --aot)"
# a compiler that hangs already when asked its version
cat >"$TMP/hangprobe" <<'EOF2'
#!/bin/sh
exec sleep 1000
EOF2
chmod +x "$TMP/hangprobe"
guarded compile --cc "$TMP/hangprobe" --compile-timeout 1 "$M" -o "$TMP/x.cwasm"
expect_status 1 "compiler hanging in the probe: compile fails"
expect_stderr_has "cannot run the C compiler" "compiler hanging in the probe: says so"
if ! pgrep -f "^sleep 1000$" >/dev/null; then ok; else not_ok "the hanging probe is killed"; fi

# ---- interrupted: SIGINT and SIGTERM ----------------------------------------------
# interrupted SIGNAL ARGS...: starts weft (SIGINT not ignored, as from a
# terminal), waits until the fake compiler runs, sends SIGNAL
interrupted() {
    local sig=$1 pid dog i
    shift
    HANG=1 env --default-signal=INT "$WEFT" "$@" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null &
    pid=$!
    watch "$pid" 120
    for ((i = 0; i < 1200; i++)); do
        [ -s "$PIDS" ] && break
        sleep 0.1
    done
    kill -"$sig" "$pid"
    wait "$pid"
    status=$?
    unwatch
    stderr=$(cat "$TMP/stderr")
    last_cmd="weft $* (then SIG$sig)"
    if [ -s "$PIDS" ]; then ok; else not_ok "SIG$sig: the fake compiler never started"; fi
}
interrupted INT compile --cc "$TMP/fakecc" "$M" -o "$TMP/x.cwasm"
expect_status 130 "SIGINT during compile: weft ends by SIGINT"
expect_stderr_has "interrupted" "SIGINT during compile: says so"
if [ ! -e "$TMP/x.cwasm" ]; then ok; else not_ok "SIGINT during compile: no artifact"; fi
after "SIGINT during compile"
WEFT_CC=$TMP/fakecc interrupted TERM run --aot --cache-dir "$TMP/cache" --invoke fib "$M" 20
expect_status 143 "SIGTERM during run --aot: weft ends by SIGTERM"
expect_stderr_has "interrupted" "SIGTERM during run --aot: says so"
if [ -z "$(ls "$TMP/cache")" ]; then ok; else not_ok "SIGTERM during run --aot: no cache entry"; fi
after "SIGTERM during run --aot"

# a compiler that hangs when probed, interrupted there
cat >"$TMP/hangprobe2" <<EOF2
#!/bin/sh
echo \$\$ >>"$PIDS"
exec sleep 1000
EOF2
chmod +x "$TMP/hangprobe2"
interrupted INT compile --cc "$TMP/hangprobe2" "$M" -o "$TMP/x.cwasm"
expect_status 130 "SIGINT during the probe: weft ends by SIGINT"
expect_stderr_has "interrupted" "SIGINT during the probe: says so"
after "SIGINT during the probe"

# a compiler that passes the probe but fails on the chunks, or dies while
# linking: the error says how it ended, not only that it failed
cat >"$TMP/badcc" <<'EOF2'
#!/bin/sh
case "$*" in *chunk*.c*) [ -n "$FAIL_COMPILE" ] && exit 3 ;; esac
case "$*" in *-shared*chunk*) [ -n "$FAIL_LINK" ] && kill -SEGV $$ ;; esac
exec cc "$@"
EOF2
chmod +x "$TMP/badcc"
FAIL_COMPILE=1 weft compile --cc "$TMP/badcc" "$M" -o "$TMP/x.cwasm"
expect_status 2 "a compiler failing on a chunk: refused"
expect_stderr_has "the C compiler failed (command: $TMP/badcc ...); exit status 3" "a failing compiler: its exit status"
FAIL_LINK=1 weft compile --cc "$TMP/badcc" "$M" -o "$TMP/x.cwasm"
expect_status 2 "a linker killed by a signal: refused"
expect_stderr_has "failed; killed by signal 11" "a killed linker: the signal"

# and a real compiler still works under the default limits
weft compile "$M" -o "$TMP/real.cwasm"
expect_status 0 "a real compile under the default limits"
after "a real compile"

done_testing
