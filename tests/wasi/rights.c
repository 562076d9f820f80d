/*
** rights.c — rights only shrink: fd_fdstat_set_rights dropping a right,
** then the operation it guarded is refused with ENOTCAPABLE, growing back
** is refused, inheriting rights limit what is opened below a directory.
** Also fd_prestat_get / fd_prestat_dir_name (two preopens, a short buffer,
** non-preopen fds), fd_fdstat_get on a preopen, and fd_renumber (onto a
** free number, onto an open file, onto itself, from a closed fd).
*/
//! case rights 0 -- --dir @PRE@::/sandbox --dir @RO@::second @WASM@

#include "wt.h"

static u32 dir;

static __wasi_fdstat_t fdstat(u32 fd) {
  __wasi_fdstat_t st;
  memset(&st, 0, sizeof st);
  u32 e = wr_fd_fdstat_get(fd, P(&st));
  CHECK(e == 0, "fd_fdstat_get(%u): %s", fd, wt_errno_name(e));
  return st;
}

static void check_shrink_file(void) {
  WT_SECTION("shrink file rights");
  CHECK_OK(wt_put(dir, "r.txt", "rights"));
  int64_t f = wt_open(dir, 0, "r.txt", 0, R_ALL, 0);
  if (!CHECK(f > 2, "open r.txt"))
    return;
  u32 fd = (u32)f;
  __wasi_fdstat_t st = fdstat(fd);
  CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE, "no FD_WRITE to start");
  u64 base = st.fs_rights_base & ~(u64)__WASI_RIGHTS_FD_WRITE;
  CHECK_OK(wr_fd_fdstat_set_rights(fd, base, st.fs_rights_inheriting));
  st = fdstat(fd);
  CHECK(st.fs_rights_base == base, "base rights %llx after shrink, want %llx",
        (unsigned long long)st.fs_rights_base, (unsigned long long)base);
  /* the write is refused; reading still works */
  CHECK_ERR(wt_write(fd, "x", 1), __WASI_ERRNO_NOTCAPABLE);
  __wasi_ciovec_t ci = {(const uint8_t *)"x", 1};
  u32 n;
  CHECK_ERR(wr_fd_pwrite(fd, P(&ci), 1, 0, P(&n)), __WASI_ERRNO_NOTCAPABLE);
  char buf[16];
  CHECK(wt_read(fd, buf, sizeof buf) == 6, "read after dropping write");
  /* growing back is refused */
  CHECK_ERR(wr_fd_fdstat_set_rights(fd, base | __WASI_RIGHTS_FD_WRITE,
                                    st.fs_rights_inheriting),
            __WASI_ERRNO_NOTCAPABLE);
  CHECK(!(fdstat(fd).fs_rights_base & __WASI_RIGHTS_FD_WRITE),
        "a refused grow still granted FD_WRITE");
  /* drop seek and tell */
  base &= ~(u64)(__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL);
  CHECK_OK(wr_fd_fdstat_set_rights(fd, base, st.fs_rights_inheriting));
  u64 off;
  CHECK_ERR(wr_fd_seek(fd, 0, __WASI_WHENCE_SET, P(&off)),
            __WASI_ERRNO_NOTCAPABLE);
  CHECK_ERR(wr_fd_tell(fd, P(&off)), __WASI_ERRNO_NOTCAPABLE);
  /* drop filestat_set_size */
  base &= ~(u64)__WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
  CHECK_OK(wr_fd_fdstat_set_rights(fd, base, st.fs_rights_inheriting));
  CHECK_ERR(wr_fd_filestat_set_size(fd, 0), __WASI_ERRNO_NOTCAPABLE);
  /* drop read: nothing left to read with */
  base &= ~(u64)__WASI_RIGHTS_FD_READ;
  CHECK_OK(wr_fd_fdstat_set_rights(fd, base, st.fs_rights_inheriting));
  CHECK(wt_read(fd, buf, 1) == -__WASI_ERRNO_NOTCAPABLE, "read without FD_READ");
  /* everything gone: fdstat_get still works, the file was not touched */
  CHECK_OK(wr_fd_fdstat_set_rights(fd, 0, 0));
  st = fdstat(fd);
  CHECK(st.fs_rights_base == 0 && st.fs_rights_inheriting == 0,
        "rights %llx/%llx after dropping all",
        (unsigned long long)st.fs_rights_base,
        (unsigned long long)st.fs_rights_inheriting);
  CHECK_OK(wr_fd_close(fd));
  CHECK(wt_get(dir, 0, "r.txt", buf, sizeof buf) == 6 &&
            strcmp(buf, "rights") == 0,
        "r.txt changed: '%s'", buf);
  CHECK_ERR(wr_fd_fdstat_set_rights(4000, 0, 0), __WASI_ERRNO_BADF);
}

