/*
** weft.h — the public API of libweft, a WebAssembly 2.0 runtime.
** Data flows one way: bytes -> module (immutable) -> instance -> calls.
** Every fallible call returns a weft_status and fills an optional
** weft_error record; the library never prints, exits or aborts.
*/
#ifndef WEFT_H
#define WEFT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of these headers. weft_version() gives the library's, which
** differs when a program runs against a newer shared library. The major
** number is the shared library's SONAME (libweft.so.MAJOR). */
#define WEFT_VERSION_MAJOR 0
#define WEFT_VERSION_MINOR 1
#define WEFT_VERSION_PATCH 0
#define WEFT_VERSION "0.1.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons. */
#define WEFT_VERSION_NUMBER                                                    \
  (WEFT_VERSION_MAJOR * 10000 + WEFT_VERSION_MINOR * 100 + WEFT_VERSION_PATCH)

/* Every function of the public API is declared WEFT_API: it is exported
** from libweft.so, while the library's own functions stay hidden (they are
** compiled with -fvisibility=hidden). An embedder may define WEFT_API
** first, e.g. as empty, when it builds weft's sources into its own code. */
#ifndef WEFT_API
#if defined(__GNUC__) || defined(__clang__)
#define WEFT_API __attribute__((visibility("default")))
#else
#define WEFT_API
#endif
#endif

/* The library's version, "MAJOR.MINOR.PATCH"; *out_number (when not NULL)
** gets its WEFT_VERSION_NUMBER. */
WEFT_API const char *weft_version(uint32_t *out_number);

typedef struct weft_engine weft_engine;     /* owns every runtime object */
typedef struct weft_module weft_module;     /* decoded, validated, lowered */
typedef struct weft_instance weft_instance; /* a module's instance */
typedef struct weft_linker weft_linker;     /* names -> externs for imports */
typedef struct weft_func weft_func;         /* function instance */
typedef struct weft_table weft_table;       /* table instance */
typedef struct weft_memory weft_memory;     /* linear memory instance */
typedef struct weft_global weft_global;     /* global instance */
typedef struct weft_host_ctx weft_host_ctx; /* given to host functions */
typedef struct weft_tag weft_tag;           /* exception tag instance */
typedef struct weft_exn weft_exn;           /* a thrown exception */

typedef enum weft_status {
  WEFT_OK = 0,
  WEFT_ERR_MALFORMED,   /* binary cannot be decoded */
  WEFT_ERR_INVALID,     /* decodes but fails validation */
  WEFT_ERR_UNSUPPORTED, /* valid Wasm using a feature weft lacks */
  WEFT_ERR_LINK,        /* import missing or of the wrong type */
  WEFT_ERR_TRAP,        /* execution trapped (see weft_error.trap) */
  WEFT_ERR_LIMIT,       /* a configured limit was exceeded */
  WEFT_ERR_NOMEM,       /* allocation failed */
  WEFT_ERR_ARG,         /* bad argument to an API call */
  WEFT_ERR_EXIT,        /* a host function asked to end the program */
  WEFT_ERR_EXCEPTION    /* a Wasm exception no handler caught reached the
                           caller (weft_error.exn: its tag and payload) */
} weft_status;

typedef enum weft_trap {
  WEFT_TRAP_NONE = 0,
  WEFT_TRAP_UNREACHABLE,        /* "unreachable" */
  WEFT_TRAP_MEMORY_OOB,         /* "out of bounds memory access" */
  WEFT_TRAP_TABLE_OOB,          /* "out of bounds table access" */
  WEFT_TRAP_UNDEFINED_ELEMENT,  /* "undefined element" */
  WEFT_TRAP_UNINIT_ELEMENT,     /* "uninitialized element" */
  WEFT_TRAP_INDIRECT_MISMATCH,  /* "indirect call type mismatch" */
  WEFT_TRAP_DIV_ZERO,           /* "integer divide by zero" */
  WEFT_TRAP_INT_OVERFLOW,       /* "integer overflow" */
  WEFT_TRAP_INVALID_CONVERSION, /* "invalid conversion to integer" */
  WEFT_TRAP_STACK_EXHAUSTED,    /* "call stack exhausted" */
  WEFT_TRAP_HOST,               /* raised by a host function */
  WEFT_TRAP_OUT_OF_FUEL,        /* "out of fuel" (fuel metering) */
  WEFT_TRAP_INTERRUPTED,        /* "interrupted": a fuel hook stopped the
                                   program (e.g. its deadline passed) */
  WEFT_TRAP_NULL_EXNREF,        /* "null exception reference" (throw_ref) */
  /* typed function references (3.0) */
  WEFT_TRAP_NULL_FUNC_REF, /* "null function reference": call_ref of null */
  WEFT_TRAP_NULL_REF       /* "null reference": ref.as_non_null of null */
} weft_trap;

