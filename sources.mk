# sources.mk — the one list of library sources, shared by every build.
WEFT_CORE_SRC := \
  src/base/alloc.c \
  src/base/error.c \
  src/base/reader.c \
  src/wasm/decode.c \
  src/wasm/validate.c \
  src/runtime/engine.c \
  src/runtime/instance.c \
  src/runtime/objects.c \
  src/runtime/call.c \
  src/runtime/module.c \
  src/interp/lower.c \
  src/interp/interp.c

WEFT_PORT_SRC := ports/posix/port_posix.c

WEFT_CLI_SRC := $(wildcard cli/*.c)
