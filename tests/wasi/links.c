/*
** links.c — path_rename (files, directories, replacing, across
** directories, trailing slashes), path_link (nlink, shared content,
** LOOKUP_SYMLINK_FOLLOW), path_symlink and path_readlink (truncation to the
** buffer, EINVAL on a non-link), symlinks followed or not by path_open and
** path_filestat_get (O_NOFOLLOW → ELOOP), dangling and looping links, and
** the trailing-slash rules wasmtime tests for.
*/
//! case links 0 -- --dir @PRE@::/sandbox @WASM@

#include "wt.h"
#include <errno.h>
#include <unistd.h>

static u32 dir;

static int content_is(const char *path, const char *want) {
  char buf[256];
  int64_t n = wt_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, buf,
                     sizeof buf);
  return n >= 0 && strcmp(buf, want) == 0;
}

static void check_rename(void) {
  WT_SECTION("rename");
  CHECK_OK(wt_put(dir, "r1", "one"));
  CHECK_OK(wr_path_rename(dir, S("r1"), dir, S("r2")));
  CHECK(!wt_exists(dir, "r1") && content_is("r2", "one"), "rename r1 -> r2");
  /* replace an existing file */
  CHECK_OK(wt_put(dir, "r3", "three"));
  CHECK_OK(wr_path_rename(dir, S("r2"), dir, S("r3")));
  CHECK(content_is("r3", "one") && !wt_exists(dir, "r2"), "rename replaces");
  /* rename onto itself: no-op */
  CHECK_OK(wr_path_rename(dir, S("r3"), dir, S("r3")));
  CHECK(content_is("r3", "one"), "rename onto itself");
  /* missing source */
  CHECK_ERR(wr_path_rename(dir, S("nope"), dir, S("x")), __WASI_ERRNO_NOENT);
  /* directories */
  CHECK_OK(wr_path_create_directory(dir, S("rd1")));
  CHECK_OK(wt_put(dir, "rd1/inner", "in"));
  CHECK_OK(wr_path_create_directory(dir, S("rd2")));
  CHECK_OK(wr_path_rename(dir, S("rd1"), dir, S("rd2/moved")));
  CHECK(content_is("rd2/moved/inner", "in"), "directory moved with content");
  /* a directory over a file, a file over a directory */
  CHECK_ERR(wr_path_rename(dir, S("rd2/moved"), dir, S("r3")),
            __WASI_ERRNO_NOTDIR);
  CHECK_ERR(wr_path_rename(dir, S("r3"), dir, S("rd2/moved")),
            __WASI_ERRNO_ISDIR);
  /* a directory onto a non-empty directory */
  CHECK_OK(wr_path_create_directory(dir, S("rd3")));
  CHECK_ERR(wr_path_rename(dir, S("rd3"), dir, S("rd2")),
            __WASI_ERRNO_NOTEMPTY);
  /* a directory into itself */
  CHECK_ERR(wr_path_rename(dir, S("rd2"), dir, S("rd2/moved/sub")),
            __WASI_ERRNO_INVAL);
  /* onto an empty directory: replaces it */
  CHECK_OK(wr_path_rename(dir, S("rd2/moved"), dir, S("rd3")));
  CHECK(content_is("rd3/inner", "in"), "directory onto empty directory");
  /* trailing slashes on directories are fine (wasmtime's test) */
  CHECK_OK(wr_path_rename(dir, S("rd3/"), dir, S("rd4")));
  CHECK_OK(wr_path_rename(dir, S("rd4"), dir, S("rd3/")));
  CHECK_OK(wr_path_rename(dir, S("rd3/"), dir, S("rd4/")));
  /* ... and on files they are not */
  CHECK_ERR(wr_path_rename(dir, S("r3/"), dir, S("r4")), __WASI_ERRNO_NOTDIR);
  CHECK_ERR(wr_path_rename(dir, S("r3"), dir, S("r4/")), __WASI_ERRNO_NOTDIR);
  CHECK(content_is("r3", "one"), "failed renames left r3");
  /* across two directory fds */
  int64_t sub = wt_opendir(dir, "rd4");
  if (CHECK(sub > 2, "open rd4")) {
    CHECK_OK(wr_path_rename(dir, S("r3"), (u32)sub, S("from_parent")));
    CHECK(content_is("rd4/from_parent", "one"), "rename across fds");
    CHECK_OK(wr_path_rename((u32)sub, S("from_parent"), dir, S("r3")));
    wr_fd_close((u32)sub);
  }
  /* bad fds */
  CHECK_ERR(wr_path_rename(4000, S("r3"), dir, S("x")), __WASI_ERRNO_BADF);
  CHECK_ERR(wr_path_rename(dir, S("r3"), 4000, S("x")), __WASI_ERRNO_BADF);
  /* libc */
  CHECK(rename("/sandbox/r3", "/sandbox/r5") == 0, "libc rename: %d", errno);
  CHECK(content_is("r5", "one"), "libc rename content");
}

