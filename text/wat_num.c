/*
** wat_num.c — numeric literals of the text format: unsigned and signed
** integers of every width (decimal or hex, '_' between digits), and floats
** (decimal and hex, inf, nan, nan:0xPAYLOAD) rounded to nearest-even by the
** C library's strtof/strtod (exact in glibc; the text layer is hosted). A
** float that rounds to infinity is out of range, as the spec says.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wat.h"

static int digit_value(char c, unsigned base) {
  int v = -1;
  if (c >= '0' && c <= '9')
    v = c - '0';
  else if (c >= 'a' && c <= 'f')
    v = c - 'a' + 10;
  else if (c >= 'A' && c <= 'F')
    v = c - 'A' + 10;
  return v >= 0 && (unsigned)v < base ? v : -1;
}

/* Length of the longest prefix of s[0..n) of the form digit ('_'? digit)*
** in `base`; 0 when there is none. An '_' not between two digits ends it
** (the caller then sees leftover characters and fails). */
static size_t span_digits(const char *s, size_t n, unsigned base) {
  size_t i = 0;
  if (!n || digit_value(s[0], base) < 0)
    return 0;
  for (i = 1; i < n; i++) {
    if (digit_value(s[i], base) >= 0)
      continue;
    if (s[i] == '_' && i + 1 < n && digit_value(s[i + 1], base) >= 0)
      continue;
    break;
  }
  return i;
}

/* Value of a digit span; sets *overflow past UINT64_MAX. */
static uint64_t digits_value(const char *s, size_t n, unsigned base,
                             bool *overflow) {
  uint64_t v = 0;
  *overflow = false;
  for (size_t i = 0; i < n; i++) {
    int d = digit_value(s[i], base);
    if (d < 0)
      continue;
    if (v > (UINT64_MAX - (uint64_t)d) / base)
      *overflow = true;
    v = v * base + (uint64_t)d;
  }
  return v;
}

/* An unsigned literal s[0..n) (no sign); false when malformed. */
static bool parse_nat(const char *s, size_t n, uint64_t *out, bool *overflow) {
  unsigned base = 10;
  if (n > 2 && s[0] == '0' && s[1] == 'x') {
    base = 16;
    s += 2;
    n -= 2;
  }
  if (span_digits(s, n, base) != n)
    return false;
  *out = digits_value(s, n, base, overflow);
  return true;
}

bool wat_is_num_tok(const struct wat *w, uint32_t tok) {
  return w->toks[tok].kind == TOK_NUM;
}

static const char *tok_text(const struct wat *w, uint32_t tok, size_t *n) {
  *n = w->toks[tok].len;
  return w->src + w->toks[tok].off;
}

uint64_t wat_u64(struct wat *w, uint32_t tok) {
  if (w->toks[tok].kind != TOK_NUM)
    wat_fail(w, tok, "expected an unsigned integer");
  return wat_u64_after(w, tok, 0);
}

uint64_t wat_u64_after(struct wat *w, uint32_t tok, size_t skip) {
  size_t n;
  const char *s = tok_text(w, tok, &n);
  uint64_t v;
  bool overflow;
  if (skip > n || !parse_nat(s + skip, n - skip, &v, &overflow))
    wat_fail(w, tok, "expected an unsigned integer");
  if (overflow)
    wat_fail(w, tok, "constant out of range");
  return v;
}

uint32_t wat_u32(struct wat *w, uint32_t tok) {
  uint64_t v = wat_u64(w, tok);
  if (v > UINT32_MAX)
    wat_fail(w, tok, "constant out of range");
  return (uint32_t)v;
}

uint64_t wat_int(struct wat *w, uint32_t tok, unsigned bits) {
  size_t n;
  const char *s = tok_text(w, tok, &n);
  uint64_t v, half = 1ull << (bits - 1);
  uint64_t umax = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
  bool overflow, neg = n && s[0] == '-',
                 sign = n && (s[0] == '-' || s[0] == '+');
  if (w->toks[tok].kind != TOK_NUM ||
      !parse_nat(s + sign, n - sign, &v, &overflow))
    wat_fail(w, tok, "unexpected token, expected an i%u literal", bits);
  if (overflow || (!sign && v > umax) || (sign && !neg && v >= half) ||
      (neg && v > half))
    wat_fail(w, tok, "constant out of range");
  if (neg)
    v = (uint64_t)0 - v;
  return v & umax;
}

