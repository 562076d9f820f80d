/*
** call.c — calls from the host into Wasm or host functions: argument type
** checks, marshalling between weft_val and slots, and the host-function
** context accessors.
*/
#include "runtime.h"

weft_status wf_call_external(weft_engine *e, weft_instance *caller,
                             weft_func *f, weft_slot *slots, weft_error *err) {
  if (f->aot_slot_fn)
    return wf_aot_call(e, f, slots, err);
  struct weft_host_ctx hc = {e, caller, err};
  return f->host(&hc, f->host_user, slots);
}

/* config.native_stack_margin: native stack left below a Wasm entry's
** floor, for what runs below the deepest checked frame: a function that
** skips the check (AoT leaves), a host function with its buffers, the fuel
** hook, a signal handler on the thread's own stack, the dynamic linker
** resolving a symbol. config.native_stack_default: what Wasm may use below
** the outermost entry when neither the port nor native_stack_bytes tells
** the thread's stack. */

/* The floor for an entry from the host at native stack `here`: the
** thread's real stack bottom (asked at every outermost entry, since an
** engine may run on different threads at different times) plus the
** margin, raised to config.native_stack_bytes below `here` when set. An
** entry already inside the margin gets `here`: its calls trap at once. */
static char *native_floor(const weft_engine *e, uintptr_t here) {
  uintptr_t bottom = (uintptr_t)wf_port_stack_bottom((const void *)here);
  uintptr_t budget = e->config.native_stack_bytes;
  uintptr_t margin = e->config.native_stack_margin;
  uintptr_t floor = 0;
  if (bottom)
    floor = here - bottom > margin ? bottom + margin : here;
  else if (!budget)
    budget = e->config.native_stack_default;
  if (budget && here > budget && here - budget > floor)
    floor = here - budget;
  return (char *)floor;
}

weft_status wf_call(weft_engine *e, weft_func *f, weft_slot *slots,
                    weft_error *err) {
  struct wf_exec *ex = &e->exec;
  const struct wf_functype *t = &e->sigs[f->sig].type;
  u32 need = t->nparams > t->nresults ? t->nparams : t->nresults;
  if (slots + need > ex->stack_end)
    return wf_error_trap(err, WEFT_TRAP_STACK_EXHAUSTED);
  if (ex->entries == 0)
    ex->stack_floor = native_floor(e, (uintptr_t)__builtin_frame_address(0));
  ex->entries++;
  weft_error *saved_err = ex->err;
  ex->err = err;
  weft_status s;
  if (f->host || f->aot_slot_fn) {
    weft_slot *saved_top = ex->top;
    ex->top = slots + need;
    s = wf_call_external(e, NULL, f, slots, err);
    ex->top = saved_top;
  } else {
    weft_slot *saved_top = ex->top;
    ex->top = slots; /* the callee frame grows from here */
    s = wf_interp_call(ex, f, slots);
    ex->top = saved_top;
  }
  ex->err = saved_err;
  ex->entries--;
  return s;
}

weft_status wf_call_resumed(weft_engine *e, const struct wf_frame *at,
                            weft_error *err) {
  struct wf_exec *ex = &e->exec;
  if (ex->entries == 0)
    ex->stack_floor = native_floor(e, (uintptr_t)__builtin_frame_address(0));
  ex->entries++;
  weft_error *saved_err = ex->err;
  weft_slot *saved_top = ex->top;
  ex->err = err;
  ex->top = ex->frames[0].fp;
  weft_status s = wf_interp_resume(ex, at);
  ex->top = saved_top;
  ex->err = saved_err;
  ex->entries--;
  return s;
}

/* A value's meaningful bytes into a zeroed slot (no stale bytes leak). */
void wf_val_to_slot(const weft_val *v, weft_slot *s) {
  memset(s, 0, sizeof *s);
  switch (v->type) {
  case WEFT_I32:
  case WEFT_F32: s->u32 = v->of.u32; break;
  case WEFT_FUNCREF:
  case WEFT_EXNREF:
  case WEFT_EXTERNREF: s->ref = v->of.ref; break;
  case WEFT_V128: *s = v->of; break;
  default: s->u64 = v->of.u64; break;
  }
}

