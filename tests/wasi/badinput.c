/*
** badinput.c — hostile arguments (Must-show 4). Every pointer argument of
** every function, out of bounds (0xFFFFFFF0, the first byte past memory,
** straddling the end) → EFAULT, with nothing written and no side effect;
** lengths that wrap around 2^32 (string and buffer lengths, iovec buffers,
** iovec and subscription counts) → EFAULT; an fd never opened, huge fds, a
** closed fd → EBADF for every fd-taking function; fd_close on a preopen and
** fd_renumber onto a preopen (allowed, as in today's wasmtime: the preopen
** is gone afterwards and nothing else is affected). The program then goes
** on working normally: the runtime is healthy.
*/
//! case badinput 0 check=check_healthy_out -- --dir @PRE@::/sandbox --dir @RO@::/other @WASM@

#include "wt.h"

static u32 dir, other;
static u32 memend;   /* first byte past linear memory */
static u32 top;      /* a page of our own at the end of memory */
#define BAD 0xFFFFFFF0u
#define E_FAULT __WASI_ERRNO_FAULT
#define E_BADF __WASI_ERRNO_BADF

/* The 16 bytes below the end of memory hold a pattern that an EFAULT call
** must leave alone (no partial write before the bounds check). */
static void arm(void) { memset((void *)(uintptr_t)(memend - 16), 0x5A, 16); }
static int intact(void) {
  const unsigned char *p = (const unsigned char *)(uintptr_t)(memend - 16);
  for (int i = 0; i < 16; i++)
    if (p[i] != 0x5A)
      return 0;
  return 1;
}

#define FAULT(call)                                                            \
  do {                                                                         \
    arm();                                                                     \
    CHECK_ERR(call, E_FAULT);                                                  \
    CHECK(intact(), "%s wrote into memory before failing", #call);             \
  } while (0)

static u64 size_of(u32 fd) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  wr_fd_filestat_get(fd, P(&st));
  return st.size;
}

static u64 tell(u32 fd) {
  u64 off = 0;
  wr_fd_tell(fd, P(&off));
  return off;
}

static void check_out_pointers(u32 f) {
  WT_SECTION("out pointers");
  /* straddling: an 8-byte result at memend-4, a 4-byte one at memend-2 */
  u32 s8 = memend - 4, s4 = memend - 2, past = memend;
  u32 outs[] = {BAD, past, s8};
  for (unsigned i = 0; i < 3; i++) {
    u32 p = outs[i];
    FAULT(wr_clock_res_get(0, p));
    FAULT(wr_clock_time_get(1, 0, p));
    FAULT(wr_fd_seek(f, 0, __WASI_WHENCE_CUR, p));
    FAULT(wr_fd_tell(f, p));
    FAULT(wr_fd_fdstat_get(f, p));
    FAULT(wr_fd_filestat_get(f, p));
    FAULT(wr_fd_prestat_get(dir, p));
    FAULT(wr_path_filestat_get(dir, 0, S("f.txt"), p));
  }
  u32 outs4[] = {BAD, past, s4};
  for (unsigned i = 0; i < 3; i++) {
    u32 p = outs4[i], ok = 0;
    FAULT(wr_args_sizes_get(p, P(&ok)));
    FAULT(wr_args_sizes_get(P(&ok), p));
    FAULT(wr_environ_sizes_get(p, P(&ok)));
    FAULT(wr_environ_sizes_get(P(&ok), p));
  }
  /* exactly at the end is in bounds */
  u64 *last8 = (u64 *)(uintptr_t)(memend - 8);
  *last8 = 0;
  CHECK_OK(wr_clock_time_get(0, 0, memend - 8));
  CHECK(*last8 != 0, "clock_time_get into the last 8 bytes wrote nothing");
  CHECK_OK(wr_fd_seek(f, 0, __WASI_WHENCE_SET, memend - 8));
}

