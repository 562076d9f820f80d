# sub.mk — the weft TA's sources for OP-TEE's build: the TA itself, the
# OP-TEE port (ports/optee/port_optee.c) and weft's freestanding core
# (WEFT_FREESTANDING_SRC from sources.mk: no AoT) with WASI, by absolute
# path. The core is compiled at -O2 like the normal-world copy in weft-tz,
# so the speed comparison (docs/trustzone.md) compares like with like.
weft-root := $(abspath $(CURDIR)/../../..)
include $(weft-root)/sources.mk

global-incdirs-y += .
global-incdirs_ext-y += $(weft-root)/include $(weft-root)/ports/optee
# src/'s layers, named by file (sources.mk, WEFT_SRC_INC).
global-incdirs_ext-y += $(addprefix $(weft-root)/,$(patsubst -I%,%,$(WEFT_SRC_INC)))
srcs-y += weft_ta.c
srcs-y += $(weft-root)/ports/optee/port_optee.c
srcs-y += $(weft-root)/ports/optee/wtz_session.c
srcs-y += $(addprefix $(weft-root)/,$(WEFT_FREESTANDING_SRC))
# WASI preview 1 (freestanding: it reaches files and clocks only through
# weft_wasi_fs / weft_wasi_sys, here OP-TEE secure storage and the TEE's
# clocks and RNG).
srcs-y += $(addprefix $(weft-root)/,$(filter src/wasi/%,$(WEFT_CORE_SRC)))
srcs-y += $(weft-root)/ports/optee/wasi_fs_optee.c
srcs-y += $(weft-root)/ports/optee/wtz_wasi.c
# Attestation (docs/trustzone.md): the attester, on the TEE's cryptography
# and weft's CBOR.
global-incdirs_ext-y += $(weft-root)/services
srcs-y += $(weft-root)/ports/optee/wtz_attest.c
srcs-y += $(weft-root)/services/cbor.c
cflags-y += -O2 -ffp-contract=off -fno-math-errno
# Unaligned accesses: OP-TEE compiles TAs with -mstrict-align for platforms
# that trap them (CFG_SCTLR_ALIGNMENT_CHECK=y); with it every Wasm load and
# store in weft's core is a byte loop (SIMD kernels 5-7x slower than the
# same core in a Linux process). Where the OP-TEE build leaves alignment
# checks off (the TA dev kit's conf.h does not define the option, as on
# QEMU virt), weft's objects are compiled without it; the address and align
# spec scripts run in the TA (tests/tz/run.sh) to show unaligned accesses work.
weft-ta-conf := $(TA_DEV_KIT_DIR)/host_include/conf.h
ifneq ($(wildcard $(weft-ta-conf)),)
ifeq ($(shell grep -c '^#define CFG_SCTLR_ALIGNMENT_CHECK 1' $(weft-ta-conf)),0)
cflags-remove-y += -mstrict-align
endif
endif