/* Returns the spec's message for a trap kind ("integer overflow", ...). */
WEFT_API const char *weft_trap_message(weft_trap trap);

#define WEFT_TRACE_MAX 16

/* One Wasm frame of a trap's backtrace, innermost first. */
typedef struct weft_frame_info {
  uint32_t func_index;   /* in its module's function index space */
  uint64_t offset;       /* byte offset of the instruction in the module */
  const char *func_name; /* from the name section, or NULL; owned by the
                            module */
  const weft_instance *instance; /* the function's instance (its module:
                                    weft_instance_module) */
} weft_frame_info;

typedef struct weft_error {
  weft_status status;
  weft_trap trap;      /* set when status == WEFT_ERR_TRAP */
  int32_t exit_code;   /* set when status == WEFT_ERR_EXIT */
  uint32_t func_index; /* function involved, or UINT32_MAX */
  uint64_t offset;     /* byte offset in the module, or UINT64_MAX */
  char message[256];   /* human-readable, NUL-terminated */
  uint32_t trace_len;  /* frames in trace (a trap in Wasm code) */
  uint32_t trace_more; /* frames left out beyond WEFT_TRACE_MAX */
  weft_frame_info trace[WEFT_TRACE_MAX];
  weft_exn *exn; /* set when status == WEFT_ERR_EXCEPTION; owned by the
                    engine, alive as long as it is */
} weft_error;

typedef enum weft_valtype {
  WEFT_I32 = 0x7f,
  WEFT_I64 = 0x7e,
  WEFT_F32 = 0x7d,
  WEFT_F64 = 0x7c,
  WEFT_V128 = 0x7b,
  WEFT_FUNCREF = 0x70,
  WEFT_EXTERNREF = 0x6f,
  WEFT_EXNREF = 0x69 /* exception reference (3.0): a weft_exn or NULL */
} weft_valtype;

/* One Wasm value as stored in a slot. Floats are kept as bit patterns in
** u32/u64 when NaN payloads matter. A null reference is ref == NULL. */
typedef union weft_slot {
  int32_t i32;
  uint32_t u32;
  int64_t i64;
  uint64_t u64;
  float f32;
  double f64;
  void *ref;
  uint8_t v128[16]; /* WEFT_V128: bytes in memory order */
} weft_slot;

typedef struct weft_val {
  weft_valtype type;
  weft_slot of;
} weft_val;

typedef enum weft_extern_kind {
  WEFT_EXTERN_FUNC = 0,
  WEFT_EXTERN_TABLE = 1,
  WEFT_EXTERN_MEMORY = 2,
  WEFT_EXTERN_GLOBAL = 3,
  WEFT_EXTERN_TAG = 4
} weft_extern_kind;

typedef struct weft_extern {
  weft_extern_kind kind;
  union {
    weft_func *func;
    weft_table *table;
    weft_memory *memory;
    weft_global *global;
    weft_tag *tag;
  } of;
} weft_extern;

/* ---- engine ---------------------------------------------------------- */

/* Allocator supplied by the embedder: realloc semantics (size 0 frees). */
typedef void *(*weft_realloc_fn)(void *user, void *ptr, size_t old_size,
                                 size_t new_size);

