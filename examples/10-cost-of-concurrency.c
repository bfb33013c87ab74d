/* 10-cost-of-concurrency — one table: what a process, a thread and a generator cost
 *
 * The lecture says that processes are expensive, threads cheaper and coroutines cheaper
 * still. This example measures all three on the machine it runs on, three ways each, and
 * prints one table:
 *
 *   create   start a unit that does (almost) nothing, let it finish, collect it; N times.
 *            process:   fork + _exit + waitpid
 *            thread:    pthread_create + return + pthread_join
 *            generator: malloc its frame + resume it to its yield and on to its end + free
 *   switch   two units hand control back and forth, many times.
 *            processes and threads: ping-pong one byte over a pair of pipes (the kernel
 *            puts one to sleep and wakes the other); generators: a loop resumes two
 *            generators in turn (a function call and a return)
 *   memory   K units alive at the same time.
 *            processes:  K children blocked on a pipe: their resident size (/proc/PID/statm)
 *            threads:    K threads waiting at a gate: growth of this process's resident
 *                        size / K, plus the stack address space each one reserves
 *            generators: K generators suspended at a yield: growth / K, and sizeof the frame
 *
 * thread limit  a forked child, its address space capped (RLIMIT_AS) at its size + 4 GiB,
 *            creates threads with the default stack until pthread_create fails (at most
 *            100,000, under a 30 s alarm; skipped under valgrind): how many fit, why it
 *            stopped, and what a million would need.
 *
 * Every time is the median of -r rounds. Memory is measured once, after the rounds: they free
 * all they create, so the process is small again (a big parent makes every fork slower and
 * every child's RSS bigger). The last column divides each figure by the generator's.
 *
 * Run:  make run-10                  (ARGS="-n 0.1 -r 3" for a quicker, smaller run)
 * Look for: the "x generator" column: creating a process costs as much as tens of
 * thousands of generators, a thread thousands; a kernel switch takes µs, a generator switch
 * a few ns; a child shows hundreds of KiB of RSS but owns little of it, a thread keeps some
 * KiB (and reserves 8 MiB of stack), a generator a few dozen bytes. The round lines show how
 * much the figures move between runs. The thread limit: a few hundred threads use up 4 GiB
 * of address space; a million would need terabytes.
 * Lecture claims: 1 (creating a process is slow and costs memory), 3 (threads are cheaper
 * to create than processes), 13 (cooperative switching is far cheaper than a thread or
 * process context switch). Lecture topic (not a numbered claim): a million threads won't
 * fit (the thread limit).
 */
#include "chart.h"
#include "clock.h"
#include "errors.h"
#include "proc.h"
#include "gen.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdnoreturn.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE      "[-n SCALE] [-r ROUNDS] [-q] [--svg FILE] [--help]"
#define MAX_ROUNDS 99
#define MAX_SCALE  10.0
#define MIN_SCALE  0.0001

enum kind { PROCESS, THREAD, GENERATOR, KINDS };
static const char *const kind_names[KINDS] = {"process", "thread", "generator"};
static const char *const kind_plurals[KINDS] = {"processes", "threads", "generators"};

/* Units per measurement at -n 1, chosen so that the whole run takes a few seconds. */
static const long default_create[KINDS] = {2000, 20000, 1000000};
static const long default_switches[KINDS] = {20000, 20000, 10000000};
static const long default_live[KINDS] = {200, 2000, 1000000};
/* The fewest, whatever -n says: a ping-pong needs two switches, and resident memory moves in
 * 4 KiB pages, so a few thousand generators would vanish in the rounding. */
static const long minimum_count[KINDS] = {2, 2, 10000};

struct options {
    double scale;         /* -n: every count is its default times this */
    long rounds;          /* -r: the median is taken over this many */
    int quiet;            /* -q: only the table and the summary */
    const char *svg_path; /* --svg FILE: the table as bars on a log scale, or NULL */
    long create[KINDS], switches[KINDS], live[KINDS];
};

/* What the table shows; times in seconds, memory in bytes, -1 where unknown. */
struct figures {
    double create[KINDS];
    double switches[KINDS];
    double memory[KINDS];
    double process_private;     /* of a child's resident size, the pages that are its own */
    double process_page_tables; /* a child's page tables (kernel memory, not in its RSS) */
    double stack_reserved;      /* default thread stack: address space, not memory */
};

static void print_help(void)
{
    printf("10-cost-of-concurrency: one table of what a process, a thread and a generator\n"
           "cost on this machine: to create and finish one, to switch between two, and the\n"
           "memory one keeps while it is alive; each against the generator. Then how many\n"
           "threads fit in one process whose address space is capped (skipped under\n"
           "valgrind).\n\n"
           "usage: %s %s\n"
           "  -n SCALE   multiply every count by SCALE (%g to %g; default 1:\n"
           "             %ld processes, %ld threads, %ld generators made per round)\n"
           "  -r ROUNDS  rounds; each time shown is the median (1 to %d, default 5)\n"
           "  -q         print only the table and the summary\n"
           "  --svg FILE also draw the table as bars on a log scale, an SVG picture\n"
           "  --help     this text\n\n"
           "example: %s -n 0.1 -r 3\n",
           prog_name(), USAGE, MIN_SCALE, MAX_SCALE, default_create[PROCESS],
           default_create[THREAD], default_create[GENERATOR], MAX_ROUNDS, prog_name());
}

