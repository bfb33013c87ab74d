/* 02-threads — threads: create/join, a racing counter vs mutex vs atomic, speedup vs cores, cost
 *
 * A thread is a second line of execution inside the same process: same memory, same
 * open files, its own stack. That sharing is what makes threads cheap, and it is also
 * what makes them dangerous. This example shows both, one numbered step at a time:
 *
 *   1. T threads created and joined; each names itself and shows what it shares
 *   2. one counter, T threads, M increments each: without a lock updates get lost
 *      (a DELIBERATE data race), with a mutex or a C11 atomic none do; each timed
 *   3. --runs N repeats the unlocked case: the loss changes from run to run
 *   4. CPU-bound work (counting primes) on 1, 2, ... 2 x cores threads, each row timed
 *      --rounds times (default 5; common/speedup.c keeps the table): the median speedup
 *      stops at the number of cores that are free, measured from the threads' own CPU time.
 *      The load average is printed first, with a warning when the machine is already busy.
 *   5. what a thread costs: create + join, N times; its default stack size
 *
 * Run:  make run-02                 (ARGS="-t 8 -m 200000 --runs 5" changes things)
 * Look for: "lost" above 0 only in the unlocked rows; how much slower the mutex is than
 * the atomic; the median speedup flattening at the free cores (the verdict lines); µs per
 * thread here against µs per process in 01. ThreadSanitizer: `make SAN=thread run-02` reports
 * exactly one data race, on unlocked_counter (docs/02-threads.md says how to run it on kernels
 * where it refuses). Lecture claims: 3 (threads are cheaper than processes and share memory), 4
 * (shared memory brings lost updates), 5 (CPU-bound work speeds up only up to the number of cores;
 * CPython's GIL prevents even that), 15 (more threads than cores is concurrency, not
 * parallelism).
 */
#include "clock.h"
#include "cores.h"
#include "errors.h"
#include "recap.h"
#include "speedup.h"
#include "threads.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Two lines: the second indented under the first option of "usage: 02-threads ". */
#define USAGE                                                                                      \
    "[-t THREADS] [-m INCREMENTS] [--runs N] [-n N] [-p LIMIT]\n"                                  \
    "                  [--rounds N] [--help]"

struct options {
    long threads;    /* -t: T */
    long increments; /* -m: M per thread */
    long runs;       /* --runs: repetitions of the unlocked case */
    long create_n;   /* -n: threads created and joined to time one */
    long limit;      /* -p: count primes below this */
    long rounds;     /* --rounds: timings of every speedup row, for the median */
};

static void print_help(void)
{
    printf("02-threads: threads in one process share its memory. Watch a shared counter lose\n"
           "updates without a lock and keep them with a mutex or an atomic, CPU-bound work\n"
           "speed up only as far as there are free cores, and what one thread costs.\n\n"
           "usage: %s %s\n"
           "  -t THREADS     threads for steps 1-3, the shared counter (default 4)\n"
           "  -m INCREMENTS  increments of the shared counter per thread (default 1000000)\n"
           "  --runs N       repeat the unlocked counter N times (default 3)\n"
           "  -n N           threads created and joined to time one (default 1000)\n"
           "  -p LIMIT       CPU-bound work: count the primes below LIMIT (default 2000000)\n"
           "  --rounds N     time each row of the speedup table N times (default 5)\n"
           "  --help         this text\n\n"
           "example: %s -t 8 -m 200000 --runs 5\n",
           prog_name(), USAGE, prog_name());
}

