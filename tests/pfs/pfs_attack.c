/*
** pfs_attack.c — host-side tests of the protected-file layer, driving
** weft_pfs_fs() directly (no Wasm): a random differential test against a
** plain model, >=1000 single-bit flips over metadata, tree and data nodes,
** node swaps, a splice from another file, host truncation, a host rename,
** a wrong key, rollback (not detected without a freshness store, which is
** what the docs say), and crash injection at every storage operation of a
** flush (the journal must give the old or the new content, never a mix).
** Prints "N passed, N failed".
**
** usage: pfs_attack DIR   (an empty scratch directory)
*/
#include "pfs_test.h"

static int reports;
static uint8_t key[32], key2[32];

static void on_report(void *user, const char *path, const char *what) {
  (void)user;
  (void)path;
  (void)what;
  reports++;
}

static uint64_t rng = 0x1234567;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* "fails with EIO, and every byte before the failure is right" */
static int fails_cleanly(weft_pfs *p, const char *name, const uint8_t *want,
                         size_t want_n) {
  static uint8_t got[1 << 20];
  size_t n;
  weft_wasi_errno e = pf_read_all(p, name, got, sizeof got, &n);
  return e == WEFT_WASI_EIO && n <= want_n && memcmp(got, want, n) == 0;
}

#define NDATA 200 /* data nodes: 3 MHT nodes (phys 1, 98, 195) */
#define FSIZE (NDATA * 4096 - 1000)

/* ---- the tests --------------------------------------------------------- */

static void test_differential(weft_pfs *p) {
  static uint8_t model[600000], got[600000];
  size_t msize = 0, n;
  weft_wasi_file *root, *f;
  int i, ok = 1;

  CHECK(
      pf_open(p, &root, "diff",
              WEFT_WASI_OPEN_CREAT | WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE,
              &f) == 0,
      "open diff");
  for (i = 0; i < 3000 && ok; i++) {
    uint64_t op = next_rand() % 10, off = next_rand() % 500000;
    size_t len = (size_t)(next_rand() % 20000);
    if (op < 5) { /* pwrite */
      uint8_t buf[20000];
      for (size_t k = 0; k < len; k++)
        buf[k] = (uint8_t)next_rand();
      ok &= pf_pwrite(p, f, buf, len, off) == 0;
      if (off > msize)
        memset(model + msize, 0, off - msize);
      memcpy(model + off, buf, len);
      if (off + len > msize)
        msize = off + len;
    } else if (op < 7) { /* truncate */
      ok &= fs->set_size(p, f, off) == 0;
      if (off > msize)
        memset(model + msize, 0, off - msize);
      msize = off;
    } else if (op < 9) { /* pread */
      weft_wasi_iovec v = {got, len};
      size_t want = off >= msize ? 0 : (msize - off < len ? msize - off : len);
      ok &= fs->pread(p, f, &v, 1, off, &n) == 0 && n == want &&
            memcmp(got, model + off, n) == 0;
    } else { /* close and reopen */
      fs->close(p, f);
      fs->close(p, root);
      ok &= pf_open(p, &root, "diff",
                    WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE, &f) == 0;
    }
    if (!ok)
      fprintf(stderr, "differential: step %d op %llu off %llu len %zu\n", i,
              (unsigned long long)op, (unsigned long long)off, len);
  }
  fs->close(p, f);
  fs->close(p, root);
  CHECK(ok, "differential pread/pwrite/truncate/reopen against a model");
  CHECK(reads_exactly(p, "diff", model, msize), "final content equals model");
}

/* A file larger than the node cache (4096 nodes, 16 MiB): random writes
** and reads against a model make the cache evict clean and dirty nodes
** (dirty ones commit), then the whole file is compared after a reopen. */
static void test_big_file(weft_pfs *p) {
  const size_t big = 24u << 20;
  uint8_t *model = calloc(1, big), *got = malloc(1 << 16),
          *buf = malloc(1 << 16);
  size_t msize = 0, n, off;
  weft_wasi_file *root, *f;
  int i, ok = 1;

  CHECK(
      pf_open(p, &root, "big",
              WEFT_WASI_OPEN_CREAT | WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE,
              &f) == 0,
      "open big");
  for (i = 0; i < 2000 && ok; i++) {
    size_t len = 1 + (size_t)(next_rand() % (1 << 16));
    off = (size_t)(next_rand() % (big - len));
    if (i % 3 != 2) {
      for (size_t k = 0; k < len; k++)
        buf[k] = (uint8_t)next_rand();
      ok &= pf_pwrite(p, f, buf, len, off) == 0;
      memcpy(model + off, buf, len);
      if (off + len > msize)
        msize = off + len;
    } else {
      weft_wasi_iovec v = {got, len};
      size_t want = off >= msize ? 0 : (msize - off < len ? msize - off : len);
      ok &= fs->pread(p, f, &v, 1, off, &n) == 0 && n == want &&
            memcmp(got, model + off, n) == 0;
    }
  }
  fs->close(p, f);
  fs->close(p, root);
  CHECK(ok,
        "a 24 MiB file (beyond the node cache): random writes and reads "
        "against a model (step %d)",
        i);
  ok = pf_open(p, &root, "big", WEFT_WASI_OPEN_READ, &f) == 0;
  for (off = 0; ok && off < msize; off += n) {
    weft_wasi_iovec v = {got, 1 << 16};
    ok = fs->read(p, f, &v, 1, &n) == 0 && n > 0 &&
         memcmp(got, model + off, n) == 0;
  }
  if (ok) {
    fs->close(p, f);
    fs->close(p, root);
  }
  CHECK(ok && off == msize, "the 24 MiB file reads back after a reopen");
  unlink(host_path("big"));
  free(model);
  free(got);
  free(buf);
}

