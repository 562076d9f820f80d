/*
** cmd_exec.c — `exec`: one more Wasm process in a running container.
**   exec --process P.json [--detach] [--pid-file F] [--console-socket S]
**        [--tty] ID
**   exec [--tty] [--env K=V] [--cwd DIR] ID ARGS...   (runc's inline form:
**        the container's process with ARGS as its args)
** The process gets the container's preopens and limits (state "run"),
** its own args, env, cwd, user and terminal, the same hardening, and its
** args[0] is again resolved inside the rootfs. Its pid (with start time)
** is recorded for ps, kill --all, pause and delete. Without --detach the
** command waits and exits with the program's status; with --detach it
** writes --pid-file and returns, the process being reaped by the caller's
** subreaper (conmon), as with runc.
*/
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

struct exec_opts {
  const char *process, *pid_file, *console_socket, *cwd, *id;
  int detach, tty;
  json_t *env; /* --env values, strings */
  char **args; /* inline ARGS */
  int nargs;
};

static int parse_exec(int argc, char **argv, struct exec_opts *o) {
  int i;

  for (i = 1; i < argc && o->id == NULL; i++) {
    const char *v, *arg = argv[i];
    int missing = 0;
    if (arg[0] != '-') {
      o->id = arg;
      break;
    }
    if ((v = oci_opt_value(argc, argv, &i, "--process", &missing)) ||
        (v = oci_opt_value(argc, argv, &i, "-p", &missing)))
      o->process = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--pid-file", &missing)))
      o->pid_file = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--console-socket", &missing)))
      o->console_socket = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--cwd", &missing)))
      o->cwd = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--env", &missing)) ||
             (v = oci_opt_value(argc, argv, &i, "-e", &missing)))
      json_array_append_new(o->env, json_string(v));
    else if (strcmp(arg, "--detach") == 0 || strcmp(arg, "-d") == 0)
      o->detach = 1;
    else if (strcmp(arg, "--tty") == 0 || strcmp(arg, "-t") == 0)
      o->tty = 1;
    else if (strcmp(arg, "--no-new-privs") == 0)
      continue;
    else
      return oci_usage_error(
          "exec", missing ? "option %s needs a value" : "unknown option '%s'",
          arg);
    if (missing)
      return oci_usage_error("exec", "option %s needs a value", arg);
  }
  if (o->id == NULL)
    return oci_usage_error("exec", "missing container ID");
  o->args = argv + i + 1;
  o->nargs = argc - i - 1;
  if ((o->process == NULL) == (o->nargs == 0))
    return oci_usage_error("exec", "want --process P.json or ARGS after the "
                                   "ID (one of the two)");
  return 0;
}

/* The process object: P.json, or the container's own with inline args. */
static json_t *exec_process(const struct oci_container *c,
                            const struct exec_opts *o) {
  json_t *proc, *env, *v;
  size_t i;
  int k;

  if (o->process != NULL)
    return oci_json_load(o->process);
  proc = json_deep_copy(json_object_get(c->state, "process"));
  if (proc == NULL) {
    oci_errorf("container %s: no process recorded", c->id);
    return NULL;
  }
  json_object_set_new(proc, "args", json_array());
  for (k = 0; k < o->nargs; k++)
    json_array_append_new(json_object_get(proc, "args"),
                          json_string(o->args[k]));
  env = json_object_get(proc, "env");
  if (!json_is_array(env)) {
    env = json_array();
    json_object_set_new(proc, "env", env);
  }
  json_array_foreach(o->env, i, v) { json_array_append(env, v); }
  if (o->cwd != NULL)
    json_object_set_new(proc, "cwd", json_string(o->cwd));
  json_object_set_new(proc, "terminal", json_boolean(o->tty));
  return proc;
}

/* The child: session, terminal, hardening, weft. Never returns. */
static void exec_child(struct oci_launch *l, const struct oci_process *p,
                       const struct exec_opts *o, int report) {
  char byte = 1;

  setsid();
  if ((!p->terminal || oci_console_setup(o->console_socket, p) == 0) &&
      oci_harden(p) == 0)
    oci_launch_exec(l);
  if (write(report, &byte, 1) != 1)
    _exit(126);
  _exit(127);
}

static pid_t child_pid;

static void forward(int sig) {
  if (child_pid > 0)
    kill(child_pid, sig);
}

/* Forks the process; 0 once it has exec'd weft (its failure, reported by
** the child, closes the pipe with a byte in it). */
static int spawn(struct oci_container *c, struct oci_launch *l,
                 const struct oci_process *p, const struct exec_opts *o,
                 pid_t *out) {
  int pipefd[2];
  char byte;
  pid_t pid;

  if (pipe2(pipefd, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
    oci_errorf("exec: cannot fork: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    close(pipefd[0]);
    close(c->lockfd);
    exec_child(l, p, o, pipefd[1]);
  }
  close(pipefd[1]);
  oci_add_exec(c, pid);
  oci_cgroup_add(json_string_value(json_object_get(
                     json_object_get(c->state, "run"), "cgroup")),
                 pid);
  if (read(pipefd[0], &byte, 1) == 1) {
    close(pipefd[0]);
    waitpid(pid, NULL, 0);
    return -1;
  }
  close(pipefd[0]);
  *out = pid;
  return 0;
}

static int exec_locked(struct oci_container *c, const struct exec_opts *o,
                       pid_t *pid) {
  struct oci_process p;
  struct oci_launch l;
  json_t *obj;
  pid_t init;
  const char *status = oci_status(c, &init);
  int rc = -1;

  memset(&l, 0, sizeof l);
  if (strcmp(status, "running") != 0) {
    oci_errorf("cannot exec in container %s: it is %s, not running", c->id,
               status);
    return -1;
  }
  obj = exec_process(c, o);
  if (obj == NULL)
    return -1;
  if (oci_process_parse(obj, o->process ? o->process : "exec", &p) == 0) {
    if (p.terminal && o->console_socket == NULL)
      oci_errorf("exec: a terminal needs --console-socket");
    else if (oci_launch_prepare(&l, json_object_get(c->state, "run"), &p, 0) ==
             0)
      rc = spawn(c, &l, &p, o, pid);
  }
  oci_launch_free(&l);
  oci_process_free(&p);
  json_decref(obj);
  return rc;
}

int oci_cmd_exec(const struct oci_globals *g, int argc, char **argv) {
  struct exec_opts o;
  struct oci_container c;
  int rc, status;
  pid_t pid;

  memset(&o, 0, sizeof o);
  o.env = json_array();
  rc = parse_exec(argc, argv, &o);
  if (rc == 0 && oci_container_open(g, o.id, 1, 0, &c) != 0)
    rc = -1;
  if (rc == 0) {
    rc = exec_locked(&c, &o, &pid);
    oci_container_close(&c);
  }
  json_decref(o.env);
  if (rc != 0)
    return OCI_EXIT_FAIL;
  if (o.pid_file != NULL && oci_write_pid_file(o.pid_file, pid) != 0)
    return OCI_EXIT_FAIL;
  if (o.detach)
    return 0;
  child_pid = pid;
  signal(SIGTERM, forward);
  signal(SIGINT, forward);
  signal(SIGHUP, forward);
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return OCI_EXIT_FAIL;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
