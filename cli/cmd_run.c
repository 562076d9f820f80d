/*
** cmd_run.c — `weft run`: load a module, link its imports (WASI preview 1
** when it imports wasi_snapshot_preview1), instantiate it, then call
** `_start` or the export named by --invoke with arguments parsed from the
** command line, printing the results one per line.
*/
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "aot.h"
#include "attest_run.h"
#include "cli.h"
#include "pfs.h"
#include "pfs_vstore.h"
#include "snapshot.h"
#include "weft_wasi.h"
#include "weft_snapshot.h"
#include "weft_wasi_fs.h"

/* Everything the command line says about one run. */
struct run_options {
  const char *path;   /* the module file */
  const char *invoke; /* export to call, or NULL for _start */
  const char *argv0;  /* --argv0: WASI's argv[0] instead of path */
  const char *name;   /* the module in messages: argv0, else path */
  int seccomp_fd;     /* --seccomp-bpf FD, or -1 */
  int max_memory_set; /* --max-memory was given */
  int argc;           /* ARGS after the file: program arguments */
  char **argv;        /*   (to the invoked function, or WASI's argv) */
  weft_config config; /* engine limits */
  /* --aot, --cache-dir, --allow-precompiled, --aot-key, --compile-* */
  struct cli_run_load load;
  /* WASI */
  weft_wasi_preopen *dirs; /* --dir / --dir-ro, in order */
  char **dir_hosts;        /* the host paths in dirs[], owned */
  uint32_t ndirs;
  const char **env; /* --env, as KEY=VALUE */
  uint32_t nenv;
  int *listen_fds;           /* --tcplisten sockets */
  const char **listen_specs; /* and their ADDR:PORT, for the measurement */
  uint32_t nlisten;
  const char *key_file;           /* --key-file, for --protected-dir */
  uint32_t nprotected;            /* --protected-dir entries among dirs[] */
  uint64_t fuel;                  /* --fuel N (config.fuel_metering set) */
  double deadline;                /* --deadline SECONDS, or 0 */
  struct cli_meter meter;         /* hands out the fuel */
  const char *account;            /* --account FILE, or NULL */
  struct cli_outfile account_out; /* its directory, opened before the run */
  struct cli_attest attest; /* --attest, --verifier-key, --device-dir (also
                               weft:seal's seal.key) */
  /* --version-store FILE [--version-store-strict], for --protected-dir */
  const char *version_store;
  int version_strict;
  weft_pfs_vstore *vstore;
  struct cli_snap snap; /* --snapshot-dir and friends */
  /* weft restore: `path` is a snapshot file, parsed into these */
  int restoring;
  uint8_t *snap_bytes; /* the file, which parts point into */
  size_t snap_len;
  struct snap_parts parts;
  struct snap_run saved; /* its run section */
  void *saved_keep;
  char **saved_specs; /* "HOST::GUEST" of the directories it names */
  uint32_t nsaved_specs;
  const char **dir_names; /* for snapshots: guest, then host, per dir */
  uint8_t *dir_flags;
};

void cli_usage_run(FILE *out) {
  fputs(
      "usage: weft run [OPTIONS] FILE.wasm [--] [ARGS...]\n"
      "\n"
      "Instantiates FILE.wasm, then calls its `_start` export, or the\n"
      "export named by --invoke with ARGS parsed by its parameter types\n"
      "(i32/i64: decimal or 0x hex, may be negative; f32/f64: decimal,\n"
      "nan, inf, -inf). Each result is printed on its own line.\n"
      "\n"
      "A module importing wasi_snapshot_preview1 gets WASI preview 1: its\n"
      "argv is FILE.wasm then ARGS, stdin/stdout/stderr are inherited, and\n"
      "it sees only the directories given with --dir. The exit status is\n"
      "the code given to proc_exit (0 when _start returns).\n"
      "\n"
      "FILE must be a WebAssembly module, binary or in the text format:\n"
      "a file named *.wat, or one that does not start with \\0asm and\n"
      "whose first non-blank character is '(' or ';', is read as text\n"
      "(docs/text-format.md); malformed text is reported as\n"
      "FILE:LINE:COL: message, exit status 2. An artifact from `weft compile`\n"
      "(precompiled native code) runs only with --allow-precompiled, and\n"
      "only when it authenticates with your AoT key; its header is then\n"
      "checked (AoT ABI, target, module hash) and a mismatch is refused\n"
      "with exit status 2 before any code is loaded. Without the flag a\n"
      "file with the artifact magic is refused, whatever its name.\n"
      "\n"
      "options:\n"
      "  --dir HOST[::GUEST]     let the program use directory HOST, named\n"
      "                          GUEST inside (default: HOST as written)\n"
      "  --dir-ro HOST[::GUEST]  the same, read-only (EROFS on changes)\n"
      "  --protected-dir HOST::GUEST  like --dir, but every file below is\n"
      "                          stored encrypted and integrity-protected\n"
      "                          (docs/protected-files.md); needs --key-file\n"
      "  --key-file K            the protected files' master key: 32 raw\n"
      "                          bytes or 64 hex digits\n"
      "  --version-store FILE    anti-rollback for --protected-dir: FILE\n"
      "                          (created if missing, MAC'ed with the key)\n"
      "                          keeps each file's version; opening an\n"
      "                          older copy fails (EIO, \"rollback\n"
      "                          detected\"). Software root of trust: a\n"
      "                          FILE on the same untrusted disk only\n"
      "                          catches a rollback of the directory\n"
      "                          without FILE, not of both together\n"
      "  --version-store-strict  FILE must exist, and a file it does not\n"
      "                          know is refused (default: adopted)\n"
      "  --env KEY=VALUE         set an environment variable (--env KEY:\n"
      "                          pass this process's value of KEY)\n"
      "  --tcplisten ADDR:PORT   listen on a TCP socket, given to the\n"
      "                          program as the fd after the preopens\n"
      "  --allow-precompiled     FILE may be an artifact (native code) made\n"
      "                          with your AoT key\n"
      "  --aot-key FILE          the AoT key (default: $WEFT_AOT_KEY, else\n"
      "                          $XDG_CONFIG_HOME/weft/aot.key or\n"
      "                          ~/.config/weft/aot.key)\n"
      "  --aot                   run compiled code: compile FILE.wasm once\n"
      "                          into the cache, reuse it afterwards\n"
      "  --cache-dir DIR         the --aot cache (default:\n"
      "                          $XDG_CACHE_HOME/weft or ~/.cache/weft); it\n"
      "                          must be yours and writable by you only\n"
      "  --compile-timeout SECONDS  --aot: stop the C compiler after this\n"
      "                          long (default 600, plus 120 per MiB of\n"
      "                          code; 0: no limit) and run\n"
      "                          the module in the interpreter instead\n"
      "  --compile-memory BYTES  --aot: address-space limit of each\n"
      "                          compiler process (default 4G; 0: none)\n"
      "  --aot-tier-bytes BYTES  --aot: a module with this much code or\n"
      "                          more (default 4M) is tiered: it starts in\n"
      "                          the interpreter with the compiled pieces\n"
      "                          the cache holds, and its hot functions\n"
      "                          are compiled after the run, in the\n"
      "                          background, for the next run\n"
      "  --aot-hot N             tiering: a function is hot after N\n"
      "                          interpreted calls and loop back-edges\n"
      "                          (default 10000)\n"
      "  --aot-wait              tiering: compile the hot functions before\n"
      "                          weft exits, not in the background\n"
      "  --explicit-bounds-checks  --aot with bounds checked in the code\n"
      "                          (default: guard pages on 64-bit hosts)\n"
      "  --invoke NAME           call the exported function NAME (after\n"
      "                          `_initialize` when exported: a reactor)\n"
      "  --argv0 NAME            the program's argv[0] (default: FILE as\n"
      "                          written), also FILE's name in messages\n"
      "  --seccomp-bpf FD        before instantiating, install the classic\n"
      "                          BPF seccomp filter read from descriptor FD\n"
      "                          (weft-oci passes its allow-list this way)\n"
      "  --max-memory BYTES      limit each linear memory (K/M/G suffixes;\n"
      "                          32-bit memories stop at 4G; memory64\n"
      "                          default 16G, at most 128T)\n"
      "  --max-call-depth N      limit nested Wasm calls\n"
      "  --max-table-elems N     limit each table's size\n"
      "  --max-module-size BYTES refuse larger module files\n"
      "  --fuel N                meter fuel: each basic block costs its\n"
      "                          Wasm instruction count, bulk memory and\n"
      "                          table operations and memory.grow also their\n"
      "                          length, WASI path lookups 1000 each; trap\n"
      "                          \"out of fuel\" when N runs out (the same\n"
      "                          count in the interpreter and compiled code,\n"
      "                          on any ISA)\n"
      "  --deadline SECONDS      stop the program (trap \"interrupted\") once\n"
      "                          it has run this long, wall clock; uses fuel\n"
      "                          metering (with --aot, metered code)\n"
      "  --account FILE          write a JSON record of the run (fuel used,\n"
      "                          memory pages, wall and CPU time, exit "
      "status,\n"
      "                          bytes read/written per stdio and preopen);\n"
      "                          with a device, also FILE.sig signed by it\n"
      "  --attest HOST:PORT      before running, attest to the verifier there\n"
      "                          and receive a secret (docs/attestation.md)\n"
      "  --verifier-key V.pub    the verifier's public key, pinned\n"
      "  --device-dir DIR        the device (weft provision): signs evidence\n"
      "                          and the --account record; its seal.key is\n"
      "                          weft:seal's root key (docs/sealing.md)\n"
      "  --key-from-attestation  the released secret is the --protected-dir\n"
      "                          key (instead of --key-file)\n"
      "  --snapshot-dir DIR      allow snapshots (docs/snapshot.md): on\n"
      "                          SIGUSR1 save the program's state to\n"
      "                          DIR/snapshot.weft at the next safe point\n"
      "                          and stop (exit status 0); continue it with\n"
      "                          'weft restore', here or on another machine\n"
      "                          of any ISA. Uses fuel metering; not with\n"
      "                          --aot\n"
      "  --snapshot-at-fuel N    save once N fuel is used, then stop\n"
      "  --snapshot-continue     SIGUSR1 / --snapshot-at-fuel save and go on\n"
      "                          (SIGUSR2 always does: a checkpoint)\n"
      "  --checkpoint-every S    save every S seconds and go on\n"
      "  --snapshot-key K        shield snapshots: AES-256-GCM under K (32\n"
      "                          raw bytes or 64 hex digits), bound to the\n"
      "                          module; restore needs the same K\n",
      out);
}

