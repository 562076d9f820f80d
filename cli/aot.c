/*
** aot.c — `weft compile` and `weft run --aot`'s compiling: finds and
** probes the C compiler, runs it through weft_aot_build_so under time,
** CPU and memory bounds, and wraps the shared object in an artifact
** authenticated with the user's AoT key (aot_key.h, artifact.h). While
** the compiler runs, SIGINT and SIGTERM stop it and clean up before weft
** ends with that signal; the library itself installs no handler.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aot_internal.h"
#include "aot_key.h"
#include "cli.h"
#include "sha256.h"
#include "weft_aot.h"
#include "weft_aot_build.h"

#define MAX_ARGS 64

/* {====================================================================
** Options
** ===================================================================== */

void cli_aot_options_default(struct cli_aot_options *o) {
  o->timeout_s = CLI_AOT_TIMEOUT_DEFAULT;
  o->memory_bytes = CLI_AOT_MEMORY_DEFAULT;
}

/* "--name V" or "--name=V" at argv[*i]; NULL when it is not that option. */
static const char *value_of(int argc, char **argv, int *i, const char *name,
                            int *missing) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0)
    return NULL;
  if (argv[*i][n] == '=')
    return argv[*i] + n + 1;
  if (argv[*i][n] != '\0')
    return NULL;
  if (*i + 1 >= argc) {
    *missing = 1;
    return NULL;
  }
  return argv[++*i];
}

int cli_aot_parse_option(int argc, char **argv, int *i,
                         struct cli_aot_options *o) {
  const char *arg = argv[*i], *v;
  int missing = 0;

  if ((v = value_of(argc, argv, i, "--aot-key", &missing)) != NULL) {
    o->key_file = v;
  } else if ((v = value_of(argc, argv, i, "--compile-timeout", &missing))) {
    o->timeout_given = 1;
    if (cli_parse_u32(v, &o->timeout_s) != 0 || o->timeout_s > 4000000) {
      cli_errorf("invalid value '%s' for --compile-timeout (seconds, 0 for "
                 "no limit)",
                 v);
      return -1;
    }
  } else if ((v = value_of(argc, argv, i, "--compile-memory", &missing))) {
    if (cli_parse_size(v, &o->memory_bytes) != 0 ||
        (o->memory_bytes != 0 && o->memory_bytes < (16u << 20))) {
      cli_errorf("invalid value '%s' for --compile-memory (bytes, at least "
                 "16M; 0 for no limit)",
                 v);
      return -1;
    }
  } else if (missing) {
    cli_errorf("option %s needs a value", arg);
    return -1;
  } else {
    return 0;
  }
  return 1;
}

/* }==================================================================== */

/* {====================================================================
** Interrupts while the compiler runs
** ===================================================================== */

/* The signal that asked weft to stop while compiling, or 0. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

struct saved_signals {
  struct sigaction intr, term;
};

/* Catches SIGINT and SIGTERM for the compilation (a signal ignored by
** whoever started weft stays ignored). */
static void catch_stop_signals(struct saved_signals *saved) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  stop_signal = 0;
  sigaction(SIGINT, &sa, &saved->intr);
  sigaction(SIGTERM, &sa, &saved->term);
  if (saved->intr.sa_handler == SIG_IGN)
    sigaction(SIGINT, &saved->intr, NULL);
  if (saved->term.sa_handler == SIG_IGN)
    sigaction(SIGTERM, &saved->term, NULL);
}

static void restore_stop_signals(const struct saved_signals *saved) {
  sigaction(SIGINT, &saved->intr, NULL);
  sigaction(SIGTERM, &saved->term, NULL);
}

/* After the compiler was stopped and its files removed: ends weft with
** the signal, as if it had not been caught. */
static void die_of_stop_signal(void) {
  int sig = stop_signal;
  cli_errorf("interrupted: the C compiler was stopped (and its temporary "
             "files removed)");
  signal(sig, SIG_DFL);
  raise(sig);
  _exit(128 + sig); /* not reached unless the signal is blocked */
}

/* }==================================================================== */

/* {====================================================================
** The C compiler
** ===================================================================== */

/* Milliseconds left until `deadline` (CLOCK_MONOTONIC), or -1 for none. */
static int ms_left(const struct timespec *deadline) {
  struct timespec now;
  long long ms;
  if (deadline->tv_sec == 0 || clock_gettime(CLOCK_MONOTONIC, &now) != 0)
    return -1;
  ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
       (deadline->tv_nsec - now.tv_nsec) / 1000000;
  return ms < 0 ? 0 : ms > 1000000000 ? 1000000000 : (int)ms;
}

