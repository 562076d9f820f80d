/*
** seal_host.c — seal_host.h: the weft:seal functions. Each checks every
** guest range first, then works on host buffers and copies the result into
** guest memory only when it is complete (an unsealed plaintext only after
** its tag verified), so a failing call writes nothing but *out_len on
** ENOBUFS.
*/
#include <stdlib.h>
#include <string.h>

#include "pfs_crypto.h"
#include "seal_host.h"
#include "weft_wasi_fs.h" /* WEFT_WASI_E* */

/* A guest range [ptr, ptr + len) of memory `size` bytes. Both are 32-bit
** values added in 64 bits, so they cannot wrap. */
static int range_ok(uint64_t size, uint32_t ptr, uint64_t len) {
  return (uint64_t)ptr + len <= size;
}

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t errno_of(struct seal_host *h, enum seal_status st) {
  switch (st) {
  case SEAL_OK: return WEFT_WASI_ESUCCESS;
  case SEAL_BAD_POLICY: return WEFT_WASI_EINVAL;
  case SEAL_NOT_SIGNED:
    if (h->report != NULL && !h->reported_unsigned)
      h->report(h->report_user, "the SIGNER policy needs a module signed "
                                "with `weft sign` (no weft.sig section)");
    h->reported_unsigned = 1;
    return WEFT_WASI_EPERM;
  case SEAL_SVN_TOO_LOW: return WEFT_WASI_EPERM;
  case SEAL_MALFORMED:
  case SEAL_NOT_OPENED: return WEFT_WASI_EBADMSG;
  case SEAL_NO_MEMORY: return WEFT_WASI_ENOMEM;
  case SEAL_CRYPTO_ERROR: break;
  }
  return WEFT_WASI_EIO;
}

/* Checks the room for a result of `need` bytes (ranges already checked):
** EOVERFLOW for a result over 4 GiB, or ENOBUFS after storing `need` at
** out_len_ptr. */
static uint32_t check_room(uint8_t *mem, uint32_t out_cap, uint32_t out_len_ptr,
                           uint64_t need) {
  if (need > UINT32_MAX)
    return WEFT_WASI_EOVERFLOW;
  if (need > out_cap) {
    put_u32(mem + out_len_ptr, (uint32_t)need);
    return WEFT_WASI_ENOBUFS;
  }
  return WEFT_WASI_ESUCCESS;
}

/* Copies a finished result into the guest and stores its length. */
static void deliver(uint8_t *mem, uint32_t out_ptr, uint32_t out_len_ptr,
                    const uint8_t *buf, size_t len) {
  if (len != 0)
    memcpy(mem + out_ptr, buf, len);
  put_u32(mem + out_len_ptr, (uint32_t)len);
}

static uint32_t do_seal(struct seal_host *h, uint8_t *mem, uint64_t size,
                        const weft_slot *a) {
  uint32_t policy = a[0].u32, aad = a[1].u32, aad_len = a[2].u32;
  uint32_t pt = a[3].u32, pt_len = a[4].u32, out = a[5].u32;
  uint32_t out_cap = a[6].u32, out_len_ptr = a[7].u32, r;
  uint64_t need = (uint64_t)pt_len + SEAL_OVERHEAD;
  enum seal_status st;
  uint8_t *buf;

  if (!range_ok(size, aad, aad_len) || !range_ok(size, pt, pt_len) ||
      !range_ok(size, out, out_cap) || !range_ok(size, out_len_ptr, 4))
    return WEFT_WASI_EFAULT;
  if (policy != SEAL_POLICY_MEASUREMENT && policy != SEAL_POLICY_SIGNER)
    return WEFT_WASI_EINVAL;
  if (policy == SEAL_POLICY_SIGNER && !h->id.is_signed)
    return errno_of(h, SEAL_NOT_SIGNED);
  r = check_room(mem, out_cap, out_len_ptr, need);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  buf = malloc((size_t)need);
  if (buf == NULL)
    return WEFT_WASI_ENOMEM;
  st = seal_blob(h->rng, h->root, &h->id, policy, mem + aad, aad_len, mem + pt,
                 pt_len, buf);
  if (st == SEAL_OK)
    deliver(mem, out, out_len_ptr, buf, (size_t)need);
  free(buf);
  return errno_of(h, st);
}

