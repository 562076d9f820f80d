/*
** oci.h — weft-oci, an OCI runtime (the runc command line) that runs
** WebAssembly modules with weft. One header for the files of oci/:
**
**   main.c        global options, the command table (commands.def), usage
**   log.c         errors to stderr and --log (text or JSON lines)
**   util.c        small helpers: atomic writes, pid files, signals, JSON out
**   state.c       --root and the container directories, locks, state.json,
**                 whether a recorded process is still the one we started
**   spec.c        config.json / process.json into the structs below
**   annotations.c the weft.* annotations (annotations.def)
**   rootfs.c      finding the entrypoint inside the rootfs, without escaping
**   plan.c        what weft gets: preopens, limits, options (state "run")
**   launch.c      the descriptors and argument vector of `weft run`, exec
**   harden.c      rlimits, user, capabilities, no_new_privs
**   seccomp.c     the allow-list (syscalls.def) exported as BPF to a memfd
**   console.c     process.terminal: a pty whose master goes to the socket
**   cgroup.c      a memory cgroup at linux.cgroupsPath, best effort
**   fallback.c    non-Wasm images handed to another runtime (runc, crun)
**   sandbox.c     a built-in pause for Kubernetes pod sandboxes
**   image.c       checkpoint images: written by checkpoint, checked by
**                 restore as hostile input
**   image_tree.c  the tmpfs mounts' files, into an image and back
**   cmd_*.c       the commands
**
** weft-oci never runs Wasm itself: a container's init process becomes the
** `weft` binary (execve), so conmon or containerd's shim see weft's exit
** status and signals as the container's.
*/
#ifndef WEFT_OCI_H
#define WEFT_OCI_H

#include <jansson.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#define OCI_VERSION "1.0.2" /* the runtime-spec version we speak */
#define WEFT_OCI_VERSION "0.1"
#define OCI_ROOT_DEFAULT "/run/weft-oci"
#define OCI_EXIT_FAIL 1 /* runc: every error, usage errors too */

#if defined(__GNUC__)
#define OCI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define OCI_PRINTF(f, a)
#endif

/* The global options (before the command). */
struct oci_globals {
  const char *root;     /* --root, default OCI_ROOT_DEFAULT */
  const char *log;      /* --log FILE, or NULL */
  int log_json;         /* --log-format json */
  int debug;            /* --debug: also log info lines */
  int systemd_cgroup;   /* --systemd-cgroup (passed on to a fallback) */
  const char *fallback; /* --fallback-runtime PATH, or NULL */
};

/* ---- log.c ---- */
void oci_log_setup(const char *path, int json, int debug);
/* "weft-oci: MSG" on stderr and an error line in the log. */
void oci_errorf(const char *fmt, ...) OCI_PRINTF(1, 2);
/* A line in the log only (level "warning" or "info"). */
void oci_logf(const char *level, const char *fmt, ...) OCI_PRINTF(2, 3);

/* ---- util.c ---- */
/* Prints doc (NULL: an allocation failed) as indented JSON and a newline
** on stdout: 0, or OCI_EXIT_FAIL after reporting. */
int oci_print_json(const json_t *doc);
/* Writes name in dirfd atomically: a temporary file beside it, fsync'd,
** renamed over it. Returns 0 or -1 with errno set. */
int oci_write_at(int dirfd, const char *name, const void *bytes, size_t len,
                 mode_t mode);
/* --pid-file PATH: the pid in decimal, written atomically. Reports. */
int oci_write_pid_file(const char *path, pid_t pid);
/* "9", "KILL", "SIGKILL" -> 9; -1 when it names no signal. */
int oci_parse_signal(const char *text);
/* Parses a decimal number in [min, max]; 0 or -1. */
int oci_parse_ll(const char *text, long long min, long long max,
                 long long *out);
/* Removes name below dirfd and everything under it, never following a
** symbolic link. 0 or -1 with errno set. */
int oci_remove_tree_at(int dirfd, const char *name);
/* The RFC 3339 UTC time now, into buf (at least 32 bytes). */
void oci_time_now(char *buf, size_t size);

/* ---- state.c ---- */
/* One container, open: its directory under --root and, for commands that
** change it, its lock. state is state.json (NULL when the directory has
** none: a create that crashed half-way, or one still running). */
struct oci_container {
  const char *id;
  int rootfd; /* --root */
  int dirfd;  /* ROOT/ID */
  int lockfd; /* ROOT/ID/lock, flock'ed exclusively, or -1 */
  json_t *state;
};

