/*
** test_wasi_bad_input.c — WASI calls made the way a guest makes them (a
** module re-exporting every wasi_snapshot_preview1 import) with hostile
** arguments: every pointer out of bounds or straddling the end of memory,
** lengths that wrap 2^32, iovec arrays that lie, fds never opened or
** closed, a preopen closed or renumbered over. Each gets its errno, does
** nothing (no byte consumed, no file created, no fd leaked), and the
** runtime keeps working. Also: structs come back with zeroed padding.
*/
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"
#include "test_wasi_module.h"

#define EFAULT_ WEFT_WASI_EFAULT
#define OOB WM_MEM_SIZE        /* first byte past memory */
#define END4 (WM_MEM_SIZE - 2) /* a 4-byte value straddling the end */
#define END8 (WM_MEM_SIZE - 4) /* an 8-byte value straddling the end */
#define BIG 0xFFFFFFFFu

/* Guest addresses used below. */
#define A_PATH 0x100
#define A_OUT 0x200
#define A_IOV 0x300
#define A_BUF 0x1000

static char tmp_dir[256];
static int null_fd = -1;

static void write_file(const char *name, const char *text) {
  char path[512];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
  f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

static int exists(const char *name) {
  char path[512];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
  return lstat(path, &st) == 0;
}

static void setup(void) {
  char path[512];
  snprintf(tmp_dir, sizeof tmp_dir, "/tmp/weft_wasi_badXXXXXX");
  if (mkdtemp(tmp_dir) == NULL) {
    perror("mkdtemp");
    exit(2);
  }
  null_fd = open("/dev/null", O_RDWR);
  write_file("f.txt", "hello");
  snprintf(path, sizeof path, "%s/d", tmp_dir);
  mkdir(path, 0777);
}

static void teardown(void) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
  if (system(cmd) != 0)
    fprintf(stderr, "cleanup of %s failed\n", tmp_dir);
  close(null_fd);
}

static int open_wm(struct wm *w) {
  static const char *argv[] = {"prog", "arg1", ""};
  static const char *env[] = {"K=V", "EMPTY="};
  weft_wasi_preopen pre;
  weft_wasi_config cfg;

  memset(&pre, 0, sizeof pre);
  pre.host_path = tmp_dir;
  pre.guest_path = "/sandbox";
  weft_wasi_config_default(&cfg);
  cfg.argv = argv;
  cfg.argc = 3;
  cfg.env = env;
  cfg.envc = 2;
  cfg.preopens = &pre;
  cfg.npreopens = 1;
  cfg.stdin_fd = null_fd; /* keep the test's own stdio out of it */
  cfg.stdout_fd = null_fd;
  cfg.stderr_fd = -1; /* closed: fd 2 is free (and taken by the next open) */
  return wm_open(w, &cfg);
}

/* path_open of `name` below fd 3 with read/write rights; the new fd or
** -errno. */
static long long open_file(struct wm *w, const char *name, uint32_t oflags) {
  uint32_t len = wm_str(w, A_PATH, name);
  uint64_t rights = (1u << 1) | (1u << 6) | (1u << 2) | (1u << 5) | (1u << 21);
  long long e = WCALL(w, "path_open", 3, 0, A_PATH, len, oflags, rights, rights,
                      0, A_OUT);
  return e == 0 ? (long long)wm_get32(w, A_OUT) : -e;
}

/* {====================================================================
** Out-of-bounds pointers
** ===================================================================== */

