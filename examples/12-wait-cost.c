/* 12-wait-cost — what one wait call costs with K idle descriptors: select, poll, epoll, kqueue
 *
 * What it shows
 *   05, 09 and the lab server wait for many descriptors with one call. The calls differ in
 *   where the list of what to watch lives. select and poll hand the whole list to the
 *   kernel on every call: the kernel checks each descriptor, and the program scans each
 *   answer. epoll (Linux) and kqueue (macOS, the BSDs) keep the list in the kernel, which
 *   notes a descriptor when it becomes ready: a wait costs what is READY, not what is
 *   watched. Here that is measured: K idle descriptors and one ready one are watched, and
 *   the wait call that finds the ready one is timed, for K = 10, 100, 1,000 and 10,000.
 *
 *   The idle ones are K dup()s of a pipe's read end that nothing is written to; the ready
 *   one is a pipe with a byte in it, never read (level-triggered: ready on every call),
 *   registered last, so that poll and select walk past all the idle ones to find it.
 *   Every backend this system has gets a column (common/poller.h: the one API over all
 *   of them); select has no number where a descriptor would be >= FD_SETSIZE.
 *
 * How to run
 *   make run-12                   the table: microseconds per wait call, K x backend
 *   (ulimit -n 2000; make run-12) a descriptor limit too low for K = 10,000: '-' there
 *
 * What to look for
 *   - poll and select grow with K: about ten times the cost for ten times the descriptors;
 *   - epoll (or kqueue) stays flat: 10,000 idle descriptors cost its wait nothing;
 *   - select is no cheaper than poll, and at K = 10,000 it has no number at all.
 *
 * Lecture claims 8 (the kernel wakes the program when a descriptor is ready) and 9 (select
 * stops at FD_SETSIZE = 1024; poll and epoll have no such limit).
 */
#include "args.h"
#include "clock.h"
#include "errors.h"
#include "fdlimit.h"
#include "poller.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

static const char USAGE[] = "[--help]";

enum {
    MAX_BACKENDS = 4,
    SPARE_DESCRIPTORS = 16, /* stdin, stdout, stderr, the pipes, the poller's own */
    MIN_CALLS = 5,          /* each figure is at least this many calls... */
};
static const double MIN_SECONDS = 0.05; /* ...and at least this long */
static const int KS[] = {10, 100, 1000, 10000};

/* One wait call of `backend` with k idle descriptors (dups of idle_fd) and one ready one
 * (a dup of ready_fd, the last): microseconds per call, or -1 when it cannot be measured
 * (the descriptors do not fit under the limit, or the backend refuses one). */
static double wait_cost_us(const char *backend, int k, int idle_fd, int ready_fd)
{
    int *fds = malloc(((size_t)k + 1) * sizeof *fds);
    if (fds == NULL)
        die("out of memory");
    int opened = 0;
    while (opened <= k) {
        fds[opened] = dup(opened < k ? idle_fd : ready_fd);
        if (fds[opened] < 0)
            break;
        opened++;
    }
    double us = -1;
    struct poller *p = opened == k + 1 ? poller_new(backend, fds[k] + 1) : NULL;
    bool fit = p != NULL;
    for (int i = 0; fit && i <= k; i++)
        fit = poller_add(p, fds[i], POLLER_READ) == 0;
    if (fit) {
        long calls = 0;
        double start = clock_now(), spent = 0;
        while (calls < MIN_CALLS || spent < MIN_SECONDS) {
            struct poller_event ev;
            if (poller_wait(p, -1) != 1 || !poller_next(p, &ev) || ev.fd != fds[k])
                die("%s: expected descriptor %d alone to be ready", backend, fds[k]);
            calls++;
            spent = clock_now() - start;
        }
        us = spent * 1e6 / (double)calls;
    }
    poller_free(p);
    for (int i = 0; i < opened; i++)
        close(fds[i]);
    free(fds);
    return us;
}

/* The table: a row per K, a column per backend this system has; then the summary line,
 * a key per backend with its figures for every K:
 * "summary: k=10,100,1000,10000 epoll_us=0.4,0.6,0.9,0.6 poll_us=... select_us=...,-". */
static void print_wait_costs(void)
{
    int idle[2], ready[2];
    if (pipe(idle) != 0 || pipe(ready) != 0)
        die_errno("pipe");
    if (write(ready[1], "x", 1) != 1) /* never read: level-triggered, ready every time */
        die_errno("write");
    char list[64];
    snprintf(list, sizeof list, "%s", poller_backends());
    const char *names[MAX_BACKENDS];
    int backends = 0;
    for (char *n = strtok(list, " "); n != NULL && backends < MAX_BACKENDS; n = strtok(NULL, " "))
        names[backends++] = n;

    printf("one wait call that finds 1 ready descriptor among K idle ones, in microseconds\n"
           "(select: '-' where a descriptor would be >= FD_SETSIZE = %d)\n\n%8s",
           FD_SETSIZE, "K");
    for (int b = 0; b < backends; b++)
        printf("%10s", names[b]);
    printf("\n");
    enum { ROWS = sizeof KS / sizeof KS[0] };
    char figures[MAX_BACKENDS][ROWS][16];
    for (int i = 0; i < ROWS; i++) {
        printf("%8d", KS[i]);
        for (int b = 0; b < backends; b++) {
            double us = wait_cost_us(names[b], KS[i], idle[0], ready[0]);
            if (us < 0)
                snprintf(figures[b][i], sizeof figures[b][i], "-");
            else
                snprintf(figures[b][i], sizeof figures[b][i], "%.1f", us);
            printf("%10s", figures[b][i]);
        }
        printf("\n");
        fflush(stdout);
    }
    /* The summary is built as one string, then printed by summary_print(), which wraps
     * it at spaces on a terminal and keeps it one line in a pipe. */
    char line[512];
    size_t used = 0;
    for (int i = 0; i < ROWS; i++)
        used +=
            (size_t)snprintf(line + used, sizeof line - used, "%s%d", i > 0 ? "," : "k=", KS[i]);
    for (int b = 0; b < backends; b++) {
        used += (size_t)snprintf(line + used, sizeof line - used, " %s_us=", names[b]);
        for (int i = 0; i < ROWS; i++)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", i > 0 ? "," : "",
                                     figures[b][i]);
    }
    printf("\n");
    summary_print("%s", line);
    close(idle[0]);
    close(idle[1]);
    close(ready[0]);
    close(ready[1]);
}

static void print_help(void)
{
    printf("12-wait-cost: time one wait call of each backend this system has\n"
           "(%s) with K = 10, 100, 1000 and 10000 idle descriptors\n"
           "watched and one ready.\n"
           "Raises the soft descriptor limit first; a K that does not fit prints '-'.\n\n"
           "usage: 12-wait-cost %s\n\nexample: make run-12\n",
           poller_backends(), USAGE);
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    const struct args_option none[] = {{NULL, ARGS_FLAG, NULL, 0, 0, NULL}};
    args_parse(argc, argv, none, NULL, USAGE, print_help);
    struct fdlimit got;
    if (fdlimit_raise((rlim_t)KS[sizeof KS / sizeof KS[0] - 1] + SPARE_DESCRIPTORS, &got) != 0)
        die_errno("getrlimit RLIMIT_NOFILE");
    char line[128];
    fdlimit_describe(&got, line, sizeof line);
    printf("%s\n", line);
    print_wait_costs();
    return 0;
}