static void check_link(void) {
  WT_SECTION("link");
  CHECK_OK(wt_put(dir, "l1", "shared"));
  CHECK_OK(wr_path_link(dir, 0, S("l1"), dir, S("l2")));
  __wasi_filestat_t a, b;
  CHECK_OK(wr_path_filestat_get(dir, 0, S("l1"), P(&a)));
  CHECK_OK(wr_path_filestat_get(dir, 0, S("l2"), P(&b)));
  CHECK(a.nlink == 2 && b.nlink == 2, "nlink %llu/%llu, expected 2",
        (unsigned long long)a.nlink, (unsigned long long)b.nlink);
  CHECK(a.ino == b.ino && a.dev == b.dev, "hard links differ in ino/dev");
  /* writing through one shows through the other */
  int64_t f = wt_open(dir, 0, "l2", __WASI_OFLAGS_TRUNC, R_ALL, 0);
  if (CHECK(f > 2, "open l2")) {
    CHECK_OK(wt_write((u32)f, "changed", 7));
    wr_fd_close((u32)f);
  }
  CHECK(content_is("l1", "changed"), "content through the other link");
  /* existing target */
  CHECK_ERR(wr_path_link(dir, 0, S("l1"), dir, S("l2")), __WASI_ERRNO_EXIST);
  /* missing source */
  CHECK_ERR(wr_path_link(dir, 0, S("nope"), dir, S("l3")), __WASI_ERRNO_NOENT);
  /* directories cannot be hard linked: EPERM (Linux) */
  CHECK_OK(wr_path_create_directory(dir, S("ldir")));
  CHECK_ERR(wr_path_link(dir, 0, S("ldir"), dir, S("ldir2")),
            __WASI_ERRNO_PERM);
  /* trailing slash on the target */
  CHECK_ERR2(wr_path_link(dir, 0, S("l1"), dir, S("l4/")), __WASI_ERRNO_NOENT,
             __WASI_ERRNO_NOTDIR);
  /* link to a symlink without follow links the symlink itself */
  CHECK_OK(wr_path_symlink(S("l1"), dir, S("lsym")));
  CHECK_OK(wr_path_link(dir, 0, S("lsym"), dir, S("lsym_hard")));
  CHECK_OK(wr_path_filestat_get(dir, 0, S("lsym_hard"), P(&a)));
  CHECK(a.filetype == __WASI_FILETYPE_SYMBOLIC_LINK,
        "link without SYMLINK_FOLLOW: type %u, expected a symlink",
        a.filetype);
  /* with follow: the file */
  u32 e = wr_path_link(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S("lsym"), dir,
                       S("lsym_file"));
  if (e == 0) {
    CHECK_OK(wr_path_filestat_get(dir, 0, S("lsym_file"), P(&a)));
    CHECK(a.filetype == __WASI_FILETYPE_REGULAR_FILE && a.ino == b.ino,
          "link with SYMLINK_FOLLOW: type %u", a.filetype);
  } else {
    /* wasmtime refuses SYMLINK_FOLLOW on path_link: EINVAL */
    CHECK(e == __WASI_ERRNO_INVAL, "path_link follow: %s", wt_errno_name(e));
  }
  CHECK_OK(wr_path_unlink_file(dir, S("l2")));
  CHECK_OK(wr_path_filestat_get(dir, 0, S("l1"), P(&a)));
  CHECK(content_is("l1", "changed"), "unlinking one link kept the other");
}

