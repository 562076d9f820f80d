/*
** measure.c — measure.h: SHA-256 measurements (mbed TLS) and the device
** directory.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "measure.h"

void measure_bytes(const void *data, size_t size, uint8_t out[MEASURE_BYTES]) {
  mbedtls_sha256_ret(data, size, out, 0);
}

int measure_open_regular(const char *path) {
  struct stat st;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), flags;

  if (fd < 0)
    return -1;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    errno = EINVAL;
    return -1;
  }
  flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

FILE *measure_fopen_regular(const char *path) {
  int fd = measure_open_regular(path);
  FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
  if (f == NULL && fd >= 0) {
    int saved = errno;
    close(fd);
    errno = saved;
  }
  return f;
}

const char *measure_open_error(int err) {
  return err == EINVAL ? "not a regular file" : strerror(err);
}

int measure_file(const char *path, uint8_t out[MEASURE_BYTES]) {
  mbedtls_sha256_context ctx;
  unsigned char buf[65536];
  ssize_t n;
  int fd = measure_open_regular(path);
  if (fd < 0)
    return -1;
  mbedtls_sha256_init(&ctx);
  mbedtls_sha256_starts_ret(&ctx, 0);
  while ((n = read(fd, buf, sizeof buf)) > 0)
    mbedtls_sha256_update_ret(&ctx, buf, (size_t)n);
  if (n < 0) {
    int saved = errno;
    close(fd);
    mbedtls_sha256_free(&ctx);
    errno = saved;
    return -1;
  }
  close(fd);
  mbedtls_sha256_finish_ret(&ctx, out);
  mbedtls_sha256_free(&ctx);
  return 0;
}

int measure_runtime(uint8_t out[MEASURE_BYTES]) {
  return measure_file("/proc/self/exe", out);
}

void measure_hex(const uint8_t *bytes, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  out[2 * n] = '\0';
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int measure_unhex(const char *text, size_t len, uint8_t *out, size_t n) {
  if (len != 2 * n)
    return -1;
  for (size_t i = 0; i < n; i++) {
    int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

int measure_device_dir(char *buf, size_t size) {
  const char *env = getenv("WEFT_DEVICE_DIR");
  const char *base = getenv("XDG_STATE_HOME");
  const char *home = getenv("HOME");
  int n;
  if (env != NULL && env[0] != '\0')
    n = snprintf(buf, size, "%s", env);
  else if (base != NULL && base[0] == '/')
    n = snprintf(buf, size, "%s/weft/device", base);
  else if (home != NULL && home[0] != '\0')
    n = snprintf(buf, size, "%s/.local/state/weft/device", home);
  else
    return -1;
  return n >= 0 && (size_t)n < size ? 0 : -1;
}

int measure_read_secret(const char *dir, const char *name, uint8_t *out,
                        size_t size, char *err, size_t errlen) {
  char path[4096];
  struct stat st;
  ssize_t n;
  int fd;
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
    snprintf(err, errlen, "%s: path too long", dir);
    return -1;
  }
  fd = measure_open_regular(path);
  if (fd < 0 && errno == EINVAL) {
    snprintf(err, errlen, "%s: not a regular file", path);
    return -1;
  }
  if (fd < 0) {
    snprintf(err, errlen, "%s: %s (run `weft provision --device-dir %s`)", path,
             strerror(errno), dir);
    return -1;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size != (off_t)size) {
    snprintf(err, errlen, "%s: must be a file of exactly %zu bytes", path,
             size);
    close(fd);
    return -1;
  }
  n = read(fd, out, size);
  close(fd);
  if (n != (ssize_t)size) {
    snprintf(err, errlen, "%s: short read", path);
    return -1;
  }
  return 0;
}
