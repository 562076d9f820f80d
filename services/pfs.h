/*
** pfs.h — protected files: a weft_wasi_fs that stores every regular file
** below one preopen encrypted and integrity-protected (AES-256-GCM nodes in
** a Merkle tree, the file bound to its path in the preopen, a recovery
** journal in the file's tail). It sits on another weft_wasi_fs (the host's
** by default) and never touches storage any other way. The on-disk format
** and the threat model are in docs/protected-files.md.
**
** Uses the public headers only (include/), plus mbed TLS for the crypto.
** Nothing here prints: integrity failures are returned to the program as
** EIO and described to the embedder through `report`.
*/
#ifndef WEFT_PFS_H
#define WEFT_PFS_H

#include <stddef.h>
#include <stdint.h>

#include "weft_wasi_fs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_PFS_KEY_BYTES 32

/* Called when a protected file fails a check (or was recovered from its
** journal): `path` is relative to the preopen, `what` says what failed. */
typedef void (*weft_pfs_report_fn)(void *user, const char *path,
                                   const char *what);

/* Optional anti-rollback store (the freshness store): keeps, per file id,
** the highest version committed. get() returns 0 and sets *out_version
** (0 when the store has never seen the id); advance() records a higher
** version and returns 0 once it is durable. Non-zero means failure. */
typedef struct weft_pfs_freshness {
  int (*get)(void *user, const uint8_t file_id[16], uint64_t *out_version);
  int (*advance)(void *user, const uint8_t file_id[16], uint64_t version);
  void *user;
} weft_pfs_freshness;

typedef struct weft_pfs_config {
  uint8_t key[WEFT_PFS_KEY_BYTES]; /* master key; copied, caller may wipe */
  const weft_wasi_fs *inner;       /* storage; NULL: weft_wasi_fs_host() */
  void *inner_user;
  weft_pfs_report_fn report; /* may be NULL */
  void *report_user;
  const weft_pfs_freshness *freshness; /* NULL: no rollback protection */
} weft_pfs_config;

typedef struct weft_pfs weft_pfs;

/* 0 on success; -1 when out of memory or the random generator fails. */
int weft_pfs_new(const weft_pfs_config *config, weft_pfs **out_pfs);
/* After every weft_wasi that uses it has been freed. Wipes the keys. */
void weft_pfs_free(weft_pfs *pfs);

/* The file operations; a preopen sets fs = weft_pfs_fs() and
** fs_user = the weft_pfs. */
const weft_wasi_fs *weft_pfs_fs(void);

/* Parses a key file's contents: 32 raw bytes, or 64 hex digits with
** optional surrounding whitespace. 0 on success. */
int weft_pfs_parse_key(const uint8_t *bytes, size_t len,
                       uint8_t out_key[WEFT_PFS_KEY_BYTES]);

#ifdef __cplusplus
}
#endif
#endif /* WEFT_PFS_H */
