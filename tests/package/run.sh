#!/usr/bin/env bash
# run.sh — the packaging tier: `make install DESTDIR=<tmp> PREFIX=/usr`, then
# checks the installed tree the way an embedder meets it:
#   layout      headers under usr/include/weft, both libraries static and
#               shared with their SONAME links, bin/weft, the man page and
#               the pkg-config files
#   soname      libweft.so.0.x.y says SONAME libweft.so.MAJOR, and
#               libweft-wasm.so needs libweft.so.MAJOR
#   exports     the dynamic symbols of each .so are exactly the functions its
#               installed headers declare (WEFT_API in weft*.h,
#               WASM_API_EXTERN in wasm.h): an internal symbol that leaks,
#               or a declared function that is not exported, fails
#   complete    every extern function an installed header declares (gcc
#               -aux-info, macros expanded) is exported by one of the two
#               libraries: a public declaration that lacks WEFT_API fails
#   shared      examples/embed.c built with `cc $(pkg-config --cflags --libs
#               weft)` from outside the tree, against libweft.so, runs
#   static      the same against libweft.a (no libweft.so needed) runs
#   version     weft_version() of the installed library is the headers'
#   binary      the installed weft runs (`weft --version`)
# One test per line above; closing line "N passed, N failed".
#
# environment: BUILD (default build), CC, SAN_CFLAGS/SAN_LDFLAGS (as
# scripts/test.sh gives them).
set -u
export LC_ALL=C

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 2
BUILD=${BUILD:-build}
CC=${CC:-cc}
SAN_CFLAGS=${SAN_CFLAGS:-}
SAN_LDFLAGS=${SAN_LDFLAGS:-}
out=$repo/$BUILD/tests/package
root=$out/root
pass=0
fail=0

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

rm -rf "$out" && mkdir -p "$out"
if ! make -s -j2 BUILD="$BUILD" CC="$CC" EXTRA_CFLAGS="$SAN_CFLAGS" \
        EXTRA_LDFLAGS="$SAN_LDFLAGS" DESTDIR="$root" PREFIX=/usr install \
        >"$out/install.log" 2>&1; then
    tail -n 30 "$out/install.log"
    echo "FAIL: make install"
    echo "0 passed, 8 failed"
    exit 1
fi
lib=$root/usr/lib
inc=$root/usr/include/weft
major=$(sed -n 's/^#define WEFT_VERSION_MAJOR \([0-9]*\)$/\1/p' "$inc/weft.h")
full=$(sed -n 's/^#define WEFT_VERSION "\(.*\)"$/\1/p' "$inc/weft.h")

# ---- layout
missing=""
for f in usr/include/weft/weft.h usr/include/weft/weft_wasi.h \
    usr/include/weft/wasm.h usr/lib/libweft.a usr/lib/libweft-wasm.a \
    usr/lib/libweft-aotbuild.a \
    "usr/lib/libweft.so.$full" "usr/lib/libweft-wasm.so.$full" \
    usr/bin/weft usr/share/man/man1/weft.1 usr/lib/pkgconfig/weft.pc \
    usr/lib/pkgconfig/weft-wasm.pc; do
    [ -f "$root/$f" ] || missing="$missing $f"
done
for l in weft weft-wasm; do
    [ "$(readlink "$lib/lib$l.so.$major")" = "lib$l.so.$full" ] ||
        missing="$missing lib$l.so.$major->lib$l.so.$full"
    [ "$(readlink "$lib/lib$l.so")" = "lib$l.so.$major" ] ||
        missing="$missing lib$l.so->lib$l.so.$major"
done
if [ -z "$missing" ]; then ok layout; else bad layout "missing:$missing"; fi

# ---- soname
so_dyn=$(readelf -d "$lib/libweft.so.$full")
wasm_dyn=$(readelf -d "$lib/libweft-wasm.so.$full")
if grep -qF "Library soname: [libweft.so.$major]" <<<"$so_dyn" &&
    grep -qF "Library soname: [libweft-wasm.so.$major]" <<<"$wasm_dyn" &&
    grep -qF "Shared library: [libweft.so.$major]" <<<"$wasm_dyn"; then
    ok soname
else
    bad soname "SONAME or NEEDED entries wrong"
fi

# ---- exports: declared (by preprocessing the installed headers with the
# export macro replaced by a marker) versus exported (nm -D).
declared() { # MACRO HEADER...
    local macro=$1
    shift
    printf '#include "%s"\n' "$@" |
        $CC -E -P -I"$inc" "-D$macro=EXPORT_MARK" -x c - |
        tr '\n' ' ' | grep -oE 'EXPORT_MARK[^;(]*\(' |
        grep -oE '[A-Za-z_][A-Za-z0-9_]* *\($' | tr -d ' (' | sort -u
}
exported() { nm -D --defined-only "$1" | awk '{print $3}' | sort -u; }
(cd "$inc" && ls weft*.h) >"$out/weft_headers"
# shellcheck disable=SC2046
declared WEFT_API $(cat "$out/weft_headers") >"$out/weft.declared"
declared WASM_API_EXTERN wasm.h weft_wasm_wasi.h >"$out/wasm.declared"
exported "$lib/libweft.so.$full" >"$out/weft.exported"
exported "$lib/libweft-wasm.so.$full" >"$out/wasm.exported"
ndecl=$(wc -l <"$out/weft.declared")
nexp=$(wc -l <"$out/weft.exported")
nwdecl=$(wc -l <"$out/wasm.declared")
nwexp=$(wc -l <"$out/wasm.exported")
echo "libweft.so: $nexp exported, $ndecl declared; libweft-wasm.so: $nwexp exported, $nwdecl declared"
if [ "$ndecl" -gt 50 ] && [ "$nwdecl" -gt 200 ] &&
    cmp -s "$out/weft.declared" "$out/weft.exported" &&
    cmp -s "$out/wasm.declared" "$out/wasm.exported"; then
    ok exports
