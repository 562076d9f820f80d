#!/usr/bin/env bash
# aot_span.sh — counted loops proved in bounds on entry (src/aot/cgen_span.c)
# run a copy without pins that addresses memory through span pointers;
# addresses may also be bounded values (a table indexed by a byte). A
# loop that leaves the memory on some trip, or whose addresses wrap,
# must take the other copy and trap where the interpreter does, with the
# same stores made before it (aot_span.wast reads them back), unmetered,
# with guard pages and with explicit checks (none in the in-bounds copy).
# The generated C must hold the in-bounds copies, or the script would
# test nothing of them.
source "$(dirname "$0")/helpers.bash"

W=tests/cli/aot_span.wast
wast_every_mode "$W" 43

# The module alone, compiled through a compiler that keeps its C.
sed -n '/^(module/,/^;; up to the last byte/p' "$W" | sed '$d' >"$TMP/span.wat"
cat >"$TMP/cc" <<SH
#!/bin/sh
for a in "\$@"; do case \$a in *.c) cat "\$a" >>"$TMP/kept.c" ;; esac; done
exec ${HOST_CC:-cc} "\$@"
SH
chmod +x "$TMP/cc"
for bounds in --guard-pages --explicit-bounds-checks; do
    rm -f "$TMP/kept.c"
    weft compile $bounds --cc "$TMP/cc" "$TMP/span.wat" -o "$TMP/span.cwasm"
    expect_status 0 "weft compile $bounds aot_span's module"
    n=$(grep -c '^    wf_p[0-9]*_0 = mem + ' "$TMP/kept.c" 2>/dev/null)
    [ "${n:-0}" -eq 7 ] && ok || not_ok "$bounds: 7 loops with span pointers, got ${n:-0}"
    # the tables' bounded addresses, spans that do not move
    n=$(grep -c ', 0ll, wf_trips, ' "$TMP/kept.c" 2>/dev/null)
    [ "${n:-0}" -eq 3 ] && ok || not_ok "$bounds: 3 bounded spans, got ${n:-0}"
done
done_testing
