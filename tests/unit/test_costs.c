/* test_costs.c — the helpers behind 10 and 11: common/format, procfs, threads, costs and
 * progress. Figures are timing-dependent, so the checks are about their kind (positive,
 * in the right unit) and about what must hold exactly (the text, nothing left behind). */
#include "check.h"
#include "costs.h"
#include "errors.h"
#include "format.h"
#include "procfs.h"
#include "progress.h"
#include "threads.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void check_format(void)
{
    char out[32];
    format_seconds(out, sizeof out, 29.5e-9);
    check_text("format_seconds 29.5 ns", out, "29.5 ns");
    format_seconds(out, sizeof out, 33.7e-6);
    check_text("format_seconds 33.7 µs", out, "33.7 µs");
    format_seconds(out, sizeof out, 2.41e-3);
    check_text("format_seconds 2.41 ms", out, "2.41 ms");
    format_bytes(out, sizeof out, 31);
    check_text("format_bytes 31 B", out, "31 B");
    format_bytes(out, sizeof out, 8.3 * 1024);
    check_text("format_bytes 8.3 KiB", out, "8.3 KiB");
    format_bytes(out, sizeof out, 528.0 * 1024 * 1024);
    check_text("format_bytes 528.0 MiB", out, "528.0 MiB");
    format_bytes(out, sizeof out, -1);
    check_text("format_bytes unknown", out, "unknown");
    format_big_bytes(out, sizeof out, 1e6 * 8 * 1024 * 1024);
    check_text("format_big_bytes a million 8 MiB stacks", out, "7.6 TiB");
    format_big_bytes(out, sizeof out, 4.0 * 1024 * 1024 * 1024);
    check_text("format_big_bytes 4 GiB", out, "4.0 GiB");
    check_text("format_figure 8.3", format_figure(out, sizeof out, 8.3 * 1024, 1024), "8.3");
    check_text("format_figure unknown", format_figure(out, sizeof out, -1, 1024), "unknown");
}

static void check_procfs(void)
{
    char path[] = "/tmp/test_costs.XXXXXX";
    int fd = mkstemp(path);
    FILE *file = fd < 0 ? NULL : fdopen(fd, "w");
    check_that(file != NULL, "a scratch file");
    if (file == NULL)
        return;
    fputs("0.78 0.51 0.40 1/234 5678\n", file);
    fclose(file);
    double load = procfs_number(path);
    double resident = procfs_resident_bytes(0), size = procfs_size_bytes(0);
    unlink(path);
    check_that(procfs_number("/no/such/file") == -1, "procfs_number of a missing file is -1");
#if defined(__linux__) && !defined(ASYNCLAB_PORTABLE)
    check_that(load == 0.78, "procfs_number reads the first number: 0.78");
    check_that(resident > 0 && size > resident, "resident > 0 and below the address space");
    check_that(procfs_field(0, "status", "Threads:") == 1, "procfs_field Threads: 1");
    check_that(procfs_field(0, "status", "NoSuchLine:") == -1, "procfs_field of no line: -1");
#else
    check_that(load == -1 && resident == -1 && size == -1, "no /proc here: every figure -1");
#endif
}

static void check_costs(void)
{
    int descriptors = costs_open_descriptors();
    check_that(thread_default_stack_size() >= 16 * 1024, "the default stack is at least 16 KiB");
    check_that(costs_fork(5) > 0, "costs_fork: seconds per process > 0");
    check_that(costs_pthread_create(20) > 0, "costs_pthread_create: seconds per thread > 0");
    check_that(costs_switch_processes(20) > 0, "costs_switch_processes > 0");
    check_that(costs_switch_threads(20) > 0, "costs_switch_threads > 0");
    struct costs_process_memory child = costs_live_processes(2);
#if defined(__linux__) && !defined(ASYNCLAB_PORTABLE)
    check_that(child.resident > 0 && child.own >= 0 && child.own < child.resident,
               "a live child: resident > its own pages >= 0");
#else
    check_that(child.resident == -1, "a live child: unknown without /proc");
#endif
    (void)costs_live_threads(4);
    long threads = costs_check_nothing_left(descriptors); /* dies if one is left */
    check_that(threads == 1 || threads == -1, "nothing left behind: one thread (or uncounted)");
    check_that(costs_open_descriptors() == descriptors, "as many descriptors as at the start");
}

int main(int argc, char **argv)
{
    (void)argc;
    prog_start(argv[0]);
    check_format();
    check_procfs();
    check_costs();
    progress_show("never seen: stdout is %s", "a pipe"); /* the bats test reads stdout */
    progress_clear();
    return check_report("test_costs");
}
