/*
** spec_runner.c — runs wast2json output (.json + .wasm) against libweft.
** One fresh engine per .json file; every command is executed in order and
** counted per category. Uses only the public API (include/weft.h).
** Usage: spec_runner [-v] [--count-only] [--max-fail N] file.json...
*/
#include "aot_cache.h"
#include "json.h"
#include "weft.h"
#include "weft_aot_build.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- categories and counters ------------------------------------------ */

enum category {
  CAT_MODULE,
  CAT_RETURN,
  CAT_TRAP,
  CAT_EXHAUSTION,
  CAT_INVALID,
  CAT_MALFORMED,
  CAT_UNLINKABLE,
  CAT_UNINSTANTIABLE,
  CAT_ACTION,
  CAT_REGISTER,
  CAT_COUNT
};

static const char *const category_names[CAT_COUNT] = {
    "module",    "return",     "trap",           "exhaustion", "invalid",
    "malformed", "unlinkable", "uninstantiable", "action",     "register"};

/* The assertion categories the spec-suite README counts. */
static int is_assertion(enum category c) {
  return c >= CAT_RETURN && c <= CAT_UNINSTANTIABLE;
}

struct stats {
  unsigned long pass[CAT_COUNT];
  unsigned long total[CAT_COUNT];
  unsigned long text_malformed; /* text-form assert_malformed: not counted */
  unsigned long unknown;        /* unknown command types: counted as failed */
};

static unsigned long stats_passed(const struct stats *s) {
  unsigned long n = 0;
  for (int c = 0; c < CAT_COUNT; c++)
    n += s->pass[c];
  return n;
}

static unsigned long stats_failed(const struct stats *s) {
  unsigned long n = s->unknown;
  for (int c = 0; c < CAT_COUNT; c++)
    n += s->total[c] - s->pass[c];
  return n;
}

/* Every counted command: what passed + failed add up to. */
static unsigned long stats_counted(const struct stats *s) {
  return stats_passed(s) + stats_failed(s);
}

static void stats_add(struct stats *to, const struct stats *from) {
  for (int c = 0; c < CAT_COUNT; c++) {
    to->pass[c] += from->pass[c];
    to->total[c] += from->total[c];
  }
  to->text_malformed += from->text_malformed;
  to->unknown += from->unknown;
}

/* ---- options ------------------------------------------------------------ */

static int opt_verbose;
static int opt_count_only;
static int opt_aot;           /* 0 interpreter, 1 AoT guard pages, 2 explicit */
static int opt_fuel;          /* meter fuel (with more than any test uses) */
static const char *opt_cc;    /* C compiler for AoT (default cc) */
static const char *opt_cache; /* --aot-cache DIR: compiled modules by hash */
static int opt_prebuild;      /* --prebuild: only fill the cache */
static unsigned long opt_max_fail = 20;

/* ---- one .json file's run ------------------------------------------------ */

struct named_instance {
  char *name;          /* "$M" as written in the .wast */
  weft_instance *inst; /* NULL when that module failed */
};

struct run {
  const char *json_path;
  char *dir;           /* directory of the .json, for module filenames */
  char wast_name[256]; /* "i32.wast" */
  weft_engine *engine;
  weft_linker *linker;
  char broken[300];       /* set when the engine/linker could not be set up */
  weft_instance *current; /* latest module's instance, NULL if it failed */
  int have_module;        /* a module command was seen */
  struct named_instance *named;
  size_t named_count, named_cap;
  struct stats st;
  unsigned long failures; /* failure lines printed or suppressed */
  long line;              /* .wast line of the current command */
  const char *cmd;        /* type of the current command */
  const char *field;      /* action field of the current command, or NULL */
  size_t field_len;       /* its length in bytes (it may hold NULs) */
  void **aot_handles;     /* loaded AoT objects, closed after the engine */
  size_t aot_count, aot_cap;
  void *aot_batch;     /* the file's modules compiled together, if cached */
  int aot_batch_tried; /* looked for it already */
};

/* Writes the len bytes at s into out with non-printable bytes escaped. */
static void escape_name(const char *s, size_t len, char *out, size_t size) {
  size_t n = 0;
  if (!size)
    return;
  for (size_t i = 0; s && i < len && n + 5 < size; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
      n += (size_t)snprintf(out + n, size - n, "\\%02x", c);
    else
      out[n++] = (char)c;
  }
  out[n] = '\0';
}

static void print_where(const struct run *r, const char *tag) {
  char field[120];
  printf("  %s %s:%ld: %s", tag, r->wast_name, r->line, r->cmd);
  if (r->field) {
    escape_name(r->field, r->field_len, field, sizeof field);
    printf(" \"%s\"", field);
  }
  printf(": ");
}

