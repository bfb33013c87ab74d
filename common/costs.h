/* costs.h — what the kernel's units of concurrency cost, timed the same way wherever a
 * figure is shown: creating a process (01 and 10) or a thread (10), a switch between two processes
 * or two threads, and the memory of K of them alive at once (10). The generator's side of each
 * figure stays in 10, next to its table.
 *
 * Each function returns seconds per unit (divide, do not trust one run: the callers take
 * the median of rounds) and dies if a child or a thread did not finish cleanly.
 */
#ifndef ASYNCLAB_COSTS_H
#define ASYNCLAB_COSTS_H

#include <stddef.h>

/* fork + _exit(0) in the child + waitpid, n times in a row: seconds per process. */
double costs_fork(long n);

/* pthread_create of a function that returns at once + pthread_join, n times in a row:
 * seconds per thread. */
double costs_pthread_create(long n);

/* Two processes (parent and a forked child) or two threads ping-pong one byte over a pair
 * of pipes: each hand-over is a write that wakes the other side and a read that puts this
 * side to sleep. `switches` hand-overs (rounded down to an even number); seconds per
 * hand-over. */
double costs_switch_processes(long switches);
double costs_switch_threads(long switches);

/* What K children alive at once keep, per child, in bytes (-1 where unknown: there is no
 * /proc). resident: its resident size, what ps shows as RSS; own: the part of it that is
 * the child's own, not shared with the parent; page_tables: kernel memory outside RSS. */
struct costs_process_memory {
    double resident, own, page_tables;
};

/* K children, each blocked on a pipe until all have been measured. */
struct costs_process_memory costs_live_processes(long k);

/* K threads waiting at a gate (a mutex and two condition variables): how much this
 * process's resident size grew per thread, in bytes; -1 where unknown. */
double costs_live_threads(long k);

/* malloc a block and touch every page of it, so that it is resident before a measurement
 * of resident growth starts (and not counted in it). Dies if there is no memory. */
void *costs_malloc_resident(size_t size, const char *what);

/* Descriptors open now, among the first 1024. */
int costs_open_descriptors(void);

/* After the measurements: dies unless no child is left unwaited (waitpid reports ECHILD),
 * one thread runs and descriptors_at_start descriptors are open. Returns the threads
 * counted: 1, or -1 where there is no /proc to count them. */
long costs_check_nothing_left(int descriptors_at_start);

#endif
