/*
** aot.c — the runtime side of ahead-of-time code: attaching compiled code
** to a module, the per-instance context generated code runs with, entry
** with a trap landing pad (setjmp here, longjmp from a trap), and the
** entry points generated code calls back (weft_aot_api).
*/
#include <setjmp.h>

#include "runtime.h"

/* A piece must agree with the code already attached on everything the
** runtime reads from the first table alone. */
static weft_status piece_fits(const weft_module *mod,
                              const weft_aot_module *aot, weft_error *err) {
  const weft_aot_module *first = mod->aot;
  if (!first)
    return WEFT_OK;
  if (memcmp(first->module_sha256, aot->module_sha256, 32) != 0 ||
      first->explicit_checks != aot->explicit_checks ||
      first->exceptions != aot->exceptions)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "compiled piece was made for another module or mode");
  return WEFT_OK;
}

/* The merged per-function arrays, made on the first piece that leaves a
** function out or the second table attached. */
static weft_status merge_piece(weft_module *mod, const weft_aot_module *aot,
                               weft_error *err) {
  u32 n = mod->m.nfuncs;
  if (!mod->aot_slot_fns) {
    size_t bytes = (size_t)(n ? n : 1) * sizeof(void *);
    mod->aot_slot_fns = wf_alloc_zero(&mod->alloc, bytes);
    mod->aot_typed_fns = wf_alloc_zero(&mod->alloc, bytes);
    if (!mod->aot_slot_fns || !mod->aot_typed_fns)
      return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory attaching code");
    for (u32 i = 0; mod->aot && i < n; i++) {
      mod->aot_slot_fns[i] = mod->aot->slot_fns[i];
      mod->aot_typed_fns[i] = mod->aot->typed_fns[i];
    }
  }
  for (u32 i = 0; i < n; i++)
    if (!mod->aot_slot_fns[i] && aot->slot_fns[i] && aot->typed_fns[i]) {
      mod->aot_slot_fns[i] = aot->slot_fns[i];
      mod->aot_typed_fns[i] = aot->typed_fns[i];
    }
  if (!mod->aot)
    mod->aot = aot;
  return WEFT_OK;
}

/* Whether every defined function has code in `aot` (a whole module). */
static bool whole(const weft_module *mod, const weft_aot_module *aot) {
  for (u32 i = 0; i < mod->m.nfuncs; i++)
    if (!aot->slot_fns[i] || !aot->typed_fns[i])
      return false;
  return true;
}

weft_status weft_module_attach_aot(weft_module *mod, const void *code,
                                   weft_error *err) {
  wf_error_clear(err);
  const weft_aot_module *aot = code;
  if (!aot || aot->abi != WEFT_AOT_ABI)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "compiled code has AoT ABI %u, this weft needs %u",
                        aot ? aot->abi : 0, WEFT_AOT_ABI);
  if (aot->nfuncs != mod->m.nfuncs)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "compiled code has %u functions, the module %u",
                        aot->nfuncs, mod->m.nfuncs);
  if (!aot->fuel_metering != !mod->fuel_metering)
    return wf_error_set(err, WEFT_ERR_ARG,
                        "compiled code %s fuel, the module %s: compile again "
                        "with the module's fuel setting",
                        aot->fuel_metering ? "meters" : "does not meter",
                        mod->fuel_metering ? "meters it" : "does not");
  weft_status s = piece_fits(mod, aot, err);
  if (s != WEFT_OK)
    return s;
  if (!mod->aot && whole(mod, aot)) {
    mod->aot = aot;
    return WEFT_OK;
  }
  return merge_piece(mod, aot, err);
}

/* ---- traps ------------------------------------------------------------ */

static weft_instance *instance_of(weft_aot_ctx *c) { return c->runtime; }

static struct wf_exec *exec_of(weft_aot_ctx *c) {
  return &instance_of(c)->engine->exec;
}

/* Leave generated code for the innermost entry; the error is recorded. */
static void leave(weft_aot_ctx *c, weft_status status) {
  jmp_buf *jb = exec_of(c)->aot_jmp;
  longjmp(*jb, (int)status);
}

