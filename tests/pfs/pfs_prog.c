/*
** pfs_prog.c — the wasm32-wasi side of the protected-files tests
** (tests/pfs/run.sh). Modes:
**   basic DIR           write, read back, seek, pread/pwrite, truncate
**                       (shrink, grow), rename, readdir, fstat, two handles
**                       on one file, symlink refused; "N passed, N
**                       failed"; exit 1 on failure
**   check DIR           after `basic` in an earlier run: the files persisted
**   write FILE SEED N   N bytes of the SEED stream (in uneven chunks)
**   verify FILE SEED N  exit 0: content is exactly that; 1: different
**                       bytes; 29 (EIO): an integrity error, after only
**                       correct bytes (the host checks "never wrong data")
**   span FILE SEED OFF END SIZE
**                       exit 0: FILE has SIZE bytes and bytes OFF..END
**                       are SEED's stream
**   cat FILE            the file on stdout; exit 29 on EIO
**   hold FILE SEED N READY GO
**                       writes N bytes of SEED to FILE and fsyncs (that
**                       write is acknowledged), creates READY, waits (at
**                       most 60 s) until GO exists with FILE still open,
**                       then rewrites the same N bytes and closes: another
**                       writer must be refused meanwhile
** An open that fails exits 29 on EIO, 10 on EBUSY, 32 on ELOOP, else 1.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int pass, fail;

#define CHECK(c, ...)                                                          \
  do {                                                                         \
    if (c)                                                                     \
      pass++;                                                                  \
    else {                                                                     \
      fail++;                                                                  \
      fprintf(stderr, "FAIL line %d: ", __LINE__);                             \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, " (errno %d %s)\n", errno, strerror(errno));             \
    }                                                                          \
  } while (0)

static uint8_t stream_byte(uint32_t seed, uint64_t i) {
  uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed << 32);
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return (uint8_t)x;
}

static char *join(const char *dir, const char *name) {
  static char buf[4][512];
  static int k;
  char *b = buf[k++ & 3];
  snprintf(b, 512, "%s/%s", dir, name);
  return b;
}

static off_t fsize(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? st.st_size : -1;
}

static int read_all(const char *path, uint8_t *buf, size_t cap, size_t *n) {
  int fd = open(path, O_RDONLY);
  ssize_t r;
  *n = 0;
  if (fd < 0)
    return -1;
  while ((r = read(fd, buf + *n, cap - *n)) > 0)
    *n += (size_t)r;
  close(fd);
  return r < 0 ? -1 : 0;
}

static void basic(const char *dir) {
  static uint8_t big[300000], back[300000];
  char buf[64];
  size_t n;
  int fd, fd2, i;

  /* write + read back */
  fd = open(join(dir, "hello.txt"), O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK(fd >= 0, "create hello.txt");
  CHECK(write(fd, "hello, protected world\n", 23) == 23, "write");
  CHECK(fsize(fd) == 23, "fstat size %lld", (long long)fsize(fd));
  CHECK(lseek(fd, 7, SEEK_SET) == 7, "seek");
  CHECK(read(fd, buf, 9) == 9 && memcmp(buf, "protected", 9) == 0, "read");
  CHECK(lseek(fd, 0, SEEK_END) == 23, "seek end");
  CHECK(pwrite(fd, "PROT", 4, 7) == 4, "pwrite");
  CHECK(lseek(fd, 0, SEEK_CUR) == 23, "pwrite moved the offset");
  CHECK(pread(fd, buf, 13, 7) == 13 && memcmp(buf, "PROTected wor", 13) == 0,
        "pread");
  close(fd);
  CHECK(read_all(join(dir, "hello.txt"), back, sizeof back, &n) == 0 &&
            n == 23 && memcmp(back, "hello, PROTected world\n", 23) == 0,
        "reopen and read");

  /* a big file across several tree nodes, in uneven writes */
  for (i = 0; i < (int)sizeof big; i++)
    big[i] = stream_byte(7, (uint64_t)i);
  fd = open(join(dir, "big.bin"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  CHECK(fd >= 0, "create big.bin");
  for (size_t at = 0; at < sizeof big;) {
    size_t k = 1 + (at * 7919) % 9000;
    if (k > sizeof big - at)
      k = sizeof big - at;
    if (write(fd, big + at, k) != (ssize_t)k)
      break;
    at += k;
  }
  CHECK(fsize(fd) == (off_t)sizeof big, "big size");
  close(fd);
  CHECK(read_all(join(dir, "big.bin"), back, sizeof back, &n) == 0 &&
            n == sizeof big && memcmp(back, big, n) == 0,
        "big read back");

  /* overwrite in the middle, across a node boundary */
  fd = open(join(dir, "big.bin"), O_RDWR);
  CHECK(pwrite(fd, "XYZXYZXYZX", 10, 4096 * 5 - 5) == 10, "pwrite across");
  memcpy(big + 4096 * 5 - 5, "XYZXYZXYZX", 10);
  /* shrink to a non-node boundary, then grow: the tail reads zeros */
  CHECK(ftruncate(fd, 10000) == 0, "shrink");
  CHECK(fsize(fd) == 10000, "size after shrink %lld", (long long)fsize(fd));
  CHECK(ftruncate(fd, 50000) == 0, "grow");
  CHECK(fsize(fd) == 50000, "size after grow");
  CHECK(pread(fd, back, 50000, 0) == 50000, "read after grow");
  CHECK(memcmp(back, big, 10000) == 0, "kept bytes");
  for (i = 10000; i < 50000 && back[i] == 0; i++)
    ;
  CHECK(i == 50000, "grown bytes are zero (byte %d)", i);
  /* write past the end leaves a zero gap */
  CHECK(pwrite(fd, "END", 3, 70000) == 3, "pwrite past end");
  CHECK(fsize(fd) == 70003, "size after gap write");
  CHECK(pread(fd, back, 20003, 50000) == 20003 && back[0] == 0 &&
            back[19999] == 0 && memcmp(back + 20000, "END", 3) == 0,
        "gap is zeros");
  /* shrink across MHT groups to nothing, then write again */
  CHECK(ftruncate(fd, 0) == 0 && fsize(fd) == 0, "truncate to 0");
  CHECK(pwrite(fd, "again", 5, 0) == 5 && fsize(fd) == 5, "write after 0");
  close(fd);

  /* two handles on one file see each other's writes */
  fd = open(join(dir, "shared"), O_CREAT | O_RDWR | O_TRUNC, 0644);
  fd2 = open(join(dir, "shared"), O_RDWR);
  CHECK(fd >= 0 && fd2 >= 0, "two opens");
  CHECK(write(fd, "abcdef", 6) == 6, "write via 1");
  CHECK(pread(fd2, buf, 6, 0) == 6 && memcmp(buf, "abcdef", 6) == 0,
        "read via 2");
  CHECK(fsize(fd2) == 6, "size via 2");
  close(fd);
  CHECK(pwrite(fd2, "Z", 1, 0) == 1, "write via 2 after 1 closed");
  close(fd2);

  /* append mode */
  fd = open(join(dir, "log"), O_CREAT | O_WRONLY | O_APPEND | O_TRUNC, 0644);
  CHECK(write(fd, "one\n", 4) == 4 && write(fd, "two\n", 4) == 4, "append");
  close(fd);
  CHECK(read_all(join(dir, "log"), back, sizeof back, &n) == 0 && n == 8 &&
            memcmp(back, "one\ntwo\n", 8) == 0,
        "append content");

  /* rename (rebinds the file), in a subdirectory too */
  CHECK(mkdir(join(dir, "sub"), 0755) == 0, "mkdir");
  CHECK(rename(join(dir, "log"), join(dir, "sub/log2")) == 0, "rename");
  CHECK(read_all(join(dir, "sub/log2"), back, sizeof back, &n) == 0 && n == 8 &&
            memcmp(back, "one\ntwo\n", 8) == 0,
        "read renamed");
  CHECK(open(join(dir, "log"), O_RDONLY) < 0 && errno == ENOENT, "old gone");
  CHECK(rename(join(dir, "sub/log2"), join(dir, "log3")) == 0, "rename back");
  /* a directory with files in it cannot be renamed (bindings) */
  fd = open(join(dir, "sub/inner"), O_CREAT | O_WRONLY, 0644);
  close(fd);
  CHECK(rename(join(dir, "sub"), join(dir, "sub2")) < 0, "rename full dir");
  CHECK(read_all(join(dir, "sub/inner"), back, sizeof back, &n) == 0 && n == 0,
        "dir left alone");
  CHECK(mkdir(join(dir, "empty"), 0755) == 0 &&
            rename(join(dir, "empty"), join(dir, "empty2")) == 0,
        "rename empty dir");
  /* no symlinks in a protected directory (one could make another file
  ** stand in for its target) */
  CHECK(symlink("hello.txt", join(dir, "link")) < 0 && errno == ENOTSUP,
        "symlink refused");

  /* stat by name gives the logical size; readdir gives plain names */
  {
    struct stat st;
    DIR *d;
    struct dirent *de;
    int seen = 0;
    CHECK(stat(join(dir, "hello.txt"), &st) == 0 && st.st_size == 23,
          "stat size %lld", (long long)st.st_size);
    d = opendir(dir);
    CHECK(d != NULL, "opendir");
    while (d != NULL && (de = readdir(d)) != NULL)
      seen += strcmp(de->d_name, "hello.txt") == 0 ||
              strcmp(de->d_name, "big.bin") == 0 ||
              strcmp(de->d_name, "log3") == 0;
    if (d != NULL)
      closedir(d);
    CHECK(seen == 3, "readdir names (%d)", seen);
  }
  CHECK(link(join(dir, "log3"), join(dir, "hard")) < 0, "hard links refused");
  CHECK(unlink(join(dir, "shared")) == 0, "unlink");
  /* empty host file and not-a-protected-file */
  errno = 0;
  fd = open(join(dir, "hello.txt"), O_RDONLY | O_DIRECTORY);
  CHECK(fd < 0, "O_DIRECTORY on a file");
}

static void check(const char *dir) {
  uint8_t back[100];
  size_t n;
  CHECK(read_all(join(dir, "hello.txt"), back, sizeof back, &n) == 0 &&
            n == 23 && memcmp(back, "hello, PROTected world\n", 23) == 0,
        "hello.txt persisted");
  CHECK(read_all(join(dir, "big.bin"), back, sizeof back, &n) == 0 && n == 5 &&
            memcmp(back, "again", 5) == 0,
        "big.bin persisted");
  CHECK(read_all(join(dir, "log3"), back, sizeof back, &n) == 0 && n == 8,
        "log3 persisted");
}

/* The exit status of a failed open (the host test tells them apart). */
static int open_status(const char *path) {
  int e = errno;
  fprintf(stderr, "open %s: %s\n", path, strerror(e));
  return e == EIO ? 29 : e == EBUSY ? 10 : e == ELOOP ? 32 : 1;
}

/* N bytes of the SEED stream at the fd's position, in uneven chunks. */
static int write_stream(int fd, uint32_t seed, uint64_t total) {
  static uint8_t chunk[70000];
  uint64_t at = 0;
  while (at < total) {
    size_t k = 1 + (size_t)((at * 104729) % sizeof chunk);
    if (k > total - at)
      k = (size_t)(total - at);
    for (size_t i = 0; i < k; i++)
      chunk[i] = stream_byte(seed, at + i);
    if (write(fd, chunk, k) != (ssize_t)k) {
      perror("write");
      return errno == EIO ? 29 : 1;
    }
    at += k;
  }
  return 0;
}

static int do_write(const char *path, uint32_t seed, uint64_t total) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644), rc;
  if (fd < 0)
    return open_status(path);
  rc = write_stream(fd, seed, total);
  if (rc != 0)
    return rc;
  if (close(fd) != 0) {
    perror("close");
    return errno == EIO ? 29 : 1;
  }
  return 0;
}