/* runc's rule: letters, digits, '_', '+', '-', '.', not "." or "..",
** at most 1024 bytes. Reports. */
int oci_check_id(const char *id);
/* The same check, silent: 0 valid, -1 not. */
int oci_id_valid(const char *id);
/* Opens --root, making it (0700) when create is set. Refuses a symlink,
** a directory owned by another user or writable by others. Reports;
** returns the descriptor or -1. */
int oci_root_open(const char *root, int create);
/* Opens container id (locked when lock is set). Reports "container ID
** does not exist" unless quiet_missing; returns 0, -1 on error, 1 when
** the container does not exist. */
int oci_container_open(const struct oci_globals *g, const char *id, int lock,
                       int quiet_missing, struct oci_container *c);
void oci_container_close(struct oci_container *c);
/* Takes c's lock (making the lock file if needed); after the lock is
** ours, the directory must still be the one under --root (a concurrent
** delete may have removed it: ENOENT). 0 or -1 with errno. */
int oci_container_lock(struct oci_container *c);
/* Writes c->state as state.json (atomically). Reports. */
int oci_state_save(struct oci_container *c);

/* The process table: whether pid is still the process that had start time
** `start` (field 22 of /proc/PID/stat) and has not exited. */
int oci_proc_start_time(pid_t pid, unsigned long long *start, char *state);
int oci_proc_alive(pid_t pid, unsigned long long start);
/* The spec's status of c: "creating", "created", "running", "paused" or
** "stopped"; *pid the init's pid (0 when none). */
const char *oci_status(const struct oci_container *c, pid_t *pid);
/* Sends sig to the process recorded as {pid, start_time} in obj, only
** when it is still that process (through a pidfd: no recycled pid is ever
** signalled). 0 when sent, -1 with errno (ESRCH: gone). */
int oci_signal_recorded(const json_t *obj, int sig);
/* Live exec'd processes of c (pruned of the dead), as {pid, start_time}
** objects in the "execs" array of c->state. */
void oci_prune_execs(struct oci_container *c);
/* Records pid as an exec'd process of c. */
int oci_add_exec(struct oci_container *c, pid_t pid);
/* {pid, start_time} of a process, for the state. */
json_t *oci_proc_record(pid_t pid);

/* ---- spec.c ---- */
struct oci_rlimit {
  const char *name; /* "RLIMIT_NOFILE" */
  int resource;
  struct rlimit limit;
};

/* A process object of config.json or exec's process.json. Strings point
** into json, which the struct keeps a reference on. */
struct oci_process {
  json_t *json;
  const char **args;
  size_t nargs;
  const char **env;
  size_t nenv;
  const char *cwd;
  int terminal;
  unsigned height, width; /* consoleSize, 0 when absent */
  uid_t uid;
  gid_t gid;
  gid_t *gids;
  size_t ngids;
  struct oci_rlimit *rlimits;
  size_t nrlimits;
  int has_oom_score_adj; /* process.oomScoreAdj given */
  int oom_score_adj;
};

struct oci_mount {
  const char *dest, *source, *type;
  int bind;    /* type "bind" or option bind/rbind */
  int ro;      /* option "ro" */
  int tmpfs;   /* type "tmpfs" */
  mode_t mode; /* tmpfs mode= (default 01777) */
};

struct oci_bundle {
  json_t *config;
  char *dir;    /* the bundle, absolute */
  char *rootfs; /* root.path, absolute */
  int root_ro;
  struct oci_process proc;
  struct oci_mount *mounts;
  size_t nmounts;
  json_t *annotations;    /* borrowed from config; may be NULL */
  long long memory_limit; /* linux.resources.memory.limit, -1 none */
  const char *cgroups_path;
};

/* Reads and checks BUNDLE/config.json. Reports; 0 or -1. */
int oci_bundle_load(const char *dir, struct oci_bundle *b);
void oci_bundle_free(struct oci_bundle *b);
/* Checks one process object (what names where it came from). */
int oci_process_parse(json_t *obj, const char *what, struct oci_process *p);
void oci_process_free(struct oci_process *p);
/* Reads a JSON file whole (no FIFOs, at most 4 MiB). Reports. */
json_t *oci_json_load(const char *path);

/* ---- annotations.c ---- */
/* Checks every weft.* annotation and adds what they ask for to run (the
** state's "run" object). Reports; 0 or -1. */
int oci_annotations_apply(const struct oci_bundle *b, json_t *run);
/* The features document's "annotations" object. */
json_t *oci_annotations_features(void);
/* Whether the annotations say the image is Wasm (crun, runwasi). */
int oci_annotations_say_wasm(const json_t *annotations);

/* ---- rootfs.c ---- */
/* Opens the entrypoint args[0] of p inside rootfs (absolute, relative to
** p->cwd, or found on PATH when it has no '/'), never leaving rootfs.
** Reports; returns an O_RDONLY descriptor or -1. */
int oci_open_entry(int rootfd, const struct oci_process *p);
/* 1 when fd starts with the Wasm magic and version 1, else 0. */
int oci_is_wasm(int fd);
/* Silently: 1 when p's entrypoint in rootfs is a Wasm module, 0 when it
** is anything else or cannot be found. */
int oci_entry_is_wasm(const char *rootfs, const struct oci_process *p);

