/*
** reader.c — LEB128 and fixed-width reads over a bounded cursor, with the
** spec's "integer representation too long" / "integer too large" checks.
*/
#include "reader.h"

bool wf_reader_fail(struct wf_reader *r, const char *why) {
  if (!r->fail) {
    r->fail = why;
    r->fail_at = r->p;
  }
  return false;
}

bool wf_read_u8(struct wf_reader *r, u8 *out) {
  if (r->p >= r->end)
    return wf_reader_fail(r, "unexpected end");
  *out = *r->p++;
  return true;
}

/* Unsigned LEB128 of at most `bits` bits. */
static bool read_uleb(struct wf_reader *r, unsigned bits, u64 *out) {
  u64 result = 0;
  unsigned shift = 0;
  unsigned max_bytes = (bits + 6) / 7;
  for (unsigned i = 0;; i++) {
    u8 byte;
    if (i >= max_bytes)
      return wf_reader_fail(r, "integer representation too long");
    if (!wf_read_u8(r, &byte))
      return false;
    if (i == max_bytes - 1) {
      /* Last byte: continuation bit set means too long; unused high bits
      ** set means the value does not fit. */
      if (byte & 0x80)
        return wf_reader_fail(r, "integer representation too long");
      unsigned used = bits - shift;
      if (used < 7 && (byte >> used) != 0)
        return wf_reader_fail(r, "integer too large");
    }
    result |= (u64)(byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80))
      break;
  }
  *out = result;
  return true;
}

/* Signed LEB128 of at most `bits` bits. */
static bool read_sleb(struct wf_reader *r, unsigned bits, i64 *out) {
  u64 result = 0;
  unsigned shift = 0;
  unsigned max_bytes = (bits + 6) / 7;
  u8 byte = 0;
  for (unsigned i = 0;; i++) {
    if (i >= max_bytes)
      return wf_reader_fail(r, "integer representation too long");
    if (!wf_read_u8(r, &byte))
      return false;
    if (i == max_bytes - 1) {
      if (byte & 0x80)
        return wf_reader_fail(r, "integer representation too long");
      /* The unused bits must all equal the sign bit of the value. */
      unsigned used = bits - shift; /* value bits in this byte, 1..7 */
      if (used < 7) {
        int sign = (byte >> (used - 1)) & 1;
        u8 rest = (u8)((byte & 0x7f) >> used);
        u8 want = sign ? (u8)(0x7f >> used) : 0;
        if (rest != want)
          return wf_reader_fail(r, "integer too large");
      }
    }
    result |= (u64)(byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80))
      break;
  }
  if (shift < 64 && (byte & 0x40))
    result |= ~(u64)0 << shift;
  *out = (i64)result;
  return true;
}

bool wf_read_u32(struct wf_reader *r, u32 *out) {
  u64 v;
  if (!read_uleb(r, 32, &v))
    return false;
  *out = (u32)v;
  return true;
}

bool wf_read_u64(struct wf_reader *r, u64 *out) {
  return read_uleb(r, 64, out);
}

bool wf_read_s32(struct wf_reader *r, i32 *out) {
  i64 v;
  if (!read_sleb(r, 32, &v))
    return false;
  *out = (i32)v;
  return true;
}

bool wf_read_s33(struct wf_reader *r, i64 *out) {
  return read_sleb(r, 33, out);
}

bool wf_read_s64(struct wf_reader *r, i64 *out) {
  return read_sleb(r, 64, out);
}

bool wf_read_fixed32(struct wf_reader *r, u32 *out) {
  if (wf_reader_left(r) < 4) {
    r->p = r->end;
    return wf_reader_fail(r, "unexpected end");
  }
  const u8 *p = r->p;
  *out = (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
  r->p += 4;
  return true;
}

bool wf_read_fixed64(struct wf_reader *r, u64 *out) {
  u32 lo, hi;
  if (wf_reader_left(r) < 8) {
    r->p = r->end;
    return wf_reader_fail(r, "unexpected end");
  }
  wf_read_fixed32(r, &lo);
  wf_read_fixed32(r, &hi);
  *out = (u64)hi << 32 | lo;
  return true;
}

bool wf_read_bytes(struct wf_reader *r, u32 n, const u8 **out) {
  if (wf_reader_left(r) < n)
    return wf_reader_fail(r, "unexpected end");
  *out = r->p;
  r->p += n;
  return true;
}