static int do_hold(const char *path, uint32_t seed, uint64_t total,
                   const char *ready, const char *go) {
  struct timespec tick = {0, 10 * 1000 * 1000};
  int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644), mark, rc, i;
  if (fd < 0)
    return open_status(path);
  if ((rc = write_stream(fd, seed, total)) != 0)
    return rc;
  if (fsync(fd) != 0) {
    perror("fsync");
    return 1;
  }
  if ((mark = open(ready, O_CREAT | O_WRONLY, 0644)) < 0)
    return open_status(ready);
  close(mark);
  for (i = 0; i < 6000 && access(go, F_OK) != 0; i++)
    nanosleep(&tick, NULL);
  if (lseek(fd, 0, SEEK_SET) != 0) {
    perror("lseek");
    return 1;
  }
  if ((rc = write_stream(fd, seed, total)) != 0)
    return rc;
  if (close(fd) != 0) {
    perror("close");
    return errno == EIO ? 29 : 1;
  }
  return i < 6000 ? 0 : 3;
}

static int do_verify(const char *path, uint32_t seed, uint64_t total) {
  static uint8_t buf[8192];
  uint64_t at = 0;
  ssize_t r;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return open_status(path);
  while ((r = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < r; i++)
      if (at + (uint64_t)i >= total ||
          buf[i] != stream_byte(seed, at + (uint64_t)i)) {
        fprintf(stderr, "WRONG DATA at byte %llu\n",
                (unsigned long long)(at + (uint64_t)i));
        return 1;
      }
    at += (uint64_t)r;
  }
  if (r < 0) {
    fprintf(stderr, "read at %llu: %s\n", (unsigned long long)at,
            strerror(errno));
    return errno == EIO ? 29 : 1;
  }
  if (at != total) {
    fprintf(stderr, "short: %llu of %llu bytes\n", (unsigned long long)at,
            (unsigned long long)total);
    return 1;
  }
  return 0;
}

