/* 07-coroutine-crawl — the crawl as generator coroutines: reads like 03, runs like 05
 *
 * What it shows
 *   05 made the crawl concurrent by chopping each fetch into callbacks, one per state. Here
 *   the fetch is ONE function again, written top to bottom like 03's fetch_page: connect,
 *   send the request, receive until the response is complete, report. The only change is
 *   at the three places where 03 blocks: instead of sleeping inside connect() or recv(),
 *   the function YIELDS to the event loop of common/sched.c, saying which descriptor it
 *   waits for. The loop runs the other tasks meanwhile and resumes this one, on the next
 *   line, when poll() says the descriptor is ready. That is what `await` is in asyncio.
 *   The steps themselves (connect, send, recv: common/fetch.c) are the very ones 03
 *   calls, on a non-blocking socket.
 *
 *   Up to -c worker tasks share the frontier, as in the 500 Lines crawler: each one takes
 *   a URL, awaits the fetch (GEN_AWAIT, the C counterpart of `yield from` / `await`),
 *   and takes the next. The fetch's local variables live in a struct, its frame (gen.h):
 *   that struct is all the state a fetch needs between two resumes.
 *
 * How to run
 *   make run-07                          default lab site, 10 worker tasks
 *   make run-07 ARGS="--timeline"        overlapping bars, like 05
 *   make run-07 ARGS="-c 2 -n 4 -v"      every wait of every task, with its descriptor
 *
 * What to look for
 *   - wall and cpu% like 05: a few DELAYs, and a process that sleeps in poll();
 *   - in the source, fetch_page next to 03's fetch_page: the same steps in the same
 *     order; each AWAIT_* line sits where 03 would block
 *     (`diff examples/03-blocking-fetch.c examples/07-coroutine-crawl.c`);
 *   - -v: "task 3  fd 7  recv(): would block, wait for readable": task 3 yields there and
 *     the other tasks run;
 *   - the last narration line: task switches (resumes) and poll() calls. A few resumes
 *     per fetch, one poll() per batch of ready sockets.
 *
 * Lecture claims 11 (an event loop is a queue of ready work plus a loop; a task runs until
 * it would wait, then yields), 12 (coroutines are functions that can be suspended and
 * resumed; the switch is explicit) and 8 (the loop sleeps in poll() until a descriptor is
 * ready: concurrency at ~0% CPU).
 *
 * Lab server: --pages 30 --delay 100
 */
#include "clock.h"
#include "crawl.h"
#include "errors.h"
#include "crawler.h"
#include "fetch.h"
#include "gen.h"
#include "sched.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* The FRAME of the fetch generator. In 03 the fetch's state was fetch_page's local
 * variables; here the function returns at every wait, so whatever must outlive a wait
 * lives in this struct (gen.h, rule 1): the C counterpart of a suspended coroutine's frame. */
struct frame {
    struct gen gen;    /* where fetch_page continues when it is resumed */
    struct task *task; /* the worker task it runs in: its waits are filed there */
    struct crawl *crawl;
    struct fetch f; /* the shared fetch record: URL, descriptor, request, parser, times */
    enum fetch_status status;
};

/* Fetch one page: 03's fetch_page as a generator. Each AWAIT_* line is a place where 03
 * blocks; here the function returns to the event loop there and is resumed right after it
 * when the socket is ready, or when the -t deadline has passed (the step then says
 * FETCH_TIMED_OUT). */
static int fetch_page(struct frame *fr)
{
    struct fetch *f = &fr->f;
    GEN_BEGIN(fr); /* the worker has called fetch_begin: socket() and crawl_begin */

    /* 1. connect(): 03 sleeps inside it until the handshake is done. */
    fr->status = fetch_connect(f);
    while (fr->status == FETCH_WANT_WRITE) {
        AWAIT_WRITABLE(fr, fr->task, f->fd, fetch_time_left_ms(f));
        fr->status = fetch_connect_result(f);
    }

    /* 2. send() the request: 03 sleeps inside it if the kernel has no room (rare). */
    if (fr->status == FETCH_DONE)
        fr->status = fetch_send(f);
    while (fr->status == FETCH_WANT_WRITE) {
        AWAIT_WRITABLE(fr, fr->task, f->fd, fetch_time_left_ms(f));
        fr->status = fetch_send(f);
    }

    /* 3. recv() until the response is complete or the server closes. Where 03 sleeps
     *    inside recv, the socket here says "would block" and the task yields instead. */
    if (fr->status == FETCH_DONE)
        fr->status = fetch_recv(f);
    while (fr->status == FETCH_WANT_READ) {
        AWAIT_READABLE(fr, fr->task, f->fd, fetch_time_left_ms(f));
        fr->status = fetch_recv(f);
    }

    /* 4. report: the page's links go to the frontier, for the workers. */
    char note[128];
    fetch_report(fr->crawl, f, fetch_timing_note(f, note, sizeof note));
    GEN_END(fr);
}