static void check_shrink_dir(void) {
  WT_SECTION("shrink directory rights");
  int64_t d = wt_opendir(dir, ".");
  if (!CHECK(d > 2, "open ."))
    return;
  u32 fd = (u32)d;
  __wasi_fdstat_t st = fdstat(fd);
  /* no more creating files or directories */
  u64 base = st.fs_rights_base & ~(u64)(__WASI_RIGHTS_PATH_CREATE_FILE |
                                        __WASI_RIGHTS_PATH_CREATE_DIRECTORY);
  CHECK_OK(wr_fd_fdstat_set_rights(fd, base, st.fs_rights_inheriting));
  int64_t f = wt_open(fd, 0, "new.txt", __WASI_OFLAGS_CREAT, R_ALL, 0);
  CHECK(f == -__WASI_ERRNO_NOTCAPABLE, "create without PATH_CREATE_FILE: %lld",
        (long long)f);
  CHECK(!wt_exists(dir, "new.txt"), "new.txt was created");
  CHECK_ERR(wr_path_create_directory(fd, S("newdir")), __WASI_ERRNO_NOTCAPABLE);
  /* an existing file still opens */
  f = wt_open(fd, 0, "r.txt", 0, __WASI_RIGHTS_FD_READ, 0);
  CHECK(f > 2, "open existing: %lld", (long long)f);
  if (f > 2)
    wr_fd_close((u32)f);
  /* inheriting without FD_WRITE: files opened below cannot be written,
  ** either the open or the write is refused */
  u64 inh = st.fs_rights_inheriting & ~(u64)__WASI_RIGHTS_FD_WRITE;
  CHECK_OK(wr_fd_fdstat_set_rights(fd, base, inh));
  f = wt_open(fd, 0, "r.txt", 0, R_RW, 0);
  if (f > 2) {
    CHECK_ERR(wt_write((u32)f, "y", 1), __WASI_ERRNO_NOTCAPABLE);
    CHECK(!(fdstat((u32)f).fs_rights_base & __WASI_RIGHTS_FD_WRITE),
          "a file below got FD_WRITE its directory cannot pass on");
    wr_fd_close((u32)f);
  } else {
    CHECK(f == -__WASI_ERRNO_NOTCAPABLE, "open for write: %lld", (long long)f);
  }
  /* no readdir, no path_open */
  base &= ~(u64)(__WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN);
  CHECK_OK(wr_fd_fdstat_set_rights(fd, base, inh));
  char buf[256];
  u32 used;
  CHECK_ERR(wr_fd_readdir(fd, P(buf), sizeof buf, 0, P(&used)),
            __WASI_ERRNO_NOTCAPABLE);
  f = wt_open(fd, 0, "r.txt", 0, __WASI_RIGHTS_FD_READ, 0);
  CHECK(f == -__WASI_ERRNO_NOTCAPABLE, "path_open without PATH_OPEN: %lld",
        (long long)f);
  CHECK_OK(wr_fd_close(fd));
  /* the preopen itself kept all its rights */
  f = wt_open(dir, 0, "r.txt", 0, __WASI_RIGHTS_FD_READ, 0);
  CHECK(f > 2, "the preopen lost rights: %lld", (long long)f);
  if (f > 2)
    wr_fd_close((u32)f);
}

