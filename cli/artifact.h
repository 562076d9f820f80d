/*
** artifact.h — the AoT artifact (.cwasm): a fixed header (docs/aot-artifact.md)
** followed by the module's Wasm bytes and the shared object compiled from
** it. Encoding, and decoding with every check `weft run` makes before any
** code is loaded. Pure: no files, no processes.
*/
#ifndef WEFT_CLI_ARTIFACT_H
#define WEFT_CLI_ARTIFACT_H

#include <stddef.h>
#include <stdint.h>

#define CLI_ARTIFACT_FORMAT 4           /* version of the header layout */
#define CLI_ARTIFACT_FORMAT_WHOLE 3     /* the oldest still read: whole only */
#define CLI_ARTIFACT_HEADER_SIZE 1024   /* bytes before the payload */
#define CLI_ARTIFACT_EXPLICIT_CHECKS 1u /* flags: bounds checked in code */
#define CLI_ARTIFACT_FUEL 2u            /* flags: code meters fuel */
#define CLI_ARTIFACT_PIECE 4u /* flags: code for some functions only */

/* Why an artifact was refused (0: accepted). */
enum cli_artifact_problem {
  CLI_ARTIFACT_OK = 0,
  CLI_ARTIFACT_NOT_ARTIFACT, /* no magic */
  CLI_ARTIFACT_FORMAT_VERSION,
  CLI_ARTIFACT_TRUNCATED,   /* sizes in the header and file disagree */
  CLI_ARTIFACT_UNAUTHENTIC, /* the MAC does not verify under the key */
  CLI_ARTIFACT_CORRUPT,     /* a malformed field */
  CLI_ARTIFACT_ABI,         /* WEFT_AOT_ABI differs */
  CLI_ARTIFACT_TARGET       /* built for another target */
};

struct cli_artifact {
  uint32_t format;           /* CLI_ARTIFACT_FORMAT, or _WHOLE (decoded) */
  uint32_t abi;              /* WEFT_AOT_ABI of the weft that built it */
  uint32_t flags;            /* CLI_ARTIFACT_* bits */
  uint8_t module_sha256[32]; /* SHA-256 of the Wasm bytes */
  uint8_t key_id[16];        /* cli_aot_key_id of the key that made it */
  char target[64];           /* normalised triple, e.g. x86_64-linux-gnu */
  char weft_version[32];     /* of the weft that built it */
  char weft_build[32];       /* its library build id (informational) */
  char cc[256];              /* compiler command */
  char cc_version[256];      /* first line of `cc --version` */
  char cflags[256];          /* compiler flags */
  const uint8_t *wasm;       /* payload; points into the decoded buffer */
  size_t wasm_size;          /* 0: detached (a cache entry, bound to its
                                module by module_sha256 alone) */
  const uint8_t *so;
  size_t so_size;
};

/* True when `bytes` start with the artifact magic. */
int cli_artifact_is(const uint8_t *bytes, size_t size);

/* Lays out header + payload in a malloc'd buffer and authenticates it with
** `key` (32 bytes, aot_key.h): the key id and the MAC are computed here.
** With a->wasm_size 0 the artifact is detached: it carries no module and
** names it by a->module_sha256 only (the --aot cache's entries).
** Returns 0, or -1 when out of memory or a string field does not fit. */
int cli_artifact_encode(const struct cli_artifact *a, const uint8_t *key,
                        uint8_t **out_bytes, size_t *out_size);

/* Decodes and checks, in this order: magic and format version (format 3
** is still read, as a whole artifact carrying its module), sizes, the MAC
** under `key` (nothing else is believed before it verifies), field
** syntax, ABI, target == this host. What it is for (whole and carrying
** its module for --allow-precompiled, a piece for tiering) is the
** caller's check. The embedded Wasm is not hashed
** again: the MAC covers it and the module hash field alike, both written
** by `weft compile` holding the key, so a second hash could only catch
** what the key's holder chose to write (docs/aot-artifact.md). On a
** problem writes a one-line reason to `why` and returns it; out->wasm and
** out->so point into `bytes`. */
enum cli_artifact_problem cli_artifact_decode(const uint8_t *bytes, size_t size,
                                              const uint8_t *key,
                                              struct cli_artifact *out,
                                              char *why, size_t why_size);

/* For `weft inspect`: the container and field checks only, without the
** MAC, so the fields are what the file claims, nothing more. */
enum cli_artifact_problem cli_artifact_read_header(const uint8_t *bytes,
                                                   size_t size,
                                                   struct cli_artifact *out,
                                                   char *why, size_t why_size);
/* True when the container is sound and its MAC verifies under `key`. */
int cli_artifact_authentic(const uint8_t *bytes, size_t size,
                           const uint8_t *key);

/* The target triple weft was built for, normalised. */
const char *cli_host_triple(void);
/* Normalises a triple in place: drops a "pc"/"unknown" vendor field, so
** gcc's x86_64-linux-gnu and clang's x86_64-pc-linux-gnu compare equal. */
void cli_triple_normalise(char *triple);
/* True for targets with 64-bit pointers (guard pages are the default). */
int cli_triple_is_64bit(const char *triple);

#endif /* WEFT_CLI_ARTIFACT_H */
