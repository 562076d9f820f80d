/*
** wast_run.c — runs the commands of a parsed .wast script: one engine and
** linker per script with the spectest module (print*, global_i32 666,
** global_i64 666, global_f32 666.6, global_f64 666.6, table 10..20 funcref,
** memory 1..2), named instances, register, actions, and the assertions,
** compared the way tests/spec/spec_runner.c compares wast2json's output
** (canonical/arithmetic NaNs, v128 lanes in the written shape, references).
*/
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "wast_aot.h"
#include "wast_run.h"
#include "weft_aot_build.h"

struct named {
  const char *name;
  weft_instance *inst;
  int gc; /* its module was a GC module: commands using it are skipped */
};

struct runner {
  const struct wr_options *opt;
  const char *file;
  struct wr_stats *st;
  weft_engine *engine;
  weft_linker *linker;
  char broken[300];
  weft_instance *current;
  int have_module;
  int current_gc; /* the latest module was a GC module (skipped) */
  struct named *named;
  size_t nnamed, named_cap;
  struct definition {
    const char *name; /* NULL for an unnamed `module definition` */
    weft_module *module;
  } * defs;
  size_t ndefs, defs_cap;
  void **aot;
  size_t naot, aot_cap;
  struct wr_batch *batch; /* --aot: the script's modules, compiled together */
  unsigned long failures;
  const weft_wast_command *cmd;
  uint32_t cmd_index;
};

static void where(const struct runner *r, const char *tag) {
  printf("  %s %s:%" PRIu32 ": ", tag, r->file, r->cmd->line);
}

