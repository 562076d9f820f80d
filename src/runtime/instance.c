/*
** instance.c — linking and instantiation: resolve imports with exact type
** checks, allocate what the module defines, evaluate constant expressions,
** apply active segments in the spec's order, run the start function.
*/
#include "runtime.h"
#include "le.h"

/* ---- linker ----------------------------------------------------------- */

struct wf_linker_entry {
  char *module;
  char *name;
  weft_extern ext;
};

const weft_aot_memory wf_no_memory = {NULL, 0};

static char *dup_str(struct wf_alloc *a, const char *s) {
  size_t n = wf_strlen(s) + 1;
  char *p = wf_alloc_raw(a, n);
  if (p)
    memcpy(p, s, n);
  return p;
}

weft_status weft_linker_new(weft_engine *e, weft_linker **out,
                            weft_error *err) {
  wf_error_clear(err);
  weft_linker *l = wf_alloc_zero(&e->alloc, sizeof *l);
  if (!l)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  l->engine = e;
  *out = l;
  return WEFT_OK;
}

void weft_linker_free(weft_linker *l) {
  if (!l)
    return;
  struct wf_alloc *a = &l->engine->alloc;
  for (u32 i = 0; i < l->count; i++) {
    wf_alloc_free(a, l->entries[i].module, wf_strlen(l->entries[i].module) + 1);
    wf_alloc_free(a, l->entries[i].name, wf_strlen(l->entries[i].name) + 1);
  }
  wf_alloc_free(a, l->entries, (size_t)l->cap * sizeof(struct wf_linker_entry));
  wf_alloc_free(a, l, sizeof *l);
}

static struct wf_linker_entry *linker_find(weft_linker *l, const char *module,
                                           u32 module_len, const char *name,
                                           u32 name_len) {
  for (u32 i = l->count; i-- > 0;) {
    struct wf_linker_entry *en = &l->entries[i];
    if (wf_strlen(en->module) == module_len &&
        wf_strlen(en->name) == name_len &&
        !memcmp(en->module, module, module_len) &&
        !memcmp(en->name, name, name_len))
      return en;
  }
  return NULL;
}

weft_status weft_linker_define(weft_linker *l, const char *module,
                               const char *name, weft_extern ext,
                               weft_error *err) {
  wf_error_clear(err);
  struct wf_alloc *a = &l->engine->alloc;
  struct wf_linker_entry *en = linker_find(l, module, (u32)wf_strlen(module),
                                           name, (u32)wf_strlen(name));
  if (en) {
    en->ext = ext;
    return WEFT_OK;
  }
  if (l->count == l->cap) {
    u32 ncap = l->cap ? l->cap * 2 : 16;
    void *p = wf_alloc_resize(a, l->entries,
                              (size_t)l->cap * sizeof(struct wf_linker_entry),
                              (size_t)ncap * sizeof(struct wf_linker_entry));
    if (!p)
      return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
    l->entries = p;
    l->cap = ncap;
  }
  char *m = dup_str(a, module), *n = dup_str(a, name);
  if (!m || !n) {
    if (m)
      wf_alloc_free(a, m, wf_strlen(m) + 1);
    if (n)
      wf_alloc_free(a, n, wf_strlen(n) + 1);
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  }
  l->entries[l->count].module = m;
  l->entries[l->count].name = n;
  l->entries[l->count].ext = ext;
  l->count++;
  return WEFT_OK;
}

static void extern_of(const weft_instance *inst, const struct wf_export *ex,
                      weft_extern *out) {
  out->kind = (weft_extern_kind)ex->kind;
  switch (ex->kind) {
  case WF_EXTERN_FUNC: out->of.func = inst->funcs[ex->index]; break;
  case WF_EXTERN_TABLE: out->of.table = inst->tables[ex->index]; break;
  case WF_EXTERN_MEMORY: out->of.memory = inst->memories[ex->index]; break;
  case WF_EXTERN_TAG: out->of.tag = inst->tags[ex->index]; break;
  default: out->of.global = inst->globals[ex->index]; break;
  }
}

