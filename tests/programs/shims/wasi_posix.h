/* wasi_posix.h — force-included (-include) into the wasm32-wasi build of
 * SQLite's amalgamation by tests/programs/build.sh.
 *
 * SQLite's unix file layer (os_unix.c) uses a few POSIX calls that
 * Debian bookworm's wasi-libc does not declare: fchmod, fchown, geteuid,
 * getpagesize and fcntl() advisory locks (F_GETLK/F_SETLK; wasi-libc has
 * struct flock but no lock commands). WASI has no
 * owners, modes or byte-range locks, so these are declared here and given
 * trivial definitions in wasi_posix.c: mode and owner changes succeed and do
 * nothing, the process is not root, and every lock is granted (one process
 * owns the database, as in speedtest1). Everything else, file I/O included,
 * goes to wasi-libc and thus to the runtime's WASI functions. */
#ifndef WEFT_WASI_POSIX_H
#define WEFT_WASI_POSIX_H
#ifdef __wasi__

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif

int fchmod(int fd, mode_t mode);
int fchown(int fd, uid_t owner, gid_t group);
uid_t geteuid(void);
int getpagesize(void);
int weft_wasi_fcntl(int fd, int cmd, ...);
/* SQLite calls fcntl() for locks and for F_GETFD/F_SETFD; the wrapper
 * answers lock commands and passes the rest to wasi-libc's fcntl. */
#define fcntl weft_wasi_fcntl

#endif /* __wasi__ */
#endif