/* ---- the workers ------------------------------------------------------------------------
 *
 * Termination rule: a worker takes URLs from the frontier until it finds it empty, then
 * ends; the crawl is over when no worker is left (sched_run returns). Nobody waits idle and
 * nothing spins: the frontier only grows when a fetch finishes, and the worker that ran
 * that fetch is alive at that moment: it takes the next URL itself and hires new workers
 * for the rest, up to -c at once. So a URL is never left in the queue with no worker to
 * take it, and a worker never polls an empty queue. The one exception: a worker that gets
 * no descriptor (EMFILE) while others fetch puts its URL back and waits (AWAIT_NOTICE)
 * until a fetch ends and frees one. */

struct pool {
    struct crawl *crawl;
    struct fetch_site site;
    struct sched loop;
    int working; /* workers alive now: never more than -c */
    int hired;   /* workers ever started; a worker's number */
};

enum take { TAKEN, NOTHING_LEFT, PUT_BACK };

/* A worker task: "while url := take(): await fetch(url)". */
struct worker {
    struct task task; /* first member: the scheduler's handle on this struct */
    struct pool *pool;
    int number;
    enum take took;
    struct frame frame; /* the frame of the fetch it is awaiting */
};
_Static_assert(offsetof(struct worker, task) == 0, "a task is its owner's first member");

static enum take take_url(struct worker *w);
static void hire_workers(struct pool *pool);

static int worker_run(struct task *t)
{
    struct worker *w = (struct worker *)t;
    GEN_BEGIN(t);
    do {
        GEN_AWAIT(t, fetch_page(&w->frame)); /* "await fetch(url)": its waits are ours */
        sched_notify(&w->pool->loop);        /* a fetch ended: a descriptor is free */
        while ((w->took = take_url(w)) == PUT_BACK)
            AWAIT_NOTICE(t, t); /* no descriptor while others fetch: wait for one to end */
        hire_workers(w->pool);  /* the fetch may have queued more URLs than one worker takes */
    } while (w->took == TAKEN);
    if (w->pool->crawl->opt.verbose)
        printf("%8.3fs  task %d  has no URL left to take and ends\n", clock_elapsed(), w->number);
    GEN_END(t);
}

/* Take the next URL and begin its fetch in a fresh frame (a zeroed gen: it starts from the
 * top). The fetch counts as begun now, when its URL is taken, not when the loop first runs
 * it: -n limits the fetches begun, and hire_workers() takes several URLs in one go. */
static enum take take_url(struct worker *w)
{
    struct crawl *crawl = w->pool->crawl;
    struct url url;
    if (fetch_interrupted() != 0 || !crawl_next(crawl, &url))
        return NOTHING_LEFT;
    char who[FETCH_WHO_MAX];
    snprintf(who, sizeof who, "task %d", w->number);
    w->frame = (struct frame){.task = &w->task, .crawl = crawl};
    fetch_init(&w->frame.f, &w->pool->site, &url, &crawl->opt, false, who);
    return fetch_begin(&w->frame.f, crawl, INT_MAX) == FETCH_BEGUN ? TAKEN : PUT_BACK;
}

static void worker_done(struct task *t);

/* Start workers, each with a URL of its own, while the frontier has URLs and fewer than
 * -c workers are alive. */
static void hire_workers(struct pool *pool)
{
    while (pool->working < pool->crawl->opt.concurrency) {
        struct worker *w = calloc(1, sizeof *w);
        if (w == NULL)
            die("out of memory for a worker");
        w->pool = pool;
        w->number = pool->hired + 1;
        if (take_url(w) != TAKEN) {
            free(w);
            return;
        }
        pool->hired++;
        pool->working++;
        sched_spawn(&pool->loop, &w->task, worker_run, worker_done);
    }
}

/* The loop has finished with the worker: release it. */
static void worker_done(struct task *t)
{
    struct worker *w = (struct worker *)t;
    w->pool->working--;
    free(w);
}

/* ---- options and the report ------------------------------------------------------------- */

static const char ABOUT[] =
    "07-coroutine-crawl: crawl a site with up to -c worker tasks in one thread. The fetch is\n"
    "one generator function that reads like the blocking fetch of 03 but yields to a poll()\n"
    "event loop wherever 03 would block; the loop resumes it when its socket is ready.\n"
    "\n"
    "example: make run-07 ARGS=\"--timeline\"   or   07-coroutine-crawl -c 2 -n 4 -v URL";

static const struct crawl_program PROGRAM = {.about = ABOUT};

int main(int argc, char **argv)
{
    struct crawl crawl;
    struct pool pool = {.crawl = &crawl};
    crawl_setup(&PROGRAM, argc, argv, &crawl, &pool.site);
    struct crawl_options options = crawl.opt;
    sched_init(&pool.loop);
    if (!options.quiet)
        printf("crawling %s\nwith up to %d worker tasks: generators on one poll() loop, one "
               "thread\n",
               options.start_url, options.concurrency);

    hire_workers(&pool); /* one worker, for the start URL; it hires the others */
    sched_run(&pool.loop);

    if (!options.quiet)
        printf("%d worker tasks (%zu bytes each, fetch frame included) fetched %d URLs;\n"
               "the loop made %lu task switches and %lu poll() calls, and slept in between\n",
               pool.hired, sizeof(struct worker), crawl.started, pool.loop.resumes,
               pool.loop.polls);
    fetch_site_free(&pool.site);
    return fetch_finish(&crawl);
}
