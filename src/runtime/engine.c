/*
** engine.c — the engine is the store: configuration, allocator, interned
** function types, the execution context and the list of every runtime
** object, all released by weft_engine_free. No global state.
*/
#include "runtime.h"

/* The first weft_config with a size field ended after native_stack_bytes;
** a caller's struct is never smaller. */
#define WF_CONFIG_SIZE_V1                                                      \
  (offsetof(weft_config, native_stack_bytes) + sizeof(uint32_t))

void weft_config_default(weft_config *c) {
  memset(c, 0, sizeof *c);
  c->size = sizeof *c;
  c->max_memory_bytes = (u64)WF_MAX_PAGES * WF_PAGE_SIZE;
  c->max_memory64_bytes = WF_DEFAULT_MEMORY64_BYTES;
  c->max_table_elems = 10000000;
  c->max_call_depth = 20000;
  c->stack_bytes = 16u << 20;
  c->max_module_bytes = 1u << 30;
  c->max_locals = 50000;
  c->guard_pages = sizeof(void *) >= 8;
  c->native_stack_margin = 64u << 10;
  c->native_stack_default = 4u << 20;
  c->guard_reserve_bytes = WF_GUARD_RESERVE;
}

weft_status weft_engine_new(const weft_config *config, weft_engine **out,
                            weft_error *err) {
  weft_config c;
  wf_error_clear(err);
  *out = NULL;
  weft_config_default(&c);
  if (config) {
    if (config->size < WF_CONFIG_SIZE_V1)
      return wf_error_set(err, WEFT_ERR_ARG,
                          "config: size is %u; fill the config with "
                          "weft_config_default first",
                          (unsigned)config->size);
    /* Fields past the caller's size keep their defaults. */
    memcpy(&c, config, config->size < sizeof c ? config->size : sizeof c);
    c.size = sizeof c;
  }
  struct wf_alloc a = {c.alloc ? c.alloc : wf_port_realloc, c.alloc_user, 0, 0};
  if (c.max_call_depth == 0 || c.stack_bytes < 1024)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "config: max_call_depth must be > 0 and stack_bytes "
                        ">= 1024");
  if (!c.native_stack_margin)
    c.native_stack_margin = 64u << 10;
  if (!c.native_stack_default)
    c.native_stack_default = 4u << 20;
  if (!c.guard_reserve_bytes)
    c.guard_reserve_bytes = WF_GUARD_RESERVE;
  if (c.guard_reserve_bytes < WF_GUARD_RESERVE)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "config: guard_reserve_bytes must be at least %llu "
                        "(8 GiB + 64 KiB)",
                        (unsigned long long)WF_GUARD_RESERVE);
  if (c.max_memory_bytes > (u64)WF_MAX_PAGES * WF_PAGE_SIZE)
    c.max_memory_bytes = (u64)WF_MAX_PAGES * WF_PAGE_SIZE;
  if (c.max_memory64_bytes > WF_MAX_MEMORY64_BYTES)
    c.max_memory64_bytes = WF_MAX_MEMORY64_BYTES;
  weft_engine *e = wf_alloc_zero(&a, sizeof *e);
  if (!e)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory creating engine");
  e->config = c;
  e->alloc = a;
  u32 nops = wf_interp_op_count();
  e->dispatch = wf_alloc_array(&e->alloc, nops, sizeof(u32));
  if (!e->dispatch) {
    weft_engine_free(e);
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory creating engine");
  }
  if (!wf_interp_dispatch_init(e->dispatch)) {
    wf_alloc_free(&e->alloc, e->dispatch, nops * sizeof(u32));
    e->dispatch = NULL;
  }
  *out = e;
  return WEFT_OK;
}

struct wf_alloc *wf_engine_alloc(weft_engine *e) {
  return &e->alloc;
}

weft_error *wf_host_error(weft_host_ctx *ctx) { return ctx->err; }

/* A block kept until weft_engine_free: its header, then the bytes. */
struct wf_kept {
  struct wf_object obj;
  size_t size;
};
#define WF_KEPT_HEAD ((sizeof(struct wf_kept) + 15) & ~(size_t)15)

static void kept_release(weft_engine *e, struct wf_object *o) {
  struct wf_kept *k = WF_CONTAINER_OF(o, struct wf_kept, obj);
  wf_alloc_free(&e->alloc, k, WF_KEPT_HEAD + k->size);
}

void *wf_engine_keep(weft_engine *e, size_t size) {
  if (size > SIZE_MAX - WF_KEPT_HEAD)
    return NULL;
  struct wf_kept *k = wf_alloc_zero(&e->alloc, WF_KEPT_HEAD + size);
  if (!k)
    return NULL;
  k->size = size;
  wf_engine_track(e, &k->obj, kept_release);
  return (char *)k + WF_KEPT_HEAD;
}

