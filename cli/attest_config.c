/*
** attest_config.c — the configuration measurement of `weft run --attest`
** (docs/attestation.md, "The configuration measurement"): every option
** that changes what the program can do or how it runs, in one canonical
** CBOR map, hashed. Host paths and host addresses of files are left out
** (moving the data must not change it); anything a guest can observe or
** that decides which code runs is in. Pure: no files, no network.
*/
#include <string.h>

#include "attest_run.h"
#include "cbor.h"
#include "measure.h"
#include "pfs.h"

#define CONFIG_VERSION "weft-config/v2"
#define CONFIG_KEYS 18

static void put_null(struct cbor_buf *b) {
  static const uint8_t null = 0xf6; /* CBOR simple value 22 */
  cbor_put_raw(b, &null, 1);
}

static void put_strings(struct cbor_buf *b, const char *const *s, uint32_t n) {
  uint32_t i;
  cbor_put_array(b, n);
  for (i = 0; i < n; i++)
    cbor_put_tstr(b, s[i]);
}

/* [[guest path, "ro" | "rw" | "protected"]...], in command-line order. */
static void put_preopens(struct cbor_buf *b, const weft_wasi_preopen *dirs,
                         uint32_t n) {
  uint32_t i;
  cbor_put_array(b, n);
  for (i = 0; i < n; i++) {
    cbor_put_array(b, 2);
    cbor_put_tstr(b, dirs[i].guest_path);
    if (dirs[i].fs == weft_pfs_fs())
      cbor_put_tstr(b, "protected");
    else
      cbor_put_tstr(b, dirs[i].read_only ? "ro" : "rw");
  }
}

/* --fuel N, or null when no budget is set (none, or --deadline alone). */
static void put_fuel(struct cbor_buf *b, const struct cli_attest_inputs *in) {
  if (in->config->fuel_metering && in->fuel != UINT64_MAX)
    cbor_put_uint(b, in->fuel);
  else
    put_null(b);
}

/* --deadline in whole microseconds, 0 for none. */
static uint64_t deadline_us(double seconds) {
  return seconds > 0 ? (uint64_t)(seconds * 1e6 + 0.5) : 0;
}

static void put_engine(struct cbor_buf *b, const struct cli_attest_inputs *in) {
  cbor_put_uint(b, 12);
  cbor_put_tstr(b, in->code_sha256 != NULL ? "aot" : "interp");
  cbor_put_uint(b, 13);
  if (in->code_sha256 != NULL)
    cbor_put_bstr(b, in->code_sha256, 32);
  else
    put_null(b);
  cbor_put_uint(b, 14);
  cbor_put_bool(b, in->explicit_checks);
}

void cli_attest_measure_config(const struct cli_attest_inputs *in,
                               uint8_t out[32]) {
  static const char *const store[3] = {"none", "adopt", "strict"};
  const weft_config *c = in->config;
  struct cbor_buf b;

  cbor_buf_init(&b, CBOR_MAX_INPUT);
  cbor_put_map(&b, CONFIG_KEYS);
  cbor_put_uint(&b, 0);
  cbor_put_tstr(&b, CONFIG_VERSION);
  cbor_put_uint(&b, 1);
  put_strings(&b, (const char *const *)in->argv, (uint32_t)in->argc);
  cbor_put_uint(&b, 2);
  put_strings(&b, in->env, in->nenv);
  cbor_put_uint(&b, 3);
  put_preopens(&b, in->dirs, in->ndirs);
  cbor_put_uint(&b, 4);
  put_fuel(&b, in);
  cbor_put_uint(&b, 5);
  cbor_put_uint(&b, deadline_us(in->deadline));
  cbor_put_uint(&b, 6);
  cbor_put_tstr(&b, in->invoke != NULL ? in->invoke : "");
  cbor_put_uint(&b, 7);
  cbor_put_uint(&b, c->max_memory_bytes);
  cbor_put_uint(&b, 8);
  cbor_put_uint(&b, c->max_call_depth);
  cbor_put_uint(&b, 9);
  cbor_put_uint(&b, c->max_table_elems);
  cbor_put_uint(&b, 10);
  cbor_put_uint(&b, c->max_module_bytes);
  cbor_put_uint(&b, 11);
  put_strings(&b, in->listen, in->nlisten);
  put_engine(&b, in); /* 12, 13, 14 */
  cbor_put_uint(&b, 15);
  cbor_put_tstr(&b, store[in->version_store < 3 ? in->version_store : 0]);
  cbor_put_uint(&b, 16);
  cbor_put_uint(&b, c->stack_bytes);
  cbor_put_uint(&b, 17);
  cbor_put_uint(&b, c->max_locals);
  if (b.failed)
    memset(out, 0xff, 32); /* never a valid reference value */
  else
    measure_bytes(b.data, b.len, out);
  cbor_buf_free(&b);
}
