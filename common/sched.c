/* sched.c — see sched.h. The whole event loop:
 *
 *     while a task is left:
 *         resume every task in the run queue once      (each runs until its next yield)
 *         poll() the descriptors the others wait for,  (sleeps until the nearest deadline,
 *                                                        or not at all if a task is ready)
 *         move the tasks whose wait is over to the run queue
 *
 * Read it beside 06's loop (examples/06-generator-loop.c): 06's resume() is resume() here,
 * its timeout_ms() is ms_until_nearest_deadline(), and the body of its loop_run() is
 * run_ready_tasks() then wait_for_events(). The two repeat each other's shape on purpose,
 * to be read side by side. This one has grown what 07's crawl needs:
 *   - any number of tasks: linked lists and a pollfd array that grows, not fixed arrays;
 *   - on_done, so that a finished task can be freed, and t->sched, so that a task can
 *     spawn more (07 hires its workers from inside the loop);
 *   - notices: AWAIT_NOTICE and sched_notify(), a broadcast (a fetch ended: a descriptor
 *     is free);
 *   - t->woke says why a task was resumed, not only "timed out"; a signal that interrupts
 *     poll() wakes every waiting task, so that a crawl can stop on Ctrl-C;
 *   - waits filed from a sub-generator: AWAIT_*(sub, task, ...).
 *
 * Why poll() and not select(): select() cannot watch a descriptor numbered FD_SETSIZE
 * (1024) or more, and a crawler with many sockets open gets there (lecture claim 9);
 * poll() takes an array of any length. Waiting tasks sit in one list sorted by deadline:
 * the nearest timer is its head (asyncio keeps a heap, faster for thousands of timers).
 */
#include "sched.h"
#include "clock.h"
#include "errors.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

void sched_init(struct sched *s)
{
    *s = (struct sched){0};
}

static void push_ready(struct sched *s, struct task *t)
{
    t->next = NULL;
    if (s->ready_tail != NULL)
        s->ready_tail->next = t;
    else
        s->ready = t;
    s->ready_tail = t;
}

void sched_spawn(struct sched *s, struct task *t, task_run_fn *run, task_done_fn *on_done)
{
    *t = (struct task){
        .run = run, .on_done = on_done, .sched = s, .fd = -1, .woke = TASK_WOKE_START};
    s->live++;
    s->spawned++;
    push_ready(s, t);
}

void task_file_wait(struct task *t, enum task_want what, int fd, double timeout_ms)
{
    t->want = what;
    t->fd = fd;
    /* A sleep's length is its deadline, even if it is not positive (it ends at once). */
    bool no_limit = timeout_ms < 0 && what != TASK_WANT_SLEEP;
    t->deadline = no_limit ? INFINITY : clock_now() + timeout_ms / 1000.0;
}

/* Insert into the wait list, kept sorted by deadline. New deadlines are usually the
 * latest, so the walk starts at the tail. */
static void add_waiting(struct sched *s, struct task *t)
{
    struct task *after = s->wait_tail;
    while (after != NULL && after->deadline > t->deadline)
        after = after->prev;
    t->prev = after;
    t->next = after != NULL ? after->next : s->waiting;
    if (t->next != NULL)
        t->next->prev = t;
    else
        s->wait_tail = t;
    if (after != NULL)
        after->next = t;
    else
        s->waiting = t;
    s->nwaiting++;
}

/* The wait is over: out of the wait list, into the run queue, told why. */
static void wake(struct sched *s, struct task *t, enum task_woke why)
{
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        s->waiting = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    else
        s->wait_tail = t->prev;
    s->nwaiting--;
    t->woke = why;
    push_ready(s, t);
}

void sched_notify(struct sched *s)
{
    struct task *t = s->waiting;
    while (t != NULL) {
        struct task *next = t->next; /* wake() relinks t */
        if (t->want == TASK_WANT_NOTICE)
            wake(s, t, TASK_WOKE_NOTICE);
        t = next;
    }
}

