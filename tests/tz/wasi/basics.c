/*
** basics.c — a WASI program for the TrustZone tier (tests/tz/init.sh runs
** it in the weft TA): its arguments and an environment variable given by
** the normal world, the clocks and the random source of the TEE, stdout
** and stderr relayed to the normal world, and its exit status. Prints only
** what does not vary from run to run (stdout is compared with
** basics.one.out); exits 7 when every check held, 1 otherwise.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
  int bad = 0;
  printf("argc %d\n", argc);
  for (int i = 1; i < argc; i++)
    printf("argv[%d] %s\n", i, argv[i]);
  const char *g = getenv("TZ_GREETING");
  printf("TZ_GREETING %s\n", g ? g : "(unset)");

  /* Realtime: after 2020-01-01 (the REE's clock, as OP-TEE reports it). */
  struct timespec rt, m0, m1;
  if (clock_gettime(CLOCK_REALTIME, &rt) || rt.tv_sec < 1577836800) {
    fprintf(stderr, "realtime clock: %lld\n", (long long)rt.tv_sec);
    bad = 1;
  }
  /* Monotonic: does not go back across a little work. */
  volatile unsigned x = 0;
  clock_gettime(CLOCK_MONOTONIC, &m0);
  for (unsigned i = 0; i < 200000; i++)
    x += i;
  clock_gettime(CLOCK_MONOTONIC, &m1);
  if (m1.tv_sec < m0.tv_sec ||
      (m1.tv_sec == m0.tv_sec && m1.tv_nsec < m0.tv_nsec)) {
    fprintf(stderr, "monotonic clock went back\n");
    bad = 1;
  }
  printf("clocks %s\n", bad ? "bad" : "ok");

  /* Random: two 32-byte draws differ and neither is all zero. */
  unsigned char a[32], b[32], zero[32] = {0};
  arc4random_buf(a, sizeof a);
  arc4random_buf(b, sizeof b);
  int rbad = !memcmp(a, b, sizeof a) || !memcmp(a, zero, sizeof a);
  printf("random %s\n", rbad ? "bad" : "ok");
  fprintf(stderr, "basics: stderr reaches the normal world\n");
  return bad || rbad ? 1 : 7;
}