static void test_oob_process(void) {
  struct wm w;
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  CHECK_EQ_INT(WCALL(&w, "args_sizes_get", OOB, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "args_sizes_get", A_OUT, END4), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "args_get", OOB, A_BUF), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "args_get", END4, A_BUF), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "args_get", A_OUT, OOB - 5), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "args_get", A_OUT, BIG), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "environ_sizes_get", A_OUT, OOB), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "environ_get", BIG, A_BUF), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "environ_get", A_OUT, END4), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "clock_res_get", 1, END8), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "clock_time_get", 0, 1, OOB), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "clock_time_get", 1, 0, BIG), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "random_get", OOB, 1), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "random_get", 1, BIG), EFAULT_); /* wraps 2^32 */
  CHECK_EQ_INT(WCALL(&w, "random_get", END4, 4), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "random_get", OOB, 0), 0); /* empty, at the end */
  CHECK_EQ_INT(WCALL(&w, "poll_oneoff", OOB, A_BUF, 1, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "poll_oneoff", A_BUF, OOB - 16, 1, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "poll_oneoff", A_BUF, A_BUF, 1, BIG), EFAULT_);
  /* n * 48 wraps 32 bits: still EFAULT, never a huge allocation */
  CHECK_EQ_INT(WCALL(&w, "poll_oneoff", 0, 0, 0x5555556u, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "poll_oneoff", 0, 0, BIG, A_OUT), EFAULT_);
  /* the good versions work afterwards */
  CHECK_EQ_INT(WCALL(&w, "args_sizes_get", A_OUT, A_OUT + 4), 0);
  CHECK_EQ_INT(wm_get32(&w, A_OUT), 3);
  CHECK_EQ_INT(wm_get32(&w, A_OUT + 4), 11); /* "prog\0arg1\0\0" */
  CHECK_EQ_INT(WCALL(&w, "args_get", A_OUT, A_BUF), 0);
  CHECK_EQ_INT(wm_get32(&w, A_OUT), A_BUF);
  CHECK_EQ_INT(wm_get32(&w, A_OUT + 8), A_BUF + 10);
  CHECK(memcmp(wm_mem(&w) + A_BUF, "prog\0arg1\0", 11) == 0);
  CHECK_EQ_INT(WCALL(&w, "environ_get", A_OUT, A_BUF), 0);
  CHECK(memcmp(wm_mem(&w) + A_BUF, "K=V\0EMPTY=\0", 11) == 0);
  CHECK_EQ_INT(WCALL(&w, "random_get", A_BUF, 64), 0);
  wm_close(&w);
}

static void test_oob_fd(void) {
  struct wm w;
  long long fd;
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  fd = open_file(&w, "f.txt", 0);
  CHECK(fd == 2);
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_get", fd, OOB), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_get", fd, OOB - 23), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_filestat_get", fd, OOB - 63), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_prestat_get", 3, END4), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_prestat_dir_name", 3, OOB - 3, 8), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_prestat_dir_name", 3, A_BUF, BIG), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_seek", fd, 0, 0, END8), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_tell", fd, OOB), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_readdir", 3, OOB - 10, 100, 0, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_readdir", 3, A_BUF, 100, 0, OOB), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_readdir", 3, 16, BIG, 0, A_OUT), EFAULT_);

  /* fd_read: the iovec array, a buffer, the result, each out of bounds */
  wm_put32(&w, A_IOV, A_BUF);
  wm_put32(&w, A_IOV + 4, 16);
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, OOB - 4, 1, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, A_IOV, 1, END4), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, A_IOV, 0x20000000u, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, A_IOV, BIG, A_OUT), EFAULT_);
  wm_put32(&w, A_IOV + 8, OOB - 8); /* second iovec runs off the end */
  wm_put32(&w, A_IOV + 12, 16);
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, A_IOV, 2, A_OUT), EFAULT_);
  wm_put32(&w, A_IOV + 8, 16); /* buf + len wraps 2^32 */
  wm_put32(&w, A_IOV + 12, 0xFFFFFFF8u);
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, A_IOV, 2, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_pread", fd, A_IOV, 2, 0, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_pread", fd, A_IOV, 1, 0, OOB), EFAULT_);
  /* nothing was consumed by the failed reads */
  memset(wm_mem(&w) + A_BUF, 0, 16);
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, A_IOV, 1, A_OUT), 0);
  CHECK_EQ_INT(wm_get32(&w, A_OUT), 5);
  CHECK(memcmp(wm_mem(&w) + A_BUF, "hello", 5) == 0);

  /* fd_write / fd_pwrite: same checks, the file is untouched */
  wm_put32(&w, A_IOV + 4, 3);
  CHECK_EQ_INT(WCALL(&w, "fd_write", fd, A_IOV, 1, OOB), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_write", fd, A_IOV, 2, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_pwrite", fd, A_IOV, 1, 0, END4), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "fd_pwrite", fd, OOB, 1, 0, A_OUT), EFAULT_);
  {
    struct stat st;
    char path[512];
    snprintf(path, sizeof path, "%s/f.txt", tmp_dir);
    CHECK(stat(path, &st) == 0 && st.st_size == 5);
  }
  wm_close(&w);
}

