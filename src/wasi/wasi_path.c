/*
** wasi_path.c — path resolution that cannot leave the directory an fd
** names, and every path_* function.
**
** The walk: a path is resolved one component at a time from the fd's
** directory handle. Intermediate components are opened with
** DIRECTORY | NOFOLLOW, so the fs never follows a symlink or `..` on our
** behalf; a symlink is read with readlink_at and its target spliced in
** front of the rest of the path (an absolute target is refused, at most
** WF_WASI_SYMLINK_MAX expansions). `..` pops one component: the walk keeps
** the names from the start directory and re-opens along them, so `..`
** never asks the fs for a parent and can never rise above the start
** directory (EPERM, as wasmtime). Each step acts on a handle we hold, so a
** concurrent rename or symlink swap can make a walk fail, never escape.
** path_open first tries the fs's open_beneath (openat2 RESOLVE_BENEATH),
** which gives the same answers in one system call.
**
** Trailing slashes. The fs never sees a name ending in '/': the kernel
** follows a symlink there whatever AT_SYMLINK_NOFOLLOW says, so a name
** checked as a directory and swapped for a symlink before the call would
** lead out. Functions that act on what a path denotes (filestat, times,
** readlink) read "x/" as "x/.": x is opened as a directory like any other
** component, and they act on "." in the handle. Functions that act on the
** entry itself (mkdir, rmdir, unlink, rename, link, symlink) never follow
** a final symlink: they get the bare name and the walk says it had a slash
** (k->trailing), which each answers as POSIX does.
**
** Work. Each resolution makes at most WF_WASI_WALK_LOOKUPS file-system
** lookups (ELOOP beyond), and the call's lookups are charged as fuel by
** wasi.c: a path of many `..` and symlinks costs what it makes the host do.
*/
#include "wasi.h"

#define LOOKUP_SYMLINK_FOLLOW 0x1
#define OFLAGS_ALL 0xf

/* {====================================================================
** Guest paths
** ===================================================================== */

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const u8 *s, size_t n) {
  u8 c = s[0];
  size_t len, i;
  u32 cp;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return len;
}

