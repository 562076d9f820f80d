/*
** wtz_spec.c — `weft-tz spec SCRIPT`: runs a spec-suite script converted by
** scripts/tz/spec2tz.py (its header describes the line format) through the
** weft TA, or with --local through the same session code in this process.
** Modules load with the "spectest" imports. Checks that must fail to load
** (invalid, malformed) go through a second session, so they do not drop
** the current module's instance and state. NaN results are checked by
** class (canonical or arithmetic), other values bit for bit, traps by the
** spec's message (weft_trap_message of the trap kind). Prints each failure
** and ends with "spec SCRIPT: P passed, F failed, S skipped".
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft.h"
#include "wtz_backend.h"

struct spec {
  wtz_handle *main, *check;
  int passed, failed, skipped, line;
  const char *script;
};

static void fail(struct spec *s, const char *what, const char *why) {
  s->failed++;
  printf("%s:%d: %s: %s\n", s->script, s->line, what, why);
}

static int unhex(const char *hex, char *out, size_t cap) {
  size_t n = strlen(hex) / 2;
  if (n >= cap)
    return -1;
  for (size_t i = 0; i < n; i++) {
    unsigned b;
    if (sscanf(hex + 2 * i, "%2x", &b) != 1)
      return -1;
    out[i] = (char)b;
  }
  out[n] = 0;
  return (int)n;
}

/* Load PATH in session h; returns the weft_status, or -1 on transport or
** file errors. */
static int load(wtz_handle *h, const char *path, char *msg) {
  size_t size;
  uint8_t *bytes = wtz_read_file(path, &size);
  if (!bytes) {
    snprintf(msg, WTZ_MSG_MAX, "cannot read %s", path);
    return -1;
  }
  /* The scripts come from the WebAssembly 2.0 suite (../shared's
  ** spec-testsuite/core), which tests/spec runs with wasm_2_0 too. */
  wtz_load req = {.spectest = 1, .wasm_2_0 = 1};
  int rc = wtz_load_module(h, &req, bytes, size);
  free(bytes);
  if (rc != 0) {
    snprintf(msg, WTZ_MSG_MAX, "transport error");
    return -1;
  }
  memcpy(msg, req.message, WTZ_MSG_MAX);
  return (int)req.status;
}

/* "TYPE:HEX" into v; for expected results also "TYPE:nan:KIND" (*nan set
** to 1 canonical, 2 arithmetic). */
static int parse_val(const char *tok, wtz_val *v, int *nan) {
  char *end;
  v->type = (uint32_t)strtoul(tok, &end, 16);
  if (*end != ':')
    return -1;
  *nan = 0;
  if (!strcmp(end + 1, "nan:canonical"))
    *nan = 1;
  else if (!strcmp(end + 1, "nan:arithmetic"))
    *nan = 2;
  else
    v->bits = strtoull(end + 1, &end, 16);
  return 0;
}

static int nan_ok(const wtz_val *v, int kind) {
  if (v->type == WEFT_F32) {
    uint32_t b = (uint32_t)v->bits & 0x7fffffffu;
    return kind == 1 ? b == 0x7fc00000u : (b & 0x7fc00000u) == 0x7fc00000u;
  }
  uint64_t b = v->bits & 0x7fffffffffffffffull;
  uint64_t q = 0x7ff8000000000000ull;
  return kind == 1 ? b == q : (b & q) == q;
}

/* Parse "NAME N ARG..." from strtok's state into call. */
static int parse_call(wtz_call *call) {
  memset(call, 0, sizeof *call);
  char *name = strtok(NULL, " \n");
  char *n = strtok(NULL, " \n");
  if (!name || !n)
    return -1;
  int len = unhex(name, call->name, WTZ_NAME_MAX);
  if (len < 0)
    return -1;
  call->name_len = (uint32_t)len;
  call->nargs = (uint32_t)atoi(n);
  if (call->nargs > WTZ_MAX_VALS)
    return -1;
  for (uint32_t i = 0; i < call->nargs; i++) {
    char *tok = strtok(NULL, " \n");
    int nan;
    if (!tok || parse_val(tok, &call->vals[i], &nan) != 0)
      return -1;
  }
  return 0;
}

