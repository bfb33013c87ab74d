/* test_poller.c — unit checks of the poller (poller.h), once per backend this build has:
 * a pipe pair readable, writable, a timeout, level-triggering, a change of interest,
 * removal during a batch (also when the number is reused at once), select's refusal of a
 * descriptor at FD_SETSIZE. Every backend this system has runs: epoll on Linux, kqueue on
 * macOS and the BSDs, poll and select everywhere. One line per check; exit 1 if any failed. */
#include "clock.h"
#include "poller.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include "check.h"

enum { CAPACITY = 4096 };

static char what[200];

static const char *named(const char *backend, const char *text)
{
    snprintf(what, sizeof what, "%s: %s", backend, text);
    return what;
}

static void make_pipe(int fds[2])
{
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(2);
    }
}

static void check_count(const char *backend, const char *text, int got, int expected)
{
    char g[32], e[32];
    snprintf(g, sizeof g, "%d", got);
    snprintf(e, sizeof e, "%d", expected);
    check(got == expected, named(backend, text), g, e);
}

static void test_pipe_pair(const char *backend)
{
    struct poller *p = poller_new(backend, CAPACITY);
    check_that(p != NULL, named(backend, "poller_new"));
    if (p == NULL)
        return;
    check_text(named(backend, "poller_name"), poller_name(p), backend);
    int fds[2];
    make_pipe(fds);
    struct poller_event ev;

    check_that(poller_add(p, fds[0], POLLER_READ) == 0, named(backend, "add the read end"));
    check_that(poller_add(p, fds[0], POLLER_READ) == -1 && errno == EEXIST,
               named(backend, "adding it twice is EEXIST"));
    double t0 = clock_now();
    int n = poller_wait(p, 50);
    double waited = clock_now() - t0;
    check_count(backend, "an empty pipe: the wait times out with 0", n, 0);
    check(waited >= 0.045, named(backend, "the timeout slept about 50 ms"), "less", ">= 45 ms");
    check_that(!poller_next(p, &ev), named(backend, "nothing to hand out after a timeout"));

    check_that(poller_add(p, fds[1], POLLER_WRITE) == 0, named(backend, "add the write end"));
    n = poller_wait(p, 1000);
    check_count(backend, "an empty pipe is writable", n, 1);
    check_that(poller_next(p, &ev) && ev.fd == fds[1] && ev.writable && !ev.readable,
               named(backend, "the write end, writable"));

    check_that(write(fds[1], "x", 1) == 1, named(backend, "write a byte"));
    check_that(poller_modify(p, fds[1], 0) == 0, named(backend, "the write end: want nothing"));
    n = poller_wait(p, 1000);
    check_count(backend, "a byte in the pipe: one ready", n, 1);
    check_that(poller_next(p, &ev) && ev.fd == fds[0] && ev.readable,
               named(backend, "the read end, readable"));
    check_that(!poller_next(p, &ev), named(backend, "and nothing else"));
    n = poller_wait(p, 0);
    check_count(backend, "level-triggered: unread, it is ready again", n, 1);

    /* Removal during a batch: both ends ready; the first handler removes the other. */
    check_that(poller_modify(p, fds[1], POLLER_WRITE) == 0, named(backend, "write end again"));
    n = poller_wait(p, 1000);
    check_count(backend, "both ends ready", n, 2);
    check_that(poller_next(p, &ev), named(backend, "the first of two"));
    int other = ev.fd == fds[0] ? fds[1] : fds[0];
    check_that(poller_remove(p, other) == 0, named(backend, "remove the other mid-batch"));
    close(other);
    /* Its number comes back at once for a new, readable descriptor: still not from the
     * old batch. */
    int again[2];
    make_pipe(again);
    int reused = again[0] == other ? again[0] : again[1] == other ? again[1] : -1;
    check_that(reused >= 0, named(backend, "the removed number is reused"));
    if (reused >= 0)
        poller_add(p, reused, POLLER_READ | POLLER_WRITE);
    check_that(!poller_next(p, &ev), named(backend, "the removed one is not handed out"));
    check_that(poller_remove(p, fds[0] == other ? fds[1] : fds[0]) == 0,
               named(backend, "remove the first"));
    check_that(poller_remove(p, fds[0] == other ? fds[1] : fds[0]) == -1 && errno == ENOENT,
               named(backend, "removing twice is ENOENT"));
    close(fds[0] == other ? fds[1] : fds[0]);
    if (reused >= 0)
        poller_remove(p, reused);
    close(again[0]);
    close(again[1]);
    n = poller_wait(p, 10);
    check_count(backend, "all removed: the wait times out", n, 0);
    check_that(poller_add(p, -1, POLLER_READ) == -1 && errno == EINVAL,
               named(backend, "a negative descriptor is EINVAL"));
    check_that(poller_add(p, CAPACITY, POLLER_READ) == -1 && errno == EINVAL,
               named(backend, "a descriptor over the capacity is EINVAL"));
    poller_free(p);
}

/* select cannot watch descriptor FD_SETSIZE; poll and epoll can. */
static void test_fd_setsize(const char *backend)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int fds[2];
    make_pipe(fds);
    int high = dup2(fds[0], FD_SETSIZE);
    if (high != FD_SETSIZE) {
        printf("# %s: no descriptor %d here (limit too low): check skipped\n", backend, FD_SETSIZE);
        close(fds[0]);
        close(fds[1]);
        return;
    }
    struct poller *p = poller_new(backend, CAPACITY);
    bool is_select = strcmp(backend, "select") == 0;
    check_count(backend, "poller_fd_limit", poller_fd_limit(p), is_select ? FD_SETSIZE : CAPACITY);
    check_text(named(backend, "poller_fd_limit_name"), poller_fd_limit_name(p),
               is_select ? "FD_SETSIZE" : "the capacity");
    int rc = poller_add(p, high, POLLER_READ);
    if (is_select) {
        check_that(rc == -1 && errno == EINVAL, named(backend, "refuses fd FD_SETSIZE (EINVAL)"));
    } else {
        check_that(rc == 0, named(backend, "watches fd FD_SETSIZE"));
        check_that(write(fds[1], "x", 1) == 1, named(backend, "write a byte"));
        struct poller_event ev;
        check_that(poller_wait(p, 1000) == 1 && poller_next(p, &ev) && ev.fd == high && ev.readable,
                   named(backend, "reports fd FD_SETSIZE readable"));
    }
    poller_free(p);
    close(high);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    check_that(poller_new("kpoll", 10) == NULL && errno == EINVAL, "an unknown backend is EINVAL");
    check_that(poller_known("kqueue") && poller_known("epoll") && !poller_known("kpoll"),
               "poller_known: every system's backends, and nothing else");
    /* The one of epoll and kqueue this system does not have is refused like an unknown. */
    const char *absent = strstr(poller_backends(), "epoll") ? "kqueue" : "epoll";
    check_that(poller_new(absent, 10) == NULL && errno == EINVAL,
               "the other system's backend is EINVAL");
    struct poller *best = poller_new(NULL, 10);
    check_text("poller_new(NULL) picks poller_best()", best ? poller_name(best) : "NULL",
               poller_best());
    poller_free(best);
    char list[64];
    snprintf(list, sizeof list, "%s", poller_backends());
    for (char *name = strtok(list, " "); name != NULL; name = strtok(NULL, " ")) {
        test_pipe_pair(name);
        test_fd_setsize(name);
    }
    return check_report("test_poller");
}