static void test_oob_path(void) {
  struct wm w;
  uint32_t len;
  long long fd;
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  len = wm_str(&w, A_PATH, "new.txt");
  /* path pointers */
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, OOB - 3, 7, 1, 0, 0, 0, A_OUT),
               EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, 16, BIG - 8, 1, 0, 0, 0, A_OUT),
               EFAULT_); /* wraps */
  /* result pointer: checked before the file is created */
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, A_PATH, len, 1, 0, 0, 0, END4),
               EFAULT_);
  CHECK(!exists("new.txt"));
  CHECK_EQ_INT(WCALL(&w, "path_create_directory", 3, OOB, 1), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_remove_directory", 3, A_PATH, BIG), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_unlink_file", 3, OOB - 1, 2), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_filestat_get", 3, 0, A_PATH, len, OOB - 8),
               EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_filestat_get", 3, 0, OOB, 1, A_BUF), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_filestat_set_times", 3, 0, BIG, 2, 0, 0, 0),
               EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_readlink", 3, A_PATH, len, OOB - 2, 4, A_OUT),
               EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_readlink", 3, A_PATH, len, A_BUF, 4, OOB),
               EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_symlink", OOB, 1, 3, A_PATH, len), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_symlink", A_PATH, len, 3, OOB, 1), EFAULT_);
  CHECK(!exists("new.txt"));
  CHECK_EQ_INT(WCALL(&w, "path_link", 3, 0, OOB, 1, 3, A_PATH, len), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_link", 3, 0, A_PATH, len, 3, A_PATH, BIG),
               EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_rename", 3, OOB, 4, 3, A_PATH, len), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "path_rename", 3, A_PATH, len, 3, BIG, 1), EFAULT_);
  /* sockets: the pointers are checked first */
  CHECK_EQ_INT(WCALL(&w, "sock_accept", 3, 0, OOB), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "sock_recv", 3, A_IOV, 1, 0, OOB, A_OUT), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "sock_recv", 3, A_IOV, 1, 0, A_OUT, OOB - 1), EFAULT_);
  CHECK_EQ_INT(WCALL(&w, "sock_send", 3, A_IOV, 1, 0, BIG), EFAULT_);
  /* no fd leaked by the failed path_open: the next one is fd 2, then 4 */
  fd = open_file(&w, "f.txt", 0);
  CHECK_EQ_INT(fd, 2);
  fd = open_file(&w, "f.txt", 0);
  CHECK_EQ_INT(fd, 4);
  wm_close(&w);
}

/* Lengths whose sum wraps 2^32: an iovec array whose lengths add up to
** more than a u32 result can say. */
static void test_wrapping_iovecs(void) {
  struct wm w;
  long long fd;
  uint32_t i, n = 4100; /* 4100 iovecs of 1 MiB: > 4 GiB in all */
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  CHECK(weft_memory_grow(w.memory, 16 - WM_PAGES) >= 0);
  fd = open_file(&w, "f.txt", 0);
  for (i = 0; i < n; i++) {
    wm_put32(&w, 0x10000 + 8 * i, 0);
    wm_put32(&w, 0x10000 + 8 * i + 4, 16 * 65536);
  }
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, 0x10000, n, A_OUT), WEFT_WASI_EINVAL);
  CHECK_EQ_INT(WCALL(&w, "fd_write", fd, 0x10000, n, A_OUT), WEFT_WASI_EINVAL);
  /* 1025 non-empty iovecs: more than IOV_MAX */
  for (i = 0; i < 1025; i++)
    wm_put32(&w, 0x10000 + 8 * i + 4, 1);
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, 0x10000, 1025, A_OUT),
               WEFT_WASI_EINVAL);
  /* memory grew: pointers into the new pages are fine now */
  wm_put32(&w, A_IOV, 15 * 65536);
  wm_put32(&w, A_IOV + 4, 5);
  CHECK_EQ_INT(WCALL(&w, "fd_read", fd, A_IOV, 1, 16 * 65536 - 4), 0);
  CHECK_EQ_INT(wm_get32(&w, 16 * 65536 - 4), 5);
  CHECK(memcmp(wm_mem(&w) + 15 * 65536, "hello", 5) == 0);
  wm_close(&w);
}