static struct options parse_options(int argc, char **argv)
{
    struct options o = {.threads = 4,
                        .increments = 1000000,
                        .runs = 3,
                        .create_n = 1000,
                        .limit = 2000000,
                        .rounds = 5};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0) {
            print_help();
            exit(0);
        }
        long *target = strcmp(arg, "-t") == 0         ? &o.threads
                       : strcmp(arg, "-m") == 0       ? &o.increments
                       : strcmp(arg, "--runs") == 0   ? &o.runs
                       : strcmp(arg, "-n") == 0       ? &o.create_n
                       : strcmp(arg, "-p") == 0       ? &o.limit
                       : strcmp(arg, "--rounds") == 0 ? &o.rounds
                                                      : NULL;
        if (target == NULL)
            die_usage(USAGE, "unknown argument '%s'", arg);
        long max = target == &o.threads  ? 64
                   : target == &o.runs   ? 100
                   : target == &o.rounds ? SPEEDUP_MAX_ROUNDS
                                         : 10000000;
        *target = parse_whole_or_die(USAGE, arg, i + 1 < argc ? argv[++i] : NULL, 1,
                                     target == &o.limit ? 100000000 : max);
    }
    return o;
}

static void step(int number, const char *title)
{
    printf("\nstep %d: %s\n", number, title);
}

/* Start `count` threads running body and wait for all of them; returns the wall seconds.
 * Thread i gets (char *)args + i * arg_size, or args itself when arg_size is 0. */
static double run_threads(long count, void *(*body)(void *), void *args, size_t arg_size)
{
    pthread_t *ids = malloc((size_t)count * sizeof *ids);
    if (ids == NULL)
        die_errno("malloc %ld thread ids", count);
    double start = clock_now();
    for (long i = 0; i < count; i++) {
        void *arg = arg_size == 0 ? args : (char *)args + (size_t)i * arg_size;
        int err = pthread_create(&ids[i], NULL, body, arg);
        if (err != 0)
            die_pthread(err, "pthread_create %ld of %ld", i + 1, count);
    }
    for (long i = 0; i < count; i++) {
        int err = pthread_join(ids[i], NULL);
        if (err != 0)
            die_pthread(err, "pthread_join");
    }
    double seconds = clock_now() - start;
    free(ids);
    return seconds;
}

/* ---- step 1: threads that name themselves ---------------------------------------------- */

/* DELIBERATE DATA RACE, the point of step 2: two threads can load the same value, both add
 * one and both store it back, and one increment is lost. `volatile` makes the compiler
 * really load, add and store on every pass (instead of adding M once); it does NOT make
 * the three steps one. This is the program's one data race: ThreadSanitizer reports it. */
static volatile long unlocked_counter;

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long locked_counter; /* only touched with counter_lock held */

static atomic_long atomic_counter; /* every += is one indivisible read-modify-write */

struct hello {
    long index, total;
};

static void *say_hello(void *arg)
{
    const struct hello *me = arg;
    int on_my_stack = 0;
    /* The lines the lecture points at (steps 1, 2 and 4) have scrolled away when the run ends
     * in a hall's 80x30 terminal: they are kept (recap.h) and said again before the summary.
     * Thread 1 alone keeps its line; main reads it after the join. */
    recap_line(me->index == 1, "  thread %ld of %ld: pid %ld, stack %p, counter %p", me->index,
               me->total, (long)getpid(), (void *)&on_my_stack, (void *)&unlocked_counter);
    return NULL;
}

static void show_hello(long threads)
{
    struct hello *hellos = malloc((size_t)threads * sizeof *hellos);
    if (hellos == NULL)
        die_errno("malloc");
    for (long i = 0; i < threads; i++)
        hellos[i] = (struct hello){.index = i + 1, .total = threads};
    printf("  main thread: pid %ld; starting %ld threads\n", (long)getpid(), threads);
    run_threads(threads, say_hello, hellos, sizeof *hellos);
    printf("  all joined: one pid, one shared counter's address, a stack each (a local\n"
           "  variable's address); the order of the lines above is the scheduler's choice\n"
           "  and changes from run to run\n");
    free(hellos);
}

/* ---- steps 2 and 3: one counter, three ways ---------------------------------------------- */