void cli_usage_restore(FILE *out) {
  fputs("usage: weft restore [OPTIONS] SNAPSHOT\n"
        "\n"
        "Continues the program saved in SNAPSHOT (weft run --snapshot-dir)\n"
        "where it stopped: same memory, call stack, open files and fuel; its\n"
        "output continues on this process's stdout and stderr, and the exit\n"
        "status is the program's. The module is in the snapshot. Directories\n"
        "are those of the saved run unless --dir / --dir-ro map the guest\n"
        "names to other host directories (every guest name the snapshot\n"
        "uses must be given then). Open files are reopened by guest path\n"
        "and offset; a file whose size or modification time changed, or that\n"
        "vanished, is refused. A shielded snapshot needs --snapshot-key.\n"
        "The --snapshot-* options of 'weft run' take further snapshots;\n"
        "--snapshot-at-fuel counts the fuel of the whole run.\n"
        "\n"
        "options: --dir, --dir-ro, --env is not used (the environment is\n"
        "saved), --max-memory, --max-call-depth, --max-table-elems,\n"
        "--account, --snapshot-dir, --snapshot-at-fuel, --snapshot-continue,\n"
        "--checkpoint-every, --snapshot-key: as for 'weft run'.\n",
        out);
}

/* Returns the value of option `name` at argv[*i] ("--name V" or
** "--name=V"), advancing *i past it; NULL when argv[*i] is not that option.
** Sets *missing when the option has no value. */
static const char *option_value(int argc, char **argv, int *i, const char *name,
                                int *missing) {
  const char *arg = argv[*i];
  size_t n = strlen(name);

  if (strncmp(arg, name, n) != 0)
    return NULL;
  if (arg[n] == '=') {
    return arg + n + 1;
  }
  if (arg[n] != '\0')
    return NULL;
  if (*i + 1 >= argc) {
    *missing = 1;
    return NULL;
  }
  *i += 1;
  return argv[*i];
}

static int bad_option_value(const char *option, const char *value) {
  cli_errorf("invalid value '%s' for %s", value, option);
  return CLI_EXIT_USAGE;
}

/* --dir HOST[::GUEST]: GUEST defaults to HOST as written (wasmtime). */
static int add_dir(struct run_options *opt, const char *spec, int read_only) {
  weft_wasi_preopen *p;
  const char *sep = strstr(spec, "::");
  char *host, **hosts;

  p = realloc(opt->dirs, (opt->ndirs + 1) * sizeof *opt->dirs);
  hosts = realloc(opt->dir_hosts, (opt->ndirs + 1) * sizeof *hosts);
  if (p != NULL)
    opt->dirs = p;
  if (hosts != NULL)
    opt->dir_hosts = hosts;
  if (p == NULL || hosts == NULL) {
    cli_errorf("out of memory");
    return -1;
  }
  p = &opt->dirs[opt->ndirs];
  memset(p, 0, sizeof *p);
  host = strdup(spec);
  if (host == NULL) {
    cli_errorf("out of memory");
    return -1;
  }
  if (sep != NULL) {
    host[sep - spec] = '\0';
    p->guest_path = sep + 2;
  } else {
    p->guest_path = spec;
  }
  if (host[0] == '\0' || p->guest_path[0] == '\0') {
    cli_errorf("invalid value '%s' for %s", spec,
               read_only ? "--dir-ro" : "--dir");
    free(host);
    return -1;
  }
  p->host_path = host;
  p->read_only = read_only;
  opt->dir_hosts[opt->ndirs++] = host;
  return 0;
}

