/* cores.c — see cores.h. */
#define _DEFAULT_SOURCE /* glibc: getloadavg() is a BSD call, hidden by _POSIX_C_SOURCE alone */
#include "cores.h"

#include <stdio.h>
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

/* The load average over the last minute; -1 where the system has none. */
static double load_average(void)
{
    double load[1];
    return getloadavg(load, 1) == 1 ? load[0] : -1;
}

double cores_report_load(long cores, const char *what)
{
    double load = load_average();
    if (load < 0) {
        printf("load average: unknown here; %ld cores online\n", cores);
        return load;
    }
    char shown[32]; /* judge the figure as printed: 0.996 shows as 1.00, and 1.00 is busy */
    snprintf(shown, sizeof shown, "%.2f", load);
    load = strtod(shown, NULL);
    printf("load average: %s (last minute) on %ld cores online\n", shown, cores);
    if (load >= 0.5 * (double)cores)
        printf("warning: the machine is busy: other programs compete for the cores, so\n"
               "  %s come out lower (a \"free cores\" line says how much)\n",
               what);
    return load;
}
