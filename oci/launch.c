/*
** launch.c — turning a process and the container's "run" plan into one
** `weft run` command, and exec'ing it.
**
** Every file weft needs (the module, each preopened directory, the key,
** the --account directory) is opened here, by weft-oci, before the
** process drops its privileges, and weft gets it as /proc/self/fd/N. So
**   - weft runs exactly the file that was checked (no swap in between),
**   - a process.user without rights on --root (0700) or on the image's
**     storage can still run: the descriptors carry the access, as the
**     mounts of a runc container would,
**   - and nothing of the host's name space is resolved after the check.
** (A trailing "/." where weft opens the path with O_NOFOLLOW: a magic
** link may be passed through but not be the last component.)
**
** weft is exec'd with an environment of its own (PATH only); the guest's
** environment is given with --env KEY=VALUE, never as --env KEY (which
** would copy weft-oci's own value).
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

const char *oci_weft_path(void) {
  static char path[PATH_MAX];
  const char *env = getenv("WEFT_OCI_WEFT");
  ssize_t n;
  char *slash;

  if (env != NULL && env[0] != '\0')
    return env;
  n = readlink("/proc/self/exe", path, sizeof path - 6);
  if (n <= 0)
    return "weft";
  path[n] = '\0';
  slash = strrchr(path, '/');
  snprintf(slash + 1, sizeof path - (size_t)(slash + 1 - path), "weft");
  return path;
}

static int push(struct oci_launch *l, const char *arg) {
  if (l->argc + 2 > l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    char **v = realloc(l->argv, cap * sizeof *v);
    if (v == NULL)
      return -1;
    l->argv = v;
    l->cap = cap;
  }
  l->argv[l->argc] = strdup(arg);
  if (l->argv[l->argc] == NULL)
    return -1;
  l->argv[++l->argc] = NULL;
  return 0;
}

static int pushf(struct oci_launch *l, const char *fmt, ...) OCI_PRINTF(2, 3);
static int pushf(struct oci_launch *l, const char *fmt, ...) {
  char buf[8192];
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0 || n >= (int)sizeof buf)
    return -1;
  return push(l, buf);
}

static int keep_fd(struct oci_launch *l, int fd) {
  int *v = realloc(l->fds, (l->nfds + 1) * sizeof *v);
  if (v == NULL) {
    close(fd);
    return -1;
  }
  l->fds = v;
  l->fds[l->nfds++] = fd;
  return fd;
}

/* Opens a host directory for weft; reports. */
static int open_dir(struct oci_launch *l, const char *host, const char *what) {
  int fd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    oci_errorf("%s %s: %s", what, host, strerror(errno));
    return -1;
  }
  return keep_fd(l, fd);
}

/* --dir / --dir-ro / --protected-dir for each planned preopen. */
static int add_dirs(struct oci_launch *l, const json_t *run) {
  json_t *d;
  size_t i;

  json_array_foreach(json_object_get(run, "dirs"), i, d) {
    const char *host = json_string_value(json_object_get(d, "host"));
    const char *guest = json_string_value(json_object_get(d, "guest"));
    const char *opt = json_is_true(json_object_get(d, "protected"))
                          ? "--protected-dir"
                      : json_is_true(json_object_get(d, "ro")) ? "--dir-ro"
                                                               : "--dir";
    int fd = host != NULL && guest != NULL ? open_dir(l, host, "preopen") : -1;
    if (fd < 0 || push(l, opt) != 0 ||
        pushf(l, "/proc/self/fd/%d::%s", fd, guest) != 0)
      return -1;
  }
  return 0;
}

static int add_env(struct oci_launch *l, const struct oci_process *p) {
  int has_pwd = 0;
  size_t i;

  for (i = 0; i < p->nenv; i++) {
    has_pwd |= strncmp(p->env[i], "PWD=", 4) == 0;
    if (push(l, "--env") != 0 || push(l, p->env[i]) != 0)
      return -1;
  }
  /* WASI has no working directory: wasi-libc starts in "/" and resolves
  ** relative names there. process.cwd reaches the program as $PWD. */
  if (!has_pwd && strcmp(p->cwd, "/") != 0 &&
      (push(l, "--env") != 0 || pushf(l, "PWD=%s", p->cwd) != 0))
    return -1;
  return 0;
}

