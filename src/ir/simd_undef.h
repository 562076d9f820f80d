/*
** simd_undef.h — undefines the simd.def entry macros after an expansion,
** so each user defines only the forms it needs (see simd_each.h).
*/
#undef SIMD_LOAD
#undef SIMD_STORE
#undef SIMD_LOAD_LANE
#undef SIMD_STORE_LANE
#undef SIMD_CONST
#undef SIMD_SHUFFLE
#undef SIMD_SPLAT
#undef SIMD_EXTRACT
#undef SIMD_REPLACE
#undef SIMD_UN
#undef SIMD_BIN
#undef SIMD_TERN
#undef SIMD_TEST
#undef SIMD_SHIFT
