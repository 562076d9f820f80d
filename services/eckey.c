/*
** eckey.c — eckey.h on mbed TLS 2.28 (pk for the PEM files, ecp/ecdsa/ecdh
** for the arithmetic).
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>

#include "eckey.h"
#include "pfs_crypto.h"

struct eckey {
  mbedtls_pk_context pk; /* always of type ECKEY on SECP256R1 */
};

#define PEM_MAX 1024

/* mbed TLS's f_rng shape over the services' CTR_DRBG. */
static int rng_fill(void *rng, unsigned char *out, size_t len) {
  return pfs_random(rng, out, len);
}

static mbedtls_ecp_keypair *ec_of(const struct eckey *key) {
  return mbedtls_pk_ec(key->pk);
}

static struct eckey *eckey_alloc(void) {
  struct eckey *key = calloc(1, sizeof *key);
  if (key == NULL)
    return NULL;
  mbedtls_pk_init(&key->pk);
  if (mbedtls_pk_setup(&key->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) !=
      0) {
    eckey_free(key);
    return NULL;
  }
  return key;
}

void eckey_free(struct eckey *key) {
  if (key == NULL)
    return;
  mbedtls_pk_free(&key->pk); /* zeroises the private scalar */
  free(key);
}

int eckey_generate(struct pfs_rng *rng, struct eckey **out) {
  struct eckey *key = eckey_alloc();
  *out = NULL;
  if (key == NULL)
    return -1;
  if (mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, ec_of(key), rng_fill,
                          rng) != 0) {
    eckey_free(key);
    return -1;
  }
  *out = key;
  return 0;
}

/* Takes over a parsed pk context when it holds a P-256 key. */
static int adopt(mbedtls_pk_context *pk, struct eckey **out, const char *path,
                 char *err, size_t errlen) {
  struct eckey *key;
  if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY ||
      mbedtls_pk_ec(*pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
    snprintf(err, errlen, "%s: not an EC P-256 (prime256v1) key", path);
    mbedtls_pk_free(pk);
    return -1;
  }
  key = calloc(1, sizeof *key);
  if (key == NULL) {
    snprintf(err, errlen, "out of memory");
    mbedtls_pk_free(pk);
    return -1;
  }
  key->pk = *pk; /* the context owns heap state only through pointers */
  *out = key;
  return 0;
}

#define KEY_FILE_MAX 16384 /* a PEM key is a few hundred bytes */

/* Reads a key file into `buf` (NUL-terminated, as mbed TLS's PEM parser
** wants). Opened without blocking and checked before reading: a FIFO or
** device is refused instead of waited on. Returns the length with the
** NUL, or 0 with the reason in err. */
static size_t read_key_file(const char *path, unsigned char *buf, char *err,
                            size_t errlen) {
  struct stat st;
  size_t got = 0;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

  if (fd < 0) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return 0;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size >= KEY_FILE_MAX) {
    snprintf(err, errlen, "%s: not a regular file of a key's size", path);
    close(fd);
    return 0;
  }
  while (got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  buf[got] = 0;
  return got + 1;
}

/* read_key_file into a new KEY_FILE_MAX buffer, the caller's to free;
** NULL with the reason in err. */
static unsigned char *load_key_file(const char *path, size_t *out_n, char *err,
                                    size_t errlen) {
  unsigned char *buf = malloc(KEY_FILE_MAX);
  if (buf == NULL) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  *out_n = read_key_file(path, buf, err, errlen);
  if (*out_n == 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

int eckey_load_private(const char *path, struct eckey **out, char *err,
                       size_t errlen) {
  mbedtls_pk_context pk;
  size_t n;
  unsigned char *buf = load_key_file(path, &n, err, errlen);
  int rc;
  *out = NULL;
  if (buf == NULL)
    return -1;
  mbedtls_pk_init(&pk);
  rc = mbedtls_pk_parse_key(&pk, buf, n, NULL, 0);
  mbedtls_platform_zeroize(buf, KEY_FILE_MAX);
  free(buf);
  if (rc != 0) {
    snprintf(err, errlen,
             "%s: cannot read an unencrypted PEM private key (EC P-256)", path);
    mbedtls_pk_free(&pk);
    return -1;
  }
  return adopt(&pk, out, path, err, errlen);
}

int eckey_load_public(const char *path, struct eckey **out, char *err,
                      size_t errlen) {
  mbedtls_pk_context pk;
  struct eckey *pub;
  uint8_t raw[ECKEY_PUBLIC_BYTES];
  size_t n;
  unsigned char *buf = load_key_file(path, &n, err, errlen);
  int rc;
  *out = NULL;
  if (buf == NULL)
    return -1;
  mbedtls_pk_init(&pk);
  rc = mbedtls_pk_parse_public_key(&pk, buf, n);
  free(buf);
  if (rc == 0)
    return adopt(&pk, out, path, err, errlen);
  mbedtls_pk_free(&pk);
  if (eckey_load_private(path, out, err, errlen) != 0) {
    snprintf(err, errlen, "%s: cannot read a PEM public key (EC P-256)", path);
    return -1;
  }
  /* Keep the public half only. */
  if (eckey_public_raw(*out, raw) != 0 || eckey_from_public_raw(raw, &pub)) {
    eckey_free(*out);
    *out = NULL;
    snprintf(err, errlen, "%s: bad public point", path);
    return -1;
  }
  eckey_free(*out);
  *out = pub;
  return 0;
}

/* Writes text to path through a temporary file and a rename. The
** temporary is created new (O_EXCL) and never through a symlink, so a link
** planted at its predictable name cannot receive a private key. */
static int write_atomically(const char *path, const unsigned char *text,
                            size_t len, mode_t mode) {
  char tmp[4096];
  int fd, rc = -1;
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >=
      sizeof tmp)
    return -1;
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return -1;
  if (write(fd, text, len) == (ssize_t)len && fsync(fd) == 0)
    rc = 0;
  if (close(fd) != 0)
    rc = -1;
  if (rc == 0 && rename(tmp, path) != 0)
    rc = -1;
  if (rc != 0)
    unlink(tmp);
  return rc;
}

int eckey_save_private(const struct eckey *key, const char *path) {
  unsigned char pem[PEM_MAX];
  int rc;
  if (!eckey_has_private(key) ||
      mbedtls_pk_write_key_pem((mbedtls_pk_context *)&key->pk, pem,
                               sizeof pem) != 0)
    return -1;
  rc = write_atomically(path, pem, strlen((char *)pem), 0600);
  mbedtls_platform_zeroize(pem, sizeof pem);
  return rc;
}

int eckey_save_public(const struct eckey *key, const char *path) {
  unsigned char pem[PEM_MAX];
  if (mbedtls_pk_write_pubkey_pem((mbedtls_pk_context *)&key->pk, pem,
                                  sizeof pem) != 0)
    return -1;
  return write_atomically(path, pem, strlen((char *)pem), 0644);
}

int eckey_has_private(const struct eckey *key) {
  return mbedtls_mpi_cmp_int(&ec_of(key)->d, 0) != 0;
}

int eckey_public_raw(const struct eckey *key, uint8_t out[ECKEY_PUBLIC_BYTES]) {
  mbedtls_ecp_keypair *ec = ec_of(key);
  size_t n = 0;
  if (mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q,
                                     MBEDTLS_ECP_PF_UNCOMPRESSED, &n, out,
                                     ECKEY_PUBLIC_BYTES) != 0 ||
      n != ECKEY_PUBLIC_BYTES)
    return -1;
  return 0;
}

