/*
** wasi_sys_posix.c — weft_wasi_sys_host(): clocks (clock_gettime),
** randomness (getrandom, /dev/urandom where it is missing), waiting
** (ppoll) and sched_yield for WASI on a POSIX host.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include "weft_wasi_fs.h"
#include "wasi_posix.h"

static int clock_of(uint32_t id, clockid_t *out) {
  switch (id) {
  case WEFT_WASI_CLOCK_REALTIME: *out = CLOCK_REALTIME; return 0;
  case WEFT_WASI_CLOCK_MONOTONIC: *out = CLOCK_MONOTONIC; return 0;
  case WEFT_WASI_CLOCK_PROCESS_CPUTIME:
    *out = CLOCK_PROCESS_CPUTIME_ID;
    return 0;
  case WEFT_WASI_CLOCK_THREAD_CPUTIME: *out = CLOCK_THREAD_CPUTIME_ID; return 0;
  default: return -1;
  }
}

static uint64_t ns_of(const struct timespec *ts) {
  return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static weft_wasi_errno sys_clock_res(void *user, uint32_t id,
                                     uint64_t *out_ns) {
  clockid_t c;
  struct timespec ts;
  (void)user;
  if (clock_of(id, &c) != 0)
    return WEFT_WASI_EINVAL;
  if (clock_getres(c, &ts) != 0)
    return wf_posix_errno(errno);
  *out_ns = ns_of(&ts);
  if (*out_ns == 0)
    *out_ns = 1;
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno sys_clock_time(void *user, uint32_t id,
                                      uint64_t *out_ns) {
  clockid_t c;
  struct timespec ts;
  (void)user;
  if (clock_of(id, &c) != 0)
    return WEFT_WASI_EINVAL;
  if (clock_gettime(c, &ts) != 0)
    return wf_posix_errno(errno);
  *out_ns = ns_of(&ts);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno urandom(unsigned char *p, size_t len) {
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return wf_posix_errno(errno);
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(fd);
      return WEFT_WASI_EIO;
    }
    p += n;
    len -= (size_t)n;
  }
  close(fd);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno sys_random(void *user, void *buf, size_t len) {
  unsigned char *p = buf;
  (void)user;
#if defined(__linux__)
  while (len > 0) {
    ssize_t n = getrandom(p, len > 33554431 ? 33554431 : len, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == ENOSYS)
      return urandom(p, len);
    if (n < 0)
      return wf_posix_errno(errno);
    p += n;
    len -= (size_t)n;
  }
  return WEFT_WASI_ESUCCESS;
#else
  return urandom(p, len);
#endif
}

static uint8_t readiness(short revents) {
  if (revents & (POLLERR | POLLNVAL))
    return 3;
  if (revents & POLLHUP)
    return 2;
  if (revents & (POLLIN | POLLOUT))
    return 1;
  return 0;
}

static weft_wasi_errno sys_poll(void *user, weft_wasi_pollfd *fds, size_t n,
                                int64_t timeout_ns) {
  struct pollfd local[64], *p = local;
  struct timespec ts, *tsp = NULL;
  size_t i;
  int r;

  (void)user;
  if (n > 64) {
    p = calloc(n, sizeof *p);
    if (p == NULL)
      return WEFT_WASI_ENOMEM;
  }
  for (i = 0; i < n; i++) {
    p[i].fd = fds[i].host_fd;
    p[i].events = fds[i].want == 1 ? POLLIN : POLLOUT;
    p[i].revents = 0;
  }
  if (timeout_ns >= 0) {
    ts.tv_sec = (time_t)(timeout_ns / 1000000000);
    ts.tv_nsec = (long)(timeout_ns % 1000000000);
    tsp = &ts;
  }
  r = ppoll(p, (nfds_t)n, tsp, NULL);
  if (r < 0) {
    int e = errno;
    if (p != local)
      free(p);
    return wf_posix_errno(e); /* EINTR too: WASI asks its block hook */
  }
  for (i = 0; i < n; i++) {
    int avail = 0;
    fds[i].ready = readiness(p[i].revents);
    fds[i].nbytes = 0;
    if (fds[i].ready != 0 && fds[i].want == 1 &&
        ioctl(p[i].fd, FIONREAD, &avail) == 0 && avail > 0)
      fds[i].nbytes = (uint64_t)avail;
  }
  if (p != local)
    free(p);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno sys_yield(void *user) {
  (void)user;
  sched_yield();
  return WEFT_WASI_ESUCCESS;
}

static const weft_wasi_sys host_sys = {
    .version = WEFT_WASI_SYS_VERSION,
    .clock_res = sys_clock_res,
    .clock_time = sys_clock_time,
    .random = sys_random,
    .poll = sys_poll,
    .yield = sys_yield,
};

const weft_wasi_sys *weft_wasi_sys_host(void) { return &host_sys; }
