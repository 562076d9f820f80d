/*
** image_tree.c — the tmpfs mounts of a checkpoint. A container's tmpfs
** mounts are private directories under its state (plan.c), gone with it:
** checkpoint copies each into the image as tmpfs/I (I: the preopen's
** index in weft-oci.json's dirs), and restore copies it into the new
** container's directory for the same guest path, so a program that kept
** files there (open or not) finds them again. Files keep their size and
** modification time to the nanosecond: weft checks both for every file
** the program holds open.
**
** Both directions copy without following a symbolic link anywhere (links
** are recreated as links: weft resolves them beneath the preopen, as any
** link the program made), take directories, regular files and links only
** (nothing else can be made through WASI; anything else is skipped and
** logged), and are bounded: 64 levels deep, 100000 entries, 16 GiB. On
** restore the tree comes from the hostile image: the same rules, what is
** made belongs to process.user, and no set-id or sticky bit is copied
** onto a file.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

#define TREE_DEPTH 64
#define TREE_ENTRIES 100000

struct tree {
  uid_t uid;
  gid_t gid;
  long long entries, bytes;
  const char *what; /* for messages */
  int reported;     /* a failure was reported */
};

/* Reports the first failure (errno's) at name; returns -1. */
static int fail(struct tree *t, const char *name) {
  if (!t->reported)
    oci_errorf("%s: %s: %s", t->what, name, strerror(errno));
  t->reported = 1;
  return -1;
}

static int copy_file(int from, const struct stat *st, int todir,
                     const char *name, struct tree *t) {
  char buf[65536];
  long long done = 0;
  int to;

  if (st->st_size > OCI_SNAPSHOT_MAX - t->bytes) {
    errno = EFBIG;
    return fail(t, name);
  }
  t->bytes += st->st_size;
  to = openat(todir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0600);
  if (to < 0)
    return fail(t, name);
  while (done < st->st_size) {
    ssize_t n = pread(from, buf, sizeof buf, done), w = 0;
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break; /* shrank meanwhile: copy what is there */
    while (w < n) {
      ssize_t k = write(to, buf + w, (size_t)(n - w));
      if (k < 0 && errno != EINTR) {
        fail(t, name);
        close(to);
        return -1;
      }
      w += k > 0 ? k : 0;
    }
    done += n;
  }
  if (fchown(to, t->uid, t->gid) != 0 || fchmod(to, st->st_mode & 0777) != 0 ||
      futimens(to, (struct timespec[2]){st->st_atim, st->st_mtim}) != 0) {
    fail(t, name);
    close(to);
    return -1;
  }
  return close(to) == 0 ? 0 : fail(t, name);
}

static int copy_link(int fromdir, const char *name, int todir, struct tree *t) {
  char target[PATH_MAX];
  ssize_t n = readlinkat(fromdir, name, target, sizeof target - 1);

  if (n < 0)
    return fail(t, name);
  target[n] = '\0';
  if (symlinkat(target, todir, name) != 0 ||
      fchownat(todir, name, t->uid, t->gid, AT_SYMLINK_NOFOLLOW) != 0)
    return fail(t, name);
  return 0;
}