/* Reads the child's output into `out` until EOF or the deadline; 0 at
** EOF, -1 when the deadline passed first. */
static int read_output(int fd, const struct timespec *deadline, char *out,
                       size_t out_size) {
  size_t got = 0;
  for (;;) {
    char chunk[256];
    struct pollfd p = {fd, POLLIN, 0};
    int left = ms_left(deadline), r = poll(&p, 1, left);
    if (r < 0 && errno == EINTR && stop_signal != 0)
      return -1; /* SIGINT or SIGTERM: stop it like a timeout */
    if (r < 0 && errno == EINTR)
      continue;
    if (r == 0)
      return -1;
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    for (ssize_t i = 0; i < n && got + 1 < out_size; i++)
      out[got++] = chunk[i];
  }
  out[got] = '\0';
  out[strcspn(out, "\r\n")] = '\0';
  return 0;
}

/* Runs `cmd arg` (cmd split on spaces, no shell) and returns the first
** line of its standard output in `out`; 0 when it exited with status 0
** within `timeout_s` seconds (0: no limit). A compiler that hangs is
** killed with its process group. */
static int first_line_of(const char *cmd, const char *arg, uint32_t timeout_s,
                         char *out, size_t out_size) {
  char buf[512], *argv[MAX_ARGS];
  int argc = 0, fds[2], status, late;
  struct timespec deadline = {0, 0};
  pid_t pid;

  out[0] = '\0';
  if (strlen(cmd) >= sizeof buf)
    return -1;
  strcpy(buf, cmd);
  for (char *tok = strtok(buf, " \t"); tok && argc < MAX_ARGS - 2;
       tok = strtok(NULL, " \t"))
    argv[argc++] = tok;
  if (argc == 0)
    return -1;
  argv[argc++] = (char *)arg;
  argv[argc] = NULL;
  if (timeout_s != 0 && clock_gettime(CLOCK_MONOTONIC, &deadline) == 0)
    deadline.tv_sec += timeout_s;
  if (pipe2(fds, O_CLOEXEC) != 0)
    return -1;
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    setpgid(0, 0);
    dup2(fds[1], 1);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 2);
    }
    execvp(argv[0], argv);
    _exit(127);
  }
  setpgid(pid, pid);
  close(fds[1]);
  late = read_output(fds[0], &deadline, out, out_size);
  close(fds[0]);
  if (late)
    kill(-pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return !late && WIFEXITED(status) && WEXITSTATUS(status) == 0 && out[0] ? 0
                                                                          : -1;
}

int cli_aot_resolve(const struct cli_aot_options *o, struct toolchain *t) {
  const char *env = getenv("WEFT_CC");

  memset(t, 0, sizeof *t);
  if (o->target != NULL) {
    if (strlen(o->target) >= sizeof t->target || o->target[0] == '\0') {
      cli_errorf("invalid target '%s'", o->target);
      return CLI_EXIT_USAGE;
    }
    strcpy(t->target, o->target);
    cli_triple_normalise(t->target);
  } else {
    strcpy(t->target, cli_host_triple());
  }
  if (o->cc != NULL)
    snprintf(t->cc, sizeof t->cc, "%s", o->cc);
  else if (o->target != NULL)
    snprintf(t->cc, sizeof t->cc, "%s-gcc", o->target);
  else
    snprintf(t->cc, sizeof t->cc, "%s", env != NULL && *env ? env : "cc");
  if (strlen(o->cc ? o->cc : t->cc) >= sizeof t->cc) {
    cli_errorf("compiler command too long");
    return CLI_EXIT_USAGE;
  }
  t->explicit_checks = o->explicit_checks >= 0
                           ? o->explicit_checks
                           : !cli_triple_is_64bit(t->target);
  t->fuel = o->fuel != 0;
  return CLI_EXIT_OK;
}

/* The probes, with SIGINT and SIGTERM caught like the build's: the probed
** compiler is in a process group of its own, out of the terminal's reach. */
static int probe_line(const char *cmd, const char *arg, uint32_t timeout_s,
                      char *out, size_t out_size) {
  struct saved_signals saved;
  int rc;

  catch_stop_signals(&saved);
  rc = first_line_of(cmd, arg, timeout_s, out, out_size);
  restore_stop_signals(&saved);
  if (stop_signal != 0)
    die_of_stop_signal();
  return rc;
}

