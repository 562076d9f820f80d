/*
** snapshot.c — taking snapshots during `weft run` / `weft restore`
** (snapshot.h, docs/snapshot.md). Requests come from SIGUSR1 (save and
** stop) and SIGUSR2 (save and go on), as a flag the handler sets, from
** --snapshot-at-fuel and from --checkpoint-every;
** the fuel meter polls them between slices of fuel (meter.c), and a
** request is served at the first safe point after it: a block's entry,
** reached by handing out one unit of fuel at a time once a request is
** pending, or a host call blocked when the signal came (WASI's block
** hook). The snapshot is written into --snapshot-dir as snapshot.weft
** through a fresh private temporary renamed over it, so a reader sees
** the old snapshot or the new one, never a mix.
*/
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapshot.h"
#include "weft_snapshot.h"

/* A signal seen, not yet served: 1 SIGUSR1 (save, then stop unless
** --snapshot-continue), 2 SIGUSR2 (save and go on: a checkpoint). */
static volatile sig_atomic_t requested;

static void on_request(int sig) {
  if (sig == SIGUSR1 || !requested)
    requested = sig == SIGUSR1 ? 1 : 2;
}

int cli_snap_enabled(const struct cli_snap *s) { return s->dir != NULL; }

int cli_snap_parse_option(int argc, char **argv, int *i, struct cli_snap *s) {
  const char *arg = argv[*i];
  const char *names[] = {"--snapshot-dir", "--snapshot-at-fuel",
                         "--checkpoint-every", "--snapshot-key"};
  if (strcmp(arg, "--snapshot-continue") == 0) {
    s->keep_running = 1;
    return 1;
  }
  int which = -1;
  for (int k = 0; k < 4; k++)
    if (strcmp(arg, names[k]) == 0)
      which = k;
  if (which < 0)
    return 0;
  if (*i + 1 >= argc) {
    cli_errorf("option %s needs a value", arg);
    return -1;
  }
  const char *v = argv[++*i];
  char *end;
  switch (which) {
  case 0: s->dir = v; break;
  case 1:
    if (cli_parse_u64(v, &s->at_fuel) != 0 || s->at_fuel == 0) {
      cli_errorf("--snapshot-at-fuel wants a positive number, got '%s'", v);
      return -1;
    }
    break;
  case 2:
    s->every = strtod(v, &end);
    if (end == v || *end != '\0' || !(s->every > 0) || s->every > 1e9) {
      cli_errorf("--checkpoint-every wants seconds > 0, got '%s'", v);
      return -1;
    }
    break;
  default: s->key_file = v; break;
  }
  return 1;
}

int cli_snap_setup(struct cli_snap *s) {
  s->dirfd = -1;
  /* The key opens a snapshot to restore, and shields new ones. */
  if (s->key_file) {
    if (cli_snap_key_read(s->key_file, s->key) != 0)
      return -1;
    s->has_key = 1;
  }
  if (!s->dir) {
    if (s->at_fuel || s->every > 0 || s->keep_running) {
      cli_errorf("--snapshot-at-fuel, --checkpoint-every and "
                 "--snapshot-continue need --snapshot-dir DIR");
      return -1;
    }
    return 0;
  }
  s->dirfd = cli_open_private_dir(s->dir, "--snapshot-dir");
  if (s->dirfd < 0)
    return -1;
  cli_clock_now(&s->started);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_request;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a blocked host call sees EINTR */
  if (sigaction(SIGUSR1, &sa, NULL) != 0 || sigaction(SIGUSR2, &sa, NULL) != 0)
    return -1;
  return 0;
}

void cli_snap_close(struct cli_snap *s) {
  if (s->dirfd >= 0)
    close(s->dirfd);
  s->dirfd = -1;
  memset(s->key, 0, sizeof s->key);
}

