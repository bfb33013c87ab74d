/* sched.h — the event loop for generator tasks: a run queue, timers, descriptor waits.
 *
 * A task is a generator (gen.h) that the loop resumes. Before each yield the task says
 * what it waits for: nothing (just let the others run), a timer, or a descriptor becoming
 * readable or writable, optionally with a deadline. The loop runs every ready task once,
 * then sleeps in ONE poll() call until the nearest timer or the first ready descriptor,
 * wakes the tasks whose wait is over, and starts again. It returns when no task is left.
 * This is what asyncio's event loop does, in one page: see sched.c and
 * docs/06-generator-loop.md for the picture. 06 holds the minimal form of this loop in its
 * own file (loop_run); this is that loop grown for 07 (sched.c's header lists what grew).
 *
 * No global state: the caller owns the struct sched (and every task's memory). Tasks are
 * embedded in the caller's own structs, as their FIRST member, so that the run function
 * can turn the struct task * back into its owner:
 *
 *     struct fetch { struct task task; int fd; char req[512]; size_t sent, got; char buf[8192]; };
 *
 *     static int fetch_run(struct task *t)         // the fetch, read top to bottom
 *     {
 *         struct fetch *f = (struct fetch *)t;     // the frame; no local survives a yield
 *         ssize_t n;                               // ...so n is only used between yields
 *         GEN_BEGIN(t);
 *         f->fd = net_connect_start(host, port, why, sizeof why);      // 03: connect()
 *         if (f->fd < 0) GEN_RETURN(t);
 *         AWAIT_WRITABLE(t, t, f->fd, timeout_ms);
 *         if (t->woke == TASK_WOKE_TIMEOUT || net_connect_result(f->fd) != 0) goto done;
 *         while (f->sent < strlen(f->req)) {                           // 03: send()
 *             n = write(f->fd, f->req + f->sent, strlen(f->req) - f->sent);
 *             if (n > 0) { f->sent += (size_t)n; continue; }
 *             if (!net_would_block(errno)) goto done;
 *             AWAIT_WRITABLE(t, t, f->fd, timeout_ms);
 *             if (t->woke == TASK_WOKE_TIMEOUT) goto done;
 *         }
 *         for (;;) {                                                   // 03: recv() to EOF
 *             AWAIT_READABLE(t, t, f->fd, timeout_ms);
 *             if (t->woke == TASK_WOKE_TIMEOUT) goto done;
 *             n = read(f->fd, f->buf + f->got, sizeof f->buf - f->got);
 *             if (n == 0) break;                   // EOF: the whole response is in
 *             if (n > 0) f->got += (size_t)n; else if (!net_would_block(errno)) goto done;
 *         }
 *         // parse, enqueue links; sched_spawn(t->sched, ...) starts more fetches
 *     done:
 *         close(f->fd);
 *         GEN_END(t);
 *     }
 *     ...  sched_spawn(&loop, &f->task, fetch_run, fetch_free);  sched_run(&loop);
 *
 * The waits go where 03 would block; everything else is 03's code. Each AWAIT_* is one
 * line (rule 3 of gen.h). A timeout is per wait: t->woke == TASK_WOKE_TIMEOUT tells.
 * Inside a sub-generator awaited with GEN_AWAIT (e.g. a worker task awaiting a fetch), pass
 * the task along: AWAIT_READABLE(sub, task, fd, ms) saves sub's resume point and files the
 * wait on task; each yield goes up through the worker to the loop.
 */
#ifndef ASYNCLAB_SCHED_H
#define ASYNCLAB_SCHED_H

#include "gen.h"

#include <poll.h>
#include <stddef.h>

struct task;
struct sched;

/* A task's body: a generator function (GEN_MORE: waiting, GEN_DONE: finished). */
typedef int task_run_fn(struct task *t);
/* Called once the task has finished; the loop never touches the task again (free it here). */
typedef void task_done_fn(struct task *t);

/* What the task waits for when it yields (filed by the AWAIT_* macros). */
enum task_want {
    TASK_WANT_TURN,
    TASK_WANT_SLEEP,
    TASK_WANT_READ,
    TASK_WANT_WRITE,
    TASK_WANT_NOTICE, /* until another task calls sched_notify() */
};

