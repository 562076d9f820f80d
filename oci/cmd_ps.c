/*
** cmd_ps.c — `ps [--format table|json] ID`: the host pids of the
** container's live processes (init, then exec'd ones). json is an array
** of pids, which containerd's shim reads; table is one "PID CMD" line
** each (runc runs ps(1); the command is read from /proc here).
*/
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

static void print_row(pid_t pid) {
  char path[64], comm[64] = "?";
  int fd;
  ssize_t n;

  snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    n = read(fd, comm, sizeof comm - 1);
    comm[n > 0 ? n : 0] = '\0';
    comm[strcspn(comm, "\n")] = '\0';
    close(fd);
  }
  printf("%-8ld %s\n", (long)pid, comm);
}

int oci_cmd_ps(const struct oci_globals *g, int argc, char **argv) {
  const char *format = "table", *id = NULL, *v;
  struct oci_container c;
  json_t *pids = json_array(), *e;
  pid_t pid;
  size_t i;
  int k;

  for (k = 1; k < argc; k++) {
    int missing = 0;
    if ((v = oci_opt_value(argc, argv, &k, "--format", &missing)) ||
        (v = oci_opt_value(argc, argv, &k, "-f", &missing)))
      format = v;
    else if (missing || argv[k][0] == '-' || id != NULL)
      return oci_usage_error("ps", "unexpected argument '%s'", argv[k]);
    else
      id = argv[k];
  }
  if (id == NULL ||
      (strcmp(format, "json") != 0 && strcmp(format, "table") != 0))
    return oci_usage_error("ps", "want [--format table|json] ID");
  if (oci_container_open(g, id, 0, 0, &c) != 0)
    return OCI_EXIT_FAIL;
  if (strcmp(oci_status(&c, &pid), "stopped") != 0 && pid > 0)
    json_array_append_new(pids, json_integer(pid));
  oci_prune_execs(&c);
  json_array_foreach(json_object_get(c.state, "execs"), i, e) {
    json_array_append(pids, json_object_get(e, "pid"));
  }
  if (strcmp(format, "json") == 0) {
    char *text = json_dumps(pids, JSON_COMPACT);
    printf("%s\n", text ? text : "[]");
    free(text);
  } else {
    printf("%-8s %s\n", "PID", "CMD");
    json_array_foreach(pids, i, e) { print_row((pid_t)json_integer_value(e)); }
  }
  json_decref(pids);
  oci_container_close(&c);
  return 0;
}
