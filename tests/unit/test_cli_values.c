/*
** test_cli_values.c — the CLI's argument parsing and result printing
** (cli/util.c, compiled in): integer ranges and spellings, floats, NaN
** payloads, sizes with suffixes, v128 in "i32x4 A B C D" form.
*/
#include "../../cli/util.c"
#include "t.h"

static int parse(const char *text, weft_valtype type, weft_val *v) {
  return cli_parse_val(text, type, v);
}

static const char *show(weft_valtype type, uint64_t bits) {
  static char buf[128];
  weft_val v;
  FILE *f = fmemopen(buf, sizeof buf, "w");

  memset(&v, 0, sizeof v);
  v.type = type;
  if (type == WEFT_I32 || type == WEFT_F32)
    v.of.u32 = (uint32_t)bits;
  else
    v.of.u64 = bits;
  cli_print_val(f, &v);
  fclose(f);
  return buf;
}

static void test_i32(void) {
  weft_val v;
  CHECK(parse("42", WEFT_I32, &v) == 0 && v.of.i32 == 42);
  CHECK(parse("-1", WEFT_I32, &v) == 0 && v.of.u32 == 0xffffffffu);
  CHECK(parse("+7", WEFT_I32, &v) == 0 && v.of.i32 == 7);
  CHECK(parse("0x7fffffff", WEFT_I32, &v) == 0 && v.of.i32 == INT32_MAX);
  CHECK(parse("0XFFFFFFFF", WEFT_I32, &v) == 0 && v.of.i32 == -1);
  CHECK(parse("4294967295", WEFT_I32, &v) == 0 && v.of.i32 == -1);
  CHECK(parse("-2147483648", WEFT_I32, &v) == 0 && v.of.i32 == INT32_MIN);
  CHECK(parse("-0x80000000", WEFT_I32, &v) == 0 && v.of.i32 == INT32_MIN);
  CHECK(parse("010", WEFT_I32, &v) == 0 && v.of.i32 == 10); /* not octal */
  CHECK(parse("4294967296", WEFT_I32, &v) != 0);
  CHECK(parse("-2147483649", WEFT_I32, &v) != 0);
  CHECK(parse("", WEFT_I32, &v) != 0);
  CHECK(parse("-", WEFT_I32, &v) != 0);
  CHECK(parse("0x", WEFT_I32, &v) != 0);
  CHECK(parse("12a", WEFT_I32, &v) != 0);
  CHECK(parse(" 1", WEFT_I32, &v) != 0);
  CHECK(parse("--1", WEFT_I32, &v) != 0);
  CHECK(parse("1.0", WEFT_I32, &v) != 0);
}

static void test_i64(void) {
  weft_val v;
  CHECK(parse("-9223372036854775808", WEFT_I64, &v) == 0 &&
        v.of.i64 == INT64_MIN);
  CHECK(parse("18446744073709551615", WEFT_I64, &v) == 0 && v.of.i64 == -1);
  CHECK(parse("0xffffffffffffffff", WEFT_I64, &v) == 0 && v.of.i64 == -1);
  CHECK(parse("18446744073709551616", WEFT_I64, &v) != 0);
  CHECK(parse("-9223372036854775809", WEFT_I64, &v) != 0);
}

static void test_floats(void) {
  weft_val v;
  CHECK(parse("1.5", WEFT_F32, &v) == 0 && v.of.f32 == 1.5f);
  CHECK(parse("0.1", WEFT_F32, &v) == 0 && v.of.u32 == 0x3dcccccdu);
  CHECK(parse("-0", WEFT_F64, &v) == 0 && v.of.u64 == 0x8000000000000000ull);
  CHECK(parse("1e-45", WEFT_F32, &v) == 0 && v.of.u32 == 1); /* subnormal */
  CHECK(parse("1e400", WEFT_F64, &v) == 0 && isinf(v.of.f64));
  CHECK(parse("inf", WEFT_F64, &v) == 0 && isinf(v.of.f64) && v.of.f64 > 0);
  CHECK(parse("-inf", WEFT_F32, &v) == 0 && isinf(v.of.f32) && v.of.f32 < 0);
  CHECK(parse("nan", WEFT_F32, &v) == 0 && v.of.u32 == 0x7fc00000u);
  CHECK(parse("-nan", WEFT_F64, &v) == 0 && v.of.u64 == 0xfff8000000000000ull);
  CHECK(parse("nan:0x1", WEFT_F32, &v) == 0 && v.of.u32 == 0x7f800001u);
  CHECK(parse("nan:0x7fffff", WEFT_F32, &v) == 0 && v.of.u32 == 0x7fffffffu);
  CHECK(parse("nan:0x800000", WEFT_F32, &v) != 0);
  CHECK(parse("nan:0x0", WEFT_F32, &v) != 0);
  CHECK(parse("nan:1", WEFT_F64, &v) != 0);
  CHECK(parse("0x1p-1", WEFT_F64, &v) == 0 && v.of.f64 == 0.5);
  CHECK(parse("1.5x", WEFT_F64, &v) != 0);
  CHECK(parse("", WEFT_F64, &v) != 0);
  CHECK(parse(" 1", WEFT_F64, &v) != 0);
  CHECK(parse("e5", WEFT_F64, &v) != 0);
}

