/* 05-select-fetch — one select() loop with callbacks: a concurrent crawl that sleeps while it waits
 *
 * What it shows
 *   The same crawl as 03, but up to -c fetches at once in ONE thread. Every socket is
 *   non-blocking, and instead of spinning on "would block" like 04, the program asks the
 *   kernel, with a single select() call, to put it to sleep until at least one socket is
 *   ready. Each fetch is a small state machine:
 *
 *       CONNECTING --writable--> SENDING --all sent--> RECEIVING --complete--> done
 *
 *   and each state has a callback that the loop calls when the socket is ready for it
 *   (writable to finish connecting and to send, readable to receive). Each callback makes
 *   one system call through common/fetch.c's steps (getsockopt, send, recv), which say
 *   whether to wait for readable, for writable, or to move on.
 *
 *   select() cannot watch a descriptor numbered FD_SETSIZE (1024) or more: a socket that
 *   gets such a number is closed and its URL put back until a fetch ends, exactly as when
 *   the process is out of descriptors (EMFILE).
 *
 * How to run
 *   make run-05                          default lab site, 10 fetches in flight at most
 *   make run-05 ARGS="--timeline"        overlapping bars instead of 03's staircase
 *   make run-05 ARGS="-c 3 -v"           every state transition, with its descriptor
 *   make run-05 ARGS="-c 5000"           more than select can watch: refused, with the limit
 *   make run-05 ARGS="-c 200" then Ctrl-C the summary so far, exit 130
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
#include "crawler.h"
#include "fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>

struct loop;
struct fetch_cb;
/* What to do when the socket is ready: the callback registered for its current state. */
typedef void (*fetch_callback)(struct loop *loop, struct fetch_cb *fc);

/* One fetch in flight: the shared fetch record, and the callback it waits to run. */
struct fetch_cb {
    struct fetch f;
    fetch_callback on_ready;
};

/* The event loop: which descriptors to watch for what, and the fetch behind each one.
 * Only descriptors below FD_SETSIZE ever get here (fetch_begin sees to it). */
struct loop {
    struct crawl *crawl;
    struct fetch_site site;
    fd_set want_read, want_write;
    struct fetch_cb *by_fd[FD_SETSIZE];
    int in_flight;
    bool starved; /* out of descriptors: start nothing until a fetch ends */
    long wakeups;
};

static void start_fetch(struct loop *loop, const struct url *url);
static void watch(struct loop *loop, struct fetch_cb *fc, enum fetch_status want,
                  fetch_callback cb);
static void finish(struct loop *loop, struct fetch_cb *fc);
static int highest_fd(const struct loop *loop);
static struct timeval time_to_next_deadline(const struct loop *loop, int max_fd);

/* The event loop: start fetches while there is room, sleep in select() until a socket is
 * ready or a deadline passes, run the ready sockets' callbacks, repeat. */
static void run_loop(struct loop *loop)
{
    for (;;) {
        struct url url;
        while (!loop->starved && loop->in_flight < loop->crawl->opt.concurrency &&
               !fetch_interrupted() && crawl_next(loop->crawl, &url))
            start_fetch(loop, &url);
        if (loop->in_flight == 0 || fetch_interrupted())
            break; /* nothing in flight and nothing queued, or told to stop: over */

        int max_fd = highest_fd(loop);
        /* select() overwrites the sets it is given: pass copies, keep the originals. */
        fd_set readable = loop->want_read, writable = loop->want_write;
        struct timeval timeout = time_to_next_deadline(loop, max_fd);
        int ready = select(max_fd + 1, &readable, &writable, NULL, &timeout);
        if (ready < 0 && errno != EINTR)
            die_errno("select");
        loop->wakeups++;
        for (int fd = 0; fd <= max_fd; fd++) {
            struct fetch_cb *fc = loop->by_fd[fd];
            /* Ready, past its -t deadline or interrupted: the callback's step tells which. */
            if (fc != NULL &&
                ((ready > 0 && (FD_ISSET(fd, &readable) || FD_ISSET(fd, &writable))) ||
                 fetch_time_left(&fc->f) <= 0 || fetch_interrupted()))
                fc->on_ready(loop, fc);
        }
    }
    for (int fd = 0; fd < FD_SETSIZE; fd++) /* a signal: what is still in flight is abandoned */
        if (loop->by_fd[fd] != NULL)
            finish(loop, loop->by_fd[fd]);
}

/* RECEIVING: readable means bytes (or EOF) are waiting, so this recv() will not block. */
static void on_readable(struct loop *loop, struct fetch_cb *fc)
{
    enum fetch_status status = fetch_recv(&fc->f);
    if (status == FETCH_WANT_READ)
        return; /* more to come: select will say readable again */
    finish(loop, fc);
}

/* SENDING: writable means the kernel has room; send() what it takes (maybe not all). */
static void on_writable(struct loop *loop, struct fetch_cb *fc)
{
    enum fetch_status status = fetch_send(&fc->f);
    if (status == FETCH_DONE)
        watch(loop, fc, FETCH_WANT_READ, on_readable); /* now wait for the answer */
    else if (status != FETCH_WANT_WRITE)
        finish(loop, fc);
}

/* CONNECTING: writable means the handshake is over; getsockopt(SO_ERROR) says how. */
static void on_connected(struct loop *loop, struct fetch_cb *fc)
{
    enum fetch_status status = fetch_connect_result(&fc->f);
    if (status == FETCH_DONE) {
        watch(loop, fc, FETCH_WANT_WRITE, on_writable);
        on_writable(loop, fc); /* usually the socket can take the request right away */
    } else if (status != FETCH_WANT_WRITE) {
        finish(loop, fc);
    }
}

