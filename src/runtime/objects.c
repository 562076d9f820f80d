/*
** objects.c — memories, tables, globals and function instances: creation,
** growth within the engine's limits, and their public accessors. Every
** object is tracked by its engine and released with it.
*/
#include "runtime.h"

/* ---- memories --------------------------------------------------------- */

static size_t mem_alloc_size(u64 size) { return size ? (size_t)size : 1; }

static void release_memory(weft_engine *e, struct wf_object *o) {
  weft_memory *m = WF_CONTAINER_OF(o, weft_memory, obj);
  if (m->reserved)
    wf_port_release(m->data, (size_t)m->reserved);
  else
    wf_alloc_free(&e->alloc, m->data, mem_alloc_size(m->size));
  wf_alloc_free(&e->alloc, m, sizeof *m);
}

/* Reserve `bytes` of address space and commit the initial pages; false
** when the platform cannot (the caller falls back to the allocator). */
static bool reserve_memory(weft_memory *m, u64 size, u64 bytes) {
  if (sizeof(void *) < 8 || bytes > SIZE_MAX)
    return false;
  u8 *p = wf_port_reserve((size_t)bytes);
  if (!p)
    return false;
  if (!wf_port_commit(p, (size_t)size)) {
    wf_port_release(p, (size_t)bytes);
    return false;
  }
  m->data = p;
  m->reserved = bytes;
  return true;
}

/* The engine's limit in bytes for a memory of this kind: max_memory_bytes
** (at most 4 GiB, engine.c) for a 32-bit memory; max_memory64_bytes (at
** most WF_MAX_MEMORY64_BYTES, so pages always fit a u32) for a memory64,
** but no more than max_memory_bytes when an embedder set that below its
** 4 GiB ceiling: a tighter limit holds for every memory. */
static u64 limit_bytes(const weft_config *c, bool is64) {
  if (!is64)
    return c->max_memory_bytes;
  if (c->max_memory_bytes < (u64)WF_MAX_PAGES * WF_PAGE_SIZE &&
      c->max_memory_bytes < c->max_memory64_bytes)
    return c->max_memory_bytes;
  return c->max_memory64_bytes;
}

/* The effective maximum in pages of a new memory: what it declares,
** capped by the engine's limit for its kind. */
static u32 effective_max(const weft_engine *e, u64 max, bool has_max,
                         bool is64) {
  u64 cap = limit_bytes(&e->config, is64) / WF_PAGE_SIZE;
  return (u32)(has_max && max < cap ? max : cap);
}

/* Address space for a memory in guard-page mode. A 32-bit memory gets
** the configured guard reserve (at least WF_GUARD_RESERVE: weft_engine_new
** checks it), so AoT code needs no bounds checks. A memory64 is
** always checked explicitly (both engines, both bounds modes), so it
** reserves just its effective maximum: growing then only commits pages
** in place (no copy), and untouched pages cost nothing, so a sparse
** 16 GiB memory64 costs what it touches. */
static u64 reservation_bytes(const weft_engine *e, u32 eff_max, bool is64) {
  if (!is64) {
    WF_ASSERT(e->config.guard_reserve_bytes >= WF_GUARD_RESERVE);
    return e->config.guard_reserve_bytes;
  }
  return eff_max ? (u64)eff_max * WF_PAGE_SIZE : WF_PAGE_SIZE;
}

weft_status wf_memory_create(weft_engine *e, u64 min, u64 max, bool has_max,
                             bool is64, weft_memory **out, weft_error *err) {
  /* A memory64 may declare up to 2^48 pages; the engine's limits cap
  ** what is allocated, so page counts fit a u32. */
  u32 eff_max = effective_max(e, max, has_max, is64);
  if (min > eff_max)
    return wf_error_set(err, WEFT_ERR_LIMIT,
                        "memory of %s%u pages exceeds the limit of %u pages",
                        min > UINT32_MAX ? "more than " : "",
                        min > UINT32_MAX ? UINT32_MAX : (u32)min, eff_max);
  weft_memory *m = wf_alloc_zero(&e->alloc, sizeof *m);
  if (!m)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  m->size = (u64)min * WF_PAGE_SIZE;
  if (!e->config.guard_pages ||
      !reserve_memory(m, m->size, reservation_bytes(e, eff_max, is64)))
    m->data = wf_alloc_zero(&e->alloc, mem_alloc_size(m->size));
  if (!m->data) {
    wf_alloc_free(&e->alloc, m, sizeof *m);
    return wf_error_set(err, WEFT_ERR_NOMEM,
                        "out of memory allocating %u pages", (u32)min);
  }
  m->engine = e;
  if (m->reserved) {
    m->next_reserved = e->reserved_memories;
    e->reserved_memories = m;
  }
  m->pages = (u32)min;
  m->max_pages = eff_max;
  m->has_max = has_max;
  m->decl_max = max;
  m->is64 = is64;
  wf_engine_track(e, &m->obj, release_memory);
  *out = m;
  return WEFT_OK;
}

