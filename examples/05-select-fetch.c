/* 05-select-fetch — one select() loop with callbacks: a concurrent crawl that sleeps while it waits
 *
 * What it shows
 *   The same crawl as 03, but up to -c fetches at once in ONE thread. Every socket is
 *   non-blocking, and instead of spinning on "would block" like 04, the program asks the
 *   kernel, with a single select() call, to put it to sleep until at least one socket is
 *   ready. Each fetch is a small state machine:
 *
 *       CONNECTING --writable--> SENDING --all sent--> READING --EOF / complete--> done
 *
 *   and each state has a callback that the loop calls when the socket is ready for it
 *   (writable to finish connecting and to send, readable to receive).
 *
 * How to run
 *   make run-05                          default lab site, 10 fetches in flight at most
 *   make run-05 ARGS="--timeline"        overlapping bars instead of 03's staircase
 *   make run-05 ARGS="-c 3 -v"           every state transition, with its descriptor
 *   make run-05 ARGS="-c 5000"           more than select can watch: refused, with the limit
 *
 * What to look for
 *   - wall is a few delays, not pages x delay: the waits overlap;
 *   - cpu% stays near 0: while nothing is ready the process sleeps inside select();
 *   - peak= is the concurrency really reached (the server reports the same peak);
 *   - "select woke up N times" at the end: one wake-up per batch of ready sockets.
 *
 * Lecture claims 8 (select lets a program sleep until a descriptor is ready) and 9 (select
 * handles at most FD_SETSIZE = 1024 descriptors).
 *
 * Lab server: --pages 30 --delay 100
 */
#include "clock.h"
#include "crawl.h"
#include "errors.h"
#include "http.h"
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static const char ABOUT[] =
    "05-select-fetch: crawl a site with up to -c fetches in flight, in one thread, with one\n"
    "select() loop. Each fetch is a state machine (connecting, sending, reading) whose\n"
    "callbacks run when select() says its socket is ready; in between, the process sleeps.\n"
    "\n"
    "example: make run-05 ARGS=\"-c 5 --timeline\"   or   05-select-fetch -c 20 -v URL";

enum fetch_state { CONNECTING, SENDING, READING };
static const char *const STATE_NAME[] = {"connecting", "sending", "reading"};

struct loop;
struct fetch;
/* What to do when the socket is ready: the callback registered for its current state. */
typedef void (*fetch_callback)(struct loop *loop, struct fetch *f);

/* One fetch in flight: everything it needs to pick up where it left off. */
struct fetch {
    int id, fd;
    enum fetch_state state;
    fetch_callback on_ready;
    struct url url;
    char request[URL_TEXT_MAX + 256];
    size_t request_len, sent;
    struct http_response response;
    double deadline; /* fail if the socket shows no progress by then */
};

/* The event loop: which descriptors to watch for what, and the fetch behind each one. */
struct loop {
    struct crawl *crawl;
    fd_set want_read, want_write;
    struct fetch *by_fd[FD_SETSIZE];
    int in_flight;
    long wakeups;
};

/* The highest -c that select() can serve: descriptors 0, 1 and 2 are taken, and every
 * descriptor passed to FD_SET must be below FD_SETSIZE. */
enum { MAX_SELECT_CONCURRENCY = FD_SETSIZE - 3 };

static void narrate(const struct loop *loop, const struct fetch *f, const char *what)
{
    if (loop->crawl->opt.verbose)
        printf("%8.3fs  fd %-4d %-10s %s  %s\n", clock_elapsed(), f->fd, STATE_NAME[f->state],
               crawl_url_text(loop->crawl, f->id), what);
}

/* Register fd for readability or writability, with the callback to run then. */
static void watch(struct loop *loop, struct fetch *f, enum fetch_state state, fetch_callback cb)
{
    f->state = state;
    f->on_ready = cb;
    f->deadline = clock_now() + loop->crawl->opt.timeout_s;
    FD_CLR(f->fd, &loop->want_read);
    FD_CLR(f->fd, &loop->want_write);
    FD_SET(f->fd, state == READING ? &loop->want_read : &loop->want_write);
}