/* --env KEY=VALUE, or --env KEY to pass this process's value. */
static int add_env(struct run_options *opt, const char *spec) {
  const char **e;
  const char *value = spec;

  if (spec[0] == '=' || spec[0] == '\0') {
    cli_errorf("invalid value '%s' for --env", spec);
    return -1;
  }
  if (strchr(spec, '=') == NULL) {
    const char *host = getenv(spec);
    size_t n = strlen(spec), m;
    char *kv;
    if (host == NULL)
      return 0; /* not set here: not set there */
    m = strlen(host);
    kv = malloc(n + m + 2);
    if (kv == NULL) {
      cli_errorf("out of memory");
      return -1;
    }
    memcpy(kv, spec, n);
    kv[n] = '=';
    memcpy(kv + n + 1, host, m + 1);
    value = kv; /* lives until exit */
  }
  e = realloc(opt->env, (opt->nenv + 1) * sizeof *opt->env);
  if (e == NULL) {
    cli_errorf("out of memory");
    return -1;
  }
  opt->env = e;
  opt->env[opt->nenv++] = value;
  return 0;
}

static int add_listener(struct run_options *opt, const char *spec) {
  int *fds, fd = cli_tcp_listen(spec);
  const char **specs;

  if (fd < 0)
    return -1;
  fds = realloc(opt->listen_fds, (opt->nlisten + 1) * sizeof *fds);
  if (fds != NULL)
    opt->listen_fds = fds;
  specs = realloc(opt->listen_specs, (opt->nlisten + 1) * sizeof *specs);
  if (specs != NULL)
    opt->listen_specs = specs;
  if (fds == NULL || specs == NULL) {
    cli_errorf("out of memory");
    return -1;
  }
  opt->listen_specs[opt->nlisten] = spec;
  opt->listen_fds[opt->nlisten++] = fd;
  return 0;
}

/* Protected preopens: one weft_pfs each (so messages name the preopen),
** all under the master key read from --key-file. */
static void report_protected(void *user, const char *path, const char *what) {
  const char *guest = user;
  fflush(stdout);
  fprintf(stderr, "weft: protected file '%s%s%s': %s\n", guest,
          guest[0] && guest[strlen(guest) - 1] != '/' ? "/" : "", path, what);
}

/* key: the master key (from attestation), or NULL to read --key-file. */
static int setup_protected(struct run_options *opt, const uint8_t *key) {
  weft_pfs_config cfg;
  uint8_t *bytes = NULL;
  size_t size = 0;
  uint32_t i;
  int rc = 0;

  if (opt->nprotected == 0) {
    if (opt->key_file != NULL || opt->version_store != NULL)
      cli_errorf("--key-file and --version-store are only used with "
                 "--protected-dir");
    return opt->key_file != NULL || opt->version_store != NULL ? -1 : 0;
  }
  if (opt->version_strict && opt->version_store == NULL) {
    cli_errorf("--version-store-strict needs --version-store FILE");
    return -1;
  }
  if ((opt->key_file == NULL) == (key == NULL)) {
    cli_errorf("--protected-dir needs --key-file K (32 raw bytes or 64 hex "
               "digits) or --key-from-attestation, not both");
    return -1;
  }
  memset(&cfg, 0, sizeof cfg);
  if (key != NULL)
    memcpy(cfg.key, key, sizeof cfg.key);
  else if (cli_read_file(opt->key_file, 4096, &bytes, &size) != CLI_EXIT_OK)
    return -1;
  if (key == NULL && weft_pfs_parse_key(bytes, size, cfg.key) != 0) {
    cli_errorf("--key-file %s: not a key (want 32 raw bytes or 64 hex "
               "digits, got %zu bytes)",
               opt->key_file, size);
    rc = -1;
  }
  if (bytes != NULL)
    memset(bytes, 0, size);
  free(bytes);
  if (rc == 0 && opt->version_store != NULL) {
    char err[256];
    if (weft_pfs_vstore_open(opt->version_store, cfg.key, !opt->version_strict,
                             &opt->vstore, err, sizeof err) != 0) {
      cli_errorf("--version-store %s: %s", opt->version_store, err);
      rc = -1;
    }
  }
  cfg.freshness_strict = opt->version_strict;
  cfg.report = report_protected;
  for (i = 0; i < opt->ndirs && rc == 0; i++) {
    weft_pfs *pfs = NULL;
    weft_pfs_freshness fresh;
    if (opt->dirs[i].fs != weft_pfs_fs())
      continue;
    cfg.report_user = (void *)(uintptr_t)opt->dirs[i].guest_path;
    cfg.mount = opt->dirs[i].guest_path; /* binds its files to it */
    /* One store for every protected preopen, by guest path. */
    cfg.freshness = NULL;
    if (opt->vstore != NULL &&
        weft_pfs_vstore_bind(opt->vstore, opt->dirs[i].guest_path, &fresh) == 0)
      cfg.freshness = &fresh;
    if ((opt->vstore != NULL && cfg.freshness == NULL) ||
        weft_pfs_new(&cfg, &pfs) != 0) {
      cli_errorf("--protected-dir: cannot set up (out of memory, or no "
                 "random numbers)");
      rc = -1;
    }
    opt->dirs[i].fs_user = pfs;
  }
  memset(cfg.key, 0, sizeof cfg.key);
  return rc;
}

static void free_options(struct run_options *opt) {
  uint32_t i;
  for (i = 0; i < opt->ndirs; i++)
    if (opt->dirs[i].fs == weft_pfs_fs())
      weft_pfs_free(opt->dirs[i].fs_user);
  weft_pfs_vstore_free(opt->vstore); /* after the last commit */
  for (i = 0; i < opt->ndirs; i++)
    free(opt->dir_hosts[i]);
  free(opt->dir_hosts);
  free(opt->dirs);
  free(opt->env);
  free(opt->listen_fds);
  free(opt->listen_specs);
  cli_outfile_close(&opt->account_out);
  cli_attest_free(&opt->attest);
  cli_snap_close(&opt->snap);
  cli_snap_run_free(opt->saved_keep);
  for (i = 0; i < opt->nsaved_specs; i++)
    free(opt->saved_specs[i]);
  free(opt->saved_specs);
  free(opt->snap_bytes);
  free(opt->dir_names);
  free(opt->dir_flags);
}

