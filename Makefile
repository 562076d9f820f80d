# Makefile — entry points: make, make test, make test-asan, make bench.
CC ?= cc
BUILD ?= build
OPT ?= -O2
WARN := -Wall -Wextra -Wshadow -Wundef -Wstrict-prototypes -Wmissing-prototypes \
        -Wvla -Wimplicit-fallthrough
CFLAGS_BASE := -std=gnu11 $(OPT) -g $(WARN) -Iinclude -fvisibility=hidden \
               -ffp-contract=off -fno-math-errno
CFLAGS += $(CFLAGS_BASE) $(EXTRA_CFLAGS)
LDFLAGS += $(EXTRA_LDFLAGS)

include sources.mk

LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(WEFT_CORE_SRC) $(WEFT_PORT_SRC) \
             $(WEFT_TEXT_SRC)) \
           $(BUILD)/obj/gen/aot_prelude.o
CLI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(WEFT_CLI_SRC))
SERVICES_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(WEFT_SERVICES_SRC))

.PHONY: all clean test test-asan bench format strict
all: $(BUILD)/weft $(BUILD)/libweft.a $(BUILD)/libweft-aotbuild.a $(BUILD)/weft-oci

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# Each layer of src/ and the ports compile with -I for what they may
# include only (sources.mk); the same in the freestanding build.
$(BUILD)/obj/src/base/%.o $(BUILD)/obj-bare/src/base/%.o: CFLAGS += $(WEFT_INC_base)
$(BUILD)/obj/src/wasm/%.o $(BUILD)/obj-bare/src/wasm/%.o: CFLAGS += $(WEFT_INC_wasm)
$(BUILD)/obj/src/runtime/%.o $(BUILD)/obj-bare/src/runtime/%.o: \
  CFLAGS += $(WEFT_INC_runtime)
$(BUILD)/obj/src/ir/%.o $(BUILD)/obj-bare/src/ir/%.o: CFLAGS += $(WEFT_INC_ir)
$(BUILD)/obj/src/interp/%.o $(BUILD)/obj-bare/src/interp/%.o: \
  CFLAGS += $(WEFT_INC_interp)
$(BUILD)/obj/src/aot/%.o: CFLAGS += $(WEFT_INC_aot)
$(BUILD)/obj/src/wasi/%.o: CFLAGS += $(WEFT_INC_wasi)
$(BUILD)/obj/ports/%.o $(BUILD)/obj-bare/ports/%.o: CFLAGS += $(WEFT_INC_ports)

# Build tools run on the build machine, so they use HOSTCC.
HOSTCC ?= cc
$(BUILD)/tools/embed_text: tools/embed_text.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -O1 -o $@ $<

$(BUILD)/gen/aot_prelude.c: $(WEFT_AOT_PRELUDE) $(BUILD)/tools/embed_text
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed_text wf_aot_prelude $(WEFT_AOT_PRELUDE) > $@

$(BUILD)/obj/gen/aot_prelude.o: $(BUILD)/gen/aot_prelude.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libweft.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# wasm.h, the standard C API (capi/, docs/c-api.md), as a library beside
# libweft (packaging.mk adds libweft-wasm.so): libweft itself never needs
# the header. include/wasm.h is weft's own declaration of that interface;
# the wasm_* functions get default visibility, the rest of capi/ stays
# hidden. WEFT_WASM_C_API_DIR (the upstream tree, for its example programs
# only) is read by tests/capi/run.sh.
CAPI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(WEFT_CAPI_SRC))
$(CAPI_OBJ): CFLAGS += \
  '-DWASM_API_EXTERN=__attribute__((visibility("default")))'
