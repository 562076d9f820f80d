/* wasm_rt.c — the few libc symbols clang may emit calls to when compiling
 * the freestanding kernels for wasm32 (loop idioms become memset/memcpy).
 * Linked into every kernel's .wasm only; --gc-sections drops unused ones. */
#include <stddef.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);

/* Byte loops written so clang does not turn them back into calls to
 * themselves (it would, through the same loop-idiom recognition). */
__attribute__((no_builtin)) void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}

__attribute__((no_builtin)) void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}

__attribute__((no_builtin)) void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    if (p < q) while (n--) *p++ = *q++;
    else { p += n; q += n; while (n--) *--p = *--q; }
    return d;
}
