/* clock.c — see clock.h. */
#include "clock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static double start_time;

double clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void clock_start(void)
{
    start_time = clock_now();
}

double clock_elapsed(void)
{
    return clock_now() - start_time;
}

double clock_cpu(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

double clock_peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

void clock_sleep_ms(double ms)
{
    struct timespec left = {.tv_sec = (time_t)(ms / 1000.0),
                            .tv_nsec = (long)((ms - (double)(long)(ms / 1000.0) * 1000.0) * 1e6)};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        continue;
}

void summary_print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("summary: ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    va_end(ap);
}