int eckey_from_public_raw(const uint8_t raw[ECKEY_PUBLIC_BYTES],
                          struct eckey **out) {
  struct eckey *key = eckey_alloc();
  mbedtls_ecp_keypair *ec;
  *out = NULL;
  if (key == NULL)
    return -1;
  ec = ec_of(key);
  if (mbedtls_ecp_group_load(&ec->grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
      mbedtls_ecp_point_read_binary(&ec->grp, &ec->Q, raw,
                                    ECKEY_PUBLIC_BYTES) != 0 ||
      mbedtls_ecp_check_pubkey(&ec->grp, &ec->Q) != 0) {
    eckey_free(key);
    return -1;
  }
  *out = key;
  return 0;
}

int eckey_sign(const struct eckey *key, struct pfs_rng *rng,
               const uint8_t digest[32], uint8_t sig[ECKEY_SIG_BYTES]) {
  mbedtls_ecp_keypair *ec = ec_of(key);
  mbedtls_mpi r, s;
  int rc = -1;
  if (!eckey_has_private(key))
    return -1;
  mbedtls_mpi_init(&r);
  mbedtls_mpi_init(&s);
  if (mbedtls_ecdsa_sign(&ec->grp, &r, &s, &ec->d, digest, 32, rng_fill, rng) ==
          0 &&
      mbedtls_mpi_write_binary(&r, sig, 32) == 0 &&
      mbedtls_mpi_write_binary(&s, sig + 32, 32) == 0)
    rc = 0;
  mbedtls_mpi_free(&r);
  mbedtls_mpi_free(&s);
  return rc;
}

int eckey_verify(const struct eckey *key, const uint8_t digest[32],
                 const uint8_t sig[ECKEY_SIG_BYTES]) {
  mbedtls_ecp_keypair *ec = ec_of(key);
  mbedtls_mpi r, s;
  int rc = -1;
  mbedtls_mpi_init(&r);
  mbedtls_mpi_init(&s);
  if (mbedtls_mpi_read_binary(&r, sig, 32) == 0 &&
      mbedtls_mpi_read_binary(&s, sig + 32, 32) == 0 &&
      mbedtls_ecdsa_verify(&ec->grp, digest, 32, &ec->Q, &r, &s) == 0)
    rc = 0;
  mbedtls_mpi_free(&r);
  mbedtls_mpi_free(&s);
  return rc;
}

int eckey_ecdh(const struct eckey *mine, const uint8_t peer[ECKEY_PUBLIC_BYTES],
               struct pfs_rng *rng, uint8_t shared[ECKEY_SHARED_BYTES]) {
  mbedtls_ecp_keypair *ec = ec_of(mine);
  mbedtls_ecp_point q;
  mbedtls_mpi z;
  int rc = -1;
  if (!eckey_has_private(mine))
    return -1;
  mbedtls_ecp_point_init(&q);
  mbedtls_mpi_init(&z);
  if (mbedtls_ecp_point_read_binary(&ec->grp, &q, peer, ECKEY_PUBLIC_BYTES) ==
          0 &&
      mbedtls_ecp_check_pubkey(&ec->grp, &q) == 0 &&
      mbedtls_ecdh_compute_shared(&ec->grp, &z, &q, &ec->d, rng_fill, rng) ==
          0 &&
      mbedtls_mpi_write_binary(&z, shared, ECKEY_SHARED_BYTES) == 0)
    rc = 0;
  mbedtls_ecp_point_free(&q);
  mbedtls_mpi_free(&z);
  return rc;
}
