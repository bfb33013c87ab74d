/* 06-generator-loop — stackless generators and the event loop they run on, step by step
 *
 * What asyncio is, built from the bottom in C on one thread. First the event loop itself
 * (loop_run: a queue of ready tasks, ONE poll(), resume); then
 *   part 1  a generator (gen.h): a function that returns midway, then resumes; `yield from`;
 *   part 2  three tasks that only yield turns: the loop runs them round-robin;
 *   part 3  three tasks on timers: one poll() sleeps until the nearest; wall = the longest;
 *   part 4  a producer and a consumer task on a non-blocking pipe, each waiting for its end;
 *   part 5  two tasks tick every 50 ms; --hog adds one that computes 300 ms without a yield,
 *           and the ticks are that late; as two threads on one CPU, the kernel preempts it;
 * then a recap (the line to look at in each part) and the summary.
 *
 * Run it:  make run-06        make run-06 ARGS="--part 5 --hog"
 *
 * Lecture claims: 11 (an event loop is a queue of ready work plus a loop), 12 (generators
 * can be suspended and resumed), 13 (a resume is a call into a frame of a few bytes: far
 * cheaper than a thread switch; 10 times it), 14 (one CPU-bound task stalls every other
 * task), 15 (all of it interleaves on one core). Also: preemptive vs cooperative (part 5).
 */
#include "args.h"
#include "clock.h"
#include "compute.h"
#include "errors.h"
#include "gen.h"
#include "net.h"
#include "recap.h"
#include "timer_thread.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* ---- the event loop ------------------------------------------------------------------------
 * A task is a generator (gen.h; part 1 shows one alone) that files what it waits for just
 * before it yields: a turn, a timer, or a descriptor with a deadline. common/sched.c is this
 * loop grown for 07's crawl: read the two side by side (sched.h says what grew). */

enum want { WANT_TURN, WANT_SLEEP, WANT_READ, WANT_WRITE };

/* The first member of its owner's struct: (struct ticker *)t turns a task back into its owner. */
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

