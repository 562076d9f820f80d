// exceptions.cpp — C++ exceptions compiled by clang -fwasm-exceptions
// (WebAssembly exception handling: try/catch/rethrow/delegate, the
// legacy encoding clang 19 emits), linked with the small runtime of
// cxa_runtime.cpp (no libc++abi for wasm32-wasi in Debian).
//
// Throws across several frames with destructors in each, catches by
// exact type, by base class, by catch(...), rethrows with `throw;`,
// throws while handling another exception, throws through a function
// pointer, and loops to show every exception object is destroyed and
// freed. Prints a log; tests/wasm3/run.sh compares it with
// exceptions.expected. With the argument "uncaught" it throws with no
// handler: the Wasm exception leaves _start and weft traps.
#include <stdio.h>
#include <string.h>

extern "C" int cxa_live_exceptions(void); // cxa_runtime.cpp

static char trail[512];
static void note(const char *s) {
  size_t n = strlen(trail);
  snprintf(trail + n, sizeof trail - n, "%s%s", n ? " " : "", s);
}
static void flush(const char *what) {
  printf("%s: %s\n", what, trail);
  trail[0] = 0;
}

static int live_errors; // Error objects alive (copies included)

struct Error {
  int code;
  explicit Error(int c) : code(c) { live_errors++; }
  Error(const Error &o) : code(o.code) { live_errors++; }
  virtual ~Error() { live_errors--; }
  virtual const char *name() const { return "Error"; }
};
struct IoError : Error {
  explicit IoError(int c) : Error(c) {}
  const char *name() const override { return "IoError"; }
};
struct DiskFull : IoError {
  explicit DiskFull(int c) : IoError(c) {}
  const char *name() const override { return "DiskFull"; }
};
struct Unrelated {
  int x;
};

// Records its destruction: stack unwinding runs it.
struct Guard {
  char label[16];
  explicit Guard(const char *l) { snprintf(label, sizeof label, "%s", l); }
  ~Guard() {
    char buf[24];
    snprintf(buf, sizeof buf, "~%s", label);
    note(buf);
  }
};

// Frames deep, each with a Guard; the last throws.
__attribute__((noinline)) static void dive(int depth, int kind) {
  char l[8];
  snprintf(l, sizeof l, "g%d", depth);
  Guard g(l);
  if (depth == 0) {
    switch (kind) {
    case 0: throw Error(7);
    case 1: throw DiskFull(28);
    case 2: throw 42;
    case 3: throw Unrelated{5};
    }
  }
  dive(depth - 1, kind);
  note("not reached");
}

static void exact_type() {
  try {
    dive(4, 0);
  } catch (int) {
    note("wrong:int");
  } catch (Error &e) {
    char buf[32];
    snprintf(buf, sizeof buf, "caught:%s:%d", e.name(), e.code);
    note(buf);
  }
  flush("exact type");
}

static void base_class() {
  try {
    dive(3, 1);
  } catch (Unrelated &) {
    note("wrong:Unrelated");
  } catch (IoError &e) { // DiskFull is an IoError
    char buf[32];
    snprintf(buf, sizeof buf, "caught:%s:%d", e.name(), e.code);
    note(buf);
  } catch (Error &) {
    note("wrong:Error");
  }
  flush("base class");
}

static void fundamental_and_all() {
  try {
    dive(2, 2);
  } catch (Error &) {
    note("wrong:Error");
  } catch (int v) {
    char buf[24];
    snprintf(buf, sizeof buf, "caught:int:%d", v);
    note(buf);
  }
  try {
    dive(1, 3);
  } catch (Error &) {
    note("wrong:Error");
  } catch (...) {
    note("caught:...");
  }
  flush("int and catch(...)");
}

__attribute__((noinline)) static void middle() {
  Guard g("mid");
  try {
    dive(2, 1);
  } catch (Error &e) {
    char buf[32];
    snprintf(buf, sizeof buf, "inner:%s", e.name());
    note(buf);
    e.code++; // the same object reaches the outer handler
    throw;    // __cxa_rethrow
  }
}

static void rethrow() {
  try {
    middle();
  } catch (DiskFull &e) {
    char buf[32];
    snprintf(buf, sizeof buf, "outer:%s:%d", e.name(), e.code);
    note(buf);
  }
  flush("rethrow");
}

// A new exception thrown from a handler, while the first is caught.
static void nested() {
  try {
    try {
      dive(1, 0);
    } catch (Error &first) {
      Guard g("h");
      char buf[24];
      snprintf(buf, sizeof buf, "first:%d", first.code);
      note(buf);
      throw IoError(first.code * 10);
    }
  } catch (IoError &second) {
    char buf[24];
    snprintf(buf, sizeof buf, "second:%d", second.code);
    note(buf);
  }
  flush("nested");
}

// Through a pointer (call_indirect) and a catch by value (a copy).
static void (*volatile thrower)(int, int) = dive;
static void indirect() {
  try {
    thrower(3, 1);
  } catch (Error e) {
    char buf[32];
    snprintf(buf, sizeof buf, "by value:%s:%d", e.name(), e.code);
    note(buf);
  }
  flush("indirect");
}

__attribute__((noinline)) static int may_throw(int i) {
  if (i % 3 == 0)
    throw DiskFull(i);
  if (i % 3 == 1)
    throw i;
  return i;
}

static void many() {
  long sum = 0;
  for (int i = 0; i < 30000; i++) {
    try {
      sum += may_throw(i);
    } catch (Error &e) {
      sum += 2L * e.code;
    } catch (int v) {
      sum -= v;
    }
  }
  printf("many: sum %ld\n", sum);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "uncaught") == 0) {
    puts("throwing with no handler");
    fflush(stdout);
    dive(2, 1);
    return 0;
  }
  exact_type();
  base_class();
  fundamental_and_all();
  rethrow();
  nested();
  indirect();
  many();
  printf("live Error objects %d, live exceptions %d\n", live_errors,
         cxa_live_exceptions());
  return live_errors == 0 && cxa_live_exceptions() == 0 ? 0 : 1;
}