static void check_args_env(void) {
  WT_SECTION("args/environ buffers");
  u32 argc = 0, argsz = 0, envc = 0, envsz = 0;
  wr_args_sizes_get(P(&argc), P(&argsz));
  wr_environ_sizes_get(P(&envc), P(&envsz));
  static char buf[4096];
  static u32 ptrs[64];
  FAULT(wr_args_get(BAD, P(buf)));
  FAULT(wr_args_get(P(ptrs), BAD));
  /* the pointer array fits but the strings straddle the end */
  FAULT(wr_args_get(P(ptrs), memend - argsz + 1));
  /* the strings fit but the array straddles the end */
  FAULT(wr_args_get(memend - 4 * argc + 2, P(buf)));
  /* just fitting at the end works */
  CHECK_OK(wr_args_get(P(ptrs), memend - argsz));
  CHECK_OK(wr_args_get(memend - 4 * argc, P(buf)));
  if (envc > 0) {
    FAULT(wr_environ_get(BAD, P(buf)));
    FAULT(wr_environ_get(P(ptrs), BAD));
    FAULT(wr_environ_get(P(ptrs), memend - envsz + 1));
  }
}

static void check_iovecs(u32 f) {
  WT_SECTION("iovecs");
  static char data[64] = "0123456789";
  __wasi_iovec_t io;
  __wasi_ciovec_t ci;
  u32 n = 0;
  u64 size0 = size_of(f), pos0 = tell(f);
  /* the iovec array itself out of bounds */
  FAULT(wr_fd_read(f, BAD, 1, P(&n)));
  FAULT(wr_fd_write(f, BAD, 1, P(&n)));
  FAULT(wr_fd_pread(f, BAD, 1, 0, P(&n)));
  FAULT(wr_fd_pwrite(f, BAD, 1, 0, P(&n)));
  FAULT(wr_fd_read(f, memend - 4, 1, P(&n))); /* straddles */
  /* a count whose byte size wraps: 0x20000000 * 8 = 2^32 → 0 */
  FAULT(wr_fd_read(f, P(&io), 0x20000000u, P(&n)));
  FAULT(wr_fd_write(f, P(&ci), 0x20000001u, P(&n)));
  FAULT(wr_fd_pwrite(f, P(&ci), 0x20000000u, 0, P(&n)));
  u32 e = wr_fd_write(f, P(&ci), 0xFFFFFFFFu, P(&n));
  /* a count this large may also be refused as EINVAL (over IOV_MAX) */
  CHECK(e == E_FAULT || e == __WASI_ERRNO_INVAL, "iovs_len 0xFFFFFFFF: %s",
        wt_errno_name(e));
  /* a buffer out of bounds, past the end, straddling, wrapping */
  struct {
    u32 buf, len;
  } bufs[] = {{BAD, 8},
              {memend, 1},
              {memend - 4, 8},
              {P(data), 0xFFFFFFFFu},
              {P(data), (u32)(0u - P(data))}, /* ends exactly at 2^32 */
              {0x10, 0xFFFFFFF8u}};
  for (unsigned i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
    io.buf = (uint8_t *)(uintptr_t)bufs[i].buf;
    io.buf_len = bufs[i].len;
    ci.buf = (const uint8_t *)(uintptr_t)bufs[i].buf;
    ci.buf_len = bufs[i].len;
    FAULT(wr_fd_read(f, P(&io), 1, P(&n)));
    FAULT(wr_fd_write(f, P(&ci), 1, P(&n)));
    FAULT(wr_fd_pread(f, P(&io), 1, 0, P(&n)));
    FAULT(wr_fd_pwrite(f, P(&ci), 1, 0, P(&n)));
    FAULT(wr_random_get(bufs[i].buf, bufs[i].len));
    FAULT(wr_fd_readdir(dir, bufs[i].buf, bufs[i].len, 0, P(&n)));
    /* a good iovec followed by a bad one */
    __wasi_iovec_t two[2] = {{(uint8_t *)data, 4}, io};
    FAULT(wr_fd_read(f, P(two), 2, P(&n)));
    __wasi_ciovec_t ctwo[2] = {{(const uint8_t *)data, 4}, ci};
    FAULT(wr_fd_write(f, P(ctwo), 2, P(&n)));
  }
  /* the count out pointer */
  io.buf = (uint8_t *)data;
  io.buf_len = 4;
  ci.buf = (const uint8_t *)data;
  ci.buf_len = 4;
  FAULT(wr_fd_read(f, P(&io), 1, BAD));
  FAULT(wr_fd_write(f, P(&ci), 1, BAD));
  FAULT(wr_fd_pread(f, P(&io), 1, 0, memend - 2));
  FAULT(wr_fd_pwrite(f, P(&ci), 1, 0, memend - 2));
  FAULT(wr_fd_readdir(dir, P(data), sizeof data, 0, BAD));
  /* none of it touched the file: checked before any I/O */
  CHECK(size_of(f) == size0, "a faulting write changed the size %llu -> %llu",
        (unsigned long long)size0, (unsigned long long)size_of(f));
  CHECK(tell(f) == pos0, "a faulting read/write moved the offset %llu -> %llu",
        (unsigned long long)pos0, (unsigned long long)tell(f));
  /* stdout too: nothing may appear (the harness checks stdout) */
  FAULT(wr_fd_write(1, P(&ci), 0x20000000u, P(&n)));
  ci.buf = (const uint8_t *)(uintptr_t)BAD;
  FAULT(wr_fd_write(1, P(&ci), 1, P(&n)));
}

