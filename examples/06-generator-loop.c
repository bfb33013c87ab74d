/* 06-generator-loop — stackless generators and the event loop they run on, step by step
 *
 * What it demonstrates: what asyncio is, built from the bottom in C on one thread.
 *   part 1  a generator: a function that returns in the middle and later continues from
 *           there (gen.h), yielding values to its caller; then `yield from` a child.
 *   part 2  three generators driven round-robin by a ten-line loop: cooperative
 *           multitasking, the switches are the yields.
 *   part 3  three tasks sleeping on timers in the real scheduler (sched.h): one poll()
 *           sleeps until the nearest timer; wall time is the longest task, not the sum.
 *   part 4  a producer and a consumer task joined by a non-blocking pipe: each waits for
 *           its end to become writable / readable; every byte arrives.
 *   part 5  two timer tasks ticking every 50 ms; with --hog a third task computes for
 *           300 ms without yielding and every tick is late by about that much. Then the
 *           other side: the same timer and hog as two threads pinned to one CPU, where the
 *           kernel preempts the hog and the timer thread stays on time.
 * The last line measures what a switch costs: resuming a generator and getting its yield
 * back, averaged over 10 million switches, and the bytes of state one generator needs.
 *
 * Run it:  make run-06            (all parts)
 *          make run-06 ARGS="--part 5 --hog"
 * Look for: the resume point (a line number) saved at each yield in part 1; the A B C
 * interleaving in part 2; timestamps in part 3 that end at the longest task; the two
 * checksums that match in part 4; the lateness of each tick in part 5 (cooperative
 * against preemptive: the "cooperative: ... preemptive threads: ..." line), and switch_ns
 * (a few ns: compare with 01's fork and 02's thread figures).
 *
 * Lecture claims: 11 (an event loop is a queue of ready work plus a loop; a task runs
 * until it would wait), 12 (generators are functions that can be suspended and resumed),
 * 13 (cooperative switching is far cheaper than a thread or process switch), 14 (one
 * CPU-bound task stalls every other task), 15 (all of it interleaves on one core).
 * Lecture topic (not a numbered claim): preemptive vs cooperative multitasking (part 5).
 */
#include "affinity.h"
#include "clock.h"
#include "errors.h"
#include "gen.h"
#include "net.h"
#include "sched.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "[--part N] [--hog] [--switches N] [--help]";

