/*
** test_wasi_module.h — shared by the test_wasi_*.c unit tests: builds, in
** memory, a module that imports every wasi_snapshot_preview1 function and
** re-exports each as a plain function of the same type (so a test can call
** WASI exactly as a guest does, with the guest's memory), plus its memory
** ("memory", 2 pages). Also small helpers to poke at that memory.
*/
#ifndef TEST_WASI_MODULE_H
#define TEST_WASI_MODULE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft.h"
#include "weft_wasi.h"
#include "weft_wasi_fs.h"

/* Name and parameter types ('i' i32, 'I' i64) of every import. */
static const struct {
  const char *name, *params;
} wm_funcs[] = {
    {"args_get", "ii"},
    {"args_sizes_get", "ii"},
    {"environ_get", "ii"},
    {"environ_sizes_get", "ii"},
    {"clock_res_get", "ii"},
    {"clock_time_get", "iIi"},
    {"fd_advise", "iIIi"},
    {"fd_allocate", "iII"},
    {"fd_close", "i"},
    {"fd_datasync", "i"},
    {"fd_fdstat_get", "ii"},
    {"fd_fdstat_set_flags", "ii"},
    {"fd_fdstat_set_rights", "iII"},
    {"fd_filestat_get", "ii"},
    {"fd_filestat_set_size", "iI"},
    {"fd_filestat_set_times", "iIIi"},
    {"fd_pread", "iiiIi"},
    {"fd_prestat_get", "ii"},
    {"fd_prestat_dir_name", "iii"},
    {"fd_pwrite", "iiiIi"},
    {"fd_read", "iiii"},
    {"fd_readdir", "iiiIi"},
    {"fd_renumber", "ii"},
    {"fd_seek", "iIii"},
    {"fd_sync", "i"},
    {"fd_tell", "ii"},
    {"fd_write", "iiii"},
    {"path_create_directory", "iii"},
    {"path_filestat_get", "iiiii"},
    {"path_filestat_set_times", "iiiiIIi"},
    {"path_link", "iiiiiii"},
    {"path_open", "iiiiiIIii"},
    {"path_readlink", "iiiiii"},
    {"path_remove_directory", "iii"},
    {"path_rename", "iiiiii"},
    {"path_symlink", "iiiii"},
    {"path_unlink_file", "iii"},
    {"poll_oneoff", "iiii"},
    {"proc_exit", "i"},
    {"proc_raise", "i"},
    {"sched_yield", ""},
    {"random_get", "ii"},
    {"sock_accept", "iii"},
    {"sock_recv", "iiiiii"},
    {"sock_send", "iiiii"},
    {"sock_shutdown", "ii"},
};
#define WM_NFUNCS (sizeof wm_funcs / sizeof wm_funcs[0])
#define WM_PAGES 2
#define WM_MEM_SIZE (WM_PAGES * 65536u)

struct wm_buf {
  unsigned char *p;
  size_t n, cap;
};

static void wm_byte(struct wm_buf *b, unsigned v) {
  if (b->n == b->cap) {
    b->cap = b->cap ? 2 * b->cap : 256;
    b->p = realloc(b->p, b->cap);
  }
  b->p[b->n++] = (unsigned char)v;
}
static void wm_u32(struct wm_buf *b, uint32_t v) {
  do {
    unsigned c = v & 0x7f;
    v >>= 7;
    wm_byte(b, c | (v ? 0x80 : 0));
  } while (v);
}
static void wm_name(struct wm_buf *b, const char *s) {
  wm_u32(b, (uint32_t)strlen(s));
  while (*s)
    wm_byte(b, (unsigned char)*s++);
}
static void wm_section(struct wm_buf *m, unsigned id, struct wm_buf *s) {
  wm_byte(m, id);
  wm_u32(m, (uint32_t)s->n);
  for (size_t i = 0; i < s->n; i++)
    wm_byte(m, s->p[i]);
  s->n = 0;
}

