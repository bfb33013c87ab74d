/* test_fdlimit.c — unit checks of the descriptor limit's policy (fdlimit.h): the target
 * for every kind of hard limit, RLIM_INFINITY (macOS's default) and macOS's OPEN_MAX cap
 * among them, so that the macOS path is checked on Linux too; then the real call, and
 * the one-line description. One line per check; exit 1 if any failed. */
#include "fdlimit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static void check_target(const char *what, rlim_t wanted, rlim_t soft, rlim_t hard, rlim_t open_max,
                         rlim_t expected)
{
    rlim_t got = fdlimit_target(wanted, soft, hard, open_max);
    char g[32], e[32];
    snprintf(g, sizeof g, "%llu", (unsigned long long)got);
    snprintf(e, sizeof e, "%llu", (unsigned long long)expected);
    check(got == expected, what, g, e);
}

static void check_line(const char *what, struct fdlimit r, const char *expected)
{
    char line[128];
    fdlimit_describe(&r, line, sizeof line);
    check_text(what, line, expected);
    check(strlen(line) < 80, "  ... and it fits 80 columns", line, "shorter");
}

int main(void)
{
    const rlim_t INF = RLIM_INFINITY;
    check_target("Linux: raised to what is wanted, below the hard limit", 10016, 1024, 20000, 0,
                 10016);
    check_target("Linux: capped at the hard limit", 10016, 1024, 4096, 0, 4096);
    check_target("Linux: hard RLIM_INFINITY, what is wanted", 65536, 1024, INF, 0, 65536);
    check_target("a soft limit already high enough is left alone", 10016, 20000, 20000, 0, 20000);
    check_target("a soft limit of RLIM_INFINITY is left alone", 10016, INF, INF, 0, INF);
    check_target("never lowered, even above the cap", 65536, 30000, INF, 10240, 30000);
    check_target("macOS: hard RLIM_INFINITY, capped at OPEN_MAX", 65536, 256, INF, 10240, 10240);
    check_target("macOS: a hard limit below OPEN_MAX caps first", 65536, 256, 4096, 10240, 4096);
    check_target("macOS: what is wanted, below OPEN_MAX", 5016, 256, INF, 10240, 5016);
    check_target("macOS: exactly OPEN_MAX", 10240, 256, INF, 10240, 10240);

    check_line("described: enough already",
               (struct fdlimit){.wanted = 10016, .before = 20000, .hard = 20000, .soft = 20000},
               "descriptor limit: 20000; wanted 10016");
    check_line("described: raised",
               (struct fdlimit){.wanted = 10016, .before = 1024, .hard = 20000, .soft = 10016},
               "descriptor limit: 10016 (raised from 1024); wanted 10016");
    check_line("described: capped by the hard limit",
               (struct fdlimit){.wanted = 10016, .before = 1024, .hard = 4096, .soft = 4096},
               "descriptor limit: 4096 (raised from 1024), the hard limit; wanted 10016");
    check_line("described: capped by macOS's OPEN_MAX",
               (struct fdlimit){
                   .wanted = 65536, .before = 256, .hard = INF, .soft = 10240, .open_max = 10240},
               "descriptor limit: 10240 (raised from 256), macOS's OPEN_MAX; wanted 65536");
    check_line(
        "described: setrlimit refused",
        (struct fdlimit){.wanted = 65536, .before = 256, .hard = INF, .soft = 256, .error = EINVAL},
        "descriptor limit: 256 (setrlimit: EINVAL); wanted 65536");

    /* The real thing: ask for what we already have, then for one more where there is room. */
    struct fdlimit r;
    check_that(fdlimit_raise(16, &r) == 0, "fdlimit_raise(16) succeeds");
    check_that(r.soft == r.before && r.error == 0, "  ... and leaves a soft limit >= 16 alone");
    if (r.hard == INF || r.soft < r.hard) {
        rlim_t more = r.soft + 1;
        check_that(fdlimit_raise(more, &r) == 0 && r.soft == more && r.error == 0,
                   "fdlimit_raise(soft + 1) raises the soft limit by one");
        struct rlimit rl;
        check_that(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == more,
                   "  ... as getrlimit() sees it");
    } else {
        printf("# soft limit = hard limit here: the raise is not checked\n");
    }
    check_that(fdlimit_count(INF, 100) == 100 && fdlimit_count(50, 100) == 50,
               "fdlimit_count: RLIM_INFINITY and big limits count as the most");
    int open = fdlimit_open_now(1000);
    check_that(open >= 3, "fdlimit_open_now: at least stdin, stdout, stderr");
    return check_report("test_fdlimit");
}