/* Public configuration structs start with `size`, the sizeof the caller
** compiled against, which the *_default function sets. The library reads
** only that many bytes, so fields added at the end in later versions take
** their defaults for older callers; a size of 0 or smaller than the first
** version's is refused (WEFT_ERR_ARG). */
typedef struct weft_config {
  uint32_t size;             /* sizeof(weft_config); weft_config_default */
  uint64_t max_memory_bytes; /* per 32-bit linear memory; default and
                                most 4 GiB (memory64: max_memory64_bytes) */
  uint32_t max_table_elems;  /* per table; default 10,000,000 */
  uint32_t max_call_depth;   /* Wasm frames (allocated as they are used);
                                default 20,000 */
  uint32_t stack_bytes;      /* value stack; default 16 MiB */
  uint64_t max_module_bytes; /* default 1 GiB */
  uint32_t max_locals;       /* per function; default 50,000 */
  int guard_pages;           /* reserve 8 GiB + guard per 32-bit memory
                                (a memory64: its maximum) so AoT code
                                needs no bounds checks; default 1 where the
                                platform can reserve address space */
  weft_realloc_fn alloc;     /* NULL: the platform's allocator */
  void *alloc_user;
  int fuel_metering;           /* 1: code charges fuel per basic block (its
                                  Wasm instruction count, fixed at lowering,
                                  the same for the interpreter and AoT code)
                                  and traps "out of fuel"; default 0 */
  uint32_t native_stack_bytes; /* native stack Wasm calls may use below the
                                  embedder's call into weft; 0 (default):
                                  the calling thread's real stack less a
                                  64 KiB margin where the port knows it
                                  (posix), else 4 MiB. Deeper recursion
                                  traps "call stack exhausted" */
  int wasm_2_0;                /* 1: validate by WebAssembly 2.0's rules
                                  where 3.0 changed them (a constant
                                  expression reads imported globals only;
                                  a second memory is invalid, memory
                                  immediates are a zero byte, memarg
                                  offsets u32): the 2.0 spec suite's
                                  expectations; default 0: 3.0's rules */
  uint64_t max_memory64_bytes; /* per memory64 (i64 addresses); default
                                  16 GiB, at most 128 TiB; a
                                  max_memory_bytes below 4 GiB caps
                                  memory64s too. With guard_pages
                                  a memory64 reserves this much address
                                  space (or its declared maximum, if less)
                                  and commits pages as it grows, so unused
                                  space costs nothing; its accesses are
                                  always checked explicitly */
  /* Native stack and address space (P11: from configuration, not
  ** constants; 0 in any of them: its default). */
  uint32_t native_stack_margin;  /* kept free below the deepest checked
                                    frame, for AoT leaves, host functions,
                                    signal handlers; default 64 KiB */
  uint32_t native_stack_default; /* the budget when neither the port nor
                                    native_stack_bytes tells the stack;
                                    default 4 MiB */
  uint64_t guard_reserve_bytes;  /* address space reserved per memory with
                                    guard_pages; default and least
                                    8 GiB + 64 KiB (any u32 address + u32
                                    offset + access lands inside): a
                                    smaller value is refused */
} weft_config;

WEFT_API void weft_config_default(weft_config *out_config);

/* The engine is the store: instances, memories, tables, globals and host
** functions created through it live until weft_engine_free. Use one engine
** from one thread at a time; separate engines are independent. */
WEFT_API weft_status weft_engine_new(const weft_config *config,
                                     weft_engine **out_engine,
                                     weft_error *out_error);
WEFT_API void weft_engine_free(weft_engine *engine);

/* Fuel (with config.fuel_metering): what code of this engine may still
** consume. A block whose cost exceeds the rest traps before it runs, so
** the fuel left is exact and the same on every engine and ISA. Bulk
** operations and grows also pay for their length (rates: weft_aot.h,
** WEFT_FUEL_BULK_*), after their bounds check and before any effect. */
WEFT_API void weft_engine_set_fuel(weft_engine *engine, uint64_t fuel);
WEFT_API uint64_t weft_engine_fuel(const weft_engine *engine);