static void check_paths(void) {
  WT_SECTION("path pointers");
  static char buf[64];
  u32 fd = 0, used = 0;
  /* every path argument out of bounds, past the end, wrapping */
  struct {
    u32 p, len;
  } bad[] = {{BAD, 5}, {memend, 1}, {memend - 2, 5}, {P("f.txt"), 0xFFFFFFFFu},
             {0x1000, 0xFFFFF001u}};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    u32 p = bad[i].p, l = bad[i].len;
    FAULT(wr_path_open(dir, 0, p, l, __WASI_OFLAGS_CREAT, R_ALL, R_ALL, 0,
                       P(&fd)));
    FAULT(wr_path_create_directory(dir, p, l));
    FAULT(wr_path_remove_directory(dir, p, l));
    FAULT(wr_path_unlink_file(dir, p, l));
    FAULT(wr_path_filestat_get(dir, 0, p, l, P(buf)));
    FAULT(wr_path_filestat_set_times(dir, 0, p, l, 0, 0,
                                     __WASI_FSTFLAGS_MTIM_NOW));
    FAULT(wr_path_readlink(dir, p, l, P(buf), sizeof buf, P(&used)));
    FAULT(wr_path_link(dir, 0, p, l, dir, S("newlink")));
    FAULT(wr_path_link(dir, 0, S("f.txt"), dir, p, l));
    FAULT(wr_path_rename(dir, p, l, dir, S("renamed")));
    FAULT(wr_path_rename(dir, S("f.txt"), dir, p, l));
    FAULT(wr_path_symlink(p, l, dir, S("newsym")));
    FAULT(wr_path_symlink(S("f.txt"), dir, p, l));
  }
  /* the preopen name "/sandbox" (8 bytes) into a bad buffer of room 8+ */
  FAULT(wr_fd_prestat_dir_name(dir, BAD, 8));
  FAULT(wr_fd_prestat_dir_name(dir, memend, 8));
  FAULT(wr_fd_prestat_dir_name(dir, memend - 4, 8));
  FAULT(wr_fd_prestat_dir_name(dir, P(buf), 0xFFFFFFFFu));
  /* result pointers of path calls */
  FAULT(wr_path_open(dir, 0, S("created_by_fault"), __WASI_OFLAGS_CREAT,
                     R_ALL, R_ALL, 0, BAD));
  FAULT(wr_path_open(dir, 0, S("created_by_fault"), __WASI_OFLAGS_CREAT,
                     R_ALL, R_ALL, 0, memend - 2));
  CHECK(!wt_exists(dir, "created_by_fault"),
        "path_open created the file although its fd pointer was bad");
  CHECK_OK(wr_path_symlink(S("f.txt"), dir, S("sym")));
  FAULT(wr_path_readlink(dir, S("sym"), BAD, 16, P(&used)));
  FAULT(wr_path_readlink(dir, S("sym"), memend - 2, 16, P(&used)));
  FAULT(wr_path_readlink(dir, S("sym"), P(buf), 0xFFFFFFFFu, P(&used)));
  FAULT(wr_path_readlink(dir, S("sym"), P(buf), sizeof buf, BAD));
  /* nothing was created or removed by any of that */
  CHECK(!wt_exists(dir, "newlink") && !wt_exists(dir, "renamed") &&
            !wt_exists(dir, "newsym") && wt_exists(dir, "f.txt"),
        "a faulting path call changed the directory");
}

