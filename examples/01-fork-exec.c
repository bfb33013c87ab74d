/* 01-fork-exec — processes: fork, exec, wait, copy-on-write, the PID chain, cost per process
 *
 * A process is a running program with memory of its own. Unix makes a new one in two
 * steps: fork() copies the calling process, then exec() replaces the copy's program with
 * another one. A shell running `find` does exactly that. This example walks through it:
 *
 *   1. the chain of parents, from this process up to PID 1
 *   2. fork(): one call that returns twice, once in the parent and once in the child
 *   3. exec(): the child becomes another program (find, or the command after --)
 *   4. an exec that fails: the child exits with 127, the parent learns why
 *   5. a child killed by a signal, as waitpid() reports it
 *   6. what a process costs: fork + _exit + waitpid, N times
 *   7. copy-on-write: fork does not copy 64 MiB, the first write to each page does
 *   8. no zombies: waitpid(-1) finds no child left unwaited
 *   and a recap of the chain and the costs, so that they are on the last screen
 *
 * Run:  make run-01                      (ARGS="-n 200 -- echo hello" changes things)
 * Look for: the chain ending at "pid 1"; the child's changes that never reach the parent;
 * "exited with status 127" and ENOENT in step 4; the µs per process in step 6, to compare
 * with the µs per thread that 02 prints; a fork that is quick although 64 MiB are mapped.
 * Lecture claims: 1 (creating a process is slow and costs memory), 2 (every process has a
 * parent; the chain ends at PID 1), and the process half of 3 (threads are cheaper).
 */
#include "clock.h"
#include "costs.h"
#include "errors.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE           "[-n N] [--help] [-- COMMAND [ARGS...]]"
#define DEFAULT_N       1000
#define BIG_MIB         64 /* the buffer that shows copy-on-write */
#define BIG_N_MAX       200 /* forks timed with the big buffer mapped (each copies its page tables) */
#define NO_SUCH_PROGRAM "asynclab-no-such-program"

static void print_help(void)
{
    printf("01-fork-exec: how Unix makes a process (fork), changes its program (exec) and\n"
           "learns how it ended (waitpid); the parent chain up to PID 1; copy-on-write;\n"
           "and what one process costs, in microseconds.\n\n"
           "usage: %s %s\n"
           "  -n N             fork+_exit+waitpid N children to time them (default %d)\n"
           "  -- COMMAND ARGS  the program the child execs in step 3\n"
           "                   (default: find examples -name '*.c', else ls /)\n"
           "  --help           this text\n\n"
           "example: %s -n 200 -- echo hello\n",
           prog_name(), USAGE, DEFAULT_N, prog_name());
}

static void step(int number, const char *title)
{
    printf("\nstep %d: %s\n", number, title);
}

