/*
** port_optee.h — what the OP-TEE port (port_optee.c) gives the TA besides
** weft's platform hooks: the secure world's clock and randomness.
*/
#ifndef PORT_OPTEE_H
#define PORT_OPTEE_H

#include <stddef.h>
#include <stdint.h>

/* TEE system time in microseconds (millisecond resolution in OP-TEE). */
uint64_t wtz_port_time_us(void);
/* Fill `buf` from the TEE's random number generator. */
void wtz_port_random(void *buf, size_t size);

#endif /* PORT_OPTEE_H */
