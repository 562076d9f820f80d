/*
** slash.c — trailing slashes on every path function (issue P7, finding 3).
** "name/" must never let the host resolve `name` on its own: a symlink
** there is followed by the walk (and refused when it leads out) or, for
** functions that act on the entry itself, not followed at all. The harness
** (setup_slash in run.sh) makes, inside the preopen, symlinks to a
** directory outside (relative, absolute, and ".."), a directory d with a
** symlink ld to it, a file f, an empty directory e with a symlink le to
** it, and a dangling symlink ldang; check_slash then checks that the
** outside directory kept its entries and its timestamps. Each function is
** called with each of those names and a '/' after it, in both resolvers
** (case slash_walk: WEFT_WASI_NO_OPENAT2=1).
*/
//! case slash 0 setup=setup_slash check=check_slash -- --dir @PRE@::/sandbox @WASM@
//! case slash_walk 0 walk setup=setup_slash check=check_slash -- --dir @PRE@::/sandbox @WASM@

#include "wt.h"

static u32 dir;

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define E_PERM __WASI_ERRNO_PERM
#define E_NOTCAP __WASI_ERRNO_NOTCAPABLE

/* The links that lead out of the preopen, each with a trailing slash. */
static const char *const out_links[] = {"lout/", "labs/", "lup/",
                                        "lout//", "d/../lout/"};
#define NOUT (sizeof out_links / sizeof out_links[0])

static u64 inode_of(const char *path) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  if (wr_path_filestat_get(dir, 0, S(path), P(&st)) != 0)
    return 0;
  return st.ino;
}

/* Functions that act on what the path denotes: they follow the link, and
** leaving the preopen is refused (EPERM, or ENOTCAPABLE). */
static void refuse_denoted(const char *p) {
  __wasi_filestat_t st;
  u32 fd = 0xDEADBEEF, used = 0;
  char buf[64];
  CHECK_DENIED(wr_path_filestat_get(dir, 0, S(p), P(&st)));
  CHECK_DENIED(wr_path_filestat_get(dir, FOLLOW, S(p), P(&st)));
  CHECK_DENIED(wr_path_filestat_set_times(dir, 0, S(p), 1000000000ull * 7,
                                          1000000000ull * 7,
                                          __WASI_FSTFLAGS_ATIM |
                                              __WASI_FSTFLAGS_MTIM));
  CHECK_DENIED(wr_path_filestat_set_times(dir, FOLLOW, S(p), 0, 0,
                                          __WASI_FSTFLAGS_MTIM_NOW));
  CHECK_DENIED(wr_path_readlink(dir, S(p), P(buf), sizeof buf, P(&used)));
  CHECK_DENIED(wr_path_open(dir, 0, S(p), __WASI_OFLAGS_DIRECTORY, R_DIR,
                            R_ALL, 0, P(&fd)));
  CHECK_DENIED(wr_path_open(dir, FOLLOW, S(p), 0, __WASI_RIGHTS_FD_READDIR,
                            R_ALL, 0, P(&fd)));
  CHECK(fd == 0xDEADBEEF, "path_open('%s') wrote an fd on failure", p);
}

/* Functions that act on the entry: the link itself, never its target. */
static void refuse_entry(const char *p) {
  CHECK_ERR(wr_path_create_directory(dir, S(p)), __WASI_ERRNO_EXIST);
  CHECK_ERR(wr_path_remove_directory(dir, S(p)), __WASI_ERRNO_NOTDIR);
  CHECK_ERR(wr_path_unlink_file(dir, S(p)), __WASI_ERRNO_NOTDIR);
  CHECK_ERR(wr_path_symlink(S("f"), dir, S(p)), __WASI_ERRNO_EXIST);
  CHECK_ERR(wr_path_link(dir, 0, S(p), dir, S("newlink")),
            __WASI_ERRNO_NOTDIR);
  CHECK_ERR(wr_path_link(dir, 0, S("f"), dir, S(p)), __WASI_ERRNO_EXIST);
  CHECK_ERR(wr_path_rename(dir, S(p), dir, S("moved")), __WASI_ERRNO_NOTDIR);
  /* a directory onto a symlink: ENOTDIR, the link stays */
  CHECK_ERR(wr_path_rename(dir, S("e"), dir, S(p)), __WASI_ERRNO_NOTDIR);
}

static void check_outside_links(void) {
  WT_SECTION("links out, with a slash");
  for (unsigned i = 0; i < NOUT; i++) {
    refuse_denoted(out_links[i]);
    refuse_entry(out_links[i]);
  }
  /* every link is still there, still a link */
  const char *links[] = {"lout", "labs", "lup"};
  for (unsigned i = 0; i < 3; i++) {
    __wasi_filestat_t st;
    CHECK_OK(wr_path_filestat_get(dir, 0, S(links[i]), P(&st)));
    CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK, "%s: type %u",
          links[i], st.filetype);
  }
  CHECK(!wt_exists(dir, "moved") && !wt_exists(dir, "newlink"),
        "a refused rename or link created an entry");
}

