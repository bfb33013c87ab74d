/* clock.c — see clock.h. */
#include "clock.h"
#include "terminal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double start_time, start_cpu;

/* getrusage counts the process, not the program: the CPU time a parent spent before it
 * exec'd this program is in it too. clock_cpu() subtracts what was there at the start. */
static double process_cpu(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

double clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void clock_start(void)
{
    start_time = clock_now();
    start_cpu = process_cpu();
}

double clock_elapsed(void)
{
    return clock_now() - start_time;
}

double clock_cpu(void)
{
    return process_cpu() - start_cpu;
}

/* VmHWM ("high water mark") in /proc/self/status, in KiB, or -1 where there is none. */
static long long proc_peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    char line[256];
    long long kib = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %lld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* The peak of this program, not of whoever started it. getrusage's ru_maxrss survives
 * exec on Linux: a crawler started from a 200 MiB process reports 200 MiB. The kernel
 * resets VmHWM at exec (new address space), so use it where /proc has it; elsewhere
 * ru_maxrss is the best there is. */
double clock_peak_rss_mib(void)
{
    long long kib = proc_peak_rss_kib();
    if (kib >= 0)
        return (double)kib / 1024.0;
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
#ifdef __APPLE__
    return (double)ru.ru_maxrss / (1024.0 * 1024.0); /* macOS reports bytes */
#else
    return (double)ru.ru_maxrss / 1024.0; /* Linux and the BSDs report KiB */
#endif
}

double clock_cpu_percent(double cpu, double wall)
{
    enum { MIN_WALL_MS = 10 };
    if (wall < MIN_WALL_MS / 1000.0)
        return 0.0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double most = 100.0 * (double)(cores > 0 ? cores : 1);
    double percent = 100.0 * cpu / wall;
    return percent < most ? percent : most;
}

void clock_sleep_ms(double ms)
{
    struct timespec left = {.tv_sec = (time_t)(ms / 1000.0),
                            .tv_nsec = (long)((ms - (double)(long)(ms / 1000.0) * 1000.0) * 1e6)};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        continue;
}

struct timeval clock_timeval(double seconds)
{
    if (!(seconds > 0))
        return (struct timeval){0};
    double whole = (double)(time_t)seconds;
    long usec = (long)((seconds - whole) * 1e6);
    if ((double)usec < (seconds - whole) * 1e6)
        usec++; /* round up: not before the deadline */
    struct timeval tv = {.tv_sec = (time_t)whole, .tv_usec = (suseconds_t)usec};
    if (tv.tv_usec >= 1000000) { /* carried into the seconds */
        tv.tv_sec += tv.tv_usec / 1000000;
        tv.tv_usec %= 1000000;
    }
    return tv;
}

void clock_narrate(double since, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  [%5.0f ms] ", (clock_now() - since) * 1000.0);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

void summary_print(const char *fmt, ...)
{
    char line[2048];
    int n = snprintf(line, sizeof line, "summary: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    /* One line into a pipe or a file (the tests read it so); on a terminal, broken at
     * spaces under the first key, so that no key=value is split across rows. */
    terminal_print_wrapped(stdout, line, terminal_wrap_width(), n);
    fflush(stdout);
}
