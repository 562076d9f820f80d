/*
** weft_tz.c — weft-tz, the normal-world client of the weft Trusted
** Application (a static aarch64 program with libteec built in):
**
**   weft-tz run [--local] [--fuel N] [--time] [--max-memory BYTES]
**               --invoke NAME FILE.wasm [ARG...]
**       load FILE in the TA (with --local: in this process, through the
**       same weft core and session code) and call export NAME; prints each
**       result on its own line (i32/i64 signed decimal, floats with %.9g /
**       %.17g). --fuel meters fuel with budget N and prints "fuel used: U"
**       on stderr; --time prints "time: wall W us, ta T us" on stderr (W
**       around the call as the client sees it, T inside weft_func_call on
**       the session's clock). Exit status 0, or 1 on a trap or error (the
**       message on stderr).
**   weft-tz wasi [--fuel N] [--env KEY=VALUE]... FILE.wasm [ARG...]
**       run a WASI program in the TA: its files are OP-TEE secure storage,
**       preopened as /data; its stdout and stderr are printed here when it
**       ends; exit status the program's (1 on a trap or error).
**   weft-tz spec [--local] SCRIPT
**       run a converted spec-suite script (scripts/tz/spec2tz.py) and print
**       "spec SCRIPT: P passed, F failed, S skipped"; exit 1 on a failure.
**
** The client decodes the module locally only to learn the export's
** parameter types, so command-line arguments can be parsed.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port_optee.h"
#include "weft.h"
#include "wtz_backend.h"

uint8_t *wtz_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    uint8_t *more = realloc(buf, cap *= 2);
    if (!more)
      free(buf);
    buf = more;
  }
  fclose(f);
  *size = n;
  return buf;
}

static void *heap(void *user, void *ptr, size_t old_size, size_t new_size) {
  (void)user;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
}

/* The parameter types of export `name` of the module in `bytes`. */
static int export_params(const uint8_t *bytes, size_t size, const char *name,
                         weft_valtype *types, uint32_t *n) {
  weft_config c;
  weft_config_default(&c);
  c.alloc = heap;
  c.guard_pages = 0;
  weft_engine *e = NULL;
  weft_module *m = NULL;
  weft_error err;
  int found = -1;
  if (weft_engine_new(&c, &e, &err) != WEFT_OK ||
      weft_module_load(e, bytes, size, &m, &err) != WEFT_OK) {
    fprintf(stderr, "weft-tz: %s\n", err.message);
    weft_engine_free(e);
    return -1;
  }
  for (uint32_t i = 0; i < weft_module_export_count(m) && found < 0; i++) {
    weft_export_info info;
    weft_extern_type t;
    const weft_valtype *p, *r;
    uint32_t nr;
    weft_module_export(m, i, &info);
    if (info.kind != WEFT_EXTERN_FUNC || strcmp(info.name, name) != 0)
      continue;
    weft_module_export_type(m, i, &t);
    weft_module_func_type(m, t.func_type, &p, n, &r, &nr);
    if (*n > WTZ_MAX_VALS)
      break;
    memcpy(types, p, *n * sizeof *p);
    found = 0;
  }
  if (found < 0)
    fprintf(stderr, "weft-tz: no exported function %s\n", name);
  weft_module_free(m);
  weft_engine_free(e);
  return found;
}

static int parse_arg(const char *text, weft_valtype t, wtz_val *v) {
  char *end;
  errno = 0;
  v->type = (uint32_t)t;
  if (t == WEFT_I32 || t == WEFT_I64) {
    if (text[0] == '-')
      v->bits = (uint64_t)strtoll(text, &end, 0);
    else
      v->bits = strtoull(text, &end, 0);
    if (t == WEFT_I32)
      v->bits &= 0xffffffffu;
  } else if (t == WEFT_F32) {
    float f = strtof(text, &end);
    uint32_t b;
    memcpy(&b, &f, 4);
    v->bits = b;
  } else if (t == WEFT_F64) {
    double d = strtod(text, &end);
    memcpy(&v->bits, &d, 8);
  } else {
    return -1;
  }
  return errno || *end || end == text ? -1 : 0;
}

