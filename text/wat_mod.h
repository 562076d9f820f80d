/*
** wat_mod.h — the state of one module being encoded: index spaces and
** their identifiers, the type list (explicit, then implicit ones appended
** in order of use), the binary sections being built, and the per-function
** context (locals, labels). Shared by wat_module.c, wat_types.c and
** wat_instr.c.
*/
#ifndef WEFT_WAT_MOD_H
#define WEFT_WAT_MOD_H

#include "wat.h"

enum wat_space {
  SP_TYPE,
  SP_FUNC,
  SP_TABLE,
  SP_MEM,
  SP_GLOBAL,
  SP_ELEM,
  SP_DATA,
  SP_TAG, /* 3.0 exception tags */
  SP_COUNT
};

/* Value types are kept as their binary code: one byte, or for 3.0's
** (ref null? ht) 0x63/0x64 | heap type << 8 (wat_put_valtype writes it). */
struct ftype {
  uint32_t *params, *results; /* struct: field types; array: params[0] */
  uint32_t np, nr;
  uint8_t kind;  /* FT_FUNC, FT_STRUCT, FT_ARRAY (3.0 GC) */
  uint8_t sub;   /* 0: plain; SUB_OPEN / SUB_FINAL: (sub ...) */
  uint8_t *muts; /* struct/array: 1 per mutable field */
  uint32_t *supers, nsupers;
  uint32_t rec;        /* first type of a (rec ...): the group's size */
  bool in_rec;         /* inside an explicit (rec ...) */
  struct idmap fields; /* struct: $field -> index */
};
enum { FT_FUNC, FT_STRUCT, FT_ARRAY };
enum { SUB_NONE, SUB_OPEN, SUB_FINAL };

enum wat_sec {
  SEC_TYPE = 1,
  SEC_IMPORT,
  SEC_FUNC,
  SEC_TABLE,
  SEC_MEM,
  SEC_GLOBAL,
  SEC_EXPORT,
  SEC_START,
  SEC_ELEM,
  SEC_CODE,
  SEC_DATA,
  SEC_DATACOUNT,
  SEC_TAG, /* 13, placed between memories and globals */
  SEC_MAX
};

struct wmod {
  struct wat *w;
  struct idmap ids[SP_COUNT];
  uint32_t count[SP_COUNT]; /* pass 1: sizes of the index spaces */
  uint32_t cur[SP_COUNT];   /* pass 2: index of the next definition */
  struct ftype *types;
  uint32_t ntypes, types_cap;
  struct idmap sigs;   /* signature bytes -> first type index with them */
  uint32_t empty_recs; /* (rec) groups with no types */
  struct wbuf sec[SEC_MAX];
  uint32_t nitems[SEC_MAX]; /* entries in each section's vector */
  bool uses_data_count;     /* memory.init or data.drop seen */
};

struct wat_label {
  uint32_t id;       /* token of its $name, or UINT32_MAX */
  uint32_t shadowed; /* stack index of the label it hides, or IDMAP_NONE */
  uint8_t kind;      /* LABEL_BLOCK, LABEL_IF, LABEL_ELSE */
};
enum {
  LABEL_BLOCK,
  LABEL_IF,
  LABEL_ELSE,
  LABEL_TRY,      /* legacy try, before any catch (delegate allowed) */
  LABEL_CATCH,    /* after a catch: more catches or catch_all */
  LABEL_CATCH_ALL /* after catch_all: only end */
};

struct wfunc {
  struct idmap locals;
  struct idmap label_ids; /* $name -> stack index of its innermost label */
  uint32_t nlocals;
  struct wat_label *labels;
  uint32_t nlabels, labels_cap;
  uint32_t floor; /* labels below this belong to enclosing folded forms */
  uint32_t depth; /* folded nesting (bounded) */
  struct wbuf *code;
};

/* ---- wat_types.c ---- */
/* Reads a value type (i32 .. externref, (ref null func|extern)). */
uint32_t wat_valtype(struct wmod *m);
bool wat_at_valtype(struct wmod *m);
uint32_t wat_reftype(struct wmod *m);
/* A heap type: an abstract one's code, or WAT_HEAP_INDEX + a type index. */
uint32_t wat_heap_type(struct wmod *m);
void wat_put_heap_type(struct wmod *m, struct wbuf *b, uint32_t heap);
#define WAT_HEAP_INDEX 0x100u
#define WAT_HEAP_INDEX_MAX 0xffff00u /* so prefix | heap << 8 fits */
bool wat_at_reftype(struct wmod *m);
void wat_put_valtype(struct wmod *m, struct wbuf *b, uint32_t t);
/* (param ...)* (result ...)* into *ft. With `names`, (param $x t) binds $x
** to its position; without, ids are malformed. */
void wat_params_results(struct wmod *m, struct ftype *ft, struct idmap *names);
/* typeuse: (type x)? then inline params/results; returns the type index
** (appending an implicit type when needed); *out_np: number of params. */
uint32_t wat_typeuse(struct wmod *m, struct idmap *names, uint32_t *out_np);
/* Index in a space: $id or a number; fails for an unknown $id. */
uint32_t wat_index(struct wmod *m, enum wat_space sp);
bool wat_at_index(struct wmod *m);
/* limits (min max?) with an optional i64 index type: writes the binary. */
void wat_limits(struct wmod *m, struct wbuf *b, bool allow_i64);
uint32_t wat_type_append(struct wmod *m, const struct ftype *ft);
/* The id token after the current one if it is a $name; advances past it. */
uint32_t wat_opt_id(struct wmod *m);

/* ---- wat_gc.c ---- */
/* After `(type $id?`: a composite type or (sub final? x* comptype). */
void wat_typedef(struct wmod *m, struct ftype *ft);
/* The binary of one type (subtype and composite type). */
void wat_put_typedef(struct wmod *m, struct wbuf *b, const struct ftype *t);
/* A field of struct type `type`: $name or a number. */
uint32_t wat_field_index(struct wmod *m, uint32_t type);

/* ---- wat_instr.c ---- */
void wat_func_init(struct wmod *m, struct wfunc *f, struct wbuf *code);
/* instr* up to the next ')' (not consumed). */
void wat_instrs(struct wmod *m, struct wfunc *f);
/* A constant expression: instr* then `end`, into b. */
void wat_const_expr(struct wmod *m, struct wbuf *b);
/* An offset: (offset instr*) or one folded instruction; into b with end. */
void wat_offset(struct wmod *m, struct wbuf *b);

#endif
