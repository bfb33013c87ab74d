/* 06-generator-loop — stackless generators and the event loop they run on, step by step
 *
 * What it demonstrates: what asyncio is, built from the bottom in C on one thread. First
 * comes the event loop itself (loop_run: a queue of ready tasks, ONE poll(), resume); then
 *   part 1  a generator: a function that returns in the middle and later continues from
 *           there (gen.h), yielding values to its caller; then `yield from` a child.
 *   part 2  three tasks that only yield turns: the loop's queue runs them round-robin.
 *   part 3  three tasks sleeping on timers: one poll() sleeps until the nearest timer;
 *           wall time is the longest task, not the sum.
 *   part 4  a producer and a consumer task joined by a non-blocking pipe: each waits for
 *           its end to become writable / readable; every byte arrives.
 *   part 5  two tasks ticking every 50 ms; with --hog a third computes for 300 ms without
 *           yielding and every tick is late by about that much. Then the same timer and
 *           hog as two threads on one CPU: the kernel preempts the hog, the timer is on time.
 * A full run ends with a recap, the line to look at in each part, then the summary.
 *
 * Run it:  make run-06            (all parts)
 *          make run-06 ARGS="--part 5 --hog"
 * Look for: the resume point (a line number) saved at each yield in part 1; the A B C
 * interleaving in part 2; timestamps in part 3 that end at the longest task; "match" in
 * part 4; in part 5 the lateness of each tick, and the line "cooperative: ... preemptive
 * threads: ..." that puts the two side by side.
 *
 * Lecture claims: 11 (an event loop is a queue of ready work plus a loop; a task runs
 * until it would wait), 12 (generators are functions that can be suspended and resumed),
 * 13 (cooperative switching is far cheaper than a thread or process switch: a resume is a
 * call into a frame of a few bytes; 10 times it), 14 (one CPU-bound task stalls every other
 * task), 15 (all of it interleaves on one core).
 * Lecture topic (not a numbered claim): preemptive vs cooperative multitasking (part 5).
 */
#include "affinity.h"
#include "clock.h"
#include "errors.h"
#include "gen.h"
#include "net.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- the event loop ------------------------------------------------------------------------
 * A task is a generator (gen.h; part 1 shows one alone) that files what it waits for just
 * before it yields: a turn, a timer, or a descriptor with a deadline. common/sched.c is this
 * loop grown for 07's crawl (any number of tasks, notices, signals): the two repeat each
 * other's shape on purpose, to be read side by side, and sched.c's header says what grew. */

enum want { WANT_TURN, WANT_SLEEP, WANT_READ, WANT_WRITE };

struct task {
    struct gen gen;            /* resume point: a task IS a generator */
    int (*run)(struct task *); /* its body: GEN_MORE (it waits) or GEN_DONE (finished) */
    enum want want;            /* what it waits for, */
    int fd;                    /* on which descriptor, */
    double deadline;           /* until when (clock_now() seconds; INFINITY: no limit) */
    bool timed_out;            /* woken by the clock, not by its descriptor */
};

enum { LOOP_MAX = 8 }; /* tasks at most (06 runs three at once) */

struct loop {
    struct task *ready[LOOP_MAX]; /* the queue of ready tasks: a ring, first in first out */
    size_t first, nready;
    struct task *waiting[LOOP_MAX]; /* the others, nearest deadline first */
    size_t nwaiting;
    unsigned long spawned, resumes, polls;
    double longest_run_ms; /* the longest a task ran between two yields */
};

static void make_ready(struct loop *l, struct task *t)
{
    l->ready[(l->first + l->nready++) % LOOP_MAX] = t;
}

/* asyncio.create_task(): the owner's struct is set up; its task (first member) is ours. */
static void spawn(struct loop *l, struct task *t, int (*run)(struct task *))
{
    if (l->nready + l->nwaiting == LOOP_MAX)
        die("loop: more than %d tasks", LOOP_MAX);
    *t = (struct task){.run = run, .fd = -1};
    l->spawned++;
    make_ready(l, t);
}