/* Records nothing; prints one failure line (capped per file). */
static void report_fail(struct run *r, const char *fmt, ...) {
  r->failures++;
  if (r->failures > opt_max_fail)
    return;
  print_where(r, "FAIL");
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

/* Prints an informational note in -v mode only. */
static void note(struct run *r, const char *fmt, ...) {
  if (!opt_verbose)
    return;
  print_where(r, "note");
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

static const char *status_name(weft_status s) {
  switch (s) {
  case WEFT_OK: return "OK";
  case WEFT_ERR_MALFORMED: return "MALFORMED";
  case WEFT_ERR_INVALID: return "INVALID";
  case WEFT_ERR_UNSUPPORTED: return "UNSUPPORTED";
  case WEFT_ERR_LINK: return "LINK";
  case WEFT_ERR_TRAP: return "TRAP";
  case WEFT_ERR_LIMIT: return "LIMIT";
  case WEFT_ERR_NOMEM: return "NOMEM";
  case WEFT_ERR_ARG: return "ARG";
  case WEFT_ERR_EXIT: return "EXIT";
  case WEFT_ERR_EXCEPTION: return "EXCEPTION";
  }
  return "?";
}

/* "TRAP (out of bounds memory access)" style description of an error. */
static const char *error_text(weft_status s, const weft_error *e, char *buf,
                              size_t size) {
  snprintf(buf, size, "%s (%s)", status_name(s),
           e->message[0] ? e->message : "no message");
  return buf;
}

static void clear_error(weft_error *e) { memset(e, 0, sizeof *e); }

/* ---- files -------------------------------------------------------------- */

static char *path_join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* ---- the spectest host module -------------------------------------------- */

static weft_status spectest_print(weft_host_ctx *ctx, void *user,
                                  weft_slot *slots) {
  (void)ctx;
  (void)user;
  (void)slots;
  return WEFT_OK;
}

static weft_status define_func(struct run *r, const char *name,
                               const weft_valtype *params, uint32_t n,
                               weft_error *err) {
  weft_func *f;
  weft_status s = weft_func_new_host(r->engine, params, n, NULL, 0,
                                     spectest_print, NULL, &f, err);
  if (s != WEFT_OK)
    return s;
  weft_extern ext = {.kind = WEFT_EXTERN_FUNC, .of.func = f};
  return weft_linker_define(r->linker, "spectest", name, ext, err);
}

static weft_status define_global(struct run *r, const char *name, weft_val v,
                                 weft_error *err) {
  weft_global *g;
  weft_status s = weft_global_new(r->engine, v, 0, &g, err);
  if (s != WEFT_OK)
    return s;
  weft_extern ext = {.kind = WEFT_EXTERN_GLOBAL, .of.global = g};
  return weft_linker_define(r->linker, "spectest", name, ext, err);
}

static weft_status define_spectest(struct run *r, weft_error *err) {
  static const weft_valtype i32[] = {WEFT_I32}, i64[] = {WEFT_I64},
                            f32[] = {WEFT_F32}, f64[] = {WEFT_F64},
                            i32_f32[] = {WEFT_I32, WEFT_F32},
                            f64_f64[] = {WEFT_F64, WEFT_F64};
  weft_status s;
  if ((s = define_func(r, "print", NULL, 0, err)) ||
      (s = define_func(r, "print_i32", i32, 1, err)) ||
      (s = define_func(r, "print_i64", i64, 1, err)) ||
      (s = define_func(r, "print_f32", f32, 1, err)) ||
      (s = define_func(r, "print_f64", f64, 1, err)) ||
      (s = define_func(r, "print_i32_f32", i32_f32, 2, err)) ||
      (s = define_func(r, "print_f64_f64", f64_f64, 2, err)))
    return s;

  weft_val v;
  memset(&v, 0, sizeof v);
  v.type = WEFT_I32;
  v.of.i32 = 666;
  if ((s = define_global(r, "global_i32", v, err)))
    return s;
  memset(&v, 0, sizeof v);
  v.type = WEFT_I64;
  v.of.i64 = 666;
  if ((s = define_global(r, "global_i64", v, err)))
    return s;
  memset(&v, 0, sizeof v);
  v.type = WEFT_F32;
  v.of.f32 = 666.6f;
  if ((s = define_global(r, "global_f32", v, err)))
    return s;
  memset(&v, 0, sizeof v);
  v.type = WEFT_F64;
  v.of.f64 = 666.6;
  if ((s = define_global(r, "global_f64", v, err)))
    return s;

  weft_table *t;
  if ((s = weft_table_new(r->engine, WEFT_FUNCREF, 10, 20, NULL, &t, err)))
    return s;
  weft_extern ext = {.kind = WEFT_EXTERN_TABLE, .of.table = t};
  if ((s = weft_linker_define(r->linker, "spectest", "table", ext, err)))
    return s;

  weft_memory *m;
  if ((s = weft_memory_new(r->engine, 1, 2, &m, err)))
    return s;
  ext.kind = WEFT_EXTERN_MEMORY;
  ext.of.memory = m;
  return weft_linker_define(r->linker, "spectest", "memory", ext, err);
}

/* ---- named modules --------------------------------------------------------
 */

static struct named_instance *find_named(struct run *r, const char *name) {
  for (size_t i = 0; i < r->named_count; i++)
    if (strcmp(r->named[i].name, name) == 0)
      return &r->named[i];
  return NULL;
}

static void set_named(struct run *r, const char *name, weft_instance *inst) {
  struct named_instance *n = find_named(r, name);
  if (n) {
    n->inst = inst;
    return;
  }
  if (r->named_count == r->named_cap) {
    size_t cap = r->named_cap ? r->named_cap * 2 : 8;
    struct named_instance *p = realloc(r->named, cap * sizeof *p);
    if (!p)
      return;
    r->named = p;
    r->named_cap = cap;
  }
  char *copy = strdup(name);
  if (!copy)
    return;
  r->named[r->named_count].name = copy;
  r->named[r->named_count].inst = inst;
  r->named_count++;
}

/* Instance an action or register refers to; NULL with a reason if none. */
static weft_instance *lookup_instance(struct run *r, const char *name,
                                      char *why, size_t size) {
  if (name) {
    struct named_instance *n = find_named(r, name);
    if (!n) {
      snprintf(why, size, "unknown module %s", name);
      return NULL;
    }
    if (!n->inst)
      snprintf(why, size, "module %s failed to load/instantiate", name);
    return n->inst;
  }
  if (!r->current)
    snprintf(why, size,
             r->have_module ? "the latest module failed to load/instantiate"
                            : "no module defined yet");
  return r->current;
}

/* ---- values -----------------------------------------------------------------
 */

static int parse_type(const char *s, weft_valtype *out) {
  static const struct {
    const char *name;
    weft_valtype type;
  } types[] = {{"i32", WEFT_I32},
               {"i64", WEFT_I64},
               {"f32", WEFT_F32},
               {"f64", WEFT_F64},
               {"v128", WEFT_V128},
               {"funcref", WEFT_FUNCREF},
               {"externref", WEFT_EXTERNREF}};
  for (size_t i = 0; s && i < sizeof types / sizeof types[0]; i++)
    if (strcmp(s, types[i].name) == 0) {
      *out = types[i].type;
      return 0;
    }
  return -1;
}

static const char *type_name(weft_valtype t) {
  switch (t) {
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

static int parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s || *s == '-')
    return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end)
    return -1;
  *out = v;
  return 0;
}

/* The pointer the runner uses for externref N. */
static void *extern_ref(uint64_t n) { return (void *)(uintptr_t)(n + 1); }

/* ---- v128 values ---------------------------------------------------------
** wast2json writes a v128 as {"type": "v128", "lane_type": "i32", "value":
** ["1", "2", "3", "4"]}: one unsigned decimal bit pattern per lane, or
** "nan:canonical" / "nan:arithmetic" in an expected float lane. The bytes in
** weft_slot.v128 are in memory order: lane k of an NxM shape is bytes
** k*M/8.. (little-endian). */

struct lane_shape {
  const char *lane_type; /* "i8" .. "f64", as in the JSON */
  unsigned bits;         /* lane width */
  unsigned count;        /* lanes in 128 bits */
  int is_float;
};

static const struct lane_shape lane_shapes[] = {
    {"i8", 8, 16, 0},  {"i16", 16, 8, 0}, {"i32", 32, 4, 0},
    {"i64", 64, 2, 0}, {"f32", 32, 4, 1}, {"f64", 64, 2, 1}};

/* The i32x4 shape, for v128 values printed without an expected shape. */
static const struct lane_shape *const i32x4_shape = &lane_shapes[2];

static const struct lane_shape *find_lane_shape(const char *lane_type) {
  for (size_t i = 0;
       lane_type && i < sizeof lane_shapes / sizeof lane_shapes[0]; i++)
    if (strcmp(lane_type, lane_shapes[i].lane_type) == 0)
      return &lane_shapes[i];
  return NULL;
}

static uint64_t get_lane(const uint8_t *bytes, const struct lane_shape *shape,
                         unsigned lane) {
  unsigned width = shape->bits / 8;
  uint64_t v = 0;
  for (unsigned b = 0; b < width; b++)
    v |= (uint64_t)bytes[lane * width + b] << (8 * b);
  return v;
}

static void put_lane(uint8_t *bytes, const struct lane_shape *shape,
                     unsigned lane, uint64_t v) {
  unsigned width = shape->bits / 8;
  for (unsigned b = 0; b < width; b++)
    bytes[lane * width + b] = (uint8_t)(v >> (8 * b));
}

/* Reads the lane shape and lane values of a JSON v128. A lane spelled
** "nan:canonical" / "nan:arithmetic" is accepted only when `nans` is not
** NULL and the lanes are floats; it then sets nans[lane] to that string
** (NULL for numeric lanes) and lanes[lane] to 0. */
static int parse_v128_lanes(const struct json_value *jv,
                            const struct lane_shape **out_shape,
                            uint64_t lanes[16], const char *nans[16], char *why,
                            size_t size) {
  const char *lt = json_get_str(jv, "lane_type");
  const struct lane_shape *shape = find_lane_shape(lt);
  const struct json_value *vals = json_get(jv, "value");
  if (!shape) {
    snprintf(why, size, "unknown v128 lane_type %s", lt ? lt : "(none)");
    return -1;
  }
  if (!vals || vals->kind != JSON_ARRAY || vals->count != shape->count) {
    snprintf(why, size, "v128 %sx%u needs an array of %u lane values", lt,
             shape->count, shape->count);
    return -1;
  }
  uint64_t max = shape->bits == 64 ? UINT64_MAX : (1ull << shape->bits) - 1;
  for (unsigned i = 0; i < shape->count; i++) {
    const struct json_value *item = &vals->items[i];
    const char *vs = item->kind == JSON_STRING ? item->str : NULL;
    lanes[i] = 0;
    if (nans)
      nans[i] = NULL;
    if (nans && shape->is_float && vs &&
        (strcmp(vs, "nan:canonical") == 0 ||
         strcmp(vs, "nan:arithmetic") == 0)) {
      nans[i] = vs;
      continue;
    }
    if (parse_u64(vs, &lanes[i]) || lanes[i] > max) {
      snprintf(why, size, "bad v128 %sx%u lane %u value %s", lt, shape->count,
               i, vs ? vs : "(not a string)");
      return -1;
    }
  }
  *out_shape = shape;
  return 0;
}

/* Whether float bits of the given width match "nan:canonical" (exponent
** all ones, payload exactly the quiet bit, either sign) or "nan:arithmetic"
** (exponent all ones, quiet bit set). */
static int nan_matches(const char *kind, uint64_t bits, unsigned width) {
  uint64_t sign = 1ull << (width - 1);
  uint64_t quiet = width == 32 ? 0x7fc00000u : 0x7ff8000000000000u;
  if (strcmp(kind, "nan:canonical") == 0)
    return (bits & ~sign) == quiet;
  return (bits & quiet) == quiet;
}

/* One lane for messages: unsigned decimal for integer lanes, bits in hex
** plus the value for float lanes, or the expected NaN kind. */
static int format_lane(char *buf, size_t size, const struct lane_shape *shape,
                       uint64_t v, const char *nan) {
  if (nan)
    return snprintf(buf, size, "%s", nan);
  if (!shape->is_float)
    return snprintf(buf, size, "%" PRIu64, v);
  if (shape->bits == 32) {
    float f;
    uint32_t b = (uint32_t)v;
    memcpy(&f, &b, sizeof f);
    return snprintf(buf, size, "0x%08" PRIx32 " (%.9g)", b, (double)f);
  }
  double d;
  memcpy(&d, &v, sizeof d);
  return snprintf(buf, size, "0x%016" PRIx64 " (%.17g)", v, d);
}

/* "v128:i32x4 [1, 2, 3, 4]" for messages. `nans` may be NULL. */
static const char *format_v128(const struct lane_shape *shape,
                               const uint64_t lanes[16],
                               const char *const nans[16], char *buf,
                               size_t size) {
  int n = snprintf(buf, size, "v128:%sx%u [", shape->lane_type, shape->count);
  for (unsigned i = 0; i < shape->count && n > 0 && (size_t)n < size; i++) {
    if (i)
      n += snprintf(buf + n, size - (size_t)n, ", ");
    if ((size_t)n < size)
      n += format_lane(buf + n, size - (size_t)n, shape, lanes[i],
                       nans ? nans[i] : NULL);
  }
  if (n > 0 && (size_t)n < size)
    snprintf(buf + n, size - (size_t)n, "]");
  return buf;
}

/* Checks a v128 result against the expected JSON v128, lane by lane in the
** expected lane type. Returns 0 when every lane matches. */
static int check_v128(const struct json_value *exp, const weft_val *got,
                      char *why, size_t size) {
  const struct lane_shape *shape;
  uint64_t want[16], have[16];
  const char *nans[16];
  char wbuf[256], gbuf[256];
  int bad = -1;
  if (parse_v128_lanes(exp, &shape, want, nans, why, size))
    return -1;
  for (unsigned i = 0; i < shape->count; i++) {
    have[i] = get_lane(got->of.v128, shape, i);
    int ok = nans[i] ? nan_matches(nans[i], have[i], shape->bits)
                     : have[i] == want[i];
    if (!ok && bad < 0)
      bad = (int)i;
  }
  if (bad < 0)
    return 0;
  snprintf(why, size, "expected %s, got %s (lane %d differs)",
           format_v128(shape, want, nans, wbuf, sizeof wbuf),
           format_v128(shape, have, NULL, gbuf, sizeof gbuf), bad);
  return -1;
}

/* Converts a JSON argument {"type","value"} to a weft_val. */
static int parse_arg(const struct json_value *jv, weft_val *out, char *why,
                     size_t size) {
  const char *ts = json_get_str(jv, "type");
  const char *vs = json_get_str(jv, "value");
  uint64_t bits = 0;
  memset(out, 0, sizeof *out);
  if (parse_type(ts, &out->type)) {
    snprintf(why, size, "unknown argument type %s", ts ? ts : "(none)");
    return -1;
  }
  if (out->type == WEFT_V128) {
    const struct lane_shape *shape;
    uint64_t lanes[16];
    if (parse_v128_lanes(jv, &shape, lanes, NULL, why, size))
      return -1;
    for (unsigned i = 0; i < shape->count; i++)
      put_lane(out->of.v128, shape, i, lanes[i]);
    return 0;
  }
  if (out->type == WEFT_FUNCREF || out->type == WEFT_EXTERNREF) {
    if (vs && strcmp(vs, "null") == 0)
      return 0;
    if (out->type == WEFT_EXTERNREF && parse_u64(vs, &bits) == 0) {
      out->of.ref = extern_ref(bits);
      return 0;
    }
    snprintf(why, size, "cannot pass %s argument %s", ts, vs ? vs : "(none)");
    return -1;
  }
  if (parse_u64(vs, &bits)) {
    snprintf(why, size, "bad %s argument value %s", ts, vs ? vs : "(none)");
    return -1;
  }
  switch (out->type) {
  case WEFT_I32:
  case WEFT_F32: out->of.u32 = (uint32_t)bits; break;
  default: out->of.u64 = bits; break;
  }
  return 0;
}

/* Human-readable "type:value" for messages. */
static const char *format_val(weft_valtype type, const weft_val *v, char *buf,
                              size_t size) {
  switch (type) {
  case WEFT_I32:
    snprintf(buf, size, "i32:%" PRIu32 " (0x%08" PRIx32 ")", v->of.u32,
             v->of.u32);
    break;
  case WEFT_I64:
    snprintf(buf, size, "i64:%" PRIu64 " (0x%016" PRIx64 ")", v->of.u64,
             v->of.u64);
    break;
  case WEFT_F32: {
    float f;
    uint32_t b = v->of.u32;
    memcpy(&f, &b, sizeof f);
    snprintf(buf, size, "f32:0x%08" PRIx32 " (%.9g)", b, (double)f);
    break;
  }
  case WEFT_F64: {
    double d;
    uint64_t b = v->of.u64;
    memcpy(&d, &b, sizeof d);
    snprintf(buf, size, "f64:0x%016" PRIx64 " (%.17g)", b, d);
    break;
  }
  case WEFT_FUNCREF:
  case WEFT_EXTERNREF:
    if (!v->of.ref)
      snprintf(buf, size, "%s:null", type_name(type));
    else if (type == WEFT_EXTERNREF)
      snprintf(buf, size, "externref:%p (ref %" PRIuPTR ")", v->of.ref,
               (uintptr_t)v->of.ref - 1);
    else
      snprintf(buf, size, "funcref:%p", v->of.ref);
    break;
  case WEFT_V128: {
    uint64_t lanes[16];
    for (unsigned i = 0; i < i32x4_shape->count; i++)
      lanes[i] = get_lane(v->of.v128, i32x4_shape, i);
    format_v128(i32x4_shape, lanes, NULL, buf, size);
    break;
  }
  default: snprintf(buf, size, "%s:?", type_name(type)); break;
  }
  return buf;
}

/* Checks one result (declared type `type`) against {"type","value"}.
** Returns 0 when it matches; otherwise fills why. */
static int check_result(const struct json_value *exp, weft_valtype type,
                        const weft_val *got, char *why, size_t size) {
  const char *ts = json_get_str(exp, "type");
  const char *vs = json_get_str(exp, "value");
  weft_valtype want;
  char gbuf[96];
  if (parse_type(ts, &want)) {
    snprintf(why, size, "unknown expected type %s", ts ? ts : "(none)");
    return -1;
  }
  if (want != type) {
    snprintf(why, size, "expected a %s result, function returns %s", ts,
             type_name(type));
    return -1;
  }
  if (type == WEFT_V128)
    return check_v128(exp, got, why, size);
  format_val(type, got, gbuf, sizeof gbuf);
  if (!vs) {
    snprintf(why, size, "expected %s without a value in the JSON", ts);
    return -1;
  }
  uint64_t bits = 0;
  int ok;
  if (type == WEFT_F32 && strncmp(vs, "nan:", 4) == 0) {
    ok = nan_matches(vs, got->of.u32, 32);
  } else if (type == WEFT_F64 && strncmp(vs, "nan:", 4) == 0) {
    ok = nan_matches(vs, got->of.u64, 64);
  } else if (type == WEFT_FUNCREF || type == WEFT_EXTERNREF) {
    if (strcmp(vs, "null") == 0)
      ok = got->of.ref == NULL;
    else if (type == WEFT_FUNCREF)
      ok = got->of.ref != NULL;
    else if (parse_u64(vs, &bits) == 0)
      ok = got->of.ref == extern_ref(bits);
    else {
      snprintf(why, size, "bad expected externref %s", vs);
      return -1;
    }
  } else if (parse_u64(vs, &bits)) {
    snprintf(why, size, "bad expected %s value %s", ts, vs);
    return -1;
  } else if (type == WEFT_I32 || type == WEFT_F32) {
    ok = got->of.u32 == (uint32_t)bits;
  } else {
    ok = got->of.u64 == bits;
  }
  if (ok)
    return 0;
  if (parse_u64(vs, &bits) == 0 && type != WEFT_FUNCREF &&
      type != WEFT_EXTERNREF) {
    weft_val want_val;
    char wbuf[96];
    memset(&want_val, 0, sizeof want_val);
    if (type == WEFT_I32 || type == WEFT_F32)
      want_val.of.u32 = (uint32_t)bits;
    else
      want_val.of.u64 = bits;
    snprintf(why, size, "expected %s, got %s",
             format_val(type, &want_val, wbuf, sizeof wbuf), gbuf);
  } else {
    snprintf(why, size, "expected %s:%s, got %s", ts, vs, gbuf);
  }
  return -1;
}

/* ---- actions ----------------------------------------------------------------
 */

struct action_result {
  int setup_failed;   /* the runner could not perform the action */
  char why[300];      /* reason when setup_failed */
  weft_status status; /* library status when performed */
  weft_error err;
  weft_val *vals;            /* results (malloc'd) */
  const weft_valtype *types; /* declared result types */
  weft_valtype get_type;     /* storage for a global's type */
  uint32_t count;
};

static void action_result_free(struct action_result *res) {
  free(res->vals);
  res->vals = NULL;
}

static void perform_action(struct run *r, const struct json_value *action,
                           struct action_result *res) {
  memset(res, 0, sizeof *res);
  clear_error(&res->err);
  if (r->broken[0]) {
    res->setup_failed = 1;
    snprintf(res->why, sizeof res->why, "%s", r->broken);
    return;
  }
  const char *type = json_get_str(action, "type");
  const struct json_value *fieldv = json_get(action, "field");
  const char *field = fieldv && fieldv->kind == JSON_STRING ? fieldv->str : "";
  weft_instance *inst = lookup_instance(r, json_get_str(action, "module"),
                                        res->why, sizeof res->why);
  if (!inst) {
    res->setup_failed = 1;
    return;
  }
  size_t field_len =
      fieldv && fieldv->kind == JSON_STRING ? fieldv->str_len : 0;
  weft_extern ext;
  weft_status s = weft_instance_export_n(inst, field, field_len, &ext);
  if (s != WEFT_OK) {
    res->setup_failed = 1;
    snprintf(res->why, sizeof res->why, "export not found (%s)",
             status_name(s));
    return;
  }
  if (type && strcmp(type, "get") == 0) {
    if (ext.kind != WEFT_EXTERN_GLOBAL) {
      res->setup_failed = 1;
      snprintf(res->why, sizeof res->why, "export is not a global");
      return;
    }
    res->vals = calloc(1, sizeof *res->vals);
    if (!res->vals) {
      res->setup_failed = 1;
      snprintf(res->why, sizeof res->why, "out of memory");
      return;
    }
    res->vals[0] = weft_global_get(ext.of.global);
    res->get_type = res->vals[0].type;
    res->types = &res->get_type;
    res->count = 1;
    res->status = WEFT_OK;
    return;
  }
  if (!type || strcmp(type, "invoke") != 0) {
    res->setup_failed = 1;
    snprintf(res->why, sizeof res->why, "unknown action type %s",
             type ? type : "(none)");
    return;
  }
  if (ext.kind != WEFT_EXTERN_FUNC) {
    res->setup_failed = 1;
    snprintf(res->why, sizeof res->why, "export is not a function");
    return;
  }
  const struct json_value *args = json_get(action, "args");
  size_t nargs = args && args->kind == JSON_ARRAY ? args->count : 0;
  weft_val *argv = calloc(nargs ? nargs : 1, sizeof *argv);
  const weft_valtype *params, *results;
  uint32_t nparams, nresults;
  weft_func_type(ext.of.func, &params, &nparams, &results, &nresults);
  res->vals = calloc(nresults ? nresults : 1, sizeof *res->vals);
  if (!argv || !res->vals) {
    free(argv);
    res->setup_failed = 1;
    snprintf(res->why, sizeof res->why, "out of memory");
    return;
  }
  for (size_t i = 0; i < nargs; i++)
    if (parse_arg(&args->items[i], &argv[i], res->why, sizeof res->why)) {
      free(argv);
      res->setup_failed = 1;
      return;
    }
  res->types = results;
  res->count = nresults;
  res->status = weft_func_call(r->engine, ext.of.func, argv, (uint32_t)nargs,
                               res->vals, nresults, &res->err);
  free(argv);
}

/* ---- commands
 * ----------------------------------------------------------------- */

/* Loads filename (relative to the json) into *out_module. */
/* *out_runner_error is set when the runner itself failed (no engine,
** unreadable file); the status is then WEFT_ERR_ARG. */
/* Compile a loaded module to a shared object and attach it, so everything
** after this runs generated code. A compile failure is a failure of the
** command (reported with the library's message). */
/* The runner's AoT options, for aot_cache.c. */
static struct aot_cache_opts aot_opts(void) {
  struct aot_cache_opts o = {opt_cache, opt_cc, opt_aot == 2, opt_fuel};
  return o;
}

static weft_status compile_aot(struct run *r, weft_module *mod,
                               const char *module_path, weft_error *err) {
  char so[1024];
  int temp;
  struct aot_cache_opts o = aot_opts();
  if (aot_cache_attach_batch(&o, &r->aot_batch, &r->aot_batch_tried, mod,
                             module_path, err) == WEFT_OK)
    return WEFT_OK;
  clear_error(err);
  weft_status s =
      aot_cache_object(&o, mod, module_path, so, sizeof so, &temp, err);
  void *h = NULL;
  if (s == WEFT_OK)
    s = weft_aot_load_so(mod, so, &h, err);
  if (temp)
    unlink(so);
  if (s != WEFT_OK) {
    weft_module_free(mod);
    return s;
  }
  if (r->aot_count == r->aot_cap) {
    size_t ncap = r->aot_cap ? r->aot_cap * 2 : 16;
    void **p = realloc(r->aot_handles, ncap * sizeof *p);
    if (!p) {
      weft_aot_unload(h);
      weft_module_free(mod);
      return WEFT_ERR_NOMEM;
    }
    r->aot_handles = p;
    r->aot_cap = ncap;
  }
  r->aot_handles[r->aot_count++] = h;
  return WEFT_OK;
}

static weft_status load_module(struct run *r, const char *filename,
                               weft_module **out_module, weft_error *err,
                               int *out_runner_error) {
  *out_module = NULL;
  *out_runner_error = 1;
  clear_error(err);
  if (r->broken[0]) {
    snprintf(err->message, sizeof err->message, "%.200s", r->broken);
    return WEFT_ERR_ARG;
  }
  if (!filename) {
    snprintf(err->message, sizeof err->message, "command has no filename");
    return WEFT_ERR_ARG;
  }
  char *path = path_join(r->dir, filename);
  size_t len = 0;
  char *bytes = path ? spec_read_file(path, &len) : NULL;
  if (!bytes) {
    snprintf(err->message, sizeof err->message, "cannot read %s",
             path ? path : filename);
    free(path);
    return WEFT_ERR_ARG;
  }
  free(path);
  *out_runner_error = 0;
  weft_status s =
      weft_module_load(r->engine, (const uint8_t *)bytes, len, out_module, err);
  free(bytes);
  if (s == WEFT_OK && opt_aot)
    s = compile_aot(r, *out_module, filename, err);
  return s;
}

static void cmd_module(struct run *r, const struct json_value *cmd) {
  const char *name = json_get_str(cmd, "name");
  weft_module *mod;
  weft_error err;
  int runner_error;
  char ebuf[400];
  weft_instance *inst = NULL;
  r->st.total[CAT_MODULE]++;
  r->have_module = 1;
  weft_status s =
      load_module(r, json_get_str(cmd, "filename"), &mod, &err, &runner_error);
  if (s != WEFT_OK) {
    report_fail(r, "module failed to load: %s",
                error_text(s, &err, ebuf, sizeof ebuf));
  } else {
    clear_error(&err);
    s = weft_instantiate(r->linker, mod, &inst, &err);
    if (s != WEFT_OK) {
      inst = NULL;
      report_fail(r, "module failed to instantiate: %s",
                  error_text(s, &err, ebuf, sizeof ebuf));
    }
    weft_module_free(mod);
  }
  if (inst)
    r->st.pass[CAT_MODULE]++;
  r->current = inst;
  if (name)
    set_named(r, name, inst);
}

static void cmd_register(struct run *r, const struct json_value *cmd) {
  const char *as = json_get_str(cmd, "as");
  char why[300];
  r->st.total[CAT_REGISTER]++;
  if (r->broken[0]) {
    report_fail(r, "%s", r->broken);
    return;
  }
  weft_instance *inst =
      lookup_instance(r, json_get_str(cmd, "name"), why, sizeof why);
  if (!inst) {
    report_fail(r, "cannot register as \"%s\": %s", as ? as : "", why);
    return;
  }
  weft_error err;
  char ebuf[400];
  clear_error(&err);
  weft_status s =
      weft_linker_define_instance(r->linker, as ? as : "", inst, &err);
  if (s != WEFT_OK) {
    report_fail(r, "weft_linker_define_instance failed: %s",
                error_text(s, &err, ebuf, sizeof ebuf));
    return;
  }
  r->st.pass[CAT_REGISTER]++;
}

static void describe_results(const struct action_result *res, char *buf,
                             size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  for (uint32_t i = 0; i < res->count && n + 2 < size; i++) {
    char v[96];
    n +=
        (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
                         format_val(res->types[i], &res->vals[i], v, sizeof v));
  }
  if (!res->count)
    snprintf(buf, size, "no results");
}

static void cmd_action(struct run *r, const struct json_value *cmd) {
  struct action_result res;
  char ebuf[400];
  r->st.total[CAT_ACTION]++;
  perform_action(r, json_get(cmd, "action"), &res);
  if (res.setup_failed)
    report_fail(r, "%s", res.why);
  else if (res.status != WEFT_OK)
    report_fail(r, "action failed: %s",
                error_text(res.status, &res.err, ebuf, sizeof ebuf));
  else
    r->st.pass[CAT_ACTION]++;
  action_result_free(&res);
}

static void cmd_assert_return(struct run *r, const struct json_value *cmd) {
  struct action_result res;
  char ebuf[400];
  r->st.total[CAT_RETURN]++;
  perform_action(r, json_get(cmd, "action"), &res);
  if (res.setup_failed) {
    report_fail(r, "%s", res.why);
    goto done;
  }
  if (res.status != WEFT_OK) {
    report_fail(r, "expected a return, got %s",
                error_text(res.status, &res.err, ebuf, sizeof ebuf));
    goto done;
  }
  const struct json_value *exp = json_get(cmd, "expected");
  size_t nexp = exp && exp->kind == JSON_ARRAY ? exp->count : 0;
  if (nexp != res.count) {
    report_fail(r, "expected %zu results, function returns %" PRIu32, nexp,
                res.count);
    goto done;
  }
  for (uint32_t i = 0; i < res.count; i++) {
    char why[512];
    if (res.vals[i].type != res.types[i])
      note(r, "result %" PRIu32 " has type tag %s, declared %s", i,
           type_name(res.vals[i].type), type_name(res.types[i]));
    if (check_result(&exp->items[i], res.types[i], &res.vals[i], why,
                     sizeof why)) {
      if (res.count > 1)
        report_fail(r, "result %" PRIu32 ": %s", i, why);
      else
        report_fail(r, "%s", why);
      goto done;
    }
  }
  r->st.pass[CAT_RETURN]++;
done:
  action_result_free(&res);
}

/* assert_trap and assert_exhaustion: the action must fail with a trap. */
static void cmd_assert_trap(struct run *r, const struct json_value *cmd,
                            enum category cat) {
  struct action_result res;
  char ebuf[400], rbuf[300];
  const char *text = json_get_str(cmd, "text");
  if (!text)
    text = "";
  r->st.total[cat]++;
  perform_action(r, json_get(cmd, "action"), &res);
  if (res.setup_failed) {
    report_fail(r, "%s", res.why);
  } else if (res.status == WEFT_OK) {
    describe_results(&res, rbuf, sizeof rbuf);
    report_fail(r, "expected trap \"%s\", got a return: %s", text, rbuf);
  } else if (res.status != WEFT_ERR_TRAP) {
    report_fail(r, "expected trap \"%s\", got %s", text,
                error_text(res.status, &res.err, ebuf, sizeof ebuf));
  } else {
    r->st.pass[cat]++;
    if (!strstr(res.err.message, text))
      note(r, "trap message \"%s\" does not contain \"%s\"", res.err.message,
           text);
  }
  action_result_free(&res);
}

/* assert_invalid / assert_malformed: the module must not load. */
static void cmd_assert_rejected(struct run *r, const struct json_value *cmd,
                                enum category cat, weft_status want) {
  weft_module *mod;
  weft_error err;
  int runner_error;
  char ebuf[400];
  const char *text = json_get_str(cmd, "text");
  r->st.total[cat]++;
  if (r->broken[0]) {
    report_fail(r, "%s", r->broken);
    return;
  }
  weft_status s =
      load_module(r, json_get_str(cmd, "filename"), &mod, &err, &runner_error);
  if (s == WEFT_OK) {
    weft_module_free(mod);
    report_fail(r, "module loaded, expected %s (\"%s\")", status_name(want),
                text ? text : "");
    return;
  }
  if (runner_error) {
    report_fail(r, "%s", err.message);
    return;
  }
  r->st.pass[cat]++;
  if (s != want)
    note(r, "rejected with %s, expected %s (\"%s\")",
         error_text(s, &err, ebuf, sizeof ebuf), status_name(want),
         text ? text : "");
  else if (text && !strstr(err.message, text))
    note(r, "message \"%s\" does not contain \"%s\"", err.message, text);
}

/* assert_unlinkable / assert_uninstantiable: load OK, instantiate fails. */
static void cmd_assert_instantiate_fails(struct run *r,
                                         const struct json_value *cmd,
                                         enum category cat) {
  weft_module *mod;
  weft_error err;
  int runner_error;
  char ebuf[400];
  const char *text = json_get_str(cmd, "text");
  weft_status want = cat == CAT_UNLINKABLE ? WEFT_ERR_LINK : WEFT_ERR_TRAP;
  if (!text)
    text = "";
  r->st.total[cat]++;
  weft_status s =
      load_module(r, json_get_str(cmd, "filename"), &mod, &err, &runner_error);
  if (s != WEFT_OK) {
    if (cat == CAT_UNLINKABLE && !runner_error) {
      r->st.pass[cat]++;
      note(r, "rejected at load with %s, expected %s at instantiation",
           error_text(s, &err, ebuf, sizeof ebuf), status_name(want));
    } else {
      report_fail(r, "module failed to load: %s",
                  error_text(s, &err, ebuf, sizeof ebuf));
    }
    return;
  }
  weft_instance *inst = NULL;
  clear_error(&err);
  s = weft_instantiate(r->linker, mod, &inst, &err);
  weft_module_free(mod);
  if (s == WEFT_OK) {
    report_fail(r, "module instantiated, expected %s (\"%s\")",
                status_name(want), text);
  } else if (s == want) {
    r->st.pass[cat]++;
    if (!strstr(err.message, text))
      note(r, "message \"%s\" does not contain \"%s\"", err.message, text);
  } else if (cat == CAT_UNLINKABLE) {
    r->st.pass[cat]++;
    note(r, "instantiation failed with %s, expected %s (\"%s\")",
         error_text(s, &err, ebuf, sizeof ebuf), status_name(want), text);
  } else {
    report_fail(r, "expected %s (\"%s\"), got %s", status_name(want), text,
                error_text(s, &err, ebuf, sizeof ebuf));
  }
}

/* Classifies a command; returns -1 for commands that are not counted
** (text-form assert_malformed) and -2 for unknown commands. */
static int classify(const struct json_value *cmd, struct stats *st) {
  const char *type = json_get_str(cmd, "type");
  const char *mt = json_get_str(cmd, "module_type");
  static const struct {
    const char *name;
    enum category cat;
  } map[] = {{"module", CAT_MODULE},
             {"register", CAT_REGISTER},
             {"action", CAT_ACTION},
             {"assert_return", CAT_RETURN},
             {"assert_trap", CAT_TRAP},
             {"assert_exhaustion", CAT_EXHAUSTION},
             {"assert_invalid", CAT_INVALID},
             {"assert_malformed", CAT_MALFORMED},
             {"assert_unlinkable", CAT_UNLINKABLE},
             {"assert_uninstantiable", CAT_UNINSTANTIABLE}};
  if (!type)
    return -2;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    if (strcmp(type, map[i].name) != 0)
      continue;
    if (mt && strcmp(mt, "binary") != 0) {
      if (map[i].cat == CAT_MALFORMED)
        st->text_malformed++;
      return -1;
    }
    return (int)map[i].cat;
  }
  return -2;
}

