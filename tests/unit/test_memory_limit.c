/*
** test_memory_limit.c — weft_memory_limit_refused: set when a grow fails
** only because of the engine's max_memory_bytes (what `weft run` reports
** as "memory.grow past --max-memory"), not when the memory's own maximum
** refuses it, and not for grows that succeed.
*/
#include "t.h"
#include "weft.h"

#define PAGE 65536

static weft_engine *engine_with_limit(uint64_t bytes) {
  weft_config cfg;
  weft_engine *e = NULL;
  weft_error err;

  weft_config_default(&cfg);
  cfg.max_memory_bytes = bytes;
  CHECK_EQ_INT(weft_engine_new(&cfg, &e, &err), WEFT_OK);
  return e;
}

/* The engine's limit (4 pages) is below the declared maximum (10). */
static void test_engine_limit(void) {
  weft_engine *e = engine_with_limit(4 * PAGE);
  weft_memory *m = NULL;
  weft_error err;

  CHECK_EQ_INT(weft_memory_new(e, 1, 10, &m, &err), WEFT_OK);
  if (m == NULL)
    return;
  CHECK_EQ_INT(weft_memory_grow(m, 2), 1);
  CHECK(!weft_memory_limit_refused(m));
  CHECK_EQ_INT(weft_memory_grow(m, 5), -1);
  CHECK(weft_memory_limit_refused(m));
  CHECK_EQ_INT(weft_memory_size(m), 3 * PAGE);
  weft_engine_free(e);
}

/* The memory's own maximum (2 pages) refuses first: not the limit. */
static void test_declared_max(void) {
  weft_engine *e = engine_with_limit(4 * PAGE);
  weft_memory *m = NULL;
  weft_error err;

  CHECK_EQ_INT(weft_memory_new(e, 1, 2, &m, &err), WEFT_OK);
  if (m == NULL)
    return;
  CHECK_EQ_INT(weft_memory_grow(m, 3), -1);
  CHECK(!weft_memory_limit_refused(m));
  weft_engine_free(e);
}

/* Without a declared maximum, the limit is what refuses. */
static void test_no_max(void) {
  weft_engine *e = engine_with_limit(2 * PAGE);
  weft_memory *m = NULL;
  weft_error err;

  CHECK_EQ_INT(weft_memory_new(e, 1, UINT32_MAX, &m, &err), WEFT_OK);
  if (m == NULL)
    return;
  CHECK_EQ_INT(weft_memory_grow(m, 1), 1);
  CHECK_EQ_INT(weft_memory_grow(m, 1), -1);
  CHECK(weft_memory_limit_refused(m));
  weft_engine_free(e);
}

int main(void) {
  T_RUN(test_engine_limit);
  T_RUN(test_declared_max);
  T_RUN(test_no_max);
  return T_DONE();
}