static void cmd_call(struct spec *s, const char *kind) {
  static wtz_call call;
  wtz_val want[WTZ_MAX_VALS];
  int nan[WTZ_MAX_VALS];
  uint32_t nwant = 0;
  char trap[WTZ_MSG_MAX] = "";
  if (parse_call(&call) != 0)
    return fail(s, kind, "bad line");
  if (!strcmp(kind, "return")) {
    char *n = strtok(NULL, " \n");
    nwant = n ? (uint32_t)atoi(n) : 0;
    for (uint32_t i = 0; i < nwant && i < WTZ_MAX_VALS; i++) {
      char *tok = strtok(NULL, " \n");
      if (!tok || parse_val(tok, &want[i], &nan[i]) != 0)
        return fail(s, kind, "bad line");
    }
  } else if (!strcmp(kind, "trap")) {
    char *m = strtok(NULL, " \n");
    if (!m || unhex(m, trap, sizeof trap) < 0)
      return fail(s, kind, "bad line");
  }
  if (wtz_invoke(s->main, &call) != 0)
    return fail(s, kind, "transport error");
  if (!strcmp(kind, "trap")) {
    const char *got = call.status == WEFT_ERR_TRAP
                          ? weft_trap_message((weft_trap)call.trap)
                          : "no trap";
    if (strncmp(got, trap, strlen(trap)) != 0 &&
        strncmp(call.message, trap, strlen(trap)) != 0) {
      char why[2 * WTZ_MSG_MAX + 32];
      snprintf(why, sizeof why, "expected trap \"%s\", got \"%s\"", trap, got);
      return fail(s, call.name, why);
    }
    s->passed++;
    return;
  }
  if (call.status != WEFT_OK)
    return fail(s, call.name, call.message);
  if (!strcmp(kind, "return")) {
    if (call.nresults != nwant)
      return fail(s, call.name, "wrong number of results");
    for (uint32_t i = 0; i < nwant; i++) {
      const wtz_val *g = &call.vals[i];
      int ok = g->type == want[i].type &&
               (nan[i] ? nan_ok(g, nan[i]) : g->bits == want[i].bits);
      if (!ok) {
        char why[96];
        snprintf(why, sizeof why, "result %u: got %x:%llx, expected %x:%llx", i,
                 g->type, (unsigned long long)g->bits, want[i].type,
                 (unsigned long long)want[i].bits);
        return fail(s, call.name, why);
      }
    }
  }
  s->passed++;
}

static void run_line(struct spec *s, char *line) {
  char *cmd = strtok(line, " \n");
  char msg[WTZ_MSG_MAX];
  if (!cmd)
    return;
  if (!strcmp(cmd, "skip")) {
    s->skipped++;
  } else if (!strcmp(cmd, "module")) {
    char *path = strtok(NULL, " \n");
    int st = path ? load(s->main, path, msg) : -1;
    if (st != WEFT_OK)
      return fail(s, "module", st < 0 && !path ? "bad line" : msg);
    s->passed++;
  } else if (!strcmp(cmd, "invalid") || !strcmp(cmd, "malformed")) {
    char *path = strtok(NULL, " \n");
    int st = path ? load(s->check, path, msg) : -1;
    if (st == WEFT_OK)
      return fail(s, cmd, "module loaded");
    if (st < 0)
      return fail(s, cmd, msg);
    s->passed++;
  } else if (!strcmp(cmd, "invoke") || !strcmp(cmd, "return") ||
             !strcmp(cmd, "trap")) {
    cmd_call(s, cmd);
  } else {
    fail(s, cmd, "unknown command");
  }
}

int wtz_spec_run(const char *script, int local) {
  FILE *f = fopen(script, "r");
  if (!f) {
    fprintf(stderr, "weft-tz: cannot read %s\n", script);
    return -1;
  }
  struct spec s = {.script = script};
  s.main = wtz_open(local);
  s.check = wtz_open(local);
  if (!s.main || !s.check) {
    wtz_close(s.main);
    wtz_close(s.check);
    fclose(f);
    return -1;
  }
  static char line[1 << 16];
  while (fgets(line, sizeof line, f)) {
    s.line++;
    run_line(&s, line);
  }
  fclose(f);
  wtz_close(s.main);
  wtz_close(s.check);
  printf("spec %s: %d passed, %d failed, %d skipped\n", script, s.passed,
         s.failed, s.skipped);
  return s.failed;
}
