/*
** module.h — the decoded form of a WebAssembly binary (struct wf_module).
** decode.c fills it from bytes; validate.c checks module-level rules;
** interp/lower.c validates and lowers function bodies. Immutable after load.
*/
#ifndef WF_MODULE_H
#define WF_MODULE_H

#include "base.h"

/* A value type in full (typed function references): see wf_functype. */
typedef u32 wf_vt;

/* Value type bytes as in the binary format (same values as weft_valtype). */
enum wf_valtype {
  WF_I32 = 0x7f,
  WF_I64 = 0x7e,
  WF_F32 = 0x7d,
  WF_F64 = 0x7c,
  WF_V128 = 0x7b,
  WF_FUNCREF = 0x70,
  WF_EXTERNREF = 0x6f
};

enum wf_extern_kind {
  WF_EXTERN_FUNC = 0,
  WF_EXTERN_TABLE = 1,
  WF_EXTERN_MEMORY = 2,
  WF_EXTERN_GLOBAL = 3
};

enum wf_section_id {
  WF_SEC_CUSTOM = 0,
  WF_SEC_TYPE = 1,
  WF_SEC_IMPORT = 2,
  WF_SEC_FUNCTION = 3,
  WF_SEC_TABLE = 4,
  WF_SEC_MEMORY = 5,
  WF_SEC_GLOBAL = 6,
  WF_SEC_EXPORT = 7,
  WF_SEC_START = 8,
  WF_SEC_ELEMENT = 9,
  WF_SEC_CODE = 10,
  WF_SEC_DATA = 11,
  WF_SEC_DATACOUNT = 12
};

/* Exception handling (3.0): the tag section, the tag import/export kind
** and the exception reference type. */
#define WF_SEC_TAG 13
#define WF_EXTERN_TAG 4
#define WF_EXNREF 0x69

/* Messages of features weft does not run (status WEFT_ERR_UNSUPPORTED):
** the proposal's name, so a user does not take the file for corrupt. */
#define WF_NO_GC "unsupported feature: gc"
#define WF_NO_THREADS "unsupported feature: threads"
#define WF_NO_EXCEPTIONS "unsupported feature: exception handling"

/* The WF_NO_* message of a value type (or heap type) byte of a later
** proposal, or NULL for 2.0's types and bytes no proposal uses. */
WF_INTERNAL const char *wf_valtype_feature(u8 t);
/* Typed function references: reads the heap type of (ref null? ht) after
** its 0x63/0x64 byte (prefix; 0x63 for ref.null's heap type) and gives
** the type's runtime kind, WF_FUNCREF or WF_EXTERNREF, and its word. Else a
*status (malformed, unsupported feature, unknown
** type for an index >= ntypes) and its message in *why. */
struct wf_reader;
struct wf_module;
WF_INTERNAL weft_status wf_read_ref_heap(struct wf_reader *r, u32 ntypes,
                                         u8 prefix, u8 *kind, wf_vt *full,
                                         const char **why);
/* a <: b for value types in full (typed function references): the same
** kind; non-null <: nullable; a function type index <: func; equivalent
** function types. */
WF_INTERNAL bool wf_vt_sub(const struct wf_module *m, wf_vt a, wf_vt b);
/* The WF_NO_* message of an opcode weft does not run (exception
** handling, typed function references, GC, atomics), or NULL. */
WF_INTERNAL const char *wf_opcode_feature(u8 op);

#define WF_PAGE_SIZE 65536u
#define WF_MAX_PAGES 65536u /* 4 GiB for a 32-bit memory */
/* multi-memory: memories per module (imported and defined), an
** implementation limit (WEFT_ERR_LIMIT), as engines have. */
#define WF_MAX_MEMORIES 100u

/* A byte range inside the module's own copy of the binary. */
struct wf_bytes {
  const u8 *ptr;
  u32 len;
  u32 offset; /* of ptr from the start of the binary, for messages */
};

/* {====== typed function references: full value types ====================
** Everything that runs (slots, signatures, the C generator, the API) sees a
** value type as its runtime kind, the enum wf_valtype byte: (ref null? ht)
** is WF_FUNCREF for func and function type indices, WF_EXTERNREF for
** extern. Validation also needs nullability and the type index: a wf_vt
** word, bits 0-7 the kind, bit 8 non-null, bits 9-31 the heap type (0 the
** abstract func / extern, else a type index + 1). A 2.0 type's word is its
** byte (funcref is (ref null func)). The words are kept beside the bytes:
** `full` fields, 0 (or a NULL array) when the type is the plain byte. */
#define WF_VT_NONNULL 0x100u
#define WF_VT_KIND(t) ((u8)((t)&0xffu))
#define WF_VT_HEAP(t) ((t) >> 9)
#define WF_VT_MAKE(kind, nonnull, heap)                                        \
  ((wf_vt)(kind) | ((nonnull) ? WF_VT_NONNULL : 0u) | ((wf_vt)(heap) << 9))