int cli_aot_probe(struct toolchain *t, const struct cli_aot_options *o) {
  char machine[128];

  if (probe_line(t->cc, "-dumpmachine", o->timeout_s, machine,
                 sizeof machine) != 0) {
    cli_errorf("cannot run the C compiler '%s'%s", t->cc,
               strcmp(t->target, cli_host_triple()) != 0
                   ? " (for another target install Debian's cross compiler, "
                     "e.g. gcc-aarch64-linux-gnu, or name one with --cc)"
                   : " (install gcc, or name one with --cc or WEFT_CC)");
    return CLI_EXIT_USAGE;
  }
  cli_triple_normalise(machine);
  if (strcmp(machine, t->target) != 0) {
    cli_errorf("the C compiler '%s' targets %s, not %s (use --cc or --target)",
               t->cc, machine, t->target);
    return CLI_EXIT_USAGE;
  }
  if (probe_line(t->cc, "--version", o->timeout_s, t->version,
                 sizeof t->version) != 0)
    snprintf(t->version, sizeof t->version, "unknown");
  return CLI_EXIT_OK;
}

static uint32_t online_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (uint32_t)n : 1;
}

/* }==================================================================== */

/* {====================================================================
** Compiling
** ===================================================================== */

/* The build's progress line, on a terminal only (the library prints
** nothing: weft_aot_build_options.progress). */
static void show_progress(void *user, uint32_t done, uint32_t total) {
  (void)user;
  fprintf(stderr, "\rweft: compiling %u/%u chunks%s", (unsigned)done,
          (unsigned)total, done == total ? "\n" : "");
}

/* A piece's translation units: about 64 functions each (the automatic
** count goes by the whole module's size), at least one per compiler. */
static uint32_t piece_chunks(const uint8_t *only, const weft_module *module,
                             uint32_t jobs) {
  weft_module_stats st;
  uint32_t n = 0, chunks;
  weft_module_stats_get(module, &st);
  for (uint32_t i = 0; i < st.funcs; i++)
    n += (only[i / 8] >> (i % 8)) & 1;
  chunks = n / 64 + 1;
  if (chunks < jobs)
    chunks = jobs;
  return chunks > 64 ? 64 : chunks;
}

/* The whole build's wall-clock bound in ms: --compile-timeout as given,
** else the default plus CLI_AOT_TIMEOUT_PER_MIB per MiB of code. */
static uint32_t build_timeout_ms(const struct cli_aot_options *o,
                                 const weft_module *module) {
  weft_module_stats st;
  uint64_t s = o->timeout_s;
  if (s != 0 && !o->timeout_given) {
    weft_module_stats_get(module, &st);
    s += CLI_AOT_TIMEOUT_PER_MIB * (st.code_bytes >> 20);
  }
  return s * 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(s * 1000);
}

/* Runs the compiler into a temporary shared object and reads it back. */
static int build_so(const weft_module *module, const struct toolchain *t,
                    const struct cli_aot_options *o,
                    const uint8_t module_sha256[32], const char *path,
                    uint8_t **so, size_t *so_size, char *limited,
                    size_t limited_size) {
  weft_aot_build_options bo;
  struct saved_signals saved;
  const char *tmpdir = getenv("TMPDIR");
  char so_path[4096];
  weft_error err;
  weft_status s;
  int fd, rc;

  snprintf(so_path, sizeof so_path, "%s/weft-so-XXXXXX.so",
           tmpdir != NULL && *tmpdir ? tmpdir : "/tmp");
  fd = mkstemps(so_path, 3);
  if (fd < 0) {
    cli_errorf("cannot create a temporary file: %s", strerror(errno));
    return CLI_EXIT_USAGE;
  }
  close(fd);
  memset(&bo, 0, sizeof bo);
  bo.cc = t->cc;
  bo.explicit_bounds_checks = t->explicit_checks;
  bo.jobs = o->jobs ? o->jobs : online_cpus();
  bo.progress = isatty(2) ? show_progress : NULL;
  bo.tmp_dir = tmpdir != NULL && *tmpdir ? tmpdir : "/tmp";
  memcpy(bo.module_sha256, module_sha256, 32);
  bo.timeout_ms = build_timeout_ms(o, module);
  bo.cpu_seconds = o->timeout_s;
  bo.memory_bytes = o->memory_bytes;
  bo.cancel = &stop_signal;
  bo.only = o->only;
  bo.opt_flags = o->opt_flags;
  if (o->cpu_limit_only)
    bo.timeout_ms = 0;
  if (o->only != NULL)
    bo.chunks = piece_chunks(o->only, module, bo.jobs);
  memset(&err, 0, sizeof err);
  catch_stop_signals(&saved);
  s = weft_aot_build_so(module, &bo, so_path, &err);
  restore_stop_signals(&saved);
  if (s != WEFT_OK) {
    unlink(so_path);
    if (stop_signal != 0)
      die_of_stop_signal();
    if (s == WEFT_ERR_LIMIT && limited != NULL) {
      snprintf(limited, limited_size, "%s", err.message);
      return CLI_EXIT_LOAD;
    }
    rc = cli_report(path, &err);
    if (s == WEFT_ERR_LIMIT)
      cli_errorf("(raise the compiler's bounds with --compile-timeout "
                 "SECONDS, 0 for none, or --compile-memory BYTES)");
    return rc;
  }
  rc = cli_read_file(so_path, (uint64_t)1 << 40, so, so_size);
  unlink(so_path);
  return rc;
}

