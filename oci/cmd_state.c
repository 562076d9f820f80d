/*
** cmd_state.c — `state ID` (runtime.md's state: ociVersion, id, status,
** pid, bundle, annotations) and `list` (all containers, as runc's table
** or JSON). Neither takes the lock: state.json is replaced atomically, so
** a reader sees the old or the new one, never a mix.
*/
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

/* The spec's state object of an open container. */
static json_t *spec_state(const struct oci_container *c) {
  pid_t pid;
  const char *status = oci_status(c, &pid);
  json_t *s = c->state, *ann = json_object_get(s, "annotations");
  json_t *out = json_pack("{s:s, s:s, s:s}", "ociVersion", OCI_VERSION, "id",
                          c->id, "status", status);
  const char *bundle = json_string_value(json_object_get(s, "bundle"));

  if (strcmp(status, "stopped") != 0 && strcmp(status, "creating") != 0)
    json_object_set_new(out, "pid", json_integer(pid));
  json_object_set_new(out, "bundle", json_string(bundle ? bundle : ""));
  json_object_set_new(out, "annotations",
                      ann != NULL ? json_deep_copy(ann) : json_object());
  if (json_object_get(s, "created") != NULL)
    json_object_set(out, "created", json_object_get(s, "created"));
  return out;
}

int oci_cmd_state(const struct oci_globals *g, int argc, char **argv) {
  struct oci_container c;
  json_t *doc;
  int rc;

  if (argc != 2)
    return oci_usage_error("state", "want exactly one container ID");
  if (oci_container_open(g, argv[1], 0, 0, &c) != 0)
    return OCI_EXIT_FAIL;
  doc = spec_state(&c);
  rc = oci_print_json(doc);
  json_decref(doc);
  oci_container_close(&c);
  return rc;
}

int oci_cmd_list(const struct oci_globals *g, int argc, char **argv) {
  int json = argc == 3 &&
             (strcmp(argv[1], "--format") == 0 || strcmp(argv[1], "-f") == 0) &&
             strcmp(argv[2], "json") == 0;
  int rootfd = oci_root_open(g->root, 0),
      quiet = argc == 2 &&
              (strcmp(argv[1], "-q") == 0 || strcmp(argv[1], "--quiet") == 0);
  json_t *all = json_array();
  struct dirent *e;
  DIR *d;
  size_t i;
  int rc;

  if (rootfd == -1)
    return OCI_EXIT_FAIL;
  d = rootfd >= 0 ? fdopendir(rootfd) : NULL;
  while (d != NULL && (e = readdir(d)) != NULL) {
    struct oci_container c;
    if (e->d_name[0] == '.')
      continue;
    if (oci_container_open(g, e->d_name, 0, 1, &c) == 0)
      json_array_append_new(all, spec_state(&c));
    oci_container_close(&c);
  }
  if (d != NULL)
    closedir(d);
  if (json)
    rc = oci_print_json(all);
  else {
    json_t *s;
    if (!quiet)
      printf("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE",
             "CREATED");
    json_array_foreach(all, i, s) {
      if (quiet)
        printf("%s\n", json_string_value(json_object_get(s, "id")));
      else
        printf("%-20s %-8lld %-10s %-40s %s\n",
               json_string_value(json_object_get(s, "id")),
               (long long)json_integer_value(json_object_get(s, "pid")),
               json_string_value(json_object_get(s, "status")),
               json_string_value(json_object_get(s, "bundle")),
               json_string_value(json_object_get(s, "created")));
    }
    rc = 0;
  }
  json_decref(all);
  return rc;
}
