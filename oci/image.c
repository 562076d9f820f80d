/*
** image.c — the checkpoint image directory of `checkpoint --image-path`
** and `restore --image-path` (cmd_checkpoint.c, cmd_restore.c). It holds
** two files, and restore reads nothing else:
**   snapshot.weft  weft's snapshot (docs/snapshot.md), as weft wrote it
**   inventory.img  empty: the marker podman looks for (never read here)
**   tmpfs/I        the files of the I-th preopen when it is a tmpfs mount
**                  (image_tree.c)
**   weft-oci.json  what weft-oci adds: {"version": 1, "id", "created",
**                  "snapshot_bytes", "entry": process.args[0] of the
**                  checkpointed container, "dirs": [{"guest", "ro",
**                  "protected", "tmpfs"}]}: the preopens the program had
** Everything in the directory is treated as hostile on restore: it may
** have been copied across machines, or written by anyone who could write
** there. So restore opens both files below the directory's descriptor
** without following symbolic links, takes regular files only, bounds
** their sizes, checks the JSON's every field, and copies the snapshot
** into the new container's private state directory before looking at
** it: what is checked (its header names the bundle's module) is exactly
** what weft then reads (its checksum, or its key, covers the rest).
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/md.h>

#include "oci.h"

#define IMAGE_JSON_MAX (64 * 1024)
#define SNAP_MAGIC "WEFTSNAP"
#define SNAP_HEADER 56 /* magic, version, flags, module SHA-256, length */
#define SNAP_SHA_AT 16

/* Makes the missing directories of path (0700, as runc's image path). */
static void make_parents(const char *path) {
  char *copy = strdup(path), *p;

  if (copy == NULL)
    return;
  for (p = copy + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    if (mkdir(copy, 0700) != 0 && errno != EEXIST)
      break;
    *p = '/';
  }
  free(copy);
}

int oci_image_open(const char *path, int create) {
  struct stat st;
  int fd;

  if (path[0] == '\0') {
    oci_errorf("--image-path: empty path");
    return -1;
  }
  if (create) {
    make_parents(path);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
      oci_errorf("--image-path %s: cannot make it: %s", path, strerror(errno));
      return -1;
    }
  }
  fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR)
      oci_errorf("--image-path %s: a symbolic link or not a directory; "
                 "refusing it",
                 path);
    else
      oci_errorf("--image-path %s: %s", path, strerror(errno));
    return -1;
  }
  /* Checkpoint writes the program's state there: a directory another
  ** user owns or can write to would let them read or swap it. */
  if (create && (fstat(fd, &st) != 0 || st.st_uid != geteuid() ||
                 (st.st_mode & 022) != 0)) {
    oci_errorf("--image-path %s: not a directory of ours that only we can "
               "write (owner uid %u, mode %04o); refusing it",
               path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
    close(fd);
    return -1;
  }
  return fd;
}

/* Opens name below dirfd for reading: a regular file (no symlink, FIFO or
** device) of at most max bytes. Reports; the descriptor or -1. */
static int open_regular(int dirfd, const char *name, const char *where,
                        long long max, struct stat *st) {
  int fd = openat(dirfd, name,
                  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

  if (fd < 0) {
    if (errno == ELOOP)
      oci_errorf("%s/%s: a symbolic link; refusing it", where, name);
    else
      oci_errorf("%s/%s: %s", where, name, strerror(errno));
    return -1;
  }
  if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
    oci_errorf("%s/%s: not a regular file; refusing it", where, name);
    close(fd);
    return -1;
  }
  if (st->st_size > max) {
    oci_errorf("%s/%s: %lld bytes, more than the %lld allowed; refusing it",
               where, name, (long long)st->st_size, max);
    close(fd);
    return -1;
  }
  return fd;
}

