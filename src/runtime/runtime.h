/*
** runtime.h — runtime objects behind the public handles: engine (the
** store), functions, memories, tables, globals, instances, and the
** execution context. Shared by runtime/ and interp/; the interpreter is
** reached only through struct wf_code and wf_interp_call.
*/
#ifndef WF_RUNTIME_H
#define WF_RUNTIME_H

#include "base.h"
#include "module.h"
#include "weft_aot.h"

#define WF_CONTAINER_OF(ptr, type, member)                                     \
  ((type *)((char *)(ptr)-offsetof(type, member)))

struct wf_code; /* lowered function body, owned by interp/ */

/* Engine-wide interned function types: equal signatures get equal ids,
** so call_indirect compares two integers. */
struct wf_sig {
  struct wf_functype type; /* types owned by the engine */
  weft_valtype *vtypes;    /* the same types for the public API */
  u32 hash;
};

/* Every runtime object is linked into the engine so weft_engine_free can
** release it (store semantics). */
struct wf_object {
  struct wf_object *next;
  void (*release)(weft_engine *engine, struct wf_object *obj);
};

/* One execution context per engine: value stack and call frames. */
struct wf_frame {
  const u32 *ip; /* return address in the caller's code */
  weft_slot *fp; /* caller's frame */
  const struct wf_code *code;
  weft_instance *inst;
};

struct wf_exec {
  void *aot_jmp;     /* jmp_buf of the innermost AoT entry, or NULL */
  char *stack_floor; /* native stack below which Wasm entries trap: set at
                        the outermost entry (call.c), for the thread then
                        running; AoT code gets it as stack_limit */
  u32 entries;       /* nested wf_call activations on the native stack */
  weft_slot *stack;  /* value stack: frames' slots, contiguous */
  weft_slot *stack_end;
  weft_slot *top; /* first free slot for a new entry from the host */
  struct wf_frame *frames;
  u32 frames_cap; /* frames allocated; grown on demand up to max_depth */
  u32 depth;      /* frames in use */
  i64 fuel;       /* fuel left (config.fuel_metering); AoT code reads it too */
  u32 max_depth;
  weft_error *err; /* where traps of the current call are reported */
  /* Snapshots (interp/snapshot.c). While the engine stands at a safe
  ** point, `at` is the innermost interpreted frame, its ip on the FUEL op
  ** being paid (WF_SAFE_FUEL: the fuel hook runs) or on the call of a
  ** host function (WF_SAFE_HOST: the host function runs). */
  u8 safe;
  struct wf_frame at;
  const struct wf_frame *resume; /* the next run() continues this frame
                                    over frames[0..depth) (a restore) */
  weft_exn *exn; /* the exception of the last WEFT_ERR_EXCEPTION: a caller
                    that gets that status rethrows it (exn.c) */
};

enum { WF_SAFE_NONE, WF_SAFE_FUEL, WF_SAFE_HOST };

struct weft_engine {
  weft_config config;
  struct wf_alloc alloc;
  struct wf_object *objects; /* instances, memories, tables, globals, funcs */
  struct wf_sig *sigs;       /* interned function types */
  u32 nsigs, sigs_cap;
  u32 *sig_index; /* open-addressing hash: sig id + 1, 0 = empty */
  u32 sig_index_cap;
  struct wf_exec exec;
  bool exec_ready;
  weft_fuel_hook fuel_hook; /* asked before an out-of-fuel trap, or NULL */
  void *fuel_hook_user;
  u32 *dispatch; /* interpreter encoding of each internal op, or NULL */
  /* A restored activation waiting for weft_snapshot_resume: its entry
  ** function (NULL: none) and innermost frame. */
  weft_func *snap_entry;
  struct wf_frame snap_at;
  weft_memory *reserved_memories; /* memories with guard reservations */
  weft_exn *exns;                 /* every live exception (exn.c) */
  u32 nexns;                      /* their number */
  u32 aot_serials; /* AoT instances made: their serials (call keys) */
};