static void test_bitflips(weft_pfs *p, const uint8_t *plain) {
  size_t n, i;
  uint8_t *img = slurp("victim", &n);
  int fd = open(host_path("victim"), O_RDWR);
  int per_kind[3] = {0, 0, 0}, ok_kind[3] = {0, 0, 0};
  const char *kinds[3] = {"metadata", "tree", "data"};

  CHECK(n == (1 + 3 + NDATA) * 4096, "victim is %zu bytes", n);
  for (i = 0; i < 1200; i++) {
    /* 300 in the metadata node, 300 in the three MHT nodes, 600 data */
    int kind = i < 300 ? 0 : i < 600 ? 1 : 2;
    uint64_t node, pos;
    uint8_t b;
    if (kind == 0)
      node = 0;
    else if (kind == 1)
      node = 1 + 97 * (next_rand() % 3);
    else {
      do
        node = 1 + next_rand() % (n / 4096 - 1);
      while ((node - 1) % 97 == 0);
    }
    pos = node * 4096 + next_rand() % 4096;
    b = img[pos] ^ (uint8_t)(1u << (next_rand() % 8));
    if (pwrite(fd, &b, 1, (off_t)pos) != 1)
      exit(2);
    per_kind[kind]++;
    if (fails_cleanly(p, "victim", plain, FSIZE))
      ok_kind[kind]++;
    else
      fprintf(stderr, "bit flip at byte %llu (%s node) not detected\n",
              (unsigned long long)pos, kinds[kind]);
    if (pwrite(fd, img + pos, 1, (off_t)pos) != 1) /* a fresh copy again */
      exit(2);
  }
  close(fd);
  for (i = 0; i < 3; i++)
    CHECK(ok_kind[i] == per_kind[i], "%s flips: %d of %d detected", kinds[i],
          ok_kind[i], per_kind[i]);
  printf("bit flips: %d metadata, %d tree, %d data, all failed with EIO\n",
         ok_kind[0], ok_kind[1], ok_kind[2]);
  CHECK(reads_exactly(p, "victim", plain, FSIZE), "intact copy reads back");
  free(img);
}

static void swap_nodes(uint8_t *img, uint64_t a, uint64_t b) {
  uint8_t t[4096];
  memcpy(t, img + a * 4096, 4096);
  memcpy(img + a * 4096, img + b * 4096, 4096);
  memcpy(img + b * 4096, t, 4096);
}

static void test_structure(weft_pfs *p, const uint8_t *plain) {
  size_t n, n2;
  uint8_t *img = slurp("victim", &n), *other = slurp("other", &n2);
  uint8_t *work = malloc(n);

  memcpy(work, img, n);
  swap_nodes(work, 2, 3); /* two data nodes */
  spill("victim", work, n);
  CHECK(fails_cleanly(p, "victim", plain, FSIZE), "swapped data nodes");

  memcpy(work, img, n);
  swap_nodes(work, 98, 195); /* two MHT nodes */
  spill("victim", work, n);
  CHECK(fails_cleanly(p, "victim", plain, FSIZE), "swapped tree nodes");

  memcpy(work, img, n);
  memcpy(work + 5 * 4096, other + 5 * 4096, 4096); /* same place, other file */
  spill("victim", work, n);
  CHECK(fails_cleanly(p, "victim", plain, FSIZE), "spliced data node");

  memcpy(work, img, n);
  memcpy(work, other, 4096); /* the other file's metadata node */
  spill("victim", work, n);
  CHECK(fails_cleanly(p, "victim", plain, FSIZE), "spliced metadata node");

  spill("victim", img, n - 4096);
  CHECK(fails_cleanly(p, "victim", plain, FSIZE), "truncated by one node");
  spill("victim", img, n - 1);
  CHECK(fails_cleanly(p, "victim", plain, FSIZE), "truncated by one byte");
  spill("victim", img, 4096);
  CHECK(fails_cleanly(p, "victim", plain, FSIZE), "truncated to metadata");

  /* whole-file substitution under another protected name */
  spill("victim", other, n2);
  CHECK(fails_cleanly(p, "victim", plain, FSIZE), "other file copied over");
  spill("victim", img, n);
  CHECK(rename(host_path("victim"), host_path("moved")) == 0, "host mv");
  CHECK(fails_cleanly(p, "moved", plain, FSIZE), "renamed on the host");
  CHECK(rename(host_path("moved"), host_path("victim")) == 0, "host mv back");
  CHECK(reads_exactly(p, "victim", plain, FSIZE), "original again");

  /* a different key */
  {
    weft_pfs *p2 = new_pfs(key2, on_report, 0, NULL, 0);
    CHECK(fails_cleanly(p2, "victim", plain, FSIZE), "wrong key");
    weft_pfs_free(p2);
  }
  /* rollback: without a freshness store an old copy is accepted (the
  ** documented limitation) */
  {
    uint8_t *newer = malloc(FSIZE);
    memcpy(newer, plain, FSIZE);
    newer[100] ^= 1;
    CHECK(write_file(p, "victim", newer, FSIZE) == 0, "rewrite");
    CHECK(reads_exactly(p, "victim", newer, FSIZE), "new content");
    spill("victim", img, n);
    CHECK(reads_exactly(p, "victim", plain, FSIZE),
          "rollback to an older copy is NOT detected without a freshness "
          "store");
    free(newer);
  }
  free(work);
  free(img);
  free(other);
}

