/* cores.c — see cores.h. */
#define _DEFAULT_SOURCE /* glibc: getloadavg() is a BSD call, hidden by _POSIX_C_SOURCE alone */
#include "cores.h"

#include <stdlib.h>
#include <unistd.h>

long cores_online(void)
{
#ifdef _SC_NPROCESSORS_ONLN
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? cores : -1;
#else
    return -1;
#endif
}

double cores_load_average(void)
{
    double load[1];
    return getloadavg(load, 1) == 1 ? load[0] : -1;
}
