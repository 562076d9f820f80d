/*
** race.c — the race test (Must-show 2): while a host process swaps the
** directories d/ and e/ inside the preopen with symlinks to "/" and to the
** directory that holds the canary (bg_race in run.sh), this program opens
** d/etc/passwd and e/canary 10,000 times each and tries to create e/created
** 2,000 times. Every open either reads the inside file or is refused;
** nothing outside is ever read or created (the harness checks the canary
** and the outside directory afterwards).
*/
//! case race 0 setup=setup_race bg=bg_race check=check_race -- --dir @PRE@::/sandbox @WASM@
//! case race_walk 0 walk setup=setup_race bg=bg_race check=check_race -- --dir @PRE@::/sandbox @WASM@

#include "wt.h"

static u32 dir;
static int inside, denied, noent, other, escaped;

static void attempt(const char *path, const char *want, u32 lookup) {
  u32 fd = 0;
  u32 e = wr_path_open(dir, lookup, S(path), 0, __WASI_RIGHTS_FD_READ,
                       __WASI_RIGHTS_FD_READ, 0, P(&fd));
  if (e == 0) {
    char buf[64] = {0};
    int64_t n = wt_read(fd, buf, sizeof buf - 1);
    wr_fd_close(fd);
    if (n > 0 && strcmp(buf, want) == 0) {
      inside++;
    } else {
      if (!escaped++)
        CHECK(0, "ESCAPE: %s read '%.30s'", path, buf);
    }
    return;
  }
  if (e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_NOTCAPABLE)
    denied++;
  else if (e == __WASI_ERRNO_NOENT)
    noent++; /* the fallback three-rename swap has a moment without d/ */
  else if (!other++)
    CHECK(0, "open %s: unexpected %s", path, wt_errno_name(e));
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  for (int i = 0; i < 10000; i++) {
    attempt("d/etc/passwd", "inside passwd\n", i & 1 ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0);
    attempt("e/canary", "inside canary\n", i & 1 ? 0 : __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
  }
  /* creating under e/: only ever inside */
  int created = 0, refused = 0;
  for (int i = 0; i < 2000; i++) {
    u32 fd = 0;
    u32 e = wr_path_open(dir, 0, S("e/created"), __WASI_OFLAGS_CREAT, R_ALL,
                         R_ALL, 0, P(&fd));
    if (e == 0) {
      created++;
      wr_fd_close(fd);
      /* remove it again wherever e/ now is; it must be inside */
      wr_path_unlink_file(dir, S("e/created"));
      wr_path_unlink_file(dir, S("e_alt/created"));
    } else if (e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_NOTCAPABLE ||
               e == __WASI_ERRNO_NOENT) {
      refused++;
    } else if (!other++) {
      CHECK(0, "create e/created: unexpected %s", wt_errno_name(e));
    }
  }
  CHECK(escaped == 0, "%d opens read a file outside the sandbox", escaped);
  CHECK(other == 0, "%d unexpected errors", other);
  printf("race: inside=%d denied=%d enoent=%d created=%d refused=%d\n", inside,
         denied, noent, created, refused);
  return wt_finish();
}