weft_status weft_linker_define_instance(weft_linker *l, const char *module,
                                        weft_instance *inst, weft_error *err) {
  const struct wf_module *m = &inst->module->m;
  for (u32 i = 0; i < m->nexports; i++) {
    weft_extern ext;
    extern_of(inst, &m->exports[i], &ext);
    weft_status s = weft_linker_define(l, module, m->exports[i].name, ext, err);
    if (s != WEFT_OK)
      return s;
  }
  return WEFT_OK;
}

weft_status weft_instance_export(const weft_instance *inst, const char *name,
                                 weft_extern *out) {
  return weft_instance_export_n(inst, name, wf_strlen(name), out);
}

weft_status weft_instance_export_n(const weft_instance *inst, const char *name,
                                   size_t n, weft_extern *out) {
  const struct wf_module *m = &inst->module->m;
  for (u32 i = 0; i < m->nexports; i++)
    if (m->exports[i].name_len == n && !memcmp(m->exports[i].name, name, n)) {
      extern_of(inst, &m->exports[i], out);
      return WEFT_OK;
    }
  return WEFT_ERR_ARG;
}

const weft_module *weft_instance_module(const weft_instance *inst) {
  return inst->module;
}

static size_t hits_bytes(const struct wf_module *m) {
  u32 n = wf_module_func_count(m);
  return (size_t)(n ? n : 1) * sizeof(u64);
}

weft_status weft_instance_count_hits(weft_instance *inst, weft_error *err) {
  wf_error_clear(err);
  if (inst->hits != NULL)
    return WEFT_OK;
  inst->hits =
      wf_alloc_zero(&inst->engine->alloc, hits_bytes(&inst->module->m));
  if (inst->hits == NULL)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory for the profile");
  inst->calls_by_func = true; /* where the interpreter counts entries */
  return WEFT_OK;
}

uint64_t weft_instance_func_hits(const weft_instance *inst, uint32_t def) {
  const struct wf_module *m = &inst->module->m;
  if (inst->hits == NULL || def >= m->nfuncs)
    return 0;
  return inst->hits[m->nfunc_imports + def];
}

/* ---- instance lifetime ------------------------------------------------ */

static void release_instance(weft_engine *e, struct wf_object *o) {
  weft_instance *inst = WF_CONTAINER_OF(o, weft_instance, obj);
  const struct wf_module *m = &inst->module->m;
  struct wf_alloc *a = &e->alloc;
  if (inst->elems)
    for (u32 i = 0; i < m->nelems; i++)
      wf_alloc_free(a, inst->elems[i].refs,
                    (size_t)(m->elems[i].count ? m->elems[i].count : 1) *
                        sizeof(void *));
  wf_alloc_free(a, inst->elems,
                (size_t)(m->nelems ? m->nelems : 1) *
                    sizeof(struct wf_elem_inst));
  wf_alloc_free(a, inst->data_len,
                (size_t)(m->ndatas ? m->ndatas : 1) * sizeof(u32));
  wf_alloc_free(
      a, inst->funcs,
      (size_t)(wf_module_func_count(m) ? wf_module_func_count(m) : 1) *
          sizeof(void *));
  wf_alloc_free(
      a, inst->tables,
      (size_t)(wf_module_table_count(m) ? wf_module_table_count(m) : 1) *
          sizeof(void *));
  wf_alloc_free(
      a, inst->memories,
      (size_t)(wf_module_memory_count(m) ? wf_module_memory_count(m) : 1) *
          sizeof(void *));
  wf_alloc_free(
      a, inst->globals,
      (size_t)(wf_module_global_count(m) ? wf_module_global_count(m) : 1) *
          sizeof(void *));
  wf_alloc_free(a, inst->tags,
                (size_t)(wf_module_tag_count(m) ? wf_module_tag_count(m) : 1) *
                    sizeof(void *));
  wf_alloc_free(a, inst->type_sigs,
                (size_t)(m->ntypes ? m->ntypes : 1) * sizeof(u32));
  if (inst->hits)
    wf_alloc_free(a, inst->hits, hits_bytes(m));
  if (inst->aot)
    wf_aot_instance_release(e, inst);
  wf_module_unref(inst->module);
  wf_alloc_free(a, inst, sizeof *inst);
}

