/*
** cmd_features.c — `features`: runtime-spec features.md, what this
** runtime does with a config. No hooks, no namespaces (none are made; a
** config's are ignored), no capabilities kept (harden.c), a seccomp
** filter of our own (a config's seccomp profile is ignored: weft's
** allow-list is narrower than any profile for native programs), and the
** annotations weft-oci reads.
*/
#include <stdio.h>
#include <stdlib.h>

#include "oci.h"

int oci_cmd_features(const struct oci_globals *g, int argc, char **argv) {
  json_t *doc, *linux_obj;
  int rc;

  (void)g;
  (void)argv;
  if (argc != 1)
    return oci_usage_error("features", "takes no arguments");
  /* cgroup: memory only, at cgroupsPath, best effort (cgroup.c). */
  linux_obj =
      json_pack("{s:[], s:[], s:{s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}}",
                "namespaces", "capabilities", "cgroup", "v1", 1, "v2", 1,
                "systemd", 0, "seccomp", oci_seccomp_features(), "apparmor",
                "enabled", 0, "selinux", "enabled", 0);
  doc = json_pack("{s:s, s:s, s:[], s:[s, s, s, s, s, s], s:o, s:o}",
                  "ociVersionMin", "1.0.0", "ociVersionMax", OCI_VERSION,
                  "hooks", "mountOptions", "bind", "rbind", "ro", "rw", "mode",
                  "tmpcopyup", "linux", linux_obj, "annotations",
                  oci_annotations_features());
  rc = oci_print_json(doc);
  json_decref(doc);
  return rc;
}
