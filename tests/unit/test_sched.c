/* test_sched.c — unit checks of the generator scheduler (sched.h): timers in deadline order,
 * descriptor wakeups, wait timeouts, task completion and loop end, spawning from a task,
 * sub-generators inside a task, many tasks. One line per check; exit 1 if any failed. */
#include "clock.h"
#include "errors.h"
#include "sched.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* Where tasks write down what happened to them. */
struct journal {
    int order[1100]; /* ids in the order their event happened */
    int n;
    int done; /* on_done calls */
};

static void note(struct journal *j, int id)
{
    if (j->n < (int)(sizeof j->order / sizeof j->order[0]))
        j->order[j->n++] = id;
}

/* A probe: one task with one job, and what it saw. */
struct probe {
    struct task task; /* first member: (struct probe *)t is the probe */
    struct journal *journal;
    int id;
    double ms; /* how long to sleep, or the wait's timeout */
    int fd;    /* the descriptor to wait for */
    int turns; /* for AWAIT_TURN */
    int i;     /* loop counter: lives in the frame, not on the stack */
    double started, woke_at;
    enum task_woke woke, first_woke;
    char got;           /* byte read */
    int children;       /* for the spawner */
    struct probe *kids; /* children the spawner starts */
};
_Static_assert(offsetof(struct probe, task) == 0, "the task is the probe's first member");

static void probe_done(struct task *t)
{
    ((struct probe *)t)->journal->done++;
}

static int sleeper_run(struct task *t)
{
    struct probe *p = (struct probe *)t;
    GEN_BEGIN(t);
    p->first_woke = t->woke;
    p->started = clock_now();
    AWAIT_SLEEP(t, t, p->ms);
    p->woke = t->woke;
    p->woke_at = clock_now();
    note(p->journal, p->id);
    GEN_END(t);
}

static int reader_run(struct task *t)
{
    struct probe *p = (struct probe *)t;
    GEN_BEGIN(t);
    p->started = clock_now();
    AWAIT_READABLE(t, t, p->fd, p->ms);
    p->woke = t->woke;
    p->woke_at = clock_now();
    if (t->woke == TASK_WOKE_READABLE && read(p->fd, &p->got, 1) != 1)
        die_errno("read");
    note(p->journal, p->id);
    GEN_END(t);
}

static int writer_run(struct task *t)
{
    struct probe *p = (struct probe *)t;
    GEN_BEGIN(t);
    AWAIT_SLEEP(t, t, p->ms);
    AWAIT_WRITABLE(t, t, p->fd, 1000);
    p->woke = t->woke;
    if (write(p->fd, "x", 1) != 1)
        die_errno("write");
    note(p->journal, p->id);
    GEN_END(t);
}

static int turner_run(struct task *t)
{
    struct probe *p = (struct probe *)t;
    GEN_BEGIN(t);
    for (p->i = 0; p->i < p->turns; p->i++) {
        note(p->journal, p->id);
        AWAIT_TURN(t);
        p->woke = t->woke;
    }
    GEN_END(t);
}

static int spawner_run(struct task *t)
{
    struct probe *p = (struct probe *)t;
    GEN_BEGIN(t);
    /* The kids sleep 50, 100, 150 ms, the parent 3 x 1 ms: a margin of 47 ms for the
     * parent to finish first even when a busy machine delays its wake-ups. */
    for (p->i = 0; p->i < p->children; p->i++) {
        struct probe *kid = &p->kids[p->i];
        *kid = (struct probe){.journal = p->journal, .id = 10 + p->i, .ms = 50.0 * (p->i + 1)};
        sched_spawn(t->sched, &kid->task, sleeper_run, probe_done);
        AWAIT_SLEEP(t, t, 1);
    }
    note(p->journal, p->id);
    GEN_END(t);
}

/* A sub-generator that waits on the task it runs in: sleep, then wait for a byte. */
struct nap_then_read {
    struct gen gen;
    int fd;
    char got;
};

static int nap_then_read_next(struct nap_then_read *n, struct task *t)
{
    GEN_BEGIN(n);
    AWAIT_SLEEP(n, t, 5);
    AWAIT_READABLE(n, t, n->fd, 1000);
    if (t->woke != TASK_WOKE_READABLE || read(n->fd, &n->got, 1) != 1)
        n->got = '?';
    GEN_END(n);
}

