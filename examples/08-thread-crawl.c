/* 08-thread-crawl — the crawl with a pool of threads: concurrent, but a stack per fetch in flight
 *
 * What it shows
 *   The other way to wait for many pages at once: keep 03's blocking fetch exactly as it
 *   is (fetch_blocking: the same connect, send and recv steps of common/fetch.c, in the same
 *   order, on a blocking socket) and run -c of them side by side, one per thread. While one thread
 * sleeps in recv(), the kernel runs another. The threads share one frontier (the queue of URLs and
 * the set of URLs seen), so every touch of it happens under one mutex; a thread that finds the
 * queue empty sleeps on a condition variable until another thread's fetch adds links or the crawl
 * is over. The fetch itself runs outside the lock: holding the lock while waiting for the network
 * would make the crawl sequential again.
 *
 * How to run
 *   make run-08                          default lab site, 10 threads
 *   make run-08 ARGS="--timeline"        overlapping bars, like 05's
 *   make run-08 ARGS="-c 3 -v"           which thread takes what, sleeps, and exits when
 *   make run-08 PAGES=2000 ARGS="-c 1000"  what 1000 threads reserve and use
 *   make SAN=thread run-08               ThreadSanitizer finds no race in the pool
 *
 * What to look for
 *   - wall is a few delays, like 05, and each line says which thread fetched the page;
 *   - peak= is at most -c: a fetch in flight is a thread blocked in the kernel;
 *   - the memory line: every thread reserves a whole default stack (8 MiB here) of address
 *     space, of which it touches a few pages; 05 and 07 pay a small struct per fetch instead.
 *
 * Lecture claims 3 (threads share the process's memory and are cheaper than processes) and
 * 5 (more threads than cores still help when the threads mostly wait: they only take turns).
 *
 * Lab server: --pages 30 --delay 100
 */
#include "clock.h"
#include "crawl.h"
#include "errors.h"
#include "crawler.h"
#include "fetch.h"
#include "format.h"
#include "interrupt.h"
#include "threads.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Everything the threads share. Every field of crawl, and the counters here, are read and
 * written only with lock held. */
struct pool {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* broadcast when a fetch ends or the crawl is interrupted */
    struct crawl crawl;
    struct fetch_site site; /* the host, resolved once for every thread */
    int sleeps;             /* how many times a thread found nothing to do and slept */
    int exits[2];           /* a pipe: each thread writes a byte when it ends (see main) */
};

struct worker {
    struct pool *pool;
    int number; /* 1..-c, for the per-fetch notes */
    pthread_t thread;
};

static void lock(struct pool *p);
static void unlock(struct pool *p);
static void sleep_until_changed(struct worker *w, const char *why);
static void broadcast(struct pool *p);
static void narrate(const struct worker *w, const char *what, const char *path);

/* One thread of the pool: take a URL, run 03's fetch with the lock released, report.
 *
 * The termination rule: the crawl is over when the queue is empty (or -n fetches have
 * started) AND no fetch is in flight. An empty queue alone is not enough: a fetch still
 * running may find new links. So a thread that finds nothing to take while others are
 * fetching sleeps on `changed`, which is broadcast whenever a fetch ends (it may have queued
 * links, freed a descriptor, or been the last one). A thread that gets no descriptor
 * (EMFILE) while others fetch puts its URL back and sleeps the same way. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pool *p = w->pool;
    struct crawl *crawl = &p->crawl;
    struct fetch f;
    char who[FETCH_WHO_MAX], note[32];
    snprintf(who, sizeof who, "thread %d", w->number);
    snprintf(note, sizeof note, "thread %d", w->number);
    lock(p);
    while (!fetch_interrupted()) {
        struct url url;
        if (crawl_next(crawl, &url)) {
            fetch_init(&f, &p->site, &url, &crawl->opt, true, who);
            if (fetch_begin(&f, crawl, INT_MAX) == FETCH_PUT_BACK) {
                sleep_until_changed(w, "no descriptor free, others fetching: sleeping");
                continue;
            }
            narrate(w, "takes ", f.url.path);
            unlock(p);
            fetch_blocking(&f); /* connect, send, recv: the thread sleeps in each */
            lock(p);
            fetch_report(crawl, &f, note); /* queues the page's links: needs the lock */
            broadcast(p);
            continue;
        }
        if (crawl->in_flight == 0)
            break; /* the termination rule holds */
        sleep_until_changed(w, "nothing to take, others still fetching: sleeping");
    }
    narrate(w,
            fetch_interrupted() ? "interrupted: exiting"
                                : "nothing to take and nothing in flight: exiting",
            "");
    unlock(p);
    if (write(p->exits[1], "x", 1) != 1)
        die_errno("write (thread %d exits)", w->number);
    return NULL;
}

