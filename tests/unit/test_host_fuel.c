/*
** test_host_fuel.c — weft_host_charge_fuel: a host function charges fuel
** for work it did (WASI path resolution does). With metering, the charge
** comes off the engine's fuel; when less is left, the fuel hook is asked
** as for a block of code, and if it cannot cover the charge nothing is
** charged and the call traps "out of fuel" (or with the hook's trap).
** Without metering, charging does nothing.
*/
#include <stdint.h>
#include <string.h>

#include "t.h"
#include "weft.h"

/* charge(n): charges n fuel and returns what weft_host_charge_fuel said. */
static weft_status charge_fn(weft_host_ctx *ctx, void *user, weft_slot *s) {
  (void)user;
  return weft_host_charge_fuel(ctx, s[0].u64);
}

static weft_engine *engine_with(int metering, weft_func **out) {
  static const weft_valtype params[] = {WEFT_I64};
  weft_config c;
  weft_error err;
  weft_engine *e = NULL;

  weft_config_default(&c);
  c.fuel_metering = metering;
  if (weft_engine_new(&c, &e, &err) != WEFT_OK)
    return NULL;
  if (weft_func_new_host(e, params, 1, NULL, 0, charge_fn, NULL, out, &err) !=
      WEFT_OK) {
    weft_engine_free(e);
    return NULL;
  }
  return e;
}

static weft_status charge(weft_engine *e, weft_func *f, uint64_t n,
                          weft_error *err) {
  weft_val arg = {WEFT_I64, {.i64 = (int64_t)n}};
  return weft_func_call(e, f, &arg, 1, NULL, 0, err);
}

static unsigned hook_calls;

static weft_trap add_500(void *user, weft_engine *e) {
  (void)user;
  hook_calls++;
  weft_engine_set_fuel(e, weft_engine_fuel(e) + 500);
  return hook_calls < 10 ? WEFT_TRAP_NONE : WEFT_TRAP_INTERRUPTED;
}

static void test_charges_with_metering(void) {
  weft_func *f = NULL;
  weft_engine *e = engine_with(1, &f);
  weft_error err;

  CHECK(e != NULL);
  if (e == NULL)
    return;
  weft_engine_set_fuel(e, 1000);
  CHECK_EQ_INT(charge(e, f, 300, &err), WEFT_OK);
  CHECK_EQ_U64(weft_engine_fuel(e), 700);
  CHECK_EQ_INT(charge(e, f, 0, &err), WEFT_OK);
  CHECK_EQ_U64(weft_engine_fuel(e), 700);
  /* more than is left, no hook: out of fuel, nothing charged */
  CHECK_EQ_INT(charge(e, f, 701, &err), WEFT_ERR_TRAP);
  CHECK_EQ_INT(err.trap, WEFT_TRAP_OUT_OF_FUEL);
  CHECK_EQ_U64(weft_engine_fuel(e), 700);
  CHECK_EQ_INT(charge(e, f, 700, &err), WEFT_OK);
  CHECK_EQ_U64(weft_engine_fuel(e), 0);
  /* a hook hands out 500 at a time: asked until the charge is covered */
  weft_engine_set_fuel_hook(e, add_500, NULL);
  hook_calls = 0;
  CHECK_EQ_INT(charge(e, f, 1200, &err), WEFT_OK);
  CHECK_EQ_INT(hook_calls, 3);
  CHECK_EQ_U64(weft_engine_fuel(e), 300);
  /* ... and its own trap is what the call raises */
  CHECK_EQ_INT(charge(e, f, UINT64_MAX, &err), WEFT_ERR_TRAP);
  CHECK_EQ_INT(err.trap, WEFT_TRAP_INTERRUPTED);
  weft_engine_free(e);
}

static void test_nothing_without_metering(void) {
  weft_func *f = NULL;
  weft_engine *e = engine_with(0, &f);
  weft_error err;

  CHECK(e != NULL);
  if (e == NULL)
    return;
  weft_engine_set_fuel(e, 10);
  CHECK_EQ_INT(charge(e, f, 1000000, &err), WEFT_OK);
  CHECK_EQ_U64(weft_engine_fuel(e), 10);
  weft_engine_free(e);
}

int main(void) {
  T_RUN(test_charges_with_metering);
  T_RUN(test_nothing_without_metering);
  return T_DONE();
}
