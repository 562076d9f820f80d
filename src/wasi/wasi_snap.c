/*
** wasi_snap.c — a weft_wasi as portable bytes and back (docs/snapshot.md,
** "WASI state"): args, environ, preopens by guest name, every descriptor
** by how it can be opened again, the monotonic and CPU-time clocks, io
** counters.
** Restoring reopens files through the same beneath-resolution as path_open
** (wasi_path.c), so a hostile snapshot can name nothing path_open could
** not; every byte read is bounds-checked and anything malformed is
** WEFT_ERR_MALFORMED. Neither direction charges the program's fuel.
*/
#include "wasi.h"

#define SNAP_VERSION 2

/* Descriptor kinds in the bytes. */
#define KIND_STDIO 1
#define KIND_PREOPEN 2
#define KIND_OPENED 3

/* Flags of an opened descriptor. */
#define OPENED_DIR_OFLAG 0x1
#define OPENED_FOLLOW 0x2

/* Smallest encodings, which bound every count by the bytes left. */
#define MIN_STRING 4
#define MIN_PREOPEN (MIN_STRING + 1 + 16)
#define MIN_FD (4 + 1 + 4 + 1 + 2 + 8 + 8)

/* {====================================================================
** Writing
** ===================================================================== */

struct out {
  struct wf_alloc *alloc;
  u8 *p;
  size_t len, cap;
  bool nomem;
};

static void put_bytes(struct out *o, const void *src, size_t n) {
  if (o->nomem)
    return;
  if (n > o->cap - o->len) {
    size_t cap = o->cap ? o->cap : 256;
    u8 *grown;
    while (cap - o->len < n && cap < SIZE_MAX / 2)
      cap *= 2;
    grown =
        cap - o->len < n ? NULL : wf_alloc_resize(o->alloc, o->p, o->cap, cap);
    if (grown == NULL) {
      o->nomem = true;
      return;
    }
    o->p = grown;
    o->cap = cap;
  }
  memcpy(o->p + o->len, src, n);
  o->len += n;
}

static void put_u8(struct out *o, u8 v) { put_bytes(o, &v, 1); }
static void put_u16(struct out *o, u16 v) {
  u8 b[2];
  wf_put_u16(b, v);
  put_bytes(o, b, 2);
}
static void put_u32(struct out *o, u32 v) {
  u8 b[4];
  wf_put_u32(b, v);
  put_bytes(o, b, 4);
}
static void put_u64(struct out *o, u64 v) {
  u8 b[8];
  wf_put_u64(b, v);
  put_bytes(o, b, 8);
}
static void put_string(struct out *o, const char *s, size_t n) {
  put_u32(o, (u32)n);
  put_bytes(o, s, n);
}

/* `count` NUL-terminated strings back to back, each as a string. */
static void put_strings(struct out *o, const char *strs, u32 count) {
  u32 i;
  put_u32(o, count);
  for (i = 0; i < count; i++) {
    size_t n = strlen(strs);
    put_string(o, strs, n);
    strs += n + 1;
  }
}

/* }==================================================================== */

/* {====================================================================
** Saving
** ===================================================================== */

/* Root `root` as a directory entry the walk can start from. */
static void root_entry(const struct weft_wasi *w, u32 root,
                       struct wf_wasi_fd *out) {
  const struct wf_wasi_root *r = &w->roots[root];
  memset(out, 0, sizeof *out);
  out->fs = r->fs;
  out->fs_user = r->fs_user;
  out->file = r->dir;
  out->filetype = WEFT_WASI_FILETYPE_DIRECTORY;
  out->origin = WF_FD_PREOPEN;
  out->root = root;
}

