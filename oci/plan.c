/*
** plan.c — what a container's weft gets, decided once at create and kept
** in state.json as the "run" object (exec reuses it):
**   "dirs"  preopens {host, guest, ro[, protected][, tmpfs]}: the rootfs
**           as "/" (read-only with root.readonly), then each mount weft
**           can stand for, in config order
**   "opts"  further `weft run` options (--max-memory, annotations)
**   "aot", "account", "key_file", "snapshot_key"  from annotations
**           (annotations.c)
**   "snapshot_dir", "restore"  for checkpoint and restore (cmd_create.c)
**
** Mounts, by kind:
**   bind (type "bind", or option bind/rbind) of a directory: a preopen at
**       its destination, read-only with "ro".
**   bind of a file (podman's /etc/hosts, /etc/resolv.conf, /etc/hostname,
**       /run/.containerenv): skipped: WASI preopens are directories, and
**       a Wasm program has no resolver or hostname to read them for.
**   tmpfs at a directory (/tmp, /run, /dev/shm): a fresh private
**       directory ROOT/ID/tmpfs/N (mode= honoured, default 1777, owned by
**       process.user), preopened there, removed by delete. Not memory
**       backed, and without size=: the container's files are on the
**       state root's file system.
**   tmpfs at /dev, proc, sysfs, devpts, mqueue, cgroup and the rest:
**       skipped: they hold kernel interfaces and devices that WASI cannot
**       reach anyway (there is no mount namespace; see cmd_create.c).
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

#define WASM_PAGE 65536

static void add_dir(json_t *dirs, const char *host, const char *guest, int ro) {
  json_array_append_new(dirs, json_pack("{s:s, s:s, s:b}", "host", host,
                                        "guest", guest, "ro", ro));
}

/* A bind mount's source: a directory becomes a preopen. */
static int plan_bind(const struct oci_mount *m, json_t *dirs) {
  struct stat st;

  if (m->source == NULL || stat(m->source, &st) != 0) {
    oci_errorf("mount %s: source %s: %s", m->dest,
               m->source != NULL ? m->source : "(none)",
               m->source != NULL ? strerror(errno) : "missing");
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    oci_logf("info", "mount %s: a file bind mount, not visible to WASI",
             m->dest);
    return 0;
  }
  add_dir(dirs, m->source, m->dest, m->ro);
  return 0;
}

/* A tmpfs: a private directory under the container's state directory. */
static int plan_tmpfs(const struct oci_mount *m, const struct oci_bundle *b,
                      int dirfd, const char *statedir, json_t *dirs,
                      unsigned *count) {
  char name[32], host[4096];
  int tfd;

  unsigned n = *count;

  if (strcmp(m->dest, "/dev") == 0)
    return 0; /* device nodes: nothing for WASI */
  *count = n + 1;
  snprintf(name, sizeof name, "%u", n);
  snprintf(host, sizeof host, "%s/tmpfs/%u", statedir, n);
  if ((mkdirat(dirfd, "tmpfs", 0711) != 0 && errno != EEXIST) ||
      (tfd = openat(dirfd, "tmpfs",
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
    oci_errorf("tmpfs %s: cannot make its directory: %s", m->dest,
               strerror(errno));
    return -1;
  }
  if (mkdirat(tfd, name, 0700) != 0 ||
      fchownat(tfd, name, b->proc.uid, b->proc.gid, AT_SYMLINK_NOFOLLOW) != 0 ||
      fchmodat(tfd, name, m->mode, 0) != 0) {
    oci_errorf("tmpfs %s: cannot make its directory: %s", m->dest,
               strerror(errno));
    close(tfd);
    return -1;
  }
  close(tfd);
  add_dir(dirs, host, m->dest, m->ro);
  json_object_set_new(json_array_get(dirs, json_array_size(dirs) - 1), "tmpfs",
                      json_true());
  return 0;
}

static int plan_mounts(const struct oci_bundle *b, int dirfd,
                       const char *statedir, json_t *dirs) {
  unsigned ntmpfs = 0;
  size_t i;

  for (i = 0; i < b->nmounts; i++) {
    const struct oci_mount *m = &b->mounts[i];
    if (strcmp(m->dest, "/") == 0)
      continue;
    if (m->bind && plan_bind(m, dirs) != 0)
      return -1;
    if (!m->bind && m->tmpfs &&
        plan_tmpfs(m, b, dirfd, statedir, dirs, &ntmpfs) != 0)
      return -1;
    if (!m->bind && !m->tmpfs)
      oci_logf("info", "mount %s (%s): skipped, nothing a Wasm program uses",
               m->dest, m->type != NULL ? m->type : "no type");
  }
  return 0;
}

/* linux.resources.memory.limit caps each linear memory (--max-memory).
** When the memory cgroup also applies it to the whole process
** (cgroup.c), the linear memory must stop first, or a program that
** touches all it grows would be OOM-killed (a bare SIGKILL) instead of
** trapping with a message that names the limit: so the cap leaves weft
** a headroom of a quarter of the limit, at most 16 MiB, for its own
** heap, code and stacks. Whole 64 KiB pages, at least one. */
static void plan_memory(const struct oci_bundle *b, json_t *opts) {
  char text[32];
  long long headroom = b->memory_limit / 4, bytes;

  if (b->memory_limit < 0)
    return;
  if (headroom > 16LL << 20)
    headroom = 16LL << 20;
  bytes = (b->memory_limit - headroom) / WASM_PAGE * WASM_PAGE;
  if (bytes < WASM_PAGE)
    bytes = WASM_PAGE;
  snprintf(text, sizeof text, "%lld", bytes);
  json_array_append_new(opts, json_string("--max-memory"));
  json_array_append_new(opts, json_string(text));
}

json_t *oci_plan_make(const struct oci_bundle *b, int dirfd,
                      const char *statedir) {
  json_t *run = json_object(), *dirs = json_array(), *opts = json_array();

  json_object_set_new(run, "rootfs", json_string(b->rootfs));
  json_object_set_new(run, "dirs", dirs);
  json_object_set_new(run, "opts", opts);
  json_object_set_new(run, "aot", json_false());
  add_dir(dirs, b->rootfs, "/", b->root_ro);
  plan_memory(b, opts);
  if (plan_mounts(b, dirfd, statedir, dirs) != 0 ||
      oci_annotations_apply(b, run) != 0) {
    json_decref(run);
    return NULL;
  }
  return run;
}