static uint32_t do_unseal(struct seal_host *h, uint8_t *mem, uint64_t size,
                          const weft_slot *a) {
  uint32_t aad = a[0].u32, aad_len = a[1].u32, in = a[2].u32;
  uint32_t in_len = a[3].u32, out = a[4].u32, out_cap = a[5].u32;
  uint32_t out_len_ptr = a[6].u32, r;
  enum seal_status st;
  uint8_t *buf;
  size_t len;

  if (!range_ok(size, aad, aad_len) || !range_ok(size, in, in_len) ||
      !range_ok(size, out, out_cap) || !range_ok(size, out_len_ptr, 4))
    return WEFT_WASI_EFAULT;
  if (in_len < SEAL_OVERHEAD)
    return WEFT_WASI_EBADMSG;
  len = in_len - SEAL_OVERHEAD;
  r = check_room(mem, out_cap, out_len_ptr, len);
  if (r != WEFT_WASI_ESUCCESS)
    return r;
  buf = malloc(len ? len : 1);
  if (buf == NULL)
    return WEFT_WASI_ENOMEM;
  st = unseal_blob(h->root, &h->id, mem + aad, aad_len, mem + in, in_len, buf);
  if (st == SEAL_OK)
    deliver(mem, out, out_len_ptr, buf, len);
  pfs_wipe(buf, len);
  free(buf);
  return errno_of(h, st);
}

/* Guest memory of the caller; a module without memory gets EFAULT. */
static weft_status call(weft_host_ctx *ctx, void *user, weft_slot *slots,
                        int sealing) {
  weft_memory *memory = weft_host_memory(ctx);
  uint8_t *mem = memory != NULL ? weft_memory_data(memory) : NULL;
  uint64_t size = memory != NULL ? weft_memory_size(memory) : 0;
  uint32_t r;

  if (mem == NULL)
    r = WEFT_WASI_EFAULT;
  else if (sealing)
    r = do_seal(user, mem, size, slots);
  else
    r = do_unseal(user, mem, size, slots);
  slots[0].u32 = r;
  return WEFT_OK;
}

static weft_status call_seal(weft_host_ctx *ctx, void *user, weft_slot *s) {
  return call(ctx, user, s, 1);
}

static weft_status call_unseal(weft_host_ctx *ctx, void *user, weft_slot *s) {
  return call(ctx, user, s, 0);
}

int seal_host_imported(const weft_module *module) {
  uint32_t i, n = weft_module_import_count(module);
  for (i = 0; i < n; i++) {
    weft_import_info info;
    weft_module_import(module, i, &info);
    if (strcmp(info.module, SEAL_HOST_MODULE) == 0)
      return 1;
  }
  return 0;
}

struct seal_host *seal_host_new(const uint8_t root[32],
                                const struct seal_identity *id) {
  struct seal_host *h = calloc(1, sizeof *h);
  if (h == NULL)
    return NULL;
  h->rng = pfs_rng_new();
  if (h->rng == NULL) {
    free(h);
    return NULL;
  }
  memcpy(h->root, root, 32);
  h->id = *id;
  return h;
}

void seal_host_free(struct seal_host *h) {
  if (h == NULL)
    return;
  pfs_rng_free(h->rng);
  pfs_wipe(h, sizeof *h);
  free(h);
}

static weft_status define_one(struct seal_host *h, weft_engine *engine,
                              weft_linker *linker, const char *name,
                              uint32_t nparams, weft_host_fn fn,
                              weft_error *err) {
  static const weft_valtype i32s[8] = {WEFT_I32, WEFT_I32, WEFT_I32, WEFT_I32,
                                       WEFT_I32, WEFT_I32, WEFT_I32, WEFT_I32};
  weft_extern ext;
  weft_func *func;
  weft_status s;

  s = weft_func_new_host(engine, i32s, nparams, i32s, 1, fn, h, &func, err);
  if (s != WEFT_OK)
    return s;
  ext.kind = WEFT_EXTERN_FUNC;
  ext.of.func = func;
  return weft_linker_define(linker, SEAL_HOST_MODULE, name, ext, err);
}

weft_status seal_host_define(struct seal_host *h, weft_engine *engine,
                             weft_linker *linker, weft_error *err) {
  weft_status s = define_one(h, engine, linker, "seal", 8, call_seal, err);
  if (s == WEFT_OK)
    s = define_one(h, engine, linker, "unseal", 7, call_unseal, err);
  return s;
}
