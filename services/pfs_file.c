/*
** pfs_file.c — one protected file: the metadata node, the Merkle tree of
** (nonce, tag) records, a direct-mapped cache of plaintext data nodes, the
** journalled commit (flush) and recovery. Storage is reached only through
** the inner weft_wasi_fs; everything read from it is untrusted until a
** GCM tag vouches for it. Layout: docs/protected-files.md.
*/
#include <stdlib.h>
#include <string.h>

#include "pfs_internal.h"

#define INVALID_INDEX UINT64_MAX
#define MAX_SIZE ((uint64_t)1 << 46) /* 64 TiB: keeps node maths in range */
/* Format 2: the keys derive from K_preopen (pfs_fs.c), not the master key;
** format 1 files are refused with a message. */
#define PFS_FORMAT 2u

static const uint8_t meta_magic[8] = {'W', 'E', 'F', 'T', 'P', 'F', 'S', '1'};
static const uint8_t jrnl_magic[8] = {'W', 'P', 'F', 'S', 'J', 'N', 'L', '2'};

/* {====================================================================
** Little-endian fields and node geometry
** ===================================================================== */

static uint64_t data_nodes(uint64_t size) {
  return (size + PFS_NODE - 1) / PFS_NODE;
}
static uint64_t mht_nodes(uint64_t ndata) {
  return (ndata + PFS_DATA_PER_MHT - 1) / PFS_DATA_PER_MHT;
}
static uint64_t phys_mht(uint64_t m) { return 1 + PFS_GROUP * m; }
static uint64_t phys_data(uint64_t d) {
  return phys_mht(d / PFS_DATA_PER_MHT) + 1 + d % PFS_DATA_PER_MHT;
}
/* Physical nodes a file of `size` bytes needs: the metadata node, then
** groups of one MHT node followed by its (up to) 96 data nodes. */
static uint64_t phys_nodes(uint64_t size) {
  uint64_t n = data_nodes(size);
  return n == 0 ? 1 : phys_data(n - 1) + 1;
}

static void rec_get(const uint8_t *p, struct pfs_rec *r) {
  memcpy(r->nonce, p, PFS_NONCE_BYTES);
  memcpy(r->tag, p + 12, PFS_TAG_BYTES);
  r->flags = get32(p + 28);
}
static void rec_put(uint8_t *p, const struct pfs_rec *r) {
  memcpy(p, r->nonce, PFS_NONCE_BYTES);
  memcpy(p + 12, r->tag, PFS_TAG_BYTES);
  put32(p + 28, r->flags);
}
/* Record slots inside an MHT node. */
static uint8_t *data_slot(struct pfs_node *mht, uint64_t d) {
  return mht->plain + (d % PFS_DATA_PER_MHT) * PFS_REC;
}
static uint8_t *child_slot(struct pfs_node *parent, uint64_t m) {
  return parent->plain +
         (PFS_DATA_PER_MHT + (m - 1) % PFS_MHT_PER_MHT) * PFS_REC;
}

/* AAD of a data or MHT node: the file id and the physical node number, so
** a node is only valid in its own place of its own file. */
static void node_aad(const struct pfs_file *f, uint64_t phys, uint8_t aad[24]) {
  memcpy(aad, f->uuid, 16);
  put64(aad + 16, phys);
}

/* }==================================================================== */

/* {====================================================================
** Storage through the inner fs (every answer is untrusted)
** ===================================================================== */

void pfs_report(struct weft_pfs *pfs, const char *path, const char *what) {
  if (pfs->report != NULL)
    pfs->report(pfs->report_user, path[0] ? path : ".", what);
}

static weft_wasi_errno integrity(struct pfs_file *f, const char *what) {
  pfs_report(f->pfs, f->path, what);
  return WEFT_WASI_EIO;
}