/* What an opened descriptor is now: synced when open for writing, still
** linked, and still what its recorded path names (same device and inode),
** so that reopening the path on restore finds this very file. */
static weft_status check_opened(struct weft_wasi *w, u32 fd,
                                const struct wf_wasi_fd *e,
                                weft_wasi_filestat *st, weft_error *err) {
  struct wf_wasi_fd dir;
  weft_wasi_filestat now;
  u16 r;

  if (e->path == NULL || e->root >= w->nroots || w->roots[e->root].dir == NULL)
    return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                        "wasi: snapshot: fd %u: its path is no longer known "
                        "(renamed through another directory?)",
                        fd);
  if ((e->access & WEFT_WASI_OPEN_WRITE) && e->fs->sync != NULL &&
      (r = e->fs->sync(e->fs_user, e->file, 0)) != WEFT_WASI_ESUCCESS)
    return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                        "wasi: snapshot: fd %u ('%s'): sync failed: %s", fd,
                        e->path, wf_wasi_errno_name(r));
  memset(st, 0, sizeof *st);
  r = e->fs->fstat ? e->fs->fstat(e->fs_user, e->file, st) : WEFT_WASI_ENOTSUP;
  if (r != WEFT_WASI_ESUCCESS)
    return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                        "wasi: snapshot: fd %u ('%s'): %s", fd, e->path,
                        wf_wasi_errno_name(r));
  if (st->nlink == 0 && e->filetype != WEFT_WASI_FILETYPE_DIRECTORY)
    return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                        "wasi: snapshot: fd %u ('%s') was unlinked while open",
                        fd, e->path);
  root_entry(w, e->root, &dir);
  r = wf_wasi_stat_below(w, &dir, e->path, e->follow, &now);
  if (r != WEFT_WASI_ESUCCESS || now.dev != st->dev || now.ino != st->ino)
    return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                        "wasi: snapshot: fd %u: '%s' no longer names the open "
                        "file (renamed or replaced)",
                        fd, e->path);
  return WEFT_OK;
}

static weft_status save_fd(struct weft_wasi *w, struct out *o, u32 fd,
                           weft_error *err) {
  const struct wf_wasi_fd *e = &w->fds[fd];
  weft_wasi_filestat st;
  u64 offset = 0;
  u8 kind = e->origin == WF_FD_STDIO     ? KIND_STDIO
            : e->origin == WF_FD_PREOPEN ? KIND_PREOPEN
            : e->origin == WF_FD_OPENED  ? KIND_OPENED
                                         : 0;
  weft_status s;

  if (kind == 0)
    return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                        "wasi: snapshot: fd %u is a socket, which cannot be "
                        "reopened",
                        fd);
  if (kind == KIND_OPENED) {
    if ((s = check_opened(w, fd, e, &st, err)) != WEFT_OK)
      return s;
    if (e->filetype == WEFT_WASI_FILETYPE_REGULAR_FILE && e->fs->seek &&
        e->fs->seek(e->fs_user, e->file, 0, WEFT_WASI_WHENCE_CUR, &offset) !=
            WEFT_WASI_ESUCCESS)
      offset = 0;
  }
  put_u32(o, fd);
  put_u8(o, kind);
  put_u32(o, kind == KIND_STDIO ? e->io_slot - 1 : e->root);
  put_u8(o, e->filetype);
  put_u16(o, e->fdflags);
  put_u64(o, e->base);
  put_u64(o, e->inheriting);
  if (kind != KIND_OPENED)
    return WEFT_OK;
  put_u16(o, e->access);
  put_u8(o, (u8)((e->dir_oflag ? OPENED_DIR_OFLAG : 0) |
                 (e->follow ? OPENED_FOLLOW : 0)));
  put_string(o, e->path, e->path_len);
  put_u64(o, offset);
  put_u64(o, st.size);
  put_u64(o, st.mtim);
  return WEFT_OK;
}

static weft_status save_all(struct weft_wasi *w, struct out *o,
                            weft_error *err) {
  u64 mono = 0, cpu;
  u32 i, nfds = 0;
  weft_status s;

  put_u32(o, SNAP_VERSION);
  put_strings(o, w->args, w->argc);
  put_strings(o, w->env, w->envc);
  if (wf_wasi_clock_time(w, WEFT_WASI_CLOCK_MONOTONIC, &mono) !=
      WEFT_WASI_ESUCCESS)
    mono = 0; /* no clock: nothing to continue */
  put_u64(o, mono);
  for (i = 0; i < 2; i++) {
    if (wf_wasi_clock_time(w, WEFT_WASI_CLOCK_PROCESS_CPUTIME + i, &cpu) !=
        WEFT_WASI_ESUCCESS)
      cpu = 0;
    put_u64(o, cpu);
  }
  for (i = 0; i < 3; i++) {
    put_u64(o, w->io[i].read);
    put_u64(o, w->io[i].written);
  }
  put_u32(o, w->nroots);
  for (i = 0; i < w->nroots; i++) {
    put_string(o, w->roots[i].guest, w->roots[i].guest_len);
    put_u8(o, w->roots[i].read_only);
    put_u64(o, w->io[3 + i].read);
    put_u64(o, w->io[3 + i].written);
  }
  for (i = 0; i < w->nfds; i++)
    nfds += w->fds[i].fs != NULL;
  put_u32(o, nfds);
  for (i = 0; i < w->nfds; i++)
    if (w->fds[i].fs != NULL && (s = save_fd(w, o, i, err)) != WEFT_OK)
      return s;
  return WEFT_OK;
}