/* ---- floats ----------------------------------------------------------------
 */

struct fshape {
  unsigned bits, mant; /* 32/64, mantissa bits */
  uint64_t exp_mask;   /* exponent bits all set */
};

/* Appends the digits of a span without its underscores. */
static size_t copy_digits(char *dst, const char *s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] != '_')
      dst[k++] = s[i];
  return k;
}

/* Rewrites a float literal without sign into C syntax in dst (digits,
** '.', exponent); false when it is not the spec's grammar. */
static bool clean_float(const char *s, size_t n, char *dst) {
  unsigned base = 10;
  size_t i = 0, k = 0, d;
  char expch = 'e';
  if (n > 2 && s[0] == '0' && s[1] == 'x') {
    base = 16;
    expch = 'p';
    dst[k++] = '0';
    dst[k++] = 'x';
    i = 2;
  }
  if (!(d = span_digits(s + i, n - i, base)))
    return false;
  k += copy_digits(dst + k, s + i, d);
  i += d;
  if (i < n && s[i] == '.') {
    dst[k++] = '.';
    i++;
    d = span_digits(s + i, n - i, base);
    k += copy_digits(dst + k, s + i, d);
    i += d;
  }
  if (i < n && (s[i] == expch || s[i] == expch - 32)) {
    dst[k++] = expch;
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
      dst[k++] = s[i++];
    if (!(d = span_digits(s + i, n - i, 10)))
      return false;
    k += copy_digits(dst + k, s + i, d);
    i += d;
  }
  dst[k] = '\0';
  return i == n;
}

static uint64_t float_bits(struct wat *w, uint32_t tok,
                           const struct fshape *f) {
  size_t n;
  const char *s = tok_text(w, tok, &n);
  uint64_t sign_bit = 1ull << (f->bits - 1), quiet = 1ull << (f->mant - 1);
  uint64_t payload_max = (1ull << f->mant) - 1;
  const struct wat_tok *t = &w->toks[tok];
  bool neg = n && s[0] == '-';
  if (t->kind != TOK_NUM && t->kind != TOK_KEYWORD)
    wat_fail(w, tok, "expected a float literal");
  if (n && (s[0] == '-' || s[0] == '+')) {
    s++;
    n--;
  }
  uint64_t sign = neg ? sign_bit : 0;
  if (n == 3 && memcmp(s, "inf", 3) == 0)
    return sign | f->exp_mask;
  if (n == 3 && memcmp(s, "nan", 3) == 0)
    return sign | f->exp_mask | quiet;
  if (n > 6 && memcmp(s, "nan:0x", 6) == 0) {
    uint64_t p;
    bool overflow;
    if (span_digits(s + 6, n - 6, 16) != n - 6)
      wat_fail(w, tok, "malformed NaN payload");
    p = digits_value(s + 6, n - 6, 16, &overflow);
    if (overflow || p == 0 || p > payload_max)
      wat_fail(w, tok, "constant out of range");
    return sign | f->exp_mask | p;
  }
  char *buf = wat_alloc(w, n + 4);
  if (!clean_float(s, n, buf))
    wat_fail(w, tok, "unexpected token, expected a float literal");
  uint64_t bits;
  char *end;
  if (f->bits == 32) {
    float v = strtof(buf, &end);
    uint32_t b;
    if (isinf(v))
      wat_fail(w, tok, "constant out of range");
    memcpy(&b, &v, sizeof b);
    bits = b;
  } else {
    double v = strtod(buf, &end);
    if (isinf(v))
      wat_fail(w, tok, "constant out of range");
    memcpy(&bits, &v, sizeof bits);
  }
  /* the C library reads what clean_float wrote in full, unless a locale
  ** with another decimal point is set (LC_NUMERIC must be "C") */
  if (*end)
    wat_fail(w, tok, "float conversion failed (LC_NUMERIC is not \"C\"?)");
  wat_free(w, buf);
  return (bits & ~sign_bit) | sign;
}

uint32_t wat_f32(struct wat *w, uint32_t tok) {
  static const struct fshape f32 = {32, 23, 0x7f800000u};
  return (uint32_t)float_bits(w, tok, &f32);
}

uint64_t wat_f64(struct wat *w, uint32_t tok) {
  static const struct fshape f64 = {64, 52, 0x7ff0000000000000u};
  return float_bits(w, tok, &f64);
}