static void test_refs(void) {
  weft_val v;
  CHECK(parse("null", WEFT_EXTERNREF, &v) == 0 && v.of.ref == NULL);
  CHECK(parse("null", WEFT_FUNCREF, &v) == 0 && v.of.ref == NULL);
  CHECK(parse("1", WEFT_EXTERNREF, &v) != 0);
  CHECK(parse("0", WEFT_V128, &v) != 0);
}

static void test_print(void) {
  CHECK_STR_EQ(show(WEFT_I32, 0xffffffffu), "-1");
  CHECK_STR_EQ(show(WEFT_I64, 0x8000000000000000ull), "-9223372036854775808");
  CHECK_STR_EQ(show(WEFT_F32, 0x3e99999au), "0.3");
  CHECK_STR_EQ(show(WEFT_F32, 0x3e99999bu), "0.30000004");
  CHECK_STR_EQ(show(WEFT_F32, 0x7f7fffffu), "3.4028235e+38");
  CHECK_STR_EQ(show(WEFT_F32, 0x00000001u), "1e-45");
  CHECK_STR_EQ(show(WEFT_F64, 0x3fb999999999999aull), "0.1");
  CHECK_STR_EQ(show(WEFT_F64, 0x7fefffffffffffffull),
               "1.7976931348623157e+308");
  CHECK_STR_EQ(show(WEFT_F64, 0x0000000000000001ull), "5e-324");
  CHECK_STR_EQ(show(WEFT_F64, 0x3fd3333333333334ull), "0.30000000000000004");
  CHECK_STR_EQ(show(WEFT_F64, 0x3ff0000000000000ull), "1");
  CHECK_STR_EQ(show(WEFT_F32, 0x7f800000u), "inf");
  CHECK_STR_EQ(show(WEFT_F64, 0xfff0000000000000ull), "-inf");
  CHECK_STR_EQ(show(WEFT_F32, 0x7fc00000u), "nan");
  CHECK_STR_EQ(show(WEFT_F32, 0xffc00000u), "-nan");
  CHECK_STR_EQ(show(WEFT_F64, 0x8000000000000000ull), "-0");
  CHECK_STR_EQ(show(WEFT_EXTERNREF, 0), "null");
  CHECK_STR_EQ(show(WEFT_FUNCREF, 8), "ref");
}

/* A v128 argument reads back as the bytes it names, and prints in the
** form it was read in; lane 0 is the lowest-addressed 4 bytes. */
static void test_v128(void) {
  static const uint8_t want[16] = {0x78, 0x56, 0x34, 0x12, 0xff, 0xff,
                                   0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
                                   0x2a, 0x00, 0x00, 0x80};
  char buf[128], why[160];
  uint8_t bytes[16];
  weft_val v;
  FILE *f;

  CHECK(parse("i32x4 0x12345678 4294967295 0 0x8000002A", WEFT_V128, &v) == 0);
  CHECK(v.type == WEFT_V128 && memcmp(v.of.v128, want, 16) == 0);
  f = fmemopen(buf, sizeof buf, "w");
  cli_print_val(f, &v);
  fclose(f);
  CHECK_STR_EQ(buf, "i32x4 0x12345678 0xffffffff 0x00000000 0x8000002a");
  CHECK(parse(buf, WEFT_V128, &v) == 0 && memcmp(v.of.v128, want, 16) == 0);

  /* malformed: not one "i32x4 ..." string, a lane of 2^32, 3 or 5 lanes */
  CHECK(cli_parse_v128("1 2 3 4", bytes, why, sizeof why) != 0);
  CHECK(strstr(why, "i32x4 A B C D") != NULL);
  CHECK(cli_parse_v128("i32x4 1 2 3 4294967296", bytes, why, sizeof why) != 0);
  CHECK(strstr(why, "lane 3") != NULL);
  CHECK(cli_parse_v128("i32x4 1 2 3", bytes, why, sizeof why) != 0);
  CHECK(cli_parse_v128("i32x4 1 2 3 4 5", bytes, why, sizeof why) != 0);
  CHECK(cli_parse_v128("i32x4 1 -2 3 4", bytes, why, sizeof why) != 0);
}

static void test_sizes(void) {
  uint64_t n;
  uint32_t u;
  CHECK(cli_parse_size("65536", &n) == 0 && n == 65536);
  CHECK(cli_parse_size("64K", &n) == 0 && n == 65536);
  CHECK(cli_parse_size("2m", &n) == 0 && n == 2u << 20);
  CHECK(cli_parse_size("4G", &n) == 0 && n == 4ull << 30);
  CHECK(cli_parse_size("0x100", &n) == 0 && n == 256);
  CHECK(cli_parse_size("-1", &n) != 0);
  CHECK(cli_parse_size("K", &n) != 0);
  CHECK(cli_parse_size("1T", &n) != 0);
  CHECK(cli_parse_size("99999999999999999999", &n) != 0);
  CHECK(cli_parse_u32("4294967295", &u) == 0 && u == UINT32_MAX);
  CHECK(cli_parse_u32("4294967296", &u) != 0);
  CHECK(cli_parse_u32("-1", &u) != 0);
}

int main(void) {
  T_RUN(test_i32);
  T_RUN(test_i64);
  T_RUN(test_floats);
  T_RUN(test_refs);
  T_RUN(test_print);
  T_RUN(test_v128);
  T_RUN(test_sizes);
  return T_DONE();
}
