/*
** cbor.c — cbor.h: deterministic encoder, strict decoder. Decoding never
** allocates: items go to the caller's array, strings point into the input.
*/
#include <stdlib.h>
#include <string.h>

#include "cbor.h"
#include "pfs_crypto.h"

/* ---- encoder ----------------------------------------------------------- */

void cbor_buf_init(struct cbor_buf *b, size_t max) {
  memset(b, 0, sizeof *b);
  b->max = max;
}

void cbor_buf_free(struct cbor_buf *b) {
  if (b->data != NULL) {
    pfs_wipe(b->data, b->cap);
    free(b->data);
  }
  memset(b, 0, sizeof *b);
}

void cbor_put_raw(struct cbor_buf *b, const void *data, size_t len) {
  if (b->failed)
    return;
  if (len > b->max - b->len || b->len > b->max) {
    b->failed = 1;
    return;
  }
  if (b->len + len > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    uint8_t *p;
    while (cap < b->len + len)
      cap *= 2;
    p = malloc(cap);
    if (p == NULL) {
      b->failed = 1;
      return;
    }
    if (b->data != NULL) {
      memcpy(p, b->data, b->len);
      pfs_wipe(b->data, b->cap); /* buffers may hold secrets */
      free(b->data);
    }
    b->data = p;
    b->cap = cap;
  }
  if (len > 0)
    memcpy(b->data + b->len, data, len);
  b->len += len;
}

/* The shortest head for major type `major` with argument v. */
static void put_head(struct cbor_buf *b, unsigned major, uint64_t v) {
  uint8_t h[9];
  size_t n, i;
  if (v < 24) {
    h[0] = (uint8_t)(major << 5 | v);
    n = 1;
  } else if (v <= 0xff) {
    h[0] = (uint8_t)(major << 5 | 24);
    n = 2;
  } else if (v <= 0xffff) {
    h[0] = (uint8_t)(major << 5 | 25);
    n = 3;
  } else if (v <= 0xffffffffu) {
    h[0] = (uint8_t)(major << 5 | 26);
    n = 5;
  } else {
    h[0] = (uint8_t)(major << 5 | 27);
    n = 9;
  }
  for (i = 1; i < n; i++) /* big-endian argument */
    h[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
  cbor_put_raw(b, h, n);
}

void cbor_put_uint(struct cbor_buf *b, uint64_t v) { put_head(b, 0, v); }

void cbor_put_int(struct cbor_buf *b, int64_t v) {
  if (v >= 0)
    put_head(b, 0, (uint64_t)v);
  else
    put_head(b, 1, (uint64_t)(-(v + 1)));
}

void cbor_put_bstr(struct cbor_buf *b, const void *data, size_t len) {
  put_head(b, 2, len);
  cbor_put_raw(b, data, len);
}

void cbor_put_tstr(struct cbor_buf *b, const char *text) {
  size_t len = strlen(text);
  put_head(b, 3, len);
  cbor_put_raw(b, text, len);
}

void cbor_put_array(struct cbor_buf *b, uint64_t count) {
  put_head(b, 4, count);
}
void cbor_put_map(struct cbor_buf *b, uint64_t pairs) { put_head(b, 5, pairs); }
void cbor_put_tag(struct cbor_buf *b, uint64_t tag) { put_head(b, 6, tag); }

void cbor_put_bool(struct cbor_buf *b, int v) {
  uint8_t byte = v ? 0xf5 : 0xf4;
  cbor_put_raw(b, &byte, 1);
}

/* ---- decoder ----------------------------------------------------------- */

struct decoder {
  const uint8_t *p, *end;
  struct cbor_item *items;
  uint32_t n, max;
  const char *why;
};

static int fail(struct decoder *d, const char *why) {
  if (d->why == NULL)
    d->why = why;
  return -1;
}

/* Reads a head; *major, *arg. Enforces the shortest form. */
static int read_head(struct decoder *d, unsigned *major, unsigned *ai,
                     uint64_t *arg) {
  size_t n, i;
  uint64_t v = 0;
  static const uint64_t least[4] = {24, 0x100, 0x10000, 0x100000000ull};
  if (d->p >= d->end)
    return fail(d, "truncated CBOR");
  *major = *d->p >> 5;
  *ai = *d->p & 31;
  d->p++;
  if (*ai < 24) {
    *arg = *ai;
    return 0;
  }
  if (*ai == 31)
    return fail(d, *major == 7 ? "unexpected break"
                               : "indefinite length not allowed");
  if (*ai > 27)
    return fail(d, "reserved additional information");
  n = (size_t)1 << (*ai - 24);
  if ((size_t)(d->end - d->p) < n)
    return fail(d, "truncated CBOR");
  for (i = 0; i < n; i++)
    v = v << 8 | d->p[i];
  d->p += n;
  if (*major != 7 && v < least[*ai - 24])
    return fail(d, "non-shortest integer encoding");
  *arg = v;
  return 0;
}

/* RFC 3629 UTF-8: no overlong forms, no surrogates, at most U+10FFFF. */
static int valid_utf8(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80) {
      i++;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return 0;
    }
    if (len - i - 1 < n)
      return 0;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return 0;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    i += n + 1;
  }
  return 1;
}

/* Bytewise lexicographic order of two encodings (shorter first on a tie
** of the common prefix): <0, 0 or >0. */
static int compare_encodings(const struct cbor_item *a,
                             const struct cbor_item *b) {
  size_t n = a->encoded_len < b->encoded_len ? a->encoded_len : b->encoded_len;
  int c = memcmp(a->encoded, b->encoded, n);
  if (c != 0)
    return c;
  return a->encoded_len < b->encoded_len ? -1 : a->encoded_len > b->encoded_len;
}

