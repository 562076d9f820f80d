/*
** preopens.c — the preopened directories as `weft run` sets them up:
** fds 3, 4, ... in command-line order, each named GUEST, or HOST as written
** when no ::GUEST is given (wasmtime), then EBADF after the last; libc
** finds files through each of them by name.
** argv[1..]: the expected guest names, in order.
*/
//! case preopens 0 -- --dir @PRE@ --dir @RO@::. --dir-ro @PRE@::/x/y @WASM@ -- @PRE@ . /x/y

#include "wt.h"
#include <errno.h>

int main(int argc, char **argv) {
  WT_SECTION("preopen order and names");
  u32 fd = 3;
  for (int i = 1; i < argc; i++, fd++) {
    __wasi_prestat_t ps;
    memset(&ps, 0xAA, sizeof ps);
    u32 e = wr_fd_prestat_get(fd, P(&ps));
    if (!CHECK(e == 0, "fd %u: prestat_get %s (expected preopen '%s')", fd,
               wt_errno_name(e), argv[i]))
      continue;
    size_t want = strlen(argv[i]);
    CHECK(ps.tag == __WASI_PREOPENTYPE_DIR && ps.u.dir.pr_name_len == want,
          "fd %u: tag %u name length %lu, expected %zu", fd, ps.tag,
          (unsigned long)ps.u.dir.pr_name_len, want);
    char name[4096];
    if (want < sizeof name &&
        CHECK(wr_fd_prestat_dir_name(fd, P(name), (u32)want) == 0,
              "fd %u: dir_name", fd)) {
      name[want] = 0;
      CHECK(strcmp(name, argv[i]) == 0, "fd %u named '%s', expected '%s'", fd,
            name, argv[i]);
    }
  }
  __wasi_prestat_t ps;
  CHECK_ERR(wr_fd_prestat_get(fd, P(&ps)), __WASI_ERRNO_BADF);

  WT_SECTION("libc through the names");
  /* the read-only /x/y and the host-named preopen are one directory */
  char path[4096];
  snprintf(path, sizeof path, "%s/via_host_name", argv[1]);
  FILE *f = fopen(path, "w");
  if (CHECK(f != NULL, "fopen %s: errno %d", path, errno)) {
    fputs("hello", f);
    fclose(f);
  }
  f = fopen("/x/y/via_host_name", "r");
  char buf[16] = {0};
  if (CHECK(f != NULL, "fopen /x/y/via_host_name: errno %d", errno)) {
    CHECK(fgets(buf, sizeof buf, f) && strcmp(buf, "hello") == 0, "read '%s'",
          buf);
    fclose(f);
  }
  CHECK(fopen("/x/y/new", "w") == NULL, "created a file in the read-only /x/y");
  /* "." is the second directory: a relative path reaches it */
  f = fopen("in_dot", "w");
  CHECK(f != NULL, "fopen in_dot (relative, preopen '.'): errno %d", errno);
  if (f)
    fclose(f);
  return wt_finish();
}
