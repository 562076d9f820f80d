/*
** swapper.c — a deterministic time-of-check/time-of-use attacker for the
** attestation tests: runs a command under ptrace and, the moment the
** command has read PATH to the end and closed it, renames REPLACEMENT
** over PATH while the command is still stopped in close(). A runtime that
** measures the file by opening it again then sees the other file; one that
** measures the bytes it loaded does not. Also counts the opens of PATH.
**
** usage: swapper PATH REPLACEMENT COUNT-FILE -- CMD [ARGS...]
** Exits with CMD's status; writes "opens N swapped S" to COUNT-FILE.
** Linux only (PTRACE_GET_SYSCALL_INFO, 5.3+); the tracee is one thread.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FDS 1024

struct tracker {
  const char *path, *replacement;
  uint64_t size;         /* PATH's size when the command started */
  uint64_t got[MAX_FDS]; /* bytes read through each fd open on PATH */
  int on_path[MAX_FDS];  /* fd was opened on PATH */
  uint64_t nr, args[6];  /* the syscall the tracee is in */
  int opens, swapped;
};

static int read_string(pid_t pid, uint64_t addr, char *out, size_t size) {
  struct iovec local = {out, size - 1},
               remote = {(void *)(uintptr_t)addr, size - 1};
  ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
  if (n <= 0)
    return -1;
  out[n] = '\0';
  return 0;
}

static int is_path(struct tracker *t, pid_t pid, uint64_t addr) {
  char buf[4096];
  return read_string(pid, addr, buf, sizeof buf) == 0 &&
         strcmp(buf, t->path) == 0;
}

/* At a syscall's exit, with its return value. */
static void on_exit_of(struct tracker *t, pid_t pid, int64_t rv) {
  if (t->nr == SYS_openat && rv >= 0 && rv < MAX_FDS) {
    t->on_path[rv] = is_path(t, pid, t->args[1]);
    t->got[rv] = 0;
    t->opens += t->on_path[rv];
  } else if (t->nr == SYS_read && t->args[0] < MAX_FDS && rv > 0) {
    t->got[t->args[0]] += (uint64_t)rv;
  } else if (t->nr == SYS_close && t->args[0] < MAX_FDS &&
             t->on_path[t->args[0]]) {
    int fd = (int)t->args[0];
    t->on_path[fd] = 0;
    if (!t->swapped && t->got[fd] >= t->size) {
      if (rename(t->replacement, t->path) != 0)
        perror("swapper: rename");
      else
        t->swapped = 1;
    }
  }
}

/* At a syscall stop: remember the call at entry, act at exit. */
static void on_syscall(struct tracker *t, pid_t pid) {
  struct __ptrace_syscall_info info;
  memset(&info, 0, sizeof info);
  ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info);
  if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
    t->nr = info.entry.nr;
    memcpy(t->args, info.entry.args, sizeof t->args);
  } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
    on_exit_of(t, pid, info.exit.rval);
  }
}

static int trace(struct tracker *t, pid_t pid) {
  int status, inject = 0;
  if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status))
    return 127;
  ptrace(PTRACE_SETOPTIONS, pid, 0,
         PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
  for (;;) {
    if (ptrace(PTRACE_SYSCALL, pid, 0, inject) != 0 ||
        waitpid(pid, &status, 0) < 0)
      return 127;
    inject = 0;
    if (WIFEXITED(status))
      return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
      return 128 + WTERMSIG(status);
    if (WSTOPSIG(status) == (SIGTRAP | 0x80))
      on_syscall(t, pid);
    else if (status >> 16 == 0) /* a real signal, not a ptrace event */
      inject = WSTOPSIG(status);
  }
}

int main(int argc, char **argv) {
  static struct tracker t;
  struct stat st;
  FILE *f;
  pid_t pid;
  int rc;

  if (argc < 6 || strcmp(argv[4], "--") != 0) {
    fprintf(stderr, "usage: swapper PATH REPLACEMENT COUNT-FILE -- CMD...\n");
    return 2;
  }
  t.path = argv[1];
  t.replacement = argv[2];
  if (stat(t.path, &st) != 0) {
    perror(t.path);
    return 2;
  }
  t.size = (uint64_t)st.st_size;
  pid = fork();
  if (pid == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    execvp(argv[5], argv + 5);
    _exit(127);
  }
  rc = trace(&t, pid);
  f = fopen(argv[3], "w");
  if (f != NULL) {
    fprintf(f, "opens %d swapped %d\n", t.opens, t.swapped);
    fclose(f);
  }
  return rc;
}