/* Called when a block or a bulk operation costs more fuel than is left,
** before trapping; asked again until enough is there (a long operation may
** take many slices, each a chance to stop). Also asked between the 16 MiB
** pieces of a long memory.fill/copy/init already paid for: there only
** WEFT_TRAP_INTERRUPTED counts (the operation is left partly done). The
** hook may add fuel (weft_engine_set_fuel) and return WEFT_TRAP_NONE to go
** on, or return the trap to raise: WEFT_TRAP_OUT_OF_FUEL, or
** WEFT_TRAP_INTERRUPTED to stop the program for a reason of its own. Handing
** out fuel in slices through a hook gives periodic control back to the
** embedder (a wall-clock deadline, say) at no cost beyond metering, and the
** fuel consumed stays exact. Runs on the thread running the code, in the
** middle of it: it may read and set the fuel, and must not otherwise call
** into the engine. */
typedef weft_trap (*weft_fuel_hook)(void *user, weft_engine *engine);
WEFT_API void weft_engine_set_fuel_hook(weft_engine *engine,
                                        weft_fuel_hook hook, void *user);

/* ---- modules --------------------------------------------------------- */

/* Decode, validate and lower. `bytes` is copied; the caller keeps it.
**
** A loaded module is immutable and belongs to no engine: it may be
** instantiated in any engine whose fuel_metering setting is the loading
** engine's (weft_module_check_engine), on any thread, by many threads at
** once, and it may outlive the engine that loaded it. `engine` gives the
** limits and validation profile it is loaded under and the allocator it
** lives in (that allocator and its user pointer must stay usable until the
** module's last reference is dropped). Its references are counted
** atomically: the caller holds one, weft_module_ref takes another (for
** another thread, say), every instance holds one; weft_module_free drops
** one. weft_module_attach_aot is the one change after load: do it before
** the module is shared. */
WEFT_API weft_status weft_module_load(weft_engine *engine, const uint8_t *bytes,
                                      size_t size, weft_module **out_module,
                                      weft_error *out_error);
/* For a module whose compiled code the caller holds, whole or in part:
** decode and validate the module's structure, but neither validate nor
** lower the function bodies at load. The caller vouches that these exact
** bytes passed weft_module_load in this weft build (an artifact records
** the module hash and the build). Code attached with
** weft_module_attach_aot before instantiation runs; a function no code
** covers is lowered for the interpreter on its first call, on the calling
** thread and through the loading engine's allocator (which must then be
** safe to call from every thread the module is used on). Should that
** lowering fail, the call fails: WEFT_ERR_NOMEM, or the body's
** validation error if the bytes were not what the caller vouched for.
** Skips the lowering of every body at load, a third of loading a large
** artifact and most of starting a large module only some of whose
** functions run. */
WEFT_API weft_status weft_module_load_precompiled(weft_engine *engine,
                                                  const uint8_t *bytes,
                                                  size_t size,
                                                  weft_module **out_module,
                                                  weft_error *out_error);
/* Drop the caller's reference; instances keep their own. */
WEFT_API void weft_module_free(weft_module *module);
/* Take another reference to `module` (atomic, any thread); returns it. */
WEFT_API weft_module *weft_module_ref(weft_module *module);
/* WEFT_OK when `engine` may instantiate `module` (same fuel_metering as
** the engine that loaded it); else WEFT_ERR_ARG saying what differs. */
WEFT_API weft_status weft_module_check_engine(const weft_module *module,
                                              const weft_engine *engine,
                                              weft_error *out_error);
/* The bytes the module was loaded from (its own copy, alive as long as the
** module): what sealing and signatures measure. */
WEFT_API const uint8_t *weft_module_bytes(const weft_module *module,
                                          size_t *out_size);

typedef struct weft_import_info {
  const char *module; /* NUL-terminated copies, owned by the module */
  const char *name;
  weft_extern_kind kind;
} weft_import_info;

typedef struct weft_export_info {
  const char *name;
  weft_extern_kind kind;
  uint32_t index; /* in the module's index space of that kind */
} weft_export_info;

