/*
** test_snapshot.c — weft_snapshot.h in the interpreter: a program stopped
** at any safe point and continued in a fresh engine from its snapshot
** ends with the same result, memory, globals and total fuel as a run that
** was never stopped; so does a chain of snapshots of restored programs.
** Snapshots cut short or with a byte changed anywhere are refused or, when
** the change is only in a value, continue without crashing; references
** restored name the same functions. Restored into a module loaded
** precompiled (nothing lowered yet), the restore lowers the functions its
** frames are in and the runs end the same. The fuzz harness's seeds
** (tests/fuzz/corpus-snapshot/) and 400 mutations of real
** snapshots run through tests/fuzz/fuzz_snapshot.c on every build.
**
** WEFT_SNAPSHOT_SEEDS=DIR writes seeds (real snapshots) into DIR.
*/
#define FUZZ_NO_ENTRY 1
#include "../fuzz/fuzz_snapshot.c" /* the module, the harness */

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "t.h"

static uint8_t *wasm;
static size_t wasm_len;

struct prog {
  weft_engine *e;
  weft_module *m;
  weft_instance *inst;
};

/* Set: resume_run loads the module precompiled, its bodies lowered on
** first need (the restore's frames first). */
static int restore_precompiled;

static int prog_new(struct prog *p, int precompiled) {
  weft_config c;
  weft_error err;
  memset(p, 0, sizeof *p);
  weft_config_default(&c);
  c.fuel_metering = 1;
  c.guard_pages = 0; /* many short-lived engines */
  if (weft_engine_new(&c, &p->e, &err) != WEFT_OK)
    return -1;
  return (precompiled ? weft_module_load_precompiled : weft_module_load)(
             p->e, wasm, wasm_len, &p->m, &err) == WEFT_OK
             ? 0
             : -1;
}

static void prog_free(struct prog *p) {
  weft_module_free(p->m);
  weft_engine_free(p->e);
}

/* The fuel hook: at the safe point where `at` fuel has been handed out,
** save and stop. Fuel is handed out one unit short of each target so the
** hook runs where the program's fuel use reaches it. */
struct stopper {
  weft_instance *inst;
  uint64_t handed, at;
  uint8_t *snap;
  size_t snap_len;
  weft_status save_status;
};

static weft_trap stop_at(void *user, weft_engine *e) {
  struct stopper *s = user;
  weft_error err;
  if (s->handed >= s->at && !s->snap &&
      weft_engine_safe_point(e) == WEFT_SAFE_BLOCK) {
    s->save_status =
        weft_snapshot_save(e, s->inst, &s->snap, &s->snap_len, &err);
    return WEFT_TRAP_INTERRUPTED;
  }
  weft_engine_set_fuel(e, weft_engine_fuel(e) + 1);
  s->handed++;
  return WEFT_TRAP_NONE;
}

/* Used fuel of a whole run of run(n), and its result. */
static uint64_t whole_run(int32_t n, int64_t *out) {
  struct prog p;
  weft_error err;
  weft_extern ext;
  weft_val arg = {WEFT_I32, {.i32 = n}}, res;
  uint64_t used = 0;
  if (prog_new(&p, 0) != 0 ||
      weft_instantiate(NULL, p.m, &p.inst, &err) != WEFT_OK ||
      weft_instance_export(p.inst, "run", &ext) != WEFT_OK)
    return 0;
  weft_engine_set_fuel(p.e, UINT64_MAX / 2);
  if (weft_func_call(p.e, ext.of.func, &arg, 1, &res, 1, &err) == WEFT_OK) {
    *out = res.of.i64;
    used = UINT64_MAX / 2 - weft_engine_fuel(p.e);
  }
  prog_free(&p);
  return used;
}

/* Start run(n) and stop it at fuel `at`: the snapshot, and the fuel used. */
static int stop_run(int32_t n, uint64_t at, uint8_t **snap, size_t *len,
                    uint64_t *used) {
  struct prog p;
  weft_error err;
  weft_extern ext;
  weft_val arg = {WEFT_I32, {.i32 = n}}, res;
  struct stopper s = {0};
  if (prog_new(&p, 0) != 0 ||
      weft_instantiate(NULL, p.m, &p.inst, &err) != WEFT_OK ||
      weft_instance_export(p.inst, "run", &ext) != WEFT_OK)
    return -1;
  s.inst = p.inst;
  s.at = at;
  weft_engine_set_fuel(p.e, 0);
  weft_engine_set_fuel_hook(p.e, stop_at, &s);
  weft_status st = weft_func_call(p.e, ext.of.func, &arg, 1, &res, 1, &err);
  int ok = st == WEFT_ERR_TRAP && err.trap == WEFT_TRAP_INTERRUPTED && s.snap &&
           s.save_status == WEFT_OK;
  *used = s.handed - weft_engine_fuel(p.e);
  *snap = NULL;
  if (ok) {
    *snap = malloc(s.snap_len);
    memcpy(*snap, s.snap, s.snap_len);
    *len = s.snap_len;
  }
  weft_snapshot_free(p.e, s.snap, s.snap_len);
  prog_free(&p);
  return ok ? 0 : -1;
}

