#!/usr/bin/env bash
# embed.sh — the freestanding core, cross-built (`make embed`; issue P5,
# "Freestanding core" and "Footprint budget"). For each target:
#
#   cortex-m4   arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb, hard float
#               (fpv4-sp-d16: f32 in hardware, f64 in libgcc)
#   cortex-a7   arm-none-eabi-gcc -mcpu=cortex-a7 -marm, VFPv4 + NEON
#   rv64gc      riscv64-unknown-elf-gcc -march=rv64imafdc -mabi=lp64d
#               -mcmodel=medany
#
# compiles the core (WEFT_FREESTANDING_SRC from sources.mk: decoder,
# validator, lowering, interpreter, runtime; no WASI, no AoT) and the bare
# port (WEFT_BARE_PORT_SRC) at -Os with -ffreestanding and the Makefile's
# warnings plus -Werror, twice: the default build and WEFT_ENABLE_SIMD=0.
# Then checks the undefined symbols (`nm -u`) against an allow-list:
#
#   core alone      memcpy memset memmove memcmp; the platform hooks of
#                   base.h/runtime.h (wf_port_realloc, wf_port_reserve,
#                   wf_port_commit, wf_port_release, wf_port_stack_bottom,
#                   wf_aot_call,
#                   wf_aot_instance_init, wf_aot_instance_release); and the
#                   compiler runtime: any __name that the target's own
#                   libgcc.a defines (soft-float and 64-bit division
#                   helpers such as __aeabi_dadd, __aeabi_uldivmod,
#                   __popcountsi2; `-print-libgcc-file-name` picks it)
#   core + port     (linked with ld -r) only the mem* four and libgcc
#
# and prints the text/data/bss of the core (the sum over its objects, an
# upper bound: a linker with --gc-sections drops what an embedder does not
# call) and of the port. Where qemu-arm is installed, it also links the
# Cortex-M4 build into a whole program with tests/embed/bare_main.c and
# libgcc, runs it (fac(20) from a static arena) and prints its text size
# and the smallest arena that ran it. Exits non-zero when a build, a check
# or that run fails.
#
# usage: scripts/embed.sh        (the Makefile passes the source lists)
# environment: WEFT_FREESTANDING_SRC, WEFT_BARE_PORT_SRC, WEFT_SRC_INC (the
#   union of src/'s layer -I directories) (required),
#   BUILD (default build; output in BUILD/freestanding/), EMBED_TARGETS (a subset
#   of the names above)

set -uo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

: "${WEFT_FREESTANDING_SRC:?set by make embed (sources.mk)}"
: "${WEFT_BARE_PORT_SRC:?set by make embed (sources.mk)}"
: "${WEFT_SRC_INC:?set by make embed (sources.mk)}"
BUILD=${BUILD:-build}
OUT=$BUILD/freestanding
TARGETS=${EMBED_TARGETS:-cortex-m4 cortex-a7 rv64gc}

# The Makefile's warnings (WARN), as errors.
WARN="-Wall -Wextra -Wshadow -Wundef -Wstrict-prototypes -Wmissing-prototypes \
-Wvla -Wimplicit-fallthrough -Werror"
COMMON="-std=gnu11 -Os -ffreestanding -fno-math-errno -ffp-contract=off \
-fvisibility=hidden -Iinclude -Iports/bare $WEFT_SRC_INC $WARN"
ALLOWED_HOOKS="memcpy memset memmove memcmp wf_port_realloc wf_port_reserve \
wf_port_commit wf_port_release wf_port_stack_bottom wf_aot_call wf_aot_instance_init \
wf_aot_instance_release"

