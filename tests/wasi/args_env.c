/*
** args_env.c — args_get/args_sizes_get and environ_get/environ_sizes_get:
** unicode, empty strings, spaces, '=' inside values, exact counts and sizes
** (the host environment must not leak in), through libc and the raw calls.
*/
//! case args_env 0 -- --env A=1 --env EMPTY= --env UNI=ü日本🙂 --env "SP=a b" --env EQ=x=y @WASM@ -- x "" ü 日本語 "a b" --dir -
//! case args_none 0 -- @WASM@

#include "wt.h"

static const char *want_args[] = {"x", "", "ü", "日本語", "a b", "--dir", "-"};
static const char *want_env[] = {"A=1", "EMPTY=", "UNI=ü日本🙂", "SP=a b",
                                 "EQ=x=y"};
#define NARGS (sizeof want_args / sizeof want_args[0])
#define NENV (sizeof want_env / sizeof want_env[0])

static void check_raw_args(int expect_extra) {
  WT_SECTION("raw args");
  u32 argc = 0xFFFF, bufsize = 0xFFFF;
  CHECK_OK(wr_args_sizes_get(P(&argc), P(&bufsize)));
  u32 want_argc = expect_extra ? 1 + NARGS : 1;
  CHECK(argc == want_argc, "argc %u, expected %u", argc, want_argc);
  if (argc > 64 || bufsize > 65536) {
    CHECK(0, "absurd sizes argc=%u bufsize=%u", argc, bufsize);
    return;
  }
  char *buf = malloc(bufsize + 16);
  char **argv = malloc((argc + 1) * sizeof *argv);
  memset(buf, 0x55, bufsize + 16);
  argv[argc] = (char *)0x12345;
  CHECK_OK(wr_args_get(P(argv), P(buf)));
  CHECK(argv[argc] == (char *)0x12345, "args_get wrote past argv[argc]");
  CHECK((unsigned char)buf[bufsize] == 0x55,
        "args_get wrote past the size args_sizes_get gave");
  u32 sum = 0;
  for (u32 i = 0; i < argc; i++) {
    CHECK(argv[i] >= buf && argv[i] < buf + bufsize, "argv[%u] outside buf",
          i);
    sum += (u32)strlen(argv[i]) + 1;
  }
  CHECK(sum == bufsize, "sum of strlen+1 %u != bufsize %u", sum, bufsize);
  const char *a0 = argv[0];
  size_t l0 = strlen(a0);
  CHECK(l0 >= 5 && strcmp(a0 + l0 - 5, ".wasm") == 0,
        "argv[0] '%s' should name the .wasm file", a0);
  for (u32 i = 1; i < argc && expect_extra; i++)
    CHECK(strcmp(argv[i], want_args[i - 1]) == 0, "argv[%u] '%s', want '%s'",
          i, argv[i], want_args[i - 1]);
  free(buf);
  free(argv);
}

static void check_raw_env(int expect_env) {
  WT_SECTION("raw environ");
  u32 count = 0xFFFF, bufsize = 0xFFFF;
  CHECK_OK(wr_environ_sizes_get(P(&count), P(&bufsize)));
  u32 want = expect_env ? NENV : 0;
  CHECK(count == want, "environ count %u, expected exactly %u (no host env)",
        count, want);
  if (count > 1024 || bufsize > 1 << 20) {
    CHECK(0, "absurd sizes count=%u bufsize=%u", count, bufsize);
    return;
  }
  char *buf = malloc(bufsize + 16);
  char **env = malloc((count + 1) * sizeof *env);
  memset(buf, 0x55, bufsize + 16);
  env[count] = (char *)0x12345;
  CHECK_OK(wr_environ_get(P(env), P(buf)));
  CHECK(env[count] == (char *)0x12345, "environ_get wrote past env[count]");
  CHECK((unsigned char)buf[bufsize] == 0x55,
        "environ_get wrote past the size environ_sizes_get gave");
  u32 sum = 0;
  for (u32 i = 0; i < count; i++)
    sum += (u32)strlen(env[i]) + 1;
  CHECK(sum == bufsize, "sum of strlen+1 %u != bufsize %u", sum, bufsize);
  /* Order is the order given on the command line (wasmtime keeps it). */
  for (u32 i = 0; i < count && i < NENV && expect_env; i++)
    CHECK(strcmp(env[i], want_env[i]) == 0, "env[%u] '%s', want '%s'", i,
          env[i], want_env[i]);
  free(buf);
  free(env);
}

int main(int argc, char **argv) {
  int full = argc > 1;
  WT_SECTION("libc argv");
  if (full) {
    CHECK(argc == 1 + (int)NARGS, "argc %d, expected %d", argc,
          1 + (int)NARGS);
    for (int i = 1; i < argc && i <= (int)NARGS; i++)
      CHECK(strcmp(argv[i], want_args[i - 1]) == 0,
            "argv[%d] '%s', want '%s'", i, argv[i], want_args[i - 1]);
    CHECK(argv[argc] == NULL, "argv[argc] not NULL");
  } else {
    CHECK(argc == 1, "argc %d, expected 1", argc);
  }

  WT_SECTION("libc getenv");
  if (full) {
    const char *v;
    CHECK((v = getenv("A")) && strcmp(v, "1") == 0, "A='%s'", v ? v : "(null)");
    CHECK((v = getenv("EMPTY")) && strcmp(v, "") == 0,
          "EMPTY should be set and empty, got '%s'", v ? v : "(null)");
    CHECK((v = getenv("UNI")) && strcmp(v, "ü日本🙂") == 0, "UNI='%s'",
          v ? v : "(null)");
    CHECK((v = getenv("SP")) && strcmp(v, "a b") == 0, "SP='%s'",
          v ? v : "(null)");
    CHECK((v = getenv("EQ")) && strcmp(v, "x=y") == 0, "EQ='%s'",
          v ? v : "(null)");
  }
  CHECK(getenv("PATH") == NULL, "host PATH leaked into the environment");
  CHECK(getenv("HOME") == NULL, "host HOME leaked into the environment");

  check_raw_args(full);
  check_raw_env(full);

  /* Calling twice gives the same answer (no state consumed). */
  WT_SECTION("repeat");
  u32 c1, b1, c2, b2;
  CHECK_OK(wr_args_sizes_get(P(&c1), P(&b1)));
  CHECK_OK(wr_args_sizes_get(P(&c2), P(&b2)));
  CHECK(c1 == c2 && b1 == b2, "args_sizes_get not stable");
  return wt_finish();
}
