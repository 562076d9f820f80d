#!/usr/bin/env bash
# setup.sh — prepare a fresh Debian 12 (bookworm) machine for weft, build
# it, and run a real program on it.
#
#   1. installs the missing Debian packages (needs root, or sudo, only when
#      something is missing; nothing is downloaded from anywhere else):
#      gcc/make, wabt, clang-19 + lld-19 + wasi-libc + compiler-rt for
#      wasm32, clang-19's sanitizer/libFuzzer runtimes, binaryen, valgrind,
#      clang-format, dpkg-dev and tcl (for tests/programs/), mbed TLS
#      (the CLI's SHA-256), the aarch64/riscv64 cross gcc and C library
#      headers (AoT artifacts for other targets), qemu-user (make
#      test-cross) and the bare-metal gcc for arm-none-eabi and
#      riscv64-unknown-elf (make embed), jansson and libseccomp (weft-oci),
#      podman, buildah, containerd, runc and crun (tests/oci,
#      scripts/oci-image.sh, scripts/oci-bench.sh); then fetches
#      the Debian sources of SQLite and Lua (tests/programs/fetch.sh: adds a
#      deb-src line for bookworm main and runs `apt-get source`);
#   2. builds weft (`make -j`);
#   3. compiles the benchmark kernel bench/kernels/gemm.c (a PolyBench-style
#      matrix multiply) to wasm32 with clang-19, runs its `run` export with
#      `build/weft run --invoke run`, and checks the checksum against the
#      same kernel built natively with gcc.
#
# Idempotent: re-running skips whatever is already installed or built.
# usage: bash scripts/setup.sh        (as root on a fresh machine)

set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

PACKAGES=(
    build-essential make gcc    # the C toolchain
    wabt                        # wat2wasm, wast2json (tests, spec suite)
    clang-19 lld-19             # C -> wasm32 (bench kernels, WASI programs)
    wasi-libc                   # libc for wasm32-wasi programs
    libclang-rt-19-dev-wasm32   # compiler-rt builtins for wasm32
    libclang-rt-19-dev          # ASan/UBSan and libFuzzer for clang-19
    binaryen                    # wasm-opt and friends
    valgrind                    # leak checks, instruction counts
    clang-format                # make format / format-check
    dpkg-dev                    # apt-get source (tests/programs/fetch.sh)
    tcl                         # tclsh: SQLite's amalgamation (tests/programs)
    lua5.4                      # Debian's lua: a reference for tests/programs
    libmbedtls-dev              # SHA-256 for AoT artifacts (CLI only, -lmbedcrypto)
    gcc-aarch64-linux-gnu       # weft compile --target aarch64-linux-gnu
    gcc-riscv64-linux-gnu       # weft compile --target riscv64-linux-gnu
    libc6-dev-arm64-cross       # their C library headers (not pulled in
    libc6-dev-riscv64-cross     #   with --no-install-recommends)
    qemu-user                   # make test-cross: weft under qemu-aarch64/-riscv64
    gcc-arm-none-eabi           # make embed: the freestanding core for
    gcc-riscv64-unknown-elf     #   Cortex-M4/-A7 and bare-metal RISC-V
    afl++                       # make fuzz-afl: AFL++ on the weft CLI
    openssl                     # tests/seal, tests/attest: keys made apart
    python3                     # tests/seal's record check, make fuzz-diff
    libjansson-dev              # weft-oci: config.json and state (JSON)
    libseccomp-dev              # weft-oci: the seccomp allow-list of weft
    jq                          # tests/oci: reading weft-oci's JSON
    podman buildah              # tests/oci: weft-oci under podman; oci-image.sh
    containerd                  # tests/oci: weft-oci under ctr / the shim
    crun runc                   # tests/oci: reference runtimes, fallback
    criu                        # podman's container checkpoint/restore
                                #   refuses without CRIU >= 3.11 installed,
                                #   though weft-oci never runs it
    # make test-tz (tests/tz, issue P13): OP-TEE + TF-A under QEMU's
    # emulated TrustZone; the aarch64 cross gcc is listed above.
    qemu-system-arm             # qemu-system-aarch64 (virt,secure=on)
    python3-pyelftools          # OP-TEE's TA signing and early-TA scripts
    python3-cryptography        # OP-TEE's sign_encrypt.py
    libssl-dev                  # TF-A's fiptool
    device-tree-compiler        # dtc: OP-TEE's embedded test DTB
    cpio bc                     # the initramfs; kernel-style build scripts
)

# ---- 1. packages ------------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
    case $pkg in \#*) continue ;; esac
    if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all packages present"
else
    echo "setup: installing ${missing[*]}"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "setup: missing packages (${missing[*]}) and not root; run as root" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

# ---- 1b. sources of the real programs (tests/programs/) ---------------------
# Adds the deb-src line `apt-get source` needs (bookworm main) and fetches
# Debian's sqlite3 and lua5.4 source packages into build/src/ (never
# committed). Without root or the network the programs tier of `make test`
# reports itself skipped.
if ! bash tests/programs/fetch.sh; then
    echo "setup: cannot fetch the sources of tests/programs; that tier will be skipped" >&2
fi

# ---- 1c. arm64 kernel and busybox for make test-tz ---------------------------
# Debian's arm64 linux-image and busybox-static (.deb files in the tier's
# build cache, ~/.cache/weft/tz/debs-*, outside the clone); adds the arm64
# architecture for the download and removes it again (scripts/tz/fetch.sh).
if ! bash scripts/tz/fetch.sh >/dev/null; then
    echo "setup: cannot fetch the arm64 packages of make test-tz" >&2
fi

# ---- 2. build ---------------------------------------------------------------
JOBS=$(nproc 2>/dev/null || echo 2)
echo "setup: make -j$JOBS"
make -j"$JOBS"

# ---- 3. run a real program --------------------------------------------------
KERNEL=gemm
N=${SETUP_N:-180}
OUT=build/setup
mkdir -p "$OUT"
CLANG=clang-19
command -v "$CLANG" >/dev/null 2>&1 || CLANG=/usr/lib/llvm-19/bin/clang

echo "setup: compiling bench/kernels/$KERNEL.c to wasm32 with $CLANG"
"$CLANG" --target=wasm32 -std=gnu11 -O2 -ffreestanding -fno-math-errno \
    -ffp-contract=off -nostdlib -fuse-ld=lld -Wl,--no-entry \
    -Wl,--export=run -Wl,--gc-sections \
    -o "$OUT/$KERNEL.wasm" "bench/kernels/$KERNEL.c"
gcc -std=gnu11 -O2 -fno-math-errno -ffp-contract=off \
    -o "$OUT/$KERNEL.native" bench/native_main.c "bench/kernels/$KERNEL.c" -lm

echo "setup: build/weft run --invoke run $OUT/$KERNEL.wasm $N"
result=$(build/weft run --invoke run "$OUT/$KERNEL.wasm" "$N")
# weft prints i32 results as signed; the native driver prints unsigned.
unsigned=$(( (result + 4294967296) % 4294967296 ))
native=$("$OUT/$KERNEL.native" "$N")
echo "setup: $KERNEL($N) checksum: weft $unsigned, native $native"
if [ "$unsigned" != "$native" ]; then
    echo "setup: checksum mismatch" >&2
    exit 1
fi
echo "setup: done; run the tests with: make test"