/* What every part adds to the summary, and the clock its narration is stamped with. */
struct run {
    double t0;                 /* start of the current part: narration says ms since then */
    unsigned long tasks;       /* generators and tasks created */
    unsigned long switches;    /* resumes: every time a generator or task was continued */
    double max_late_ms;        /* part 5: the latest a timer tick ran, in the loop */
    double thread_max_late_ms; /* part 5: the latest a timer thread's tick ran */
    bool part5_ran;
    bool hog;
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

struct countdown {
    struct gen gen;
    long n;
};

static int countdown_next(struct countdown *c, long *out)
{
    GEN_BEGIN(c);
    for (; c->n > 0; c->n--)
        GEN_YIELD_VALUE(c, *out, c->n);
    GEN_END(c);
}

/* "def launches(): for r in 1, 2: print(...); yield from countdown(3)" */
struct launches {
    struct gen gen;
    int round;
    struct countdown child; /* the child's frame lives inside the parent's */
};

static int launches_next(struct launches *p, long *out)
{
    GEN_BEGIN(p);
    for (p->round = 1; p->round <= 2; p->round++) {
        printf("  parent: round %d, awaits a child countdown(3)\n", p->round);
        p->child = (struct countdown){.n = 3};
        GEN_AWAIT(p, countdown_next(&p->child, out)); /* each child yield goes up to us */
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
    while (fib_next(&f, &value) == GEN_MORE) {
        r->switches++;
        printf("  next(fib) -> %-3ld  frame: a=%-3ld b=%-3ld left=%d  resume at line %d\n", value,
               f.a, f.b, f.left, f.gen.resume);
    }
    r->switches++;
    printf("  next(fib) -> done: it finished (Python raises StopIteration here)\n");

    printf("  yield from: a parent awaits a child; the caller sees the child's values\n");
    struct launches p = {0};
    while (launches_next(&p, &value) == GEN_MORE) {
        r->switches++;
        printf("  next(parent) -> %ld  (yielded by the child, passed up by the parent)\n", value);
    }
    r->switches++;
    printf("  next(parent) -> done\n");
    r->tasks += 4; /* fib, parent and two children */
}

/* ---- part 2: round-robin ------------------------------------------------------------------ */

struct stepper {
    struct gen gen;
    const char *name;
    int step, steps;
};

static int stepper_next(struct stepper *g)
{
    GEN_BEGIN(g);
    for (g->step = 1; g->step <= g->steps; g->step++) {
        printf("  %s: step %d of %d\n", g->name, g->step, g->steps);
        GEN_YIELD(g); /* give the loop back its thread */
    }
    GEN_END(g);
}

static void part_round_robin(struct run *r)
{
    printf("part 2: three generators driven round-robin by a tiny loop, on one thread\n");
    struct stepper g[] = {
        {.name = "A", .steps = 3}, {.name = "B", .steps = 4}, {.name = "C", .steps = 2}};
    size_t n = sizeof g / sizeof g[0], left = n;
    /* The whole "event loop": resume each unfinished generator in turn, until none is left. */
    while (left > 0) {
        for (size_t i = 0; i < n; i++) {
            if (GEN_IS_FINISHED(&g[i]))
                continue;
            r->switches++;
            if (stepper_next(&g[i]) == GEN_DONE) {
                printf("  %s: finished, leaves the loop\n", g[i].name);
                left--;
            }
        }
    }
    printf("  the steps interleave, yet nothing ran in parallel: each ran until it yielded\n");
    r->tasks += n;
}

/* ---- part 3 (and 5): tasks sleeping on timers -------------------------------------------- */

/* A task that ticks `ticks` times, one tick every period_ms. Tick k is due at
 * start + offset + k x period: the task sleeps until that deadline, not for a period after
 * its last wake, so a late wake makes that tick late without pushing back the ones after
 * it (the timer thread of part 5 keeps time the same way). */
struct ticker {
    struct task task; /* first member: the scheduler's handle on this struct */
    struct run *run;
    const char *name;
    int ticks, tick;
    double period_ms, offset_ms; /* offset: added to every deadline, to stagger the tickers */
    double due;                  /* when the next tick is due (clock_now() seconds) */
    bool show_lateness;
};
_Static_assert(offsetof(struct ticker, task) == 0, "a task is its owner's first member");

static int ticker_run(struct task *t)
{
    struct ticker *k = (struct ticker *)t;
    GEN_BEGIN(t);
    k->due = clock_now() + k->offset_ms / 1000.0;
    for (k->tick = 1; k->tick <= k->ticks; k->tick++) {
        k->due += k->period_ms / 1000.0;
        double left_ms = (k->due - clock_now()) * 1000.0;
        AWAIT_SLEEP(t, t, left_ms > 0 ? left_ms : 0); /* where a blocking program would sleep */
        double late_ms = (clock_now() - k->due) * 1000.0;
        if (late_ms > k->run->max_late_ms)
            k->run->max_late_ms = late_ms;
        if (k->show_lateness)
            say(k->run, "%s tick %d of %d  late %6.1f ms", k->name, k->tick, k->ticks, late_ms);
        else
            say(k->run, "%s tick %d of %d", k->name, k->tick, k->ticks);
    }
    say(k->run, "%s finished", k->name);
    GEN_END(t);
}

/* Run the loop until every task has finished; count what it did. */
static void run_loop(struct run *r, struct sched *s)
{
    sched_run(s);
    r->tasks += s->spawned;
    r->switches += s->resumes;
    printf("  loop: %lu tasks, %lu resumes, %lu poll() calls\n", s->spawned, s->resumes, s->polls);
}

static void part_timers(struct run *r)
{
    printf("part 3: three tasks sleep on timers; one loop, one thread, one poll() at a time\n");
    struct ticker k[] = {{.name = "A", .ticks = 5, .period_ms = 70},
                         {.name = "B", .ticks = 4, .period_ms = 110},
                         {.name = "C", .ticks = 3, .period_ms = 170}};
    struct sched s;
    sched_init(&s);
    double longest = 0, sum = 0;
    for (size_t i = 0; i < 3; i++) {
        k[i].run = r;
        double alone = k[i].ticks * k[i].period_ms;
        printf("  task %s: %d ticks, sleeps %.0f ms before each (%.0f ms alone)\n", k[i].name,
               k[i].ticks, k[i].period_ms, alone);
        longest = alone > longest ? alone : longest;
        sum += alone;
        sched_spawn(&s, &k[i].task, ticker_run, NULL);
    }
    r->t0 = clock_now();
    run_loop(r, &s);
    double wall = (clock_now() - r->t0) * 1000.0;
    printf("  wall %.0f ms: the longest task (%.0f ms), not the sum of the three (%.0f ms)\n", wall,
           longest, sum);
}

/* ---- part 4: producer and consumer on a pipe --------------------------------------------- */

enum { PIPE_TOTAL = 256 * 1024, CHUNK = 16 * 1024 };

/* FNV-1a: a checksum both ends compute over the bytes they saw. */
static uint32_t fnv1a(uint32_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The bytes sent: a pattern that depends on the byte's position in the stream. */
static void fill_pattern(unsigned char *buf, size_t offset, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(((offset + i) * 2654435761u) >> 13);
}

struct producer {
    struct task task;
    struct run *run;
    int fd; /* write end, non-blocking */
    size_t sent;
    uint32_t sum;
    unsigned char chunk[CHUNK];
};

static int producer_run(struct task *t)
{
    struct producer *p = (struct producer *)t;
    ssize_t n; /* used between two yields only */
    GEN_BEGIN(t);
    while (p->sent < PIPE_TOTAL) {
        size_t len = PIPE_TOTAL - p->sent < CHUNK ? PIPE_TOTAL - p->sent : CHUNK;
        fill_pattern(p->chunk, p->sent, len);
        n = write(p->fd, p->chunk, len);
        if (n > 0) {
            p->sum = fnv1a(p->sum, p->chunk, (size_t)n);
            p->sent += (size_t)n;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            say(p->run, "producer: pipe full after %zu bytes, waits until writable", p->sent);
            AWAIT_WRITABLE(t, t, p->fd, -1); /* a blocking write() would sleep here */
        } else if (errno != EINTR) {
            die_errno("write to pipe");
        }
    }
    say(p->run, "producer: all %zu bytes written, closes its end", p->sent);
    if (close(p->fd) != 0)
        die_errno("close");
    GEN_END(t);
}

struct consumer {
    struct task task;
    struct run *run;
    int fd; /* read end, non-blocking */
    size_t got, batch;
    uint32_t sum;
    bool eof;
    unsigned char buf[CHUNK];
};

static int consumer_run(struct task *t)
{
    struct consumer *c = (struct consumer *)t;
    ssize_t n;
    GEN_BEGIN(t);
    while (!c->eof) {
        AWAIT_READABLE(t, t, c->fd, 2000); /* a blocking read() would sleep here */
        if (t->woke == TASK_WOKE_TIMEOUT) {
            say(c->run, "consumer: nothing for 2 s, gives up");
            break;
        }
        /* Readable: take everything there is now, without waiting. */
        for (c->batch = 0; (n = read(c->fd, c->buf, sizeof c->buf)) > 0; c->batch += (size_t)n)
            c->sum = fnv1a(c->sum, c->buf, (size_t)n);
        c->got += c->batch;
        c->eof = (n == 0);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            die_errno("read from pipe");
        if (c->batch > 0)
            say(c->run, "consumer: woke readable, read %zu bytes (total %zu)", c->batch, c->got);
    }
    if (c->eof)
        say(c->run, "consumer: end of file after %zu bytes", c->got);
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
    /* 32 KiB of buffers each: on the heap, like a crawler's per-fetch state would be. */
    struct producer *p = calloc(1, sizeof *p);
    struct consumer *c = calloc(1, sizeof *c);
    if (p == NULL || c == NULL)
        die("out of memory");
    *p = (struct producer){.run = r, .fd = fds[1], .sum = 2166136261u};
    *c = (struct consumer){.run = r, .fd = fds[0], .sum = 2166136261u};
    printf("  the producer writes %d bytes in %d-byte writes; the pipe holds far less\n",
           PIPE_TOTAL, CHUNK);
    struct sched s;
    sched_init(&s);
    sched_spawn(&s, &p->task, producer_run, NULL);
    sched_spawn(&s, &c->task, consumer_run, NULL);
    r->t0 = clock_now();
    run_loop(r, &s);
    printf("  sent     %zu bytes, checksum 0x%08x\n", p->sent, (unsigned)p->sum);
    printf("  received %zu bytes, checksum 0x%08x: %s\n", c->got, (unsigned)c->sum,
           c->got == p->sent && c->sum == p->sum ? "match" : "MISMATCH");
    free(p);
    free(c);
}

/* ---- part 5: one CPU-bound task ----------------------------------------------------------- */

enum { HOG_AFTER_MS = 60, HOG_MS = 300, TICK_MS = 50, TICKS = 8 };

struct hog {
    struct task task;
    struct run *run;
    unsigned long rounds;
    uint64_t result; /* kept so that the work cannot be optimised away */
};

/* Pure computation for about ms milliseconds: no system call, no yield. */
static unsigned long compute_for(double ms, uint64_t *result)
{
    double end = clock_now() + ms / 1000.0;
    uint64_t x = 88172645463325252u;
    unsigned long rounds = 0;
    do {
        for (int i = 0; i < 4096; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        rounds += 4096;
    } while (clock_now() < end);
    *result = x;
    return rounds;
}

static int hog_run(struct task *t)
{
    struct hog *h = (struct hog *)t;
    GEN_BEGIN(t);
    AWAIT_SLEEP(t, t, HOG_AFTER_MS);
    say(h->run, "hog: computes for %d ms without yielding", HOG_MS);
    h->rounds = compute_for(HOG_MS, &h->result);
    say(h->run, "hog: done (%lu rounds); only now can the loop run anyone else", h->rounds);
    GEN_END(t);
}

/* The other side of part 5: the same ticker and the same hog as two threads of this process,
 * both pinned to one CPU, so that the timer thread can run only if the kernel takes that CPU
 * away from the hog. It does: when the timer thread's sleep ends, the scheduler sees a task
 * that has used far less CPU than the hog and preempts the hog at once (wake-up preemption);
 * even without that, the hog's time slice ends within a few ms. */
struct thread_side {
    int cpu;          /* the one CPU both threads run on; -1: not pinned */
    int pin_error[2]; /* errno of a failed pin (timer, hog), 0 if none */
    bool hog;         /* start the hog thread too */
    double t0;        /* when both threads were started */
    double late_ms[TICKS];
    unsigned long rounds;
    uint64_t result;
};

/* Each thread pins itself; a failure is noted (read after the join) and the demo goes on. */
static void pin_or_note(struct thread_side *side, int *pin_error)
{
    if (side->cpu >= 0 && affinity_pin_thread(side->cpu) != 0)
        *pin_error = errno;
}

static void *timer_thread(void *arg)
{
    struct thread_side *side = arg;
    pin_or_note(side, &side->pin_error[0]);
    for (int tick = 0; tick < TICKS; tick++) {
        double due = side->t0 + (tick + 1) * TICK_MS / 1000.0;
        double left_ms = (due - clock_now()) * 1000.0;
        if (left_ms > 0)
            clock_sleep_ms(left_ms); /* a plain blocking sleep: no loop, no yield */
        side->late_ms[tick] = (clock_now() - due) * 1000.0;
    }
    return NULL;
}

static void *hog_thread(void *arg)
{
    struct thread_side *side = arg;
    pin_or_note(side, &side->pin_error[1]);
    clock_sleep_ms(HOG_AFTER_MS);
    side->rounds = compute_for(HOG_MS, &side->result); /* the same loop as the hog task */
    return NULL;
}

static void start_or_die(pthread_t *id, void *(*body)(void *), void *arg)
{
    int err = pthread_create(id, NULL, body, arg);
    if (err != 0)
        die_pthread(err, "pthread_create");
}

static void join_or_die(pthread_t id)
{
    int err = pthread_join(id, NULL);
    if (err != 0)
        die_pthread(err, "pthread_join");
}

/* Returns the largest lateness of the timer thread's ticks, in ms. */
static double part_hog_threads(struct run *r)
{
    struct thread_side side = {.hog = r->hog, .cpu = affinity_first_cpu()};
    printf("  the same as threads: a timer thread ticking every %d ms%s,\n", TICK_MS,
           r->hog ? " and a hog thread" : "");
    if (side.cpu >= 0)
        printf("  pinned to CPU %d (sched_setaffinity)%s\n", side.cpu,
               side.hog ? ": only preemption lets the timer run" : "");
    else
        printf("  not pinned (no sched_setaffinity here): they may run on two cores\n");
    pthread_t timer, hog;
    side.t0 = clock_now();
    start_or_die(&timer, timer_thread, &side);
    if (side.hog)
        start_or_die(&hog, hog_thread, &side);
    join_or_die(timer);
    if (side.hog)
        join_or_die(hog);
    for (int i = 0; i < 2; i++)
        if (side.pin_error[i] != 0)
            printf("  (pinning the %s thread failed: %s)\n", i == 0 ? "timer" : "hog",
                   strerror(side.pin_error[i]));
    double max = 0;
    printf("  timer thread, late (ms):");
    for (int tick = 0; tick < TICKS; tick++) {
        printf(" %.1f", side.late_ms[tick]);
        max = side.late_ms[tick] > max ? side.late_ms[tick] : max;
    }
    printf("\n");
    if (side.hog)
        printf("  hog thread: %lu rounds in %d ms%s\n", side.rounds, HOG_MS,
               side.cpu >= 0 ? ", on the same CPU" : "");
    return max;
}

static void part_hog(struct run *r)
{
    printf("part 5: what one CPU-bound task does to the others\n");
    printf("  two tasks tick every %d ms; late = when a tick ran - when it was due\n", TICK_MS);
    struct ticker k[] = {
        {.run = r, .name = "A", .ticks = TICKS, .period_ms = TICK_MS, .show_lateness = true},
        {.run = r,
         .name = "B",
         .ticks = TICKS,
         .period_ms = TICK_MS,
         .offset_ms = TICK_MS / 2,
         .show_lateness = true}};
    struct hog h = {.run = r};
    struct sched s;
    sched_init(&s);
    sched_spawn(&s, &k[0].task, ticker_run, NULL);
    sched_spawn(&s, &k[1].task, ticker_run, NULL);
    if (r->hog)
        sched_spawn(&s, &h.task, hog_run, NULL);
    else
        printf("  no hog this time: --hog adds a task that computes %d ms without yielding\n",
               HOG_MS);
    r->t0 = clock_now();
    r->max_late_ms = 0;
    run_loop(r, &s);
    printf("  max lateness %.1f ms: %s\n", r->max_late_ms,
           r->hog ? "a task that never yields stalls all the others"
                  : "with nobody hogging the thread, ticks are on time");
    r->thread_max_late_ms = part_hog_threads(r);
    printf("  cooperative: %.1f ms late at most; preemptive threads: %.1f ms\n", r->max_late_ms,
           r->thread_max_late_ms);
    r->part5_ran = true;
}

/* ---- what a switch costs ------------------------------------------------------------------ */

/* The smallest useful generator: count how often it was resumed. */
struct counter {
    struct gen gen;
    long n;
};

static int counter_next(struct counter *c)
{
    GEN_BEGIN(c);
    for (;;) {
        c->n++;
        GEN_YIELD(c);
    }
    GEN_END(c);
}

/* ns per resume-and-yield of a bare generator, called through a pointer the compiler
 * cannot see through (as a scheduler calls it). */
static double measure_switch_ns(long switches)
{
    int (*volatile next)(struct counter *) = counter_next;
    struct counter c = {0};
    double t0 = clock_now();
    for (long i = 0; i < switches; i++)
        next(&c);
    double ns = (clock_now() - t0) * 1e9 / (double)switches;
    if (c.n != switches)
        die("switch benchmark: counted %ld resumes, expected %ld", c.n, switches);
    return ns;
}

/* The same through the scheduler: two tasks that only yield turns to each other. */
struct spinner {
    struct task task;
    long left;
};

static int spinner_run(struct task *t)
{
    struct spinner *p = (struct spinner *)t;
    GEN_BEGIN(t);
    while (p->left-- > 0)
        AWAIT_TURN(t);
    GEN_END(t);
}

static double measure_loop_switch_ns(long switches)
{
    struct spinner a = {.left = switches / 2}, b = {.left = switches / 2};
    struct sched s;
    sched_init(&s);
    sched_spawn(&s, &a.task, spinner_run, NULL);
    sched_spawn(&s, &b.task, spinner_run, NULL);
    double t0 = clock_now();
    sched_run(&s);
    return (clock_now() - t0) * 1e9 / (double)s.resumes;
}

/* ---- main ------------------------------------------------------------------------------- */

static void print_help(void)
{
    printf("06-generator-loop — stackless generators and the event loop they run on\n"
           "\n"
           "Parts: 1 a generator yielding values (and yield from)  2 round-robin of three\n"
           "generators  3 tasks sleeping on timers  4 producer/consumer over a pipe\n"
           "5 timer lateness, with --hog a CPU-bound task that never yields; then the\n"
           "same timer and hog as two threads on one CPU, where the kernel preempts.\n"
           "Ends with the cost of one generator switch (ns) and of its state (bytes).\n"
           "\n"
           "usage: %s %s\n"
           "  --part N       run only part N (1-5); default: all\n"
           "  --hog          part 5: add a task (and a thread) computing %d ms, no yield\n"
           "  --switches N   switches timed for switch_ns (default 10000000)\n"
           "  --help         this text\n"
           "\n"
           "example: 06-generator-loop --part 5 --hog\n",
           prog_name(), usage, HOG_MS);
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    int only_part = 0;
    long switches = 10 * 1000 * 1000;
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
        } else if (strcmp(argv[i], "--switches") == 0) {
            switches = parse_whole_or_die(usage, "--switches", i + 1 < argc ? argv[++i] : NULL,
                                          1000, 1000000000);
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

    double switch_ns = measure_switch_ns(switches);
    double loop_ns = measure_loop_switch_ns(switches / 10 > 1000 ? switches / 10 : 1000);
    printf("switch cost: %ld resume+yield of a %zu-byte generator: %.1f ns each;\n", switches,
           sizeof(struct counter), switch_ns);
    printf("  through the scheduler (a %zu-byte struct task yielding its turn): %.1f ns\n",
           sizeof(struct task), loop_ns);
    char late[2][32] = {"none", "none"}; /* part 5 did not run */
    if (r.part5_ran) {
        snprintf(late[0], sizeof late[0], "%.1f", r.max_late_ms);
        snprintf(late[1], sizeof late[1], "%.1f", r.thread_max_late_ms);
    }
    summary_print("tasks=%lu switches=%lu switch_ns=%.1f gen_bytes=%zu task_bytes=%zu "
                  "loop_switch_ns=%.1f max_late_ms=%s thread_max_late_ms=%s",
                  r.tasks, r.switches, switch_ns, sizeof(struct counter), sizeof(struct task),
                  loop_ns, late[0], late[1]);
    return 0;
}