static void aot_trap(weft_aot_ctx *c, u32 kind) {
  wf_error_trap(exec_of(c)->err, (weft_trap)kind);
  leave(c, WEFT_ERR_TRAP);
}

/* ---- calls out of generated code ------------------------------------- */

/* Run f with arguments copied into the value stack (interpreted callees
** need their frame there), results copied back. */
static void call_func(weft_aot_ctx *c, weft_func *f, weft_aot_value *slots) {
  weft_instance *inst = instance_of(c);
  weft_engine *e = inst->engine;
  struct wf_exec *ex = &e->exec;
  const struct wf_functype *t = &e->sigs[f->sig].type;
  u32 n = t->nparams > t->nresults ? t->nparams : t->nresults;
  weft_slot *s = ex->top;
  if (s + n > ex->stack_end)
    aot_trap(c, WEFT_TRAP_STACK_EXHAUSTED);
  memcpy(s, slots, (size_t)t->nparams * sizeof *s);
  weft_status st;
  if (f->host || f->aot_slot_fn) {
    ex->top = s + n;
    st = wf_call_external(e, inst, f, s, ex->err);
    ex->top = s;
  } else {
    st = wf_interp_call(ex, f, s);
  }
  /* Code that handles exceptions finds this one pending (ex->exn) after
  ** the call; other code is left like a trap, its caller unwinds. */
  if (st == WEFT_ERR_EXCEPTION && ex->exn && inst->module->aot->exceptions)
    return;
  if (st != WEFT_OK)
    leave(c, st);
  ex->exn = NULL; /* one a host function caught and dropped is not pending */
  memcpy(slots, s, (size_t)t->nresults * sizeof *s);
}

static void aot_call(weft_aot_ctx *c, u32 funcidx, weft_aot_value *slots) {
  call_func(c, instance_of(c)->funcs[funcidx], slots);
}

static void aot_call_indirect(weft_aot_ctx *c, u32 table, u32 typeidx, u32 elem,
                              weft_aot_value *slots) {
  weft_instance *inst = instance_of(c);
  weft_table *t = inst->tables[table];
  if (elem >= t->size)
    aot_trap(c, WEFT_TRAP_UNDEFINED_ELEMENT);
  weft_func *f = t->elems[elem];
  if (!f)
    aot_trap(c, WEFT_TRAP_UNINIT_ELEMENT);
  if (f->sig != inst->type_sigs[typeidx])
    aot_trap(c, WEFT_TRAP_INDIRECT_MISMATCH);
  call_func(c, f, slots);
}

static void aot_call_ref(weft_aot_ctx *c, u32 typeidx, void *fn,
                         weft_aot_value *slots) {
  weft_func *f = fn;
  if (!f)
    aot_trap(c, WEFT_TRAP_NULL_FUNC_REF);
  if (f->sig != instance_of(c)->type_sigs[typeidx])
    aot_trap(c, WEFT_TRAP_INDIRECT_MISMATCH);
  call_func(c, f, slots);
}

/* ---- memory and tables ------------------------------------------------ */

/* The bulk operations of bulk.c, their traps raised from here. */
static void check(weft_aot_ctx *c, weft_trap t) {
  if (t != WEFT_TRAP_NONE)
    aot_trap(c, t);
}

static i32 aot_memory_grow(weft_aot_ctx *c, u32 delta) {
  i32 old;
  check(c, wf_bulk_memory_grow(instance_of(c), delta, &old));
  return old;
}

static void aot_memory_fill(weft_aot_ctx *c, u32 d, u32 v, u32 n) {
  check(c, wf_bulk_memory_fill(instance_of(c), d, (u8)v, n));
}

static void aot_memory_copy(weft_aot_ctx *c, u32 d, u32 s, u32 n) {
  check(c, wf_bulk_memory_copy(instance_of(c), d, s, n));
}