target_cc() {
    case $1 in
    cortex-m4) echo "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" ;;
    cortex-a7) echo "arm-none-eabi-gcc -mcpu=cortex-a7 -marm -mfloat-abi=hard -mfpu=neon-vfpv4" ;;
    rv64gc) echo "riscv64-unknown-elf-gcc -march=rv64imafdc -mabi=lp64d -mcmodel=medany" ;;
    *) return 1 ;;
    esac
}

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# undefined ARCHIVE-OR-OBJECT NM: symbols used and not defined anywhere in it.
undefined() {
    comm -23 <("$2" -u "$1" 2>/dev/null | awk 'NF == 2 { print $2 }' | sort -u) \
             <("$2" --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
}

# check_allowed NAME SYMBOLS-FILE ALLOWED-FILE
check_allowed() {
    local extra
    extra=$(comm -23 "$2" "$3")
    if [ -n "$extra" ]; then
        fail "$1: undefined symbols outside the allow-list: $(echo $extra)"
        return 1
    fi
    return 0
}

# size_of ARCHIVE SIZE: "text data bss" summed over its members.
size_of() {
    "$2" -t "$1" | tail -n 1 | awk '{ print $1, $2, $3 }'
}

for tool in arm-none-eabi-gcc riscv64-unknown-elf-gcc; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "embed.sh: $tool not found; run scripts/setup.sh" \
             "(gcc-arm-none-eabi, gcc-riscv64-unknown-elf)" >&2
        exit 1
    fi
done

rows=()
for target in $TARGETS; do
    cc_line=$(target_cc "$target") || { fail "unknown target $target"; continue; }
    read -r -a CC <<<"$cc_line"
    prefix=${CC[0]%gcc}
    NM=${prefix}nm AR=${prefix}ar SIZE=${prefix}size
    libgcc=$("${CC[@]}" -print-libgcc-file-name)
    for profile in default no-simd; do
        dir=$OUT/$target-$profile
        rm -rf "$dir"
        mkdir -p "$dir/core" "$dir/port"
        defs=()
        [ "$profile" = no-simd ] && defs=(-DWEFT_ENABLE_SIMD=0)
        ok=1
        for src in $WEFT_FREESTANDING_SRC; do
            obj=$dir/core/$(basename "$src" .c).o
            # shellcheck disable=SC2086
            if ! "${CC[@]}" $COMMON "${defs[@]}" -c "$src" -o "$obj" \
                 2>"$obj.log"; then
                cat "$obj.log"
                fail "$target $profile: $src does not build"
                ok=0
            fi
        done
        for src in $WEFT_BARE_PORT_SRC; do
            obj=$dir/port/$(basename "$src" .c).o
            # shellcheck disable=SC2086
            if ! "${CC[@]}" $COMMON "${defs[@]}" -c "$src" -o "$obj" \
                 2>"$obj.log"; then
                cat "$obj.log"
                fail "$target $profile: $src does not build"
                ok=0
            fi
        done
        [ $ok = 1 ] || continue
        "$AR" rcs "$dir/libweft_core.a" "$dir"/core/*.o
        "$AR" rcs "$dir/libweft_bare.a" "$dir"/port/*.o

        # The allow-lists: libgcc's own symbols, plus mem* and the hooks.
        "$NM" --defined-only "$libgcc" 2>/dev/null |
            awk 'NF == 3 && $3 ~ /^__/ { print $3 }' | sort -u >"$dir/libgcc.syms"
        { cat "$dir/libgcc.syms"; printf '%s\n' memcpy memset memmove memcmp; } |
            sort -u >"$dir/allowed-linked"
        { cat "$dir/libgcc.syms"; printf '%s\n' $ALLOWED_HOOKS; } |
            sort -u >"$dir/allowed-core"

        undefined "$dir/libweft_core.a" "$NM" >"$dir/undefined-core"
        check_allowed "$target $profile core" "$dir/undefined-core" \
            "$dir/allowed-core" || ok=0
        # Core and port as one relocatable object: the port completes it.
        if "${CC[@]}" -nostdlib -r -o "$dir/weft_bare.o" \
             -Wl,--whole-archive "$dir/libweft_core.a" "$dir/libweft_bare.a" \
             -Wl,--no-whole-archive 2>"$dir/link.log"; then
            undefined "$dir/weft_bare.o" "$NM" >"$dir/undefined-linked"
            check_allowed "$target $profile core+port" "$dir/undefined-linked" \
                "$dir/allowed-linked" || ok=0
        else
            cat "$dir/link.log"
            fail "$target $profile: ld -r of core and port failed"
            ok=0
        fi
        helpers=$(comm -12 "$dir/undefined-core" "$dir/libgcc.syms" | wc -l)
        read -r ctext cdata cbss < <(size_of "$dir/libweft_core.a" "$SIZE")
        read -r ptext pdata pbss < <(size_of "$dir/libweft_bare.a" "$SIZE")
        rows+=("$(printf '%-10s %-8s %8s %6s %5s %7s %6s %5s %9s  %s' \
            "$target" "$profile" "$ctext" "$cdata" "$cbss" \
            "$ptext" "$pdata" "$pbss" "$helpers" \
            "$([ $ok = 1 ] && echo ok || echo FAIL)")")
    done
done

# A whole program on the Cortex-M4 build: core + port + libgcc +
# tests/embed/bare_main.c (mem*, _start, write/exit), run under qemu-arm
# (user mode executes Thumb-2 and VFP): fac(20) and the smallest arena.
run_rows=()
if [[ " $TARGETS " == *" cortex-m4 "* ]] && command -v qemu-arm >/dev/null 2>&1; then
    read -r -a CC <<<"$(target_cc cortex-m4)"
    for profile in default no-simd; do
        dir=$OUT/cortex-m4-$profile
        [ -f "$dir/weft_bare.o" ] || continue
        # shellcheck disable=SC2086
        if ! "${CC[@]}" $COMMON -fno-tree-loop-distribute-patterns -nostdlib \
             -static -o "$dir/bare_main.elf" tests/embed/bare_main.c \
             "$dir/weft_bare.o" -lgcc 2>"$dir/bare_main.log"; then
            cat "$dir/bare_main.log"
            fail "cortex-m4 $profile: tests/embed/bare_main.c does not link"
            continue
        fi
        if out=$(timeout 120 qemu-arm -cpu cortex-a15 "$dir/bare_main.elf" 2>&1); then
            read -r text _ < <(arm-none-eabi-size "$dir/bare_main.elf" | tail -n 1)
            run_rows+=("$(printf '%-10s %-8s %8s  %s' cortex-m4 "$profile" "$text" \
                "$(echo "$out" | tr '\n' ' ')")")
        else
            echo "$out"
            fail "cortex-m4 $profile: bare_main.elf under qemu-arm"
        fi
    done
fi

echo
echo "freestanding core (-Os; bytes; core = decoder, validator, lowering,"
echo "interpreter, runtime; port = ports/bare; libgcc = helpers it calls)"
printf '%-10s %-8s %8s %6s %5s %7s %6s %5s %9s  %s\n' \
    target profile "text" data bss "port" data bss libgcc "nm -u"
for r in "${rows[@]}"; do
    echo "$r"
done
if [ ${#run_rows[@]} -gt 0 ]; then
    echo
    echo "whole program (core + port + libgcc + tests/embed/bare_main.c) under qemu-arm"
    printf '%-10s %-8s %8s  %s\n' target profile "text" "output"
    for r in "${run_rows[@]}"; do
        echo "$r"
    done
fi
echo
if [ "$failures" -eq 0 ]; then
    echo "embed: ok (allow-list: mem*, platform hooks, libgcc)"
else
    echo "embed: $failures failure(s)"
fi
[ "$failures" -eq 0 ]
