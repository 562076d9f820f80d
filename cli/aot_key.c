/*
** aot_key.c — finding, checking and making the per-user AoT key
** (aot_key.h). Every open is O_NOFOLLOW and every check is on the opened
** descriptor, so what is checked is what is read.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aot_key.h"
#include "cli.h"
#include "sha256.h"

#define KEY_NAME "aot.key"

/* Reads a key from an open descriptor after checking it is a private
** regular file of exactly 32 bytes owned by this user. */
static int read_key_fd(int fd, const char *path, uint8_t key[32]) {
  struct stat st;
  char label[4200], why[160];
  ssize_t n;

  snprintf(label, sizeof label, "%s (AoT key)", path);
  if (fstat(fd, &st) != 0) {
    cli_errorf("%s: %s", label, strerror(errno));
    return -1;
  }
  if (cli_check_private(&st, 0, why, sizeof why) != 0) {
    cli_errorf("%s: refused: %s", label, why);
    return -1;
  }
  if ((st.st_mode & 077) != 0) {
    cli_errorf("%s: refused: readable by group or others (mode %04o); "
               "chmod 600 it",
               label, (unsigned)(st.st_mode & 07777));
    return -1;
  }
  if (st.st_size != CLI_AOT_KEY_SIZE) {
    cli_errorf("%s: refused: %lld bytes, a key is %d random bytes", label,
               (long long)st.st_size, CLI_AOT_KEY_SIZE);
    return -1;
  }
  do
    n = pread(fd, key, CLI_AOT_KEY_SIZE, 0);
  while (n < 0 && errno == EINTR);
  if (n != CLI_AOT_KEY_SIZE) {
    cli_errorf("%s: read error", label);
    return -1;
  }
  return 0;
}

static int open_key(int dirfd, const char *path) {
  return openat(dirfd, path,
                O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

static void report_open(const char *path, int e) {
  cli_errorf("%s (AoT key): refused: %s", path,
             e == ELOOP ? "a symbolic link" : strerror(e));
}

/* Opens `name` in `dirfd` as open_key does and reads the key; `path`
** names it in messages. 0, or -1 after reporting. */
static int read_key_at(int dirfd, const char *name, const char *path,
                       uint8_t key[32]) {
  int fd = open_key(dirfd, name), rc;
  if (fd < 0) {
    report_open(path, errno);
    return -1;
  }
  rc = read_key_fd(fd, path, key);
  close(fd);
  return rc;
}

/* --aot-key FILE or $WEFT_AOT_KEY: never created. */
static int key_from_file(const char *path, uint8_t key[32]) {
  return read_key_at(AT_FDCWD, path, path, key);
}

static int default_dir(char *out, size_t out_size) {
  const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
  if (xdg != NULL && xdg[0] == '/')
    snprintf(out, out_size, "%s/weft", xdg);
  else if (home != NULL && home[0] != '\0')
    snprintf(out, out_size, "%s/.config/weft", home);
  else
    return -1;
  return 0;
}

/* Makes the default key: linked in only if no other weft made one first,
** in which case that one is read. */
static int make_key(int dirfd, const char *path, uint8_t key[32]) {
  int existed;

  if (cli_random(key, CLI_AOT_KEY_SIZE) != 0) {
    cli_errorf("%s: no random numbers to make an AoT key", path);
    return -1;
  }
  if (cli_write_at(dirfd, path, KEY_NAME, key, CLI_AOT_KEY_SIZE, 0600,
                   &existed) != CLI_EXIT_OK)
    return -1;
  if (!existed)
    return 0;
  return read_key_at(dirfd, KEY_NAME, path, key);
}

static int key_default(int create, uint8_t key[32], char *path,
                       size_t path_size) {
  char dir[4096];
  struct stat st;
  int dirfd, fd, rc;

  if (default_dir(dir, sizeof dir) != 0) {
    cli_errorf("no AoT key: set HOME or XDG_CONFIG_HOME, or use --aot-key "
               "FILE");
    return -1;
  }
  snprintf(path, path_size, "%s/" KEY_NAME, dir);
  if (!create && stat(dir, &st) != 0 && errno == ENOENT)
    return 1; /* nothing to read, and not asked to make anything */
  dirfd = cli_open_private_dir(dir, "AoT key directory");
  if (dirfd < 0)
    return -1;
  fd = open_key(dirfd, KEY_NAME);
  if (fd >= 0)
    rc = read_key_fd(fd, path, key);
  else if (errno == ENOENT)
    rc = create ? make_key(dirfd, path, key) : 1;
  else {
    report_open(path, errno);
    rc = -1;
  }
  if (fd >= 0)
    close(fd);
  close(dirfd);
  return rc;
}

int cli_aot_key_get(const char *given, int create,
                    uint8_t key[CLI_AOT_KEY_SIZE], char *path,
                    size_t path_size) {
  const char *env = getenv("WEFT_AOT_KEY");

  if (given == NULL && env != NULL && env[0] != '\0')
    given = env;
  if (given != NULL) {
    snprintf(path, path_size, "%s", given);
    return key_from_file(given, key);
  }
  return key_default(create, key, path, path_size);
}

void cli_aot_key_id(const uint8_t key[CLI_AOT_KEY_SIZE],
                    uint8_t out[CLI_AOT_KEY_ID_SIZE]) {
  static const char label[] = "weft-aot-key-id"; /* hashed with its NUL */
  struct cli_sha256 *h = cli_sha256_new();
  uint8_t digest[CLI_SHA256_SIZE];

  memset(out, 0, CLI_AOT_KEY_ID_SIZE);
  if (h == NULL)
    return;
  cli_sha256_update(h, label, sizeof label);
  cli_sha256_update(h, key, CLI_AOT_KEY_SIZE);
  cli_sha256_final(h, digest);
  memcpy(out, digest, CLI_AOT_KEY_ID_SIZE);
}
