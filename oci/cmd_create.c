/*
** cmd_create.c — `create` and `run` (and the create of `restore`,
** cmd_restore.c: the same container, whose process is `weft restore`).
**
** create checks everything it can before anything runs (config.json, the
** entrypoint inside the rootfs and that it is a valid Wasm module, the
** annotations, the mounts), reserves the ID with mkdir (so two creates of
** one ID cannot both win), then forks the container's init process and
** returns once init is parked. Init:
**   - starts a new session (setsid); with process.terminal it makes a pty
**     and sends the master over --console-socket (console.c),
**   - gives up its privileges (harden.c), so that a failure there is
**     create's error and not a dead container after start,
**   - says "ready" to create, then opens exec.fifo for writing, which
**     blocks until `start` opens it for reading,
**   - and execs weft, which becomes the container's process: its exit
**     status and signals are the container's. weft runs with
**     --snapshot-dir ROOT/ID/snapshot, so `checkpoint` can ask it to save
**     the program (SIGUSR1; cmd_checkpoint.c).
** Init keeps create's stdio (conmon passes pipes); --pid-file gets init's
** pid, the process conmon and the shim wait for. The state records init's
** pid with its start time.
**
** No namespaces, no pivot_root: the program sees only its preopens, so a
** mount namespace would add nothing a Wasm program could observe;
** --no-pivot and --no-new-keyring are accepted for that reason.
** --preserve-fds is accepted, and the descriptors are not passed on:
** WASI has no way to name them. linux.resources.cpu is not applied (no
** CPU controller is used); cgroupsPath is used best-effort for memory
** (cgroup.c).
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

static int parse_create(const char *cmd, int argc, char **argv,
                        struct oci_create_opts *o) {
  int i;

  memset(o, 0, sizeof *o);
  o->bundle = ".";
  for (i = 1; i < argc; i++) {
    const char *v, *arg = argv[i];
    int missing = 0;
    if (arg[0] != '-') {
      if (o->id != NULL)
        return oci_usage_error(cmd, "unexpected argument '%s'", arg);
      o->id = arg;
      continue;
    }
    if (strcmp(arg, "-b") != 0 && strcmp(arg, "-d") != 0)
      arg = oci_long_option(argv, i); /* -bundle == --bundle */
    if ((v = oci_opt_value(argc, argv, &i, "--bundle", &missing)) ||
        (v = oci_opt_value(argc, argv, &i, "-b", &missing)))
      o->bundle = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--pid-file", &missing)))
      o->pid_file = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--console-socket", &missing)))
      o->console_socket = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--preserve-fds", &missing)))
      oci_logf("info",
               "--preserve-fds %s: not passed on (WASI cannot name "
               "them)",
               v);
    else if (strcmp(arg, "--detach") == 0 || strcmp(arg, "-d") == 0)
      o->detach = 1;
    else if (strcmp(arg, "--no-pivot") == 0 ||
             strcmp(arg, "--no-new-keyring") == 0)
      continue;
    else if (missing)
      return oci_usage_error(cmd, "option %s needs a value", arg);
    else
      return oci_usage_error(cmd, "unknown option '%s'", arg);
    if (missing)
      return oci_usage_error(cmd, "option %s needs a value", arg);
  }
  if (o->id == NULL)
    return oci_usage_error(cmd, "missing container ID");
  return 0;
}

/* The AoT key of the cache: 32 random bytes, made once, private to the
** process's user. weft would make its own only under $HOME; it gets this
** one as --aot-key. */
static int make_aot_key(int dirfd, const struct oci_process *p) {
  unsigned char key[32];
  int fd = openat(dirfd, "aot.key",
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    return errno == EEXIST ? 0 : -1;
  if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key ||
      write(fd, key, sizeof key) != (ssize_t)sizeof key ||
      fchown(fd, p->uid, p->gid) != 0) {
    close(fd);
    unlinkat(dirfd, "aot.key", 0);
    return -1;
  }
  memset(key, 0, sizeof key);
  return close(fd);
}

