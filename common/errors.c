/* errors.c — see errors.h. */
#include "errors.h"
#include "clock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

static const char *program_name = "asynclab";

void prog_start(const char *argv0)
{
    if (argv0 != NULL && argv0[0] != '\0') {
        const char *slash = strrchr(argv0, '/');
        program_name = slash != NULL ? slash + 1 : argv0;
    }
    clock_start();
    setvbuf(stdout, NULL, _IOLBF, 0);
}

const char *prog_name(void)
{
    return program_name;
}

const char *errno_name(int errnum)
{
    /* POSIX has no portable way to get the symbolic name, so keep the ones a network
     * and process lab meets. */
    static const struct {
        int number;
        const char *name;
    } names[] = {
        {EPERM, "EPERM"},
        {ENOENT, "ENOENT"},
        {ESRCH, "ESRCH"},
        {EINTR, "EINTR"},
        {EIO, "EIO"},
        {ENXIO, "ENXIO"},
        {E2BIG, "E2BIG"},
        {ENOEXEC, "ENOEXEC"},
        {EBADF, "EBADF"},
        {ECHILD, "ECHILD"},
        {EAGAIN, "EAGAIN"},
        {ENOMEM, "ENOMEM"},
        {EACCES, "EACCES"},
        {EFAULT, "EFAULT"},
        {EBUSY, "EBUSY"},
        {EEXIST, "EEXIST"},
        {ENOTDIR, "ENOTDIR"},
        {EISDIR, "EISDIR"},
        {EINVAL, "EINVAL"},
        {ENFILE, "ENFILE"},
        {EMFILE, "EMFILE"},
        {ENOSPC, "ENOSPC"},
        {EPIPE, "EPIPE"},
        {ERANGE, "ERANGE"},
        {EDEADLK, "EDEADLK"},
        {ENAMETOOLONG, "ENAMETOOLONG"},
        {ENOSYS, "ENOSYS"},
        {ENOTSOCK, "ENOTSOCK"},
        {EADDRINUSE, "EADDRINUSE"},
        {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
        {ENETDOWN, "ENETDOWN"},
        {ENETUNREACH, "ENETUNREACH"},
        {ECONNABORTED, "ECONNABORTED"},
        {ECONNRESET, "ECONNRESET"},
        {ENOBUFS, "ENOBUFS"},
        {EISCONN, "EISCONN"},
        {ENOTCONN, "ENOTCONN"},
        {ETIMEDOUT, "ETIMEDOUT"},
        {ECONNREFUSED, "ECONNREFUSED"},
        {EHOSTUNREACH, "EHOSTUNREACH"},
        {EALREADY, "EALREADY"},
        {EINPROGRESS, "EINPROGRESS"},
        {EAFNOSUPPORT, "EAFNOSUPPORT"},
        {EPROTO, "EPROTO"},
        {EOVERFLOW, "EOVERFLOW"},
        {ENOTSUP, "ENOTSUP"},
    };
    /* EWOULDBLOCK may equal EAGAIN; it is then reported under the EAGAIN name. */
    if (errnum == EWOULDBLOCK && errnum != EAGAIN)
        return "EWOULDBLOCK";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].number == errnum)
            return names[i].name;
    return "E?";
}

const char *errno_describe(int errnum, char *buf, unsigned long size)
{
    char text[96];
    if (strerror_r(errnum, text, sizeof text) != 0)
        snprintf(text, sizeof text, "error %d", errnum);
    snprintf(buf, size, "%s %s", errno_name(errnum), text);
    return buf;
}

/* The one place that writes a message: "prog: <fmt...>[: ENAME text]\n". */
static void report(int errnum, const char *fmt, va_list ap)
{
    char cause[160] = "";
    if (errnum != 0) {
        char described[128];
        snprintf(cause, sizeof cause, ": %s", errno_describe(errnum, described, sizeof described));
    }
    fflush(stdout);
    fprintf(stderr, "%s: ", program_name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "%s\n", cause);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(0, fmt, ap);
    va_end(ap);
    exit(1);
}

void die_errno(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    report(saved, fmt, ap);
    va_end(ap);
    exit(1);
}

void die_pthread(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(err, fmt, ap);
    va_end(ap);
    exit(1);
}

void die_child(int status, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    report(saved, fmt, ap);
    va_end(ap);
    _exit(status);
}

/* "usage: NAME OPTIONS" folded to 80 columns: a break only at a space outside [ ], the
 * next line indented under the first option. A usage that has its own line breaks is
 * printed as it is. */
static void print_usage(const char *usage)
{
    enum { WIDTH = 80 };
    int indent = (int)strlen("usage: ") + (int)strlen(program_name) + 1;
    if (strchr(usage, '\n') != NULL || indent + (int)strlen(usage) <= WIDTH || indent > WIDTH / 2) {
        fprintf(stderr, "usage: %s %s\n", program_name, usage);
        return;
    }
    fprintf(stderr, "usage: %s ", program_name);
    int column = indent;
    const char *p = usage;
    while (*p != '\0') {
        /* One word: up to a space that is not inside brackets. */
        const char *end = p;
        int depth = 0;
        while (*end != '\0' && (*end != ' ' || depth > 0)) {
            depth += (*end == '[') - (*end == ']');
            end++;
        }
        int len = (int)(end - p);
        if (column > indent && column + 1 + len > WIDTH) {
            fprintf(stderr, "\n%*s", indent, "");
            column = indent;
        } else if (column > indent) {
            fputc(' ', stderr);
            column++;
        }
        fprintf(stderr, "%.*s", len, p);
        column += len;
        p = *end == ' ' ? end + 1 : end;
    }
    fputc('\n', stderr);
}

void die_usage(const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(0, fmt, ap);
    va_end(ap);
    print_usage(usage);
    exit(2);
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL && n > 0)
        die("out of memory (%zu bytes)", n);
    return q;
}

void warn_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(0, fmt, ap);
    va_end(ap);
}

void warn_errno(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    report(saved, fmt, ap);
    va_end(ap);
    errno = saved;
}

long parse_whole_or_die(const char *usage, const char *option, const char *text, long min, long max)
{
    if (text == NULL)
        die_usage(usage, "%s needs a whole number from %ld to %ld", option, min, max);
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
        die_usage(usage, "%s '%s': expected a whole number from %ld to %ld", option, text, min,
                  max);
    return value;
}

double parse_number_or_die(const char *usage, const char *option, const char *text, double min,
                           double max)
{
    if (text == NULL)
        die_usage(usage, "%s needs a number", option);
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(value >= min) || value > max)
        die_usage(usage, "%s '%s': expected a number from %g to %g", option, text, min, max);
    return value;
}

double parse_seconds_or_die(const char *usage, const char *option, const char *text)
{
    if (text == NULL)
        die_usage(usage, "%s needs a number of seconds", option);
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(value > 0) || value > 86400)
        die_usage(usage, "%s '%s': expected seconds, more than 0 and at most 86400", option, text);
    return value;
}