/* }==================================================================== */

/* {====================================================================
** Bad descriptors
** ===================================================================== */

/* Every function that takes an fd, given fd `fd`: EBADF. */
static void all_ebadf(struct wm *w, uint32_t fd) {
  uint32_t len = wm_str(w, A_PATH, "f.txt");
  wm_put32(w, A_IOV, A_BUF);
  wm_put32(w, A_IOV + 4, 4);
  CHECK_EQ_INT(WCALL(w, "fd_advise", fd, 0, 0, 0), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_allocate", fd, 0, 1), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_close", fd), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_datasync", fd), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_fdstat_get", fd, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_fdstat_set_flags", fd, 0), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_fdstat_set_rights", fd, 0, 0), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_filestat_get", fd, A_BUF), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_filestat_set_size", fd, 0), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_filestat_set_times", fd, 0, 0, 0), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_pread", fd, A_IOV, 1, 0, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_prestat_get", fd, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_prestat_dir_name", fd, A_BUF, 64), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_pwrite", fd, A_IOV, 1, 0, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_read", fd, A_IOV, 1, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_readdir", fd, A_BUF, 64, 0, A_OUT),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_renumber", fd, 3), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_renumber", 3, fd), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_seek", fd, 0, 0, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_sync", fd), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_tell", fd, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "fd_write", fd, A_IOV, 1, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_create_directory", fd, A_PATH, len),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_filestat_get", fd, 0, A_PATH, len, A_BUF),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_filestat_set_times", fd, 0, A_PATH, len, 0, 0, 0),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_link", fd, 0, A_PATH, len, 3, A_PATH, len),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_link", 3, 0, A_PATH, len, fd, A_PATH, len),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_open", fd, 0, A_PATH, len, 0, 0, 0, 0, A_OUT),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_readlink", fd, A_PATH, len, A_BUF, 9, A_OUT),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_remove_directory", fd, A_PATH, len),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_rename", fd, A_PATH, len, 3, A_PATH, len),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_rename", 3, A_PATH, len, fd, A_PATH, len),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_symlink", A_PATH, len, fd, A_PATH, len),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "path_unlink_file", fd, A_PATH, len), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "sock_accept", fd, 0, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "sock_recv", fd, A_IOV, 1, 0, A_OUT, A_OUT + 4),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "sock_send", fd, A_IOV, 1, 0, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(w, "sock_shutdown", fd, 3), WEFT_WASI_EBADF);
}

