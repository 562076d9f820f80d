/*
** fixed_clock.c — a wall clock that reads the same in every run, linked
** into the snapshot tier's speedtest1 (tests/snapshot/run.sh) with
** -Wl,--wrap=gettimeofday -Wl,--wrap=time. speedtest1 prints each test's
** elapsed time from SQLite's VFS clock (gettimeofday), and SQLite seeds
** its PRNG with time() when /dev/urandom cannot be opened: with the host's
** clock, the digits printed, and so the fuel used, change from run to run.
** Here every reading is one millisecond after the previous one, from a
** fixed start, so a run's output and fuel depend on nothing outside it
** (and a restored run continues the same sequence: the counter is in
** linear memory).
*/
#include <stddef.h>
#include <sys/time.h>
#include <time.h>

static long long fixed_us = 1700000000LL * 1000000;

int __wrap_gettimeofday(struct timeval *tv, void *tz);
time_t __wrap_time(time_t *t);

int __wrap_gettimeofday(struct timeval *tv, void *tz) {
  (void)tz;
  fixed_us += 1000;
  if (tv) {
    tv->tv_sec = (time_t)(fixed_us / 1000000);
    tv->tv_usec = (suseconds_t)(fixed_us % 1000000);
  }
  return 0;
}

time_t __wrap_time(time_t *t) {
  time_t now = (time_t)(fixed_us / 1000000);
  if (t)
    *t = now;
  return now;
}
