/*
** snap_file.c — the snapshot file's container (snap_file.h; the layout is
** in docs/snapshot.md). Little-endian throughout:
**
**   magic "WEFTSNAP" | u32 version | u32 flags (1: shielded)
**   | module SHA-256 (32) | u64 length of the sections
**   | shielded: nonce (12) | the sections | tag (16)
**   | plain:                 the sections | SHA-256 of all before (32)
**
** Sections are u32 id, u64 length, bytes: 1 module, 2 run, 3 engine,
** 4 WASI. A shielded file's sections are AES-256-GCM ciphertext under
** HKDF(key, salt = module SHA-256, "weft snapshot v1") with the header
** (and nonce) as associated data: the header cannot be changed, and a
** snapshot shown with another module's hash derives another key.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pfs.h"
#include "pfs_crypto.h"
#include "sha256.h"
#include "snap_file.h"

static const char magic[8] = {'W', 'E', 'F', 'T', 'S', 'N', 'A', 'P'};
#define HEADER_BYTES (8 + 4 + 4 + 32 + 8)
#define FLAG_SHIELDED 1u

enum { SEC_MODULE = 1, SEC_RUN, SEC_ENGINE, SEC_WASI };

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  put32(p, (uint32_t)v);
  put32(p + 4, (uint32_t)(v >> 32));
}
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) {
  return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int derive_key(const uint8_t key[SNAP_KEY_BYTES],
                      const uint8_t module_sha256[32], uint8_t out[32]) {
  return pfs_hkdf(module_sha256, 32, key, "weft snapshot v1", out);
}

static uint8_t *put_section(uint8_t *p, uint32_t id, const uint8_t *bytes,
                            size_t len) {
  put32(p, id);
  put64(p + 4, len);
  if (len)
    memcpy(p + 12, bytes, len);
  return p + 12 + len;
}

/* Seals the sections at body[0..len) in place; nonce and tag around. */
static int shield(const uint8_t *key, uint8_t *file, size_t header_len,
                  uint8_t *body, size_t len, uint8_t *tag) {
  uint8_t k[32];
  int rc = -1;
  if (derive_key(key, file + 16, k) != 0)
    return -1;
  struct pfs_aead *a = pfs_aead_new(k);
  pfs_wipe(k, sizeof k);
  if (a && cli_random(file + HEADER_BYTES, PFS_NONCE_BYTES) == 0)
    rc = pfs_aead_seal(a, file + HEADER_BYTES, file, header_len, body, body,
                       len, tag);
  pfs_aead_free(a);
  return rc;
}

int cli_snap_file_build(struct snap_parts *s, const uint8_t *key, uint8_t **out,
                        size_t *out_len) {
  size_t body = 4 * 12 + s->module_len + s->run_len + s->engine_len +
                (s->wasi ? s->wasi_len : 0);
  size_t nonce = key ? PFS_NONCE_BYTES : 0;
  size_t trailer = key ? PFS_TAG_BYTES : 32;
  size_t total = HEADER_BYTES + nonce + body + trailer;
  uint8_t *f = malloc(total);
  *out = NULL;
  if (!f || cli_sha256_of(s->module, s->module_len, s->module_sha256) != 0) {
    free(f);
    cli_errorf("snapshot: out of memory");
    return -1;
  }
  memcpy(f, magic, 8);
  put32(f + 8, SNAP_FILE_VERSION);
  put32(f + 12, key ? FLAG_SHIELDED : 0);
  memcpy(f + 16, s->module_sha256, 32);
  put64(f + 48, body);
  uint8_t *b = f + HEADER_BYTES + nonce, *p = b;
  p = put_section(p, SEC_MODULE, s->module, s->module_len);
  p = put_section(p, SEC_RUN, s->run, s->run_len);
  p = put_section(p, SEC_ENGINE, s->engine, s->engine_len);
  p = put_section(p, SEC_WASI, s->wasi, s->wasi ? s->wasi_len : 0);
  int rc = key ? shield(key, f, HEADER_BYTES + nonce, b, body, p)
               : cli_sha256_of(f, HEADER_BYTES + body, p);
  if (rc != 0) {
    free(f);
    cli_errorf("snapshot: cannot %s it", key ? "encrypt" : "hash");
    return -1;
  }
  *out = f;
  *out_len = total;
  return 0;
}

static int refuse(const char *path, const char *why) {
  cli_errorf("%s: %s", path, why);
  return -1;
}

