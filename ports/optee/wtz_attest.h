/*
** wtz_attest.h — the attester of docs/attestation.md's handshake, run
** inside the weft TA (docs/trustzone.md, Attestation). The TA holds its
** attestation key in OP-TEE secure storage, measures itself and the module,
** signs the evidence and opens the released secret; the normal world only
** relays the handshake's frames, which it cannot read or forge.
*/
#ifndef WTZ_ATTEST_H
#define WTZ_ATTEST_H

#include <stddef.h>
#include <stdint.h>

/* WTZ_CMD_ATTEST's steps (weft_tz.h) and the first byte of each answer. */
enum wtz_attest_op {
  WTZ_ATT_KEY = 1,     /* -> 'K' pub(65) || TA measurement(32) */
  WTZ_ATT_ENDORSE = 2, /* in: endorsement, in2: the verifier's key (65):
                          kept in secure storage; -> 'K' as above */
  WTZ_ATT_BEGIN = 3,   /* in: the module's bytes -> 'F' msg0 */
  WTZ_ATT_STEP = 4     /* in: the verifier's frame -> 'F' msg2, or 'S'
                          SHA-256(secret) after msg3 */
};
#define WTZ_ATT_ANSWER_MAX 16384 /* bytes of an answer (ATTEST_MAX_FRAME) */
#define WTZ_ATT_SECRET_MAX 4096  /* bytes of a secret (ATTEST_MAX_SECRET) */

/* Runs one step for session `owner`; writes the answer (kind byte, then
** bytes; 'E' then a reason when the step failed) into out[0..*out_len),
** *out_len at most WTZ_ATT_ANSWER_MAX. */
void wtz_attest_step(const void *owner, uint32_t op, const uint8_t *in,
                     size_t in_len, const uint8_t *in2, size_t in2_len,
                     uint8_t *out, size_t *out_len);

/* When session `owner` was released a secret for a module whose SHA-256
** equals module[0..n)'s, writes "WEFT_ATTEST_SECRET=" and the secret in
** hex, NUL-terminated, to out and returns its length with the NUL;
** otherwise 0. (The module must already be in TA memory: a copy the normal
** world cannot change between this check and the load.) */
size_t wtz_attest_secret_env(const void *owner, const uint8_t *module, size_t n,
                             char *out, size_t cap);
/* Wipes the secret and any handshake of session `owner`. */
void wtz_attest_forget(const void *owner);

#endif /* WTZ_ATTEST_H */