/* File a wait (ms < 0: no deadline); the AWAIT_* lines call it just before they yield. */
static void wait_for(struct task *t, enum want what, int fd, double ms)
{
    t->want = what;
    t->fd = fd;
    t->deadline = ms < 0 ? INFINITY : clock_now() + ms / 1000.0;
}
#define AWAIT(t, what, fd, ms)                                                                     \
    do {                                                                                           \
        wait_for(t, what, fd, ms);                                                                 \
        GEN_YIELD(t);                                                                              \
    } while (0)
#define AWAIT_SLEEP(t, ms)        AWAIT(t, WANT_SLEEP, -1, ms) /* asyncio.sleep(s) */
#define AWAIT_READABLE(t, fd, ms) AWAIT(t, WANT_READ, fd, ms)
#define AWAIT_WRITABLE(t, fd, ms) AWAIT(t, WANT_WRITE, fd, ms)
#define AWAIT_TURN(t)             GEN_YIELD(t) /* asyncio.sleep(0): the others run once */

/* Run t until its next yield; then queue it again, file its wait, or drop it (finished). */
static void resume(struct loop *l, struct task *t)
{
    t->want = WANT_TURN; /* a bare yield only lets the others run */
    l->resumes++;
    double start = clock_now();
    int more = t->run(t);
    double ran_ms = (clock_now() - start) * 1000.0; /* the loop can time a hog, never stop it */
    l->longest_run_ms = ran_ms > l->longest_run_ms ? ran_ms : l->longest_run_ms;
    if (more == GEN_DONE)
        return;
    if (t->want == WANT_TURN) {
        make_ready(l, t);
        return;
    }
    size_t i = l->nwaiting++; /* into the wait list, which stays sorted by deadline */
    for (; i > 0 && l->waiting[i - 1]->deadline > t->deadline; i--)
        l->waiting[i] = l->waiting[i - 1];
    l->waiting[i] = t;
}

/* poll()'s timeout: 0 while a task is ready, -1 (none) if no wait has a deadline, else the
 * ms to the nearest deadline, rounded up so that the loop never wakes early and spins. */
static int timeout_ms(const struct loop *l)
{
    if (l->nready > 0)
        return 0;
    if (l->waiting[0]->deadline == INFINITY)
        return -1;
    double ms = (l->waiting[0]->deadline - clock_now()) * 1000.0;
    return ms <= 0 ? 0 : (int)ms + 1;
}

/* The whole loop: resume each task that is ready now, once (one that yields a turn queues
 * up behind the others); sleep in ONE poll() until a descriptor is ready or the nearest
 * deadline passes; move the tasks whose wait is over to the queue. Until no task is left. */
static void loop_run(struct loop *l)
{
    while (l->nready > 0 || l->nwaiting > 0) {
        for (size_t n = l->nready; n > 0; n--) {
            struct task *t = l->ready[l->first];
            l->first = (l->first + 1) % LOOP_MAX;
            l->nready--;
            resume(l, t);
        }
        if (l->nwaiting == 0)
            continue;
        struct pollfd fds[LOOP_MAX]; /* one per waiting task; fd -1 (a sleep): poll skips it */
        for (size_t i = 0; i < l->nwaiting; i++) {
            const struct task *t = l->waiting[i];
            fds[i] = (struct pollfd){.fd = t->want == WANT_SLEEP ? -1 : t->fd,
                                     .events = t->want == WANT_READ ? POLLIN : POLLOUT};
        }
        l->polls++;
        if (poll(fds, (nfds_t)l->nwaiting, timeout_ms(l)) < 0 && errno != EINTR)
            die_errno("poll");
        double now = clock_now();
        size_t still = 0;
        for (size_t i = 0; i < l->nwaiting; i++) { /* in deadline order */
            struct task *t = l->waiting[i];
            if (fds[i].revents != 0 || t->deadline <= now) {
                t->timed_out = fds[i].revents == 0;
                make_ready(l, t);
            } else {
                l->waiting[still++] = t;
            }
        }
        l->nwaiting = still;
    }
}

/* ---- what the parts share ------------------------------------------------------------------ */