/* Objects start with the prefix AoT code reads (weft_aot.h); anonymous
** members give the runtime the same fields by name. */
struct weft_func {
  union {
    weft_aot_func view;
    struct {
      u32 sig; /* interned type id (engine->sigs may move) */
      u64 aot_call_key;
      void *aot_typed_fn;
      weft_aot_ctx *aot_ctx;
    };
  };
  struct wf_object obj;
  weft_engine *engine;
  weft_aot_slot_fn aot_slot_fn; /* AoT code, or NULL */
  weft_instance *inst;          /* defining instance; NULL for host funcs */
  const struct wf_code *code;   /* lowered body; NULL for host funcs and
                                   until lowered (wf_func_lower) */
  u32 funcidx;                  /* index in the defining module */
  weft_host_fn host;
  void *host_user;
};

struct weft_memory {
  union {
    weft_aot_memory view;
    struct {
      u8 *data;
      u64 size; /* bytes = pages * 64 KiB */
    };
  };
  struct wf_object obj;
  weft_engine *engine;
  u32 pages;     /* a memory64's too: at most 2^31 (WF_MAX_MEMORY64_BYTES) */
  u32 max_pages; /* effective limit: declared max capped by config */
  bool has_max;  /* declared max (for import matching) */
  u64 decl_max;
  bool is64;          /* memory64: i64 addresses (import matching, snapshots) */
  bool limit_refused; /* a grow failed on the engine's max_memory_bytes */
  u64 reserved;       /* bytes of address space reserved (guard pages), or 0 */
  weft_memory *next_reserved; /* the engine's list of reservations */
};

/* Address space reserved per 32-bit memory in guard-page mode: every
** address (u32) + offset (u32) + access width (up to 16) lands inside it.
** A memory64 reserves its effective maximum instead (objects.c). */
#define WF_GUARD_RESERVE ((u64)8 << 30 | (u64)WF_PAGE_SIZE)

/* memory64 limits: the default of weft_config.max_memory64_bytes, and the
** most it may be (2^31 pages: page counts stay u32, and 128 TiB is all the
** user address space of x86-64 and aarch64 with 4-level tables). */
#define WF_DEFAULT_MEMORY64_BYTES ((u64)16 << 30)
#define WF_MAX_MEMORY64_BYTES ((u64)1 << 47)

struct weft_table {
  union {
    weft_aot_table view;
    struct {
      void **elems;
      u32 size;
    };
  };
  struct wf_object obj;
  weft_engine *engine;
  u32 cap;      /* allocated entries */
  u32 max;      /* effective limit */
  bool has_max; /* declared max (for import matching) */
  u64 decl_max;
  u8 elemtype;
  u32 ref_type; /* typed function references: the type in full with a
                   type index as engine signature id + 1 (import
                   matching); 0: elemtype's plain type */
  bool is64;    /* table64: i64 indices (import matching) */
};

struct weft_global {
  union {
    weft_aot_global view;
    weft_slot val;
  };
  struct wf_object obj;
  weft_engine *engine; /* for weft_global_set's funcref check */
  u8 type;
  bool mutable_;
  u32 ref_type; /* as weft_table's (typed function references) */
};

/* ---- exception handling (3.0): tags and exceptions (exn.c) ---------- */

/* A tag instance: its identity is its address; its type an interned
** function type with no results. */
struct weft_tag {
  struct wf_object obj;
  weft_engine *engine;
  u32 sig;
};

/* A thrown exception: what an exnref points to. Owned by the engine (a
** list, freed with it); one caught by a handler that takes no reference
** and never seen by Wasm as an exnref or by the embedder is freed at
** once (`escaped` false). */
struct weft_exn {
  struct weft_exn *next, *prev;
  weft_tag *tag;
  u32 n;
  bool escaped; /* an exnref to it exists, or the embedder was given it */
  weft_slot vals[];
};

/* A new exception of `tag`, payload copied from `args`; NULL when out of
** memory. */
WF_INTERNAL weft_exn *wf_exn_new(weft_engine *e, weft_tag *tag,
                                 const weft_slot *args);
