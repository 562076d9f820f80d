/*
** module.c — weft_module: decode, validate, intern types and lower every
** function once (a precompiled module's on its first need); introspection
** for tools. A module is immutable after
** load, independent of the engine that loaded it (runtime.h), and
** reference-counted (atomically) by the embedder and by the instances
** made from it in any engine.
*/
#include "runtime.h"

static void module_release(weft_module *mod) {
  struct wf_alloc *a = &mod->alloc;
  if (mod->codes)
    for (u32 i = 0; i < mod->m.nfuncs; i++)
      wf_code_free(a, mod->codes[i]);
  wf_alloc_free(a, mod->codes,
                (size_t)(mod->m.nfuncs ? mod->m.nfuncs : 1) * sizeof(void *));
  if (mod->vtypes)
    for (u32 i = 0; i < mod->m.ntypes; i++) {
      const struct wf_functype *t = &mod->m.types[i];
      wf_alloc_free(a, mod->vtypes[i],
                    ((size_t)t->nparams + t->nresults + 1) *
                        sizeof(weft_valtype));
    }
  wf_alloc_free(a, mod->vtypes,
                (size_t)(mod->m.ntypes ? mod->m.ntypes : 1) * sizeof(void *));
  if (mod->aot_slot_fns) {
    size_t n = (size_t)(mod->m.nfuncs ? mod->m.nfuncs : 1) * sizeof(void *);
    wf_alloc_free(a, mod->aot_slot_fns, n);
    wf_alloc_free(a, mod->aot_typed_fns, n);
  }
  wf_module_release(a, &mod->m);
  wf_alloc_free(a, mod->m.bytes, mod->m.size ? mod->m.size : 1);
  struct wf_alloc copy = *a;
  wf_alloc_free(&copy, mod, sizeof *mod);
}

void wf_module_ref(weft_module *mod) {
  u32 was = __atomic_fetch_add(&mod->refs, 1, __ATOMIC_RELAXED);
  WF_ASSERT(was > 0); /* a reference is taken from a live one */
  WF_UNUSED(was);
}

/* The last reference frees: acquire-release so every use of the module by
** other threads happens before its release. */
void wf_module_unref(weft_module *mod) {
  if (!mod)
    return;
  u32 left = __atomic_sub_fetch(&mod->refs, 1, __ATOMIC_ACQ_REL);
  WF_ASSERT(left != UINT32_MAX); /* never dropped more than taken */
  if (left == 0)
    module_release(mod);
}

void weft_module_free(weft_module *mod) { wf_module_unref(mod); }

weft_module *weft_module_ref(weft_module *mod) {
  if (mod)
    wf_module_ref(mod);
  return mod;
}

weft_status weft_module_check_engine(const weft_module *mod,
                                     const weft_engine *e, weft_error *err) {
  wf_error_clear(err);
  if (!mod || !e)
    return wf_error_set(err, WEFT_ERR_ARG, "NULL module or engine");
  return wf_module_compatible(mod, e, err);
}

weft_status wf_module_compatible(const weft_module *mod, const weft_engine *e,
                                 weft_error *err) {
  if (mod->fuel_metering != (e->config.fuel_metering != 0))
    return wf_error_set(err, WEFT_ERR_ARG,
                        "module lowered %s fuel metering, the engine %s: "
                        "load it in an engine with the same fuel setting",
                        mod->fuel_metering ? "with" : "without",
                        e->config.fuel_metering ? "meters" : "does not");
  if (mod->dispatched != (e->dispatch != NULL))
    return wf_error_set(err, WEFT_ERR_ARG,
                        "module lowered for another dispatch encoding");
  return WEFT_OK;
}

/* Each type's value types for the public API, owned by the module (the
** engine's interned table is per engine; a module is not). */
static weft_status module_vtypes(weft_module *mod) {
  struct wf_module *m = &mod->m;
  mod->vtypes =
      wf_alloc_array(&mod->alloc, m->ntypes ? m->ntypes : 1, sizeof(void *));
  if (!mod->vtypes)
    return WEFT_ERR_NOMEM;
  for (u32 i = 0; i < m->ntypes; i++) {
    const struct wf_functype *t = &m->types[i];
    size_t n = (size_t)t->nparams + t->nresults;
    weft_valtype *v = wf_alloc_array(&mod->alloc, n + 1, sizeof(weft_valtype));
    if (!v)
      return WEFT_ERR_NOMEM;
    for (size_t k = 0; k < n; k++)
      v[k] = (weft_valtype)t->types[k];
    mod->vtypes[i] = v;
  }
  return WEFT_OK;
}

