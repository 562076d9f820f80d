/*
** state.c — where containers live: --root (0700, ours), one directory per
** container named by its ID, holding
**   lock        flock'ed by every command that changes the container
**   state.json  written atomically (oci_write_at) under the lock
**   exec.fifo   the init process waits on it until `start`
**   tmpfs/N     the private directories that stand for tmpfs mounts
** Everything is opened below the root's descriptor with O_NOFOLLOW, so a
** symlink planted anywhere is refused, not followed.
**
** A process is recorded as {pid, start_time}: start_time is field 22 of
** /proc/PID/stat (clock ticks since boot), so a pid reused by another
** process after ours exited never reads as our container, and is never
** signalled (oci_signal_recorded checks it through a pidfd).
*/
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

int oci_id_valid(const char *id) {
  size_t i, n = strlen(id);

  for (i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)id[i];
    if (!isalnum(ch) && ch != '_' && ch != '+' && ch != '-' && ch != '.')
      break;
  }
  return n == 0 || n > 1024 || i < n || strcmp(id, ".") == 0 ||
                 strcmp(id, "..") == 0
             ? -1
             : 0;
}

int oci_check_id(const char *id) {
  if (oci_id_valid(id) != 0) {
    oci_errorf("invalid container ID '%s' (letters, digits, '_', '+', '-', "
               "'.'; not '.' or '..')",
               id);
    return -1;
  }
  return 0;
}

/* Makes the parents of a --root that does not exist yet (0755, as runc
** does for /run/runc's parents). */
static void make_parents(const char *root) {
  char *copy = strdup(root), *p;

  if (copy == NULL)
    return;
  for (p = copy + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    if (mkdir(copy, 0755) != 0 && errno != EEXIST)
      break;
    *p = '/';
  }
  free(copy);
}

/* A state directory must be ours and not writable by anyone else. */
static int check_private(int fd, const char *path) {
  struct stat st;

  if (fstat(fd, &st) != 0) {
    oci_errorf("%s: %s", path, strerror(errno));
    return -1;
  }
  if (st.st_uid != geteuid()) {
    oci_errorf("%s: owned by uid %u, not by us (uid %u); refusing it as "
               "state directory",
               path, (unsigned)st.st_uid, (unsigned)geteuid());
    return -1;
  }
  if (st.st_mode & 022) {
    oci_errorf("%s: writable by group or others (mode %04o); refusing it as "
               "state directory",
               path, (unsigned)(st.st_mode & 07777));
    return -1;
  }
  return 0;
}