/* Snapshots and restores run interpreted code with fuel metering (the
** positions of a snapshot are in metered code); a fuel budget the
** command line does not set is unlimited. */
static int check_snapshot_options(struct run_options *opt) {
  if (!opt->snap.dir && !opt->restoring)
    return 0;
  if (opt->load.aot || opt->load.allow_precompiled) {
    cli_errorf("snapshots need the interpreter: the frames of compiled code "
               "(--aot, artifacts) cannot be saved (docs/snapshot.md)");
    return -1;
  }
  if (opt->restoring && (opt->attest.addr || opt->nlisten || opt->nenv ||
                         opt->config.fuel_metering)) {
    cli_errorf("restore: --attest, --tcplisten, --env, --fuel and --deadline "
               "are not taken (the snapshot has the environment and the "
               "fuel budget)");
    return -1;
  }
  if (!opt->config.fuel_metering)
    opt->fuel = UINT64_MAX;
  opt->config.fuel_metering = 1;
  return 0;
}

/* Options come before FILE; everything after FILE (an optional `--`
** first) belongs to the program. */
static int parse_options(int argc, char **argv, struct run_options *opt,
                         int restoring) {
  int i;

  memset(opt, 0, sizeof *opt);
  opt->restoring = restoring;
  opt->account_out.dirfd = -1;
  opt->seccomp_fd = -1;
  opt->snap.dirfd = -1;
  weft_config_default(&opt->config);
  cli_aot_options_default(&opt->load.compile);
  opt->load.tier_bytes = CLI_AOT_TIER_BYTES_DEFAULT;
  opt->load.tier_hot = CLI_AOT_TIER_HOT_DEFAULT;
  for (i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *v;
    int missing = 0, shared;

    if (strcmp(arg, "--") == 0) {
      i++;
      break;
    }
    if (arg[0] != '-' || arg[1] == '\0')
      break;
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      if (restoring)
        cli_usage_restore(stdout);
      else
        cli_usage_run(stdout);
      return -1;
    }
    shared = cli_snap_parse_option(argc, argv, &i, &opt->snap);
    if (shared < 0)
      return CLI_EXIT_USAGE;
    if (shared > 0)
      continue;
    if (strcmp(arg, "--key-from-attestation") == 0) {
      opt->attest.key_from_attestation = 1;
      continue;
    }
    if (strcmp(arg, "--allow-precompiled") == 0) {
      opt->load.allow_precompiled = 1;
      continue;
    }
    shared = cli_aot_parse_option(argc, argv, &i, &opt->load.compile);
    if (shared < 0)
      return CLI_EXIT_USAGE;
    if (shared > 0)
      continue;
    if (strcmp(arg, "--aot") == 0 ||
        strcmp(arg, "--explicit-bounds-checks") == 0) {
      opt->load.aot = 1;
      opt->load.explicit_checks |= arg[2] == 'e';
      continue;
    }
    if ((v = option_value(argc, argv, &i, "--invoke", &missing)) != NULL) {
      opt->invoke = v;
    } else if ((v = option_value(argc, argv, &i, "--argv0", &missing))) {
      opt->argv0 = v;
    } else if ((v = option_value(argc, argv, &i, "--seccomp-bpf", &missing))) {
      uint32_t fd;
      if (cli_parse_u32(v, &fd) != 0 || fd > INT32_MAX)
        return bad_option_value("--seccomp-bpf", v);
      opt->seccomp_fd = (int)fd;
    } else if ((v = option_value(argc, argv, &i, "--cache-dir", &missing))) {
      opt->load.cache_dir = v;
    } else if (strcmp(arg, "--aot-wait") == 0) {
      opt->load.tier_wait = 1;
    } else if ((v = option_value(argc, argv, &i, "--aot-tier-bytes",
                                 &missing))) {
      if (cli_parse_size(v, &opt->load.tier_bytes) != 0)
        return bad_option_value("--aot-tier-bytes", v);
    } else if ((v = option_value(argc, argv, &i, "--aot-hot", &missing))) {
      if (cli_parse_u64(v, &opt->load.tier_hot) != 0 || opt->load.tier_hot == 0)
        return bad_option_value("--aot-hot", v);
    } else if ((v = option_value(argc, argv, &i, "--dir", &missing))) {
      if (add_dir(opt, v, 0) != 0)
        return CLI_EXIT_USAGE;
    } else if ((v = option_value(argc, argv, &i, "--dir-ro", &missing))) {
      if (add_dir(opt, v, 1) != 0)
        return CLI_EXIT_USAGE;
    } else if ((v = option_value(argc, argv, &i, "--protected-dir",
                                 &missing))) {
      if (strstr(v, "::") == NULL) {
        cli_errorf("--protected-dir wants HOST::GUEST, got '%s'", v);
        return CLI_EXIT_USAGE;
      }
      if (add_dir(opt, v, 0) != 0)
        return CLI_EXIT_USAGE;
      opt->dirs[opt->ndirs - 1].fs = weft_pfs_fs();
      opt->nprotected++;
    } else if ((v = option_value(argc, argv, &i, "--key-file", &missing))) {
      opt->key_file = v;
    } else if (strcmp(arg, "--version-store-strict") == 0) {
      opt->version_strict = 1;
    } else if ((v = option_value(argc, argv, &i, "--version-store",
                                 &missing))) {
      opt->version_store = v;
    } else if ((v = option_value(argc, argv, &i, "--env", &missing))) {
      if (add_env(opt, v) != 0)
        return CLI_EXIT_USAGE;
    } else if ((v = option_value(argc, argv, &i, "--tcplisten", &missing))) {
      if (add_listener(opt, v) != 0)
        return CLI_EXIT_USAGE;
    } else if ((v = option_value(argc, argv, &i, "--max-memory", &missing))) {
      if (cli_parse_size(v, &opt->config.max_memory_bytes) != 0)
        return bad_option_value("--max-memory", v);
      /* one limit for every memory; the engine caps each kind's */
      opt->config.max_memory64_bytes = opt->config.max_memory_bytes;
      opt->max_memory_set = 1;
    } else if ((v = option_value(argc, argv, &i, "--max-call-depth",
                                 &missing))) {
      if (cli_parse_u32(v, &opt->config.max_call_depth) != 0 ||
          opt->config.max_call_depth == 0)
        return bad_option_value("--max-call-depth", v);
    } else if ((v = option_value(argc, argv, &i, "--max-table-elems",
                                 &missing))) {
      if (cli_parse_u32(v, &opt->config.max_table_elems) != 0)
        return bad_option_value("--max-table-elems", v);
    } else if ((v = option_value(argc, argv, &i, "--fuel", &missing))) {
      if (cli_parse_u64(v, &opt->fuel) != 0)
        return bad_option_value("--fuel", v);
      opt->config.fuel_metering = 1;
    } else if ((v = option_value(argc, argv, &i, "--deadline", &missing))) {
      char *end;
      opt->deadline = strtod(v, &end);
      if (end == v || *end != '\0' || !(opt->deadline > 0) ||
          opt->deadline > 1e9)
        return bad_option_value("--deadline", v);
      if (!opt->config.fuel_metering)
        opt->fuel = UINT64_MAX; /* metering for the deadline only */
      opt->config.fuel_metering = 1;
    } else if ((v = option_value(argc, argv, &i, "--account", &missing))) {
      opt->account = v;
    } else if ((v = option_value(argc, argv, &i, "--attest", &missing))) {
      opt->attest.addr = v;
    } else if ((v = option_value(argc, argv, &i, "--verifier-key", &missing))) {
      opt->attest.verifier_key = v;
    } else if ((v = option_value(argc, argv, &i, "--device-dir", &missing))) {
      opt->attest.device_dir = v;
    } else if ((v = option_value(argc, argv, &i, "--max-module-size",
                                 &missing))) {
      if (cli_parse_size(v, &opt->config.max_module_bytes) != 0)
        return bad_option_value("--max-module-size", v);
    } else if (missing) {
      cli_errorf("option %s needs a value", arg);
      return CLI_EXIT_USAGE;
    } else {
      cli_errorf("unknown option '%s' (try 'weft help run')", arg);
      return CLI_EXIT_USAGE;
    }
    if (missing) {
      cli_errorf("option %s needs a value", arg);
      return CLI_EXIT_USAGE;
    }
  }
  if (i >= argc) {
    cli_errorf(restoring ? "restore: missing SNAPSHOT (try 'weft help "
                           "restore')"
                         : "run: missing FILE.wasm (try 'weft help run')");
    return CLI_EXIT_USAGE;
  }
  if (restoring && i + 1 != argc) {
    cli_errorf("restore: give one SNAPSHOT and no program arguments (they "
               "are in the snapshot)");
    return CLI_EXIT_USAGE;
  }
  if (check_snapshot_options(opt) != 0 || cli_snap_setup(&opt->snap) != 0)
    return CLI_EXIT_USAGE;
  /* With --key-from-attestation the key comes after the handshake. */
  if (!opt->attest.key_from_attestation && setup_protected(opt, NULL) != 0)
    return CLI_EXIT_USAGE;
  /* Before the program runs, so it cannot redirect the directory. */
  if (opt->account != NULL &&
      cli_outfile_open(opt->account, &opt->account_out) != 0)
    return CLI_EXIT_USAGE;
  opt->path = argv[i++];
  opt->name = opt->argv0 != NULL ? opt->argv0 : opt->path;
  if (i < argc && strcmp(argv[i], "--") == 0)
    i++;
  opt->argc = argc - i;
  opt->argv = argv + i;
  return CLI_EXIT_OK;
}

