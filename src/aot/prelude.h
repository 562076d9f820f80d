/*
** prelude.h — the head of every generated C file (pasted in, not
** included): fixed-width types and the load pins. Followed by le.h,
** weft_aot.h and the interpreter's numeric.h, so generated code and the
** interpreter share one definition of memory access and of every numeric
** operator.
*/
#include <stdint.h>
#include <string.h>

/* GCC's register allocator in one region per function, not one per loop
** (-fira-region=one; -O2's default picks regions by register pressure):
** generated functions have many loops and as many live locals as the
** Wasm function had, and the moves and spills at region borders cost
** more than they save. speedtest1 --size 5: 1.3% fewer instructions
** (callgrind), 2% less CPU time, a smaller shared object and less
** compile time; the loop kernels' instructions within 0.3%, heapsort and
** sha256 fewer (bench/README.md, P12h). A pragma, not a command-line
** flag, so that compilers other than GCC (clang rejects the flag) still
** build the C. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("ira-region=one")
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t i8;
typedef int16_t i16;
typedef int32_t i32;
typedef int64_t i64;
typedef float f32;
typedef double f64;

#define WF_LIKELY(x) __builtin_expect(!!(x), 1)
#define WF_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Keep a loaded value alive: with guard pages the load is the bounds check,
** so it must happen even when the value turns out unused. The constraint
** names the register class the value already lives in, so this costs no
** instruction. */
#define WF_PIN(v) __asm__ volatile("" : : "r"(v))
#if defined(__x86_64__) || defined(__i386__)
#define WF_PIN_F(v) __asm__ volatile("" : : "x"(v))
#elif defined(__aarch64__)
#define WF_PIN_F(v) __asm__ volatile("" : : "w"(v))
#elif defined(__riscv) && defined(__riscv_flen)
#define WF_PIN_F(v) __asm__ volatile("" : : "f"(v))
#else
#define WF_PIN_F(v) __asm__ volatile("" : : "g"(v))
#endif

/* After a store, with guard pages: an empty statement that reads every
** byte a store through `base` can reach (a u32 address plus a u32 offset
** plus the width: less than 2^33 + 16 bytes past it). Without it GCC
** deletes a store that a later one to the same bytes overwrites
** (dead-store elimination), so a store between them became visible
** before the first one's trap, and merges neighbouring narrow stores into
** one wider store, which faults without writing its in-bounds part; and
** no store moves below it. Volatile, so it also keeps stores in order
** with the loads' pins. It names the memory base, not the stored bytes:
** when the store and this statement shared the store's address, GCC
** computed it into a register, often kept live and spilled; with the
** base, the address folds into the store instruction (speedtest1: 2%
** fewer instructions, bench/README.md, P12i). Guard pages are used on
** 64-bit hosts only; elsewhere the type is only declared. */
#if UINTPTR_MAX > 0xffffffffu
typedef struct {
  u8 b[(u64)1 << 34];
} wf_reach;
#else
typedef struct {
  u8 b[1];
} wf_reach;
#endif
#define WF_STORED(base) __asm__ volatile("" : : "m"(*(const wf_reach *)(base)))

/* The same for a v128 whose last byte is at `last`. Where no vector
** register class holds it, reading that byte is the check. On x86-64 a
** 16-byte store is one instruction that faults before writing anything;
** elsewhere a v128 store may become several, so it probes its last byte
** first (WF_PROBE_V) and never writes a partial value before trapping. */
#if defined(__x86_64__)
#define WF_PIN_V(v, last) __asm__ volatile("" : : "x"(v))
#define WF_PROBE_V(last) ((void)0)
#elif defined(__aarch64__)
#define WF_PIN_V(v, last) __asm__ volatile("" : : "w"(v))
#define WF_PROBE_V(last) ((void)*(volatile const u8 *)(last))
#else
#define WF_PIN_V(v, last) ((void)*(volatile const u8 *)(last))
#define WF_PROBE_V(last) ((void)*(volatile const u8 *)(last))
#endif

