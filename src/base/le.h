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
static inline f32 wf_ldf32(const u8 *p) {
  f32 v;
  memcpy(&v, p, 4);
  return v;
}
static inline f64 wf_ldf64(const u8 *p) {
  f64 v;
  memcpy(&v, p, 8);
  return v;
}
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
static inline void wf_stf32(u8 *p, f32 v) { memcpy(p, &v, 4); }
static inline void wf_stf64(u8 *p, f64 v) { memcpy(p, &v, 8); }
#endif

#endif /* WF_LE_H */