struct awaiter {
    struct task task;
    struct nap_then_read sub;
    int fd;
    int rounds;
    char got[4];
};

static int awaiter_run(struct task *t)
{
    struct awaiter *a = (struct awaiter *)t;
    GEN_BEGIN(t);
    for (a->rounds = 0; a->rounds < 3; a->rounds++) {
        a->sub = (struct nap_then_read){.fd = a->fd};
        GEN_AWAIT(t, nap_then_read_next(&a->sub, t));
        a->got[a->rounds] = a->sub.got;
    }
    GEN_END(t);
}

static void make_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        die_errno("pipe");
}

static void close_pipe(int fds[2])
{
    if (close(fds[0]) != 0 || close(fds[1]) != 0)
        die_errno("close");
}

/* --- the checks ------------------------------------------------------------------------- */

static void check_timers(void)
{
    static const double delays[] = {50, 10, 40, 20, 30};
    struct sched s;
    struct journal j = {0};
    struct probe p[5];
    sched_init(&s);
    for (int i = 0; i < 5; i++) {
        p[i] = (struct probe){.journal = &j, .id = (int)delays[i], .ms = delays[i]};
        sched_spawn(&s, &p[i].task, sleeper_run, probe_done);
    }
    double t0 = clock_now();
    sched_run(&s);
    double wall_ms = (clock_now() - t0) * 1000;
    check_that(j.n == 5 && j.order[0] == 10 && j.order[1] == 20 && j.order[2] == 30 &&
                   j.order[3] == 40 && j.order[4] == 50,
               "timers wake in deadline order (spawned 50 10 40 20 30, woke 10 20 30 40 50)");
    bool slept_enough = true, woke_timer = true, first_start = true;
    for (int i = 0; i < 5; i++) {
        slept_enough &= (p[i].woke_at - p[i].started) * 1000 >= p[i].ms;
        woke_timer &= p[i].woke == TASK_WOKE_TIMER;
        first_start &= p[i].first_woke == TASK_WOKE_START;
    }
    check_that(slept_enough, "no timer wakes before its deadline");
    check_that(woke_timer && first_start, "woke says START on the first run, TIMER after a sleep");
    check_that(wall_ms >= 50 && wall_ms < 50 + 1000, "the timers overlap: wall >= 50 ms, not 150");
    check_that(j.done == 5 && s.live == 0 && s.spawned == 5 && s.resumes == 10,
               "every task finished, on_done ran 5 times, 10 resumes, loop ended");
}

static void check_fd_wakeup(void)
{
    int fds[2];
    make_pipe(fds);
    struct sched s;
    struct journal j = {0};
    struct probe reader = {.journal = &j, .id = 1, .fd = fds[0], .ms = 5000};
    struct probe writer = {.journal = &j, .id = 2, .fd = fds[1], .ms = 20};
    sched_init(&s);
    sched_spawn(&s, &reader.task, reader_run, probe_done);
    sched_spawn(&s, &writer.task, writer_run, probe_done);
    sched_run(&s);
    close_pipe(fds);
    check_that(reader.woke == TASK_WOKE_READABLE && reader.got == 'x',
               "a task waiting on a pipe wakes READABLE and reads the byte written");
    check_that(writer.woke == TASK_WOKE_WRITABLE,
               "a task waiting to write an empty pipe wakes WRITABLE");
    check_that((reader.woke_at - reader.started) * 1000 >= 20 && j.order[0] == 2 && j.order[1] == 1,
               "the reader slept until the writer wrote (>= 20 ms, writer first)");
    check_that(s.polls >= 1 && j.done == 2, "the loop slept in poll() and both tasks finished");
}

static void check_timeout(void)
{
    int fds[2];
    make_pipe(fds);
    struct sched s;
    struct journal j = {0};
    struct probe reader = {.journal = &j, .id = 1, .fd = fds[0], .ms = 30};
    sched_init(&s);
    sched_spawn(&s, &reader.task, reader_run, probe_done);
    sched_run(&s);
    close_pipe(fds);
    double waited = (reader.woke_at - reader.started) * 1000;
    check_that(reader.woke == TASK_WOKE_TIMEOUT, "a read wait on a silent pipe wakes with TIMEOUT");
    check_that(waited >= 30 && waited < 1000, "the timeout came after 30 ms, not before");
}

