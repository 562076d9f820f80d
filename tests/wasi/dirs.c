/*
** dirs.c — directories: path_create_directory, path_remove_directory,
** path_unlink_file, and fd_readdir over 500 entries read back through small
** buffers with cookies across calls (raw calls; each entry exactly once,
** d_type and d_ino right, a cookie resumes at the right place, a buffer
** too small for one entry is filled completely). Also libc opendir/readdir
** and the errors: EEXIST, ENOTEMPTY, ENOTDIR, EISDIR, trailing slashes.
*/
//! case dirs 0 -- --dir @PRE@::/sandbox @WASM@

#include "wt.h"
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#define NFILES 500
static u32 dir;

struct ent {
  char name[64];
  uint8_t type;
  u64 ino;
};

/* Reads the whole directory with buffers of `bufsize` bytes, starting at
** `cookie`; returns the number of entries (at most max). */
static int read_all(u32 fd, u32 bufsize, u64 cookie, struct ent *out,
                    int max) {
  static unsigned char buf[8192 + 64];
  int count = 0, calls = 0;
  for (;;) {
    u32 used = 0xDEADBEEF;
    memset(buf, 0xEE, bufsize + 64);
    u32 e = wr_fd_readdir(fd, P(buf), bufsize, cookie, P(&used));
    if (!CHECK(e == 0, "fd_readdir: %s", wt_errno_name(e)))
      return count;
    if (!CHECK(used <= bufsize, "bufused %u > buf_len %u", used, bufsize))
      return count;
    CHECK(buf[bufsize] == 0xEE, "fd_readdir wrote past buf_len");
    if (++calls > 100000)
      return CHECK(0, "fd_readdir does not end"), count;
    u32 off = 0;
    int got = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      if (off + sizeof d + d.d_namlen > used)
        break; /* truncated: fetch it again from its cookie */
      if (count < max) {
        u32 n = d.d_namlen < 63 ? d.d_namlen : 63;
        memcpy(out[count].name, buf + off + sizeof d, n);
        out[count].name[n] = 0;
        out[count].type = d.d_type;
        out[count].ino = d.d_ino;
      }
      count++;
      got++;
      cookie = d.d_next;
      off += sizeof d + d.d_namlen;
    }
    if (used < bufsize)
      return count; /* the end of the directory */
    if (!CHECK(got > 0, "a %u-byte buffer holds no whole entry", bufsize))
      return count;
  }
}

static int find(struct ent *e, int n, const char *name) {
  int hits = -1;
  for (int i = 0; i < n; i++)
    if (strcmp(e[i].name, name) == 0) {
      if (hits >= 0)
        return -2; /* duplicate */
      hits = i;
    }
  return hits;
}

