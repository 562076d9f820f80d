#!/usr/bin/env bash
# aot_global0.sh — global 0 (LLVM's stack pointer in most modules), which
# compiled code reads through the context at each access in a function
# that calls, and through a cell pointer copied on entry in a leaf (P12k):
# every read sees the last write, a callee's, another instance's (an
# imported global) or one between stores, in the interpreter and both
# AoT modes, and global 0 of type i64 and f64.
source "$(dirname "$0")/helpers.bash"

wast_every_mode tests/cli/aot_global0.wast 15
done_testing
