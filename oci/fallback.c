/*
** fallback.c — a second runtime for images that are not Wasm, so one
** RuntimeClass (or one podman --runtime) can serve mixed workloads.
** Configured with the global option --fallback-runtime PATH or the
** environment variable WEFT_OCI_FALLBACK (PATH: runc, crun...); without
** one, a non-Wasm entrypoint is refused at create.
**
** create hands a container over when its entrypoint is not a Wasm module
** and no annotation says it must be one. Its ID is still reserved here
** (mkdir under --root), and its directory records the runtime in a file
** "fallback"; the runtime keeps its own state in ROOT/ID/fallback-root
** (its --root). Every later command naming that ID (start, state, kill,
** delete, ps, exec, pause, resume) is run by that runtime with the same
** arguments and the same --log / --log-format / --systemd-cgroup, and
** its exit status is ours; after its successful delete the directory is
** removed.
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

/* Options of the commands that take a value (the ID is the first
** argument that is neither an option nor such a value). */
static const char *const valued[] = {"--format",
                                     "-f",
                                     "--process",
                                     "-p",
                                     "--pid-file",
                                     "--cwd",
                                     "--env",
                                     "-e",
                                     "--user",
                                     "-u",
                                     "--cap",
                                     "-c",
                                     "--console-socket",
                                     "--preserve-fds",
                                     "--process-label",
                                     "--apparmor",
                                     "--bundle",
                                     "-b"};

static const char *find_id(int argc, char **argv) {
  int i;
  size_t k;

  for (i = 1; i < argc; i++) {
    if (argv[i][0] != '-')
      return argv[i];
    for (k = 0; k < sizeof valued / sizeof valued[0]; k++)
      if (strcmp(argv[i], valued[k]) == 0) {
        i++;
        break;
      }
  }
  return NULL;
}

/* Runs the fallback runtime with its --root under the container's
** directory, our log options, then argv (a command and its arguments);
** returns its exit status. */
static int run_fallback(const struct oci_globals *g, const char *runtime,
                        const char *id, int argc, char **argv) {
  char root[PATH_MAX];
  char **args = calloc((size_t)argc + 10, sizeof *args);
  int n = 0, i, status;
  pid_t pid;

  if (args == NULL)
    return OCI_EXIT_FAIL;
  snprintf(root, sizeof root, "%s/%s/fallback-root", g->root, id);
  args[n++] = (char *)runtime;
  args[n++] = "--root";
  args[n++] = root;
  if (g->log != NULL) {
    args[n++] = "--log";
    args[n++] = (char *)g->log;
    args[n++] = "--log-format";
    args[n++] = g->log_json ? "json" : "text";
  }
  if (g->systemd_cgroup)
    args[n++] = "--systemd-cgroup";
  for (i = 0; i < argc; i++)
    args[n++] = argv[i];
  args[n] = NULL;
  oci_logf("info", "container %s: handed to %s", id, runtime);
  pid = fork();
  if (pid == 0) {
    execv(runtime, args);
    oci_errorf("fallback runtime %s: %s", runtime, strerror(errno));
    _exit(OCI_EXIT_FAIL);
  }
  free(args);
  if (pid < 0 || waitpid(pid, &status, 0) != pid) {
    oci_errorf("fallback runtime %s: %s", runtime, strerror(errno));
    return OCI_EXIT_FAIL;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : OCI_EXIT_FAIL;
}

/* The runtime recorded for container id under --root, into buf; 0 when
** there is one. */
static int recorded_runtime(const struct oci_globals *g, const char *id,
                            char *buf, size_t size) {
  int rootfd, dirfd = -1, fd = -1;
  ssize_t n = -1;

  if (oci_id_valid(id) != 0)
    return -1;
  rootfd = open(g->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (rootfd >= 0)
    dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd >= 0)
    fd = openat(dirfd, "fallback", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0)
    n = read(fd, buf, size - 1);
  if (fd >= 0)
    close(fd);
  if (dirfd >= 0)
    close(dirfd);
  if (rootfd >= 0)
    close(rootfd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  return 0;
}

int oci_fallback_dispatch(const struct oci_globals *g, int argc, char **argv,
                          int *status) {
  char runtime[PATH_MAX];
  const char *id = find_id(argc, argv);
  int rootfd;

  if (id == NULL || recorded_runtime(g, id, runtime, sizeof runtime) != 0)
    return 0;
  *status = run_fallback(g, runtime, id, argc, argv);
  if (*status == 0 && strcmp(argv[0], "delete") == 0) {
    rootfd = open(g->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rootfd >= 0) {
      oci_remove_tree_at(rootfd, id);
      close(rootfd);
    }
  }
  return 1;
}

const char *oci_fallback_runtime(const struct oci_globals *g) {
  const char *env = getenv("WEFT_OCI_FALLBACK");
  if (g->fallback != NULL && g->fallback[0] != '\0')
    return g->fallback;
  return env != NULL && env[0] != '\0' ? env : NULL;
}

int oci_fallback_create(const struct oci_globals *g, int rootfd, const char *id,
                        const char *runtime, int argc, char **argv) {
  int dirfd, status;

  dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd < 0 ||
      oci_write_at(dirfd, "fallback", runtime, strlen(runtime), 0600) != 0) {
    oci_errorf("container %s: cannot record the fallback runtime: %s", id,
               strerror(errno));
    if (dirfd >= 0)
      close(dirfd);
    oci_remove_tree_at(rootfd, id);
    return OCI_EXIT_FAIL;
  }
  close(dirfd);
  status = run_fallback(g, runtime, id, argc, argv);
  if (status != 0)
    oci_remove_tree_at(rootfd, id);
  return status;
}