static int decode_item(struct decoder *d, unsigned depth) {
  struct cbor_item *it;
  unsigned major, ai;
  uint64_t arg, k;
  uint32_t self;
  const uint8_t *start = d->p;

  if (depth > CBOR_MAX_DEPTH)
    return fail(d, "CBOR nested too deeply");
  if (d->n >= d->max)
    return fail(d, "too many CBOR items");
  self = d->n++;
  it = &d->items[self];
  memset(it, 0, sizeof *it);
  if (read_head(d, &major, &ai, &arg) != 0)
    return -1;
  it->value = arg;
  switch (major) {
  case 0: it->type = CBOR_UINT; break;
  case 1: it->type = CBOR_NINT; break;
  case 2:
  case 3:
    if (arg > (uint64_t)(d->end - d->p))
      return fail(d, "truncated CBOR string");
    it->type = major == 2 ? CBOR_BSTR : CBOR_TSTR;
    it->bytes = d->p;
    it->len = (size_t)arg;
    d->p += arg;
    if (major == 3 && !valid_utf8(it->bytes, it->len))
      return fail(d, "text string is not valid UTF-8");
    break;
  case 4:
    /* Each element takes at least one byte: bounds the loop. */
    if (arg > (uint64_t)(d->end - d->p))
      return fail(d, "truncated CBOR array");
    it->type = CBOR_ARRAY;
    it->count = arg;
    for (k = 0; k < arg; k++)
      if (decode_item(d, depth + 1) != 0)
        return -1;
    break;
  case 5: {
    uint32_t prev_key = UINT32_MAX;
    if (arg > (uint64_t)(d->end - d->p) / 2)
      return fail(d, "truncated CBOR map");
    it->type = CBOR_MAP;
    it->count = arg;
    for (k = 0; k < arg; k++) {
      uint32_t key = d->n;
      if (decode_item(d, depth + 1) != 0)
        return -1;
      if (prev_key != UINT32_MAX) {
        int c = compare_encodings(&d->items[prev_key], &d->items[key]);
        if (c == 0)
          return fail(d, "duplicate map key");
        if (c > 0)
          return fail(d, "map keys not in deterministic order");
      }
      prev_key = key;
      if (decode_item(d, depth + 1) != 0)
        return -1;
    }
    break;
  }
  case 6:
    it->type = CBOR_TAG;
    if (decode_item(d, depth + 1) != 0)
      return -1;
    break;
  default: /* 7 */
    if (ai >= 25)
      return fail(d, "floating-point values not allowed");
    if (ai == 24 || arg < 20)
      return fail(d, "unassigned simple value");
    it->type = CBOR_SIMPLE;
    break;
  }
  it = &d->items[self]; /* (the array does not move; kept for clarity) */
  it->encoded = start;
  it->encoded_len = (size_t)(d->p - start);
  it->next = d->n;
  return 0;
}

int cbor_decode(const uint8_t *data, size_t len, struct cbor_item *items,
                uint32_t max_items, uint32_t *out_n, const char **why) {
  struct decoder d;
  *out_n = 0;
  *why = NULL;
  if (len > CBOR_MAX_INPUT) {
    *why = "CBOR input too large";
    return -1;
  }
  if (len == 0) {
    *why = "empty CBOR input";
    return -1;
  }
  memset(&d, 0, sizeof d);
  d.p = data;
  d.end = data + len;
  d.items = items;
  d.max = max_items;
  if (decode_item(&d, 0) != 0) {
    *why = d.why;
    return -1;
  }
  if (d.p != d.end) {
    *why = "trailing bytes after the CBOR item";
    return -1;
  }
  *out_n = d.n;
  return 0;
}

/* ---- helpers ------------------------------------------------------------ */

int cbor_get_int(const struct cbor_item *it, int64_t *out) {
  if ((it->type != CBOR_UINT && it->type != CBOR_NINT) ||
      it->value > (uint64_t)INT64_MAX)
    return -1;
  *out = it->type == CBOR_UINT ? (int64_t)it->value : -1 - (int64_t)it->value;
  return 0;
}

int cbor_map_find(const struct cbor_item *items, uint32_t map, int64_t key) {
  uint32_t i = map + 1;
  uint64_t k;
  if (items[map].type != CBOR_MAP)
    return -1;
  for (k = 0; k < items[map].count; k++) {
    int64_t v;
    uint32_t value = items[i].next;
    if (cbor_get_int(&items[i], &v) == 0 && v == key)
      return (int)value;
    i = items[value].next;
  }
  return -1;
}

int cbor_array_at(const struct cbor_item *items, uint32_t arr, uint64_t k) {
  uint32_t i = arr + 1;
  uint64_t j;
  if (items[arr].type != CBOR_ARRAY || k >= items[arr].count)
    return -1;
  for (j = 0; j < k; j++)
    i = items[i].next;
  return (int)i;
}

int cbor_is_bstr_of(const struct cbor_item *items, int i, size_t len) {
  return i >= 0 && items[i].type == CBOR_BSTR && items[i].len == len;
}

int cbor_is_tstr(const struct cbor_item *items, int i, const char *text) {
  size_t n = strlen(text);
  return i >= 0 && items[i].type == CBOR_TSTR && items[i].len == n &&
         memcmp(items[i].bytes, text, n) == 0;
}