/* --aot with its cache and key in a directory of the state root, one per
** uid (made by cmd_create.c), reached through a descriptor. */
static int add_aot(struct oci_launch *l, const json_t *run) {
  const char *cache = json_string_value(json_object_get(run, "aot_cache"));
  int fd;

  if (!json_is_true(json_object_get(run, "aot")) || cache == NULL)
    return 0;
  fd = open_dir(l, cache, "AoT cache");
  if (fd < 0 || push(l, "--aot") != 0 || push(l, "--cache-dir") != 0 ||
      pushf(l, "/proc/self/fd/%d/.", fd) != 0 || push(l, "--aot-key") != 0 ||
      pushf(l, "/proc/self/fd/%d/aot.key", fd) != 0)
    return -1;
  return 0;
}

/* A key from the operator's key directory (annotations.c) as option. */
static int add_key(struct oci_launch *l, const char *key, const char *what,
                   const char *option) {
  char buf[4096];
  struct stat st;
  int fd = open(key, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC),
      mfd;
  ssize_t n;

  if (fd < 0) {
    oci_errorf("%s %s: %s", what, key, strerror(errno));
    return -1;
  }
  /* A key is a private file: this also keeps an annotation from naming
  ** any readable host file (the program cannot read the key, but its
  ** size would show in the refusal). */
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) ||
      (st.st_uid != 0 && st.st_uid != geteuid())) {
    oci_errorf("%s %s: not a private regular file (owned by root or us, mode "
               "0600 or stricter)",
               what, key);
    close(fd);
    return -1;
  }
  /* weft runs as process.user and opens /proc/self/fd/N, which checks
  ** the key file's own permissions (root's, 0600): it gets a sealed copy
  ** in a memfd instead, reachable only through its descriptor. */
  mfd = memfd_create("weft-oci-key", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  n = read(fd, buf, sizeof buf);
  close(fd);
  if (mfd < 0 || n < 0 || n == (ssize_t)sizeof buf ||
      write(mfd, buf, (size_t)n) != n ||
      fcntl(mfd, F_ADD_SEALS,
            F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0 ||
      lseek(mfd, 0, SEEK_SET) != 0) {
    oci_errorf("%s %s: %s", what, key,
               n == (ssize_t)sizeof buf ? "more than 4 KiB: not a key"
                                        : strerror(errno));
    memset(buf, 0, sizeof buf);
    if (mfd >= 0)
      close(mfd);
    return -1;
  }
  memset(buf, 0, sizeof buf);
  if (keep_fd(l, mfd) < 0 || push(l, option) != 0 ||
      pushf(l, "/proc/self/fd/%d", mfd) != 0)
    return -1;
  return 0;
}

/* weft.account (the container's own process only) and weft.key-file. */
static int add_files(struct oci_launch *l, const json_t *run, int is_init) {
  const char *account = json_string_value(json_object_get(run, "account"));
  const char *key = json_string_value(json_object_get(run, "key_file"));
  int fd;

  if (account != NULL && is_init) {
    const char *slash = strrchr(account, '/');
    char dir[4096];
    if (slash == NULL ||
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - account), account) >=
            (int)sizeof dir)
      return -1;
    fd = open_dir(l, dir, "weft.account: bundle");
    /* The record never replaces a file: the bundle holds the engine's own
    ** (conmon's ctr.log, a shim's logs), and an image can name one. */
    if (fd >= 0 && is_init &&
        fstatat(fd, slash + 1, &(struct stat){0}, AT_SYMLINK_NOFOLLOW) == 0) {
      oci_errorf("weft.account: %s already exists in the bundle; the record "
                 "never replaces a file",
                 slash + 1);
      return -1;
    }
    if (fd < 0 || push(l, "--account") != 0 ||
        pushf(l, "/proc/self/fd/%d/./%s", fd, slash + 1) != 0)
      return -1;
  }
  if (key != NULL && add_key(l, key, "weft.key-file", "--key-file") != 0)
    return -1;
  return 0;
}