static void test_bad_fds(void) {
  struct wm w;
  long long fd;
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  all_ebadf(&w, 77);         /* never opened */
  all_ebadf(&w, 0x7FFFFFFF); /* far beyond the table */
  all_ebadf(&w, BIG);
  all_ebadf(&w, 2); /* stderr was configured closed (-1) */
  fd = open_file(&w, "f.txt", 0);
  CHECK_EQ_INT(fd, 2); /* the lowest free descriptor, as POSIX */
  CHECK_EQ_INT(WCALL(&w, "fd_close", fd), 0);
  fd = open_file(&w, "f.txt", 0);
  CHECK_EQ_INT(WCALL(&w, "fd_renumber", fd, 9), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(&w, "fd_close", 1), 0); /* stdout may be closed */
  all_ebadf(&w, 1);
  CHECK_EQ_INT(WCALL(&w, "fd_close", fd), 0);
  all_ebadf(&w, (uint32_t)fd); /* closed */
  /* a poll subscription on a bad fd: an event carrying EBADF */
  memset(wm_mem(&w) + A_BUF, 0, 48);
  wm_mem(&w)[A_BUF] = 9;     /* userdata */
  wm_mem(&w)[A_BUF + 8] = 1; /* fd_read */
  wm_put32(&w, A_BUF + 16, 77);
  CHECK_EQ_INT(WCALL(&w, "poll_oneoff", A_BUF, A_BUF + 64, 1, A_OUT), 0);
  CHECK_EQ_INT(wm_get32(&w, A_OUT), 1);
  CHECK_EQ_INT(wm_get64(&w, A_BUF + 64), 9);
  CHECK_EQ_INT(wm_mem(&w)[A_BUF + 72], WEFT_WASI_EBADF);
  /* still healthy: the file opens again, in the lowest freed slot */
  CHECK_EQ_INT(open_file(&w, "f.txt", 0), 1);
  CHECK_EQ_INT(open_file(&w, "f.txt", 0), fd);
  wm_close(&w);
}

static void test_preopen_close_and_renumber(void) {
  struct wm w;
  long long a, b;
  uint32_t len;
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  /* renumbering a file onto the preopen replaces it (wasi-testsuite's
  ** overwrite_preopen): the old preopen is closed, fd 3 is now the file */
  a = open_file(&w, "f.txt", 0);
  CHECK_EQ_INT(WCALL(&w, "fd_renumber", a, 3), 0);
  CHECK_EQ_INT(WCALL(&w, "fd_prestat_get", 3, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_get", a, A_OUT), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_get", 3, A_OUT), 0);
  CHECK_EQ_INT(wm_mem(&w)[A_OUT], WEFT_WASI_FILETYPE_REGULAR_FILE);
  len = wm_str(&w, A_PATH, "f.txt");
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, A_PATH, len, 0, 0, 0, 0, A_OUT),
               WEFT_WASI_ENOTDIR); /* a file cannot open paths */
  wm_close(&w);

  /* closing a preopen is allowed (wasi-testsuite close_preopen); it is
  ** then gone for good, and the runtime goes on */
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  b = open_file(&w, "f.txt", 0);
  CHECK_EQ_INT(WCALL(&w, "fd_close", 3), 0);
  CHECK_EQ_INT(WCALL(&w, "fd_close", 3), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(&w, "fd_prestat_get", 3, A_OUT), WEFT_WASI_EBADF);
  len = wm_str(&w, A_PATH, "f.txt");
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, A_PATH, len, 0, 0, 0, 0, A_OUT),
               WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(&w, "fd_renumber", 3, b), WEFT_WASI_EBADF);
  CHECK_EQ_INT(WCALL(&w, "fd_renumber", b, b), 0);
  CHECK_EQ_INT(WCALL(&w, "fd_seek", b, 1, 0, A_OUT), 0); /* b still works */
  CHECK_EQ_INT(wm_get64(&w, A_OUT), 1);
  wm_close(&w);
}

/* }==================================================================== */

/* {====================================================================
** Padding, rights, paths, exit
** ===================================================================== */

