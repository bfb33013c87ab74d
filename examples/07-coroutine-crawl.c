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
 *     order; each AWAIT_* line sits where 03 would block;
 *   - -v: "task N waits for fd F to become readable" and then other tasks run;
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
#include "gen.h"
#include "http.h"
#include "net.h"
#include "sched.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static const char ABOUT[] =
    "07-coroutine-crawl: crawl a site with up to -c worker tasks in one thread. The fetch is\n"
    "one generator function that reads like the blocking fetch of 03 but yields to a poll()\n"
    "event loop wherever 03 would block; the loop resumes it when its socket is ready.\n"
    "\n"
    "example: make run-07 ARGS=\"--timeline\"   or   07-coroutine-crawl -c 2 -n 4 -v URL";

/* The FRAME of the fetch generator. In 03 these were fetch_page's local variables; here
 * the function returns at every wait, so whatever must outlive a wait lives in this struct
 * (gen.h, rule 1). It is the C counterpart of a suspended Python coroutine's frame. */
struct fetch {
    struct gen gen;    /* where fetch_page continues when it is resumed */
    struct task *task; /* the worker task it runs in: its waits are filed there */
    struct crawl *crawl;
    int worker; /* the worker's number, for -v */
    struct url url;
    int id, fd;
    char why[NET_WHY_MAX]; /* why it failed */
    char request[URL_TEXT_MAX + 256];
    size_t request_len, sent;
    struct http_response response;
    enum http_result result;
    double t_start, t_connected, t_first_byte;
    int recv_calls, waits;
};

