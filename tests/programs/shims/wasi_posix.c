/* wasi_posix.c — definitions for the declarations in wasi_posix.h (see
 * there): the POSIX calls SQLite's unix file layer needs that wasi-libc
 * lacks. Linked into the wasm32-wasi build of speedtest1 only. */
#include "wasi_posix.h"

#include <errno.h>
#include <stdarg.h>

#undef fcntl

int fchmod(int fd, mode_t mode) {
  (void)mode;
  return fd >= 0 ? 0 : (errno = EBADF, -1);
}

int fchown(int fd, uid_t owner, gid_t group) {
  (void)owner;
  (void)group;
  return fd >= 0 ? 0 : (errno = EBADF, -1);
}

uid_t geteuid(void) {
  return 1000; /* not root: SQLite then never tries to chown */
}

int getpagesize(void) { return (int)sysconf(_SC_PAGESIZE); }

int weft_wasi_fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW) {
    struct flock *lk = va_arg(ap, struct flock *);
    va_end(ap);
    if (fd < 0)
      return errno = EBADF, -1;
    if (cmd == F_GETLK)
      lk->l_type = F_UNLCK; /* nobody else holds a lock */
    return 0;
  }
  int arg = va_arg(ap, int);
  va_end(ap);
  return fcntl(fd, cmd, arg);
}
