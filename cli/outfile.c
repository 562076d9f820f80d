/*
** outfile.c — how the CLI writes a host file it was told to produce
** (--account FILE and FILE.sig, the device files of `weft provision`).
** The directory is opened once, when the output is named (for --account:
** before the guest runs), and everything after goes through that
** descriptor: the bytes go to a fresh temporary created with
** O_CREAT|O_EXCL|O_NOFOLLOW, which is then renamed over the name. A
** symlink planted at the name (by a guest that can write the directory
** through a preopen, say) is replaced, never followed; a symlink at a
** temporary name makes the create fail, and another name is tried.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define TEMP_TRIES 16

int cli_outfile_open(const char *path, struct cli_outfile *out) {
  const char *slash = strrchr(path, '/');
  const char *name = slash != NULL ? slash + 1 : path;
  char dir[4096];

  out->dirfd = -1;
  out->path = path;
  if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
      strlen(name) + sizeof ".sig" > sizeof out->name) {
    cli_errorf("%s: not a file name", path);
    return -1;
  }
  if (slash == NULL)
    snprintf(dir, sizeof dir, ".");
  else if ((size_t)snprintf(dir, sizeof dir, "%.*s", (int)(slash - path),
                            path) >= sizeof dir) {
    cli_errorf("%s: path too long", path);
    return -1;
  }
  if (dir[0] == '\0')
    snprintf(dir, sizeof dir, "/");
  out->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (out->dirfd < 0) {
    cli_errorf("%s: cannot open its directory %s: %s", path, dir,
               strerror(errno));
    return -1;
  }
  snprintf(out->name, sizeof out->name, "%s", name);
  return 0;
}

/* A new temporary file in the directory, never through a symlink. */
static int create_temp(const struct cli_outfile *o, unsigned mode, char *tmp,
                       size_t size) {
  for (int i = 0; i < TEMP_TRIES; i++) {
    uint32_t r = 0;
    int fd;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
      r = (uint32_t)getpid() * 2654435761u + (uint32_t)i;
    snprintf(tmp, size, ".%.200s.%08x.tmp", o->name, (unsigned)r);
    fd = openat(o->dirfd, tmp,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                (mode_t)mode);
    if (fd >= 0 || errno != EEXIST)
      return fd;
  }
  errno = EEXIST;
  return -1;
}

static int write_all(int fd, const uint8_t *p, size_t n) {
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

int cli_outfile_write(const struct cli_outfile *o, const char *suffix,
                      const void *bytes, size_t size, unsigned mode) {
  char tmp[300], name[sizeof o->name];
  int fd, e;

  snprintf(name, sizeof name, "%s%s", o->name, suffix);
  fd = create_temp(o, mode, tmp, sizeof tmp);
  if (fd < 0) {
    cli_errorf("%s%s: cannot create: %s", o->path, suffix, strerror(errno));
    return -1;
  }
  if (write_all(fd, bytes, size) != 0 || fsync(fd) != 0) {
    e = errno;
    close(fd);
    unlinkat(o->dirfd, tmp, 0);
    cli_errorf("%s%s: cannot write: %s", o->path, suffix, strerror(e));
    return -1;
  }
  if (close(fd) != 0 || renameat(o->dirfd, tmp, o->dirfd, name) != 0) {
    e = errno;
    unlinkat(o->dirfd, tmp, 0);
    cli_errorf("%s%s: cannot write: %s", o->path, suffix, strerror(e));
    return -1;
  }
  return 0;
}

void cli_outfile_close(struct cli_outfile *o) {
  if (o->dirfd >= 0)
    close(o->dirfd);
  o->dirfd = -1;
}

int cli_write_output(const char *path, const void *bytes, size_t size,
                     unsigned mode) {
  struct cli_outfile o;
  int rc;
  if (cli_outfile_open(path, &o) != 0)
    return -1;
  rc = cli_outfile_write(&o, "", bytes, size, mode);
  cli_outfile_close(&o);
  return rc;
}