struct run {
    double t0;                 /* start of the current part: narration says ms since then */
    unsigned long tasks;       /* generators and tasks created */
    unsigned long switches;    /* resumes: every time a generator or task was continued */
    double max_late_ms;        /* part 5: the latest a timer tick ran, in the loop */
    double thread_max_late_ms; /* part 5 --hog: the latest a timer thread's tick ran */
    bool part5_ran, hog;
    char recap[8][80]; /* the line to look at in each part, repeated at the end */
    int nrecap;
};

/* One narration line, stamped with the ms since the part started. */
__attribute__((format(printf, 2, 3))) static void say(const struct run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  [%5.0f ms] ", (clock_now() - r->t0) * 1000.0);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

/* Print a line; keep it for the recap too if `keep`. */
__attribute__((format(printf, 3, 4))) static void line(struct run *r, bool keep, const char *fmt,
                                                       ...)
{
    char text[sizeof r->recap[0]];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    puts(text);
    if (keep && r->nrecap < (int)(sizeof r->recap / sizeof r->recap[0]))
        memcpy(r->recap[r->nrecap++], text, sizeof text);
}

/* Run a part's tasks to the end; count what the loop did. */
static void run_loop(struct run *r, struct loop *l)
{
    r->t0 = clock_now();
    loop_run(l);
    r->tasks += l->spawned;
    r->switches += l->resumes;
}

/* ---- part 1: a bare generator, then `yield from` ---------------------------------------- */

/* The frame of "def fib(n): a, b = 0, 1; for _ in range(n): yield a; a, b = b, a + b".
 * In Python the interpreter keeps this alive between two next() calls; here it is ours. */
struct fib {
    struct gen gen; /* resume point */
    int left;       /* values still to yield */
    long a, b;
};

static int fib_next(struct fib *f, long *out)
{
    GEN_BEGIN(f);
    for (f->a = 0, f->b = 1; f->left > 0; f->left--) {
        GEN_YIELD_VALUE(f, *out, f->a);
        long sum = f->a + f->b; /* a local is fine here: it is dead before the next yield */
        f->a = f->b;
        f->b = sum;
    }
    GEN_END(f);
}

/* "def launches(): for r in 1, 2: print(...); yield from fib(3)" */
struct launches {
    struct gen gen;
    int round;
    struct fib child; /* the child's frame lives inside the parent's */
};

static int launches_next(struct launches *p, long *out)
{
    GEN_BEGIN(p);
    for (p->round = 1; p->round <= 2; p->round++) {
        printf("  parent: round %d, awaits a child fib(3)\n", p->round);
        p->child = (struct fib){.left = 3};
        GEN_AWAIT(p, fib_next(&p->child, out)); /* each child yield goes up to us */
        printf("  parent: child finished\n");
    }
    GEN_END(p);
}

static void part_bare_generator(struct run *r)
{
    printf("part 1: a bare generator yields values to its caller\n");
    struct fib f = {.left = 8}; /* "f = fib(8)": a zeroed resume point means not started */
    printf("  the frame: struct fib = %zu bytes, on main's stack; no stack of its own\n", sizeof f);
    long value;
    for (bool first = true; fib_next(&f, &value) == GEN_MORE; first = false, r->switches++)
        line(r, first, "  next(fib) -> %-3ld  frame: a=%-3ld b=%-3ld left=%d  resume at line %d",
             value, f.a, f.b, f.left, f.gen.resume);
    printf("  next(fib) -> done: it finished (Python raises StopIteration here)\n");
    printf("  yield from: a parent awaits a child; the caller sees the child's values\n");
    struct launches p = {0};
    for (; launches_next(&p, &value) == GEN_MORE; r->switches++)
        printf("  next(parent) -> %ld  (yielded by the child, passed up by the parent)\n", value);
    printf("  next(parent) -> done\n");
    r->switches += 2; /* the two calls that found the generators finished */
    r->tasks += 4;    /* fib, parent and its two children */
}

/* ---- part 2: tasks that only yield turns: round-robin ----------------------------------- */

struct stepper {
    struct task task; /* first member: (struct stepper *)t turns the loop's task back into us */
    const char *name;
    int step, steps;
};
_Static_assert(offsetof(struct stepper, task) == 0, "a task is its owner's first member");

static int stepper_run(struct task *t)
{
    struct stepper *g = (struct stepper *)t; /* above GEN_BEGIN: runs on every resume */
    GEN_BEGIN(t);
    for (g->step = 1; g->step <= g->steps; g->step++) {
        printf("  %s: step %d of %d\n", g->name, g->step, g->steps);
        AWAIT_TURN(t); /* back of the queue: the others run first */
    }
    printf("  %s: finished, leaves the loop\n", g->name);
    GEN_END(t);
}

static void part_round_robin(struct run *r)
{
    printf("part 2: three tasks take turns in the loop's queue, on one thread\n");
    struct stepper g[] = {
        {.name = "A", .steps = 3}, {.name = "B", .steps = 4}, {.name = "C", .steps = 2}};
    struct loop l = {0};
    for (size_t i = 0; i < 3; i++)
        spawn(&l, &g[i].task, stepper_run);
    run_loop(r, &l);
    line(r, true, "  the steps interleave, yet nothing ran in parallel: each ran until it yielded");
}

/* ---- part 3 (and 5): tasks sleeping on timers -------------------------------------------- */

/* A task that ticks `ticks` times, one tick every period_ms. Tick k is due at
 * start + offset + k x period: the task sleeps until that deadline, not for a period after
 * its last wake, so a late wake makes that tick late without pushing back the ones after
 * it (the timer thread of part 5 keeps time the same way). */
struct ticker {
    struct task task; /* first member: (struct ticker *)t turns the loop's task back into us */
    struct run *run;
    const char *name;
    int ticks, tick;
    double period_ms, offset_ms; /* offset: added to every deadline, to stagger the tickers */
    double due;                  /* when the next tick is due (clock_now() seconds) */
    bool part5;                  /* say how late each tick is, and not when it finishes */
};
_Static_assert(offsetof(struct ticker, task) == 0, "a task is its owner's first member");

static int ticker_run(struct task *t)
{
    struct ticker *k = (struct ticker *)t; /* above GEN_BEGIN: runs on every resume */
    GEN_BEGIN(t);
    k->due = clock_now() + k->offset_ms / 1000.0;
    for (k->tick = 1; k->tick <= k->ticks; k->tick++) {
        k->due += k->period_ms / 1000.0;
        double left_ms = (k->due - clock_now()) * 1000.0;
        AWAIT_SLEEP(t, left_ms > 0 ? left_ms : 0); /* where a blocking program would sleep */
        double late_ms = (clock_now() - k->due) * 1000.0;
        if (late_ms > k->run->max_late_ms)
            k->run->max_late_ms = late_ms;
        if (k->part5)
            say(k->run, "%s tick %d of %d  late %6.1f ms", k->name, k->tick, k->ticks, late_ms);
        else
            say(k->run, "%s tick %d of %d", k->name, k->tick, k->ticks);
    }
    if (!k->part5)
        say(k->run, "%s finished", k->name);
    GEN_END(t);
}

static void part_timers(struct run *r)
{
    printf("part 3: three tasks sleep on timers; one loop, one thread, one poll() at a time\n");
    struct ticker k[] = {{.name = "A", .ticks = 5, .period_ms = 70},
                         {.name = "B", .ticks = 4, .period_ms = 110},
                         {.name = "C", .ticks = 3, .period_ms = 170}};
    struct loop l = {0};
    double longest = 0, sum = 0;
    for (size_t i = 0; i < 3; i++) {
        k[i].run = r;
        double alone = k[i].ticks * k[i].period_ms;
        printf("  task %s: %d ticks, sleeps %.0f ms before each (%.0f ms alone)\n", k[i].name,
               k[i].ticks, k[i].period_ms, alone);
        longest = alone > longest ? alone : longest;
        sum += alone;
        spawn(&l, &k[i].task, ticker_run);
    }
    run_loop(r, &l);
    double wall = (clock_now() - r->t0) * 1000.0;
    line(r, true, "  loop: %lu tasks, %lu resumes, %lu poll() calls", l.spawned, l.resumes,
         l.polls);
    line(r, true, "  wall %.0f ms: the longest task (%.0f ms), not the sum of the three (%.0f ms)",
         wall, longest, sum);
}

/* ---- part 4: producer and consumer on a pipe --------------------------------------------- */

enum { PIPE_TOTAL = 256 * 1024, CHUNK = 16 * 1024 };

/* The byte at each position of the stream: the consumer checks every byte it reads. */
static unsigned char byte_at(size_t offset)
{
    return (unsigned char)((offset * 2654435761u) >> 13);
}

struct pipe_end { /* the frame of the producer, or of the consumer */
    struct task task;
    struct run *run;
    int fd;                    /* its end of the pipe, non-blocking */
    size_t done, batch, wrong; /* bytes written or read; read at one wake; out of place */
    unsigned char buf[CHUNK];
};

static int producer_run(struct task *t)
{
    struct pipe_end *p = (struct pipe_end *)t;
    ssize_t n; /* used between two yields only */
    GEN_BEGIN(t);
    while (p->done < PIPE_TOTAL) {
        size_t len = PIPE_TOTAL - p->done < CHUNK ? PIPE_TOTAL - p->done : CHUNK;
        for (size_t i = 0; i < len; i++)
            p->buf[i] = byte_at(p->done + i);
        if ((n = write(p->fd, p->buf, len)) > 0) {
            p->done += (size_t)n;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            say(p->run, "producer: pipe full after %zu bytes, waits until writable", p->done);
            AWAIT_WRITABLE(t, p->fd, -1); /* a blocking write() would sleep here */
        } else if (errno == EPIPE) {      /* the reader is gone (SIGPIPE is ignored) */
            say(p->run, "producer: the consumer closed its end");
            break;
        } else if (errno != EINTR) {
            die_errno("write to pipe");
        }
    }
    say(p->run, "producer: %zu bytes written, closes its end", p->done);
    if (close(p->fd) != 0)
        die_errno("close");
    GEN_END(t);
}

static int consumer_run(struct task *t)
{
    struct pipe_end *c = (struct pipe_end *)t;
    ssize_t n = 1;
    GEN_BEGIN(t);
    while (n != 0) {                    /* 0: end of file */
        AWAIT_READABLE(t, c->fd, 2000); /* a blocking read() would sleep here */
        if (t->timed_out) {
            say(c->run, "consumer: nothing for 2 s, gives up");
            break;
        }
        /* Readable: take everything there is now, without waiting. */
        for (c->batch = 0; (n = read(c->fd, c->buf, sizeof c->buf)) > 0; c->batch += (size_t)n)
            for (size_t i = 0; i < (size_t)n; i++)
                c->wrong += c->buf[i] != byte_at(c->done + c->batch + i);
        c->done += c->batch;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            die_errno("read from pipe");
        if (c->batch > 0)
            say(c->run, "consumer: woke readable, read %zu bytes (total %zu)", c->batch, c->done);
    }
    if (n == 0)
        say(c->run, "consumer: end of file after %zu bytes", c->done);
    if (close(c->fd) != 0)
        die_errno("close");
    GEN_END(t);
}

static void part_pipe(struct run *r)
{
    printf("part 4: a producer and a consumer task joined by a non-blocking pipe\n");
    int fds[2];
    if (pipe(fds) != 0)
        die_errno("pipe");
    if (net_set_nonblocking(fds[0], true) != 0 || net_set_nonblocking(fds[1], true) != 0)
        die_errno("fcntl O_NONBLOCK");
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) /* a write to a closed pipe: EPIPE, not death */
        die_errno("signal SIGPIPE");
    struct pipe_end p = {.run = r, .fd = fds[1]}, c = {.run = r, .fd = fds[0]};
    printf("  the producer writes %d bytes in %d-byte writes; the pipe holds far less\n",
           PIPE_TOTAL, CHUNK);
    struct loop l = {0};
    spawn(&l, &p.task, producer_run);
    spawn(&l, &c.task, consumer_run);
    run_loop(r, &l);
    printf("  loop: %lu tasks, %lu resumes, %lu poll() calls\n", l.spawned, l.resumes, l.polls);
    line(r, true, "  sent %zu bytes, received %zu, %zu out of place: %s", p.done, c.done, c.wrong,
         c.done == p.done && c.wrong == 0 ? "match" : "MISMATCH");
}