static void print_val(const wtz_val *v) {
  float f;
  double d;
  uint32_t b32 = (uint32_t)v->bits;
  switch (v->type) {
  case WEFT_I32: printf("%" PRId32 "\n", (int32_t)b32); break;
  case WEFT_I64: printf("%" PRId64 "\n", (int64_t)v->bits); break;
  case WEFT_F32:
    memcpy(&f, &b32, 4);
    printf("%.9g\n", (double)f);
    break;
  case WEFT_F64:
    memcpy(&d, &v->bits, 8);
    printf("%.17g\n", d);
    break;
  default: printf("?\n");
  }
}

static int usage(void) {
  fprintf(stderr, "usage: weft-tz run [--local] [--fuel N] [--time] "
                  "[--max-memory BYTES] --invoke NAME FILE [ARG...]\n"
                  "       weft-tz wasi [--fuel N] [--env KEY=VALUE]... FILE "
                  "[ARG...]\n"
                  "       weft-tz spec [--local] SCRIPT\n"
                  "       weft-tz attest-key | attest-provision E.cose V.raw |"
                  " attest --relay DIR FILE\n");
  return 2;
}

static int cmd_run(int argc, char **argv) {
  int local = 0, timing = 0, i = 0;
  uint64_t fuel = 0, max_mem = 0;
  const char *name = NULL;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
    if (!strcmp(argv[i], "--local"))
      local = 1;
    else if (!strcmp(argv[i], "--time"))
      timing = 1;
    else if (!strcmp(argv[i], "--fuel") && i + 1 < argc)
      fuel = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--max-memory") && i + 1 < argc)
      max_mem = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--invoke") && i + 1 < argc)
      name = argv[++i];
    else
      return usage();
  }
  if (!name || i >= argc || strlen(name) >= WTZ_NAME_MAX)
    return usage();
  size_t size;
  uint8_t *bytes = wtz_read_file(argv[i], &size);
  if (!bytes) {
    fprintf(stderr, "weft-tz: cannot read %s\n", argv[i]);
    return 1;
  }
  static wtz_call call;
  weft_valtype types[WTZ_MAX_VALS];
  uint32_t n = 0;
  if (export_params(bytes, size, name, types, &n) != 0)
    return free(bytes), 1;
  if ((uint32_t)(argc - i - 1) != n) {
    fprintf(stderr, "weft-tz: %s takes %u arguments\n", name, n);
    return free(bytes), 1;
  }
  for (uint32_t k = 0; k < n; k++)
    if (parse_arg(argv[i + 1 + k], types[k], &call.vals[k]) != 0) {
      fprintf(stderr, "weft-tz: bad argument %s\n", argv[i + 1 + k]);
      return free(bytes), 1;
    }
  call.nargs = n;
  call.fuel = fuel;
  call.name_len = (uint32_t)strlen(name);
  memcpy(call.name, name, call.name_len);

  wtz_handle *h = wtz_open(local);
  if (!h)
    return free(bytes), 1;
  wtz_load load = {.max_memory_bytes = max_mem, .fuel_metering = fuel != 0};
  int rc = 1;
  if (wtz_load_module(h, &load, bytes, size) != 0)
    goto out;
  if (load.status != WEFT_OK) {
    fprintf(stderr, "weft-tz: load: %s\n", load.message);
    goto out;
  }
  uint64_t t0 = wtz_port_time_us();
  if (wtz_invoke(h, &call) != 0)
    goto out;
  uint64_t wall = wtz_port_time_us() - t0;
  if (fuel)
    fprintf(stderr, "fuel used: %" PRIu64 "\n", call.fuel_used);
  if (timing)
    fprintf(stderr, "time: wall %" PRIu64 " us, ta %" PRIu64 " us\n", wall,
            call.ta_us);
  if (call.status != WEFT_OK) {
    fprintf(stderr, "weft-tz: %s%s\n",
            call.status == WEFT_ERR_TRAP ? "trap: " : "", call.message);
    goto out;
  }
  for (uint32_t k = 0; k < call.nresults; k++)
    print_val(&call.vals[k]);
  rc = 0;
