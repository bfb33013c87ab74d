/* clock.h — how long, how much CPU, how much memory: the figures every example reports.
 *
 * Wall time comes from CLOCK_MONOTONIC (never jumps when the system clock is set); CPU
 * time comes from getrusage(RUSAGE_SELF): user + system time of every thread of this
 * process, counted from the start of main(); peak resident memory from /proc/self/status
 * where there is one. Neither includes what a parent spent before exec.
 */
#ifndef ASYNCLAB_CLOCK_H
#define ASYNCLAB_CLOCK_H

#include <sys/time.h>

/* Marks the program's start (prog_start() calls it). */
void clock_start(void);

/* Seconds on the monotonic clock, from an arbitrary origin. */
double clock_now(void);

/* Seconds since clock_start(). */
double clock_elapsed(void);

/* CPU seconds (user + system) used by this program since clock_start(): not what the
 * process spent before it exec'd this program. */
double clock_cpu(void);

/* Peak resident set size of this process so far, in MiB: its own, not inherited from
 * the process that exec'd it (VmHWM from /proc/self/status, getrusage where there is
 * no /proc). */
double clock_peak_rss_mib(void);

/* cpu seconds over wall seconds as a percentage, never above 100 x the online cores;
 * 0 when wall is under 10 ms, where the ratio would be noise (CPU spent loading the
 * program before the clock started, divided by almost nothing). */
double clock_cpu_percent(double cpu, double wall);

/* Sleep for the given number of milliseconds (restarts after signals). */
void clock_sleep_ms(double ms);

/* seconds as a timeval for select() and SO_RCVTIMEO: never negative, and tv_usec always
 * below 1,000,000 (Linux's select() tolerates more; macOS's fails with EINVAL). A part of
 * a microsecond is rounded up, so that a wait for a deadline never ends before it. */
struct timeval clock_timeval(double seconds);

/* One narration line, stamped with the ms since `since` (a clock_now() value):
 * "  [  140 ms] A tick 2 of 5". A newline is added. */
void clock_narrate(double since, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the last line of an example's output: "summary: " followed by the formatted
 * key=value pairs, e.g. summary_print("children=%d fork_us=%.1f", n, us). One line into a
 * pipe or a file; on a terminal, wrapped at spaces to its width with the pairs indented
 * under the first, so that no key=value is split (terminal_print_wrapped). */
void summary_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
