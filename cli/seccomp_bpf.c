/*
** seccomp_bpf.c — `weft run --seccomp-bpf FD`: install a seccomp filter
** that someone else built. weft-oci builds its allow-list with libseccomp
** and hands the exported BPF program over in a memfd, because the filter
** forbids execve and so cannot be installed before weft is exec'd. The CLI
** itself needs no libseccomp: the kernel takes the raw program.
*/
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli.h"

/* The kernel's limit on one program (BPF_MAXINSNS). */
#define MAX_INSNS 4096

/* Reads the whole program from offset 0 of fd into buf; returns the number
** of instructions, or -1 when it is unreadable, empty, too long or not a
** whole number of instructions. */
static int read_program(int fd, struct sock_filter *buf) {
  size_t cap = MAX_INSNS * sizeof *buf, got = 0;
  char extra;

  while (got < cap) {
    ssize_t n = pread(fd, (char *)buf + got, cap - got, (off_t)got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    got += (size_t)n;
  }
  if (got == cap && pread(fd, &extra, 1, (off_t)got) != 0)
    return -1; /* longer than the kernel accepts */
  if (got == 0 || got % sizeof *buf != 0)
    return -1;
  return (int)(got / sizeof *buf);
}

int cli_seccomp_load(int fd) {
  static struct sock_filter insns[MAX_INSNS];
  struct sock_fprog prog;
  int n = read_program(fd, insns);

  close(fd);
  if (n < 0) {
    cli_errorf("--seccomp-bpf %d: not a BPF program (empty, unreadable, "
               "or not whole 8-byte instructions)",
               fd);
    return -1;
  }
  prog.len = (unsigned short)n;
  prog.filter = insns;
  /* Without no_new_privs only a privileged process may install a filter;
  ** with it, the filter also survives any later exec. */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    cli_errorf("--seccomp-bpf: the kernel refused the filter: %s",
               strerror(errno));
    return -1;
  }
  return 0;
}
