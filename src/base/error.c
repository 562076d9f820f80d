/*
** error.c — filling weft_error records, trap messages, and a small
** formatter (the core may not depend on stdio).
*/
#include <stdarg.h>

#include "base.h"

static const char *const trap_messages[] = {
    [WEFT_TRAP_NONE] = "no trap",
    [WEFT_TRAP_UNREACHABLE] = "unreachable",
    [WEFT_TRAP_MEMORY_OOB] = "out of bounds memory access",
    [WEFT_TRAP_TABLE_OOB] = "out of bounds table access",
    [WEFT_TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [WEFT_TRAP_UNINIT_ELEMENT] = "uninitialized element",
    [WEFT_TRAP_INDIRECT_MISMATCH] = "indirect call type mismatch",
    [WEFT_TRAP_DIV_ZERO] = "integer divide by zero",
    [WEFT_TRAP_INT_OVERFLOW] = "integer overflow",
    [WEFT_TRAP_INVALID_CONVERSION] = "invalid conversion to integer",
    [WEFT_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
    [WEFT_TRAP_HOST] = "host function trapped",
    [WEFT_TRAP_OUT_OF_FUEL] = "out of fuel",
    [WEFT_TRAP_INTERRUPTED] = "interrupted",
    [WEFT_TRAP_NULL_EXNREF] = "null exception reference",
    [WEFT_TRAP_NULL_FUNC_REF] = "null function reference",
    [WEFT_TRAP_NULL_REF] = "null reference",
};

const char *weft_trap_message(weft_trap trap) {
  if ((unsigned)trap >= WF_ARRAY_LEN(trap_messages))
    return "unknown trap";
  return trap_messages[trap];
}

struct out {
  char *buf;
  size_t cap, len;
};

static void put_char(struct out *o, char c) {
  if (o->len + 1 < o->cap)
    o->buf[o->len] = c;
  o->len++;
}

static void put_str(struct out *o, const char *s) {
  if (!s)
    s = "(null)";
  while (*s)
    put_char(o, *s++);
}

static void put_unsigned(struct out *o, unsigned long long v, unsigned base) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n)
    put_char(o, tmp[--n]);
}

size_t wf_format_va(char *buf, size_t cap, const char *fmt, va_list ap) {
  struct out o = {buf, cap, 0};
  for (const char *f = fmt; *f; f++) {
    if (*f != '%') {
      put_char(&o, *f);
      continue;
    }
    f++;
    int longs = 0, size_t_arg = 0;
    while (*f == 'l') {
      longs++;
      f++;
    }
    if (*f == 'z') {
      size_t_arg = 1;
      f++;
    }
    switch (*f) {
    case 's': put_str(&o, va_arg(ap, const char *)); break;
    case 'c': put_char(&o, (char)va_arg(ap, int)); break;
    case '%': put_char(&o, '%'); break;
    case 'd': {
      long long v = longs ? va_arg(ap, long long) : va_arg(ap, int);
      if (v < 0) {
        put_char(&o, '-');
        put_unsigned(&o, 0ull - (unsigned long long)v, 10);
      } else {
        put_unsigned(&o, (unsigned long long)v, 10);
      }
      break;
    }
    case 'u':
    case 'x': {
      unsigned long long v;
      if (size_t_arg)
        v = va_arg(ap, size_t);
      else if (longs)
        v = va_arg(ap, unsigned long long);
      else
        v = va_arg(ap, unsigned);
      put_unsigned(&o, v, *f == 'x' ? 16 : 10);
      break;
    }
    case '\0': f--; break;
    default: put_char(&o, '?'); break;
    }
  }
  if (cap)
    buf[o.len < cap ? o.len : cap - 1] = '\0';
  return o.len;
}

size_t wf_format(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = wf_format_va(buf, cap, fmt, ap);
  va_end(ap);
  return n;
}

void wf_error_clear(weft_error *err) {
  if (!err)
    return;
  err->status = WEFT_OK;
  err->trap = WEFT_TRAP_NONE;
  err->exit_code = 0;
  err->func_index = UINT32_MAX;
  err->offset = UINT64_MAX;
  err->message[0] = '\0';
  err->trace_len = 0;
  err->trace_more = 0;
  err->exn = NULL;
}

weft_status wf_error_set(weft_error *err, weft_status status, const char *fmt,
                         ...) {
  if (!err)
    return status;
  err->status = status;
  va_list ap;
  va_start(ap, fmt);
  wf_format_va(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return status;
}

weft_status wf_error_trap(weft_error *err, weft_trap trap) {
  if (err)
    err->trap = trap;
  return wf_error_set(err, WEFT_ERR_TRAP, "%s", weft_trap_message(trap));
}
