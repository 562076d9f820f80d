/*
** mitm.c — a man in the middle for tests/attest/run.sh: listens on a free
** loopback port (prints "listening on PORT"), forwards each connection's
** frames to UPSTREAM and tampers with one on the way:
**   ga     msg0: the attester's key share replaced by the MITM's own
**   gv     msg1: the verifier's key share replaced by the MITM's own
**   msg2   msg2: one bit of the evidence flipped (MAC still the old one)
**   msg3   msg3: one bit of the ciphertext/tag flipped
**   none   forwards untouched
** usage: mitm UPSTREAM_HOST:PORT MODE SESSIONS
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attest.h"
#include "eckey.h"
#include "pfs_crypto.h"

/* Forwards one frame from -> to, tampering per mode; -1 when done. */
static int relay(int from, int to, int index, const char *mode,
                 const uint8_t mine[ECKEY_PUBLIC_BYTES]) {
  static uint8_t buf[ATTEST_MAX_FRAME];
  char err[128];
  size_t len;
  int64_t deadline = attest_now_ms() + 5000;
  if (attest_recv_frame(from, buf, sizeof buf, &len, deadline, err,
                        sizeof err) != 0)
    return -1;
  /* msg0 = 82 00 58 41 Ga; msg1 = 85 01 58 41 Gv ... */
  if (index == 0 && strcmp(mode, "ga") == 0 && len >= 69 && buf[1] == 0x00)
    memcpy(buf + 4, mine, ECKEY_PUBLIC_BYTES);
  if (index == 1 && strcmp(mode, "gv") == 0 && len >= 69 && buf[1] == 0x01)
    memcpy(buf + 4, mine, ECKEY_PUBLIC_BYTES);
  if (index == 2 && strcmp(mode, "msg2") == 0 && len > 60)
    buf[len - 50] ^= 0x04;
  if (index == 3 && strcmp(mode, "msg3") == 0 && buf[1] == 0x03)
    buf[len - 3] ^= 0x80;
  return attest_send_frame(to, buf, len, deadline, err, sizeof err);
}

int main(int argc, char **argv) {
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  struct pfs_rng *rng = pfs_rng_new();
  struct eckey *key = NULL;
  uint8_t mine[ECKEY_PUBLIC_BYTES];
  int lfd, sessions;

  if (argc != 4 || rng == NULL || eckey_generate(rng, &key) != 0 ||
      eckey_public_raw(key, mine) != 0) {
    fprintf(stderr, "usage: mitm UPSTREAM MODE SESSIONS\n");
    return 2;
  }
  sessions = atoi(argv[3]);
  lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
      listen(lfd, 8) != 0 || getsockname(lfd, (struct sockaddr *)&sa, &sl))
    return 2;
  printf("listening on %d\n", ntohs(sa.sin_port));
  fflush(stdout);
  while (sessions-- > 0) {
    char err[128];
    int a = accept(lfd, NULL, NULL), v, i;
    if (a < 0)
      continue;
    v = attest_connect(argv[1], 5000, err, sizeof err);
    /* msg0 a->v, msg1 v->a, msg2 a->v, msg3 v->a */
    for (i = 0; v >= 0 && i < 4; i++)
      if (relay(i % 2 ? v : a, i % 2 ? a : v, i, argv[2], mine) != 0)
        break;
    if (v >= 0)
      close(v);
    close(a);
  }
  eckey_free(key);
  pfs_rng_free(rng);
  return 0;
}
