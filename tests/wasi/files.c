/*
** files.c — file I/O through the raw calls and through libc: path_open
** (create, exclusive, truncate, O_DIRECTORY on a file, missing file),
** fd_read/fd_write with scatter/gather, fd_pread/fd_pwrite (offset left
** alone), fd_seek (SET/CUR/END, past the end, negative, bad whence),
** fd_tell, fd_filestat_get, fd_filestat_set_size (truncate and extend with
** zeros), fd_advise, fd_allocate, fd_datasync, fd_sync, fd_close, fdstat
** flags APPEND and NONBLOCK (fd_fdstat_get/fd_fdstat_set_flags), and a
** 1 MiB round trip.
*/
//! case files 0 -- --dir @PRE@::/sandbox @WASM@

#include "wt.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static u32 dir;

static u64 fsize(u32 fd) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  u32 e = wr_fd_filestat_get(fd, P(&st));
  CHECK(e == 0, "fd_filestat_get(%u): %s", fd, wt_errno_name(e));
  return st.size;
}

static u64 tell(u32 fd) {
  u64 off = 0xDEADBEEF;
  u32 e = wr_fd_tell(fd, P(&off));
  CHECK(e == 0, "fd_tell(%u): %s", fd, wt_errno_name(e));
  return off;
}

static void check_open(void) {
  WT_SECTION("path_open");
  int64_t fd = wt_open(dir, 0, "a.txt", __WASI_OFLAGS_CREAT, R_ALL, 0);
  CHECK(fd > 2, "create a.txt: %lld", (long long)fd);
  CHECK_ERR(wt_put(dir, "a.txt", "hello") , 0);
  /* exclusive create of an existing file */
  int64_t e = wt_open(dir, 0, "a.txt",
                      __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_ALL, 0);
  CHECK(e == -__WASI_ERRNO_EXIST, "O_EXCL on existing: %s",
        e < 0 ? wt_errno_name((u32)-e) : "opened");
  if (e >= 0)
    wr_fd_close((u32)e);
  /* missing file without CREAT */
  e = wt_open(dir, 0, "missing.txt", 0, R_ALL, 0);
  CHECK(e == -__WASI_ERRNO_NOENT, "open missing: %s",
        e < 0 ? wt_errno_name((u32)-e) : "opened");
  /* O_DIRECTORY on a file */
  e = wt_open(dir, 0, "a.txt", __WASI_OFLAGS_DIRECTORY, R_ALL, 0);
  CHECK(e == -__WASI_ERRNO_NOTDIR, "O_DIRECTORY on a file: %s",
        e < 0 ? wt_errno_name((u32)-e) : "opened");
  /* a file is not a directory to resolve paths from */
  if (fd > 0) {
    u32 out;
    CHECK_ERR(wr_path_open((u32)fd, 0, S("x"), 0, R_ALL, R_ALL, 0, P(&out)),
              __WASI_ERRNO_NOTDIR);
  }
  /* missing intermediate directory */
  e = wt_open(dir, 0, "nodir/x", __WASI_OFLAGS_CREAT, R_ALL, 0);
  CHECK(e == -__WASI_ERRNO_NOENT, "create under missing dir: %s",
        e < 0 ? wt_errno_name((u32)-e) : "opened");
  /* TRUNC empties the file */
  e = wt_open(dir, 0, "a.txt", __WASI_OFLAGS_TRUNC, R_ALL, 0);
  CHECK(e > 2, "O_TRUNC open: %lld", (long long)e);
  if (e > 2) {
    CHECK(fsize((u32)e) == 0, "O_TRUNC left %llu bytes",
          (unsigned long long)fsize((u32)e));
    wr_fd_close((u32)e);
  }
  /* the fd number is written only on success */
  u32 out = 0xDEADBEEF;
  CHECK_ERR(wr_path_open(dir, 0, S("missing.txt"), 0, R_ALL, R_ALL, 0,
                         P(&out)),
            __WASI_ERRNO_NOENT);
  CHECK(out == 0xDEADBEEF, "path_open wrote an fd on failure");
  /* "." opens the directory itself */
  e = wt_open(dir, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR,
              0);
  CHECK(e > 2, "open '.': %s", e < 0 ? wt_errno_name((u32)-e) : "ok");
  if (e > 2)
    wr_fd_close((u32)e);
  /* an empty path is ENOENT */
  CHECK_ERR(wr_path_open(dir, 0, P(""), 0, 0, R_ALL, R_ALL, 0, P(&out)),
            __WASI_ERRNO_NOENT);
  /* a path with a NUL byte inside is EINVAL (wasmtime) or ILSEQ */
  CHECK_ERR2(wr_path_open(dir, 0, P("a.txt\0x"), 7, 0, R_ALL, R_ALL, 0,
                          P(&out)),
             __WASI_ERRNO_INVAL, __WASI_ERRNO_ILSEQ);
  /* invalid UTF-8 in a path: ILSEQ (wasmtime reads paths as str) */
  CHECK_ERR(wr_path_open(dir, 0, P("a\xff\xfe"), 3, __WASI_OFLAGS_CREAT, R_ALL,
                         R_ALL, 0, P(&out)),
            __WASI_ERRNO_ILSEQ);
  if (fd > 2)
    CHECK_OK(wr_fd_close((u32)fd));
}