static void run_command(struct run *r, const struct json_value *cmd) {
  r->line = json_get_int(cmd, "line", 0);
  r->cmd = json_get_str(cmd, "type");
  if (!r->cmd)
    r->cmd = "(no type)";
  const struct json_value *fv = json_get(json_get(cmd, "action"), "field");
  r->field = fv && fv->kind == JSON_STRING ? fv->str : NULL;
  r->field_len = r->field ? fv->str_len : 0;
  int cat = classify(cmd, &r->st);
  if (opt_count_only) {
    if (cat >= 0)
      r->st.total[cat]++;
    else if (cat == -2)
      r->st.unknown++;
    return;
  }
  switch (cat) {
  case -1: return;
  case CAT_MODULE: cmd_module(r, cmd); return;
  case CAT_REGISTER: cmd_register(r, cmd); return;
  case CAT_ACTION: cmd_action(r, cmd); return;
  case CAT_RETURN: cmd_assert_return(r, cmd); return;
  case CAT_TRAP: cmd_assert_trap(r, cmd, CAT_TRAP); return;
  case CAT_EXHAUSTION: cmd_assert_trap(r, cmd, CAT_EXHAUSTION); return;
  case CAT_INVALID:
    cmd_assert_rejected(r, cmd, CAT_INVALID, WEFT_ERR_INVALID);
    return;
  case CAT_MALFORMED:
    cmd_assert_rejected(r, cmd, CAT_MALFORMED, WEFT_ERR_MALFORMED);
    return;
  case CAT_UNLINKABLE:
  case CAT_UNINSTANTIABLE:
    cmd_assert_instantiate_fails(r, cmd, (enum category)cat);
    return;
  default:
    r->st.unknown++;
    report_fail(r, "unknown command type");
    return;
  }
}