/* File what t waits for (ms < 0: no deadline), then yield: the loop reads it on return. */
#define AWAIT(t, what, on_fd, ms)                                                                  \
    do {                                                                                           \
        (t)->want = (what);                                                                        \
        (t)->fd = (on_fd);                                                                         \
        (t)->deadline = (ms) < 0 ? INFINITY : clock_now() + (ms) / 1000.0;                         \
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
        for (size_t i = 0; i < l->nwaiting; i++)
            fds[i] = (struct pollfd){.fd = l->waiting[i]->fd,
                                     .events = l->waiting[i]->want == WANT_READ ? POLLIN : POLLOUT};
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

static struct {
    double t0;          /* start of the current part */
    double max_late_ms; /* part 5: the latest a timer tick ran, in the loop */
    bool hog;           /* --hog */
    char late[2][16];   /* part 5's latest tick, loop and threads, as the summary says it */
} run = {.late = {"none", "none"}};

/* One narration line, stamped with the ms since the part started (common/clock.c). */
#define say(...) clock_narrate(run.t0, __VA_ARGS__)

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

/* No loop yet: l only counts the generators and their resumes, for the summary. */
static void part_bare_generator(struct loop *l)
{
    printf("part 1: a bare generator yields values to its caller\n");
    struct fib f = {.left = 8}; /* "f = fib(8)": a zeroed resume point means not started */
    printf("  the frame: struct fib = %zu bytes, on main's stack; no stack of its own\n", sizeof f);
    long value;
    for (bool first = true; fib_next(&f, &value) == GEN_MORE; first = false, l->resumes++)
        recap_line(first, "  next(fib) -> %-3ld  frame: a=%-3ld b=%-3ld left=%d  resume at line %d",
                   value, f.a, f.b, f.left, f.gen.resume);
    printf("  next(fib) -> done: it finished (Python raises StopIteration here)\n");
    printf("  yield from: a parent awaits a child; the caller sees the child's values\n");
    struct launches p = {0};
    for (; launches_next(&p, &value) == GEN_MORE; l->resumes++)
        printf("  next(parent) -> %ld  (yielded by the child, passed up by the parent)\n", value);
    printf("  next(parent) -> done\n");
    l->resumes += 2; /* the two calls that found the generators finished */
    l->spawned += 4; /* fib, parent and its two children */
}

/* ---- part 2: tasks that only yield turns: round-robin ----------------------------------- */

struct stepper {
    struct task task;
    const char *name;
    int step, steps;
};

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

static void part_round_robin(struct loop *l)
{
    printf("part 2: three tasks take turns in the loop's queue, on one thread\n");
    struct stepper g[] = {
        {.name = "A", .steps = 3}, {.name = "B", .steps = 4}, {.name = "C", .steps = 2}};
    for (size_t i = 0; i < 3; i++)
        spawn(l, &g[i].task, stepper_run);
    loop_run(l);
    recap_line(true,
               "  the steps interleave, yet nothing ran in parallel: each ran until it yielded");
}

/* ---- part 3 (and 5): tasks sleeping on timers -------------------------------------------- */

/* Tick k is due at start + offset + k x period: the task sleeps until that deadline, not for
 * a period after its last wake, so a late wake does not push back the ticks after it. */
struct ticker {
    struct task task;
    const char *name;
    int ticks, tick;
    double period_ms, offset_ms; /* offset: added to every deadline, to stagger the tickers */
    double due;                  /* when the next tick is due (clock_now() seconds) */
};

static int ticker_run(struct task *t)
{
    struct ticker *k = (struct ticker *)t;
    GEN_BEGIN(t);
    k->due = clock_now() + k->offset_ms / 1000.0;
    for (k->tick = 1; k->tick <= k->ticks; k->tick++) {
        k->due += k->period_ms / 1000.0;
        double left_ms = (k->due - clock_now()) * 1000.0;
        AWAIT_SLEEP(t, left_ms > 0 ? left_ms : 0); /* where a blocking program would sleep */
        double late_ms = (clock_now() - k->due) * 1000.0;
        run.max_late_ms = late_ms > run.max_late_ms ? late_ms : run.max_late_ms;
        say("%s tick %d of %d  late %6.1f ms", k->name, k->tick, k->ticks, late_ms);
    }
    GEN_END(t);
}

static void part_timers(struct loop *l)
{
    printf("part 3: three tasks sleep on timers; one loop, one thread, one poll() at a time\n");
    struct ticker k[] = {{.name = "A", .ticks = 5, .period_ms = 70},
                         {.name = "B", .ticks = 4, .period_ms = 110},
                         {.name = "C", .ticks = 3, .period_ms = 170}};
    double longest = 0, sum = 0;
    for (size_t i = 0; i < 3; i++) {
        double alone = k[i].ticks * k[i].period_ms;
        printf("  task %s: %d ticks, sleeps %.0f ms before each (%.0f ms alone)\n", k[i].name,
               k[i].ticks, k[i].period_ms, alone);
        longest = alone > longest ? alone : longest;
        sum += alone;
        spawn(l, &k[i].task, ticker_run);
    }
    loop_run(l);
    recap_line(true, "  loop: %lu tasks, %lu resumes, %lu poll() calls", l->spawned, l->resumes,
               l->polls);
    recap_line(true,
               "  wall %.0f ms: the longest task (%.0f ms), not the sum of the three (%.0f ms)",
               (clock_now() - run.t0) * 1000.0, longest, sum);
}

/* ---- part 4: producer and consumer on a pipe --------------------------------------------- */

enum { PIPE_TOTAL = 256 * 1024, CHUNK = 16 * 1024 };

struct pipe_end { /* the frame of the producer, or of the consumer */
    struct task task;
    int fd;             /* its end of the pipe, non-blocking */
    size_t done, batch; /* bytes written or read in all; read at one wake */
    unsigned char buf[CHUNK];
};

static int producer_run(struct task *t)
{
    struct pipe_end *p = (struct pipe_end *)t;
    ssize_t n; /* used between two yields only */
    GEN_BEGIN(t);
    while (p->done < PIPE_TOTAL) {
        size_t len = PIPE_TOTAL - p->done < CHUNK ? PIPE_TOTAL - p->done : CHUNK;
        if ((n = write(p->fd, p->buf, len)) > 0) {
            p->done += (size_t)n;
        } else if (net_would_block(errno)) {
            say("producer: pipe full after %zu bytes, waits until writable", p->done);
            AWAIT_WRITABLE(t, p->fd, -1); /* a blocking write() would sleep here */
        } else if (errno != EINTR) {
            die_errno("write to pipe");
        }
    }
    say("producer: %zu bytes written, closes its end", p->done);
    if (close(p->fd) != 0)
        die_errno("close");
    GEN_END(t);
}

static int consumer_run(struct task *t)
{
    struct pipe_end *c = (struct pipe_end *)t;
    ssize_t n = 1; /* set by read() after each wake: used between two yields only */
    GEN_BEGIN(t);
    while (n != 0) {                    /* 0: end of file */
        AWAIT_READABLE(t, c->fd, 2000); /* a blocking read() would sleep here */
        if (t->timed_out)
            die("part 4: the consumer waited 2 s and nothing came");
        /* Readable: take everything there is now, without waiting. */
        for (c->batch = 0; (n = read(c->fd, c->buf, sizeof c->buf)) > 0; c->batch += (size_t)n)
            continue;
        c->done += c->batch;
        if (n < 0 && !net_would_block(errno) && errno != EINTR)
            die_errno("read from pipe");
        if (c->batch > 0)
            say("consumer: woke readable, read %zu bytes (total %zu)", c->batch, c->done);
    }
    say("consumer: end of file after %zu bytes", c->done);
    if (close(c->fd) != 0)
        die_errno("close");
    GEN_END(t);
}

static void part_pipe(struct loop *l)
{
    printf("part 4: a producer and a consumer task joined by a non-blocking pipe\n");
    int fds[2];
    if (pipe(fds) != 0)
        die_errno("pipe");
    if (net_set_nonblocking(fds[0], true) != 0 || net_set_nonblocking(fds[1], true) != 0)
        die_errno("fcntl O_NONBLOCK");
    struct pipe_end p = {.fd = fds[1]}, c = {.fd = fds[0]};
    printf("  the producer writes %d bytes in %d-byte writes; the pipe holds far less\n",
           PIPE_TOTAL, CHUNK);
    spawn(l, &p.task, producer_run);
    spawn(l, &c.task, consumer_run);
    loop_run(l);
    printf("  loop: %lu tasks, %lu resumes, %lu poll() calls\n", l->spawned, l->resumes, l->polls);
    recap_line(true, "  sent %zu bytes, received %zu: %s", p.done, c.done,
               c.done == p.done ? "match" : "MISMATCH");
}

/* ---- part 5: one CPU-bound task ----------------------------------------------------------- */

enum { HOG_AFTER_MS = 60, HOG_MS = 300, TICK_MS = 50, TICKS = 8 };

struct hog {
    struct task task;
    uint64_t result; /* kept, so that the work cannot be optimised away */
};

static int hog_run(struct task *t)
{
    struct hog *h = (struct hog *)t;
    GEN_BEGIN(t);
    AWAIT_SLEEP(t, HOG_AFTER_MS);
    say("hog: computes for %d ms without yielding", HOG_MS);
    h->result = compute_for(HOG_MS); /* common/compute.c: no yield, no system call */
    say("hog: done; only now can the loop run anyone else");
    GEN_END(t);
}

static void part_hog(struct loop *l)
{
    printf("part 5: what one CPU-bound task does to the others\n");
    printf("  two tasks tick every %d ms; late = when a tick ran - when it was due\n", TICK_MS);
    struct ticker k[] = {
        {.name = "A", .ticks = TICKS, .period_ms = TICK_MS},
        {.name = "B", .ticks = TICKS, .period_ms = TICK_MS, .offset_ms = TICK_MS / 2}};
    struct hog h = {0};
    for (size_t i = 0; i < 2; i++)
        spawn(l, &k[i].task, ticker_run);
    if (run.hog)
        spawn(l, &h.task, hog_run);
    else
        printf("  no hog this time: --hog adds a task that computes %d ms without yielding\n",
               HOG_MS);
    run.max_late_ms = 0;
    loop_run(l);
    recap_line(true, "  max lateness %.1f ms; the longest a task ran without yielding: %.1f ms",
               run.max_late_ms, l->longest_run_ms);
    snprintf(run.late[0], sizeof run.late[0], "%.1f", run.max_late_ms);
    if (!run.hog)
        return;
    /* The other side: the same timer as a thread (common/timer_thread.c) beside this thread
     * as the hog, on one CPU. The timer ticks only if the kernel takes the CPU from the hog,
     * and it does: at the timer's wake, or at the latest when the hog's time slice ends. */
    struct timer_thread timer = {.ticks = TICKS, .period_ms = TICK_MS};
    timer_thread_start(&timer); /* pins this thread, and the timer thread with it */
    clock_sleep_ms(HOG_AFTER_MS);
    h.result = compute_for(HOG_MS); /* the hog task's work, in this thread */
    snprintf(run.late[1], sizeof run.late[1], "%.1f", timer_thread_join(&timer));
    recap_line(true, "  cooperative: %s ms late at most; preemptive threads: %s ms", run.late[0],
               run.late[1]);
}

/* ---- main ------------------------------------------------------------------------------- */

static const char usage[] = "[--part N] [--hog] [--help]";

static void print_help(void)
{
    printf("06-generator-loop — stackless generators and the event loop they run on\n"
           "usage: %s %s\n"
           "  --part N  only part N: 1 a generator, 2 turns, 3 timers, 4 a pipe, 5 lateness\n"
           "  --hog     part 5: add a task that computes %d ms without a yield, and then\n"
           "            the same as two threads on one CPU (preemption)\n"
           "example: 06-generator-loop --part 5 --hog\n",
           prog_name(), usage, HOG_MS);
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    int only_part = 0;
    const struct args_option options[] = {{"--part", ARGS_INT, &only_part, 1, 5, NULL},
                                          {"--hog", ARGS_FLAG, &run.hog, 0, 0, NULL},
                                          {NULL, ARGS_FLAG, NULL, 0, 0, NULL}};
    args_parse(argc, argv, options, NULL, usage, print_help);
    void (*const parts[])(struct loop *) = {part_bare_generator, part_round_robin, part_timers,
                                            part_pipe, part_hog};
    unsigned long tasks = 0, switches = 0; /* generators and tasks; resumes of them */
    for (int p = 1; p <= 5; p++) {
        if (only_part != 0 && p != only_part)
            continue;
        struct loop l = {0}; /* a new loop for each part */
        run.t0 = clock_now();
        parts[p - 1](&l);
        tasks += l.spawned, switches += l.resumes;
        printf("\n");
    }
    if (only_part == 0) {
        recap_print("the line to look at in each part");
        printf("\n");
    }
    summary_print("tasks=%lu switches=%lu gen_bytes=%zu task_bytes=%zu max_late_ms=%s "
                  "thread_max_late_ms=%s",
                  tasks, switches, sizeof(struct fib), sizeof(struct task), run.late[0],
                  run.late[1]);
    return 0;
}