/* Save and write one snapshot; the engine is at a safe point. */
static int take(struct cli_snap *s, uint64_t used) {
  uint8_t *engine = NULL, *wasi = NULL, *run = NULL, *file = NULL;
  size_t engine_len = 0, wasi_len = 0, run_len = 0, file_len = 0;
  weft_error err;
  int rc = -1;

  memset(&err, 0, sizeof err);
  s->run.fuel_used = used;
  if (weft_snapshot_save(s->engine, s->instance, &engine, &engine_len, &err) !=
          WEFT_OK ||
      (s->wasi &&
       weft_wasi_snapshot_save(s->wasi, &wasi, &wasi_len, &err) != WEFT_OK)) {
    cli_errorf("snapshot not taken (the program goes on): %s", err.message);
  } else if (cli_snap_run_encode(&s->run, &run, &run_len) != 0) {
    cli_errorf("snapshot not taken: out of memory");
  } else {
    struct snap_parts p = {{0},    s->module,  s->module_len, run,     run_len,
                           engine, engine_len, wasi,          wasi_len};
    if (cli_snap_file_build(&p, s->has_key ? s->key : NULL, &file, &file_len) ==
            0 &&
        cli_write_at(s->dirfd, s->dir, CLI_SNAP_NAME, file, file_len, 0600,
                     NULL) == CLI_EXIT_OK) {
      s->taken++;
      rc = 0;
    }
  }
  weft_snapshot_free(s->engine, engine, engine_len);
  if (wasi)
    weft_wasi_snapshot_free(s->wasi, wasi, wasi_len);
  free(run);
  free(file);
  if (rc != 0)
    s->failed = 1;
  return rc;
}

/* Whether a request is pending; clears none. */
static int pending(struct cli_snap *s, uint64_t handed) {
  if (requested)
    return requested;
  if (s->at_fuel && !s->at_fuel_done && handed >= s->at_fuel)
    return 1;
  if (s->every > 0) {
    struct cli_clock now;
    cli_clock_now(&now);
    if (cli_clock_wall_since(&s->started, &now) - s->last_checkpoint >=
        s->every)
      return 2; /* a checkpoint: always goes on */
  }
  return 0;
}

/* A request served: whether the program stops now. */
static int served(struct cli_snap *s, int kind) {
  struct cli_clock now;
  if (kind == requested) /* not a signal that came in since */
    requested = 0;
  cli_clock_now(&now);
  s->last_checkpoint = cli_clock_wall_since(&s->started, &now);
  return kind == 1 && !s->keep_running;
}

uint64_t cli_snap_poll(struct cli_snap *s, weft_engine *engine, uint64_t handed,
                       uint64_t used, weft_trap *trap) {
  *trap = WEFT_TRAP_NONE;
  /* Before the entry is called (start functions, _initialize) nothing is
  ** armed: requests wait. */
  if (!s->dir || s->stopped || !s->instance)
    return UINT64_MAX;
  int kind = pending(s, handed);
  if (kind && weft_engine_safe_point(engine) == WEFT_SAFE_BLOCK) {
    /* A snapshot that cannot be taken (a socket, say) is reported and
    ** the program goes on: stopping it would lose it. */
    int saved = take(s, used) == 0;
    if (s->at_fuel && handed >= s->at_fuel)
      s->at_fuel_done = 1;
    if (served(s, kind) && saved) {
      s->stopped = 1;
      *trap = WEFT_TRAP_INTERRUPTED;
      return 0;
    }
    kind = 0;
  }
  /* Pending but not at a block's entry (a host function or a bulk
  ** operation is paying): one unit, so the next entry asks again. */
  if (kind)
    return 1;
  /* Run dry exactly where --snapshot-at-fuel says. */
  if (s->at_fuel && !s->at_fuel_done && handed < s->at_fuel)
    return s->at_fuel - handed;
  return UINT64_MAX;
}

weft_status cli_snap_blocked(void *user) {
  struct cli_snap *s = user;
  weft_engine *e = s->engine;
  int kind = requested;
  if (!kind || s->stopped || weft_engine_safe_point(e) != WEFT_SAFE_CALL)
    return WEFT_OK; /* issue the call again */
  /* The block is paid; what the engine holds is what was used. */
  int saved = take(s, cli_meter_used(s->meter, e)) == 0;
  if (served(s, kind) && saved) {
    s->stopped = 1;
    return WEFT_ERR_TRAP;
  }
  return WEFT_OK;
}

/* ---- the run section -------------------------------------------------- */

struct buf {
  uint8_t *p;
  size_t n, cap;
  int fail;
};

static void put(struct buf *b, const void *src, size_t n) {
  if (b->fail || n == 0)
    return;
  if (n > b->cap - b->n) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap - b->n < n)
      cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
      b->fail = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, src, n);
  b->n += n;
}

static void put_u64(struct buf *b, uint64_t v) {
  uint8_t x[8];
  for (int i = 0; i < 8; i++)
    x[i] = (uint8_t)(v >> (8 * i));
  put(b, x, 8);
}