WEFT_API uint32_t weft_module_import_count(const weft_module *module);
WEFT_API void weft_module_import(const weft_module *module, uint32_t i,
                                 weft_import_info *out_info);
WEFT_API uint32_t weft_module_export_count(const weft_module *module);
WEFT_API void weft_module_export(const weft_module *module, uint32_t i,
                                 weft_export_info *out_info);

/* The full type of an import or an export, as the module declares it
** (an export's type is that of the entity it names). */
typedef struct weft_extern_type {
  weft_extern_kind kind;
  uint32_t func_type; /* FUNC: type index, for weft_module_func_type */
  weft_valtype value; /* GLOBAL: its type; TABLE: the element type */
  int mutable_;       /* GLOBAL: 1 when mutable */
  uint64_t min;       /* TABLE: elements, MEMORY: pages */
  uint64_t max;       /* the same; UINT64_MAX when the type has no max */
} weft_extern_type;

/* Type of import i (< weft_module_import_count) or export i. */
WEFT_API void weft_module_import_type(const weft_module *module, uint32_t i,
                                      weft_extern_type *out_type);
WEFT_API void weft_module_export_type(const weft_module *module, uint32_t i,
                                      weft_extern_type *out_type);
/* Function type `type_index` of the module: params then results, owned by
** the engine (alive as long as it is), like weft_func_type's. Returns
** WEFT_ERR_ARG for an index out of range. */
WEFT_API weft_status weft_module_func_type(const weft_module *module,
                                           uint32_t type_index,
                                           const weft_valtype **out_params,
                                           uint32_t *out_param_count,
                                           const weft_valtype **out_results,
                                           uint32_t *out_result_count);
/* Byte offset in the module of the body of function `func_index` (its
** first byte after the body's size: the locals), so a trace's offsets can
** be made relative to their function; UINT64_MAX for an imported function
** or an index out of range. */
WEFT_API uint64_t weft_module_func_offset(const weft_module *module,
                                          uint32_t func_index);

/* Sizes and counts for `weft inspect`. */
typedef struct weft_module_stats {
  uint32_t types, imports, funcs, tables, memories, globals, exports;
  uint32_t elems, datas;
  int has_start;
  uint32_t start;
  uint64_t code_bytes;    /* bytes of all function bodies */
  uint64_t data_bytes;    /* bytes of all data segments */
  uint64_t lowered_bytes; /* internal code produced by lowering */
} weft_module_stats;
WEFT_API void weft_module_stats_get(const weft_module *module,
                                    weft_module_stats *out_stats);

/* Section list in file order, for `weft inspect`. */
typedef struct weft_section_info {
  uint8_t id;       /* 0 = custom */
  const char *name; /* custom section name or the standard name */
  uint64_t offset;  /* of the section's contents */
  uint64_t size;
} weft_section_info;
/* Name of function `func_index` from the name section, or NULL. */
WEFT_API const char *weft_module_func_name(const weft_module *module,
                                           uint32_t func_index);

WEFT_API uint32_t weft_module_section_count(const weft_module *module);
WEFT_API void weft_module_section(const weft_module *module, uint32_t i,
                                  weft_section_info *out_info);

/* ---- functions, types ------------------------------------------------ */

/* The type of a function: params then results, both owned by the engine. */
WEFT_API void weft_func_type(const weft_func *func,
                             const weft_valtype **out_params,
                             uint32_t *out_param_count,
                             const weft_valtype **out_results,
                             uint32_t *out_result_count);

/* Call a function. Argument types must match exactly (WEFT_ERR_ARG). */
WEFT_API weft_status weft_func_call(weft_engine *engine, weft_func *func,
                                    const weft_val *args, uint32_t arg_count,
                                    weft_val *out_results,
                                    uint32_t result_count,
                                    weft_error *out_error);

/* A host function reads its arguments from slots[0..params) and writes its
** results to slots[0..results). Returning non-OK propagates out of the
** running Wasm code; use weft_host_trap to attach a message. */
typedef weft_status (*weft_host_fn)(weft_host_ctx *ctx, void *user,
                                    weft_slot *slots);

