#!/usr/bin/env bash
# run.sh — `weft run`: --invoke with arguments of every type, result
# printing, traps and their exit status, _start, limits, link errors.
source "$(dirname "$0")/helpers.bash"

A=$(wasm arith) || exit 1

# integers: decimal, negative, hex, wrap-around
check_invoke 42 "$A" add 2 40
check_invoke -2 "$A" add -5 3
check_invoke 48 "$A" add 0x10 0x20
check_invoke -1 "$A" add 0xffffffff 0
check_invoke 0 "$A" add 4294967295 1
check_invoke -2147483648 "$A" add 2147483647 1
check_invoke -9223372036854775808 "$A" add64 9223372036854775807 1
check_invoke -1 "$A" id64 0xffffffffffffffff
check_invoke -16 "$A" id64 -0x10
# `--` between the file and the arguments is optional
weft run --invoke add "$A" -- -7 -8
expect_stdout -15 "run with -- before arguments"

# floats: round-trip digits, nan, inf
check_invoke 3.75 "$A" fadd32 1.5 2.25
check_invoke 0.3 "$A" fadd32 0.1 0.2
check_invoke 0.1 "$A" fadd64 0.1 0
check_invoke 16777216 "$A" fadd32 16777216 1
check_invoke 3.4028235e+38 "$A" id32f 3.4028234663852886e38
check_invoke 0.30000000000000004 "$A" fadd64 0.1 0.2
check_invoke inf "$A" fadd64 inf 1
check_invoke -inf "$A" fadd32 -inf 1
check_invoke 1e+300 "$A" fadd64 1e300 0
check_invoke 2143289344 "$A" f32bits nan
check_invoke 2139095041 "$A" f32bits nan:0x1
check_invoke -9223372036854775808 "$A" f64bits -0
check_invoke nan "$A" id32f nan
check_invoke 1e-45 "$A" id32f 1.4e-45
check_invoke 5e-324 "$A" fadd64 5e-324 0

# results: none, several, references
check_invoke "" "$A" nothing
check_invoke "$(printf -- '-3\n-3')" "$A" pair -3
check_invoke null "$A" null
check_invoke 1 "$A" isnull null

# traps: exit status 3, "weft: trap: <message>" on stderr
invoke "$A" div 1 0
expect_status 3 "integer divide by zero"
expect_stderr_has "weft: trap: integer divide by zero" "div trap message"
expect_stderr_has "wasm backtrace:" "trap prints a backtrace"
expect_stderr_has "func[12]" "backtrace names the trapping function index"
invoke "$A" div 0x80000000 -1
expect_stderr_has "weft: trap: integer overflow" "div overflow trap"
invoke "$A" crash
expect_status 3 "unreachable"
expect_stderr_has "weft: trap: unreachable" "unreachable trap message"
invoke "$A" oob
expect_status 3 "out of bounds load"
expect_stderr_has "weft: trap: out of bounds memory access" "oob message"
weft run --max-call-depth 100 --invoke recurse "$A" 1000
expect_status 3 "recursion deeper than --max-call-depth"
expect_stderr_has "weft: trap: call stack exhausted" "stack exhaustion message"
wat2wasm --debug-names tests/cli/arith.wat -o "$OUT/arith_names.wasm"
weft run --max-call-depth 30 --invoke recurse "$OUT/arith_names.wasm" 100
expect_status 3 "named module: stack exhausted"
expect_stderr_has "func[15] <rec>" "backtrace uses the name section"
expect_stderr_has "more frames" "long backtraces are cut"
check_invoke 50 "$A" recurse 50
# the default depth allows a few thousand frames
check_invoke 5000 "$A" recurse 5000

# --max-memory bounds memory.grow (1 page now; 128 KiB allows one more)
weft run --max-memory 128K --invoke grow "$A" 1
expect_stdout 1 "grow within --max-memory"
weft run --max-memory 128K --invoke grow "$A" 2
expect_stdout -1 "grow beyond --max-memory fails"
weft run "$(wasm bigmem)" --invoke size
expect_status 1 "option after FILE is a program argument, not an option"
weft run --max-memory 64K --invoke size "$(wasm bigmem)"
expect_status 2 "memory minimum above --max-memory"
weft run --max-memory 1M --invoke size "$(wasm bigmem)"
expect_stdout 4 "memory minimum within --max-memory"

# argument errors: usage status 1
invoke "$A" add 1
expect_status 1 "too few arguments"
expect_stderr_has "expects 2 arguments (i32, i32), got 1" "arity message"
invoke "$A" add 1 2 3
expect_status 1 "too many arguments"
invoke "$A" add 1 abc
expect_status 1 "non-numeric argument"
expect_stderr_has "'abc' is not a valid i32" "bad argument message"
invoke "$A" add 4294967296 0
expect_status 1 "i32 out of range"
invoke "$A" add 1.5 0
expect_status 1 "float given for i32"
invoke "$A" fadd64 1.5x 0
expect_status 1 "junk after a float"
invoke "$A" nosuch
expect_status 1 "unknown export"
expect_stderr_has "no export named 'nosuch'" "unknown export message"
expect_stderr_has "add" "unknown export lists functions"
invoke "$A" g
expect_status 1 "export that is not a function"
expect_stderr_has "is a global, not a function" "non-function export message"
weft run "$A"
expect_status 1 "no _start and no --invoke"
expect_stderr_has "no '_start' function" "no _start message"
expect_stderr_has "add, add64" "no _start lists exported functions"
weft run --invoke
expect_status 1 "--invoke without a value"
weft run --bogus "$A"
expect_status 1 "unknown option"
weft run
expect_status 1 "missing FILE"

# _start
S=$(wasm start)
weft run "$S"
expect_status 0 "_start runs"
expect_stdout "" "_start prints nothing"
expect_stderr_empty "_start is quiet"
weft "$S"
expect_status 0 "weft FILE.wasm is weft run FILE.wasm"
check_invoke 42 "$S" answer
weft run "$(wasm start_trap)"
expect_status 3 "_start traps"
expect_stderr_has "weft: trap: unreachable" "_start trap message"
weft run --invoke f "$(wasm start_section_trap)"
expect_status 3 "start function traps during instantiation"
expect_stderr_has "weft: trap: integer divide by zero" "start trap message"

# link error: status 2, names the file and the missing import
I=$(wasm imports)
weft run --invoke f "$I"
expect_status 2 "missing import"
expect_stderr_has "weft: $I: " "link error names the file"
expect_stderr_has "env" "link error names the import module"

# missing file: status 1
weft run --invoke f tests/cli/no-such-file.wasm
expect_status 1 "missing file"
expect_stderr_has "no-such-file.wasm: cannot open" "missing file message"

done_testing
