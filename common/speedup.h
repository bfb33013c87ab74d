/* speedup.h — the speedup table of a CPU-bound job (02's step 4, lecture claim 5).
 *
 * The job runs with 1, 2, ... up to 2 x cores threads (every count up to 8, then doubling,
 * always ending at 2 x cores). One timing per row is not a measurement on a shared machine,
 * so every row is timed `rounds` times, a round being one pass over all the rows: a burst of
 * load from another program then slows every row alike instead of one. Per row: the median
 * wall time, the threads' CPU time over the wall time (how many cores they really got), and
 * the speedup over the 1-thread median with its spread (the slowest and the fastest round).
 */
#ifndef ASYNCLAB_SPEEDUP_H
#define ASYNCLAB_SPEEDUP_H

#include "stats.h"

#define SPEEDUP_MAX_ROUNDS 99

/* Does the whole job once with `threads` threads and returns its result, which must be the
 * same for every row and round (the table checks it). */
typedef long speedup_job(long threads, void *context);

struct speedup_row {
    long threads;
    double wall[SPEEDUP_MAX_ROUNDS], cpu[SPEEDUP_MAX_ROUNDS]; /* seconds, per round */
    double median_wall;
    double cores_used;     /* median CPU seconds over wall seconds: 1.0 = one core's worth */
    struct spread speedup; /* 1-thread median wall over this row's wall, per round */
};

struct speedup_table {
    long n_rows, rounds, result;
    struct speedup_row *rows;
};

/* Times the job on every row, `rounds` times (1..SPEEDUP_MAX_ROUNDS), printing a line after
 * each round. cores < 1 is taken as 1. Dies if the job's result changes. */
struct speedup_table speedup_measure(long cores, long rounds, speedup_job *job, void *context);

/* Prints the table, one row per thread count. */
void speedup_print(const struct speedup_table *table);

/* The row with the most threads up to `threads`. */
const struct speedup_row *speedup_row_at(const struct speedup_table *table, long threads);

void speedup_free(struct speedup_table *table);

#endif