weft_status weft_wasi_snapshot_save(weft_wasi *w, uint8_t **out_bytes,
                                    size_t *out_size, weft_error *out_error) {
  struct out o;
  u32 lookups;
  weft_status s;

  wf_error_clear(out_error);
  if (w == NULL || out_bytes == NULL || out_size == NULL)
    return wf_error_set(out_error, WEFT_ERR_ARG, "wasi: NULL argument");
  *out_bytes = NULL;
  *out_size = 0;
  memset(&o, 0, sizeof o);
  o.alloc = w->alloc;
  lookups = w->lookups; /* inside a host call (the block hook): not fuel */
  s = save_all(w, &o, out_error);
  w->lookups = lookups;
  if (s == WEFT_OK && o.nomem)
    s = wf_error_set(out_error, WEFT_ERR_NOMEM, "wasi: out of memory");
  if (s == WEFT_OK && o.len != o.cap) {
    u8 *exact = wf_alloc_resize(w->alloc, o.p, o.cap, o.len);
    if (exact == NULL)
      s = wf_error_set(out_error, WEFT_ERR_NOMEM, "wasi: out of memory");
    else {
      o.p = exact;
      o.cap = o.len;
    }
  }
  if (s != WEFT_OK) {
    if (o.p != NULL)
      wf_alloc_free(w->alloc, o.p, o.cap);
    return s;
  }
  *out_bytes = o.p;
  *out_size = o.len;
  return WEFT_OK;
}

void weft_wasi_snapshot_free(weft_wasi *w, uint8_t *bytes, size_t size) {
  if (w != NULL && bytes != NULL)
    wf_alloc_free(w->alloc, bytes, size);
}

/* }==================================================================== */

/* {====================================================================
** Reading
** ===================================================================== */

struct in {
  const u8 *p;
  size_t left;
  bool bad; /* ran past the end: every later read gives 0 */
};

static const u8 *take(struct in *in, size_t n) {
  const u8 *p = in->p;
  if (in->bad || n > in->left) {
    in->bad = true;
    return NULL;
  }
  in->p += n;
  in->left -= n;
  return p;
}

static u8 get_u8(struct in *in) {
  const u8 *p = take(in, 1);
  return p ? p[0] : 0;
}
static u16 get_u16(struct in *in) {
  const u8 *p = take(in, 2);
  return p ? wf_get_u16(p) : 0;
}
static u32 get_u32(struct in *in) {
  const u8 *p = take(in, 4);
  return p ? wf_get_u32(p) : 0;
}
static u64 get_u64(struct in *in) {
  const u8 *p = take(in, 8);
  return p ? wf_get_u64(p) : 0;
}

/* A string of at most `max` bytes with no NUL (it becomes a C string). */
static bool get_string(struct in *in, u32 max, const char **out, u32 *len) {
  u32 n = get_u32(in);
  const u8 *p;
  if (in->bad || n > max)
    return false;
  p = take(in, n);
  if (p == NULL || (n != 0 && memchr(p, 0, n) != NULL))
    return false;
  *out = (const char *)p;
  *len = n;
  return true;
}

/* A count of records of at least `min` bytes each: never more than the
** bytes left could hold, so no allocation exceeds the input's size much. */
static bool get_count(struct in *in, size_t min, u32 *out) {
  *out = get_u32(in);
  return !in->bad && *out <= in->left / min;
}

/* }==================================================================== */

/* {====================================================================
** Parsing: the whole snapshot checked before anything changes
** ===================================================================== */

struct snap_preopen {
  const char *guest;
  u32 guest_len;
  bool read_only;
  u64 read, written;
  u32 root; /* matched root of this wasi */
};

struct snap_fd {
  u32 fd;
  u8 kind;
  u32 index; /* stdio stream, or preopen of the snapshot */
  u8 filetype;
  u16 fdflags;
  u64 base, inheriting;
  u16 access;
  u8 flags;
  const char *path;
  u32 path_len;
  u64 offset, size, mtim;
};

struct snap {
  const u8 *args, *env; /* where their string lists start in the input */
  u32 argc, envc;
  u64 args_size, env_size; /* bytes as NUL-terminated strings */
  u64 mono;
  u64 cpu[2]; /* process and thread CPU-time clocks */
  u64 stdio_io[3][2];
  struct snap_preopen *pre;
  u32 npre;
  struct snap_fd *fds;
  u32 nfds;
  u32 max_fd;
};

