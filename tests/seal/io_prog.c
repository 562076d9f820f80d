/*
** io_prog.c — moves a known number of bytes through each stream and
** preopen, for the "io" counts of `weft run --account` (tests/seal/run.sh):
**   stdin  read    everything given (the test sends 123 bytes)
**   stdout written 9, stderr written 4
**   /in    read    all of data.bin (5000 bytes) + a 100-byte pread
**   /out   written 3000 (write) + 50 (pwrite)
**   /p     written 777 (a protected preopen: plaintext bytes count)
** Exits 0, or 1 when a call fails.
*/
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static char buf[4096];

static int fail(void) { return 1; }

int main(void) {
  ssize_t n;
  int fd;

  while ((n = read(0, buf, 1000)) > 0)
    ;
  if (n < 0)
    return fail();
  if ((fd = open("/in/data.bin", O_RDONLY)) < 0)
    return fail();
  while ((n = read(fd, buf, 1000)) > 0)
    ;
  if (n < 0 || pread(fd, buf, 100, 10) != 100)
    return fail();
  close(fd);
  memset(buf, 'x', sizeof buf);
  if ((fd = open("/out/o.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
      write(fd, buf, 3000) != 3000 || pwrite(fd, buf, 50, 0) != 50)
    return fail();
  close(fd);
  if ((fd = open("/p/secret.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
      write(fd, buf, 777) != 777)
    return fail();
  close(fd);
  if (write(1, "hello io\n", 9) != 9 || write(2, "err\n", 4) != 4)
    return fail();
  return 0;
}
