/*
** weft_aot.h — the ABI between libweft and ahead-of-time code generated
** as C from a module (src/aot/cgen.c). Generated code sees only what is
** here: the prefixes of runtime objects it reads directly, the per-instance
** context, and a table of runtime entry points it calls back. Any change
** to this file bumps WEFT_AOT_ABI, so stale artifacts are refused.
*/
#ifndef WEFT_AOT_H
#define WEFT_AOT_H

#include <stdint.h>

#define WEFT_AOT_ABI 14
#define WEFT_AOT_MAGIC "weft-aot"

/* Fuel of bulk operations, on top of the 1 their instruction costs in its
** block: one per WEFT_FUEL_BULK_BYTES bytes memory.fill, memory.copy and
** memory.init write, one per WEFT_FUEL_BULK_ELEMS elements of table.fill,
** table.copy, table.init and table.grow, WEFT_FUEL_PAGE per page
** memory.grow adds (a page's bytes at the same rate); rounded up. Paid
** after the bounds check and before any effect, by the runtime and by
** generated code alike, so both engines use the same fuel. */
#define WEFT_FUEL_BULK_BYTES 64u
#define WEFT_FUEL_BULK_ELEMS 8u
#define WEFT_FUEL_PAGE (65536u / WEFT_FUEL_BULK_BYTES)
#define WEFT_FUEL_BULK(n, per) (((uint64_t)(n) + (per)-1) / (per))
/* A paid memory.fill/copy/init longer than this is done in pieces of it,
** the fuel hook asked between them (a deadline may stop it there);
** metered code hands such lengths to the runtime (api memory_fill/copy). */
#define WEFT_BULK_PIECE (1u << 24)

/* The first fields of runtime objects, read directly by generated code. */
typedef struct weft_aot_memory {
  uint8_t *data; /* stable while the memory lives when reserved */
  uint64_t size; /* bytes */
} weft_aot_memory;

typedef struct weft_aot_table {
  void **elems; /* struct weft_aot_func * for funcref tables */
  uint32_t size;
} weft_aot_table;

typedef union weft_aot_value {
  uint32_t u32;
  uint64_t u64;
  float f32;
  double f64;
  void *ref;
  uint8_t v128[16]; /* bytes in memory order */
} weft_aot_value;

typedef struct weft_aot_global {
  weft_aot_value val;
} weft_aot_global;

struct weft_aot_ctx;

/* A function instance as seen by call_indirect: the engine-wide signature
** id, and for AoT functions the typed C entry and its instance context.
** call_key is what call_indirect and call_ref compare with the caller's
** call_key_of[type]: the instance's serial in the high half and sig + 1
** in the low half when typed_fn is set, else 0. Equal keys mean the
** right signature, a typed entry and the caller's own context, three
** tests in one compare; equal low halves, the same of another instance
** (called with ctx). */
typedef struct weft_aot_func {
  uint32_t sig;
  uint64_t call_key;        /* serial << 32 | (sig + 1) if typed_fn, else 0 */
  void *typed_fn;           /* NULL unless AoT code */
  struct weft_aot_ctx *ctx; /* context to pass to typed_fn */
} weft_aot_func;

