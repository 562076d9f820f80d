# sources.mk — the one list of library sources, shared by every build.
WEFT_CORE_SRC := \
  src/base/alloc.c \
  src/base/error.c \
  src/base/reader.c \
  src/base/version.c \
  src/wasm/decode.c \
  src/wasm/validate.c \
  src/runtime/engine.c \
  src/runtime/instance.c \
  src/runtime/objects.c \
  src/runtime/call.c \
  src/runtime/bulk.c \
  src/runtime/module.c \
  src/runtime/aot.c \
  src/runtime/exn.c \
  src/ir/verify.c \
  src/interp/lower.c \
  src/interp/lower_ctl.c \
  src/interp/lower_exn.c \
  src/interp/lower_mem.c \
  src/interp/lower_num.c \
  src/interp/lower_simd.c \
  src/interp/lower_imm.c \
  src/interp/lower_join.c \
  src/interp/lower_assign.c \
  src/interp/lower_acc.c \
  src/interp/interp.c \
  src/interp/snapshot.c \
  src/interp/unwind.c \
  src/aot/cgen.c \
  src/aot/cgen_instr.c \
  src/aot/cgen_simd.c \
  src/aot/cgen_exn.c \
  src/aot/cgen_mem.c \
  src/aot/cgen_fuel.c \
  src/aot/cgen_loop.c \
  src/aot/cgen_span.c \
  src/aot/cgen_bits.c \
  src/aot/cgen_depth.c \
  src/aot/cgen_scan.c \
  src/wasi/wasi.c \
  src/wasi/wasi_fd.c \
  src/wasi/wasi_path.c \
  src/wasi/wasi_proc.c \
  src/wasi/wasi_sock.c \
  src/wasi/wasi_snap.c

# The freestanding core (make embed, ports/bare): everything above but the
# AoT code generator and runtime (hosted: C compiler, dlopen, setjmp) and
# WASI. Built with -ffreestanding; needs only mem* and the port's hooks.
WEFT_FREESTANDING_SRC := $(filter-out src/aot/% src/runtime/aot.c src/wasi/%,\
  $(WEFT_CORE_SRC)) src/runtime/aot_none.c

# Text pasted at the head of generated C (tools/embed_text.c), in order.
WEFT_AOT_PRELUDE := src/aot/prelude.h src/base/le.h include/weft_aot.h \
  src/ir/numeric.h src/ir/simd.h

# The text format (text/, docs/text-format.md): hosted only (malloc,
# strtod), in libweft.a beside the POSIX port, never in the freestanding core.
WEFT_TEXT_SRC := \
  text/wat_lex.c \
  text/wat_buf.c \
  text/wat_num.c \
  text/wat_ops.c \
  text/wat_types.c \
  text/wat_gc.c \
  text/wat_instr.c \
  text/wat_module.c \
  text/wat_api.c \
  text/wast_script.c

WEFT_PORT_SRC := \
  ports/posix/port_posix.c \
  ports/posix/aot_posix.c \
  ports/posix/fault_posix.c \
  ports/posix/stack_posix.c \
  ports/posix/wasi_fs_posix.c \
  ports/posix/wasi_sys_posix.c

# The bare-metal port: fixed arena, no OS (ports/bare/weft_bare.h).
WEFT_BARE_PORT_SRC := \
  ports/bare/port_bare.c \
  ports/bare/arena_bare.c

# Services on the public API (services/, docs/protected-files.md); they need
# mbed TLS, so only build/weft links them, like cli/sha256.c.
WEFT_SERVICES_SRC := \
  services/pfs_crypto.c \
  services/pfs_file.c \
  services/pfs_fs.c \
  services/eckey.c \
  services/measure.c \
  services/seal.c \
  services/seal_host.c \
  services/modsig.c \
  services/cbor.c \
  services/cose.c \
  services/attest_evidence.c \
  services/attest_policy.c \
  services/attest_proto.c \
  services/attest_wire.c \
  services/pfs_fresh.c \
  services/pfs_vstore.c

WEFT_CLI_SRC := $(wildcard cli/*.c)

# The OCI runtime (oci/, build/weft-oci): links jansson and libseccomp.
WEFT_OCI_SRC := $(wildcard oci/*.c)

# The standard WebAssembly C API (wasm.h) over the public API (capi/,
# docs/c-api.md): built into build/libweft-wasm.a against the wasm.h in
# WEFT_WASM_C_API_DIR (../shared/wasm-c-api by default; not in this tree).
WEFT_CAPI_SRC := \
  capi/capi_vec.c \
  capi/capi_types.c \
  capi/capi_store.c \
  capi/capi_val.c \
  capi/capi_trap.c \
  capi/capi_module.c \
  capi/capi_extern.c \
  capi/capi_wasi.c

# Include directories of each layer of src/ (docs/ARCHITECTURE.md, "Layers
# and who may include whom"): a layer's compile line gets -I only for the
# layers it may include, and sources name headers by file name, never by
# a `../` path (scripts/check_layers.sh refuses one). src/ir holds what
# the interpreter and the code generator share (the IR, op and numeric
# lists, semantics, the layout table and verifier). The decoder's -I of
# src/ir is the one known seam (it skips SIMD immediates with simd.def;
# check_layers.sh lists it). WEFT_SRC_INC is their union, for
# builds that compile every source in one command (scripts/embed.sh,
# scripts/tz/build.sh, ports/optee/ta/sub.mk).
WEFT_INC_base := -Isrc/base
WEFT_INC_wasm := -Isrc/base -Isrc/wasm -Isrc/ir
WEFT_INC_runtime := -Isrc/base -Isrc/wasm -Isrc/runtime
WEFT_INC_ir := -Isrc/base -Isrc/wasm -Isrc/runtime -Isrc/ir
WEFT_INC_interp := -Isrc/base -Isrc/wasm -Isrc/runtime -Isrc/ir -Isrc/interp
WEFT_INC_aot := -Isrc/base -Isrc/wasm -Isrc/runtime -Isrc/ir -Isrc/aot
WEFT_INC_wasi := -Isrc/base -Isrc/wasi
WEFT_INC_ports := -Isrc/base
WEFT_SRC_INC := -Isrc/base -Isrc/wasm -Isrc/runtime -Isrc/ir -Isrc/interp -Isrc/aot \
  -Isrc/wasi

# The C-compiler driver (libweft-aotbuild.a, P11): not part of libweft.
WEFT_AOTBUILD_SRC := aotbuild/aot_build.c aotbuild/aot_batch.c