/* the word of a byte and its `full` field (0: the plain byte) */
#define WF_VT(kind, full) ((full) ? (wf_vt)(full) : (wf_vt)(kind))
/* }====== */

struct wf_functype {
  u32 nparams;
  u32 nresults;
  u8 *types;   /* nparams param types then nresults result types */
  wf_vt *full; /* typed function references: the same in full, or NULL
                  when every type is the plain byte */
};

struct wf_limits {
  u64 min;
  u64 max;
  bool has_max;
  bool is64; /* memory64/table64: addresses and sizes are i64 */
};

struct wf_tabletype {
  u8 elemtype; /* WF_FUNCREF or WF_EXTERNREF */
  wf_vt full;  /* in full (typed function references), 0: elemtype */
  struct wf_limits limits;
  bool has_init;        /* a defined table with an initializer (3.0) */
  struct wf_bytes init; /* its constant expression (incl. end) */
};

struct wf_globaltype {
  u8 valtype;
  wf_vt full; /* in full (typed function references), 0: valtype */
  bool mutable_;
};

struct wf_import {
  char *module; /* NUL-terminated copies (names may not contain NUL... */
  char *name;   /* ...but if they do, the lengths below are authoritative) */
  u32 module_len;
  u32 name_len;
  u8 kind; /* enum wf_extern_kind */
  union {
    u32 typeidx; /* WF_EXTERN_FUNC, WF_EXTERN_TAG (the tag's type) */
    struct wf_tabletype table;
    struct wf_limits memory;
    struct wf_globaltype global;
  } of;
};

struct wf_local_group {
  u32 count;
  u8 type;
  wf_vt full; /* in full (typed function references), 0: type */
};

/* A function defined in this module (imports are not listed here). */
struct wf_func_decl {
  u32 typeidx;
  u32 ngroups;
  struct wf_local_group *groups;
  u32 nlocals;          /* sum of group counts (params not included) */
  struct wf_bytes code; /* the expression after the locals, incl. final end */
  u32 body_offset;      /* offset of the body's size field, for messages */
};

struct wf_global_decl {
  struct wf_globaltype type;
  struct wf_bytes init; /* constant expression, including its end opcode */
};

struct wf_export {
  char *name;
  u32 name_len;
  u8 kind;
  u32 index;
};

enum wf_segment_mode { WF_SEG_ACTIVE, WF_SEG_PASSIVE, WF_SEG_DECLARATIVE };

struct wf_elem {
  u8 mode;                /* enum wf_segment_mode */
  u8 reftype;             /* WF_FUNCREF or WF_EXTERNREF */
  wf_vt full;             /* in full (typed function references), 0: reftype */
  u32 table;              /* active only */
  struct wf_bytes offset; /* active only: constant expression */
  u32 count;
  /* Exactly one of these is non-NULL when count > 0: */
  u32 *funcs;             /* element kind 0x00: function indices */
  struct wf_bytes *exprs; /* element expressions, each incl. end */
};

struct wf_data {
  u8 mode; /* WF_SEG_ACTIVE or WF_SEG_PASSIVE */
  u32 memory;
  struct wf_bytes offset; /* active only */
  struct wf_bytes bytes;
};

struct wf_section {
  u8 id;
  char *name; /* custom sections only (NUL-terminated copy), else NULL */
  u32 offset; /* of the contents */
  u32 size;
};

struct wf_module {
  u8 *bytes; /* owned copy of the binary; every wf_bytes points into it */
  size_t size;

  u32 ntypes;
  struct wf_functype *types;

  u32 nimports;
  struct wf_import *imports;
  /* Counts of imports per kind (imports come first in each index space). */
  u32 nfunc_imports, ntable_imports, nmemory_imports, nglobal_imports;

  u32 nfuncs; /* defined functions only */
  struct wf_func_decl *funcs;

  u32 ntables; /* defined tables only */
  struct wf_tabletype *tables;

  u32 nmemories; /* defined memories only */
  struct wf_limits *memories;

  /* Exception handling: tags (imports first in their index space); a
  ** tag's type is a function type with no results. */
  u32 ntag_imports;
  u32 ntags;      /* defined tags only */
  u32 *tag_types; /* type index of each defined tag */

  u32 nglobals; /* defined globals only */
  struct wf_global_decl *globals;

  u32 nexports;
  struct wf_export *exports;

  bool has_start;
  u32 start;

  u32 nelems;
  struct wf_elem *elems;

  bool has_datacount;
  u32 datacount;
  u32 ndatas;
  struct wf_data *datas;

  u32 nsections;
  struct wf_section *sections;

  /* weft_config.wasm_2_0, set when decoded: 2.0's rules where 3.0
  ** changed them: constant expressions (validator); one memory, a zero
  ** byte for memory immediates, u32 memarg offsets, limits flags 0 and 1
  ** (decoder, lowering). */
  bool wasm_2_0;