/* The shell's convention in one number: the exit status, or 128 + the signal's number. */
static int status_code(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int report_status(pid_t pid, const char *who, int status)
{
    if (WIFEXITED(status))
        printf("  [parent] waitpid(%ld): %s exited with status %d\n", (long)pid, who,
               WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("  [parent] waitpid(%ld): %s was killed by signal %d (%s)\n", (long)pid, who,
               WTERMSIG(status), strsignal(WTERMSIG(status)));
    return status;
}

static int reap_and_report(pid_t pid, const char *who)
{
    return report_status(pid, who, proc_wait(pid));
}

/* ---- step 1: the chain of parents ------------------------------------------------------ */

#if defined(__linux__) && !defined(ASYNCLAB_PORTABLE) /* make POLLER=poll: the fallback */
/* /proc/PID/stat reads "PID (NAME) STATE PPID ...". NAME may itself hold spaces and ')',
 * so the fields after it are found from the last ')'. Returns 0, or -1 if unreadable. */
static int read_proc_stat(pid_t pid, char *name, size_t name_size, pid_t *parent)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    size_t got = fread(line, 1, sizeof line - 1, file);
    int failed = ferror(file);
    if (fclose(file) != 0 || failed)
        return -1;
    line[got] = '\0';
    char *open = strchr(line, '(');
    char *close = strrchr(line, ')');
    long ppid;
    if (open == NULL || close == NULL || sscanf(close + 1, " %*c %ld", &ppid) != 1)
        return -1;
    snprintf(name, name_size, "%.*s", (int)(close - open - 1), open + 1);
    *parent = (pid_t)ppid;
    return 0;
}

/* Prints one line per ancestor; returns the last PID reached (1 when the chain is whole). */
static long show_pid_chain(void)
{
    pid_t pid = getpid();
    for (int hops = 0; hops < 64; hops++) {
        char name[64];
        pid_t parent;
        if (read_proc_stat(pid, name, sizeof name, &parent) != 0) {
            printf("  pid %-7ld (cannot read /proc/%ld/stat: the chain stops here)\n", (long)pid,
                   (long)pid);
            return pid;
        }
        const char *role = pid == getpid() ? "<- me"
                           : pid == 1      ? "<- the first process; every chain ends here"
                                           : NULL;
        if (role != NULL)
            printf("  pid %-7ld %-18s%s\n", (long)pid, name, role);
        else
            printf("  pid %-7ld %s\n", (long)pid, name);
        if (pid == 1)
            return 1;
        if (parent == 0) {
            printf("  (its parent is outside this PID namespace: a container's edge)\n");
            return pid;
        }
        pid = parent;
    }
    return pid;
}
#else
/* Without /proc there is no portable way to look past the first parent. */
static long show_pid_chain(void)
{
    printf("  pid %-7ld <- me\n  pid %-7ld <- my parent (no /proc here to go further)\n",
           (long)getpid(), (long)getppid());
    return (long)getppid();
}
#endif

/* ---- step 2: fork ----------------------------------------------------------------------- */

static void show_fork(void)
{
    printf("  [parent] I am pid %ld; calling fork()\n", (long)getpid());
    pid_t pid = proc_fork();
    if (pid == 0) {
        printf("  [child]  fork() returned 0: I am the child, pid %ld, my parent is %ld\n",
               (long)getpid(), (long)getppid());
        _exit(0); /* _exit: no atexit handlers, no second flush of the parent's stdio */
    }
    printf("  [parent] fork() returned %ld: that is my child's pid\n", (long)pid);
    printf("  (the two lines above come from two processes: their order can change)\n");
    reap_and_report(pid, "the child");
}

/* ---- steps 3 and 4: exec ------------------------------------------------------------------ */

/* Runs argv in a child and waits for it. Returns 1 if exec succeeded (the child became that
 * program), 0 if it failed (*exec_errno says why). How the parent can tell the two apart: a
 * pipe whose write end has FD_CLOEXEC. A successful exec closes it, so the parent reads
 * end-of-file; a failed exec writes errno into it first. (Python's subprocess does this.) */
static int run_program(char *const argv[], pid_t *pid, int *status, int *exec_errno)
{
    int report[2];
    if (pipe(report) != 0)
        die_errno("pipe");
    if (fcntl(report[1], F_SETFD, FD_CLOEXEC) != 0)
        die_errno("fcntl FD_CLOEXEC");
    *pid = proc_fork();
    if (*pid == 0) {
        if (close(report[0]) != 0)
            die_child(1, "close");
        printf("  [child]  pid %ld: execvp(\"%s\", ...)\n"
               "           if it works, the code of this program is gone\n",
               (long)getpid(), argv[0]);
        if (fflush(stdout) != 0)
            die_child(1, "fflush stdout");
        execvp(argv[0], argv);
        int saved = errno; /* still here: exec failed */
        if (write(report[1], &saved, sizeof saved) != (ssize_t)sizeof saved)
            warn_errno("write to the parent");
        if (close(report[1]) != 0)
            warn_errno("close");
        errno = saved;
        die_child(127, "exec %s", argv[0]); /* 127: the shell's "command not found" */
    }
    if (close(report[1]) != 0)
        die_errno("close");
    *exec_errno = 0;
    ssize_t got;
    while ((got = read(report[0], exec_errno, sizeof *exec_errno)) < 0 && errno == EINTR)
        continue;
    if (got < 0)
        die_errno("read from the exec report pipe");
    if (close(report[0]) != 0)
        die_errno("close");
    *status = proc_wait(*pid);
    return got == 0;
}

/* One argument as you would type it in a shell: quoted if it holds anything special. */
static void print_word(const char *word)
{
    const char *plain = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=+,:@%-";
    if (word[0] != '\0' && strspn(word, plain) == strlen(word))
        printf(" %s", word);
    else
        printf(" '%s'", word);
}

static int show_exec(char *const argv[])
{
    pid_t pid;
    int status, exec_errno;
    printf("  [parent] the child will replace its program with:");
    for (int i = 0; argv[i] != NULL; i++)
        print_word(argv[i]);
    printf("\n  ---- the child's output ----\n");
    int ok = run_program(argv, &pid, &status, &exec_errno);
    printf("  ---- end of the child's output ----\n");
    report_status(pid, argv[0], status);
    char cause[128];
    if (ok)
        printf("  exec succeeded: pid %ld ran %s, the program we started with was gone\n",
               (long)pid, argv[0]);
    else
        printf("  exec FAILED in the child: %s\n", errno_describe(exec_errno, cause, sizeof cause));
    return ok;
}

static int show_failed_exec(void)
{
    char *argv[] = {NO_SUCH_PROGRAM, NULL};
    pid_t pid;
    int status, exec_errno;
    printf("  the child will exec \"%s\", which does not exist\n", NO_SUCH_PROGRAM);
    int ok = run_program(argv, &pid, &status, &exec_errno);
    int code = status_code(report_status(pid, "the child", status));
    char cause[128];
    printf("  exec %s; errno sent up the pipe: %s\n", ok ? "succeeded?!" : "failed",
           errno_describe(exec_errno, cause, sizeof cause));
    printf("  exit status %d: the child called _exit(127), as a shell does\n"
           "  for a command it cannot find\n",
           code);
    return code;
}

/* ---- step 5: a signal ------------------------------------------------------------------ */

static void show_signal(void)
{
    pid_t pid = proc_fork();
    if (pid == 0) {
        /* An inherited "ignore SIGTERM" would keep us alive: restore the default first. */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        if (sigemptyset(&dfl.sa_mask) != 0 || sigaction(SIGTERM, &dfl, NULL) != 0)
            die_child(1, "sigaction SIGTERM");
        printf("  [child]  pid %ld: sending myself SIGTERM, as `kill %ld` would\n", (long)getpid(),
               (long)getpid());
        if (fflush(stdout) != 0 || raise(SIGTERM) != 0)
            die_child(1, "raise SIGTERM");
        die_child(1, "still alive after SIGTERM");
    }
    reap_and_report(pid, "the child");
}

/* ---- steps 6 and 7: what a process costs, copy-on-write ----------------------------------- */

/* Minor page faults of all children waited for so far. POSIX does not require the
 * counter, Linux and the BSDs keep it; -1 elsewhere. */
static long children_minor_faults(void)
{
#if defined(__linux__) && !defined(ASYNCLAB_PORTABLE) /* make POLLER=poll: the fallback */
    struct rusage usage;
    if (getrusage(RUSAGE_CHILDREN, &usage) != 0)
        die_errno("getrusage");
    return usage.ru_minflt;
#else
    return -1;
#endif
}

static size_t count_bytes(const char *buffer, size_t size, char byte)
{
    size_t count = 0;
    for (size_t i = 0; i < size; i++)
        count += buffer[i] == byte;
    return count;
}

static int show_copy_on_write(char *big, size_t size)
{
    int value = 42;
    double start = clock_now();
    memset(big, 'P', size);
    printf("  [parent] value = %d; filled %d MiB with 'P' in %.1f ms (now real memory)\n", value,
           BIG_MIB, (clock_now() - start) * 1e3);

    long faults_before = children_minor_faults();
    start = clock_now();
    pid_t pid = proc_fork();
    if (pid == 0) {
        double fork_ms = (clock_now() - start) * 1e3; /* start was copied too */
        value = 4242;
        double write_start = clock_now();
        memset(big, 'C', size);
        printf("  [child]  fork() returned after %.2f ms: nothing was copied yet\n", fork_ms);
        double write_ms = (clock_now() - write_start) * 1e3;
        printf("  [child]  set value = %d, wrote 'C' over %d MiB in %.1f ms:\n"
               "           each first write to a shared page made the kernel copy that page\n"
               "           (copy-on-write)\n",
               value, BIG_MIB, write_ms);
        printf("  [child]  my bytes that are 'C' now: %zu of %zu\n", count_bytes(big, size, 'C'),
               size);
        _exit(0);
    }
    reap_and_report(pid, "the child");
    long faults = children_minor_faults() - faults_before;
    if (faults_before >= 0)
        printf("  the child took %ld minor page faults; %d MiB / 4 KiB pages = %d\n", faults,
               BIG_MIB, BIG_MIB * 256);

    size_t changed = size - count_bytes(big, size, 'P');
    printf("  [parent] value = %d; bytes that are no longer 'P': %zu\n           -> %s\n", value,
           changed,
           value == 42 && changed == 0 ? "the child's writes never reached me" : "SHARED?!");
    return value;
}

/* ---- main ---------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    long n = DEFAULT_N;
    char **command = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            print_help();
            return 0;
        } else if (strcmp(argv[i], "-n") == 0) {
            n = parse_whole_or_die(USAGE, "-n", i + 1 < argc ? argv[++i] : NULL, 1, 1000000);
        } else if (strcmp(argv[i], "--") == 0) {
            if (i + 1 == argc)
                die_usage(USAGE, "-- needs a command after it");
            command = &argv[i + 1];
            break;
        } else {
            die_usage(USAGE, "unknown argument '%s'", argv[i]);
        }
    }
    char *find_argv[] = {"find", "examples", "-name", "*.c", NULL};
    char *ls_argv[] = {"ls", "/", NULL};
    struct stat examples_dir;
    if (command == NULL)
        command = stat("examples", &examples_dir) == 0 && S_ISDIR(examples_dir.st_mode) ? find_argv
                                                                                        : ls_argv;

    step(1, "who is my parent? follow the chain up to PID 1");
    long chain_end = show_pid_chain();

    step(2, "fork(): one call, two returns");
    show_fork();

    step(3, "exec(): the child becomes another program");
    int exec_ok = show_exec(command);

    step(4, "an exec that fails");
    int exec_fail_status = show_failed_exec();

    step(5, "a child killed by a signal");
    show_signal();

    step(6, "what a process costs");
    double fork_us = costs_fork(n) * 1e6; /* common/costs.c: fork, _exit, waitpid */
    printf("  %ld x (fork + _exit + waitpid): %.1f µs per process\n", n, fork_us);
    printf("  (02-threads measures a thread the same way: compare the two figures)\n");

    step(7, "copy-on-write: fork shares memory until someone writes");
    size_t size = (size_t)BIG_MIB << 20;
    char *big = malloc(size);
    if (big == NULL)
        die_errno("malloc %d MiB", BIG_MIB);
    int parent_value = show_copy_on_write(big, size);
    long big_n = n < BIG_N_MAX ? n : BIG_N_MAX;
    double fork_big_us = costs_fork(big_n) * 1e6;
    printf("  with %d MiB mapped: %.1f µs per process (%ld forks), %.1fx the small one:\n"
           "  no data is copied, but fork copies the page tables that map it\n",
           BIG_MIB, fork_big_us, big_n, fork_big_us / fork_us);
    free(big);

    step(8, "no zombies left behind");
    pid_t left = waitpid(-1, NULL, WNOHANG);
    if (left != -1 || errno != ECHILD)
        die("waitpid(-1) returned %ld: a child was never reaped", (long)left);
    printf("  waitpid(-1) reports ECHILD: every child was waited for, none is a zombie\n");

    /* In a hall the screen shows the last 30 rows: what the lecture points at is here. */
    printf("\nrecap: the chain up to PID 1 (step 1), what a process costs (steps 6, 7)\n");
    show_pid_chain();
    printf("  %ld x (fork + _exit + waitpid): %.1f µs per process\n", n, fork_us);
    printf("  with %d MiB mapped: %.1f µs per process, %.1fx the small one\n", BIG_MIB, fork_big_us,
           fork_big_us / fork_us);

    summary_print("children=%ld fork_us=%.1f exec_ok=%d exec_fail_status=%d fork_big_us=%.1f "
                  "big_mib=%d parent_value=%d chain_end=%ld",
                  n, fork_us, exec_ok, exec_fail_status, fork_big_us, BIG_MIB, parent_value,
                  chain_end);
    return 0;
}
