#!/usr/bin/env bash
# build.sh — builds the libFuzzer targets build-fuzz/fuzz_load,
# build-fuzz/fuzz_wasi_snapshot (WASI snapshot restore) and
# build-fuzz/fuzz_snapshot (engine snapshot restore and resume): the library
# sources compiled by clang-19 with -fsanitize=fuzzer-no-link,address,undefined
# (through the Makefile, into build-fuzz/), linked with tests/fuzz/fuzz_*.c.
# Run the second on its seeds with, e.g.
#   build-fuzz/fuzz_wasi_snapshot -max_total_time=60 build-fuzz/snap-work \
#     tests/fuzz/corpus-wasi-snapshot
#
# usage: tests/fuzz/build.sh        (CLANG=... to pick another clang)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
CLANG=${CLANG:-clang-19}
BUILD=build-fuzz
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
JOBS=$(nproc 2>/dev/null || echo 2)

make -j"$JOBS" CC="$CLANG" BUILD="$BUILD" OPT=-O1 \
  EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $SAN" "$BUILD/libweft.a"
"$CLANG" -std=gnu11 -O1 -g -Wall -Wextra -Iinclude -fsanitize=fuzzer $SAN \
  -o "$BUILD/fuzz_load" tests/fuzz/fuzz_load.c "$BUILD/libweft.a" -lm
for target in fuzz_wasi_snapshot fuzz_snapshot; do
  "$CLANG" -std=gnu11 -O1 -g -Wall -Wextra -Iinclude -fsanitize=fuzzer $SAN \
    -o "$BUILD/$target" "tests/fuzz/$target.c" "$BUILD/libweft.a" -lm
done
echo "built $BUILD/fuzz_load $BUILD/fuzz_wasi_snapshot $BUILD/fuzz_snapshot"
