/*
** pfs_rollback.c — host-side tests of the anti-rollback version store
** (services/pfs_fresh.c, services/pfs_vstore.c) through weft_pfs_fs():
** an older copy of one file, of a whole directory, a deleted file put
** back, another file under the same name, the behaviour without a store,
** a tampered, truncated, missing or foreign store file, and crash
** injection at every storage and store operation of a write + rename
** (the file must stay openable in strict mode, with the old or the new
** content). Prints "N passed, N failed".
**
** usage: pfs_rollback DIR STORE   (an empty scratch directory; the store
**                                  file's path, outside DIR)
*/
#include "pfs_test.h"
#include "pfs_vstore.h"

static const char *store_file;
static uint8_t key[32], key2[32];
static char last_report[512];
static int rollbacks; /* reports that said "rollback detected" */

static void on_report(void *user, const char *path, const char *what) {
  (void)user;
  snprintf(last_report, sizeof last_report, "%s: %s", path, what);
  if (strstr(what, "rollback detected") != NULL)
    rollbacks++;
}

/* The store callbacks, with every change spending the fault budget. */
static weft_pfs_freshness real;
static int w_get(void *u, const char *path, uint8_t id[16], uint64_t *v) {
  (void)u;
  return real.get(real.user, path, id, v);
}
static int w_set(void *u, const char *path, const uint8_t id[16], uint64_t v) {
  (void)u;
  return spend() ? -1 : real.set(real.user, path, id, v);
}
static int w_remove(void *u, const char *path) {
  (void)u;
  return spend() ? -1 : real.remove(real.user, path);
}
static int w_rename(void *u, const char *from, const char *to) {
  (void)u;
  return spend() ? -1 : real.rename(real.user, from, to);
}
static const weft_pfs_freshness wrapped = {w_get, w_set, w_remove, w_rename,
                                           NULL};

struct env {
  weft_pfs_vstore *store;
  weft_pfs *p;
};

/* A "process": the store file opened (created unless strict) and a pfs
** on DIR using it; store = 0: no version store at all. */
static int env_open(struct env *e, int store, int strict, int faults) {
  char err[256];

  memset(e, 0, sizeof *e);
  if (store) {
    if (weft_pfs_vstore_open(store_file, key, !strict, &e->store, err,
                             sizeof err) != 0) {
      fprintf(stderr, "store: %s\n", err);
      return -1;
    }
    if (weft_pfs_vstore_bind(e->store, "/p", &real) != 0)
      exit(2);
  }
  e->p =
      new_pfs(key, on_report, faults, store ? &wrapped : NULL, store && strict);
  return 0;
}

static void env_close(struct env *e) {
  weft_pfs_free(e->p);
  weft_pfs_vstore_free(e->store);
}

/* Fails with EIO and says "rollback detected". */
static int rolled_back(weft_pfs *p, const char *name) {
  static uint8_t got[1 << 20];
  size_t n;
  int before = rollbacks;
  return pf_read_all(p, name, got, sizeof got, &n) == WEFT_WASI_EIO &&
         rollbacks == before + 1;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}
static void fill(uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)next_rand();
}

#define FN 30000 /* 8 data nodes */
static uint8_t v1[FN], v2[FN], v3[FN];

/* ---- one file ------------------------------------------------------- */
static void test_one_file(void) {
  struct env e;
  uint8_t *img1, *img2;
  size_t n1, n2;

  env_open(&e, 1, 0, 0);
  CHECK(write_file(e.p, "a", v1, FN) == 0, "write a v1");
  img1 = slurp("a", &n1);
  CHECK(write_file(e.p, "a", v2, FN) == 0, "write a v2");
  img2 = slurp("a", &n2);
  spill("a", img1, n1);
  CHECK(rolled_back(e.p, "a"), "older copy of one file: detected (%s)",
        last_report);
  env_close(&e);
  /* A new process, the store read back from its file. */
  env_open(&e, 1, 0, 0);
  CHECK(rolled_back(e.p, "a"), "older copy, store reloaded: detected");
  spill("a", img2, n2);
  CHECK(reads_exactly(e.p, "a", v2, FN), "the current copy opens");
  env_close(&e);
  /* Without a store the old copy is accepted (the documented limit). */
  spill("a", img1, n1);
  env_open(&e, 0, 0, 0);
  CHECK(reads_exactly(e.p, "a", v1, FN),
        "without a version store an older copy is NOT detected");
  env_close(&e);
  spill("a", img2, n2);
  free(img1);
  free(img2);
}

