/*
** reader.h — a bounded byte cursor with LEB128 decoding. Reads never go
** past `end`; a failed read records why (spec wording) and sticks.
*/
#ifndef WF_READER_H
#define WF_READER_H

#include "base.h"

struct wf_reader {
  const u8 *base; /* start of the whole binary, for offsets in messages */
  const u8 *p;
  const u8 *end;
  const char *fail; /* first failure: "unexpected end", ... or NULL */
  const u8 *fail_at;
};

static inline void wf_reader_init(struct wf_reader *r, const u8 *base,
                                  const u8 *p, const u8 *end) {
  r->base = base;
  r->p = p;
  r->end = end;
  r->fail = NULL;
  r->fail_at = NULL;
}

static inline size_t wf_reader_left(const struct wf_reader *r) {
  return (size_t)(r->end - r->p);
}
static inline u32 wf_reader_offset(const struct wf_reader *r) {
  return (u32)(r->p - r->base);
}

/* Each returns false (and records r->fail) on failure. */
WF_INTERNAL bool wf_read_u8(struct wf_reader *r, u8 *out);
WF_INTERNAL bool wf_read_u32(struct wf_reader *r, u32 *out);
WF_INTERNAL bool wf_read_s32(struct wf_reader *r, i32 *out);
WF_INTERNAL bool wf_read_s33(struct wf_reader *r, i64 *out);
WF_INTERNAL bool wf_read_u64(struct wf_reader *r, u64 *out);
WF_INTERNAL bool wf_read_s64(struct wf_reader *r, i64 *out);
WF_INTERNAL bool wf_read_fixed32(struct wf_reader *r, u32 *out);
WF_INTERNAL bool wf_read_fixed64(struct wf_reader *r, u64 *out);
/* Point *out at the next n bytes and skip them. */
WF_INTERNAL bool wf_read_bytes(struct wf_reader *r, u32 n, const u8 **out);
WF_INTERNAL bool wf_reader_fail(struct wf_reader *r, const char *why);

#endif /* WF_READER_H */