/* A list of strings: where it starts, how many, their size with NULs. */
static bool skip_strings(struct in *in, const u8 **start, u32 *count,
                         u64 *size) {
  const char *s;
  u32 i, len;
  if (!get_count(in, MIN_STRING, count))
    return false;
  *start = in->p;
  *size = 0;
  for (i = 0; i < *count; i++) {
    if (!get_string(in, UINT32_MAX, &s, &len))
      return false;
    *size += (u64)len + 1;
  }
  return *size <= UINT32_MAX;
}

static bool parse_preopens(struct in *in, struct snap *sn) {
  u32 i;
  for (i = 0; i < sn->npre; i++) {
    struct snap_preopen *p = &sn->pre[i];
    u8 ro;
    if (!get_string(in, WF_WASI_PATH_MAX, &p->guest, &p->guest_len))
      return false;
    ro = get_u8(in);
    p->read_only = ro != 0;
    p->read = get_u64(in);
    p->written = get_u64(in);
    if (in->bad || ro > 1)
      return false;
  }
  return true;
}

static bool valid_filetype(u8 t) {
  return t <= WEFT_WASI_FILETYPE_SYMBOLIC_LINK;
}

static bool parse_fd(struct in *in, const struct snap *sn, struct snap_fd *f) {
  f->fd = get_u32(in);
  f->kind = get_u8(in);
  f->index = get_u32(in);
  f->filetype = get_u8(in);
  f->fdflags = get_u16(in);
  f->base = get_u64(in);
  f->inheriting = get_u64(in);
  if (in->bad || f->fd >= WF_WASI_MAX_FDS || !valid_filetype(f->filetype) ||
      f->fdflags > 0x1f)
    return false;
  if (f->kind == KIND_STDIO)
    return f->index < 3;
  if (f->kind == KIND_PREOPEN)
    return f->index < sn->npre && f->filetype == WEFT_WASI_FILETYPE_DIRECTORY;
  if (f->kind != KIND_OPENED || f->index >= sn->npre)
    return false;
  f->access = get_u16(in);
  f->flags = get_u8(in);
  if (!get_string(in, WF_WASI_PATH_MAX, &f->path, &f->path_len))
    return false;
  f->offset = get_u64(in);
  f->size = get_u64(in);
  f->mtim = get_u64(in);
  return !in->bad &&
         (f->access & ~(WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE)) == 0 &&
         (f->flags & ~(OPENED_DIR_OFLAG | OPENED_FOLLOW)) == 0 &&
         f->offset <= INT64_MAX;
}

/* No fd twice, no stdio stream or preopen under two fds (neither can be
** duplicated in preview 1): bitmaps. *nomem tells a failed allocation
** from a duplicate. */
static bool unique_fds(struct weft_wasi *w, struct snap *sn, bool *nomem) {
  u8 *seen = wf_alloc_zero(w->alloc, WF_WASI_MAX_FDS / 8);
  u8 *pre_seen = wf_alloc_zero(w->alloc, sn->npre / 8 + 1);
  u8 stdio_seen = 0;
  bool ok = seen != NULL && pre_seen != NULL;
  u32 i;

  *nomem = !ok;
  for (i = 0; ok && i < sn->nfds; i++) {
    const struct snap_fd *f = &sn->fds[i];
    ok = !(seen[f->fd / 8] & (1u << (f->fd % 8)));
    seen[f->fd / 8] |= (u8)(1u << (f->fd % 8));
    if (ok && f->kind == KIND_STDIO) {
      ok = !(stdio_seen & (1u << f->index));
      stdio_seen |= (u8)(1u << f->index);
    } else if (ok && f->kind == KIND_PREOPEN) {
      ok = !(pre_seen[f->index / 8] & (1u << (f->index % 8)));
      pre_seen[f->index / 8] |= (u8)(1u << (f->index % 8));
    }
    if (f->fd > sn->max_fd)
      sn->max_fd = f->fd;
  }
  if (seen != NULL)
    wf_alloc_free(w->alloc, seen, WF_WASI_MAX_FDS / 8);
  if (pre_seen != NULL)
    wf_alloc_free(w->alloc, pre_seen, sn->npre / 8 + 1);
  return ok;
}

static void snap_free(struct weft_wasi *w, struct snap *sn) {
  if (sn->pre != NULL)
    wf_alloc_free(w->alloc, sn->pre,
                  (sn->npre ? sn->npre : 1) * sizeof *sn->pre);
  if (sn->fds != NULL)
    wf_alloc_free(w->alloc, sn->fds,
                  (sn->nfds ? sn->nfds : 1) * sizeof *sn->fds);
}

