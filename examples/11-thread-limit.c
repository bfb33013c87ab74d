/* 11-thread-limit — why not a thread per connection: how many threads fit in one process
 *
 * A server that gives every connection its own thread needs, for the C10k problem, ten
 * thousand threads, and for a million clients a million. Each thread reserves a stack: 8 MiB
 * of address space by default on Linux (pthread_attr_getstacksize), of which it touches
 * only a few KiB. This example creates threads until the system says no, and shows what
 * stopped it:
 *
 *   a forked child caps its own address space (setrlimit RLIMIT_AS) at its size + 4 GiB,
 *   then creates threads with the default stack, each blocked on a pipe, until
 *   pthread_create fails; it reports after each thread, the parent keeps the last report.
 *   Then: how many fit, the error, the resident memory per thread, what a million would
 *   need, and the system's own ceilings (threads-max, pid_max, max_map_count).
 *
 * Made safe for the machine it runs on: the cap, a bound of 100,000 threads and another a
 * quarter short of pid_max (so that other programs can still start), a 30 s alarm in the
 * child, and every thread released and joined before the child exits. Under valgrind
 * (500 threads at most) it is skipped; on macOS, which accepts RLIMIT_AS but does not
 * enforce it, it is not measured.
 *
 * Run:  make run-11                  (ARGS="--stack 64": threads with 64 KiB stacks)
 * Look for: "515 threads, then EAGAIN": a few hundred threads use up 4 GiB of address
 * space, long before memory runs out; "a million threads: 7.6 TiB of stacks to reserve".
 * With --stack 64 a system ceiling (pid_max) decides instead of the cap: the child stops
 * a quarter short of it.
 * Lecture claims: 3 (threads are cheaper than processes, but each has a stack), 10 (C10k:
 * one thread per connection does not scale; one process with non-blocking I/O does).
 */
#include "clock.h"
#include "costs.h"
#include "errors.h"
#include "format.h"
#include "proc.h"
#include "procfs.h"
#include "progress.h"
#include "threads.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdnoreturn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE "[--stack KIB] [--help]"
#define GIB   (1024.0 * 1024 * 1024)
enum { EXTRA_GIB = 4, MAX_THREADS = 100000, ALARM_SECONDS = 30, MAX_STACK_KIB = 1048576 };

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

/* What the child sends after each thread: the parent keeps the last one it reads. */
struct report {
    long count;      /* threads alive at once */
    int error;       /* 0 while going; pthread_create's error; -1: stopped short (sanitizer) */
    double resident; /* at the end: growth of the child's resident size, bytes; -1 unknown */
};

struct limit {
    struct report last;       /* the child's last report */
    int signal;               /* the signal that ended the child (SIGALRM: the alarm), 0 if none */
    double cap;               /* the RLIMIT_AS the child ran under, bytes */
    double stack;             /* each thread's stack, bytes */
    const char *skipped;      /* why it was not measured, or NULL */
    long bound;               /* the most threads the child makes: MAX_THREADS, or less (below) */
    const char *ceiling_name; /* pid_max or threads-max when that set the bound, else NULL */
    double ceiling, running;  /* its value, and the threads the system ran at the start */
};

/* ---- the child: threads until pthread_create says no ----------------------------------- */

/* Every thread the child makes blocks here until the child closes the gate's write end. */
static void *wait_for_eof(void *arg)
{
    const int *gate = arg;
    char byte;
    while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
        continue;
    return NULL;
}

static void send_report(int fd, struct report r)
{
    if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
        die_child(1, "write the report pipe");
}

/* Would one more thread leave less than the sanitizer's headroom under the cap? */
static int too_close_to_cap(const struct limit *t)
{
    return sanitizer_headroom > 0 && procfs_size_bytes(0) + t->stack + sanitizer_headroom > t->cap;
}

/* Cap the address space, then create threads until pthread_create fails or the bound is
 * hit; report, release every thread, join them and leave. */
static noreturn void count_threads(int report_fd, const struct limit *t, pthread_t *ids)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) != 0)
        die_child(1, "getrlimit RLIMIT_AS");
    limit.rlim_cur = (rlim_t)t->cap;
    if (setrlimit(RLIMIT_AS, &limit) != 0)
        die_child(1, "setrlimit RLIMIT_AS");
    alarm(ALARM_SECONDS);
    int gate[2];
    pthread_attr_t attr;
    if (pipe(gate) != 0 || pthread_attr_init(&attr) != 0 ||
        (errno = pthread_attr_setstacksize(&attr, (size_t)t->stack)) != 0)
        die_child(1, "pipe, or a stack of %.0f bytes", t->stack);
    double before = procfs_resident_bytes(0);
    struct report r = {0, 0, -1};
    while (r.count < t->bound) {
        if (too_close_to_cap(t)) {
            r.error = -1;
            break;
        }
        r.error = pthread_create(&ids[r.count], &attr, wait_for_eof, gate);
        if (r.error != 0)
            break;
        r.count++;
        send_report(report_fd, r);
    }
    double after = procfs_resident_bytes(0); /* every thread alive, blocked on the gate */
    r.resident = before < 0 || after < 0 || r.count == 0 ? -1 : (after - before) / r.count;
    send_report(report_fd, r);
    if (close(gate[1]) != 0) /* every thread reads end of file and returns */
        die_child(1, "close");
    for (long i = 0; i < r.count; i++)
        if ((errno = pthread_join(ids[i], NULL)) != 0)
            die_child(1, "pthread_join");
    _exit(0);
}

