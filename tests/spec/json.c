/*
** json.c — recursive-descent JSON parser for the spec runner.
** Accepts RFC 8259 JSON (objects, arrays, strings with \u escapes and
** surrogate pairs, numbers, true/false/null); nesting depth is bounded.
*/
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 256

struct parser {
  const char *p;   /* next byte */
  const char *end; /* one past the last byte */
  const char *start;
  char *err;
  size_t err_size;
  int failed;
};

static void fail(struct parser *ps, const char *fmt, ...) {
  if (ps->failed)
    return;
  ps->failed = 1;
  int line = 1;
  for (const char *q = ps->start; q < ps->p && q < ps->end; q++)
    if (*q == '\n')
      line++;
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (ps->err && ps->err_size)
    snprintf(ps->err, ps->err_size, "json line %d: %s", line, msg);
}

static void skip_ws(struct parser *ps) {
  while (ps->p < ps->end &&
         (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static void *xrealloc(struct parser *ps, void *ptr, size_t size) {
  void *q = realloc(ptr, size ? size : 1);
  if (!q)
    fail(ps, "out of memory");
  return q;
}

/* ---- strings --------------------------------------------------------- */

struct buf {
  char *data;
  size_t len, cap;
};

static int buf_put(struct parser *ps, struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 32;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *d = xrealloc(ps, b->data, cap);
    if (!d)
      return -1;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

static int put_utf8(struct parser *ps, struct buf *b, unsigned long cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xc0 | (cp >> 6));
    u[1] = (char)(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xe0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    u[2] = (char)(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    u[0] = (char)(0xf0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    u[3] = (char)(0x80 | (cp & 0x3f));
    n = 4;
  }
  return buf_put(ps, b, u, n);
}

static int read_hex4(struct parser *ps, unsigned long *out) {
  unsigned long v = 0;
  if (ps->end - ps->p < 4) {
    fail(ps, "truncated \\u escape");
    return -1;
  }
  for (int i = 0; i < 4; i++) {
    char c = *ps->p++;
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned long)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned long)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned long)(c - 'A' + 10);
    else {
      fail(ps, "bad hex digit in \\u escape");
      return -1;
    }
  }
  *out = v;
  return 0;
}

static int parse_escape(struct parser *ps, struct buf *b) {
  if (ps->p >= ps->end) {
    fail(ps, "unterminated string");
    return -1;
  }
  char c = *ps->p++;
  char out;
  switch (c) {
  case '"': out = '"'; break;
  case '\\': out = '\\'; break;
  case '/': out = '/'; break;
  case 'b': out = '\b'; break;
  case 'f': out = '\f'; break;
  case 'n': out = '\n'; break;
  case 'r': out = '\r'; break;
  case 't': out = '\t'; break;
  case 'u': {
    unsigned long cp;
    if (read_hex4(ps, &cp))
      return -1;
    if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 &&
        ps->p[0] == '\\' && ps->p[1] == 'u') {
      const char *save = ps->p;
      unsigned long lo;
      ps->p += 2;
      if (read_hex4(ps, &lo))
        return -1;
      if (lo >= 0xdc00 && lo < 0xe000)
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      else
        ps->p = save; /* lone high surrogate: keep it as is */
    }
    return put_utf8(ps, b, cp);
  }
  default: fail(ps, "bad escape \\%c", c); return -1;
  }
  return buf_put(ps, b, &out, 1);
}

/* Parses a string starting at the opening quote. */
static int parse_string(struct parser *ps, char **out, size_t *out_len) {
  struct buf b = {0};
  ps->p++; /* opening quote */
  for (;;) {
    if (ps->p >= ps->end) {
      fail(ps, "unterminated string");
      goto error;
    }
    const char *run = ps->p;
    while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' &&
           (unsigned char)*ps->p >= 0x20)
      ps->p++;
    if (ps->p > run && buf_put(ps, &b, run, (size_t)(ps->p - run)))
      goto error;
    if (ps->p >= ps->end)
      continue;
    char c = *ps->p;
    if (c == '"') {
      ps->p++;
      break;
    }
    if (c == '\\') {
      ps->p++;
      if (parse_escape(ps, &b))
        goto error;
      continue;
    }
    fail(ps, "control character in string");
    goto error;
  }
  if (!b.data && buf_put(ps, &b, "", 0))
    goto error;
  *out = b.data;
  *out_len = b.len;
  return 0;
error:
  free(b.data);
  return -1;
}

/* ---- values ---------------------------------------------------------- */

static int parse_value(struct parser *ps, struct json_value *v, int depth);

static int match_word(struct parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
    ps->p += n;
    return 1;
  }
  return 0;
}

static int parse_number(struct parser *ps, struct json_value *v) {
  const char *s = ps->p;
  if (ps->p < ps->end && *ps->p == '-')
    ps->p++;
  while (ps->p < ps->end &&
         ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.' || *ps->p == 'e' ||
          *ps->p == 'E' || *ps->p == '+' || *ps->p == '-'))
    ps->p++;
  char tmp[64];
  size_t n = (size_t)(ps->p - s);
  if (n == 0 || n >= sizeof tmp) {
    fail(ps, "bad number");
    return -1;
  }
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  char *endp;
  v->number = strtod(tmp, &endp);
  if (*endp != '\0') {
    fail(ps, "bad number '%s'", tmp);
    return -1;
  }
  v->kind = JSON_NUMBER;
  return 0;
}

