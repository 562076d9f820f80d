/*
** le.h — little-endian loads and stores of Wasm memory and float bit casts,
** on any host. Used by the interpreter and pasted into generated C (see
** WEFT_AOT_PRELUDE), so both read and write memory the same way.
** Needs u8..f64 and <string.h> from the includer.
*/
#ifndef WF_LE_H
#define WF_LE_H

static inline f32 wf_bits_f32(u32 v) {
  f32 f;
  memcpy(&f, &v, 4);
  return f;
}
static inline u32 wf_f32_bits(f32 f) {
  u32 v;
  memcpy(&v, &f, 4);
  return v;
}
static inline f64 wf_bits_f64(u64 v) {
  f64 f;
  memcpy(&f, &v, 8);
  return f;
}
static inline u64 wf_f64_bits(f64 f) {
  u64 v;
  memcpy(&v, &f, 8);
  return v;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define WF_LE16(x) __builtin_bswap16(x)
#define WF_LE32(x) __builtin_bswap32(x)
#define WF_LE64(x) __builtin_bswap64(x)
#else
#define WF_LE16(x) (x)
#define WF_LE32(x) (x)
#define WF_LE64(x) (x)
#endif

/* A float in Wasm memory: any alignment, any aliasing. */
typedef struct {
  f32 v;
} __attribute__((packed, may_alias)) wf_unf32;
typedef struct {
  f64 v;
} __attribute__((packed, may_alias)) wf_unf64;

#if defined(__riscv) && __riscv_xlen == 64 && defined(__riscv_flen) &&         \
    __riscv_flen >= 64
/* GCC's default RISC-V tuning deems misaligned accesses slow and expands a
** memcpy of unknown alignment into single-byte loads and stores (eight and
** the shifts for an i64): code two to three times slower, and with guard
** pages a store straddling the end of memory writes its in-bounds bytes
** before the fault. Linux runs misaligned scalar accesses (in hardware or
** emulated by the kernel), so each access is one instruction here;
** volatile, so that no access moves above the bounds check guarding it
** (GCC deems a non-volatile asm unable to trap). */
typedef struct {
  u16 v;
} __attribute__((packed, may_alias)) wf_un16;
typedef struct {
  u32 v;
} __attribute__((packed, may_alias)) wf_un32;
typedef struct {
  u64 v;
} __attribute__((packed, may_alias)) wf_un64;
#define WF_RV_LD(name, T, U, insn, reg)                                        \
  static inline T name(const u8 *p) {                                          \
    T v;                                                                       \
    __asm__ volatile(insn " %0, %1" : "=" reg(v) : "m"(((const U *)p)->v));    \
    return v;                                                                  \
  }
#define WF_RV_ST(name, T, U, insn, reg)                                        \
  static inline void name(u8 *p, T v) {                                        \
    __asm__ volatile(insn " %1, %0" : "=m"(((U *)p)->v) : reg(v));             \
  }
WF_RV_LD(wf_ld16, u16, wf_un16, "lhu", "r")
WF_RV_LD(wf_ld32, u32, wf_un32, "lw", "r")
WF_RV_LD(wf_ld64, u64, wf_un64, "ld", "r")
WF_RV_LD(wf_ldf32, f32, wf_unf32, "flw", "f")
WF_RV_LD(wf_ldf64, f64, wf_unf64, "fld", "f")
WF_RV_ST(wf_st16, u16, wf_un16, "sh", "r")
WF_RV_ST(wf_st32, u32, wf_un32, "sw", "r")
WF_RV_ST(wf_st64, u64, wf_un64, "sd", "r")
WF_RV_ST(wf_stf32, f32, wf_unf32, "fsw", "f")
WF_RV_ST(wf_stf64, f64, wf_unf64, "fsd", "f")
#undef WF_RV_LD
#undef WF_RV_ST
#else
static inline u16 wf_ld16(const u8 *p) {
  u16 v;
  memcpy(&v, p, 2);
  return WF_LE16(v);
}
static inline u32 wf_ld32(const u8 *p) {
  u32 v;
  memcpy(&v, p, 4);
  return WF_LE32(v);
}
static inline u64 wf_ld64(const u8 *p) {
  u64 v;
  memcpy(&v, p, 8);
  return WF_LE64(v);
}
/* Float accesses as floats, so compilers use FP loads and memory operands
** instead of an integer load and a register move. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline f32 wf_ldf32(const u8 *p) { return wf_bits_f32(wf_ld32(p)); }
static inline f64 wf_ldf64(const u8 *p) { return wf_bits_f64(wf_ld64(p)); }
#else
/* Through a float-typed access, not memcpy: GCC 12 at -O2 carries a load
** that the next iteration reuses in a register (its predictive commoning,
** loads-only chains), and for a memcpy of 8 bytes, an integer move, it
** picked general registers and a move to an FP register at every use:
** jacobi-2d's compiled sweep ran 1.5x slower (bench/README.md). */
static inline f32 wf_ldf32(const u8 *p) { return ((const wf_unf32 *)p)->v; }
static inline f64 wf_ldf64(const u8 *p) { return ((const wf_unf64 *)p)->v; }
#endif
static inline void wf_st16(u8 *p, u16 v) {
  v = WF_LE16(v);
  memcpy(p, &v, 2);
}
static inline void wf_st32(u8 *p, u32 v) {
  v = WF_LE32(v);
  memcpy(p, &v, 4);
}
static inline void wf_st64(u8 *p, u64 v) {
  v = WF_LE64(v);
  memcpy(p, &v, 8);
}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline void wf_stf32(u8 *p, f32 v) { wf_st32(p, wf_f32_bits(v)); }
static inline void wf_stf64(u8 *p, f64 v) { wf_st64(p, wf_f64_bits(v)); }
#else
static inline void wf_stf32(u8 *p, f32 v) { ((wf_unf32 *)p)->v = v; }
static inline void wf_stf64(u8 *p, f64 v) { ((wf_unf64 *)p)->v = v; }
#endif

#endif /* riscv64 */

#endif /* WF_LE_H */