/* weft.aot: the compiled-code cache of this uid under --root (its own
** directory, so that a process.user can write it through a descriptor),
** with its key. */
static int plan_aot(json_t *run, int rootfd, const char *root,
                    const struct oci_process *p) {
  char name[32], path[PATH_MAX];
  int fd, ufd = -1;

  if (!json_is_true(json_object_get(run, "aot")))
    return 0;
  snprintf(name, sizeof name, "%u", (unsigned)p->uid);
  fd = mkdirat(rootfd, ".aot-cache", 0700) != 0 && errno != EEXIST
           ? -1
           : openat(rootfd, ".aot-cache",
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0 && mkdirat(fd, name, 0700) == 0 &&
      fchownat(fd, name, p->uid, p->gid, AT_SYMLINK_NOFOLLOW) != 0)
    errno = EPERM;
  else if (fd >= 0)
    ufd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (ufd < 0 || make_aot_key(ufd, p) != 0) {
    oci_errorf("weft.aot: cannot make the cache %s/.aot-cache/%s: %s", root,
               name, strerror(errno));
    if (fd >= 0)
      close(fd);
    if (ufd >= 0)
      close(ufd);
    return -1;
  }
  close(fd);
  close(ufd);
  snprintf(path, sizeof path, "%s/.aot-cache/%s", root, name);
  json_object_set_new(run, "aot_cache", json_string(path));
  return 0;
}

/* The directory weft saves the program into on SIGUSR1 (`weft run
** --snapshot-dir`), for checkpoint: ROOT/ID/snapshot, private, owned by
** the process's user. Not for compiled code (weft.aot), whose frames
** cannot be saved, nor a pod sandbox. */
static int plan_snapshot(json_t *run, int dirfd, const char *statedir,
                         const struct oci_process *p) {
  char path[PATH_MAX];

  if (json_is_true(json_object_get(run, "aot")))
    return 0;
  if (mkdirat(dirfd, "snapshot", 0700) != 0 ||
      fchownat(dirfd, "snapshot", p->uid, p->gid, AT_SYMLINK_NOFOLLOW) != 0) {
    oci_errorf("cannot make the snapshot directory %s/snapshot: %s", statedir,
               strerror(errno));
    return -1;
  }
  if (snprintf(path, sizeof path, "%s/snapshot", statedir) >=
      (int)sizeof path) {
    oci_errorf("%s/snapshot: path too long", statedir);
    return -1;
  }
  json_object_set_new(run, "snapshot_dir", json_string(path));
  return 0;
}

/* restore: the checkpoint must fit the bundle (its directories; the
** module is checked once the launch has it open), and its snapshot is
** copied into the new container's state, which is what weft restores. */
static int plan_restore(json_t *run, int dirfd, const char *statedir,
                        const struct oci_image *im,
                        const struct oci_process *p) {
  char path[PATH_MAX];

  if (json_is_true(json_object_get(run, "aot"))) {
    oci_errorf("restore: annotation weft.aot=true: a restored program runs "
               "in the interpreter (snapshots hold interpreter frames); "
               "remove it");
    return -1;
  }
  if (oci_image_check_dirs(im, run) != 0 || oci_image_install(im, dirfd) != 0 ||
      oci_image_load_tmpfs(im, run, p) != 0)
    return -1;
  /* weft, as process.user, opens it through /proc/self/fd, which checks
  ** the file's own permissions: the private copy is that user's. */
  if (fchownat(dirfd, OCI_RESTORE_NAME, p->uid, p->gid, AT_SYMLINK_NOFOLLOW) !=
      0) {
    oci_errorf("restore: %s/%s: %s", statedir, OCI_RESTORE_NAME,
               strerror(errno));
    return -1;
  }
  if (snprintf(path, sizeof path, "%s/%s", statedir, OCI_RESTORE_NAME) >=
      (int)sizeof path) {
    oci_errorf("%s: path too long", statedir);
    return -1;
  }
  json_object_set_new(run, "restore", json_string(path));
  return 0;
}

/* The container's state.json before start. */
static json_t *initial_state(const struct oci_bundle *b, const char *id,
                             pid_t pid, json_t *run) {
  char now[32];
  json_t *state = oci_proc_record(pid);

  oci_time_now(now, sizeof now);
  json_object_set_new(state, "ociVersion", json_string(OCI_VERSION));
  json_object_set_new(state, "id", json_string(id));
  json_object_set_new(state, "bundle", json_string(b->dir));
  json_object_set_new(state, "annotations",
                      b->annotations != NULL ? json_deep_copy(b->annotations)
                                             : json_object());
  json_object_set_new(state, "created", json_string(now));
  json_object_set_new(state, "started", json_false());
  json_object_set_new(state, "paused", json_false());
  json_object_set_new(state, "execs", json_array());
  json_object_set(state, "run", run);
  /* exec's inline form starts from the container's own process. */
  json_object_set(state, "process", b->proc.json);
  return state;
}

