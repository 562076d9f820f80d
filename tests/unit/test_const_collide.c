/*
** test_const_collide.c — constants chosen to collide in lowering's
** constant index (src/interp/lower.c, const_hash): all of them hash to
** one bucket, so each lookup gives up after a bounded number of probes
** and the constant gets a slot of its own. The function must still
** compute the right value, with each constant read from its own slot,
** and with repeats of colliding values (found by the index only while
** they are within the probe bound). The cost the bound removes (lowering
** quadratic in the constants) is not asserted: tests do not time.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "weft.h"
#include "weft_text.h"

enum { CONSTS = 3000 };

/* const_hash's multiplier, and its inverse modulo 2^64 (Newton). */
static const uint64_t K = 0x9e3779b97f4a7c15u;

static uint64_t inverse(uint64_t k) {
  uint64_t x = k; /* right to 3 bits for odd k; each step doubles that */
  for (int i = 0; i < 6; i++)
    x *= 2 - k * x;
  return x;
}

/* An i64 constant whose 16-byte slot (upper half zero) hashes to j:
** const_hash gives (v * K) * K, whose high half is then 0 for j < 2^32. */
static uint64_t colliding(uint64_t j) {
  uint64_t inv = inverse(K);
  return j * inv * inv;
}

static void colliding_constants_stay_correct(void) {
  size_t cap = 64 + (size_t)CONSTS * 48, at = 0;
  char *w = malloc(cap);
  uint64_t sum = 0;
  CHECK(w != NULL);
  if (!w)
    return;
  CHECK_EQ_INT(colliding(7) * K * K, 7); /* the construction itself */
  at += (size_t)snprintf(w + at, cap - at,
                         "(module (func (export \"f\") (result i64)"
                         " (i64.const 0)");
  for (int i = 0; i < CONSTS; i++) {
    uint64_t v = colliding((uint64_t)(i % 1000) + 1); /* 3 of each */
    sum += v;
    at += (size_t)snprintf(w + at, cap - at, " (i64.const %" PRIu64 ") i64.add",
                           v);
  }
  snprintf(w + at, cap - at, "))");
  weft_config c;
  weft_engine *e = NULL;
  weft_module *m = NULL;
  weft_linker *l = NULL;
  weft_instance *inst = NULL;
  weft_error err;
  uint8_t *bin = NULL;
  size_t len = 0;
  weft_extern x;
  weft_val out;
  memset(&err, 0, sizeof err);
  weft_config_default(&c);
  CHECK_EQ_INT(weft_engine_new(&c, &e, &err), WEFT_OK);
  CHECK_EQ_INT(weft_wat_to_wasm(w, strlen(w), &bin, &len, &err), WEFT_OK);
  free(w);
  if (e && bin)
    CHECK_EQ_INT(weft_module_load(e, bin, len, &m, &err), WEFT_OK);
  weft_text_free(bin);
  if (m && weft_linker_new(e, &l, &err) == WEFT_OK &&
      weft_instantiate(l, m, &inst, &err) == WEFT_OK &&
      weft_instance_export(inst, "f", &x) == WEFT_OK) {
    CHECK_EQ_INT(weft_func_call(e, x.of.func, NULL, 0, &out, 1, &err), WEFT_OK);
    CHECK(out.of.u64 == sum);
  } else {
    CHECK(!"instantiate");
  }
  weft_linker_free(l);
  weft_module_free(m);
  weft_engine_free(e);
}

int main(void) {
  T_RUN(colliding_constants_stay_correct);
  return T_DONE();
}
