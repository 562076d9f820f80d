/*
** test_wat.c — the text format (include/weft_text.h) against hostile
** input: deep nesting, huge numbers, every truncation of some modules,
** invalid UTF-8, unterminated strings and comments, a million tokens, every
** allocation failing in turn; plus exact encodings, number rounding and
** line:column positions.
*/
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "weft.h"
#include "weft_text.h"

static weft_status encode(const char *text, size_t len, uint8_t **out,
                          size_t *out_len, weft_error *err) {
  memset(err, 0, sizeof *err);
  return weft_wat_to_wasm(text, len, out, out_len, err);
}

/* Encodes text; returns the status, freeing the output. */
static weft_status status_of(const char *text, weft_error *err) {
  uint8_t *out;
  size_t n;
  weft_status s = encode(text, strlen(text), &out, &n, err);
  if (s == WEFT_OK)
    weft_text_free(out);
  return s;
}

/* Whether a message starts with "LINE:COL: ". */
static int has_position(const char *msg) {
  const char *p = msg;
  if (*p < '1' || *p > '9')
    return 0;
  while (*p >= '0' && *p <= '9')
    p++;
  if (*p++ != ':' || *p < '1' || *p > '9')
    return 0;
  while (*p >= '0' && *p <= '9')
    p++;
  return p[0] == ':' && p[1] == ' ';
}