/* ---- per-file driver ------------------------------------------------------
 */

static void print_counts(const struct stats *st) {
  printf("(");
  for (int c = 0; c < CAT_COUNT; c++) {
    if (c)
      printf(", ");
    if (opt_count_only)
      printf("%s %lu", category_names[c], st->total[c]);
    else
      printf("%s %lu/%lu", category_names[c], st->pass[c], st->total[c]);
  }
  if (st->unknown)
    printf(", unknown %lu", st->unknown);
  printf(")");
}

static unsigned long assertion_total(const struct stats *st) {
  unsigned long n = 0;
  for (int c = 0; c < CAT_COUNT; c++)
    if (is_assertion((enum category)c))
      n += st->total[c];
  return n;
}

static void setup_engine(struct run *r) {
  weft_config config;
  weft_error err;
  char ebuf[400];
  clear_error(&err);
  weft_config_default(&config);
  config.fuel_metering = opt_fuel;
  /* wast2json reads only the 2.0 suite, which asserts 2.0's rules where
  ** 3.0 changed them (constant expressions, multi-memory, memory64) */
  config.wasm_2_0 = 1;
  weft_status s = weft_engine_new(&config, &r->engine, &err);
  if (s == WEFT_OK && opt_fuel)
    weft_engine_set_fuel(r->engine, UINT64_MAX);
  if (s != WEFT_OK) {
    r->engine = NULL;
    snprintf(r->broken, sizeof r->broken, "weft_engine_new failed: %s",
             error_text(s, &err, ebuf, sizeof ebuf));
    return;
  }
  s = weft_linker_new(r->engine, &r->linker, &err);
  if (s != WEFT_OK) {
    r->linker = NULL;
    snprintf(r->broken, sizeof r->broken, "weft_linker_new failed: %s",
             error_text(s, &err, ebuf, sizeof ebuf));
    return;
  }
  s = define_spectest(r, &err);
  if (s != WEFT_OK)
    snprintf(r->broken, sizeof r->broken,
             "defining the spectest module failed: %s",
             error_text(s, &err, ebuf, sizeof ebuf));
}