/* Reads exactly len bytes at off; *short_read when the file ended first. */
static weft_wasi_errno io_read(struct pfs_file *f, uint64_t off, void *buf,
                               size_t len, bool *short_read) {
  const weft_wasi_fs *fs = f->pfs->inner;
  size_t done = 0;

  *short_read = false;
  while (done < len) {
    weft_wasi_iovec v = {(uint8_t *)buf + done, len - done};
    size_t n = 0;
    weft_wasi_errno e =
        fs->pread(f->pfs->inner_user, f->h, &v, 1, off + done, &n);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    if (n == 0 || n > len - done) {
      *short_read = true;
      return WEFT_WASI_EIO;
    }
    done += n;
  }
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno io_writev(struct pfs_file *f, uint64_t off,
                                 weft_wasi_iovec *iov, size_t cnt) {
  const weft_wasi_fs *fs = f->pfs->inner;

  while (cnt > 0) {
    size_t n = 0;
    weft_wasi_errno e = fs->pwrite(f->pfs->inner_user, f->h, iov, cnt, off, &n);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    if (n == 0)
      return WEFT_WASI_EIO;
    off += n;
    while (cnt > 0 && n >= iov->len) { /* drop what was written */
      n -= iov->len;
      iov++;
      cnt--;
    }
    if (cnt > 0) {
      iov->buf = (uint8_t *)iov->buf + n;
      iov->len -= n;
    }
  }
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno io_write(struct pfs_file *f, uint64_t off,
                                const void *buf, size_t len) {
  weft_wasi_iovec v = {(void *)(uintptr_t)buf, len};
  return io_writev(f, off, &v, 1);
}

static weft_wasi_errno io_sync(struct pfs_file *f) {
  return f->pfs->inner->sync(f->pfs->inner_user, f->h, 1);
}

static weft_wasi_errno io_truncate(struct pfs_file *f, uint64_t size) {
  return f->pfs->inner->set_size(f->pfs->inner_user, f->h, size);
}

static weft_wasi_errno io_host_size(struct pfs_file *f, uint64_t *out) {
  weft_wasi_filestat st;
  weft_wasi_errno e = f->pfs->inner->fstat(f->pfs->inner_user, f->h, &st);
  if (e == WEFT_WASI_ESUCCESS)
    *out = st.size;
  return e;
}

/* Reads physical node `phys` and decrypts it with `rec` into `out`. */
static weft_wasi_errno load_node(struct pfs_file *f, uint64_t phys,
                                 const struct pfs_rec *rec, uint8_t *out,
                                 const char *kind) {
  uint8_t aad[24];
  bool short_read;
  weft_wasi_errno e;

  e = io_read(f, phys * PFS_NODE, f->io, PFS_NODE, &short_read);
  if (short_read)
    return integrity(f, "file truncated on the host (a node is missing)");
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  node_aad(f, phys, aad);
  if (pfs_aead_open(f->aead, rec->nonce, aad, sizeof aad, f->io, out, PFS_NODE,
                    rec->tag) != 0)
    return integrity(f, kind);
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */

/* {====================================================================
** The tree and the cache
** ===================================================================== */

static struct pfs_node *node_alloc(void) {
  /* Not cleared: every user fills all 4096 bytes (Twine's lesson). */
  return malloc(sizeof(struct pfs_node));
}

static void node_free(struct pfs_node *n) {
  if (n != NULL) {
    pfs_wipe(n->plain, PFS_NODE);
    free(n);
  }
}

static weft_wasi_errno get_mht(struct pfs_file *f, uint64_t m,
                               struct pfs_node **out) {
  struct pfs_rec rec;
  struct pfs_node *n;
  weft_wasi_errno e;

  if (m < f->mht_cap && f->mht[m] != NULL) {
    *out = f->mht[m];
    return WEFT_WASI_ESUCCESS;
  }
  if (m >= f->mht_cap) {
    uint64_t cap = f->mht_cap ? f->mht_cap : 8;
    struct pfs_node **p;
    while (cap <= m)
      cap *= 2;
    p = realloc(f->mht, cap * sizeof *p);
    if (p == NULL)
      return WEFT_WASI_ENOMEM;
    memset(p + f->mht_cap, 0, (cap - f->mht_cap) * sizeof *p);
    f->mht = p;
    f->mht_cap = cap;
  }
  if (m == 0) {
    rec = f->root;
  } else {
    struct pfs_node *parent;
    e = get_mht(f, (m - 1) / PFS_MHT_PER_MHT, &parent);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    rec_get(child_slot(parent, m), &rec);
  }
  n = node_alloc();
  if (n == NULL)
    return WEFT_WASI_ENOMEM;
  n->index = m;
  n->dirty = false;
  if (rec.flags & PFS_REC_PRESENT) {
    e = load_node(f, phys_mht(m), &rec, n->plain,
                  "a tree node failed authentication (modified, swapped "
                  "or from another file)");
    if (e != WEFT_WASI_ESUCCESS) {
      node_free(n);
      return e;
    }
  } else {
    memset(n->plain, 0, PFS_NODE);
  }
  f->mht[m] = n;
  *out = n;
  return WEFT_WASI_ESUCCESS;
}

static bool any_dirty(const struct pfs_file *f) {
  uint64_t i;
  if (f->meta_dirty)
    return true;
  for (i = 0; i < PFS_CACHE_SLOTS; i++)
    if (f->cache[i] != NULL && f->cache[i]->dirty)
      return true;
  for (i = 0; i < f->mht_cap; i++)
    if (f->mht[i] != NULL && f->mht[i]->dirty)
      return true;
  return false;
}

/* The cache slot for data node d: its own when cached; else an empty way
** of its set, else the least recently used clean way. When every way
** holds a change, everything is committed first (one journalled flush)
** and the least recently used way is taken. */
static weft_wasi_errno cache_slot(struct pfs_file *f, uint64_t d,
                                  struct pfs_node ***out_slot) {
  struct pfs_node **set =
      f->cache + (d % (PFS_CACHE_SLOTS / PFS_CACHE_WAYS)) * PFS_CACHE_WAYS;
  struct pfs_node **clean = NULL, **oldest = set;
  weft_wasi_errno e;
  unsigned w;

  for (w = 0; w < PFS_CACHE_WAYS; w++) {
    struct pfs_node *n = set[w];
    if (n == NULL || n->index == d) {
      *out_slot = &set[w];
      return WEFT_WASI_ESUCCESS;
    }
    if (!n->dirty && (clean == NULL || n->used < (*clean)->used))
      clean = &set[w];
    if (n->used < (*oldest)->used)
      oldest = &set[w];
  }
  if (clean == NULL) {
    e = pfs_file_flush(f, false);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    clean = oldest;
  }
  *out_slot = clean;
  return WEFT_WASI_ESUCCESS;
}

/* The cached plaintext of data node d. `whole`: the caller overwrites all
** of it, so the old contents need not be read. */
static weft_wasi_errno get_data(struct pfs_file *f, uint64_t d, bool whole,
                                struct pfs_node **out) {
  struct pfs_node **slot, *n;
  weft_wasi_errno e = cache_slot(f, d, &slot);

  if (e != WEFT_WASI_ESUCCESS)
    return e;
  n = *slot;
  if (n != NULL && n->index == d) {
    n->used = ++f->tick;
    *out = n;
    return WEFT_WASI_ESUCCESS;
  }
  if (n == NULL) {
    n = node_alloc();
    if (n == NULL)
      return WEFT_WASI_ENOMEM;
    *slot = n;
  }
  n->used = ++f->tick;
  n->index = INVALID_INDEX;
  n->dirty = false;
  if (!whole) {
    struct pfs_rec rec;
    rec.flags = 0;
    if (d < data_nodes(f->size)) {
      struct pfs_node *mht;
      e = get_mht(f, d / PFS_DATA_PER_MHT, &mht);
      if (e != WEFT_WASI_ESUCCESS)
        return e;
      rec_get(data_slot(mht, d), &rec);
    }
    if (rec.flags & PFS_REC_PRESENT) {
      e = load_node(f, phys_data(d), &rec, n->plain,
                    "a data node failed authentication (modified, swapped "
                    "or from another file)");
      if (e != WEFT_WASI_ESUCCESS)
        return e;
    } else {
      memset(n->plain, 0, PFS_NODE);
    }
  }
  n->index = d;
  *out = n;
  return WEFT_WASI_ESUCCESS;
}

weft_wasi_errno pfs_file_read(struct pfs_file *f, uint64_t off, uint8_t *buf,
                              size_t len, size_t *out_n) {
  size_t done = 0;

  *out_n = 0;
  if (f->broken)
    return WEFT_WASI_EIO;
  if (off >= f->size)
    return WEFT_WASI_ESUCCESS;
  if (len > f->size - off)
    len = (size_t)(f->size - off);
  while (done < len) {
    uint64_t pos = off + done;
    size_t in = (size_t)(pos % PFS_NODE), n = PFS_NODE - in;
    struct pfs_node *node;
    weft_wasi_errno e = get_data(f, pos / PFS_NODE, false, &node);
    if (e != WEFT_WASI_ESUCCESS) {
      *out_n = done;
      return done > 0 ? WEFT_WASI_ESUCCESS : e;
    }
    if (n > len - done)
      n = len - done;
    memcpy(buf + done, node->plain + in, n);
    done += n;
  }
  *out_n = done;
  return WEFT_WASI_ESUCCESS;
}

weft_wasi_errno pfs_file_write(struct pfs_file *f, uint64_t off,
                               const uint8_t *buf, size_t len) {
  size_t done = 0;

  if (f->broken)
    return WEFT_WASI_EIO;
  if (!f->writable)
    return WEFT_WASI_EBADF;
  if (off > MAX_SIZE || len > MAX_SIZE - off)
    return WEFT_WASI_EFBIG;
  while (done < len) {
    uint64_t pos = off + done;
    size_t in = (size_t)(pos % PFS_NODE), n = PFS_NODE - in;
    struct pfs_node *node;
    weft_wasi_errno e;
    if (n > len - done)
      n = len - done;
    e = get_data(f, pos / PFS_NODE, in == 0 && n == PFS_NODE, &node);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    memcpy(node->plain + in, buf + done, n);
    node->dirty = true;
    done += n;
    if (pos + n > f->size) {
      f->size = pos + n;
      f->meta_dirty = true;
    }
  }
  return WEFT_WASI_ESUCCESS;
}

/* Shrinking: zero the tail of the new last node, forget the records of
** the nodes cut off and the MHT nodes no longer needed. */
static weft_wasi_errno shrink(struct pfs_file *f, uint64_t size) {
  uint64_t n_old = data_nodes(f->size), n_new = data_nodes(size);
  uint64_t m_old = mht_nodes(n_old), m_new = mht_nodes(n_new), m, i;
  struct pfs_node *node;
  weft_wasi_errno e;

  if (size % PFS_NODE != 0) {
    e = get_data(f, n_new - 1, false, &node);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    memset(node->plain + size % PFS_NODE, 0, PFS_NODE - size % PFS_NODE);
    node->dirty = true;
  }
  for (i = 0; i < PFS_CACHE_SLOTS; i++) {
    node = f->cache[i];
    if (node != NULL && node->index != INVALID_INDEX && node->index >= n_new) {
      node->index = INVALID_INDEX;
      node->dirty = false;
    }
  }
  if (m_new > 0 && n_new % PFS_DATA_PER_MHT != 0) {
    e = get_mht(f, m_new - 1, &node);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    memset(data_slot(node, n_new), 0,
           (PFS_DATA_PER_MHT - n_new % PFS_DATA_PER_MHT) * PFS_REC);
    node->dirty = true;
  }
  for (m = m_old; m-- > m_new;) {
    if (m == 0) {
      memset(&f->root, 0, sizeof f->root);
    } else if ((m - 1) / PFS_MHT_PER_MHT < m_new) {
      e = get_mht(f, (m - 1) / PFS_MHT_PER_MHT, &node);
      if (e != WEFT_WASI_ESUCCESS)
        return e;
      memset(child_slot(node, m), 0, PFS_REC);
      node->dirty = true;
    }
    if (m < f->mht_cap) {
      node_free(f->mht[m]);
      f->mht[m] = NULL;
    }
  }
  f->size = size;
  f->meta_dirty = true;
  return WEFT_WASI_ESUCCESS;
}

weft_wasi_errno pfs_file_set_size(struct pfs_file *f, uint64_t size) {
  weft_wasi_errno e;

  if (f->broken)
    return WEFT_WASI_EIO;
  if (!f->writable)
    return WEFT_WASI_EBADF;
  if (size > MAX_SIZE)
    return WEFT_WASI_EFBIG;
  if (size == f->size)
    return WEFT_WASI_ESUCCESS;
  if (size > f->size) {
    /* Growing: the new nodes have no record yet, so they read as zeros
    ** and take no space until written (the host file gets holes). */
    f->size = size;
    f->meta_dirty = true;
    return WEFT_WASI_ESUCCESS;
  }
  e = shrink(f, size);
  if (e != WEFT_WASI_ESUCCESS && e != WEFT_WASI_EIO)
    f->broken = true; /* half done */
  return e;
}

/* }==================================================================== */

/* {====================================================================
** Metadata node
** ===================================================================== */

static int derive_keys(struct pfs_file *f) {
  uint8_t k[32];
  int rc = pfs_hkdf(f->uuid, 16, f->pfs->key, "weft-pfs v1 file key", k);
  if (rc == 0)
    rc = pfs_hkdf(f->uuid, 16, f->pfs->key, "weft-pfs v1 journal key", f->jkey);
  if (rc == 0) {
    pfs_aead_free(f->aead);
    f->aead = pfs_aead_new(k);
    rc = f->aead == NULL ? -1 : 0;
  }
  pfs_wipe(k, sizeof k);
  return rc;
}

/* Builds the metadata node (header, encrypted body) into out[4096]. */
static int seal_meta(struct pfs_file *f, uint8_t *out) {
  uint8_t body[PFS_NODE - PFS_HDR];
  size_t plen = strlen(f->path), alen = strlen(f->alt_path);
  int rc;

  memset(out, 0, PFS_HDR);
  memcpy(out, meta_magic, 8);
  put32(out + 8, PFS_FORMAT); /* format version */
  put32(out + 12, 0);
  memcpy(out + 16, f->uuid, 16);
  if (pfs_random(f->pfs->rng, out + 32, PFS_NONCE_BYTES) != 0)
    return -1;
  memset(body, 0, sizeof body);
  put64(body, f->size);
  put64(body + 8, f->version);
  rec_put(body + 16, &f->root);
  put16(body + 48, (uint16_t)plen);
  put16(body + 50, (uint16_t)alen);
  memcpy(body + 56, f->path, plen);
  memcpy(body + 56 + PFS_PATH_MAX, f->alt_path, alen);
  rc = pfs_aead_seal(f->aead, out + 32, out, 48, body, out + PFS_HDR,
                     sizeof body, out + 48);
  pfs_wipe(body, sizeof body);
  return rc;
}

static bool all_zero(const uint8_t *p, size_t n) {
  uint8_t d = 0;
  while (n--)
    d |= *p++;
  return d == 0;
}

/* Reads and checks the metadata node; fills size, version, root. */
static weft_wasi_errno open_meta(struct pfs_file *f, uint64_t host_size) {
  uint8_t body[PFS_NODE - PFS_HDR], *hdr = f->io;
  char other[PFS_PATH_MAX + 1]; /* the second bound name, during a rename */
  bool short_read;
  size_t plen, alen;
  weft_wasi_errno e;

  e = io_read(f, 0, hdr, PFS_NODE, &short_read);
  if (short_read)
    return integrity(f, "not a protected file (shorter than one node)");
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  if (memcmp(hdr, meta_magic, 8) == 0 && get32(hdr + 8) == 1)
    return integrity(f, "format version 1 (an earlier weft, whose files were "
                        "not bound to their preopen): not readable by this "
                        "build; copy the data out with the earlier one");
  if (memcmp(hdr, meta_magic, 8) != 0 || get32(hdr + 8) != PFS_FORMAT ||
      get32(hdr + 12) != 0 || !all_zero(hdr + 44, 4))
    return integrity(f, "not a protected file (bad header)");
  memcpy(f->uuid, hdr + 16, 16);
  if (derive_keys(f) != 0)
    return WEFT_WASI_ENOMEM;
  if (pfs_aead_open(f->aead, hdr + 32, hdr, 48, hdr + PFS_HDR, body,
                    sizeof body, hdr + 48) != 0)
    return integrity(f, "the metadata node failed authentication (modified, "
                        "wrong key, or not written by weft)");
  f->size = get64(body);
  f->version = get64(body + 8);
  rec_get(body + 16, &f->root);
  plen = get16(body + 48);
  alen = get16(body + 50);
  if (plen > PFS_PATH_MAX || alen > PFS_PATH_MAX || f->size > MAX_SIZE) {
    pfs_wipe(body, sizeof body);
    return integrity(f, "the metadata node is malformed");
  }
  if (!((plen == strlen(f->path) && memcmp(body + 56, f->path, plen) == 0) ||
        (alen > 0 && alen == strlen(f->path) &&
         memcmp(body + 56 + PFS_PATH_MAX, f->path, alen) == 0))) {
    pfs_wipe(body, sizeof body);
    return integrity(f, "the file is bound to another path (renamed or "
                        "copied outside the program?)");
  }
  other[0] = '\0';
  if (alen > 0) {
    bool by_path =
        plen == strlen(f->path) && memcmp(body + 56, f->path, plen) == 0;
    size_t olen = by_path ? alen : plen;
    memcpy(other, body + 56 + (by_path ? PFS_PATH_MAX : 0), olen);
    other[olen] = '\0';
  }
  pfs_wipe(body, sizeof body);
  f->alt_path[0] = '\0';
  f->meta_dirty = alen > 0; /* an interrupted rename: settle the binding */
  f->disk_nodes = phys_nodes(f->size);
  if (host_size < f->disk_nodes * PFS_NODE)
    return integrity(f, "file truncated on the host (nodes are missing)");
  return pfs_fresh_check(f, other);
}

/* }==================================================================== */

/* {====================================================================
** Locks between processes
**
** One writer at a time, and no reader while it writes: a handle that may
** write holds the file's exclusive lock for as long as the file is open
** here, a reader a shared one. Without them two processes each commit
** over the other's commits (acknowledged writes lost), and an open that
** meets the journal of another process's commit in flight would roll it
** back as "interrupted". Recovery takes the exclusive lock, so it only
** ever sees the journal of a writer that is gone. Locks never wait: EBUSY,
** reported, and the program may retry. An inner fs without `lock` (a
** version 1 table) gets no such protection.
** ===================================================================== */

static bool can_lock(const struct weft_pfs *pfs) {
  return pfs->inner->version >= 2 && pfs->inner->lock != NULL;
}

/* Sets the lock of inner handle h to `mode` (0, 1 shared, 2 exclusive). */
static weft_wasi_errno lock_handle(struct weft_pfs *pfs, weft_wasi_file *h,
                                   int mode, const char *path) {
  weft_wasi_errno e;

  if (!can_lock(pfs))
    return WEFT_WASI_ESUCCESS;
  e = pfs->inner->lock(pfs->inner_user, h, mode);
  if (e == WEFT_WASI_EAGAIN) {
    pfs_report(pfs, path,
               mode == 2 ? "is open in another process: refused with EBUSY "
                           "(one writer at a time, no readers meanwhile)"
                         : "is being written by another process: refused "
                           "with EBUSY");
    return WEFT_WASI_EBUSY;
  }
  if (e != WEFT_WASI_ESUCCESS)
    pfs_report(pfs, path, "cannot be locked against other processes");
  return e;
}

/* Raises f's lock to at least `mode`. */
static weft_wasi_errno lock_file(struct pfs_file *f, int mode) {
  weft_wasi_errno e;

  if (f->lock >= mode)
    return WEFT_WASI_ESUCCESS;
  e = lock_handle(f->pfs, f->h, mode, f->path);
  if (e == WEFT_WASI_ESUCCESS)
    f->lock = (uint8_t)mode;
  return e;
}

/* A reader that took the exclusive lock to recover or create the file
** goes back to a shared one. */
static void lock_as_reader(struct pfs_file *f) {
  if (f->lock == 2 && can_lock(f->pfs) &&
      f->pfs->inner->lock(f->pfs->inner_user, f->h, 1) == WEFT_WASI_ESUCCESS)
    f->lock = 1;
}

/* }==================================================================== */

/* {====================================================================
** Commit (flush) and recovery
**
** A flush encrypts every dirty data node, then the dirty MHT nodes from
** the deepest up, then the metadata node. The old ciphertext of every node
** it will overwrite is first appended to the file, past both the old and
** the new end, as a journal whose trailer carries an HMAC; then synced;
** then the nodes are written and synced; then the file is cut to its new
** length, which removes the journal: that truncation is the commit.
** ===================================================================== */

struct pending {
  uint64_t phys;
  uint8_t *cipher; /* PFS_NODE bytes */
};

static int cmp_pending(const void *a, const void *b) {
  uint64_t x = ((const struct pending *)a)->phys;
  uint64_t y = ((const struct pending *)b)->phys;
  return x < y ? -1 : x > y;
}

static weft_wasi_errno seal_node(struct pfs_file *f, uint64_t phys,
                                 const uint8_t *plain, uint8_t *out,
                                 struct pfs_rec *rec) {
  uint8_t aad[24];
  node_aad(f, phys, aad);
  rec->flags = PFS_REC_PRESENT;
  if (pfs_random(f->pfs->rng, rec->nonce, PFS_NONCE_BYTES) != 0 ||
      pfs_aead_seal(f->aead, rec->nonce, aad, sizeof aad, plain, out, PFS_NODE,
                    rec->tag) != 0)
    return WEFT_WASI_EIO;
  return WEFT_WASI_ESUCCESS;
}

/* Encrypts everything dirty into w[] (at most cap entries); *out_n. */
static weft_wasi_errno seal_all(struct pfs_file *f, struct pending *w,
                                size_t cap, uint8_t *buf, size_t *out_n) {
  uint64_t n = data_nodes(f->size), nm = mht_nodes(n), i, m;
  size_t k = 0;
  weft_wasi_errno e;

  for (i = 0; i < PFS_CACHE_SLOTS; i++) {
    struct pfs_node *node = f->cache[i], *mht;
    struct pfs_rec rec;
    if (node == NULL || !node->dirty)
      continue;
    e = get_mht(f, node->index / PFS_DATA_PER_MHT, &mht);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    w[k].phys = phys_data(node->index);
    w[k].cipher = buf + k * PFS_NODE;
    e = seal_node(f, w[k].phys, node->plain, w[k].cipher, &rec);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    rec_put(data_slot(mht, node->index), &rec);
    mht->dirty = true;
    k++;
  }
  for (m = nm < f->mht_cap ? nm : f->mht_cap; m-- > 0;) {
    struct pfs_node *node = f->mht[m], *parent;
    struct pfs_rec rec;
    if (node == NULL || !node->dirty)
      continue;
    if (k >= cap)
      return WEFT_WASI_EIO;
    w[k].phys = phys_mht(m);
    w[k].cipher = buf + k * PFS_NODE;
    e = seal_node(f, w[k].phys, node->plain, w[k].cipher, &rec);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
    if (m == 0) {
      f->root = rec;
    } else {
      e = get_mht(f, (m - 1) / PFS_MHT_PER_MHT, &parent);
      if (e != WEFT_WASI_ESUCCESS)
        return e;
      rec_put(child_slot(parent, m), &rec);
      parent->dirty = true; /* lower number: sealed later in this loop */
    }
    k++;
  }
  if (k >= cap)
    return WEFT_WASI_EIO;
  f->version++;
  w[k].phys = 0;
  w[k].cipher = buf + k * PFS_NODE;
  if (seal_meta(f, w[k].cipher) != 0)
    return WEFT_WASI_EIO;
  *out_n = k + 1;
  return WEFT_WASI_ESUCCESS;
}

/* Writes the journal: old ciphertext of the nodes in w[] that exist on
** disk, their numbers, then the trailer, at node `start`. */
static weft_wasi_errno write_journal(struct pfs_file *f,
                                     const struct pending *w, size_t nw,
                                     uint64_t start, size_t *out_count) {
  size_t count = 0, i, len;
  uint8_t *j, *list, *tr;
  bool short_read;
  weft_wasi_errno e = WEFT_WASI_ESUCCESS;

  for (i = 0; i < nw; i++)
    count += w[i].phys < f->disk_nodes;
  *out_count = count;
  if (count == 0)
    return WEFT_WASI_ESUCCESS;
  len = count * (PFS_NODE + 8) + PFS_JTRAILER;
  j = malloc(len);
  if (j == NULL)
    return WEFT_WASI_ENOMEM;
  list = j + count * PFS_NODE;
  tr = list + count * 8;
  /* w[] is sorted: read each run of consecutive nodes in one call. */
  for (i = 0, count = 0; i < nw && e == WEFT_WASI_ESUCCESS;) {
    size_t run = 1, k;
    if (w[i].phys >= f->disk_nodes) {
      i++;
      continue;
    }
    while (i + run < nw && w[i + run].phys == w[i].phys + run &&
           w[i + run].phys < f->disk_nodes)
      run++;
    e = io_read(f, w[i].phys * PFS_NODE, j + count * PFS_NODE, run * PFS_NODE,
                &short_read);
    if (short_read)
      e = integrity(f, "file truncated on the host (nodes are missing)");
    for (k = 0; k < run; k++)
      put64(list + (count + k) * 8, w[i + k].phys);
    count += run;
    i += run;
  }
  if (e == WEFT_WASI_ESUCCESS) {
    memcpy(tr, jrnl_magic, 8);
    put64(tr + 8, count);
    put64(tr + 16, f->disk_nodes);
    put64(tr + 24, start);
    memcpy(tr + 32, f->uuid, 16);
    memset(tr + 48, 0, 8);
    memset(tr + 84, 0, 4);
    if (pfs_random(f->pfs->rng, tr + 56, PFS_NONCE_BYTES) != 0 ||
        pfs_mac_once(f->jkey, tr + 56, j, len - 32, tr + 68) != 0)
      e = WEFT_WASI_EIO;
  }
  if (e == WEFT_WASI_ESUCCESS)
    e = io_write(f, start * PFS_NODE, j, len);
  if (e == WEFT_WASI_ESUCCESS)
    e = io_sync(f);
  free(j);
  return e;
}

/* Writes w[] (sorted by node number), one call per contiguous run. */
static weft_wasi_errno write_nodes(struct pfs_file *f, struct pending *w,
                                   size_t nw) {
  weft_wasi_iovec iov[64];
  size_t i = 0;

  while (i < nw) {
    size_t k = 0;
    uint64_t first = w[i].phys;
    weft_wasi_errno e;
    while (i < nw && k < 64 && w[i].phys == first + k) {
      iov[k].buf = w[i].cipher;
      iov[k].len = PFS_NODE;
      k++;
      i++;
    }
    e = io_writev(f, first * PFS_NODE, iov, k);
    if (e != WEFT_WASI_ESUCCESS)
      return e;
  }
  return WEFT_WASI_ESUCCESS;
}

static void clear_dirty(struct pfs_file *f) {
  uint64_t i;
  for (i = 0; i < PFS_CACHE_SLOTS; i++)
    if (f->cache[i] != NULL)
      f->cache[i]->dirty = false;
  for (i = 0; i < f->mht_cap; i++)
    if (f->mht[i] != NULL)
      f->mht[i]->dirty = false;
  f->meta_dirty = false;
}

weft_wasi_errno pfs_file_flush(struct pfs_file *f, bool durable) {
  uint64_t new_nodes, start, i;
  size_t cap = 1, nw = 0, jcount = 0;
  struct pending *w;
  uint8_t *buf;
  weft_wasi_errno e;

  if (f->broken)
    return WEFT_WASI_EIO;
  if (!any_dirty(f))
    return durable && f->writable ? io_sync(f) : WEFT_WASI_ESUCCESS;
  if (!f->writable || f->lock == 1) /* a reader never commits */
    return WEFT_WASI_EBADF;
  for (i = 0; i < PFS_CACHE_SLOTS; i++)
    cap += f->cache[i] != NULL && f->cache[i]->dirty;
  cap += mht_nodes(data_nodes(f->size)); /* every MHT node, at most */
  w = malloc(cap * sizeof *w);
  buf = malloc(cap * PFS_NODE);
  if (w == NULL || buf == NULL) {
    free(w);
    free(buf);
    return WEFT_WASI_ENOMEM;
  }
  new_nodes = phys_nodes(f->size);
  start = new_nodes > f->disk_nodes ? new_nodes : f->disk_nodes;
  e = seal_all(f, w, cap, buf, &nw);
  if (e == WEFT_WASI_ESUCCESS) {
    qsort(w, nw, sizeof *w, cmp_pending);
    e = write_journal(f, w, nw, start, &jcount);
  }
  if (e == WEFT_WASI_ESUCCESS)
    e = write_nodes(f, w, nw);
  if (e == WEFT_WASI_ESUCCESS && jcount > 0)
    e = io_sync(f);
  if (e == WEFT_WASI_ESUCCESS) /* the commit point */
    e = io_truncate(f, new_nodes * PFS_NODE);
  if (e == WEFT_WASI_ESUCCESS && durable)
    e = io_sync(f);
  free(w);
  free(buf);
  if (e != WEFT_WASI_ESUCCESS) {
    f->broken = true; /* storage state unknown: reopen to recover */
    return e;
  }
  f->disk_nodes = new_nodes;
  clear_dirty(f);
  return pfs_fresh_committed(f); /* after the commit: the store may lag */
}

/* A journal at the end of the file means a flush did not commit: put the
** old nodes back and cut the file to its old length. A trailer that does
** not verify is not a journal (a torn one: nothing was overwritten yet). */
static weft_wasi_errno recover(struct pfs_file *f, uint64_t host_size) {
  uint8_t tr[PFS_JTRAILER], key[32], mac[PFS_TAG_BYTES];
  uint64_t count, old_nodes, start, jlen, i;
  uint8_t *j;
  bool short_read;
  weft_wasi_errno e;

  if (host_size < PFS_JTRAILER)
    return WEFT_WASI_ESUCCESS;
  e = io_read(f, host_size - PFS_JTRAILER, tr, sizeof tr, &short_read);
  if (e != WEFT_WASI_ESUCCESS)
    return short_read ? WEFT_WASI_ESUCCESS : e;
  if (memcmp(tr, jrnl_magic, 8) != 0)
    return WEFT_WASI_ESUCCESS;
  count = get64(tr + 8);
  old_nodes = get64(tr + 16);
  start = get64(tr + 24);
  if (count == 0 || count > host_size / PFS_NODE ||
      start > host_size / PFS_NODE || old_nodes > start ||
      start * PFS_NODE + count * (PFS_NODE + 8) + PFS_JTRAILER != host_size)
    return WEFT_WASI_ESUCCESS;
  jlen = count * (PFS_NODE + 8) + PFS_JTRAILER;
  j = malloc((size_t)jlen);
  if (j == NULL)
    return WEFT_WASI_ENOMEM;
  e = io_read(f, start * PFS_NODE, j, (size_t)jlen, &short_read);
  if (e == WEFT_WASI_ESUCCESS &&
      (pfs_hkdf(tr + 32, 16, f->pfs->key, "weft-pfs v1 journal key", key) !=
           0 ||
       pfs_mac_once(key, j + jlen - 32, j, (size_t)jlen - 32, mac) != 0 ||
       pfs_ct_differ(mac, j + jlen - 20, PFS_TAG_BYTES))) {
    pfs_wipe(key, sizeof key);
    free(j);
    return WEFT_WASI_ESUCCESS; /* not ours, or torn */
  }
  if (e == WEFT_WASI_ESUCCESS && !f->writable)
    e = integrity(f, "an interrupted write needs recovery: open the file "
                     "for writing");
  if (e == WEFT_WASI_ESUCCESS) /* never while another process has it open */
    e = lock_file(f, 2);
  for (i = 0; i < count && e == WEFT_WASI_ESUCCESS; i++) {
    uint64_t phys = get64(j + count * PFS_NODE + i * 8);
    if (phys >= old_nodes)
      e = integrity(f, "the recovery journal is malformed");
    else
      e = io_write(f, phys * PFS_NODE, j + i * PFS_NODE, PFS_NODE);
  }
  if (e == WEFT_WASI_ESUCCESS)
    e = io_sync(f);
  if (e == WEFT_WASI_ESUCCESS)
    e = io_truncate(f, old_nodes * PFS_NODE);
  if (e == WEFT_WASI_ESUCCESS)
    e = io_sync(f);
  if (e == WEFT_WASI_ESUCCESS)
    pfs_report(f->pfs, f->path,
               "recovered: an interrupted write was rolled back");
  pfs_wipe(key, sizeof key);
  free(j);
  return e;
}

/* }==================================================================== */

/* {====================================================================
** Open, share, close
** ===================================================================== */

static void file_free(struct pfs_file *f) {
  uint64_t i;
  for (i = 0; i < PFS_CACHE_SLOTS; i++)
    node_free(f->cache[i]);
  for (i = 0; i < f->mht_cap; i++)
    node_free(f->mht[i]);
  free(f->mht);
  free(f->io);
  pfs_aead_free(f->aead);
  pfs_wipe(f->jkey, sizeof f->jkey);
  if (f->h != NULL)
    f->pfs->inner->close(f->pfs->inner_user, f->h);
  free(f);
}

static bool bound_to(const struct pfs_file *f, const char *path) {
  return strcmp(f->path, path) == 0 ||
         (f->alt_path[0] != '\0' && strcmp(f->alt_path, path) == 0);
}

/* Another handle on a file open here: shares its state. */
static weft_wasi_errno share(struct pfs_file *f, weft_wasi_file *h,
                             bool writable, bool writer, const char *path) {
  struct weft_pfs *pfs = f->pfs;
  int mode = writer ? 2 : f->lock;
  weft_wasi_errno e = WEFT_WASI_ESUCCESS;

  if (!bound_to(f, path)) {
    pfs->inner->close(pfs->inner_user, h);
    pfs_report(pfs, path,
               "the file is bound to another path (a hard "
               "link, or renamed outside the program?)");
    return WEFT_WASI_EIO;
  }
  if (writable && !f->writable) {
    /* Take the read-write handle; the lock moves to it (the old handle's
    ** is dropped first, or the two would conflict). */
    pfs->inner->close(pfs->inner_user, f->h);
    f->h = h;
    f->writable = true;
    f->lock = 0;
  } else {
    pfs->inner->close(pfs->inner_user, h);
  }
  if (mode > 0)
    e = lock_file(f, mode);
  if (e == WEFT_WASI_ESUCCESS)
    f->refs++;
  return e;
}

/* Reads a file that is not open here yet, under its lock. */
static weft_wasi_errno first_open(struct pfs_file *f, bool writer,
                                  bool may_init) {
  uint64_t size = 0;
  weft_wasi_errno e = lock_file(f, writer ? 2 : 1);

  if (e == WEFT_WASI_ESUCCESS) /* the size under the lock */
    e = io_host_size(f, &size);
  if (e != WEFT_WASI_ESUCCESS)
    return e;
  if (size == 0) {
    if (!may_init || !f->writable)
      return integrity(f, "an empty host file is not a protected file");
    if ((e = lock_file(f, 2)) != WEFT_WASI_ESUCCESS)
      return e;
    if (pfs_random(f->pfs->rng, f->uuid, 16) != 0 || derive_keys(f) != 0)
      return WEFT_WASI_EIO;
    f->meta_dirty = true; /* a new, empty protected file */
    e = pfs_fresh_created(f);
    return e == WEFT_WASI_ESUCCESS ? pfs_file_flush(f, false) : e;
  }
  e = recover(f, size);
  if (e == WEFT_WASI_ESUCCESS)
    e = io_host_size(f, &size);
  if (e == WEFT_WASI_ESUCCESS)
    e = open_meta(f, size);
  if (e == WEFT_WASI_ESUCCESS && !writer && f->meta_dirty && can_lock(f->pfs))
    f->meta_dirty = false; /* an interrupted rename: the next writer settles
                           ** it, a reader never commits */
  return e;
}

weft_wasi_errno pfs_file_acquire(struct weft_pfs *pfs, weft_wasi_file *h,
                                 bool writable, bool writer, const char *path,
                                 bool may_init, struct pfs_file **out) {
  const weft_wasi_fs *fs = pfs->inner;
  weft_wasi_filestat st;
  struct pfs_file *f;
  weft_wasi_errno e;

  if (strlen(path) > PFS_PATH_MAX) {
    fs->close(pfs->inner_user, h);
    return WEFT_WASI_ENAMETOOLONG;
  }
  e = fs->fstat(pfs->inner_user, h, &st);
  if (e != WEFT_WASI_ESUCCESS) {
    fs->close(pfs->inner_user, h);
    return e;
  }
  for (f = pfs->files; f != NULL; f = f->next)
    if (f->dev == st.dev && f->ino == st.ino) {
      e = share(f, h, writable, writer, path);
      *out = e == WEFT_WASI_ESUCCESS ? f : NULL;
      return e;
    }
  f = calloc(1, sizeof *f);
  if (f == NULL || (f->io = malloc(PFS_NODE)) == NULL) {
    free(f);
    fs->close(pfs->inner_user, h);
    return WEFT_WASI_ENOMEM;
  }
  f->pfs = pfs;
  f->h = h;
  f->writable = writable;
  f->dev = st.dev;
  f->ino = st.ino;
  f->refs = 1;
  strcpy(f->path, path);
  e = first_open(f, writer, may_init);
  if (e != WEFT_WASI_ESUCCESS) {
    file_free(f);
    return e;
  }
  if (!writer)
    lock_as_reader(f);
  f->next = pfs->files;
  pfs->files = f;
  *out = f;
  return WEFT_WASI_ESUCCESS;
}

weft_wasi_errno pfs_file_release(struct pfs_file *f) {
  struct pfs_file **p;
  weft_wasi_errno e = WEFT_WASI_ESUCCESS;

  if (--f->refs > 0)
    return WEFT_WASI_ESUCCESS;
  if (f->writable && !f->broken)
    e = pfs_file_flush(f, false);
  for (p = &f->pfs->files; *p != NULL; p = &(*p)->next)
    if (*p == f) {
      *p = f->next;
      break;
    }
  file_free(f);
  return e;
}

weft_wasi_errno pfs_file_rebind(struct pfs_file *f, const char *new_path) {
  if (strlen(new_path) > PFS_PATH_MAX)
    return WEFT_WASI_ENAMETOOLONG;
  if (!f->writable)
    return WEFT_WASI_EACCES;
  strcpy(f->alt_path, f->path);
  strcpy(f->path, new_path);
  f->meta_dirty = true;
  return pfs_file_flush(f, true);
}

weft_wasi_errno pfs_file_rebind_done(struct pfs_file *f, bool ok,
                                     const char *old_path) {
  if (!ok)
    strcpy(f->path, old_path);
  f->alt_path[0] = '\0';
  f->meta_dirty = true;
  return pfs_file_flush(f, true);
}

/* }==================================================================== */