/* One task switch: run t until its next yield, then file it where its wait says. */
static void resume(struct sched *s, struct task *t)
{
    t->want = TASK_WANT_TURN; /* a bare GEN_YIELD only lets the others run */
    s->resumes++;
    if (t->run(t) == GEN_DONE) {
        s->live--;
        if (t->on_done != NULL)
            t->on_done(t);
        return;
    }
    if (t->want == TASK_WANT_TURN) {
        t->woke = TASK_WOKE_TURN;
        push_ready(s, t);
    } else {
        add_waiting(s, t);
    }
}

/* Resume the tasks that are ready now. Tasks that become ready meanwhile (spawned, or
 * yielding a turn) wait for the next pass, so descriptors are polled between passes and
 * a task that keeps yielding cannot starve the ones waiting for I/O. */
static void run_ready_tasks(struct sched *s)
{
    struct task *last = s->ready_tail;
    while (s->ready != NULL) {
        struct task *t = s->ready;
        bool was_last = (t == last); /* t may be freed by its on_done */
        s->ready = t->next;
        if (s->ready == NULL)
            s->ready_tail = NULL;
        resume(s, t);
        if (was_last)
            break;
    }
}

/* poll() timeout in whole ms until the nearest deadline, rounded up so that the loop
 * never wakes early and spins; -1 (forever) if no wait has a deadline. */
static int ms_until_nearest_deadline(const struct sched *s)
{
    if (s->waiting == NULL || s->waiting->deadline == INFINITY)
        return -1;
    double ms = (s->waiting->deadline - clock_now()) * 1000.0;
    if (ms <= 0)
        return 0;
    int whole = ms < 1e9 ? (int)ms : 1000000000; /* 11 days: the caller will look again */
    return whole < ms ? whole + 1 : whole;
}

/* Put every descriptor wait into the poll() array; returns how many. */
static size_t collect_pollfds(struct sched *s)
{
    if (s->pfd_cap < s->nwaiting) {
        size_t cap = s->nwaiting * 2;
        struct pollfd *pfds = realloc(s->pfds, cap * sizeof *pfds);
        if (pfds != NULL)
            s->pfds = pfds;
        struct task **owners = realloc(s->pfd_task, cap * sizeof *owners);
        if (pfds == NULL || owners == NULL)
            die("scheduler: out of memory for %zu descriptor waits", s->nwaiting);
        s->pfd_task = owners;
        s->pfd_cap = cap;
    }
    size_t n = 0;
    for (struct task *t = s->waiting; t != NULL; t = t->next) {
        if (t->want != TASK_WANT_READ && t->want != TASK_WANT_WRITE)
            continue;
        short events = t->want == TASK_WANT_READ ? POLLIN : POLLOUT;
        s->pfds[n] = (struct pollfd){.fd = t->fd, .events = events};
        s->pfd_task[n++] = t;
    }
    return n;
}

/* Sleep in poll() until something a task waits for happens, then wake those tasks:
 * ready descriptors first, then expired deadlines in deadline order. */
static void wait_for_events(struct sched *s)
{
    size_t n = collect_pollfds(s);
    int timeout = s->ready != NULL ? 0 : ms_until_nearest_deadline(s);
    if (n > 0 || timeout != 0) {
        s->polls++;
        if (poll(s->pfds, (nfds_t)n, timeout) < 0) {
            if (errno != EINTR)
                die_errno("poll");
            /* A signal came: no revents to read. Wake every waiting task to look at it
             * (one that has nothing to do about it just waits again). */
            while (s->waiting != NULL)
                wake(s, s->waiting, TASK_WOKE_SIGNAL);
            return;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct task *t = s->pfd_task[i];
        if (s->pfds[i].revents != 0)
            wake(s, t, t->want == TASK_WANT_READ ? TASK_WOKE_READABLE : TASK_WOKE_WRITABLE);
    }
    double now = clock_now();
    while (s->waiting != NULL && s->waiting->deadline <= now) {
        struct task *t = s->waiting;
        wake(s, t, t->want == TASK_WANT_SLEEP ? TASK_WOKE_TIMER : TASK_WOKE_TIMEOUT);
    }
}

void sched_run(struct sched *s)
{
    while (s->live > 0) {
        run_ready_tasks(s);
        if (s->live > 0)
            wait_for_events(s);
    }
    free(s->pfds);
    free(s->pfd_task);
    s->pfds = NULL;
    s->pfd_task = NULL;
    s->pfd_cap = 0;
}