/* Runs one .json file and adds its counts to *total. Returns 0 when every
** counted command passed. */
static int run_file(const char *json_path, struct stats *total) {
  struct run r;
  memset(&r, 0, sizeof r);
  r.json_path = json_path;

  const char *base = strrchr(json_path, '/');
  base = base ? base + 1 : json_path;
  snprintf(r.wast_name, sizeof r.wast_name, "%s", base);
  char *dot = strrchr(r.wast_name, '.');
  if (dot && strcmp(dot, ".json") == 0)
    *dot = '\0';
  strncat(r.wast_name, ".wast", sizeof r.wast_name - strlen(r.wast_name) - 1);

  r.dir = strdup(json_path);
  if (!r.dir)
    return 1;
  char *slash = strrchr(r.dir, '/');
  if (slash)
    *slash = '\0';
  else
    strcpy(r.dir, ".");

  size_t len = 0;
  char *text = spec_read_file(json_path, &len);
  if (!text) {
    printf("%s: 0 passed, 1 failed (cannot read %s: %s)\n", r.wast_name,
           json_path, strerror(errno));
    fflush(stdout);
    total->unknown++;
    free(r.dir);
    return 1;
  }
  struct json_value doc;
  char perr[300];
  if (json_parse(text, len, &doc, perr, sizeof perr)) {
    free(text);
    printf("%s: 0 passed, 1 failed (%s: %s)\n", r.wast_name, json_path, perr);
    fflush(stdout);
    total->unknown++;
    free(r.dir);
    return 1;
  }
  free(text);
  const struct json_value *cmds = json_get(&doc, "commands");
  if (!cmds || cmds->kind != JSON_ARRAY) {
    printf("%s: 0 passed, 1 failed (%s: no \"commands\" array)\n", r.wast_name,
           json_path);
    fflush(stdout);
    json_free(&doc);
    total->unknown++;
    free(r.dir);
    return 1;
  }

  if (!opt_count_only)
    setup_engine(&r);
  if (r.broken[0])
    printf("  FAIL %s: %s\n", r.wast_name, r.broken);
  for (size_t i = 0; i < cmds->count; i++)
    run_command(&r, &cmds->items[i]);

  if (opt_count_only) {
    printf("%s: %lu assertions, %lu counted ", r.wast_name,
           assertion_total(&r.st), stats_counted(&r.st));
    print_counts(&r.st);
    printf(", text malformed skipped %lu\n", r.st.text_malformed);
  } else {
    if (r.failures > opt_max_fail)
      printf("  ... %lu more\n", r.failures - opt_max_fail);
    printf("%s: %lu passed, %lu failed ", r.wast_name, stats_passed(&r.st),
           stats_failed(&r.st));
    print_counts(&r.st);
    printf("\n");
  }
  fflush(stdout);

  if (r.linker)
    weft_linker_free(r.linker);
  if (r.engine)
    weft_engine_free(r.engine);
  for (size_t i = 0; i < r.aot_count; i++)
    weft_aot_unload(r.aot_handles[i]);
  weft_aot_unload(r.aot_batch);
  free(r.aot_handles);
  for (size_t i = 0; i < r.named_count; i++)
    free(r.named[i].name);
  free(r.named);
  free(r.dir);
  json_free(&doc);

  stats_add(total, &r.st);
  return stats_failed(&r.st) ? 1 : 0;
}

