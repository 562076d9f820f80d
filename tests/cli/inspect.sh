#!/usr/bin/env bash
# inspect.sh — `weft inspect`: sections, imports, exports, stats.
source "$(dirname "$0")/helpers.bash"

I=$(wasm imports) || exit 1
weft inspect "$I"
expect_status 0 "inspect"
size=$(wc -c <"$I" | tr -d ' ')
expect_stdout_has "$I: $size bytes" "file size line"
expect_stdout_re '^sections \([0-9]+\):' "sections header"
# section id 1 (type) at offset 0x0000000a is the first section
expect_stdout_re '^ +1 +type +0x0000000a +[0-9]+$' "type section row"
expect_stdout_re '^ +2 +import ' "import section row"
expect_stdout_re '^ +10 +code ' "code section row"
expect_stdout_re '^ +11 +data ' "data section row"
expect_stdout_has "imports (2):" "imports count"
expect_stdout_re '^ +func +env\.log$' "func import"
expect_stdout_re '^ +memory +env\.mem$' "memory import"
expect_stdout_has "exports (3):" "exports count"
expect_stdout_re '^ +func +f +index 1$' "func export, index after the import"
expect_stdout_re '^ +table +table +index 0$' "table export"
expect_stdout_re '^ +global +counter +index 0$' "global export"
expect_stdout_re '^ +functions: +2 \(1 imported\)$' "function count with imports"
expect_stdout_re '^ +memories: +1 \(1 imported\)$' "memory count with imports"
expect_stdout_re '^ +tables: +1$' "table count"
expect_stdout_re '^ +globals: +1$' "global count"
expect_stdout_re '^ +elem segments: +1$' "elem count"
expect_stdout_re '^ +data segments: +1$' "data count"
expect_stdout_re '^ +data bytes: +5$' "data bytes"
expect_stdout_re '^ +start function: +none$' "no start"

weft inspect "$(wasm start_section_trap)"
expect_status 0 "inspect does not instantiate"
expect_stdout_re '^ +start function: +0$' "start function index"

# a custom section shows its own name
wat2wasm --debug-names tests/cli/start.wat -o "$OUT/names.wasm"
weft inspect "$OUT/names.wasm"
expect_stdout_re '^ +0 +name ' "custom name section"

weft inspect "$(wasm invalid --no-check)"
expect_status 2 "inspect of an invalid module"
weft inspect
expect_status 1 "inspect without a file"

done_testing
