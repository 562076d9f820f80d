/*
** util.c — small helpers of weft-oci: atomic file writes, pid files,
** signal names, numbers, removing a directory tree without following
** links, timestamps.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

static int write_all(int fd, const void *bytes, size_t len) {
  const char *p = bytes;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int oci_write_at(int dirfd, const char *name, const void *bytes, size_t len,
                 mode_t mode) {
  char tmp[PATH_MAX];
  int fd, saved;

  /* The pid makes the name unique among concurrent writers that do not
  ** hold the container's lock (pid files in a shared directory). */
  snprintf(tmp, sizeof tmp, ".%s.%ld.tmp", name, (long)getpid());
  fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
              mode);
  if (fd < 0)
    return -1;
  if (write_all(fd, bytes, len) != 0 || fsync(fd) != 0) {
    saved = errno;
    close(fd);
    unlinkat(dirfd, tmp, 0);
    errno = saved;
    return -1;
  }
  close(fd);
  if (renameat(dirfd, tmp, dirfd, name) != 0) {
    saved = errno;
    unlinkat(dirfd, tmp, 0);
    errno = saved;
    return -1;
  }
  fsync(dirfd); /* the rename itself survives a crash */
  return 0;
}

int oci_write_pid_file(const char *path, pid_t pid) {
  char text[32], *copy = strdup(path), *slash;
  const char *dir = ".", *name = path;
  int dirfd, rc = -1;

  if (copy == NULL) {
    oci_errorf("out of memory");
    return -1;
  }
  slash = strrchr(copy, '/');
  if (slash != NULL) {
    *slash = '\0';
    dir = slash == copy ? "/" : copy;
    name = slash + 1;
  }
  dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  snprintf(text, sizeof text, "%ld", (long)pid);
  if (dirfd >= 0 && name[0] != '\0')
    rc = oci_write_at(dirfd, name, text, strlen(text), 0644);
  if (rc != 0)
    oci_errorf("--pid-file %s: %s", path,
               name[0] == '\0' ? "not a file name" : strerror(errno));
  if (dirfd >= 0)
    close(dirfd);
  free(copy);
  return rc;
}

/* The signals a container is usually sent, by name (without "SIG"). */
static const struct {
  const char *name;
  int number;
} signal_names[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT},
    {"ILL", SIGILL},   {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},
    {"IOT", SIGIOT},   {"BUS", SIGBUS},       {"FPE", SIGFPE},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},
    {"CONT", SIGCONT}, {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF}, {"WINCH", SIGWINCH},   {"IO", SIGIO},
    {"POLL", SIGPOLL}, {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

int oci_parse_signal(const char *text) {
  long long n;
  size_t i;

  if (oci_parse_ll(text, 1, SIGRTMAX, &n) == 0)
    return (int)n;
  if (strncasecmp(text, "SIG", 3) == 0)
    text += 3;
  for (i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
    if (strcasecmp(text, signal_names[i].name) == 0)
      return signal_names[i].number;
  return -1;
}

int oci_parse_ll(const char *text, long long min, long long max,
                 long long *out) {
  char *end;
  long long v;

  if (text[0] == '\0' || text[0] == ' ' || text[0] == '+')
    return -1;
  errno = 0;
  v = strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

/* Removes what dirfd holds, depth first, and closes dirfd. A container
** can make a tree of any depth in a tmpfs directory; rather than nest
** without bound (and run out of descriptors), a directory found at
** MAX_REMOVE_DEPTH is renamed to the top (topfd) as "deep.N", and
** oci_remove_tree_at makes another pass for it. */
#define MAX_REMOVE_DEPTH 64

static int empty_dir(int dirfd, int depth, int topfd, unsigned *moved) {
  DIR *d = fdopendir(dirfd);
  struct dirent *e;
  int rc = 0;

  if (d == NULL) {
    close(dirfd);
    return -1;
  }
  rewinddir(d); /* a dup of the top shares its offset with the last pass */
  while ((e = readdir(d)) != NULL) {
    char deep[32];
    int sub;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (unlinkat(dirfd, e->d_name, 0) == 0 || errno == ENOENT)
      continue;
    if (errno != EISDIR && errno != EPERM) {
      rc = -1;
      continue;
    }
    if (depth >= MAX_REMOVE_DEPTH) {
      snprintf(deep, sizeof deep, "deep.%u", (*moved)++);
      if (renameat(dirfd, e->d_name, topfd, deep) != 0)
        rc = -1;
      continue;
    }
    sub = openat(dirfd, e->d_name,
                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0 || empty_dir(sub, depth + 1, topfd, moved) != 0 ||
        unlinkat(dirfd, e->d_name, AT_REMOVEDIR) != 0)
      rc = -1;
  }
  closedir(d);
  return rc;
}

int oci_remove_tree_at(int dirfd, const char *name) {
  unsigned moved = 0, before;
  int fd, rc;

  if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
    return 0;
  if (unlinkat(dirfd, name, 0) == 0)
    return 0;
  fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -1;
  /* Each pass removes MAX_REMOVE_DEPTH levels of what is left; another
  ** pass is needed only when the last one moved something up. */
  do {
    int again = dup(fd);
    before = moved;
    rc = again < 0 ? -1 : empty_dir(again, 0, fd, &moved);
  } while (rc == 0 && moved != before);
  close(fd);
  if (rc != 0)
    return -1;
  return unlinkat(dirfd, name, AT_REMOVEDIR);
}

void oci_time_now(char *buf, size_t size) {
  struct timespec ts;
  struct tm tm;

  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int oci_print_json(const json_t *doc) {
  char *text = doc != NULL ? json_dumps(doc, JSON_INDENT(2)) : NULL;
  if (text == NULL) {
    oci_errorf("out of memory");
    return OCI_EXIT_FAIL;
  }
  printf("%s\n", text);
  free(text);
  return 0;
}
