/* native_main.c — native driver for a benchmark kernel: calls run(n) with n
 * from argv[1] and prints the checksum as an unsigned 32-bit decimal.
 * Build: gcc -O2 bench/native_main.c bench/kernels/KERNEL.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

uint32_t run(uint32_t n);

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s N\n", argv[0]);
        return 2;
    }
    uint32_t n = (uint32_t)strtoul(argv[1], NULL, 0);
    printf("%u\n", run(n));
    return 0;
}
