#!/usr/bin/env bash
# fetch.sh — fetch the Debian (bookworm) source packages of the real programs
# that tests/programs/ builds for wasm32-wasi: sqlite3 (speedtest1 + the
# amalgamation) and lua5.4. Nothing is committed: sources land in build/src/.
#
# Idempotent:
#   - adds a deb-src line for bookworm main in
#     /etc/apt/sources.list.d/weft-src.list when no deb-src entry for
#     bookworm main is configured (needs root), and runs `apt-get update`
#     only when it added the line;
#   - runs `apt-get source PKG` only when build/src/ has no PKG-*/ directory.
# `apt-get source` needs dpkg-source (package dpkg-dev; scripts/setup.sh
# installs it). --download-only is not used: the sources are unpacked.
#
# Exit status: 0 when both sources are present afterwards; 3 when they cannot
# be fetched (not root and no deb-src line, no network, no dpkg-dev) — the
# caller treats 3 as "skipped"; other non-zero values are errors.
#
# usage: bash tests/programs/fetch.sh [--quiet]

set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$ROOT/build/src
LIST=/etc/apt/sources.list.d/weft-src.list
PKGS=(sqlite3 lua5.4)

have_src() { # PKG: is build/src/PKG-*/ there (unpacked)?
    local d
    for d in "$SRC/$1"-*/; do
        [ -d "$d" ] && return 0
    done
    return 1
}

all_present() {
    local p
    for p in "${PKGS[@]}"; do have_src "$p" || return 1; done
    return 0
}

if all_present; then
    echo "fetch: sources present in build/src/"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    fi
fi
can_root() { [ "$(id -u)" -eq 0 ] || [ ${#SUDO[@]} -gt 0 ]; }

if ! command -v dpkg-source >/dev/null 2>&1; then
    if can_root; then
        echo "fetch: installing dpkg-dev (needed by apt-get source)"
        DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y \
            --no-install-recommends dpkg-dev >/dev/null ||
            { echo "fetch: cannot install dpkg-dev" >&2; exit 3; }
    else
        echo "fetch: dpkg-source (dpkg-dev) missing and not root" >&2
        exit 3
    fi
fi

# Is a deb-src entry for bookworm main configured anywhere?
has_debsrc() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        grep -Eq '^[[:space:]]*deb-src[[:space:]].*[[:space:]]bookworm[[:space:]].*main' "$f" &&
            return 0
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822: a stanza whose Types has deb-src, Suites has bookworm and
        # Components has main.
        awk 'BEGIN { RS = ""; found = 0 }
             /(^|\n)Types:[^\n]*deb-src/ && /(^|\n)Suites:[^\n]*bookworm([ \n]|$)/ &&
             /(^|\n)Components:[^\n]*main/ { found = 1 }
             END { exit !found }' "$f" && return 0
    done
    return 1
}

if ! has_debsrc; then
    if ! can_root; then
        echo "fetch: no deb-src line for bookworm main and not root" >&2
        exit 3
    fi
    # Use the same mirror as the configured binary entries when we can tell.
    mirror=http://deb.debian.org/debian
    m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '{print $2}' | grep -v security | head -n 1)
    [ -n "$m" ] && mirror=$m
    # apt refuses two entries for one source with different Signed-By
    # values, so reuse the keyring the binary entries name, if any.
    opt=""
    key=$(grep -hE '^Signed-By:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '{print $2}' | head -n 1)
    [ -z "$key" ] && key=$(grep -hoE 'signed-by=[^] ]+' /etc/apt/sources.list \
        /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1 | cut -d= -f2)
    [ -n "$key" ] && opt="[signed-by=$key] "
    line="deb-src $opt$mirror bookworm main"
    mkdir -p "$ROOT/build"
    echo "fetch: adding '$line' to $LIST"
    echo "$line" | "${SUDO[@]}" tee "$LIST" >/dev/null ||
        { echo "fetch: cannot write $LIST" >&2; exit 3; }
    if ! "${SUDO[@]}" apt-get update -q >"$ROOT/build/apt-update.log" 2>&1; then
        tail -n 5 "$ROOT/build/apt-update.log" >&2
        # Never leave apt with a source list it cannot read.
        if grep -q 'could not be read' "$ROOT/build/apt-update.log"; then
            "${SUDO[@]}" rm -f "$LIST"
        fi
        echo "fetch: apt-get update failed (no network?)" >&2
        exit 3
    fi
fi

mkdir -p "$SRC"
get_source() { (cd "$SRC" && apt-get source -q "$1" >"$SRC/$1.fetch.log" 2>&1); }
for p in "${PKGS[@]}"; do
    have_src "$p" && continue
    echo "fetch: apt-get source $p"
    get_source "$p" && continue
    if grep -Eq "Unable to find a source package|must put some 'deb-src'" \
        "$SRC/$p.fetch.log" && can_root; then
        # The deb-src line is there but not its index (an earlier
        # `apt-get update` failed): update once and try again.
        echo "fetch: no source index: apt-get update, then apt-get source $p"
        "${SUDO[@]}" apt-get update -q >"$ROOT/build/apt-update.log" 2>&1 &&
            get_source "$p" && continue
    fi
    tail -n 5 "$SRC/$p.fetch.log" >&2
    echo "fetch: apt-get source $p failed (no network?)" >&2
    exit 3
done

all_present || { echo "fetch: sources missing after apt-get source" >&2; exit 1; }
echo "fetch: sources present in build/src/"
exit 0
