/*
** cmd_checkpoint.c — `checkpoint [--image-path DIR] [--work-path DIR] ID`
** (runc's command line; docs/oci.md, "Checkpoint and restore").
**
** A container's weft runs with --snapshot-dir ROOT/ID/snapshot (create,
** plan_snapshot), so it can be asked at any time: checkpoint sends it
** SIGUSR1, weft saves the program at its next safe point (or inside the
** WASI call it is blocked in) as snapshot.weft and exits with status 0,
** and checkpoint copies that file, the files of the container's tmpfs
** mounts (image_tree.c) and a description of its own (image.c) into the
** image directory. The container is then stopped, as
** after runc's checkpoint; `restore` continues it, under this --root or
** another, here or on another machine.
**
** What runc's options mean here:
**   --image-path DIR   where the image goes (default ./checkpoint; made
**                      0700 when missing; a symbolic link is refused)
**   --work-path DIR    CRIU's logs: accepted, nothing is written there
**   --leave-running    refused: weft's SIGUSR1 saves and stops, and
**                      saving-and-continuing on request is not offered by
**                      weft (a kill after a continuing snapshot would let
**                      the program run on past it, and repeat that output
**                      after restore)
**   --pre-dump, --lazy-pages, --page-server: refused (they change what
**                      the image is: memory only, or pages served later)
**   --tcp-established, --ext-unix-sk, --shell-job, --file-locks,
**   --link-remap, --tcp-skip-in-flight, --auto-dedup, --parent-path,
**   --manage-cgroups-mode, --empty-ns, --status-fd: accepted, nothing to
**                      do (a Wasm program has no sockets of its own, no
**                      namespaces; the image is always complete)
** Exec'd processes are not saved: a container with live ones is refused.
*/
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

#define STOP_WAIT_TICKS 6000 /* 10 ms each: a minute for the safe point */

static const char *const ignored_flags[] = {
    "--tcp-established", "--ext-unix-sk",        "--shell-job",  "--file-locks",
    "--link-remap",      "--tcp-skip-in-flight", "--auto-dedup", NULL};
static const char *const ignored_values[] = {
    "--work-path", "--parent-path", "--manage-cgroups-mode",
    "--empty-ns",  "--status-fd",   NULL};
static const char *const refused[] = {"--leave-running", "--pre-dump",
                                      "--lazy-pages", "--page-server", NULL};

/* Whether pid catches SIGUSR1 (SigCgt in /proc/PID/status): weft does
** once it has read its options; before that the signal would kill it. */
static int catches_usr1(pid_t pid) {
  char path[64], line[256];
  unsigned long long mask = 0;
  FILE *f;

  snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
  f = fopen(path, "re");
  if (f == NULL)
    return 0;
  while (fgets(line, sizeof line, f) != NULL)
    if (sscanf(line, "SigCgt: %llx", &mask) == 1)
      break;
  fclose(f);
  return (mask >> (SIGUSR1 - 1)) & 1;
}

static void tick(void) {
  struct timespec ts = {0, 10 * 1000 * 1000};
  nanosleep(&ts, NULL);
}

/* Asks the container's weft for a snapshot and waits until it has
** exited. Reports; 0 or -1. */
static int stop_with_snapshot(struct oci_container *c) {
  int paused = json_is_true(json_object_get(c->state, "paused")), i;
  pid_t pid;

  oci_status(c, &pid);
  for (i = 0; i < 500 && !catches_usr1(pid); i++)
    tick(); /* weft is starting: a few ms */
  if (!catches_usr1(pid)) {
    oci_errorf("checkpoint %s: its process (pid %ld) does not take "
               "snapshot requests (SIGUSR1 not caught); not sent",
               c->id, (long)pid);
    return -1;
  }
  if (oci_signal_recorded(c->state, SIGUSR1) != 0 ||
      (paused && oci_signal_recorded(c->state, SIGCONT) != 0)) {
    oci_errorf("checkpoint %s: cannot signal its process: %s", c->id,
               strerror(errno));
    return -1;
  }
  if (paused) {
    json_object_set_new(c->state, "paused", json_false());
    oci_state_save(c);
  }
  for (i = 0; i < STOP_WAIT_TICKS; i++) {
    if (strcmp(oci_status(c, &pid), "stopped") == 0)
      return 0;
    tick();
  }
  oci_errorf("checkpoint %s: the program did not stop within a minute of "
             "the request (it is still running; it will stop when it "
             "reaches a safe point, and its snapshot stays in the state)",
             c->id);
  return -1;
}

