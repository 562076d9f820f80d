/*
** snapshot.h — snapshots for `weft run` and `weft restore`
** (docs/snapshot.md): when to take one (SIGUSR1, --snapshot-at-fuel,
** --checkpoint-every), taking it at the next safe point, writing it into
** --snapshot-dir, and the run section (what the CLI itself must remember:
** the entry, the fuel, the directories).
*/
#ifndef WEFT_CLI_SNAPSHOT_H
#define WEFT_CLI_SNAPSHOT_H

#include <stdint.h>

#include "cli.h"
#include "snap_file.h"
#include "weft.h"
#include "weft_wasi.h"

#define CLI_SNAP_NAME "snapshot.weft"

/* The run section: the entry (NULL: _start), fuel used and budget, and
** the directories as given on the command line. */
struct snap_run {
  const char *invoke;
  uint64_t fuel_used;
  uint64_t fuel_budget; /* UINT64_MAX: none */
  uint32_t ndirs;
  const char **guest; /* per directory: guest path, host path, flags */
  const char **host;
  uint8_t *flags; /* 1: read-only, 2: protected */
};
#define SNAP_DIR_RO 1
#define SNAP_DIR_PROTECTED 2

struct cli_snap {
  /* options */
  const char *dir;      /* --snapshot-dir: where snapshots go, or NULL */
  uint64_t at_fuel;     /* --snapshot-at-fuel N: at the first safe point
                           once N fuel is used (0: none) */
  double every;         /* --checkpoint-every S: a checkpoint each S s */
  int keep_running;     /* --snapshot-continue: SIGUSR1 and --snapshot-at-
                           fuel save and go on (checkpoints) */
  const char *key_file; /* --snapshot-key */
  uint8_t key[SNAP_KEY_BYTES];
  int has_key;
  /* the program, set before it runs */
  weft_engine *engine;
  struct cli_meter *meter; /* what tells the fuel used */
  weft_instance *instance;
  weft_wasi *wasi;
  const uint8_t *module;
  size_t module_len;
  struct snap_run run; /* its fuel_used is set when a snapshot is taken */
  /* state */
  struct cli_clock started;
  int dirfd;
  int at_fuel_done;
  double last_checkpoint; /* wall seconds since the start */
  unsigned taken;         /* snapshots written */
  int stopped;            /* the program stopped after a snapshot */
  int failed;             /* a snapshot could not be taken (reported) */
};

/* Parses one snapshot option at argv[*i] (advancing *i past its value):
** 1 when it was one, 0 when not, -1 after reporting a bad value. */
int cli_snap_parse_option(int argc, char **argv, int *i, struct cli_snap *s);
/* Checks the options together, opens the directory and reads the key;
** installs the SIGUSR1 handler. 0, or -1 after reporting. A no-op without
** snapshot options. */
int cli_snap_setup(struct cli_snap *s);
int cli_snap_enabled(const struct cli_snap *s);
void cli_snap_close(struct cli_snap *s);

/* For the fuel meter, between slices: `handed` is the fuel given to the
** engine so far, counting what was used before a restore. Returns the
** most fuel to hand out now (UINT64_MAX: no limit), and in *trap what to
** return from the hook instead (WEFT_TRAP_NONE: hand out and go on). */
uint64_t cli_snap_poll(struct cli_snap *s, weft_engine *engine, uint64_t handed,
                       uint64_t used, weft_trap *trap);
/* WASI's block hook (weft_wasi_set_block_hook; user: the cli_snap). */
weft_status cli_snap_blocked(void *user);

/* Encodes `r` (malloc'd); 0 or -1 when out of memory. */
int cli_snap_run_encode(const struct snap_run *r, uint8_t **out, size_t *len);
/* Decodes bytes into `r`, whose strings point into a copy owned by *keep
** (free it after use). 0, or -1 after reporting (naming `path`). */
int cli_snap_run_decode(const char *path, const uint8_t *bytes, size_t len,
                        struct snap_run *r, void **keep);
void cli_snap_run_free(void *keep);

#endif /* WEFT_CLI_SNAPSHOT_H */