static void aot_memory_init(weft_aot_ctx *c, u32 seg, u32 d, u32 s, u32 n) {
  check(c, wf_bulk_memory_init(instance_of(c), seg, d, s, n));
}

/* multi-memory, memory64 */
static int64_t aot_memx_grow(weft_aot_ctx *c, u32 mem, u64 delta) {
  i64 old;
  check(c, wf_bulk_memx_grow(instance_of(c), mem, delta, &old));
  return old;
}

static void aot_memx_fill(weft_aot_ctx *c, u32 mem, u64 d, u32 v, u64 n) {
  check(c, wf_bulk_memx_fill(instance_of(c), mem, d, (u8)v, n));
}

static void aot_memx_copy(weft_aot_ctx *c, u32 dm, u32 sm, u64 d, u64 s,
                          u64 n) {
  check(c, wf_bulk_memx_copy(instance_of(c), dm, sm, d, s, n));
}

static void aot_memx_init(weft_aot_ctx *c, u32 mem, u32 seg, u64 d, u32 s,
                          u32 n) {
  check(c, wf_bulk_memx_init(instance_of(c), mem, seg, d, s, n));
}

static void aot_data_drop(weft_aot_ctx *c, u32 seg) {
  instance_of(c)->data_len[seg] = 0;
}

static void *aot_table_get(weft_aot_ctx *c, u32 table, u32 i) {
  weft_table *t = instance_of(c)->tables[table];
  if (i >= t->size)
    aot_trap(c, WEFT_TRAP_TABLE_OOB);
  return t->elems[i];
}

static void aot_table_set(weft_aot_ctx *c, u32 table, u32 i, void *v) {
  weft_table *t = instance_of(c)->tables[table];
  if (i >= t->size)
    aot_trap(c, WEFT_TRAP_TABLE_OOB);
  t->elems[i] = v;
}

static i32 aot_table_grow(weft_aot_ctx *c, u32 table, void *init, u32 n) {
  i32 old;
  check(c, wf_bulk_table_grow(instance_of(c), table, init, n, &old));
  return old;
}

static void aot_table_fill(weft_aot_ctx *c, u32 table, u32 i, void *v, u32 n) {
  check(c, wf_bulk_table_fill(instance_of(c), table, i, v, n));
}

static void aot_table_copy(weft_aot_ctx *c, u32 dst, u32 src, u32 d, u32 s,
                           u32 n) {
  check(c, wf_bulk_table_copy(instance_of(c), dst, src, d, s, n));
}

static void aot_table_init(weft_aot_ctx *c, u32 table, u32 seg, u32 d, u32 s,
                           u32 n) {
  check(c, wf_bulk_table_init(instance_of(c), table, seg, d, s, n));
}

static void aot_elem_drop(weft_aot_ctx *c, u32 seg) {
  instance_of(c)->elems[seg].len = 0;
}

static void aot_refuel(weft_aot_ctx *c, int64_t need) {
  weft_trap t = wf_engine_refuel(instance_of(c)->engine, need);
  if (t != WEFT_TRAP_NONE)
    aot_trap(c, t);
}

/* ---- exception handling ------------------------------------------------ */

static void aot_exn_throw(weft_aot_ctx *c, u32 tag,
                          const weft_aot_value *args) {
  weft_instance *inst = instance_of(c);
  struct wf_exec *ex = &inst->engine->exec;
  weft_exn *x = wf_exn_new(inst->engine, inst->tags[tag],
                           (const weft_slot *)(const void *)args);
  if (!x) {
    wf_error_set(ex->err, WEFT_ERR_NOMEM,
                 "out of memory throwing an exception");
    leave(c, WEFT_ERR_NOMEM);
  }
  ex->exn = x;
}

static void aot_exn_throw_ref(weft_aot_ctx *c, void *exn) {
  if (!exn)
    aot_trap(c, WEFT_TRAP_NULL_EXNREF);
  instance_of(c)->engine->exec.exn = exn;
}