static int checkpoint_locked(struct oci_container *c, const char *image) {
  json_t *run = json_object_get(c->state, "run");
  const char *dir = json_string_value(json_object_get(run, "snapshot_dir"));
  const char *entry = json_string_value(json_array_get(
      json_object_get(json_object_get(c->state, "process"), "args"), 0));
  const char *status;
  char now[32];
  int snapfd = -1, imgfd = -1, rc = -1;
  pid_t pid;

  status = oci_status(c, &pid);
  if (strcmp(status, "running") != 0 && strcmp(status, "paused") != 0) {
    oci_errorf("cannot checkpoint container %s: it is %s, not running", c->id,
               status);
    return -1;
  }
  if (dir == NULL || entry == NULL) {
    oci_errorf("cannot checkpoint container %s: %s", c->id,
               json_is_true(json_object_get(run, "aot"))
                   ? "it runs compiled code (weft.aot=true), whose frames "
                     "cannot be saved; only interpreted programs can"
               : json_is_true(json_object_get(run, "sandbox"))
                   ? "it is a pod sandbox, with no program to save"
                   : "it was created without a snapshot directory");
    return -1;
  }
  oci_prune_execs(c);
  if (json_array_size(json_object_get(c->state, "execs")) > 0) {
    oci_errorf("cannot checkpoint container %s: it has %zu exec'd "
               "process(es) running, which a checkpoint would not save; wait "
               "for them or kill them",
               c->id, json_array_size(json_object_get(c->state, "execs")));
    return -1;
  }
  snapfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (snapfd < 0) {
    oci_errorf("checkpoint %s: snapshot directory %s: %s", c->id, dir,
               strerror(errno));
    return -1;
  }
  /* Made before the program stops, so a bad path stops nothing. */
  imgfd = oci_image_open(image, 1);
  if (imgfd < 0)
    goto out;
  unlinkat(snapfd, OCI_SNAPSHOT_NAME, 0); /* none but a new one counts */
  if (stop_with_snapshot(c) != 0)
    goto out;
  if (faccessat(snapfd, OCI_SNAPSHOT_NAME, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
    oci_errorf("checkpoint %s: the program exited without a snapshot (it "
               "had finished, or weft could not save it: see the "
               "container's stderr)",
               c->id);
    goto out;
  }
  if (oci_image_save_tmpfs(imgfd, image, run) != 0 ||
      oci_image_write(imgfd, image, snapfd, c->id, run, entry) != 0)
    goto out;
  unlinkat(snapfd, OCI_SNAPSHOT_NAME, 0); /* it is in the image now */
  oci_time_now(now, sizeof now);
  json_object_set_new(c->state, "checkpointed",
                      json_pack("{s:s, s:s}", "image", image, "time", now));
  rc = oci_state_save(c);
out:
  close(snapfd);
  if (imgfd >= 0)
    close(imgfd);
  return rc;
}

int oci_cmd_checkpoint(const struct oci_globals *g, int argc, char **argv) {
  const char *image = "checkpoint", *id = NULL;
  struct oci_container c;
  int i, rc;

  for (i = 1; i < argc; i++) {
    const char *v, *arg = argv[i];
    int missing = 0;
    if (arg[0] != '-') {
      if (id != NULL)
        return oci_usage_error("checkpoint", "unexpected argument '%s'", arg);
      id = arg;
      continue;
    }
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      /* podman asks this to learn that checkpoints are supported. */
      puts("usage: weft-oci checkpoint [--image-path DIR] [--work-path DIR] "
           "ID\n\nAsks the container's weft to save its program (a weft "
           "snapshot),\nstops it, and writes the image to DIR (default "
           "./checkpoint).\n--leave-running, --pre-dump, --lazy-pages and "
           "--page-server are not\nsupported; CRIU's other options are "
           "accepted and mean nothing here.");
      return 0;
    }
    arg = oci_long_option(argv, i);
    if ((v = oci_opt_value(argc, argv, &i, "--image-path", &missing)))
      image = v;
    else if (oci_opt_listed(refused, arg))
      return oci_usage_error(
          "checkpoint",
          "%s is not supported: weft saves the program and stops it; "
          "the image is always complete and local",
          arg);
    else if (oci_opt_listed(ignored_flags, arg))
      continue;
    else if (oci_opt_listed(ignored_values, arg)) {
      if (strchr(arg, '=') == NULL && ++i >= argc)
        return oci_usage_error("checkpoint", "option %s needs a value", arg);
      continue;
    } else if (missing)
      return oci_usage_error("checkpoint", "option %s needs a value", arg);
    else
      return oci_usage_error("checkpoint", "unknown option '%s'", arg);
    if (missing)
      return oci_usage_error("checkpoint", "option %s needs a value", arg);
  }
  if (id == NULL)
    return oci_usage_error("checkpoint", "missing container ID");
  if (oci_container_open(g, id, 1, 0, &c) != 0)
    return OCI_EXIT_FAIL;
  rc = checkpoint_locked(&c, image);
  oci_container_close(&c);
  return rc == 0 ? 0 : OCI_EXIT_FAIL;
}