/* The module's function types in this instance's engine: call_indirect,
** imports and AoT code compare these ids (modules are engine-independent,
** so each instance interns them into its own engine). */
static weft_status intern_types(weft_engine *e, weft_instance *inst,
                                weft_error *err) {
  const struct wf_module *m = &inst->module->m;
  inst->type_sigs =
      wf_alloc_array(&e->alloc, m->ntypes ? m->ntypes : 1, sizeof(u32));
  if (!inst->type_sigs)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory instantiating");
  for (u32 i = 0; i < m->ntypes; i++) {
    if (wf_engine_intern_sig(e, &m->types[i], &inst->type_sigs[i]) != WEFT_OK)
      return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory instantiating");
    WF_ASSERT(inst->type_sigs[i] < e->nsigs);
  }
  return WEFT_OK;
}

static weft_status alloc_arrays(weft_engine *e, weft_instance *inst,
                                weft_error *err) {
  const struct wf_module *m = &inst->module->m;
  struct wf_alloc *a = &e->alloc;
#define ARR(n, sz) wf_alloc_array(a, (n) ? (n) : 1, (sz))
  inst->funcs = ARR(wf_module_func_count(m), sizeof(void *));
  inst->tables = ARR(wf_module_table_count(m), sizeof(void *));
  inst->memories = ARR(wf_module_memory_count(m), sizeof(void *));
  inst->globals = ARR(wf_module_global_count(m), sizeof(void *));
  inst->tags = ARR(wf_module_tag_count(m), sizeof(void *));
  inst->elems = ARR(m->nelems, sizeof(struct wf_elem_inst));
  inst->data_len = ARR(m->ndatas, sizeof(u32));
#undef ARR
  if (!inst->funcs || !inst->tables || !inst->memories || !inst->globals ||
      !inst->tags || !inst->elems || !inst->data_len)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory instantiating");
  return WEFT_OK;
}

/* ---- imports ---------------------------------------------------------- */

static const char *const kind_names[] = {"function", "table", "memory",
                                         "global", "tag"};

static bool limits_match(u64 have_min, bool have_has_max, u64 have_max,
                         const struct wf_limits *want) {
  if (have_min < want->min)
    return false;
  if (want->has_max && (!have_has_max || have_max > want->max))
    return false;
  return true;
}

/* {====== typed function references: types across modules ================
** A global's or table's type in full, its type index (module-local)
** replaced by the engine's signature id + 1, so imports compare across
** modules: immutable globals by subtyping, mutable globals and tables
** exactly. Signatures are interned by kinds, so two function types that
** differ only in their references' precision share an id (a coarser
** check, on the permissive side, for concrete heap types only). */
static wf_vt engine_vt(const weft_instance *inst, u8 kind, wf_vt full) {
  wf_vt t = WF_VT(kind, full);
  if (!WF_VT_HEAP(t))
    return t;
  return (t & 0x1ffu) | ((wf_vt)(inst->type_sigs[WF_VT_HEAP(t) - 1] + 1) << 9);
}

static bool engine_vt_sub(wf_vt a, wf_vt b) {
  if (a == b)
    return true;
  if (WF_VT_KIND(a) != WF_VT_KIND(b) ||
      ((b & WF_VT_NONNULL) && !(a & WF_VT_NONNULL)))
    return false;
  return !WF_VT_HEAP(b) || WF_VT_HEAP(a) == WF_VT_HEAP(b);
}
/* }====== */

/* The engine that owns a definition: imports must come from the
** instance's own (signature ids and objects are per engine). */
static const weft_engine *extern_engine(const weft_extern *x) {
  switch (x->kind) {
  case WEFT_EXTERN_FUNC: return x->of.func->engine;
  case WEFT_EXTERN_TABLE: return x->of.table->engine;
  case WEFT_EXTERN_MEMORY: return x->of.memory->engine;
  case WEFT_EXTERN_TAG: return x->of.tag->engine;
  default: return x->of.global->engine;
  }
}