/* ---- fallback.c ---- */
/* The configured fallback runtime (--fallback-runtime or
** $WEFT_OCI_FALLBACK), or NULL. */
const char *oci_fallback_runtime(const struct oci_globals *g);
/* create of a container handed to runtime (its ID already reserved under
** rootfd): records it and runs the runtime's create with argv (the
** command and its arguments). Returns the exit status. */
int oci_fallback_create(const struct oci_globals *g, int rootfd, const char *id,
                        const char *runtime, int argc, char **argv);
/* When the command in argv names a container handed to a fallback
** runtime, runs it there: returns 1 with *status its exit status; else 0.
*/
int oci_fallback_dispatch(const struct oci_globals *g, int argc, char **argv,
                          int *status);

/* ---- plan.c ---- */
/* The "run" object saved in the state: rootfs, preopens, weft options.
** Makes the tmpfs directories under dirfd. Reports; NULL on error. */
json_t *oci_plan_make(const struct oci_bundle *b, int dirfd,
                      const char *statedir);

/* ---- launch.c ---- */
/* Everything one weft process needs, opened before the fork. */
struct oci_launch {
  char **argv; /* `weft run ...`, NULL-terminated */
  size_t argc, cap;
  int *fds; /* descriptors weft inherits (closed by oci_launch_free) */
  size_t nfds;
  const char *weft; /* the weft binary */
  int entry_fd;     /* the module (also in fds) */
  int restore_fd;   /* `weft restore`: the snapshot (also in fds), or -1 */
};
/* Resolves the weft binary: $WEFT_OCI_WEFT, else beside /proc/self/exe. */
const char *oci_weft_path(void);
/* Builds the launch for process p under plan run (is_init: the
** container's own process, which also writes weft.account, gets the
** snapshot directory, and is `weft restore` when run says "restore").
** Reports. */
int oci_launch_prepare(struct oci_launch *l, const json_t *run,
                       const struct oci_process *p, int is_init);
void oci_launch_free(struct oci_launch *l);
/* In the child, after oci_harden: execve weft. Returns only on failure,
** after reporting. */
void oci_launch_exec(struct oci_launch *l);
/* Runs `weft validate` on the entry module (the descriptor in l);
** reports what weft says. 0 valid, -1 not. */
int oci_launch_validate(const struct oci_launch *l, const char *entry_name);

/* ---- harden.c ---- */
/* rlimits, then all capabilities dropped, user and groups, and
** no_new_privs. Reports; 0 or -1. */
int oci_harden(const struct oci_process *p);

/* ---- seccomp.c ---- */
/* The allow-list as a BPF program in a memfd (not close-on-exec).
** Reports; the descriptor or -1. */
int oci_seccomp_memfd(void);
/* The features document's "seccomp" object. */
json_t *oci_seccomp_features(void);

/* ---- cgroup.c ---- */
/* Best effort: puts pid in a memory cgroup at cgroupsPath limited to
** limit bytes; dir gets the cgroup's directory ("" when none was made).
** Problems are logged, never fatal; returns 0. */
int oci_cgroup_join(const char *cgroups_path, long long limit, pid_t pid,
                    char *dir, size_t size);
/* Adds pid to the cgroup dir (nothing when dir is NULL or ""). */
int oci_cgroup_add(const char *dir, pid_t pid);
/* Removes the cgroup dir once its processes are gone. */
void oci_cgroup_remove(const char *dir);

/* ---- image.c ---- */
#define OCI_SNAPSHOT_NAME                                                      \
  "snapshot.weft"                         /* weft's name, in ROOT/ID/snapshot  \
                                           */
#define OCI_IMAGE_JSON "weft-oci.json"    /* weft-oci's part of an image */
#define OCI_RESTORE_NAME "restore.weft"   /* ROOT/ID's copy of the snapshot */
#define OCI_PODMAN_MARKER "inventory.img" /* empty; podman checks for it */
#define OCI_SNAPSHOT_MAX (16LL << 30)     /* the largest snapshot taken */

/* A checkpoint image opened for restore: its description (weft-oci.json,
** checked) and its snapshot, open. */
struct oci_image {
  json_t *doc;
  int imgfd; /* the directory */
  int snapfd;
  long long snap_bytes;
};
/* Opens the image directory (create: making it 0700, for checkpoint),
** never through a symbolic link. Reports; the descriptor or -1. */
int oci_image_open(const char *path, int create);
/* checkpoint: copies snapdir's snapshot into imgfd and writes the
** description (run: the container's plan; entry: process.args[0]).
** Reports; 0 or -1. */
int oci_image_write(int imgfd, const char *image, int snapdir, const char *id,
                    const json_t *run, const char *entry);
