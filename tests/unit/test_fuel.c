/*
** test_fuel.c — fuel metering and the fuel hook (weft_engine_set_fuel_hook)
** in the interpreter: handing fuel out in slices through a hook uses exactly
** the fuel of giving it all at once; a hook that adds nothing, or no hook,
** means "out of fuel"; a hook's own trap (a deadline) is what the caller
** sees. The CLI's --deadline rests on this (tests/cli/fuel.sh runs it in
** compiled code too).
*/
#include <stdint.h>
#include <string.h>

#include "t.h"
#include "weft.h"

#include "../embed/small_module.h"

struct run {
  weft_engine *e;
  weft_instance *inst;
  weft_func *fib;
};

static int start(struct run *r) {
  weft_config c;
  weft_error err;
  weft_module *m = NULL;
  weft_linker *l = NULL;
  weft_extern ext;

  memset(r, 0, sizeof *r);
  weft_config_default(&c);
  c.fuel_metering = 1;
  if (weft_engine_new(&c, &r->e, &err) != WEFT_OK ||
      weft_module_load(r->e, small_wasm, sizeof small_wasm, &m, &err) !=
          WEFT_OK ||
      weft_linker_new(r->e, &l, &err) != WEFT_OK ||
      weft_instantiate(l, m, &r->inst, &err) != WEFT_OK ||
      weft_instance_export(r->inst, "fib", &ext) != WEFT_OK) {
    weft_linker_free(l);
    weft_module_free(m);
    return -1;
  }
  r->fib = ext.of.func;
  weft_linker_free(l);
  weft_module_free(m);
  return 0;
}

/* fib(n) with the engine's fuel as set; returns the status. */
static weft_status fib(struct run *r, int32_t n, int32_t *out,
                       weft_error *err) {
  weft_val arg = {WEFT_I32, {.i32 = n}}, res;
  weft_status s = weft_func_call(r->e, r->fib, &arg, 1, &res, 1, err);
  *out = res.of.i32;
  return s;
}

struct slices {
  uint64_t left;  /* fuel not handed out yet */
  uint64_t slice; /* per call */
  unsigned calls;
  weft_trap answer; /* what to return once `left` is gone */
};

static weft_trap hand_out(void *user, weft_engine *e) {
  struct slices *s = user;
  uint64_t add = s->left < s->slice ? s->left : s->slice;
  s->calls++;
  if (add == 0)
    return s->answer;
  s->left -= add;
  weft_engine_set_fuel(e, weft_engine_fuel(e) + add);
  return WEFT_TRAP_NONE;
}

static weft_trap adds_nothing(void *user, weft_engine *e) {
  (void)e;
  ++*(unsigned *)user;
  return WEFT_TRAP_NONE;
}

static void test_slices_use_the_same_fuel(void) {
  struct run r;
  weft_error err;
  int32_t v = 0;
  const uint64_t budget = 100000;
  uint64_t used_at_once;

  if (start(&r) != 0) {
    CHECK(!"instantiate");
    return;
  }
  weft_engine_set_fuel(r.e, budget);
  CHECK_EQ_INT(fib(&r, 40, &v, &err), WEFT_OK);
  CHECK_EQ_INT(v, 102334155);
  used_at_once = budget - weft_engine_fuel(r.e);
  CHECK(used_at_once > 40); /* a loop of 40 iterations was charged */

  /* The same call with the fuel in slices of 7, from an empty tank. */
  struct slices s = {budget, 7, 0, WEFT_TRAP_OUT_OF_FUEL};
  weft_engine_set_fuel(r.e, 0);
  weft_engine_set_fuel_hook(r.e, hand_out, &s);
  CHECK_EQ_INT(fib(&r, 40, &v, &err), WEFT_OK);
  CHECK_EQ_INT(v, 102334155);
  CHECK_EQ_INT(budget - s.left - weft_engine_fuel(r.e), used_at_once);
  CHECK(s.calls > 1);

  /* One short of what the call needs: out of fuel, in slices or not. */
  struct slices short_by_one = {used_at_once - 1, 7, 0, WEFT_TRAP_OUT_OF_FUEL};
  weft_engine_set_fuel(r.e, 0);
  weft_engine_set_fuel_hook(r.e, hand_out, &short_by_one);
  CHECK_EQ_INT(fib(&r, 40, &v, &err), WEFT_ERR_TRAP);
  CHECK_EQ_INT(err.trap, WEFT_TRAP_OUT_OF_FUEL);
  weft_engine_set_fuel_hook(r.e, NULL, NULL);
  weft_engine_set_fuel(r.e, used_at_once - 1);
  CHECK_EQ_INT(fib(&r, 40, &v, &err), WEFT_ERR_TRAP);
  CHECK_EQ_INT(err.trap, WEFT_TRAP_OUT_OF_FUEL);
  weft_engine_free(r.e);
}

static void test_hook_answers(void) {
  struct run r;
  weft_error err;
  int32_t v = 0;
  unsigned calls = 0;

  if (start(&r) != 0) {
    CHECK(!"instantiate");
    return;
  }
  /* A hook that says "go on" but adds nothing cannot loop forever. */
  weft_engine_set_fuel(r.e, 0);
  weft_engine_set_fuel_hook(r.e, adds_nothing, &calls);
  CHECK_EQ_INT(fib(&r, 10, &v, &err), WEFT_ERR_TRAP);
  CHECK_EQ_INT(err.trap, WEFT_TRAP_OUT_OF_FUEL);
  CHECK_EQ_INT(calls, 1);

  /* A hook's own trap (a deadline, say) reaches the caller as it is,
  ** after some slices were used; the engine stays usable. */
  struct slices s = {50, 10, 0, WEFT_TRAP_INTERRUPTED};
  weft_engine_set_fuel_hook(r.e, hand_out, &s);
  CHECK_EQ_INT(fib(&r, 1000000, &v, &err), WEFT_ERR_TRAP);
  CHECK_EQ_INT(err.trap, WEFT_TRAP_INTERRUPTED);
  CHECK(strcmp(weft_trap_message(WEFT_TRAP_INTERRUPTED), "interrupted") == 0);
  CHECK_EQ_INT(s.left, 0);
  weft_engine_set_fuel_hook(r.e, NULL, NULL);
  weft_engine_set_fuel(r.e, 1000000);
  CHECK_EQ_INT(fib(&r, 10, &v, &err), WEFT_OK);
  CHECK_EQ_INT(v, 55);
  weft_engine_free(r.e);
}

int main(void) {
  T_RUN(test_slices_use_the_same_fuel);
  T_RUN(test_hook_answers);
  return T_DONE();
}