/* Copies exactly len bytes of from (read from offset 0) into a new file
** name below dirfd (via a temporary, renamed over it). 0 or -1 (errno). */
static int copy_into(int from, long long len, int dirfd, const char *name) {
  char buf[65536], tmp[NAME_MAX];
  long long done = 0;
  int to, saved;

  snprintf(tmp, sizeof tmp, ".%s.%ld.tmp", name, (long)getpid());
  unlinkat(dirfd, tmp, 0);
  to = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0600);
  if (to < 0)
    return -1;
  while (done < len) {
    size_t want =
        len - done < (long long)sizeof buf ? (size_t)(len - done) : sizeof buf;
    ssize_t n = pread(from, buf, want, done), w = 0;
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = EIO; /* shrank while we copied */
      goto fail;
    }
    while (w < n) {
      ssize_t k = write(to, buf + w, (size_t)(n - w));
      if (k < 0 && errno == EINTR)
        continue;
      if (k < 0)
        goto fail;
      w += k;
    }
    done += n;
  }
  if (fsync(to) != 0)
    goto fail;
  close(to);
  if (renameat(dirfd, tmp, dirfd, name) != 0) {
    saved = errno;
    unlinkat(dirfd, tmp, 0);
    errno = saved;
    return -1;
  }
  fsync(dirfd);
  return 0;
fail:
  saved = errno;
  close(to);
  unlinkat(dirfd, tmp, 0);
  errno = saved;
  return -1;
}

int oci_image_write(int imgfd, const char *image, int snapdir, const char *id,
                    const json_t *run, const char *entry) {
  struct stat st;
  json_t *doc, *dirs = json_array(), *d;
  char now[32], *text;
  size_t i;
  int fd, rc;

  fd = open_regular(snapdir, OCI_SNAPSHOT_NAME, "the container's snapshot",
                    OCI_SNAPSHOT_MAX, &st);
  if (fd < 0)
    return -1;
  if (copy_into(fd, (long long)st.st_size, imgfd, OCI_SNAPSHOT_NAME) != 0) {
    oci_errorf("--image-path %s: cannot write %s: %s", image, OCI_SNAPSHOT_NAME,
               strerror(errno));
    close(fd);
    return -1;
  }
  close(fd);
  json_array_foreach(json_object_get(run, "dirs"), i, d) {
    json_array_append_new(
        dirs,
        json_pack("{s:O, s:b, s:b, s:b}", "guest", json_object_get(d, "guest"),
                  "ro", json_is_true(json_object_get(d, "ro")), "protected",
                  json_is_true(json_object_get(d, "protected")), "tmpfs",
                  json_is_true(json_object_get(d, "tmpfs"))));
  }
  oci_time_now(now, sizeof now);
  doc = json_pack("{s:i, s:s, s:s, s:I, s:s, s:o}", "version", 1, "id", id,
                  "created", now, "snapshot_bytes", (json_int_t)st.st_size,
                  "entry", entry, "dirs", dirs);
  text = doc != NULL ? json_dumps(doc, JSON_INDENT(2)) : NULL;
  json_decref(doc);
  if (text == NULL) {
    oci_errorf("out of memory");
    return -1;
  }
  rc = oci_write_at(imgfd, OCI_IMAGE_JSON, text, strlen(text), 0600);
  free(text);
  /* podman (4.3) takes a checkpoint as complete when CRIU's inventory.img
  ** is there: an empty one says so. It is not a CRIU image (nothing
  ** else of CRIU's is written), and restore never reads it. */
  if (rc == 0)
    rc = oci_write_at(imgfd, OCI_PODMAN_MARKER, "", 0, 0600);
  if (rc != 0)
    oci_errorf("--image-path %s: cannot write %s: %s", image, OCI_IMAGE_JSON,
               strerror(errno));
  return rc;
}

/* Whether s is an absolute guest path of sane length with no NUL (jansson
** strings may hold one). */
static int guest_ok(const json_t *s) {
  const char *v = json_string_value(s);
  return v != NULL && v[0] == '/' && json_string_length(s) == strlen(v) &&
         strlen(v) < 4096;
}

