/*
 * hello.c — the program in the weft-hello OCI image (scripts/oci-image.sh),
 * used by tests/oci/podman.sh, tests/oci/containerd.sh and
 * scripts/oci-bench.sh. One source for two builds: wasm32-wasi (run by
 * weft-oci) and a static native binary (run by runc, the reference).
 * argv[1] picks what it does; with none it greets.
 *
 *   hello [ARGS...]       "hello from weft-hello", then argc and each argv
 *   env                   every environment variable, one per line
 *   getenv NAME           NAME's value (exit 1 when unset)
 *   exit N                exit with status N
 *   write PATH TEXT       create/truncate PATH with TEXT (exit 1 on error)
 *   read PATH             print PATH's contents (exit 1 on error)
 *   ls DIR                the names in DIR, sorted
 *   cwd                   the working directory
 *   tty                   whether stdin and stdout are terminals
 *   cat                   copy stdin to stdout
 *   sleep SECONDS|forever sleep, after printing "sleeping"
 *   tick [N]              print "tick I" ten times a second, N times or
 *                         forever
 *   grow MIB              grow the heap 1 MiB at a time up to MIB; when the
 *                         runtime refuses, say so and then store one byte
 *                         past the end of memory (under Wasm: a trap)
 *
 * Errors go to stderr; every line of output is flushed as it is written,
 * so a container's log shows progress.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int usage(void) {
  fprintf(stderr, "usage: hello [hello ARGS|env|getenv NAME|exit N|"
                  "write PATH TEXT|read PATH|ls DIR|cwd|tty|cat|"
                  "sleep S|tick [N]|grow MIB]\n");
  return 2;
}

/* parse_count: a decimal in [0, max], or -1. */
static long parse_count(const char *s, long max) {
  char *end;
  long v;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0 || v > max)
    return -1;
  return v;
}

static int greet(int argc, char **argv) {
  printf("hello from weft-hello\n");
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++)
    printf("argv[%d]=%s\n", i, argv[i]);
  return 0;
}

static int print_env(void) {
  for (char **e = environ; e && *e; e++)
    printf("%s\n", *e);
  return 0;
}

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "hello: cannot write %s: %s\n", path, strerror(errno));
    return 1;
  }
  size_t n = strlen(text);
  int bad = fwrite(text, 1, n, f) != n;
  bad |= fclose(f) != 0;
  if (bad) {
    fprintf(stderr, "hello: cannot write %s: %s\n", path, strerror(errno));
    return 1;
  }
  printf("wrote %s\n", path);
  return 0;
}

static int copy_stream(FILE *in) {
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, stdout) != n)
      return 1;
  return ferror(in) ? 1 : 0;
}

static int read_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "hello: cannot read %s: %s\n", path, strerror(errno));
    return 1;
  }
  int rc = copy_stream(f);
  fclose(f);
  if (rc)
    fprintf(stderr, "hello: error reading %s\n", path);
  return rc;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(const char *path) {
  DIR *d = opendir(path);
  char *names[256];
  size_t n = 0;
  struct dirent *e;
  if (!d) {
    fprintf(stderr, "hello: cannot list %s: %s\n", path, strerror(errno));
    return 1;
  }
  while ((e = readdir(d)) != NULL && n < 256) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    names[n] = strdup(e->d_name);
    if (names[n])
      n++;
  }
  closedir(d);
  qsort(names, n, sizeof names[0], by_name);
  for (size_t i = 0; i < n; i++) {
    printf("%s\n", names[i]);
    free(names[i]);
  }
  return 0;
}

static void nap_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static int sleep_for(const char *what) {
  long secs = strcmp(what, "forever") == 0 ? -1 : parse_count(what, 86400);
  if (secs < 0 && strcmp(what, "forever") != 0)
    return usage();
  printf("sleeping\n");
  for (long i = 0; secs < 0 || i < secs; i++)
    nap_ms(1000);
  printf("slept\n");
  return 0;
}

static int tick(const char *count) {
  long n = count ? parse_count(count, 1000000) : -1;
  if (count && n < 0)
    return usage();
  for (long i = 0; n < 0 || i < n; i++) {
    printf("tick %ld\n", i);
    nap_ms(100);
  }
  return 0;
}

/* grow: 1 MiB steps. Under Wasm each step is a memory.grow of 16 pages,
 * which a runtime with a memory limit refuses (-1); natively, malloc and
 * touch. After a refusal the program stores past the end of its memory,
 * which the Wasm sandbox turns into a trap. */
static int grow(const char *mib_text) {
  long mib = parse_count(mib_text, 4095);
  long have = 0;
  if (mib < 0)
    return usage();
  for (; have < mib; have++) {
#ifdef __wasm__
    if (__builtin_wasm_memory_grow(0, 16) == (size_t)-1)
      break;
#else
    char *p = malloc(1 << 20);
    if (!p)
      break;
    memset(p, 1, 1 << 20);
#endif
    if ((have + 1) % 8 == 0)
      printf("grew to %ld MiB\n", have + 1);
  }
  if (have == mib) {
    printf("grew %ld MiB\n", have);
    return 0;
  }
  printf("memory.grow refused after %ld MiB\n", have);
#ifdef __wasm__
  {
    volatile uint8_t *end =
        (volatile uint8_t *)(__builtin_wasm_memory_size(0) * 65536);
    *end = 1; /* one past the last byte: out of bounds */
  }
#endif
  return 1;
}

static int tty(void) {
  printf("stdin: %s\n", isatty(0) ? "tty" : "not a tty");
  printf("stdout: %s\n", isatty(1) ? "tty" : "not a tty");
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2)
    return greet(argc, argv);
  const char *cmd = argv[1];
  if (strcmp(cmd, "hello") == 0)
    return greet(argc, argv);
  if (strcmp(cmd, "env") == 0 && argc == 2)
    return print_env();
  if (strcmp(cmd, "getenv") == 0 && argc == 3) {
    const char *v = getenv(argv[2]);
    if (!v) {
      printf("%s unset\n", argv[2]);
      return 1;
    }
    printf("%s=%s\n", argv[2], v);
    return 0;
  }
  if (strcmp(cmd, "exit") == 0 && argc == 3) {
    long n = parse_count(argv[2], 255);
    if (n < 0)
      return usage();
    printf("exiting with %ld\n", n);
    return (int)n;
  }
  if (strcmp(cmd, "write") == 0 && argc == 4)
    return write_file(argv[2], argv[3]);
  if (strcmp(cmd, "read") == 0 && argc == 3)
    return read_file(argv[2]);
  if (strcmp(cmd, "ls") == 0 && argc == 3)
    return list_dir(argv[2]);
  if (strcmp(cmd, "cwd") == 0 && argc == 2) {
    char buf[1024];
    if (!getcwd(buf, sizeof buf)) {
      fprintf(stderr, "hello: getcwd: %s\n", strerror(errno));
      return 1;
    }
    printf("%s\n", buf);
    return 0;
  }
  if (strcmp(cmd, "tty") == 0 && argc == 2)
    return tty();
  if (strcmp(cmd, "cat") == 0 && argc == 2)
    return copy_stream(stdin);
  if (strcmp(cmd, "sleep") == 0 && argc == 3)
    return sleep_for(argv[2]);
  if (strcmp(cmd, "tick") == 0 && argc <= 3)
    return tick(argc == 3 ? argv[2] : NULL);
  if (strcmp(cmd, "grow") == 0 && argc == 3)
    return grow(argv[2]);
  return usage();
}