static int wm_is_exit(size_t i) {
  return strcmp(wm_funcs[i].name, "proc_exit") == 0;
}

/* The module's bytes (malloc'd). */
static unsigned char *wm_build(size_t *out_size) {
  struct wm_buf m = {0}, s = {0};
  size_t i, j, n = WM_NFUNCS;
  const char *magic = "\0asm\1\0\0\0";

  for (i = 0; i < 8; i++)
    wm_byte(&m, (unsigned char)magic[i]);
  wm_u32(&s, (uint32_t)n); /* types: one per function */
  for (i = 0; i < n; i++) {
    const char *p = wm_funcs[i].params;
    wm_byte(&s, 0x60);
    wm_u32(&s, (uint32_t)strlen(p));
    for (j = 0; p[j]; j++)
      wm_byte(&s, p[j] == 'I' ? 0x7e : 0x7f);
    if (wm_is_exit(i)) {
      wm_u32(&s, 0);
    } else {
      wm_u32(&s, 1);
      wm_byte(&s, 0x7f);
    }
  }
  wm_section(&m, 1, &s);
  wm_u32(&s, (uint32_t)n); /* imports */
  for (i = 0; i < n; i++) {
    wm_name(&s, "wasi_snapshot_preview1");
    wm_name(&s, wm_funcs[i].name);
    wm_byte(&s, 0);
    wm_u32(&s, (uint32_t)i);
  }
  wm_section(&m, 2, &s);
  wm_u32(&s, (uint32_t)n); /* functions */
  for (i = 0; i < n; i++)
    wm_u32(&s, (uint32_t)i);
  wm_section(&m, 3, &s);
  wm_u32(&s, 1); /* memory */
  wm_byte(&s, 0);
  wm_u32(&s, WM_PAGES);
  wm_section(&m, 5, &s);
  wm_u32(&s, (uint32_t)n + 1); /* exports */
  wm_name(&s, "memory");
  wm_byte(&s, 2);
  wm_u32(&s, 0);
  for (i = 0; i < n; i++) {
    wm_name(&s, wm_funcs[i].name);
    wm_byte(&s, 0);
    wm_u32(&s, (uint32_t)(n + i));
  }
  wm_section(&m, 7, &s);
  wm_u32(&s, (uint32_t)n); /* code: forward every parameter */
  for (i = 0; i < n; i++) {
    struct wm_buf body = {0};
    size_t np = strlen(wm_funcs[i].params);
    wm_u32(&body, 0);
    for (j = 0; j < np; j++) {
      wm_byte(&body, 0x20);
      wm_u32(&body, (uint32_t)j);
    }
    wm_byte(&body, 0x10);
    wm_u32(&body, (uint32_t)i);
    wm_byte(&body, 0x0b);
    wm_u32(&s, (uint32_t)body.n);
    for (j = 0; j < body.n; j++)
      wm_byte(&s, body.p[j]);
    free(body.p);
  }
  wm_section(&m, 10, &s);
  free(s.p);
  *out_size = m.n;
  return m.p;
}

/* One instantiated test module with its WASI. */
struct wm {
  weft_engine *engine;
  weft_module *module;
  weft_linker *linker;
  weft_instance *instance;
  weft_wasi *wasi;
  weft_memory *memory;
  weft_func *funcs[WM_NFUNCS];
  weft_error err; /* of the last call */
};