static void check_prestat(void) {
  WT_SECTION("prestat");
  int second = wt_preopen("second");
  CHECK(second > 2 && (u32)second != dir, "second preopen: %d", second);
  __wasi_prestat_t ps;
  memset(&ps, 0xAA, sizeof ps);
  CHECK_OK(wr_fd_prestat_get(dir, P(&ps)));
  CHECK(ps.tag == __WASI_PREOPENTYPE_DIR && ps.u.dir.pr_name_len == 8,
        "prestat tag %u len %lu", ps.tag, (unsigned long)ps.u.dir.pr_name_len);
  char name[32];
  memset(name, 0xEE, sizeof name);
  CHECK_OK(wr_fd_prestat_dir_name(dir, P(name), sizeof name));
  CHECK(memcmp(name, "/sandbox", 8) == 0, "dir name '%.8s'", name);
  /* a short buffer: ENAMETOOLONG (wasmtime), nothing written */
  memset(name, 0xEE, sizeof name);
  CHECK_ERR(wr_fd_prestat_dir_name(dir, P(name), 4), __WASI_ERRNO_NAMETOOLONG);
  /* not a preopen: EBADF for prestat_get (wasi-libc relies on it) */
  int64_t f = wt_open(dir, 0, "r.txt", 0, __WASI_RIGHTS_FD_READ, 0);
  if (CHECK(f > 2, "open r.txt")) {
    CHECK_ERR(wr_fd_prestat_get((u32)f, P(&ps)), __WASI_ERRNO_BADF);
    u32 e = wr_fd_prestat_dir_name((u32)f, P(name), sizeof name);
    CHECK(e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_NOTDIR,
          "prestat_dir_name on a file: %s", wt_errno_name(e));
    wr_fd_close((u32)f);
  }
  /* a directory opened later is not a preopen either */
  f = wt_opendir(dir, ".");
  if (CHECK(f > 2, "open .")) {
    CHECK_ERR(wr_fd_prestat_get((u32)f, P(&ps)), __WASI_ERRNO_BADF);
    wr_fd_close((u32)f);
  }
  CHECK_ERR(wr_fd_prestat_get(4000, P(&ps)), __WASI_ERRNO_BADF);
  /* the preopen's fdstat: a directory with wasmtime's directory rights */
  __wasi_fdstat_t st = fdstat(dir);
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY, "preopen filetype %u",
        st.fs_filetype);
  u64 need = __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR |
             __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_FILESTAT_GET;
  CHECK((st.fs_rights_base & need) == need, "preopen base rights %llx",
        (unsigned long long)st.fs_rights_base);
  CHECK((st.fs_rights_inheriting & R_RW) == R_RW,
        "preopen inheriting rights %llx lack read/write",
        (unsigned long long)st.fs_rights_inheriting);
}

static void check_renumber(void) {
  WT_SECTION("renumber");
  CHECK_OK(wt_put(dir, "a", "AAAA"));
  CHECK_OK(wt_put(dir, "b", "BB"));
  int64_t fa = wt_open(dir, 0, "a", 0, R_ALL, 0);
  int64_t fb = wt_open(dir, 0, "b", 0, R_ALL, 0);
  if (!CHECK(fa > 2 && fb > 2, "open a and b"))
    return;
  /* onto an open fd: it is closed and replaced; the source is gone */
  CHECK_OK(wr_fd_renumber((u32)fa, (u32)fb));
  char buf[8] = {0};
  CHECK(wt_read((u32)fb, buf, sizeof buf) == 4 && memcmp(buf, "AAAA", 4) == 0,
        "after renumber fd %lld reads '%s'", (long long)fb, buf);
  CHECK(wt_read((u32)fa, buf, 1) == -__WASI_ERRNO_BADF,
        "the old number still works");
  /* onto itself: no-op */
  CHECK_OK(wr_fd_renumber((u32)fb, (u32)fb));
  CHECK(fdstat((u32)fb).fs_filetype == __WASI_FILETYPE_REGULAR_FILE,
        "renumber onto itself broke the fd");
  /* from a closed fd / onto a number that is not open: EBADF (legacy
  ** wasmtime refuses a free target; today's wasmtime allows it — either way
  ** the source must stay usable if refused) */
  CHECK_ERR(wr_fd_renumber((u32)fa, (u32)fb), __WASI_ERRNO_BADF);
  CHECK_ERR(wr_fd_renumber(4000, (u32)fb), __WASI_ERRNO_BADF);
  u32 e = wr_fd_renumber((u32)fb, 50);
  if (e == 0) {
    CHECK(fdstat(50).fs_filetype == __WASI_FILETYPE_REGULAR_FILE,
          "renumbered onto 50");
    CHECK(wt_read((u32)fb, buf, 1) == -__WASI_ERRNO_BADF, "old fd after move");
    fb = 50;
  } else {
    CHECK(e == __WASI_ERRNO_BADF, "renumber onto free fd 50: %s",
          wt_errno_name(e));
    CHECK(fdstat((u32)fb).fs_filetype == __WASI_FILETYPE_REGULAR_FILE,
          "refused renumber broke the fd");
  }
  /* the freed numbers are reused by the next open */
  int64_t fc = wt_open(dir, 0, "b", 0, R_ALL, 0);
  CHECK(fc > 2 && fc < 50, "next open got fd %lld", (long long)fc);
  if (fc > 2)
    wr_fd_close((u32)fc);
  CHECK_OK(wr_fd_close((u32)fb));
  /* stdout renumbered onto a file fd and back is not needed by programs;
  ** renumbering stdio is exercised in badinput.c */
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  check_shrink_file();
  check_shrink_dir();
  check_prestat();
  check_renumber();
  return wt_finish();
}