else
    diff "$out/weft.declared" "$out/weft.exported" | sed 's/^/  libweft: /' | head -20
    diff "$out/wasm.declared" "$out/wasm.exported" | sed 's/^/  libweft-wasm: /' | head -20
    bad exports "exported symbols differ from the declared API (> leaked, < missing)"
fi

# ---- complete: all extern functions of the installed headers (whatever
# macro they carry) against what the two libraries export together.
(cd "$inc" && ls ./*.h) | sed 's|^\./||' >"$out/all_headers"
# shellcheck disable=SC2046
printf '#include "%s"\n' $(cat "$out/all_headers") |
    gcc -aux-info "$out/aux.txt" -I"$inc" -x c -c - -o /dev/null 2>"$out/aux.log"
grep -F "$inc/" "$out/aux.txt" | grep -E '^/\* [^ ]+ \*/ extern ' |
    sed -E 's/ \(.*//; s/.*[ *]//' | sort -u >"$out/all.declared"
# The compiler driver (weft_aot_build.h's WEFT_AOTBUILD_API) is the static
# libweft-aotbuild.a's, outside libweft.so.
nm --defined-only "$lib/libweft-aotbuild.a" 2>/dev/null | awk '$2 == "T" {print $3}' \
    >"$out/aotbuild.defined"
sort -u "$out/weft.exported" "$out/wasm.exported" "$out/aotbuild.defined" \
    >"$out/all.exported"
nall=$(wc -l <"$out/all.declared")
if [ "$nall" -gt 250 ] && [ -z "$(comm -23 "$out/all.declared" "$out/all.exported")" ]; then
    ok "complete ($nall extern functions declared, all exported)"
else
    cat "$out/aux.log"
    comm -23 "$out/all.declared" "$out/all.exported" | sed 's/^/  not exported: /' | head -20
    bad complete "a function the installed headers declare is not exported ($nall declared)"
fi

# ---- shared and static builds of examples/embed.c, from outside the tree
export PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_LIBDIR=$lib/pkgconfig
export PKG_CONFIG_PATH=
# pkg-config would drop -L/usr/lib and -I/usr/include as system paths
# before the sysroot is prefixed; here they are the staged tree's.
export PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
work=$out/outside
mkdir -p "$work"
cp examples/embed.c "$work/"
cflags=$(pkg-config --cflags weft) && libs=$(pkg-config --libs weft) &&
    slibs=$(pkg-config --static --libs weft) || {
    bad pkg-config "pkg-config --cflags --libs weft failed"
}
# shellcheck disable=SC2086
if (cd "$work" && $CC $SAN_CFLAGS $cflags -o embed_shared embed.c $libs \
        $SAN_LDFLAGS) >"$out/shared.log" 2>&1 &&
    readelf -d "$work/embed_shared" | grep -qF "[libweft.so.$major]" &&
    (cd "$work" && LD_LIBRARY_PATH=$lib ./embed_shared) >"$out/shared.out" 2>&1 &&
    LD_LIBRARY_PATH=$lib ldd "$work/embed_shared" | grep -qF "$lib/libweft.so.$major"; then
    ok shared
else
    cat "$out/shared.log" "$out/shared.out" 2>/dev/null | tail -n 20
    bad shared "embed.c against libweft.so (pkg-config) did not build or run"
fi
# Static: the archive named in place of -lweft.
# shellcheck disable=SC2086
if (cd "$work" && $CC $SAN_CFLAGS $cflags -o embed_static embed.c \
        ${slibs//-lweft/-l:libweft.a} $SAN_LDFLAGS) >"$out/static.log" 2>&1 &&
    ! readelf -d "$work/embed_static" | grep -qF "libweft" &&
    (cd "$work" && ./embed_static) >"$out/static.out" 2>&1; then
    ok static
else
    cat "$out/static.log" "$out/static.out" 2>/dev/null | tail -n 20
    bad static "embed.c against libweft.a did not build or run"
fi

# ---- version: the library's weft_version() against the installed header
cat >"$work/version.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "weft.h"
int main(void) {
  uint32_t n = 0;
  const char *v = weft_version(&n);
  printf("%s %u\n", v, (unsigned)n);
  return strcmp(v, WEFT_VERSION) != 0 || n != WEFT_VERSION_NUMBER;
}
EOF
# shellcheck disable=SC2086
if (cd "$work" && $CC $SAN_CFLAGS $cflags -o version version.c $libs \
        $SAN_LDFLAGS && LD_LIBRARY_PATH=$lib ./version) >"$out/version.out" 2>&1; then
    ok "version ($(head -n 1 "$out/version.out"))"
else
    cat "$out/version.out"
    bad version "weft_version() differs from the installed weft.h"
fi

# ---- the installed binary
if "$root/usr/bin/weft" --version >"$out/weft.out" 2>&1 &&
    grep -qF "$full" "$out/weft.out"; then
    ok binary
else
    cat "$out/weft.out"
    bad binary "usr/bin/weft --version"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