static int imports_wasi(const weft_module *module) {
  uint32_t i, n = weft_module_import_count(module);
  for (i = 0; i < n; i++) {
    weft_import_info info;
    weft_module_import(module, i, &info);
    if (strcmp(info.module, "wasi_snapshot_preview1") == 0)
      return 1;
  }
  return 0;
}

/* Defines host imports into the linker before instantiation: WASI
** preview 1 when the module imports it (argv = FILE then ARGS, --env,
** --dir, --tcplisten, inherited stdio). *out_wasi is freed by the caller. */
static int define_host_imports(weft_engine *engine, weft_linker *linker,
                               const struct run_options *opt,
                               const weft_module *module,
                               weft_wasi **out_wasi) {
  weft_wasi_config cfg;
  weft_error err;
  const char **argv;
  int i, rc = CLI_EXIT_OK;

  *out_wasi = NULL;
  if (!imports_wasi(module)) {
    if (opt->ndirs != 0 || opt->nenv != 0 || opt->nlisten != 0)
      cli_errorf("warning: %s does not import WASI; --dir/--env/--tcplisten "
                 "are ignored",
                 opt->name);
    return CLI_EXIT_OK;
  }
  argv = malloc(((size_t)opt->argc + 1) * sizeof *argv);
  if (argv == NULL) {
    cli_errorf("out of memory");
    return CLI_EXIT_LOAD;
  }
  argv[0] = opt->argv0 != NULL ? opt->argv0 : opt->path;
  for (i = 0; i < opt->argc; i++)
    argv[i + 1] = opt->argv[i];
  /* Test knob: WEFT_WASI_NO_OPENAT2=1 makes WASI resolve every path with
  ** its own component walk, as on kernels without openat2. */
  if (getenv("WEFT_WASI_NO_OPENAT2") != NULL) {
    static weft_wasi_fs walk_only;
    walk_only = *weft_wasi_fs_host();
    walk_only.open_beneath = NULL;
    for (uint32_t d = 0; d < opt->ndirs; d++)
      if (opt->dirs[d].fs == NULL) /* protected dirs always walk */
        opt->dirs[d].fs = &walk_only;
  }
  weft_wasi_config_default(&cfg);
  cfg.argv = argv;
  cfg.argc = (uint32_t)opt->argc + 1;
  cfg.env = opt->env;
  cfg.envc = opt->nenv;
  cfg.preopens = opt->dirs;
  cfg.npreopens = opt->ndirs;
  cfg.sockets = opt->listen_fds;
  cfg.nsockets = opt->nlisten;
  memset(&err, 0, sizeof err);
  if (weft_wasi_new(engine, &cfg, out_wasi, &err) != WEFT_OK ||
      weft_wasi_define(*out_wasi, linker, &err) != WEFT_OK) {
    cli_errorf("%s", err.message);
    rc = err.status == WEFT_ERR_ARG ? CLI_EXIT_USAGE : CLI_EXIT_LOAD;
  }
  free(argv);
  /* A closed pipe must give the program EPIPE, not kill weft. */
  signal(SIGPIPE, SIG_IGN);
  return rc;
}

/* Prints "name, name, ..." of the exported functions. */
static void list_exported_funcs(FILE *out, const weft_module *module) {
  uint32_t i, n = weft_module_export_count(module), shown = 0;

  for (i = 0; i < n; i++) {
    weft_export_info info;
    weft_module_export(module, i, &info);
    if (info.kind != WEFT_EXTERN_FUNC)
      continue;
    fprintf(out, "%s%s", shown ? ", " : "", info.name);
    shown++;
  }
  if (shown == 0)
    fputs("(none)", out);
}

static void print_types(FILE *out, const weft_valtype *types, uint32_t n) {
  uint32_t i;
  fputc('(', out);
  for (i = 0; i < n; i++)
    fprintf(out, "%s%s", i ? ", " : "", cli_valtype_name(types[i]));
  fputc(')', out);
}

