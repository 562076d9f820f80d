/*
** poll.c — poll_oneoff: a relative clock timeout (monotonic and
** realtime), an absolute deadline, a ready regular file for reading and
** writing beside a long timeout (returns at once with the fd events),
** stdout ready for writing, several clocks (the earliest fires), the event
** fields (userdata, type, error), and the errors: no subscriptions, an
** unknown clock, a bad fd, an unknown event type. libc sleep on top.
*/
//! case poll 0 -- --dir @PRE@::/sandbox @WASM@

#include "wt.h"
#include <time.h>
#include <unistd.h>

static u32 dir;
#define MS 1000000ull

static __wasi_subscription_t clock_sub(u64 userdata, u32 id, u64 timeout,
                                       u16 flags) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = flags;
  return s;
}

static __wasi_subscription_t fd_sub(u64 userdata, u8 type, u32 fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = type;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

static void check_clocks(void) {
  WT_SECTION("clock timeouts");
  __wasi_event_t ev[4];
  u32 n = 0;
  for (u32 id = 0; id < 2; id++) {
    __wasi_subscription_t s = clock_sub(0x1234567890ABCDEFull + id, id, 20 * MS, 0);
    memset(ev, 0xAA, sizeof ev);
    u64 t0 = wt_now(__WASI_CLOCKID_MONOTONIC);
    CHECK_OK(wr_poll_oneoff(P(&s), P(ev), 1, P(&n)));
    u64 dt = wt_now(__WASI_CLOCKID_MONOTONIC) - t0;
    CHECK(n == 1, "clock %u: %u events", id, n);
    CHECK(dt >= 20 * MS, "clock %u: 20 ms timeout returned after %llu ns", id,
          (unsigned long long)dt);
    CHECK(dt < 2000 * MS, "clock %u: 20 ms timeout took %llu ms", id,
          (unsigned long long)(dt / MS));
    CHECK(ev[0].userdata == 0x1234567890ABCDEFull + id && ev[0].error == 0 &&
              ev[0].type == __WASI_EVENTTYPE_CLOCK,
          "clock event: userdata %llx error %u type %u",
          (unsigned long long)ev[0].userdata, ev[0].error, ev[0].type);
  }
  /* absolute deadline on the monotonic clock */
  u64 now = wt_now(__WASI_CLOCKID_MONOTONIC);
  __wasi_subscription_t s = clock_sub(7, __WASI_CLOCKID_MONOTONIC, now + 30 * MS,
                                      __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  CHECK_OK(wr_poll_oneoff(P(&s), P(ev), 1, P(&n)));
  u64 after = wt_now(__WASI_CLOCKID_MONOTONIC);
  CHECK(n == 1 && ev[0].userdata == 7, "abstime: %u events", n);
  CHECK(after >= now + 30 * MS, "abstime deadline returned %llu ns early",
        (unsigned long long)(now + 30 * MS - after));
  /* a deadline in the past fires at once */
  s = clock_sub(8, __WASI_CLOCKID_MONOTONIC, 1,
                __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  now = wt_now(__WASI_CLOCKID_MONOTONIC);
  CHECK_OK(wr_poll_oneoff(P(&s), P(ev), 1, P(&n)));
  CHECK(n == 1 && wt_now(__WASI_CLOCKID_MONOTONIC) - now < 500 * MS,
        "past deadline did not fire at once");
  /* zero timeout */
  s = clock_sub(9, __WASI_CLOCKID_REALTIME, 0, 0);
  CHECK_OK(wr_poll_oneoff(P(&s), P(ev), 1, P(&n)));
  CHECK(n == 1 && ev[0].userdata == 9, "zero timeout: %u events", n);
  /* three clocks: the 10 ms one fires first, alone */
  __wasi_subscription_t three[3] = {
      clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0),
      clock_sub(2, __WASI_CLOCKID_MONOTONIC, 10 * MS, 0),
      clock_sub(3, __WASI_CLOCKID_MONOTONIC, 3000 * MS, 0)};
  now = wt_now(__WASI_CLOCKID_MONOTONIC);
  CHECK_OK(wr_poll_oneoff(P(three), P(ev), 3, P(&n)));
  after = wt_now(__WASI_CLOCKID_MONOTONIC);
  CHECK(n == 1 && ev[0].userdata == 2, "three clocks: %u events, first %llu", n,
        (unsigned long long)ev[0].userdata);
  CHECK(after - now < 2000 * MS, "three clocks took %llu ms",
        (unsigned long long)((after - now) / MS));
}

static void check_fds(void) {
  WT_SECTION("ready fds");
  CHECK_OK(wt_put(dir, "ready.txt", "0123456789"));
  int64_t f = wt_open(dir, 0, "ready.txt", 0, R_ALL, 0);
  if (!CHECK(f > 2, "open ready.txt"))
    return;
  u32 fd = (u32)f;
  __wasi_subscription_t subs[3] = {
      clock_sub(100, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0),
      fd_sub(101, __WASI_EVENTTYPE_FD_READ, fd),
      fd_sub(102, __WASI_EVENTTYPE_FD_WRITE, fd)};
  __wasi_event_t ev[3];
  memset(ev, 0xAA, sizeof ev);
  u32 n = 0;
  u64 t0 = wt_now(__WASI_CLOCKID_MONOTONIC);
  CHECK_OK(wr_poll_oneoff(P(subs), P(ev), 3, P(&n)));
  u64 dt = wt_now(__WASI_CLOCKID_MONOTONIC) - t0;
  CHECK(dt < 1000 * MS, "a ready file waited %llu ms for the clock",
        (unsigned long long)(dt / MS));
  CHECK(n == 2, "%u events, expected the read and the write", n);
  int got_r = 0, got_w = 0;
  for (u32 i = 0; i < n && i < 3; i++) {
    CHECK(ev[i].error == 0, "event %u error %u", i, ev[i].error);
    if (ev[i].userdata == 101)
      got_r = ev[i].type == __WASI_EVENTTYPE_FD_READ;
    else if (ev[i].userdata == 102)
      got_w = ev[i].type == __WASI_EVENTTYPE_FD_WRITE;
    else
      CHECK(0, "unexpected event userdata %llu type %u",
            (unsigned long long)ev[i].userdata, ev[i].type);
  }
  CHECK(got_r && got_w, "read event %d write event %d", got_r, got_w);
  /* only a read subscription, no clock */
  __wasi_subscription_t r = fd_sub(5, __WASI_EVENTTYPE_FD_READ, fd);
  CHECK_OK(wr_poll_oneoff(P(&r), P(ev), 1, P(&n)));
  CHECK(n == 1 && ev[0].userdata == 5 && ev[0].type == __WASI_EVENTTYPE_FD_READ,
        "read-only poll: %u events", n);
  /* stdout is writable */
  __wasi_subscription_t w = fd_sub(6, __WASI_EVENTTYPE_FD_WRITE, 1);
  CHECK_OK(wr_poll_oneoff(P(&w), P(ev), 1, P(&n)));
  CHECK(n == 1 && ev[0].userdata == 6 && ev[0].type == __WASI_EVENTTYPE_FD_WRITE &&
            ev[0].error == 0,
        "stdout write poll: %u events, error %u", n, ev[0].error);

  WT_SECTION("poll errors");
  /* no subscriptions: EINVAL (wasmtime) */
  CHECK_ERR(wr_poll_oneoff(P(subs), P(ev), 0, P(&n)), __WASI_ERRNO_INVAL);
  /* an unknown clock id */
  __wasi_subscription_t bad = clock_sub(1, 9, 10 * MS, 0);
  CHECK_ERR(wr_poll_oneoff(P(&bad), P(ev), 1, P(&n)), __WASI_ERRNO_INVAL);
  /* an unknown event type */
  bad = fd_sub(1, 3, fd);
  CHECK_ERR(wr_poll_oneoff(P(&bad), P(ev), 1, P(&n)), __WASI_ERRNO_INVAL);
  /* a bad fd: EBADF from the call (wasmtime), or an event with error EBADF */
  bad = fd_sub(77, __WASI_EVENTTYPE_FD_READ, 4000);
  memset(ev, 0, sizeof ev);
  n = 0;
  u32 e = wr_poll_oneoff(P(&bad), P(ev), 1, P(&n));
  CHECK(e == __WASI_ERRNO_BADF ||
            (e == 0 && n == 1 && ev[0].userdata == 77 &&
             ev[0].error == __WASI_ERRNO_BADF),
        "poll on a bad fd: %s, %u events, error %u", wt_errno_name(e), n,
        ev[0].error);
  CHECK_OK(wr_fd_close(fd));

  WT_SECTION("libc sleep");
  u64 t = wt_now(__WASI_CLOCKID_MONOTONIC);
  struct timespec ts = {0, 15 * 1000 * 1000};
  CHECK(nanosleep(&ts, NULL) == 0, "nanosleep");
  CHECK(wt_now(__WASI_CLOCKID_MONOTONIC) - t >= 15 * MS, "nanosleep too short");
  CHECK(usleep(1000) == 0, "usleep");
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  check_clocks();
  check_fds();
  return wt_finish();
}