static void check_mkdir_rmdir(void) {
  WT_SECTION("mkdir/rmdir");
  CHECK_OK(wr_path_create_directory(dir, S("d1")));
  CHECK_ERR(wr_path_create_directory(dir, S("d1")), __WASI_ERRNO_EXIST);
  CHECK_OK(wr_path_create_directory(dir, S("d1/d2")));
  CHECK_OK(wr_path_create_directory(dir, S("d1/d2/d3/")));
  CHECK_ERR(wr_path_create_directory(dir, S("nope/d")), __WASI_ERRNO_NOENT);
  CHECK_OK(wt_put(dir, "d1/file", "x"));
  CHECK_ERR(wr_path_create_directory(dir, S("d1/file")), __WASI_ERRNO_EXIST);
  CHECK_ERR(wr_path_create_directory(dir, S("d1/file/sub")),
            __WASI_ERRNO_NOTDIR);
  __wasi_filestat_t st;
  CHECK_OK(wr_path_filestat_get(dir, 0, S("d1/d2"), P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY, "d1/d2 filetype %u",
        st.filetype);
  /* not empty */
  CHECK_ERR(wr_path_remove_directory(dir, S("d1")), __WASI_ERRNO_NOTEMPTY);
  /* rmdir on a file, unlink on a directory */
  CHECK_ERR(wr_path_remove_directory(dir, S("d1/file")), __WASI_ERRNO_NOTDIR);
  CHECK_ERR(wr_path_unlink_file(dir, S("d1/d2")), __WASI_ERRNO_ISDIR);
  CHECK_ERR(wr_path_unlink_file(dir, S("d1/d2/")), __WASI_ERRNO_ISDIR);
  /* trailing slash on a file name */
  CHECK_ERR(wr_path_unlink_file(dir, S("d1/file/")), __WASI_ERRNO_NOTDIR);
  CHECK_OK(wr_path_unlink_file(dir, S("d1/file")));
  CHECK_ERR(wr_path_unlink_file(dir, S("d1/file")), __WASI_ERRNO_NOENT);
  CHECK_OK(wr_path_remove_directory(dir, S("d1/d2/d3/")));
  CHECK_OK(wr_path_remove_directory(dir, S("d1/d2")));
  CHECK_ERR(wr_path_remove_directory(dir, S("d1/d2")), __WASI_ERRNO_NOENT);
  CHECK_OK(wr_path_remove_directory(dir, S("d1")));
  CHECK(!wt_exists(dir, "d1"), "d1 still exists");
  /* the same through libc */
  CHECK(mkdir("/sandbox/ld", 0755) == 0, "mkdir: errno %d", errno);
  CHECK(mkdir("/sandbox/ld", 0755) < 0 && errno == EEXIST, "mkdir twice");
  CHECK(rmdir("/sandbox/ld") == 0, "rmdir: errno %d", errno);
}

static struct ent ents[NFILES + 16];

static void check_readdir(void) {
  WT_SECTION("readdir setup");
  CHECK_OK(wr_path_create_directory(dir, S("many")));
  int64_t mf = wt_opendir(dir, "many");
  if (!CHECK(mf > 2, "open many/: %s", wt_errno_name((u32)-mf)))
    return;
  u32 m = (u32)mf;
  int made = 0;
  for (int i = 0; i < NFILES; i++) {
    char name[32];
    snprintf(name, sizeof name, "entry_%03d%s", i, i % 7 ? "" : "_longer_name");
    made += wt_put(m, name, "") == 0;
  }
  CHECK(made == NFILES, "created %d of %d files", made, NFILES);
  CHECK_OK(wr_path_create_directory(m, S("subdir")));
  CHECK_OK(wr_path_symlink(S("entry_001"), m, S("symlink")));

  /* buffers: just one longest entry (24 + 21 bytes), odd, large */
  u32 sizes[] = {24 + 21 + 3, 57, 100, 128, 333, 4096, 8192};
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    char sec[32];
    snprintf(sec, sizeof sec, "readdir buf %u", sizes[s]);
    WT_SECTION(sec);
    int n = read_all(m, sizes[s], 0, ents, NFILES + 16);
    /* "." and ".." are optional; the rest exactly once */
    int extra = (find(ents, n < NFILES + 16 ? n : NFILES + 16, ".") >= 0) +
                (find(ents, n < NFILES + 16 ? n : NFILES + 16, "..") >= 0);
    CHECK(n == NFILES + 2 + extra, "%d entries, expected %d (+ . and ..)", n,
          NFILES + 2);
    int missing = 0, dups = 0, badtype = 0;
    for (int i = 0; i < NFILES; i++) {
      char name[32];
      snprintf(name, sizeof name, "entry_%03d%s", i,
               i % 7 ? "" : "_longer_name");
      int k = find(ents, n, name);
      missing += k == -1;
      dups += k == -2;
      badtype += k >= 0 && ents[k].type != __WASI_FILETYPE_REGULAR_FILE;
    }
    CHECK(missing == 0 && dups == 0, "%d names missing, %d duplicated",
          missing, dups);
    CHECK(badtype == 0, "%d files with a d_type other than REGULAR_FILE",
          badtype);
    int k = find(ents, n, "subdir");
    CHECK(k >= 0 && ents[k].type == __WASI_FILETYPE_DIRECTORY,
          "subdir: found %d type %u", k, k >= 0 ? ents[k].type : 99);
    k = find(ents, n, "symlink");
    CHECK(k >= 0 && ents[k].type == __WASI_FILETYPE_SYMBOLIC_LINK,
          "symlink: found %d type %u", k, k >= 0 ? ents[k].type : 99);
    k = find(ents, n, ".");
    if (k >= 0)
      CHECK(ents[k].type == __WASI_FILETYPE_DIRECTORY, ". is not a directory");
  }

  WT_SECTION("readdir d_ino");
  int n = read_all(m, 4096, 0, ents, NFILES + 16);
  int bad_ino = 0;
  for (int i = 0; i < n && i < NFILES + 16; i++) {
    if (strcmp(ents[i].name, ".") == 0 || strcmp(ents[i].name, "..") == 0)
      continue;
    __wasi_filestat_t st;
    if (wr_path_filestat_get(m, 0, S(ents[i].name), P(&st)) != 0 ||
        st.ino != ents[i].ino)
      bad_ino++;
  }
  CHECK(bad_ino == 0, "%d entries whose d_ino differs from filestat ino",
        bad_ino);

  WT_SECTION("readdir cookies");
  /* Read the first 100 entries one small call at a time, remember the
  ** cookie after entry 99, then resume from it: the rest must follow. */
  static unsigned char buf[4096];
  u64 cookie = 0, mid = 0;
  int seen = 0;
  struct ent first[128];
  while (seen < 100) {
    u32 used = 0;
    if (wr_fd_readdir(m, P(buf), 200, cookie, P(&used)) != 0 || used == 0)
      break;
    u32 off = 0;
    while (off + 24 <= used && seen < 100) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      if (off + 24 + d.d_namlen > used)
        break;
      memcpy(first[seen].name, buf + off + 24, d.d_namlen);
      first[seen].name[d.d_namlen] = 0;
      seen++;
      cookie = d.d_next;
      off += 24 + d.d_namlen;
    }
  }
  mid = cookie;
  CHECK(seen == 100, "read %d entries before the cookie", seen);
  static struct ent rest[NFILES + 16];
  int r = read_all(m, 256, mid, rest, NFILES + 16);
  CHECK(seen + r == n, "100 + %d entries from the cookie != %d", r, n);
  int overlap = 0;
  for (int i = 0; i < seen; i++)
    overlap += find(rest, r, first[i].name) >= 0;
  CHECK(overlap == 0, "%d entries repeated after resuming", overlap);
  /* the same cookie again gives the same answer (stateless cookies) */
  static struct ent again[NFILES + 16];
  int r2 = read_all(m, 777, mid, again, NFILES + 16);
  CHECK(r2 == r && strcmp(again[0].name, rest[0].name) == 0,
        "resuming twice from one cookie differs (%d vs %d)", r2, r);
  /* cookie 0 restarts from the beginning */
  static struct ent restart[NFILES + 16];
  int r3 = read_all(m, 4096, 0, restart, NFILES + 16);
  CHECK(r3 == n && strcmp(restart[0].name, first[0].name) == 0,
        "cookie 0 does not restart");
  /* a cookie past the end: nothing */
  u32 used = 77;
  CHECK_OK(wr_fd_readdir(m, P(buf), sizeof buf, 1000000, P(&used)));
  CHECK(used == 0, "cookie past the end gave %u bytes", used);
  /* buffer of 0 bytes */
  used = 77;
  CHECK_OK(wr_fd_readdir(m, P(buf), 0, 0, P(&used)));
  CHECK(used == 0, "zero-length buffer gave %u", used);
  /* buffer smaller than one dirent header: filled up to buf_len */
  used = 0;
  memset(buf, 0xEE, 32);
  CHECK_OK(wr_fd_readdir(m, P(buf), 10, 0, P(&used)));
  CHECK(used == 10 && buf[10] == 0xEE, "10-byte buffer: used %u", used);

  WT_SECTION("readdir errors");
  int64_t f = wt_open(m, 0, "entry_001", 0, __WASI_RIGHTS_FD_READ, 0);
  if (CHECK(f > 2, "open a file")) {
    u32 e = wr_fd_readdir((u32)f, P(buf), sizeof buf, 0, P(&used));
    /* wasmtime: EBADF (not a directory descriptor); POSIX: ENOTDIR */
    CHECK(e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_NOTDIR ||
              e == __WASI_ERRNO_NOTCAPABLE,
          "fd_readdir on a file: %s", wt_errno_name(e));
    wr_fd_close((u32)f);
  }
  CHECK_ERR(wr_fd_readdir(4000, P(buf), sizeof buf, 0, P(&used)),
            __WASI_ERRNO_BADF);

  WT_SECTION("libc readdir");
  DIR *d = opendir("/sandbox/many");
  if (CHECK(d != NULL, "opendir: errno %d", errno)) {
    int cnt = 0, files = 0;
    long pos50 = -1;
    char name50[64] = "";
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
      if (cnt == 50) {
        pos50 = telldir(d);
        snprintf(name50, sizeof name50, "%s", de->d_name);
      }
      cnt++;
      files += strncmp(de->d_name, "entry_", 6) == 0 && de->d_type == DT_REG;
    }
    CHECK(files == NFILES, "libc readdir saw %d regular entry_ files", files);
    /* seekdir back to a telldir position */
    if (pos50 >= 0) {
      seekdir(d, pos50);
      de = readdir(d);
      struct dirent *de2 = de;
      (void)de2;
      CHECK(de != NULL, "readdir after seekdir");
    }
    rewinddir(d);
    int cnt2 = 0;
    while (readdir(d))
      cnt2++;
    CHECK(cnt2 == cnt, "rewinddir: %d entries, first pass %d", cnt2, cnt);
    closedir(d);
  }

  WT_SECTION("readdir cleanup");
  int removed = 0;
  for (int i = 0; i < NFILES; i++) {
    char name[32];
    snprintf(name, sizeof name, "entry_%03d%s", i, i % 7 ? "" : "_longer_name");
    removed += wr_path_unlink_file(m, S(name)) == 0;
  }
  CHECK(removed == NFILES, "removed %d", removed);
  CHECK_OK(wr_path_unlink_file(m, S("symlink")));
  CHECK_OK(wr_path_remove_directory(m, S("subdir")));
  n = read_all(m, 4096, 0, ents, NFILES + 16);
  CHECK(n <= 2, "%d entries left in an empty directory", n);
  CHECK_OK(wr_fd_close(m));
  CHECK_OK(wr_path_remove_directory(dir, S("many")));
}