static weft_status parse(struct weft_wasi *w, const u8 *bytes, size_t size,
                         struct snap *sn, weft_error *err) {
  struct in in = {bytes, size, false};
  u32 i, version;
  bool nomem;

  memset(sn, 0, sizeof *sn);
  version = get_u32(&in);
  if (in.bad || version != SNAP_VERSION)
    return wf_error_set(err, WEFT_ERR_MALFORMED,
                        "wasi: snapshot: unknown version %u (expected %u)",
                        version, SNAP_VERSION);
  if (!skip_strings(&in, &sn->args, &sn->argc, &sn->args_size) ||
      !skip_strings(&in, &sn->env, &sn->envc, &sn->env_size))
    return wf_error_set(err, WEFT_ERR_MALFORMED,
                        "wasi: snapshot: bad arguments or environment");
  sn->mono = get_u64(&in);
  sn->cpu[0] = get_u64(&in);
  sn->cpu[1] = get_u64(&in);
  for (i = 0; i < 3; i++) {
    sn->stdio_io[i][0] = get_u64(&in);
    sn->stdio_io[i][1] = get_u64(&in);
  }
  if (in.bad || !get_count(&in, MIN_PREOPEN, &sn->npre))
    return wf_error_set(err, WEFT_ERR_MALFORMED,
                        "wasi: snapshot: bad preopen count");
  sn->pre = wf_alloc_array(w->alloc, sn->npre ? sn->npre : 1, sizeof *sn->pre);
  if (sn->pre == NULL)
    return wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory");
  if (!parse_preopens(&in, sn))
    return wf_error_set(err, WEFT_ERR_MALFORMED,
                        "wasi: snapshot: bad preopen record");
  if (!get_count(&in, MIN_FD, &sn->nfds) || sn->nfds > WF_WASI_MAX_FDS)
    return wf_error_set(err, WEFT_ERR_MALFORMED,
                        "wasi: snapshot: bad descriptor count");
  sn->fds = wf_alloc_array(w->alloc, sn->nfds ? sn->nfds : 1, sizeof *sn->fds);
  if (sn->fds == NULL)
    return wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory");
  for (i = 0; i < sn->nfds; i++)
    if (!parse_fd(&in, sn, &sn->fds[i]))
      return wf_error_set(err, WEFT_ERR_MALFORMED,
                          "wasi: snapshot: bad descriptor record %u", i);
  if (in.left != 0)
    return wf_error_set(err, WEFT_ERR_MALFORMED,
                        "wasi: snapshot: %zu bytes after the end", in.left);
  if (!unique_fds(w, sn, &nomem))
    return nomem ? wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory")
                 : wf_error_set(err, WEFT_ERR_MALFORMED,
                                "wasi: snapshot: a descriptor, stdio stream or "
                                "preopen appears twice");
  return WEFT_OK;
}

/* }==================================================================== */

/* {====================================================================
** Restoring
** ===================================================================== */

/* The new fd table, built aside and installed only when all is well. */
struct build {
  struct wf_wasi_fd *fds;
  u32 cap, nfds;
  char *args, *env;
  bool moved_stdio[3]; /* taken over from this wasi's table */
};

/* A string of the input, NUL-terminated (and cut short) for a message. */
#define SHOWN_MAX 160
static const char *shown(char *buf, const char *s, u32 len) {
  u32 n = len < SHOWN_MAX ? len : SHOWN_MAX;
  memcpy(buf, s, n);
  buf[n] = '\0';
  return buf;
}

/* Matches every preopen of the snapshot to a root of this wasi with the
** same guest name (the first not yet taken, so duplicate names pair up in
** order): the program keeps the names it was given, the host directories
** behind them may differ. */
static weft_status match_preopens(struct weft_wasi *w, struct snap *sn,
                                  weft_error *err) {
  u8 *taken = wf_alloc_zero(w->alloc, w->nroots + 1);
  char name[SHOWN_MAX + 1];
  weft_status s = WEFT_OK;
  u32 i, j;

  if (taken == NULL)
    return wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory");
  for (i = 0; s == WEFT_OK && i < sn->npre; i++) {
    struct snap_preopen *p = &sn->pre[i];
    for (j = 0; j < w->nroots; j++)
      if (!taken[j] && w->roots[j].guest_len == p->guest_len &&
          memcmp(w->roots[j].guest, p->guest, p->guest_len) == 0)
        break;
    if (j == w->nroots)
      s = wf_error_set(err, WEFT_ERR_ARG,
                       "wasi: restore: no preopen named '%s'",
                       shown(name, p->guest, p->guest_len));
    else if (w->roots[j].read_only && !p->read_only)
      s = wf_error_set(err, WEFT_ERR_ARG,
                       "wasi: restore: preopen '%s' is read-only here but "
                       "was writable",
                       shown(name, p->guest, p->guest_len));
    else if (w->roots[j].dir == NULL)
      s = wf_error_set(err, WEFT_ERR_ARG,
                       "wasi: restore: preopen '%s' is not open",
                       shown(name, p->guest, p->guest_len));
    else {
      taken[j] = 1;
      p->root = j;
    }
  }
  wf_alloc_free(w->alloc, taken, w->nroots + 1);
  return s;
}

