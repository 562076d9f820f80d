/*
** pathwork.c — the work of one path resolution is bounded and paid for
** (issue P7, finding 10). The harness (setup_pathwork in run.sh) makes a
** chain of 600 nested directories q/q/.../q, a file f and a symlink s to
** "q/" x 600 then "../" x 600 (600 levels down and up again).
**
** Without arguments: a path that climbs the 600 levels down and up again
** works (each `..` costs O(1) lookups on average, not the depth); three s
** in a row work too; twenty, 24,000 components, exceed the 8,192 lookups
** one resolution may make (WF_WASI_WALK_LOOKUPS) and fail with ELOOP, the
** documented errno, in every function that walks. Each call was seconds
** to minutes of host CPU before the bound (the `timeout` of run.sh guards
** against a hang; nothing here measures time).
**
** With "fuel PATH": one path_filestat_get of PATH, nothing else; run by
** check_pathwork_fuel with --fuel and --account for paths of 0, 300 and
** 600 levels down and up: the fuel used must grow with the lookups made.
*/
//! case pathwork 0 setup=setup_pathwork check=check_pathwork_fuel -- --dir @PRE@::/sandbox @WASM@
//! case pathwork_walk 0 walk setup=setup_pathwork -- --dir @PRE@::/sandbox @WASM@ walk

#include "wt.h"

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define DEPTH 600

static u32 dir;
static char path[8192];

/* "q/" x n, "../" x n, then tail. */
static void down_up(int n, const char *tail) {
  path[0] = 0;
  for (int i = 0; i < n; i++)
    strcat(path, "q/");
  for (int i = 0; i < n; i++)
    strcat(path, "../");
  strcat(path, tail);
}

/* "s/" x n, then tail. */
static void links(int n, const char *tail) {
  path[0] = 0;
  for (int i = 0; i < n; i++)
    strcat(path, "s/");
  strcat(path, tail);
}

static void check_bounded(int walk_only) {
  __wasi_filestat_t st;
  u32 fd = 0, used = 0;
  char buf[8];

  WT_SECTION("deep but legitimate");
  down_up(DEPTH, "f");
  CHECK_OK(wr_path_filestat_get(dir, 0, S(path), P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE, "600 down, 600 up: f");
  links(3, "f");
  CHECK_OK(wr_path_filestat_get(dir, FOLLOW, S(path), P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE, "three s: f");

  WT_SECTION("too much work: ELOOP");
  links(20, "f");
  CHECK_ERR(wr_path_filestat_get(dir, 0, S(path), P(&st)), __WASI_ERRNO_LOOP);
  CHECK_ERR(wr_path_filestat_get(dir, FOLLOW, S(path), P(&st)),
            __WASI_ERRNO_LOOP);
  CHECK_ERR(wr_path_filestat_set_times(dir, 0, S(path), 0, 0,
                                       __WASI_FSTFLAGS_MTIM_NOW),
            __WASI_ERRNO_LOOP);
  CHECK_ERR(wr_path_readlink(dir, S(path), P(buf), sizeof buf, P(&used)),
            __WASI_ERRNO_LOOP);
  CHECK_ERR(wr_path_unlink_file(dir, S(path)), __WASI_ERRNO_LOOP);
  CHECK_ERR(wr_path_create_directory(dir, S(path)), __WASI_ERRNO_LOOP);
  CHECK_ERR(wr_path_remove_directory(dir, S(path)), __WASI_ERRNO_LOOP);
  CHECK_ERR(wr_path_symlink(S("f"), dir, S(path)), __WASI_ERRNO_LOOP);
  CHECK_ERR(wr_path_link(dir, 0, S(path), dir, S("g")), __WASI_ERRNO_LOOP);
  CHECK_ERR(wr_path_rename(dir, S(path), dir, S("g")), __WASI_ERRNO_LOOP);
  /* path_open: openat2's resolution is linear in the kernel and may open
  ** f; WASI's own walk is bounded like the rest */
  u32 e = wr_path_open(dir, FOLLOW, S(path), 0, __WASI_RIGHTS_FD_READ,
                       __WASI_RIGHTS_FD_READ, 0, P(&fd));
  if (e == 0)
    wr_fd_close(fd);
  if (walk_only)
    CHECK(e == __WASI_ERRNO_LOOP, "path_open of 20 s: %s", wt_errno_name(e));
  else
    CHECK(e == 0 || e == __WASI_ERRNO_LOOP, "path_open of 20 s: %s",
          wt_errno_name(e));
  CHECK(wt_exists(dir, "f") && !wt_exists(dir, "g"), "f untouched, no g");
}

int main(int argc, char **argv) {
  dir = wt_need_preopen("/sandbox");
  if (argc == 3 && strcmp(argv[1], "fuel") == 0) {
    __wasi_filestat_t st;
    return wr_path_filestat_get(dir, 0, S(argv[2]), P(&st)) == 0 ? 0 : 1;
  }
  check_bounded(argc == 2 && strcmp(argv[1], "walk") == 0);
  return wt_finish();
}
