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
 * Every time is the median of -r rounds. Memory is measured once, after the rounds: they free
 * all they create, so the process is small again (a big parent makes every fork slower and
 * every child's RSS bigger). The last column divides each figure by the generator's. The
 * kernel's side of create and switch is timed in common/costs.c (01 times its forks there
 * too); the generator's side is here. How many threads fit in one process: 11.
 *
 * Run:  make run-10                  (ARGS="-n 0.1 -r 3" for a quicker, smaller run)
 * Look for: the "x generator" column: creating a process costs as much as tens of
 * thousands of generators, a thread thousands; a kernel switch takes µs, a generator switch
 * a few ns; a child shows hundreds of KiB of RSS but owns little of it, a thread keeps some
 * KiB (and reserves 8 MiB of stack), a generator a few dozen bytes. The round lines show how
 * much the figures move between runs.
 * Lecture claims: 1 (creating a process is slow and costs memory), 3 (threads are cheaper
 * to create than processes), 13 (cooperative switching is far cheaper than a thread or
 * process context switch).
 */
#include "chart.h"
#include "clock.h"
#include "costs.h"
#include "errors.h"
#include "format.h"
#include "gen.h"
#include "machine.h"
#include "procfs.h"
#include "progress.h"
#include "stats.h"
#include "threads.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- create and finish; switch (the kernel's side of both: common/costs.c) ------------ */

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

/* The processes' and threads' ping-pong is costs_switch_processes() and
 * costs_switch_threads(): a byte over a pipe, through the kernel. This is the generators'. */
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

/* K generators, each in its own malloc'd frame (as 07 allocates one per fetch), each
 * started and suspended at its yield. */
static double memory_per_generator(long k)
{
    struct oneshot **frames = costs_malloc_resident((size_t)k * sizeof *frames, "frame pointers");
    long finished = 0;
    double before = procfs_resident_bytes(0);
    for (long i = 0; i < k; i++) {
        frames[i] = malloc(sizeof *frames[i]);
        if (frames[i] == NULL)
            die_errno("malloc generator frame %ld of %ld", i + 1, k);
        *frames[i] = (struct oneshot){.finished = &finished};
        if (resume_oneshot(frames[i]) != GEN_MORE)
            die("generator %ld finished before its yield", i + 1);
    }
    double after = procfs_resident_bytes(0); /* all k alive, each suspended at its yield */
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

/* ---- what is measured, how many times, and the figures ------------------------------- */

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
    struct costs_process_memory process; /* a child's RSS, own pages and page tables */
    double stack_reserved;               /* default thread stack: address space, not memory */
};

/* Each measurement, by kind: the kernel's two in common/costs.c, the generator's above. */
static double (*const create_one[KINDS])(long) = {costs_fork, costs_pthread_create,
                                                  create_generators};
static double (*const switch_two[KINDS])(long) = {costs_switch_processes, costs_switch_threads,
                                                  switch_generators};

static void measure_times(const struct options *o, struct figures *f)
{
    const char *what = "measuring: round %ld of %ld, %s %s ...";
    double create[KINDS][MAX_ROUNDS], switches[KINDS][MAX_ROUNDS];
    for (long r = 0; r < o->rounds; r++) {
        for (int k = 0; k < KINDS; k++) {
            progress_show(what, r + 1, o->rounds, "creating", kind_plurals[k]);
            create[k][r] = create_one[k](o->create[k]);
        }
        for (int k = 0; k < KINDS; k++) {
            progress_show(what, r + 1, o->rounds, "switching", kind_plurals[k]);
            switches[k][r] = switch_two[k](o->switches[k]);
        }
        progress_clear();
        if (o->quiet)
            continue;
        char text[2 * KINDS][32];
        for (int k = 0; k < KINDS; k++) {
            format_seconds(text[k], sizeof text[k], create[k][r]);
            format_seconds(text[KINDS + k], sizeof text[k], switches[k][r]);
        }
        printf("round %ld/%ld: create %s  %s  %s | switch %s  %s  %s\n", r + 1, o->rounds, text[0],
               text[1], text[2], text[3], text[4], text[5]);
    }
    for (int k = 0; k < KINDS; k++) {
        f->create[k] = median(create[k], o->rounds);
        f->switches[k] = median(switches[k], o->rounds);
    }
}

static void measure_memory(const struct options *o, struct figures *f)
{
    if (!o->quiet)
        printf("\nmemory, measured once:\n");
    const char *what = "measuring: memory of %ld %s alive at once ...";
    progress_show(what, o->live[PROCESS], kind_plurals[PROCESS]);
    f->process = costs_live_processes(o->live[PROCESS]);
    f->memory[PROCESS] = f->process.resident;
    progress_show(what, o->live[THREAD], kind_plurals[THREAD]);
    f->memory[THREAD] = costs_live_threads(o->live[THREAD]);
    progress_show(what, o->live[GENERATOR], kind_plurals[GENERATOR]);
    f->memory[GENERATOR] = memory_per_generator(o->live[GENERATOR]);
    f->stack_reserved = (double)thread_default_stack_size();
    progress_clear();
    for (int k = 0; k < KINDS && !o->quiet; k++) {
        char figure[32];
        format_bytes(figure, sizeof figure, f->memory[k]);
        printf("  %ld %s alive: %s each\n", o->live[k], kind_plurals[k], figure);
    }
}

/* ---- the table -------------------------------------------------------------------------- */

