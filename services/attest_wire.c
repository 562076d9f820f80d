/*
** attest_wire.c — the handshake's transport: TCP, frames of a 4-byte
** big-endian length then the bytes, hard size caps, and a deadline for
** every read and write so a silent or slow peer cannot hold the other
** side past ATTEST_TIMEOUT_MS.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "attest.h"

int64_t attest_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for `events` or the deadline passes. */
static int wait_ready(int fd, short events, int64_t deadline) {
  for (;;) {
    struct pollfd p = {fd, events, 0};
    int64_t left = deadline - attest_now_ms();
    int rc;
    if (left <= 0)
      return -1;
    rc = poll(&p, 1, left > 60000 ? 60000 : (int)left);
    if (rc > 0)
      return 0;
    if (rc < 0 && errno != EINTR)
      return -1;
  }
}

static int io_all(int fd, uint8_t *buf, size_t len, int writing,
                  int64_t deadline, char *err, size_t errlen) {
  size_t done = 0;
  while (done < len) {
    ssize_t n;
    if (wait_ready(fd, writing ? POLLOUT : POLLIN, deadline) != 0) {
      snprintf(err, errlen, "peer timed out");
      return -1;
    }
    n = writing ? send(fd, buf + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT)
                : recv(fd, buf + done, len - done, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
      continue;
    if (n <= 0) {
      snprintf(err, errlen, "%s",
               n == 0 ? "peer closed the connection" : strerror(errno));
      return -1;
    }
    done += (size_t)n;
  }
  return 0;
}

int attest_send_frame(int fd, const uint8_t *data, size_t len, int64_t deadline,
                      char *err, size_t errlen) {
  uint8_t *frame;
  int rc;
  if (len > ATTEST_MAX_FRAME) {
    snprintf(err, errlen, "frame too large to send");
    return -1;
  }
  /* One write for head and body: two small writes would meet Nagle's
  ** algorithm and the peer's delayed ACK. */
  frame = malloc(4 + len);
  if (frame == NULL) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  frame[0] = (uint8_t)(len >> 24);
  frame[1] = (uint8_t)(len >> 16);
  frame[2] = (uint8_t)(len >> 8);
  frame[3] = (uint8_t)len;
  if (len > 0)
    memcpy(frame + 4, data, len);
  rc = io_all(fd, frame, 4 + len, 1, deadline, err, errlen);
  free(frame);
  return rc;
}

int attest_recv_frame(int fd, uint8_t *buf, size_t cap, size_t *len,
                      int64_t deadline, char *err, size_t errlen) {
  uint8_t head[4];
  uint32_t n;
  if (io_all(fd, head, 4, 0, deadline, err, errlen) != 0)
    return -1;
  n = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 |
      (uint32_t)head[2] << 8 | head[3];
  if (n == 0 || n > cap || n > ATTEST_MAX_FRAME) {
    snprintf(err, errlen, "frame of %u bytes refused (limit %zu)", n,
             cap < ATTEST_MAX_FRAME ? cap : (size_t)ATTEST_MAX_FRAME);
    return -1;
  }
  if (io_all(fd, buf, n, 0, deadline, err, errlen) != 0)
    return -1;
  *len = n;
  return 0;
}

/* Splits "HOST:PORT" ("[V6]:PORT" too). */
static int split_host_port(const char *spec, char *host, size_t size,
                           const char **port) {
  const char *colon = strrchr(spec, ':');
  size_t n;
  if (colon == NULL || colon == spec || colon[1] == '\0')
    return -1;
  n = (size_t)(colon - spec);
  if (spec[0] == '[' && n >= 2 && spec[n - 1] == ']') {
    spec++;
    n -= 2;
  }
  if (n >= size)
    return -1;
  memcpy(host, spec, n);
  host[n] = '\0';
  *port = colon + 1;
  return 0;
}

int attest_connect(const char *spec, int timeout_ms, char *err, size_t errlen) {
  struct addrinfo hints, *res = NULL, *ai;
  char host[256];
  const char *port;
  int fd = -1, rc;
  int64_t deadline = attest_now_ms() + timeout_ms;

  if (split_host_port(spec, host, sizeof host, &port) != 0) {
    snprintf(err, errlen, "'%s' is not HOST:PORT", spec);
    return -1;
  }
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) {
    snprintf(err, errlen, "%s: %s", spec, gai_strerror(rc));
    return -1;
  }
  for (ai = res; ai != NULL; ai = ai->ai_next) {
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                ai->ai_protocol);
    if (fd < 0)
      continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
        (errno == EINPROGRESS && wait_ready(fd, POLLOUT, deadline) == 0 &&
         getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0))
      break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0)
    snprintf(err, errlen, "cannot connect to %s", spec);
  return fd;
}