WEFT_API weft_status weft_func_new_host(
    weft_engine *engine, const weft_valtype *params, uint32_t param_count,
    const weft_valtype *results, uint32_t result_count, weft_host_fn fn,
    void *user, weft_func **out_func, weft_error *out_error);

/* Memory 0 of the instance that called the host function (NULL if none). */
WEFT_API weft_memory *weft_host_memory(weft_host_ctx *ctx);
WEFT_API weft_instance *weft_host_instance(weft_host_ctx *ctx);
WEFT_API weft_engine *weft_host_engine(weft_host_ctx *ctx);
/* Record a trap with a message; the host function returns what this does. */
WEFT_API weft_status weft_host_trap(weft_host_ctx *ctx, const char *message);
/* Ask the program to end with an exit code (WASI proc_exit). */
WEFT_API weft_status weft_host_exit(weft_host_ctx *ctx, int32_t code);
/* Charge `fuel` for work a host function did on the program's behalf
** (WASI path resolution, say), when the engine meters fuel; nothing
** otherwise. Like a block of code, it asks the fuel hook when less is
** left, and if the hook cannot cover it charges nothing and returns the
** trap (out of fuel, or interrupted), which the host function returns.
** Host calls are shared by the interpreter and AoT code, so both are
** charged the same. */
WEFT_API weft_status weft_host_charge_fuel(weft_host_ctx *ctx, uint64_t fuel);

/* ---- memories, tables, globals --------------------------------------- */

WEFT_API weft_status weft_memory_new(weft_engine *engine, uint32_t min_pages,
                                     uint32_t max_pages /* UINT32_MAX: none */,
                                     weft_memory **out_memory,
                                     weft_error *out_error);
WEFT_API uint8_t *weft_memory_data(const weft_memory *memory);
WEFT_API uint64_t weft_memory_size(const weft_memory *memory); /* bytes */
/* Grow by delta pages; returns the old size in pages or -1. */
WEFT_API int64_t weft_memory_grow(weft_memory *memory, uint32_t delta_pages);
/* Whether a grow of this memory failed only because of the engine's
** max_memory_bytes (the module's own maximum would have allowed it), so
** an embedder can say why a program ran out of memory. */
WEFT_API int weft_memory_limit_refused(const weft_memory *memory);

WEFT_API weft_status weft_table_new(weft_engine *engine, weft_valtype elem_type,
                                    uint32_t min,
                                    uint32_t max /* UINT32_MAX: none */,
                                    void *init, weft_table **out_table,
                                    weft_error *out_error);
/* ---- memory64, table64, multi-memory ---- */
/* A memory with i64 addresses (memory64), or a table with i64 indices
** (table64), as weft_memory_new/weft_table_new otherwise; only modules
** that import a 64-bit memory (table) link against it. */
WEFT_API weft_status
weft_memory_new64(weft_engine *engine, uint32_t min_pages,
                  uint32_t max_pages /* UINT32_MAX: none */,
                  weft_memory **out_memory, weft_error *out_error);
WEFT_API weft_status weft_table_new64(weft_engine *engine,
                                      weft_valtype elem_type, uint32_t min,
                                      uint32_t max /* UINT32_MAX: none */,
                                      void *init, weft_table **out_table,
                                      weft_error *out_error);
WEFT_API int weft_memory_is64(const weft_memory *memory);
WEFT_API int weft_table_is64(const weft_table *table);
/* Memory `index` of the calling instance (multi-memory), or NULL past its
** last; weft_host_memory is index 0 (the one WASI uses). */
WEFT_API weft_memory *weft_host_memory_at(weft_host_ctx *ctx, uint32_t index);

/* The maximum the memory's type declares, in pages; UINT32_MAX for none
** (the engine's max_memory_bytes may stop a grow earlier). */
WEFT_API uint32_t weft_memory_max_pages(const weft_memory *memory);