static weft_status link_error(weft_error *err, const struct wf_import *im,
                              const char *why) {
  return wf_error_set(err, WEFT_ERR_LINK, "%s: import %s.%s (%s)", why,
                      im->module, im->name,
                      kind_names[im->kind < 5 ? im->kind : 3]);
}

static weft_status resolve_import(weft_linker *l, weft_instance *inst,
                                  const struct wf_import *im, u32 counts[5],
                                  weft_error *err) {
  struct wf_linker_entry *en =
      l ? linker_find(l, im->module, im->module_len, im->name, im->name_len)
        : NULL;
  /* The pre-snapshot WASI ABI differs from preview 1 in places (seek
  ** whence, filestat layout), so it is refused by name rather than mapped
  ** onto it; only an embedder that defines it gets it. */
  if (!en && wf_strcmp(im->module, "wasi_unstable") == 0)
    return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                        "unsupported feature: wasi_unstable (legacy WASI; "
                        "rebuild for wasi_snapshot_preview1): import "
                        "wasi_unstable.%s",
                        im->name);
  if (!en)
    return link_error(err, im, "unknown import");
  if ((u8)en->ext.kind != im->kind)
    return link_error(err, im, "incompatible import type");
  if (extern_engine(&en->ext) != inst->engine)
    return link_error(err, im, "definition of another engine");
  wf_vt want;
  switch (im->kind) {
  case WF_EXTERN_FUNC:
    if (en->ext.of.func->sig != inst->type_sigs[im->of.typeidx])
      return link_error(err, im, "incompatible import type");
    inst->funcs[counts[0]++] = en->ext.of.func;
    return WEFT_OK;
  case WF_EXTERN_TABLE: {
    weft_table *t = en->ext.of.table;
    want = engine_vt(inst, im->of.table.elemtype, im->of.table.full);
    if (t->elemtype != im->of.table.elemtype ||
        WF_VT(t->elemtype, t->ref_type) != want ||
        t->is64 != im->of.table.limits.is64 ||
        !limits_match(t->size, t->has_max, t->decl_max, &im->of.table.limits))
      return link_error(err, im, "incompatible import type");
    inst->tables[counts[1]++] = t;
    return WEFT_OK;
  }
  case WF_EXTERN_MEMORY: {
    weft_memory *mem = en->ext.of.memory;
    if (mem->is64 != im->of.memory.is64 ||
        !limits_match(mem->pages, mem->has_max, mem->decl_max, &im->of.memory))
      return link_error(err, im, "incompatible import type");
    inst->memories[counts[2]++] = mem;
    return WEFT_OK;
  }
  case WF_EXTERN_TAG: /* exception handling: tag types match exactly */
    if (en->ext.of.tag->sig != inst->type_sigs[im->of.typeidx])
      return link_error(err, im, "incompatible import type");
    inst->tags[counts[4]++] = en->ext.of.tag;
    return WEFT_OK;
  default: {
    weft_global *g = en->ext.of.global;
    want = engine_vt(inst, im->of.global.valtype, im->of.global.full);
    if (g->type != im->of.global.valtype ||
        g->mutable_ != im->of.global.mutable_ ||
        (g->mutable_ ? WF_VT(g->type, g->ref_type) != want
                     : !engine_vt_sub(WF_VT(g->type, g->ref_type), want)))
      return link_error(err, im, "incompatible import type");
    inst->globals[counts[3]++] = g;
    return WEFT_OK;
  }
  }
}

/* ---- definitions ------------------------------------------------------ */

static u64 global_bits(void *user, u32 idx) {
  const weft_instance *inst = user;
  return inst->globals[idx]->val.u64;
}

static weft_slot eval_const(const weft_instance *inst, struct wf_bytes expr) {
  struct wf_constexpr c;
  weft_slot v;
  wf_constexpr_decode(&inst->module->m, expr, &c);
  memset(&v, 0, sizeof v);
  switch (c.kind) {
  case WF_CONST_VALUE:
    if (c.type == WF_I32 || c.type == WF_F32)
      v.u32 = (u32)c.bits;
    else if (c.type == WF_V128)
      wf_st64(v.v128, c.bits), wf_st64(v.v128 + 8, c.bits_hi);
    else
      v.u64 = c.bits;
    break;
  case WF_CONST_REF_NULL: v.ref = NULL; break;
  case WF_CONST_REF_FUNC: v.ref = inst->funcs[c.index]; break;
  case WF_CONST_EXTENDED:
    v.u64 = wf_constexpr_eval_ints(&inst->module->m, expr, global_bits,
                                   (void *)inst);
    break;
  default: v = inst->globals[c.index]->val; break;
  }
  return v;
}

