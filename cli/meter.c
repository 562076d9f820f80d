/*
** meter.c — fuel for `weft run`: --fuel N hands the engine its budget;
** --deadline S hands it out in slices through the engine's fuel hook, which
** looks at the wall clock between slices and stops the program once the
** deadline has passed. The fuel consumed stays exact either way (the hook
** only decides when the next slice is given), so --account reports the
** same figure with or without a deadline. Bulk operations pay for their
** length before they run (runtime/bulk.c), asking for as many slices as
** that takes, so a program busy in memory.fill meets the clock too and
** ends with the trap "interrupted" and its account. A program blocked
** inside a host call never asks for fuel; an alarm one second past the
** deadline ends the process as a last resort (no account then). Requests
** for snapshots (snapshot.c) are polled between slices too, and may cap
** the next slice.
*/
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli.h"
#include "snapshot.h"

/* Wall time between deadline checks: ~1 ms of compiled code, ~10 ms
** interpreted. */
#define METER_SLICE ((uint64_t)1 << 22)
#define METER_GRACE_SECONDS 1

static weft_trap meter_refuel(void *user, weft_engine *engine) {
  struct cli_meter *m = user;
  uint64_t add, most = UINT64_MAX;

  if (m->deadline_seconds > 0) {
    struct cli_clock now;
    cli_clock_now(&now);
    if (cli_clock_wall_since(&m->started, &now) >= m->deadline_seconds) {
      m->deadline_hit = 1;
      return WEFT_TRAP_INTERRUPTED;
    }
  }
  if (m->snap) {
    weft_trap t;
    uint64_t handed = m->used_before + (m->budget - m->unhanded);
    most =
        cli_snap_poll(m->snap, engine, handed, cli_meter_used(m, engine), &t);
    if (t != WEFT_TRAP_NONE)
      return t;
  }
  if (m->unhanded == 0)
    return WEFT_TRAP_OUT_OF_FUEL;
  add = m->unhanded < METER_SLICE ? m->unhanded : METER_SLICE;
  if (add > most)
    add = most;
  m->unhanded -= add;
  weft_engine_set_fuel(engine, weft_engine_fuel(engine) + add);
  return WEFT_TRAP_NONE;
}

static void blocked_past_deadline(int sig) {
  static const char msg[] =
      "weft: the --deadline passed while the program was blocked in a host "
      "call; stopped\n";
  (void)sig;
  (void)!write(2, msg, sizeof msg - 1);
  _exit(CLI_EXIT_TRAP);
}

int cli_meter_start(struct cli_meter *m, weft_engine *engine, uint64_t fuel,
                    double deadline_seconds, struct cli_snap *snap,
                    uint64_t used_before) {
  memset(m, 0, sizeof m[0]);
  m->budget = fuel;
  m->used_before = used_before;
  m->snap = snap && cli_snap_enabled(snap) ? snap : NULL;
  cli_clock_now(&m->started);
  if (deadline_seconds <= 0 && !m->snap) {
    /* All at once; the engine holds at most INT64_MAX (never used up). */
    if (fuel > (uint64_t)INT64_MAX)
      m->budget = (uint64_t)INT64_MAX;
    weft_engine_set_fuel(engine, fuel);
    return 0;
  }
  m->deadline_seconds = deadline_seconds;
  m->unhanded = fuel;
  weft_engine_set_fuel(engine, 0); /* the first block asks the hook */
  weft_engine_set_fuel_hook(engine, meter_refuel, m);
  if (deadline_seconds <= 0)
    return 0;

  struct itimerval t;
  double at = deadline_seconds + METER_GRACE_SECONDS;
  memset(&t, 0, sizeof t);
  t.it_value.tv_sec = (time_t)at;
  t.it_value.tv_usec = (suseconds_t)((at - (double)(time_t)at) * 1e6);
  signal(SIGALRM, blocked_past_deadline);
  return setitimer(ITIMER_REAL, &t, NULL);
}

void cli_meter_stop(struct cli_meter *m) {
  struct itimerval off;
  if (m->deadline_seconds <= 0)
    return;
  memset(&off, 0, sizeof off);
  setitimer(ITIMER_REAL, &off, NULL);
}

uint64_t cli_meter_used(const struct cli_meter *m, const weft_engine *engine) {
  return m->used_before + (m->budget - m->unhanded - weft_engine_fuel(engine));
}
