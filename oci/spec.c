/*
** spec.c — config.json (runtime-spec config.md) and exec's process.json,
** read with jansson into struct oci_bundle / oci_process. Only what a
** Wasm process can use is read; the rest (namespaces, devices, hooks...)
** is ignored, as features.md allows a runtime to say (cmd_features.c).
** Every field is checked for its JSON type: a config.json comes from an
** image author or a tool, and a wrong type is an error that names it.
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

#define MAX_JSON_BYTES (4 << 20)

json_t *oci_json_load(const char *path) {
  json_error_t jerr;
  struct stat st;
  json_t *doc = NULL;
  char *buf;
  ssize_t n;
  /* O_NONBLOCK: a FIFO planted as config.json must not hang us. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

  if (fd < 0) {
    oci_errorf("%s: %s", path, strerror(errno));
    return NULL;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size > MAX_JSON_BYTES) {
    oci_errorf("%s: not a regular file of at most 4 MiB", path);
    close(fd);
    return NULL;
  }
  buf = malloc((size_t)st.st_size + 1);
  n = buf != NULL ? read(fd, buf, (size_t)st.st_size) : -1;
  close(fd);
  if (n >= 0)
    doc = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
  free(buf);
  if (n < 0)
    oci_errorf("%s: cannot read: %s", path, strerror(errno));
  else if (doc == NULL)
    oci_errorf("%s: malformed JSON at line %d column %d: %s", path, jerr.line,
               jerr.column, jerr.text);
  else if (!json_is_object(doc)) {
    oci_errorf("%s: not a JSON object", path);
    json_decref(doc);
    doc = NULL;
  }
  return doc;
}

/* An array of strings at obj[key] (absent: empty when optional). */
static int string_array(const json_t *obj, const char *key, const char *what,
                        const char ***out, size_t *n) {
  json_t *arr = json_object_get(obj, key), *v;
  size_t i;

  *out = NULL;
  *n = 0;
  if (arr == NULL)
    return 0;
  if (!json_is_array(arr)) {
    oci_errorf("%s: %s is not an array of strings", what, key);
    return -1;
  }
  *out = calloc(json_array_size(arr) + 1, sizeof **out);
  if (*out == NULL) {
    oci_errorf("out of memory");
    return -1;
  }
  json_array_foreach(arr, i, v) {
    if (!json_is_string(v)) {
      oci_errorf("%s: %s[%zu] is not a string", what, key, i);
      return -1;
    }
    (*out)[(*n)++] = json_string_value(v);
  }
  return 0;
}

/* obj[key] as an unsigned 32-bit id; absent is 0. */
static int id_field(const json_t *obj, const char *key, const char *what,
                    unsigned *out) {
  json_t *v = json_object_get(obj, key);
  *out = 0;
  if (v == NULL)
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < 0 ||
      json_integer_value(v) > 0xfffffffe) {
    oci_errorf("%s: %s is not a valid id", what, key);
    return -1;
  }
  *out = (unsigned)json_integer_value(v);
  return 0;
}

static int parse_user(const json_t *user, const char *what,
                      struct oci_process *p) {
  json_t *gids = json_object_get(user, "additionalGids"), *v;
  unsigned uid, gid;
  size_t i;

  if (user == NULL)
    return 0;
  if (!json_is_object(user) || id_field(user, "uid", what, &uid) != 0 ||
      id_field(user, "gid", what, &gid) != 0) {
    if (!json_is_object(user))
      oci_errorf("%s: process.user is not an object", what);
    return -1;
  }
  p->uid = uid;
  p->gid = gid;
  if (gids == NULL)
    return 0;
  if (!json_is_array(gids) || json_array_size(gids) > 65536) {
    oci_errorf("%s: user.additionalGids is not an array of ids", what);
    return -1;
  }
  p->gids = calloc(json_array_size(gids) + 1, sizeof *p->gids);
  if (p->gids == NULL)
    return -1;
  json_array_foreach(gids, i, v) {
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 0xfffffffe) {
      oci_errorf("%s: user.additionalGids[%zu] is not a valid id", what, i);
      return -1;
    }
    p->gids[p->ngids++] = (gid_t)json_integer_value(v);
  }
  return 0;
}