/* Levels of check_deep: 200, or 20 with the argument "shallow" (each
** level costs a walk over the levels above it, for runs repeated many
** times). */
static int levels = 200;

static void check_deep(void) {
  WT_SECTION("deep nesting");
  static char path[2048];
  int depth = 0;
  path[0] = 0;
  for (int i = 0; i < levels; i++) {
    strcat(path, i ? "/q" : "q");
    if (wr_path_create_directory(dir, S(path)) != 0)
      break;
    depth++;
  }
  CHECK(depth == levels, "created %d nested directories", depth);
  char file[2100];
  snprintf(file, sizeof file, "%s/deep.txt", path);
  CHECK_OK(wt_put(dir, file, "deep"));
  char buf[16];
  CHECK(wt_get(dir, 0, file, buf, sizeof buf) == 4, "read the deep file");
  /* back up with as many ".." and down again, all inside */
  static char up[4096];
  up[0] = 0;
  strcat(up, path);
  for (int i = 0; i < levels; i++)
    strcat(up, "/..");
  strcat(up, "/");
  strcat(up, file);
  CHECK(wt_get(dir, 0, up, buf, sizeof buf) == 4, "all levels up and down");
  /* one ".." too many is outside */
  strcpy(up, path);
  for (int i = 0; i < levels + 1; i++)
    strcat(up, "/..");
  strcat(up, "/x");
  u32 fd;
  CHECK_DENIED(wr_path_open(dir, 0, S(up), 0, R_ALL, R_ALL, 0, P(&fd)));
  /* remove it all, deepest first */
  CHECK_OK(wr_path_unlink_file(dir, S(file)));
  int removed = 0;
  for (int i = depth; i > 0; i--) {
    path[2 * i - 1] = 0;
    removed += wr_path_remove_directory(dir, S(path)) == 0;
  }
  CHECK(removed == depth, "removed %d of %d", removed, depth);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "shallow") == 0)
    levels = 20;
  dir = wt_need_preopen("/sandbox");
  check_deep();
  check_mkdir_rmdir();
  check_readdir();
  return wt_finish();
}
