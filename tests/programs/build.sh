#!/usr/bin/env bash
# build.sh — build the real programs of tests/programs/ twice: for
# wasm32-wasi (Debian's clang-19 + wasi-libc, run by `weft run`) and
# natively (gcc -O2, the reference). Sources come from tests/programs/fetch.sh
# (Debian bookworm source packages in build/src/); everything is built in
# build/programs/. Nothing of the programs' sources is changed:
#
#   SQLite speedtest1   test/speedtest1.c + the amalgamation sqlite3.c,
#                       which the source package does not ship: it is made
#                       with the package's own `configure && make sqlite3.c`
#                       (needs tclsh). For WASI, SQLite's unix file layer is
#                       kept; shims/wasi_posix.[ch] supply the few POSIX
#                       calls wasi-libc lacks (fchmod, fchown, geteuid,
#                       getpagesize, fcntl locks), with wasi-libc's mmap and
#                       getpid emulations. Same SQLITE_* options both ways.
#   Lua 5.4             src/*.c minus luac.c. Wasm: ISO C configuration (no
#                       LUA_USE_POSIX), 64-bit integers as natively;
#                       shims/lua_wasi.c (system/tmpnam/tmpfile that fail),
#                       wasi-libc's signal and clock emulations, and
#                       setjmp/longjmp from shims/sjlj/ (Binaryen Asyncify:
#                       the module is post-processed by `wasm-opt --asyncify`).
#                       Native: -DLUA_USE_LINUX as Debian builds it.
#
# Outputs: build/programs/{speedtest1,lua}.{wasm,native}
# Rebuilds only what is older than its inputs. Exit status 3 when the
# sources are missing (run fetch.sh) or a tool is missing.
#
# usage: bash tests/programs/build.sh [-v]

set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
HERE=tests/programs
SHIMS=$HERE/shims
OUT=build/programs
verbose=0
[ "${1:-}" = -v ] && verbose=1

CLANG=${CLANG:-clang-19}
command -v "$CLANG" >/dev/null 2>&1 || CLANG=/usr/lib/llvm-19/bin/clang
GCC=${GCC:-gcc}
WASM_OPT=${WASM_OPT:-wasm-opt}

# The wasi-libc sysroot: the directory whose include/wasm32-wasi holds the
# headers (Debian: /usr).
sysroot() {
    local h
    h=$(dpkg -L wasi-libc 2>/dev/null | grep -m1 '/include/wasm32-wasi$')
    [ -n "$h" ] || h=/usr/include/wasm32-wasi
    dirname "$(dirname "$h")"
}
SYSROOT=$(sysroot)