/* Why the task was resumed: read t->woke after an AWAIT_*. */
enum task_woke {
    TASK_WOKE_START,    /* first run after sched_spawn */
    TASK_WOKE_TURN,     /* it only let the others run */
    TASK_WOKE_TIMER,    /* its sleep is over */
    TASK_WOKE_READABLE, /* the descriptor is readable (data, EOF or error: read() tells) */
    TASK_WOKE_WRITABLE, /* the descriptor is writable (or a connect finished or failed) */
    TASK_WOKE_TIMEOUT,  /* the descriptor did not become ready before the deadline */
    TASK_WOKE_NOTICE,   /* another task called sched_notify() */
    TASK_WOKE_SIGNAL,   /* a signal interrupted poll(): every waiting task is told */
};

struct task {
    struct gen gen;           /* resume point: a task IS a generator */
    task_run_fn *run;         /* what the loop calls to resume it */
    task_done_fn *on_done;    /* may be NULL */
    struct sched *sched;      /* the loop that runs it, e.g. to spawn more tasks */
    enum task_want want;      /* what it waits for ... */
    int fd;                   /* ... on which descriptor (-1: none) ... */
    double deadline;          /* ... until when (clock_now() seconds; INFINITY: no limit) */
    enum task_woke woke;      /* why it was resumed this time */
    struct task *prev, *next; /* links in the run queue or in the wait list */
};

struct sched {
    struct task *ready, *ready_tail;       /* run queue, first in first out */
    struct task *waiting, *wait_tail;      /* waiting tasks, nearest deadline first */
    size_t live;                           /* tasks spawned and not finished */
    size_t nwaiting;                       /* tasks in the wait list */
    struct pollfd *pfds;                   /* poll() arguments, rebuilt before each call */
    struct task **pfd_task;                /* the task behind each pfds[i] */
    size_t pfd_cap;                        /* room in pfds and pfd_task */
    unsigned long spawned, resumes, polls; /* counters: tasks, task switches, poll() calls */
};

/* An empty loop: no task, counters at zero. */
void sched_init(struct sched *s);

/* Add a task to the run queue; it starts at the next pass. The caller has set up the
 * owning struct; the embedded task is initialised here. Callable from inside a task. */
void sched_spawn(struct sched *s, struct task *t, task_run_fn *run, task_done_fn *on_done);

/* Run until no task is left, then release what the loop allocated (the struct can be
 * run again after more sched_spawn calls). Dies on a poll() failure other than EINTR. */
void sched_run(struct sched *s);

/* Wake every task waiting in AWAIT_NOTICE (e.g. "a fetch finished: a descriptor is free").
 * Like a condition variable's broadcast; callable from inside a task. */
void sched_notify(struct sched *s);

/* File a wait on t (the AWAIT_* macros call this just before they yield): fd is -1 but for
 * TASK_WANT_READ and TASK_WANT_WRITE; timeout_ms < 0 waits without a limit (a sleep's
 * timeout_ms is its length). */
void task_file_wait(struct task *t, enum task_want what, int fd, double timeout_ms);

/* Inside a task's generator: suspend generator s (the task itself, or a sub-generator
 * running inside task t) until the wait filed on t is over; then look at t->woke. */
/* clang-format off */
#define AWAIT_SLEEP(s, t, ms)                                         \
    do {                                                              \
        task_file_wait((t), TASK_WANT_SLEEP, -1, (ms));           \
        GEN_YIELD(s);                                                 \
    } while (0)
#define AWAIT_READABLE(s, t, fd, timeout_ms)                          \
    do {                                                              \
        task_file_wait((t), TASK_WANT_READ, (fd), (timeout_ms));  \
        GEN_YIELD(s);                                                 \
    } while (0)
#define AWAIT_WRITABLE(s, t, fd, timeout_ms)                          \
    do {                                                              \
        task_file_wait((t), TASK_WANT_WRITE, (fd), (timeout_ms)); \
        GEN_YIELD(s);                                                 \
    } while (0)
/* Wait, without a deadline, until some task calls sched_notify() (or a signal comes). */
#define AWAIT_NOTICE(s, t)                                            \
    do {                                                              \
        task_file_wait((t), TASK_WANT_NOTICE, -1, -1);            \
        GEN_YIELD(s);                                                 \
    } while (0)
/* clang-format on */
/* Let every other ready task run once, then continue (asyncio.sleep(0)). A bare
 * GEN_YIELD does the same. */
#define AWAIT_TURN(s) GEN_YIELD(s)

#endif
