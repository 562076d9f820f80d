/*
** exn.c — exception handling's runtime objects (WebAssembly 3.0): tag
** instances and exceptions, and their public API. How a thrown exception
** finds its handler is the engines' business (interp/interp.c unwinds its
** frames; generated C returns through its callers); this file only makes,
** keeps and frees the objects.
**
** Lifetime: an exception lives in its engine's list until the engine is
** freed, unless it never escaped: one caught by catch or catch_all (no
** reference taken) is freed by the handler that caught it, so a program
** that throws and catches in a loop does not grow. One that Wasm saw as an
** exnref (catch_ref, catch_all_ref, the legacy catch) or that reached the
** embedder stays, as a reference to it may be kept anywhere.
*/
#include "runtime.h"

static void release_tag(weft_engine *e, struct wf_object *o) {
  wf_alloc_free(&e->alloc, WF_CONTAINER_OF(o, weft_tag, obj), sizeof(weft_tag));
}

weft_status wf_tag_create(weft_engine *e, u32 sig, weft_tag **out,
                          weft_error *err) {
  weft_tag *t = wf_alloc_zero(&e->alloc, sizeof *t);
  if (!t)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  t->engine = e;
  t->sig = sig;
  wf_engine_track(e, &t->obj, release_tag);
  *out = t;
  return WEFT_OK;
}

static size_t exn_size(u32 n) {
  return sizeof(weft_exn) + (size_t)n * sizeof(weft_slot);
}

weft_exn *wf_exn_new(weft_engine *e, weft_tag *tag, const weft_slot *args) {
  u32 n = e->sigs[tag->sig].type.nparams;
  weft_exn *x = wf_alloc_raw(&e->alloc, exn_size(n));
  if (!x)
    return NULL;
  x->tag = tag;
  x->n = n;
  x->escaped = false;
  if (n)
    memcpy(x->vals, args, (size_t)n * sizeof(weft_slot));
  x->prev = NULL;
  x->next = e->exns;
  if (e->exns)
    e->exns->prev = x;
  e->exns = x;
  e->nexns++;
  return x;
}

void wf_exn_drop(weft_engine *e, weft_exn *x) {
  if (!x || x->escaped)
    return;
  if (x->prev)
    x->prev->next = x->next;
  else
    e->exns = x->next;
  if (x->next)
    x->next->prev = x->prev;
  e->nexns--;
  wf_alloc_free(&e->alloc, x, exn_size(x->n));
}

void wf_exn_free_all(weft_engine *e) {
  weft_exn *x = e->exns;
  while (x) {
    weft_exn *next = x->next;
    wf_alloc_free(&e->alloc, x, exn_size(x->n));
    x = next;
  }
  e->exns = NULL;
  e->nexns = 0;
}

weft_status wf_exn_uncaught(weft_error *err, weft_exn *x) {
  x->escaped = true;
  weft_status s = wf_error_set(err, WEFT_ERR_EXCEPTION, "uncaught exception");
  if (err)
    err->exn = x;
  return s;
}

/* ---- public API ---------------------------------------------------------- */

static bool tag_valtype(weft_valtype t) {
  return t == WEFT_I32 || t == WEFT_I64 || t == WEFT_F32 || t == WEFT_F64 ||
         t == WEFT_V128 || t == WEFT_FUNCREF || t == WEFT_EXTERNREF ||
         t == WEFT_EXNREF;
}

weft_status weft_tag_new(weft_engine *e, const weft_valtype *params,
                         uint32_t nparams, weft_tag **out, weft_error *err) {
  wf_error_clear(err);
  *out = NULL;
  if (nparams > 1000 || (nparams && !params))
    return wf_error_set(err, WEFT_ERR_ARG, "invalid tag type");
  u8 types[1000];
  for (u32 i = 0; i < nparams; i++) {
    if (!tag_valtype(params[i]))
      return wf_error_set(err, WEFT_ERR_ARG, "invalid tag parameter type");
    types[i] = (u8)params[i];
  }
  struct wf_functype t = {nparams, 0, types, NULL};
  u32 sig;
  if (wf_engine_intern_sig(e, &t, &sig) != WEFT_OK)
    return wf_error_set(err, WEFT_ERR_NOMEM, "out of memory");
  return wf_tag_create(e, sig, out, err);
}

const weft_valtype *weft_tag_params(const weft_tag *tag, uint32_t *out_n) {
  const struct wf_sig *s = &tag->engine->sigs[tag->sig];
  *out_n = s->type.nparams;
  return s->vtypes;
}

weft_tag *weft_exn_tag(const weft_exn *x) { return x->tag; }

uint32_t weft_exn_arg_count(const weft_exn *x) { return x->n; }

weft_val weft_exn_arg(const weft_exn *x, uint32_t i) {
  weft_val v;
  memset(&v, 0, sizeof v);
  if (i >= x->n)
    return v;
  const struct wf_sig *s = &x->tag->engine->sigs[x->tag->sig];
  wf_slot_to_val(s->vtypes[i], &x->vals[i], &v);
  return v;
}

weft_status weft_host_throw(weft_host_ctx *ctx, weft_tag *tag,
                            const weft_val *args, uint32_t nargs) {
  weft_engine *e = ctx->engine;
  if (!tag || tag->engine != e)
    return wf_error_set(ctx->err, WEFT_ERR_ARG, "not a tag of this engine");
  const struct wf_sig *s = &e->sigs[tag->sig];
  if (nargs != s->type.nparams)
    return wf_error_set(ctx->err, WEFT_ERR_ARG,
                        "wrong number of exception arguments");
  weft_slot vals[16];
  weft_slot *slots = vals;
  if (nargs > WF_ARRAY_LEN(vals)) {
    slots = wf_alloc_array(&e->alloc, nargs, sizeof(weft_slot));
    if (!slots)
      return wf_error_set(ctx->err, WEFT_ERR_NOMEM, "out of memory");
  }
  weft_status st = WEFT_OK;
  for (u32 i = 0; i < nargs && st == WEFT_OK; i++) {
    if (args[i].type != s->vtypes[i])
      st = wf_error_set(ctx->err, WEFT_ERR_ARG,
                        "exception argument %u has the wrong type", i);
    else
      wf_val_to_slot(&args[i], &slots[i]);
  }
  weft_exn *x = NULL;
  if (st == WEFT_OK) {
    x = wf_exn_new(e, tag, slots);
    if (!x)
      st = wf_error_set(ctx->err, WEFT_ERR_NOMEM, "out of memory");
  }
  if (slots != vals)
    wf_alloc_free(&e->alloc, slots, (size_t)nargs * sizeof(weft_slot));
  if (st != WEFT_OK)
    return st;
  e->exec.exn = x;
  return wf_exn_uncaught(ctx->err, x);
}
