/*
** snap_file.h — the snapshot file of `weft run --snapshot-dir` and `weft
** restore` (docs/snapshot.md): a header naming the module by its SHA-256,
** then sections (the module itself, the CLI's run state, the engine's
** state from weft_snapshot_save, WASI's from weft_wasi_snapshot_save),
** and either a SHA-256 of everything (plain: catches damage, not an
** attacker) or, with a key, AES-256-GCM over the sections under a key
** derived from the given one and the module's hash (shielded: a changed
** byte, or the snapshot presented for another module, fails to open).
*/
#ifndef WEFT_CLI_SNAP_FILE_H
#define WEFT_CLI_SNAP_FILE_H

#include <stddef.h>
#include <stdint.h>

#define SNAP_FILE_VERSION 1
#define SNAP_KEY_BYTES 32

/* The sections, in file order. Pointers into the caller's buffers when
** writing, into the buffer cli_snap_file_read returns when reading. */
struct snap_parts {
  uint8_t module_sha256[32];
  const uint8_t *module; /* the module's bytes */
  size_t module_len;
  const uint8_t *run; /* the CLI's state: cmd_run.c's run section */
  size_t run_len;
  const uint8_t *engine; /* weft_snapshot_save */
  size_t engine_len;
  const uint8_t *wasi; /* weft_wasi_snapshot_save, or NULL */
  size_t wasi_len;
};

/* Builds the file's bytes (module_sha256 is computed here); with `key`
** shielded. Returns 0 with *out (malloc'd) and *out_len, or -1 after
** reporting. */
int cli_snap_file_build(struct snap_parts *parts, const uint8_t *key,
                        uint8_t **out, size_t *out_len);

/* Parses and checks the file in `bytes` (decrypting it in place when
** shielded: `key` must then be given, and a plain file is refused when a
** key is). Every section is checked to lie inside the file, to appear
** once, and the module to hash to the header's SHA-256. Returns 0 and
** fills `parts`, or -1 after reporting why, naming `path`. */
int cli_snap_file_parse(const char *path, uint8_t *bytes, size_t len,
                        const uint8_t *key, struct snap_parts *parts);

/* Reads a snapshot key file: exactly 32 bytes, or 64 hex digits (and an
** optional newline), as --key-file. 0, or -1 after reporting. */
int cli_snap_key_read(const char *path, uint8_t key[SNAP_KEY_BYTES]);

#endif /* WEFT_CLI_SNAP_FILE_H */