static void CLI_PRINTF(2, 3) fail(struct runner *r, const char *fmt, ...) {
  va_list ap;
  if (++r->failures > r->opt->max_fail)
    return;
  where(r, "FAIL");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

static void CLI_PRINTF(2, 3) note(struct runner *r, const char *fmt, ...) {
  va_list ap;
  if (!r->opt->verbose)
    return;
  where(r, "note");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

/* ---- GC modules: skipped, never passed nor failed -------------------------
** GC is a later issue: the library refuses a GC module with "unsupported
** feature: gc". Such a module, and every command that needs it (actions on
** it, register, assertions on a module that is refused that way), counts as
** skipped: it can neither pass nor fail until weft has GC. */

static int refused_gc(weft_status s, const weft_error *err) {
  return s == WEFT_ERR_UNSUPPORTED && strstr(err->message, "feature: gc");
}

static void skip_gc(struct runner *r, const char *what) {
  note(r, "skipped: %s (unsupported feature: gc)", what);
  r->st->skipped++;
  r->st->skipped_gc++;
}

/* Whether the action's module (named or the latest) was a GC module. */
static int uses_gc_module(const struct runner *r, const char *name) {
  if (!name)
    return r->current_gc && !r->current;
  for (size_t i = r->nnamed; i-- > 0;)
    if (strcmp(r->named[i].name, name) == 0)
      return r->named[i].gc && !r->named[i].inst;
  return 0;
}

static void count(struct runner *r, enum wr_cat c, int ok) {
  r->st->total[c]++;
  if (ok)
    r->st->pass[c]++;
}

/* ---- spectest ------------------------------------------------------------ */

static weft_status print_host(weft_host_ctx *ctx, void *user,
                              weft_slot *slots) {
  (void)ctx;
  (void)user;
  (void)slots;
  return WEFT_OK;
}

static weft_status def_extern(struct runner *r, const char *name,
                              weft_extern ext, weft_error *err) {
  return weft_linker_define(r->linker, "spectest", name, ext, err);
}

static weft_status def_print(struct runner *r, const char *name,
                             const weft_valtype *params, uint32_t n,
                             weft_error *err) {
  weft_extern ext = {.kind = WEFT_EXTERN_FUNC};
  weft_status s = weft_func_new_host(r->engine, params, n, NULL, 0, print_host,
                                     NULL, &ext.of.func, err);
  return s ? s : def_extern(r, name, ext, err);
}

static weft_status def_global(struct runner *r, const char *name,
                              weft_valtype t, uint64_t bits, weft_error *err) {
  weft_val v;
  weft_extern ext = {.kind = WEFT_EXTERN_GLOBAL};
  memset(&v, 0, sizeof v);
  v.type = t;
  if (t == WEFT_I32 || t == WEFT_F32)
    v.of.u32 = (uint32_t)bits;
  else
    v.of.u64 = bits;
  weft_status s = weft_global_new(r->engine, v, 0, &ext.of.global, err);
  return s ? s : def_extern(r, name, ext, err);
}

static weft_status spectest(struct runner *r, weft_error *err) {
  static const weft_valtype i32[] = {WEFT_I32}, i64[] = {WEFT_I64},
                            f32[] = {WEFT_F32}, f64[] = {WEFT_F64},
                            i32_f32[] = {WEFT_I32, WEFT_F32},
                            f64_f64[] = {WEFT_F64, WEFT_F64};
  float f = 666.6f;
  double d = 666.6;
  uint32_t fb;
  uint64_t db;
  memcpy(&fb, &f, sizeof fb);
  memcpy(&db, &d, sizeof db);
  weft_status s;
  weft_extern ext;
  if ((s = def_print(r, "print", NULL, 0, err)) ||
      (s = def_print(r, "print_i32", i32, 1, err)) ||
      (s = def_print(r, "print_i64", i64, 1, err)) ||
      (s = def_print(r, "print_f32", f32, 1, err)) ||
      (s = def_print(r, "print_f64", f64, 1, err)) ||
      (s = def_print(r, "print_i32_f32", i32_f32, 2, err)) ||
      (s = def_print(r, "print_f64_f64", f64_f64, 2, err)) ||
      (s = def_global(r, "global_i32", WEFT_I32, 666, err)) ||
      (s = def_global(r, "global_i64", WEFT_I64, 666, err)) ||
      (s = def_global(r, "global_f32", WEFT_F32, fb, err)) ||
      (s = def_global(r, "global_f64", WEFT_F64, db, err)))
    return s;
  ext.kind = WEFT_EXTERN_TABLE;
  if ((s = weft_table_new(r->engine, WEFT_FUNCREF, 10, 20, NULL, &ext.of.table,
                          err)) ||
      (s = def_extern(r, "table", ext, err)))
    return s;
  /* table64 (the 3.0 suite's spectest has it) */
  if ((s = weft_table_new64(r->engine, WEFT_FUNCREF, 10, 20, NULL,
                            &ext.of.table, err)) ||
      (s = def_extern(r, "table64", ext, err)))
    return s;
  ext.kind = WEFT_EXTERN_MEMORY;
  if ((s = weft_memory_new(r->engine, 1, 2, &ext.of.memory, err)))
    return s;
  return def_extern(r, "memory", ext, err);
}

/* ---- modules ----------------------------------------------------------------
 */

static void set_named(struct runner *r, const char *name, weft_instance *inst) {
  for (size_t i = 0; i < r->nnamed; i++)
    if (strcmp(r->named[i].name, name) == 0) {
      r->named[i].inst = inst;
      r->named[i].gc = r->current_gc;
      return;
    }
  if (r->nnamed == r->named_cap) {
    size_t cap = r->named_cap ? r->named_cap * 2 : 8;
    struct named *p = realloc(r->named, cap * sizeof *p);
    if (!p)
      return;
    r->named = p;
    r->named_cap = cap;
  }
  r->named[r->nnamed].name = name; /* owned by the script */
  r->named[r->nnamed].gc = r->current_gc;
  r->named[r->nnamed++].inst = inst;
}

static weft_instance *find_instance(struct runner *r, const char *name,
                                    char *why, size_t size) {
  if (name) {
    for (size_t i = 0; i < r->nnamed; i++)
      if (strcmp(r->named[i].name, name) == 0) {
        if (!r->named[i].inst)
          snprintf(why, size, "module %s failed to load/instantiate", name);
        return r->named[i].inst;
      }
    snprintf(why, size, "unknown module %s", name);
    return NULL;
  }
  if (!r->current)
    snprintf(why, size,
             r->have_module ? "the latest module failed"
                            : "no module defined yet");
  return r->current;
}

/* Compiles a loaded module to C on its own and attaches the code (--aot,
** when the script's batch has no code for it: see wast_aot.c). */
static weft_status compile(struct runner *r, weft_module *mod,
                           weft_error *err) {
  char so[] = "/tmp/weft-wast-XXXXXX";
  int fd = mkstemp(so);
  void *h = NULL;
  weft_aot_build_options o;
  if (fd < 0) {
    snprintf(err->message, sizeof err->message, "cannot make a temp file");
    return WEFT_ERR_ARG;
  }
  close(fd);
  memset(&o, 0, sizeof o);
  o.cc = r->opt->cc;
  o.explicit_bounds_checks = r->opt->aot == 2;
  o.jobs = 1;
  weft_status s = weft_aot_build_so(mod, &o, so, err);
  if (s == WEFT_OK)
    s = weft_aot_load_so(mod, so, &h, err);
  unlink(so);
  if (s != WEFT_OK)
    return s;
  if (r->naot == r->aot_cap) {
    size_t cap = r->aot_cap ? r->aot_cap * 2 : 16;
    void **p = realloc(r->aot, cap * sizeof *p);
    if (!p) {
      weft_aot_unload(h);
      return WEFT_ERR_NOMEM;
    }
    r->aot = p;
    r->aot_cap = cap;
  }
  r->aot[r->naot++] = h;
  return WEFT_OK;
}

static weft_status load(struct runner *r, weft_module **mod, weft_error *err) {
  const weft_wast_command *c = r->cmd;
  memset(err, 0, sizeof *err);
  *mod = wr_batch_take(r->batch, r->cmd_index);
  if (*mod)
    return WEFT_OK;
  weft_status s = weft_module_load(r->engine, c->wasm, c->wasm_len, mod, err);
  if (s == WEFT_OK && r->opt->aot) {
    s = compile(r, *mod, err);
    if (s != WEFT_OK) {
      weft_module_free(*mod);
      *mod = NULL;
    }
  }
  return s;
}

static const char *status_text(weft_status s, const weft_error *e, char *buf,
                               size_t size) {
  snprintf(buf, size, "%s (%s)", cli_status_name(s),
           e->message[0] ? e->message : "no message");
  return buf;
}

/* Keeps a `module definition` for `module instance` (freed at the end). */
static void keep_definition(struct runner *r, weft_module *mod) {
  if (r->ndefs == r->defs_cap) {
    size_t cap = r->defs_cap ? r->defs_cap * 2 : 4;
    struct definition *p = realloc(r->defs, cap * sizeof *p);
    if (!p) {
      weft_module_free(mod);
      return;
    }
    r->defs = p;
    r->defs_cap = cap;
  }
  r->defs[r->ndefs].name = r->cmd->name;
  r->defs[r->ndefs++].module = mod;
}

/* module instance $i $m: instantiates definition $m (the latest of that
** name), as $i when named. */
static void cmd_instance(struct runner *r) {
  const weft_wast_command *c = r->cmd;
  struct definition *def = NULL;
  weft_instance *inst = NULL;
  weft_error err;
  char buf[400];
  for (size_t i = r->ndefs; i-- > 0 && !def;)
    if (r->defs[i].name && strcmp(r->defs[i].name, c->definition) == 0)
      def = &r->defs[i];
  memset(&err, 0, sizeof err);
  r->have_module = 1;
  r->current_gc = def && !def->module; /* a GC definition, skipped */
  if (r->current_gc)
    skip_gc(r, "instance of a GC module");
  else if (!def)
    fail(r, "no module definition %s", c->definition);
  else if (weft_instantiate(r->linker, def->module, &inst, &err) != WEFT_OK)
    fail(r, "module failed to instantiate: %s",
         status_text(err.status, &err, buf, sizeof buf));
  if (!r->current_gc)
    count(r, WR_MODULE, inst != NULL);
  r->current = inst;
  if (c->name)
    set_named(r, c->name, inst);
}

static void cmd_module(struct runner *r) {
  const weft_wast_command *c = r->cmd;
  weft_module *mod;
  weft_error err;
  char buf[400];
  weft_instance *inst = NULL;
  weft_status s = c->wasm ? load(r, &mod, &err) : WEFT_ERR_MALFORMED;
  r->have_module = 1;
  r->current_gc = 0;
  if (!c->wasm) {
    fail(r, "module text malformed: %s", c->error);
  } else if (refused_gc(s, &err)) {
    r->current_gc = 1;
    skip_gc(r, "GC module");
    if (c->is_definition)
      keep_definition(r, NULL); /* its instances are skipped too */
    r->current = NULL;
    if (c->name)
      set_named(r, c->name, NULL);
    return;
  } else if (s != WEFT_OK) {
    fail(r, "module failed to load: %s",
         status_text(err.status, &err, buf, sizeof buf));
  } else {
    memset(&err, 0, sizeof err);
    if (!c->is_definition &&
        weft_instantiate(r->linker, mod, &inst, &err) != WEFT_OK) {
      inst = NULL;
      fail(r, "module failed to instantiate: %s",
           status_text(err.status, &err, buf, sizeof buf));
    }
    if (c->is_definition) {
      keep_definition(r, mod);
      count(r, WR_MODULE, 1);
      return;
    }
    weft_module_free(mod);
  }
  count(r, WR_MODULE, inst != NULL);
  r->current = inst;
  if (c->name)
    set_named(r, c->name, inst);
}

static void cmd_register(struct runner *r) {
  char why[300], buf[400];
  weft_error err;
  weft_instance *inst = find_instance(r, r->cmd->name, why, sizeof why);
  memset(&err, 0, sizeof err);
  if (!inst && uses_gc_module(r, r->cmd->name)) {
    skip_gc(r, "register of a GC module");
    return;
  }
  if (!inst) {
    fail(r, "cannot register \"%s\": %s", r->cmd->as, why);
  } else if (weft_linker_define_instance(r->linker, r->cmd->as, inst, &err)) {
    fail(r, "register failed: %s",
         status_text(err.status, &err, buf, sizeof buf));
    inst = NULL;
  }
  count(r, WR_REGISTER, inst != NULL);
}

/* assert_invalid / assert_malformed: the module must not load. */
static void cmd_rejected(struct runner *r, enum wr_cat cat, weft_status want) {
  const weft_wast_command *c = r->cmd;
  weft_module *mod;
  weft_error err;
  char buf[400];
  if (cat == WR_MALFORMED && c->is_text)
    cat = WR_TEXT_MALFORMED;
  if (!c->wasm) {
    /* the text did not parse: right for malformed text, wrong otherwise */
    if (cat != WR_TEXT_MALFORMED)
      fail(r, "module text malformed: %s", c->error);
    else
      note(r, "rejected: %s (expected \"%s\")", c->error,
           c->text ? c->text : "");
    count(r, cat, cat == WR_TEXT_MALFORMED);
    return;
  }
  if (cat == WR_TEXT_MALFORMED) {
    fail(r, "malformed text accepted (expected \"%s\")",
         c->text ? c->text : "");
    count(r, cat, 0);
    return;
  }
  weft_status s = load(r, &mod, &err);
  if (refused_gc(s, &err)) {
    skip_gc(r, "assertion on a GC module");
    return;
  }
  if (s == WEFT_OK) {
    weft_module_free(mod);
    fail(r, "module loaded, expected %s (\"%s\")", cli_status_name(want),
         c->text ? c->text : "");
    count(r, cat, 0);
    return;
  }
  if (err.status != want)
    note(r, "rejected with %s, expected %s (\"%s\")",
         status_text(err.status, &err, buf, sizeof buf), cli_status_name(want),
         c->text ? c->text : "");
  count(r, cat, 1);
}

/* assert_unlinkable / assert_trap on a module: loads, then fails. */
static void cmd_instantiate_fails(struct runner *r, enum wr_cat cat) {
  const weft_wast_command *c = r->cmd;
  weft_status want = cat == WR_UNLINKABLE ? WEFT_ERR_LINK : WEFT_ERR_TRAP;
  weft_module *mod;
  weft_instance *inst;
  weft_error err;
  char buf[400];
  const char *text = c->text ? c->text : "";
  if (!c->wasm) {
    fail(r, "module text malformed: %s", c->error);
    count(r, cat, 0);
    return;
  }
  weft_status ls = load(r, &mod, &err);
  if (refused_gc(ls, &err)) {
    skip_gc(r, "assertion on a GC module");
    return;
  }
  if (ls != WEFT_OK) {
    int ok = cat == WR_UNLINKABLE;
    if (ok)
      note(r, "rejected at load: %s",
           status_text(err.status, &err, buf, sizeof buf));
    else
      fail(r, "module failed to load: %s",
           status_text(err.status, &err, buf, sizeof buf));
    count(r, cat, ok);
    return;
  }
  memset(&err, 0, sizeof err);
  weft_status s = weft_instantiate(r->linker, mod, &inst, &err);
  weft_module_free(mod);
  if (s == WEFT_OK) {
    fail(r, "module instantiated, expected %s (\"%s\")", cli_status_name(want),
         text);
    count(r, cat, 0);
  } else if (s == want || cat == WR_UNLINKABLE) {
    if (s != want || !strstr(err.message, text))
      note(r, "failed with %s, expected \"%s\"",
           status_text(s, &err, buf, sizeof buf), text);
    count(r, cat, 1);
  } else {
    fail(r, "expected %s (\"%s\"), got %s", cli_status_name(want), text,
         status_text(s, &err, buf, sizeof buf));
    count(r, cat, 0);
  }
}

/* ---- actions and values ----------------------------------------------------
 */

struct outcome {
  int setup_failed;
  char why[300];
  weft_status status;
  weft_error err;
  weft_val vals[64];
  const weft_valtype *types;
  weft_valtype get_type;
  uint32_t count;
};

static void to_val(const weft_wast_value *v, weft_val *out) {
  uint64_t bits = 0;
  memset(out, 0, sizeof *out);
  out->type = v->type;
  for (int k = 7; k >= 0; k--)
    bits = bits << 8 | v->bytes[k];
  switch (v->type) {
  case WEFT_I32:
  case WEFT_F32: out->of.u32 = (uint32_t)bits; break;
  case WEFT_I64:
  case WEFT_F64: out->of.u64 = bits; break;
  case WEFT_V128: memcpy(out->of.v128, v->bytes, 16); break;
  default:
    /* externref N is the pointer N + 1, as in tests/spec/spec_runner.c */
    out->of.ref = v->is_null ? NULL : (void *)(uintptr_t)(bits + 1);
  }
}

static void perform(struct runner *r, const weft_wast_action *a,
                    struct outcome *o) {
  weft_extern ext;
  memset(o, 0, sizeof *o);
  if (r->broken[0]) {
    o->setup_failed = 1;
    snprintf(o->why, sizeof o->why, "%s", r->broken);
    return;
  }
  weft_instance *inst = find_instance(r, a->module, o->why, sizeof o->why);
  if (!inst) {
    o->setup_failed = 1;
    return;
  }
  if (weft_instance_export_n(inst, a->field, a->field_len, &ext) != WEFT_OK ||
      ext.kind != (a->is_get ? WEFT_EXTERN_GLOBAL : WEFT_EXTERN_FUNC)) {
    o->setup_failed = 1;
    snprintf(o->why, sizeof o->why, "no exported %s \"%s\"",
             a->is_get ? "global" : "function", a->field);
    return;
  }
  if (a->is_get) {
    o->vals[0] = weft_global_get(ext.of.global);
    o->get_type = o->vals[0].type;
    o->types = &o->get_type;
    o->count = 1;
    return;
  }
  const weft_valtype *params, *results;
  uint32_t np, nr;
  weft_val args[64];
  weft_func_type(ext.of.func, &params, &np, &results, &nr);
  if (a->arg_count > 64 || nr > 64) {
    o->setup_failed = 1;
    snprintf(o->why, sizeof o->why, "more than 64 arguments or results");
    return;
  }
  for (uint32_t i = 0; i < a->arg_count; i++)
    to_val(&a->args[i], &args[i]);
  o->types = results;
  o->count = nr;
  o->status = weft_func_call(r->engine, ext.of.func, args, a->arg_count,
                             o->vals, nr, &o->err);
}

static int nan_ok(uint8_t match, uint64_t bits, unsigned width) {
  uint64_t sign = 1ull << (width - 1);
  uint64_t quiet = width == 32 ? 0x7fc00000u : 0x7ff8000000000000u;
  if (match == WEFT_WAST_NAN_CANONICAL)
    return (bits & ~sign) == quiet;
  return (bits & quiet) == quiet;
}

static uint64_t lane(const uint8_t *b, unsigned bits, unsigned i) {
  uint64_t v = 0;
  for (unsigned k = bits / 8; k-- > 0;)
    v = v << 8 | b[i * bits / 8 + k];
  return v;
}

static int v128_ok(const weft_wast_value *want, const weft_val *got) {
  unsigned bits = want->lane_bits ? want->lane_bits : 32;
  for (unsigned i = 0; i < 128 / bits; i++) {
    uint64_t g = lane(got->of.v128, bits, i);
    if (want->float_lanes && want->match[i]) {
      if (!nan_ok(want->match[i], g, bits))
        return 0;
    } else if (g != lane(want->bytes, bits, i)) {
      return 0;
    }
  }
  return 1;
}

static int value_ok(const weft_wast_value *want, weft_valtype type,
                    const weft_val *got) {
  weft_val w;
  for (uint32_t i = 0; i < want->either_count; i++)
    if (value_ok(&want->either[i], type, got))
      return 1;
  if (want->either_count)
    return 0;
  if (want->match[0] == WEFT_WAST_ANY_NULL)
    return (type == WEFT_FUNCREF || type == WEFT_EXTERNREF ||
            type == WEFT_EXNREF) &&
           got->of.ref == NULL;
  if (want->type != type)
    return 0;
  to_val(want, &w);
  switch (type) {
  case WEFT_I32: return got->of.u32 == w.of.u32;
  case WEFT_I64: return got->of.u64 == w.of.u64;
  case WEFT_F32:
    return want->match[0] ? nan_ok(want->match[0], got->of.u32, 32)
                          : got->of.u32 == w.of.u32;
  case WEFT_F64:
    return want->match[0] ? nan_ok(want->match[0], got->of.u64, 64)
                          : got->of.u64 == w.of.u64;
  case WEFT_V128: return v128_ok(want, got);
  default:
    if (want->is_null)
      return got->of.ref == NULL;
    if (want->match[0] == WEFT_WAST_ANY_REF)
      return got->of.ref != NULL;
    return got->of.ref == w.of.ref;
  }
}

static void describe(weft_valtype t, const weft_val *v, char *buf,
                     size_t size) {
  switch (t) {
  case WEFT_I32:
  case WEFT_F32:
    snprintf(buf, size, "%s:0x%08" PRIx32, cli_valtype_name(t), v->of.u32);
    break;
  case WEFT_I64:
  case WEFT_F64:
    snprintf(buf, size, "%s:0x%016" PRIx64, cli_valtype_name(t), v->of.u64);
    break;
  case WEFT_V128:
    snprintf(buf, size, "v128:%016" PRIx64 "%016" PRIx64,
             lane(v->of.v128, 64, 1), lane(v->of.v128, 64, 0));
    break;
  default: snprintf(buf, size, "%s:%p", cli_valtype_name(t), v->of.ref);
  }
}

static void cmd_action(struct runner *r) {
  struct outcome o;
  char buf[400];
  if (uses_gc_module(r, r->cmd->action.module)) {
    skip_gc(r, "action on a GC module");
    return;
  }
  perform(r, &r->cmd->action, &o);
  if (o.setup_failed)
    fail(r, "%s", o.why);
  else if (o.status != WEFT_OK)
    fail(r, "action failed: %s",
         status_text(o.status, &o.err, buf, sizeof buf));
  count(r, WR_ACTION, !o.setup_failed && o.status == WEFT_OK);
}

static void cmd_return(struct runner *r) {
  const weft_wast_command *c = r->cmd;
  struct outcome o;
  char buf[400], wbuf[100];
  int ok = 0;
  if (uses_gc_module(r, r->cmd->action.module)) {
    skip_gc(r, "action on a GC module");
    return;
  }
  perform(r, &c->action, &o);
  if (o.setup_failed) {
    fail(r, "%s", o.why);
  } else if (o.status != WEFT_OK) {
    fail(r, "expected a return, got %s",
         status_text(o.status, &o.err, buf, sizeof buf));
  } else if (o.count != c->result_count) {
    fail(r, "expected %" PRIu32 " results, got %" PRIu32, c->result_count,
         o.count);
  } else {
    ok = 1;
    for (uint32_t i = 0; i < o.count && ok; i++)
      if (!value_ok(&c->results[i], o.types[i], &o.vals[i])) {
        weft_val w;
        to_val(&c->results[i], &w);
        describe(o.types[i], &o.vals[i], buf, sizeof buf);
        describe(c->results[i].type, &w, wbuf, sizeof wbuf);
        fail(r, "result %" PRIu32 ": expected %s%s, got %s", i, wbuf,
             c->results[i].match[0] ? " (a pattern)" : "", buf);
        ok = 0;
      }
  }
  count(r, WR_RETURN, ok);
}

static void cmd_trap(struct runner *r, enum wr_cat cat) {
  struct outcome o;
  char buf[400];
  const char *text = r->cmd->text ? r->cmd->text : "";
  int ok = 0;
  if (uses_gc_module(r, r->cmd->action.module)) {
    skip_gc(r, "action on a GC module");
    return;
  }
  perform(r, &r->cmd->action, &o);
  if (o.setup_failed)
    fail(r, "%s", o.why);
  else if (o.status == WEFT_OK)
    fail(r, "expected trap \"%s\", got a return", text);
  else if (o.status != WEFT_ERR_TRAP)
    fail(r, "expected trap \"%s\", got %s", text,
         status_text(o.status, &o.err, buf, sizeof buf));
  else
    ok = 1;
  if (ok && !strstr(o.err.message, text))
    note(r, "trap \"%s\" does not contain \"%s\"", o.err.message, text);
  count(r, cat, ok);
}

/* assert_exception: the action must end with an exception no handler
** caught (not a trap, not a return). */
static void cmd_exception(struct runner *r) {
  struct outcome o;
  char buf[400];
  int ok = 0;
  perform(r, &r->cmd->action, &o);
  if (o.setup_failed)
    fail(r, "%s", o.why);
  else if (o.status == WEFT_OK)
    fail(r, "expected an exception, got a return");
  else if (o.status != WEFT_ERR_EXCEPTION || !o.err.exn)
    fail(r, "expected an exception, got %s",
         status_text(o.status, &o.err, buf, sizeof buf));
  else
    ok = 1;
  count(r, WR_EXCEPTION, ok);
}

static void run_command(struct runner *r) {
  switch (r->cmd->kind) {
  case WEFT_WAST_MODULE: cmd_module(r); return;
  case WEFT_WAST_REGISTER: cmd_register(r); return;
  case WEFT_WAST_ACTION: cmd_action(r); return;
  case WEFT_WAST_RETURN: cmd_return(r); return;
  case WEFT_WAST_TRAP: cmd_trap(r, WR_TRAP); return;
  case WEFT_WAST_EXHAUSTION: cmd_trap(r, WR_EXHAUSTION); return;
  case WEFT_WAST_INVALID: cmd_rejected(r, WR_INVALID, WEFT_ERR_INVALID); return;
  case WEFT_WAST_MALFORMED:
    cmd_rejected(r, WR_MALFORMED, WEFT_ERR_MALFORMED);
    return;
  case WEFT_WAST_UNLINKABLE: cmd_instantiate_fails(r, WR_UNLINKABLE); return;
  case WEFT_WAST_UNINSTANTIABLE:
    cmd_instantiate_fails(r, WR_UNINSTANTIABLE);
    return;
  case WEFT_WAST_INSTANCE: cmd_instance(r); return;
  case WEFT_WAST_EXCEPTION: cmd_exception(r); return;
  case WEFT_WAST_UNSUPPORTED: r->st->skipped++; return;
  case WEFT_WAST_ERROR:
    fail(r, "command not understood: %s", r->cmd->error);
    r->st->broken++;
    return;
  }
}

/* --save-modules: DIR/NAME.LINE.wasm (for comparing encoders). */
static void save_module(const struct runner *r) {
  char path[4096];
  const char *dot = strrchr(r->file, '.');
  int stem = dot ? (int)(dot - r->file) : (int)strlen(r->file);
  snprintf(path, sizeof path, "%s/%.*s.%" PRIu32 ".wasm", r->opt->save_dir,
           stem, r->file, r->cmd->line);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(r->cmd->wasm, 1, r->cmd->wasm_len, f) != r->cmd->wasm_len)
    printf("  note: cannot write %s\n", path);
  if (f)
    fclose(f);
}

void wr_run_script(const weft_wast_script *script, const char *name,
                   const struct wr_options *opt, struct wr_stats *st) {
  struct runner r;
  weft_config config;
  weft_error err;
  memset(&r, 0, sizeof r);
  memset(&err, 0, sizeof err);
  r.opt = opt;
  r.file = name;
  r.st = st;
  weft_config_default(&config);
  config.wasm_2_0 = opt->wasm_2_0;
  if (weft_engine_new(&config, &r.engine, &err) != WEFT_OK ||
      weft_linker_new(r.engine, &r.linker, &err) != WEFT_OK ||
      spectest(&r, &err) != WEFT_OK) {
    printf("  FAIL %s: setting up the engine: %s\n", name, err.message);
    st->broken++;
  } else {
    if (opt->aot) {
      char why[300];
      r.batch = wr_batch_compile(r.engine, script, opt, why, sizeof why);
      if (!r.batch && why[0] && opt->verbose)
        printf("  note %s: compiling the modules together failed (%s); "
               "compiling them one by one\n",
               name, why);
    }
    for (uint32_t i = 0; i < weft_wast_command_count(script); i++) {
      r.cmd = weft_wast_command_at(script, i);
      r.cmd_index = i;
      if (opt->save_dir && r.cmd->wasm)
        save_module(&r);
      run_command(&r);
    }
  }
  if (r.failures > opt->max_fail)
    printf("  ... %lu more\n", r.failures - opt->max_fail);
  for (size_t i = 0; i < r.ndefs; i++)
    weft_module_free(r.defs[i].module);
  free(r.defs);
  wr_batch_free_modules(r.batch);
  if (r.linker)
    weft_linker_free(r.linker);
  if (r.engine)
    weft_engine_free(r.engine);
  wr_batch_unload(r.batch); /* after the engine: its instances ran it */
  for (size_t i = 0; i < r.naot; i++)
    weft_aot_unload(r.aot[i]);
  free(r.aot);
  free(r.named);
}
