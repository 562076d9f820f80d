/*
** pfs_fresh.c — anti-rollback: how a protected file meets the freshness
** store (weft_pfs_freshness in pfs.h). The store maps a file's path in the
** preopen to (file id, version); the version is the commit count kept in
** the file's authenticated metadata node, so only the key holder can make
** a higher one.
**
** Order, so that a crash never makes a consistent file unopenable: the
** file commits first and the store follows. The store may therefore lag
** behind the file (a crash between the two, or a run without the store),
** never lead it; an open accepts any version >= the store's and raises
** the store to it. A version below the store's, or another file id under
** the same name, is a rollback. A new file is recorded at version 0
** before its first commit, so it is never unknown to the store.
*/
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pfs_internal.h"

static weft_wasi_errno store_failed(struct weft_pfs *pfs, const char *path,
                                    const char *op) {
  char msg[96];
  snprintf(msg, sizeof msg, "the version store cannot be %s", op);
  pfs_report(pfs, path, msg);
  return WEFT_WASI_EIO;
}

static weft_wasi_errno rollback(struct pfs_file *f, const char *why) {
  char msg[256];
  snprintf(msg, sizeof msg, "rollback detected: %s", why);
  pfs_report(f->pfs, f->path, msg);
  return WEFT_WASI_EIO;
}

weft_wasi_errno pfs_fresh_check(struct pfs_file *f, const char *other) {
  const weft_pfs_freshness *fr = &f->pfs->fresh;
  uint8_t id[16];
  uint64_t v = 0;
  bool moved = false;
  int rc;

  if (!f->pfs->has_fresh)
    return WEFT_WASI_ESUCCESS;
  rc = fr->get(fr->user, f->path, id, &v);
  if (rc == 1 && other[0] != '\0') {
    /* A rename was cut short after the host rename: the store may still
    ** know the file under its other bound name. */
    rc = fr->get(fr->user, other, id, &v);
    if (rc == 0 && pfs_ct_differ(id, f->uuid, 16))
      rc = 1; /* that name belongs to another file */
    moved = rc == 0;
  }
  if (rc < 0)
    return store_failed(f->pfs, f->path, "read");
  if (rc == 1) {
    if (f->pfs->fresh_strict)
      return rollback(f, "the version store does not know this file "
                         "(strict mode: a deleted file restored, or one "
                         "written without the store?)");
    /* Not strict: adopt the file as it is (trust on first use). */
    if (fr->set(fr->user, f->path, f->uuid, f->version) != 0)
      return store_failed(f->pfs, f->path, "updated");
    return WEFT_WASI_ESUCCESS;
  }
  if (pfs_ct_differ(id, f->uuid, 16))
    return rollback(f, "the version store holds another file under this "
                       "name (an older or deleted copy put back?)");
  if (f->version < v) {
    char why[128];
    snprintf(why, sizeof why,
             "the file is at version %" PRIu64
             ", the version store has seen %" PRIu64,
             f->version, v);
    return rollback(f, why);
  }
  if (moved && fr->rename(fr->user, other, f->path) != 0)
    return store_failed(f->pfs, f->path, "updated");
  if (f->version > v && fr->set(fr->user, f->path, f->uuid, f->version) != 0)
    return store_failed(f->pfs, f->path, "updated");
  return WEFT_WASI_ESUCCESS;
}

weft_wasi_errno pfs_fresh_created(struct pfs_file *f) {
  const weft_pfs_freshness *fr = &f->pfs->fresh;
  if (f->pfs->has_fresh && fr->set(fr->user, f->path, f->uuid, 0) != 0)
    return store_failed(f->pfs, f->path, "updated");
  return WEFT_WASI_ESUCCESS;
}

weft_wasi_errno pfs_fresh_committed(struct pfs_file *f) {
  const weft_pfs_freshness *fr = &f->pfs->fresh;
  /* During a rename the host file still has its old name (alt_path). */
  const char *where = f->alt_path[0] != '\0' ? f->alt_path : f->path;
  if (f->pfs->has_fresh && fr->set(fr->user, where, f->uuid, f->version) != 0)
    return store_failed(f->pfs, f->path, "updated");
  return WEFT_WASI_ESUCCESS;
}

weft_wasi_errno pfs_fresh_unlinked(struct weft_pfs *pfs, const char *path) {
  if (pfs->has_fresh && pfs->fresh.remove(pfs->fresh.user, path) != 0)
    return store_failed(pfs, path, "updated");
  return WEFT_WASI_ESUCCESS;
}

weft_wasi_errno pfs_fresh_renamed(struct weft_pfs *pfs, const char *from,
                                  const char *to) {
  if (pfs->has_fresh && pfs->fresh.rename(pfs->fresh.user, from, to) != 0)
    return store_failed(pfs, to, "updated");
  return WEFT_WASI_ESUCCESS;
}
