#!/usr/bin/env bash
# misc.sh — version, help, usage errors.
source "$(dirname "$0")/helpers.bash"

weft --version
expect_status 0 "--version"
expect_stdout_re '^weft [0-9]+\.[0-9]+\.[0-9]+$' "version line"
weft help
expect_status 0 "help"
expect_stdout_has "usage: weft <command>" "help usage line"
expect_stdout_has "exit status" "help documents exit statuses"
weft -h
expect_status 0 "-h"
weft help run
expect_stdout_has "--invoke NAME" "help run"
weft run --help
expect_status 0 "run --help"
weft help validate
expect_stdout_has "usage: weft validate" "help validate"
weft help inspect
expect_stdout_has "usage: weft inspect" "help inspect"
weft help nosuch
expect_status 1 "help on an unknown command"
weft
expect_status 1 "no command"
expect_stderr_has "usage:" "no command prints usage"
weft frobnicate
expect_status 1 "unknown command"
expect_stderr_has "weft: unknown command 'frobnicate'" "unknown command message"

# --argv0: the program sees NAME as argv[0], not the host path
A0=$(wasm argv0) || exit 1
weft run --argv0 guest-name "$A0"
expect_status 7 "run --argv0 keeps the exit status"
expect_stdout guest-name "run --argv0 sets argv[0]"
weft run "$A0"
expect_stdout "$A0" "argv[0] defaults to the file as written"
# --seccomp-bpf: a descriptor that holds no BPF program is refused
weft run --seccomp-bpf 0 "$A0"
expect_status 1 "run --seccomp-bpf on an empty descriptor"
expect_stderr_has "not a BPF program" "--seccomp-bpf refusal names the problem"
weft run --seccomp-bpf x "$A0"
expect_stderr_has "invalid value 'x' for --seccomp-bpf" "--seccomp-bpf wants a number"

# a failure after --max-memory refused a memory.grow says so
G=$(wasm grow_trap) || exit 1
weft run --max-memory 1M "$G"
expect_status 3 "growing past --max-memory, then trapping"
expect_stderr_has "memory.grow past --max-memory was refused" "the trap names the memory limit"
weft run --argv0 /guest/grow.wasm --max-memory 1M "$G"
expect_stderr_has "weft: /guest/grow.wasm: memory.grow" "messages name the module by --argv0"
weft run --max-memory 64M --invoke _start "$A0"
expect_status 7 "no note when no grow was refused"
case $stderr in *"--max-memory was refused"*) not_ok "no memory note without a refused grow";; *) ok;; esac

done_testing
