/*
** cxa_runtime.cpp — the least of a C++ exception runtime for clang's
** WebAssembly exception handling, written for this test (Debian ships no
** libc++abi for wasm32-wasi). What clang 19 emits with -fwasm-exceptions:
**
**   throw X;    __cxa_allocate_exception, construct, __cxa_throw(obj,
**               type, dtor), which throws the Wasm tag __cpp_exception
**               with a pointer to our header's unwind word
**   a landing   `catch __cpp_exception` stores its index and LSDA in
**   pad         __wasm_lpad_context, calls _Unwind_CallPersonality(ptr),
**               and compares __wasm_lpad_context.selector with each catch
**               clause's type index; none: rethrow
**   catch body  __cxa_begin_catch(ptr) ... __cxa_end_catch()
**   throw;      __cxa_rethrow()
**
** The LSDA (.gcc_except_table) is the Itanium one, except that the call
** site table is indexed by the landing pad index: entry i is (landing pad,
** action) as ULEB128s. Types are matched by identity, then up the chain
** of single-inheritance bases (__si_class_type_info); the type_info
** objects' vtables are ours, so we know each kind by its vtable.
** Destructors return `this` in the WebAssembly C++ ABI. C++ only so that
** clang defines the __cpp_exception tag here as it does for the program
** (in C, __builtin_wasm_throw leaves it undefined and clang 19 stops);
** everything is extern "C" with the names the compiler calls.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern "C" {

/* ---- type_info kinds ---------------------------------------------------
** clang's type_info objects point 2 words into these vtables. Their
** slots are never called here (no typeid, no dynamic_cast). */
const void *_ZTVN10__cxxabiv117__class_type_infoE[8];
const void *_ZTVN10__cxxabiv120__si_class_type_infoE[8];
const void *_ZTVN10__cxxabiv123__fundamental_type_infoE[8];

struct type_info {
  const void *vptr;
  const char *name;
};
struct si_class_type_info {
  struct type_info base;
  const struct type_info *parent;
};

/* typeinfo for int: libc++abi's, which we replace */
extern const struct type_info _ZTIi;
const struct type_info _ZTIi = {&_ZTVN10__cxxabiv123__fundamental_type_infoE[2],
                                "i"};

static int is_kind(const struct type_info *t, const void **vtable) {
  return t->vptr == &vtable[2];
}

/* Does a handler for `catch_type` catch an object of `thrown`? The same
** type, or a base along single inheritance (at offset 0, so the object's
** address needs no adjustment). */
static int type_matches(const struct type_info *catch_type,
                        const struct type_info *thrown) {
  while (thrown) {
    if (thrown == catch_type || (thrown->name && catch_type->name &&
                                 strcmp(thrown->name, catch_type->name) == 0))
      return 1;
    if (!is_kind(thrown, _ZTVN10__cxxabiv120__si_class_type_infoE))
      return 0;
    thrown = ((const struct si_class_type_info *)thrown)->parent;
  }
  return 0;
}

/* ---- exception objects -------------------------------------------------
** [header | thrown object]; the header is 16-byte aligned in size, so the
** object is too. The Wasm exception carries &header->unwind. */
struct header {
  const struct type_info *type;
  void *(*dtor)(void *);
  struct header *next_caught; /* the stack of caught exceptions */
  int handlers;               /* active handlers; < 0: being rethrown */
  uint32_t unwind;            /* what the Wasm exception points at */
  uint32_t pad[3];
};
static_assert(sizeof(struct header) % 16 == 0, "header keeps alignment");

static struct header *caught; /* innermost caught exception */
static int live;              /* allocated and not yet freed */

int cxa_live_exceptions(void) { return live; }

static struct header *from_object(void *obj) {
  return (struct header *)obj - 1;
}
static struct header *from_unwind(void *p) {
  return (struct header *)((char *)p - offsetof(struct header, unwind));
}

void *__cxa_allocate_exception(size_t size) {
  struct header *h = (struct header *)calloc(1, sizeof *h + size);
  if (!h)
    abort();
  live++;
  return h + 1;
}

void __cxa_free_exception(void *obj) {
  live--;
  free(from_object(obj));
}

static void destroy(struct header *h) {
  if (h->dtor)
    h->dtor(h + 1);
  __cxa_free_exception(h + 1);
}

[[noreturn]] static void raise(struct header *h) {
  __builtin_wasm_throw(0, &h->unwind); /* tag 0: __cpp_exception */
}

[[noreturn]] void __cxa_throw(void *obj, const struct type_info *type,
                              void *(*dtor)(void *)) {
  struct header *h = from_object(obj);
  h->type = type;
  h->dtor = dtor;
  raise(h);
}