/* Finds the function to call: --invoke NAME or `_start`. */
static int find_entry(const struct run_options *opt, const weft_module *module,
                      weft_instance *instance, weft_func **out_func) {
  weft_extern ext;
  const char *name = opt->invoke != NULL ? opt->invoke : "_start";

  if (weft_instance_export(instance, name, &ext) != WEFT_OK) {
    fflush(stdout);
    if (opt->invoke != NULL)
      fprintf(stderr,
              "weft: %s: no export named '%s'; exported functions: ", opt->name,
              name);
    else
      fprintf(stderr,
              "weft: %s: no '_start' function to run; use --invoke NAME with "
              "one of the exported functions: ",
              opt->name);
    list_exported_funcs(stderr, module);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
  }
  if (ext.kind != WEFT_EXTERN_FUNC) {
    cli_errorf("%s: export '%s' is a %s, not a function", opt->name, name,
               cli_extern_kind_name(ext.kind));
    return CLI_EXIT_USAGE;
  }
  *out_func = ext.of.func;
  return CLI_EXIT_OK;
}

/* The WASI application ABI: a reactor (a module exporting `_initialize`)
** has that function called once, before any other export, to run its C
** constructors; wasmtime and Node do the same. Only with --invoke: a
** command has `_start`, which initializes by itself. */
static int call_initialize(weft_engine *engine, const struct run_options *opt,
                           weft_instance *instance, int *ended) {
  weft_extern ext;
  const weft_valtype *params, *results;
  uint32_t nparams, nresults;
  weft_error err;

  *ended = 0;
  if (opt->invoke == NULL || strcmp(opt->invoke, "_initialize") == 0 ||
      weft_instance_export(instance, "_initialize", &ext) != WEFT_OK ||
      ext.kind != WEFT_EXTERN_FUNC)
    return CLI_EXIT_OK;
  weft_func_type(ext.of.func, &params, &nparams, &results, &nresults);
  if (nparams != 0 || nresults != 0) {
    cli_errorf("%s: '_initialize' must take and return nothing (WASI "
               "reactor ABI)",
               opt->name);
    return CLI_EXIT_USAGE;
  }
  memset(&err, 0, sizeof err);
  if (weft_func_call(engine, ext.of.func, NULL, 0, NULL, 0, &err) != WEFT_OK) {
    *ended = 1; /* a trap, or proc_exit (even 0) in a constructor */
    return cli_report(opt->name, &err);
  }
  return CLI_EXIT_OK;
}

/* Calls `func`, with opt->argv as arguments when invoked by name, and
** prints its results. */
static int call_entry(weft_engine *engine, const struct run_options *opt,
                      weft_func *func) {
  const weft_valtype *params, *results;
  uint32_t nparams, nresults, i;
  weft_val *args = NULL, *vals = NULL;
  weft_error err;
  const char *name = opt->invoke != NULL ? opt->invoke : "_start";
  int nargs = opt->invoke != NULL ? opt->argc : 0;
  int rc = CLI_EXIT_OK;

  weft_func_type(func, &params, &nparams, &results, &nresults);
  if (opt->restoring)
    nargs = (int)nparams; /* the call was made before the snapshot */
  if ((uint32_t)nargs != nparams) {
    fflush(stdout);
    fprintf(stderr, "weft: %s: '%s' expects %u argument%s ", opt->name, name,
            nparams, nparams == 1 ? "" : "s");
    print_types(stderr, params, nparams);
    fprintf(stderr, ", got %d\n", nargs);
    return CLI_EXIT_USAGE;
  }
  args = calloc(nparams ? nparams : 1, sizeof *args);
  vals = calloc(nresults ? nresults : 1, sizeof *vals);
  if (args == NULL || vals == NULL) {
    cli_errorf("out of memory");
    rc = CLI_EXIT_LOAD;
    goto done;
  }
  for (i = 0; i < nparams && !opt->restoring; i++) {
    if (cli_parse_val(opt->argv[i], params[i], &args[i]) != 0) {
      cli_errorf("argument %u of '%s': '%s' is not a valid %s", i + 1, name,
                 opt->argv[i], cli_valtype_name(params[i]));
      rc = CLI_EXIT_USAGE;
      goto done;
    }
  }
  memset(&err, 0, sizeof err);
  weft_status st =
      opt->restoring
          ? weft_snapshot_resume(engine, vals, nresults, &err)
          : weft_func_call(engine, func, args, nparams, vals, nresults, &err);
  if (st != WEFT_OK) {
    /* Stopped for a snapshot: reported by cmd_run, not a trap. */
    if (!opt->snap.stopped)
      rc = cli_report(opt->name, &err);
    goto done;
  }
  for (i = 0; i < nresults; i++) {
    cli_print_val(stdout, &vals[i]);
    fputc('\n', stdout);
  }
done:
  free(args);
  free(vals);
  return rc;
}

/* The --account record: what the run consumed, as one JSON object. */
static void print_account(FILE *f, const struct run_options *opt,
                          weft_engine *engine, weft_instance *instance,
                          const weft_wasi *wasi,
                          const struct cli_clock *started, int status,
                          const char *key_id) {
  struct cli_clock now;
  weft_extern mem;
  uint64_t pages = 0;

  if (instance != NULL &&
      weft_instance_export(instance, "memory", &mem) == WEFT_OK &&
      mem.kind == WEFT_EXTERN_MEMORY)
    pages = weft_memory_size(mem.of.memory) / 65536;
  cli_clock_now(&now);
  fputs("{\n  \"module\": \"", f);
  for (const char *p = opt->name; *p; p++) /* JSON string escapes */
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if ((unsigned char)*p < 0x20)
      fprintf(f, "\\u%04x", (unsigned)(unsigned char)*p);
    else
      fputc(*p, f);
  fputs("\",\n", f);
  if (opt->config.fuel_metering) {
    if (opt->fuel == UINT64_MAX) /* --deadline alone: no fuel limit */
      fputs("  \"fuel_limit\": null,\n", f);
    else
      fprintf(f, "  \"fuel_limit\": %llu,\n", (unsigned long long)opt->fuel);
    fprintf(f, "  \"fuel_used\": %llu,\n",
            (unsigned long long)cli_meter_used(&opt->meter, engine));
  }
  cli_account_io(f, wasi, opt->dirs, opt->ndirs);
  fprintf(f,
          "  \"memory_pages\": %llu,\n  \"wall_seconds\": %.6f,\n"
          "  \"cpu_seconds\": %.6f,\n  \"exit_status\": %d,\n"
          "  \"signed\": %s,\n%s%s%s"
          "  \"root_of_trust\": \"software (no TEE on this machine)\"\n}\n",
          (unsigned long long)pages, cli_clock_wall_since(started, &now),
          cli_clock_cpu_since(started, &now), status,
          key_id != NULL ? "true" : "false",
          key_id != NULL ? "  \"key_id\": \"" : "",
          key_id != NULL ? key_id : "", key_id != NULL ? "\",\n" : "");
}