/* Init, in the child: set up, harden, say ready, wait for start, exec
** weft. Never returns. */
static void init_main(struct oci_container *c, struct oci_launch *l,
                      const struct oci_bundle *b,
                      const struct oci_create_opts *o, int ready) {
  char path[64];
  int fifo, w;

  close(c->lockfd); /* the flock belongs to create */
  fifo = openat(c->dirfd, "exec.fifo", O_PATH | O_CLOEXEC);
  if (setsid() < 0 || fifo < 0) {
    oci_errorf("container init: %s", strerror(errno));
    _exit(1);
  }
  if ((b->proc.terminal &&
       oci_console_setup(o->console_socket, &b->proc) != 0) ||
      oci_harden(&b->proc) != 0)
    _exit(1);
  if (write(ready, "\0", 1) != 1)
    _exit(1);
  close(ready);
  /* Blocks until `start` opens the FIFO for reading (or create is
  ** deleted: delete kills this process). */
  snprintf(path, sizeof path, "/proc/self/fd/%d", fifo);
  w = open(path, O_WRONLY | O_CLOEXEC);
  if (w < 0 || write(w, "0", 1) != 1) {
    oci_errorf("container init: waiting for start: %s", strerror(errno));
    _exit(1);
  }
  close(w);
  close(fifo);
  if (l->argv == NULL)
    oci_pause_forever(); /* a pod sandbox (sandbox.c) */
  oci_launch_exec(l);
  _exit(127);
}