/* ---- part 5: one CPU-bound task ----------------------------------------------------------- */

enum { HOG_AFTER_MS = 60, HOG_MS = 300, TICK_MS = 50, TICKS = 8 };

/* Pure computation for about ms milliseconds: no yield, no system call but the clock's. */
static uint64_t compute_for(double ms)
{
    double end = clock_now() + ms / 1000.0;
    uint64_t x = 88172645463325252u;
    while (clock_now() < end)
        for (int i = 0; i < 4096; i++)
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: a busy CPU */
    return x;
}

struct hog {
    struct task task;
    struct run *run;
    uint64_t result; /* kept, so that the work cannot be optimised away */
};

static int hog_run(struct task *t)
{
    struct hog *h = (struct hog *)t;
    GEN_BEGIN(t);
    AWAIT_SLEEP(t, HOG_AFTER_MS);
    say(h->run, "hog: computes for %d ms without yielding", HOG_MS);
    h->result = compute_for(HOG_MS);
    say(h->run, "hog: done; only now can the loop run anyone else");
    GEN_END(t);
}

/* The other side of part 5: the same timer and hog as two threads, both pinned to one CPU,
 * so that the timer thread runs only if the kernel takes that CPU from the hog. It does:
 * when the timer's sleep ends, the scheduler sees a thread that has used far less CPU than
 * the hog and preempts the hog at once; even without that, the hog's slice ends within ms. */