int oci_image_read(int imgfd, const char *image, struct oci_image *im) {
  struct stat st;
  json_error_t jerr;
  json_t *d, *dirs;
  char *buf;
  ssize_t n;
  size_t i;
  int fd;

  memset(im, 0, sizeof *im);
  im->snapfd = -1;
  im->imgfd = imgfd; /* the caller's, closed by oci_image_free */
  fd = open_regular(imgfd, OCI_IMAGE_JSON, image, IMAGE_JSON_MAX, &st);
  if (fd < 0)
    goto fail;
  buf = malloc((size_t)st.st_size + 1);
  n = buf != NULL ? read(fd, buf, (size_t)st.st_size) : -1;
  close(fd);
  im->doc =
      n >= 0 ? json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &jerr) : NULL;
  free(buf);
  if (im->doc == NULL) {
    oci_errorf("%s/%s: %s", image, OCI_IMAGE_JSON,
               n < 0 ? strerror(errno) : "malformed JSON");
    goto fail;
  }
  dirs = json_object_get(im->doc, "dirs");
  if (!json_is_object(im->doc) ||
      json_integer_value(json_object_get(im->doc, "version")) != 1 ||
      !json_is_integer(json_object_get(im->doc, "snapshot_bytes")) ||
      json_integer_value(json_object_get(im->doc, "snapshot_bytes")) <
          SNAP_HEADER ||
      json_integer_value(json_object_get(im->doc, "snapshot_bytes")) >
          OCI_SNAPSHOT_MAX ||
      !guest_ok(json_object_get(im->doc, "entry")) || !json_is_array(dirs) ||
      json_array_size(dirs) > 1024)
    goto bad;
  json_array_foreach(dirs, i, d) {
    if (!guest_ok(json_object_get(d, "guest")) ||
        !json_is_boolean(json_object_get(d, "ro")) ||
        !json_is_boolean(json_object_get(d, "protected")) ||
        !json_is_boolean(json_object_get(d, "tmpfs")))
      goto bad;
  }
  im->snapfd =
      open_regular(imgfd, OCI_SNAPSHOT_NAME, image, OCI_SNAPSHOT_MAX, &st);
  if (im->snapfd < 0)
    goto fail;
  im->snap_bytes = (long long)st.st_size;
  if (im->snap_bytes !=
      json_integer_value(json_object_get(im->doc, "snapshot_bytes"))) {
    oci_errorf("%s/%s: %lld bytes, but %s says %lld: refusing a changed "
               "image",
               image, OCI_SNAPSHOT_NAME, im->snap_bytes, OCI_IMAGE_JSON,
               (long long)json_integer_value(
                   json_object_get(im->doc, "snapshot_bytes")));
    goto fail;
  }
  return 0;
bad:
  oci_errorf("%s/%s: not weft-oci's checkpoint description (version 1 with "
             "snapshot_bytes, entry and dirs, each dir a guest path with ro, "
             "protected and tmpfs); refusing it",
             image, OCI_IMAGE_JSON);
fail:
  oci_image_free(im);
  return -1;
}

void oci_image_free(struct oci_image *im) {
  if (im->snapfd >= 0)
    close(im->snapfd);
  if (im->imgfd >= 0)
    close(im->imgfd);
  json_decref(im->doc);
  memset(im, 0, sizeof *im);
  im->snapfd = im->imgfd = -1;
}

/* The planned preopen at guest, or NULL. */
static const json_t *planned(const json_t *run, const char *guest) {
  const json_t *d;
  size_t i;

  json_array_foreach(json_object_get(run, "dirs"), i, d) {
    const char *g = json_string_value(json_object_get(d, "guest"));
    if (g != NULL && strcmp(g, guest) == 0)
      return d;
  }
  return NULL;
}