/* The counting threads line up here and start together. Without it, on a busy machine one
 * thread can finish its million increments before the next one is even created: nothing
 * overlaps, nothing is lost, and the race stays invisible.
 *
 * A start line (a barrier) made of a mutex and a condition variable. A condition variable
 * is a place to sleep until the shared state under a mutex changes. The rules: look at the
 * state only with the mutex held; pthread_cond_wait() lets go of the mutex while it sleeps
 * and holds it again when it returns; wake up in a loop that looks again (a wait can end
 * with nothing changed); whoever changes the state broadcasts to the sleepers. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t everyone_here; /* broadcast by the last thread to arrive */
    long expected, arrived;       /* touched with lock held, or before the threads exist */
} start_line = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static void wait_at_start_line(void)
{
    int err = pthread_mutex_lock(&start_line.lock);
    if (err != 0)
        die_pthread(err, "pthread_mutex_lock");
    start_line.arrived++;
    if (start_line.arrived == start_line.expected) { /* the last one: wake the others */
        err = pthread_cond_broadcast(&start_line.everyone_here);
        if (err != 0)
            die_pthread(err, "pthread_cond_broadcast");
    }
    while (start_line.arrived < start_line.expected) { /* sleeps without the lock */
        err = pthread_cond_wait(&start_line.everyone_here, &start_line.lock);
        if (err != 0)
            die_pthread(err, "pthread_cond_wait");
    }
    err = pthread_mutex_unlock(&start_line.lock);
    if (err != 0)
        die_pthread(err, "pthread_mutex_unlock");
}

/* run_threads() for the counters: every thread starts counting at the same moment. (No
 * lock needed to reset the line: no counting thread exists yet, and pthread_create makes
 * what was written before it visible to the new thread.) */
static double run_counting(long threads, void *(*body)(void *), long *increments)
{
    start_line.expected = threads;
    start_line.arrived = 0;
    return run_threads(threads, body, increments, 0);
}

static void *count_unlocked(void *arg)
{
    const long *increments = arg;
    wait_at_start_line();
    for (long i = 0; i < *increments; i++) {
        long seen = unlocked_counter; /* load:  another thread may load the same value */
        seen = seen + 1;              /* add */
        unlocked_counter = seen;      /* store: and overwrite its increment */
    }
    return NULL;
}

static void *count_locked(void *arg)
{
    const long *increments = arg;
    wait_at_start_line();
    for (long i = 0; i < *increments; i++) {
        int err = pthread_mutex_lock(&counter_lock);
        if (err != 0)
            die_pthread(err, "pthread_mutex_lock");
        locked_counter++;
        err = pthread_mutex_unlock(&counter_lock);
        if (err != 0)
            die_pthread(err, "pthread_mutex_unlock");
    }
    return NULL;
}

static void *count_atomic(void *arg)
{
    const long *increments = arg;
    wait_at_start_line();
    for (long i = 0; i < *increments; i++)
        atomic_fetch_add(&atomic_counter, 1);
    return NULL;
}

static void print_count(const char *label, long counter, long expected, double seconds)
{
    recap_line(strcmp(label, "no lock") == 0,
               "  %-8s counter: %ld of %ld, lost %ld  %.1f ms, %.1f ns each", label, counter,
               expected, expected - counter, seconds * 1e3, seconds * 1e9 / (double)expected);
}

static long run_unlocked(const struct options *o, const char *label)
{
    unlocked_counter = 0;
    long increments = o->increments;
    double seconds = run_counting(o->threads, count_unlocked, &increments);
    print_count(label, unlocked_counter, o->threads * o->increments, seconds);
    return unlocked_counter;
}

/* ---- step 4: CPU-bound work ------------------------------------------------------------ */

#define BLOCK 1000 /* numbers per block; threads take blocks in turn so the work stays even */

struct prime_share {
    long limit, first_block, stride; /* this thread's blocks: first, first+stride, ... */
    long found;                      /* written by this thread only, read after join */
};

