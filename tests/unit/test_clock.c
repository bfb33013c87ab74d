/* test_clock.c — unit checks for common/clock.c: the cpu% and rss= figures of a summary.
 *
 * One line per check: "ok - <what>" or "not ok - <what>: got X, expected Y", then
 * "test_clock: N checks, M failed". Exit status 1 if any check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"

static void expect_percent(const char *what, double cpu, double wall, double expected)
{
    char got[32], want[32];
    double percent = clock_cpu_percent(cpu, wall);
    snprintf(got, sizeof got, "%.1f", percent);
    snprintf(want, sizeof want, "%.1f", expected);
    check_text(what, got, want);
}

static void test_cpu_percent(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double most = 100.0 * (double)(cores > 0 ? cores : 1);
    expect_percent("half a core", 0.5, 1.0, 50.0);
    expect_percent("idle", 0.0, 2.0, 0.0);
    expect_percent("wall of exactly 10 ms counts", 0.005, 0.010, 50.0);
    expect_percent("wall under 10 ms is 0.0 (the refused-URL case: 1776%)", 0.0071, 0.0004, 0.0);
    expect_percent("wall of 0 is 0.0", 0.002, 0.0, 0.0);
    expect_percent("never above 100 x cores", 64.0 * (double)cores, 1.0, most);
}

/* Where the touched memory is kept: a compiler may not drop writes it can see again. */
static char *volatile kept;

/* Touch MIB mebibytes so that they are resident. */
static char *touch_mib(size_t mib)
{
    char *p = malloc(mib * 1024 * 1024);
    if (p == NULL) {
        perror("malloc");
        exit(2);
    }
    memset(p, 1, mib * 1024 * 1024);
    kept = p;
    return p;
}

static void test_peak_rss(void)
{
    double before = clock_peak_rss_mib();
    char got[64];
    snprintf(got, sizeof got, "%.1f MiB", before);
    check(before > 0.1 && before < 64, "a small program's peak is small", got, "0.1 to 64 MiB");
    char *big = touch_mib(48);
    double after = clock_peak_rss_mib();
    snprintf(got, sizeof got, "grew by %.1f MiB", after - before);
    check(after - before >= 40 && after - before <= 64, "touching 48 MiB raises the peak", got,
          "40 to 64 MiB");
    free(big);
    kept = NULL;
    double later = clock_peak_rss_mib();
    snprintf(got, sizeof got, "%.1f MiB after free, %.1f before", later, after);
    /* (Linux counts resident pages per thread and folds them in lazily: allow 1 MiB.) */
    check(later >= after - 1 && later - before >= 40, "the peak stays when memory is freed", got,
          "about the same");
}

/* Every timeval for select() is normalised: tv_usec below 1,000,000, never negative, and
 * never shorter than asked (05 adds a microsecond past a deadline: 0.9999995 s once gave
 * tv_usec = 1,000,000, which macOS's select() refuses with EINVAL). */
static void test_timeval(void)
{
    static const struct {
        double seconds;
        long sec, usec;
    } cases[] = {
        {0, 0, 0},         {-1.5, 0, 0},        {0.25, 0, 250000},   {1.5, 1, 500000},
        {0.9999995, 1, 0}, {0.999999999, 1, 0}, {2.0000001, 2, 1},   {3600, 3600, 0},
        {1.000001, 1, 1},  {0.000001, 0, 1},    {59.9999999, 60, 0},
    };
    char got[64], expected[64], what[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct timeval tv = clock_timeval(cases[i].seconds);
        snprintf(got, sizeof got, "%ld s %ld us", (long)tv.tv_sec, (long)tv.tv_usec);
        snprintf(expected, sizeof expected, "%ld s %ld us", cases[i].sec, cases[i].usec);
        snprintf(what, sizeof what, "clock_timeval(%.9g)", cases[i].seconds);
        check(strcmp(got, expected) == 0 ||
                  (tv.tv_usec >= 0 && tv.tv_usec < 1000000 &&
                   (double)tv.tv_sec + tv.tv_usec / 1e6 >= cases[i].seconds &&
                   (double)tv.tv_sec + tv.tv_usec / 1e6 <= cases[i].seconds + 2e-6),
              what, got, expected);
    }
}

int main(void)
{
    test_timeval();
    test_cpu_percent();
    test_peak_rss();
    return check_report("test_clock");
}