static void check_inside(void) {
  WT_SECTION("inside, with a slash");
  __wasi_filestat_t st;
  u64 d_ino = inode_of("d");
  CHECK(d_ino != 0, "stat d");
  /* functions on what the path denotes follow a link inside */
  CHECK_OK(wr_path_filestat_get(dir, 0, S("ld/"), P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY && st.ino == d_ino,
        "stat ld/: type %u, ino %llu, expected d's %llu", st.filetype,
        (unsigned long long)st.ino, (unsigned long long)d_ino);
  CHECK_OK(wr_path_filestat_get(dir, 0, S("d/"), P(&st)));
  CHECK(st.ino == d_ino, "stat d/ is d");
  CHECK_OK(wr_path_filestat_set_times(dir, 0, S("ld/"), 1000000000ull * 5,
                                      1000000000ull * 6,
                                      __WASI_FSTFLAGS_ATIM |
                                          __WASI_FSTFLAGS_MTIM));
  CHECK_OK(wr_path_filestat_get(dir, 0, S("d"), P(&st)));
  CHECK(st.mtim == 1000000000ull * 6, "set_times ld/ set d's mtim: %llu",
        (unsigned long long)st.mtim);
  CHECK_OK(wr_path_filestat_get(dir, 0, S("ld"), P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK, "ld is still a link");
  u32 used = 0;
  char buf[32];
  CHECK_ERR(wr_path_readlink(dir, S("ld/"), P(buf), sizeof buf, P(&used)),
            __WASI_ERRNO_INVAL);
  int64_t fd = wt_open(dir, 0, "ld/", __WASI_OFLAGS_DIRECTORY, R_DIR, 0);
  CHECK(fd > 2, "open ld/ as a directory: %lld", (long long)fd);
  if (fd > 2)
    wr_fd_close((u32)fd);
  /* a file with a slash is not a directory, however it is reached */
  const char *files[] = {"f/", "lf/"};
  for (unsigned i = 0; i < 2; i++) {
    const char *p = files[i];
    CHECK_ERR(wr_path_filestat_get(dir, 0, S(p), P(&st)), __WASI_ERRNO_NOTDIR);
    CHECK_ERR(wr_path_filestat_set_times(dir, 0, S(p), 0, 0,
                                         __WASI_FSTFLAGS_MTIM_NOW),
              __WASI_ERRNO_NOTDIR);
    CHECK_ERR(wr_path_readlink(dir, S(p), P(buf), sizeof buf, P(&used)),
              __WASI_ERRNO_NOTDIR);
    CHECK_ERR(wr_path_unlink_file(dir, S(p)), __WASI_ERRNO_NOTDIR);
    CHECK_ERR(wr_path_rename(dir, S(p), dir, S("moved")), __WASI_ERRNO_NOTDIR);
    CHECK_ERR(wr_path_link(dir, 0, S(p), dir, S("newlink")),
              __WASI_ERRNO_NOTDIR);
  }
  CHECK(wt_exists(dir, "f") && wt_exists(dir, "lf"), "f or lf went away");
  /* functions on the entry do not follow: le/ is a link, not e */
  CHECK_ERR(wr_path_remove_directory(dir, S("le/")), __WASI_ERRNO_NOTDIR);
  CHECK(inode_of("e") != 0, "rmdir le/ removed the directory e");
  CHECK_ERR(wr_path_unlink_file(dir, S("ld/")), __WASI_ERRNO_NOTDIR);
  CHECK(inode_of("ld") != 0, "unlink ld/ removed ld");
  CHECK_ERR(wr_path_unlink_file(dir, S("d/")), __WASI_ERRNO_ISDIR);
  CHECK_ERR(wr_path_create_directory(dir, S("ldang/")), __WASI_ERRNO_EXIST);
  CHECK(inode_of("nothere") == 0, "mkdir ldang/ created the link's target");
  CHECK_ERR(wr_path_symlink(S("f"), dir, S("ld/")), __WASI_ERRNO_EXIST);
  CHECK_ERR(wr_path_symlink(S("f"), dir, S("new/")), __WASI_ERRNO_NOENT);
  CHECK(inode_of("new") == 0, "symlink new/ created new");
  CHECK_ERR(wr_path_link(dir, 0, S("f"), dir, S("new/")), __WASI_ERRNO_NOENT);
  CHECK_ERR(wr_path_link(dir, 0, S("d/"), dir, S("new")), __WASI_ERRNO_PERM);
  CHECK(inode_of("new") == 0, "link created new");
  /* what works with a slash still works */
  CHECK_OK(wr_path_create_directory(dir, S("made/")));
  CHECK_OK(wr_path_rename(dir, S("made/"), dir, S("made2/")));
  CHECK_OK(wr_path_remove_directory(dir, S("made2/")));
  CHECK(inode_of("made2") == 0 && inode_of("made") == 0, "made/ round trip");
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  check_outside_links();
  check_inside();
  return wt_finish();
}