out:
  wtz_close(h);
  free(bytes);
  return rc;
}

/* Appends `s` and its NUL to the strings blob. */
static int add_str(char **blob, size_t *len, const char *s) {
  size_t n = strlen(s) + 1;
  char *more = realloc(*blob, *len + n);
  if (!more)
    return -1;
  memcpy(more + *len, s, n);
  *blob = more;
  *len += n;
  return 0;
}

#define WTZ_WASI_OUT_CAP (128u * 1024u)

static int cmd_wasi(int argc, char **argv) {
  int i = 0;
  uint64_t fuel = 0;
  const char *env[64];
  uint32_t envc = 0;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
    if (!strcmp(argv[i], "--fuel") && i + 1 < argc)
      fuel = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--env") && i + 1 < argc && envc < 32)
      env[envc++] = argv[++i];
    else
      return usage();
  }
  if (i >= argc)
    return usage();
  size_t size;
  uint8_t *bytes = wtz_read_file(argv[i], &size);
  if (!bytes) {
    fprintf(stderr, "weft-tz: cannot read %s\n", argv[i]);
    return 1;
  }
  char *blob = NULL, *out = malloc(WTZ_WASI_OUT_CAP);
  size_t blen = 0;
  wtz_wasi req;
  memset(&req, 0, sizeof req);
  int bad = !out;
  const char *base = strrchr(argv[i], '/');
  bad |= add_str(&blob, &blen, base ? base + 1 : argv[i]);
  for (int k = i + 1; k < argc; k++)
    bad |= add_str(&blob, &blen, argv[k]);
  for (uint32_t k = 0; k < envc; k++)
    bad |= add_str(&blob, &blen, env[k]);
  req.argc = (uint32_t)(argc - i);
  req.envc = envc;
  req.fuel = fuel;
  int rc = 1;
  wtz_handle *h = bad ? NULL : wtz_open(0);
  if (h && wtz_wasi_call(h, &req, bytes, size, blob, blen, out,
                         WTZ_WASI_OUT_CAP) == 0) {
    fwrite(out, 1, req.stdout_len, stdout);
    fflush(stdout);
    fwrite(out + req.stdout_len, 1, req.stderr_len, stderr);
    if (req.dropped)
      fprintf(stderr, "weft-tz: output beyond the TA's cap was dropped\n");
    if (fuel)
      fprintf(stderr, "fuel used: %" PRIu64 "\n", req.fuel_used);
    if (req.status == WEFT_OK)
      rc = 0;
    else if (req.status == WEFT_ERR_EXIT)
      rc = req.exit_code & 0xff;
    else
      fprintf(stderr, "weft-tz: %s%s\n",
              req.status == WEFT_ERR_TRAP ? "trap: " : "", req.message);
  }
  wtz_close(h);
  free(out);
  free(blob);
  free(bytes);
  return rc;
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "run"))
    return cmd_run(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "wasi"))
    return cmd_wasi(argc - 2, argv + 2);
  if (argc >= 3 && !strcmp(argv[1], "spec")) {
    int local = argc >= 4 && !strcmp(argv[2], "--local");
    if (argc != 3 + local)
      return usage();
    int failed = wtz_spec_run(argv[2 + local], local);
    return failed == 0 ? 0 : 1;
  }
  if (argc >= 2 && !strncmp(argv[1], "attest", 6)) {
    int rc = wtz_attest_main(argc - 1, argv + 1);
    return rc == 2 ? usage() : rc;
  }
  return usage();
}