/* Append one zeroed slot to a container; returns its index or -1. */
static long grow_items(struct parser *ps, struct json_value *v, size_t *cap,
                       int with_keys) {
  if (v->count == *cap) {
    size_t ncap = *cap ? *cap * 2 : 4;
    struct json_value *items = xrealloc(ps, v->items, ncap * sizeof *items);
    if (!items)
      return -1;
    v->items = items;
    if (with_keys) {
      char **keys = xrealloc(ps, v->keys, ncap * sizeof *keys);
      if (!keys)
        return -1;
      v->keys = keys;
    }
    *cap = ncap;
  }
  memset(&v->items[v->count], 0, sizeof v->items[0]);
  if (with_keys)
    v->keys[v->count] = NULL;
  return (long)v->count++;
}

static int parse_array(struct parser *ps, struct json_value *v, int depth) {
  size_t cap = 0;
  v->kind = JSON_ARRAY;
  ps->p++; /* [ */
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == ']') {
    ps->p++;
    return 0;
  }
  for (;;) {
    long i = grow_items(ps, v, &cap, 0);
    if (i < 0 || parse_value(ps, &v->items[i], depth + 1))
      return -1;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == ']') {
      ps->p++;
      return 0;
    }
    fail(ps, "expected ',' or ']'");
    return -1;
  }
}

static int parse_object(struct parser *ps, struct json_value *v, int depth) {
  size_t cap = 0;
  v->kind = JSON_OBJECT;
  ps->p++; /* { */
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == '}') {
    ps->p++;
    return 0;
  }
  for (;;) {
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"') {
      fail(ps, "expected a string key");
      return -1;
    }
    long i = grow_items(ps, v, &cap, 1);
    size_t klen;
    if (i < 0 || parse_string(ps, &v->keys[i], &klen))
      return -1;
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != ':') {
      fail(ps, "expected ':'");
      return -1;
    }
    ps->p++;
    if (parse_value(ps, &v->items[i], depth + 1))
      return -1;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == '}') {
      ps->p++;
      return 0;
    }
    fail(ps, "expected ',' or '}'");
    return -1;
  }
}

static int parse_value(struct parser *ps, struct json_value *v, int depth) {
  if (depth > JSON_MAX_DEPTH) {
    fail(ps, "nesting too deep");
    return -1;
  }
  skip_ws(ps);
  if (ps->p >= ps->end) {
    fail(ps, "unexpected end of input");
    return -1;
  }
  switch (*ps->p) {
  case '{': return parse_object(ps, v, depth);
  case '[': return parse_array(ps, v, depth);
  case '"':
    v->kind = JSON_STRING;
    return parse_string(ps, &v->str, &v->str_len);
  default: break;
  }
  if (match_word(ps, "true")) {
    v->kind = JSON_BOOL;
    v->boolean = 1;
    return 0;
  }
  if (match_word(ps, "false")) {
    v->kind = JSON_BOOL;
    return 0;
  }
  if (match_word(ps, "null")) {
    v->kind = JSON_NULL;
    return 0;
  }
  if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
    return parse_number(ps, v);
  fail(ps, "unexpected character '%c'", *ps->p);
  return -1;
}

int json_parse(const char *text, size_t len, struct json_value *out, char *err,
               size_t err_size) {
  struct parser ps = {text, text + len, text, err, err_size, 0};
  memset(out, 0, sizeof *out);
  if (parse_value(&ps, out, 0) == 0) {
    skip_ws(&ps);
    if (ps.p == ps.end)
      return 0;
    fail(&ps, "trailing characters after the document");
  }
  json_free(out);
  return -1;
}

void json_free(struct json_value *v) {
  if (!v)
    return;
  free(v->str);
  for (size_t i = 0; i < v->count; i++) {
    if (v->items)
      json_free(&v->items[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  memset(v, 0, sizeof *v);
}

const struct json_value *json_get(const struct json_value *obj,
                                  const char *key) {
  if (!obj || obj->kind != JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->count; i++)
    if (obj->keys[i] && strcmp(obj->keys[i], key) == 0)
      return &obj->items[i];
  return NULL;
}

const char *json_get_str(const struct json_value *obj, const char *key) {
  const struct json_value *v = json_get(obj, key);
  return v && v->kind == JSON_STRING ? v->str : NULL;
}

long json_get_int(const struct json_value *obj, const char *key,
                  long fallback) {
  const struct json_value *v = json_get(obj, key);
  return v && v->kind == JSON_NUMBER ? (long)v->number : fallback;
}

char *spec_read_file(const char *path, size_t *out_len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, len = 0;
  char *data = malloc(cap + 1);
  while (data) {
    size_t n = fread(data + len, 1, cap - len, f);
    len += n;
    if (len < cap) {
      if (ferror(f)) {
        free(data);
        data = NULL;
      }
      break;
    }
    cap *= 2;
    char *bigger = realloc(data, cap + 1);
    if (!bigger)
      free(data);
    data = bigger;
  }
  fclose(f);
  if (data) {
    data[len] = '\0';
    *out_len = len;
  }
  return data;
}