static const struct {
  const char *name;
  int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_rlimit(const json_t *r, const char *what,
                        struct oci_rlimit *out) {
  const char *type = json_string_value(json_object_get(r, "type"));
  json_t *hard = json_object_get(r, "hard"), *soft = json_object_get(r, "soft");
  size_t i;

  for (i = 0; type != NULL && i < sizeof rlimit_names / sizeof *rlimit_names;
       i++)
    if (strcmp(type, rlimit_names[i].name) == 0)
      break;
  if (type == NULL || i == sizeof rlimit_names / sizeof *rlimit_names) {
    oci_errorf("%s: rlimit type '%s' is unknown", what,
               type != NULL ? type : "(missing)");
    return -1;
  }
  /* jansson reads numbers above INT64_MAX as reals; the spec's "unlimited"
  ** is 2^64-1 (RLIM_INFINITY). */
  if ((!json_is_integer(hard) && !json_is_real(hard)) ||
      (!json_is_integer(soft) && !json_is_real(soft))) {
    oci_errorf("%s: rlimit %s needs numeric hard and soft", what, type);
    return -1;
  }
  out->name = rlimit_names[i].name;
  out->resource = rlimit_names[i].resource;
  out->limit.rlim_max = json_is_real(hard) || json_integer_value(hard) < 0
                            ? RLIM_INFINITY
                            : (rlim_t)json_integer_value(hard);
  out->limit.rlim_cur = json_is_real(soft) || json_integer_value(soft) < 0
                            ? RLIM_INFINITY
                            : (rlim_t)json_integer_value(soft);
  return 0;
}

static int parse_rlimits(const json_t *arr, const char *what,
                         struct oci_process *p) {
  json_t *r;
  size_t i;

  if (arr == NULL)
    return 0;
  if (!json_is_array(arr) || json_array_size(arr) > 64) {
    oci_errorf("%s: process.rlimits is not an array", what);
    return -1;
  }
  p->rlimits = calloc(json_array_size(arr) + 1, sizeof *p->rlimits);
  if (p->rlimits == NULL)
    return -1;
  json_array_foreach(arr, i, r) {
    if (parse_rlimit(r, what, &p->rlimits[p->nrlimits]) != 0)
      return -1;
    p->nrlimits++;
  }
  return 0;
}

/* Each env entry is KEY=VALUE with a non-empty KEY. */
static int check_env(const struct oci_process *p, const char *what) {
  size_t i;
  for (i = 0; i < p->nenv; i++)
    if (p->env[i][0] == '=' || strchr(p->env[i], '=') == NULL) {
      oci_errorf("%s: process.env[%zu] '%s' is not KEY=VALUE", what, i,
                 p->env[i]);
      return -1;
    }
  return 0;
}

int oci_process_parse(json_t *obj, const char *what, struct oci_process *p) {
  json_t *cwd = json_object_get(obj, "cwd"), *size;

  memset(p, 0, sizeof *p);
  if (!json_is_object(obj)) {
    oci_errorf("%s: no process object", what);
    return -1;
  }
  p->json = json_incref(obj);
  if (string_array(obj, "args", what, &p->args, &p->nargs) != 0 ||
      string_array(obj, "env", what, &p->env, &p->nenv) != 0 ||
      check_env(p, what) != 0)
    return -1;
  if (p->nargs == 0 || p->args[0][0] == '\0') {
    oci_errorf("%s: process.args is empty (args[0] names the .wasm file)",
               what);
    return -1;
  }
  p->cwd = cwd == NULL ? "/" : json_string_value(cwd);
  if (p->cwd == NULL || p->cwd[0] != '/') {
    oci_errorf("%s: process.cwd must be an absolute path", what);
    return -1;
  }
  p->terminal = json_is_true(json_object_get(obj, "terminal"));
  if (json_object_get(obj, "oomScoreAdj") != NULL) {
    json_int_t adj = json_integer_value(json_object_get(obj, "oomScoreAdj"));
    if (!json_is_integer(json_object_get(obj, "oomScoreAdj")) || adj < -1000 ||
        adj > 1000) {
      oci_errorf("%s: process.oomScoreAdj is not in -1000..1000", what);
      return -1;
    }
    p->has_oom_score_adj = 1;
    p->oom_score_adj = (int)adj;
  }
  size = json_object_get(obj, "consoleSize");
  p->height = (unsigned)json_integer_value(json_object_get(size, "height"));
  p->width = (unsigned)json_integer_value(json_object_get(size, "width"));
  return parse_user(json_object_get(obj, "user"), what, p) != 0 ||
                 parse_rlimits(json_object_get(obj, "rlimits"), what, p) != 0
             ? -1
             : 0;
}

void oci_process_free(struct oci_process *p) {
  free(p->args);
  free(p->env);
  free(p->gids);
  free(p->rlimits);
  json_decref(p->json);
  memset(p, 0, sizeof *p);
}

/* One mounts[] entry: what weft can do with it is decided in plan.c. */
static int parse_mount(const json_t *m, size_t i, struct oci_mount *out) {
  json_t *opts = json_object_get(m, "options"), *o;
  size_t k;

  out->dest = json_string_value(json_object_get(m, "destination"));
  out->source = json_string_value(json_object_get(m, "source"));
  out->type = json_string_value(json_object_get(m, "type"));
  out->mode = 01777;
  if (out->dest == NULL || out->dest[0] != '/' ||
      (opts != NULL && !json_is_array(opts))) {
    oci_errorf("config.json: mounts[%zu] needs an absolute destination "
               "(and options, if any, as an array)",
               i);
    return -1;
  }
  out->bind = out->type != NULL && strcmp(out->type, "bind") == 0;
  out->tmpfs = out->type != NULL && strcmp(out->type, "tmpfs") == 0;
  json_array_foreach(opts, k, o) {
    const char *s = json_string_value(o);
    if (s == NULL)
      continue;
    if (strcmp(s, "bind") == 0 || strcmp(s, "rbind") == 0)
      out->bind = 1;
    else if (strcmp(s, "ro") == 0)
      out->ro = 1;
    else if (strcmp(s, "rw") == 0)
      out->ro = 0;
    else if (strncmp(s, "mode=", 5) == 0)
      out->mode = (mode_t)strtoul(s + 5, NULL, 8) & 07777;
  }
  return 0;
}

static int parse_mounts(const json_t *arr, struct oci_bundle *b) {
  json_t *m;
  size_t i;

  if (arr == NULL)
    return 0;
  if (!json_is_array(arr) || json_array_size(arr) > 4096) {
    oci_errorf("config.json: mounts is not an array");
    return -1;
  }
  b->mounts = calloc(json_array_size(arr) + 1, sizeof *b->mounts);
  if (b->mounts == NULL)
    return -1;
  json_array_foreach(arr, i, m) {
    if (parse_mount(m, i, &b->mounts[b->nmounts]) != 0)
      return -1;
    b->nmounts++;
  }
  return 0;
}

/* root.path (relative to the bundle when not absolute) and readonly. */
static int parse_root(const json_t *root, struct oci_bundle *b) {
  const char *path = json_string_value(json_object_get(root, "path"));
  size_t n;

  if (path == NULL || path[0] == '\0') {
    oci_errorf("config.json: root.path is missing");
    return -1;
  }
  n = strlen(b->dir) + strlen(path) + 2;
  b->rootfs = malloc(n);
  if (b->rootfs == NULL)
    return -1;
  if (path[0] == '/')
    snprintf(b->rootfs, n, "%s", path);
  else
    snprintf(b->rootfs, n, "%s/%s", b->dir, path);
  b->root_ro = json_is_true(json_object_get(root, "readonly"));
  return 0;
}

static int parse_annotations(struct oci_bundle *b) {
  json_t *v;
  const char *k;

  b->annotations = json_object_get(b->config, "annotations");
  if (b->annotations == NULL)
    return 0;
  if (!json_is_object(b->annotations)) {
    oci_errorf("config.json: annotations is not an object");
    return -1;
  }
  json_object_foreach(b->annotations, k, v) {
    if (!json_is_string(v)) {
      oci_errorf("config.json: annotation '%s' is not a string", k);
      return -1;
    }
  }
  return 0;
}

static int parse_linux(const json_t *linux_obj, struct oci_bundle *b) {
  json_t *mem = json_object_get(
      json_object_get(json_object_get(linux_obj, "resources"), "memory"),
      "limit");

  b->memory_limit = -1;
  if (mem != NULL && (!json_is_integer(mem) || json_integer_value(mem) < -1)) {
    oci_errorf("config.json: linux.resources.memory.limit is not a number");
    return -1;
  }
  if (mem != NULL && json_integer_value(mem) > 0)
    b->memory_limit = json_integer_value(mem);
  b->cgroups_path =
      json_string_value(json_object_get(linux_obj, "cgroupsPath"));
  if (json_object_get(b->config, "hooks") != NULL)
    oci_logf("warning", "hooks are not run (features: hooks [])");
  if (json_object_get(json_object_get(linux_obj, "resources"), "cpu") != NULL)
    oci_logf("warning", "linux.resources.cpu is not applied: weft-oci "
                        "limits memory, fuel and time, not CPU shares");
  return 0;
}

int oci_bundle_load(const char *dir, struct oci_bundle *b) {
  char path[PATH_MAX];
  const char *version;

  memset(b, 0, sizeof *b);
  b->dir = realpath(dir, NULL);
  if (b->dir == NULL) {
    oci_errorf("bundle %s: %s", dir, strerror(errno));
    return -1;
  }
  if (snprintf(path, sizeof path, "%s/config.json", b->dir) >= (int)sizeof path)
    return -1;
  if (access(path, F_OK) != 0) {
    oci_errorf("bundle %s: no config.json (%s)", dir, strerror(errno));
    return -1;
  }
  b->config = oci_json_load(path);
  if (b->config == NULL)
    return -1;
  version = json_string_value(json_object_get(b->config, "ociVersion"));
  if (version == NULL || strncmp(version, "1.", 2) != 0) {
    oci_errorf("%s: ociVersion is missing or not 1.x", path);
    return -1;
  }
  if (oci_process_parse(json_object_get(b->config, "process"), "config.json",
                        &b->proc) != 0 ||
      parse_root(json_object_get(b->config, "root"), b) != 0 ||
      parse_mounts(json_object_get(b->config, "mounts"), b) != 0 ||
      parse_annotations(b) != 0 ||
      parse_linux(json_object_get(b->config, "linux"), b) != 0)
    return -1;
  return 0;
}

void oci_bundle_free(struct oci_bundle *b) {
  oci_process_free(&b->proc);
  free(b->mounts);
  free(b->rootfs);
  free(b->dir);
  json_decref(b->config);
  memset(b, 0, sizeof *b);
}
