/*
** secret.c — the attested program of the TrustZone tier (tests/tz/init.sh,
** docs/trustzone.md, Attestation): run in the weft TA after `weft verifier`
** released a secret for exactly this module, it finds the secret in
** WEFT_ATTEST_SECRET (hex) and prints only its length and FNV-1a 64 hash,
** which the host compares with the secret it gave the verifier. Exits 0,
** or 1 when there is no secret (a refused or unattested run).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  const char *hex = getenv("WEFT_ATTEST_SECRET");
  if (hex == NULL || strlen(hex) % 2 != 0 || hex[0] == '\0') {
    printf("no secret\n");
    return 1;
  }
  uint64_t h = 14695981039346656037ull;
  size_t n = strlen(hex) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned b;
    if (sscanf(hex + 2 * i, "%2x", &b) != 1)
      return 1;
    h = (h ^ b) * 1099511628211ull;
  }
  printf("secret %zu bytes, fnv1a64 %016llx\n", n, (unsigned long long)h);
  return 0;
}
