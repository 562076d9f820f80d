/*
** fault_posix.c — turns guard-page faults in AoT code into Wasm traps.
** The SIGSEGV/SIGBUS handler is installed the first time AoT code with
** guard pages runs (never for interpreter-only use, so valgrind and
** sanitizers are undisturbed), runs on an alternate signal stack, and
** passes every fault it does not own to the handler that was there before.
** Signal handlers are process-wide by nature: this file holds the only
** process state of weft, and the per-thread context the handler reads.
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "base.h"

#define ALT_STACK_SIZE (64u << 10)

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static struct sigaction previous_segv, previous_bus;
static __thread void *thread_ctx;     /* the running AoT activation */
static __thread bool thread_altstack; /* this thread has an alt stack */

static void chain(int sig, siginfo_t *si, void *uc) {
  struct sigaction *old = sig == SIGSEGV ? &previous_segv : &previous_bus;
  if (old->sa_flags & SA_SIGINFO) {
    old->sa_sigaction(sig, si, uc);
  } else if (old->sa_handler == SIG_DFL || old->sa_handler == SIG_IGN) {
    /* Restore it; returning re-executes the access, which now gets the
    ** default action (a core dump), as without weft. */
    sigaction(sig, old, NULL);
  } else {
    old->sa_handler(sig);
  }
}

static void on_fault(int sig, siginfo_t *si, void *uc) {
  void *ctx = thread_ctx;
  if (ctx)
    wf_aot_fault(ctx, si->si_addr); /* does not return when it is ours */
  chain(sig, si, uc);
}

static void install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &previous_segv);
  sigaction(SIGBUS, &sa, &previous_bus);
}

/* A fault handler needs a stack of its own in case the fault is on the
** stack; keep the host's alternate stack when it has one. */
static void ensure_altstack(void) {
  stack_t old;
  if (thread_altstack || sigaltstack(NULL, &old) != 0)
    return;
  thread_altstack = true;
  if (!(old.ss_flags & SS_DISABLE))
    return;
  void *p = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return;
  stack_t ss = {.ss_sp = p, .ss_size = ALT_STACK_SIZE, .ss_flags = 0};
  sigaltstack(&ss, NULL);
}

void *wf_port_fault_enter(void *ctx) {
  pthread_once(&install_once, install);
  ensure_altstack();
  void *previous = thread_ctx;
  thread_ctx = ctx;
  return previous;
}

void wf_port_fault_leave(void *previous) { thread_ctx = previous; }
