/*
** test_exceptions.c — exception handling through the public API: a tag the
** embedder makes and a module imports, a host function that throws it
** (weft_host_throw) into Wasm that catches it, and an exception no handler
** takes reaching the embedder as WEFT_ERR_EXCEPTION with its tag and
** payload readable (weft_error.exn). Also what weft_host_throw refuses.
*/
#include <stdint.h>
#include <string.h>

#include "t.h"
#include "weft.h"
#include "weft_text.h"

static weft_tag *host_tag; /* (param i32 i64) */

/* throw(x): throws host_tag with (x, x * 1000) */
static weft_status throw_fn(weft_host_ctx *ctx, void *user, weft_slot *s) {
  (void)user;
  weft_val args[2] = {{WEFT_I32, {.i32 = s[0].i32}},
                      {WEFT_I64, {.i64 = (int64_t)s[0].i32 * 1000}}};
  return weft_host_throw(ctx, host_tag, args, 2);
}

/* bad(k): weft_host_throw with wrong arguments; returns its status as a
** trap so the test sees which refusal it was through the message. */
static weft_status bad_fn(weft_host_ctx *ctx, void *user, weft_slot *s) {
  (void)user;
  weft_val one = {WEFT_I64, {.i64 = 1}};
  weft_status st = s[0].i32 == 0 ? weft_host_throw(ctx, host_tag, &one, 1)
                                 : weft_host_throw(ctx, host_tag, NULL, 0);
  return st == WEFT_ERR_ARG ? weft_host_trap(ctx, "refused") : st;
}

static const char wat[] =
    "(module\n"
    "  (tag $h (import \"env\" \"tag\") (param i32 i64))\n"
    "  (import \"env\" \"throw\" (func $throw (param i32)))\n"
    "  (import \"env\" \"bad\" (func $bad (param i32)))\n"
    "  (tag $own (export \"own\") (param f64))\n"
    "  (func (export \"caught\") (param i32) (result i64) (local i64)\n"
    "    (block $c (result i32 i64)\n"
    "      (try_table (catch $h $c) (call $throw (local.get 0)))\n"
    "      (unreachable))\n"
    "    (local.set 1)\n"
    "    (i64.add (i64.extend_i32_s) (local.get 1)))\n"
    "  (func (export \"through\") (param i32) (call $throw (local.get 0)))\n"
    "  (func (export \"throw-own\") (throw $own (f64.const 2.5)))\n"
    "  (func (export \"bad\") (param i32) (call $bad (local.get 0))))\n";

static weft_func *export_func(weft_instance *inst, const char *name) {
  weft_extern ext;
  if (weft_instance_export(inst, name, &ext) != WEFT_OK ||
      ext.kind != WEFT_EXTERN_FUNC)
    return NULL;
  return ext.of.func;
}