/* exit 0 when the file holds SIZE bytes and bytes [off, end) are SEED's
** stream at those positions; 1 otherwise (29 on EIO). */
static int do_span(const char *path, uint32_t seed, uint64_t off, uint64_t end,
                   uint64_t size) {
  static uint8_t buf[8192];
  int fd = open(path, O_RDONLY);
  ssize_t r = 1;
  if (fd < 0)
    return open_status(path);
  if (fsize(fd) != (off_t)size) {
    fprintf(stderr, "%s: %lld bytes, not %llu\n", path, (long long)fsize(fd),
            (unsigned long long)size);
    return 1;
  }
  while (off < end && (r = pread(fd, buf, sizeof buf, (off_t)off)) > 0)
    for (ssize_t i = 0; i < r && off < end; i++, off++)
      if (buf[i] != stream_byte(seed, off)) {
        fprintf(stderr, "%s: not seed %u at byte %llu\n", path, seed,
                (unsigned long long)off);
        return 1;
      }
  if (r < 0)
    return errno == EIO ? 29 : 1;
  return off == end ? 0 : 1;
}

static int do_cat(const char *path) {
  static uint8_t buf[8192];
  ssize_t r;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return open_status(path);
  while ((r = read(fd, buf, sizeof buf)) > 0)
    fwrite(buf, 1, (size_t)r, stdout);
  if (r < 0) {
    fprintf(stderr, "read: %s\n", strerror(errno));
    return errno == EIO ? 29 : 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "basic") == 0) {
    basic(argv[2]);
  } else if (argc == 3 && strcmp(argv[1], "check") == 0) {
    check(argv[2]);
  } else if (argc == 5 && strcmp(argv[1], "write") == 0) {
    return do_write(argv[2], (uint32_t)atol(argv[3]), (uint64_t)atoll(argv[4]));
  } else if (argc == 5 && strcmp(argv[1], "verify") == 0) {
    return do_verify(argv[2], (uint32_t)atol(argv[3]),
                     (uint64_t)atoll(argv[4]));
  } else if (argc == 3 && strcmp(argv[1], "cat") == 0) {
    return do_cat(argv[2]);
  } else if (argc == 7 && strcmp(argv[1], "span") == 0) {
    return do_span(argv[2], (uint32_t)atol(argv[3]), (uint64_t)atoll(argv[4]),
                   (uint64_t)atoll(argv[5]), (uint64_t)atoll(argv[6]));
  } else if (argc == 7 && strcmp(argv[1], "hold") == 0) {
    return do_hold(argv[2], (uint32_t)atol(argv[3]), (uint64_t)atoll(argv[4]),
                   argv[5], argv[6]);
  } else {
    fprintf(stderr, "usage: pfs_prog basic|check DIR | write|verify FILE "
                    "SEED N | cat FILE | span FILE SEED OFF END SIZE | "
                    "hold FILE SEED N READY GO\n");
    return 2;
  }
  printf("%d passed, %d failed\n", pass, fail);
  return fail ? 1 : 0;
}
