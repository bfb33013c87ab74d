/* costs.c — see costs.h. */
#include "costs.h"
#include "clock.h"
#include "errors.h"
#include "proc.h"
#include "procfs.h"
#include "threads.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdnoreturn.h>
#include <sys/wait.h>
#include <unistd.h>

/* Wait for a child, which must have exited with status 0: no zombie is left behind. */
static void reap_child(pid_t pid)
{
    int status = proc_wait(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("child %ld did not exit with status 0 (wait status %d)", (long)pid, status);
}

double costs_fork(long n)
{
    double start = clock_now();
    for (long i = 0; i < n; i++) {
        pid_t pid = proc_fork();
        if (pid == 0)
            _exit(0);
        reap_child(pid);
    }
    return (clock_now() - start) / (double)n;
}

static void *return_at_once(void *arg)
{
    return arg;
}

double costs_pthread_create(long n)
{
    double start = clock_now();
    for (long i = 0; i < n; i++) {
        pthread_t id;
        thread_start(&id, return_at_once, NULL);
        thread_join(id);
    }
    return (clock_now() - start) / (double)n;
}

static int put_byte(int fd)
{
    ssize_t n;
    while ((n = write(fd, "x", 1)) < 0 && errno == EINTR)
        continue;
    return n == 1 ? 1 : -1;
}

static int get_byte(int fd)
{
    char byte;
    ssize_t n;
    while ((n = read(fd, &byte, 1)) < 0 && errno == EINTR)
        continue;
    return (int)n;
}

/* ping carries the byte from the timing side to the answering side, pong carries it back. */
struct pipes {
    int ping[2], pong[2];
};

static void open_pipes(struct pipes *p)
{
    if (pipe(p->ping) != 0 || pipe(p->pong) != 0)
        die_errno("pipe");
}

static void close_or_die(int fd)
{
    if (close(fd) != 0)
        die_errno("close fd %d", fd);
}

/* The answering side: send every byte back until the other side closes its end. Returns 0
 * at end of file, -1 on an error. */
static int answer_until_eof(const struct pipes *p)
{
    int got;
    while ((got = get_byte(p->ping[0])) == 1)
        if (put_byte(p->pong[1]) != 1)
            return -1;
    return got;
}

/* The timing side: `trips` round trips (two switches each); returns seconds per switch. */
static double volley(const struct pipes *p, long trips)
{
    double start = clock_now();
    for (long i = 0; i < trips; i++)
        if (put_byte(p->ping[1]) != 1 || get_byte(p->pong[0]) != 1)
            die_errno("pipe ping-pong, round trip %ld", i + 1);
    return (clock_now() - start) / (2.0 * (double)trips);
}

double costs_switch_processes(long switches)
{
    struct pipes p;
    open_pipes(&p);
    pid_t pid = proc_fork();
    if (pid == 0) {
        if (close(p.ping[1]) != 0 || close(p.pong[0]) != 0)
            die_child(1, "close");
        if (answer_until_eof(&p) != 0)
            die_child(1, "child: pipe ping-pong");
        if (close(p.ping[0]) != 0 || close(p.pong[1]) != 0)
            die_child(1, "close");
        _exit(0);
    }
    close_or_die(p.ping[0]);
    close_or_die(p.pong[1]);
    double per_switch = volley(&p, switches / 2);
    close_or_die(p.ping[1]); /* the child reads end of file and exits */
    close_or_die(p.pong[0]);
    reap_child(pid);
    return per_switch;
}

static void *answer_thread(void *arg)
{
    if (answer_until_eof(arg) != 0)
        die_errno("thread: pipe ping-pong");
    return NULL;
}

double costs_switch_threads(long switches)
{
    struct pipes p;
    open_pipes(&p);
    pthread_t id;
    thread_start(&id, answer_thread, &p);
    double per_switch = volley(&p, switches / 2);
    close_or_die(p.ping[1]); /* the thread reads end of file and returns */
    thread_join(id);
    close_or_die(p.ping[0]);
    close_or_die(p.pong[0]);
    close_or_die(p.pong[1]);
    return per_switch;
}

/* ---- memory: K alive at once ------------------------------------------------------- */

/* A fresh allocation made resident now, so that it does not count as the units' memory
 * measured next. (Filled with 0xFF, not 0: the compiler may turn malloc + memset to zero
 * into calloc, which leaves fresh pages untouched, hence not resident.) */
void *costs_malloc_resident(size_t size, const char *what)
{
    void *block = malloc(size);
    if (block == NULL)
        die_errno("malloc %zu bytes for %s", size, what);
    return memset(block, 0xFF, size);
}

/* Add one more measurement to a total that becomes -1 (unknown) as soon as one is. */
static void add_known(double *total, double value)
{
    *total = *total < 0 || value < 0 ? -1 : *total + value;
}

/* A child for the memory row: say "ready", then block until the parent closes `hold`. */
static noreturn void live_child(const int ready[2], const int hold[2])
{
    if (close(ready[0]) != 0 || close(hold[1]) != 0)
        die_child(1, "close");
    if (put_byte(ready[1]) != 1 || close(ready[1]) != 0)
        die_child(1, "write to the ready pipe");
    if (get_byte(hold[0]) != 0 || close(hold[0]) != 0) /* end of file: measured */
        die_child(1, "read the hold pipe");
    _exit(0);
}

/* K children, each blocked in read() on `hold` once it has said so on `ready`. Their
 * resident size is what ps shows as RSS: mostly pages still shared with the parent
 * (copy-on-write), mapped into the child's own page tables. The child's own pages come
 * from Linux 4.14's smaps_rollup. */
struct costs_process_memory costs_live_processes(long k)
{
    int ready[2], hold[2];
    if (pipe(ready) != 0 || pipe(hold) != 0)
        die_errno("pipe");
    pid_t *pids = costs_malloc_resident((size_t)k * sizeof *pids, "pids");
    for (long i = 0; i < k; i++) {
        pids[i] = proc_fork();
        if (pids[i] == 0) {
            free(pids); /* the child's copy: it needs none of it */
            live_child(ready, hold);
        }
    }
    if (close(ready[1]) != 0 || close(hold[0]) != 0)
        die_errno("close");
    for (long arrived = 0; arrived < k; arrived++)
        if (get_byte(ready[0]) != 1)
            die_errno("read the ready pipe: %ld of %ld children", arrived, k);
    double rss = 0, own = 0, tables = 0;
    for (long i = 0; i < k; i++) {
        double clean = procfs_field(pids[i], "smaps_rollup", "Private_Clean:");
        double dirty = procfs_field(pids[i], "smaps_rollup", "Private_Dirty:");
        add_known(&rss, procfs_resident_bytes(pids[i]));
        add_known(&own, clean < 0 || dirty < 0 ? -1 : (clean + dirty) * 1024);
        add_known(&tables, procfs_field(pids[i], "status", "VmPTE:") * 1024);
    }
    if (close(hold[1]) != 0) /* every child reads end of file and exits */
        die_errno("close");
    for (long i = 0; i < k; i++) {
        int status = proc_wait(pids[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("child %ld did not exit with status 0 (wait status %d)", (long)pids[i], status);
    }
    if (close(ready[0]) != 0)
        die_errno("close");
    free(pids);
    return (struct costs_process_memory){.resident = rss < 0 ? -1 : rss / (double)k,
                                         .own = own < 0 ? -1 : own / (double)k,
                                         .page_tables = tables < 0 ? -1 : tables / (double)k};
}

/* Threads wait here until every one of them has arrived and the main thread opens it. */
struct gate {
    pthread_mutex_t lock;
    pthread_cond_t all_arrived, opened;
    long expected, arrived;
    int open;
};

static void *wait_at_gate(void *arg)
{
    struct gate *g = arg;
    thread_lock(&g->lock);
    if (++g->arrived == g->expected) {
        int err = pthread_cond_signal(&g->all_arrived);
        if (err != 0)
            die_pthread(err, "pthread_cond_signal");
    }
    while (!g->open)
        thread_wait(&g->opened, &g->lock);
    thread_unlock(&g->lock);
    return NULL;
}

double costs_live_threads(long k)
{
    pthread_t *ids = costs_malloc_resident((size_t)k * sizeof *ids, "thread ids");
    struct gate g = {.lock = PTHREAD_MUTEX_INITIALIZER,
                     .all_arrived = PTHREAD_COND_INITIALIZER,
                     .opened = PTHREAD_COND_INITIALIZER,
                     .expected = k};
    double before = procfs_resident_bytes(0);
    for (long i = 0; i < k; i++)
        thread_start(&ids[i], wait_at_gate, &g);
    thread_lock(&g.lock);
    while (g.arrived < k)
        thread_wait(&g.all_arrived, &g.lock);
    double after = procfs_resident_bytes(0); /* all k alive, each blocked at the gate */
    g.open = 1;
    int err = pthread_cond_broadcast(&g.opened);
    if (err != 0)
        die_pthread(err, "pthread_cond_broadcast");
    thread_unlock(&g.lock);
    for (long i = 0; i < k; i++)
        thread_join(ids[i]);
    free(ids);
    if ((err = pthread_cond_destroy(&g.opened)) != 0 ||
        (err = pthread_cond_destroy(&g.all_arrived)) != 0 ||
        (err = pthread_mutex_destroy(&g.lock)) != 0)
        die_pthread(err, "destroy the gate");
    return before < 0 || after < 0 ? -1 : (after - before) / (double)k;
}

/* ---- nothing left behind -------------------------------------------------------------- */

int costs_open_descriptors(void)
{
    int count = 0;
    for (int fd = 0; fd < 1024; fd++)
        count += fcntl(fd, F_GETFD) != -1; /* fcntl fails on a closed descriptor */
    return count;
}

long costs_check_nothing_left(int descriptors_at_start)
{
    pid_t child = waitpid(-1, NULL, WNOHANG);
    if (child != -1 || errno != ECHILD)
        die("waitpid(-1) returned %ld: a child was never waited for", (long)child);
    long threads = (long)procfs_field(0, "status", "Threads:");
    if (threads > 1)
        die("%ld threads alive at the end, expected 1", threads);
    int descriptors = costs_open_descriptors();
    if (descriptors != descriptors_at_start)
        die("%d descriptors open at the end, %d at the start", descriptors, descriptors_at_start);
    return threads;
}