/* Free an exception that never escaped (no-op otherwise). */
WF_INTERNAL void wf_exn_drop(weft_engine *e, weft_exn *x);
/* Release every exception (weft_engine_free). */
WF_INTERNAL void wf_exn_free_all(weft_engine *e);
WF_INTERNAL weft_status wf_tag_create(weft_engine *e, u32 sig, weft_tag **out,
                                      weft_error *err);
/* Report `x` uncaught to the caller: WEFT_ERR_EXCEPTION with err->exn. */
WF_INTERNAL weft_status wf_exn_uncaught(weft_error *err, weft_exn *x);

/* ---- end of exception handling -------------------------------------- */

/* A passive or active element segment as resolved in an instance. */
struct wf_elem_inst {
  void **refs; /* NULL after elem.drop */
  u32 len;
};

/* instance.c: the memory view of an instance without memory (empty). */
WF_INTERNAL extern const weft_aot_memory wf_no_memory;

struct weft_instance {
  struct wf_object obj;
  weft_aot_ctx *aot; /* AoT context, or NULL for interpreted modules */
  weft_engine *engine;
  weft_module *module;
  weft_func **funcs; /* whole function index space */
  weft_table **tables;
  weft_memory **memories;
  weft_global **globals;
  weft_tag **tags;   /* whole tag index space (exception handling) */
  weft_memory *mem0; /* memories[0] or NULL: the interpreter's cache */
  /* &mem0->view, or wf_no_memory's when there is none: the interpreter
  ** reloads its memory after every call and return without a test. */
  const weft_aot_memory *mem0_view;
  struct wf_elem_inst *elems;
  u32 *data_len;  /* data segment lengths; 0 after data.drop */
  u32 *type_sigs; /* module type index -> engine sig id (the instance's
                     own: modules are engine-independent) */
  u64 *hits;      /* per function (whole index space): interpreted calls
                     and loop back-edges; NULL unless counted
                     (weft_instance_count_hits) */
  /* Calls within the module go through the callee's weft_func: it may
  ** have compiled code (`aot`), or its body may not be lowered yet (the
  ** module's are lowered on first need), or the instance counts entries
  ** (`hits`, which only that path counts). One test on the interpreter's
  ** CALL_INTERNAL, where an eagerly lowered, interpreted module's callee
  ** is entered directly. */
  bool calls_by_func;
  /* module->codes, for CALL_INTERNAL: one load fewer per call. */
  struct wf_code **codes;
};

/* A loaded module: immutable once loaded (and once its compiled code is
** attached), engine-independent, so one module may be instantiated in
** many engines on many threads at once. Nothing in it names an engine:
** function types are module-local (an instance interns them into its own
** engine's table, weft_instance.type_sigs), lowered code names frame
** slots and type indices only, and the dispatch encoding it was lowered
** with is the same in every engine of the process. An engine may
** instantiate it when its fuel setting is the one the code was lowered
** for (wf_module_compatible). The reference count is atomic: instances in
** any engine and the embedder each hold one; the last drop frees it with
** the allocator copied from the loading engine. */
struct weft_module {
  u32 refs;              /* atomic (__atomic builtins) */
  weft_engine *home;     /* the loading engine: weft_instantiate's engine
                            when no linker names one; never dereferenced
                            otherwise (it may be gone) */
  struct wf_alloc alloc; /* the loading engine's allocator; its counters
                            are touched at load and free, and atomically
                            by wf_module_lower */
  struct wf_module m;
  weft_valtype **vtypes; /* per type index: params then results */
  /* Per defined function: its lowered body, NULL until first needed when
  ** the module was loaded precompiled. Each entry is written once, by
  ** wf_module_lower (atomic compare-and-swap); read with wf_module_code. */
  struct wf_code **codes;
  size_t lowered_bytes;       /* atomic: the bodies lowered so far */
  const weft_aot_module *aot; /* attached compiled code, or NULL */
  /* With pieces (tables that compile only some functions, attached one
  ** by one): each defined function's code from the first piece that has
  ** it, NULL where none does; NULL arrays when `aot` is whole. */
  weft_aot_slot_fn *aot_slot_fns;
  void **aot_typed_fns;
  bool lazy;          /* bodies lowered on first need (precompiled) */
  bool fuel_metering; /* lowered with FUEL ops */
  bool dispatched;    /* ops are dispatch offsets (not numbers) */
};