static void check_rw(void) {
  WT_SECTION("read/write/seek");
  int64_t f = wt_open(dir, 0, "rw.bin", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                      R_ALL, 0);
  if (!CHECK(f > 2, "create rw.bin"))
    return;
  u32 fd = (u32)f, n;
  CHECK(tell(fd) == 0, "new file offset not 0");
  /* gather write of 3 pieces */
  __wasi_ciovec_t ci[3] = {{(const uint8_t *)"0123", 4},
                           {(const uint8_t *)"", 0},
                           {(const uint8_t *)"456789", 6}};
  CHECK_OK(wr_fd_write(fd, P(ci), 3, P(&n)));
  CHECK(n == 10, "gather write wrote %u", n);
  CHECK(tell(fd) == 10, "offset after write %llu", (unsigned long long)tell(fd));
  CHECK(fsize(fd) == 10, "size after write");
  /* seek */
  u64 off = 0;
  CHECK_OK(wr_fd_seek(fd, 2, __WASI_WHENCE_SET, P(&off)));
  CHECK(off == 2, "seek SET 2 -> %llu", (unsigned long long)off);
  CHECK_OK(wr_fd_seek(fd, 3, __WASI_WHENCE_CUR, P(&off)));
  CHECK(off == 5, "seek CUR +3 -> %llu", (unsigned long long)off);
  CHECK_OK(wr_fd_seek(fd, -1, __WASI_WHENCE_END, P(&off)));
  CHECK(off == 9, "seek END -1 -> %llu", (unsigned long long)off);
  CHECK_OK(wr_fd_seek(fd, -4, __WASI_WHENCE_CUR, P(&off)));
  CHECK(off == 5, "seek CUR -4 -> %llu", (unsigned long long)off);
  /* scatter read of 5 bytes into 2+3 */
  char a[2], b[3];
  __wasi_iovec_t io[2] = {{(uint8_t *)a, 2}, {(uint8_t *)b, 3}};
  CHECK_OK(wr_fd_read(fd, P(io), 2, P(&n)));
  if (n == 2) { /* a short read is legal: read the rest */
    __wasi_iovec_t rest = {(uint8_t *)b, 3};
    u32 m = 0;
    CHECK_OK(wr_fd_read(fd, P(&rest), 1, P(&m)));
    n += m;
  }
  CHECK(n == 5 && memcmp(a, "56", 2) == 0 && memcmp(b, "789", 3) == 0,
        "scatter read got %u bytes '%.2s' '%.3s'", n, a, b);
  CHECK(tell(fd) == 10, "offset after read");
  /* read at EOF: 0 */
  CHECK(wt_read(fd, a, 2) == 0, "read at EOF not 0");
  /* negative resulting offset: EINVAL, offset unchanged */
  CHECK_ERR(wr_fd_seek(fd, -11, __WASI_WHENCE_END, P(&off)), __WASI_ERRNO_INVAL);
  CHECK_ERR(wr_fd_seek(fd, -1, __WASI_WHENCE_SET, P(&off)), __WASI_ERRNO_INVAL);
  CHECK_ERR(wr_fd_seek(fd, 0, 3, P(&off)), __WASI_ERRNO_INVAL);
  CHECK_ERR(wr_fd_seek(fd, 0, 0xFFFFFFFFu, P(&off)), __WASI_ERRNO_INVAL);
  CHECK(tell(fd) == 10, "failed seeks moved the offset to %llu",
        (unsigned long long)tell(fd));
  /* seek past the end and write: a hole of zeros */
  CHECK_OK(wr_fd_seek(fd, 100, __WASI_WHENCE_SET, P(&off)));
  CHECK(fsize(fd) == 10, "seeking past EOF changed the size");
  CHECK_OK(wt_write(fd, "X", 1));
  CHECK(fsize(fd) == 101, "size after write at 100: %llu",
        (unsigned long long)fsize(fd));
  char hole[90];
  __wasi_iovec_t hio = {(uint8_t *)hole, sizeof hole};
  CHECK_OK(wr_fd_pread(fd, P(&hio), 1, 10, P(&n)));
  int zeros = 1;
  for (u32 i = 0; i < n; i++)
    zeros &= hole[i] == 0;
  CHECK(n == 90 && zeros, "hole: %u bytes, zeros=%d", n, zeros);

  WT_SECTION("pread/pwrite");
  CHECK_OK(wr_fd_seek(fd, 3, __WASI_WHENCE_SET, P(&off)));
  __wasi_ciovec_t pw[2] = {{(const uint8_t *)"ab", 2}, {(const uint8_t *)"c", 1}};
  CHECK_OK(wr_fd_pwrite(fd, P(pw), 2, 50, P(&n)));
  CHECK(n == 3, "pwrite wrote %u", n);
  CHECK(tell(fd) == 3, "pwrite moved the offset to %llu",
        (unsigned long long)tell(fd));
  char pr[4] = {0};
  __wasi_iovec_t pio = {(uint8_t *)pr, 3};
  CHECK_OK(wr_fd_pread(fd, P(&pio), 1, 50, P(&n)));
  CHECK(n == 3 && memcmp(pr, "abc", 3) == 0, "pread got '%.3s'", pr);
  CHECK(tell(fd) == 3, "pread moved the offset");
  /* pread past EOF: 0 bytes */
  CHECK_OK(wr_fd_pread(fd, P(&pio), 1, 5000, P(&n)));
  CHECK(n == 0, "pread past EOF returned %u", n);
  /* pwrite past EOF extends */
  CHECK_OK(wr_fd_pwrite(fd, P(pw), 1, 200, P(&n)));
  CHECK(fsize(fd) == 202, "pwrite at 200 gave size %llu",
        (unsigned long long)fsize(fd));

  WT_SECTION("filestat/set_size");
  __wasi_filestat_t st;
  CHECK_OK(wr_fd_filestat_get(fd, P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE, "filetype %u",
        st.filetype);
  CHECK(st.nlink == 1, "nlink %llu", (unsigned long long)st.nlink);
  __wasi_filestat_t pst;
  CHECK_OK(wr_path_filestat_get(dir, 0, S("rw.bin"), P(&pst)));
  CHECK(pst.size == st.size && pst.ino == st.ino && pst.dev == st.dev,
        "path_filestat_get differs from fd_filestat_get");
  CHECK_OK(wr_fd_filestat_set_size(fd, 4)); /* truncate */
  CHECK(fsize(fd) == 4, "truncate to 4 gave %llu", (unsigned long long)fsize(fd));
  CHECK_OK(wr_fd_filestat_set_size(fd, 4096)); /* extend */
  CHECK(fsize(fd) == 4096, "extend to 4096");
  static char big[4096];
  memset(big, 1, sizeof big);
  __wasi_iovec_t bio = {(uint8_t *)big, sizeof big};
  CHECK_OK(wr_fd_pread(fd, P(&bio), 1, 0, P(&n)));
  int ok = n == 4096 && memcmp(big, "012", 3) == 0;
  for (u32 i = 4; i < n; i++)
    ok &= big[i] == 0;
  CHECK(ok, "truncate+extend: content wrong (n=%u)", n);
  CHECK_OK(wr_fd_filestat_set_size(fd, 0));
  CHECK(fsize(fd) == 0, "truncate to 0");
  CHECK(tell(fd) == 3, "set_size moved the offset");

  WT_SECTION("advise/allocate/sync");
  for (u32 adv = 0; adv <= 5; adv++)
    CHECK(wr_fd_advise(fd, 0, 100, adv) == 0, "fd_advise(%u) failed", adv);
  CHECK_ERR(wr_fd_advise(fd, 0, 100, 6), __WASI_ERRNO_INVAL);
  u32 e = wr_fd_allocate(fd, 0, 8192);
  /* posix_fallocate semantics: the file grows to at least off+len. wasmtime
  ** returns ENOTSUP for every file; that is accepted (see README). */
  CHECK(e == 0 || e == __WASI_ERRNO_NOTSUP, "fd_allocate: %s",
        wt_errno_name(e));
  if (e == 0)
    CHECK(fsize(fd) == 8192, "fd_allocate(0, 8192) gave size %llu",
          (unsigned long long)fsize(fd));
  e = wr_fd_allocate(fd, 0, 10);
  if (e == 0)
    CHECK(fsize(fd) == 8192, "fd_allocate must never shrink (size %llu)",
          (unsigned long long)fsize(fd));
  CHECK_OK(wr_fd_datasync(fd));
  CHECK_OK(wr_fd_sync(fd));
  CHECK_OK(wr_fd_close(fd));
  /* closed: EBADF */
  CHECK_ERR(wr_fd_close(fd), __WASI_ERRNO_BADF);
  CHECK_ERR(wr_fd_tell(fd, P(&off)), __WASI_ERRNO_BADF);
}

static void check_modes(void) {
  WT_SECTION("open modes");
  CHECK_OK(wt_put(dir, "ro.txt", "readonly"));
  /* opened for reading only: writes fail (EBADF as POSIX, or ENOTCAPABLE) */
  int64_t f = wt_open(dir, 0, "ro.txt", 0, __WASI_RIGHTS_FD_READ |
                      __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL, 0);
  if (CHECK(f > 2, "open ro.txt for reading")) {
    CHECK_ERR2(wt_write((u32)f, "x", 1), __WASI_ERRNO_BADF,
               __WASI_ERRNO_NOTCAPABLE);
    char b[16];
    CHECK(wt_read((u32)f, b, 16) == 8, "read ro.txt");
    wr_fd_close((u32)f);
  }
  /* opened for writing only: reads fail */
  f = wt_open(dir, 0, "ro.txt", 0, __WASI_RIGHTS_FD_WRITE, 0);
  if (CHECK(f > 2, "open ro.txt for writing")) {
    char b[4];
    int64_t r = wt_read((u32)f, b, 4);
    CHECK(r == -__WASI_ERRNO_BADF || r == -__WASI_ERRNO_NOTCAPABLE,
          "read on a write-only fd: %lld", (long long)r);
    wr_fd_close((u32)f);
  }
  /* a directory cannot be read like a file: EBADF (wasmtime) or EISDIR */
  f = wt_open(dir, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR, 0);
  if (CHECK(f > 2, "open '.'")) {
    char b[4];
    int64_t r = wt_read((u32)f, b, 4);
    CHECK(r == -__WASI_ERRNO_BADF || r == -__WASI_ERRNO_ISDIR ||
              r == -__WASI_ERRNO_NOTCAPABLE,
          "fd_read on a directory: %lld", (long long)r);
    wr_fd_close((u32)f);
  }
  /* opening a directory for writing: EISDIR */
  f = wt_open(dir, 0, ".", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0);
  CHECK(f == -__WASI_ERRNO_ISDIR, "open '.' read/write: %lld", (long long)f);
  if (f > 2)
    wr_fd_close((u32)f);
}

static void check_fdflags(void) {
  WT_SECTION("fdflags");
  CHECK_OK(wt_put(dir, "app.txt", "start"));
  int64_t f = wt_open(dir, 0, "app.txt", 0, R_ALL, __WASI_FDFLAGS_APPEND);
  if (!CHECK(f > 2, "open with APPEND"))
    return;
  u32 fd = (u32)f;
  __wasi_fdstat_t st;
  CHECK_OK(wr_fd_fdstat_get(fd, P(&st)));
  CHECK(st.fs_flags & __WASI_FDFLAGS_APPEND, "APPEND not reported");
  CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE, "filetype %u",
        st.fs_filetype);
  u64 off;
  CHECK_OK(wr_fd_seek(fd, 0, __WASI_WHENCE_SET, P(&off)));
  CHECK_OK(wt_write(fd, "+1", 2));
  CHECK(fsize(fd) == 7, "append write: size %llu", (unsigned long long)fsize(fd));
  char buf[32];
  CHECK(wt_get(dir, 0, "app.txt", buf, sizeof buf) == 7 &&
            strcmp(buf, "start+1") == 0,
        "APPEND wrote at the wrong place: '%s'", buf);
  /* clear APPEND: the next write goes at the offset */
  CHECK_OK(wr_fd_fdstat_set_flags(fd, 0));
  CHECK_OK(wr_fd_fdstat_get(fd, P(&st)));
  CHECK(!(st.fs_flags & __WASI_FDFLAGS_APPEND), "APPEND still reported");
  CHECK_OK(wr_fd_seek(fd, 0, __WASI_WHENCE_SET, P(&off)));
  CHECK_OK(wt_write(fd, "S", 1));
  CHECK(wt_get(dir, 0, "app.txt", buf, sizeof buf) == 7 &&
            strcmp(buf, "Start+1") == 0,
        "write after clearing APPEND: '%s'", buf);
  /* set APPEND again */
  CHECK_OK(wr_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  CHECK_OK(wr_fd_seek(fd, 0, __WASI_WHENCE_SET, P(&off)));
  CHECK_OK(wt_write(fd, "!", 1));
  CHECK(wt_get(dir, 0, "app.txt", buf, sizeof buf) == 8 &&
            strcmp(buf, "Start+1!") == 0,
        "write after setting APPEND: '%s'", buf);
  /* NONBLOCK round-trips; regular-file I/O still works */
  CHECK_OK(wr_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
  CHECK_OK(wr_fd_fdstat_get(fd, P(&st)));
  CHECK(st.fs_flags & __WASI_FDFLAGS_NONBLOCK, "NONBLOCK not reported");
  CHECK(!(st.fs_flags & __WASI_FDFLAGS_APPEND), "APPEND survived set_flags(NONBLOCK)");
  __wasi_iovec_t io = {(uint8_t *)buf, 4};
  u32 n;
  CHECK_OK(wr_fd_pread(fd, P(&io), 1, 0, P(&n)));
  CHECK(n == 4, "pread with NONBLOCK: %u", n);
  CHECK_OK(wr_fd_close(fd));
  /* NONBLOCK at open time */
  f = wt_open(dir, 0, "app.txt", 0, R_ALL, __WASI_FDFLAGS_NONBLOCK);
  if (CHECK(f > 2, "open with NONBLOCK")) {
    CHECK_OK(wr_fd_fdstat_get((u32)f, P(&st)));
    CHECK(st.fs_flags & __WASI_FDFLAGS_NONBLOCK, "NONBLOCK from open not reported");
    CHECK(wt_read((u32)f, buf, 8) == 8, "read with NONBLOCK");
    wr_fd_close((u32)f);
  }
  /* a bad fd */
  CHECK_ERR(wr_fd_fdstat_set_flags(4000, 0), __WASI_ERRNO_BADF);
}

static void check_libc(void) {
  WT_SECTION("libc stdio");
  FILE *f = fopen("/sandbox/libc.txt", "w+");
  if (!CHECK(f != NULL, "fopen w+: errno %d", errno))
    return;
  for (int i = 0; i < 1000; i++)
    fprintf(f, "%d,", i);
  CHECK(ftell(f) > 0, "ftell");
  rewind(f);
  int v = -1, bad = 0;
  for (int i = 0; i < 1000; i++)
    if (fscanf(f, "%d,", &v) != 1 || v != i)
      bad++;
  CHECK(bad == 0, "%d values read back wrong", bad);
  CHECK(fseek(f, 0, SEEK_END) == 0 && ftell(f) == 3890, "file size %ld",
        ftell(f));
  CHECK(fclose(f) == 0, "fclose");
  /* POSIX-level */
  int fd = open("/sandbox/libc.txt", O_RDONLY);
  CHECK(fd >= 0, "open O_RDONLY");
  char b[4] = {0};
  CHECK(pread(fd, b, 3, 4) == 3 && memcmp(b, "2,3", 3) == 0, "pread '%s'", b);
  CHECK(lseek(fd, -2, SEEK_END) == 3888, "lseek");
  CHECK(close(fd) == 0, "close");
  CHECK(open("/sandbox/nope/x", O_RDONLY) < 0 && errno == ENOENT,
        "open missing: errno %d", errno);
  CHECK(unlink("/sandbox/libc.txt") == 0, "unlink");

  WT_SECTION("1 MiB round trip");
  int64_t ff = wt_open(dir, 0, "big.bin", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                       R_ALL, 0);
  if (!CHECK(ff > 2, "create big.bin"))
    return;
  static unsigned char blk[65536];
  for (u32 k = 0; k < 16; k++) {
    for (u32 i = 0; i < sizeof blk; i++)
      blk[i] = (unsigned char)((k * 65536 + i) * 2654435761u >> 24);
    CHECK_OK(wt_write((u32)ff, blk, sizeof blk));
  }
  CHECK(fsize((u32)ff) == 1 << 20, "size of big.bin");
  u64 off;
  CHECK_OK(wr_fd_seek((u32)ff, 0, __WASI_WHENCE_SET, P(&off)));
  u32 pos = 0;
  int wrong = 0;
  for (;;) {
    int64_t n = wt_read((u32)ff, blk, 10007);
    if (n <= 0)
      break;
    for (int64_t i = 0; i < n; i++, pos++)
      wrong += blk[i] != (unsigned char)(pos * 2654435761u >> 24);
  }
  CHECK(pos == 1 << 20 && wrong == 0, "read back %u bytes, %d wrong", pos,
        wrong);
  wr_fd_close((u32)ff);
}

static void check_limits(void) {
  WT_SECTION("name length");
  char name[300];
  memset(name, 'n', 255);
  name[255] = 0;
  int64_t f = wt_open(dir, 0, name, __WASI_OFLAGS_CREAT, R_ALL, 0);
  CHECK(f > 2, "255-byte name: %lld", (long long)f);
  if (f > 2) {
    wr_fd_close((u32)f);
    CHECK_OK(wr_path_unlink_file(dir, S(name)));
  }
  name[255] = 'n';
  name[256] = 0;
  f = wt_open(dir, 0, name, __WASI_OFLAGS_CREAT, R_ALL, 0);
  CHECK(f == -__WASI_ERRNO_NAMETOOLONG, "256-byte name: %lld", (long long)f);
  /* a path far longer than PATH_MAX */
  static char longp[8192];
  for (int i = 0; i < 4000; i++)
    memcpy(longp + 2 * i, "./", 2);
  strcpy(longp + 8000, "x");
  f = wt_open(dir, 0, longp, __WASI_OFLAGS_CREAT, R_ALL, 0);
  CHECK(f == -__WASI_ERRNO_NAMETOOLONG || f > 2, "8001-byte path: %lld",
        (long long)f);
  if (f > 2) {
    wr_fd_close((u32)f);
    wr_path_unlink_file(dir, S("x"));
  }

  WT_SECTION("many fds");
  static u32 fds[500];
  int opened = 0, distinct = 1;
  CHECK_OK(wt_put(dir, "many.txt", "m"));
  for (int i = 0; i < 500; i++) {
    int64_t g = wt_open(dir, 0, "many.txt", 0, __WASI_RIGHTS_FD_READ, 0);
    if (g < 0) {
      CHECK(0, "open number %d failed: %s", i, wt_errno_name((u32)-g));
      break;
    }
    fds[opened++] = (u32)g;
  }
  for (int i = 0; i < opened; i++)
    for (int j = i + 1; j < opened; j++)
      distinct &= fds[i] != fds[j];
  CHECK(distinct, "two open files share an fd number");
  int closed = 0;
  for (int i = 0; i < opened; i++)
    closed += wr_fd_close(fds[i]) == 0;
  CHECK(closed == opened && opened == 500, "opened %d, closed %d", opened,
        closed);
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  check_open();
  check_rw();
  check_modes();
  check_fdflags();
  check_libc();
  check_limits();
  return wt_finish();
}
