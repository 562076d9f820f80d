/*
** measure.h — what the services measure and where a device keeps its
** secrets. The root of trust is software on this machine: the runtime's
** measurement is the SHA-256 of its own executable as this process reads
** it, which a compromised host can fake; a TEE build takes it from the
** hardware (MRENCLAVE, the TA hash) behind the same calls.
**
** A device directory (weft provision writes it; --device-dir DIR, default
** $WEFT_DEVICE_DIR, else $XDG_STATE_HOME/weft/device, else
** ~/.local/state/weft/device) holds, each mode 0600:
**   device.key       ECDSA P-256 private key (PEM): signs evidence and
**                    accounting records
**   endorsement.cose the endorser's signature over the device key
**   seal.key         32 random bytes: the root of sealing keys
*/
#ifndef WEFT_MEASURE_H
#define WEFT_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MEASURE_BYTES 32
#define MEASURE_ROT_KIND "software" /* no TEE on this machine */

void measure_bytes(const void *data, size_t size, uint8_t out[MEASURE_BYTES]);
/* SHA-256 of a file's contents; 0, or -1 with errno set. */
int measure_file(const char *path, uint8_t out[MEASURE_BYTES]);
/* The running executable (/proc/self/exe): self-reported. */
int measure_runtime(uint8_t out[MEASURE_BYTES]);

/* Lower-case hex of n bytes into out[2n+1] (how measurements and keys are
** written in policies, records and key files). */
void measure_hex(const uint8_t *bytes, size_t n, char *out);
/* Parses text[0..len) as exactly 2n hex digits (either case) into out;
** 0, or -1. */
int measure_unhex(const char *text, size_t len, uint8_t *out, size_t n);

/* Opens `path` for reading without ever blocking on it: a FIFO, device
** or directory is refused (-1, errno EINVAL) before anything is read, so
** a planted FIFO cannot hang the verifier or the attester. Returns a
** blocking descriptor on a regular file, or -1 with errno set;
** measure_open_error(errno) says why in words. */
int measure_open_regular(const char *path);
/* The same as a stdio stream; NULL with errno set. */
FILE *measure_fopen_regular(const char *path);
const char *measure_open_error(int err);

/* The default device directory into buf; -1 when it does not fit or no
** home is known. */
int measure_device_dir(char *buf, size_t size);
/* Reads DIR/NAME that must hold exactly `size` bytes (a raw secret);
** 0, or -1 with a reason in err. */
int measure_read_secret(const char *dir, const char *name, uint8_t *out,
                        size_t size, char *err, size_t errlen);

#endif /* WEFT_MEASURE_H */