/* The container's own process: --snapshot-dir, where weft saves the
** program on SIGUSR1 (cmd_checkpoint.c), and --snapshot-key; the
** directory belongs to the process's user, who cannot reach the state
** root: a descriptor. */
static int add_snapshot(struct oci_launch *l, const json_t *run, int is_init) {
  const char *dir = json_string_value(json_object_get(run, "snapshot_dir"));
  int fd;

  const char *key = json_string_value(json_object_get(run, "snapshot_key"));

  if (!is_init || dir == NULL)
    return 0;
  /* weft.snapshot-key: snapshots shielded (and restore opens them). */
  if (key != NULL &&
      add_key(l, key, "weft.snapshot-key", "--snapshot-key") != 0)
    return -1;
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    oci_errorf("snapshot directory %s: %s", dir, strerror(errno));
    return -1;
  }
  if (keep_fd(l, fd) < 0 || push(l, "--snapshot-dir") != 0 ||
      pushf(l, "/proc/self/fd/%d/.", fd) != 0)
    return -1;
  return 0;
}

/* `weft restore` takes neither --fuel nor --deadline: the fuel budget is
** the snapshot's, and a deadline is not carried over. */
static int restore_drops(const char *opt) {
  return strcmp(opt, "--fuel") == 0 || strcmp(opt, "--deadline") == 0;
}

/* The module: opened in the rootfs, and refused unless it is Wasm. */
static int open_module(struct oci_launch *l, const json_t *run,
                       const struct oci_process *p) {
  const char *rootfs = json_string_value(json_object_get(run, "rootfs"));
  int rootfd =
      rootfs != NULL ? open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

  if (rootfd < 0) {
    oci_errorf("rootfs %s: %s", rootfs ? rootfs : "(none)", strerror(errno));
    return -1;
  }
  l->entry_fd = oci_open_entry(rootfd, p);
  close(rootfd);
  if (l->entry_fd < 0 || keep_fd(l, l->entry_fd) < 0)
    return -1;
  if (oci_is_wasm(l->entry_fd))
    return 0;
  if (json_is_true(json_object_get(run, "wasm_annotated")))
    oci_errorf("entrypoint %s is not a WebAssembly module", p->args[0]);
  else
    oci_errorf("weft-oci runs WebAssembly modules; %s is not one (configure "
               "a fallback runtime for other images: --fallback-runtime PATH "
               "or WEFT_OCI_FALLBACK=PATH, e.g. runc or crun)",
               p->args[0]);
  return -1;
}