static void test_empty_module(void) {
  static const uint8_t want[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  uint8_t *out;
  size_t n;
  weft_error err;
  CHECK_EQ_INT(encode("(module)", 8, &out, &n, &err), WEFT_OK);
  CHECK_EQ_INT(n, 8);
  CHECK(memcmp(out, want, 8) == 0);
  weft_text_free(out);
  CHECK_EQ_INT(encode(NULL, 0, &out, &n, &err), WEFT_OK);
  CHECK_EQ_INT(n, 8);
  weft_text_free(out);
}

/* Loads and calls export "f" of a text module with no arguments. */
static int64_t call_f(const char *text, weft_valtype *type) {
  weft_engine *engine;
  weft_module *mod;
  weft_linker *linker;
  weft_instance *inst;
  weft_extern ext;
  weft_error err;
  weft_val result;
  uint8_t *wasm;
  size_t n;
  int64_t v = -999;
  if (encode(text, strlen(text), &wasm, &n, &err) != WEFT_OK) {
    fprintf(stderr, "     encode: %s\n", err.message);
    return v;
  }
  weft_engine_new(NULL, &engine, &err);
  if (weft_module_load(engine, wasm, n, &mod, &err) == WEFT_OK &&
      weft_linker_new(engine, &linker, &err) == WEFT_OK) {
    if (weft_instantiate(linker, mod, &inst, &err) == WEFT_OK &&
        weft_instance_export(inst, "f", &ext) == WEFT_OK &&
        weft_func_call(engine, ext.of.func, NULL, 0, &result, 1, &err) ==
            WEFT_OK) {
      *type = result.type;
      v = result.type == WEFT_I32 ? result.of.i32 : result.of.i64;
    }
    weft_linker_free(linker);
    weft_module_free(mod);
  }
  if (v == -999)
    fprintf(stderr, "     run: %s\n", err.message);
  weft_engine_free(engine);
  weft_text_free(wasm);
  return v;
}

static void test_runs(void) {
  weft_valtype t = WEFT_F32;
  CHECK_EQ_INT(call_f("(module (func (export \"f\") (result i32)"
                      "  (i32.add (i32.const 40) (i32.const 2))))",
                      &t),
               42);
  CHECK_EQ_INT(t, WEFT_I32);
  /* names, labels, locals, plain and folded blocks, implicit types */
  CHECK_EQ_INT(call_f("(module (type $v (func))"
                      " (func $f (export \"f\") (result i32) (local $x i32)"
                      "  block $out loop $l"
                      "   (local.set $x (i32.add (local.get $x) (i32.const 1)))"
                      "   (br_if $l (i32.lt_u (local.get $x) (i32.const 7)))"
                      "  end end"
                      "  (if (result i32) (i32.eqz (local.get $x))"
                      "   (then (i32.const 0)) (else (local.get $x)))))",
                      &t),
               7);
  /* i32 written as a large unsigned number, hex and underscores */
  CHECK_EQ_INT(call_f("(module (func (export \"f\") (result i32)"
                      " i32.const 0xffff_ffff))",
                      &t),
               -1);
  CHECK_EQ_INT(call_f("(func (export \"f\") (result i64)"
                      " i64.const -9_223_372_036_854_775_808)",
                      &t),
               INT64_MIN);
}

/* The f32/f64 constant of `(func (result T) (T.const LIT))` as bits, from
** the encoding (the last 4 or 8 bytes before the body's end). */
static uint64_t float_bits(const char *type, const char *lit, weft_status *s) {
  char text[512];
  uint8_t *out;
  size_t n;
  weft_error err;
  uint64_t bits = 0;
  int width = strcmp(type, "f32") == 0 ? 4 : 8;
  snprintf(text, sizeof text, "(func (result %s) %s.const %s)", type, type,
           lit);
  *s = encode(text, strlen(text), &out, &n, &err);
  if (*s != WEFT_OK)
    return 0;
  for (int k = 0; k < width; k++)
    bits |= (uint64_t)out[n - 1 - width + k] << (8 * k);
  weft_text_free(out);
  return bits;
}

static void test_floats(void) {
  weft_status s;
  CHECK_EQ_U64(float_bits("f32", "0x1p-149", &s), 1);
  CHECK_EQ_U64(float_bits("f32", "1.4e-45", &s), 1);
  CHECK_EQ_U64(float_bits("f32", "0x1.fffffep127", &s), 0x7f7fffff);
  /* halfway between the largest float and 2^128 rounds to infinity */
  float_bits("f32", "0x1.ffffffp127", &s);
  CHECK_EQ_INT(s, WEFT_ERR_MALFORMED);
  CHECK_EQ_U64(float_bits("f32", "0x1.fffffefffffffp127", &s), 0x7f7fffff);
  CHECK_EQ_U64(float_bits("f32", "-nan:0x200000", &s), 0xffa00000);
  CHECK_EQ_U64(float_bits("f32", "inf", &s), 0x7f800000);
  CHECK_EQ_U64(float_bits("f64", "-0", &s), 0x8000000000000000u);
  CHECK_EQ_U64(float_bits("f64", "nan", &s), 0x7ff8000000000000u);
  CHECK_EQ_U64(float_bits("f64", "1_000.000_1", &s),
               0x408f4000346dc5d6u); /* 1000.0001 */
  CHECK_EQ_U64(float_bits("f64", "0x1.fffffffffffffp1023", &s),
               0x7fefffffffffffffu);
  float_bits("f64", "1e309", &s);
  CHECK_EQ_INT(s, WEFT_ERR_MALFORMED);
  float_bits("f64", "nan:0x0", &s);
  CHECK_EQ_INT(s, WEFT_ERR_MALFORMED);
  float_bits("f64", "1._5", &s);
  CHECK_EQ_INT(s, WEFT_ERR_MALFORMED);
  float_bits("f64", "0x", &s);
  CHECK_EQ_INT(s, WEFT_ERR_MALFORMED);
}

static void test_huge_numbers(void) {
  weft_error err;
  CHECK_EQ_INT(status_of("(func i32.const 4294967296 drop)", &err),
               WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "constant out of range");
  CHECK_EQ_INT(status_of("(func i32.const -2147483649 drop)", &err),
               WEFT_ERR_MALFORMED);
  CHECK_EQ_INT(status_of("(func i64.const 18446744073709551616 drop)", &err),
               WEFT_ERR_MALFORMED);
  CHECK_EQ_INT(status_of("(func i64.const 18446744073709551615 drop)", &err),
               WEFT_OK);
  /* a 100,000-digit float and index */
  size_t n = 100000;
  char *text = malloc(n + 64);
  strcpy(text, "(func f64.const 1");
  memset(text + strlen(text), '0', n);
  strcpy(text + 17 + n, " drop)");
  CHECK_EQ_INT(status_of(text, &err), WEFT_ERR_MALFORMED); /* 1e100000 */
  strcpy(text, "(func f64.const 0.");
  memset(text + strlen(text), '0', n);
  strcpy(text + 18 + n, "1 drop)");
  CHECK_EQ_INT(status_of(text, &err), WEFT_OK);
  strcpy(text, "(func local.get ");
  memset(text + strlen(text), '9', n);
  strcpy(text + 16 + n, ")");
  CHECK_EQ_INT(status_of(text, &err), WEFT_ERR_MALFORMED);
  free(text);
}

static void test_positions(void) {
  weft_error err;
  CHECK_EQ_INT(status_of("(module\n  (func bogus))", &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "2:9: unknown operator bogus");
  CHECK_EQ_INT(status_of("(module\n (func $f)\n (func $f))", &err),
               WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "3:8: duplicate func $f");
  /* columns count characters, not bytes */
  CHECK_EQ_INT(status_of("(module (; \xc3\xa9 ;) (func nope))", &err),
               WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "1:23: unknown operator nope");
  CHECK_EQ_INT(status_of("(func (br $nowhere))", &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "unknown label $nowhere");
}

static void test_nesting(void) {
  weft_error err;
  size_t n = 200000;
  char *text = malloc(n * 8 + 64);
  /* parentheses */
  memset(text, '(', n);
  text[n] = '\0';
  CHECK_EQ_INT(status_of(text, &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "nesting deeper than");
  /* folded blocks within the bound are fine, beyond it refused */
  for (int depth = 900; depth <= 1100; depth += 200) {
    size_t k = 0;
    k += (size_t)sprintf(text + k, "(func ");
    for (int i = 0; i < depth; i++)
      k += (size_t)sprintf(text + k, "(block ");
    for (int i = 0; i < depth; i++)
      text[k++] = ')';
    strcpy(text + k, ")");
    CHECK_EQ_INT(status_of(text, &err),
                 depth < WEFT_TEXT_MAX_DEPTH ? WEFT_OK : WEFT_ERR_MALFORMED);
  }
  /* plain blocks do not recurse; their depth is bounded too */
  size_t k = (size_t)sprintf(text, "(func ");
  for (size_t i = 0; i < n; i++)
    k += (size_t)sprintf(text + k, "block ");
  strcpy(text + k, ")");
  CHECK_EQ_INT(status_of(text, &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "nested deeper");
  free(text);
}

static void test_unterminated(void) {
  static const char *const bad[] = {"(module",
                                    "(module))",
                                    "(func (export \"f)",
                                    "(; never closed",
                                    "(; (; ;)",
                                    "(func \"\\u{110000}\")",
                                    "(func \"\\q\")",
                                    "(func \"\\u{d800}\")",
                                    "(func \"\x01\")",
                                    "(module \xff)",
                                    ";; \xc0\x80\n(module)",
                                    "(; \xed\xa0\x80 ;)",
                                    "(func (export \"\\ff\"))",
                                    "(memory (data \"a\"\"b\"))",
                                    "(func i32.const 1x)",
                                    "(module $m $n)",
                                    "(func (param $x i32 i32))",
                                    "(func (result i32) (param i32))",
                                    "[",
                                    "(module) (module)"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    weft_error err;
    weft_status s = status_of(bad[i], &err);
    CHECK_EQ_INT(s, WEFT_ERR_MALFORMED);
    CHECK(has_position(err.message));
  }
}

/* Every prefix of a few modules: an error with a position, or a module. */
static void test_truncations(void) {
  static const char *const mods[] = {
      "(module $m (type $t (func (param i32) (result i32)))\n"
      " (import \"spectest\" \"print_i32\" (func $p (param i32)))\n"
      " (memory (export \"mem\") 1 2) (table 2 funcref)\n"
      " (global $g (mut i64) (i64.const -1))\n"
      " (func $f (type $t) (local f32) local.get 0 call $p i32.const 7)\n"
      " (elem (i32.const 0) $f) (data (i32.const 8) \"hi\\n\\u{263a}\")\n"
      " (start 1) (export \"f\" (func $f)))",
      "(module (func (result v128) (v128.const f32x4 1 -0x1p3 nan inf)\n"
      "  (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
      "   (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))\n"
      "  (i32x4.extract_lane 3) (drop) (v128.load offset=16 align=4 (i32.const "
      "0)))\n"
      " (memory 1) (elem declare func 0) (data \"passive\"))",
      "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")"};
  for (size_t m = 0; m < sizeof mods / sizeof mods[0]; m++) {
    size_t len = strlen(mods[m]);
    unsigned ok = 0, bad = 0, positioned = 0;
    for (size_t cut = 0; cut <= len; cut++) {
      char *copy = malloc(cut ? cut : 1); /* exact size: ASan sees overreads */
      memcpy(copy, mods[m], cut);
      uint8_t *out;
      size_t n;
      weft_error err;
      weft_status s = encode(copy, cut, &out, &n, &err);
      if (s == WEFT_OK) {
        ok++;
        weft_text_free(out);
      } else {
        bad++;
        positioned += s == WEFT_ERR_MALFORMED && has_position(err.message);
      }
      free(copy);
    }
    CHECK(ok >= 2); /* the empty text and the whole module */
    CHECK_EQ_INT(positioned, bad);
  }
}

static void test_million_tokens(void) {
  size_t n = 1000000;
  char *text = malloc(n * 4 + 64);
  size_t k = (size_t)sprintf(text, "(module (func ");
  for (size_t i = 0; i < n; i++) {
    memcpy(text + k, "nop ", 4);
    k += 4;
  }
  strcpy(text + k, "))");
  uint8_t *out;
  size_t len;
  weft_error err;
  CHECK_EQ_INT(encode(text, strlen(text), &out, &len, &err), WEFT_OK);
  if (len > n) {
    CHECK_EQ_INT(out[len - 2], 0x01); /* the last nop, then end */
    weft_text_free(out);
  }
  free(text);
}

static void test_script(void) {
  static const char script[] =
      "(module $m (func (export \"add\") (param i32 i32) (result i32)\n"
      "  local.get 0 local.get 1 i32.add))\n"
      "(register \"m\" $m)\n"
      "(assert_return (invoke $m \"add\" (i32.const 1) (i32.const 2))"
      " (i32.const 3))\n"
      "(assert_return (invoke \"add\" (i32.const 1) (i32.const 2))"
      " (f32.const nan:canonical))\n"
      "(assert_malformed (module quote \"(func i32.const)\") \"unexpected\")\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
      "(assert_exception (invoke \"x\"))\n"
      "(assert_return (invoke \"add\") (either (i32.const 1)))\n"
      "(assert_return (invoke \"add\") (i33.const 1))\n"
      "(invoke \"add\" (i32.const 1) (i32.const 2))\n";
  weft_wast_script *s;
  weft_error err;
  memset(&err, 0, sizeof err);
  CHECK_EQ_INT(weft_wast_parse(script, sizeof script - 1, &s, &err), WEFT_OK);
  if (!s)
    return;
  CHECK_EQ_INT(weft_wast_command_count(s), 10);
  const weft_wast_command *c = weft_wast_command_at(s, 0);
  CHECK_EQ_INT(c->kind, WEFT_WAST_MODULE);
  CHECK_STR_EQ(c->name, "$m");
  CHECK(c->wasm != NULL && c->wasm_len > 8);
  c = weft_wast_command_at(s, 1);
  CHECK_EQ_INT(c->kind, WEFT_WAST_REGISTER);
  CHECK_STR_EQ(c->as, "m");
  c = weft_wast_command_at(s, 2);
  CHECK_EQ_INT(c->action.arg_count, 2);
  CHECK_EQ_INT(c->results[0].bytes[0], 3);
  CHECK_EQ_INT(c->line, 4);
  c = weft_wast_command_at(s, 3);
  CHECK_EQ_INT(c->results[0].match[0], WEFT_WAST_NAN_CANONICAL);
  c = weft_wast_command_at(s, 4);
  CHECK_EQ_INT(c->kind, WEFT_WAST_MALFORMED);
  CHECK(c->wasm == NULL && c->error && has_position(c->error));
  CHECK_EQ_INT(weft_wast_command_at(s, 6)->kind, WEFT_WAST_EXCEPTION);
  c = weft_wast_command_at(s, 7);
  CHECK_EQ_INT(c->results[0].either_count, 1);
  /* a command that cannot be read is an error, and the script goes on */
  c = weft_wast_command_at(s, 8);
  CHECK_EQ_INT(c->kind, WEFT_WAST_ERROR);
  CHECK_CONTAINS(c->error, "10:32: unknown constant i33.const");
  CHECK_EQ_INT(weft_wast_command_at(s, 9)->kind, WEFT_WAST_ACTION);
  weft_wast_free(s);
  /* a script that does not lex is an error with a position */
  CHECK_EQ_INT(weft_wast_parse("(module \"", 9, &s, &err), WEFT_ERR_MALFORMED);
  CHECK(s == NULL && has_position(err.message));
}

static void test_labels(void) {
  weft_valtype t;
  weft_error err;
  /* the inner $l hides the outer one; br $a is reached */
  CHECK_EQ_INT(call_f("(func (export \"f\") (result i32)"
                      " (block $a (result i32)"
                      "  (block $l (block $l (br $l)) (br $a (i32.const 7)))"
                      "  (i32.const 9)))",
                      &t),
               7);
  /* after its end a label is gone, and the one it hid is back */
  CHECK_EQ_INT(call_f("(func (export \"f\") (result i32)"
                      " (block $l (result i32)"
                      "  block $l end"
                      "  (br $l (i32.const 3))))",
                      &t),
               3);
  CHECK_EQ_INT(status_of("(func (block $x) (br $x))", &err),
               WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "unknown label $x");
  CHECK_EQ_INT(status_of("(func block $x end $y)", &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "mismatching label");
  /* 3.0 quoted identifiers name the same thing as plain ones */
  CHECK_EQ_INT(call_f("(func $\"f\\41\" (result i32) (i32.const 5))"
                      " (func (export \"f\") (result i32)"
                      "  (block $\"l\" (result i32) (br $l (call $fA))))",
                      &t),
               5);
  CHECK_EQ_INT(status_of("(func $\"\")", &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "empty identifier");
  CHECK_EQ_INT(status_of("(func $\"\\ff\")", &err), WEFT_ERR_MALFORMED);
  CHECK_EQ_INT(status_of("(func $f) (func $\"f\")", &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "duplicate func");
  /* annotations (3.0) read as whitespace, their content still checked */
  CHECK_EQ_INT(call_f("(module (@a x-y$yz\"aa\"-2 , ; ] [ (@x (y)) (;c;))"
                      " (func (export \"f\") (@b) (result i32)"
                      "  (i32.const 6)))",
                      &t),
               6);
  CHECK_EQ_INT(status_of("(@) (func)", &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "empty annotation id");
  CHECK_EQ_INT(status_of("(@a \xc3\xa9) (func)", &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "illegal character");
  CHECK_EQ_INT(status_of("(@a (b) (func)", &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "1:1: unclosed annotation");
}

/* Large inputs whose cost would be quadratic with linear searches:
** 60,000 nested named blocks branched to 100,000 times, 30,000 distinct
** implicit function types. */
static void test_linear_time(void) {
  size_t cap = 8u << 20, k;
  char *text = malloc(cap);
  weft_error err;
  k = (size_t)sprintf(text, "(func ");
  for (int i = 0; i < 60000; i++)
    k += (size_t)sprintf(text + k, "block $l%d ", i);
  for (int i = 0; i < 100000; i++)
    k += (size_t)sprintf(text + k, "br $l0 ");
  for (int i = 0; i < 60000; i++)
    k += (size_t)sprintf(text + k, "end ");
  strcpy(text + k, ")");
  CHECK_EQ_INT(status_of(text, &err), WEFT_OK);
  static const char *const types[] = {"i32", "i64", "f32", "f64"};
  k = 0;
  for (int i = 0; i < 30000; i++) {
    k += (size_t)sprintf(text + k, "(func (param");
    for (int d = 0, v = i; d < 8; d++, v /= 4)
      k += (size_t)sprintf(text + k, " %s", types[v % 4]);
    k += (size_t)sprintf(text + k, "))\n");
  }
  uint8_t *out;
  size_t n;
  CHECK_EQ_INT(encode(text, k, &out, &n, &err), WEFT_OK);
  if (n > 8) {
    CHECK_EQ_INT(out[8], 1); /* the type section ... */
    weft_text_free(out);
  }
  free(text);
}

/* (module quote ...) inside quoted text, escaped with \5c and \22 so each
** level costs only a few bytes: the nesting is bounded. */
static char *nested_quote(int depth) {
  char *text = strdup("(module)");
  for (int d = 0; d < depth; d++) {
    size_t n = strlen(text);
    char *next = malloc(n * 3 + 32), *p = next;
    p += sprintf(p, "(module quote \"");
    for (size_t i = 0; i < n; i++) {
      if (text[i] == '"' || text[i] == '\\')
        p += sprintf(p, "\\%02x", (unsigned char)text[i]);
      else
        *p++ = text[i];
    }
    strcpy(p, "\")");
    free(text);
    text = next;
  }
  return text;
}

static void test_quote_depth(void) {
  weft_error err;
  char *ok = nested_quote(4), *deep = nested_quote(12);
  CHECK_EQ_INT(status_of(ok, &err), WEFT_OK);
  CHECK_EQ_INT(status_of(deep, &err), WEFT_ERR_MALFORMED);
  CHECK_CONTAINS(err.message, "nested deeper");
  free(ok);
  free(deep);
}

/* A script of 20,000 malformed modules: each error's line:col is found
** from the previous one, not from the start. */
static void test_many_errors(void) {
  size_t k = 0;
  char *text = malloc(20000 * 128);
  for (int i = 0; i < 20000; i++)
    k += (size_t)sprintf(text + k,
                         "(assert_malformed (module quote \"(f)\") \"x\")\n"
                         "(assert_malformed (module (func x)) \"x\")\n");
  weft_wast_script *s;
  weft_error err;
  memset(&err, 0, sizeof err);
  CHECK_EQ_INT(weft_wast_parse(text, k, &s, &err), WEFT_OK);
  if (s) {
    CHECK_EQ_INT(weft_wast_command_count(s), 40000);
    const weft_wast_command *c = weft_wast_command_at(s, 39999);
    CHECK(c && c->wasm == NULL);
    CHECK_CONTAINS(c ? c->error : NULL, "40000:33: unknown operator x");
    weft_wast_free(s);
  }
  free(text);
}

/* Encodes text and compares with the expected bytes. */
static void check_bytes(const char *text, const uint8_t *want, size_t n) {
  uint8_t *out;
  size_t len;
  weft_error err;
  weft_status s = encode(text, strlen(text), &out, &len, &err);
  CHECK_EQ_INT(s, WEFT_OK);
  if (s != WEFT_OK) {
    fprintf(stderr, "     %s\n", err.message);
    return;
  }
  CHECK_EQ_INT(len, n);
  CHECK(len == n && memcmp(out, want, n) == 0);
  weft_text_free(out);
}

/* 3.0 syntax the engine does not run yet still encodes exactly (bytes
** checked by hand and, for the legacy form, against wabt's wat2wasm). */
static void test_3_0_encodings(void) {
  static const uint8_t eh[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x02, 0x60,
      0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x03, 0x03, 0x02, 0x00, 0x00,
      0x0d, 0x03, 0x01, 0x00, 0x01, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x01,
      0x09, 0x05, 0x01, 0x03, 0x00, 0x01, 0x00, 0x0a, 0x21, 0x02, 0x04, 0x00,
      0x41, 0x07, 0x0b, 0x1a, 0x00, 0x02, 0x7f, 0x1f, 0x7f, 0x01, 0x00, 0x00,
      0x00, 0x41, 0x05, 0x08, 0x00, 0x0b, 0x0b, 0x1a, 0xd2, 0x00, 0x14, 0x00,
      0xd2, 0x00, 0xd4, 0x15, 0x00, 0x0b};
  check_bytes("(module (tag $e (param i32)) (type $ft (func (result i32)))\n"
              " (func $g (result i32) (i32.const 7))\n"
              " (func (export \"f\") (result i32)\n"
              "  (block $h (result i32)\n"
              "   (try_table (result i32) (catch $e $h)\n"
              "    (throw $e (i32.const 5))))\n"
              "  (drop) (call_ref $ft (ref.func $g))\n"
              "  (return_call_ref $ft (ref.as_non_null (ref.func $g))))\n"
              " (elem declare func $g))",
              eh, sizeof eh);
  static const uint8_t legacy[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60,
      0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x01,
      0x0d, 0x03, 0x01, 0x00, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,
      0x0a, 0x14, 0x01, 0x12, 0x00, 0x06, 0x7f, 0x06, 0x7f, 0x20, 0x00, 0x08,
      0x00, 0x18, 0x00, 0x07, 0x00, 0x19, 0x41, 0x09, 0x0b, 0x0b};
  check_bytes("(module (tag $e (param i32))\n"
              " (func (export \"f\") (param i32) (result i32)\n"
              "  (try $t (result i32)\n"
              "   (do (try (result i32) (do (throw $e (local.get 0)))"
              " (delegate $t)))\n"
              "   (catch $e) (catch_all (i32.const 9)))))",
              legacy, sizeof legacy);
  /* (ref $t) with a forward type reference; (ref null func) is funcref */
  static const uint8_t refs[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
                                 0x00, 0x01, 0x0a, 0x02, 0x60, 0x02, 0x64,
                                 0x01, 0x70, 0x00, 0x60, 0x00, 0x00};
  /* relaxed SIMD: 0xFD then the opcode as a LEB128 u32 (as wabt writes) */
  static const uint8_t relaxed[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01,
      0x60, 0x01, 0x7b, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x13,
      0x01, 0x11, 0x00, 0x20, 0x00, 0x20, 0x00, 0x20, 0x00, 0xfd, 0x85,
      0x02, 0xfd, 0x93, 0x02, 0xfd, 0x80, 0x02, 0x0b};
  check_bytes("(func (param v128) (result v128)"
              " (i8x16.relaxed_swizzle"
              "  (i32x4.relaxed_dot_i8x16_i7x16_add_s"
              "   (f32x4.relaxed_madd (local.get 0) (local.get 0)"
              "    (local.get 0)))))",
              relaxed, sizeof relaxed);
  /* GC types and instructions (bytes checked by hand against the 3.0
  ** binary format: rec 0x4E, sub 0x50/0x4F, struct 0x5F, array 0x5E,
  ** 0xFB-prefixed instructions, br_on_cast flags) */
  static const uint8_t gc[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x20, 0x03, 0x4e,
      0x02, 0x50, 0x00, 0x5f, 0x02, 0x7f, 0x01, 0x78, 0x00, 0x5e, 0x77, 0x01,
      0x4f, 0x01, 0x00, 0x5f, 0x03, 0x7f, 0x01, 0x78, 0x00, 0x63, 0x01, 0x00,
      0x60, 0x01, 0x63, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x03, 0x07, 0x05,
      0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x35, 0x01, 0x33, 0x00, 0x20, 0x00,
      0xfb, 0x02, 0x00, 0x00, 0x41, 0x01, 0x41, 0x02, 0xfb, 0x08, 0x01, 0x02,
      0x1a, 0x20, 0x00, 0xfb, 0x15, 0x02, 0x1a, 0x20, 0x00, 0xfb, 0x17, 0x6d,
      0x1a, 0x02, 0x6e, 0x20, 0x00, 0xfb, 0x18, 0x01, 0x00, 0x6e, 0x02, 0x41,
      0x01, 0xfb, 0x1c, 0x0b, 0x1a, 0x20, 0x00, 0x20, 0x00, 0xd3, 0x1a, 0x0b};
  check_bytes("(module\n"
              " (rec (type $s (sub (struct (field $x (mut i32)) (field i8))))"
              "  (type $a (array (mut i16))))\n"
              " (type $t (sub final $s (struct (field $x (mut i32)) (field i8)"
              "  (field (ref null $a)))))\n"
              " (func (export \"f\") (param (ref null $s)) (result i32)\n"
              "  (struct.get $s $x (local.get 0))\n"
              "  (drop (array.new_fixed $a 2 (i32.const 1) (i32.const 2)))\n"
              "  (drop (ref.test (ref null $t) (local.get 0)))\n"
              "  (drop (ref.cast eqref (local.get 0)))\n"
              "  (drop (block $l (result anyref)"
              "   (br_on_cast $l anyref (ref $t) (local.get 0))"
              "   (ref.i31 (i32.const 1))))\n"
              "  (drop (ref.eq (local.get 0) (local.get 0)))))",
              gc, sizeof gc);
  check_bytes("(type (func (param (ref $b) (ref null func))))"
              " (type $b (func))",
              refs, sizeof refs);
}

/* An allocator that fails its Nth call and counts what is live. */
struct fail_alloc {
  unsigned long calls, fail_at;
  size_t live;
  long blocks;
};

static void *failing_realloc(void *user, void *p, size_t old, size_t size) {
  struct fail_alloc *f = user;
  if (size == 0) {
    if (p) {
      f->live -= old;
      f->blocks--;
      free(p);
    }
    return NULL;
  }
  if (++f->calls == f->fail_at)
    return NULL;
  void *np = realloc(p, size);
  if (!np)
    return NULL;
  if (p)
    f->live -= old;
  else
    f->blocks++;
  f->live += size;
  return np;
}

/* Every allocation of encoding these texts fails in turn: each run ends
** in WEFT_ERR_NOMEM with nothing left allocated, until one succeeds. */
static void test_alloc_failures(void) {
  static const char *const texts[] = {
      "(module (type $t (func (param i32) (result i32)))\n"
      " (import \"m\" \"f\" (func $p (param i32)))\n"
      " (memory (export \"mem\") 1) (table 2 funcref)\n"
      " (global $g (mut i64) (i64.const -1))\n"
      " (func $f (type $t) (local f32) (block $b (br $b))\n"
      "  local.get 0 call $p i32.const 7)\n"
      " (elem (i32.const 0) $f) (data (i32.const 8) \"hi\"))",
      "(module quote \"(func (export \\\"f\\\") (result f64)\"\n"
      " \"(f64.const 0x1.8p3))\")"};
  for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
    unsigned long failures = 0;
    for (unsigned long n = 1; n < 10000; n++) {
      struct fail_alloc f = {0, n, 0, 0};
      uint8_t *out = NULL;
      size_t len = 0;
      weft_error err;
      memset(&err, 0, sizeof err);
      weft_text_options opts = {WEFT_TEXT_2_0, failing_realloc, &f};
      weft_status s = weft_wat_to_wasm_opts(texts[t], strlen(texts[t]), &opts,
                                            &out, &len, &err);
      if (s == WEFT_OK) {
        CHECK(len > 8 && out != NULL);
        failing_realloc(&f, out, len, 0);
        CHECK_EQ_INT(f.live, 0);
        CHECK_EQ_INT(f.blocks, 0);
        break;
      }
      failures++;
      if (s != WEFT_ERR_NOMEM || f.live != 0 || f.blocks != 0 ||
          strcmp(err.message, "out of memory") != 0) {
        fprintf(stderr, "     text %zu, allocation %lu: %d %s, %zu live\n", t,
                n, (int)s, err.message, f.live);
        CHECK(0);
        break;
      }
    }
    CHECK(failures > 5); /* the loop did fail some allocations */
  }
}

/* 2.0 and 3.0 disagree on limits and offsets past 32 bits: malformed text
** in 2.0, left to validation in 3.0. */
static void test_versions(void) {
  static const char *const wide[] = {
      "(memory 0x1_0000_0000)",
      "(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))"};
  for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
    weft_text_options v3 = {WEFT_TEXT_3_0, NULL, NULL};
    uint8_t *out;
    size_t n;
    weft_error err;
    CHECK_EQ_INT(status_of(wide[i], &err), WEFT_ERR_MALFORMED);
    CHECK_CONTAINS(err.message, "out of range");
    CHECK_EQ_INT(
        weft_wat_to_wasm_opts(wide[i], strlen(wide[i]), &v3, &out, &n, &err),
        WEFT_OK);
    if (n)
      free(out); /* the C library's allocator: opts->alloc is NULL */
  }
}

int main(void) {
  T_RUN(test_empty_module);
  T_RUN(test_runs);
  T_RUN(test_floats);
  T_RUN(test_huge_numbers);
  T_RUN(test_positions);
  T_RUN(test_nesting);
  T_RUN(test_unterminated);
  T_RUN(test_truncations);
  T_RUN(test_million_tokens);
  T_RUN(test_script);
  T_RUN(test_labels);
  T_RUN(test_linear_time);
  T_RUN(test_quote_depth);
  T_RUN(test_many_errors);
  T_RUN(test_3_0_encodings);
  T_RUN(test_alloc_failures);
  T_RUN(test_versions);
  return T_DONE();
}