/* --account: the record is built in memory, written through the directory
** opened before the program ran (cli_outfile: a symlink the program
** planted at FILE or FILE.sig is replaced, not followed), and the
** signature covers exactly the bytes written. */
static int write_account(const struct run_options *opt, weft_engine *engine,
                         weft_instance *instance, const weft_wasi *wasi,
                         const struct cli_clock *started, int status) {
  char key_id[80], *record = NULL;
  size_t len = 0;
  int rc, sign = cli_attest_account_key(&opt->attest, key_id, sizeof key_id);
  FILE *f = sign < 0 ? NULL : open_memstream(&record, &len);

  if (sign < 0)
    return -1;
  if (f == NULL) {
    cli_errorf("--account %s: out of memory", opt->account);
    return -1;
  }
  print_account(f, opt, engine, instance, wasi, started, status,
                sign ? key_id : NULL);
  if (fclose(f) != 0) {
    cli_errorf("--account %s: out of memory", opt->account);
    free(record);
    return -1;
  }
  rc = cli_outfile_write(&opt->account_out, "", record, len, 0644);
  if (rc == 0 && sign)
    rc = cli_attest_sign_account(&opt->attest, (const uint8_t *)record, len,
                                 &opt->account_out);
  free(record);
  return rc;
}

/* A program that failed after --max-memory refused one of its
** memory.grow calls most likely failed because of it (malloc returned
** NULL, and the program aborted or exited): say so, since the trap or
** exit status alone ("unreachable", 1) does not. */
static void note_memory_limit(const struct run_options *opt,
                              weft_instance *instance, int rc) {
  weft_extern mem;
  uint64_t size, limit = opt->config.max_memory_bytes;

  if (rc == CLI_EXIT_OK || !opt->max_memory_set || instance == NULL ||
      weft_instance_export(instance, "memory", &mem) != WEFT_OK ||
      mem.kind != WEFT_EXTERN_MEMORY)
    return;
  size = weft_memory_size(mem.of.memory);
  if (weft_memory_limit_refused(mem.of.memory))
    cli_errorf("%s: memory.grow past --max-memory was refused (memory %llu "
               "bytes, limit %llu): the program most likely ran out of "
               "memory",
               opt->name, (unsigned long long)size, (unsigned long long)limit);
}

/* --attest: the handshake before anything is instantiated; then the
** released secret may key the protected dirs. */
static int run_attestation(struct run_options *opt, const weft_module *module) {
  struct cli_attest_inputs in;
  memset(&in, 0, sizeof in);
  in.module = module;
  in.code_sha256 = opt->load.has_code ? opt->load.code_sha256 : NULL;
  in.explicit_checks = opt->load.explicit_checks;
  in.config = &opt->config;
  in.invoke = opt->invoke;
  in.argc = opt->argc;
  in.argv = opt->argv;
  in.env = opt->env;
  in.nenv = opt->nenv;
  in.dirs = opt->dirs;
  in.ndirs = opt->ndirs;
  in.listen = opt->listen_specs;
  in.nlisten = opt->nlisten;
  in.fuel = opt->fuel;
  in.deadline = opt->deadline;
  in.version_store = opt->version_store == NULL ? 0 : 1 + opt->version_strict;
  int rc = cli_attest_run(&opt->attest, &in);
  if (rc == CLI_EXIT_OK && opt->attest.key_from_attestation &&
      setup_protected(opt, opt->attest.secret) != 0)
    rc = CLI_EXIT_USAGE;
  return rc;
}

/* weft restore: read and check the snapshot, take its run section, map
** its directories (unless --dir gave them), and load its module. */
static int load_snapshot(struct run_options *opt, weft_engine **engine,
                         weft_module **module) {
  const uint8_t *key = NULL;
  int rc =
      cli_read_file(opt->path, UINT64_MAX, &opt->snap_bytes, &opt->snap_len);
  if (rc != CLI_EXIT_OK)
    return rc;
  if (opt->snap.key_file)
    key = opt->snap.key;
  if (cli_snap_file_parse(opt->path, opt->snap_bytes, opt->snap_len, key,
                          &opt->parts) != 0 ||
      cli_snap_run_decode(opt->path, opt->parts.run, opt->parts.run_len,
                          &opt->saved, &opt->saved_keep) != 0)
    return CLI_EXIT_LOAD;
  opt->invoke = opt->saved.invoke;
  opt->fuel = opt->saved.fuel_budget == UINT64_MAX
                  ? UINT64_MAX
                  : opt->saved.fuel_budget - opt->saved.fuel_used;
  if (opt->ndirs == 0 && opt->saved.ndirs) {
    opt->saved_specs = calloc(opt->saved.ndirs, sizeof *opt->saved_specs);
    if (!opt->saved_specs)
      return CLI_EXIT_LOAD;
    for (uint32_t i = 0; i < opt->saved.ndirs; i++) {
      const char *h = opt->saved.host[i], *g = opt->saved.guest[i];
      if (opt->saved.flags[i] & SNAP_DIR_PROTECTED) {
        cli_errorf("%s: the program had protected directory '%s': map it "
                   "with --protected-dir HOST::%s and --key-file",
                   opt->path, g, g);
        return CLI_EXIT_USAGE;
      }
      char *spec = malloc(strlen(h) + strlen(g) + 3);
      if (!spec)
        return CLI_EXIT_LOAD;
      sprintf(spec, "%s::%s", h, g);
      opt->saved_specs[opt->nsaved_specs++] = spec;
      if (add_dir(opt, spec, opt->saved.flags[i] & SNAP_DIR_RO) != 0)
        return CLI_EXIT_USAGE;
    }
  }
  return cli_load_module_bytes(&opt->config, opt->path, opt->parts.module,
                               opt->parts.module_len, engine, module);
}

/* Restore the saved instance (instead of instantiating) and WASI state. */
static int restore_state(struct run_options *opt, weft_engine *engine,
                         weft_linker *linker, weft_module *module,
                         weft_wasi *wasi, weft_instance **instance,
                         weft_func **func) {
  weft_error err;
  memset(&err, 0, sizeof err);
  if (weft_snapshot_restore(engine, linker, module, opt->parts.engine,
                            opt->parts.engine_len, instance, &err) != WEFT_OK)
    return cli_report(opt->path, &err);
  if ((wasi != NULL) != (opt->parts.wasi != NULL)) {
    cli_errorf("%s: the snapshot's WASI state does not fit its module",
               opt->path);
    return CLI_EXIT_LOAD;
  }
  if (wasi && weft_wasi_snapshot_restore(wasi, opt->parts.wasi,
                                         opt->parts.wasi_len, &err) != WEFT_OK)
    return cli_report(opt->path, &err);
  *func = weft_snapshot_entry(engine);
  return CLI_EXIT_OK;
}