struct threads {
    int cpu;          /* the one CPU both threads run on; -1: none (no affinity call) */
    int pin_error[2]; /* errno of a failed pin (timer, hog), 0 if none */
    double t0;        /* when both threads were started */
    double late_ms[TICKS];
    uint64_t result;
};

static void pin(struct threads *th, int who)
{
    if (th->cpu >= 0 && affinity_pin_thread(th->cpu) != 0)
        th->pin_error[who] = errno;
}

static void *timer_thread(void *arg)
{
    struct threads *th = arg;
    pin(th, 0);
    for (int tick = 0; tick < TICKS; tick++) {
        double due = th->t0 + (tick + 1) * TICK_MS / 1000.0;
        if (due > clock_now())
            clock_sleep_ms((due - clock_now()) * 1000.0); /* a blocking sleep: no loop */
        th->late_ms[tick] = (clock_now() - due) * 1000.0;
    }
    return NULL;
}

static void *hog_thread(void *arg)
{
    struct threads *th = arg;
    pin(th, 1);
    clock_sleep_ms(HOG_AFTER_MS);
    th->result = compute_for(HOG_MS); /* the same work as the hog task */
    return NULL;
}

/* Returns the largest lateness of the timer thread's ticks, in ms. */
static double part_hog_threads(void)
{
    struct threads th = {.cpu = affinity_first_cpu(), .t0 = clock_now()};
    pthread_t timer, hog;
    int err = pthread_create(&timer, NULL, timer_thread, &th);
    if (err == 0)
        err = pthread_create(&hog, NULL, hog_thread, &th);
    if (err != 0)
        die_pthread(err, "pthread_create");
    if ((err = pthread_join(timer, NULL)) != 0 || (err = pthread_join(hog, NULL)) != 0)
        die_pthread(err, "pthread_join");
    int pin_error = th.pin_error[0] != 0 ? th.pin_error[0] : th.pin_error[1];
    if (th.cpu >= 0 && pin_error == 0)
        printf("  as two threads, both on CPU %d: only preemption lets the timer run\n", th.cpu);
    else /* e.g. macOS, which has no call to pin a thread: each may get a core of its own */
        printf("  as two threads, unpinned (%s): parallelism, not preemption\n",
               th.cpu < 0 ? "no CPU affinity here" : errno_name(pin_error));
    double max = 0;
    printf("  timer thread, late (ms):");
    for (int tick = 0; tick < TICKS; tick++) {
        printf(" %.1f", th.late_ms[tick]);
        max = th.late_ms[tick] > max ? th.late_ms[tick] : max;
    }
    printf("\n");
    return max;
}