static void test_host_throw(void) {
  static const weft_valtype tag_params[] = {WEFT_I32, WEFT_I64};
  static const weft_valtype i32[] = {WEFT_I32};
  weft_engine *e = NULL;
  weft_linker *l = NULL;
  weft_module *mod = NULL;
  weft_instance *inst = NULL;
  weft_func *thrower = NULL, *bad = NULL;
  weft_error err;
  uint8_t *bin = NULL;
  size_t n = 0;

  CHECK_EQ_INT(weft_engine_new(NULL, &e, &err), WEFT_OK);
  CHECK_EQ_INT(weft_tag_new(e, tag_params, 2, &host_tag, &err), WEFT_OK);
  uint32_t np = 0;
  const weft_valtype *tp = weft_tag_params(host_tag, &np);
  CHECK_EQ_INT(np, 2);
  CHECK_EQ_INT(tp[1], WEFT_I64);
  CHECK_EQ_INT(
      weft_func_new_host(e, i32, 1, NULL, 0, throw_fn, NULL, &thrower, &err),
      WEFT_OK);
  CHECK_EQ_INT(weft_func_new_host(e, i32, 1, NULL, 0, bad_fn, NULL, &bad, &err),
               WEFT_OK);
  CHECK_EQ_INT(weft_linker_new(e, &l, &err), WEFT_OK);
  weft_extern ext = {.kind = WEFT_EXTERN_TAG, .of.tag = host_tag};
  CHECK_EQ_INT(weft_linker_define(l, "env", "tag", ext, &err), WEFT_OK);
  ext.kind = WEFT_EXTERN_FUNC;
  ext.of.func = thrower;
  CHECK_EQ_INT(weft_linker_define(l, "env", "throw", ext, &err), WEFT_OK);
  ext.of.func = bad;
  CHECK_EQ_INT(weft_linker_define(l, "env", "bad", ext, &err), WEFT_OK);
  CHECK_EQ_INT(weft_wat_to_wasm(wat, sizeof wat - 1, &bin, &n, &err), WEFT_OK);
  CHECK_EQ_INT(weft_module_load(e, bin, n, &mod, &err), WEFT_OK);
  if (mod)
    CHECK_EQ_INT(weft_instantiate(l, mod, &inst, &err), WEFT_OK);
  if (!inst) {
    weft_text_free(bin);
    weft_engine_free(e);
    return;
  }

  /* the host's exception caught by Wasm: 7 + 7000 */
  weft_val arg = {WEFT_I32, {.i32 = 7}}, res;
  CHECK_EQ_INT(
      weft_func_call(e, export_func(inst, "caught"), &arg, 1, &res, 1, &err),
      WEFT_OK);
  CHECK_EQ_U64(res.of.i64, 7007);

  /* ... and not caught: the embedder sees it, tag and payload */
  arg.of.i32 = -3;
  CHECK_EQ_INT(
      weft_func_call(e, export_func(inst, "through"), &arg, 1, NULL, 0, &err),
      WEFT_ERR_EXCEPTION);
  CHECK(err.exn != NULL);
  if (err.exn) {
    CHECK(weft_exn_tag(err.exn) == host_tag);
    CHECK_EQ_INT(weft_exn_arg_count(err.exn), 2);
    CHECK_EQ_INT(weft_exn_arg(err.exn, 0).of.i32, -3);
    CHECK_EQ_INT(weft_exn_arg(err.exn, 1).type, WEFT_I64);
    CHECK_EQ_U64(weft_exn_arg(err.exn, 1).of.u64, (uint64_t)-3000);
    CHECK_EQ_INT(weft_exn_arg(err.exn, 2).type, 0); /* past the end */
  }

  /* a Wasm tag reaches the embedder too, and is the exported one */
  CHECK_EQ_INT(
      weft_func_call(e, export_func(inst, "throw-own"), NULL, 0, NULL, 0, &err),
      WEFT_ERR_EXCEPTION);
  weft_extern own;
  CHECK_EQ_INT(weft_instance_export(inst, "own", &own), WEFT_OK);
  CHECK_EQ_INT(own.kind, WEFT_EXTERN_TAG);
  CHECK(err.exn != NULL);
  if (err.exn) {
    CHECK(weft_exn_tag(err.exn) == own.of.tag);
    CHECK(weft_exn_arg(err.exn, 0).of.f64 == 2.5);
  }

  /* wrong arguments to weft_host_throw are refused, nothing thrown */
  for (int k = 0; k < 2; k++) {
    arg.of.i32 = k;
    CHECK_EQ_INT(
        weft_func_call(e, export_func(inst, "bad"), &arg, 1, NULL, 0, &err),
        WEFT_ERR_TRAP);
    CHECK_CONTAINS(err.message, "refused");
  }

  /* a tag of a type that is no value type is refused */
  weft_tag *t2 = NULL;
  static const weft_valtype junk[] = {(weft_valtype)0x42};
  CHECK_EQ_INT(weft_tag_new(e, junk, 1, &t2, &err), WEFT_ERR_ARG);
  CHECK(t2 == NULL);

  weft_text_free(bin);
  weft_module_free(mod);
  weft_linker_free(l);
  weft_engine_free(e);
}

int main(void) {
  T_RUN(test_host_throw);
  return T_DONE();
}