i64 wf_memory_grow(weft_memory *m, u32 delta) {
  u32 old = m->pages;
  if (delta == 0)
    return old;
  if ((u64)old + delta > m->max_pages) {
    /* Past the engine's limit but within what the module declared: the
    ** embedder's limit refused it (weft_memory_limit_refused). */
    if (!m->has_max || (u64)old + delta <= m->decl_max)
      m->limit_refused = true;
    return -1;
  }
  u64 nsize = ((u64)old + delta) * WF_PAGE_SIZE;
  if (nsize > SIZE_MAX)
    return -1;
  if (m->reserved) {
    /* Fresh pages of the reservation are already zero. */
    if (!wf_port_commit(m->data, (size_t)nsize))
      return -1;
  } else {
    u8 *p = wf_alloc_resize(&m->engine->alloc, m->data, mem_alloc_size(m->size),
                            (size_t)nsize);
    if (!p)
      return -1;
    memset(p + m->size, 0, (size_t)(nsize - m->size));
    m->data = p;
  }
  m->size = nsize;
  m->pages = old + delta;
  return old;
}

weft_status weft_memory_new(weft_engine *e, u32 min, u32 max, weft_memory **out,
                            weft_error *err) {
  wf_error_clear(err);
  bool has_max = max != UINT32_MAX;
  if (min > WF_MAX_PAGES || (has_max && (max > WF_MAX_PAGES || max < min)))
    return wf_error_set(err, WEFT_ERR_ARG, "invalid memory limits");
  return wf_memory_create(e, min, max, has_max, false, out, err);
}

uint8_t *weft_memory_data(const weft_memory *m) { return m->data; }
uint64_t weft_memory_size(const weft_memory *m) { return m->size; }

uint32_t weft_memory_max_pages(const weft_memory *m) {
  return m->has_max && m->decl_max < UINT32_MAX ? (u32)m->decl_max : UINT32_MAX;
}

int weft_memory_limit_refused(const weft_memory *m) { return m->limit_refused; }
int64_t weft_memory_grow(weft_memory *m, uint32_t delta) {
  return wf_memory_grow(m, delta);
}

/* ---- tables ----------------------------------------------------------- */

static void release_table(weft_engine *e, struct wf_object *o) {
  weft_table *t = WF_CONTAINER_OF(o, weft_table, obj);
  wf_alloc_free(&e->alloc, t->elems,
                (size_t)(t->cap ? t->cap : 1) * sizeof(void *));
  wf_alloc_free(&e->alloc, t, sizeof *t);
}

weft_status wf_table_create(weft_engine *e, u8 elemtype, u32 min, u32 max,
                            bool has_max, void *init, weft_table **out,
                            weft_error *err) {
  u32 eff_max = has_max ? max : UINT32_MAX;
  if (eff_max > e->config.max_table_elems)
    eff_max = e->config.max_table_elems;
  /* Below 2^32-1: table64 indices saturate to it (lower.c), out of range. */
  if (eff_max > UINT32_MAX - 1)
    eff_max = UINT32_MAX - 1;
  if (min > eff_max)
    return wf_error_set(err, WEFT_ERR_LIMIT,
                        "table of %u elements exceeds the limit of %u", min,
                        eff_max);
  weft_table *t = wf_alloc_zero(&e->alloc, sizeof *t);
  if (!t)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  t->elems = wf_alloc_array(&e->alloc, min ? min : 1, sizeof(void *));
  if (!t->elems) {
    wf_alloc_free(&e->alloc, t, sizeof *t);
    return wf_error_set(err, WEFT_ERR_NOMEM,
                        "out of memory allocating a table of %u", min);
  }
  for (u32 i = 0; i < min; i++)
    t->elems[i] = init;
  t->engine = e;
  t->size = min;
  t->cap = min ? min : 1;
  t->max = eff_max;
  t->has_max = has_max;
  t->decl_max = max;
  t->elemtype = elemtype;
  wf_engine_track(e, &t->obj, release_table);
  *out = t;
  return WEFT_OK;
}

