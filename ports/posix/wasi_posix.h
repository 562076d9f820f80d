/*
** wasi_posix.h — shared by the POSIX WASI host files: errno conversion.
*/
#ifndef WF_WASI_POSIX_H
#define WF_WASI_POSIX_H

#include "weft_wasi_fs.h"

/* A host errno value as a WASI errno (EIO for unknown ones). */
weft_wasi_errno wf_posix_errno(int e) __attribute__((visibility("hidden")));

#endif /* WF_WASI_POSIX_H */