static weft_status define_all(weft_engine *e, weft_instance *inst,
                              weft_error *err) {
  const weft_module *mod = inst->module;
  const struct wf_module *m = &mod->m;
  weft_status s;
  for (u32 i = 0; i < m->nfuncs; i++) {
    u32 idx = m->nfunc_imports + i;
    s = wf_func_create(e, inst->type_sigs[m->funcs[i].typeidx],
                       &inst->funcs[idx], err);
    if (s != WEFT_OK)
      return s;
    inst->funcs[idx]->inst = inst;
    inst->funcs[idx]->code = wf_module_code(mod, i); /* NULL: later */
    inst->funcs[idx]->funcidx = idx;
  }
  for (u32 i = 0; i < m->ntables; i++) {
    const struct wf_tabletype *t = &m->tables[i];
    /* table64 sizes past u32 saturate: no engine limit reaches them. */
    u32 min = t->limits.min > UINT32_MAX ? UINT32_MAX : (u32)t->limits.min;
    u32 max = t->limits.max > UINT32_MAX ? UINT32_MAX : (u32)t->limits.max;
    weft_table **slot = &inst->tables[m->ntable_imports + i];
    s = wf_table_create(e, t->elemtype, min, max, t->limits.has_max, NULL, slot,
                        err);
    if (s != WEFT_OK)
      return s;
    inst->tables[m->ntable_imports + i]->ref_type =
        engine_vt(inst, t->elemtype, t->full);
    (*slot)->is64 = t->limits.is64;
    (*slot)->decl_max = t->limits.max;
  }
  for (u32 i = 0; i < m->nmemories; i++) {
    const struct wf_limits *lim = &m->memories[i];
    weft_memory **slot = &inst->memories[m->nmemory_imports + i];
    s = wf_memory_create(e, lim->min, lim->max, lim->has_max, lim->is64, slot,
                         err);
    if (s != WEFT_OK)
      return s;
  }
  inst->mem0 = wf_module_memory_count(m) ? inst->memories[0] : NULL;
  inst->mem0_view = inst->mem0 ? &inst->mem0->view : &wf_no_memory;
  for (u32 i = 0; i < m->ntags; i++) { /* exception handling */
    s = wf_tag_create(e, inst->type_sigs[m->tag_types[i]],
                      &inst->tags[m->ntag_imports + i], err);
    if (s != WEFT_OK)
      return s;
  }
  for (u32 i = 0; i < m->nglobals; i++) {
    const struct wf_global_decl *g = &m->globals[i];
    s = wf_global_create(e, g->type.valtype, g->type.mutable_,
                         eval_const(inst, g->init),
                         &inst->globals[m->nglobal_imports + i], err);
    if (s != WEFT_OK)
      return s;
    inst->globals[m->nglobal_imports + i]->ref_type =
        engine_vt(inst, g->type.valtype, g->type.full);
  }
  /* tables with an initializer (typed function references): after the
  ** globals it may read */
  for (u32 i = 0; i < m->ntables; i++)
    if (m->tables[i].has_init) {
      weft_table *t = inst->tables[m->ntable_imports + i];
      void *init = eval_const(inst, m->tables[i].init).ref;
      for (u32 k = 0; k < t->size; k++)
        t->elems[k] = init;
    }
  for (u32 i = 0; i < m->nelems; i++) {
    const struct wf_elem *el = &m->elems[i];
    inst->elems[i].refs =
        wf_alloc_array(&e->alloc, el->count ? el->count : 1, sizeof(void *));
    if (!inst->elems[i].refs)
      return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory instantiating");
    for (u32 k = 0; k < el->count; k++)
      inst->elems[i].refs[k] = el->funcs ? (void *)inst->funcs[el->funcs[k]]
                                         : eval_const(inst, el->exprs[k]).ref;
    inst->elems[i].len = el->mode == WF_SEG_PASSIVE ? el->count : 0;
  }
  for (u32 i = 0; i < m->ndatas; i++)
    inst->data_len[i] =
        m->datas[i].mode == WF_SEG_PASSIVE ? m->datas[i].bytes.len : 0;
  return WEFT_OK;
}

