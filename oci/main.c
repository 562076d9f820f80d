/*
** main.c — weft-oci's command line, as runc's: global options, then a
** command with its own options, then the container ID.
**
**   weft-oci [--root DIR] [--log FILE] [--log-format text|json]
**            [--systemd-cgroup] [--debug] COMMAND [OPTIONS] ID ...
**
** Every failure, usage errors included, exits with status 1 (runc's
** convention, which conmon and the shim expect) after saying why on
** stderr and in --log.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

struct command {
  const char *name;
  int (*fn)(const struct oci_globals *g, int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
#define OCI_COMMAND(name, fn, summary) {#name, fn, summary},
#include "commands.def"
#undef OCI_COMMAND
};

static void usage(FILE *out) {
  size_t i;
  fputs("usage: weft-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] ID\n"
        "\n"
        "An OCI runtime (runc's command line) for WebAssembly modules: a\n"
        "container's process.args[0] names a .wasm file in its rootfs, run\n"
        "by weft (the `weft` binary beside this one, or $WEFT_OCI_WEFT).\n"
        "\n"
        "commands:\n",
        out);
  for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %s\n", commands[i].summary);
  fputs("\n"
        "global options:\n"
        "  --root DIR              container state (default " OCI_ROOT_DEFAULT
        ")\n"
        "  --log FILE              also log errors to FILE\n"
        "  --log-format text|json  json: one object per line\n"
        "  --systemd-cgroup        accepted; systemd cgroups are unsupported\n"
        "  --fallback-runtime PATH  run non-Wasm images with PATH (runc,\n"
        "                          crun); also $WEFT_OCI_FALLBACK\n"
        "  --debug                 log more\n"
        "  --version               print the versions\n",
        out);
}

const char *oci_opt_value(int argc, char **argv, int *i, const char *name,
                          int *missing) {
  const char *arg = argv[*i];
  size_t n = strlen(name);

  if (strncmp(arg, name, n) != 0)
    return NULL;
  if (arg[n] == '=')
    return arg + n + 1;
  if (arg[n] != '\0')
    return NULL;
  if (*i + 1 >= argc) {
    *missing = 1;
    return NULL;
  }
  *i += 1;
  return argv[*i];
}

int oci_opt_listed(const char *const *list, const char *arg) {
  for (; *list != NULL; list++)
    if (strcmp(*list, arg) == 0 ||
        (strncmp(*list, arg, strlen(*list)) == 0 && arg[strlen(*list)] == '='))
      return 1;
  return 0;
}

char *oci_long_option(char **argv, int i) {
  char *arg = argv[i], *longer;

  if (arg[0] != '-' || arg[1] == '-' || arg[1] == '\0' || arg[2] == '\0')
    return arg;
  longer = malloc(strlen(arg) + 2); /* lives until exit, as argv */
  if (longer == NULL)
    return arg;
  longer[0] = '-';
  strcpy(longer + 1, arg);
  argv[i] = longer;
  return longer;
}

int oci_usage_error(const char *cmd, const char *fmt, ...) {
  char msg[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (cmd != NULL)
    oci_errorf("%s: %s (try 'weft-oci help')", cmd, msg);
  else
    oci_errorf("%s (try 'weft-oci help')", msg);
  return OCI_EXIT_FAIL;
}

static int print_version(void) {
  printf("weft-oci version %s\nspec: %s\n", WEFT_OCI_VERSION, OCI_VERSION);
  return 0;
}

/* Global options, up to the command; returns its index or -1. runc
** accepts single-dash spellings (-root) too, as does this. */
static int parse_globals(int argc, char **argv, struct oci_globals *g,
                         int *systemd, int *version) {
  const char *format = "text";
  int i;

  for (i = 1; i < argc && argv[i][0] == '-'; i++) {
    char *arg = argv[i];
    const char *v;
    int missing = 0;

    arg = oci_long_option(argv, i);
    if ((v = oci_opt_value(argc, argv, &i, "--root", &missing)))
      g->root = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--log", &missing)))
      g->log = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--log-format", &missing)))
      format = v;
    else if ((v = oci_opt_value(argc, argv, &i, "--fallback-runtime",
                                &missing)))
      g->fallback = v;
    else if (strcmp(arg, "--systemd-cgroup") == 0)
      *systemd = 1;
    else if (strcmp(arg, "--debug") == 0)
      g->debug = 1;
    else if (strcmp(arg, "--version") == 0 || strcmp(arg, "-v") == 0)
      *version = 1;
    else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
      return argc; /* as `help` */
    else if (missing)
      return oci_usage_error(NULL, "option %s needs a value", arg), -1;
    else
      return oci_usage_error(NULL, "unknown global option '%s'", arg), -1;
    if (missing)
      return oci_usage_error(NULL, "option %s needs a value", arg), -1;
  }
  if (strcmp(format, "json") != 0 && strcmp(format, "text") != 0)
    return oci_usage_error(NULL, "--log-format wants text or json"), -1;
  g->log_json = strcmp(format, "json") == 0;
  return i;
}

int main(int argc, char **argv) {
  struct oci_globals g = {OCI_ROOT_DEFAULT, NULL, 0, 0, 0, NULL};
  int systemd = 0, version = 0,
      i = parse_globals(argc, argv, &g, &systemd, &version);
  size_t c;

  if (i < 0)
    return OCI_EXIT_FAIL;
  oci_log_setup(g.log, g.log_json, g.debug);
  g.systemd_cgroup = systemd;
  if (systemd)
    oci_logf("warning", "--systemd-cgroup: systemd cgroups are not "
                        "supported; cgroupsPath is used as a cgroupfs path");
  if (version)
    return print_version();
  if (i >= argc || strcmp(argv[i], "help") == 0) {
    usage(i >= argc && argc > 1 && strcmp(argv[argc - 1], "--help") != 0 &&
                  strcmp(argv[argc - 1], "-h") != 0
              ? stderr
              : stdout);
    return i >= argc && argc == 1 ? OCI_EXIT_FAIL : 0;
  }
  if (strcmp(argv[i], "ls") == 0)
    argv[i] = "list";
  for (c = 0; c < sizeof commands / sizeof commands[0]; c++) {
    int status;
    if (strcmp(argv[i], commands[c].name) != 0)
      continue;
    /* A container handed to the fallback runtime is its business. */
    if (commands[c].fn != oci_cmd_create && commands[c].fn != oci_cmd_run &&
        commands[c].fn != oci_cmd_list && commands[c].fn != oci_cmd_features &&
        oci_fallback_dispatch(&g, argc - i, argv + i, &status))
      return status;
    return commands[c].fn(&g, argc - i, argv + i);
  }
  return oci_usage_error(NULL, "unknown command '%s'", argv[i]);
}
