/*
** cli.h — shared pieces of the `weft` command-line tool: exit statuses,
** file loading, value parsing and printing. The CLI is a client of
** include/weft.h only; it never includes src/ headers.
*/
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "weft.h"

/* Exit statuses (documented in README.md). A program that ends through
** WASI proc_exit exits with its own code instead. */
#define CLI_EXIT_OK 0    /* success */
#define CLI_EXIT_USAGE 1 /* bad command line, or the file cannot be read */
#define CLI_EXIT_LOAD                                                          \
  2                     /* module malformed/invalid/unsupported, link or       \
                           instantiation error, other library errors */
#define CLI_EXIT_TRAP 3 /* execution trapped (also in the start function) */

#if defined(__GNUC__) || defined(__clang__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* Subcommands: each gets argv without the program name (argv[0] is the
** subcommand) and returns the process exit status. */
int cmd_run(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_sign(int argc, char **argv);
void cli_usage_run(FILE *out);
void cli_usage_restore(FILE *out);
void cli_usage_validate(FILE *out);
void cli_usage_inspect(FILE *out);
void cli_usage_compile(FILE *out);
void cli_usage_sign(FILE *out);

/* weft run and sealing (run_seal.c, docs/sealing.md): refuses a module
** whose weft.sig does not verify; when it imports weft:seal, reads the
** device's seal.key (device_dir, NULL: the default) and defines weft:seal
** in the linker. Reports problems; returns the exit status. *out is freed
** with cli_seal_free after the run. */
struct seal_host;
int cli_seal_setup(weft_engine *engine, weft_linker *linker,
                   const weft_module *module, const char *path,
                   const char *device_dir, struct seal_host **out);
void cli_seal_free(struct seal_host *host);

/* Writes the --account record's "io" member (account_io.c): bytes read
** and written per stdio stream and per preopen; [] without WASI. */
struct weft_wasi;
struct weft_wasi_preopen;
void cli_account_io(FILE *f, const struct weft_wasi *wasi,
                    const struct weft_wasi_preopen *dirs, uint32_t ndirs);
/* Attestation (docs/attestation.md): cmd_provision.c, cmd_verifier.c. */
int cmd_provision(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_verifier(int argc, char **argv);
int cmd_verify_account(int argc, char **argv);
void cli_usage_provision(FILE *out);
void cli_usage_keygen(FILE *out);
void cli_usage_verifier(FILE *out);
void cli_usage_verify_account(FILE *out);

/* "weft: <message>\n" on stderr. */
void cli_errorf(const char *fmt, ...) CLI_PRINTF(1, 2);

/* Files (file_io.c). */
/* Reads a whole file into a malloc'd buffer. The file is opened without
** blocking and checked before anything is read: a FIFO, device, socket or
** directory is refused. Reports problems (missing, unreadable, not a
** regular file, larger than max_bytes) and returns CLI_EXIT_USAGE;
** CLI_EXIT_OK on success. */
/* Text modules (text_load.c): whether the file is in the text format, and
** its conversion in place (the buffer is replaced by the binary; errors
** are reported as "path:LINE:COL: message" and give CLI_EXIT_LOAD). */
int cli_is_text_module(const char *path, const uint8_t *bytes, size_t size);
int cli_text_to_binary(const char *path, uint8_t **bytes, size_t *size);
int cmd_wast(int argc, char **argv);
int cmd_wat2wasm(int argc, char **argv);
void cli_usage_wast(FILE *out);
void cli_usage_wat2wasm(FILE *out);

int cli_read_file(const char *path, uint64_t max_bytes, uint8_t **out_bytes,
                  size_t *out_size);
/* The same for an open descriptor (not closed); `path` names it in
** messages. */
int cli_read_fd(int fd, const char *path, uint64_t max_bytes,
                uint8_t **out_bytes, size_t *out_size);
/* Writes all of `bytes` to `fd`; 0, or -1 with errno. */
int cli_write_all(int fd, const uint8_t *bytes, size_t size);
/* Fills `out` from the kernel's random source; 0, or -1. */
int cli_random(void *out, size_t size);
/* Writes `name` in the directory `dirfd` through a new temporary file
** there (O_EXCL, never following a link) with permissions `mode`. With
** out_existed NULL the file replaces `name` by a rename (a planted link
** is replaced, never followed); otherwise it is linked only when `name`
** does not exist, and *out_existed says it did. `label` names the file in
** messages. Reports problems; returns CLI_EXIT_OK or CLI_EXIT_USAGE. */
int cli_write_at(int dirfd, const char *label, const char *name,
                 const uint8_t *bytes, size_t size, unsigned mode,
                 int *out_existed);
/* mkdir -p with mode 0700 for the directories it creates; 0 or -1. */
int cli_make_dirs(const char *dir);
/* Refuses a file or directory weft is to trust that is of the wrong kind,
** not owned by this user, or writable by group or others: -1 with the
** reason in `why`; 0 when it may be trusted. */
struct stat;
int cli_check_private(const struct stat *st, int is_dir, char *why,
                      size_t why_size);
/* Creates `dir` (mode 0700) if missing and opens it, refusing a symbolic
** link and anything cli_check_private refuses; `what` says what it is for
** in messages. Returns the descriptor, or -1 after reporting. */
int cli_open_private_dir(const char *dir, const char *what);

/* A host output file (outfile.c): its directory is opened by
** cli_outfile_open, when the output is named; cli_outfile_write then
** creates NAME+suffix through that directory (a fresh O_EXCL|O_NOFOLLOW
** temporary, renamed over the name), so a symlink planted at the name is
** replaced, never followed. Both report problems and return 0 or -1. */
struct cli_outfile {
  int dirfd;        /* the directory, or -1 */
  char name[256];   /* the file's name in it */
  const char *path; /* as given, for messages */
};
int cli_outfile_open(const char *path, struct cli_outfile *out);
int cli_outfile_write(const struct cli_outfile *o, const char *suffix,
                      const void *bytes, size_t size, unsigned mode);
void cli_outfile_close(struct cli_outfile *o);
/* cli_outfile_open + write + close: for an output named and written at
** once. */
int cli_write_output(const char *path, const void *bytes, size_t size,
                     unsigned mode);
/* cli_write_output with mode 0644, returning CLI_EXIT_OK or
** CLI_EXIT_USAGE (compile -o, sign -o). */
int cli_write_file_atomic(const char *path, const uint8_t *bytes, size_t size);

/* Creates an engine with `config` (NULL: defaults), reads `path` and loads
** it. On failure reports "weft: <path>: ..." and returns the exit status;
** *out_engine is then NULL. `out_file_size` may be NULL. */
int cli_load_module(const weft_config *config, const char *path,
                    weft_engine **out_engine, weft_module **out_module,
                    size_t *out_file_size);

/* Loads a module from bytes already read from `path` (cli_load_module
** without the read); a weft AoT artifact is refused as not a module. */
int cli_load_module_bytes(const weft_config *config, const char *path,
                          const uint8_t *bytes, size_t size,
                          weft_engine **out_engine, weft_module **out_module);

/* Reports a library error about `path` (or about nothing when NULL) and
** returns the matching exit status. Traps print "weft: trap: <message>". */
int cli_report(const char *path, const weft_error *err);
/* The exit status for a library error. */
int cli_exit_status(const weft_error *err);

const char *cli_status_name(weft_status status);
const char *cli_valtype_name(weft_valtype type);
const char *cli_extern_kind_name(weft_extern_kind kind);

/* Parses a byte count: decimal or 0x hex, optional K/M/G suffix (powers of
** 1024). Returns 0 on success, -1 when malformed or out of range. */
int cli_parse_size(const char *text, uint64_t *out);
/* Parses a decimal or 0x hex count that fits in 32 (64) bits. */
int cli_parse_u32(const char *text, uint32_t *out);
int cli_parse_u64(const char *text, uint64_t *out);

/* A moment in wall-clock and process CPU time, for measuring a run. */
struct cli_clock {
  double wall, cpu; /* seconds */
};
void cli_clock_now(struct cli_clock *out);
double cli_clock_wall_since(const struct cli_clock *start,
                            const struct cli_clock *now);
double cli_clock_cpu_since(const struct cli_clock *start,
                           const struct cli_clock *now);

/* Fuel for one run (meter.c): the --fuel budget, handed out in slices
** when a --deadline is set so the wall clock is checked between them. */
struct cli_snap; /* snapshot.h */
struct cli_meter {
  uint64_t budget;         /* --fuel N, less what was used before a restore */
  uint64_t unhanded;       /* budget not yet given to the engine */
  uint64_t used_before;    /* fuel used before a restore */
  double deadline_seconds; /* > 0: stop the program after this long */
  struct cli_clock started;
  int deadline_hit;      /* the program was stopped by the deadline */
  struct cli_snap *snap; /* snapshots polled between slices, or NULL */
};
/* Sets the engine's fuel (with a deadline or snapshots, its fuel hook; with
** a deadline, a last-resort alarm); the deadline counts from here. `snap`
** (NULL: none) is polled between slices; used_before is the fuel a
** restored program used before its snapshot. Returns 0, or -1 when the
** alarm cannot be set. */
int cli_meter_start(struct cli_meter *m, weft_engine *engine, uint64_t fuel,
                    double deadline_seconds, struct cli_snap *snap,
                    uint64_t used_before);
/* Disarms the last-resort alarm once the program has returned. */
void cli_meter_stop(struct cli_meter *m);
/* Fuel consumed so far, counting what was used before a restore: exact,
** with or without a deadline. */
uint64_t cli_meter_used(const struct cli_meter *m, const weft_engine *engine);

/* Parses `text` as a value of `type`: i32/i64 decimal or 0x hex, with an
** optional sign (unsigned spellings up to 2^N-1 are accepted and wrap);
** f32/f64 as C floats plus "nan", "inf", "-inf", "nan:0xPAYLOAD"; refs
** only as "null"; v128 as for cli_parse_v128 (a malformed v128 is also
** reported on stderr with the reason). Returns 0 on success, -1 otherwise. */
int cli_parse_val(const char *text, weft_valtype type, weft_val *out);
/* Parses a v128 written as ONE string "i32x4 A B C D": four 32-bit lanes,
** lane 0 first, single spaces between, each decimal or 0x hex below 2^32.
** Fills out[16] in memory order (lane k little-endian at bytes 4k..4k+3).
** Returns 0, or -1 with the reason in why. */
int cli_parse_v128(const char *text, uint8_t out[16], char *why,
                   size_t why_size);
/* Prints a value as a plain number: signed decimal integers, floats as
** the shortest %g spelling that reads back exactly (at most %.9g / %.17g),
** "nan" / "inf" with their sign, "null" / "ref" for references, a v128 as
** "i32x4 0x%08x 0x%08x 0x%08x 0x%08x" (lane 0 first; reads back with
** cli_parse_val). No newline. */
void cli_print_val(FILE *out, const weft_val *val);

/* Opens a listening TCP socket on "HOST:PORT" ("[V6]:PORT" too); returns
** its descriptor, or -1 after reporting why not. */
int cli_tcp_listen(const char *spec);

/* seccomp_bpf.c: reads a classic BPF program (struct sock_filter array)
** from fd, closes fd, sets no_new_privs and installs the program as this
** process's seccomp filter. Reports problems; returns 0 or -1. */
int cli_seccomp_load(int fd);

#endif /* WEFT_CLI_H */