static long scaled(long count, double scale, long minimum)
{
    long n = (long)((double)count * scale + 0.5);
    return n < minimum ? minimum : n;
}

static struct options parse_options(int argc, char **argv)
{
    struct options o = {.scale = 1.0, .rounds = 5, .quiet = 0};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        char *end;
        if (strcmp(arg, "--help") == 0) {
            print_help();
            exit(0);
        } else if (strcmp(arg, "-q") == 0) {
            o.quiet = 1;
        } else if (strcmp(arg, "--svg") == 0) {
            if (i + 1 == argc || argv[i + 1][0] == '\0')
                die_usage(USAGE, "--svg needs a file name");
            o.svg_path = argv[++i];
        } else if (strcmp(arg, "-n") == 0) {
            if (i + 1 == argc)
                die_usage(USAGE, "-n needs a number");
            const char *text = argv[++i];
            errno = 0;
            o.scale = strtod(text, &end);
            if (errno != 0 || end == text || *end != '\0' || !(o.scale >= MIN_SCALE) ||
                o.scale > MAX_SCALE)
                die_usage(USAGE, "-n '%s': expected a number from %g to %g", text, MIN_SCALE,
                          MAX_SCALE);
        } else if (strcmp(arg, "-r") == 0) {
            if (i + 1 == argc)
                die_usage(USAGE, "-r needs a number");
            const char *text = argv[++i];
            errno = 0;
            o.rounds = strtol(text, &end, 10);
            if (errno != 0 || end == text || *end != '\0' || o.rounds < 1 || o.rounds > MAX_ROUNDS)
                die_usage(USAGE, "-r '%s': expected a whole number from 1 to %d", text, MAX_ROUNDS);
        } else {
            die_usage(USAGE, "unknown argument '%s'", arg);
        }
    }
    for (int k = 0; k < KINDS; k++) {
        o.create[k] = scaled(default_create[k], o.scale, minimum_count[k]);
        o.switches[k] = scaled(default_switches[k], o.scale, minimum_count[k]);
        o.live[k] = scaled(default_live[k], o.scale, minimum_count[k]);
    }
    return o;
}

/* ---- small helpers ------------------------------------------------------------------- */

static void close_or_die(int fd)
{
    if (close(fd) != 0)
        die_errno("close fd %d", fd);
}