i64 wf_table_grow(weft_engine *e, weft_table *t, u32 delta, void *init) {
  u32 old = t->size;
  if ((u64)old + delta > t->max)
    return -1;
  u32 nsize = old + delta;
  if (nsize > t->cap) {
    u64 ncap = (u64)t->cap * 2;
    if (ncap < nsize)
      ncap = nsize;
    if (ncap > t->max)
      ncap = t->max;
    void *p =
        wf_alloc_resize(&e->alloc, t->elems, (size_t)t->cap * sizeof(void *),
                        (size_t)ncap * sizeof(void *));
    if (!p)
      return -1;
    t->elems = p;
    t->cap = (u32)ncap;
  }
  for (u32 i = old; i < nsize; i++)
    t->elems[i] = init;
  t->size = nsize;
  return old;
}

weft_status weft_table_new(weft_engine *e, weft_valtype elem_type, u32 min,
                           u32 max, void *init, weft_table **out,
                           weft_error *err) {
  wf_error_clear(err);
  bool has_max = max != UINT32_MAX;
  if ((elem_type != WEFT_FUNCREF && elem_type != WEFT_EXTERNREF) ||
      (has_max && max < min))
    return wf_error_set(err, WEFT_ERR_ARG, "invalid table type or limits");
  return wf_table_create(e, (u8)elem_type, min, max, has_max, init, out, err);
}

uint32_t weft_table_size(const weft_table *t) { return t->size; }
weft_valtype weft_table_elem_type(const weft_table *t) {
  return (weft_valtype)t->elemtype;
}
uint32_t weft_table_max(const weft_table *t) {
  return t->has_max && t->decl_max < UINT32_MAX ? (u32)t->decl_max : UINT32_MAX;
}

/* A reference the embedder may store in an object of engine `e` with
** element type `type`: externrefs are opaque, funcrefs must be this
** engine's functions (the interpreter calls through them). */
static bool ref_fits(weft_engine *e, u8 type, void *ref) {
  return type != WEFT_FUNCREF || !ref || ((weft_func *)ref)->engine == e;
}

weft_status weft_table_get(const weft_table *t, u32 index, void **out,
                           weft_error *err) {
  wf_error_clear(err);
  if (index >= t->size)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "table index %u out of bounds (size %u)", index,
                        t->size);
  *out = t->elems[index];
  return WEFT_OK;
}

weft_status weft_table_set(weft_table *t, u32 index, void *ref,
                           weft_error *err) {
  wf_error_clear(err);
  if (index >= t->size)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "table index %u out of bounds (size %u)", index,
                        t->size);
  if (!ref_fits(t->engine, t->elemtype, ref))
    return wf_error_set(err, WEFT_ERR_ARG,
                        "not a function of this table's engine");
  t->elems[index] = ref;
  return WEFT_OK;
}

int64_t weft_table_grow(weft_table *t, u32 delta, void *init) {
  if (!ref_fits(t->engine, t->elemtype, init))
    return -1;
  return wf_table_grow(t->engine, t, delta, init);
}

/* ---- globals ---------------------------------------------------------- */

static void release_global(weft_engine *e, struct wf_object *o) {
  wf_alloc_free(&e->alloc, WF_CONTAINER_OF(o, weft_global, obj),
                sizeof(weft_global));
}

weft_status wf_global_create(weft_engine *e, u8 type, bool mutable_,
                             weft_slot val, weft_global **out,
                             weft_error *err) {
  weft_global *g = wf_alloc_zero(&e->alloc, sizeof *g);
  if (!g)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  g->engine = e;
  g->type = type;
  g->mutable_ = mutable_;
  g->val = val;
  wf_engine_track(e, &g->obj, release_global);
  *out = g;
  return WEFT_OK;
}

static bool valid_valtype(weft_valtype t) {
  return t == WEFT_I32 || t == WEFT_I64 || t == WEFT_F32 || t == WEFT_F64 ||
         t == WEFT_V128 || t == WEFT_FUNCREF || t == WEFT_EXTERNREF;
}

