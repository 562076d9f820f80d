/* lua_wasi.c — the C library functions Lua's ISO C build calls that
 * Debian bookworm's wasi-libc declares but does not define. WASI has no
 * processes and no temporary directory, so they fail the way ISO C allows:
 * os.execute() reports "no shell", os.tmpname() and io.tmpfile() raise
 * Lua errors. Linked into the wasm32-wasi build of lua only. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

int system(const char *cmd) {
  if (cmd == NULL)
    return 0; /* no command processor */
  errno = ENOSYS;
  return -1;
}

char *tmpnam(char *s) {
  (void)s;
  errno = ENOTSUP;
  return NULL;
}

FILE *tmpfile(void) {
  errno = ENOTSUP;
  return NULL;
}