/* ---- the parent: fork the child, read its reports ------------------------------------- */

/* Under valgrind every thread runs on valgrind's own scheduler, which allows 500 at most:
 * its preload library in LD_PRELOAD gives it away. */
static int under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload != NULL && strstr(preload, "vgpreload") != NULL;
}

/* pid_max and threads-max count the threads of every program: at either, no program on the
 * machine could start a thread or a process. So the child stops a quarter short of the
 * lower one, less the threads already running, which leaves the others room. */
static void set_bound(struct limit *t)
{
    static const char *const names[] = {"pid_max", "threads-max"};
    static const char *const paths[] = {"/proc/sys/kernel/pid_max", "/proc/sys/kernel/threads-max"};
    t->bound = MAX_THREADS;
    double running = procfs_system_threads();
    for (int i = 0; i < 2 && running >= 0; i++) {
        double ceiling = procfs_number(paths[i]);
        double room = ceiling - running - ceiling / 4;
        if (ceiling > 0 && room < (double)t->bound) {
            t->bound = room > 0 ? (long)room : 0;
            t->ceiling_name = names[i];
            t->ceiling = ceiling;
            t->running = running;
        }
    }
}

/* Where the measurement cannot hold, why (one line); NULL where it can. Sets the cap. */
static const char *cannot_measure(struct limit *t)
{
#ifdef __APPLE__
    (void)t;
    return "not measured on macOS: it accepts RLIMIT_AS but does not enforce it";
#else
    if (under_valgrind())
        return "skipped under valgrind (it runs 500 threads at most)";
    double size = procfs_size_bytes(0);
    if (size < 0)
        return "unknown: this system does not show a process's size";
    t->cap = size + EXTRA_GIB * GIB;
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) != 0)
        die_errno("getrlimit RLIMIT_AS");
    if (limit.rlim_cur != RLIM_INFINITY && (double)limit.rlim_cur < t->cap)
        t->cap = (double)limit.rlim_cur; /* never raise a limit someone set */
    return NULL;
#endif
}

static void measure(struct limit *t)
{
    set_bound(t);
    /* Allocated before the fork, so that the child needs no memory under its cap for it. */
    pthread_t *ids = costs_malloc_resident(MAX_THREADS * sizeof *ids, "thread ids");
    int report[2];
    if (pipe(report) != 0)
        die_errno("pipe");
    pid_t pid = proc_fork();
    if (pid == 0) {
        if (close(report[0]) != 0)
            die_child(1, "close");
        count_threads(report[1], t, ids);
    }
    if (close(report[1]) != 0)
        die_errno("close");
    struct report next;
    ssize_t n;
    while ((n = read(report[0], &next, sizeof next)) == (ssize_t)sizeof next ||
           (n < 0 && errno == EINTR)) {
        if (n < 0)
            continue;
        t->last = next;
        if (next.count % 100 == 0)
            progress_show("measuring: %ld threads alive in the child ...", next.count);
    }
    progress_clear();
    if (close(report[0]) != 0)
        die_errno("close");
    free(ids);
    int status = proc_wait(pid);
    if (WIFSIGNALED(status))
        t->signal = WTERMSIG(status);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the thread-limit child failed (wait status %d)", status);
}

/* ---- the report ------------------------------------------------------------------------ */

/* How the count ended, one word for the summary: pthread_create's error (EAGAIN), or
 * "bound", "alarm", "signal", "sanitizer"; "valgrind" or "unsupported" when not measured. */
static const char *stop_reason(const struct limit *t)
{
    if (t->skipped != NULL)
        return under_valgrind() ? "valgrind" : "unsupported";
    if (t->signal != 0)
        return t->signal == SIGALRM ? "alarm" : "signal";
    if (t->last.error < 0)
        return "sanitizer";
    return t->last.error == 0 ? "bound" : errno_name(t->last.error);
}

