/*
** annotations.c — container annotations that reach weft's features
** (annotations.def), and the ones that say an image is Wasm. A weft.*
** key that is not in the table is an error at create, naming every such
** key: a misspelt limit silently ignored would run the program without it.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

enum kind { U64, U32, SECONDS, BOOL, NAME, GUEST, HOSTFILE };

static const struct annotation {
  const char *key;
  enum kind kind;
  const char *option;
  const char *description;
} annotations[] = {
#define OCI_ANNOTATION(key, kind, option, description)                         \
  {key, kind, option, description},
#include "annotations.def"
#undef OCI_ANNOTATION
};

#define NANNOTATIONS (sizeof annotations / sizeof annotations[0])

static const struct annotation *find(const char *key) {
  size_t i;
  for (i = 0; i < NANNOTATIONS; i++)
    if (strcmp(key, annotations[i].key) == 0)
      return &annotations[i];
  return NULL;
}

/* Every weft.* key not in the table, listed in one error. */
static int check_unknown(const json_t *all) {
  char list[1024] = "";
  const char *k;
  json_t *v;
  size_t n = 0;

  json_object_foreach((json_t *)all, k, v) {
    if (strncmp(k, "weft.", 5) != 0 || find(k) != NULL)
      continue;
    if (n++ > 0)
      strncat(list, ", ", sizeof list - strlen(list) - 1);
    strncat(list, k, sizeof list - strlen(list) - 1);
  }
  if (n == 0)
    return 0;
  oci_errorf("unknown annotation%s %s (known: weft.fuel, weft.deadline, "
             "weft.aot, weft.max-call-depth, weft.max-table-elems, "
             "weft.account, weft.protected-dir, weft.key-file, "
             "weft.snapshot-key)",
             n > 1 ? "s" : "", list);
  return -1;
}

static int bad(const struct annotation *a, const char *value,
               const char *want) {
  oci_errorf("annotation %s: invalid value '%s' (want %s)", a->key, value,
             want);
  return -1;
}

static void add_opt(json_t *run, const char *option, const char *value) {
  json_t *opts = json_object_get(run, "opts");
  json_array_append_new(opts, json_string(option));
  json_array_append_new(opts, json_string(value));
}

/* weft.protected-dir: the preopen at that guest path becomes protected. */
static int protect_dir(json_t *run, const struct annotation *a,
                       const char *guest) {
  json_t *dirs = json_object_get(run, "dirs"), *d;
  size_t i;

  json_array_foreach(dirs, i, d) {
    const char *g = json_string_value(json_object_get(d, "guest"));
    if (i > 0 && g != NULL && strcmp(g, guest) == 0 &&
        json_object_get(d, "tmpfs") == NULL) {
      json_object_set_new(d, "protected", json_true());
      return 0;
    }
  }
  return bad(a, guest, "the destination of a bind-mounted directory");
}

static int apply_one(const struct oci_bundle *b, json_t *run,
                     const struct annotation *a, const char *value) {
  long long n;
  char *end, path[4096];
  const char *keydir;
  double secs;

  switch (a->kind) {
  case U64:
    if (oci_parse_ll(value, 0, INT64_MAX, &n) != 0)
      return bad(a, value, "a decimal count");
    break;
  case U32:
    if (oci_parse_ll(value, 1, UINT32_MAX, &n) != 0)
      return bad(a, value, "a decimal count from 1 to 4294967295");
    break;
  case SECONDS:
    secs = strtod(value, &end);
    if (end == value || *end != '\0' || !(secs > 0) || secs > 1e9)
      return bad(a, value, "a positive number of seconds");
    break;
  case BOOL:
    if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
      return bad(a, value, "true or false");
    json_object_set_new(run, "aot", json_boolean(value[0] == 't'));
    return 0;
  case NAME:
    /* Not the bundle's own files: the record must not replace them. */
    if (value[0] == '\0' || value[0] == '.' || strchr(value, '/') != NULL ||
        strcmp(value, "config.json") == 0 || strcmp(value, "rootfs") == 0)
      return bad(a, value,
                 "a new file name in the bundle, without '/', not starting "
                 "with '.', not config.json or rootfs");
    snprintf(path, sizeof path, "%s/%s", b->dir, value);
    json_object_set_new(run, "account", json_string(path));
    return 0;
  case GUEST: return protect_dir(run, a, value);
  case HOSTFILE:
    /* Image annotations reach here (podman copies them), so an image may
    ** only pick a key by name among those the operator put in the key
    ** directory, never name a host path. */
    if (value[0] == '\0' || value[0] == '.' || strchr(value, '/') != NULL)
      return bad(a, value,
                 "a file name in the key directory (WEFT_OCI_KEY_DIR), "
                 "without '/', not starting with '.'");
    keydir = getenv("WEFT_OCI_KEY_DIR");
    if (keydir == NULL || keydir[0] != '/') {
      oci_errorf("annotation %s needs a key directory chosen by "
                 "the operator: set WEFT_OCI_KEY_DIR to an absolute path in "
                 "weft-oci's environment",
                 a->key);
      return -1;
    }
    snprintf(path, sizeof path, "%s/%s", keydir, value);
    json_object_set_new(
        run, strcmp(a->key, "weft.key-file") == 0 ? "key_file" : "snapshot_key",
        json_string(path));
    return 0;
  }
  add_opt(run, a->option, value);
  return 0;
}

int oci_annotations_apply(const struct oci_bundle *b, json_t *run) {
  const char *k;
  json_t *v;
  int has_key, has_protected;

  if (b->annotations == NULL)
    return 0;
  if (check_unknown(b->annotations) != 0)
    return -1;
  json_object_foreach(b->annotations, k, v) {
    const struct annotation *a = find(k);
    if (a != NULL && apply_one(b, run, a, json_string_value(v)) != 0)
      return -1;
  }
  has_key = json_object_get(run, "key_file") != NULL;
  has_protected = json_object_get(b->annotations, "weft.protected-dir") != NULL;
  if (has_key != has_protected) {
    oci_errorf("annotations weft.protected-dir and weft.key-file go "
               "together");
    return -1;
  }
  return 0;
}

json_t *oci_annotations_features(void) {
  json_t *obj = json_object();
  size_t i;

  for (i = 0; i < NANNOTATIONS; i++)
    json_object_set_new(obj, annotations[i].key,
                        json_string(annotations[i].description));
  json_object_set_new(obj, "module.wasm.image/variant",
                      json_string("compat or compat-smart: the entrypoint "
                                  "must be a WebAssembly module"));
  json_object_set_new(obj, "run.oci.handler",
                      json_string("wasm: the entrypoint must be a "
                                  "WebAssembly module"));
  return obj;
}

int oci_annotations_say_wasm(const json_t *all) {
  const char *variant =
      json_string_value(json_object_get(all, "module.wasm.image/variant"));
  const char *handler =
      json_string_value(json_object_get(all, "run.oci.handler"));

  return (variant != NULL && (strcmp(variant, "compat") == 0 ||
                              strcmp(variant, "compat-smart") == 0)) ||
         (handler != NULL && strcmp(handler, "wasm") == 0);
}