int oci_launch_prepare(struct oci_launch *l, const json_t *run,
                       const struct oci_process *p, int is_init) {
  json_t *o;
  size_t i;
  int sfd;

  const char *restore =
      is_init ? json_string_value(json_object_get(run, "restore")) : NULL;

  memset(l, 0, sizeof *l);
  l->entry_fd = l->restore_fd = -1;
  l->weft = oci_weft_path();
  if (open_module(l, run, p) != 0)
    return -1;
  if (restore != NULL) {
    l->restore_fd = open(restore, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (l->restore_fd < 0 || keep_fd(l, l->restore_fd) < 0) {
      oci_errorf("restore: %s: %s", restore, strerror(errno));
      return -1;
    }
  }
  sfd = oci_seccomp_memfd();
  if (sfd < 0 || keep_fd(l, sfd) < 0)
    return -1;
  if (push(l, l->weft) != 0 || push(l, restore ? "restore" : "run") != 0 ||
      push(l, "--argv0") != 0 || push(l, p->args[0]) != 0 ||
      push(l, "--seccomp-bpf") != 0 || pushf(l, "%d", sfd) != 0 ||
      (restore == NULL && add_env(l, p) != 0) || add_dirs(l, run) != 0 ||
      add_aot(l, run) != 0 || add_files(l, run, is_init) != 0 ||
      add_snapshot(l, run, is_init) != 0)
    goto fail;
  json_array_foreach(json_object_get(run, "opts"), i, o) {
    if (restore != NULL && restore_drops(json_string_value(o))) {
      oci_logf("info",
               "restore: %s not applied (the snapshot has the fuel "
               "budget; a deadline is not carried over)",
               json_string_value(o));
      i++; /* and its value */
      continue;
    }
    if (push(l, json_string_value(o)) != 0)
      goto fail;
  }
  if (restore != NULL)
    return pushf(l, "/proc/self/fd/%d", l->restore_fd) != 0 ? -1 : 0;
  if (pushf(l, "/proc/self/fd/%d", l->entry_fd) != 0 || push(l, "--") != 0)
    goto fail;
  for (i = 1; i < p->nargs; i++)
    if (push(l, p->args[i]) != 0)
      goto fail;
  return 0;
fail:
  if (errno == ENOMEM)
    oci_errorf("out of memory");
  return -1;
}

void oci_launch_free(struct oci_launch *l) {
  size_t i;
  for (i = 0; i < l->argc; i++)
    free(l->argv[i]);
  free(l->argv);
  for (i = 0; i < l->nfds; i++)
    close(l->fds[i]);
  free(l->fds);
  memset(l, 0, sizeof *l);
}

/* In the child: weft inherits stdio and exactly the descriptors of l.
** Whatever else the caller left open (conmon's pipes, a shim's sockets)
** is marked close-on-exec first, as runc closes them. */
static void inherit_fds(const struct oci_launch *l) {
  size_t i;
  int fd;

  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
    for (fd = 3; fd < 65536; fd++) /* kernels before 5.11 */
      fcntl(fd, F_SETFD, FD_CLOEXEC);
  for (i = 0; i < l->nfds; i++)
    fcntl(l->fds[i], F_SETFD, 0);
}

/* weft's own environment: PATH (for the C compiler of --aot) and, for
** test builds, the sanitizers' settings; nothing else of the caller's. */
static void weft_env(char **envp, size_t cap) {
  static const char *const pass[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS",
                                     "LSAN_OPTIONS"};
  static char path[] =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  size_t i, n = 0;

  envp[n++] = path;
  for (i = 0; i < sizeof pass / sizeof pass[0] && n + 1 < cap; i++) {
    const char *v = getenv(pass[i]);
    char *kv;
    if (v == NULL || asprintf(&kv, "%s=%s", pass[i], v) < 0)
      continue;
    envp[n++] = kv;
  }
  envp[n] = NULL;
}

void oci_launch_exec(struct oci_launch *l) {
  char *envp[8];

  inherit_fds(l);
  weft_env(envp, sizeof envp / sizeof envp[0]);
  execve(l->weft, l->argv, envp);
  oci_errorf("cannot run %s: %s", l->weft, strerror(errno));
}

int oci_launch_validate(const struct oci_launch *l, const char *name) {
  char module[64], out[2048];
  int pipefd[2], status;
  ssize_t n = 0, got;
  pid_t pid;

  snprintf(module, sizeof module, "/proc/self/fd/%d", l->entry_fd);
  if (pipe2(pipefd, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
    oci_errorf("cannot run weft validate: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    inherit_fds(l);
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    execl(l->weft, l->weft, "validate", module, (char *)NULL);
    dprintf(2, "cannot run %s: %s", l->weft, strerror(errno));
    _exit(127);
  }
  close(pipefd[1]);
  while (n < (ssize_t)sizeof out - 1 &&
         (got = read(pipefd[0], out + n, sizeof out - 1 - (size_t)n)) > 0)
    n += got;
  close(pipefd[0]);
  out[n] = '\0';
  while (n > 0 && out[n - 1] == '\n')
    out[--n] = '\0';
  if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
      WEXITSTATUS(status) == 0)
    return 0;
  oci_errorf("entrypoint %s is not a valid WebAssembly module: %s", name,
             out[0] ? out : "weft validate failed");
  return -1;
}
