/* setjmp.h — setjmp/longjmp for wasm32-wasi programs built by
 * tests/programs/build.sh (Lua's error handling needs them).
 *
 * Debian bookworm's wasi-libc has no <setjmp.h>: Wasm 2.0 has no way to
 * leave several frames at once short of the exception-handling proposal,
 * which weft does not implement. This header comes first on the include
 * path of those builds, and sjlj.c implements the functions with Binaryen's
 * Asyncify transform (`wasm-opt --asyncify`), as Ruby's WASI port does:
 * setjmp unwinds the whole call stack into a buffer (a snapshot of every
 * frame's locals) and rewinds it at once; longjmp unwinds the stack and
 * rewinds the snapshot its jmp_buf names, so setjmp returns a second time.
 * The program's main() is renamed weft_sjlj_main (-Dmain=weft_sjlj_main
 * when compiling the file that defines it): sjlj.c's main() drives the
 * unwinds and rewinds. The resulting module is plain Wasm 2.0. */
#ifndef WEFT_SJLJ_SETJMP_H
#define WEFT_SJLJ_SETJMP_H

struct weft_sjlj_buf {
  void *snapshot; /* set by setjmp: the rewind data of this jmp_buf */
};
typedef struct weft_sjlj_buf jmp_buf[1];

int weft_setjmp(struct weft_sjlj_buf *env) __attribute__((returns_twice));
/* Returns to its caller only while the stack is unwinding (Asyncify then
 * returns from every instrumented frame); never returns otherwise. */
void weft_longjmp(struct weft_sjlj_buf *env, int val);

#define setjmp(env) weft_setjmp(env)
#define longjmp(env, val) weft_longjmp(env, val)
#define _setjmp(env) weft_setjmp(env)
#define _longjmp(env, val) weft_longjmp(env, val)

#endif