/* Checks the plain trailer or opens the shielded body in place. */
static int open_body(const char *path, uint8_t *bytes, size_t body_at,
                     size_t body_len, const uint8_t *key, int shielded) {
  uint8_t *trailer = bytes + body_at + body_len;
  if (!shielded) {
    uint8_t sum[32];
    if (cli_sha256_of(bytes, body_at + body_len, sum) != 0)
      return refuse(path, "out of memory");
    if (!cli_equal_ct(sum, trailer, 32))
      return refuse(path, "damaged snapshot (its checksum does not match)");
    return 0;
  }
  uint8_t k[32];
  if (derive_key(key, bytes + 16, k) != 0)
    return refuse(path, "cannot derive the snapshot key");
  struct pfs_aead *a = pfs_aead_new(k);
  pfs_wipe(k, sizeof k);
  int rc =
      a ? pfs_aead_open(a, bytes + HEADER_BYTES, bytes, body_at,
                        bytes + body_at, bytes + body_at, body_len, trailer)
        : -1;
  pfs_aead_free(a);
  if (rc != 0)
    return refuse(path, "shielded snapshot does not authenticate: changed, "
                        "made under another key, or for another module");
  return 0;
}

static int split_sections(const char *path, const uint8_t *p, size_t len,
                          struct snap_parts *s) {
  int seen[SEC_WASI + 1] = {0};
  const uint8_t **where[] = {NULL, &s->module, &s->run, &s->engine, &s->wasi};
  size_t *lens[] = {NULL, &s->module_len, &s->run_len, &s->engine_len,
                    &s->wasi_len};
  size_t at = 0;
  while (at < len) {
    if (len - at < 12)
      return refuse(path, "malformed snapshot: a section header is cut off");
    uint32_t id = get32(p + at);
    uint64_t n = get64(p + at + 4);
    at += 12;
    if (n > len - at)
      return refuse(path, "malformed snapshot: a section runs past the end");
    if (id < SEC_MODULE || id > SEC_WASI || seen[id]++)
      return refuse(path, "malformed snapshot: an unknown or repeated "
                          "section");
    *where[id] = p + at;
    *lens[id] = (size_t)n;
    at += (size_t)n;
  }
  if (!seen[SEC_MODULE] || !seen[SEC_RUN] || !seen[SEC_ENGINE])
    return refuse(path, "malformed snapshot: a section is missing");
  if (s->wasi_len == 0)
    s->wasi = NULL;
  return 0;
}

int cli_snap_file_parse(const char *path, uint8_t *bytes, size_t len,
                        const uint8_t *key, struct snap_parts *s) {
  memset(s, 0, sizeof *s);
  if (len < HEADER_BYTES || memcmp(bytes, magic, 8) != 0)
    return refuse(path, "not a weft snapshot");
  uint32_t version = get32(bytes + 8), flags = get32(bytes + 12);
  if (version != SNAP_FILE_VERSION) {
    cli_errorf("%s: snapshot format version %u; this weft reads version %u",
               path, version, SNAP_FILE_VERSION);
    return -1;
  }
  if (flags & ~FLAG_SHIELDED)
    return refuse(path, "malformed snapshot: unknown flags");
  int shielded = flags & FLAG_SHIELDED;
  if (shielded && !key)
    return refuse(path, "shielded snapshot: give its key with "
                        "--snapshot-key FILE");
  if (!shielded && key)
    return refuse(path, "snapshot is not shielded, but --snapshot-key was "
                        "given: refusing a snapshot anyone could have "
                        "written");
  size_t nonce = shielded ? PFS_NONCE_BYTES : 0;
  size_t trailer = shielded ? PFS_TAG_BYTES : 32;
  uint64_t body = get64(bytes + 48);
  if (len < HEADER_BYTES + nonce + trailer ||
      body != len - HEADER_BYTES - nonce - trailer)
    return refuse(path, "truncated or extended snapshot (its length does "
                        "not match)");
  if (open_body(path, bytes, HEADER_BYTES + nonce, (size_t)body, key,
                shielded) != 0 ||
      split_sections(path, bytes + HEADER_BYTES + nonce, (size_t)body, s) != 0)
    return -1;
  memcpy(s->module_sha256, bytes + 16, 32);
  uint8_t sum[32];
  if (cli_sha256_of(s->module, s->module_len, sum) != 0 ||
      !cli_equal_ct(sum, s->module_sha256, 32))
    return refuse(path, "snapshot's module does not match its measurement");
  return 0;
}

int cli_snap_key_read(const char *path, uint8_t key[SNAP_KEY_BYTES]) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  int rc = 0;
  if (cli_read_file(path, 4096, &bytes, &size) != CLI_EXIT_OK)
    return -1;
  if (weft_pfs_parse_key(bytes, size, key) != 0) {
    cli_errorf("--snapshot-key %s: not a key (want 32 raw bytes or 64 hex "
               "digits, got %zu bytes)",
               path, size);
    rc = -1;
  }
  memset(bytes, 0, size);
  free(bytes);
  return rc;
}