/* Instantiates in an engine made with `ec` (NULL: defaults), with WASI
** configured by `cfg` (NULL: defaults); 0 on success. */
static int wm_open_engine(struct wm *w, const weft_config *ec,
                          const weft_wasi_config *cfg) {
  size_t size, i;
  unsigned char *bytes = wm_build(&size);
  weft_error err;
  weft_extern ext;

  memset(w, 0, sizeof *w);
  if (weft_engine_new(ec, &w->engine, &err) != WEFT_OK ||
      weft_module_load(w->engine, bytes, size, &w->module, &err) != WEFT_OK ||
      weft_linker_new(w->engine, &w->linker, &err) != WEFT_OK ||
      weft_wasi_new(w->engine, cfg, &w->wasi, &err) != WEFT_OK ||
      weft_wasi_define(w->wasi, w->linker, &err) != WEFT_OK ||
      weft_instantiate(w->linker, w->module, &w->instance, &err) != WEFT_OK) {
    fprintf(stderr, "wm_open: %s\n", err.message);
    free(bytes);
    return -1;
  }
  free(bytes);
  if (weft_instance_export(w->instance, "memory", &ext) != WEFT_OK)
    return -1;
  w->memory = ext.of.memory;
  for (i = 0; i < WM_NFUNCS; i++) {
    if (weft_instance_export(w->instance, wm_funcs[i].name, &ext) != WEFT_OK)
      return -1;
    w->funcs[i] = ext.of.func;
  }
  return 0;
}

/* Instantiates with `cfg` (NULL: defaults); 0 on success. */
static int wm_open(struct wm *w, const weft_wasi_config *cfg) {
  return wm_open_engine(w, NULL, cfg);
}

static void wm_close(struct wm *w) {
  if (w->linker)
    weft_linker_free(w->linker);
  weft_wasi_free(w->wasi);
  weft_module_free(w->module);
  weft_engine_free(w->engine);
  memset(w, 0, sizeof *w);
}

static unsigned char *wm_mem(struct wm *w) {
  return weft_memory_data(w->memory);
}

/* Calls WASI function `name` with up to 9 arguments (i32 or i64 by its
** type); returns the errno, or -1 when the call did not return normally
** (w->err says why: a trap, an exit). */
static long long wm_call(struct wm *w, const char *name, const uint64_t *args) {
  size_t i, j;
  weft_val a[9], r[1];

  for (i = 0; i < WM_NFUNCS; i++)
    if (strcmp(wm_funcs[i].name, name) == 0)
      break;
  if (i == WM_NFUNCS)
    return -2;
  for (j = 0; wm_funcs[i].params[j]; j++) {
    memset(&a[j], 0, sizeof a[j]);
    if (wm_funcs[i].params[j] == 'I') {
      a[j].type = WEFT_I64;
      a[j].of.u64 = args[j];
    } else {
      a[j].type = WEFT_I32;
      a[j].of.u32 = (uint32_t)args[j];
    }
  }
  memset(&w->err, 0, sizeof w->err);
  if (weft_func_call(w->engine, w->funcs[i], a, (uint32_t)j, r,
                     wm_is_exit(i) ? 0 : 1, &w->err) != WEFT_OK)
    return -1;
  return wm_is_exit(i) ? 0 : (long long)r[0].of.u32;
}

#define WM_ARGS(...) ((const uint64_t[]){__VA_ARGS__, 0})
/* CALL(w, "fd_close", 3) → errno */
#define WCALL(w, name, ...) wm_call((w), (name), WM_ARGS(__VA_ARGS__))

static void wm_put32(struct wm *w, uint32_t at, uint32_t v) {
  unsigned char *p = wm_mem(w) + at;
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}
static uint32_t wm_get32(struct wm *w, uint32_t at) {
  const unsigned char *p = wm_mem(w) + at;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static uint64_t wm_get64(struct wm *w, uint32_t at) {
  return (uint64_t)wm_get32(w, at) | (uint64_t)wm_get32(w, at + 4) << 32;
}
/* Copies a string (no NUL) into memory at `at`; returns its length. */
static uint32_t wm_str(struct wm *w, uint32_t at, const char *s) {
  size_t n = strlen(s);
  memcpy(wm_mem(w) + at, s, n);
  return (uint32_t)n;
}

#endif /* TEST_WASI_MODULE_H */
