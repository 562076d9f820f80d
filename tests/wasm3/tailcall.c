/*
** tailcall.c — WebAssembly tail calls from C (clang -mtail-call and
** __attribute__((musttail))): mutually recursive functions 10^7 calls
** deep, and a bytecode interpreter whose handlers dispatch to each other
** by tail calls (the "threaded" style of wasm3), running a program of
** about 3*10^7 steps. Without return_call either would need gigabytes of
** stack; weft's call depth limit (20,000 frames) would trap first.
** Prints one line per part; tests/wasm3/run.sh compares the output.
*/
#include <stdint.h>
#include <stdio.h>

#define MUSTTAIL __attribute__((musttail))

/* ---- mutual recursion --------------------------------------------------
** noinline: each must stay a call, so the tail calls are real. */
static __attribute__((noinline)) int is_odd(uint32_t n);

static __attribute__((noinline)) int is_even(uint32_t n) {
  if (n == 0)
    return 1;
  MUSTTAIL return is_odd(n - 1);
}

static __attribute__((noinline)) int is_odd(uint32_t n) {
  if (n == 0)
    return 0;
  MUSTTAIL return is_even(n - 1);
}

/* Through a function pointer too: return_call_indirect. */
typedef uint64_t (*step_fn)(uint32_t n, uint64_t acc);
static volatile step_fn collatz_ptr;

static __attribute__((noinline)) uint64_t collatz_len(uint32_t n,
                                                      uint64_t acc) {
  if (n <= 1)
    return acc;
  step_fn next = collatz_ptr;
  MUSTTAIL return next(n % 2 ? 3 * n + 1 : n / 2, acc + 1);
}

/* Sum of (i mod 7) for i < n, accumulated through 3 functions in a ring. */
static __attribute__((noinline)) uint64_t ring_b(uint32_t i, uint32_t n,
                                                 uint64_t acc);
static __attribute__((noinline)) uint64_t ring_c(uint32_t i, uint32_t n,
                                                 uint64_t acc);
static __attribute__((noinline)) uint64_t ring_a(uint32_t i, uint32_t n,
                                                 uint64_t acc) {
  if (i >= n)
    return acc;
  MUSTTAIL return ring_b(i + 1, n, acc + i % 7);
}
static __attribute__((noinline)) uint64_t ring_b(uint32_t i, uint32_t n,
                                                 uint64_t acc) {
  if (i >= n)
    return acc;
  MUSTTAIL return ring_c(i + 1, n, acc + i % 7);
}
static __attribute__((noinline)) uint64_t ring_c(uint32_t i, uint32_t n,
                                                 uint64_t acc) {
  if (i >= n)
    return acc;
  MUSTTAIL return ring_a(i + 1, n, acc + i % 7);
}

/* ---- a threaded interpreter --------------------------------------------
** A tiny stack machine: every opcode handler ends by tail-calling the
** handler of the next instruction through a table (return_call_indirect
** in Wasm). Nothing returns until HALT. */
enum { OP_PUSH, OP_ADD, OP_SUB, OP_DUP, OP_SWAP, OP_JNZ, OP_MUL_MOD, OP_DROP,
       OP_OVER, OP_HALT };

struct vm {
  const int32_t *code;
  int64_t stack[16];
  uint64_t steps;
};

typedef int64_t (*handler)(struct vm *vm, uint32_t pc, uint32_t sp);
static const handler table[];

#define NEXT(vm, pc, sp)                                                       \
  do {                                                                         \
    (vm)->steps++;                                                             \
    MUSTTAIL return table[(vm)->code[pc]]((vm), (pc), (sp));                   \
  } while (0)

