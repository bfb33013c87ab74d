/* fdlimit.h — the descriptor limit (RLIMIT_NOFILE), raised the same way by 00 and 09.
 *
 * Every connection is a descriptor, and a process may hold only its soft limit of them
 * (often 1024 on Linux, 256 on macOS). Anyone may raise the soft limit up to the hard
 * one; only root may raise the hard one. The policy, one for every program here:
 *
 *   raise the soft limit to what is wanted, never past the hard limit, and on macOS
 *   never past OPEN_MAX (10,240) either: its setrlimit() fails with EINVAL above
 *   min(OPEN_MAX, hard), even when the hard limit is RLIM_INFINITY (as it is there).
 *   A soft limit already at or above what is wanted is left alone.
 *
 *     struct fdlimit got;
 *     fdlimit_raise(10016, &got);               (got.soft: what this process now has)
 *     fdlimit_describe(&got, line, sizeof line) (what it got, in one line)
 */
#ifndef ASYNCLAB_FDLIMIT_H
#define ASYNCLAB_FDLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>

/* The cap macOS puts on the soft limit, or 0 where there is none. */
#if defined(__APPLE__)
#include <limits.h>
#ifdef OPEN_MAX
#define FDLIMIT_OPEN_MAX ((rlim_t)OPEN_MAX)
#else
#define FDLIMIT_OPEN_MAX ((rlim_t)10240)
#endif
#else
#define FDLIMIT_OPEN_MAX ((rlim_t)0)
#endif

struct fdlimit {
    rlim_t wanted;
    rlim_t before, hard; /* the soft and hard limits found */
    rlim_t soft;         /* the soft limit now: at least `wanted` unless capped */
    rlim_t open_max;     /* FDLIMIT_OPEN_MAX */
    int error;           /* setrlimit's errno, or 0 */
};

/* The policy alone, for a test: the soft limit to ask for, given what is wanted, the
 * current soft and hard limits (either may be RLIM_INFINITY) and the OPEN_MAX cap (0: no
 * cap). Never lower than the current soft limit. */
rlim_t fdlimit_target(rlim_t wanted, rlim_t soft, rlim_t hard, rlim_t open_max);

/* Apply the policy to this process. 0, or -1 with errno if even getrlimit() failed; a
 * refused setrlimit() is not a failure: r->error says why, and r->soft stays as it was. */
int fdlimit_raise(rlim_t wanted, struct fdlimit *r);

/* What it got, in one line under 80 columns, e.g.
 *   "descriptor limit: 10016 (raised from 1024); wanted 10016"
 *   "descriptor limit: 4096 (raised from 1024), the hard limit; wanted 10016"
 *   "descriptor limit: 10240 (raised from 256), macOS's OPEN_MAX; wanted 65536" */
void fdlimit_describe(const struct fdlimit *r, char *line, size_t size);

/* For a program that needs a descriptor per connection: `asked` connections (its option
 * `option`, e.g. "-c") plus `spare`. Raises the limit (fdlimit_raise), prints the one line
 * of fdlimit_describe() on stdout unless quiet, and if that is still too few, says on
 * stderr what the limit is, how to raise it and the most that fits, and exits 1.
 * Returns the soft limit as a count, at most `most`. */
long fdlimit_require(const char *option, long asked, long spare, bool quiet, long most);

/* A limit as a count of descriptors, RLIM_INFINITY and anything above `most` as `most`. */
long fdlimit_count(rlim_t limit, long most);

/* How many descriptors this process has open (each number below the soft limit, at most
 * `most` of them, asked with fcntl). */
int fdlimit_open_now(long most);

#endif