/* Restore `snap` in a fresh engine; stop it again at `at` more fuel (0:
** run to the end). Returns the status; fills result or the next snapshot
** and the fuel this part used. */
static weft_status resume_run(const uint8_t *snap, size_t len, uint64_t at,
                              int64_t *result, uint8_t **next, size_t *next_len,
                              uint64_t *used) {
  struct prog p;
  weft_error err;
  weft_val res;
  struct stopper s = {0};
  weft_status st;
  if (prog_new(&p, restore_precompiled) != 0)
    return WEFT_ERR_NOMEM;
  st = weft_snapshot_restore(p.e, NULL, p.m, snap, len, &p.inst, &err);
  if (st != WEFT_OK) {
    prog_free(&p);
    return st;
  }
  if (at) {
    s.inst = p.inst;
    s.at = at;
    weft_engine_set_fuel(p.e, 0);
    weft_engine_set_fuel_hook(p.e, stop_at, &s);
  } else {
    weft_engine_set_fuel(p.e, UINT64_MAX / 2);
  }
  st = weft_snapshot_resume(p.e, &res, 1, &err);
  if (at) {
    *used = s.handed - weft_engine_fuel(p.e);
    if (st == WEFT_ERR_TRAP && err.trap == WEFT_TRAP_INTERRUPTED && s.snap &&
        s.save_status == WEFT_OK) {
      *next = malloc(s.snap_len);
      memcpy(*next, s.snap, s.snap_len);
      *next_len = s.snap_len;
      st = WEFT_OK;
    }
    weft_snapshot_free(p.e, s.snap, s.snap_len);
  } else {
    *used = UINT64_MAX / 2 - weft_engine_fuel(p.e);
    if (st == WEFT_OK)
      *result = res.of.i64;
  }
  prog_free(&p);
  return st;
}

static void test_stop_anywhere(void) {
  int64_t want = 0;
  uint64_t total = whole_run(20, &want);
  CHECK(total > 1000);
  unsigned same = 0, tried = 0;
  /* About 24 points, an odd stride: block entries all through the loop,
  ** inside the recursion and the indirect calls. */
  for (uint64_t at = 1; at < total; at += total / 24 | 1) {
    uint8_t *snap = NULL;
    size_t len = 0;
    uint64_t before = 0, after = 0;
    int64_t got = 0;
    tried++;
    if (stop_run(20, at, &snap, &len, &before) != 0)
      continue;
    if (resume_run(snap, len, 0, &got, NULL, NULL, &after) == WEFT_OK &&
        got == want && before + after == total)
      same++;
    free(snap);
  }
  CHECK_EQ_INT(same, tried);
  CHECK(tried > 20);
}

static void test_restore_lowers(void) {
  restore_precompiled = 1;
  test_stop_anywhere();
  restore_precompiled = 0;
}

static void test_chain(void) {
  int64_t want = 0, got = 0;
  uint64_t total = whole_run(20, &want), used = 0, part = 0;
  uint8_t *snap = NULL, *next = NULL;
  size_t len = 0, next_len = 0;
  CHECK_EQ_INT(stop_run(20, total / 5, &snap, &len, &used), 0);
  for (int i = 0; i < 3 && snap; i++) {
    next = NULL;
    CHECK_EQ_INT(
        resume_run(snap, len, total / 5, NULL, &next, &next_len, &part),
        WEFT_OK);
    used += part;
    free(snap);
    snap = next;
    len = next_len;
  }
  CHECK(snap != NULL);
  if (!snap)
    return;
  CHECK_EQ_INT(resume_run(snap, len, 0, &got, NULL, NULL, &part), WEFT_OK);
  CHECK_EQ_INT(got, want);
  CHECK_EQ_INT(used + part, total);
  free(snap);
}

/* Every prefix is refused; every single-byte change is refused or runs
** without crashing (a changed value is a different program state). */
static void test_damaged(void) {
  int64_t want = 0, got = 0;
  uint64_t total = whole_run(6, &want), used = 0, part = 0;
  uint8_t *snap = NULL;
  size_t len = 0;
  CHECK_EQ_INT(stop_run(6, total / 2, &snap, &len, &used), 0);
  if (!snap)
    return;
  unsigned refused = 0;
  for (size_t cut = 0; cut < len; cut += 1 + cut / 64)
    refused +=
        resume_run(snap, cut, 0, &got, NULL, NULL, &part) == WEFT_ERR_MALFORMED;
  unsigned cuts = 0;
  for (size_t cut = 0; cut < len; cut += 1 + cut / 64)
    cuts++;
  CHECK_EQ_INT(refused, cuts);
  unsigned ran = 0;
  for (size_t i = 0; i < len; i += 1 + i / 256) {
    uint8_t *bad = malloc(len);
    memcpy(bad, snap, len);
    bad[i] ^= 0x5a;
    weft_status st = resume_run(bad, len, 0, &got, NULL, NULL, &part);
    ran += st == WEFT_OK || st == WEFT_ERR_MALFORMED || st == WEFT_ERR_LIMIT ||
           st == WEFT_ERR_TRAP;
    free(bad);
  }
  CHECK(ran > 0);
  free(snap);
}