/* The fetch is over, well or badly: stop watching, report, free. */
static void finish(struct loop *loop, struct fetch *f, const char *why)
{
    if (f->fd >= 0) {
        FD_CLR(f->fd, &loop->want_read);
        FD_CLR(f->fd, &loop->want_write);
        loop->by_fd[f->fd] = NULL;
        close(f->fd);
    }
    if (why == NULL)
        crawl_done(loop->crawl, f->id, &f->response, NULL);
    else
        crawl_failed(loop->crawl, f->id, why);
    http_response_free(&f->response);
    free(f);
    loop->in_flight--;
}

/* READING: readable means bytes (or EOF) are waiting, so this recv will not block. */
static void on_readable(struct loop *loop, struct fetch *f)
{
    char buffer[16384];
    ssize_t n = recv(f->fd, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return; /* nothing after all: select will tell us again */
    if (n < 0) {
        char why[160], cause[128];
        snprintf(why, sizeof why, "recv: %s", errno_describe(errno, cause, sizeof cause));
        finish(loop, f, why);
        return;
    }
    f->deadline = clock_now() + loop->crawl->opt.timeout_s;
    enum http_result result = n == 0 ? http_response_finish(&f->response)
                                     : http_response_feed(&f->response, buffer, (size_t)n);
    if (result == HTTP_MORE)
        return;
    narrate(loop, f, result == HTTP_DONE ? "response complete" : f->response.error);
    finish(loop, f, result == HTTP_DONE ? NULL : f->response.error);
}

/* SENDING: writable means the kernel has room; send what it takes (maybe not all). */
static void on_writable(struct loop *loop, struct fetch *f)
{
    ssize_t n = send(f->fd, f->request + f->sent, f->request_len - f->sent, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n < 0) {
        char why[160], cause[128];
        snprintf(why, sizeof why, "send: %s", errno_describe(errno, cause, sizeof cause));
        finish(loop, f, why);
        return;
    }
    f->sent += (size_t)n;
    if (f->sent < f->request_len)
        return; /* a short write: the rest goes when select says writable again */
    narrate(loop, f, "request sent, now waiting for the answer");
    watch(loop, f, READING, on_readable);
}

/* CONNECTING: writable means the handshake is over; SO_ERROR says how it went. */
static void on_connected(struct loop *loop, struct fetch *f)
{
    int err = net_connect_result(f->fd);
    if (err != 0) {
        char why[NET_WHY_MAX];
        net_describe_failure("connect", f->url.host, f->url.port, err, why, sizeof why);
        finish(loop, f, why);
        return;
    }
    narrate(loop, f, "connected");
    watch(loop, f, SENDING, on_writable);
    on_writable(loop, f); /* usually the socket can take the request right away */
}

/* Start one fetch: a non-blocking connect, then wait for writability. */
static void start_fetch(struct loop *loop, const struct url *url)
{
    struct fetch *f = calloc(1, sizeof *f);
    if (f == NULL)
        die("out of memory");
    f->url = *url;
    f->id = crawl_begin(loop->crawl, url);
    loop->in_flight++;
    http_response_init(&f->response, 0, 0);
    int length = http_format_request(url, f->request, sizeof f->request);
    f->request_len = length > 0 ? (size_t)length : 0;
    char why[NET_WHY_MAX];
    f->fd = net_connect_start(url->host, url->port, why, sizeof why);
    if (f->fd < 0 || length < 0) {
        finish(loop, f, f->fd < 0 ? why : "request too long");
        return;
    }
    if (f->fd >= FD_SETSIZE) { /* FD_SET on it would write past the end of the fd_set */
        snprintf(why, sizeof why, "descriptor %d is beyond what select can watch (FD_SETSIZE %d)",
                 f->fd, FD_SETSIZE);
        finish(loop, f, why);
        return;
    }
    loop->by_fd[f->fd] = f;
    watch(loop, f, CONNECTING, on_connected);
    narrate(loop, f, "connect started");
}

/* How long select may sleep: until the earliest deadline of a fetch in flight. */
static struct timeval time_to_next_deadline(const struct loop *loop, int max_fd)
{
    double now = clock_now(), soonest = now + 3600;
    for (int fd = 0; fd <= max_fd; fd++)
        if (loop->by_fd[fd] != NULL && loop->by_fd[fd]->deadline < soonest)
            soonest = loop->by_fd[fd]->deadline;
    double wait = soonest > now ? soonest - now : 0;
    return (struct timeval){.tv_sec = (time_t)wait,
                            .tv_usec = (suseconds_t)((wait - (double)(time_t)wait) * 1e6) + 1};
}

/* Fail every fetch whose socket has been silent for longer than -t. */
static void expire_timeouts(struct loop *loop, int max_fd)
{
    double now = clock_now();
    for (int fd = 0; fd <= max_fd; fd++) {
        struct fetch *f = loop->by_fd[fd];
        if (f != NULL && f->deadline <= now) {
            char why[96];
            snprintf(why, sizeof why, "timed out: no progress for %g s while %s",
                     loop->crawl->opt.timeout_s, STATE_NAME[f->state]);
            finish(loop, f, why);
        }
    }
}

/* The event loop: start fetches while there is room, sleep in select() until a socket is
 * ready or a deadline passes, run the ready sockets' callbacks, repeat. */
static void run_loop(struct loop *loop)
{
    for (;;) {
        struct url url;
        while (loop->in_flight < loop->crawl->opt.concurrency && crawl_next(loop->crawl, &url))
            start_fetch(loop, &url);
        if (loop->in_flight == 0)
            return; /* nothing in flight and nothing queued: the crawl is over */

        int max_fd = 0;
        for (int fd = 0; fd < FD_SETSIZE; fd++)
            if (loop->by_fd[fd] != NULL)
                max_fd = fd;
        /* select() overwrites the sets it is given: pass copies, keep the originals. */
        fd_set readable = loop->want_read, writable = loop->want_write;
        struct timeval timeout = time_to_next_deadline(loop, max_fd);
        int ready = select(max_fd + 1, &readable, &writable, NULL, &timeout);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            die_errno("select");
        loop->wakeups++;
        for (int fd = 0; fd <= max_fd; fd++) {
            struct fetch *f = loop->by_fd[fd];
            if (f != NULL && (FD_ISSET(fd, &readable) || FD_ISSET(fd, &writable)))
                f->on_ready(loop, f);
        }
        expire_timeouts(loop, max_fd);
    }
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    struct crawl_options options;
    crawl_default_options(&options);
    crawl_parse_options(argc, argv, &options, ABOUT, NULL);
    if (options.concurrency > MAX_SELECT_CONCURRENCY)
        die_usage("[-c CONCURRENCY] [-n MAX_PAGES] [-t TIMEOUT_SECONDS] [--timeline] [-q] [-v] "
                  "[URL]",
                  "-c %d is more than select() can watch: it takes descriptors below FD_SETSIZE "
                  "= %d, so at most -c %d here (poll and epoll have no such limit: see 09)",
                  options.concurrency, FD_SETSIZE, MAX_SELECT_CONCURRENCY);

    struct crawl crawl;
    crawl_init(&crawl, &options);
    struct loop *loop = calloc(1, sizeof *loop);
    if (loop == NULL)
        die("out of memory");
    loop->crawl = &crawl;
    FD_ZERO(&loop->want_read);
    FD_ZERO(&loop->want_write);
    if (!options.quiet)
        printf("crawling %s with up to %d fetches in flight, one thread, one select() loop\n",
               options.start_url, options.concurrency);

    run_loop(loop);

    if (!options.quiet)
        printf("select woke up %ld times for %d fetches; between wake-ups the process slept\n",
               loop->wakeups, crawl.started);
    free(loop);
    return crawl_finish(&crawl);
}