/* Copies what fromdir holds into todir (both open); closes neither. */
static int copy_dir(int fromdir, int todir, int depth, struct tree *t) {
  int dup_fd = dup(fromdir), rc = 0;
  DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
  struct dirent *e;

  if (d == NULL) {
    if (dup_fd >= 0)
      close(dup_fd);
    return fail(t, ".");
  }
  while (rc == 0 && (e = readdir(d)) != NULL) {
    struct stat st;
    int sub, to;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (++t->entries > TREE_ENTRIES) {
      oci_errorf("%s: more than %d entries", t->what, TREE_ENTRIES);
      t->reported = 1;
      rc = -1;
      break;
    }
    if (fstatat(fromdir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      rc = fail(t, e->d_name);
      break;
    }
    if (S_ISLNK(st.st_mode)) {
      rc = copy_link(fromdir, e->d_name, todir, t);
    } else if (S_ISREG(st.st_mode)) {
      sub = openat(fromdir, e->d_name,
                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      /* What was opened must be what was looked at. */
      if (sub < 0 || fstat(sub, &st) != 0 || !S_ISREG(st.st_mode))
        rc = fail(t, e->d_name);
      else
        rc = copy_file(sub, &st, todir, e->d_name, t);
      if (sub >= 0)
        close(sub);
    } else if (S_ISDIR(st.st_mode)) {
      if (depth >= TREE_DEPTH) {
        oci_errorf("%s: deeper than %d levels", t->what, TREE_DEPTH);
        t->reported = 1;
        rc = -1;
        break;
      }
      sub = openat(fromdir, e->d_name,
                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      to = sub >= 0 && mkdirat(todir, e->d_name, 0700) == 0
               ? openat(todir, e->d_name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
               : -1;
      rc = to < 0 ? fail(t, e->d_name) : copy_dir(sub, to, depth + 1, t);
      if (rc == 0 && (fchown(to, t->uid, t->gid) != 0 ||
                      fchmod(to, st.st_mode & 01777) != 0))
        rc = fail(t, e->d_name);
      if (sub >= 0)
        close(sub);
      if (to >= 0)
        close(to);
    } else {
      oci_logf("info",
               "%s: %s is neither a file, a directory nor a link: "
               "not copied",
               t->what, e->d_name);
    }
  }
  closedir(d);
  return rc;
}

/* The host directory of the planned preopen at index i that is a tmpfs,
** opened; -1 (with *host NULL) when it is not a tmpfs. */
static int open_tmpfs(const json_t *d, const char **host) {
  *host = json_is_true(json_object_get(d, "tmpfs"))
              ? json_string_value(json_object_get(d, "host"))
              : NULL;
  if (*host == NULL)
    return -1;
  return open(*host, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int oci_image_save_tmpfs(int imgfd, const char *image, const json_t *run) {
  const json_t *d;
  size_t i;

  oci_remove_tree_at(imgfd, "tmpfs"); /* a previous checkpoint's */
  json_array_foreach(json_object_get(run, "dirs"), i, d) {
    struct tree t = {getuid(), getgid(), 0, 0, "checkpoint: a tmpfs mount", 0};
    const char *host;
    char name[32];
    int from = open_tmpfs(d, &host), tmpdir, to, rc;
    if (host == NULL)
      continue;
    snprintf(name, sizeof name, "%zu", i);
    if (from < 0 || (mkdirat(imgfd, "tmpfs", 0700) != 0 && errno != EEXIST) ||
        (tmpdir = openat(imgfd, "tmpfs",
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
            0) {
      oci_errorf("--image-path %s: cannot save the tmpfs at %s: %s", image,
                 json_string_value(json_object_get(d, "guest")),
                 strerror(errno));
      if (from >= 0)
        close(from);
      return -1;
    }
    to = mkdirat(tmpdir, name, 0700) == 0
             ? openat(tmpdir, name,
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
             : -1;
    rc = to < 0 ? fail(&t, name) : copy_dir(from, to, 0, &t);
    close(from);
    close(tmpdir);
    if (to >= 0)
      close(to);
    if (rc != 0)
      return -1;
  }
  return 0;
}

int oci_image_load_tmpfs(const struct oci_image *im, const json_t *run,
                         const struct oci_process *p) {
  const json_t *d, *pd;
  size_t i, j;

  json_array_foreach(json_object_get(im->doc, "dirs"), i, d) {
    const char *guest = json_string_value(json_object_get(d, "guest"));
    char name[32];
    int from, to = -1, rc;
    if (!json_is_true(json_object_get(d, "tmpfs")))
      continue;
    json_array_foreach(json_object_get(run, "dirs"), j, pd) {
      const char *g = json_string_value(json_object_get(pd, "guest"));
      const char *host;
      if (g != NULL && strcmp(g, guest) == 0 &&
          (to = open_tmpfs(pd, &host)) >= 0)
        break;
    }
    if (to < 0)
      continue; /* the bundle mounts something else there: its content */
    snprintf(name, sizeof name, "tmpfs/%zu", i);
    from = openat(im->imgfd, name,
                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (from < 0 && errno == ENOENT) {
      close(to); /* an image without it: an empty tmpfs */
      continue;
    }
    struct tree t = {p->uid, p->gid, 0, 0, "restore: the image's tmpfs", 0};
    rc = from < 0 ? -1 : copy_dir(from, to, 0, &t);
    if (from < 0)
      oci_errorf("restore: the image's %s: %s", name,
                 errno == ELOOP || errno == ENOTDIR
                     ? "a symbolic link or not a directory; refusing it"
                     : strerror(errno));
    if (from >= 0)
      close(from);
    close(to);
    if (rc != 0)
      return -1;
  }
  return 0;
}
