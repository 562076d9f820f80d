/*
** wasi_fs_optee.c — what WASI preview 1 sits on inside the weft TA
** (weft_wasi_fs and weft_wasi_sys of weft_wasi_fs.h, over libutee):
**
** - Files: one flat directory (the preopen) of OP-TEE persistent objects
**   in TEE_STORAGE_PRIVATE, object ID "f:" + the file's name. OP-TEE
**   encrypts and authenticates them with a key derived from its hardware
**   unique key and the TA's UUID, and keeps them through tee-supplicant in
**   the normal world's REE FS (/data/tee): the normal world stores only
**   ciphertext it cannot read or change undetected. No subdirectories,
**   links or timestamps (ENOTSUP). A damaged object reads as EIO: OP-TEE
**   then deletes it and closes its handle (GlobalPlatform's rule for
**   corrupt objects), and the file's descriptor answers EIO from then on.
** - stdin is empty; stdout and stderr are captured in the TA heap and
**   handed to the normal world when the program ends (wtz_wasi.c), up to
**   WTZ_WASI_OUT_MAX bytes each (beyond: the rest is dropped, and said).
** - Clocks: realtime is the REE's time (TEE_GetREETime: the normal world
**   sets it, so it is not trusted); monotonic is the TEE's system time.
**   Random: TEE_GenerateRandom. poll_oneoff can only sleep.
** TA-only (tee_internal_api.h). weft_wasi_fs_host() and
** weft_wasi_sys_host() name these tables: WASI adopts stdio through the
** former.
*/
#include <string.h>
#include <tee_internal_api.h>

#include "weft_wasi_fs.h"
#include "wtz_wasi.h"

enum { F_DIR = 1, F_OBJ, F_IN, F_OUT };

struct weft_wasi_file {
  int kind;
  int stream; /* F_OUT: 0 stdout, 1 stderr */
  TEE_ObjectHandle obj;
  uint16_t fdflags;
  char id[TEE_OBJECT_ID_MAX_LEN];
  uint32_t id_len;
};

/* ---- captured output --------------------------------------------------- */

static struct {
  char *buf[2];
  size_t len[2];
  int dropped;
} out;

void wtz_wasi_capture_reset(void) {
  for (int i = 0; i < 2; i++) {
    TEE_Free(out.buf[i]);
    out.buf[i] = NULL;
    out.len[i] = 0;
  }
  out.dropped = 0;
}

const char *wtz_wasi_captured(int stream, size_t *len, int *dropped) {
  *len = out.len[stream];
  *dropped = out.dropped;
  return out.buf[stream];
}

static void capture(int stream, const void *p, size_t n) {
  if (!out.buf[stream])
    out.buf[stream] = TEE_Malloc(WTZ_WASI_OUT_MAX, TEE_MALLOC_FILL_ZERO);
  size_t room = out.buf[stream] ? WTZ_WASI_OUT_MAX - out.len[stream] : 0;
  if (n > room) {
    out.dropped = 1;
    n = room;
  }
  if (n) {
    memcpy(out.buf[stream] + out.len[stream], p, n);
    out.len[stream] += n;
  }
}

/* ---- helpers --------------------------------------------------------- */

static weft_wasi_errno err_of(TEE_Result r) {
  switch (r) {
  case TEE_SUCCESS: return WEFT_WASI_ESUCCESS;
  case TEE_ERROR_ITEM_NOT_FOUND: return WEFT_WASI_ENOENT;
  case TEE_ERROR_ACCESS_CONFLICT: return WEFT_WASI_EBUSY;
  case TEE_ERROR_OUT_OF_MEMORY: return WEFT_WASI_ENOMEM;
  case TEE_ERROR_STORAGE_NO_SPACE: return WEFT_WASI_ENOSPC;
  case TEE_ERROR_OVERFLOW: return WEFT_WASI_EFBIG;
  case TEE_ERROR_BAD_PARAMETERS: return WEFT_WASI_EINVAL;
  default: return WEFT_WASI_EIO; /* corrupt objects among them */
  }
}