static void test_padding_zeroed(void) {
  struct wm w;
  long long fd;
  unsigned char *m;
  uint32_t len, i, used;
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  m = wm_mem(&w);
  fd = open_file(&w, "f.txt", 0);
  memset(m + A_BUF, 0xAA, 256);
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_get", fd, A_BUF), 0);
  CHECK(m[A_BUF + 1] == 0 && wm_get32(&w, A_BUF + 4) == 0);
  memset(m + A_BUF, 0xAA, 256);
  CHECK_EQ_INT(WCALL(&w, "fd_prestat_get", 3, A_BUF), 0);
  CHECK(m[A_BUF + 1] == 0 && m[A_BUF + 2] == 0 && m[A_BUF + 3] == 0);
  CHECK_EQ_INT(wm_get32(&w, A_BUF + 4), 8); /* "/sandbox" */
  memset(m + A_BUF, 0xAA, 256);
  CHECK_EQ_INT(WCALL(&w, "fd_filestat_get", fd, A_BUF), 0);
  for (i = 17; i < 24; i++)
    CHECK(m[A_BUF + i] == 0);
  CHECK_EQ_INT(wm_get64(&w, A_BUF + 32), 5); /* size */
  memset(m + A_BUF, 0xAA, 256);
  len = wm_str(&w, A_PATH, "d");
  CHECK_EQ_INT(WCALL(&w, "path_filestat_get", 3, 0, A_PATH, len, A_BUF), 0);
  CHECK_EQ_INT(m[A_BUF + 16], WEFT_WASI_FILETYPE_DIRECTORY);
  for (i = 17; i < 24; i++)
    CHECK(m[A_BUF + i] == 0);
  /* dirents: bytes 21..23 of each header */
  memset(m + A_BUF, 0xAA, 512);
  CHECK_EQ_INT(WCALL(&w, "fd_readdir", 3, A_BUF, 512, 0, A_OUT), 0);
  used = wm_get32(&w, A_OUT);
  CHECK(used > 24 && used < 512);
  for (i = 0; i + 24 <= used;) {
    uint32_t namlen = wm_get32(&w, A_BUF + i + 16);
    CHECK(m[A_BUF + i + 21] == 0 && m[A_BUF + i + 22] == 0 &&
          m[A_BUF + i + 23] == 0);
    i += 24 + namlen;
  }
  /* a poll event: a relative clock of 0 ns */
  memset(m + A_BUF, 0, 48);
  memset(m + A_BUF + 64, 0xAA, 32);
  wm_mem(&w)[A_BUF] = 5;       /* userdata */
  wm_mem(&w)[A_BUF + 8] = 0;   /* clock */
  wm_put32(&w, A_BUF + 16, 1); /* monotonic, timeout 0 */
  CHECK_EQ_INT(WCALL(&w, "poll_oneoff", A_BUF, A_BUF + 64, 1, A_OUT), 0);
  CHECK_EQ_INT(wm_get32(&w, A_OUT), 1);
  CHECK_EQ_INT(m[A_BUF + 74], 0); /* type clock */
  for (i = 11; i < 32; i++)
    CHECK(m[A_BUF + 64 + i] == 0);
  wm_close(&w);
}