/* Runtime entry points called by generated code. `trap` does not return. */
typedef struct weft_aot_api {
  void (*trap)(struct weft_aot_ctx *c, uint32_t kind);
  /* Call function `funcidx` of the instance with arguments in slots; results
  ** are written back to slots. Used for imports; traps propagate. */
  void (*call)(struct weft_aot_ctx *c, uint32_t funcidx, weft_aot_value *slots);
  /* call_indirect slow path: checks bounds, null and signature, then calls
  ** whatever the element is (host, interpreted or AoT). */
  void (*call_indirect)(struct weft_aot_ctx *c, uint32_t table,
                        uint32_t typeidx, uint32_t elem, weft_aot_value *slots);
  int32_t (*memory_grow)(struct weft_aot_ctx *c, uint32_t delta);
  void (*memory_init)(struct weft_aot_ctx *c, uint32_t seg, uint32_t d,
                      uint32_t s, uint32_t n);
  void (*data_drop)(struct weft_aot_ctx *c, uint32_t seg);
  void *(*table_get)(struct weft_aot_ctx *c, uint32_t table, uint32_t i);
  void (*table_set)(struct weft_aot_ctx *c, uint32_t table, uint32_t i,
                    void *v);
  int32_t (*table_grow)(struct weft_aot_ctx *c, uint32_t table, void *init,
                        uint32_t n);
  void (*table_fill)(struct weft_aot_ctx *c, uint32_t table, uint32_t i,
                     void *v, uint32_t n);
  void (*table_copy)(struct weft_aot_ctx *c, uint32_t dst, uint32_t src,
                     uint32_t d, uint32_t s, uint32_t n);
  void (*table_init)(struct weft_aot_ctx *c, uint32_t table, uint32_t seg,
                     uint32_t d, uint32_t s, uint32_t n);
  void (*elem_drop)(struct weft_aot_ctx *c, uint32_t seg);
  /* Fuel left (*c->fuel, stored by the caller) is below `need`: returns
  ** once the engine's fuel hook added enough, else traps. The entry
  ** points for memory.grow, memory.init and the table operations charge
  ** their bulk fuel themselves: metered code reloads *c->fuel after them. */
  void (*refuel)(struct weft_aot_ctx *c, int64_t need);
  /* memory.fill and memory.copy on memory 0 with checks and fuel, done in
  ** pieces: what metered code calls for more than WEFT_BULK_PIECE bytes. */
  void (*memory_fill)(struct weft_aot_ctx *c, uint32_t d, uint32_t v,
                      uint32_t n);
  void (*memory_copy)(struct weft_aot_ctx *c, uint32_t d, uint32_t s,
                      uint32_t n);
  /* Exception handling (3.0): an exception is pending while *c->exn is
  ** not NULL; code checks it after each call and unwinds to its handlers
  ** or returns. exn_throw: a new exception of tag `tag` (this instance's
  ** index) with its payload in `args`, pending. exn_throw_ref: `exn`
  ** pending again (traps on NULL). exn_is: the pending one has tag `tag`.
  ** exn_take: its payload into `vals`, no longer pending; returned as an
  ** exnref when `keep` (catch_ref), else freed and NULL. `vals` is NULL
  ** for a catch_all(_ref), which takes no payload (the exception's may be
  ** any length). */
  void (*exn_throw)(struct weft_aot_ctx *c, uint32_t tag,
                    const weft_aot_value *args);
  void (*exn_throw_ref)(struct weft_aot_ctx *c, void *exn);
  int (*exn_is)(struct weft_aot_ctx *c, uint32_t tag);
  void *(*exn_take)(struct weft_aot_ctx *c, weft_aot_value *vals, int keep);
  /* call_ref slow path (typed function references): traps on null and on
  ** a signature other than type `typeidx`'s, then calls whatever `fn` is
  ** (host, interpreted or AoT). */
  void (*call_ref)(struct weft_aot_ctx *c, uint32_t typeidx, void *fn,
                   weft_aot_value *slots);
  /* multi-memory, memory64: the bulk operations on memory `mem` (any
  ** memory but a 32-bit memory 0), 64-bit operands; grow returns the old
  ** size in pages or -1. They charge their fuel as memory_init does. */
  int64_t (*memx_grow)(struct weft_aot_ctx *c, uint32_t mem, uint64_t delta);
  void (*memx_fill)(struct weft_aot_ctx *c, uint32_t mem, uint64_t d,
                    uint32_t v, uint64_t n);
  void (*memx_copy)(struct weft_aot_ctx *c, uint32_t dst_mem, uint32_t src_mem,
                    uint64_t d, uint64_t s, uint64_t n);
  void (*memx_init)(struct weft_aot_ctx *c, uint32_t mem, uint32_t seg,
                    uint64_t d, uint32_t s, uint32_t n);
} weft_aot_api;

/* One per instance of an AoT module; generated functions take it first. */
typedef struct weft_aot_ctx {
  weft_aot_memory *memory;   /* memory 0, or NULL */
  weft_aot_global **globals; /* whole global index space */
  weft_aot_table **tables;   /* whole table index space */
  weft_aot_func **funcs;     /* whole function index space (ref.func) */
  const weft_aot_api *api;
  /* Wasm calls left before max_call_depth: a calling function takes one
  ** on entry (trapping when none is left) and gives it back on return.
  ** Counting down lets x86-64 code test the count in the same
  ** instruction that changes it (prelude.h, WF_ENTER). */
  uint32_t depth_left;
  uint32_t unused0;
  char *stack_limit; /* lowest native stack address allowed */
  int64_t *fuel;     /* fuel left, charged per block when metered */
  void *runtime;     /* the runtime's own per-instance state */
  void *const *exn;  /* the pending exception, or NULL (see exn_throw) */
  weft_aot_memory **memories; /* whole memory index space (multi-memory) */
  /* memory 0's data when it has a guard reservation (it never moves
  ** then), else NULL: code compiled for guard pages reads the base here,
  ** one load on entry instead of two through `memory`. */
  uint8_t *mem0_data;
  weft_aot_table *table0; /* tables[0], or NULL: call_indirect's usual table */
  /* globals[0], or NULL: in code from LLVM the C stack pointer, which
  ** nearly every function reads and writes on entry and on return; one
  ** load from here instead of two dependent ones through `globals`. */
  weft_aot_global *global0;
  /* module type index -> this instance's serial << 32 | (the type's
  ** engine signature id + 1) (see weft_aot_func.call_key), inline: what a
  ** call_indirect or call_ref compares with is one load from the context
  ** (which generated code reloads after stores). */
  uint64_t call_key_of[];
} weft_aot_ctx;

/* Calls a function with its arguments and results in slots. */
typedef void (*weft_aot_slot_fn)(weft_aot_ctx *c, weft_aot_value *slots);

/* What a generated shared object exports, under WEFT_AOT_SYMBOL. */
typedef struct weft_aot_module {
  uint32_t abi;             /* WEFT_AOT_ABI */
  uint32_t nfuncs;          /* defined functions */
  uint32_t explicit_checks; /* 1: bounds checked in code; 0: guard pages */
  uint32_t fuel_metering;   /* 1: code charges fuel (must match the engine) */
  const weft_aot_slot_fn *slot_fns; /* per defined function */
  void *const *typed_fns;           /* per defined function */
  uint8_t module_sha256[32];
  uint32_t exceptions; /* 1: code checks c->exn after calls (it throws or
                          catches); 0: exceptions leave it like traps */
} weft_aot_module;

#define WEFT_AOT_SYMBOL "weft_aot_module_v1"

#endif /* WEFT_AOT_H */