static void part_hog(struct run *r)
{
    printf("part 5: what one CPU-bound task does to the others\n");
    printf("  two tasks tick every %d ms; late = when a tick ran - when it was due\n", TICK_MS);
    struct ticker k[] = {{.name = "A"}, {.name = "B", .offset_ms = TICK_MS / 2}};
    struct hog h = {.run = r};
    struct loop l = {0};
    for (size_t i = 0; i < 2; i++) {
        k[i].run = r;
        k[i].ticks = TICKS;
        k[i].period_ms = TICK_MS;
        k[i].part5 = true;
        spawn(&l, &k[i].task, ticker_run);
    }
    if (r->hog)
        spawn(&l, &h.task, hog_run);
    else
        printf("  no hog this time: --hog adds a task that computes %d ms without yielding\n",
               HOG_MS);
    r->max_late_ms = 0;
    run_loop(r, &l);
    line(r, true, "  max lateness %.1f ms; the longest a task ran without yielding: %.1f ms",
         r->max_late_ms, l.longest_run_ms);
    r->part5_ran = true;
    if (!r->hog)
        return;
    r->thread_max_late_ms = part_hog_threads();
    line(r, true, "  cooperative: %.1f ms late at most; preemptive threads: %.1f ms",
         r->max_late_ms, r->thread_max_late_ms);
}

