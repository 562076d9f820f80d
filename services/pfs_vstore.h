/*
** pfs_vstore.h — a freshness store (weft_pfs_freshness, pfs.h) kept in one
** file: the (file id, version) of every protected file, keyed by a
** namespace (the CLI uses the preopen's guest path) and the file's path,
** authenticated with HMAC-SHA256 under a key derived from the master key
** (HKDF, info "weft-pfs v1 version store key") and rewritten atomically
** (temporary file, fsync, rename, fsync of the directory) at every change.
**
** Its root of trust is software: a store on the same disk as the
** protected directory detects a rollback of the directory (or of some of
** its files) without the store, not a rollback of both together. Put it
** where the adversary cannot roll it back, or back the interface with
** RPMB, a TPM or a remote counter instead. Format: docs/protected-files.md.
** One process at a time: the store holds a lock file (FILE.lock).
*/
#ifndef WEFT_PFS_VSTORE_H
#define WEFT_PFS_VSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "pfs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_pfs_vstore weft_pfs_vstore;

/* Opens the store at `file`, or creates an empty one when it does not
** exist and `may_create`. 0 on success; -1 with a one-line reason in err
** (missing, failed authentication, malformed, in use, I/O). */
int weft_pfs_vstore_open(const char *file,
                         const uint8_t key[WEFT_PFS_KEY_BYTES], int may_create,
                         weft_pfs_vstore **out, char *err, size_t err_len);
/* Fills `out` with callbacks that use the records of namespace `ns`; they
** stay valid until weft_pfs_vstore_free. 0 on success, -1: no memory. */
int weft_pfs_vstore_bind(weft_pfs_vstore *s, const char *ns,
                         weft_pfs_freshness *out);
/* Number of records (all namespaces). */
size_t weft_pfs_vstore_count(const weft_pfs_vstore *s);
/* After every weft_pfs that uses it has been freed. */
void weft_pfs_vstore_free(weft_pfs_vstore *s);

#ifdef __cplusplus
}
#endif
#endif /* WEFT_PFS_VSTORE_H */
