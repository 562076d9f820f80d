/*
** cbor.h — the CBOR (RFC 8949) the attestation services speak: a
** deterministic encoder and a strict decoder for the subset COSE and EAT
** need (unsigned/negative ints, byte/text strings, arrays, maps, tags and
** the simple values false/true/null/undefined). No floats, no indefinite
** lengths. The decoder accepts only the deterministic encoding
** (§4.2.1): shortest-form heads, map keys in bytewise order of their
** encodings, so a duplicate key or a second spelling is rejected.
*/
#ifndef WEFT_CBOR_H
#define WEFT_CBOR_H

#include <stddef.h>
#include <stdint.h>

#define CBOR_MAX_DEPTH 16         /* nesting of arrays, maps and tags */
#define CBOR_MAX_INPUT (1u << 20) /* bytes the decoder looks at */

/* ---- encoder ----------------------------------------------------------- */

/* A growing output buffer. After any failure (out of memory, more than
** `max` bytes) every later call does nothing and `failed` stays set. */
struct cbor_buf {
  uint8_t *data;
  size_t len, cap;
  size_t max; /* hard cap on len */
  int failed;
};

void cbor_buf_init(struct cbor_buf *b, size_t max);
void cbor_buf_free(struct cbor_buf *b); /* wipes the bytes */
/* Appends bytes that are already CBOR (or a raw frame part). */
void cbor_put_raw(struct cbor_buf *b, const void *data, size_t len);
void cbor_put_uint(struct cbor_buf *b, uint64_t v);
void cbor_put_int(struct cbor_buf *b, int64_t v);
void cbor_put_bstr(struct cbor_buf *b, const void *data, size_t len);
void cbor_put_tstr(struct cbor_buf *b, const char *text);
void cbor_put_array(struct cbor_buf *b, uint64_t count);
/* `pairs` key/value pairs follow; the caller writes keys in deterministic
** order (the decoder refuses anything else). */
void cbor_put_map(struct cbor_buf *b, uint64_t pairs);
void cbor_put_tag(struct cbor_buf *b, uint64_t tag);
void cbor_put_bool(struct cbor_buf *b, int v);

/* ---- decoder ----------------------------------------------------------- */

enum cbor_type {
  CBOR_UINT,   /* value */
  CBOR_NINT,   /* -1 - value */
  CBOR_BSTR,   /* bytes, len */
  CBOR_TSTR,   /* bytes, len (valid UTF-8, not NUL-terminated) */
  CBOR_ARRAY,  /* count items follow */
  CBOR_MAP,    /* count key/value pairs follow */
  CBOR_TAG,    /* value = tag number; one item follows */
  CBOR_SIMPLE, /* value 20 false, 21 true, 22 null, 23 undefined */
};

/* One decoded item. Items are stored in pre-order: an array's elements
** (a map's keys and values, alternating) follow it, and `next` is the
** index just past its whole subtree. */
struct cbor_item {
  uint8_t type;           /* enum cbor_type */
  uint64_t value;         /* see enum cbor_type */
  uint64_t count;         /* ARRAY items, MAP pairs */
  const uint8_t *bytes;   /* BSTR/TSTR content */
  size_t len;             /* BSTR/TSTR length */
  const uint8_t *encoded; /* this item's whole encoding ... */
  size_t encoded_len;     /* ... subtree included */
  uint32_t next;
};

/* Decodes exactly one item filling all of data[0..len) into items[0..n).
** Returns 0, or -1 with a static reason in *why ("duplicate map key",
** "non-shortest integer encoding", "too many items", ...). */
int cbor_decode(const uint8_t *data, size_t len, struct cbor_item *items,
                uint32_t max_items, uint32_t *out_n, const char **why);

/* Helpers on a decoded tree. Each returns -1 when the item does not have
** the asked shape. */
int cbor_get_int(const struct cbor_item *it, int64_t *out);
/* Index of the value for integer key `key` in the map at items[map], or -1. */
int cbor_map_find(const struct cbor_item *items, uint32_t map, int64_t key);
/* Index of element k of the array at items[arr], or -1. */
int cbor_array_at(const struct cbor_item *items, uint32_t arr, uint64_t k);
/* items[i] is a byte string of exactly `len` bytes. */
int cbor_is_bstr_of(const struct cbor_item *items, int i, size_t len);
/* items[i] is a text string equal to `text`. */
int cbor_is_tstr(const struct cbor_item *items, int i, const char *text);

#endif /* WEFT_CBOR_H */