static int is_prime(long n)
{
    if (n < 2)
        return 0;
    if (n % 2 == 0)
        return n == 2;
    for (long d = 3; d * d <= n; d += 2)
        if (n % d == 0)
            return 0;
    return 1;
}

static void *count_primes(void *arg)
{
    struct prime_share *share = arg;
    long found = 0;
    for (long block = share->first_block; block * BLOCK < share->limit; block += share->stride)
        for (long n = block * BLOCK; n < (block + 1) * BLOCK && n < share->limit; n++)
            found += is_prime(n);
    share->found = found;
    return NULL;
}

/* The job the speedup table times: count the primes below *limit with `threads` threads. */
static long primes_with(long threads, void *limit)
{
    struct prime_share *shares = malloc((size_t)threads * sizeof *shares);
    if (shares == NULL)
        die_errno("malloc");
    for (long i = 0; i < threads; i++)
        shares[i] =
            (struct prime_share){.limit = *(long *)limit, .first_block = i, .stride = threads};
    run_threads(threads, count_primes, shares, sizeof *shares);
    long total = 0;
    for (long i = 0; i < threads; i++)
        total += shares[i].found;
    free(shares);
    return total;
}

/* What the medians say about claim 5. The most threads can gain is what the cores they got
 * allow: the threads' own CPU time over the wall time says how many cores that was, at one
 * thread and at `cores` threads. (The load average cannot say it: it trails by a minute.)
 * Past the cores, a change smaller than the rounds' spread is noise, and is called that. */
static void print_verdict(const struct speedup_table *table, long cores)
{
    const struct speedup_row *one = speedup_row_at(table, 1);
    const struct speedup_row *all = speedup_row_at(table, cores);
    const struct speedup_row *twice = speedup_row_at(table, 2 * cores);
    recap_line(true, "  verdict (medians): %.2fx at %ld threads, %.2fx at %ld", all->speedup.median,
               all->threads, twice->speedup.median, twice->threads);
    if (cores <= 1) {
        printf("    one core: no two threads ever run at once here\n");
        return;
    }
    double most = all->cores_used / one->cores_used;
    printf("    free cores:      %.1f of %ld at %ld threads, %.1f at 1: at most ~%.1fx here\n",
           all->cores_used, cores, all->threads, one->cores_used, most);
    printf("    up to the cores: %.2fx, %s\n", all->speedup.median,
           all->speedup.median >= 0.8 * most ? "as much as the free cores allow"
                                             : "less than the free cores allow");
    double change = twice->speedup.median / all->speedup.median - 1;
    int noise = twice->speedup.min <= all->speedup.max && all->speedup.min <= twice->speedup.max;
    double size = change < 0 ? -change : change;
    const char *words = size < 0.02   ? "the same"
                        : size < 0.15 ? (change > 0 ? "a little more" : "a little less")
                                      : (change > 0 ? "more" : "less");
    printf("    past the cores:  %s (%+.0f%%, %s)\n", words, change * 100,
           noise ? "within noise: the spreads overlap" : "beyond the spreads");
    if (!noise && change >= 0.15 && all->cores_used < 0.8 * (double)cores)
        printf("    (more threads won a bigger share of the cores other programs use)\n");
}

static void show_speedup(long cores, long rounds, long limit, struct speedup_table *table)
{
    cores = cores > 0 ? cores : 1; /* unknown: at least the 1 and 2 thread rows */
    printf("  the same primes counted with 1 to %ld threads, %ld round%s of every row\n", 2 * cores,
           rounds, rounds == 1 ? "" : "s");
    *table = speedup_measure(cores, rounds, primes_with, &limit);
    speedup_print(table);
    printf("  primes below %ld: %ld, the same for every row and round\n", limit, table->result);
    print_verdict(table, cores);
    printf("  Threads run at once only on free cores (parallelism: cpu/wall above 100%%);\n"
           "  more threads than that take turns on them (concurrency).\n");
    if (speedup_row_at(table, cores)->speedup.median >= 1.3)
        printf("  In CPython this table would show about 1.00x on every row: the GIL lets\n"
               "  one thread at a time run bytecode.\n");
    else
        printf("  CPython's GIL would hold every row to about 1.00x even on idle cores: it\n"
               "  lets one thread at a time run bytecode.\n");
}

