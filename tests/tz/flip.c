/*
** flip.c — tz-flip FILE: the hostile normal world of the TrustZone tier
** (tests/tz/init.sh, boot 2). Flips (XOR 0x01) one byte of a file that
** backs an OP-TEE secure-storage object in tee-supplicant's REE FS: the
** byte in the middle of the file's last 4 KiB block that is not all zero.
** In OP-TEE's layout block 0 holds the hash-tree headers, block 1 the
** nodes and blocks from 2 on the encrypted data blocks, each version in
** its own block, so for a file written once the last non-zero block is a
** data block the object's reads depend on. Prints what it flipped.
** Built static for aarch64 by tests/tz/run.sh; not part of weft.
*/
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: tz-flip FILE\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "r+b");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  static unsigned char blk[4096];
  long target = -1;
  size_t n;
  for (long b = 0; (n = fread(blk, 1, sizeof blk, f)) > 0; b++) {
    for (size_t i = 0; i < n; i++)
      if (blk[i]) {
        target = b * 4096 + (long)n / 2;
        break;
      }
  }
  if (target < 0 || fseek(f, target, SEEK_SET)) {
    fprintf(stderr, "tz-flip: %s: nothing to flip\n", argv[1]);
    fclose(f);
    return 1;
  }
  int c = fgetc(f);
  if (c == EOF || fseek(f, target, SEEK_SET) || fputc(c ^ 1, f) == EOF ||
      fclose(f)) {
    perror(argv[1]);
    return 1;
  }
  printf("tz-flip: %s: byte %ld flipped\n", argv[1], target);
  return 0;
}