/* The rights root `root` hands down here, as open_preopen gave them, less
** what the snapshot's preopen had not (read-only there). */
static u64 root_inheriting(const struct weft_wasi *w, u32 root, bool snap_ro) {
  u64 r = WF_RIGHTS_DIR | WF_RIGHTS_FILE;
  if (w->roots[root].read_only || snap_ro)
    r &= ~WF_RIGHTS_DIR_MUTATE;
  return r;
}

/* Checks a reopened file against the snapshot: same type, and for a regular
** file the same size and mtime (it was synced when saved, so any change
** since means the program's view of it is gone); then puts the offset
** back. */
static weft_status check_reopened(struct weft_wasi *w, const struct snap_fd *f,
                                  const weft_wasi_fs *fs, void *user,
                                  weft_wasi_file *file, u8 type,
                                  const char *path, weft_error *err) {
  weft_wasi_filestat st;
  u64 pos = 0;
  u16 r;

  WF_UNUSED(w);
  if (type != f->filetype)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "wasi: restore: '%s' is not of the type it was", path);
  if (type != WEFT_WASI_FILETYPE_REGULAR_FILE)
    return WEFT_OK;
  memset(&st, 0, sizeof st);
  r = fs->fstat ? fs->fstat(user, file, &st) : WEFT_WASI_ENOTSUP;
  if (r != WEFT_WASI_ESUCCESS)
    return wf_error_set(err, WEFT_ERR_ARG, "wasi: restore: '%s': %s", path,
                        wf_wasi_errno_name(r));
  if (st.size != f->size || st.mtim != f->mtim)
    return wf_error_set(
        err, WEFT_ERR_ARG,
        "wasi: restore: '%s' changed since the snapshot "
        "(size %llu, was %llu; mtime %llu, was %llu)",
        path, (unsigned long long)st.size, (unsigned long long)f->size,
        (unsigned long long)st.mtim, (unsigned long long)f->mtim);
  r = fs->seek
          ? fs->seek(user, file, (i64)f->offset, WEFT_WASI_WHENCE_SET, &pos)
          : WEFT_WASI_ESPIPE;
  if (r != WEFT_WASI_ESUCCESS || pos != f->offset)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "wasi: restore: '%s': cannot seek to %llu", path,
                        (unsigned long long)f->offset);
  return WEFT_OK;
}

