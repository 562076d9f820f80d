/*
** aot_posix.c — loading AoT shared objects on POSIX hosts (dlopen, the
** module table, weft_module_attach_aot). Building them (the C-compiler
** driver) is not the library's: aotbuild/aot_build.c.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

#include "weft_aot.h"
#include "weft_aot_build.h"

__attribute__((noinline)) static weft_status
fail(weft_error *err, weft_status s, const char *fmt, const char *a,
     const char *b) {
  if (err) {
    err->status = s;
    snprintf(err->message, sizeof err->message, fmt, a ? a : "", b ? b : "");
  }
  return s;
}

weft_status weft_aot_load_so(weft_module *module, const char *so_path,
                             void **out_handle, weft_error *err) {
  *out_handle = NULL;
  void *h = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return fail(err, WEFT_ERR_ARG, "cannot load compiled code: %s%s", dlerror(),
                NULL);
  const void *table = dlsym(h, WEFT_AOT_SYMBOL);
  if (!table) {
    dlclose(h);
    return fail(err, WEFT_ERR_ARG, "%s has no weft module table%s", so_path,
                NULL);
  }
  weft_status s = weft_module_attach_aot(module, table, err);
  if (s != WEFT_OK) {
    dlclose(h);
    return s;
  }
  *out_handle = h;
  return WEFT_OK;
}

void weft_aot_unload(void *handle) {
  if (handle)
    dlclose(handle);
}

/* ---- batches (weft_aot_build_so_batch's objects) ------------------------ */

weft_status weft_aot_open_so(const char *so_path, void **out_handle,
                             weft_error *err) {
  char msg[sizeof err->message];
  *out_handle = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
  if (*out_handle)
    return WEFT_OK;
  snprintf(msg, sizeof msg, "cannot load compiled code: %s", dlerror());
  return fail(err, WEFT_ERR_ARG, "%s%s", msg, NULL);
}

weft_status weft_aot_attach_batch(void *handle, uint32_t index,
                                  weft_module *module, weft_error *err) {
  char name[64], msg[128];
  snprintf(name, sizeof name, "%s_%u", WEFT_AOT_SYMBOL, index);
  const void *table = handle ? dlsym(handle, name) : NULL;
  if (!table) {
    snprintf(msg, sizeof msg, "the compiled batch has no entry %u", index);
    return fail(err, WEFT_ERR_ARG, "%s%s", msg, NULL);
  }
  return weft_module_attach_aot(module, table, err);
}