static void check_poll(void) {
  WT_SECTION("poll pointers");
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  s.u.u.clock.timeout = 1000;
  __wasi_event_t ev[2];
  u32 n = 0;
  FAULT(wr_poll_oneoff(BAD, P(ev), 1, P(&n)));
  FAULT(wr_poll_oneoff(P(&s), BAD, 1, P(&n)));
  FAULT(wr_poll_oneoff(P(&s), P(ev), 1, BAD));
  FAULT(wr_poll_oneoff(P(&s), memend - 16, 1, P(&n)));
  /* nsubscriptions * 48 wraps: 0x5555556 * 48 = 2^32 + 32 */
  FAULT(wr_poll_oneoff(P(&s), P(ev), 0x5555556u, P(&n)));
  FAULT(wr_poll_oneoff(P(&s), P(ev), 0xFFFFFFFFu, P(&n)));
  /* 2 subscriptions, but the events array has room for one before the end */
  __wasi_subscription_t two[2] = {s, s};
  FAULT(wr_poll_oneoff(P(two), memend - 40, 2, P(&n)));
}

static void check_sock(u32 f) {
  WT_SECTION("sock pointers");
  /* On a non-socket fd wasmtime answers ENOTSOCK before reading anything;
  ** EFAULT is as good. Neither may touch memory. */
  u32 n;
  uint16_t fl;
  arm();
  u32 e = wr_sock_recv(f, BAD, 1, 0, P(&n), P(&fl));
  CHECK((e == E_FAULT || e == __WASI_ERRNO_NOTSOCK) && intact(),
        "sock_recv bad iovs: %s", wt_errno_name(e));
  e = wr_sock_send(f, BAD, 1, 0, P(&n));
  CHECK(e == E_FAULT || e == __WASI_ERRNO_NOTSOCK, "sock_send bad iovs: %s",
        wt_errno_name(e));
  e = wr_sock_accept(f, 0, memend - 2);
  CHECK((e == E_FAULT || e == __WASI_ERRNO_NOTSOCK) && intact(),
        "sock_accept bad out: %s", wt_errno_name(e));
}

static void check_bad_fds(void) {
  WT_SECTION("bad fds");
  int64_t c = wt_open(dir, 0, "closed.txt", __WASI_OFLAGS_CREAT, R_ALL, 0);
  if (!CHECK(c > 2, "open closed.txt"))
    return;
  CHECK_OK(wr_fd_close((u32)c));
  u32 fds[] = {(u32)c, 4000, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 64, 1024};
  static char buf[256];
  __wasi_iovec_t io = {(uint8_t *)buf, 4};
  __wasi_ciovec_t ci = {(const uint8_t *)buf, 4};
  u32 n = 0;
  u64 off = 0;
  for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) {
    u32 fd = fds[i];
    CHECK_ERR(wr_fd_advise(fd, 0, 0, 0), E_BADF);
    CHECK_ERR(wr_fd_allocate(fd, 0, 1), E_BADF);
    CHECK_ERR(wr_fd_close(fd), E_BADF);
    CHECK_ERR(wr_fd_datasync(fd), E_BADF);
    CHECK_ERR(wr_fd_fdstat_get(fd, P(buf)), E_BADF);
    CHECK_ERR(wr_fd_fdstat_set_flags(fd, 0), E_BADF);
    CHECK_ERR(wr_fd_fdstat_set_rights(fd, 0, 0), E_BADF);
    CHECK_ERR(wr_fd_filestat_get(fd, P(buf)), E_BADF);
    CHECK_ERR(wr_fd_filestat_set_size(fd, 0), E_BADF);
    CHECK_ERR(wr_fd_filestat_set_times(fd, 0, 0, 0), E_BADF);
    CHECK_ERR(wr_fd_pread(fd, P(&io), 1, 0, P(&n)), E_BADF);
    CHECK_ERR(wr_fd_prestat_get(fd, P(buf)), E_BADF);
    CHECK_ERR(wr_fd_prestat_dir_name(fd, P(buf), 16), E_BADF);
    CHECK_ERR(wr_fd_pwrite(fd, P(&ci), 1, 0, P(&n)), E_BADF);
    CHECK_ERR(wr_fd_read(fd, P(&io), 1, P(&n)), E_BADF);
    CHECK_ERR(wr_fd_readdir(fd, P(buf), sizeof buf, 0, P(&n)), E_BADF);
    CHECK_ERR(wr_fd_renumber(fd, 3), E_BADF);
    CHECK_ERR(wr_fd_seek(fd, 0, 0, P(&off)), E_BADF);
    CHECK_ERR(wr_fd_sync(fd), E_BADF);
    CHECK_ERR(wr_fd_tell(fd, P(&off)), E_BADF);
    CHECK_ERR(wr_fd_write(fd, P(&ci), 1, P(&n)), E_BADF);
    CHECK_ERR(wr_path_create_directory(fd, S("x")), E_BADF);
    CHECK_ERR(wr_path_filestat_get(fd, 0, S("x"), P(buf)), E_BADF);
    CHECK_ERR(wr_path_filestat_set_times(fd, 0, S("x"), 0, 0, 0), E_BADF);
    CHECK_ERR(wr_path_link(fd, 0, S("x"), dir, S("y")), E_BADF);
    CHECK_ERR(wr_path_link(dir, 0, S("f.txt"), fd, S("y")), E_BADF);
    CHECK_ERR(wr_path_open(fd, 0, S("x"), 0, R_ALL, R_ALL, 0, P(&n)), E_BADF);
    CHECK_ERR(wr_path_readlink(fd, S("x"), P(buf), 16, P(&n)), E_BADF);
    CHECK_ERR(wr_path_remove_directory(fd, S("x")), E_BADF);
    CHECK_ERR(wr_path_rename(fd, S("x"), dir, S("y")), E_BADF);
    CHECK_ERR(wr_path_rename(dir, S("f.txt"), fd, S("y")), E_BADF);
    CHECK_ERR(wr_path_symlink(S("x"), fd, S("y")), E_BADF);
    CHECK_ERR(wr_path_unlink_file(fd, S("x")), E_BADF);
    CHECK_ERR(wr_sock_shutdown(fd, __WASI_SDFLAGS_WR), E_BADF);
  }
  CHECK(wt_exists(dir, "f.txt") && !wt_exists(dir, "y"),
        "a bad-fd path call changed the directory");
}

