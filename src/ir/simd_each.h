/*
** simd_each.h — expands every simd.def entry that is an internal
** instruction (all but v128.const, which becomes a constant slot) through
** the includer's SIMD_OP(name, layout), the layout in ops.def's letters:
** for enums, dispatch tables and the code generator's operand layouts.
*/
#define SIMD_LOAD(name, opc, bytes, fn) SIMD_OP(name, "dsi")
#define SIMD_STORE(name, opc, bytes, fn) SIMD_OP(name, "ssi")
#define SIMD_LOAD_LANE(name, opc, bytes, lanes, fn) SIMD_OP(name, "dssii")
#define SIMD_STORE_LANE(name, opc, bytes, lanes, fn) SIMD_OP(name, "ssii")
#define SIMD_CONST(name, opc)
#define SIMD_SHUFFLE(name, opc, fn) SIMD_OP(name, "dssiiii")
#define SIMD_SPLAT(name, opc, member, fn) SIMD_OP(name, "ds")
#define SIMD_EXTRACT(name, opc, member, lanes, fn) SIMD_OP(name, "dsi")
#define SIMD_REPLACE(name, opc, member, lanes, fn) SIMD_OP(name, "dssi")
#define SIMD_UN(name, opc, fn) SIMD_OP(name, "ds")
#define SIMD_BIN(name, opc, fn) SIMD_OP(name, "dss")
#define SIMD_TERN(name, opc, fn) SIMD_OP(name, "dsss")
#define SIMD_TEST(name, opc, fn) SIMD_OP(name, "ds")
#define SIMD_SHIFT(name, opc, fn) SIMD_OP(name, "dss")
#include "simd.def"
#include "simd_undef.h"
