/*
** util.c — helpers shared by the `weft` subcommands: reporting library
** errors, parsing and printing values (files: file_io.c; modules:
** module_load.c).
** Uses include/weft.h and libc only.
*/
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void cli_errorf(const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fputs("weft: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* {====================================================================
** Errors
** ===================================================================== */

const char *cli_status_name(weft_status status) {
  switch (status) {
  case WEFT_OK: return "ok";
  case WEFT_ERR_MALFORMED: return "malformed module";
  case WEFT_ERR_INVALID: return "invalid module";
  case WEFT_ERR_UNSUPPORTED: return "unsupported feature";
  case WEFT_ERR_LINK: return "link error";
  case WEFT_ERR_TRAP: return "trap";
  case WEFT_ERR_LIMIT: return "limit exceeded";
  case WEFT_ERR_NOMEM: return "out of memory";
  case WEFT_ERR_ARG: return "bad argument";
  case WEFT_ERR_EXIT: return "exit";
  case WEFT_ERR_EXCEPTION: return "uncaught exception";
  }
  return "error";
}

int cli_exit_status(const weft_error *err) {
  switch (err->status) {
  case WEFT_OK: return CLI_EXIT_OK;
  case WEFT_ERR_TRAP:
  case WEFT_ERR_EXCEPTION: return CLI_EXIT_TRAP;
  case WEFT_ERR_EXIT: return (int)(err->exit_code & 0xff);
  default: return CLI_EXIT_LOAD;
  }
}

/* The trap's Wasm frames, innermost first, named as wasm-objdump does:
**     0: 0x0000002a func[3] <div>                                       */
static void print_backtrace(const weft_error *err) {
  uint32_t i, n = err->trace_len;

  if (n == 0)
    return;
  if (n > WEFT_TRACE_MAX)
    n = WEFT_TRACE_MAX;
  fputs("wasm backtrace:\n", stderr);
  for (i = 0; i < n; i++) {
    const weft_frame_info *f = &err->trace[i];
    fprintf(stderr, "  %3" PRIu32 ": ", i);
    if (f->offset != UINT64_MAX)
      fprintf(stderr, "0x%08" PRIx64, f->offset);
    else
      fputs("         ?", stderr);
    fprintf(stderr, " func[%" PRIu32 "]", f->func_index);
    if (f->func_name != NULL)
      fprintf(stderr, " <%s>", f->func_name);
    fputc('\n', stderr);
  }
  if (err->trace_more != 0)
    fprintf(stderr, "       ... %" PRIu32 " more frame%s\n", err->trace_more,
            err->trace_more == 1 ? "" : "s");
}

int cli_report(const char *path, const weft_error *err) {
  const char *msg = err->message;

  if (err->status == WEFT_ERR_EXIT)
    return cli_exit_status(err);
  if (err->status == WEFT_ERR_TRAP) {
    if (msg[0] == '\0')
      msg = weft_trap_message(err->trap);
    cli_errorf("trap: %s", msg);
    print_backtrace(err);
    return CLI_EXIT_TRAP;
  }
  if (msg[0] == '\0')
    msg = "(no message)";
  /* "unsupported feature: gc" already says what kind of error it is */
  if (strstr(msg, cli_status_name(err->status)) != NULL) {
    if (path != NULL)
      cli_errorf("%s: %s", path, msg);
    else
      cli_errorf("%s", msg);
    return cli_exit_status(err);
  }
  if (path != NULL)
    cli_errorf("%s: %s: %s", path, cli_status_name(err->status), msg);
  else
    cli_errorf("%s: %s", cli_status_name(err->status), msg);
  return cli_exit_status(err);
}

/* }==================================================================== */

/* {====================================================================
** Names
** ===================================================================== */

const char *cli_valtype_name(weft_valtype type) {
  switch (type) {
  case WEFT_I32: return "i32";
  case WEFT_I64: return "i64";
  case WEFT_F32: return "f32";
  case WEFT_F64: return "f64";
  case WEFT_V128: return "v128";
  case WEFT_FUNCREF: return "funcref";
  case WEFT_EXTERNREF: return "externref";
  case WEFT_EXNREF: return "exnref";
  }
  return "?";
}

const char *cli_extern_kind_name(weft_extern_kind kind) {
  switch (kind) {
  case WEFT_EXTERN_FUNC: return "func";
  case WEFT_EXTERN_TABLE: return "table";
  case WEFT_EXTERN_MEMORY: return "memory";
  case WEFT_EXTERN_GLOBAL: return "global";
  case WEFT_EXTERN_TAG: return "tag";
  }
  return "?";
}

/* }==================================================================== */

/* {====================================================================
** Parsing and printing values
** ===================================================================== */

/* Parses an optional sign, then "0x" hex or decimal digits, into a
** magnitude. Rejects empty input, junk and overflow of 64 bits. */
static int parse_integer(const char *text, int *out_negative,
                         uint64_t *out_magnitude) {
  const char *p = text;
  char *end;
  int base = 10;
  unsigned long long v;

  *out_negative = 0;
  if (*p == '+' || *p == '-') {
    *out_negative = (*p == '-');
    p++;
  }
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  /* strtoull would accept a second sign or leading spaces; refuse them. */
  if (!(base == 16 ? ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                      (*p >= 'A' && *p <= 'F'))
                   : (*p >= '0' && *p <= '9')))
    return -1;
  errno = 0;
  v = strtoull(p, &end, base);
  if (errno != 0 || *end != '\0')
    return -1;
  *out_magnitude = (uint64_t)v;
  return 0;
}

/* Integer in [-2^(bits-1), 2^bits - 1], wrapped to `bits` bits. */
static int parse_int_bits(const char *text, unsigned bits, uint64_t *out) {
  int negative;
  uint64_t mag;
  uint64_t max_unsigned = bits == 64 ? UINT64_MAX : ((1ull << bits) - 1);
  uint64_t max_negative = 1ull << (bits - 1);

  if (parse_integer(text, &negative, &mag) != 0)
    return -1;
  if (negative) {
    if (mag > max_negative)
      return -1;
    *out = (0 - mag) & max_unsigned;
  } else {
    if (mag > max_unsigned)
      return -1;
    *out = mag;
  }
  return 0;
}

int cli_parse_u32(const char *text, uint32_t *out) {
  int negative;
  uint64_t mag;

  if (parse_integer(text, &negative, &mag) != 0 || negative || mag > UINT32_MAX)
    return -1;
  *out = (uint32_t)mag;
  return 0;
}

int cli_parse_u64(const char *text, uint64_t *out) {
  int negative;
  uint64_t mag;

  if (parse_integer(text, &negative, &mag) != 0 || negative)
    return -1;
  *out = mag;
  return 0;
}

static double seconds_of(clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_clock_now(struct cli_clock *out) {
  out->wall = seconds_of(CLOCK_MONOTONIC);
  out->cpu = seconds_of(CLOCK_PROCESS_CPUTIME_ID);
}

double cli_clock_wall_since(const struct cli_clock *start,
                            const struct cli_clock *now) {
  return now->wall - start->wall;
}

double cli_clock_cpu_since(const struct cli_clock *start,
                           const struct cli_clock *now) {
  return now->cpu - start->cpu;
}

int cli_parse_size(const char *text, uint64_t *out) {
  char buf[64];
  size_t len = strlen(text);
  unsigned shift = 0;
  int negative;
  uint64_t mag;

  if (len == 0 || len >= sizeof buf)
    return -1;
  memcpy(buf, text, len + 1);
  switch (buf[len - 1]) {
  case 'k':
  case 'K': shift = 10; break;
  case 'm':
  case 'M': shift = 20; break;
  case 'g':
  case 'G': shift = 30; break;
  default: break;
  }
  if (shift != 0)
    buf[len - 1] = '\0';
  if (parse_integer(buf, &negative, &mag) != 0 || negative)
    return -1;
  if (shift != 0 && mag > (UINT64_MAX >> shift))
    return -1;
  *out = mag << shift;
  return 0;
}

/* "nan", "+nan", "-nan", "nan:0x..." (payload) into a float bit pattern. */
static int parse_nan(const char *text, unsigned bits, uint64_t *out_bits) {
  const char *p = text;
  uint64_t sign = 0, payload, quiet, exp_mask, mant_mask;
  int negative;

  if (*p == '+' || *p == '-') {
    sign = (*p == '-');
    p++;
  }
  if (strncmp(p, "nan", 3) != 0)
    return -1;
  p += 3;
  if (bits == 32) {
    exp_mask = 0x7f800000ull;
    mant_mask = 0x007fffffull;
    quiet = 0x00400000ull;
  } else {
    exp_mask = 0x7ff0000000000000ull;
    mant_mask = 0x000fffffffffffffull;
    quiet = 0x0008000000000000ull;
  }
  payload = quiet;
  if (*p == ':') {
    if (parse_integer(p + 1, &negative, &payload) != 0 || negative ||
        strncmp(p + 1, "0x", 2) != 0 || payload == 0 || payload > mant_mask)
      return -1;
  } else if (*p != '\0') {
    return -1;
  }
  *out_bits = (sign << (bits - 1)) | exp_mask | payload;
  return 0;
}

static int parse_float(const char *text, unsigned bits, weft_slot *out) {
  uint64_t nan_bits;
  char *end;
  const char *p = text;

  if (parse_nan(text, bits, &nan_bits) == 0) {
    if (bits == 32)
      out->u32 = (uint32_t)nan_bits;
    else
      out->u64 = nan_bits;
    return 0;
  }
  if (*p == '+' || *p == '-')
    p++;
  /* Refuse what strtod would skip or read as something else. */
  if (!((*p >= '0' && *p <= '9') || *p == '.' || strncmp(p, "inf", 3) == 0))
    return -1;
  errno = 0;
  if (bits == 32)
    out->f32 = strtof(text, &end);
  else
    out->f64 = strtod(text, &end);
  /* ERANGE on overflow/underflow still gives the correctly rounded
  ** inf/subnormal/zero, which is what a Wasm float literal means. */
  if (end == text || *end != '\0')
    return -1;
  return 0;
}

/* Reads one i32x4 lane (decimal or 0x hex, below 2^32) from *p up to the
** next space or the end, and advances *p past it. */
static int parse_v128_lane(const char **p, uint32_t *out) {
  char lane[32];
  size_t len = strcspn(*p, " ");

  if (len == 0 || len >= sizeof lane)
    return -1;
  memcpy(lane, *p, len);
  lane[len] = '\0';
  *p += len;
  return cli_parse_u32(lane, out);
}

int cli_parse_v128(const char *text, uint8_t out[16], char *why,
                   size_t why_size) {
  const char *p = text;
  uint32_t lane;
  int i, b;

  if (strncmp(p, "i32x4 ", 6) != 0) {
    snprintf(why, why_size,
             "a v128 is written as one argument 'i32x4 A B C D' (four "
             "32-bit lanes, lane 0 first)");
    return -1;
  }
  p += 6;
  for (i = 0; i < 4; i++) {
    if (i > 0 && *p++ != ' ') {
      snprintf(why, why_size, "v128 'i32x4 A B C D' needs 4 lanes, found %d",
               i);
      return -1;
    }
    if (parse_v128_lane(&p, &lane) != 0) {
      snprintf(why, why_size,
               "v128 lane %d is not a decimal or 0x hex number below 2^32", i);
      return -1;
    }
    for (b = 0; b < 4; b++)
      out[4 * i + b] = (uint8_t)(lane >> (8 * b));
  }
  if (*p != '\0') {
    snprintf(why, why_size,
             "v128 'i32x4 A B C D' has more than 4 lanes or trailing text");
    return -1;
  }
  return 0;
}

int cli_parse_val(const char *text, weft_valtype type, weft_val *out) {
  char why[160];
  uint64_t v;

  memset(out, 0, sizeof *out);
  out->type = type;
  switch (type) {
  case WEFT_I32:
    if (parse_int_bits(text, 32, &v) != 0)
      return -1;
    out->of.u32 = (uint32_t)v;
    return 0;
  case WEFT_I64:
    if (parse_int_bits(text, 64, &v) != 0)
      return -1;
    out->of.u64 = v;
    return 0;
  case WEFT_F32: return parse_float(text, 32, &out->of);
  case WEFT_F64: return parse_float(text, 64, &out->of);
  case WEFT_FUNCREF:
  case WEFT_EXNREF:
  case WEFT_EXTERNREF:
    if (strcmp(text, "null") != 0)
      return -1;
    out->of.ref = NULL;
    return 0;
  case WEFT_V128:
    if (cli_parse_v128(text, out->of.v128, why, sizeof why) != 0) {
      cli_errorf("%s", why);
      return -1;
    }
    return 0;
  }
  return -1;
}

/* Shortest "%.Ng" spelling that reads back as the same float (at most 9
** digits for f32, 17 for f64), like the shortest round-trip printing of
** other runtimes: 0.1 prints as "0.1", not "0.10000000000000001". */
static void print_float(FILE *out, double v, unsigned bits) {
  char buf[64];
  int prec, max_prec = bits == 32 ? 9 : 17;

  if (isnan(v)) {
    fputs(signbit(v) ? "-nan" : "nan", out);
    return;
  }
  if (isinf(v)) {
    fputs(v < 0 ? "-inf" : "inf", out);
    return;
  }
  for (prec = 1; prec < max_prec; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (bits == 32 ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
      break;
  }
  snprintf(buf, sizeof buf, "%.*g", prec, v);
  fputs(buf, out);
}

void cli_print_val(FILE *out, const weft_val *val) {
  switch (val->type) {
  case WEFT_I32: fprintf(out, "%" PRId32, val->of.i32); return;
  case WEFT_I64: fprintf(out, "%" PRId64, val->of.i64); return;
  case WEFT_F32:
    /* A NaN's sign from the f32 itself: widening keeps it on x86-64 and
    ** AArch64, but RISC-V's fcvt.d.s gives the canonical (positive) NaN. */
    if (isnan(val->of.f32))
      fputs(signbit(val->of.f32) ? "-nan" : "nan", out);
    else
      print_float(out, (double)val->of.f32, 32);
    return;
  case WEFT_F64: print_float(out, val->of.f64, 64); return;
  case WEFT_FUNCREF:
  case WEFT_EXNREF:
  case WEFT_EXTERNREF: fputs(val->of.ref == NULL ? "null" : "ref", out); return;
  case WEFT_V128: {
    int i;
    fputs("i32x4", out);
    for (i = 0; i < 4; i++) {
      const uint8_t *b = &val->of.v128[4 * i];
      uint32_t lane = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                      (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
      fprintf(out, " 0x%08" PRIx32, lane);
    }
    return;
  }
  }
  fputs("?", out);
}

/* }==================================================================== */