/* The object ID of `name` ("f:" + name); ENAMETOOLONG beyond the
** 64 bytes GlobalPlatform allows. */
static weft_wasi_errno make_id(const char *name, char *id, uint32_t *len) {
  size_t n = strlen(name);
  if (n + 2 > TEE_OBJECT_ID_MAX_LEN)
    return WEFT_WASI_ENAMETOOLONG;
  id[0] = 'f';
  id[1] = ':';
  memcpy(id + 2, name, n);
  *len = (uint32_t)(n + 2);
  return WEFT_WASI_ESUCCESS;
}

/* After a call on f's object: a corrupt object has been deleted and its
** handle closed by OP-TEE, so the handle must never be used again (libutee
** panics the TA on a stale handle). Returns r's errno. */
static weft_wasi_errno seen(weft_wasi_file *f, TEE_Result r) {
  if (r == TEE_ERROR_CORRUPT_OBJECT || r == TEE_ERROR_CORRUPT_OBJECT_2)
    f->obj = TEE_HANDLE_NULL;
  return err_of(r);
}

/* An object's descriptor whose object OP-TEE dropped as corrupt. */
static bool gone(const weft_wasi_file *f) {
  return f->kind == F_OBJ && f->obj == TEE_HANDLE_NULL;
}

static const uint32_t SHARE =
    TEE_DATA_FLAG_SHARE_READ | TEE_DATA_FLAG_SHARE_WRITE;

static TEE_Result open_obj(const char *id, uint32_t len, uint32_t flags,
                           TEE_ObjectHandle *h) {
  return TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, len, flags, h);
}

/* An inode number for `id` (FNV-1a): stable across boots, unlike
** handles. */
static uint64_t ino_of(const char *id, uint32_t len) {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < len; i++)
    h = (h ^ (uint8_t)id[i]) * 1099511628211ull;
  return h | 1;
}

static weft_wasi_file *new_file(int kind) {
  weft_wasi_file *f = TEE_Malloc(sizeof *f, TEE_MALLOC_FILL_ZERO);
  if (f) {
    f->kind = kind;
    f->obj = TEE_HANDLE_NULL;
  }
  return f;
}

/* ---- weft_wasi_fs ------------------------------------------------------ */

static weft_wasi_errno fs_open_root(void *user, const char *path,
                                    weft_wasi_file **out_file) {
  (void)user;
  (void)path;
  *out_file = new_file(F_DIR);
  return *out_file ? WEFT_WASI_ESUCCESS : WEFT_WASI_ENOMEM;
}