static void check_preopen_close(void) {
  WT_SECTION("close/renumber preopens");
  /* fd_close on a preopen: allowed (wasmtime today); afterwards the fd is
  ** gone and the other preopen is untouched */
  __wasi_prestat_t ps;
  CHECK_OK(wr_fd_prestat_get(other, P(&ps)));
  u32 e = wr_fd_close(other);
  if (e == 0) {
    CHECK_ERR(wr_fd_prestat_get(other, P(&ps)), E_BADF);
    u32 fd;
    CHECK_ERR(wr_path_open(other, 0, S("x"), __WASI_OFLAGS_CREAT, R_ALL, R_ALL,
                           0, P(&fd)),
              E_BADF);
    CHECK_ERR(wr_fd_close(other), E_BADF);
  } else {
    /* legacy wasmtime: ENOTSUP, and the preopen keeps working */
    CHECK(e == __WASI_ERRNO_NOTSUP, "fd_close(preopen): %s", wt_errno_name(e));
    CHECK_OK(wr_fd_prestat_get(other, P(&ps)));
  }
  CHECK_OK(wr_fd_prestat_get(dir, P(&ps)));
  /* renumber a file onto a preopen: the preopen is replaced by the file */
  int64_t f = wt_open(dir, 0, "f.txt", 0, R_ALL, 0);
  int64_t d2 = wt_opendir(dir, ".");
  if (!CHECK(f > 2 && d2 > 2, "open f.txt and ."))
    return;
  /* keep a second handle on the sandbox so the test can go on */
  e = wr_fd_renumber((u32)f, dir);
  if (e == 0) {
    CHECK_ERR(wr_fd_prestat_get(dir, P(&ps)), E_BADF);
    __wasi_fdstat_t st;
    CHECK_OK(wr_fd_fdstat_get(dir, P(&st)));
    CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE,
          "after renumber onto the preopen its fd is type %u", st.fs_filetype);
    CHECK_ERR(wr_fd_close((u32)f), E_BADF);
    CHECK_OK(wr_fd_close(dir));
    /* the sandbox is still reachable through the other directory fd, and
    ** only inside: */
    dir = (u32)d2;
  } else {
    CHECK(e == __WASI_ERRNO_NOTSUP, "renumber onto preopen: %s",
          wt_errno_name(e));
    wr_fd_close((u32)f);
    wr_fd_close((u32)d2);
  }
}

/* Padding bytes in the structs the host writes must be left alone or
** zeroed, never filled with host bytes: fill with two patterns, check. */
static int pads_ok(const unsigned char *b, const int *pads, int npads,
                   unsigned char fill) {
  for (int i = 0; i < npads; i++)
    if (b[pads[i]] != 0 && b[pads[i]] != fill)
      return 0;
  return 1;
}