static void print_result(const struct limit *t)
{
    const struct report *r = &t->last;
    char cap[32], stacks[32], resident[32];
    format_big_bytes(cap, sizeof cap, t->cap);
    printf("a child capped at %s of address space (RLIMIT_AS: its size + %d GiB)\n"
           "created threads with stacks of %.0f KiB until pthread_create failed:\n",
           cap, EXTRA_GIB, t->stack / 1024);
    if (t->signal != 0)
        printf("  %ld threads, then signal %d ended the child (%s)\n", r->count, t->signal,
               t->signal == SIGALRM ? "the alarm" : "not ours");
    else if (r->error < 0)
        printf("  %ld threads, then stopped %.0f MiB short of the cap: a sanitizer's\n"
               "  runtime would abort on the failed mmap before pthread_create could fail\n",
               r->count, sanitizer_headroom / (1024 * 1024));
    else if (r->error != 0)
        printf("  %ld threads, then %s (%s)\n", r->count, errno_name(r->error), strerror(r->error));
    else if (t->ceiling_name != NULL)
        printf("  %ld threads: where this program stops, at %s (%.0f) less the %.0f\n"
               "  threads running, less a quarter left free so that others can start\n",
               r->count, t->ceiling_name, t->ceiling, t->running);
    else
        printf("  %ld threads: the bound this program sets; the system allows more\n", r->count);
    if (r->resident >= 0) {
        format_bytes(resident, sizeof resident, r->resident);
        printf("  each touched %s of its stack (resident growth per thread)\n", resident);
    }
    printf("what a thread per connection would need:\n");
    static const char *const crowds[] = {"  10000 connections (C10k)", "  a million threads"};
    for (int i = 0; i < 2; i++) {
        double n = i == 0 ? 1e4 : 1e6;
        format_big_bytes(stacks, sizeof stacks, n * t->stack);
        format_big_bytes(resident, sizeof resident, n * r->resident);
        printf("%s: %s of stacks to reserve", crowds[i], stacks);
        printf(r->resident >= 0 ? ", %s resident\n" : "\n", resident);
    }
}

static void print_ceilings(void)
{
    static const char *const ceilings[][2] = {{"threads-max", "/proc/sys/kernel/threads-max"},
                                              {"pid_max", "/proc/sys/kernel/pid_max"},
                                              {"max_map_count", "/proc/sys/vm/max_map_count"}};
    int shown = 0;
    for (int i = 0; i < 3; i++) {
        double value = procfs_number(ceilings[i][1]);
        if (value >= 0)
            printf("%s%s %.0f", shown++ ? ", " : "system ceilings: ", ceilings[i][0], value);
    }
    printf(shown ? "\n" : "system ceilings: not readable here\n");
}

static void print_help(void)
{
    printf("11-thread-limit: why not a thread per connection. A child process caps its\n"
           "address space at its size + %d GiB and creates threads until pthread_create\n"
           "fails: how many fit, why it stopped, and what a million would need.\n\n"
           "usage: %s %s\n"
           "  --stack KIB  give each thread a stack of KIB KiB (16 to %d; default: the\n"
           "               system's, %zu KiB here)\n"
           "  --help       this text\n\n"
           "example: %s --stack 64\n",
           EXTRA_GIB, prog_name(), USAGE, MAX_STACK_KIB, thread_default_stack_size() / 1024,
           prog_name());
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    struct limit t = {.last = {0, 0, -1}, .cap = -1};
    t.stack = (double)thread_default_stack_size();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            print_help();
            return 0;
        } else if (strcmp(argv[i], "--stack") == 0) {
            t.stack = 1024.0 *
                      (double)parse_whole_or_die(USAGE, "--stack", argv[i + 1], 16, MAX_STACK_KIB);
            i++;
        } else {
            die_usage(USAGE, "unknown argument '%s'", argv[i]);
        }
    }
    printf("11-thread-limit: how many threads fit in one process?\n"
           "  a thread per connection: each reserves %.0f KiB of stack address space\n\n",
           t.stack / 1024);
    t.skipped = cannot_measure(&t);
    if (t.skipped != NULL)
        printf("%s\n", t.skipped);
    else
        measure(&t);
    if (t.skipped == NULL)
        print_result(&t);
    print_ceilings();

    char count[32];
    if (t.skipped == NULL)
        snprintf(count, sizeof count, "%ld", t.last.count);
    else
        snprintf(count, sizeof count, "%s", under_valgrind() ? "skipped" : "unknown");
    char resident[32], cap[32];
    summary_print("thread_limit=%s reason=%s stack_kib=%.0f cap_mib=%s thread_kib=%s", count,
                  stop_reason(&t), t.stack / 1024, format_figure(cap, sizeof cap, t.cap, 1048576),
                  format_figure(resident, sizeof resident, t.last.resident, 1024));
    return 0;
}