missing=()
for t in "$CLANG" "$GCC" "$WASM_OPT" tclsh make; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
[ -f "$SYSROOT/include/wasm32-wasi/stdio.h" ] || missing+=("wasi-libc")
if [ ${#missing[@]} -gt 0 ]; then
    echo "build: missing ${missing[*]} (run scripts/setup.sh)" >&2
    exit 3
fi

srcdir() { # PKG: the unpacked source directory in build/src/
    local d
    for d in build/src/"$1"-*/; do
        [ -d "$d" ] && { echo "${d%/}"; return 0; }
    done
    return 1
}
SQLITE_SRC=$(srcdir sqlite3) || { echo "build: no sqlite3 source: run $HERE/fetch.sh" >&2; exit 3; }
LUA_SRC=$(srcdir lua5.4) || { echo "build: no lua5.4 source: run $HERE/fetch.sh" >&2; exit 3; }

mkdir -p "$OUT"
LOG=$OUT/build.log
: >"$LOG"

run() { # CMD...: log it, run it, show the log tail on failure
    echo "+ $*" >>"$LOG"
    [ "$verbose" = 1 ] && echo "+ $*"
    if ! "$@" >>"$LOG" 2>&1; then
        echo "build: FAILED: $*" >&2
        tail -n 30 "$LOG" >&2
        exit 1
    fi
}

# up_to_date OUT IN...: OUT exists and is newer than every IN
up_to_date() {
    local out=$1 f
    shift
    [ -e "$out" ] || return 1
    for f in "$@"; do
        [ "$f" -nt "$out" ] && return 1
    done
    return 0
}

WASM_CC=("$CLANG" --target=wasm32-wasi --sysroot="$SYSROOT")

# ---- SQLite ---------------------------------------------------------------
SQ=$OUT/sqlite
SQLITE_OPTS=(-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_MAX_MMAP_SIZE=0)
mkdir -p "$SQ"
if ! up_to_date "$SQ/sqlite3.c" "$SQLITE_SRC/VERSION"; then
    echo "build: sqlite3.c (configure && make sqlite3.c in $SQ)"
    srcabs=$(cd "$SQLITE_SRC" && pwd)
    (cd "$SQ" && "$srcabs/configure" --disable-tcl >configure.log 2>&1) ||
        { tail -n 20 "$SQ/configure.log" >&2; echo "build: sqlite configure failed" >&2; exit 1; }
    run make -C "$SQ" sqlite3.c
fi
SPEED=$SQLITE_SRC/test/speedtest1.c
if ! up_to_date "$OUT/speedtest1.native" "$SQ/sqlite3.c" "$SPEED" "$0"; then
    echo "build: speedtest1.native"
    run "$GCC" -O2 -I"$SQ" "${SQLITE_OPTS[@]}" -o "$OUT/speedtest1.native" \
        "$SPEED" "$SQ/sqlite3.c" -lm
fi
if ! up_to_date "$OUT/speedtest1.wasm" "$SQ/sqlite3.c" "$SPEED" "$0" \
    "$SHIMS/wasi_posix.h" "$SHIMS/wasi_posix.c" "$SHIMS/wasi_string.c"; then
    echo "build: speedtest1.wasm"
    # -mbulk-memory (WebAssembly 2.0) with shims/wasi_string.c: memcpy and
    # memset as memory.copy/memory.fill instead of wasi-libc's MVP loops.
    WASI_POSIX=(-mbulk-memory -include "$SHIMS/wasi_posix.h" -D_WASI_EMULATED_MMAN
        -D_WASI_EMULATED_GETPID)
    run "${WASM_CC[@]}" -O2 -I"$SQ" "${SQLITE_OPTS[@]}" "${WASI_POSIX[@]}" \
        -c "$SQ/sqlite3.c" -o "$SQ/sqlite3.wasm.o"
    run "${WASM_CC[@]}" -O2 -I"$SQ" "${SQLITE_OPTS[@]}" "${WASI_POSIX[@]}" \
        -o "$OUT/speedtest1.wasm" "$SPEED" "$SQ/sqlite3.wasm.o" \
        "$SHIMS/wasi_posix.c" "$SHIMS/wasi_string.c" \
        -lwasi-emulated-mman -lwasi-emulated-getpid
fi

# ---- Lua --------------------------------------------------------------------
LO=$OUT/lua
mkdir -p "$LO/wasm" "$LO/native"
LUA_C=()
for f in "$LUA_SRC"/src/*.c; do
    [ "$(basename "$f")" = luac.c ] || LUA_C+=("$f")
done
# Debian's luaconf.h includes this for its module paths.
for arch in wasm native; do
    hdr=$LO/$arch/lua5.4-deb-multiarch.h
    ma=wasm32-wasi
    [ $arch = native ] && ma=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
    want="#define DEB_HOST_MULTIARCH \"$ma\""
    [ "$(cat "$hdr" 2>/dev/null)" = "$want" ] || echo "$want" >"$hdr"
done

if ! up_to_date "$OUT/lua.native" "${LUA_C[@]}" "$LUA_SRC"/src/*.h "$0"; then
    echo "build: lua.native"
    run "$GCC" -O2 -std=gnu99 -DLUA_USE_LINUX -I"$LO/native" -o "$OUT/lua.native" \
        "${LUA_C[@]}" -Wl,-E -lm -ldl
fi
SJLJ=$SHIMS/sjlj
if ! up_to_date "$OUT/lua.wasm" "${LUA_C[@]}" "$LUA_SRC"/src/*.h "$0" \
    "$SHIMS/lua_wasi.c" "$SJLJ/setjmp.h" "$SJLJ/sjlj.c" "$SJLJ/sp.S"; then
    echo "build: lua.wasm"
    LUA_WASM_CFLAGS=(-O2 -std=gnu99 -I"$SJLJ" -I"$LO/wasm" -D_WASI_EMULATED_SIGNAL
        -D_WASI_EMULATED_PROCESS_CLOCKS -Wno-deprecated-declarations
        -DL_tmpnam=20 # ISO C's, which wasi-libc leaves out with tmpnam()
        # A fixed string-hash seed (Lua takes time(NULL)): runs of one script
        # then use the same fuel, which the snapshot tier compares.
        '-Dluai_makeseed(L)=0x5eedu')
    objs=()
    for f in "${LUA_C[@]}" "$SHIMS/lua_wasi.c" "$SJLJ/sjlj.c"; do
        b=$(basename "$f" .c)
        extra=()
        [ "$b" = lua ] && extra=(-Dmain=weft_sjlj_main) # sjlj.c's main drives it
        run "${WASM_CC[@]}" "${LUA_WASM_CFLAGS[@]}" "${extra[@]}" -c "$f" -o "$LO/wasm/$b.o"
        objs+=("$LO/wasm/$b.o")
    done
    run "${WASM_CC[@]}" -c "$SJLJ/sp.S" -o "$LO/wasm/sp.o"
    objs+=("$LO/wasm/sp.o")
    run "${WASM_CC[@]}" -Wl,-z,stack-size=1048576 -o "$LO/lua.pre.wasm" "${objs[@]}" \
        -lwasi-emulated-signal -lwasi-emulated-process-clocks -lm
    run "$WASM_OPT" --asyncify --pass-arg=asyncify-ignore-imports -O2 \
        "$LO/lua.pre.wasm" -o "$OUT/lua.wasm"
fi

echo "build: $OUT/speedtest1.{wasm,native} $OUT/lua.{wasm,native} up to date"