/* Defined function `defidx`'s lowered body, or NULL when it has not been
** lowered yet (wf_module_lower). The acquire pairs with the publishing
** compare-and-swap: a body seen is a body complete. */
static inline const struct wf_code *wf_module_code(const weft_module *mod,
                                                   u32 defidx) {
  return __atomic_load_n(&mod->codes[defidx], __ATOMIC_ACQUIRE);
}
/* The same through an instance of the module (its cached codes array). */
static inline const struct wf_code *wf_inst_code(const weft_instance *inst,
                                                 u32 defidx) {
  return __atomic_load_n(&inst->codes[defidx], __ATOMIC_ACQUIRE);
}
/* module.c: defined function `defidx`'s lowered body, lowered now if
** this is its first need, with `e`'s dispatch encoding (the same in every
** engine that may run the module). Any thread, at any time: each thread
** that finds no body lowers its own, the first to publish wins and the
** others free theirs. The bodies were validated at load or vouched for
** (weft_module_load_precompiled), so the one failure is running out of
** memory: NULL, with `err` set (WEFT_ERR_NOMEM; the body's validation
** error if vouched-for bytes were not valid after all). Returns the
** body rather than filling an out-parameter so that the interpreter's
** hot variables never have their address taken. */
WF_INTERNAL const struct wf_code *wf_module_lower(weft_module *mod,
                                                  const weft_engine *e,
                                                  u32 defidx, weft_error *err);
/* module.c: wf_module_lower for a function defined by an instance, the
** body kept in f->code (a func is used by one thread at a time, as its
** engine is). */
WF_INTERNAL const struct wf_code *wf_func_lower(weft_func *f, weft_error *err);
/* module.c: take a reference (atomic). */
WF_INTERNAL void wf_module_ref(weft_module *mod);
/* module.c: whether engine `e` may instantiate `mod`; WEFT_OK, or
** WEFT_ERR_ARG naming the setting that differs. */
WF_INTERNAL weft_status wf_module_compatible(const weft_module *mod,
                                             const weft_engine *e,
                                             weft_error *err);

struct weft_host_ctx {
  weft_engine *engine;
  weft_instance *inst; /* caller's instance, NULL when called from the API */
  weft_error *err;
};

struct weft_linker {
  weft_engine *engine;
  struct wf_linker_entry *entries;
  u32 count, cap;
};

/* engine.c */
/* Before an out-of-fuel trap: ask the fuel hook until `need` fuel is left;
** WEFT_TRAP_NONE then, else the trap to raise. */
WF_INTERNAL weft_trap wf_engine_refuel(weft_engine *e, i64 need);
/* Between pieces of a long bulk operation already paid for: let the fuel
** hook stop the program. WEFT_TRAP_INTERRUPTED or NONE (fuel the hook
** adds stays in the tank; the fuel used does not change). */
WF_INTERNAL weft_trap wf_engine_poll(weft_engine *e);
WF_INTERNAL weft_status wf_engine_intern_sig(weft_engine *e,
                                             const struct wf_functype *t,
                                             u32 *out_sig);
WF_INTERNAL void wf_engine_track(weft_engine *e, struct wf_object *obj,
                                 void (*release)(weft_engine *,
                                                 struct wf_object *));
WF_INTERNAL weft_status wf_engine_exec(weft_engine *e, struct wf_exec **out,
                                       weft_error *err);
/* Room for one more frame (depth == frames_cap): doubles the frame array,
** at most to max_depth frames. false at the limit or when the allocator
** fails; the caller traps "call stack exhausted" either way. */
WF_INTERNAL bool wf_exec_grow_frames(struct wf_exec *ex);

/* objects.c */
WF_INTERNAL weft_status wf_memory_create(weft_engine *e, u64 min, u64 max,
                                         bool has_max, bool is64,
                                         weft_memory **out, weft_error *err);