$(BUILD)/libweft-wasm.a: $(CAPI_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The C-compiler driver (weft_aot_build_so: fork/exec, temporary files),
# outside libweft (P11): aotbuild/, on the public API only; the CLI, the
# spec runner and the tests that compile link it before libweft.a.
AOTBUILD_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(WEFT_AOTBUILD_SRC))
$(BUILD)/libweft-aotbuild.a: $(AOTBUILD_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Shared libraries, make install, pkg-config (P11 packaging).
include packaging.mk

# The freestanding core and the bare port built for this host with
# -ffreestanding, for tests/unit/test_bare_*.c (make embed cross-builds them).
BARE_OBJ := $(patsubst %.c,$(BUILD)/obj-bare/%.o,$(WEFT_FREESTANDING_SRC) \
              $(WEFT_BARE_PORT_SRC))
$(BUILD)/obj-bare/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -ffreestanding -Iports/bare -MMD -MP -c $< -o $@

$(BUILD)/libweft_bare.a: $(BARE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The CLI alone links mbed TLS (protected files, services/pfs_*.c, and the
# services' signatures; SHA-256 and HMAC are weft's own, cli/sha256*.c).
$(BUILD)/weft: $(CLI_OBJ) $(SERVICES_OBJ) $(BUILD)/libweft-aotbuild.a $(BUILD)/libweft.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(SERVICES_OBJ) $(BUILD)/libweft-aotbuild.a \
	  $(BUILD)/libweft.a $(LDFLAGS) \
	  -lmbedcrypto -lm

# weft-oci (oci/): the OCI runtime that execs build/weft for each
# container. It alone links jansson (config.json, state) and libseccomp
# (the filter weft installs); weft itself needs neither. mbed TLS: the
# SHA-256 that binds a checkpoint to the bundle's module (oci/image.c).
OCI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(WEFT_OCI_SRC))
$(OCI_OBJ): CFLAGS += -D_GNU_SOURCE
$(BUILD)/weft-oci: $(OCI_OBJ)
	$(CC) $(CFLAGS) -o $@ $(OCI_OBJ) $(LDFLAGS) -ljansson -lseccomp -lmbedcrypto

# Build facts for the CLI: the host triple AoT artifacts are checked
# against, and an id of the library's sources, part of the `run --aot`
# cache key so a changed code generator never reuses stale compiled code.
CLI_BUILD_ID_SRC := $(sort $(WEFT_CORE_SRC) $(WEFT_PORT_SRC) $(WEFT_AOT_PRELUDE) \
                      $(wildcard src/*/*.h src/*/*.def include/*.h))
$(BUILD)/gen/cli_build.h: $(CLI_BUILD_ID_SRC)
	@mkdir -p $(dir $@)
	@{ printf '#define WEFT_HOST_TRIPLE "%s"\n' "$$($(CC) -dumpmachine)"; \
	   printf '#define WEFT_BUILD_ID "%s"\n' \
	     "$$(cat $^ | sha256sum | cut -c1-16)"; } > $@.tmp
	@mv $@.tmp $@
$(CLI_OBJ): CFLAGS += -I$(BUILD)/gen -Iservices
# The text layer reuses the instruction lists of src/ir (*.def).
$(patsubst %.c,$(BUILD)/obj/%.o,$(WEFT_TEXT_SRC)): CFLAGS += -Isrc/ir
$(BUILD)/obj/cli/aot.o $(BUILD)/obj/cli/aot_load.o $(BUILD)/obj/cli/aot_cache.o \
  $(BUILD)/obj/cli/aot_tier.o \
  $(BUILD)/obj/cli/artifact.o: $(BUILD)/gen/cli_build.h

-include $(AOTBUILD_OBJ:.o=.d) $(LIB_OBJ:.o=.d) $(CAPI_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(OCI_OBJ:.o=.d) $(BARE_OBJ:.o=.d) $(SERVICES_OBJ:.o=.d)

clean:
	rm -rf $(BUILD)

# ---- tests, examples, benchmarks, formatting --------------------------------
SPEC_RUNNER_SRC := $(wildcard tests/spec/*.c)
FORMAT_FILES = $(shell find src include capi aotbuild cli oci ports services text tests/unit examples \
                 -name '*.[ch]' 2>/dev/null)

.PHONY: format-check check-globals

$(BUILD)/spec_runner: $(SPEC_RUNNER_SRC) $(wildcard tests/spec/*.h) \
  $(BUILD)/libweft-aotbuild.a $(BUILD)/libweft.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/spec -o $@ $(SPEC_RUNNER_SRC) \
	  $(BUILD)/libweft-aotbuild.a $(BUILD)/libweft.a \
	  $(LDFLAGS) -lm

$(BUILD)/embed: examples/embed.c $(BUILD)/libweft.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ examples/embed.c $(BUILD)/libweft.a $(LDFLAGS) -lm

# Every test tier (unit, embed example, CLI, spec suite); one closing line.
test:
	bash scripts/test.sh

# The text-format tier alone (tests/text/run.sh): weft wast over the 2.0
# suite, compared with the wabt path (runs tests/spec/run_spec.sh, ~45 s).
.PHONY: test-text
test-text: $(BUILD)/weft $(BUILD)/spec_runner
	BUILD=$(BUILD) bash tests/text/run.sh --compare

# The same on an ASan+UBSan build in build-asan/.
test-asan:
	bash scripts/test.sh --asan

# The threaded wasm.h programs (tests/capi: the upstream threads example and
# capi_threads.c, one engine, 8 threads x 125 instances of one shared
# module) and tests/unit/test_shared_module.c (weft.h: one module, 8
# threads with their own engines x 125 instances) on a ThreadSanitizer
# build of the library in build-tsan/ (clang-19). P11.
TSAN_CC ?= clang-19
.PHONY: test-tsan
test-tsan:
	CAPI_ONLY="threads capi_threads" BUILD=build-tsan CC=$(TSAN_CC) \
	  SAN_CFLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
	  SAN_LDFLAGS=-fsanitize=thread bash tests/capi/run.sh
	@# One weft_module loaded once, 1,000 instances on 8 threads (own
	@# engines) through weft.h; TSan exits non-zero on any report.
	@mkdir -p build-tsan/tests
	$(TSAN_CC) -std=gnu11 -O1 -g -fsanitize=thread -fno-omit-frame-pointer \
	  -Iinclude -Itests/unit -o build-tsan/tests/test_shared_module \
	  tests/unit/test_shared_module.c build-tsan/libweft.a -pthread -lm
	build-tsan/tests/test_shared_module

# The kernels (interpreter, AoT, both metering fuel), then speedtest1 on
# protected vs plain files (bench/pfs.sh; alone: make bench-pfs).
bench: $(BUILD)/weft
	WEFT=$(BUILD)/weft BENCH_OUT=$(BUILD)/bench bash bench/run.sh $(BENCH_ARGS)
	WEFT=$(BUILD)/weft BENCH_OUT=$(BUILD)/bench-pfs bash bench/pfs.sh

# SQLite speedtest1 on protected vs plain files (bench/pfs.sh).
.PHONY: bench-pfs
bench-pfs: $(BUILD)/weft
	WEFT=$(BUILD)/weft BENCH_OUT=$(BUILD)/bench-pfs bash bench/pfs.sh

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

# Strict builds (CI): the library, CLI and spec runner with gcc and clang-19
# at -Werror (the warning set is WARN above), each in its own directory,
# then the formatting check and the include-layer check
# (scripts/check_layers.sh, docs/ARCHITECTURE.md).
.PHONY: strict check-layers
check-layers:
	bash scripts/check_layers.sh
# No writable global data in the libraries but the allowed few
# (scripts/check_globals.sh says why each is safe).
check-globals: $(BUILD)/libweft.a $(BUILD)/libweft-wasm.a $(BUILD)/libweft_bare.a
	BUILD=$(BUILD) bash scripts/check_globals.sh
strict: check-layers
	$(MAKE) BUILD=$(BUILD)/strict-gcc CC=gcc EXTRA_CFLAGS=-Werror all \
	  $(BUILD)/strict-gcc/spec_runner
	$(MAKE) BUILD=$(BUILD)/strict-clang CC=clang-19 EXTRA_CFLAGS=-Werror all \
	  $(BUILD)/strict-clang/spec_runner
	$(MAKE) BUILD=$(BUILD)/strict-gcc CC=gcc EXTRA_CFLAGS=-Werror check-globals
	$(MAKE) format-check

# libFuzzer run (clang-19): `make fuzz SECONDS=60`; see tests/fuzz/run.sh.
SECONDS ?= 600
.PHONY: fuzz fuzz-afl
fuzz:
	bash tests/fuzz/run.sh $(SECONDS)

# AFL++ on `weft validate` (tests/fuzz/afl.sh): `make fuzz-afl SECONDS=600`.
fuzz-afl:
	bash tests/fuzz/afl.sh $(SECONDS)

# Real programs (tests/programs/): SQLite speedtest1 and Lua 5.4 from Debian's
# source packages, wasm32-wasi under weft vs native, with timings.
PROGRAMS_ARGS ?= --time
.PHONY: programs
programs: $(BUILD)/weft
	WEFT=$(BUILD)/weft bash tests/programs/run.sh $(PROGRAMS_ARGS)

# OCI images of the Wasm examples (weft-hello, weft-speedtest1, and the
# native reference) in podman's local storage, and weft-oci's start-up
# against runc under podman (docs/oci.md; root).
.PHONY: oci-images oci-bench
oci-images:
	bash scripts/oci-image.sh
oci-bench: $(BUILD)/weft $(BUILD)/weft-oci
	WEFT=$(BUILD)/weft WEFT_OCI=$(BUILD)/weft-oci bash scripts/oci-bench.sh

# The freestanding core cross-built for arm-none-eabi (Cortex-M4, Cortex-A7)
# and riscv64-unknown-elf: nm -u allow-list and size table (scripts/embed.sh).
.PHONY: embed
embed:
	BUILD=$(BUILD) WEFT_FREESTANDING_SRC="$(WEFT_FREESTANDING_SRC)" \
	  WEFT_SRC_INC="$(WEFT_SRC_INC)" \
	  WEFT_BARE_PORT_SRC="$(WEFT_BARE_PORT_SRC)" bash scripts/embed.sh

# weft cross-built for aarch64 and riscv64, run under qemu-user on the same
# .wasm files as here (scripts/test_cross.sh; CROSS_ARGS=--quick or --full).
CROSS_ARGS ?=
.PHONY: test-cross
test-cross:
	bash scripts/test_cross.sh $(CROSS_ARGS)

# Differential testing (tests/fuzz-diff/README.md): N modules generated by
# binaryen's wasm-opt -ttf, run in weft-interp, weft-AoT, binaryen's
# interpreter and V8 (node); `make fuzz-diff N=20000`. FD_START picks the
# first seed, FD_JOBS the parallel workers. Divergent modules are kept in
# $(BUILD)/fuzz-diff/divergent/.
N ?= 200
FD_START ?= 0
FD_JOBS ?= 2
.PHONY: fuzz-diff
$(BUILD)/fuzz-diff/fd_run: tests/fuzz-diff/fd_run.c $(BUILD)/libweft-aotbuild.a \
  $(BUILD)/libweft.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libweft-aotbuild.a $(BUILD)/libweft.a \
	  $(LDFLAGS) -lm
fuzz-diff: $(BUILD)/fuzz-diff/fd_run
	python3 tests/fuzz-diff/fd_driver.py --n $(N) --start $(FD_START) \
	  --jobs $(FD_JOBS) --out $(BUILD)/fuzz-diff \
	  --fd-run $(BUILD)/fuzz-diff/fd_run

# Fault injection over real modules (tests/alloc-fail/README.md): the Nth
# allocation fails, for every N, while the spec modules and the WASI programs
# load, instantiate and run; also every allocation from the Nth on (sticky),
# and file-operation errors / short transfers under WASI at every call.
# `make test` runs a shorter form as tier 7. ASan: ALLOC_SWEEP_ARGS=--asan.
ALLOC_SWEEP_ARGS ?=
.PHONY: test-alloc-sweep
test-alloc-sweep:
	BUILD=$(BUILD) bash tests/alloc-fail/run.sh --full $(ALLOC_SWEEP_ARGS)

# TrustZone (issue P13): weft as an OP-TEE Trusted Application under QEMU's
# emulated TrustZone; firmware, TA and clients cached outside the clone by
# source hash ($WEFT_TZ_CACHE, default ~/.cache/weft/tz; tests/tz/run.sh,
# docs/trustzone.md).
.PHONY: test-tz
test-tz: $(BUILD)/weft
	bash tests/tz/run.sh