/* ---- the whole directory --------------------------------------------- */
static void test_directory(void) {
  static const char *names[] = {"d1", "d2", "sub/d3"};
  uint8_t *img[3];
  size_t n[3];
  struct env e;
  weft_wasi_file *root;
  int i;

  env_open(&e, 1, 0, 0);
  CHECK(fs->open_root(e.p, dir, &root) == 0, "root");
  CHECK(fs->mkdir_at(e.p, root, "sub") == 0, "mkdir sub");
  fs->close(e.p, root);
  for (i = 0; i < 3; i++) {
    CHECK(write_file(e.p, names[i], v1, FN - i) == 0, "write %s", names[i]);
    img[i] = slurp(names[i], &n[i]);
  }
  /* Later: d1 and sub/d3 change, d2 is deleted, d4 is created. */
  CHECK(write_file(e.p, "d1", v2, FN) == 0, "rewrite d1");
  CHECK(write_file(e.p, "sub/d3", v2, FN) == 0, "rewrite sub/d3");
  CHECK(fs->open_root(e.p, dir, &root) == 0, "root");
  CHECK(fs->unlink_at(e.p, root, "d2") == 0, "unlink d2");
  fs->close(e.p, root);
  CHECK(write_file(e.p, "d4", v3, FN) == 0, "write d4");
  env_close(&e);
  /* The adversary puts the old directory back (without the store). */
  for (i = 0; i < 3; i++)
    spill(names[i], img[i], n[i]);
  unlink(host_path("d4"));

  env_open(&e, 1, 1, 0);
  CHECK(rolled_back(e.p, "d1"), "directory rollback: d1 detected");
  CHECK(rolled_back(e.p, "sub/d3"), "directory rollback: sub/d3 detected");
  CHECK(rolled_back(e.p, "d2"),
        "directory rollback: deleted d2 put back, strict: detected");
  env_close(&e);
  env_open(&e, 1, 0, 0);
  CHECK(rolled_back(e.p, "d1"), "not strict: d1 still detected");
  CHECK(reads_exactly(e.p, "d2", v1, FN - 1),
        "not strict: a deleted file put back is adopted (documented)");
  env_close(&e);
  for (i = 0; i < 3; i++)
    free(img[i]);
}

/* ---- another file under the same name -------------------------------- */
static void test_same_name(void) {
  struct env e;
  weft_wasi_file *root;
  uint8_t *old;
  size_t n;

  env_open(&e, 1, 0, 0);
  CHECK(write_file(e.p, "s", v1, FN) == 0, "write s");
  old = slurp("s", &n);
  CHECK(fs->open_root(e.p, dir, &root) == 0, "root");
  CHECK(fs->unlink_at(e.p, root, "s") == 0, "unlink s");
  fs->close(e.p, root);
  CHECK(write_file(e.p, "s", v2, FN) == 0, "a new s (new file id)");
  spill("s", old, n);
  CHECK(rolled_back(e.p, "s"),
        "the deleted incarnation of a name put back over the new one: "
        "detected even when not strict (%s)",
        last_report);
  env_close(&e);
  free(old);
}