static void check_turns(void)
{
    struct sched s;
    struct journal j = {0};
    struct probe a = {.journal = &j, .id = 1, .turns = 3};
    struct probe b = {.journal = &j, .id = 2, .turns = 3};
    sched_init(&s);
    sched_spawn(&s, &a.task, turner_run, NULL);
    sched_spawn(&s, &b.task, turner_run, NULL);
    sched_run(&s);
    static const int want[] = {1, 2, 1, 2, 1, 2};
    check_that(j.n == 6 && memcmp(j.order, want, sizeof want) == 0,
               "two tasks yielding turns alternate: 1 2 1 2 1 2");
    check_that(a.woke == TASK_WOKE_TURN && s.resumes == 8 && s.polls == 0,
               "woke says TURN; 8 resumes; no poll() needed when no one waits");
}

static void check_spawn(void)
{
    struct sched s;
    struct journal j = {0};
    struct probe kids[3];
    struct probe parent = {.journal = &j, .id = 1, .children = 3, .kids = kids};
    sched_init(&s);
    sched_spawn(&s, &parent.task, spawner_run, probe_done);
    sched_run(&s);
    check_that(j.done == 4 && s.spawned == 4, "a task spawned 3 tasks from inside; all 4 finished");
    check_that(j.n == 4 && j.order[0] == 1 && j.order[1] == 10 && j.order[2] == 11 &&
                   j.order[3] == 12,
               "the parent finished first (3 ms), then its children in deadline order");
}

static void check_sub_generator(void)
{
    int fds[2];
    make_pipe(fds);
    if (write(fds[1], "abc", 3) != 3)
        die_errno("write");
    struct sched s;
    struct awaiter a = {.fd = fds[0]};
    sched_init(&s);
    sched_spawn(&s, &a.task, awaiter_run, NULL);
    sched_run(&s);
    close_pipe(fds);
    check_that(
        memcmp(a.got, "abc", 3) == 0 && a.rounds == 3,
        "a task awaiting a sub-generator 3 times: each sleep and read went through the loop");
    check_that(s.resumes == 7, "7 resumes: start + 3 x (after sleep, after readable)");
}

static void check_many(void)
{
    enum { MANY = 1000 };
    struct probe *p = calloc(MANY, sizeof *p);
    struct journal *j = calloc(1, sizeof *j);
    if (p == NULL || j == NULL)
        die("out of memory");
    struct sched s;
    sched_init(&s);
    for (int i = 0; i < MANY; i++) {
        double ms = (double)((i * 7919) % 100); /* 0..99 ms, scattered */
        p[i] = (struct probe){.journal = j, .id = i, .ms = ms};
        sched_spawn(&s, &p[i].task, sleeper_run, probe_done);
    }
    double t0 = clock_now();
    sched_run(&s);
    double wall = clock_now() - t0;
    bool in_order = j->n == MANY;
    for (int k = 1; k < j->n; k++)
        in_order &= p[j->order[k - 1]].task.deadline <= p[j->order[k]].task.deadline;
    check_that(j->done == MANY && s.live == 0, "1000 sleeping tasks all finish and the loop ends");
    check_that(in_order, "1000 timers wake in the order of their deadlines");
    check_that(wall >= 0.099 && wall < 5.0, "1000 sleeps of up to 99 ms overlap (wall < 5 s)");
    free(p);
    free(j);

    /* The loop can be run again after it has emptied. */
    struct journal j2 = {0};
    struct probe again = {.journal = &j2, .id = 1, .ms = 1};
    sched_spawn(&s, &again.task, sleeper_run, probe_done);
    sched_run(&s);
    check_that(j2.done == 1, "the same struct sched runs again after it emptied");
}

int main(int argc, char **argv)
{
    (void)argc;
    prog_start(argv[0]);
    check_timers();
    check_fd_wakeup();
    check_timeout();
    check_turns();
    check_spawn();
    check_sub_generator();
    check_many();
    return check_report("test_sched");
}