static void check_padding(void) {
  WT_SECTION("struct padding");
  static const int fdstat_pads[] = {1, 4, 5, 6, 7};
  static const int filestat_pads[] = {17, 18, 19, 20, 21, 22, 23};
  static const int prestat_pads[] = {1, 2, 3};
  static const int event_pads[] = {11, 12, 13, 14, 15, 26, 27, 28, 29, 30, 31};
  static const int dirent_pads[] = {21, 22, 23};
  unsigned char fills[2] = {0xAA, 0x55};
  for (int k = 0; k < 2; k++) {
    unsigned char b[512];
    unsigned char fl = fills[k];
    memset(b, fl, sizeof b);
    CHECK_OK(wr_fd_fdstat_get(dir, P(b)));
    CHECK(pads_ok(b, fdstat_pads, 5, fl), "fdstat padding holds host bytes");
    memset(b, fl, sizeof b);
    CHECK_OK(wr_fd_filestat_get(dir, P(b)));
    CHECK(pads_ok(b, filestat_pads, 7, fl), "fd_filestat padding");
    memset(b, fl, sizeof b);
    CHECK_OK(wr_path_filestat_get(dir, 0, S("f.txt"), P(b)));
    CHECK(pads_ok(b, filestat_pads, 7, fl), "path_filestat padding");
    memset(b, fl, sizeof b);
    CHECK_OK(wr_fd_prestat_get(dir, P(b)));
    CHECK(pads_ok(b, prestat_pads, 3, fl), "prestat padding");
    /* a clock event and an fd event */
    __wasi_subscription_t s[2];
    memset(s, 0, sizeof s);
    s[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    s[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    s[1].u.u.fd_write.file_descriptor = 1;
    for (int j = 0; j < 2; j++) {
      u32 n = 0;
      memset(b, fl, sizeof b);
      CHECK_OK(wr_poll_oneoff(P(&s[j]), P(b), 1, P(&n)));
      CHECK(n == 1 && pads_ok(b, event_pads, 11, fl),
            "poll event %d padding (n=%u)", j, n);
    }
    /* the first dirent of the sandbox */
    u32 used = 0;
    memset(b, fl, sizeof b);
    CHECK_OK(wr_fd_readdir(dir, P(b), sizeof b, 0, P(&used)));
    CHECK(used >= 24 && pads_ok(b, dirent_pads, 3, fl), "dirent padding");
  }
}

static void check_healthy(void) {
  WT_SECTION("healthy afterwards");
  CHECK_OK(wt_put(dir, "after.txt", "still fine"));
  char buf[32];
  CHECK(wt_get(dir, 0, "after.txt", buf, sizeof buf) == 10 &&
            strcmp(buf, "still fine") == 0,
        "file I/O after the bad calls: '%s'", buf);
  u64 t;
  CHECK_OK(wr_clock_time_get(0, 0, P(&t)));
  unsigned char r[8];
  CHECK_OK(wr_random_get(P(r), sizeof r));
  void *p = malloc(1 << 20);
  CHECK(p != NULL, "malloc after the bad calls");
  free(p);
  printf("healthy\n");
}

int main(void) {
  dir = wt_need_preopen("/sandbox");
  other = wt_need_preopen("/other");
  /* grow memory by one page of our own: malloc never hands it out */
  long old = __builtin_wasm_memory_grow(0, 1);
  if (old < 0) {
    printf("0 passed, 1 failed\n");
    fprintf(stderr, "FAIL: memory.grow\n");
    return 1;
  }
  top = (u32)old * 65536u;
  memend = top + 65536u;
  CHECK(memend == __builtin_wasm_memory_size(0) * 65536u, "memory size");

  CHECK_OK(wt_put(dir, "f.txt", "file content"));
  int64_t f = wt_open(dir, 0, "f.txt", 0, R_ALL, 0);
  if (!CHECK(f > 2, "open f.txt"))
    return wt_finish();
  u64 off;
  CHECK_OK(wr_fd_seek((u32)f, 3, __WASI_WHENCE_SET, P(&off)));
  check_out_pointers((u32)f);
  check_args_env();
  check_iovecs((u32)f);
  check_paths();
  check_poll();
  check_sock((u32)f);
  check_padding();
  wr_fd_close((u32)f);
  check_bad_fds();
  check_preopen_close();
  check_healthy();
  return wt_finish();
}