/* The native stack pointer, for the entry check against c->stack_limit:
** read from its register, so a function needs no frame slot for the
** check. Taking the address of a local (the old way) gave every checking
** function a stack adjustment on entry and on return. Elsewhere the frame
** address, which may cost a frame pointer. */
#if defined(__x86_64__)
#define WF_SP(sp) __asm__("mov %%rsp, %0" : "=r"(sp))
#elif defined(__aarch64__)
#define WF_SP(sp) __asm__("mov %0, sp" : "=r"(sp))
#elif defined(__riscv)
#define WF_SP(sp) __asm__("mv %0, sp" : "=r"(sp))
#else
#define WF_SP(sp) ((sp) = (uintptr_t)__builtin_frame_address(0))
#endif

/* A calling function's entry: takes one call from c->depth_left and checks
** that the native stack pointer is at or above the stack limit (plus the
** frame's size, `bytes`, when it is large); jumps to `out` (which traps)
** when either fails. WF_STACK: the stack check alone, in functions that
** do not count calls (cgen_depth.c). On x86-64 with GCC >= 11 or
** clang >= 11 (asm goto with outputs) this is `subl $1; jb; cmpq; jb`:
** the count is tested by the instruction that changes it, and the limit
** compared from memory, where the C form loads, adds, stores and compares
** the count and copies the stack pointer first (speedtest1:
** bench/README.md, P12j). */
#if defined(__x86_64__) && ((defined(__clang__) && __clang_major__ >= 11) ||   \
                            (!defined(__clang__) && __GNUC__ >= 11))
#define WF_ENTER(c, out)                                                       \
  __asm__ goto("subl $1, %0\n\tjb %l[" #out "]\n\t"                            \
               "cmpq %1, %%rsp\n\tjb %l[" #out "]"                             \
               : "+m"((c)->depth_left)                                         \
               : "m"((c)->stack_limit)                                         \
               : "cc"                                                          \
               : out)
#define WF_ENTER_FRAME(c, bytes, out)                                          \
  __asm__ goto("subl $1, %0\n\tjb %l[" #out "]\n\t"                            \
               "cmpq %1, %%rsp\n\tjb %l[" #out "]"                             \
               : "+m"((c)->depth_left)                                         \
               : "r"((uintptr_t)(c)->stack_limit + (bytes))                    \
               : "cc"                                                          \
               : out)
#define WF_STACK(c, out)                                                       \
  __asm__ goto("cmpq %0, %%rsp\n\tjb %l[" #out "]"                             \
               :                                                               \
               : "m"((c)->stack_limit)                                         \
               : "cc"                                                          \
               : out)
#define WF_STACK_FRAME(c, bytes, out)                                          \
  __asm__ goto("cmpq %0, %%rsp\n\tjb %l[" #out "]"                             \
               :                                                               \
               : "r"((uintptr_t)(c)->stack_limit + (bytes))                    \
               : "cc"                                                          \
               : out)
#else
#define WF_STACK_FRAME(c, bytes, out)                                          \
  do {                                                                         \
    uintptr_t wf_sp;                                                           \
    WF_SP(wf_sp);                                                              \
    if (WF_UNLIKELY(wf_sp < (uintptr_t)(c)->stack_limit + (bytes)))            \
      goto out;                                                                \
  } while (0)
#define WF_STACK(c, out) WF_STACK_FRAME(c, 0, out)
#define WF_ENTER_FRAME(c, bytes, out)                                          \
  do {                                                                         \
    uintptr_t wf_sp;                                                           \
    WF_SP(wf_sp);                                                              \
    if (WF_UNLIKELY((c)->depth_left-- == 0 ||                                  \
                    wf_sp < (uintptr_t)(c)->stack_limit + (bytes)))            \
      goto out;                                                                \
  } while (0)
#define WF_ENTER(c, out) WF_ENTER_FRAME(c, 0, out)
#endif