u16 wf_wasi_path_copy(const struct wf_mem *m, u32 ptr, u32 len, char *buf) {
  const u8 *s;
  size_t i = 0;

  if (!wf_mem_ok(m, ptr, len))
    return WEFT_WASI_EFAULT;
  if (len > WF_WASI_PATH_MAX)
    return WEFT_WASI_ENAMETOOLONG;
  s = m->base + ptr;
  while (i < len) {
    size_t n;
    if (s[i] == 0)
      return WEFT_WASI_EINVAL;
    n = utf8_len(s + i, len - i);
    if (n == 0)
      return WEFT_WASI_EILSEQ;
    i += n;
  }
  memcpy(buf, s, len);
  buf[len] = '\0';
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */

/* {====================================================================
** The walk
** ===================================================================== */

#define WALK_CAP (2 * WF_WASI_PATH_MAX + 2)
#define WALK_RETRIES 16 /* an entry swapped under us: look again */

struct walk {
  struct weft_wasi *w;
  const weft_wasi_fs *fs;
  void *user;
  weft_wasi_file *root; /* the fd's handle, borrowed */
  weft_wasi_file *cur;  /* root, or a handle the walk owns */
  char *p;              /* the path still to resolve (w->walk) */
  u32 pos;              /* next component in p */
  u32 names_len;        /* bytes of w->names in use */
  u32 depth;            /* components from root to cur */
  u32 links;            /* symlinks expanded */
  u32 retries;          /* lookups redone because an entry changed */
  u32 lookups;          /* fs lookups made, at most WF_WASI_WALK_LOOKUPS */
  bool descend;         /* "x/" means "x/.": open x like a directory above */
  /* the final component, set by walk_to_final */
  u32 final_start, final_end, rest; /* rest: first byte after its slashes */
  bool trailing;                    /* it was followed by a '/' */
  char *name; /* output: final name, never with a '/' (caller's buffer) */
};

/* Closes the held directories of levels [from, to] (the start directory,
** level 0, is borrowed and never closed). */
static void walk_close_levels(struct walk *k, u32 from, u32 to) {
  struct wf_wasi_level *lv = k->w->levels;
  u32 i;

  for (i = from < 1 ? 1 : from; i <= to; i++) {
    if (lv[i].dir != NULL)
      k->fs->close(k->user, lv[i].dir);
    lv[i].dir = NULL;
  }
}

/* After a failed walk: nothing held, cur is the start directory again. */
static void walk_unwind(struct walk *k) {
  walk_close_levels(k, 1, k->depth);
  k->depth = 0;
  k->cur = k->root;
}

/* After a walk that resolved: only cur stays held, for the caller. */
static void walk_keep_cur(struct walk *k) {
  if (k->depth > 0) {
    walk_close_levels(k, 1, k->depth - 1);
    k->w->levels[k->depth].dir = NULL; /* the caller's now */
  }
}

/* Hands the resolved directory to the caller (who closes it with
** walk_release) or closes it. */
static void walk_release(const struct walk *k, weft_wasi_file *h) {
  if (h != NULL && h != k->root)
    k->fs->close(k->user, h);
}

/* Starts a walk of `path` (NUL-terminated) from fd entry `e`. The final
** name will be written to `name_buf` (WF_WASI_PATH_MAX + 2 bytes). */
static u16 walk_init(struct walk *k, struct weft_wasi *w,
                     const struct wf_wasi_fd *e, const char *path,
                     char *name_buf) {
  size_t len = strlen(path);

  memset(k, 0, sizeof *k);
  k->w = w;
  k->fs = e->fs;
  k->user = e->fs_user;
  k->root = e->file;
  k->cur = e->file;
  k->p = w->walk;
  k->name = name_buf;
  w->levels[0].dir = e->file;
  w->levels[0].name = 0;
  if (len == 0)
    return WEFT_WASI_ENOENT;
  if (path[0] == '/')
    return WEFT_WASI_EPERM; /* absolute: outside every capability */
  memcpy(k->p, path, len + 1);
  return WEFT_WASI_ESUCCESS;
}

/* Counts one fs lookup of this resolution (and of the call, for fuel);
** false once the budget is spent: the caller answers ELOOP. */
static bool walk_lookup(struct walk *k) {
  if (k->lookups >= WF_WASI_WALK_LOOKUPS)
    return false;
  k->lookups++;
  k->w->lookups++;
  return true;
}

static u16 walk_open_dir(struct walk *k, weft_wasi_file *parent,
                         const char *name, weft_wasi_file **out) {
  u8 type = 0;
  if (!walk_lookup(k))
    return WEFT_WASI_ELOOP;
  return k->fs->open_at(k->user, parent, name,
                        WEFT_WASI_OPEN_DIRECTORY | WEFT_WASI_OPEN_NOFOLLOW, 0,
                        out, &type);
}

/*
** The levels. `..` must not ask the fs for a parent, so it goes back to a
** directory the walk holds, re-opening by name the ones it let go. Holding
** every level could take thousands of host descriptors; re-opening from
** the start directory at each `..` made a path of n components and n `..`
** cost n*n/2 lookups. So the walk holds every WALK_STRIDE-th level (a
** checkpoint), and all levels of the segment it is in and of the one
** below; a `..` that lands below those re-opens at most WALK_STRIDE - 1
** levels from the checkpoint under it, which then serve the next
** WALK_STRIDE pops. Each `..` costs O(1) lookups on average, and the walk
** holds at most WF_WASI_DEPTH_MAX / WALK_STRIDE + 2 * WALK_STRIDE handles.
*/
#define WALK_STRIDE 32

/* `..`: drop the last level; cur is the one below, re-opened if needed. */
static u16 walk_pop(struct walk *k) {
  struct wf_wasi_level *lv = k->w->levels;
  u32 d, i;

  if (k->depth == 0)
    return WEFT_WASI_EPERM; /* would leave the fd's directory */
  walk_close_levels(k, k->depth, k->depth);
  k->names_len = lv[k->depth].name;
  d = --k->depth;
  for (i = d - d % WALK_STRIDE + 1; i <= d; i++) {
    u16 r;
    if (lv[i].dir != NULL)
      continue;
    r = walk_open_dir(k, lv[i - 1].dir, k->w->names + lv[i].name, &lv[i].dir);
    if (r != WEFT_WASI_ESUCCESS) {
      lv[i].dir = NULL;
      k->cur = NULL; /* the walk fails; walk_unwind restores cur */
      return r;
    }
  }
  k->cur = lv[d].dir;
  return WEFT_WASI_ESUCCESS;
}

/* Descends into `h`, the directory `name` in cur (taking it over). At a
** checkpoint, the segment two below is let go. */
static u16 walk_push(struct walk *k, const char *name, weft_wasi_file *h) {
  struct wf_wasi_level *lv = k->w->levels;
  size_t len = strlen(name) + 1;
  u32 d;

  if (k->names_len + len > WALK_CAP || k->depth >= WF_WASI_DEPTH_MAX) {
    k->fs->close(k->user, h);
    return WEFT_WASI_ENAMETOOLONG;
  }
  memcpy(k->w->names + k->names_len, name, len);
  d = ++k->depth;
  lv[d].dir = h;
  lv[d].name = k->names_len;
  k->names_len += (u32)len;
  k->cur = h;
  if (d % WALK_STRIDE == 0 && d >= 2 * WALK_STRIDE)
    walk_close_levels(k, d - 2 * WALK_STRIDE + 1, d - WALK_STRIDE - 1);
  return WEFT_WASI_ESUCCESS;
}

/* If p[start..end) names a symlink in cur, replace p with its target
** followed by p[end..] and start over; *was_link tells. */
static u16 walk_expand(struct walk *k, u32 start, u32 end, bool *was_link) {
  char *tmp = k->w->walk_tmp;
  size_t len = 0, rest_len;
  char saved = k->p[end];
  u16 r;

  *was_link = false;
  if (!walk_lookup(k))
    return WEFT_WASI_ELOOP;
  k->p[end] = '\0';
  r = k->fs->readlink_at ? k->fs->readlink_at(k->user, k->cur, k->p + start,
                                              tmp, WF_WASI_PATH_MAX, &len)
                         : WEFT_WASI_EINVAL;
  k->p[end] = saved;
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if (++k->links > WF_WASI_SYMLINK_MAX)
    return WEFT_WASI_ELOOP;
  if (len > WF_WASI_PATH_MAX)
    return WEFT_WASI_ENAMETOOLONG;
  if (len == 0)
    return WEFT_WASI_ENOENT;
  if (tmp[0] == '/')
    return WEFT_WASI_EPERM; /* absolute target: never followed */
  rest_len = strlen(k->p + end);
  if (len + rest_len + 1 > WALK_CAP)
    return WEFT_WASI_ENAMETOOLONG;
  memcpy(tmp + len, k->p + end, rest_len + 1);
  memcpy(k->p, tmp, len + rest_len + 1);
  k->pos = 0;
  *was_link = true;
  return WEFT_WASI_ESUCCESS;
}

/* After an open refused p[start..end) as a symlink or non-directory and
** readlink said it is not a symlink: true (retry) when it is a directory
** now, i.e. it was swapped while we looked, at most WALK_RETRIES times. */
static bool walk_changed(struct walk *k, u32 start, u32 end) {
  weft_wasi_filestat st;
  char saved = k->p[end];
  weft_wasi_errno r;

  if (k->retries >= WALK_RETRIES || k->fs->stat_at == NULL || !walk_lookup(k))
    return false;
  k->p[end] = '\0';
  r = k->fs->stat_at(k->user, k->cur, k->p + start, &st);
  k->p[end] = saved;
  if (r != WEFT_WASI_ESUCCESS ||
      (st.filetype != WEFT_WASI_FILETYPE_DIRECTORY &&
       st.filetype != WEFT_WASI_FILETYPE_SYMBOLIC_LINK))
    return false;
  k->retries++;
  return true;
}

/* Resolves every component but the last, which is left in
** p[final_start..final_end) and copied to k->name (k->trailing: it had a
** '/' after it, which is not copied). `.` and `..` as last component, and
** with k->descend a last component with a '/', leave the name "." in the
** directory they denote. */
static u16 walk_to_final(struct walk *k) {
  char *p = k->p;

  for (;;) {
    u32 start = k->pos, end, q;
    bool last;

    while (p[start] == '/')
      start++;
    end = start;
    while (p[end] != '\0' && p[end] != '/')
      end++;
    q = end;
    while (p[q] == '/')
      q++;
    last = p[q] == '\0';
    if (end == start) { /* only slashes left after a component */
      strcpy(k->name, ".");
      k->final_start = k->final_end = start;
      k->trailing = false;
      return WEFT_WASI_ESUCCESS;
    }
    if (end - start == 1 && p[start] == '.') {
      if (!last) {
        k->pos = q;
        continue;
      }
      strcpy(k->name, ".");
      k->final_start = start;
      k->final_end = end;
      k->trailing = false;
      return WEFT_WASI_ESUCCESS;
    }
    if (end - start == 2 && p[start] == '.' && p[start + 1] == '.') {
      u16 r = walk_pop(k);
      if (r != WEFT_WASI_ESUCCESS)
        return r;
      if (!last) {
        k->pos = q;
        continue;
      }
      strcpy(k->name, ".");
      k->final_start = start;
      k->final_end = end;
      k->trailing = false;
      return WEFT_WASI_ESUCCESS;
    }
    if (last && !(k->descend && q > end)) {
      u32 len = end - start;
      memcpy(k->name, p + start, len);
      k->trailing = q > end;
      k->name[len] = '\0';
      k->final_start = start;
      k->final_end = end;
      k->rest = q;
      return WEFT_WASI_ESUCCESS;
    }
    {
      weft_wasi_file *h = NULL;
      bool was_link = false;
      u16 r;
      p[end] = '\0';
      r = walk_open_dir(k, k->cur, p + start, &h);
      if (r == WEFT_WASI_ESUCCESS) {
        r = walk_push(k, p + start, h);
        p[end] = '/';
        if (r != WEFT_WASI_ESUCCESS)
          return r;
        k->pos = q;
        continue;
      }
      p[end] = '/';
      if (r == WEFT_WASI_ELOOP || r == WEFT_WASI_ENOTDIR ||
          r == WEFT_WASI_EMLINK) {
        u16 r2 = walk_expand(k, start, end, &was_link);
        if (was_link)
          continue;
        if (r2 == WEFT_WASI_EINVAL && walk_changed(k, start, end))
          continue; /* was a symlink, is a directory now: look again */
        if (r2 != WEFT_WASI_EINVAL && r2 != WEFT_WASI_ENOENT)
          r = r2; /* ELOOP, EPERM ... from the expansion */
      }
      return r;
    }
  }
}

/* The final component is a symlink to be followed: splice it in. */
static u16 walk_follow_final(struct walk *k, bool *was_link) {
  *was_link = false;
  if (k->final_end == k->final_start || strcmp(k->name, ".") == 0)
    return WEFT_WASI_ESUCCESS;
  return walk_expand(k, k->final_start, k->final_end, was_link);
}

/* Resolves the whole path: *out_dir is the directory holding the final
** component (release it with walk_release), k->name its name. With
** `follow`, a final symlink is followed. */
static u16 walk_resolve(struct walk *k, bool follow, weft_wasi_file **out_dir) {
  u16 r;

  *out_dir = NULL;
  for (;;) {
    bool was_link = false;
    r = walk_to_final(k);
    if (r != WEFT_WASI_ESUCCESS)
      break;
    if (!follow)
      break;
    r = walk_follow_final(k, &was_link);
    if (r == WEFT_WASI_EINVAL || r == WEFT_WASI_ENOENT) {
      r = WEFT_WASI_ESUCCESS; /* not a symlink (or absent): this is it */
      break;
    }
    if (r != WEFT_WASI_ESUCCESS || !was_link)
      break;
  }
  if (r != WEFT_WASI_ESUCCESS) {
    walk_unwind(k);
    return r;
  }
  walk_keep_cur(k);
  *out_dir = k->cur;
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */

/* {====================================================================
** Recorded paths: how each opened descriptor can be opened again
** (snapshots, wasi_snap.c). A path is the descriptor's guest path below
** its preopen, components joined by one '/', "." and empty ones dropped
** (`..` is kept: only the walk may interpret it, after symlinks). It is
** only a hint kept up to date through renames; a snapshot checks that it
** still names the open file before trusting it.
** ===================================================================== */

/* Appends the components of `p` to buf[0..*n), at most `cap` bytes in all;
** false when they do not fit. */
static bool append_components(char *buf, u32 *n, u32 cap, const char *p) {
  while (*p != '\0') {
    const char *c;
    u32 len;
    while (*p == '/')
      p++;
    c = p;
    while (*p != '\0' && *p != '/')
      p++;
    len = (u32)(p - c);
    if (len == 0 || (len == 1 && c[0] == '.'))
      continue;
    if ((u64)*n + (*n != 0) + len > cap)
      return false;
    if (*n != 0)
      buf[(*n)++] = '/';
    memcpy(buf + *n, c, len);
    *n += len;
  }
  return true;
}

/* The path of `dir` joined with `path` into buf (cap bytes + NUL), or
** false when unknown or too long. A trailing '/' is kept with `slash`. */
static bool join_path(const struct wf_wasi_fd *dir, const char *path,
                      bool slash, char *buf, u32 cap, u32 *out_len) {
  size_t plen = strlen(path);
  u32 n = 0;

  if (dir->origin != WF_FD_PREOPEN &&
      (dir->origin != WF_FD_OPENED || dir->path == NULL))
    return false; /* below stdio or a path we lost: unknown */
  if (dir->origin == WF_FD_OPENED &&
      !append_components(buf, &n, cap, dir->path))
    return false;
  if (!append_components(buf, &n, cap, path))
    return false;
  if (slash && plen > 0 && path[plen - 1] == '/' && n > 0) {
    if (n + 1 > cap)
      return false;
    buf[n++] = '/'; /* "d/": d as a directory, even through a symlink */
  }
  if (n == 0)
    buf[n++] = '.';
  buf[n] = '\0';
  *out_len = n;
  return true;
}

/* The recorded path of a descriptor path_open makes from `path` below
** `dir` (*out NULL: unknown; ENOMEM). */
static u16 record_path(struct weft_wasi *w, const struct wf_wasi_fd *dir,
                       const char *path, char **out, u32 *out_len) {
  char *buf = w->walk_tmp; /* the walk is over: free again */
  u32 n = 0;

  *out = NULL;
  *out_len = 0;
  if (!join_path(dir, path, true, buf, WF_WASI_PATH_MAX, &n))
    return WEFT_WASI_ESUCCESS;
  *out = wf_alloc_raw(w->alloc, n + 1);
  if (*out == NULL)
    return WEFT_WASI_ENOMEM;
  memcpy(*out, buf, n + 1);
  *out_len = n;
  return WEFT_WASI_ESUCCESS;
}

/* Whether `p` has a ".." component (a rename through one is not
** followed lexically). */
static bool has_dotdot(const char *p) {
  const char *c = p;
  for (;; p++) {
    if (*p == '/' || *p == '\0') {
      if (p - c == 2 && c[0] == '.' && c[1] == '.')
        return true;
      if (*p == '\0')
        return false;
      c = p + 1;
    }
  }
}

/* One descriptor's path after `from` (below root sroot) was renamed to
** `to` (below droot): its new path, or unknown when it no longer fits. */
static void rename_one(struct weft_wasi *w, struct wf_wasi_fd *f,
                       const char *from, u32 droot, const char *to) {
  size_t flen = strlen(from), tlen = strlen(to);
  size_t rest = f->path_len - flen, n = tlen + rest;
  char *p = n <= WF_WASI_PATH_MAX ? wf_alloc_raw(w->alloc, n + 1) : NULL;

  if (p != NULL) {
    memcpy(p, to, tlen);
    memcpy(p + tlen, f->path + flen, rest + 1);
  }
  wf_alloc_free(w->alloc, f->path, f->path_len + 1);
  f->path = p; /* NULL: unknown, a snapshot refuses this fd */
  f->path_len = p != NULL ? (u32)n : 0;
  f->root = droot;
}

/* After a rename of `from` below root sroot to `to` below droot: every
** descriptor at or below `from` follows it. */
static void rename_update(struct weft_wasi *w, u32 sroot, const char *from,
                          u32 droot, const char *to) {
  size_t flen = strlen(from);
  u32 fd;

  if (has_dotdot(from) || has_dotdot(to) || strcmp(from, ".") == 0)
    return; /* not followed: a snapshot finds the path stale and says so */
  for (fd = 0; fd < w->nfds; fd++) {
    struct wf_wasi_fd *f = &w->fds[fd];
    if (f->fs == NULL || f->origin != WF_FD_OPENED || f->path == NULL ||
        f->root != sroot || f->path_len < flen ||
        memcmp(f->path, from, flen) != 0 ||
        (f->path[flen] != '\0' && f->path[flen] != '/'))
      continue;
    rename_one(w, f, from, droot, to);
  }
}

/* Whether any descriptor was opened below root `root` (renames below the
** others need no bookkeeping). */
static bool any_opened_below(const struct weft_wasi *w, u32 root) {
  u32 fd;
  for (fd = 0; fd < w->nfds; fd++)
    if (w->fds[fd].fs != NULL && w->fds[fd].origin == WF_FD_OPENED &&
        w->fds[fd].root == root)
      return true;
  return false;
}

/* Before a rename: both paths, joined and normalized, in one allocation
** (*out NULL when not needed, unknown or out of memory). */
static void rename_paths(struct weft_wasi *w, const struct wf_wasi_fd *e1,
                         const struct wf_wasi_fd *e2, char **out) {
  const u32 cap = WF_WASI_PATH_MAX;
  char *buf;
  u32 n;

  *out = NULL;
  if (e1->origin != WF_FD_PREOPEN && e1->origin != WF_FD_OPENED)
    return;
  if (!any_opened_below(w, e1->root))
    return;
  buf = wf_alloc_raw(w->alloc, 2 * (cap + 1));
  if (buf == NULL)
    return;
  if (!join_path(e1, w->path_a, false, buf, cap, &n) ||
      !join_path(e2, w->path_b, false, buf + cap + 1, cap, &n)) {
    wf_alloc_free(w->alloc, buf, 2 * (cap + 1));
    return;
  }
  *out = buf;
}

/* }==================================================================== */

/* {====================================================================
** Common steps of the path_* functions
** ===================================================================== */

/* A directory fd with `need` rights. Below a read-only preopen every
** right that changes the tree answers EROFS, before the rights check. */
static u16 dir_fd_get(struct weft_wasi *w, u32 fd, u64 need,
                      struct wf_wasi_fd **out) {
  u16 r = wf_wasi_fd_get(w, fd, 0, out);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if ((*out)->filetype != WEFT_WASI_FILETYPE_DIRECTORY)
    return WEFT_WASI_ENOTDIR;
  if ((*out)->read_only && (need & WF_RIGHTS_DIR_MUTATE))
    return WEFT_WASI_EROFS;
  return wf_wasi_fd_get(w, fd, need, out);
}

/* Copies a guest path, then looks up its directory fd. */
static u16 path_begin(struct weft_wasi *w, const struct wf_mem *m, u32 fd,
                      u64 need, u32 path_ptr, u32 path_len, char *buf,
                      struct wf_wasi_fd **out) {
  u16 r = wf_wasi_path_copy(m, path_ptr, path_len, buf);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  return dir_fd_get(w, fd, need, out);
}

/* Resolves `path` below fd entry `e` for a function that acts on what the
** path denotes: "x/" is "x/." (the name "." in x). The final name lands in
** `buf`. */
static u16 path_resolve(struct weft_wasi *w, const struct wf_wasi_fd *e,
                        char *buf, bool follow, struct walk *k,
                        weft_wasi_file **dir) {
  u16 r = walk_init(k, w, e, buf, buf);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  k->descend = true;
  return walk_resolve(k, follow, dir);
}

/* Resolves `path` for a function that acts on the final entry itself: a
** final symlink is never followed, and a trailing slash is only reported
** (k->trailing) for the function to answer. */
static u16 path_resolve_entry(struct weft_wasi *w, struct wf_wasi_fd *e,
                              char *buf, struct walk *k, weft_wasi_file **dir) {
  u16 r = walk_init(k, w, e, buf, buf);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  return walk_resolve(k, false, dir);
}

/* What an entry named with a trailing slash answers when the function may
** not act on it as it is: ENOENT when absent, `if_dir` for a directory,
** `if_link` for a symlink (never followed) and ENOTDIR for anything else. */
static u16 slash_answer(const struct wf_wasi_fd *e, weft_wasi_file *dir,
                        const char *name, u16 if_dir, u16 if_link) {
  weft_wasi_filestat st;
  u16 r;

  if (e->fs->stat_at == NULL)
    return WEFT_WASI_ENOTSUP;
  r = e->fs->stat_at(e->fs_user, dir, name, &st);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if (st.filetype == WEFT_WASI_FILETYPE_DIRECTORY)
    return if_dir;
  if (st.filetype == WEFT_WASI_FILETYPE_SYMBOLIC_LINK)
    return if_link;
  return WEFT_WASI_ENOTDIR;
}

typedef weft_wasi_errno (*name_op)(void *user, weft_wasi_file *dir,
                                   const char *name);

/* The shape of create_directory, remove_directory and unlink_file. */
static u16 simple_op(struct weft_wasi *w, const struct wf_mem *m,
                     const weft_slot *a, u64 need, size_t op_offset) {
  struct wf_wasi_fd *e;
  struct walk k;
  weft_wasi_file *dir;
  name_op op;
  u16 r = path_begin(w, m, a[0].u32, need, a[1].u32, a[2].u32, w->path_a, &e);

  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if (e->read_only)
    return WEFT_WASI_EROFS;
  memcpy(&op, (const char *)e->fs + op_offset, sizeof op);
  if (op == NULL)
    return WEFT_WASI_ENOTSUP;
  if ((r = path_resolve_entry(w, e, w->path_a, &k, &dir)) != WEFT_WASI_ESUCCESS)
    return r;
  /* "file/" is never unlinked (mkdir and rmdir mean the same with or
  ** without the slash, and neither follows a symlink). */
  if (k.trailing && op == e->fs->unlink_at)
    r = slash_answer(e, dir, k.name, WEFT_WASI_EISDIR, WEFT_WASI_ENOTDIR);
  else
    r = op(e->fs_user, dir, k.name);
  walk_release(&k, dir);
  return r;
}

/* }==================================================================== */

WF_WASI_FN(path_create_directory) {
  return simple_op(w, m, a, WF_R_PATH_CREATE_DIRECTORY,
                   offsetof(weft_wasi_fs, mkdir_at));
}

WF_WASI_FN(path_remove_directory) {
  return simple_op(w, m, a, WF_R_PATH_REMOVE_DIRECTORY,
                   offsetof(weft_wasi_fs, rmdir_at));
}

WF_WASI_FN(path_unlink_file) {
  return simple_op(w, m, a, WF_R_PATH_UNLINK_FILE,
                   offsetof(weft_wasi_fs, unlink_at));
}

WF_WASI_FN(path_filestat_get) {
  struct wf_wasi_fd *e;
  struct walk k;
  weft_wasi_file *dir;
  weft_wasi_filestat st;
  u32 flags = a[1].u32, out = a[4].u32;
  u16 r;

  if (!wf_mem_ok(m, out, 64))
    return WEFT_WASI_EFAULT;
  r = path_begin(w, m, a[0].u32, WF_R_PATH_FILESTAT_GET, a[2].u32, a[3].u32,
                 w->path_a, &e);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if (e->fs->stat_at == NULL)
    return WEFT_WASI_ENOTSUP;
  /* Stat the final component first: only a symlink needs the follow walk
  ** (programs like SQLite stat absent files thousands of times, and a
  ** readlink per stat doubled their system calls). The walk rewrites the
  ** path in place: keep a copy for the second walk (guest memory is not
  ** read twice). */
  memcpy(w->path_b, w->path_a, strlen(w->path_a) + 1);
  r = path_resolve(w, e, w->path_a, false, &k, &dir);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  memset(&st, 0, sizeof st);
  r = e->fs->stat_at(e->fs_user, dir, k.name, &st);
  walk_release(&k, dir);
  if (r == WEFT_WASI_ESUCCESS && (flags & LOOKUP_SYMLINK_FOLLOW) &&
      st.filetype == WEFT_WASI_FILETYPE_SYMBOLIC_LINK) {
    r = path_resolve(w, e, w->path_b, true, &k, &dir);
    if (r != WEFT_WASI_ESUCCESS)
      return r;
    memset(&st, 0, sizeof st);
    r = e->fs->stat_at(e->fs_user, dir, k.name, &st);
    walk_release(&k, dir);
  }
  if (r == WEFT_WASI_ESUCCESS)
    wf_wasi_put_filestat(m->base + out, &st);
  return r;
}

WF_WASI_FN(path_filestat_set_times) {
  struct wf_wasi_fd *e;
  struct walk k;
  weft_wasi_file *dir;
  u32 flags = a[1].u32, fst = a[6].u32;
  u16 r = path_begin(w, m, a[0].u32, WF_R_PATH_FILESTAT_SET_TIMES, a[2].u32,
                     a[3].u32, w->path_a, &e);

  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if ((r = wf_wasi_check_fstflags(fst)) != WEFT_WASI_ESUCCESS)
    return r;
  if (e->read_only)
    return WEFT_WASI_EROFS;
  if (e->fs->set_times_at == NULL)
    return WEFT_WASI_ENOTSUP;
  r = path_resolve(w, e, w->path_a, (flags & LOOKUP_SYMLINK_FOLLOW) != 0, &k,
                   &dir);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  r = e->fs->set_times_at(e->fs_user, dir, k.name, a[4].u64, a[5].u64,
                          (u16)fst);
  walk_release(&k, dir);
  return r;
}

WF_WASI_FN(path_readlink) {
  struct wf_wasi_fd *e;
  struct walk k;
  weft_wasi_file *dir;
  u32 buf = a[3].u32, buf_len = a[4].u32, used_ptr = a[5].u32;
  size_t len = 0;
  u16 r;

  if (!wf_mem_ok(m, buf, buf_len) || !wf_mem_ok(m, used_ptr, 4))
    return WEFT_WASI_EFAULT;
  r = path_begin(w, m, a[0].u32, WF_R_PATH_READLINK, a[1].u32, a[2].u32,
                 w->path_a, &e);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if (e->fs->readlink_at == NULL)
    return WEFT_WASI_ENOTSUP;
  if ((r = path_resolve(w, e, w->path_a, false, &k, &dir)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  r = e->fs->readlink_at(e->fs_user, dir, k.name, (char *)m->base + buf,
                         buf_len, &len);
  walk_release(&k, dir);
  if (r == WEFT_WASI_ESUCCESS)
    wf_put_u32(m->base + used_ptr, (u32)(len < buf_len ? len : buf_len));
  return r;
}

/* A new name ending in '/' (symlink, link) is never created: ENOENT when
** absent, EEXIST for a directory or symlink, ENOTDIR for another entry,
** as wasmtime answers on Linux. */
static u16 slash_new_name(const struct wf_wasi_fd *e, weft_wasi_file *dir,
                          const char *name) {
  return slash_answer(e, dir, name, WEFT_WASI_EEXIST, WEFT_WASI_EEXIST);
}

WF_WASI_FN(path_symlink) {
  struct wf_wasi_fd *e;
  struct walk k;
  weft_wasi_file *dir;
  u16 r = wf_wasi_path_copy(m, a[0].u32, a[1].u32, w->path_b);

  if (r != WEFT_WASI_ESUCCESS)
    return r;
  r = path_begin(w, m, a[2].u32, WF_R_PATH_SYMLINK, a[3].u32, a[4].u32,
                 w->path_a, &e);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if (e->read_only)
    return WEFT_WASI_EROFS;
  if (w->path_b[0] == '/')
    return WEFT_WASI_EPERM; /* could only ever point outside */
  if (w->path_b[0] == '\0')
    return WEFT_WASI_ENOENT;
  if (e->fs->symlink_at == NULL)
    return WEFT_WASI_ENOTSUP;
  if ((r = path_resolve_entry(w, e, w->path_a, &k, &dir)) != WEFT_WASI_ESUCCESS)
    return r;
  if (k.trailing)
    r = slash_new_name(e, dir, k.name);
  else
    r = e->fs->symlink_at(e->fs_user, w->path_b, dir, k.name);
  walk_release(&k, dir);
  return r;
}

/* Trailing slashes on rename and link, answered before the fs sees the
** bare names. A link never succeeds with one (the source would be a
** directory, which cannot be linked, or "file/"; the new name "x/" is
** never created). A rename needs a directory as source: checked here,
** then renamed by name; were it swapped for another entry meanwhile, that
** entry is renamed, inside the same directories: nothing is followed. */
static u16 two_path_slashes(const struct wf_wasi_fd *e, weft_wasi_file *d1,
                            const struct walk *k1, weft_wasi_file *d2,
                            const struct walk *k2, bool is_link) {
  if (is_link && k1->trailing)
    return slash_answer(e, d1, k1->name, WEFT_WASI_EPERM, WEFT_WASI_ENOTDIR);
  if (is_link && k2->trailing)
    return slash_new_name(e, d2, k2->name);
  if (k1->trailing || k2->trailing)
    return slash_answer(e, d1, k1->name, WEFT_WASI_ESUCCESS, WEFT_WASI_ENOTDIR);
  return WEFT_WASI_ESUCCESS;
}

/* rename and link: two paths, each below its own fd, on one fs. */
static u16 two_path_op(struct weft_wasi *w, const struct wf_mem *m, u32 fd1,
                       u32 p1, u32 l1, u64 need1, u32 fd2, u32 p2, u32 l2,
                       u64 need2, bool is_link) {
  struct wf_wasi_fd *e1, *e2;
  struct walk k1, k2;
  weft_wasi_file *d1, *d2;
  char *moved = NULL; /* for a rename: source and target paths */
  u32 sroot, droot;
  u16 r;

  if ((r = wf_wasi_path_copy(m, p2, l2, w->path_b)) != WEFT_WASI_ESUCCESS)
    return r;
  if ((r = path_begin(w, m, fd1, need1, p1, l1, w->path_a, &e1)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  if ((r = dir_fd_get(w, fd2, need2, &e2)) != WEFT_WASI_ESUCCESS)
    return r;
  /* A link or rename out of a read-only tree would make it writable. */
  if (e1->read_only || e2->read_only)
    return WEFT_WASI_EROFS;
  if (e1->fs != e2->fs || e1->fs_user != e2->fs_user)
    return WEFT_WASI_EXDEV;
  if ((is_link && e1->fs->link_at == NULL) ||
      (!is_link && e1->fs->rename_at == NULL))
    return WEFT_WASI_ENOTSUP;
  if (!is_link)
    rename_paths(w, e1, e2, &moved);
  sroot = e1->root;
  droot = e2->root;
  if ((r = path_resolve_entry(w, e1, w->path_a, &k1, &d1)) !=
      WEFT_WASI_ESUCCESS)
    goto done;
  if ((r = path_resolve_entry(w, e2, w->path_b, &k2, &d2)) !=
      WEFT_WASI_ESUCCESS) {
    walk_release(&k1, d1);
    goto done;
  }
  r = two_path_slashes(e1, d1, &k1, d2, &k2, is_link);
  if (r == WEFT_WASI_ESUCCESS && is_link)
    r = e1->fs->link_at(e1->fs_user, d1, k1.name, d2, k2.name);
  else if (r == WEFT_WASI_ESUCCESS)
    r = e1->fs->rename_at(e1->fs_user, d1, k1.name, d2, k2.name);
  walk_release(&k2, d2);
  walk_release(&k1, d1);
done:
  if (moved != NULL) {
    if (r == WEFT_WASI_ESUCCESS)
      rename_update(w, sroot, moved, droot, moved + WF_WASI_PATH_MAX + 1);
    wf_alloc_free(w->alloc, moved, 2 * (WF_WASI_PATH_MAX + 1));
  }
  return r;
}

WF_WASI_FN(path_rename) {
  return two_path_op(w, m, a[0].u32, a[1].u32, a[2].u32,
                     WF_R_PATH_RENAME_SOURCE, a[3].u32, a[4].u32, a[5].u32,
                     WF_R_PATH_RENAME_TARGET, false);
}

WF_WASI_FN(path_link) {
  if (a[1].u32 & LOOKUP_SYMLINK_FOLLOW)
    return WEFT_WASI_EINVAL; /* wasmtime refuses to follow here too */
  return two_path_op(w, m, a[0].u32, a[2].u32, a[3].u32, WF_R_PATH_LINK_SOURCE,
                     a[4].u32, a[5].u32, a[6].u32, WF_R_PATH_LINK_TARGET, true);
}

/* {====================================================================
** path_open
** ===================================================================== */

/* Opens with the walk: the final component with NOFOLLOW, and a symlink
** there spliced in when following. */
static u16 open_walk(struct weft_wasi *w, const struct wf_wasi_fd *e, u32 flags,
                     bool follow, u16 fdflags, weft_wasi_file **out,
                     u8 *out_type) {
  struct walk k;
  u16 r = walk_init(&k, w, e, w->path_a, w->path_b);

  if (r != WEFT_WASI_ESUCCESS)
    return r;
  for (;;) {
    u32 f = flags | WEFT_WASI_OPEN_NOFOLLOW;
    bool was_link = false;
    if ((r = walk_to_final(&k)) != WEFT_WASI_ESUCCESS)
      break;
    if (k.trailing)
      f |= WEFT_WASI_OPEN_DIRECTORY; /* "x/": x, as a directory */
    if (!walk_lookup(&k)) {
      r = WEFT_WASI_ELOOP;
      break;
    }
    r = e->fs->open_at(e->fs_user, k.cur, k.name, f, fdflags, out, out_type);
    if (r != WEFT_WASI_ELOOP && r != WEFT_WASI_ENOTDIR)
      break;
    if (!follow && !k.trailing)
      break;
    {
      u16 r2 = walk_follow_final(&k, &was_link);
      if (r2 == WEFT_WASI_EINVAL && k.retries < WALK_RETRIES &&
          r == WEFT_WASI_ELOOP) {
        k.retries++; /* was a symlink, is not any more: open again */
        continue;
      }
      if (r2 != WEFT_WASI_ESUCCESS && r2 != WEFT_WASI_EINVAL &&
          r2 != WEFT_WASI_ENOENT)
        r = r2; /* a symlink that may not be followed: EPERM, ELOOP */
      if (!was_link)
        break;
    }
  }
  walk_unwind(&k);
  return r;
}

/* Components of a path: the lookups the fs makes to resolve it in one
** call (the fuel open_beneath is charged; its symlinks, at most 40, are
** not seen here). */
static u32 path_components(const char *p) {
  u32 n = 0;
  for (; *p != '\0'; p++)
    if (*p != '/' && (p[1] == '/' || p[1] == '\0'))
      n++;
  return n;
}

/* Tries the fs's one-call beneath resolution; ENOSYS when unavailable,
** EAGAIN when it kept racing renames (neither is charged). */
static u16 open_beneath(struct weft_wasi *w, const struct wf_wasi_fd *e,
                        u32 flags, bool follow, u16 fdflags,
                        weft_wasi_file **out, u8 *out_type) {
  u16 r;
  int tries;

  if (w->no_beneath || e->fs->open_beneath == NULL)
    return WEFT_WASI_ENOSYS;
  if (w->path_a[0] == '/')
    return WEFT_WASI_EPERM;
  if (w->path_a[0] == '\0')
    return WEFT_WASI_ENOENT;
  if (!follow)
    flags |= WEFT_WASI_OPEN_NOFOLLOW;
  for (tries = 0; tries < 4; tries++) {
    r = e->fs->open_beneath(e->fs_user, e->file, w->path_a, flags, fdflags, out,
                            out_type);
    if (r != WEFT_WASI_EAGAIN)
      break; /* EAGAIN: a rename raced the lookup; try again */
  }
  /* One resolution of the path is charged. ENOSYS looked nothing up: the
  ** walk that follows charges its own steps, as where the kernel has no
  ** openat2 (qemu-user). The retries are not the program's work: the
  ** kernel answers EAGAIN when a rename anywhere on the system meets a
  ** lookup through "..", and charging them made a program's fuel vary
  ** with what else the machine ran (open_walk_as_beneath, for the same
  ** reason, charges as this does). */
  if (r == WEFT_WASI_ENOSYS) {
    w->no_beneath = true;
    return r;
  }
  if (r == WEFT_WASI_EAGAIN)
    return r;
  w->lookups += path_components(w->path_a);
  return r == WEFT_WASI_EXDEV ? WEFT_WASI_EPERM : r; /* EXDEV: led outside */
}

/* open_beneath kept racing renames: the walk answers instead, charged as
** open_beneath is (one lookup per component), not its own steps. Which
** resolver answers then depends on what else the machine runs, and the
** walk's count differs for `..` (it re-opens levels it let go): tests/
** wasi/dirs.c's 200 levels up cost 45 lookups less walked, so a program's
** fuel varied by 45,000 or 92,000 from run to run under load. */
static u16 open_walk_as_beneath(struct weft_wasi *w, const struct wf_wasi_fd *e,
                                u32 flags, bool follow, u16 fdflags,
                                weft_wasi_file **out, u8 *out_type) {
  /* counted first: the walk splices symlink targets into path_a */
  u32 charged = w->lookups + path_components(w->path_a);
  u16 r = open_walk(w, e, flags, follow, fdflags, out, out_type);

  w->lookups = charged;
  return r;
}

u64 wf_wasi_opened_rights(u8 type, u64 base) {
  if (type == WEFT_WASI_FILETYPE_DIRECTORY)
    return base & WF_RIGHTS_DIR;
  if (type == WEFT_WASI_FILETYPE_REGULAR_FILE)
    return base & WF_RIGHTS_FILE;
  return base & WF_RIGHTS_FILE & ~(WF_R_FD_SEEK | WF_R_FD_TELL);
}

u16 wf_wasi_open_below(struct weft_wasi *w, const struct wf_wasi_fd *dir,
                       const char *path, u32 flags, bool follow, u16 fdflags,
                       weft_wasi_file **out, u8 *out_type) {
  size_t len = strlen(path);
  u16 r;

  if (len > WF_WASI_PATH_MAX)
    return WEFT_WASI_ENAMETOOLONG;
  if (path != w->path_a)
    memcpy(w->path_a, path, len + 1);
  r = open_beneath(w, dir, flags, follow, fdflags, out, out_type);
  if (r == WEFT_WASI_ENOSYS)
    r = open_walk(w, dir, flags, follow, fdflags, out, out_type);
  else if (r == WEFT_WASI_EAGAIN)
    r = open_walk_as_beneath(w, dir, flags, follow, fdflags, out, out_type);
  return r;
}

u16 wf_wasi_stat_below(struct weft_wasi *w, const struct wf_wasi_fd *dir,
                       const char *path, bool follow, weft_wasi_filestat *out) {
  struct walk k;
  weft_wasi_file *d;
  size_t len = strlen(path);
  u16 r;

  if (len > WF_WASI_PATH_MAX)
    return WEFT_WASI_ENAMETOOLONG;
  if (dir->fs->stat_at == NULL)
    return WEFT_WASI_ENOTSUP;
  memcpy(w->path_a, path, len + 1);
  if ((r = path_resolve(w, dir, w->path_a, follow, &k, &d)) !=
      WEFT_WASI_ESUCCESS)
    return r;
  memset(out, 0, sizeof *out);
  r = dir->fs->stat_at(dir->fs_user, d, k.name, out);
  walk_release(&k, d);
  return r;
}

WF_WASI_FN(path_open) {
  u32 fd = a[0].u32, dirflags = a[1].u32, oflags = a[4].u32;
  u64 base = a[5].u64, inheriting = a[6].u64;
  u32 fdflags = a[7].u32, out_ptr = a[8].u32, new_fd = 0, flags;
  struct wf_wasi_fd *e, *ne;
  weft_wasi_file *file = NULL;
  u8 type = WEFT_WASI_FILETYPE_UNKNOWN;
  u64 need = WF_R_PATH_OPEN;
  bool follow = (dirflags & LOOKUP_SYMLINK_FOLLOW) != 0;
  u16 r;

  if (!wf_mem_ok(m, out_ptr, 4))
    return WEFT_WASI_EFAULT;
  if (oflags & WEFT_WASI_OPEN_CREAT)
    need |= WF_R_PATH_CREATE_FILE;
  if (oflags & WEFT_WASI_OPEN_TRUNC)
    need |= WF_R_PATH_FILESTAT_SET_SIZE;
  r = path_begin(w, m, fd, need, a[2].u32, a[3].u32, w->path_a, &e);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  if ((oflags & ~(u32)OFLAGS_ALL) != 0 || fdflags > 0x1f)
    return WEFT_WASI_EINVAL;
  if ((oflags & WEFT_WASI_OPEN_CREAT) && (oflags & WEFT_WASI_OPEN_DIRECTORY))
    return WEFT_WASI_EINVAL;
  base &= e->inheriting; /* a new descriptor never gains rights */
  inheriting &= e->inheriting;
  if (e->read_only &&
      ((oflags & (WEFT_WASI_OPEN_CREAT | WEFT_WASI_OPEN_TRUNC)) ||
       (base & WF_RIGHTS_WRITE)))
    return WEFT_WASI_EROFS;
  flags = oflags;
  if (base & WF_RIGHTS_WRITE)
    flags |= WEFT_WASI_OPEN_WRITE;
  if ((base & (WF_R_FD_READ | WF_R_FD_READDIR)) || !(base & WF_RIGHTS_WRITE))
    flags |= WEFT_WASI_OPEN_READ;
  r = wf_wasi_open_below(w, e, w->path_a, flags, follow, (u16)fdflags, &file,
                         &type);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  /* e may move when the table grows: keep what we need first. */
  {
    const weft_wasi_fs *fs = e->fs;
    void *user = e->fs_user;
    bool ro = e->read_only;
    u32 io_slot = e->io_slot; /* counted under the same preopen */
    u32 root = e->root;
    char *path = NULL;
    u32 path_len = 0;
    r = record_path(w, e, w->path_a, &path, &path_len);
    if (r == WEFT_WASI_ESUCCESS)
      r = wf_wasi_fd_alloc(w, &new_fd);
    if (r != WEFT_WASI_ESUCCESS) {
      if (path != NULL)
        wf_alloc_free(w->alloc, path, path_len + 1);
      fs->close(user, file);
      return r;
    }
    ne = &w->fds[new_fd];
    ne->fs = fs;
    ne->fs_user = user;
    ne->read_only = ro;
    ne->io_slot = io_slot;
    ne->origin = WF_FD_OPENED;
    ne->root = root;
    ne->path = path;
    ne->path_len = path_len;
  }
  ne->access = (u16)(flags & (WEFT_WASI_OPEN_READ | WEFT_WASI_OPEN_WRITE));
  ne->dir_oflag = (oflags & WEFT_WASI_OPEN_DIRECTORY) != 0;
  ne->follow = follow;
  base = wf_wasi_opened_rights(type, base);
  ne->file = file;
  ne->filetype = type;
  ne->fdflags = (u16)fdflags;
  ne->base = base;
  ne->inheriting = inheriting;
  wf_put_u32(m->base + out_ptr, new_fd);
  return WEFT_WASI_ESUCCESS;
}

/* }==================================================================== */
