/*
** cmd_start.c — `start ID`: lets the parked init of a created container
** exec weft. Init blocks opening exec.fifo for writing; start opens it
** for reading (without blocking) and waits for init's byte, checking all
** the while that init is still alive, so a dead init is an error rather
** than a hang. The FIFO is removed afterwards, so a second start fails.
*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

/* Waits for init's byte on fd; 0 when it came. */
static int wait_for_init(struct oci_container *c, int fd) {
  struct pollfd pfd = {fd, POLLIN, 0};
  pid_t pid;
  char byte;

  for (;;) {
    int n = poll(&pfd, 1, 100);
    if (n < 0 && errno != EINTR)
      return -1;
    if (n > 0 && (pfd.revents & POLLIN))
      return read(fd, &byte, 1) == 1 ? 0 : -1;
    if (n > 0 && (pfd.revents & (POLLHUP | POLLERR)))
      return -1;
    if (strcmp(oci_status(c, &pid), "created") != 0)
      return -1;
  }
}

int oci_start_locked(struct oci_container *c) {
  pid_t pid;
  const char *status = oci_status(c, &pid);
  int fd;

  if (strcmp(status, "created") != 0) {
    oci_errorf("cannot start container %s: it is %s, not created", c->id,
               status);
    return -1;
  }
  fd = openat(c->dirfd, "exec.fifo",
              O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || wait_for_init(c, fd) != 0) {
    oci_errorf("cannot start container %s: its init process did not "
               "respond (it exited?)",
               c->id);
    if (fd >= 0)
      close(fd);
    return -1;
  }
  close(fd);
  unlinkat(c->dirfd, "exec.fifo", 0);
  json_object_set_new(c->state, "started", json_true());
  return oci_state_save(c);
}

int oci_cmd_start(const struct oci_globals *g, int argc, char **argv) {
  struct oci_container c;
  int rc;

  if (argc != 2)
    return oci_usage_error("start", "want exactly one container ID");
  if (oci_container_open(g, argv[1], 1, 0, &c) != 0)
    return OCI_EXIT_FAIL;
  rc = oci_start_locked(&c);
  oci_container_close(&c);
  return rc == 0 ? 0 : OCI_EXIT_FAIL;
}
