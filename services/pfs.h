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

/* Optional anti-rollback store (the freshness store): remembers, for each
** protected file, its file id and the version (commit count) it last
** committed. It is keyed by the file's path relative to the preopen (its
** path binding), so an older copy of a file, or a deleted file restored
** under its old name, is told apart from the current one. A TEE backs it
** with RPMB or a monotonic counter; services/pfs_vstore.h offers a
** MAC'ed store file. Every callback returns -1 on failure:
**   get     0 and *file_id, *version when `path` is known; 1 when not
**   set     records (file_id, version) for `path` durably; 0
**   remove  forgets `path` (0 also when it was not known)
**   rename  moves the record of `from` to `to`, replacing to's (0 also
**           when `from` was not known) */
typedef struct weft_pfs_freshness {
  int (*get)(void *user, const char *path, uint8_t file_id[16],
             uint64_t *version);
  int (*set)(void *user, const char *path, const uint8_t file_id[16],
             uint64_t version);
  int (*remove)(void *user, const char *path);
  int (*rename)(void *user, const char *from, const char *to);
  void *user;
} weft_pfs_freshness;

typedef struct weft_pfs_config {
  uint8_t key[WEFT_PFS_KEY_BYTES]; /* master key; copied, caller may wipe */
  /* The preopen's name as the program sees it (the CLI: GUEST of
  ** --protected-dir); NULL is "". Every key of the preopen is derived from
  ** the master key and this name, so a file copied from one protected
  ** preopen to another fails authentication. */
  const char *mount;
  const weft_wasi_fs *inner; /* storage; NULL: weft_wasi_fs_host() */
  void *inner_user;
  weft_pfs_report_fn report; /* may be NULL */
  void *report_user;
  const weft_pfs_freshness *freshness; /* NULL: no rollback protection */
  /* With a store: an existing file the store does not know is refused
  ** (EIO) instead of being adopted (recorded as it is). */
  int freshness_strict;
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
