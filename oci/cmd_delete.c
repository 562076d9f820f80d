/*
** cmd_delete.c — `delete [--force] ID`. A stopped (or created) container
** is removed: its directory under --root, with the tmpfs directories.
** A running or paused one only with --force, which kills init and every
** exec'd process (SIGKILL) and waits until they are gone (or zombies:
** their reaper is conmon or the shim, not us). `delete --force` of a
** container that does not exist succeeds, as runc's does: the shim calls
** delete, then delete --force.
*/
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

/* SIGKILL to init and exec'd processes; waits up to 10 s for them. */
static int kill_all(struct oci_container *c) {
  json_t *execs = json_object_get(c->state, "execs"), *e;
  struct timespec tick = {0, 10 * 1000 * 1000};
  pid_t pid;
  size_t i;
  int tries;

  for (tries = 0; tries < 1000; tries++) {
    int alive = 0;
    oci_prune_execs(c);
    if (strcmp(oci_status(c, &pid), "stopped") != 0) {
      oci_signal_recorded(c->state, SIGKILL);
      alive = 1;
    }
    json_array_foreach(execs, i, e) {
      oci_signal_recorded(e, SIGKILL);
      alive = 1;
    }
    if (!alive)
      return 0;
    nanosleep(&tick, NULL);
  }
  oci_errorf("container %s: its processes did not die after SIGKILL", c->id);
  return -1;
}

int oci_delete_locked(struct oci_container *c, int force) {
  pid_t pid;
  const char *status = oci_status(c, &pid);

  if (c->state != NULL && strcmp(status, "stopped") != 0 &&
      strcmp(status, "created") != 0 && !force) {
    oci_errorf("cannot delete container %s that is not stopped: %s", c->id,
               status);
    return -1;
  }
  if (c->state != NULL && kill_all(c) != 0)
    return -1;
  oci_cgroup_remove(json_string_value(
      json_object_get(json_object_get(c->state, "run"), "cgroup")));
  if (oci_remove_tree_at(c->rootfd, c->id) != 0) {
    oci_errorf("container %s: cannot remove its state: %s", c->id,
               strerror(errno));
    return -1;
  }
  return 0;
}

int oci_cmd_delete(const struct oci_globals *g, int argc, char **argv) {
  struct oci_container c;
  const char *id = NULL;
  int i, force = 0, rc;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0 ||
        strcmp(argv[i], "-force") == 0)
      force = 1;
    else if (argv[i][0] == '-')
      return oci_usage_error("delete", "unknown option '%s'", argv[i]);
    else if (id != NULL)
      return oci_usage_error("delete", "want exactly one container ID");
    else
      id = argv[i];
  }
  if (id == NULL)
    return oci_usage_error("delete", "missing container ID");
  rc = oci_container_open(g, id, 1, force, &c);
  if (rc == 1 && force)
    return 0;
  if (rc != 0)
    return OCI_EXIT_FAIL;
  rc = oci_delete_locked(&c, force);
  oci_container_close(&c);
  return rc == 0 ? 0 : OCI_EXIT_FAIL;
}