/* Opens an opened descriptor again below its preopen's root, as path_open
** would (never creating or truncating), into slot `e`. */
static weft_status reopen_fd(struct weft_wasi *w, const struct snap *sn,
                             const struct snap_fd *f, struct wf_wasi_fd *e,
                             weft_error *err) {
  const struct snap_preopen *p = &sn->pre[f->index];
  u32 root = p->root;
  bool ro = w->roots[root].read_only || p->read_only;
  u32 flags = f->access;
  char path[WF_WASI_PATH_MAX + 1];
  struct wf_wasi_fd dir;
  weft_wasi_file *file = NULL;
  u8 type = WEFT_WASI_FILETYPE_UNKNOWN;
  weft_status s;
  u16 r;

  memcpy(path, f->path, f->path_len);
  path[f->path_len] = '\0';
  if (ro && (flags & WEFT_WASI_OPEN_WRITE))
    return wf_error_set(err, WEFT_ERR_ARG,
                        "wasi: restore: fd %u: '%s' open for writing below a "
                        "read-only preopen",
                        f->fd, path);
  if (flags == 0)
    flags = WEFT_WASI_OPEN_READ; /* as path_open: no access asked, read */
  if ((f->flags & OPENED_DIR_OFLAG) ||
      f->filetype == WEFT_WASI_FILETYPE_DIRECTORY)
    flags |= WEFT_WASI_OPEN_DIRECTORY;
  root_entry(w, root, &dir);
  r = wf_wasi_open_below(w, &dir, path, flags, (f->flags & OPENED_FOLLOW) != 0,
                         f->fdflags, &file, &type);
  if (r != WEFT_WASI_ESUCCESS)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "wasi: restore: fd %u: cannot reopen '%s': %s", f->fd,
                        path, wf_wasi_errno_name(r));
  s = check_reopened(w, f, dir.fs, dir.fs_user, file, type, path, err);
  if (s == WEFT_OK) {
    e->path = wf_alloc_raw(w->alloc, f->path_len + 1);
    if (e->path == NULL)
      s = wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory");
  }
  if (s != WEFT_OK) {
    dir.fs->close(dir.fs_user, file);
    return s;
  }
  memcpy(e->path, path, f->path_len + 1);
  e->path_len = f->path_len;
  e->fs = dir.fs;
  e->fs_user = dir.fs_user;
  e->file = file;
  e->filetype = type;
  e->fdflags = f->fdflags;
  /* As path_open: both sets are bounded by what the directory hands down
  ** (not the base by the file's own inheriting set, which a program may
  ** open with none: its write right would be lost). */
  e->inheriting = f->inheriting & root_inheriting(w, root, p->read_only);
  e->base = wf_wasi_opened_rights(
      type, f->base & root_inheriting(w, root, p->read_only));
  e->read_only = ro;
  e->io_slot = 3 + root + 1;
  e->origin = WF_FD_OPENED;
  e->root = root;
  e->access = (u16)(flags & (WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE));
  e->dir_oflag = (f->flags & OPENED_DIR_OFLAG) != 0;
  e->follow = (f->flags & OPENED_FOLLOW) != 0;
  return WEFT_OK;
}

/* One descriptor of the snapshot into the new table. Stdio streams and
** preopens are this wasi's own entries (taken over at install), with the
** snapshot's rights where they are fewer. */
static weft_status restore_fd(struct weft_wasi *w, const struct snap *sn,
                              const struct snap_fd *f, struct build *b,
                              weft_error *err) {
  struct wf_wasi_fd *e = &b->fds[f->fd];

  if (f->kind == KIND_OPENED)
    return reopen_fd(w, sn, f, e, err);
  if (f->kind == KIND_STDIO) {
    if (f->index >= w->nfds || w->fds[f->index].fs == NULL ||
        w->fds[f->index].origin != WF_FD_STDIO)
      return WEFT_OK; /* closed in this config: stays closed */
    *e = w->fds[f->index];
    b->moved_stdio[f->index] = true;
  } else {
    const struct snap_preopen *p = &sn->pre[f->index];
    *e = w->fds[3 + p->root];
    e->read_only = e->read_only || p->read_only;
    if (p->read_only) {
      e->base &= ~WF_RIGHTS_DIR_MUTATE;
      e->inheriting &= ~WF_RIGHTS_DIR_MUTATE;
    }
  }
  e->base &= f->base;
  e->inheriting &= f->inheriting;
  return WEFT_OK;
}

/* NUL-terminated copies of a string list of the input. */
static weft_status copy_list(struct weft_wasi *w, const u8 *at, u32 count,
                             u64 size, char **out, weft_error *err) {
  char *p = wf_alloc_raw(w->alloc, size ? (size_t)size : 1);
  u32 i;

  *out = p;
  if (p == NULL)
    return wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory");
  for (i = 0; i < count; i++) {
    u32 len = wf_get_u32(at);
    memcpy(p, at + 4, len);
    p[len] = '\0';
    p += len + 1;
    at += 4 + (size_t)len;
  }
  return WEFT_OK;
}

/* Undoes a build that failed: its reopened files and copies go. */
static void build_free(struct weft_wasi *w, const struct snap *sn,
                       struct build *b) {
  u32 i;
  for (i = 0; b->fds != NULL && i < sn->nfds; i++) {
    struct wf_wasi_fd *e = &b->fds[sn->fds[i].fd];
    if (sn->fds[i].kind != KIND_OPENED || e->fs == NULL)
      continue;
    e->fs->close(e->fs_user, e->file);
    wf_alloc_free(w->alloc, e->path, e->path_len + 1);
  }
  if (b->fds != NULL)
    wf_alloc_free(w->alloc, b->fds, b->cap * sizeof *b->fds);
  wf_alloc_free(w->alloc, b->args, sn->args_size ? (size_t)sn->args_size : 1);
  wf_alloc_free(w->alloc, b->env, sn->env_size ? (size_t)sn->env_size : 1);
}