/* Wait for a child, which must have exited with status 0: no zombie is left behind. */
static void reap_child(pid_t pid)
{
    int status = proc_wait(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("child %ld did not exit with status 0 (wait status %d)", (long)pid, status);
}

#if defined(__linux__) && !defined(ASYNCLAB_PORTABLE) /* make POLLER=poll: the fallback */
/* Resident size in bytes: the second field of /proc/PID/statm, in pages. pid 0 means this
 * process. -1 if it cannot be read. */
static double resident_bytes(pid_t pid)
{
    char path[64];
    if (pid == 0)
        snprintf(path, sizeof path, "/proc/self/statm");
    else
        snprintf(path, sizeof path, "/proc/%ld/statm", (long)pid);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    long size, resident;
    int fields = fscanf(file, "%ld %ld", &size, &resident);
    if (fclose(file) != 0 || fields != 2)
        return -1;
    return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

/* The number on the "Name:  123" line of /proc/PID/FILE (pid 0: this process); -1 if
 * there is no such line. Sizes there are in kB. */
static double proc_field(pid_t pid, const char *file_name, const char *field)
{
    char path[64], line[256];
    if (pid == 0)
        snprintf(path, sizeof path, "/proc/self/%s", file_name);
    else
        snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, file_name);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    double number = -1;
    size_t length = strlen(field);
    while (number < 0 && fgets(line, sizeof line, file) != NULL) {
        long value;
        if (strncmp(line, field, length) == 0 && sscanf(line + length, " %ld", &value) == 1)
            number = (double)value;
    }
    if (fclose(file) != 0)
        return -1;
    return number;
}

/* The pages mapped in this process only: those it wrote since fork (copy-on-write made
 * them its own) and its own private pages. Needs Linux 4.14's smaps_rollup. */
static double private_bytes(pid_t pid)
{
    double clean = proc_field(pid, "smaps_rollup", "Private_Clean:");
    double dirty = proc_field(pid, "smaps_rollup", "Private_Dirty:");
    return clean < 0 || dirty < 0 ? -1 : (clean + dirty) * 1024;
}

static double page_table_bytes(pid_t pid)
{
    double kb = proc_field(pid, "status", "VmPTE:");
    return kb < 0 ? -1 : kb * 1024;
}

static long threads_alive(void)
{
    return (long)proc_field(0, "status", "Threads:");
}
#else
/* POSIX has no call that reads another process's (or the current) resident size: the
 * memory rows say "unknown" here. */
static double resident_bytes(pid_t pid)
{
    (void)pid;
    return -1;
}

static double private_bytes(pid_t pid)
{
    (void)pid;
    return -1;
}

static double page_table_bytes(pid_t pid)
{
    (void)pid;
    return -1;
}

static long threads_alive(void)
{
    return -1;
}
#endif

/* Add one more measurement to a total that becomes -1 (unknown) as soon as one is. */
static void add_known(double *total, double value)
{
    *total = *total < 0 || value < 0 ? -1 : *total + value;
}

/* A fresh allocation made resident now, so that it does not count as the units' memory
 * measured next. (Filled with 0xFF, not 0: the compiler may turn malloc + memset to zero
 * into calloc, which leaves fresh pages untouched, hence not resident.) */
static void *malloc_resident(size_t size, const char *what)
{
    void *block = malloc(size);
    if (block == NULL)
        die_errno("malloc %zu bytes for %s", size, what);
    return memset(block, 0xFF, size);
}

/* ---- the generators ------------------------------------------------------------------ */

/* The smallest generator that is one: started, suspended once, finished. Its frame is all
 * that it owns (the C counterpart of a Python generator object). */
struct oneshot {
    struct gen gen;
    long *finished; /* incremented at its end, so that the work cannot be skipped */
};

static int oneshot_run(struct oneshot *g)
{
    GEN_BEGIN(g);
    GEN_YIELD(g);
    (*g->finished)++;
    GEN_END(g);
}

/* Two generators passing a ball: each resume is one switch from the other player. */
struct player {
    struct gen gen;
    long *ball;
    long hits;
};

static int player_run(struct player *p)
{
    GEN_BEGIN(p);
    for (;;) {
        (*p->ball)++;
        p->hits++;
        GEN_YIELD(p); /* hand over to the other player */
    }
    GEN_END(p);
}

/* Called through pointers the compiler cannot see through, as a scheduler calls its tasks:
 * otherwise it could inline the generators and fold the loops away. */
static int (*volatile resume_oneshot)(struct oneshot *) = oneshot_run;
static int (*volatile resume_player)(struct player *) = player_run;

/* ---- create and finish ---------------------------------------------------------------- */

static double create_processes(long n)
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

static double create_threads(long n)
{
    double start = clock_now();
    for (long i = 0; i < n; i++) {
        pthread_t id;
        int err = pthread_create(&id, NULL, return_at_once, NULL);
        if (err != 0)
            die_pthread(err, "pthread_create");
        err = pthread_join(id, NULL);
        if (err != 0)
            die_pthread(err, "pthread_join");
    }
    return (clock_now() - start) / (double)n;
}

static double create_generators(long n)
{
    long finished = 0;
    double start = clock_now();
    for (long i = 0; i < n; i++) {
        struct oneshot *g = malloc(sizeof *g);
        if (g == NULL)
            die_errno("malloc a generator frame");
        *g = (struct oneshot){.finished = &finished}; /* gen zeroed: not started yet */
        while (resume_oneshot(g) == GEN_MORE)
            continue;
        free(g);
    }
    double seconds = clock_now() - start;
    if (finished != n)
        die("%ld generators finished, expected %ld", finished, n);
    return seconds / (double)n;
}

/* ---- switch: ping-pong ---------------------------------------------------------------- */

/* ping carries the byte from the timing side to the answering side, pong carries it back. */
struct pipes {
    int ping[2], pong[2];
};

static void open_pipes(struct pipes *p)
{
    if (pipe(p->ping) != 0 || pipe(p->pong) != 0)
        die_errno("pipe");
}

/* One byte each way, retried after a signal: 1 done, 0 end of file, -1 error (errno). */
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

static double switch_processes(long switches)
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

static double switch_threads(long switches)
{
    struct pipes p;
    open_pipes(&p);
    pthread_t id;
    int err = pthread_create(&id, NULL, answer_thread, &p);
    if (err != 0)
        die_pthread(err, "pthread_create");
    double per_switch = volley(&p, switches / 2);
    close_or_die(p.ping[1]); /* the thread reads end of file and returns */
    err = pthread_join(id, NULL);
    if (err != 0)
        die_pthread(err, "pthread_join");
    close_or_die(p.ping[0]);
    close_or_die(p.pong[0]);
    close_or_die(p.pong[1]);
    return per_switch;
}

static double switch_generators(long switches)
{
    long ball = 0, trips = switches / 2;
    struct player a = {.ball = &ball}, b = {.ball = &ball};
    double start = clock_now();
    for (long i = 0; i < trips; i++) {
        resume_player(&a);
        resume_player(&b);
    }
    double seconds = clock_now() - start;
    if (ball != 2 * trips || a.hits != trips || b.hits != trips)
        die("generator ping-pong: ball %ld, hits %ld and %ld, expected %ld", ball, a.hits, b.hits,
            trips);
    return seconds / (2.0 * (double)trips);
}

/* ---- memory per live unit ------------------------------------------------------------- */

/* A child for the memory row: say "ready", then block until the parent closes `hold`. */
static noreturn void live_child(const int ready[2], const int hold[2])
{
    if (close(ready[0]) != 0 || close(hold[1]) != 0)
        die_child(1, "close");
    if (put_byte(ready[1]) != 1 || close(ready[1]) != 0)
        die_child(1, "write to the ready pipe");
    if (get_byte(hold[0]) != 0 || close(hold[0]) != 0) /* end of file: we have been measured */
        die_child(1, "read the hold pipe");
    _exit(0);
}

/* K children, each blocked in read() on `hold` once it has said so on `ready`. Their
 * resident size is what ps shows as RSS: mostly pages still shared with the parent
 * (copy-on-write), mapped into the child's own page tables. Sets the three process figures. */
static void memory_per_process(long k, struct figures *f)
{
    int ready[2], hold[2];
    if (pipe(ready) != 0 || pipe(hold) != 0)
        die_errno("pipe");
    pid_t *pids = malloc_resident((size_t)k * sizeof *pids, "pids");
    for (long i = 0; i < k; i++) {
        pids[i] = proc_fork();
        if (pids[i] == 0) {
            free(pids); /* the child's copy: it needs none of it */
            live_child(ready, hold);
        }
    }
    close_or_die(ready[1]);
    close_or_die(hold[0]);
    for (long arrived = 0; arrived < k; arrived++)
        if (get_byte(ready[0]) != 1)
            die_errno("read the ready pipe: %ld of %ld children", arrived, k);
    double rss = 0, own = 0, tables = 0;
    for (long i = 0; i < k; i++) {
        add_known(&rss, resident_bytes(pids[i]));
        add_known(&own, private_bytes(pids[i]));
        add_known(&tables, page_table_bytes(pids[i]));
    }
    close_or_die(hold[1]); /* every child reads end of file and exits */
    for (long i = 0; i < k; i++)
        reap_child(pids[i]);
    close_or_die(ready[0]);
    free(pids);
    f->memory[PROCESS] = rss < 0 ? -1 : rss / (double)k;
    f->process_private = own < 0 ? -1 : own / (double)k;
    f->process_page_tables = tables < 0 ? -1 : tables / (double)k;
}

/* Threads wait here until every one of them has arrived and the main thread opens it. */
struct gate {
    pthread_mutex_t lock;
    pthread_cond_t all_arrived, opened;
    long expected, arrived;
    int open;
};

static void lock_or_die(pthread_mutex_t *lock)
{
    int err = pthread_mutex_lock(lock);
    if (err != 0)
        die_pthread(err, "pthread_mutex_lock");
}

static void unlock_or_die(pthread_mutex_t *lock)
{
    int err = pthread_mutex_unlock(lock);
    if (err != 0)
        die_pthread(err, "pthread_mutex_unlock");
}

static void wait_or_die(pthread_cond_t *cond, pthread_mutex_t *lock)
{
    int err = pthread_cond_wait(cond, lock);
    if (err != 0)
        die_pthread(err, "pthread_cond_wait");
}

static void *wait_at_gate(void *arg)
{
    struct gate *g = arg;
    lock_or_die(&g->lock);
    if (++g->arrived == g->expected) {
        int err = pthread_cond_signal(&g->all_arrived);
        if (err != 0)
            die_pthread(err, "pthread_cond_signal");
    }
    while (!g->open)
        wait_or_die(&g->opened, &g->lock);
    unlock_or_die(&g->lock);
    return NULL;
}

static double memory_per_thread(long k)
{
    pthread_t *ids = malloc_resident((size_t)k * sizeof *ids, "thread ids");
    struct gate g = {.lock = PTHREAD_MUTEX_INITIALIZER,
                     .all_arrived = PTHREAD_COND_INITIALIZER,
                     .opened = PTHREAD_COND_INITIALIZER,
                     .expected = k};
    double before = resident_bytes(0);
    for (long i = 0; i < k; i++) {
        int err = pthread_create(&ids[i], NULL, wait_at_gate, &g);
        if (err != 0)
            die_pthread(err, "pthread_create thread %ld of %ld", i + 1, k);
    }
    lock_or_die(&g.lock);
    while (g.arrived < k)
        wait_or_die(&g.all_arrived, &g.lock);
    double after = resident_bytes(0); /* all k alive, each blocked at the gate */
    g.open = 1;
    int err = pthread_cond_broadcast(&g.opened);
    if (err != 0)
        die_pthread(err, "pthread_cond_broadcast");
    unlock_or_die(&g.lock);
    for (long i = 0; i < k; i++)
        if ((err = pthread_join(ids[i], NULL)) != 0)
            die_pthread(err, "pthread_join");
    free(ids);
    if ((err = pthread_cond_destroy(&g.opened)) != 0 ||
        (err = pthread_cond_destroy(&g.all_arrived)) != 0 ||
        (err = pthread_mutex_destroy(&g.lock)) != 0)
        die_pthread(err, "destroy the gate");
    return before < 0 || after < 0 ? -1 : (after - before) / (double)k;
}

/* Address space reserved for each thread's stack; only the pages it touches are memory. */
static double default_stack_bytes(void)
{
    pthread_attr_t attr;
    size_t size = 0;
    int err = pthread_attr_init(&attr);
    if (err == 0)
        err = pthread_attr_getstacksize(&attr, &size);
    if (err == 0)
        err = pthread_attr_destroy(&attr);
    if (err != 0)
        die_pthread(err, "pthread_attr: the default stack size");
    return (double)size;
}

/* K generators, each in its own malloc'd frame (as 07 allocates one per fetch), each
 * started and suspended at its yield. */
static double memory_per_generator(long k)
{
    struct oneshot **frames = malloc_resident((size_t)k * sizeof *frames, "frame pointers");
    long finished = 0;
    double before = resident_bytes(0);
    for (long i = 0; i < k; i++) {
        frames[i] = malloc(sizeof *frames[i]);
        if (frames[i] == NULL)
            die_errno("malloc generator frame %ld of %ld", i + 1, k);
        *frames[i] = (struct oneshot){.finished = &finished};
        if (resume_oneshot(frames[i]) != GEN_MORE)
            die("generator %ld finished before its yield", i + 1);
    }
    double after = resident_bytes(0); /* all k alive, each suspended at its yield */
    for (long i = 0; i < k; i++) {
        while (resume_oneshot(frames[i]) == GEN_MORE)
            continue;
        free(frames[i]);
    }
    free(frames);
    if (finished != k)
        die("%ld generators finished, expected %ld", finished, k);
    return before < 0 || after < 0 ? -1 : (after - before) / (double)k;
}

/* ---- how many threads fit ----------------------------------------------------------- */

/* "One thread per connection" for a million connections: create threads until the system
 * says no. Done in a child, so that whatever happens there cannot hurt this process, and
 * made safe for the machine it runs on: the child's address space is capped
 * (RLIMIT_AS at its current size + LIMIT_EXTRA_GIB: the stacks hit that long before
 * memory runs short, and a sanitizer build, which reserves terabytes of shadow memory at
 * start, still gets the same 4 GiB to spend), the count stops at LIMIT_MAX_THREADS
 * whatever happens, an alarm ends a child that takes too long, and every thread is
 * released and joined before the child exits. */
enum { LIMIT_EXTRA_GIB = 4, LIMIT_MAX_THREADS = 100000, LIMIT_ALARM_SECONDS = 30 };

/* A sanitizer's runtime maps memory of its own for every thread and aborts the program when
 * such a mapping fails, before pthread_create can report anything. In a sanitizer build the
 * child therefore stops while this much room is left under the cap. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_RUNTIME 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZER_RUNTIME 1
#endif
#endif
#ifdef SANITIZER_RUNTIME
static const double sanitizer_headroom = 64.0 * 1024 * 1024;
#else
static const double sanitizer_headroom = 0;
#endif

struct thread_limit {
    long count;          /* threads alive at once when creation stopped */
    int error;           /* pthread_create's error; 0: the bound stopped it; -1: the
                            headroom left for a sanitizer did */
    int signal;          /* the signal that ended the child (SIGALRM: the alarm), 0 if none */
    double cap_bytes;    /* the RLIMIT_AS the child ran under */
    const char *skipped; /* why it was not measured, or NULL */
};