static int aot_exn_is(weft_aot_ctx *c, u32 tag) {
  weft_instance *inst = instance_of(c);
  return inst->engine->exec.exn->tag == inst->tags[tag];
}

static void *aot_exn_take(weft_aot_ctx *c, weft_aot_value *vals, int keep) {
  weft_engine *e = instance_of(c)->engine;
  struct wf_exec *ex = &e->exec;
  weft_exn *x = ex->exn;
  ex->exn = NULL;
  if (ex->err && ex->err->status == WEFT_ERR_EXCEPTION)
    wf_error_clear(ex->err); /* it came from a nested call: caught now */
  /* vals is NULL for a catch_all, whose handler has no room for these. */
  if (x->n && vals)
    memcpy(vals, x->vals, (size_t)x->n * sizeof(weft_slot));
  if (keep) {
    x->escaped = true;
    return x;
  }
  wf_exn_drop(e, x);
  return NULL;
}

static const weft_aot_api aot_api = {
    aot_trap,        aot_call,          aot_call_indirect, aot_memory_grow,
    aot_memory_init, aot_data_drop,     aot_table_get,     aot_table_set,
    aot_table_grow,  aot_table_fill,    aot_table_copy,    aot_table_init,
    aot_elem_drop,   aot_refuel,        aot_memory_fill,   aot_memory_copy,
    aot_exn_throw,   aot_exn_throw_ref, aot_exn_is,        aot_exn_take,
    aot_call_ref,    aot_memx_grow,     aot_memx_fill,     aot_memx_copy,
    aot_memx_init,
};

/* ---- instances -------------------------------------------------------- */

/* The context with its call keys, one per type. No overflow:
** the module's array of types, larger per entry, was allocated. */
static size_t ctx_bytes(const weft_instance *inst) {
  return sizeof(weft_aot_ctx) +
         (size_t)inst->module->m.ntypes * sizeof(uint64_t);
}

/* The call keys of the context and of the instance's functions
** (weft_aot_func.call_key): the high half a serial unique among the
** engine's AoT instances. Should an engine make 2^32 - 2 of them, later
** instances' functions get serial 0 and their contexts UINT32_MAX, which
** nothing else has: their calls then take the path for functions of
** another instance, which passes the callee's own context. */
static void set_call_keys(weft_engine *e, weft_instance *inst,
                          weft_aot_ctx *c) {
  _Static_assert(
      offsetof(weft_func, aot_call_key) == offsetof(weft_aot_func, call_key) &&
          offsetof(weft_func, aot_ctx) == offsetof(weft_aot_func, ctx),
      "function view and runtime fields agree");
  u64 fn_serial = 0, ctx_serial = UINT32_MAX;
  if (e->aot_serials < UINT32_MAX - 1)
    fn_serial = ctx_serial = ++e->aot_serials;
  const struct wf_module *m = &inst->module->m;
  for (u32 i = 0; i < m->ntypes; i++)
    c->call_key_of[i] = ctx_serial << 32 | (inst->type_sigs[i] + 1u);
  for (u32 i = 0; i < m->nfuncs; i++) {
    weft_func *f = inst->funcs[m->nfunc_imports + i];
    f->aot_call_key = f->aot_typed_fn ? fn_serial << 32 | (f->sig + 1u) : 0;
  }
}