/* Returns old page count or -1. */
WF_INTERNAL i64 wf_memory_grow(weft_memory *mem, u32 delta);
WF_INTERNAL weft_status wf_table_create(weft_engine *e, u8 elemtype, u32 min,
                                        u32 max, bool has_max, void *init,
                                        weft_table **out, weft_error *err);
WF_INTERNAL i64 wf_table_grow(weft_engine *e, weft_table *t, u32 delta,
                              void *init);
WF_INTERNAL weft_status wf_global_create(weft_engine *e, u8 type, bool mutable_,
                                         weft_slot val, weft_global **out,
                                         weft_error *err);
/* A function instance of a module's defined function or a host function. */
WF_INTERNAL weft_status wf_func_create(weft_engine *e, u32 sig, weft_func **out,
                                       weft_error *err);

/* bulk.c: bulk memory/table operations and grows for both engines, each
** paying its length in fuel (weft_aot.h) after the bounds check and before
** any effect. WEFT_TRAP_NONE, or the trap to raise. Grows store the old
** size or -1 in *out. */
/* Take `fuel` from the engine (when metering), asking the fuel hook. */
WF_INTERNAL weft_trap wf_fuel_charge(weft_engine *e, u64 fuel);
WF_INTERNAL weft_trap wf_bulk_memory_fill(weft_instance *inst, u32 d, u8 v,
                                          u32 n);
WF_INTERNAL weft_trap wf_bulk_memory_copy(weft_instance *inst, u32 d, u32 s,
                                          u32 n);
WF_INTERNAL weft_trap wf_bulk_memory_init(weft_instance *inst, u32 seg, u32 d,
                                          u32 s, u32 n);
WF_INTERNAL weft_trap wf_bulk_memory_grow(weft_instance *inst, u32 delta,
                                          i32 *out);
/* multi-memory, memory64: the same on memory `memidx`, 64-bit operands. */
WF_INTERNAL weft_trap wf_bulk_memx_fill(weft_instance *inst, u32 memidx, u64 d,
                                        u8 v, u64 n);
WF_INTERNAL weft_trap wf_bulk_memx_copy(weft_instance *inst, u32 dmem, u32 smem,
                                        u64 d, u64 s, u64 n);
WF_INTERNAL weft_trap wf_bulk_memx_init(weft_instance *inst, u32 memidx,
                                        u32 seg, u64 d, u32 s, u32 n);
WF_INTERNAL weft_trap wf_bulk_memx_grow(weft_instance *inst, u32 memidx,
                                        u64 delta, i64 *out);
WF_INTERNAL weft_trap wf_bulk_table_grow(weft_instance *inst, u32 table,
                                         void *init, u32 n, i32 *out);
WF_INTERNAL weft_trap wf_bulk_table_fill(weft_instance *inst, u32 table, u32 i,
                                         void *v, u32 n);
WF_INTERNAL weft_trap wf_bulk_table_copy(weft_instance *inst, u32 dst, u32 src,
                                         u32 d, u32 s, u32 n);
WF_INTERNAL weft_trap wf_bulk_table_init(weft_instance *inst, u32 table,
                                         u32 seg, u32 d, u32 s, u32 n);

/* instance.c: weft_instantiate in engine `e` (the linker's, when there is
** one), whose start function runs only when asked (a restored snapshot
** has run it already). */
WF_INTERNAL weft_status wf_instantiate(weft_engine *e, weft_linker *l,
                                       weft_module *mod, bool run_start,
                                       weft_instance **out, weft_error *err);

/* module.c: drop one reference (instances hold one each). */
WF_INTERNAL void wf_module_unref(weft_module *mod);

/* call.c: call a function instance with args already in slots. */
/* A public value into a slot, unused bytes zeroed. */
WF_INTERNAL void wf_val_to_slot(const weft_val *v, weft_slot *s);
/* A slot holding a value of type `t` as a public value. */
WF_INTERNAL void wf_slot_to_val(weft_valtype t, const weft_slot *s,
                                weft_val *v);

WF_INTERNAL weft_status wf_call(weft_engine *e, weft_func *f, weft_slot *slots,
                                weft_error *err);
/* Continue a restored activation (wf_interp_resume) as an entry from the
** host, as wf_call enters one. */
WF_INTERNAL weft_status wf_call_resumed(weft_engine *e,
                                        const struct wf_frame *at,
                                        weft_error *err);

