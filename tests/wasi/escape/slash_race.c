/*
** slash_race.c — the trailing-slash race (issue P7, finding 3). While a
** host process swaps the directories s/ and u/ inside the preopen with
** symlinks to a directory outside it (absolute and relative; bg_slash_race
** in run.sh), this program stats "s/" and "u/" (with and without
** SYMLINK_FOLLOW) and sets their timestamps, 6,000 times each. A stat must
** return the inside directory's inode or be refused; a set_times may
** change only the inside directory (check_slash_race checks the outside
** one's timestamps afterwards). The verdict does not depend on timing:
** any stat of another inode fails the test, whether or not the swap ever
** landed in the window; the harness only also asks that both outcomes were
** seen, so that a run where the swapper never ran cannot pass.
*/
//! case slash_race 0 setup=setup_slash_race bg=bg_slash_race check=check_slash_race -- --dir @PRE@::/sandbox @WASM@
//! case slash_race_walk 0 walk setup=setup_slash_race bg=bg_slash_race check=check_slash_race -- --dir @PRE@::/sandbox @WASM@

#include "wt.h"
#include <stdlib.h>

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static u32 dir;
static int inside, denied, noent, other, escaped;

static void stat_once(const char *path, u64 want_ino, u32 lookup) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  u32 e = wr_path_filestat_get(dir, lookup, S(path), P(&st));
  if (e == 0) {
    if (st.ino == want_ino && st.filetype == __WASI_FILETYPE_DIRECTORY) {
      inside++;
    } else if (!escaped++) {
      CHECK(0, "ESCAPE: stat %s gave inode %llu (type %u), inside is %llu",
            path, (unsigned long long)st.ino, st.filetype,
            (unsigned long long)want_ino);
    }
    return;
  }
  if (e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_NOTCAPABLE)
    denied++;
  else if (e == __WASI_ERRNO_NOENT)
    noent++; /* the fallback three-rename swap has a moment without s/ */
  else if (!other++)
    CHECK(0, "stat %s: unexpected %s", path, wt_errno_name(e));
}

/* Sets both times to 1 s after the epoch: inside that is harmless, on the
** outside directory check_slash_race would see it. */
static void touch_once(const char *path, u32 lookup) {
  u32 e = wr_path_filestat_set_times(
      dir, lookup, S(path), 1000000000ull, 1000000000ull,
      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
  if (e == 0 || e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_NOTCAPABLE ||
      e == __WASI_ERRNO_NOENT)
    return;
  if (!other++)
    CHECK(0, "set_times %s: unexpected %s", path, wt_errno_name(e));
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  char inos[64];
  if (!CHECK(wt_get(dir, 0, "inos", inos, sizeof inos) > 0, "read inos"))
    return wt_finish();
  char *end;
  u64 s_ino = strtoull(inos, &end, 10);
  u64 u_ino = strtoull(end, NULL, 10);
  CHECK(s_ino != 0 && u_ino != 0, "inodes '%s'", inos);
  for (int i = 0; i < 6000; i++) {
    stat_once("s/", s_ino, i & 1 ? FOLLOW : 0);
    stat_once("u/", u_ino, i & 1 ? 0 : FOLLOW);
    touch_once("s/", i & 1 ? FOLLOW : 0);
    touch_once("u/", i & 1 ? 0 : FOLLOW);
  }
  CHECK(escaped == 0, "%d stats reached a directory outside the sandbox",
        escaped);
  CHECK(other == 0, "%d unexpected errors", other);
  printf("race: inside=%d denied=%d enoent=%d escaped=%d\n", inside, denied,
         noent, escaped);
  return wt_finish();
}
