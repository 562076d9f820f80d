/*
** files.c — a WASI program for the TrustZone tier (tests/tz/init.sh runs
** it in the weft TA) whose files live in OP-TEE secure storage: the TA
** preopens "/data" on persistent objects of its own (ports/optee/
** wasi_fs_optee.c). Modes:
**   write     create two files (one write each), read them back, list
**             the directory; exit 0 when all matched;
**   check     (after a reboot) read both back and list; exit 0 when they
**             hold what `write` wrote;
**   tampered  (after the normal world flipped a byte of their backing)
**             read both; exit 3 when every read was refused, 1 when any
**             content came back.
** Every line of content carries the marker "weft-tz-secret-line", which
** tests/tz/run.sh looks for in the normal-world files that back them.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *names[2] = {"/data/notes.txt", "/data/ledger.bin"};

/* The content of file i: a few lines, the second file longer than one
** 4 KiB block of OP-TEE's storage. */
static size_t content(int i, char *buf, size_t cap) {
  size_t n = 0;
  int lines = i == 0 ? 3 : 200;
  for (int l = 0; l < lines && n + 64 < cap; l++)
    n += (size_t)snprintf(buf + n, cap - n,
                          "weft-tz-secret-line %d of file %d\n", l, i);
  return n;
}

static int write_file(int i) {
  static char buf[16384];
  size_t n = content(i, buf, sizeof buf);
  int fd = open(names[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || write(fd, buf, n) != (ssize_t)n || close(fd)) {
    printf("write %s: %s\n", names[i], strerror(errno));
    return 1;
  }
  printf("wrote %s: %zu bytes\n", names[i], n);
  return 0;
}

/* 0: matches; 1: differs; 2: refused (open or read failed). */
static int read_file(int i) {
  static char want[16384], got[16384 + 1];
  size_t n = content(i, want, sizeof want), have = 0;
  int fd = open(names[i], O_RDONLY);
  if (fd < 0) {
    printf("refused %s: open: %s\n", names[i], strerror(errno));
    return 2;
  }
  for (;;) {
    ssize_t r = read(fd, got + have, sizeof got - have);
    if (r < 0) {
      printf("refused %s: read: %s\n", names[i], strerror(errno));
      close(fd);
      return 2;
    }
    if (r == 0)
      break;
    have += (size_t)r;
  }
  close(fd);
  if (have != n || memcmp(got, want, n)) {
    printf("read %s: %zu bytes, differs\n", names[i], have);
    return 1;
  }
  printf("read %s: %zu bytes, as written\n", names[i], have);
  return 0;
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists /data sorted (readdir's order is the TA's), with sizes. */
static int list(void) {
  DIR *d = opendir("/data");
  if (!d) {
    printf("opendir /data: %s\n", strerror(errno));
    return 1;
  }
  char *v[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      v[n++] = strdup(e->d_name);
  closedir(d);
  qsort(v, (size_t)n, sizeof v[0], cmp);
  for (int i = 0; i < n; i++) {
    char path[300];
    snprintf(path, sizeof path, "/data/%s", v[i]);
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f && !fseek(f, 0, SEEK_END))
      size = ftell(f);
    if (f)
      fclose(f);
    printf("list %s %ld\n", v[i], size);
    free(v[i]);
  }
  return n == 2 ? 0 : 1;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  int bad = 0;
  if (!strcmp(mode, "write")) {
    bad |= write_file(0) | write_file(1);
    bad |= read_file(0) != 0;
    bad |= read_file(1) != 0;
    bad |= list();
    return bad;
  }
  if (!strcmp(mode, "check")) {
    bad |= read_file(0) != 0;
    bad |= read_file(1) != 0;
    bad |= list();
    return bad;
  }
  if (!strcmp(mode, "tampered")) {
    int a = read_file(0), b = read_file(1);
    return a == 2 && b == 2 ? 3 : 1;
  }
  fprintf(stderr, "usage: files write|check|tampered\n");
  return 2;
}
