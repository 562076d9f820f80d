/*
** log.c — where weft-oci's messages go. An error goes to stderr as
** "weft-oci: MSG" and, with --log FILE, also to FILE: a text line, or
** with --log-format json one object per line,
**   {"level":"error","msg":"...","time":"2026-01-02T03:04:05Z"}
** which is what containerd's shim reads back (the last error) to tell
** the user why a call failed. The settings are process-wide: one command
** per process, set once by main.c before anything is logged.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "oci.h"

static struct {
  int fd; /* the --log file, or -1 */
  int json;
  int debug;
} log_cfg = {-1, 0, 0};

void oci_log_setup(const char *path, int json, int debug) {
  log_cfg.json = json;
  log_cfg.debug = debug;
  if (path == NULL)
    return;
  /* O_APPEND: several weft-oci calls (and the container's init before it
  ** becomes weft) share one log. */
  log_cfg.fd =
      open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  if (log_cfg.fd < 0)
    fprintf(stderr, "weft-oci: --log %s: %s\n", path, strerror(errno));
}

/* One line in the log, written with a single write so that concurrent
** writers do not interleave within it. */
static void log_line(const char *level, const char *msg) {
  char stamp[32], *text = NULL;
  json_t *obj;

  if (log_cfg.fd < 0)
    return;
  oci_time_now(stamp, sizeof stamp);
  if (log_cfg.json) {
    obj =
        json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", stamp);
    text = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (text != NULL)
      dprintf(log_cfg.fd, "%s\n", text);
    free(text);
    return;
  }
  dprintf(log_cfg.fd, "%s %s weft-oci: %s\n", stamp, level, msg);
}

void oci_errorf(const char *fmt, ...) {
  char msg[2048];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fflush(stdout);
  fprintf(stderr, "weft-oci: %s\n", msg);
  log_line("error", msg);
}

void oci_logf(const char *level, const char *fmt, ...) {
  char msg[2048];
  va_list ap;

  if (strcmp(level, "info") == 0 && !log_cfg.debug)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  log_line(level, msg);
}
