/*
** bare_main.c — a whole bare-metal program: the Cortex-M4 build of the
** core and ports/bare (make embed's weft_bare.o), libgcc, and this file,
** which brings the four mem* functions, a _start and two Linux system
** calls (write, exit) so qemu-arm can run it. Loads a small module from a
** 64 KiB static arena, calls fac(20), and finds the smallest arena that
** runs it (the RAM figure on a 32-bit target). Exit status 0 on success.
*/
#include "weft_bare.h"
#include "small_module.h"
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *d, const void *s, size_t n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--)
    *p++ = *q++;
  return d;
}
void *memmove(void *d, const void *s, size_t n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  if (p < q)
    while (n--)
      *p++ = *q++;
  else
    while (n--)
      p[n] = q[n];
  return d;
}
void *memset(void *d, int c, size_t n) {
  unsigned char *p = d;
  while (n--)
    *p++ = (unsigned char)c;
  return d;
}
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q)
      return *p - *q;
  return 0;
}
static long sys(long n, long a, long b, long c) {
  register long r7 __asm__("r7") = n;
  register long r0 __asm__("r0") = a;
  register long r1 __asm__("r1") = b;
  register long r2 __asm__("r2") = c;
  __asm__ volatile("svc 0" : "+r"(r0) : "r"(r7), "r"(r1), "r"(r2) : "memory");
  return r0;
}
static void puts_(const char *s) {
  size_t n = 0;
  while (s[n])
    n++;
  sys(4, 1, (long)s, (long)n);
}
static void putu(unsigned long long v) {
  char b[24];
  int i = 23;
  b[i] = 0;
  do {
    b[--i] = '0' + v % 10;
    v /= 10;
  } while (v);
  puts_(b + i);
}
static unsigned char buf[64 << 10];
static int run(size_t size, weft_arena *a, long long *out) {
  weft_arena_init(a, buf, size);
  weft_config c;
  weft_config_default(&c);
  c.stack_bytes = 1536;
  c.max_call_depth = 24;
  c.guard_pages = 0;
  c.alloc = weft_arena_realloc;
  c.alloc_user = a;
  weft_engine *e = 0;
  weft_module *m = 0;
  weft_linker *l = 0;
  weft_instance *in = 0;
  weft_extern x;
  weft_val r, arg = {.type = WEFT_I64};
  arg.of.i64 = 20;
  int ok = weft_engine_new(&c, &e, 0) == 0 &&
           weft_module_load(e, small_wasm, sizeof small_wasm, &m, 0) == 0 &&
           weft_linker_new(e, &l, 0) == 0 &&
           weft_instantiate(l, m, &in, 0) == 0 &&
           weft_instance_export(in, "fac", &x) == 0 &&
           weft_func_call(e, x.of.func, &arg, 1, &r, 1, 0) == 0;
  if (ok)
    *out = r.of.i64;
  weft_linker_free(l);
  weft_module_free(m);
  weft_engine_free(e);
  return ok && a->used == 0;
}
int main(void);
int main(void) {
  weft_arena a;
  long long v = 0;
  size_t lo = 0, hi = sizeof buf;
  if (!run(hi, &a, &v)) {
    puts_("fails in 64 KiB\n");
    return 1;
  }
  puts_("fac(20) = ");
  putu((unsigned long long)v);
  puts_("\n");
  while (hi - lo > 8) {
    size_t mid = lo + (hi - lo) / 2;
    if (run(mid, &a, &v))
      hi = mid;
    else
      lo = mid;
  }
  run(hi, &a, &v);
  puts_("smallest arena: ");
  putu(hi);
  puts_(" bytes, peak in use ");
  putu(a.peak_used);
  puts_("\n");
  return v == 2432902008176640000ll ? 0 : 1;
}
void _start(void);
__attribute__((naked, noreturn)) void _start(void) {
  __asm__ volatile("bl main\n mov r7, #1\n svc 0\n");
}
