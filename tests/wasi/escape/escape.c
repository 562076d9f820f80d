/*
** escape.c — attempts to leave the sandbox (Must-show 2), each refused with
** the errno wasmtime gives (EPERM for a path that leads outside; legacy
** ENOTCAPABLE accepted; ELOOP for loops). The harness (setup_escape in
** run.sh) prepares what only the host can make: symlinks to "..", to an
** absolute path, to "/", a chain of 40 links ending outside, loops,
** dangling links pointing outside, a hard link to an outside file, and a
** read-only preopen; after the run it checks that the canary next to the
** preopen and everything else outside is unchanged and that nothing was
** created outside. If any open here succeeds, the program reads what it got
** and fails loudly if it is the canary, /etc/passwd or the outside secret.
*/
//! case escape 0 setup=setup_escape check=check_escape -- --dir @PRE@::/sandbox --dir-ro @RO@::/ro @WASM@
//! case escape_walk 0 walk setup=setup_escape check=check_escape -- --dir @PRE@::/sandbox --dir-ro @RO@::/ro @WASM@

#include "wt.h"

static u32 dir, ro;

#define E_PERM __WASI_ERRNO_PERM
#define E_NOTCAP __WASI_ERRNO_NOTCAPABLE
#define E_LOOP __WASI_ERRNO_LOOP

/* What a successful escape would have read. */
static void inspect(u32 fd, const char *what) {
  char buf[64] = {0};
  int64_t n = wt_read(fd, buf, sizeof buf - 1);
  if (n > 0 && (strncmp(buf, "CANARY", 6) == 0 ||
                strncmp(buf, "root:", 5) == 0 ||
                strncmp(buf, "outside file", 12) == 0))
    CHECK(0, "ESCAPE: %s read outside content '%.20s'", what, buf);
}

/* path_open must fail with one of the accepted errnos. */
static void refuse_open(u32 lookup, const char *path, u32 oflags, u64 rights,
                        u32 a, u32 b, u32 c) {
  u32 fd = 0xDEADBEEF;
  u32 e = wr_path_open(dir, lookup, S(path), oflags, rights, rights, 0, P(&fd));
  if (e == 0) {
    CHECK(0, "ESCAPE: path_open('%s', lookup %u, oflags %u) succeeded (fd %u)",
          path, lookup, oflags, fd);
    inspect(fd, path);
    wr_fd_close(fd);
    return;
  }
  CHECK(e == a || e == b || e == c,
        "path_open('%s', lookup %u, oflags %#x): %s, expected %s/%s/%s", path,
        lookup, oflags, wt_errno_name(e), wt_errno_name(a), wt_errno_name(b),
        wt_errno_name(c));
  CHECK(fd == 0xDEADBEEF, "path_open('%s') wrote an fd on failure", path);
}

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define RD __WASI_RIGHTS_FD_READ
#define CREAT __WASI_OFLAGS_CREAT
#define DIRF __WASI_OFLAGS_DIRECTORY

/* Opens refused for leaving the sandbox, with and without follow, for
** reading, writing, creating, truncating and as a directory. */
static void refuse_all_ways(const char *path) {
  refuse_open(FOLLOW, path, 0, RD, E_PERM, E_NOTCAP, E_PERM);
  refuse_open(FOLLOW, path, CREAT, R_ALL, E_PERM, E_NOTCAP, E_PERM);
  refuse_open(FOLLOW, path, __WASI_OFLAGS_TRUNC, R_ALL, E_PERM, E_NOTCAP,
              E_PERM);
  refuse_open(FOLLOW, path, DIRF, RD, E_PERM, E_NOTCAP, __WASI_ERRNO_NOTDIR);
}