/* Execution backend (interp/). Validate the body of defined function
** `defidx` and lower it; `dispatch` maps internal ops to the interpreter's
** encoding (NULL: plain op numbers). Errors: WEFT_ERR_INVALID, _MALFORMED
** or _UNSUPPORTED with "... in func N at offset 0x..". */
WF_INTERNAL weft_status wf_lower_func(struct wf_alloc *a,
                                      const struct wf_module *m, u32 defidx,
                                      const u32 *dispatch, bool fuel,
                                      struct wf_code **out, weft_error *err);
WF_INTERNAL void wf_code_free(struct wf_alloc *a, struct wf_code *code);

/* What a snapshot needs to know of one position in a lowered body (with
** fuel metering, as snapshots run): the instruction there and which
** operand-stack slots hold live values, with their types. Positions are
** FUEL ops (a block's entry) and calls. */
struct wf_probe {
  u32 pc;         /* in: code index of the op; with is_return, of the end
                     of a call (its return address); out: the op's index */
  bool is_return; /* in */
  bool dispatch;  /* in: the engine has a dispatch table (its code has the
                     interpreter's fused ops, which move positions) */
  bool found;     /* out: a FUEL op or call is there */
  u32 op;         /* out: its enum wf_op */
  u32 len;        /* out: its code units (a call's return address is
                     pc + len) */
  u32 base;       /* out: operand height below a call's arguments (for a
                     FUEL op, the whole height) */
  u32 nlive;      /* out: live operands in their own slots, bottom first: */
  u32 *heights;   /*   their operand heights (slot = stack base + height) */
  u8 *types;      /*   their value types */
  u8 *unassigned; /* out: per local, 1 when it holds no value of the frame
                     there (lower.c's probe_finish_unassigned) */
  u32 nunassigned;
};
/* Lower body `defidx` again and fill `probe`; its arrays are the caller's
** to release with wf_probe_free (also when nothing was found). */
WF_INTERNAL weft_status wf_lower_probe(struct wf_alloc *a,
                                       const struct wf_module *m, u32 defidx,
                                       struct wf_probe *probe, weft_error *err);
WF_INTERNAL void wf_probe_free(struct wf_alloc *a, struct wf_probe *probe);
WF_INTERNAL u64 wf_code_bytes(const struct wf_code *code);
/* Number of internal ops (size of the dispatch table). */
WF_INTERNAL u32 wf_interp_op_count(void);
/* Fill out[wf_interp_op_count()]; false when dispatch uses op numbers. */
WF_INTERNAL bool wf_interp_dispatch_init(u32 *out);

/* call.c: call a host or AoT function from the interpreter or AoT code.
** `slots` lie in the value stack above every live frame. */
WF_INTERNAL weft_status wf_call_external(weft_engine *e, weft_instance *caller,
                                         weft_func *f, weft_slot *slots,
                                         weft_error *err);

/* aot.c: create the AoT context of an instance of a module with code. */
WF_INTERNAL weft_status wf_aot_instance_init(weft_engine *e,
                                             weft_instance *inst,
                                             weft_error *err);
WF_INTERNAL void wf_aot_instance_release(weft_engine *e, weft_instance *inst);
/* Run AoT function f with its arguments/results in slots. */
WF_INTERNAL weft_status wf_aot_call(weft_engine *e, weft_func *f,
                                    weft_slot *slots, weft_error *err);

/* interp.c: run `f` (a Wasm function) whose frame starts at `fp`, where the
** arguments are. Results are left at fp[0..nresults). */
WF_INTERNAL weft_status wf_interp_call(struct wf_exec *ex, weft_func *f,
                                       weft_slot *fp);
/* interp.c: continue the activation restored in frames[0..depth) (frames[0]
** its entry's sentinel) at `at`, the innermost frame; the entry's results
** are left at frames[0].fp. */
WF_INTERNAL weft_status wf_interp_resume(struct wf_exec *ex,
                                         const struct wf_frame *at);

#endif /* WF_RUNTIME_H */
