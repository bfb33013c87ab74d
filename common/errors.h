/* errors.h — one error vocabulary for every example.
 *
 * Every message names the program, the operation and the cause, on one line of stderr:
 *     03-blocking-fetch: connect 127.0.0.1:1: ECONNREFUSED Connection refused
 * stdout is flushed first, so narration and errors appear in the order they happened.
 * Exit codes follow the suite's contract: 1 the job could not run, 2 usage error.
 */
#ifndef ASYNCLAB_ERRORS_H
#define ASYNCLAB_ERRORS_H

#include <stddef.h>
#include <stdnoreturn.h>

/* Call first in main(): remembers the program name (basename of argv[0]), starts the
 * program clock (see clock.h) and makes stdout line-buffered, so that output is not
 * duplicated across fork() and interleaves sensibly when piped. */
void prog_start(const char *argv0);

/* The program name given to prog_start(), for messages. */
const char *prog_name(void);

/* "ECONNREFUSED Connection refused": the errno's symbolic name and its message.
 * Returns a pointer into buf (at least 128 bytes is plenty). */
const char *errno_describe(int errnum, char *buf, unsigned long size);

/* The symbolic name alone ("ECONNREFUSED"), or "E?" for a number it does not know. */
const char *errno_name(int errnum);

/* Print "prog: <message>" and exit(1). */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "prog: <message>: ENAME text" for the current errno and exit(1). */
noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For pthread_* functions, which return the error number instead of setting errno. */
noreturn void die_pthread(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* In a forked child: report errno and leave with _exit(status), so the parent's stdio
 * buffers and atexit handlers are not run twice. Use status 127 for a failed exec. */
noreturn void die_child(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "prog: <message>", then "usage: <usage>" and exit(2). */
noreturn void die_usage(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The value of a numeric option: a whole number from min to max, or a usage error
 * ("-n 'abc': expected a whole number from 1 to 1000", exit 2). text may be NULL (the
 * option was the last argument). */
long parse_whole_or_die(const char *usage, const char *option, const char *text, long min,
                        long max);

/* The value of an option that may have a fraction: a number from min to max, or a usage
 * error ("-n 'abc': expected a number from 0.0001 to 10", exit 2). */
double parse_number_or_die(const char *usage, const char *option, const char *text, double min,
                           double max);

/* The value of an option in seconds: a number above 0 and at most a day, or a usage
 * error ("-t 'abc': expected seconds, more than 0 and at most 86400", exit 2). */
double parse_seconds_or_die(const char *usage, const char *option, const char *text);

/* realloc(p, n), or die "out of memory (N bytes)": out of memory is fatal in a lab program. */
void *xrealloc(void *p, size_t n);

/* Non-fatal variants: the same line, and the program goes on. */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