/* What the child sends after each thread: the parent keeps the last one it reads. */
struct limit_report {
    long count;
    int error; /* 0 while going; pthread_create's error; -1: stopped short (sanitizer) */
};

/* Under valgrind every thread runs on valgrind's own scheduler, which allows 500 at most:
 * its preload library in LD_PRELOAD gives it away. */
static int under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload != NULL && strstr(preload, "vgpreload") != NULL;
}

/* The first number in a file (of /proc), or -1 where it cannot be read. */
static long read_first_number(const char *path)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    long value;
    int fields = fscanf(file, "%ld", &value);
    if (fclose(file) != 0 || fields != 1)
        return -1;
    return value;
}

/* This process's address-space size in bytes (first field of /proc/self/statm); -1. */
static double address_space_bytes(void)
{
    long pages = read_first_number("/proc/self/statm");
    return pages < 0 ? -1 : (double)pages * (double)sysconf(_SC_PAGESIZE);
}

/* Every thread the child makes blocks here until the child closes the gate's write end. */
static void *wait_for_eof(void *arg)
{
    const int *gate = arg;
    char byte;
    while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
        continue;
    return NULL;
}

static void send_report(int fd, long count, int error)
{
    struct limit_report report = {.count = count, .error = error};
    if (write(fd, &report, sizeof report) != (ssize_t)sizeof report)
        die_child(1, "write the report pipe");
}

