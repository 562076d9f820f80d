/*
** idle_peers.c — the slot-exhaustion attacker of tests/attest/run.sh:
** opens N TCP connections to a verifier, spread round-robin over the
** given source addresses (127.0.0.2, 127.0.0.3, ... on loopback), sends
** nothing on any of them, and watches which ones the verifier closes.
**
** usage: idle_peers HOST PORT N HOLD-SECONDS SRC [SRC...]
** Prints "connected C of N" once every connect has finished (or after 3 s),
** then, when all are closed or HOLD-SECONDS have passed, "dropped D of C".
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A non-blocking connect from src to host:port; -1 on failure. */
static int open_from(const char *src, const char *host, int port) {
  struct sockaddr_in from, to;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -1;
  memset(&from, 0, sizeof from);
  from.sin_family = AF_INET;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, src, &from.sin_addr) != 1 ||
      inet_pton(AF_INET, host, &to.sin_addr) != 1 ||
      bind(fd, (struct sockaddr *)&from, sizeof from) != 0 ||
      (connect(fd, (struct sockaddr *)&to, sizeof to) != 0 &&
       errno != EINPROGRESS)) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Waits until every connect has finished; returns how many succeeded
** (the failed ones are closed and set to -1). */
static int wait_connected(struct pollfd *p, int n) {
  long long end = now_ms() + 3000;
  int pending = 0, done = 0;
  for (int i = 0; i < n; i++) {
    p[i].events = POLLOUT;
    pending += p[i].fd >= 0;
  }
  while (pending > 0 && now_ms() < end) {
    if (poll(p, (nfds_t)n, 100) <= 0)
      continue;
    for (int i = 0; i < n; i++) {
      int err = 0;
      socklen_t len = sizeof err;
      if (p[i].fd < 0 || p[i].events == 0 || p[i].revents == 0)
        continue;
      getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
      p[i].events = 0;
      pending--;
      if (err != 0) {
        close(p[i].fd);
        p[i].fd = -1;
      } else {
        done++;
      }
    }
  }
  return done;
}

/* Until all are closed by the peer or the time is up: how many were. */
static int watch_drops(struct pollfd *p, int n, int hold_s) {
  long long end = now_ms() + (long long)hold_s * 1000;
  int open = 0, dropped = 0;
  for (int i = 0; i < n; i++) {
    p[i].events = POLLIN;
    open += p[i].fd >= 0;
  }
  while (open > 0 && now_ms() < end) {
    if (poll(p, (nfds_t)n, 100) <= 0)
      continue;
    for (int i = 0; i < n; i++) {
      char buf[512];
      if (p[i].fd < 0 || p[i].revents == 0)
        continue;
      ssize_t got = read(p[i].fd, buf, sizeof buf); /* a refusal, then EOF */
      if (got > 0 || (got < 0 && errno == EAGAIN))
        continue;
      close(p[i].fd);
      p[i].fd = -1;
      open--;
      dropped++;
    }
  }
  return dropped;
}

int main(int argc, char **argv) {
  static struct pollfd p[MAX_CONNS];
  int n, hold, connected;
  if (argc < 6) {
    fprintf(stderr, "usage: idle_peers HOST PORT N HOLD-SECONDS SRC...\n");
    return 2;
  }
  n = atoi(argv[3]);
  hold = atoi(argv[4]);
  if (n <= 0 || n > MAX_CONNS || hold <= 0)
    return 2;
  for (int i = 0; i < n; i++)
    p[i].fd = open_from(argv[5 + i % (argc - 5)], argv[1], atoi(argv[2]));
  connected = wait_connected(p, n);
  printf("connected %d of %d\n", connected, n);
  fflush(stdout);
  printf("dropped %d of %d\n", watch_drops(p, n, hold), connected);
  return 0;
}
