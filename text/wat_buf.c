/*
** wat_buf.c — byte buffers with the binary format's LEB128 encoders, and
** the identifier maps of the index spaces. Allocation goes through the
** tracked blocks of wat_lex.c (a failure longjmps).
*/
#include <string.h>

#include "wat.h"

static void reserve(struct wat *w, struct wbuf *b, size_t n) {
  if (b->cap - b->len >= n)
    return;
  if (n > SIZE_MAX / 4 - b->len)
    wat_nomem(w);
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->len < n)
    cap *= 2;
  b->p = wat_realloc(w, b->p, cap);
  b->cap = cap;
}

void wb_byte(struct wat *w, struct wbuf *b, uint8_t v) {
  reserve(w, b, 1);
  b->p[b->len++] = v;
}

void wb_bytes(struct wat *w, struct wbuf *b, const void *p, size_t n) {
  if (!n)
    return;
  reserve(w, b, n);
  memcpy(b->p + b->len, p, n);
  b->len += n;
}

bool wb_try_bytes(struct wat *w, struct wbuf *b, const void *p, size_t n) {
  if (b->cap - b->len < n) {
    if (n > SIZE_MAX / 4 - b->len)
      return false;
    size_t cap = b->len + n;
    uint8_t *np = wat_try_realloc(w, b->p, cap);
    if (!np)
      return false;
    b->p = np;
    b->cap = cap;
  }
  if (n)
    memcpy(b->p + b->len, p, n);
  b->len += n;
  return true;
}

void wb_u64(struct wat *w, struct wbuf *b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    wb_byte(w, b, (uint8_t)(byte | (v ? 0x80 : 0)));
  } while (v);
}

void wb_u32(struct wat *w, struct wbuf *b, uint32_t v) { wb_u64(w, b, v); }

void wb_s64(struct wat *w, struct wbuf *b, int64_t v) {
  for (;;) {
    uint8_t byte = (uint8_t)(v & 0x7f);
    v >>= 7; /* arithmetic shift on every compiler weft supports */
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    wb_byte(w, b, (uint8_t)(byte | (done ? 0 : 0x80)));
    if (done)
      return;
  }
}

void wb_s32(struct wat *w, struct wbuf *b, int32_t v) { wb_s64(w, b, v); }

void wb_vec(struct wat *w, struct wbuf *b, const struct wbuf *from) {
  if (from->len > UINT32_MAX)
    wat_fail(w, w->pos, "section larger than 4 GiB");
  wb_u32(w, b, (uint32_t)from->len);
  wb_bytes(w, b, from->p, from->len);
}

void wb_free(struct wat *w, struct wbuf *b) {
  wat_free(w, b->p);
  memset(b, 0, sizeof *b);
}

/* ---- identifier maps ------------------------------------------------------
 */

static uint32_t hash(const char *s, uint32_t len) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < len; i++)
    h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

uint32_t idmap_get(const struct idmap *m, const char *s, uint32_t len) {
  if (!m->cap)
    return IDMAP_NONE;
  for (uint32_t i = hash(s, len) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    const struct idmap_slot *e = &m->slots[i];
    if (!e->s)
      return IDMAP_NONE;
    if (e->len == len && memcmp(e->s, s, len) == 0)
      return e->idx;
  }
}

static void grow(struct wat *w, struct idmap *m) {
  uint32_t ncap = m->cap ? m->cap * 2 : 16;
  struct idmap_slot *old = m->slots;
  uint32_t ocap = m->cap;
  m->slots = wat_alloc(w, (size_t)ncap * sizeof *m->slots);
  memset(m->slots, 0, (size_t)ncap * sizeof *m->slots);
  m->cap = ncap;
  for (uint32_t i = 0; i < ocap; i++) {
    if (!old[i].s)
      continue;
    uint32_t j = hash(old[i].s, old[i].len) & (ncap - 1);
    while (m->slots[j].s)
      j = (j + 1) & (ncap - 1);
    m->slots[j] = old[i];
  }
  wat_free(w, old);
}

void idmap_set(struct wat *w, struct idmap *m, const char *s, uint32_t len,
               uint32_t idx) {
  for (uint32_t i = hash(s, len) & (m->cap - 1); m->cap;
       i = (i + 1) & (m->cap - 1)) {
    if (!m->slots[i].s)
      break;
    if (m->slots[i].len == len && memcmp(m->slots[i].s, s, len) == 0) {
      m->slots[i].idx = idx;
      return;
    }
  }
  idmap_put(w, m, s, len, idx);
}

bool idmap_put(struct wat *w, struct idmap *m, const char *s, uint32_t len,
               uint32_t idx) {
  if (idmap_get(m, s, len) != IDMAP_NONE)
    return false;
  if ((m->used + 1) * 2 > m->cap)
    grow(w, m);
  uint32_t i = hash(s, len) & (m->cap - 1);
  while (m->slots[i].s)
    i = (i + 1) & (m->cap - 1);
  m->slots[i].s = s;
  m->slots[i].len = len;
  m->slots[i].idx = idx;
  m->used++;
  return true;
}