/* ---- step 5: what a thread costs ---------------------------------------------------------- */

static void *do_nothing(void *arg)
{
    return arg;
}

/* create + join, one thread at a time, n times; returns microseconds per thread. */
static double time_threads(long n)
{
    double start = clock_now();
    for (long i = 0; i < n; i++)
        run_threads(1, do_nothing, NULL, 0);
    return (clock_now() - start) / (double)n * 1e6;
}

/* ---- main ---------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    struct options o = parse_options(argc, argv);
    long expected = o.threads * o.increments;
    long cores = cores_online();

    double load = cores_report_load(cores, "step 4's speedups"); /* step 4 needs idle cores */

    step(1, "threads in one process");
    show_hello(o.threads);

    step(2, "one shared counter, three ways");
    printf("  %ld threads x %ld increments each\n", o.threads, o.increments);
    long unlocked = run_unlocked(&o, "no lock");
    printf("           ^ a DELIBERATE data race: load, add, store can interleave\n");
    double seconds = run_counting(o.threads, count_locked, &o.increments);
    print_count("mutex", locked_counter, expected, seconds);
    seconds = run_counting(o.threads, count_atomic, &o.increments);
    long atomic = atomic_load(&atomic_counter);
    print_count("atomic", atomic, expected, seconds);

    step(3, "the unlocked counter again: how much is lost changes every run");
    long lost_min = expected, lost_max = 0;
    for (long run = 1; run <= o.runs; run++) {
        char label[32];
        snprintf(label, sizeof label, "run %ld:", run);
        long lost = expected - run_unlocked(&o, label);
        lost_min = lost < lost_min ? lost : lost_min;
        lost_max = lost > lost_max ? lost : lost_max;
    }
    printf("  lost over %ld runs: min %ld, max %ld\n", o.runs, lost_min, lost_max);

    step(4, "CPU-bound work: more threads help only up to the number of cores");
    struct speedup_table table;
    show_speedup(cores, o.rounds, o.limit, &table);
    const struct speedup_row *at_cores = speedup_row_at(&table, cores);
    const struct speedup_row *at_twice = speedup_row_at(&table, 2 * cores);

    step(5, "what a thread costs");
    double create_us = time_threads(o.create_n);
    long stack_kib = (long)(thread_default_stack_size() / 1024);
    printf("  %ld x (pthread_create + pthread_join): %.1f µs per thread\n", o.create_n, create_us);
    printf("  default stack: %ld KiB of address space per thread; only the pages it touches\n"
           "  become memory (compare with the µs per process that 01-fork-exec prints)\n",
           stack_kib);

    printf("\n");
    recap_print("one pid, one counter (step 1); the race (step 2); the cores (step 4)");

    char load_text[32] = "unknown";
    if (load >= 0)
        snprintf(load_text, sizeof load_text, "%.2f", load);
    summary_print("threads=%ld expected=%ld unlocked=%ld locked=%ld atomic=%ld speedup=%.2f "
                  "create_us=%.1f runs=%ld lost_min=%ld lost_max=%ld cores=%ld stack_kib=%ld "
                  "rounds=%ld speedup_2x=%.2f load=%s free_cores=%.1f",
                  o.threads, expected, unlocked, locked_counter, atomic, at_cores->speedup.median,
                  create_us, o.runs, lost_min, lost_max, cores, stack_kib, o.rounds,
                  at_twice->speedup.median, load_text, at_cores->cores_used);
    speedup_free(&table);
    return 0;
}