int oci_root_open(const char *root, int create) {
  int fd;

  if (root[0] == '\0') {
    oci_errorf("--root: empty path");
    return -1;
  }
  if (create) {
    make_parents(root);
    if (mkdir(root, 0700) != 0 && errno != EEXIST) {
      oci_errorf("--root %s: cannot make it: %s", root, strerror(errno));
      return -1;
    }
  }
  fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR)
      oci_errorf("--root %s: a symbolic link or not a directory; refusing it",
                 root);
    else if (errno == ENOENT)
      return -2; /* no root: no containers */
    else
      oci_errorf("--root %s: %s", root, strerror(errno));
    return -1;
  }
  if (check_private(fd, root) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Reads state.json below dirfd; NULL when there is none. */
static json_t *load_state(int dirfd, const char *id) {
  json_error_t jerr;
  json_t *state;
  FILE *f;
  int fd = openat(dirfd, "state.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  f = fdopen(fd, "r");
  if (f == NULL) {
    close(fd);
    return NULL;
  }
  state = json_loadf(f, 0, &jerr);
  fclose(f);
  if (state == NULL || !json_is_object(state)) {
    oci_logf("warning", "container %s: state.json unreadable: %s", id,
             jerr.text);
    json_decref(state);
    return NULL;
  }
  return state;
}

int oci_container_lock(struct oci_container *c) {
  struct stat a, b;

  c->lockfd =
      openat(c->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (c->lockfd < 0)
    return -1;
  while (flock(c->lockfd, LOCK_EX) != 0)
    if (errno != EINTR)
      return -1;
  if (fstat(c->dirfd, &a) != 0 ||
      fstatat(c->rootfd, c->id, &b, AT_SYMLINK_NOFOLLOW) != 0 ||
      a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
    errno = ENOENT;
    return -1;
  }
  return 0;
}

/* "does not exist", unless the caller expects that (delete --force). */
static int missing(const char *id, int quiet) {
  if (!quiet)
    oci_errorf("container %s does not exist", id);
  return 1;
}

int oci_container_open(const struct oci_globals *g, const char *id, int lock,
                       int quiet_missing, struct oci_container *c) {
  memset(c, 0, sizeof *c);
  c->id = id;
  c->rootfd = c->dirfd = c->lockfd = -1;
  if (oci_check_id(id) != 0)
    return -1;
  c->rootfd = oci_root_open(g->root, 0);
  if (c->rootfd == -1)
    return -1;
  if (c->rootfd < 0) /* no root yet: no container either */
    return missing(id, quiet_missing);
  c->dirfd =
      openat(c->rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (c->dirfd < 0 && errno == ENOENT)
    return missing(id, quiet_missing);
  if (c->dirfd < 0) {
    oci_errorf("container %s: %s", id,
               errno == ELOOP || errno == ENOTDIR
                   ? "its state directory is a symbolic link or not a "
                     "directory; refusing it"
                   : strerror(errno));
    return -1;
  }
  if (check_private(c->dirfd, id) != 0)
    return -1;
  if (lock && oci_container_lock(c) != 0) {
    if (errno == ENOENT)
      return missing(id, quiet_missing); /* deleted while we waited */
    oci_errorf("container %s: cannot lock: %s", id, strerror(errno));
    return -1;
  }
  c->state = load_state(c->dirfd, id);
  return 0;
}

void oci_container_close(struct oci_container *c) {
  if (c->lockfd >= 0)
    close(c->lockfd); /* releases the flock */
  if (c->dirfd >= 0)
    close(c->dirfd);
  if (c->rootfd >= 0)
    close(c->rootfd);
  json_decref(c->state);
  c->state = NULL;
  c->lockfd = c->dirfd = c->rootfd = -1;
}

int oci_state_save(struct oci_container *c) {
  char *text = json_dumps(c->state, JSON_INDENT(2));
  int rc;

  if (text == NULL) {
    oci_errorf("container %s: out of memory", c->id);
    return -1;
  }
  rc = oci_write_at(c->dirfd, "state.json", text, strlen(text), 0600);
  if (rc != 0)
    oci_errorf("container %s: cannot write state.json: %s", c->id,
               strerror(errno));
  free(text);
  return rc;
}

int oci_proc_start_time(pid_t pid, unsigned long long *start, char *state) {
  char path[64], buf[1024], *p;
  int fd, field;
  ssize_t n;

  snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* comm (field 2) may hold spaces and parentheses: fields resume after
  ** the last ')'. */
  p = strrchr(buf, ')');
  if (p == NULL || p[1] != ' ')
    return -1;
  p += 2;
  *state = *p;
  for (field = 3; field < 22 && p != NULL; field++) {
    p = strchr(p, ' ');
    if (p != NULL)
      p++;
  }
  if (p == NULL)
    return -1;
  *start = strtoull(p, NULL, 10);
  return 0;
}

int oci_proc_alive(pid_t pid, unsigned long long start) {
  unsigned long long now;
  char st;

  if (pid <= 0 || oci_proc_start_time(pid, &now, &st) != 0)
    return 0;
  return now == start && st != 'Z' && st != 'X' && st != 'x';
}

/* {pid, start_time} of obj; 0 when obj records none. */
static pid_t recorded(const json_t *obj, unsigned long long *start) {
  json_int_t pid = json_integer_value(json_object_get(obj, "pid"));
  *start = (unsigned long long)json_integer_value(
      json_object_get(obj, "start_time"));
  return pid > 0 && pid < (1 << 30) ? (pid_t)pid : 0;
}

const char *oci_status(const struct oci_container *c, pid_t *pid) {
  unsigned long long start;

  *pid = 0;
  if (c->state == NULL) {
    /* No state yet: a create in progress holds the lock; otherwise a
    ** create died half-way, and nothing of it runs. */
    int fd = openat(c->dirfd, "lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int busy = fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0;
    if (fd >= 0)
      close(fd);
    return busy && c->lockfd < 0 ? "creating" : "stopped";
  }
  *pid = recorded(c->state, &start);
  if (*pid == 0 || !oci_proc_alive(*pid, start))
    return "stopped";
  if (json_is_true(json_object_get(c->state, "paused")))
    return "paused";
  return json_is_true(json_object_get(c->state, "started")) ? "running"
                                                            : "created";
}

int oci_signal_recorded(const json_t *obj, int sig) {
  unsigned long long start;
  pid_t pid = recorded(obj, &start);
  int pidfd, rc;

  if (pid == 0) {
    errno = ESRCH;
    return -1;
  }
  /* The pidfd pins the process: once it is open, checking the start time
  ** proves the pidfd names our process, and a signal through it cannot
  ** reach another one even if the pid is reused meanwhile. */
  pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) {
    if (errno == ESRCH || !oci_proc_alive(pid, start)) {
      errno = ESRCH;
      return -1;
    }
    return kill(pid, sig); /* kernels before 5.3 */
  }
  if (!oci_proc_alive(pid, start)) {
    close(pidfd);
    errno = ESRCH;
    return -1;
  }
  rc = (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
  close(pidfd);
  return rc;
}

json_t *oci_proc_record(pid_t pid) {
  unsigned long long start = 0;
  char st;

  oci_proc_start_time(pid, &start, &st);
  return json_pack("{s:I, s:I}", "pid", (json_int_t)pid, "start_time",
                   (json_int_t)start);
}

void oci_prune_execs(struct oci_container *c) {
  json_t *execs = json_object_get(c->state, "execs");
  size_t i = 0;

  while (i < json_array_size(execs)) {
    unsigned long long start;
    pid_t pid = recorded(json_array_get(execs, i), &start);
    if (pid != 0 && oci_proc_alive(pid, start))
      i++;
    else
      json_array_remove(execs, i);
  }
}

int oci_add_exec(struct oci_container *c, pid_t pid) {
  json_t *execs = json_object_get(c->state, "execs");

  if (!json_is_array(execs)) {
    execs = json_array();
    json_object_set_new(c->state, "execs", execs);
  }
  oci_prune_execs(c);
  json_array_append_new(execs, oci_proc_record(pid));
  return oci_state_save(c);
}