static void check_dotdot_absolute(void) {
  WT_SECTION("dotdot/absolute");
  const char *paths[] = {"../canary", "..", "../", "../.", "../pre/../canary",
                         "a/../../canary", "a/b/../../../canary",
                         "a/b/../../..", "./../canary", "a/./../../canary",
                         "../../../../../../../../../../etc/passwd",
                         "/etc/passwd", "/", "//etc/passwd", "/canary",
                         "a/b/../../../pre/a"};
  for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++)
    refuse_all_ways(paths[i]);
  /* staying inside through ".." is fine */
  int64_t f = wt_open(dir, 0, "a/b/../../target.txt", 0, RD, 0);
  CHECK(f > 2, "a/b/../../target.txt (inside) refused: %lld", (long long)f);
  if (f > 2)
    wr_fd_close((u32)f);
  /* every other path call refuses too */
  __wasi_filestat_t st;
  char buf[64];
  u32 used;
  const char *out[] = {"../canary", "/etc/passwd", "a/../../canary"};
  for (unsigned i = 0; i < 3; i++) {
    const char *p = out[i];
    CHECK_DENIED(wr_path_filestat_get(dir, 0, S(p), P(&st)));
    CHECK_DENIED(wr_path_filestat_get(dir, FOLLOW, S(p), P(&st)));
    CHECK_DENIED(wr_path_filestat_set_times(dir, 0, S(p), 1, 1,
                                            __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_DENIED(wr_path_unlink_file(dir, S(p)));
    CHECK_DENIED(wr_path_readlink(dir, S(p), P(buf), sizeof buf, P(&used)));
    CHECK_DENIED(wr_path_link(dir, 0, S(p), dir, S("stolen")));
    CHECK_DENIED(wr_path_rename(dir, S(p), dir, S("stolen")));
  }
  CHECK_DENIED(wr_path_create_directory(dir, S("../newfile")));
  CHECK_DENIED(wr_path_remove_directory(dir, S("../outdir")));
  CHECK_DENIED(wr_path_remove_directory(dir, S("../pre")));
  CHECK_DENIED(wr_path_symlink(S("x"), dir, S("../newfile")));
  CHECK_DENIED(wr_path_unlink_file(dir, S("../outdir/secret")));
  CHECK_DENIED(wr_path_filestat_get(dir, 0, S(".."), P(&st)));
}

static void check_symlinks(void) {
  WT_SECTION("symlinks out");
  /* links the harness made: to "..", relative and absolute to the canary,
  ** to "/", to /etc/passwd, "a/../../canary" inside a link, to a directory
  ** outside (relative and absolute) */
  const char *via[] = {"up/canary", "up", "up/pre/up/canary", "canary_rel",
                       "canary_abs", "root/etc/passwd", "root", "passwd_abs",
                       "sneaky", "outdir_link/secret", "outdir_abs/secret",
                       "outdir_link", "a/../up/canary"};
  for (unsigned i = 0; i < sizeof via / sizeof via[0]; i++)
    refuse_all_ways(via[i]);
  /* without follow, a final symlink is ELOOP; intermediate ones are always
  ** followed and so refused */
  refuse_open(0, "canary_rel", 0, RD, E_LOOP, E_PERM, E_NOTCAP);
  refuse_open(0, "canary_abs", 0, RD, E_LOOP, E_PERM, E_NOTCAP);
  refuse_open(0, "up/canary", 0, RD, E_PERM, E_NOTCAP, E_PERM);
  __wasi_filestat_t st;
  CHECK_DENIED(wr_path_filestat_get(dir, FOLLOW, S("canary_abs"), P(&st)));
  CHECK_DENIED(wr_path_filestat_get(dir, 0, S("up/canary"), P(&st)));
  CHECK_DENIED(wr_path_filestat_set_times(dir, FOLLOW, S("canary_rel"), 1, 1,
                                          __WASI_FSTFLAGS_MTIM));
  /* without follow the link itself is inside: lstat works */
  CHECK_OK(wr_path_filestat_get(dir, 0, S("canary_abs"), P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK, "lstat canary_abs: %u",
        st.filetype);
  /* reading the link text is allowed (it is data in the sandbox) */
  char buf[256];
  u32 used = 0;
  CHECK_OK(wr_path_readlink(dir, S("canary_rel"), P(buf), sizeof buf, P(&used)));
  CHECK(used == 9 && memcmp(buf, "../canary", 9) == 0, "readlink canary_rel");

  WT_SECTION("chain/loop");
  /* 40 links ending outside: refused for the escape or as a loop */
  refuse_open(FOLLOW, "chain0", 0, RD, E_PERM, E_NOTCAP, E_LOOP);
  refuse_open(FOLLOW, "chain0", CREAT, R_ALL, E_PERM, E_NOTCAP, E_LOOP);
  refuse_open(FOLLOW, "chain20", 0, RD, E_PERM, E_NOTCAP, E_LOOP);
  refuse_open(FOLLOW, "chain39", 0, RD, E_PERM, E_NOTCAP, E_LOOP);
  /* a chain of 10 inside works */
  char tb[32];
  CHECK(wt_get(dir, FOLLOW, "ichain0", tb, sizeof tb) == 7 &&
            strcmp(tb, "inside\n") == 0,
        "inside chain of 10: '%s'", tb);
  refuse_open(FOLLOW, "loop1", 0, RD, E_LOOP, E_LOOP, E_LOOP);
  refuse_open(FOLLOW, "loop1/x", CREAT, R_ALL, E_LOOP, E_LOOP, E_LOOP);
  refuse_open(FOLLOW, "self", CREAT, R_ALL, E_LOOP, E_LOOP, E_LOOP);

  WT_SECTION("dangling out");
  /* creating through a dangling link that points outside */
  refuse_open(FOLLOW, "dangling_out", CREAT, R_ALL, E_PERM, E_NOTCAP, E_PERM);
  refuse_open(FOLLOW, "dangling_abs", CREAT, R_ALL, E_PERM, E_NOTCAP, E_PERM);
  refuse_open(FOLLOW, "dangling_out", CREAT | __WASI_OFLAGS_EXCL, R_ALL,
              E_PERM, E_NOTCAP, __WASI_ERRNO_EXIST);
  /* without follow: the final link is not followed, so nothing is created
  ** (ELOOP, or EEXIST for O_EXCL) */
  refuse_open(0, "dangling_out", CREAT, R_ALL, E_LOOP, E_PERM, E_NOTCAP);
  refuse_open(0, "dangling_abs", CREAT | __WASI_OFLAGS_EXCL, R_ALL,
              __WASI_ERRNO_EXIST, E_LOOP, E_PERM);
  CHECK_DENIED(wr_path_create_directory(dir, S("dangling_out/sub")));

  WT_SECTION("new links out");
  /* a link the program makes itself: creating it may be allowed (its text
  ** is inert data) or refused; following it never works */
  u32 e = wr_path_symlink(S("/etc/passwd"), dir, S("my_abs"));
  CHECK(e == 0 || e == E_PERM || e == E_NOTCAP, "symlink to /etc/passwd: %s",
        wt_errno_name(e));
  if (e == 0)
    refuse_all_ways("my_abs");
  e = wr_path_symlink(S("../canary"), dir, S("my_rel"));
  CHECK(e == 0 || e == E_PERM || e == E_NOTCAP, "symlink to ../canary: %s",
        wt_errno_name(e));
  if (e == 0)
    refuse_all_ways("my_rel");
  e = wr_path_symlink(S("../../.."), dir, S("a/b/my_up"));
  if (e == 0)
    refuse_all_ways("a/b/my_up/canary");
}

static void check_links_renames(void) {
  WT_SECTION("hard links");
  /* a hard link the host put in the preopen is a file the host granted:
  ** reading it is fine */
  char buf[64];
  CHECK(wt_get(dir, FOLLOW, "hardlink", buf, sizeof buf) == 12 &&
            strcmp(buf, "hard linked\n") == 0,
        "host-made hard link: '%s'", buf);
  /* linking an outside file in: through "..", through a symlink with and
  ** without follow */
  CHECK_DENIED(wr_path_link(dir, 0, S("../canary"), dir, S("stolen")));
  CHECK_DENIED(wr_path_link(dir, 0, S("up/canary"), dir, S("stolen")));
  CHECK_DENIED(wr_path_link(dir, 0, S("outdir_link/secret"), dir, S("stolen")));
  u32 e = wr_path_link(dir, FOLLOW, S("canary_rel"), dir, S("stolen"));
  CHECK(e == E_PERM || e == E_NOTCAP || e == __WASI_ERRNO_INVAL,
        "link with follow through canary_rel: %s", wt_errno_name(e));
  e = wr_path_link(dir, FOLLOW, S("canary_abs"), dir, S("stolen"));
  CHECK(e == E_PERM || e == E_NOTCAP || e == __WASI_ERRNO_INVAL,
        "link with follow through canary_abs: %s", wt_errno_name(e));
  CHECK(!wt_exists(dir, "stolen"), "a link to the canary appeared inside");
  /* without follow, the symlink itself may be linked; it still leads
  ** nowhere */
  e = wr_path_link(dir, 0, S("canary_abs"), dir, S("stolen2"));
  if (e == 0)
    refuse_all_ways("stolen2");
  /* linking out of the sandbox */
  CHECK_DENIED(wr_path_link(dir, 0, S("target.txt"), dir, S("../stolen")));
  CHECK_DENIED(wr_path_link(dir, 0, S("target.txt"), dir, S("up/stolen")));

  WT_SECTION("renames");
  CHECK_OK(wr_path_create_directory(dir, S("mvdir")));
  CHECK_OK(wt_put(dir, "mvdir/f", "moving"));
  CHECK_DENIED(wr_path_rename(dir, S("mvdir"), dir, S("../moved_dir")));
  CHECK_DENIED(wr_path_rename(dir, S("mvdir"), dir, S("up/moved_dir")));
  CHECK_DENIED(wr_path_rename(dir, S("mvdir"), dir, S("outdir_link/moved_dir")));
  CHECK_DENIED(wr_path_rename(dir, S("mvdir"), dir, S("/tmp/moved_dir")));
  CHECK_DENIED(wr_path_rename(dir, S("target.txt"), dir, S("../moved")));
  CHECK_DENIED(wr_path_rename(dir, S("../canary"), dir, S("moved")));
  CHECK_DENIED(wr_path_rename(dir, S("up/outdir"), dir, S("moved_dir")));
  CHECK(wt_exists(dir, "mvdir/f"), "mvdir lost its content");
  /* renaming the symlink itself inside the sandbox is fine; it still leads
  ** nowhere afterwards */
  CHECK_OK(wr_path_rename(dir, S("up"), dir, S("a/up2")));
  refuse_all_ways("a/up2/../canary");
  /* moving a directory deeper must not let ".." inside it escape */
  CHECK_OK(wr_path_rename(dir, S("mvdir"), dir, S("a/b/mvdir")));
  refuse_open(FOLLOW, "a/b/mvdir/../../../../canary", 0, RD, E_PERM, E_NOTCAP,
              E_PERM);
}

/* A read-only preopen refuses every change: EROFS (weft) or EPERM
** (wasmtime's DirPerms) or ENOTCAPABLE (rights). */
#define CHECK_RO(call)                                                         \
  do {                                                                         \
    u32 e_ = (u32)(call);                                                      \
    CHECK(e_ == __WASI_ERRNO_ROFS || e_ == E_PERM || e_ == E_NOTCAP,           \
          "%s on the read-only preopen: %s", #call, wt_errno_name(e_));        \
  } while (0)

static u32 ro_open(const char *path, u32 oflags, u64 rights, u32 fdflags) {
  u32 fd = 0xDEADBEEF;
  u32 e = wr_path_open(ro, FOLLOW, S(path), oflags, rights, rights, fdflags,
                       P(&fd));
  if (e == 0) {
    wr_fd_close(fd);
    return 0;
  }
  return e;
}

static void check_readonly(void) {
  WT_SECTION("read-only preopen");
  char buf[64];
  CHECK(wt_get(ro, 0, "file.txt", buf, sizeof buf) == 10 &&
            strcmp(buf, "read only\n") == 0,
        "reading the read-only preopen: '%s'", buf);
  CHECK(wt_get(ro, FOLLOW, "link", buf, sizeof buf) == 10, "reading via link");
  /* opening for writing, creating, truncating, appending */
  CHECK_RO(ro_open("file.txt", 0, __WASI_RIGHTS_FD_WRITE, 0));
  CHECK_RO(ro_open("file.txt", 0, R_RW, 0));
  CHECK_RO(ro_open("file.txt", 0, __WASI_RIGHTS_FD_WRITE, __WASI_FDFLAGS_APPEND));
  CHECK_RO(ro_open("new.txt", CREAT, R_ALL, 0));
  CHECK_RO(ro_open("new.txt", CREAT, RD, 0));
  CHECK_RO(ro_open("file.txt", __WASI_OFLAGS_TRUNC, RD, 0));
  CHECK_RO(ro_open("link", __WASI_OFLAGS_TRUNC, RD, 0));
  CHECK_RO(ro_open("sub/new.txt", CREAT, R_ALL, 0));
  /* every tree change */
  CHECK_RO(wr_path_create_directory(ro, S("newdir")));
  CHECK_RO(wr_path_remove_directory(ro, S("sub")));
  CHECK_RO(wr_path_unlink_file(ro, S("file.txt")));
  CHECK_RO(wr_path_unlink_file(ro, S("link")));
  CHECK_RO(wr_path_rename(ro, S("file.txt"), ro, S("renamed")));
  CHECK_RO(wr_path_rename(ro, S("sub"), ro, S("sub2")));
  CHECK_RO(wr_path_symlink(S("file.txt"), ro, S("newlink")));
  CHECK_RO(wr_path_link(ro, 0, S("file.txt"), ro, S("hard")));
  CHECK_RO(wr_path_filestat_set_times(ro, 0, S("file.txt"), 1, 1,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  /* across preopens: nothing moves out of or into the read-only one, and a
  ** hard link from it into the writable one (then written) is refused */
  CHECK_RO(wr_path_rename(ro, S("file.txt"), dir, S("moved")));
  CHECK_OK(wt_put(dir, "intoro", "x"));
  CHECK_RO(wr_path_rename(dir, S("intoro"), ro, S("intoro")));
  CHECK_RO(wr_path_link(dir, 0, S("intoro"), ro, S("intoro")));
  u32 e = wr_path_link(ro, 0, S("file.txt"), dir, S("ro_hard"));
  if (e == 0) {
    /* allowed by the host: then writing through it must still fail, or the
    ** read-only file changes (the harness checks its content) */
    int64_t f = wt_open(dir, 0, "ro_hard", 0, R_RW, 0);
    if (f > 2) {
      CHECK(0, "a hard link into the writable preopen made the read-only "
               "file writable");
      wr_fd_close((u32)f);
    }
  } else {
    CHECK(e == __WASI_ERRNO_ROFS || e == E_PERM || e == E_NOTCAP,
          "hard link from the read-only preopen: %s", wt_errno_name(e));
  }
  /* a file opened for reading: no write, no resize, no times, no rights
  ** back */
  int64_t f = wt_open(ro, 0, "file.txt", 0, RD | __WASI_RIGHTS_FD_FILESTAT_GET, 0);
  if (CHECK(f > 2, "open file.txt for reading")) {
    u32 fd = (u32)f;
    CHECK_ERR2(wt_write(fd, "x", 1), __WASI_ERRNO_BADF, E_NOTCAP);
    __wasi_ciovec_t ci = {(const uint8_t *)"x", 1};
    u32 n;
    CHECK_ERR2(wr_fd_pwrite(fd, P(&ci), 1, 0, P(&n)), __WASI_ERRNO_BADF,
               E_NOTCAP);
    u32 r = wr_fd_filestat_set_size(fd, 0);
    CHECK(r != 0, "truncating a read-only file succeeded");
    r = wr_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_MTIM);
    CHECK(r != 0, "setting times on a read-only file succeeded");
    CHECK_ERR(wr_fd_fdstat_set_rights(fd, R_ALL, R_ALL), E_NOTCAP);
    __wasi_fdstat_t st;
    CHECK_OK(wr_fd_fdstat_get(fd, P(&st)));
    CHECK(!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE),
          "a file under the read-only preopen has FD_WRITE");
    wr_fd_close(fd);
  }
  /* a directory opened below it stays read-only */
  int64_t d = wt_opendir(ro, "sub");
  if (CHECK(d > 2, "open sub")) {
    u32 fd = 0;
    u32 e2 = wr_path_open((u32)d, 0, S("x"), CREAT, R_ALL, R_ALL, 0, P(&fd));
    CHECK(e2 == __WASI_ERRNO_ROFS || e2 == E_PERM || e2 == E_NOTCAP,
          "create under ro/sub: %s", wt_errno_name(e2));
    CHECK_RO(wr_path_create_directory((u32)d, S("x")));
    CHECK_ERR(wr_fd_fdstat_set_rights((u32)d, R_ALL, R_ALL), E_NOTCAP);
    wr_fd_close((u32)d);
  }
  /* and ".." from it does not reach the writable sandbox */
  u32 fd;
  CHECK_DENIED(wr_path_open(ro, 0, S("../pre/target.txt"), 0, RD, RD, 0, P(&fd)));
  /* reading the directory is allowed */
  static char db[1024];
  u32 used;
  CHECK_OK(wr_fd_readdir(ro, P(db), sizeof db, 0, P(&used)));
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  ro = wt_need_preopen("/ro");
  check_dotdot_absolute();
  check_symlinks();
  check_links_renames();
  check_readonly();
  return wt_finish();
}
