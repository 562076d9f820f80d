/*
** cgroup.c — linux.cgroupsPath, best effort, for memory only: when the
** config names a cgroupfs path and a memory limit, the container's
** processes go into a memory cgroup with that limit, so that weft's own
** allocations (not only the linear memories, which --max-memory caps)
** are bounded too. cgroup v2 (/sys/fs/cgroup unified) gets memory.max;
** v1 (or this machine's hybrid layout) the memory controller's
** memory.limit_in_bytes. Anything that does not work (no permission, a
** systemd "slice:prefix:name" path, a read-only /sys) is logged and the
** container runs without the cgroup: --max-memory still applies.
** No other controller is used: linux.resources.cpu is not applied
** (logged), as weft has no CPU quota of its own.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "oci.h"

#define CGROUP2_MAGIC 0x63677270

/* The controller directory: v2's root, or v1's memory hierarchy. */
static const char *memory_root(void) {
  struct statfs fs;
  if (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_MAGIC)
    return "/sys/fs/cgroup";
  if (access("/sys/fs/cgroup/memory/cgroup.procs", W_OK) == 0)
    return "/sys/fs/cgroup/memory";
  return NULL;
}

/* Makes each directory of path below base (no "..", no ':'). */
static int make_path(const char *dir) {
  char buf[4096], *p;

  if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
    return -1;
  for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
      return -1;
    *p = '/';
  }
  return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *dir, const char *name, const char *text) {
  char path[4200];
  int fd, rc;

  snprintf(path, sizeof path, "%s/%s", dir, name);
  fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
  close(fd);
  return rc;
}

int oci_cgroup_join(const char *cgroups_path, long long limit, pid_t pid,
                    char *dir, size_t size) {
  const char *root = memory_root();
  char text[32];

  dir[0] = '\0';
  if (cgroups_path == NULL || limit <= 0)
    return 0;
  if (root == NULL || cgroups_path[0] != '/' ||
      strstr(cgroups_path, "..") != NULL || strchr(cgroups_path, ':')) {
    oci_logf("warning",
             "cgroupsPath %s: not used (no writable memory "
             "controller, or not a cgroupfs path); memory is "
             "limited by --max-memory only",
             cgroups_path);
    return 0;
  }
  snprintf(dir, size, "%s%s", root, cgroups_path);
  snprintf(text, sizeof text, "%lld", limit);
  if (make_path(dir) != 0 ||
      write_file(dir,
                 strcmp(root, "/sys/fs/cgroup") == 0 ? "memory.max"
                                                     : "memory.limit_in_bytes",
                 text) != 0 ||
      oci_cgroup_add(dir, pid) != 0) {
    oci_logf("warning",
             "cgroup %s: %s; memory is limited by --max-memory "
             "only",
             dir, strerror(errno));
    rmdir(dir);
    dir[0] = '\0';
  }
  return 0;
}

int oci_cgroup_add(const char *dir, pid_t pid) {
  char text[32];
  if (dir == NULL || dir[0] == '\0')
    return 0;
  snprintf(text, sizeof text, "%ld", (long)pid);
  return write_file(dir, "cgroup.procs", text);
}

void oci_cgroup_remove(const char *dir) {
  if (dir != NULL && dir[0] != '\0' && rmdir(dir) != 0 && errno != ENOENT)
    oci_logf("warning", "cgroup %s: cannot remove: %s", dir, strerror(errno));
}