/* -v: one line per step of a fetch, naming the task and the URL. */
__attribute__((format(printf, 2, 3))) static void narrate(const struct fetch *f, const char *fmt,
                                                          ...)
{
    if (!f->crawl->opt.verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("%8.3fs  task %-3d ", clock_elapsed(), f->worker);
    vprintf(fmt, ap);
    printf("  %s\n", crawl_url_text(f->crawl, f->id));
    va_end(ap);
}

/* Just before a wait: count it, and with -v say what the task is about to wait for. */
static void before_wait(struct fetch *f, const char *event, const char *reason)
{
    f->waits++;
    narrate(f, "waits for fd %d to become %s (%s)", f->fd, event, reason);
}

/* Just after a wait: did it end because -t seconds passed with the socket still not ready? */
static bool timed_out(struct fetch *f, const char *doing)
{
    if (f->task->woke != TASK_WOKE_TIMEOUT)
        return false;
    snprintf(f->why, sizeof f->why, "timed out: no progress for %g s while %s",
             f->crawl->opt.timeout_s, doing);
    return true;
}

/* Fetch one page: 03's fetch_page as a generator. Each AWAIT_* line is a place where 03
 * blocks; here the function returns to the event loop there and is resumed right after it
 * when the socket is ready (or -t seconds have passed: timed_out() tells). */
static int fetch_page(struct fetch *f)
{
    struct crawl *crawl = f->crawl;
    double timeout_ms = crawl->opt.timeout_s * 1000;
    char buffer[16384]; /* locals: used between two waits only, never across one */
    ssize_t n;
    int err, length;
    char cause[128];
    GEN_BEGIN(f); /* the worker has taken f->url and called crawl_begin (f->id) */
    http_response_init(&f->response, 0, 0);

    /* 1. connect: start the handshake; 03 blocks here until it is done. */
    f->t_start = clock_now();
    f->fd = net_connect_start(f->url.host, f->url.port, f->why, sizeof f->why);
    if (f->fd < 0)
        goto finish;
    before_wait(f, "writable", "connect in progress");
    AWAIT_WRITABLE(f, f->task, f->fd, timeout_ms);
    if (timed_out(f, "connecting"))
        goto finish;
    err = net_connect_result(f->fd);
    if (err != 0) {
        net_describe_failure("connect", f->url.host, f->url.port, err, f->why, sizeof f->why);
        goto finish;
    }
    f->t_connected = clock_now();
    narrate(f, "connected, fd %d, in %.1f ms", f->fd, (f->t_connected - f->t_start) * 1000);

    /* 2. send the request; 03 blocks here if the kernel has no room for it (rare). */
    length = http_format_request(&f->url, f->request, sizeof f->request);
    if (length < 0) {
        snprintf(f->why, sizeof f->why, "send: request too long");
        goto finish;
    }
    f->request_len = (size_t)length;
    while (f->sent < f->request_len) {
        n = send(f->fd, f->request + f->sent, f->request_len - f->sent, 0);
        if (n > 0) {
            f->sent += (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            snprintf(f->why, sizeof f->why, "send: %s", errno_describe(errno, cause, sizeof cause));
            goto finish;
        }
        before_wait(f, "writable", "room for the request");
        AWAIT_WRITABLE(f, f->task, f->fd, timeout_ms);
        if (timed_out(f, "sending"))
            goto finish;
    }

    /* 3. recv until the response is complete or the server closes. Where 03 sleeps inside
     *    recv, the socket here says "would block" and the task yields instead. */
    f->result = HTTP_MORE;
    while (f->result == HTTP_MORE) {
        n = recv(f->fd, buffer, sizeof buffer, 0);
        f->recv_calls++;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            before_wait(f, "readable", f->t_first_byte == 0 ? "the answer" : "more of it");
            AWAIT_READABLE(f, f->task, f->fd, timeout_ms);
            if (timed_out(f, "receiving"))
                goto finish;
            continue;
        }
        if (n < 0) {
            snprintf(f->why, sizeof f->why, "recv: %s", errno_describe(errno, cause, sizeof cause));
            goto finish;
        }
        if (f->t_first_byte == 0)
            f->t_first_byte = clock_now();
        if (n == 0)
            f->result = http_response_finish(&f->response);
        else
            f->result = http_response_feed(&f->response, buffer, (size_t)n);
        if (f->result == HTTP_ERROR)
            snprintf(f->why, sizeof f->why, "%s", f->response.error);
    }

finish:
    /* 4. report: crawl_done also queues the page's new links for the workers. */
    if (f->fd >= 0)
        close(f->fd);
    if (f->result == HTTP_DONE) {
        double t_end = clock_now();
        char note[160];
        snprintf(note, sizeof note,
                 "connect %.1f ms, wait %.1f ms, read %.1f ms, %d recv, %d waits",
                 (f->t_connected - f->t_start) * 1000, (f->t_first_byte - f->t_connected) * 1000,
                 (t_end - f->t_first_byte) * 1000, f->recv_calls, f->waits);
        narrate(f, "response complete, fd %d closed", f->fd);
        crawl_done(crawl, f->id, &f->response, note);
    } else {
        narrate(f, "failed: %s", f->why);
        crawl_failed(crawl, f->id, f->why);
    }
    http_response_free(&f->response);
    GEN_END(f);
}

/* ---- the workers ------------------------------------------------------------------------
 *
 * Termination rule: a worker takes URLs from the frontier until it finds it empty, then
 * ends; the crawl is over when no worker is left (sched_run returns). Nobody waits idle and
 * nothing spins: the frontier only grows when a fetch finishes, and the worker that ran
 * that fetch is alive at that moment: it takes the next URL itself and hires new workers
 * for the rest, up to -c at once. So a URL is never left in the queue with no worker to
 * take it, and a worker never polls an empty queue. */

struct pool {
    struct crawl *crawl;
    struct sched loop;
    int working; /* workers alive now: never more than -c */
    int hired;   /* workers ever started; a worker's number */
};

/* A worker task: "while url := take(): await fetch(url)". */
struct worker {
    struct task task; /* first member: the scheduler's handle on this struct */
    struct pool *pool;
    int number;
    struct fetch fetch; /* the frame of the fetch it is awaiting */
};
_Static_assert(offsetof(struct worker, task) == 0, "a task is its owner's first member");

/* Set up a fresh fetch frame for url (a zeroed gen: it starts from the top). The fetch
 * counts as begun now, when its URL is taken, not when the loop first runs it: -n limits
 * the fetches begun, and hire_workers() takes several URLs in one go. */
static void prepare_fetch(struct worker *w, const struct url *url)
{
    w->fetch = (struct fetch){.task = &w->task, .crawl = w->pool->crawl, .worker = w->number};
    w->fetch.url = *url;
    w->fetch.fd = -1;
    w->fetch.id = crawl_begin(w->pool->crawl, url);
}

static int worker_run(struct task *t);
static void worker_done(struct task *t);

/* Start workers, each with a URL of its own, while the frontier has URLs and fewer than
 * -c workers are alive. */
static void hire_workers(struct pool *pool)
{
    struct url url;
    while (pool->working < pool->crawl->opt.concurrency && crawl_next(pool->crawl, &url)) {
        struct worker *w = calloc(1, sizeof *w);
        if (w == NULL)
            die("out of memory for a worker");
        w->pool = pool;
        w->number = ++pool->hired;
        pool->working++;
        prepare_fetch(w, &url);
        sched_spawn(&pool->loop, &w->task, worker_run, worker_done);
    }
}

static int worker_run(struct task *t)
{
    struct worker *w = (struct worker *)t;
    struct url next; /* a local: used before the next wait only */
    GEN_BEGIN(t);
    for (;;) {
        GEN_AWAIT(t, fetch_page(&w->fetch)); /* "await fetch(url)": its waits are ours */
        if (!crawl_next(w->pool->crawl, &next))
            break; /* the frontier is empty (or -n reached): this worker's job is over */
        prepare_fetch(w, &next);
        hire_workers(w->pool); /* the fetch may have queued more URLs than one worker takes */
    }
    if (w->pool->crawl->opt.verbose)
        printf("%8.3fs  task %-3d has no URL left to take and ends\n", clock_elapsed(), w->number);
    GEN_END(t);
}

/* The loop has finished with the worker: release it. */
static void worker_done(struct task *t)
{
    struct worker *w = (struct worker *)t;
    w->pool->working--;
    free(w);
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    struct crawl_options options;
    crawl_default_options(&options);
    crawl_parse_options(argc, argv, &options, ABOUT, NULL);

    struct crawl crawl;
    crawl_init(&crawl, &options);
    struct pool pool = {.crawl = &crawl};
    sched_init(&pool.loop);
    if (!options.quiet)
        printf("crawling %s with up to %d worker tasks: generators on one poll() loop, one "
               "thread\n",
               options.start_url, options.concurrency);

    hire_workers(&pool); /* one worker, for the start URL; it hires the others */
    sched_run(&pool.loop);

    if (!options.quiet)
        printf("%d worker tasks (%zu bytes each: the task and its fetch frame) fetched %d "
               "URLs;\nthe loop made %lu task switches and %lu poll() calls, and slept in "
               "between\n",
               pool.hired, sizeof(struct worker), crawl.started, pool.loop.resumes,
               pool.loop.polls);
    return crawl_finish(&crawl);
}