/* Main waits for the threads to end, in read() on the pipe they write to as they exit: a
 * signal interrupts that read (EINTR), where pthread_join would not notice it. Then it
 * wakes the sleepers and interrupts each thread (interrupt_thread: SIGUSR1, never a second SIGINT),
 * so that one blocked in recv() returns at once with EINTR instead of at its -t deadline. */
static void wait_for_threads(struct pool *pool, struct worker *workers, int count)
{
    bool interrupting = false;
    for (int alive = count; alive > 0;) {
        char byte;
        ssize_t n = read(pool->exits[0], &byte, 1);
        if (n == 1)
            alive--;
        else if (n < 0 && errno != EINTR)
            die_errno("read (threads' exits)");
        if (fetch_interrupted() != 0 && !interrupting) {
            interrupting = true;
            lock(pool);
            broadcast(pool);
            unlock(pool);
            for (int i = 0; i < count; i++)
                interrupt_thread(workers[i].thread); /* ESRCH if gone */
        }
    }
    for (int i = 0; i < count; i++) {
        int err = pthread_join(workers[i].thread, NULL);
        if (err != 0)
            die_pthread(err, "pthread_join");
    }
}

/* ---- the pool's plumbing ------------------------------------------------------------------ */

static const char ABOUT[] =
    "08-thread-crawl: crawl a site with a pool of -c threads, each doing the blocking fetch\n"
    "of 03. The threads share the frontier under one mutex and sleep on a condition variable\n"
    "while there is nothing to fetch. At the end: what the threads' stacks reserve and what\n"
    "the process really used.\n"
    "\n"
    "example: make run-08 ARGS=\"-c 5 --timeline\"   or   08-thread-crawl -c 20 -v URL";

static void lock(struct pool *p)
{
    int err = pthread_mutex_lock(&p->lock);
    if (err != 0)
        die_pthread(err, "pthread_mutex_lock");
}

static void unlock(struct pool *p)
{
    int err = pthread_mutex_unlock(&p->lock);
    if (err != 0)
        die_pthread(err, "pthread_mutex_unlock");
}

static void broadcast(struct pool *p)
{
    int err = pthread_cond_broadcast(&p->changed);
    if (err != 0)
        die_pthread(err, "pthread_cond_broadcast");
}

/* Called with the lock held. pthread_cond_wait releases it while asleep and takes it back
 * before returning; it may also return for no reason (a spurious wake-up): the caller's
 * loop checks again either way. */
static void sleep_until_changed(struct worker *w, const char *why)
{
    narrate(w, why, "");
    w->pool->sleeps++;
    int err = pthread_cond_wait(&w->pool->changed, &w->pool->lock);
    if (err != 0)
        die_pthread(err, "pthread_cond_wait");
}

/* With -v: what a thread does with the pool, one line (called with the lock held). */
static void narrate(const struct worker *w, const char *what, const char *path)
{
    if (w->pool->crawl.opt.verbose)
        printf("%8.3fs  thread %d  %s%s\n", clock_elapsed(), w->number, what, path);
}

/* The crawl's setup (crawler.h), then the pool that shares it: the lock, the condition
 * variable, and the pipe the threads report their exits on. */
static struct pool *new_pool(int argc, char **argv)
{
    /* --stack KIB is taken out of argv before (take_stack_option); this entry lists it in
     * --help, and never matches. */
    static bool stack_listed;
    static const struct crawl_flag flags[] = {
        {"--stack KIB", &stack_listed, "each thread's stack, in KiB (default: the system's)"},
        {NULL, NULL, NULL}};
    static const struct crawl_program program = {.about = ABOUT, .flags = flags};
    struct crawl crawl;
    struct fetch_site site;
    crawl_setup(&program, argc, argv, &crawl, &site);
    struct pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        die("out of memory");
    pool->crawl = crawl; /* the pool's from now on: the threads share it under the lock */
    pool->site = site;
    if (pipe(pool->exits) != 0)
        die_errno("pipe");
    int err = pthread_mutex_init(&pool->lock, NULL);
    if (err != 0)
        die_pthread(err, "pthread_mutex_init");
    err = pthread_cond_init(&pool->changed, NULL);
    if (err != 0)
        die_pthread(err, "pthread_cond_init");
    return pool;
}

static void free_pool(struct pool *pool)
{
    int err = pthread_cond_destroy(&pool->changed);
    if (err != 0)
        die_pthread(err, "pthread_cond_destroy");
    err = pthread_mutex_destroy(&pool->lock);
    if (err != 0)
        die_pthread(err, "pthread_mutex_destroy");
    close(pool->exits[0]);
    close(pool->exits[1]);
    fetch_site_free(&pool->site);
    free(pool);
}

#define USAGE                                                                                      \
    "[-c CONCURRENCY] [-n MAX_PAGES] [-t TIMEOUT_SECONDS] [--timeline] [--svg FILE] [-q] [-v] "    \
    "[--stack KIB] [URL]"