WEFT_API uint32_t weft_table_size(const weft_table *table);
WEFT_API weft_valtype weft_table_elem_type(const weft_table *table);
/* The maximum the table's type declares; UINT32_MAX for none. */
WEFT_API uint32_t weft_table_max(const weft_table *table);
/* Element `index`: a weft_func * (funcref) or the embedder's pointer
** (externref); NULL is the null reference. WEFT_ERR_ARG past the end. */
WEFT_API weft_status weft_table_get(const weft_table *table, uint32_t index,
                                    void **out_ref, weft_error *out_error);
/* Store a reference at `index`. For a funcref table `ref` must be NULL or
** a weft_func of the table's engine (else WEFT_ERR_ARG, nothing stored);
** an externref is any pointer, never dereferenced. WEFT_ERR_ARG past the
** end. */
WEFT_API weft_status weft_table_set(weft_table *table, uint32_t index,
                                    void *ref, weft_error *out_error);
/* Grow by `delta` elements set to `init` (same rule as weft_table_set);
** returns the old size, or -1 when the declared maximum, the engine's
** max_table_elems or memory refuses it (the table is then unchanged). */
WEFT_API int64_t weft_table_grow(weft_table *table, uint32_t delta, void *init);

WEFT_API weft_status weft_global_new(weft_engine *engine, weft_val value,
                                     int mutable_, weft_global **out_global,
                                     weft_error *out_error);
WEFT_API weft_val weft_global_get(const weft_global *global);
WEFT_API int weft_global_mutable(const weft_global *global);
/* Set a mutable global. WEFT_ERR_ARG when it is immutable, when the value's
** type is not the global's, or for a funcref that is not NULL or a
** weft_func of the global's engine; the global is then unchanged. */
WEFT_API weft_status weft_global_set(weft_global *global, weft_val value,
                                     weft_error *out_error);

/* ---- linking and instances ------------------------------------------- */

WEFT_API weft_status weft_linker_new(weft_engine *engine,
                                     weft_linker **out_linker,
                                     weft_error *out_error);
WEFT_API void weft_linker_free(weft_linker *linker);
/* Later definitions of the same module/name replace earlier ones. */
WEFT_API weft_status weft_linker_define(weft_linker *linker, const char *module,
                                        const char *name, weft_extern ext,
                                        weft_error *out_error);
/* Make every export of `instance` importable as module.<export name>. */
WEFT_API weft_status weft_linker_define_instance(weft_linker *linker,
                                                 const char *module,
                                                 weft_instance *instance,
                                                 weft_error *out_error);

/* Instantiate `module` in the linker's engine (with a NULL linker, in the
** engine that loaded the module, which must then still be alive); every
** import must be defined in that engine (WEFT_ERR_LINK otherwise), and
** the engine must pass weft_module_check_engine (WEFT_ERR_ARG).
** Resolve imports, allocate, initialise segments, run the start function.
** On a trap during initialisation *out_instance is NULL and the status is
** WEFT_ERR_TRAP, but effects already made on imported objects remain, as
** the spec requires. */
WEFT_API weft_status weft_instantiate(weft_linker *linker, weft_module *module,
                                      weft_instance **out_instance,
                                      weft_error *out_error);

/* Look up an export by name; WEFT_ERR_ARG when absent. */
WEFT_API weft_status weft_instance_export(const weft_instance *instance,
                                          const char *name,
                                          weft_extern *out_extern);
/* The same for names that may contain NUL bytes (Wasm names are UTF-8). */
WEFT_API weft_status weft_instance_export_n(const weft_instance *instance,
                                            const char *name, size_t name_len,
                                            weft_extern *out_extern);
WEFT_API const weft_module *weft_instance_module(const weft_instance *instance);
/* Start counting, in this instance, how hot each function runs in the
** interpreter: its interpreted calls plus its loop back-edges taken
** (compiled functions do not count). Off by default, so an instance that
** does not profile does not pay for it; calls made before this one (the
** start function) are not counted. WEFT_ERR_NOMEM when the counters
** cannot be allocated. The tiering profile of `weft run --aot`
** (docs/ARCHITECTURE.md). */
WEFT_API weft_status weft_instance_count_hits(weft_instance *instance,
                                              weft_error *out_error);