static void put_str(struct buf *b, const char *s) {
  size_t n = s ? strlen(s) : 0;
  put_u64(b, n);
  put(b, s, n);
}

int cli_snap_run_encode(const struct snap_run *r, uint8_t **out, size_t *len) {
  struct buf b = {0};
  put_u64(&b, 1); /* version of this section */
  put_str(&b, r->invoke);
  put_u64(&b, r->fuel_used);
  put_u64(&b, r->fuel_budget);
  put_u64(&b, r->ndirs);
  for (uint32_t i = 0; i < r->ndirs; i++) {
    put_str(&b, r->guest[i]);
    put_str(&b, r->host[i]);
    put(&b, &r->flags[i], 1);
  }
  if (b.fail) {
    free(b.p);
    return -1;
  }
  *out = b.p;
  *len = b.n;
  return 0;
}

struct rd {
  const uint8_t *p;
  size_t n, at;
  int fail;
};

static uint64_t get_u64(struct rd *r) {
  uint64_t v = 0;
  if (r->fail || r->n - r->at < 8) {
    r->fail = 1;
    return 0;
  }
  for (int i = 0; i < 8; i++)
    v |= (uint64_t)r->p[r->at + i] << (8 * i);
  r->at += 8;
  return v;
}

/* A string copied NUL-terminated into `*pool` (room checked by the
** caller's sizing: the pool is as big as the section). */
static const char *get_str(struct rd *r, char **pool) {
  uint64_t n = get_u64(r);
  if (r->fail || n > r->n - r->at || memchr(r->p + r->at, 0, (size_t)n)) {
    r->fail = 1;
    return "";
  }
  char *s = *pool;
  memcpy(s, r->p + r->at, (size_t)n);
  s[n] = '\0';
  *pool += n + 1;
  r->at += (size_t)n;
  return s;
}

/* What a decoded run section points into. */
struct snap_keep {
  char *pool;
  void *arrays;
};

int cli_snap_run_decode(const char *path, const uint8_t *bytes, size_t len,
                        struct snap_run *out, void **keep) {
  struct rd r = {bytes, len, 0, 0};
  memset(out, 0, sizeof *out);
  *keep = NULL;
  if (get_u64(&r) != 1) {
    cli_errorf("%s: snapshot's run section has an unknown version", path);
    return -1;
  }
  /* Strings need len + 1 bytes each; there are at most len / 8 of them. */
  size_t pool_size = len + len / 8 + 1;
  uint64_t ndirs;
  char *pool = malloc(pool_size), *at = pool;
  if (!pool) {
    cli_errorf("%s: out of memory", path);
    return -1;
  }
  out->invoke = get_str(&r, &at);
  out->fuel_used = get_u64(&r);
  out->fuel_budget = get_u64(&r);
  ndirs = get_u64(&r);
  if (!r.fail && ndirs > (len - r.at) / 17)
    r.fail = 1;
  void *arrays = NULL;
  if (!r.fail && ndirs) {
    arrays = calloc((size_t)ndirs, 2 * sizeof(char *) + 1);
    if (!arrays)
      r.fail = 1;
  }
  if (arrays) {
    out->guest = arrays;
    out->host = out->guest + ndirs;
    out->flags = (uint8_t *)(out->host + ndirs);
  }
  for (uint64_t i = 0; i < ndirs && !r.fail; i++) {
    out->guest[i] = get_str(&r, &at);
    out->host[i] = get_str(&r, &at);
    if (r.n - r.at < 1)
      r.fail = 1;
    else
      out->flags[i] = r.p[r.at++];
  }
  out->ndirs = (uint32_t)ndirs;
  if (r.fail || r.at != r.n || out->fuel_used > out->fuel_budget) {
    cli_errorf("%s: malformed snapshot: its run section", path);
    free(pool);
    free(arrays);
    memset(out, 0, sizeof *out);
    return -1;
  }
  if (!out->invoke[0])
    out->invoke = NULL;
  struct snap_keep *k = malloc(sizeof *k);
  if (!k) {
    free(pool);
    free(arrays);
    cli_errorf("%s: out of memory", path);
    return -1;
  }
  k->pool = pool;
  k->arrays = arrays;
  *keep = k;
  return 0;
}

void cli_snap_run_free(void *keep) {
  struct snap_keep *k = keep;
  if (!k)
    return;
  free(k->pool);
  free(k->arrays);
  free(k);
}