void wf_engine_track(weft_engine *e, struct wf_object *obj,
                     void (*release)(weft_engine *, struct wf_object *)) {
  obj->release = release;
  obj->next = e->objects;
  e->objects = obj;
}

void weft_engine_set_fuel(weft_engine *e, uint64_t fuel) {
  e->exec.fuel = fuel > (u64)INT64_MAX ? INT64_MAX : (i64)fuel;
}

uint64_t weft_engine_fuel(const weft_engine *e) {
  return e->exec.fuel > 0 ? (u64)e->exec.fuel : 0;
}

void weft_engine_set_fuel_hook(weft_engine *e, weft_fuel_hook hook,
                               void *user) {
  e->fuel_hook = hook;
  e->fuel_hook_user = user;
}

weft_trap wf_engine_refuel(weft_engine *e, i64 need) {
  while (e->exec.fuel < need) {
    i64 before = e->exec.fuel;
    weft_trap t = e->fuel_hook ? e->fuel_hook(e->fuel_hook_user, e)
                               : WEFT_TRAP_OUT_OF_FUEL;
    if (t != WEFT_TRAP_NONE)
      return t;
    if (e->exec.fuel <= before)
      return WEFT_TRAP_OUT_OF_FUEL; /* a hook that adds nothing */
  }
  return WEFT_TRAP_NONE;
}

weft_trap wf_engine_poll(weft_engine *e) {
  if (!e->fuel_hook || !e->config.fuel_metering)
    return WEFT_TRAP_NONE;
  weft_trap t = e->fuel_hook(e->fuel_hook_user, e);
  return t == WEFT_TRAP_INTERRUPTED ? t : WEFT_TRAP_NONE;
}

void weft_engine_free(weft_engine *e) {
  if (!e)
    return;
  wf_exn_free_all(e); /* exception handling */
  struct wf_object *o = e->objects;
  while (o) {
    struct wf_object *next = o->next;
    o->release(e, o);
    o = next;
  }
  for (u32 i = 0; i < e->nsigs; i++) {
    struct wf_functype *t = &e->sigs[i].type;
    wf_alloc_free(&e->alloc, t->types, (size_t)t->nparams + t->nresults);
    wf_alloc_free(&e->alloc, e->sigs[i].vtypes,
                  ((size_t)t->nparams + t->nresults) * sizeof(weft_valtype));
  }
  wf_alloc_free(&e->alloc, e->sigs,
                (size_t)e->sigs_cap * sizeof(struct wf_sig));
  wf_alloc_free(&e->alloc, e->sig_index,
                (size_t)e->sig_index_cap * sizeof(u32));
  if (e->exec_ready) {
    wf_alloc_free(&e->alloc, e->exec.stack,
                  (size_t)(e->exec.stack_end - e->exec.stack) *
                      sizeof(weft_slot));
    wf_alloc_free(&e->alloc, e->exec.frames,
                  (size_t)e->exec.frames_cap * sizeof(struct wf_frame));
  }
  if (e->dispatch)
    wf_alloc_free(&e->alloc, e->dispatch, wf_interp_op_count() * sizeof(u32));
  struct wf_alloc a = e->alloc;
  wf_alloc_free(&a, e, sizeof *e);
}

/* ---- interned function types ------------------------------------------ */

static u32 hash_type(const struct wf_functype *t) {
  u32 h = 2166136261u ^ t->nparams;
  h = (h * 16777619u) ^ t->nresults;
  for (u32 i = 0; i < t->nparams + t->nresults; i++)
    h = (h * 16777619u) ^ t->types[i];
  return h ? h : 1;
}

static bool same_type(const struct wf_functype *a,
                      const struct wf_functype *b) {
  return a->nparams == b->nparams && a->nresults == b->nresults &&
         !memcmp(a->types, b->types, (size_t)a->nparams + a->nresults);
}

static bool rehash(weft_engine *e, u32 cap) {
  u32 *idx = wf_alloc_array(&e->alloc, cap, sizeof(u32));
  if (!idx)
    return false;
  for (u32 i = 0; i < e->nsigs; i++) {
    u32 k = e->sigs[i].hash & (cap - 1);
    while (idx[k])
      k = (k + 1) & (cap - 1);
    idx[k] = i + 1;
  }
  wf_alloc_free(&e->alloc, e->sig_index,
                (size_t)e->sig_index_cap * sizeof(u32));
  e->sig_index = idx;
  e->sig_index_cap = cap;
  return true;
}