/* ---- renames move the record ------------------------------------------ */
static void test_rename(void) {
  struct env e;
  weft_wasi_file *root;
  uint8_t *before;
  size_t n;

  env_open(&e, 1, 1, 0);
  CHECK(write_file(e.p, "r1", v1, FN) == 0, "write r1");
  before = slurp("r1", &n);
  CHECK(fs->open_root(e.p, dir, &root) == 0, "root");
  CHECK(fs->rename_at(e.p, root, "r1", root, "r2") == 0, "rename r1 r2");
  fs->close(e.p, root);
  CHECK(reads_exactly(e.p, "r2", v1, FN), "renamed file opens (strict)");
  CHECK(fs->open_root(e.p, dir, &root) == 0, "root");
  CHECK(fs->rename_at(e.p, root, "r2", root, "r2") == 0, "rename r2 r2");
  fs->close(e.p, root);
  CHECK(reads_exactly(e.p, "r2", v1, FN), "renamed onto itself: opens");
  spill("r1", before, n);
  CHECK(rolled_back(e.p, "r1"),
        "the pre-rename copy under the old name, strict: detected");
  unlink(host_path("r1"));
  env_close(&e);
  free(before);
}

/* ---- the store file itself --------------------------------------------- */
static void test_store_file(void) {
  weft_pfs_vstore *s;
  char err[256];
  uint8_t *img, b;
  size_t n;
  FILE *f;
  int fd;

  CHECK(weft_pfs_vstore_open(store_file, key, 0, &s, err, sizeof err) == 0 &&
            weft_pfs_vstore_count(s) > 0,
        "the store opens and has records: %s", err);
  /* a second opener is refused while the first holds it */
  {
    weft_pfs_vstore *s2;
    CHECK(weft_pfs_vstore_open(store_file, key, 0, &s2, err, sizeof err) != 0 &&
              strstr(err, "in use") != NULL,
          "a second process is refused: %s", err);
  }
  weft_pfs_vstore_free(s);
  f = fopen(store_file, "rb");
  fseek(f, 0, SEEK_END);
  n = (size_t)ftell(f);
  fclose(f);
  img = malloc(n);
  fd = open(store_file, O_RDWR);
  CHECK(pread(fd, img, n, 0) == (ssize_t)n, "read the store");
  for (size_t pos = 0; pos < n; pos += n / 7 + 1) {
    b = img[pos] ^ 0x10;
    if (pwrite(fd, &b, 1, (off_t)pos) != 1)
      exit(2);
    CHECK(weft_pfs_vstore_open(store_file, key, 1, &s, err, sizeof err) != 0,
          "store with byte %zu flipped refused", pos);
    if (pwrite(fd, img + pos, 1, (off_t)pos) != 1)
      exit(2);
  }
  CHECK(strstr(err, "failed authentication") != NULL ||
            strstr(err, "not a weft version store") != NULL,
        "tampered store: %s", err);
  CHECK(ftruncate(fd, (off_t)(n - 40)) == 0, "truncate");
  CHECK(weft_pfs_vstore_open(store_file, key, 1, &s, err, sizeof err) != 0,
        "truncated store refused: %s", err);
  CHECK(pwrite(fd, img, n, 0) == (ssize_t)n, "restore");
  close(fd);
  CHECK(weft_pfs_vstore_open(store_file, key2, 1, &s, err, sizeof err) != 0 &&
            strstr(err, "failed authentication") != NULL,
        "store under another key refused: %s", err);
  /* missing: strict refuses, otherwise a new empty store */
  {
    char moved[1100];
    snprintf(moved, sizeof moved, "%s.moved", store_file);
    CHECK(rename(store_file, moved) == 0, "move the store away");
    CHECK(weft_pfs_vstore_open(store_file, key, 0, &s, err, sizeof err) != 0 &&
              strstr(err, "does not exist") != NULL,
          "missing store, strict: refused: %s", err);
    CHECK(weft_pfs_vstore_open(store_file, key, 1, &s, err, sizeof err) == 0 &&
              weft_pfs_vstore_count(s) == 0,
          "missing store, not strict: a new empty one");
    weft_pfs_vstore_free(s);
    CHECK(weft_pfs_vstore_open(store_file, key, 0, &s, err, sizeof err) == 0,
          "the new store exists on disk");
    weft_pfs_vstore_free(s);
    CHECK(rename(moved, store_file) == 0, "move the store back");
  }
  free(img);
}