/* Crash at every storage operation of a write + flush; the reopened file
** must hold the old or the new content. */
static void test_crash(void) {
  static uint8_t old[300000], new_[300000];
  size_t old_n = 250000, new_n = 140000;
  size_t img_n;
  uint8_t *img;
  long k, ops = 0;
  int ok_old = 0, ok_new = 0, bad = 0;
  weft_pfs *p = new_pfs(key, on_report, 0, NULL, 0);

  for (size_t i = 0; i < sizeof old; i++) {
    old[i] = (uint8_t)next_rand();
    new_[i] = (uint8_t)next_rand();
  }
  memcpy(new_, old, new_n);
  for (size_t i = 0; i < new_n; i += 5000) /* scattered changes + a shrink */
    new_[i] ^= 0x5a;
  write_file(p, "crash", old, old_n);
  img = slurp("crash", &img_n);
  weft_pfs_free(p);
  for (k = 0;; k++) {
    weft_pfs *pf = new_pfs(key, on_report, 1, NULL, 0), *pg;
    weft_wasi_file *root, *f;
    weft_wasi_errno e;
    spill("crash", img, img_n);
    budget = k;
    e = pf_open(pf, &root, "crash", WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE,
                &f);
    if (e == 0) {
      for (size_t i = 0; i < new_n; i += 5000)
        pf_pwrite(pf, f, new_ + i, 1, i);
      fs->set_size(pf, f, new_n);
      e = fs->sync(pf, f, 0);
      fs->close(pf, f);
      fs->close(pf, root);
    }
    weft_pfs_free(pf);
    budget = -1;
    pg = new_pfs(key, on_report, 0, NULL, 0);
    if (reads_exactly(pg, "crash", old, old_n))
      ok_old++;
    else if (reads_exactly(pg, "crash", new_, new_n))
      ok_new++;
    else
      bad++, fprintf(stderr,
                     "crash after %ld operations: neither old nor new\n", k);
    weft_pfs_free(pg);
    if (e == 0) { /* the flush ran to the end: every point was tried */
      ops = k;
      break;
    }
    if (k > 1000)
      break;
  }
  CHECK(bad == 0 && ops > 0 && ok_new > 0 && ok_old > 0,
        "crash at each of %ld storage operations: %d old, %d new, %d torn", ops,
        ok_old, ok_new, bad);
  printf("crash injection: %ld points, %d old, %d new, %d torn\n", ops, ok_old,
         ok_new, bad);
  free(img);
}

int main(int argc, char **argv) {
  static uint8_t plain[FSIZE], other[FSIZE];
  weft_pfs *p;
  size_t i;

  if (argc != 2) {
    fprintf(stderr, "usage: pfs_attack DIR\n");
    return 2;
  }
  test_init(argv[1]);
  for (i = 0; i < 32; i++) {
    key[i] = (uint8_t)(i * 37 + 1);
    key2[i] = (uint8_t)(i * 37 + 2);
  }
  for (i = 0; i < FSIZE; i++) {
    plain[i] = (uint8_t)next_rand();
    other[i] = (uint8_t)next_rand();
  }
  p = new_pfs(key, on_report, 0, NULL, 0);
  test_differential(p);
  test_big_file(p);
  CHECK(write_file(p, "victim", plain, FSIZE) == 0, "write victim");
  CHECK(write_file(p, "other", other, FSIZE) == 0, "write other");
  CHECK(reads_exactly(p, "victim", plain, FSIZE), "victim reads back");
  test_bitflips(p, plain);
  test_structure(p, plain);
  weft_pfs_free(p);
  test_crash();
  CHECK(reports > 0, "integrity failures were reported (%d)", reports);
  printf("%d passed, %d failed\n", pass, fail);
  return fail ? 1 : 0;
}