/* Forks init; returns its pid once it is parked, or -1 (it reported). */
static pid_t fork_init(struct oci_container *c, struct oci_launch *l,
                       const struct oci_bundle *b,
                       const struct oci_create_opts *o) {
  int sync[2], status;
  char byte;
  pid_t pid;

  if (pipe2(sync, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
    oci_errorf("cannot start the container's init: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    close(sync[0]);
    init_main(c, l, b, o, sync[1]);
  }
  close(sync[1]);
  if (read(sync[0], &byte, 1) == 1 && byte == '\0') {
    close(sync[0]);
    return pid;
  }
  close(sync[0]);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

/* After mkdir: everything else, with the container locked. */
static int create_locked(struct oci_container *c, const struct oci_bundle *b,
                         const struct oci_create_opts *o, const char *root,
                         int sandbox, pid_t *out_pid) {
  char statedir[PATH_MAX], cgroup[PATH_MAX];
  struct oci_launch l;
  json_t *run;
  pid_t pid;
  int rc = -1;

  memset(&l, 0, sizeof l);
  snprintf(statedir, sizeof statedir, "%s/%s", root, c->id);
  run = oci_plan_make(b, c->dirfd, statedir);
  if (run == NULL)
    return -1;
  json_object_set_new(run, "wasm_annotated",
                      json_boolean(oci_annotations_say_wasm(b->annotations)));
  if (sandbox && o->image != NULL) {
    oci_errorf("restore: the bundle is a pod sandbox, which has no program "
               "to restore");
    goto done;
  }
  if (sandbox)
    json_object_set_new(run, "sandbox", json_true());
  else if (plan_aot(run, c->rootfd, root, &b->proc) != 0 ||
           (o->image != NULL &&
            plan_restore(run, c->dirfd, statedir, o->image, &b->proc) != 0) ||
           plan_snapshot(run, c->dirfd, statedir, &b->proc) != 0 ||
           oci_launch_prepare(&l, run, &b->proc, 1) != 0 ||
           oci_launch_validate(&l, b->proc.args[0]) != 0 ||
           (o->image != NULL &&
            oci_image_check_snapshot(l.restore_fd, l.entry_fd, b->proc.args[0],
                                     json_object_get(run, "snapshot_key") !=
                                         NULL) != 0))
    goto done;
  if (mkfifoat(c->dirfd, "exec.fifo", 0600) != 0 ||
      fchmodat(c->dirfd, "exec.fifo", 0622, 0) != 0) {
    oci_errorf("cannot make exec.fifo: %s", strerror(errno));
    goto done;
  }
  pid = fork_init(c, &l, b, o);
  if (pid < 0)
    goto done;
  oci_cgroup_join(b->cgroups_path, b->memory_limit, pid, cgroup, sizeof cgroup);
  if (cgroup[0] != '\0')
    json_object_set_new(run, "cgroup", json_string(cgroup));
  c->state = initial_state(b, c->id, pid, run);
  if (oci_state_save(c) != 0 ||
      (o->pid_file != NULL && oci_write_pid_file(o->pid_file, pid) != 0)) {
    kill(pid, SIGKILL);
    goto done;
  }
  *out_pid = pid;
  rc = 0;
done:
  oci_launch_free(&l);
  json_decref(run);
  return rc;
}

/* Whether create hands this bundle to the fallback runtime: there is
** one, the entrypoint is not Wasm, and no annotation says it must be. */
static const char *wants_fallback(const struct oci_globals *g,
                                  const struct oci_bundle *b, int argc) {
  const char *runtime = oci_fallback_runtime(g);
  if (runtime == NULL || argc == 0 || oci_annotations_say_wasm(b->annotations))
    return NULL;
  return oci_entry_is_wasm(b->rootfs, &b->proc) ? NULL : runtime;
}

int oci_create_container(const struct oci_globals *g,
                         const struct oci_create_opts *o, int argc, char **argv,
                         pid_t *pid) {
  const char *fallback;
  struct oci_container c;
  struct oci_bundle b;
  char *root = NULL;
  int rc = -1;

  memset(&c, 0, sizeof c);
  memset(&b, 0, sizeof b);
  c.id = o->id;
  c.rootfd = c.dirfd = c.lockfd = -1;
  if (oci_check_id(o->id) != 0 || oci_bundle_load(o->bundle, &b) != 0)
    goto out;
  if (b.proc.terminal && o->console_socket == NULL) {
    oci_errorf("process.terminal is set: --console-socket is required");
    goto out;
  }
  c.rootfd = oci_root_open(g->root, 1);
  root = c.rootfd >= 0 ? realpath(g->root, NULL) : NULL;
  if (root == NULL)
    goto out;
  if (mkdirat(c.rootfd, o->id, 0700) != 0) {
    if (errno == EEXIST)
      oci_errorf("container %s already exists", o->id);
    else
      oci_errorf("container %s: cannot make its directory: %s", o->id,
                 strerror(errno));
    goto out;
  }
  c.dirfd =
      openat(c.rootfd, o->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  /* A delete --force of this ID may race us to the lock and remove the
  ** directory: then the lock says ENOENT and we stop. */
  if (c.dirfd < 0 || oci_container_lock(&c) != 0) {
    oci_errorf("container %s: cannot lock: %s", o->id, strerror(errno));
    oci_remove_tree_at(c.rootfd, o->id);
    goto out;
  }
  fallback = o->image == NULL ? wants_fallback(g, &b, argc) : NULL;
  if (fallback != NULL) {
    *pid = 0;
    rc = oci_fallback_create(g, c.rootfd, o->id, fallback, argc, argv);
    goto out;
  }
  /* A pod sandbox's native /pause is replaced by a built-in one. */
  rc = create_locked(&c, &b, o, root,
                     oci_is_pod_sandbox(b.annotations) &&
                         !oci_entry_is_wasm(b.rootfs, &b.proc),
                     pid);
  if (rc != 0)
    oci_remove_tree_at(c.rootfd, o->id);
out:
  oci_container_close(&c);
  oci_bundle_free(&b);
  free(root);
  return rc;
}

int oci_cmd_create(const struct oci_globals *g, int argc, char **argv) {
  struct oci_create_opts o;
  pid_t pid;

  if (parse_create("create", argc, argv, &o) != 0)
    return OCI_EXIT_FAIL;
  return oci_create_container(g, &o, argc, argv, &pid) == 0 ? 0 : OCI_EXIT_FAIL;
}

static pid_t run_pid;

/* run forwards the signals a terminal or a supervisor sends it. */
static void forward(int sig) {
  if (run_pid > 0)
    kill(run_pid, sig);
}

int oci_start_and_wait(const struct oci_globals *g,
                       const struct oci_create_opts *o, pid_t pid) {
  struct oci_container c;
  int status = 0, rc;

  if (oci_container_open(g, o->id, 1, 0, &c) != 0)
    return OCI_EXIT_FAIL;
  rc = oci_start_locked(&c);
  oci_container_close(&c);
  if (rc == 0 && o->detach)
    return 0; /* the caller's subreaper reaps it, and deletes it */
  if (rc == 0) {
    run_pid = pid;
    signal(SIGTERM, forward);
    signal(SIGINT, forward);
    signal(SIGHUP, forward);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
  }
  if (oci_container_open(g, o->id, 1, 1, &c) == 0) {
    oci_delete_locked(&c, 1);
    oci_container_close(&c);
  }
  if (rc != 0)
    return OCI_EXIT_FAIL;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* run: create, start, wait for the program in the foreground, delete;
** the exit status is the program's (128 + N when killed by signal N).
** run --detach returns once the program has started. */
int oci_cmd_run(const struct oci_globals *g, int argc, char **argv) {
  struct oci_create_opts o;
  pid_t pid;

  if (parse_create("run", argc, argv, &o) != 0 ||
      oci_create_container(g, &o, 0, NULL, &pid) != 0)
    return OCI_EXIT_FAIL;
  return oci_start_and_wait(g, &o, pid);
}
