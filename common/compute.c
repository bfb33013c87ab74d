/* compute.c — see compute.h. */
#include "compute.h"

#include "clock.h"

uint64_t compute_for(double ms)
{
    double end = clock_now() + ms / 1000.0;
    uint64_t x = 88172645463325252u;
    while (clock_now() < end)
        for (int i = 0; i < 4096; i++)
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: a busy CPU */
    return x;
}