static weft_wasi_errno fs_open_at(void *user, weft_wasi_file *dir,
                                  const char *name, uint32_t flags,
                                  uint16_t fdflags, weft_wasi_file **out_file,
                                  uint8_t *out_filetype) {
  (void)user;
  if (dir->kind != F_DIR)
    return WEFT_WASI_ENOTDIR;
  if (!strcmp(name, ".")) {
    if (flags & (WEFT_WASI_OPEN_CREAT | WEFT_WASI_OPEN_TRUNC))
      return WEFT_WASI_EISDIR;
    *out_filetype = WEFT_WASI_FILETYPE_DIRECTORY;
    return fs_open_root(user, ".", out_file);
  }
  weft_wasi_file *f = new_file(F_OBJ);
  if (!f)
    return WEFT_WASI_ENOMEM;
  weft_wasi_errno e = make_id(name, f->id, &f->id_len);
  uint32_t acc = SHARE;
  if (flags & WEFT_WASI_OPEN_READ)
    acc |= TEE_DATA_FLAG_ACCESS_READ;
  if (flags & (WEFT_WASI_OPEN_WRITE | WEFT_WASI_OPEN_TRUNC))
    acc |= TEE_DATA_FLAG_ACCESS_WRITE;
  TEE_Result r = TEE_ERROR_ITEM_NOT_FOUND;
  if (!e) {
    r = open_obj(f->id, f->id_len, acc, &f->obj);
    if (r == TEE_SUCCESS && (flags & WEFT_WASI_OPEN_CREAT) &&
        (flags & WEFT_WASI_OPEN_EXCL))
      e = WEFT_WASI_EEXIST;
    else if (r == TEE_ERROR_ITEM_NOT_FOUND && (flags & WEFT_WASI_OPEN_CREAT))
      r = TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, f->id, f->id_len, acc,
                                     TEE_HANDLE_NULL, NULL, 0, &f->obj);
    else if (r == TEE_SUCCESS && (flags & WEFT_WASI_OPEN_TRUNC))
      r = TEE_TruncateObjectData(f->obj, 0);
    if (!e)
      e = seen(f, r);
  }
  if (!e && (flags & WEFT_WASI_OPEN_DIRECTORY))
    e = WEFT_WASI_ENOTDIR;
  if (e) {
    if (f->obj != TEE_HANDLE_NULL)
      TEE_CloseObject(f->obj);
    TEE_Free(f);
    return e;
  }
  f->fdflags = fdflags;
  *out_file = f;
  *out_filetype = WEFT_WASI_FILETYPE_REGULAR_FILE;
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno fs_close(void *user, weft_wasi_file *f) {
  (void)user;
  if (f->obj != TEE_HANDLE_NULL)
    TEE_CloseObject(f->obj);
  TEE_Free(f);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno fs_read(void *user, weft_wasi_file *f,
                               const weft_wasi_iovec *iov, size_t iovcnt,
                               size_t *out_n) {
  (void)user;
  *out_n = 0;
  if (f->kind == F_IN)
    return WEFT_WASI_ESUCCESS; /* empty stdin */
  if (f->kind == F_DIR)
    return WEFT_WASI_EISDIR;
  if (f->kind != F_OBJ)
    return WEFT_WASI_EBADF;
  for (size_t i = 0; i < iovcnt; i++) {
    size_t got = 0;
    if (gone(f))
      return WEFT_WASI_EIO;
    TEE_Result r = TEE_ReadObjectData(f->obj, iov[i].buf, iov[i].len, &got);
    weft_wasi_errno e = seen(f, r);
    if (e)
      return *out_n ? WEFT_WASI_ESUCCESS : e;
    *out_n += got;
    if (got < iov[i].len)
      break;
  }
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno fs_write(void *user, weft_wasi_file *f,
                                const weft_wasi_iovec *iov, size_t iovcnt,
                                size_t *out_n) {
  (void)user;
  *out_n = 0;
  if (f->kind == F_OUT) {
    for (size_t i = 0; i < iovcnt; i++) {
      capture(f->stream, iov[i].buf, iov[i].len);
      *out_n += iov[i].len;
    }
    return WEFT_WASI_ESUCCESS;
  }
  if (f->kind != F_OBJ)
    return WEFT_WASI_EBADF;
  if (gone(f))
    return WEFT_WASI_EIO;
  if ((f->fdflags & WEFT_WASI_FDFLAG_APPEND) &&
      TEE_SeekObjectData(f->obj, 0, TEE_DATA_SEEK_END) != TEE_SUCCESS)
    return WEFT_WASI_EIO;
  for (size_t i = 0; i < iovcnt && !gone(f); i++) {
    TEE_Result r = TEE_WriteObjectData(f->obj, iov[i].buf, iov[i].len);
    weft_wasi_errno e = seen(f, r);
    if (e)
      return *out_n ? WEFT_WASI_ESUCCESS : e;
    *out_n += iov[i].len;
  }
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno position(weft_wasi_file *f, uint64_t *pos) {
  TEE_ObjectInfo info;
  if (gone(f))
    return WEFT_WASI_EIO;
  TEE_Result r = TEE_GetObjectInfo1(f->obj, &info);
  *pos = info.dataPosition;
  return err_of(r);
}

/* pread / pwrite: move to `offset`, transfer, move back. */
static weft_wasi_errno at_offset(weft_wasi_file *f, int write,
                                 const weft_wasi_iovec *iov, size_t iovcnt,
                                 uint64_t offset, size_t *out_n) {
  *out_n = 0;
  if (f->kind != F_OBJ)
    return f->kind == F_DIR ? WEFT_WASI_EISDIR : WEFT_WASI_ESPIPE;
  uint64_t was;
  weft_wasi_errno e = position(f, &was);
  if (e)
    return e;
  if (offset > TEE_DATA_MAX_POSITION)
    return WEFT_WASI_EFBIG;
  if (TEE_SeekObjectData(f->obj, (intmax_t)offset, TEE_DATA_SEEK_SET))
    return WEFT_WASI_EINVAL;
  uint16_t flags = f->fdflags;
  f->fdflags &= (uint16_t)~WEFT_WASI_FDFLAG_APPEND;
  e = write ? fs_write(NULL, f, iov, iovcnt, out_n)
            : fs_read(NULL, f, iov, iovcnt, out_n);
  f->fdflags = flags;
  if (!gone(f))
    TEE_SeekObjectData(f->obj, (intmax_t)was, TEE_DATA_SEEK_SET);
  return e;
}

static weft_wasi_errno fs_pread(void *user, weft_wasi_file *f,
                                const weft_wasi_iovec *iov, size_t iovcnt,
                                uint64_t offset, size_t *out_n) {
  (void)user;
  return at_offset(f, 0, iov, iovcnt, offset, out_n);
}

static weft_wasi_errno fs_pwrite(void *user, weft_wasi_file *f,
                                 const weft_wasi_iovec *iov, size_t iovcnt,
                                 uint64_t offset, size_t *out_n) {
  (void)user;
  return at_offset(f, 1, iov, iovcnt, offset, out_n);
}

/* POSIX lseek over TEE_SeekObjectData: the target is computed here, so a
** negative one is EINVAL (OP-TEE would clamp it to 0). */
static weft_wasi_errno fs_seek(void *user, weft_wasi_file *f, int64_t offset,
                               uint8_t whence, uint64_t *out_offset) {
  (void)user;
  if (f->kind != F_OBJ)
    return f->kind == F_DIR ? WEFT_WASI_EISDIR : WEFT_WASI_ESPIPE;
  if (gone(f))
    return WEFT_WASI_EIO;
  TEE_ObjectInfo info;
  TEE_Result r = TEE_GetObjectInfo1(f->obj, &info);
  if (r != TEE_SUCCESS)
    return err_of(r);
  int64_t base = whence == WEFT_WASI_WHENCE_SET   ? 0
                 : whence == WEFT_WASI_WHENCE_CUR ? (int64_t)info.dataPosition
                                                  : (int64_t)info.dataSize;
  if (whence > WEFT_WASI_WHENCE_END || offset < -base ||
      offset > (int64_t)TEE_DATA_MAX_POSITION - base)
    return WEFT_WASI_EINVAL;
  r = TEE_SeekObjectData(f->obj, base + offset, TEE_DATA_SEEK_SET);
  if (r != TEE_SUCCESS)
    return err_of(r);
  *out_offset = (uint64_t)(base + offset);
  return WEFT_WASI_ESUCCESS;
}

static void stat_file(weft_wasi_file *f, weft_wasi_filestat *st) {
  memset(st, 0, sizeof *st);
  st->nlink = 1;
  if (f->kind == F_DIR) {
    st->filetype = WEFT_WASI_FILETYPE_DIRECTORY;
    st->ino = 1;
  } else if (f->kind == F_OBJ) {
    TEE_ObjectInfo info;
    st->filetype = WEFT_WASI_FILETYPE_REGULAR_FILE;
    st->ino = ino_of(f->id, f->id_len);
    if (!gone(f) && TEE_GetObjectInfo1(f->obj, &info) == TEE_SUCCESS)
      st->size = info.dataSize;
  } else {
    st->filetype = WEFT_WASI_FILETYPE_CHARACTER_DEVICE;
    st->ino = 2 + (uint64_t)f->kind;
  }
}

static weft_wasi_errno fs_fstat(void *user, weft_wasi_file *f,
                                weft_wasi_filestat *st) {
  (void)user;
  stat_file(f, st);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno fs_stat_at(void *user, weft_wasi_file *dir,
                                  const char *name, weft_wasi_filestat *st) {
  weft_wasi_file *f;
  uint8_t type;
  weft_wasi_errno e = fs_open_at(user, dir, name, 0, 0, &f, &type);
  if (e)
    return e;
  stat_file(f, st);
  fs_close(user, f);
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno fs_set_size(void *user, weft_wasi_file *f,
                                   uint64_t size) {
  (void)user;
  if (f->kind != F_OBJ)
    return WEFT_WASI_EINVAL;
  if (size > UINT32_MAX)
    return WEFT_WASI_EFBIG;
  if (gone(f))
    return WEFT_WASI_EIO;
  return seen(f, TEE_TruncateObjectData(f->obj, (uint32_t)size));
}

/* Entries: "." (cookie 0 -> 1), ".." (1 -> 2), then the objects whose ID
** starts with "f:", in the enumerator's order (stable while nothing is
** created or removed); cookie 2 + k is the k-th of them. */
static weft_wasi_errno fs_readdir(void *user, weft_wasi_file *dir,
                                  uint64_t cookie, weft_wasi_dirent_fn fn,
                                  void *ctx) {
  (void)user;
  if (dir->kind != F_DIR)
    return WEFT_WASI_ENOTDIR;
  if (cookie == 0 && fn(ctx, 1, 1, WEFT_WASI_FILETYPE_DIRECTORY, ".", 1))
    return WEFT_WASI_ESUCCESS;
  if (cookie <= 1 && fn(ctx, 2, 1, WEFT_WASI_FILETYPE_DIRECTORY, "..", 2))
    return WEFT_WASI_ESUCCESS;
  TEE_ObjectEnumHandle en;
  if (TEE_AllocatePersistentObjectEnumerator(&en) != TEE_SUCCESS)
    return WEFT_WASI_ENOMEM;
  TEE_Result r = TEE_StartPersistentObjectEnumerator(en, TEE_STORAGE_PRIVATE);
  weft_wasi_errno e =
      r == TEE_ERROR_ITEM_NOT_FOUND ? WEFT_WASI_ESUCCESS : err_of(r);
  uint64_t k = 2;
  while (!e && r == TEE_SUCCESS) {
    char id[TEE_OBJECT_ID_MAX_LEN];
    size_t len = sizeof id;
    TEE_ObjectInfo info;
    r = TEE_GetNextPersistentObject(en, &info, id, &len);
    if (r == TEE_ERROR_ITEM_NOT_FOUND)
      break;
    if (r != TEE_SUCCESS) {
      e = err_of(r);
      break;
    }
    if (len < 3 || id[0] != 'f' || id[1] != ':')
      continue; /* not a file (the TA's own objects) */
    if (k++ < cookie)
      continue;
    if (fn(ctx, k, ino_of(id, (uint32_t)len), WEFT_WASI_FILETYPE_REGULAR_FILE,
           id + 2, len - 2))
      break;
  }
  TEE_FreePersistentObjectEnumerator(en);
  return e;
}

/* Opens `name` with the right to delete or rename it. */
static weft_wasi_errno open_meta(weft_wasi_file *dir, const char *name,
                                 TEE_ObjectHandle *h) {
  char id[TEE_OBJECT_ID_MAX_LEN];
  uint32_t len;
  if (dir->kind != F_DIR)
    return WEFT_WASI_ENOTDIR;
  if (!strcmp(name, "."))
    return WEFT_WASI_EISDIR;
  weft_wasi_errno e = make_id(name, id, &len);
  return e ? e : err_of(open_obj(id, len, TEE_DATA_FLAG_ACCESS_WRITE_META, h));
}

static weft_wasi_errno fs_unlink_at(void *user, weft_wasi_file *dir,
                                    const char *name) {
  (void)user;
  TEE_ObjectHandle h;
  weft_wasi_errno e = open_meta(dir, name, &h);
  return e ? e : err_of(TEE_CloseAndDeletePersistentObject1(h));
}

static weft_wasi_errno fs_rename_at(void *user, weft_wasi_file *dir,
                                    const char *name, weft_wasi_file *new_dir,
                                    const char *new_name) {
  (void)user;
  char id[TEE_OBJECT_ID_MAX_LEN];
  uint32_t len;
  TEE_ObjectHandle h, old;
  if (new_dir->kind != F_DIR)
    return WEFT_WASI_ENOTDIR;
  weft_wasi_errno e = make_id(new_name, id, &len);
  if (!e)
    e = open_meta(dir, name, &h);
  if (e)
    return e;
  /* POSIX rename replaces an existing target. */
  if (strcmp(name, new_name) && open_meta(new_dir, new_name, &old) == 0)
    TEE_CloseAndDeletePersistentObject1(old);
  e = err_of(TEE_RenamePersistentObject(h, id, len));
  TEE_CloseObject(h);
  return e;
}

static weft_wasi_errno fs_readlink_at(void *user, weft_wasi_file *dir,
                                      const char *name, char *buf, size_t cap,
                                      size_t *out_len) {
  weft_wasi_filestat st;
  (void)buf;
  (void)cap;
  *out_len = 0;
  weft_wasi_errno e = fs_stat_at(user, dir, name, &st);
  return e ? e : WEFT_WASI_EINVAL; /* no symlinks here */
}

static weft_wasi_errno fs_sync(void *user, weft_wasi_file *f, int data_only) {
  (void)user;
  (void)f;
  (void)data_only;
  return WEFT_WASI_ESUCCESS; /* OP-TEE commits every write */
}

static weft_wasi_errno fs_advise(void *user, weft_wasi_file *f, uint64_t offset,
                                 uint64_t len, uint8_t advice) {
  (void)user;
  (void)f;
  (void)offset;
  (void)len;
  (void)advice;
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno fs_set_flags(void *user, weft_wasi_file *f,
                                    uint16_t fdflags) {
  (void)user;
  f->fdflags = fdflags;
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno fs_adopt(void *user, int host_fd,
                                weft_wasi_file **out_file,
                                uint8_t *out_filetype, uint16_t *out_fdflags) {
  (void)user;
  if (host_fd < 0 || host_fd > 2)
    return WEFT_WASI_EBADF;
  weft_wasi_file *f = new_file(host_fd == 0 ? F_IN : F_OUT);
  if (!f)
    return WEFT_WASI_ENOMEM;
  f->stream = host_fd - 1;
  *out_file = f;
  *out_filetype = WEFT_WASI_FILETYPE_CHARACTER_DEVICE;
  *out_fdflags = host_fd ? WEFT_WASI_FDFLAG_APPEND : 0;
  return WEFT_WASI_ESUCCESS;
}

static const weft_wasi_fs optee_fs = {
    .version = WEFT_WASI_FS_VERSION,
    .open_root = fs_open_root,
    .open_at = fs_open_at,
    .close = fs_close,
    .read = fs_read,
    .write = fs_write,
    .pread = fs_pread,
    .pwrite = fs_pwrite,
    .seek = fs_seek,
    .fstat = fs_fstat,
    .stat_at = fs_stat_at,
    .set_size = fs_set_size,
    .readdir = fs_readdir,
    .unlink_at = fs_unlink_at,
    .rename_at = fs_rename_at,
    .readlink_at = fs_readlink_at,
    .sync = fs_sync,
    .advise = fs_advise,
    .set_flags = fs_set_flags,
    .adopt = fs_adopt,
};

const weft_wasi_fs *weft_wasi_fs_host(void) { return &optee_fs; }

/* ---- weft_wasi_sys ----------------------------------------------------- */

static weft_wasi_errno sys_clock_res(void *user, uint32_t id, uint64_t *ns) {
  (void)user;
  if (id > WEFT_WASI_CLOCK_MONOTONIC)
    return WEFT_WASI_EINVAL;
  *ns = 1000000; /* TEE_Time counts milliseconds */
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno sys_clock_time(void *user, uint32_t id, uint64_t *ns) {
  (void)user;
  TEE_Time t;
  if (id == WEFT_WASI_CLOCK_REALTIME)
    TEE_GetREETime(&t);
  else if (id == WEFT_WASI_CLOCK_MONOTONIC)
    TEE_GetSystemTime(&t);
  else
    return WEFT_WASI_EINVAL;
  *ns = (uint64_t)t.seconds * 1000000000u + (uint64_t)t.millis * 1000000u;
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno sys_random(void *user, void *buf, size_t len) {
  (void)user;
  TEE_GenerateRandom(buf, len);
  return WEFT_WASI_ESUCCESS;
}

/* Every file here is always ready (no poll_handle): only a timeout waits. */
static weft_wasi_errno sys_poll(void *user, weft_wasi_pollfd *fds, size_t n,
                                int64_t timeout_ns) {
  (void)user;
  (void)fds;
  if (n == 0 && timeout_ns > 0) {
    uint64_t ms = ((uint64_t)timeout_ns + 999999u) / 1000000u;
    TEE_Wait(ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms);
  }
  return WEFT_WASI_ESUCCESS;
}

static weft_wasi_errno sys_yield(void *user) {
  (void)user;
  return WEFT_WASI_ESUCCESS;
}

static const weft_wasi_sys optee_sys = {
    .version = WEFT_WASI_SYS_VERSION,
    .clock_res = sys_clock_res,
    .clock_time = sys_clock_time,
    .random = sys_random,
    .poll = sys_poll,
    .yield = sys_yield,
};

const weft_wasi_sys *weft_wasi_sys_host(void) { return &optee_sys; }