/* What the snapshot controller needs before the program runs. */
static int arm_snapshots(struct run_options *opt, weft_engine *engine,
                         weft_instance *instance, weft_wasi *wasi,
                         weft_module *module) {
  struct cli_snap *s = &opt->snap;
  if (!cli_snap_enabled(s))
    return CLI_EXIT_OK;
  opt->dir_names = calloc(2 * (size_t)opt->ndirs + 1, sizeof(char *));
  opt->dir_flags = calloc((size_t)opt->ndirs + 1, 1);
  if (!opt->dir_names || !opt->dir_flags) {
    cli_errorf("out of memory");
    return CLI_EXIT_LOAD;
  }
  for (uint32_t i = 0; i < opt->ndirs; i++) {
    opt->dir_names[i] = opt->dirs[i].guest_path;
    opt->dir_names[opt->ndirs + i] = opt->dirs[i].host_path;
    opt->dir_flags[i] =
        (uint8_t)((opt->dirs[i].read_only ? SNAP_DIR_RO : 0) |
                  (opt->dirs[i].fs == weft_pfs_fs() ? SNAP_DIR_PROTECTED : 0));
  }
  s->run.ndirs = opt->ndirs;
  s->run.guest = opt->dir_names;
  s->run.host = opt->dir_names + opt->ndirs;
  s->run.flags = opt->dir_flags;
  s->engine = engine;
  s->meter = &opt->meter;
  s->instance = instance;
  s->wasi = wasi;
  s->module = weft_module_bytes(module, &s->module_len);
  s->run.invoke = opt->invoke;
  s->run.fuel_budget = opt->restoring && opt->saved.fuel_budget != UINT64_MAX
                           ? opt->saved.fuel_budget
                           : opt->fuel;
  if (wasi)
    weft_wasi_set_block_hook(wasi, cli_snap_blocked, s);
  return CLI_EXIT_OK;
}

static int run_or_restore(int argc, char **argv, int restoring);

int cmd_run(int argc, char **argv) { return run_or_restore(argc, argv, 0); }

int cmd_restore(int argc, char **argv) { return run_or_restore(argc, argv, 1); }

static int run_or_restore(int argc, char **argv, int restoring) {
  struct run_options opt;
  weft_engine *engine = NULL;
  weft_module *module = NULL;
  weft_linker *linker = NULL;
  weft_instance *instance = NULL;
  weft_func *func = NULL;
  int init_ended = 0;
  weft_wasi *wasi = NULL;
  void *code = NULL; /* compiled code, released after the engine */
  struct seal_host *seal = NULL;
  weft_error err;
  struct cli_clock started;
  int rc;

  cli_clock_now(&started);
  rc = parse_options(argc, argv, &opt, restoring);
  if (rc < 0) {
    free_options(&opt);
    return CLI_EXIT_OK; /* --help */
  }
  if (rc != CLI_EXIT_OK) {
    free_options(&opt);
    return rc;
  }
  opt.load.want_code_hash = opt.attest.addr != NULL;
  opt.load.tier_no_compile = opt.seccomp_fd >= 0;
  if (restoring)
    rc = load_snapshot(&opt, &engine, &module);
  else
    rc = cli_load_for_run(&opt.config, opt.path, &opt.load, &engine, &module,
                          &code);
  if (rc != CLI_EXIT_OK) {
    cli_aot_tier_release(&opt.load);
    free_options(&opt);
    return rc;
  }
  rc = run_attestation(&opt, module);
  if (rc != CLI_EXIT_OK)
    goto done;
  /* Before start functions run; a --deadline counts from here. */
  if (opt.config.fuel_metering &&
      cli_meter_start(&opt.meter, engine, opt.fuel, opt.deadline, &opt.snap,
                      restoring ? opt.saved.fuel_used : 0) != 0) {
    cli_errorf("--deadline: cannot set a timer: %s", strerror(errno));
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  memset(&err, 0, sizeof err);
  if (weft_linker_new(engine, &linker, &err) != WEFT_OK) {
    rc = cli_report(opt.name, &err);
    goto done;
  }
  rc = define_host_imports(engine, linker, &opt, module, &wasi);
  if (rc == CLI_EXIT_OK)
    rc = cli_attest_define(&opt.attest, engine, linker, module);
  if (rc == CLI_EXIT_OK)
    rc = cli_seal_setup(engine, linker, module, opt.path, opt.attest.device_dir,
                        &seal);
  if (rc != CLI_EXIT_OK)
    goto done;
  /* Every file and socket is open by now; the filter allows only what
  ** running the program needs (weft-oci's allow-list). */
  if (opt.seccomp_fd >= 0 && cli_seccomp_load(opt.seccomp_fd) != 0) {
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  memset(&err, 0, sizeof err);
  if (restoring) {
    rc = restore_state(&opt, engine, linker, module, wasi, &instance, &func);
  } else if (weft_instantiate(linker, module, &instance, &err) != WEFT_OK) {
    rc = cli_report(opt.name, &err);
  } else if (opt.load.tier != NULL &&
             weft_instance_count_hits(instance, &err) != WEFT_OK) {
    rc = cli_report(opt.name, &err); /* the tiering profile */
  } else {
    rc = find_entry(&opt, module, instance, &func);
    if (rc == CLI_EXIT_OK) /* a restored program ran it before */
      rc = call_initialize(engine, &opt, instance, &init_ended);
  }
  if (rc != CLI_EXIT_OK || init_ended)
    goto done;
  rc = arm_snapshots(&opt, engine, instance, wasi, module);
  if (rc != CLI_EXIT_OK)
    goto done;
  rc = call_entry(engine, &opt, func);
  if (opt.snap.stopped) {
    fflush(stdout);
    fprintf(stderr, "weft: %s: stopped; snapshot saved to %s/%s\n", opt.name,
            opt.snap.dir, CLI_SNAP_NAME);
    rc = CLI_EXIT_OK;
  } else if (opt.snap.failed && rc == CLI_EXIT_OK) {
    rc = CLI_EXIT_USAGE; /* a checkpoint was lost: reported */
  }
  cli_meter_stop(&opt.meter); /* the program is done: no alarm now */
  note_memory_limit(&opt, instance, rc);
done:
  fflush(stdout);
  /* The hot functions into the cache, in the background (aot_tier.c). */
  if (opt.load.tier != NULL && instance != NULL &&
      cli_aot_tier_after_run(&opt.load, module, instance) != CLI_EXIT_OK &&
      rc == CLI_EXIT_OK)
    rc = CLI_EXIT_LOAD;
  if (opt.meter.deadline_hit)
    cli_errorf("%s: stopped: the --deadline of %g s passed", opt.name,
               opt.deadline);
  if (opt.account != NULL && engine != NULL &&
      write_account(&opt, engine, instance, wasi, &started, rc) != 0 &&
      rc == CLI_EXIT_OK)
    rc = CLI_EXIT_USAGE;
  if (linker != NULL)
    weft_linker_free(linker);
  weft_wasi_free(wasi);
  cli_seal_free(seal);
  weft_module_free(module);
  weft_engine_free(engine);
  weft_aot_unload(code);
  cli_aot_tier_release(&opt.load);
  free_options(&opt);
  return rc;
}
