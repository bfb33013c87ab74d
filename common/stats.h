/* stats.h — the median of repeated measurements, for the examples that time a thing several
 * times (02's speedup rounds, 10's cost table): one slow round on a busy machine moves a
 * mean, not a median. */
#ifndef ASYNCLAB_STATS_H
#define ASYNCLAB_STATS_H

/* The median of the n > 0 values (sorts them in place). */
double median(double *values, long n);

/* The median, the smallest and the largest of n > 0 values (sorts them in place). */
struct spread {
    double median, min, max;
};
struct spread spread_of(double *values, long n);

#endif
