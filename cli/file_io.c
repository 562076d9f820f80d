/*
** file_io.c — how the CLI reads and writes whole files. Reading opens
** first and checks what was opened (a FIFO or a device is refused before
** a byte is read, so no command blocks on one); writing goes through a
** fresh temporary file in the same directory and a rename, so readers see
** the old file or the new one, never half of one. Directory checks for the
** files weft trusts (its AoT key, its --aot cache) live here too.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char *kind_of(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "a device";
  return "not a regular file";
}

/* Faults in the pages of a large buffer in one system call, before read()
** fills it: one page fault per 4 KiB page is most of what reading an AoT
** artifact of a few MB costs (each fault is a trap, and a dear one under
** a hypervisor). Only a hint: a kernel without MADV_POPULATE_WRITE
** (before Linux 5.14) refuses it and the pages fault in as they are
** written. */
static void populate(uint8_t *buf, size_t size) {
  long page = sysconf(_SC_PAGESIZE);
  uintptr_t start, end;

  if (page <= 0 || size < ((size_t)1 << 20))
    return;
  start = ((uintptr_t)buf + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  end = ((uintptr_t)buf + size) & ~((uintptr_t)page - 1);
  if (end > start)
    (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}

int cli_read_fd(int fd, const char *path, uint64_t max_bytes,
                uint8_t **out_bytes, size_t *out_size) {
  struct stat st;
  uint8_t *buf;
  size_t size, got = 0;

  *out_bytes = NULL;
  *out_size = 0;
  if (fstat(fd, &st) != 0) {
    cli_errorf("%s: cannot open: %s", path, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  if (!S_ISREG(st.st_mode)) {
    cli_errorf("%s: not a regular file (%s); weft reads only regular files",
               path, kind_of(st.st_mode));
    return CLI_EXIT_USAGE;
  }
  if ((uint64_t)st.st_size > max_bytes) {
    cli_errorf("%s: file too large (%" PRIu64 " bytes; the limit is %" PRIu64
               " bytes)",
               path, (uint64_t)st.st_size, max_bytes);
    return CLI_EXIT_USAGE;
  }
  size = (size_t)st.st_size;
  buf = malloc(size ? size : 1);
  if (buf == NULL) {
    cli_errorf("%s: out of memory reading %zu bytes", path, size);
    return CLI_EXIT_USAGE;
  }
  populate(buf, size);
  while (got < size) {
    ssize_t n = read(fd, buf + got, size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      cli_errorf("%s: read error: %s", path,
                 n < 0 ? strerror(errno) : "the file shrank while read");
      free(buf);
      return CLI_EXIT_USAGE;
    }
    got += (size_t)n;
  }
  *out_bytes = buf;
  *out_size = size;
  return CLI_EXIT_OK;
}

int cli_read_file(const char *path, uint64_t max_bytes, uint8_t **out_bytes,
                  size_t *out_size) {
  /* O_NONBLOCK: opening a FIFO without a writer must not wait; a regular
  ** file reads the same with or without it. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  int rc;

  *out_bytes = NULL;
  *out_size = 0;
  if (fd < 0) {
    cli_errorf("%s: cannot open: %s", path, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  rc = cli_read_fd(fd, path, max_bytes, out_bytes, out_size);
  close(fd);
  return rc;
}

int cli_random(void *out, size_t size) {
  uint8_t *p = out;
  while (size > 0) {
    ssize_t n = getrandom(p, size, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    p += n;
    size -= (size_t)n;
  }
  return 0;
}

int cli_write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Creates "<name>.tmp-<random>" in `dirfd`, exclusively and without
** following a planted link; returns its descriptor or -1. */
static int create_temp(int dirfd, const char *name, mode_t mode, char *tmp,
                       size_t tmp_size) {
  for (int tries = 0; tries < 16; tries++) {
    uint32_t r;
    if (cli_random(&r, sizeof r) != 0)
      return -1;
    snprintf(tmp, tmp_size, "%s.tmp-%08" PRIx32, name, r);
    int fd = openat(dirfd, tmp,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0 || errno != EEXIST)
      return fd;
  }
  return -1;
}

int cli_write_at(int dirfd, const char *label, const char *name,
                 const uint8_t *bytes, size_t size, unsigned mode,
                 int *out_existed) {
  char tmp[4200];
  int fd = create_temp(dirfd, name, (mode_t)mode, tmp, sizeof tmp), e = 0;

  if (out_existed != NULL)
    *out_existed = 0;
  if (fd < 0) {
    cli_errorf("%s: cannot write: %s", label, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  /* fsync before the rename: after a crash the name holds the old file or
  ** the whole new one, never a short one. */
  if (cli_write_all(fd, bytes, size) != 0 || fchmod(fd, (mode_t)mode) != 0 ||
      fsync(fd) != 0)
    e = errno;
  if (close(fd) != 0 && e == 0)
    e = errno;
  /* renameat replaces `name` even when it is a planted symlink (the link,
  ** not its target); linkat never replaces anything. */
  if (e == 0 && out_existed == NULL && renameat(dirfd, tmp, dirfd, name) != 0)
    e = errno;
  if (e == 0 && out_existed != NULL &&
      linkat(dirfd, tmp, dirfd, name, 0) != 0) {
    if (errno == EEXIST)
      *out_existed = 1;
    else
      e = errno;
  }
  if (e != 0 || out_existed != NULL)
    unlinkat(dirfd, tmp, 0);
  if (e != 0) {
    cli_errorf("%s: cannot write: %s", label, strerror(e));
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

int cli_check_private(const struct stat *st, int is_dir, char *why,
                      size_t why_size) {
  if (is_dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
    snprintf(why, why_size, "%s",
             is_dir ? "not a directory" : kind_of(st->st_mode));
  else if (st->st_uid != geteuid())
    snprintf(why, why_size, "owned by uid %u, not by this user (uid %u)",
             (unsigned)st->st_uid, (unsigned)geteuid());
  else if ((st->st_mode & 022) != 0)
    snprintf(why, why_size,
             "writable by group or others (mode %04o; chmod go-w it, or use "
             "a %s only you can write)",
             (unsigned)(st->st_mode & 07777), is_dir ? "directory" : "file");
  else
    return 0;
  return -1;
}

int cli_make_dirs(const char *dir) {
  char buf[4096];
  size_t n = strlen(dir);

  if (n == 0 || n >= sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, dir, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != '\0')
      continue;
    char c = buf[i];
    buf[i] = '\0';
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
      return -1;
    buf[i] = c;
  }
  return 0;
}

int cli_open_private_dir(const char *dir, const char *what) {
  char label[4200], why[160];
  struct stat st;
  int fd;

  snprintf(label, sizeof label, "%s (%s)", dir, what);
  if (cli_make_dirs(dir) != 0) {
    cli_errorf("%s: cannot create: %s", label, strerror(errno));
    return -1;
  }
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    cli_errorf("%s: refused: %s", label,
               errno == ELOOP || errno == ENOTDIR ? "a symbolic link or not a "
                                                    "directory"
                                                  : strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0)
    snprintf(why, sizeof why, "%s", strerror(errno));
  else if (cli_check_private(&st, 1, why, sizeof why) == 0)
    return fd;
  cli_errorf("%s: refused: %s", label, why);
  close(fd);
  return -1;
}