/* restore: reads and checks both files (as hostile input); im keeps
** imgfd (closed by oci_image_free, also on failure). Reports. */
int oci_image_read(int imgfd, const char *image, struct oci_image *im);
void oci_image_free(struct oci_image *im);
/* Every directory the checkpointed program had must be planned in run at
** the same guest path, no less writable, protected alike. Reports. */
int oci_image_check_dirs(const struct oci_image *im, const json_t *run);
/* Copies the snapshot into dirfd as OCI_RESTORE_NAME. Reports. */
int oci_image_install(const struct oci_image *im, int dirfd);
/* The snapshot in snapfd must be intact (a plain one: its checksum), of
** the module in entry_fd (its header's SHA-256), and shielded exactly
** when has_key (weft.snapshot-key). Reports; 0 or -1. */
int oci_image_check_snapshot(int snapfd, int entry_fd, const char *entry,
                             int has_key);

/* ---- image_tree.c ---- */
/* checkpoint: each tmpfs preopen of run into imgfd as tmpfs/I (I: its
** index in run's dirs). Reports; 0 or -1. */
int oci_image_save_tmpfs(int imgfd, const char *image, const json_t *run);
/* restore: the image's tmpfs/I into the planned tmpfs directory at the
** same guest path, owned by p's user. Reports; 0 or -1. */
int oci_image_load_tmpfs(const struct oci_image *im, const json_t *run,
                         const struct oci_process *p);

/* ---- sandbox.c ---- */
/* Whether the annotations mark a Kubernetes pod sandbox (pause). */
int oci_is_pod_sandbox(const json_t *annotations);
/* The built-in pause: waits for SIGINT or SIGTERM, then exits 0. */
void oci_pause_forever(void);

/* ---- console.c ---- */
/* Makes a pty, sends its master over the unix socket at sock_path,
** and makes the slave this process's stdio and controlling terminal
** (after setsid). Reports; 0 or -1. */
int oci_console_setup(const char *sock_path, const struct oci_process *p);

/* ---- shared by commands ---- */
/* cmd_start.c: lets a created container run (the container is open and
** locked). Reports; 0 or -1. */
int oci_start_locked(struct oci_container *c);
/* cmd_delete.c: kills what is left (force) and removes the container's
** directory (the container is open and locked). Reports; 0 or -1. */
int oci_delete_locked(struct oci_container *c, int force);
/* cmd_create.c: parsed create/run options. */
struct oci_create_opts {
  const char *bundle, *pid_file, *console_socket, *id;
  int detach;                    /* run --detach: return once started */
  const struct oci_image *image; /* restore: the checkpoint, or NULL */
};
/* cmd_create.c: create for create, run and restore: 0 with *pid the
** parked init, or -1 after reporting; with argv (create only), a
** container handed to the fallback runtime: *pid 0 and the runtime's
** exit status. */
int oci_create_container(const struct oci_globals *g,
                         const struct oci_create_opts *o, int argc, char **argv,
                         pid_t *pid);
/* cmd_create.c: start the created container o->id, then (unless
** o->detach) wait for its program and delete it, forwarding SIGTERM,
** SIGINT and SIGHUP: the exit status of run and restore. */
int oci_start_and_wait(const struct oci_globals *g,
                       const struct oci_create_opts *o, pid_t pid);

/* ---- commands ---- */
#define OCI_COMMAND(name, fn, summary)                                         \
  int fn(const struct oci_globals *g, int argc, char **argv);
#include "commands.def"
#undef OCI_COMMAND

/* main.c: the command-line option helper every command uses: returns
** the value of --name at argv[*i] ("--name V" or "--name=V"), advancing
** *i; NULL when argv[*i] is not that option. *missing set when it has no
** value. */
const char *oci_opt_value(int argc, char **argv, int *i, const char *name,
                          int *missing);
/* Whether arg is one of the options in list (NULL-terminated), alone or
** as "--name=value": for the options a command accepts and ignores. */
int oci_opt_listed(const char *const *list, const char *arg);
/* runc also takes long options with one dash (-root, -bundle): argv[i]
** "-name" (more than one letter) becomes "--name"; returns argv[i]. */
char *oci_long_option(char **argv, int i);
/* Reports a usage error ("weft-oci: CMD: ..."; cmd NULL for the global
** options) and returns OCI_EXIT_FAIL. */
int oci_usage_error(const char *cmd, const char *fmt, ...) OCI_PRINTF(2, 3);

#endif /* WEFT_OCI_H */
