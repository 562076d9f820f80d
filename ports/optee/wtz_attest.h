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

/* Runs one step; writes the answer (kind byte, then bytes; 'E' then a
** reason when the step failed) into out[0..*out_len), *out_len at most
** WTZ_ATT_ANSWER_MAX. */
void wtz_attest_step(uint32_t op, const uint8_t *in, size_t in_len,
                     const uint8_t *in2, size_t in2_len, uint8_t *out,
                     size_t *out_len);

#endif /* WTZ_ATTEST_H */
