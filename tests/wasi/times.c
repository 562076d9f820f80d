/*
** times.c — fd_filestat_set_times and path_filestat_set_times: explicit
** atime/mtime (nanoseconds kept to the file system's precision), ATIM_NOW
** and MTIM_NOW, leaving one time alone, ATIM together with ATIM_NOW →
** EINVAL, following or not following a symlink, directories, and mtime
** moving when a file is written.
*/
//! case times 0 -- --dir @PRE@::/sandbox @WASM@

#include "wt.h"

static u32 dir;

#define SEC 1000000000ull
#define T1 (1000000000ull * SEC + 123456789ull) /* 2001-09-09 */
#define T2 (1500000000ull * SEC + 987654321ull) /* 2017-07-14 */

static __wasi_filestat_t pstat(u32 flags, const char *path) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  u32 e = wr_path_filestat_get(dir, flags, S(path), P(&st));
  CHECK(e == 0, "path_filestat_get(%s): %s", path, wt_errno_name(e));
  return st;
}

/* Times kept to within 1 µs (some file systems keep less than ns). */
static int near(u64 a, u64 b) { return (a > b ? a - b : b - a) < 1000; }

static void check_fd_times(void) {
  WT_SECTION("fd_filestat_set_times");
  CHECK_OK(wt_put(dir, "t.txt", "times"));
  int64_t f = wt_open(dir, 0, "t.txt", 0, R_ALL, 0);
  if (!CHECK(f > 2, "open t.txt"))
    return;
  u32 fd = (u32)f;
  __wasi_filestat_t st;
  CHECK_OK(wr_fd_filestat_set_times(fd, T1, T2,
                                    __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  CHECK_OK(wr_fd_filestat_get(fd, P(&st)));
  CHECK(near(st.atim, T1), "atim %llu, expected %llu",
        (unsigned long long)st.atim, (unsigned long long)T1);
  CHECK(near(st.mtim, T2), "mtim %llu, expected %llu",
        (unsigned long long)st.mtim, (unsigned long long)T2);
  /* only mtime: atime stays */
  CHECK_OK(wr_fd_filestat_set_times(fd, 0, T1, __WASI_FSTFLAGS_MTIM));
  CHECK_OK(wr_fd_filestat_get(fd, P(&st)));
  CHECK(near(st.atim, T1) && near(st.mtim, T1), "MTIM only: atim %llu mtim %llu",
        (unsigned long long)st.atim, (unsigned long long)st.mtim);
  /* no flags: nothing changes */
  CHECK_OK(wr_fd_filestat_set_times(fd, T2, T2, 0));
  CHECK_OK(wr_fd_filestat_get(fd, P(&st)));
  CHECK(near(st.atim, T1) && near(st.mtim, T1), "flags 0 changed the times");
  /* NOW flags: between before and after, by the realtime clock */
  u64 before = wt_now(__WASI_CLOCKID_REALTIME);
  CHECK_OK(wr_fd_filestat_set_times(fd, 0, 0,
                                    __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
  u64 after = wt_now(__WASI_CLOCKID_REALTIME);
  CHECK_OK(wr_fd_filestat_get(fd, P(&st)));
  /* allow 50 ms of coarse file-system clock granularity */
  CHECK(st.atim + 50000000ull >= before && st.atim <= after + 50000000ull,
        "ATIM_NOW gave %llu, not in [%llu, %llu]", (unsigned long long)st.atim,
        (unsigned long long)before, (unsigned long long)after);
  CHECK(st.mtim + 50000000ull >= before && st.mtim <= after + 50000000ull,
        "MTIM_NOW gave %llu", (unsigned long long)st.mtim);
  /* ATIM_NOW with an explicit MTIM */
  CHECK_OK(wr_fd_filestat_set_times(fd, 0, T2,
                                    __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM));
  CHECK_OK(wr_fd_filestat_get(fd, P(&st)));
  CHECK(near(st.mtim, T2) && st.atim + 50000000ull >= before,
        "ATIM_NOW|MTIM: atim %llu mtim %llu", (unsigned long long)st.atim,
        (unsigned long long)st.mtim);
  /* both forms of one time: EINVAL, and nothing changes */
  CHECK_ERR(wr_fd_filestat_set_times(fd, T1, T1,
                                     __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
            __WASI_ERRNO_INVAL);
  CHECK_ERR(wr_fd_filestat_set_times(fd, T1, T1,
                                     __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
            __WASI_ERRNO_INVAL);
  CHECK_OK(wr_fd_filestat_get(fd, P(&st)));
  CHECK(near(st.mtim, T2), "a refused set_times changed mtim");
  /* writing moves mtime forward */
  CHECK_OK(wr_fd_filestat_set_times(fd, T1, T1,
                                    __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  u64 off;
  CHECK_OK(wr_fd_seek(fd, 0, __WASI_WHENCE_END, P(&off)));
  CHECK_OK(wt_write(fd, "!", 1));
  CHECK_OK(wr_fd_filestat_get(fd, P(&st)));
  CHECK(st.mtim > T2, "write did not move mtim (%llu)",
        (unsigned long long)st.mtim);
  CHECK(st.ctim > T2, "ctim %llu not recent", (unsigned long long)st.ctim);
  /* on a directory fd */
  int64_t d = wt_opendir(dir, ".");
  if (CHECK(d > 2, "open .")) {
    CHECK_OK(wr_fd_filestat_set_times((u32)d, T1, T1,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_OK(wr_fd_filestat_get((u32)d, P(&st)));
    CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY && near(st.mtim, T1),
          "directory times: type %u mtim %llu", st.filetype,
          (unsigned long long)st.mtim);
    wr_fd_close((u32)d);
  }
  CHECK_ERR(wr_fd_filestat_set_times(4000, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
            __WASI_ERRNO_BADF);
  wr_fd_close(fd);
}

static void check_path_times(void) {
  WT_SECTION("path_filestat_set_times");
  CHECK_OK(wt_put(dir, "p.txt", "path times"));
  CHECK_OK(wr_path_filestat_set_times(dir, 0, S("p.txt"), T1, T2,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  __wasi_filestat_t st = pstat(0, "p.txt");
  CHECK(near(st.atim, T1) && near(st.mtim, T2), "atim %llu mtim %llu",
        (unsigned long long)st.atim, (unsigned long long)st.mtim);
  u64 before = wt_now(__WASI_CLOCKID_REALTIME);
  CHECK_OK(wr_path_filestat_set_times(dir, 0, S("p.txt"), 0, 0,
                                      __WASI_FSTFLAGS_MTIM_NOW));
  st = pstat(0, "p.txt");
  CHECK(near(st.atim, T1), "MTIM_NOW changed atim");
  CHECK(st.mtim + 50000000ull >= before, "MTIM_NOW: %llu < %llu",
        (unsigned long long)st.mtim, (unsigned long long)before);
  CHECK_ERR(wr_path_filestat_set_times(dir, 0, S("p.txt"), 0, 0,
                                       __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
            __WASI_ERRNO_INVAL);
  CHECK_ERR(wr_path_filestat_set_times(dir, 0, S("missing"), 0, 0,
                                       __WASI_FSTFLAGS_MTIM_NOW),
            __WASI_ERRNO_NOENT);
  /* through a symlink: with SYMLINK_FOLLOW the target changes, without it
  ** the link itself */
  CHECK_OK(wr_path_symlink(S("p.txt"), dir, S("plink")));
  CHECK_OK(wr_path_filestat_set_times(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                      S("plink"), T2, T1,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  st = pstat(0, "p.txt");
  CHECK(near(st.atim, T2) && near(st.mtim, T1), "follow: target times %llu %llu",
        (unsigned long long)st.atim, (unsigned long long)st.mtim);
  CHECK_OK(wr_path_filestat_set_times(dir, 0, S("plink"), T1, T2,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  st = pstat(0, "p.txt");
  CHECK(near(st.mtim, T1), "no-follow changed the target's mtim");
  st = pstat(0, "plink");
  CHECK(near(st.mtim, T2), "no-follow: link mtim %llu",
        (unsigned long long)st.mtim);
  /* a directory by path */
  CHECK_OK(wr_path_create_directory(dir, S("tdir")));
  CHECK_OK(wr_path_filestat_set_times(dir, 0, S("tdir"), T2, T2,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  st = pstat(0, "tdir");
  CHECK(near(st.mtim, T2), "directory mtim by path");
  /* every field of path_filestat_get */
  st = pstat(0, "p.txt");
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 10 &&
            st.nlink == 1,
        "filestat: type %u size %llu nlink %llu", st.filetype,
        (unsigned long long)st.size, (unsigned long long)st.nlink);
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  check_fd_times();
  check_path_times();
  return wt_finish();
}
