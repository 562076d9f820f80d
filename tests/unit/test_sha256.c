/*
** test_sha256.c — the CLI's SHA-256 and HMAC-SHA256 (cli/sha256*.c,
** compiled in) on every compression this machine can run: the portable C
** always, the x86 SHA extensions or AArch64 SHA2 when the CPU has them
** (said on stdout when it has neither; nothing is counted for a path that
** did not run). Known answers from FIPS 180-4's examples and RFC 4231;
** inputs of every length to 300 bytes and a long odd-length one, whole
** and in odd pieces, against each other and against sha256sum(1).
*/
#include "../../cli/sha256.c"
#include "../../cli/sha256_arm.c"
#include "../../cli/sha256_portable.c"
#include "../../cli/sha256_x86.c"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct impl {
  const char *name;
  cli_sha256_blocks_fn *blocks;
};

static struct impl impls[3];
static int n_impls;

static void find_impls(void) {
  impls[n_impls++] = (struct impl){"portable", cli_sha256_blocks_portable};
  if (cli_sha256_x86_usable())
    impls[n_impls++] = (struct impl){"x86 SHA-NI", cli_sha256_blocks_x86};
  if (cli_sha256_arm_usable())
    impls[n_impls++] = (struct impl){"AArch64 SHA2", cli_sha256_blocks_arm};
  for (int i = 0; i < n_impls; i++)
    printf("compression: %s\n", impls[i].name);
  if (n_impls == 1)
    printf("note: this CPU has no SHA instructions weft uses; only the "
           "portable path was tested\n");
}

static void hex_of(const uint8_t *d, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[d[i] >> 4];
    out[2 * i + 1] = digits[d[i] & 15];
  }
  out[2 * n] = '\0';
}

static void digest_with(cli_sha256_blocks_fn *f, const void *data, size_t n,
                        char hex[65]) {
  struct cli_sha256 h;
  uint8_t d[32];
  cli_sha256_init(&h, f);
  cli_sha256_update(&h, data, n);
  cli_sha256_finish(&h, d);
  hex_of(d, 32, hex);
}

/* The same input given in pieces of `piece` bytes. */
static void digest_pieces(cli_sha256_blocks_fn *f, const uint8_t *data,
                          size_t n, size_t piece, char hex[65]) {
  struct cli_sha256 h;
  uint8_t d[32];
  cli_sha256_init(&h, f);
  for (size_t at = 0; at < n; at += piece)
    cli_sha256_update(&h, data + at, n - at < piece ? n - at : piece);
  cli_sha256_finish(&h, d);
  hex_of(d, 32, hex);
}

/* FIPS 180-4 example messages (NIST's SHA-256 examples). */
static void test_fips_examples(void) {
  static const struct {
    const char *msg;
    const char *want;
  } v[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc",
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklm"
       "nopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
  };
  char hex[65];
  for (int i = 0; i < n_impls; i++)
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
      digest_with(impls[i].blocks, v[j].msg, strlen(v[j].msg), hex);
      CHECK_STR_EQ(hex, v[j].want);
    }
}