static void check_symlink(void) {
  WT_SECTION("symlink/readlink");
  CHECK_OK(wt_put(dir, "target", "T"));
  CHECK_OK(wr_path_symlink(S("target"), dir, S("sl")));
  char buf[64];
  u32 used = 0xDEADBEEF;
  memset(buf, 0xEE, sizeof buf);
  CHECK_OK(wr_path_readlink(dir, S("sl"), P(buf), sizeof buf, P(&used)));
  CHECK(used == 6 && memcmp(buf, "target", 6) == 0,
        "readlink: %u bytes '%.*s'", used, (int)(used < 64 ? used : 0), buf);
  CHECK((unsigned char)buf[6] == 0xEE, "readlink wrote a NUL or more");
  /* a short buffer: truncated, not an error (wasmtime) */
  memset(buf, 0xEE, sizeof buf);
  CHECK_OK(wr_path_readlink(dir, S("sl"), P(buf), 3, P(&used)));
  CHECK(used == 3 && memcmp(buf, "tar", 3) == 0 &&
            (unsigned char)buf[3] == 0xEE,
        "readlink into 3 bytes: %u", used);
  /* not a symlink: EINVAL; missing: ENOENT */
  CHECK_ERR(wr_path_readlink(dir, S("target"), P(buf), sizeof buf, P(&used)),
            __WASI_ERRNO_INVAL);
  CHECK_ERR(wr_path_readlink(dir, S("nope"), P(buf), sizeof buf, P(&used)),
            __WASI_ERRNO_NOENT);
  /* follow or not */
  CHECK(content_is("sl", "T"), "reading through a symlink");
  __wasi_filestat_t st;
  CHECK_OK(wr_path_filestat_get(dir, 0, S("sl"), P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK, "lstat type %u",
        st.filetype);
  CHECK(st.size == 6, "symlink size %llu, expected 6",
        (unsigned long long)st.size);
  CHECK_OK(wr_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S("sl"),
                                P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 1,
        "stat through symlink: type %u size %llu", st.filetype,
        (unsigned long long)st.size);
  /* O_NOFOLLOW (no SYMLINK_FOLLOW) on a symlink: ELOOP */
  int64_t f = wt_open(dir, 0, "sl", 0, __WASI_RIGHTS_FD_READ, 0);
  CHECK(f == -__WASI_ERRNO_LOOP, "open symlink without follow: %lld",
        (long long)f);
  f = wt_open(dir, 0, "sl", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0);
  CHECK(f == -__WASI_ERRNO_LOOP || f == -__WASI_ERRNO_NOTDIR,
        "open symlink O_DIRECTORY without follow: %lld", (long long)f);
  /* symlinks in the middle of a path are always followed */
  CHECK_OK(wr_path_create_directory(dir, S("realdir")));
  CHECK_OK(wt_put(dir, "realdir/f", "via dir link"));
  CHECK_OK(wr_path_symlink(S("realdir"), dir, S("dirlink")));
  f = wt_open(dir, 0, "dirlink/f", 0, __WASI_RIGHTS_FD_READ, 0);
  CHECK(f > 2, "intermediate symlink not followed: %lld", (long long)f);
  if (f > 2)
    wr_fd_close((u32)f);
  f = wt_opendir(dir, "dirlink");
  CHECK(f > 2, "open a directory symlink with follow: %lld", (long long)f);
  if (f > 2)
    wr_fd_close((u32)f);
  /* a relative link resolved from its own directory */
  CHECK_OK(wr_path_symlink(S("../target"), dir, S("realdir/up")));
  CHECK(content_is("realdir/up", "T"), "link with .. inside the sandbox");
  /* existing name */
  CHECK_ERR(wr_path_symlink(S("x"), dir, S("sl")), __WASI_ERRNO_EXIST);
  CHECK_ERR(wr_path_symlink(S("x"), dir, S("realdir")), __WASI_ERRNO_EXIST);
  /* trailing slashes (wasmtime: path_symlink_trailing_slashes) */
  CHECK_ERR(wr_path_symlink(S("source"), dir, S("tnew/")), __WASI_ERRNO_NOENT);
  CHECK_ERR(wr_path_symlink(S("source"), dir, S("realdir/")),
            __WASI_ERRNO_EXIST);
  CHECK_ERR(wr_path_symlink(S("source"), dir, S("target/")),
            __WASI_ERRNO_NOTDIR);
  /* unlink removes the link, not the target */
  CHECK_OK(wr_path_unlink_file(dir, S("sl")));
  CHECK(content_is("target", "T") && !wt_exists(dir, "sl"),
        "unlink of a symlink");
  /* unlink a symlink to a directory (it is not a directory) */
  CHECK_OK(wr_path_unlink_file(dir, S("dirlink")));
  CHECK(wt_exists(dir, "realdir/f"), "unlink of a dir symlink hit the dir");
  /* rmdir of a symlink to a directory: ENOTDIR */
  CHECK_OK(wr_path_symlink(S("realdir"), dir, S("dirlink2")));
  CHECK_ERR(wr_path_remove_directory(dir, S("dirlink2")), __WASI_ERRNO_NOTDIR);
  /* libc */
  CHECK(symlink("target", "/sandbox/lsl") == 0, "libc symlink: %d", errno);
  char lb[32] = {0};
  CHECK(readlink("/sandbox/lsl", lb, sizeof lb) == 6 &&
            memcmp(lb, "target", 6) == 0,
        "libc readlink '%s'", lb);
}

static void check_dangling_loop(void) {
  WT_SECTION("dangling/loop");
  CHECK_OK(wr_path_symlink(S("nothere"), dir, S("dangle")));
  int64_t f = wt_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangle", 0,
                      __WASI_RIGHTS_FD_READ, 0);
  CHECK(f == -__WASI_ERRNO_NOENT, "open dangling: %lld", (long long)f);
  f = wt_open(dir, 0, "dangle", 0, __WASI_RIGHTS_FD_READ, 0);
  CHECK(f == -__WASI_ERRNO_LOOP, "open dangling without follow: %lld",
        (long long)f);
  __wasi_filestat_t st;
  CHECK_ERR(wr_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                 S("dangle"), P(&st)),
            __WASI_ERRNO_NOENT);
  CHECK_OK(wr_path_filestat_get(dir, 0, S("dangle"), P(&st)));
  /* O_CREAT|O_EXCL through a dangling link: EEXIST, nothing created */
  f = wt_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangle",
              __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_ALL, 0);
  CHECK(f == -__WASI_ERRNO_EXIST, "O_EXCL through dangling: %lld",
        (long long)f);
  CHECK(!wt_exists(dir, "nothere"), "O_EXCL created the link target");
  /* loops */
  CHECK_OK(wr_path_symlink(S("loopb"), dir, S("loopa")));
  CHECK_OK(wr_path_symlink(S("loopa"), dir, S("loopb")));
  f = wt_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "loopa", 0,
              __WASI_RIGHTS_FD_READ, 0);
  CHECK(f == -__WASI_ERRNO_LOOP, "open a loop: %lld", (long long)f);
  f = wt_open(dir, 0, "loopa/x", 0, __WASI_RIGHTS_FD_READ, 0);
  CHECK(f == -__WASI_ERRNO_LOOP, "open through a loop: %lld", (long long)f);
  CHECK_ERR(wr_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                 S("loopa"), P(&st)),
            __WASI_ERRNO_LOOP);
  CHECK_OK(wr_path_symlink(S("self"), dir, S("self")));
  f = wt_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "self", 0,
              __WASI_RIGHTS_FD_READ, 0);
  CHECK(f == -__WASI_ERRNO_LOOP, "open self link: %lld", (long long)f);
  /* a chain of 10 inside the sandbox works */
  CHECK_OK(wt_put(dir, "c10", "end of chain"));
  char from[16], to[16];
  for (int i = 0; i < 10; i++) {
    snprintf(from, sizeof from, "c%d", i);
    snprintf(to, sizeof to, "c%d", i + 1);
    CHECK_OK(wr_path_symlink(S(to), dir, S(from)));
  }
  CHECK(content_is("c0", "end of chain"), "chain of 10 symlinks");
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  check_rename();
  check_link();
  check_symlink();
  check_dangling_loop();
  return wt_finish();
}