int cli_aot_build(const weft_module *module, const uint8_t *wasm,
                  size_t wasm_size, const uint8_t module_sha256[32],
                  const struct toolchain *t, const struct cli_aot_options *o,
                  const uint8_t *key, const char *path, uint8_t **out_bytes,
                  size_t *out_size, char *limited, size_t limited_size) {
  struct cli_artifact a;
  uint8_t *so = NULL;
  size_t so_size = 0;
  int rc;

  if (limited != NULL)
    limited[0] = '\0';
  memset(&a, 0, sizeof a);
  memcpy(a.module_sha256, module_sha256, 32);
  rc = build_so(module, t, o, a.module_sha256, path, &so, &so_size, limited,
                limited_size);
  if (rc != CLI_EXIT_OK)
    return rc;
  a.abi = WEFT_AOT_ABI;
  a.flags = (t->explicit_checks ? CLI_ARTIFACT_EXPLICIT_CHECKS : 0) |
            (t->fuel ? CLI_ARTIFACT_FUEL : 0) |
            (o->only != NULL ? CLI_ARTIFACT_PIECE : 0);
  snprintf(a.target, sizeof a.target, "%s", t->target);
  snprintf(a.weft_version, sizeof a.weft_version, "%s", WEFT_VERSION);
  snprintf(a.weft_build, sizeof a.weft_build, "%s", WEFT_BUILD_ID);
  snprintf(a.cc, sizeof a.cc, "%s", t->cc);
  snprintf(a.cc_version, sizeof a.cc_version, "%s", t->version);
  snprintf(a.cflags, sizeof a.cflags, "%s%s%s", WEFT_AOT_CFLAGS,
           o->opt_flags ? " " : "", o->opt_flags ? o->opt_flags : "");
  a.wasm = wasm;
  a.wasm_size = wasm != NULL ? wasm_size : 0;
  a.so = so;
  a.so_size = so_size;
  rc = cli_artifact_encode(&a, key, out_bytes, out_size);
  free(so);
  if (rc != 0) {
    cli_errorf("%s: out of memory writing the artifact", path);
    return CLI_EXIT_LOAD;
  }
  return CLI_EXIT_OK;
}

int cli_aot_compile(const weft_module *module, const uint8_t *wasm,
                    size_t wasm_size, const struct cli_aot_options *o,
                    const char *path, uint8_t **out_bytes, size_t *out_size) {
  struct toolchain t;
  uint8_t key[CLI_AOT_KEY_SIZE], module_sha256[32];
  char key_path[4200];
  int rc;

  *out_bytes = NULL;
  *out_size = 0;
  if (cli_sha256_of(wasm, wasm_size, module_sha256) != 0) {
    cli_errorf("out of memory");
    return CLI_EXIT_LOAD;
  }
  if (cli_aot_key_get(o->key_file, 1, key, key_path, sizeof key_path) != 0)
    return CLI_EXIT_USAGE;
  rc = cli_aot_resolve(o, &t);
  if (rc == CLI_EXIT_OK)
    rc = cli_aot_probe(&t, o);
  if (rc == CLI_EXIT_OK)
    rc = cli_aot_build(module, wasm, wasm_size, module_sha256, &t, o, key, path,
                       out_bytes, out_size, NULL, 0);
  memset(key, 0, sizeof key);
  return rc;
}

/* }==================================================================== */