/* The child: cap, then create threads until pthread_create fails or the bound is hit. */
static noreturn void count_threads_child(int report_fd, double cap, pthread_t *ids)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) != 0)
        die_child(1, "getrlimit RLIMIT_AS");
    limit.rlim_cur = (rlim_t)cap;
    if (setrlimit(RLIMIT_AS, &limit) != 0)
        die_child(1, "setrlimit RLIMIT_AS");
    alarm(LIMIT_ALARM_SECONDS);
    int gate[2];
    if (pipe(gate) != 0)
        die_child(1, "pipe");
    long count = 0;
    int error = 0;
    double stack = default_stack_bytes();
    while (count < LIMIT_MAX_THREADS) {
        if (sanitizer_headroom > 0 && address_space_bytes() + stack + sanitizer_headroom > cap) {
            error = -1;
            break;
        }
        error = pthread_create(&ids[count], NULL, wait_for_eof, gate);
        if (error != 0)
            break;
        send_report(report_fd, ++count, 0);
    }
    send_report(report_fd, count, error);
    if (close(gate[1]) != 0) /* every thread reads end of file and returns */
        die_child(1, "close");
    for (long i = 0; i < count; i++)
        if ((error = pthread_join(ids[i], NULL)) > 0) {
            errno = error;
            die_child(1, "pthread_join");
        }
    _exit(0);
}

