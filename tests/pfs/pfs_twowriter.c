/*
** pfs_twowriter.c — two processes on one protected file (tests/pfs/run.sh).
** A writer process is stopped inside a commit, at a known point: its
** journal and its new nodes are on disk, the truncation that commits is
** not done yet. Meanwhile a second process opens the file to read and to
** write. Neither may roll the live commit back as "interrupted" nor
** commit over it: both are refused (EBUSY). Once the writer goes on, every
** write it acknowledged must be in the file: 0 acknowledged writes lost.
** The processes meet through pipes, never through timing.
**
** usage: pfs_twowriter SCRATCH_DIR   (prints "N passed, N failed")
*/
#include "pfs_test.h"

#include <signal.h>
#include <sys/wait.h>

#define LEN (3 * 4096)

static const uint8_t key[32] = {7, 7, 7};
static int to_parent[2], to_child[2];
static int armed;     /* the writer stops at its next commit point */
static int recovered; /* "recovered" reports seen by the second process */

/* The truncation is the commit point of a flush (docs/protected-files.md):
** once armed, tell the parent and wait for its word before doing it. */
static weft_wasi_errno stop_set_size(void *u, weft_wasi_file *f, uint64_t s) {
  char c = 'c';
  if (armed) {
    armed = 0;
    if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
      _exit(3);
  }
  return weft_wasi_fs_host()->set_size(u, f, s);
}

static void count_recovered(void *user, const char *path, const char *what) {
  (void)user;
  (void)path;
  recovered += strstr(what, "recovered") != NULL;
}

/* The writer: A acknowledged (synced), then B, whose commit stops. Exits
** 0 when B was acknowledged too. */
static void writer(const uint8_t *a, const uint8_t *b) {
  weft_pfs *p = new_pfs(key, NULL, 1, NULL, 0);
  weft_wasi_file *root, *f;
  weft_wasi_errno e;

  e = pf_open(p, &root, "f",
              WEFT_WASI_OPEN_CREAT | WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE,
              &f);
  if (e != 0)
    _exit(4);
  e = pf_pwrite(p, f, a, LEN, 0);
  if (e == 0)
    e = fs->sync(p, f, 0);
  armed = 1;
  if (e == 0)
    e = pf_pwrite(p, f, b, LEN, 0);
  if (e == 0)
    e = fs->sync(p, f, 0); /* stops in stop_set_size */
  e = pf_close(p, root, f, e);
  weft_pfs_free(p);
  _exit(e == 0 ? 0 : 1);
}

/* The second process, while the writer is stopped inside its commit. */
static void meddle(void) {
  weft_pfs *q = new_pfs(key, count_recovered, 0, NULL, 0);
  weft_wasi_file *root, *f;
  weft_wasi_errno e;

  e = pf_open(q, &root, "f", WEFT_WASI_OPEN_READ, &f);
  CHECK(e == WEFT_WASI_EBUSY, "a reader during a live commit: EBUSY, got %d",
        e);
  if (e == 0)
    pf_close(q, root, f, 0);
  e = pf_open(q, &root, "f", WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE, &f);
  CHECK(e == WEFT_WASI_EBUSY,
        "a second writer during a live commit: EBUSY, "
        "got %d",
        e);
  if (e == 0)
    pf_close(q, root, f, 0);
  CHECK(recovered == 0, "the live commit was rolled back %d times", recovered);
  weft_pfs_free(q);
}

int main(int argc, char **argv) {
  static uint8_t a[LEN], b[LEN], back[2 * LEN];
  int status = 0;
  size_t n = 0;
  char c = 'g';
  pid_t pid;

  if (argc != 2) {
    fprintf(stderr, "usage: pfs_twowriter SCRATCH_DIR\n");
    return 2;
  }
  test_init(argv[1]);
  faulty.set_size = stop_set_size;
  memset(a, 'A', sizeof a);
  memset(b, 'B', sizeof b);
  alarm(120); /* a guard against a hang, not a timing assertion */
  if (pipe(to_parent) != 0 || pipe(to_child) != 0)
    return 2;
  pid = fork();
  if (pid == 0)
    writer(a, b);
  CHECK(read(to_parent[0], &c, 1) == 1, "the writer reached its commit point");
  meddle();
  CHECK(write(to_child[1], &c, 1) == 1, "the writer was told to go on");
  CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
            WEXITSTATUS(status) == 0,
        "the writer's two writes were acknowledged (status %d)", status);
  {
    weft_pfs *q = new_pfs(key, NULL, 0, NULL, 0);
    weft_wasi_errno e = pf_read_all(q, "f", back, sizeof back, &n);
    CHECK(e == 0 && n == LEN && memcmp(back, b, LEN) == 0,
          "0 acknowledged writes lost: the file holds the last one "
          "(errno %d, %zu bytes, first byte %c)",
          e, n, n ? back[0] : '-');
    weft_pfs_free(q);
  }
  printf("%d passed, %d failed\n", pass, fail);
  return fail ? 1 : 0;
}
