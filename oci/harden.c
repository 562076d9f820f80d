/*
** harden.c — what a container's process gives up before it becomes weft
** (init after its setup, exec'd processes likewise):
**   1. process.rlimits, each with setrlimit; a failure is an error (runc);
**      process.oomScoreAdj likewise.
**   2. every capability: the bounding set (each cap up to
**      /proc/sys/kernel/cap_last_cap), the ambient set, then after the
**      user change the permitted/effective/inheritable sets (capset).
**      process.capabilities is read by no one: a Wasm program reaches the
**      host only through WASI calls on descriptors it was given, and no
**      WASI call needs a capability, so none is kept whatever is asked.
**   3. process.user: supplementary groups, gid, then uid.
**   4. no_new_privs, always (and weft's seccomp filter needs it).
** Namespaces are not used: the Wasm sandbox is the wall around the
** program (it sees only its preopens), and the process is confined by
** the above and by weft's seccomp allow-list (seccomp.c). Without root
** (a rootless caller) steps 2 and 3 only check there is nothing to drop.
*/
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

static int apply_rlimits(const struct oci_process *p) {
  size_t i;
  for (i = 0; i < p->nrlimits; i++)
    if (setrlimit(p->rlimits[i].resource, &p->rlimits[i].limit) != 0) {
      oci_errorf(
          "cannot set %s to soft %llu hard %llu: %s (above this "
          "machine's hard limit?)",
          p->rlimits[i].name, (unsigned long long)p->rlimits[i].limit.rlim_cur,
          (unsigned long long)p->rlimits[i].limit.rlim_max, strerror(errno));
      return -1;
    }
  return 0;
}

static int apply_oom_score(const struct oci_process *p) {
  FILE *f;
  int ok;

  if (!p->has_oom_score_adj)
    return 0;
  f = fopen("/proc/self/oom_score_adj", "we");
  ok = f != NULL && fprintf(f, "%d", p->oom_score_adj) > 0;
  if (f != NULL && fclose(f) != 0)
    ok = 0;
  if (!ok) {
    oci_errorf("cannot set oomScoreAdj %d: %s", p->oom_score_adj,
               strerror(errno));
    return -1;
  }
  return 0;
}

static int last_cap(void) {
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  int n = -1;
  if (f != NULL) {
    if (fscanf(f, "%d", &n) != 1)
      n = -1;
    fclose(f);
  }
  return n >= 0 && n < 64 ? n : CAP_LAST_CAP;
}

static int drop_bounding(void) {
  int cap, last = last_cap();

  for (cap = 0; cap <= last; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      if (errno == EPERM && geteuid() != 0)
        return 0; /* rootless: nothing in the effective set to keep */
      oci_errorf("cannot drop capability %d: %s", cap, strerror(errno));
      return -1;
    }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  return 0;
}

static int change_user(const struct oci_process *p) {
  if (geteuid() != 0 && p->uid == geteuid() && p->gid == getegid())
    return 0; /* rootless, as the caller */
  if (setgroups(p->ngids, p->gids) != 0 || setgid(p->gid) != 0 ||
      setuid(p->uid) != 0) {
    oci_errorf("cannot become uid %u gid %u: %s", (unsigned)p->uid,
               (unsigned)p->gid, strerror(errno));
    return -1;
  }
  return 0;
}

static int clear_caps(void) {
  struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];

  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &head, data) != 0) {
    oci_errorf("cannot clear capabilities: %s", strerror(errno));
    return -1;
  }
  return 0;
}

int oci_harden(const struct oci_process *p) {
  if (apply_rlimits(p) != 0 || apply_oom_score(p) != 0 ||
      drop_bounding() != 0 || change_user(p) != 0 || clear_caps() != 0)
    return -1;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    oci_errorf("cannot set no_new_privs: %s", strerror(errno));
    return -1;
  }
  return 0;
}
