# cache.sh — the TrustZone tier's build cache (sourced by scripts/tz/*.sh).
#
# Entries live outside the clone, in $WEFT_TZ_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/weft/tz, or /var/cache/weft-tz without a
# home), so a fresh clone (CI) reuses the firmware and images that an
# earlier run on the same machine built. An
# entry is a directory NAME-KEY, KEY the first 24 hex digits of a SHA-256 of
# everything the entry is made from (tarballs, packages, scripts, sources).
# It is built in a temporary directory beside it, sealed with a SHA256SUMS
# of every file in it, and renamed into place (rename is atomic on one file
# system: a reader sees no entry or a whole one; of two concurrent builders
# the second finds the first's entry and drops its own). On reuse every
# file is checked against SHA256SUMS; an entry that fails the check is
# removed and built again.

if [ -n "${WEFT_TZ_CACHE:-}" ]; then
    TZ_CACHE=$WEFT_TZ_CACHE
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
    TZ_CACHE=$XDG_CACHE_HOME/weft/tz
elif [ -n "${HOME:-}" ]; then
    TZ_CACHE=$HOME/.cache/weft/tz
else # no home (a bare CI environment): the machine's cache directory
    TZ_CACHE=/var/cache/weft-tz
fi
mkdir -p "$TZ_CACHE"

# tz_key FILE...: the key of these files' contents (and their order).
tz_key() {
    sha256sum "$@" | cut -c1-64 | sha256sum | cut -c1-24
}

# tz_entry_ok DIR: DIR is a sealed entry whose files all match their hashes.
tz_entry_ok() {
    [ -f "$1/SHA256SUMS" ] && [ -s "$1/SHA256SUMS" ] &&
        (cd "$1" && sha256sum --quiet --strict -c SHA256SUMS >/dev/null 2>&1)
}

# tz_cached NAME KEY FUNCTION: prints the directory of entry NAME-KEY,
# building it first with `FUNCTION TMPDIR` when it is missing or damaged.
# FUNCTION's output goes to stderr; it fails by returning non-zero (the
# temporary directory is then removed and tz_cached fails). Keeps the three
# newest entries of NAME.
tz_cached() {
    local name=$1 key=$2 fn=$3 dir tmp t0 c0
    dir=$TZ_CACHE/$name-$key
    if tz_entry_ok "$dir"; then
        echo "tz-cache: $name-$key reused (hashes verified)" >&2
        touch "$dir"
        echo "$dir"
        return 0
    fi
    [ -e "$dir" ] && echo "tz-cache: $name-$key damaged or incomplete: rebuilding" >&2
    rm -rf "$dir"
    tmp=$(mktemp -d "$TZ_CACHE/.tmp-$name-XXXXXX") || return 1
    t0=$SECONDS
    tz_cpu_now
    c0=$TZ_CPU
    if ! "$fn" "$tmp" >&2; then
        echo "tz-cache: building $name failed" >&2
        rm -rf "$tmp"
        return 1
    fi
    (cd "$tmp" && find . -type f ! -name SHA256SUMS -print0 | sort -z |
        xargs -0 -r sha256sum >SHA256SUMS) || { rm -rf "$tmp"; return 1; }
    chmod 755 "$tmp"
    if ! mv -T "$tmp" "$dir" 2>/dev/null; then
        rm -rf "$tmp" # another builder won the race
        tz_entry_ok "$dir" || return 1
    fi
    tz_cpu_now
    echo "tz-cache: $name-$key built in $((SECONDS - t0)) s wall, $((TZ_CPU - c0)) s CPU" >&2
    ls -dt "$TZ_CACHE/$name"-* 2>/dev/null | tail -n +4 | xargs -r rm -rf
    echo "$dir"
}

# tz_cpu_now: sets TZ_CPU to the CPU seconds (user + system) used so far by
# this shell's finished children, for the cold/cached time report (`times`
# must run in this shell, not in a command substitution's subshell).
tz_cpu_now() {
    local f
    f=$(mktemp)
    times >"$f"
    TZ_CPU=$(awk 'NR == 2 { split($1, u, "m"); split($2, s, "m");
        printf "%d\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$f")
    rm -f "$f"
}