static void test_million_a(void) {
  size_t n = 1000000;
  uint8_t *a = malloc(n);
  char hex[65];
  CHECK(a != NULL);
  if (a == NULL)
    return;
  memset(a, 'a', n);
  for (int i = 0; i < n_impls; i++) {
    digest_with(impls[i].blocks, a, n, hex);
    CHECK_STR_EQ(
        hex,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    digest_pieces(impls[i].blocks, a, n, 997, hex);
    CHECK_STR_EQ(
        hex,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
  free(a);
}

/* RFC 4231, test cases 1 to 7 (case 5 compares the first 128 bits). */
static void test_rfc4231(void) {
  static const struct {
    uint8_t key_byte;
    size_t key_size;
    const char *data;
    const char *want;
  } v[] = {
      {0x0b, 20, "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {0, 4, "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {0xaa, 20, NULL,
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {0, 25, NULL,
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {0x0c, 20, "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {0xaa, 131, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {0xaa, 131,
       "This is a test using a larger than block-size key and a larger than "
       "block-size data. The key needs to be hashed before being used by the "
       "HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (int i = 0; i < n_impls; i++)
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
      uint8_t key[131], data[50], mac[32];
      const void *msg = v[j].data;
      size_t msg_size = msg ? strlen(v[j].data) : sizeof data;
      char hex[65];

      if (j == 1)
        memcpy(key, "Jefe", 4);
      else if (j == 3)
        for (int b = 0; b < 25; b++)
          key[b] = (uint8_t)(b + 1);
      else
        memset(key, v[j].key_byte, v[j].key_size);
      if (msg == NULL) { /* cases 3 and 4: 50 bytes of 0xdd or 0xcd */
        memset(data, j == 2 ? 0xdd : 0xcd, sizeof data);
        msg = data;
      }
      /* The message split in two, as the artifact MAC gives it. */
      cli_hmac_sha256_with(impls[i].blocks, key, v[j].key_size, msg,
                           msg_size / 3, (const uint8_t *)msg + msg_size / 3,
                           msg_size - msg_size / 3, mac);
      hex_of(mac, 32, hex);
      hex[strlen(v[j].want)] = '\0';
      CHECK_STR_EQ(hex, v[j].want);
    }
}

/* Pseudo-random bytes, the same on every run. */
static void fill(uint8_t *p, size_t n, uint32_t seed) {
  uint32_t x = seed | 1;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    p[i] = (uint8_t)(x >> 24);
  }
}

/* What sha256sum(1) says of the n bytes at p; 0 on success. */
static int sha256sum_of(const uint8_t *p, size_t n, char hex[65]) {
  char path[] = "/tmp/weft-test-sha256-XXXXXX", cmd[128];
  int fd = mkstemp(path), ok = 0;
  FILE *f;

  if (fd < 0)
    return -1;
  ok = write(fd, p, n) == (ssize_t)n;
  close(fd);
  snprintf(cmd, sizeof cmd, "sha256sum %s", path);
  f = ok ? popen(cmd, "r") : NULL;
  ok = f != NULL && fscanf(f, "%64s", hex) == 1 && strlen(hex) == 64;
  if (f != NULL)
    pclose(f);
  unlink(path);
  return ok ? 0 : -1;
}

/* Every length to 300 (each block boundary and padding case) and a long
** odd one: every compression and every piece size agrees with the
** portable whole-buffer digest, and that with sha256sum at the lengths
** around block boundaries. */
static void test_lengths(void) {
  static const size_t sums[] = {0,   1,   3,   55,  56,  57,      63,
                                64,  65,  119, 120, 127, 128,     129,
                                191, 192, 255, 299, 300, 3000017, 1 << 20};
  static const size_t pieces[] = {1, 7, 63, 64, 65, 1000};
  size_t max = 3000017 > (1 << 20) ? 3000017 : 1 << 20;
  uint8_t *data = malloc(max);
  char want[65], got[65];

  CHECK(data != NULL);
  if (data == NULL)
    return;
  fill(data, max, 12345);
  for (size_t n = 0; n <= 300; n++) {
    digest_with(cli_sha256_blocks_portable, data, n, want);
    for (int i = 0; i < n_impls; i++)
      for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
        digest_pieces(impls[i].blocks, data, n, pieces[p], got);
        CHECK_STR_EQ(got, want);
      }
  }
  for (size_t s = 0; s < sizeof sums / sizeof sums[0]; s++) {
    size_t n = sums[s];
    char ref[65];
    CHECK(sha256sum_of(data, n, ref) == 0);
    for (int i = 0; i < n_impls; i++) {
      digest_with(impls[i].blocks, data, n, got);
      CHECK_STR_EQ(got, ref);
      digest_pieces(impls[i].blocks, data, n, 4093, got);
      CHECK_STR_EQ(got, ref);
    }
  }
  free(data);
}

/* The public API runs the fastest compression, and agrees with the
** portable one. */
static void test_public_api(void) {
  uint8_t key[32], data[777], d1[32], d2[32];
  struct cli_sha256 *h = cli_sha256_new();

  CHECK(cli_sha256_best() == impls[n_impls - 1].blocks);
  fill(key, sizeof key, 7);
  fill(data, sizeof data, 8);
  CHECK(cli_sha256_of(data, sizeof data, d1) == 0);
  CHECK(h != NULL);
  if (h != NULL) {
    cli_sha256_update(h, data, 100);
    cli_sha256_update(h, data + 100, sizeof data - 100);
    cli_sha256_final(h, d2);
    CHECK(memcmp(d1, d2, 32) == 0);
  }
  CHECK(cli_hmac_sha256(key, data, 5, data + 5, sizeof data - 5, d1) == 0);
  cli_hmac_sha256_with(cli_sha256_blocks_portable, key, 32, data, sizeof data,
                       NULL, 0, d2);
  CHECK(memcmp(d1, d2, 32) == 0);
  /* One changed byte of the message or key changes the MAC. */
  data[500] ^= 1;
  CHECK(cli_hmac_sha256(key, data, sizeof data, NULL, 0, d2) == 0);
  CHECK(memcmp(d1, d2, 32) != 0);
  data[500] ^= 1;
  key[31] ^= 0x80;
  CHECK(cli_hmac_sha256(key, data, sizeof data, NULL, 0, d2) == 0);
  CHECK(memcmp(d1, d2, 32) != 0);
  CHECK(cli_equal_ct(d1, d1, 32));
  CHECK(!cli_equal_ct(d1, d2, 32));
}

int main(void) {
  find_impls();
  T_RUN(test_fips_examples);
  T_RUN(test_million_a);
  T_RUN(test_rfc4231);
  T_RUN(test_lengths);
  T_RUN(test_public_api);
  return T_DONE();
}
