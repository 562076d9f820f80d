/*
** fuzz_wasi_snapshot.c — libFuzzer target for weft_wasi_snapshot_restore:
** the input is a WASI snapshot, restored into a fresh weft_wasi whose
** preopens ("/data" writable, "/ro" read-only) are a small fixture made
** once under /tmp (fixed contents and mtimes, so seeds that name its files
** reopen them). Restore only reads: it never creates or truncates. Checks:
** no crash or sanitizer report, every failure carries its message, no
** byte leaked or freed with a wrong size (a counting allocator, as
** fuzz_load.c), and a snapshot that restored saves again into bytes that
** restore too. Uses the public headers only.
**
** build: tests/fuzz/build.sh (also builds fuzz_load); seeds in
** tests/fuzz/corpus-wasi-snapshot/.
*/
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft.h"
#include "weft_wasi.h"

#define FUZZ_HDR 16
#define FUZZ_MEM_CAP ((size_t)64 << 20)

struct fuzz_alloc {
  size_t live, cap;
  unsigned bad; /* old_size mismatches */
};

static void *fuzz_realloc(void *user, void *ptr, size_t old_size,
                          size_t new_size) {
  struct fuzz_alloc *a = user;
  unsigned char *blk = ptr ? (unsigned char *)ptr - FUZZ_HDR : NULL, *nb;
  if (blk) {
    size_t have;
    memcpy(&have, blk, sizeof have);
    if (have != old_size) {
      a->bad++;
      old_size = have;
    }
  }
  if (new_size == 0) {
    if (blk) {
      a->live -= old_size;
      free(blk);
    }
    return NULL;
  }
  if (new_size > a->cap || a->live - old_size > a->cap - new_size)
    return NULL;
  nb = realloc(blk, FUZZ_HDR + new_size);
  if (!nb)
    return NULL;
  memcpy(nb, &new_size, sizeof new_size);
  a->live = a->live - old_size + new_size;
  return nb + FUZZ_HDR;
}

static char fixture[64]; /* the preopens' parent, made on first use */
static char data_dir[96], ro_dir[96];

/* A file with fixed contents and mtime (1e9 s), so seeds keep matching. */
static void put_file(const char *dir, const char *name, const char *text) {
  char path[256];
  struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
  int fd;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
    abort();
  close(fd);
  utimensat(AT_FDCWD, path, ts, 0);
}

static void remove_fixture(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fixture);
  if (system(cmd) != 0)
    fprintf(stderr, "fuzz_wasi_snapshot: could not remove %s\n", fixture);
}

static void make_fixture(void) {
  char sub[160];
  if (fixture[0] != '\0')
    return;
  snprintf(fixture, sizeof fixture, "/tmp/weft_fuzz_snapXXXXXX");
  if (mkdtemp(fixture) == NULL)
    abort();
  snprintf(data_dir, sizeof data_dir, "%s/data", fixture);
  snprintf(ro_dir, sizeof ro_dir, "%s/ro", fixture);
  snprintf(sub, sizeof sub, "%s/sub", data_dir);
  if (mkdir(data_dir, 0755) != 0 || mkdir(ro_dir, 0755) != 0 ||
      mkdir(sub, 0755) != 0)
    abort();
  put_file(data_dir, "data.txt", "0123456789");
  put_file(sub, "inner.txt", "inner");
  put_file(ro_dir, "ro.txt", "ro");
  put_file(fixture, "outside.txt", "secret");
  atexit(remove_fixture);
}

static weft_status new_wasi(weft_engine *e, weft_wasi **out) {
  weft_wasi_preopen pre[2];
  weft_wasi_config c;
  weft_error err;
  memset(pre, 0, sizeof pre);
  pre[0].host_path = data_dir;
  pre[0].guest_path = "/data";
  pre[1].host_path = ro_dir;
  pre[1].guest_path = "/ro";
  pre[1].read_only = 1;
  weft_wasi_config_default(&c);
  c.preopens = pre;
  c.npreopens = 2;
  c.stdin_fd = c.stdout_fd = c.stderr_fd = -1;
  return weft_wasi_new(e, &c, out, &err);
}

static int has_message(const weft_error *err, weft_status s) {
  return memchr(err->message, 0, sizeof err->message) && err->message[0] &&
         err->status == s;
}

/* Restores `data`; when it restored, saves and restores the result. 0 when
** every check held. */
static int fuzz_one(weft_engine *e, const uint8_t *data, size_t size) {
  weft_wasi *w = NULL, *w2 = NULL;
  weft_error err;
  uint8_t *bytes = NULL;
  size_t n = 0;
  weft_status s;
  int ok = 1;

  if (new_wasi(e, &w) != WEFT_OK)
    return 1; /* out of fuzz memory: nothing to check */
  s = weft_wasi_snapshot_restore(w, data, size, &err);
  if (s != WEFT_OK) {
    ok = has_message(&err, s);
  } else if ((s = weft_wasi_snapshot_save(w, &bytes, &n, &err)) != WEFT_OK) {
    ok = has_message(&err, s);
  } else if (new_wasi(e, &w2) == WEFT_OK) {
    s = weft_wasi_snapshot_restore(w2, bytes, n, &err);
    if (s != WEFT_OK && s != WEFT_ERR_NOMEM) {
      fprintf(stderr, "fuzz_wasi_snapshot: re-restore failed: %s\n",
              err.message);
      ok = 0;
    }
  }
  weft_wasi_snapshot_free(w, bytes, n);
  weft_wasi_free(w2);
  weft_wasi_free(w);
  return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fuzz_alloc fa = {0, FUZZ_MEM_CAP, 0};
  weft_engine *e = NULL;
  weft_config cfg;
  weft_error err;
  int ok;

  make_fixture();
  weft_config_default(&cfg);
  cfg.alloc = fuzz_realloc;
  cfg.alloc_user = &fa;
  if (weft_engine_new(&cfg, &e, &err) != WEFT_OK)
    return 0;
  ok = fuzz_one(e, data, size);
  weft_engine_free(e);
  if (!ok || fa.live != 0 || fa.bad != 0) {
    fprintf(stderr,
            "fuzz_wasi_snapshot: check failed (%d), leaked %zu bytes, %u "
            "bad old_size\n",
            ok, fa.live, fa.bad);
    abort();
  }
  return 0;
}
