/* fdlimit.c — the descriptor limit's one policy (see fdlimit.h). */
#include "fdlimit.h"

#include "errors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

rlim_t fdlimit_target(rlim_t wanted, rlim_t soft, rlim_t hard, rlim_t open_max)
{
    rlim_t cap = hard; /* RLIM_INFINITY: no cap of its own */
    if (open_max > 0 && (cap == RLIM_INFINITY || cap > open_max))
        cap = open_max;
    rlim_t target = cap != RLIM_INFINITY && wanted > cap ? cap : wanted;
    if (soft == RLIM_INFINITY || soft >= target)
        return soft; /* already enough (or already past the cap): leave it */
    return target;
}

int fdlimit_raise(rlim_t wanted, struct fdlimit *r)
{
    struct rlimit rl;
    *r = (struct fdlimit){.wanted = wanted, .open_max = FDLIMIT_OPEN_MAX};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    r->before = r->soft = rl.rlim_cur;
    r->hard = rl.rlim_max;
    rlim_t target = fdlimit_target(wanted, rl.rlim_cur, rl.rlim_max, r->open_max);
    if (target != rl.rlim_cur) {
        rl.rlim_cur = target;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
            r->soft = target;
        else
            r->error = errno;
    }
    return 0;
}

static void format_limit(rlim_t v, char *out, size_t size)
{
    if (v == RLIM_INFINITY)
        snprintf(out, size, "unlimited");
    else
        snprintf(out, size, "%llu", (unsigned long long)v);
}

void fdlimit_describe(const struct fdlimit *r, char *line, size_t size)
{
    char soft[32], before[32], wanted[32], cause[64] = "";
    format_limit(r->soft, soft, sizeof soft);
    format_limit(r->before, before, sizeof before);
    format_limit(r->wanted, wanted, sizeof wanted);
    const char *capped = "";
    if (r->error != 0)
        snprintf(cause, sizeof cause, " (setrlimit: %s)", errno_name(r->error));
    else if (r->soft != r->before)
        snprintf(cause, sizeof cause, " (raised from %s)", before);
    if (r->soft != RLIM_INFINITY && r->soft < r->wanted)
        capped = r->error != 0            ? ""
                 : r->soft == r->hard     ? ", the hard limit"
                 : r->soft == r->open_max ? ", macOS's OPEN_MAX"
                                          : "";
    snprintf(line, size, "descriptor limit: %s%s%s; wanted %s", soft, cause, capped, wanted);
}

long fdlimit_require(const char *option, long asked, long spare, bool quiet, long most)
{
    rlim_t needed = (rlim_t)asked + (rlim_t)spare;
    struct fdlimit got;
    if (fdlimit_raise(needed, &got) != 0)
        die_errno("getrlimit RLIMIT_NOFILE");
    char line[128];
    fdlimit_describe(&got, line, sizeof line);
    if (got.soft < needed) {
        long fits = (long)got.soft - spare > 1 ? (long)got.soft - spare : 1;
        if (got.error != 0 || got.soft != got.hard) /* setrlimit refused, or OPEN_MAX */
            die("%s %ld needs %llu descriptors, one per connection plus %ld spare:\n"
                "  %s; run with %s %ld or fewer",
                option, asked, (unsigned long long)needed, spare, line, option, fits);
        die("%s %ld needs %llu descriptors, one per connection plus %ld\n"
            "  spare, but the hard limit on open descriptors (RLIMIT_NOFILE) is %llu,\n"
            "  and only root may raise it: `ulimit -n %llu` in a root shell (or a\n"
            "  nofile line in /etc/security/limits.conf), or run with %s %ld or fewer",
            option, asked, (unsigned long long)needed, spare, (unsigned long long)got.hard,
            (unsigned long long)needed, option, fits);
    }
    if (!quiet)
        printf("%s\n", line);
    return fdlimit_count(got.soft, most);
}

long fdlimit_count(rlim_t limit, long most)
{
    return limit == RLIM_INFINITY || limit > (rlim_t)most ? most : (long)limit;
}

int fdlimit_open_now(long most)
{
    struct rlimit rl;
    long limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? fdlimit_count(rl.rlim_cur, most) : most;
    int open = 0;
    for (int fd = 0; fd < limit; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            open++;
    return open;
}