/* Lowering a body is also validating it (lower.c), so a module loaded
** from bytes nobody vouches for has every body lowered here: an invalid
** one fails the load, as the specification wants. A precompiled module's
** bodies are lowered on first need instead (wf_module_lower). */
static weft_status lower_all(weft_module *mod, const weft_engine *e,
                             bool lower_bodies, weft_error *err) {
  struct wf_module *m = &mod->m;
  mod->codes =
      wf_alloc_array(&mod->alloc, m->nfuncs ? m->nfuncs : 1, sizeof(void *));
  if (!mod->codes || module_vtypes(mod) != WEFT_OK)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory loading module");
  mod->fuel_metering = e->config.fuel_metering != 0;
  mod->dispatched = e->dispatch != NULL;
  for (u32 i = 0; lower_bodies && i < m->nfuncs; i++) {
    weft_status s = wf_lower_func(&mod->alloc, m, i, e->dispatch,
                                  mod->fuel_metering, &mod->codes[i], err);
    if (s != WEFT_OK)
      return s;
    mod->lowered_bytes += wf_code_bytes(mod->codes[i]);
  }
  return WEFT_OK;
}

/* The body is lowered through a private copy of the module's allocator:
** its counters are the module's, which another thread may be updating;
** the winner adds what it kept to them atomically. */
const struct wf_code *wf_module_lower(weft_module *mod, const weft_engine *e,
                                      u32 defidx, weft_error *err) {
  const struct wf_code *have = wf_module_code(mod, defidx);
  if (have)
    return have;
  struct wf_alloc a = {mod->alloc.fn, mod->alloc.user, 0, 0};
  struct wf_code *code = NULL, *none = NULL;
  if (wf_lower_func(&a, &mod->m, defidx, e->dispatch, mod->fuel_metering, &code,
                    err) != WEFT_OK)
    return NULL;
  if (!__atomic_compare_exchange_n(&mod->codes[defidx], &none, code, false,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    wf_code_free(&a, code); /* another thread's is there: `none` */
    return none;
  }
  __atomic_fetch_add(&mod->alloc.live_bytes, a.live_bytes, __ATOMIC_RELAXED);
  __atomic_fetch_add(&mod->lowered_bytes, wf_code_bytes(code),
                     __ATOMIC_RELAXED);
  return code;
}

const struct wf_code *wf_func_lower(weft_func *f, weft_error *err) {
  weft_module *mod = f->inst->module;
  const struct wf_code *code = wf_module_lower(
      mod, f->inst->engine, f->funcidx - mod->m.nfunc_imports, err);
  if (code)
    f->code = code;
  return code;
}

static weft_status load(weft_engine *e, const uint8_t *bytes, size_t size,
                        bool lower_bodies, weft_module **out, weft_error *err) {
  wf_error_clear(err);
  *out = NULL;
  if (!bytes && size)
    return wf_error_set(err, WEFT_ERR_ARG, "NULL module bytes");
  if (size > e->config.max_module_bytes)
    return wf_error_set(err, WEFT_ERR_LIMIT,
                        "module of %zu bytes exceeds the limit of %llu bytes",
                        size, (unsigned long long)e->config.max_module_bytes);
  struct wf_alloc a = {e->alloc.fn, e->alloc.user, 0, 0};
  weft_module *mod = wf_alloc_zero(&a, sizeof *mod);
  if (!mod)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory loading module");
  mod->alloc = a;
  mod->refs = 1;
  mod->home = e;
  mod->m.bytes = wf_alloc_raw(&mod->alloc, size ? size : 1);
  if (!mod->m.bytes) {
    a = mod->alloc; /* not the one inside the block being freed */
    wf_alloc_free(&a, mod, sizeof *mod);
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory loading module");
  }
  if (size)
    memcpy(mod->m.bytes, bytes, size);
  mod->m.size = size;
  weft_status s = wf_decode_module(&mod->alloc, &e->config, &mod->m, err);
  mod->m.wasm_2_0 = e->config.wasm_2_0 != 0;
  if (s == WEFT_OK)
    s = wf_validate_module(&mod->alloc, &mod->m, err);
  if (s == WEFT_OK)
    s = lower_all(mod, e, lower_bodies, err);
  if (s != WEFT_OK) {
    module_release(mod);
    return s;
  }
  mod->lazy = !lower_bodies;
  *out = mod;
  return WEFT_OK;
}

weft_status weft_module_load(weft_engine *e, const uint8_t *bytes, size_t size,
                             weft_module **out, weft_error *err) {
  return load(e, bytes, size, true, out, err);
}

weft_status weft_module_load_precompiled(weft_engine *e, const uint8_t *bytes,
                                         size_t size, weft_module **out,
                                         weft_error *err) {
  return load(e, bytes, size, false, out, err);
}

uint32_t weft_module_import_count(const weft_module *mod) {
  return mod->m.nimports;
}

void weft_module_import(const weft_module *mod, uint32_t i,
                        weft_import_info *out) {
  const struct wf_import *im = &mod->m.imports[i];
  out->module = im->module;
  out->name = im->name;
  out->kind = (weft_extern_kind)im->kind;
}

uint32_t weft_module_export_count(const weft_module *mod) {
  return mod->m.nexports;
}

void weft_module_export(const weft_module *mod, uint32_t i,
                        weft_export_info *out) {
  const struct wf_export *ex = &mod->m.exports[i];
  out->name = ex->name;
  out->kind = (weft_extern_kind)ex->kind;
  out->index = ex->index;
}

/* The type of entity `index` of kind `kind` in the module's index spaces
** (imports first), as weft_extern_type says it. */
static void entity_type(const struct wf_module *m, u8 kind, u32 index,
                        weft_extern_type *out) {
  memset(out, 0, sizeof *out);
  out->kind = (weft_extern_kind)kind;
  struct wf_limits lim = {0, 0, false, false};
  switch (kind) {
  case WF_EXTERN_FUNC:
    out->func_type = wf_module_func_typeidx(m, index);
    return;
  case WF_EXTERN_TAG: /* exception handling: its payload's type */
    out->func_type = wf_module_tag_typeidx(m, index);
    return;
  case WF_EXTERN_GLOBAL: {
    struct wf_globaltype g = wf_module_global_type(m, index);
    out->value = (weft_valtype)g.valtype;
    out->mutable_ = g.mutable_;
    return;
  }
  case WF_EXTERN_TABLE: {
    struct wf_tabletype t = wf_module_table_type(m, index);
    out->value = (weft_valtype)t.elemtype;
    lim = t.limits;
    break;
  }
  default: lim = wf_module_memory_limits(m, index); break;
  }
  out->min = lim.min;
  out->max = lim.has_max ? lim.max : UINT64_MAX;
}

/* Import i's position in the index space of its kind: the imports of the
** same kind before it. */
static u32 import_index(const struct wf_module *m, u32 i) {
  u32 n = 0;
  for (u32 j = 0; j < i; j++)
    n += m->imports[j].kind == m->imports[i].kind;
  return n;
}

void weft_module_import_type(const weft_module *mod, uint32_t i,
                             weft_extern_type *out) {
  const struct wf_import *im = &mod->m.imports[i];
  entity_type(&mod->m, im->kind, import_index(&mod->m, i), out);
}

void weft_module_export_type(const weft_module *mod, uint32_t i,
                             weft_extern_type *out) {
  const struct wf_export *ex = &mod->m.exports[i];
  entity_type(&mod->m, ex->kind, ex->index, out);
}

weft_status weft_module_func_type(const weft_module *mod, uint32_t typeidx,
                                  const weft_valtype **params, uint32_t *np,
                                  const weft_valtype **results, uint32_t *nr) {
  if (typeidx >= mod->m.ntypes)
    return WEFT_ERR_ARG;
  const struct wf_functype *t = &mod->m.types[typeidx];
  *params = mod->vtypes[typeidx];
  *np = t->nparams;
  *results = mod->vtypes[typeidx] + t->nparams;
  *nr = t->nresults;
  return WEFT_OK;
}

uint64_t weft_module_func_offset(const weft_module *mod, uint32_t funcidx) {
  const struct wf_module *m = &mod->m;
  if (funcidx < m->nfunc_imports || funcidx - m->nfunc_imports >= m->nfuncs)
    return UINT64_MAX;
  u32 at = m->funcs[funcidx - m->nfunc_imports].body_offset;
  /* Skip the body's size, a LEB128 of at most 5 bytes (decode checked). */
  for (u32 k = 0; k < 5 && at < m->size; k++)
    if (!(m->bytes[at++] & 0x80))
      break;
  return at;
}

void weft_module_stats_get(const weft_module *mod, weft_module_stats *out) {
  const struct wf_module *m = &mod->m;
  memset(out, 0, sizeof *out);
  out->types = m->ntypes;
  out->imports = m->nimports;
  out->funcs = wf_module_func_count(m);
  out->tables = wf_module_table_count(m);
  out->memories = wf_module_memory_count(m);
  out->globals = wf_module_global_count(m);
  out->exports = m->nexports;
  out->elems = m->nelems;
  out->datas = m->ndatas;
  out->has_start = m->has_start;
  out->start = m->start;
  for (u32 i = 0; i < m->nfuncs; i++)
    out->code_bytes += m->funcs[i].code.len;
  for (u32 i = 0; i < m->ndatas; i++)
    out->data_bytes += m->datas[i].bytes.len;
  out->lowered_bytes = __atomic_load_n(&mod->lowered_bytes, __ATOMIC_RELAXED);
}

uint32_t weft_module_section_count(const weft_module *mod) {
  return mod->m.nsections;
}

const uint8_t *weft_module_bytes(const weft_module *mod, size_t *out_size) {
  *out_size = mod->m.size;
  return mod->m.bytes;
}

void weft_module_section(const weft_module *mod, uint32_t i,
                         weft_section_info *out) {
  static const char *const names[] = {
      "custom", "type",  "import",  "function", "table", "memory",   "global",
      "export", "start", "element", "code",     "data",  "datacount"};
  const struct wf_section *s = &mod->m.sections[i];
  out->id = s->id;
  out->name = s->name ? s->name : (s->id < 13 ? names[s->id] : "unknown");
  out->offset = s->offset;
  out->size = s->size;
}

const char *weft_module_func_name(const weft_module *mod, uint32_t idx) {
  if (!mod->m.func_names || idx >= mod->m.nfunc_names)
    return NULL;
  return mod->m.func_names[idx];
}
