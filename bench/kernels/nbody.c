/* nbody.c — direct-summation gravitational N-body simulation of 64 bodies
 * (pseudo-random initial state, Plummer softening), symplectic Euler steps.
 * n = number of time steps.  Work ~ n * 2016 pair interactions (with one
 * sqrt and one division each).  The checksum hashes the final positions,
 * velocities and total energy bit for bit. */
#include "common.h"

#define NB 64

static double px[NB], py[NB], pz[NB], vx[NB], vy[NB], vz[NB], m[NB];

static double my_sqrt(double x) { return __builtin_sqrt(x); }  /* f64.sqrt / sqrtsd */

static double rnd(uint32_t *s)   /* uniform in [-1, 1) with 24 random bits */
{
    return (double)(xorshift32(s) >> 8) * (1.0 / 8388608.0) - 1.0;
}

static double energy(double eps2)
{
    double e = 0.0;
    for (int i = 0; i < NB; i++) {
        e += 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
        for (int j = i + 1; j < NB; j++) {
            double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
            e -= m[i] * m[j] / my_sqrt(dx * dx + dy * dy + dz * dz + eps2);
        }
    }
    return e;
}

uint32_t run(uint32_t n)
{
    const double dt = 0.001, eps2 = 0.01;
    uint32_t seed = 0x5eed1234u;
    for (int i = 0; i < NB; i++) {
        px[i] = rnd(&seed); py[i] = rnd(&seed); pz[i] = rnd(&seed);
        vx[i] = 0.1 * rnd(&seed); vy[i] = 0.1 * rnd(&seed); vz[i] = 0.1 * rnd(&seed);
        m[i] = (1.0 + 0.5 * rnd(&seed)) / NB;
    }
    double e0 = energy(eps2);

    for (uint32_t step = 0; step < n; step++) {
        for (int i = 0; i < NB; i++) {
            double ax = 0.0, ay = 0.0, az = 0.0;
            for (int j = i + 1; j < NB; j++) {
                double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
                double d2 = dx * dx + dy * dy + dz * dz + eps2;
                double mag = dt / (d2 * my_sqrt(d2));
                double mi = m[i] * mag, mj = m[j] * mag;
                ax -= dx * mj; ay -= dy * mj; az -= dz * mj;
                vx[j] += dx * mi; vy[j] += dy * mi; vz[j] += dz * mi;
            }
            vx[i] += ax; vy[i] += ay; vz[i] += az;
        }
        for (int i = 0; i < NB; i++) {
            px[i] += dt * vx[i]; py[i] += dt * vy[i]; pz[i] += dt * vz[i];
        }
    }

    uint32_t h = mixf64(BENCH_HASH_INIT, e0);
    for (int i = 0; i < NB; i++) {
        h = mixf64(h, px[i]); h = mixf64(h, py[i]); h = mixf64(h, pz[i]);
        h = mixf64(h, vx[i]); h = mixf64(h, vy[i]); h = mixf64(h, vz[i]);
    }
    return mixf64(h, energy(eps2));
}
