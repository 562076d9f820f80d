/*
** cmd_signal.c — `kill [--all] ID [SIGNAL]`, `pause ID`, `resume ID`.
** Signals go only to processes recorded with their start time, through
** pidfds (state.c), never to a pid that was reused. kill signals init
** (with --all also every exec'd process); killing a stopped container is
** an error ("container not running", as runc). pause stops init and the
** exec'd processes with SIGSTOP and records "paused"; resume sends
** SIGCONT. (No freezer cgroup: a process can see SIGCONT coming, but a
** Wasm program has no signal handlers to see it with.)
*/
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "oci.h"

/* sig to init, and with all to the exec'd processes too. */
static int signal_container(struct oci_container *c, int sig, int all) {
  json_t *e;
  size_t i;
  int rc = oci_signal_recorded(c->state, sig);

  if (rc != 0 && errno == ESRCH)
    rc = 0; /* died meanwhile: as if delivered */
  if (!all)
    return rc;
  oci_prune_execs(c);
  json_array_foreach(json_object_get(c->state, "execs"), i, e) {
    if (oci_signal_recorded(e, sig) != 0 && errno != ESRCH)
      rc = -1;
  }
  return rc;
}

int oci_cmd_kill(const struct oci_globals *g, int argc, char **argv) {
  const char *id = NULL, *name = "TERM";
  struct oci_container c;
  int i, all = 0, sig, n = 0, rc;
  pid_t pid;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0)
      all = 1;
    else if (n == 0 && argv[i][0] != '-' && ++n)
      id = argv[i];
    else if (n == 1 && ++n)
      name = argv[i];
    else
      return oci_usage_error("kill", "unexpected argument '%s'", argv[i]);
  }
  if (id == NULL)
    return oci_usage_error("kill", "missing container ID");
  sig = oci_parse_signal(name);
  if (sig < 0)
    return oci_usage_error("kill", "unknown signal '%s'", name);
  if (oci_container_open(g, id, 1, 0, &c) != 0)
    return OCI_EXIT_FAIL;
  rc = 0;
  if (strcmp(oci_status(&c, &pid), "stopped") == 0 ||
      strcmp(oci_status(&c, &pid), "creating") == 0) {
    oci_errorf("container %s: container not running", id);
    rc = -1;
  } else if (signal_container(&c, sig, all) != 0) {
    oci_errorf("container %s: cannot send signal %d: %s", id, sig,
               strerror(errno));
    rc = -1;
  }
  if (rc == 0 && all)
    oci_state_save(&c); /* the pruned exec list */
  oci_container_close(&c);
  return rc == 0 ? 0 : OCI_EXIT_FAIL;
}

/* pause (stop = 1) and resume (stop = 0). */
static int pause_resume(const struct oci_globals *g, int argc, char **argv,
                        int stop) {
  const char *cmd = stop ? "pause" : "resume";
  struct oci_container c;
  const char *status;
  pid_t pid;
  int rc = -1;

  if (argc != 2)
    return oci_usage_error(cmd, "want exactly one container ID");
  if (oci_container_open(g, argv[1], 1, 0, &c) != 0)
    return OCI_EXIT_FAIL;
  status = oci_status(&c, &pid);
  if (strcmp(status, stop ? "running" : "paused") != 0)
    oci_errorf("cannot %s container %s: it is %s, not %s", cmd, argv[1], status,
               stop ? "running" : "paused");
  else if (signal_container(&c, stop ? SIGSTOP : SIGCONT, 1) != 0)
    oci_errorf("cannot %s container %s: %s", cmd, argv[1], strerror(errno));
  else {
    json_object_set_new(c.state, "paused", json_boolean(stop));
    rc = oci_state_save(&c);
  }
  oci_container_close(&c);
  return rc == 0 ? 0 : OCI_EXIT_FAIL;
}

int oci_cmd_pause(const struct oci_globals *g, int argc, char **argv) {
  return pause_resume(g, argc, argv, 1);
}

int oci_cmd_resume(const struct oci_globals *g, int argc, char **argv) {
  return pause_resume(g, argc, argv, 0);
}
