/* stats.c — see stats.h. */
#include "stats.h"

#include <stdlib.h>

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double median(double *values, long n)
{
    qsort(values, (size_t)n, sizeof *values, compare_doubles);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct spread spread_of(double *values, long n)
{
    double middle = median(values, n); /* sorted now */
    return (struct spread){.median = middle, .min = values[0], .max = values[n - 1]};
}