/* The thrown object, before __cxa_begin_catch (a catch by value copies
** it from here first). */
void *__cxa_get_exception_ptr(void *unwind) { return from_unwind(unwind) + 1; }

void *__cxa_begin_catch(void *unwind) {
  struct header *h = from_unwind(unwind);
  h->handlers = h->handlers < 0 ? -h->handlers + 1 : h->handlers + 1;
  if (h != caught) {
    h->next_caught = caught;
    caught = h;
  }
  return h + 1;
}

void __cxa_end_catch(void) {
  struct header *h = caught;
  if (!h)
    return;
  if (h->handlers < 0) { /* rethrown: it lives on outside */
    if (++h->handlers == 0)
      caught = h->next_caught;
  } else if (--h->handlers == 0) {
    caught = h->next_caught;
    destroy(h);
  }
}

[[noreturn]] void __cxa_rethrow(void) {
  struct header *h = caught;
  if (!h)
    abort(); /* `throw;` with nothing caught: std::terminate */
  h->handlers = -h->handlers;
  raise(h);
}

/* Called when a noexcept function lets an exception out. */
[[noreturn]] void __clang_call_terminate(void *unwind) {
  (void)unwind;
  abort();
}
[[noreturn]] void _ZSt9terminatev(void) { abort(); }

/* ---- the personality ---------------------------------------------------- */
struct lpad_context {
  uint32_t lpad_index;
  const uint8_t *lsda;
  uint32_t selector;
};
struct lpad_context __wasm_lpad_context;

static uint32_t uleb(const uint8_t **p) {
  uint32_t v = 0;
  int shift = 0;
  uint8_t b;
  do {
    b = *(*p)++;
    v |= (uint32_t)(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return v;
}

static int32_t sleb(const uint8_t **p) {
  uint32_t v = 0;
  int shift = 0;
  uint8_t b;
  do {
    b = *(*p)++;
    v |= (uint32_t)(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  if (shift < 32 && (b & 0x40))
    v |= ~0u << shift;
  return (int32_t)v;
}

enum {
  DW_EH_PE_omit = 0xff,
  DW_EH_PE_absptr = 0x00,
  DW_EH_PE_udata4 = 0x03,
  DW_EH_PE_sdata4 = 0x0b
};

/* The type of catch clause `index` (1-based) of the type table ending at
** `types`: 4-byte absolute pointers, stored backwards. NULL is catch(...). */
static const struct type_info *clause_type(const uint8_t *types,
                                           int32_t index) {
  const struct type_info *t;
  memcpy(&t, types - 4 * index, sizeof t);
  return t;
}

/* Sets __wasm_lpad_context.selector to the type index of the first catch
** clause of this landing pad that catches the exception, or 0 (none:
** cleanups only, and the pad rethrows). */
int _Unwind_CallPersonality(void *unwind) {
  struct header *h = from_unwind(unwind);
  const uint8_t *p = __wasm_lpad_context.lsda;
  __wasm_lpad_context.selector = 0;
  if (!p)
    return 0;
  if (*p++ != DW_EH_PE_omit)
    abort(); /* a landing pad base: clang does not emit one for wasm */
  uint8_t ttype_enc = *p++;
  const uint8_t *types = NULL;
  if (ttype_enc != DW_EH_PE_omit) {
    if (ttype_enc != DW_EH_PE_absptr && ttype_enc != DW_EH_PE_udata4 &&
        ttype_enc != DW_EH_PE_sdata4)
      abort();
    uint32_t off = uleb(&p);
    types = p + off;
  }
  p++; /* call site encoding: unused, entries are ULEB128 */
  uint32_t table_len = uleb(&p);
  const uint8_t *actions = p + table_len;
  uint32_t action = 0;
  for (uint32_t i = 0; p < actions; i++) {
    uleb(&p); /* landing pad */
    uint32_t a = uleb(&p);
    if (i == __wasm_lpad_context.lpad_index) {
      action = a;
      break;
    }
  }
  if (action == 0)
    return 0;
  const uint8_t *rec = actions + action - 1;
  for (;;) {
    int32_t index = sleb(&rec);
    const uint8_t *at = rec;
    int32_t next = sleb(&rec);
    if (index > 0 && types) {
      const struct type_info *t = clause_type(types, index);
      if (!t || type_matches(t, h->type)) {
        __wasm_lpad_context.selector = (uint32_t)index;
        return 0;
      }
    }
    if (next == 0)
      return 0;
    rec = at + next;
  }
}

/* Named by clang as the personality of every function with landing pads. */
int __gxx_wasm_personality_v0(void) { return 0; }

} /* extern "C" */

/* Virtual destructors' deleting variants name these (no libc++ either). */
void operator delete(void *p) noexcept { free(p); }
void operator delete(void *p, size_t) noexcept { free(p); }