weft_status wf_aot_instance_init(weft_engine *e, weft_instance *inst,
                                 weft_error *err) {
  const weft_aot_module *aot = inst->module->aot;
  weft_aot_ctx *c = wf_alloc_zero(&e->alloc, ctx_bytes(inst));
  if (!c)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory instantiating");
  c->memory = inst->mem0 ? &inst->mem0->view : NULL;
  /* The view is the first member of a memory (runtime.h). */
  _Static_assert(offsetof(weft_memory, view) == 0, "memory view first");
  c->memories = (weft_aot_memory **)inst->memories;
  c->mem0_data = inst->mem0 && inst->mem0->reserved ? inst->mem0->data : NULL;
  c->globals = (weft_aot_global **)inst->globals;
  c->tables = (weft_aot_table **)inst->tables;
  c->funcs = (weft_aot_func **)inst->funcs;
  c->table0 = wf_module_table_count(&inst->module->m)
                  ? (weft_aot_table *)inst->tables[0]
                  : NULL;
  c->global0 = wf_module_global_count(&inst->module->m)
                   ? (weft_aot_global *)inst->globals[0]
                   : NULL;
  c->api = &aot_api;
  c->depth_left = e->config.max_call_depth;
  c->fuel = &e->exec.fuel;
  c->runtime = inst;
  c->exn = (void *const *)&e->exec.exn;
  inst->aot = c;
  if (!aot->explicit_checks && inst->mem0 && !inst->mem0->reserved)
    return wf_error_set(err, WEFT_ERR_UNSUPPORTED,
                        "code compiled for guard pages, but memory 0 has no "
                        "guard reservation (guard pages disabled or "
                        "unavailable); compile with explicit bounds checks");
  const struct wf_module *m = &inst->module->m;
  const weft_module *mod = inst->module;
  weft_aot_slot_fn const *slots =
      mod->aot_slot_fns ? mod->aot_slot_fns : aot->slot_fns;
  void *const *typed = mod->aot_typed_fns ? mod->aot_typed_fns : aot->typed_fns;
  /* A function without code keeps NULL entries: the interpreter runs it,
  ** and compiled callers reach it through the runtime (api->call). */
  for (u32 i = 0; i < m->nfuncs; i++) {
    weft_func *f = inst->funcs[m->nfunc_imports + i];
    f->aot_typed_fn = slots[i] ? typed[i] : NULL;
    f->aot_ctx = c;
    f->aot_slot_fn = slots[i];
  }
  set_call_keys(e, inst, c);
  return WEFT_OK;
}

void wf_aot_instance_release(weft_engine *e, weft_instance *inst) {
  wf_alloc_free(&e->alloc, inst->aot, ctx_bytes(inst));
}

/* ---- entry ------------------------------------------------------------ */

weft_status wf_aot_call(weft_engine *e, weft_func *f, weft_slot *slots,
                        weft_error *err) {
  struct wf_exec *ex = &e->exec;
  weft_aot_ctx *c = f->aot_ctx;
  jmp_buf jb;
  void *volatile saved_jmp = ex->aot_jmp;
  weft_error *volatile saved_err = ex->err;
  volatile u32 saved_depth = c->depth_left;
  /* The floor of the outermost entry (call.c): the thread's own stack. */
  c->stack_limit = ex->stack_floor;
  ex->err = err;
  ex->aot_jmp = &jb;
  bool guard = !instance_of(c)->module->aot->explicit_checks;
  void *saved_fault = guard ? wf_port_fault_enter(ex) : NULL;
  ex->exn = NULL; /* a stale one from an earlier call is not pending */
  int status = setjmp(jb);
  if (status == 0) {
    f->aot_slot_fn(c, (weft_aot_value *)slots);
    if (ex->exn) /* no handler in the compiled frames: to the caller */
      status = (int)wf_exn_uncaught(err, ex->exn);
  }
  if (guard)
    wf_port_fault_leave(saved_fault);
  c->depth_left = saved_depth;
  ex->aot_jmp = saved_jmp;
  ex->err = saved_err;
  return (weft_status)status;
}

/* From the port's fault handler, on the faulting thread: an access inside
** a guard reservation of this engine is an out-of-bounds trap. */
void wf_aot_fault(void *ctx, void *addr) {
  struct wf_exec *ex = ctx;
  weft_engine *e = WF_CONTAINER_OF(ex, weft_engine, exec);
  u8 *a = addr;
  for (weft_memory *m = e->reserved_memories; m; m = m->next_reserved) {
    if (a >= m->data && a < m->data + m->reserved && ex->aot_jmp) {
      wf_error_trap(ex->err, WEFT_TRAP_MEMORY_OOB);
      longjmp(*(jmp_buf *)ex->aot_jmp, WEFT_ERR_TRAP);
    }
  }
}