/* --stack KIB: the least stack a worker can run in. Its deepest path is fetch_recv() (a
 * FETCH_RECV_SIZE buffer) called from worker_main() (a struct fetch), on top of what the C
 * library itself asks of every thread; printf and getaddrinfo need some room too. Below
 * this a thread overruns its stack: a segfault, with no message. */
static long min_stack_kib(void)
{
    enum { LIBC_ROOM = 16 * 1024 };
    size_t bytes = (size_t)PTHREAD_STACK_MIN + FETCH_RECV_SIZE + sizeof(struct fetch) + LIBC_ROOM;
    return (long)((bytes + 1023) / 1024);
}

/* Take --stack KIB out of argv (the crawl's own options parse the rest) and return the
 * stack size in bytes; 0 when not given (the default stack). Too small: usage error, 2. */
static size_t take_stack_option(int *argc, char **argv)
{
    size_t bytes = 0;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--stack") != 0)
            continue;
        long kib =
            parse_whole_or_die(USAGE, "--stack", i + 1 < *argc ? argv[i + 1] : NULL, 1, 1048576);
        if (kib < min_stack_kib())
            die_usage(USAGE, "--stack %ld: below the %ld KiB a worker needs", kib, min_stack_kib());
        bytes = (size_t)kib * 1024;
        int used = i + 1 < *argc ? 2 : 1;
        memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used + 1) * sizeof *argv);
        *argc -= used;
        i--;
    }
    return bytes;
}

/* Start the pool with the default thread attributes (or a stack of stack_size bytes, if not
 * 0), and return the stack size they give each thread: address space reserved whole,
 * however little of it a thread touches. */
static size_t start_threads(struct worker *workers, int count, struct pool *pool, size_t stack_size)
{
    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (err != 0)
        die_pthread(err, "pthread_attr_init");
    if (stack_size != 0 && (err = pthread_attr_setstacksize(&attr, stack_size)) != 0)
        die_pthread(err, "pthread_attr_setstacksize (%zu bytes)", stack_size);
    for (int i = 0; i < count; i++) {
        workers[i] = (struct worker){.pool = pool, .number = i + 1};
        err = pthread_create(&workers[i].thread, &attr, worker_main, &workers[i]);
        if (err != 0)
            die_pthread(err, "pthread_create (thread %d of %d)", i + 1, count);
    }
    pthread_attr_destroy(&attr);
    return stack_size != 0 ? stack_size : thread_default_stack_size();
}

/* "8 MiB", "8000 MiB" for whole MiB (the default stack and its multiples), else "64.0 KiB",
 * "62.5 MiB". */
static const char *stack_bytes(char *out, size_t size, double bytes)
{
    if ((size_t)bytes % (1024 * 1024) == 0)
        snprintf(out, size, "%.0f MiB", bytes / (1024.0 * 1024.0));
    else
        format_bytes(out, size, bytes);
    return out;
}

static void report_memory(int threads, size_t stack_size, bool chosen, double rss_before)
{
    double rss = clock_peak_rss_mib(), grown = rss - rss_before;
    char each[32], all[32];
    printf("memory: %d threads x %s %s = %s of address space reserved\n"
           "        measured peak RSS %.1f MiB, %.1f MiB more than before the threads,\n"
           "        %.0f KiB per thread (the crawl's own data included). Each stack is\n"
           "        reserved whole; only the pages a thread touches become memory\n",
           threads, stack_bytes(each, sizeof each, (double)stack_size),
           chosen ? "stack" : "default stack",
           stack_bytes(all, sizeof all, (double)stack_size * threads), rss, grown,
           grown * 1024 / threads);
}

int main(int argc, char **argv)
{
    prog_start(argv[0]); /* for --stack's usage error; crawl_setup starts it again */
    size_t stack_option = take_stack_option(&argc, argv);
    struct pool *pool = new_pool(argc, argv);
    struct crawl_options options = pool->crawl.opt;
    struct worker *workers = calloc((size_t)options.concurrency, sizeof *workers);
    if (workers == NULL)
        die("out of memory");
    if (!options.quiet)
        printf("crawling %s\nwith a pool of %d threads, each fetching with blocking calls\n",
               options.start_url, options.concurrency);

    double rss_before = clock_peak_rss_mib();
    size_t stack_size = start_threads(workers, options.concurrency, pool, stack_option);
    wait_for_threads(pool, workers, options.concurrency);

    /* Every thread has been joined: the pool is ours alone again, no lock needed. */
    if (!options.quiet)
        printf("%d threads fetched %d URLs\n"
               "threads found nothing to take and slept %d times\n",
               options.concurrency, pool->crawl.started, pool->sleeps);
    /* What the threads cost is this example's point: -q drops the fetch lines, not this. */
    report_memory(options.concurrency, stack_size, stack_option != 0, rss_before);
    int status = fetch_finish(&pool->crawl);
    free_pool(pool);
    free(workers);
    return status;
}
