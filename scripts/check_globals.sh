#!/usr/bin/env bash
# check_globals.sh — the library keeps no writable global data: every
# engine's state lives in the objects the embedder holds, so engines on
# different threads share nothing by accident (issue 16). Lists every
# object symbol in a writable data section (.data, .bss, and their TLS
# twins .tdata/.tbss; .data.rel.ro is read-only once relocated) of the
# archives given (default: BUILD/libweft.a, BUILD/libweft-wasm.a,
# BUILD/libweft_bare.a) and fails on any not in ALLOWED below, each of
# which says why it is safe. Run by `make strict` after the builds.
#
# usage: scripts/check_globals.sh [ARCHIVE...]   (BUILD: default build)
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2
build=${BUILD:-build}

# OBJECT:SYMBOL  why it may be writable
ALLOWED="
fault_posix.o:install_once     pthread_once guard: the fault handler is installed once per process
fault_posix.o:previous_segv    the handler chained to: process-wide by nature (sigaction), set once
fault_posix.o:previous_bus     the same for SIGBUS
fault_posix.o:thread_ctx       thread-local: the AoT activation running on this thread
fault_posix.o:thread_altstack  thread-local: whether this thread has its signal stack
stack_posix.o:cached_top       thread-local: this thread's stack bounds, read once
stack_posix.o:cached_bottom    thread-local: the same
"

archives=("$@")
[ ${#archives[@]} -gt 0 ] ||
    archives=("$build/libweft.a" "$build/libweft-wasm.a" "$build/libweft_bare.a")
checked=0 bad=0
for a in "${archives[@]}"; do
    if [ ! -f "$a" ]; then
        echo "check_globals: $a not built"
        bad=$((bad + 1))
        continue
    fi
    # objdump -t: "<member>: file format ..." then one line per symbol with
    # its section in the fourth-from-last column; section symbols and
    # .data.rel.ro are left out.
    while read -r obj sym sec; do
        checked=$((checked + 1))
        if ! grep -q "^$obj:$sym " <<<"$ALLOWED"; then
            echo "$a($obj): writable global '$sym' in $sec (not in scripts/check_globals.sh's ALLOWED)"
            bad=$((bad + 1))
        fi
    done < <(objdump -t "$a" 2>/dev/null | awk '
        /file format/ { obj = $1; sub(/:$/, "", obj); next }
        NF >= 5 {
            sec = $(NF - 2)
            if (sec !~ /^\.(data|bss|tdata|tbss)(\.|$)/ || sec ~ /^\.data\.rel\.ro/) next
            if ($0 ~ / d /) next             # the section symbol itself
            print obj, $NF, sec
        }')
done
echo "globals: $checked writable symbols found, $bad not allowed"
[ "$bad" -eq 0 ]