/* Start one fetch: socket() and a non-blocking connect(), then wait for writability. */
static void start_fetch(struct loop *loop, const struct url *url)
{
    struct fetch_cb *fc = calloc(1, sizeof *fc);
    if (fc == NULL)
        die("out of memory");
    fetch_init(&fc->f, &loop->site, url, &loop->crawl->opt, false, "");
    if (fetch_begin(&fc->f, loop->crawl, FD_SETSIZE) == FETCH_PUT_BACK) {
        loop->starved = true; /* no descriptor select() can watch: wait for a fetch to end */
        free(fc);
        return;
    }
    loop->in_flight++;
    enum fetch_status status = fetch_connect(&fc->f);
    if (status == FETCH_WANT_WRITE)
        watch(loop, fc, FETCH_WANT_WRITE, on_connected);
    else if (status == FETCH_DONE) /* connected at once (it happens on loopback) */
        watch(loop, fc, FETCH_WANT_WRITE, on_writable);
    else
        finish(loop, fc);
}

/* ---- the loop's bookkeeping --------------------------------------------------------------- */

/* Register fc's descriptor for readability or writability, with the callback to run then. */
static void watch(struct loop *loop, struct fetch_cb *fc, enum fetch_status want, fetch_callback cb)
{
    int fd = fc->f.fd;
    fc->on_ready = cb;
    loop->by_fd[fd] = fc;
    FD_CLR(fd, &loop->want_read);
    FD_CLR(fd, &loop->want_write);
    FD_SET(fd, want == FETCH_WANT_READ ? &loop->want_read : &loop->want_write);
}

/* The fetch is over, well or badly: stop watching, report, free; a descriptor is free. */
static void finish(struct loop *loop, struct fetch_cb *fc)
{
    int fd = fc->f.fd;
    if (fd >= 0 && loop->by_fd[fd] == fc) {
        FD_CLR(fd, &loop->want_read);
        FD_CLR(fd, &loop->want_write);
        loop->by_fd[fd] = NULL;
    }
    fetch_report(loop->crawl, &fc->f, NULL);
    free(fc);
    loop->in_flight--;
    loop->starved = false;
}

static int highest_fd(const struct loop *loop)
{
    int max_fd = 0;
    for (int fd = 0; fd < FD_SETSIZE; fd++)
        if (loop->by_fd[fd] != NULL)
            max_fd = fd;
    return max_fd;
}

/* How long select may sleep: until the earliest -t deadline of a fetch in flight. */
static struct timeval time_to_next_deadline(const struct loop *loop, int max_fd)
{
    double soonest = 3600;
    for (int fd = 0; fd <= max_fd; fd++)
        if (loop->by_fd[fd] != NULL && fetch_time_left(&loop->by_fd[fd]->f) < soonest)
            soonest = fetch_time_left(&loop->by_fd[fd]->f);
    /* A microsecond past it, so that the step then sees the deadline passed; normalised
     * (tv_usec below a million: macOS's select() refuses more). */
    return clock_timeval((soonest > 0 ? soonest : 0) + 1e-6);
}

/* ---- options and the report ---------------------------------------------------------------- */

static const char ABOUT[] =
    "05-select-fetch: crawl a site with up to -c fetches in flight, in one thread, with one\n"
    "select() loop. Each fetch is a state machine (connecting, sending, receiving) whose\n"
    "callbacks run when select() says its socket is ready; in between, the process sleeps.\n"
    "\n"
    "example: make run-05 ARGS=\"-c 5 --timeline\"   or   05-select-fetch -c 20 -v URL";

/* The highest -c that select() can serve: descriptors 0, 1 and 2 are taken, and every
 * descriptor passed to FD_SET must be below FD_SETSIZE. */
enum { MAX_SELECT_CONCURRENCY = FD_SETSIZE - 3 };

/* -c above what select() can watch is refused before the crawl starts. */
static void check_options(struct crawl_options *o)
{
    if (o->concurrency > MAX_SELECT_CONCURRENCY)
        die_usage(crawl_usage(o), "-c %d: select() allows at most -c %d (FD_SETSIZE = %d)",
                  o->concurrency, MAX_SELECT_CONCURRENCY, FD_SETSIZE);
}

static const struct crawl_program PROGRAM = {.about = ABOUT, .check = check_options};

int main(int argc, char **argv)
{
    struct crawl crawl;
    struct fetch_site site;
    crawl_setup(&PROGRAM, argc, argv, &crawl, &site);
    struct crawl_options options = crawl.opt;
    struct loop *loop = calloc(1, sizeof *loop);
    if (loop == NULL)
        die("out of memory");
    loop->crawl = &crawl;
    loop->site = site;
    FD_ZERO(&loop->want_read);
    FD_ZERO(&loop->want_write);
    if (!options.quiet)
        printf("crawling %s\nwith up to %d fetches in flight, one thread, one select() loop\n",
               options.start_url, options.concurrency);

    run_loop(loop);

    if (!options.quiet)
        printf("select woke up %ld times for %d fetches; in between the process slept\n",
               loop->wakeups, crawl.started);
    fetch_site_free(&loop->site);
    free(loop);
    return fetch_finish(&crawl);
}