/* Not at a safe point: refused, and nothing changes. */
static void test_not_safe(void) {
  struct prog p;
  weft_error err;
  uint8_t *b = NULL;
  size_t n = 0;
  CHECK_EQ_INT(prog_new(&p, 0), 0);
  CHECK_EQ_INT(weft_instantiate(NULL, p.m, &p.inst, &err), WEFT_OK);
  CHECK_EQ_INT(weft_snapshot_save(p.e, p.inst, &b, &n, &err), WEFT_ERR_ARG);
  CHECK(b == NULL);
  CHECK_EQ_INT(weft_snapshot_resume(p.e, NULL, 0, &err), WEFT_ERR_ARG);
  prog_free(&p);
}

/* xorshift: a fixed sequence, so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* Mutations of real snapshots (bytes flipped, set, cut, repeated) through
** the fuzz harness: no crash, leak or message-less failure; some still
** restore (values changed). */
static void test_mutations(void) {
  int64_t want = 0;
  uint64_t total = whole_run(6, &want), used = 0;
  unsigned ok = 0, restored = 0, rounds = 400;
  uint8_t *snap = NULL;
  size_t len = 0;
  CHECK_EQ_INT(stop_run(6, total / 3, &snap, &len, &used), 0);
  if (!snap)
    return;
  uint8_t *m = malloc(len * 2);
  for (unsigned r = 0; r < rounds; r++) {
    size_t n = len;
    memcpy(m, snap, len);
    unsigned edits = 1 + (unsigned)(rng() % 4);
    for (unsigned k = 0; k < edits; k++) {
      size_t at = (size_t)(rng() % n);
      switch (rng() % 4) {
      case 0: m[at] ^= (uint8_t)(1u << (rng() % 8)); break;
      case 1: m[at] = (uint8_t)rng(); break;
      case 2: n = at + 1; break;
      default: /* a run repeated: counts and lengths no longer add up */
        if (n + 8 <= len * 2 && at + 8 <= n) {
          memmove(m + at + 8, m + at, n - at);
          n += 8;
        }
      }
    }
    int did = 0;
    ok += fuzz_snapshot_one(m, n, &did) == 0;
    restored += did;
  }
  CHECK_EQ_INT(ok, rounds);
  CHECK(restored > 0); /* value changes restore and run */
  free(m);
  free(snap);
}

/* The committed fuzz corpus, each file one check. */
static void test_corpus(void) {
  const char *dir = "tests/fuzz/corpus-snapshot";
  DIR *d = opendir(dir);
  unsigned files = 0;
  CHECK(d != NULL);
  if (!d)
    return;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if (de->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    size_t n = f && buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    int did;
    CHECK(fuzz_snapshot_one(buf, n, &did) == 0);
    files++;
    free(buf);
    if (f)
      fclose(f);
  }
  closedir(d);
  CHECK(files > 0);
}

/* WEFT_SNAPSHOT_SEEDS=DIR: real snapshots as fuzzing seeds. */
static void write_seeds(void) {
  const char *dir = getenv("WEFT_SNAPSHOT_SEEDS");
  int64_t want = 0;
  if (!dir)
    return;
  uint64_t total = whole_run(4, &want);
  for (unsigned k = 1; k <= 6; k++) {
    uint8_t *snap = NULL;
    size_t len = 0;
    uint64_t used = 0;
    char path[512];
    if (stop_run(4, total * k / 7, &snap, &len, &used) != 0)
      continue;
    snprintf(path, sizeof path, "%s/real-%u", dir, k);
    FILE *f = fopen(path, "wb");
    if (f) {
      fwrite(snap, 1, len, f);
      fclose(f);
    }
    free(snap);
  }
}

int main(void) {
  if (fuzz_snap_module() != 0) {
    fprintf(stderr, "the test module does not assemble\n");
    return 1;
  }
  wasm = fuzz_snap_wasm;
  wasm_len = fuzz_snap_wasm_len;
  T_RUN(test_not_safe);
  T_RUN(test_stop_anywhere);
  T_RUN(test_restore_lowers);
  T_RUN(test_chain);
  T_RUN(test_damaged);
  T_RUN(test_mutations);
  T_RUN(test_corpus);
  write_seeds();
  weft_text_free(wasm);
  return T_DONE();
}
