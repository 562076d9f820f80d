/*
** cmd_restore.c — `restore [--image-path DIR] [--bundle B] [--detach]
** [--pid-file F] [--console-socket S] ID` (runc's command line; docs/oci.md,
** "Checkpoint and restore").
**
** Creates container ID from bundle B exactly as `create` does (the same
** checks, hardening, seccomp allow-list, rlimits, memory cgroup, and
** directory mounts planned the same way), except that its process is
** `weft restore` of the image's snapshot instead of `weft run`: the
** program continues where checkpoint stopped it, its preopens mapped by
** guest path to the bundle's mounts. --root may differ from the
** checkpoint's: nothing of the old state root is used. The image is
** hostile input (image.c): its files are checked, the snapshot is copied
** into the new container's state (and the tmpfs files into its tmpfs
** directories, image_tree.c), and it must be of the bundle's own
** entrypoint module; weft then checks the snapshot itself (format,
** checksum or key, the WASI state against the directories).
**
** Like runc, restore runs in the foreground (waits for the program,
** deletes the container, exits with its status), or with --detach
** returns once the program runs.
**
** runc's options: --work-path, --tcp-established, --ext-unix-sk,
** --shell-job, --file-locks, --manage-cgroups-mode, --empty-ns,
** --auto-dedup, --no-subreaper, --no-pivot, --lsm-profile,
** --lsm-mount-context are accepted with nothing to do; --lazy-pages is
** refused (the image is always complete).
*/
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

static const char *const ignored_flags[] = {
    "--tcp-established", "--ext-unix-sk",  "--shell-job", "--file-locks",
    "--auto-dedup",      "--no-subreaper", "--no-pivot",  NULL};
static const char *const ignored_values[] = {
    "--work-path",   "--manage-cgroups-mode", "--empty-ns",
    "--lsm-profile", "--lsm-mount-context",   NULL};

static int parse_restore(int argc, char **argv, struct oci_create_opts *o,
                         const char **image) {
  int i;

  memset(o, 0, sizeof *o);
  o->bundle = ".";
  *image = "checkpoint";
  for (i = 1; i < argc; i++) {
    const char *v, *arg = argv[i];
    int missing = 0;
    if (arg[0] != '-') {
      if (o->id != NULL)
        return oci_usage_error("restore", "unexpected argument '%s'", arg);
      o->id = arg;
      continue;
    }
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      puts("usage: weft-oci restore [--image-path DIR] [--bundle B] "
           "[--detach]\n       [--pid-file F] [--console-socket S] ID\n\n"
           "Creates container ID from bundle B, its program continuing from "
           "the\nsnapshot in DIR (default ./checkpoint); in the foreground "
           "unless\n--detach. --lazy-pages is not supported; CRIU's other "
           "options are\naccepted and mean nothing here.");
      return -1;
    }
    if (strcmp(arg, "-b") != 0 && strcmp(arg, "-d") != 0)
      arg = oci_long_option(argv, i);
    if ((v = oci_opt_value(argc, argv, &i, "--image-path", &missing)))
      *image = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--bundle", &missing)) ||
             (v = oci_opt_value(argc, argv, &i, "-b", &missing)))
      o->bundle = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--pid-file", &missing)))
      o->pid_file = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--console-socket", &missing)))
      o->console_socket = v;
    else if (strcmp(arg, "--detach") == 0 || strcmp(arg, "-d") == 0)
      o->detach = 1;
    else if (strcmp(arg, "--lazy-pages") == 0)
      return oci_usage_error("restore", "--lazy-pages is not supported: the "
                                        "image is always complete");
    else if (oci_opt_listed(ignored_flags, arg))
      continue;
    else if (oci_opt_listed(ignored_values, arg)) {
      if (strchr(arg, '=') == NULL && ++i >= argc)
        return oci_usage_error("restore", "option %s needs a value", arg);
      continue;
    } else if (missing)
      return oci_usage_error("restore", "option %s needs a value", arg);
    else
      return oci_usage_error("restore", "unknown option '%s'", arg);
    if (missing)
      return oci_usage_error("restore", "option %s needs a value", arg);
  }
  if (o->id == NULL)
    return oci_usage_error("restore", "missing container ID");
  return 0;
}

int oci_cmd_restore(const struct oci_globals *g, int argc, char **argv) {
  struct oci_create_opts o;
  struct oci_image im;
  const char *image;
  pid_t pid;
  int imgfd, rc;

  rc = parse_restore(argc, argv, &o, &image);
  if (rc < 0)
    return 0; /* --help */
  if (rc != 0 || oci_check_id(o.id) != 0)
    return OCI_EXIT_FAIL;
  imgfd = oci_image_open(image, 0);
  if (imgfd < 0)
    return OCI_EXIT_FAIL;
  rc = oci_image_read(imgfd, image, &im);
  if (rc != 0)
    return OCI_EXIT_FAIL;
  o.image = &im;
  rc = oci_create_container(g, &o, 0, NULL, &pid);
  oci_image_free(&im);
  if (rc != 0)
    return OCI_EXIT_FAIL;
  return oci_start_and_wait(g, &o, pid);
}