/* ---- main ------------------------------------------------------------------------------- */

static const char usage[] = "[--part N] [--hog] [--help]";

static void print_help(void)
{
    printf("06-generator-loop — stackless generators and the event loop they run on\n"
           "Parts: 1 a generator (and yield from)  2 tasks taking turns  3 tasks on timers\n"
           "4 producer/consumer over a pipe  5 tick lateness; --hog adds a task computing\n"
           "%d ms without a yield, then the same as two threads on one CPU (preemption).\n"
           "usage: %s %s\n"
           "  --part N   run only part N (1-5); default: all, then a recap\n"
           "  --hog      part 5: add the CPU-bound task (and thread)\n"
           "example: 06-generator-loop --part 5 --hog\n",
           HOG_MS, prog_name(), usage);
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    int only_part = 0;
    struct run r = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help();
            return 0;
        } else if (strcmp(argv[i], "--part") == 0) {
            only_part =
                (int)parse_whole_or_die(usage, "--part", i + 1 < argc ? argv[++i] : NULL, 1, 5);
        } else if (strcmp(argv[i], "--hog") == 0) {
            r.hog = true;
        } else {
            die_usage(usage, "unknown option '%s'", argv[i]);
        }
    }

    static void (*const parts[])(struct run *) = {part_bare_generator, part_round_robin,
                                                  part_timers, part_pipe, part_hog};
    for (int p = 1; p <= 5; p++) {
        if (only_part != 0 && p != only_part)
            continue;
        r.t0 = clock_now();
        parts[p - 1](&r);
        printf("\n");
    }
    if (only_part == 0) {
        printf("recap: the line to look at in each part\n");
        for (int i = 0; i < r.nrecap; i++)
            puts(r.recap[i]);
        printf("\n");
    }
    char late[2][32] = {"none", "none"}; /* part 5 (or its thread side) did not run */
    if (r.part5_ran)
        snprintf(late[0], sizeof late[0], "%.1f", r.max_late_ms);
    if (r.part5_ran && r.hog)
        snprintf(late[1], sizeof late[1], "%.1f", r.thread_max_late_ms);
    summary_print("tasks=%lu switches=%lu gen_bytes=%zu task_bytes=%zu max_late_ms=%s "
                  "thread_max_late_ms=%s",
                  r.tasks, r.switches, sizeof(struct fib), sizeof(struct task), late[0], late[1]);
    return 0;
}
