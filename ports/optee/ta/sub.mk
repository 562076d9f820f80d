# sub.mk — the weft TA's sources for OP-TEE's build: the TA itself, the
# OP-TEE port (ports/optee/port_optee.c) and weft's freestanding core
# (WEFT_FREESTANDING_SRC from sources.mk: no AoT, no WASI), by absolute
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
cflags-y += -O2 -ffp-contract=off -fno-math-errno