/* printf's field widths count bytes, and "µ" is two: pad by characters instead. */
static void print_rows(const char *measure, const char *const how[KINDS], const long units[KINDS],
                       const double figures[KINDS], int in_bytes)
{
    for (int k = 0; k < KINDS; k++) {
        char figure[32], times[32] = "-";
        double gen = figures[GENERATOR];
        (in_bytes ? format_bytes : format_seconds)(figure, sizeof figure, figures[k]);
        if (figures[k] >= 0 && gen > 0)
            snprintf(times, sizeof times, figures[k] / gen < 10 ? "%.1fx" : "%.0fx",
                     figures[k] / gen);
        printf("%-7s %-10s %-28s %9ld ", k == 0 ? measure : "", kind_names[k], how[k], units[k]);
        int columns = utf8_columns(figure, strlen(figure)); /* "µs": 3 bytes, 2 columns */
        printf("%*s%s %11s\n", columns < 10 ? 10 - columns : 0, "", figure, times);
    }
}

static void print_table(const struct options *o, const struct figures *f)
{
    static const char *const create_how[KINDS] = {
        "fork, _exit, waitpid", "pthread_create, return, join", "malloc, run to the end, free"};
    static const char *const switch_how[KINDS] = {
        "pipe ping-pong, 1 byte", "pipe ping-pong, 1 byte", "resume/yield ping-pong"};
    static const char *const memory_how[KINDS] = {
        "child's resident size", "resident growth / thread", "resident growth / generator"};
    printf("\n%-7s %-10s %-28s %9s %10s %11s\n", "cost", "unit", "how it is measured", "units",
           "per unit", "x generator");
    print_rows("create", create_how, o->create, f->create, 0);
    print_rows("switch", switch_how, o->switches, f->switches, 0);
    print_rows("memory", memory_how, o->live, f->memory, 1);
    if (f->process.own >= 0 && f->process.page_tables >= 0)
        printf("memory of a process: %.0f KiB of it is its own, the rest is shared with its\n"
               "  parent (copy-on-write); its page tables add %.0f KiB of kernel memory\n",
               f->process.own / 1024, f->process.page_tables / 1024);
    printf("memory of a thread: plus %.0f MiB of address space reserved for its stack\n"
           "memory of a generator: sizeof its frame is %zu B; malloc rounds each block up\n",
           f->stack_reserved / (1024 * 1024), sizeof(struct oneshot));
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
            (g == 2 ? format_bytes : format_seconds)(text[g][k], sizeof text[g][k], v);
            snprintf(note[g][k], sizeof note[g][k], "%.0fx a generator",
                     v > 0 && gen > 0 ? v / gen : 0);
            bars[g][k] = (struct chart_bar){kind_names[k], v, text[g][k],
                                            v > 0 && gen > 0 && k != GENERATOR ? note[g][k] : NULL};
        }
        groups[g] =
            (struct chart_group){titles[g], g == 2 ? CHART_BYTES : CHART_SECONDS, bars[g], KINDS};
    }
    machine_describe(machine, sizeof machine);
    snprintf(caption, sizeof caption, "log scale, medians; measured on %s", machine);
    if (chart_log_bars(path, "What a process, a thread and a generator cost", caption, groups, 3) !=
        0)
        die_errno("--svg %s", path);
}

/* ---- explain, check, options, main ------------------------------------------------------ */

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
           "  generator  generators suspended at a yield: growth per generator\n\n"
           "times (process | thread | generator), each round:\n");
}

static void print_help(void)
{
    printf("10-cost-of-concurrency: one table of what a process, a thread and a generator\n"
           "cost on this machine: to create and finish one, to switch between two, and the\n"
           "memory one keeps while it is alive; each against the generator.\n\n"
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
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0) {
            print_help();
            exit(0);
        } else if (strcmp(arg, "-q") == 0) {
            o.quiet = 1;
        } else if (strcmp(arg, "--svg") == 0) {
            if (value == NULL || value[0] == '\0')
                die_usage(USAGE, "--svg needs a file name");
            o.svg_path = argv[++i];
        } else if (strcmp(arg, "-n") == 0) {
            o.scale = parse_number_or_die(USAGE, "-n", value, MIN_SCALE, MAX_SCALE);
            i++;
        } else if (strcmp(arg, "-r") == 0) {
            o.rounds = parse_whole_or_die(USAGE, "-r", value, 1, MAX_ROUNDS);
            i++;
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

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    int descriptors_at_start = costs_open_descriptors();
    struct options o = parse_options(argc, argv);
    struct figures f;
    if (!o.quiet)
        explain(&o);
    measure_times(&o, &f);
    measure_memory(&o, &f);
    print_table(&o, &f);
    /* Tens of thousands of units came and went: this dies if one is left behind. */
    long threads = costs_check_nothing_left(descriptors_at_start);
    if (!o.quiet)
        printf("left behind: no child (waitpid reports ECHILD), %s,\n"
               "  %d descriptors open, as at the start\n",
               threads == 1 ? "one thread" : "threads uncounted", descriptors_at_start);
    if (o.svg_path != NULL)
        draw_table(o.svg_path, &f);

    char kib[3][32];
    summary_print("process_create_us=%.1f thread_create_us=%.1f gen_create_ns=%.1f "
                  "process_switch_us=%.2f thread_switch_us=%.2f gen_switch_ns=%.2f "
                  "process_kib=%s thread_kib=%s gen_bytes=%s thread_stack_kib=%.0f gen_sizeof=%zu",
                  f.create[PROCESS] * 1e6, f.create[THREAD] * 1e6, f.create[GENERATOR] * 1e9,
                  f.switches[PROCESS] * 1e6, f.switches[THREAD] * 1e6, f.switches[GENERATOR] * 1e9,
                  format_figure(kib[0], sizeof kib[0], f.memory[PROCESS], 1024),
                  format_figure(kib[1], sizeof kib[1], f.memory[THREAD], 1024),
                  format_figure(kib[2], sizeof kib[2], f.memory[GENERATOR], 1),
                  f.stack_reserved / 1024, sizeof(struct oneshot));
    return 0;
}