static weft_status build_all(struct weft_wasi *w, const struct snap *sn,
                             struct build *b, weft_error *err) {
  weft_status s;
  u32 i;

  b->nfds = sn->max_fd + 1 > 3 ? sn->max_fd + 1 : 3;
  b->cap = b->nfds < 16 ? 16 : b->nfds;
  b->fds = wf_alloc_array(w->alloc, b->cap, sizeof *b->fds);
  if (b->fds == NULL)
    return wf_error_set(err, WEFT_ERR_NOMEM, "wasi: out of memory");
  memset(b->fds, 0, b->cap * sizeof *b->fds);
  s = copy_list(w, sn->args, sn->argc, sn->args_size, &b->args, err);
  if (s == WEFT_OK)
    s = copy_list(w, sn->env, sn->envc, sn->env_size, &b->env, err);
  for (i = 0; s == WEFT_OK && i < sn->nfds; i++)
    s = restore_fd(w, sn, &sn->fds[i], b, err);
  return s;
}

/* Everything checked and opened: the new state replaces the old. Entries
** of this wasi's table not taken over go (stdio streams the snapshot had
** closed, sockets; a preopen's entry only borrows its root's handle). */
static void install(struct weft_wasi *w, const struct snap *sn,
                    struct build *b) {
  u64 now = 0;
  u32 i;

  for (i = 0; i < w->nfds; i++) {
    if (i < 3 && b->moved_stdio[i])
      memset(&w->fds[i], 0, sizeof w->fds[i]);
    else
      wf_wasi_fd_release(w, i);
  }
  wf_alloc_free(w->alloc, w->fds, w->fds_cap * sizeof *w->fds);
  w->fds = b->fds;
  w->fds_cap = b->cap;
  w->nfds = b->nfds;
  wf_alloc_free(w->alloc, w->args, w->args_size ? w->args_size : 1);
  wf_alloc_free(w->alloc, w->env, w->env_size ? w->env_size : 1);
  w->args = b->args;
  w->args_size = (u32)sn->args_size;
  w->argc = sn->argc;
  w->env = b->env;
  w->env_size = (u32)sn->env_size;
  w->envc = sn->envc;
  for (i = 0; i < 3; i++) {
    w->io[i].read = sn->stdio_io[i][0];
    w->io[i].written = sn->stdio_io[i][1];
  }
  for (i = 0; i < sn->npre; i++) {
    w->io[3 + sn->pre[i].root].read = sn->pre[i].read;
    w->io[3 + sn->pre[i].root].written = sn->pre[i].written;
  }
  if (sn->mono != 0 && /* 0: the saving host had no clock */
      w->sys->clock_time(w->sys_user, WEFT_WASI_CLOCK_MONOTONIC, &now) ==
          WEFT_WASI_ESUCCESS)
    w->mono_offset = sn->mono - now; /* wraps when this clock is ahead */
  /* The CPU-time clocks too: a program that read them before the
  ** snapshot must not see them go backwards in the new process. */
  for (i = 0; i < 2; i++)
    if (sn->cpu[i] != 0 &&
        w->sys->clock_time(w->sys_user, WEFT_WASI_CLOCK_PROCESS_CPUTIME + i,
                           &now) == WEFT_WASI_ESUCCESS)
      w->cpu_offset[i] = sn->cpu[i] - now;
  w->fresh = false;
}

weft_status weft_wasi_snapshot_restore(weft_wasi *w, const uint8_t *bytes,
                                       size_t size, weft_error *out_error) {
  struct snap sn;
  struct build b;
  u32 lookups;
  weft_status s;

  wf_error_clear(out_error);
  if (w == NULL || (bytes == NULL && size != 0))
    return wf_error_set(out_error, WEFT_ERR_ARG, "wasi: NULL argument");
  if (!w->fresh)
    return wf_error_set(out_error, WEFT_ERR_ARG,
                        "wasi: restore: this wasi is not fresh (descriptors "
                        "were opened, closed or moved)");
  memset(&b, 0, sizeof b);
  lookups = w->lookups;
  s = parse(w, bytes, size, &sn, out_error);
  if (s == WEFT_OK)
    s = match_preopens(w, &sn, out_error);
  if (s == WEFT_OK)
    s = build_all(w, &sn, &b, out_error);
  if (s == WEFT_OK)
    install(w, &sn, &b);
  else
    build_free(w, &sn, &b);
  w->lookups = lookups; /* the reopening walks are not the program's */
  snap_free(w, &sn);
  return s;
}

/* }==================================================================== */