static void test_paths_and_rights(void) {
  struct wm w;
  long long fd;
  unsigned char *m;
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  m = wm_mem(&w);
  /* a NUL inside, bad UTF-8, too long, absolute, empty */
  memcpy(m + A_PATH, "f\0.txt", 6);
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, A_PATH, 6, 0, 0, 0, 0, A_OUT),
               WEFT_WASI_EINVAL);
  memcpy(m + A_PATH, "f\xff.txt", 6);
  CHECK_EQ_INT(WCALL(&w, "path_unlink_file", 3, A_PATH, 6), WEFT_WASI_EILSEQ);
  memcpy(m + A_PATH, "\xed\xa0\x80", 3); /* a UTF-16 surrogate */
  CHECK_EQ_INT(WCALL(&w, "path_create_directory", 3, A_PATH, 3),
               WEFT_WASI_EILSEQ);
  memset(m + A_BUF, 'a', 5000);
  CHECK_EQ_INT(WCALL(&w, "path_create_directory", 3, A_BUF, 4097),
               WEFT_WASI_ENAMETOOLONG);
  wm_str(&w, A_PATH, "/f.txt");
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, A_PATH, 6, 0, 0, 0, 0, A_OUT),
               WEFT_WASI_EPERM);
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, A_PATH, 0, 0, 0, 0, 0, A_OUT),
               WEFT_WASI_ENOENT);
  /* bad flags */
  wm_str(&w, A_PATH, "f.txt");
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, A_PATH, 5, 0x10, 0, 0, 0, A_OUT),
               WEFT_WASI_EINVAL);
  CHECK_EQ_INT(WCALL(&w, "path_open", 3, 0, A_PATH, 5, 0, 0, 0, 0x20, A_OUT),
               WEFT_WASI_EINVAL);
  /* rights only shrink, for the fd and for what it opens */
  fd = open_file(&w, "f.txt", 0);
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_get", fd, A_OUT), 0);
  {
    uint64_t base = wm_get64(&w, A_OUT + 8);
    CHECK(base & 2); /* FD_READ */
    CHECK_EQ_INT(WCALL(&w, "fd_fdstat_set_rights", fd, base & ~2ull, 0), 0);
    CHECK_EQ_INT(WCALL(&w, "fd_fdstat_set_rights", fd, base, 0),
                 WEFT_WASI_ENOTCAPABLE);
    wm_put32(&w, A_IOV, A_BUF);
    wm_put32(&w, A_IOV + 4, 5);
    CHECK_EQ_INT(WCALL(&w, "fd_read", fd, A_IOV, 1, A_OUT),
                 WEFT_WASI_ENOTCAPABLE);
  }
  /* a directory asking for more than its inheriting rights gets less */
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_get", 3, A_OUT), 0);
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_set_rights", 3, wm_get64(&w, A_OUT + 8),
                     (1ull << 1) | (1ull << 13)),
               0);
  CHECK_EQ_INT(
      WCALL(&w, "path_open", 3, 0, A_PATH, 5, 0, ~0ull, ~0ull, 0, A_OUT), 0);
  fd = wm_get32(&w, A_OUT);
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_get", fd, A_OUT), 0);
  CHECK_EQ_U64(wm_get64(&w, A_OUT + 8), 1ull << 1);
  CHECK_EQ_U64(wm_get64(&w, A_OUT + 16), (1ull << 1) | (1ull << 13));
  /* unknown fdstat flags, whence, advice, clock */
  CHECK_EQ_INT(WCALL(&w, "fd_fdstat_set_flags", 3, 0x40), WEFT_WASI_EINVAL);
  CHECK_EQ_INT(WCALL(&w, "fd_seek", fd, 0, 3, A_OUT), WEFT_WASI_ENOTCAPABLE);
  CHECK_EQ_INT(WCALL(&w, "fd_advise", 3, 0, 0, 6), WEFT_WASI_EINVAL);
  CHECK_EQ_INT(WCALL(&w, "clock_time_get", 4, 0, A_OUT), WEFT_WASI_EINVAL);
  CHECK_EQ_INT(WCALL(&w, "clock_res_get", BIG, A_OUT), WEFT_WASI_EINVAL);
  CHECK_EQ_INT(WCALL(&w, "proc_raise", 31), WEFT_WASI_EINVAL);
  CHECK_EQ_INT(WCALL(&w, "proc_raise", 6), WEFT_WASI_ENOTSUP);
  CHECK_EQ_INT(WCALL(&w, "sched_yield", 0), 0);
  wm_close(&w);
}

static void test_exit(void) {
  struct wm w;
  if (open_wm(&w) != 0) {
    CHECK(0);
    return;
  }
  CHECK_EQ_INT(WCALL(&w, "proc_exit", 42), -1);
  CHECK_EQ_INT(w.err.status, WEFT_ERR_EXIT);
  CHECK_EQ_INT(w.err.exit_code, 42);
  /* the instance can still be called after an exit */
  CHECK_EQ_INT(WCALL(&w, "sched_yield", 0), 0);
  CHECK_EQ_INT(WCALL(&w, "proc_exit", -1), -1);
  CHECK_EQ_INT(w.err.exit_code, -1);
  wm_close(&w);
}

/* }==================================================================== */

int main(void) {
  setup();
  T_RUN(test_oob_process);
  T_RUN(test_oob_fd);
  T_RUN(test_oob_path);
  T_RUN(test_wrapping_iovecs);
  T_RUN(test_bad_fds);
  T_RUN(test_preopen_close_and_renumber);
  T_RUN(test_padding_zeroed);
  T_RUN(test_paths_and_rights);
  T_RUN(test_exit);
  teardown();
  return T_DONE();
}