weft_status weft_global_new(weft_engine *e, weft_val v, int mutable_,
                            weft_global **out, weft_error *err) {
  wf_error_clear(err);
  if (!valid_valtype(v.type))
    return wf_error_set(err, WEFT_ERR_ARG, "invalid global type");
  weft_slot s;
  wf_val_to_slot(&v, &s);
  return wf_global_create(e, (u8)v.type, mutable_ != 0, s, out, err);
}

int weft_global_mutable(const weft_global *g) { return g->mutable_; }

weft_status weft_global_set(weft_global *g, weft_val v, weft_error *err) {
  wf_error_clear(err);
  if (!g->mutable_)
    return wf_error_set(err, WEFT_ERR_ARG, "global is immutable");
  if (v.type != (weft_valtype)g->type)
    return wf_error_set(err, WEFT_ERR_ARG, "value type is not the global's");
  if ((v.type == WEFT_FUNCREF || v.type == WEFT_EXTERNREF) &&
      !ref_fits(g->engine, g->type, v.of.ref))
    return wf_error_set(err, WEFT_ERR_ARG,
                        "not a function of this global's engine");
  wf_val_to_slot(&v, &g->val);
  return WEFT_OK;
}

weft_val weft_global_get(const weft_global *g) {
  weft_val v;
  v.type = (weft_valtype)g->type;
  v.of = g->val;
  return v;
}

/* ---- functions -------------------------------------------------------- */

static void release_func(weft_engine *e, struct wf_object *o) {
  wf_alloc_free(&e->alloc, WF_CONTAINER_OF(o, weft_func, obj),
                sizeof(weft_func));
}

weft_status wf_func_create(weft_engine *e, u32 sig, weft_func **out,
                           weft_error *err) {
  weft_func *f = wf_alloc_zero(&e->alloc, sizeof *f);
  if (!f)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  f->engine = e;
  f->sig = sig;
  wf_engine_track(e, &f->obj, release_func);
  *out = f;
  return WEFT_OK;
}

weft_status weft_func_new_host(weft_engine *e, const weft_valtype *params,
                               u32 nparams, const weft_valtype *results,
                               u32 nresults, weft_host_fn fn, void *user,
                               weft_func **out, weft_error *err) {
  wf_error_clear(err);
  if (!fn || nparams > 1000 || nresults > 1000)
    return wf_error_set(err, WEFT_ERR_ARG, "invalid host function");
  u8 types[2000];
  for (u32 i = 0; i < nparams; i++) {
    if (!valid_valtype(params[i]))
      return wf_error_set(err, WEFT_ERR_ARG, "invalid parameter type");
    types[i] = (u8)params[i];
  }
  for (u32 i = 0; i < nresults; i++) {
    if (!valid_valtype(results[i]))
      return wf_error_set(err, WEFT_ERR_ARG, "invalid result type");
    types[nparams + i] = (u8)results[i];
  }
  struct wf_functype t = {nparams, nresults, types, NULL};
  u32 sig;
  if (wf_engine_intern_sig(e, &t, &sig) != WEFT_OK)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  weft_status s = wf_func_create(e, sig, out, err);
  if (s == WEFT_OK) {
    (*out)->host = fn;
    (*out)->host_user = user;
    (*out)->funcidx = UINT32_MAX;
  }
  return s;
}

void weft_func_type(const weft_func *f, const weft_valtype **params,
                    uint32_t *nparams, const weft_valtype **results,
                    uint32_t *nresults) {
  const struct wf_sig *s = &f->engine->sigs[f->sig];
  *params = s->vtypes;
  *nparams = s->type.nparams;
  *results = s->vtypes + s->type.nparams;
  *nresults = s->type.nresults;
}

/* ---- memory64, table64 ------------------------------------------------ */

weft_status weft_memory_new64(weft_engine *e, u32 min, u32 max,
                              weft_memory **out, weft_error *err) {
  wf_error_clear(err);
  bool has_max = max != UINT32_MAX;
  if (has_max && max < min)
    return wf_error_set(err, WEFT_ERR_ARG, "invalid memory limits");
  return wf_memory_create(e, min, max, has_max, true, out, err);
}

weft_status weft_table_new64(weft_engine *e, weft_valtype elem_type, u32 min,
                             u32 max, void *init, weft_table **out,
                             weft_error *err) {
  weft_status s = weft_table_new(e, elem_type, min, max, init, out, err);
  if (s == WEFT_OK)
    (*out)->is64 = true;
  return s;
}

int weft_memory_is64(const weft_memory *m) { return m->is64; }
int weft_table_is64(const weft_table *t) { return t->is64; }