/* Active segments in order; a failing one traps with earlier writes kept. */
static weft_status init_segments(weft_instance *inst, weft_error *err) {
  const struct wf_module *m = &inst->module->m;
  for (u32 i = 0; i < m->nelems; i++) {
    const struct wf_elem *el = &m->elems[i];
    if (el->mode != WF_SEG_ACTIVE)
      continue;
    weft_table *t = inst->tables[el->table];
    weft_slot o = eval_const(inst, el->offset);
    u64 off = t->is64 ? o.u64 : o.u32;
    if (off > t->size || off + el->count > t->size)
      return wf_error_trap(err, WEFT_TRAP_TABLE_OOB);
    if (el->count)
      memcpy(t->elems + off, inst->elems[i].refs, el->count * sizeof(void *));
  }
  for (u32 i = 0; i < m->ndatas; i++) {
    const struct wf_data *d = &m->datas[i];
    if (d->mode != WF_SEG_ACTIVE)
      continue;
    weft_memory *mem = inst->memories[d->memory];
    weft_slot o = eval_const(inst, d->offset);
    u64 off = mem->is64 ? o.u64 : o.u32;
    if (off > mem->size || off + d->bytes.len > mem->size)
      return wf_error_trap(err, WEFT_TRAP_MEMORY_OOB);
    if (d->bytes.len)
      memcpy(mem->data + off, d->bytes.ptr, d->bytes.len);
  }
  return WEFT_OK;
}

weft_status weft_instantiate(weft_linker *l, weft_module *mod,
                             weft_instance **out, weft_error *err) {
  /* The linker names the engine; without one, the loading engine. */
  if (!mod) {
    wf_error_clear(err);
    *out = NULL;
    return wf_error_set(err, WEFT_ERR_ARG, "NULL module");
  }
  return wf_instantiate(l ? l->engine : mod->home, l, mod, true, out, err);
}

weft_status wf_instantiate(weft_engine *e, weft_linker *l, weft_module *mod,
                           bool run_start, weft_instance **out,
                           weft_error *err) {
  wf_error_clear(err);
  *out = NULL;
  if (l && l->engine != e)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "linker and instance belong to different engines");
  weft_status s = wf_module_compatible(mod, e, err);
  if (s != WEFT_OK)
    return s;
  weft_instance *inst = wf_alloc_zero(&e->alloc, sizeof *inst);
  if (!inst)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory instantiating");
  inst->engine = e;
  inst->module = mod;
  wf_module_ref(mod);
  wf_engine_track(e, &inst->obj, release_instance);
  s = intern_types(e, inst, err);
  if (s == WEFT_OK)
    s = alloc_arrays(e, inst, err);
  u32 counts[5] = {0, 0, 0, 0, 0};
  for (u32 i = 0; s == WEFT_OK && i < mod->m.nimports; i++)
    s = resolve_import(l, inst, &mod->m.imports[i], counts, err);
  if (s == WEFT_OK)
    s = define_all(e, inst, err);
  if (s == WEFT_OK && mod->aot)
    s = wf_aot_instance_init(e, inst, err);
  inst->calls_by_func = inst->aot != NULL || mod->lazy;
  inst->codes = mod->codes;
  if (s == WEFT_OK)
    s = init_segments(inst, err);
  if (s == WEFT_OK && mod->m.has_start && run_start) {
    struct wf_exec *ex;
    s = wf_engine_exec(e, &ex, err);
    if (s == WEFT_OK)
      s = wf_call(e, inst->funcs[mod->m.start], ex->top, err);
  }
  if (s != WEFT_OK)
    return s; /* the engine still owns (and later frees) the instance */
  *out = inst;
  return WEFT_OK;
}