int oci_image_check_dirs(const struct oci_image *im, const json_t *run) {
  const json_t *d;
  size_t i;

  json_array_foreach(json_object_get(im->doc, "dirs"), i, d) {
    const char *g = json_string_value(json_object_get(d, "guest"));
    const json_t *p = planned(run, g);
    if (p == NULL) {
      oci_errorf("restore: the checkpointed program had the directory %s; "
                 "the bundle has no directory mount there",
                 g);
      return -1;
    }
    if (json_is_true(json_object_get(p, "ro")) &&
        !json_is_true(json_object_get(d, "ro"))) {
      oci_errorf("restore: %s was writable for the checkpointed program; "
                 "the bundle makes it read-only",
                 g);
      return -1;
    }
    if (json_is_true(json_object_get(p, "protected")) !=
        json_is_true(json_object_get(d, "protected"))) {
      oci_errorf("restore: %s was %sa protected directory for the "
                 "checkpointed program; the bundle's weft.protected-dir "
                 "must say the same",
                 g,
                 json_is_true(json_object_get(d, "protected")) ? "" : "not ");
      return -1;
    }
  }
  return 0;
}

int oci_image_install(const struct oci_image *im, int dirfd) {
  if (copy_into(im->snapfd, im->snap_bytes, dirfd, OCI_RESTORE_NAME) != 0) {
    oci_errorf("restore: cannot copy the snapshot into the container's "
               "state: %s",
               strerror(errno));
    return -1;
  }
  return 0;
}

/* SHA-256 of the first len bytes fd holds (-1: all of them). */
static int hash_fd(int fd, long long len, unsigned char out[32]) {
  const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  mbedtls_md_context_t ctx;
  unsigned char buf[65536];
  off_t at = 0;
  ssize_t n;
  int rc = -1;

  mbedtls_md_init(&ctx);
  if (info == NULL || mbedtls_md_setup(&ctx, info, 0) != 0 ||
      mbedtls_md_starts(&ctx) != 0)
    goto out;
  while ((n = pread(fd, buf,
                    len >= 0 && len - at < (long long)sizeof buf
                        ? (size_t)(len - at)
                        : sizeof buf,
                    at)) > 0) {
    if (mbedtls_md_update(&ctx, buf, (size_t)n) != 0)
      goto out;
    at += n;
  }
  if (n == 0 && mbedtls_md_finish(&ctx, out) == 0)
    rc = 0;
out:
  mbedtls_md_free(&ctx);
  return rc;
}

int oci_image_check_snapshot(int snapfd, int entry_fd, const char *entry,
                             int has_key) {
  unsigned char header[SNAP_HEADER], sha[32], sum[32];
  struct stat st;

  if (fstat(snapfd, &st) != 0 || st.st_size < SNAP_HEADER + 32 ||
      pread(snapfd, header, sizeof header, 0) != (ssize_t)sizeof header ||
      memcmp(header, SNAP_MAGIC, 8) != 0) {
    oci_errorf("restore: %s is not a weft snapshot; refusing it",
               OCI_SNAPSHOT_NAME);
    return -1;
  }
  /* A bundle with a snapshot key takes shielded snapshots only: a plain
  ** one put in its place could say anything. */
  if (has_key != ((header[12] & 1) != 0)) {
    oci_errorf("restore: the snapshot is %s, but the bundle %s "
               "weft.snapshot-key; refusing it",
               has_key ? "not shielded" : "shielded",
               has_key ? "names" : "has no");
    return -1;
  }
  /* A plain snapshot ends with the SHA-256 of all before it: damage is
  ** caught here, before the container is made, rather than by weft after
  ** start. A shielded one (flag 1) is opened by weft, with its key. */
  if ((header[12] & 1) == 0 &&
      (hash_fd(snapfd, (long long)st.st_size - 32, sha) != 0 ||
       pread(snapfd, sum, sizeof sum, st.st_size - 32) != (ssize_t)sizeof sum ||
       memcmp(sha, sum, sizeof sum) != 0)) {
    oci_errorf("restore: %s is damaged (its checksum does not match); "
               "refusing it",
               OCI_SNAPSHOT_NAME);
    return -1;
  }
  if (hash_fd(entry_fd, -1, sha) != 0) {
    oci_errorf("restore: cannot read the entrypoint %s: %s", entry,
               strerror(errno));
    return -1;
  }
  if (memcmp(header + SNAP_SHA_AT, sha, sizeof sha) != 0) {
    oci_errorf("restore: the snapshot is of another module than the "
               "bundle's entrypoint %s; refusing it",
               entry);
    return -1;
  }
  return 0;
}
