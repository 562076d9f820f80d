/*
** flip.c — tz-flip FILE: the hostile normal world of the TrustZone tier
** (tests/tz/init.sh, boot 2). Flips (XOR 0x01) bytes of a file that backs
** an OP-TEE secure-storage object in tee-supplicant's REE FS: one byte, in
** the middle, of each 4 KiB data block that is not all zero. In OP-TEE's
** layout block 0 holds the hash-tree headers, block 1 the nodes, and the
** data blocks follow, each logical block in two physical copies (the
** current one and the one before it, for atomic updates): which copy is
** current is recorded inside the authenticated tree, so the flipper hits
** both, and the current one is what a read must refuse. A file of fewer
** than three blocks gets its last non-zero block flipped. Prints what it
** flipped. Built static for aarch64 by tests/tz/run.sh; not part of weft.
*/
#include <stdio.h>
#include <string.h>

#define BLOCK 4096

static int flip_at(FILE *f, long at) {
  int c;
  if (fseek(f, at, SEEK_SET) || (c = fgetc(f)) == EOF ||
      fseek(f, at, SEEK_SET) || fputc(c ^ 1, f) == EOF)
    return -1;
  return 0;
}

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
  static unsigned char blk[BLOCK];
  long targets[256], last = -1;
  int n = 0;
  size_t got;
  for (long b = 0; (got = fread(blk, 1, sizeof blk, f)) > 0; b++) {
    size_t i = 0;
    while (i < got && !blk[i])
      i++;
    if (i == got)
      continue;
    last = b * BLOCK + (long)got / 2;
    if (b >= 2 && n < 256)
      targets[n++] = last;
  }
  if (n == 0 && last >= 0)
    targets[n++] = last;
  if (n == 0) {
    fprintf(stderr, "tz-flip: %s: nothing to flip\n", argv[1]);
    fclose(f);
    return 1;
  }
  for (int k = 0; k < n; k++)
    if (flip_at(f, targets[k]) != 0) {
      perror(argv[1]);
      fclose(f);
      return 1;
    }
  if (fclose(f)) {
    perror(argv[1]);
    return 1;
  }
  printf("tz-flip: %s: %d byte(s) flipped, first at %ld\n", argv[1], n,
         targets[0]);
  return 0;
}
