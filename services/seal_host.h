/*
** seal_host.h — the `weft:seal` host module a program imports to seal and
** unseal data (docs/sealing.md), on the public API (weft.h). Guest
** pointers are checked (64-bit sums) before any byte is read or written;
** results are WASI errno values:
**   seal  (policy, aad_ptr, aad_len, pt_ptr, pt_len,
**          out_ptr, out_cap, out_len_ptr) -> errno
**   unseal(aad_ptr, aad_len, in_ptr, in_len,
**          out_ptr, out_cap, out_len_ptr) -> errno
** Never prints: a refusal worth explaining goes to the report callback.
*/
#ifndef WEFT_SEAL_HOST_H
#define WEFT_SEAL_HOST_H

#include "seal.h"
#include "weft.h"

#define SEAL_HOST_MODULE "weft:seal"

struct seal_host {
  uint8_t root[32];                             /* the device's root seal key */
  struct seal_identity id;                      /* the running module */
  struct pfs_rng *rng;                          /* owned */
  void (*report)(void *user, const char *what); /* may be NULL */
  void *report_user;
  int reported_unsigned; /* explain SIGNER on an unsigned module once */
};

/* Nonzero when the module imports anything from weft:seal. */
int seal_host_imported(const weft_module *module);

/* Allocates a host with `root` (copied) and `id`; NULL when out of memory
** or no random numbers. */
struct seal_host *seal_host_new(const uint8_t root[32],
                                const struct seal_identity *id);
void seal_host_free(struct seal_host *host); /* wipes the key */

/* Defines weft:seal.seal and weft:seal.unseal in the linker. */
weft_status seal_host_define(struct seal_host *host, weft_engine *engine,
                             weft_linker *linker, weft_error *out_error);

#endif /* WEFT_SEAL_HOST_H */