weft_status wf_engine_intern_sig(weft_engine *e, const struct wf_functype *t,
                                 u32 *out) {
  u32 h = hash_type(t);
  if (e->sig_index_cap) {
    for (u32 k = h & (e->sig_index_cap - 1); e->sig_index[k];
         k = (k + 1) & (e->sig_index_cap - 1)) {
      struct wf_sig *s = &e->sigs[e->sig_index[k] - 1];
      if (s->hash == h && same_type(&s->type, t)) {
        *out = e->sig_index[k] - 1;
        return WEFT_OK;
      }
    }
  }
  if ((e->nsigs + 1) * 2 > e->sig_index_cap &&
      !rehash(e, e->sig_index_cap ? e->sig_index_cap * 2 : 64))
    return WEFT_ERR_NOMEM;
  if (e->nsigs == e->sigs_cap) {
    u32 ncap = e->sigs_cap ? e->sigs_cap * 2 : 32;
    void *p = wf_alloc_resize(&e->alloc, e->sigs,
                              (size_t)e->sigs_cap * sizeof(struct wf_sig),
                              (size_t)ncap * sizeof(struct wf_sig));
    if (!p)
      return WEFT_ERR_NOMEM;
    e->sigs = p;
    e->sigs_cap = ncap;
  }
  size_t n = (size_t)t->nparams + t->nresults;
  u8 *types = wf_alloc_raw(&e->alloc, n);
  weft_valtype *vtypes = wf_alloc_array(&e->alloc, n, sizeof(weft_valtype));
  if (!types || !vtypes) {
    wf_alloc_free(&e->alloc, types, n);
    wf_alloc_free(&e->alloc, vtypes, n * sizeof(weft_valtype));
    return WEFT_ERR_NOMEM;
  }
  memcpy(types, t->types, n);
  for (size_t i = 0; i < n; i++)
    vtypes[i] = (weft_valtype)types[i];
  struct wf_sig *s = &e->sigs[e->nsigs];
  s->type.nparams = t->nparams;
  s->type.nresults = t->nresults;
  s->type.types = types;
  s->vtypes = vtypes;
  s->hash = h;
  u32 k = h & (e->sig_index_cap - 1);
  while (e->sig_index[k])
    k = (k + 1) & (e->sig_index_cap - 1);
  e->sig_index[k] = e->nsigs + 1;
  *out = e->nsigs++;
  return WEFT_OK;
}

/* ---- execution context ------------------------------------------------ */

/* Frames a new execution context starts with; doubled on demand, so a
** high max_call_depth costs nothing until a program recurses that deep. */
#define FRAMES_INITIAL 64u

weft_status wf_engine_exec(weft_engine *e, struct wf_exec **out,
                           weft_error *err) {
  struct wf_exec *ex = &e->exec;
  if (!e->exec_ready) {
    size_t nslots = e->config.stack_bytes / sizeof(weft_slot);
    u32 nframes = e->config.max_call_depth < FRAMES_INITIAL
                      ? e->config.max_call_depth
                      : FRAMES_INITIAL;
    /* Not zeroed: frames initialise their locals, and operand slots are
    ** written before they are read, so untouched pages stay unmapped. */
    ex->stack = nslots <= SIZE_MAX / sizeof(weft_slot)
                    ? wf_alloc_raw(&e->alloc, nslots * sizeof(weft_slot))
                    : NULL;
    ex->frames = wf_alloc_array(&e->alloc, nframes, sizeof(struct wf_frame));
    if (!ex->stack || !ex->frames) {
      if (ex->stack)
        wf_alloc_free(&e->alloc, ex->stack, nslots * sizeof(weft_slot));
      if (ex->frames)
        wf_alloc_free(&e->alloc, ex->frames,
                      (size_t)nframes * sizeof(struct wf_frame));
      ex->stack = NULL;
      ex->frames = NULL;
      return wf_error_set(err, WEFT_ERR_NOMEM,
                          "out of memory allocating the value stack");
    }
    ex->frames_cap = nframes;
    ex->stack_end = ex->stack + nslots;
    ex->top = ex->stack;
    ex->depth = 0;
    ex->max_depth = e->config.max_call_depth;
    e->exec_ready = true;
  }
  *out = ex;
  return WEFT_OK;
}

bool wf_exec_grow_frames(struct wf_exec *ex) {
  weft_engine *e = WF_CONTAINER_OF(ex, weft_engine, exec);
  if (ex->frames_cap >= ex->max_depth)
    return false;
  u32 ncap =
      ex->frames_cap > ex->max_depth / 2 ? ex->max_depth : ex->frames_cap * 2;
  void *p = wf_alloc_resize(&e->alloc, ex->frames,
                            (size_t)ex->frames_cap * sizeof(struct wf_frame),
                            (size_t)ncap * sizeof(struct wf_frame));
  if (!p)
    return false;
  ex->frames = p;
  ex->frames_cap = ncap;
  return true;
}
