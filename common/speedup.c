/* speedup.c — see speedup.h. */
#include "speedup.h"
#include "clock.h"
#include "errors.h"

#include <stdio.h>
#include <stdlib.h>

/* Every count from 1 to 8, then doubling, always ending at `last`. */
static long next_row(long t, long last)
{
    long next = t < 8 ? t + 1 : t * 2;
    return t < last && next > last ? last : next;
}

static void time_rounds(struct speedup_table *table, speedup_job *job, void *context)
{
    for (long r = 0; r < table->rounds; r++) {
        for (long i = 0; i < table->n_rows; i++) {
            struct speedup_row *row = &table->rows[i];
            double wall = clock_now(), cpu = clock_cpu();
            long result = job(row->threads, context);
            row->wall[r] = clock_now() - wall;
            row->cpu[r] = clock_cpu() - cpu;
            if (r == 0 && i == 0)
                table->result = result;
            else if (result != table->result)
                die("%ld threads got %ld, 1 thread %ld", row->threads, result, table->result);
        }
        printf("  round %ld of %ld done\n", r + 1, table->rounds);
    }
}

static void summarise(struct speedup_table *table)
{
    double values[SPEEDUP_MAX_ROUNDS];
    for (long i = 0; i < table->n_rows; i++) {
        struct speedup_row *row = &table->rows[i];
        for (long r = 0; r < table->rounds; r++)
            values[r] = row->wall[r];
        row->median_wall = median(values, table->rounds);
        for (long r = 0; r < table->rounds; r++)
            values[r] = row->wall[r] > 0 ? row->cpu[r] / row->wall[r] : 0;
        row->cores_used = median(values, table->rounds);
        for (long r = 0; r < table->rounds; r++)
            values[r] = table->rows[0].median_wall / row->wall[r];
        row->speedup = spread_of(values, table->rounds);
        /* the ratio of the medians: exactly 1 on the 1-thread row, whatever the rounds */
        row->speedup.median = table->rows[0].median_wall / row->median_wall;
    }
}

struct speedup_table speedup_measure(long cores, long rounds, speedup_job *job, void *context)
{
    long last = 2 * (cores > 0 ? cores : 1);
    struct speedup_table table = {.rounds = rounds,
                                  .rows = calloc((size_t)last, sizeof(struct speedup_row))};
    if (table.rows == NULL)
        die_errno("malloc");
    if (rounds < 1 || rounds > SPEEDUP_MAX_ROUNDS)
        die("speedup_measure: %ld rounds, not 1 to %d", rounds, SPEEDUP_MAX_ROUNDS);
    for (long t = 1; t <= last; t = next_row(t, last))
        table.rows[table.n_rows++].threads = t;
    time_rounds(&table, job, context);
    summarise(&table);
    return table;
}

void speedup_print(const struct speedup_table *table)
{
    printf("  threads   median wall (s)   cpu/wall   median speedup   spread (min-max)\n");
    for (long i = 0; i < table->n_rows; i++) {
        const struct speedup_row *row = &table->rows[i];
        printf("  %-9ld %-17.3f %4.0f%%      %6.2fx          %.2fx-%.2fx\n", row->threads,
               row->median_wall, row->cores_used * 100, row->speedup.median, row->speedup.min,
               row->speedup.max);
    }
}

const struct speedup_row *speedup_row_at(const struct speedup_table *table, long threads)
{
    const struct speedup_row *found = &table->rows[0];
    for (long i = 0; i < table->n_rows && table->rows[i].threads <= threads; i++)
        found = &table->rows[i];
    return found;
}

void speedup_free(struct speedup_table *table)
{
    free(table->rows);
    table->rows = NULL;
}
