#!/usr/bin/env bash
# aot_stores.sh — a store that traps leaves memory as the interpreter
# does: the stores before it made, none after it, and it not half made,
# in compiled code with guard pages (where the C compiler must not delete
# a store as dead or merge neighbours: WF_STORED) and with explicit
# checks. aot_stores.wast reads the memory back after each trap.
source "$(dirname "$0")/helpers.bash"

W=tests/cli/aot_stores.wast
wast_every_mode "$W" 12
done_testing
