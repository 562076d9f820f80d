/*
** seccomp.c — the second wall: an allow-list of the system calls weft
** makes while it runs a program (syscalls.def), built with libseccomp and
** exported as a BPF program into a memfd that `weft run --seccomp-bpf FD`
** installs right before instantiating the module. It cannot be installed
** here, in init: the filter has no execve, and init must still exec weft.
**
** Any other call fails with EPERM (not a kill): glibc and weft then take
** their error paths and the program gets an error it can report, and a
** container whose program needs something unexpected says what failed.
** clone3 fails with ENOSYS, so that anything probing it would fall back
** to clone, which is refused (weft starts no thread or process once the
** filter is in). Calls allowed only with some arguments:
**   ioctl   TCGETS/TIOCGWINSZ (isatty), FIONREAD, FIONBIO; never TIOCSTI
**           (which would type into the caller's terminal)
**   mmap, mprotect  never PROT_EXEC: compiled code is mapped before the
**           filter, so nothing executable appears afterwards
**   tgkill  SIGABRT only (abort()); no signal to another process
**   prlimit64  reading only (the stack size, for weft's native stack
**           floor); no limit can be raised or changed
*/
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "oci.h"

static const char *const allowed[] = {
#define OCI_SYSCALL(name) #name,
#include "syscalls.def"
#undef OCI_SYSCALL
};

#define NALLOWED (sizeof allowed / sizeof allowed[0])

/* A name this architecture does not have is skipped, not an error. */
static int allow(scmp_filter_ctx ctx, const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR)
    return 0;
  return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

/* One argument comparison, every field set (libseccomp's SCMP_A* macros
** leave datum_b implicit, which -Wmissing-field-initializers rejects). */
static struct scmp_arg_cmp arg_cmp(unsigned arg, enum scmp_compare op,
                                   scmp_datum_t a, scmp_datum_t b) {
  struct scmp_arg_cmp c;
  c.arg = arg;
  c.op = op;
  c.datum_a = a;
  c.datum_b = b;
  return c;
}

static int add_conditional(scmp_filter_ctx ctx) {
  static const unsigned long ioctls[] = {TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO};
  size_t i;
  int rc = 0;

  for (i = 0; i < sizeof ioctls / sizeof ioctls[0]; i++)
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                           arg_cmp(1, SCMP_CMP_EQ, ioctls[i], 0));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                         arg_cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                         arg_cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                         arg_cmp(2, SCMP_CMP_EQ, SIGABRT, 0));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
                         arg_cmp(2, SCMP_CMP_EQ, 0, 0));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  return rc;
}

int oci_seccomp_memfd(void) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  size_t i;
  int fd = -1, rc = ctx == NULL ? -ENOMEM : 0;

  for (i = 0; i < NALLOWED && rc == 0; i++)
    rc = allow(ctx, allowed[i]);
  if (rc == 0)
    rc = add_conditional(ctx);
  if (rc == 0) {
    fd = memfd_create("weft-oci-seccomp", MFD_CLOEXEC);
    rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
  }
  seccomp_release(ctx);
  if (rc != 0) {
    oci_errorf("cannot build the seccomp filter: %s", strerror(-rc));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

json_t *oci_seccomp_features(void) {
  return json_pack("{s:b, s:[s, s], s:[s, s], s:[s], s:[]}", "enabled", 1,
                   "actions", "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "operators",
                   "SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ", "archs",
                   "SCMP_ARCH_NATIVE", "knownFlags");
}