/* ---- crash injection: write + rename with the store, strict reopen ----- */
static void test_crash(void) {
  uint8_t *file_img, *store_img, *cur;
  size_t file_n = 0, store_n = 0, cur_n = 0;
  long k, ops = 0;
  int ok_old = 0, ok_new = 0, bad = 0;
  struct env e;

  env_open(&e, 1, 1, 0);
  CHECK(write_file(e.p, "c", v1, FN) == 0, "write c");
  env_close(&e);
  file_img = slurp("c", &file_n);
  store_img = slurp_at(store_file, &store_n);
  if (file_img == NULL || store_img == NULL)
    exit(2);
  for (k = 0;; k++) {
    weft_wasi_file *root, *f;
    weft_wasi_errno err = 1;
    const char *where;

    unlink(host_path("c2"));
    spill("c", file_img, file_n);
    spill_at(store_file, store_img, store_n);
    env_open(&e, 1, 1, 1);
    budget = k;
    if (pf_open(e.p, &root, "c", WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE,
                &f) == 0) {
      /* scattered changes and a size change, durable, then a rename */
      for (size_t i = 0; i < FN; i += 4000)
        pf_pwrite(e.p, f, v2 + i, 1000, i);
      fs->set_size(e.p, f, FN - 5000);
      err = fs->sync(e.p, f, 0);
      fs->close(e.p, f);
      if (err == 0)
        err = fs->rename_at(e.p, root, "c", root, "c2");
      fs->close(e.p, root);
    }
    env_close(&e); /* the "crash": nothing more reaches the disk */
    budget = -1;
    cur = slurp_at(host_path("c2"), &cur_n);
    where = cur != NULL ? "c2" : "c";
    free(cur);
    env_open(&e, 1, 1, 0);
    {
      static uint8_t want[FN];
      memcpy(want, v1, FN);
      for (size_t i = 0; i < FN; i += 4000)
        memcpy(want + i, v2 + i, i + 1000 <= FN ? 1000 : FN - i);
      if (reads_exactly(e.p, where, v1, FN))
        ok_old++;
      else if (reads_exactly(e.p, where, want, FN - 5000))
        ok_new++;
      else
        bad++, fprintf(stderr,
                       "crash after %ld operations: %s unreadable "
                       "or neither old nor new (%s)\n",
                       k, where, last_report);
    }
    env_close(&e);
    if (err == 0) { /* everything ran: every point was tried */
      ops = k;
      break;
    }
    if (k > 1000)
      break;
  }
  CHECK(bad == 0 && ops > 0 && ok_old > 0 && ok_new > 0,
        "crash at each of %ld storage and store operations of a write + "
        "rename, strict store: %d old, %d new, %d unopenable or torn",
        ops, ok_old, ok_new, bad);
  printf("crash injection with the store: %ld points, %d old, %d new, %d "
         "bad\n",
         ops, ok_old, ok_new, bad);
  free(file_img);
  free(store_img);
}

int main(int argc, char **argv) {
  size_t i;

  if (argc != 3) {
    fprintf(stderr, "usage: pfs_rollback DIR STORE\n");
    return 2;
  }
  test_init(argv[1]);
  store_file = argv[2];
  for (i = 0; i < 32; i++) {
    key[i] = (uint8_t)(i * 41 + 3);
    key2[i] = (uint8_t)(i * 41 + 4);
  }
  fill(v1, FN);
  fill(v2, FN);
  fill(v3, FN);
  test_one_file();
  test_directory();
  test_same_name();
  test_rename();
  test_store_file();
  test_crash();
  printf("%d passed, %d failed\n", pass, fail);
  return fail ? 1 : 0;
}