static void usage(FILE *out) {
  fprintf(
      out,
      "usage: spec_runner [-v] [--count-only] [--max-fail N] file.json...\n"
      "  -v            print notes (status/message mismatches that pass)\n"
      "  --count-only  parse and count commands per category; run nothing\n"
      "  --max-fail N  failure lines printed per file (default 20)\n"
      "  --aot         compile every module to C and run that (guard "
      "pages)\n"
      "  --aot-explicit  the same with explicit bounds checks\n"
      "  --fuel        meter fuel (code with fuel checks, never running "
      "out)\n"
      "  --cc CMD      C compiler for --aot (default cc)\n"
      "  --aot-cache DIR  keep compiled modules in DIR, named after their "
      "file\n"
      "  --prebuild    with --aot-cache: the arguments are .wasm files;\n"
      "                compile each valid one into the cache, run nothing\n");
}

int main(int argc, char **argv) {
  int nfiles = 0, status = 0;
  struct stats total;
  memset(&total, 0, sizeof total);
  setvbuf(stdout, NULL, _IOLBF, 0); /* keep output if the library crashes */
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
      opt_verbose = 1;
    } else if (strcmp(argv[i], "--count-only") == 0) {
      opt_count_only = 1;
    } else if (strcmp(argv[i], "--aot") == 0) {
      opt_aot = 1;
    } else if (strcmp(argv[i], "--aot-explicit") == 0) {
      opt_aot = 2;
    } else if (strcmp(argv[i], "--fuel") == 0) {
      opt_fuel = 1;
    } else if (strcmp(argv[i], "--cc") == 0 && i + 1 < argc) {
      opt_cc = argv[++i];
    } else if (strcmp(argv[i], "--aot-cache") == 0 && i + 1 < argc) {
      opt_cache = argv[++i];
    } else if (strcmp(argv[i], "--prebuild") == 0) {
      opt_prebuild = 1;
    } else if (strcmp(argv[i], "--max-fail") == 0 && i + 1 < argc) {
      opt_max_fail = strtoul(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (argv[i][0] == '-') {
      usage(stderr);
      return 2;
    }
  }
  char **files = calloc((size_t)argc, sizeof *files);
  if (files == NULL)
    return 2;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--max-fail") == 0 || strcmp(argv[i], "--cc") == 0 ||
        strcmp(argv[i], "--aot-cache") == 0) {
      i++;
      continue;
    }
    if (argv[i][0] != '-')
      files[nfiles++] = argv[i];
  }
  if (opt_prebuild) {
    struct aot_cache_opts o = aot_opts();
    status = opt_aot && opt_cache && nfiles
                 ? aot_cache_prebuild(&o, files, nfiles)
                 : 2;
    if (status == 2)
      usage(stderr);
    free(files);
    return status;
  }
  for (int i = 0; i < nfiles; i++)
    if (run_file(files[i], &total))
      status = 1;
  free(files);
  if (nfiles == 0) {
    usage(stderr);
    return 2;
  }
  if (opt_count_only) {
    if (nfiles > 1) {
      printf("total: %lu assertions, %lu counted ", assertion_total(&total),
             stats_counted(&total));
      print_counts(&total);
      printf(", text malformed skipped %lu\n", total.text_malformed);
    }
    return total.unknown ? 1 : 0;
  }
  if (nfiles > 1) {
    printf("total ");
    print_counts(&total);
    printf("\n%lu passed, %lu failed\n", stats_passed(&total),
           stats_failed(&total));
  }
  return status;
}
