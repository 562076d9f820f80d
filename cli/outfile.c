/*
** outfile.c — how the CLI writes a host file it was told to produce
** (--account FILE and FILE.sig, the device files of `weft provision`).
** The directory is opened once, when the output is named (for --account:
** before the guest runs), and everything after goes through that
** descriptor (cli_write_at): the bytes go to a fresh temporary created
** with O_CREAT|O_EXCL|O_NOFOLLOW, which is then renamed over the name. A
** symlink planted at the name (by a guest that can write the directory
** through a preopen, say) is replaced, never followed; a symlink at a
** temporary name makes the create fail, and another name is tried.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

int cli_outfile_write(const struct cli_outfile *o, const char *suffix,
                      const void *bytes, size_t size, unsigned mode) {
  char name[sizeof o->name + 8], label[4200];

  snprintf(name, sizeof name, "%s%s", o->name, suffix);
  snprintf(label, sizeof label, "%s%s", o->path, suffix);
  return cli_write_at(o->dirfd, label, name, bytes, size, mode, NULL) ==
                 CLI_EXIT_OK
             ? 0
             : -1;
}

void cli_outfile_close(struct cli_outfile *o) {
  if (o->dirfd >= 0)
    close(o->dirfd);
  o->dirfd = -1;
}

int cli_write_file_atomic(const char *path, const uint8_t *bytes, size_t size) {
  return cli_write_output(path, bytes, size, 0644) == 0 ? CLI_EXIT_OK
                                                        : CLI_EXIT_USAGE;
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
