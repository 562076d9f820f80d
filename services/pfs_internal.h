/*
** pfs_internal.h — what pfs_file.c (format, tree, cache, journal) and
** pfs_fs.c (the weft_wasi_fs table) share. The byte layout is described
** in docs/protected-files.md; the constants here are that document's.
*/
#ifndef WEFT_PFS_INTERNAL_H
#define WEFT_PFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfs.h"
#include "pfs_crypto.h"

/* Little-endian fields of the on-disk formats (nodes, journal, store). */
static inline void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}
static inline void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static inline void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline uint16_t get16(const uint8_t *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}

#define PFS_NODE 4096u        /* every node on disk, and its plaintext */
#define PFS_DATA_PER_MHT 96u  /* data-node records in one MHT node */
#define PFS_MHT_PER_MHT 32u   /* child-MHT records in one MHT node */
#define PFS_REC 32u           /* one record: nonce 12, tag 16, flags 4 */
#define PFS_GROUP 97u         /* physical nodes per MHT node + its data */
#define PFS_HDR 64u           /* plain header of the metadata node */
#define PFS_PATH_MAX 1984u    /* bytes of each path field in the metadata */
#define PFS_CACHE_SLOTS 4096u /* data nodes cached per open file */
#define PFS_CACHE_WAYS 8u     /* set-associative: ways per set */
#define PFS_JTRAILER 88u      /* bytes of the journal trailer */

/* A record: how to decrypt one child node. */
struct pfs_rec {
  uint8_t nonce[PFS_NONCE_BYTES];
  uint8_t tag[PFS_TAG_BYTES];
  uint32_t flags; /* PFS_REC_PRESENT, or 0: the node is all zeros */
};
#define PFS_REC_PRESENT 1u

/* A cached node: plaintext of one data or MHT node. */
struct pfs_node {
  uint64_t index; /* data-node number, or MHT-node number */
  uint64_t used;  /* data nodes: the file's tick at the last use */
  bool dirty;
  uint8_t plain[PFS_NODE];
};

/* One protected file, shared by every handle open on it (keyed by the
** host's device and inode numbers). */
struct pfs_file {
  struct weft_pfs *pfs;
  struct pfs_file *next; /* in pfs->files */
  int refs;
  uint64_t dev, ino;
  weft_wasi_file *h; /* inner handle (read-write when `writable`) */
  bool writable;
  uint8_t lock; /* held on h across processes: 0, 1 shared, 2 exclusive */
  bool broken;  /* a write to storage failed: state unknown, all EIO */
  char path[PFS_PATH_MAX + 1];     /* bound path, relative to the preopen */
  char alt_path[PFS_PATH_MAX + 1]; /* during a rename: the old path */
  uint8_t uuid[16];
  struct pfs_aead *aead; /* K_file */
  uint8_t jkey[32];      /* K_journal */
  uint64_t size;         /* logical size */
  uint64_t version;      /* commits so far */
  uint64_t disk_nodes;   /* physical nodes the committed state needs */
  struct pfs_rec root;   /* record of MHT node 0 */
  bool meta_dirty;
  struct pfs_node **mht; /* loaded MHT nodes, by number */
  uint64_t mht_cap;
  struct pfs_node *cache[PFS_CACHE_SLOTS]; /* data nodes, by sets */
  uint64_t tick;                           /* counts cache uses */
  uint8_t *io; /* one node of ciphertext (scratch) */
};

struct weft_pfs {
  const weft_wasi_fs *inner;
  void *inner_user;
  uint8_t key[WEFT_PFS_KEY_BYTES]; /* K_preopen (master key + mount name) */
  struct pfs_rng *rng;
  weft_pfs_report_fn report;
  void *report_user;
  weft_pfs_freshness fresh; /* copied from the config */
  bool has_fresh, fresh_strict;
  struct pfs_file *files;
};

void pfs_report(struct weft_pfs *pfs, const char *path, const char *what);

/* Opens the protected file behind inner handle `h` (ownership passes to
** the pfs_file, or h is closed on error) or finds it already open.
** `path` is relative to the preopen. `writable`: h is read-write;
** `writer`: the caller will write (it then holds the file's exclusive
** lock, otherwise a shared one, when the inner fs has locks; EBUSY while
** another process holds a conflicting one). `may_init`: an empty host
** file becomes an empty protected file (the open asked to create). */
weft_wasi_errno pfs_file_acquire(struct weft_pfs *pfs, weft_wasi_file *h,
                                 bool writable, bool writer, const char *path,
                                 bool may_init, struct pfs_file **out);
/* Drops one reference; the last one flushes and frees. */
weft_wasi_errno pfs_file_release(struct pfs_file *f);

weft_wasi_errno pfs_file_read(struct pfs_file *f, uint64_t off, uint8_t *buf,
                              size_t len, size_t *out_n);
weft_wasi_errno pfs_file_write(struct pfs_file *f, uint64_t off,
                               const uint8_t *buf, size_t len);
weft_wasi_errno pfs_file_set_size(struct pfs_file *f, uint64_t size);
/* Commits every change (journalled); `durable`: then syncs. */
weft_wasi_errno pfs_file_flush(struct pfs_file *f, bool durable);
/* Binds the file to `new_path` (keeping the old one as alternative until
** pfs_file_rebind_done) and commits. */
weft_wasi_errno pfs_file_rebind(struct pfs_file *f, const char *new_path);
weft_wasi_errno pfs_file_rebind_done(struct pfs_file *f, bool ok,
                                     const char *old_path);

/* The freshness store (pfs_fresh.c); each is a no-op without one. */
/* At open, once the metadata verified: refuses a rolled-back file.
** `other`: the file's second bound name during a rename, or "". */
weft_wasi_errno pfs_fresh_check(struct pfs_file *f, const char *other);
/* Before a new file's first commit: records its id at version 0. */
weft_wasi_errno pfs_fresh_created(struct pfs_file *f);
/* After every commit: records the new version. */
weft_wasi_errno pfs_fresh_committed(struct pfs_file *f);
/* After the host unlinked or renamed a regular file. */
weft_wasi_errno pfs_fresh_unlinked(struct weft_pfs *pfs, const char *path);
weft_wasi_errno pfs_fresh_renamed(struct weft_pfs *pfs, const char *from,
                                  const char *to);

#endif /* WEFT_PFS_INTERNAL_H */
