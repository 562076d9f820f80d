/*
** race_swap.host.c — native helper for the race test (built with the host
** compiler by tests/wasi/run.sh, never for wasm). Until SIGTERM it swaps
** each directory inside the preopen with a symlink that leads outside
** (renameat2 RENAME_EXCHANGE, atomic; a three-rename dance where the kernel
** lacks it), then restores the original layout and writes the number of
** swaps it made to COUNTFILE.
** usage: race_swap DIR1 ALT1 DIR2 ALT2 COUNTFILE
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

static int exchange(const char *a, const char *b, int *atomic) {
  if (*atomic) {
    if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
      return 0;
    if (errno != ENOSYS && errno != EINVAL)
      return -1;
    *atomic = 0;
  }
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.swaptmp", a);
  if (rename(a, tmp) != 0 || rename(b, a) != 0 || rename(tmp, b) != 0)
    return -1;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: race_swap DIR1 ALT1 DIR2 ALT2 COUNTFILE\n");
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  int atomic = 1;
  long swaps = 0;
  int state1 = 0, state2 = 0;
  while (!stop) {
    if (exchange(argv[1], argv[2], &atomic) != 0) {
      perror("race_swap: exchange 1");
      break;
    }
    state1 ^= 1;
    swaps++;
    if (exchange(argv[3], argv[4], &atomic) != 0) {
      perror("race_swap: exchange 2");
      break;
    }
    state2 ^= 1;
    swaps++;
  }
  /* put everything back: the directories at their names */
  if (state1)
    exchange(argv[1], argv[2], &atomic);
  if (state2)
    exchange(argv[3], argv[4], &atomic);
  FILE *f = fopen(argv[5], "w");
  if (f) {
    fprintf(f, "%ld\n", swaps);
    fclose(f);
  }
  fprintf(stderr, "race_swap: %ld swaps (%s)\n", swaps,
          atomic ? "RENAME_EXCHANGE" : "rename");
  return 0;
}
