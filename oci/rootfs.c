/*
** rootfs.c — the container's entrypoint: process.args[0], a file inside
** the rootfs. The rootfs comes from an image, so it may hold symlinks
** that point anywhere ("/wasm -> /etc/shadow", "../../.."): the name is
** resolved with openat2(RESOLVE_IN_ROOT), which makes "/" and ".." stop
** at the rootfs, as a chroot would, and refuses /proc magic links. On a
** kernel without openat2 (before 5.6), a component walk with O_NOFOLLOW
** that refuses symlinks and ".." (a clear error, never an escape).
**
** The descriptor that is checked for the Wasm magic is the one weft runs
** (as /proc/self/fd/N), so the file cannot be swapped in between.
*/
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

#define ENTRY_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* Without openat2: one component at a time, no symlinks, no "..". */
static int walk_open(int rootfd, const char *path) {
  char *copy = strdup(path), *save = NULL, *part, *next;
  int dir = copy != NULL ? dup(rootfd) : -1;

  part = copy != NULL ? strtok_r(copy, "/", &save) : NULL;
  while (dir >= 0 && part != NULL) {
    next = strtok_r(NULL, "/", &save);
    if (strcmp(part, "..") == 0) {
      close(dir);
      dir = -1;
      errno = EXDEV;
      break;
    }
    if (strcmp(part, ".") != 0 || next == NULL) {
      int sub =
          openat(dir, part,
                 next != NULL ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
                              : ENTRY_FLAGS | O_NOFOLLOW);
      int saved = errno;
      close(dir);
      dir = sub;
      errno = saved;
    }
    part = next;
  }
  free(copy);
  return dir;
}

static int open_in_root(int rootfd, const char *path) {
  struct open_how how;
  int fd;

  memset(&how, 0, sizeof how);
  how.flags = ENTRY_FLAGS;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
  if (fd < 0 && errno == ENOSYS)
    fd = walk_open(rootfd, path);
  return fd;
}

/* The value of PATH in the process's environment, or NULL. */
static const char *env_path(const struct oci_process *p) {
  size_t i;
  for (i = 0; i < p->nenv; i++)
    if (strncmp(p->env[i], "PATH=", 5) == 0)
      return p->env[i] + 5;
  return NULL;
}

/* Tries dir/name for each dir of PATH (only for names without '/'). */
static int open_on_path(int rootfd, const char *path, const char *name) {
  char buf[4096];
  const char *p = path;

  while (p != NULL && *p != '\0') {
    const char *colon = strchr(p, ':');
    int len = colon != NULL ? (int)(colon - p) : (int)strlen(p);
    if (len > 0 &&
        snprintf(buf, sizeof buf, "%.*s/%s", len, p, name) < (int)sizeof buf) {
      int fd = open_in_root(rootfd, buf);
      if (fd >= 0)
        return fd;
    }
    p = colon != NULL ? colon + 1 : NULL;
  }
  errno = ENOENT;
  return -1;
}

/* The entrypoint's descriptor, or -1 with errno; reports nothing. */
static int find_entry(int rootfd, const struct oci_process *p) {
  const char *name = p->args[0];
  char buf[4096];
  int fd;

  if (name[0] == '/')
    snprintf(buf, sizeof buf, "%s", name);
  else if (snprintf(buf, sizeof buf, "%s/%s", p->cwd, name) >=
           (int)sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  fd = open_in_root(rootfd, buf);
  if (fd < 0 && errno == ENOENT && strchr(name, '/') == NULL)
    fd = open_on_path(rootfd, env_path(p), name);
  return fd;
}

int oci_entry_is_wasm(const char *rootfs, const struct oci_process *p) {
  int rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd, wasm;

  if (rootfd < 0)
    return 0;
  fd = find_entry(rootfd, p);
  close(rootfd);
  wasm = fd >= 0 && oci_is_wasm(fd);
  if (fd >= 0)
    close(fd);
  return wasm;
}

int oci_open_entry(int rootfd, const struct oci_process *p) {
  const char *name = p->args[0];
  struct stat st;
  int fd = find_entry(rootfd, p);

  if (fd < 0) {
    oci_errorf("entrypoint %s: %s in the container's rootfs", name,
               errno == EXDEV || errno == ELOOP
                   ? "cannot be resolved without leaving the rootfs"
                   : strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    oci_errorf("entrypoint %s: not a regular file", name);
    close(fd);
    return -1;
  }
  return fd;
}

int oci_is_wasm(int fd) {
  static const unsigned char magic[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  unsigned char head[8];

  return pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
         memcmp(head, magic, sizeof magic) == 0;
}