void wf_slot_to_val(weft_valtype t, const weft_slot *s, weft_val *v) {
  v->type = t;
  memset(&v->of, 0, sizeof v->of);
  switch (t) {
  case WEFT_I32:
  case WEFT_F32: v->of.u32 = s->u32; break;
  case WEFT_FUNCREF:
  case WEFT_EXNREF:
  case WEFT_EXTERNREF: v->of.ref = s->ref; break;
  case WEFT_V128: v->of = *s; break;
  default: v->of.u64 = s->u64; break;
  }
}

weft_status weft_func_call(weft_engine *e, weft_func *f, const weft_val *args,
                           uint32_t nargs, weft_val *results, uint32_t nresults,
                           weft_error *err) {
  wf_error_clear(err);
  if (!f || f->engine != e)
    return wf_error_set(err, WEFT_ERR_ARG, "function from another engine");
  const struct wf_functype t = e->sigs[f->sig].type;
  if (nargs != t.nparams)
    return wf_error_set(err, WEFT_ERR_ARG, "expected %u arguments, got %u",
                        t.nparams, nargs);
  if (nresults < t.nresults)
    return wf_error_set(err, WEFT_ERR_ARG, "room for %u results needed, got %u",
                        t.nresults, nresults);
  for (u32 i = 0; i < nargs; i++)
    if ((u8)args[i].type != t.types[i])
      return wf_error_set(err, WEFT_ERR_ARG, "argument %u has the wrong type",
                          i);
  struct wf_exec *ex;
  weft_status s = wf_engine_exec(e, &ex, err);
  if (s != WEFT_OK)
    return s;
  weft_slot *slots = ex->top;
  u32 need = t.nparams > t.nresults ? t.nparams : t.nresults;
  if (slots + need > ex->stack_end)
    return wf_error_trap(err, WEFT_TRAP_STACK_EXHAUSTED);
  for (u32 i = 0; i < nargs; i++)
    wf_val_to_slot(&args[i], &slots[i]);
  s = wf_call(e, f, slots, err);
  if (s != WEFT_OK)
    return s;
  for (u32 i = 0; i < t.nresults; i++)
    wf_slot_to_val((weft_valtype)t.types[t.nparams + i], &slots[i],
                   &results[i]);
  return WEFT_OK;
}

weft_memory *weft_host_memory(weft_host_ctx *ctx) {
  return ctx->inst ? ctx->inst->mem0 : NULL;
}
weft_memory *weft_host_memory_at(weft_host_ctx *ctx, uint32_t index) {
  if (!ctx->inst || index >= wf_module_memory_count(&ctx->inst->module->m))
    return NULL;
  return ctx->inst->memories[index];
}
weft_instance *weft_host_instance(weft_host_ctx *ctx) { return ctx->inst; }
weft_engine *weft_host_engine(weft_host_ctx *ctx) { return ctx->engine; }

weft_status weft_host_trap(weft_host_ctx *ctx, const char *message) {
  if (ctx->err) {
    ctx->err->trap = WEFT_TRAP_HOST;
    return wf_error_set(ctx->err, WEFT_ERR_TRAP, "%s", message);
  }
  return WEFT_ERR_TRAP;
}

weft_status weft_host_charge_fuel(weft_host_ctx *ctx, uint64_t fuel) {
  weft_engine *e = ctx->engine;
  i64 need = fuel > (u64)INT64_MAX ? INT64_MAX : (i64)fuel;
  weft_trap t;

  if (!e->config.fuel_metering || need == 0)
    return WEFT_OK;
  t = wf_engine_refuel(e, need);
  if (t != WEFT_TRAP_NONE)
    return wf_error_trap(ctx->err, t);
  e->exec.fuel -= need;
  return WEFT_OK;
}

weft_status weft_host_exit(weft_host_ctx *ctx, int32_t code) {
  if (ctx->err) {
    ctx->err->exit_code = code;
    return wf_error_set(ctx->err, WEFT_ERR_EXIT, "exit with code %d", code);
  }
  return WEFT_ERR_EXIT;
}