static struct thread_limit measure_thread_limit(void)
{
    struct thread_limit t = {.cap_bytes = -1};
    if (under_valgrind()) {
        t.skipped = "skipped under valgrind (it runs 500 threads at most)";
        return t;
    }
    double size = address_space_bytes();
    if (size < 0) {
        t.skipped = "unknown: this system does not show a process's size";
        return t;
    }
    t.cap_bytes = size + (double)LIMIT_EXTRA_GIB * 1024 * 1024 * 1024;
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) != 0)
        die_errno("getrlimit RLIMIT_AS");
    if (limit.rlim_cur != RLIM_INFINITY && (double)limit.rlim_cur < t.cap_bytes)
        t.cap_bytes = (double)limit.rlim_cur; /* never raise a limit someone set */
    /* Allocated before the fork, so that the child needs no memory under its cap for it. */
    pthread_t *ids = malloc_resident(LIMIT_MAX_THREADS * sizeof *ids, "thread ids");
    int report[2];
    if (pipe(report) != 0)
        die_errno("pipe");
    pid_t pid = proc_fork();
    if (pid == 0) {
        if (close(report[0]) != 0)
            die_child(1, "close");
        count_threads_child(report[1], t.cap_bytes, ids);
    }
    close_or_die(report[1]);
    struct limit_report last = {0}, next;
    ssize_t n;
    while ((n = read(report[0], &next, sizeof next)) == (ssize_t)sizeof next ||
           (n < 0 && errno == EINTR))
        if (n > 0)
            last = next;
    close_or_die(report[0]);
    free(ids);
    int status = proc_wait(pid);
    t.count = last.count;
    t.error = last.error;
    if (WIFSIGNALED(status))
        t.signal = WTERMSIG(status);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the thread-limit child failed (wait status %d)", status);
    return t;
}

/* ---- the table -------------------------------------------------------------------------- */

/* "95.3 µs", "1.6 MiB": a figure in the unit that reads best. */
static void format_time(char *out, size_t size, double seconds)
{
    if (seconds < 1e-6)
        snprintf(out, size, "%.1f ns", seconds * 1e9);
    else if (seconds < 1e-3)
        snprintf(out, size, "%.1f µs", seconds * 1e6);
    else
        snprintf(out, size, "%.2f ms", seconds * 1e3);
}

static void format_bytes(char *out, size_t size, double bytes)
{
    if (bytes < 0)
        snprintf(out, size, "unknown");
    else if (bytes < 1024)
        snprintf(out, size, "%.0f B", bytes);
    else if (bytes < 1024 * 1024)
        snprintf(out, size, "%.1f KiB", bytes / 1024);
    else
        snprintf(out, size, "%.1f MiB", bytes / (1024 * 1024));
}

/* printf's field widths count bytes, and "µ" is two: pad by characters instead. */
static void print_padded(const char *text, int width, int right_aligned)
{
    int chars = 0;
    for (const char *c = text; *c != '\0'; c++)
        chars += (*c & 0xC0) != 0x80; /* UTF-8 continuation bytes do not start a character */
    int pad = width > chars ? width - chars : 0;
    printf("%*s%s%*s", right_aligned ? pad : 0, "", text, right_aligned ? 0 : pad, "");
}

static void print_row(const char *measure, enum kind kind, const char *how, long units,
                      const char *figure, double ratio)
{
    char times[32];
    if (ratio <= 0)
        snprintf(times, sizeof times, "-");
    else
        snprintf(times, sizeof times, ratio < 10 ? "%.1fx" : "%.0fx", ratio);
    printf("%-7s %-10s %-28s %9ld ", measure, kind_names[kind], how, units);
    print_padded(figure, 10, 1);
    printf(" %11s\n", times);
}

static void print_table(const struct options *o, const struct figures *f)
{
    static const char *const create_how[KINDS] = {
        "fork, _exit, waitpid", "pthread_create, return, join", "malloc, run to the end, free"};
    static const char *const switch_how[KINDS] = {
        "pipe ping-pong, 1 byte", "pipe ping-pong, 1 byte", "resume/yield ping-pong"};
    static const char *const memory_how[KINDS] = {
        "child's resident size", "resident growth / thread", "resident growth / generator"};
    char figure[32];

    printf("\n%-7s %-10s %-28s %9s %10s %11s\n", "cost", "unit", "how it is measured", "units",
           "per unit", "x generator");
    for (int k = 0; k < KINDS; k++) {
        format_time(figure, sizeof figure, f->create[k]);
        print_row(k == 0 ? "create" : "", (enum kind)k, create_how[k], o->create[k], figure,
                  f->create[k] / f->create[GENERATOR]);
    }
    for (int k = 0; k < KINDS; k++) {
        format_time(figure, sizeof figure, f->switches[k]);
        print_row(k == 0 ? "switch" : "", (enum kind)k, switch_how[k], o->switches[k], figure,
                  f->switches[k] / f->switches[GENERATOR]);
    }
    for (int k = 0; k < KINDS; k++) {
        double gen = f->memory[GENERATOR];
        format_bytes(figure, sizeof figure, f->memory[k]);
        print_row(k == 0 ? "memory" : "", (enum kind)k, memory_how[k], o->live[k], figure,
                  f->memory[k] < 0 || gen <= 0 ? -1 : f->memory[k] / gen);
    }
    if (f->process_private >= 0 && f->process_page_tables >= 0)
        printf("memory of a process: %.0f KiB of it is its own, the rest is shared with its\n"
               "  parent (copy-on-write); its page tables add %.0f KiB of kernel memory\n",
               f->process_private / 1024, f->process_page_tables / 1024);
    printf("memory of a thread: plus %.0f MiB of address space reserved for its stack\n"
           "memory of a generator: sizeof its frame is %zu B; malloc rounds each block up\n",
           f->stack_reserved / (1024 * 1024), sizeof(struct oneshot));
}