static int64_t op_push(struct vm *vm, uint32_t pc, uint32_t sp) {
  vm->stack[sp] = vm->code[pc + 1];
  NEXT(vm, pc + 2, sp + 1);
}
static int64_t op_add(struct vm *vm, uint32_t pc, uint32_t sp) {
  vm->stack[sp - 2] += vm->stack[sp - 1];
  NEXT(vm, pc + 1, sp - 1);
}
static int64_t op_sub(struct vm *vm, uint32_t pc, uint32_t sp) {
  vm->stack[sp - 2] -= vm->stack[sp - 1];
  NEXT(vm, pc + 1, sp - 1);
}
static int64_t op_dup(struct vm *vm, uint32_t pc, uint32_t sp) {
  vm->stack[sp] = vm->stack[sp - 1];
  NEXT(vm, pc + 1, sp + 1);
}
static int64_t op_swap(struct vm *vm, uint32_t pc, uint32_t sp) {
  int64_t t = vm->stack[sp - 1];
  vm->stack[sp - 1] = vm->stack[sp - 2];
  vm->stack[sp - 2] = t;
  NEXT(vm, pc + 1, sp);
}
static int64_t op_jnz(struct vm *vm, uint32_t pc, uint32_t sp) {
  int64_t v = vm->stack[sp - 1];
  NEXT(vm, v ? (uint32_t)vm->code[pc + 1] : pc + 2, sp - 1);
}
static int64_t op_mul_mod(struct vm *vm, uint32_t pc, uint32_t sp) {
  /* (a * b) mod 1000000007 */
  vm->stack[sp - 2] = (vm->stack[sp - 2] * vm->stack[sp - 1]) % 1000000007;
  NEXT(vm, pc + 1, sp - 1);
}
static int64_t op_drop(struct vm *vm, uint32_t pc, uint32_t sp) {
  NEXT(vm, pc + 1, sp - 1);
}
static int64_t op_over(struct vm *vm, uint32_t pc, uint32_t sp) {
  vm->stack[sp] = vm->stack[sp - 2];
  NEXT(vm, pc + 1, sp + 1);
}
static int64_t op_halt(struct vm *vm, uint32_t pc, uint32_t sp) {
  (void)pc;
  return vm->stack[sp - 1];
}

static const handler table[] = {op_push, op_add,     op_sub,  op_dup,
                                op_swap, op_jnz,     op_mul_mod, op_drop,
                                op_over, op_halt};

/* [acc n] -> while (n) { acc = acc * (n + 3) % p; n--; } -> acc: ten
** dispatches per round, 3*10^7 in all. */
static const int32_t loop_program[] = {
    OP_PUSH, 1,        /* 0: acc */
    OP_PUSH, 3000000,  /* 2: n          [acc n] */
    OP_SWAP,           /* 4: loop       [n acc] */
    OP_OVER,           /*               [n acc n] */
    OP_PUSH, 3,        /*               [n acc n 3] */
    OP_ADD,            /*               [n acc n+3] */
    OP_MUL_MOD,        /*               [n acc'] */
    OP_SWAP,           /*               [acc' n] */
    OP_PUSH, 1,        /*               [acc' n 1] */
    OP_SUB,            /*               [acc' n-1] */
    OP_DUP,            /*               [acc' n-1 n-1] */
    OP_JNZ, 4,         /*               [acc' n-1] */
    OP_DROP,           /*               [acc'] */
    OP_HALT,
};

static int64_t run(const int32_t *code, uint64_t *steps) {
  struct vm vm = {code, {0}, 0};
  int64_t r = table[code[0]](&vm, 0, 0);
  *steps = vm.steps;
  return r;
}

/* The same computation in plain C, to check the interpreter against. */
static int64_t reference(int64_t n) {
  int64_t acc = 1;
  for (; n; n--)
    acc = acc * (n + 3) % 1000000007;
  return acc;
}

int main(void) {
  uint32_t deep = 10000000;
  printf("is_even(%u) = %d, is_odd(%u) = %d\n", deep, is_even(deep), deep,
         is_odd(deep));
  printf("is_even(%u) = %d\n", deep + 1, is_even(deep + 1));
  collatz_ptr = collatz_len;
  uint64_t total = 0;
  for (uint32_t n = 1; n <= 30000; n++)
    total += collatz_ptr(n, 0);
  printf("collatz steps for 1..30000: %llu\n", (unsigned long long)total);
  printf("ring sum to 10^7: %llu\n",
         (unsigned long long)ring_a(0, 10000000, 0));
  uint64_t steps;
  int64_t r = run(loop_program, &steps);
  printf("threaded vm: %lld in %llu dispatches (reference %lld)\n",
         (long long)r, (unsigned long long)steps,
         (long long)reference(3000000));
  return r == reference(3000000) ? 0 : 1;
}
