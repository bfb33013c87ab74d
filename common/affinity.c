/* affinity.c — the suite's only GNU extension: sched_getaffinity/sched_setaffinity. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* for cpu_set_t and sched_setaffinity: here and nowhere else */
#endif

#include "affinity.h"

#include <errno.h>
#include <sched.h>

#if defined(__linux__) && defined(CPU_SET)
int affinity_first_cpu(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set))
            return cpu;
    errno = ESRCH;
    return -1;
}

/* On Linux, pid 0 names the calling thread, not the whole process. */
int affinity_pin_thread(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}
#else
int affinity_first_cpu(void)
{
    errno = ENOSYS;
    return -1;
}

int affinity_pin_thread(int cpu)
{
    (void)cpu;
    errno = ENOSYS;
    return -1;
}
#endif