/* "512.0 MiB", "7.6 TiB": sizes too big for format_bytes. */
static void format_big_bytes(char *out, size_t size, double bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024 && u < 5) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, size, "%.1f %s", bytes, units[u]);
}

static void print_thread_limit(const struct thread_limit *t, const struct figures *f)
{
    char cap[32], stacks[32], resident[32];
    printf("\nthread limit: how many threads fit in one process?\n");
    if (t->skipped != NULL) {
        printf("  %s\n", t->skipped);
        return;
    }
    format_big_bytes(cap, sizeof cap, t->cap_bytes);
    printf("  a child capped at %s of address space (RLIMIT_AS: its size + %d GiB)\n"
           "  created threads with the default stack until pthread_create failed:\n",
           cap, LIMIT_EXTRA_GIB);
    if (t->signal != 0)
        printf("  %ld threads, then signal %d ended the child (%s)\n", t->count, t->signal,
               t->signal == SIGALRM ? "the alarm" : "not ours");
    else if (t->error < 0)
        printf("  %ld threads, then stopped %.0f MiB short of the cap: a sanitizer's\n"
               "  runtime would abort on the failed mmap before pthread_create could fail\n",
               t->count, sanitizer_headroom / (1024 * 1024));
    else if (t->error != 0)
        printf("  %ld threads, then %s (%s)\n", t->count, errno_name(t->error), strerror(t->error));
    else
        printf("  %ld threads: the bound this program sets; the system allows more\n", t->count);
    format_big_bytes(stacks, sizeof stacks, 1e6 * f->stack_reserved);
    if (f->memory[THREAD] >= 0) {
        format_big_bytes(resident, sizeof resident, 1e6 * f->memory[THREAD]);
        printf("  a million threads: %s of stacks to reserve, %s resident\n", stacks, resident);
    } else {
        printf("  a million threads: %s of stacks to reserve\n", stacks);
    }
    static const char *const ceilings[][2] = {{"threads-max", "/proc/sys/kernel/threads-max"},
                                              {"pid_max", "/proc/sys/kernel/pid_max"},
                                              {"max_map_count", "/proc/sys/vm/max_map_count"}};
    int shown = 0;
    for (int i = 0; i < 3; i++) {
        long value = read_first_number(ceilings[i][1]);
        if (value < 0)
            continue;
        printf("%s%s %ld", shown++ ? ", " : "  system ceilings: ", ceilings[i][0], value);
    }
    printf(shown ? "\n" : "  system ceilings: not readable here\n");
}

/* A summary value: the figure in the given unit, or "unknown". */
static const char *summary_number(char *out, size_t size, double value, double unit)
{
    if (value < 0)
        snprintf(out, size, "unknown");
    else
        snprintf(out, size, "%.1f", value / unit);
    return out;
}

/* --svg FILE: the three groups of the table as bars on a log scale (a process costs
 * hundreds of times a generator: on a linear scale the generator's bar would vanish). */
static void draw_table(const char *path, const struct figures *f)
{
    static const char *const titles[] = {"create and finish one", "switch between two",
                                         "memory while alive"};
    const double *figures[] = {f->create, f->switches, f->memory};
    char text[3][KINDS][32], note[3][KINDS][48], machine[256], caption[320];
    struct chart_bar bars[3][KINDS];
    struct chart_group groups[3];
    for (int g = 0; g < 3; g++) {
        for (int k = 0; k < KINDS; k++) {
            double v = figures[g][k], gen = figures[g][GENERATOR];
            (g == 2 ? format_bytes : format_time)(text[g][k], sizeof text[g][k], v);
            snprintf(note[g][k], sizeof note[g][k], "%.0fx a generator",
                     v > 0 && gen > 0 ? v / gen : 0);
            bars[g][k] = (struct chart_bar){kind_names[k], v, text[g][k],
                                            v > 0 && gen > 0 && k != GENERATOR ? note[g][k] : NULL};
        }
        groups[g] =
            (struct chart_group){titles[g], g == 2 ? CHART_BYTES : CHART_SECONDS, bars[g], KINDS};
    }
    svg_machine(machine, sizeof machine);
    snprintf(caption, sizeof caption, "log scale, medians; measured on %s", machine);
    if (chart_log_bars(path, "What a process, a thread and a generator cost", caption, groups, 3) !=
        0)
        die_errno("--svg %s", path);
}

/* ---- main ---------------------------------------------------------------------------- */

/* Descriptors open now, among the first 1024 (fcntl fails on a closed one). */
static int open_descriptors(void)
{
    int count = 0;
    for (int fd = 0; fd < 1024; fd++)
        count += fcntl(fd, F_GETFD) != -1;
    return count;
}

/* Tens of thousands of units came and went: check that none is left behind. */
static void check_nothing_left(int descriptors_at_start, int quiet)
{
    pid_t child = waitpid(-1, NULL, WNOHANG);
    if (child != -1 || errno != ECHILD)
        die("waitpid(-1) returned %ld: a child was never waited for", (long)child);
    long threads = threads_alive();
    if (threads > 1)
        die("%ld threads alive at the end, expected 1", threads);
    int descriptors = open_descriptors();
    if (descriptors != descriptors_at_start)
        die("%d descriptors open at the end, %d at the start", descriptors, descriptors_at_start);
    if (!quiet)
        printf("left behind: no child (waitpid reports ECHILD), %s,\n"
               "  %d descriptors open, as at the start\n",
               threads == 1 ? "one thread" : "threads uncounted", descriptors);
}