  /* Filled by wf_validate_module: func_declared[i] != 0 when function i is
  ** referenced outside function bodies (elems, exports, global inits), which
  ** is what lets ref.func name it inside a body. */
  u8 *func_declared;

  /* From the "name" custom section when present and well-formed, else NULL.
  ** func_names[i] for i in the whole function index space (may be NULL). */
  char **func_names;
  u32 nfunc_names;
};

/* Decode `bytes` (already copied into module-owned memory by the caller,
** who sets m->bytes/m->size first) into m. Checks everything the binary
** format requires (magic, version, section order and sizes, LEB128 ranges,
** UTF-8 names, counts consistent, limits flags...) but not typing.
** Function bodies are split into locals and code; the code is not decoded.
** Declared counts are checked against the bytes left before allocating,
** so hostile counts cannot make it allocate more than O(size) memory.
** On failure returns WEFT_ERR_MALFORMED (or NOMEM/LIMIT) with a message
** naming the section and offset; m may be partially filled and must be
** released with wf_module_release. */
WF_INTERNAL weft_status wf_decode_module(struct wf_alloc *a,
                                         const weft_config *config,
                                         struct wf_module *m, weft_error *err);

/* Free everything wf_decode_module allocated (not m->bytes, not m). */
WF_INTERNAL void wf_module_release(struct wf_alloc *a, struct wf_module *m);

/* A decoded constant expression (Wasm 2.0: exactly one instruction). */
enum wf_constexpr_kind {
  WF_CONST_VALUE,      /* t.const: bits holds the value */
  WF_CONST_REF_NULL,   /* ref.null t */
  WF_CONST_REF_FUNC,   /* ref.func index */
  WF_CONST_GLOBAL_GET, /* global.get index (an imported immutable global) */
  WF_CONST_EXTENDED    /* i32/i64 arithmetic: wf_constexpr_eval_ints */
};
/* Operands an extended constant expression may stack (validation limit). */
#define WF_CONST_DEPTH_MAX 64
struct wf_constexpr {
  u8 kind;     /* enum wf_constexpr_kind */
  u8 type;     /* result value type */
  u32 index;   /* function or global index */
  u64 bits;    /* i32/f32 in the low 32 bits, i64/f64 all 64, v128 bytes 0-7 */
  u64 bits_hi; /* v128: bytes 8-15 (little-endian) */
};

/* Module-level validation (everything but function bodies): limits, at most
** one memory, start function type, unique export names, indices in range,
** constant expressions and their types, element and data segments.
** Fills m->func_declared. Returns WEFT_ERR_INVALID with the spec's wording
** ("unknown global 3", "duplicate export name", "constant expression
** required", "type mismatch", ...). */
WF_INTERNAL weft_status wf_validate_module(struct wf_alloc *a,
                                           struct wf_module *m,
                                           weft_error *err);

/* Decode an already validated constant expression. */
WF_INTERNAL void wf_constexpr_decode(const struct wf_module *m,
                                     struct wf_bytes expr,
                                     struct wf_constexpr *out);
/* Evaluate an already validated extended constant expression (i32/i64
** constants, global.get, add/sub/mul; an i32 result zero-extended), with
** `global` giving the bits of global `idx`. */
WF_INTERNAL u64 wf_constexpr_eval_ints(const struct wf_module *m,
                                       struct wf_bytes expr,
                                       u64 (*global)(void *user, u32 idx),
                                       void *user);

/* Index-space helpers. */
static inline u32 wf_module_func_count(const struct wf_module *m) {
  return m->nfunc_imports + m->nfuncs;
}
static inline u32 wf_module_table_count(const struct wf_module *m) {
  return m->ntable_imports + m->ntables;
}
static inline u32 wf_module_memory_count(const struct wf_module *m) {
  return m->nmemory_imports + m->nmemories;
}
static inline u32 wf_module_global_count(const struct wf_module *m) {
  return m->nglobal_imports + m->nglobals;
}
static inline u32 wf_module_tag_count(const struct wf_module *m) {
  return m->ntag_imports + m->ntags;
}
/* Type index of tag `tagidx` (import or defined). */
WF_INTERNAL u32 wf_module_tag_typeidx(const struct wf_module *m, u32 tagidx);
/* Type index of function `funcidx` (import or defined). */
WF_INTERNAL u32 wf_module_func_typeidx(const struct wf_module *m, u32 funcidx);
WF_INTERNAL struct wf_tabletype wf_module_table_type(const struct wf_module *m,
                                                     u32 tableidx);
WF_INTERNAL struct wf_limits wf_module_memory_limits(const struct wf_module *m,
                                                     u32 memidx);
WF_INTERNAL struct wf_globaltype
wf_module_global_type(const struct wf_module *m, u32 globalidx);

#endif /* WF_MODULE_H */
