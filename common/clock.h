/* clock.h — how long, how much CPU, how much memory: the figures every example reports.
 *
 * Wall time comes from CLOCK_MONOTONIC (never jumps when the system clock is set); CPU
 * time and peak resident memory come from getrusage(RUSAGE_SELF): user + system time of
 * every thread of this process.
 */
#ifndef ASYNCLAB_CLOCK_H
#define ASYNCLAB_CLOCK_H

/* Marks the program's start (prog_start() calls it). */
void clock_start(void);

/* Seconds on the monotonic clock, from an arbitrary origin. */
double clock_now(void);

/* Seconds since clock_start(). */
double clock_elapsed(void);

/* CPU seconds (user + system) used by this process so far. */
double clock_cpu(void);

/* Peak resident set size of this process so far, in MiB. */
double clock_peak_rss_mib(void);

/* Sleep for the given number of milliseconds (restarts after signals). */
void clock_sleep_ms(double ms);

/* Print the last line of an example's output: "summary: " followed by the formatted
 * key=value pairs, e.g. summary_print("children=%d fork_us=%.1f", n, us). */
void summary_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