static void explain(const struct options *o)
{
    printf("10-cost-of-concurrency: what a process, a thread and a generator cost here\n"
           "  %ld cores online; counts x%g; times are the median of %ld round%s\n\n",
           sysconf(_SC_NPROCESSORS_ONLN), o->scale, o->rounds, o->rounds == 1 ? "" : "s");
    printf("create: start one that does nothing, let it finish, collect it\n"
           "  process    fork() copies the page tables and the kernel's bookkeeping\n"
           "  thread     pthread_create: a new kernel task and a stack, in the same memory\n"
           "  generator  malloc a small struct; running it is calling a function\n"
           "switch: two of them hand control back and forth\n"
           "  process    a byte over a pipe and back: the kernel sleeps one, wakes the other\n"
           "             and changes address space\n"
           "  thread     the same ping-pong inside one process: no address-space change\n"
           "  generator  a loop resumes two generators in turn: a call and a return\n"
           "memory: K of them alive at once\n"
           "  process    children blocked on a pipe: what ps shows as their RSS\n"
           "  thread     threads waiting at a gate: this process grows by this much each\n"
           "  generator  generators suspended at a yield: growth per generator\n\n");
}

static void measure_memory(const struct options *o, struct figures *f)
{
    if (!o->quiet)
        printf("\nmemory, measured once:\n");
    memory_per_process(o->live[PROCESS], f);
    f->memory[THREAD] = memory_per_thread(o->live[THREAD]);
    f->memory[GENERATOR] = memory_per_generator(o->live[GENERATOR]);
    f->stack_reserved = default_stack_bytes();
    if (o->quiet)
        return;
    for (int k = 0; k < KINDS; k++) {
        char figure[32];
        format_bytes(figure, sizeof figure, f->memory[k]);
        printf("  %ld %s alive: %s each\n", o->live[k], kind_plurals[k], figure);
    }
}

static void measure_times(const struct options *o, struct figures *f)
{
    double create[KINDS][MAX_ROUNDS], switches[KINDS][MAX_ROUNDS];
    for (long r = 0; r < o->rounds; r++) {
        create[PROCESS][r] = create_processes(o->create[PROCESS]);
        create[THREAD][r] = create_threads(o->create[THREAD]);
        create[GENERATOR][r] = create_generators(o->create[GENERATOR]);
        switches[PROCESS][r] = switch_processes(o->switches[PROCESS]);
        switches[THREAD][r] = switch_threads(o->switches[THREAD]);
        switches[GENERATOR][r] = switch_generators(o->switches[GENERATOR]);
        if (o->quiet)
            continue;
        char text[2 * KINDS][32];
        for (int k = 0; k < KINDS; k++) {
            format_time(text[k], sizeof text[k], create[k][r]);
            format_time(text[KINDS + k], sizeof text[k], switches[k][r]);
        }
        printf("round %ld/%ld: create %s  %s  %s | switch %s  %s  %s\n", r + 1, o->rounds, text[0],
               text[1], text[2], text[3], text[4], text[5]);
    }
    for (int k = 0; k < KINDS; k++) {
        f->create[k] = median(create[k], o->rounds);
        f->switches[k] = median(switches[k], o->rounds);
    }
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    int descriptors_at_start = open_descriptors();
    struct options o = parse_options(argc, argv);
    struct figures f;
    if (!o.quiet) {
        explain(&o);
        printf("times (process | thread | generator), each round:\n");
    }
    measure_times(&o, &f);
    measure_memory(&o, &f);
    print_table(&o, &f);
    struct thread_limit limit = measure_thread_limit();
    if (!o.quiet)
        print_thread_limit(&limit, &f);
    check_nothing_left(descriptors_at_start, o.quiet);
    if (o.svg_path != NULL)
        draw_table(o.svg_path, &f);

    char kib[3][32], threads[32];
    if (limit.skipped != NULL)
        snprintf(threads, sizeof threads, "%s", under_valgrind() ? "skipped" : "unknown");
    else
        snprintf(threads, sizeof threads, "%ld", limit.count);
    summary_print("process_create_us=%.1f thread_create_us=%.1f gen_create_ns=%.1f "
                  "process_switch_us=%.2f thread_switch_us=%.2f gen_switch_ns=%.2f "
                  "process_kib=%s thread_kib=%s gen_bytes=%s thread_stack_kib=%.0f gen_sizeof=%zu "
                  "thread_limit=%s",
                  f.create[PROCESS] * 1e6, f.create[THREAD] * 1e6, f.create[GENERATOR] * 1e9,
                  f.switches[PROCESS] * 1e6, f.switches[THREAD] * 1e6, f.switches[GENERATOR] * 1e9,
                  summary_number(kib[0], sizeof kib[0], f.memory[PROCESS], 1024),
                  summary_number(kib[1], sizeof kib[1], f.memory[THREAD], 1024),
                  summary_number(kib[2], sizeof kib[2], f.memory[GENERATOR], 1),
                  f.stack_reserved / 1024, sizeof(struct oneshot), threads);
    return 0;
}