/* How hot defined function `def` (0 = the first defined one) ran since
** weft_instance_count_hits. Deterministic for a given run; 0 for an index
** out of range or when the instance does not count. */
WEFT_API uint64_t weft_instance_func_hits(const weft_instance *instance,
                                          uint32_t def);

/* ---- ahead-of-time compilation (C generation) ------------------------ */

typedef struct weft_aot_options {
  int explicit_bounds_checks; /* 0: rely on guard pages (64-bit hosts) */
  uint32_t chunk;             /* emit the functions of this chunk... */
  uint32_t nchunks;           /* ...of this many (0 or 1: everything) */
  uint8_t module_sha256[32];  /* recorded in the generated module table */
  /* Several modules in one shared object (weft_aot_build_so_batch in
  ** weft_aot_build.h). With `batched` every file-level name carries
  ** batch_index, so entries can share a translation unit, and the table
  ** is exported as WEFT_AOT_SYMBOL "_N" (N: batch_index, in decimal);
  ** the prelude is left out when `prelude_done` says an earlier entry of
  ** the unit wrote it. A batch entry is one chunk (nchunks 0 or 1). */
  int batched;
  uint32_t batch_index;
  int prelude_done;
  /* A piece of the module (tiered execution): bit i of only[i / 8] set
  ** emits defined function i; the others are left out of this object and
  ** reached through the runtime (their table entries are NULL). NULL:
  ** every function. Modules with tail calls or exceptions are emitted
  ** whole only (WEFT_ERR_UNSUPPORTED). */
  const uint8_t *only;
} weft_aot_options;

/* Receives generated text in pieces, in order. */
typedef void (*weft_c_sink)(void *user, const char *data, size_t size);

/* Translate a loaded module to C (see weft_aot.h for the ABI). With chunks,
** each chunk is a separate translation unit of one shared object; chunk 0
** also holds the module table. Deterministic: same module, same text. */
WEFT_API weft_status weft_module_emit_c(const weft_module *module,
                                        const weft_aot_options *options,
                                        weft_c_sink write, void *user,
                                        weft_error *out_error);

/* Attach compiled code to a loaded module: `code` is the weft_aot_module
** exported (as WEFT_AOT_SYMBOL) by a shared object built from this
** module's generated C. Instances made afterwards run it. The caller has
** checked the artifact (target, module hash) and keeps the code loaded
** while the module lives. */
WEFT_API weft_status weft_module_attach_aot(weft_module *module,
                                            const void *code,
                                            weft_error *out_error);

/* ---- exception handling (3.0) ------------------------------------------ */

/* A new tag whose exceptions carry values of the given types (a tag's
** identity is the object: two tags with one type are different tags).
** Owned by the engine; import it with a weft_extern of kind TAG. */
WEFT_API weft_status weft_tag_new(weft_engine *engine,
                                  const weft_valtype *params, uint32_t nparams,
                                  weft_tag **out_tag, weft_error *out_error);
/* The tag's payload types; *out_n gets their number. Owned by the engine. */
WEFT_API const weft_valtype *weft_tag_params(const weft_tag *tag,
                                             uint32_t *out_n);
/* An exception's tag, payload count and payload value i (< count). */
WEFT_API weft_tag *weft_exn_tag(const weft_exn *exn);
WEFT_API uint32_t weft_exn_arg_count(const weft_exn *exn);
WEFT_API weft_val weft_exn_arg(const weft_exn *exn, uint32_t i);
/* From a host function: throw an exception of `tag` with `args` (types
** as the tag's, else WEFT_ERR_ARG) into the calling Wasm code, where a
** handler may catch it. Returns WEFT_ERR_EXCEPTION; the host function
** returns that status. */
WEFT_API weft_status weft_host_throw(weft_host_ctx *ctx, weft_tag *tag,
                                     const weft_val *args, uint32_t nargs);

#ifdef __cplusplus
}
#endif
#endif /* WEFT_H */
